//! Several polling replicas of one bot (issue 12): only the holder of the polling
//! lease calls `getUpdates`, so Telegram never answers 409 Conflict; the others
//! stand by (and say so on `/readyz`), and one takes over when the poller stops.

use crate::helpers::{PATIENCE, TestApp};

const PERSON: i64 = 8_200_000_001;

async fn readyz(app: &TestApp) -> (u16, String) {
    let response = reqwest::get(format!("http://{}/readyz", app.http_addr()))
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Polls `/readyz` until its `updates:` line is `want`.
async fn until_updates(app: &TestApp, want: &str) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let (status, body) = readyz(app).await;
        if status == 200 && body.contains(&format!("updates: {want}\n")) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never `updates: {want}`: {status} {body}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn one_of_two_polling_replicas_polls_and_the_other_takes_over_when_it_stops() {
    let mut first = TestApp::spawn().await;
    until_updates(&first, "ok").await;
    let mut second = first.same_bot_replica().await;
    until_updates(&second, "standby (another replica polls)").await;

    let greeting = first.person(PERSON, "Lea", "en").sends("/start").await;
    assert!(greeting.text.unwrap().contains("Lea"));
    first.assert_clean();

    // The poller stops (a deploy): its lease is given up, the standby polls.
    first.stop().await;
    until_updates(&second, "ok").await;
    let home = second.person(PERSON, "Lea", "en").sends("/menu").await;
    assert!(
        home.text.unwrap().contains("Main menu"),
        "answered by the second"
    );
    second.assert_clean();
    second.stop().await;
}

#[tokio::test]
async fn a_standby_takes_over_when_the_poller_crashes() {
    let mut first = TestApp::spawn().await;
    until_updates(&first, "ok").await;
    let mut second = first.same_bot_replica().await;
    until_updates(&second, "standby (another replica polls)").await;

    // Killed mid-work: the lease is not given up, it runs out (15 s).
    first.crash().await;
    until_updates(&second, "ok").await;
    let greeting = second.person(PERSON, "Lea", "en").sends("/start").await;
    assert!(
        greeting.text.unwrap().contains("Lea"),
        "answered by the second"
    );
    second.assert_clean();
    second.stop().await;
}
