//! Choosing a broadcast's audience: everyone, one park, one department, people
//! seen within a few days, or people behind on their onboarding. The choice is
//! kept in the draft (in `broadcasts`); an audience the running pack no
//! longer names (a park removed since the button was drawn) shows the choices
//! again.

use domain::broadcast::Audience;
use domain::callback::{BroadcastAction, Slug};
use domain::content::Localized;

use crate::action::{Button, Keyboard};
use crate::broadcast_rows::nav;
use crate::context::Cx;
use crate::i18n::{html, t, t_args};
use crate::inbound::CallbackMessage;
use crate::screens::Rendered;

/// The activity windows offered for "active within N days".
const ACTIVITY_CHOICES: [u16; 3] = [1, 7, 30];

/// The parks, one button each.
pub(crate) fn pick_audience_park(cx: &mut Cx, message: Option<CallbackMessage>) {
    let parks = cx.pack().parks().iter().map(|p| (p.id.as_str(), &p.name));
    let choices = places(cx, parks, Audience::Park);
    audience_choices(cx, "broadcast-pick-park", choices, message);
}

/// The departments, one button each.
pub(crate) fn pick_audience_department(cx: &mut Cx, message: Option<CallbackMessage>) {
    let departments = cx.pack().departments().iter();
    let choices = places(
        cx,
        departments.map(|d| (d.id.as_str(), &d.name)),
        Audience::Department,
    );
    audience_choices(cx, "broadcast-pick-department", choices, message);
}

/// Parks' or departments' names in the admin's language, with the audience
/// each names (an id that is not a slug names none).
fn places<'p>(
    cx: &Cx,
    places: impl Iterator<Item = (&'p str, &'p Localized<String>)>,
    audience: fn(Slug) -> Audience,
) -> Vec<(String, Audience)> {
    places
        .filter_map(|(id, name)| Some((name.get(cx.lang()).clone(), audience(Slug::parse(id)?))))
        .collect()
}

/// "Seen within" 1, 7 or 30 days.
pub(crate) fn pick_audience_activity(cx: &mut Cx, message: Option<CallbackMessage>) {
    let choices = ACTIVITY_CHOICES
        .into_iter()
        .map(|n| {
            let label = t_args(cx.lang(), "btn-days", &[("n", n.into())]);
            (label, Audience::ActiveWithin(n))
        })
        .collect();
    audience_choices(cx, "broadcast-pick-activity", choices, message);
}

pub(crate) fn audience_keyboard(cx: &Cx) -> Keyboard {
    let lang = cx.lang();
    let b = |key: &str, action: BroadcastAction| Button::new(t(lang, key), nav(action));
    Keyboard::default()
        .row(vec![b(
            "btn-audience-everyone",
            BroadcastAction::Audience(Audience::Everyone),
        )])
        .row(vec![
            b("btn-audience-park", BroadcastAction::PickPark),
            b("btn-audience-department", BroadcastAction::PickDepartment),
        ])
        .row(vec![
            b("btn-audience-active", BroadcastAction::PickActivity),
            b(
                "btn-audience-behind",
                BroadcastAction::Audience(Audience::Behind),
            ),
        ])
        .row(vec![b("btn-broadcast-discard", BroadcastAction::Discard)])
}

/// Everyone, a park, a department, people seen lately, people behind.
pub(crate) fn audience_screen(cx: &mut Cx, message: Option<CallbackMessage>) {
    let text = html(cx.lang(), "broadcast-audience-title");
    let keyboard = audience_keyboard(cx);
    cx.show_rendered(message, Rendered { text, keyboard });
}

fn audience_choices(
    cx: &mut Cx,
    title: &str,
    choices: Vec<(String, Audience)>,
    message: Option<CallbackMessage>,
) {
    let mut keyboard = Keyboard::default();
    for (label, audience) in choices {
        keyboard = keyboard.row(vec![Button::new(
            label,
            nav(BroadcastAction::Audience(audience)),
        )]);
    }
    keyboard = keyboard.row(vec![Button::new(
        t(cx.lang(), "btn-back"),
        nav(BroadcastAction::Audiences),
    )]);
    let text = html(cx.lang(), title);
    cx.show_rendered(message, Rendered { text, keyboard });
}
