//! `TestApp`: one bot, its fake Telegram and its storage; `Person`: someone using it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use domain::content::ContentPack;
use engine::ports::{Clock, ManualClock, SystemClock};
use fake_telegram::{FakeConfig, FakeTelegram, MessageView, TestUser};
use server::app::Application;
use server::config::Config;
use server::jobs::ReminderJob;
use storage::testing::TestDatabaseGuard;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The admin password of [`TestApp::spawn_admins`].
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

/// `WEBHOOK_SECRET` of [`TestApp::spawn_webhook`].
pub const WEBHOOK_SECRET: &str = "e2e_webhook-SECRET_0123456789";

/// The path of `WEBHOOK_URL` of [`TestApp::spawn_webhook`].
pub const WEBHOOK_PATH: &str = "/telegram/hook";

/// How long a test waits for the bot before failing (a hang guard, not a speed check).
pub const PATIENCE: Duration = Duration::from_secs(30);

pub fn content_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../content")
}

/// Which storage and state a test app runs on.
pub enum Stack {
    /// SQLite file + in-memory state: the embedded defaults.
    Embedded,
    /// PostgreSQL + Redis, from TEST_DATABASE_URL and TEST_REDIS_URL.
    Production,
}

pub struct TestApp {
    pub fake: FakeTelegram,
    pub pack: ContentPack,
    env: HashMap<String, String>,
    running: Option<(CancellationToken, JoinHandle<()>)>,
    http_addr: Option<std::net::SocketAddr>,
    webhook_addr: Option<std::net::SocketAddr>,
    clock: Arc<dyn Clock>,
    reminders: Option<Arc<ReminderJob>>,
    _dir: tempfile::TempDir,
    _db: Option<TestDatabaseGuard>,
}

impl TestApp {
    /// A running bot on the embedded defaults.
    pub async fn spawn() -> TestApp {
        TestApp::spawn_on(Stack::Embedded)
            .await
            .expect("embedded stack")
    }

    /// A running bot on `stack`; `None` (with a note on stdout) when the production
    /// services are not configured for this test run.
    pub async fn spawn_on(stack: Stack) -> Option<TestApp> {
        TestApp::spawn_with_clock(stack, Arc::new(SystemClock)).await
    }

    /// A running bot whose time is `clock`'s.
    pub async fn spawn_at(clock: Arc<ManualClock>) -> TestApp {
        TestApp::spawn_with_clock(Stack::Embedded, clock)
            .await
            .expect("embedded stack")
    }

    /// A running bot with admins `admins` whose password is [`ADMIN_PASSWORD`].
    pub async fn spawn_admins(stack: Stack, admins: &[i64]) -> Option<TestApp> {
        TestApp::spawn_inner(stack, Arc::new(SystemClock), &admin_settings(admins)).await
    }

    /// [`TestApp::spawn_admins`] with `ACCESS_MODE=invite`: only staff get in.
    pub async fn spawn_staff_only(stack: Stack, admins: &[i64]) -> Option<TestApp> {
        let mut settings = admin_settings(admins);
        settings.push(("ACCESS_MODE", "invite".to_owned()));
        TestApp::spawn_inner(stack, Arc::new(SystemClock), &settings).await
    }

    async fn spawn_with_clock(stack: Stack, clock: Arc<dyn Clock>) -> Option<TestApp> {
        TestApp::spawn_inner(stack, clock, &[]).await
    }

    async fn spawn_inner(
        stack: Stack,
        clock: Arc<dyn Clock>,
        extra: &[(&str, String)],
    ) -> Option<TestApp> {
        TestApp::spawn_full(stack, clock, extra, FakeConfig::default()).await
    }

    /// A running bot whose fake Telegram answers 429 like Telegram's flood control.
    pub async fn spawn_flood_controlled(flood: fake_telegram::FloodControl) -> TestApp {
        let config = FakeConfig {
            flood_control: Some(flood),
            ..FakeConfig::default()
        };
        TestApp::spawn_full(Stack::Embedded, Arc::new(SystemClock), &[], config)
            .await
            .expect("embedded stack")
    }

    /// A running bot with every knob: stack, clock, extra settings, fake config.
    pub async fn spawn_full(
        stack: Stack,
        clock: Arc<dyn Clock>,
        extra: &[(&str, String)],
        fake_config: FakeConfig,
    ) -> Option<TestApp> {
        let fake = FakeTelegram::start(fake_config)
            .await
            .expect("fake telegram");
        let dir = tempfile::tempdir().unwrap();
        let mut env: HashMap<String, String> = [
            ("BOT_TOKEN", fake.token()),
            ("TELEGRAM_API_URL", fake.api_url()),
            ("CONTENT_DIR", content_dir().display().to_string()),
            ("LISTEN", "127.0.0.1:0".to_owned()),
            ("POLL_TIMEOUT_SECS", "10".to_owned()),
            // A simulated person taps far faster than a real one.
            ("FLOOD_LIMIT", "100000".to_owned()),
            // Tests of other features let everyone in; tests/e2e/access.rs spawns
            // with `invite` through `spawn_staff_only`.
            ("ACCESS_MODE", "open".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        env.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        let mut db = None;
        match stack {
            Stack::Embedded => {
                env.insert(
                    "DATABASE_URL".into(),
                    format!("sqlite://{}", dir.path().join("trainbot.db").display()),
                );
            }
            Stack::Production => {
                let (Ok(pg), Ok(redis)) = (
                    std::env::var("TEST_DATABASE_URL"),
                    std::env::var("TEST_REDIS_URL"),
                ) else {
                    println!(
                        "production stack not run: TEST_DATABASE_URL and TEST_REDIS_URL are not both set"
                    );
                    return None;
                };
                let (_, guard) = storage::testing::fresh_postgres(&pg)
                    .await
                    .expect("a fresh PostgreSQL schema");
                env.insert("DATABASE_URL".into(), guard.url().to_owned());
                env.insert("REDIS_URL".into(), redis);
                env.insert(
                    "REDIS_PREFIX".into(),
                    format!("e2e:{}:", uuid::Uuid::new_v4().simple()),
                );
                db = Some(guard);
            }
        }
        let pack = ContentPack::load(&content_dir()).expect("the sample pack loads");
        let mut app = TestApp {
            fake,
            pack,
            env,
            running: None,
            http_addr: None,
            webhook_addr: None,
            clock,
            reminders: None,
            _dir: dir,
            _db: db,
        };
        app.start().await;
        Some(app)
    }

    /// A second replica on the same database, state store and content that
    /// receives its own updates: it gets its own fake Telegram with another bot's
    /// token, because replicas of one bot share the polling lease and only one of
    /// them polls (see [`TestApp::same_bot_replica`]).
    pub async fn replica(&self) -> TestApp {
        // Each replica its own bot (token, and so polling lease) and, since
        // Telegram numbers one bot's updates once for all its replicas and the
        // replicas share update de-duplication, its own update ids: two fakes
        // would both count from 1. An empty update (ignored by the bot) moves
        // this fake's count far away (update ids stay within 32 bits).
        static REPLICAS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);
        let nth = REPLICAS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 10;
        let fake = FakeTelegram::start(FakeConfig {
            token: format!("65432{nth}:ANOTHER-REPLICA-{nth}"),
            ..FakeConfig::default()
        })
        .await
        .expect("fake telegram");
        fake.push_raw_update(serde_json::json!({ "update_id": 1_000_000_000 + nth * 100_000_000 }));
        let mut env = self.env.clone();
        env.insert("BOT_TOKEN".into(), fake.token());
        env.insert("TELEGRAM_API_URL".into(), fake.api_url());
        let mut app = TestApp {
            fake,
            pack: self.pack.clone(),
            env,
            running: None,
            http_addr: None,
            webhook_addr: None,
            clock: self.clock.clone(),
            reminders: None,
            _dir: tempfile::tempdir().unwrap(),
            _db: None,
        };
        app.start().await;
        app
    }

    /// A running bot in webhook mode (`UPDATES=webhook`) to which the fake
    /// delivers updates by webhook, registered as `trainbot webhook set` would.
    pub async fn spawn_webhook(stack: Stack) -> Option<TestApp> {
        let settings = [
            ("UPDATES", "webhook".to_owned()),
            ("WEBHOOK_URL", format!("http://127.0.0.1{WEBHOOK_PATH}")),
            ("WEBHOOK_SECRET", WEBHOOK_SECRET.to_owned()),
            ("WEBHOOK_LISTEN", "127.0.0.1:0".to_owned()),
        ];
        let app = TestApp::spawn_full(
            stack,
            Arc::new(SystemClock),
            &settings,
            FakeConfig::default(),
        )
        .await?;
        app.register_webhook().await;
        Some(app)
    }

    /// Points the fake's webhook at this running bot, as `trainbot webhook set`
    /// does (again after a restart: the listener's port is new).
    pub async fn register_webhook(&self) {
        let registration = telegram::webhook::Registration {
            url: self.webhook_url().parse().expect("a URL"),
            secret_token: WEBHOOK_SECRET.to_owned(),
            max_connections: 40,
            drop_pending_updates: false,
        };
        let bot = telegram::bot(
            &self.fake.token(),
            &self.fake.api_url().parse().expect("a URL"),
        );
        telegram::webhook::set(&bot, &registration)
            .await
            .expect("setWebhook");
    }

    /// Another replica of this bot: same Telegram, database, state store and
    /// settings. In webhook mode it has its own listener, and the fake delivers to
    /// it only once told to ([`FakeTelegram::balance_webhook`]); polling, only one
    /// of the replicas polls at a time (the polling lease).
    pub async fn same_bot_replica(&self) -> TestApp {
        let mut app = TestApp {
            fake: self.fake.clone(),
            pack: self.pack.clone(),
            env: self.env.clone(),
            running: None,
            http_addr: None,
            webhook_addr: None,
            clock: self.clock.clone(),
            reminders: None,
            _dir: tempfile::tempdir().unwrap(),
            _db: None,
        };
        app.start().await;
        app
    }

    /// Where the running bot's webhook answers (webhook mode).
    pub fn webhook_url(&self) -> String {
        let addr = self.webhook_addr.expect("the bot runs in webhook mode");
        format!("http://{addr}{WEBHOOK_PATH}")
    }

    pub fn config(&self) -> Config {
        Config::from_sources(None, &self.env).expect("test configuration")
    }

    /// Starts the bot (again) on the same Telegram, database and state.
    pub async fn start(&mut self) {
        assert!(self.running.is_none(), "already running");
        let app = Application::build_with_clock(self.config(), self.clock.clone())
            .await
            .expect("the bot starts");
        self.reminders = Some(app.reminders());
        self.http_addr = app.http_addr();
        self.webhook_addr = app.webhook_addr();
        let shutdown = CancellationToken::new();
        let handle = tokio::spawn(app.run_until_stopped(shutdown.clone()));
        self.running = Some((shutdown, handle));
    }

    /// Stops the bot, changes one setting (e.g. `DATABASE_URL` to go through a
    /// proxy) and starts it again on the same Telegram, database and state.
    pub async fn restart_with(&mut self, key: &str, value: String) {
        self.stop().await;
        self.env.insert(key.to_owned(), value);
        self.start().await;
    }

    /// The value of one of the bot's settings.
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.env.get(key).map(String::as_str)
    }

    /// Where the running bot serves health and metrics.
    pub fn http_addr(&self) -> std::net::SocketAddr {
        self.http_addr.expect("the bot is running")
    }

    /// What the running bot's `/metrics` says now.
    pub async fn metrics(&self) -> String {
        reqwest::get(format!("http://{}/metrics", self.http_addr()))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Runs one pass of the reminder job now; returns how many were sent.
    /// The reminder job's pass for one interval, as its timer runs it: only if
    /// this replica takes the interval's lease (`None` if another one has it).
    pub async fn remind_in_turn(&self) -> Option<usize> {
        self.reminders
            .as_ref()
            .expect("the bot is running")
            .run_in_turn()
            .await
    }

    pub async fn remind(&self) -> usize {
        self.reminders
            .as_ref()
            .expect("the bot is running")
            .run_once()
            .await
    }

    /// The bot's database, for looking at what it stored.
    pub async fn storage(&self) -> storage::SqlStorage {
        storage::SqlStorage::connect(secrecy::ExposeSecret::expose_secret(
            &self.config().database_url,
        ))
        .await
        .expect("the database")
    }

    /// Kills the bot mid-work, as a crash or `kill -9` would: everything it was
    /// doing stops wherever it was.
    pub async fn crash(&mut self) {
        if let Some((_, handle)) = self.running.take() {
            handle.abort();
            let _ = handle.await;
        }
    }

    /// People already known to the bot (as if they had written to it at `seen`),
    /// in a park and department, straight into the database: for tests that need
    /// thousands of them.
    pub async fn enrol(
        &self,
        ids: impl IntoIterator<Item = i64>,
        park: Option<&str>,
        department: Option<&str>,
        seen: time::OffsetDateTime,
    ) {
        use engine::ports::{ProfileField, UserProfile};
        let storage = self.storage().await;
        for id in ids {
            self.fake.add_user(TestUser::new(id, format!("Staff {id}")));
            let profile = UserProfile {
                id: domain::ids::UserId(id),
                first_name: format!("Staff {id}"),
                last_name: None,
                username: None,
                language_code: Some("en".into()),
            };
            storage
                .touch_user(&profile, domain::lang::Lang::En, seen)
                .await
                .expect("stored");
            for field in [
                park.map(|p| ProfileField::Park(Some(p.to_owned()))),
                department.map(|d| ProfileField::Department(Some(d.to_owned()))),
            ]
            .into_iter()
            .flatten()
            {
                storage
                    .set_profile_field(profile.id, field)
                    .await
                    .expect("stored");
            }
            storage.mark_onboarded(profile.id).await.expect("stored");
        }
        storage.close().await;
    }

    /// Stops the bot the way SIGTERM does, and waits until it has.
    pub async fn stop(&mut self) {
        if let Some((shutdown, handle)) = self.running.take() {
            shutdown.cancel();
            tokio::time::timeout(PATIENCE, handle)
                .await
                .expect("stops in time")
                .expect("no panic");
        }
    }

    pub fn person(&self, id: i64, first_name: &str, language: &str) -> Person<'_> {
        self.fake
            .add_user(TestUser::new(id, first_name).language(language));
        Person { app: self, id }
    }

    /// Admin `id` (one of [`TestApp::spawn_admins`]'s) logged in with
    /// [`ADMIN_PASSWORD`], looking at the panel.
    pub async fn admin(&self, id: i64) -> Person<'_> {
        let admin = self.person(id, "Boss", "en");
        for text in ["/admin", ADMIN_PASSWORD] {
            let update = self.fake.send_text(id, text);
            self.handled(update).await;
        }
        assert!(admin.screen().text.unwrap().contains("Admin panel"));
        admin
    }

    /// No request broke Telegram's rules and every button press was answered.
    pub fn assert_clean(&self) {
        let violations = self.fake.violations();
        assert!(
            violations.is_empty(),
            "Telegram rule violations: {violations:#?}"
        );
        let unanswered = self.fake.unanswered_callbacks();
        assert!(
            unanswered.is_empty(),
            "unanswered callback queries: {unanswered:?}"
        );
    }

    /// [`TestApp::assert_clean`], except for presses that waited at Telegram
    /// `held` or longer before the bot received them (no bot was asking for
    /// updates): the bot answers a press within `PRESS_ANSWER_WITHIN` of
    /// receiving it, so one held that long can miss Telegram's deadline
    /// through no fault of the bot. Their late answers are the only refusals
    /// allowed.
    pub fn assert_clean_but_held_back(&self, held: std::time::Duration) {
        let held_back = self.fake.callbacks_held_back(held);
        let is_held_back =
            |id: Option<&str>| id.is_some_and(|id| held_back.iter().any(|h| h == id));
        let violations: Vec<_> = self
            .fake
            .violations()
            .into_iter()
            .filter(|v| {
                !(v.method == "answerCallbackQuery"
                    && is_held_back(v.params["callback_query_id"].as_str()))
            })
            .collect();
        assert!(
            violations.is_empty(),
            "Telegram rule violations: {violations:#?}"
        );
        let unanswered: Vec<_> = self
            .fake
            .unanswered_callbacks()
            .into_iter()
            .filter(|id| !is_held_back(Some(id)))
            .collect();
        assert!(
            unanswered.is_empty(),
            "unanswered callback queries: {unanswered:?}"
        );
    }

    /// The texts of every callback answer ("toast") the bot sent, in order.
    pub fn toasts(&self) -> Vec<String> {
        self.fake
            .requests()
            .into_iter()
            .filter(|r| r.method == "answerCallbackQuery")
            .filter_map(|r| {
                r.params
                    .get("text")
                    .and_then(|t| t.as_str())
                    .map(str::to_owned)
            })
            .collect()
    }

    /// Waits until the bot has handled `update_id`.
    pub async fn handled(&self, update_id: i64) {
        self.fake
            .wait_confirmed(update_id, PATIENCE)
            .await
            .expect("the bot handles the update");
    }
}

/// The settings that make `admins` admins with [`ADMIN_PASSWORD`].
pub fn admin_settings(admins: &[i64]) -> Vec<(&'static str, String)> {
    let hash = server::passwords::hash_password(ADMIN_PASSWORD).expect("a hash");
    let ids = admins
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    vec![("ADMIN_IDS", ids), ("ADMIN_PASSWORD_HASH", hash)]
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((shutdown, _)) = &self.running {
            shutdown.cancel();
        }
    }
}

pub struct Person<'a> {
    pub app: &'a TestApp,
    pub id: i64,
}

impl Person<'_> {
    /// Sends text and waits for the bot to handle it; returns what the chat shows last.
    pub async fn sends(&self, text: &str) -> MessageView {
        let update = self.app.fake.send_text(self.id, text);
        self.app.handled(update).await;
        self.screen()
    }

    /// Presses a button of the latest menu and waits; returns the latest menu.
    pub async fn presses(&self, button: &str) -> MessageView {
        let update = self.app.fake.press(self.id, button).unwrap_or_else(|e| {
            panic!("cannot press {button:?}: {e}; screen: {:#?}", self.screen())
        });
        self.app.handled(update).await;
        self.screen()
    }

    /// The latest bot message that has buttons: the menu the person is looking at.
    pub fn screen(&self) -> MessageView {
        self.app
            .fake
            .messages(self.id)
            .into_iter()
            .rev()
            .find(|m| m.from_bot && !m.keyboard.is_empty())
            .expect("the chat shows a menu")
    }

    pub fn messages(&self) -> Vec<MessageView> {
        self.app.fake.messages(self.id)
    }
}

/// The texts of a message's buttons, row by row.
pub fn buttons(m: &MessageView) -> Vec<String> {
    m.keyboard
        .iter()
        .flatten()
        .map(|b| b.text.clone())
        .collect()
}

/// The first line of a message: the screen's heading.
pub fn heading(m: &MessageView) -> String {
    m.text
        .as_deref()
        .unwrap_or_default()
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}
