//! Durable storage for trainbot: the [`engine::ports::Storage`] port implemented
//! with sqlx on SQLite (the embedded default) and PostgreSQL (production).
//!
//! [`SqlStorage::connect`] picks the backend from the URL scheme, so the rest of the
//! program never names a database: `sqlite://PATH` (the file and its directory are
//! created if missing; WAL, foreign keys on, 5 s busy timeout), `sqlite::memory:`
//! (one connection, for tests) or `postgres://…` / `postgresql://…`.
//! [`SqlStorage::migrate`] applies that backend's migrations and is idempotent.
//!
//! Both backends run the same SQL text wherever the dialects agree; they differ in
//! their schemas (one migrations folder each) and in how times are stored:
//! PostgreSQL uses `timestamptz`, SQLite uses INTEGER microseconds since the Unix
//! epoch, UTC. Both keep microseconds, so a time reads back identically on either
//! backend (nanoseconds are truncated) and sorts correctly as a number.
//!
//! Errors: driver errors become [`engine::ports::StorageError`] in one place
//! (`TimedOut` when no connection could be had in time, `Unavailable` for other
//! connection, pool, I/O and lock trouble, `Corrupt` for data or
//! schema we cannot read). Start-up failures are a [`ConnectError`] whose message is
//! meant for the operator and never contains a password from the URL.
//!
//! # Layout
//!
//! - `lib.rs`: [`SqlStorage`], [`Backend`] and the dispatch of the port to a backend.
//! - `connect.rs`: URL parsing, pool settings, [`ConnectError`] and password redaction.
//! - `error.rs`: the one mapping from `sqlx::Error` to `StorageError`.
//! - `sql.rs`: statements both backends share.
//! - `records.rs`: rows as read from either backend, turned into port records.
//! - `sqlite.rs`, `postgres.rs`: each backend's port implementation and migrations
//!   (`migrations/sqlite/`, `migrations/postgres/`); `sqlite/learning.rs` and
//!   `postgres/learning.rs` implement the learning port
//!   ([`engine::ports::LearningStore`]), with its shared SQL in `sql/learning.rs`
//!   and its rows in `records/learning.rs`; `*/admin.rs` likewise implement the
//!   admin port ([`engine::ports::AdminStore`]: the append-only audit log, the
//!   people statistics and the paged people list).
//! - `access.rs`: the access port ([`engine::ports::AccessStore`]: grants,
//!   invites, requests), written once as a macro that `sqlite/access.rs` and
//!   `postgres/access.rs` expand with their time types; SQL in `sql/access.rs`,
//!   rows in `records/access.rs`.
//! - `personal_data.rs` dispatches the personal-data port
//!   ([`engine::ports::PersonalDataStore`]: keyset-paged exports, deletion requests,
//!   erasure); `sql/`, `records/`, `sqlite/` and `postgres/personal_data.rs` hold its
//!   statements, rows and backend implementations.
//! - `lookup.rs`: the look-up port ([`engine::ports::LookupStore`]: people
//!   search over folded search keys, most-read pages) as one macro, like
//!   `access.rs`; SQL in `sql/lookup.rs`, rows in `records/lookup.rs`.
//! - `content.rs`: the content port ([`engine::ports::ContentStore`]: page
//!   versions made in the admin panel, reloads, the content generation) as one
//!   macro with its SQL and rows, like `access.rs`.
//! - [`copy`]: copying a whole database to another (either backend) with
//!   per-table counts and checksums (`trainbot db copy`).
//! - [`legacy`]: reading the old Python bot's database and importing its people
//!   and activity (`trainbot import legacy`), once.
//! - `testing` (feature `testing`, for tests only): fresh, isolated databases for
//!   this and other crates' tests.
//! - `tests/conformance.rs`: one story run against every backend.

#![forbid(unsafe_code)]

mod access;
mod admin;
mod broadcast;
mod connect;
mod content;
pub mod copy;
mod error;
pub mod legacy;
mod lookup;
mod personal_data;
mod postgres;
mod records;
mod roles;
mod sql;
mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use breaker::{Breaker, Outcome};
use domain::broadcast::{BroadcastState, Delivery, DeliveryCounts};
use domain::content::PageOverride;
use domain::ids::UserId;
use domain::lang::Lang;
use engine::ports::{
    AccessRequest, AccessStore, Activity, AdminStore, AnswerRecord, Attempt, AttemptResult,
    AudienceFilter, AuditEntry, Broadcast, BroadcastStore, Certificate, ContentGeneration,
    ContentStore, Invite, Learner, LearningStore, LookupStore, NewAttempt, NewBroadcast, NewInvite,
    NewPageVersion, OverdueLearner, PageReaders, PageVersion, PathDeadline, PeopleFilter,
    PeopleQuery, PeopleStats, PersonStatus, PersonSummary, ProfileField, QuizStats, Redemption,
    ReviewChange, ReviewItem, StaffProfile, Storage, StorageError, UpdateClaims, UserProfile,
    UserRecord, ViewsAt,
};
use time::OffsetDateTime;
use tracing::Instrument;

pub use connect::{ConnectError, PoolSettings};

use postgres::PostgresStorage;
use sqlite::SqliteStorage;

/// Which database a [`SqlStorage`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        })
    }
}

/// The storage port on SQLite or PostgreSQL, chosen by the URL. Cheap to clone: it
/// is a handle to a connection pool.
#[derive(Clone, Debug)]
pub struct SqlStorage {
    db: Db,
    guard: Arc<Guard>,
}

/// What stands between the port and the pool. A database that cannot be reached
/// costs each call the pool's whole acquire time-out (10 s), and an update makes
/// several calls: after a few such time-outs in a row the circuit breaker opens and
/// calls fail at once ("temporarily unavailable" for the person) until a probe call
/// gets through. On PostgreSQL each call also has an overall time limit, the
/// statement time-out plus the acquire time-out, so a connection to a host that
/// vanished from the network cannot hold an update for ever.
#[derive(Debug)]
struct Guard {
    breaker: Breaker,
    call_limit: Option<Duration>,
    /// Tests' outage on demand (`SqlStorage::set_outage`).
    #[cfg(feature = "testing")]
    outage: std::sync::atomic::AtomicBool,
}

/// Calls in a row that run into a time-out before the database's breaker opens.
const BREAKER_TRIP_AFTER: u32 = 3;
/// How long the open breaker fails calls before one probe call tries the database.
const BREAKER_COOL_DOWN: Duration = Duration::from_secs(5);

#[derive(Clone, Debug)]
enum Db {
    Sqlite(SqliteStorage),
    Postgres(PostgresStorage),
}

impl SqlStorage {
    /// Opens a pool for `url`: `sqlite://PATH` (file and directory created if
    /// missing, WAL, foreign keys on, busy timeout), `sqlite::memory:` for tests,
    /// `postgres://…` / `postgresql://…` (one connection is made at once, so an
    /// unreachable server is reported here rather than on the first update).
    /// Does not migrate: call [`SqlStorage::migrate`].
    pub async fn connect(url: &str) -> Result<SqlStorage, ConnectError> {
        SqlStorage::connect_with(url, &PoolSettings::default()).await
    }

    /// [`SqlStorage::connect`] with the pool's size and, on PostgreSQL, the
    /// statements' time-out.
    pub async fn connect_with(
        url: &str,
        settings: &PoolSettings,
    ) -> Result<SqlStorage, ConnectError> {
        let (db, call_limit) = match connect::target(url)? {
            connect::Target::Sqlite => (
                Db::Sqlite(SqliteStorage::new(connect::sqlite(url, settings).await?)),
                None,
            ),
            connect::Target::Postgres => (
                Db::Postgres(PostgresStorage::new(
                    connect::postgres_with(url, settings).await?,
                )),
                settings
                    .statement_timeout
                    .map(|statement| statement + settings.acquire_timeout()),
            ),
        };
        let guard = Guard {
            breaker: Breaker::new("database", BREAKER_TRIP_AFTER, BREAKER_COOL_DOWN),
            call_limit,
            #[cfg(feature = "testing")]
            outage: std::sync::atomic::AtomicBool::new(false),
        };
        Ok(SqlStorage {
            db,
            guard: Arc::new(guard),
        })
    }

    /// Whether the database's circuit breaker is failing calls fast (open, or a
    /// probe call is out).
    pub fn is_failing_fast(&self) -> bool {
        self.guard.breaker.is_open()
    }

    /// Applies this backend's migrations that are not applied yet (idempotent; on
    /// PostgreSQL an advisory lock keeps concurrent replicas from racing).
    pub async fn migrate(&self) -> Result<(), ConnectError> {
        let result = match &self.db {
            Db::Sqlite(s) => s.migrate().await,
            Db::Postgres(s) => s.migrate().await,
        };
        result.map_err(|e| ConnectError::Migration(e.to_string()))?;
        let filled = match &self.db {
            Db::Sqlite(s) => s.fill_search_keys().await,
            Db::Postgres(s) => s.fill_search_keys().await,
        };
        filled.map_err(|e| ConnectError::Migration(format!("filling search keys: {e}")))
    }

    pub fn backend(&self) -> Backend {
        match &self.db {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Closes the pool, waiting for connections in use to be returned. On SQLite
    /// this lets the last connection checkpoint the WAL; call it on shutdown.
    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite(s) => s.close().await,
            Db::Postgres(s) => s.close().await,
        }
    }

    fn port(&self) -> &dyn Storage {
        match &self.db {
            Db::Sqlite(s) => s,
            Db::Postgres(s) => s,
        }
    }
}

impl SqlStorage {
    /// One call of the port, through the [`Guard`]: a child span of the update being
    /// handled (`storage`, with the operation's name and whether it failed) and its
    /// time in `trainbot_storage_seconds{op}`. Only the operation's name is
    /// recorded, never its arguments: they can be names, texts or password hashes.
    async fn observed<T>(
        &self,
        op: &'static str,
        call: impl Future<Output = Result<T, StorageError>>,
    ) -> Result<T, StorageError> {
        #[cfg(feature = "testing")]
        if self.guard.outage.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(StorageError::Unavailable(format!(
                "{op}: the database cannot be reached (a test's outage)"
            )));
        }
        let Some(permit) = self.guard.breaker.admit() else {
            return Err(StorageError::Unavailable(format!(
                "{op} not tried: the database's circuit breaker is open after calls kept timing out"
            )));
        };
        let span = tracing::info_span!("storage", op, error = tracing::field::Empty);
        let started = Instant::now();
        let call = call.instrument(span.clone());
        let result = match self.guard.call_limit {
            Some(limit) => tokio::time::timeout(limit, call).await.unwrap_or_else(|_| {
                Err(StorageError::TimedOut(format!(
                    "{op} did not finish within {} s",
                    limit.as_secs()
                )))
            }),
            None => call.await,
        };
        permit.finish(match &result {
            Ok(_) => Outcome::Success,
            Err(StorageError::TimedOut(_)) => Outcome::TimedOut,
            Err(_) => Outcome::Failed,
        });
        if result.is_err() {
            span.record("error", true);
        }
        metrics::histogram!("trainbot_storage_seconds", "op" => op)
            .record(started.elapsed().as_secs_f64());
        result
    }
}

#[async_trait]
impl Storage for SqlStorage {
    async fn touch_user(
        &self,
        profile: &UserProfile,
        language: Lang,
        now: OffsetDateTime,
    ) -> Result<UserRecord, StorageError> {
        self.observed("touch_user", self.port().touch_user(profile, language, now))
            .await
    }

    async fn user(&self, id: UserId) -> Result<Option<UserRecord>, StorageError> {
        self.observed("user", self.port().user(id)).await
    }

    async fn set_language(&self, id: UserId, language: Lang) -> Result<(), StorageError> {
        self.observed("set_language", self.port().set_language(id, language))
            .await
    }

    async fn set_inactive(&self, id: UserId, inactive: bool) -> Result<(), StorageError> {
        self.observed("set_inactive", self.port().set_inactive(id, inactive))
            .await
    }

    async fn set_blocked(&self, id: UserId, blocked: bool) -> Result<(), StorageError> {
        self.observed("set_blocked", self.port().set_blocked(id, blocked))
            .await
    }

    async fn count_users(&self) -> Result<u64, StorageError> {
        self.observed("count_users", self.port().count_users())
            .await
    }

    async fn record_activity(&self, batch: &[Activity]) -> Result<(), StorageError> {
        self.observed("record_activity", self.port().record_activity(batch))
            .await
    }

    async fn record_last_seen(
        &self,
        seen: &[(UserId, OffsetDateTime)],
    ) -> Result<(), StorageError> {
        self.observed("record_last_seen", self.port().record_last_seen(seen))
            .await
    }

    async fn recent_activity(
        &self,
        user: UserId,
        limit: u32,
    ) -> Result<Vec<Activity>, StorageError> {
        self.observed("recent_activity", self.port().recent_activity(user, limit))
            .await
    }

    async fn media_file_id(&self, key: &str) -> Result<Option<String>, StorageError> {
        self.observed("media_file_id", self.port().media_file_id(key))
            .await
    }

    async fn save_media_file_id(&self, key: &str, file_id: &str) -> Result<(), StorageError> {
        self.observed(
            "save_media_file_id",
            self.port().save_media_file_id(key, file_id),
        )
        .await
    }

    async fn ping(&self) -> Result<(), StorageError> {
        self.observed("ping", self.port().ping()).await
    }
}

#[async_trait]
impl UpdateClaims for SqlStorage {
    async fn claim_update(
        &self,
        update_id: i64,
        now: OffsetDateTime,
        ttl: std::time::Duration,
    ) -> Result<bool, StorageError> {
        let claim = async {
            match &self.db {
                Db::Sqlite(s) => s.claim_update(update_id, now, ttl).await,
                Db::Postgres(s) => s.claim_update(update_id, now, ttl).await,
            }
        };
        self.observed("claim_update", claim).await
    }

    async fn finish_update(
        &self,
        update_id: i64,
        now: OffsetDateTime,
        ttl: std::time::Duration,
    ) -> Result<(), StorageError> {
        let finish = async {
            match &self.db {
                Db::Sqlite(s) => s.finish_update(update_id, now, ttl).await,
                Db::Postgres(s) => s.finish_update(update_id, now, ttl).await,
            }
        };
        self.observed("finish_update", finish).await
    }

    async fn last_claimed(&self) -> Result<Option<i64>, StorageError> {
        let query = sql::LAST_CLAIMED;
        let last = async {
            match &self.db {
                Db::Sqlite(s) => sqlx::query_scalar(query).fetch_one(s.pool()).await,
                Db::Postgres(s) => sqlx::query_scalar(query).fetch_one(s.pool()).await,
            }
            .map_err(error::storage_error)
        };
        self.observed("last_claimed", last).await
    }
}

#[async_trait]
impl LearningStore for SqlStorage {
    async fn staff_profile(&self, user: UserId) -> Result<StaffProfile, StorageError> {
        self.observed("staff_profile", self.port().staff_profile(user))
            .await
    }

    async fn set_profile_field(
        &self,
        user: UserId,
        field: ProfileField,
    ) -> Result<(), StorageError> {
        self.observed(
            "set_profile_field",
            self.port().set_profile_field(user, field),
        )
        .await
    }

    async fn mark_onboarded(&self, user: UserId) -> Result<(), StorageError> {
        self.observed("mark_onboarded", self.port().mark_onboarded(user))
            .await
    }

    async fn pages_read(&self, user: UserId) -> Result<Vec<String>, StorageError> {
        self.observed("pages_read", self.port().pages_read(user))
            .await
    }

    async fn start_attempt(&self, attempt: &NewAttempt) -> Result<i64, StorageError> {
        self.observed("start_attempt", self.port().start_attempt(attempt))
            .await
    }

    async fn attempt(&self, id: i64) -> Result<Option<Attempt>, StorageError> {
        self.observed("attempt", self.port().attempt(id)).await
    }

    async fn open_attempt(&self, user: UserId) -> Result<Option<Attempt>, StorageError> {
        self.observed("open_attempt", self.port().open_attempt(user))
            .await
    }

    async fn record_answer(
        &self,
        attempt: i64,
        answer: &AnswerRecord,
        review: ReviewChange,
    ) -> Result<bool, StorageError> {
        self.observed(
            "record_answer",
            self.port().record_answer(attempt, answer, review),
        )
        .await
    }

    async fn finish_attempt(
        &self,
        attempt: i64,
        result: &AttemptResult,
    ) -> Result<bool, StorageError> {
        self.observed(
            "finish_attempt",
            self.port().finish_attempt(attempt, result),
        )
        .await
    }

    async fn quiz_attempts(
        &self,
        user: UserId,
        quiz_id: &str,
    ) -> Result<Vec<Attempt>, StorageError> {
        self.observed("quiz_attempts", self.port().quiz_attempts(user, quiz_id))
            .await
    }

    async fn passed_quizzes(&self, user: UserId) -> Result<Vec<String>, StorageError> {
        self.observed("passed_quizzes", self.port().passed_quizzes(user))
            .await
    }

    async fn schedule_review(&self, user: UserId, item: &ReviewItem) -> Result<(), StorageError> {
        self.observed("schedule_review", self.port().schedule_review(user, item))
            .await
    }

    async fn reviews(&self, user: UserId) -> Result<Vec<ReviewItem>, StorageError> {
        self.observed("reviews", self.port().reviews(user)).await
    }

    async fn learners(&self) -> Result<Vec<Learner>, StorageError> {
        self.observed("learners", self.port().learners()).await
    }

    async fn mark_reminded(&self, user: UserId, at: OffsetDateTime) -> Result<(), StorageError> {
        self.observed("mark_reminded", self.port().mark_reminded(user, at))
            .await
    }

    /// Idempotent per person and department: if the person already holds a
    /// certificate for `certificate.department`, that one is kept and this one is
    /// dropped without an error (read the kept one with
    /// [`LearningStore::certificate_for`]). A `code` already used by another
    /// certificate is an error (`Unavailable`): pick a new code and try again.
    async fn save_certificate(&self, certificate: &Certificate) -> Result<(), StorageError> {
        self.observed(
            "save_certificate",
            self.port().save_certificate(certificate),
        )
        .await
    }

    async fn certificate(&self, code: &str) -> Result<Option<Certificate>, StorageError> {
        self.observed("certificate", self.port().certificate(code))
            .await
    }

    async fn certificate_for(
        &self,
        user: UserId,
        department: &str,
    ) -> Result<Option<Certificate>, StorageError> {
        self.observed(
            "certificate_for",
            self.port().certificate_for(user, department),
        )
        .await
    }
}

#[async_trait]
impl AdminStore for SqlStorage {
    /// Appends; `entry.id` is ignored and assigned by the database.
    async fn record_audit(&self, entry: &AuditEntry) -> Result<(), StorageError> {
        self.observed("record_audit", self.port().record_audit(entry))
            .await
    }

    /// Ordered by id, the order of writing (not by `at`).
    async fn audit_entries(
        &self,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StorageError> {
        self.observed("audit_entries", self.port().audit_entries(before, limit))
            .await
    }

    /// A window is `[now - span, now]`: a time after `now` counts in none. No park
    /// (department) and an empty one are the same group, `""`; equal counts are
    /// ordered by id byte by byte. The counts and the two groupings are three
    /// reads, not one snapshot.
    async fn people_stats(
        &self,
        now: OffsetDateTime,
        park: Option<&str>,
    ) -> Result<PeopleStats, StorageError> {
        self.observed("people_stats", self.port().people_stats(now, park))
            .await
    }

    /// Ordered by ascending id; `after` is exclusive and need not be an existing
    /// id. Each page is its own read: a walk never shows anyone twice, but a person
    /// whose status changes during it may be missed.
    async fn people(
        &self,
        status: PersonStatus,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<PersonSummary>, StorageError> {
        self.observed("people", self.port().people(status, after, limit))
            .await
    }

    async fn count_people(&self, status: PersonStatus) -> Result<u64, StorageError> {
        self.observed("count_people", self.port().count_people(status))
            .await
    }
}

/// Delegates to the backend; the statements are in `lookup.rs`, shared by both.
#[async_trait]
impl LookupStore for SqlStorage {
    async fn search_people(
        &self,
        query: &PeopleQuery,
        park: Option<&str>,
        limit: u32,
    ) -> Result<Vec<PersonSummary>, StorageError> {
        self.observed(
            "search_people",
            self.port().search_people(query, park, limit),
        )
        .await
    }

    /// As [`AdminStore::people`], within a park and a department.
    async fn filtered_people(
        &self,
        filter: &PeopleFilter,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<PersonSummary>, StorageError> {
        self.observed(
            "filtered_people",
            self.port().filtered_people(filter, after, limit),
        )
        .await
    }

    async fn count_filtered_people(&self, filter: &PeopleFilter) -> Result<u64, StorageError> {
        self.observed(
            "count_filtered_people",
            self.port().count_filtered_people(filter),
        )
        .await
    }

    async fn top_pages(
        &self,
        limit: u32,
        park: Option<&str>,
    ) -> Result<Vec<PageReaders>, StorageError> {
        self.observed("top_pages", self.port().top_pages(limit, park))
            .await
    }

    async fn quiz_stats(&self, park: Option<&str>) -> Result<QuizStats, StorageError> {
        self.observed("quiz_stats", self.port().quiz_stats(park))
            .await
    }

    async fn answer_counts(
        &self,
        filter: &engine::ports::AnswerFilter,
    ) -> Result<Vec<engine::ports::AnswerCount>, StorageError> {
        self.observed("answer_counts", self.port().answer_counts(filter))
            .await
    }

    async fn count_certified(&self, park: Option<&str>) -> Result<u64, StorageError> {
        self.observed("count_certified", self.port().count_certified(park))
            .await
    }

    /// Slots are aligned to quarter hours since the Unix epoch, in UTC.
    async fn page_views_by_slot(
        &self,
        park: &str,
        since: OffsetDateTime,
    ) -> Result<Vec<ViewsAt>, StorageError> {
        self.observed(
            "page_views_by_slot",
            self.port().page_views_by_slot(park, since),
        )
        .await
    }

    async fn overdue(
        &self,
        paths: &[PathDeadline],
        park: Option<&str>,
    ) -> Result<Vec<OverdueLearner>, StorageError> {
        self.observed("overdue", self.port().overdue(paths, park))
            .await
    }
}

/// Delegates to the backend; the statements and their documentation are in
/// `broadcast.rs`, shared by both.
#[async_trait]
impl BroadcastStore for SqlStorage {
    async fn create_broadcast(&self, broadcast: &NewBroadcast) -> Result<i64, StorageError> {
        self.observed("create_broadcast", self.port().create_broadcast(broadcast))
            .await
    }

    async fn broadcast(&self, id: i64) -> Result<Option<Broadcast>, StorageError> {
        self.observed("broadcast", self.port().broadcast(id)).await
    }

    async fn broadcasts(
        &self,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Broadcast>, StorageError> {
        self.observed("broadcasts", self.port().broadcasts(before, limit))
            .await
    }

    async fn set_broadcast_state(
        &self,
        id: i64,
        from: &[BroadcastState],
        to: BroadcastState,
        now: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        self.observed(
            "set_broadcast_state",
            self.port().set_broadcast_state(id, from, to, now),
        )
        .await
    }

    async fn due_broadcasts(&self, now: OffsetDateTime) -> Result<Vec<Broadcast>, StorageError> {
        self.observed("due_broadcasts", self.port().due_broadcasts(now))
            .await
    }

    /// Adding a recipient twice is a no-op (the key is broadcast and person).
    async fn start_broadcast(
        &self,
        id: i64,
        recipients: &[UserId],
        now: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        self.observed(
            "start_broadcast",
            self.port().start_broadcast(id, recipients, now),
        )
        .await
    }

    async fn running_broadcasts(&self) -> Result<Vec<Broadcast>, StorageError> {
        self.observed("running_broadcasts", self.port().running_broadcasts())
            .await
    }

    async fn claim_recipients(
        &self,
        id: i64,
        limit: u32,
        now: OffsetDateTime,
    ) -> Result<Vec<UserId>, StorageError> {
        self.observed(
            "claim_recipients",
            self.port().claim_recipients(id, limit, now),
        )
        .await
    }

    async fn record_delivery(
        &self,
        id: i64,
        user: UserId,
        outcome: Delivery,
        detail: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<(), StorageError> {
        self.observed(
            "record_delivery",
            self.port().record_delivery(id, user, outcome, detail, now),
        )
        .await
    }

    async fn abandon_in_flight(&self, now: OffsetDateTime) -> Result<u64, StorageError> {
        self.observed("abandon_in_flight", self.port().abandon_in_flight(now))
            .await
    }

    async fn finish_if_complete(&self, id: i64, now: OffsetDateTime) -> Result<bool, StorageError> {
        self.observed(
            "finish_if_complete",
            self.port().finish_if_complete(id, now),
        )
        .await
    }

    async fn delivery_counts(&self, id: i64) -> Result<DeliveryCounts, StorageError> {
        self.observed("delivery_counts", self.port().delivery_counts(id))
            .await
    }

    async fn sent_since(&self, id: i64, since: OffsetDateTime) -> Result<u64, StorageError> {
        self.observed("sent_since", self.port().sent_since(id, since))
            .await
    }

    async fn audience(&self, filter: &AudienceFilter) -> Result<Vec<UserId>, StorageError> {
        self.observed("audience", self.port().audience(filter))
            .await
    }

    async fn acquire_lease(
        &self,
        name: &str,
        holder: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        self.observed(
            "acquire_lease",
            self.port().acquire_lease(name, holder, now, until),
        )
        .await
    }

    async fn release_lease(&self, name: &str, holder: &str) -> Result<(), StorageError> {
        self.observed("release_lease", self.port().release_lease(name, holder))
            .await
    }
}

#[async_trait]
impl AccessStore for SqlStorage {
    async fn has_access(&self, user: UserId) -> Result<bool, StorageError> {
        self.observed("has_access", self.port().has_access(user))
            .await
    }

    async fn grant_access(
        &self,
        user: UserId,
        via: &str,
        now: OffsetDateTime,
    ) -> Result<(), StorageError> {
        self.observed("grant_access", self.port().grant_access(user, via, now))
            .await
    }

    async fn create_invite(&self, invite: &NewInvite) -> Result<Invite, StorageError> {
        self.observed("create_invite", self.port().create_invite(invite))
            .await
    }

    async fn active_invites(
        &self,
        now: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<Invite>, StorageError> {
        self.observed("active_invites", self.port().active_invites(now, limit))
            .await
    }

    async fn revoke_invite(&self, id: i64, now: OffsetDateTime) -> Result<bool, StorageError> {
        self.observed("revoke_invite", self.port().revoke_invite(id, now))
            .await
    }

    /// On SQLite the write lock serialises redemptions; on PostgreSQL the row
    /// lock of the one `UPDATE` does, so the limit holds either way.
    async fn redeem_invite(
        &self,
        code: &str,
        user: UserId,
        now: OffsetDateTime,
    ) -> Result<Redemption, StorageError> {
        self.observed("redeem_invite", self.port().redeem_invite(code, user, now))
            .await
    }

    async fn request_access(
        &self,
        user: UserId,
        name: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        self.observed(
            "request_access",
            self.port().request_access(user, name, now),
        )
        .await
    }

    async fn access_request(&self, user: UserId) -> Result<Option<AccessRequest>, StorageError> {
        self.observed("access_request", self.port().access_request(user))
            .await
    }

    async fn pending_requests(&self, limit: u32) -> Result<Vec<AccessRequest>, StorageError> {
        self.observed("pending_requests", self.port().pending_requests(limit))
            .await
    }

    async fn count_pending_requests(&self) -> Result<u64, StorageError> {
        self.observed(
            "count_pending_requests",
            self.port().count_pending_requests(),
        )
        .await
    }

    async fn decide_request(
        &self,
        user: UserId,
        approve: bool,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        self.observed(
            "decide_request",
            self.port().decide_request(user, approve, by, now),
        )
        .await
    }
}

#[async_trait]
impl engine::ports::RoleStore for SqlStorage {
    async fn role_of(
        &self,
        user: UserId,
    ) -> Result<Option<engine::ports::RoleGrant>, StorageError> {
        self.observed("role_of", self.port().role_of(user)).await
    }

    async fn grant_role(
        &self,
        user: UserId,
        role: &engine::ports::Role,
        by: UserId,
        at: OffsetDateTime,
    ) -> Result<(), StorageError> {
        self.observed("grant_role", self.port().grant_role(user, role, by, at))
            .await
    }

    async fn revoke_role(&self, user: UserId) -> Result<bool, StorageError> {
        self.observed("revoke_role", self.port().revoke_role(user))
            .await
    }

    async fn set_role_password(&self, user: UserId, hash: &str) -> Result<bool, StorageError> {
        self.observed(
            "set_role_password",
            self.port().set_role_password(user, hash),
        )
        .await
    }

    async fn role_holders(&self) -> Result<Vec<engine::ports::RoleGrant>, StorageError> {
        self.observed("role_holders", self.port().role_holders())
            .await
    }
}

#[async_trait]
impl ContentStore for SqlStorage {
    async fn add_page_version(&self, version: &NewPageVersion) -> Result<i64, StorageError> {
        self.observed("add_page_version", self.port().add_page_version(version))
            .await
    }

    async fn current_overrides(&self) -> Result<Vec<PageOverride>, StorageError> {
        self.observed("current_overrides", self.port().current_overrides())
            .await
    }

    async fn page_versions(
        &self,
        path: &str,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<PageVersion>, StorageError> {
        self.observed(
            "page_versions",
            self.port().page_versions(path, before, limit),
        )
        .await
    }

    async fn page_version(&self, id: i64) -> Result<Option<PageVersion>, StorageError> {
        self.observed("page_version", self.port().page_version(id))
            .await
    }

    async fn record_content_reload(
        &self,
        by: UserId,
        at: OffsetDateTime,
    ) -> Result<i64, StorageError> {
        self.observed(
            "record_content_reload",
            self.port().record_content_reload(by, at),
        )
        .await
    }

    async fn content_generation(&self) -> Result<ContentGeneration, StorageError> {
        self.observed("content_generation", self.port().content_generation())
            .await
    }
}
