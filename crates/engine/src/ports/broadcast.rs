//! What broadcasts need from storage: the durable job, one row per recipient, and a
//! lease so that one worker sends at a time.

use async_trait::async_trait;
use domain::broadcast::{Audience, BroadcastState, Delivery, DeliveryCounts};
use domain::ids::UserId;
use time::OffsetDateTime;

use super::StorageError;
use crate::inbound::Attachment;

/// A broadcast as the admin confirmed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewBroadcast {
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
    /// The Markdown as written and validated; rendered when sent.
    pub source: String,
    pub media: Option<Attachment>,
    pub audience: Audience,
    /// When it may start: the creation time, or the scheduled time.
    pub start_at: OffsetDateTime,
    /// The admin's status message (in their chat), kept up to date while it runs.
    pub status_message: Option<i64>,
}

/// A stored broadcast.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broadcast {
    pub id: i64,
    pub state: BroadcastState,
    pub started_at: Option<OffsetDateTime>,
    pub finished_at: Option<OffsetDateTime>,
    pub job: NewBroadcast,
}

/// Which people an audience means, in the terms storage can select by. Blocked
/// people and people who blocked the bot are never selected.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AudienceFilter {
    pub park: Option<String>,
    pub department: Option<String>,
    /// Seen at or after this time.
    pub seen_since: Option<OffsetDateTime>,
}

#[async_trait]
pub trait BroadcastStore: Send + Sync + 'static {
    /// Stores a broadcast in state `scheduled`; recipients are added when it starts.
    async fn create_broadcast(&self, broadcast: &NewBroadcast) -> Result<i64, StorageError>;

    async fn broadcast(&self, id: i64) -> Result<Option<Broadcast>, StorageError>;

    /// Newest first, ids below `before` (all when `None`).
    async fn broadcasts(
        &self,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Broadcast>, StorageError>;

    /// Moves the broadcast to `to` if it is in one of `from`; `true` if it moved.
    /// `finished_at` is set when `to` is final.
    async fn set_broadcast_state(
        &self,
        id: i64,
        from: &[BroadcastState],
        to: BroadcastState,
        now: OffsetDateTime,
    ) -> Result<bool, StorageError>;

    /// Scheduled broadcasts whose start time has come, oldest first.
    async fn due_broadcasts(&self, now: OffsetDateTime) -> Result<Vec<Broadcast>, StorageError>;

    /// Adds the recipients and moves the broadcast from `scheduled` to `running`, in
    /// one transaction; `false` (and nothing added) if it was not scheduled.
    async fn start_broadcast(
        &self,
        id: i64,
        recipients: &[UserId],
        now: OffsetDateTime,
    ) -> Result<bool, StorageError>;

    /// Running broadcasts, oldest first.
    async fn running_broadcasts(&self) -> Result<Vec<Broadcast>, StorageError>;

    /// Marks up to `limit` pending recipients of a running broadcast as `sending`
    /// and returns them, by ascending id. Nothing for a broadcast that is not
    /// running (paused or cancelled in the meantime).
    async fn claim_recipients(
        &self,
        id: i64,
        limit: u32,
        now: OffsetDateTime,
    ) -> Result<Vec<UserId>, StorageError>;

    /// Records what became of one recipient's message.
    async fn record_delivery(
        &self,
        id: i64,
        user: UserId,
        outcome: Delivery,
        detail: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<(), StorageError>;

    /// Every recipient still `sending` becomes `unknown`: a worker taking over calls
    /// this, since those messages may have been delivered by the one that died.
    async fn abandon_in_flight(&self, now: OffsetDateTime) -> Result<u64, StorageError>;

    /// Moves a running broadcast to `done` when no recipient is pending or in flight.
    async fn finish_if_complete(&self, id: i64, now: OffsetDateTime) -> Result<bool, StorageError>;

    async fn delivery_counts(&self, id: i64) -> Result<DeliveryCounts, StorageError>;

    /// Messages of the broadcast delivered at or after `since` (for the send rate).
    async fn sent_since(&self, id: i64, since: OffsetDateTime) -> Result<u64, StorageError>;

    /// The people an audience filter selects, by ascending id.
    async fn audience(&self, filter: &AudienceFilter) -> Result<Vec<UserId>, StorageError>;

    /// Takes or renews the lease `name` for `holder` until `until`; `true` if
    /// `holder` has it now. An expired lease (at `now`) is taken over.
    async fn acquire_lease(
        &self,
        name: &str,
        holder: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<bool, StorageError>;

    /// Gives the lease up if `holder` has it, so another replica need not wait.
    async fn release_lease(&self, name: &str, holder: &str) -> Result<(), StorageError>;
}
