//! Personal data: what a person can see and ask for (/privacy, a deletion
//! request), and what an admin can do about it (the person card's deletion mark,
//! a person's data export, erasure with a confirm step).
//!
//! A deletion request is stored once (repeat presses change nothing), written to
//! the audit log with the person as actor, and shown on their card; an admin
//! erases. Erasure deletes what names the person and keeps their activity and
//! results for statistics under an erasure number (see
//! `docs/adr/0012-exports-and-personal-data.md`); the audit entry holds the id,
//! never the name. A person who writes again afterwards is a new person.

use domain::callback::{AdminAction, Callback, FileFormat};
use domain::html::Html;
use domain::ids::{ChatId, UserId};
use domain::learning;

use crate::action::{Action, Button, Keyboard};
use crate::admin_rows::back_to_panel;
use crate::admin_rows::{PEOPLE_PAGE, full_name, person_button};
use crate::audit::audit;
use crate::context::Cx;
use crate::error::{OrUnavailable, Served, unavailable};
use crate::i18n::{html, t, t_args};
use crate::inbound::CallbackMessage;
use crate::people::People;
use crate::ports::{AdminStore, PersonRecords, PersonalDataStore};
use crate::screens::Rendered;

/// What the privacy slice reaches beyond the update's context.
pub(crate) struct PrivacyPorts<'a> {
    /// What is stored about people, their deletion requests, erasure.
    pub(crate) data: &'a dyn PersonalDataStore,
    /// Whom an id names.
    pub(crate) people: &'a dyn PersonRecords,
    /// Where requests, views and erasures are audited.
    pub(crate) audit: &'a dyn AdminStore,
    /// The copies of people kept between updates: an erasure drops the person's.
    pub(crate) cache: &'a People,
}

/// /privacy: what is stored about the person, and the deletion request.
pub(crate) async fn show(
    cx: &mut Cx,
    ports: &PrivacyPorts<'_>,
    message: Option<CallbackMessage>,
) -> Served {
    let id = cx.user.id;
    let (counts, requested) = match (
        ports.data.stored_counts(id).await,
        ports.data.deletion_requested(id).await,
    ) {
        (Ok(c), Ok(r)) => (c, r),
        (Err(e), _) | (_, Err(e)) => return Err(unavailable("cannot read personal data", e)),
    };
    let lang = cx.lang();
    let tz = cx.timezone().to_owned();
    let unset = t(lang, "profile-unset");
    let name = full_name(&cx.user.first_name, cx.user.last_name.as_deref());
    let mut text = Html::bold(&html(lang, "privacy-title"));
    text.push_text("\n");
    text.push(&html(lang, "privacy-intro"));
    text.push_text("\n");
    for (key, value) in [
        ("privacy-telegram-id", id.to_string()),
        ("profile-name", name),
        (
            "admin-person-username",
            cx.user
                .username
                .as_deref()
                .map_or(unset.clone(), |u| format!("@{u}")),
        ),
        ("profile-language", t(lang, "language-name")),
        ("profile-park", park_name(cx, cx.staff.park.as_deref())),
        (
            "profile-department",
            department_name(cx, cx.staff.department.as_deref()),
        ),
        (
            "profile-position",
            cx.staff.position.clone().unwrap_or(unset.clone()),
        ),
        (
            "admin-person-first-seen",
            learning::local_date_time(cx.user.first_seen, &tz),
        ),
        (
            "admin-person-last-seen",
            learning::local_date_time(cx.user.last_seen, &tz),
        ),
        ("privacy-activity", counts.activity.to_string()),
        ("privacy-attempts", counts.attempts.to_string()),
        ("privacy-answers", counts.answers.to_string()),
        ("privacy-reviews", counts.reviews.to_string()),
        ("privacy-certificates", counts.certificates.to_string()),
    ] {
        text.push_text(&format!("\n{}: {value}", t(lang, key)));
    }
    text.push_text("\n\n");
    let mut keyboard = Keyboard::default();
    match requested {
        Some(at) => text.push_text(&t_args(
            lang,
            "privacy-deletion-pending",
            &[("date", learning::local_date_time(at, &tz).into())],
        )),
        None => {
            text.push(&html(lang, "privacy-deletion-explained"));
            keyboard = keyboard.row(vec![Button::new(
                t(lang, "btn-request-deletion"),
                Callback::RequestDeletion,
            )]);
        }
    }
    keyboard = keyboard.row(vec![Button::new(t(lang, "btn-home"), Callback::Home)]);
    cx.show_rendered(message, Rendered { text, keyboard });
    Ok(())
}

/// "Request deletion": stored and audited once; the screen then says what
/// happens next.
pub(crate) async fn request_deletion(
    cx: &mut Cx,
    ports: &PrivacyPorts<'_>,
    message: Option<CallbackMessage>,
) -> Served {
    let now = cx.now();
    match ports.data.request_deletion(cx.user.id, now).await {
        Ok(true) => {
            audit(cx, ports.audit, "deletion_request", String::new()).await;
            cx.toast(t(cx.lang(), "privacy-deletion-received"));
        }
        Ok(false) => {}
        Err(e) => {
            tracing::error!(error = %e, "cannot store a deletion request");
            cx.toast(t(cx.lang(), "unavailable"));
            return Ok(());
        }
    }
    show(cx, ports, message).await
}

fn park_name(cx: &Cx, park: Option<&str>) -> String {
    park.and_then(|p| cx.pack().park(p)).map_or_else(
        || t(cx.lang(), "profile-unset"),
        |p| p.name.get(cx.lang()).clone(),
    )
}

fn department_name(cx: &Cx, department: Option<&str>) -> String {
    department
        .and_then(|d| cx.pack().department(d))
        .map_or_else(
            || t(cx.lang(), "profile-unset"),
            |d| d.name.get(cx.lang()).clone(),
        )
}

/// The person card's personal-data part: a line when deletion was requested,
/// and the "Export data" and "Erase" buttons.
pub(crate) async fn person_card_part(
    cx: &Cx,
    data: &dyn PersonalDataStore,
    id: UserId,
    text: &mut Html,
) -> Vec<Button> {
    let lang = cx.lang();
    match data.deletion_requested(id).await {
        Ok(Some(at)) => {
            let when = learning::local_date_time(at, cx.timezone());
            text.push_text("\n");
            text.push(&Html::bold(&Html::escape(&t_args(
                lang,
                "admin-person-deletion-requested",
                &[("date", when.into())],
            ))));
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "cannot read a deletion request"),
    }
    vec![
        Button::new(
            t(lang, "btn-admin-export-person"),
            Callback::Admin(AdminAction::ExportPerson(id.0, FileFormat::Csv)),
        ),
        Button::new(
            t(lang, "btn-admin-export-person-xlsx"),
            Callback::Admin(AdminAction::ExportPerson(id.0, FileFormat::Xlsx)),
        ),
        Button::new(
            t(lang, "btn-admin-erase"),
            Callback::Admin(AdminAction::Erase(id.0)),
        ),
    ]
}

/// Asks the admin to confirm erasing a person.
pub(crate) async fn erase_confirm(
    cx: &mut Cx,
    people: &dyn PersonRecords,
    id: UserId,
    message: Option<CallbackMessage>,
) -> Served {
    let person = match people.user(id).await {
        Ok(Some(p)) => p,
        Ok(None) => {
            cx.say("admin-person-unknown");
            return Ok(());
        }
        Err(e) => return Err(unavailable("cannot read a person", e)),
    };
    let lang = cx.lang();
    let name = full_name(&person.first_name, person.last_name.as_deref());
    let text = Html::escape(&t_args(
        lang,
        "admin-erase-confirm",
        &[("name", name.into()), ("id", id.0.to_string().into())],
    ));
    let keyboard = Keyboard::default().row(vec![
        Button::new(
            t(lang, "btn-admin-erase-confirm"),
            Callback::Admin(AdminAction::EraseConfirmed(id.0)),
        ),
        Button::new(
            t(lang, "btn-admin-back-person"),
            Callback::Admin(AdminAction::Person(id.0)),
        ),
    ]);
    cx.show_rendered(message, Rendered { text, keyboard });
    Ok(())
}

/// Erases a person, audits it by id and tells them (in their language) that
/// their data is gone.
pub(crate) async fn erase(
    cx: &mut Cx,
    ports: &PrivacyPorts<'_>,
    id: UserId,
    message: Option<CallbackMessage>,
) -> Served {
    let language = match ports.people.user(id).await {
        Ok(Some(p)) => p.language,
        Ok(None) => {
            cx.say("admin-person-unknown");
            return Ok(());
        }
        Err(e) => return Err(unavailable("cannot read a person", e)),
    };
    let erased = ports.data.erase_person(id, cx.now()).await;
    ports.cache.changed(id).await;
    let erasure = match erased {
        Ok(Some(erasure)) => erasure,
        Ok(None) => {
            cx.say("admin-person-unknown");
            return Ok(());
        }
        Err(e) => return Err(unavailable("cannot erase a person", e)),
    };
    // The erasure number is not audited: it would link the anonymised rows back
    // to the id.
    audit(cx, ports.audit, "erase", id.to_string()).await;
    metrics::counter!("trainbot_erasures_total").increment(1);
    let lang = cx.lang();
    let text = Html::escape(&t_args(
        lang,
        "admin-erased",
        &[
            ("id", id.0.to_string().into()),
            ("activity", erasure.activity.into()),
            ("attempts", erasure.attempts.into()),
        ],
    ));
    let keyboard = Keyboard::default().row(vec![Button::new(
        t(lang, "btn-admin-panel"),
        Callback::Admin(AdminAction::Panel),
    )]);
    cx.show_rendered(message, Rendered { text, keyboard });
    if id != cx.user.id {
        cx.actions.push(Action::Send {
            chat: ChatId(id.0),
            text: html(language, "privacy-erased-notice"),
            keyboard: None,
        });
    }
    Ok(())
}

/// The people who asked for their data to be deleted (full admins only), a
/// page at a time; each opens the card with the erase button.
pub(crate) async fn deletions(
    cx: &mut Cx,
    ports: &PrivacyPorts<'_>,
    after: Option<i64>,
    message: Option<CallbackMessage>,
) -> Served {
    let lang = cx.lang();
    let people = ports
        .data
        .pending_deletions(after.map(UserId), PEOPLE_PAGE)
        .await
        .or_unavailable("cannot list deletion requests")?;
    audit(cx, ports.audit, "view_deletions", String::new()).await;
    let mut text = Html::bold(&html(lang, "admin-deletions-title"));
    text.push_text("\n");
    text.push(&html(
        lang,
        if people.is_empty() && after.is_none() {
            "admin-deletions-none"
        } else {
            "admin-deletions-help"
        },
    ));
    let mut keyboard = Keyboard::default();
    for p in &people {
        keyboard = keyboard.row(vec![person_button(p)]);
    }
    if people.len() == PEOPLE_PAGE as usize
        && let Some(last) = people.last()
    {
        let next = Callback::Admin(AdminAction::Deletions {
            after: Some(last.id.0),
        });
        keyboard = keyboard.row(vec![Button::new(t(lang, "btn-next"), next)]);
    }
    keyboard = keyboard.row(back_to_panel(cx.lang()));
    cx.show_rendered(message, Rendered { text, keyboard });
    Ok(())
}
