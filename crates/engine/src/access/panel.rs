//! The admin panel's access screens: invite links (list, a four-step "new invite"
//! with buttons only, revoke) and access requests (approve, reject). Every action
//! arrives through the admin guard and is written to the audit log; the invite
//! code itself is a secret and is never put in the log (the invite's id is).
//!
//! The invite being drawn up is kept in the state store per admin, so each button
//! carries only its own choice and callback data stays far below 64 bytes.

use std::time::Duration;

use domain::callback::{AccessAction, AdminAction, Callback, Slug};
use domain::html::Html;
use domain::ids::{ChatId, UserId};
use domain::invite::InviteCode;
use domain::learning;

use crate::action::{Action, Button, Keyboard};
use crate::admin_rows::back_to_panel;
use crate::audit::audit;
use crate::context::Cx;
use crate::error::{OrUnavailable, Served, unavailable};
use crate::i18n::{html, t, t_args};
use crate::inbound::CallbackMessage;
use crate::people::People;
use crate::ports::{AccessStore, AdminStore, Invite, NewInvite, PersonRecords, StateStore};
use crate::screens::Rendered;

use super::request_line;

/// What the access panel reaches beyond the update's context.
pub(crate) struct AccessPorts<'a> {
    /// Invites and requests.
    pub(crate) access: &'a dyn AccessStore,
    /// Who asked, to tell them the answer in their language.
    pub(crate) people: &'a dyn PersonRecords,
    /// Where each view and decision is audited.
    pub(crate) audit: &'a dyn AdminStore,
    /// Where an invite being made is kept between its steps.
    pub(crate) state: &'a dyn StateStore,
    /// The copies of people kept between updates: a decision drops the person's.
    pub(crate) cache: &'a People,
    /// For invite links (`https://t.me/<bot>?start=<code>`).
    pub(crate) bot_username: Option<&'a str>,
}

/// Invites on one screen: the newest; at about 170 characters each they fit one
/// message.
const INVITES_SHOWN: u32 = 20;
/// Requests on one screen: the oldest, so deciding them brings up the next.
const REQUESTS_SHOWN: u32 = 10;
/// How long an unfinished invite is remembered.
const DRAFT_TTL: Duration = Duration::from_secs(30 * 60);
/// The lifetimes and use limits offered (0: no limit).
const DAYS: [u16; 3] = [1, 7, 30];
const USES: [u16; 4] = [1, 10, 50, 0];

/// The invite being drawn up: the choices made so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Draft {
    park: Option<String>,
    department: Option<String>,
    days: Option<u16>,
}

impl Draft {
    fn encode(&self) -> String {
        format!(
            "{}|{}|{}",
            self.park.as_deref().unwrap_or("-"),
            self.department.as_deref().unwrap_or("-"),
            self.days.map(|d| d.to_string()).unwrap_or_default()
        )
    }

    fn decode(raw: &str) -> Option<Draft> {
        let mut parts = raw.split('|');
        let slug = |s: Option<&str>| match s? {
            "-" => Some(None),
            s => Slug::parse(s).map(|s| Some(s.as_str().to_owned())),
        };
        let park = slug(parts.next())?;
        let department = slug(parts.next())?;
        let days = match parts.next()? {
            "" => None,
            d => Some(d.parse().ok()?),
        };
        parts.next().is_none().then_some(Draft {
            park,
            department,
            days,
        })
    }
}

fn access(action: AccessAction) -> Callback {
    Callback::Admin(AdminAction::Access(action))
}

/// One access action, already past the admin guard.
pub(crate) async fn admin_access(
    cx: &mut Cx,
    ports: &AccessPorts<'_>,
    action: AccessAction,
    message: Option<CallbackMessage>,
) -> Served {
    match action {
        AccessAction::Invites => admin_invites(cx, ports, None, message).await?,
        AccessAction::NewInvite => {
            save_draft(cx, ports, &Draft::default()).await;
            let screen = invite_park_step(cx);
            cx.show_rendered(message, screen);
        }
        AccessAction::InvitePark(park) => {
            let park = park.map(|p| p.as_str().to_owned());
            if park.as_deref().is_some_and(|p| cx.pack().park(p).is_none()) {
                return draft_lost(cx, ports, message).await;
            }
            save_draft(
                cx,
                ports,
                &Draft {
                    park,
                    ..Draft::default()
                },
            )
            .await;
            let screen = invite_department_step(cx);
            cx.show_rendered(message, screen);
        }
        AccessAction::InviteDepartment(department) => {
            let department = department.map(|d| d.as_str().to_owned());
            let known = department
                .as_deref()
                .is_none_or(|d| cx.pack().department(d).is_some());
            let Some(draft) = draft(cx, ports).await.filter(|_| known) else {
                return draft_lost(cx, ports, message).await;
            };
            save_draft(
                cx,
                ports,
                &Draft {
                    department,
                    days: None,
                    ..draft
                },
            )
            .await;
            let screen = invite_choice_step(
                cx,
                "admin-invite-step-days",
                DAYS.iter().map(|&d| {
                    let label = t_args(cx.lang(), "btn-admin-days", &[("days", d.into())]);
                    (label, AccessAction::InviteDays(d))
                }),
            );
            cx.show_rendered(message, screen);
        }
        AccessAction::InviteDays(days) => {
            let Some(draft) = draft(cx, ports).await.filter(|_| DAYS.contains(&days)) else {
                return draft_lost(cx, ports, message).await;
            };
            save_draft(
                cx,
                ports,
                &Draft {
                    days: Some(days),
                    ..draft
                },
            )
            .await;
            let screen = invite_choice_step(
                cx,
                "admin-invite-step-uses",
                USES.iter().map(|&n| {
                    let label = match n {
                        0 => t(cx.lang(), "btn-admin-uses-unlimited"),
                        n => t_args(cx.lang(), "btn-admin-uses", &[("n", n.into())]),
                    };
                    (label, AccessAction::InviteUses(n))
                }),
            );
            cx.show_rendered(message, screen);
        }
        AccessAction::InviteUses(uses) => create_invite(cx, ports, uses, message).await?,
        AccessAction::Revoke(id) => {
            let revoked = ports
                .access
                .revoke_invite(id, cx.now())
                .await
                .or_unavailable("cannot revoke an invite")?;
            let key = if revoked {
                audit(cx, ports.audit, "invite_revoke", format!("#{id}")).await;
                "admin-invite-revoked"
            } else {
                "admin-invite-not-revoked"
            };
            let note = Html::escape(&t_args(cx.lang(), key, &[("n", id.into())]));
            admin_invites(cx, ports, Some(note), message).await?;
        }
        AccessAction::Requests => admin_requests(cx, ports, None, message).await?,
        AccessAction::Approve(user) => decide(cx, ports, UserId(user), true, message).await?,
        AccessAction::Reject(user) => decide(cx, ports, UserId(user), false, message).await?,
    }
    Ok(())
}

/// The panel's access row: invites, and the requests with how many wait.
pub(crate) async fn access_panel_row(cx: &Cx, ports: &AccessPorts<'_>) -> Vec<Button> {
    let lang = cx.lang();
    let requests = match ports.access.count_pending_requests().await {
        Ok(n) => t_args(lang, "btn-admin-requests", &[("n", n.into())]),
        Err(e) => {
            tracing::warn!(error = %e, "cannot count access requests");
            t(lang, "btn-admin-requests-unknown")
        }
    };
    vec![
        Button::new(t(lang, "btn-admin-invites"), access(AccessAction::Invites)),
        Button::new(requests, access(AccessAction::Requests)),
    ]
}

fn draft_key(cx: &Cx) -> String {
    format!("adm:invite-draft:{}", cx.user.id)
}

async fn save_draft(cx: &Cx, ports: &AccessPorts<'_>, draft: &Draft) {
    if let Err(e) = ports
        .state
        .put(&draft_key(cx), &draft.encode(), DRAFT_TTL)
        .await
    {
        tracing::warn!(error = %e, "cannot save the invite being drawn up");
    }
}

async fn draft(cx: &Cx, ports: &AccessPorts<'_>) -> Option<Draft> {
    match ports.state.get(&draft_key(cx)).await {
        Ok(raw) => raw.as_deref().and_then(Draft::decode),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the invite being drawn up");
            None
        }
    }
}

/// A step pressed out of order, after the draft expired, or for a park or
/// department the pack no longer has: start again from the list.
async fn draft_lost(
    cx: &mut Cx,
    ports: &AccessPorts<'_>,
    message: Option<CallbackMessage>,
) -> Served {
    let note = html(cx.lang(), "admin-invite-draft-lost");
    admin_invites(cx, ports, Some(note), message).await
}

fn invite_park_step(cx: &Cx) -> Rendered {
    let lang = cx.lang();
    let parks = cx.pack().parks().iter().filter_map(|p| {
        Slug::parse(&p.id).map(|s| (p.name.get(lang).clone(), AccessAction::InvitePark(Some(s))))
    });
    let any = (
        t(lang, "btn-admin-any-park"),
        AccessAction::InvitePark(None),
    );
    invite_choice_step(cx, "admin-invite-step-park", parks.chain([any]))
}

fn invite_department_step(cx: &Cx) -> Rendered {
    let lang = cx.lang();
    let departments = cx.pack().departments().iter().filter_map(|d| {
        Slug::parse(&d.id).map(|s| {
            (
                d.name.get(lang).clone(),
                AccessAction::InviteDepartment(Some(s)),
            )
        })
    });
    let any = (
        t(lang, "btn-admin-any-department"),
        AccessAction::InviteDepartment(None),
    );
    invite_choice_step(cx, "admin-invite-step-department", departments.chain([any]))
}

/// A step of the new invite: a question, one button per choice (two a row),
/// and a way back to the list.
fn invite_choice_step(
    cx: &Cx,
    question: &str,
    choices: impl Iterator<Item = (String, AccessAction)>,
) -> Rendered {
    let buttons: Vec<Button> = choices
        .map(|(label, action)| Button::new(label, access(action)))
        .collect();
    let mut keyboard = Keyboard::default();
    for pair in buttons.chunks(2) {
        keyboard = keyboard.row(pair.to_vec());
    }
    keyboard = keyboard.row(vec![Button::new(
        t(cx.lang(), "btn-admin-invites"),
        access(AccessAction::Invites),
    )]);
    Rendered {
        text: Html::bold(&html(cx.lang(), question)),
        keyboard,
    }
}

async fn create_invite(
    cx: &mut Cx,
    ports: &AccessPorts<'_>,
    uses: u16,
    message: Option<CallbackMessage>,
) -> Served {
    let draft = draft(cx, ports).await;
    let Some((draft, days)) = draft
        .and_then(|d| d.days.map(|days| (d, days)))
        .filter(|_| USES.contains(&uses))
    else {
        return draft_lost(cx, ports, message).await;
    };
    let now = cx.now();
    let invite = NewInvite {
        code: InviteCode::from_random(rand::random()).to_string(),
        park: draft.park,
        department: draft.department,
        created_by: cx.user.id,
        created_at: now,
        expires_at: now + time::Duration::days(i64::from(days)),
        max_uses: (uses > 0).then_some(u32::from(uses)),
    };
    let created = ports
        .access
        .create_invite(&invite)
        .await
        .or_unavailable("cannot create an invite")?;
    let _ = ports.state.delete(&draft_key(cx)).await;
    audit(
        cx,
        ports.audit,
        "invite_create",
        format!(
            "#{} park={} department={} days={days} uses={}",
            created.id,
            created.park.as_deref().unwrap_or("any"),
            created.department.as_deref().unwrap_or("any"),
            created.max_uses.map_or("any".to_owned(), |n| n.to_string()),
        ),
    )
    .await;
    let lang = cx.lang();
    let mut text = Html::bold(&Html::escape(&t_args(
        lang,
        "admin-invite-created",
        &[("n", created.id.into())],
    )));
    text.push_text("\n\n");
    text.push(&invite_card(cx, ports, &created));
    let keyboard = Keyboard::default().row(vec![
        Button::new(t(lang, "btn-admin-invites"), access(AccessAction::Invites)),
        Button::new(
            t(lang, "btn-admin-panel"),
            Callback::Admin(AdminAction::Panel),
        ),
    ]);
    cx.show_rendered(message, Rendered { text, keyboard });
    Ok(())
}

/// The link that lets a person in: a `t.me` deep link when the bot knows its
/// username, otherwise the command to type.
fn invite_link(ports: &AccessPorts<'_>, code: &str) -> String {
    domain::start_link::url(ports.bot_username, code)
}

/// An invite's binding, uses, expiry and link.
fn invite_card(cx: &Cx, ports: &AccessPorts<'_>, invite: &Invite) -> Html {
    let lang = cx.lang();
    let park = invite
        .park
        .as_deref()
        .and_then(|p| cx.pack().park(p))
        .map_or_else(
            || t(lang, "admin-invite-any-park"),
            |p| p.name.get(lang).clone(),
        );
    let department = invite
        .department
        .as_deref()
        .and_then(|d| cx.pack().department(d))
        .map_or_else(
            || t(lang, "admin-invite-any-department"),
            |d| d.name.get(lang).clone(),
        );
    let uses = match invite.max_uses {
        Some(max) => t_args(
            lang,
            "admin-invite-uses",
            &[("n", invite.uses.into()), ("total", max.into())],
        ),
        None => t_args(
            lang,
            "admin-invite-uses-unlimited",
            &[("n", invite.uses.into())],
        ),
    };
    let until = t_args(
        lang,
        "admin-invite-until",
        &[(
            "when",
            learning::local_date_time(invite.expires_at, cx.timezone()).into(),
        )],
    );
    let mut card = Html::bold(&Html::escape(&format!("#{}", invite.id)));
    card.push_text(&format!(" · {park} · {department}\n{uses} · {until}\n"));
    card.push(&Html::code(&invite_link(ports, &invite.code)));
    card
}

async fn admin_invites(
    cx: &mut Cx,
    ports: &AccessPorts<'_>,
    note: Option<Html>,
    message: Option<CallbackMessage>,
) -> Served {
    let lang = cx.lang();
    let invites = ports
        .access
        .active_invites(cx.now(), INVITES_SHOWN)
        .await
        .or_unavailable("cannot list invites")?;
    audit(cx, ports.audit, "view_invites", String::new()).await;
    let mut text = note.map_or_else(Html::default, |mut n| {
        n.push_text("\n\n");
        n
    });
    text.push(&Html::bold(&html(lang, "admin-invites-title")));
    if invites.is_empty() {
        text.push_text("\n");
        text.push(&html(lang, "admin-invites-empty"));
    }
    let mut keyboard = Keyboard::default();
    let mut revokes = Vec::new();
    for invite in &invites {
        text.push_text("\n\n");
        text.push(&invite_card(cx, ports, invite));
        revokes.push(Button::new(
            t_args(lang, "btn-admin-revoke", &[("n", invite.id.into())]),
            access(AccessAction::Revoke(invite.id)),
        ));
    }
    for pair in revokes.chunks(2) {
        keyboard = keyboard.row(pair.to_vec());
    }
    keyboard = keyboard
        .row(vec![Button::new(
            t(lang, "btn-admin-new-invite"),
            access(AccessAction::NewInvite),
        )])
        .row(back_to_panel(cx.lang()));
    cx.show_rendered(message, Rendered { text, keyboard });
    Ok(())
}

async fn admin_requests(
    cx: &mut Cx,
    ports: &AccessPorts<'_>,
    note: Option<Html>,
    message: Option<CallbackMessage>,
) -> Served {
    let lang = cx.lang();
    let (requests, total) = match (
        ports.access.pending_requests(REQUESTS_SHOWN).await,
        ports.access.count_pending_requests().await,
    ) {
        (Ok(r), Ok(n)) => (r, n),
        (Err(e), _) | (_, Err(e)) => return Err(unavailable("cannot list requests", e)),
    };
    audit(cx, ports.audit, "view_requests", String::new()).await;
    let tz = cx.timezone().to_owned();
    let mut text = note.map_or_else(Html::default, |mut n| {
        n.push_text("\n\n");
        n
    });
    text.push(&Html::bold(&Html::escape(&t_args(
        lang,
        "admin-requests-title",
        &[("total", total.into())],
    ))));
    if requests.is_empty() {
        text.push_text("\n");
        text.push(&html(lang, "admin-requests-empty"));
    }
    let mut keyboard = Keyboard::default();
    for r in &requests {
        let when = learning::local_date_time(r.requested_at, &tz);
        text.push_text(&format!("\n\n• {} · {when}", request_line(r)));
        let short: String = r.name.chars().take(30).collect();
        keyboard = keyboard.row(vec![
            Button::new(
                t_args(lang, "btn-admin-approve", &[("name", short.into())]),
                access(AccessAction::Approve(r.user.0)),
            ),
            Button::new(
                t(lang, "btn-admin-reject"),
                access(AccessAction::Reject(r.user.0)),
            ),
        ]);
    }
    keyboard = keyboard.row(back_to_panel(cx.lang()));
    cx.show_rendered(message, Rendered { text, keyboard });
    Ok(())
}

/// Approves or rejects a pending request, tells the person, audits it. A
/// request someone else decided first is left as it is.
async fn decide(
    cx: &mut Cx,
    ports: &AccessPorts<'_>,
    user: UserId,
    approve: bool,
    message: Option<CallbackMessage>,
) -> Served {
    let request = ports
        .access
        .access_request(user)
        .await
        .or_unavailable("cannot read an access request")?;
    let decided = match &request {
        Some(_) => {
            let decided = ports
                .access
                .decide_request(user, approve, cx.user.id, cx.now())
                .await;
            ports.cache.changed(user).await;
            decided
        }
        None => Ok(false),
    };
    let decided = decided.or_unavailable("cannot decide an access request")?;
    let lang = cx.lang();
    let note = match request.filter(|_| decided) {
        None => html(lang, "admin-request-decided"),
        Some(request) => {
            let (action, admin_key, person_key) = if approve {
                (
                    "access_approve",
                    "admin-request-approved",
                    "access-approved",
                )
            } else {
                ("access_reject", "admin-request-rejected", "access-rejected")
            };
            audit(cx, ports.audit, action, request_line(&request)).await;
            let person_lang = match ports.people.user(user).await {
                Ok(Some(p)) => p.language,
                _ => lang,
            };
            cx.actions.push(Action::Send {
                chat: ChatId(user.0),
                text: html(person_lang, person_key),
                keyboard: None,
            });
            Html::escape(&t_args(lang, admin_key, &[("name", request.name.into())]))
        }
    };
    admin_requests(cx, ports, Some(note), message).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_round_trip_and_refuse_garbage() {
        for draft in [
            Draft::default(),
            Draft {
                park: Some("zelenopark".into()),
                department: None,
                days: Some(7),
            },
            Draft {
                park: None,
                department: Some("bar".into()),
                days: None,
            },
        ] {
            assert_eq!(Draft::decode(&draft.encode()), Some(draft));
        }
        for raw in ["", "-|-", "-|-|x", "-|-|1|2", "Bad|-|", "a|b|70000"] {
            assert_eq!(Draft::decode(raw), None, "{raw:?}");
        }
    }
}
