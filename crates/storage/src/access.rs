//! The access port ([`engine::ports::AccessStore`]) for both backends. The code is
//! the same text for SQLite and PostgreSQL except for the stored time type, so it
//! is written once, as a macro each backend module expands with its time
//! conversions (SQL in `sql/access.rs`, rows in `records/access.rs`).

/// Implements `AccessStore` for `$storage`, whose stored time is `$time`, written
/// with `$to_db(OffsetDateTime) -> $time` and read with
/// `$from_db($time) -> Result<OffsetDateTime, StorageError>`.
macro_rules! impl_access_store {
    ($storage:ty, $time:ty, $to_db:path, $from_db:path) => {
        #[async_trait::async_trait]
        impl engine::ports::AccessStore for $storage {
            async fn has_access(
                &self,
                user: domain::ids::UserId,
            ) -> Result<bool, engine::ports::StorageError> {
                let n: i64 = sqlx::query_scalar($crate::sql::access::HAS_ACCESS)
                    .bind(user.0)
                    .fetch_one(&self.pool)
                    .await
                    .map_err($crate::error::storage_error)?;
                Ok(n > 0)
            }

            async fn grant_access(
                &self,
                user: domain::ids::UserId,
                via: &str,
                now: time::OffsetDateTime,
            ) -> Result<(), engine::ports::StorageError> {
                sqlx::query($crate::sql::access::GRANT_ACCESS)
                    .bind(user.0)
                    .bind($to_db(now))
                    .bind(via)
                    .execute(&self.pool)
                    .await
                    .map_err($crate::error::storage_error)?;
                Ok(())
            }

            async fn create_invite(
                &self,
                invite: &engine::ports::NewInvite,
            ) -> Result<engine::ports::Invite, engine::ports::StorageError> {
                sqlx::query_as::<_, $crate::records::access::InviteRow<$time>>(
                    $crate::sql::access::CREATE_INVITE,
                )
                .bind(&invite.code)
                .bind(&invite.park)
                .bind(&invite.department)
                .bind(invite.created_by.0)
                .bind($to_db(invite.created_at))
                .bind($to_db(invite.expires_at))
                .bind(invite.max_uses.map(i64::from))
                .fetch_one(&self.pool)
                .await
                .map_err($crate::error::storage_error)?
                .into_invite($from_db)
            }

            async fn active_invites(
                &self,
                now: time::OffsetDateTime,
                limit: u32,
            ) -> Result<Vec<engine::ports::Invite>, engine::ports::StorageError> {
                sqlx::query_as::<_, $crate::records::access::InviteRow<$time>>(
                    $crate::sql::access::ACTIVE_INVITES,
                )
                .bind($to_db(now))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err($crate::error::storage_error)?
                .into_iter()
                .map(|row| row.into_invite($from_db))
                .collect()
            }

            async fn revoke_invite(
                &self,
                id: i64,
                now: time::OffsetDateTime,
            ) -> Result<bool, engine::ports::StorageError> {
                let done = sqlx::query($crate::sql::access::REVOKE_INVITE)
                    .bind(id)
                    .bind($to_db(now))
                    .execute(&self.pool)
                    .await
                    .map_err($crate::error::storage_error)?;
                Ok(done.rows_affected() == 1)
            }

            async fn redeem_invite(
                &self,
                code: &str,
                user: domain::ids::UserId,
                now: time::OffsetDateTime,
            ) -> Result<engine::ports::Redemption, engine::ports::StorageError> {
                use $crate::records::access::{InviteRow, invite_grant, refusal};
                let mut tx = self
                    .pool
                    .begin()
                    .await
                    .map_err($crate::error::storage_error)?;
                let used = sqlx::query_as::<_, InviteRow<$time>>($crate::sql::access::USE_INVITE)
                    .bind(code)
                    .bind($to_db(now))
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err($crate::error::storage_error)?;
                let Some(row) = used else {
                    let found =
                        sqlx::query_as::<_, InviteRow<$time>>($crate::sql::access::INVITE_BY_CODE)
                            .bind(code)
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err($crate::error::storage_error)?;
                    return match found {
                        Some(row) => Ok(refusal(&row.into_invite($from_db)?, now)),
                        None => Ok(engine::ports::Redemption::Unknown),
                    };
                };
                let invite = row.into_invite($from_db)?;
                sqlx::query($crate::sql::access::GRANT_ACCESS)
                    .bind(user.0)
                    .bind($to_db(now))
                    .bind(invite_grant(&invite))
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::error::storage_error)?;
                tx.commit().await.map_err($crate::error::storage_error)?;
                Ok(engine::ports::Redemption::Admitted(invite))
            }

            async fn request_access(
                &self,
                user: domain::ids::UserId,
                name: &str,
                now: time::OffsetDateTime,
            ) -> Result<bool, engine::ports::StorageError> {
                let done = sqlx::query($crate::sql::access::REQUEST_ACCESS)
                    .bind(user.0)
                    .bind(name)
                    .bind($to_db(now))
                    .execute(&self.pool)
                    .await
                    .map_err($crate::error::storage_error)?;
                Ok(done.rows_affected() == 1)
            }

            async fn access_request(
                &self,
                user: domain::ids::UserId,
            ) -> Result<Option<engine::ports::AccessRequest>, engine::ports::StorageError> {
                sqlx::query_as::<_, $crate::records::access::RequestRow<$time>>(
                    $crate::sql::access::ACCESS_REQUEST,
                )
                .bind(user.0)
                .fetch_optional(&self.pool)
                .await
                .map_err($crate::error::storage_error)?
                .map(|row| row.into_request($from_db))
                .transpose()
            }

            async fn pending_requests(
                &self,
                limit: u32,
            ) -> Result<Vec<engine::ports::AccessRequest>, engine::ports::StorageError> {
                sqlx::query_as::<_, $crate::records::access::RequestRow<$time>>(
                    $crate::sql::access::PENDING_REQUESTS,
                )
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err($crate::error::storage_error)?
                .into_iter()
                .map(|row| row.into_request($from_db))
                .collect()
            }

            async fn count_pending_requests(&self) -> Result<u64, engine::ports::StorageError> {
                let n: i64 = sqlx::query_scalar($crate::sql::access::COUNT_PENDING_REQUESTS)
                    .fetch_one(&self.pool)
                    .await
                    .map_err($crate::error::storage_error)?;
                $crate::records::admin::count("pending requests", n)
            }

            async fn decide_request(
                &self,
                user: domain::ids::UserId,
                approve: bool,
                by: domain::ids::UserId,
                now: time::OffsetDateTime,
            ) -> Result<bool, engine::ports::StorageError> {
                use $crate::records::access::{approval_grant, decision};
                let mut tx = self
                    .pool
                    .begin()
                    .await
                    .map_err($crate::error::storage_error)?;
                let done = sqlx::query($crate::sql::access::DECIDE_REQUEST)
                    .bind(user.0)
                    .bind(decision(approve))
                    .bind(by.0)
                    .bind($to_db(now))
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::error::storage_error)?;
                if done.rows_affected() != 1 {
                    return Ok(false);
                }
                if approve {
                    sqlx::query($crate::sql::access::GRANT_ACCESS)
                        .bind(user.0)
                        .bind($to_db(now))
                        .bind(approval_grant(by))
                        .execute(&mut *tx)
                        .await
                        .map_err($crate::error::storage_error)?;
                }
                tx.commit().await.map_err($crate::error::storage_error)?;
                Ok(true)
            }
        }
    };
}

pub(crate) use impl_access_store;
