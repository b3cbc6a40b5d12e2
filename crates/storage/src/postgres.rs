//! The storage port on PostgreSQL. Times are `timestamptz`.

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
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::postgres::PgPool;
use time::OffsetDateTime;

use crate::error::{corrupt, storage_error};
use crate::records::{ActivityRow, UserRow};
use crate::sql;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// The whole batch as four arrays in one statement: one round trip, atomic, and
/// the SQL text never depends on the batch size.
/// `Storage::record_last_seen` in one statement: ids and times as two arrays.
const RECORD_LAST_SEEN: &str = "UPDATE users AS u SET last_seen = s.at \
     FROM UNNEST($1::BIGINT[], $2::TIMESTAMPTZ[]) AS s(id, at) \
     WHERE u.id = s.id AND u.last_seen < s.at";

const INSERT_ACTIVITY: &str = "INSERT INTO activity (user_id, kind, subject, at) \
     SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::timestamptz[])";

#[derive(Clone, Debug)]
pub(crate) struct PostgresStorage {
    pool: PgPool,
}

impl PostgresStorage {
    pub fn new(pool: PgPool) -> PostgresStorage {
        PostgresStorage { pool }
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
        sql::claim_update_in!(&self.pool, std::convert::identity, update_id, now, ttl)
    }

    /// See [`engine::ports::UpdateClaims`].
    pub async fn finish_update(
        &self,
        update_id: i64,
        now: OffsetDateTime,
        ttl: std::time::Duration,
    ) -> Result<(), StorageError> {
        sql::finish_update_in!(&self.pool, std::convert::identity, update_id, now, ttl)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The pool, for whole-database work (`copy`).
    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }
}

/// `timestamptz` binds as it is (the macro-written ports take a conversion).
fn at(t: OffsetDateTime) -> OffsetDateTime {
    t
}

/// The driver already reads `timestamptz` as a UTC `OffsetDateTime`.
fn utc(at: OffsetDateTime) -> Result<OffsetDateTime, StorageError> {
    Ok(at)
}

#[async_trait]
impl Storage for PostgresStorage {
    async fn touch_user(
        &self,
        profile: &UserProfile,
        language: Lang,
        now: OffsetDateTime,
    ) -> Result<UserRecord, StorageError> {
        sqlx::query_as::<_, UserRow<OffsetDateTime>>(sql::TOUCH_USER)
            .bind(profile.id.0)
            .bind(&profile.first_name)
            .bind(&profile.last_name)
            .bind(&profile.username)
            .bind(language.code())
            .bind(now)
            .bind(search_key(
                &profile.first_name,
                profile.last_name.as_deref(),
                profile.username.as_deref(),
            ))
            .fetch_one(&self.pool)
            .await
            .map_err(storage_error)?
            .into_record(utc)
    }

    async fn user(&self, id: UserId) -> Result<Option<UserRecord>, StorageError> {
        sqlx::query_as::<_, UserRow<OffsetDateTime>>(sql::USER)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(storage_error)?
            .map(|row| row.into_record(utc))
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
        let users: Vec<i64> = batch.iter().map(|a| a.user.0).collect();
        let kinds: Vec<&str> = batch.iter().map(|a| a.kind.as_str()).collect();
        let subjects: Vec<Option<&str>> = batch.iter().map(|a| a.subject.as_deref()).collect();
        let times: Vec<OffsetDateTime> = batch.iter().map(|a| a.at).collect();
        sqlx::query(INSERT_ACTIVITY)
            .bind(users)
            .bind(kinds)
            .bind(subjects)
            .bind(times)
            .execute(&self.pool)
            .await
            .map_err(storage_error)?;
        Ok(())
    }

    async fn record_last_seen(
        &self,
        seen: &[(UserId, OffsetDateTime)],
    ) -> Result<(), StorageError> {
        if seen.is_empty() {
            return Ok(());
        }
        let users: Vec<i64> = seen.iter().map(|(user, _)| user.0).collect();
        let times: Vec<OffsetDateTime> = seen.iter().map(|(_, at)| *at).collect();
        sqlx::query(RECORD_LAST_SEEN)
            .bind(users)
            .bind(times)
            .execute(&self.pool)
            .await
            .map_err(storage_error)?;
        Ok(())
    }

    async fn recent_activity(
        &self,
        user: UserId,
        limit: u32,
    ) -> Result<Vec<Activity>, StorageError> {
        sqlx::query_as::<_, ActivityRow<OffsetDateTime>>(sql::RECENT_ACTIVITY)
            .bind(user.0)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(storage_error)?
            .into_iter()
            .map(|row| row.into_activity(utc))
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
