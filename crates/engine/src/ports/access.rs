//! What "who may use the bot" needs from storage: access grants, invites and
//! access requests.
//!
//! A person may use the bot when they hold a grant (recorded by an invite, an
//! approved request, open mode, or the migration for people who were there
//! before). Invites are redeemed atomically: the use count never passes the
//! limit, however many people follow the link at once.

use async_trait::async_trait;
use domain::ids::UserId;
use time::OffsetDateTime;

use super::StorageError;

/// An invite link's record. The code is the secret part of the link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invite {
    pub id: i64,
    pub code: String,
    /// The park a person who follows it is registered into (`None`: they choose).
    pub park: Option<String>,
    /// Likewise the department.
    pub department: Option<String>,
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
    /// Not valid from this time on.
    pub expires_at: OffsetDateTime,
    /// How many people may use it; `None`: any number.
    pub max_uses: Option<u32>,
    pub uses: u32,
    pub revoked: bool,
}

/// An invite to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewInvite {
    pub code: String,
    pub park: Option<String>,
    pub department: Option<String>,
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub max_uses: Option<u32>,
}

/// What following an invite link came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Redemption {
    /// The person now has access; the invite as it is after this use.
    Admitted(Invite),
    /// No invite has this code.
    Unknown,
    Expired,
    Revoked,
    UsedUp,
}

/// Where an access request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestStatus {
    Pending,
    Approved,
    Rejected,
}

impl RequestStatus {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Approved => "approved",
            RequestStatus::Rejected => "rejected",
        }
    }

    pub fn parse(raw: &str) -> Option<RequestStatus> {
        [
            RequestStatus::Pending,
            RequestStatus::Approved,
            RequestStatus::Rejected,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}

/// A stranger's request to be let in (at most one per person).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessRequest {
    pub user: UserId,
    /// The name they typed.
    pub name: String,
    pub requested_at: OffsetDateTime,
    pub status: RequestStatus,
    /// Their Telegram names, so that an admin can tell who typed the name.
    pub first_name: String,
    pub username: Option<String>,
}

#[async_trait]
pub trait AccessStore: Send + Sync + 'static {
    async fn has_access(&self, user: UserId) -> Result<bool, StorageError>;

    /// Grants access (`via` says how, for the record); a grant already held is
    /// kept as it is.
    /// Callers then call [`crate::People::changed`] for the person (ADR 0038).
    async fn grant_access(
        &self,
        user: UserId,
        via: &str,
        now: OffsetDateTime,
    ) -> Result<(), StorageError>;

    /// Stores a new invite; its code must be unique (a clash is an error).
    async fn create_invite(&self, invite: &NewInvite) -> Result<Invite, StorageError>;

    /// Invites that can still be used at `now`, newest first.
    async fn active_invites(
        &self,
        now: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<Invite>, StorageError>;

    /// Revokes invite `id`; `false` if there is none or it was already revoked.
    async fn revoke_invite(&self, id: i64, now: OffsetDateTime) -> Result<bool, StorageError>;

    /// Uses the invite with `code` for `user` and grants them access, in one
    /// transaction; the use count never passes the limit.
    /// Callers then call [`crate::People::changed`] for the person (ADR 0038).
    async fn redeem_invite(
        &self,
        code: &str,
        user: UserId,
        now: OffsetDateTime,
    ) -> Result<Redemption, StorageError>;

    /// Files a pending request; `false` if the person has one pending already
    /// (it is kept unchanged). A decided request is replaced.
    async fn request_access(
        &self,
        user: UserId,
        name: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StorageError>;

    async fn access_request(&self, user: UserId) -> Result<Option<AccessRequest>, StorageError>;

    /// Pending requests, oldest first.
    async fn pending_requests(&self, limit: u32) -> Result<Vec<AccessRequest>, StorageError>;

    async fn count_pending_requests(&self) -> Result<u64, StorageError>;

    /// Approves (granting access in the same transaction) or rejects a pending
    /// request; `false` if the person has no pending request (someone decided it
    /// first).
    /// Callers then call [`crate::People::changed`] for the person (ADR 0038).
    async fn decide_request(
        &self,
        user: UserId,
        approve: bool,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<bool, StorageError>;
}
