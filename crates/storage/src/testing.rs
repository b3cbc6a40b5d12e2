//! Fresh, isolated databases for tests: this crate's conformance suite and other
//! crates' end-to-end tests use the same helpers.
//!
//! SQLite tests always run (in memory). PostgreSQL tests run when
//! `TEST_DATABASE_URL` names a server (`postgres://postgres@127.0.0.1:5432/test`);
//! `.ci/run` always sets it. Each PostgreSQL test gets a schema of its own,
//! selected through the connection's `search_path`, and the schema is dropped when
//! the [`TestDatabaseGuard`] is dropped, so parallel tests and parallel runs never
//! see each other's rows.
//!
//! ```no_run
//! # async fn example() -> Result<(), storage::ConnectError> {
//! let Some(base) = storage::testing::postgres_url("my_test") else { return Ok(()) };
//! let (storage, db) = storage::testing::fresh_postgres(&base).await?;
//! // ... use `storage`, or hand `db.url()` to the application as its DATABASE_URL.
//! # drop((storage, db)); Ok(()) }
//! ```

use std::fmt;

use sqlx::AssertSqlSafe;
use sqlx::postgres::PgPool;

use crate::{ConnectError, SqlStorage, connect};

/// The environment variable naming the PostgreSQL server for tests.
pub const TEST_DATABASE_URL: &str = "TEST_DATABASE_URL";

/// The PostgreSQL server for tests, from [`TEST_DATABASE_URL`]. When it is not set,
/// prints that `test` did not run and returns `None`; the caller returns early.
pub fn postgres_url(test: &str) -> Option<String> {
    match std::env::var(TEST_DATABASE_URL) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            println!("{test}: not run on PostgreSQL: {TEST_DATABASE_URL} is not set");
            None
        }
    }
}

/// A migrated, empty in-memory SQLite database of its own.
pub async fn fresh_sqlite() -> Result<SqlStorage, ConnectError> {
    let storage = SqlStorage::connect("sqlite::memory:").await?;
    storage.migrate().await?;
    Ok(storage)
}

/// A migrated in-memory SQLite database whose connections are closed: every call
/// of every port fails as when the database cannot be reached
/// (`StorageError::Unavailable`). The outage double for the engine's tests: the
/// real implementation, down, rather than a stub per method.
pub async fn unreachable() -> Result<SqlStorage, ConnectError> {
    let storage = fresh_sqlite().await?;
    storage.close().await;
    Ok(storage)
}

impl SqlStorage {
    /// Takes the database down (`true`) or brings it back (`false`) for every
    /// clone of this storage: while it is down, every call of every port fails
    /// as when the database cannot be reached (`StorageError::Unavailable`),
    /// before it reaches the pool. For tests of an outage that begins or ends in
    /// the middle of a story, on either backend; no stub per method.
    pub fn set_outage(&self, down: bool) {
        match &self.db {
            crate::Db::Sqlite(s) => s.set_outage(down),
            crate::Db::Postgres(s) => s.set_outage(down),
        }
    }
}

/// A migrated, empty schema of its own on the PostgreSQL server at `base_url`, and
/// the guard that drops it. Keep the guard alive as long as the database is used.
pub async fn fresh_postgres(
    base_url: &str,
) -> Result<(SqlStorage, TestDatabaseGuard), ConnectError> {
    let admin = connect::postgres(base_url).await?;
    let schema = format!("trainbot_test_{}", uuid::Uuid::new_v4().simple());
    let address = connect::postgres_address(&connect::postgres_options(base_url)?);
    // An identifier cannot be a bind parameter; the name is ours: letters, digits, `_`.
    let created = sqlx::query(AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await;
    admin.close().await;
    created.map_err(|e| ConnectError::TestSetup {
        address: address.clone(),
        reason: connect::scrub(e.to_string(), base_url),
    })?;

    let guard = TestDatabaseGuard {
        url: with_search_path(base_url, &schema),
        base_url: base_url.to_owned(),
        schema,
    };
    // From here on the guard drops the schema even if connecting or migrating fails.
    let storage = SqlStorage::connect(&guard.url).await?;
    storage.migrate().await?;
    Ok((storage, guard))
}

/// `base_url` with the session's `search_path` set to `schema` (sqlx sends the
/// `options` parameter to the server at connection start).
fn with_search_path(base_url: &str, schema: &str) -> String {
    let separator = if base_url.contains('?') { '&' } else { '?' };
    format!("{base_url}{separator}options=-csearch_path%3D{schema}")
}

/// Owns a test schema on PostgreSQL and drops it (with everything in it) when
/// dropped.
pub struct TestDatabaseGuard {
    url: String,
    base_url: String,
    schema: String,
}

impl TestDatabaseGuard {
    /// A `DATABASE_URL` whose connections see only this schema: give it to an
    /// application under test. It contains the base URL's credentials.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn schema(&self) -> &str {
        &self.schema
    }
}

impl fmt::Debug for TestDatabaseGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestDatabaseGuard")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

impl Drop for TestDatabaseGuard {
    /// Drops the schema from a thread with its own runtime, because `Drop` cannot
    /// await and may run inside a test's runtime (or while a test panics).
    fn drop(&mut self) {
        let base_url = self.base_url.clone();
        let schema = self.schema.clone();
        let dropped = std::thread::spawn(move || -> Result<(), String> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(drop_schema(&base_url, &schema))
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(reason)) => eprintln!("could not drop test schema {}: {reason}", self.schema),
            Err(_) => eprintln!(
                "could not drop test schema {}: the clean-up panicked",
                self.schema
            ),
        }
    }
}

async fn drop_schema(base_url: &str, schema: &str) -> Result<(), String> {
    let pool: PgPool = connect::postgres(base_url)
        .await
        .map_err(|e| e.to_string())?;
    let result = async {
        let mut conn = pool.acquire().await?;
        // Wait a bounded time for a straggling connection of the test to let go.
        sqlx::query("SET lock_timeout = '10s'")
            .execute(&mut *conn)
            .await?;
        sqlx::query(AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE"
        )))
        .execute(&mut *conn)
        .await
    }
    .await;
    pool.close().await;
    result
        .map(|_| ())
        .map_err(|e| connect::scrub(e.to_string(), base_url))
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::ports::StorageError;

    #[tokio::test]
    async fn an_outage_on_demand_fails_every_clone_until_it_ends() {
        let storage = fresh_sqlite().await.unwrap();
        let clone = storage.clone();
        storage.set_outage(true);
        assert!(matches!(
            clone.count_users().await,
            Err(StorageError::Unavailable(_))
        ));
        storage.set_outage(false);
        assert_eq!(clone.count_users().await.unwrap(), 0);
    }

    #[test]
    fn search_path_is_added_as_a_connection_option() {
        assert_eq!(
            with_search_path("postgres://u@h/db", "s1"),
            "postgres://u@h/db?options=-csearch_path%3Ds1"
        );
        assert_eq!(
            with_search_path("postgres://u@h/db?sslmode=disable", "s1"),
            "postgres://u@h/db?sslmode=disable&options=-csearch_path%3Ds1"
        );
    }
}
