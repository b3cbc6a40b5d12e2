//! `trainbot sandbox`: the bot and fake-telegram in one process, and a local web
//! page that looks like a Telegram chat, so content authors and managers see a
//! pack exactly as staff will, without a bot token or Telegram.
//!
//! The page (`sandbox.html`, plain JavaScript, no build step) shows the chat of
//! one of two people, a staff member and an admin (the admin password is on the
//! page): messages with their formatting, inline buttons that can be pressed,
//! photos, videos and documents (certificates, exports, QR codes and charts open
//! or download), a text box and a file upload. Before every message or press
//! the sandbox checks the content folder: a changed pack is read again (as the
//! panel's "Reload from disk" does), and a broken one shows its problem report
//! on the page while the last good content keeps running.
//!
//! Everything lives in a temporary folder (SQLite) and in memory (state), and
//! goes when the sandbox stops. It listens on loopback only.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::ids::UserId;
use engine::{Engine, Reload};
use fake_telegram::{FakeConfig, FakeTelegram, MediaKind, TestUser};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::app::{Application, StartError};
use crate::config::Config;

/// The staff member's Telegram id in the sandbox.
pub const STAFF: i64 = 700_001;
/// The admin's Telegram id in the sandbox.
pub const ADMIN: i64 = 700_002;
/// The admin's password, shown on the page: the sandbox holds no real data.
pub const ADMIN_PASSWORD: &str = "sandbox admin 2026";

const PAGE: &str = include_str!("sandbox.html");

/// Uploads from the page are at most this big (Telegram's limit for a bot).
const UPLOAD_LIMIT: usize = 20 * 1024 * 1024;

/// Why the sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("cannot start fake-telegram: {0}")]
    Fake(String),
    #[error("cannot make a temporary folder for the sandbox's database: {0}")]
    Folder(std::io::Error),
    #[error("{0}")]
    Setup(String),
    #[error(transparent)]
    Start(#[from] StartError),
    #[error("cannot listen on 127.0.0.1:{port} (use --port for another): {reason}")]
    Listen { port: u16, reason: String },
}

/// A running sandbox.
pub struct Sandbox {
    /// Where the page is served.
    pub addr: SocketAddr,
    shutdown: CancellationToken,
    bot: tokio::task::JoinHandle<()>,
    web: tokio::task::JoinHandle<()>,
    fake: FakeTelegram,
    _data: tempfile::TempDir,
}

impl Sandbox {
    /// Starts fake-telegram, the bot on `content` and the page on
    /// `127.0.0.1:port` (0: any free port).
    pub async fn start(content: &Path, port: u16) -> Result<Sandbox, SandboxError> {
        let fake = FakeTelegram::start(FakeConfig::default())
            .await
            .map_err(|e| SandboxError::Fake(e.to_string()))?;
        fake.add_user(TestUser::new(STAFF, "Анна").language("ru"));
        fake.add_user(TestUser::new(ADMIN, "Boss").language("en"));
        let data = tempfile::tempdir().map_err(SandboxError::Folder)?;
        let hash = crate::passwords::hash_password(ADMIN_PASSWORD)
            .map_err(|e| SandboxError::Setup(e.to_string()))?;
        let env: HashMap<String, String> = [
            ("BOT_TOKEN", fake.token()),
            ("TELEGRAM_API_URL", fake.api_url()),
            ("CONTENT_DIR", content.display().to_string()),
            (
                "DATABASE_URL",
                format!("sqlite://{}", data.path().join("sandbox.db").display()),
            ),
            ("LISTEN", "127.0.0.1:0".to_owned()),
            ("ADMIN_IDS", ADMIN.to_string()),
            ("ADMIN_PASSWORD_HASH", hash),
            ("ACCESS_MODE", "open".to_owned()),
            ("POLL_TIMEOUT_SECS", "10".to_owned()),
            ("FLOOD_LIMIT", "100000".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let config =
            Config::from_sources(None, &env).map_err(|e| SandboxError::Setup(e.to_string()))?;
        let app = Application::build(config).await?;
        let engine = app.shared_engine();
        let shutdown = CancellationToken::new();
        let bot = tokio::spawn(app.run_until_stopped(shutdown.clone()));
        let listen = |e: std::io::Error| SandboxError::Listen {
            port,
            reason: e.to_string(),
        };
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(listen)?;
        let addr = listener.local_addr().map_err(listen)?;
        let shared = Arc::new(Shared {
            fake: fake.clone(),
            engine,
            content: content.to_path_buf(),
            seen: Mutex::new(newest_change(content)),
            problems: Mutex::new(Vec::new()),
        });
        let router = router(shared);
        let stop = shutdown.clone();
        let web = tokio::spawn(async move {
            let served = axum::serve(listener, router)
                .with_graceful_shutdown(async move { stop.cancelled().await })
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "the sandbox page stopped");
            }
        });
        Ok(Sandbox {
            addr,
            shutdown,
            bot,
            web,
            fake,
            _data: data,
        })
    }

    /// Stops the page, the bot and fake-telegram.
    pub async fn stop(self) {
        self.shutdown.cancel();
        let _ = self.web.await;
        let _ = self.bot.await;
        self.fake.shutdown().await;
    }
}

struct Shared {
    fake: FakeTelegram,
    engine: Arc<Engine>,
    content: PathBuf,
    /// The newest modification time in the content folder when last read.
    seen: Mutex<Option<SystemTime>>,
    /// The problems of the pack on disk, when it is broken.
    problems: Mutex<Vec<String>>,
}

/// The newest modification time of anything in `dir` (walked recursively).
fn newest_change(dir: &Path) -> Option<SystemTime> {
    let mut newest = std::fs::metadata(dir).and_then(|m| m.modified()).ok();
    let entries = std::fs::read_dir(dir).ok()?;
    for entry in entries.flatten() {
        let path = entry.path();
        let stamp = if path.is_dir() {
            newest_change(&path)
        } else {
            entry.metadata().and_then(|m| m.modified()).ok()
        };
        newest = newest.max(stamp);
    }
    newest
}

impl Shared {
    /// Reads the pack again when the folder changed since the last read; keeps
    /// the problems of a broken one for the page.
    async fn reload_if_changed(&self) {
        let now = newest_change(&self.content);
        {
            let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            if *seen == now {
                return;
            }
            *seen = now;
        }
        let problems = match self.engine.reload_content(UserId(ADMIN)).await {
            Ok(Reload::Done { .. }) => Vec::new(),
            Ok(Reload::Broken(problems)) => problems.iter().map(ToString::to_string).collect(),
            Err(e) => vec![format!("the sandbox's database cannot answer: {e}")],
        };
        *self.problems.lock().unwrap_or_else(|e| e.into_inner()) = problems;
    }

    /// Waits (at most 10 s) until the bot has confirmed the update: its answer's
    /// requests are made before, so the chat then shows the answer.
    async fn handled(&self, update: i64) {
        let _ = self
            .fake
            .wait_confirmed(update, std::time::Duration::from_secs(10))
            .await;
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        .route("/api/chat", get(chat))
        .route("/api/send", post(send))
        .route("/api/press", post(press))
        .route("/api/upload", post(upload))
        .route("/api/file", get(file))
        .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT))
        .with_state(shared)
}

#[derive(Deserialize)]
struct Who {
    person: i64,
}

fn known(person: i64) -> Result<i64, (StatusCode, &'static str)> {
    if person == STAFF || person == ADMIN {
        Ok(person)
    } else {
        Err((StatusCode::BAD_REQUEST, "no such person in the sandbox"))
    }
}

#[derive(Serialize)]
struct Person {
    id: i64,
    name: &'static str,
    role: &'static str,
}

#[derive(Serialize)]
struct Message {
    id: i64,
    from_bot: bool,
    /// Telegram HTML (the page shows only Telegram's tags), or plain text.
    html: Option<String>,
    text: Option<String>,
    media: Option<Media>,
    buttons: Vec<Vec<Button>>,
}

#[derive(Serialize)]
struct Media {
    kind: &'static str,
    url: String,
}

#[derive(Serialize)]
struct Button {
    text: String,
    data: Option<String>,
}

#[derive(Serialize)]
struct Chat {
    people: [Person; 2],
    admin_password: &'static str,
    problems: Vec<String>,
    messages: Vec<Message>,
}

async fn chat(
    State(shared): State<Arc<Shared>>,
    Query(who): Query<Who>,
) -> Result<Json<Chat>, (StatusCode, &'static str)> {
    let person = known(who.person)?;
    let messages = shared
        .fake
        .messages(person)
        .into_iter()
        .map(|m| Message {
            id: m.message_id,
            from_bot: m.from_bot,
            html: m.html.or(m.caption_html),
            text: m.text.or(m.caption),
            media: m.media.map(|media| Media {
                kind: media.kind.as_str(),
                url: format!("/api/file?id={}", media.file_id),
            }),
            buttons: m
                .keyboard
                .into_iter()
                .map(|row| {
                    row.into_iter()
                        .map(|b| Button {
                            text: b.text,
                            data: b.callback_data,
                        })
                        .collect()
                })
                .collect(),
        })
        .collect();
    let problems = shared
        .problems
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    Ok(Json(Chat {
        people: [
            Person {
                id: STAFF,
                name: "Анна",
                role: "staff",
            },
            Person {
                id: ADMIN,
                name: "Boss",
                role: "admin",
            },
        ],
        admin_password: ADMIN_PASSWORD,
        problems,
        messages,
    }))
}

#[derive(Deserialize)]
struct Typed {
    person: i64,
    text: String,
}

async fn send(
    State(shared): State<Arc<Shared>>,
    Json(typed): Json<Typed>,
) -> Result<StatusCode, (StatusCode, &'static str)> {
    let person = known(typed.person)?;
    if typed.text.trim().is_empty() || typed.text.chars().count() > 4096 {
        return Err((StatusCode::BAD_REQUEST, "a message has 1-4096 characters"));
    }
    shared.reload_if_changed().await;
    let update = shared.fake.send_text(person, &typed.text);
    shared.handled(update).await;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct Pressed {
    person: i64,
    message: i64,
    data: String,
}

async fn press(
    State(shared): State<Arc<Shared>>,
    Json(pressed): Json<Pressed>,
) -> Result<StatusCode, (StatusCode, &'static str)> {
    let person = known(pressed.person)?;
    shared.reload_if_changed().await;
    let update = shared.fake.press_on(person, pressed.message, &pressed.data);
    shared.handled(update).await;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct Uploaded {
    person: i64,
    name: String,
}

/// A file from the page: the body is its bytes; a picture is sent as a photo,
/// a video as a video, anything else as a document.
async fn upload(
    State(shared): State<Arc<Shared>>,
    Query(uploaded): Query<Uploaded>,
    body: axum::body::Bytes,
) -> Result<StatusCode, (StatusCode, &'static str)> {
    let person = known(uploaded.person)?;
    if body.is_empty() {
        return Err((StatusCode::BAD_REQUEST, "the file is empty"));
    }
    let lower = uploaded.name.to_lowercase();
    let kind = if [".jpg", ".jpeg", ".png", ".webp"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        MediaKind::Photo
    } else if [".mp4", ".mov", ".webm"].iter().any(|e| lower.ends_with(e)) {
        MediaKind::Video
    } else {
        MediaKind::Document
    };
    shared.reload_if_changed().await;
    let update = shared
        .fake
        .send_file(person, kind, &uploaded.name, body.to_vec(), None);
    shared.handled(update).await;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct FileId {
    id: String,
}

async fn file(State(shared): State<Arc<Shared>>, Query(file): Query<FileId>) -> Response {
    match shared.fake.file_content(&file.id) {
        Some(bytes) => {
            let kind = infer_type(&bytes);
            ([(header::CONTENT_TYPE, kind)], bytes).into_response()
        }
        None => (StatusCode::NOT_FOUND, "no such file").into_response(),
    }
}

/// The content type of a file the bot sent, by its first bytes.
fn infer_type(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"\x89PNG") {
        "image/png"
    } else if bytes.starts_with(b"\xFF\xD8") {
        "image/jpeg"
    } else if bytes.starts_with(b"%PDF") {
        "application/pdf"
    } else if bytes.starts_with(b"PK") {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else if bytes.starts_with(b"\xEF\xBB\xBF") {
        "text/csv; charset=utf-8"
    } else {
        "application/octet-stream"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_typed_by_their_first_bytes() {
        assert_eq!(infer_type(b"\x89PNG\r\n"), "image/png");
        assert_eq!(infer_type(b"%PDF-1.7"), "application/pdf");
        assert_eq!(
            infer_type(b"\xEF\xBB\xBFid,name"),
            "text/csv; charset=utf-8"
        );
        assert_eq!(infer_type(b"PK\x03\x04").len(), 65);
        assert_eq!(infer_type(b"??"), "application/octet-stream");
    }
}
