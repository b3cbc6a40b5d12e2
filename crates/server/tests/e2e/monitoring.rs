//! The monitoring that ships with the bot (`monitoring/`) against a running bot:
//! every metric an alert rule or a dashboard panel names is one the bot exports,
//! from its first scrape, and the latency histograms have buckets (so a p95 can be
//! computed across replicas).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::helpers::TestApp;
use crate::net::free_port;

fn monitoring_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../monitoring")
}

/// The `trainbot_…` metric names in a rule or dashboard file, without the
/// `_bucket`, `_sum` and `_count` suffixes of a histogram's series.
fn names_in(path: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut names = BTreeSet::new();
    for (at, _) in text.match_indices("trainbot_") {
        let name: String = text[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        // Anchors of runbook links (`#trainbotdown`) have no underscore; names do.
        let base = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .unwrap_or(&name);
        names.insert(base.to_owned());
    }
    names
}

/// The metric families of a Prometheus text exposition.
fn exported(body: &str) -> BTreeSet<String> {
    body.lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn every_metric_the_alerts_and_dashboards_name_is_exported() {
    let app = TestApp::spawn().await;
    let body = app.metrics().await;
    let exported = exported(&body);
    let mut files = vec![monitoring_dir().join("alerts.yml")];
    for entry in std::fs::read_dir(monitoring_dir().join("dashboards")).unwrap() {
        files.push(entry.unwrap().path());
    }
    let mut named = 0;
    for file in &files {
        for name in names_in(file) {
            named += 1;
            assert!(
                exported.contains(&name),
                "{} names {name}, which the bot does not export",
                file.display()
            );
        }
    }
    assert!(named > 20, "the rules and dashboards name {named} metrics");
    assert!(
        body.contains("trainbot_update_seconds_bucket{le=\"0.1\"}"),
        "{body}"
    );
    assert!(body.contains("trainbot_build_info{version=\""), "{body}");
    assert!(body.contains("trainbot_ready 1"), "{body}");
}

/// The Prometheus server for [`a_real_prometheus_scrapes_the_bot_and_loads_the_rules`],
/// from `TEST_PROMETHEUS` (the binary's path; `.ci/run` installs Debian's
/// `prometheus` and sets it). Unset: the test says so and does nothing.
fn prometheus_binary() -> Option<PathBuf> {
    match std::env::var_os("TEST_PROMETHEUS") {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => {
            println!("TEST_PROMETHEUS is not set: the real-Prometheus test did not run");
            None
        }
    }
}

/// Asks Prometheus's HTTP API; the JSON answer.
async fn prometheus_api(port: u16, path: &str) -> serde_json::Value {
    reqwest::get(format!("http://127.0.0.1:{port}{path}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Stops the Prometheus child when the test ends, however it ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn a_real_prometheus_scrapes_the_bot_and_loads_the_rules() {
    let Some(binary) = prometheus_binary() else {
        return;
    };
    let app = TestApp::spawn().await;
    app.person(52, "Ops", "en").sends("/start").await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("prometheus.yml");
    let rules = monitoring_dir().join("alerts.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n\
             rule_files:\n  - {}\n\
             scrape_configs:\n  - job_name: trainbot\n    static_configs:\n      - targets: [\"{}\"]\n",
            rules.display(),
            app.http_addr()
        ),
    )
    .unwrap();
    let port = free_port();
    let _prometheus = Child(
        std::process::Command::new(binary)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    // Waits (a hang guard, not a speed check) until Prometheus has scraped the
    // bot and evaluated the rules against what it scraped.
    let query = |q: &'static str| async move {
        let answer = prometheus_api(port, &format!("/api/v1/query?query={q}")).await;
        answer["data"]["result"][0]["value"][1]
            .as_str()
            .map(str::to_owned)
    };
    let mut ready = None;
    for _ in 0..120 {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        if reqwest::get(format!("http://127.0.0.1:{port}/-/ready"))
            .await
            .is_ok_and(|r| r.status().is_success())
            && query("up").await.as_deref() == Some("1")
        {
            ready = query("trainbot_ready").await;
            if ready.is_some() {
                break;
            }
        }
    }
    assert_eq!(ready.as_deref(), Some("1"), "Prometheus scraped the bot");
    let received = query("trainbot_updates_received_total").await;
    assert!(
        received.is_some_and(|v| v != "0"),
        "the /start was counted and scraped"
    );
    // Every rule of alerts.yml is loaded and, once evaluated, healthy.
    let mut loaded = Vec::new();
    for _ in 0..60 {
        let rules = prometheus_api(port, "/api/v1/rules").await;
        loaded = rules["data"]["groups"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g["rules"].as_array().unwrap().clone())
            .collect();
        if loaded.iter().all(|r| r["health"] == "ok") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert_eq!(
        loaded.len(),
        rules_defined(),
        "every rule of alerts.yml is loaded"
    );
    for rule in &loaded {
        assert_eq!(rule["health"], "ok", "{rule}");
    }
    let alerts = prometheus_api(port, "/api/v1/alerts").await;
    assert_eq!(
        alerts["data"]["alerts"].as_array().unwrap().len(),
        0,
        "a healthy bot raises no alert: {alerts}"
    );
}

/// How many rules `alerts.yml` defines.
fn rules_defined() -> usize {
    std::fs::read_to_string(monitoring_dir().join("alerts.yml"))
        .unwrap()
        .lines()
        .filter(|l| l.trim_start().starts_with("- alert:"))
        .count()
}
