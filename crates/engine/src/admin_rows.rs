//! What the admin panel's screens share: a page of people, a person as a button,
//! a name cleaned for display, the way back to the panel.

use domain::callback::{AdminAction, Callback};
use domain::lang::Lang;

use crate::action::Button;
use crate::guard::display_name;
use crate::i18n::t;
use crate::ports::PersonSummary;

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
