//! The broadcast port ([`engine::ports::BroadcastStore`]), written once for both
//! backends with its statements and rows. How a batch of recipients is inserted
//! is the backend's (`Dialect::insert_recipients`).

use domain::broadcast::{Audience, BroadcastState, Delivery, DeliveryCounts};
use domain::content::MediaKind;
use domain::ids::UserId;
use engine::Attachment;
use engine::ports::{Broadcast, NewBroadcast, StorageError};
use time::OffsetDateTime;

use crate::error::corrupt;

pub(crate) const CREATE: &str = "INSERT INTO broadcasts \
     (created_by, created_at, source, media_kind, media_file_id, audience, state, start_at, \
      status_message) \
     VALUES ($1, $2, $3, $4, $5, $6, 'scheduled', $7, $8) RETURNING id";

/// Columns in the order of [`BroadcastRow`].
macro_rules! broadcast_columns {
    () => {
        "SELECT id, created_by, created_at, source, media_kind, media_file_id, audience, \
         state, start_at, started_at, finished_at, status_message FROM broadcasts "
    };
}

pub(crate) const BROADCAST: &str = concat!(broadcast_columns!(), "WHERE id = $1");
/// `$1` the exclusive upper bound of the id, `$2` the page size.
pub(crate) const BROADCASTS: &str = concat!(
    broadcast_columns!(),
    "WHERE id < $1 ORDER BY id DESC LIMIT $2"
);
pub(crate) const DUE: &str = concat!(
    broadcast_columns!(),
    "WHERE state = 'scheduled' AND start_at <= $1 ORDER BY id"
);
pub(crate) const RUNNING: &str =
    concat!(broadcast_columns!(), "WHERE state = 'running' ORDER BY id");

/// `$1` id, `$2` the state it must be in, `$3` the new state, `$4` the finish time
/// (NULL unless the new state is final).
pub(crate) const MOVE: &str = "UPDATE broadcasts SET state = $3, \
     finished_at = COALESCE($4, finished_at) WHERE id = $1 AND state = $2";

pub(crate) const START: &str = "UPDATE broadcasts SET state = 'running', started_at = $2 \
     WHERE id = $1 AND state = 'scheduled'";

/// Claims a batch by ascending id; nothing unless the broadcast is running, so a
/// pause or cancel stops the sender at its next batch.
pub(crate) const CLAIM: &str = "UPDATE broadcast_recipients SET state = 'sending', \
     updated_at = $3 \
     WHERE broadcast_id = $1 AND state = 'pending' AND user_id IN (\
         SELECT user_id FROM broadcast_recipients \
         WHERE broadcast_id = $1 AND state = 'pending' ORDER BY user_id LIMIT $2) \
     AND EXISTS (SELECT 1 FROM broadcasts WHERE id = $1 AND state = 'running') \
     RETURNING user_id";

pub(crate) const RECORD: &str = "UPDATE broadcast_recipients \
     SET state = $3, detail = $4, updated_at = $5 WHERE broadcast_id = $1 AND user_id = $2";

pub(crate) const ABANDON: &str = "UPDATE broadcast_recipients SET state = 'unknown', \
     updated_at = $1 WHERE state = 'sending'";

pub(crate) const FINISH: &str = "UPDATE broadcasts SET state = 'done', finished_at = $2 \
     WHERE id = $1 AND state = 'running' AND NOT EXISTS (\
         SELECT 1 FROM broadcast_recipients \
         WHERE broadcast_id = $1 AND state IN ('pending', 'sending'))";

pub(crate) const COUNTS: &str = "SELECT state, COUNT(*) FROM broadcast_recipients \
     WHERE broadcast_id = $1 GROUP BY state";

pub(crate) const SENT_SINCE: &str = "SELECT COUNT(*) FROM broadcast_recipients \
     WHERE broadcast_id = $1 AND state = 'sent' AND updated_at >= $2";

/// `$1` park or NULL, `$2` department or NULL, `$3` the earliest `last_seen`.
pub(crate) const AUDIENCE: &str = "SELECT id FROM users \
     WHERE NOT blocked AND NOT inactive \
     AND (CAST($1 AS TEXT) IS NULL OR park = $1) \
     AND (CAST($2 AS TEXT) IS NULL OR department = $2) \
     AND last_seen >= $3 ORDER BY id";

/// Takes the lease when it is free, expired (`$3` now) or already `$2`'s.
pub(crate) const ACQUIRE_LEASE: &str = "INSERT INTO leases (name, holder, expires_at) \
     VALUES ($1, $2, $4) ON CONFLICT (name) DO UPDATE \
     SET holder = excluded.holder, expires_at = excluded.expires_at \
     WHERE leases.holder = excluded.holder OR leases.expires_at < $3";

pub(crate) const RELEASE_LEASE: &str = "DELETE FROM leases WHERE name = $1 AND holder = $2";

/// A `broadcasts` row, in the column order of `broadcast_columns!`.
#[derive(sqlx::FromRow)]
pub(crate) struct BroadcastRow {
    pub id: i64,
    pub created_by: i64,
    pub created_at: Stamp,
    pub source: String,
    pub media_kind: Option<String>,
    pub media_file_id: Option<String>,
    pub audience: String,
    pub state: String,
    pub start_at: Stamp,
    pub started_at: Option<Stamp>,
    pub finished_at: Option<Stamp>,
    pub status_message: Option<i64>,
}

impl BroadcastRow {
    pub fn into_broadcast(self) -> Result<Broadcast, StorageError> {
        let id = self.id;
        let media = match (self.media_kind, self.media_file_id) {
            (None, None) => None,
            (Some(kind), Some(file_id)) => Some(Attachment {
                kind: MediaKind::parse(&kind)
                    .ok_or_else(|| corrupt(format!("broadcast {id}: media kind {kind:?}")))?,
                file_id,
            }),
            _ => return Err(corrupt(format!("broadcast {id}: half a media attachment"))),
        };
        Ok(Broadcast {
            id,
            state: BroadcastState::parse(&self.state)
                .ok_or_else(|| corrupt(format!("broadcast {id}: state {:?}", self.state)))?,
            started_at: self.started_at.map(|at| at.0),
            finished_at: self.finished_at.map(|at| at.0),
            job: NewBroadcast {
                created_by: UserId(self.created_by),
                created_at: self.created_at.0,
                source: self.source,
                media,
                audience: Audience::decode(&self.audience).ok_or_else(|| {
                    corrupt(format!("broadcast {id}: audience {:?}", self.audience))
                })?,
                start_at: self.start_at.0,
                status_message: self.status_message,
            },
        })
    }
}

/// The `(state, count)` rows of `COUNTS` added up.
pub(crate) fn delivery_counts(rows: Vec<(String, i64)>) -> Result<DeliveryCounts, StorageError> {
    let mut counts = DeliveryCounts::default();
    for (state, n) in rows {
        let delivery =
            Delivery::parse(&state).ok_or_else(|| corrupt(format!("delivery state {state:?}")))?;
        counts.add(delivery, u64::try_from(n).unwrap_or_default());
    }
    Ok(counts)
}

/// The earliest time an audience filter without an activity window accepts.
pub(crate) fn seen_bound(since: Option<OffsetDateTime>) -> OffsetDateTime {
    since.unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

use crate::stamp::Stamp;
use crate::store::{RowsAffected, on_every_backend};
use engine::ports::BroadcastStore;

on_every_backend! {
    impl Store {
        /// Broadcasts by `sql`, binding `numbers` and then `at`, in that order.
        async fn broadcast_list(
            &self,
            sql: &'static str,
            numbers: &[i64],
            at: Option<Stamp>,
        ) -> Result<Vec<engine::ports::Broadcast>, engine::ports::StorageError> {
            let mut query = sqlx::query_as::<_, crate::broadcast::BroadcastRow>(sql);
            for n in numbers {
                query = query.bind(*n);
            }
            if let Some(at) = at {
                query = query.bind(at);
            }
            query
                .fetch_all(DB::on(&self.pool))
                .await
                .map_err(crate::error::storage_error)?
                .into_iter()
                .map(|row| row.into_broadcast())
                .collect()
        }
    }
}

on_every_backend! {
    impl BroadcastStore {
        async fn create_broadcast(
            &self,
            b: &engine::ports::NewBroadcast,
        ) -> Result<i64, engine::ports::StorageError> {
            sqlx::query_scalar(crate::broadcast::CREATE)
                .bind(b.created_by.0)
                .bind(Stamp(b.created_at))
                .bind(&b.source)
                .bind(b.media.as_ref().map(|m| m.kind.as_str()))
                .bind(b.media.as_ref().map(|m| m.file_id.as_str()))
                .bind(b.audience.encode())
                .bind(Stamp(b.start_at))
                .bind(b.status_message)
                .fetch_one(DB::on(&self.pool))
                .await
                .map_err(crate::error::storage_error)
        }

        async fn broadcast(
            &self,
            id: i64,
        ) -> Result<Option<engine::ports::Broadcast>, engine::ports::StorageError> {
            sqlx::query_as::<_, crate::broadcast::BroadcastRow>(
                crate::broadcast::BROADCAST,
            )
            .bind(id)
            .fetch_optional(DB::on(&self.pool))
            .await
            .map_err(crate::error::storage_error)?
            .map(|row| row.into_broadcast())
            .transpose()
        }

        async fn broadcasts(
            &self,
            before: Option<i64>,
            limit: u32,
        ) -> Result<Vec<engine::ports::Broadcast>, engine::ports::StorageError> {
            let bounds = [before.unwrap_or(i64::MAX), i64::from(limit)];
            self.broadcast_list(crate::broadcast::BROADCASTS, &bounds, None)
                .await
        }

        async fn set_broadcast_state(
            &self,
            id: i64,
            from: &[domain::broadcast::BroadcastState],
            to: domain::broadcast::BroadcastState,
            now: time::OffsetDateTime,
        ) -> Result<bool, engine::ports::StorageError> {
            let finished = to.is_final().then_some(Stamp(now));
            for state in from {
                let moved = sqlx::query(crate::broadcast::MOVE)
                    .bind(id)
                    .bind(state.as_str())
                    .bind(to.as_str())
                    .bind(finished)
                    .execute(DB::on(&self.pool))
                    .await
                    .map_err(crate::error::storage_error)?
                    .rows_affected();
                if moved > 0 {
                    return Ok(true);
                }
            }
            Ok(false)
        }

        async fn due_broadcasts(
            &self,
            now: time::OffsetDateTime,
        ) -> Result<Vec<engine::ports::Broadcast>, engine::ports::StorageError> {
            self.broadcast_list(crate::broadcast::DUE, &[], Some(Stamp(now)))
                .await
        }

        async fn start_broadcast(
            &self,
            id: i64,
            recipients: &[domain::ids::UserId],
            now: time::OffsetDateTime,
        ) -> Result<bool, engine::ports::StorageError> {
            use crate::error::storage_error;
            let mut tx = self.pool.begin().await.map_err(storage_error)?;
            let moved = sqlx::query(crate::broadcast::START)
                .bind(id)
                .bind(Stamp(now))
                .execute(DB::in_tx(&mut tx))
                .await
                .map_err(storage_error)?
                .rows_affected();
            if moved == 0 {
                return Ok(false);
            }
            DB::insert_recipients(&mut tx, id, recipients, Stamp(now)).await?;
            tx.commit().await.map_err(storage_error)?;
            Ok(true)
        }

        async fn running_broadcasts(
            &self,
        ) -> Result<Vec<engine::ports::Broadcast>, engine::ports::StorageError> {
            self.broadcast_list(crate::broadcast::RUNNING, &[], None)
                .await
        }

        async fn claim_recipients(
            &self,
            id: i64,
            limit: u32,
            now: time::OffsetDateTime,
        ) -> Result<Vec<domain::ids::UserId>, engine::ports::StorageError> {
            let mut ids: Vec<i64> = sqlx::query_scalar(crate::broadcast::CLAIM)
                .bind(id)
                .bind(i64::from(limit))
                .bind(Stamp(now))
                .fetch_all(DB::on(&self.pool))
                .await
                .map_err(crate::error::storage_error)?;
            ids.sort_unstable();
            Ok(ids.into_iter().map(domain::ids::UserId).collect())
        }

        async fn record_delivery(
            &self,
            id: i64,
            user: domain::ids::UserId,
            outcome: domain::broadcast::Delivery,
            detail: Option<&str>,
            now: time::OffsetDateTime,
        ) -> Result<(), engine::ports::StorageError> {
            sqlx::query(crate::broadcast::RECORD)
                .bind(id)
                .bind(user.0)
                .bind(outcome.as_str())
                .bind(detail)
                .bind(Stamp(now))
                .execute(DB::on(&self.pool))
                .await
                .map_err(crate::error::storage_error)?;
            Ok(())
        }

        async fn abandon_in_flight(
            &self,
            now: time::OffsetDateTime,
        ) -> Result<u64, engine::ports::StorageError> {
            Ok(sqlx::query(crate::broadcast::ABANDON)
                .bind(Stamp(now))
                .execute(DB::on(&self.pool))
                .await
                .map_err(crate::error::storage_error)?
                .rows_affected())
        }

        async fn finish_if_complete(
            &self,
            id: i64,
            now: time::OffsetDateTime,
        ) -> Result<bool, engine::ports::StorageError> {
            Ok(sqlx::query(crate::broadcast::FINISH)
                .bind(id)
                .bind(Stamp(now))
                .execute(DB::on(&self.pool))
                .await
                .map_err(crate::error::storage_error)?
                .rows_affected()
                > 0)
        }

        async fn delivery_counts(
            &self,
            id: i64,
        ) -> Result<domain::broadcast::DeliveryCounts, engine::ports::StorageError> {
            let rows = sqlx::query_as(crate::broadcast::COUNTS)
                .bind(id)
                .fetch_all(DB::on(&self.pool))
                .await
                .map_err(crate::error::storage_error)?;
            crate::broadcast::delivery_counts(rows)
        }

        async fn sent_since(
            &self,
            id: i64,
            since: time::OffsetDateTime,
        ) -> Result<u64, engine::ports::StorageError> {
            let n: i64 = sqlx::query_scalar(crate::broadcast::SENT_SINCE)
                .bind(id)
                .bind(Stamp(since))
                .fetch_one(DB::on(&self.pool))
                .await
                .map_err(crate::error::storage_error)?;
            Ok(u64::try_from(n).unwrap_or_default())
        }

        async fn audience(
            &self,
            filter: &engine::ports::AudienceFilter,
        ) -> Result<Vec<domain::ids::UserId>, engine::ports::StorageError> {
            let ids: Vec<i64> = sqlx::query_scalar(crate::broadcast::AUDIENCE)
                .bind(filter.park.as_deref())
                .bind(filter.department.as_deref())
                .bind(Stamp(crate::broadcast::seen_bound(filter.seen_since)))
                .fetch_all(DB::on(&self.pool))
                .await
                .map_err(crate::error::storage_error)?;
            Ok(ids.into_iter().map(domain::ids::UserId).collect())
        }

        async fn acquire_lease(
            &self,
            name: &str,
            holder: &str,
            now: time::OffsetDateTime,
            until: time::OffsetDateTime,
        ) -> Result<bool, engine::ports::StorageError> {
            Ok(sqlx::query(crate::broadcast::ACQUIRE_LEASE)
                .bind(name)
                .bind(holder)
                .bind(Stamp(now))
                .bind(Stamp(until))
                .execute(DB::on(&self.pool))
                .await
                .map_err(crate::error::storage_error)?
                .rows_affected()
                > 0)
        }

        async fn release_lease(
            &self,
            name: &str,
            holder: &str,
        ) -> Result<(), engine::ports::StorageError> {
            sqlx::query(crate::broadcast::RELEASE_LEASE)
                .bind(name)
                .bind(holder)
                .execute(DB::on(&self.pool))
                .await
                .map_err(crate::error::storage_error)?;
            Ok(())
        }
    }
}
