//! [`Store`]: every port written once, for both backends.
//!
//! A port's implementation is generic over the backend ([`Dialect`]): times bind
//! and read as [`crate::stamp::Stamp`], which is `timestamptz` on PostgreSQL and
//! INTEGER microseconds on SQLite, so the same statements and the same code serve
//! both. Where the dialects truly differ (a batch insert, a few statements), the
//! [`Dialect`] says how; `sqlite.rs` and `postgres.rs` implement it.
//!
//! Each port is implemented inside [`on_every_backend!`], which also puts every
//! call through [`Store::observed`]: the circuit breaker, the time limit, a span
//! and the `trainbot_storage_seconds{op}` metric, named by the method. So the
//! ports have one implementation and no layer that forwards them.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use breaker::{Breaker, Outcome};
use domain::ids::UserId;
use engine::ports::{Activity, StorageError};
use sqlx::migrate::MigrateError;
use sqlx::{Database, Executor, IntoArguments, Pool, Transaction};
use time::OffsetDateTime;
use tracing::Instrument;

use crate::stamp::Stamp;

/// What the shared code needs of a backend beyond sqlx's own traits: executors
/// for its pool and for a transaction, how many rows a statement changed, and the
/// few statements and batch writes whose dialects differ.
pub(crate) trait Dialect:
    Database<Arguments: IntoArguments<Self>, QueryResult: RowsAffected>
{
    /// Page views per quarter hour of the day (`sql/lookup.rs`).
    const VIEWS_BY_SLOT: &'static str;

    /// Learners past their path's deadline (`sql/lookup.rs`).
    const OVERDUE: &'static str;

    /// An answer, then the review of its question scheduled (`$10` the stage,
    /// `$11` when it is due): one call, and the review changes only if the answer
    /// was new, which the rows it changed tell (see `learning.rs`).
    const RECORD_ANSWER_SCHEDULING: &'static str;

    /// An answer, then the review of its question cleared, as
    /// [`Dialect::RECORD_ANSWER_SCHEDULING`].
    const RECORD_ANSWER_CLEARING: &'static str;

    /// Applies this backend's migrations that are not applied yet.
    fn migrate(pool: &Pool<Self>) -> impl Future<Output = Result<(), MigrateError>> + Send;

    fn on(pool: &Pool<Self>) -> impl Executor<'_, Database = Self>;

    fn in_tx(connection: &mut Self::Connection) -> impl Executor<'_, Database = Self>;

    /// Appends activity records (at least one), atomically.
    fn insert_activity(
        pool: &Pool<Self>,
        batch: &[Activity],
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// Moves people's `last_seen` forward, never back (at least one), atomically.
    fn update_last_seen(
        pool: &Pool<Self>,
        seen: &[(UserId, OffsetDateTime)],
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// Adds a broadcast's recipients, pending, inside its creating transaction.
    fn insert_recipients(
        tx: &mut Transaction<'_, Self>,
        id: i64,
        recipients: &[UserId],
        now: Stamp,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;
}

/// How many rows a statement changed, on either backend.
pub(crate) trait RowsAffected {
    fn rows_affected(&self) -> u64;
}

impl RowsAffected for sqlx::sqlite::SqliteQueryResult {
    fn rows_affected(&self) -> u64 {
        self.rows_affected()
    }
}

impl RowsAffected for sqlx::postgres::PgQueryResult {
    fn rows_affected(&self) -> u64 {
        self.rows_affected()
    }
}

/// One backend's pool, with every port implemented on it. Cheap to clone.
#[derive(Debug)]
pub(crate) struct Store<DB: Database> {
    /// The pool; the ports use it through [`Dialect::on`], whole-database work
    /// (`copy`, `legacy`) directly.
    pub(crate) pool: Pool<DB>,
    guard: Arc<Guard>,
}

impl<DB: Database> Clone for Store<DB> {
    fn clone(&self) -> Self {
        Store {
            pool: self.pool.clone(),
            guard: Arc::clone(&self.guard),
        }
    }
}

/// What stands between the ports and the pool. A database that cannot be reached
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

impl<DB: Database> Store<DB> {
    /// The ports on `pool`; `call_limit` bounds each call (see [`Guard`]).
    pub(crate) fn new(pool: Pool<DB>, call_limit: Option<Duration>) -> Store<DB> {
        let guard = Guard {
            breaker: Breaker::new("database", BREAKER_TRIP_AFTER, BREAKER_COOL_DOWN),
            call_limit,
            #[cfg(feature = "testing")]
            outage: std::sync::atomic::AtomicBool::new(false),
        };
        Store {
            pool,
            guard: Arc::new(guard),
        }
    }

    /// Whether the circuit breaker is failing calls fast (open, or a probe call
    /// is out).
    pub(crate) fn is_failing_fast(&self) -> bool {
        self.guard.breaker.is_open()
    }

    #[cfg(feature = "testing")]
    pub(crate) fn set_outage(&self, down: bool) {
        self.guard
            .outage
            .store(down, std::sync::atomic::Ordering::Relaxed);
    }

    /// One call of a port, through the [`Guard`]: a child span of the update being
    /// handled (`storage`, with the operation's name and whether it failed) and its
    /// time in `trainbot_storage_seconds{op}`. Only the operation's name is
    /// recorded, never its arguments: they can be names, texts or password hashes.
    pub(crate) async fn observed<T>(
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

impl<DB: Dialect> Store<DB> {
    /// Applies this backend's migrations that are not applied yet.
    pub(crate) async fn migrate(&self) -> Result<(), MigrateError> {
        DB::migrate(&self.pool).await
    }
}

/// Implements a port for [`Store`] on every [`Dialect`] (`impl Port { … }`, the
/// port's trait in scope), each method's body run through [`Store::observed`]
/// under the method's name; or adds helper methods (`impl Store { … }`), which
/// are not observed. The bounds say what the shared statements need: each plain
/// value type binds and reads, as it is and as an `Option`.
macro_rules! on_every_backend {
    (impl Store { $($helpers:tt)* }) => {
        $crate::store::on_every_backend!(@bounds [] [] { $($helpers)* });
    };
    (
        impl $port:ident {
            $(
                $(#[$attr:meta])*
                async fn $name:ident(&$self:ident $(, $arg:ident: $ty:ty)* $(,)?) -> $ret:ty $body:block
            )*
        }
    ) => {
        $crate::store::on_every_backend!(@bounds [#[async_trait::async_trait]] [$port] {
            $(
                $(#[$attr])*
                async fn $name(&$self $(, $arg: $ty)*) -> $ret {
                    $self.observed(stringify!($name), async move $body).await
                }
            )*
        });
    };
    (@bounds [$(#[$impl_attr:meta])*] [$($port:ident)?] { $($items:tt)* }) => {
        $crate::store::on_every_backend!(
            @values [i32, i64, bool, String, $crate::stamp::Stamp]
            [$(#[$impl_attr])*] [$($port)?] { $($items)* }
        );
    };
    (
        @values [$($value:ty),*]
        [$(#[$impl_attr:meta])*] [$($port:ident)?] { $($items:tt)* }
    ) => {
        $(#[$impl_attr])*
        impl<DB> $($port for)? $crate::store::Store<DB>
        where
            DB: $crate::store::Dialect,
            $(
                for<'r> $value: sqlx::Decode<'r, DB> + sqlx::Encode<'r, DB> + sqlx::Type<DB>,
                for<'r> Option<$value>: sqlx::Encode<'r, DB>,
            )*
            for<'r> &'r str: sqlx::Encode<'r, DB> + sqlx::Type<DB>,
            for<'r> Option<&'r str>: sqlx::Encode<'r, DB>,
            usize: sqlx::ColumnIndex<DB::Row>,
            for<'a> &'a str: sqlx::ColumnIndex<DB::Row>,
        {
            $($items)*
        }
    };
}
pub(crate) use on_every_backend;
