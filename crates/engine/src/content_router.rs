//! Where each content-editing button goes, once the admin guard let it
//! through: the sections and pages (`content_editor`), a change being made
//! (`content_drafts`), a page's history and a reload (`content_history`), the
//! hard questions (`questions`).

use domain::callback::ContentAction;
use domain::content::{PageEdit, PageField};

use crate::content_drafts;
use crate::content_editor::{self, Change, ContentPorts, Draft};
use crate::content_history;
use crate::context::Cx;
use crate::dialogue::{self, Dialogue};
use crate::error::{Served, unavailable};
use crate::inbound::CallbackMessage;
use crate::navigation;
use crate::questions;

/// A content button, after the admin guard let it through. It answers the
/// callback itself, so that a page that is gone can get the stale-menu answer.
pub(crate) async fn admin_content(
    cx: &mut Cx,
    ports: &ContentPorts<'_>,
    action: ContentAction,
    message: Option<CallbackMessage>,
) -> Served {
    // Any button leaves a half-typed edit behind.
    if matches!(
        dialogue::dialogue(cx, ports.state).await,
        Some(Dialogue::ContentText { .. } | Dialogue::ContentMedia { .. })
    ) {
        dialogue::end_dialogue(cx, ports.state).await;
    }
    match action {
        ContentAction::Sections => {
            content_editor::content_sections(cx, None, message);
        }
        ContentAction::Section { node, page } => {
            match content_editor::editor_section(cx, node, page) {
                Some(screen) => {
                    cx.show_rendered(message, screen);
                }
                None => navigation::stale(cx, &ports.nav, message).await?,
            }
        }
        ContentAction::Page(node) if content_editor::page_path(cx, node).is_some() => {
            content_editor::page_card(cx, ports, node, None, message).await?;
        }
        ContentAction::EditText { node, lang } if content_editor::page_path(cx, node).is_some() => {
            content_editor::ask_for(
                cx,
                ports,
                node,
                Dialogue::ContentText { node, lang },
                message,
            )
            .await;
        }
        ContentAction::AttachMedia(node) if content_editor::page_path(cx, node).is_some() => {
            content_editor::ask_for(cx, ports, node, Dialogue::ContentMedia { node }, message)
                .await;
        }
        ContentAction::Questions(filter) => {
            questions::hard_questions(cx, ports, filter, message).await?;
        }
        ContentAction::Qr(node) if content_editor::page_path(cx, node).is_some() => {
            content_editor::send_qr(cx, ports, node)?;
        }
        ContentAction::RemoveMedia(node) => {
            let Some(path) = content_editor::page_path(cx, node) else {
                return navigation::stale(cx, &ports.nav, message).await;
            };
            let draft = Draft {
                path,
                field: PageField::Media,
                edit: PageEdit::NoMedia,
                change: Change::Edit,
            };
            content_drafts::preview(cx, ports, node, draft).await?;
        }
        ContentAction::History { node, before } => {
            let Some(path) = content_editor::page_path(cx, node) else {
                return navigation::stale(cx, &ports.nav, message).await;
            };
            content_history::page_history(cx, ports, node, &path, before, message).await?;
        }
        ContentAction::Revert { node, version } => {
            let Some(path) = content_editor::page_path(cx, node) else {
                return navigation::stale(cx, &ports.nav, message).await;
            };
            let old = match ports.content.page_version(version).await {
                Ok(Some(old)) if old.path == path => old,
                Ok(_) => {
                    return navigation::stale(cx, &ports.nav, message).await;
                }
                Err(e) => {
                    return Err(unavailable("cannot read a content version", e));
                }
            };
            let draft = Draft {
                path,
                field: old.field,
                edit: old.edit,
                change: Change::Revert(version),
            };
            content_drafts::preview(cx, ports, node, draft).await?;
        }
        ContentAction::Restore { node, field } => {
            let Some(path) = content_editor::page_path(cx, node) else {
                return navigation::stale(cx, &ports.nav, message).await;
            };
            let draft = Draft {
                path,
                field,
                edit: PageEdit::Pack,
                change: Change::Restore,
            };
            content_drafts::preview(cx, ports, node, draft).await?;
        }
        ContentAction::Confirm => {
            content_drafts::confirm_content(cx, ports, message).await?;
        }
        ContentAction::Cancel => {
            content_drafts::cancel_content(cx, ports, message).await?;
        }
        ContentAction::Reload => {
            content_history::reload_pack(cx, ports, message).await?;
        }
        ContentAction::Page(_)
        | ContentAction::EditText { .. }
        | ContentAction::AttachMedia(_)
        | ContentAction::Qr(_) => navigation::stale(cx, &ports.nav, message).await?,
    }
    Ok(())
}
