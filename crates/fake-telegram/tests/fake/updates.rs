use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{ALICE, BOB, Harness, WAIT};

#[tokio::test]
async fn offset_confirms_and_wait_confirmed_resolves() {
    let h = Harness::start().await;
    let first = h.fake.send_text(ALICE, "one");
    let second = h.fake.send_text(BOB, "two");
    let updates = h.ok("getUpdates", json!({})).await;
    assert_eq!(updates.as_array().unwrap().len(), 2);
    assert!(!h.fake.is_confirmed(first));
    // Without a new offset the same updates come again.
    let again = h.ok("getUpdates", json!({"limit": 1})).await;
    assert_eq!(again[0]["update_id"], first);

    let fake = h.fake.clone();
    let waiter = tokio::spawn(async move { fake.wait_confirmed(first, WAIT).await });
    h.ok("getUpdates", json!({"offset": first + 1})).await;
    waiter.await.unwrap().unwrap();
    assert!(!h.fake.is_confirmed(second));
    assert!(
        h.fake
            .wait_confirmed(second, Duration::from_millis(20))
            .await
            .is_err()
    );
    assert_eq!(h.fake.pending_updates(), 1);
    h.ok("getUpdates", json!({"offset": second + 1})).await;
    assert!(h.fake.is_confirmed(second));
    assert_eq!(h.ok("getUpdates", json!({})).await, json!([]));
}

#[tokio::test]
async fn negative_offset_keeps_only_the_last_updates() {
    let h = Harness::start().await;
    let ids: Vec<i64> = (0..3)
        .map(|i| h.fake.send_text(ALICE, &format!("{i}")))
        .collect();
    let updates = h.ok("getUpdates", json!({"offset": -1})).await;
    assert_eq!(updates.as_array().unwrap().len(), 1);
    assert_eq!(updates[0]["update_id"], ids[2]);
    assert!(h.fake.is_confirmed(ids[1]));
    assert!(!h.fake.is_confirmed(ids[2]));
}

#[tokio::test]
async fn limit_must_be_1_to_100() {
    let h = Harness::start().await;
    for limit in [0, 101] {
        h.fails(
            "getUpdates",
            json!({"limit": limit}),
            400,
            "Bad Request: limit must be between 1 and 100",
        )
        .await;
    }
    h.ok(
        "getUpdates",
        json!({"limit": 100, "allowed_updates": ["message", "callback_query"]}),
    )
    .await;
    assert_eq!(h.fake.violations().len(), 2);
}

#[tokio::test]
async fn long_poll_waits_for_the_timeout() {
    let h = Harness::start().await;
    let started = Instant::now();
    let updates = h.ok("getUpdates", json!({"timeout": 1})).await;
    assert_eq!(updates, json!([]));
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn long_poll_wakes_on_a_new_update_and_a_second_poller_conflicts() {
    let h = Harness::start().await;
    let url = h.url("getUpdates");
    let client = h.client.clone();
    let started = Instant::now();
    let poll = tokio::spawn(async move {
        let response = client
            .post(url)
            .json(&json!({"timeout": 30}))
            .send()
            .await
            .unwrap();
        response.json::<serde_json::Value>().await.unwrap()
    });
    h.fake.wait_for(WAIT, |f| f.is_polling()).await.unwrap();

    h.fails(
        "getUpdates",
        json!({"timeout": 0}),
        409,
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    )
    .await;
    assert_eq!(h.fake.violations().len(), 1);

    let update_id = h.fake.send_text(ALICE, "wake up");
    let envelope = poll.await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(envelope["result"][0]["update_id"], update_id);
    assert_eq!(envelope["result"][0]["message"]["text"], "wake up");
    h.fake.wait_for(WAIT, |f| !f.is_polling()).await.unwrap();
}

#[tokio::test]
async fn a_poll_given_up_by_its_client_does_not_refuse_the_next_one() {
    use tokio::io::AsyncWriteExt;
    let h = Harness::start().await;
    // A long poll on a raw connection, so the test decides when it closes.
    let url = reqwest::Url::parse(&h.url("getUpdates")).unwrap();
    let address = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let mut connection = tokio::net::TcpStream::connect(address).await.unwrap();
    let body = r#"{"timeout":30}"#;
    let request = format!(
        "POST {} HTTP/1.1\r\nHost: fake\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        url.path(),
        body.len()
    );
    connection.write_all(request.as_bytes()).await.unwrap();
    h.fake.wait_for(WAIT, |f| f.is_polling()).await.unwrap();
    // A poller stopping: it gives the long poll up and confirms at once; the
    // closed connection is noticed a moment after the confirmation arrives (a
    // busy machine), which must not make the confirmation a second poller.
    let closing = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        drop(connection);
    });
    h.ok("getUpdates", json!({"timeout": 0, "offset": 1})).await;
    closing.await.unwrap();
    assert!(h.fake.violations().is_empty(), "{:?}", h.fake.violations());
}

#[tokio::test]
async fn raw_updates_get_ids_and_callback_ids_are_answerable() {
    let h = Harness::start().await;
    let odd = h
        .fake
        .push_raw_update(json!({"edited_message": {"weird": true}}));
    let callback = h.fake.push_raw_update(json!({
        "update_id": odd + 10,
        "callback_query": {"id": "raw-1", "from": {"id": ALICE, "is_bot": false, "first_name": "A"}, "chat_instance": "x", "data": "zzz"}
    }));
    assert_eq!(callback, odd + 10);
    let updates = h.poll().await;
    assert_eq!(updates[0]["update_id"], odd);
    assert_eq!(updates[0]["edited_message"]["weird"], true);
    assert_eq!(h.fake.unanswered_callbacks(), vec!["raw-1".to_owned()]);
    h.ok("answerCallbackQuery", json!({"callback_query_id": "raw-1"}))
        .await;
    assert!(h.fake.unanswered_callbacks().is_empty());
    // Later updates continue after the highest id seen.
    assert_eq!(h.fake.send_text(ALICE, "x"), callback + 1);
}

#[tokio::test]
async fn an_abandoned_long_poll_frees_the_poller_slot() {
    let h = Harness::start().await;
    let url = h.url("getUpdates");
    let client = reqwest::Client::new();
    let poll =
        tokio::spawn(async move { client.post(url).json(&json!({"timeout": 30})).send().await });
    h.fake.wait_for(WAIT, |f| f.is_polling()).await.unwrap();
    poll.abort();
    // The bot process went away: a restarted bot must be able to poll at once.
    h.fake.wait_for(WAIT, |f| !f.is_polling()).await.unwrap();
    h.ok("getUpdates", json!({"timeout": 0})).await;
    assert!(h.fake.violations().is_empty());
}

#[tokio::test]
async fn a_press_that_waited_for_the_bot_is_listed_as_held_back() {
    let h = Harness::start().await;
    h.send_menu(ALICE, "m", &[("A", "a")]).await;
    h.send_menu(BOB, "m", &[("B", "b")]).await;
    h.fake.press(ALICE, "A").unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    h.fake.press(BOB, "B").unwrap();
    let updates = h.poll().await;
    let alice = updates[0]["callback_query"]["id"].as_str().unwrap();
    assert_eq!(
        h.fake.callbacks_held_back(Duration::from_millis(300)),
        [alice]
    );
    assert_eq!(h.fake.callbacks_held_back(Duration::ZERO).len(), 2);
}
