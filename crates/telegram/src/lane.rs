//! The unsolicited lane: messages nobody is waiting for (reminders and broadcasts)
//! go out at a steady global rate, so they never crowd out replies to people who
//! are pressing buttons, and stay under Telegram's bulk limit.
//!
//! One lane serves every unsolicited sender of a process, so their sum keeps to the
//! rate. A 429 pauses the whole lane for its `retry_after` (Telegram's flood control
//! is per bot: retrying other chats early only earns more 429s); a message that
//! never reached Telegram (connection refused) or that Telegram did not handle
//! (503) is retried with backoff; while the Bot API's circuit breaker is open
//! (Telegram keeps failing) the lane waits, up to a minute per message, before a
//! message counts as failed (never sent). A message whose answer was lost (a time-out, a
//! connection reset after sending, a 500, 502 or 504) may have been delivered, so it is never sent again: it counts as
//! [`Delivered::Unknown`], like a message in flight when a sender crashed. Replies
//! to people never pass through here and never wait for it.

use std::sync::Arc;
use std::time::Duration;

use domain::ids::UserId;
use engine::Action;
use tokio::sync::Mutex;
use tokio::time::{Instant, MissedTickBehavior, interval};

use crate::errors::Failure;
use crate::outbound::{Outbound, Retry};

/// 429s waited out for one message before it counts as failed.
const MAX_RETRY_AFTER: u32 = 10;
/// Refused connections (and 503s) retried for one message before it counts as failed.
const MAX_TRANSIENT: u32 = 4;
/// How often the lane looks again while the Bot API's circuit breaker is open.
const CIRCUIT_RECHECK: Duration = Duration::from_secs(1);
/// How long one message waits for an open breaker before it counts as failed
/// (never sent): as long as a reply's patience.
const MAX_CIRCUIT_WAIT: Duration = Duration::from_secs(60);

/// What became of one message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivered {
    Sent,
    /// The person blocked the bot (403); they are marked inactive.
    Blocked,
    /// Telegram's answer was lost after the request reached it: the message may
    /// have arrived, and is never sent again. Why, for the operator.
    Unknown(String),
    /// Refused for good, or failing after every retry: why, for the operator.
    Failed(String),
}

/// Sends one message at a time per slot, at no more than `per_second` a second.
pub struct PacedLane {
    outbound: Outbound,
    ticks: Mutex<tokio::time::Interval>,
    /// Until when a 429 holds the whole lane.
    paused_until: std::sync::Mutex<Option<Instant>>,
}

impl PacedLane {
    pub fn new(outbound: Arc<Outbound>, per_second: u32) -> PacedLane {
        let period = Duration::from_secs(1) / per_second.max(1);
        let mut ticks = interval(period);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        PacedLane {
            outbound: outbound.with_retry(Retry::ONCE),
            ticks: Mutex::new(ticks),
            paused_until: std::sync::Mutex::new(None),
        }
    }

    /// Sends each person their message, in order, paced; returns how long it took.
    pub async fn send(&self, messages: Vec<(UserId, Action)>) -> Duration {
        let started = Instant::now();
        for (_, action) in messages {
            match self.deliver(action).await {
                Delivered::Failed(why) => {
                    tracing::warn!(error = %why, "an unsolicited message was not delivered")
                }
                Delivered::Unknown(why) => tracing::warn!(
                    error = %why,
                    "an unsolicited message may or may not have arrived; not sent again"
                ),
                Delivered::Sent | Delivered::Blocked => {}
            }
        }
        started.elapsed()
    }

    /// Sends one message in the lane's next free slot, waiting out 429s (pausing
    /// the lane) and retrying requests that never reached Telegram; never repeats
    /// one whose outcome is unknown.
    pub async fn deliver(&self, action: Action) -> Delivered {
        let (mut waited, mut transient) = (0u32, 0u32);
        let started = Instant::now();
        loop {
            self.slot().await;
            match self.outbound.perform(action.clone()).await {
                Ok(()) => return Delivered::Sent,
                Err(Failure::Blocked) => return Delivered::Blocked,
                Err(Failure::RetryAfter(wait)) if waited < MAX_RETRY_AFTER => {
                    waited += 1;
                    metrics::counter!("trainbot_lane_pauses_total").increment(1);
                    tracing::info!(
                        seconds = wait.as_secs(),
                        "Telegram asked to wait; the lane pauses"
                    );
                    self.pause_for(wait);
                }
                Err(Failure::Transient(why)) if transient < MAX_TRANSIENT => {
                    transient += 1;
                    let backoff = Duration::from_millis(250 * 2u64.pow(transient));
                    tracing::info!(error = %why, backoff_ms = backoff.as_millis() as u64, "retrying an unsolicited message");
                    tokio::time::sleep(backoff).await;
                }
                // Not sent: Telegram keeps failing. The lane waits for it (every
                // message would meet the same), for a bounded time, so a stop
                // during a long outage still ends.
                Err(Failure::CircuitOpen) if started.elapsed() < MAX_CIRCUIT_WAIT => {
                    tokio::time::sleep(CIRCUIT_RECHECK).await;
                }
                Err(Failure::Unknown(why)) => return Delivered::Unknown(why),
                Err(other) => return Delivered::Failed(other.to_string()),
            }
        }
    }

    /// Holds every sender of the lane for `wait` (or longer, if already held longer).
    fn pause_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut paused = self
            .paused_until
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if paused.is_none_or(|p| p < until) {
            *paused = Some(until);
        }
    }

    fn paused_until(&self) -> Option<Instant> {
        *self
            .paused_until
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits until the lane is not paused and its next slot has come.
    async fn slot(&self) {
        loop {
            if let Some(until) = self.paused_until()
                && until > Instant::now()
            {
                tokio::time::sleep_until(until).await;
                continue;
            }
            self.ticks.lock().await.tick().await;
            // A pause may have begun while this sender waited for its tick.
            if self
                .paused_until()
                .is_none_or(|until| until <= Instant::now())
            {
                return;
            }
        }
    }
}
