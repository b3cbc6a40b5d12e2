//! A raw Bot API update mapped to what the engine sees ([`telegram::inbound`]).

use engine::Input;
use telegram::inbound::{Read, read_update, to_inbound};
use telegram::webhook::parse_update;
use teloxide::types::UpdateKind;

/// The input is a webhook body (or one update of a `getUpdates` answer). Parsing
/// and mapping never panic, whatever the JSON. A mapped update keeps its id; a
/// button press is always about its sender's own private chat, and a press naming
/// a message of another chat carries neither data nor that message; a command has
/// a name without spaces or a bot suffix, and trimmed arguments; other text is
/// passed on unchanged. The poller's own reading of an update ([`read_update`],
/// which reads presses without teloxide) gives exactly what teloxide's gives.
pub fn update(data: &[u8]) {
    let Some(update) = parse_update(data) else {
        return;
    };
    let mapped = to_inbound(&update);
    if let Ok(text) = std::str::from_utf8(data)
        && !matches!(update.kind, UpdateKind::Error(_))
    {
        let expected = Read {
            update_id: i64::from(update.id.0),
            inbound: mapped.clone(),
        };
        assert_eq!(
            read_update(text),
            Some(expected),
            "read otherwise by the poller"
        );
    }
    let Some(inbound) = mapped else {
        // Only ids beyond `i64` (Telegram's never are) or an update without a chat.
        return;
    };
    assert_eq!(inbound.update_id, i64::from(update.id.0));
    if let Some(from) = &inbound.from {
        assert!(from.id.0 >= 0, "a user id from a u64 is never negative");
    }
    match &update.kind {
        UpdateKind::CallbackQuery(q) => {
            let sender = i64::try_from(q.from.id.0).unwrap_or(-1);
            assert_eq!(inbound.chat.0, sender, "a press acts in its sender's chat");
            assert!(inbound.private_chat);
            assert_eq!(inbound.from.as_ref().map(|f| f.id.0), Some(sender));
            let Input::Callback {
                query_id,
                data,
                message,
            } = &inbound.input
            else {
                panic!("a callback query mapped to {:?}", inbound.input);
            };
            assert_eq!(query_id, &q.id.0);
            let foreign = q.message.as_ref().is_some_and(|m| m.chat().id.0 != sender);
            if foreign {
                assert_eq!(data, &None, "data of a press in another chat is passed on");
                assert_eq!(message, &None, "a message of another chat is passed on");
            } else {
                assert_eq!(data, &q.data);
            }
        }
        UpdateKind::Message(msg) => {
            assert_eq!(inbound.chat.0, msg.chat.id.0);
            assert_eq!(inbound.message_id, Some(i64::from(msg.id.0)));
            match (&inbound.input, msg.text()) {
                (Input::Command { name, args }, Some(text)) => {
                    assert!(text.starts_with('/'), "{text:?} is not a command");
                    assert!(!name.is_empty(), "a command without a name: {text:?}");
                    assert!(
                        !name.contains(char::is_whitespace) && !name.contains('@'),
                        "command name {name:?} from {text:?}"
                    );
                    assert_eq!(args.trim(), args, "untrimmed arguments from {text:?}");
                    assert!(text.contains(name.as_str()) && text.contains(args.as_str()));
                }
                (Input::Text(got), Some(text)) => assert_eq!(got, text),
                (other, Some(text)) => panic!("text {text:?} mapped to {other:?}"),
                (Input::Command { .. } | Input::Text(_), None) => {
                    panic!("a message without text mapped to {:?}", inbound.input)
                }
                _ => {}
            }
        }
        _ => {
            assert_eq!(inbound.input, Input::Unsupported);
            assert_eq!(inbound.message_id, None);
        }
    }
}
