//! Exports and personal data, end to end: an admin receives each CSV as a document
//! from fake-telegram, which keeps the uploaded bytes; the files are parsed and
//! checked row by row, formula-looking names included. /privacy, the deletion
//! request, the person card, the person's data export and erasure run through the
//! real pipeline; the admin guard turns away everyone without a live session.

use std::time::Duration;

use domain::ids::UserId;
use domain::lang::Lang;
use domain::spreadsheet::neutralise;
use engine::ports::{
    AttemptFilter, AttemptKind, AttemptQuestion, AttemptResult, NewAttempt, UserProfile,
};
use fake_telegram::MediaKind;
use fake_telegram::MessageView;

use crate::helpers::{PATIENCE, Stack, TestApp, buttons};

const ADMIN: i64 = 9_000_000_001;
const SECOND_ADMIN: i64 = 9_000_000_002;

/// Names a spreadsheet would run as formulas if they were written as they are.
const HOSTILE: [(i64, &str); 5] = [
    (501, "=HYPERLINK(\"http://evil.example\",\"click\")"),
    (502, "+1"),
    (503, "@SUM(A1:A9)"),
    (504, "-2"),
    (505, "=1+1 \"quoted\", with a comma"),
];

/// The next document the chat receives (waiting for it, since the bot writes the
/// file after answering the press): its caption, file name and uploaded bytes.
pub(crate) async fn next_document(
    app: &TestApp,
    chat: i64,
    seen: usize,
) -> (String, String, Vec<u8>) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let document = loop {
        let documents: Vec<MessageView> = app
            .fake
            .messages(chat)
            .into_iter()
            .filter(|m| {
                m.media
                    .as_ref()
                    .is_some_and(|media| media.kind == MediaKind::Document)
            })
            .collect();
        if let Some(d) = documents.get(seen) {
            break d.clone();
        }
        assert!(tokio::time::Instant::now() < deadline, "no export arrived");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let bytes = app
        .fake
        .file_content(&document.media.unwrap().file_id)
        .expect("the uploaded bytes");
    let sent = app
        .fake
        .requests()
        .into_iter()
        .filter(|r| {
            r.method == "sendDocument"
                && r.ok
                && r.params["chat_id"].to_string().trim_matches('"') == chat.to_string()
        })
        .nth(seen)
        .expect("the upload request");
    let described = sent.params["document"].as_str().unwrap().to_owned();
    (document.caption.unwrap(), described, bytes)
}

/// The next CSV document the chat receives, separated by `delimiter`: its
/// caption, file name and parsed rows.
async fn next_csv_with(
    app: &TestApp,
    chat: i64,
    seen: usize,
    delimiter: u8,
) -> (String, String, Vec<Vec<String>>) {
    let (caption, file, bytes) = next_document(app, chat, seen).await;
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a UTF-8 BOM for Excel");
    let rows = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(&bytes[3..])
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (caption, file, rows)
}

/// The next comma-separated CSV document the chat receives.
pub(crate) async fn next_csv(
    app: &TestApp,
    chat: i64,
    seen: usize,
) -> (String, String, Vec<Vec<String>>) {
    next_csv_with(app, chat, seen, b',').await
}

fn today() -> String {
    time::OffsetDateTime::now_utc().date().to_string()
}

fn column(rows: &[Vec<String>], name: &str) -> usize {
    rows[0].iter().position(|h| h == name).unwrap()
}

async fn seed_people(app: &TestApp) {
    let storage = app.storage().await;
    for (id, name) in HOSTILE {
        storage
            .touch_user(
                &UserProfile {
                    id: UserId(id),
                    first_name: name.to_owned(),
                    last_name: Some("\tTabbed".to_owned()),
                    username: None,
                    language_code: None,
                },
                Lang::En,
                time::OffsetDateTime::now_utc(),
            )
            .await
            .unwrap();
    }
}

/// A finished knowledge check for `user`, as the quiz screens would store it.
async fn finished_check(storage: &storage::SqlStorage, user: i64, score: u32) {
    let now = time::OffsetDateTime::now_utc();
    let id = storage
        .start_attempt(&NewAttempt {
            user: UserId(user),
            kind: AttemptKind::Quiz,
            quiz_id: "general-basics".to_owned(),
            questions: vec![AttemptQuestion {
                quiz_id: "general-basics".to_owned(),
                question_id: "q01".to_owned(),
                option_order: vec![0, 1],
            }],
            started_at: now - time::Duration::minutes(5),
            deadline: None,
        })
        .await
        .unwrap();
    storage
        .finish_attempt(
            id,
            &AttemptResult {
                score,
                max_score: 4,
                passed: score >= 3,
                finished_at: now,
            },
        )
        .await
        .unwrap();
}

async fn every_export_arrives_as_a_neutralised_csv(stack: Stack) {
    let Some(app) = TestApp::spawn_admins(stack, &[ADMIN, SECOND_ADMIN]).await else {
        return;
    };
    seed_people(&app).await;
    let storage = app.storage().await;
    finished_check(&storage, 501, 4).await;
    finished_check(&storage, 502, 1).await;
    let reader = app.person(506, "Reader", "en");
    reader.sends("/start").await;

    let admin = app.admin(ADMIN).await;
    let exports = admin.presses("📤 Exports").await;
    assert!(exports.text.clone().unwrap().contains("UTC"));
    assert_eq!(
        buttons(&exports),
        [
            "✓ CSV ,",
            "CSV ;",
            "Excel",
            "👥 People",
            "📝 Quiz results",
            "Today",
            "7 days",
            "30 days",
            "All time",
            "🧾 Audit log",
            "⬅️ Panel"
        ]
    );

    // People.
    admin.presses("👥 People").await;
    let (caption, file, rows) = next_csv(&app, ADMIN, 0).await;
    assert!(caption.starts_with("People, "), "{caption}");
    assert!(file.contains(&format!("people-{}.csv", today())), "{file}");
    assert_eq!(rows[0][0], "id");
    let (first, last) = (column(&rows, "first_name"), column(&rows, "last_name"));
    for (id, name) in HOSTILE {
        let row = rows.iter().find(|r| r[0] == id.to_string()).unwrap();
        let stored = storage.user(UserId(id)).await.unwrap().unwrap();
        assert_eq!(row[first], neutralise(&stored.first_name), "{name}");
        assert!(row[first].starts_with('\''), "{name} is neutralised");
        assert_eq!(row[last], neutralise(stored.last_name.as_deref().unwrap()));
    }
    assert!(rows.iter().any(|r| r[first] == "Reader"));
    assert!(
        rows.iter()
            .flatten()
            .all(|cell| !cell.starts_with(['=', '+', '-', '@', '\t', '\r'])),
        "no cell starts a formula"
    );
    assert_eq!(
        rows.len(),
        1 + storage.count_users().await.unwrap() as usize
    );

    // Too fast: the same admin must wait; another admin need not.
    let refused = admin.presses("📝 Quiz results").await;
    assert!(
        app.fake
            .last_bot_message(ADMIN)
            .unwrap()
            .text
            .unwrap()
            .contains("please wait 10 seconds"),
        "{refused:?}"
    );
    let second = app.admin(SECOND_ADMIN).await;
    second.presses("📤 Exports").await;
    second.presses("📝 Quiz results").await;
    let (caption, file, rows) = next_csv(&app, SECOND_ADMIN, 0).await;
    assert!(caption.starts_with("Quiz results"), "{caption}");
    assert!(file.contains(&format!("quiz-results-{}.csv", today())));
    assert_eq!(
        rows[0],
        [
            "attempt", "person", "name", "quiz", "kind", "score", "max", "percent", "passed",
            "started", "finished"
        ]
    );
    assert_eq!(rows.len(), 3, "one row per finished check");
    let first_result = rows.iter().find(|r| r[1] == "501").unwrap();
    assert!(first_result[2].starts_with("'=HYPERLINK"));
    assert_eq!(
        &first_result[3..9],
        ["general-basics", "quiz", "4", "4", "100", "true"]
    );
    assert!(first_result[10].ends_with('Z'), "UTC ISO-8601");

    // Activity of the last 7 days: the reader's onboarding screens are not
    // activity, so open a section first.
    reader.sends("/menu").await;
    let section = buttons(&reader.screen())
        .into_iter()
        .find(|b| b.contains("General") || b.contains("general"))
        .unwrap_or_else(|| buttons(&reader.screen())[0].clone());
    reader.presses(&section).await;
    // Activity is written in batches: wait until it is stored.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while storage
        .recent_activity(UserId(506), 1)
        .await
        .unwrap()
        .is_empty()
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "activity is written"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs(10)).await;
    admin.presses("7 days").await;
    let (caption, file, rows) = next_csv(&app, ADMIN, 1).await;
    assert!(
        caption.starts_with("Activity in the last 7 days"),
        "{caption}"
    );
    assert!(file.contains(&format!("activity-7d-{}.csv", today())));
    assert_eq!(rows[0], ["id", "person", "kind", "node", "at"]);
    assert!(rows[1..].iter().any(|r| r[1] == "506"), "{rows:?}");

    // The audit log: every export is in it, by whom.
    tokio::time::sleep(Duration::from_secs(10)).await;
    second.presses("🧾 Audit log").await;
    let (_, file, rows) = next_csv(&app, SECOND_ADMIN, 1).await;
    assert!(file.contains(&format!("audit-{}.csv", today())));
    let exported: Vec<(&str, &str)> = rows[1..]
        .iter()
        .filter(|r| r[3] == "export")
        .map(|r| (r[2].as_str(), r[4].as_str()))
        .collect();
    let admin_id = ADMIN.to_string();
    let second_id = SECOND_ADMIN.to_string();
    for expected in [
        (admin_id.as_str(), "people"),
        (second_id.as_str(), "quiz-results"),
        (admin_id.as_str(), "activity-7d"),
        (second_id.as_str(), "audit"),
    ] {
        assert!(exported.contains(&expected), "{expected:?} in {exported:?}");
    }
    app.assert_clean();
}

#[tokio::test]
async fn every_export_arrives_as_a_neutralised_csv_embedded() {
    every_export_arrives_as_a_neutralised_csv(Stack::Embedded).await;
}

#[tokio::test]
async fn every_export_arrives_as_a_neutralised_csv_production_stack() {
    every_export_arrives_as_a_neutralised_csv(Stack::Production).await;
}

async fn privacy_request_export_and_erasure(stack: Stack) {
    let Some(app) = TestApp::spawn_admins(stack, &[ADMIN, SECOND_ADMIN]).await else {
        return;
    };
    let storage = app.storage().await;
    let anna = app.person(601, "Anna", "en");
    anna.sends("/start").await;
    finished_check(&storage, 601, 4).await;
    finished_check(&storage, 602, 2).await;
    let quiz_totals = |storage: storage::SqlStorage| async move {
        let results = storage
            .export_attempts(
                &AttemptFilter {
                    finished_quizzes_only: true,
                    ..AttemptFilter::default()
                },
                None,
                100,
            )
            .await
            .unwrap();
        (
            results.len(),
            results.iter().map(|a| a.score.unwrap()).sum::<u32>(),
        )
    };
    let before = quiz_totals(storage.clone()).await;

    let privacy = anna.sends("/privacy").await;
    let text = privacy.text.clone().unwrap();
    assert!(
        text.contains("My data") && text.contains("Telegram ID: 601"),
        "{text}"
    );
    assert!(text.contains("Knowledge check attempts: 1"), "{text}");
    assert!(buttons(&privacy).contains(&"🗑 Request deletion".to_owned()));
    let requested = anna.presses("🗑 Request deletion").await;
    let text = requested.text.clone().unwrap();
    assert!(text.contains("You asked for deletion"), "{text}");
    assert!(!buttons(&requested).contains(&"🗑 Request deletion".to_owned()));
    assert!(
        app.toasts()
            .contains(&"Your request has been received.".to_owned())
    );
    // A second press on the old button changes nothing and is not audited twice.
    let again = app.fake.press_on(601, privacy.message_id, "1D");
    app.handled(again).await;
    let requests = |entries: Vec<engine::ports::AuditEntry>| {
        entries
            .iter()
            .filter(|e| e.action == "deletion_request" && e.actor == UserId(601))
            .count()
    };
    assert_eq!(requests(storage.audit_entries(None, 100).await.unwrap()), 1);

    let admin = app.admin(ADMIN).await;
    // The request is waiting in the panel's list; its button opens the card.
    let pending = admin.presses("🗑 Deletion requests").await;
    assert_eq!(buttons(&pending), ["🟢 Anna", "⬅️ Panel"]);
    let card = admin.presses("🟢 Anna").await;
    let text = card.text.clone().unwrap();
    assert!(text.contains("Asked for deletion"), "{text}");
    assert!(buttons(&card).contains(&"📤 Export data".to_owned()));

    admin.presses("📤 Export data").await;
    let (caption, file, rows) = next_csv(&app, ADMIN, 0).await;
    assert!(caption.starts_with("Everything stored about one person"));
    assert!(
        file.contains(&format!("person-601-{}.csv", today())),
        "{file}"
    );
    let sections: Vec<&str> = rows
        .iter()
        .filter(|r| r[0] != "section")
        .map(|r| r[0].as_str())
        .collect();
    assert!(
        sections.contains(&"profile") && sections.contains(&"attempt"),
        "{rows:?}"
    );
    let profile = rows.iter().find(|r| r[0] == "profile").unwrap();
    assert_eq!(profile[1..3], ["601", "Anna"]);
    assert!(
        !profile.last().unwrap().is_empty(),
        "the deletion request's time"
    );

    let confirm = admin.presses("🗑 Erase").await;
    assert!(confirm.text.unwrap().contains("Erase Anna (ID 601)?"));
    let done = admin.presses("🗑 Yes, erase").await;
    assert!(done.text.unwrap().contains("Erased person 601"));
    assert_eq!(storage.user(UserId(601)).await.unwrap(), None);
    assert_eq!(
        quiz_totals(storage.clone()).await,
        before,
        "statistics stay"
    );
    assert!(
        app.fake
            .last_bot_message(601)
            .unwrap()
            .text
            .unwrap()
            .contains("Your data has been deleted")
    );
    let audit = storage.audit_entries(None, 100).await.unwrap();
    let erase = audit.iter().find(|e| e.action == "erase").unwrap();
    assert_eq!((erase.actor, erase.detail.as_str()), (UserId(ADMIN), "601"));
    assert!(
        audit.iter().all(|e| !e.detail.contains("Anna")),
        "the audit keeps the id"
    );
    // An old "Export data" button finds nobody to export.
    let gone = app.fake.press_on(ADMIN, card.message_id, "1Ad601");
    app.handled(gone).await;
    assert!(
        app.fake
            .last_bot_message(ADMIN)
            .unwrap()
            .text
            .unwrap()
            .contains("There is no such person")
    );

    // The people export no longer names her; her result is there, anonymised.
    let second = app.admin(SECOND_ADMIN).await;
    second.presses("📤 Exports").await;
    second.presses("👥 People").await;
    let (_, _, rows) = next_csv(&app, SECOND_ADMIN, 0).await;
    assert!(rows.iter().flatten().all(|c| c != "Anna" && c != "601"));
    tokio::time::sleep(Duration::from_secs(10)).await;
    second.presses("📝 Quiz results").await;
    let (_, _, rows) = next_csv(&app, SECOND_ADMIN, 1).await;
    assert_eq!(rows.len(), 1 + before.0);
    let erased = rows.iter().find(|r| r[1].starts_with("erased-")).unwrap();
    assert_eq!((erased[2].as_str(), erased[5].as_str()), ("", "4"));

    // She writes again: a new person, asked to onboard from the start.
    let back = anna.sends("/start").await;
    assert_eq!(
        storage.user(UserId(601)).await.unwrap().unwrap().first_name,
        "Anna"
    );
    assert!(back.text.is_some());
    assert_eq!(
        storage.stored_counts(UserId(601)).await.unwrap(),
        Default::default()
    );
    app.assert_clean();
}

#[tokio::test]
async fn privacy_request_export_and_erasure_embedded() {
    privacy_request_export_and_erasure(Stack::Embedded).await;
}

#[tokio::test]
async fn privacy_request_export_and_erasure_production_stack() {
    privacy_request_export_and_erasure(Stack::Production).await;
}

#[tokio::test]
async fn security_exports_and_erasure_need_a_live_admin_session() {
    let app = TestApp::spawn_admins(Stack::Embedded, &[ADMIN])
        .await
        .unwrap();
    let intruder = app.person(77, "Eve", "en");
    let home = intruder.sends("/menu").await;
    for data in [
        "1AE", "1AXp", "1AXa", "1AXq", "1AXl", "1Ad77", "1Ae77", "1Af77",
    ] {
        let update = app.fake.press_on(77, home.message_id, data);
        app.handled(update).await;
    }
    // An admin whose session ended is turned away the same way.
    let admin = app.admin(ADMIN).await;
    let exports = admin.presses("📤 Exports").await;
    admin.presses("⬅️ Panel").await;
    admin.presses("🚪 Log out").await;
    for data in ["1AXp", "1Af77"] {
        let update = app.fake.press_on(ADMIN, exports.message_id, data);
        app.handled(update).await;
    }
    let expired = app
        .toasts()
        .iter()
        .filter(|t| t.contains("session has expired"))
        .count();
    assert_eq!(expired, 10);
    assert!(
        app.fake
            .requests()
            .iter()
            .all(|r| r.method != "sendDocument"),
        "no file was sent"
    );
    let storage = app.storage().await;
    assert!(
        storage.user(UserId(77)).await.unwrap().is_some(),
        "not erased"
    );
    let denied = storage
        .audit_entries(None, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "denied")
        .count();
    assert_eq!(denied, 10, "every refused press is audited");
    assert!(
        storage
            .audit_entries(None, 100)
            .await
            .unwrap()
            .iter()
            .all(|e| e.action != "export" && e.action != "erase")
    );
    app.assert_clean();
}

#[tokio::test]
async fn an_export_of_five_thousand_people_arrives_whole() {
    let app = TestApp::spawn_admins(Stack::Embedded, &[ADMIN])
        .await
        .unwrap();
    let storage = app.storage().await;
    let now = time::OffsetDateTime::now_utc();
    for id in 1..=5_000 {
        let profile = UserProfile {
            id: UserId(1_000_000 + id),
            first_name: format!("Person {id}"),
            last_name: (id % 7 == 0).then(|| "=cmd|' /C calc'!A0".to_owned()),
            username: None,
            language_code: None,
        };
        storage.touch_user(&profile, Lang::Ru, now).await.unwrap();
    }
    let admin = app.admin(ADMIN).await;
    admin.presses("📤 Exports").await;
    admin.presses("👥 People").await;
    let (_, _, rows) = next_csv(&app, ADMIN, 0).await;
    assert_eq!(
        rows.len(),
        1 + 5_001,
        "a header, 5 000 people and the admin"
    );
    let ids: Vec<i64> = rows[1..].iter().map(|r| r[0].parse().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ascending, no repeats");
    let last = column(&rows, "last_name");
    assert_eq!(
        rows.iter()
            .filter(|r| r[last] == "'=cmd|' /C calc'!A0")
            .count(),
        5_000 / 7
    );
    app.assert_clean();
}

/// LibreOffice for [`a_workbook_opens_in_libreoffice_with_the_stored_data`], from
/// `TEST_LIBREOFFICE` (the path of `soffice`; `.ci/run` installs Debian's
/// `libreoffice-calc-nogui` and sets it). Unset: the test says so and does
/// nothing.
fn libreoffice() -> Option<std::path::PathBuf> {
    match std::env::var_os("TEST_LIBREOFFICE") {
        Some(path) if !path.is_empty() => Some(path.into()),
        _ => {
            println!("TEST_LIBREOFFICE is not set: the LibreOffice test did not run");
            None
        }
    }
}

/// The first sheet of a workbook as LibreOffice converts it to CSV, each cell as
/// it is shown (a date as its format shows it), in a profile of its own.
fn libreoffice_rows(soffice: &std::path::Path, workbook: &[u8]) -> Vec<Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("export.xlsx");
    std::fs::write(&input, workbook).unwrap();
    let profile = format!("file://{}/profile", dir.path().display());
    let out = std::process::Command::new(soffice)
        .arg(format!("-env:UserInstallation={profile}"))
        .args(["--headless", "--norestore", "--convert-to"])
        // Comma, double quotes, UTF-8, from line 1, cells as shown.
        .arg("csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true")
        .arg("--outdir")
        .arg(dir.path())
        .arg(&input)
        .output()
        .unwrap();
    let converted = dir.path().join("export.csv");
    assert!(
        converted.exists(),
        "LibreOffice did not convert the workbook: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(converted)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// A time as a workbook shows it: local, to the second.
fn shown(at: time::OffsetDateTime, zone: &str) -> String {
    let local = domain::learning::to_local(at, zone);
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    local.format(&format).unwrap()
}

#[tokio::test]
async fn a_workbook_opens_in_libreoffice_with_the_stored_data() {
    let Some(soffice) = libreoffice() else {
        return;
    };
    let Some(app) = TestApp::spawn_admins(Stack::Embedded, &[ADMIN, SECOND_ADMIN]).await else {
        return;
    };
    seed_people(&app).await;
    let storage = app.storage().await;
    finished_check(&storage, 501, 4).await;
    finished_check(&storage, 502, 1).await;

    let admin = app.admin(ADMIN).await;
    admin.presses("📤 Exports").await;
    let chosen = admin.presses("Excel").await;
    assert!(
        chosen.text.clone().unwrap().contains("File: Excel"),
        "{chosen:?}"
    );
    assert_eq!(buttons(&chosen)[..3], ["CSV ,", "CSV ;", "✓ Excel"]);
    admin.presses("👥 People").await;
    let (caption, file, bytes) = next_document(&app, ADMIN, 0).await;
    assert!(file.contains(&format!("people-{}.xlsx", today())), "{file}");
    let zone = caption
        .split("(times in ")
        .nth(1)
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("the caption names the time zone: {caption}"));
    assert!(bytes.starts_with(b"PK"), "a zip container");

    let rows = libreoffice_rows(&soffice, &bytes);
    let people = storage.export_people(None, None, 1_000).await.unwrap();
    assert_eq!(rows.len(), 1 + people.len(), "{rows:?}");
    assert_eq!(rows[0][..3], ["id", "first_name", "last_name"]);
    for (row, person) in rows[1..].iter().zip(&people) {
        // Names exactly as typed: a workbook's text cell is never a formula.
        let expected = [
            person.id.to_string(),
            person.first_name.clone(),
            person.last_name.clone().unwrap_or_default(),
        ];
        assert_eq!(row[..3], expected);
        assert_eq!(row[9], shown(person.first_seen, zone), "first_seen, local");
        assert_eq!(row[11], if person.blocked { "TRUE" } else { "FALSE" });
    }
    assert!(
        rows.iter().any(|r| r[1] == HOSTILE[0].1),
        "the hostile name is text: {rows:?}"
    );

    // The other admin takes quiz results as CSV separated by semicolons.
    let second = app.admin(SECOND_ADMIN).await;
    second.presses("📤 Exports").await;
    second.presses("CSV ;").await;
    second.presses("📝 Quiz results").await;
    let (caption, file, rows) = next_csv_with(&app, SECOND_ADMIN, 0, b';').await;
    assert!(caption.ends_with("(times in UTC)"), "{caption}");
    assert!(file.contains(&format!("quiz-results-{}.csv", today())));
    assert_eq!(rows[0].len(), 11, "{rows:?}");
    let first_result = rows.iter().find(|r| r[1] == "501").unwrap();
    assert!(
        first_result[2].starts_with("'=HYPERLINK"),
        "CSV neutralises"
    );
    assert_eq!(first_result[5..9], ["4", "4", "100", "true"]);
    app.assert_clean();
}
