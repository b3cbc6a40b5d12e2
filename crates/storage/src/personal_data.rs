//! [`PersonalDataStore`] on [`SqlStorage`]: dispatched to the backend, like the
//! other ports in `lib.rs`.

use async_trait::async_trait;
use domain::ids::UserId;
use engine::ports::{
    ActivityExport, ActivityFilter, AnswerExport, AttemptExport, AttemptFilter, Certificate,
    Erasure, PersonExport, PersonalDataStore, StorageError, StoredCounts,
};
use time::OffsetDateTime;

use crate::SqlStorage;

#[async_trait]
impl PersonalDataStore for SqlStorage {
    /// Ordered by ascending id; `after` is exclusive and need not exist.
    async fn export_people(
        &self,
        park: Option<&str>,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<PersonExport>, StorageError> {
        self.observed(
            "export_people",
            self.port().export_people(park, after, limit),
        )
        .await
    }

    /// `since` is inclusive, `until` exclusive: consecutive periods never share a
    /// record.
    async fn export_activity(
        &self,
        filter: &ActivityFilter,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ActivityExport>, StorageError> {
        self.observed(
            "export_activity",
            self.port().export_activity(filter, after, limit),
        )
        .await
    }

    async fn export_attempts(
        &self,
        filter: &AttemptFilter,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AttemptExport>, StorageError> {
        self.observed(
            "export_attempts",
            self.port().export_attempts(filter, after, limit),
        )
        .await
    }

    async fn export_answers(
        &self,
        user: UserId,
        after: Option<(i64, u16)>,
        limit: u32,
    ) -> Result<Vec<AnswerExport>, StorageError> {
        self.observed(
            "export_answers",
            self.port().export_answers(user, after, limit),
        )
        .await
    }

    async fn certificates_of(&self, user: UserId) -> Result<Vec<Certificate>, StorageError> {
        self.observed("certificates_of", self.port().certificates_of(user))
            .await
    }

    async fn stored_counts(&self, user: UserId) -> Result<StoredCounts, StorageError> {
        self.observed("stored_counts", self.port().stored_counts(user))
            .await
    }

    async fn request_deletion(
        &self,
        user: UserId,
        at: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        self.observed("request_deletion", self.port().request_deletion(user, at))
            .await
    }

    async fn deletion_requested(
        &self,
        user: UserId,
    ) -> Result<Option<OffsetDateTime>, StorageError> {
        self.observed("deletion_requested", self.port().deletion_requested(user))
            .await
    }

    async fn pending_deletions(
        &self,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<engine::ports::PersonSummary>, StorageError> {
        self.observed(
            "pending_deletions",
            self.port().pending_deletions(after, limit),
        )
        .await
    }

    /// Atomic: either everything below happens or nothing does. Activity written
    /// after the erasure under the old id (a batch still in flight) stays keyed by
    /// that id, as if a new person had written.
    async fn erase_person(
        &self,
        user: UserId,
        at: OffsetDateTime,
    ) -> Result<Option<Erasure>, StorageError> {
        self.observed("erase_person", self.port().erase_person(user, at))
            .await
    }
}

/// Implements `PersonalDataStore` for a backend whose stored time is `$time`:
/// `$to_db` turns an `OffsetDateTime` into what it binds, `$from_db` reads one back.
/// The statements are shared (`sql/personal_data.rs`); so are the rows
/// (`records/personal_data.rs`).
macro_rules! impl_personal_data_store {
    ($storage:ty, $time:ty, $to_db:path, $from_db:path) => {
        use domain::ids::UserId;
        use engine::ports::{
            ActivityExport, ActivityFilter, AnswerExport, AttemptExport, AttemptFilter,
            Certificate, Erasure, PersonExport, PersonalDataStore, StorageError, StoredCounts,
        };
        use time::OffsetDateTime;

        use crate::error::storage_error;
        use crate::records::admin::people_bound;
        use crate::records::learning::CertificateRow;
        use crate::records::personal_data::{
            ActivityExportRow, AnswerExportRow, AttemptExportRow, PersonExportRow, StoredCountsRow,
            answer_bound, id_bound,
        };
        use crate::sql::personal_data as sql;

        #[async_trait::async_trait]
        impl PersonalDataStore for $storage {
            async fn export_people(
                &self,
                park: Option<&str>,
                after: Option<UserId>,
                limit: u32,
            ) -> Result<Vec<PersonExport>, StorageError> {
                let Some(from) = people_bound(after) else {
                    return Ok(Vec::new());
                };
                sqlx::query_as::<_, PersonExportRow<$time>>(sql::EXPORT_PEOPLE)
                    .bind(from)
                    .bind(i64::from(limit))
                    .bind(park)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(storage_error)?
                    .into_iter()
                    .map(|row| row.into_export($from_db))
                    .collect()
            }

            async fn export_activity(
                &self,
                filter: &ActivityFilter,
                after: Option<i64>,
                limit: u32,
            ) -> Result<Vec<ActivityExport>, StorageError> {
                sqlx::query_as::<_, ActivityExportRow<$time>>(sql::EXPORT_ACTIVITY)
                    .bind(id_bound(after))
                    .bind(filter.user.map(|u| u.0))
                    .bind(filter.since.map($to_db))
                    .bind(filter.until.map($to_db))
                    .bind(i64::from(limit))
                    .bind(filter.park.as_deref())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(storage_error)?
                    .into_iter()
                    .map(|row| row.into_export($from_db))
                    .collect()
            }

            async fn export_attempts(
                &self,
                filter: &AttemptFilter,
                after: Option<i64>,
                limit: u32,
            ) -> Result<Vec<AttemptExport>, StorageError> {
                sqlx::query_as::<_, AttemptExportRow<$time>>(sql::EXPORT_ATTEMPTS)
                    .bind(id_bound(after))
                    .bind(filter.user.map(|u| u.0))
                    .bind(filter.finished_quizzes_only)
                    .bind(i64::from(limit))
                    .bind(filter.park.as_deref())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(storage_error)?
                    .into_iter()
                    .map(|row| row.into_export($from_db))
                    .collect()
            }

            async fn export_answers(
                &self,
                user: UserId,
                after: Option<(i64, u16)>,
                limit: u32,
            ) -> Result<Vec<AnswerExport>, StorageError> {
                let (attempt, position) = answer_bound(after);
                sqlx::query_as::<_, AnswerExportRow<$time>>(sql::EXPORT_ANSWERS)
                    .bind(user.0)
                    .bind(attempt)
                    .bind(position)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(storage_error)?
                    .into_iter()
                    .map(|row| row.into_export($from_db))
                    .collect()
            }

            async fn certificates_of(
                &self,
                user: UserId,
            ) -> Result<Vec<Certificate>, StorageError> {
                sqlx::query_as::<_, CertificateRow<$time>>(sql::CERTIFICATES_OF)
                    .bind(user.0)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(storage_error)?
                    .into_iter()
                    .map(|row| row.into_certificate($from_db))
                    .collect()
            }

            async fn stored_counts(&self, user: UserId) -> Result<StoredCounts, StorageError> {
                sqlx::query_as::<_, StoredCountsRow>(sql::STORED_COUNTS)
                    .bind(user.0)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(storage_error)?
                    .into_counts()
            }

            async fn request_deletion(
                &self,
                user: UserId,
                at: OffsetDateTime,
            ) -> Result<bool, StorageError> {
                let done = sqlx::query(sql::REQUEST_DELETION)
                    .bind(user.0)
                    .bind($to_db(at))
                    .execute(&self.pool)
                    .await
                    .map_err(storage_error)?;
                Ok(done.rows_affected() == 1)
            }

            async fn deletion_requested(
                &self,
                user: UserId,
            ) -> Result<Option<OffsetDateTime>, StorageError> {
                sqlx::query_scalar::<_, $time>(sql::DELETION_REQUESTED)
                    .bind(user.0)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(storage_error)?
                    .map($from_db)
                    .transpose()
            }

            async fn pending_deletions(
                &self,
                after: Option<UserId>,
                limit: u32,
            ) -> Result<Vec<engine::ports::PersonSummary>, StorageError> {
                let Some(from) = crate::records::admin::people_bound(after) else {
                    return Ok(Vec::new());
                };
                sqlx::query_as::<_, crate::records::admin::PersonRow<$time>>(sql::PENDING_DELETIONS)
                    .bind(from)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(storage_error)?
                    .into_iter()
                    .map(|row| row.into_summary($from_db))
                    .collect()
            }

            async fn erase_person(
                &self,
                user: UserId,
                at: OffsetDateTime,
            ) -> Result<Option<Erasure>, StorageError> {
                let mut tx = self.pool.begin().await.map_err(storage_error)?;
                for statement in sql::UNLINK {
                    sqlx::query(statement)
                        .bind(user.0)
                        .execute(&mut *tx)
                        .await
                        .map_err(storage_error)?;
                }
                let deleted = sqlx::query(sql::DELETE_USER)
                    .bind(user.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(storage_error)?;
                if deleted.rows_affected() == 0 {
                    // Dropping the transaction rolls it back: nothing changed.
                    return Ok(None);
                }
                let id: i64 = sqlx::query_scalar(sql::NEW_ERASURE)
                    .bind($to_db(at))
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(storage_error)?;
                let mut kept = [0u64; 2];
                for (slot, statement) in kept.iter_mut().zip(sql::ANONYMISE) {
                    *slot = sqlx::query(statement)
                        .bind(user.0)
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(storage_error)?
                        .rows_affected();
                }
                for statement in sql::ERASE {
                    sqlx::query(statement)
                        .bind(user.0)
                        .execute(&mut *tx)
                        .await
                        .map_err(storage_error)?;
                }
                tx.commit().await.map_err(storage_error)?;
                Ok(Some(Erasure {
                    id,
                    activity: kept[0],
                    attempts: kept[1],
                }))
            }
        }
    };
}

pub(crate) use impl_personal_data_store;
