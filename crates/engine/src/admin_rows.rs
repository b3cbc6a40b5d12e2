//! What the admin panel's screens share: a page of people, a person as a button,
//! a name cleaned for display, the way back to the panel.

use domain::callback::{AdminAction, Callback, ListStatus, LookupAction, PeopleView};
use domain::ids::UserId;
use domain::lang::Lang;

use crate::action::Button;
use crate::context::Cx;
use crate::guard::display_name;
use crate::i18n::{t, t_args};
use crate::ports::{PeopleFilter, PersonStatus, PersonSummary};

/// People on one screen of the list.
pub(crate) const PEOPLE_PAGE: u32 = 10;

pub(crate) fn full_name(first: &str, last: Option<&str>) -> String {
    [Some(first), last]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A name for lists and headings: names are cleaned when they arrive, but rows
/// written before that cleaning existed are cleaned again here (no control or bidi
/// characters can reorder what an admin reads).
pub(crate) fn list_name(first: &str, last: Option<&str>) -> String {
    display_name(&full_name(first, last))
}

/// A person as a button of a list: status mark, cleaned name, @username.
pub(crate) fn person_button(p: &PersonSummary) -> Button {
    let mark = if p.blocked {
        "⛔"
    } else if p.inactive {
        "💤"
    } else {
        "🟢"
    };
    let name = list_name(&p.first_name, p.last_name.as_deref());
    let user = p
        .username
        .as_deref()
        .map(|u| format!(" @{}", display_name(u)))
        .unwrap_or_default();
    let label: String = format!("{mark} {name}{user}").chars().take(60).collect();
    Button::new(label, Callback::Admin(AdminAction::Person(p.id.0)))
}

/// The row that leads back to the admin panel.
pub(crate) fn back_to_panel(lang: Lang) -> Vec<Button> {
    vec![Button::new(
        t(lang, "btn-admin-panel"),
        Callback::Admin(AdminAction::Panel),
    )]
}

/// What storage calls a list status.
pub(crate) fn person_status(status: ListStatus) -> PersonStatus {
    match status {
        ListStatus::Any => PersonStatus::Any,
        ListStatus::Active => PersonStatus::Active,
        ListStatus::Blocked => PersonStatus::Blocked,
        ListStatus::Inactive => PersonStatus::Inactive,
    }
}

/// The person card's row for moving the person.
pub(crate) fn placement_row(cx: &Cx, person: UserId) -> Vec<Button> {
    let lang = cx.lang();
    vec![
        Button::new(
            t(lang, "btn-admin-change-park"),
            lookup(LookupAction::ChoosePark(person.0)),
        ),
        Button::new(
            t(lang, "btn-admin-change-department"),
            lookup(LookupAction::ChooseDepartment(person.0)),
        ),
    ]
}

/// The people list's buttons for its park and department filters.
pub(crate) fn placement_filter_row(
    cx: &Cx,
    view: PeopleView,
    filter: &PeopleFilter,
) -> Vec<Button> {
    let lang = cx.lang();
    let pack = cx.pack();
    let park = filter
        .park
        .as_deref()
        .and_then(|p| pack.park(p))
        .map_or_else(
            || t(lang, "btn-admin-any-park"),
            |p| p.name.get(lang).clone(),
        );
    let department = filter
        .department
        .as_deref()
        .and_then(|d| pack.department(d))
        .map_or_else(
            || t(lang, "btn-admin-any-department"),
            |d| d.name.get(lang).clone(),
        );
    let view = PeopleView {
        after: None,
        ..view
    };
    vec![
        Button::new(
            t_args(lang, "btn-admin-filter-park", &[("name", park.into())]),
            lookup(LookupAction::ParkFilter(view)),
        ),
        Button::new(
            t_args(
                lang,
                "btn-admin-filter-department",
                &[("name", department.into())],
            ),
            lookup(LookupAction::DepartmentFilter(view)),
        ),
    ]
}

/// A look-up button's callback.
pub(crate) fn lookup(action: LookupAction) -> Callback {
    Callback::Admin(AdminAction::Lookup(action))
}
