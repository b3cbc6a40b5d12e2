//! The content port ([`engine::ports::ContentStore`]: page versions made in the
//! admin panel, reloads, the content generation), written once for both backends
//! with its statements and rows.
//!
//! A version's value is stored as `value` (`pack`, `text`, `media`, `none`), with
//! the Markdown or the Telegram `file_id` in `body` and the file's kind in
//! `media_kind`; the table's checks keep the three consistent.

use domain::content::{MediaKind, PageEdit, PageField, PageOverride};
use domain::ids::UserId;
use engine::ports::{PageVersion, StorageError};

use crate::error::corrupt;

pub(crate) const ADD_VERSION: &str = "INSERT INTO content_overrides \
     (path, field, value, body, media_kind, author, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";

/// Columns in the order of [`VersionRow`].
macro_rules! version_columns {
    () => {
        "SELECT id, path, field, value, body, media_kind, author, created_at \
         FROM content_overrides "
    };
}

/// The newest version of each (path, field), oldest first.
pub(crate) const CURRENT: &str = concat!(
    version_columns!(),
    "WHERE id IN (SELECT MAX(id) FROM content_overrides GROUP BY path, field) ORDER BY id"
);

/// `$1` path, `$2` the exclusive upper bound of the id, `$3` the page size.
pub(crate) const PAGE_VERSIONS: &str = concat!(
    version_columns!(),
    "WHERE path = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
);

pub(crate) const VERSION: &str = concat!(version_columns!(), "WHERE id = $1");

pub(crate) const ADD_RELOAD: &str =
    "INSERT INTO content_reloads (requested_by, requested_at) VALUES ($1, $2) RETURNING id";

/// Row counts rather than the highest ids: rows are never deleted, so a count
/// grows with every committed insert, even one that commits after a later id.
pub(crate) const GENERATION: &str = "SELECT (SELECT COUNT(*) FROM content_overrides), \
     (SELECT COUNT(*) FROM content_reloads)";

/// A `content_overrides` row, in the column order of `version_columns!`.
#[derive(sqlx::FromRow)]
pub(crate) struct VersionRow {
    pub id: i64,
    pub path: String,
    pub field: String,
    pub value: String,
    pub body: Option<String>,
    pub media_kind: Option<String>,
    pub author: i64,
    pub created_at: Stamp,
}

/// How an edit is stored: `(value, body, media_kind)`.
pub(crate) fn stored_edit(edit: &PageEdit) -> (&'static str, Option<&str>, Option<&'static str>) {
    match edit {
        PageEdit::Pack => ("pack", None, None),
        PageEdit::Text(markdown) => ("text", Some(markdown), None),
        PageEdit::Media { kind, file_id } => ("media", Some(file_id), Some(kind.as_str())),
        PageEdit::NoMedia => ("none", None, None),
    }
}

impl VersionRow {
    fn field_and_edit(&self) -> Result<(PageField, PageEdit), StorageError> {
        let id = self.id;
        let field = PageField::parse(&self.field)
            .ok_or_else(|| corrupt(format!("content version {id}: field {:?}", self.field)))?;
        let edit = match (self.value.as_str(), &self.body, &self.media_kind) {
            ("pack", None, None) => PageEdit::Pack,
            ("none", None, None) => PageEdit::NoMedia,
            ("text", Some(markdown), None) => PageEdit::Text(markdown.clone()),
            ("media", Some(file_id), Some(kind)) => PageEdit::Media {
                kind: MediaKind::parse(kind)
                    .ok_or_else(|| corrupt(format!("content version {id}: media kind {kind:?}")))?,
                file_id: file_id.clone(),
            },
            (value, _, _) => {
                return Err(corrupt(format!("content version {id}: value {value:?}")));
            }
        };
        if !edit.fits(field) {
            return Err(corrupt(format!(
                "content version {id}: a {} value for the {} field",
                self.value, self.field
            )));
        }
        Ok((field, edit))
    }

    pub fn into_override(self) -> Result<PageOverride, StorageError> {
        let (field, edit) = self.field_and_edit()?;
        Ok(PageOverride {
            path: self.path,
            field,
            edit,
        })
    }

    pub fn into_version(self) -> Result<PageVersion, StorageError> {
        let (field, edit) = self.field_and_edit()?;
        Ok(PageVersion {
            id: self.id,
            path: self.path,
            field,
            edit,
            author: UserId(self.author),
            at: self.created_at.0,
        })
    }
}

use crate::stamp::Stamp;
use crate::store::on_every_backend;
use engine::ports::ContentStore;

on_every_backend! {
    impl ContentStore {
        async fn add_page_version(
            &self,
            version: &engine::ports::NewPageVersion,
        ) -> Result<i64, engine::ports::StorageError> {
            let (value, body, media_kind) = crate::content::stored_edit(&version.edit);
            sqlx::query_scalar(crate::content::ADD_VERSION)
                .bind(&version.path)
                .bind(version.field.as_str())
                .bind(value)
                .bind(body)
                .bind(media_kind)
                .bind(version.author.0)
                .bind(Stamp(version.at))
                .fetch_one(DB::on(&self.pool))
                .await
                .map_err(crate::error::storage_error)
        }

        async fn current_overrides(
            &self,
        ) -> Result<Vec<domain::content::PageOverride>, engine::ports::StorageError> {
            sqlx::query_as::<_, crate::content::VersionRow>(crate::content::CURRENT)
                .fetch_all(DB::on(&self.pool))
                .await
                .map_err(crate::error::storage_error)?
                .into_iter()
                .map(crate::content::VersionRow::into_override)
                .collect()
        }

        async fn page_versions(
            &self,
            path: &str,
            before: Option<i64>,
            limit: u32,
        ) -> Result<Vec<engine::ports::PageVersion>, engine::ports::StorageError> {
            sqlx::query_as::<_, crate::content::VersionRow>(
                crate::content::PAGE_VERSIONS,
            )
            .bind(path)
            .bind(before.unwrap_or(i64::MAX))
            .bind(i64::from(limit))
            .fetch_all(DB::on(&self.pool))
            .await
            .map_err(crate::error::storage_error)?
            .into_iter()
            .map(|row| row.into_version())
            .collect()
        }

        async fn page_version(
            &self,
            id: i64,
        ) -> Result<Option<engine::ports::PageVersion>, engine::ports::StorageError> {
            sqlx::query_as::<_, crate::content::VersionRow>(crate::content::VERSION)
                .bind(id)
                .fetch_optional(DB::on(&self.pool))
                .await
                .map_err(crate::error::storage_error)?
                .map(|row| row.into_version())
                .transpose()
        }

        async fn record_content_reload(
            &self,
            by: domain::ids::UserId,
            at: time::OffsetDateTime,
        ) -> Result<i64, engine::ports::StorageError> {
            sqlx::query_scalar(crate::content::ADD_RELOAD)
                .bind(by.0)
                .bind(Stamp(at))
                .fetch_one(DB::on(&self.pool))
                .await
                .map_err(crate::error::storage_error)
        }

        async fn content_generation(
            &self,
        ) -> Result<engine::ports::ContentGeneration, engine::ports::StorageError> {
            let (versions, reloads): (i64, i64) = sqlx::query_as(crate::content::GENERATION)
                .fetch_one(DB::on(&self.pool))
                .await
                .map_err(crate::error::storage_error)?;
            Ok(engine::ports::ContentGeneration { versions, reloads })
        }
    }
}
