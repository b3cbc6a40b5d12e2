//! A stateful fake of the Telegram Bot API for trainbot's end-to-end tests, the load
//! generator and local trials.
//!
//! The bot (teloxide, or anything speaking the Bot API) points its API URL at
//! [`FakeTelegram::api_url`]. Every request is validated against Telegram's schema
//! (`api.json`, a copy bundled in this crate's `spec/` folder) and against the rules of `TELEGRAM.md` (HTML parse
//! mode, length limits, keyboards, callback answers, file ids, ...). A request Telegram
//! would refuse is answered with Telegram's error and recorded as a [`Violation`], so a
//! test can assert `fake.violations().is_empty()`. Tests play the people through the
//! Rust API ([`FakeTelegram::send_text`], [`FakeTelegram::press`]) and read what they
//! see ([`FakeTelegram::messages`]). Each instance is independent: many run in one test
//! binary, each on its own port.
//!
//! # Layout
//! - [`fake`]: [`FakeTelegram`] and [`FakeConfig`], the Rust API tests use.
//! - [`html`]: Telegram's HTML parse mode as a pure function (also an oracle for other
//!   crates' property tests).
//! - `spec`: the bundled `api.json` (or an override) and schema validation of every
//!   request.
//! - `rules`: the limits of `TELEGRAM.md` the schema does not state.
//! - `methods`: the Bot API methods; `server`: HTTP routing, decoding, envelopes and
//!   long polling; `request`: JSON / multipart / form / query decoding.
//! - `state`: people, chats, messages, updates, files; `webhook`: delivery to a bot's
//!   webhook; `control`: the `/_fake/...` HTTP control API.
//! - `flood`: optional Telegram-like flood control ([`FloodControl`]).
//! - [`model`]: the views tests read; [`error`]: [`FakeError`].

pub mod error;
pub mod fake;
pub mod html;
pub mod model;

mod control;
mod flood;
mod methods;
mod outage;
mod request;
mod rules;
mod server;
mod spec;
mod state;
mod webhook;

pub use error::FakeError;
pub use fake::{FakeConfig, FakeTelegram};
pub use flood::FloodControl;
pub use model::{
    ButtonView, IgnoredRetry, LostAnswer, MediaKind, MediaView, MessageView, RequestRecord,
    TestUser, Violation, WebhookInfoView,
};
pub use outage::Fault;
