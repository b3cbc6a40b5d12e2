//! Webhook delivery: while a webhook is set, pending updates are POSTed to it with
//! `X-Telegram-Bot-Api-Secret-Token`, up to the webhook's `max_connections` at a
//! time, as Telegram does; one chat's updates go one at a time and in order (the
//! next only after the previous one was taken), other chats' meanwhile. Any non-2xx
//! answer or network error is retried, for that update, with a short growing
//! backoff (at-least-once delivery). With [`crate::FakeTelegram::balance_webhook`],
//! deliveries (retries included) go round-robin to several replicas, as through a
//! load balancer.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::fake::Inner;
use crate::state::{QueuedUpdate, unix_now};

const SECRET_HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// Deliveries in flight and updates waiting to be tried again.
#[derive(Default)]
struct Deliveries {
    /// Updates being posted now, and their chats.
    in_flight: HashSet<i64>,
    busy_chats: HashSet<i64>,
    /// Update → failed tries so far and when it may be tried again.
    retry: HashMap<i64, (u32, Instant)>,
}

/// The chat an update belongs to, for ordering (`None`: no chat, no order).
fn chat_of(body: &Value) -> Option<i64> {
    let from_message = |key: &str| body.get(key)?.get("chat")?.get("id")?.as_i64();
    from_message("message")
        .or_else(|| from_message("edited_message"))
        .or_else(|| body.get("callback_query")?.get("from")?.get("id")?.as_i64())
}

/// Runs until the fake shuts down.
pub(crate) async fn run(inner: Arc<Inner>) {
    let mut deliveries = Deliveries::default();
    let mut posts = JoinSet::new();
    loop {
        let mut events = inner.subscribe();
        let now = Instant::now();
        let (shutting_down, webhook) = {
            let state = inner.lock();
            (state.shutting_down, state.webhook.clone())
        };
        if shutting_down {
            return;
        }
        let Some(webhook) = webhook else {
            tokio::select! {
                () = inner.cancel.cancelled() => return,
                _ = events.changed() => continue,
            }
        };
        let (jobs, next_retry) = {
            let mut state = inner.lock();
            let room = usize::try_from(webhook.max_connections)
                .unwrap_or(1)
                .saturating_sub(deliveries.in_flight.len());
            let mut jobs: Vec<QueuedUpdate> = Vec::new();
            let mut waiting_chats: HashSet<i64> = HashSet::new();
            let mut next_retry: Option<Instant> = None;
            for update in &state.pending {
                if jobs.len() >= room {
                    break;
                }
                let chat = chat_of(&update.body);
                // A chat's later updates wait behind its earlier ones.
                if let Some(chat) = chat
                    && (deliveries.busy_chats.contains(&chat) || !waiting_chats.insert(chat))
                {
                    continue;
                }
                if deliveries.in_flight.contains(&update.id) {
                    continue;
                }
                if let Some(&(_, not_before)) = deliveries.retry.get(&update.id)
                    && not_before > now
                {
                    next_retry =
                        Some(next_retry.map_or(not_before, |n: Instant| n.min(not_before)));
                    continue;
                }
                jobs.push(update.clone());
            }
            for update in &jobs {
                state.mark_delivered(update.callback_id.as_deref());
            }
            let mut targets = Vec::new();
            for _ in &jobs {
                targets.push(match state.webhook_targets.len() {
                    0 => webhook.url.clone(),
                    n => state.webhook_targets[state.webhook_turn % n].clone(),
                });
                state.webhook_turn = state.webhook_turn.wrapping_add(1);
            }
            let jobs: Vec<_> = jobs
                .into_iter()
                .zip(targets)
                .map(|(update, url)| (url, webhook.secret_token.clone(), update))
                .collect();
            (jobs, next_retry)
        };
        for (url, secret, update) in jobs {
            deliveries.in_flight.insert(update.id);
            if let Some(chat) = chat_of(&update.body) {
                deliveries.busy_chats.insert(chat);
            }
            let inner = inner.clone();
            posts.spawn(async move {
                let outcome = post(&inner, &url, secret.as_deref(), &update).await;
                (update, outcome)
            });
        }
        let retry_at = next_retry.unwrap_or_else(|| now + Duration::from_secs(3600));
        tokio::select! {
            () = inner.cancel.cancelled() => return,
            Some(Ok((update, outcome))) = posts.join_next(), if !posts.is_empty() => {
                deliveries.in_flight.remove(&update.id);
                if let Some(chat) = chat_of(&update.body) {
                    deliveries.busy_chats.remove(&chat);
                }
                settle(&inner, &mut deliveries, &update, outcome);
            }
            _ = events.changed() => {}
            () = tokio::time::sleep_until(retry_at), if next_retry.is_some() => {}
        }
    }
}

/// Posts one update; `Err` says why Telegram would call it a failed delivery.
async fn post(
    inner: &Inner,
    url: &str,
    secret: Option<&str>,
    update: &QueuedUpdate,
) -> Result<(), String> {
    let mut request = inner.http.post(url).json(&update.body);
    if let Some(secret) = secret {
        request = request.header(SECRET_HEADER, secret);
    }
    let response = tokio::select! {
        () = inner.cancel.cancelled() => return Err("the fake is stopping".to_owned()),
        response = request.send() => response,
    };
    match response {
        Ok(r) if r.status().is_success() => Ok(()),
        Ok(r) => Err(format!("Wrong response from the webhook: {}", r.status())),
        Err(e) => Err(format!("Connection failed: {e}")),
    }
}

/// Records how a delivery went: taken (acknowledged, out of the queue) or to be
/// tried again after a backoff.
fn settle(
    inner: &Inner,
    deliveries: &mut Deliveries,
    update: &QueuedUpdate,
    outcome: Result<(), String>,
) {
    {
        let mut state = inner.lock();
        match &outcome {
            Ok(()) => {
                state.pending.retain(|u| u.id != update.id);
                state.webhook_acked.insert(update.id);
                if let Some(webhook) = state.webhook.as_mut() {
                    webhook.delivered += 1;
                }
                deliveries.retry.remove(&update.id);
            }
            Err(message) => {
                tracing::debug!(update_id = update.id, %message, "webhook delivery failed");
                if let Some(webhook) = state.webhook.as_mut() {
                    webhook.last_error = Some((unix_now(), message.clone()));
                }
                let tries = deliveries.retry.get(&update.id).map_or(0, |(t, _)| *t) + 1;
                let backoff = Duration::from_millis(10u64 << tries.min(7)).min(MAX_BACKOFF);
                deliveries
                    .retry
                    .insert(update.id, (tries, Instant::now() + backoff));
            }
        }
    }
    inner.bump();
}
