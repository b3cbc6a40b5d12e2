//! Screens: what a person sees at each place in the menu, as text and buttons.
//!
//! A screen is rendered from the content pack and the person's language only, so
//! the same screen always renders the same way (which is what makes "message is not
//! modified" a success rather than a bug).

use domain::callback::Callback;
use domain::callback::Slug;
use domain::content::{ContentPack, Department, MENU_PAGE_SIZE, NodeKind, breadcrumb_line};
use domain::html::Html;
use domain::ids::{ChatId, NodeId};
use domain::lang::Lang;

use crate::action::{Action, Button, Keyboard};
use crate::i18n::{html, t, t_args};

/// A place in the menu.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    Home,
    /// One screen of a section's buttons (`page` from 0).
    Section {
        node: NodeId,
        page: u16,
    },
    /// One part of a page (`part` from 0).
    Page {
        node: NodeId,
        part: u16,
    },
    Languages,
}

impl Screen {
    /// The button data that leads back to this screen; also how the screen is
    /// remembered in the state store.
    pub fn callback(self) -> Callback {
        match self {
            Screen::Home => Callback::Home,
            Screen::Section { node, page } => Callback::SectionPage { node, page },
            Screen::Page { node, part } => Callback::PagePart { node, part },
            Screen::Languages => Callback::Languages,
        }
    }

    /// The screen a remembered callback stands for (entry callbacks need the pack).
    pub fn from_callback(cb: Callback, pack: &ContentPack) -> Option<Screen> {
        match cb {
            Callback::Home => Some(Screen::Home),
            Callback::Languages => Some(Screen::Languages),
            Callback::SectionPage { node, page } => Some(Screen::Section { node, page }),
            Callback::PagePart { node, part } => Some(Screen::Page { node, part }),
            Callback::Open(node) => match pack.node(node)?.kind {
                NodeKind::Section { .. } => Some(Screen::Section { node, page: 0 }),
                NodeKind::Page(_) => Some(Screen::Page { node, part: 0 }),
            },
            _ => None,
        }
    }

    /// The node whose activity this screen is, if any.
    pub fn node(self) -> Option<NodeId> {
        match self {
            Screen::Section { node, .. } | Screen::Page { node, .. } => Some(node),
            Screen::Home | Screen::Languages => None,
        }
    }
}

/// Who is looking: what personalises a screen.
#[derive(Clone, Copy, Debug)]
pub struct Viewer<'a> {
    pub lang: Lang,
    /// The person's department: its section comes first on the main menu and its
    /// required sections are marked.
    pub department: Option<&'a Department>,
    /// Review questions due now (offered on the main menu when any).
    pub reviews_due: usize,
}

impl Viewer<'_> {
    /// A viewer with nothing personal: for tests and for people without a profile.
    pub fn anonymous(lang: Lang) -> Viewer<'static> {
        Viewer {
            lang,
            department: None,
            reviews_due: 0,
        }
    }
}

/// A rendered screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub text: Html,
    pub keyboard: Keyboard,
}

/// Renders `screen`, or `None` if it no longer exists in the pack (the node is
/// gone, or the page or part index is past the end): the caller treats that as a
/// stale menu.
pub fn render(pack: &ContentPack, screen: Screen, viewer: &Viewer<'_>) -> Option<Rendered> {
    let lang = viewer.lang;
    match screen {
        Screen::Home => Some(home(pack, viewer)),
        Screen::Languages => Some(languages(lang)),
        Screen::Section { node, page } => section(pack, node, usize::from(page), lang),
        Screen::Page { node, part } => page(pack, node, usize::from(part), lang),
    }
}

fn home(pack: &ContentPack, viewer: &Viewer<'_>) -> Rendered {
    let lang = viewer.lang;
    let mut text = Html::bold(&html(lang, "main-menu-title"));
    text.push_text("\n");
    text.push(&html(lang, "main-menu-prompt"));
    let required: &[domain::ids::NodeId] = viewer
        .department
        .map_or(&[], |d| d.required_sections.as_slice());
    if !required.is_empty() {
        text.push_text("\n");
        text.push(&Html::italic(&html(lang, "main-menu-required")));
    }
    // The person's own department first, the rest in pack order.
    let mut sections: Vec<domain::ids::NodeId> = pack.top_level().to_vec();
    if let Some(own) = viewer.department.map(|d| d.section) {
        sections.sort_by_key(|id| *id != own);
    }
    let mut keyboard = Keyboard::default();
    for id in sections {
        if let Some(node) = pack.node(id) {
            let mark = if required.contains(&id) { "⭐ " } else { "" };
            keyboard = keyboard.row(vec![Button::new(
                format!("{mark}{}", node.title.get(lang)),
                Callback::Open(id),
            )]);
        }
    }
    let mut learning = vec![
        Button::new(t(lang, "btn-quizzes"), Callback::Quizzes),
        Button::new(t(lang, "btn-progress"), Callback::Progress),
    ];
    if viewer.reviews_due > 0 {
        learning.push(Button::new(
            t_args(lang, "btn-review", &[("n", viewer.reviews_due.into())]),
            Callback::Review,
        ));
    }
    keyboard = keyboard.row(learning).row(vec![
        Button::new(t(lang, "btn-profile"), Callback::Profile),
        Button::new(t(lang, "btn-language"), Callback::Languages),
    ]);
    Rendered { text, keyboard }
}

fn languages(lang: Lang) -> Rendered {
    let keyboard = Keyboard::default()
        .row(vec![
            Button::new("🇷🇺 Русский", Callback::Language(Lang::Ru)),
            Button::new("🇬🇧 English", Callback::Language(Lang::En)),
        ])
        .row(vec![Button::new(t(lang, "btn-home"), Callback::Home)]);
    Rendered {
        text: html(lang, "language-prompt"),
        keyboard,
    }
}

/// The bold breadcrumb heading of a node's screen.
pub fn heading(pack: &ContentPack, node: NodeId, lang: Lang) -> Html {
    Html::bold(&Html::escape(&breadcrumb_line(
        &pack.breadcrumb(node, lang),
    )))
}

/// A page's media as staff get it when they open the page: the file with the
/// page's heading as its caption; `None` for a page without media.
pub(crate) fn media_message(
    pack: &ContentPack,
    node: NodeId,
    lang: Lang,
    chat: ChatId,
) -> Option<Action> {
    let NodeKind::Page(page) = &pack.node(node)?.kind else {
        return None;
    };
    Some(Action::SendMedia {
        chat,
        media: page.media.clone()?,
        caption: heading(pack, node, lang),
    })
}

fn back_and_home(pack: &ContentPack, node: NodeId, lang: Lang) -> Vec<Button> {
    let back = match pack.node(node).and_then(|n| n.parent) {
        Some(parent) => Callback::Open(parent),
        None => Callback::Home,
    };
    vec![
        Button::new(t(lang, "btn-back"), back),
        Button::new(t(lang, "btn-home"), Callback::Home),
    ]
}

fn section(pack: &ContentPack, id: NodeId, page: usize, lang: Lang) -> Option<Rendered> {
    let links = SectionLinks {
        open: &Callback::Open,
        screen: &|node, page| Callback::SectionPage { node, page },
        quizzes: true,
    };
    let Rendered { text, keyboard } = section_screen(pack, id, page, lang, &links)?;
    let keyboard = keyboard.row(back_and_home(pack, id, lang));
    Some(Rendered { text, keyboard })
}

/// Where the buttons of a section screen lead: the staff menu, or the admin
/// panel's content editor.
pub(crate) struct SectionLinks<'a> {
    /// A child (a section or a page) of the section.
    pub open: &'a dyn Fn(NodeId) -> Callback,
    /// Another screen of the section's buttons.
    pub screen: &'a dyn Fn(NodeId, u16) -> Callback,
    /// Whether the section's knowledge checks are offered.
    pub quizzes: bool,
}

/// One screen of a section: its heading and its children's buttons, paged, with
/// the links the caller gives; `None` if the section or the screen does not
/// exist. The caller adds the way back.
pub(crate) fn section_screen(
    pack: &ContentPack,
    id: NodeId,
    page: usize,
    lang: Lang,
    links: &SectionLinks<'_>,
) -> Option<Rendered> {
    let NodeKind::Section { children } = &pack.node(id)?.kind else {
        return None;
    };
    let pages = ContentPack::section_pages(children.len());
    if page >= pages {
        return None;
    }
    let mut text = heading(pack, id, lang);
    text.push_text("\n");
    text.push(&html(lang, "section-prompt"));
    if pages > 1 {
        text.push_text("\n");
        text.push(&Html::italic(&Html::escape(&t_args(
            lang,
            "page-of",
            &[("n", (page + 1).into()), ("total", pages.into())],
        ))));
    }
    let mut keyboard = Keyboard::default();
    for child in children
        .iter()
        .skip(page * MENU_PAGE_SIZE)
        .take(MENU_PAGE_SIZE)
    {
        let Some(node) = pack.node(*child) else {
            continue;
        };
        let icon = match node.kind {
            NodeKind::Section { .. } => "📂",
            NodeKind::Page(ref p) if p.media.is_some() => "🖼",
            NodeKind::Page(_) => "📄",
        };
        keyboard = keyboard.row(vec![Button::new(
            format!("{icon} {}", node.title.get(lang)),
            (links.open)(*child),
        )]);
    }
    let section_path = pack.node(id).map(|n| n.path.as_str()).unwrap_or_default();
    for quiz in pack
        .quizzes()
        .iter()
        .filter(|q| links.quizzes && q.section_path == section_path)
    {
        if let Some(slug) = Slug::parse(&quiz.id) {
            let label = format!("📝 {}", quiz.title.get(lang));
            keyboard = keyboard.row(vec![Button::new(label, Callback::QuizStart(slug))]);
        }
    }
    let to = |p: usize| (links.screen)(id, u16::try_from(p).unwrap_or(u16::MAX));
    let mut paging = Vec::new();
    if page > 0 {
        paging.push(Button::new(t(lang, "btn-prev"), to(page - 1)));
    }
    if page + 1 < pages {
        paging.push(Button::new(t(lang, "btn-next"), to(page + 1)));
    }
    keyboard = keyboard.row(paging);
    Some(Rendered { text, keyboard })
}

fn page(pack: &ContentPack, id: NodeId, part: usize, lang: Lang) -> Option<Rendered> {
    let NodeKind::Page(page) = &pack.node(id)?.kind else {
        return None;
    };
    let parts = page.parts.get(lang);
    let body = parts.get(part)?;
    let mut text = heading(pack, id, lang);
    text.push_text("\n\n");
    text.push(body);
    let mut keyboard = Keyboard::default();
    if parts.len() > 1 {
        text.push_text("\n\n");
        text.push(&Html::italic(&Html::escape(&t_args(
            lang,
            "part-of",
            &[("n", (part + 1).into()), ("total", parts.len().into())],
        ))));
        let to = |p: usize| Callback::PagePart {
            node: id,
            part: u16::try_from(p).unwrap_or(u16::MAX),
        };
        let mut paging = Vec::new();
        if part > 0 {
            paging.push(Button::new(
                t_args(lang, "btn-prev-part", &[("n", part.into())]),
                to(part - 1),
            ));
        }
        if part + 1 < parts.len() {
            paging.push(Button::new(
                t_args(lang, "btn-next-part", &[("n", (part + 2).into())]),
                to(part + 1),
            ));
        }
        keyboard = keyboard.row(paging);
    }
    keyboard = keyboard.row(back_and_home(pack, id, lang));
    Some(Rendered { text, keyboard })
}
