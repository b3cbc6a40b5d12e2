//! The HTTP face of the fake: `/{bot<token>}/{method}` for the bot, `/_fake/...` for
//! other processes. Every Bot API request is decoded, validated against the schema,
//! run, answered in Telegram's envelope and recorded.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::{Value, json};

use crate::control;
use crate::fake::Inner;
use crate::flood;
use crate::methods::{self, ApiError, ErrorClass, MethodResult};
use crate::model::{LostAnswer, RequestRecord, Violation};
use crate::outage::{Afterwards, Verdict};
use crate::request::{self, BODY_LIMIT, Params};

/// Long polls are capped like Telegram's.
const MAX_POLL_TIMEOUT_SECS: u64 = 60;

const WEBHOOK_CONFLICT: &str = "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
const POLL_CONFLICT: &str =
    "terminated by other getUpdates request; make sure that only one bot instance is running";

pub(crate) fn router(inner: Arc<Inner>) -> Router {
    Router::new()
        .merge(control::routes())
        .route("/{bot}/{method}", any(bot_api))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(inner)
}

async fn bot_api(
    State(inner): State<Arc<Inner>>,
    Path((bot, method)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    request: Request,
) -> Response {
    let (name, params, result, spoil) =
        handle(&inner, &bot, &method, query.as_deref(), request).await;
    match &result {
        Ok(_) => tracing::debug!(method = %name, "bot api ok"),
        Err(e) => {
            tracing::debug!(method = %name, code = e.code, description = %e.description, "bot api error")
        }
    }
    let spoil = match &result {
        Ok(_) => spoil.or_else(|| lose_answer(&inner, &name, &params).map(Afterwards::Lost)),
        Err(_) => None,
    };
    record(&inner, &name, params, &result);
    match spoil {
        None => envelope(result),
        Some(Afterwards::Lost(how)) => lost_answer(how),
        Some(Afterwards::Slow(delay)) => {
            tokio::time::sleep(delay).await;
            envelope(result)
        }
    }
}

/// How to lose the answer to this carried-out request, if a test asked for it.
fn lose_answer(inner: &Inner, method: &str, params: &Value) -> Option<LostAnswer> {
    let chat = params.get("chat_id").and_then(|c| match c {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    });
    let mut state = inner.lock();
    let queue = state.lost_answers.get_mut(method)?;
    let at = queue
        .iter()
        .position(|(only, _)| only.is_none() || *only == chat)?;
    queue.remove(at).map(|(_, how)| how)
}

/// The answer to a request that was carried out, lost on its way back.
fn lost_answer(how: LostAnswer) -> Response {
    match how {
        LostAnswer::Status(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_GATEWAY);
            let description = status.canonical_reason().unwrap_or("Bad Gateway");
            let body = json!({"ok": false, "error_code": code, "description": description});
            (status, axum::Json(body)).into_response()
        }
        LostAnswer::Reset => {
            // The headers go out, then the body fails: the connection is dropped
            // in the middle of the answer.
            let broken = futures::stream::once(async {
                Err::<axum::body::Bytes, _>(std::io::Error::from(
                    std::io::ErrorKind::ConnectionReset,
                ))
            });
            (StatusCode::OK, axum::body::Body::from_stream(broken)).into_response()
        }
    }
}

/// Parks a request of a method a test holds (`FakeTelegram::hold`) until it is
/// released or the fake stops.
async fn wait_while_held(inner: &Inner, name: &str) {
    let mut changes = inner.subscribe();
    if !inner.lock().held.contains(name) {
        return;
    }
    *inner.lock().parked.entry(name.to_owned()).or_default() += 1;
    inner.bump();
    loop {
        // Marked seen before the check: a release after it ends the wait below.
        changes.borrow_and_update();
        {
            let state = inner.lock();
            if !state.held.contains(name) || state.shutting_down {
                break;
            }
        }
        if changes.changed().await.is_err() {
            break;
        }
    }
    if let Some(n) = inner.lock().parked.get_mut(name) {
        *n = n.saturating_sub(1);
    }
    inner.bump();
}

async fn handle(
    inner: &Inner,
    bot: &str,
    method: &str,
    query: Option<&str>,
    request: Request,
) -> (String, Value, MethodResult, Option<Afterwards>) {
    let unauthorized = ApiError {
        code: 401,
        description: "Unauthorized".into(),
        class: ErrorClass::Violation,
        retry_after: None,
    };
    if bot.strip_prefix("bot") != Some(inner.token.as_str()) {
        return (method.to_owned(), Value::Null, Err(unauthorized), None);
    }
    let Some(spec) = inner.spec.method(method) else {
        let not_found = ApiError {
            code: 404,
            description: "Not Found".into(),
            class: ErrorClass::Violation,
            retry_after: None,
        };
        return (method.to_owned(), Value::Null, Err(not_found), None);
    };
    let name = spec.name.clone();
    let mut params = match request::decode(query, request).await {
        Ok(params) => params,
        Err(e) => return (name, Value::Null, Err(ApiError::bad(e)), None),
    };
    if !params.uploads.is_empty() {
        inner.lock().uploads += params.uploads.len();
    }
    if let Err(e) = inner.spec.validate(spec, &mut params) {
        return (name, params.to_record(), Err(ApiError::bad(e)), None);
    }
    wait_while_held(inner, &name).await;
    let chat = request_chat(inner, &name, &params);
    let delay = chat.and_then(|chat| inner.lock().chat_delays.get(&chat).copied());
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    let spoil = match inner.lock().outage.judge(&name, chat, Instant::now()) {
        Verdict::Pass => None,
        Verdict::Refuse(error) => return (name, params.to_record(), Err(error), None),
        Verdict::Spoil(afterwards) => Some(afterwards),
    };
    let injected = {
        let mut state = inner.lock();
        let for_chat = chat.and_then(|chat| {
            state
                .injected_for_chat
                .get_mut(&(name.clone(), chat))
                .and_then(|queue| queue.pop_front())
        });
        for_chat.or_else(|| {
            state
                .injected
                .get_mut(&name)
                .and_then(|queue| queue.pop_front())
        })
    };
    if let Some(error) = injected {
        return (name, params.to_record(), Err(error), None);
    }
    let result = if name == "getUpdates" {
        get_updates(inner, &params).await
    } else {
        let mut state = inner.lock();
        let limited = flood::is_limited(&name);
        let chat = limited.then(|| params_chat_id(&params)).flatten();
        let now = Instant::now();
        let admitted = match &inner.flood {
            Some(config) if limited => state.flood.admit(config, &name, chat, now),
            _ => Ok(()),
        };
        match admitted {
            Err(too_many) => Err(too_many),
            Ok(()) => {
                let result = methods::call(&mut state, &name, &params, inner.callback_timeout);
                if let (true, Some(chat), Ok(_)) = (limited, chat, &result) {
                    state.sent_times.push((chat, now));
                }
                result
            }
        }
    };
    (name, params.to_record(), result, spoil)
}

/// The chat a request is for: its `chat_id`, or for `answerCallbackQuery` the chat
/// of the person who pressed (per-chat delays and failures key on it).
fn request_chat(inner: &Inner, method: &str, params: &Params) -> Option<i64> {
    if method != "answerCallbackQuery" {
        return params_chat_id(params);
    }
    let query = params.values.get("callback_query_id")?.as_str()?;
    inner.lock().callbacks.get(query)?.chat
}

/// The numeric `chat_id` of a request, if any (flood control keys on it).
fn params_chat_id(params: &Params) -> Option<i64> {
    match params.values.get("chat_id") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
}

fn record(inner: &Inner, method: &str, params: Value, result: &MethodResult) {
    let mut state = inner.lock();
    state.requests.push(RequestRecord {
        method: method.to_owned(),
        params: params.clone(),
        at: Instant::now(),
        ok: result.is_ok(),
    });
    if let Err(e) = result {
        let violation = Violation {
            method: method.to_owned(),
            params,
            error_code: e.code,
            description: e.description.clone(),
        };
        match e.class {
            ErrorClass::Violation => state.violations.push(violation),
            ErrorClass::Blocked => state.blocked_sends.push(violation),
            ErrorClass::Benign => {}
        }
    }
    drop(state);
    inner.bump();
}

fn envelope(result: MethodResult) -> Response {
    match result {
        Ok(result) => (
            StatusCode::OK,
            axum::Json(json!({"ok": true, "result": result})),
        )
            .into_response(),
        Err(e) => {
            let mut body = json!({"ok": false, "error_code": e.code, "description": e.description});
            if let Some(retry_after) = e.retry_after {
                body["parameters"] = json!({"retry_after": retry_after});
            }
            let status = StatusCode::from_u16(e.code).unwrap_or(StatusCode::BAD_REQUEST);
            (status, axum::Json(body)).into_response()
        }
    }
}

/// Clears the "someone is polling" mark however the poll ends (including the client
/// going away).
struct PollGuard<'a>(&'a Inner);

impl Drop for PollGuard<'_> {
    fn drop(&mut self) {
        self.0.lock().polling = false;
        self.0.bump();
    }
}

/// How long a new `getUpdates` waits for a poll its client just gave up on.
const ABANDONED_POLL_GRACE: Duration = Duration::from_secs(1);

/// A poller that stops drops its long poll and confirms what it handled with a
/// new `getUpdates` at once; the dropped request ends here only when its closed
/// connection is noticed, a moment later. Telegram lets the new request through
/// (it ends the older one), so a new request waits that moment before a poll
/// still running counts as a second poller.
async fn wait_for_abandoned_poll(inner: &Inner) {
    let deadline = tokio::time::Instant::now() + ABANDONED_POLL_GRACE;
    let mut events = inner.subscribe();
    while inner.lock().polling {
        match tokio::time::timeout_at(deadline, events.changed()).await {
            Ok(Ok(())) => {}
            // The grace is over, or the fake is shutting down.
            Err(_) | Ok(Err(_)) => return,
        }
    }
}

async fn get_updates(inner: &Inner, params: &Params) -> MethodResult {
    let limit = params.i64("limit").unwrap_or(100);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::bad("limit must be between 1 and 100"));
    }
    let limit = usize::try_from(limit).unwrap_or(100);
    let timeout = params
        .i64("timeout")
        .and_then(|t| u64::try_from(t).ok())
        .unwrap_or(0)
        .min(MAX_POLL_TIMEOUT_SECS);
    wait_for_abandoned_poll(inner).await;
    {
        let mut state = inner.lock();
        if state.webhook.is_some() {
            return Err(ApiError::conflict(WEBHOOK_CONFLICT));
        }
        if state.polling {
            return Err(ApiError::conflict(POLL_CONFLICT));
        }
        match params.i64("offset") {
            Some(offset) if offset < 0 => {
                let keep = usize::try_from(offset.unsigned_abs()).unwrap_or(usize::MAX);
                let forget = state.pending.len().saturating_sub(keep);
                let forgotten: Vec<_> = state.pending.drain(..forget).collect();
                if let Some(last) = forgotten.last() {
                    let below = last.id.saturating_add(1);
                    state.confirmed_below = state.confirmed_below.max(below);
                }
            }
            Some(offset) => state.confirm_below(offset),
            None => {}
        }
        state.polling = true;
    }
    inner.bump();
    let _guard = PollGuard(inner);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
    let mut events = inner.subscribe();
    loop {
        {
            let mut state = inner.lock();
            if state.shutting_down {
                return Ok(json!([]));
            }
            if state.webhook.is_some() {
                return Err(ApiError::conflict(WEBHOOK_CONFLICT));
            }
            if !state.pending.is_empty() || tokio::time::Instant::now() >= deadline {
                let batch: Vec<_> = state.pending.iter().take(limit).cloned().collect();
                for update in &batch {
                    state.mark_delivered(update.callback_id.as_deref());
                }
                return Ok(Value::Array(batch.into_iter().map(|u| u.body).collect()));
            }
        }
        if let Ok(Err(_)) = tokio::time::timeout_at(deadline, events.changed()).await {
            return Ok(json!([]));
        }
    }
}
