//! What reaches the engine: a transport-neutral picture of one Telegram update.

use domain::content::MediaKind;
use domain::ids::{ChatId, UserId};

/// One update, as the engine sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inbound {
    /// Telegram's `update_id`, for de-duplication and logs.
    pub update_id: i64,
    pub chat: ChatId,
    /// Only private chats are served; group messages are ignored.
    pub private_chat: bool,
    /// The person who caused the update (absent for channel posts and such).
    pub from: Option<UserProfile>,
    /// The person's message, for updates that are one (so it can be deleted: a
    /// password must not stay in the chat).
    pub message_id: Option<i64>,
    pub input: Input,
}

/// What the person did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// `/name args` (the `@botname` suffix already removed, name lower-cased).
    Command { name: String, args: String },
    /// A button press.
    Callback {
        query_id: String,
        /// Absent when Telegram sent none (game buttons); handled like stale data.
        data: Option<String>,
        /// The message whose button was pressed, if Telegram still has it.
        message: Option<CallbackMessage>,
    },
    /// Free text.
    Text(String),
    /// A photo, video, document, sticker, voice note, ...; photos, videos and
    /// documents carry what is needed to send them on (an admin's broadcast).
    Media {
        file: Option<Attachment>,
        /// The caption typed with it.
        caption: Option<String>,
    },
    /// Anything else (edited messages, service messages, ...): no answer.
    Unsupported,
}

impl Input {
    /// The kind of input, for traces and logs: `command`, `callback`, `text`,
    /// `media` or `unsupported`.
    pub fn kind(&self) -> &'static str {
        match self {
            Input::Command { .. } => "command",
            Input::Callback { .. } => "callback",
            Input::Text(_) => "text",
            Input::Media { .. } => "media",
            Input::Unsupported => "unsupported",
        }
    }
}

/// What Telegram tells us about a person with each update.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserProfile {
    pub id: UserId,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: Option<String>,
    /// The Telegram client's language (`"en-GB"`), used only for a new person.
    pub language_code: Option<String>,
}

/// The message that carried the pressed button.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallbackMessage {
    pub id: i64,
    /// Whether it is a text message (it can be edited into another screen) or a
    /// media message (it cannot: the engine deletes it and sends a new one).
    pub has_text: bool,
    /// When Telegram last saw it edited (`edit_date`, Unix seconds), as the
    /// press found it; `None` if it never was. Tells the transport whether what
    /// it remembers of the message is current (ADR 0050).
    pub edited: Option<i64>,
}

/// A file a person sent, as Telegram keeps it: it can be sent on by `file_id`
/// without downloading it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub kind: MediaKind,
    pub file_id: String,
}
