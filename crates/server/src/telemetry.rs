//! Logs: human-readable text by default, JSON with `LOG_FORMAT=json`; the level
//! from `RUST_LOG` (default `info`). Errors to Sentry: see [`crate::errors`].
//! Traces: see [`crate::traces`]; a log line
//! written while an update is handled carries the update's span (its id and, with
//! traces on, its trace id).

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Level;
use tracing_subscriber::filter::{LevelFilter, Targets, filter_fn};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::{Config, LogFormat};

/// What [`init`] set up that must be flushed before the process exits.
#[must_use = "call `shutdown` before exiting, or the last spans and errors are lost"]
pub struct Telemetry {
    traces: Option<SdkTracerProvider>,
    errors: Option<sentry::ClientInitGuard>,
}

impl Telemetry {
    /// Sends the spans and error reports still buffered (each bounded by its
    /// time-out), off the runtime's worker threads.
    pub async fn shutdown(self) {
        let Telemetry { traces, errors } = self;
        let flushed = tokio::task::spawn_blocking(move || {
            // Dropping the guard flushes the Sentry queue.
            drop(errors);
            traces.map(|provider| provider.shutdown())
        })
        .await;
        if let Ok(Some(Err(e))) = flushed {
            tracing::warn!(error = %e, "the last traces could not be sent");
        }
    }
}

/// Installs the log subscriber and, if the environment asks for them, the trace
/// exporter and the error reports. Call once, inside the Tokio runtime; an error
/// names the setting to fix.
pub fn init(config: &Config) -> Result<Telemetry, String> {
    // teloxide and reqwest log request URLs at debug level, and every Bot API URL
    // holds the token: keep them at warn unless RUST_LOG says otherwise explicitly.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new("info,teloxide=warn,teloxide_core=warn,reqwest=warn,hyper=warn,sqlx=warn")
    });
    // Colour only on a terminal: under systemd, Docker or Kubernetes the escape codes
    // would end up in every stored log line.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let logs = tracing_subscriber::fmt::layer()
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    let logs = match config.log_format {
        LogFormat::Json => logs.json().boxed(),
        LogFormat::Text => logs.boxed(),
    };
    let traces = crate::traces::provider()?;
    // Spans are exported whatever RUST_LOG says: only our own crates' spans, at
    // info (the update, storage, state and Bot API spans).
    let spans = traces.as_ref().map(|provider| {
        let ours = Targets::new().with_default(LevelFilter::OFF).with_targets(
            ["telegram", "storage", "state", "engine", "server"]
                .map(|target| (target, LevelFilter::INFO)),
        );
        tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("trainbot"))
            .with_filter(ours)
    });
    let errors = crate::errors::client(config.secrets())?;
    // Error events from every crate, and the update spans they happen in.
    let reports = errors.is_some().then(|| {
        crate::errors::ErrorEvents.with_filter(filter_fn(|m| {
            if m.is_span() {
                m.name() == "update"
            } else {
                *m.level() == Level::ERROR
            }
        }))
    });
    let _ = tracing_subscriber::registry()
        .with(logs.with_filter(filter))
        .with(spans)
        .with(reports)
        .try_init();
    Ok(Telemetry { traces, errors })
}

/// Every metric the bot exports: kind, name and help text. Registered at start-up
/// ([`register_metrics`]) so each is in `/metrics` from the first scrape: an alert
/// on a series that does not exist yet never fires. A test keeps this list and the
/// names used in the code in step.
pub const METRICS: &[(MetricKind, &str, &str)] = &[
    (
        MetricKind::Counter,
        "trainbot_access_requests_limited_total",
        "Access requests refused because the person asked too often.",
    ),
    (
        MetricKind::Counter,
        "trainbot_activity_dropped_total",
        "Activity records dropped (buffer full or the database refused a batch).",
    ),
    (
        MetricKind::Counter,
        "trainbot_activity_written_total",
        "Activity records written to the database.",
    ),
    (
        MetricKind::Counter,
        "trainbot_admin_denied_total",
        "Admin presses or typed answers refused for want of a role or a live session.",
    ),
    (
        MetricKind::Counter,
        "trainbot_admin_forbidden_total",
        "Admin presses refused because the role does not allow them.",
    ),
    (
        MetricKind::Counter,
        "trainbot_admin_lockouts_total",
        "Admin logins locked after repeated wrong passwords.",
    ),
    (
        MetricKind::Counter,
        "trainbot_admin_login_failures_total",
        "Wrong admin passwords.",
    ),
    (
        MetricKind::Counter,
        "trainbot_attempts_finished_total",
        "Knowledge checks and reviews finished.",
    ),
    (
        MetricKind::Counter,
        "trainbot_broadcast_messages_total",
        "Announcement messages by outcome (sent, failed, blocked, unknown).",
    ),
    (
        MetricKind::Counter,
        "trainbot_certificates_issued_total",
        "Certificates issued.",
    ),
    (
        MetricKind::Counter,
        "trainbot_circuit_breaker_rejected_total",
        "Calls failed at once because a dependency's circuit breaker is open.",
    ),
    (
        MetricKind::Counter,
        "trainbot_content_edits_skipped_total",
        "Panel edits that no longer fit the pack after a reload.",
    ),
    (
        MetricKind::Counter,
        "trainbot_content_edits_total",
        "Page edits saved in the panel.",
    ),
    (
        MetricKind::Counter,
        "trainbot_content_reload_failures_total",
        "Content pack reloads refused because the pack has problems.",
    ),
    (
        MetricKind::Counter,
        "trainbot_erasures_total",
        "People erased at their request.",
    ),
    (
        MetricKind::Counter,
        "trainbot_error_reports_dropped_total",
        "Error reports not sent to Sentry, by reason (rate_limited: Sentry asked to wait).",
    ),
    (
        MetricKind::Counter,
        "trainbot_exports_total",
        "Exports started, by kind.",
    ),
    (
        MetricKind::Counter,
        "trainbot_exports_finished_total",
        "Background exports finished, by outcome (sent, too big, failed).",
    ),
    (
        MetricKind::Counter,
        "trainbot_foreign_callbacks_total",
        "Presses naming a message of another chat (treated as out of date).",
    ),
    (
        MetricKind::Counter,
        "trainbot_getupdates_errors_total",
        "Failed getUpdates calls by kind (conflict, transient, retry_after, ...).",
    ),
    (
        MetricKind::Counter,
        "trainbot_invites_refused_total",
        "Invite codes refused (unknown, expired, revoked, used up).",
    ),
    (
        MetricKind::Counter,
        "trainbot_lane_pauses_total",
        "Pauses of the paced lane for unsolicited messages after a 429.",
    ),
    (
        MetricKind::Counter,
        "trainbot_media_uploads_total",
        "Media files uploaded to Telegram (then reused by file id).",
    ),
    (
        MetricKind::Counter,
        "trainbot_people_blocked_bot_total",
        "People found to have blocked the bot (403).",
    ),
    (
        MetricKind::Counter,
        "trainbot_person_cache_total",
        "Updates whose person came from the memory copy (outcome=hit) or the database (outcome=miss).",
    ),
    (
        MetricKind::Counter,
        "trainbot_quiz_repeated_presses_total",
        "Answer presses on a question already answered.",
    ),
    (
        MetricKind::Counter,
        "trainbot_telegram_calls_spared_total",
        "Bot API calls not made because Telegram would refuse them, by reason (not_modified: the message already shows that screen; gone: the bot deleted it).",
    ),
    (
        MetricKind::Counter,
        "trainbot_reminder_runs_total",
        "Reminder passes run by this replica, by outcome (ran, failed).",
    ),
    (
        MetricKind::Counter,
        "trainbot_reminders_total",
        "Reminders sent.",
    ),
    (
        MetricKind::Counter,
        "trainbot_stale_callbacks_total",
        "Presses of buttons the bot never issued or that are out of date.",
    ),
    (
        MetricKind::Counter,
        "trainbot_telegram_errors_total",
        "Failed Bot API calls by method and kind.",
    ),
    (
        MetricKind::Counter,
        "trainbot_presses_answered_early_total",
        "Button presses whose spinner was stopped with an empty answer because handling them took more than 5 s.",
    ),
    (
        MetricKind::Counter,
        "trainbot_update_panics_total",
        "Updates whose handling panicked (the person got an apology).",
    ),
    (
        MetricKind::Counter,
        "trainbot_update_timeouts_total",
        "Updates over their time limit (the person got an apology).",
    ),
    (
        MetricKind::Counter,
        "trainbot_updates_dropped_flood_total",
        "Updates dropped by the per-person flood limits.",
    ),
    (
        MetricKind::Counter,
        "trainbot_updates_duplicate_total",
        "Updates delivered again and not handled twice.",
    ),
    (
        MetricKind::Counter,
        "trainbot_updates_received_total",
        "Updates received from Telegram.",
    ),
    (
        MetricKind::Counter,
        "trainbot_webhook_requests_total",
        "Webhook requests by outcome (handled, unauthorized, too large, malformed, chat busy, stopping, ...).",
    ),
    (
        MetricKind::Gauge,
        "trainbot_broadcast_backlog",
        "Messages of running broadcasts not yet sent, set by the sending replica after each batch.",
    ),
    (
        MetricKind::Gauge,
        "trainbot_build_info",
        "Always 1; the version and commit of the running binary are its labels.",
    ),
    (
        MetricKind::Gauge,
        "trainbot_circuit_breaker_open",
        "1 while a dependency's circuit breaker is open (calls fail fast), by dependency.",
    ),
    (
        MetricKind::Gauge,
        "trainbot_content_edits_applied",
        "Panel edits laid over the running content pack.",
    ),
    (
        MetricKind::Gauge,
        "trainbot_exports_waiting",
        "Exports queued or running in this replica's background worker.",
    ),
    (
        MetricKind::Gauge,
        "trainbot_people_active",
        "People (not blocked) who used the bot in the last 5 minutes, from the database at each scrape: the same on every replica.",
    ),
    (
        MetricKind::Gauge,
        "trainbot_ready",
        "1 when the database and the state store answer (as /readyz), else 0; set at each scrape.",
    ),
    (
        MetricKind::Gauge,
        "trainbot_updates_backlog",
        "Updates received and not yet finished (queued or being handled) in this replica.",
    ),
    (
        MetricKind::Gauge,
        "trainbot_updates_in_flight",
        "Updates being handled now in this replica.",
    ),
    (
        MetricKind::Histogram,
        "trainbot_state_seconds",
        "State store (Redis) command time by command, seconds.",
    ),
    (
        MetricKind::Histogram,
        "trainbot_storage_seconds",
        "Storage call time by operation, seconds.",
    ),
    (
        MetricKind::Histogram,
        "trainbot_telegram_request_seconds",
        "Bot API call time by method, seconds.",
    ),
    (
        MetricKind::Histogram,
        "trainbot_update_seconds",
        "Time to handle one update and execute its actions, seconds.",
    ),
];

/// The kinds of metric in [`METRICS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricKind {
    Counter,
    Gauge,
    Histogram,
}

/// The commit this binary was built from: `TRAINBOT_COMMIT` at build time
/// (the Dockerfile's build argument), else `unknown`.
pub const COMMIT: &str = match option_env!("TRAINBOT_COMMIT") {
    Some(commit) => commit,
    None => "unknown",
};

/// What `trainbot --version` prints after the name: the version and the commit.
pub static VERSION: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("{} (commit {COMMIT})", env!("CARGO_PKG_VERSION")));

/// Describes every metric of [`METRICS`] and gives each a first value, and sets
/// `trainbot_build_info`. Call once the recorder is installed.
pub fn register_metrics() {
    for &(kind, name, help) in METRICS {
        match kind {
            MetricKind::Counter => {
                metrics::describe_counter!(name, help);
                metrics::counter!(name).increment(0);
            }
            MetricKind::Gauge => {
                metrics::describe_gauge!(name, help);
                // The build's own series is the labelled one set below.
                if name != "trainbot_build_info" {
                    metrics::gauge!(name).set(0.0);
                }
            }
            MetricKind::Histogram => {
                metrics::describe_histogram!(name, help);
                // Registering the histogram exports its (empty) buckets at once.
                let _ = metrics::histogram!(name);
            }
        }
    }
    metrics::gauge!(
        "trainbot_build_info",
        "version" => env!("CARGO_PKG_VERSION"),
        "commit" => COMMIT,
    )
    .set(1.0);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    /// The `trainbot_` metric names that `counter!`, `gauge!` and `histogram!`
    /// calls in `dir`'s Rust files name literally, with their kind.
    fn used_in(dir: &Path, found: &mut BTreeSet<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                used_in(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for kind in ["counter", "gauge", "histogram"] {
                    let opening = format!("{kind}!(");
                    for (at, _) in text.match_indices(&opening) {
                        let rest = text[at + opening.len()..].trim_start();
                        let Some(rest) = rest.strip_prefix("\"trainbot_") else {
                            continue;
                        };
                        let name = rest.split('"').next().unwrap();
                        found.insert((kind.to_owned(), format!("trainbot_{name}")));
                    }
                }
            }
        }
    }

    #[test]
    fn every_metric_the_code_records_is_registered_and_nothing_else() {
        let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut used = BTreeSet::new();
        for member in std::fs::read_dir(&crates).unwrap() {
            let src = member.unwrap().path().join("src");
            if src.is_dir() {
                used_in(&src, &mut used);
            }
        }
        let registered: BTreeSet<(String, String)> = METRICS
            .iter()
            .map(|(kind, name, _)| (format!("{kind:?}").to_lowercase(), (*name).to_owned()))
            .collect();
        assert_eq!(used, registered);
        for (_, name, help) in METRICS {
            assert!(!help.is_empty(), "{name} has help text");
        }
    }
}
