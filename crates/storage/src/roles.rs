//! The roles port ([`engine::ports::RoleStore`]) for both backends, written once as
//! a macro each backend module expands with its time conversions (SQL in
//! `sql/roles.rs`, rows in `records/roles.rs`).

/// Implements `RoleStore` for `$storage`, whose stored time is `$time`, written
/// with `$to_db(OffsetDateTime) -> $time` and read with
/// `$from_db($time) -> Result<OffsetDateTime, StorageError>`.
macro_rules! impl_role_store {
    ($storage:ty, $time:ty, $to_db:path, $from_db:path) => {
        use domain::ids::UserId;
        use engine::ports::{Role, RoleGrant, RoleStore, StorageError};
        use time::OffsetDateTime;

        use crate::error::storage_error;
        use crate::records::roles::RoleRow;
        use crate::sql::roles as sql;

        #[async_trait::async_trait]
        impl RoleStore for $storage {
            async fn role_of(&self, user: UserId) -> Result<Option<RoleGrant>, StorageError> {
                sqlx::query_as::<_, RoleRow<$time>>(sql::ROLE_OF)
                    .bind(user.0)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(storage_error)?
                    .map(|row| row.into_grant($from_db))
                    .transpose()
            }

            async fn grant_role(
                &self,
                user: UserId,
                role: &Role,
                by: UserId,
                at: OffsetDateTime,
            ) -> Result<(), StorageError> {
                sqlx::query(sql::GRANT_ROLE)
                    .bind(user.0)
                    .bind(role.code())
                    .bind(role.park())
                    .bind(by.0)
                    .bind($to_db(at))
                    .execute(&self.pool)
                    .await
                    .map_err(storage_error)?;
                Ok(())
            }

            async fn revoke_role(&self, user: UserId) -> Result<bool, StorageError> {
                let done = sqlx::query(sql::REVOKE_ROLE)
                    .bind(user.0)
                    .execute(&self.pool)
                    .await
                    .map_err(storage_error)?;
                Ok(done.rows_affected() > 0)
            }

            async fn set_role_password(
                &self,
                user: UserId,
                hash: &str,
            ) -> Result<bool, StorageError> {
                let done = sqlx::query(sql::SET_ROLE_PASSWORD)
                    .bind(user.0)
                    .bind(hash)
                    .execute(&self.pool)
                    .await
                    .map_err(storage_error)?;
                Ok(done.rows_affected() > 0)
            }

            async fn role_holders(&self) -> Result<Vec<RoleGrant>, StorageError> {
                sqlx::query_as::<_, RoleRow<$time>>(sql::ROLE_HOLDERS)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(storage_error)?
                    .into_iter()
                    .map(|row| row.into_grant($from_db))
                    .collect()
            }
        }
    };
}

pub(crate) use impl_role_store;
