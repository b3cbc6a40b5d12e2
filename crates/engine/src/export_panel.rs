//! The admin's exports screen: which table, which format, and asking for it.
//! The press is checked (the admin guard, a rate limit), audited and answered at
//! once; the file itself is written and sent by the server's export worker from
//! the [`crate::exports::ExportQueue`].

use std::sync::Arc;
use std::time::Duration;

use domain::callback::{AdminAction, Callback, ExportChoice, FileFormat, Period};
use domain::html::Html;
use domain::ids::UserId;
use domain::learning;
use time::{OffsetDateTime, UtcOffset};

use crate::action::{Action, Button, Keyboard};
use crate::audit::audit;
use crate::context::Cx;
use crate::error::{Served, unavailable};
use crate::exports::{AlreadyQueued, Export, ExportJob, ExportKind, ExportQueue};
use crate::i18n::{html, t, t_args};
use crate::inbound::CallbackMessage;
use crate::ports::{AdminStore, PersonRecords, StateStore};
use crate::rate::rate_allows;
use crate::screens::Rendered;

/// What the export screens reach beyond the update's context.
pub(crate) struct ExportPorts<'a> {
    /// Whether a person to export exists.
    pub(crate) people: &'a dyn PersonRecords,
    /// Where each export is audited.
    pub(crate) audit: &'a dyn AdminStore,
    /// Where the export rate is counted.
    pub(crate) state: &'a dyn StateStore,
    /// The background worker's queue.
    pub(crate) queue: &'a ExportQueue,
}

/// How often one admin may start an export: each one reads whole tables.
const EXPORT_INTERVAL: Duration = Duration::from_secs(10);

/// The file an export is written to: its name before the date, its format and
/// a workbook's sheet name.
struct ExportFile<'a> {
    name: &'a str,
    format: FileFormat,
    sheet: String,
}

/// What an export is called in file names and in the audit log.
fn export_name(choice: ExportChoice) -> &'static str {
    match choice {
        ExportChoice::People => "people",
        ExportChoice::Activity(Period::Today) => "activity-today",
        ExportChoice::Activity(Period::Last7Days) => "activity-7d",
        ExportChoice::Activity(Period::Last30Days) => "activity-30d",
        ExportChoice::Activity(Period::AllTime) => "activity-all",
        ExportChoice::QuizResults => "quiz-results",
        ExportChoice::Audit => "audit",
    }
}

/// The start of an activity period ending at `now`: "today" begins at midnight
/// in `timezone` (the park's), the others are whole days back from now.
fn period_start(period: Period, now: OffsetDateTime, timezone: &str) -> Option<OffsetDateTime> {
    match period {
        Period::Today => Some(learning::start_of_local_day(now, timezone)),
        Period::Last7Days => Some(now - time::Duration::days(7)),
        Period::Last30Days => Some(now - time::Duration::days(30)),
        Period::AllTime => None,
    }
}

/// The key of a format's button label.
fn format_label(format: FileFormat) -> &'static str {
    match format {
        FileFormat::Csv => "btn-format-csv",
        FileFormat::CsvSemicolon => "btn-format-csv-semicolon",
        FileFormat::Xlsx => "btn-format-xlsx",
    }
}

/// A workbook sheet's name: the export and its period as local dates, within
/// Excel's 31 characters (`activity 2026-11-21–2026-11-28`).
fn sheet_name(
    choice: ExportChoice,
    since: Option<OffsetDateTime>,
    until: OffsetDateTime,
    timezone: &str,
) -> String {
    let day = |at: OffsetDateTime| learning::to_local(at, timezone).date().to_string();
    match choice {
        ExportChoice::People => format!("people {}", day(until)),
        ExportChoice::QuizResults => format!("quiz results {}", day(until)),
        ExportChoice::Audit => format!("audit {}", day(until)),
        ExportChoice::Activity(Period::Today) => format!("activity {}", day(until)),
        ExportChoice::Activity(_) => match since {
            Some(since) => format!("activity {}\u{2013}{}", day(since), day(until)),
            None => format!("activity to {}", day(until)),
        },
    }
}

/// The exports screen: the file format (the chosen one ticked) and one button
/// per export, writing that format.
pub(crate) fn admin_exports(cx: &mut Cx, message: Option<CallbackMessage>, format: FileFormat) {
    let lang = cx.lang();
    let button = |choice: ExportChoice| {
        Button::new(
            t(lang, &format!("btn-export-{}", export_name(choice))),
            Callback::Admin(AdminAction::Export(choice, format)),
        )
    };
    let formats = FileFormat::ALL.map(|f| {
        let label = t(lang, format_label(f));
        let label = if f == format {
            format!("✓ {label}")
        } else {
            label
        };
        Button::new(label, Callback::Admin(AdminAction::Exports(f)))
    });
    let activity = [
        Period::Today,
        Period::Last7Days,
        Period::Last30Days,
        Period::AllTime,
    ]
    .map(|p| button(ExportChoice::Activity(p)));
    let keyboard = Keyboard::default()
        .row(formats.to_vec())
        .row(vec![
            button(ExportChoice::People),
            button(ExportChoice::QuizResults),
        ])
        .row(activity.to_vec())
        .row(vec![button(ExportChoice::Audit)])
        .row(vec![Button::new(
            t(lang, "btn-admin-panel"),
            Callback::Admin(AdminAction::Panel),
        )]);
    let mut text = Html::bold(&html(lang, "admin-exports-title"));
    text.push_text("\n\n");
    text.push_text(&t_args(
        lang,
        "admin-exports-text",
        &[("zone", export_timezone(cx).to_owned().into())],
    ));
    text.push_text("\n\n");
    text.push(&Html::bold(&Html::escape(&t_args(
        lang,
        "admin-exports-format",
        &[("format", t(lang, format_label(format)).into())],
    ))));
    cx.show_rendered(message, Rendered { text, keyboard });
}

/// The time zone an admin's periods are counted in: their park's (a park
/// manager's is the park they manage).
fn export_timezone(cx: &Cx) -> &str {
    cx.scope()
        .and_then(|p| cx.pack().park(p))
        .map_or_else(|| cx.timezone(), |p| p.timezone.as_str())
}

/// One table export, rate limited and audited.
pub(crate) async fn admin_export(
    cx: &mut Cx,
    ports: &ExportPorts<'_>,
    choice: ExportChoice,
    format: FileFormat,
) -> Served {
    let name = export_name(choice);
    let (now, zone) = (cx.now(), export_timezone(cx));
    let since = match choice {
        ExportChoice::Activity(period) => period_start(period, now, zone),
        _ => None,
    };
    let kind = match choice {
        ExportChoice::People => ExportKind::People,
        ExportChoice::Activity(_) => ExportKind::Activity { since, until: now },
        ExportChoice::QuizResults => ExportKind::QuizResults,
        ExportChoice::Audit => ExportKind::Audit,
    };
    let file = ExportFile {
        name,
        format,
        sheet: sheet_name(choice, since, now, zone),
    };
    send_export(cx, ports, kind, file, name.to_owned(), name).await
}

/// Everything stored about one person, rate limited and audited (by id). An
/// erased or unknown person has nothing to export.
pub(crate) async fn admin_export_person(
    cx: &mut Cx,
    ports: &ExportPorts<'_>,
    id: UserId,
    format: FileFormat,
) -> Served {
    match ports.people.user(id).await {
        Ok(Some(_)) => {}
        Ok(None) => {
            cx.say("admin-person-unknown");
            return Ok(());
        }
        Err(e) => return Err(unavailable("cannot read a person", e)),
    }
    let file = ExportFile {
        name: &format!("person-{id}"),
        format,
        sheet: "person".to_owned(),
    };
    send_export(
        cx,
        ports,
        ExportKind::Person(id),
        file,
        format!("person {id}"),
        "person",
    )
    .await?;
    Ok(())
}

/// Checks the admin's export rate, audits the export and queues it for the
/// background worker, which sends it as `<name>-<UTC date>.<csv|xlsx>`; the
/// admin is told at once that it is being prepared. An admin whose previous
/// export is not done yet is told so, and nothing is queued.
async fn send_export(
    cx: &mut Cx,
    ports: &ExportPorts<'_>,
    kind: ExportKind,
    file: ExportFile<'_>,
    detail: String,
    caption: &str,
) -> Served {
    let key = format!("adm:export:{}", cx.user.id);
    if !rate_allows(
        cx,
        ports.state,
        &key,
        EXPORT_INTERVAL,
        "admin-export-too-fast",
    )
    .await?
    {
        return Ok(());
    }
    let queue = ports.queue;
    if queue.is_busy(cx.user.id) {
        cx.say("admin-export-busy");
        return Ok(());
    }
    // Audited before it is queued: the audit export shows its own entry.
    audit(cx, ports.audit, "export", detail).await;
    metrics::counter!("trainbot_exports_total", "export" => caption.to_owned()).increment(1);
    let date = cx.now().to_offset(UtcOffset::UTC).date();
    let lang = cx.lang();
    let timezone = export_timezone(cx).to_owned();
    let times = match file.format {
        FileFormat::Xlsx => t_args(
            lang,
            "export-times-local",
            &[("zone", timezone.clone().into())],
        ),
        FileFormat::Csv | FileFormat::CsvSemicolon => t(lang, "export-times-utc"),
    };
    let caption = Html::escape(&t_args(
        lang,
        &format!("export-caption-{caption}"),
        &[("date", date.to_string().into()), ("times", times.into())],
    ));
    let job = ExportJob {
        admin: cx.user.id,
        chat: cx.chat,
        export: Export {
            kind,
            park: cx.scope().map(str::to_owned),
            format: file.format,
            timezone,
            sheet: file.sheet,
            file_name: format!("{}-{date}.{}", file.name, file.format.extension()),
            caption,
            failed: html(lang, "admin-export-failed"),
            too_large: html(lang, "admin-export-too-large"),
        },
        announced: Arc::default(),
    };
    let announced = job.announced.clone();
    match queue.submit(job) {
        Ok(()) => {
            cx.say("admin-export-preparing");
            cx.actions.push(Action::Open(announced));
        }
        Err(AlreadyQueued) => cx.say("admin-export-busy"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn periods_end_now_and_today_starts_at_the_parks_midnight() {
        // 22:30 UTC on the 27th is already the 28th in Yekaterinburg (UTC+5).
        let now = datetime!(2026-11-28 03:30 +05:00);
        assert_eq!(
            period_start(Period::Today, now, "Asia/Yekaterinburg"),
            Some(datetime!(2026-11-28 00:00 +05:00))
        );
        assert_eq!(
            period_start(Period::Today, now, "Europe/Moscow"),
            Some(datetime!(2026-11-28 00:00 +03:00))
        );
        assert_eq!(
            period_start(Period::Today, now, "UTC"),
            Some(datetime!(2026-11-27 00:00 UTC))
        );
        assert_eq!(
            period_start(Period::Today, now, "Not/AZone"),
            Some(datetime!(2026-11-27 00:00 UTC)),
            "an unknown zone counts as UTC"
        );
        assert_eq!(
            period_start(Period::Last7Days, now, "Europe/Moscow"),
            Some(datetime!(2026-11-20 22:30 UTC))
        );
        assert_eq!(
            period_start(Period::Last30Days, now, "Europe/Moscow"),
            Some(datetime!(2026-10-28 22:30 UTC))
        );
        assert_eq!(period_start(Period::AllTime, now, "Europe/Moscow"), None);
    }

    #[test]
    fn every_export_has_its_own_name() {
        let mut names: Vec<_> = ExportChoice::ALL.into_iter().map(export_name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ExportChoice::ALL.len());
    }

    #[test]
    fn sheets_are_named_by_export_and_local_period_within_31_characters() {
        let now = datetime!(2026-11-28 22:30 UTC);
        let moscow = "Europe/Moscow";
        let cases = [
            (ExportChoice::People, None, "people 2026-11-29"),
            (ExportChoice::QuizResults, None, "quiz results 2026-11-29"),
            (ExportChoice::Audit, None, "audit 2026-11-29"),
            (
                ExportChoice::Activity(Period::Today),
                period_start(Period::Today, now, moscow),
                "activity 2026-11-29",
            ),
            (
                ExportChoice::Activity(Period::Last30Days),
                period_start(Period::Last30Days, now, moscow),
                "activity 2026-10-30\u{2013}2026-11-29",
            ),
            (
                ExportChoice::Activity(Period::AllTime),
                None,
                "activity to 2026-11-29",
            ),
        ];
        for (choice, since, name) in cases {
            let got = sheet_name(choice, since, now, moscow);
            assert_eq!(got, name);
            assert!(got.chars().count() <= 31, "{got}");
        }
    }
}
