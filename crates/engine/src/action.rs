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
    /// Let background work this answer announced begin (an export: its file, or
    /// the reason there is none, must not arrive before "preparing your export").
    /// Makes no call.
    Open(std::sync::Arc<Gate>),
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
                | Action::Open(_)
        )
    }
}

/// Holds background work back until the answer that announced it has been sent
/// ([`Action::Open`]), or for at most a given time if it never is (the chat
/// blocked the bot, or the process stopped before).
#[derive(Debug, Default)]
pub struct Gate {
    open: std::sync::atomic::AtomicBool,
    opened: tokio::sync::Notify,
}

impl Gate {
    pub fn open(&self) {
        self.open.store(true, std::sync::atomic::Ordering::Release);
        self.opened.notify_waiters();
    }

    /// Waits until the gate is open, at most `patience`.
    pub async fn pass(&self, patience: std::time::Duration) {
        let opened = self.opened.notified();
        tokio::pin!(opened);
        // Registered before the check, so an `open` in between is not missed.
        opened.as_mut().enable();
        if self.open.load(std::sync::atomic::Ordering::Acquire) {
            return;
        }
        let _ = tokio::time::timeout(patience, opened).await;
    }
}

/// Gates are equal only to themselves: two jobs' gates are never the same.
impl PartialEq for Gate {
    fn eq(&self, other: &Gate) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for Gate {}

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

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::Gate;

    #[tokio::test(start_paused = true)]
    async fn a_gate_lets_through_once_opened_or_after_its_patience() {
        let gate = Arc::new(Gate::default());
        let waiter = tokio::spawn({
            let gate = gate.clone();
            async move { gate.pass(Duration::from_secs(3600)).await }
        });
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert!(!waiter.is_finished(), "held while closed");
        gate.open();
        waiter.await.unwrap();
        // Open already: no wait at all.
        let started = tokio::time::Instant::now();
        gate.pass(Duration::from_secs(3600)).await;
        assert_eq!(started.elapsed(), Duration::ZERO);
        // Never opened: let through after its patience.
        let closed = Gate::default();
        let started = tokio::time::Instant::now();
        closed.pass(Duration::from_secs(60)).await;
        assert_eq!(started.elapsed(), Duration::from_secs(60));
        assert_ne!(closed, Gate::default(), "every gate is its own");
    }
}
