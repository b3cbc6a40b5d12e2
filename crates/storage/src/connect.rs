//! From a `DATABASE_URL` to a connection pool, with start-up errors an operator can
//! act on.
//!
//! Every message is shown to the operator (logs, `trainbot config check`) and is
//! built from parts we control: the scheme, a host and port, a file path and the
//! driver's reason. None of them carries the URL's password; as a second line of
//! defence, any reason text is scrubbed of the password before it is stored.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use percent_encoding::percent_decode_str;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection};

/// How long a writer waits for SQLite's lock before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a query waits for a free pool connection before the database counts as
/// unavailable: long enough to ride out a burst, short enough that a dead database
/// turns into a polite "try again later" instead of a hung update.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long the first PostgreSQL connection may take (a black-holed host would
/// otherwise hang for the operating system's TCP timeout).
const POSTGRES_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// SQLite allows one writer at a time; a second connection lets a reader run
/// beside it. Each connection keeps its own page cache (2 MiB) and prepared
/// statements: in the soak four connections cost 7 MiB more resident than two,
/// and no speed
/// (ADR 0040).
const SQLITE_MAX_CONNECTIONS: u32 = 2;

const POSTGRES_MAX_CONNECTIONS: u32 = 10;

/// How big a pool is and how long one statement may run: `DB_POOL_SIZE` and
/// `DB_STATEMENT_TIMEOUT_SECS`. Unset parts keep the defaults (2 connections on
/// SQLite, 10 on PostgreSQL, no statement time-out).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolSettings {
    /// Connections in the pool (an in-memory SQLite database always has one).
    pub max_connections: Option<u32>,
    /// PostgreSQL cancels a statement that runs longer (`statement_timeout`), so
    /// a stuck query frees its connection; SQLite has no such limit (its writers
    /// wait at most the busy time-out, 5 s).
    pub statement_timeout: Option<Duration>,
    /// How long a call waits for a free connection (default 10 s) before it
    /// fails as timed out, which the circuit breaker counts.
    pub acquire_timeout: Option<Duration>,
}

impl PoolSettings {
    pub(crate) fn acquire_timeout(&self) -> Duration {
        self.acquire_timeout.unwrap_or(ACQUIRE_TIMEOUT)
    }
}

/// Why storage could not be opened or prepared. Messages name what to fix and never
/// contain a password.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("DATABASE_URL: unsupported scheme `{scheme}`; use sqlite://PATH or postgres://…")]
    UnsupportedScheme { scheme: String },

    #[error("DATABASE_URL has no scheme; use sqlite://PATH or postgres://…")]
    MissingScheme,

    #[error("DATABASE_URL is not a valid {backend} URL: {reason}")]
    InvalidUrl {
        backend: crate::Backend,
        reason: String,
    },

    #[error("cannot open SQLite database at {path}: {reason}")]
    SqliteOpen { path: String, reason: String },

    #[error("cannot reach PostgreSQL at {address}: {reason} (is it running? check DATABASE_URL)")]
    PostgresUnreachable { address: String, reason: String },

    #[error(
        "PostgreSQL at {address} refused the connection: {reason} \
         (check the user, password and database name in DATABASE_URL)"
    )]
    PostgresRefused { address: String, reason: String },

    /// A test database could not be created or dropped (the `testing` module, behind the feature of that name).
    #[error("cannot prepare a test schema on PostgreSQL at {address}: {reason}")]
    TestSetup { address: String, reason: String },

    #[error("migration failed: {0}")]
    Migration(String),
}

/// The database a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    Sqlite,
    Postgres,
}

/// Picks the backend from the URL scheme, case-insensitively.
pub(crate) fn target(url: &str) -> Result<Target, ConnectError> {
    let scheme = url.split_once(':').map(|(scheme, _)| scheme).unwrap_or("");
    let well_formed = !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !well_formed {
        return Err(ConnectError::MissingScheme);
    }
    match scheme.to_ascii_lowercase().as_str() {
        "sqlite" => Ok(Target::Sqlite),
        "postgres" | "postgresql" => Ok(Target::Postgres),
        _ => Err(ConnectError::UnsupportedScheme {
            scheme: scheme.to_owned(),
        }),
    }
}

/// Opens a SQLite pool: WAL, `synchronous=NORMAL` (durable across application
/// crashes, at most the last transactions lost on power failure), foreign keys on,
/// a busy timeout, the file and its directory created if missing. An in-memory
/// database gets exactly one connection that is never closed, because the database
/// lives only as long as a connection to it.
///
/// Connections are not pinged when taken from the pool: a SQLite connection is a
/// file in this process and cannot be dropped by a server, and each ping is a
/// round trip to the connection's worker thread that cost every storage call a
/// third of its thread hand-offs (ADR 0047).
pub(crate) async fn sqlite(url: &str, settings: &PoolSettings) -> Result<SqlitePool, ConnectError> {
    let options = SqliteConnectOptions::from_str(url).map_err(|e| ConnectError::InvalidUrl {
        backend: crate::Backend::Sqlite,
        reason: scrub(e.to_string(), url),
    })?;
    let options = options
        .foreign_keys(true)
        .busy_timeout(SQLITE_BUSY_TIMEOUT)
        .synchronous(SqliteSynchronous::Normal);

    if is_sqlite_memory(url) {
        return SqlitePoolOptions::new()
            .test_before_acquire(false)
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .acquire_timeout(settings.acquire_timeout())
            .connect_with(options)
            .await
            .map_err(|e| ConnectError::SqliteOpen {
                path: ":memory:".to_owned(),
                reason: e.to_string(),
            });
    }

    let path = options.get_filename().to_path_buf();
    let open_error = |reason: String| ConnectError::SqliteOpen {
        path: path.display().to_string(),
        reason,
    };
    create_parent_directory(&path).map_err(open_error)?;
    let options = options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal);
    let pool = SqlitePoolOptions::new()
        .test_before_acquire(false)
        .max_connections(settings.max_connections.unwrap_or(SQLITE_MAX_CONNECTIONS))
        .acquire_timeout(settings.acquire_timeout())
        .connect_with(options)
        .await
        .map_err(|e| open_error(e.to_string()))?;
    tracing::info!(path = %path.display(), "opened SQLite database");
    Ok(pool)
}

/// `sqlite::memory:` and `sqlite:…?mode=memory` name a database that lives in this
/// process only.
fn is_sqlite_memory(url: &str) -> bool {
    let rest = url.split_once(':').map(|(_, rest)| rest).unwrap_or("");
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let (database, params) = rest.split_once('?').unwrap_or((rest, ""));
    database == ":memory:" || params.split('&').any(|p| p == "mode=memory")
}

fn create_parent_directory(path: &Path) -> Result<(), String> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create directory {}: {e}", dir.display())),
        _ => Ok(()),
    }
}

/// Opens a PostgreSQL pool after one direct connection, so that a wrong address or
/// credentials are reported with the server's own reason (the pool would retry a
/// refused connection until its timeout and then only say "timed out").
pub(crate) async fn postgres(url: &str) -> Result<PgPool, ConnectError> {
    postgres_with(url, &PoolSettings::default()).await
}

/// [`postgres`] with the pool's size and the statements' time-out.
pub(crate) async fn postgres_with(
    url: &str,
    settings: &PoolSettings,
) -> Result<PgPool, ConnectError> {
    let options = postgres_options(url)?;
    let options = match settings.statement_timeout {
        Some(limit) => options.options([("statement_timeout", format!("{}ms", limit.as_millis()))]),
        None => options,
    };
    let address = postgres_address(&options);

    match tokio::time::timeout(POSTGRES_CONNECT_TIMEOUT, options.connect()).await {
        Ok(Ok(probe)) => {
            // Closing the probe politely is a courtesy; the pool opens its own.
            let _ = probe.close().await;
        }
        Ok(Err(sqlx::Error::Database(e))) => {
            return Err(ConnectError::PostgresRefused {
                address,
                // The server's message alone; the error's Display adds source lines.
                reason: scrub(e.message().to_owned(), url),
            });
        }
        Ok(Err(e)) => {
            return Err(ConnectError::PostgresUnreachable {
                address,
                reason: scrub(e.to_string(), url),
            });
        }
        Err(_) => {
            return Err(ConnectError::PostgresUnreachable {
                address,
                reason: format!("no answer within {} s", POSTGRES_CONNECT_TIMEOUT.as_secs()),
            });
        }
    }

    let pool = PgPoolOptions::new()
        .max_connections(settings.max_connections.unwrap_or(POSTGRES_MAX_CONNECTIONS))
        .acquire_timeout(settings.acquire_timeout())
        .connect_lazy_with(options);
    tracing::info!(%address, "connected to PostgreSQL");
    Ok(pool)
}

/// Parses a PostgreSQL URL; the session is named `trainbot` in `pg_stat_activity`
/// unless the URL says otherwise.
pub(crate) fn postgres_options(url: &str) -> Result<PgConnectOptions, ConnectError> {
    let options = PgConnectOptions::from_str(url).map_err(|e| ConnectError::InvalidUrl {
        backend: crate::Backend::Postgres,
        reason: scrub(e.to_string(), url),
    })?;
    Ok(if options.get_application_name().is_none() {
        options.application_name("trainbot")
    } else {
        options
    })
}

/// `host:port` (or the Unix socket path) for messages; never the user or password.
pub(crate) fn postgres_address(options: &PgConnectOptions) -> String {
    if let Some(socket) = options.get_socket() {
        return socket.display().to_string();
    }
    let host = options.get_host();
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{}", options.get_port())
    } else {
        format!("{host}:{}", options.get_port())
    }
}

/// The password in a URL's userinfo (`scheme://user:password@host/…`), as written
/// and percent-decoded; empty when there is none.
fn url_passwords(url: &str) -> Vec<String> {
    let Some((_, rest)) = url.split_once("://") else {
        return Vec::new();
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let Some((userinfo, _host)) = authority.rsplit_once('@') else {
        return Vec::new();
    };
    let Some((_user, password)) = userinfo.split_once(':') else {
        return Vec::new();
    };
    if password.is_empty() {
        return Vec::new();
    }
    let decoded = percent_decode_str(password)
        .decode_utf8_lossy()
        .into_owned();
    if decoded == password {
        vec![password.to_owned()]
    } else {
        vec![password.to_owned(), decoded]
    }
}

/// Removes the URL's password from `text`, wherever a driver may have echoed it.
pub(crate) fn scrub(text: String, url: &str) -> String {
    url_passwords(url).iter().fold(text, |text, password| {
        text.replace(password.as_str(), "***")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_pool_size_and_statement_timeout_are_the_settings() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("pool.db").display());
        let settings = PoolSettings {
            max_connections: Some(2),
            statement_timeout: None,
            acquire_timeout: None,
        };
        let pool = sqlite(&url, &settings).await.unwrap();
        assert_eq!(pool.options().get_max_connections(), 2);
        let pool = sqlite(&url, &PoolSettings::default()).await.unwrap();
        assert_eq!(pool.options().get_max_connections(), SQLITE_MAX_CONNECTIONS);

        let Ok(base) = std::env::var("TEST_DATABASE_URL") else {
            println!("not run on PostgreSQL: TEST_DATABASE_URL is not set");
            return;
        };
        let settings = PoolSettings {
            max_connections: Some(3),
            statement_timeout: Some(Duration::from_millis(300)),
            acquire_timeout: None,
        };
        let pool = postgres_with(&base, &settings).await.unwrap();
        assert_eq!(pool.options().get_max_connections(), 3);
        let shown: String = sqlx::query_scalar("SHOW statement_timeout")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(shown, "300ms");
        // A statement over the limit is cancelled (57014), freeing its connection.
        let slow = sqlx::query("SELECT pg_sleep(2)").execute(&pool).await;
        match slow {
            Err(sqlx::Error::Database(e)) => assert_eq!(e.code().as_deref(), Some("57014")),
            other => panic!("the statement ran past its time-out: {other:?}"),
        }
        let pool = postgres(&base).await.unwrap();
        let shown: String = sqlx::query_scalar("SHOW statement_timeout")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(shown, "0", "no limit unless one is set");
    }

    #[test]
    fn schemes_pick_a_backend() {
        assert_eq!(target("sqlite://data/x.db").ok(), Some(Target::Sqlite));
        assert_eq!(target("sqlite::memory:").ok(), Some(Target::Sqlite));
        assert_eq!(target("SQLite://x.db").ok(), Some(Target::Sqlite));
        assert_eq!(target("postgres://h/db").ok(), Some(Target::Postgres));
        assert_eq!(target("postgresql://h/db").ok(), Some(Target::Postgres));
        assert!(matches!(
            target("mysql://u:p@h/db"),
            Err(ConnectError::UnsupportedScheme { scheme }) if scheme == "mysql"
        ));
        assert!(matches!(
            target("/var/lib/x.db"),
            Err(ConnectError::MissingScheme)
        ));
        assert!(matches!(target(""), Err(ConnectError::MissingScheme)));
    }

    #[test]
    fn memory_urls_are_recognised() {
        assert!(is_sqlite_memory("sqlite::memory:"));
        assert!(is_sqlite_memory("sqlite://:memory:"));
        assert!(is_sqlite_memory("sqlite://x.db?mode=memory"));
        assert!(!is_sqlite_memory("sqlite://memory.db"));
        assert!(!is_sqlite_memory("sqlite:///tmp/x.db?mode=rwc"));
    }

    #[test]
    fn passwords_are_found_and_scrubbed() {
        let url = "postgres://bob:p%40ss%3Aword@db.internal:5432/trainbot";
        assert_eq!(url_passwords(url), vec!["p%40ss%3Aword", "p@ss:word"]);
        assert_eq!(
            scrub("saw p@ss:word and p%40ss%3Aword".to_owned(), url),
            "saw *** and ***"
        );
        assert!(url_passwords("postgres://bob@h/db").is_empty());
        assert!(url_passwords("postgres://bob:@h/db").is_empty());
        assert!(url_passwords("sqlite://data/x.db").is_empty());
        // An `@` in the path is not userinfo.
        assert!(url_passwords("postgres://h/db?user=a:b@c").is_empty());
    }

    #[test]
    fn addresses_never_show_credentials() {
        let options = postgres_options("postgres://bob:secret@db.internal:6543/x")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(postgres_address(&options), "db.internal:6543");
        let options = postgres_options("postgres://bob@[::1]/x").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(postgres_address(&options), "[::1]:5432");
    }
}
