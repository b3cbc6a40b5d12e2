//! Edits made in the admin panel, laid over a loaded pack.
//!
//! An edit replaces one *field* of one page: its text in one language, or its
//! media. Edits are kept by the page's path (stable across reloads, unlike a
//! position in the tree), and the newest edit of each field wins. An edit's
//! Markdown goes through the same renderer, the same splitting and the same limits
//! as a page in the pack, so what the panel accepts is exactly what the loader
//! would accept.
//!
//! Applying edits never fails as a whole: an edit whose page is gone, or which a
//! new pack no longer accepts, is skipped and reported, and the rest apply.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::html::Html;
use crate::ids::NodeId;
use crate::lang::Lang;
use crate::render::{RenderError, render_markdown};
use crate::split::SplitError;

use super::model::{ContentPack, Media, MediaKind, MediaSource, NodeKind, page_parts};

/// The longest Markdown an edit may have, in characters: below the 4096 of a
/// message a person sends, because a longer text arrives cut at 4096 (Telegram
/// splits it, the input guard trims it), and a cut text must never be saved as if
/// it were whole.
pub const EDIT_MAX_CHARS: usize = 4000;

/// The part of a page an edit replaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PageField {
    Text(Lang),
    Media,
}

impl PageField {
    pub const ALL: [PageField; 3] = [
        PageField::Text(Lang::Ru),
        PageField::Text(Lang::En),
        PageField::Media,
    ];

    /// The stored name: `text:ru`, `text:en`, `media`.
    pub fn as_str(self) -> &'static str {
        match self {
            PageField::Text(Lang::Ru) => "text:ru",
            PageField::Text(Lang::En) => "text:en",
            PageField::Media => "media",
        }
    }

    pub fn parse(raw: &str) -> Option<PageField> {
        PageField::ALL.into_iter().find(|f| f.as_str() == raw)
    }

    /// One letter for callback data: `r`, `e`, `m`.
    pub(crate) fn code(self) -> char {
        match self {
            PageField::Text(Lang::Ru) => 'r',
            PageField::Text(Lang::En) => 'e',
            PageField::Media => 'm',
        }
    }

    pub(crate) fn from_code(code: &str) -> Option<PageField> {
        PageField::ALL
            .into_iter()
            .find(|f| code.len() == 1 && code.starts_with(f.code()))
    }
}

/// What an edit sets its field to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PageEdit {
    /// The pack's own text or media again.
    Pack,
    /// New Markdown for a text field.
    Text(String),
    /// A file the admin sent the bot, by its Telegram `file_id`.
    Media { kind: MediaKind, file_id: String },
    /// No media at all, whatever the pack has.
    NoMedia,
}

impl PageEdit {
    /// Whether this edit can be the value of `field` (text for a text field, media
    /// or none for the media field; the pack's own value for either).
    pub fn fits(&self, field: PageField) -> bool {
        matches!(
            (self, field),
            (PageEdit::Pack, _)
                | (PageEdit::Text(_), PageField::Text(_))
                | (PageEdit::Media { .. } | PageEdit::NoMedia, PageField::Media)
        )
    }
}

/// The newest edit of one field of one page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageOverride {
    /// The page's path in the pack (`bar/hot-drinks.md`).
    pub path: String,
    pub field: PageField,
    pub edit: PageEdit,
}

/// Why an edit's text cannot be a page's text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditProblem {
    #[error("the text is empty")]
    Empty,
    #[error("the text has {chars} characters; at most {max} are allowed")]
    TooLong { chars: usize, max: usize },
    #[error("{0}")]
    Markdown(RenderError),
    #[error("{0}")]
    Split(SplitError),
    #[error("there is no such page in the pack")]
    NoPage,
    #[error("this edit does not fit the {0} field")]
    WrongField(&'static str),
}

/// An edit that was not applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub path: String,
    pub field: PageField,
    pub problem: EditProblem,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.path,
            self.field.as_str(),
            self.problem
        )
    }
}

impl ContentPack {
    /// The parts of page `node`'s text in `lang` if its Markdown were `markdown`:
    /// rendered and split exactly as the loader does a page of the pack.
    pub fn page_text_parts(
        &self,
        node: NodeId,
        lang: Lang,
        markdown: &str,
    ) -> Result<Vec<Html>, EditProblem> {
        if !matches!(self.node(node).map(|n| &n.kind), Some(NodeKind::Page(_))) {
            return Err(EditProblem::NoPage);
        }
        let chars = markdown.chars().count();
        if chars > EDIT_MAX_CHARS {
            return Err(EditProblem::TooLong {
                chars,
                max: EDIT_MAX_CHARS,
            });
        }
        let whole = render_markdown(markdown).map_err(EditProblem::Markdown)?;
        if whole.is_empty() {
            return Err(EditProblem::Empty);
        }
        page_parts(&self.nodes, node, lang, &whole).map_err(EditProblem::Split)
    }

    /// This pack with one edit applied (`base` gives the pack's own values back for
    /// [`PageEdit::Pack`]).
    pub fn with_edit(
        &self,
        base: &ContentPack,
        path: &str,
        field: PageField,
        edit: &PageEdit,
    ) -> Result<ContentPack, EditProblem> {
        let mut pack = self.clone();
        pack.apply(base, path, field, edit)?;
        Ok(pack)
    }

    /// This pack (read from disk, no edits) with `overrides` applied: the newest
    /// edit of each field, as storage keeps them. Edits whose page is gone or which
    /// this pack does not accept are skipped and returned; the rest apply.
    pub fn with_overrides(&self, overrides: &[PageOverride]) -> (ContentPack, Vec<Skipped>) {
        let mut pack = self.clone();
        let mut skipped = Vec::new();
        for o in overrides {
            if let Err(problem) = pack.apply(self, &o.path, o.field, &o.edit) {
                skipped.push(Skipped {
                    path: o.path.clone(),
                    field: o.field,
                    problem,
                });
            }
        }
        (pack, skipped)
    }

    fn apply(
        &mut self,
        base: &ContentPack,
        path: &str,
        field: PageField,
        edit: &PageEdit,
    ) -> Result<(), EditProblem> {
        let id = NodeId::from_path(path);
        let Some(NodeKind::Page(original)) = base.node(id).map(|n| &n.kind) else {
            return Err(EditProblem::NoPage);
        };
        if !edit.fits(field) {
            return Err(EditProblem::WrongField(field.as_str()));
        }
        let text = match (field, edit) {
            (PageField::Text(lang), PageEdit::Text(markdown)) => {
                Some(self.page_text_parts(id, lang, markdown)?)
            }
            _ => None,
        };
        let Some(NodeKind::Page(page)) = self.nodes.get_mut(&id).map(|n| &mut n.kind) else {
            return Err(EditProblem::NoPage);
        };
        match (field, edit) {
            (PageField::Text(lang), PageEdit::Pack) => {
                *page.parts.get_mut(lang) = original.parts.get(lang).clone();
            }
            (PageField::Text(lang), _) => {
                *page.parts.get_mut(lang) = text.unwrap_or_default();
            }
            (PageField::Media, PageEdit::Pack) => page.media = original.media.clone(),
            (PageField::Media, PageEdit::Media { kind, file_id }) => {
                page.media = Some(Media {
                    kind: *kind,
                    source: MediaSource::Telegram {
                        file_id: file_id.clone(),
                    },
                });
            }
            (PageField::Media, _) => page.media = None,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn pack() -> ContentPack {
        ContentPack::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content"))
            .expect("the sample pack loads")
    }

    fn first_page(pack: &ContentPack) -> (NodeId, String) {
        let mut pages: Vec<_> = pack
            .nodes()
            .filter(|n| matches!(n.kind, NodeKind::Page(_)))
            .map(|n| (n.id, n.path.clone()))
            .collect();
        pages.sort_by(|a, b| a.1.cmp(&b.1));
        pages.swap_remove(0)
    }

    fn parts(pack: &ContentPack, id: NodeId, lang: Lang) -> Vec<Html> {
        match &pack.node(id).unwrap().kind {
            NodeKind::Page(p) => p.parts.get(lang).clone(),
            NodeKind::Section { .. } => panic!("a section"),
        }
    }

    fn text(path: &str, lang: Lang, markdown: &str) -> PageOverride {
        PageOverride {
            path: path.to_owned(),
            field: PageField::Text(lang),
            edit: PageEdit::Text(markdown.to_owned()),
        }
    }

    #[test]
    fn fields_round_trip_their_stored_names_and_codes() {
        for field in PageField::ALL {
            assert_eq!(PageField::parse(field.as_str()), Some(field));
            assert_eq!(PageField::from_code(&field.code().to_string()), Some(field));
        }
        assert_eq!(PageField::parse("text:de"), None);
        assert_eq!(PageField::from_code("rr"), None);
        assert_eq!(PageField::from_code(""), None);
    }

    #[test]
    fn an_edit_replaces_one_language_and_the_pack_value_comes_back() {
        let base = pack();
        let (id, path) = first_page(&base);
        let (edited, skipped) = base.with_overrides(&[text(&path, Lang::En, "**New** text")]);
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!(parts(&edited, id, Lang::En)[0].as_str(), "<b>New</b> text");
        assert_eq!(parts(&edited, id, Lang::Ru), parts(&base, id, Lang::Ru));
        let back = edited
            .with_edit(&base, &path, PageField::Text(Lang::En), &PageEdit::Pack)
            .unwrap();
        assert_eq!(parts(&back, id, Lang::En), parts(&base, id, Lang::En));
    }

    #[test]
    fn markup_is_refused_or_shown_literally() {
        let base = pack();
        let (id, _) = first_page(&base);
        assert!(matches!(
            base.page_text_parts(id, Lang::Ru, "<script>alert(1)</script>"),
            Err(EditProblem::Markdown(_))
        ));
        let shown = base.page_text_parts(id, Lang::Ru, r"\<b> & 5 < 6").unwrap();
        assert_eq!(shown[0].as_str(), "&lt;b&gt; &amp; 5 &lt; 6");
    }

    #[test]
    fn oversized_and_empty_texts_are_refused() {
        let base = pack();
        let (id, _) = first_page(&base);
        let long = "word ".repeat(1000);
        assert_eq!(
            base.page_text_parts(id, Lang::Ru, &long),
            Err(EditProblem::TooLong {
                chars: 5000,
                max: EDIT_MAX_CHARS
            })
        );
        assert_eq!(
            base.page_text_parts(id, Lang::Ru, "  \n "),
            Err(EditProblem::Empty)
        );
    }

    #[test]
    fn an_edit_of_exactly_the_limit_is_taken() {
        let base = pack();
        let (id, _) = first_page(&base);
        let at_limit = "word ".repeat(EDIT_MAX_CHARS / 5);
        assert_eq!(at_limit.chars().count(), EDIT_MAX_CHARS);
        assert!(base.page_text_parts(id, Lang::Ru, &at_limit).is_ok());
    }

    #[test]
    fn a_long_edit_is_split_like_a_pack_page() {
        let base = pack();
        let (id, _) = first_page(&base);
        let paragraph = format!("{}\n\n", "слово ".repeat(60));
        let source = paragraph.repeat(11);
        assert!(source.chars().count() <= EDIT_MAX_CHARS);
        let parts = base.page_text_parts(id, Lang::Ru, source.trim()).unwrap();
        assert!(!parts.is_empty());
        let budget = crate::content::MESSAGE_LIMIT;
        assert!(parts.iter().all(|p| p.text_len() < budget));
    }

    #[test]
    fn edits_of_missing_pages_or_the_wrong_field_are_skipped_not_fatal() {
        let base = pack();
        let (id, path) = first_page(&base);
        let overrides = [
            text("gone/away.md", Lang::Ru, "text"),
            PageOverride {
                path: path.clone(),
                field: PageField::Media,
                edit: PageEdit::Text("x".into()),
            },
            text(&path, Lang::Ru, "<b>raw</b>"),
            PageOverride {
                path: path.clone(),
                field: PageField::Media,
                edit: PageEdit::Media {
                    kind: MediaKind::Photo,
                    file_id: "AgAD-file".into(),
                },
            },
        ];
        let (edited, skipped) = base.with_overrides(&overrides);
        assert_eq!(skipped.len(), 3, "{skipped:?}");
        assert!(
            skipped[0]
                .to_string()
                .starts_with("gone/away.md (text:ru): "),
            "what the reload log says: {}",
            skipped[0]
        );
        assert_eq!(skipped[0].problem, EditProblem::NoPage);
        assert_eq!(skipped[1].problem, EditProblem::WrongField("media"));
        assert!(matches!(skipped[2].problem, EditProblem::Markdown(_)));
        let NodeKind::Page(page) = &edited.node(id).unwrap().kind else {
            panic!("a page")
        };
        let media = page.media.as_ref().unwrap();
        assert_eq!(
            media.source,
            MediaSource::Telegram {
                file_id: "AgAD-file".into()
            }
        );
        assert_eq!(media.cache_key(), None);
        assert_eq!(parts(&edited, id, Lang::Ru), parts(&base, id, Lang::Ru));
    }

    #[test]
    fn removing_media_and_going_back_to_the_pack() {
        let base = pack();
        let with_media = base
            .nodes()
            .find(|n| matches!(&n.kind, NodeKind::Page(p) if p.media.is_some()))
            .expect("the sample pack has a page with media");
        let (id, path) = (with_media.id, with_media.path.clone());
        let removed = base
            .with_edit(&base, &path, PageField::Media, &PageEdit::NoMedia)
            .unwrap();
        assert!(matches!(&removed.node(id).unwrap().kind, NodeKind::Page(p) if p.media.is_none()));
        let back = removed
            .with_edit(&base, &path, PageField::Media, &PageEdit::Pack)
            .unwrap();
        assert_eq!(back.node(id), base.node(id));
    }
}
