//! The content pack: training material as data, validated when it is loaded.
//!
//! Folders are menu sections (each has a `_section.toml`), a page is Markdown with
//! TOML front matter and one body per language, a department's knowledge check is
//! `_quiz.toml`, and `pack.toml` names the parks and departments. The format is
//! described for authors in the README.
//!
//! Loading never stops at the first mistake: [`ContentPack::load`] returns every
//! [`Problem`] with its file and line, so `trainbot content check` can list them all
//! and the bot can refuse to start on a broken pack with the same report.
//!
//! # Layout
//! - `model`: the loaded pack (nodes, pages, media, parks, departments).
//! - `load`: reading and validating a pack folder.
//! - `overrides`: edits made in the admin panel, laid over a loaded pack.
//! - [`quiz`]: knowledge checks.
//! - `problem`: [`Problem`], one mistake in a pack.

mod load;
mod model;
mod overrides;
mod problem;
pub mod quiz;

pub use model::{
    BotProfile, CAPTION_LIMIT, ContentPack, Department, Localized, MENU_PAGE_SIZE, MESSAGE_LIMIT,
    Media, MediaKind, MediaSource, Node, NodeKind, Page, Park, breadcrumb_line,
};
pub use overrides::{EDIT_MAX_CHARS, EditProblem, PageEdit, PageField, PageOverride, Skipped};
pub use problem::Problem;
