//! The error boundary around each update: a panic or a time-out inside the bot
//! becomes an apology to the person, never silence.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use domain::content::ContentPack;
use domain::ids::{ChatId, UserId};
use engine::ports::{StateError, StateStore, SystemClock, UserProfile};
use engine::{Action, ActivityRecorder, Engine, Inbound, Input};
use telegram::dispatch::handle_bounded;

/// A state store that panics, or hangs, on the first thing the pipeline does.
struct Broken {
    hang: bool,
}

#[async_trait]
impl StateStore for Broken {
    async fn get(&self, _: &str) -> Result<Option<String>, StateError> {
        Ok(None)
    }
    async fn put(&self, _: &str, _: &str, _: Duration) -> Result<(), StateError> {
        Ok(())
    }
    async fn delete(&self, _: &str) -> Result<(), StateError> {
        Ok(())
    }
    async fn claim(&self, _: &str, _: Duration) -> Result<bool, StateError> {
        Ok(true)
    }
    async fn incr(&self, _: &str, _: Duration) -> Result<i64, StateError> {
        Ok(1)
    }
    /// The update's claim, the pipeline's first step.
    async fn lease(&self, _: &str, _: &str, _: Duration) -> Result<bool, StateError> {
        if self.hang {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        panic!("a bug deep inside the bot");
    }
    async fn release(&self, _: &str, _: &str) -> Result<bool, StateError> {
        Ok(true)
    }
    async fn ping(&self) -> Result<(), StateError> {
        Ok(())
    }
}

async fn engine(hang: bool) -> Engine {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../content");
    let pack = Arc::new(ContentPack::load(&dir).unwrap());
    let storage = storage::testing::fresh_sqlite().await.unwrap().ports();
    let (activity, _writer) =
        ActivityRecorder::spawn(storage.people.clone(), 10, Duration::from_secs(1));
    Engine::new(
        pack,
        storage,
        Arc::new(Broken { hang }),
        Arc::new(SystemClock),
        activity,
    )
}

fn inbound(input: Input) -> Inbound {
    Inbound {
        update_id: 1,
        chat: ChatId(5),
        private_chat: true,
        from: Some(UserProfile {
            id: UserId(5),
            first_name: "A".into(),
            last_name: None,
            username: None,
            language_code: Some("en".into()),
        }),
        message_id: Some(1),
        input,
    }
}

#[tokio::test]
async fn a_panic_becomes_an_apology() {
    let engine = engine(false).await;
    let actions = handle_bounded(
        &engine,
        inbound(Input::Text("hi".into())),
        Duration::from_secs(5),
    )
    .await;
    let [Action::Send { text, .. }] = actions.as_slice() else {
        panic!("{actions:?}")
    };
    assert!(text.as_str().starts_with("Something went wrong"), "{text}");
    let press = Input::Callback {
        query_id: "q".into(),
        data: Some("1h".into()),
        message: None,
    };
    let actions = handle_bounded(&engine, inbound(press), Duration::from_secs(5)).await;
    assert!(
        matches!(actions.as_slice(), [Action::AnswerCallback { text: Some(t), .. }] if t.starts_with("Something went wrong")),
        "{actions:?}"
    );
}

#[tokio::test]
async fn an_update_over_its_time_limit_becomes_an_apology() {
    let engine = engine(true).await;
    let actions = handle_bounded(
        &engine,
        inbound(Input::Text("hi".into())),
        Duration::from_millis(200),
    )
    .await;
    let [Action::Send { text, .. }] = actions.as_slice() else {
        panic!("{actions:?}")
    };
    assert!(text.as_str().starts_with("Something went wrong"), "{text}");
}
