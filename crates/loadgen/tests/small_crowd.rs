#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The load generator itself, on a crowd small enough for every test run: it
//! starts the real `trainbot` (the one `cargo test --workspace` builds next to it)
//! against its in-process fake Telegram, and its JSON report must add up: every
//! press answered and counted, no error, no request Telegram would refuse, the bot
//! stopped gracefully, and a broadcast delivered to everyone. The figures
//! themselves (times, memory) are never asserted.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn trainbot() -> PathBuf {
    let loadgen = PathBuf::from(env!("CARGO_BIN_EXE_loadgen"));
    let bot = loadgen.with_file_name("trainbot");
    assert!(
        bot.exists(),
        "{} is missing: `cargo test --workspace` builds it (or `cargo build -p server` first)",
        bot.display()
    );
    bot
}

fn loadgen(args: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let content = concat!(env!("CARGO_MANIFEST_DIR"), "/../../content");
    let output = Command::new(env!("CARGO_BIN_EXE_loadgen"))
        .args(["--bot", trainbot().to_str().unwrap(), "--content", content])
        .args([
            "--out-json",
            json.to_str().unwrap(),
            "--scenario-timeout-secs",
            "120",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "loadgen failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let markdown = String::from_utf8_lossy(&output.stdout);
    assert!(
        markdown.contains('|'),
        "no report table on stdout:\n{markdown}"
    );
    serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap()
}

fn count(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

#[test]
fn a_small_crowd_is_measured_and_every_press_accounted_for() {
    let report = loadgen(&[
        "--scenario",
        "all",
        "--users",
        "4",
        "--presses-per-user",
        "3",
        "--sequential-presses",
        "60",
        "--startup-runs",
        "1",
    ]);

    let startup = &report["startup"];
    assert_eq!(startup["all_graceful"], Value::Bool(true), "{startup}");
    assert_eq!(
        startup["to_first_get_updates_ms"].as_array().unwrap().len(),
        1
    );

    let memory = &report["memory"];
    assert_eq!(count(&memory["users"]), 4);
    assert_eq!(count(&memory["errors"]), 0, "{memory}");
    assert_eq!(count(&memory["violations"]), 0, "{memory}");
    assert!(count(&memory["database_bytes"]) > 0, "{memory}");

    let latency = report["latency"].as_array().unwrap();
    assert_eq!(latency.len(), 2, "one person, then the crowd: {latency:?}");
    // Sixty presses of the browse-and-quiz mix take the one person through a whole
    // knowledge check (the crowd's three are page views).
    for (run, presses) in latency.iter().zip([60, 4 * 3]) {
        assert_eq!(count(&run["presses"]), presses, "{run}");
        assert_eq!(
            count(&run["latency"]["count"]),
            presses,
            "every press timed: {run}"
        );
        assert_eq!(count(&run["errors"]), 0, "{run}");
        assert_eq!(count(&run["unmatched"]), 0, "{run}");
        assert_eq!(count(&run["unanswered_callbacks"]), 0, "{run}");
        assert_eq!(count(&run["violations"]), 0, "{run}");
        assert!(
            run["failed_requests"].as_array().unwrap().is_empty(),
            "{run}"
        );
        let screens = requests(run, "editMessageText") + requests(run, "sendMessage");
        assert!(screens >= presses, "each press shows a screen: {run}");
    }
    let one = &latency[0];
    assert!(
        requests(one, "sendPhoto") > 0,
        "the check's questions with a picture were reached: {one}"
    );
    assert!(
        requests(one, "editMessageText") < 60,
        "some answers were new messages: {one}"
    );
}

/// How many requests of `method` a latency run made.
fn requests(run: &Value, method: &str) -> u64 {
    run["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["method"] == method)
        .map(|r| count(&r["count"]))
        .unwrap_or(0)
}

#[test]
fn people_at_a_human_pace_are_all_answered() {
    let report = loadgen(&[
        "--scenario",
        "pace",
        "--users",
        "5",
        "--quiet-secs",
        "2",
        "--think-min-ms",
        "50",
        "--think-max-ms",
        "150",
    ]);
    let latency = report["latency"].as_array().unwrap();
    assert_eq!(latency.len(), 1, "{latency:?}");
    let run = &latency[0];
    assert!(count(&run["presses"]) >= 5, "{run}");
    assert_eq!(count(&run["latency"]["count"]), count(&run["presses"]));
    assert_eq!(count(&run["errors"]), 0, "{run}");
    assert_eq!(count(&run["unmatched"]), 0, "{run}");
    assert_eq!(count(&run["violations"]), 0, "{run}");
}

#[test]
fn a_short_soak_reads_the_memory_curve() {
    let report = loadgen(&[
        "--scenario",
        "soak",
        "--known",
        "12",
        "--users",
        "4",
        "--soak-secs",
        "3",
        "--sample-secs",
        "1",
        "--think-min-ms",
        "50",
        "--think-max-ms",
        "150",
    ]);
    let soak = &report["soak"];
    assert_eq!(count(&soak["known"]), 12, "{soak}");
    assert_eq!(count(&soak["walking"]), 4, "{soak}");
    assert_eq!(count(&soak["errors"]), 0, "{soak}");
    assert_eq!(count(&soak["violations"]), 0, "{soak}");
    let samples = soak["samples"].as_array().unwrap();
    assert!(
        (3..=4).contains(&samples.len()),
        "one reading a second: {soak}"
    );
    assert!(samples.iter().all(|s| s["rss_mib"].as_f64().unwrap() > 0.0));
    let presses: u64 = samples.iter().map(|s| count(&s["presses"])).sum();
    assert!(presses >= 4, "{soak}");
}

#[test]
fn a_small_broadcast_reaches_everyone_while_people_browse() {
    let report = loadgen(&[
        "--scenario",
        "broadcast",
        "--recipients",
        "30",
        "--browsers",
        "3",
        "--quiet-secs",
        "1",
    ]);
    let broadcast = &report["broadcast"];
    // The 30 and the admin who sends it.
    assert_eq!(count(&broadcast["recipients"]), 31, "{broadcast}");
    assert_eq!(count(&broadcast["delivered"]), 31, "{broadcast}");
    assert_eq!(count(&broadcast["retry_after_ignored"]), 0, "{broadcast}");
}
