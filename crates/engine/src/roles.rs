//! Who may do what in the admin panel, and the screens that give and take roles.
//!
//! Allow-listed admins (`ADMIN_IDS`) have every right. They can give other people
//! a narrower role, kept in the database: a park manager sees statistics, people,
//! exports and progress of their own park only; a content editor can change
//! content and nothing else. Every admin button states what it needs ([`need`]),
//! and the one guard ([`Turn::admit`]) compares that with the presser's rights,
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
use crate::context::Cx;
use crate::engine::Turn;
use crate::error::{OrUnavailable, Served, unavailable};
use crate::i18n::{html, t, t_args};
use crate::inbound::CallbackMessage;
use crate::ports::{LearningStore, Role, RoleGrant, RoleStore};
use crate::rights::{Admission, Need, Rights, need, park_named, subject};
use crate::screens::Rendered;

/// The window in which one person's refused admin presses are counted together.
const REFUSAL_WINDOW: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// How many refusals of one person in a window are written one by one.
const REFUSALS_WRITTEN: i64 = 50;

/// 1, 10, 100, ...: past [`REFUSALS_WRITTEN`], the refusals that reach the log.
fn is_power_of_ten(mut n: i64) -> bool {
    if n < 1 {
        return false;
    }
    while n % 10 == 0 {
        n /= 10;
    }
    n == 1
}

impl Turn<'_> {
    /// The rights the person has now: everything for an allow-listed admin, their
    /// stored role otherwise. Storage that cannot answer means no rights.
    pub(crate) async fn current_rights(&self) -> (Rights, Option<RoleGrant>) {
        if self.is_admin() {
            return (Rights::Full, None);
        }
        match self.engine.storage.role_of(self.cx.user.id).await {
            Ok(Some(grant)) => (Rights::of(&grant), Some(grant)),
            Ok(None) => (Rights::None, None),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read an admin role; refusing");
                (Rights::None, None)
            }
        }
    }

    /// The one guard: rights and a live session, then what the action needs, then
    /// (for a park manager) that its person or park is theirs. Every refusal is
    /// audited with the callback data or `what`.
    pub(crate) async fn admit(
        &mut self,
        need: Need,
        person: Option<i64>,
        park: Option<&str>,
        what: &str,
    ) -> Admission {
        let (rights, grant) = self.current_rights().await;
        if rights == Rights::None || !self.session_alive(grant.as_ref()).await {
            metrics::counter!("trainbot_admin_denied_total").increment(1);
            self.audit_refusal("denied", what).await;
            return Admission::Expired;
        }
        self.cx.rights = rights;
        let in_scope = match person {
            Some(id) => self.may_act_on(UserId(id)).await,
            None => true,
        } && park.is_none_or(|p| self.cx.scope().is_none_or(|mine| mine == p));
        if !self.cx.rights.allow(need) || !in_scope {
            metrics::counter!("trainbot_admin_forbidden_total").increment(1);
            self.audit_refusal("forbidden", what).await;
            return Admission::Forbidden;
        }
        Admission::Allowed
    }

    /// Audits a refused admin press or typed answer without letting one person
    /// flood the log: within [`REFUSAL_WINDOW`] a person's first
    /// [`REFUSALS_WRITTEN`] refusals are written one by one, after that only the
    /// 100th, 1000th... with the count so far; the metric counts them all. If the
    /// count cannot be kept, the refusal is written.
    async fn audit_refusal(&self, action: &str, what: &str) {
        let key = format!("adm:refused:{}", self.cx.user.id);
        let count = match self.engine.state.incr(&key, REFUSAL_WINDOW).await {
            Ok(count) => count,
            Err(e) => {
                tracing::warn!(error = %e, "cannot count refused admin presses");
                1
            }
        };
        if count > REFUSALS_WRITTEN && !is_power_of_ten(count) {
            return;
        }
        let detail = if count <= REFUSALS_WRITTEN {
            what.to_owned()
        } else {
            format!(
                "{what} (refusal {count} in {} min)",
                REFUSAL_WINDOW.as_secs() / 60
            )
        };
        self.audit(action, detail).await;
    }

    /// [`Turn::admit`] for a pressed admin button; a refusal is audited with
    /// the button's action spelled out (`Lookup(SetPark(42, "atlantis"))`).
    pub(crate) async fn admit_action(&mut self, action: &AdminAction) -> Admission {
        let what = format!("{action:?}");
        let park = park_named(action).map(|p| p.as_str().to_owned());
        self.admit(need(action), subject(action), park.as_deref(), &what)
            .await
    }

    /// [`may_act_on`] for the presser.
    pub(crate) async fn may_act_on(&self, id: UserId) -> bool {
        let storage = &*self.engine.storage;
        may_act_on(&self.cx, &self.engine.admins, storage, storage, id).await
    }

    /// A role button, after the guard let it through (full admins only).
    pub(crate) async fn admin_roles(
        &mut self,
        action: RoleAction,
        message: Option<CallbackMessage>,
    ) -> Served {
        match action {
            RoleAction::Holders => self.role_holders(message).await?,
            RoleAction::Choose(id) => self.choose_role(UserId(id), message).await?,
            RoleAction::ParkManager(id, park) => {
                if self.cx.pack().park(park.as_str()).is_none() {
                    self.cx.say("admin-role-unknown-park");
                    return Ok(());
                }
                let role = Role::ParkManager {
                    park: park.as_str().to_owned(),
                };
                self.grant_role(UserId(id), role, message).await?;
            }
            RoleAction::ContentEditor(id) => {
                self.grant_role(UserId(id), Role::ContentEditor, message)
                    .await?;
            }
            RoleAction::Revoke(id) => self.revoke_role(UserId(id), message).await?,
        }
        Ok(())
    }

    /// The role's name in `lang`: "park manager (Zelenopark)".
    fn role_name(&self, role: &Role, lang: Lang) -> String {
        match role {
            Role::ParkManager { park } => {
                let name = self
                    .cx
                    .pack()
                    .park(park)
                    .map_or_else(|| park.clone(), |p| p.name.get(lang).clone());
                t_args(lang, "role-park-manager", &[("park", name.into())])
            }
            Role::ContentEditor => t(lang, "role-content-editor"),
        }
    }

    async fn role_holders(&mut self, message: Option<CallbackMessage>) -> Served {
        let lang = self.cx.lang();
        let storage = self.engine.storage.clone();
        let holders = storage
            .role_holders()
            .await
            .or_unavailable("cannot list role holders")?;
        let mut text = Html::bold(&html(lang, "admin-roles-title"));
        text.push_text("\n");
        text.push(&html(lang, "admin-roles-help"));
        let mut keyboard = Keyboard::default();
        for grant in &holders {
            let name = match storage.user(grant.user).await {
                Ok(Some(p)) => list_name(&p.first_name, p.last_name.as_deref()),
                _ => grant.user.to_string(),
            };
            let label: String = format!("{name} · {}", self.role_name(&grant.role, lang))
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
        keyboard = keyboard.row(back_to_panel(self.cx.lang()));
        self.cx.show_rendered(message, Rendered { text, keyboard });
        Ok(())
    }

    /// The roles person `id` can be given, with the one they have.
    async fn choose_role(&mut self, id: UserId, message: Option<CallbackMessage>) -> Served {
        let lang = self.cx.lang();
        let storage = self.engine.storage.clone();
        let (person, grant) = match (storage.user(id).await, storage.role_of(id).await) {
            (Ok(Some(p)), Ok(g)) => (p, g),
            (Ok(None), _) => {
                self.cx.say("admin-person-unknown");
                return Ok(());
            }
            (Err(e), _) | (_, Err(e)) => return Err(unavailable("cannot read a role", e)),
        };
        let name = list_name(&person.first_name, person.last_name.as_deref());
        let current = if self.engine.admins.contains(&id.0) {
            t(lang, "role-full-admin")
        } else {
            grant
                .as_ref()
                .map_or_else(|| t(lang, "role-none"), |g| self.role_name(&g.role, lang))
        };
        let text = Html::escape(&t_args(
            lang,
            "admin-role-choose",
            &[("name", name.into()), ("value", current.into())],
        ));
        let roles = |action| Callback::Admin(AdminAction::Roles(action));
        let mut keyboard = Keyboard::default();
        for park in self.cx.pack().parks() {
            if let Some(slug) = Slug::parse(&park.id) {
                let role = Role::ParkManager {
                    park: park.id.clone(),
                };
                keyboard = keyboard.row(vec![Button::new(
                    format!("🏢 {}", self.role_name(&role, lang)),
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
        self.cx.show_rendered(message, Rendered { text, keyboard });
        Ok(())
    }

    async fn grant_role(
        &mut self,
        id: UserId,
        role: Role,
        message: Option<CallbackMessage>,
    ) -> Served {
        if self.engine.admins.contains(&id.0) {
            self.cx.say("admin-role-full-admin");
            return Ok(());
        }
        let storage = self.engine.storage.clone();
        let person = match storage.user(id).await {
            Ok(Some(p)) => p,
            Ok(None) => {
                self.cx.say("admin-person-unknown");
                return Ok(());
            }
            Err(e) => return Err(unavailable("cannot read a person", e)),
        };
        if let Err(e) = storage
            .grant_role(id, &role, self.cx.user.id, self.cx.now())
            .await
        {
            return Err(unavailable("cannot grant a role", e));
        }
        // Someone trusted with a role may use the bot (in `invite` mode they could
        // not even send /admin otherwise).
        let via = format!("role by {}", self.cx.user.id);
        let granted = storage.grant_access(id, &via, self.cx.now()).await;
        self.engine.people.changed(id).await;
        if let Err(e) = granted {
            return Err(unavailable("cannot let a role holder in", e));
        }
        // A new role starts with a new password and a new login.
        self.end_session_of(id).await;
        let detail = match role.park() {
            Some(park) => format!("{id}: {} {park}", role.code()),
            None => format!("{id}: {}", role.code()),
        };
        self.audit("role_grant", detail).await;
        let lang = person.language;
        let name = self.role_name(&role, lang);
        self.cx.actions.push(Action::Send {
            chat: ChatId(id.0),
            text: Html::escape(&t_args(
                lang,
                "role-granted-notice",
                &[("value", name.into())],
            )),
            keyboard: None,
        });
        self.cx.actions.push(Action::AdminMenu {
            chat: ChatId(id.0),
            admin: true,
        });
        self.choose_role(id, message).await
    }

    async fn revoke_role(&mut self, id: UserId, message: Option<CallbackMessage>) -> Served {
        let storage = self.engine.storage.clone();
        let person = match storage.user(id).await {
            Ok(Some(p)) => p,
            Ok(None) => {
                self.cx.say("admin-person-unknown");
                return Ok(());
            }
            Err(e) => return Err(unavailable("cannot read a person", e)),
        };
        match storage.revoke_role(id).await {
            Ok(true) => {}
            Ok(false) => return self.choose_role(id, message).await,
            Err(e) => return Err(unavailable("cannot revoke a role", e)),
        }
        self.end_session_of(id).await;
        self.audit("role_revoke", id.to_string()).await;
        self.cx.actions.push(Action::Send {
            chat: ChatId(id.0),
            text: html(person.language, "role-revoked-notice"),
            keyboard: None,
        });
        self.cx.actions.push(Action::AdminMenu {
            chat: ChatId(id.0),
            admin: false,
        });
        self.choose_role(id, message).await
    }

    /// The person card's role button (full admins only: the keyboard filter
    /// removes it for others).
    pub(crate) fn role_button(&self, id: UserId) -> Vec<Button> {
        vec![Button::new(
            t(self.cx.lang(), "btn-admin-role"),
            Callback::Admin(AdminAction::Roles(RoleAction::Choose(id.0))),
        )]
    }
}

/// Whether the presser may open, block, move, export, erase or give a role to
/// person `id`. Nobody may, through the panel, when `id` is an allow-listed
/// admin (not even that admin: the configuration is their only authority). A
/// full admin may act on anyone else; a park manager only on plain staff (no
/// role) whose park was assigned to the manager's park, never one the person
/// chose themselves (ADR 0020). Storage that cannot answer means no.
pub(crate) async fn may_act_on(
    cx: &Cx,
    admins: &[i64],
    learning: &dyn LearningStore,
    roles: &dyn RoleStore,
    id: UserId,
) -> bool {
    if admins.contains(&id.0) {
        return false;
    }
    let Some(park) = cx.scope() else {
        return true;
    };
    match (learning.staff_profile(id).await, roles.role_of(id).await) {
        (Ok(staff), Ok(role)) => {
            role.is_none() && staff.park_assigned && staff.park.as_deref() == Some(park)
        }
        (Err(e), _) | (_, Err(e)) => {
            tracing::warn!(error = %e, "cannot read a person's park or role; refusing");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_first_refusals_only_powers_of_ten_are_written() {
        let audited: Vec<i64> = (0..=2000).filter(|n| is_power_of_ten(*n)).collect();
        assert_eq!(audited, vec![1, 10, 100, 1000]);
    }
}
