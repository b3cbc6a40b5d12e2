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
use domain::callback::{AdminAction, BroadcastAction, Callback};
use domain::content::{CAPTION_LIMIT, ContentPack, MESSAGE_LIMIT, MediaKind};
use domain::html::Html;
use domain::lang::Lang;
use domain::learning;
use domain::render::{RenderError, RenderErrorKind, render_markdown};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::action::{Action, Button, Keyboard};
use crate::context::DEFAULT_TIMEZONE;
use crate::dialogue::{self, Dialogue};
use crate::engine::Turn;
use crate::error::{OrUnavailable, Served, unavailable};
use crate::i18n::{html, t, t_args};
use crate::inbound::{Attachment, CallbackMessage};
use crate::ports::NewBroadcast;
use crate::rights::Need;
use crate::screens::Rendered;

/// How long a draft is kept.
const DRAFT_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// How long the bot waits for the text or the start time.
const COMPOSE_WAIT: Duration = Duration::from_secs(30 * 60);
/// How far ahead a broadcast may be scheduled.
const SCHEDULE_HORIZON_DAYS: i64 = 90;
/// The window the status screen's send rate is measured over.
pub(crate) const RATE_WINDOW_SECS: i64 = 10;

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

pub(crate) fn nav(action: BroadcastAction) -> Callback {
    Callback::Admin(AdminAction::Broadcast(action))
}

impl Turn<'_> {
    fn broadcast_draft_key(&self) -> String {
        format!("bc:draft:{}", self.cx.user.id)
    }

    pub(crate) async fn broadcast_draft(&self) -> Option<Draft> {
        match self.engine.state.get(&self.broadcast_draft_key()).await {
            Ok(raw) => raw.and_then(|r| serde_json::from_str(&r).ok()),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the broadcast draft");
                None
            }
        }
    }

    pub(crate) async fn save_broadcast_draft(&mut self, draft: &Draft) -> Served {
        let raw = serde_json::to_string(draft).unwrap_or_default();
        self.engine
            .state
            .put(&self.broadcast_draft_key(), &raw, DRAFT_TTL)
            .await
            .or_unavailable("cannot save the broadcast draft")
    }

    /// A broadcast button, after the admin guard let it through.
    pub(crate) async fn broadcast_action(
        &mut self,
        action: BroadcastAction,
        message: Option<CallbackMessage>,
    ) -> Served {
        if !matches!(action, BroadcastAction::New | BroadcastAction::Schedule)
            && matches!(
                dialogue::dialogue(&self.cx, &*self.engine.state).await,
                Some(Dialogue::BroadcastText | Dialogue::BroadcastTime)
            )
        {
            dialogue::end_dialogue(&self.cx, &*self.engine.state).await;
        }
        match action {
            BroadcastAction::History { before } => self.broadcast_history(before, message).await?,
            BroadcastAction::New => {
                dialogue::enter_dialogue_for(
                    &self.cx,
                    &*self.engine.state,
                    Dialogue::BroadcastText,
                    COMPOSE_WAIT,
                )
                .await;
                let keyboard = Keyboard::default().row(vec![self.history_button()]);
                let text = html(self.cx.lang(), "broadcast-compose-prompt");
                self.cx.show_rendered(message, Rendered { text, keyboard });
            }
            BroadcastAction::PickPark => self.pick_audience_park(message),
            BroadcastAction::PickDepartment => self.pick_audience_department(message),
            BroadcastAction::PickActivity => self.pick_audience_activity(message),
            BroadcastAction::Audiences => self.audience_screen(message),
            BroadcastAction::Audience(audience) => self.choose_audience(audience, message).await?,
            BroadcastAction::Schedule => {
                if self.broadcast_draft().await.is_none() {
                    self.no_draft(message);
                    return Ok(());
                }
                dialogue::enter_dialogue_for(
                    &self.cx,
                    &*self.engine.state,
                    Dialogue::BroadcastTime,
                    COMPOSE_WAIT,
                )
                .await;
                let zone =
                    self.schedule_zone(self.broadcast_draft().await.and_then(|d| d.audience()));
                let text = self.schedule_prompt("broadcast-schedule-prompt", &zone);
                let keyboard = Keyboard::default().row(vec![self.history_button()]);
                self.cx.show_rendered(message, Rendered { text, keyboard });
            }
            BroadcastAction::Confirm => self.confirm_broadcast(message).await?,
            BroadcastAction::Discard => {
                if let Err(e) = self.engine.state.delete(&self.broadcast_draft_key()).await {
                    return Err(unavailable("cannot drop the broadcast draft", e));
                }
                let text = html(self.cx.lang(), "broadcast-discarded");
                let keyboard = Keyboard::default().row(vec![self.history_button()]);
                self.cx.show_rendered(message, Rendered { text, keyboard });
            }
            BroadcastAction::Status(id) => self.broadcast_status(id, message).await?,
            BroadcastAction::Pause(id) => {
                self.move_broadcast(id, &[BroadcastState::Running], BroadcastState::Paused)
                    .await?;
                self.broadcast_status(id, message).await?;
            }
            BroadcastAction::Resume(id) => {
                self.move_broadcast(id, &[BroadcastState::Paused], BroadcastState::Running)
                    .await?;
                self.broadcast_status(id, message).await?;
            }
            BroadcastAction::Cancel(id) => {
                let lang = self.cx.lang();
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
                self.cx.show_rendered(message, Rendered { text, keyboard });
            }
            BroadcastAction::CancelConfirmed(id) => {
                self.move_broadcast(
                    id,
                    &[
                        BroadcastState::Scheduled,
                        BroadcastState::Running,
                        BroadcastState::Paused,
                    ],
                    BroadcastState::Cancelled,
                )
                .await?;
                self.broadcast_status(id, message).await?;
            }
        }
        Ok(())
    }

    pub(crate) fn history_button(&self) -> Button {
        history_button(self.cx.lang())
    }

    pub(crate) fn no_draft(&mut self, message: Option<CallbackMessage>) {
        let text = html(self.cx.lang(), "broadcast-no-draft");
        let keyboard = Keyboard::default().row(vec![self.history_button()]);
        self.cx.show_rendered(message, Rendered { text, keyboard });
    }

    /// Typed text while the bot waits for an announcement.
    pub(crate) async fn broadcast_text_typed(&mut self, text: &str) -> Served {
        self.compose(text, None).await
    }

    /// Checks an announcement, keeps it as the draft, previews it and asks for the
    /// audience.
    pub(crate) async fn compose(&mut self, source: &str, media: Option<Attachment>) -> Served {
        if !self
            .typed_input_allowed("broadcast text", Need::Full, None)
            .await
        {
            return Ok(());
        }
        let lang = self.cx.lang();
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
            dialogue::enter_dialogue_for(
                &self.cx,
                &*self.engine.state,
                Dialogue::BroadcastText,
                COMPOSE_WAIT,
            )
            .await;
            self.cx.actions.push(Action::Send {
                chat: self.cx.chat,
                text: Html::escape(&problem),
                keyboard: Some(Keyboard::default().row(vec![self.history_button()])),
            });
            return Ok(());
        }
        dialogue::end_dialogue(&self.cx, &*self.engine.state).await;
        let draft = Draft {
            source: source.to_owned(),
            media: media.map(|m| (m.kind.as_str().to_owned(), m.file_id)),
            audience: None,
            start_at: None,
        };
        self.save_broadcast_draft(&draft).await?;
        let preview = self.job(&draft, Audience::Everyone, self.cx.now());
        self.cx.actions.push(preview.message(self.cx.chat));
        let mut text = html(lang, "broadcast-preview-above");
        text.push_text("\n\n");
        text.push(&html(lang, "broadcast-audience-title"));
        self.cx.actions.push(Action::Send {
            chat: self.cx.chat,
            text,
            keyboard: Some(self.audience_keyboard()),
        });
        Ok(())
    }

    fn job(&self, draft: &Draft, audience: Audience, now: OffsetDateTime) -> NewBroadcast {
        NewBroadcast {
            created_by: self.cx.user.id,
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
        &mut self,
        draft: &Draft,
        message: Option<CallbackMessage>,
    ) -> Served {
        let lang = self.cx.lang();
        let Some(audience) = draft.audience() else {
            self.audience_screen(message);
            return Ok(());
        };
        let recipients = match self.engine.audience_recipients(&audience).await {
            Ok(r) => r.len(),
            Err(e) => return Err(unavailable("cannot count recipients", e)),
        };
        let name = self.audience_name(&audience).unwrap_or_default();
        let mut text = Html::bold(&html(lang, "broadcast-confirm-title"));
        for line in [
            t_args(lang, "broadcast-audience", &[("audience", name.into())]),
            t_args(lang, "broadcast-recipients", &[("n", recipients.into())]),
            self.start_line(draft, &audience),
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
        self.cx.show_rendered(message, Rendered { text, keyboard });
        Ok(())
    }

    fn start_line(&self, draft: &Draft, audience: &Audience) -> String {
        match draft.start_at() {
            None => t(self.cx.lang(), "broadcast-starts-now"),
            Some(at) => {
                let zone = self.schedule_zone(Some(*audience));
                t_args(
                    self.cx.lang(),
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
    fn schedule_zone(&self, audience: Option<Audience>) -> String {
        match audience {
            Some(Audience::Park(p)) => self
                .cx
                .pack()
                .park(p.as_str())
                .map_or(DEFAULT_TIMEZONE, |p| p.timezone.as_str())
                .to_owned(),
            _ => self.cx.timezone().to_owned(),
        }
    }

    fn schedule_prompt(&self, key: &str, zone: &str) -> Html {
        let example = learning::local_date_time(self.cx.now() + time::Duration::days(1), zone);
        Html::escape(&t_args(
            self.cx.lang(),
            key,
            &[
                ("zone", zone.to_owned().into()),
                ("example", example.into()),
                ("days", SCHEDULE_HORIZON_DAYS.into()),
            ],
        ))
    }

    /// A typed start time.
    pub(crate) async fn broadcast_time_typed(&mut self, text: &str) -> Served {
        if !self
            .typed_input_allowed("broadcast time", Need::Full, None)
            .await
        {
            return Ok(());
        }
        let Some(mut draft) = self.broadcast_draft().await else {
            dialogue::end_dialogue(&self.cx, &*self.engine.state).await;
            self.no_draft(None);
            return Ok(());
        };
        let zone = self.schedule_zone(draft.audience());
        let now = self.cx.now();
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
            let text = self.schedule_prompt(key, &zone);
            self.cx.actions.push(Action::Send {
                chat: self.cx.chat,
                text,
                keyboard: Some(Keyboard::default().row(vec![self.history_button()])),
            });
            return Ok(());
        }
        dialogue::end_dialogue(&self.cx, &*self.engine.state).await;
        self.save_broadcast_draft(&draft).await?;
        self.confirm_screen(&draft, None).await
    }

    async fn confirm_broadcast(&mut self, message: Option<CallbackMessage>) -> Served {
        let Some(draft) = self.broadcast_draft().await else {
            self.no_draft(message);
            return Ok(());
        };
        let Some(audience) = draft.audience() else {
            self.audience_screen(message);
            return Ok(());
        };
        let now = self.cx.now();
        if draft.start_at().is_some_and(|at| at <= now) {
            // The scheduled time passed while the admin looked at the screen.
            let mut draft = draft;
            draft.start_at = None;
            self.save_broadcast_draft(&draft).await?;
            self.confirm_screen(&draft, message).await?;
            return Ok(());
        }
        let mut job = self.job(&draft, audience, now);
        // The status replaces the confirm screen; the worker keeps it up to date.
        job.status_message = message.filter(|m| m.has_text).map(|m| m.id);
        let id = self
            .engine
            .storage
            .create_broadcast(&job)
            .await
            .or_unavailable("cannot store the broadcast")?;
        if let Err(e) = self.engine.state.delete(&self.broadcast_draft_key()).await {
            tracing::warn!(error = %e, "cannot drop the confirmed broadcast draft");
        }
        let when = match draft.start_at() {
            Some(at) => format!("at {}", learning::local_date_time(at, "UTC")),
            None => "now".to_owned(),
        };
        self.audit(
            "broadcast_create",
            format!("#{id}: {}, starts {when} UTC", audience.encode()),
        )
        .await;
        self.broadcast_status(id, message).await
    }
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

pub(crate) fn history_button(lang: Lang) -> Button {
    Button::new(
        t(lang, "btn-admin-broadcasts"),
        nav(BroadcastAction::History { before: None }),
    )
}
