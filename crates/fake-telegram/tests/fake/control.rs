use serde_json::{Value, json};

use crate::helpers::Harness;

#[tokio::test]
async fn other_processes_can_play_the_people() {
    let h = Harness::start().await;
    let base = h.fake.api_url();
    let carol = 7_000_000_001i64;
    let status = h
        .client
        .post(format!("{base}/_fake/users"))
        .json(&json!({"id": carol, "first_name": "Carol", "language_code": "en"}))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 200);
    let sent: Value = h
        .client
        .post(format!("{base}/_fake/chats/{carol}/text"))
        .json(&json!({"text": "/start"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let update_id = sent["update_id"].as_i64().unwrap();
    let updates = h.poll().await;
    assert_eq!(updates[0]["update_id"], update_id);
    assert_eq!(updates[0]["message"]["from"]["first_name"], "Carol");

    h.send_menu(carol, "Menu", &[("Go", "go")]).await;
    let pressed = h
        .client
        .post(format!("{base}/_fake/chats/{carol}/press"))
        .json(&json!({"button": "Go"}))
        .send()
        .await
        .unwrap();
    assert_eq!(pressed.status().as_u16(), 200);
    let missing = h
        .client
        .post(format!("{base}/_fake/chats/{carol}/press"))
        .json(&json!({"button": "Nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 404);

    let messages: Value = h
        .client
        .get(format!("{base}/_fake/chats/{carol}/messages"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(messages.as_array().unwrap().len(), 2);
    assert_eq!(messages[1]["keyboard"][0][0]["callback_data"], "go");
    assert_eq!(messages[1]["from_bot"], true);

    h.fails(
        "sendMessage",
        json!({"chat_id": carol, "text": ""}),
        400,
        "Bad Request: message text is empty",
    )
    .await;
    let violations: Value = h
        .client
        .get(format!("{base}/_fake/violations"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        violations[0]["description"],
        "Bad Request: message text is empty"
    );
    assert_eq!(violations[0]["method"], "sendMessage");
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let h = Harness::start().await;
    let url = h.url("getMe");
    h.fake.shutdown().await;
    assert!(h.client.post(url).json(&json!({})).send().await.is_err());
}
