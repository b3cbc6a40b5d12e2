//! Rows of the roles port and their checked conversion into the port's records.

use domain::ids::UserId;
use engine::ports::{Role, RoleGrant, StorageError};

use crate::error::corrupt;
use crate::stamp::Stamp;

/// A `roles` row, in the column order of `sql::roles`.
#[derive(sqlx::FromRow)]
pub(crate) struct RoleRow {
    pub user_id: i64,
    pub role: String,
    pub park: Option<String>,
    pub password_hash: Option<String>,
    pub granted_by: i64,
    pub granted_at: Stamp,
}

impl RoleRow {
    pub fn into_grant(self) -> Result<RoleGrant, StorageError> {
        let role = Role::from_stored(&self.role, self.park).ok_or_else(|| {
            corrupt(format!(
                "the role of {} is `{}`, which is not a known role with a park only for park managers",
                self.user_id, self.role
            ))
        })?;
        Ok(RoleGrant {
            user: UserId(self.user_id),
            role,
            password_hash: self.password_hash,
            granted_by: UserId(self.granted_by),
            granted_at: self.granted_at.0,
        })
    }
}
