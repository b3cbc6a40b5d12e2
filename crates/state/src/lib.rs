//! Shared ephemeral state for trainbot: dialogue state, admin sessions, lockouts,
//! rate-limit counters and update de-duplication, all with expiry.
//!
//! Two implementations of [`engine::ports::StateStore`]:
//!
//! - [`MemoryState`], the default for a single process: a map behind a mutex, expiry
//!   checked on read and swept now and then so memory does not grow without bound.
//! - [`RedisState`], for several replicas: plain Redis (`redis://`, `rediss://`) through
//!   a reconnecting connection, or Redis Sentinel (`redis+sentinel://`) through a small
//!   failover-aware wrapper, with every key under a configurable prefix so several bots
//!   can share one Redis.
//!
//! Both pass the same conformance story (`tests/conformance/`).
//!
//! What people see: nothing from here. Operators see [`ConnectError`] at start-up and
//! [`engine::ports::StateError::Unavailable`] in logs; neither ever contains a password.
//!
//! # Layout
//!
//! - `memory.rs`: [`MemoryState`].
//! - `redis_state.rs`: [`RedisState`], the command mapping and error translation.
//! - `redis_state/target.rs`: parsing and redacting `REDIS_URL` ([`RedisTarget`]).
//! - `redis_state/sentinel.rs`: the Sentinel wrapper that re-asks for the master after
//!   a failover.
//! - `error.rs`: [`ConnectError`].
//! - `testing` (feature `testing`, for tests and loadgen only): a Sentinel
//!   deployment on loopback.

#![forbid(unsafe_code)]

mod error;
mod memory;
mod redis_state;
#[cfg(feature = "testing")]
pub mod testing;

pub use error::ConnectError;
pub use memory::MemoryState;
pub use redis_state::target::{RedisTarget, SentinelTarget};
pub use redis_state::{RedisState, Resilience};
