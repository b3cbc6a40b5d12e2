//! A person browses the whole sample pack by pressing buttons, in both languages.

use std::collections::BTreeSet;

use domain::content::{MediaKind, NodeKind, breadcrumb_line};
use domain::lang::Lang;

use crate::helpers::{Person, Stack, TestApp, buttons, heading};

/// Marks the menu buttons that open a sub-section or a page (see engine::screens).
const CHILD_ICONS: [&str; 3] = ["📂 ", "📄 ", "🖼 "];

struct Walk {
    lang: Lang,
    pages_seen: BTreeSet<String>,
    parts_seen: usize,
    media_seen: usize,
}

fn label(lang: Lang, ru: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::Ru { ru } else { en }
}

/// Visits every child of the section on screen (all its menu pages), depth first,
/// returning each time with "Back".
async fn walk_section(person: &Person<'_>, walk: &mut Walk) {
    let next = label(walk.lang, "Далее ▶️", "Next ▶️");
    let back = label(walk.lang, "⬅️ Назад", "⬅️ Back");
    let section_heading = heading(&person.screen());
    let mut menu_page = 0;
    loop {
        let children: Vec<String> = buttons(&person.screen())
            .into_iter()
            .filter(|b| CHILD_ICONS.iter().any(|i| b.starts_with(i)))
            .collect();
        assert!(!children.is_empty(), "an empty menu: {section_heading}");
        for child in children {
            let screen = person.presses(&child).await;
            if child.starts_with("📂 ") {
                Box::pin(walk_section(person, walk)).await;
            } else {
                walk_page(person, walk, child.starts_with("🖼 ")).await;
            }
            let _ = screen;
            // Back returns to the section's first menu page: page forward again.
            let back_at = person.presses(back).await;
            assert_eq!(
                heading(&back_at),
                section_heading,
                "Back leads to the parent"
            );
            for _ in 0..menu_page {
                person.presses(next).await;
            }
        }
        if buttons(&person.screen()).iter().any(|b| b == next) {
            person.presses(next).await;
            menu_page += 1;
        } else {
            break;
        }
    }
}

async fn walk_page(person: &Person<'_>, walk: &mut Walk, has_media: bool) {
    let screen = person.screen();
    let title = heading(&screen);
    assert!(
        walk.pages_seen.insert(title.clone()),
        "page visited twice: {title}"
    );
    if has_media {
        let messages = person.messages();
        let media = messages
            .iter()
            .rev()
            .find(|m| m.from_bot && m.media.is_some());
        let media = media.unwrap_or_else(|| panic!("no media sent for {title}"));
        assert_eq!(
            media.caption.as_deref(),
            Some(title.as_str()),
            "media caption is the page heading"
        );
        walk.media_seen += 1;
    }
    walk.parts_seen += 1;
    let lang = walk.lang;
    let mut part = 2;
    loop {
        let next_part = format!("{} {part} ▶️", label(lang, "Часть", "Part"));
        if !buttons(&person.screen()).contains(&next_part) {
            break;
        }
        let shown = person.presses(&next_part).await;
        assert_eq!(heading(&shown), title, "a page part keeps its heading");
        let footer = format!("{} {part} ", label(lang, "Часть", "Part"));
        assert!(
            shown.text.as_deref().unwrap_or_default().contains(&footer),
            "part footer missing"
        );
        walk.parts_seen += 1;
        part += 1;
    }
}

async fn visit_everything(app: &TestApp, lang: Lang, user_id: i64) {
    let person = app.person(user_id, "Маша", lang.code());
    let home = person.sends("/start").await;
    let greeting = label(lang, "Здравствуйте, Маша!", "Hello, Маша!");
    assert!(
        home.text
            .as_deref()
            .unwrap_or_default()
            .starts_with(greeting),
        "{:?}",
        home.text
    );
    // Skip the three onboarding questions.
    let skip = label(lang, "Пропустить ⏭", "Skip ⏭");
    for _ in 0..3 {
        person.presses(skip).await;
    }
    let mut walk = Walk {
        lang,
        pages_seen: BTreeSet::new(),
        parts_seen: 0,
        media_seen: 0,
    };
    for &top in app.pack.top_level() {
        let title = app.pack.node(top).unwrap().title.get(lang).clone();
        person.presses(&title).await;
        walk_section(&person, &mut walk).await;
        person
            .presses(label(lang, "🏠 Главное меню", "🏠 Main menu"))
            .await;
    }

    let mut expected_pages = BTreeSet::new();
    let mut expected_parts = 0;
    let mut expected_media = 0;
    for node in app.pack.nodes() {
        if let NodeKind::Page(page) = &node.kind {
            expected_pages.insert(breadcrumb_line(&app.pack.breadcrumb(node.id, lang)));
            expected_parts += page.parts.get(lang).len();
            expected_media += usize::from(page.media.is_some());
        }
    }
    assert_eq!(
        walk.pages_seen, expected_pages,
        "every page is reachable by buttons"
    );
    assert_eq!(
        walk.parts_seen, expected_parts,
        "every part of every page is reachable"
    );
    assert_eq!(walk.media_seen, expected_media);
    assert!(
        expected_parts > expected_pages.len(),
        "the pack has split pages"
    );
}

async fn browse_the_whole_pack_in_both_languages(app: TestApp) {
    visit_everything(&app, Lang::Ru, 5_000_000_001).await;
    visit_everything(&app, Lang::En, 5_000_000_002).await;
    app.assert_clean();

    // Each media file was uploaded once; every later view reused Telegram's file_id.
    let distinct_media: BTreeSet<String> = app
        .pack
        .nodes()
        .filter_map(|n| match &n.kind {
            NodeKind::Page(p) => p
                .media
                .as_ref()
                .and_then(|m| m.cache_key().map(str::to_owned)),
            NodeKind::Section { .. } => None,
        })
        .collect();
    assert_eq!(app.fake.uploads(), distinct_media.len());
    let kinds: BTreeSet<&str> = app
        .pack
        .nodes()
        .filter_map(|n| match &n.kind {
            NodeKind::Page(p) => p.media.as_ref().map(|m| m.kind),
            NodeKind::Section { .. } => None,
        })
        .map(MediaKind::as_str)
        .collect();
    assert_eq!(
        kinds.len(),
        3,
        "the pack exercises photo, video and document"
    );
}

#[tokio::test]
async fn browse_everything_embedded() {
    browse_the_whole_pack_in_both_languages(TestApp::spawn().await).await;
}

#[tokio::test]
async fn browse_everything_production_stack() {
    if let Some(app) = TestApp::spawn_on(Stack::Production).await {
        browse_the_whole_pack_in_both_languages(app).await;
    }
}

#[tokio::test]
async fn commands_are_registered_in_both_languages() {
    let app = TestApp::spawn().await;
    for code in [Some("ru"), Some("en"), None] {
        let names: Vec<String> = app
            .fake
            .commands(code)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(
            names,
            [
                "start", "menu", "quiz", "progress", "profile", "privacy", "help", "language",
                "cancel"
            ],
            "{code:?}"
        );
    }
    let en = app.fake.commands(Some("en"));
    assert_eq!(en[1].1, "Main menu");
}

#[tokio::test]
async fn language_follows_the_client_then_the_choice() {
    let app = TestApp::spawn().await;
    let anna = app.person(11, "Anna", "en-GB");
    let first = anna.sends("/start").await;
    assert!(first.text.unwrap().contains("Which park do you work in?"));
    let home = anna.sends("/menu").await;
    assert!(home.text.unwrap().contains("Main menu"));
    anna.sends("/language").await;
    let home = anna.presses("🇷🇺 Русский").await;
    assert!(
        home.text.unwrap().contains("Главное меню"),
        "the menu switches language"
    );
    let again = anna.sends("/menu").await;
    assert!(
        again.text.unwrap().contains("Главное меню"),
        "the choice is remembered"
    );
    let german = app.person(12, "Hans", "de");
    assert!(
        german
            .sends("/start")
            .await
            .text
            .unwrap()
            .contains("В каком парке"),
        "unknown languages fall back to Russian"
    );
    app.assert_clean();
}

#[tokio::test]
async fn navigation_edits_one_message_in_place() {
    let app = TestApp::spawn().await;
    let p = app.person(21, "Оля", "ru");
    let home = p.sends("/menu").await;
    let first = app
        .pack
        .node(app.pack.top_level()[0])
        .unwrap()
        .title
        .ru
        .clone();
    let section = p.presses(&first).await;
    assert_eq!(
        section.message_id, home.message_id,
        "the menu is edited, not re-sent"
    );
    assert!(section.edits >= 1);
    assert!(buttons(&section).contains(&"⬅️ Назад".to_owned()));
    assert!(buttons(&section).contains(&"🏠 Главное меню".to_owned()));
    let back = p.presses("🏠 Главное меню").await;
    assert_eq!(back.message_id, home.message_id);
    assert_eq!(back.text, home.text, "home renders the same");
    app.assert_clean();
}

#[tokio::test]
async fn health_readiness_and_metrics_are_served() {
    let app = TestApp::spawn().await;
    let p = app.person(51, "Ops", "en");
    p.sends("/start").await;
    let base = format!("http://{}", app.http_addr());
    let get = |path: &str| {
        let url = format!("{base}{path}");
        async move {
            let r = reqwest::get(url).await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    assert_eq!(get("/healthz").await, (200, "ok".to_owned()));
    let (status, body) = get("/readyz").await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("database: ok") && body.contains("state: ok"),
        "{body}"
    );
    let (status, body) = get("/metrics").await;
    assert_eq!(status, 200);
    assert!(body.contains("trainbot_update_seconds"), "{body}");
    assert!(body.contains("trainbot_telegram_request_seconds"), "{body}");
}
