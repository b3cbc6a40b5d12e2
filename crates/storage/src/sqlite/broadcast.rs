//! The broadcast port on SQLite (the statements are shared: `crate::broadcast`).

use domain::ids::UserId;
use engine::ports::StorageError;
use sqlx::{Sqlite, Transaction};

use super::{SqliteStorage, from_micros, micros};
use crate::broadcast::impl_broadcast_store;
use crate::error::storage_error;

const INSERT_RECIPIENT: &str = "INSERT INTO broadcast_recipients \
     (broadcast_id, user_id, updated_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";

impl SqliteStorage {
    /// One prepared statement in a loop: SQLite is in-process, so this is as fast as
    /// a multi-row insert without building SQL text.
    async fn insert_recipients(
        tx: &mut Transaction<'_, Sqlite>,
        id: i64,
        recipients: &[UserId],
        now: i64,
    ) -> Result<(), StorageError> {
        for user in recipients {
            sqlx::query(INSERT_RECIPIENT)
                .bind(id)
                .bind(user.0)
                .bind(now)
                .execute(&mut **tx)
                .await
                .map_err(storage_error)?;
        }
        Ok(())
    }
}

impl_broadcast_store!(SqliteStorage, i64, micros, from_micros);
