//! What exports and personal-data requests need from storage: keyset-paged reads
//! for CSV exports (every read is one bounded page, ordered by id, so an export of
//! any size never holds more than a page), deletion requests, and erasure.
//!
//! Erasure keeps statistics correct: a person's activity and quiz attempts stay,
//! re-keyed from their Telegram id to an erasure number that is linked to nobody
//! (see `docs/adr/0012-exports-and-personal-data.md`); everything that names or
//! identifies them is deleted.

use async_trait::async_trait;
use domain::ids::UserId;
use domain::lang::Lang;
use time::OffsetDateTime;

use super::{ActivityKind, AttemptKind, Certificate, StorageError};

/// Whose a row is: a known person, or one erased person's anonymised rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    Person(UserId),
    /// The number of the erasure that anonymised the row (one per erased person).
    Erased(i64),
}

/// One person for the people export: everything the `users` row holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonExport {
    pub id: UserId,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: Option<String>,
    pub language: Lang,
    pub park: Option<String>,
    pub department: Option<String>,
    pub position: Option<String>,
    pub onboarded: bool,
    pub first_seen: OffsetDateTime,
    pub last_seen: OffsetDateTime,
    pub blocked: bool,
    pub inactive: bool,
    /// When the person asked for their data to be deleted, if they did.
    pub deletion_requested: Option<OffsetDateTime>,
}

/// Which activity an export reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActivityFilter {
    /// Only the activity of people now in this park (a park manager's export).
    pub park: Option<String>,
    /// One person's activity only.
    pub user: Option<UserId>,
    /// Records at or after this time.
    pub since: Option<OffsetDateTime>,
    /// Records before this time.
    pub until: Option<OffsetDateTime>,
}

/// One activity record, with its id (the paging key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivityExport {
    pub id: i64,
    pub subject: Subject,
    pub kind: ActivityKind,
    pub node: Option<String>,
    pub at: OffsetDateTime,
}

/// Which attempts an export reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttemptFilter {
    /// Only the attempts of people now in this park (a park manager's export).
    pub park: Option<String>,
    /// One person's attempts only.
    pub user: Option<UserId>,
    /// Only finished knowledge checks (no reviews, no open attempts): the quiz
    /// results export.
    pub finished_quizzes_only: bool,
}

/// One quiz attempt with its result, and the person's name when they are known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttemptExport {
    pub id: i64,
    pub subject: Subject,
    /// "First Last" of a known person; `None` for erased rows.
    pub name: Option<String>,
    pub kind: AttemptKind,
    pub quiz_id: String,
    pub started_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
    pub score: Option<u32>,
    pub max_score: Option<u32>,
    pub passed: Option<bool>,
}

/// One answer of one person, keyed by (attempt, position).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerExport {
    pub attempt: i64,
    pub position: u16,
    pub quiz_id: String,
    pub question_id: String,
    /// Option indices as stored: `"0,2"`.
    pub chosen: String,
    pub correct: bool,
    pub points: u32,
    pub answered_at: OffsetDateTime,
}

/// How much is stored about a person, for /privacy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoredCounts {
    pub activity: u64,
    pub attempts: u64,
    pub answers: u64,
    pub reviews: u64,
    pub certificates: u64,
}

/// What an erasure did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Erasure {
    /// The number the anonymised rows now carry.
    pub id: i64,
    /// Activity records and attempts kept, anonymised.
    pub activity: u64,
    pub attempts: u64,
}

#[async_trait]
pub trait PersonalDataStore: Send + Sync + 'static {
    /// People by ascending id, ids above `after`; only the people of `park` when
    /// it is given.
    async fn export_people(
        &self,
        park: Option<&str>,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<PersonExport>, StorageError>;

    /// Activity matching `filter` by ascending id, ids above `after`.
    async fn export_activity(
        &self,
        filter: &ActivityFilter,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ActivityExport>, StorageError>;

    /// Attempts matching `filter` by ascending id, ids above `after`.
    async fn export_attempts(
        &self,
        filter: &AttemptFilter,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AttemptExport>, StorageError>;

    /// The person's answers by (attempt, position), after `after`.
    async fn export_answers(
        &self,
        user: UserId,
        after: Option<(i64, u16)>,
        limit: u32,
    ) -> Result<Vec<AnswerExport>, StorageError>;

    /// Every certificate the person holds (one per department: few).
    async fn certificates_of(&self, user: UserId) -> Result<Vec<Certificate>, StorageError>;

    async fn stored_counts(&self, user: UserId) -> Result<StoredCounts, StorageError>;

    /// Records the person's request to delete their data; `false` when it was
    /// already pending (the first request's time is kept).
    async fn request_deletion(
        &self,
        user: UserId,
        at: OffsetDateTime,
    ) -> Result<bool, StorageError>;

    async fn deletion_requested(
        &self,
        user: UserId,
    ) -> Result<Option<OffsetDateTime>, StorageError>;

    /// Erases the person in one transaction: their profile, names, certificates,
    /// review schedule and deletion request are deleted; their activity and
    /// attempts (with answers) are kept under a new erasure number. `None` when the
    /// person is not known (nothing changes).
    /// People who asked for their data to be deleted and are not erased yet, by
    /// ascending id, ids above `after`.
    async fn pending_deletions(
        &self,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<super::PersonSummary>, StorageError>;

    /// Callers then call [`crate::People::changed`] for the person (ADR 0038).
    async fn erase_person(
        &self,
        user: UserId,
        at: OffsetDateTime,
    ) -> Result<Option<Erasure>, StorageError>;
}
