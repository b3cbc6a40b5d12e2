//! What Telegram shows about the bot, end to end: the description and short
//! description come from the content pack in both languages (and the default
//! language's for other clients), set only when they differ; admins and role
//! holders get `/admin` in their own chat's command menu, staff never do, and a
//! role taken away takes it away.

use fake_telegram::FakeTelegram;

use crate::helpers::{PATIENCE, Stack, TestApp};

const ADMIN: i64 = 9_300_000_001;
const EDITOR: i64 = 9_300_000_002;

fn has_admin(commands: &[(String, String)]) -> bool {
    commands.iter().any(|(name, _)| name == "admin")
}

fn sets(fake: &FakeTelegram, method: &str) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.method == method && r.ok)
        .count()
}

#[tokio::test]
async fn the_bot_describes_itself_from_the_pack_and_admins_have_admin_in_their_menu() {
    let mut app = TestApp::spawn_admins(Stack::Embedded, &[ADMIN])
        .await
        .unwrap();
    let profile = app.pack.bot().expect("the sample pack has [bot]").clone();
    let expected = [
        (false, Some("ru"), profile.description.ru.clone()),
        (false, Some("en"), profile.description.en.clone()),
        (false, None, profile.description.ru.clone()),
        (true, Some("ru"), profile.short_description.ru.clone()),
        (true, Some("en"), profile.short_description.en.clone()),
        (true, None, profile.short_description.ru.clone()),
    ];
    app.fake
        .wait_for(PATIENCE, |f| {
            expected
                .iter()
                .all(|(short, lang, text)| f.description(*short, *lang).as_ref() == Some(text))
        })
        .await
        .expect("the pack's texts reach Telegram");
    for lang in [Some("ru"), Some("en"), None] {
        assert!(!has_admin(&app.fake.commands(lang)), "everyone's menu");
    }

    // A role brings /admin into the holder's own menu; taking it away, out.
    app.enrol([EDITOR], None, None, time::OffsetDateTime::now_utc())
        .await;
    let admin = app.admin(ADMIN).await;
    admin.presses("👥 People").await;
    admin.presses(&format!("🟢 Staff {EDITOR}")).await;
    admin.presses("🎖 Role").await;
    admin.presses("📝 content editor").await;
    for lang in [Some("ru"), Some("en"), None] {
        let menu = app.fake.chat_commands(EDITOR, lang);
        assert!(has_admin(&menu), "{lang:?}: {menu:?}");
        assert!(
            menu.iter().any(|(name, _)| name == "menu"),
            "and everyone's"
        );
    }
    admin.presses("🚫 Take the role away").await;
    assert!(
        app.fake.chat_commands(EDITOR, None).is_empty(),
        "back to everyone's"
    );

    // A restart gives the admin (now known to Telegram) their menu, and sets no
    // description again: they have not changed.
    let described = sets(&app.fake, "setMyDescription") + sets(&app.fake, "setMyShortDescription");
    assert_eq!(described, 6);
    let asked = sets(&app.fake, "getMyShortDescription");
    app.stop().await;
    app.start().await;
    app.fake
        .wait_for(PATIENCE, |f| {
            has_admin(&f.chat_commands(ADMIN, Some("en")))
                && has_admin(&f.chat_commands(ADMIN, None))
                && sets(f, "getMyShortDescription") == asked + 3
        })
        .await
        .expect("the admin's menu is set at start-up");
    assert_eq!(
        sets(&app.fake, "setMyDescription") + sets(&app.fake, "setMyShortDescription"),
        described,
        "only what changed is set"
    );
    app.assert_clean();
}
