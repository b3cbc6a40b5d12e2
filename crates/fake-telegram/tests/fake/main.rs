//! Black-box tests of the fake Bot API server, driven over HTTP with reqwest.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod control;
mod errors;
mod flood;
mod helpers;
mod media;
mod messages;
mod updates;
mod webhook;
