//! The ports the engine needs from the outside world: durable storage, shared
//! ephemeral state and a clock. Adapters (`storage`, `state`) implement them; the
//! engine and its tests see only these traits.
//!
//! Errors are mapped into meaning once, in the adapter: [`StorageError`] and
//! [`StateError`] say what went wrong in words an operator can act on. People never
//! see them; the engine answers with a polite "try again later".

use std::sync::Arc;
use std::time::Duration;

mod access;
mod admin;
mod broadcast;
mod content;
mod learning;
mod lookup;
mod personal_data;
mod roles;

use async_trait::async_trait;
use domain::ids::UserId;
use domain::lang::Lang;
use time::OffsetDateTime;

pub use access::{AccessRequest, AccessStore, Invite, NewInvite, Redemption, RequestStatus};
pub use admin::{
    AdminStore, AuditEntry, NewPasswordError, PasswordCheck, PeopleStats, PersonStatus,
    PersonSummary, RolePasswords,
};
pub use broadcast::{AudienceFilter, Broadcast, BroadcastStore, NewBroadcast};
pub use content::{ContentGeneration, ContentStore, NewPageVersion, PageVersion};
pub use learning::{
    AnswerRecord, Attempt, AttemptKind, AttemptQuestion, AttemptResult, Certificate, Learner,
    LearningStore, NewAttempt, ProfileField, ReviewChange, ReviewItem, StaffProfile,
};
pub use lookup::{
    AnswerCount, AnswerFilter, LookupStore, MAX_QUERY_CHARS, OverdueLearner, PageReaders,
    PathDeadline, PeopleFilter, PeopleQuery, QueryError, QuizGroup, QuizStats, VIEW_SLOT_SECS,
    ViewsAt, search_key,
};
pub use personal_data::{
    ActivityExport, ActivityFilter, AnswerExport, AttemptExport, AttemptFilter, Erasure,
    PersonExport, PersonalDataStore, StoredCounts, Subject,
};
pub use roles::{Role, RoleGrant, RoleStore};

/// Who caused an update: part of [`crate::Inbound`], and what storage keeps of a person.
pub use crate::inbound::UserProfile;

/// A person as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRecord {
    pub id: UserId,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: Option<String>,
    pub language: Lang,
    pub first_seen: OffsetDateTime,
    pub last_seen: OffsetDateTime,
    /// Blocked by an admin: the person gets one clear message and nothing else.
    pub blocked: bool,
    /// The person blocked the bot (Telegram answered 403): skipped by broadcasts
    /// until they write again.
    pub inactive: bool,
}

/// What a person did, recorded off the update path in batches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Activity {
    pub user: UserId,
    pub kind: ActivityKind,
    /// The content node involved (its path in the pack), if any.
    pub subject: Option<String>,
    pub at: OffsetDateTime,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ActivityKind {
    /// Opened a content page (any part of it).
    PageView,
    /// Opened a menu section.
    SectionView,
}

impl ActivityKind {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::PageView => "page_view",
            ActivityKind::SectionView => "section_view",
        }
    }

    pub fn parse(raw: &str) -> Option<ActivityKind> {
        [ActivityKind::PageView, ActivityKind::SectionView]
            .into_iter()
            .find(|k| k.as_str() == raw)
    }
}

/// Storage failures, mapped once from driver errors.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database cannot be reached or answered with a transient error.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// No connection could be had, or the call did not finish, in time: the
    /// database may be down or unreachable (its circuit breaker counts these).
    #[error("database did not answer in time: {0}")]
    TimedOut(String),
    /// The database holds something we cannot read (a bad migration, a manual edit).
    #[error("stored data is not what trainbot expects: {0}")]
    Corrupt(String),
}

/// Whom an id names (the read most screens about a person start with), and
/// an admin's block.
#[async_trait]
pub trait PersonRecords: Send + Sync + 'static {
    async fn user(&self, id: UserId) -> Result<Option<UserRecord>, StorageError>;

    /// Blocks or unblocks the person (an admin's decision).
    /// Callers then call [`crate::People::changed`] for the person (ADR 0038).
    async fn set_blocked(&self, id: UserId, blocked: bool) -> Result<(), StorageError>;
}

/// The people the bot knows and what they did: created or refreshed as they
/// write, their language, whether they blocked the bot, their activity, and a
/// round trip for `/readyz`.
#[async_trait]
pub trait PeopleStore: Send + Sync + 'static {
    /// Creates the person on first contact or refreshes their names and
    /// `last_seen`; a person who writes again is no longer `inactive`. The language
    /// is set only on creation (to `language`); later it changes only through
    /// [`PeopleStore::set_language`].
    async fn touch_user(
        &self,
        profile: &UserProfile,
        language: Lang,
        now: OffsetDateTime,
    ) -> Result<UserRecord, StorageError>;

    /// Callers then call [`crate::People::changed`] for the person (ADR 0038).
    async fn set_language(&self, id: UserId, language: Lang) -> Result<(), StorageError>;

    /// Marks the person as having blocked the bot (or not).
    /// Callers then call [`crate::People::changed`] for the person (ADR 0038).
    async fn set_inactive(&self, id: UserId, inactive: bool) -> Result<(), StorageError>;

    /// Number of people known.
    async fn count_users(&self) -> Result<u64, StorageError>;

    /// Appends a batch of activity records in one transaction.
    async fn record_activity(&self, batch: &[Activity]) -> Result<(), StorageError>;

    /// Moves people's `last_seen` forward to the given times (never back), in one
    /// transaction: the batched form of what [`PeopleStore::touch_user`] writes.
    async fn record_last_seen(&self, seen: &[(UserId, OffsetDateTime)])
    -> Result<(), StorageError>;

    /// The person's most recent activity, newest first.
    async fn recent_activity(
        &self,
        user: UserId,
        limit: u32,
    ) -> Result<Vec<Activity>, StorageError>;

    /// Cheap round trip, for `/readyz`.
    async fn ping(&self) -> Result<(), StorageError>;
}

/// The Telegram `file_id` of each media file already uploaded, so that a file
/// is uploaded once.
#[async_trait]
pub trait MediaCache: Send + Sync + 'static {
    /// The `file_id` cached for a media file (keyed by content hash and kind).
    async fn media_file_id(&self, key: &str) -> Result<Option<String>, StorageError>;

    async fn save_media_file_id(&self, key: &str, file_id: &str) -> Result<(), StorageError>;
}

/// Declares [`Storage`] as every port listed, once.
macro_rules! every_port {
    ($($port:ident),+ $(,)?) => {
        /// Every storage port at once: what one backend implements, and what
        /// tools that move whole databases take. The bot's parts get
        /// [`StoragePorts`], each port on its own.
        pub trait Storage: $($port +)+ {}

        impl<T: $($port +)+ ?Sized> Storage for T {}
    };
}

every_port!(
    PeopleStore,
    MediaCache,
    PersonRecords,
    LearningStore,
    AdminStore,
    AccessStore,
    BroadcastStore,
    PersonalDataStore,
    LookupStore,
    RoleStore,
    ContentStore,
);

/// The storage ports, each behind its own `Arc<dyn …>`: what a backend's
/// `connect` hands the composition root, which gives each part of the bot the
/// ports it uses and no more.
#[derive(Clone)]
pub struct StoragePorts {
    pub people: Arc<dyn PeopleStore>,
    pub media: Arc<dyn MediaCache>,
    pub records: Arc<dyn PersonRecords>,
    pub learning: Arc<dyn LearningStore>,
    pub admin: Arc<dyn AdminStore>,
    pub access: Arc<dyn AccessStore>,
    pub broadcasts: Arc<dyn BroadcastStore>,
    pub personal: Arc<dyn PersonalDataStore>,
    pub lookup: Arc<dyn LookupStore>,
    pub roles: Arc<dyn RoleStore>,
    pub content: Arc<dyn ContentStore>,
}

impl StoragePorts {
    /// Every port of `store`, one `Arc` each (clones of a handle to one pool).
    pub fn of<S: Storage + Clone>(store: &S) -> StoragePorts {
        StoragePorts {
            people: Arc::new(store.clone()),
            media: Arc::new(store.clone()),
            records: Arc::new(store.clone()),
            learning: Arc::new(store.clone()),
            admin: Arc::new(store.clone()),
            access: Arc::new(store.clone()),
            broadcasts: Arc::new(store.clone()),
            personal: Arc::new(store.clone()),
            lookup: Arc::new(store.clone()),
            roles: Arc::new(store.clone()),
            content: Arc::new(store.clone()),
        }
    }
}

/// State-store failures.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("state store unavailable: {0}")]
    Unavailable(String),
}

/// Shared ephemeral state with expiry: in memory for one process, Redis for many.
///
/// Keys are namespaced by the engine (`nav:42`, `upd:1001`); the implementation adds
/// its configured prefix so several bots can share one Redis.
#[async_trait]
pub trait StateStore: Send + Sync + 'static {
    async fn get(&self, key: &str) -> Result<Option<String>, StateError>;

    /// Sets `key` to `value`, replacing any value, expiring after `ttl`.
    async fn put(&self, key: &str, value: &str, ttl: Duration) -> Result<(), StateError>;

    async fn delete(&self, key: &str) -> Result<(), StateError>;

    /// Sets `key` only if it is absent; `true` if this call set it. Used for update
    /// de-duplication and leases.
    async fn claim(&self, key: &str, ttl: Duration) -> Result<bool, StateError>;

    /// Atomically adds one to a counter, creating it with `ttl` if absent; returns the
    /// new value. The expiry is not extended by later increments.
    async fn incr(&self, key: &str, ttl: Duration) -> Result<i64, StateError>;

    /// Takes or renews a lease: sets `key` to `token`, expiring after `ttl`, only
    /// if `key` is absent or already holds `token` (one atomic step); `true` if
    /// this call took or renewed it. The holder keeps it by calling again with its
    /// token before `ttl` is over, and releases it with [`StateStore::release`].
    async fn lease(&self, key: &str, token: &str, ttl: Duration) -> Result<bool, StateError>;

    /// [`StateStore::lease`] of `key` and [`StateStore::get`] of `other`, in one
    /// round trip where the store can (an update's claim and its person's
    /// generation, ADR 0038).
    async fn lease_and_get(
        &self,
        key: &str,
        token: &str,
        ttl: Duration,
        other: &str,
    ) -> Result<(bool, Option<String>), StateError> {
        let leased = self.lease(key, token, ttl).await?;
        Ok((leased, self.get(other).await?))
    }

    /// Releases a lease: deletes `key` only if it still holds `token` (one atomic
    /// compare-and-delete), so a holder whose lease expired and was taken by
    /// someone else cannot release theirs; `true` if this call deleted it.
    async fn release(&self, key: &str, token: &str) -> Result<bool, StateError>;

    /// Cheap round trip, for `/readyz`.
    async fn ping(&self) -> Result<(), StateError>;
}

/// The time, behind a port so that tests can move it.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;
}

/// The real clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// How long update ids are remembered for de-duplication (Telegram keeps updates
/// for 24 hours).
pub const UPDATE_DEDUP_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// Update de-duplication in the database, for a bot without a shared state store:
/// in-memory claims die with the process, and after a crash (`kill -9`) Telegram
/// delivers the unconfirmed updates again, which must not be answered twice.
#[async_trait]
pub trait UpdateClaims: Send + Sync + 'static {
    /// Claims `update_id` at `now` as being handled; `true` if this call claimed
    /// it (no claim younger than `ttl`, or an unfinished one: an earlier attempt
    /// died), `false` if it was finished.
    async fn claim_update(
        &self,
        update_id: i64,
        now: OffsetDateTime,
        ttl: Duration,
    ) -> Result<bool, StorageError>;

    /// Marks an update finished (its answer sent), claiming it if it was not
    /// (a new id needs no claim: see [`UpdateClaims::last_claimed`]). Claims
    /// older than `ttl` may be forgotten meanwhile.
    async fn finish_update(
        &self,
        update_id: i64,
        now: OffsetDateTime,
        ttl: Duration,
    ) -> Result<(), StorageError>;

    /// The newest update id claimed, if any. Read once at start: Telegram's
    /// update ids only grow, so an id newer than it (and than every id the
    /// process has seen since) cannot have been handled and needs no claim;
    /// only its mark before a new message is written
    /// ([`UpdateClaims::finish_update`]).
    async fn last_claimed(&self) -> Result<Option<i64>, StorageError>;
}

/// A certificate, laid out in the person's language, ready to be drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateDocument {
    pub title: String,
    pub full_name: String,
    pub lines: Vec<String>,
    /// (quiz title, "92%").
    pub quizzes: Vec<(String, String)>,
    pub code_label: String,
    pub code: String,
}

/// Draws documents (the PDF certificate). Behind a port so the engine stays free of
/// PDF and font handling.
pub trait DocumentRenderer: Send + Sync + 'static {
    fn certificate_pdf(&self, document: &CertificateDocument) -> Result<Vec<u8>, String>;
}

/// A clock that moves only when told to: for tests that drive time-based jobs
/// (reminders, review schedules, cooldowns) step by step.
#[derive(Debug)]
pub struct ManualClock {
    now: std::sync::Mutex<OffsetDateTime>,
}

impl ManualClock {
    pub fn new(start: OffsetDateTime) -> ManualClock {
        ManualClock {
            now: std::sync::Mutex::new(start),
        }
    }

    pub fn set(&self, to: OffsetDateTime) {
        *self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = to;
    }

    pub fn advance(&self, by: time::Duration) {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
