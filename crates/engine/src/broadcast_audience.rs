//! Choosing a broadcast's audience: everyone, one park, one department, people
//! seen within a few days, or people behind on their onboarding. The choice is
//! kept in the draft ([`crate::broadcasts`]); an audience the running pack no
//! longer names (a park removed since the button was drawn) shows the choices
//! again.

use domain::broadcast::Audience;
use domain::callback::{BroadcastAction, Slug};
use domain::content::Localized;

use crate::action::{Button, Keyboard};
use crate::broadcasts::{audience_name, nav};
use crate::engine::Turn;
use crate::error::Served;
use crate::i18n::{html, t, t_args};
use crate::inbound::CallbackMessage;
use crate::screens::Rendered;

/// The activity windows offered for "active within N days".
const ACTIVITY_CHOICES: [u16; 3] = [1, 7, 30];

impl Turn<'_> {
    /// The parks, one button each.
    pub(crate) fn pick_audience_park(&mut self, message: Option<CallbackMessage>) {
        let parks = self
            .cx
            .pack()
            .parks()
            .iter()
            .map(|p| (p.id.as_str(), &p.name));
        let choices = self.places(parks, Audience::Park);
        self.audience_choices("broadcast-pick-park", choices, message);
    }

    /// The departments, one button each.
    pub(crate) fn pick_audience_department(&mut self, message: Option<CallbackMessage>) {
        let departments = self.cx.pack().departments().iter();
        let choices = self.places(
            departments.map(|d| (d.id.as_str(), &d.name)),
            Audience::Department,
        );
        self.audience_choices("broadcast-pick-department", choices, message);
    }

    /// Parks' or departments' names in the admin's language, with the audience
    /// each names (an id that is not a slug names none).
    fn places<'p>(
        &self,
        places: impl Iterator<Item = (&'p str, &'p Localized<String>)>,
        audience: fn(Slug) -> Audience,
    ) -> Vec<(String, Audience)> {
        places
            .filter_map(|(id, name)| {
                Some((name.get(self.cx.lang()).clone(), audience(Slug::parse(id)?)))
            })
            .collect()
    }

    /// "Seen within" 1, 7 or 30 days.
    pub(crate) fn pick_audience_activity(&mut self, message: Option<CallbackMessage>) {
        let choices = ACTIVITY_CHOICES
            .into_iter()
            .map(|n| {
                let label = t_args(self.cx.lang(), "btn-days", &[("n", n.into())]);
                (label, Audience::ActiveWithin(n))
            })
            .collect();
        self.audience_choices("broadcast-pick-activity", choices, message);
    }

    pub(crate) fn audience_keyboard(&self) -> Keyboard {
        let lang = self.cx.lang();
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
    pub(crate) fn audience_screen(&mut self, message: Option<CallbackMessage>) {
        let text = html(self.cx.lang(), "broadcast-audience-title");
        let keyboard = self.audience_keyboard();
        self.cx.show_rendered(message, Rendered { text, keyboard });
    }

    fn audience_choices(
        &mut self,
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
            t(self.cx.lang(), "btn-back"),
            nav(BroadcastAction::Audiences),
        )]);
        let text = html(self.cx.lang(), title);
        self.cx.show_rendered(message, Rendered { text, keyboard });
    }

    pub(crate) fn audience_name(&self, audience: &Audience) -> Option<String> {
        audience_name(self.cx.pack(), self.cx.lang(), audience)
    }

    /// The audience chosen: kept in the draft, then the confirmation.
    pub(crate) async fn choose_audience(
        &mut self,
        audience: Audience,
        message: Option<CallbackMessage>,
    ) -> Served {
        let Some(mut draft) = self.broadcast_draft().await else {
            self.no_draft(message);
            return Ok(());
        };
        if self.audience_name(&audience).is_none() {
            self.audience_screen(message);
            return Ok(());
        }
        draft.audience = Some(audience.encode());
        self.save_broadcast_draft(&draft).await?;
        self.confirm_screen(&draft, message).await
    }
}
