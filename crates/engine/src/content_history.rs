//! A page's history in the panel (versions, revert, restore to the pack) and
//! reloading the pack from disk with its report.

use std::collections::HashMap;
use std::time::Duration;

use domain::callback::ContentAction;
use domain::content::{PageEdit, PageField};
use domain::html::Html;
use domain::ids::NodeId;
use domain::lang::Lang;
use domain::learning;

use crate::action::{Button, Keyboard};
use crate::audit::audit;
use crate::content_editor::{self, ContentPorts, field_name, kind_name, nav, page_of};
use crate::context::Cx;
use crate::error::{OrUnavailable, Served};
use crate::i18n::{html, t, t_args};
use crate::inbound::CallbackMessage;
use crate::live_content::Reload;
use crate::ports::PageVersion;
use crate::rate;
use crate::screens::{Rendered, heading};

/// Versions on one screen of a page's history.
const HISTORY_PAGE: u32 = 8;
/// One reload from disk per admin this often: it reads and hashes every file.
const RELOAD_INTERVAL: Duration = Duration::from_secs(10);
/// Characters of a reload report shown to the admin (a message holds 4096).
const REPORT_MAX_CHARS: usize = 3000;
/// Characters of an old text shown on a history line.
const SUMMARY_CHARS: usize = 50;

/// A page's versions, newest first, each with a revert button; and a button
/// back to the pack's own value for each field edited now.
pub(crate) async fn page_history(
    cx: &mut Cx,
    ports: &ContentPorts<'_>,
    node: NodeId,
    path: &str,
    before: Option<i64>,
    message: Option<CallbackMessage>,
) -> Served {
    let lang = cx.lang();
    let versions = ports
        .content
        .page_versions(path, before, HISTORY_PAGE)
        .await
        .or_unavailable("cannot read a page's versions")?;
    let mut text = heading(cx.pack(), node, lang);
    text.push_text("\n");
    text.push(&Html::bold(&html(lang, "content-history-title")));
    if versions.is_empty() && before.is_none() {
        text.push_text("\n");
        text.push(&html(lang, "content-history-empty"));
    }
    let mut names = HashMap::new();
    for v in &versions {
        let who = match names.get(&v.author) {
            Some(who) => who,
            None => {
                let label = crate::broadcast_jobs::admin_label(ports.people, v.author).await;
                names.entry(v.author).or_insert(label)
            }
        };
        let when = learning::local_date_time(v.at, cx.timezone());
        text.push_text(&format!(
            "\n#{} · {when} · {who} · {}",
            v.id,
            version_summary(lang, v)
        ));
    }
    let mut keyboard = Keyboard::default();
    for row in versions.chunks(4) {
        keyboard = keyboard.row(
            row.iter()
                .map(|v| {
                    Button::new(
                        t_args(lang, "btn-content-revert", &[("id", v.id.into())]),
                        nav(ContentAction::Revert {
                            node,
                            version: v.id,
                        }),
                    )
                })
                .collect(),
        );
    }
    keyboard = keyboard.row(restore_buttons(cx, ports, node));
    if versions.len() == HISTORY_PAGE as usize
        && let Some(last) = versions.last()
    {
        keyboard = keyboard.row(vec![Button::new(
            t(lang, "btn-admin-older"),
            nav(ContentAction::History {
                node,
                before: Some(last.id),
            }),
        )]);
    }
    keyboard = keyboard.row(vec![Button::new(
        t(lang, "btn-content-page"),
        nav(ContentAction::Page(node)),
    )]);
    cx.show_rendered(message, Rendered { text, keyboard });
    Ok(())
}

/// "Back to the pack" for each field of `node` that differs from the pack now.
pub(crate) fn restore_buttons(cx: &Cx, ports: &ContentPorts<'_>, node: NodeId) -> Vec<Button> {
    let lang = cx.lang();
    let disk = ports.live.disk();
    let (Some(current), Some(original)) = (page_of(cx.pack(), node), page_of(&disk, node)) else {
        return Vec::new();
    };
    PageField::ALL
        .into_iter()
        .filter(|field| match field {
            PageField::Text(l) => current.parts.get(*l) != original.parts.get(*l),
            PageField::Media => current.media != original.media,
        })
        .map(|field| {
            Button::new(
                t_args(
                    lang,
                    "btn-content-restore",
                    &[("field", field_name(lang, field).into())],
                ),
                nav(ContentAction::Restore { node, field }),
            )
        })
        .collect()
}

/// Reads the pack from disk again: a summary, or the problems that kept it out.
pub(crate) async fn reload_pack(
    cx: &mut Cx,
    ports: &ContentPorts<'_>,
    message: Option<CallbackMessage>,
) -> Served {
    let lang = cx.lang();
    let key = format!("adm:reload:{}", cx.user.id);
    if !rate::rate_allows(
        cx,
        ports.state,
        &key,
        RELOAD_INTERVAL,
        "content-reload-too-fast",
    )
    .await?
    {
        return Ok(());
    }
    let outcome = ports
        .live
        .reload(ports.content, cx.user.id, cx.now())
        .await
        .or_unavailable("cannot reload the content")?;
    let note = match outcome {
        Reload::Broken(problems) => {
            audit(
                cx,
                ports.audit,
                "content_reload_refused",
                format!("{} problem(s)", problems.len()),
            )
            .await;
            let mut note = Html::escape(&t_args(
                lang,
                "content-reload-broken",
                &[("n", problems.len().into())],
            ));
            note.push_text("\n");
            note.push_text(&report(lang, problems.iter().map(ToString::to_string)));
            note
        }
        Reload::Done {
            pages,
            quizzes,
            applied,
            skipped,
        } => {
            audit(
                cx,
                ports.audit,
                "content_reload",
                format!(
                    "{pages} pages, {quizzes} quizzes, {applied} edits applied, {} skipped",
                    skipped.len()
                ),
            )
            .await;
            cx.content = ports.live.current();
            let mut note = Html::escape(&t_args(
                lang,
                "content-reload-done",
                &[
                    ("pages", pages.into()),
                    ("quizzes", quizzes.into()),
                    ("applied", applied.into()),
                    ("skipped", skipped.len().into()),
                ],
            ));
            if !skipped.is_empty() {
                note.push_text("\n");
                note.push_text(&t(lang, "content-reload-skipped"));
                note.push_text("\n");
                note.push_text(&report(lang, skipped.iter().map(ToString::to_string)));
            }
            note
        }
    };
    content_editor::content_sections(cx, Some(note), message);
    Ok(())
}

/// Lines of a report, cut to fit a message, with how many were left out.
pub(crate) fn report(lang: Lang, lines: impl Iterator<Item = String>) -> String {
    let mut out = String::new();
    let mut left = 0usize;
    for line in lines {
        if left == 0 && out.chars().count() + line.chars().count() < REPORT_MAX_CHARS {
            out.push_str("\n• ");
            out.push_str(&line);
        } else {
            left += 1;
        }
    }
    if left > 0 {
        out.push('\n');
        out.push_str(&t_args(lang, "content-report-more", &[("n", left.into())]));
    }
    out
}

/// One history line's "what": the field and what it was set to.
pub(crate) fn version_summary(lang: Lang, v: &PageVersion) -> String {
    let what = match &v.edit {
        PageEdit::Pack => t(lang, "content-edit-pack"),
        PageEdit::NoMedia => t(lang, "content-edit-no-media"),
        PageEdit::Media { kind, .. } => t_args(
            lang,
            "content-edit-media",
            &[("kind", kind_name(lang, *kind).into())],
        ),
        PageEdit::Text(markdown) => {
            let flat = markdown.split_whitespace().collect::<Vec<_>>().join(" ");
            let short: String = flat.chars().take(SUMMARY_CHARS).collect();
            let more = if short.len() < flat.len() { "…" } else { "" };
            format!("«{short}{more}»")
        }
    };
    format!("{}: {what}", field_name(lang, v.field))
}
