//! Where an update is marked handled among its answer's actions (ADR 0037): after
//! what a repeat would not show, before the first new message. And what the
//! screen ledger (ADR 0041) keeps of an edit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use domain::callback::Callback;
use domain::html::Html;
use domain::ids::ChatId;
use engine::{Action, Button, Keyboard, Marked};
use fake_telegram::{FakeConfig, FakeTelegram, TestUser};
use telegram::outbound::Outbound;

const PERSON: i64 = 6_300_000_001;

async fn outbound() -> (FakeTelegram, Outbound) {
    let fake = FakeTelegram::start(FakeConfig::default()).await.unwrap();
    fake.add_user(TestUser::new(PERSON, "Person").language("en"));
    let storage = storage::testing::fresh_sqlite().await.unwrap().ports();
    let bot = telegram::bot(&fake.token(), &fake.api_url().parse().unwrap());
    (fake, Outbound::new(bot, storage))
}

fn send(text: &str) -> Action {
    Action::Send {
        chat: ChatId(PERSON),
        text: Html::escape(text),
        keyboard: None,
    }
}

/// Runs `actions`, noting the Bot API methods called before the mark, and where
/// it was.
async fn methods_before_the_mark(actions: Vec<Action>) -> (Vec<String>, usize, Marked) {
    let (fake, outbound) = outbound().await;
    let seen = Arc::new(Mutex::new(None));
    let mark = |marked| {
        let (fake, seen) = (fake.clone(), seen.clone());
        async move {
            *seen.lock().unwrap() = Some((fake.requests().len(), marked));
        }
    };
    outbound.execute_marking(actions, mark).await;
    let (before, marked) = seen.lock().unwrap().expect("the mark ran");
    let methods = fake
        .requests()
        .into_iter()
        .map(|r| r.method)
        .collect::<Vec<_>>();
    (methods, before, marked)
}

#[tokio::test]
async fn the_mark_comes_before_the_first_new_message() {
    let delete = Action::Delete {
        chat: ChatId(PERSON),
        message_id: 999,
    };
    let (methods, before, marked) =
        methods_before_the_mark(vec![delete, send("first"), send("second")]).await;
    assert_eq!(methods.len(), 3, "{methods:?}");
    assert_eq!(
        before, 1,
        "only the deletion precedes the mark: {methods:?}"
    );
    assert_eq!(marked, Marked::BeforeMessage);
}

#[tokio::test]
async fn with_no_new_message_the_mark_comes_last() {
    let delete = |id| Action::Delete {
        chat: ChatId(PERSON),
        message_id: id,
    };
    let (methods, before, marked) = methods_before_the_mark(vec![delete(998), delete(999)]).await;
    assert_eq!(methods.len(), 2, "{methods:?}");
    assert_eq!(before, 2, "{methods:?}");
    assert_eq!(marked, Marked::AfterAll);
}

#[tokio::test]
async fn an_edit_that_takes_the_buttons_away_is_remembered() {
    let (fake, outbound) = outbound().await;
    let menu = Keyboard::default().row(vec![Button::new("Home", Callback::Home)]);
    outbound
        .execute(vec![Action::Send {
            chat: ChatId(PERSON),
            text: Html::escape("Menu"),
            keyboard: Some(menu.clone()),
        }])
        .await;
    let message_id = fake.last_bot_message(PERSON).expect("the menu").message_id;
    let edit = |text: &str, keyboard: Option<Keyboard>| Action::Edit {
        chat: ChatId(PERSON),
        message_id,
        text: Html::escape(text),
        keyboard,
    };
    outbound.execute(vec![edit("Done", None)]).await;
    outbound.execute(vec![edit("Menu", Some(menu))]).await;
    let shown = fake.last_bot_message(PERSON).expect("the menu");
    assert_eq!(
        shown.text.as_deref(),
        Some("Menu"),
        "the menu was not shown again"
    );
    assert!(!shown.keyboard.is_empty(), "{shown:?}");
}
