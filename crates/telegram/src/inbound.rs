//! Telegram `Update` -> [`Inbound`]. Pure: tested on JSON fixtures.
//!
//! [`read_update`] reads one update of a `getUpdates` answer. A button press, most
//! of the bot's traffic, is read straight from its JSON into the few fields the
//! bot uses (ADR 0039): teloxide's `Update` copies a message into an
//! intermediate tree for its flattened fields, which cost several per cent of
//! the bot's CPU. Anything else, and a press whose JSON does not have the shape
//! Telegram gives, goes through teloxide's `Update` and [`to_inbound`], so what
//! is handled, and how, is the same either way (a test compares the two).

use domain::content::MediaKind;
use domain::ids::{ChatId, UserId};
use engine::ports::UserProfile;
use engine::{Attachment, CallbackMessage, Inbound, Input};
use serde::Deserialize;
use serde::de::IgnoredAny;
use teloxide::types::{Message, Update, UpdateKind, User};

/// One update of a `getUpdates` answer, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Read {
    pub update_id: i64,
    /// What the engine gets; `None` for an update it has no use for (it is
    /// confirmed and skipped).
    pub inbound: Option<Inbound>,
}

/// Reads one update (the JSON of one element of `getUpdates`' result). `None`
/// when it is no update at all: not even its id can be read.
pub fn read_update(raw: &str) -> Option<Read> {
    if let Ok(update) = serde_json::from_str::<PressUpdate>(raw) {
        let update_id = i64::from(update.update_id);
        return Some(Read {
            update_id,
            inbound: press(update_id, update.callback_query),
        });
    }
    let update: Update = serde_json::from_str(raw).ok()?;
    Some(Read {
        update_id: i64::from(update.id.0),
        inbound: to_inbound(&update),
    })
}

/// An update that is a button press and nothing else, with the fields
/// teloxide requires of one (so that both readings accept the same presses).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PressUpdate {
    update_id: u32,
    callback_query: PressQuery,
}

#[derive(Deserialize)]
struct PressQuery {
    id: String,
    from: PressUser,
    message: Option<PressMessage>,
    data: Option<String>,
    #[serde(rename = "chat_instance")]
    _chat_instance: String,
}

#[derive(Deserialize)]
struct PressUser {
    id: u64,
    #[serde(rename = "is_bot")]
    _is_bot: bool,
    first_name: String,
    last_name: Option<String>,
    username: Option<String>,
    language_code: Option<String>,
}

/// The message that carried the button: enough to tell whose chat it is in and
/// whether it can be edited. A date of 0 marks a message the bot can no longer
/// reach (deleted, or older than 48 hours).
#[derive(Deserialize)]
struct PressMessage {
    message_id: i32,
    date: i64,
    chat: PressChat,
    edit_date: Option<i64>,
    text: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct PressChat {
    id: i64,
    #[serde(rename = "type")]
    _kind: IgnoredAny,
}

/// A press read by [`read_update`]: the same [`Inbound`] as [`to_inbound`] makes.
fn press(update_id: i64, q: PressQuery) -> Option<Inbound> {
    let sender = i64::try_from(q.from.id).ok()?;
    let foreign = q.message.as_ref().is_some_and(|m| m.chat.id != sender);
    if foreign {
        metrics::counter!("trainbot_foreign_callbacks_total").increment(1);
    }
    let message = q
        .message
        .filter(|m| !foreign && m.date != 0)
        .map(|m| CallbackMessage {
            id: i64::from(m.message_id),
            has_text: m.text.is_some(),
            edited: m.edit_date,
        });
    Some(Inbound {
        update_id,
        chat: ChatId(sender),
        private_chat: true,
        from: Some(UserProfile {
            id: UserId(sender),
            first_name: q.from.first_name,
            last_name: q.from.last_name,
            username: q.from.username,
            language_code: q.from.language_code,
        }),
        message_id: None,
        input: Input::Callback {
            query_id: q.id,
            data: if foreign { None } else { q.data },
            message,
        },
    })
}

/// Maps an update to what the engine needs. Updates the bot has no use for map to
/// [`Input::Unsupported`]; ids that do not fit an `i64` (never seen in practice)
/// make the update unusable, so it is skipped.
pub fn to_inbound(update: &Update) -> Option<Inbound> {
    let update_id = i64::from(update.id.0);
    match &update.kind {
        UpdateKind::Message(msg) => Some(Inbound {
            update_id,
            chat: ChatId(msg.chat.id.0),
            private_chat: msg.chat.is_private(),
            from: msg.from.as_ref().and_then(profile),
            message_id: Some(i64::from(msg.id.0)),
            input: message_input(msg),
        }),
        UpdateKind::CallbackQuery(q) => {
            // The chat of a press is its sender's private chat (whose id is the
            // sender's id), whatever message the press names: the bot never acts
            // in another chat because of what an update says about a message.
            let sender = i64::try_from(q.from.id.0).ok()?;
            let message = q.message.as_ref();
            let foreign = message.is_some_and(|m| m.chat().id.0 != sender);
            if foreign {
                metrics::counter!("trainbot_foreign_callbacks_total").increment(1);
            }
            Some(Inbound {
                update_id,
                chat: ChatId(sender),
                private_chat: true,
                from: profile(&q.from),
                message_id: None,
                input: Input::Callback {
                    query_id: q.id.0.clone(),
                    // A press on a message of another chat (forged, or a button in a
                    // group) is a stale menu: answered, and that chat left alone.
                    data: if foreign { None } else { q.data.clone() },
                    // An inaccessible message (deleted, or older than 48 hours) can be
                    // neither edited nor deleted: the engine sends a new screen instead.
                    message: message
                        .filter(|_| !foreign)
                        .and_then(|m| m.regular_message())
                        .map(|m| CallbackMessage {
                            id: i64::from(m.id.0),
                            has_text: m.text().is_some(),
                            edited: m.edit_date().map(|d| d.timestamp()),
                        }),
                },
            })
        }
        _ => {
            let chat = update.chat().map(|c| c.id.0)?;
            Some(Inbound {
                update_id,
                chat: ChatId(chat),
                private_chat: update.chat().is_some_and(|c| c.is_private()),
                from: update.from().and_then(profile),
                message_id: None,
                input: Input::Unsupported,
            })
        }
    }
}

fn profile(user: &User) -> Option<UserProfile> {
    Some(UserProfile {
        id: UserId(i64::try_from(user.id.0).ok()?),
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        username: user.username.clone(),
        language_code: user.language_code.clone(),
    })
}

fn message_input(msg: &Message) -> Input {
    if let Some(text) = msg.text() {
        return match text.strip_prefix('/') {
            Some(rest) if !rest.is_empty() && !rest.starts_with(char::is_whitespace) => {
                let (head, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                // `/menu@trainbot` in a group names the bot; the name is not ours to check.
                let name = head.split('@').next().unwrap_or(head);
                Input::Command {
                    name: name.to_owned(),
                    args: args.trim().to_owned(),
                }
            }
            _ => Input::Text(text.to_owned()),
        };
    }
    let file = attachment(msg);
    let is_media = file.is_some()
        || msg.sticker().is_some()
        || msg.voice().is_some()
        || msg.audio().is_some()
        || msg.animation().is_some()
        || msg.video_note().is_some()
        || msg.contact().is_some()
        || msg.location().is_some();
    if is_media {
        Input::Media {
            file,
            caption: msg.caption().map(str::to_owned),
        }
    } else {
        Input::Unsupported
    }
}

/// A photo (its largest size), video or document, which can be sent on by file id.
fn attachment(msg: &Message) -> Option<Attachment> {
    let (kind, file_id) = if let Some(sizes) = msg.photo() {
        (MediaKind::Photo, &sizes.last()?.file.id)
    } else if let Some(video) = msg.video() {
        (MediaKind::Video, &video.file.id)
    } else if let Some(document) = msg.document() {
        (MediaKind::Document, &document.file.id)
    } else {
        return None;
    };
    Some(Attachment {
        kind,
        file_id: file_id.0.clone(),
    })
}
