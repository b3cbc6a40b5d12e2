//! The admin port (audit log, people statistics and list), written once for both
//! backends: the statements are shared (`sql/admin.rs`), so are the rows
//! (`records/admin.rs`); only how a time is bound and read differs.

/// Implements `AdminStore` for a backend whose stored time is `$time`: `$to_db`
/// turns an `OffsetDateTime` into what it binds, `$from_db` reads one back.
macro_rules! impl_admin_store {
    ($storage:ty, $time:ty, $to_db:path, $from_db:path) => {
        use domain::ids::UserId;
        use engine::ports::{
            AdminStore, AuditEntry, PeopleStats, PersonStatus, PersonSummary, StorageError,
        };
        use time::OffsetDateTime;

        use crate::error::storage_error;
        use crate::records::admin::{
            AuditRow, CountsRow, GroupRow, PersonRow, audit_bound, count, people_bound,
            people_stats, stats_windows, status_code,
        };
        use crate::sql::admin as sql;

        #[async_trait::async_trait]
        impl AdminStore for $storage {
            async fn record_audit(&self, entry: &AuditEntry) -> Result<(), StorageError> {
                sqlx::query(sql::RECORD_AUDIT)
                    .bind($to_db(entry.at))
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
                sqlx::query_as::<_, AuditRow<$time>>(sql::AUDIT_ENTRIES)
                    .bind(audit_bound(before))
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(storage_error)?
                    .into_iter()
                    .map(|row| row.into_entry($from_db))
                    .collect()
            }

            async fn people_stats(
                &self,
                now: OffsetDateTime,
                park: Option<&str>,
            ) -> Result<PeopleStats, StorageError> {
                let [now, day, week, month] = stats_windows(now).map($to_db);
                let counts: CountsRow = sqlx::query_as(sql::PEOPLE_COUNTS)
                    .bind(now)
                    .bind(day)
                    .bind(week)
                    .bind(month)
                    .bind(park)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(storage_error)?;
                let parks: Vec<GroupRow> = sqlx::query_as(sql::PEOPLE_BY_PARK)
                    .bind(park)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(storage_error)?;
                let departments: Vec<GroupRow> = sqlx::query_as(sql::PEOPLE_BY_DEPARTMENT)
                    .bind(park)
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
                sqlx::query_as::<_, PersonRow<$time>>(sql::PEOPLE)
                    .bind(status_code(status))
                    .bind(from)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(storage_error)?
                    .into_iter()
                    .map(|row| row.into_summary($from_db))
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
    };
}

pub(crate) use impl_admin_store;
