//! The admin way in, attacked through the real pipeline and fake-telegram, with the
//! real Argon2id check. (Engine-level cases that need a broken state store or many
//! lockouts are in crates/engine/tests/admin_security.rs; the suite and the threat
//! each case covers are listed in docs/security.md.)

use domain::ids::UserId;

use crate::helpers::{ADMIN_PASSWORD, Stack, TestApp, buttons};

const ADMIN: i64 = 9_000_000_001;

#[tokio::test]
async fn security_login_deletes_the_password_and_opens_the_panel() {
    let app = TestApp::spawn_admins(Stack::Embedded, &[ADMIN])
        .await
        .unwrap();
    let admin = app.person(ADMIN, "Boss", "en");
    admin.sends("/start").await;
    let prompt = admin.sends("/admin").await;
    assert!(
        app.fake
            .last_bot_message(ADMIN)
            .unwrap()
            .text
            .unwrap()
            .contains("Type the admin password"),
        "{prompt:?}"
    );
    let update = app.fake.send_text(ADMIN, ADMIN_PASSWORD);
    app.handled(update).await;
    let messages = admin.messages();
    assert!(
        messages
            .iter()
            .all(|m| m.text.as_deref() != Some(ADMIN_PASSWORD)),
        "the password message is deleted"
    );
    let panel = admin.screen();
    assert!(panel.text.unwrap().contains("Admin panel"));
    let stats = admin.presses("📊 Statistics").await.text.unwrap();
    assert!(stats.contains("Staff in total: 1"), "{stats}");
    admin.presses("⬅️ Panel").await;
    let audit = admin.presses("🧾 Audit log").await.text.unwrap();
    assert!(
        audit.contains("login") && audit.contains("view_stats"),
        "{audit}"
    );
    assert!(!audit.contains(ADMIN_PASSWORD));
    admin.presses("⬅️ Panel").await;
    admin.presses("🚪 Log out").await;
    // The panel's buttons on the old message are dead now.
    let stale = app.fake.press_on(ADMIN, panel.message_id, "1As");
    app.handled(stale).await;
    let entries = app.storage().await.audit_entries(None, 100).await.unwrap();
    assert_eq!(
        entries[0].action, "denied",
        "a press after logout is audited"
    );
    app.assert_clean();
}

#[tokio::test]
async fn security_admin_buttons_are_dead_for_everyone_else() {
    let app = TestApp::spawn_admins(Stack::Embedded, &[ADMIN])
        .await
        .unwrap();
    let intruder = app.person(77, "Eve", "en");
    let home = intruder.sends("/menu").await;
    for data in ["1Ap", "1As", "1Aa", "1Aa5", "1Ax"] {
        let update = app.fake.press_on(77, home.message_id, data);
        app.handled(update).await;
    }
    let toasts = app.toasts();
    assert_eq!(
        toasts
            .iter()
            .filter(|t| t.contains("session has expired"))
            .count(),
        5,
        "{toasts:?}"
    );
    let entries = app.storage().await.audit_entries(None, 100).await.unwrap();
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.action == "denied" && e.actor == UserId(77))
            .count(),
        5
    );
    let unknown = intruder.sends("/admin").await.text.unwrap();
    assert!(
        unknown.starts_with("There is no such command"),
        "the panel is not advertised: {unknown}"
    );
    app.assert_clean();
}

#[tokio::test]
async fn security_failures_spread_over_fifty_accounts_slow_everyone_down() {
    let admins: Vec<i64> = (1..=50).map(|i| 9_100_000_000 + i).collect();
    let app = TestApp::spawn_admins(Stack::Embedded, &admins)
        .await
        .unwrap();
    let mut answers = Vec::new();
    for id in &admins {
        app.person(*id, "Bot", "en");
        let a = app.fake.send_text(*id, "/admin");
        app.handled(a).await;
        let b = app.fake.send_text(*id, "not the password");
        app.handled(b).await;
        answers.push(app.fake.last_bot_message(*id).unwrap().text.unwrap());
    }
    let wrong = answers
        .iter()
        .filter(|a| a.starts_with("Wrong password"))
        .count();
    let busy = answers
        .iter()
        .filter(|a| a.starts_with("Too many login attempts right now"))
        .count();
    assert_eq!(
        (wrong, busy),
        (30, 20),
        "after 30 failures a minute, logins pause for everyone"
    );
    // Even the right password waits out the pause.
    let last = admins[0];
    let a = app.fake.send_text(last, "/admin");
    app.handled(a).await;
    let b = app.fake.send_text(last, ADMIN_PASSWORD);
    app.handled(b).await;
    assert!(
        app.fake
            .last_bot_message(last)
            .unwrap()
            .text
            .unwrap()
            .starts_with("Too many login attempts")
    );
    app.assert_clean();
}

#[tokio::test]
async fn security_a_lockout_survives_a_restart() {
    let Some(mut app) = TestApp::spawn_admins(Stack::Production, &[ADMIN]).await else {
        return;
    };
    app.person(ADMIN, "Boss", "en");
    for _ in 0..3 {
        let a = app.fake.send_text(ADMIN, "/admin");
        app.handled(a).await;
        let b = app.fake.send_text(ADMIN, "guess");
        app.handled(b).await;
    }
    let locked = app.fake.last_bot_message(ADMIN).unwrap().text.unwrap();
    assert!(locked.contains("locked for 5 min"), "{locked}");
    app.stop().await;
    app.start().await;
    let a = app.fake.send_text(ADMIN, "/admin");
    app.handled(a).await;
    let text = app.fake.last_bot_message(ADMIN).unwrap().text.unwrap();
    assert!(text.starts_with("Login is locked"), "{text}");
    let home = app.person(ADMIN, "Boss", "en").sends("/menu").await;
    assert!(!buttons(&home).is_empty());
    app.assert_clean();
}

#[tokio::test]
async fn security_people_list_pages_over_everyone_and_blocking_is_audited() {
    let app = TestApp::spawn_admins(Stack::Embedded, &[ADMIN])
        .await
        .unwrap();
    let hostile = [
        "<b>Bold</b> & Co",
        "\u{202E}lisa\u{200B}",
        "Ёжик'; DROP TABLE users; --",
    ];
    let mut ids = Vec::new();
    for i in 0..24 {
        let id = 8_000_000_000 + i;
        let name = hostile
            .get(i as usize)
            .map_or_else(|| format!("Person {i:02}"), |s| (*s).to_owned());
        app.person(id, &name, "en").sends("/menu").await;
        ids.push(id);
    }
    let admin = app.person(ADMIN, "Boss", "en");
    let prompt = app.fake.send_text(ADMIN, "/admin");
    app.handled(prompt).await;
    let login = app.fake.send_text(ADMIN, ADMIN_PASSWORD);
    app.handled(login).await;
    let mut screen = admin.presses("👥 People").await;
    assert!(
        screen.text.clone().unwrap().starts_with("👥 People: 25"),
        "{:?}",
        screen.text
    );
    let mut seen = Vec::new();
    loop {
        seen.extend(
            buttons(&screen)
                .into_iter()
                .filter(|b| b.starts_with("🟢") || b.starts_with("⛔") || b.starts_with("💤")),
        );
        if !buttons(&screen).contains(&"Next ▶️".to_owned()) {
            break;
        }
        screen = admin.presses("Next ▶️").await;
    }
    assert_eq!(seen.len(), 25, "everyone once, over pages: {seen:?}");
    assert!(
        seen.contains(&"🟢 <b>Bold</b> & Co".to_owned()),
        "markup shown literally: {seen:?}"
    );
    assert!(
        seen.contains(&"🟢 lisa".to_owned()),
        "bidi override and zero-width space removed: {seen:?}"
    );

    admin.presses("⬅️ Panel").await;
    admin.presses("👥 People").await;
    let card = admin.presses("🟢 <b>Bold</b> & Co").await.text.unwrap();
    assert!(
        card.starts_with("<b>Bold</b> & Co") && card.contains("Status: active"),
        "{card}"
    );
    admin.presses("⛔ Block").await;
    let reason = app.fake.send_text(ADMIN, "<i>rude</i> to guests");
    app.handled(reason).await;
    let card = admin.screen().text.unwrap();
    assert!(card.contains("Status: blocked by an admin"), "{card}");
    let notice = app.fake.last_bot_message(ids[0]).unwrap().text.unwrap();
    assert!(
        notice.contains("closed your access") && notice.contains("Reason: <i>rude</i> to guests"),
        "{notice}"
    );
    let update = app.fake.send_text(ids[0], "/menu");
    app.handled(update).await;
    let blocked = app.fake.last_bot_message(ids[0]).unwrap().text.unwrap();
    assert!(
        blocked.starts_with("Your access to the bot is closed"),
        "{blocked}"
    );
    admin.presses("✅ Unblock").await;
    let notice = app.fake.last_bot_message(ids[0]).unwrap().text.unwrap();
    assert!(notice.contains("open again"), "{notice}");
    let entries = app.storage().await.audit_entries(None, 100).await.unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.contains(&"block")
            && actions.contains(&"unblock")
            && actions.contains(&"view_person"),
        "{actions:?}"
    );
    assert!(
        entries
            .iter()
            .any(|e| e.action == "block" && e.detail.ends_with("<i>rude</i> to guests"))
    );
    app.assert_clean();
}

/// Someone who blocked the bot is blocked, unblocked and given a role: each notice
/// to them fails with 403, and the admin's screen still follows every step.
#[tokio::test]
async fn security_a_notice_to_someone_who_blocked_the_bot_still_updates_the_admins_screen() {
    const GONE: i64 = 8_100_000_001;
    let app = TestApp::spawn_admins(Stack::Embedded, &[ADMIN])
        .await
        .unwrap();
    app.enrol(
        [GONE],
        Some("zelenopark"),
        Some("bar"),
        time::OffsetDateTime::now_utc(),
    )
    .await;
    app.fake.set_blocked(GONE, true);
    let admin = app.admin(ADMIN).await;
    admin.presses("👥 People").await;
    admin.presses(&format!("🟢 Staff {GONE}")).await;

    let asked = admin.presses("⛔ Block").await.message_id;
    let reason = app.fake.send_text(ADMIN, "never came back");
    app.handled(reason).await;
    let card = admin.screen();
    assert_ne!(card.message_id, asked, "a new card after the reason");
    assert!(
        card.text
            .clone()
            .unwrap()
            .contains("Status: blocked by an admin"),
        "{card:?}"
    );

    let card = admin.presses("✅ Unblock").await.text.unwrap();
    assert!(!card.contains("Status: blocked by an admin"), "{card}");

    admin.presses("🎖 Role").await;
    let roles = admin.presses("📝 content editor").await.text.unwrap();
    assert!(roles.contains("Now: content editor"), "{roles}");

    let refused: Vec<_> = app
        .fake
        .blocked_sends()
        .into_iter()
        .filter(|v| v.params.get("chat_id").and_then(|c| c.as_i64()) == Some(GONE))
        .collect();
    assert_eq!(
        refused.len(),
        3,
        "block, unblock and role notices: {refused:#?}"
    );
    assert!(
        app.fake.messages(GONE).iter().all(|m| !m.from_bot),
        "nothing reached the person who blocked the bot"
    );
    app.assert_clean();
}
