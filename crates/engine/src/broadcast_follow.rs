//! Following broadcasts in the panel: the history, a broadcast's status, and
//! pausing, resuming or cancelling one.

use domain::broadcast::BroadcastState;
use domain::callback::{AdminAction, BroadcastAction, Callback};
use domain::html::Html;

use crate::action::{Button, Keyboard};
use crate::audit::audit;
use crate::broadcast_jobs::{admin_label, status_screen};
use crate::broadcast_rows::{BroadcastPorts, history_button, history_line, nav, state_name};
use crate::context::Cx;
use crate::error::{OrUnavailable, Served, unavailable};
use crate::i18n::{html, t};
use crate::inbound::CallbackMessage;
use crate::screens::Rendered;

/// Broadcasts on one screen of the history.
const HISTORY_PAGE: u32 = 5;

/// Moves a broadcast between states for an admin, audited; a move the state
/// no longer allows (someone else acted first, or it finished) changes nothing.
pub(crate) async fn move_broadcast(
    cx: &mut Cx,
    ports: &BroadcastPorts<'_>,
    id: i64,
    from: &[BroadcastState],
    to: BroadcastState,
) -> Served {
    match ports
        .broadcasts
        .set_broadcast_state(id, from, to, cx.now())
        .await
    {
        Ok(true) => {
            let action = match to {
                BroadcastState::Paused => "broadcast_pause",
                BroadcastState::Running => "broadcast_resume",
                _ => "broadcast_cancel",
            };
            audit(cx, ports.audit, action, format!("#{id}")).await;
        }
        Ok(false) => {}
        Err(e) => return Err(unavailable("cannot change a broadcast", e)),
    }
    Ok(())
}

pub(crate) async fn broadcast_status(
    cx: &mut Cx,
    ports: &BroadcastPorts<'_>,
    id: i64,
    message: Option<CallbackMessage>,
) -> Served {
    let tz = cx.timezone().to_owned();
    match status_screen(
        cx.pack(),
        ports.broadcasts,
        ports.people,
        cx.now(),
        id,
        cx.lang(),
        &tz,
    )
    .await
    {
        Ok(Some(rendered)) => cx.show_rendered(message, rendered),
        Ok(None) => {
            let text = html(cx.lang(), "broadcast-unknown");
            let keyboard = Keyboard::default().row(vec![history_button(cx.lang())]);
            cx.show_rendered(message, Rendered { text, keyboard });
        }
        Err(e) => return Err(unavailable("cannot read a broadcast", e)),
    }
    Ok(())
}

pub(crate) async fn broadcast_history(
    cx: &mut Cx,
    ports: &BroadcastPorts<'_>,
    before: Option<i64>,
    message: Option<CallbackMessage>,
) -> Served {
    let lang = cx.lang();
    let broadcasts = ports
        .broadcasts
        .broadcasts(before, HISTORY_PAGE)
        .await
        .or_unavailable("cannot list broadcasts")?;
    let tz = cx.timezone().to_owned();
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
        let counts = ports
            .broadcasts
            .delivery_counts(broadcast.id)
            .await
            .or_unavailable("cannot count deliveries")?;
        let admin = admin_label(ports.people, broadcast.job.created_by).await;
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
    cx.show_rendered(message, Rendered { text, keyboard });
    Ok(())
}
