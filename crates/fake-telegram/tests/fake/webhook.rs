use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};

use crate::helpers::{ALICE, BOB, Harness, WAIT};

/// (secret header, body) of one delivery attempt.
type Delivery = (Option<String>, Value);

#[derive(Clone, Default)]
struct Receiver {
    /// (secret header, body) of every delivery attempt.
    seen: Arc<Mutex<Vec<Delivery>>>,
    /// How many attempts to refuse with 500 first.
    refuse: Arc<Mutex<usize>>,
}

async fn hook(
    State(receiver): State<Receiver>,
    headers: HeaderMap,
    body: axum::Json<Value>,
) -> StatusCode {
    let secret = headers
        .get("x-telegram-bot-api-secret-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    receiver.seen.lock().unwrap().push((secret, body.0));
    let mut refuse = receiver.refuse.lock().unwrap();
    if *refuse > 0 {
        *refuse -= 1;
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

async fn start_receiver(refuse: usize) -> (Receiver, String) {
    let receiver = Receiver::default();
    *receiver.refuse.lock().unwrap() = refuse;
    let app = Router::new()
        .route("/hook", post(hook))
        .with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (receiver, url)
}

#[tokio::test]
async fn updates_are_pushed_with_the_secret_and_retried() {
    let h = Harness::start().await;
    let (receiver, url) = start_receiver(1).await;
    h.ok(
        "setWebhook",
        json!({"url": url, "secret_token": "s3cr3t_-X", "max_connections": 10}),
    )
    .await;
    let view = h.fake.webhook().unwrap();
    assert_eq!(view.url, url);
    assert_eq!(view.max_connections, 10);

    let update_id = h.fake.send_text(ALICE, "hi via webhook");
    h.fake.wait_confirmed(update_id, WAIT).await.unwrap();
    let seen = receiver.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "first attempt refused, second accepted");
    for (secret, body) in &seen {
        assert_eq!(secret.as_deref(), Some("s3cr3t_-X"));
        assert_eq!(body["update_id"], update_id);
        assert_eq!(body["message"]["text"], "hi via webhook");
    }
    let info = h.ok("getWebhookInfo", json!({})).await;
    assert_eq!(info["url"], url);
    assert_eq!(info["pending_update_count"], 0);
    assert_eq!(info["has_custom_certificate"], false);
    assert!(info["last_error_message"].as_str().unwrap().contains("500"));

    h.fails(
        "getUpdates",
        json!({}),
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    )
    .await;

    h.ok("deleteWebhook", json!({"drop_pending_updates": true}))
        .await;
    assert!(h.fake.webhook().is_none());
    assert_eq!(h.ok("getWebhookInfo", json!({})).await["url"], "");
    h.ok("getUpdates", json!({})).await;
}

#[tokio::test]
async fn callbacks_delivered_by_webhook_count_as_delivered() {
    let h = Harness::start().await;
    let (receiver, url) = start_receiver(0).await;
    h.send_menu(ALICE, "m", &[("A", "a")]).await;
    h.ok("setWebhook", json!({"url": url})).await;
    let update_id = h.fake.press(ALICE, "A").unwrap();
    h.fake.wait_confirmed(update_id, WAIT).await.unwrap();
    let query_id = receiver.seen.lock().unwrap()[0].1["callback_query"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(h.fake.unanswered_callbacks(), vec![query_id]);
    assert_eq!(receiver.seen.lock().unwrap()[0].0, None);
}

#[tokio::test]
async fn webhook_settings_are_validated() {
    let h = Harness::start().await;
    h.fails(
        "setWebhook",
        json!({"url": "https://bot.example.com/hook", "secret_token": "has space"}),
        400,
        "Bad Request: secret token contains unallowed characters or has a wrong length",
    )
    .await;
    h.fails(
        "setWebhook",
        json!({"url": "https://bot.example.com/hook", "max_connections": 0}),
        400,
        "Bad Request: bad webhook: max_connections must be between 1 and 100",
    )
    .await;
    h.fails(
        "setWebhook",
        json!({"url": "ftp://bot.example.com"}),
        400,
        "Bad Request: bad webhook: invalid webhook URL specified",
    )
    .await;
    assert_eq!(h.fake.violations().len(), 3);
    assert!(h.fake.webhook().is_none());
    // An empty url removes the webhook.
    h.ok("setWebhook", json!({"url": "https://bot.example.com/hook"}))
        .await;
    h.ok("setWebhook", json!({"url": ""})).await;
    assert!(h.fake.webhook().is_none());
}

/// A receiver that holds every delivery of `slow`'s chat until `release` is
/// notified, and answers the others at once; it records the texts in arrival
/// order.
async fn start_slow_receiver(
    slow: i64,
) -> (Arc<Mutex<Vec<String>>>, Arc<tokio::sync::Notify>, String) {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let release = Arc::new(tokio::sync::Notify::new());
    let app = Router::new().route(
        "/hook",
        post({
            let (seen, release) = (seen.clone(), release.clone());
            move |body: axum::Json<Value>| async move {
                let message = &body.0["message"];
                seen.lock()
                    .unwrap()
                    .push(message["text"].as_str().unwrap_or_default().to_owned());
                if message["chat"]["id"] == slow {
                    release.notified().await;
                }
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (seen, release, url)
}

/// Like Telegram, the fake posts several updates at once (up to
/// `max_connections`), but one chat's one at a time and in order: a chat whose
/// update is slow to be taken holds its own later updates, never another
/// chat's.
#[tokio::test]
async fn a_slow_chat_holds_its_own_later_updates_and_nobody_elses() {
    let h = Harness::start().await;
    let (seen, release, url) = start_slow_receiver(ALICE).await;
    h.ok("setWebhook", json!({"url": url, "max_connections": 4}))
        .await;
    let first = h.fake.send_text(ALICE, "alice 1");
    let second = h.fake.send_text(ALICE, "alice 2");
    let bob = h.fake.send_text(BOB, "bob 1");
    h.fake.wait_confirmed(bob, WAIT).await.unwrap();
    assert!(!h.fake.is_confirmed(first), "Alice's first is still held");
    assert_eq!(
        *seen.lock().unwrap(),
        ["alice 1", "bob 1"],
        "Bob's went past Alice's held one; Alice's second waits behind it"
    );
    release.notify_one();
    h.fake.wait_confirmed(first, WAIT).await.unwrap();
    // The second is held in turn; let it through.
    let deadline = std::time::Instant::now() + WAIT;
    while seen.lock().unwrap().len() < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "Alice's second never came"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    release.notify_one();
    h.fake.wait_confirmed(second, WAIT).await.unwrap();
    assert_eq!(*seen.lock().unwrap(), ["alice 1", "bob 1", "alice 2"]);
}
