//! How the update source is doing, for `/readyz`: a replica whose poller keeps
//! failing (or meets another poller: 409 Conflict) or whose webhook listener is
//! stopping is not ready, even if its database and state store answer.

use std::sync::Mutex;

/// The update source's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceState {
    /// Not receiving yet.
    Starting,
    /// Polling without repeated failures, or the webhook listener is serving.
    Receiving,
    /// Another replica polls; this one takes over if that one stops.
    Standby,
    /// Polling failed repeatedly (or with 409 Conflict); the last reason.
    Failing(String),
    /// Shutting down: no new updates are taken.
    Stopped,
}

/// Shared between the source, which sets it, and the readiness probe.
#[derive(Debug)]
pub struct SourceHealth {
    state: Mutex<SourceState>,
}

impl Default for SourceHealth {
    fn default() -> Self {
        SourceHealth {
            state: Mutex::new(SourceState::Starting),
        }
    }
}

impl SourceHealth {
    pub fn set(&self, state: SourceState) {
        *self.state.lock().unwrap_or_else(|p| p.into_inner()) = state;
    }

    pub fn get(&self) -> SourceState {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// `Ok` while receiving or standing by (a standby is healthy: it takes over
    /// when needed), with what `/readyz` says; otherwise why not.
    pub fn verdict(&self) -> Result<&'static str, String> {
        match self.get() {
            SourceState::Receiving => Ok("ok"),
            SourceState::Standby => Ok("standby (another replica polls)"),
            SourceState::Starting => Err("starting".to_owned()),
            SourceState::Failing(why) => Err(why),
            SourceState::Stopped => Err("stopping".to_owned()),
        }
    }
}
