//! The storage port on SQLite.
//!
//! Times are stored as INTEGER microseconds since the Unix epoch (UTC): they
//! compare and sort as numbers, index compactly, and keep the precision PostgreSQL
//! keeps. sqlx's own `OffsetDateTime` text encoding is not used because text with a
//! varying number of fraction digits does not sort as time.

mod access;
mod admin;
mod broadcast;
mod content;
mod learning;
mod lookup;
mod personal_data;
mod roles;

use async_trait::async_trait;
use domain::ids::UserId;
use domain::lang::Lang;
use engine::ports::{Activity, Storage, StorageError, UserProfile, UserRecord, search_key};
use sqlx::QueryBuilder;
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::sqlite::{Sqlite, SqlitePool};
use time::OffsetDateTime;

use crate::error::{corrupt, storage_error};
use crate::records::{ActivityRow, UserRow};
use crate::sql;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// Rows per statement of a batch write. sqlx runs SQLite on a worker thread of
/// its own, so every statement is a hand-off to that thread and back: a batch
/// goes in a few multi-row statements, not a statement per row (ADR 0038).
/// 250 rows of four values stay far below SQLite's limit of 32766 parameters.
const ROWS_PER_STATEMENT: usize = 250;

#[derive(Clone, Debug)]
pub(crate) struct SqliteStorage {
    pool: SqlitePool,
}

impl SqliteStorage {
    pub fn new(pool: SqlitePool) -> SqliteStorage {
        SqliteStorage { pool }
    }

    pub async fn migrate(&self) -> Result<(), MigrateError> {
        MIGRATOR.run(&self.pool).await
    }

    /// See [`engine::ports::UpdateClaims`].
    pub async fn claim_update(
        &self,
        update_id: i64,
        now: OffsetDateTime,
        ttl: std::time::Duration,
    ) -> Result<bool, StorageError> {
        sql::claim_update_in!(&self.pool, micros, update_id, now, ttl)
    }

    /// See [`engine::ports::UpdateClaims`].
    pub async fn finish_update(
        &self,
        update_id: i64,
        now: OffsetDateTime,
        ttl: std::time::Duration,
    ) -> Result<(), StorageError> {
        sql::finish_update_in!(&self.pool, micros, update_id, now, ttl)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The pool, for whole-database work (`copy`).
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// The stored form of a time: whole microseconds since the epoch, truncated like
/// PostgreSQL's driver does. Every `OffsetDateTime` (years ±9999) fits in an `i64`.
pub(crate) fn micros(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1_000) as i64
}

pub(crate) fn from_micros(micros: i64) -> Result<OffsetDateTime, StorageError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000)
        .map_err(|e| corrupt(format!("stored time {micros} µs is out of range: {e}")))
}

#[async_trait]
impl Storage for SqliteStorage {
    async fn touch_user(
        &self,
        profile: &UserProfile,
        language: Lang,
        now: OffsetDateTime,
    ) -> Result<UserRecord, StorageError> {
        sqlx::query_as::<_, UserRow<i64>>(sql::TOUCH_USER)
            .bind(profile.id.0)
            .bind(&profile.first_name)
            .bind(&profile.last_name)
            .bind(&profile.username)
            .bind(language.code())
            .bind(micros(now))
            .bind(search_key(
                &profile.first_name,
                profile.last_name.as_deref(),
                profile.username.as_deref(),
            ))
            .fetch_one(&self.pool)
            .await
            .map_err(storage_error)?
            .into_record(from_micros)
    }

    async fn user(&self, id: UserId) -> Result<Option<UserRecord>, StorageError> {
        sqlx::query_as::<_, UserRow<i64>>(sql::USER)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(storage_error)?
            .map(|row| row.into_record(from_micros))
            .transpose()
    }

    async fn set_language(&self, id: UserId, language: Lang) -> Result<(), StorageError> {
        sqlx::query(sql::SET_LANGUAGE)
            .bind(id.0)
            .bind(language.code())
            .execute(&self.pool)
            .await
            .map_err(storage_error)?;
        Ok(())
    }

    async fn set_inactive(&self, id: UserId, inactive: bool) -> Result<(), StorageError> {
        sqlx::query(sql::SET_INACTIVE)
            .bind(id.0)
            .bind(inactive)
            .execute(&self.pool)
            .await
            .map_err(storage_error)?;
        Ok(())
    }

    async fn set_blocked(&self, id: UserId, blocked: bool) -> Result<(), StorageError> {
        sqlx::query(sql::SET_BLOCKED)
            .bind(id.0)
            .bind(blocked)
            .execute(&self.pool)
            .await
            .map_err(storage_error)?;
        Ok(())
    }

    async fn count_users(&self) -> Result<u64, StorageError> {
        let count: i64 = sqlx::query_scalar(sql::COUNT_USERS)
            .fetch_one(&self.pool)
            .await
            .map_err(storage_error)?;
        u64::try_from(count).map_err(|_| corrupt(format!("user count {count} is negative")))
    }

    async fn record_activity(&self, batch: &[Activity]) -> Result<(), StorageError> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await.map_err(storage_error)?;
        for rows in batch.chunks(ROWS_PER_STATEMENT) {
            QueryBuilder::<Sqlite>::new("INSERT INTO activity (user_id, kind, subject, at) ")
                .push_values(rows, |mut row, activity| {
                    row.push_bind(activity.user.0)
                        .push_bind(activity.kind.as_str())
                        .push_bind(activity.subject.as_deref())
                        .push_bind(micros(activity.at));
                })
                .build()
                .execute(&mut *tx)
                .await
                .map_err(storage_error)?;
        }
        tx.commit().await.map_err(storage_error)
    }

    async fn record_last_seen(
        &self,
        seen: &[(UserId, OffsetDateTime)],
    ) -> Result<(), StorageError> {
        if seen.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await.map_err(storage_error)?;
        for rows in seen.chunks(ROWS_PER_STATEMENT) {
            let mut query =
                QueryBuilder::<Sqlite>::new("UPDATE users SET last_seen = seen.column2 FROM (");
            query
                .push_values(rows, |mut row, (user, at)| {
                    row.push_bind(user.0).push_bind(micros(*at));
                })
                .push(") AS seen WHERE users.id = seen.column1 AND users.last_seen < seen.column2")
                .build()
                .execute(&mut *tx)
                .await
                .map_err(storage_error)?;
        }
        tx.commit().await.map_err(storage_error)
    }

    async fn recent_activity(
        &self,
        user: UserId,
        limit: u32,
    ) -> Result<Vec<Activity>, StorageError> {
        sqlx::query_as::<_, ActivityRow<i64>>(sql::RECENT_ACTIVITY)
            .bind(user.0)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(storage_error)?
            .into_iter()
            .map(|row| row.into_activity(from_micros))
            .collect()
    }

    async fn media_file_id(&self, key: &str) -> Result<Option<String>, StorageError> {
        sqlx::query_scalar(sql::MEDIA_FILE_ID)
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(storage_error)
    }

    async fn save_media_file_id(&self, key: &str, file_id: &str) -> Result<(), StorageError> {
        sqlx::query(sql::SAVE_MEDIA_FILE_ID)
            .bind(key)
            .bind(file_id)
            .execute(&self.pool)
            .await
            .map_err(storage_error)?;
        Ok(())
    }

    async fn ping(&self) -> Result<(), StorageError> {
        sqlx::query(sql::PING)
            .execute(&self.pool)
            .await
            .map_err(storage_error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_keep_microseconds_and_order() {
        let at = time::macros::datetime!(2026-11-28 09:59:59.999_999_999 UTC);
        let stored = micros(at);
        let back = from_micros(stored).unwrap();
        assert_eq!(
            back,
            time::macros::datetime!(2026-11-28 09:59:59.999_999 UTC)
        );
        assert_eq!(back.offset(), time::UtcOffset::UTC);
        let later = time::macros::datetime!(2026-11-28 10:00:00.000_001 +03:00);
        assert!(micros(later) < stored, "+03:00 10:00 is 07:00 UTC");
        assert!(micros(time::macros::datetime!(2026-11-28 10:00:00 UTC)) > stored);
        assert!(from_micros(i64::MAX).is_err());
    }
}
