//! Following broadcasts in the panel: the history, a broadcast's status, and
//! pausing, resuming or cancelling one.

use domain::broadcast::{BroadcastState, DeliveryCounts};
use domain::callback::{AdminAction, BroadcastAction, Callback};
use domain::html::Html;
use domain::lang::Lang;
use domain::learning;

use crate::action::{Button, Keyboard};
use crate::broadcasts::nav;
use crate::engine::Turn;
use crate::error::{OrUnavailable, Served, unavailable};
use crate::i18n::{html, t, t_args};
use crate::inbound::CallbackMessage;
use crate::ports::Broadcast;
use crate::screens::Rendered;

/// Broadcasts on one screen of the history.
const HISTORY_PAGE: u32 = 5;

impl Turn<'_> {
    /// Moves a broadcast between states for an admin, audited; a move the state
    /// no longer allows (someone else acted first, or it finished) changes nothing.
    pub(crate) async fn move_broadcast(
        &mut self,
        id: i64,
        from: &[BroadcastState],
        to: BroadcastState,
    ) -> Served {
        match self
            .engine
            .storage
            .set_broadcast_state(id, from, to, self.cx.now())
            .await
        {
            Ok(true) => {
                let action = match to {
                    BroadcastState::Paused => "broadcast_pause",
                    BroadcastState::Running => "broadcast_resume",
                    _ => "broadcast_cancel",
                };
                self.audit(action, format!("#{id}")).await;
            }
            Ok(false) => {}
            Err(e) => return Err(unavailable("cannot change a broadcast", e)),
        }
        Ok(())
    }

    pub(crate) async fn broadcast_status(
        &mut self,
        id: i64,
        message: Option<CallbackMessage>,
    ) -> Served {
        let tz = self.cx.timezone().to_owned();
        match self
            .engine
            .broadcast_status_screen(id, self.cx.lang(), &tz)
            .await
        {
            Ok(Some(rendered)) => self.cx.show_rendered(message, rendered),
            Ok(None) => {
                let text = html(self.cx.lang(), "broadcast-unknown");
                let keyboard = Keyboard::default().row(vec![self.history_button()]);
                self.cx.show_rendered(message, Rendered { text, keyboard });
            }
            Err(e) => return Err(unavailable("cannot read a broadcast", e)),
        }
        Ok(())
    }

    pub(crate) async fn broadcast_history(
        &mut self,
        before: Option<i64>,
        message: Option<CallbackMessage>,
    ) -> Served {
        let lang = self.cx.lang();
        let storage = self.engine.storage.clone();
        let broadcasts = storage
            .broadcasts(before, HISTORY_PAGE)
            .await
            .or_unavailable("cannot list broadcasts")?;
        let tz = self.cx.timezone().to_owned();
        let mut text = Html::bold(&html(lang, "broadcast-history-title"));
        if broadcasts.is_empty() {
            text.push_text("\n");
            text.push(&html(lang, "broadcast-history-empty"));
        }
        let mut keyboard = Keyboard::default().row(vec![Button::new(
            t(lang, "btn-broadcast-new"),
            nav(BroadcastAction::New),
        )]);
        for broadcast in &broadcasts {
            let counts = storage
                .delivery_counts(broadcast.id)
                .await
                .or_unavailable("cannot count deliveries")?;
            let admin = self.engine.admin_label(broadcast.job.created_by).await;
            let line = history_line(lang, broadcast, &counts, &tz, admin);
            text.push_text("\n");
            text.push_text(&line);
            keyboard = keyboard.row(vec![Button::new(
                format!("#{} · {}", broadcast.id, state_name(lang, broadcast.state)),
                nav(BroadcastAction::Status(broadcast.id)),
            )]);
        }
        if broadcasts.len() == HISTORY_PAGE as usize
            && let Some(last) = broadcasts.last()
        {
            keyboard = keyboard.row(vec![Button::new(
                t(lang, "btn-admin-older"),
                nav(BroadcastAction::History {
                    before: Some(last.id),
                }),
            )]);
        }
        keyboard = keyboard.row(vec![Button::new(
            t(lang, "btn-admin-panel"),
            Callback::Admin(AdminAction::Panel),
        )]);
        self.cx.show_rendered(message, Rendered { text, keyboard });
        Ok(())
    }
}

pub(crate) fn state_name(lang: Lang, state: BroadcastState) -> String {
    t(lang, &format!("broadcast-state-{}", state.as_str()))
}

/// "#12 · 28.11.2026 14:05 · by Anna (42) · done · 980 of 1000 sent".
pub(crate) fn history_line(
    lang: Lang,
    b: &Broadcast,
    counts: &DeliveryCounts,
    tz: &str,
    admin: String,
) -> String {
    t_args(
        lang,
        "broadcast-history-line",
        &[
            ("id", b.id.into()),
            (
                "time",
                learning::local_date_time(b.job.created_at, tz).into(),
            ),
            ("admin", admin.into()),
            ("state", state_name(lang, b.state).into()),
            ("sent", counts.sent.into()),
            ("total", counts.total().into()),
        ],
    )
}
