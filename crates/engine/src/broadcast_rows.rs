//! What the broadcast screens and the broadcast worker share: the callbacks,
//! the names of audiences and states, a history line, the way back to the list,
//! what an admin is told about Markdown the renderer refuses, and the ports of
//! the broadcast screens.

use domain::broadcast::{Audience, BroadcastState, DeliveryCounts};
use domain::callback::{AdminAction, BroadcastAction, Callback};
use domain::content::ContentPack;
use domain::lang::Lang;
use domain::learning;
use domain::render::{RenderError, RenderErrorKind};

use crate::action::Button;
use crate::i18n::{t, t_args};
use crate::ports::{AdminStore, Broadcast, BroadcastStore, LookupStore, PersonRecords, StateStore};

/// What the broadcast screens reach beyond the update's context.
pub(crate) struct BroadcastPorts<'a> {
    /// The broadcasts, their deliveries and audiences.
    pub(crate) broadcasts: &'a dyn BroadcastStore,
    /// Who is behind on their path (an audience).
    pub(crate) lookup: &'a dyn LookupStore,
    /// Who started a broadcast.
    pub(crate) people: &'a dyn PersonRecords,
    /// Where each broadcast and change is audited.
    pub(crate) audit: &'a dyn AdminStore,
    /// Where the draft and the step the bot waits on are kept.
    pub(crate) state: &'a dyn StateStore,
}

/// The window the status screen's send rate is measured over.
pub(crate) const RATE_WINDOW_SECS: i64 = 10;

/// A broadcast button's callback.
pub(crate) fn nav(action: BroadcastAction) -> Callback {
    Callback::Admin(AdminAction::Broadcast(action))
}

/// What an admin is told about Markdown the renderer refuses (an announcement or a
/// page edit): the line and what to write instead.
pub(crate) fn markdown_problem(lang: Lang, e: &RenderError) -> String {
    t_args(
        lang,
        "broadcast-bad-markdown",
        &[
            ("line", e.line.into()),
            ("problem", t(lang, problem_key(&e.kind)).into()),
        ],
    )
}

fn problem_key(kind: &RenderErrorKind) -> &'static str {
    match kind {
        RenderErrorKind::RawHtml { .. } => "broadcast-problem-html",
        RenderErrorKind::Image => "broadcast-problem-image",
        RenderErrorKind::Footnote => "broadcast-problem-footnote",
        RenderErrorKind::LinkScheme { .. } => "broadcast-problem-link",
    }
}

/// An audience's name in `lang`; `None` for a park or department the pack no longer
/// has.
pub(crate) fn audience_name(pack: &ContentPack, lang: Lang, audience: &Audience) -> Option<String> {
    Some(match audience {
        Audience::Everyone => t(lang, "audience-everyone"),
        Audience::Park(p) => t_args(
            lang,
            "audience-park",
            &[("name", pack.park(p.as_str())?.name.get(lang).clone().into())],
        ),
        Audience::Department(d) => t_args(
            lang,
            "audience-department",
            &[(
                "name",
                pack.department(d.as_str())?.name.get(lang).clone().into(),
            )],
        ),
        Audience::ActiveWithin(days) => {
            t_args(lang, "audience-active", &[("days", (*days).into())])
        }
        Audience::Behind => t(lang, "audience-behind"),
    })
}

/// The button to the list of broadcasts.
pub(crate) fn history_button(lang: Lang) -> Button {
    Button::new(
        t(lang, "btn-admin-broadcasts"),
        nav(BroadcastAction::History { before: None }),
    )
}

/// A broadcast state's name in `lang`.
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
