//! Moving between screens: showing a screen in place of the pressed message (or
//! as a new one), media pages, the answer to an out-of-date button, and the
//! menu position remembered per chat (ADR 0004).

use std::time::Duration;

use domain::callback::Callback;
use domain::content::NodeKind;
use domain::html::Html;
use domain::ids::NodeId;

use crate::action::Action;
use crate::activity::ActivityRecorder;
use crate::context::Cx;
use crate::error::Served;
use crate::i18n::{html, t};
use crate::inbound::CallbackMessage;
use crate::people::People;
use crate::ports::{Activity, ActivityKind, LearningStore, StateStore};
use crate::progress;
use crate::screens::{Rendered, Screen, Viewer, media_message, render};

/// How long a chat's place in the menu is remembered.
const NAV_TTL: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// What moving between screens reaches beyond the update's context.
pub(crate) struct NavPorts<'a> {
    /// Where each chat's place in the menu is kept.
    pub(crate) state: &'a dyn StateStore,
    /// Page and section views, written in batches.
    pub(crate) activity: &'a ActivityRecorder,
    /// With `cache`: the reviews due, which the main menu offers.
    pub(crate) learning: &'a dyn LearningStore,
    pub(crate) cache: &'a People,
}

/// Free text or a file: a hint, then the screen the person was on.
pub(crate) async fn resume(cx: &mut Cx, nav: &NavPorts<'_>, hint: &str) -> Served {
    let screen = remembered_screen(cx, nav).await;
    send_screen(cx, nav, Some(html(cx.lang(), hint)), screen).await
}

/// Shows a node's screen with its media. Media cannot be edited into a text
/// message: the old menu goes, the media and then the page (with its buttons)
/// arrive as new messages.
pub(crate) async fn open(
    cx: &mut Cx,
    nav: &NavPorts<'_>,
    node: NodeId,
    screen: Screen,
    message: Option<CallbackMessage>,
) {
    match media_message(cx.pack(), node, cx.lang(), cx.chat) {
        Some(media) => {
            if let Some(m) = message {
                cx.actions.push(Action::Delete {
                    chat: cx.chat,
                    message_id: m.id,
                });
            }
            cx.actions.push(media);
            show(cx, nav, None, screen).await;
        }
        None => show(cx, nav, message, screen).await,
    }
}

/// A page or section a deep link (a QR code) names; one the pack no longer
/// has is said so, over the main menu.
pub(crate) async fn open_linked(cx: &mut Cx, nav: &NavPorts<'_>, node: NodeId) -> Served {
    match Screen::from_callback(Callback::Open(node), cx.pack()) {
        Some(screen) => open(cx, nav, node, screen, None).await,
        None => {
            let gone = html(cx.lang(), "link-page-gone");
            send_screen(cx, nav, Some(gone), Screen::Home).await?;
        }
    }
    Ok(())
}

/// Data the bot never issued, or a menu whose page no longer exists.
pub(crate) async fn stale(
    cx: &mut Cx,
    nav: &NavPorts<'_>,
    message: Option<CallbackMessage>,
) -> Served {
    metrics::counter!("trainbot_stale_callbacks_total").increment(1);
    cx.toast(t(cx.lang(), "stale-menu"));
    show(cx, nav, message, Screen::Home).await;
    Ok(())
}

/// What personalises screens: language, department and, when `with_reviews`,
/// the due reviews. Only the main menu shows those, and counting them is a
/// query, so other screens skip it.
pub(crate) async fn viewer<'c>(cx: &'c Cx, nav: &NavPorts<'_>, with_reviews: bool) -> Viewer<'c> {
    let department = cx
        .staff
        .department
        .as_deref()
        .and_then(|d| cx.pack().department(d));
    let reviews_due = if with_reviews {
        progress::reviews_due(cx, nav.learning, nav.cache).await
    } else {
        0
    };
    Viewer {
        lang: cx.lang(),
        department,
        reviews_due,
    }
}

/// Shows `screen` in place of the pressed message when it is a text message,
/// otherwise as a new message.
pub(crate) async fn show(
    cx: &mut Cx,
    nav: &NavPorts<'_>,
    message: Option<CallbackMessage>,
    screen: Screen,
) {
    let Some(rendered) = rendered(cx, nav, screen).await else {
        return;
    };
    cx.show_rendered(message, rendered);
    arrived(cx, nav, screen).await;
}

/// Sends `screen` as a new message, with an optional line above it.
pub(crate) async fn send_screen(
    cx: &mut Cx,
    nav: &NavPorts<'_>,
    prefix: Option<Html>,
    screen: Screen,
) -> Served {
    let Some(rendered) = rendered(cx, nav, screen).await else {
        return Ok(());
    };
    cx.send_rendered(prefix, rendered);
    arrived(cx, nav, screen).await;
    Ok(())
}

/// Renders a screen, falling back to the main menu if it no longer exists.
pub(crate) async fn rendered(cx: &Cx, nav: &NavPorts<'_>, screen: Screen) -> Option<Rendered> {
    if screen != Screen::Home
        && let Some(rendered) = render(cx.pack(), screen, &viewer(cx, nav, false).await)
    {
        return Some(rendered);
    }
    render(cx.pack(), Screen::Home, &viewer(cx, nav, true).await)
}

/// Remembers where the person is and records the visit.
pub(crate) async fn arrived(cx: &Cx, nav: &NavPorts<'_>, screen: Screen) {
    let key = format!("nav:{}", cx.chat);
    if let Err(e) = nav
        .state
        .put(&key, &screen.callback().encode(), NAV_TTL)
        .await
    {
        tracing::warn!(error = %e, "cannot remember the menu position");
    }
    let Some(node) = screen.node().and_then(|id| cx.pack().node(id)) else {
        return;
    };
    let kind = match node.kind {
        NodeKind::Section { .. } => ActivityKind::SectionView,
        NodeKind::Page(_) => ActivityKind::PageView,
    };
    nav.activity.record(Activity {
        user: cx.user.id,
        kind,
        subject: Some(node.path.clone()),
        at: cx.now(),
    });
}

/// The screen the person was last shown, if it still exists; else the main menu.
pub(crate) async fn remembered_screen(cx: &Cx, nav: &NavPorts<'_>) -> Screen {
    let key = format!("nav:{}", cx.chat);
    let saved = match nav.state.get(&key).await {
        Ok(saved) => saved,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the menu position");
            None
        }
    };
    let viewer = viewer(cx, nav, false).await;
    saved
        .and_then(|raw| Callback::decode(&raw).ok())
        .and_then(|cb| Screen::from_callback(cb, cx.pack()))
        .filter(|s| render(cx.pack(), *s, &viewer).is_some())
        .unwrap_or(Screen::Home)
}
