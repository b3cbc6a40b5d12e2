//! Playing people against the fake, and matching their presses to the bot's answers.
//!
//! Waiting: one [`Watcher`] task serves every simulated person. It sleeps in the
//! fake's `wait_for` until the fake's state changes, then checks the chats someone is
//! waiting on. A thousand people each in their own `wait_for` would each re-check on
//! every request the fake receives (a thousand checks per event), and that work would
//! compete with the bot for the same CPU. When a check round gets expensive the
//! watcher pauses a few times its own cost before the next one, so it never takes more
//! than about a fifth of a core.
//!
//! Measuring: the latency of a press is not taken from when the watcher notices the
//! answer. Each press records the `Instant` just before it is queued at the fake; after
//! the run, it is matched to the first `editMessageText` for that chat that the fake
//! received after it (the fake timestamps every request), before the chat's next press.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use domain::callback::Callback;
use fake_telegram::{FakeError, FakeTelegram, RequestRecord};
use serde_json::Value;
use tokio::sync::oneshot;

use crate::walk::Screen;

/// Where a chat's menu stands: the id of the latest bot message with buttons and how
/// many times it has been edited. A press has been answered when this moves on: a
/// newer message with buttons, or more edits of the same one. (Only forward: a screen
/// that is deleted before its successor arrives leaves an older menu as the latest for
/// a moment, and that is not an answer.)
pub type MenuState = Option<(i64, u32)>;

/// A check round cheaper than this runs again at once.
const CHEAP_ROUND: Duration = Duration::from_micros(200);
/// Wake up at least this often even without a signal (a missed wake-up only delays).
const BACKSTOP: Duration = Duration::from_millis(50);

pub fn menu_state(fake: &FakeTelegram, chat: i64) -> MenuState {
    fake.messages(chat)
        .iter()
        .rev()
        .find(|m| m.from_bot && m.keyboard.iter().any(|row| !row.is_empty()))
        .map(|m| (m.message_id, m.edits))
}

/// The texts of the buttons of the chat's latest menu, row by row.
pub fn menu_buttons(fake: &FakeTelegram, chat: i64) -> Vec<Vec<String>> {
    fake.messages(chat)
        .iter()
        .rev()
        .find(|m| m.from_bot && m.keyboard.iter().any(|row| !row.is_empty()))
        .map(|m| {
            m.keyboard
                .iter()
                .map(|row| row.iter().map(|b| b.text.clone()).collect())
                .collect()
        })
        .unwrap_or_default()
}

/// The chat's latest menu as a walk reads it ([`crate::walk`]): buttons that start a
/// knowledge check carry callback data beginning with `1q` (version 1 of the bot's
/// callback data, as [`crate::scenarios::sections`] reads `1o`).
pub fn screen(fake: &FakeTelegram, chat: i64) -> Screen {
    let Some(menu) = fake
        .messages(chat)
        .into_iter()
        .rev()
        .find(|m| m.from_bot && m.keyboard.iter().any(|row| !row.is_empty()))
    else {
        return Screen::default();
    };
    let buttons = menu.keyboard.iter().flatten();
    Screen {
        buttons: buttons.clone().map(|b| b.text.clone()).collect(),
        checks: buttons
            .filter(|b| {
                b.callback_data
                    .as_deref()
                    .is_some_and(|d| matches!(Callback::decode(d), Ok(Callback::QuizStart(_))))
            })
            .map(|b| b.text.clone())
            .collect(),
    }
}

struct Waiting {
    chat: i64,
    before: MenuState,
    done: oneshot::Sender<()>,
}

/// The shared waiter (see the module documentation).
#[derive(Clone)]
pub struct Watcher {
    fake: FakeTelegram,
    waiting: Arc<Mutex<Vec<Waiting>>>,
    stop: Arc<AtomicBool>,
}

impl Watcher {
    /// Starts the watcher task; it ends on [`Watcher::shutdown`] or when the fake stops.
    pub fn start(fake: &FakeTelegram) -> Watcher {
        let watcher = Watcher {
            fake: fake.clone(),
            waiting: Arc::new(Mutex::new(Vec::new())),
            stop: Arc::new(AtomicBool::new(false)),
        };
        tokio::spawn(watcher.clone().run());
        watcher
    }

    pub fn shutdown(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Waiting>> {
        self.waiting.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until `chat`'s menu has moved on from `before`.
    pub async fn menu_changed(
        &self,
        chat: i64,
        before: MenuState,
        timeout: Duration,
    ) -> Result<()> {
        let (done, changed) = oneshot::channel();
        self.lock().push(Waiting { chat, before, done });
        match tokio::time::timeout(timeout, changed).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(anyhow!("the watcher stopped while chat {chat} was waiting")),
            Err(_) => {
                self.lock().retain(|w| w.chat != chat);
                Err(anyhow!(
                    "chat {chat}: the bot did not update the menu within {timeout:?}"
                ))
            }
        }
    }

    async fn run(self) {
        while !self.stop.load(Ordering::Relaxed) {
            // Sleep until anything happens at the fake (the first check is "no").
            let checks = AtomicU32::new(0);
            let woke = self
                .fake
                .wait_for(BACKSTOP, |_| checks.fetch_add(1, Ordering::Relaxed) > 0)
                .await;
            if matches!(woke, Err(FakeError::Shutdown)) {
                break;
            }
            let round = Instant::now();
            let pending: Vec<Waiting> = std::mem::take(&mut *self.lock());
            if pending.is_empty() {
                continue;
            }
            let mut still = Vec::with_capacity(pending.len());
            for w in pending {
                if w.done.is_closed() {
                    continue;
                }
                if menu_state(&self.fake, w.chat) > w.before {
                    let _ = w.done.send(());
                } else {
                    still.push(w);
                }
            }
            self.lock().extend(still);
            let cost = round.elapsed();
            if cost > CHEAP_ROUND {
                tokio::time::sleep(cost * 4).await;
            }
        }
    }
}

/// One press as the load generator made it.
#[derive(Debug, Clone, Copy)]
pub struct Press {
    pub chat: i64,
    /// Just before the update was queued at the fake.
    pub at: Instant,
}

/// Presses `button` in `chat` and waits until the menu changes; returns the press.
pub async fn press_and_wait(
    fake: &FakeTelegram,
    watcher: &Watcher,
    chat: i64,
    button: &str,
    timeout: Duration,
) -> Result<Press> {
    let before = menu_state(fake, chat);
    let at = Instant::now();
    fake.press(chat, button).with_context(|| {
        format!(
            "chat {chat}: cannot press {button:?}; the menu shows {:?}",
            menu_buttons(fake, chat)
        )
    })?;
    watcher.menu_changed(chat, before, timeout).await?;
    Ok(Press { chat, at })
}

/// Sends `/menu` and waits for the bot's main menu. (`/start` would begin a new
/// person's onboarding questions instead of the menu.)
pub async fn start_and_wait(
    fake: &FakeTelegram,
    watcher: &Watcher,
    chat: i64,
    timeout: Duration,
) -> Result<()> {
    let before = menu_state(fake, chat);
    fake.send_text(chat, "/menu");
    watcher
        .menu_changed(chat, before, timeout)
        .await
        .context("waiting for the answer to /menu")
}

/// The outcome of matching presses to the bot's edits.
#[derive(Debug, Default)]
pub struct Matched {
    /// Press to the fake receiving the edit, one per answered press.
    pub latencies: Vec<Duration>,
    /// Presses with no edit for their chat before the chat's next press.
    pub unmatched: usize,
    /// The moment the last matched edit arrived.
    pub last_answer: Option<Instant>,
}

fn chat_of(params: &Value) -> Option<i64> {
    match params.get("chat_id")? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// Whether a request shows a person a screen: an edit of a message's text, or a new
/// message with buttons (a question with a picture arrives as a new message after
/// the picture). Announcements and other messages without buttons are not answers.
fn shows_screen(r: &RequestRecord) -> bool {
    r.ok && (r.method.eq_ignore_ascii_case("editMessageText")
        || (r.method.eq_ignore_ascii_case("sendMessage")
            && r.params.get("reply_markup").is_some_and(|m| {
                // JSON bodies give an object, form bodies a string.
                m.get("inline_keyboard").is_some()
                    || m.as_str().is_some_and(|s| s.contains("inline_keyboard"))
            })))
}

/// Matches each press to the first request showing a screen in its chat
/// ([`shows_screen`]) that the fake received after the press and that no earlier
/// press of the chat has taken.
///
/// The pairing is in order rather than "before the chat's next press": the fake applies
/// an edit and timestamps its request a moment later, so a fast person may already have
/// pressed again when the edit's timestamp is taken.
pub fn match_answers(presses: &[Press], requests: &[RequestRecord]) -> Matched {
    let mut edits: HashMap<i64, Vec<Instant>> = HashMap::new();
    for r in requests {
        if shows_screen(r)
            && let Some(chat) = chat_of(&r.params)
        {
            edits.entry(chat).or_default().push(r.at);
        }
    }
    for times in edits.values_mut() {
        times.sort_unstable();
    }
    let mut by_chat: HashMap<i64, Vec<Instant>> = HashMap::new();
    for p in presses {
        by_chat.entry(p.chat).or_default().push(p.at);
    }
    let mut out = Matched::default();
    for (chat, mut times) in by_chat {
        times.sort_unstable();
        let answers = edits.get(&chat).map(Vec::as_slice).unwrap_or_default();
        let mut from = 0;
        for pressed in times {
            from += answers[from..].partition_point(|t| *t < pressed);
            match answers.get(from) {
                Some(&answered) => {
                    from += 1;
                    out.latencies.push(answered - pressed);
                    out.last_answer = Some(out.last_answer.map_or(answered, |l| l.max(answered)));
                }
                None => out.unmatched += 1,
            }
        }
    }
    out
}

/// Failed requests by method (refused by the fake for any reason, including benign
/// ones such as "message is not modified").
pub fn failed_requests(requests: &[RequestRecord], since: Instant) -> Vec<(String, usize)> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for r in requests.iter().filter(|r| !r.ok && r.at >= since) {
        *counts.entry(r.method.clone()).or_default() += 1;
    }
    let mut out: Vec<_> = counts.into_iter().collect();
    out.sort();
    out
}

/// Requests by method since `since`.
pub fn request_counts(requests: &[RequestRecord], since: Instant) -> Vec<(String, usize)> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for r in requests.iter().filter(|r| r.at >= since) {
        *counts.entry(r.method.clone()).or_default() += 1;
    }
    let mut out: Vec<_> = counts.into_iter().collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn edit(chat: i64, at: Instant) -> RequestRecord {
        RequestRecord {
            method: "editMessageText".into(),
            params: json!({"chat_id": chat, "message_id": 1, "text": "x"}),
            at,
            ok: true,
        }
    }

    #[test]
    fn presses_match_the_next_edit_of_their_own_chat() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let presses = [
            Press { chat: 1, at: t0 },
            Press {
                chat: 2,
                at: t0 + ms(1),
            },
            Press {
                chat: 1,
                at: t0 + ms(10),
            },
            Press {
                chat: 3,
                at: t0 + ms(10),
            },
        ];
        let mut late_other_chat = edit(3, t0 + ms(2));
        late_other_chat.method = "sendMessage".into();
        let mut failed = edit(2, t0 + ms(3));
        failed.ok = false;
        let requests = [
            edit(1, t0 + ms(4)),
            late_other_chat,
            failed,
            edit(2, t0 + ms(6)),
            // chat 1's second press: a string chat id is understood too.
            RequestRecord {
                params: json!({"chat_id": "1"}),
                ..edit(1, t0 + ms(13))
            },
        ];
        let matched = match_answers(&presses, &requests);
        let mut got = matched.latencies.clone();
        got.sort();
        assert_eq!(got, [ms(3), ms(4), ms(5)]);
        assert_eq!(matched.unmatched, 1, "chat 3 never got an edit");
        assert_eq!(matched.last_answer, Some(t0 + ms(13)));
    }

    #[test]
    fn edits_pair_with_presses_in_order_even_when_stamped_after_the_next_press() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let presses = [
            Press { chat: 5, at: t0 },
            Press {
                chat: 5,
                at: t0 + ms(5),
            },
            Press {
                chat: 5,
                at: t0 + ms(9),
            },
        ];
        // The first answer was stamped just after the second press; the third press
        // was never answered.
        let matched = match_answers(&presses, &[edit(5, t0 + ms(6)), edit(5, t0 + ms(8))]);
        assert_eq!(matched.latencies, [ms(6), ms(3)]);
        assert_eq!(matched.unmatched, 1);
    }

    #[test]
    fn a_new_message_with_buttons_answers_a_press_and_an_announcement_does_not() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let send = |at, params: Value| RequestRecord {
            method: "sendMessage".into(),
            params,
            at,
            ok: true,
        };
        let presses = [Press { chat: 4, at: t0 }];
        let announcement = send(t0 + ms(1), json!({"chat_id": 4, "text": "Meeting at 9"}));
        let question = send(
            t0 + ms(7),
            json!({"chat_id": 4, "text": "Q2", "reply_markup": {"inline_keyboard": [[]]}}),
        );
        let matched = match_answers(&presses, &[announcement.clone(), question]);
        assert_eq!(matched.latencies, [ms(7)]);
        // A form body carries the keyboard as a string.
        let form = send(
            t0 + ms(3),
            json!({"chat_id": 4, "reply_markup": "{\"inline_keyboard\":[]}"}),
        );
        let matched = match_answers(&presses, &[announcement, form]);
        assert_eq!(matched.latencies, [ms(3)]);
    }

    #[test]
    fn failed_requests_are_counted_by_method() {
        let t0 = Instant::now();
        let mut a = edit(1, t0);
        a.ok = false;
        let mut b = a.clone();
        b.method = "answerCallbackQuery".into();
        let counts = failed_requests(&[a.clone(), a, b, edit(1, t0)], t0);
        assert_eq!(
            counts,
            [
                ("answerCallbackQuery".to_owned(), 1),
                ("editMessageText".to_owned(), 2)
            ]
        );
    }
}
