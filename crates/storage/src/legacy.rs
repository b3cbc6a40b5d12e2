//! The old Python bot's database, read for `trainbot import legacy`, and the
//! writes that bring its people and activity into trainbot without doing anything
//! twice.
//!
//! Reading: only `users` and `user_activity`, and of them only what trainbot keeps:
//! never `phone`, `email`, `message_text`, `details` or `callback_data`. The old
//! schema (SQLAlchemy) stores naive UTC `DATETIME`s, enum names as text and, on
//! SQLite, booleans as 0/1; both backends are read into the same rows by casting
//! in SQL. The legacy database is opened read-only where the driver allows it.
//!
//! Writing: [`import_person`] creates a person, or fills in only what trainbot has
//! not got; [`import_activity`] records each legacy activity row's key in
//! `legacy_imports` in the same transaction as the activity, so a second run adds
//! nothing. The key (`user_activity <old id> <old time µs>`) names no person, so
//! erasing someone later leaves nothing that points at them.
//!
//! Errors are [`LegacyError`]s whose messages say what to fix and never contain a
//! password.

use std::path::{Path, PathBuf};

use domain::ids::UserId;
use domain::lang::Lang;
use engine::ports::{ActivityKind, StorageError, search_key};
use sqlx::postgres::PgPool;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::error::storage_error;
use crate::stamp::{Stamp, micros};
use crate::store::{RowsAffected, on_every_backend};
use crate::{Db, SqlStorage, connect};

/// Why the legacy database cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum LegacyError {
    #[error(
        "`{0}` is not a legacy database location; give a SQLite file path, \
         sqlite:///PATH, sqlite+aiosqlite:///./bot.db or postgresql://…"
    )]
    Location(String),

    #[error(
        "the legacy database file {0} does not exist (check the path; relative paths start at the current directory)"
    )]
    MissingFile(String),

    #[error("cannot open the legacy database {what}: {reason}")]
    Open { what: String, reason: String },

    #[error(
        "{what} does not look like the old bot's database: {problem} \
         (expected tables `users` and `user_activity` as described in docs/operations)"
    )]
    Schema { what: String, problem: String },

    #[error("reading the legacy database {what}: {reason}")]
    Read { what: String, reason: String },
}

/// A person as the old bot stored them (personal data it should not have kept is
/// not read at all).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct LegacyPerson {
    /// `users.id`, what `user_activity.user_id` refers to.
    pub legacy_id: i64,
    pub telegram_id: i64,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub language_code: Option<String>,
    /// An enum name: `GENERAL`, `SALES`, `SPORT`, `ADMIN`, or NULL.
    pub department: Option<String>,
    pub position: Option<String>,
    /// Free text.
    pub park_location: Option<String>,
    pub is_blocked: i64,
    pub block_reason: Option<String>,
    /// Naive UTC text as stored (`2026-12-05 06:17:15.598121`); see [`legacy_time`].
    pub registration_date: Option<String>,
    pub last_activity: Option<String>,
}

/// One `user_activity` row, without what the person typed.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct LegacyActivity {
    pub legacy_id: i64,
    /// NULL when the row's `user_id` names no person.
    pub telegram_id: Option<i64>,
    /// `message` or `callback`; NULL only in a damaged database.
    pub action: Option<String>,
    pub section: Option<String>,
    pub at: Option<String>,
}

/// Parses the old bot's naive UTC times (`YYYY-MM-DD HH:MM:SS[.ffffff]`, a `T`
/// accepted for the space) as UTC. `None` for anything else.
pub fn legacy_time(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim().replacen('T', " ", 1);
    let with_fraction =
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second].[subsecond]");
    let whole = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    PrimitiveDateTime::parse(&text, with_fraction)
        .or_else(|_| PrimitiveDateTime::parse(&text, whole))
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

/// The old bot's database, open for reading.
#[derive(Debug)]
pub struct LegacyDb {
    pool: LegacyPool,
    /// The file path or `host:port`, for messages.
    what: String,
}

#[derive(Debug)]
enum LegacyPool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Where the old database is, from the URL forms the old bot's settings used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LegacyLocation {
    SqliteFile(PathBuf),
    /// A URL sqlx understands (`postgres://…`), the SQLAlchemy driver removed.
    Postgres(String),
}

impl LegacyLocation {
    /// `bot.db`, `./data/bot.db`, `sqlite:///./bot.db` (SQLAlchemy: three slashes
    /// and a relative path), `sqlite:////srv/bot.db` (four: absolute),
    /// `sqlite+aiosqlite:///…`, `postgresql://…`, `postgres://…`,
    /// `postgresql+asyncpg://…`.
    pub fn parse(raw: &str) -> Result<LegacyLocation, LegacyError> {
        let raw = raw.trim();
        let invalid = || LegacyError::Location(connect::scrub(raw.to_owned(), raw));
        let Some((scheme, rest)) = raw.split_once("://") else {
            if raw.is_empty() || raw.contains(':') && !Path::new(raw).exists() {
                return Err(invalid());
            }
            return Ok(LegacyLocation::SqliteFile(PathBuf::from(raw)));
        };
        let base = scheme
            .split_once('+')
            .map_or(scheme, |(base, _driver)| base)
            .to_ascii_lowercase();
        match base.as_str() {
            "sqlite" => {
                // SQLAlchemy: `sqlite:///relative`, `sqlite:////absolute`; sqlx:
                // `sqlite://relative` too.
                let path = rest.strip_prefix('/').unwrap_or(rest);
                let path = path.split_once('?').map_or(path, |(p, _)| p);
                if path.is_empty() || path == ":memory:" {
                    return Err(invalid());
                }
                Ok(LegacyLocation::SqliteFile(PathBuf::from(path)))
            }
            "postgres" | "postgresql" => Ok(LegacyLocation::Postgres(format!("postgres://{rest}"))),
            _ => Err(invalid()),
        }
    }
}

const PEOPLE_SQLITE: &str = "SELECT id AS legacy_id, telegram_id, username, first_name, \
     last_name, language_code, department, position, park_location, \
     CAST(is_blocked AS INTEGER) AS is_blocked, block_reason, \
     CAST(registration_date AS TEXT) AS registration_date, \
     CAST(last_activity AS TEXT) AS last_activity \
     FROM users ORDER BY id";

const PEOPLE_POSTGRES: &str = "SELECT id::bigint AS legacy_id, telegram_id::bigint AS telegram_id, \
     username::text AS username, first_name::text AS first_name, last_name::text AS last_name, \
     language_code::text AS language_code, department::text AS department, \
     position::text AS position, park_location::text AS park_location, \
     (CASE WHEN is_blocked THEN 1 ELSE 0 END)::bigint AS is_blocked, \
     block_reason::text AS block_reason, \
     to_char(registration_date, 'YYYY-MM-DD HH24:MI:SS.US') AS registration_date, \
     to_char(last_activity, 'YYYY-MM-DD HH24:MI:SS.US') AS last_activity \
     FROM users ORDER BY id";

const ACTIVITY_SQLITE: &str = "SELECT a.id AS legacy_id, u.telegram_id AS telegram_id, \
     a.action AS action, a.section AS section, CAST(a.\"timestamp\" AS TEXT) AS at \
     FROM user_activity a LEFT JOIN users u ON u.id = a.user_id \
     WHERE a.id > $1 ORDER BY a.id LIMIT $2";

const ACTIVITY_POSTGRES: &str = "SELECT a.id::bigint AS legacy_id, \
     u.telegram_id::bigint AS telegram_id, a.action::text AS action, \
     a.section::text AS section, \
     to_char(a.\"timestamp\", 'YYYY-MM-DD HH24:MI:SS.US') AS at \
     FROM user_activity a LEFT JOIN users u ON u.id = a.user_id \
     WHERE a.id > $1 ORDER BY a.id LIMIT $2";

/// The columns the importer reads; a legacy database without one of them is not
/// the old bot's.
const NEEDED: &[(&str, &[&str])] = &[
    (
        "users",
        &[
            "id",
            "telegram_id",
            "username",
            "first_name",
            "last_name",
            "language_code",
            "department",
            "position",
            "park_location",
            "is_blocked",
            "block_reason",
            "registration_date",
            "last_activity",
        ],
    ),
    (
        "user_activity",
        &["id", "user_id", "action", "section", "timestamp"],
    ),
];

impl LegacyDb {
    /// Opens the database at `location` (see [`LegacyLocation::parse`]) and checks
    /// that it has the tables and columns the importer reads.
    pub async fn open(location: &str) -> Result<LegacyDb, LegacyError> {
        let db = match LegacyLocation::parse(location)? {
            LegacyLocation::SqliteFile(path) => {
                let what = path.display().to_string();
                if !path.is_file() {
                    return Err(LegacyError::MissingFile(what));
                }
                let options = SqliteConnectOptions::new().filename(&path).read_only(true);
                let pool = SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(options)
                    .await
                    .map_err(|e| LegacyError::Open {
                        what: what.clone(),
                        reason: e.to_string(),
                    })?;
                LegacyDb {
                    pool: LegacyPool::Sqlite(pool),
                    what,
                }
            }
            LegacyLocation::Postgres(url) => {
                let pool = connect::postgres(&url)
                    .await
                    .map_err(|e| LegacyError::Open {
                        what: "on PostgreSQL".to_owned(),
                        reason: e.to_string().replace("check DATABASE_URL", "check --from"),
                    })?;
                let what = connect::postgres_options(&url)
                    .map(|o| connect::postgres_address(&o))
                    .unwrap_or_else(|_| "on PostgreSQL".to_owned());
                LegacyDb {
                    pool: LegacyPool::Postgres(pool),
                    what,
                }
            }
        };
        db.check_schema().await?;
        Ok(db)
    }

    /// The file path or server address, for messages.
    pub fn describe(&self) -> &str {
        &self.what
    }

    async fn check_schema(&self) -> Result<(), LegacyError> {
        for (table, columns) in NEEDED {
            let found: Vec<String> = match &self.pool {
                LegacyPool::Sqlite(pool) => {
                    sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
                        .bind(table)
                        .fetch_all(pool)
                        .await
                }
                LegacyPool::Postgres(pool) => {
                    sqlx::query_scalar(
                        "SELECT column_name::text FROM information_schema.columns \
                         WHERE table_schema = current_schema() AND table_name = $1",
                    )
                    .bind(table)
                    .fetch_all(pool)
                    .await
                }
            }
            .map_err(|e| self.read_error(e))?;
            if found.is_empty() {
                return Err(LegacyError::Schema {
                    what: self.what.clone(),
                    problem: format!("it has no table `{table}`"),
                });
            }
            let missing: Vec<&str> = columns
                .iter()
                .copied()
                .filter(|c| !found.iter().any(|f| f == c))
                .collect();
            if !missing.is_empty() {
                return Err(LegacyError::Schema {
                    what: self.what.clone(),
                    problem: format!("table `{table}` lacks the column(s) {}", missing.join(", ")),
                });
            }
        }
        Ok(())
    }

    fn read_error(&self, e: sqlx::Error) -> LegacyError {
        LegacyError::Read {
            what: self.what.clone(),
            reason: e.to_string(),
        }
    }

    /// Everyone, in the old id order.
    pub async fn people(&self) -> Result<Vec<LegacyPerson>, LegacyError> {
        match &self.pool {
            LegacyPool::Sqlite(pool) => sqlx::query_as(PEOPLE_SQLITE).fetch_all(pool).await,
            LegacyPool::Postgres(pool) => sqlx::query_as(PEOPLE_POSTGRES).fetch_all(pool).await,
        }
        .map_err(|e| self.read_error(e))
    }

    /// Up to `limit` activity rows with an id above `after`, in id order.
    pub async fn activity(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<LegacyActivity>, LegacyError> {
        match &self.pool {
            LegacyPool::Sqlite(pool) => {
                sqlx::query_as(ACTIVITY_SQLITE)
                    .bind(after)
                    .bind(i64::from(limit))
                    .fetch_all(pool)
                    .await
            }
            LegacyPool::Postgres(pool) => {
                sqlx::query_as(ACTIVITY_POSTGRES)
                    .bind(after)
                    .bind(i64::from(limit))
                    .fetch_all(pool)
                    .await
            }
        }
        .map_err(|e| self.read_error(e))
    }

    pub async fn close(&self) {
        match &self.pool {
            LegacyPool::Sqlite(pool) => pool.close().await,
            LegacyPool::Postgres(pool) => pool.close().await,
        }
    }
}

/// A person to bring into trainbot, already mapped onto trainbot's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedPerson {
    pub id: UserId,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: Option<String>,
    pub language: Lang,
    /// A park id of the content pack.
    pub park: Option<String>,
    /// A department id of the content pack.
    pub department: Option<String>,
    pub position: Option<String>,
    pub first_seen: OffsetDateTime,
    pub last_seen: OffsetDateTime,
    /// Blocked, with the old bot's reason (kept in the audit log: trainbot has no
    /// column for it).
    pub blocked: Option<String>,
}

/// What [`import_person`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PersonOutcome {
    /// New to trainbot: created with everything, and given access (they used the
    /// old bot).
    Created,
    /// Known: fields trainbot had nothing in were filled, or the first / last seen
    /// times widened.
    Filled,
    /// Known, and trainbot already had everything.
    Unchanged,
}

/// The row `import_person` reads back to decide what to fill.
#[derive(sqlx::FromRow)]
struct Known {
    last_name: Option<String>,
    username: Option<String>,
    park: Option<String>,
    department: Option<String>,
    position: Option<String>,
    first_name: String,
    first_seen: Stamp,
    last_seen: Stamp,
}

const KNOWN: &str = "SELECT first_name, last_name, username, park, department, position, \
     first_seen, last_seen FROM users WHERE id = $1";

const CREATE_PERSON: &str = "INSERT INTO users (id, first_name, last_name, username, language, \
     first_seen, last_seen, blocked, park, department, position, search_key) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

/// Everyone who used the old bot may use this one, like those who used trainbot
/// before invites existed (migration 0005).
const GRANT_EXISTING: &str = "INSERT INTO access_grants (user_id, granted_at, via) \
     VALUES ($1, $2, 'existing') ON CONFLICT (user_id) DO NOTHING";

const FILL_PERSON: &str = "UPDATE users SET last_name = $2, username = $3, park = $4, \
     department = $5, position = $6, first_seen = $7, last_seen = $8, search_key = $9 \
     WHERE id = $1";

/// The block, as the admin panel records one, by nobody (actor 0).
const AUDIT_BLOCK: &str =
    "INSERT INTO audit_log (at, actor, action, detail) VALUES ($1, 0, 'block', $2)";

const ADD_KEY: &str =
    "INSERT INTO legacy_imports (key, imported_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING";

const ADD_ACTIVITY: &str =
    "INSERT INTO activity (user_id, kind, subject, at) VALUES ($1, $2, $3, $4)";

/// The fields of a known person after filling in what trainbot had nothing in.
struct Filled {
    last_name: Option<String>,
    username: Option<String>,
    park: Option<String>,
    department: Option<String>,
    position: Option<String>,
    first_seen: OffsetDateTime,
    last_seen: OffsetDateTime,
}

fn fill(known: &Known, person: &ImportedPerson) -> Option<Filled> {
    let filled = Filled {
        last_name: known.last_name.clone().or_else(|| person.last_name.clone()),
        username: known.username.clone().or_else(|| person.username.clone()),
        park: known.park.clone().or_else(|| person.park.clone()),
        department: known
            .department
            .clone()
            .or_else(|| person.department.clone()),
        position: known.position.clone().or_else(|| person.position.clone()),
        first_seen: known.first_seen.0.min(person.first_seen),
        last_seen: known.last_seen.0.max(person.last_seen),
    };
    let same = filled.last_name == known.last_name
        && filled.username == known.username
        && filled.park == known.park
        && filled.department == known.department
        && filled.position == known.position
        && filled.first_seen == known.first_seen.0
        && filled.last_seen == known.last_seen.0;
    (!same).then_some(filled)
}

fn block_detail(person: &ImportedPerson, reason: &str) -> String {
    format!("{}: {reason} (imported from the old bot)", person.id)
}

/// Brings one person in: creates them (with an access grant, and the block and
/// its reason in the audit log) or fills only what trainbot has nothing in. One
/// transaction; running it again changes nothing.
pub async fn import_person(
    storage: &SqlStorage,
    person: &ImportedPerson,
    now: OffsetDateTime,
) -> Result<PersonOutcome, StorageError> {
    match &storage.db {
        Db::Sqlite(s) => s.import_person(person, now).await,
        Db::Postgres(s) => s.import_person(person, now).await,
    }
}

on_every_backend! {
    impl Store {
        /// [`import_person`] on this backend.
        async fn import_person(
            &self,
            person: &ImportedPerson,
            now: OffsetDateTime,
        ) -> Result<PersonOutcome, StorageError> {
            let mut tx = self.pool.begin().await.map_err(storage_error)?;
            let known: Option<Known> = sqlx::query_as(KNOWN)
                .bind(person.id.0)
                .fetch_optional(DB::in_tx(&mut tx))
                .await
                .map_err(storage_error)?;
            let outcome = match known {
                None => {
                    sqlx::query(CREATE_PERSON)
                        .bind(person.id.0)
                        .bind(&person.first_name)
                        .bind(&person.last_name)
                        .bind(&person.username)
                        .bind(person.language.code())
                        .bind(Stamp(person.first_seen))
                        .bind(Stamp(person.last_seen))
                        .bind(person.blocked.is_some())
                        .bind(&person.park)
                        .bind(&person.department)
                        .bind(&person.position)
                        .bind(search_key(
                            &person.first_name,
                            person.last_name.as_deref(),
                            person.username.as_deref(),
                        ))
                        .execute(DB::in_tx(&mut tx))
                        .await
                        .map_err(storage_error)?;
                    sqlx::query(GRANT_EXISTING)
                        .bind(person.id.0)
                        .bind(Stamp(now))
                        .execute(DB::in_tx(&mut tx))
                        .await
                        .map_err(storage_error)?;
                    if let Some(reason) = &person.blocked {
                        sqlx::query(AUDIT_BLOCK)
                            .bind(Stamp(now))
                            .bind(block_detail(person, reason))
                            .execute(DB::in_tx(&mut tx))
                            .await
                            .map_err(storage_error)?;
                    }
                    PersonOutcome::Created
                }
                Some(stored) => {
                    let known = stored;
                    match fill(&known, person) {
                        None => PersonOutcome::Unchanged,
                        Some(f) => {
                            sqlx::query(FILL_PERSON)
                                .bind(person.id.0)
                                .bind(&f.last_name)
                                .bind(&f.username)
                                .bind(&f.park)
                                .bind(&f.department)
                                .bind(&f.position)
                                .bind(Stamp(f.first_seen))
                                .bind(Stamp(f.last_seen))
                                .bind(search_key(
                                    &known.first_name,
                                    f.last_name.as_deref(),
                                    f.username.as_deref(),
                                ))
                                .execute(DB::in_tx(&mut tx))
                                .await
                                .map_err(storage_error)?;
                            PersonOutcome::Filled
                        }
                    }
                }
            };
            tx.commit().await.map_err(storage_error)?;
            Ok(outcome)
        }

        /// [`import_activity`] on this backend.
        async fn import_activity(
            &self,
            batch: &[ImportedActivity],
            now: OffsetDateTime,
        ) -> Result<u64, StorageError> {
            let mut added = 0;
            let mut tx = self.pool.begin().await.map_err(storage_error)?;
            for a in batch {
                let new = sqlx::query(ADD_KEY)
                    .bind(a.key())
                    .bind(Stamp(now))
                    .execute(DB::in_tx(&mut tx))
                    .await
                    .map_err(storage_error)?
                    .rows_affected();
                if new == 1 {
                    sqlx::query(ADD_ACTIVITY)
                        .bind(a.user.0)
                        .bind(a.kind.as_str())
                        .bind(&a.subject)
                        .bind(Stamp(a.at))
                        .execute(DB::in_tx(&mut tx))
                        .await
                        .map_err(storage_error)?;
                    added += 1;
                }
            }
            tx.commit().await.map_err(storage_error)?;
            Ok(added)
        }
    }
}

/// One legacy activity row, mapped onto trainbot's activity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedActivity {
    /// `user_activity.id` in the old database.
    pub legacy_id: i64,
    pub user: UserId,
    pub kind: ActivityKind,
    pub subject: String,
    pub at: OffsetDateTime,
}

impl ImportedActivity {
    /// The key recorded in `legacy_imports`; it names no person.
    fn key(&self) -> String {
        format!("user_activity {} {}", self.legacy_id, micros(self.at))
    }
}

/// Adds the rows not imported before, in one transaction; returns how many were
/// added (the rest were already there).
pub async fn import_activity(
    storage: &SqlStorage,
    batch: &[ImportedActivity],
    now: OffsetDateTime,
) -> Result<u64, StorageError> {
    match &storage.db {
        Db::Sqlite(s) => s.import_activity(batch, now).await,
        Db::Postgres(s) => s.import_activity(batch, now).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_old_bots_url_forms_name_the_file_or_server() {
        let file = |p: &str| Some(LegacyLocation::SqliteFile(PathBuf::from(p)));
        let parse = |raw: &str| LegacyLocation::parse(raw).ok();
        assert_eq!(parse("sqlite+aiosqlite:///./bot.db"), file("./bot.db"));
        assert_eq!(parse("sqlite:///bot.db"), file("bot.db"));
        assert_eq!(parse("sqlite:////srv/old/bot.db"), file("/srv/old/bot.db"));
        assert_eq!(parse("/srv/old/bot.db"), file("/srv/old/bot.db"));
        assert_eq!(parse("bot.db"), file("bot.db"));
        assert_eq!(
            parse("postgresql+asyncpg://u:p@db:5432/bot"),
            Some(LegacyLocation::Postgres(
                "postgres://u:p@db:5432/bot".into()
            ))
        );
        assert_eq!(
            parse("postgres://db/bot"),
            Some(LegacyLocation::Postgres("postgres://db/bot".into()))
        );
        for bad in [
            "",
            "sqlite://",
            "sqlite:///:memory:",
            "mysql://u:secret@h/db",
        ] {
            let error = LegacyLocation::parse(bad).unwrap_err().to_string();
            assert!(!error.contains("secret"), "{error}");
        }
    }

    #[test]
    fn legacy_times_are_naive_utc() {
        assert_eq!(
            legacy_time("2026-12-05 06:17:15.598121"),
            Some(time::macros::datetime!(2026-12-05 06:17:15.598121 UTC))
        );
        assert_eq!(
            legacy_time("2026-12-05T06:17:15"),
            Some(time::macros::datetime!(2026-12-05 06:17:15 UTC))
        );
        assert_eq!(legacy_time("yesterday"), None);
    }
}
