//! The Telegram adapter: the only crate that speaks the Bot API (through teloxide).
//!
//! # Layout
//! - [`inbound`]: `Update` -> [`engine::Inbound`].
//! - [`outbound`]: [`engine::Action`]s -> Bot API calls, with retries and media caching.
//! - [`errors`]: classifying Telegram's answers; token redaction.
//! - [`lane`]: the paced lane for unsolicited messages (reminders).
//! - [`dispatch`]: the dispatcher: flood limits on arrival, per-chat ordered queues,
//!   chats concurrently with a bound, a bounded backlog.
//! - [`polling`]: the long-polling source; confirms only handled updates.
//! - [`webhook`]: the webhook source (each update answered once handled, one
//!   chat at a time across replicas) and registering the webhook.
//! - [`commands`]: registering the command menu in every language.
//! - [`source`]: the update source's health, for readiness.

pub mod commands;
pub mod dispatch;
pub mod errors;
pub mod inbound;
pub mod lane;
mod lean;
pub mod outbound;
pub mod polling;
mod screens;
pub mod source;
pub mod webhook;

pub use teloxide::Bot;
use url::Url;

/// A Bot API client for `token`, talking to `api_url` (Telegram, a local Bot API
/// server, or fake-telegram).
pub fn bot(token: &str, api_url: &Url) -> Bot {
    Bot::new(token).set_api_url(api_url.clone())
}
