//! The look-up port ([`engine::ports::LookupStore`]) for both backends, written
//! once as a macro each backend expands with its stored time conversion (SQL in
//! `sql/lookup.rs`, rows in `records/lookup.rs`), plus the one-off filling of
//! search keys for people known before migration 0007.

/// Implements `LookupStore` and `fill_search_keys` for `$storage`, whose stored
/// time is `$time`, read with `$from_db($time) -> Result<OffsetDateTime, StorageError>`.
macro_rules! impl_lookup_store {
    ($storage:ty, $time:ty, $from_db:path) => {
        #[async_trait::async_trait]
        impl engine::ports::LookupStore for $storage {
            async fn search_people(
                &self,
                query: &engine::ports::PeopleQuery,
                limit: u32,
            ) -> Result<Vec<engine::ports::PersonSummary>, engine::ports::StorageError> {
                sqlx::query_as::<_, $crate::records::admin::PersonRow<$time>>(
                    $crate::sql::lookup::SEARCH_PEOPLE,
                )
                .bind(query.id())
                .bind($crate::records::lookup::contains_pattern(query.needle()))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err($crate::error::storage_error)?
                .into_iter()
                .map(|row| row.into_summary($from_db))
                .collect()
            }

            async fn top_pages(
                &self,
                limit: u32,
            ) -> Result<Vec<engine::ports::PageReaders>, engine::ports::StorageError> {
                sqlx::query_as::<_, $crate::records::lookup::PageRow>(
                    $crate::sql::lookup::TOP_PAGES,
                )
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err($crate::error::storage_error)?
                .into_iter()
                .map($crate::records::lookup::PageRow::into_readers)
                .collect()
            }
        }

        impl $storage {
            /// Gives everyone without a search key one, in batches; run after
            /// migrating, so people known before migration 0007 can be found
            /// before they write again. Idempotent and cheap when nothing is left.
            pub async fn fill_search_keys(&self) -> Result<(), engine::ports::StorageError> {
                const BATCH: i64 = 500;
                loop {
                    let rows: Vec<$crate::records::lookup::NamesRow> =
                        sqlx::query_as($crate::sql::lookup::UNKEYED_PEOPLE)
                            .bind(BATCH)
                            .fetch_all(&self.pool)
                            .await
                            .map_err($crate::error::storage_error)?;
                    let mut tx = self
                        .pool
                        .begin()
                        .await
                        .map_err($crate::error::storage_error)?;
                    for row in &rows {
                        sqlx::query($crate::sql::lookup::SET_SEARCH_KEY)
                            .bind(row.id)
                            .bind(row.search_key())
                            .execute(&mut *tx)
                            .await
                            .map_err($crate::error::storage_error)?;
                    }
                    tx.commit().await.map_err($crate::error::storage_error)?;
                    if rows.len() < BATCH as usize {
                        return Ok(());
                    }
                }
            }
        }
    };
}

pub(crate) use impl_lookup_store;
