//! Broadcasts in the admin panel: compose, preview, choose the audience
//! (`broadcast_audience`), confirm or schedule (following one, pausing, resuming
//! or cancelling it is `broadcast_follow`). The engine's side of the background worker (choosing recipients when a broadcast starts, the message each
//! of them gets, the report to the admin who started it) is `broadcast_jobs`.
//!
//! The handler never sends an announcement: confirming stores a durable job and the
//! worker in the server sends it at Telegram's bulk rate. What the admin previews is
//! built by the same function as what recipients get ([`NewBroadcast::message`]).
//! The draft lives in the state store, per admin, until it is confirmed or dropped.

use std::time::Duration;

use domain::broadcast::{Audience, BroadcastState};
use domain::callback::BroadcastAction;
use domain::content::{CAPTION_LIMIT, MESSAGE_LIMIT, MediaKind};
use domain::html::Html;
use domain::learning;
use domain::render::render_markdown;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::action::{Action, Button, Keyboard};
use crate::audit::audit;
use crate::broadcast_audience;
use crate::broadcast_follow;
use crate::broadcast_jobs::audience_recipients;
use crate::broadcast_rows::{BroadcastPorts, audience_name, history_button, markdown_problem, nav};
use crate::context::Cx;
use crate::context::DEFAULT_TIMEZONE;
use crate::dialogue::{self, Dialogue};
use crate::error::{OrUnavailable, Served, unavailable};
use crate::i18n::{html, t, t_args};
use crate::inbound::{Attachment, CallbackMessage};
use crate::ports::NewBroadcast;
use crate::screens::Rendered;

/// How long a draft is kept.
const DRAFT_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// How long the bot waits for the text or the start time.
const COMPOSE_WAIT: Duration = Duration::from_secs(30 * 60);
/// How far ahead a broadcast may be scheduled.
const SCHEDULE_HORIZON_DAYS: i64 = 90;

/// An announcement being prepared, kept in the state store.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Draft {
    source: String,
    /// `MediaKind::as_str()` and the Telegram file id.
    media: Option<(String, String)>,
    /// `Audience::encode()`.
    pub(crate) audience: Option<String>,
    /// Unix seconds; `None`: start on confirmation.
    start_at: Option<i64>,
}

impl Draft {
    fn media(&self) -> Option<Attachment> {
        let (kind, file_id) = self.media.as_ref()?;
        Some(Attachment {
            kind: MediaKind::parse(kind)?,
            file_id: file_id.clone(),
        })
    }

    fn audience(&self) -> Option<Audience> {
        self.audience.as_deref().and_then(Audience::decode)
    }

    fn start_at(&self) -> Option<OffsetDateTime> {
        self.start_at
            .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
    }
}

fn broadcast_draft_key(cx: &Cx) -> String {
    format!("bc:draft:{}", cx.user.id)
}

pub(crate) async fn broadcast_draft(cx: &Cx, ports: &BroadcastPorts<'_>) -> Option<Draft> {
    match ports.state.get(&broadcast_draft_key(cx)).await {
        Ok(raw) => raw.and_then(|r| serde_json::from_str(&r).ok()),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the broadcast draft");
            None
        }
    }
}

pub(crate) async fn save_broadcast_draft(
    cx: &mut Cx,
    ports: &BroadcastPorts<'_>,
    draft: &Draft,
) -> Served {
    let raw = serde_json::to_string(draft).unwrap_or_default();
    ports
        .state
        .put(&broadcast_draft_key(cx), &raw, DRAFT_TTL)
        .await
        .or_unavailable("cannot save the broadcast draft")
}

/// A broadcast button, after the admin guard let it through.
pub(crate) async fn broadcast_action(
    cx: &mut Cx,
    ports: &BroadcastPorts<'_>,
    action: BroadcastAction,
    message: Option<CallbackMessage>,
) -> Served {
    if !matches!(action, BroadcastAction::New | BroadcastAction::Schedule)
        && matches!(
            dialogue::dialogue(cx, ports.state).await,
            Some(Dialogue::BroadcastText | Dialogue::BroadcastTime)
        )
    {
        dialogue::end_dialogue(cx, ports.state).await;
    }
    match action {
        BroadcastAction::History { before } => {
            broadcast_follow::broadcast_history(cx, ports, before, message).await?
        }
        BroadcastAction::New => {
            dialogue::enter_dialogue_for(cx, ports.state, Dialogue::BroadcastText, COMPOSE_WAIT)
                .await;
            let keyboard = Keyboard::default().row(vec![history_button(cx.lang())]);
            let text = html(cx.lang(), "broadcast-compose-prompt");
            cx.show_rendered(message, Rendered { text, keyboard });
        }
        BroadcastAction::PickPark => broadcast_audience::pick_audience_park(cx, message),
        BroadcastAction::PickDepartment => {
            broadcast_audience::pick_audience_department(cx, message)
        }
        BroadcastAction::PickActivity => broadcast_audience::pick_audience_activity(cx, message),
        BroadcastAction::Audiences => broadcast_audience::audience_screen(cx, message),
        BroadcastAction::Audience(audience) => {
            choose_audience(cx, ports, audience, message).await?
        }
        BroadcastAction::Schedule => {
            if broadcast_draft(cx, ports).await.is_none() {
                no_draft(cx, message);
                return Ok(());
            }
            dialogue::enter_dialogue_for(cx, ports.state, Dialogue::BroadcastTime, COMPOSE_WAIT)
                .await;
            let zone = schedule_zone(
                cx,
                broadcast_draft(cx, ports).await.and_then(|d| d.audience()),
            );
            let text = schedule_prompt(cx, "broadcast-schedule-prompt", &zone);
            let keyboard = Keyboard::default().row(vec![history_button(cx.lang())]);
            cx.show_rendered(message, Rendered { text, keyboard });
        }
        BroadcastAction::Confirm => confirm_broadcast(cx, ports, message).await?,
        BroadcastAction::Discard => {
            if let Err(e) = ports.state.delete(&broadcast_draft_key(cx)).await {
                return Err(unavailable("cannot drop the broadcast draft", e));
            }
            let text = html(cx.lang(), "broadcast-discarded");
            let keyboard = Keyboard::default().row(vec![history_button(cx.lang())]);
            cx.show_rendered(message, Rendered { text, keyboard });
        }
        BroadcastAction::Status(id) => {
            broadcast_follow::broadcast_status(cx, ports, id, message).await?
        }
        BroadcastAction::Pause(id) => {
            broadcast_follow::move_broadcast(
                cx,
                ports,
                id,
                &[BroadcastState::Running],
                BroadcastState::Paused,
            )
            .await?;
            broadcast_follow::broadcast_status(cx, ports, id, message).await?;
        }
        BroadcastAction::Resume(id) => {
            broadcast_follow::move_broadcast(
                cx,
                ports,
                id,
                &[BroadcastState::Paused],
                BroadcastState::Running,
            )
            .await?;
            broadcast_follow::broadcast_status(cx, ports, id, message).await?;
        }
        BroadcastAction::Cancel(id) => {
            let lang = cx.lang();
            let text = Html::escape(&t_args(
                lang,
                "broadcast-cancel-confirm",
                &[("id", id.into())],
            ));
            let keyboard = Keyboard::default().row(vec![
                Button::new(
                    t(lang, "btn-broadcast-cancel-yes"),
                    nav(BroadcastAction::CancelConfirmed(id)),
                ),
                Button::new(
                    t(lang, "btn-broadcast-cancel-no"),
                    nav(BroadcastAction::Status(id)),
                ),
            ]);
            cx.show_rendered(message, Rendered { text, keyboard });
        }
        BroadcastAction::CancelConfirmed(id) => {
            broadcast_follow::move_broadcast(
                cx,
                ports,
                id,
                &[
                    BroadcastState::Scheduled,
                    BroadcastState::Running,
                    BroadcastState::Paused,
                ],
                BroadcastState::Cancelled,
            )
            .await?;
            broadcast_follow::broadcast_status(cx, ports, id, message).await?;
        }
    }
    Ok(())
}

/// The audience chosen: kept in the draft, then the confirmation.
pub(crate) async fn choose_audience(
    cx: &mut Cx,
    ports: &BroadcastPorts<'_>,
    audience: Audience,
    message: Option<CallbackMessage>,
) -> Served {
    let Some(mut draft) = broadcast_draft(cx, ports).await else {
        no_draft(cx, message);
        return Ok(());
    };
    if audience_name(cx.pack(), cx.lang(), &audience).is_none() {
        broadcast_audience::audience_screen(cx, message);
        return Ok(());
    }
    draft.audience = Some(audience.encode());
    save_broadcast_draft(cx, ports, &draft).await?;
    confirm_screen(cx, ports, &draft, message).await
}

pub(crate) fn no_draft(cx: &mut Cx, message: Option<CallbackMessage>) {
    let text = html(cx.lang(), "broadcast-no-draft");
    let keyboard = Keyboard::default().row(vec![history_button(cx.lang())]);
    cx.show_rendered(message, Rendered { text, keyboard });
}

/// Typed text while the bot waits for an announcement.
pub(crate) async fn broadcast_text_typed(
    cx: &mut Cx,
    ports: &BroadcastPorts<'_>,
    text: &str,
) -> Served {
    compose(cx, ports, text, None).await
}

/// Checks an announcement (the router's guard let it through), keeps it as the draft, previews it and asks for the
/// audience.
pub(crate) async fn compose(
    cx: &mut Cx,
    ports: &BroadcastPorts<'_>,
    source: &str,
    media: Option<Attachment>,
) -> Served {
    let lang = cx.lang();
    let source = source.trim();
    let problem = match render_markdown(source) {
        _ if source.is_empty() && media.is_none() => Some(t(lang, "broadcast-empty")),
        Err(e) => Some(markdown_problem(lang, &e)),
        Ok(rendered) => {
            let max = if media.is_some() {
                CAPTION_LIMIT
            } else {
                MESSAGE_LIMIT
            };
            (rendered.text_len() > max).then(|| {
                t_args(
                    lang,
                    "broadcast-too-long",
                    &[("length", rendered.text_len().into()), ("max", max.into())],
                )
            })
        }
    };
    if let Some(problem) = problem {
        // Still waiting for the text: the admin sends a corrected one.
        dialogue::enter_dialogue_for(cx, ports.state, Dialogue::BroadcastText, COMPOSE_WAIT).await;
        cx.actions.push(Action::Send {
            chat: cx.chat,
            text: Html::escape(&problem),
            keyboard: Some(Keyboard::default().row(vec![history_button(cx.lang())])),
        });
        return Ok(());
    }
    dialogue::end_dialogue(cx, ports.state).await;
    let draft = Draft {
        source: source.to_owned(),
        media: media.map(|m| (m.kind.as_str().to_owned(), m.file_id)),
        audience: None,
        start_at: None,
    };
    save_broadcast_draft(cx, ports, &draft).await?;
    let preview = job(cx, &draft, Audience::Everyone, cx.now());
    cx.actions.push(preview.message(cx.chat));
    let mut text = html(lang, "broadcast-preview-above");
    text.push_text("\n\n");
    text.push(&html(lang, "broadcast-audience-title"));
    cx.actions.push(Action::Send {
        chat: cx.chat,
        text,
        keyboard: Some(broadcast_audience::audience_keyboard(cx)),
    });
    Ok(())
}

fn job(cx: &Cx, draft: &Draft, audience: Audience, now: OffsetDateTime) -> NewBroadcast {
    NewBroadcast {
        created_by: cx.user.id,
        created_at: now,
        source: draft.source.clone(),

        media: draft.media(),
        audience,
        start_at: draft.start_at().unwrap_or(now),
        status_message: None,
    }
}

/// The recipient count and start time, with Send, Schedule, Change audience and
/// Discard.
pub(crate) async fn confirm_screen(
    cx: &mut Cx,
    ports: &BroadcastPorts<'_>,
    draft: &Draft,
    message: Option<CallbackMessage>,
) -> Served {
    let lang = cx.lang();
    let Some(audience) = draft.audience() else {
        broadcast_audience::audience_screen(cx, message);
        return Ok(());
    };
    let recipients = match audience_recipients(
        cx.pack(),
        ports.broadcasts,
        ports.lookup,
        cx.now(),
        &audience,
    )
    .await
    {
        Ok(r) => r.len(),
        Err(e) => return Err(unavailable("cannot count recipients", e)),
    };
    let name = audience_name(cx.pack(), cx.lang(), &audience).unwrap_or_default();
    let mut text = Html::bold(&html(lang, "broadcast-confirm-title"));
    for line in [
        t_args(lang, "broadcast-audience", &[("audience", name.into())]),
        t_args(lang, "broadcast-recipients", &[("n", recipients.into())]),
        start_line(cx, draft, &audience),
    ] {
        text.push_text("\n");
        text.push_text(&line);
    }
    let b = |label: String, action: BroadcastAction| Button::new(label, nav(action));
    let mut keyboard = Keyboard::default();
    if recipients == 0 {
        text.push_text("\n\n");
        text.push(&html(lang, "broadcast-no-recipients"));
    } else {
        keyboard = keyboard.row(vec![b(
            t_args(lang, "btn-broadcast-send", &[("n", recipients.into())]),
            BroadcastAction::Confirm,
        )]);
    }
    keyboard = keyboard
        .row(vec![
            b(t(lang, "btn-broadcast-schedule"), BroadcastAction::Schedule),
            b(
                t(lang, "btn-broadcast-audience"),
                BroadcastAction::Audiences,
            ),
        ])
        .row(vec![b(
            t(lang, "btn-broadcast-discard"),
            BroadcastAction::Discard,
        )]);
    cx.show_rendered(message, Rendered { text, keyboard });
    Ok(())
}

fn start_line(cx: &Cx, draft: &Draft, audience: &Audience) -> String {
    match draft.start_at() {
        None => t(cx.lang(), "broadcast-starts-now"),
        Some(at) => {
            let zone = schedule_zone(cx, Some(*audience));
            t_args(
                cx.lang(),
                "broadcast-starts-at",
                &[
                    ("time", learning::local_date_time(at, &zone).into()),
                    ("zone", zone.into()),
                ],
            )
        }
    }
}

/// The time zone a start time is typed in: the park's for a park audience,
/// otherwise the admin's own park's.
fn schedule_zone(cx: &Cx, audience: Option<Audience>) -> String {
    match audience {
        Some(Audience::Park(p)) => cx
            .pack()
            .park(p.as_str())
            .map_or(DEFAULT_TIMEZONE, |p| p.timezone.as_str())
            .to_owned(),
        _ => cx.timezone().to_owned(),
    }
}

fn schedule_prompt(cx: &Cx, key: &str, zone: &str) -> Html {
    let example = learning::local_date_time(cx.now() + time::Duration::days(1), zone);
    Html::escape(&t_args(
        cx.lang(),
        key,
        &[
            ("zone", zone.to_owned().into()),
            ("example", example.into()),
            ("days", SCHEDULE_HORIZON_DAYS.into()),
        ],
    ))
}

/// A typed start time (the router's guard let it through).
pub(crate) async fn broadcast_time_typed(
    cx: &mut Cx,
    ports: &BroadcastPorts<'_>,
    text: &str,
) -> Served {
    let Some(mut draft) = broadcast_draft(cx, ports).await else {
        dialogue::end_dialogue(cx, ports.state).await;
        no_draft(cx, None);
        return Ok(());
    };
    let zone = schedule_zone(cx, draft.audience());
    let now = cx.now();
    let problem = match learning::parse_local_date_time(text, &zone) {
        None => Some("broadcast-schedule-bad"),
        Some(at) if at <= now || at > now + time::Duration::days(SCHEDULE_HORIZON_DAYS) => {
            Some("broadcast-schedule-range")
        }
        Some(at) => {
            draft.start_at = Some(at.unix_timestamp());
            None
        }
    };
    if let Some(key) = problem {
        let text = schedule_prompt(cx, key, &zone);
        cx.actions.push(Action::Send {
            chat: cx.chat,
            text,
            keyboard: Some(Keyboard::default().row(vec![history_button(cx.lang())])),
        });
        return Ok(());
    }
    dialogue::end_dialogue(cx, ports.state).await;
    save_broadcast_draft(cx, ports, &draft).await?;
    confirm_screen(cx, ports, &draft, None).await
}

async fn confirm_broadcast(
    cx: &mut Cx,
    ports: &BroadcastPorts<'_>,
    message: Option<CallbackMessage>,
) -> Served {
    let Some(draft) = broadcast_draft(cx, ports).await else {
        no_draft(cx, message);
        return Ok(());
    };
    let Some(audience) = draft.audience() else {
        broadcast_audience::audience_screen(cx, message);
        return Ok(());
    };
    let now = cx.now();
    if draft.start_at().is_some_and(|at| at <= now) {
        // The scheduled time passed while the admin looked at the screen.
        let mut draft = draft;
        draft.start_at = None;
        save_broadcast_draft(cx, ports, &draft).await?;
        confirm_screen(cx, ports, &draft, message).await?;
        return Ok(());
    }
    let mut job = job(cx, &draft, audience, now);
    // The status replaces the confirm screen; the worker keeps it up to date.
    job.status_message = message.filter(|m| m.has_text).map(|m| m.id);
    let id = ports
        .broadcasts
        .create_broadcast(&job)
        .await
        .or_unavailable("cannot store the broadcast")?;
    if let Err(e) = ports.state.delete(&broadcast_draft_key(cx)).await {
        tracing::warn!(error = %e, "cannot drop the confirmed broadcast draft");
    }
    let when = match draft.start_at() {
        Some(at) => format!("at {}", learning::local_date_time(at, "UTC")),
        None => "now".to_owned(),
    };
    audit(
        cx,
        ports.audit,
        "broadcast_create",
        format!("#{id}: {}, starts {when} UTC", audience.encode()),
    )
    .await;
    broadcast_follow::broadcast_status(cx, ports, id, message).await
}
