//! The dispatcher with the real engine (in-memory state, in-memory SQLite) and the
//! real Bot API client against fake-telegram: per-chat order, chats independent of
//! each other, the bounded backlog, and what a stop leaves for the next process.
//! Ordering is read from the fake's request log; nothing asserts a duration.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use domain::content::ContentPack;
use domain::ids::{ChatId, UserId};
use engine::ports::{SystemClock, UserProfile};
use engine::{ActivityRecorder, Engine, Inbound, Input};
use fake_telegram::{FakeConfig, FakeTelegram, TestUser};
use state::MemoryState;
use telegram::dispatch::{DispatchSettings, Dispatcher};
use telegram::outbound::Outbound;

const A: i64 = 6_100_000_001;
const B: i64 = 6_100_000_002;
const PATIENCE: Duration = Duration::from_secs(30);

struct Rig {
    fake: FakeTelegram,
    dispatcher: Dispatcher,
}

async fn rig(max_backlog: usize) -> Rig {
    let fake = FakeTelegram::start(FakeConfig::default()).await.unwrap();
    for id in [A, B] {
        fake.add_user(TestUser::new(id, "Person").language("en"));
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../content");
    let pack = Arc::new(ContentPack::load(&dir).unwrap());
    let storage = storage::testing::fresh_sqlite().await.unwrap().ports();
    let (activity, _writer) =
        ActivityRecorder::spawn(storage.people.clone(), 10, Duration::from_secs(1));
    let engine = Engine::new(
        pack,
        storage.clone(),
        Arc::new(MemoryState::new()),
        Arc::new(SystemClock),
        activity,
    );
    let bot = telegram::bot(&fake.token(), &fake.api_url().parse().unwrap());
    let dispatcher = Dispatcher::new(
        Arc::new(engine),
        Arc::new(Outbound::new(bot, storage)),
        DispatchSettings {
            max_in_flight: 8,
            max_backlog,
        },
    );
    Rig { fake, dispatcher }
}

fn command(update_id: i64, chat: i64, name: &str) -> Inbound {
    Inbound {
        update_id,
        chat: ChatId(chat),
        private_chat: true,
        from: Some(UserProfile {
            id: UserId(chat),
            first_name: "Person".into(),
            last_name: None,
            username: None,
            language_code: Some("en".into()),
        }),
        message_id: Some(update_id),
        input: Input::Command {
            name: name.into(),
            args: String::new(),
        },
    }
}

/// The bot's messages to `chat`, in the order the fake answered them.
fn sends_to(fake: &FakeTelegram, chat: i64) -> Vec<usize> {
    fake.requests()
        .iter()
        .enumerate()
        .filter(|(_, r)| r.method == "sendMessage" && r.params["chat_id"] == chat)
        .map(|(i, _)| i)
        .collect()
}

#[tokio::test]
async fn a_slow_chat_keeps_its_order_and_holds_nobody_else() {
    let mut rig = rig(100).await;
    rig.fake.delay_chat(A, Duration::from_millis(300));
    rig.dispatcher.submit(command(1, A, "menu")).await;
    rig.dispatcher.submit(command(2, A, "help")).await;
    rig.dispatcher.submit(command(3, B, "menu")).await;
    rig.fake
        .wait_for(PATIENCE, |f| sends_to(f, A).len() == 2)
        .await
        .unwrap();
    let (a, b) = (sends_to(&rig.fake, A), sends_to(&rig.fake, B));
    assert_eq!(b.len(), 1);
    assert!(
        b[0] < a[0],
        "B, submitted last, was answered before A's first"
    );
    let texts: Vec<String> = rig
        .fake
        .messages(A)
        .into_iter()
        .filter(|m| m.from_bot)
        .map(|m| m.text.unwrap_or_default())
        .collect();
    assert!(
        texts[0].starts_with("Main menu") && texts[1].starts_with("How to use the bot"),
        "A's updates in order: {texts:?}"
    );
    rig.dispatcher.stop().await;
    assert_eq!(rig.dispatcher.lowest_unfinished(0), None, "all finished");
    assert!(rig.fake.violations().is_empty());
}

#[tokio::test]
async fn a_full_backlog_holds_the_source_back() {
    let mut rig = rig(2).await;
    rig.fake.delay_chat(A, Duration::from_millis(200));
    rig.dispatcher.submit(command(1, A, "menu")).await;
    rig.dispatcher.submit(command(2, A, "menu")).await;
    // The backlog is full: this returns only once update 1 has finished.
    rig.dispatcher.submit(command(3, A, "menu")).await;
    assert!(
        !sends_to(&rig.fake, A).is_empty(),
        "an update finished before the third was taken in"
    );
    assert!(
        rig.dispatcher
            .lowest_unfinished(0)
            .is_none_or(|low| low >= 2),
        "update 1 had finished"
    );
    rig.dispatcher.stop().await;
}

#[tokio::test]
async fn a_stop_finishes_what_runs_and_leaves_the_rest_unconfirmed() {
    let mut rig = rig(100).await;
    rig.fake.delay_chat(A, Duration::from_millis(200));
    for id in 1..=10 {
        rig.dispatcher.submit(command(id, A, "menu")).await;
    }
    rig.fake
        .wait_for(PATIENCE, |f| !sends_to(f, A).is_empty())
        .await
        .unwrap();
    rig.dispatcher.stop().await;
    let handled = i64::try_from(sends_to(&rig.fake, A).len()).unwrap();
    assert!(handled < 10, "the queue was not worked through");
    // Everything below the lowest unfinished update was handled, nothing above:
    // the source confirms exactly the handled ones.
    assert_eq!(rig.dispatcher.lowest_unfinished(0), Some(handled + 1));
}

#[tokio::test]
async fn a_stop_finishes_updates_already_confirmed() {
    let mut rig = rig(100).await;
    rig.fake.delay_chat(A, Duration::from_millis(100));
    for id in 1..=5 {
        rig.dispatcher.submit(command(id, A, "menu")).await;
    }
    // The source told Telegram 1-3 were handled (its offset ran ahead of them).
    rig.dispatcher.confirmed_below(4);
    rig.dispatcher.stop().await;
    assert!(sends_to(&rig.fake, A).len() >= 3);
    assert!(
        rig.dispatcher
            .lowest_unfinished(0)
            .is_none_or(|low| low >= 4)
    );
}
