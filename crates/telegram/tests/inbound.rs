//! `Update` JSON (as Telegram sends it) -> `Inbound`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use domain::content::MediaKind;
use domain::ids::{ChatId, UserId};
use engine::{Attachment, CallbackMessage, Input};
use proptest::prelude::*;
use serde_json::{Value, json};
use telegram::inbound::{Read, read_update, to_inbound};
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

/// Maps an update as teloxide reads it, and checks that the poller's own reading
/// ([`read_update`], which reads presses itself) gives exactly the same.
fn parse(update: Value) -> engine::Inbound {
    // As the transport does: from the raw text (teloxide's `Update` does not
    // deserialize from an already-parsed `Value`).
    let raw = update.to_string();
    let update: Update = serde_json::from_str(&raw).expect("valid update JSON");
    assert!(
        !matches!(update.kind, teloxide::types::UpdateKind::Error(_)),
        "teloxide rejected {update:?}"
    );
    let inbound = to_inbound(&update).expect("mapped");
    assert_eq!(
        read_update(&raw),
        Some(Read {
            update_id: inbound.update_id,
            inbound: Some(inbound.clone()),
        }),
        "the poller reads {raw} otherwise"
    );
    inbound
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
                has_text: true,
                edited: None,
            }),
        }
    );
    let on_photo = json!({"update_id": 5, "callback_query": {"id": "q2", "from": user(), "chat_instance": "c", "data": "1h",
        "message": message(json!({"caption": "x", "edit_date": 1_700_000_050, "photo": [{"file_id": "a", "file_unique_id": "b", "width": 1, "height": 1}]}))}});
    let Input::Callback { message, .. } = parse(on_photo).input else {
        panic!()
    };
    assert_eq!(
        message,
        Some(CallbackMessage {
            id: 7,
            has_text: false,
            edited: Some(1_700_000_050),
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

#[test]
fn an_element_that_is_no_update_is_not_read() {
    for raw in ["{}", "[]", "null", "{\"callback_query\": {}}", "not json"] {
        assert_eq!(read_update(raw), None, "{raw}");
    }
    // An update of a kind the bot does not use keeps its id, so it is confirmed.
    let poll = json!({"update_id": 77, "poll": {"id": "p"}}).to_string();
    assert_eq!(read_update(&poll).map(|r| r.update_id), Some(77));
}

/// A press as Telegram could send it, with what varies between presses varied.
fn any_press() -> impl Strategy<Value = Value> {
    let user_id = prop_oneof![
        1u64..=10_000_000_000,
        Just(i64::MAX as u64),
        Just(i64::MAX as u64 + 1),
        Just(u64::MAX),
    ];
    let chat_id = prop_oneof![Just(None), any::<i64>().prop_map(Some)];
    let text = prop_oneof![
        Just(None),
        ".{0,20}".prop_map(Some),
        Just(Some("a \"quoted\" \\ line\nbreak".to_owned())),
    ];
    let names = (
        "\\PC{1,12}",
        proptest::option::of("\\PC{0,12}"),
        proptest::option::of("[a-z_]{1,10}"),
    );
    (
        (0u32..=u32::MAX, "[0-9a-f]{1,20}", user_id, names),
        (
            proptest::option::of("[a-z]{2}"),
            proptest::option::of(".{0,64}"),
            proptest::option::of((
                1i32..=i32::MAX,
                prop_oneof![Just(0i64), 1i64..2_000_000_000],
                chat_id,
                text,
            )),
            any::<bool>(),
        ),
    )
        .prop_map(
            |((update_id, query, user, (first, last, username)), (lang, data, message, extra))| {
                let mut from = json!({"id": user, "is_bot": false, "first_name": first});
                if let Some(last) = last {
                    from["last_name"] = json!(last);
                }
                if let Some(username) = username {
                    from["username"] = json!(username);
                }
                if let Some(lang) = lang {
                    from["language_code"] = json!(lang);
                }
                let mut q = json!({"id": query, "from": from, "chat_instance": "ci"});
                if let Some(data) = data {
                    q["data"] = json!(data);
                }
                if let Some((message_id, date, chat, text)) = message {
                    // The presser's own chat unless another is named.
                    let chat = chat.map_or_else(|| json!(user), |c| json!(c));
                    let mut m = json!({"message_id": message_id, "date": date,
                        "chat": {"id": chat, "type": "private", "first_name": "X"}});
                    match text {
                        Some(text) => m["text"] = json!(text),
                        None => m["caption"] = json!("photo"),
                    }
                    if extra {
                        m["reply_markup"] =
                            json!({"inline_keyboard": [[{"text": "b", "callback_data": "1h"}]]});
                    }
                    q["message"] = m;
                }
                if extra {
                    q["game_short_name"] = json!("g");
                }
                json!({"update_id": update_id, "callback_query": q})
            },
        )
}

proptest! {
    /// Whatever the press, the poller's own reading and teloxide's agree: the same
    /// id, the same chat, the same data or none, the same message or none.
    #[test]
    fn the_poller_reads_every_press_as_teloxide_does(press in any_press()) {
        let raw = press.to_string();
        let teloxide: Update = serde_json::from_str(&raw).expect("teloxide reads a press");
        let expected = Read {
            update_id: i64::from(teloxide.id.0),
            inbound: to_inbound(&teloxide),
        };
        prop_assert_eq!(read_update(&raw), Some(expected));
    }
}
