//! Rows as either backend returns them, and their checked conversion into the
//! port's records. Times are read as [`Stamp`]s, so a row is the same type on
//! both backends.

pub(crate) mod access;
pub(crate) mod admin;
pub(crate) mod learning;
pub(crate) mod lookup;
pub(crate) mod personal_data;
pub(crate) mod roles;

use domain::ids::UserId;
use domain::lang::Lang;
use engine::ports::{Activity, ActivityKind, StorageError, UserRecord};

use crate::error::corrupt;
use crate::stamp::Stamp;

/// A `users` row, in the column order of `sql::USER`.
#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    pub id: i64,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: Option<String>,
    pub language: String,
    pub first_seen: Stamp,
    pub last_seen: Stamp,
    pub blocked: bool,
    pub inactive: bool,
}

/// An `activity` row, in the column order of `sql::RECENT_ACTIVITY`.
#[derive(sqlx::FromRow)]
pub(crate) struct ActivityRow {
    pub user_id: i64,
    pub kind: String,
    pub subject: Option<String>,
    pub at: Stamp,
}

impl UserRow {
    /// Converts the stored times with `time`, then checks the rest.
    pub fn into_record(self) -> Result<UserRecord, StorageError> {
        let language = Lang::from_code(&self.language).ok_or_else(|| {
            corrupt(format!(
                "user {} has unknown language `{}`",
                self.id, self.language
            ))
        })?;
        Ok(UserRecord {
            id: UserId(self.id),
            first_name: self.first_name,
            last_name: self.last_name,
            username: self.username,
            language,
            first_seen: self.first_seen.0,
            last_seen: self.last_seen.0,
            blocked: self.blocked,
            inactive: self.inactive,
        })
    }
}

impl ActivityRow {
    pub fn into_activity(self) -> Result<Activity, StorageError> {
        let kind = ActivityKind::parse(&self.kind).ok_or_else(|| {
            corrupt(format!(
                "activity of user {} has unknown kind `{}`",
                self.user_id, self.kind
            ))
        })?;
        Ok(Activity {
            user: UserId(self.user_id),
            kind,
            subject: self.subject,
            at: self.at.0,
        })
    }
}
