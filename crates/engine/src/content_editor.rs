//! The admin panel's content editor: browse the pack's sections and pages, replace
//! a page's text (Markdown, previewed exactly as staff will see it, then
//! confirmed), attach, replace or remove its media, see its history and revert,
//! and reload the pack from disk.
//!
//! Every button arrives through `Turn::admin_guard` and `content_router`, and
//! every typed text or file passes the same guard in the router first. The change
//! being previewed (`content_drafts`) lives in the state store, per admin, until it is confirmed or dropped; confirming stores a
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
use crate::error::{Served, unavailable};
use crate::i18n::{html, t, t_args};
use crate::inbound::CallbackMessage;
use crate::live_content::LiveContent;
use crate::navigation::NavPorts;
use crate::ports::{AdminStore, ContentStore, LookupStore, PersonRecords, StateStore};
use crate::screens::{Rendered, SectionLinks, heading, section_screen};

/// What content editing reaches beyond the update's context.
pub(crate) struct ContentPorts<'a> {
    /// The page versions (the edits laid over the pack).
    pub(crate) content: &'a dyn ContentStore,
    /// The running pack and the one on disk; an edit or a reload swaps them.
    pub(crate) live: &'a LiveContent,
    /// Who made a version.
    pub(crate) people: &'a dyn PersonRecords,
    /// How often each answer was chosen (the hard questions).
    pub(crate) lookup: &'a dyn LookupStore,
    /// Where each edit, reload and view is audited.
    pub(crate) audit: &'a dyn AdminStore,
    /// Where the change being previewed and the step the bot waits on are kept.
    pub(crate) state: &'a dyn StateStore,
    /// For the answer to an out-of-date button.
    pub(crate) nav: NavPorts<'a>,
    /// For a page's link and QR code.
    pub(crate) bot_username: Option<&'a str>,
}

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

/// The page's deep link: what staff open, what its QR code holds.
fn page_link(ports: &ContentPorts<'_>, node: NodeId) -> String {
    StartLink::Page(node).url(ports.bot_username)
}

/// The QR code of the page's deep link as a photo, captioned with the page's
/// title and the link, to print and put where the page is needed.
pub(crate) fn send_qr(cx: &mut Cx, ports: &ContentPorts<'_>, node: NodeId) -> Served {
    let link = page_link(ports, node);
    match pictures::qr_png(&link) {
        Ok(png) => {
            let mut caption = heading(&cx.content, node, cx.lang());
            caption.push_text("\n");
            caption.push_text(&link);
            cx.actions.push(Action::SendPicture {
                chat: cx.chat,
                png: Arc::new(png),
                caption,
            });
        }
        Err(e) => return Err(unavailable("cannot draw a QR code", e)),
    }
    Ok(())
}

/// The path of page `node` in the running pack; `None` if it is no page.
pub(crate) fn page_path(cx: &Cx, node: NodeId) -> Option<String> {
    cx.pack()
        .node(node)
        .filter(|n| matches!(n.kind, NodeKind::Page(_)))
        .map(|n| n.path.clone())
}

/// The top-level sections and the reload button, with `note` above.
pub(crate) fn content_sections(cx: &mut Cx, note: Option<Html>, message: Option<CallbackMessage>) {
    let lang = cx.lang();
    let mut text = note.map_or_else(Html::default, |mut n| {
        n.push_text("\n\n");
        n
    });
    text.push(&Html::bold(&html(lang, "content-title")));
    text.push_text("\n");
    text.push(&html(lang, "content-sections-prompt"));
    let mut keyboard = Keyboard::default();
    for &id in cx.pack().top_level() {
        if let Some(node) = cx.pack().node(id) {
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
        .row(back_to_panel(cx.lang()));
    cx.show_rendered(message, Rendered { text, keyboard });
}

/// A section as the staff menu shows it, its buttons leading to page cards.
pub(crate) fn editor_section(cx: &Cx, node: NodeId, page: u16) -> Option<Rendered> {
    let links = SectionLinks {
        open: &|child| match cx.pack().node(child).map(|n| &n.kind) {
            Some(NodeKind::Section { .. }) => nav(ContentAction::Section {
                node: child,
                page: 0,
            }),
            _ => nav(ContentAction::Page(child)),
        },
        screen: &|node, page| nav(ContentAction::Section { node, page }),
        quizzes: false,
    };
    let lang = cx.lang();
    let Rendered { text, keyboard } =
        section_screen(cx.pack(), node, usize::from(page), lang, &links)?;
    let keyboard = keyboard.row(vec![
        Button::new(t(lang, "btn-back"), parent_screen(cx, node)),
        Button::new(
            t(lang, "btn-admin-panel"),
            Callback::Admin(AdminAction::Panel),
        ),
    ]);
    Some(Rendered { text, keyboard })
}

/// Where "back" leads from a node: its section, or the list of sections.
fn parent_screen(cx: &Cx, node: NodeId) -> Callback {
    match cx.pack().node(node).and_then(|n| n.parent) {
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
    cx: &mut Cx,
    ports: &ContentPorts<'_>,
    node: NodeId,
    note: Option<Html>,
    message: Option<CallbackMessage>,
) -> Served {
    let lang = cx.lang();
    let pack = cx.content.clone();
    let disk = ports.live.disk();
    let (Some(current), Some(path)) = (page_of(&pack, node), page_path(cx, node)) else {
        content_sections(cx, Some(html(lang, "content-page-gone")), message);
        return Ok(());
    };
    let last = match ports.content.page_versions(&path, None, 1).await {
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
        &[("link", page_link(ports, node).into())],
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
                    learning::local_date_time(v.at, cx.timezone()).into(),
                ),
                (
                    "admin",
                    crate::broadcast_jobs::admin_label(ports.people, v.author)
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
            Button::new(t(lang, "btn-back"), parent_screen(cx, node)),
            Button::new(
                t(lang, "btn-admin-panel"),
                Callback::Admin(AdminAction::Panel),
            ),
        ]);
    cx.show_rendered(message, Rendered { text, keyboard });
    Ok(())
}

/// Waits for a page's text or file and says what to send.
pub(crate) async fn ask_for(
    cx: &mut Cx,
    ports: &ContentPorts<'_>,
    node: NodeId,
    dialogue: Dialogue,
    message: Option<CallbackMessage>,
) {
    let lang = cx.lang();
    let name = cx
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
    dialogue::enter_dialogue_for(cx, ports.state, dialogue, TYPING_WAIT).await;
    let keyboard = Keyboard::default().row(vec![Button::new(
        t(lang, "btn-content-cancel"),
        nav(ContentAction::Page(node)),
    )]);
    cx.show_rendered(
        message,
        Rendered {
            text: Html::escape(&text),
            keyboard,
        },
    );
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
