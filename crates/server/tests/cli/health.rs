//! The probes as an orchestrator meets them on a real `trainbot run`: alive and
//! "starting" while start-up waits for Telegram, ready once it is done, and not
//! ready while the poller meets another instance (409 Conflict); the load and
//! process metrics on a listener of their own (`METRICS_LISTEN`).

use std::time::Duration;

use super::GUARD;
use super::net::free_port;
use super::running::Running;

/// `GET path` on the bot's `LISTEN`: the status and the body; `None` while
/// nothing answers.
async fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let response = reqwest::get(format!("http://127.0.0.1:{port}{path}"))
        .await
        .ok()?;
    let status = response.status().as_u16();
    Some((status, response.text().await.unwrap_or_default()))
}

/// Polls `path` until `want` holds for what it answers; fails after [`GUARD`].
async fn until(port: u16, path: &str, what: &str, want: impl Fn(u16, &str) -> bool) -> String {
    let deadline = tokio::time::Instant::now() + GUARD;
    loop {
        if let Some((status, body)) = get(port, path).await
            && want(status, &body)
        {
            return body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{path} never {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probes_tell_starting_from_dead_and_a_conflicting_poller_from_a_ready_one() {
    let fake = fake_telegram::FakeTelegram::start(fake_telegram::FakeConfig::default())
        .await
        .unwrap();
    // Start-up stops at its first Bot API call until released.
    fake.hold("setMyCommands");
    let (port, metrics_port) = (free_port(), free_port());
    let bot = Running::start(
        &fake,
        &[
            ("LISTEN", format!("127.0.0.1:{port}")),
            ("METRICS_LISTEN", format!("127.0.0.1:{metrics_port}")),
            ("POLL_TIMEOUT_SECS", "1".into()),
        ],
    );
    fake.wait_for(GUARD, |f| f.parked("setMyCommands") == 1)
        .await
        .expect("start-up reaches Telegram");
    let (status, starting) = get(port, "/readyz").await.expect("listening already");
    assert_eq!(status, 503);
    assert!(starting.starts_with("starting"), "{starting}");
    assert_eq!(get(port, "/healthz").await, Some((200, "ok".into())));
    assert_eq!(
        get(port, "/metrics").await.map(|(status, _)| status),
        Some(404),
        "with METRICS_LISTEN, /metrics is only there"
    );
    let (status, metrics) = get(metrics_port, "/metrics").await.unwrap();
    assert_eq!(status, 200);
    assert!(metrics.contains("trainbot_ready 0"), "{metrics}");

    fake.release("setMyCommands");
    let ready = until(port, "/readyz", "became ready", |s, _| s == 200).await;
    assert_eq!(ready, "database: ok\nstate: ok\nupdates: ok\n");

    // One person uses the bot: active now, and nothing left in hand after it.
    fake.send_text(7_001_414_213, "/start");
    fake.wait_for(GUARD, |f| f.last_bot_message(7_001_414_213).is_some())
        .await
        .expect("the bot answers");
    // The answer is out before its handler has finished: wait for the count and
    // for the handler to let go, however the two interleave.
    let metrics = until(
        metrics_port,
        "/metrics",
        "counted the person and finished",
        |_, body| {
            body.contains("trainbot_people_active 1\n")
                && body.contains("trainbot_updates_in_flight 0\n")
                && body.contains("trainbot_updates_backlog 0\n")
        },
    )
    .await;
    for series in [
        "trainbot_updates_in_flight 0\n",
        "trainbot_updates_backlog 0\n",
        "# TYPE process_cpu_seconds_total counter\n",
        "# TYPE process_resident_memory_bytes gauge\n",
        "# TYPE process_open_fds gauge\n",
    ] {
        assert!(metrics.contains(series), "{series}in:\n{metrics}");
    }

    // Another instance polls with the same token: Telegram answers 409.
    fake.fail_next(
        "getUpdates",
        409,
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
        None,
    );
    let conflict = until(port, "/readyz", "said conflict", |s, _| s == 503).await;
    assert!(
        conflict.contains("updates: getUpdates failed 1 time(s) in a row")
            && conflict.contains("Conflict"),
        "{conflict}"
    );
    let metrics = get(metrics_port, "/metrics").await.unwrap().1;
    assert!(
        metrics.contains("trainbot_getupdates_errors_total{kind=\"conflict\"} 1"),
        "{metrics}"
    );
    // The other instance is gone: the next poll works and the replica is ready again.
    until(port, "/readyz", "became ready again", |s, _| s == 200).await;
    bot.stop().await;
}
