//! Every class of refusal: the right status and description, and a recorded violation.

use fake_telegram::LostAnswer;
use serde_json::{Value, json};

use crate::helpers::{ALICE, BOB, Harness};

/// Runs a failing call and checks it was recorded as exactly one new violation.
async fn violation(h: &Harness, method: &str, body: Value, code: u16, description: &str) {
    let before = h.fake.violations().len();
    h.fails(method, body.clone(), code, description).await;
    let violations = h.fake.violations();
    assert_eq!(violations.len(), before + 1, "{method} {body} not recorded");
    let last = violations.last().unwrap();
    assert_eq!(last.error_code, code);
    assert_eq!(last.description, description);
}

#[tokio::test]
async fn schema_violations() {
    let h = Harness::start().await;
    violation(
        &h,
        "sendMessage",
        json!({"text": "x"}),
        400,
        "Bad Request: field \"chat_id\" is required",
    )
    .await;
    violation(
        &h,
        "sendMessage",
        json!({"chat_id": ALICE, "text": "x", "colour": "red"}),
        400,
        "Bad Request: unknown field \"colour\"",
    )
    .await;
    violation(
        &h,
        "sendMessage",
        json!({"chat_id": ALICE, "text": 5}),
        400,
        "Bad Request: field \"text\" must be of type String",
    )
    .await;
    violation(
        &h,
        "sendMessage",
        json!({"chat_id": ALICE, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "b", "colour": 1}]]}}),
        400,
        "Bad Request: unknown field \"reply_markup.inline_keyboard[0][0].colour\"",
    )
    .await;
    violation(
        &h,
        "getUpdates",
        json!({"limit": "many"}),
        400,
        "Bad Request: field \"limit\" must be of type Integer",
    )
    .await;
    assert_eq!(h.fake.violations()[0].method, "sendMessage");
}

#[tokio::test]
async fn token_and_method_errors() {
    let h = Harness::start().await;
    let url = format!("{}/botWRONG:TOKEN/getMe", h.fake.api_url());
    let response = h.client.post(url).json(&json!({})).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"ok": false, "error_code": 401, "description": "Unauthorized"})
    );
    violation(&h, "sendTelepathy", json!({}), 404, "Not Found").await;
    assert_eq!(h.fake.violations().len(), 2);
}

#[tokio::test]
async fn html_and_length_violations() {
    let h = Harness::start().await;
    let send = |text: String| json!({"chat_id": ALICE, "text": text, "parse_mode": "HTML"});
    violation(
        &h,
        "sendMessage",
        send("line<br>next".into()),
        400,
        "Bad Request: can't parse entities: Unsupported start tag \"br\" at byte offset 4",
    )
    .await;
    violation(
        &h,
        "sendMessage",
        send("Цена < 5".into()),
        400,
        "Bad Request: can't parse entities: Unsupported start tag \"\" at byte offset 9",
    )
    .await;
    violation(&h, "sendMessage", send("a & b".into()), 400, "Bad Request: can't parse entities: Character \"&\" must be escaped as \"&amp;\" at byte offset 2").await;
    violation(&h, "sendMessage", send("<b>x</i>".into()), 400, "Bad Request: can't parse entities: Unmatched end tag at byte offset 4, expected \"</b>\", found \"</i>\"").await;
    violation(
        &h,
        "sendMessage",
        send("<b> </b>".into()),
        400,
        "Bad Request: message text is empty",
    )
    .await;
    violation(
        &h,
        "sendMessage",
        send("я".repeat(4097)),
        400,
        "Bad Request: message is too long",
    )
    .await;
    // Markup does not count toward the limit.
    h.ok("sendMessage", send(format!("<b>{}</b>", "я".repeat(4096))))
        .await;
    violation(
        &h,
        "sendPhoto",
        json!({"chat_id": ALICE, "photo": "https://example.com/a.jpg", "caption": "c".repeat(1025)}),
        400,
        "Bad Request: message caption is too long",
    )
    .await;
}

#[tokio::test]
async fn keyboard_violations() {
    let h = Harness::start().await;
    let with_row = |row: Value| json!({"chat_id": ALICE, "text": "x", "reply_markup": {"inline_keyboard": [row]}});
    violation(
        &h,
        "sendMessage",
        with_row(
            json!([{"text": "Кухня", "callback_data": "раздел:кухня:страница:первая:подраздел"}]),
        ),
        400,
        "Bad Request: BUTTON_DATA_INVALID",
    )
    .await;
    let nine: Vec<Value> = (0..9)
        .map(|i| json!({"text": format!("{i}"), "callback_data": format!("{i}")}))
        .collect();
    violation(
        &h,
        "sendMessage",
        with_row(json!(nine)),
        400,
        "Bad Request: too many buttons in a row: 9 (at most 8)",
    )
    .await;
    violation(&h, "sendMessage", with_row(json!([{"text": "a"}])), 400, "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard").await;
    violation(
        &h,
        "sendMessage",
        with_row(json!([{"text": "a", "callback_data": "a", "url": "https://x.io"}])),
        400,
        "Bad Request: can't parse inline keyboard button: exactly one action field must be specified",
    )
    .await;
}

#[tokio::test]
async fn chat_message_and_query_violations() {
    let h = Harness::start().await;
    violation(
        &h,
        "sendMessage",
        json!({"chat_id": 42, "text": "x"}),
        400,
        "Bad Request: chat not found",
    )
    .await;
    violation(
        &h,
        "editMessageText",
        json!({"chat_id": ALICE, "message_id": 7, "text": "x"}),
        400,
        "Bad Request: message to edit not found",
    )
    .await;
    violation(
        &h,
        "deleteMessage",
        json!({"chat_id": ALICE, "message_id": 7}),
        400,
        "Bad Request: message to delete not found",
    )
    .await;
    violation(
        &h,
        "answerCallbackQuery",
        json!({"callback_query_id": "nope"}),
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    .await;
    assert_eq!(h.fake.callback_answers("nope"), 1);
    let photo = h
        .ok(
            "sendPhoto",
            json!({"chat_id": ALICE, "photo": "https://example.com/a.jpg"}),
        )
        .await;
    let id = photo["message_id"].clone();
    violation(
        &h,
        "editMessageText",
        json!({"chat_id": ALICE, "message_id": id, "text": "x"}),
        400,
        "Bad Request: there is no text in the message to edit",
    )
    .await;

    h.send_menu(ALICE, "m", &[("A", "a")]).await;
    h.fake.press(ALICE, "A").unwrap();
    let updates = h.poll().await;
    let query_id = updates[0]["callback_query"]["id"].clone();
    violation(
        &h,
        "answerCallbackQuery",
        json!({"callback_query_id": query_id, "text": "x".repeat(201)}),
        400,
        "Bad Request: MESSAGE_TOO_LONG",
    )
    .await;
    h.ok(
        "answerCallbackQuery",
        json!({"callback_query_id": query_id, "text": "x".repeat(200)}),
    )
    .await;
}

#[tokio::test]
async fn command_violations() {
    let h = Harness::start().await;
    violation(
        &h,
        "setMyCommands",
        json!({"commands": [{"command": "Start", "description": "d"}]}),
        400,
        "Bad Request: BOT_COMMAND_INVALID",
    )
    .await;
    violation(
        &h,
        "setMyCommands",
        json!({"commands": [{"command": "start", "description": ""}]}),
        400,
        "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID",
    )
    .await;
    let many: Vec<Value> = (0..101)
        .map(|i| json!({"command": format!("c{i}"), "description": "d"}))
        .collect();
    violation(
        &h,
        "setMyCommands",
        json!({"commands": many}),
        400,
        "Bad Request: BOT_COMMANDS_TOO_MUCH",
    )
    .await;
    assert!(h.fake.commands(None).is_empty());
}

#[tokio::test]
async fn injected_flood_control_is_answered_once_and_not_a_violation() {
    let h = Harness::start().await;
    h.fake.fail_next(
        "SendMessage",
        429,
        "Too Many Requests: retry after 3",
        Some(3),
    );
    let (status, envelope) = h
        .call("sendMessage", json!({"chat_id": ALICE, "text": "x"}))
        .await;
    assert_eq!(status, 429);
    assert_eq!(
        envelope,
        json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 3", "parameters": {"retry_after": 3}})
    );
    h.ok("sendMessage", json!({"chat_id": ALICE, "text": "x"}))
        .await;
    assert!(h.fake.violations().is_empty());
    assert_eq!(h.fake.messages(ALICE).len(), 1);
}

#[tokio::test]
async fn a_failure_injected_for_one_chat_leaves_other_chats_alone() {
    let h = Harness::start().await;
    let busy = "Too Many Requests: retry after 5";
    h.fake
        .fail_next_for_chat(ALICE, "sendMessage", 429, busy, Some(5));
    h.ok("sendMessage", json!({"chat_id": BOB, "text": "x"}))
        .await;
    let (status, envelope) = h
        .call("sendMessage", json!({"chat_id": ALICE, "text": "x"}))
        .await;
    assert_eq!(status, 429);
    assert_eq!(envelope["parameters"]["retry_after"], 5);
    h.ok("sendMessage", json!({"chat_id": ALICE, "text": "x"}))
        .await;
    // A press's answer belongs to the chat of the person who pressed.
    h.fake
        .fail_next_for_chat(ALICE, "answerCallbackQuery", 429, busy, Some(5));
    h.fake.press_on(BOB, 1, "b");
    h.fake.press_on(ALICE, 1, "a");
    let updates = h.ok("getUpdates", json!({})).await;
    let query = |i: usize| {
        updates[i]["callback_query"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (bob, alice) = (query(0), query(1));
    h.ok("answerCallbackQuery", json!({"callback_query_id": bob}))
        .await;
    let (status, _) = h
        .call("answerCallbackQuery", json!({"callback_query_id": alice}))
        .await;
    assert_eq!(status, 429);
    h.ok("answerCallbackQuery", json!({"callback_query_id": alice}))
        .await;
    assert!(h.fake.violations().is_empty());
    assert!(h.fake.unanswered_callbacks().is_empty());
}

#[tokio::test]
async fn a_delayed_chat_holds_only_its_own_calls() {
    let h = Harness::start().await;
    h.fake.delay_chat(ALICE, std::time::Duration::from_secs(2));
    let slow = {
        let (client, url) = (h.client.clone(), h.url("sendMessage"));
        tokio::spawn(async move {
            let body = json!({"chat_id": ALICE, "text": "slow"});
            client.post(url).json(&body).send().await.unwrap().status()
        })
    };
    // Give Alice's call time to reach the fake (setup only: if it has not, the
    // order below still holds, the test just proves less).
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    h.ok("sendMessage", json!({"chat_id": BOB, "text": "fast"}))
        .await;
    assert_eq!(slow.await.unwrap(), 200);
    let answered: Vec<_> = h
        .fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "sendMessage")
        .map(|r| r.params["text"].clone())
        .collect();
    assert_eq!(
        answered,
        [json!("fast"), json!("slow")],
        "Bob's call is not held"
    );
    // Removing the delay answers Alice at once again (no timing asserted).
    h.fake.delay_chat(ALICE, std::time::Duration::ZERO);
    h.ok("sendMessage", json!({"chat_id": ALICE, "text": "again"}))
        .await;
    assert!(h.fake.violations().is_empty());
}

#[tokio::test]
async fn a_lost_answer_follows_a_delivered_message() {
    let h = Harness::start().await;
    h.fake
        .deliver_then_fail_next("sendMessage", Some(BOB), LostAnswer::Status(502));
    h.fake
        .deliver_then_fail_next("sendMessage", None, LostAnswer::Reset);
    h.fake
        .deliver_then_fail_next("sendMessage", Some(BOB), LostAnswer::Status(504));

    // Alice's message: the answer is cut off in the middle, the message arrived.
    let cut = h
        .client
        .post(h.url("sendMessage"))
        .json(&json!({"chat_id": ALICE, "text": "one"}))
        .send()
        .await;
    let body = match cut {
        Ok(response) => response.bytes().await.map(drop),
        Err(e) => Err(e),
    };
    assert!(body.is_err(), "the answer never arrives whole");
    assert_eq!(h.fake.messages(ALICE).len(), 1, "but the message did");

    // Bob's: 502 after delivery; then 504 after delivery.
    let (status, envelope) = h
        .call("sendMessage", json!({"chat_id": BOB, "text": "two"}))
        .await;
    assert_eq!(
        (status, envelope["description"].clone()),
        (502, json!("Bad Gateway"))
    );
    let (status, _) = h
        .call("sendMessage", json!({"chat_id": BOB, "text": "three"}))
        .await;
    assert_eq!(status, 504);
    assert_eq!(h.fake.messages(BOB).len(), 2, "both delivered");

    // Nothing else is queued: the next send answers normally.
    h.ok("sendMessage", json!({"chat_id": BOB, "text": "four"}))
        .await;
    let recorded = h.fake.requests();
    assert!(
        recorded.iter().all(|r| r.ok),
        "carried out, so recorded as successful"
    );
    assert!(h.fake.violations().is_empty());
}
