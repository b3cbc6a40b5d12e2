//! The engine: one update in, a list of actions out.
//!
//! It knows nothing of Telegram, SQL or Redis: updates arrive as [`Inbound`],
//! answers leave as [`Action`]s, and everything durable or shared goes through the
//! [`ports`]. That is why almost all behaviour is tested without a network.
//!
//! # Layout
//! - [`inbound`]: the transport-neutral update.
//! - `settings`: what the server sets ([`AccessMode`], [`Limits`]).
//! - [`action`]: what to do in Telegram (answer, send, edit, media, delete), and keyboards.
//! - [`engine`]: [`Engine::arrive`] (flood limits on arrival), [`Engine::handle`]
//!   and the pipeline; `Turn`, one update's handling.
//! - `router`: which handler serves each command, button, typed answer and file;
//!   `navigation`:
//!   showing screens, out-of-date buttons, the remembered menu position.
//! - `error`: `EngineError`, what ends an update; handlers pass it up with `?`
//!   and `Turn::failed` answers it, once.
//! - [`screens`]: rendering menus and pages into text and buttons.
//! - `dialogue`: the few places where typed text is an answer (the state; the
//!   router sends the text on).
//! - `onboarding`: park, department and position; the profile.
//! - `quiz`: knowledge checks (`quiz_screens`: their screens); `review`: spaced
//!   review sessions.
//! - `progress`: the onboarding path, completion and certificates.
//! - [`reminders`]: the reminder job.
//! - [`guard`]: input normalisation.
//! - [`i18n`]: the bot's own words (Fluent files in `locales/`).
//! - [`activity`]: batched activity writing off the update path.
//! - `access`: who may use the bot: the gate, the stranger's screen and access
//!   request, invite links; `access/panel.rs` holds the admin's invite and request
//!   screens.
//! - `lookup`: the panel's people search, certificate check and moving a person to
//!   another park or department; `insights`: the statistics sub-screens (most-read
//!   pages, quiz results, overdue people); `insight_charts`: the chart screens
//!   (activity by weekday and hour, the funnel, day by day).
//! - [`admin`]: admin login (password, lockouts, sessions) and the audit log's
//!   writing; `admin_panel`: the panel, statistics and the audit log's screen.
//!   Admin buttons are routed (and guarded) in `router`.
//! - `people_panel`: the panel's people list, a person's card, blocking.
//! - `rights`: the rights table: what each admin button needs and whose person or
//!   park it touches, every variant named (no wildcard); `roles`: the guard that
//!   applies it, and the screens that give and take roles.
//! - `live_content`: the running content pack (disk + the panel's edits), swapped
//!   as a whole, and how replicas keep it in step; `content_editor`: the panel's
//!   content screens (browse, edit with preview, media); `content_history`: a
//!   page's versions, revert and restore, and reloading the pack.
//! - [`exports`]: CSV and Excel exports (the queue of exports for the server's
//!   background worker, and the page-by-page writer it runs); `export_panel`:
//!   the admin's exports screen that queues them.
//! - `broadcasts`: the admin's broadcast screens (compose, audience, confirm);
//!   `broadcast_follow`: history, status, pause, resume, cancel;
//!   `broadcast_jobs`: the engine's side of the broadcast worker.
//! - `privacy`: /privacy, deletion requests, a person's data export and erasure.
//! - `typed_secrets`: texts sent soon after a password prompt are deleted first,
//!   whatever state the dialogue is in.
//! - [`ports`]: the traits the engine needs (storage, state, clock).

mod access;
pub mod action;
pub mod activity;
pub mod admin;
mod admin_panel;
mod admin_router;
mod admin_rows;
mod admission;
mod audit;
mod broadcast_audience;
mod broadcast_follow;
mod broadcast_jobs;
mod broadcast_rows;
mod broadcasts;
mod content_drafts;
mod content_editor;
mod content_history;
mod content_router;
mod context;
mod dialogue;
pub mod engine;
mod error;
mod export_panel;
pub mod exports;
pub mod guard;
pub mod i18n;
pub mod inbound;
mod insight_charts;
mod insights;
mod live_content;
mod lookup;
mod navigation;
mod onboarding;
mod people;
mod people_panel;
pub mod ports;
mod privacy;
mod progress;
mod questions;
mod quiz;
mod quiz_screens;
mod rate;
pub mod reminders;
mod review;
mod rights;
mod roles;
mod router;
pub mod screens;
mod seen;
mod settings;
mod typed_secrets;
mod wiring;

pub use action::{Action, Button, Keyboard, Marked};
pub use activity::{ActivityRecorder, ActivityWriter};
pub use engine::{Arrival, Engine};
pub use inbound::{Attachment, CallbackMessage, Inbound, Input};
pub use live_content::Reload;
pub use people::People;
pub use settings::{AccessMode, Limits};
