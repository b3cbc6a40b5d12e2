//! Exports as background jobs, end to end: the press that asks for an export is
//! answered at once, the file is written and uploaded by the export worker while
//! everyone else is answered, the worker runs a bounded number of exports at a
//! time with one per admin, and an export over the size limit is refused with a
//! message instead of a file.
//!
//! fake-telegram holds the uploads (`hold("sendDocument")`), so "still running" is
//! a fact of the test, not a matter of timing.

use std::sync::Arc;
use std::time::Duration;

use domain::ids::UserId;
use domain::lang::Lang;
use engine::ports::{SystemClock, UserProfile};
use fake_telegram::{FakeConfig, MediaKind, RequestRecord};

use crate::exports::next_csv;
use crate::helpers::{PATIENCE, Stack, TestApp, admin_settings, buttons};

const ADMIN: i64 = 9_000_000_011;
const SECOND_ADMIN: i64 = 9_000_000_012;
const THIRD_ADMIN: i64 = 9_000_000_013;
const READER: i64 = 7_001;

fn to_chat(r: &RequestRecord, chat: i64) -> bool {
    r.params["chat_id"].to_string().trim_matches('"') == chat.to_string()
}

/// Where in the bot's requests so far the first one matching `what` is.
fn first(app: &TestApp, what: impl Fn(&RequestRecord) -> bool) -> Option<usize> {
    app.fake.requests().iter().position(what)
}

fn document_to(chat: i64) -> impl Fn(&RequestRecord) -> bool {
    move |r| r.method == "sendDocument" && r.ok && to_chat(r, chat)
}

fn indicator_to(chat: i64) -> impl Fn(&RequestRecord) -> bool {
    move |r| {
        r.method == "sendChatAction" && to_chat(r, chat) && r.params["action"] == "upload_document"
    }
}

fn documents(app: &TestApp, chat: i64) -> usize {
    app.fake
        .messages(chat)
        .iter()
        .filter(|m| {
            m.media
                .as_ref()
                .is_some_and(|d| d.kind == MediaKind::Document)
        })
        .count()
}

fn last_text(app: &TestApp, chat: i64) -> String {
    app.fake
        .last_bot_message(chat)
        .and_then(|m| m.text)
        .unwrap_or_default()
}

async fn seed_people(app: &TestApp, n: i64) {
    let storage = app.storage().await;
    let now = time::OffsetDateTime::now_utc();
    for id in 1..=n {
        let profile = UserProfile {
            id: UserId(2_000_000 + id),
            first_name: format!("Person {id} with a fairly long name"),
            last_name: Some("Somebody-Else".to_owned()),
            username: None,
            language_code: None,
        };
        storage.touch_user(&profile, Lang::En, now).await.unwrap();
    }
    storage.close().await;
}

async fn an_export_runs_while_everyone_else_is_answered(stack: Stack) {
    let Some(app) = TestApp::spawn_admins(stack, &[ADMIN, SECOND_ADMIN, THIRD_ADMIN]).await else {
        return;
    };
    seed_people(&app, 50).await;
    app.fake.hold("sendDocument");

    // The press is handled (confirmed) and answered while its upload cannot finish.
    let admin = app.admin(ADMIN).await;
    admin.presses("📤 Exports").await;
    admin.presses("👥 People").await;
    assert!(
        last_text(&app, ADMIN).contains("Preparing your export"),
        "{}",
        last_text(&app, ADMIN)
    );
    app.fake
        .wait_for(PATIENCE, |fake| fake.parked("sendDocument") == 1)
        .await
        .expect("the export is being uploaded");
    app.fake
        .wait_for(PATIENCE, |fake| {
            fake.requests().iter().any(indicator_to(ADMIN))
        })
        .await
        .expect("the chat shows that a file is on its way");

    // Someone else is answered while the export is still running: a message,
    // then a button press.
    let reader = app.person(READER, "Reader", "en");
    reader.sends("/start").await;
    let answered = first(&app, |r| {
        r.method == "sendMessage" && r.ok && to_chat(r, READER)
    })
    .expect("the reader is answered");
    let before_press = app.fake.requests().len();
    let choice = buttons(&reader.screen())[0].clone();
    reader.presses(&choice).await;
    let pressed = app
        .fake
        .requests()
        .iter()
        .enumerate()
        .skip(before_press)
        .find(|(_, r)| r.method == "answerCallbackQuery" && r.ok)
        .map(|(i, _)| i)
        .expect("the reader's press is answered");
    assert_eq!(app.fake.parked("sendDocument"), 1, "the export still runs");
    assert_eq!(documents(&app, ADMIN), 0);

    // A second admin's export runs beside it; a third waits for a free slot.
    let second = app.admin(SECOND_ADMIN).await;
    second.presses("📤 Exports").await;
    second.presses("🧾 Audit log").await;
    app.fake
        .wait_for(PATIENCE, |fake| fake.parked("sendDocument") == 2)
        .await
        .expect("two exports at a time");
    let third = app.admin(THIRD_ADMIN).await;
    third.presses("📤 Exports").await;
    third.presses("📝 Quiz results").await;
    assert!(last_text(&app, THIRD_ADMIN).contains("Preparing your export"));

    // One export per admin: after the rate limit's 10 s, the first admin's next
    // press is refused while the first is still being prepared.
    tokio::time::sleep(Duration::from_secs(10)).await;
    admin.presses("📝 Quiz results").await;
    assert!(
        last_text(&app, ADMIN).contains("still being prepared"),
        "{}",
        last_text(&app, ADMIN)
    );

    app.fake.release("sendDocument");
    let (_, file, rows) = next_csv(&app, ADMIN, 0).await;
    assert!(file.contains("people-"), "{file}");
    assert_eq!(rows.len(), 1 + 50 + 1, "a header, 50 people and the admin");
    next_csv(&app, SECOND_ADMIN, 0).await;
    let (_, file, _) = next_csv(&app, THIRD_ADMIN, 0).await;
    assert!(file.contains("quiz-results-"), "{file}");

    let first_document = [ADMIN, SECOND_ADMIN]
        .map(|chat| first(&app, document_to(chat)).expect("uploaded"))
        .into_iter()
        .min()
        .unwrap();
    assert!(
        answered < first_document && pressed < first_document,
        "the reader was answered before any export was done"
    );
    let third_started = first(&app, indicator_to(THIRD_ADMIN)).expect("the third export ran");
    assert!(
        third_started > first_document,
        "the third export started only when one of the first two was done"
    );
    assert_eq!(
        documents(&app, ADMIN),
        1,
        "the refused second export never ran"
    );
    app.assert_clean();
}

#[tokio::test]
async fn an_export_runs_while_everyone_else_is_answered_embedded() {
    an_export_runs_while_everyone_else_is_answered(Stack::Embedded).await;
}

#[tokio::test]
async fn an_export_runs_while_everyone_else_is_answered_production_stack() {
    an_export_runs_while_everyone_else_is_answered(Stack::Production).await;
}

/// A bot whose exports stop at 4 KiB, with 500 people: any people export is too big.
async fn small_exports() -> TestApp {
    let mut settings = admin_settings(&[ADMIN]);
    settings.push(("EXPORT_MAX_BYTES", "4096".to_owned()));
    let app = TestApp::spawn_full(
        Stack::Embedded,
        Arc::new(SystemClock),
        &settings,
        FakeConfig::default(),
    )
    .await
    .unwrap();
    // About 100 bytes a row: far more than 4 KiB.
    seed_people(&app, 500).await;
    app
}

/// Waits until the admin's last message says their export is too big.
async fn told_too_big(app: &TestApp) {
    app.fake
        .wait_for(PATIENCE, |fake| {
            fake.last_bot_message(ADMIN)
                .and_then(|m| m.text)
                .is_some_and(|t| t.contains("too big"))
        })
        .await
        .expect("the admin is told the export is too big");
}

/// The worker finishes a too-big export at once, yet its answer never comes
/// before "preparing your export": it waits until that message is sent.
#[tokio::test]
async fn the_answer_to_an_export_never_comes_before_preparing() {
    let app = small_exports().await;
    let admin = app.admin(ADMIN).await;
    admin.presses("📤 Exports").await;
    app.fake.hold("sendMessage");
    app.fake.press(ADMIN, "👥 People").unwrap();
    app.fake
        .wait_for(PATIENCE, |fake| fake.parked("sendMessage") == 1)
        .await
        .expect("preparing is on its way");
    // Far longer than writing 4 KiB takes: the worker would have sent by now.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.fake.parked("sendMessage"), 1, "only preparing is sent");
    app.fake.release("sendMessage");
    told_too_big(&app).await;
    let texts: Vec<String> = app
        .fake
        .messages(ADMIN)
        .into_iter()
        .filter_map(|m| m.text)
        .collect();
    let preparing = texts
        .iter()
        .position(|t| t.contains("Preparing your export"));
    let too_big = texts.iter().position(|t| t.contains("too big"));
    assert!(preparing.is_some() && preparing < too_big, "{texts:#?}");
    app.assert_clean();
}

#[tokio::test]
async fn an_export_over_the_size_limit_is_refused_with_a_message() {
    let app = small_exports().await;
    let admin = app.admin(ADMIN).await;
    admin.presses("📤 Exports").await;
    admin.presses("👥 People").await;
    told_too_big(&app).await;
    assert!(last_text(&app, ADMIN).contains("shorter period"));
    assert_eq!(app.fake.uploads(), 0, "nothing was uploaded");
    assert_eq!(first(&app, |r| r.method == "sendDocument"), None);

    // A small export still fits.
    tokio::time::sleep(Duration::from_secs(10)).await;
    admin.presses("🧾 Audit log").await;
    let (_, file, _) = next_csv(&app, ADMIN, 0).await;
    assert!(file.contains("audit-"), "{file}");
    app.assert_clean();
}
