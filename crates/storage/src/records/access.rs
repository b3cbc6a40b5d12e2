//! Rows of the access port and their checked conversion into the port's records.

use domain::ids::UserId;
use engine::ports::{AccessRequest, Invite, Redemption, RequestStatus, StorageError};
use time::OffsetDateTime;

use crate::error::corrupt;
use crate::stamp::Stamp;

/// An `invites` row, in the column order of `sql::access` invite queries.
#[derive(sqlx::FromRow)]
pub(crate) struct InviteRow {
    pub id: i64,
    pub code: String,
    pub park: Option<String>,
    pub department: Option<String>,
    pub created_by: i64,
    pub created_at: Stamp,
    pub expires_at: Stamp,
    pub max_uses: Option<i64>,
    pub uses: i64,
    pub revoked: bool,
}

impl InviteRow {
    pub fn into_invite(self) -> Result<Invite, StorageError> {
        let count = |what: &str, n: i64| {
            u32::try_from(n).map_err(|_| corrupt(format!("invite {} has {what} {n}", self.id)))
        };
        Ok(Invite {
            id: self.id,
            max_uses: self.max_uses.map(|n| count("max_uses", n)).transpose()?,
            uses: count("uses", self.uses)?,
            code: self.code,
            park: self.park,
            department: self.department,
            created_by: UserId(self.created_by),
            created_at: self.created_at.0,
            expires_at: self.expires_at.0,
            revoked: self.revoked,
        })
    }
}

/// Why an invite that exists could not be used at `now`.
pub(crate) fn refusal(invite: &Invite, now: OffsetDateTime) -> Redemption {
    if invite.revoked {
        Redemption::Revoked
    } else if invite.expires_at <= now {
        Redemption::Expired
    } else {
        Redemption::UsedUp
    }
}

/// The `via` of a grant made by an invite.
pub(crate) fn invite_grant(invite: &Invite) -> String {
    format!("invite {}", invite.id)
}

/// The `via` of a grant made by an approved request.
pub(crate) fn approval_grant(by: UserId) -> String {
    format!("approved by {by}")
}

/// The status `DECIDE_REQUEST` binds.
pub(crate) fn decision(approve: bool) -> &'static str {
    if approve {
        RequestStatus::Approved.as_str()
    } else {
        RequestStatus::Rejected.as_str()
    }
}

/// An `access_requests` row joined with its person, in the order of `sql::access`
/// request queries.
#[derive(sqlx::FromRow)]
pub(crate) struct RequestRow {
    pub user_id: i64,
    pub name: String,
    pub requested_at: Stamp,
    pub status: String,
    pub first_name: String,
    pub username: Option<String>,
}

impl RequestRow {
    pub fn into_request(self) -> Result<AccessRequest, StorageError> {
        let status = RequestStatus::parse(&self.status).ok_or_else(|| {
            corrupt(format!(
                "access request of {} has unknown status `{}`",
                self.user_id, self.status
            ))
        })?;
        Ok(AccessRequest {
            user: UserId(self.user_id),
            name: self.name,
            requested_at: self.requested_at.0,
            status,
            first_name: self.first_name,
            username: self.username,
        })
    }
}
