//! Faults under load (issue 12, ADR 0034): PostgreSQL, Redis or Telegram away for
//! 30 s while people keep using the bot. In each the bot answers what it can,
//! fails fast instead of holding every update for a time-out, says so on
//! `/readyz`, and recovers by itself, with no update lost or answered twice.
//!
//! PostgreSQL and Redis are made unreachable for the bot alone: it reaches them
//! through a proxy the test cuts (`cut.rs`), so the shared servers and the other
//! tests' connections stay up.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use fake_telegram::{FakeTelegram, Fault, LostAnswer, MessageView};
use tokio::task::JoinHandle;

use crate::cut::{self, Cuttable};
use crate::helpers::{ADMIN_PASSWORD, Stack, TestApp};

/// How long each dependency is away, as the issue asks.
const OUTAGE: Duration = Duration::from_secs(30);

/// How long one update may take while a dependency is away: a hang guard.
const WAIT: Duration = Duration::from_secs(120);

/// What one person of a [`Crowd`] did.
struct Tally {
    id: i64,
    texts: usize,
    presses: usize,
}

/// People using the bot without pause until stopped: each writes /menu, waits
/// until the bot has handled it, presses the first button of the newest menu
/// (when `press`), waits again, and so on.
struct Crowd {
    stop: Arc<AtomicBool>,
    people: Vec<JoinHandle<Tally>>,
}

impl Crowd {
    /// `ids` must be known to the bot ([`TestApp::enrol`]).
    fn start(fake: &FakeTelegram, ids: impl IntoIterator<Item = i64>, press: bool) -> Crowd {
        let stop = Arc::new(AtomicBool::new(false));
        let people = ids
            .into_iter()
            .map(|id| {
                let (fake, stop) = (fake.clone(), stop.clone());
                tokio::spawn(async move {
                    let mut tally = Tally {
                        id,
                        texts: 0,
                        presses: 0,
                    };
                    while !stop.load(Ordering::Relaxed) {
                        let update = fake.send_text(id, "/menu");
                        tally.texts += 1;
                        fake.wait_confirmed(update, WAIT)
                            .await
                            .expect("a /menu is handled");
                        let Some(button) = press.then(|| first_button(&fake, id)).flatten() else {
                            continue;
                        };
                        let update = fake.press(id, &button).expect("the button is there");
                        tally.presses += 1;
                        fake.wait_confirmed(update, WAIT)
                            .await
                            .expect("a press is handled");
                    }
                    tally
                })
            })
            .collect();
        Crowd { stop, people }
    }

    async fn stop(self) -> Vec<Tally> {
        self.stop.store(true, Ordering::Relaxed);
        let mut tallies = Vec::new();
        for person in self.people {
            tallies.push(person.await.expect("no panic in the crowd"));
        }
        tallies
    }
}

/// `people`, known to the bot, start using it (and have for a moment).
async fn crowd_of(app: &TestApp, people: std::ops::RangeInclusive<i64>, press: bool) -> Crowd {
    let now = time::OffsetDateTime::now_utc();
    app.enrol(people.clone(), Some("columbus"), Some("bar"), now)
        .await;
    let crowd = Crowd::start(&app.fake, people, press);
    tokio::time::sleep(Duration::from_secs(2)).await;
    crowd
}

/// The first button of the newest menu in `id`'s chat.
fn first_button(fake: &FakeTelegram, id: i64) -> Option<String> {
    fake.messages(id)
        .into_iter()
        .rev()
        .find(|m| m.from_bot && !m.keyboard.is_empty())
        .and_then(|m| m.keyboard.first()?.first().map(|b| b.text.clone()))
}

fn bot_messages(fake: &FakeTelegram, id: i64) -> Vec<MessageView> {
    fake.messages(id)
        .into_iter()
        .filter(|m| m.from_bot)
        .collect()
}

/// Checks that each person's /menu got exactly one answer, a menu or the apology
/// (a press edits its menu in place, or adds an apology of its own), and that the
/// last answer is not an apology: nothing lost, nothing answered twice, served
/// again after the fault. Returns how many apologies were sent.
fn each_answered_once(fake: &FakeTelegram, tallies: &[Tally]) -> usize {
    let mut sorry = 0;
    for tally in tallies {
        let messages = bot_messages(fake, tally.id);
        // An apology ("temporarily unavailable", or "something went wrong" when
        // an update ran past its time limit) is the one answer without buttons;
        // its language is the default when the person's cannot be read.
        let is_sorry = |m: &MessageView| m.keyboard.is_empty();
        let apologies = messages.iter().filter(|m| is_sorry(m)).count();
        sorry += apologies;
        assert!(
            (tally.texts..=tally.texts + tally.presses).contains(&messages.len()),
            "person {}: {} /menu, {} presses, {} answers ({apologies} apologies)",
            tally.id,
            tally.texts,
            tally.presses,
            messages.len()
        );
        assert!(
            messages.last().is_some_and(|m| !is_sorry(m)),
            "person {} is served again after the fault",
            tally.id
        );
    }
    sorry
}

async fn readyz(app: &TestApp) -> (u16, String) {
    let response = reqwest::get(format!("http://{}/readyz", app.http_addr()))
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Waits until `/readyz` answers `status`; returns its body.
async fn until_ready_is(app: &TestApp, status: u16, patience: Duration) -> String {
    let deadline = tokio::time::Instant::now() + patience;
    loop {
        let (now, body) = readyz(app).await;
        if now == status {
            return body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "/readyz never said {status}: {now} {body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until `/readyz` says `what`; returns how long that took.
async fn until_ready_says(app: &TestApp, what: &str, patience: Duration) -> Duration {
    let started = tokio::time::Instant::now();
    loop {
        let (status, body) = readyz(app).await;
        if body.contains(what) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < patience,
            "/readyz never said {what:?}: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The value of one sample of `/metrics` (0 when absent). Every app of this test
/// process shares one registry: only counters that other tests leave alone say
/// something about this test's app.
async fn sample(app: &TestApp, series: &str) -> f64 {
    app.metrics()
        .await
        .lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0.0)
}

/// The bot on PostgreSQL + Redis, with the setting `key` (a URL) rerouted through
/// a proxy the test can cut.
async fn behind_a_proxy(key: &str, admins: &[i64]) -> Option<(TestApp, Cuttable)> {
    let mut app = TestApp::spawn_admins(Stack::Production, admins).await?;
    let url = app.setting(key).expect("the setting is set").to_owned();
    let proxy = Cuttable::start(cut::target(&url)).await;
    app.restart_with(key, cut::through(&url, &proxy)).await;
    Some((app, proxy))
}

/// Production stack: PostgreSQL unreachable for 30 s (black-holed: nothing comes
/// back, the hardest case) while 12 people write and press, and 4 people the bot
/// has not met yet start to. The 12 keep getting their menus: the bot keeps them
/// in memory (ADR 0038). Updates that need the database (the newcomers') get
/// "temporarily unavailable" (every press answered); calls keep timing out, so
/// the database's breaker opens and later calls fail at once; `/readyz` says 503.
/// The polling lease cannot be renewed either, so after its 15 s the poller
/// stands by and later updates wait at Telegram (a press that waits there
/// longer than Telegram keeps it open cannot be answered in time). When the
/// database returns the bot recovers by itself, and every update is handled
/// exactly once.
#[tokio::test]
async fn the_database_away_for_30_s_under_load() {
    let Some((app, postgres)) = behind_a_proxy("DATABASE_URL", &[]).await else {
        return;
    };
    let crowd = crowd_of(&app, 8_300_000_001..=8_300_000_012, true).await;
    let newcomers = 8_300_000_013..=8_300_000_016;
    app.enrol(
        newcomers.clone(),
        Some("columbus"),
        Some("bar"),
        time::OffsetDateTime::now_utc(),
    )
    .await;

    postgres.black_hole();
    let newcomers = Crowd::start(&app.fake, newcomers, true);
    let body = until_ready_is(&app, 503, WAIT).await;
    assert!(body.contains("database"), "{body}");
    // Calls keep timing out, so the breaker opens: `/readyz` pings through it.
    let open = until_ready_says(&app, "circuit breaker is open", OUTAGE).await;
    tokio::time::sleep(OUTAGE.saturating_sub(open)).await;
    let refused = sample(
        &app,
        "trainbot_circuit_breaker_rejected_total{dependency=\"database\"}",
    )
    .await;
    postgres.restore();

    until_ready_is(&app, 200, WAIT).await;
    // A little more traffic on the recovered database, then the crowd stops.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut tallies = crowd.stop().await;
    tallies.extend(newcomers.stop().await);

    assert!(refused > 0.0, "calls failed fast while it was open");
    let apologies = each_answered_once(&app.fake, &tallies);
    assert!(apologies > 0, "people were told the service is unavailable");
    // A press made just before the poller stood by waits at Telegram until the
    // database is back, longer than Telegram keeps a press open.
    app.assert_clean_but_held_back(Duration::from_secs(10));
}

/// Production stack: Redis unreachable for 30 s (refused, as when it crashed)
/// while people use the bot. Menus
/// still come (they need only the database); `/readyz` says 503 naming the state
/// store; admin login fails closed ("unavailable", never let in) and works again
/// once Redis is back. Nothing is lost.
#[tokio::test]
async fn redis_away_for_30_s_under_load() {
    const ADMIN: i64 = 8_300_000_100;
    let Some((app, redis)) = behind_a_proxy("REDIS_URL", &[ADMIN]).await else {
        return;
    };
    app.fake
        .add_user(fake_telegram::TestUser::new(ADMIN, "Boss").language("en"));
    let crowd = crowd_of(&app, 8_300_000_101..=8_300_000_110, true).await;

    redis.refuse();
    let body = until_ready_is(&app, 503, WAIT).await;
    assert!(body.contains("state"), "{body}");
    for text in ["/admin", ADMIN_PASSWORD] {
        let update = app.fake.send_text(ADMIN, text);
        app.fake.wait_confirmed(update, WAIT).await.unwrap();
    }
    let said: Vec<String> = bot_messages(&app.fake, ADMIN)
        .into_iter()
        .filter_map(|m| m.text)
        .collect();
    assert!(
        !said.iter().any(|t| t.contains("Logged in")),
        "login fails closed while Redis is away: {said:?}"
    );
    tokio::time::sleep(OUTAGE).await;
    redis.restore();

    until_ready_is(&app, 200, WAIT).await;
    let tallies = crowd.stop().await;
    each_answered_once(&app.fake, &tallies);
    // Logs in and sees the panel once Redis is back.
    app.admin(ADMIN).await;
    app.assert_clean();
}

/// Telegram fails for 30 s under load: first 15 s of 503s and answers that come
/// too late (the Bot API's breaker opens and calls wait without requests), then
/// 15 s of 429 storms, 503s and 502s after delivery. The bot waits as Telegram
/// asks (no request early after a 429), makes no tight loop of requests, and
/// every /menu gets exactly one menu: none lost, none doubled.
#[tokio::test]
async fn telegram_failing_for_30_s_under_load() {
    let app = TestApp::spawn().await;
    let crowd = crowd_of(&app, 8_300_000_201..=8_300_000_210, false).await;

    let half = OUTAGE / 2;
    let before = app.fake.requests().len();
    app.fake.outage(
        half,
        vec![
            Fault::Refused(503),
            Fault::Refused(503),
            Fault::Slow(Duration::from_secs(20)),
        ],
    );
    tokio::time::sleep(half).await;
    app.fake.outage(
        half,
        vec![
            Fault::FloodWait(2),
            Fault::Refused(503),
            Fault::Lost(LostAnswer::Status(502)),
            Fault::FloodWait(1),
        ],
    );
    tokio::time::sleep(half).await;
    let during = app.fake.requests().len() - before;
    let faults = app.fake.outage_faults();

    // Replies wait out the outage; then the crowd stops and the last answers land.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let tallies = crowd.stop().await;

    let held = sample(
        &app,
        "trainbot_circuit_breaker_rejected_total{dependency=\"telegram\"}",
    )
    .await;
    assert!(
        held > 0.0,
        "the Bot API's breaker opened and held calls back"
    );
    assert!(faults > 0, "the outage failed requests");
    // Ten people and the poller; a tight loop would make thousands.
    assert!(
        during < 10 * OUTAGE.as_secs() as usize,
        "{during} requests in {OUTAGE:?}"
    );
    assert!(
        app.fake.retry_after_ignored().is_empty(),
        "{:?}",
        app.fake.retry_after_ignored()
    );
    // No apology here (the database is fine), so each /menu has one menu.
    assert_eq!(each_answered_once(&app.fake, &tallies), 0);
    assert!(
        app.fake.violations().is_empty(),
        "{:#?}",
        app.fake.violations()
    );
}
