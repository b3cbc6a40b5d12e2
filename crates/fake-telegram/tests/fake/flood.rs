//! Optional flood control: off by default; with it on, bursts and the global rate get
//! 429 + retry_after, waiting is honoured, and retrying early is recorded and refused.

use std::time::Duration;

use fake_telegram::{FakeConfig, FloodControl, TestUser};
use serde_json::{Value, json};

use crate::helpers::{ALICE, BOB, Harness};

/// Small, test-friendly limits: bursts of 3 per chat refilling at 5/s, a generous global
/// bucket, retry_after 1 s.
fn per_chat_limits() -> FloodControl {
    FloodControl {
        per_chat_per_second: 5.0,
        per_chat_burst: 3,
        global_per_second: 1000.0,
        global_burst: 1000,
        retry_after_secs: 1,
    }
}

async fn flooded(flood: FloodControl) -> Harness {
    Harness::with_config(FakeConfig {
        flood_control: Some(flood),
        ..FakeConfig::default()
    })
    .await
}

fn text(chat_id: i64, text: &str) -> Value {
    json!({"chat_id": chat_id, "text": text})
}

fn too_many(retry_after: u64) -> Value {
    json!({
        "ok": false,
        "error_code": 429,
        "description": format!("Too Many Requests: retry after {retry_after}"),
        "parameters": {"retry_after": retry_after},
    })
}

/// Sends the per-chat burst into `chat` (all must succeed), then one more that must be
/// refused; returns the refusal's retry_after.
async fn exhaust_chat(h: &Harness, chat: i64) -> u64 {
    for i in 0..3 {
        h.ok("sendMessage", text(chat, &format!("burst {i}"))).await;
    }
    let (status, envelope) = h.call("sendMessage", text(chat, "one too many")).await;
    assert_eq!(status, 429, "{envelope}");
    assert_eq!(envelope, too_many(1));
    envelope["parameters"]["retry_after"].as_u64().unwrap()
}

#[tokio::test]
async fn off_by_default() {
    let h = Harness::start().await;
    for i in 0..100 {
        let (status, envelope) = h.call("sendMessage", text(ALICE, &format!("m{i}"))).await;
        assert_eq!(status, 200, "send {i} answered {envelope}");
    }
    assert_eq!(h.fake.flood_refusals(), 0);
    assert!(h.fake.retry_after_ignored().is_empty());
    assert_eq!(h.fake.messages(ALICE).len(), 100);
    // Successful sends are timed even with flood control off.
    let sent = h.fake.sent_times();
    assert_eq!(sent.len(), 100);
    assert!(sent.iter().all(|(chat, _)| *chat == ALICE));
}

#[tokio::test]
async fn a_burst_into_one_chat_is_refused_and_not_applied() {
    let h = flooded(per_chat_limits()).await;
    exhaust_chat(&h, ALICE).await;
    assert_eq!(h.fake.flood_refusals(), 1);
    assert_eq!(
        h.fake.messages(ALICE).len(),
        3,
        "the refused send was applied"
    );
    assert!(h.fake.violations().is_empty(), "{:?}", h.fake.violations());
    // The first refusal told the bot to wait; it has not retried yet.
    assert!(h.fake.retry_after_ignored().is_empty());
    // Other chats have their own bucket.
    h.ok("sendMessage", text(BOB, "hello Bob")).await;
    assert_eq!(h.fake.sent_times().len(), 4);
}

#[tokio::test]
async fn waiting_exactly_retry_after_succeeds_and_records_nothing() {
    let h = flooded(per_chat_limits()).await;
    let retry_after = exhaust_chat(&h, ALICE).await;
    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    h.ok("sendMessage", text(ALICE, "after waiting")).await;
    h.ok(
        "editMessageText",
        json!({"chat_id": ALICE, "message_id": 1, "text": "edited after waiting"}),
    )
    .await;
    assert!(
        h.fake.retry_after_ignored().is_empty(),
        "{:?}",
        h.fake.retry_after_ignored()
    );
    assert_eq!(h.fake.flood_refusals(), 1);
    assert_eq!(h.fake.messages(ALICE).len(), 4);
}

#[tokio::test]
async fn retrying_early_is_recorded_and_refused() {
    let h = flooded(per_chat_limits()).await;
    exhaust_chat(&h, ALICE).await;
    // Long enough for the chat's bucket to earn a token again (5/s), still well before
    // the 1 s the 429 named: only the retry_after makes these early.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let (status, envelope) = h.call("sendMessage", text(ALICE, "too early")).await;
    assert_eq!(status, 429, "{envelope}");
    assert_eq!(envelope, too_many(1));
    let (status, envelope) = h
        .call(
            "editMessageText",
            json!({"chat_id": ALICE, "message_id": 1, "text": "edit too early"}),
        )
        .await;
    assert_eq!(status, 429, "{envelope}");

    // Another chat is not waiting: not an ignored retry.
    h.ok("sendMessage", text(BOB, "hello Bob")).await;

    let ignored = h.fake.retry_after_ignored();
    assert_eq!(ignored.len(), 2, "{ignored:?}");
    assert_eq!(ignored[0].method, "sendMessage");
    assert_eq!(ignored[1].method, "editMessageText");
    for retry in &ignored {
        assert_eq!(retry.chat_id, Some(ALICE));
        assert!(
            retry.early_by > Duration::ZERO && retry.early_by <= Duration::from_millis(700),
            "{retry:?}"
        );
    }
    assert!(ignored[1].early_by <= ignored[0].early_by);
    assert_eq!(h.fake.flood_refusals(), 3);
    assert_eq!(
        h.fake.messages(ALICE).len(),
        3,
        "an early retry was applied"
    );
    assert_eq!(h.fake.messages(ALICE)[0].text.as_deref(), Some("burst 0"));
    assert!(h.fake.violations().is_empty());
}

#[tokio::test]
async fn forty_chats_at_once_hit_the_global_limit() {
    let h = flooded(FloodControl {
        per_chat_per_second: 5.0,
        per_chat_burst: 3,
        global_per_second: 1.0,
        global_burst: 20,
        retry_after_secs: 1,
    })
    .await;
    let chats: Vec<i64> = (1..=40).map(|i| 7_000_000_000 + i).collect();
    for &chat in &chats {
        h.fake.add_user(TestUser::new(chat, format!("User {chat}")));
    }
    let mut statuses = Vec::new();
    for &chat in &chats {
        let (status, envelope) = h.call("sendMessage", text(chat, "broadcast")).await;
        if status == 429 {
            assert_eq!(envelope["error_code"], 429);
            assert_eq!(envelope["parameters"]["retry_after"], 1, "{envelope}");
        } else {
            assert_eq!(status, 200, "{envelope}");
        }
        statuses.push(status);
    }
    // The global bucket (20, refilling at 1/s) admits the first 20 (one more if the
    // requests were very slow); once the first 429 arrives, everything after it is
    // refused too. Those were first tries at other chats, which a sender with several
    // requests in flight cannot help: only a retry to a refused chat before the wait
    // ends ignores the 429.
    let sent = statuses.iter().take_while(|&&s| s == 200).count();
    assert!((20..=21).contains(&sent), "{statuses:?}");
    assert!(statuses[sent..].iter().all(|&s| s == 429), "{statuses:?}");
    assert_eq!(h.fake.flood_refusals(), 40 - sent);
    assert!(h.fake.retry_after_ignored().is_empty());
    let (status, _) = h.call("sendMessage", text(chats[sent + 5], "again")).await;
    assert_eq!(status, 429);
    let ignored = h.fake.retry_after_ignored();
    assert_eq!(ignored.len(), 1, "{ignored:?}");
    assert!(ignored.iter().all(|i| i.chat_id.is_none()), "{ignored:?}");
    assert_eq!(h.fake.sent_times().len(), sent);
    let delivered = chats
        .iter()
        .filter(|&&chat| !h.fake.messages(chat).is_empty())
        .count();
    assert_eq!(delivered, sent);
}

#[tokio::test]
async fn non_sending_methods_are_never_limited() {
    let h = flooded(FloodControl {
        per_chat_per_second: 5.0,
        per_chat_burst: 1,
        global_per_second: 1.0,
        global_burst: 1,
        retry_after_secs: 1,
    })
    .await;
    let menu = h.send_menu(ALICE, "Menu", &[("A", "a")]).await;
    // The global bucket is empty and a global 429 is in force.
    let (status, envelope) = h.call("sendMessage", text(BOB, "refused")).await;
    assert_eq!(status, 429, "{envelope}");
    assert_eq!(h.fake.flood_refusals(), 1);

    for _ in 0..10 {
        h.fake.press_on(ALICE, menu, "a");
    }
    let updates = h.poll().await;
    assert_eq!(updates.len(), 10);
    for update in &updates {
        let id = update["callback_query"]["id"].as_str().unwrap();
        h.ok("answerCallbackQuery", json!({"callback_query_id": id}))
            .await;
    }
    h.ok("getMe", json!({})).await;
    h.ok(
        "setMyCommands",
        json!({"commands": [{"command": "start", "description": "Start"}]}),
    )
    .await;
    h.ok(
        "deleteMessage",
        json!({"chat_id": ALICE, "message_id": menu}),
    )
    .await;
    assert_eq!(h.fake.flood_refusals(), 1);
    assert!(h.fake.retry_after_ignored().is_empty());
    assert!(h.fake.unanswered_callbacks().is_empty());
}

#[tokio::test]
async fn replies_to_someone_using_the_bot_are_not_bulk() {
    let h = flooded(FloodControl {
        per_chat_per_second: 1.0,
        per_chat_burst: 5,
        global_per_second: 0.01,
        global_burst: 1,
        retry_after_secs: 1,
    })
    .await;
    let (busy, quiet, other) = (7_100_000_001, 7_100_000_002, 7_100_000_003);
    for chat in [busy, quiet, other] {
        h.fake.add_user(TestUser::new(chat, "U"));
    }
    h.fake.send_text(busy, "/menu");
    // Replies to the person who just wrote take no bot-wide tokens…
    for n in 0..3 {
        let (status, envelope) = h
            .call("sendMessage", text(busy, &format!("reply {n}")))
            .await;
        assert_eq!(status, 200, "{envelope}");
    }
    // …so the one bulk token is still there for a chat nobody is using, and then
    // the bulk limit holds.
    assert_eq!(h.call("sendMessage", text(quiet, "news")).await.0, 200);
    assert_eq!(h.call("sendMessage", text(other, "news")).await.0, 429);
    // The per-chat limit still applies to replies.
    let statuses: Vec<u16> = statuses_of_sends(&h, busy, 3).await;
    assert!(statuses.contains(&429), "{statuses:?}");
}

async fn statuses_of_sends(h: &Harness, chat: i64, n: usize) -> Vec<u16> {
    let mut out = Vec::new();
    for i in 0..n {
        out.push(
            h.call("sendMessage", text(chat, &format!("more {i}")))
                .await
                .0,
        );
    }
    out
}
