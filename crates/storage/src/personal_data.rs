//! [`PersonalDataStore`] on [`SqlStorage`]: dispatched to the backend, like the
//! other ports in `lib.rs`.

use async_trait::async_trait;
use domain::ids::UserId;
use engine::ports::{
    ActivityExport, ActivityFilter, AnswerExport, AttemptExport, AttemptFilter, Certificate,
    Erasure, PersonExport, PersonalDataStore, StorageError, StoredCounts,
};
use time::OffsetDateTime;

use crate::SqlStorage;

#[async_trait]
impl PersonalDataStore for SqlStorage {
    /// Ordered by ascending id; `after` is exclusive and need not exist.
    async fn export_people(
        &self,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<PersonExport>, StorageError> {
        self.port().export_people(after, limit).await
    }

    /// `since` is inclusive, `until` exclusive: consecutive periods never share a
    /// record.
    async fn export_activity(
        &self,
        filter: ActivityFilter,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ActivityExport>, StorageError> {
        self.port().export_activity(filter, after, limit).await
    }

    async fn export_attempts(
        &self,
        filter: AttemptFilter,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AttemptExport>, StorageError> {
        self.port().export_attempts(filter, after, limit).await
    }

    async fn export_answers(
        &self,
        user: UserId,
        after: Option<(i64, u16)>,
        limit: u32,
    ) -> Result<Vec<AnswerExport>, StorageError> {
        self.port().export_answers(user, after, limit).await
    }

    async fn certificates_of(&self, user: UserId) -> Result<Vec<Certificate>, StorageError> {
        self.port().certificates_of(user).await
    }

    async fn stored_counts(&self, user: UserId) -> Result<StoredCounts, StorageError> {
        self.port().stored_counts(user).await
    }

    async fn request_deletion(
        &self,
        user: UserId,
        at: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        self.port().request_deletion(user, at).await
    }

    async fn deletion_requested(
        &self,
        user: UserId,
    ) -> Result<Option<OffsetDateTime>, StorageError> {
        self.port().deletion_requested(user).await
    }

    /// Atomic: either everything below happens or nothing does. Activity written
    /// after the erasure under the old id (a batch still in flight) stays keyed by
    /// that id, as if a new person had written.
    async fn erase_person(
        &self,
        user: UserId,
        at: OffsetDateTime,
    ) -> Result<Option<Erasure>, StorageError> {
        self.port().erase_person(user, at).await
    }
}
