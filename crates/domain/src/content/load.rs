//! Reading a pack folder into a [`ContentPack`], collecting every problem.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::callback::{Callback, MAX_BYTES};
use crate::html::Html;
use crate::ids::NodeId;
use crate::lang::Lang;
use crate::render::render_markdown;

use super::model::{
    BotProfile, ContentPack, Department, Localized, Media, MediaKind, MediaSource, Node, NodeKind,
    Page, Park, page_parts,
};
use super::problem::Problem;
use super::quiz::load_quiz;

const SECTION_FILE: &str = "_section.toml";
const QUIZ_FILE: &str = "_quiz.toml";
const PACK_FILE: &str = "pack.toml";
/// Longest title, so that it fits a button.
const TITLE_MAX_CHARS: usize = 64;
const PHOTO_MAX_BYTES: u64 = 10 * 1024 * 1024;
const FILE_MAX_BYTES: u64 = 50 * 1024 * 1024;

/// A text given per language in TOML: `{ ru = "…", en = "…" }`. Missing languages
/// are reported as problems rather than parse errors, so they all show at once.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LocalizedText {
    pub(super) ru: Option<String>,
    pub(super) en: Option<String>,
}

impl LocalizedText {
    /// Both languages, non-empty, or a problem per missing one.
    pub(super) fn require(
        self,
        what: &str,
        report: &mut impl FnMut(String),
    ) -> Option<Localized<String>> {
        let mut take = |lang: Lang, value: Option<String>| match value.map(|v| v.trim().to_owned())
        {
            Some(v) if !v.is_empty() => Some(v),
            _ => {
                report(format!("{what}: missing translation ({lang})"));
                None
            }
        };
        let ru = take(Lang::Ru, self.ru);
        let en = take(Lang::En, self.en);
        Some(Localized { ru: ru?, en: en? })
    }
}

/// A problem for a TOML parse error at the right line; `first_line` is the
/// 0-based line of the file where `source` starts.
pub(super) fn toml_problem(
    rel: &Path,
    source: &str,
    first_line: usize,
    e: &toml::de::Error,
) -> Problem {
    let line = e
        .span()
        .map(|span| first_line + source[..span.start.min(source.len())].matches('\n').count() + 1);
    Problem::new(rel, line, e.message().to_owned())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    default_language: String,
    languages: Vec<String>,
    /// The bot's profile texts in Telegram.
    bot: Option<RawBot>,
    #[serde(default)]
    parks: Vec<RawPark>,
    #[serde(default)]
    departments: Vec<RawDepartment>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBot {
    description: LocalizedText,
    short_description: LocalizedText,
}

/// Telegram's limits on a bot's description and short description, in characters.
const DESCRIPTION_MAX: usize = 512;
const SHORT_DESCRIPTION_MAX: usize = 120;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPark {
    id: String,
    timezone: String,
    name: LocalizedText,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDepartment {
    id: String,
    section: String,
    name: LocalizedText,
    /// Sections whose pages the department must read (paths in the pack).
    #[serde(default)]
    required_sections: Vec<String>,
    /// Quizzes the department must pass.
    #[serde(default)]
    required_quizzes: Vec<String>,
    /// Days from registration to finish the required items.
    deadline_days: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    order: i64,
    title: LocalizedText,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFrontMatter {
    order: i64,
    title: LocalizedText,
    media: Option<RawMedia>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMedia {
    kind: RawMediaKind,
    file: String,
}

#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum RawMediaKind {
    Photo,
    Video,
    Document,
}

impl ContentPack {
    /// Loads and validates the pack in `dir`; on any problem, all of them, sorted by file and line.
    pub fn load(dir: &Path) -> Result<ContentPack, Vec<Problem>> {
        let mut loader = Loader {
            root: dir.to_path_buf(),
            canonical_root: dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()),
            problems: Vec::new(),
            nodes: HashMap::new(),
            paths: HashMap::new(),
            quizzes: Vec::new(),
            unsplit: Vec::new(),
        };
        if !dir.is_dir() {
            return Err(vec![Problem::new(
                dir,
                None,
                "the content folder does not exist or is not a folder",
            )]);
        }
        let pack = loader.pack_file();
        let mut top_level = Vec::new();
        for entry in sorted_entries(dir, &mut loader.problems, Path::new("")) {
            if entry.is_dir() && entry.join(SECTION_FILE).is_file() {
                let rel = file_name(&entry);
                if let Some(id) = loader.section(&entry, &rel, None) {
                    top_level.push(id);
                }
            } else if entry.is_dir() && contains_pages(&entry) {
                loader.problems.push(Problem::new(
                    file_name(&entry),
                    None,
                    "this folder has pages but no _section.toml, so nobody can reach them",
                ));
            } else if entry.is_file() && entry.extension().is_some_and(|e| e == "md") {
                loader.problems.push(Problem::new(
                    file_name(&entry),
                    None,
                    "a page must sit in a section folder (a folder with _section.toml), not at the top",
                ));
            } else if entry.is_file()
                && entry.extension().is_some_and(|e| e == "toml")
                && file_name(&entry) != PACK_FILE
            {
                loader.problems.push(Problem::new(
                    file_name(&entry),
                    None,
                    "unknown TOML file at the top: sections and quizzes belong in a section folder",
                ));
            }
        }
        if top_level.is_empty() {
            loader.problems.push(Problem::new(
                PACK_FILE,
                None,
                "the pack has no sections: make a folder with a _section.toml next to pack.toml",
            ));
        }
        loader.sort_children(&mut top_level);
        let departments = pack
            .as_ref()
            .map(|p| loader.departments(&p.departments))
            .unwrap_or_default();
        loader.split_pages();
        loader.check_callbacks();
        let Loader {
            mut problems,
            nodes,
            quizzes,
            ..
        } = loader;
        if !problems.is_empty() {
            problems.sort();
            problems.dedup();
            return Err(problems);
        }
        let Some(pack) = pack else {
            return Err(vec![Problem::new(
                PACK_FILE,
                None,
                "pack.toml could not be read",
            )]);
        };
        Ok(ContentPack {
            root: dir.to_path_buf(),
            default_language: pack.default_language,
            bot: pack.bot,
            parks: pack.parks,
            departments,
            nodes,
            top_level,
            quizzes,
        })
    }
}

struct PackFile {
    default_language: Lang,
    bot: Option<BotProfile>,
    parks: Vec<Park>,
    departments: Vec<RawDepartment>,
}

struct Loader {
    root: PathBuf,
    canonical_root: PathBuf,
    problems: Vec<Problem>,
    nodes: HashMap<NodeId, Node>,
    /// Which path took each id, to report collisions.
    paths: HashMap<NodeId, String>,
    quizzes: Vec<super::quiz::Quiz>,
    /// Pages still in one piece, with the file line of each language's body.
    unsplit: Vec<(NodeId, [usize; 2])>,
}

impl Loader {
    fn report(
        &mut self,
        file: impl Into<PathBuf>,
        line: Option<usize>,
        message: impl Into<String>,
    ) {
        self.problems.push(Problem::new(file, line, message));
    }

    fn read(&mut self, path: &Path, rel: &Path) -> Option<String> {
        match fs::read_to_string(path) {
            Ok(s) => Some(s),
            Err(e) => {
                self.report(rel, None, format!("cannot read the file: {e}"));
                None
            }
        }
    }

    fn pack_file(&mut self) -> Option<PackFile> {
        let rel = Path::new(PACK_FILE);
        let path = self.root.join(rel);
        if !path.is_file() {
            self.report(rel, None, "missing: every pack needs a pack.toml (default_language, languages, parks, departments)");
            return None;
        }
        let source = self.read(&path, rel)?;
        let raw: RawPack = match toml::from_str(&source) {
            Ok(raw) => raw,
            Err(e) => {
                self.problems.push(toml_problem(rel, &source, 0, &e));
                return None;
            }
        };
        let default_language = Lang::from_code(&raw.default_language);
        if default_language.is_none() {
            self.report(
                rel,
                None,
                format!(
                    "default_language `{}` is not supported; use ru or en",
                    raw.default_language
                ),
            );
        }
        for lang in Lang::ALL {
            if !raw.languages.iter().any(|l| l == lang.code()) {
                self.report(
                    rel,
                    None,
                    format!(
                        "languages must include `{lang}`: trainbot shows every page in ru and en"
                    ),
                );
            }
        }
        for l in &raw.languages {
            if Lang::from_code(l).is_none() {
                self.report(
                    rel,
                    None,
                    format!("language `{l}` is not supported; use ru and en"),
                );
            }
        }
        let mut parks = Vec::new();
        let mut park_ids = HashSet::new();
        for p in raw.parks {
            let mut msgs = Vec::new();
            let name = p
                .name
                .require(&format!("park `{}` name", p.id), &mut |m| msgs.push(m));
            if crate::callback::Slug::parse(&p.id).is_none() {
                msgs.push(format!(
                    "park id `{}` must be 1-32 of a-z, 0-9 and -, starting with a letter or digit",
                    p.id
                ));
            }
            if !park_ids.insert(p.id.clone()) {
                msgs.push(format!("park id `{}` is used twice", p.id));
            }
            if !looks_like_timezone(&p.timezone) {
                msgs.push(format!(
                    "park `{}`: timezone `{}` is not an IANA name like Europe/Moscow",
                    p.id, p.timezone
                ));
            }
            for m in msgs {
                self.report(rel, None, m);
            }
            if let Some(name) = name {
                parks.push(Park {
                    id: p.id,
                    timezone: p.timezone,
                    name,
                });
            }
        }
        let bot = raw.bot.and_then(|b| self.bot_profile(rel, b));
        Some(PackFile {
            default_language: default_language.unwrap_or(Lang::Ru),
            bot,
            parks,
            departments: raw.departments,
        })
    }

    /// The `[bot]` table: both texts in both languages, within Telegram's limits.
    fn bot_profile(&mut self, rel: &Path, raw: RawBot) -> Option<BotProfile> {
        let mut msgs = Vec::new();
        let mut text = |what: &str, value: LocalizedText, max: usize| {
            let text = value.require(&format!("bot {what}"), &mut |m| msgs.push(m))?;
            for lang in Lang::ALL {
                let chars = text.get(lang).chars().count();
                if chars > max {
                    msgs.push(format!(
                        "bot {what} ({lang}) has {chars} characters; Telegram allows at most {max}"
                    ));
                }
            }
            Some(text)
        };
        let description = text("description", raw.description, DESCRIPTION_MAX);
        let short_description = text(
            "short_description",
            raw.short_description,
            SHORT_DESCRIPTION_MAX,
        );
        let ok = msgs.is_empty();
        for m in msgs {
            self.report(rel, None, m);
        }
        Some(BotProfile {
            description: description?,
            short_description: short_description?,
        })
        .filter(|_| ok)
    }

    fn departments(&mut self, raw: &[RawDepartment]) -> Vec<Department> {
        let rel = Path::new(PACK_FILE);
        let mut out = Vec::new();
        let mut ids = HashSet::new();
        for d in raw {
            let mut msgs = Vec::new();
            let name = LocalizedText {
                ru: d.name.ru.clone(),
                en: d.name.en.clone(),
            }
            .require(&format!("department `{}` name", d.id), &mut |m| {
                msgs.push(m)
            });
            if crate::callback::Slug::parse(&d.id).is_none() {
                msgs.push(format!("department id `{}` must be 1-32 of a-z, 0-9 and -, starting with a letter or digit", d.id));
            }
            if !ids.insert(d.id.clone()) {
                msgs.push(format!("department id `{}` is used twice", d.id));
            }
            let section = NodeId::from_path(&d.section);
            let is_top_section = self
                .nodes
                .get(&section)
                .is_some_and(|n| n.parent.is_none() && matches!(n.kind, NodeKind::Section { .. }));
            if !is_top_section {
                msgs.push(format!(
                    "department `{}`: section `{}` is not a top-level section folder",
                    d.id, d.section
                ));
            }
            let mut required_sections = Vec::new();
            for path in &d.required_sections {
                let id = NodeId::from_path(path);
                match self.nodes.get(&id) {
                    Some(n) if matches!(n.kind, NodeKind::Section { .. }) => {
                        required_sections.push(id)
                    }
                    _ => msgs.push(format!(
                        "department `{}`: required section `{path}` is not a section folder",
                        d.id
                    )),
                }
            }
            for quiz in &d.required_quizzes {
                if !self.quizzes.iter().any(|q| &q.id == quiz) {
                    msgs.push(format!(
                        "department `{}`: required quiz `{quiz}` does not exist",
                        d.id
                    ));
                }
            }
            if d.deadline_days == Some(0) {
                msgs.push(format!(
                    "department `{}`: deadline_days must be at least 1",
                    d.id
                ));
            }
            for m in msgs {
                self.report(rel, None, m);
            }
            if let (Some(name), true) = (name, is_top_section) {
                out.push(Department {
                    id: d.id.clone(),
                    section,
                    name,
                    required_sections,
                    required_quizzes: d.required_quizzes.clone(),
                    deadline_days: d.deadline_days,
                });
            }
        }
        out
    }

    fn claim_id(&mut self, rel: &str) -> NodeId {
        let id = NodeId::from_path(rel);
        if let Some(other) = self.paths.insert(id, rel.to_owned()) {
            self.report(
                rel,
                None,
                format!("its id collides with `{other}`; rename one of them"),
            );
        }
        id
    }

    fn title(&mut self, raw: LocalizedText, rel: &Path) -> Option<Localized<String>> {
        let mut msgs = Vec::new();
        let title = raw.require("title", &mut |m| msgs.push(m));
        if let Some(t) = &title {
            for (lang, v) in [(Lang::Ru, &t.ru), (Lang::En, &t.en)] {
                let n = v.chars().count();
                if n > TITLE_MAX_CHARS {
                    msgs.push(format!(
                        "title ({lang}) has {n} characters; a button fits {TITLE_MAX_CHARS}"
                    ));
                }
            }
        }
        for m in msgs {
            self.report(rel, None, m);
        }
        title
    }

    /// Loads a section folder and everything below it.
    fn section(&mut self, dir: &Path, rel: &str, parent: Option<NodeId>) -> Option<NodeId> {
        let section_rel = PathBuf::from(rel).join(SECTION_FILE);
        let source = self.read(&dir.join(SECTION_FILE), &section_rel)?;
        let raw: Option<RawSection> = match toml::from_str(&source) {
            Ok(raw) => Some(raw),
            Err(e) => {
                self.problems
                    .push(toml_problem(&section_rel, &source, 0, &e));
                None
            }
        };
        let id = self.claim_id(rel);
        let mut children = Vec::new();
        // Pages and sub-sections found, loaded or not: a section whose only page is
        // broken is not "empty", it has a broken page (reported on its own).
        let mut entries_found = 0;
        for entry in sorted_entries(dir, &mut self.problems, Path::new(rel)) {
            let name = file_name(&entry);
            let child_rel = format!("{rel}/{name}");
            if entry.is_dir() {
                if entry.join(SECTION_FILE).is_file() {
                    entries_found += 1;
                    children.extend(self.section(&entry, &child_rel, Some(id)));
                } else if contains_pages(&entry) {
                    self.report(
                        &child_rel,
                        None,
                        "this folder has pages but no _section.toml, so nobody can reach them",
                    );
                }
            } else if name == QUIZ_FILE {
                if let Some(source) = self.read(&entry, Path::new(&child_rel))
                    && let Some(quiz) = load_quiz(
                        &source,
                        Path::new(&child_rel),
                        dir,
                        rel,
                        &self.canonical_root,
                        &mut self.problems,
                    )
                {
                    if self.quizzes.iter().any(|q| q.id == quiz.id) {
                        self.report(
                            &child_rel,
                            None,
                            format!("quiz id `{}` is used twice in the pack", quiz.id),
                        );
                    }
                    self.quizzes.push(quiz);
                }
            } else if name.ends_with(".md") {
                entries_found += 1;
                if !is_slug(name.trim_end_matches(".md")) {
                    self.report(
                        &child_rel,
                        None,
                        "page file names must be lowercase a-z, 0-9 and - (they become stable ids)",
                    );
                }
                children.extend(self.page(&entry, &child_rel, id));
            } else if name.ends_with(".toml") && name != SECTION_FILE {
                self.report(
                    &child_rel,
                    None,
                    "unknown TOML file: sections use _section.toml, quizzes _quiz.toml",
                );
            }
        }
        if entries_found == 0 {
            self.report(
                &section_rel,
                None,
                "the section is empty: add a page (NAME.md) or a sub-section",
            );
        }
        let raw = raw?;
        let title = self.title(raw.title, &section_rel)?;
        self.sort_children(&mut children);
        self.nodes.insert(
            id,
            Node {
                id,
                path: rel.to_owned(),
                parent,
                title,
                order: raw.order,
                kind: NodeKind::Section { children },
            },
        );
        Some(id)
    }

    fn page(&mut self, path: &Path, rel: &str, parent: NodeId) -> Option<NodeId> {
        let rel_path = PathBuf::from(rel);
        let source = self.read(path, &rel_path)?;
        let doc = match split_page(&source) {
            Ok(doc) => doc,
            Err((line, msg)) => {
                self.report(&rel_path, line, msg);
                return None;
            }
        };
        let front: RawFrontMatter = match toml::from_str(doc.front_matter) {
            Ok(f) => f,
            Err(e) => {
                self.problems
                    .push(toml_problem(&rel_path, doc.front_matter, 1, &e));
                return None;
            }
        };
        let id = self.claim_id(rel);
        let title = self.title(front.title, &rel_path);
        let media = front.media.and_then(|m| self.media(m, path, &rel_path));
        let mut rendered: HashMap<Lang, (Html, usize)> = HashMap::new();
        for lang in Lang::ALL {
            let Some(body) = doc.bodies.iter().find(|b| b.lang == lang) else {
                self.report(
                    &rel_path,
                    None,
                    format!("missing translation: no `::: {lang}` body"),
                );
                continue;
            };
            match render_markdown(body.text) {
                Ok(html) if html.is_empty() => {
                    self.report(
                        &rel_path,
                        Some(body.first_line),
                        format!("({lang}) the page body is empty"),
                    );
                }
                Ok(html) => {
                    rendered.insert(lang, (html, body.first_line));
                }
                Err(e) => {
                    self.report(
                        &rel_path,
                        Some(body.first_line + e.line),
                        format!("({lang}) {}", e.kind),
                    );
                }
            }
        }
        let (Some(title), Some((ru, ru_line)), Some((en, en_line))) = (
            title,
            rendered.remove(&Lang::Ru),
            rendered.remove(&Lang::En),
        ) else {
            return None;
        };
        // Split once the whole tree is known: the budget depends on the breadcrumb.
        self.unsplit.push((id, [ru_line, en_line]));
        let (ru, en) = (vec![ru], vec![en]);
        self.nodes.insert(
            id,
            Node {
                id,
                path: rel.to_owned(),
                parent: Some(parent),
                title,
                order: front.order,
                kind: NodeKind::Page(Page {
                    parts: Localized { ru, en },
                    media,
                }),
            },
        );
        Some(id)
    }

    /// Cuts every page into message-sized parts, now that every heading is known.
    fn split_pages(&mut self) {
        for (id, lines) in std::mem::take(&mut self.unsplit) {
            let Some(node) = self.nodes.get(&id) else {
                continue;
            };
            let NodeKind::Page(page) = &node.kind else {
                continue;
            };
            let mut cut = Vec::new();
            for (i, lang) in Lang::ALL.into_iter().enumerate() {
                let Some(whole) = page.parts.get(lang).first() else {
                    continue;
                };
                match page_parts(&self.nodes, id, lang, whole) {
                    Ok(parts) => cut.push((lang, parts)),
                    Err(e) => self.problems.push(Problem::new(
                        &node.path,
                        Some(lines[i]),
                        format!("({lang}) the page is too long to split: {e}"),
                    )),
                }
            }
            if let Some(NodeKind::Page(page)) = self.nodes.get_mut(&id).map(|n| &mut n.kind) {
                for (lang, parts) in cut {
                    *page.parts.get_mut(lang) = parts;
                }
            }
        }
    }

    fn media(&mut self, raw: RawMedia, page: &Path, rel: &Path) -> Option<Media> {
        let dir = page.parent().unwrap_or(&self.root).to_path_buf();
        let kind = match raw.kind {
            RawMediaKind::Photo => MediaKind::Photo,
            RawMediaKind::Video => MediaKind::Video,
            RawMediaKind::Document => MediaKind::Document,
        };
        let mut found = Vec::new();
        let media = media_file(kind, &raw.file, &dir, &self.canonical_root, &mut |m| {
            found.push(m)
        });
        for m in found {
            self.report(rel, None, m);
        }
        media
    }

    fn sort_children(&self, children: &mut [NodeId]) {
        children.sort_by_key(|id| {
            self.nodes
                .get(id)
                .map(|n| (n.order, n.path.clone()))
                .unwrap_or((i64::MAX, String::new()))
        });
    }

    /// Every button the pack can produce must encode within Telegram's 64 bytes.
    fn check_callbacks(&mut self) {
        let mut too_long = Vec::new();
        for node in self.nodes.values() {
            let last_index = match &node.kind {
                NodeKind::Section { children } => ContentPack::section_pages(children.len()),
                NodeKind::Page(p) => p.parts.ru.len().max(p.parts.en.len()),
            };
            let index = u16::try_from(last_index).unwrap_or(u16::MAX);
            for cb in [
                Callback::Open(node.id),
                Callback::SectionPage {
                    node: node.id,
                    page: index,
                },
                Callback::PagePart {
                    node: node.id,
                    part: index,
                },
            ] {
                let data = cb.encode();
                if data.len() > MAX_BYTES {
                    too_long.push((node.path.clone(), data));
                }
            }
            if last_index > usize::from(u16::MAX) {
                too_long.push((node.path.clone(), format!("{last_index} screens")));
            }
        }
        for (path, data) in too_long {
            self.report(
                path,
                None,
                format!("a button's callback data `{data}` would exceed {MAX_BYTES} bytes"),
            );
        }
    }
}

struct Body<'a> {
    lang: Lang,
    text: &'a str,
    /// 0-based line of the file where the body's text starts, minus one; a render
    /// error's 1-based line added to it gives the file line.
    first_line: usize,
}

struct PageDoc<'a> {
    front_matter: &'a str,
    bodies: Vec<Body<'a>>,
}

/// Cuts a page file into its front matter and language bodies.
fn split_page(source: &str) -> Result<PageDoc<'_>, (Option<usize>, String)> {
    let lines: Vec<(usize, &str)> = line_offsets(source);
    let is_fence = |l: &str| l.trim_end() == "+++";
    if !lines.first().is_some_and(|(_, l)| is_fence(l)) {
        return Err((
            Some(1),
            "a page must start with a `+++` line, then TOML front matter, then `+++`".to_owned(),
        ));
    }
    let Some(close) = lines
        .iter()
        .skip(1)
        .position(|(_, l)| is_fence(l))
        .map(|i| i + 1)
    else {
        return Err((
            Some(1),
            "the front matter is not closed: add a `+++` line after it".to_owned(),
        ));
    };
    let fm_start = lines[0].0 + lines[0].1.len() + 1;
    let front_matter = &source[fm_start.min(source.len())..lines[close].0];
    let mut bodies: Vec<Body<'_>> = Vec::new();
    let mut current: Option<(Lang, usize, usize)> = None; // lang, byte start, line index
    let mut seen = HashSet::new();
    fn finish<'a>(
        source: &'a str,
        cur: Option<(Lang, usize, usize)>,
        end: usize,
        bodies: &mut Vec<Body<'a>>,
    ) {
        if let Some((lang, start, line)) = cur {
            bodies.push(Body {
                lang,
                text: &source[start.min(end)..end],
                first_line: line + 1,
            });
        }
    }
    for (i, (offset, line)) in lines.iter().enumerate().skip(close + 1) {
        let trimmed = line.trim_end();
        if let Some(code) = trimmed.strip_prefix(":::") {
            let code = code.trim();
            let Some(lang) = Lang::from_code(code) else {
                return Err((
                    Some(i + 1),
                    format!("unknown language `{code}` after `:::`; use ru or en"),
                ));
            };
            if !seen.insert(lang) {
                return Err((Some(i + 1), format!("the `::: {lang}` body appears twice")));
            }
            finish(source, current.take(), *offset, &mut bodies);
            current = Some((lang, (offset + line.len() + 1).min(source.len()), i));
        } else if current.is_none() && !trimmed.is_empty() {
            return Err((
                Some(i + 1),
                "text after the front matter must start with a `::: ru` line".to_owned(),
            ));
        }
    }
    finish(source, current, source.len(), &mut bodies);
    Ok(PageDoc {
        front_matter,
        bodies,
    })
}

/// Each line with its byte offset.
fn line_offsets(source: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in source.split('\n') {
        out.push((offset, line.strip_suffix('\r').unwrap_or(line)));
        offset += line.len() + 1;
    }
    out
}

fn sorted_entries(dir: &Path, problems: &mut Vec<Problem>, rel: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(Result::ok).map(|e| e.path()).collect(),
        Err(e) => {
            problems.push(Problem::new(
                rel,
                None,
                format!("cannot list the folder: {e}"),
            ));
            return Vec::new();
        }
    };
    entries.retain(|p| !file_name(p).starts_with('.'));
    entries.sort();
    entries
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn contains_pages(dir: &Path) -> bool {
    fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .any(|e| e.path().extension().is_some_and(|x| x == "md"))
        })
        .unwrap_or(false)
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn looks_like_timezone(tz: &str) -> bool {
    tz == "UTC"
        || tz.split_once('/').is_some_and(|(area, city)| {
            !area.is_empty()
                && !city.is_empty()
                && tz
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"/_-+".contains(&b))
        })
}

/// A media file referenced from `dir` (a page's or a quiz's folder), checked: it
/// exists inside the pack, has a type Telegram takes for `kind`, is not empty and
/// not too big. Problems go to `report`; the file's content hash is its cache key.
pub(super) fn media_file(
    kind: MediaKind,
    file: &str,
    dir: &Path,
    canonical_root: &Path,
    report: &mut dyn FnMut(String),
) -> Option<Media> {
    let Ok(canonical) = dir.join(file).canonicalize() else {
        report(format!("media file `{file}` does not exist"));
        return None;
    };
    if !canonical.starts_with(canonical_root) {
        report(format!("media file `{file}` is outside the content folder"));
        return None;
    }
    let bytes = match fs::read(&canonical) {
        Ok(b) => b,
        Err(e) => {
            report(format!("media file `{file}` cannot be read: {e}"));
            return None;
        }
    };
    let ext = canonical
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let (allowed, limit): (&[&str], u64) = match kind {
        MediaKind::Photo => (&["jpg", "jpeg", "png", "webp"], PHOTO_MAX_BYTES),
        MediaKind::Video => (&["mp4", "mov"], FILE_MAX_BYTES),
        MediaKind::Document => (&[], FILE_MAX_BYTES),
    };
    if !allowed.is_empty() && !allowed.contains(&ext.as_str()) {
        report(format!(
            "media `{file}` is a {}, which must be one of: {}",
            kind.as_str(),
            allowed.join(", ")
        ));
    }
    if bytes.len() as u64 > limit {
        report(format!(
            "media `{file}` is {} bytes; Telegram accepts at most {limit} for a {}",
            bytes.len(),
            kind.as_str()
        ));
    }
    if bytes.is_empty() {
        report(format!("media `{file}` is empty"));
    }
    let digest = Sha256::digest(&bytes);
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    Some(Media {
        kind,
        source: MediaSource::File {
            file_name: file_name(&canonical),
            path: canonical,
            cache_key: format!("{}:{hex}", kind.as_str()),
        },
    })
}
