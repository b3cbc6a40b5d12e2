//! The personal-data port ([`engine::ports::PersonalDataStore`]: keyset-paged
//! exports, deletion requests, erasure), written once for both backends;
//! statements in `sql/personal_data.rs`, rows in `records/personal_data.rs`.

use crate::error::storage_error;
use crate::records::admin::people_bound;
use crate::records::learning::CertificateRow;
use crate::records::personal_data::{
    ActivityExportRow, AnswerExportRow, AttemptExportRow, PersonExportRow, StoredCountsRow,
    answer_bound, id_bound,
};
use crate::sql::personal_data as sql;
use crate::stamp::Stamp;
use crate::store::{RowsAffected, on_every_backend};
use domain::ids::UserId;
use engine::ports::{
    ActivityExport, ActivityFilter, AnswerExport, AttemptExport, AttemptFilter, Certificate,
    Erasure, PersonExport, PersonalDataStore, StorageError, StoredCounts,
};
use time::OffsetDateTime;

on_every_backend! {
    impl PersonalDataStore {
        /// Ordered by ascending id; `after` is exclusive and need not exist.
        async fn export_people(
            &self,
            park: Option<&str>,
            after: Option<UserId>,
            limit: u32,
        ) -> Result<Vec<PersonExport>, StorageError> {
            let Some(from) = people_bound(after) else {
                return Ok(Vec::new());
            };
            sqlx::query_as::<_, PersonExportRow>(sql::EXPORT_PEOPLE)
                .bind(from)
                .bind(i64::from(limit))
                .bind(park)
                .fetch_all(DB::on(&self.pool))
                .await
                .map_err(storage_error)?
                .into_iter()
                .map(|row| row.into_export())
                .collect()
        }

        /// `since` is inclusive, `until` exclusive: consecutive periods never share a
        /// record.
        async fn export_activity(
            &self,
            filter: &ActivityFilter,
            after: Option<i64>,
            limit: u32,
        ) -> Result<Vec<ActivityExport>, StorageError> {
            sqlx::query_as::<_, ActivityExportRow>(sql::EXPORT_ACTIVITY)
                .bind(id_bound(after))
                .bind(filter.user.map(|u| u.0))
                .bind(filter.since.map(Stamp))
                .bind(filter.until.map(Stamp))
                .bind(i64::from(limit))
                .bind(filter.park.as_deref())
                .fetch_all(DB::on(&self.pool))
                .await
                .map_err(storage_error)?
                .into_iter()
                .map(|row| row.into_export())
                .collect()
        }

        async fn export_attempts(
            &self,
            filter: &AttemptFilter,
            after: Option<i64>,
            limit: u32,
        ) -> Result<Vec<AttemptExport>, StorageError> {
            sqlx::query_as::<_, AttemptExportRow>(sql::EXPORT_ATTEMPTS)
                .bind(id_bound(after))
                .bind(filter.user.map(|u| u.0))
                .bind(filter.finished_quizzes_only)
                .bind(i64::from(limit))
                .bind(filter.park.as_deref())
                .fetch_all(DB::on(&self.pool))
                .await
                .map_err(storage_error)?
                .into_iter()
                .map(|row| row.into_export())
                .collect()
        }

        async fn export_answers(
            &self,
            user: UserId,
            after: Option<(i64, u16)>,
            limit: u32,
        ) -> Result<Vec<AnswerExport>, StorageError> {
            let (attempt, position) = answer_bound(after);
            sqlx::query_as::<_, AnswerExportRow>(sql::EXPORT_ANSWERS)
                .bind(user.0)
                .bind(attempt)
                .bind(position)
                .bind(i64::from(limit))
                .fetch_all(DB::on(&self.pool))
                .await
                .map_err(storage_error)?
                .into_iter()
                .map(|row| row.into_export())
                .collect()
        }

        async fn certificates_of(
            &self,
            user: UserId,
        ) -> Result<Vec<Certificate>, StorageError> {
            sqlx::query_as::<_, CertificateRow>(sql::CERTIFICATES_OF)
                .bind(user.0)
                .fetch_all(DB::on(&self.pool))
                .await
                .map_err(storage_error)?
                .into_iter()
                .map(|row| row.into_certificate())
                .collect()
        }

        async fn stored_counts(&self, user: UserId) -> Result<StoredCounts, StorageError> {
            sqlx::query_as::<_, StoredCountsRow>(sql::STORED_COUNTS)
                .bind(user.0)
                .fetch_one(DB::on(&self.pool))
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
                .bind(Stamp(at))
                .execute(DB::on(&self.pool))
                .await
                .map_err(storage_error)?;
            Ok(done.rows_affected() == 1)
        }

        async fn deletion_requested(
            &self,
            user: UserId,
        ) -> Result<Option<OffsetDateTime>, StorageError> {
            sqlx::query_scalar::<_, Stamp>(sql::DELETION_REQUESTED)
                .bind(user.0)
                .fetch_optional(DB::on(&self.pool))
                .await
                .map_err(storage_error)
                .map(|at| at.map(|at| at.0))
        }

        async fn pending_deletions(
            &self,
            after: Option<UserId>,
            limit: u32,
        ) -> Result<Vec<engine::ports::PersonSummary>, StorageError> {
            let Some(from) = crate::records::admin::people_bound(after) else {
                return Ok(Vec::new());
            };
            sqlx::query_as::<_, crate::records::admin::PersonRow>(sql::PENDING_DELETIONS)
                .bind(from)
                .bind(i64::from(limit))
                .fetch_all(DB::on(&self.pool))
                .await
                .map_err(storage_error)?
                .into_iter()
                .map(|row| row.into_summary())
                .collect()
        }

        /// Atomic: either everything below happens or nothing does. Activity written
        /// after the erasure under the old id (a batch still in flight) stays keyed by
        /// that id, as if a new person had written.
        async fn erase_person(
            &self,
            user: UserId,
            at: OffsetDateTime,
        ) -> Result<Option<Erasure>, StorageError> {
            let mut tx = self.pool.begin().await.map_err(storage_error)?;
            for statement in sql::UNLINK {
                sqlx::query(statement)
                    .bind(user.0)
                    .execute(DB::in_tx(&mut tx))
                    .await
                    .map_err(storage_error)?;
            }
            let deleted = sqlx::query(sql::DELETE_USER)
                .bind(user.0)
                .execute(DB::in_tx(&mut tx))
                .await
                .map_err(storage_error)?;
            if deleted.rows_affected() == 0 {
                // Dropping the transaction rolls it back: nothing changed.
                return Ok(None);
            }
            let id: i64 = sqlx::query_scalar(sql::NEW_ERASURE)
                .bind(Stamp(at))
                .fetch_one(DB::in_tx(&mut tx))
                .await
                .map_err(storage_error)?;
            let mut kept = [0u64; 2];
            for (slot, statement) in kept.iter_mut().zip(sql::ANONYMISE) {
                *slot = sqlx::query(statement)
                    .bind(user.0)
                    .bind(id)
                    .execute(DB::in_tx(&mut tx))
                    .await
                    .map_err(storage_error)?
                    .rows_affected();
            }
            for statement in sql::ERASE {
                sqlx::query(statement)
                    .bind(user.0)
                    .execute(DB::in_tx(&mut tx))
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
}
