//! The roles port ([`engine::ports::RoleStore`]), written once for both backends;
//! SQL in `sql/roles.rs`, rows in `records/roles.rs`.

use crate::error::storage_error;
use crate::records::roles::RoleRow;
use crate::sql::roles as sql;
use crate::stamp::Stamp;
use crate::store::{RowsAffected, on_every_backend};
use domain::ids::UserId;
use engine::ports::{Role, RoleGrant, RoleStore, StorageError};
use time::OffsetDateTime;

on_every_backend! {
    impl RoleStore {
        async fn role_of(&self, user: UserId) -> Result<Option<RoleGrant>, StorageError> {
            sqlx::query_as::<_, RoleRow>(sql::ROLE_OF)
                .bind(user.0)
                .fetch_optional(DB::on(&self.pool))
                .await
                .map_err(storage_error)?
                .map(|row| row.into_grant())
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
                .bind(Stamp(at))
                .execute(DB::on(&self.pool))
                .await
                .map_err(storage_error)?;
            Ok(())
        }

        async fn revoke_role(&self, user: UserId) -> Result<bool, StorageError> {
            let done = sqlx::query(sql::REVOKE_ROLE)
                .bind(user.0)
                .execute(DB::on(&self.pool))
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
                .execute(DB::on(&self.pool))
                .await
                .map_err(storage_error)?;
            Ok(done.rows_affected() > 0)
        }

        async fn role_holders(&self) -> Result<Vec<RoleGrant>, StorageError> {
            sqlx::query_as::<_, RoleRow>(sql::ROLE_HOLDERS)
                .fetch_all(DB::on(&self.pool))
                .await
                .map_err(storage_error)?
                .into_iter()
                .map(|row| row.into_grant())
                .collect()
        }
    }
}
