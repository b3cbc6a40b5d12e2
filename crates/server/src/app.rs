//! [`Application`]: everything wired together, ready to run.
//!
//! `build` binds and connects everything (so a bad database or content pack fails
//! before anything runs); `run_until_stopped` serves until the shutdown token is
//! cancelled, then finishes in-flight updates, confirms the polling offset (or
//! answers the webhook's waiting requests) and flushes activity records.
//!
//! Updates come from long polling or, with `UPDATES=webhook`, from the webhook
//! endpoint on its own listener; in webhook mode the bot never calls `getUpdates`
//! or `deleteWebhook` (registering the webhook is `trainbot webhook set`, once per
//! deployment).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use domain::content::{ContentPack, Problem};
use engine::ports::{
    CertificateDocument, Clock, DocumentRenderer, StateStore, SystemClock, UpdateClaims,
};
use engine::{ActivityRecorder, Engine};
use secrecy::ExposeSecret;
use state::{MemoryState, RedisState};
use storage::SqlStorage;
use telegram::dispatch::{DispatchSettings, Dispatcher};
use telegram::lane::PacedLane;
use telegram::outbound::Outbound;
use telegram::polling::{Leadership, PollSettings, Poller};
use telegram::source::{SourceHealth, SourceState};
use telegram::webhook::{Intake, IntakeSettings};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::AbortOnDropHandle;

use crate::broadcaster::BroadcastWorker;
use crate::config::{Config, UpdateMode};
use crate::exporter::ExportWorker;
use crate::http;
use crate::jobs::{ContentWatch, ProfileSync, ReminderJob};

/// Why the bot could not start; each says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("CONTENT_DIR: {}", content_report(.dir, .problems))]
    Content { dir: String, problems: Vec<Problem> },
    #[error("DATABASE_URL: {0}")]
    Database(#[from] storage::ConnectError),
    #[error("REDIS_URL: {0}")]
    State(#[from] state::ConnectError),
    #[error("LISTEN: cannot listen on {addr}: {reason}")]
    Listen { addr: SocketAddr, reason: String },
    #[error("METRICS_LISTEN: cannot listen on {addr}: {reason}")]
    MetricsListen { addr: SocketAddr, reason: String },
    #[error("WEBHOOK_LISTEN: cannot listen on {addr}: {reason}")]
    WebhookListen { addr: SocketAddr, reason: String },
    #[error("{0}")]
    Setting(String),
    #[error("BOT_TOKEN / TELEGRAM_API_URL: {0}")]
    Telegram(String),
}

/// The report `content check` prints: a count, then one problem a line.
pub fn content_report(dir: &str, problems: &[Problem]) -> String {
    let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
    format!(
        "the content pack in {dir} has {} problem(s):\n{}",
        problems.len(),
        lines.join("\n")
    )
}

/// Loads and validates a content pack, or reports every problem.
pub fn load_content(dir: &Path) -> Result<ContentPack, StartError> {
    ContentPack::load(dir).map_err(|problems| StartError::Content {
        dir: dir.display().to_string(),
        problems,
    })
}

/// Connects the database named by the configuration and applies its migrations.
pub async fn open_storage(config: &Config) -> Result<SqlStorage, StartError> {
    let storage =
        SqlStorage::connect_with(config.database_url.expose_secret(), &config.database).await?;
    storage.migrate().await?;
    Ok(storage)
}

/// Where updates come from.
enum Source {
    Polling(Poller),
    Webhook {
        intake: Arc<Intake>,
        listener: TcpListener,
        router: axum::Router,
        /// Cancelled at shutdown: new requests are answered 503 at once.
        stopping: CancellationToken,
        health: Arc<SourceHealth>,
    },
}

/// `/healthz`, `/readyz` and `/metrics` on `LISTEN` (and `/metrics` on
/// `METRICS_LISTEN` instead, if set), served from the start of
/// [`Application::build`] to the end of [`Application::run_until_stopped`].
struct HttpServer {
    addr: Option<SocketAddr>,
    readiness: http::Readiness,
    stop: CancellationToken,
    tasks: Vec<AbortOnDropHandle<()>>,
}

impl HttpServer {
    async fn start(
        addr: SocketAddr,
        metrics_addr: Option<SocketAddr>,
    ) -> Result<HttpServer, StartError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| StartError::Listen {
                addr,
                reason: e.to_string(),
            })?;
        let bound = listener.local_addr().ok();
        let readiness = http::Readiness::default();
        let stop = CancellationToken::new();
        let mut tasks = vec![serve(
            listener,
            http::router(readiness.clone(), metrics_addr.is_none()),
            &stop,
            if metrics_addr.is_none() {
                "health and metrics"
            } else {
                "health"
            },
        )];
        if let Some(addr) = metrics_addr {
            let listener =
                TcpListener::bind(addr)
                    .await
                    .map_err(|e| StartError::MetricsListen {
                        addr,
                        reason: e.to_string(),
                    })?;
            tasks.push(serve(
                listener,
                http::metrics_router(readiness.clone()),
                &stop,
                "metrics",
            ));
        }
        Ok(HttpServer {
            addr: bound,
            readiness,
            stop,
            tasks,
        })
    }

    /// Stops serving once the requests in hand are answered.
    async fn stop(self) {
        self.stop.cancel();
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Serves `router` on `listener` until `stop`.
fn serve(
    listener: TcpListener,
    router: axum::Router,
    stop: &CancellationToken,
    what: &'static str,
) -> AbortOnDropHandle<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "{what} endpoints listening");
    }
    let until = stop.clone();
    AbortOnDropHandle::new(tokio::spawn(async move {
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(async move { until.cancelled().await })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "the {what} HTTP server stopped");
        }
    }))
}

pub struct Application {
    engine: Arc<Engine>,
    source: Source,
    http: HttpServer,
    activity_writer: engine::ActivityWriter,
    reminders: Arc<ReminderJob>,
    broadcaster: Arc<BroadcastWorker>,
    exporter: Arc<ExportWorker>,
    content_watch: Arc<ContentWatch>,
    profile: ProfileSync,
    /// Closed last, after the activity writer's final batch.
    database: SqlStorage,
}

impl Application {
    pub async fn build(config: Config) -> Result<Application, StartError> {
        Application::build_with_clock(config, Arc::new(SystemClock)).await
    }

    /// [`Application::build`] with a given clock (tests move time with a
    /// `ManualClock`).
    pub async fn build_with_clock(
        config: Config,
        clock: Arc<dyn Clock>,
    ) -> Result<Application, StartError> {
        // Installed first, so that nothing recorded during start-up is lost.
        if http::prometheus().is_none() {
            tracing::warn!("another metrics recorder is installed; /metrics will be empty");
        }
        let content = Arc::new(load_content(&config.content_dir)?);
        tracing::info!(
            dir = %config.content_dir.display(),
            pages = content.page_count(),
            quizzes = content.quizzes().len(),
            "content pack loaded"
        );
        // Up before anything remote: a probe sees "starting", not nothing. (After
        // the content pack, so a broken pack stops the bot before it listens.)
        let http = HttpServer::start(config.listen, config.metrics_listen).await?;
        let database = open_storage(&config).await?;
        let storage = database.ports();
        tracing::info!(database = %config.database_display(), "database ready");
        // In-memory claims die with the process: without Redis, update ids are
        // claimed in the database so a crash repeats no answer (ADR 0016).
        let (state, update_claims): (Arc<dyn StateStore>, Option<Arc<dyn UpdateClaims>>) =
            match &config.redis_url {
                Some(url) => (
                    Arc::new(RedisState::connect(url.expose_secret(), &config.redis_prefix).await?),
                    None,
                ),
                None => (Arc::new(MemoryState::new()), Some(database.claims())),
            };
        let (activity, activity_writer) =
            ActivityRecorder::spawn(storage.people.clone(), 500, Duration::from_secs(2));
        let mut engine = Engine::new(
            content,
            storage.clone(),
            state.clone(),
            clock.clone(),
            activity,
        )
        .with_admins(config.admin_ids.clone())
        .with_limits(config.limits)
        .with_admin_login(
            crate::passwords::Argon2Check::for_config(&config),
            config.admin_session_idle,
        )
        .with_role_passwords(Arc::new(crate::passwords::Argon2Hasher));
        if let Some(claims) = update_claims {
            engine = engine.with_update_claims(claims);
        }
        // One replica polls at a time (ADR 0028) and sees every update, so it
        // counts the flood limits itself, with no round trip (ADR 0045). With
        // webhooks every replica receives updates: the counts stay shared.
        if matches!(config.updates, UpdateMode::Polling) && config.redis_url.is_some() {
            engine = engine.with_arrival_counts(Arc::new(MemoryState::new()));
        }
        let renderer = match &config.certificate_font {
            Some(path) => certificate::Renderer::from_file(path),
            None => certificate::Renderer::builtin(),
        };
        match renderer {
            Ok(renderer) => engine = engine.with_documents(Arc::new(Certificates(renderer))),
            Err(e) => tracing::warn!(error = %e, "certificates will be sent as text"),
        }

        let bot = telegram::bot(config.bot_token.expose_secret(), &config.telegram_api_url);
        let unreachable = |what: &str, f: telegram::errors::Failure| {
            StartError::Telegram(format!(
                "cannot {what} at {}: {f} (check the token and that the Bot API server is reachable)",
                config.telegram_api_url
            ))
        };
        telegram::commands::register(&bot)
            .await
            .map_err(|f| unreachable("register the bot's commands", f))?;
        let username = telegram::commands::username(&bot)
            .await
            .map_err(|f| unreachable("ask Telegram for the bot's username", f))?;
        let engine = Arc::new(engine.with_access(config.access_mode, username));
        // The panel's edits, before the first update is handled.
        let content_watch = Arc::new(ContentWatch::new(engine.clone(), config.content_poll));
        content_watch.run_once().await;
        let profile = ProfileSync::new(
            engine.clone(),
            bot.clone(),
            &storage,
            config.admin_ids.clone(),
        );
        let outbound =
            Arc::new(Outbound::new(bot.clone(), storage.clone()).with_people(engine.people()));
        let exporter = Arc::new(ExportWorker::new(
            engine.export_queue(),
            outbound.clone(),
            config.export_max_bytes,
        ));
        let lane = Arc::new(PacedLane::new(
            outbound.clone(),
            config.unsolicited_per_second,
        ));
        let reminders = Arc::new(ReminderJob::new(
            engine.clone(),
            lane.clone(),
            state.clone(),
            config.reminder_interval,
        ));
        let broadcaster = Arc::new(BroadcastWorker::new(
            engine.clone(),
            storage.broadcasts.clone(),
            lane,
            clock.clone(),
        ));
        let source = match (config.updates, &config.webhook) {
            (UpdateMode::Polling, _) => {
                let settings = PollSettings {
                    timeout_secs: config.poll_timeout_secs,
                    max_in_flight: config.max_in_flight,
                    ..PollSettings::default()
                };
                let leadership = Leadership::new(storage.broadcasts.clone(), clock.clone(), &bot);
                let poller = Poller::new(bot, engine.clone(), outbound, settings)
                    .with_leadership(leadership);
                http.readiness
                    .started(&storage, state.clone(), poller.health());
                Source::Polling(poller)
            }
            (UpdateMode::Webhook, None) => {
                return Err(StartError::Setting(
                    "WEBHOOK_URL: missing: UPDATES=webhook needs WEBHOOK_URL and WEBHOOK_SECRET"
                        .to_owned(),
                ));
            }
            (UpdateMode::Webhook, Some(webhook)) => {
                let dispatcher = Dispatcher::new(
                    engine.clone(),
                    outbound,
                    DispatchSettings {
                        max_in_flight: config.max_in_flight,
                        ..DispatchSettings::default()
                    },
                );
                let intake = Arc::new(Intake::new(
                    dispatcher,
                    state.clone(),
                    IntakeSettings::default(),
                ));
                let listener = TcpListener::bind(webhook.listen).await.map_err(|e| {
                    StartError::WebhookListen {
                        addr: webhook.listen,
                        reason: e.to_string(),
                    }
                })?;
                let stopping = CancellationToken::new();
                let health = Arc::new(SourceHealth::default());
                http.readiness
                    .started(&storage, state.clone(), health.clone());
                let router = crate::webhook::router(
                    webhook.url.path(),
                    webhook.secret.clone(),
                    intake.clone(),
                    stopping.clone(),
                );
                Source::Webhook {
                    intake,
                    listener,
                    router,
                    stopping,
                    health,
                }
            }
        };
        Ok(Application {
            engine,
            source,
            http,
            activity_writer,
            reminders,
            broadcaster,
            exporter,
            content_watch,
            profile,
            database,
        })
    }

    /// Where `/healthz`, `/readyz` and `/metrics` are served.
    pub fn http_addr(&self) -> Option<SocketAddr> {
        self.http.addr
    }

    /// Where the webhook is served (webhook mode only).
    pub fn webhook_addr(&self) -> Option<SocketAddr> {
        match &self.source {
            Source::Webhook { listener, .. } => listener.local_addr().ok(),
            Source::Polling(_) => None,
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The engine, to keep after the application is handed to
    /// [`Application::run_until_stopped`] (the sandbox reloads its content).
    pub fn shared_engine(&self) -> Arc<Engine> {
        self.engine.clone()
    }

    /// The reminder job, to run a pass on demand (tests drive it step by step).
    pub fn reminders(&self) -> Arc<ReminderJob> {
        self.reminders.clone()
    }

    /// The broadcast worker (it also runs on its own while the bot serves).
    pub fn broadcaster(&self) -> Arc<BroadcastWorker> {
        self.broadcaster.clone()
    }

    /// Serves until `shutdown` is cancelled, then stops cleanly.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) {
        let Application {
            engine,
            source,
            http,
            activity_writer,
            reminders,
            broadcaster,
            exporter,
            content_watch,
            profile,
            database,
        } = self;
        // Background tasks die with this future: dropping it (a crash, in tests)
        // stops them mid-work, as killing the process would.
        let reminder_task = AbortOnDropHandle::new(tokio::spawn(reminders.run(shutdown.clone())));
        let broadcast_task =
            AbortOnDropHandle::new(tokio::spawn(broadcaster.run(shutdown.clone())));
        let export_task = AbortOnDropHandle::new(tokio::spawn(exporter.run(shutdown.clone())));
        let content_task =
            AbortOnDropHandle::new(tokio::spawn(content_watch.run(shutdown.clone())));
        // Not awaited: a stop in the middle of it leaves the rest to the next start.
        let _profile_task = AbortOnDropHandle::new(tokio::spawn(profile.run()));
        // /readyz keeps answering (503 "stopping") while the updates in hand finish.
        match source {
            Source::Polling(poller) => poller.run(shutdown).await,
            Source::Webhook {
                intake,
                listener,
                router,
                stopping,
                health,
            } => serve_webhook(intake, listener, router, stopping, health, shutdown).await,
        }
        let _ = reminder_task.await;
        let _ = broadcast_task.await;
        let _ = export_task.await;
        let _ = content_task.await;
        // Every update in hand is handled: write the activity still queued.
        activity_writer.stop().await;
        drop(engine);
        http.stop().await;
        database.close().await;
        tracing::info!("stopped");
    }
}

/// Serves the webhook until `shutdown`; then new requests are answered 503, the
/// updates running finish (their requests 200), the queued ones are dropped (503:
/// Telegram delivers them again, to another replica or after the restart), and the
/// listener closes once the requests in hand are answered.
async fn serve_webhook(
    intake: Arc<Intake>,
    listener: TcpListener,
    router: axum::Router,
    stopping: CancellationToken,
    health: Arc<SourceHealth>,
    shutdown: CancellationToken,
) {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "webhook listening");
    }
    health.set(SourceState::Receiving);
    let server_stop = stopping.clone();
    let server = AbortOnDropHandle::new(tokio::spawn(async move {
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(async move { server_stop.cancelled().await })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "the webhook server stopped");
        }
    }));
    shutdown.cancelled().await;
    health.set(SourceState::Stopped);
    stopping.cancel();
    intake.stop().await;
    let _ = server.await;
}

/// Certificates drawn as PDF with the configured font.
struct Certificates(certificate::Renderer);

impl DocumentRenderer for Certificates {
    fn certificate_pdf(&self, d: &CertificateDocument) -> Result<Vec<u8>, String> {
        let text = certificate::CertificateText {
            title: d.title.clone(),
            full_name: d.full_name.clone(),
            lines: d.lines.clone(),
            quizzes: d.quizzes.clone(),
            code_label: d.code_label.clone(),
            code: d.code.clone(),
        };
        self.0.render(&text).map_err(|e| e.to_string())
    }
}
