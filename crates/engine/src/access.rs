//! Who may use the bot at all: the gate in the pipeline, and what a stranger sees.
//!
//! The content is internal procedure, so in [`AccessMode::Invite`] (the bot's
//! default setting) only people with an access grant get past the gate:
//! allow-listed admins always, people who followed a valid invite link
//! (`/start <code>`), people whose access request an admin approved, and everyone
//! who used the bot before invites existed (granted by the migration). Anyone
//! else sees one short "this bot is for park staff" screen with a "Request access"
//! button; the request asks for their name (a dialogue), files it for the admins
//! and tells them. In [`AccessMode::Open`] everyone gets in, and is granted access
//! on their first update so that switching to invite mode later keeps them in.
//!
//! A storage failure in invite mode keeps the person out with "try again later":
//! the gate never fails open.
//!
//! The admin side (invite links, requests) is in `access/panel.rs`.

pub(crate) mod panel;

use std::time::Duration;

use domain::callback::Callback;
use domain::html::Html;
use domain::ids::{ChatId, UserId};
use domain::invite::InviteCode;
use domain::start_link::StartLink;

use crate::action::{Action, Button, Keyboard};
use crate::dialogue::{self, Dialogue};
use crate::engine::Turn;
use crate::error::{EngineError, OrUnavailable, Served, unavailable};
use crate::guard;
use crate::i18n::{html, t, t_args};
use crate::inbound::{CallbackMessage, Input};
use crate::navigation;
use crate::onboarding;
use crate::ports::{AccessRequest, ProfileField, Redemption, RequestStatus};
use crate::screens::Rendered;
use crate::settings::AccessMode;

/// Shortest and longest name accepted in an access request.
const NAME_MIN_CHARS: usize = 2;
pub const NAME_MAX_CHARS: usize = 64;
/// How long the bot waits for the name.
const NAME_WAIT: Duration = Duration::from_secs(30 * 60);
/// Requests a person may file in [`REQUEST_WINDOW`] (a rejected one can be filed
/// again, but not in a loop that pesters the admins).
const REQUESTS_PER_WINDOW: i64 = 3;
const REQUEST_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

impl Turn<'_> {
    /// The gate: `true` if the person may go on to the handlers. Otherwise the
    /// stranger's update has been answered here.
    pub(crate) async fn admitted(&mut self, input: &Input) -> Result<bool, EngineError> {
        if self.is_admin() {
            return Ok(true);
        }
        let storage = self.engine.storage.clone();
        let has_access = match self.cx.access {
            Some(known) => Ok(known),
            None => storage
                .access
                .has_access(self.cx.user.id)
                .await
                .inspect(|&known| {
                    if known {
                        self.engine.people.let_in(self.cx.user.id);
                    }
                }),
        };
        if self.engine.access == AccessMode::Open {
            if matches!(has_access, Ok(false)) {
                match storage
                    .access
                    .grant_access(self.cx.user.id, "open", self.cx.now())
                    .await
                {
                    Ok(()) => self.engine.people.let_in(self.cx.user.id),
                    Err(e) => tracing::warn!(error = %e, "cannot record open-mode access"),
                }
            }
            return Ok(true);
        }
        match has_access {
            Ok(true) => Ok(true),
            Ok(false) => {
                self.stranger(input).await?;
                Ok(false)
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot check access");
                self.refuse(input, "unavailable");
                Ok(false)
            }
        }
    }

    /// A toast for a button, a message otherwise.
    fn refuse(&mut self, input: &Input, key: &str) {
        match input {
            Input::Callback { .. } => self.cx.toast(t(self.cx.lang(), key)),
            _ => self.notify(key),
        }
    }

    fn notify(&mut self, key: &str) {
        self.cx.actions.push(Action::Send {
            chat: self.cx.chat,
            text: html(self.cx.lang(), key),
            keyboard: None,
        });
    }

    async fn stranger(&mut self, input: &Input) -> Served {
        let waiting_for_name =
            dialogue::dialogue(&self.cx, &*self.engine.state).await == Some(Dialogue::AccessName);
        match input {
            // A page's or a certificate's link (a QR code on a wall) lets nobody
            // in: the stranger sees what anyone does, with the request button.
            Input::Command { name, args }
                if name == "start"
                    && matches!(
                        StartLink::parse(args),
                        Some(StartLink::Page(_) | StartLink::Certificate(_))
                    ) =>
            {
                dialogue::end_dialogue(&self.cx, &*self.engine.state).await;
                self.staff_only(None, None).await;
            }
            Input::Command { name, args } if name == "start" && !args.is_empty() => {
                dialogue::end_dialogue(&self.cx, &*self.engine.state).await;
                self.redeem(args).await?;
            }
            Input::Command { .. } => {
                dialogue::end_dialogue(&self.cx, &*self.engine.state).await;
                self.staff_only(None, None).await;
            }
            Input::Text(text) if waiting_for_name => self.name_typed(text).await?,
            Input::Callback { data, message, .. } => {
                let press = data.as_deref().map(Callback::decode);
                if press == Some(Ok(Callback::RequestAccess)) {
                    self.ask_name(*message).await;
                } else {
                    self.staff_only(None, *message).await;
                }
            }
            _ => self.staff_only(None, None).await,
        }
        Ok(())
    }

    /// The staff-only screen, with the request button unless a request is waiting.
    async fn staff_only(&mut self, prefix: Option<Html>, message: Option<CallbackMessage>) {
        let lang = self.cx.lang();
        let request = self
            .engine
            .storage
            .access
            .access_request(self.cx.user.id)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "cannot read the access request");
                None
            });
        let mut text = prefix.map_or_else(Html::default, |mut p| {
            p.push_text("\n\n");
            p
        });
        text.push(&html(lang, "access-staff-only"));
        let mut keyboard = Keyboard::default();
        if request.is_some_and(|r| r.status == RequestStatus::Pending) {
            text.push_text("\n\n");
            text.push(&html(lang, "access-request-pending"));
        } else {
            keyboard = keyboard.row(vec![Button::new(
                t(lang, "btn-request-access"),
                Callback::RequestAccess,
            )]);
        }
        match (message, keyboard.rows.is_empty()) {
            (Some(m), false) => self.cx.show_rendered(Some(m), Rendered { text, keyboard }),
            (_, empty) => self.cx.actions.push(Action::Send {
                chat: self.cx.chat,
                text,
                keyboard: (!empty).then_some(keyboard),
            }),
        }
    }

    /// "Request access": asks for the name, unless a request is already waiting.
    async fn ask_name(&mut self, message: Option<CallbackMessage>) {
        let pending = self
            .engine
            .storage
            .access
            .access_request(self.cx.user.id)
            .await
            .is_ok_and(|r| r.is_some_and(|r| r.status == RequestStatus::Pending));
        if pending {
            self.cx.toast(t(self.cx.lang(), "access-request-already"));
            return self.staff_only(None, message).await;
        }
        dialogue::enter_dialogue_for(
            &self.cx,
            &*self.engine.state,
            Dialogue::AccessName,
            NAME_WAIT,
        )
        .await;
        let text = Html::escape(&t_args(
            self.cx.lang(),
            "access-ask-name",
            &[("max", NAME_MAX_CHARS.into())],
        ));
        self.cx.actions.push(Action::Send {
            chat: self.cx.chat,
            text,
            keyboard: None,
        });
    }

    /// The typed name: checked, rate-limited, filed, and the admins told.
    async fn name_typed(&mut self, text: &str) -> Served {
        // The same cleaning as display names: admins see this in a list.
        let name = guard::display_name(text);
        let length = name.chars().count();
        if !(NAME_MIN_CHARS..=NAME_MAX_CHARS).contains(&length) {
            let hint = Html::escape(&t_args(
                self.cx.lang(),
                "access-name-length",
                &[("max", NAME_MAX_CHARS.into())],
            ));
            self.cx.actions.push(Action::Send {
                chat: self.cx.chat,
                text: hint,
                keyboard: None,
            });
            return Ok(());
        }
        dialogue::end_dialogue(&self.cx, &*self.engine.state).await;
        let key = format!("access-requests:{}", self.cx.user.id);
        // A state store that cannot count lets the request through: the one
        // pending request per person still holds.
        let over = self
            .engine
            .state
            .incr(&key, REQUEST_WINDOW)
            .await
            .is_ok_and(|n| n > REQUESTS_PER_WINDOW);
        if over {
            metrics::counter!("trainbot_access_requests_limited_total").increment(1);
            self.notify("access-request-limit");
            return Ok(());
        }
        let filed = self
            .engine
            .storage
            .access
            .request_access(self.cx.user.id, &name, self.cx.now())
            .await;
        match filed {
            Ok(true) => {
                self.audit("access_request", format!("{}: {name}", self.cx.user.id))
                    .await;
                self.notify("access-request-sent");
                self.tell_admins(&name).await;
            }
            Ok(false) => self.notify("access-request-already"),
            Err(e) => return Err(unavailable("cannot file an access request", e)),
        }
        Ok(())
    }

    /// Tells every allow-listed admin who has used the bot (Telegram refuses
    /// messages to people who never started it) about a new request.
    async fn tell_admins(&mut self, name: &str) {
        let storage = self.engine.storage.clone();
        let who = person_line(
            name,
            &self.cx.user.first_name,
            self.cx.user.username.as_deref(),
            self.cx.user.id,
        );
        for &admin in &self.engine.admins {
            let Ok(Some(person)) = storage.records.user(UserId(admin)).await else {
                continue;
            };
            if person.inactive || person.blocked {
                continue;
            }
            let lang = person.language;
            let text = Html::escape(&t_args(
                lang,
                "admin-access-new-request",
                &[("name", who.clone().into())],
            ));
            let open = Button::new(
                t(lang, "btn-admin-open-requests"),
                Callback::Admin(domain::callback::AdminAction::Access(
                    domain::callback::AccessAction::Requests,
                )),
            );
            self.cx.actions.push(Action::Send {
                chat: ChatId(admin),
                text,
                keyboard: Some(Keyboard::default().row(vec![open])),
            });
        }
    }

    /// `/start <code>` from a stranger: a valid invite lets them in, registered
    /// into the invite's park and department; anything else is refused clearly.
    async fn redeem(&mut self, raw: &str) -> Served {
        let Some(code) = InviteCode::parse(raw) else {
            metrics::counter!("trainbot_invites_refused_total").increment(1);
            self.staff_only(Some(html(self.cx.lang(), "access-invite-invalid")), None)
                .await;
            return Ok(());
        };
        let storage = self.engine.storage.clone();
        let redeemed = storage
            .access
            .redeem_invite(code.as_str(), self.cx.user.id, self.cx.now())
            .await;
        self.engine.people.changed(self.cx.user.id).await;
        let redemption = redeemed.or_unavailable("cannot redeem an invite")?;
        let refusal = match redemption {
            Redemption::Admitted(invite) => {
                self.audit("invite_used", format!("#{}", invite.id)).await;
                // Ids the content pack no longer has are left for onboarding to ask.
                let park = invite.park.filter(|p| self.cx.pack().park(p).is_some());
                let department = invite
                    .department
                    .filter(|d| self.cx.pack().department(d).is_some());
                for field in [
                    park.map(|p| ProfileField::Park(Some(p))),
                    department.map(|d| ProfileField::Department(Some(d))),
                ]
                .into_iter()
                .flatten()
                {
                    let saved = storage
                        .learning
                        .set_profile_field(self.cx.user.id, field.clone())
                        .await;
                    self.engine.people.changed(self.cx.user.id).await;
                    if let Err(e) = saved {
                        tracing::warn!(error = %e, "cannot save the invite's profile field");
                        continue;
                    }
                    match field {
                        ProfileField::Park(p) => {
                            self.cx.staff.park = p;
                            self.cx.staff.park_assigned = true;
                        }
                        ProfileField::Department(d) => self.cx.staff.department = d,
                        ProfileField::ChosenPark(_) | ProfileField::Position(_) => {}
                    }
                }
                return self.welcome_invited().await;
            }
            Redemption::Unknown => "access-invite-invalid",
            Redemption::Expired => "access-invite-expired",
            Redemption::Revoked => "access-invite-revoked",
            Redemption::UsedUp => "access-invite-used-up",
        };
        metrics::counter!("trainbot_invites_refused_total").increment(1);
        self.staff_only(Some(html(self.cx.lang(), refusal)), None)
            .await;
        Ok(())
    }

    async fn welcome_invited(&mut self) -> Served {
        let name = self.cx.user.first_name.clone();
        let welcome = Html::escape(&t_args(
            self.cx.lang(),
            "access-invite-welcome",
            &[("name", name.into())],
        ));
        if self.cx.staff.onboarded {
            let home = crate::screens::Screen::Home;
            return navigation::send_screen(
                &mut self.cx,
                &self.engine.nav_ports(),
                Some(welcome),
                home,
            )
            .await;
        }
        onboarding::resume_onboarding(&mut self.cx, &self.engine.onboarding_ports(), welcome).await;
        Ok(())
    }
}

/// One request as a line of the admin's list: the typed name, then who typed it.
pub(crate) fn request_line(r: &AccessRequest) -> String {
    person_line(&r.name, &r.first_name, r.username.as_deref(), r.user)
}

/// "Typed name (Telegram name, @username, id)": the typed name alone proves nothing.
fn person_line(name: &str, first_name: &str, username: Option<&str>, id: UserId) -> String {
    match username {
        Some(u) => format!("{name} ({first_name}, @{u}, {id})"),
        None => format!("{name} ({first_name}, {id})"),
    }
}
