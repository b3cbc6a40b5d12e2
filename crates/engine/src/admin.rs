//! The admin panel's way in, and its guard.
//!
//! Access is an allow-listed Telegram id AND the password. The password message is
//! deleted at once and is never logged, stored or put in a metric. Failed logins lock
//! the id out (3 failures in 15 minutes: 5 minutes, doubling with each further
//! lockout, at most 24 hours), and a global counter slows everyone down when failures
//! spike. Lockouts and sessions live in the state store, so they are shared by
//! replicas and survive restarts with Redis. When the state store cannot be read,
//! login is refused: the lock never fails open.
//!
//! Every admin button goes through `Turn::admin_guard` (in `admin_router`), one
//! place: a press by a non-admin, without a live session, or after logout only
//! answers "session expired" and is written to the audit log.

use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::action::Action;
use crate::admin_panel;
use crate::audit::audit;
use crate::dialogue::{self, Dialogue};
use crate::engine::Turn;
use crate::error::{Served, unavailable};
use crate::i18n::html;
use crate::navigation;
use crate::ports::{NewPasswordError, RoleGrant};
use crate::rights::Rights;
use crate::screens::Screen;

/// Failures within [`FAILURE_WINDOW`] that lock an id.
const FAILURES_TO_LOCK: i64 = 3;
const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
const FIRST_LOCKOUT: Duration = Duration::from_secs(5 * 60);
const MAX_LOCKOUT: Duration = Duration::from_secs(24 * 60 * 60);
/// How long earlier lockouts count towards the next one's length.
const LOCKOUT_MEMORY: Duration = Duration::from_secs(24 * 60 * 60);
/// Failed logins across all ids per minute before everyone is slowed down.
const GLOBAL_FAILURES_PER_MINUTE: i64 = 30;
/// How long the bot waits for the password after /admin.
const PASSWORD_WAIT: Duration = Duration::from_secs(5 * 60);

/// The length of the `n`-th lockout (from 1): 5 minutes, doubling, at most 24 hours.
pub fn lockout_duration(n: i64) -> Duration {
    let doublings = u32::try_from(n.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    FIRST_LOCKOUT
        .saturating_mul(1u32 << doublings)
        .min(MAX_LOCKOUT)
}

enum Verdict {
    Welcome,
    Wrong { left: i64 },
    LockedNow(Duration),
    Locked,
    Busy,
    Unavailable,
}

impl Turn<'_> {
    pub(crate) fn is_admin(&self) -> bool {
        self.engine.admins.contains(&self.cx.user.id.0)
    }

    /// [`audit`] through the whole storage, for handlers not yet in a slice.
    pub(crate) async fn audit(&self, action: &str, detail: String) {
        audit(&self.cx, &*self.engine.storage.admin, action, detail).await;
    }

    /// A fingerprint of the credential the presser logs in with now: the
    /// configured admin password hash for an allow-listed admin, their own stored
    /// hash for a role holder (`grant`). A session stores it and lives only while
    /// it still matches, so a new `ADMIN_PASSWORD_HASH` or a role holder's new
    /// password ends the sessions opened before. `None`: no credential, no session.
    fn credential(&self, grant: Option<&RoleGrant>) -> Option<String> {
        let secret = if self.is_admin() {
            self.engine.password.as_ref()?.credential()
        } else {
            grant?.password_hash.clone()?
        };
        let digest = Sha256::digest(secret.as_bytes());
        Some(digest.iter().take(16).map(|b| format!("{b:02x}")).collect())
    }

    /// Opens a session bound to the presser's current credential.
    async fn open_session(&self, grant: Option<&RoleGrant>) -> bool {
        let Some(credential) = self.credential(grant) else {
            return false;
        };
        self.engine
            .state
            .put(
                &self.cx.key("session"),
                &credential,
                self.engine.session_idle,
            )
            .await
            .is_ok()
    }

    /// Whether the admin has a live session opened with the credential they have
    /// now (`grant`: their role, for a role holder); refreshes its idle timeout. A
    /// state store that cannot answer means no session.
    pub(crate) async fn session_alive(&self, grant: Option<&RoleGrant>) -> bool {
        let key = self.cx.key("session");
        match self.engine.state.get(&key).await {
            Ok(Some(opened_with)) if self.credential(grant).as_ref() == Some(&opened_with) => {
                self.open_session(grant).await
            }
            Ok(Some(_)) => {
                tracing::info!("an admin session outlived its credential; ended");
                let _ = self.engine.state.delete(&key).await;
                false
            }
            Ok(None) => false,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the admin session");
                false
            }
        }
    }

    /// `/admin`: the panel for a logged-in admin, the password prompt for an
    /// allow-listed one; anyone else gets the ordinary unknown-command answer.
    pub(crate) async fn admin_command(&mut self) -> Served {
        let (rights, grant) = self.current_rights().await;
        if rights == Rights::None {
            let unknown = html(self.cx.lang(), "unknown-command");
            return navigation::send_screen(
                &mut self.cx,
                &self.engine.nav_ports(),
                Some(unknown),
                Screen::Home,
            )
            .await;
        }
        if self.session_alive(grant.as_ref()).await {
            self.cx.rights = rights;
            let panel = admin_panel::admin_panel(&self.cx, &self.engine.panel_ports()).await;
            self.cx.send_rendered(None, panel);
            return Ok(());
        }
        // Whatever the answer, a password may follow: it is deleted on sight.
        self.engine
            .prompts
            .remember(self.cx.user.id, self.engine.state.as_ref(), self.cx.now())
            .await;
        match self.engine.state.get(&self.cx.key("lock")).await {
            Ok(None) => {}
            Ok(Some(_)) => {
                self.cx.say("admin-locked");
                return Ok(());
            }
            Err(_) => {
                self.cx.say("admin-unavailable");
                return Ok(());
            }
        }
        if grant.is_some_and(|g| g.password_hash.is_none()) {
            dialogue::enter_dialogue_for(
                &self.cx,
                &*self.engine.state,
                Dialogue::AdminNewPassword,
                PASSWORD_WAIT,
            )
            .await;
            self.say_new_password_prompt();
            return Ok(());
        }
        dialogue::enter_dialogue_for(
            &self.cx,
            &*self.engine.state,
            Dialogue::AdminPassword,
            PASSWORD_WAIT,
        )
        .await;
        self.cx.say("admin-password-prompt");
        Ok(())
    }

    fn say_new_password_prompt(&mut self) {
        let min = self.engine.hasher.as_ref().map_or(0, |h| h.min_chars());
        self.cx
            .say_args("admin-new-password-prompt", &[("max", min.into())]);
    }

    /// A typed password is deleted from the chat first.
    fn forget_typed_password(&mut self, message_id: Option<i64>) {
        if let Some(id) = message_id {
            self.cx.actions.push(Action::Delete {
                chat: self.cx.chat,
                message_id: id,
            });
        }
    }

    /// A role holder's first password: deleted first, then hashed and stored (only
    /// if none is set yet), and the session opens.
    pub(crate) async fn new_password_typed(
        &mut self,
        password: &str,
        message_id: Option<i64>,
    ) -> Served {
        self.forget_typed_password(message_id);
        dialogue::end_dialogue(&self.cx, &*self.engine.state).await;
        let (rights, grant) = self.current_rights().await;
        let (Some(grant), Some(hasher)) = (grant, self.engine.hasher.clone()) else {
            self.cx.say("admin-unavailable");
            return Ok(());
        };
        if grant.password_hash.is_some() {
            self.cx.say("admin-password-already-set");
            return Ok(());
        }
        let hash = match hasher.hash(password).await {
            Ok(hash) => hash,
            Err(NewPasswordError::TooShort { .. }) => {
                dialogue::enter_dialogue_for(
                    &self.cx,
                    &*self.engine.state,
                    Dialogue::AdminNewPassword,
                    PASSWORD_WAIT,
                )
                .await;
                self.say_new_password_prompt();
                return Ok(());
            }
            Err(NewPasswordError::Failed) => {
                self.cx.say("admin-unavailable");
                return Ok(());
            }
        };
        match self
            .engine
            .storage
            .roles
            .set_role_password(self.cx.user.id, &hash)
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                self.cx.say("admin-password-already-set");
                return Ok(());
            }
            Err(e) => return Err(unavailable("cannot store a role password", e)),
        }
        let grant = RoleGrant {
            password_hash: Some(hash),
            ..grant
        };
        if !self.open_session(Some(&grant)).await {
            self.cx.say("admin-unavailable");
            return Ok(());
        }
        self.engine
            .prompts
            .forget(self.cx.user.id, self.engine.state.as_ref())
            .await;
        self.audit("password_set", String::new()).await;
        self.audit("login", String::new()).await;
        self.cx.rights = rights;
        let panel = admin_panel::admin_panel(&self.cx, &self.engine.panel_ports()).await;
        self.cx
            .send_rendered(Some(html(self.cx.lang(), "admin-welcome")), panel);
        Ok(())
    }

    /// The typed password: deleted first, then checked.
    pub(crate) async fn password_typed(&mut self, password: &str, message_id: Option<i64>) {
        self.forget_typed_password(message_id);
        dialogue::end_dialogue(&self.cx, &*self.engine.state).await;
        match self.check_password(password).await {
            Verdict::Welcome => {
                self.engine
                    .prompts
                    .forget(self.cx.user.id, self.engine.state.as_ref())
                    .await;
                self.audit("login", String::new()).await;
                self.cx.rights = self.current_rights().await.0;
                let panel = admin_panel::admin_panel(&self.cx, &self.engine.panel_ports()).await;
                self.cx
                    .send_rendered(Some(html(self.cx.lang(), "admin-welcome")), panel);
            }
            Verdict::Wrong { left } => {
                dialogue::enter_dialogue_for(
                    &self.cx,
                    &*self.engine.state,
                    Dialogue::AdminPassword,
                    PASSWORD_WAIT,
                )
                .await;
                self.cx
                    .say_args("admin-wrong-password", &[("left", left.into())]);
            }
            Verdict::LockedNow(d) => {
                let minutes = d.as_secs().div_ceil(60);
                self.cx
                    .say_args("admin-locked-now", &[("minutes", minutes.into())]);
            }
            Verdict::Locked => self.cx.say("admin-locked"),
            Verdict::Busy => self.cx.say("admin-busy"),
            Verdict::Unavailable => self.cx.say("admin-unavailable"),
        }
    }

    /// Whether `password` is the presser's: the configured admin password for an
    /// allow-listed admin, their own for a role holder. `None` when it cannot be
    /// checked (no hash configured or stored, storage down): login then fails closed.
    /// With the verdict, the role holder's grant it was checked against (`None`
    /// for an allow-listed admin), so the session opens on that credential.
    async fn password_matches(&self, password: &str) -> Option<(bool, Option<RoleGrant>)> {
        if self.is_admin() {
            let Some(check) = self.engine.password.clone() else {
                tracing::warn!("an admin tried to log in, but ADMIN_PASSWORD_HASH is not set");
                return None;
            };
            return Some((check.matches(password).await, None));
        }
        let (_, grant) = self.current_rights().await;
        let hash = grant.as_ref()?.password_hash.clone()?;
        let hasher = self.engine.hasher.clone()?;
        Some((hasher.verify(&hash, password).await, grant))
    }

    async fn check_password(&mut self, password: &str) -> Verdict {
        let state = self.engine.state.clone();
        // Fail closed: without a readable lock state there is no login.
        let (Ok(lock), Ok(global)) = (
            state.get(&self.cx.key("lock")).await,
            state.get("adm:failures:global").await,
        ) else {
            return Verdict::Unavailable;
        };
        if lock.is_some() {
            return Verdict::Locked;
        }
        if global
            .and_then(|g| g.parse::<i64>().ok())
            .is_some_and(|g| g >= GLOBAL_FAILURES_PER_MINUTE)
        {
            tracing::warn!("admin login failures are spiking; logins paused for a minute");
            return Verdict::Busy;
        }
        let Some((matches, grant)) = self.password_matches(password).await else {
            return Verdict::Unavailable;
        };
        if matches {
            let session = self.open_session(grant.as_ref()).await;
            let _ = state.delete(&self.cx.key("failures")).await;
            let _ = state.delete(&self.cx.key("lockouts")).await;
            return if session {
                Verdict::Welcome
            } else {
                Verdict::Unavailable
            };
        }
        metrics::counter!("trainbot_admin_login_failures_total").increment(1);
        let failures = state.incr(&self.cx.key("failures"), FAILURE_WINDOW).await;
        let global = state
            .incr("adm:failures:global", Duration::from_secs(60))
            .await;
        let (Ok(failures), Ok(global)) = (failures, global) else {
            return Verdict::Unavailable;
        };
        if global == GLOBAL_FAILURES_PER_MINUTE {
            tracing::warn!(failures_last_minute = global, "admin login failures spike");
        }
        self.audit(
            "login_failed",
            format!("failure {failures} of {FAILURES_TO_LOCK}"),
        )
        .await;
        if failures < FAILURES_TO_LOCK {
            return Verdict::Wrong {
                left: FAILURES_TO_LOCK - failures,
            };
        }
        let Ok(lockouts) = state.incr(&self.cx.key("lockouts"), LOCKOUT_MEMORY).await else {
            return Verdict::Unavailable;
        };
        let duration = lockout_duration(lockouts);
        if state
            .put(&self.cx.key("lock"), "1", duration)
            .await
            .is_err()
        {
            return Verdict::Unavailable;
        }
        let _ = state.delete(&self.cx.key("failures")).await;
        metrics::counter!("trainbot_admin_lockouts_total").increment(1);
        self.audit(
            "lockout",
            format!("lockout {lockouts} for {} s", duration.as_secs()),
        )
        .await;
        Verdict::LockedNow(duration)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockouts_double_up_to_a_day() {
        assert_eq!(lockout_duration(1), Duration::from_secs(300));
        assert_eq!(lockout_duration(2), Duration::from_secs(600));
        assert_eq!(lockout_duration(3), Duration::from_secs(1200));
        assert_eq!(
            lockout_duration(9),
            Duration::from_secs(5 * 60 * 256),
            "21 h 20 min"
        );
        assert_eq!(
            lockout_duration(10),
            MAX_LOCKOUT,
            "5 min × 512 > 24 h: capped"
        );
        assert_eq!(lockout_duration(1000), MAX_LOCKOUT);
        assert_eq!(lockout_duration(0), FIRST_LOCKOUT);
        assert_eq!(lockout_duration(-5), FIRST_LOCKOUT);
    }
}
