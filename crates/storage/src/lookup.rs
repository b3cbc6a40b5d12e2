//! The look-up port ([`engine::ports::LookupStore`]: people search, most-read
//! pages, statistics by park), written once for both backends, plus the one-off
//! filling of search keys for people known before migration 0007. SQL in
//! `sql/lookup.rs`, rows in `records/lookup.rs`; the two statements whose
//! dialects differ are the backend's (`Dialect::VIEWS_BY_SLOT`, `Dialect::OVERDUE`).

use crate::stamp::Stamp;
use crate::store::on_every_backend;
use engine::ports::LookupStore;

on_every_backend! {
    impl LookupStore {
        async fn search_people(
            &self,
            query: &engine::ports::PeopleQuery,
            park: Option<&str>,
            limit: u32,
        ) -> Result<Vec<engine::ports::PersonSummary>, engine::ports::StorageError> {
            sqlx::query_as::<_, crate::records::admin::PersonRow>(
                crate::sql::lookup::SEARCH_PEOPLE,
            )
            .bind(query.id())
            .bind(crate::records::lookup::contains_pattern(query.needle()))
            .bind(i64::from(limit))
            .bind(park)
            .fetch_all(DB::on(&self.pool))
            .await
            .map_err(crate::error::storage_error)?
            .into_iter()
            .map(|row| row.into_summary())
            .collect()
        }

        /// As [`engine::ports::AdminStore::people`], within a park and a department.
        async fn filtered_people(
            &self,
            filter: &engine::ports::PeopleFilter,
            after: Option<domain::ids::UserId>,
            limit: u32,
        ) -> Result<Vec<engine::ports::PersonSummary>, engine::ports::StorageError> {
            let Some(from) = crate::records::admin::people_bound(after) else {
                return Ok(Vec::new());
            };
            sqlx::query_as::<_, crate::records::admin::PersonRow>(
                crate::sql::lookup::FILTERED_PEOPLE,
            )
            .bind(crate::records::admin::status_code(filter.status))
            .bind(from)
            .bind(i64::from(limit))
            .bind(&filter.park)
            .bind(&filter.department)
            .fetch_all(DB::on(&self.pool))
            .await
            .map_err(crate::error::storage_error)?
            .into_iter()
            .map(|row| row.into_summary())
            .collect()
        }

        async fn count_filtered_people(
            &self,
            filter: &engine::ports::PeopleFilter,
        ) -> Result<u64, engine::ports::StorageError> {
            let n: i64 = sqlx::query_scalar(crate::sql::lookup::COUNT_FILTERED_PEOPLE)
                .bind(crate::records::admin::status_code(filter.status))
                .bind(&filter.park)
                .bind(&filter.department)
                .fetch_one(DB::on(&self.pool))
                .await
                .map_err(crate::error::storage_error)?;
            crate::records::admin::count("people", n)
        }

        async fn top_pages(
            &self,
            limit: u32,
            park: Option<&str>,
        ) -> Result<Vec<engine::ports::PageReaders>, engine::ports::StorageError> {
            sqlx::query_as::<_, crate::records::lookup::PageRow>(
                crate::sql::lookup::TOP_PAGES,
            )
            .bind(i64::from(limit))
            .bind(park)
            .fetch_all(DB::on(&self.pool))
            .await
            .map_err(crate::error::storage_error)?
            .into_iter()
            .map(crate::records::lookup::PageRow::into_readers)
            .collect()
        }

        async fn quiz_stats(
            &self,
            park: Option<&str>,
        ) -> Result<engine::ports::QuizStats, engine::ports::StorageError> {
            Ok(engine::ports::QuizStats {
                by_quiz: self
                    .quiz_groups(crate::sql::lookup::QUIZ_STATS_BY_QUIZ, park)
                    .await?,
                by_department: self
                    .quiz_groups(crate::sql::lookup::QUIZ_STATS_BY_DEPARTMENT, park)
                    .await?,
                by_park: self
                    .quiz_groups(crate::sql::lookup::QUIZ_STATS_BY_PARK, park)
                    .await?,
            })
        }

        async fn answer_counts(
            &self,
            filter: &engine::ports::AnswerFilter,
        ) -> Result<Vec<engine::ports::AnswerCount>, engine::ports::StorageError> {
            let rows: Vec<crate::records::lookup::AnswerCountRow> =
                sqlx::query_as(crate::sql::lookup::ANSWER_COUNTS)
                    .bind(filter.park.as_deref())
                    .bind(filter.department.as_deref())
                    .fetch_all(DB::on(&self.pool))
                    .await
                    .map_err(crate::error::storage_error)?;
            crate::records::lookup::answer_counts(rows)
        }

        async fn count_certified(
            &self,
            park: Option<&str>,
        ) -> Result<u64, engine::ports::StorageError> {
            let n: i64 = sqlx::query_scalar(crate::sql::lookup::COUNT_CERTIFIED)
                .bind(park)
                .fetch_one(DB::on(&self.pool))
                .await
                .map_err(crate::error::storage_error)?;
            crate::records::admin::count("certified people", n)
        }

        /// Slots are aligned to quarter hours since the Unix epoch, in UTC.
        async fn page_views_by_slot(
            &self,
            park: &str,
            since: time::OffsetDateTime,
        ) -> Result<Vec<engine::ports::ViewsAt>, engine::ports::StorageError> {
            sqlx::query_as::<_, crate::records::lookup::SlotRow>(DB::VIEWS_BY_SLOT)
                .bind(park)
                .bind(Stamp(since))
                .fetch_all(DB::on(&self.pool))
                .await
                .map_err(crate::error::storage_error)?
                .into_iter()
                .map(crate::records::lookup::SlotRow::into_views)
                .collect()
        }

        async fn overdue(
            &self,
            paths: &[engine::ports::PathDeadline],
            park: Option<&str>,
        ) -> Result<Vec<engine::ports::OverdueLearner>, engine::ports::StorageError> {
            if paths.is_empty() {
                return Ok(Vec::new());
            }
            let (departments, items) = crate::records::lookup::overdue_params(paths);
            sqlx::query_as::<_, crate::records::lookup::OverdueRow>(DB::OVERDUE)
                .bind(departments)
                .bind(items)
                .bind(park)
                .fetch_all(DB::on(&self.pool))
                .await
                .map_err(crate::error::storage_error)?
                .into_iter()
                .map(|row| row.into_learner())
                .collect()
        }
    }
}

on_every_backend! {
    impl Store {
        /// One of the `QUIZ_STATS_BY_*` groupings, of one park's people or of all.
        async fn quiz_groups(
            &self,
            statement: &'static str,
            park: Option<&str>,
        ) -> Result<Vec<engine::ports::QuizGroup>, engine::ports::StorageError> {
            let rows: Vec<crate::records::lookup::QuizGroupRow> = sqlx::query_as(statement)
                .bind(park)
                .fetch_all(DB::on(&self.pool))
                .await
                .map_err(crate::error::storage_error)?;
            crate::records::lookup::quiz_groups(rows)
        }

        /// Gives everyone without a search key one, in batches; run after
        /// migrating, so people known before migration 0007 can be found
        /// before they write again. Idempotent and cheap when nothing is left.
        pub async fn fill_search_keys(&self) -> Result<(), engine::ports::StorageError> {
            const BATCH: i64 = 500;
            loop {
                let rows: Vec<crate::records::lookup::NamesRow> =
                    sqlx::query_as(crate::sql::lookup::UNKEYED_PEOPLE)
                        .bind(BATCH)
                        .fetch_all(DB::on(&self.pool))
                        .await
                        .map_err(crate::error::storage_error)?;
                let mut tx = self
                    .pool
                    .begin()
                    .await
                    .map_err(crate::error::storage_error)?;
                for row in &rows {
                    sqlx::query(crate::sql::lookup::SET_SEARCH_KEY)
                        .bind(row.id)
                        .bind(row.search_key())
                        .execute(DB::in_tx(&mut tx))
                        .await
                        .map_err(crate::error::storage_error)?;
                }
                tx.commit().await.map_err(crate::error::storage_error)?;
                if rows.len() < BATCH as usize {
                    return Ok(());
                }
            }
        }
    }
}
