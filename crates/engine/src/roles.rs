//! The screens that give and take roles.
//!
//! Allow-listed admins (`ADMIN_IDS`) have every right. They can give other people
//! a narrower role, kept in the database: a park manager sees statistics, people,
//! exports and progress of their own park only; a content editor can change
//! content and nothing else. Every admin button states what it needs ([`need`]),
//! and the one guard (`admission`) compares that with the presser's rights,
//! read from the database on every press, so a role taken away ends at once. A
//! park manager's reads are limited to their park in storage (the `park`
//! arguments of the statistics, list, search and export queries), and an action
//! on one person is refused unless that person works in the park.

use domain::callback::{AdminAction, Callback, RoleAction, Slug};
use domain::html::Html;
use domain::ids::{ChatId, UserId};
use domain::lang::Lang;

use crate::action::{Action, Button, Keyboard};
use crate::admin_rows::back_to_panel;
use crate::admin_rows::list_name;
use crate::audit::audit;
use crate::context::Cx;
use crate::error::{OrUnavailable, Served, unavailable};
use crate::i18n::{html, t, t_args};
use crate::inbound::CallbackMessage;
use crate::people::People;
use crate::ports::{AccessStore, AdminStore, PersonRecords, Role, RoleStore, StateStore};
use crate::screens::Rendered;

/// What the role screens reach beyond the update's context.
pub(crate) struct RolePorts<'a> {
    /// The roles given.
    pub(crate) roles: &'a dyn RoleStore,
    /// Who the people are.
    pub(crate) people: &'a dyn PersonRecords,
    /// A role lets its holder use the bot (in `invite` mode too).
    pub(crate) access: &'a dyn AccessStore,
    /// Where each grant and revocation is audited.
    pub(crate) audit: &'a dyn AdminStore,
    /// Where admin sessions are kept: a changed role ends its holder's.
    pub(crate) state: &'a dyn StateStore,
    /// The copies of people kept between updates.
    pub(crate) cache: &'a People,
    /// The allow-listed admins, whose rights no role changes.
    pub(crate) admins: &'a [i64],
}

/// Ends `id`'s admin session: their next press asks for the password again.
async fn end_session_of(state: &dyn StateStore, id: UserId) {
    if let Err(e) = state.delete(&format!("adm:session:{id}")).await {
        tracing::warn!(error = %e, "cannot end an admin session");
    }
}

/// A role button, after the guard let it through (full admins only).
pub(crate) async fn admin_roles(
    cx: &mut Cx,
    ports: &RolePorts<'_>,
    action: RoleAction,
    message: Option<CallbackMessage>,
) -> Served {
    match action {
        RoleAction::Holders => role_holders(cx, ports, message).await?,
        RoleAction::Choose(id) => choose_role(cx, ports, UserId(id), message).await?,
        RoleAction::ParkManager(id, park) => {
            if cx.pack().park(park.as_str()).is_none() {
                cx.say("admin-role-unknown-park");
                return Ok(());
            }
            let role = Role::ParkManager {
                park: park.as_str().to_owned(),
            };
            grant_role(cx, ports, UserId(id), role, message).await?;
        }
        RoleAction::ContentEditor(id) => {
            grant_role(cx, ports, UserId(id), Role::ContentEditor, message).await?;
        }
        RoleAction::Revoke(id) => revoke_role(cx, ports, UserId(id), message).await?,
    }
    Ok(())
}

/// The role's name in `lang`: "park manager (Zelenopark)".
fn role_name(cx: &Cx, role: &Role, lang: Lang) -> String {
    match role {
        Role::ParkManager { park } => {
            let name = cx
                .pack()
                .park(park)
                .map_or_else(|| park.clone(), |p| p.name.get(lang).clone());
            t_args(lang, "role-park-manager", &[("park", name.into())])
        }
        Role::ContentEditor => t(lang, "role-content-editor"),
    }
}

async fn role_holders(
    cx: &mut Cx,
    ports: &RolePorts<'_>,
    message: Option<CallbackMessage>,
) -> Served {
    let lang = cx.lang();
    let holders = ports
        .roles
        .role_holders()
        .await
        .or_unavailable("cannot list role holders")?;
    let mut text = Html::bold(&html(lang, "admin-roles-title"));
    text.push_text("\n");
    text.push(&html(lang, "admin-roles-help"));
    let mut keyboard = Keyboard::default();
    for grant in &holders {
        let name = match ports.people.user(grant.user).await {
            Ok(Some(p)) => list_name(&p.first_name, p.last_name.as_deref()),
            _ => grant.user.to_string(),
        };
        let label: String = format!("{name} · {}", role_name(cx, &grant.role, lang))
            .chars()
            .take(60)
            .collect();
        keyboard = keyboard.row(vec![Button::new(
            label,
            Callback::Admin(AdminAction::Roles(RoleAction::Choose(grant.user.0))),
        )]);
    }
    if holders.is_empty() {
        text.push_text("\n\n");
        text.push(&html(lang, "admin-roles-none"));
    }
    keyboard = keyboard.row(back_to_panel(cx.lang()));
    cx.show_rendered(message, Rendered { text, keyboard });
    Ok(())
}

/// The roles person `id` can be given, with the one they have.
async fn choose_role(
    cx: &mut Cx,
    ports: &RolePorts<'_>,
    id: UserId,
    message: Option<CallbackMessage>,
) -> Served {
    let lang = cx.lang();
    let (person, grant) = match (ports.people.user(id).await, ports.roles.role_of(id).await) {
        (Ok(Some(p)), Ok(g)) => (p, g),
        (Ok(None), _) => {
            cx.say("admin-person-unknown");
            return Ok(());
        }
        (Err(e), _) | (_, Err(e)) => return Err(unavailable("cannot read a role", e)),
    };
    let name = list_name(&person.first_name, person.last_name.as_deref());
    let current = if ports.admins.contains(&id.0) {
        t(lang, "role-full-admin")
    } else {
        grant
            .as_ref()
            .map_or_else(|| t(lang, "role-none"), |g| role_name(cx, &g.role, lang))
    };
    let text = Html::escape(&t_args(
        lang,
        "admin-role-choose",
        &[("name", name.into()), ("value", current.into())],
    ));
    let roles = |action| Callback::Admin(AdminAction::Roles(action));
    let mut keyboard = Keyboard::default();
    for park in cx.pack().parks() {
        if let Some(slug) = Slug::parse(&park.id) {
            let role = Role::ParkManager {
                park: park.id.clone(),
            };
            keyboard = keyboard.row(vec![Button::new(
                format!("🏢 {}", role_name(cx, &role, lang)),
                roles(RoleAction::ParkManager(id.0, slug)),
            )]);
        }
    }
    keyboard = keyboard.row(vec![Button::new(
        format!("📝 {}", t(lang, "role-content-editor")),
        roles(RoleAction::ContentEditor(id.0)),
    )]);
    if grant.is_some() {
        keyboard = keyboard.row(vec![Button::new(
            t(lang, "btn-admin-role-revoke"),
            roles(RoleAction::Revoke(id.0)),
        )]);
    }
    keyboard = keyboard.row(vec![
        Button::new(
            t(lang, "btn-admin-back-person"),
            Callback::Admin(AdminAction::Person(id.0)),
        ),
        Button::new(t(lang, "btn-admin-roles"), roles(RoleAction::Holders)),
    ]);
    cx.show_rendered(message, Rendered { text, keyboard });
    Ok(())
}

async fn grant_role(
    cx: &mut Cx,
    ports: &RolePorts<'_>,
    id: UserId,
    role: Role,
    message: Option<CallbackMessage>,
) -> Served {
    if ports.admins.contains(&id.0) {
        cx.say("admin-role-full-admin");
        return Ok(());
    }
    let person = match ports.people.user(id).await {
        Ok(Some(p)) => p,
        Ok(None) => {
            cx.say("admin-person-unknown");
            return Ok(());
        }
        Err(e) => return Err(unavailable("cannot read a person", e)),
    };
    if let Err(e) = ports
        .roles
        .grant_role(id, &role, cx.user.id, cx.now())
        .await
    {
        return Err(unavailable("cannot grant a role", e));
    }
    // Someone trusted with a role may use the bot (in `invite` mode they could
    // not even send /admin otherwise).
    let via = format!("role by {}", cx.user.id);
    let granted = ports.access.grant_access(id, &via, cx.now()).await;
    ports.cache.changed(id).await;
    if let Err(e) = granted {
        return Err(unavailable("cannot let a role holder in", e));
    }
    // A new role starts with a new password and a new login.
    end_session_of(ports.state, id).await;
    let detail = match role.park() {
        Some(park) => format!("{id}: {} {park}", role.code()),
        None => format!("{id}: {}", role.code()),
    };
    audit(cx, ports.audit, "role_grant", detail).await;
    let lang = person.language;
    let name = role_name(cx, &role, lang);
    cx.actions.push(Action::Send {
        chat: ChatId(id.0),
        text: Html::escape(&t_args(
            lang,
            "role-granted-notice",
            &[("value", name.into())],
        )),
        keyboard: None,
    });
    cx.actions.push(Action::AdminMenu {
        chat: ChatId(id.0),
        admin: true,
    });
    choose_role(cx, ports, id, message).await
}

async fn revoke_role(
    cx: &mut Cx,
    ports: &RolePorts<'_>,
    id: UserId,
    message: Option<CallbackMessage>,
) -> Served {
    let person = match ports.people.user(id).await {
        Ok(Some(p)) => p,
        Ok(None) => {
            cx.say("admin-person-unknown");
            return Ok(());
        }
        Err(e) => return Err(unavailable("cannot read a person", e)),
    };
    match ports.roles.revoke_role(id).await {
        Ok(true) => {}
        Ok(false) => return choose_role(cx, ports, id, message).await,
        Err(e) => return Err(unavailable("cannot revoke a role", e)),
    }
    end_session_of(ports.state, id).await;
    audit(cx, ports.audit, "role_revoke", id.to_string()).await;
    cx.actions.push(Action::Send {
        chat: ChatId(id.0),
        text: html(person.language, "role-revoked-notice"),
        keyboard: None,
    });
    cx.actions.push(Action::AdminMenu {
        chat: ChatId(id.0),
        admin: false,
    });
    choose_role(cx, ports, id, message).await
}

/// The person card's role button (full admins only: the keyboard filter
/// removes it for others).
pub(crate) fn role_button(cx: &Cx, id: UserId) -> Vec<Button> {
    vec![Button::new(
        t(cx.lang(), "btn-admin-role"),
        Callback::Admin(AdminAction::Roles(RoleAction::Choose(id.0))),
    )]
}
