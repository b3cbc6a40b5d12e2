//! The Telegram adapter: the only crate that speaks the Bot API (through teloxide).
//!
//! # Layout
//! - [`inbound`]: `Update` -> [`engine::Inbound`].
//! - [`outbound`]: [`engine::Action`]s -> Bot API calls, with retries and media caching.
//! - [`errors`]: classifying Telegram's answers; token redaction.
//! - [`lane`]: the paced lane for unsolicited messages (reminders).
//! - [`polling`]: the long-polling source and the per-chat-ordered dispatcher.
//! - [`commands`]: registering the command menu in every language.

pub mod commands;
pub mod errors;
pub mod inbound;
pub mod lane;
pub mod outbound;
pub mod polling;

use teloxide::Bot;
use url::Url;

/// A Bot API client for `token`, talking to `api_url` (Telegram, a local Bot API
/// server, or fake-telegram).
pub fn bot(token: &str, api_url: &Url) -> Bot {
    Bot::new(token).set_api_url(api_url.clone())
}
