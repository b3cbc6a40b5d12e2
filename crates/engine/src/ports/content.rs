//! What content editing needs from storage: every change to a page as a version,
//! and a generation that tells each replica when its content is out of date.
//!
//! A version is never changed or deleted: a revert is a new version that copies an
//! old one (or goes back to the pack's own value), so the history is complete.
//! Versions are keyed by the page's path in the pack, which survives reloads.

use async_trait::async_trait;
use domain::content::{PageEdit, PageField, PageOverride};
use domain::ids::UserId;
use time::OffsetDateTime;

use super::StorageError;

/// A change to one field of one page to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPageVersion {
    pub path: String,
    pub field: PageField,
    pub edit: PageEdit,
    pub author: UserId,
    pub at: OffsetDateTime,
}

/// A stored change; ids grow with every change, across all pages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageVersion {
    pub id: i64,
    pub path: String,
    pub field: PageField,
    pub edit: PageEdit,
    pub author: UserId,
    pub at: OffsetDateTime,
}

/// How far the stored content has moved: the newest version and the newest
/// "reload from disk". A replica whose last applied generation differs rebuilds
/// its content; one whose `reloads` differs reads its pack from disk first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ContentGeneration {
    pub versions: i64,
    pub reloads: i64,
}

#[async_trait]
pub trait ContentStore: Send + Sync + 'static {
    /// Stores a change; returns its version id.
    async fn add_page_version(&self, version: &NewPageVersion) -> Result<i64, StorageError>;

    /// The newest version of every (page, field) that has one, oldest first: what
    /// to lay over the pack. Fields back at the pack's value come as
    /// [`PageEdit::Pack`].
    async fn current_overrides(&self) -> Result<Vec<PageOverride>, StorageError>;

    /// A page's versions older than `before` (all when `None`), newest first.
    async fn page_versions(
        &self,
        path: &str,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<PageVersion>, StorageError>;

    async fn page_version(&self, id: i64) -> Result<Option<PageVersion>, StorageError>;

    /// Records a successful reload from disk, so the other replicas reload too.
    async fn record_content_reload(
        &self,
        by: UserId,
        at: OffsetDateTime,
    ) -> Result<i64, StorageError>;

    async fn content_generation(&self) -> Result<ContentGeneration, StorageError>;
}
