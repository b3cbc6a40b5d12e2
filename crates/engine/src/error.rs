//! What stops an update from being served: a port that failed (storage, the
//! state store, a picture that could not be drawn). Handlers pass it up with `?`
//! ([`OrUnavailable::or_unavailable`] names what the bot was doing); one place,
//! `Turn::failed` (engine.rs), turns it into the person's "temporarily
//! unavailable" and one log line with the update's id.

use std::fmt;

/// A failure that ends the handling of an update.
#[derive(Debug)]
pub(crate) struct EngineError {
    /// What the bot was doing: "cannot read attempts".
    pub(crate) doing: &'static str,
    /// What the port said.
    pub(crate) cause: String,
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.doing, self.cause)
    }
}

/// What a handler returns: served, or a failure for `Turn::failed`.
pub(crate) type Served = Result<(), EngineError>;

/// Turns a port's error into an [`EngineError`] saying what the bot was doing.
pub(crate) trait OrUnavailable<T> {
    fn or_unavailable(self, doing: &'static str) -> Result<T, EngineError>;
}

impl<T, E: fmt::Display> OrUnavailable<T> for Result<T, E> {
    fn or_unavailable(self, doing: &'static str) -> Result<T, EngineError> {
        self.map_err(|e| unavailable(doing, e))
    }
}

/// An [`EngineError`] from a port's error `e` while `doing`.
pub(crate) fn unavailable(doing: &'static str, e: impl fmt::Display) -> EngineError {
    EngineError {
        doing,
        cause: e.to_string(),
    }
}
