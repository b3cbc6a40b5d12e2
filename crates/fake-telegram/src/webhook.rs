//! Webhook delivery: while a webhook is set, pending updates are POSTed to it one at a
//! time, in order, with `X-Telegram-Bot-Api-Secret-Token`; any non-2xx answer or
//! network error is retried with a short growing backoff (at-least-once delivery).
//! With [`crate::FakeTelegram::balance_webhook`], deliveries (retries included) go
//! round-robin to several replicas, as through a load balancer.

use std::sync::Arc;
use std::time::Duration;

use crate::fake::Inner;
use crate::state::unix_now;

const SECRET_HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// Runs until the fake shuts down.
pub(crate) async fn run(inner: Arc<Inner>) {
    let mut failures: u32 = 0;
    loop {
        let mut events = inner.subscribe();
        let job = {
            let mut state = inner.lock();
            if state.shutting_down {
                return;
            }
            let job = match (&state.webhook, state.pending.front()) {
                (Some(webhook), Some(update)) => {
                    let url = match state.webhook_targets.len() {
                        0 => webhook.url.clone(),
                        n => state.webhook_targets[state.webhook_turn % n].clone(),
                    };
                    Some((url, webhook.secret_token.clone(), update.clone()))
                }
                _ => None,
            };
            if job.is_some() {
                state.webhook_turn = state.webhook_turn.wrapping_add(1);
            }
            if let Some((_, _, update)) = &job {
                state.mark_delivered(update.callback_id.as_deref());
            }
            job
        };
        let Some((url, secret, update)) = job else {
            failures = 0;
            tokio::select! {
                () = inner.cancel.cancelled() => return,
                _ = events.changed() => continue,
            }
        };
        let mut request = inner.http.post(&url).json(&update.body);
        if let Some(secret) = &secret {
            request = request.header(SECRET_HEADER, secret);
        }
        let response = tokio::select! {
            () = inner.cancel.cancelled() => return,
            response = request.send() => response,
        };
        let outcome = match response {
            Ok(r) if r.status().is_success() => Ok(()),
            Ok(r) => Err(format!("Wrong response from the webhook: {}", r.status())),
            Err(e) => Err(format!("Connection failed: {e}")),
        };
        {
            let mut state = inner.lock();
            match &outcome {
                Ok(()) => {
                    if state.pending.front().map(|u| u.id) == Some(update.id) {
                        state.pending.pop_front();
                    }
                    state.webhook_acked.insert(update.id);
                    if let Some(webhook) = state.webhook.as_mut() {
                        webhook.delivered += 1;
                    }
                }
                Err(message) => {
                    tracing::debug!(update_id = update.id, %message, "webhook delivery failed");
                    if let Some(webhook) = state.webhook.as_mut() {
                        webhook.last_error = Some((unix_now(), message.clone()));
                    }
                }
            }
        }
        inner.bump();
        if outcome.is_ok() {
            failures = 0;
            continue;
        }
        failures = failures.saturating_add(1);
        let backoff = Duration::from_millis(10u64 << failures.min(7)).min(MAX_BACKOFF);
        tokio::select! {
            () = inner.cancel.cancelled() => return,
            () = tokio::time::sleep(backoff) => {}
        }
    }
}
