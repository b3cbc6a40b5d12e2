//! Durable storage for trainbot: the [`engine::ports::StoragePorts`] implemented
//! with sqlx on SQLite (the embedded default) and PostgreSQL (production).
//!
//! [`SqlStorage::connect`] picks the backend from the URL scheme, so the rest of the
//! program never names a database: `sqlite://PATH` (the file and its directory are
//! created if missing; WAL, foreign keys on, 5 s busy timeout), `sqlite::memory:`
//! (one connection, for tests) or `postgres://…` / `postgresql://…`.
//! [`SqlStorage::migrate`] applies that backend's migrations and is idempotent.
//!
//! Every port is written once, generic over the backend (`store.rs`): both run the
//! same SQL text wherever the dialects agree, and times bind as one type
//! (`stamp.rs`) that PostgreSQL stores as `timestamptz` and SQLite as INTEGER
//! microseconds since the Unix epoch, UTC. The backends differ in their schemas
//! (one migrations folder each), their batch writes and a few statements, which
//! `sqlite.rs` and `postgres.rs` supply. [`SqlStorage::ports`] hands out the
//! ports behind `Arc<dyn …>`: there is no layer that forwards them.
//!
//! Errors: driver errors become [`engine::ports::StorageError`] in one place
//! (`TimedOut` when no connection could be had in time, `Unavailable` for other
//! connection, pool, I/O and lock trouble, `Corrupt` for data or
//! schema we cannot read). Start-up failures are a [`ConnectError`] whose message is
//! meant for the operator and never contains a password from the URL.
//!
//! # Layout
//!
//! - `lib.rs`: [`SqlStorage`] (connect, migrate, close, the ports) and [`Backend`].
//! - `store.rs`: the generic `Store` every port is implemented on, the `Dialect`
//!   a backend supplies, the guard every call goes through (circuit breaker,
//!   time limit, span, metric) and the `on_every_backend!` that puts it there.
//! - `stamp.rs`: the time type both backends bind and read.
//! - `sqlite.rs`, `postgres.rs`: each backend's `Dialect` and migrations
//!   (`migrations/sqlite/`, `migrations/postgres/`).
//! - `connect.rs`: URL parsing, pool settings, [`ConnectError`] and password redaction.
//! - `error.rs`: the one mapping from `sqlx::Error` to `StorageError`.
//! - One file per port, each with its statements in `sql/` and its rows in
//!   `records/`: `basics.rs` (the port's own methods: people, activity, media
//!   cache; and the update claims), `learning.rs`, `admin.rs` (audit log, people
//!   statistics and list), `access.rs` (grants, invites, requests),
//!   `personal_data.rs` (exports, deletion requests, erasure), `lookup.rs`
//!   (people search, most-read pages, and the one-off filling of search keys),
//!   `broadcast.rs`, `roles.rs`, `content.rs` (page versions, reloads).
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
mod basics;
mod broadcast;
mod connect;
mod content;
pub mod copy;
mod error;
mod learning;
pub mod legacy;
mod lookup;
mod personal_data;
mod postgres;
mod records;
mod roles;
mod sql;
mod sqlite;
mod stamp;
mod store;
#[cfg(feature = "testing")]
pub mod testing;

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use engine::ports::{Storage, StoragePorts, UpdateClaims};
use sqlx::{Postgres, Sqlite};

pub use connect::{ConnectError, PoolSettings};

use store::Store;

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

/// The storage ports on SQLite or PostgreSQL, chosen by the URL. Cheap to clone:
/// it is a handle to a connection pool. It dereferences to every port at once,
/// so a port's method can be called on it directly (tools, tests);
/// [`SqlStorage::ports`] hands them out one `Arc<dyn …>` each for the bot's
/// parts, and [`SqlStorage::claims`] the update claims.
#[derive(Clone)]
pub struct SqlStorage {
    db: Db,
    all: Arc<dyn Storage>,
    ports: StoragePorts,
    claims: Arc<dyn UpdateClaims>,
}

impl fmt::Debug for SqlStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqlStorage")
            .field("backend", &self.backend())
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Debug)]
enum Db {
    Sqlite(Store<Sqlite>),
    Postgres(Store<Postgres>),
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
        Ok(match connect::target(url)? {
            connect::Target::Sqlite => {
                let store = Store::new(connect::sqlite(url, settings).await?, None);
                SqlStorage::new(Db::Sqlite(store.clone()), &store)
            }
            connect::Target::Postgres => {
                let call_limit = settings
                    .statement_timeout
                    .map(|statement| statement + settings.acquire_timeout());
                let store = Store::new(connect::postgres_with(url, settings).await?, call_limit);
                SqlStorage::new(Db::Postgres(store.clone()), &store)
            }
        })
    }

    fn new<S: Storage + UpdateClaims + Clone>(db: Db, store: &S) -> SqlStorage {
        SqlStorage {
            db,
            all: Arc::new(store.clone()),
            ports: StoragePorts::of(store),
            claims: Arc::new(store.clone()),
        }
    }

    /// The ports, one `Arc<dyn …>` each, for the bot's parts.
    pub fn ports(&self) -> StoragePorts {
        self.ports.clone()
    }

    /// The update claims (de-duplication in the database, ADR 0016).
    pub fn claims(&self) -> Arc<dyn UpdateClaims> {
        Arc::clone(&self.claims)
    }

    /// Whether the database's circuit breaker is failing calls fast (open, or a
    /// probe call is out).
    pub fn is_failing_fast(&self) -> bool {
        match &self.db {
            Db::Sqlite(s) => s.is_failing_fast(),
            Db::Postgres(s) => s.is_failing_fast(),
        }
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
            Db::Sqlite(s) => s.pool.close().await,
            Db::Postgres(s) => s.pool.close().await,
        }
    }
}

impl Deref for SqlStorage {
    type Target = dyn Storage;

    fn deref(&self) -> &(dyn Storage + 'static) {
        &*self.all
    }
}
