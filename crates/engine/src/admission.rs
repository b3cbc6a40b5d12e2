//! The one guard every admin button and typed admin answer passes: the
//! presser's rights and live session, what the action needs ([`need`]), and, for
//! a park manager, that its person or park is theirs. Every refusal is audited,
//! without letting one person flood the log.

use domain::callback::AdminAction;
use domain::ids::UserId;

use crate::context::Cx;
use crate::dialogue;
use crate::engine::Turn;
use crate::ports::{LearningStore, RoleGrant, RoleStore};
use crate::rights::{Admission, Need, Rights, need, park_named, subject};

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
        match self.engine.storage.roles.role_of(self.cx.user.id).await {
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
        let storage = &self.engine.storage;
        may_act_on(
            &self.cx,
            &self.engine.admins,
            &*storage.learning,
            &*storage.roles,
            id,
        )
        .await
    }

    /// The guard for text an admin types into a dialogue, as for every admin
    /// button: without a live session the text is refused, audited and forgotten.
    pub(crate) async fn typed_input_allowed(
        &mut self,
        what: &str,
        need: Need,
        about: Option<i64>,
    ) -> bool {
        let key = match self.admit(need, about, None, what).await {
            Admission::Allowed => return true,
            Admission::Expired => "admin-session-expired",
            Admission::Forbidden => "admin-forbidden",
        };
        dialogue::end_dialogue(&self.cx, &*self.engine.state).await;
        self.cx.say(key);
        false
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
