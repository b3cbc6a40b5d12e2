//! Content editing in the admin panel, end to end: edit with preview and confirm,
//! cancel, media, history and revert, two replicas sharing PostgreSQL + Redis,
//! reloading a broken and a good pack from disk, and the attacks on it (cases
//! 59-65 of docs/security.md).

use std::path::Path;
use std::time::Duration;

use domain::callback::{AdminAction, Callback, ContentAction};
use domain::content::{ContentPack, MESSAGE_LIMIT, NodeKind};
use domain::ids::NodeId;
use engine::ports::ReviewChange;
use fake_telegram::{FakeConfig, MessageView};

use crate::helpers::{PATIENCE, Person, Stack, TestApp, admin_settings, buttons};

const ADMIN: i64 = 9_100_000_001;
const STAFF: i64 = 9_100_000_002;

/// A page of the sample pack the editor reaches in two taps: the first page
/// without media among the first screen of a top-level section.
pub(crate) struct Target {
    pub section_title: String,
    pub page_title: String,
    pub node: NodeId,
    pub path: String,
}

pub(crate) fn target(pack: &ContentPack) -> Target {
    for &section in pack.top_level() {
        let node = pack.node(section).unwrap();
        let NodeKind::Section { children } = &node.kind else {
            continue;
        };
        for &child in children.iter().take(8) {
            let page = pack.node(child).unwrap();
            if matches!(&page.kind, NodeKind::Page(p) if p.media.is_none()) {
                return Target {
                    section_title: node.title.en.clone(),
                    page_title: page.title.en.clone(),
                    node: child,
                    path: page.path.clone(),
                };
            }
        }
    }
    panic!("the sample pack has a page without media in a top-level section");
}

async fn app_on(stack: Stack, extra: &[(&str, String)]) -> Option<TestApp> {
    let mut settings = admin_settings(&[ADMIN]);
    settings.push(("CONTENT_POLL_SECS", "1".to_owned()));
    settings.extend(extra.iter().cloned());
    TestApp::spawn_full(
        stack,
        std::sync::Arc::new(engine::ports::SystemClock),
        &settings,
        FakeConfig::default(),
    )
    .await
}

/// A bot on the embedded stack and the page its tests edit.
async fn embedded() -> (TestApp, Target) {
    let app = app_on(Stack::Embedded, &[]).await.unwrap();
    let t = target(&app.pack);
    (app, t)
}

/// The admin at the page's card: panel, 📝 Content, its section, the page.
async fn open_card(admin: &Person<'_>, t: &Target) -> MessageView {
    admin.sends("/admin").await;
    admin.presses("📝 Content").await;
    admin.presses(&format!("📂 {}", t.section_title)).await;
    admin.presses(&format!("📄 {}", t.page_title)).await
}

/// What a staff member reading in English sees when they open the page now: the
/// page's text (the last message), and whether a file came with it.
pub(crate) async fn staff_view(app: &TestApp, node: NodeId) -> (String, bool) {
    let staff = app.person(STAFF, "Olga", "en");
    let menu = staff.sends("/menu").await;
    let update = app
        .fake
        .press_on(STAFF, menu.message_id, &Callback::Open(node).encode());
    app.handled(update).await;
    let media = staff
        .messages()
        .iter()
        .any(|m| m.from_bot && m.message_id > menu.message_id && m.media.is_some());
    (staff.screen().text.unwrap_or_default(), media)
}

/// How many versions of the page at `path` are stored.
async fn versions(app: &TestApp, path: &str) -> usize {
    let storage = app.storage().await;
    let n = storage.page_versions(path, None, 100).await.unwrap().len();
    storage.close().await;
    n
}

fn text_of(m: &MessageView) -> String {
    m.text.clone().unwrap_or_default()
}

pub(crate) async fn edit_text(admin: &Person<'_>, t: &Target, markdown: &str) -> MessageView {
    open_card(admin, t).await;
    admin.presses("✏️ Text EN").await;
    admin.sends(markdown).await
}

async fn an_edit_is_previewed_confirmed_and_seen_by_staff(stack: Stack) {
    let Some(app) = app_on(stack, &[]).await else {
        return;
    };
    let t = target(&app.pack);
    let (original, _) = staff_view(&app, t.node).await;
    let admin = app.admin(ADMIN).await;
    let card = open_card(&admin, &t).await;
    let card_text = text_of(&card);
    assert!(card_text.contains(&t.path), "{card_text}");
    assert!(card_text.contains("the pack's own"), "{card_text}");

    // Preview: the page exactly as staff will see it, then Save / Cancel.
    admin.presses("✏️ Text EN").await;
    let confirm = admin
        .sends("**Fresh** rule: wash your hands & smile <3")
        .await;
    assert!(
        text_of(&confirm).contains("exactly what staff"),
        "{confirm:?}"
    );
    let preview = admin
        .messages()
        .into_iter()
        .rev()
        .find(|m| text_of(m).contains("Fresh rule"))
        .expect("the preview");
    assert!(
        preview.html.as_deref().unwrap().contains("<b>Fresh</b>"),
        "{preview:?}"
    );
    assert!(
        text_of(&preview).contains("wash your hands & smile <3"),
        "shown literally"
    );
    let saved = admin.presses("✅ Save").await;
    assert!(text_of(&saved).contains("Saved as version #1"), "{saved:?}");
    assert!(text_of(&saved).contains("Text EN: edited in the panel"));
    let (seen, _) = staff_view(&app, t.node).await;
    assert!(seen.contains("Fresh rule"), "{seen}");

    // Cancel changes nothing.
    edit_text(&admin, &t, "Something else entirely").await;
    let cancelled = admin.presses("✖️ Cancel").await;
    assert!(text_of(&cancelled).contains("Nothing was changed"));
    let (seen, _) = staff_view(&app, t.node).await;
    assert!(seen.contains("Fresh rule") && !seen.contains("Something else"));

    // A second version, then back to the first from the history.
    edit_text(&admin, &t, "Second *version*").await;
    admin.presses("✅ Save").await;
    let history = admin.presses("🕓 History").await;
    let listed = text_of(&history);
    assert!(
        listed.contains("#2") && listed.contains("#1") && listed.contains("Second *version*"),
        "{listed}"
    );
    admin.presses("↩️ #1").await;
    let reverted = admin.presses("✅ Save").await;
    assert!(text_of(&reverted).contains("version #3"), "{reverted:?}");
    let (seen, _) = staff_view(&app, t.node).await;
    assert!(seen.contains("Fresh rule"), "{seen}");

    // And back to the pack's own text.
    admin.presses("🕓 History").await;
    admin.presses("↩️ Pack: text EN").await;
    admin.presses("✅ Save").await;
    let (seen, _) = staff_view(&app, t.node).await;
    assert_eq!(seen, original);

    assert_eq!(
        versions(&app, &t.path).await,
        4,
        "edit, edit, revert, restore"
    );
    let storage = app.storage().await;
    let audit: Vec<String> = storage
        .audit_entries(None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for action in ["content_edit", "content_revert", "content_restore"] {
        assert!(audit.iter().any(|a| a == action), "{action}: {audit:?}");
    }
    storage.close().await;
    app.assert_clean();
}

#[tokio::test]
async fn content_edit_preview_confirm_cancel_history_and_revert() {
    an_edit_is_previewed_confirmed_and_seen_by_staff(Stack::Embedded).await;
}

#[tokio::test]
async fn content_edit_preview_confirm_cancel_history_and_revert_on_postgres_and_redis() {
    an_edit_is_previewed_confirmed_and_seen_by_staff(Stack::Production).await;
}

#[tokio::test]
async fn content_media_attached_in_the_panel_shows_on_the_page() {
    let (app, t) = embedded().await;
    let admin = app.admin(ADMIN).await;
    open_card(&admin, &t).await;
    admin.presses("📎 Attach or replace media").await;
    // Text is not a file: the bot asks again.
    admin.sends("here it is").await;
    let hint = app.fake.last_bot_message(ADMIN).unwrap();
    assert!(text_of(&hint).contains("Please send a photo"), "{hint:?}");
    let update = app.fake.send_photo(ADMIN);
    app.handled(update).await;
    let confirm = admin.screen();
    assert!(
        text_of(&confirm).contains("exactly what staff"),
        "{confirm:?}"
    );
    let saved = admin.presses("✅ Save").await;
    assert!(
        text_of(&saved).contains("photo sent in the panel"),
        "{saved:?}"
    );
    let (_, media) = staff_view(&app, t.node).await;
    assert!(media, "the staff member gets the photo with the page");

    admin.presses("🗑 Remove media").await;
    let saved = admin.presses("✅ Save").await;
    assert!(text_of(&saved).contains("Media: none"), "{saved:?}");
    let (_, media) = staff_view(&app, t.node).await;
    assert!(!media, "no file any more");
    let audit = app.storage().await.audit_entries(None, 100).await.unwrap();
    assert_eq!(
        audit.iter().filter(|e| e.action == "content_media").count(),
        2
    );
    app.assert_clean();
}

#[tokio::test]
async fn content_an_edit_on_one_replica_shows_on_the_others() {
    let Some(first) = app_on(Stack::Production, &[]).await else {
        return;
    };
    let others = [first.replica().await, first.replica().await];
    let t = target(&first.pack);
    let admin = first.admin(ADMIN).await;
    edit_text(&admin, &t, "Edited on the first replica").await;
    admin.presses("✅ Save").await;
    // The other replicas' polls pick it up without a restart.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    for other in &others {
        loop {
            let (seen, _) = staff_view(other, t.node).await;
            if seen.contains("Edited on the first replica") {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "a replica never showed the edit: {seen}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    first.assert_clean();
    for other in &others {
        other.assert_clean();
    }
}

/// A copy of the sample pack to change on disk.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[tokio::test]
async fn content_reload_keeps_the_running_pack_on_a_broken_one_and_takes_a_good_one() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&crate::helpers::content_dir(), dir.path());
    let app = app_on(
        Stack::Embedded,
        &[("CONTENT_DIR", dir.path().display().to_string())],
    )
    .await
    .unwrap();
    let t = target(&app.pack);
    let (original, _) = staff_view(&app, t.node).await;
    let admin = app.admin(ADMIN).await;
    // An edit of another language, to see it laid over the reloaded pack.
    open_card(&admin, &t).await;
    admin.presses("✏️ Text RU").await;
    admin.sends("Правка из панели").await;
    admin.presses("✅ Save").await;

    // Break the page on disk: the reload is refused with the problem, nothing changes.
    let file = dir.path().join(&t.path);
    let source = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, source.replacen("+++", "+++\norder = \"x\"", 1)).unwrap();
    admin.sends("/admin").await;
    admin.presses("📝 Content").await;
    let refused = admin.presses("🔄 Reload from disk").await;
    let report = text_of(&refused);
    assert!(
        report.contains("problem(s)") && report.contains(&t.path),
        "{report}"
    );
    let (seen, _) = staff_view(&app, t.node).await;
    assert_eq!(seen, original, "the running content stays");

    // A good, changed pack is taken, with the panel's edit laid over it.
    let changed = source.replace("::: en\n", "::: en\nReloaded from disk.\n\n");
    assert_ne!(changed, source, "the page has an English body");
    std::fs::write(&file, changed).unwrap();
    // One reload per 10 s per admin, like exports: the refused one counted too.
    admin.presses("🔄 Reload from disk").await;
    let wait = app.fake.last_bot_message(ADMIN).unwrap();
    assert!(text_of(&wait).contains("One reload at a time"), "{wait:?}");
    tokio::time::sleep(Duration::from_secs(10)).await;
    let done = text_of(&admin.presses("🔄 Reload from disk").await);
    assert!(
        done.contains("Reloaded") && done.contains("1 panel edits applied"),
        "{done}"
    );
    let (seen, _) = staff_view(&app, t.node).await;
    assert!(seen.contains("Reloaded from disk."), "{seen}");
    let audit: Vec<String> = app
        .storage()
        .await
        .audit_entries(None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(audit.iter().any(|a| a == "content_reload_refused"));
    assert!(audit.iter().any(|a| a == "content_reload"));
    app.assert_clean();
}

#[tokio::test]
async fn security_content_markup_is_refused_or_shown_literally() {
    let (app, t) = embedded().await;
    let admin = app.admin(ADMIN).await;
    let refused = edit_text(&admin, &t, "Hi <script>alert(1)</script>").await;
    assert!(
        text_of(&refused).contains("HTML tags are not allowed"),
        "{refused:?}"
    );
    // Still waiting for the text: the corrected one is previewed.
    let confirm = admin
        .sends(r#"\<script>alert("x")\</script> & <b & 1 < 2 &amp;"#)
        .await;
    assert!(
        text_of(&confirm).contains("exactly what staff"),
        "{confirm:?}"
    );
    admin.presses("✅ Save").await;
    let (seen, _) = staff_view(&app, t.node).await;
    assert!(
        seen.contains(r#"<script>alert("x")</script> & <b & 1 < 2 &"#),
        "{seen}"
    );
    // fake-telegram parsed every message as Telegram does: no markup broke out.
    app.assert_clean();
}

#[tokio::test]
async fn security_content_oversized_text_is_refused_and_nothing_stored() {
    let (app, t) = embedded().await;
    let admin = app.admin(ADMIN).await;
    // 5000 characters arrive cut at 4096: refused, never saved as if whole.
    let long = "word ".repeat(1000);
    let refused = edit_text(&admin, &t, long.trim()).await;
    let said = text_of(&refused);
    assert!(
        said.contains("4096 characters") && said.contains("at most 4000"),
        "{said}"
    );
    assert!(said.chars().count() <= MESSAGE_LIMIT);
    assert_eq!(versions(&app, &t.path).await, 0, "nothing stored");
    app.assert_clean();
}

#[tokio::test]
async fn security_content_buttons_need_a_live_admin_session() {
    let (app, t) = embedded().await;
    let forged: Vec<String> = [
        ContentAction::Sections,
        ContentAction::Page(t.node),
        ContentAction::EditText {
            node: t.node,
            lang: domain::lang::Lang::En,
        },
        ContentAction::RemoveMedia(t.node),
        ContentAction::Revert {
            node: t.node,
            version: 1,
        },
        ContentAction::Confirm,
        ContentAction::Reload,
    ]
    .into_iter()
    .map(|a| Callback::Admin(AdminAction::Content(a)).encode())
    .collect();

    // A staff member forging the buttons.
    let intruder = app.person(STAFF, "Eve", "en");
    let home = intruder.sends("/menu").await;
    for data in &forged {
        let update = app.fake.press_on(STAFF, home.message_id, data);
        app.handled(update).await;
    }
    // An admin after logout: buttons and typed Markdown both refused.
    let admin = app.admin(ADMIN).await;
    let card = open_card(&admin, &t).await;
    admin.presses("✏️ Text EN").await;
    let logout = app.fake.press_on(ADMIN, card.message_id, "1Ax");
    app.handled(logout).await;
    admin.sends("Text typed after logout").await;
    let refused = app.fake.last_bot_message(ADMIN).unwrap();
    assert!(
        text_of(&refused).contains("session has expired"),
        "typed text after logout is refused: {refused:?}"
    );
    for data in &forged {
        let update = app.fake.press_on(ADMIN, card.message_id, data);
        app.handled(update).await;
    }
    let expired = app
        .toasts()
        .iter()
        .filter(|t| t.contains("session has expired"))
        .count();
    assert_eq!(expired, 2 * forged.len());
    assert_eq!(versions(&app, &t.path).await, 0, "nothing stored");
    let denied = app
        .storage()
        .await
        .audit_entries(None, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "denied")
        .count();
    assert_eq!(denied, 2 * forged.len() + 1, "every refusal is audited");
    app.assert_clean();
}

#[tokio::test]
async fn security_content_buttons_for_pages_that_do_not_exist_are_out_of_date() {
    let (app, t) = embedded().await;
    let admin = app.admin(ADMIN).await;
    let panel = admin.screen();
    let gone = NodeId::from_path("nowhere/gone.md");
    for action in [
        ContentAction::Page(gone),
        ContentAction::EditText {
            node: gone,
            lang: domain::lang::Lang::Ru,
        },
        ContentAction::History {
            node: gone,
            before: None,
        },
        // A page is not a section, and a section screen past the end is gone.
        ContentAction::Section {
            node: t.node,
            page: 0,
        },
    ] {
        let data = Callback::Admin(AdminAction::Content(action)).encode();
        let update = app.fake.press_on(ADMIN, panel.message_id, &data);
        app.handled(update).await;
    }
    let stale = app
        .toasts()
        .iter()
        .filter(|t| t.contains("out of date"))
        .count();
    assert_eq!(stale, 4);
    let menu = admin.screen();
    assert!(
        buttons(&menu).iter().any(|b| b.contains("Profile")),
        "a fresh main menu: {menu:?}"
    );
    app.assert_clean();
}

/// Answers to the first question of `quiz` by `user`: `chosen` options, right
/// or wrong, one attempt each.
async fn answered(
    storage: &storage::SqlStorage,
    user: i64,
    quiz: &str,
    question: &str,
    chosen: &[u8],
    correct: bool,
) {
    use engine::ports::{AnswerRecord, AttemptKind, NewAttempt};
    let now = time::OffsetDateTime::now_utc();
    let id = storage
        .start_attempt(&NewAttempt {
            user: domain::ids::UserId(user),
            kind: AttemptKind::Quiz,
            quiz_id: quiz.to_owned(),
            questions: Vec::new(),
            started_at: now,
            deadline: None,
        })
        .await
        .unwrap();
    let record = AnswerRecord {
        position: 0,
        quiz_id: quiz.to_owned(),
        question_id: question.to_owned(),
        chosen: chosen.to_vec(),
        correct,
        points: u32::from(correct),
        answered_at: now,
        time_taken_ms: 2_000,
    };
    assert!(
        storage
            .record_answer(id, &record, ReviewChange::Clear)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn editors_see_the_questions_most_often_answered_wrong() {
    let (app, _) = embedded().await;
    let quiz = app
        .pack
        .quiz("bar-basics")
        .expect("the sample pack's bar check");
    let question = &quiz.questions[0];
    let right = question.options.iter().position(|o| o.correct).unwrap() as u8;
    let wrong = question.options.iter().position(|o| !o.correct).unwrap() as u8;
    let storage = app.storage().await;
    // Bar staff of Zelenopark answer wrong 3 times of 4; a Columbus cook, right.
    let now = time::OffsetDateTime::now_utc();
    app.enrol([9_100_000_011], Some("zelenopark"), Some("bar"), now)
        .await;
    app.enrol([9_100_000_012], Some("columbus"), Some("kitchen"), now)
        .await;
    for _ in 0..3 {
        answered(
            &storage,
            9_100_000_011,
            &quiz.id,
            &question.id,
            &[wrong],
            false,
        )
        .await;
    }
    answered(
        &storage,
        9_100_000_011,
        &quiz.id,
        &question.id,
        &[right],
        true,
    )
    .await;
    answered(
        &storage,
        9_100_000_012,
        &quiz.id,
        &question.id,
        &[right],
        true,
    )
    .await;

    let admin = app.admin(ADMIN).await;
    admin.presses("📝 Content").await;
    let everyone = text_of(&admin.presses("❓ Hard questions").await);
    let wrong_text = &question.options[usize::from(wrong)].text.en;
    assert!(
        everyone.contains("Questions most often answered wrong: Everyone"),
        "{everyone}"
    );
    assert!(
        everyone.contains(&format!(
            "1. {}",
            question.text.en.chars().take(20).collect::<String>()
        )),
        "{everyone}"
    );
    assert!(everyone.contains("60% wrong (3 of 5)"), "{everyone}");
    assert!(
        everyone.contains(&format!("– «{wrong_text}»: 60%")),
        "{everyone}"
    );

    let columbus = text_of(&admin.presses("Columbus").await);
    assert!(
        columbus.contains("No question has been answered wrong yet."),
        "{columbus}"
    );
    let bar = text_of(&admin.presses("Bar").await);
    assert!(bar.contains("75% wrong (3 of 4)"), "{bar}");
    assert!(buttons(&admin.screen()).contains(&"✓ Bar".to_owned()));
    app.assert_clean();
}
