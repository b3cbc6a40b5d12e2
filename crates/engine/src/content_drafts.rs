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
use crate::content_editor::{Change, Draft, lang_label, nav, page_of};
use crate::dialogue;
use crate::engine::Turn;
use crate::error::{OrUnavailable, Served, unavailable};
use crate::i18n::{html, t, t_args};
use crate::inbound::{Attachment, CallbackMessage};
use crate::ports::NewPageVersion;
use crate::rights::Need;
use crate::screens::{Rendered, Screen, Viewer, media_message, render};

/// How long the change being previewed is kept.
const DRAFT_TTL: Duration = Duration::from_secs(30 * 60);

impl Turn<'_> {
    /// Typed text while the bot waits for a page's text.
    pub(crate) async fn content_text_typed(
        &mut self,
        node: NodeId,
        lang: Lang,
        text: &str,
    ) -> Served {
        let edit = PageEdit::Text(text.trim().to_owned());
        self.content_sent(node, PageField::Text(lang), edit).await
    }

    /// A file while the bot waits for a page's media.
    pub(crate) async fn content_media_sent(&mut self, node: NodeId, file: Attachment) -> Served {
        let edit = PageEdit::Media {
            kind: file.kind,
            file_id: file.file_id,
        };
        self.content_sent(node, PageField::Media, edit).await
    }

    /// What the admin sent for `field` of page `node`: the same guard as every
    /// admin button, then the preview.
    async fn content_sent(&mut self, node: NodeId, field: PageField, edit: PageEdit) -> Served {
        if !self
            .typed_input_allowed(&format!("content {}", field.as_str()), Need::Content, None)
            .await
        {
            return Ok(());
        }
        let Some(path) = self.page_path(node) else {
            dialogue::end_dialogue(&self.cx, &*self.engine.state).await;
            self.cx.say("content-page-gone");
            return Ok(());
        };
        let draft = Draft {
            path,
            field,
            edit,
            change: Change::Edit,
        };
        self.preview(node, draft).await
    }

    /// The running content with `draft` applied, or why it cannot be.
    fn with_draft(&self, draft: &Draft) -> Result<ContentPack, EditProblem> {
        self.cx.pack().with_edit(
            &self.engine.content.disk(),
            &draft.path,
            draft.field,
            &draft.edit,
        )
    }

    /// Shows the page with `draft` applied, exactly as staff would get it, and asks
    /// to save it. A change the pack refuses is explained; a typed text can then
    /// be sent again (the dialogue stays).
    pub(crate) async fn preview(&mut self, node: NodeId, draft: Draft) -> Served {
        let lang = self.cx.lang();
        let candidate = match self.with_draft(&draft) {
            Ok(candidate) => candidate,
            Err(problem) => {
                self.edit_refused(node, &problem);
                return Ok(());
            }
        };
        dialogue::end_dialogue(&self.cx, &*self.engine.state).await;
        let raw = serde_json::to_string(&draft).unwrap_or_default();
        if let Err(e) = self
            .engine
            .state
            .put(&self.content_draft_key(), &raw, DRAFT_TTL)
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
        self.cx
            .actions
            .extend(page_as_staff_see_it(&candidate, node, shown, self.cx.chat));
        let text = Html::escape(&t_args(
            lang,
            "content-preview-above",
            &[("lang", lang_label(shown).into())],
        ));
        let keyboard = Keyboard::default().row(vec![
            Button::new(t(lang, "btn-content-save"), nav(ContentAction::Confirm)),
            Button::new(t(lang, "btn-content-cancel"), nav(ContentAction::Cancel)),
        ]);
        self.cx.actions.push(Action::Send {
            chat: self.cx.chat,
            text,
            keyboard: Some(keyboard),
        });
        Ok(())
    }

    /// Why a change cannot be made, with the way back to the page.
    fn edit_refused(&mut self, node: NodeId, problem: &EditProblem) {
        let lang = self.cx.lang();
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
        self.cx.actions.push(Action::Send {
            chat: self.cx.chat,
            text: Html::escape(&text),
            keyboard: Some(keyboard),
        });
    }

    fn content_draft_key(&self) -> String {
        format!("ct:draft:{}", self.cx.user.id)
    }

    /// Takes the change being previewed out of the state store.
    async fn take_content_draft(&mut self) -> Option<Draft> {
        let key = self.content_draft_key();
        let raw = match self.engine.state.get(&key).await {
            Ok(raw) => raw?,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the content change");
                return None;
            }
        };
        if let Err(e) = self.engine.state.delete(&key).await {
            tracing::warn!(error = %e, "cannot drop the content change");
        }
        serde_json::from_str(&raw).ok()
    }

    /// Stores the change being previewed as a new version, audits it and shows it
    /// to staff at once.
    pub(crate) async fn confirm_content(&mut self, message: Option<CallbackMessage>) -> Served {
        let lang = self.cx.lang();
        let Some(draft) = self.take_content_draft().await else {
            self.content_sections(Some(html(lang, "content-no-draft")), message);
            return Ok(());
        };
        let node = NodeId::from_path(&draft.path);
        // Checked again: the content may have been reloaded since the preview.
        if let Err(problem) = self.with_draft(&draft) {
            self.edit_refused(node, &problem);
            return Ok(());
        }
        let version = NewPageVersion {
            path: draft.path.clone(),
            field: draft.field,
            edit: draft.edit.clone(),
            author: self.cx.user.id,
            at: self.cx.now(),
        };
        let id = self
            .engine
            .storage
            .add_page_version(&version)
            .await
            .or_unavailable("cannot store a content version")?;
        let from = match draft.change {
            Change::Revert(old) => format!(" from #{old}"),
            _ => String::new(),
        };
        self.audit(
            draft.audit_action(),
            format!("{} {} #{id}{from}", draft.path, draft.field.as_str()),
        )
        .await;
        metrics::counter!("trainbot_content_edits_total").increment(1);
        if let Err(e) = self.engine.sync_content().await {
            tracing::warn!(error = %e, "a content edit is stored but not shown yet; the next poll shows it");
        }
        self.cx.content = self.engine.content();
        let note = Html::escape(&t_args(lang, "content-saved", &[("id", id.into())]));
        self.page_card(node, Some(note), message).await
    }

    /// Drops the change being previewed and goes back to its page.
    pub(crate) async fn cancel_content(&mut self, message: Option<CallbackMessage>) -> Served {
        let note = html(self.cx.lang(), "content-cancelled");
        match self.take_content_draft().await {
            Some(draft) => {
                let node = NodeId::from_path(&draft.path);
                self.page_card(node, Some(note), message).await?
            }
            None => self.content_sections(Some(note), message),
        }
        Ok(())
    }
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
