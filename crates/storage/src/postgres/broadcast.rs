//! The broadcast port on PostgreSQL (the statements are shared: `crate::broadcast`).

use domain::ids::UserId;
use engine::ports::StorageError;
use sqlx::{Postgres, Transaction};
use time::OffsetDateTime;

use super::{PostgresStorage, at, utc};
use crate::broadcast::impl_broadcast_store;
use crate::error::storage_error;

/// Every recipient in one statement, whatever their number.
const INSERT_RECIPIENTS: &str = "INSERT INTO broadcast_recipients \
     (broadcast_id, user_id, updated_at) SELECT $1, u, $3 FROM UNNEST($2::bigint[]) AS u \
     ON CONFLICT DO NOTHING";

impl PostgresStorage {
    async fn insert_recipients(
        tx: &mut Transaction<'_, Postgres>,
        id: i64,
        recipients: &[UserId],
        now: OffsetDateTime,
    ) -> Result<(), StorageError> {
        let ids: Vec<i64> = recipients.iter().map(|u| u.0).collect();
        sqlx::query(INSERT_RECIPIENTS)
            .bind(id)
            .bind(ids)
            .bind(now)
            .execute(&mut **tx)
            .await
            .map_err(storage_error)?;
        Ok(())
    }
}

impl_broadcast_store!(PostgresStorage, OffsetDateTime, at, utc);
