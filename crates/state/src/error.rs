//! Start-up errors of the Redis state store, worded for the operator who set
//! `REDIS_URL`. Addresses are shown as `host:port`; passwords never are.

/// Why [`crate::RedisState::connect`] failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    /// The URL cannot be understood (the message says which part is wrong).
    #[error("REDIS_URL: {0}")]
    InvalidUrl(String),

    #[error(
        "REDIS_URL: unsupported scheme `{0}`; use redis://, rediss://, redis+sentinel:// or rediss+sentinel://"
    )]
    UnsupportedScheme(String),

    /// Nothing answered at the address, or it did not answer in time.
    #[error("REDIS_URL: cannot reach Redis at {address}: {reason}")]
    Unreachable { address: String, reason: String },

    /// Redis answered but refused us (wrong password, unknown sentinel service, ...).
    #[error("REDIS_URL: Redis at {address} refused the connection: {reason}")]
    Refused { address: String, reason: String },
}
