//! Roles, end to end: an allow-listed admin makes someone the manager of one park
//! or a content editor from the person's card; the holder logs in with a password
//! of their own and sees only what the role allows. Forged buttons for anything
//! else are refused by the one guard and audited; a role taken away ends at once.

use domain::ids::UserId;
use time::OffsetDateTime;

use crate::content::{edit_text, staff_view, target};
use crate::exports::next_csv;
use crate::helpers::{Person, Stack, TestApp, buttons};

const ADMIN: i64 = 9_000_000_001;
const MANAGER: i64 = 100;
const EDITOR: i64 = 300;
/// Zelenopark's people (the manager among them) and Kashirskaya's.
const ZELENOPARK: [i64; 3] = [MANAGER, 101, 102];
const KASHIRSKAYA: [i64; 2] = [201, 202];
const MANAGER_PASSWORD: &str = "zelenopark manager 2026";

/// The admin opens `id`'s card from the people list and gives them `role` (a
/// button of the role screen).
async fn give_role(admin: &Person<'_>, id: i64, role: &str) {
    admin.presses("👥 People").await;
    admin.presses(&format!("🟢 Staff {id}")).await;
    let roles = admin.presses("🎖 Role").await;
    assert!(roles.text.unwrap().contains("Now: no role"));
    let after = admin.presses(role).await;
    assert!(after.text.unwrap().contains("Now:"), "{role}");
}

/// Sends text to the bot and waits until it is handled.
async fn types(app: &TestApp, id: i64, text: &str) {
    let update = app.fake.send_text(id, text);
    app.handled(update).await;
}

/// A forged press of `data` on the person's current menu; the toast it got.
async fn forged(app: &TestApp, who: &Person<'_>, data: &str) -> String {
    let menu = who.screen().message_id;
    let update = app.fake.press_on(who.id, menu, data);
    app.handled(update).await;
    app.toasts().last().cloned().unwrap_or_default()
}

async fn audit_actions(app: &TestApp, actor: i64) -> Vec<(String, String)> {
    let storage = app.storage().await;
    let entries = storage.audit_entries(None, 200).await.unwrap();
    storage.close().await;
    entries
        .into_iter()
        .filter(|e| e.actor == UserId(actor))
        .map(|e| (e.action, e.detail))
        .collect()
}

async fn park_manager_story(stack: Stack) {
    let Some(app) = TestApp::spawn_admins(stack, &[ADMIN]).await else {
        return;
    };
    let seen = OffsetDateTime::now_utc();
    app.enrol(ZELENOPARK, Some("zelenopark"), Some("bar"), seen)
        .await;
    app.enrol(KASHIRSKAYA, Some("kashirskaya"), Some("bar"), seen)
        .await;
    let admin = app.admin(ADMIN).await;
    give_role(&admin, MANAGER, "🏢 manager of Zelenopark").await;
    assert!(
        audit_actions(&app, ADMIN).await.contains(&(
            "role_grant".to_owned(),
            format!("{MANAGER}: park_manager zelenopark")
        )),
        "the grant is audited"
    );

    // The manager is told, chooses a password (a short one is refused), and is in.
    let manager = app.person(MANAGER, "Staff 100", "en");
    let notice = app.fake.last_bot_message(MANAGER).unwrap().text.unwrap();
    assert!(notice.contains("manager of Zelenopark"), "{notice}");
    types(&app, MANAGER, "/admin").await;
    let prompt = app.fake.last_bot_message(MANAGER).unwrap().text.unwrap();
    assert!(prompt.contains("Choose your own password"), "{prompt}");
    types(&app, MANAGER, "too short").await;
    let again = app.fake.last_bot_message(MANAGER).unwrap().text.unwrap();
    assert!(again.contains("at least 12 characters"), "{again}");
    let panel = manager.sends(MANAGER_PASSWORD).await;
    assert!(
        app.fake
            .messages(MANAGER)
            .iter()
            .all(|m| m.text.as_deref() != Some(MANAGER_PASSWORD)),
        "the password message is deleted"
    );
    let offered = buttons(&panel);
    for shown in [
        "📊 Statistics",
        "👥 People",
        "📤 Exports",
        "🔎 Search",
        "🚪 Log out",
    ] {
        assert!(offered.iter().any(|b| b == shown), "{shown} in {offered:?}");
    }
    for hidden in [
        "🧾 Audit log",
        "📣 Broadcasts",
        "🔗 Invites",
        "🎖 Roles",
        "📝 Content",
    ] {
        assert!(
            !offered.iter().any(|b| b == hidden),
            "{hidden} in {offered:?}"
        );
    }

    // Statistics, the list, search and the export: Zelenopark only.
    let stats = manager.presses("📊 Statistics").await.text.unwrap();
    assert!(stats.contains("Staff in total: 3"), "{stats}");
    assert!(!stats.contains("Kashirskaya"), "{stats}");
    manager.presses("⬅️ Panel").await;
    let list = manager.presses("👥 People").await;
    assert!(list.text.as_deref().unwrap().contains("People: 3"));
    let listed = buttons(&list);
    for id in ZELENOPARK {
        assert!(listed.contains(&format!("🟢 Staff {id}")), "{listed:?}");
    }
    assert!(!listed.iter().any(|b| b.contains("Staff 20")), "{listed:?}");
    assert!(
        !listed.iter().any(|b| b.contains("Any park")),
        "no park filter: {listed:?}"
    );
    let card = manager.presses("🟢 Staff 101").await;
    let card_buttons = buttons(&card);
    assert!(
        !card_buttons.iter().any(|b| b.contains("Role")),
        "{card_buttons:?}"
    );
    assert!(
        !card_buttons.iter().any(|b| b.contains("Erase")),
        "{card_buttons:?}"
    );
    manager.presses("⬅️ Panel").await;
    manager.presses("🔎 Search").await;
    let found = buttons(&manager.sends("Staff").await);
    assert!(found.contains(&"🟢 Staff 102".to_owned()), "{found:?}");
    assert!(!found.iter().any(|b| b.contains("Staff 20")), "{found:?}");
    manager.presses("⬅️ Panel").await;
    manager.presses("📤 Exports").await;
    manager.presses("👥 People").await;
    let (_, _, rows) = next_csv(&app, MANAGER, 0).await;
    let mut ids: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["100", "101", "102"], "only Zelenopark's people");

    // Forged buttons for another park's person or for full-admin screens.
    let refused = "Your role does not allow this.";
    for data in [
        "1Ac201".to_owned(),
        "1Ab202".to_owned(),
        "1Ad201".to_owned(),
        "1Aa".to_owned(),
        "1ABh".to_owned(),
        "1AI".to_owned(),
        "1AG".to_owned(),
        format!("1AGe{MANAGER}"),
        "1AXl".to_owned(),
        "1Ae101".to_owned(),
        "1AKk101".to_owned(),
        "1AKAkashirskaya".to_owned(),
        "1AT".to_owned(),
        "1ATR".to_owned(),
    ] {
        assert_eq!(forged(&app, &manager, &data).await, refused, "{data}");
    }
    let forbidden = audit_actions(&app, MANAGER)
        .await
        .into_iter()
        .filter(|(action, _)| action == "forbidden")
        .count();
    assert_eq!(forbidden, 14, "every refusal is audited");
    let storage = app.storage().await;
    assert!(!storage.user(UserId(202)).await.unwrap().unwrap().blocked);
    assert!(
        storage.role_of(UserId(MANAGER)).await.unwrap().is_some(),
        "a forged grant changed nothing"
    );
    storage.close().await;

    // The admin takes the role away: the manager's next press is refused.
    admin.presses("🎖 Roles").await;
    admin.presses("Staff 100 · manager of Zelenopark").await;
    admin.presses("🚫 Take the role away").await;
    let gone = app.fake.last_bot_message(MANAGER).unwrap().text.unwrap();
    assert!(gone.contains("was taken away"), "{gone}");
    assert_eq!(
        forged(&app, &manager, "1As").await,
        "Your session has expired. Send /admin to log in again."
    );
    assert!(
        audit_actions(&app, ADMIN)
            .await
            .contains(&("role_revoke".to_owned(), MANAGER.to_string()))
    );
    let unknown = manager.sends("/admin").await;
    assert!(
        !buttons(&unknown).iter().any(|b| b.contains("Statistics")),
        "no panel without a role"
    );
    app.assert_clean();
}

#[tokio::test]
async fn roles_a_park_manager_sees_only_their_park() {
    park_manager_story(Stack::Embedded).await;
}

#[tokio::test]
async fn roles_a_park_manager_on_the_production_stack() {
    park_manager_story(Stack::Production).await;
}

#[tokio::test]
async fn roles_a_content_editor_cannot_see_people() {
    let app = TestApp::spawn_admins(Stack::Embedded, &[ADMIN])
        .await
        .unwrap();
    app.enrol(
        [EDITOR, 101],
        Some("zelenopark"),
        Some("bar"),
        OffsetDateTime::now_utc(),
    )
    .await;
    let admin = app.admin(ADMIN).await;
    give_role(&admin, EDITOR, "📝 content editor").await;
    let editor = app.person(EDITOR, "Staff 300", "en");
    types(&app, EDITOR, "/admin").await;
    let panel = editor.sends("content editor password").await;
    let offered = buttons(&panel);
    for shown in ["📝 Content", "🚪 Log out"] {
        assert!(offered.iter().any(|b| b == shown), "{shown} in {offered:?}");
    }
    for hidden in [
        "📊 Statistics",
        "👥 People",
        "📤 Exports",
        "🔎 Search",
        "🧾 Audit log",
    ] {
        assert!(
            !offered.iter().any(|b| b == hidden),
            "{hidden} in {offered:?}"
        );
    }
    for data in ["1As", "1Ac101", "1AXp", "1AKt", "1AKf", "1ABh"] {
        assert_eq!(
            forged(&app, &editor, data).await,
            "Your role does not allow this.",
            "{data}"
        );
    }
    // What the role is for: the editor changes a page and staff read it.
    let page = target(&app.pack);
    edit_text(&editor, &page, "Edited by the content editor").await;
    editor.presses("✅ Save").await;
    let (text, _) = staff_view(&app, page.node).await;
    assert!(text.contains("Edited by the content editor"), "{text}");
    assert!(
        audit_actions(&app, EDITOR)
            .await
            .iter()
            .any(|(action, _)| action == "content_edit"),
        "the editor's edit is audited under their id"
    );

    // A second first-login cannot replace the password; the old one still works.
    editor.sends("/admin").await;
    editor.presses("🚪 Log out").await;
    types(&app, EDITOR, "/admin").await;
    let prompt = app.fake.last_bot_message(EDITOR).unwrap().text.unwrap();
    assert!(prompt.contains("Type the admin password"), "{prompt}");
    types(&app, EDITOR, "not the password at all").await;
    let told = app.fake.last_bot_message(EDITOR).unwrap().text.unwrap();
    assert!(told.contains("Wrong password"), "{told}");
    let back = editor.sends("content editor password").await;
    assert!(back.text.unwrap().contains("Admin panel"));
    app.assert_clean();
}

#[tokio::test]
async fn roles_a_role_lets_its_holder_in_when_the_bot_is_for_staff_only() {
    let app = TestApp::spawn_staff_only(Stack::Embedded, &[ADMIN])
        .await
        .unwrap();
    let newcomer = app.person(EDITOR, "Vera", "en");
    let outside = newcomer.sends("/start").await;
    assert!(
        buttons(&outside)
            .iter()
            .any(|b| b.contains("Request access")),
        "a stranger sees the staff-only screen: {outside:?}"
    );
    let admin = app.admin(ADMIN).await;
    admin.presses("👥 People").await;
    admin.presses("🟢 Vera").await;
    admin.presses("🎖 Role").await;
    admin.presses("📝 content editor").await;
    types(&app, EDITOR, "/admin").await;
    let prompt = app.fake.last_bot_message(EDITOR).unwrap().text.unwrap();
    assert!(prompt.contains("Choose your own password"), "{prompt}");
    let panel = newcomer.sends("content editor password").await;
    assert!(buttons(&panel).contains(&"📝 Content".to_owned()));
    let storage = app.storage().await;
    assert!(
        engine::ports::AccessStore::has_access(&*storage, UserId(EDITOR))
            .await
            .unwrap()
    );
    storage.close().await;
    app.assert_clean();
}

/// The admin makes person 100 the manager of Zelenopark, who logs in with their
/// own new password.
async fn made_manager<'a>(app: &'a TestApp, admin: &Person<'_>) -> Person<'a> {
    give_role(admin, MANAGER, "🏢 manager of Zelenopark").await;
    types(app, MANAGER, "/admin").await;
    let manager = app.person(MANAGER, "Staff 100", "en");
    manager.sends(MANAGER_PASSWORD).await;
    manager
}

/// Whether a forged press of `data` was served: answered without any toast (a
/// refusal or an out-of-date menu would have one).
async fn served(app: &TestApp, who: &Person<'_>, data: &str) -> bool {
    let before = app.toasts().len();
    forged(app, who, data).await;
    app.toasts().len() == before
}

/// Every panel action that names a person, aimed at `id`.
fn actions_on(id: i64) -> Vec<String> {
    use domain::callback::{AdminAction, Callback, FileFormat, LookupAction, RoleAction, Slug};
    let park = Slug::parse("zelenopark").unwrap();
    let bar = Slug::parse("bar").unwrap();
    [
        AdminAction::Person(id),
        AdminAction::Block(id),
        AdminAction::Unblock(id),
        AdminAction::ExportPerson(id, FileFormat::Xlsx),
        AdminAction::Erase(id),
        AdminAction::EraseConfirmed(id),
        AdminAction::Lookup(LookupAction::ChoosePark(id)),
        AdminAction::Lookup(LookupAction::ChooseDepartment(id)),
        AdminAction::Lookup(LookupAction::SetPark(id, park)),
        AdminAction::Lookup(LookupAction::SetDepartment(id, bar)),
        AdminAction::Roles(RoleAction::Choose(id)),
        AdminAction::Roles(RoleAction::ParkManager(id, park)),
        AdminAction::Roles(RoleAction::ContentEditor(id)),
        AdminAction::Roles(RoleAction::Revoke(id)),
    ]
    .into_iter()
    .map(|a| Callback::Admin(a).encode())
    .collect()
}

#[tokio::test]
async fn security_nobody_acts_on_an_admin_and_a_manager_only_on_plain_staff() {
    let Some(app) = TestApp::spawn_admins(Stack::Embedded, &[ADMIN]).await else {
        return;
    };
    let seen = OffsetDateTime::now_utc();
    // Everyone in Zelenopark, as an admin assigned it: only the protections refuse.
    app.enrol([ADMIN, EDITOR, 101], Some("zelenopark"), Some("bar"), seen)
        .await;
    app.enrol([MANAGER], Some("zelenopark"), Some("bar"), seen)
        .await;
    let admin = app.admin(ADMIN).await;
    give_role(&admin, EDITOR, "📝 content editor").await;
    admin.sends("/admin").await;
    let manager = made_manager(&app, &admin).await;

    let refused = "Your role does not allow this.";
    let aimed: Vec<String> = [ADMIN, EDITOR].into_iter().flat_map(actions_on).collect();
    for data in &aimed {
        assert_eq!(forged(&app, &manager, data).await, refused, "{data}");
    }
    let forbidden = audit_actions(&app, MANAGER)
        .await
        .into_iter()
        .filter(|(action, _)| action == "forbidden")
        .count();
    assert_eq!(forbidden, aimed.len(), "every refusal is audited");
    // Plain staff of the park stay the manager's to open.
    assert!(served(&app, &manager, &actions_on(101)[0]).await);

    // A full admin cannot act on an admin either, not even on himself.
    for data in actions_on(ADMIN) {
        assert_eq!(forged(&app, &admin, &data).await, refused, "{data}");
    }

    // Nothing changed.
    let storage = app.storage().await;
    for id in [ADMIN, EDITOR] {
        let person = storage.user(UserId(id)).await.unwrap().unwrap();
        assert!(!person.blocked, "{id} is not blocked");
        let staff = storage.staff_profile(UserId(id)).await.unwrap();
        assert_eq!(staff.park.as_deref(), Some("zelenopark"));
    }
    let editor = storage.role_of(UserId(EDITOR)).await.unwrap().unwrap();
    assert_eq!(editor.role, engine::ports::Role::ContentEditor);
    assert!(storage.role_of(UserId(ADMIN)).await.unwrap().is_none());
    storage.close().await;
    app.assert_clean();
}

#[tokio::test]
async fn security_a_park_chosen_by_the_person_puts_nobody_under_a_manager() {
    let Some(app) = TestApp::spawn_admins(Stack::Embedded, &[ADMIN]).await else {
        return;
    };
    let seen = OffsetDateTime::now_utc();
    app.enrol([MANAGER], Some("zelenopark"), Some("bar"), seen)
        .await;
    let admin = app.admin(ADMIN).await;
    let manager = made_manager(&app, &admin).await;

    // Person 150 chooses Zelenopark in /profile: not the manager's to act on.
    app.enrol([150], None, Some("bar"), seen).await;
    let chooser = app.person(150, "Staff 150", "en");
    chooser.sends("/profile").await;
    chooser.presses("🏢 Park").await;
    let saved = chooser.presses("Zelenopark").await.text.unwrap();
    assert!(saved.contains("Zelenopark"), "{saved}");
    let stats = manager.presses("📊 Statistics").await.text.unwrap();
    assert!(stats.contains("Staff in total: 1"), "{stats}");
    let refused = "Your role does not allow this.";
    for data in actions_on(150) {
        assert_eq!(forged(&app, &manager, &data).await, refused, "{data}");
    }

    // Once an admin assigns the park, it is the manager's, and the person's own
    // choice is over: no park button, and a forged one changes nothing.
    forged(&app, &admin, &{
        use domain::callback::{AdminAction, Callback, LookupAction, Slug};
        let park = Slug::parse("zelenopark").unwrap();
        Callback::Admin(AdminAction::Lookup(LookupAction::SetPark(150, park))).encode()
    })
    .await;
    let storage = app.storage().await;
    let staff = storage.staff_profile(UserId(150)).await.unwrap();
    storage.close().await;
    assert!(staff.park_assigned, "{staff:?}");
    assert!(served(&app, &manager, &actions_on(150)[0]).await);
    let profile = chooser.sends("/profile").await;
    assert!(
        !buttons(&profile).iter().any(|b| b == "🏢 Park"),
        "{:?}",
        buttons(&profile)
    );
    assert!(profile.text.unwrap().contains("set by your manager"));
    let edit_park = {
        use domain::callback::{Callback, ProfileFieldKind};
        Callback::EditProfile(ProfileFieldKind::Park).encode()
    };
    let toast = forged(&app, &chooser, &edit_park).await;
    assert!(toast.contains("set by your manager"), "{toast}");
    let choose_other = {
        use domain::callback::{Callback, Slug};
        Callback::Park(Some(Slug::parse("kashirskaya").unwrap())).encode()
    };
    forged(&app, &chooser, &choose_other).await;
    let storage = app.storage().await;
    let staff = storage.staff_profile(UserId(150)).await.unwrap();
    assert_eq!(staff.park.as_deref(), Some("zelenopark"));
    assert!(staff.park_assigned);
    storage.close().await;
    app.assert_clean();
}

#[tokio::test]
async fn security_a_park_manager_verifies_only_their_own_peoples_certificates() {
    use engine::ports::Certificate;
    let Some(app) = TestApp::spawn_admins(Stack::Embedded, &[ADMIN]).await else {
        return;
    };
    let seen = OffsetDateTime::now_utc();
    app.enrol(ZELENOPARK, Some("zelenopark"), Some("bar"), seen)
        .await;
    app.enrol(KASHIRSKAYA, Some("kashirskaya"), Some("bar"), seen)
        .await;
    let storage = app.storage().await;
    for (code, holder, name) in [
        ("TB-7K2QX9AB", 101, "Zelenopark Person"),
        ("TB-7K2QX9AD", 201, "Kashirskaya Person"),
    ] {
        storage
            .save_certificate(&Certificate {
                code: domain::learning::parse_certificate_code(code).unwrap(),
                user: UserId(holder),
                full_name: name.to_owned(),
                department: "bar".to_owned(),
                park: None,
                issued_at: seen,
                quizzes: vec![("general-basics".to_owned(), 90)],
            })
            .await
            .unwrap();
    }
    storage.close().await;
    let admin = app.admin(ADMIN).await;
    let manager = made_manager(&app, &admin).await;
    manager.presses("🎓 Verify certificate").await;
    let own = manager.sends("TB-7K2QX9AB").await.text.unwrap();
    assert!(own.contains("Zelenopark Person"), "{own}");
    manager.presses("🎓 Another code").await;
    let other = manager.sends("TB-7K2QX9AD").await.text.unwrap();
    assert!(other.contains("was not found"), "{other}");
    assert!(!other.contains("Kashirskaya Person"), "{other}");
    app.assert_clean();
}
