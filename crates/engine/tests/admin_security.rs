//! Admin login under attack, at the engine: lockouts and their growth, session
//! expiry and logout, a state store that is down. A lock "running out" is its key
//! disappearing from the state store, which these tests do by hand.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use domain::callback::{AdminAction, Callback};
use domain::content::ContentPack;
use domain::ids::UserId;
use engine::ports::{PasswordCheck, StateError, StateStore, SystemClock};
use engine::{Action, ActivityRecorder, Engine, Input};
use state::MemoryState;

mod common;
use common::{press_input, private_update, texts};

const ADMIN: i64 = 42;
const PASSWORD: &str = "correct horse battery staple";

/// Counts how often the (slow) password check really runs; its credential (the
/// stand-in for the configured hash) can be rotated.
#[derive(Default)]
struct CountingCheck(AtomicUsize, std::sync::Mutex<String>);

#[async_trait]
impl PasswordCheck for CountingCheck {
    async fn matches(&self, password: &str) -> bool {
        self.0.fetch_add(1, Ordering::SeqCst);
        password == PASSWORD
    }

    fn credential(&self) -> String {
        self.1.lock().unwrap().clone()
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
    let shared = storage.ports();
    let (activity, _writer) =
        ActivityRecorder::spawn(shared.people.clone(), 100, Duration::from_secs(1));
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
        let inbound = private_update(id, from, "A", "en", Some(1000 + id), input);
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
        let input = press_input(self.next.get(), Callback::Admin(action), Some(5));
        self.send(from, input).await
    }

    async fn audit_actions(&self) -> Vec<String> {
        let mut entries = self.storage.audit_entries(None, 1000).await.unwrap();
        entries.reverse();
        entries.into_iter().map(|e| e.action).collect()
    }
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

/// An in-memory state store that can be taken down and brought back.
#[derive(Default)]
struct FlakyState {
    inner: MemoryState,
    down: AtomicBool,
}

impl FlakyState {
    fn down() -> FlakyState {
        let state = FlakyState::default();
        state.set_down(true);
        state
    }

    fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    fn check(&self) -> Result<(), StateError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(StateError::Unavailable("connection refused".into()));
        }
        Ok(())
    }
}

#[async_trait]
impl StateStore for FlakyState {
    async fn get(&self, key: &str) -> Result<Option<String>, StateError> {
        self.check()?;
        self.inner.get(key).await
    }
    async fn put(&self, key: &str, value: &str, ttl: Duration) -> Result<(), StateError> {
        self.check()?;
        self.inner.put(key, value, ttl).await
    }
    async fn delete(&self, key: &str) -> Result<(), StateError> {
        self.check()?;
        self.inner.delete(key).await
    }
    async fn claim(&self, key: &str, ttl: Duration) -> Result<bool, StateError> {
        self.check()?;
        self.inner.claim(key, ttl).await
    }
    async fn incr(&self, key: &str, window: Duration) -> Result<i64, StateError> {
        self.check()?;
        self.inner.incr(key, window).await
    }
    async fn lease(&self, key: &str, token: &str, ttl: Duration) -> Result<bool, StateError> {
        self.check()?;
        self.inner.lease(key, token, ttl).await
    }
    async fn release(&self, key: &str, token: &str) -> Result<bool, StateError> {
        self.check()?;
        self.inner.release(key, token).await
    }
    async fn ping(&self) -> Result<(), StateError> {
        self.check()?;
        self.inner.ping().await
    }
}

#[tokio::test]
async fn with_the_state_store_down_login_fails_closed() {
    let f = fixture_with(Arc::new(FlakyState::down())).await;
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

/// Whether the first action deletes the message the person just sent.
fn deletes_it_first(actions: &[Action]) -> bool {
    matches!(actions.first(), Some(Action::Delete { .. }))
}

#[tokio::test]
async fn a_password_typed_after_its_dialogue_is_gone_is_still_deleted() {
    // After a lockout.
    let f = fixture().await;
    for guess in ["wrong-1", "wrong-2", "wrong-3"] {
        f.login(ADMIN, guess).await;
    }
    let actions = f.send(ADMIN, Input::Text(PASSWORD.into())).await;
    assert!(deletes_it_first(&actions), "after a lockout: {actions:?}");

    // After /cancel.
    let f = fixture().await;
    f.admin(ADMIN).await;
    let cancel = Input::Command {
        name: "cancel".into(),
        args: String::new(),
    };
    f.send(ADMIN, cancel).await;
    let actions = f.send(ADMIN, Input::Text(PASSWORD.into())).await;
    assert!(deletes_it_first(&actions), "after /cancel: {actions:?}");

    // After the dialogue's wait ran out (its key gone from the state store).
    let f = fixture().await;
    f.admin(ADMIN).await;
    f.state.delete(&format!("dlg:{ADMIN}")).await.unwrap();
    let actions = f.send(ADMIN, Input::Text(PASSWORD.into())).await;
    assert!(deletes_it_first(&actions), "after the wait: {actions:?}");
    assert!(!texts(&actions).contains("Logged in"), "it is not a login");

    // With the state store down after the prompt.
    let flaky = Arc::new(FlakyState::default());
    let f = fixture_with(flaky.clone()).await;
    f.admin(ADMIN).await;
    flaky.set_down(true);
    let actions = f.send(ADMIN, Input::Text(PASSWORD.into())).await;
    assert!(deletes_it_first(&actions), "state store down: {actions:?}");
    assert_eq!(f.checks.0.load(Ordering::SeqCst), 0);

    // After a successful login, what the admin types is theirs again.
    let f = fixture().await;
    assert!(f.login(ADMIN, PASSWORD).await.contains("Logged in"));
    let actions = f.send(ADMIN, Input::Text("hello".into())).await;
    assert!(!deletes_it_first(&actions), "{actions:?}");
    // Someone never asked for a password keeps their texts too.
    let actions = f.send(7, Input::Text(PASSWORD.into())).await;
    assert!(!deletes_it_first(&actions), "{actions:?}");
}

#[tokio::test]
async fn an_admin_marked_blocked_in_the_database_still_reaches_admin() {
    let f = fixture().await;
    f.admin(ADMIN).await;
    f.storage.set_blocked(UserId(ADMIN), true).await.unwrap();
    let prompt = texts(&f.admin(ADMIN).await);
    assert!(prompt.contains("password"), "{prompt}");
    assert!(f.login(ADMIN, PASSWORD).await.contains("Logged in"));
    assert!(!denied(&f.press(ADMIN, AdminAction::Panel).await));
}

#[tokio::test]
async fn a_new_admin_password_hash_ends_the_sessions_opened_with_the_old_one() {
    let f = fixture().await;
    assert!(f.login(ADMIN, PASSWORD).await.contains("Logged in"));
    assert!(!denied(&f.press(ADMIN, AdminAction::Panel).await));
    *f.checks.1.lock().unwrap() = "a rotated hash".to_owned();
    assert!(
        denied(&f.press(ADMIN, AdminAction::Statistics).await),
        "the old session ended with its credential"
    );
    assert!(f.login(ADMIN, PASSWORD).await.contains("Logged in"));
    assert!(!denied(&f.press(ADMIN, AdminAction::Panel).await));
}

#[tokio::test]
async fn refused_presses_of_one_person_do_not_flood_the_audit_log() {
    let f = fixture().await;
    for _ in 0..250 {
        // The per-person flood limit is not what this is about: keep under it.
        f.state.delete("flood:7").await.unwrap();
        assert!(denied(&f.press(7, AdminAction::Statistics).await));
    }
    let denied_rows: Vec<String> = f
        .storage
        .audit_entries(None, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "denied" && e.actor == UserId(7))
        .map(|e| e.detail)
        .collect();
    // Fifty one by one, then the hundredth with its count.
    assert_eq!(denied_rows.len(), 51, "{denied_rows:?}");
    assert!(
        denied_rows
            .iter()
            .any(|d| d.contains("refusal 100 in 10 min")),
        "{denied_rows:?}"
    );
}
