//! No chat delays another (issue 10): a chat held by Telegram's flood control, or
//! slowed by its own backlog, does not hold anybody else's answer; a burst over the
//! flood limits is dropped as it arrives and costs (almost) nothing. Ordering and
//! causality are asserted from fake-telegram's request log (requests are recorded
//! as they are answered); the latency printed is for the record, never asserted.

use std::sync::Arc;
use std::time::{Duration, Instant};

use engine::ports::SystemClock;
use fake_telegram::{FakeConfig, RequestRecord};

use crate::helpers::{PATIENCE, Person, Stack, TestApp};

const A: i64 = 7_100_000_001;
const B: i64 = 7_100_000_002;

/// A bot on `stack` whose fake Telegram accepts callback answers for
/// `callback_window`, with `extra` settings; `None` if the stack is not available.
async fn spawn_on(
    stack: Stack,
    extra: &[(&str, String)],
    callback_window: Duration,
) -> Option<TestApp> {
    let fake = FakeConfig {
        callback_answer_timeout: callback_window,
        ..FakeConfig::default()
    };
    TestApp::spawn_full(stack, Arc::new(SystemClock), extra, fake).await
}

/// [`spawn_on`] the embedded stack.
async fn spawn(extra: &[(&str, String)], callback_window: Duration) -> TestApp {
    spawn_on(Stack::Embedded, extra, callback_window)
        .await
        .expect("embedded stack")
}

/// The title of the first top-level section, in English.
fn section(app: &TestApp) -> String {
    app.pack
        .node(app.pack.top_level()[0])
        .unwrap()
        .title
        .en
        .clone()
}

fn chat_of(r: &RequestRecord) -> Option<i64> {
    r.params.get("chat_id").and_then(serde_json::Value::as_i64)
}

fn query_of(r: &RequestRecord) -> Option<&str> {
    r.params
        .get("callback_query_id")
        .and_then(serde_json::Value::as_str)
}

/// The Bot API calls made for people (everything but polling).
/// The Bot API calls made for people: not polls, and not the bot-wide ones made
/// at start-up in the background (command menus, descriptions: `…My…`).
fn calls(app: &TestApp) -> Vec<RequestRecord> {
    app.fake
        .requests()
        .into_iter()
        .filter(|r| r.method != "getUpdates" && !r.method.contains("My"))
        .collect()
}

/// Waits until the request log from `from` on has a successful edit or send for
/// `chat`; returns its position in the log.
async fn screen_changed(app: &TestApp, chat: i64, from: usize) -> usize {
    let is_screen = |r: &RequestRecord| {
        r.ok && chat_of(r) == Some(chat)
            && matches!(r.method.as_str(), "editMessageText" | "sendMessage")
    };
    app.fake
        .wait_for(PATIENCE, |f| f.requests()[from..].iter().any(is_screen))
        .await
        .expect("the chat's screen changes");
    from + app.fake.requests()[from..]
        .iter()
        .position(is_screen)
        .unwrap()
}

/// Both people looking at the main menu.
async fn both_at_home(app: &TestApp) -> (Person<'_>, Person<'_>) {
    let a = app.person(A, "Anna", "en");
    let b = app.person(B, "Boris", "en");
    a.sends("/menu").await;
    b.sends("/menu").await;
    (a, b)
}

#[tokio::test]
async fn fairness_a_chat_held_by_retry_after_does_not_delay_another_chat() {
    held_chat(spawn(&[], Duration::from_secs(60)).await).await;
}

#[tokio::test]
async fn fairness_a_chat_held_by_retry_after_does_not_delay_another_chat_production_stack() {
    if let Some(app) = spawn_on(Stack::Production, &[], Duration::from_secs(60)).await {
        held_chat(app).await;
    }
}

async fn held_chat(app: TestApp) {
    let (_a, _b) = both_at_home(&app).await;
    let title = section(&app);
    // Telegram's flood control holds A's chat: the answer to A's press is refused
    // with retry_after = 5, so the bot must wait 5 s before answering A.
    app.fake.fail_next_for_chat(
        A,
        "answerCallbackQuery",
        429,
        "Too Many Requests: retry after 5",
        Some(5),
    );
    let a_press = app.fake.press(A, &title).unwrap();
    let refused = |r: &RequestRecord| !r.ok && r.method == "answerCallbackQuery";
    app.fake
        .wait_for(PATIENCE, |f| f.requests().iter().any(refused))
        .await
        .expect("A's answer is refused");
    let log = app.fake.requests();
    let held = log.iter().find(|r| refused(r)).unwrap();
    let held_query = query_of(held).unwrap().to_owned();
    let from = log.len();

    // While A is held, B presses.
    let pressed = Instant::now();
    app.fake.press(B, &title).unwrap();
    let b_screen = screen_changed(&app, B, from).await;
    let latency = app.fake.requests()[b_screen].at - pressed;
    println!("fairness: B's screen arrived {latency:?} after B's press, while A was held");

    app.handled(a_press).await;
    let log = app.fake.requests();
    let a_answered = log
        .iter()
        .position(|r| r.ok && query_of(r) == Some(held_query.as_str()))
        .expect("A's press is answered after the wait");
    assert!(
        b_screen < a_answered,
        "B's screen ({b_screen}) came before A's held answer ({a_answered})"
    );
    let a_screen = screen_changed(&app, A, a_answered).await;
    assert!(a_screen > a_answered, "A's chat is still in order");
    app.assert_clean();
}

#[tokio::test]
async fn fairness_a_backlog_in_one_chat_does_not_delay_another_chat() {
    // Every call for A's chat takes 100 ms; A presses 300 times as fast as a
    // script can. Callback answers may come late for A: the fake gives them time.
    let app = spawn(&[], Duration::from_secs(600)).await;
    let (_a, _b) = both_at_home(&app).await;
    let title = section(&app);
    app.fake.delay_chat(A, Duration::from_millis(100));
    let from = app.fake.requests().len();
    for _ in 0..300 {
        app.fake.press(A, &title).unwrap();
    }
    // The bot is working through A's backlog.
    app.fake
        .wait_for(PATIENCE, |f| {
            f.requests()[from..]
                .iter()
                .any(|r| r.method == "answerCallbackQuery")
        })
        .await
        .expect("A's presses are being answered");

    let pressed = Instant::now();
    let b_press = app.fake.press(B, &title).unwrap();
    let b_screen = screen_changed(&app, B, from).await;
    let latency = app.fake.requests()[b_screen].at - pressed;
    let log = app.fake.requests();
    let answers_before = log[from..b_screen]
        .iter()
        .filter(|r| r.method == "answerCallbackQuery")
        .count();
    println!(
        "fairness: B's screen arrived {latency:?} after B's press, with {answers_before} of A's 300 presses answered"
    );

    // Let A's backlog drain, then check it was all still to come.
    app.fake.delay_chat(A, Duration::ZERO);
    app.handled(b_press).await;
    let log = app.fake.requests();
    let answers_after = log[b_screen..]
        .iter()
        .filter(|r| r.method == "answerCallbackQuery")
        .count();
    assert!(
        answers_after > 0,
        "A's backlog was still being worked through when B was answered"
    );
    // B's press is answered before its screen: B's answer is one of those before.
    assert_eq!(
        answers_before + answers_after,
        301,
        "every press answered once"
    );
    app.assert_clean();
}

#[tokio::test]
async fn fairness_a_text_burst_over_the_limit_costs_nothing() {
    // 20 texts a minute (the default); the update limit is out of the way.
    let app = spawn(&[], Duration::from_secs(60)).await;
    let a = app.person(A, "Anna", "en");
    a.sends("/menu").await;
    // What one admitted text costs in Bot API calls.
    let before = calls(&app).len();
    a.sends("hello").await;
    let one_text = calls(&app).len() - before;
    assert!(one_text > 0);

    let before = calls(&app).len();
    let mut last = 0;
    for i in 0..40 {
        last = app.fake.send_text(A, &format!("hello {i}"));
    }
    app.handled(last).await;
    let burst_calls = calls(&app).len() - before;
    // 19 more texts fit the minute; the 21 dropped cost no call at all.
    assert_eq!(
        burst_calls,
        19 * one_text,
        "only the admitted texts cost calls"
    );
    app.assert_clean();
}

/// At most 10 updates in 10 s per person (the lowest the config allows).
fn ten_per_10s() -> [(&'static str, String); 1] {
    [("FLOOD_LIMIT", "10".to_owned())]
}

#[tokio::test]
async fn fairness_a_press_burst_over_the_limit_costs_only_the_answers() {
    press_burst(spawn(&ten_per_10s(), Duration::from_secs(60)).await).await;
}

#[tokio::test]
async fn fairness_a_press_burst_over_the_limit_costs_only_the_answers_production_stack() {
    let stack = Stack::Production;
    if let Some(app) = spawn_on(stack, &ten_per_10s(), Duration::from_secs(60)).await {
        press_burst(app).await;
    }
}

async fn press_burst(app: TestApp) {
    let a = app.person(A, "Anna", "en");
    let home = a.sends("/menu").await;
    // What one admitted press of stale data costs: its answer, and the main menu.
    let before = calls(&app).len();
    let update = app.fake.press_on(A, home.message_id, "garbage");
    app.handled(update).await;
    let one_press = calls(&app).len() - before;

    let before = calls(&app).len();
    let mut last = 0;
    for _ in 0..30 {
        last = app.fake.press_on(A, home.message_id, "garbage");
    }
    app.handled(last).await;
    let burst = &calls(&app)[before..];
    let answers: Vec<&RequestRecord> = burst
        .iter()
        .filter(|r| r.method == "answerCallbackQuery")
        .collect();
    assert_eq!(answers.len(), 30, "every press answered once");
    let admitted = answers
        .iter()
        .filter(|r| r.params.get("text").is_some())
        .count();
    let dropped = answers.len() - admitted;
    // 8 are left of the 10 (more only if the 10 s window turned over meanwhile).
    assert!(dropped >= 20, "{admitted} admitted, {dropped} dropped");
    let other_calls = burst.len() - answers.len();
    assert_eq!(
        other_calls,
        admitted * (one_press - 1),
        "a dropped press costs its answer and nothing else"
    );
    app.assert_clean();
}
