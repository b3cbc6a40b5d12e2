//! Admin login under attack, at the engine: lockouts and their growth, session
//! expiry and logout, a state store that is down. A lock "running out" is its key
//! disappearing from the state store, which these tests do by hand.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use domain::callback::{AdminAction, Callback};
use domain::content::ContentPack;
use domain::ids::{ChatId, UserId};
use engine::ports::{AdminStore, PasswordCheck, StateError, StateStore, SystemClock, UserProfile};
use engine::{Action, ActivityRecorder, CallbackMessage, Engine, Inbound, Input};
use state::MemoryState;

const ADMIN: i64 = 42;
const PASSWORD: &str = "correct horse battery staple";

/// Counts how often the (slow) password check really runs.
#[derive(Default)]
struct CountingCheck(AtomicUsize);

#[async_trait]
impl PasswordCheck for CountingCheck {
    async fn matches(&self, password: &str) -> bool {
        self.0.fetch_add(1, Ordering::SeqCst);
        password == PASSWORD
    }
}

struct Fixture {
    engine: Engine,
    state: Arc<dyn StateStore>,
    storage: storage::SqlStorage,
    checks: Arc<CountingCheck>,
    next: std::cell::Cell<i64>,
}

async fn fixture_with(state: Arc<dyn StateStore>) -> Fixture {
    fixture_idle(state, Duration::from_secs(30 * 60)).await
}

async fn fixture_idle(state: Arc<dyn StateStore>, idle: Duration) -> Fixture {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../content");
    let pack = Arc::new(ContentPack::load(&dir).unwrap());
    let storage = storage::testing::fresh_sqlite().await.unwrap();
    let shared: Arc<dyn engine::ports::Storage> = Arc::new(storage.clone());
    let (activity, _writer) = ActivityRecorder::spawn(shared.clone(), 100, Duration::from_secs(1));
    let checks = Arc::new(CountingCheck::default());
    let engine = Engine::new(pack, shared, state.clone(), Arc::new(SystemClock), activity)
        .with_admins(vec![ADMIN])
        .with_admin_login(checks.clone(), idle);
    Fixture {
        engine,
        state,
        storage,
        checks,
        next: std::cell::Cell::new(1),
    }
}

async fn fixture() -> Fixture {
    fixture_with(Arc::new(MemoryState::new())).await
}

impl Fixture {
    async fn send(&self, from: i64, input: Input) -> Vec<Action> {
        let id = self.next.get();
        self.next.set(id + 1);
        let inbound = Inbound {
            update_id: id,
            chat: ChatId(from),
            private_chat: true,
            from: Some(UserProfile {
                id: UserId(from),
                first_name: "A".into(),
                last_name: None,
                username: None,
                language_code: Some("en".into()),
            }),
            message_id: Some(1000 + id),
            input,
        };
        // As the transport does: flood limits on arrival, then the pipeline.
        match self.engine.arrive(&inbound).await {
            engine::Arrival::Admit => self.engine.handle(inbound).await,
            engine::Arrival::Drop(actions) => actions,
        }
    }

    async fn admin(&self, from: i64) -> Vec<Action> {
        self.send(
            from,
            Input::Command {
                name: "admin".into(),
                args: String::new(),
            },
        )
        .await
    }

    /// Sends a password after /admin; returns the text the bot answers with.
    async fn login(&self, from: i64, password: &str) -> String {
        self.admin(from).await;
        let actions = self.send(from, Input::Text(password.into())).await;
        texts(&actions)
    }

    async fn press(&self, from: i64, action: AdminAction) -> Vec<Action> {
        let input = Input::Callback {
            query_id: format!("q{}", self.next.get()),
            data: Some(Callback::Admin(action).encode()),
            message: Some(CallbackMessage {
                id: 5,
                has_text: true,
            }),
        };
        self.send(from, input).await
    }

    async fn audit_actions(&self) -> Vec<String> {
        let mut entries = self.storage.audit_entries(None, 1000).await.unwrap();
        entries.reverse();
        entries.into_iter().map(|e| e.action).collect()
    }
}

fn texts(actions: &[Action]) -> String {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Send { text, .. } | Action::Edit { text, .. } => Some(text.as_str().to_owned()),
            Action::AnswerCallback { text, .. } => text.clone(),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn denied(actions: &[Action]) -> bool {
    matches!(actions, [Action::AnswerCallback { text: Some(t), .. }] if t.contains("session has expired"))
}

#[tokio::test]
async fn lockouts_grow_and_a_lock_holds_even_for_the_right_password() {
    let f = fixture().await;
    for round in 1..=3u64 {
        assert!(
            f.login(ADMIN, "wrong-1")
                .await
                .contains("Attempts left before a lockout: 2")
        );
        assert!(
            f.login(ADMIN, "wrong-2")
                .await
                .contains("Attempts left before a lockout: 1")
        );
        let locked = f.login(ADMIN, "wrong-3").await;
        let minutes = 5 * 2u64.pow(u32::try_from(round).unwrap() - 1);
        assert!(
            locked.contains(&format!("Login is locked for {minutes} min")),
            "round {round}: {locked}"
        );
        // The right password does not open a lock.
        let refused = f.admin(ADMIN).await;
        assert!(
            texts(&refused).contains("Login is locked"),
            "{}",
            texts(&refused)
        );
        // The lock runs out.
        f.state.delete(&format!("adm:lock:{ADMIN}")).await.unwrap();
    }
    assert!(f.login(ADMIN, PASSWORD).await.contains("Logged in"));
    assert_eq!(
        f.checks.0.load(Ordering::SeqCst),
        10,
        "locked attempts never reach the password check"
    );
    let audit = f.audit_actions().await;
    assert_eq!(audit.iter().filter(|a| *a == "login_failed").count(), 9);
    assert_eq!(audit.iter().filter(|a| *a == "lockout").count(), 3);
    assert_eq!(audit.last().map(String::as_str), Some("login"));
}

#[tokio::test]
async fn a_hundred_attempts_from_one_account_reach_the_check_three_times() {
    let f = fixture().await;
    for i in 0..100 {
        f.login(ADMIN, &format!("guess-{i}")).await;
    }
    assert_eq!(f.checks.0.load(Ordering::SeqCst), 3);
    assert_eq!(
        f.audit_actions()
            .await
            .iter()
            .filter(|a| *a == "lockout")
            .count(),
        1
    );
}

#[tokio::test]
async fn the_password_message_is_deleted_first_and_never_stored() {
    let f = fixture().await;
    f.admin(ADMIN).await;
    let actions = f.send(ADMIN, Input::Text(PASSWORD.into())).await;
    assert!(
        matches!(actions.first(), Some(Action::Delete { .. })),
        "{actions:?}"
    );
    for entry in f.storage.audit_entries(None, 100).await.unwrap() {
        assert!(!entry.detail.contains(PASSWORD) && !entry.action.contains(PASSWORD));
    }
    let wrong = "my-Secret-guess";
    f.press(ADMIN, AdminAction::Logout).await;
    f.admin(ADMIN).await;
    let actions = f.send(ADMIN, Input::Text(wrong.into())).await;
    assert!(matches!(actions.first(), Some(Action::Delete { .. })));
    assert!(
        !texts(&actions).contains(wrong),
        "the bot never echoes a password"
    );
    for entry in f.storage.audit_entries(None, 100).await.unwrap() {
        assert!(!entry.detail.contains(wrong));
    }
}

#[tokio::test]
async fn sessions_end_after_idle_time_and_at_logout() {
    let f = fixture_idle(Arc::new(MemoryState::new()), Duration::from_secs(1)).await;
    assert!(f.login(ADMIN, PASSWORD).await.contains("Logged in"));
    assert!(!denied(&f.press(ADMIN, AdminAction::Panel).await));
    // Activity keeps the session alive.
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(!denied(&f.press(ADMIN, AdminAction::Panel).await));
    }
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert!(
        denied(&f.press(ADMIN, AdminAction::Statistics).await),
        "idle too long"
    );
    assert!(f.login(ADMIN, PASSWORD).await.contains("Logged in"));
    f.press(ADMIN, AdminAction::Logout).await;
    assert!(
        denied(&f.press(ADMIN, AdminAction::Audit { before: None }).await),
        "after logout"
    );
    let audit = f.audit_actions().await;
    assert_eq!(audit.iter().filter(|a| *a == "denied").count(), 2);
}

#[tokio::test]
async fn admin_buttons_from_anyone_else_are_denied_and_audited() {
    let f = fixture().await;
    assert!(f.login(ADMIN, PASSWORD).await.contains("Logged in"));
    for action in [
        AdminAction::Panel,
        AdminAction::Statistics,
        AdminAction::Audit { before: Some(1) },
        AdminAction::Logout,
    ] {
        assert!(denied(&f.press(7, action).await), "{action:?}");
    }
    // The intruder's "logout" did not end the admin's session.
    assert!(!denied(&f.press(ADMIN, AdminAction::Panel).await));
    let audit = f.storage.audit_entries(None, 100).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "denied" && e.actor == UserId(7))
            .count(),
        4
    );
    // /admin from someone not allow-listed is just an unknown command.
    let answer = texts(&f.admin(7).await);
    assert!(answer.starts_with("There is no such command"), "{answer}");
    assert_eq!(f.checks.0.load(Ordering::SeqCst), 1);
}

/// A state store that cannot be reached.
struct DownState;

#[async_trait]
impl StateStore for DownState {
    async fn get(&self, _: &str) -> Result<Option<String>, StateError> {
        Err(StateError::Unavailable("connection refused".into()))
    }
    async fn put(&self, _: &str, _: &str, _: Duration) -> Result<(), StateError> {
        Err(StateError::Unavailable("connection refused".into()))
    }
    async fn delete(&self, _: &str) -> Result<(), StateError> {
        Err(StateError::Unavailable("connection refused".into()))
    }
    async fn claim(&self, _: &str, _: Duration) -> Result<bool, StateError> {
        Err(StateError::Unavailable("connection refused".into()))
    }
    async fn incr(&self, _: &str, _: Duration) -> Result<i64, StateError> {
        Err(StateError::Unavailable("connection refused".into()))
    }
    async fn ping(&self) -> Result<(), StateError> {
        Err(StateError::Unavailable("connection refused".into()))
    }
}

#[tokio::test]
async fn with_the_state_store_down_login_fails_closed() {
    let f = fixture_with(Arc::new(DownState)).await;
    let answer = texts(&f.admin(ADMIN).await);
    assert!(
        answer.contains("Login is unavailable right now"),
        "{answer}"
    );
    // Even the right password, typed without the dialogue: it is just text then.
    let actions = f.send(ADMIN, Input::Text(PASSWORD.into())).await;
    assert!(!texts(&actions).contains("Logged in"));
    assert_eq!(
        f.checks.0.load(Ordering::SeqCst),
        0,
        "nothing is checked without a lock state"
    );
    assert!(
        denied(&f.press(ADMIN, AdminAction::Statistics).await),
        "no session can be read: denied"
    );
}
