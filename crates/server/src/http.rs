//! The operator's HTTP endpoints: `/healthz` (alive), `/readyz` (started, and the
//! database, the state store and the update source answer) and `/metrics`
//! (Prometheus).
//!
//! The listener is up as soon as the content pack is checked, before the database
//! is connected or Telegram asked anything: while starting,
//! `/healthz` says the process lives and `/readyz` answers 503 "starting", so a
//! start-up probe can tell a slow start from a dead process.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use engine::ports::{AudienceFilter, BroadcastStore, PeopleStore, StateStore, StoragePorts};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use telegram::source::SourceHealth;

/// What `/readyz` checks, once start-up has got that far.
#[derive(Clone, Default)]
pub struct Readiness {
    checks: Arc<OnceLock<Checks>>,
}

struct Checks {
    /// Pinged.
    database: Arc<dyn PeopleStore>,
    /// Who is active, for the gauge.
    audience: Arc<dyn BroadcastStore>,
    state: Arc<dyn StateStore>,
    source: Arc<SourceHealth>,
}

impl Readiness {
    /// Start-up is done: from now on `/readyz` asks these.
    pub fn started(
        &self,
        storage: &StoragePorts,
        state: Arc<dyn StateStore>,
        source: Arc<SourceHealth>,
    ) {
        let _ = self.checks.set(Checks {
            database: storage.people.clone(),
            audience: storage.broadcasts.clone(),
            state,
            source,
        });
    }

    /// 200 when started and the database, the state store (within two seconds
    /// each) and the update source answer; 503 otherwise. The body says what each
    /// said.
    pub async fn check(&self) -> (StatusCode, String) {
        let Some(checks) = self.checks.get() else {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "starting: loading content, connecting, registering with Telegram\n".to_owned(),
            );
        };
        let timeout = Duration::from_secs(2);
        let db = tokio::time::timeout(timeout, checks.database.ping()).await;
        let st = tokio::time::timeout(timeout, checks.state.ping()).await;
        let verdict = |r: Result<Result<(), String>, _>| match r {
            Ok(Ok(())) => "ok".to_owned(),
            Ok(Err(e)) => e,
            Err(_) => "timed out".to_owned(),
        };
        let db = verdict(db.map(|r| r.map_err(|e| e.to_string())));
        let st = verdict(st.map(|r| r.map_err(|e| e.to_string())));
        let (source_ok, updates) = match checks.source.verdict() {
            Ok(said) => (true, said.to_owned()),
            Err(why) => (false, why),
        };
        let status = if source_ok && db == "ok" && st == "ok" {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        };
        (
            status,
            format!("database: {db}\nstate: {st}\nupdates: {updates}\n"),
        )
    }
}

/// How far back "active" reaches for `trainbot_people_active`.
const ACTIVE_WINDOW: time::Duration = time::Duration::minutes(5);

impl Readiness {
    /// Sets `trainbot_people_active` from the database (left as it was if the
    /// database does not answer within two seconds, or before start-up is done).
    async fn count_active_people(&self) {
        let Some(checks) = self.checks.get() else {
            return;
        };
        let filter = AudienceFilter {
            seen_since: Some(time::OffsetDateTime::now_utc() - ACTIVE_WINDOW),
            ..AudienceFilter::default()
        };
        let counted =
            tokio::time::timeout(Duration::from_secs(2), checks.audience.audience(&filter)).await;
        if let Ok(Ok(people)) = counted {
            metrics::gauge!("trainbot_people_active").set(people.len() as f64);
        }
    }
}

/// `/healthz` and `/readyz`, and `/metrics` too unless it has a listener of its
/// own (`METRICS_LISTEN`, [`metrics_router`]).
pub fn router(readiness: Readiness, with_metrics: bool) -> Router {
    let probes = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready));
    let probes = if with_metrics {
        probes.route("/metrics", get(metrics))
    } else {
        probes
    };
    probes.with_state(readiness)
}

/// `/metrics` alone, for `METRICS_LISTEN`.
pub fn metrics_router(readiness: Readiness) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(readiness)
}

async fn ready(State(readiness): State<Readiness>) -> (StatusCode, String) {
    readiness.check().await
}

/// The metrics, with `trainbot_ready` measured now: readiness is a metric too, so
/// an alert sees a replica that is up but cannot reach its database.
async fn metrics(State(readiness): State<Readiness>) -> (StatusCode, String) {
    let (status, _) = readiness.check().await;
    metrics::gauge!("trainbot_ready").set(if status == StatusCode::OK { 1.0 } else { 0.0 });
    readiness.count_active_people().await;
    match prometheus() {
        Some(handle) => (StatusCode::OK, handle.render() + &crate::process::render()),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics recorder unavailable\n".to_owned(),
        ),
    }
}

/// Histogram buckets, seconds: from a cached screen (a few ms) to an update at its
/// time limit (20 s), so a p95 can be computed across replicas.
const LATENCY_BUCKETS: &[f64] = &[
    0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0,
];

/// The process-wide Prometheus recorder. The `metrics` facade is global by design,
/// so the recorder is installed once per process, however many apps a test starts.
pub fn prometheus() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets(LATENCY_BUCKETS)
                .ok()?
                .install_recorder()
                .ok()?;
            crate::telemetry::register_metrics();
            let upkeep = handle.clone();
            std::thread::spawn(move || {
                loop {
                    std::thread::sleep(Duration::from_secs(5));
                    upkeep.run_upkeep();
                }
            });
            Some(handle)
        })
        .as_ref()
}
