//! The context of one update: who sent it, in which chat, with which content and
//! rights, and the actions built so far. Data only: no feature's behaviour lives
//! here, and nothing here reaches storage or the state store. Feature handlers
//! take a `&mut Cx` and the narrow port they need (ADR 0048); the helpers below
//! only read the data or add an action.

use std::sync::Arc;

use domain::callback::Callback;
use domain::content::ContentPack;
use domain::html::Html;
use domain::ids::ChatId;
use domain::lang::Lang;

use crate::action::{Action, Keyboard};
use crate::i18n::{html, t_args};
use crate::inbound::CallbackMessage;
use crate::ports::{Clock, StaffProfile, UserRecord};
use crate::rights::{Rights, need};
use crate::screens::Rendered;

/// Time zone used when the person has no park.
pub(crate) const DEFAULT_TIMEZONE: &str = "Europe/Moscow";

/// A park id no park has: what a scoped read is limited to when the presser has no
/// people rights at all (never reached through the guard; a safe default).
pub(crate) const NO_PARK: &str = " ";

/// One update's person, chat, content, rights and answer so far.
pub(crate) struct Cx {
    /// The content as of the update's start: one update sees one pack.
    pub(crate) content: Arc<ContentPack>,
    pub(crate) chat: ChatId,
    pub(crate) user: UserRecord,
    pub(crate) staff: StaffProfile,
    /// Whether the person was let in, if known from their copy in `People`.
    pub(crate) access: Option<bool>,
    /// What the person may do in the admin panel, set by the admin guard.
    pub(crate) rights: Rights,
    pub(crate) clock: Arc<dyn Clock>,
    /// What the transport will do, in order.
    pub(crate) actions: Vec<Action>,
    /// What the pressed button's answer shows, if anything: the pipeline
    /// answers every press once, first, with it (`Engine::handle_private`).
    pub(crate) toast: Option<String>,
}

impl Cx {
    pub(crate) fn lang(&self) -> Lang {
        self.user.language
    }

    pub(crate) fn pack(&self) -> &ContentPack {
        &self.content
    }

    pub(crate) fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }

    /// The person's park's time zone.
    pub(crate) fn timezone(&self) -> &str {
        self.staff
            .park
            .as_deref()
            .and_then(|p| self.pack().park(p))
            .map_or(DEFAULT_TIMEZONE, |p| p.timezone.as_str())
    }

    /// The park a park manager's reads are limited to; `None` for a full admin.
    pub(crate) fn scope(&self) -> Option<&str> {
        match &self.rights {
            Rights::Full => None,
            Rights::Park(park) => Some(park),
            Rights::None | Rights::Content => Some(NO_PARK),
        }
    }

    /// The keyboard without the admin buttons the presser's role cannot use (a
    /// full admin, and anyone outside the panel, sees it as it is).
    pub(crate) fn within_rights(&self, mut keyboard: Keyboard) -> Keyboard {
        if matches!(self.rights, Rights::Park(_) | Rights::Content) {
            for row in &mut keyboard.rows {
                row.retain(|b| match &b.callback {
                    Callback::Admin(action) => self.rights.allow(need(action)),
                    _ => true,
                });
            }
            keyboard.rows.retain(|row| !row.is_empty());
        }
        keyboard
    }

    pub(crate) fn key(&self, what: &str) -> String {
        format!("adm:{what}:{}", self.user.id)
    }

    pub(crate) fn say(&mut self, key: &str) {
        self.actions.push(Action::Send {
            chat: self.chat,
            text: html(self.lang(), key),
            keyboard: None,
        });
    }

    /// [`Cx::say`] with arguments.
    pub(crate) fn say_args(
        &mut self,
        key: &str,
        args: &[(
            &'static str,
            fluent_templates::fluent_bundle::FluentValue<'static>,
        )],
    ) {
        let text = Html::escape(&t_args(self.lang(), key, args));
        self.actions.push(Action::Send {
            chat: self.chat,
            text,
            keyboard: None,
        });
    }

    /// Shows `text` as the pressed button's toast. The first toast set stands:
    /// a handler that hands over to another keeps what it said, as a button
    /// has one answer.
    pub(crate) fn toast(&mut self, text: String) {
        self.toast.get_or_insert(text);
    }

    /// A screen whose content is a chart: the chart as a photo in place of the
    /// pressed menu, with the screen's text as its caption and its buttons; a
    /// text too long for a caption follows as a message with the buttons.
    pub(crate) fn show_chart(
        &mut self,
        message: Option<CallbackMessage>,
        chart: pictures::charts::Chart,
        Rendered { text, keyboard }: Rendered,
    ) {
        let keyboard = Some(self.within_rights(keyboard));
        if let Some(m) = message {
            self.actions.push(Action::Delete {
                chat: self.chat,
                message_id: m.id,
            });
        }
        if text.text_len() <= domain::content::CAPTION_LIMIT {
            self.actions.push(Action::SendChart {
                chat: self.chat,
                chart,
                caption: text,
                keyboard,
            });
        } else {
            self.actions.push(Action::SendChart {
                chat: self.chat,
                chart,
                caption: Html::default(),
                keyboard: None,
            });
            self.actions.push(Action::Send {
                chat: self.chat,
                text,
                keyboard,
            });
        }
    }

    /// Puts a rendered screen in place of `message` (or sends it).
    pub(crate) fn show_rendered(
        &mut self,
        message: Option<CallbackMessage>,
        Rendered { text, keyboard }: Rendered,
    ) {
        let keyboard = Some(self.within_rights(keyboard));
        match message {
            Some(m) if m.has_text => {
                self.actions.push(Action::Edit {
                    chat: self.chat,
                    message_id: m.id,
                    text,
                    keyboard,
                });
            }
            other => {
                if let Some(m) = other {
                    self.actions.push(Action::Delete {
                        chat: self.chat,
                        message_id: m.id,
                    });
                }
                self.actions.push(Action::Send {
                    chat: self.chat,
                    text,
                    keyboard,
                });
            }
        }
    }

    /// Sends a rendered screen as a new message, with an optional line above it.
    pub(crate) fn send_rendered(
        &mut self,
        prefix: Option<Html>,
        Rendered { text, keyboard }: Rendered,
    ) {
        let keyboard = self.within_rights(keyboard);
        match prefix {
            Some(mut combined)
                if combined.text_len() + 2 + text.text_len() <= domain::content::MESSAGE_LIMIT =>
            {
                combined.push_text("\n\n");
                combined.push(&text);
                self.actions.push(Action::Send {
                    chat: self.chat,
                    text: combined,
                    keyboard: Some(keyboard),
                });
            }
            Some(prefix) => {
                self.actions.push(Action::Send {
                    chat: self.chat,
                    text: prefix,
                    keyboard: None,
                });
                self.actions.push(Action::Send {
                    chat: self.chat,
                    text,
                    keyboard: Some(keyboard),
                });
            }
            None => self.actions.push(Action::Send {
                chat: self.chat,
                text,
                keyboard: Some(keyboard),
            }),
        }
    }
}
