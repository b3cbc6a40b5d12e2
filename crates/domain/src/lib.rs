//! Pure rules of trainbot: the content pack and its renderer, the callback codec,
//! and the validated values the other layers pass around.
//!
//! Nothing here does async work or I/O beyond reading a content pack from disk, so
//! every rule is tested without a network, a database or a bot.
//!
//! # Layout
//! - [`lang`]: the languages trainbot speaks.
//! - [`ids`]: Telegram ids (always `i64`) and content node ids.
//! - [`html`]: [`html::Html`], text in Telegram's HTML subset, valid by construction.
//! - [`render`]: Markdown to Telegram HTML.
//! - [`split`]: long pages cut into message-sized parts.
//! - [`content`]: the content pack: loading, validation, the menu tree.
//! - [`callback`]: the compact, versioned callback-data codec (at most 64 bytes).
//! - [`broadcast`]: audiences and the life of a broadcast and its deliveries.
//! - [`invite`]: invite codes, the secret part of an invite link.
//! - [`start_link`]: deep links to a page, a certificate check or an invite.
//! - [`spreadsheet`]: CSV cells and rows for exports, safe to open in a spreadsheet.
//! - [`learning`]: quiz grading and shuffling, attempt limits, spaced review, progress,
//!   reminder timing in a park's time zone, certificate codes.

pub mod broadcast;
pub mod callback;
pub mod content;
pub mod html;
pub mod ids;
pub mod invite;
pub mod lang;
pub mod learning;
pub mod render;
pub mod split;
pub mod spreadsheet;
pub mod start_link;
