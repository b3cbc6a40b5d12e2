//! The admin port ([`engine::ports::AdminStore`]: the append-only audit log, the
//! people statistics and the paged people list), written once for both backends;
//! SQL in `sql/admin.rs`, rows in `records/admin.rs`.

use crate::error::storage_error;
use crate::records::admin::{
    AuditRow, CountsRow, GroupRow, PersonRow, audit_bound, count, people_bound, people_stats,
    stats_windows, status_code,
};
use crate::sql::admin as sql;
use crate::stamp::Stamp;
use crate::store::on_every_backend;
use domain::ids::UserId;
use engine::ports::{
    AdminStore, AuditEntry, PeopleStats, PersonStatus, PersonSummary, StorageError,
};
use time::OffsetDateTime;

on_every_backend! {
    impl AdminStore {
        /// Appends; `entry.id` is ignored and assigned by the database.
        async fn record_audit(&self, entry: &AuditEntry) -> Result<(), StorageError> {
            sqlx::query(sql::RECORD_AUDIT)
                .bind(Stamp(entry.at))
                .bind(entry.actor.0)
                .bind(&entry.action)
                .bind(&entry.detail)
                .execute(DB::on(&self.pool))
                .await
                .map_err(storage_error)?;
            Ok(())
        }

        /// Ordered by id, the order of writing (not by `at`).
        async fn audit_entries(
            &self,
            before: Option<i64>,
            limit: u32,
        ) -> Result<Vec<AuditEntry>, StorageError> {
            sqlx::query_as::<_, AuditRow>(sql::AUDIT_ENTRIES)
                .bind(audit_bound(before))
                .bind(i64::from(limit))
                .fetch_all(DB::on(&self.pool))
                .await
                .map_err(storage_error)?
                .into_iter()
                .map(|row| row.into_entry())
                .collect()
        }

        /// A window is `[now - span, now]`: a time after `now` counts in none. No park
        /// (department) and an empty one are the same group, `""`; equal counts are
        /// ordered by id byte by byte. The counts and the two groupings are three
        /// reads, not one snapshot.
        async fn people_stats(
            &self,
            now: OffsetDateTime,
            park: Option<&str>,
        ) -> Result<PeopleStats, StorageError> {
            let [now, day, week, month] = stats_windows(now).map(Stamp);
            let counts: CountsRow = sqlx::query_as(sql::PEOPLE_COUNTS)
                .bind(now)
                .bind(day)
                .bind(week)
                .bind(month)
                .bind(park)
                .fetch_one(DB::on(&self.pool))
                .await
                .map_err(storage_error)?;
            let parks: Vec<GroupRow> = sqlx::query_as(sql::PEOPLE_BY_PARK)
                .bind(park)
                .fetch_all(DB::on(&self.pool))
                .await
                .map_err(storage_error)?;
            let departments: Vec<GroupRow> = sqlx::query_as(sql::PEOPLE_BY_DEPARTMENT)
                .bind(park)
                .fetch_all(DB::on(&self.pool))
                .await
                .map_err(storage_error)?;
            people_stats(counts, parks, departments)
        }

        /// Ordered by ascending id; `after` is exclusive and need not be an existing
        /// id. Each page is its own read: a walk never shows anyone twice, but a person
        /// whose status changes during it may be missed.
        async fn people(
            &self,
            status: PersonStatus,
            after: Option<UserId>,
            limit: u32,
        ) -> Result<Vec<PersonSummary>, StorageError> {
            let Some(from) = people_bound(after) else {
                return Ok(Vec::new());
            };
            sqlx::query_as::<_, PersonRow>(sql::PEOPLE)
                .bind(status_code(status))
                .bind(from)
                .bind(i64::from(limit))
                .fetch_all(DB::on(&self.pool))
                .await
                .map_err(storage_error)?
                .into_iter()
                .map(|row| row.into_summary())
                .collect()
        }

        async fn count_people(&self, status: PersonStatus) -> Result<u64, StorageError> {
            let n: i64 = sqlx::query_scalar(sql::COUNT_PEOPLE)
                .bind(status_code(status))
                .fetch_one(DB::on(&self.pool))
                .await
                .map_err(storage_error)?;
            count("people", n)
        }
    }
}
