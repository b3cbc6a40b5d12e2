//! The personal-data port on SQLite.

use async_trait::async_trait;
use domain::ids::UserId;
use engine::ports::{
    ActivityExport, ActivityFilter, AnswerExport, AttemptExport, AttemptFilter, Certificate,
    Erasure, PersonExport, PersonalDataStore, StorageError, StoredCounts,
};
use time::OffsetDateTime;

use super::{SqliteStorage, from_micros, micros};
use crate::error::storage_error;
use crate::records::admin::people_bound;
use crate::records::learning::CertificateRow;
use crate::records::personal_data::{
    ActivityExportRow, AnswerExportRow, AttemptExportRow, PersonExportRow, StoredCountsRow,
    answer_bound, id_bound,
};
use crate::sql::personal_data as sql;

#[async_trait]
impl PersonalDataStore for SqliteStorage {
    async fn export_people(
        &self,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<PersonExport>, StorageError> {
        let Some(from) = people_bound(after) else {
            return Ok(Vec::new());
        };
        sqlx::query_as::<_, PersonExportRow<i64>>(sql::EXPORT_PEOPLE)
            .bind(from)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(storage_error)?
            .into_iter()
            .map(|row| row.into_export(from_micros))
            .collect()
    }

    async fn export_activity(
        &self,
        filter: ActivityFilter,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ActivityExport>, StorageError> {
        sqlx::query_as::<_, ActivityExportRow<i64>>(sql::EXPORT_ACTIVITY)
            .bind(id_bound(after))
            .bind(filter.user.map(|u| u.0))
            .bind(filter.since.map(micros))
            .bind(filter.until.map(micros))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(storage_error)?
            .into_iter()
            .map(|row| row.into_export(from_micros))
            .collect()
    }

    async fn export_attempts(
        &self,
        filter: AttemptFilter,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AttemptExport>, StorageError> {
        sqlx::query_as::<_, AttemptExportRow<i64>>(sql::EXPORT_ATTEMPTS)
            .bind(id_bound(after))
            .bind(filter.user.map(|u| u.0))
            .bind(filter.finished_quizzes_only)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(storage_error)?
            .into_iter()
            .map(|row| row.into_export(from_micros))
            .collect()
    }

    async fn export_answers(
        &self,
        user: UserId,
        after: Option<(i64, u16)>,
        limit: u32,
    ) -> Result<Vec<AnswerExport>, StorageError> {
        let (attempt, position) = answer_bound(after);
        sqlx::query_as::<_, AnswerExportRow<i64>>(sql::EXPORT_ANSWERS)
            .bind(user.0)
            .bind(attempt)
            .bind(position)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(storage_error)?
            .into_iter()
            .map(|row| row.into_export(from_micros))
            .collect()
    }

    async fn certificates_of(&self, user: UserId) -> Result<Vec<Certificate>, StorageError> {
        sqlx::query_as::<_, CertificateRow<i64>>(sql::CERTIFICATES_OF)
            .bind(user.0)
            .fetch_all(&self.pool)
            .await
            .map_err(storage_error)?
            .into_iter()
            .map(|row| row.into_certificate(from_micros))
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
            .bind(micros(at))
            .execute(&self.pool)
            .await
            .map_err(storage_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn deletion_requested(
        &self,
        user: UserId,
    ) -> Result<Option<OffsetDateTime>, StorageError> {
        sqlx::query_scalar::<_, i64>(sql::DELETION_REQUESTED)
            .bind(user.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(storage_error)?
            .map(from_micros)
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
            .bind(micros(at))
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
