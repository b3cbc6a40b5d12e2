//! What the engine asks the transport to do.

use domain::callback::Callback;
use domain::content::Media;
use domain::html::Html;
use domain::ids::ChatId;

use crate::inbound::Attachment;

/// One thing to do in Telegram, executed in order per chat.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Stop the button's spinner; optionally with a short toast.
    AnswerCallback {
        query_id: String,
        text: Option<String>,
    },
    Send {
        chat: ChatId,
        text: Html,
        keyboard: Option<Keyboard>,
    },
    /// Edit a text message in place. "Not modified" is success; if the message is
    /// gone or holds media, the transport sends `text` as a new message instead.
    Edit {
        chat: ChatId,
        message_id: i64,
        text: Html,
        keyboard: Option<Keyboard>,
    },
    /// Send a page's media (uploaded once, then by cached `file_id`).
    SendMedia {
        chat: ChatId,
        media: Media,
        caption: Html,
    },
    /// Send a generated file (a certificate) as a document.
    SendDocument {
        chat: ChatId,
        file_name: String,
        bytes: std::sync::Arc<Vec<u8>>,
        caption: Html,
    },
    /// Send a generated picture (a QR code) as a photo.
    SendPicture {
        chat: ChatId,
        png: std::sync::Arc<Vec<u8>>,
        caption: Html,
    },
    /// Send on a file a person sent the bot (an admin's broadcast attachment), by its
    /// Telegram `file_id`.
    SendFile {
        chat: ChatId,
        file: Attachment,
        caption: Html,
    },
    /// Draw a chart and send it as a photo with the screen's buttons; the chat
    /// shows "sending a photo" while it is drawn and uploaded.
    SendChart {
        chat: ChatId,
        chart: pictures::charts::Chart,
        caption: Html,
        keyboard: Option<Keyboard>,
    },
    /// Give a chat the admin's command menu (with `/admin`), or take it away
    /// (`admin: false`): a role granted or revoked.
    AdminMenu { chat: ChatId, admin: bool },
    /// Remove a message; failure is harmless.
    Delete { chat: ChatId, message_id: i64 },
}

impl Action {
    /// Whether doing this again would go unseen: Telegram refuses a second answer
    /// to a button, an edit to the same content changes nothing, a deleted
    /// message stays deleted, a command menu set twice is the same menu. A new
    /// message, sent again, would show twice. (An edit whose message is gone
    /// becomes a new message; done twice, that shows twice.) ADR 0037.
    pub fn repeats_unseen(&self) -> bool {
        matches!(
            self,
            Action::AnswerCallback { .. }
                | Action::Edit { .. }
                | Action::Delete { .. }
                | Action::AdminMenu { .. }
        )
    }
}

/// Where, among an update's answer, it was marked handled
/// ([`crate::Engine::finish_update`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marked {
    /// Before the answer's first new message: repeating from here would show.
    BeforeMessage,
    /// After the whole answer, which has no new message: a repeat goes unseen.
    AfterAll,
}

/// An inline keyboard. Buttons carry [`Callback`]s, so callback data can only be
/// produced by the codec.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Keyboard {
    pub rows: Vec<Vec<Button>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Button {
    pub text: String,
    pub callback: Callback,
}

impl Button {
    pub fn new(text: impl Into<String>, callback: Callback) -> Button {
        Button {
            text: text.into(),
            callback,
        }
    }
}

impl Keyboard {
    pub fn row(mut self, buttons: Vec<Button>) -> Keyboard {
        if !buttons.is_empty() {
            self.rows.push(buttons);
        }
        self
    }

    /// Every button, row by row.
    pub fn buttons(&self) -> impl Iterator<Item = &Button> {
        self.rows.iter().flatten()
    }
}
