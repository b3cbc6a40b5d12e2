//! Narrower admin roles, given from the panel and kept in the database.
//!
//! Allow-listed admins (`ADMIN_IDS`) have every right and are not stored here. A
//! role holder logs in to the same panel with a password of their own, chosen at
//! their first login and stored only as an Argon2id hash.

use async_trait::async_trait;
use domain::ids::UserId;
use time::OffsetDateTime;

use super::StorageError;

/// A narrower role than an allow-listed admin's.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Statistics, people, exports and progress of one park (a pack park id).
    ParkManager { park: String },
    /// Content and nothing else.
    ContentEditor,
}

impl Role {
    /// The stored name of the role.
    pub fn code(&self) -> &'static str {
        match self {
            Role::ParkManager { .. } => "park_manager",
            Role::ContentEditor => "content_editor",
        }
    }

    /// The role from its stored name and park; `None` for a combination the
    /// schema does not allow.
    pub fn from_stored(code: &str, park: Option<String>) -> Option<Role> {
        match (code, park) {
            ("park_manager", Some(park)) => Some(Role::ParkManager { park }),
            ("content_editor", None) => Some(Role::ContentEditor),
            _ => None,
        }
    }

    /// The park a park manager is limited to.
    pub fn park(&self) -> Option<&str> {
        match self {
            Role::ParkManager { park } => Some(park),
            Role::ContentEditor => None,
        }
    }
}

/// A person's role, as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct RoleGrant {
    pub user: UserId,
    pub role: Role,
    /// The holder's own password (Argon2id PHC); `None` until their first login.
    pub password_hash: Option<String>,
    pub granted_by: UserId,
    pub granted_at: OffsetDateTime,
}

impl std::fmt::Debug for RoleGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoleGrant")
            .field("user", &self.user)
            .field("role", &self.role)
            .field("password_set", &self.password_hash.is_some())
            .field("granted_by", &self.granted_by)
            .field("granted_at", &self.granted_at)
            .finish()
    }
}

#[async_trait]
pub trait RoleStore: Send + Sync + 'static {
    /// The person's role, if they have one.
    async fn role_of(&self, user: UserId) -> Result<Option<RoleGrant>, StorageError>;

    /// Gives `user` the role, replacing any earlier one. A new or changed role
    /// clears the password: the holder chooses one again at their next login.
    async fn grant_role(
        &self,
        user: UserId,
        role: &Role,
        by: UserId,
        at: OffsetDateTime,
    ) -> Result<(), StorageError>;

    /// Takes the role away; `false` if the person had none.
    async fn revoke_role(&self, user: UserId) -> Result<bool, StorageError>;

    /// Sets the holder's password hash, only while none is set (a first login
    /// that races another sets it once); `false` otherwise.
    async fn set_role_password(&self, user: UserId, hash: &str) -> Result<bool, StorageError>;

    /// Every role holder (a handful), by user id.
    async fn role_holders(&self) -> Result<Vec<RoleGrant>, StorageError>;
}
