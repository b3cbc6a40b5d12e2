//! Error reports as an operator's Sentry receives them: `trainbot run` with
//! `SENTRY_DSN` pointing at this test's fake Sentry endpoint, an admin logging in
//! while the audit log cannot be written (an error-level event inside each update
//! that carries a typed password), and the envelopes that arrive.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;

use super::running::{Running, serve};
use super::{ADMIN_HASH, GUARD};

const ADMIN: i64 = 7_002_718_281;
const NAME: &str = "Серафима";
/// The password `ADMIN_HASH` was made from.
const PASSWORD: &str = "correct horse battery";
/// A typo of it.
const TYPO: &str = "correct horse battery staple";

#[derive(Clone, Default)]
struct Envelopes(Arc<Mutex<Vec<String>>>);

async fn receive(State(envelopes): State<Envelopes>, body: Bytes) -> &'static str {
    envelopes
        .0
        .lock()
        .unwrap()
        .push(String::from_utf8_lossy(&body).into_owned());
    "{}"
}

/// The JSON items of the envelopes received so far (an envelope is a header line
/// and, per item, an item header line and the item).
fn items(envelopes: &Envelopes) -> Vec<serde_json::Value> {
    envelopes
        .0
        .lock()
        .unwrap()
        .iter()
        .flat_map(|e| e.lines().skip(1).map(str::to_owned).collect::<Vec<_>>())
        .filter_map(|line| serde_json::from_str(&line).ok())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_while_an_admin_logs_in_reaches_sentry_tagged_and_without_the_password() {
    let envelopes = Envelopes::default();
    let sentry = serve(
        axum::Router::new()
            .route("/api/1/envelope/", post(receive))
            .with_state(envelopes.clone()),
    )
    .await;
    let dsn = sentry.replacen("http://", "http://0123456789abcdef@", 1) + "/1";
    let fake = fake_telegram::FakeTelegram::start(fake_telegram::FakeConfig::default())
        .await
        .unwrap();
    fake.add_user(fake_telegram::TestUser::new(ADMIN, NAME));
    let bot = Running::start(
        &fake,
        &[
            ("SENTRY_DSN", dsn),
            ("SENTRY_ENVIRONMENT", "staging".into()),
            ("ADMIN_IDS", ADMIN.to_string()),
            ("ADMIN_PASSWORD_HASH", ADMIN_HASH.into()),
        ],
    );
    let answers = |n: usize| {
        move |f: &fake_telegram::FakeTelegram| {
            f.messages(ADMIN).iter().filter(|m| m.from_bot).count() >= n
        }
    };
    fake.send_text(ADMIN, "/admin");
    fake.wait_for(GUARD, answers(1))
        .await
        .expect("the bot asks for the password");

    // The audit log is gone: the login's audit entry cannot be written.
    let db = format!("sqlite://{}", bot.database().display());
    let pool = sqlx::SqlitePool::connect(&db).await.unwrap();
    sqlx::query("DROP TABLE audit_log")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    // A typo, then the password: each is audited, and neither entry can be.
    let mut typed = Vec::new();
    for (text, action, answered) in [(TYPO, "login_failed", 2), (PASSWORD, "login", 3)] {
        let update = fake.send_text(ADMIN, text);
        fake.wait_for(GUARD, answers(answered))
            .await
            .expect("the bot answers the password");
        typed.push((update, action));
    }
    let deadline = tokio::time::Instant::now() + GUARD;
    let events = loop {
        let events: Vec<serde_json::Value> = items(&envelopes)
            .into_iter()
            .filter(|i| i["message"].as_str() == Some("cannot write the audit log"))
            .collect();
        if events.len() == typed.len() {
            break events;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} of {} events reached Sentry",
            events.len(),
            typed.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    bot.stop().await;

    for ((update, action), event) in typed.into_iter().zip(events) {
        // Sentry's protocol leaves the default level, error, out.
        assert_eq!(
            event["level"].as_str().unwrap_or("error"),
            "error",
            "{event}"
        );
        assert_eq!(event["tags"]["update_id"], update.to_string(), "{event}");
        assert_eq!(event["tags"]["update_kind"], "text");
        assert_eq!(event["extra"]["action"], action);
        assert_eq!(
            event["release"],
            concat!("trainbot@", env!("CARGO_PKG_VERSION"))
        );
        assert_eq!(event["environment"], "staging");
        assert!(event.get("user").is_none(), "{event}");
    }

    let everything = envelopes.0.lock().unwrap().concat();
    for secret in [
        PASSWORD,
        TYPO,
        NAME,
        &ADMIN.to_string(),
        &fake.token(),
        ADMIN_HASH,
    ] {
        assert!(
            !everything.contains(secret),
            "{secret:?} reached Sentry:\n{everything}"
        );
    }
}
