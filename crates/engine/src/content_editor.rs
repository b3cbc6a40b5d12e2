//! The admin panel's content editor: browse the pack's sections and pages, replace
//! a page's text (Markdown, previewed exactly as staff will see it, then
//! confirmed), attach, replace or remove its media, see its history and revert,
//! and reload the pack from disk.
//!
//! Every button arrives through [`Turn::admin_guard`] and every typed text or file
//! through [`Turn::typed_input_allowed`]. The change being previewed (`content_drafts`) lives in the
//! state store, per admin, until it is confirmed or dropped; confirming stores a
//! new version ([`crate::ports::ContentStore`]), writes the audit log and swaps
//! this replica's content at once (the others follow at their next poll, see
//! [`crate::live_content`]). A button naming a page the running pack no longer has
//! gets the stale-menu answer.

use std::sync::Arc;
use std::time::Duration;

use domain::callback::{AdminAction, Callback, ContentAction, QuestionFilter};
use domain::content::{
    ContentPack, EDIT_MAX_CHARS, MediaKind, MediaSource, NodeKind, PageEdit, PageField,
};
use domain::html::Html;
use domain::ids::NodeId;
use domain::lang::Lang;
use domain::learning;
use domain::start_link::StartLink;
use serde::{Deserialize, Serialize};

use crate::action::{Action, Button, Keyboard};
use crate::admin_rows::back_to_panel;
use crate::context::Cx;
use crate::dialogue::{self, Dialogue};
use crate::engine::Turn;
use crate::error::{Served, unavailable};
use crate::i18n::{html, t, t_args};
use crate::inbound::CallbackMessage;
use crate::navigation;
use crate::screens::{Rendered, SectionLinks, heading, section_screen};

/// How long the bot waits for a page's text or file.
const TYPING_WAIT: Duration = Duration::from_secs(30 * 60);

/// The change being previewed, kept in the state store.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Draft {
    pub(crate) path: String,
    pub(crate) field: PageField,
    pub(crate) edit: PageEdit,
    pub(crate) change: Change,
}

/// How a change came about, for the audit log.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub(crate) enum Change {
    /// New text typed, or a file sent, or the media removed.
    Edit,
    /// Back to an earlier version.
    Revert(i64),
    /// Back to the pack's own text or media.
    Restore,
}

impl Draft {
    pub(crate) fn audit_action(&self) -> &'static str {
        match (self.change, self.field) {
            (Change::Edit, PageField::Text(_)) => "content_edit",
            (Change::Edit, PageField::Media) => "content_media",
            (Change::Revert(_), _) => "content_revert",
            (Change::Restore, _) => "content_restore",
        }
    }
}

pub(crate) fn nav(action: ContentAction) -> Callback {
    Callback::Admin(AdminAction::Content(action))
}

impl Turn<'_> {
    /// A content button, after the admin guard let it through. It answers the
    /// callback itself, so that a page that is gone can get the stale-menu answer.
    pub(crate) async fn admin_content(
        &mut self,
        query_id: String,
        action: ContentAction,
        message: Option<CallbackMessage>,
    ) -> Served {
        // Any button leaves a half-typed edit behind.
        if matches!(
            dialogue::dialogue(&self.cx, &*self.engine.state).await,
            Some(Dialogue::ContentText { .. } | Dialogue::ContentMedia { .. })
        ) {
            dialogue::end_dialogue(&self.cx, &*self.engine.state).await;
        }
        match action {
            ContentAction::Sections => {
                self.cx.answer(query_id, None);
                self.content_sections(None, message);
            }
            ContentAction::Section { node, page } => match self.editor_section(node, page) {
                Some(screen) => {
                    self.cx.answer(query_id, None);
                    self.cx.show_rendered(message, screen);
                }
                None => {
                    navigation::stale(&mut self.cx, &self.engine.nav_ports(), query_id, message)
                        .await?
                }
            },
            ContentAction::Page(node) if self.page_path(node).is_some() => {
                self.cx.answer(query_id, None);
                self.page_card(node, None, message).await?;
            }
            ContentAction::EditText { node, lang } if self.page_path(node).is_some() => {
                self.cx.answer(query_id, None);
                self.ask_for(node, Dialogue::ContentText { node, lang }, message)
                    .await;
            }
            ContentAction::AttachMedia(node) if self.page_path(node).is_some() => {
                self.cx.answer(query_id, None);
                self.ask_for(node, Dialogue::ContentMedia { node }, message)
                    .await;
            }
            ContentAction::Questions(filter) => {
                self.cx.answer(query_id, None);
                self.hard_questions(filter, message).await?;
            }
            ContentAction::Qr(node) if self.page_path(node).is_some() => {
                self.cx.answer(query_id, None);
                self.send_qr(node)?;
            }
            ContentAction::RemoveMedia(node) => {
                let Some(path) = self.page_path(node) else {
                    return navigation::stale(
                        &mut self.cx,
                        &self.engine.nav_ports(),
                        query_id,
                        message,
                    )
                    .await;
                };
                self.cx.answer(query_id, None);
                let draft = Draft {
                    path,
                    field: PageField::Media,
                    edit: PageEdit::NoMedia,
                    change: Change::Edit,
                };
                self.preview(node, draft).await?;
            }
            ContentAction::History { node, before } => {
                let Some(path) = self.page_path(node) else {
                    return navigation::stale(
                        &mut self.cx,
                        &self.engine.nav_ports(),
                        query_id,
                        message,
                    )
                    .await;
                };
                self.cx.answer(query_id, None);
                self.page_history(node, &path, before, message).await?;
            }
            ContentAction::Revert { node, version } => {
                let Some(path) = self.page_path(node) else {
                    return navigation::stale(
                        &mut self.cx,
                        &self.engine.nav_ports(),
                        query_id,
                        message,
                    )
                    .await;
                };
                let old = match self.engine.storage.page_version(version).await {
                    Ok(Some(old)) if old.path == path => old,
                    Ok(_) => {
                        return navigation::stale(
                            &mut self.cx,
                            &self.engine.nav_ports(),
                            query_id,
                            message,
                        )
                        .await;
                    }
                    Err(e) => {
                        self.cx.answer(query_id, None);
                        return Err(unavailable("cannot read a content version", e));
                    }
                };
                self.cx.answer(query_id, None);
                let draft = Draft {
                    path,
                    field: old.field,
                    edit: old.edit,
                    change: Change::Revert(version),
                };
                self.preview(node, draft).await?;
            }
            ContentAction::Restore { node, field } => {
                let Some(path) = self.page_path(node) else {
                    return navigation::stale(
                        &mut self.cx,
                        &self.engine.nav_ports(),
                        query_id,
                        message,
                    )
                    .await;
                };
                self.cx.answer(query_id, None);
                let draft = Draft {
                    path,
                    field,
                    edit: PageEdit::Pack,
                    change: Change::Restore,
                };
                self.preview(node, draft).await?;
            }
            ContentAction::Confirm => {
                self.cx.answer(query_id, None);
                self.confirm_content(message).await?;
            }
            ContentAction::Cancel => {
                self.cx.answer(query_id, None);
                self.cancel_content(message).await?;
            }
            ContentAction::Reload => {
                self.cx.answer(query_id, None);
                self.reload_pack(message).await?;
            }
            ContentAction::Page(_)
            | ContentAction::EditText { .. }
            | ContentAction::AttachMedia(_)
            | ContentAction::Qr(_) => {
                navigation::stale(&mut self.cx, &self.engine.nav_ports(), query_id, message).await?
            }
        }
        Ok(())
    }

    /// The page's deep link: what staff open, what its QR code holds.
    fn page_link(&self, node: NodeId) -> String {
        StartLink::Page(node).url(self.engine.bot_username.as_deref())
    }

    /// The QR code of the page's deep link as a photo, captioned with the page's
    /// title and the link, to print and put where the page is needed.
    fn send_qr(&mut self, node: NodeId) -> Served {
        let link = self.page_link(node);
        match pictures::qr_png(&link) {
            Ok(png) => {
                let mut caption = heading(&self.cx.content, node, self.cx.lang());
                caption.push_text("\n");
                caption.push_text(&link);
                self.cx.actions.push(Action::SendPicture {
                    chat: self.cx.chat,
                    png: Arc::new(png),
                    caption,
                });
            }
            Err(e) => return Err(unavailable("cannot draw a QR code", e)),
        }
        Ok(())
    }

    /// The path of page `node` in the running pack; `None` if it is no page.
    pub(crate) fn page_path(&self, node: NodeId) -> Option<String> {
        self.cx
            .pack()
            .node(node)
            .filter(|n| matches!(n.kind, NodeKind::Page(_)))
            .map(|n| n.path.clone())
    }

    /// The top-level sections and the reload button, with `note` above.
    pub(crate) fn content_sections(
        &mut self,
        note: Option<Html>,
        message: Option<CallbackMessage>,
    ) {
        let lang = self.cx.lang();
        let mut text = note.map_or_else(Html::default, |mut n| {
            n.push_text("\n\n");
            n
        });
        text.push(&Html::bold(&html(lang, "content-title")));
        text.push_text("\n");
        text.push(&html(lang, "content-sections-prompt"));
        let mut keyboard = Keyboard::default();
        for &id in self.cx.pack().top_level() {
            if let Some(node) = self.cx.pack().node(id) {
                keyboard = keyboard.row(vec![Button::new(
                    format!("📂 {}", node.title.get(lang)),
                    nav(ContentAction::Section { node: id, page: 0 }),
                )]);
            }
        }
        keyboard = keyboard
            .row(vec![
                Button::new(
                    t(lang, "btn-content-questions"),
                    nav(ContentAction::Questions(QuestionFilter::Everyone)),
                ),
                Button::new(t(lang, "btn-content-reload"), nav(ContentAction::Reload)),
            ])
            .row(back_to_panel(self.cx.lang()));
        self.cx.show_rendered(message, Rendered { text, keyboard });
    }

    /// A section as the staff menu shows it, its buttons leading to page cards.
    fn editor_section(&self, node: NodeId, page: u16) -> Option<Rendered> {
        let links = SectionLinks {
            open: &|child| match self.cx.pack().node(child).map(|n| &n.kind) {
                Some(NodeKind::Section { .. }) => nav(ContentAction::Section {
                    node: child,
                    page: 0,
                }),
                _ => nav(ContentAction::Page(child)),
            },
            screen: &|node, page| nav(ContentAction::Section { node, page }),
            quizzes: false,
        };
        let lang = self.cx.lang();
        let Rendered { text, keyboard } =
            section_screen(self.cx.pack(), node, usize::from(page), lang, &links)?;
        let keyboard = keyboard.row(vec![
            Button::new(t(lang, "btn-back"), self.parent_screen(node)),
            Button::new(
                t(lang, "btn-admin-panel"),
                Callback::Admin(AdminAction::Panel),
            ),
        ]);
        Some(Rendered { text, keyboard })
    }

    /// Where "back" leads from a node: its section, or the list of sections.
    fn parent_screen(&self, node: NodeId) -> Callback {
        match self.cx.pack().node(node).and_then(|n| n.parent) {
            Some(parent) => nav(ContentAction::Section {
                node: parent,
                page: 0,
            }),
            None => nav(ContentAction::Sections),
        }
    }

    /// A page's card: where it is, which fields are edited, the current version,
    /// and what can be done.
    pub(crate) async fn page_card(
        &mut self,
        node: NodeId,
        note: Option<Html>,
        message: Option<CallbackMessage>,
    ) -> Served {
        let lang = self.cx.lang();
        let pack = self.cx.content.clone();
        let disk = self.engine.content.disk();
        let (Some(current), Some(path)) = (page_of(&pack, node), self.page_path(node)) else {
            self.content_sections(Some(html(lang, "content-page-gone")), message);
            return Ok(());
        };
        let last = match self.engine.storage.page_versions(&path, None, 1).await {
            Ok(versions) => versions.into_iter().next(),
            Err(e) => return Err(unavailable("cannot read a page's versions", e)),
        };
        let mut text = note.map_or_else(Html::default, |mut n| {
            n.push_text("\n\n");
            n
        });
        text.push(&heading(&pack, node, lang));
        text.push_text("\n");
        text.push(&Html::code(&path));
        text.push_text("\n");
        text.push_text(&t_args(
            lang,
            "content-link",
            &[("link", self.page_link(node).into())],
        ));
        let original = page_of(&disk, node);
        for field_lang in Lang::ALL {
            let edited =
                original.is_none_or(|o| o.parts.get(field_lang) != current.parts.get(field_lang));
            let key = if edited {
                "content-text-edited"
            } else {
                "content-text-pack"
            };
            text.push_text("\n");
            text.push_text(&t_args(
                lang,
                key,
                &[("lang", lang_label(field_lang).into())],
            ));
        }
        text.push_text("\n");
        text.push_text(&match &current.media {
            None => t(lang, "content-media-none"),
            Some(media) => {
                let key = match media.source {
                    MediaSource::File { .. } => "content-media-pack",
                    MediaSource::Telegram { .. } => "content-media-panel",
                };
                t_args(lang, key, &[("kind", kind_name(lang, media.kind).into())])
            }
        });
        text.push_text("\n");
        text.push_text(&match last {
            Some(v) => t_args(
                lang,
                "content-version",
                &[
                    ("id", v.id.into()),
                    (
                        "when",
                        learning::local_date_time(v.at, self.cx.timezone()).into(),
                    ),
                    (
                        "admin",
                        crate::broadcast_jobs::admin_label(&*self.engine.storage, v.author)
                            .await
                            .into(),
                    ),
                ],
            ),
            None => t(lang, "content-version-pack"),
        });
        let edit = |l: Lang| {
            Button::new(
                t_args(
                    lang,
                    "btn-content-edit-text",
                    &[("lang", lang_label(l).into())],
                ),
                nav(ContentAction::EditText { node, lang: l }),
            )
        };
        let mut media = vec![Button::new(
            t(lang, "btn-content-media"),
            nav(ContentAction::AttachMedia(node)),
        )];
        if current.media.is_some() {
            media.push(Button::new(
                t(lang, "btn-content-remove-media"),
                nav(ContentAction::RemoveMedia(node)),
            ));
        }
        let keyboard = Keyboard::default()
            .row(vec![edit(Lang::Ru), edit(Lang::En)])
            .row(media)
            .row(vec![
                Button::new(
                    t(lang, "btn-content-history"),
                    nav(ContentAction::History { node, before: None }),
                ),
                Button::new(t(lang, "btn-content-qr"), nav(ContentAction::Qr(node))),
            ])
            .row(vec![
                Button::new(t(lang, "btn-back"), self.parent_screen(node)),
                Button::new(
                    t(lang, "btn-admin-panel"),
                    Callback::Admin(AdminAction::Panel),
                ),
            ]);
        self.cx.show_rendered(message, Rendered { text, keyboard });
        Ok(())
    }

    /// Waits for a page's text or file and says what to send.
    async fn ask_for(
        &mut self,
        node: NodeId,
        dialogue: Dialogue,
        message: Option<CallbackMessage>,
    ) {
        let lang = self.cx.lang();
        let name = self
            .cx
            .pack()
            .node(node)
            .map(|n| n.title.get(lang).clone())
            .unwrap_or_default();
        let text = match dialogue {
            Dialogue::ContentText { lang: field, .. } => t_args(
                lang,
                "content-text-prompt",
                &[
                    ("name", name.into()),
                    ("lang", lang_label(field).into()),
                    ("max", EDIT_MAX_CHARS.into()),
                ],
            ),
            _ => t_args(lang, "content-media-prompt", &[("name", name.into())]),
        };
        dialogue::enter_dialogue_for(&self.cx, &*self.engine.state, dialogue, TYPING_WAIT).await;
        let keyboard = Keyboard::default().row(vec![Button::new(
            t(lang, "btn-content-cancel"),
            nav(ContentAction::Page(node)),
        )]);
        self.cx.show_rendered(
            message,
            Rendered {
                text: Html::escape(&text),
                keyboard,
            },
        );
    }
}

/// The page `node` of `pack`, if it is a page.
pub(crate) fn page_of(pack: &ContentPack, node: NodeId) -> Option<&domain::content::Page> {
    match &pack.node(node)?.kind {
        NodeKind::Page(page) => Some(page),
        NodeKind::Section { .. } => None,
    }
}

/// `RU` or `EN`, as the panel names a page's languages.
pub(crate) fn lang_label(lang: Lang) -> String {
    lang.code().to_uppercase()
}

pub(crate) fn kind_name(lang: Lang, kind: MediaKind) -> String {
    t(lang, &format!("media-kind-{}", kind.as_str()))
}

pub(crate) fn field_name(lang: Lang, field: PageField) -> String {
    match field {
        PageField::Text(l) => t_args(
            lang,
            "content-field-text",
            &[("lang", lang_label(l).into())],
        ),
        PageField::Media => t(lang, "content-field-media"),
    }
}

/// The panel row that leads here.
pub(crate) fn content_panel_row(cx: &Cx) -> Vec<Button> {
    vec![Button::new(
        t(cx.lang(), "btn-admin-content"),
        nav(ContentAction::Sections),
    )]
}
