//! The unsolicited lane: messages nobody is waiting for (reminders, and later
//! broadcasts) go out at a steady global rate, so they never crowd out replies to
//! people who are pressing buttons, and stay under Telegram's bulk limit.

use std::sync::Arc;
use std::time::Duration;

use domain::ids::UserId;
use engine::Action;
use tokio::sync::Mutex;
use tokio::time::{Instant, MissedTickBehavior, interval};

use crate::outbound::Outbound;

/// Sends one message at a time at no more than `per_second` messages a second.
pub struct PacedLane {
    outbound: Arc<Outbound>,
    ticks: Mutex<tokio::time::Interval>,
}

impl PacedLane {
    pub fn new(outbound: Arc<Outbound>, per_second: u32) -> PacedLane {
        let period = Duration::from_secs(1) / per_second.max(1);
        let mut ticks = interval(period);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        PacedLane {
            outbound,
            ticks: Mutex::new(ticks),
        }
    }

    /// Sends each person their message, in order, paced.
    pub async fn send(&self, messages: Vec<(UserId, Action)>) -> Duration {
        let started = Instant::now();
        for (_, action) in messages {
            self.ticks.lock().await.tick().await;
            self.outbound.execute(vec![action]).await;
        }
        started.elapsed()
    }
}
