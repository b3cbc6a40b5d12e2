use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::html::Html;
use crate::ids::NodeId;
use crate::lang::Lang;

use crate::split::{SplitError, split};

use super::quiz::Quiz;

/// Telegram's limit on a message's text, in characters after entity parsing.
pub const MESSAGE_LIMIT: usize = 4096;

/// Telegram's limit on a photo's or a file's caption, in characters after entity
/// parsing.
pub const CAPTION_LIMIT: usize = 1024;

/// Buttons on one screen of a section before it pages (Telegram allows 100, a phone shows about 8).
pub const MENU_PAGE_SIZE: usize = 8;

/// A value in every language of the pack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Localized<T> {
    pub ru: T,
    pub en: T,
}

impl<T> Localized<T> {
    pub fn get(&self, lang: Lang) -> &T {
        match lang {
            Lang::Ru => &self.ru,
            Lang::En => &self.en,
        }
    }

    pub fn get_mut(&mut self, lang: Lang) -> &mut T {
        match lang {
            Lang::Ru => &mut self.ru,
            Lang::En => &mut self.en,
        }
    }
}

/// A park of the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Park {
    pub id: String,
    /// IANA time-zone name, e.g. `Europe/Moscow`.
    pub timezone: String,
    pub name: Localized<String>,
}

/// A department; its training lives in one top-level section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Department {
    pub id: String,
    pub section: NodeId,
    pub name: Localized<String>,
    /// Sections whose every page (also in sub-sections) must be read.
    pub required_sections: Vec<NodeId>,
    /// Quizzes that must be passed.
    pub required_quizzes: Vec<String>,
    /// Days from registration to complete the required items.
    pub deadline_days: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    Photo,
    Video,
    Document,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Photo => "photo",
            MediaKind::Video => "video",
            MediaKind::Document => "document",
        }
    }

    pub fn parse(raw: &str) -> Option<MediaKind> {
        [MediaKind::Photo, MediaKind::Video, MediaKind::Document]
            .into_iter()
            .find(|k| k.as_str() == raw)
    }
}

/// A file shown with a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Media {
    pub kind: MediaKind,
    pub source: MediaSource,
}

/// Where a page's file comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MediaSource {
    /// A file in the pack: uploaded once, then sent by its cached Telegram `file_id`.
    File {
        /// Absolute path of the file.
        path: PathBuf,
        /// The file's name, as the person sees it on a document.
        file_name: String,
        /// Identifies the file's content and kind, for the Telegram `file_id` cache:
        /// an edited file gets a new key, so it is uploaded again.
        cache_key: String,
    },
    /// A file an admin sent the bot in the panel, sent on by its Telegram `file_id`
    /// (which only this bot can use, with the same kind of method).
    Telegram { file_id: String },
}

impl Media {
    /// The `file_id` cache key of a pack file; `None` for a file sent in the panel.
    pub fn cache_key(&self) -> Option<&str> {
        match &self.source {
            MediaSource::File { cache_key, .. } => Some(cache_key),
            MediaSource::Telegram { .. } => None,
        }
    }
}

/// A page: its rendered text, already cut into message-sized parts per language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    pub parts: Localized<Vec<Html>>,
    pub media: Option<Media>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// A menu; children in menu order.
    Section {
        children: Vec<NodeId>,
    },
    Page(Page),
}

/// A section or a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub id: NodeId,
    /// Path relative to the pack folder (`general/emergencies/fire.md`); stored in activity records.
    pub path: String,
    /// `None` for a top-level (department) section.
    pub parent: Option<NodeId>,
    pub title: Localized<String>,
    pub order: i64,
    pub kind: NodeKind,
}

/// What Telegram shows about the bot (`[bot]` in pack.toml): the description
/// in an empty chat, the short description on its profile and in shared links.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BotProfile {
    pub description: Localized<String>,
    pub short_description: Localized<String>,
}

/// A loaded, valid content pack.
#[derive(Clone, Debug)]
pub struct ContentPack {
    pub(super) root: PathBuf,
    pub(super) default_language: Lang,
    pub(super) bot: Option<BotProfile>,
    pub(super) parks: Vec<Park>,
    pub(super) departments: Vec<Department>,
    pub(super) nodes: HashMap<NodeId, Node>,
    pub(super) top_level: Vec<NodeId>,
    pub(super) quizzes: Vec<Quiz>,
}

impl ContentPack {
    /// The folder the pack was loaded from.
    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn default_language(&self) -> Lang {
        self.default_language
    }

    /// The bot's description and short description, when the pack has them.
    pub fn bot(&self) -> Option<&BotProfile> {
        self.bot.as_ref()
    }

    pub fn parks(&self) -> &[Park] {
        &self.parks
    }

    pub fn departments(&self) -> &[Department] {
        &self.departments
    }

    pub fn quizzes(&self) -> &[Quiz] {
        &self.quizzes
    }

    /// The top-level sections, in menu order: the main menu.
    pub fn top_level(&self) -> &[NodeId] {
        &self.top_level
    }

    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(&id)
    }

    /// Every node, in no particular order.
    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.nodes.values()
    }

    pub fn department(&self, id: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.id == id)
    }

    pub fn park(&self, id: &str) -> Option<&Park> {
        self.parks.iter().find(|p| p.id == id)
    }

    pub fn quiz(&self, id: &str) -> Option<&Quiz> {
        self.quizzes.iter().find(|q| q.id == id)
    }

    /// Paths of every page in a section and its sub-sections.
    pub fn pages_under(&self, section: NodeId) -> Vec<&str> {
        let mut out = Vec::new();
        let mut stack = vec![section];
        while let Some(id) = stack.pop() {
            match self.nodes.get(&id).map(|n| (&n.kind, n.path.as_str())) {
                Some((NodeKind::Section { children }, _)) => stack.extend(children.iter().copied()),
                Some((NodeKind::Page(_), path)) => out.push(path),
                None => {}
            }
        }
        out.sort_unstable();
        out
    }

    /// Number of pages (not sections).
    pub fn page_count(&self) -> usize {
        self.nodes
            .values()
            .filter(|n| matches!(n.kind, NodeKind::Page(_)))
            .count()
    }

    /// Titles from the top-level section down to `id`, for a screen's heading.
    pub fn breadcrumb(&self, id: NodeId, lang: Lang) -> Vec<&str> {
        breadcrumb(&self.nodes, id, lang)
    }

    /// Screens of buttons a section needs.
    pub fn section_pages(children: usize) -> usize {
        children.div_ceil(MENU_PAGE_SIZE).max(1)
    }
}

pub(super) fn breadcrumb(nodes: &HashMap<NodeId, Node>, id: NodeId, lang: Lang) -> Vec<&str> {
    let mut titles = Vec::new();
    let mut next = nodes.get(&id);
    while let Some(node) = next {
        titles.push(node.title.get(lang).as_str());
        next = node.parent.and_then(|p| nodes.get(&p));
    }
    titles.reverse();
    titles
}

/// The heading of a screen: the breadcrumb joined the way the engine shows it.
pub fn breadcrumb_line(titles: &[&str]) -> String {
    titles.join(" › ")
}

/// A page's rendered body cut into the parts its screens show, with the budget its
/// breadcrumb heading leaves: the one rule for pack pages and panel edits alike.
pub(super) fn page_parts(
    nodes: &HashMap<NodeId, Node>,
    id: NodeId,
    lang: Lang,
    whole: &Html,
) -> Result<Vec<Html>, SplitError> {
    let heading = breadcrumb_line(&breadcrumb(nodes, id, lang))
        .chars()
        .count();
    split(whole, part_budget(heading))
}

/// Characters a page part may have so that the heading, a blank line and the
/// "part 2 of 3" footer still fit in one message.
fn part_budget(breadcrumb_chars: usize) -> usize {
    const FOOTER_RESERVE: usize = 48;
    MESSAGE_LIMIT.saturating_sub(breadcrumb_chars + 2 + FOOTER_RESERVE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_kinds_parse_their_own_names_only() {
        for kind in [MediaKind::Photo, MediaKind::Video, MediaKind::Document] {
            assert_eq!(MediaKind::parse(kind.as_str()), Some(kind));
        }
        for other in ["", "picture", "Photo", "photo "] {
            assert_eq!(MediaKind::parse(other), None, "{other:?}");
        }
    }

    #[test]
    fn a_section_needs_one_screen_per_eight_buttons_and_at_least_one() {
        let screens: Vec<usize> = [0, 1, 8, 9, 16, 17]
            .into_iter()
            .map(ContentPack::section_pages)
            .collect();
        assert_eq!(screens, [1, 1, 1, 2, 2, 3]);
    }

    #[test]
    fn a_part_leaves_room_for_its_heading_a_blank_line_and_the_footer() {
        assert_eq!(part_budget(0), MESSAGE_LIMIT - 50);
        assert_eq!(part_budget(30), MESSAGE_LIMIT - 80);
        assert_eq!(part_budget(MESSAGE_LIMIT), 0, "never below zero");
    }
}
