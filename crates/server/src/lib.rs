//! The composition root: configuration, the command line, the HTTP endpoints and
//! the [`app::Application`] that wires the layers together.
//!
//! # Layout
//! - [`config`]: the typed, validated configuration.
//! - [`cli`]: the `trainbot` command line and its subcommands.
//! - [`app`]: building and running the bot; graceful shutdown.
//! - [`http`]: health, readiness and metrics endpoints.
//! - [`process`]: the process's CPU, memory, file and thread metrics.
//! - [`webhook`]: the webhook endpoint (`UPDATES=webhook`) on its own listener.
//! - [`health`]: `trainbot health`, the probe containers run (no curl needed).
//! - [`sandbox`]: `trainbot sandbox`, the bot and fake-telegram behind a local chat page.
//! - [`moving`]: `trainbot db copy` and `trainbot import legacy`.
//! - [`jobs`]: background jobs (reminders).
//! - [`exporter`]: the background worker that writes and sends admins' exports.
//! - [`passwords`]: the admin password: hashing, validating the configured hash,
//!   and [`passwords::Argon2Check`], the engine's password check.
//! - [`telemetry`]: logging set-up and the list of metrics.
//! - [`traces`]: the OTLP trace exporter.
//! - [`errors`]: error reports to Sentry.

pub mod app;
pub mod broadcaster;
pub mod cli;
pub mod config;
pub mod errors;
pub mod exporter;
pub mod health;
pub mod http;
pub mod jobs;
pub mod moving;
pub mod passwords;
pub mod process;
pub mod sandbox;
pub mod telemetry;
pub mod traces;
pub mod webhook;
