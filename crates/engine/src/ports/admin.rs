//! What the admin panel needs: password checks, the audit log and statistics.

use async_trait::async_trait;
use domain::ids::UserId;
use time::OffsetDateTime;

use super::StorageError;

/// Checks the admin password against the configured Argon2id hash. Slow by design
/// (about 19 MiB and two passes of Argon2id); implementations must not block the
/// async runtime.
#[async_trait]
pub trait PasswordCheck: Send + Sync + 'static {
    async fn matches(&self, password: &str) -> bool;

    /// The credential checked against (the configured hash, never a password):
    /// an admin session remembers a fingerprint of it, so a changed
    /// `ADMIN_PASSWORD_HASH` ends the sessions opened with the old one.
    fn credential(&self) -> String;
}

/// Why a new password is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewPasswordError {
    /// Shorter than the minimum, in characters.
    TooShort { min: usize },
    /// Hashing failed (logged by the implementation).
    Failed,
}

/// Hashes and checks the personal passwords of role holders (Argon2id, the same
/// parameters as the admin password). Slow by design; implementations must not
/// block the async runtime.
#[async_trait]
pub trait RolePasswords: Send + Sync + 'static {
    /// The shortest password [`RolePasswords::hash`] accepts, in characters.
    fn min_chars(&self) -> usize;
    /// A PHC string for a new password, or why it is refused.
    async fn hash(&self, password: &str) -> Result<String, NewPasswordError>;
    /// Whether `password` matches the stored PHC string `phc`.
    async fn verify(&self, phc: &str, password: &str) -> bool;
}

/// One line of the audit log: who did what, when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    /// Assigned by storage; 0 for a new entry.
    pub id: i64,
    pub at: OffsetDateTime,
    /// The admin (or would-be admin) who acted.
    pub actor: UserId,
    /// What happened: `login`, `login_failed`, `lockout`, `logout`, `denied`,
    /// `view_stats`, `view_audit`, ...
    pub action: String,
    /// Details (never a password).
    pub detail: String,
}

/// People counts for the statistics screen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeopleStats {
    pub total: u64,
    pub active_today: u64,
    pub active_7d: u64,
    pub active_30d: u64,
    pub new_7d: u64,
    pub blocked: u64,
    /// People who blocked the bot.
    pub inactive: u64,
    /// (park id or "", count), most first.
    pub by_park: Vec<(String, u64)>,
    /// (department id or "", count), most first.
    pub by_department: Vec<(String, u64)>,
}

/// Which people a list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PersonStatus {
    #[default]
    Any,
    /// Not blocked and not inactive.
    Active,
    /// Blocked by an admin.
    Blocked,
    /// Blocked the bot.
    Inactive,
}

/// One line of the people list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonSummary {
    pub id: UserId,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: Option<String>,
    pub park: Option<String>,
    pub department: Option<String>,
    pub blocked: bool,
    pub inactive: bool,
    pub last_seen: OffsetDateTime,
}

#[async_trait]
pub trait AdminStore: Send + Sync + 'static {
    async fn record_audit(&self, entry: &AuditEntry) -> Result<(), StorageError>;
    /// Newest first, entries with an id below `before` (all when `None`).
    async fn audit_entries(
        &self,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StorageError>;
    /// Counts relative to `now`: "today" is the last 24 hours. Only the people of
    /// `park` when it is given (a park manager's view).
    async fn people_stats(
        &self,
        now: OffsetDateTime,
        park: Option<&str>,
    ) -> Result<PeopleStats, StorageError>;
    /// People with `status`, by ascending id, ids above `after`: keyset paging over
    /// any number of people.
    async fn people(
        &self,
        status: PersonStatus,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<PersonSummary>, StorageError>;
    async fn count_people(&self, status: PersonStatus) -> Result<u64, StorageError>;
}
