//! Long polling: one consumer per token, feeding the [`Dispatcher`].
//!
//! The poller never waits for updates to be handled before fetching more: it hands
//! each new update to the dispatcher (which holds it back only when its backlog is
//! full) and polls again. The `offset` of `getUpdates` confirms every update below
//! it, so it is kept at the lowest update not yet finished. While updates it has
//! received are unfinished, Telegram answers at once with those again: the poller
//! skips ids it already has, and if nothing new came it waits until an update
//! finishes (or [`SHORT_POLL`]) before asking again; with nothing unfinished it
//! long-polls. So handled updates are confirmed as their chats finish, not once a
//! batch is done.
//!
//! `getUpdates` returns at most 100 updates from the offset. So that one stuck
//! update cannot hide new ones behind old ones, the offset never lags more than
//! [`MAX_UNCONFIRMED`] ids behind the newest update received: an update older than
//! that still being handled is confirmed before it finishes (it is then finished
//! even at shutdown; a crash loses it, as ADR 0002's claim-before-handling already
//! accepts).
//!
//! Telegram allows one poller per token (a second gets 409 Conflict), so with
//! several replicas one polls and the others stand by ([`Leadership`]): a lease in
//! the database, renewed by a task of its own while polling and given up at a
//! stop; a standby takes over once the leader stops or its lease runs out (a crash:
//! at most [`PollSettings`]'s `lease_ttl`).
//!
//! On shutdown the poller stops fetching, the dispatcher finishes what is running
//! and what is confirmed and drops the rest of its queues, and the poller confirms
//! exactly what was handled: Telegram delivers the dropped updates again to the
//! next process.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use engine::Engine;
use engine::ports::{BroadcastStore, Clock};
use serde_json::value::RawValue;
use teloxide::Bot;
use teloxide::payloads::GetUpdatesSetters;
use teloxide::prelude::Requester;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::AbortOnDropHandle;

use crate::dispatch::{DispatchSettings, Dispatcher};
use crate::errors::{Failure, classify};
use crate::inbound::{Read, read_update};
use crate::lean;
use crate::outbound::Outbound;
use crate::source::{SourceHealth, SourceState};

/// How long the poller waits for an update to finish before polling again while
/// updates it received are unfinished (Telegram would answer such a poll at once).
pub const SHORT_POLL: Duration = Duration::from_millis(200);

/// How far (in update ids) the confirming offset may lag behind the newest update
/// received; half of `getUpdates`' 100, so every poll has room for new updates.
pub const MAX_UNCONFIRMED: i64 = 50;

/// Settings of the poller.
#[derive(Clone, Debug)]
pub struct PollSettings {
    /// Long-poll timeout passed to `getUpdates`, seconds.
    pub timeout_secs: u32,
    /// Updates handled at the same time (different chats).
    pub max_in_flight: usize,
    /// Updates received and not yet finished before the poller stops fetching.
    pub max_backlog: usize,
    /// How long the polling lease lasts unless renewed: how long standbys (and a
    /// restarted replica) wait after the poller crashed. A task of its own renews
    /// it every third of it; standbys try every sixth.
    pub lease_ttl: Duration,
}

impl Default for PollSettings {
    fn default() -> Self {
        let dispatch = DispatchSettings::default();
        PollSettings {
            timeout_secs: 25,
            max_in_flight: dispatch.max_in_flight,
            max_backlog: dispatch.max_backlog,
            lease_ttl: Duration::from_secs(8),
        }
    }
}

/// Where the poller is in Telegram's update sequence.
#[derive(Debug, Default)]
struct Cursor {
    /// The last `offset` sent: Telegram considers everything below it handled.
    confirmed: i64,
    /// One past the newest update received; `None` before the first.
    next: Option<i64>,
    /// Ids received at or above `confirmed`, to skip when Telegram sends them again.
    received: BTreeSet<i64>,
    /// The first update that was fetched but never handed on (shutdown came while
    /// the backlog was full): nothing from it on may be confirmed.
    abandoned: Option<i64>,
}

impl Cursor {
    /// Everything below this is handled (or was confirmed earlier): the lowest
    /// unfinished or abandoned update, else one past the newest received.
    fn handled_below(&self, dispatcher: &Dispatcher) -> Option<i64> {
        let next = self.next?;
        let low = dispatcher
            .lowest_unfinished(self.confirmed)
            .map_or(next, |low| low.min(next));
        let low = self.abandoned.map_or(low, |a| low.min(a));
        Some(low.max(self.confirmed))
    }

    /// The offset for the next `getUpdates`: [`Cursor::handled_below`], kept within
    /// [`MAX_UNCONFIRMED`] of the newest update received.
    fn offset(&self, dispatcher: &Dispatcher) -> Option<i64> {
        let next = self.next?;
        self.handled_below(dispatcher)
            .map(|low| low.max(next.saturating_sub(MAX_UNCONFIRMED)))
    }
}

pub struct Poller {
    bot: Bot,
    engine: Arc<Engine>,
    outbound: Arc<Outbound>,
    settings: PollSettings,
    health: Arc<SourceHealth>,
    leadership: Option<Leadership>,
}

/// Who polls among the replicas of one bot: a lease named after the bot's id in
/// the database every replica shares, taken or renewed with the holder's random
/// id ([`engine::ports::BroadcastStore::acquire_lease`], as the broadcast sender's).
pub struct Leadership {
    storage: Arc<dyn BroadcastStore>,
    clock: Arc<dyn Clock>,
    /// `polling:<bot id>`: replicas of another bot on the same database poll too.
    name: String,
    holder: String,
    /// When the lease was last taken or renewed, while this replica holds it.
    held: Option<std::time::Instant>,
}

/// The task that keeps (or waits for) the lease while the poller runs, and what
/// it last found.
struct LeaseKeeper {
    /// `None` until the first look at the lease.
    may_poll: watch::Receiver<Option<bool>>,
    stop: CancellationToken,
    /// Dies with the poller: a crash (in tests, an aborted poller) must not leave
    /// a renewer holding the lease.
    task: AbortOnDropHandle<()>,
}

impl LeaseKeeper {
    fn start(mut lease: Leadership, ttl: Duration) -> LeaseKeeper {
        let (tell, may_poll) = watch::channel(None);
        let stop = CancellationToken::new();
        let until = stop.clone();
        let task = AbortOnDropHandle::new(tokio::spawn(async move {
            loop {
                let held = lease.may_poll(ttl).await;
                tell.send_replace(Some(held));
                let next = if held { ttl / 3 } else { ttl / 6 };
                tokio::select! {
                    _ = until.cancelled() => break,
                    _ = tokio::time::sleep(next) => {}
                }
            }
            lease.release().await;
        }));
        LeaseKeeper {
            may_poll,
            stop,
            task,
        }
    }

    /// Stops renewing and gives the lease up.
    async fn release(self) {
        self.stop.cancel();
        let _ = self.task.await;
    }
}

impl Leadership {
    pub fn new(storage: Arc<dyn BroadcastStore>, clock: Arc<dyn Clock>, bot: &Bot) -> Leadership {
        // The token's part before ':' is the bot's public id.
        let bot_id = bot.token().split(':').next().unwrap_or_default();
        Leadership {
            storage,
            clock,
            name: format!("polling:{bot_id}"),
            holder: uuid::Uuid::new_v4().to_string(),
            held: None,
        }
    }

    /// Whether this replica may poll now: takes or renews the lease. If the
    /// database does not answer, a holder goes on until its own lease would have
    /// run out.
    async fn may_poll(&mut self, ttl: Duration) -> bool {
        let now = self.clock.now();
        let until = now + time::Duration::try_from(ttl).unwrap_or(time::Duration::MINUTE);
        match self
            .storage
            .acquire_lease(&self.name, &self.holder, now, until)
            .await
        {
            Ok(true) => {
                if self.held.is_none() {
                    tracing::info!(lease = %self.name, "this replica receives the updates");
                }
                self.held = Some(std::time::Instant::now());
                true
            }
            Ok(false) => {
                if self.held.take().is_some() {
                    tracing::warn!(lease = %self.name, "another replica took over receiving the updates");
                }
                false
            }
            Err(e) => {
                let valid = self.held.is_some_and(|at| at.elapsed() < ttl);
                tracing::warn!(error = %e, holding = valid, "cannot renew the polling lease");
                if !valid {
                    self.held = None;
                }
                valid
            }
        }
    }

    /// Gives the lease up at a stop, so a standby takes over at once.
    async fn release(&mut self) {
        if self.held.take().is_some()
            && let Err(e) = self.storage.release_lease(&self.name, &self.holder).await
        {
            tracing::warn!(error = %e, "cannot release the polling lease; a standby takes over when it runs out");
        }
    }
}

impl Poller {
    pub fn new(
        bot: Bot,
        engine: Arc<Engine>,
        outbound: Arc<Outbound>,
        settings: PollSettings,
    ) -> Poller {
        Poller {
            bot,
            engine,
            outbound,
            settings,
            health: Arc::default(),
            leadership: None,
        }
    }

    /// Polls only while holding the bot's polling lease (see [`Leadership`]);
    /// without it, the poller assumes it is alone.
    pub fn with_leadership(mut self, leadership: Leadership) -> Poller {
        self.leadership = Some(leadership);
        self
    }

    /// How polling is going: receiving from the start of [`Poller::run`]; failing
    /// after [`FAILING_AFTER`] failed `getUpdates` in a row, or at once on a 409
    /// Conflict (another poller, or a webhook is set); stopped when it ends.
    pub fn health(&self) -> Arc<SourceHealth> {
        self.health.clone()
    }

    /// Polls until `shutdown` is cancelled, then finishes what must be finished and
    /// confirms exactly what was handled.
    pub async fn run(mut self, shutdown: CancellationToken) {
        let mut dispatcher = Dispatcher::new(
            self.engine.clone(),
            self.outbound.clone(),
            DispatchSettings {
                max_in_flight: self.settings.max_in_flight,
                max_backlog: self.settings.max_backlog,
            },
        );
        let mut cursor = Cursor::default();
        let mut failures = 0u32;
        let mut keeper = self
            .leadership
            .take()
            .map(|lease| LeaseKeeper::start(lease, self.settings.lease_ttl));
        if keeper.is_none() {
            self.health.set(SourceState::Receiving);
        }
        while !shutdown.is_cancelled() {
            if let Some(keeper) = &mut keeper {
                let held = *keeper.may_poll.borrow_and_update();
                match held {
                    Some(true) => {
                        if self.health.get() == SourceState::Standby
                            || self.health.get() == SourceState::Starting
                        {
                            self.health.set(SourceState::Receiving);
                        }
                    }
                    // Not known yet (still starting) or held by another replica.
                    Some(false) | None => {
                        if held.is_some() {
                            self.health.set(SourceState::Standby);
                        }
                        tokio::select! {
                            _ = shutdown.cancelled() => break,
                            _ = keeper.may_poll.changed() => continue,
                        }
                    }
                }
            }
            let offset = cursor.offset(&dispatcher);
            // Telegram answers at once while it still has updates we received.
            let waiting = offset.is_some_and(|o| cursor.next.is_some_and(|n| o < n));
            let request = lean::GetUpdates {
                offset: offset.map(offset_param),
                limit: 100,
                timeout: if waiting {
                    0
                } else {
                    self.settings.timeout_secs
                },
            };
            if let Some(offset) = offset {
                // Telegram may apply the offset even if the answer never arrives:
                // from now on the dispatcher treats what is below it as confirmed.
                dispatcher.confirmed_below(offset);
            }
            let updates = tokio::select! {
                biased;
                _ = shutdown.cancelled() => break,
                r = lean::call::<_, Vec<Box<RawValue>>>(&self.bot, "getUpdates", &request) => r,
            };
            let updates = match updates {
                Ok(updates) => {
                    failures = 0;
                    self.health.set(SourceState::Receiving);
                    updates
                }
                Err(e) => {
                    failures += 1;
                    let failure = classify(&e);
                    let conflict = is_conflict(&failure);
                    metrics::counter!(
                        "trainbot_getupdates_errors_total",
                        "kind" => if conflict { "conflict" } else { crate::outbound::kind(&failure) }
                    )
                    .increment(1);
                    if conflict || failures >= FAILING_AFTER {
                        self.health.set(SourceState::Failing(format!(
                            "getUpdates failed {failures} time(s) in a row: {}",
                            crate::errors::redacted(&e.to_string())
                        )));
                    }
                    let wait = backoff(failures, &failure);
                    tokio::select! {
                        _ = shutdown.cancelled() => break,
                        _ = tokio::time::sleep(wait) => continue,
                    }
                }
            };
            if let Some(offset) = offset {
                cursor.confirmed = offset;
                cursor.received.retain(|id| *id >= offset);
            }
            let mut fresh = 0u64;
            for raw in &updates {
                // Each update is read on its own: one Telegram could not have sent
                // (no readable id) is skipped, and confirmed with the ones after it.
                let Some(Read {
                    update_id: id,
                    inbound,
                }) = read_update(raw.get())
                else {
                    tracing::warn!("getUpdates returned an element that is not an update; skipped");
                    continue;
                };
                if !cursor.received.insert(id) {
                    continue;
                }
                fresh += 1;
                if let Some(inbound) = inbound {
                    tokio::select! {
                        biased;
                        _ = shutdown.cancelled() => {
                            cursor.abandoned = Some(id);
                            break;
                        }
                        _ = dispatcher.submit(inbound) => {}
                    }
                }
                cursor.next = Some(id.saturating_add(1));
            }
            metrics::counter!("trainbot_updates_received_total").increment(fresh);
            if waiting && fresh == 0 {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = dispatcher.progressed() => {}
                    _ = tokio::time::sleep(SHORT_POLL) => {}
                }
            }
        }
        self.health.set(SourceState::Stopped);
        dispatcher.stop().await;
        if let Some(offset) = cursor.handled_below(&dispatcher)
            && offset > cursor.confirmed
        {
            self.confirm(offset).await;
        }
        if let Some(keeper) = keeper {
            keeper.release().await;
        }
    }

    /// Tells Telegram everything below `offset` is handled.
    async fn confirm(&self, offset: i64) {
        match self
            .bot
            .get_updates()
            .offset(offset_param(offset))
            .timeout(0)
            .limit(1)
            .await
        {
            Ok(_) => tracing::info!(offset, "confirmed handled updates"),
            Err(e) => {
                tracing::warn!(offset, error = %crate::errors::redacted(&e.to_string()), "could not confirm handled updates; they will be de-duplicated on the next start")
            }
        }
    }
}

/// `getUpdates` takes a 32-bit offset; update ids fit in it.
fn offset_param(offset: i64) -> i32 {
    i32::try_from(offset).unwrap_or(i32::MAX)
}

/// Failed `getUpdates` in a row before the source counts as failing: one failure
/// is a network blip that the next poll usually gets over.
pub const FAILING_AFTER: u32 = 2;

/// Whether Telegram refused the poll because someone else receives the updates.
fn is_conflict(failure: &Failure) -> bool {
    matches!(failure, Failure::Permanent(why)
        if why.contains("Conflict") || why.contains("terminated by other"))
}

fn backoff(failures: u32, failure: &Failure) -> Duration {
    match failure {
        Failure::RetryAfter(wait) => *wait,
        Failure::Permanent(why) if is_conflict(failure) => {
            tracing::error!(error = %why, "409 Conflict: another instance is polling with this token, or a webhook is set; backing off");
            Duration::from_secs(5)
        }
        other => {
            tracing::warn!(failure = ?other, "getUpdates failed; retrying");
            Duration::from_millis((250u64 << failures.min(6)).min(15_000))
        }
    }
}
