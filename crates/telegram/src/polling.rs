//! Long polling: one consumer per token, updates of one chat in order, chats in
//! parallel with a bound.
//!
//! A batch from `getUpdates` is handled completely before the next request, whose
//! `offset` confirms the batch. On shutdown the current batch is finished and then
//! confirmed, so an update is neither lost nor handled twice across a restart.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use domain::ids::ChatId;
use engine::{Engine, Inbound};
use futures::{FutureExt, StreamExt};
use teloxide::Bot;
use teloxide::payloads::GetUpdatesSetters;
use teloxide::prelude::Requester;
use teloxide::types::Update;
use tokio_util::sync::CancellationToken;

use crate::errors::{Failure, classify};
use crate::inbound::to_inbound;
use crate::outbound::Outbound;

/// Longest an update may take before the person gets an apology instead.
pub const UPDATE_TIME_LIMIT: Duration = Duration::from_secs(20);

/// Settings of the poller.
#[derive(Clone, Debug)]
pub struct PollSettings {
    /// Long-poll timeout passed to `getUpdates`, seconds.
    pub timeout_secs: u32,
    /// Updates handled at the same time (different chats).
    pub max_in_flight: usize,
}

impl Default for PollSettings {
    fn default() -> Self {
        PollSettings {
            timeout_secs: 25,
            max_in_flight: 64,
        }
    }
}

pub struct Poller {
    bot: Bot,
    engine: Arc<Engine>,
    outbound: Arc<Outbound>,
    settings: PollSettings,
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
        }
    }

    /// Polls until `shutdown` is cancelled, then finishes and confirms what it has.
    pub async fn run(&self, shutdown: CancellationToken) {
        let mut offset: i32 = 0;
        let mut failures = 0u32;
        loop {
            let request = self
                .bot
                .get_updates()
                .offset(offset)
                .timeout(self.settings.timeout_secs)
                .limit(100);
            let updates = tokio::select! {
                biased;
                _ = shutdown.cancelled() => break,
                r = request => r,
            };
            let updates = match updates {
                Ok(updates) => {
                    failures = 0;
                    updates
                }
                Err(e) => {
                    failures += 1;
                    let wait = backoff(failures, &classify(&e));
                    tokio::select! {
                        _ = shutdown.cancelled() => break,
                        _ = tokio::time::sleep(wait) => continue,
                    }
                }
            };
            let Some(last) = updates.last() else { continue };
            offset = next_offset(last);
            metrics::counter!("trainbot_updates_received_total").increment(updates.len() as u64);
            let inbounds: Vec<Inbound> = updates.iter().filter_map(to_inbound).collect();
            dispatch(
                &self.engine,
                &self.outbound,
                inbounds,
                self.settings.max_in_flight,
            )
            .await;
        }
        if offset != 0 {
            self.confirm(offset).await;
        }
    }

    /// Tells Telegram everything below `offset` is handled.
    async fn confirm(&self, offset: i32) {
        match self
            .bot
            .get_updates()
            .offset(offset)
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

fn next_offset(last: &Update) -> i32 {
    i32::try_from(last.id.0)
        .map(|id| id.saturating_add(1))
        .unwrap_or(i32::MAX)
}

fn backoff(failures: u32, failure: &Failure) -> Duration {
    match failure {
        Failure::RetryAfter(wait) => *wait,
        Failure::Permanent(why)
            if why.contains("Conflict") || why.contains("terminated by other") =>
        {
            tracing::error!(error = %why, "409 Conflict: another instance is polling with this token, or a webhook is set; backing off");
            Duration::from_secs(5)
        }
        other => {
            tracing::warn!(failure = ?other, "getUpdates failed; retrying");
            Duration::from_millis((250u64 << failures.min(6)).min(15_000))
        }
    }
}

/// [`Engine::handle`] inside an error boundary: a panic or an update over `limit`
/// (in production [`UPDATE_TIME_LIMIT`]) becomes an apology to the person and a log
/// line with the update id, never silence and never a stack trace in the chat.
pub async fn handle_bounded(
    engine: &Engine,
    inbound: Inbound,
    limit: Duration,
) -> Vec<engine::Action> {
    let update_id = inbound.update_id;
    let apology = Engine::apology(&inbound);
    let handled = std::panic::AssertUnwindSafe(engine.handle(inbound)).catch_unwind();
    match tokio::time::timeout(limit, handled).await {
        Ok(Ok(actions)) => actions,
        Ok(Err(_)) => {
            metrics::counter!("trainbot_update_panics_total").increment(1);
            tracing::error!(update_id, "handling the update panicked");
            apology
        }
        Err(_) => {
            metrics::counter!("trainbot_update_timeouts_total").increment(1);
            tracing::error!(
                update_id,
                limit_ms = limit.as_millis() as u64,
                "handling the update took too long"
            );
            apology
        }
    }
}

/// Handles a batch: each chat's updates in order, different chats concurrently
/// (at most `max_in_flight` chats at a time).
pub async fn dispatch(
    engine: &Engine,
    outbound: &Outbound,
    inbounds: Vec<Inbound>,
    max_in_flight: usize,
) {
    let mut order: Vec<ChatId> = Vec::new();
    let mut by_chat: HashMap<ChatId, Vec<Inbound>> = HashMap::new();
    for inbound in inbounds {
        by_chat
            .entry(inbound.chat)
            .or_insert_with(|| {
                order.push(inbound.chat);
                Vec::new()
            })
            .push(inbound);
    }
    let chats: Vec<Vec<Inbound>> = order
        .into_iter()
        .filter_map(|c| by_chat.remove(&c))
        .collect();
    futures::stream::iter(chats)
        .for_each_concurrent(max_in_flight.max(1), |updates| async move {
            for inbound in updates {
                let started = std::time::Instant::now();
                let update_id = inbound.update_id;
                let actions = handle_bounded(engine, inbound, UPDATE_TIME_LIMIT).await;
                outbound.execute(actions).await;
                metrics::histogram!("trainbot_update_seconds")
                    .record(started.elapsed().as_secs_f64());
                tracing::debug!(update_id, "handled");
            }
        })
        .await;
}
