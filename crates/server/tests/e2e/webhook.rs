//! Webhook mode (`UPDATES=webhook`): fake-telegram delivers updates by webhook,
//! with Telegram's secret header and its redelivery of anything not answered 2xx.

use serde_json::{Value, json};

use crate::helpers::{PATIENCE, Stack, TestApp, WEBHOOK_SECRET};

/// A text message update from `user`, as Telegram posts it.
fn text_update(update_id: i64, user: i64, text: &str) -> Value {
    json!({
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_700_000_000,
            "chat": { "id": user, "type": "private", "first_name": "Hook" },
            "from": { "id": user, "is_bot": false, "first_name": "Hook", "language_code": "en" },
            "text": text,
        }
    })
}

/// POSTs `body` to the bot's webhook with `secret` (none: no header); the status.
async fn post(app: &TestApp, secret: Option<&str>, body: Vec<u8>) -> u16 {
    let client = reqwest::Client::new();
    let mut request = client
        .post(app.webhook_url())
        .header("content-type", "application/json")
        .body(body);
    if let Some(secret) = secret {
        request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
    }
    tokio::time::timeout(PATIENCE, request.send())
        .await
        .expect("the webhook answers")
        .expect("a response")
        .status()
        .as_u16()
}

fn bot_texts(app: &TestApp, chat: i64) -> Vec<String> {
    app.fake
        .messages(chat)
        .into_iter()
        .filter(|m| m.from_bot)
        .map(|m| m.text.unwrap_or_default())
        .collect()
}

/// Methods the bot called on Telegram.
fn methods(app: &TestApp) -> Vec<String> {
    app.fake.requests().into_iter().map(|r| r.method).collect()
}

#[tokio::test]
async fn a_person_browses_by_webhook_and_the_bot_never_polls() {
    let app = TestApp::spawn_webhook(Stack::Embedded).await.unwrap();
    let person = app.person(8_100_000_001, "Ada", "en");
    let greeting = person.sends("/start").await;
    assert!(greeting.text.unwrap().contains("Ada"), "greeted by name");
    let home = person.sends("/menu").await;
    assert!(home.text.clone().unwrap().contains("Main menu"));
    let first = crate::helpers::buttons(&home)
        .into_iter()
        .next()
        .expect("the home screen has buttons");
    let section = person.presses(&first).await;
    assert_ne!(section.text, home.text, "the press opened the section");
    app.fake
        .wait_for(PATIENCE, |f| f.pending_updates() == 0)
        .await
        .unwrap();
    let called = methods(&app);
    for never in ["getUpdates", "deleteWebhook", "setWebhook"] {
        // setWebhook was the test's own call, as `trainbot webhook set`'s.
        let by_bot = called.iter().filter(|m| m.as_str() == never).count();
        let expected = usize::from(never == "setWebhook");
        assert_eq!(by_bot, expected, "{never} calls: {called:?}");
    }
    assert!(app.fake.webhook().is_some(), "the webhook is still set");
    app.assert_clean();
}

#[tokio::test]
async fn a_wrong_or_missing_secret_is_refused_and_nothing_is_handled() {
    let app = TestApp::spawn_webhook(Stack::Embedded).await.unwrap();
    let user = 8_100_000_002;
    app.person(user, "Hook", "en");
    let body = serde_json::to_vec(&text_update(700_001, user, "/start")).unwrap();
    let same_length_wrong: String = WEBHOOK_SECRET
        .chars()
        .map(|c| if c == 'e' { 'f' } else { c })
        .collect();
    for secret in [
        None,
        Some(""),
        Some("wrong"),
        Some(same_length_wrong.as_str()),
        Some(&WEBHOOK_SECRET[..WEBHOOK_SECRET.len() - 1]),
    ] {
        assert_eq!(post(&app, secret, body.clone()).await, 401, "{secret:?}");
    }
    assert!(bot_texts(&app, user).is_empty(), "nothing was handled");
    let counted = app.metrics().await;
    assert!(
        counted.contains("trainbot_webhook_requests_total{outcome=\"unauthorized\"}"),
        "{counted}"
    );
    // The same body with the right secret is an update the bot answers.
    assert_eq!(post(&app, Some(WEBHOOK_SECRET), body).await, 200);
    assert_eq!(
        bot_texts(&app, user).len(),
        1,
        "handled once it is authentic"
    );
}

#[tokio::test]
async fn an_oversized_body_is_refused_and_garbage_is_acknowledged_unhandled() {
    let app = TestApp::spawn_webhook(Stack::Embedded).await.unwrap();
    let user = 8_100_000_003;
    app.person(user, "Hook", "en");
    let mut huge = text_update(700_002, user, "/start");
    huge["message"]["text"] = Value::String("a".repeat(2 * 1024 * 1024));
    let huge = serde_json::to_vec(&huge).unwrap();
    assert_eq!(post(&app, Some(WEBHOOK_SECRET), huge).await, 413);
    // Not an update: 200, or Telegram would send it again for a day.
    for garbage in [
        b"not json at all".to_vec(),
        b"{\"update_id\": \"x\"}".to_vec(),
        b"[1,2,3]".to_vec(),
        vec![0xff, 0xfe, 0x00],
        Vec::new(),
    ] {
        assert_eq!(post(&app, Some(WEBHOOK_SECRET), garbage).await, 200);
    }
    assert!(bot_texts(&app, user).is_empty(), "nothing was handled");
    let counted = app.metrics().await;
    for outcome in ["too_large", "malformed"] {
        assert!(
            counted.contains(&format!(
                "trainbot_webhook_requests_total{{outcome=\"{outcome}\"}}"
            )),
            "{outcome}: {counted}"
        );
    }
    // The bot still serves.
    let update = app.fake.send_text(user, "/start");
    app.handled(update).await;
    assert_eq!(bot_texts(&app, user).len(), 1);
}

#[tokio::test]
async fn a_redelivered_update_is_handled_once() {
    let app = TestApp::spawn_webhook(Stack::Embedded).await.unwrap();
    let user = 8_100_000_004;
    app.person(user, "Hook", "en");
    // Telegram sends the same update again (its answer was lost, say): twice in
    // the fake's queue, both delivered by webhook.
    let update = text_update(700_003, user, "/start");
    app.fake.push_raw_update(update.clone());
    app.fake.push_raw_update(update);
    app.fake
        .wait_for(PATIENCE, |f| f.pending_updates() == 0)
        .await
        .expect("both deliveries answered");
    assert_eq!(
        bot_texts(&app, user).len(),
        1,
        "{:?}",
        bot_texts(&app, user)
    );
    // A direct second delivery is acknowledged without a second answer too.
    let body = serde_json::to_vec(&text_update(700_003, user, "/start")).unwrap();
    assert_eq!(post(&app, Some(WEBHOOK_SECRET), body).await, 200);
    assert_eq!(bot_texts(&app, user).len(), 1);
    app.assert_clean();
}

/// Two replicas behind one webhook (the fake delivers to them in turn, retries
/// included), on PostgreSQL + Redis: one chat's rapid updates are answered in
/// order and none twice.
#[tokio::test]
async fn two_replicas_answer_one_chats_rapid_updates_in_order_production_stack() {
    let Some(a) = TestApp::spawn_webhook(Stack::Production).await else {
        return;
    };
    let b = a.same_bot_replica().await;
    a.fake
        .balance_webhook(vec![a.webhook_url(), b.webhook_url()]);
    let user = 8_100_000_005;
    let person = a.person(user, "Rapid", "en");
    person.sends("/start").await;
    let menu = person.sends("/menu").await.text.unwrap_or_default();
    let help_update = a.fake.send_text(user, "/help");
    a.handled(help_update).await;
    let help = bot_texts(&a, user).last().cloned().unwrap_or_default();
    assert_ne!(menu, help);
    let before = bot_texts(&a, user).len();

    const ROUNDS: usize = 10;
    let mut last = 0;
    for _ in 0..ROUNDS {
        a.fake.send_text(user, "/menu");
        last = a.fake.send_text(user, "/help");
    }
    a.handled(last).await;
    a.fake
        .wait_for(PATIENCE, |f| f.pending_updates() == 0)
        .await
        .unwrap();
    let answers = bot_texts(&a, user).split_off(before);
    let expected: Vec<String> = (0..ROUNDS)
        .flat_map(|_| [menu.clone(), help.clone()])
        .collect();
    assert_eq!(answers.len(), expected.len(), "none lost, none twice");
    assert!(answers == expected, "in update order: {answers:#?}");
    let hook = a.fake.webhook().unwrap();
    assert_eq!(
        hook.last_error_message, None,
        "both replicas answered every delivery 2xx"
    );
    drop(b);
    a.assert_clean();
}

/// SIGTERM in webhook mode ends promptly; what Telegram could not deliver while
/// the bot was down is delivered again after the restart and answered once.
#[tokio::test]
async fn a_stopped_webhook_replica_gets_what_came_meanwhile_after_a_restart() {
    let mut app = TestApp::spawn_webhook(Stack::Embedded).await.unwrap();
    let user = 8_100_000_006;
    let person = app.person(user, "Kim", "en");
    person.sends("/start").await;
    app.stop().await;
    let missed = app.fake.send_text(user, "/menu");
    app.fake
        .wait_for(PATIENCE, |f| {
            f.webhook().is_some_and(|w| w.last_error_message.is_some())
        })
        .await
        .expect("a delivery to the stopped bot fails");
    assert!(!app.fake.is_confirmed(missed));
    app.start().await;
    app.register_webhook().await;
    app.handled(missed).await;
    let texts = bot_texts(&app, user);
    assert_eq!(texts.len(), 2, "{texts:#?}");
    assert!(texts[1].contains("Main menu"), "{texts:#?}");
    app.assert_clean();
}
