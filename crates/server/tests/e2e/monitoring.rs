//! The monitoring that ships with the bot (`monitoring/`) against a running bot:
//! every metric an alert rule or a dashboard panel names is one the bot exports,
//! from its first scrape, and the latency histograms have buckets (so a p95 can be
//! computed across replicas).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::helpers::TestApp;

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
    let body = reqwest::get(format!("http://{}/metrics", app.http_addr()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
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
