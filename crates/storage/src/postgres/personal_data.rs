//! The personal-data port on PostgreSQL.

use async_trait::async_trait;
use domain::ids::UserId;
use engine::ports::{
    ActivityExport, ActivityFilter, AnswerExport, AttemptExport, AttemptFilter, Certificate,
    Erasure, PersonExport, PersonalDataStore, StorageError, StoredCounts,
};
use time::OffsetDateTime;

use super::{PostgresStorage, utc};
use crate::error::storage_error;
use crate::records::admin::people_bound;
use crate::records::learning::CertificateRow;
use crate::records::personal_data::{
    ActivityExportRow, AnswerExportRow, AttemptExportRow, PersonExportRow, StoredCountsRow,
    answer_bound, id_bound,
};
use crate::sql::personal_data as sql;

#[async_trait]
impl PersonalDataStore for PostgresStorage {
    async fn export_people(
        &self,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<PersonExport>, StorageError> {
        let Some(from) = people_bound(after) else {
            return Ok(Vec::new());
        };
        sqlx::query_as::<_, PersonExportRow<OffsetDateTime>>(sql::EXPORT_PEOPLE)
            .bind(from)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(storage_error)?
            .into_iter()
            .map(|row| row.into_export(utc))
            .collect()
    }

    async fn export_activity(
        &self,
        filter: ActivityFilter,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ActivityExport>, StorageError> {
        sqlx::query_as::<_, ActivityExportRow<OffsetDateTime>>(sql::EXPORT_ACTIVITY)
            .bind(id_bound(after))
            .bind(filter.user.map(|u| u.0))
            .bind(filter.since)
            .bind(filter.until)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(storage_error)?
            .into_iter()
            .map(|row| row.into_export(utc))
            .collect()
    }

    async fn export_attempts(
        &self,
        filter: AttemptFilter,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AttemptExport>, StorageError> {
        sqlx::query_as::<_, AttemptExportRow<OffsetDateTime>>(sql::EXPORT_ATTEMPTS)
            .bind(id_bound(after))
            .bind(filter.user.map(|u| u.0))
            .bind(filter.finished_quizzes_only)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(storage_error)?
            .into_iter()
            .map(|row| row.into_export(utc))
            .collect()
    }

    async fn export_answers(
        &self,
        user: UserId,
        after: Option<(i64, u16)>,
        limit: u32,
    ) -> Result<Vec<AnswerExport>, StorageError> {
        let (attempt, position) = answer_bound(after);
        sqlx::query_as::<_, AnswerExportRow<OffsetDateTime>>(sql::EXPORT_ANSWERS)
            .bind(user.0)
            .bind(attempt)
            .bind(position)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(storage_error)?
            .into_iter()
            .map(|row| row.into_export(utc))
            .collect()
    }

    async fn certificates_of(&self, user: UserId) -> Result<Vec<Certificate>, StorageError> {
        sqlx::query_as::<_, CertificateRow<OffsetDateTime>>(sql::CERTIFICATES_OF)
            .bind(user.0)
            .fetch_all(&self.pool)
            .await
            .map_err(storage_error)?
            .into_iter()
            .map(|row| row.into_certificate(utc))
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
            .bind(at)
            .execute(&self.pool)
            .await
            .map_err(storage_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn deletion_requested(
        &self,
        user: UserId,
    ) -> Result<Option<OffsetDateTime>, StorageError> {
        sqlx::query_scalar::<_, OffsetDateTime>(sql::DELETION_REQUESTED)
            .bind(user.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(storage_error)?
            .map(utc)
            .transpose()
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
            .bind(at)
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
