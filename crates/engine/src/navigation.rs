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
        self.send_screen(Some(html(self.cx.lang(), hint)), screen)
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
        match media_message(self.cx.pack(), node, self.cx.lang(), self.cx.chat) {
            Some(media) => {
                if let Some(m) = message {
                    self.cx.actions.push(Action::Delete {
                        chat: self.cx.chat,
                        message_id: m.id,
                    });
                }
                self.cx.actions.push(media);
                self.show(None, screen).await;
            }
            None => self.show(message, screen).await,
        }
    }

    /// A page or section a deep link (a QR code) names; one the pack no longer
    /// has is said so, over the main menu.
    pub(crate) async fn open_linked(&mut self, node: NodeId) -> Served {
        match Screen::from_callback(Callback::Open(node), self.cx.pack()) {
            Some(screen) => self.open(node, screen, None).await,
            None => {
                let gone = html(self.cx.lang(), "link-page-gone");
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
        self.cx
            .answer(query_id, Some(t(self.cx.lang(), "stale-menu")));
        self.show(message, Screen::Home).await;
        Ok(())
    }

    /// What personalises screens: language, department and, when `with_reviews`,
    /// the due reviews. Only the main menu shows those, and counting them is a
    /// query, so other screens skip it.
    pub(crate) async fn viewer(&self, with_reviews: bool) -> Viewer<'_> {
        let department = self
            .cx
            .staff
            .department
            .as_deref()
            .and_then(|d| self.cx.pack().department(d));
        let reviews_due = if with_reviews {
            self.reviews_due().await
        } else {
            0
        };
        Viewer {
            lang: self.cx.lang(),
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
        self.cx.show_rendered(message, rendered);
        self.arrived(screen).await;
    }

    /// Sends `screen` as a new message, with an optional line above it.
    pub(crate) async fn send_screen(&mut self, prefix: Option<Html>, screen: Screen) -> Served {
        let Some(rendered) = self.rendered(screen).await else {
            return Ok(());
        };
        self.cx.send_rendered(prefix, rendered);
        self.arrived(screen).await;
        Ok(())
    }

    /// Renders a screen, falling back to the main menu if it no longer exists.
    pub(crate) async fn rendered(&self, screen: Screen) -> Option<Rendered> {
        if screen != Screen::Home
            && let Some(rendered) = render(self.cx.pack(), screen, &self.viewer(false).await)
        {
            return Some(rendered);
        }
        render(self.cx.pack(), Screen::Home, &self.viewer(true).await)
    }

    /// Remembers where the person is and records the visit.
    pub(crate) async fn arrived(&mut self, screen: Screen) {
        let key = format!("nav:{}", self.cx.chat);
        if let Err(e) = self
            .engine
            .state
            .put(&key, &screen.callback().encode(), NAV_TTL)
            .await
        {
            tracing::warn!(error = %e, "cannot remember the menu position");
        }
        let Some(node) = screen.node().and_then(|id| self.cx.pack().node(id)) else {
            return;
        };
        let kind = match node.kind {
            NodeKind::Section { .. } => ActivityKind::SectionView,
            NodeKind::Page(_) => ActivityKind::PageView,
        };
        self.engine.activity.record(Activity {
            user: self.cx.user.id,
            kind,
            subject: Some(node.path.clone()),
            at: self.engine.clock.now(),
        });
    }

    /// The screen the person was last shown, if it still exists; else the main menu.
    pub(crate) async fn remembered_screen(&self) -> Screen {
        let key = format!("nav:{}", self.cx.chat);
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
            .and_then(|cb| Screen::from_callback(cb, self.cx.pack()))
            .filter(|s| render(self.cx.pack(), *s, &viewer).is_some())
            .unwrap_or(Screen::Home)
    }
}
