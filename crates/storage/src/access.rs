//! The access port ([`engine::ports::AccessStore`]: grants, invites, requests),
//! written once for both backends; SQL in `sql/access.rs`, rows in
//! `records/access.rs`.

use crate::stamp::Stamp;
use crate::store::{RowsAffected, on_every_backend};
use engine::ports::AccessStore;

on_every_backend! {
    impl AccessStore {
        async fn has_access(
            &self,
            user: domain::ids::UserId,
        ) -> Result<bool, engine::ports::StorageError> {
            let n: i64 = sqlx::query_scalar(crate::sql::access::HAS_ACCESS)
                .bind(user.0)
                .fetch_one(DB::on(&self.pool))
                .await
                .map_err(crate::error::storage_error)?;
            Ok(n > 0)
        }

        async fn grant_access(
            &self,
            user: domain::ids::UserId,
            via: &str,
            now: time::OffsetDateTime,
        ) -> Result<(), engine::ports::StorageError> {
            sqlx::query(crate::sql::access::GRANT_ACCESS)
                .bind(user.0)
                .bind(Stamp(now))
                .bind(via)
                .execute(DB::on(&self.pool))
                .await
                .map_err(crate::error::storage_error)?;
            Ok(())
        }

        async fn create_invite(
            &self,
            invite: &engine::ports::NewInvite,
        ) -> Result<engine::ports::Invite, engine::ports::StorageError> {
            sqlx::query_as::<_, crate::records::access::InviteRow>(
                crate::sql::access::CREATE_INVITE,
            )
            .bind(&invite.code)
            .bind(&invite.park)
            .bind(&invite.department)
            .bind(invite.created_by.0)
            .bind(Stamp(invite.created_at))
            .bind(Stamp(invite.expires_at))
            .bind(invite.max_uses.map(i64::from))
            .fetch_one(DB::on(&self.pool))
            .await
            .map_err(crate::error::storage_error)?
            .into_invite()
        }

        async fn active_invites(
            &self,
            now: time::OffsetDateTime,
            limit: u32,
        ) -> Result<Vec<engine::ports::Invite>, engine::ports::StorageError> {
            sqlx::query_as::<_, crate::records::access::InviteRow>(
                crate::sql::access::ACTIVE_INVITES,
            )
            .bind(Stamp(now))
            .bind(i64::from(limit))
            .fetch_all(DB::on(&self.pool))
            .await
            .map_err(crate::error::storage_error)?
            .into_iter()
            .map(|row| row.into_invite())
            .collect()
        }

        async fn revoke_invite(
            &self,
            id: i64,
            now: time::OffsetDateTime,
        ) -> Result<bool, engine::ports::StorageError> {
            let done = sqlx::query(crate::sql::access::REVOKE_INVITE)
                .bind(id)
                .bind(Stamp(now))
                .execute(DB::on(&self.pool))
                .await
                .map_err(crate::error::storage_error)?;
            Ok(done.rows_affected() == 1)
        }

        async fn redeem_invite(
            &self,
            code: &str,
            user: domain::ids::UserId,
            now: time::OffsetDateTime,
        ) -> Result<engine::ports::Redemption, engine::ports::StorageError> {
            use crate::records::access::{InviteRow, invite_grant, refusal};
            let mut tx = self
                .pool
                .begin()
                .await
                .map_err(crate::error::storage_error)?;
            let used = sqlx::query_as::<_, InviteRow>(crate::sql::access::USE_INVITE)
                .bind(code)
                .bind(Stamp(now))
                .fetch_optional(DB::in_tx(&mut tx))
                .await
                .map_err(crate::error::storage_error)?;
            let Some(row) = used else {
                let found =
                    sqlx::query_as::<_, InviteRow>(crate::sql::access::INVITE_BY_CODE)
                        .bind(code)
                        .fetch_optional(DB::in_tx(&mut tx))
                        .await
                        .map_err(crate::error::storage_error)?;
                return match found {
                    Some(row) => Ok(refusal(&row.into_invite()?, now)),
                    None => Ok(engine::ports::Redemption::Unknown),
                };
            };
            let invite = row.into_invite()?;
            sqlx::query(crate::sql::access::GRANT_ACCESS)
                .bind(user.0)
                .bind(Stamp(now))
                .bind(invite_grant(&invite))
                .execute(DB::in_tx(&mut tx))
                .await
                .map_err(crate::error::storage_error)?;
            tx.commit().await.map_err(crate::error::storage_error)?;
            Ok(engine::ports::Redemption::Admitted(invite))
        }

        async fn request_access(
            &self,
            user: domain::ids::UserId,
            name: &str,
            now: time::OffsetDateTime,
        ) -> Result<bool, engine::ports::StorageError> {
            let done = sqlx::query(crate::sql::access::REQUEST_ACCESS)
                .bind(user.0)
                .bind(name)
                .bind(Stamp(now))
                .execute(DB::on(&self.pool))
                .await
                .map_err(crate::error::storage_error)?;
            Ok(done.rows_affected() == 1)
        }

        async fn access_request(
            &self,
            user: domain::ids::UserId,
        ) -> Result<Option<engine::ports::AccessRequest>, engine::ports::StorageError> {
            sqlx::query_as::<_, crate::records::access::RequestRow>(
                crate::sql::access::ACCESS_REQUEST,
            )
            .bind(user.0)
            .fetch_optional(DB::on(&self.pool))
            .await
            .map_err(crate::error::storage_error)?
            .map(|row| row.into_request())
            .transpose()
        }

        async fn pending_requests(
            &self,
            limit: u32,
        ) -> Result<Vec<engine::ports::AccessRequest>, engine::ports::StorageError> {
            sqlx::query_as::<_, crate::records::access::RequestRow>(
                crate::sql::access::PENDING_REQUESTS,
            )
            .bind(i64::from(limit))
            .fetch_all(DB::on(&self.pool))
            .await
            .map_err(crate::error::storage_error)?
            .into_iter()
            .map(|row| row.into_request())
            .collect()
        }

        async fn count_pending_requests(&self) -> Result<u64, engine::ports::StorageError> {
            let n: i64 = sqlx::query_scalar(crate::sql::access::COUNT_PENDING_REQUESTS)
                .fetch_one(DB::on(&self.pool))
                .await
                .map_err(crate::error::storage_error)?;
            crate::records::admin::count("pending requests", n)
        }

        async fn decide_request(
            &self,
            user: domain::ids::UserId,
            approve: bool,
            by: domain::ids::UserId,
            now: time::OffsetDateTime,
        ) -> Result<bool, engine::ports::StorageError> {
            use crate::records::access::{approval_grant, decision};
            let mut tx = self
                .pool
                .begin()
                .await
                .map_err(crate::error::storage_error)?;
            let done = sqlx::query(crate::sql::access::DECIDE_REQUEST)
                .bind(user.0)
                .bind(decision(approve))
                .bind(by.0)
                .bind(Stamp(now))
                .execute(DB::in_tx(&mut tx))
                .await
                .map_err(crate::error::storage_error)?;
            if done.rows_affected() != 1 {
                return Ok(false);
            }
            if approve {
                sqlx::query(crate::sql::access::GRANT_ACCESS)
                    .bind(user.0)
                    .bind(Stamp(now))
                    .bind(approval_grant(by))
                    .execute(DB::in_tx(&mut tx))
                    .await
                    .map_err(crate::error::storage_error)?;
            }
            tx.commit().await.map_err(crate::error::storage_error)?;
            Ok(true)
        }
    }
}
