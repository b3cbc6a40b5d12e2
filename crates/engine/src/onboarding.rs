//! Onboarding and the profile: park, department and position, each skippable.
//!
//! A person's first /start asks the three questions one screen at a time; the
//! answers order their main menu and set their training path. /profile shows and
//! changes the same fields (and the language) at any time.

use domain::callback::{Callback, ProfileFieldKind, Slug};
use domain::html::Html;

use crate::action::{Button, Keyboard};
use crate::dialogue::Dialogue;
use crate::engine::Turn;
use crate::error::{Served, unavailable};
use crate::i18n::{html, t, t_args};
use crate::inbound::CallbackMessage;
use crate::navigation;
use crate::people_rows;
use crate::ports::ProfileField;
use crate::screens::{Rendered, Screen};

/// Longest position kept.
pub const POSITION_MAX_CHARS: usize = 64;

impl Turn<'_> {
    /// First /start: a greeting and the first question.
    pub(crate) async fn start_onboarding(&mut self) -> Served {
        let name = self.cx.user.first_name.clone();
        let greeting = Html::escape(&t_args(
            self.cx.lang(),
            "greeting",
            &[("name", name.into())],
        ));
        self.enter_dialogue(Dialogue::OnboardingPark).await;
        let screen = self.park_picker(true);
        self.cx.send_rendered(Some(greeting), screen);
        Ok(())
    }

    /// Onboarding from the first question not answered yet, below `prefix` (an
    /// invite may have answered the park and the department already).
    pub(crate) async fn resume_onboarding(&mut self, prefix: Html) {
        let screen = if self.cx.staff.park.is_none() {
            self.enter_dialogue(Dialogue::OnboardingPark).await;
            self.park_picker(true)
        } else if self.cx.staff.department.is_none() {
            self.enter_dialogue(Dialogue::OnboardingDepartment).await;
            self.department_picker(true)
        } else {
            self.enter_dialogue(Dialogue::Position { onboarding: true })
                .await;
            self.position_prompt(true)
        };
        self.cx.send_rendered(Some(prefix), screen);
    }

    fn park_picker(&self, onboarding: bool) -> Rendered {
        let lang = self.cx.lang();
        let mut text = Html::default();
        if onboarding {
            text.push(&Html::italic(&html(lang, "onboarding-step-1")));
            text.push_text("\n");
        }
        text.push(&Html::bold(&html(lang, "ask-park")));
        let mut keyboard = Keyboard::default();
        for park in self.cx.pack().parks() {
            if let Some(slug) = Slug::parse(&park.id) {
                keyboard = keyboard.row(vec![Button::new(
                    park.name.get(lang).clone(),
                    Callback::Park(Some(slug)),
                )]);
            }
        }
        keyboard = keyboard.row(self.skip_or_back(onboarding, Callback::Park(None)));
        Rendered { text, keyboard }
    }

    fn department_picker(&self, onboarding: bool) -> Rendered {
        let lang = self.cx.lang();
        let mut text = Html::default();
        if onboarding {
            text.push(&Html::italic(&html(lang, "onboarding-step-2")));
            text.push_text("\n");
        }
        text.push(&Html::bold(&html(lang, "ask-department")));
        let mut keyboard = Keyboard::default();
        for d in self.cx.pack().departments() {
            if let Some(slug) = Slug::parse(&d.id) {
                keyboard = keyboard.row(vec![Button::new(
                    d.name.get(lang).clone(),
                    Callback::Department(Some(slug)),
                )]);
            }
        }
        keyboard = keyboard.row(self.skip_or_back(onboarding, Callback::Department(None)));
        Rendered { text, keyboard }
    }

    fn position_prompt(&self, onboarding: bool) -> Rendered {
        let lang = self.cx.lang();
        let mut text = Html::default();
        if onboarding {
            text.push(&Html::italic(&html(lang, "onboarding-step-3")));
            text.push_text("\n");
        }
        text.push(&Html::bold(&html(lang, "ask-position")));
        let keyboard =
            Keyboard::default().row(self.skip_or_back(onboarding, Callback::SkipPosition));
        Rendered { text, keyboard }
    }

    /// "Skip" during onboarding; "not specified" and "back" in the profile.
    fn skip_or_back(&self, onboarding: bool, skip: Callback) -> Vec<Button> {
        let lang = self.cx.lang();
        if onboarding {
            vec![Button::new(t(lang, "btn-skip"), skip)]
        } else {
            vec![
                Button::new(t(lang, "btn-clear"), skip),
                Button::new(t(lang, "btn-profile-back"), Callback::Profile),
            ]
        }
    }

    async fn save_field(&mut self, field: ProfileField) -> Served {
        let saved = self
            .engine
            .storage
            .set_profile_field(self.cx.user.id, field.clone())
            .await;
        self.engine.people.changed(self.cx.user.id).await;
        match saved {
            Ok(()) => {
                match field {
                    ProfileField::Park(p) | ProfileField::ChosenPark(p) => self.cx.staff.park = p,
                    ProfileField::Department(d) => self.cx.staff.department = d,
                    ProfileField::Position(p) => self.cx.staff.position = p,
                }
                Ok(())
            }
            Err(e) => Err(unavailable("cannot save the profile", e)),
        }
    }

    pub(crate) async fn park_chosen(
        &mut self,
        query_id: String,
        park: Option<Slug>,
        message: Option<CallbackMessage>,
    ) -> Served {
        let park = park.map(|p| p.as_str().to_owned());
        if park
            .as_deref()
            .is_some_and(|p| self.cx.pack().park(p).is_none())
        {
            return navigation::stale(&mut self.cx, &self.engine.nav_ports(), query_id, message)
                .await;
        }
        if self.cx.staff.park_assigned {
            // Assigned by an admin or an invite: not the person's to change.
            self.cx
                .answer(query_id, Some(t(self.cx.lang(), "profile-park-assigned")));
            return self.show_profile(message).await;
        }
        self.cx.answer(query_id, None);
        self.save_field(ProfileField::ChosenPark(park)).await?;
        if self.cx.staff.onboarded {
            self.show_profile(message).await?;
        } else {
            self.enter_dialogue(Dialogue::OnboardingDepartment).await;
            let next = self.department_picker(true);
            self.cx.show_rendered(message, next);
        }
        Ok(())
    }

    pub(crate) async fn department_chosen(
        &mut self,
        query_id: String,
        department: Option<Slug>,
        message: Option<CallbackMessage>,
    ) -> Served {
        let department = department.map(|d| d.as_str().to_owned());
        if department
            .as_deref()
            .is_some_and(|d| self.cx.pack().department(d).is_none())
        {
            return navigation::stale(&mut self.cx, &self.engine.nav_ports(), query_id, message)
                .await;
        }
        self.cx.answer(query_id, None);
        self.save_field(ProfileField::Department(department))
            .await?;
        if self.cx.staff.onboarded {
            self.show_profile(message).await?;
        } else {
            self.enter_dialogue(Dialogue::Position { onboarding: true })
                .await;
            let next = self.position_prompt(true);
            self.cx.show_rendered(message, next);
        }
        Ok(())
    }

    pub(crate) async fn position_skipped(
        &mut self,
        query_id: String,
        message: Option<CallbackMessage>,
    ) -> Served {
        self.cx.answer(query_id, None);
        self.end_dialogue().await;
        if self.cx.staff.onboarded {
            self.save_field(ProfileField::Position(None)).await?;
            self.show_profile(message).await?;
        } else {
            if let Some(m) = message {
                self.cx.actions.push(crate::Action::Delete {
                    chat: self.cx.chat,
                    message_id: m.id,
                });
            }
            self.finish_onboarding().await?;
        }
        Ok(())
    }

    /// Text or a file while onboarding shows a picker (`step`: the one on screen):
    /// the `hint` and the same question again, as a new message below what was sent.
    pub(crate) async fn onboarding_again(&mut self, step: Dialogue, hint: &str) -> Served {
        if self.cx.staff.onboarded {
            self.end_dialogue().await;
            return navigation::resume(&mut self.cx, &self.engine.nav_ports(), hint).await;
        }
        let screen = if step == Dialogue::OnboardingDepartment {
            self.department_picker(true)
        } else {
            self.park_picker(true)
        };
        self.cx
            .send_rendered(Some(html(self.cx.lang(), hint)), screen);
        Ok(())
    }

    /// Typed text while the bot waits for a position.
    pub(crate) async fn position_typed(&mut self, text: &str, onboarding: bool) -> Served {
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
                self.cx.lang(),
                key,
                &[
                    ("max", POSITION_MAX_CHARS.into()),
                    ("length", length.into()),
                ],
            ));
            let prompt = self.position_prompt(onboarding);
            self.cx.send_rendered(Some(hint), prompt);
            return Ok(());
        }
        self.save_field(ProfileField::Position(Some(position)))
            .await?;
        self.end_dialogue().await;
        if onboarding {
            self.finish_onboarding().await?;
        } else {
            let saved = html(self.cx.lang(), "profile-saved");
            let profile = self.profile_screen();
            self.cx.send_rendered(Some(saved), profile);
        }
        Ok(())
    }

    /// Marks onboarding done and shows the (now personal) main menu.
    pub(crate) async fn finish_onboarding(&mut self) -> Served {
        let onboarded = self.engine.storage.mark_onboarded(self.cx.user.id).await;
        self.engine.people.changed(self.cx.user.id).await;
        if let Err(e) = onboarded {
            return Err(unavailable("cannot finish onboarding", e));
        }
        self.cx.staff.onboarded = true;
        let done = html(self.cx.lang(), "onboarding-done");
        navigation::send_screen(
            &mut self.cx,
            &self.engine.nav_ports(),
            Some(done),
            Screen::Home,
        )
        .await
    }

    fn profile_screen(&self) -> Rendered {
        let lang = self.cx.lang();
        let unset = t(lang, "profile-unset");
        let park = self
            .cx
            .staff
            .park
            .as_deref()
            .and_then(|p| self.cx.pack().park(p))
            .map_or(unset.clone(), |p| p.name.get(lang).clone());
        let department = self
            .cx
            .staff
            .department
            .as_deref()
            .and_then(|d| self.cx.pack().department(d))
            .map_or(unset.clone(), |d| d.name.get(lang).clone());
        let position = self.cx.staff.position.clone().unwrap_or(unset);
        let name =
            people_rows::full_name(&self.cx.user.first_name, self.cx.user.last_name.as_deref());
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
        if self.cx.staff.park_assigned {
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

    pub(crate) async fn show_profile(&mut self, message: Option<CallbackMessage>) -> Served {
        let screen = self.profile_screen();
        self.cx.show_rendered(message, screen);
        Ok(())
    }

    pub(crate) async fn edit_profile(
        &mut self,
        query_id: String,
        field: ProfileFieldKind,
        message: Option<CallbackMessage>,
    ) -> Served {
        if field == ProfileFieldKind::Park && self.cx.staff.park_assigned {
            self.cx
                .answer(query_id, Some(t(self.cx.lang(), "profile-park-assigned")));
            return self.show_profile(message).await;
        }
        self.cx.answer(query_id, None);
        let screen = match field {
            ProfileFieldKind::Park => self.park_picker(false),
            ProfileFieldKind::Department => self.department_picker(false),
            ProfileFieldKind::Position => {
                self.enter_dialogue(Dialogue::Position { onboarding: false })
                    .await;
                self.position_prompt(false)
            }
        };
        self.cx.show_rendered(message, screen);
        Ok(())
    }
}
