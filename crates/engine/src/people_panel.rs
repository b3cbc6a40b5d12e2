//! The panel's people: the list (by status, park and department, a page at a
//! time), a person's card, and blocking or unblocking them with a reason.

use std::time::Duration;

use domain::callback::{AdminAction, Callback, ListStatus, LookupAction, PeopleView};
use domain::html::Html;
use domain::ids::{ChatId, UserId};
use domain::learning;

use crate::action::{Action, Button, Keyboard};
use crate::admin_rows::{
    PEOPLE_PAGE, back_to_panel, full_name, person_button, placement_filter_row, placement_row,
};
use crate::audit::audit;
use crate::context::Cx;
use crate::dialogue::{self, Dialogue};
use crate::error::{Served, unavailable};
use crate::i18n::{html, t, t_args};
use crate::inbound::CallbackMessage;
use crate::people::People;
use crate::ports::{
    AdminStore, LearningStore, LookupStore, PeopleFilter, PersonRecords, PersonalDataStore,
    StateStore,
};
use crate::privacy;
use crate::roles;
use crate::screens::Rendered;

/// What the people screens reach beyond the update's context.
pub(crate) struct PeoplePorts<'a> {
    /// Who a person is, and their block.
    pub(crate) records: &'a dyn PersonRecords,
    /// Their profile, pages read and checks.
    pub(crate) learning: &'a dyn LearningStore,
    /// The lists and their counts.
    pub(crate) lookup: &'a dyn LookupStore,
    /// A deletion request, for the person card.
    pub(crate) personal: &'a dyn PersonalDataStore,
    /// Where each view and block is audited.
    pub(crate) audit: &'a dyn AdminStore,
    /// Where the step the bot waits on is kept.
    pub(crate) state: &'a dyn StateStore,
    /// The copies of people kept between updates: a block drops the person's.
    pub(crate) cache: &'a People,
}
/// Longest block reason kept.
const REASON_MAX_CHARS: usize = 200;
/// How long the bot waits for a block reason.
pub(crate) const REASON_WAIT: Duration = Duration::from_secs(5 * 60);

/// A typed block reason, once the router's guard let it through.
pub(crate) async fn block_reason_typed(
    cx: &mut Cx,
    ports: &PeoplePorts<'_>,
    target: i64,
    text: &str,
) -> Served {
    let reason = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if reason.is_empty() || reason.chars().count() > REASON_MAX_CHARS {
        dialogue::enter_dialogue_for(
            cx,
            ports.state,
            Dialogue::BlockReason { target },
            REASON_WAIT,
        )
        .await;
        cx.say_args(
            "admin-block-reason-length",
            &[("max", REASON_MAX_CHARS.into())],
        );
        return Ok(());
    }
    set_person_blocked(cx, ports, UserId(target), Some(reason), None).await
}

/// Blocks (with a reason) or unblocks a person, tells them once, audits it.
pub(crate) async fn set_person_blocked(
    cx: &mut Cx,
    ports: &PeoplePorts<'_>,
    target: UserId,
    reason: Option<String>,
    message: Option<CallbackMessage>,
) -> Served {
    let person = match ports.records.user(target).await {
        Ok(Some(person)) => person,
        Ok(None) => {
            cx.say("admin-person-unknown");
            return Ok(());
        }
        Err(e) => return Err(unavailable("cannot read a person", e)),
    };
    let set = ports.records.set_blocked(target, reason.is_some()).await;
    ports.cache.changed(target).await;
    if let Err(e) = set {
        return Err(unavailable("cannot block or unblock", e));
    }
    let (action, key) = match &reason {
        Some(_) => ("block", "person-blocked-notice"),
        None => ("unblock", "person-unblocked-notice"),
    };
    audit(
        cx,
        ports.audit,
        action,
        format!("{target}: {}", reason.clone().unwrap_or_default()),
    )
    .await;
    let mut notice = Html::escape(&t(person.language, key));
    if let Some(reason) = &reason {
        notice.push_text("\n");
        notice.push_text(&t_args(
            person.language,
            "person-blocked-reason",
            &[("reason", reason.clone().into())],
        ));
    }
    cx.actions.push(Action::Send {
        chat: ChatId(target.0),
        text: notice,
        keyboard: None,
    });
    admin_person(cx, ports, target, message).await
}

/// The people list: `view` as the buttons carry it, `filter` as storage reads it.
pub(crate) async fn admin_people(
    cx: &mut Cx,
    ports: &PeoplePorts<'_>,
    view: PeopleView,
    filter: PeopleFilter,
    message: Option<CallbackMessage>,
) -> Served {
    let lang = cx.lang();
    let (people, total) = match (
        ports
            .lookup
            .filtered_people(&filter, view.after.map(UserId), PEOPLE_PAGE)
            .await,
        ports.lookup.count_filtered_people(&filter).await,
    ) {
        (Ok(p), Ok(n)) => (p, n),
        (Err(e), _) | (_, Err(e)) => return Err(unavailable("cannot list people", e)),
    };
    let mut text = Html::bold(&Html::escape(&t_args(
        lang,
        "admin-people-title",
        &[("total", total.into())],
    )));
    if people.is_empty() {
        text.push_text("\n");
        text.push(&html(lang, "admin-people-empty"));
    }
    let filters = ListStatus::ALL
        .into_iter()
        .map(|s| {
            let label = t(lang, &format!("admin-filter-{}", status_key(s)));
            let label = if s == view.status {
                format!("• {label}")
            } else {
                label
            };
            let status = PeopleView {
                status: s,
                after: None,
                ..view
            };
            Button::new(label, people_view(status))
        })
        .collect();
    let mut keyboard = Keyboard::default()
        .row(filters)
        .row(placement_filter_row(cx, view, &filter));
    for p in &people {
        keyboard = keyboard.row(vec![person_button(p)]);
    }
    if people.len() == PEOPLE_PAGE as usize
        && let Some(last) = people.last()
    {
        let next = people_view(PeopleView {
            after: Some(last.id.0),
            ..view
        });
        keyboard = keyboard.row(vec![Button::new(t(lang, "btn-next"), next)]);
    }
    keyboard = keyboard.row(back_to_panel(cx.lang()));
    cx.show_rendered(message, Rendered { text, keyboard });
    Ok(())
}

pub(crate) async fn admin_person(
    cx: &mut Cx,
    ports: &PeoplePorts<'_>,
    id: UserId,
    message: Option<CallbackMessage>,
) -> Served {
    let lang = cx.lang();
    let (person, staff) = match (
        ports.records.user(id).await,
        ports.learning.staff_profile(id).await,
    ) {
        (Ok(Some(p)), Ok(s)) => (p, s),
        (Ok(None), _) => {
            cx.say("admin-person-unknown");
            return Ok(());
        }
        (Err(e), _) | (_, Err(e)) => return Err(unavailable("cannot read a person", e)),
    };
    audit(cx, ports.audit, "view_person", id.to_string()).await;
    let tz = cx.timezone().to_owned();
    let unset = t(lang, "profile-unset");
    let mut text = Html::bold(&Html::escape(&full_name(
        &person.first_name,
        person.last_name.as_deref(),
    )));
    let park = staff
        .park
        .as_deref()
        .and_then(|p| cx.pack().park(p))
        .map_or(unset.clone(), |p| p.name.get(lang).clone());
    let department = staff
        .department
        .as_deref()
        .and_then(|d| cx.pack().department(d))
        .map_or(unset.clone(), |d| d.name.get(lang).clone());
    let status = if person.blocked {
        "admin-status-blocked"
    } else if person.inactive {
        "admin-status-inactive"
    } else {
        "admin-status-active"
    };
    let pages = ports
        .learning
        .pages_read(id)
        .await
        .map(|p| p.len())
        .unwrap_or_default();
    for (key, value) in [
        ("admin-person-id", person.id.to_string()),
        (
            "admin-person-username",
            person
                .username
                .as_deref()
                .map(|u| format!("@{u}"))
                .unwrap_or(unset.clone()),
        ),
        ("profile-park", park),
        ("profile-department", department),
        (
            "profile-position",
            staff.position.clone().unwrap_or(unset.clone()),
        ),
        (
            "admin-person-first-seen",
            learning::local_date_time(person.first_seen, &tz),
        ),
        (
            "admin-person-last-seen",
            learning::local_date_time(person.last_seen, &tz),
        ),
        ("admin-person-status", t(lang, status)),
        ("admin-person-pages", pages.to_string()),
    ] {
        text.push_text(&format!("\n{}: {value}", t(lang, key)));
    }
    for quiz in cx.pack().quizzes() {
        let Ok(attempts) = ports.learning.quiz_attempts(id, &quiz.id).await else {
            continue;
        };
        let finished: Vec<_> = attempts.iter().filter_map(|a| a.result.as_ref()).collect();
        if let Some(best) = finished
            .iter()
            .max_by_key(|r| learning::percent(r.score, r.max_score))
        {
            let mark = if finished.iter().any(|r| r.passed) {
                "✅"
            } else {
                "❌"
            };
            let percent = learning::percent(best.score, best.max_score);
            text.push_text(&format!(
                "\n{mark} {}: {percent}% ({})",
                quiz.title.get(lang),
                finished.len()
            ));
        }
    }
    let privacy = privacy::person_card_part(cx, ports.personal, id, &mut text).await;
    let toggle = if person.blocked {
        Button::new(
            t(lang, "btn-admin-unblock"),
            Callback::Admin(AdminAction::Unblock(id.0)),
        )
    } else {
        Button::new(
            t(lang, "btn-admin-block"),
            Callback::Admin(AdminAction::Block(id.0)),
        )
    };
    let all = Callback::Admin(AdminAction::People {
        status: ListStatus::Any,
        after: None,
    });
    let keyboard = Keyboard::default()
        .row(vec![toggle])
        .row(placement_row(cx, id))
        .row(privacy)
        .row(roles::role_button(cx, id))
        .row(vec![
            Button::new(t(lang, "btn-admin-people"), all),
            Button::new(
                t(lang, "btn-admin-panel"),
                Callback::Admin(AdminAction::Panel),
            ),
        ]);
    cx.show_rendered(message, Rendered { text, keyboard });
    Ok(())
}

fn people_view(view: PeopleView) -> Callback {
    Callback::Admin(AdminAction::Lookup(LookupAction::People(view)))
}

fn status_key(s: ListStatus) -> &'static str {
    match s {
        ListStatus::Any => "any",
        ListStatus::Active => "active",
        ListStatus::Blocked => "blocked",
        ListStatus::Inactive => "inactive",
    }
}
