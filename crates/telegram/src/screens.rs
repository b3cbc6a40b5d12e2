//! What each chat's recent screens show, as far as this process put it there, so
//! that an edit that would change nothing and a delete of a message already
//! gone are never sent (ADR 0041). Telegram refuses both ("message is not
//! modified", "message to delete not found"); a double tap, a press on an older
//! menu that already shows the screen it asks for, or a second press on a menu
//! the first press removed would otherwise each cost a failed call.
//!
//! Only messages with buttons are kept (only those are edited or pressed), the
//! last [`KEPT_PER_CHAT`] per chat, for at most [`KEPT_CHATS`] chats. What is
//! not known is sent as before: forgetting costs at most one refused call, never
//! a wrong screen.
//!
//! With each message goes the `edit_date` Telegram gave its last edit here. A
//! press carries its message's `edit_date` as Telegram saw it; a later one than
//! remembered means the message was edited by a hand this ledger did not see
//! (another replica while the state store was down, one killed before it handed
//! the chat over): [`Screens::check`] then forgets the chat (ADR 0050).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use domain::html::Html;
use domain::ids::ChatId;
use engine::Keyboard;

/// Messages remembered per chat: the screen, the one before it, and one more
/// (a menu sent again with `/menu` leaves the older one pressable).
const KEPT_PER_CHAT: usize = 3;
/// Chats remembered; past this, the half touched longest ago is forgotten.
const KEPT_CHATS: usize = 100_000;

/// What a remembered message shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shown {
    /// A text with buttons, by its [`fingerprint`].
    Screen(u64),
    /// Nothing: the bot deleted it.
    Gone,
}

/// A remembered message: its id (0, which Telegram never uses, for an empty
/// slot), what it shows (a [`fingerprint`], never 0, or 0 for gone) and the
/// `edit_date` of its last edit seen here (0 for none).
#[derive(Clone, Copy, Debug, Default)]
struct Kept {
    id: i64,
    shown: u64,
    edited: i64,
}

/// A chat's remembered messages, 80 bytes, most recently touched first.
#[derive(Clone, Copy, Debug, Default)]
struct Chat {
    messages: [Kept; KEPT_PER_CHAT],
    /// When it was last touched, in [`Ledger`] ticks.
    touched: u64,
}

const GONE: u64 = 0;

impl Shown {
    fn packed(self) -> u64 {
        match self {
            Shown::Screen(fingerprint) => fingerprint,
            Shown::Gone => GONE,
        }
    }

    fn unpacked(packed: u64) -> Shown {
        match packed {
            GONE => Shown::Gone,
            fingerprint => Shown::Screen(fingerprint),
        }
    }
}

#[derive(Debug, Default)]
struct Ledger {
    chats: HashMap<i64, Chat>,
    tick: u64,
}

/// The screens of every chat this process serves, shared by every sender of the bot.
#[derive(Debug, Default)]
pub(crate) struct Screens {
    ledger: Mutex<Ledger>,
}

impl Screens {
    /// What message `message_id` of `chat` shows, if this process knows.
    pub(crate) fn shown(&self, chat: ChatId, message_id: i64) -> Option<Shown> {
        let ledger = self.ledger.lock().unwrap_or_else(PoisonError::into_inner);
        ledger
            .chats
            .get(&chat.0)?
            .messages
            .iter()
            .find(|m| m.id == message_id && message_id != 0)
            .map(|m| Shown::unpacked(m.shown))
    }

    /// Forgets `chat` if a press on message `message_id` shows that Telegram
    /// edited it later (`edited`, the press's `edit_date`) than the last edit
    /// remembered here: what is remembered of the chat missed a change. A
    /// press made before the remembered edit (the second of a double tap)
    /// leaves it.
    pub(crate) fn check(&self, chat: ChatId, message_id: i64, edited: Option<i64>) {
        let mut ledger = self.ledger.lock().unwrap_or_else(PoisonError::into_inner);
        let missed = ledger.chats.get(&chat.0).is_some_and(|c| {
            c.messages
                .iter()
                .any(|m| m.id == message_id && m.shown != GONE && edited.unwrap_or(0) > m.edited)
        });
        if missed {
            ledger.chats.remove(&chat.0);
        }
    }

    /// Remembers that message `message_id` of `chat` now shows `shown`, last
    /// edited at `edited` (Telegram's `edit_date`; `None` if never edited or
    /// not known).
    pub(crate) fn record(&self, chat: ChatId, message_id: i64, shown: Shown, edited: Option<i64>) {
        let mut ledger = self.ledger.lock().unwrap_or_else(PoisonError::into_inner);
        ledger.tick += 1;
        let tick = ledger.tick;
        if ledger.chats.len() >= KEPT_CHATS && !ledger.chats.contains_key(&chat.0) {
            let keep_after = tick.saturating_sub(KEPT_CHATS as u64 / 2);
            ledger.chats.retain(|_, c| c.touched > keep_after);
        }
        let entry = ledger.chats.entry(chat.0).or_default();
        entry.touched = tick;
        let messages = &mut entry.messages;
        let at = messages
            .iter()
            .position(|m| m.id == message_id)
            .unwrap_or(KEPT_PER_CHAT - 1);
        messages[..=at].rotate_right(1);
        messages[0] = Kept {
            id: message_id,
            shown: shown.packed(),
            edited: edited.unwrap_or(0),
        };
    }
}

impl Screens {
    /// What this process knows of `chat`'s messages, as text for the replica
    /// that handles the chat's next update (`id:shown:edited` triples, most
    /// recently touched first; ADR 0049); `None` if it knows nothing of the chat.
    pub(crate) fn export(&self, chat: ChatId) -> Option<String> {
        let ledger = self.ledger.lock().unwrap_or_else(PoisonError::into_inner);
        let messages = ledger.chats.get(&chat.0)?.messages;
        let kept: Vec<String> = messages
            .iter()
            .filter(|m| m.id != 0)
            .map(|m| format!("{}:{:x}:{}", m.id, m.shown, m.edited))
            .collect();
        Some(kept.join(" "))
    }

    /// Forgets what this process knew of `chat`'s messages, when another
    /// replica may have changed them since (always safe: an unknown message
    /// is edited as before).
    pub(crate) fn forget(&self, chat: ChatId) {
        let mut ledger = self.ledger.lock().unwrap_or_else(PoisonError::into_inner);
        ledger.chats.remove(&chat.0);
    }

    /// Takes what another replica knew of `chat`'s messages ([`Screens::export`])
    /// as what this process knows: under the chat's lease it is the newer
    /// account. Text that does not read as one (an older build's, say) makes
    /// the chat forgotten instead, which is always safe.
    pub(crate) fn import(&self, chat: ChatId, saved: &str) {
        let Some(messages) = read_account(saved) else {
            self.forget(chat);
            return;
        };
        let mut ledger = self.ledger.lock().unwrap_or_else(PoisonError::into_inner);
        ledger.tick += 1;
        let touched = ledger.tick;
        ledger.chats.insert(chat.0, Chat { messages, touched });
    }
}

/// The messages of an account [`Screens::export`] wrote, or `None`.
fn read_account(saved: &str) -> Option<[Kept; KEPT_PER_CHAT]> {
    let mut messages = [Kept::default(); KEPT_PER_CHAT];
    let mut written = saved.split_whitespace();
    for slot in &mut messages {
        let Some(one) = written.next() else { break };
        let mut fields = one.split(':');
        let kept = Kept {
            id: fields.next()?.parse().ok()?,
            shown: u64::from_str_radix(fields.next()?, 16).ok()?,
            edited: fields.next()?.parse().ok()?,
        };
        if kept.id == 0 || fields.next().is_some() {
            return None;
        }
        *slot = kept;
    }
    written.next().is_none().then_some(messages)
}

/// A 64-bit FNV-1a hash of a screen's text and buttons, never 0: equal for equal
/// screens on every process and every build, so that two presses rendering the
/// same screen are known to.
pub(crate) fn fingerprint(text: &Html, keyboard: Option<&Keyboard>) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            hash = (hash ^ u64::from(b)).wrapping_mul(PRIME);
        }
        // A separator no UTF-8 text contains, so that ("ab", "c") and ("a", "bc") differ.
        hash = (hash ^ 0xff).wrapping_mul(PRIME);
    };
    eat(text.as_str().as_bytes());
    for row in keyboard.map(|k| k.rows.as_slice()).unwrap_or_default() {
        eat(b"\n");
        for button in row {
            eat(button.text.as_bytes());
            eat(button.callback.encode().as_bytes());
        }
    }
    hash | 1
}

#[cfg(test)]
mod tests {
    use domain::callback::Callback;
    use engine::Button;

    use super::*;

    fn menu(buttons: &[&str]) -> Keyboard {
        Keyboard::default().row(
            buttons
                .iter()
                .map(|b| Button::new(*b, Callback::Home))
                .collect(),
        )
    }

    #[test]
    fn equal_screens_have_equal_fingerprints_and_any_change_shows() {
        let text = Html::escape("Main menu");
        let same = fingerprint(&text, Some(&menu(&["a", "b"])));
        assert_eq!(same, fingerprint(&text, Some(&menu(&["a", "b"]))));
        assert_ne!(same, fingerprint(&text, Some(&menu(&["ab"]))));
        assert_ne!(same, fingerprint(&text, Some(&menu(&["a", "c"]))));
        assert_ne!(same, fingerprint(&text, None));
        assert_ne!(
            same,
            fingerprint(&Html::escape("Main menu."), Some(&menu(&["a", "b"])))
        );
        let two_rows = menu(&["a"]).row(vec![Button::new("b", Callback::Home)]);
        assert_ne!(same, fingerprint(&text, Some(&two_rows)));
    }

    #[test]
    fn the_latest_messages_of_a_chat_are_kept_and_older_ones_forgotten() {
        let screens = Screens::default();
        let chat = ChatId(7);
        for id in 1..=4 {
            screens.record(chat, id, Shown::Screen(id as u64), None);
        }
        assert_eq!(screens.shown(chat, 1), None, "the oldest is forgotten");
        assert_eq!(screens.shown(chat, 2), Some(Shown::Screen(2)));
        // Touching an older one keeps it; the least recently touched goes.
        screens.record(chat, 2, Shown::Gone, None);
        screens.record(chat, 5, Shown::Screen(5), Some(9));
        assert_eq!(screens.shown(chat, 2), Some(Shown::Gone));
        assert_eq!(screens.shown(chat, 3), None);
        assert_eq!(screens.shown(chat, 4), Some(Shown::Screen(4)));
        assert_eq!(screens.shown(ChatId(8), 4), None, "chats are apart");
    }

    #[test]
    fn what_one_replica_knew_of_a_chat_another_takes_whole() {
        let (chat, here, there) = (ChatId(7), Screens::default(), Screens::default());
        assert_eq!(
            here.export(chat),
            None,
            "nothing known, nothing to hand over"
        );
        here.record(chat, 10, Shown::Screen(0xabc1), Some(1_700_000_000));
        here.record(chat, 11, Shown::Gone, None);
        there.record(chat, 12, Shown::Screen(5), None);
        there.import(chat, &here.export(chat).unwrap());
        assert_eq!(there.shown(chat, 10), Some(Shown::Screen(0xabc1)));
        assert_eq!(there.shown(chat, 11), Some(Shown::Gone));
        assert_eq!(
            there.shown(chat, 12),
            None,
            "the handed-over account replaces"
        );
        assert_eq!(there.export(chat), here.export(chat));
        there.forget(chat);
        assert_eq!(there.shown(chat, 10), None, "forgotten");
        // An account that does not read (an older build's `id:shown` pairs, say)
        // is not trusted, and neither is what was known before it.
        for garbage in [
            "x",
            "1:zz:0",
            "0:5:0",
            "1:5",
            "1:5:0:0",
            "1:5:x",
            "1:5:0 2:5:0 3:5:0 4:5:0",
            "1",
        ] {
            there.import(chat, &here.export(chat).unwrap());
            there.import(chat, garbage);
            assert_eq!(there.export(chat), None, "{garbage}: the chat is forgotten");
        }
    }

    #[test]
    fn a_press_on_a_message_edited_since_it_was_remembered_forgets_the_chat() {
        let (screens, chat) = (Screens::default(), ChatId(7));
        screens.record(chat, 10, Shown::Screen(5), Some(100));
        screens.record(chat, 11, Shown::Screen(6), None);
        // Pressed before the remembered edit (a double tap's second press), or
        // on a message never edited: what is remembered stands.
        screens.check(chat, 10, Some(99));
        screens.check(chat, 10, Some(100));
        screens.check(chat, 11, None);
        screens.check(chat, 12, Some(500));
        assert_eq!(screens.shown(chat, 10), Some(Shown::Screen(5)));
        // Edited later than remembered: someone else changed it.
        screens.check(chat, 10, Some(101));
        assert_eq!(screens.shown(chat, 10), None);
        assert_eq!(screens.shown(chat, 11), None, "the whole chat is forgotten");
        // A message remembered as never edited, found edited.
        screens.record(chat, 11, Shown::Screen(6), None);
        screens.check(chat, 11, Some(1));
        assert_eq!(screens.shown(chat, 11), None);
        // A message the bot deleted is pressed as it was before the delete.
        screens.record(chat, 12, Shown::Gone, None);
        screens.check(chat, 12, Some(50));
        assert_eq!(screens.shown(chat, 12), Some(Shown::Gone));
    }

    #[test]
    fn a_chat_costs_80_bytes_and_message_0_is_never_found() {
        assert_eq!(std::mem::size_of::<Chat>(), 80);
        let screens = Screens::default();
        screens.record(
            ChatId(7),
            5,
            Shown::Screen(fingerprint(&Html::escape("x"), None)),
            None,
        );
        assert_eq!(
            screens.shown(ChatId(7), 0),
            None,
            "an empty slot is no message"
        );
    }

    #[test]
    fn past_its_size_the_chats_touched_longest_ago_are_forgotten() {
        let screens = Screens::default();
        let kept = || screens.ledger.lock().unwrap().chats.len();
        for chat in 0..KEPT_CHATS as i64 {
            screens.record(ChatId(chat), 1, Shown::Gone, None);
        }
        assert_eq!(kept(), KEPT_CHATS, "up to its size, every chat is kept");
        // A chat already kept is touched, not added: nothing is forgotten.
        screens.record(ChatId(0), 1, Shown::Screen(9), None);
        assert_eq!(kept(), KEPT_CHATS);
        screens.record(ChatId(-1), 1, Shown::Gone, None);
        assert_eq!(screens.shown(ChatId(0), 1), Some(Shown::Screen(9)));
        assert_eq!(screens.shown(ChatId(-1), 1), Some(Shown::Gone));
        assert_eq!(screens.shown(ChatId(1), 1), None);
        assert_eq!(
            screens.shown(ChatId(KEPT_CHATS as i64 - 1), 1),
            Some(Shown::Gone)
        );
        assert_eq!(kept(), KEPT_CHATS / 2, "the half touched longest ago went");
    }

    #[test]
    fn a_fingerprint_is_the_same_in_every_build() {
        // Replicas hand fingerprints to each other, across a rolling upgrade
        // too: a change here makes every handed-over account wrong. Change
        // these values only with a new account format (see `read_account`).
        assert_eq!(
            fingerprint(&Html::escape("Main menu"), None),
            0xe2cabc3e7cb87121
        );
        assert_eq!(
            fingerprint(&Html::escape("Main menu"), Some(&menu(&["a", "b"]))),
            0x9a4beb07c8207325
        );
        assert_eq!(fingerprint(&Html::escape("Page"), None), 0x6ac0460ddc5b434b);
    }
}
