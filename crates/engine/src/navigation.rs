//! Moving between screens: showing a screen in place of the pressed message (or
//! as a new one), media pages, the answer to an out-of-date button, and the
//! menu position remembered per chat (ADR 0004).

use std::time::Duration;

use domain::callback::Callback;
use domain::content::NodeKind;
use domain::html::Html;
use domain::ids::NodeId;

use crate::action::Action;
use crate::engine::Turn;
use crate::error::Served;
use crate::i18n::{html, t};
use crate::inbound::CallbackMessage;
use crate::ports::{Activity, ActivityKind};
use crate::screens::{Rendered, Screen, Viewer, media_message, render};

/// How long a chat's place in the menu is remembered.
const NAV_TTL: Duration = Duration::from_secs(30 * 24 * 60 * 60);

impl Turn<'_> {
    /// Free text or a file: a hint, then the screen the person was on.
    pub(crate) async fn resume(&mut self, hint: &str) -> Served {
        let screen = self.remembered_screen().await;
        self.send_screen(Some(html(self.lang(), hint)), screen)
            .await
    }

    /// Shows a node's screen with its media. Media cannot be edited into a text
    /// message: the old menu goes, the media and then the page (with its buttons)
    /// arrive as new messages.
    pub(crate) async fn open(
        &mut self,
        node: NodeId,
        screen: Screen,
        message: Option<CallbackMessage>,
    ) {
        match media_message(self.pack(), node, self.lang(), self.chat) {
            Some(media) => {
                if let Some(m) = message {
                    self.actions.push(Action::Delete {
                        chat: self.chat,
                        message_id: m.id,
                    });
                }
                self.actions.push(media);
                self.show(None, screen).await;
            }
            None => self.show(message, screen).await,
        }
    }

    /// A page or section a deep link (a QR code) names; one the pack no longer
    /// has is said so, over the main menu.
    pub(crate) async fn open_linked(&mut self, node: NodeId) -> Served {
        match Screen::from_callback(Callback::Open(node), self.pack()) {
            Some(screen) => self.open(node, screen, None).await,
            None => {
                let gone = html(self.lang(), "link-page-gone");
                self.send_screen(Some(gone), Screen::Home).await?;
            }
        }
        Ok(())
    }

    /// Data the bot never issued, or a menu whose page no longer exists.
    pub(crate) async fn stale(
        &mut self,
        query_id: String,
        message: Option<CallbackMessage>,
    ) -> Served {
        metrics::counter!("trainbot_stale_callbacks_total").increment(1);
        self.answer(query_id, Some(t(self.lang(), "stale-menu")));
        self.show(message, Screen::Home).await;
        Ok(())
    }

    pub(crate) fn answer(&mut self, query_id: String, text: Option<String>) {
        self.actions.push(Action::AnswerCallback { query_id, text });
    }

    /// What personalises screens: language, department and, when `with_reviews`,
    /// the due reviews. Only the main menu shows those, and counting them is a
    /// query, so other screens skip it.
    pub(crate) async fn viewer(&self, with_reviews: bool) -> Viewer<'_> {
        let department = self
            .staff
            .department
            .as_deref()
            .and_then(|d| self.pack().department(d));
        let reviews_due = if with_reviews {
            self.reviews_due().await
        } else {
            0
        };
        Viewer {
            lang: self.lang(),
            department,
            reviews_due,
        }
    }

    /// Shows `screen` in place of the pressed message when it is a text message,
    /// otherwise as a new message.
    pub(crate) async fn show(&mut self, message: Option<CallbackMessage>, screen: Screen) {
        let Some(rendered) = self.rendered(screen).await else {
            return;
        };
        self.show_rendered(message, rendered);
        self.arrived(screen).await;
    }

    /// Puts a rendered screen in place of `message` (or sends it).
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

    /// Sends `screen` as a new message, with an optional line above it.
    pub(crate) async fn send_screen(&mut self, prefix: Option<Html>, screen: Screen) -> Served {
        let Some(rendered) = self.rendered(screen).await else {
            return Ok(());
        };
        self.send_rendered(prefix, rendered);
        self.arrived(screen).await;
        Ok(())
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

    /// Renders a screen, falling back to the main menu if it no longer exists.
    pub(crate) async fn rendered(&self, screen: Screen) -> Option<Rendered> {
        if screen != Screen::Home
            && let Some(rendered) = render(self.pack(), screen, &self.viewer(false).await)
        {
            return Some(rendered);
        }
        render(self.pack(), Screen::Home, &self.viewer(true).await)
    }

    /// Remembers where the person is and records the visit.
    pub(crate) async fn arrived(&mut self, screen: Screen) {
        let key = format!("nav:{}", self.chat);
        if let Err(e) = self
            .engine
            .state
            .put(&key, &screen.callback().encode(), NAV_TTL)
            .await
        {
            tracing::warn!(error = %e, "cannot remember the menu position");
        }
        let Some(node) = screen.node().and_then(|id| self.pack().node(id)) else {
            return;
        };
        let kind = match node.kind {
            NodeKind::Section { .. } => ActivityKind::SectionView,
            NodeKind::Page(_) => ActivityKind::PageView,
        };
        self.engine.activity.record(Activity {
            user: self.user.id,
            kind,
            subject: Some(node.path.clone()),
            at: self.engine.clock.now(),
        });
    }

    /// The screen the person was last shown, if it still exists; else the main menu.
    pub(crate) async fn remembered_screen(&self) -> Screen {
        let key = format!("nav:{}", self.chat);
        let saved = match self.engine.state.get(&key).await {
            Ok(saved) => saved,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the menu position");
                None
            }
        };
        let viewer = self.viewer(false).await;
        saved
            .and_then(|raw| Callback::decode(&raw).ok())
            .and_then(|cb| Screen::from_callback(cb, self.pack()))
            .filter(|s| render(self.pack(), *s, &viewer).is_some())
            .unwrap_or(Screen::Home)
    }
}
