//! Who may do what in the admin panel, at the engine: an allow-listed admin, a
//! park manager and a content editor (roles kept in in-memory SQLite, passwords
//! checked by a stand-in hasher) press the same buttons; each reaches exactly its
//! part of the panel, a park manager only the people assigned to their park, and
//! every refusal is audited.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use domain::callback::{
    AdminAction, Callback, ContentAction, FileFormat, ListStatus, LookupAction, Slug,
};
use domain::content::ContentPack;
use domain::ids::UserId;
use engine::ports::{NewPasswordError, ProfileField, Role, RolePasswords, SystemClock};
use engine::{Action, ActivityRecorder, Engine, Input};
use state::MemoryState;

mod common;
#[path = "common/password.rs"]
mod password;
use common::{press_input, private_update, texts};
use password::FixedPassword;
use time::OffsetDateTime;

const ADMIN: i64 = 42;
const ADMIN_PASSWORD: &str = "correct horse battery staple";
const MANAGER: i64 = 50;
const EDITOR: i64 = 51;
const ROLE_PASSWORD: &str = "a role holder's password";
/// Staff the admin assigned to the manager's park.
const OURS: i64 = 60;
/// Staff who chose the manager's park themselves.
const CHOSE_OURS: i64 = 61;
/// Staff assigned to another park.
const THEIRS: i64 = 62;
const PARK: &str = "zelenopark";
const OTHER_PARK: &str = "columbus";

/// A stand-in for argon2: the "hash" is the password with a prefix.
struct PlainHasher;

#[async_trait]
impl RolePasswords for PlainHasher {
    fn min_chars(&self) -> usize {
        8
    }

    async fn hash(&self, password: &str) -> Result<String, NewPasswordError> {
        Ok(format!("plain:{password}"))
    }

    async fn verify(&self, phc: &str, password: &str) -> bool {
        phc.strip_prefix("plain:") == Some(password)
    }
}

struct Fixture {
    engine: Engine,
    storage: storage::SqlStorage,
    next: std::cell::Cell<i64>,
}

/// The three kinds of admin logged in, and three staff members.
async fn fixture() -> Fixture {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../content");
    let pack = Arc::new(ContentPack::load(&dir).unwrap());
    let storage = storage::testing::fresh_sqlite().await.unwrap();
    let shared = storage.ports();
    let (activity, _writer) =
        ActivityRecorder::spawn(shared.people.clone(), 100, Duration::from_secs(1));
    let engine = Engine::new(
        pack,
        shared,
        Arc::new(MemoryState::new()),
        Arc::new(SystemClock),
        activity,
    )
    .with_admins(vec![ADMIN])
    .with_admin_login(
        Arc::new(FixedPassword(ADMIN_PASSWORD)),
        Duration::from_secs(30 * 60),
    )
    .with_role_passwords(Arc::new(PlainHasher));
    let f = Fixture {
        engine,
        storage,
        next: std::cell::Cell::new(1),
    };
    for id in [ADMIN, MANAGER, EDITOR, OURS, CHOSE_OURS, THEIRS] {
        f.send(
            id,
            Input::Command {
                name: "start".into(),
                args: String::new(),
            },
        )
        .await;
    }
    let s = &f.storage;
    let now = OffsetDateTime::now_utc();
    s.set_profile_field(UserId(OURS), ProfileField::Park(Some(PARK.into())))
        .await
        .unwrap();
    s.set_profile_field(
        UserId(CHOSE_OURS),
        ProfileField::ChosenPark(Some(PARK.into())),
    )
    .await
    .unwrap();
    s.set_profile_field(UserId(THEIRS), ProfileField::Park(Some(OTHER_PARK.into())))
        .await
        .unwrap();
    let manager = Role::ParkManager { park: PARK.into() };
    for (id, role) in [(MANAGER, manager), (EDITOR, Role::ContentEditor)] {
        s.grant_role(UserId(id), &role, UserId(ADMIN), now)
            .await
            .unwrap();
    }
    // The manager's password was set earlier; the editor sets theirs at the
    // first /admin, and the session opens on it.
    s.set_role_password(UserId(MANAGER), &format!("plain:{ROLE_PASSWORD}"))
        .await
        .unwrap();
    for (id, password) in [
        (ADMIN, ADMIN_PASSWORD),
        (MANAGER, ROLE_PASSWORD),
        (EDITOR, ROLE_PASSWORD),
    ] {
        let answer = f.login(id, password).await;
        assert!(answer.contains("Logged in"), "{id}: {answer}");
    }
    let editor = s.role_of(UserId(EDITOR)).await.unwrap().unwrap();
    assert_eq!(editor.password_hash, Some(format!("plain:{ROLE_PASSWORD}")));
    f
}

impl Fixture {
    async fn send(&self, from: i64, input: Input) -> Vec<Action> {
        let id = self.next.get();
        self.next.set(id + 1);
        let name = format!("Person{from}");
        let inbound = private_update(id, from, &name, "en", Some(1000 + id), input);
        self.engine.handle(inbound).await
    }

    async fn login(&self, from: i64, password: &str) -> String {
        self.send(
            from,
            Input::Command {
                name: "admin".into(),
                args: String::new(),
            },
        )
        .await;
        texts(&self.send(from, Input::Text(password.into())).await)
    }

    async fn press(&self, from: i64, action: AdminAction) -> Vec<Action> {
        let input = press_input(self.next.get(), Callback::Admin(action), Some(5));
        self.send(from, input).await
    }

    /// Whether `from` may press `action`: neither "session expired" nor "your
    /// role does not allow this".
    async fn may(&self, from: i64, action: AdminAction) -> bool {
        let actions = self.press(from, action).await;
        let refused = actions.iter().any(|a| {
            matches!(a, Action::AnswerCallback { text: Some(t), .. }
                if t.contains("does not allow") || t.contains("session has expired"))
        });
        !refused
    }

    async fn audit(&self) -> Vec<(i64, String, String)> {
        let mut entries = self.storage.audit_entries(None, 1000).await.unwrap();
        entries.reverse();
        entries
            .into_iter()
            .map(|e| (e.actor.0, e.action, e.detail))
            .collect()
    }
}

/// The admin buttons on the screens of `actions`.
fn admin_buttons(actions: &[Action]) -> Vec<AdminAction> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Send { keyboard, .. } | Action::Edit { keyboard, .. } => keyboard.as_ref(),
            _ => None,
        })
        .flat_map(|k| k.rows.iter().flatten())
        .filter_map(|b| match b.callback {
            Callback::Admin(action) => Some(action),
            _ => None,
        })
        .collect()
}

fn slug(s: &str) -> Slug {
    Slug::parse(s).unwrap()
}

#[tokio::test]
async fn each_role_reaches_exactly_its_part_of_the_panel() {
    let f = fixture().await;
    let audit = AdminAction::Audit { before: None };
    let content = AdminAction::Content(ContentAction::Sections);
    let roles = AdminAction::Roles(domain::callback::RoleAction::Holders);
    let cases = [
        // (action, admin, park manager, content editor)
        (AdminAction::Panel, true, true, true),
        (AdminAction::Statistics, true, true, false),
        (AdminAction::Exports(FileFormat::Csv), true, true, false),
        (audit, true, false, false),
        (roles, true, false, false),
        (content, true, false, true),
    ];
    for (action, admin, manager, editor) in cases {
        assert_eq!(f.may(ADMIN, action).await, admin, "admin: {action:?}");
        assert_eq!(f.may(MANAGER, action).await, manager, "manager: {action:?}");
        assert_eq!(f.may(EDITOR, action).await, editor, "editor: {action:?}");
    }
    // Someone with no role at all is not let in, whatever they press.
    assert!(!f.may(OURS, AdminAction::Panel).await);
    assert!(!f.may(OURS, AdminAction::Statistics).await);
}

#[tokio::test]
async fn the_panel_shows_each_role_only_the_buttons_it_may_press() {
    let f = fixture().await;
    let admin = admin_buttons(&f.press(ADMIN, AdminAction::Panel).await);
    let manager = admin_buttons(&f.press(MANAGER, AdminAction::Panel).await);
    let editor = admin_buttons(&f.press(EDITOR, AdminAction::Panel).await);
    let audit = AdminAction::Audit { before: None };
    let roles = AdminAction::Roles(domain::callback::RoleAction::Holders);

    assert!(admin.contains(&AdminAction::Statistics) && admin.contains(&audit));
    assert!(admin.contains(&roles) && admin.contains(&AdminAction::Logout));
    assert!(admin.iter().any(|a| matches!(a, AdminAction::Content(_))));

    assert!(manager.contains(&AdminAction::Statistics), "{manager:?}");
    assert!(manager.contains(&AdminAction::Logout), "{manager:?}");
    assert!(
        !manager.contains(&audit) && !manager.contains(&roles),
        "{manager:?}"
    );
    assert!(!manager.iter().any(|a| matches!(a, AdminAction::Content(_))));

    assert!(
        editor.iter().any(|a| matches!(a, AdminAction::Content(_))),
        "{editor:?}"
    );
    assert!(editor.contains(&AdminAction::Logout), "{editor:?}");
    assert!(!editor.contains(&AdminAction::Statistics), "{editor:?}");
    assert!(editor.len() < manager.len() && manager.len() < admin.len());
}

#[tokio::test]
async fn a_park_manager_acts_only_on_staff_assigned_to_their_park() {
    let f = fixture().await;
    assert!(f.may(MANAGER, AdminAction::Person(OURS)).await);
    assert!(
        !f.may(MANAGER, AdminAction::Person(CHOSE_OURS)).await,
        "a park the person chose is not the manager's to act on"
    );
    assert!(!f.may(MANAGER, AdminAction::Person(THEIRS)).await);
    assert!(!f.may(MANAGER, AdminAction::Block(THEIRS)).await);
    assert!(
        !f.may(MANAGER, AdminAction::Person(EDITOR)).await,
        "a role holder"
    );
    assert!(!f.may(MANAGER, AdminAction::Person(ADMIN)).await);

    // A full admin may act on anyone but an allow-listed admin.
    assert!(f.may(ADMIN, AdminAction::Person(THEIRS)).await);
    assert!(f.may(ADMIN, AdminAction::Person(CHOSE_OURS)).await);
    assert!(f.may(ADMIN, AdminAction::Person(MANAGER)).await);
    assert!(!f.may(ADMIN, AdminAction::Person(ADMIN)).await);

    // A park's activity: the manager's own park only.
    let activity = |park| AdminAction::Lookup(LookupAction::Activity(slug(park)));
    assert!(f.may(MANAGER, activity(PARK)).await);
    assert!(!f.may(MANAGER, activity(OTHER_PARK)).await);
    assert!(f.may(ADMIN, activity(OTHER_PARK)).await);
}

#[tokio::test]
async fn a_park_managers_list_of_people_is_their_park() {
    let f = fixture().await;
    let people = AdminAction::People {
        status: ListStatus::Any,
        after: None,
    };
    let admins = admin_buttons(&f.press(ADMIN, people).await);
    for id in [OURS, THEIRS] {
        assert!(
            admins.contains(&AdminAction::Person(id)),
            "the full admin sees everyone: {admins:?}"
        );
    }
    let managers = admin_buttons(&f.press(MANAGER, people).await);
    assert!(
        managers.contains(&AdminAction::Person(OURS)),
        "{managers:?}"
    );
    assert!(
        !managers.contains(&AdminAction::Person(THEIRS)),
        "{managers:?}"
    );
}

#[tokio::test]
async fn refusals_are_audited_with_what_was_pressed() {
    let f = fixture().await;
    let audit = AdminAction::Audit { before: None };
    assert!(!f.may(MANAGER, audit).await);
    assert!(!f.may(MANAGER, AdminAction::Person(THEIRS)).await);
    assert!(!f.may(OURS, AdminAction::Statistics).await);
    let refusals: Vec<(i64, String, String)> = f
        .audit()
        .await
        .into_iter()
        .filter(|(_, action, _)| action == "forbidden" || action == "denied")
        .collect();
    assert_eq!(
        refusals,
        vec![
            (MANAGER, "forbidden".into(), format!("{audit:?}")),
            (
                MANAGER,
                "forbidden".into(),
                format!("{:?}", AdminAction::Person(THEIRS))
            ),
            (
                OURS,
                "denied".into(),
                format!("{:?}", AdminAction::Statistics)
            ),
        ]
    );
}

#[tokio::test]
async fn a_people_list_filters_by_status_and_its_filter_buttons_name_each_status() {
    let f = fixture().await;
    let people = |status, after| AdminAction::People { status, after };
    let listed = admin_buttons(&f.press(ADMIN, people(ListStatus::Any, None)).await);
    assert!(listed.contains(&AdminAction::Person(OURS)), "{listed:?}");
    let blocked = admin_buttons(&f.press(ADMIN, people(ListStatus::Blocked, None)).await);
    assert!(
        !blocked.iter().any(|a| matches!(a, AdminAction::Person(_))),
        "nobody is blocked: {blocked:?}"
    );

    // On a later page too, each filter button starts its status from the top.
    let screen = admin_buttons(&f.press(ADMIN, people(ListStatus::Any, Some(OURS))).await);
    let filters: Vec<(ListStatus, Option<i64>)> = screen
        .into_iter()
        .filter_map(|a| match a {
            AdminAction::Lookup(LookupAction::People(view)) => Some((view.status, view.after)),
            _ => None,
        })
        .collect();
    let expected: Vec<(ListStatus, Option<i64>)> =
        ListStatus::ALL.into_iter().map(|s| (s, None)).collect();
    assert_eq!(filters, expected);
}

/// Every button there is (each variant the codec can build, walked from the
/// types, not listed), pressed by an admin, a park manager, a content editor and
/// a staff member: each press is answered exactly once, before anything else
/// happens, whatever the handler made of it. Telegram refuses a second answer.
#[tokio::test]
async fn every_press_by_anyone_is_answered_once_and_first() {
    let f = fixture().await;
    let every = domain::callback::walk::every::<Callback>();
    assert!(
        every.len() > 100,
        "the walk built {} callbacks",
        every.len()
    );
    for callback in every {
        for presser in [ADMIN, MANAGER, EDITOR, OURS] {
            let input = press_input(f.next.get(), callback, Some(5));
            let actions = f.send(presser, input).await;
            let answers = actions
                .iter()
                .filter(|a| matches!(a, Action::AnswerCallback { .. }))
                .count();
            assert!(
                answers == 1 && matches!(actions.first(), Some(Action::AnswerCallback { .. })),
                "{presser} pressed {callback:?}: {actions:?}"
            );
            if callback == Callback::Admin(AdminAction::Logout) && presser != OURS {
                let password = if presser == ADMIN {
                    ADMIN_PASSWORD
                } else {
                    ROLE_PASSWORD
                };
                let answer = f.login(presser, password).await;
                assert!(answer.contains("Logged in"), "{presser}: {answer}");
            }
        }
    }
}
