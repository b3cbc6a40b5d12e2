//! The admin panel's look-ups end to end: people search (Cyrillic, hostile text,
//! the "refine" cap), certificate check, the statistics sub-screens (most-read
//! pages, quiz results, overdue people, activity by weekday and hour), moving a
//! person to another park or department, and forged data for those buttons. The attack
//! cases are listed in docs/security.md ("Admin panel: statistics, search,
//! filters").

use domain::ids::UserId;
use domain::lang::Lang;
use engine::ports::{
    Activity, ActivityKind, AttemptKind, AttemptResult, Certificate, NewAttempt, ProfileField,
    UserProfile,
};
use fake_telegram::TestUser;
use time::{Duration, OffsetDateTime};

use crate::helpers::{Person, Stack, TestApp, buttons};

const ADMIN: i64 = 9_000_000_001;

/// Presses "Search" (from the panel, a card or earlier results) and types `text`;
/// returns the text and buttons of the answer.
async fn search(admin: &Person<'_>, text: &str) -> (String, Vec<String>) {
    let on_screen = buttons(&admin.screen());
    if on_screen.iter().any(|b| b == "🔎 Search again") {
        admin.presses("🔎 Search again").await;
    } else {
        if !on_screen.iter().any(|b| b == "🔎 Search") {
            admin.presses("⬅️ Panel").await;
        }
        admin.presses("🔎 Search").await;
    }
    let answer = admin.sends(text).await;
    (answer.text.clone().unwrap_or_default(), buttons(&answer))
}

fn people(buttons: &[String]) -> Vec<&str> {
    buttons
        .iter()
        .map(String::as_str)
        .filter(|b| b.starts_with('🟢') || b.starts_with('⛔') || b.starts_with('💤'))
        .collect()
}

async fn search_story(stack: Stack) {
    let Some(app) = TestApp::spawn_admins(stack, &[ADMIN]).await else {
        return;
    };
    app.fake.add_user(
        TestUser::new(8_100_000_001, "ЁЛКИНА")
            .last_name("Наталья")
            .username("Nat_Yo")
            .language("en"),
    );
    // Not `app.person`, which would register her again without the other names.
    let update = app.fake.send_text(8_100_000_001, "/menu");
    app.handled(update).await;
    for (i, name) in [
        "<b>Bold</b> & Co",
        "Ёжик'; DROP TABLE users; --",
        "50%_off",
        "Fifty off",
    ]
    .into_iter()
    .enumerate()
    {
        app.person(8_100_000_010 + i as i64, name, "en")
            .sends("/menu")
            .await;
    }
    for i in 0..12 {
        app.person(8_100_000_100 + i, &format!("Мармелад {i:02}"), "en")
            .sends("/menu")
            .await;
    }
    let admin = app.admin(ADMIN).await;

    // Cyrillic in another case finds the person; the button opens their card.
    let (text, found) = search(&admin, "ёлкина").await;
    assert!(text.contains("Found: 1"), "{text}");
    assert_eq!(people(&found), ["🟢 ЁЛКИНА Наталья @Nat_Yo"]);
    let card = admin.presses("🟢 ЁЛКИНА Наталья @Nat_Yo").await;
    assert!(card.text.unwrap().contains("ID: 8100000001"));
    let (_, found) = search(&admin, "@NAT_YO").await;
    assert_eq!(people(&found).len(), 1, "by username");
    let (_, found) = search(&admin, "8100000010").await;
    assert_eq!(people(&found), ["🟢 <b>Bold</b> & Co"], "by id");

    // SQL in the search is a name like any other; the table is still there.
    let (text, found) = search(&admin, "'; DROP TABLE users; --").await;
    assert!(text.contains("Found: 1"), "{text}");
    assert_eq!(people(&found), ["🟢 Ёжик'; DROP TABLE users; --"]);
    // HTML in the search is shown as typed, never as markup.
    let (text, found) = search(&admin, "<b>").await;
    assert!(text.starts_with("🔎 Search: <b>"), "{text}");
    assert_eq!(people(&found), ["🟢 <b>Bold</b> & Co"]);
    // % and _ are literal, not wildcards ("Fifty off" would match "%off").
    let (_, found) = search(&admin, "%_off").await;
    assert_eq!(people(&found), ["🟢 50%_off"]);
    let (text, found) = search(&admin, "zzz-nobody").await;
    assert!(text.contains("Nobody found"), "{text}");
    assert!(people(&found).is_empty());

    // Twelve match, ten are shown, with a note to refine.
    let (text, found) = search(&admin, "МАРМЕЛАД").await;
    assert!(text.contains("Refine your search"), "{text}");
    assert_eq!(people(&found).len(), 10);
    assert_eq!(people(&found)[0], "🟢 Мармелад 00");

    // Too long: asked again, still in the dialogue.
    admin.presses("🔎 Search again").await;
    admin.sends(&"я".repeat(65)).await;
    let hint = app.fake.last_bot_message(ADMIN).unwrap().text.unwrap();
    assert!(hint.contains("too long"), "{hint}");
    let answer = admin.sends("Мармелад 11").await;
    assert_eq!(people(&buttons(&answer)), ["🟢 Мармелад 11"]);

    let storage = app.storage().await;
    assert_eq!(storage.count_users().await.unwrap(), 18);
    let entries = storage.audit_entries(None, 100).await.unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e.action == "search" && e.detail == "'; drop table users; --"),
        "the folded search text is audited"
    );
    app.assert_clean();
}

#[tokio::test]
async fn admin_search_finds_by_name_username_and_id_and_keeps_text_literal() {
    search_story(Stack::Embedded).await;
}

/// Production stack: PostgreSQL + Redis.
#[tokio::test]
async fn admin_search_on_the_production_stack() {
    search_story(Stack::Production).await;
}

#[tokio::test]
async fn admin_verifies_a_certificate_code_in_the_panel() {
    let app = TestApp::spawn_admins(Stack::Embedded, &[ADMIN])
        .await
        .unwrap();
    let holder = app.person(8_200_000_001, "Ира", "en");
    holder.sends("/menu").await;
    let code = domain::learning::parse_certificate_code("TB-7K2QX9AB").unwrap();
    app.storage()
        .await
        .save_certificate(&Certificate {
            code: code.clone(),
            user: UserId(8_200_000_001),
            full_name: "Ира <Смирнова>".to_owned(),
            department: "bar".to_owned(),
            park: Some("columbus".to_owned()),
            issued_at: OffsetDateTime::now_utc(),
            quizzes: vec![("general-basics".to_owned(), 90)],
        })
        .await
        .unwrap();
    let admin = app.admin(ADMIN).await;
    admin.presses("🎓 Verify certificate").await;
    admin.sends("<script>").await;
    let hint = app.fake.last_bot_message(ADMIN).unwrap().text.unwrap();
    assert!(hint.contains("not a certificate code"), "{hint}");
    // Lower case and without the dash, as people copy it.
    let found = admin.sends("tb7k2qx9ab").await.text.unwrap();
    assert!(
        found.contains("is valid") && found.contains("Ира <Смирнова>"),
        "{found}"
    );
    admin.presses("🎓 Another code").await;
    let missing = admin.sends("TB-7K2QX9AC").await.text.unwrap();
    assert!(missing.contains("was not found"), "{missing}");
    let entries = app.storage().await.audit_entries(None, 100).await.unwrap();
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.action == "verify_certificate")
            .count(),
        2
    );
    app.assert_clean();
}

#[tokio::test]
async fn admin_sees_the_most_read_pages_and_moves_a_person() {
    let app = TestApp::spawn_admins(Stack::Embedded, &[ADMIN])
        .await
        .unwrap();
    let staff = app.person(8_300_000_001, "Олег", "en");
    staff.sends("/menu").await;
    let seen_by_staff = staff.messages().len();
    app.person(8_300_000_002, "Вера", "en").sends("/menu").await;
    let storage = app.storage().await;
    let now = OffsetDateTime::now_utc();
    let view = |user: i64, path: &str| Activity {
        user: UserId(user),
        kind: ActivityKind::PageView,
        subject: Some(path.to_owned()),
        at: now,
    };
    storage
        .record_activity(&[
            view(8_300_000_001, "general/emergencies/fire.md"),
            view(8_300_000_002, "general/emergencies/fire.md"),
            view(8_300_000_002, "general/emergencies/fire.md"),
            view(8_300_000_001, "general/emergencies/medical.md"),
            view(8_300_000_001, "gone/removed-page.md"),
        ])
        .await
        .unwrap();
    let admin = app.admin(ADMIN).await;
    admin.presses("📊 Statistics").await;
    let pages = admin.presses("📖 Most-read pages").await.text.unwrap();
    let lines: Vec<&str> = pages.lines().collect();
    assert_eq!(lines[1], "1. Fire — 2 readers", "{pages}");
    assert!(pages.contains("gone/removed-page.md — 1 reader"), "{pages}");

    // Move Олег to Columbus and to the bar; he is not messaged.
    admin.presses("⬅️ Panel").await;
    admin.presses("🔎 Search").await;
    admin.sends("олег").await;
    let card = admin.presses("🟢 Олег").await;
    admin.presses("🏢 Change park").await;
    let card_after = admin.presses("Columbus").await.text.unwrap();
    assert!(card_after.contains("Park: Columbus"), "{card_after}");
    admin.presses("🧩 Change department").await;
    let card_after = admin.presses("Bar").await.text.unwrap();
    assert!(card_after.contains("Department: Bar"), "{card_after}");
    let profile = storage.staff_profile(UserId(8_300_000_001)).await.unwrap();
    assert_eq!(profile.park.as_deref(), Some("columbus"));
    assert_eq!(profile.department.as_deref(), Some("bar"));
    assert_eq!(staff.messages().len(), seen_by_staff, "not messaged");

    // A park that is not in the pack, forged into the data: a stale answer,
    // nothing stored.
    let forged = app
        .fake
        .press_on(ADMIN, card.message_id, "1AKK8300000001.atlantis");
    app.handled(forged).await;
    assert!(
        app.toasts().last().unwrap().contains("out of date"),
        "{:?}",
        app.toasts()
    );
    // A real park pressed by someone who is not an admin: refused.
    let intruder = app.person(77, "Eve", "en");
    let home = intruder.sends("/menu").await;
    let forged = app
        .fake
        .press_on(77, home.message_id, "1AKK8300000001.zelenopark");
    app.handled(forged).await;
    assert!(app.toasts().last().unwrap().contains("session has expired"));
    let profile = storage.staff_profile(UserId(8_300_000_001)).await.unwrap();
    assert_eq!(profile.park.as_deref(), Some("columbus"), "unchanged");

    let entries = storage.audit_entries(None, 100).await.unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e.action == "change_park" && e.detail == "8300000001: - → columbus"),
        "{entries:?}"
    );
    assert!(
        entries
            .iter()
            .any(|e| e.action == "change_department" && e.detail.ends_with("→ bar"))
    );
    assert!(entries.iter().any(|e| e.action == "view_stats_pages"));
    assert!(
        entries
            .iter()
            .any(|e| e.action == "denied" && e.detail.starts_with("Lookup(SetPark(")),
        "the intruder's press is audited"
    );
    app.assert_clean();
}

/// Someone known to the bot since `at`, placed in `park` and `department`, with
/// onboarding done, written straight to storage (as if long ago).
async fn staff_since(
    storage: &storage::SqlStorage,
    id: i64,
    name: &str,
    park: &str,
    department: &str,
    at: OffsetDateTime,
) {
    let profile = UserProfile {
        id: UserId(id),
        first_name: name.to_owned(),
        last_name: None,
        username: None,
        language_code: Some("en".to_owned()),
    };
    storage.touch_user(&profile, Lang::En, at).await.unwrap();
    for field in [
        ProfileField::Park(Some(park.to_owned())),
        ProfileField::Department(Some(department.to_owned())),
    ] {
        storage.set_profile_field(UserId(id), field).await.unwrap();
    }
    storage.mark_onboarded(UserId(id)).await.unwrap();
}

async fn finished_attempt(
    storage: &storage::SqlStorage,
    user: i64,
    quiz: &str,
    score: u32,
    passed: bool,
) {
    let id = storage
        .start_attempt(&NewAttempt {
            user: UserId(user),
            kind: AttemptKind::Quiz,
            quiz_id: quiz.to_owned(),
            questions: Vec::new(),
            started_at: OffsetDateTime::now_utc(),
            deadline: None,
        })
        .await
        .unwrap();
    let result = AttemptResult {
        score,
        max_score: 10,
        passed,
        finished_at: OffsetDateTime::now_utc(),
    };
    storage.finish_attempt(id, &result).await.unwrap();
}

#[tokio::test]
async fn admin_sees_quiz_results_overdue_people_and_activity() {
    let app = TestApp::spawn_admins(Stack::Embedded, &[ADMIN])
        .await
        .unwrap();
    let storage = app.storage().await;
    let now = OffsetDateTime::now_utc();
    let month_ago = now - Duration::days(30);
    staff_since(
        &storage,
        8_400_000_001,
        "<i>Late</i> Lena",
        "zelenopark",
        "bar",
        month_ago,
    )
    .await;
    staff_since(
        &storage,
        8_400_000_002,
        "Fresh Fedor",
        "zelenopark",
        "bar",
        now,
    )
    .await;
    staff_since(
        &storage,
        8_400_000_003,
        "Kitchen Kim",
        "columbus",
        "kitchen",
        now,
    )
    .await;
    finished_attempt(&storage, 8_400_000_001, "general-basics", 9, true).await;
    finished_attempt(&storage, 8_400_000_001, "general-basics", 6, false).await;
    finished_attempt(&storage, 8_400_000_003, "kitchen-basics", 10, true).await;

    let admin = app.admin(ADMIN).await;
    admin.presses("📊 Statistics").await;
    let quizzes = chart_screen(&app, admin.presses("🎯 Quiz results").await);
    assert!(
        app.fake
            .requests()
            .iter()
            .any(|r| r.method == "sendChatAction"
                && r.params["action"] == "upload_photo"
                && r.params["chat_id"].to_string().trim_matches('"') == ADMIN.to_string()),
        "the chat shows a photo being sent while the chart is drawn"
    );
    for line in [
        "• Knowledge check: general: 2 attempts, passed 50%, average score 75%",
        "• Bar: 2 attempts, passed 50%, average score 75%",
        "• Kitchen: 1 attempt, passed 100%, average score 100%",
        "• Zelenopark: 2 attempts, passed 50%, average score 75%",
        "• Columbus: 1 attempt, passed 100%, average score 100%",
    ] {
        assert!(quizzes.lines().any(|l| l == line), "{line:?} in {quizzes}");
    }

    admin.presses("📊 Statistics").await;
    let overdue = admin.presses("⏰ Overdue").await.text.unwrap();
    assert!(
        overdue.starts_with("⏰ Past the onboarding deadline: 1"),
        "{overdue}"
    );
    assert!(
        overdue.contains("• <i>Late</i> Lena — Bar: 16 days late, pages 0/")
            && overdue.contains("checks 1/2"),
        "markup in the name is shown literally: {overdue}"
    );
    assert!(!overdue.contains("Fresh Fedor"), "within the deadline");

    // Page views: yesterday 11:05 UTC is 14:05 in Moscow, Zelenopark's zone.
    let yesterday = (now - Duration::days(1)).date();
    let at = yesterday.with_hms(11, 5, 0).unwrap().assume_utc();
    let view = |user: i64, minutes: i64| Activity {
        user: UserId(user),
        kind: ActivityKind::PageView,
        subject: Some("general/emergencies/fire.md".to_owned()),
        at: at + Duration::minutes(minutes),
    };
    storage
        .record_activity(&[
            view(8_400_000_001, 0),
            view(8_400_000_002, 20),
            view(8_400_000_001, 60),
            view(8_400_000_003, 0),
        ])
        .await
        .unwrap();
    admin.presses("📊 Statistics").await;
    admin.presses("📈 Activity").await;
    let activity = chart_screen(&app, admin.presses("Zelenopark").await);
    let weekday = (at + Duration::hours(3)).weekday();
    assert!(activity.contains("(Europe/Moscow)"), "{activity}");
    assert!(
        activity.lines().any(|l| l == format!("{weekday}: 3")),
        "{activity}"
    );
    assert!(
        activity.contains("\n14:00–15:00: 2\n15:00–16:00: 1"),
        "{activity}"
    );
    let columbus = {
        admin.presses("🏢 Another park").await;
        chart_screen(&app, admin.presses("Columbus").await)
    };
    assert!(columbus.contains("14:00–15:00: 1"), "{columbus}");
    // A park slug that is not in the pack: stale.
    let forged = app
        .fake
        .press_on(ADMIN, admin.screen().message_id, "1AKAatlantis");
    app.handled(forged).await;
    assert!(app.toasts().last().unwrap().contains("out of date"));

    let entries = storage.audit_entries(None, 100).await.unwrap();
    for action in [
        "view_stats_quizzes",
        "view_stats_overdue",
        "view_stats_activity",
    ] {
        assert!(
            entries.iter().any(|e| e.action == action),
            "{action} audited"
        );
    }
    app.assert_clean();
}

#[tokio::test]
async fn admin_sees_the_onboarding_funnel_and_the_last_30_days() {
    let app = TestApp::spawn_admins(Stack::Embedded, &[ADMIN])
        .await
        .unwrap();
    let storage = app.storage().await;
    let now = OffsetDateTime::now_utc();
    // Four bar staff: one has read every required page and passed every check
    // (and holds a certificate), one has read every page only, two have done
    // nothing; a fifth person has no department.
    for id in 8_500_000_001..=8_500_000_004 {
        staff_since(&storage, id, "Barista", "zelenopark", "bar", now).await;
    }
    staff_since(&storage, 8_500_000_005, "Nobody", "zelenopark", "bar", now).await;
    storage
        .set_profile_field(UserId(8_500_000_005), ProfileField::Department(None))
        .await
        .unwrap();
    let bar = app.pack.department("bar").unwrap();
    let required = domain::learning::path_requirements(&app.pack, bar);
    let yesterday = now - Duration::days(1);
    let read: Vec<Activity> = [8_500_000_001, 8_500_000_002]
        .into_iter()
        .flat_map(|user| {
            required.pages.iter().map(move |page| Activity {
                user: UserId(user),
                kind: ActivityKind::PageView,
                subject: Some((*page).to_owned()),
                at: yesterday,
            })
        })
        .collect();
    storage.record_activity(&read).await.unwrap();
    for quiz in &required.quizzes {
        finished_attempt(&storage, 8_500_000_001, quiz, 10, true).await;
    }
    storage
        .save_certificate(&Certificate {
            code: "TB-FUNNEL01".to_owned(),
            user: UserId(8_500_000_001),
            full_name: "Barista".to_owned(),
            department: "bar".to_owned(),
            park: Some("zelenopark".to_owned()),
            issued_at: now,
            quizzes: Vec::new(),
        })
        .await
        .unwrap();

    let admin = app.admin(ADMIN).await;
    admin.presses("📊 Statistics").await;
    let funnel = chart_screen(&app, admin.presses("🪜 Onboarding funnel").await);
    assert_eq!(
        funnel,
        "Onboarding funnel\nOnboarded: 4\nRead every required page: 2 (50%)\n\
         Passed every required check: 1 (25%)\nCertified: 1 (25%)"
    );
    admin.presses("📊 Statistics").await;
    let daily = chart_screen(&app, admin.presses("📅 Last 30 days").await);
    let views = read.len();
    assert!(
        daily.contains(&format!("{views} in all; the busiest day had {views}.")),
        "{daily}"
    );
    let entries = storage.audit_entries(None, 100).await.unwrap();
    for action in ["view_stats_funnel", "view_stats_daily"] {
        assert!(
            entries.iter().any(|e| e.action == action),
            "{action} audited"
        );
    }
    app.assert_clean();
}

/// A statistics screen sent as a chart: a photo of a drawn chart (a PNG 960
/// pixels wide with more than a hundredth of it inked: a title alone inks less),
/// whose caption is the screen's text summary; the caption is returned.
fn chart_screen(app: &TestApp, screen: fake_telegram::MessageView) -> String {
    let media = screen.media.clone().expect("the screen is a picture");
    assert_eq!(media.kind, fake_telegram::MediaKind::Photo);
    let png = app
        .fake
        .file_content(&media.file_id)
        .expect("the chart's bytes");
    let mut reader = png::Decoder::new(std::io::Cursor::new(png))
        .read_info()
        .unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    pixels.truncate(info.buffer_size());
    assert_eq!(info.width, 960);
    let inked = pixels.chunks(3).filter(|px| *px != [255, 255, 255]).count();
    assert!(
        inked * 100 > pixels.len() / 3,
        "not blank: {inked} of {} pixels",
        pixels.len() / 3
    );
    if let Some(dir) = std::env::var_os("TRAINBOT_CHARTS_OUT") {
        let title: String = screen
            .caption
            .clone()
            .unwrap_or_default()
            .lines()
            .next()
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        let name = format!("{title}-{}.png", screen.message_id);
        std::fs::write(
            std::path::Path::new(&dir).join(name),
            app.fake.file_content(&media.file_id).unwrap(),
        )
        .unwrap();
    }
    screen.caption.expect("the summary is the caption")
}

#[tokio::test]
async fn admin_filters_people_by_park_department_and_status_over_pages() {
    let app = TestApp::spawn_admins(Stack::Embedded, &[ADMIN])
        .await
        .unwrap();
    let storage = app.storage().await;
    let now = OffsetDateTime::now_utc();
    for (id, name, park, department) in [
        (8_500_000_001, "Anna", "zelenopark", "bar"),
        (8_500_000_002, "Boris", "zelenopark", "kitchen"),
        (8_500_000_003, "Cyril", "columbus", "bar"),
        (8_500_000_004, "Dora", "zelenopark", "bar"),
    ] {
        staff_since(&storage, id, name, park, department, now).await;
    }
    for i in 0..11 {
        let id = 8_500_000_100 + i;
        staff_since(
            &storage,
            id,
            &format!("Bar {i:02}"),
            "zelenopark",
            "bar",
            now,
        )
        .await;
    }
    storage
        .set_blocked(UserId(8_500_000_004), true)
        .await
        .unwrap();
    let admin = app.admin(ADMIN).await;
    let title =
        |m: &fake_telegram::MessageView| m.text.clone().unwrap().lines().next().unwrap().to_owned();

    let all = admin.presses("👥 People").await;
    assert_eq!(title(&all), "👥 People: 16");
    admin.presses("🏢 Any park").await;
    let zelenopark = admin.presses("Zelenopark").await;
    assert_eq!(title(&zelenopark), "👥 People: 14");
    admin.presses("🧩 Any department").await;
    let bar = admin.presses("Bar").await;
    assert_eq!(title(&bar), "👥 People: 13");
    assert!(buttons(&bar).contains(&"🏢 Zelenopark".to_owned()));
    // Keyset paging keeps the filters: 13 people over two pages, each once.
    let mut seen = people(&buttons(&bar))
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    let next = admin.presses("Next ▶️").await;
    assert_eq!(title(&next), "👥 People: 13");
    seen.extend(people(&buttons(&next)).into_iter().map(str::to_owned));
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 13, "{seen:?}");
    assert!(
        !seen
            .iter()
            .any(|s| s.contains("Boris") || s.contains("Cyril"))
    );
    // The status filter combines with both.
    let blocked = admin.presses("Blocked").await;
    assert_eq!(title(&blocked), "👥 People: 1");
    assert_eq!(people(&buttons(&blocked)), ["⛔ Dora"]);
    admin.presses("🏢 Zelenopark").await;
    let any_park = admin.presses("Any park").await;
    assert_eq!(
        title(&any_park),
        "👥 People: 1",
        "Dora is the only blocked barista"
    );

    // A park index past the pack's parks: stale, no list.
    let forged = app.fake.press_on(ADMIN, any_park.message_id, "1AKLa200.-");
    app.handled(forged).await;
    assert!(app.toasts().last().unwrap().contains("out of date"));
    // A non-admin pressing a filter: refused and audited.
    let intruder = app.person(77, "Eve", "en");
    let home = intruder.sends("/menu").await;
    let forged = app.fake.press_on(77, home.message_id, "1AKLa0.0");
    app.handled(forged).await;
    assert!(app.toasts().last().unwrap().contains("session has expired"));
    app.assert_clean();
}

#[tokio::test]
async fn admin_overdue_list_stays_within_one_message_whatever_the_names() {
    let app = TestApp::spawn_admins(Stack::Embedded, &[ADMIN])
        .await
        .unwrap();
    let storage = app.storage().await;
    let month_ago = OffsetDateTime::now_utc() - Duration::days(30);
    for i in 0..40 {
        let name = format!("{i:02}{}", "Ж<&>".repeat(40));
        staff_since(
            &storage,
            8_600_000_000 + i,
            &name,
            "columbus",
            "kitchen",
            month_ago,
        )
        .await;
    }
    let admin = app.admin(ADMIN).await;
    admin.presses("📊 Statistics").await;
    let overdue = admin.presses("⏰ Overdue").await.text.unwrap();
    assert!(
        overdue.starts_with("⏰ Past the onboarding deadline: 40"),
        "{overdue}"
    );
    assert!(overdue.chars().count() <= 4096);
    let listed = overdue.lines().filter(|l| l.starts_with("• ")).count();
    assert_eq!(listed, 25);
    assert!(overdue.ends_with("…and 15 more."), "{overdue}");
    app.assert_clean();
}
