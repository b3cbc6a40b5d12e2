//! The content editor's changes: what an admin typed or sent for a page, or a
//! version to go back to, shown exactly as staff will see it, kept in the state
//! store per admin until it is saved (a new version, audited, shown to staff at
//! once) or dropped. The screens that lead here are in [`crate::content_editor`].

use std::time::Duration;

use domain::callback::ContentAction;
use domain::content::{ContentPack, EditProblem, PageEdit, PageField};
use domain::html::Html;
use domain::ids::{ChatId, NodeId};
use domain::lang::Lang;
use domain::split::SplitError;

use crate::action::{Action, Button, Keyboard};
use crate::audit::audit;
use crate::content_editor::{self, Change, ContentPorts, Draft, lang_label, nav, page_of};
use crate::context::Cx;
use crate::dialogue;
use crate::error::{OrUnavailable, Served, unavailable};
use crate::i18n::{html, t, t_args};
use crate::inbound::{Attachment, CallbackMessage};
use crate::ports::NewPageVersion;
use crate::screens::{Rendered, Screen, Viewer, media_message, render};

/// How long the change being previewed is kept.
const DRAFT_TTL: Duration = Duration::from_secs(30 * 60);

/// Typed text while the bot waits for a page's text.
pub(crate) async fn content_text_typed(
    cx: &mut Cx,
    ports: &ContentPorts<'_>,
    node: NodeId,
    lang: Lang,
    text: &str,
) -> Served {
    let edit = PageEdit::Text(text.trim().to_owned());
    content_sent(cx, ports, node, PageField::Text(lang), edit).await
}

/// A file while the bot waits for a page's media.
pub(crate) async fn content_media_sent(
    cx: &mut Cx,
    ports: &ContentPorts<'_>,
    node: NodeId,
    file: Attachment,
) -> Served {
    let edit = PageEdit::Media {
        kind: file.kind,
        file_id: file.file_id,
    };
    content_sent(cx, ports, node, PageField::Media, edit).await
}

/// What the admin sent for `field` of page `node` (the router's guard let it
/// through): the preview.
async fn content_sent(
    cx: &mut Cx,
    ports: &ContentPorts<'_>,
    node: NodeId,
    field: PageField,
    edit: PageEdit,
) -> Served {
    let Some(path) = content_editor::page_path(cx, node) else {
        dialogue::end_dialogue(cx, ports.state).await;
        cx.say("content-page-gone");
        return Ok(());
    };
    let draft = Draft {
        path,
        field,
        edit,
        change: Change::Edit,
    };
    preview(cx, ports, node, draft).await
}

/// The running content with `draft` applied, or why it cannot be.
fn with_draft(
    cx: &Cx,
    ports: &ContentPorts<'_>,
    draft: &Draft,
) -> Result<ContentPack, EditProblem> {
    cx.pack()
        .with_edit(&ports.live.disk(), &draft.path, draft.field, &draft.edit)
}

/// Shows the page with `draft` applied, exactly as staff would get it, and asks
/// to save it. A change the pack refuses is explained; a typed text can then
/// be sent again (the dialogue stays).
pub(crate) async fn preview(
    cx: &mut Cx,
    ports: &ContentPorts<'_>,
    node: NodeId,
    draft: Draft,
) -> Served {
    let lang = cx.lang();
    let candidate = match with_draft(cx, ports, &draft) {
        Ok(candidate) => candidate,
        Err(problem) => {
            edit_refused(cx, node, &problem);
            return Ok(());
        }
    };
    dialogue::end_dialogue(cx, ports.state).await;
    let raw = serde_json::to_string(&draft).unwrap_or_default();
    if let Err(e) = ports
        .state
        .put(&content_draft_key(cx), &raw, DRAFT_TTL)
        .await
    {
        return Err(unavailable("cannot keep the content change", e));
    }
    // Staff see a text field in its language; media in every language, so the
    // admin sees it in theirs.
    let shown = match draft.field {
        PageField::Text(field) => field,
        PageField::Media => lang,
    };
    cx.actions
        .extend(page_as_staff_see_it(&candidate, node, shown, cx.chat));
    let text = Html::escape(&t_args(
        lang,
        "content-preview-above",
        &[("lang", lang_label(shown).into())],
    ));
    let keyboard = Keyboard::default().row(vec![
        Button::new(t(lang, "btn-content-save"), nav(ContentAction::Confirm)),
        Button::new(t(lang, "btn-content-cancel"), nav(ContentAction::Cancel)),
    ]);
    cx.actions.push(Action::Send {
        chat: cx.chat,
        text,
        keyboard: Some(keyboard),
    });
    Ok(())
}

/// Why a change cannot be made, with the way back to the page.
fn edit_refused(cx: &mut Cx, node: NodeId, problem: &EditProblem) {
    let lang = cx.lang();
    let text = match problem {
        EditProblem::Empty => t(lang, "content-empty"),
        EditProblem::TooLong { chars, max } => t_args(
            lang,
            "content-too-long",
            &[("length", (*chars).into()), ("max", (*max).into())],
        ),
        EditProblem::Markdown(e) => crate::broadcast_rows::markdown_problem(lang, e),
        EditProblem::Split(SplitError::UnbreakableRun { len, .. }) => {
            t_args(lang, "content-unbreakable", &[("length", (*len).into())])
        }
        EditProblem::NoPage | EditProblem::WrongField(_) => t(lang, "content-page-gone"),
    };
    let keyboard = Keyboard::default().row(vec![Button::new(
        t(lang, "btn-content-cancel"),
        nav(ContentAction::Page(node)),
    )]);
    cx.actions.push(Action::Send {
        chat: cx.chat,
        text: Html::escape(&text),
        keyboard: Some(keyboard),
    });
}

fn content_draft_key(cx: &Cx) -> String {
    format!("ct:draft:{}", cx.user.id)
}

/// Takes the change being previewed out of the state store.
async fn take_content_draft(cx: &mut Cx, ports: &ContentPorts<'_>) -> Option<Draft> {
    let key = content_draft_key(cx);
    let raw = match ports.state.get(&key).await {
        Ok(raw) => raw?,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the content change");
            return None;
        }
    };
    if let Err(e) = ports.state.delete(&key).await {
        tracing::warn!(error = %e, "cannot drop the content change");
    }
    serde_json::from_str(&raw).ok()
}

/// Stores the change being previewed as a new version, audits it and shows it
/// to staff at once.
pub(crate) async fn confirm_content(
    cx: &mut Cx,
    ports: &ContentPorts<'_>,
    message: Option<CallbackMessage>,
) -> Served {
    let lang = cx.lang();
    let Some(draft) = take_content_draft(cx, ports).await else {
        content_editor::content_sections(cx, Some(html(lang, "content-no-draft")), message);
        return Ok(());
    };
    let node = NodeId::from_path(&draft.path);
    // Checked again: the content may have been reloaded since the preview.
    if let Err(problem) = with_draft(cx, ports, &draft) {
        edit_refused(cx, node, &problem);
        return Ok(());
    }
    let version = NewPageVersion {
        path: draft.path.clone(),
        field: draft.field,
        edit: draft.edit.clone(),
        author: cx.user.id,
        at: cx.now(),
    };
    let id = ports
        .content
        .add_page_version(&version)
        .await
        .or_unavailable("cannot store a content version")?;
    let from = match draft.change {
        Change::Revert(old) => format!(" from #{old}"),
        _ => String::new(),
    };
    audit(
        cx,
        ports.audit,
        draft.audit_action(),
        format!("{} {} #{id}{from}", draft.path, draft.field.as_str()),
    )
    .await;
    metrics::counter!("trainbot_content_edits_total").increment(1);
    if let Err(e) = ports.live.sync(ports.content).await {
        tracing::warn!(error = %e, "a content edit is stored but not shown yet; the next poll shows it");
    }
    cx.content = ports.live.current();
    let note = Html::escape(&t_args(lang, "content-saved", &[("id", id.into())]));
    content_editor::page_card(cx, ports, node, Some(note), message).await
}

/// Drops the change being previewed and goes back to its page.
pub(crate) async fn cancel_content(
    cx: &mut Cx,
    ports: &ContentPorts<'_>,
    message: Option<CallbackMessage>,
) -> Served {
    let note = html(cx.lang(), "content-cancelled");
    match take_content_draft(cx, ports).await {
        Some(draft) => {
            let node = NodeId::from_path(&draft.path);
            content_editor::page_card(cx, ports, node, Some(note), message).await?
        }
        None => content_editor::content_sections(cx, Some(note), message),
    }
    Ok(())
}

/// What staff get when they open page `node` of `pack` in `lang`: its media, then
/// every part of its text, built by the same functions as their screens.
fn page_as_staff_see_it(pack: &ContentPack, node: NodeId, lang: Lang, chat: ChatId) -> Vec<Action> {
    let viewer = Viewer::anonymous(lang);
    let parts = page_of(pack, node).map_or(0, |p| p.parts.get(lang).len());
    let texts = (0..parts).filter_map(|part| {
        let part = u16::try_from(part).ok()?;
        render(pack, Screen::Page { node, part }, &viewer)
    });
    media_message(pack, node, lang, chat)
        .into_iter()
        .chain(texts.map(|Rendered { text, .. }| Action::Send {
            chat,
            text,
            keyboard: None,
        }))
        .collect()
}
