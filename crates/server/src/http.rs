//! The operator's HTTP endpoints: `/healthz` (alive), `/readyz` (database and state
//! store reachable) and `/metrics` (Prometheus).

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use engine::ports::{StateStore, Storage};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

#[derive(Clone)]
struct Probes {
    storage: Arc<dyn Storage>,
    state: Arc<dyn StateStore>,
}

pub fn router(storage: Arc<dyn Storage>, state: Arc<dyn StateStore>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics))
        .with_state(Probes { storage, state })
}

async fn ready(State(p): State<Probes>) -> (StatusCode, String) {
    let timeout = Duration::from_secs(2);
    let db = tokio::time::timeout(timeout, p.storage.ping()).await;
    let st = tokio::time::timeout(timeout, p.state.ping()).await;
    let verdict = |r: Result<Result<(), String>, _>| match r {
        Ok(Ok(())) => "ok".to_owned(),
        Ok(Err(e)) => e,
        Err(_) => "timed out".to_owned(),
    };
    let db = verdict(db.map(|r| r.map_err(|e| e.to_string())));
    let st = verdict(st.map(|r| r.map_err(|e| e.to_string())));
    let status = if db == "ok" && st == "ok" {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, format!("database: {db}\nstate: {st}\n"))
}

async fn metrics() -> (StatusCode, String) {
    match prometheus() {
        Some(handle) => (StatusCode::OK, handle.render()),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics recorder unavailable\n".to_owned(),
        ),
    }
}

/// The process-wide Prometheus recorder. The `metrics` facade is global by design,
/// so the recorder is installed once per process, however many apps a test starts.
pub fn prometheus() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new().install_recorder().ok()?;
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
