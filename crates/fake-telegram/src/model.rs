//! The values tests read: people, messages as people see them, recorded requests and
//! violations.

use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A person talking to the bot. Their private chat has the same id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestUser {
    pub id: i64,
    pub first_name: String,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub language_code: Option<String>,
}

impl TestUser {
    pub fn new(id: i64, first_name: impl Into<String>) -> Self {
        Self {
            id,
            first_name: first_name.into(),
            last_name: None,
            username: None,
            language_code: None,
        }
    }

    pub fn language(mut self, code: impl Into<String>) -> Self {
        self.language_code = Some(code.into());
        self
    }

    pub fn last_name(mut self, last_name: impl Into<String>) -> Self {
        self.last_name = Some(last_name.into());
        self
    }

    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }
}

/// The kind of media a message carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Photo,
    Video,
    Document,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Photo => "photo",
            Self::Video => "video",
            Self::Document => "document",
        }
    }
}

/// Media attached to a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MediaView {
    pub kind: MediaKind,
    pub file_id: String,
}

/// One inline button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ButtonView {
    pub text: String,
    pub callback_data: Option<String>,
}

/// A message as the person sees it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageView {
    pub message_id: i64,
    pub from_bot: bool,
    /// Plain text after entity parsing.
    pub text: Option<String>,
    /// The text as the bot sent it (with markup), for bot text messages.
    pub html: Option<String>,
    /// Plain caption after entity parsing.
    pub caption: Option<String>,
    /// The caption as the bot sent it (with markup).
    pub caption_html: Option<String>,
    pub media: Option<MediaView>,
    pub keyboard: Vec<Vec<ButtonView>>,
    pub edits: u32,
    /// When it was last edited (`edit_date`, Unix seconds), as a press on it says.
    pub edit_date: Option<i64>,
}

/// How [`crate::FakeTelegram::deliver_then_fail_next`] loses the answer to a request
/// it has carried out, as a proxy or a network in between can.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LostAnswer {
    /// Answers with this HTTP status (a 5xx: 502, 504) in Telegram's error envelope.
    Status(u16),
    /// Drops the connection in the middle of the answer.
    Reset,
}

/// A request Telegram would have refused (or did refuse for a rule the bot broke).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    /// Canonical lowerCamel method name (or the raw name when unknown).
    pub method: String,
    pub params: Value,
    pub error_code: u16,
    pub description: String,
}

/// Every Bot API request the fake received.
#[derive(Debug, Clone)]
pub struct RequestRecord {
    pub method: String,
    pub params: Value,
    pub at: Instant,
    pub ok: bool,
}

/// A sending request that arrived before the time a flood-control 429 told the bot to
/// wait (it was refused with another 429).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredRetry {
    /// Canonical lowerCamel method name.
    pub method: String,
    /// The chat whose 429 was ignored; `None` when it was a global (bot-wide) 429.
    pub chat_id: Option<i64>,
    /// How long before the allowed time the request came.
    pub early_by: std::time::Duration,
}

/// The webhook as set by the bot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebhookInfoView {
    pub url: String,
    pub secret_token: Option<String>,
    pub max_connections: u32,
    pub allowed_updates: Option<Vec<String>>,
    pub pending_update_count: usize,
    pub last_error_message: Option<String>,
    pub delivered: usize,
}
