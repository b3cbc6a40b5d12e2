//! Errors of the fake's own Rust API (not Bot API errors: those are answered over HTTP
//! and recorded as [`crate::Violation`]s).

use std::path::PathBuf;
use std::time::Duration;

/// What can go wrong when driving a [`crate::FakeTelegram`] from a test.
#[derive(Debug, thiserror::Error)]
pub enum FakeError {
    #[error("can't read the Bot API spec at {path}: {reason}")]
    Spec { path: PathBuf, reason: String },
    #[error("can't bind the fake server: {0}")]
    Bind(#[from] std::io::Error),
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    #[error("chat {chat_id} has no bot message with an inline button {button:?}")]
    NoSuchButton { chat_id: i64, button: String },
    #[error("button {button:?} in chat {chat_id} has no callback_data to press")]
    NotACallbackButton { chat_id: i64, button: String },
    #[error("the fake has been shut down")]
    Shutdown,
}
