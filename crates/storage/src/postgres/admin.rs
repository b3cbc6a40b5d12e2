//! The admin port on PostgreSQL.

use async_trait::async_trait;
use domain::ids::UserId;
use engine::ports::{
    AdminStore, AuditEntry, PeopleStats, PersonStatus, PersonSummary, StorageError,
};
use time::OffsetDateTime;

use super::{PostgresStorage, utc};
use crate::error::storage_error;
use crate::records::admin::{
    AuditRow, CountsRow, GroupRow, PersonRow, audit_bound, count, people_bound, people_stats,
    stats_windows, status_code,
};
use crate::sql::admin as sql;

#[async_trait]
impl AdminStore for PostgresStorage {
    async fn record_audit(&self, entry: &AuditEntry) -> Result<(), StorageError> {
        sqlx::query(sql::RECORD_AUDIT)
            .bind(entry.at)
            .bind(entry.actor.0)
            .bind(&entry.action)
            .bind(&entry.detail)
            .execute(&self.pool)
            .await
            .map_err(storage_error)?;
        Ok(())
    }

    async fn audit_entries(
        &self,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StorageError> {
        sqlx::query_as::<_, AuditRow<OffsetDateTime>>(sql::AUDIT_ENTRIES)
            .bind(audit_bound(before))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(storage_error)?
            .into_iter()
            .map(|row| row.into_entry(utc))
            .collect()
    }

    async fn people_stats(&self, now: OffsetDateTime) -> Result<PeopleStats, StorageError> {
        let [now, day, week, month] = stats_windows(now);
        let counts: CountsRow = sqlx::query_as(sql::PEOPLE_COUNTS)
            .bind(now)
            .bind(day)
            .bind(week)
            .bind(month)
            .fetch_one(&self.pool)
            .await
            .map_err(storage_error)?;
        let parks: Vec<GroupRow> = sqlx::query_as(sql::PEOPLE_BY_PARK)
            .fetch_all(&self.pool)
            .await
            .map_err(storage_error)?;
        let departments: Vec<GroupRow> = sqlx::query_as(sql::PEOPLE_BY_DEPARTMENT)
            .fetch_all(&self.pool)
            .await
            .map_err(storage_error)?;
        people_stats(counts, parks, departments)
    }

    async fn people(
        &self,
        status: PersonStatus,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<PersonSummary>, StorageError> {
        let Some(from) = people_bound(after) else {
            return Ok(Vec::new());
        };
        sqlx::query_as::<_, PersonRow<OffsetDateTime>>(sql::PEOPLE)
            .bind(status_code(status))
            .bind(from)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(storage_error)?
            .into_iter()
            .map(|row| row.into_summary(utc))
            .collect()
    }

    async fn count_people(&self, status: PersonStatus) -> Result<u64, StorageError> {
        let n: i64 = sqlx::query_scalar(sql::COUNT_PEOPLE)
            .bind(status_code(status))
            .fetch_one(&self.pool)
            .await
            .map_err(storage_error)?;
        count("people", n)
    }
}
