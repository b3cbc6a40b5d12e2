//! People and their activity ([`engine::ports::PeopleStore`], with
//! [`engine::ports::PersonRecords`]), the media cache
//! ([`engine::ports::MediaCache`]) and the update claims
//! ([`engine::ports::UpdateClaims`]),
//! written once for both backends; SQL in `sql.rs`, rows in `records.rs`. The
//! batch writes are the backend's ([`crate::store::Dialect`]).

use domain::ids::UserId;
use domain::lang::Lang;
use engine::ports::{
    Activity, MediaCache, PeopleStore, PersonRecords, StorageError, UpdateClaims, UserProfile,
    UserRecord, search_key,
};
use time::OffsetDateTime;

use crate::error::{corrupt, storage_error};
use crate::records::{ActivityRow, UserRow};
use crate::sql;
use crate::stamp::Stamp;
use crate::store::{RowsAffected, on_every_backend};

on_every_backend! {
    impl PeopleStore {
        async fn touch_user(
            &self,
            profile: &UserProfile,
            language: Lang,
            now: OffsetDateTime,
        ) -> Result<UserRecord, StorageError> {
            sqlx::query_as::<_, UserRow>(sql::TOUCH_USER)
                .bind(profile.id.0)
                .bind(&profile.first_name)
                .bind(&profile.last_name)
                .bind(&profile.username)
                .bind(language.code())
                .bind(Stamp(now))
                .bind(search_key(
                    &profile.first_name,
                    profile.last_name.as_deref(),
                    profile.username.as_deref(),
                ))
                .fetch_one(DB::on(&self.pool))
                .await
                .map_err(storage_error)?
                .into_record()
        }

        async fn set_language(&self, id: UserId, language: Lang) -> Result<(), StorageError> {
            sqlx::query(sql::SET_LANGUAGE)
                .bind(id.0)
                .bind(language.code())
                .execute(DB::on(&self.pool))
                .await
                .map_err(storage_error)?;
            Ok(())
        }

        async fn set_inactive(&self, id: UserId, inactive: bool) -> Result<(), StorageError> {
            sqlx::query(sql::SET_INACTIVE)
                .bind(id.0)
                .bind(inactive)
                .execute(DB::on(&self.pool))
                .await
                .map_err(storage_error)?;
            Ok(())
        }


        async fn count_users(&self) -> Result<u64, StorageError> {
            let count: i64 = sqlx::query_scalar(sql::COUNT_USERS)
                .fetch_one(DB::on(&self.pool))
                .await
                .map_err(storage_error)?;
            u64::try_from(count).map_err(|_| corrupt(format!("user count {count} is negative")))
        }

        async fn record_activity(&self, batch: &[Activity]) -> Result<(), StorageError> {
            if batch.is_empty() {
                return Ok(());
            }
            DB::insert_activity(&self.pool, batch).await
        }

        async fn record_last_seen(
            &self,
            seen: &[(UserId, OffsetDateTime)],
        ) -> Result<(), StorageError> {
            if seen.is_empty() {
                return Ok(());
            }
            DB::update_last_seen(&self.pool, seen).await
        }

        async fn recent_activity(
            &self,
            user: UserId,
            limit: u32,
        ) -> Result<Vec<Activity>, StorageError> {
            sqlx::query_as::<_, ActivityRow>(sql::RECENT_ACTIVITY)
                .bind(user.0)
                .bind(i64::from(limit))
                .fetch_all(DB::on(&self.pool))
                .await
                .map_err(storage_error)?
                .into_iter()
                .map(|row| row.into_activity())
                .collect()
        }

        async fn ping(&self) -> Result<(), StorageError> {
            sqlx::query(sql::PING)
                .execute(DB::on(&self.pool))
                .await
                .map_err(storage_error)?;
            Ok(())
        }
    }
}

on_every_backend! {
    impl MediaCache {
        async fn media_file_id(&self, key: &str) -> Result<Option<String>, StorageError> {
            sqlx::query_scalar(sql::MEDIA_FILE_ID)
                .bind(key)
                .fetch_optional(DB::on(&self.pool))
                .await
                .map_err(storage_error)
        }

        async fn save_media_file_id(&self, key: &str, file_id: &str) -> Result<(), StorageError> {
            sqlx::query(sql::SAVE_MEDIA_FILE_ID)
                .bind(key)
                .bind(file_id)
                .execute(DB::on(&self.pool))
                .await
                .map_err(storage_error)?;
            Ok(())
        }
    }
}

on_every_backend! {
    impl PersonRecords {
        async fn user(&self, id: UserId) -> Result<Option<UserRecord>, StorageError> {
            sqlx::query_as::<_, UserRow>(sql::USER)
                .bind(id.0)
                .fetch_optional(DB::on(&self.pool))
                .await
                .map_err(storage_error)?
                .map(|row| row.into_record())
                .transpose()
        }

        async fn set_blocked(&self, id: UserId, blocked: bool) -> Result<(), StorageError> {
            sqlx::query(sql::SET_BLOCKED)
                .bind(id.0)
                .bind(blocked)
                .execute(DB::on(&self.pool))
                .await
                .map_err(storage_error)?;
            Ok(())
        }
    }
}

on_every_backend! {
    impl UpdateClaims {
        async fn claim_update(
            &self,
            update_id: i64,
            now: OffsetDateTime,
            ttl: std::time::Duration,
        ) -> Result<bool, StorageError> {
            let expired = now - ttl;
            let claimed = sqlx::query(sql::CLAIM_UPDATE)
                .bind(update_id)
                .bind(Stamp(now))
                .bind(Stamp(expired))
                .execute(DB::on(&self.pool))
                .await
                .map_err(storage_error)?
                .rows_affected()
                == 1;
            if claimed {
                self.forget_claims(update_id, expired).await?;
            }
            Ok(claimed)
        }

        async fn finish_update(
            &self,
            update_id: i64,
            now: OffsetDateTime,
            ttl: std::time::Duration,
        ) -> Result<(), StorageError> {
            sqlx::query(sql::FINISH_UPDATE)
                .bind(update_id)
                .bind(Stamp(now))
                .execute(DB::on(&self.pool))
                .await
                .map_err(storage_error)?;
            self.forget_claims(update_id, now - ttl).await
        }

        async fn last_claimed(&self) -> Result<Option<i64>, StorageError> {
            sqlx::query_scalar(sql::LAST_CLAIMED)
                .fetch_one(DB::on(&self.pool))
                .await
                .map_err(storage_error)
        }
    }
}

on_every_backend! {
    impl Store {
        /// Deletes claims older than `expired` when `update_id` is a multiple of
        /// [`sql::FORGET_CLAIMS_EVERY`].
        async fn forget_claims(
            &self,
            update_id: i64,
            expired: OffsetDateTime,
        ) -> Result<(), StorageError> {
            if update_id % sql::FORGET_CLAIMS_EVERY == 0 {
                sqlx::query(sql::FORGET_UPDATE_CLAIMS)
                    .bind(Stamp(expired))
                    .execute(DB::on(&self.pool))
                    .await
                    .map_err(storage_error)?;
            }
            Ok(())
        }
    }
}
