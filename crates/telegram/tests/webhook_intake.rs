//! The webhook intake with the real engine, dispatcher and Bot API client against
//! fake-telegram, and an in-memory state store shared with "another replica":
//! the chat's lease decides who handles an update, and what the webhook answers.
//! The bounds are short here; nothing asserts a duration.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use domain::callback::Callback;
use domain::content::ContentPack;
use engine::ports::{StateError, StateStore, StoragePorts, SystemClock};
use engine::{ActivityRecorder, Engine};
use fake_telegram::{FakeConfig, FakeTelegram, MessageView, TestUser};
use serde_json::json;
use state::MemoryState;
use telegram::dispatch::{DispatchSettings, Dispatcher};
use telegram::outbound::Outbound;
use telegram::webhook::{Intake, IntakeSettings, Taken, parse_update};
use teloxide::types::Update;

const A: i64 = 6_200_000_001;
const B: i64 = 6_200_000_002;
const PATIENCE: Duration = Duration::from_secs(30);
const LONG: Duration = Duration::from_secs(60);

struct Rig {
    fake: FakeTelegram,
    storage: StoragePorts,
    state: Arc<MemoryState>,
    intake: Arc<Intake>,
}

/// The state store of a Redis that is down: every call fails.
struct Down;

#[async_trait::async_trait]
impl StateStore for Down {
    async fn get(&self, _: &str) -> Result<Option<String>, StateError> {
        Err(down())
    }
    async fn put(&self, _: &str, _: &str, _: Duration) -> Result<(), StateError> {
        Err(down())
    }
    async fn delete(&self, _: &str) -> Result<(), StateError> {
        Err(down())
    }
    async fn claim(&self, _: &str, _: Duration) -> Result<bool, StateError> {
        Err(down())
    }
    async fn incr(&self, _: &str, _: Duration) -> Result<i64, StateError> {
        Err(down())
    }
    async fn lease(&self, _: &str, _: &str, _: Duration) -> Result<bool, StateError> {
        Err(down())
    }
    async fn release(&self, _: &str, _: &str) -> Result<bool, StateError> {
        Err(down())
    }
    async fn ping(&self) -> Result<(), StateError> {
        Err(down())
    }
}

fn down() -> StateError {
    StateError::Unavailable("Redis is down".into())
}

async fn rig(settings: IntakeSettings) -> Rig {
    rig_on(settings, None).await
}

/// A rig whose engine and intake use `state` instead of the rig's memory store.
async fn rig_on(settings: IntakeSettings, state: Option<Arc<dyn StateStore>>) -> Rig {
    let fake = FakeTelegram::start(FakeConfig::default()).await.unwrap();
    for id in [A, B] {
        fake.add_user(TestUser::new(id, "Person").language("en"));
    }
    let storage = storage::testing::fresh_sqlite().await.unwrap().ports();
    let memory = Arc::new(MemoryState::new());
    let state: Arc<dyn StateStore> = state.unwrap_or_else(|| memory.clone());
    let intake = replica(&fake, &storage, state, settings);
    Rig {
        fake,
        storage,
        state: memory,
        intake,
    }
}

/// One replica of the bot on `storage`, `state` and `fake`: its own engine and
/// its own Bot API client (so its own record of what each chat's screens show).
fn replica(
    fake: &FakeTelegram,
    storage: &StoragePorts,
    state: Arc<dyn StateStore>,
    settings: IntakeSettings,
) -> Arc<Intake> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../content");
    let pack = Arc::new(ContentPack::load(&dir).unwrap());
    let (activity, _writer) =
        ActivityRecorder::spawn(storage.people.clone(), 10, Duration::from_secs(1));
    let engine = Engine::new(
        pack,
        storage.clone(),
        state.clone(),
        Arc::new(SystemClock),
        activity,
    );
    let bot = telegram::bot(&fake.token(), &fake.api_url().parse().unwrap());
    let dispatcher = Dispatcher::new(
        Arc::new(engine),
        Arc::new(Outbound::new(bot, storage.clone())),
        DispatchSettings::default(),
    );
    Arc::new(Intake::new(dispatcher, state, settings))
}

fn short() -> IntakeSettings {
    IntakeSettings {
        lease_wait: Duration::from_millis(200),
        handle_wait: PATIENCE,
        lease_ttl: LONG,
    }
}

fn menu(update_id: i64, user: i64) -> Update {
    let body = json!({
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_700_000_000,
            "chat": { "id": user, "type": "private", "first_name": "Person" },
            "from": { "id": user, "is_bot": false, "first_name": "Person", "language_code": "en" },
            "text": "/menu",
        }
    });
    parse_update(&serde_json::to_vec(&body).unwrap()).expect("an update")
}

fn sends_to(fake: &FakeTelegram, chat: i64) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.method == "sendMessage" && r.params["chat_id"] == chat)
        .count()
}

async fn take(rig: &Rig, update: Update) -> Taken {
    take_on(&rig.intake, update).await
}

async fn take_on(intake: &Intake, update: Update) -> Taken {
    tokio::time::timeout(PATIENCE, intake.take(update))
        .await
        .expect("the intake answers")
}

/// `user` pressing the button with `data` on `message` as it looked when
/// pressed: update `update_id`, its query known to Telegram.
fn press(
    fake: &FakeTelegram,
    update_id: i64,
    user: i64,
    message: &MessageView,
    data: &str,
) -> Update {
    let chat = json!({ "id": user, "type": "private", "first_name": "Person" });
    let mut pressed = json!({
        "message_id": message.message_id,
        "date": 1_700_000_000,
        "chat": chat,
        "text": message.text,
    });
    if let Some(edited) = message.edit_date {
        pressed["edit_date"] = edited.into();
    }
    let query = json!({
        "id": format!("q{update_id}"),
        "from": { "id": user, "is_bot": false, "first_name": "Person", "language_code": "en" },
        "message": pressed,
        "chat_instance": "-1",
        "data": data,
    });
    fake.push_raw_update(json!({ "callback_query": query }));
    let body = json!({ "update_id": update_id, "callback_query": query });
    parse_update(&serde_json::to_vec(&body).unwrap()).expect("an update")
}

#[tokio::test]
async fn a_chat_leased_by_another_replica_is_given_back_and_handled_once_free() {
    let rig = rig(short()).await;
    let key = format!("lease:chat:{A}");
    assert!(rig.state.lease(&key, "other-replica", LONG).await.unwrap());

    assert_eq!(take(&rig, menu(1, A)).await, Taken::Busy);
    assert_eq!(
        sends_to(&rig.fake, A),
        0,
        "not handled while leased elsewhere"
    );
    // Another chat is not held up by A's lease.
    assert_eq!(take(&rig, menu(2, B)).await, Taken::Handled);
    assert_eq!(sends_to(&rig.fake, B), 1);

    // The other replica finishes; Telegram delivers update 1 again.
    assert!(rig.state.release(&key, "other-replica").await.unwrap());
    assert_eq!(take(&rig, menu(1, A)).await, Taken::Handled);
    assert_eq!(sends_to(&rig.fake, A), 1);
    // The lease is free again once handled.
    assert_eq!(rig.state.get(&key).await.unwrap(), None);
    // A third delivery of the same update is acknowledged and not handled again.
    assert_eq!(take(&rig, menu(1, A)).await, Taken::Handled);
    assert_eq!(sends_to(&rig.fake, A), 1);
}

#[tokio::test]
async fn a_slow_update_is_given_back_and_keeps_its_chat_leased_until_done() {
    let lease_ttl = Duration::from_millis(300);
    let rig = rig(IntakeSettings {
        handle_wait: Duration::from_millis(200),
        lease_ttl,
        ..short()
    })
    .await;
    rig.fake.hold("sendMessage");
    assert_eq!(take(&rig, menu(1, A)).await, Taken::Slow);
    // Still running, well past its lease's first expiry (the holder renews it):
    // the chat's next update must wait, and is given back.
    tokio::time::sleep(lease_ttl * 3).await;
    assert_eq!(take(&rig, menu(2, A)).await, Taken::Busy);
    rig.fake.release("sendMessage");
    // Once it finishes, its chat's lease is released and the next update goes
    // through.
    let key = format!("lease:chat:{A}");
    tokio::time::timeout(PATIENCE, async {
        while rig.state.get(&key).await.unwrap().is_some() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the lease is released when the slow update finishes");
    assert_eq!(take(&rig, menu(2, A)).await, Taken::Handled);
    assert_eq!(sends_to(&rig.fake, A), 2);
}

#[tokio::test]
async fn an_update_whose_replica_died_half_way_is_handled_by_the_next() {
    let rig = rig(IntakeSettings {
        lease_wait: Duration::from_secs(5),
        ..short()
    })
    .await;
    // A replica took update 1 (its chat's lease and the update's claim) and was
    // killed before answering: its lease runs out, its claim stays unfinished.
    let key = format!("lease:chat:{A}");
    assert!(
        rig.state
            .lease(&key, "killed-replica", Duration::from_millis(300))
            .await
            .unwrap()
    );
    assert!(rig.state.lease("upd:1", "working", LONG).await.unwrap());

    // Telegram delivers it again: it waits for the chat, then is answered.
    assert_eq!(take(&rig, menu(1, A)).await, Taken::Handled);
    assert_eq!(sends_to(&rig.fake, A), 1);
    // Answered, it is finished: a further delivery is not handled again.
    assert_eq!(take(&rig, menu(1, A)).await, Taken::Handled);
    assert_eq!(sends_to(&rig.fake, A), 1);
}

#[tokio::test]
async fn with_the_state_store_down_updates_are_handled_without_their_chats_lease() {
    let rig = rig_on(short(), Some(Arc::new(Down))).await;
    assert_eq!(take(&rig, menu(1, A)).await, Taken::Unleased);
    assert_eq!(take(&rig, menu(2, A)).await, Taken::Unleased);
    assert_eq!(sends_to(&rig.fake, A), 2, "both answered, in order");
}

#[tokio::test]
async fn updates_of_no_use_are_acknowledged_unhandled_and_garbage_is_no_update() {
    let rig = rig(short()).await;
    let edited = json!({
        "update_id": 5,
        "edited_message": {
            "message_id": 1, "date": 1_700_000_000, "edit_date": 1_700_000_001,
            "chat": { "id": A, "type": "private", "first_name": "Person" },
            "from": { "id": A, "is_bot": false, "first_name": "Person" },
            "text": "edited",
        }
    });
    let update = parse_update(&serde_json::to_vec(&edited).unwrap()).expect("an update");
    // Dropped on arrival: nothing to do, so done (Telegram may forget it).
    assert_eq!(take(&rig, update).await, Taken::Handled);
    assert_eq!(
        rig.state.get(&format!("lease:chat:{A}")).await.unwrap(),
        None
    );
    for garbage in [
        &b""[..],
        b"null",
        b"{}",
        b"{\"update_id\": -1.5}",
        b"\xff\xfe",
    ] {
        assert!(parse_update(garbage).is_none(), "{garbage:?}");
    }
    assert_eq!(sends_to(&rig.fake, A), 0);
}

#[tokio::test]
async fn after_a_stop_updates_are_given_back_and_their_chats_left_free() {
    let rig = rig(short()).await;
    assert_eq!(take(&rig, menu(1, A)).await, Taken::Handled);
    rig.intake.stop().await;
    assert_eq!(take(&rig, menu(2, B)).await, Taken::Stopping);
    assert_eq!(
        sends_to(&rig.fake, B),
        0,
        "not handled by a stopping replica"
    );
    assert_eq!(
        rig.state.get(&format!("lease:chat:{B}")).await.unwrap(),
        None,
        "the next replica can take the chat at once"
    );
}

/// A double tap whose two presses reach two replicas: what the first drew
/// travels with the chat's lease, so the second knows the menu already shows
/// the screen it would draw and sends no edit Telegram refuses ("message is
/// not modified"), for every button of the menu.
#[tokio::test]
async fn a_double_tap_split_over_two_replicas_costs_no_refused_call() {
    let rig = rig(short()).await;
    let other = replica(&rig.fake, &rig.storage, rig.state.clone(), short());
    let mut update = 1;
    assert_eq!(take(&rig, menu(update, A)).await, Taken::Handled);
    let home = rig.fake.last_bot_message(A).expect("the main menu");
    let buttons: Vec<String> = home
        .keyboard
        .iter()
        .flatten()
        .filter_map(|b| b.callback_data.clone())
        .collect();
    assert!(buttons.len() > 2, "{home:?}");
    for data in &buttons {
        update += 1;
        assert_eq!(take(&rig, menu(update, A)).await, Taken::Handled);
        let shown = rig.fake.last_bot_message(A).expect("a fresh main menu");
        for intake in [&rig.intake, &other] {
            update += 1;
            let tap = press(&rig.fake, update, A, &shown, data);
            assert_eq!(take_on(intake, tap).await, Taken::Handled);
        }
    }
    let refused: Vec<String> = rig
        .fake
        .requests()
        .into_iter()
        .filter(|r| !r.ok)
        .map(|r| format!("{} {}", r.method, r.params))
        .collect();
    assert!(refused.is_empty(), "refused Bot API calls: {refused:#?}");
    assert!(rig.fake.unanswered_callbacks().is_empty());
}

/// A replica that could not reach the state store edits a chat's menu without
/// its lease, so the account of the chat's screens left in the store misses that
/// edit. The next replica must not trust it: the press says when Telegram last
/// edited the message, later than the account knows, and the edit the press asks
/// for is made (before, it was skipped as "already shown" and the menu stayed).
#[tokio::test]
async fn an_edit_made_without_the_lease_is_not_undone_by_an_older_account() {
    let rig = rig(short()).await;
    let cut_off = replica(&rig.fake, &rig.storage, Arc::new(Down), short());
    assert_eq!(take(&rig, menu(1, A)).await, Taken::Handled);
    let home = rig.fake.last_bot_message(A).expect("the main menu");
    let section = home.keyboard[0][0].callback_data.clone().unwrap();
    let tap = press(&rig.fake, 2, A, &home, &section);
    assert_eq!(take(&rig, tap).await, Taken::Handled);
    let opened = rig.fake.last_bot_message(A).unwrap();
    assert_ne!(opened.text, home.text, "the section is shown");
    // Telegram dates edits in whole seconds: the next one must be dated later.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let tap = press(&rig.fake, 3, A, &opened, &Callback::Home.encode());
    assert_eq!(take_on(&cut_off, tap).await, Taken::Unleased);
    let back = rig.fake.last_bot_message(A).unwrap();
    assert_eq!(back.text, home.text, "back at the main menu");
    let tap = press(&rig.fake, 4, A, &back, &section);
    assert_eq!(take(&rig, tap).await, Taken::Handled);
    let now = rig.fake.last_bot_message(A).unwrap();
    assert_eq!(now.message_id, home.message_id);
    assert_eq!(now.text, opened.text, "the section is shown again");
    assert!(rig.fake.unanswered_callbacks().is_empty());
}
