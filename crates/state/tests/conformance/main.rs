//! The state conformance suite: one story, run on every implementation.
//!
//! `MemoryState` always runs. The Redis tests run when `TEST_REDIS_URL` is set (CI
//! always sets it); otherwise they say so and pass. Each Redis test works under its
//! own `test:<uuid>:` prefix and removes its keys.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;
mod memory;
mod redis_state;
mod sentinel;
mod story;
