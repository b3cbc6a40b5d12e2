//! A small HTTP control API so other processes (load generator, manual trials) can play
//! the people: `/_fake/users`, `/_fake/chats/{id}/text|photo|press|blocked|messages`,
//! `/_fake/violations`, `/_fake/flood` (flood-control refusals and ignored retry_afters).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::fake::Inner;
use crate::model::TestUser;

pub(crate) fn routes() -> Router<Arc<Inner>> {
    Router::new()
        .route("/_fake/users", post(add_user))
        .route("/_fake/chats/{id}/text", post(send_text))
        .route("/_fake/chats/{id}/photo", post(send_photo))
        .route("/_fake/chats/{id}/press", post(press))
        .route("/_fake/chats/{id}/blocked", post(set_blocked))
        .route("/_fake/chats/{id}/messages", get(messages))
        .route("/_fake/violations", get(violations))
        .route("/_fake/flood", get(flood))
}

#[derive(Deserialize)]
struct TextBody {
    text: String,
}

#[derive(Deserialize)]
struct PressBody {
    button: String,
}

#[derive(Deserialize)]
struct BlockedBody {
    blocked: bool,
}

async fn add_user(State(inner): State<Arc<Inner>>, Json(user): Json<TestUser>) -> Response {
    {
        let mut state = inner.lock();
        state.chats.entry(user.id).or_default();
        state.users.insert(user.id, user);
    }
    inner.bump();
    Json(json!({"ok": true})).into_response()
}

async fn send_text(
    State(inner): State<Arc<Inner>>,
    Path(id): Path<i64>,
    Json(body): Json<TextBody>,
) -> Response {
    let update_id = inner.lock().user_message(id, Some(&body.text), false);
    inner.bump();
    Json(json!({"ok": true, "update_id": update_id})).into_response()
}

async fn send_photo(State(inner): State<Arc<Inner>>, Path(id): Path<i64>) -> Response {
    let update_id = inner.lock().user_message(id, None, true);
    inner.bump();
    Json(json!({"ok": true, "update_id": update_id})).into_response()
}

async fn press(
    State(inner): State<Arc<Inner>>,
    Path(id): Path<i64>,
    Json(body): Json<PressBody>,
) -> Response {
    let result = inner.lock().press(id, &body.button);
    inner.bump();
    match result {
        Ok(update_id) => Json(json!({"ok": true, "update_id": update_id})).into_response(),
        Err(e) => (
            StatusCode::NOT_FOUND,
            Json(json!({"ok": false, "description": e.to_string()})),
        )
            .into_response(),
    }
}

async fn set_blocked(
    State(inner): State<Arc<Inner>>,
    Path(id): Path<i64>,
    Json(body): Json<BlockedBody>,
) -> Response {
    {
        let mut state = inner.lock();
        state.ensure_user(id);
        if body.blocked {
            state.blocked.insert(id);
        } else {
            state.blocked.remove(&id);
        }
    }
    inner.bump();
    Json(json!({"ok": true})).into_response()
}

async fn messages(State(inner): State<Arc<Inner>>, Path(id): Path<i64>) -> Response {
    let messages = inner.lock().messages(id);
    Json(messages).into_response()
}

async fn violations(State(inner): State<Arc<Inner>>) -> Response {
    let violations = inner.lock().violations.clone();
    Json(violations).into_response()
}

async fn flood(State(inner): State<Arc<Inner>>) -> Response {
    let state = inner.lock();
    let ignored: Vec<_> = state
        .flood
        .ignored
        .iter()
        .map(|i| {
            json!({"method": i.method, "chat_id": i.chat_id,
                   "early_by_ms": u64::try_from(i.early_by.as_millis()).unwrap_or(u64::MAX)})
        })
        .collect();
    let body = json!({
        "enabled": inner.flood.is_some(),
        "refusals": state.flood.refusals,
        "retry_after_ignored": ignored,
        "sent": state.sent_times.len(),
    });
    drop(state);
    Json(body).into_response()
}
