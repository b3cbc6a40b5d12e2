//! Onboarding and the profile: park, department and position, each skippable.
//!
//! A person's first /start asks the three questions one screen at a time; the
//! answers order their main menu and set their training path. /profile shows and
//! changes the same fields (and the language) at any time.

use domain::callback::{Callback, ProfileFieldKind, Slug};
use domain::html::Html;

use crate::action::{Button, Keyboard};
use crate::admin_rows;
use crate::context::Cx;
use crate::dialogue::{self, Dialogue};
use crate::error::{Served, unavailable};
use crate::i18n::{html, t, t_args};
use crate::inbound::CallbackMessage;
use crate::navigation::{self, NavPorts};
use crate::people::People;
use crate::ports::{LearningStore, ProfileField, StateStore};
use crate::screens::{Rendered, Screen};

/// What onboarding and the profile reach beyond the update's context.
pub(crate) struct OnboardingPorts<'a> {
    /// The staff profile.
    pub(crate) learning: &'a dyn LearningStore,
    /// The copies of people kept between updates: a changed profile drops the person's.
    pub(crate) cache: &'a People,
    /// Where the step the bot waits on is kept.
    pub(crate) state: &'a dyn StateStore,
    /// For the main menu at the end, and the screen a stray text returns to.
    pub(crate) nav: NavPorts<'a>,
}

/// Longest position kept.
pub const POSITION_MAX_CHARS: usize = 64;

/// First /start: a greeting and the first question.
pub(crate) async fn start_onboarding(cx: &mut Cx, ports: &OnboardingPorts<'_>) -> Served {
    let name = cx.user.first_name.clone();
    let greeting = Html::escape(&t_args(cx.lang(), "greeting", &[("name", name.into())]));
    dialogue::enter_dialogue(cx, ports.state, Dialogue::OnboardingPark).await;
    let screen = park_picker(cx, true);
    cx.send_rendered(Some(greeting), screen);
    Ok(())
}

/// Onboarding from the first question not answered yet, below `prefix` (an
/// invite may have answered the park and the department already).
pub(crate) async fn resume_onboarding(cx: &mut Cx, ports: &OnboardingPorts<'_>, prefix: Html) {
    let screen = if cx.staff.park.is_none() {
        dialogue::enter_dialogue(cx, ports.state, Dialogue::OnboardingPark).await;
        park_picker(cx, true)
    } else if cx.staff.department.is_none() {
        dialogue::enter_dialogue(cx, ports.state, Dialogue::OnboardingDepartment).await;
        department_picker(cx, true)
    } else {
        dialogue::enter_dialogue(cx, ports.state, Dialogue::Position { onboarding: true }).await;
        position_prompt(cx, true)
    };
    cx.send_rendered(Some(prefix), screen);
}

fn park_picker(cx: &Cx, onboarding: bool) -> Rendered {
    let lang = cx.lang();
    let mut text = Html::default();
    if onboarding {
        text.push(&Html::italic(&html(lang, "onboarding-step-1")));
        text.push_text("\n");
    }
    text.push(&Html::bold(&html(lang, "ask-park")));
    let mut keyboard = Keyboard::default();
    for park in cx.pack().parks() {
        if let Some(slug) = Slug::parse(&park.id) {
            keyboard = keyboard.row(vec![Button::new(
                park.name.get(lang).clone(),
                Callback::Park(Some(slug)),
            )]);
        }
    }
    keyboard = keyboard.row(skip_or_back(cx, onboarding, Callback::Park(None)));
    Rendered { text, keyboard }
}

fn department_picker(cx: &Cx, onboarding: bool) -> Rendered {
    let lang = cx.lang();
    let mut text = Html::default();
    if onboarding {
        text.push(&Html::italic(&html(lang, "onboarding-step-2")));
        text.push_text("\n");
    }
    text.push(&Html::bold(&html(lang, "ask-department")));
    let mut keyboard = Keyboard::default();
    for d in cx.pack().departments() {
        if let Some(slug) = Slug::parse(&d.id) {
            keyboard = keyboard.row(vec![Button::new(
                d.name.get(lang).clone(),
                Callback::Department(Some(slug)),
            )]);
        }
    }
    keyboard = keyboard.row(skip_or_back(cx, onboarding, Callback::Department(None)));
    Rendered { text, keyboard }
}

fn position_prompt(cx: &Cx, onboarding: bool) -> Rendered {
    let lang = cx.lang();
    let mut text = Html::default();
    if onboarding {
        text.push(&Html::italic(&html(lang, "onboarding-step-3")));
        text.push_text("\n");
    }
    text.push(&Html::bold(&html(lang, "ask-position")));
    let keyboard = Keyboard::default().row(skip_or_back(cx, onboarding, Callback::SkipPosition));
    Rendered { text, keyboard }
}

/// "Skip" during onboarding; "not specified" and "back" in the profile.
fn skip_or_back(cx: &Cx, onboarding: bool, skip: Callback) -> Vec<Button> {
    let lang = cx.lang();
    if onboarding {
        vec![Button::new(t(lang, "btn-skip"), skip)]
    } else {
        vec![
            Button::new(t(lang, "btn-clear"), skip),
            Button::new(t(lang, "btn-profile-back"), Callback::Profile),
        ]
    }
}

async fn save_field(cx: &mut Cx, ports: &OnboardingPorts<'_>, field: ProfileField) -> Served {
    let saved = ports
        .learning
        .set_profile_field(cx.user.id, field.clone())
        .await;
    ports.cache.changed(cx.user.id).await;
    match saved {
        Ok(()) => {
            match field {
                ProfileField::Park(p) | ProfileField::ChosenPark(p) => cx.staff.park = p,
                ProfileField::Department(d) => cx.staff.department = d,
                ProfileField::Position(p) => cx.staff.position = p,
            }
            Ok(())
        }
        Err(e) => Err(unavailable("cannot save the profile", e)),
    }
}

pub(crate) async fn park_chosen(
    cx: &mut Cx,
    ports: &OnboardingPorts<'_>,
    park: Option<Slug>,
    message: Option<CallbackMessage>,
) -> Served {
    let park = park.map(|p| p.as_str().to_owned());
    if park.as_deref().is_some_and(|p| cx.pack().park(p).is_none()) {
        return navigation::stale(cx, &ports.nav, message).await;
    }
    if cx.staff.park_assigned {
        // Assigned by an admin or an invite: not the person's to change.
        cx.toast(t(cx.lang(), "profile-park-assigned"));
        return show_profile(cx, message).await;
    }
    save_field(cx, ports, ProfileField::ChosenPark(park)).await?;
    if cx.staff.onboarded {
        show_profile(cx, message).await?;
    } else {
        dialogue::enter_dialogue(cx, ports.state, Dialogue::OnboardingDepartment).await;
        let next = department_picker(cx, true);
        cx.show_rendered(message, next);
    }
    Ok(())
}

pub(crate) async fn department_chosen(
    cx: &mut Cx,
    ports: &OnboardingPorts<'_>,
    department: Option<Slug>,
    message: Option<CallbackMessage>,
) -> Served {
    let department = department.map(|d| d.as_str().to_owned());
    if department
        .as_deref()
        .is_some_and(|d| cx.pack().department(d).is_none())
    {
        return navigation::stale(cx, &ports.nav, message).await;
    }
    save_field(cx, ports, ProfileField::Department(department)).await?;
    if cx.staff.onboarded {
        show_profile(cx, message).await?;
    } else {
        dialogue::enter_dialogue(cx, ports.state, Dialogue::Position { onboarding: true }).await;
        let next = position_prompt(cx, true);
        cx.show_rendered(message, next);
    }
    Ok(())
}

pub(crate) async fn position_skipped(
    cx: &mut Cx,
    ports: &OnboardingPorts<'_>,
    message: Option<CallbackMessage>,
) -> Served {
    dialogue::end_dialogue(cx, ports.state).await;
    if cx.staff.onboarded {
        save_field(cx, ports, ProfileField::Position(None)).await?;
        show_profile(cx, message).await?;
    } else {
        if let Some(m) = message {
            cx.actions.push(crate::Action::Delete {
                chat: cx.chat,
                message_id: m.id,
            });
        }
        finish_onboarding(cx, ports).await?;
    }
    Ok(())
}

/// Text or a file while onboarding shows a picker (`step`: the one on screen):
/// the `hint` and the same question again, as a new message below what was sent.
pub(crate) async fn onboarding_again(
    cx: &mut Cx,
    ports: &OnboardingPorts<'_>,
    step: Dialogue,
    hint: &str,
) -> Served {
    if cx.staff.onboarded {
        dialogue::end_dialogue(cx, ports.state).await;
        return navigation::resume(cx, &ports.nav, hint).await;
    }
    let screen = if step == Dialogue::OnboardingDepartment {
        department_picker(cx, true)
    } else {
        park_picker(cx, true)
    };
    cx.send_rendered(Some(html(cx.lang(), hint)), screen);
    Ok(())
}

/// Typed text while the bot waits for a position.
pub(crate) async fn position_typed(
    cx: &mut Cx,
    ports: &OnboardingPorts<'_>,
    text: &str,
    onboarding: bool,
) -> Served {
    // Shown on admins' cards and in exports beside the name: cleaned like a name.
    let position = crate::guard::one_line(text);
    let length = position.chars().count();
    if position.is_empty() || length > POSITION_MAX_CHARS {
        let key = if position.is_empty() {
            "position-empty"
        } else {
            "position-too-long"
        };
        let hint = Html::escape(&t_args(
            cx.lang(),
            key,
            &[
                ("max", POSITION_MAX_CHARS.into()),
                ("length", length.into()),
            ],
        ));
        let prompt = position_prompt(cx, onboarding);
        cx.send_rendered(Some(hint), prompt);
        return Ok(());
    }
    save_field(cx, ports, ProfileField::Position(Some(position))).await?;
    dialogue::end_dialogue(cx, ports.state).await;
    if onboarding {
        finish_onboarding(cx, ports).await?;
    } else {
        let saved = html(cx.lang(), "profile-saved");
        let profile = profile_screen(cx);
        cx.send_rendered(Some(saved), profile);
    }
    Ok(())
}

/// Marks onboarding done and shows the (now personal) main menu.
pub(crate) async fn finish_onboarding(cx: &mut Cx, ports: &OnboardingPorts<'_>) -> Served {
    let onboarded = ports.learning.mark_onboarded(cx.user.id).await;
    ports.cache.changed(cx.user.id).await;
    if let Err(e) = onboarded {
        return Err(unavailable("cannot finish onboarding", e));
    }
    cx.staff.onboarded = true;
    let done = html(cx.lang(), "onboarding-done");
    navigation::send_screen(cx, &ports.nav, Some(done), Screen::Home).await
}

fn profile_screen(cx: &Cx) -> Rendered {
    let lang = cx.lang();
    let unset = t(lang, "profile-unset");
    let park = cx
        .staff
        .park
        .as_deref()
        .and_then(|p| cx.pack().park(p))
        .map_or(unset.clone(), |p| p.name.get(lang).clone());
    let department = cx
        .staff
        .department
        .as_deref()
        .and_then(|d| cx.pack().department(d))
        .map_or(unset.clone(), |d| d.name.get(lang).clone());
    let position = cx.staff.position.clone().unwrap_or(unset);
    let name = admin_rows::full_name(&cx.user.first_name, cx.user.last_name.as_deref());
    let mut text = Html::bold(&html(lang, "profile-title"));
    for (key, value) in [
        ("profile-name", name),
        ("profile-park", park),
        ("profile-department", department),
        ("profile-position", position),
        ("profile-language", t(lang, "language-name")),
    ] {
        text.push_text("\n");
        text.push_text(&t(lang, key));
        text.push_text(": ");
        text.push(&Html::bold(&Html::escape(&value)));
    }
    let mut first_row = vec![Button::new(
        t(lang, "btn-edit-department"),
        Callback::EditProfile(ProfileFieldKind::Department),
    )];
    if cx.staff.park_assigned {
        text.push_text("\n\n");
        text.push(&Html::italic(&html(lang, "profile-park-assigned")));
    } else {
        first_row.insert(
            0,
            Button::new(
                t(lang, "btn-edit-park"),
                Callback::EditProfile(ProfileFieldKind::Park),
            ),
        );
    }
    let keyboard = Keyboard::default()
        .row(first_row)
        .row(vec![
            Button::new(
                t(lang, "btn-edit-position"),
                Callback::EditProfile(ProfileFieldKind::Position),
            ),
            Button::new(t(lang, "btn-language"), Callback::Languages),
        ])
        .row(vec![Button::new(t(lang, "btn-home"), Callback::Home)]);
    Rendered { text, keyboard }
}

pub(crate) async fn show_profile(cx: &mut Cx, message: Option<CallbackMessage>) -> Served {
    let screen = profile_screen(cx);
    cx.show_rendered(message, screen);
    Ok(())
}

pub(crate) async fn edit_profile(
    cx: &mut Cx,
    ports: &OnboardingPorts<'_>,
    field: ProfileFieldKind,
    message: Option<CallbackMessage>,
) -> Served {
    if field == ProfileFieldKind::Park && cx.staff.park_assigned {
        cx.toast(t(cx.lang(), "profile-park-assigned"));
        return show_profile(cx, message).await;
    }
    let screen = match field {
        ProfileFieldKind::Park => park_picker(cx, false),
        ProfileFieldKind::Department => department_picker(cx, false),
        ProfileFieldKind::Position => {
            dialogue::enter_dialogue(cx, ports.state, Dialogue::Position { onboarding: false })
                .await;
            position_prompt(cx, false)
        }
    };
    cx.show_rendered(message, screen);
    Ok(())
}
