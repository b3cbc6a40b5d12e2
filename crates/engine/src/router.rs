//! The router: which handler serves each command, each button, each answer to a
//! question the bot asked (typed text, by the dialogue step) and each file, after
//! the pipeline (`Engine::handle`) has let the update through. The rights an admin
//! button needs are checked in one place, `admin_guard` (in `admin_router`, with
//! where each admin button goes), from the table in `rights`; typed admin input
//! through `typed_guard` here. No handler answers a button: it may set a toast
//! (`Cx::toast`), and the pipeline answers every press once (ADR 0049).

use domain::callback::Callback;
use domain::content::PageField;
use domain::html::Html;
use domain::start_link::StartLink;

use crate::action::{Action, Button, Keyboard};
use crate::broadcasts;
use crate::content_drafts;
use crate::dialogue::{self, Dialogue};
use crate::engine::Turn;
use crate::error::{EngineError, Served};
use crate::i18n::{html, t, t_args};
use crate::inbound::{Attachment, CallbackMessage, Input};
use crate::lookup;
use crate::navigation;
use crate::onboarding;
use crate::people_panel;
use crate::privacy;
use crate::progress;
use crate::quiz;
use crate::review;
use crate::rights::Need;
use crate::screens::{Screen, render};

impl Turn<'_> {
    /// Where an update goes, by its kind, once the gate let its person in.
    pub(crate) async fn route(&mut self, input: Input, message_id: Option<i64>) -> Served {
        match input {
            Input::Command { name, args } => self.command(&name, &args).await,
            Input::Callback { data, message, .. } => self.press(data.as_deref(), message).await,
            Input::Text(text) => self.text(&text, message_id).await,
            Input::Media { file, caption } => self.media_sent(file, caption).await,
            Input::Unsupported => Ok(()),
        }
    }

    /// A command: `/start` (with a deep link's payload), `/menu`, `/admin`, ...
    pub(crate) async fn command(&mut self, name: &str, args: &str) -> Served {
        let lang = self.cx.lang();
        // Any command but /start leaves a half-finished dialogue.
        let cancelled = name != "start" && self.leave_dialogue().await?;
        match name {
            "start" => {
                // An admin checks a certificate's link whether or not they took
                // the training; staff are onboarded before a page's link opens.
                let link = StartLink::parse(args);
                if let Some(StartLink::Certificate(code)) = &link
                    && self.is_admin()
                {
                    let ports = self.engine.progress_ports();
                    return progress::verify_certificate(&mut self.cx, &ports, code, None).await;
                }
                if !self.cx.staff.onboarded {
                    return onboarding::start_onboarding(
                        &mut self.cx,
                        &self.engine.onboarding_ports(),
                    )
                    .await;
                }
                if let Some(StartLink::Page(node)) = link {
                    return navigation::open_linked(&mut self.cx, &self.engine.nav_ports(), node)
                        .await;
                }
                let name = self.cx.user.first_name.clone();
                let greeting = Html::escape(&t_args(lang, "greeting", &[("name", name.into())]));
                navigation::send_screen(
                    &mut self.cx,
                    &self.engine.nav_ports(),
                    Some(greeting),
                    Screen::Home,
                )
                .await?;
            }
            "menu" => {
                navigation::send_screen(&mut self.cx, &self.engine.nav_ports(), None, Screen::Home)
                    .await?
            }
            "help" => {
                let mut text = Html::bold(&html(lang, "help-title"));
                text.push_text("\n\n");
                text.push(&html(lang, "help-text"));
                let keyboard =
                    Keyboard::default().row(vec![Button::new(t(lang, "btn-home"), Callback::Home)]);
                self.cx.actions.push(Action::Send {
                    chat: self.cx.chat,
                    text,
                    keyboard: Some(keyboard),
                });
            }
            "language" => {
                navigation::send_screen(
                    &mut self.cx,
                    &self.engine.nav_ports(),
                    None,
                    Screen::Languages,
                )
                .await?
            }
            "profile" => onboarding::show_profile(&mut self.cx, None).await?,
            "privacy" => privacy::show(&mut self.cx, &self.engine.privacy_ports(), None).await?,
            "progress" => progress::show(&mut self.cx, &self.engine.progress_ports(), None).await?,
            "quiz" => quiz::show_quizzes(&mut self.cx, &self.engine.quiz_ports(), None).await?,
            "verify" if self.is_admin() => {
                let ports = self.engine.progress_ports();
                progress::verify_certificate(&mut self.cx, &ports, args, None).await?
            }
            "admin" => self.admin_command().await?,
            "cancel" => {
                let key = if cancelled {
                    "cancel-done"
                } else {
                    "cancel-nothing"
                };
                navigation::send_screen(
                    &mut self.cx,
                    &self.engine.nav_ports(),
                    Some(html(lang, key)),
                    Screen::Home,
                )
                .await?;
            }
            _ => {
                navigation::send_screen(
                    &mut self.cx,
                    &self.engine.nav_ports(),
                    Some(html(lang, "unknown-command")),
                    Screen::Home,
                )
                .await?
            }
        }
        Ok(())
    }

    /// A button: what its data decodes to, or the out-of-date answer.
    pub(crate) async fn press(
        &mut self,
        data: Option<&str>,
        message: Option<CallbackMessage>,
    ) -> Served {
        let decoded = data.map(Callback::decode);
        let Some(Ok(callback)) = decoded else {
            return self.stale(message).await;
        };
        match callback {
            Callback::Language(lang) => {
                let set = self
                    .engine
                    .storage
                    .people
                    .set_language(self.cx.user.id, lang)
                    .await;
                self.engine.people.changed(self.cx.user.id).await;
                if let Err(e) = set {
                    tracing::error!(error = %e, "cannot save the language");
                    self.cx.toast(t(self.cx.lang(), "unavailable"));
                    return Ok(());
                }
                self.cx.user.language = lang;
                self.cx.toast(t(lang, "language-set"));
                navigation::show(
                    &mut self.cx,
                    &self.engine.nav_ports(),
                    message,
                    Screen::Home,
                )
                .await;
            }
            Callback::Open(node) => {
                let Some(screen) = Screen::from_callback(callback, self.cx.pack()) else {
                    return self.stale(message).await;
                };
                navigation::open(
                    &mut self.cx,
                    &self.engine.nav_ports(),
                    node,
                    screen,
                    message,
                )
                .await;
            }
            Callback::Park(park) => {
                onboarding::park_chosen(
                    &mut self.cx,
                    &self.engine.onboarding_ports(),
                    park,
                    message,
                )
                .await?
            }
            Callback::Department(department) => {
                onboarding::department_chosen(
                    &mut self.cx,
                    &self.engine.onboarding_ports(),
                    department,
                    message,
                )
                .await?
            }
            Callback::SkipPosition => {
                onboarding::position_skipped(&mut self.cx, &self.engine.onboarding_ports(), message)
                    .await?
            }
            Callback::Profile => {
                onboarding::show_profile(&mut self.cx, message).await?;
            }
            Callback::EditProfile(field) => {
                onboarding::edit_profile(
                    &mut self.cx,
                    &self.engine.onboarding_ports(),
                    field,
                    message,
                )
                .await?
            }
            Callback::Progress => {
                progress::show(&mut self.cx, &self.engine.progress_ports(), message).await?;
            }
            Callback::Quizzes => {
                quiz::show_quizzes(&mut self.cx, &self.engine.quiz_ports(), message).await?;
            }
            Callback::QuizStart(quiz) => {
                quiz::quiz_start(
                    &mut self.cx,
                    &self.engine.quiz_ports(),
                    quiz.as_str(),
                    message,
                )
                .await?
            }
            Callback::Answer {
                attempt,
                position,
                shown,
            } => {
                quiz::quiz_answer(
                    &mut self.cx,
                    &self.engine.quiz_ports(),
                    attempt,
                    position,
                    1u8.checked_shl(u32::from(shown)),
                    message,
                )
                .await?
            }
            Callback::Toggle {
                attempt,
                position,
                mask,
            } => {
                quiz::quiz_toggle(
                    &mut self.cx,
                    &self.engine.quiz_ports(),
                    attempt,
                    position,
                    mask,
                    message,
                )
                .await?
            }
            Callback::Submit {
                attempt,
                position,
                mask,
            } => {
                quiz::quiz_answer(
                    &mut self.cx,
                    &self.engine.quiz_ports(),
                    attempt,
                    position,
                    Some(mask),
                    message,
                )
                .await?
            }
            Callback::Next { attempt, position } => {
                quiz::quiz_next(
                    &mut self.cx,
                    &self.engine.quiz_ports(),
                    attempt,
                    position,
                    message,
                )
                .await?
            }
            Callback::Review => {
                review::review_start(&mut self.cx, &self.engine.quiz_ports(), message).await?
            }
            Callback::RequestDeletion => {
                let ports = self.engine.privacy_ports();
                privacy::request_deletion(&mut self.cx, &ports, message).await?
            }
            Callback::Admin(action) => self.admin_guard(action, message).await?,
            other => {
                let screen = Screen::from_callback(other, self.cx.pack());
                let viewer = navigation::viewer(&self.cx, &self.engine.nav_ports(), false).await;
                match screen.filter(|s| render(self.cx.pack(), *s, &viewer).is_some()) {
                    Some(screen) => {
                        navigation::show(&mut self.cx, &self.engine.nav_ports(), message, screen)
                            .await;
                    }
                    None => self.stale(message).await?,
                }
            }
        }
        Ok(())
    }

    /// Typed text: the answer to the question the bot asked, if any; otherwise a
    /// hint and the screen the person was on. An admin's answer passes the
    /// guard first (`typed_guard`).
    pub(crate) async fn text(&mut self, text: &str, message_id: Option<i64>) -> Served {
        let step = dialogue::dialogue(&self.cx, &*self.engine.state).await;
        if !self
            .typed_allowed(step.and_then(|s| typed_guard(s, false)))
            .await
        {
            return Ok(());
        }
        match step {
            Some(Dialogue::AdminPassword) => self.password_typed(text, message_id).await,
            Some(Dialogue::AdminNewPassword) => self.new_password_typed(text, message_id).await?,
            Some(Dialogue::BlockReason { target }) => {
                let ports = self.engine.people_ports();
                people_panel::block_reason_typed(&mut self.cx, &ports, target, text).await?
            }
            Some(Dialogue::Position { onboarding }) => {
                let ports = self.engine.onboarding_ports();
                onboarding::position_typed(&mut self.cx, &ports, text, onboarding).await?
            }
            Some(step @ (Dialogue::OnboardingPark | Dialogue::OnboardingDepartment)) => {
                let ports = self.engine.onboarding_ports();
                onboarding::onboarding_again(&mut self.cx, &ports, step, "free-text").await?
            }
            Some(Dialogue::BroadcastText) => {
                let ports = self.engine.broadcast_ports();
                broadcasts::broadcast_text_typed(&mut self.cx, &ports, text).await?
            }
            Some(Dialogue::BroadcastTime) => {
                let ports = self.engine.broadcast_ports();
                broadcasts::broadcast_time_typed(&mut self.cx, &ports, text).await?
            }
            Some(Dialogue::AdminSearch) => {
                lookup::search_typed(&mut self.cx, &self.engine.lookup_ports(), text).await?
            }
            Some(Dialogue::AdminVerify) => {
                lookup::verify_typed(&mut self.cx, &self.engine.lookup_ports(), text).await?
            }
            Some(Dialogue::ContentText { node, lang }) => {
                let ports = self.engine.content_ports();
                content_drafts::content_text_typed(&mut self.cx, &ports, node, lang, text).await?
            }
            Some(Dialogue::ContentMedia { .. }) => self.cx.say("content-send-a-file"),
            _ => navigation::resume(&mut self.cx, &self.engine.nav_ports(), "free-text").await?,
        }
        Ok(())
    }

    /// A file: an announcement's (or its caption's) or a page's new media when the
    /// bot asked for one; otherwise a hint and the screen the person was on.
    pub(crate) async fn media_sent(
        &mut self,
        file: Option<Attachment>,
        caption: Option<String>,
    ) -> Served {
        let step = dialogue::dialogue(&self.cx, &*self.engine.state).await;
        let guard = step
            .filter(|_| file.is_some())
            .and_then(|s| typed_guard(s, true));
        if !self.typed_allowed(guard).await {
            return Ok(());
        }
        match (step, file) {
            (Some(Dialogue::BroadcastText), Some(file)) => {
                let caption = caption.as_deref().unwrap_or_default();
                let ports = self.engine.broadcast_ports();
                broadcasts::compose(&mut self.cx, &ports, caption, Some(file)).await?
            }
            (Some(Dialogue::ContentMedia { node }), Some(file)) => {
                let ports = self.engine.content_ports();
                content_drafts::content_media_sent(&mut self.cx, &ports, node, file).await?
            }
            (Some(step @ (Dialogue::OnboardingPark | Dialogue::OnboardingDepartment)), _) => {
                let ports = self.engine.onboarding_ports();
                onboarding::onboarding_again(&mut self.cx, &ports, step, "media-unsupported")
                    .await?
            }
            _ => {
                navigation::resume(&mut self.cx, &self.engine.nav_ports(), "media-unsupported")
                    .await?
            }
        }
        Ok(())
    }

    /// Abandons the current dialogue; `true` if there was one. Leaving onboarding at
    /// the position finishes it: the rest can be filled in later in /profile. Leaving
    /// it at the park or the department does not: /start asks again.
    async fn leave_dialogue(&mut self) -> Result<bool, EngineError> {
        let state = &*self.engine.state;
        let Some(dialogue) = dialogue::dialogue(&self.cx, state).await else {
            return Ok(false);
        };
        dialogue::end_dialogue(&self.cx, state).await;
        if dialogue == (Dialogue::Position { onboarding: true }) {
            onboarding::finish_onboarding(&mut self.cx, &self.engine.onboarding_ports()).await?;
        }
        Ok(true)
    }

    /// The answer to a button the router cannot serve: the data is out of date
    /// or was never issued.
    pub(crate) async fn stale(&mut self, message: Option<CallbackMessage>) -> Served {
        navigation::stale(&mut self.cx, &self.engine.nav_ports(), message).await
    }

    /// The guard for an admin's typed answer, as for every admin button; `None`
    /// (not an admin's answer) passes.
    async fn typed_allowed(&mut self, guard: Option<TypedGuard>) -> bool {
        let Some(guard) = guard else {
            return true;
        };
        if guard.closes {
            dialogue::end_dialogue(&self.cx, &*self.engine.state).await;
        }
        self.typed_input_allowed(&guard.what, guard.need, guard.about)
            .await
    }
}

/// What an admin's typed answer (or file, `file`) needs from the guard.
struct TypedGuard {
    /// What the audit log calls it when refused.
    what: String,
    need: Need,
    /// The person it is about, for a park manager's scope.
    about: Option<i64>,
    /// Whether the question closes before the guard: a search, a code or a
    /// reason is taken once; an announcement, a start time or a page's text
    /// stays asked, for a corrected answer.
    closes: bool,
}

/// The guard of each step that takes an admin's answer; `None` for the steps
/// anyone answers (onboarding, the profile, the admin password).
fn typed_guard(step: Dialogue, file: bool) -> Option<TypedGuard> {
    let guard = |what: String, need, about, closes| TypedGuard {
        what,
        need,
        about,
        closes,
    };
    Some(match (step, file) {
        (Dialogue::BlockReason { target }, false) => {
            guard(format!("block {target}"), Need::People, Some(target), true)
        }
        (Dialogue::AdminSearch, false) => guard("search".into(), Need::People, None, true),
        (Dialogue::AdminVerify, false) => {
            guard("verify_certificate".into(), Need::People, None, true)
        }
        (Dialogue::BroadcastText, _) => guard("broadcast text".into(), Need::Full, None, false),
        (Dialogue::BroadcastTime, false) => guard("broadcast time".into(), Need::Full, None, false),
        (Dialogue::ContentText { lang, .. }, false) => {
            let field = PageField::Text(lang).as_str();
            guard(format!("content {field}"), Need::Content, None, false)
        }
        (Dialogue::ContentMedia { .. }, true) => {
            let field = PageField::Media.as_str();
            guard(format!("content {field}"), Need::Content, None, false)
        }
        _ => return None,
    })
}
