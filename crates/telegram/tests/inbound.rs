//! `Update` JSON (as Telegram sends it) -> `Inbound`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use domain::content::MediaKind;
use domain::ids::{ChatId, UserId};
use engine::{Attachment, CallbackMessage, Input};
use serde_json::{Value, json};
use telegram::inbound::to_inbound;
use teloxide::types::Update;

fn user() -> Value {
    json!({"id": 5_000_000_123_i64, "is_bot": false, "first_name": "Анна", "last_name": "К.", "username": "anna", "language_code": "ru"})
}

fn chat() -> Value {
    json!({"id": 5_000_000_123_i64, "type": "private", "first_name": "Анна"})
}

fn message(extra: Value) -> Value {
    let mut m = json!({"message_id": 7, "date": 1_700_000_000, "chat": chat(), "from": user()});
    m.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    m
}

fn parse(update: Value) -> engine::Inbound {
    // As the transport does: from the raw text (teloxide's `Update` does not
    // deserialize from an already-parsed `Value`).
    let update: Update = serde_json::from_str(&update.to_string()).expect("valid update JSON");
    assert!(
        !matches!(update.kind, teloxide::types::UpdateKind::Error(_)),
        "teloxide rejected {update:?}"
    );
    to_inbound(&update).expect("mapped")
}

#[test]
fn a_command_with_arguments_and_a_bot_suffix() {
    let i = parse(
        json!({"update_id": 10, "message": message(json!({"text": "/start@trainbot  invite-123 ",
        "entities": [{"type": "bot_command", "offset": 0, "length": 14}]}))}),
    );
    assert_eq!(i.update_id, 10);
    assert_eq!(i.chat, ChatId(5_000_000_123));
    assert!(i.private_chat);
    let from = i.from.unwrap();
    assert_eq!(from.id, UserId(5_000_000_123), "ids above 32 bits survive");
    assert_eq!(from.language_code.as_deref(), Some("ru"));
    assert_eq!(
        i.input,
        Input::Command {
            name: "start".into(),
            args: "invite-123".into()
        }
    );
}

#[test]
fn plain_text_and_things_that_only_look_like_commands() {
    for (text, expected) in [
        ("hello", Input::Text("hello".into())),
        ("/", Input::Text("/".into())),
        ("/ menu", Input::Text("/ menu".into())),
        (
            "/menu",
            Input::Command {
                name: "menu".into(),
                args: String::new(),
            },
        ),
    ] {
        let i = parse(json!({"update_id": 1, "message": message(json!({"text": text}))}));
        assert_eq!(i.input, expected, "{text:?}");
    }
}

#[test]
fn media_from_a_person() {
    let photo =
        json!({"photo": [{"file_id": "a", "file_unique_id": "b", "width": 1, "height": 1}]});
    assert_eq!(
        parse(json!({"update_id": 2, "message": message(photo)})).input,
        Input::Media {
            file: Some(Attachment {
                kind: MediaKind::Photo,
                file_id: "a".into()
            }),
            caption: None
        }
    );
    let document =
        json!({"document": {"file_id": "d", "file_unique_id": "u"}, "caption": "Read <this>"});
    assert_eq!(
        parse(json!({"update_id": 5, "message": message(document)})).input,
        Input::Media {
            file: Some(Attachment {
                kind: MediaKind::Document,
                file_id: "d".into()
            }),
            caption: Some("Read <this>".into())
        }
    );
    let sticker = json!({"sticker": {"file_id": "s", "file_unique_id": "u", "type": "regular", "width": 1, "height": 1, "is_animated": false, "is_video": false}});
    assert_eq!(
        parse(json!({"update_id": 3, "message": message(sticker)})).input,
        Input::Media {
            file: None,
            caption: None
        }
    );
}

#[test]
fn a_button_press_on_a_text_and_on_a_media_message() {
    let on_text = json!({"update_id": 4, "callback_query": {"id": "q1", "from": user(), "chat_instance": "c", "data": "1h",
        "message": message(json!({"text": "menu", "from": {"id": 1, "is_bot": true, "first_name": "bot"}}))}});
    let i = parse(on_text);
    assert_eq!(
        i.input,
        Input::Callback {
            query_id: "q1".into(),
            data: Some("1h".into()),
            message: Some(CallbackMessage {
                id: 7,
                has_text: true
            }),
        }
    );
    let on_photo = json!({"update_id": 5, "callback_query": {"id": "q2", "from": user(), "chat_instance": "c", "data": "1h",
        "message": message(json!({"caption": "x", "photo": [{"file_id": "a", "file_unique_id": "b", "width": 1, "height": 1}]}))}});
    let Input::Callback { message, .. } = parse(on_photo).input else {
        panic!()
    };
    assert_eq!(
        message,
        Some(CallbackMessage {
            id: 7,
            has_text: false
        })
    );
}

#[test]
fn a_press_on_an_inaccessible_message_has_no_message_to_edit() {
    let update = json!({"update_id": 6, "callback_query": {"id": "q3", "from": user(), "chat_instance": "c", "data": "1h",
        "message": {"chat": chat(), "message_id": 99, "date": 0}}});
    let i = parse(update);
    assert_eq!(i.chat, ChatId(5_000_000_123));
    let Input::Callback { message, .. } = i.input else {
        panic!()
    };
    assert_eq!(message, None);
}

#[test]
fn group_messages_and_edits_are_marked() {
    let group = json!({"id": -100123, "type": "supergroup", "title": "Staff"});
    let m = json!({"update_id": 8, "message": {"message_id": 1, "date": 0, "chat": group, "from": user(), "text": "/start"}});
    assert!(!parse(m).private_chat);
    let edit =
        json!({"update_id": 9, "edited_message": message(json!({"text": "x", "edit_date": 1}))});
    assert_eq!(parse(edit).input, Input::Unsupported);
}

#[test]
fn a_press_on_another_chats_message_belongs_to_the_presser_and_is_stale() {
    let other = json!({"id": 6_000_000_456_i64, "type": "private", "first_name": "Борис"});
    let mut named = message(json!({"text": "Boris's menu"}));
    named["chat"] = other;
    let update = json!({"update_id": 10, "callback_query": {"id": "q4", "from": user(), "chat_instance": "c", "data": "1h",
        "message": named}});
    let i = parse(update);
    assert_eq!(i.chat, ChatId(5_000_000_123), "the presser's own chat");
    assert!(i.private_chat);
    assert_eq!(
        i.input,
        Input::Callback {
            query_id: "q4".into(),
            data: None,
            message: None,
        },
        "nothing of the other chat's message is acted on"
    );
}
