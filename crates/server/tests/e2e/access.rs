//! Who may use the bot, end to end with `ACCESS_MODE=invite`: invite links made
//! in the admin panel, strangers asking for access, admins deciding, and forged or
//! stale links refused. (The storage rules, including the use limit under
//! concurrent redemption, are in the storage conformance story.)

use domain::ids::UserId;
use engine::ports::NewInvite;
use time::OffsetDateTime;

use crate::helpers::{Person, Stack, TestApp, buttons};

const ADMIN: i64 = 9_000_000_101;
const STAFF_ONLY: &str = "🔒 This bot is for the staff of our family parks";

/// Makes an invite through the panel's buttons; returns its code.
async fn make_invite(
    admin: &Person<'_>,
    park: &str,
    department: &str,
    days: &str,
    uses: &str,
) -> String {
    admin.presses("🔗 Invites").await;
    let step = admin.presses("➕ New invite").await;
    assert!(step.text.unwrap().contains("step 1 of 4"));
    admin.presses(park).await;
    admin.presses(department).await;
    admin.presses(days).await;
    let created = admin.presses(uses).await.text.unwrap();
    assert!(created.contains("created"), "{created}");
    let link = created
        .split_whitespace()
        .find(|w| w.starts_with("https://t.me/"))
        .unwrap_or_else(|| panic!("no link in {created}"));
    let code = link
        .strip_prefix("https://t.me/trainbot_test_bot?start=")
        .unwrap_or_else(|| panic!("the link names the bot from getMe: {link}"));
    assert!(
        code.len() >= 16
            && code.len() <= 64
            && code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'),
        "a valid start parameter: {code}"
    );
    code.to_owned()
}

fn last_text(app: &TestApp, id: i64) -> String {
    app.fake.last_bot_message(id).unwrap().text.unwrap()
}

async fn an_invite_with_a_binding_registers_into_its_park_and_department(stack: Stack) {
    let Some(app) = TestApp::spawn_staff_only(stack, &[ADMIN]).await else {
        return;
    };
    let admin = app.admin(ADMIN).await;
    let code = make_invite(&admin, "Zelenopark", "Bar", "7 days", "Up to 1").await;
    let listed = admin.presses("🔗 Invites").await.text.unwrap();
    assert!(
        listed.contains("Zelenopark · Bar") && listed.contains("used 0 of 1"),
        "{listed}"
    );

    let newcomer = app.person(501, "Nina", "en");
    newcomer.sends(&format!("/start {code}")).await;
    let welcome = last_text(&app, 501);
    assert!(
        welcome.starts_with("✅ Welcome to the team, Nina!"),
        "{welcome}"
    );
    assert!(
        welcome.contains("Step 3 of 3") && welcome.contains("Type your position"),
        "park and department are skipped: {welcome}"
    );
    newcomer.sends("Bartender").await;
    let home = newcomer.sends("/menu").await.text.unwrap();
    assert!(home.contains("Main menu"), "{home}");
    let storage = app.storage().await;
    let staff = storage.staff_profile(UserId(501)).await.unwrap();
    assert_eq!(staff.park.as_deref(), Some("zelenopark"));
    assert_eq!(staff.department.as_deref(), Some("bar"));
    assert_eq!(staff.position.as_deref(), Some("Bartender"));
    assert!(staff.onboarded);

    // The one use is spent: the next person is refused and sees the staff-only screen.
    let late = app.person(502, "Lev", "en");
    let refused = late.sends(&format!("/start {code}")).await.text.unwrap();
    assert!(
        refused.starts_with("This invite link has been used as many times as it allows")
            && refused.contains(STAFF_ONLY),
        "{refused}"
    );
    assert!(!storage.has_access(UserId(502)).await.unwrap());
    let audit: Vec<String> = storage
        .audit_entries(None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| format!("{} {} {}", e.actor, e.action, e.detail))
        .collect();
    assert!(
        audit
            .iter()
            .any(|a| a.starts_with(&format!("{ADMIN} invite_create #")))
            && audit.iter().any(|a| a.starts_with("501 invite_used #")),
        "{audit:?}"
    );
    assert!(
        audit.iter().all(|a| !a.contains(&code)),
        "the code is a secret: never in the audit log"
    );
    app.assert_clean();
}

#[tokio::test]
async fn access_an_invite_with_a_binding_registers_into_its_park_and_department() {
    an_invite_with_a_binding_registers_into_its_park_and_department(Stack::Embedded).await;
}

#[tokio::test]
async fn access_an_invite_registers_on_the_production_stack() {
    an_invite_with_a_binding_registers_into_its_park_and_department(Stack::Production).await;
}

#[tokio::test]
async fn access_expired_revoked_and_forged_codes_are_refused_clearly() {
    let app = TestApp::spawn_staff_only(Stack::Embedded, &[ADMIN])
        .await
        .unwrap();
    let admin = app.admin(ADMIN).await;
    let revoked = make_invite(&admin, "Any park", "Any department", "1 day", "No limit").await;
    let list = admin.presses("🔗 Invites").await;
    let revoke = buttons(&list)
        .into_iter()
        .find(|b| b.starts_with("🚫 Revoke #"))
        .unwrap();
    let after = admin.presses(&revoke).await.text.unwrap();
    assert!(
        after.contains("revoked") && after.contains("No active invites"),
        "{after}"
    );
    let storage = app.storage().await;
    let now = OffsetDateTime::now_utc();
    storage
        .create_invite(&NewInvite {
            code: "Expired_code_0123456789".to_owned(),
            park: None,
            department: None,
            created_by: UserId(ADMIN),
            created_at: now - time::Duration::days(8),
            expires_at: now - time::Duration::days(1),
            max_uses: None,
        })
        .await
        .unwrap();

    let stranger = app.person(601, "Eve", "en");
    let long = "A".repeat(300);
    for (args, expected) in [
        (revoked.as_str(), "This invite link has been withdrawn"),
        ("Expired_code_0123456789", "This invite link has expired"),
        ("Unknown_code_0123456789", "This invite link is not valid"),
        (
            "' OR '1'='1'; DROP TABLE invites; --",
            "This invite link is not valid",
        ),
        ("<b>bold</b>&amp;", "This invite link is not valid"),
        (long.as_str(), "This invite link is not valid"),
        ("short", "This invite link is not valid"),
        ("abcdefghijklmnop\u{202E}", "This invite link is not valid"),
    ] {
        let screen = stranger.sends(&format!("/start {args}")).await;
        let text = screen.text.clone().unwrap();
        assert!(text.starts_with(expected), "{args:?}: {text}");
        assert!(text.contains(STAFF_ONLY), "{text}");
        assert_eq!(buttons(&screen), ["🙋 Request access"]);
    }
    assert!(!storage.has_access(UserId(601)).await.unwrap());
    // Nothing else of the bot is reachable.
    for command in ["/start", "/menu", "/progress", "/quiz", "/admin"] {
        let text = stranger.sends(command).await.text.unwrap();
        assert!(text.starts_with(STAFF_ONLY), "{command}: {text}");
    }
    let home = stranger.screen();
    let press = app.fake.press_on(601, home.message_id, "1h");
    app.handled(press).await;
    assert!(last_text(&app, 601).starts_with(STAFF_ONLY));
    app.assert_clean();
}

/// A stranger asks for access with a name; `name` is what they type.
async fn request<'a>(app: &'a TestApp, id: i64, name: &str) -> Person<'a> {
    let stranger = app.person(id, "Ann", "en");
    let screen = stranger.sends("/start").await;
    assert!(screen.text.unwrap().starts_with(STAFF_ONLY));
    stranger.presses("🙋 Request access").await;
    assert!(last_text(app, id).starts_with("Type your first and last name"));
    stranger.sends(name).await;
    assert!(
        last_text(app, id).starts_with("✅ Request sent"),
        "{}",
        last_text(app, id)
    );
    stranger
}

async fn a_stranger_asks_and_an_admin_approves(stack: Stack) {
    let Some(app) = TestApp::spawn_staff_only(stack, &[ADMIN]).await else {
        return;
    };
    let admin = app.admin(ADMIN).await;
    let stranger = app.person(701, "Ann", "en");
    stranger.sends("/start").await;
    stranger.presses("🙋 Request access").await;
    // Too short, then a name with markup and a bidi override: cleaned, kept, escaped.
    stranger.sends("A").await;
    assert!(last_text(&app, 701).starts_with("The name must be 2 to 64 characters"));
    stranger.sends(&"Long".repeat(20)).await;
    assert!(last_text(&app, 701).starts_with("The name must be 2 to 64 characters"));
    stranger.sends("<b>Ann</b> \u{202E}Smith &amp;").await;
    assert!(last_text(&app, 701).starts_with("✅ Request sent"));
    stranger.sends("/menu").await;
    let waiting = app.fake.last_bot_message(701).unwrap();
    let text = waiting.text.unwrap();
    assert!(text.contains("Your request is waiting"), "{text}");
    assert!(
        waiting.keyboard.is_empty(),
        "no second request while one waits"
    );

    // The admin is told, with a way to the requests, and the panel counts them.
    let note = last_text(&app, ADMIN);
    assert!(
        note.starts_with("🙋 New access request: <b>Ann</b> Smith &amp; (Ann, 701)"),
        "{note}"
    );
    let listed = admin.presses("🙋 Open requests").await;
    let text = listed.text.clone().unwrap();
    assert!(
        text.contains("Access requests: 1") && text.contains("<b>Ann</b> Smith &amp; (Ann, 701)"),
        "{text}"
    );
    let approve = buttons(&listed)
        .into_iter()
        .find(|b| b.starts_with("✅ "))
        .unwrap();
    let after = admin.presses(&approve).await.text.unwrap();
    assert!(
        after.contains("can use the bot now") && after.contains("No requests"),
        "{after}"
    );
    assert_eq!(
        last_text(&app, 701),
        "✅ An admin has let you into the training bot. Send /start to begin."
    );
    let start = stranger.sends("/start").await.text.unwrap();
    assert!(
        start.contains("Which park do you work in?"),
        "onboarding as usual: {start}"
    );
    let actions: Vec<String> = app
        .storage()
        .await
        .audit_entries(None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.contains(&"access_request".to_owned())
            && actions.contains(&"access_approve".to_owned()),
        "{actions:?}"
    );
    // The panel's count is back to zero.
    admin.sends("/admin").await;
    assert!(buttons(&admin.screen()).contains(&"🙋 Requests: 0".to_owned()));
    app.assert_clean();
}

#[tokio::test]
async fn access_a_stranger_asks_and_an_admin_approves() {
    a_stranger_asks_and_an_admin_approves(Stack::Embedded).await;
}

#[tokio::test]
async fn access_a_request_is_approved_on_the_production_stack() {
    a_stranger_asks_and_an_admin_approves(Stack::Production).await;
}

#[tokio::test]
async fn access_a_rejected_person_is_told_and_stays_out_and_cannot_pester() {
    let app = TestApp::spawn_staff_only(Stack::Embedded, &[ADMIN])
        .await
        .unwrap();
    let admin = app.admin(ADMIN).await;
    for round in 1..=3 {
        request(&app, 801, "Mallory Mallory").await;
        admin.sends("/admin").await;
        admin.presses("🙋 Requests: 1").await;
        let after = admin.presses("❌ Reject").await.text.unwrap();
        assert!(
            after.contains("has been declined"),
            "round {round}: {after}"
        );
        assert!(last_text(&app, 801).starts_with("An admin has declined your request"));
        let screen = app.person(801, "Ann", "en").sends("/menu").await;
        assert!(screen.text.clone().unwrap().starts_with(STAFF_ONLY));
        assert_eq!(buttons(&screen), ["🙋 Request access"], "may ask again");
    }
    // A fourth request the same day is refused without reaching the admins.
    let stranger = app.person(801, "Ann", "en");
    stranger.presses("🙋 Request access").await;
    stranger.sends("Mallory Again").await;
    assert!(last_text(&app, 801).starts_with("You have sent too many requests today"));
    let storage = app.storage().await;
    assert_eq!(storage.count_pending_requests().await.unwrap(), 0);
    assert!(!storage.has_access(UserId(801)).await.unwrap());
    app.assert_clean();
}

#[tokio::test]
async fn access_admin_only_buttons_are_guarded() {
    let app = TestApp::spawn_staff_only(Stack::Embedded, &[ADMIN])
        .await
        .unwrap();
    let stranger = request(&app, 901, "Ann Smith").await;
    // A staff member (let in by an approved request would do; an invite is quicker)
    // and the stranger both try the admin's access buttons.
    let storage = app.storage().await;
    let now = OffsetDateTime::now_utc();
    let invite = storage
        .create_invite(&NewInvite {
            code: "Staff_code_0123456789".to_owned(),
            park: None,
            department: None,
            created_by: UserId(ADMIN),
            created_at: now,
            expires_at: now + time::Duration::days(1),
            max_uses: None,
        })
        .await
        .unwrap();
    let staff = app.person(902, "Sam", "en");
    staff.sends("/start Staff_code_0123456789").await;
    let staff_screen = staff.screen();
    let forged = [
        "1AI".to_owned(),
        "1AIn".to_owned(),
        "1AIkzelenopark".to_owned(),
        "1AIe7".to_owned(),
        "1AIu0".to_owned(),
        format!("1AIr{}", invite.id),
        "1AR".to_owned(),
        "1ARa901".to_owned(),
        "1ARj901".to_owned(),
        "1ARa902".to_owned(),
    ];
    for data in &forged {
        let update = app.fake.press_on(902, staff_screen.message_id, data);
        app.handled(update).await;
    }
    let stranger_screen = stranger.screen();
    let update = app
        .fake
        .press_on(901, stranger_screen.message_id, "1ARa901");
    app.handled(update).await;
    let denied = storage
        .audit_entries(None, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "denied")
        .count();
    assert_eq!(
        denied,
        forged.len(),
        "every press by staff is refused and audited (a stranger's never reaches the panel)"
    );
    assert!(
        app.toasts()
            .iter()
            .filter(|t| t.contains("session has expired"))
            .count()
            >= forged.len()
    );
    assert!(!storage.has_access(UserId(901)).await.unwrap());
    assert_eq!(storage.count_pending_requests().await.unwrap(), 1);
    let active = storage.active_invites(now, 10).await.unwrap();
    assert_eq!(active.len(), 1, "nothing created, nothing revoked");
    assert!(!stranger.screen().text.unwrap().contains("Access requests"));
    app.assert_clean();
}

#[tokio::test]
async fn access_admins_always_get_in_and_open_mode_lets_everyone_in() {
    let app = TestApp::spawn_staff_only(Stack::Embedded, &[ADMIN])
        .await
        .unwrap();
    let admin = app.person(ADMIN, "Boss", "en");
    let start = admin.sends("/start").await.text.unwrap();
    assert!(start.contains("Which park do you work in?"), "{start}");
    app.assert_clean();

    let open = TestApp::spawn_admins(Stack::Embedded, &[]).await.unwrap();
    let anyone = open.person(1001, "Any", "en");
    let start = anyone.sends("/start").await.text.unwrap();
    assert!(start.contains("Which park do you work in?"), "{start}");
    assert!(
        open.storage().await.has_access(UserId(1001)).await.unwrap(),
        "recorded, so that switching to invite mode keeps them in"
    );
    open.assert_clean();
}

#[tokio::test]
async fn access_the_gate_fails_closed_when_access_cannot_be_read() {
    let app = TestApp::spawn_staff_only(Stack::Embedded, &[ADMIN])
        .await
        .unwrap();
    let stranger = request(&app, 1101, "Ann Smith").await;
    // The table the gate reads is gone: a broken database must not open the bot.
    let url = secrecy::ExposeSecret::expose_secret(&app.config().database_url).to_owned();
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query("DROP TABLE access_grants")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    for command in ["/start", "/menu", "/start Staff_code_0123456789"] {
        let update = app.fake.send_text(1101, command);
        app.handled(update).await;
        assert_eq!(
            last_text(&app, 1101),
            "The service is temporarily unavailable. Please try again in a minute.",
            "{command}"
        );
    }
    let screen = stranger.screen();
    let press = app.fake.press_on(1101, screen.message_id, "1h");
    app.handled(press).await;
    assert!(
        app.toasts()
            .last()
            .is_some_and(|t| t.starts_with("The service is temporarily unavailable")),
        "{:?}",
        app.toasts()
    );
    // Allow-listed admins do not depend on the table.
    let admin = app.person(ADMIN, "Boss", "en");
    let start = admin.sends("/start").await.text.unwrap();
    assert!(start.contains("Which park do you work in?"), "{start}");
    app.assert_clean();
}
