//! The webhook endpoint (`UPDATES=webhook`): its own listener (`WEBHOOK_LISTEN`),
//! one route, the path of `WEBHOOK_URL`. See ADR 0023.
//!
//! Every request, in this order:
//! 1. the dispatcher is stopping: 503 (Telegram delivers the update to another
//!    replica, or to this one after its restart);
//! 2. `X-Telegram-Bot-Api-Secret-Token` compared with `WEBHOOK_SECRET` in constant
//!    time; wrong or missing: 401, the body is never read;
//! 3. the body read up to [`BODY_LIMIT`] (413 beyond) within [`BODY_TIME_LIMIT`]
//!    (408 after);
//! 4. a body that is not an update: 200 and counted (any other answer makes
//!    Telegram send it again, and it can never be handled);
//! 5. the update handled under its chat's lease ([`telegram::webhook::Intake`]):
//!    200 once handled; when it could not be, an error Telegram delivers it again
//!    after: 503 only when another replica could take it now (this one is
//!    stopping), else 409 (its chat is busy, here or on another replica), 504
//!    (still being handled after the handle wait) or 500 (handling failed).
//!    nginx passes 503 on to the next replica and counts it against this one;
//!    the others go straight back to Telegram, so a busy chat or a slow update
//!    never takes a healthy replica out of rotation.
//!
//! Each request is counted in `trainbot_webhook_requests_total{outcome}`, with a
//! fixed set of outcomes.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;
use telegram::webhook::{Intake, Taken, Update, parse_update};
use tokio_util::sync::CancellationToken;

/// The header Telegram puts the secret token in.
pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// The largest body read; Telegram's updates are a few KiB.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// How long reading the body may take.
pub const BODY_TIME_LIMIT: Duration = Duration::from_secs(10);

#[derive(Clone)]
struct Hook {
    secret: SecretString,
    intake: Arc<Intake>,
    stopping: CancellationToken,
}

/// The webhook's router: `POST <path>` only.
pub fn router(
    path: &str,
    secret: SecretString,
    intake: Arc<Intake>,
    stopping: CancellationToken,
) -> Router {
    Router::new().route(path, post(receive)).with_state(Hook {
        secret,
        intake,
        stopping,
    })
}

async fn receive(State(hook): State<Hook>, headers: HeaderMap, body: Body) -> StatusCode {
    let (status, outcome) = answer(&hook, &headers, body).await;
    metrics::counter!("trainbot_webhook_requests_total", "outcome" => outcome).increment(1);
    status
}

async fn answer(hook: &Hook, headers: &HeaderMap, body: Body) -> (StatusCode, &'static str) {
    let update = match admit(&hook.secret, hook.stopping.is_cancelled(), headers, body).await {
        Ok(update) => update,
        Err(refused) => return refused,
    };
    metrics::counter!("trainbot_updates_received_total").increment(1);
    // In a task of its own: a caller that hangs up must not cut the update off
    // half-way or leave its chat's lease held.
    let intake = hook.intake.clone();
    let taken = match tokio::spawn(async move { intake.take(update).await }).await {
        Ok(taken) => taken,
        Err(e) => {
            tracing::error!(error = %e, "webhook: handling the update failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "failed");
        }
    };
    (status_of(taken), taken.label())
}

/// The answer for what became of an update (see the module's step 5).
fn status_of(taken: Taken) -> StatusCode {
    match taken {
        Taken::Handled | Taken::Ignored | Taken::Unleased => StatusCode::OK,
        Taken::Stopping => StatusCode::SERVICE_UNAVAILABLE,
        Taken::Busy => StatusCode::CONFLICT,
        Taken::Slow => StatusCode::GATEWAY_TIMEOUT,
    }
}

/// Steps 1-4 for one request: the update to hand on, or the answer (and its
/// outcome label) to give without handling anything. Public so that the fuzz
/// harness (`crates/fuzzing`) drives exactly this code.
pub async fn admit(
    secret: &SecretString,
    stopping: bool,
    headers: &HeaderMap,
    body: Body,
) -> Result<Update, (StatusCode, &'static str)> {
    if stopping {
        return Err((StatusCode::SERVICE_UNAVAILABLE, "stopping"));
    }
    let given = headers
        .get(SECRET_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    // Equal lengths are compared in constant time; the length itself is not secret
    // enough to matter (Telegram's tokens are up to 256 characters).
    let expected = secret.expose_secret().as_bytes();
    if !bool::from(given.ct_eq(expected)) {
        return Err((StatusCode::UNAUTHORIZED, "unauthorized"));
    }
    let bytes =
        match tokio::time::timeout(BODY_TIME_LIMIT, axum::body::to_bytes(body, BODY_LIMIT)).await {
            Ok(Ok(bytes)) => bytes,
            Ok(Err(_)) => return Err((StatusCode::PAYLOAD_TOO_LARGE, "too_large")),
            Err(_) => return Err((StatusCode::REQUEST_TIMEOUT, "too_slow")),
        };
    parse_update(&bytes).ok_or_else(|| {
        tracing::warn!(
            bytes = bytes.len(),
            "webhook: the body is not an update; answered 200 so Telegram does not send it again"
        );
        (StatusCode::OK, "malformed")
    })
}
