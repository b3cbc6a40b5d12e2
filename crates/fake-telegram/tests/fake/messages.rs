use std::time::Duration;

use fake_telegram::{ButtonView, FakeConfig};
use serde_json::json;

use crate::helpers::{ALICE, BOB, Harness};

#[tokio::test]
async fn get_me_describes_the_bot_completely() {
    let h = Harness::start().await;
    let me = h.ok("GetMe", json!({})).await;
    assert_eq!(me["id"], 123456);
    assert_eq!(me["is_bot"], true);
    assert_eq!(me["username"], "trainbot_test_bot");
    for flag in [
        "can_join_groups",
        "can_read_all_group_messages",
        "supports_inline_queries",
        "has_main_web_app",
        "can_connect_to_business",
        "has_topics_enabled",
    ] {
        assert!(me[flag].is_boolean(), "{flag} missing in {me}");
    }
    assert!(h.fake.violations().is_empty());
}

#[tokio::test]
async fn send_message_returns_a_complete_message_and_is_visible() {
    let h = Harness::start().await;
    let message = h
        .ok("SendMessage", json!({"chat_id": ALICE, "text": "Привет, <b>Алиса</b> &amp; co", "parse_mode": "HTML"}))
        .await;
    assert_eq!(message["message_id"], 1);
    assert!(message["date"].as_i64().unwrap() > 1_600_000_000);
    assert_eq!(
        message["chat"],
        json!({"id": ALICE, "type": "private", "first_name": "Alice", "username": "alice"})
    );
    assert_eq!(message["from"]["is_bot"], true);
    assert_eq!(message["text"], "Привет, Алиса & co");
    assert_eq!(
        message["entities"],
        json!([{"type": "bold", "offset": 8, "length": 5}])
    );

    let seen = h.fake.last_bot_message(ALICE).unwrap();
    assert_eq!(seen.text.as_deref(), Some("Привет, Алиса & co"));
    assert_eq!(seen.html.as_deref(), Some("Привет, <b>Алиса</b> &amp; co"));
    assert!(seen.from_bot);
    assert!(h.fake.messages(BOB).is_empty());
    let requests = h.fake.requests();
    assert_eq!(requests.last().unwrap().method, "sendMessage");
    assert!(requests.last().unwrap().ok);
}

#[tokio::test]
async fn forgotten_requests_leave_the_log_but_violations_stay() {
    let h = Harness::start().await;
    h.ok("sendMessage", json!({"chat_id": ALICE, "text": "one"}))
        .await;
    let (status, _) = h
        .call("sendMessage", json!({"chat_id": ALICE, "text": ""}))
        .await;
    assert_eq!(status, 400, "an empty text breaks a rule");
    assert_eq!(h.fake.requests().len(), 2);
    assert_eq!(h.fake.forget_requests(), 2);
    assert!(h.fake.requests().is_empty());
    assert_eq!(h.fake.violations().len(), 1);
    h.ok("sendMessage", json!({"chat_id": ALICE, "text": "two"}))
        .await;
    assert_eq!(h.fake.requests().len(), 1);
    assert_eq!(h.fake.messages(ALICE).len(), 2, "messages are not requests");
}

#[tokio::test]
async fn user_text_and_commands_arrive_as_updates() {
    let h = Harness::start().await;
    let first = h.fake.send_text(ALICE, "/start ref_42");
    let second = h.fake.send_text(ALICE, "hello");
    assert_eq!(second, first + 1);
    let updates = h.poll().await;
    assert_eq!(updates.len(), 2);
    let message = &updates[0]["message"];
    assert_eq!(updates[0]["update_id"], first);
    assert_eq!(message["text"], "/start ref_42");
    assert_eq!(
        message["entities"],
        json!([{"type": "bot_command", "offset": 0, "length": 6}])
    );
    assert_eq!(message["from"]["language_code"], "ru");
    assert_eq!(message["from"]["is_bot"], false);
    assert!(updates[1]["message"].get("entities").is_none());
    assert_eq!(h.fake.messages(ALICE).len(), 2);
    assert!(h.fake.is_confirmed(second));
}

#[tokio::test]
async fn press_answer_and_edit_flow() {
    let h = Harness::start().await;
    let menu = h
        .send_menu(ALICE, "Menu", &[("Kitchen", "s:1"), ("Bar", "s:2")])
        .await;
    assert_eq!(
        h.fake.last_bot_message(ALICE).unwrap().keyboard,
        vec![vec![
            ButtonView {
                text: "Kitchen".into(),
                callback_data: Some("s:1".into())
            },
            ButtonView {
                text: "Bar".into(),
                callback_data: Some("s:2".into())
            },
        ]]
    );
    let update_id = h.fake.press(ALICE, "Bar").unwrap();
    let updates = h.poll().await;
    assert_eq!(updates.len(), 1);
    let query = &updates[0]["callback_query"];
    assert_eq!(updates[0]["update_id"], update_id);
    assert_eq!(query["data"], "s:2");
    assert_eq!(query["from"]["id"], ALICE);
    assert_eq!(query["message"]["message_id"], menu);
    assert_eq!(
        query["message"]["reply_markup"]["inline_keyboard"][0][1]["callback_data"],
        "s:2"
    );
    assert!(query["chat_instance"].is_string());
    let query_id = query["id"].as_str().unwrap().to_owned();
    assert_eq!(h.fake.unanswered_callbacks(), vec![query_id.clone()]);

    assert_eq!(
        h.ok(
            "answerCallbackQuery",
            json!({"callback_query_id": query_id, "text": "ok"})
        )
        .await,
        true
    );
    assert!(h.fake.unanswered_callbacks().is_empty());
    let edited = h
        .ok("editMessageText", json!({"chat_id": ALICE, "message_id": menu, "text": "<i>Bar</i>", "parse_mode": "HTML"}))
        .await;
    assert_eq!(edited["text"], "Bar");
    assert!(edited["edit_date"].is_i64());
    assert!(
        edited.get("reply_markup").is_none(),
        "an edit without markup removes the keyboard"
    );
    let seen = h.fake.last_bot_message(ALICE).unwrap();
    assert_eq!(seen.edits, 1);
    assert!(seen.keyboard.is_empty());

    // Answering twice is a violation.
    h.fails(
        "answerCallbackQuery",
        json!({"callback_query_id": query_id}),
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    .await;
    assert_eq!(h.fake.callback_answers(&query_id), 2);
    assert_eq!(h.fake.violations().len(), 1);
    assert!(
        h.fake
            .violations()
            .iter()
            .all(|v| v.method == "answerCallbackQuery")
    );
}

#[tokio::test]
async fn press_errors_when_the_button_is_missing() {
    let h = Harness::start().await;
    assert!(h.fake.press(ALICE, "Nothing").is_err());
    h.send_menu(ALICE, "Old", &[("Old button", "o")]).await;
    h.send_menu(ALICE, "New", &[("New button", "n")]).await;
    // Only the latest keyboard counts.
    assert!(h.fake.press(ALICE, "Old button").is_err());
    assert!(h.fake.press(ALICE, "New button").is_ok());
}

#[tokio::test]
async fn forged_press_on_an_unknown_message_is_inaccessible() {
    let h = Harness::start().await;
    h.fake.press_on(ALICE, 999, "forged:data");
    let updates = h.poll().await;
    let query = &updates[0]["callback_query"];
    assert_eq!(query["data"], "forged:data");
    assert_eq!(query["message"]["message_id"], 999);
    assert_eq!(query["message"]["date"], 0);
}

#[tokio::test]
async fn not_modified_is_answered_but_not_a_violation() {
    let h = Harness::start().await;
    let menu = h.send_menu(ALICE, "Same", &[("A", "a")]).await;
    h.fails(
        "editMessageText",
        json!({"chat_id": ALICE, "message_id": menu, "text": "Same", "parse_mode": "HTML",
               "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}}),
        400,
        "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
    )
    .await;
    h.fails(
        "editMessageReplyMarkup",
        json!({"chat_id": ALICE, "message_id": menu, "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}}),
        400,
        "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
    )
    .await;
    assert!(h.fake.violations().is_empty());
    let changed = h
        .ok("editMessageReplyMarkup", json!({"chat_id": ALICE, "message_id": menu, "reply_markup": {"inline_keyboard": [[{"text": "B", "callback_data": "b"}]]}}))
        .await;
    assert_eq!(
        changed["reply_markup"]["inline_keyboard"][0][0]["text"],
        "B"
    );
    assert_eq!(h.fake.last_bot_message(ALICE).unwrap().edits, 1);
}

#[tokio::test]
async fn delete_hides_the_message() {
    let h = Harness::start().await;
    h.fake.send_text(ALICE, "my password");
    let bot = h
        .ok("sendMessage", json!({"chat_id": ALICE, "text": "ok"}))
        .await;
    assert_eq!(
        h.ok("deleteMessage", json!({"chat_id": ALICE, "message_id": 1}))
            .await,
        true
    );
    let left = h.fake.messages(ALICE);
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].message_id, bot["message_id"].as_i64().unwrap());
    h.fails(
        "deleteMessage",
        json!({"chat_id": ALICE, "message_id": 1}),
        400,
        "Bad Request: message to delete not found",
    )
    .await;
    h.fails(
        "editMessageText",
        json!({"chat_id": ALICE, "message_id": 1, "text": "x"}),
        400,
        "Bad Request: message to edit not found",
    )
    .await;
}

#[tokio::test]
async fn blocked_users_answer_403_without_a_violation() {
    let h = Harness::start().await;
    h.fake.set_blocked(BOB, true);
    h.fails(
        "sendMessage",
        json!({"chat_id": BOB, "text": "news"}),
        403,
        "Forbidden: bot was blocked by the user",
    )
    .await;
    assert!(h.fake.violations().is_empty());
    let blocked = h.fake.blocked_sends();
    assert_eq!(blocked.len(), 1);
    assert_eq!(blocked[0].params["chat_id"], BOB);
    h.fake.set_blocked(BOB, false);
    h.ok(
        "sendMessage",
        json!({"chat_id": BOB, "text": "welcome back"}),
    )
    .await;
}

#[tokio::test]
async fn late_callback_answers_are_too_old() {
    let h = Harness::with_config(FakeConfig {
        callback_answer_timeout: Duration::from_millis(50),
        ..FakeConfig::default()
    })
    .await;
    h.send_menu(ALICE, "Menu", &[("A", "a")]).await;
    h.fake.press(ALICE, "A").unwrap();
    let updates = h.poll().await;
    let query_id = updates[0]["callback_query"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    tokio::time::sleep(Duration::from_millis(80)).await;
    h.fails(
        "answerCallbackQuery",
        json!({"callback_query_id": query_id}),
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    .await;
    assert_eq!(h.fake.unanswered_callbacks(), vec![query_id]);
    assert_eq!(h.fake.violations().len(), 1);
}

#[tokio::test]
async fn commands_are_stored_per_language() {
    let h = Harness::start().await;
    let commands = json!([{"command": "start", "description": "Начать"}, {"command": "help", "description": "Помощь"}]);
    h.ok(
        "setMyCommands",
        json!({"commands": commands, "language_code": "ru"}),
    )
    .await;
    h.ok("setMyCommands", json!({"commands": [{"command": "start", "description": "Start"}], "scope": {"type": "default"}})).await;
    assert_eq!(
        h.fake.commands(Some("ru")),
        vec![
            ("start".into(), "Начать".into()),
            ("help".into(), "Помощь".into())
        ]
    );
    assert_eq!(
        h.fake.commands(None),
        vec![("start".into(), "Start".into())]
    );
    assert_eq!(
        h.ok("getMyCommands", json!({"language_code": "ru"})).await,
        commands
    );
    assert_eq!(
        h.ok(
            "sendChatAction",
            json!({"chat_id": ALICE, "action": "typing"})
        )
        .await,
        true
    );
    assert!(h.fake.violations().is_empty());
}

#[tokio::test]
async fn wait_for_sees_the_bots_requests() {
    let h = Harness::start().await;
    let fake = h.fake.clone();
    let waiter = tokio::spawn(async move {
        fake.wait_for(Duration::from_secs(5), |f| {
            f.last_bot_message(ALICE).is_some()
        })
        .await
    });
    h.ok("sendMessage", json!({"chat_id": ALICE, "text": "hi"}))
        .await;
    waiter.await.unwrap().unwrap();
    let timeout = h
        .fake
        .wait_for(Duration::from_millis(20), |f| {
            f.last_bot_message(BOB).is_some()
        })
        .await;
    assert!(timeout.is_err());
}

#[tokio::test]
async fn descriptions_are_stored_per_language_within_telegrams_limits() {
    let h = Harness::start().await;
    h.ok("setMyDescription", json!({"description": "Обучение"}))
        .await;
    h.ok(
        "setMyShortDescription",
        json!({"short_description": "Training", "language_code": "en"}),
    )
    .await;
    assert_eq!(
        h.ok("getMyDescription", json!({"language_code": "en"}))
            .await,
        json!({"description": "Обучение"}),
        "a language without its own text gets the one set without a language"
    );
    assert_eq!(
        h.ok("getMyShortDescription", json!({"language_code": "en"}))
            .await,
        json!({"short_description": "Training"})
    );
    assert_eq!(
        h.ok("getMyShortDescription", json!({})).await,
        json!({"short_description": ""})
    );
    h.fails(
        "setMyDescription",
        json!({"description": "д".repeat(513)}),
        400,
        "Bad Request: DESCRIPTION_INVALID",
    )
    .await;
    h.fails(
        "setMyShortDescription",
        json!({"short_description": "д".repeat(121)}),
        400,
        "Bad Request: SHORT_DESCRIPTION_INVALID",
    )
    .await;
    assert_eq!(h.fake.description(false, None), Some("Обучение".into()));
    assert_eq!(
        h.fake.description(true, Some("en")),
        Some("Training".into())
    );
}

#[tokio::test]
async fn a_chat_scope_must_name_a_chat_the_bot_knows() {
    let h = Harness::start().await;
    let commands = json!([{"command": "admin", "description": "Admin panel"}]);
    h.fails(
        "setMyCommands",
        json!({"commands": commands, "scope": {"type": "chat", "chat_id": 777}}),
        400,
        "Bad Request: chat not found",
    )
    .await;
    h.fake.add_user(fake_telegram::TestUser::new(777, "Anna"));
    h.ok(
        "setMyCommands",
        json!({"commands": commands, "scope": {"type": "chat", "chat_id": 777}}),
    )
    .await;
    assert_eq!(
        h.fake.chat_commands(777, None),
        vec![("admin".into(), "Admin panel".into())]
    );
    h.ok(
        "deleteMyCommands",
        json!({"scope": {"type": "chat", "chat_id": 777}}),
    )
    .await;
    assert!(h.fake.chat_commands(777, None).is_empty());
}

#[tokio::test]
async fn presses_answered_out_of_order_name_their_chat() {
    let h = Harness::start().await;
    for chat in [ALICE, BOB] {
        h.send_menu(chat, "Menu", &[("A", "a")]).await;
    }
    for chat in [ALICE, ALICE, BOB, BOB] {
        h.fake.press(chat, "A").unwrap();
    }
    let updates = h.poll().await;
    let ids: Vec<String> = updates
        .iter()
        .map(|u| u["callback_query"]["id"].as_str().unwrap().to_owned())
        .collect();
    // Alice's second press is answered before her first; Bob's in order.
    for id in [&ids[1], &ids[0], &ids[2], &ids[3]] {
        h.ok("answerCallbackQuery", json!({"callback_query_id": id}))
            .await;
    }
    assert_eq!(h.fake.chats_answered_out_of_order(), vec![ALICE]);
}
