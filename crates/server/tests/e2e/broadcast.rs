//! Broadcasts end to end: composed in the panel, sent by the worker through the
//! paced lane, under Telegram-like flood control, through a crash, paused,
//! resumed, cancelled and scheduled.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use domain::broadcast::DeliveryCounts;
use engine::ports::{ManualClock, SystemClock};
use fake_telegram::{FakeConfig, FloodControl, LostAnswer};
use time::OffsetDateTime;

use crate::helpers::{Person, Stack, TestApp, admin_settings, buttons};

const ADMIN: i64 = 900_001;
/// Generous: the 10 000-message test sends for about a minute.
const LONG: Duration = Duration::from_secs(300);

async fn app_with(
    stack: Stack,
    clock: Arc<dyn engine::ports::Clock>,
    per_second: u32,
    fake: FakeConfig,
) -> Option<TestApp> {
    let mut extra = admin_settings(&[ADMIN]);
    extra.push(("UNSOLICITED_PER_SECOND", per_second.to_string()));
    TestApp::spawn_full(stack, clock, &extra, fake).await
}

/// Composes `text` in the panel and picks the audience by pressing `audience`
/// (e.g. `["By park", "Zelenopark"]`); returns the confirm screen's text.
async fn compose(admin: &Person<'_>, text: &str, audience: &[&str]) -> String {
    // The panel, afresh (a logged-in admin's /admin shows it).
    admin.sends("/admin").await;
    admin.presses("📣 Broadcasts").await;
    admin.presses("✏️ New broadcast").await;
    let screen = admin.sends(text).await;
    assert!(
        screen
            .text
            .as_deref()
            .unwrap_or_default()
            .contains("Who gets it?"),
        "{screen:?}"
    );
    let mut screen = screen;
    for button in audience {
        screen = admin.presses(button).await;
    }
    screen.text.unwrap_or_default()
}

/// Presses the "Send to N" button of the confirm screen.
async fn send(admin: &Person<'_>) {
    let screen = admin.screen();
    let send = buttons(&screen)
        .into_iter()
        .find(|b| b.starts_with("✅ Send to"))
        .unwrap_or_else(|| panic!("no send button: {screen:?}"));
    admin.presses(&send).await;
}

/// How many times each chat got a message with exactly `text`.
fn deliveries(app: &TestApp, chats: &[i64], text: &str) -> HashMap<i64, usize> {
    chats
        .iter()
        .map(|&c| {
            let n = app
                .fake
                .messages(c)
                .iter()
                .filter(|m| m.from_bot && m.text.as_deref() == Some(text))
                .count();
            (c, n)
        })
        .collect()
}

async fn counts(app: &TestApp, id: i64) -> DeliveryCounts {
    let storage = app.storage().await;
    let counts = storage.delivery_counts(id).await.unwrap();
    storage.close().await;
    counts
}

async fn wait_until_finished(app: &TestApp, id: i64) {
    let report = format!("Broadcast #{id} is finished");
    app.fake
        .wait_for(LONG, |f| {
            f.messages(ADMIN)
                .iter()
                .any(|m| m.text.as_deref().is_some_and(|t| t.contains(&report)))
        })
        .await
        .expect("the broadcast finishes and the admin is told");
}

async fn a_park_broadcast(stack: Stack) {
    let Some(app) = app_with(stack, Arc::new(SystemClock), 25, FakeConfig::default()).await else {
        return;
    };
    let now = OffsetDateTime::now_utc();
    let park: Vec<i64> = (1..=4).map(|i| 7_000_000_000 + i).collect();
    let other: Vec<i64> = (11..=12).map(|i| 7_000_000_000 + i).collect();
    app.enrol(park.clone(), Some("zelenopark"), Some("bar"), now)
        .await;
    app.enrol(other.clone(), Some("columbus"), Some("bar"), now)
        .await;
    // One of the park's people blocked the bot; one is blocked by an admin.
    app.fake.set_blocked(park[2], true);
    let storage = app.storage().await;
    storage
        .set_blocked(domain::ids::UserId(park[3]), true)
        .await
        .unwrap();
    storage.close().await;

    let admin = app.admin(ADMIN).await;
    // Raw HTML is refused with a way out; escaped, it is shown literally.
    admin.sends("/admin").await;
    admin.presses("📣 Broadcasts").await;
    admin.presses("✏️ New broadcast").await;
    let refused = admin.sends("Sale <script>alert(1)</script>").await;
    assert!(
        refused.text.unwrap().contains("HTML tags are not allowed"),
        "the admin is told what to fix"
    );
    let confirm = compose(
        &admin,
        r"**Sale** today \<script>alert(1)\</script> & [map](https://example.com)",
        &["By park", "Zelenopark"],
    )
    .await;
    // The preview is the very message people get: bold, link, text shown literally.
    let preview = admin
        .messages()
        .into_iter()
        .rev()
        .find(|m| m.text.as_deref().is_some_and(|t| t.starts_with("Sale")))
        .expect("a preview");
    let expected = "Sale today <script>alert(1)</script> & map";
    assert_eq!(preview.text.as_deref(), Some(expected));
    assert!(confirm.contains("Recipients: 3"), "{confirm}");
    assert!(confirm.contains("park Zelenopark"), "{confirm}");
    let status_message = admin.screen().message_id;
    send(&admin).await;
    wait_until_finished(&app, 1).await;
    // The status message followed the broadcast by itself, to its end.
    let status = app
        .fake
        .messages(ADMIN)
        .into_iter()
        .find(|m| m.message_id == status_message)
        .and_then(|m| m.text)
        .unwrap();
    assert!(
        status.contains("State: done") && status.contains("Sent: 2"),
        "{status}"
    );

    let got = deliveries(&app, &[park.clone(), other.clone()].concat(), expected);
    assert_eq!(got[&park[0]], 1);
    assert_eq!(got[&park[1]], 1);
    assert_eq!(got[&park[2]], 0, "blocked the bot");
    assert_eq!(got[&park[3]], 0, "blocked by an admin: not a recipient");
    assert!(other.iter().all(|c| got[c] == 0), "another park");
    let c = counts(&app, 1).await;
    assert_eq!(
        (c.sent, c.blocked, c.failed, c.unknown, c.pending),
        (2, 1, 0, 0, 0)
    );
    let storage = app.storage().await;
    let left = storage
        .user(domain::ids::UserId(park[2]))
        .await
        .unwrap()
        .unwrap();
    assert!(left.inactive, "a 403 marks the person inactive");
    let audit: Vec<String> = storage
        .audit_entries(None, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(audit.contains(&"broadcast_create".to_owned()), "{audit:?}");
    assert!(audit.contains(&"broadcast_started".to_owned()), "{audit:?}");
    storage.close().await;

    // The status screen and the history show the totals.
    let status = admin.presses("📣 Status").await.text.unwrap();
    assert!(
        status.contains("Sent: 2") && status.contains("Blocked the bot: 1"),
        "{status}"
    );
    let history = admin.presses("📣 Broadcasts").await.text.unwrap();
    assert!(
        history.contains("#1") && history.contains("2 of 3 sent"),
        "{history}"
    );
    assert!(history.contains(&format!("by Boss ({ADMIN})")), "{history}");
    app.assert_clean();
}

#[tokio::test]
async fn broadcast_to_a_park_reaches_its_people_once() {
    a_park_broadcast(Stack::Embedded).await;
}

#[tokio::test]
async fn broadcast_to_a_park_on_postgres_and_redis() {
    a_park_broadcast(Stack::Production).await;
}

#[tokio::test]
async fn broadcast_of_10000_under_flood_control_never_ignores_retry_after() {
    // Telegram's limits scaled up tenfold (the fake and the bot alike), so that
    // 10 000 messages take about a minute rather than seven.
    let limit = 300.0;
    let flood = FloodControl {
        global_per_second: limit,
        global_burst: 30,
        ..FloodControl::default()
    };
    let fake = FakeConfig {
        flood_control: Some(flood),
        ..FakeConfig::default()
    };
    let app = app_with(Stack::Embedded, Arc::new(SystemClock), 250, fake)
        .await
        .unwrap();
    let people: Vec<i64> = (1..=10_000).map(|i| 7_100_000_000 + i).collect();
    app.enrol(people.clone(), None, None, OffsetDateTime::now_utc())
        .await;
    let admin = app.admin(ADMIN).await;
    let confirm = compose(&admin, "Staff meeting at 9", &["Everyone"]).await;
    assert!(confirm.contains("Recipients: 10001"), "{confirm}");
    send(&admin).await;
    wait_until_finished(&app, 1).await;

    let got = deliveries(&app, &people, "Staff meeting at 9");
    let twice: Vec<_> = got.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "delivered twice: {twice:?}");
    assert_eq!(got.values().filter(|n| **n == 1).count(), people.len());
    assert!(app.fake.retry_after_ignored().is_empty());
    let times: Vec<_> = app
        .fake
        .sent_times()
        .into_iter()
        .filter(|(chat, _)| *chat > 7_100_000_000)
        .map(|(_, at)| at)
        .collect();
    let span = times.last().unwrap().duration_since(times[0]).as_secs_f64();
    let rate = (times.len() - 1) as f64 / span;
    println!("10 000 messages in {span:.1} s: {rate:.1}/s");
    assert!(rate <= limit, "{rate:.1}/s is over the {limit}/s limit");
    let c = counts(&app, 1).await;
    assert_eq!((c.sent, c.unknown, c.failed), (10_001, 0, 0));
    app.assert_clean();
}

#[tokio::test]
async fn a_crash_mid_broadcast_never_sends_anyone_the_message_twice() {
    let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
    let mut app = app_with(Stack::Embedded, clock.clone(), 40, FakeConfig::default())
        .await
        .unwrap();
    let people: Vec<i64> = (1..=300).map(|i| 7_200_000_000 + i).collect();
    app.enrol(
        people.clone(),
        Some("columbus"),
        None,
        engine::ports::Clock::now(&*clock),
    )
    .await;
    {
        let admin = app.admin(ADMIN).await;
        compose(&admin, "Fire drill at noon", &["By park", "Columbus"]).await;
        send(&admin).await;
    }
    app.fake
        .wait_for(LONG, |f| {
            people
                .iter()
                .filter(|&&p| !f.messages(p).is_empty())
                .count()
                >= 60
        })
        .await
        .unwrap();
    app.crash().await;
    let at_crash: usize = deliveries(&app, &people, "Fire drill at noon")
        .values()
        .sum();
    assert!(at_crash < people.len(), "crashed mid-way");

    // The dead process's lease runs out; a new one takes over.
    clock.advance(time::Duration::minutes(2));
    app.start().await;
    wait_until_finished(&app, 1).await;
    let got = deliveries(&app, &people, "Fire drill at noon");
    assert!(got.values().all(|&n| n <= 1), "nobody gets it twice");
    let c = counts(&app, 1).await;
    assert_eq!(c.sent + c.unknown, people.len() as u64, "{c:?}");
    let missing = got.values().filter(|&&n| n == 0).count() as u64;
    assert!(
        missing <= c.unknown,
        "only messages in flight at the crash may be missing ({missing} > {c:?})"
    );
    let press = app.fake.press(ADMIN, "📣 Status").unwrap();
    app.handled(press).await;
    let status = app.fake.last_bot_message(ADMIN).unwrap().text.unwrap();
    assert!(status.contains("Unknown:"), "{status}");
    app.assert_clean();
}

/// Deliveries of `text` so far.
fn delivered(app: &TestApp, people: &[i64], text: &str) -> usize {
    deliveries(app, people, text).values().sum()
}

/// Waits until no more deliveries arrive for a while; returns how many there are.
async fn settled(app: &TestApp, people: &[i64], text: &str) -> usize {
    let mut last = delivered(app, people, text);
    loop {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let now = delivered(app, people, text);
        if now == last {
            return now;
        }
        last = now;
    }
}

#[tokio::test]
async fn broadcasts_pause_resume_cancel_and_wait_for_their_time() {
    let start = time::macros::datetime!(2026-12-01 06:00 UTC);
    let clock = Arc::new(ManualClock::new(start));
    let app = app_with(Stack::Embedded, clock.clone(), 50, FakeConfig::default())
        .await
        .unwrap();
    let people: Vec<i64> = (1..=250).map(|i| 7_300_000_000 + i).collect();
    app.enrol(people.clone(), Some("kashirskaya"), None, start)
        .await;
    let admin = app.admin(ADMIN).await;

    // Scheduled for 10:00 Moscow time (the park's zone) the same day.
    compose(
        &admin,
        "Inventory tonight",
        &["By park", "Kashirskaya Plaza"],
    )
    .await;
    admin.presses("🕘 Schedule").await;
    let prompt = app.fake.last_bot_message(ADMIN).unwrap().text.unwrap();
    assert!(prompt.contains("Europe/Moscow"), "{prompt}");
    let confirm = admin.sends("yesterday at noon").await;
    assert!(buttons(&confirm).is_empty() || !confirm.text.unwrap().contains("Ready"));
    let confirm = admin.sends("01.12.2026 10:00").await.text.unwrap();
    assert!(confirm.contains("Starts: 01.12.2026 10:00"), "{confirm}");
    send(&admin).await;
    let status = admin.screen().text.unwrap();
    assert!(status.contains("scheduled"), "{status}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        delivered(&app, &people, "Inventory tonight"),
        0,
        "not before its time"
    );

    clock.set(time::macros::datetime!(2026-12-01 07:00:01 UTC));
    app.fake
        .wait_for(LONG, |_| delivered(&app, &people, "Inventory tonight") > 0)
        .await
        .unwrap();
    admin.presses("🔄 Refresh").await;
    admin.presses("⏸ Pause").await;
    let paused_at = settled(&app, &people, "Inventory tonight").await;
    assert!(paused_at < people.len(), "paused mid-way at {paused_at}");
    let status = admin.screen().text.unwrap();
    assert!(status.contains("paused"), "{status}");
    admin.presses("▶️ Resume").await;
    wait_until_finished(&app, 1).await;
    let got = deliveries(&app, &people, "Inventory tonight");
    assert!(got.values().all(|&n| n == 1), "everyone exactly once");

    // A second one, cancelled while it runs: the rest never get it.
    compose(&admin, "Cancelled news", &["By park", "Kashirskaya Plaza"]).await;
    send(&admin).await;
    app.fake
        .wait_for(LONG, |_| delivered(&app, &people, "Cancelled news") > 0)
        .await
        .unwrap();
    admin.presses("🔄 Refresh").await;
    admin.presses("✖️ Cancel").await;
    admin.presses("Yes, cancel it").await;
    let reached = settled(&app, &people, "Cancelled news").await;
    assert!(reached < people.len(), "cancelled mid-way at {reached}");
    let status = admin.screen().text.unwrap();
    assert!(status.contains("cancelled"), "{status}");
    let c = counts(&app, 2).await;
    assert_eq!(c.sent as usize, reached);
    assert_eq!(c.pending as usize, people.len() - reached);
    let storage = app.storage().await;
    let actions: Vec<String> = storage
        .audit_entries(None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for action in ["broadcast_pause", "broadcast_resume", "broadcast_cancel"] {
        assert!(
            actions.contains(&action.to_owned()),
            "{action}: {actions:?}"
        );
    }
    storage.close().await;
    app.assert_clean();
}

#[tokio::test]
async fn audiences_pick_exactly_the_right_people() {
    let now = time::macros::datetime!(2026-12-10 12:00 UTC);
    let clock = Arc::new(ManualClock::new(now));
    let app = app_with(Stack::Embedded, clock.clone(), 50, FakeConfig::default())
        .await
        .unwrap();
    let day = time::Duration::days(1);
    // Bar staff who joined 20 days ago and read nothing: behind (deadline 14 days).
    let behind: Vec<i64> = vec![7_400_000_001, 7_400_000_002];
    app.enrol(behind.clone(), None, Some("bar"), now - day * 20)
        .await;
    // Kitchen staff who joined 3 days ago: within their deadline.
    let fresh: Vec<i64> = vec![7_400_000_011, 7_400_000_012, 7_400_000_013];
    app.enrol(fresh.clone(), None, Some("kitchen"), now - day * 3)
        .await;
    let everyone = [behind.clone(), fresh.clone()].concat();
    let admin = app.admin(ADMIN).await;

    let cases: [(&str, &[&str], Vec<i64>); 3] = [
        (
            "For the kitchen",
            &["By department", "Kitchen"],
            fresh.clone(),
        ),
        // The admin, busy in the bot right now, is active too.
        (
            "For the recent",
            &["Active recently", "7 days"],
            [fresh.clone(), vec![ADMIN]].concat(),
        ),
        ("For the late", &["Behind on assignments"], behind.clone()),
    ];
    for (n, (text, audience, expected)) in cases.into_iter().enumerate() {
        let confirm = compose(&admin, text, audience).await;
        assert!(
            confirm.contains(&format!("Recipients: {}", expected.len())),
            "{text}: {confirm}"
        );
        send(&admin).await;
        wait_until_finished(&app, n as i64 + 1).await;
        let got = deliveries(&app, &everyone, text);
        if expected.contains(&ADMIN) {
            assert!(
                app.fake
                    .messages(ADMIN)
                    .iter()
                    .any(|m| m.text.as_deref() == Some(text))
            );
        }
        for person in &everyone {
            assert_eq!(
                got[person],
                usize::from(expected.contains(person)),
                "{text} to {person}"
            );
        }
    }
    app.assert_clean();
}

#[tokio::test]
async fn security_broadcast_buttons_are_dead_without_an_admin_session() {
    let app = app_with(
        Stack::Embedded,
        Arc::new(SystemClock),
        25,
        FakeConfig::default(),
    )
    .await
    .unwrap();
    let now = OffsetDateTime::now_utc();
    app.enrol([7_500_000_001], None, None, now).await;
    let staff = app.person(7_500_000_001, "Mallory", "en");
    staff.sends("/menu").await;
    let menu = staff.screen().message_id;
    // Compose, pick everyone, confirm, pause, resume, cancel: all forged.
    for data in [
        "1ABh", "1ABn", "1ABae", "1ABg", "1ABz1", "1ABr1", "1ABC1", "1ABv1",
    ] {
        let update = app.fake.press_on(7_500_000_001, menu, data);
        app.handled(update).await;
    }
    // An admin whose session ends while the bot waits for the text is no better off.
    let admin = app.admin(ADMIN).await;
    admin.sends("/admin").await;
    admin.presses("📣 Broadcasts").await;
    let prompt = admin.presses("✏️ New broadcast").await.message_id;
    let update = app.fake.press_on(ADMIN, prompt, "1Ax");
    app.handled(update).await;
    let update = app.fake.send_text(ADMIN, "Free pizza for everyone");
    app.handled(update).await;
    let reply = app.fake.last_bot_message(ADMIN).unwrap().text.unwrap();
    assert!(reply.contains("session has expired"), "{reply}");
    let update = app.fake.press_on(ADMIN, prompt, "1ABn");
    app.handled(update).await;

    let toasts = app.toasts();
    let expired = toasts
        .iter()
        .filter(|t| t.contains("session has expired"))
        .count();
    assert_eq!(expired, 9, "{toasts:?}");
    let storage = app.storage().await;
    assert!(storage.broadcasts(None, 10).await.unwrap().is_empty());
    let denied = storage
        .audit_entries(None, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "denied")
        .count();
    assert_eq!(
        denied, 10,
        "8 forged presses, the typed text, the press after logout"
    );
    storage.close().await;
    assert!(
        app.fake
            .messages(7_500_000_001)
            .iter()
            .all(|m| m.text.as_deref() != Some("Free pizza for everyone")),
    );
    app.assert_clean();
}

#[tokio::test]
async fn security_forged_audiences_and_times_change_nothing() {
    let app = app_with(
        Stack::Embedded,
        Arc::new(SystemClock),
        25,
        FakeConfig::default(),
    )
    .await
    .unwrap();
    let admin = app.admin(ADMIN).await;
    compose(&admin, "Draft", &[]).await;
    let screen = admin.screen().message_id;
    // A park the pack does not have: the choices again.
    let update = app.fake.press_on(ADMIN, screen, "1ABapnowhere");
    app.handled(update).await;
    let picker = app
        .fake
        .messages(ADMIN)
        .into_iter()
        .find(|m| m.message_id == screen)
        .unwrap();
    assert!(picker.text.unwrap().contains("Who gets it?"));
    for data in ["1ABae", "1ABs"] {
        let update = app.fake.press_on(ADMIN, screen, data);
        app.handled(update).await;
    }
    for typed in [
        "'; DELETE FROM broadcasts; --",
        "<b>tomorrow</b>",
        "31.02.2027 10:00",
        "01.01.2020 10:00",
    ] {
        let update = app.fake.send_text(ADMIN, typed);
        app.handled(update).await;
        let reply = app.fake.last_bot_message(ADMIN).unwrap().text.unwrap();
        assert!(reply.contains("like"), "{typed}: {reply}");
    }
    // SQL in a park id, windows of 9999 and 0 days: they do not decode, so the menu
    // is out of date.
    for data in ["1ABap'; DROP TABLE users; --", "1ABar9999", "1ABar0"] {
        let update = app.fake.press_on(ADMIN, screen, data);
        app.handled(update).await;
    }
    assert!(
        app.toasts()
            .iter()
            .filter(|t| t.contains("out of date"))
            .count()
            >= 3
    );
    let storage = app.storage().await;
    assert!(storage.broadcasts(None, 10).await.unwrap().is_empty());
    storage.close().await;
    app.assert_clean();
}

#[tokio::test]
async fn a_photo_with_a_caption_goes_out_as_a_photo() {
    let app = app_with(
        Stack::Embedded,
        Arc::new(SystemClock),
        25,
        FakeConfig::default(),
    )
    .await
    .unwrap();
    let people = [7_600_000_001, 7_600_000_002];
    app.enrol(people, Some("columbus"), None, OffsetDateTime::now_utc())
        .await;
    let admin = app.admin(ADMIN).await;
    admin.sends("/admin").await;
    admin.presses("📣 Broadcasts").await;
    admin.presses("✏️ New broadcast").await;
    let update = app
        .fake
        .send_photo_with_caption(ADMIN, "New *uniform* from Monday");
    app.handled(update).await;
    let preview = admin
        .messages()
        .into_iter()
        .rev()
        .find(|m| m.from_bot && m.media.is_some())
        .expect("the preview is the photo");
    assert_eq!(preview.caption.as_deref(), Some("New uniform from Monday"));
    admin.presses("By park").await;
    admin.presses("Columbus").await;
    send(&admin).await;
    wait_until_finished(&app, 1).await;
    for person in people {
        let got: Vec<_> = app
            .fake
            .messages(person)
            .into_iter()
            .filter(|m| m.from_bot && m.media.is_some())
            .collect();
        assert_eq!(got.len(), 1, "{person}");
        assert_eq!(got[0].caption.as_deref(), Some("New uniform from Monday"));
    }
    app.assert_clean();
}

/// Telegram delivers two announcements, but their answers are lost on the way back
/// (a 502 from a proxy; a connection reset mid-answer). The sender cannot know they
/// arrived, so it never sends them again: each person has exactly one copy, and the
/// status counts both as unknown.
#[tokio::test]
async fn a_broadcast_message_whose_answer_is_lost_is_never_sent_again() {
    let Some(app) = app_with(
        Stack::Embedded,
        Arc::new(SystemClock),
        25,
        FakeConfig::default(),
    )
    .await
    else {
        return;
    };
    let people: Vec<i64> = (1..=4).map(|i| 7_300_000_000 + i).collect();
    app.enrol(
        people.clone(),
        Some("columbus"),
        None,
        OffsetDateTime::now_utc(),
    )
    .await;
    app.fake
        .deliver_then_fail_next("sendMessage", Some(people[0]), LostAnswer::Status(502));
    app.fake
        .deliver_then_fail_next("sendMessage", Some(people[1]), LostAnswer::Reset);
    let admin = app.admin(ADMIN).await;
    compose(&admin, "Staff meeting at five", &["By park", "Columbus"]).await;
    send(&admin).await;
    wait_until_finished(&app, 1).await;

    let got = deliveries(&app, &people, "Staff meeting at five");
    assert!(people.iter().all(|p| got[p] == 1), "one copy each: {got:?}");
    let tries_to = |chat: i64| {
        app.fake
            .requests()
            .iter()
            .filter(|r| r.method == "sendMessage")
            .filter(|r| r.params.get("chat_id").and_then(|c| c.as_i64()) == Some(chat))
            .count()
    };
    assert_eq!(
        (tries_to(people[0]), tries_to(people[1])),
        (1, 1),
        "never repeated"
    );
    let c = counts(&app, 1).await;
    assert_eq!(
        (c.sent, c.unknown, c.failed, c.pending),
        (2, 2, 0, 0),
        "{c:?}"
    );
    let status = admin.presses("📣 Status").await.text.unwrap();
    assert!(status.contains("Unknown: 2"), "{status}");
    app.assert_clean();
}
