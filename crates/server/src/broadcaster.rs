//! The broadcast worker: sends durable broadcast jobs through the paced lane.
//!
//! Exactly one replica sends at a time: the one holding the `broadcasts` lease in
//! the database, renewed before every batch. A replica that takes the lease over
//! first turns every recipient still marked `sending` into `unknown`: the replica
//! that died may have delivered those, and nobody gets an announcement twice.
//!
//! Each step claims a batch of recipients (marking them `sending` before anything
//! is sent), delivers them a few at a time through the lane, and records each
//! outcome. Pause and cancel take effect at the next batch. [`BroadcastWorker::step`]
//! is one such step, so tests drive the worker exactly.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use domain::broadcast::Delivery;
use domain::ids::ChatId;
use engine::Engine;
use engine::ports::{Broadcast, BroadcastStore, Clock, StorageError};
use futures::StreamExt;
use telegram::lane::{Delivered, PacedLane};
use tokio_util::sync::CancellationToken;

const LEASE: &str = "broadcasts";
/// How long the lease holds without renewal: a replica that dies is replaced
/// after at most this long.
const LEASE_TTL: time::Duration = time::Duration::seconds(30);
/// Recipients claimed per step: twice the messages in flight, at 25 messages/s
/// under a second of work, so pause, cancel and shutdown act quickly, and a
/// sender killed mid-batch leaves at most this many `unknown` (ADR 0037).
const BATCH: u32 = 16;
/// Messages in flight at once. The lane's pace decides the rate; this only hides
/// Telegram's latency (about 100 ms per request would cap one-at-a-time sending
/// at 10 a second).
const IN_FLIGHT: usize = 8;
/// How long the worker rests when there is nothing to send.
const IDLE: Duration = Duration::from_secs(1);
/// How often the admin's status message is brought up to date while it sends.
const STATUS_EVERY: Duration = Duration::from_secs(5);

/// What one step did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Another replica holds the lease.
    Standby,
    /// Nothing to send.
    Idle,
    /// Sent a batch of a broadcast.
    Sent { broadcast: i64, messages: usize },
    /// A broadcast had nothing left and is done; its admin was told.
    Finished(i64),
}

pub struct BroadcastWorker {
    engine: Arc<Engine>,
    storage: Arc<dyn BroadcastStore>,
    lane: Arc<PacedLane>,
    clock: Arc<dyn Clock>,
    /// This process's name on the lease.
    holder: String,
    /// Whether the last lease check found the lease ours.
    holding: AtomicBool,
    /// When each broadcast's status message was last edited.
    status_edited: std::sync::Mutex<std::collections::HashMap<i64, std::time::Instant>>,
}

impl BroadcastWorker {
    pub fn new(
        engine: Arc<Engine>,
        storage: Arc<dyn BroadcastStore>,
        lane: Arc<PacedLane>,
        clock: Arc<dyn Clock>,
    ) -> BroadcastWorker {
        BroadcastWorker {
            engine,
            storage,
            lane,
            clock,
            holder: uuid::Uuid::new_v4().to_string(),
            holding: AtomicBool::new(false),
            status_edited: std::sync::Mutex::default(),
        }
    }

    /// Takes or renews the lease; `true` if this worker may send.
    async fn lease(&self) -> Result<bool, StorageError> {
        let now = self.clock.now();
        let held = self
            .storage
            .acquire_lease(LEASE, &self.holder, now, now + LEASE_TTL)
            .await?;
        let was = self.holding.swap(held, Ordering::SeqCst);
        if held && !was {
            let abandoned = self.storage.abandon_in_flight(now).await?;
            if abandoned > 0 {
                metrics::counter!("trainbot_broadcast_messages_total", "outcome" => "unknown")
                    .increment(abandoned);
                tracing::warn!(
                    abandoned,
                    "took over broadcasting; messages in flight when the last sender stopped are counted as unknown, not sent again"
                );
            } else {
                tracing::info!("took over broadcasting");
            }
        }
        Ok(held)
    }

    /// One step: keep the lease, start broadcasts whose time has come, then send
    /// one batch of the oldest running broadcast (or finish it).
    pub async fn step(&self) -> Result<Step, StorageError> {
        if !self.lease().await? {
            return Ok(Step::Standby);
        }
        self.engine.start_due_broadcasts().await?;
        let running = self.storage.running_broadcasts().await?;
        self.count_backlog(&running).await?;
        let Some(broadcast) = running.into_iter().next() else {
            return Ok(Step::Idle);
        };
        let now = self.clock.now();
        let batch = self
            .storage
            .claim_recipients(broadcast.id, BATCH, now)
            .await?;
        if batch.is_empty() {
            if self.storage.finish_if_complete(broadcast.id, now).await? {
                self.update_status(broadcast.id, true).await;
                self.report(broadcast.id).await;
                return Ok(Step::Finished(broadcast.id));
            }
            return Ok(Step::Idle);
        }
        let messages = batch.len();
        let mut outcomes = futures::stream::iter(batch)
            .map(|user| {
                let broadcast = &broadcast;
                async move { (user, self.deliver(broadcast, ChatId(user.0)).await) }
            })
            .buffer_unordered(IN_FLIGHT);
        while let Some((user, (outcome, detail))) = outcomes.next().await {
            metrics::counter!("trainbot_broadcast_messages_total", "outcome" => outcome.as_str())
                .increment(1);
            self.storage
                .record_delivery(
                    broadcast.id,
                    user,
                    outcome,
                    detail.as_deref(),
                    self.clock.now(),
                )
                .await?;
        }
        self.update_status(broadcast.id, false).await;
        Ok(Step::Sent {
            broadcast: broadcast.id,
            messages,
        })
    }

    /// Sets `trainbot_broadcast_backlog`: messages of the running broadcasts not
    /// yet sent (waiting or being sent). Only the sending replica sets it; take
    /// the `max` over replicas.
    async fn count_backlog(&self, running: &[Broadcast]) -> Result<(), StorageError> {
        let mut backlog = 0;
        for broadcast in running {
            let counts = self.storage.delivery_counts(broadcast.id).await?;
            backlog += counts.pending + counts.sending;
        }
        metrics::gauge!("trainbot_broadcast_backlog").set(backlog as f64);
        Ok(())
    }

    async fn deliver(&self, broadcast: &Broadcast, chat: ChatId) -> (Delivery, Option<String>) {
        match self.lane.deliver(broadcast.job.message(chat)).await {
            Delivered::Sent => (Delivery::Sent, None),
            Delivered::Blocked => (Delivery::Blocked, None),
            Delivered::Failed(why) => (Delivery::Failed, Some(why)),
            // Maybe delivered: recorded like a message in flight when a sender
            // crashed, and never sent again.
            Delivered::Unknown(why) => (Delivery::Unknown, Some(why)),
        }
    }

    /// Edits the admin's status message, at most every [`STATUS_EVERY`] unless
    /// `now` (the final update).
    async fn update_status(&self, id: i64, now: bool) {
        {
            let mut edited = self
                .status_edited
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let due = edited
                .get(&id)
                .is_none_or(|at| at.elapsed() >= STATUS_EVERY);
            if !(now || due) {
                return;
            }
            if now {
                edited.remove(&id);
            } else {
                edited.insert(id, std::time::Instant::now());
            }
        }
        match self.engine.broadcast_status_update(id).await {
            Ok(Some(edit)) => {
                self.lane.deliver(edit).await;
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, broadcast = id, "cannot update a broadcast's status")
            }
        }
    }

    /// Tells the admin who started the broadcast how it went.
    async fn report(&self, id: i64) {
        match self.engine.broadcast_report(id).await {
            Ok(Some(message)) => {
                self.lane.deliver(message).await;
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, broadcast = id, "cannot report a finished broadcast")
            }
        }
    }

    /// Steps until `shutdown`. A batch in hand is finished first (a couple of
    /// seconds), so a clean stop leaves nothing `unknown`.
    pub async fn run(self: Arc<Self>, shutdown: CancellationToken) {
        loop {
            if shutdown.is_cancelled() {
                break;
            }
            let rest = match self.step().await {
                Ok(Step::Sent { .. } | Step::Finished(_)) => continue,
                Ok(Step::Idle | Step::Standby) => IDLE,
                Err(e) => {
                    tracing::warn!(error = %e, "the broadcast worker cannot reach the database; retrying");
                    IDLE * 5
                }
            };
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tokio::time::sleep(rest) => {}
            }
        }
        if self.holding.load(Ordering::SeqCst)
            && let Err(e) = self.storage.release_lease(LEASE, &self.holder).await
        {
            tracing::warn!(error = %e, "cannot release the broadcast lease");
        }
    }
}
