//! The engine's side of the broadcast worker: choosing recipients when a
//! broadcast starts, the message each of them gets (the same function builds the
//! admin's preview), the status screen the worker keeps up to date, and the
//! report to the admin who started it. The admin's screens are in `broadcasts`.

use domain::broadcast::{Audience, BroadcastState, DeliveryCounts};
use domain::callback::{AdminAction, BroadcastAction, Callback};
use domain::content::ContentPack;
use domain::html::Html;
use domain::ids::{ChatId, UserId};
use domain::lang::Lang;
use domain::learning;
use domain::render::render_markdown;
use time::OffsetDateTime;

use crate::action::{Action, Button, Keyboard};
use crate::broadcast_rows::{RATE_WINDOW_SECS, audience_name, history_button, nav, state_name};
use crate::context::DEFAULT_TIMEZONE;
use crate::engine::Engine;
use crate::i18n::{t, t_args};
use crate::insights::overdue;
use crate::ports::{
    AudienceFilter, BroadcastStore, LookupStore, NewBroadcast, PersonRecords, StorageError,
};
use crate::screens::Rendered;

impl NewBroadcast {
    /// What one recipient gets; also what the admin previews.
    pub fn message(&self, chat: ChatId) -> Action {
        // The source was validated when the admin sent it, so rendering succeeds; if
        // a renderer change ever refused it, the text still goes out, escaped.
        let text = render_markdown(&self.source).unwrap_or_else(|_| Html::escape(&self.source));
        match &self.media {
            Some(file) => Action::SendFile {
                chat,
                file: file.clone(),
                caption: text,
            },
            None => Action::Send {
                chat,
                text,
                keyboard: None,
            },
        }
    }
}

impl Engine {
    /// Starts every scheduled broadcast whose time has come: its recipients are
    /// chosen now and stored, one row each. Returns the ids started.
    pub async fn start_due_broadcasts(&self) -> Result<Vec<i64>, StorageError> {
        let now = self.clock.now();
        let mut started = Vec::new();
        for broadcast in self.storage.broadcasts.due_broadcasts(now).await? {
            let recipients = audience_recipients(
                &self.content(),
                &*self.storage.broadcasts,
                &*self.storage.lookup,
                now,
                &broadcast.job.audience,
            )
            .await?;
            if self
                .storage
                .broadcasts
                .start_broadcast(broadcast.id, &recipients, now)
                .await?
            {
                tracing::info!(
                    broadcast = broadcast.id,
                    recipients = recipients.len(),
                    "broadcast started"
                );
                let entry = crate::ports::AuditEntry {
                    id: 0,
                    at: now,
                    actor: broadcast.job.created_by,
                    action: "broadcast_started".to_owned(),
                    detail: format!("#{}: {} recipients", broadcast.id, recipients.len()),
                };
                if let Err(e) = self.storage.admin.record_audit(&entry).await {
                    tracing::error!(error = %e, "cannot write the audit log");
                }
                started.push(broadcast.id);
            }
        }
        Ok(started)
    }

    /// The status message the admin confirmed the broadcast in, brought up to date
    /// (the worker calls this while it sends); `None` when there is none to edit.
    pub async fn broadcast_status_update(&self, id: i64) -> Result<Option<Action>, StorageError> {
        let Some(broadcast) = self.storage.broadcasts.broadcast(id).await? else {
            return Ok(None);
        };
        let (Some(message_id), admin) = (broadcast.job.status_message, broadcast.job.created_by)
        else {
            return Ok(None);
        };
        let Some(user) = self.storage.records.user(admin).await? else {
            return Ok(None);
        };
        let park = self.storage.learning.staff_profile(admin).await?.park;
        let tz = park
            .as_deref()
            .and_then(|p| self.content().park(p).map(|p| p.timezone.clone()))
            .unwrap_or_else(|| DEFAULT_TIMEZONE.to_owned());
        let Some(Rendered { text, keyboard }) = status_screen(
            &self.content(),
            &*self.storage.broadcasts,
            &*self.storage.records,
            self.clock.now(),
            id,
            user.language,
            &tz,
        )
        .await?
        else {
            return Ok(None);
        };
        Ok(Some(Action::Edit {
            chat: ChatId(admin.0),
            message_id,
            text,
            keyboard: Some(keyboard),
        }))
    }

    /// The report to the admin who started a finished broadcast.
    pub async fn broadcast_report(&self, id: i64) -> Result<Option<Action>, StorageError> {
        let Some(broadcast) = self.storage.broadcasts.broadcast(id).await? else {
            return Ok(None);
        };
        let admin = broadcast.job.created_by;
        let lang = match self.storage.records.user(admin).await? {
            Some(user) => user.language,
            None => return Ok(None),
        };
        let counts = self.storage.broadcasts.delivery_counts(id).await?;
        let mut text = Html::escape(&t_args(lang, "broadcast-finished", &[("id", id.into())]));
        text.push_text("\n");
        text.push_text(&counts_line(lang, &counts));
        let status = Callback::Admin(AdminAction::Broadcast(BroadcastAction::Status(id)));
        Ok(Some(Action::Send {
            chat: ChatId(admin.0),
            text,
            keyboard: Some(
                Keyboard::default().row(vec![Button::new(t(lang, "btn-broadcast-status"), status)]),
            ),
        }))
    }
}

/// Who an audience means at `now`, by ascending id.
pub(crate) async fn audience_recipients(
    pack: &ContentPack,
    broadcasts: &dyn BroadcastStore,
    lookup: &dyn LookupStore,
    now: OffsetDateTime,
    audience: &Audience,
) -> Result<Vec<UserId>, StorageError> {
    let filter = match audience {
        Audience::Everyone => AudienceFilter::default(),
        Audience::Park(p) => AudienceFilter {
            park: Some(p.to_string()),
            ..AudienceFilter::default()
        },
        Audience::Department(d) => AudienceFilter {
            department: Some(d.to_string()),
            ..AudienceFilter::default()
        },
        Audience::ActiveWithin(days) => AudienceFilter {
            seen_since: Some(now - time::Duration::days(i64::from(*days))),
            ..AudienceFilter::default()
        },
        // People whose onboarding deadline has passed with the path incomplete.
        Audience::Behind => {
            return Ok(overdue(pack, lookup, now, None)
                .await?
                .into_iter()
                .map(|o| o.id)
                .collect());
        }
    };
    broadcasts.audience(&filter).await
}

/// The status screen of broadcast `id` in `lang`, times in `tz`; `None` if there
/// is no such broadcast.
pub(crate) async fn status_screen(
    pack: &ContentPack,
    broadcasts: &dyn BroadcastStore,
    people: &dyn PersonRecords,
    now: OffsetDateTime,
    id: i64,
    lang: Lang,
    tz: &str,
) -> Result<Option<Rendered>, StorageError> {
    let since = now - time::Duration::seconds(RATE_WINDOW_SECS);
    let Some(broadcast) = broadcasts.broadcast(id).await? else {
        return Ok(None);
    };
    let counts = broadcasts.delivery_counts(id).await?;
    let recent = broadcasts.sent_since(id, since).await?;
    let mut text = Html::bold(&Html::escape(&t_args(
        lang,
        "broadcast-status-title",
        &[("id", id.into())],
    )));
    let audience = audience_name(pack, lang, &broadcast.job.audience)
        .unwrap_or_else(|| broadcast.job.audience.encode());
    let local = |at: OffsetDateTime| learning::local_date_time(at, tz);
    let mut lines = vec![
        t_args(
            lang,
            "broadcast-status-state",
            &[("state", state_name(lang, broadcast.state).into())],
        ),
        t_args(lang, "broadcast-audience", &[("audience", audience.into())]),
        t_args(
            lang,
            "broadcast-status-created",
            &[
                (
                    "admin",
                    admin_label(people, broadcast.job.created_by).await.into(),
                ),
                ("time", local(broadcast.job.created_at).into()),
            ],
        ),
    ];
    if broadcast.state == BroadcastState::Scheduled {
        lines.push(t_args(
            lang,
            "broadcast-starts-at",
            &[
                ("time", local(broadcast.job.start_at).into()),
                ("zone", tz.to_owned().into()),
            ],
        ));
    } else {
        lines.push(t_args(
            lang,
            "broadcast-recipients",
            &[("n", counts.total().into())],
        ));
        lines.push(counts_line(lang, &counts));
    }
    if broadcast.state == BroadcastState::Running {
        let rate = format!("{:.1}", recent as f64 / RATE_WINDOW_SECS as f64);
        lines.push(t_args(
            lang,
            "broadcast-status-rate",
            &[("rate", rate.into())],
        ));
    }
    if let Some(done) = broadcast.finished_at {
        lines.push(t_args(
            lang,
            "broadcast-status-finished",
            &[("time", local(done).into())],
        ));
    }
    if counts.unknown > 0 {
        lines.push(t(lang, "broadcast-unknown-explained"));
    }
    for line in lines {
        text.push_text("\n");
        text.push_text(&line);
    }
    let b = |key: &str, action: BroadcastAction| Button::new(t(lang, key), nav(action));
    let mut controls = Vec::new();
    if !broadcast.state.is_final() {
        controls.push(b("btn-broadcast-refresh", BroadcastAction::Status(id)));
    }
    match broadcast.state {
        BroadcastState::Running => {
            controls.push(b("btn-broadcast-pause", BroadcastAction::Pause(id)))
        }
        BroadcastState::Paused => {
            controls.push(b("btn-broadcast-resume", BroadcastAction::Resume(id)))
        }
        _ => {}
    }
    if !broadcast.state.is_final() {
        controls.push(b("btn-broadcast-cancel", BroadcastAction::Cancel(id)));
    }
    let keyboard = Keyboard::default()
        .row(controls)
        .row(vec![history_button(lang)]);
    Ok(Some(Rendered { text, keyboard }))
}

/// Who started a broadcast (or edited a page), for admins to read: "Anna K.
/// (42)", cleaned of control and bidi characters; the bare id if the name
/// cannot be read.
pub(crate) async fn admin_label(people: &dyn PersonRecords, id: UserId) -> String {
    match people.user(id).await {
        Ok(Some(user)) => format!(
            "{} ({id})",
            crate::admin_rows::list_name(&user.first_name, user.last_name.as_deref())
        ),
        _ => id.to_string(),
    }
}

fn counts_line(lang: Lang, c: &DeliveryCounts) -> String {
    t_args(
        lang,
        "broadcast-counts",
        &[
            ("sent", c.sent.into()),
            ("failed", c.failed.into()),
            ("blocked", c.blocked.into()),
            ("unknown", c.unknown.into()),
            ("pending", (c.pending + c.sending).into()),
        ],
    )
}
