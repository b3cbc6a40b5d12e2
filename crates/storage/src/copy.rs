//! Copying a whole trainbot database into another one, on either backend
//! (`trainbot db copy`): SQLite to PostgreSQL, back, or SQLite to SQLite.
//!
//! Both databases are migrated by this binary first, so they hold the same schema.
//! Every table in `TABLES` is read in primary-key order inside one read-only
//! snapshot of the source and written inside one transaction on the target; ids
//! are kept, and each generated-id sequence is set past both the source's sequence
//! and the largest copied id, so ids that were "never reused" stay so. Before the
//! target commits, every table is read back from it and its row count and
//! checksum must equal the source's: a copy either verifies or leaves the target
//! as it was.
//!
//! The checksum is SHA-256 over a canonical text of each row, computed in Rust on
//! values decoded the same way from both backends: integers in decimal, texts
//! length-prefixed, booleans as booleans (SQLite's 0/1 and PostgreSQL's `boolean`
//! agree), times as microseconds since the epoch (SQLite's INTEGER and
//! PostgreSQL's `timestamptz` name the same instant). Text keys are ordered
//! bytewise on both sides (PostgreSQL's `COLLATE "C"` is SQLite's `BINARY` for
//! UTF-8), so "primary-key order" is one order.
//!
//! Errors are [`CopyError`]s whose messages say what to do; none contains a URL.

use std::fmt::Write as _;

use engine::ports::StorageError;
use futures::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::postgres::{PgRow, Postgres};
use sqlx::sqlite::{Sqlite, SqliteRow};
use sqlx::{AssertSqlSafe, Row, Transaction};
use time::OffsetDateTime;

use crate::error::storage_error;
use crate::stamp::{from_micros, micros};
use crate::{Db, SqlStorage};

/// Rows written per statement (PostgreSQL) or per progress report.
const BATCH_ROWS: usize = 1_000;

/// What a column holds, whatever each backend calls it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `INTEGER` on SQLite; `BIGINT` or `INTEGER` on PostgreSQL (read as `bigint`).
    Int,
    Text,
    Bool,
    /// INTEGER microseconds (UTC) on SQLite, `timestamptz` on PostgreSQL.
    Time,
}

/// One table of the current schema.
#[derive(Debug)]
pub(crate) struct Table {
    pub(crate) name: &'static str,
    columns: &'static [(&'static str, Kind)],
    /// The primary key, in order.
    key: &'static [&'static str],
    /// `id` is generated (AUTOINCREMENT / identity): its sequence is carried over.
    generated_id: bool,
}

use Kind::{Bool, Int, Text, Time};

/// Every table of the schema (migrations 0001-0012), parents before the tables
/// whose foreign keys name them. A test checks this list against both migrated
/// schemas, so a migration that adds a table or column fails it until the list is
/// updated.
pub(crate) const TABLES: &[Table] = &[
    Table {
        name: "users",
        columns: &[
            ("id", Int),
            ("first_name", Text),
            ("last_name", Text),
            ("username", Text),
            ("language", Text),
            ("first_seen", Time),
            ("last_seen", Time),
            ("blocked", Bool),
            ("inactive", Bool),
            ("park", Text),
            ("department", Text),
            ("position", Text),
            ("onboarded", Bool),
            ("last_reminded_at", Time),
            ("search_key", Text),
            ("park_assigned", Bool),
        ],
        key: &["id"],
        generated_id: false,
    },
    Table {
        name: "activity",
        columns: &[
            ("id", Int),
            ("user_id", Int),
            ("kind", Text),
            ("subject", Text),
            ("at", Time),
            ("erasure_id", Int),
        ],
        key: &["id"],
        generated_id: true,
    },
    Table {
        name: "media_cache",
        columns: &[("key", Text), ("file_id", Text), ("created_at", Time)],
        key: &["key"],
        generated_id: false,
    },
    Table {
        name: "quiz_attempts",
        columns: &[
            ("id", Int),
            ("user_id", Int),
            ("kind", Text),
            ("quiz_id", Text),
            ("questions", Text),
            ("started_at", Time),
            ("deadline", Time),
            ("finished_at", Time),
            ("score", Int),
            ("max_score", Int),
            ("passed", Bool),
            ("erasure_id", Int),
        ],
        key: &["id"],
        generated_id: true,
    },
    Table {
        name: "quiz_answers",
        columns: &[
            ("attempt_id", Int),
            ("position", Int),
            ("quiz_id", Text),
            ("question_id", Text),
            ("chosen", Text),
            ("correct", Bool),
            ("points", Int),
            ("answered_at", Time),
            ("time_taken_ms", Int),
        ],
        key: &["attempt_id", "position"],
        generated_id: false,
    },
    Table {
        name: "review_items",
        columns: &[
            ("user_id", Int),
            ("quiz_id", Text),
            ("question_id", Text),
            ("stage", Int),
            ("due_at", Time),
        ],
        key: &["user_id", "quiz_id", "question_id"],
        generated_id: false,
    },
    Table {
        name: "certificates",
        columns: &[
            ("code", Text),
            ("user_id", Int),
            ("department", Text),
            ("full_name", Text),
            ("park", Text),
            ("issued_at", Time),
            ("quizzes", Text),
        ],
        key: &["code"],
        generated_id: false,
    },
    Table {
        name: "audit_log",
        columns: &[
            ("id", Int),
            ("at", Time),
            ("actor", Int),
            ("action", Text),
            ("detail", Text),
        ],
        key: &["id"],
        generated_id: true,
    },
    Table {
        name: "broadcasts",
        columns: &[
            ("id", Int),
            ("created_by", Int),
            ("created_at", Time),
            ("source", Text),
            ("media_kind", Text),
            ("media_file_id", Text),
            ("audience", Text),
            ("state", Text),
            ("start_at", Time),
            ("started_at", Time),
            ("status_message", Int),
            ("finished_at", Time),
        ],
        key: &["id"],
        generated_id: true,
    },
    Table {
        name: "broadcast_recipients",
        columns: &[
            ("broadcast_id", Int),
            ("user_id", Int),
            ("state", Text),
            ("detail", Text),
            ("updated_at", Time),
        ],
        key: &["broadcast_id", "user_id"],
        generated_id: false,
    },
    Table {
        name: "leases",
        columns: &[("name", Text), ("holder", Text), ("expires_at", Time)],
        key: &["name"],
        generated_id: false,
    },
    Table {
        name: "access_grants",
        columns: &[("user_id", Int), ("granted_at", Time), ("via", Text)],
        key: &["user_id"],
        generated_id: false,
    },
    Table {
        name: "invites",
        columns: &[
            ("id", Int),
            ("code", Text),
            ("park", Text),
            ("department", Text),
            ("created_by", Int),
            ("created_at", Time),
            ("expires_at", Time),
            ("max_uses", Int),
            ("uses", Int),
            ("revoked_at", Time),
        ],
        key: &["id"],
        generated_id: true,
    },
    Table {
        name: "access_requests",
        columns: &[
            ("user_id", Int),
            ("name", Text),
            ("requested_at", Time),
            ("status", Text),
            ("decided_by", Int),
            ("decided_at", Time),
        ],
        key: &["user_id"],
        generated_id: false,
    },
    Table {
        name: "deletion_requests",
        columns: &[("user_id", Int), ("requested_at", Time)],
        key: &["user_id"],
        generated_id: false,
    },
    Table {
        name: "erasures",
        columns: &[("id", Int), ("erased_at", Time)],
        key: &["id"],
        generated_id: true,
    },
    Table {
        name: "roles",
        columns: &[
            ("user_id", Int),
            ("role", Text),
            ("park", Text),
            ("password_hash", Text),
            ("granted_by", Int),
            ("granted_at", Time),
        ],
        key: &["user_id"],
        generated_id: false,
    },
    Table {
        name: "content_overrides",
        columns: &[
            ("id", Int),
            ("path", Text),
            ("field", Text),
            ("value", Text),
            ("body", Text),
            ("media_kind", Text),
            ("author", Int),
            ("created_at", Time),
        ],
        key: &["id"],
        generated_id: true,
    },
    Table {
        name: "content_reloads",
        columns: &[("id", Int), ("requested_by", Int), ("requested_at", Time)],
        key: &["id"],
        generated_id: true,
    },
    Table {
        name: "update_claims",
        columns: &[("update_id", Int), ("claimed_at", Time), ("finished", Bool)],
        key: &["update_id"],
        generated_id: false,
    },
    Table {
        name: "legacy_imports",
        columns: &[("key", Text), ("imported_at", Time)],
        key: &["key"],
        generated_id: false,
    },
];

/// How far the copy of one table has got, for a progress display.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CopyProgress<'a> {
    pub table: &'a str,
    pub done: u64,
    pub total: u64,
}

/// What to do about a target that already holds rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExistingRows {
    /// Refuse to copy ([`CopyError::TargetNotEmpty`]).
    Refuse,
    /// Delete every row of the target first, in the same transaction as the copy.
    Replace,
}

/// The row count and checksum of one table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableSum {
    pub table: &'static str,
    pub rows: u64,
    /// SHA-256 (hex) of the table's rows in canonical text, in primary-key order.
    pub checksum: String,
}

/// A verified copy: every table's count and checksum, equal on both sides.
#[derive(Clone, Debug)]
pub struct CopyReport {
    /// The migration version both databases were at.
    pub schema_version: i64,
    pub tables: Vec<TableSum>,
}

impl CopyReport {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

/// Why a copy did not happen. The target is unchanged in every case.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error(
        "the target database is not empty ({summary}); copy into an empty database, \
         or pass --force to delete everything in the target first"
    )]
    TargetNotEmpty { summary: String },

    #[error("the source and the target are the same database ({0}); copy into another one")]
    SameDatabase(String),

    #[error(
        "the two databases are at different schema versions (source {source_version}, \
         target {target_version}) after migrating; run the same trainbot version on both"
    )]
    SchemaVersions {
        source_version: i64,
        target_version: i64,
    },

    #[error(
        "verification failed for table {table}: the source has {source_rows} rows \
         (checksum {source_sum}), the target {target_rows} rows (checksum {target_sum}); \
         nothing was committed to the target"
    )]
    Mismatch {
        table: &'static str,
        source_rows: u64,
        source_sum: String,
        target_rows: u64,
        target_sum: String,
    },

    #[error("reading the source database: {0}")]
    Source(StorageError),

    #[error("writing the target database: {0}")]
    Target(StorageError),
}

/// Copies everything in `from` into `to` (both already migrated by this binary)
/// and verifies it; see the module documentation. `progress` is called after each
/// batch of each table.
pub async fn copy(
    from: &SqlStorage,
    to: &SqlStorage,
    existing: ExistingRows,
    progress: &mut (dyn FnMut(CopyProgress<'_>) + Send),
) -> Result<CopyReport, CopyError> {
    let source_identity = identity(from).await.map_err(CopyError::Source)?;
    if source_identity.is_some()
        && source_identity == identity(to).await.map_err(CopyError::Target)?
    {
        return Err(CopyError::SameDatabase(source_identity.unwrap_or_default()));
    }
    let source_version = schema_version(from).await.map_err(CopyError::Source)?;
    let target_version = schema_version(to).await.map_err(CopyError::Target)?;
    if source_version != target_version {
        return Err(CopyError::SchemaVersions {
            source_version,
            target_version,
        });
    }

    let mut source = Tx::snapshot(from).await.map_err(CopyError::Source)?;
    let mut target = Tx::write(to).await.map_err(CopyError::Target)?;

    let mut not_empty = Vec::new();
    for table in TABLES {
        let rows = target.count(table).await.map_err(CopyError::Target)?;
        if rows > 0 {
            not_empty.push(format!("{}: {rows} rows", table.name));
        }
    }
    if !not_empty.is_empty() {
        match existing {
            ExistingRows::Refuse => {
                return Err(CopyError::TargetNotEmpty {
                    summary: not_empty.join(", "),
                });
            }
            ExistingRows::Replace => target.clear().await.map_err(CopyError::Target)?,
        }
    }

    let mut sums = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        let total = source.count(table).await.map_err(CopyError::Source)?;
        if total > 0 {
            progress(CopyProgress {
                table: table.name,
                done: 0,
                total,
            });
        }
        let sum = source
            .scan(table, Some(&mut target), &mut |done| {
                progress(CopyProgress {
                    table: table.name,
                    done,
                    total,
                })
            })
            .await?;
        if table.generated_id {
            let issued = source
                .last_issued_id(table)
                .await
                .map_err(CopyError::Source)?;
            target
                .continue_ids_after(table, issued)
                .await
                .map_err(CopyError::Target)?;
        }
        sums.push(sum);
    }

    for (table, expected) in TABLES.iter().zip(&sums) {
        let found = target.scan(table, None, &mut |_| {}).await?;
        if found != *expected {
            return Err(CopyError::Mismatch {
                table: table.name,
                source_rows: expected.rows,
                source_sum: expected.checksum.clone(),
                target_rows: found.rows,
                target_sum: found.checksum,
            });
        }
    }
    target.commit().await.map_err(CopyError::Target)?;
    source.commit().await.map_err(CopyError::Source)?;
    Ok(CopyReport {
        schema_version: source_version,
        tables: sums,
    })
}

/// Every table's row count and checksum, computed as [`copy`] computes them.
pub async fn checksums(storage: &SqlStorage) -> Result<Vec<TableSum>, StorageError> {
    let mut tx = Tx::snapshot(storage).await?;
    let mut sums = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        let sum = tx
            .scan(table, None, &mut |_| {})
            .await
            .map_err(|e| match e {
                CopyError::Source(e) | CopyError::Target(e) => e,
                other => StorageError::Corrupt(other.to_string()),
            })?;
        sums.push(sum);
    }
    tx.commit().await?;
    Ok(sums)
}

/// What makes a database itself, whatever the URL spelled: the SQLite file, or
/// PostgreSQL's server address, database and schema. `None` for an in-memory
/// SQLite database (each is its own). Copying a database onto itself would empty
/// it with `--force`, or wait forever on its own locks.
async fn identity(storage: &SqlStorage) -> Result<Option<String>, StorageError> {
    match &storage.db {
        Db::Sqlite(s) => {
            let file: Option<String> =
                sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
                    .fetch_optional(&s.pool)
                    .await
                    .map_err(storage_error)?;
            Ok(file.filter(|f| !f.is_empty()).map(|f| {
                std::fs::canonicalize(&f)
                    .map(|p| p.display().to_string())
                    .unwrap_or(f)
            }))
        }
        Db::Postgres(s) => sqlx::query_scalar(
            "SELECT COALESCE(host(inet_server_addr()), 'local socket') || ':' \
             || COALESCE(inet_server_port(), 0)::text || ', database ' || current_database() \
             || ', schema ' || COALESCE(current_schema(), '')",
        )
        .fetch_one(&s.pool)
        .await
        .map(Some)
        .map_err(storage_error),
    }
}

/// The highest applied migration.
async fn schema_version(storage: &SqlStorage) -> Result<i64, StorageError> {
    const SQL: &str = "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success";
    match &storage.db {
        Db::Sqlite(s) => sqlx::query_scalar(SQL).fetch_one(&s.pool).await,
        Db::Postgres(s) => sqlx::query_scalar(SQL).fetch_one(&s.pool).await,
    }
    .map_err(storage_error)
}

/// One transaction on either backend.
enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// One batch of rows, column by column (what PostgreSQL's `UNNEST` takes).
enum Values {
    Int(Vec<Option<i64>>),
    Text(Vec<Option<String>>),
    Bool(Vec<Option<bool>>),
    Time(Vec<Option<OffsetDateTime>>),
}

impl Values {
    fn new(kind: Kind) -> Values {
        match kind {
            Int => Values::Int(Vec::with_capacity(BATCH_ROWS)),
            Text => Values::Text(Vec::with_capacity(BATCH_ROWS)),
            Bool => Values::Bool(Vec::with_capacity(BATCH_ROWS)),
            Time => Values::Time(Vec::with_capacity(BATCH_ROWS)),
        }
    }

    fn clear(&mut self) {
        match self {
            Values::Int(v) => v.clear(),
            Values::Text(v) => v.clear(),
            Values::Bool(v) => v.clear(),
            Values::Time(v) => v.clear(),
        }
    }
}

/// The rows read so far of one table: the batch not yet written, the count and the
/// running checksum.
struct Scan {
    batch: Vec<Values>,
    rows_in_batch: usize,
    rows: u64,
    hasher: Sha256,
    line: String,
}

impl Scan {
    fn new(table: &Table) -> Scan {
        Scan {
            batch: table.columns.iter().map(|(_, k)| Values::new(*k)).collect(),
            rows_in_batch: 0,
            rows: 0,
            hasher: Sha256::new(),
            line: String::new(),
        }
    }

    /// Appends one decoded value to column `i` and to the row's canonical text.
    fn push_int(&mut self, i: usize, v: Option<i64>) {
        match v {
            Some(n) => {
                let _ = write!(self.line, "i{n}\t");
            }
            None => self.line.push_str("N\t"),
        }
        if let Some(Values::Int(col)) = self.batch.get_mut(i) {
            col.push(v);
        }
    }

    fn push_text(&mut self, i: usize, v: Option<String>) {
        match &v {
            Some(s) => {
                let _ = write!(self.line, "s{}:{s}\t", s.len());
            }
            None => self.line.push_str("N\t"),
        }
        if let Some(Values::Text(col)) = self.batch.get_mut(i) {
            col.push(v);
        }
    }

    fn push_bool(&mut self, i: usize, v: Option<bool>) {
        self.line.push_str(match v {
            Some(true) => "t\t",
            Some(false) => "f\t",
            None => "N\t",
        });
        if let Some(Values::Bool(col)) = self.batch.get_mut(i) {
            col.push(v);
        }
    }

    fn push_time(&mut self, i: usize, v: Option<OffsetDateTime>) {
        match v {
            Some(at) => {
                let _ = write!(self.line, "T{}\t", micros(at));
            }
            None => self.line.push_str("N\t"),
        }
        if let Some(Values::Time(col)) = self.batch.get_mut(i) {
            col.push(v);
        }
    }

    fn end_row(&mut self) {
        self.line.push('\n');
        self.hasher.update(self.line.as_bytes());
        self.line.clear();
        self.rows += 1;
        self.rows_in_batch += 1;
    }

    fn clear_batch(&mut self) {
        for col in &mut self.batch {
            col.clear();
        }
        self.rows_in_batch = 0;
    }

    fn finish(self, table: &'static str) -> TableSum {
        let digest = self.hasher.finalize();
        let mut checksum = String::with_capacity(64);
        for byte in digest {
            let _ = write!(checksum, "{byte:02x}");
        }
        TableSum {
            table,
            rows: self.rows,
            checksum,
        }
    }
}

fn column_list(table: &Table) -> String {
    table
        .columns
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `SELECT` of every column in primary-key order; on PostgreSQL integers are read
/// as `bigint` and text keys ordered bytewise.
fn select_sql(table: &Table, postgres: bool) -> String {
    let columns = table
        .columns
        .iter()
        .map(|(name, kind)| match (kind, postgres) {
            (Int, true) => format!("{name}::bigint"),
            _ => (*name).to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let order = table
        .key
        .iter()
        .map(|key| {
            let text = table
                .columns
                .iter()
                .any(|(name, kind)| name == key && *kind == Text);
            if text && postgres {
                format!("{key} COLLATE \"C\"")
            } else {
                (*key).to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!("SELECT {columns} FROM {} ORDER BY {order}", table.name)
}

fn decode_sqlite(row: &SqliteRow, table: &Table, scan: &mut Scan) -> Result<(), StorageError> {
    for (i, (_, kind)) in table.columns.iter().enumerate() {
        match kind {
            Int => scan.push_int(i, row.try_get(i).map_err(storage_error)?),
            Text => scan.push_text(i, row.try_get(i).map_err(storage_error)?),
            Bool => scan.push_bool(i, row.try_get(i).map_err(storage_error)?),
            Time => {
                let stored: Option<i64> = row.try_get(i).map_err(storage_error)?;
                scan.push_time(i, stored.map(from_micros).transpose()?);
            }
        }
    }
    scan.end_row();
    Ok(())
}

fn decode_postgres(row: &PgRow, table: &Table, scan: &mut Scan) -> Result<(), StorageError> {
    for (i, (_, kind)) in table.columns.iter().enumerate() {
        match kind {
            Int => scan.push_int(i, row.try_get(i).map_err(storage_error)?),
            Text => scan.push_text(i, row.try_get(i).map_err(storage_error)?),
            Bool => scan.push_bool(i, row.try_get(i).map_err(storage_error)?),
            Time => scan.push_time(i, row.try_get(i).map_err(storage_error)?),
        }
    }
    scan.end_row();
    Ok(())
}

impl Tx {
    /// A read-only snapshot: the whole copy sees one state of the source even if
    /// the bot is still writing to it (on SQLite, WAL keeps the reader's snapshot
    /// from its first read).
    async fn snapshot(storage: &SqlStorage) -> Result<Tx, StorageError> {
        match &storage.db {
            Db::Sqlite(s) => Ok(Tx::Sqlite(s.pool.begin().await.map_err(storage_error)?)),
            Db::Postgres(s) => {
                let mut tx = s.pool.begin().await.map_err(storage_error)?;
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .execute(&mut *tx)
                    .await
                    .map_err(storage_error)?;
                Ok(Tx::Postgres(tx))
            }
        }
    }

    /// A write transaction; SQLite takes the write lock at once so a running bot
    /// cannot interleave.
    async fn write(storage: &SqlStorage) -> Result<Tx, StorageError> {
        match &storage.db {
            Db::Sqlite(s) => Ok(Tx::Sqlite(
                s.pool
                    .begin_with("BEGIN IMMEDIATE")
                    .await
                    .map_err(storage_error)?,
            )),
            Db::Postgres(s) => Ok(Tx::Postgres(s.pool.begin().await.map_err(storage_error)?)),
        }
    }

    async fn commit(self) -> Result<(), StorageError> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
        .map_err(storage_error)
    }

    async fn count(&mut self, table: &Table) -> Result<u64, StorageError> {
        let sql = AssertSqlSafe(format!("SELECT COUNT(*) FROM {}", table.name));
        let count: i64 = match self {
            Tx::Sqlite(tx) => sqlx::query_scalar(sql).fetch_one(&mut **tx).await,
            Tx::Postgres(tx) => sqlx::query_scalar(sql).fetch_one(&mut **tx).await,
        }
        .map_err(storage_error)?;
        u64::try_from(count)
            .map_err(|_| StorageError::Corrupt(format!("{} has {count} rows", table.name)))
    }

    /// Deletes every row of every table, children first, and resets the id
    /// sequences.
    async fn clear(&mut self) -> Result<(), StorageError> {
        match self {
            Tx::Sqlite(tx) => {
                for table in TABLES.iter().rev() {
                    sqlx::query(AssertSqlSafe(format!("DELETE FROM {}", table.name)))
                        .execute(&mut **tx)
                        .await
                        .map_err(storage_error)?;
                }
                sqlx::query("DELETE FROM sqlite_sequence")
                    .execute(&mut **tx)
                    .await
                    .map_err(storage_error)?;
            }
            Tx::Postgres(tx) => {
                let all = TABLES.iter().map(|t| t.name).collect::<Vec<_>>().join(", ");
                sqlx::query(AssertSqlSafe(format!("TRUNCATE {all} RESTART IDENTITY")))
                    .execute(&mut **tx)
                    .await
                    .map_err(storage_error)?;
            }
        }
        Ok(())
    }

    /// Reads `table` in key order, hashing every row, and writes it into `target`
    /// (if any) in batches; `done` is told the rows read so far after each batch.
    async fn scan(
        &mut self,
        table: &'static Table,
        mut target: Option<&mut Tx>,
        done: &mut (dyn FnMut(u64) + Send),
    ) -> Result<TableSum, CopyError> {
        // Reading errors belong to whichever side this transaction is: the source
        // when copying, the target when verifying.
        let side = if target.is_some() {
            CopyError::Source
        } else {
            CopyError::Target
        };
        let mut scan = Scan::new(table);
        let mut reported = None;
        match self {
            Tx::Sqlite(tx) => {
                let sql = select_sql(table, false);
                let mut rows = sqlx::query(AssertSqlSafe(sql)).fetch(&mut **tx);
                while let Some(row) = rows.try_next().await.map_err(|e| side(storage_error(e)))? {
                    decode_sqlite(&row, table, &mut scan).map_err(side)?;
                    if scan.rows_in_batch == BATCH_ROWS {
                        flush(table, &mut scan, target.as_deref_mut()).await?;
                        done(scan.rows);
                        reported = Some(scan.rows);
                    }
                }
            }
            Tx::Postgres(tx) => {
                let sql = select_sql(table, true);
                let mut rows = sqlx::query(AssertSqlSafe(sql)).fetch(&mut **tx);
                while let Some(row) = rows.try_next().await.map_err(|e| side(storage_error(e)))? {
                    decode_postgres(&row, table, &mut scan).map_err(side)?;
                    if scan.rows_in_batch == BATCH_ROWS {
                        flush(table, &mut scan, target.as_deref_mut()).await?;
                        done(scan.rows);
                        reported = Some(scan.rows);
                    }
                }
            }
        }
        if scan.rows_in_batch > 0 {
            flush(table, &mut scan, target).await?;
        }
        // Once at the end, also for an empty table, but not twice.
        if reported != Some(scan.rows) {
            done(scan.rows);
        }
        Ok(scan.finish(table.name))
    }

    /// The last id the table's sequence handed out (it may be above the largest id
    /// still present, when the newest rows were deleted).
    async fn last_issued_id(&mut self, table: &Table) -> Result<i64, StorageError> {
        let issued: Option<i64> = match self {
            Tx::Sqlite(tx) => sqlx::query_scalar("SELECT seq FROM sqlite_sequence WHERE name = $1")
                .bind(table.name)
                .fetch_optional(&mut **tx)
                .await
                .map_err(storage_error)?,
            Tx::Postgres(tx) => sqlx::query_scalar(
                "SELECT pg_sequence_last_value(pg_get_serial_sequence($1, 'id')::regclass)",
            )
            .bind(table.name)
            .fetch_one(&mut **tx)
            .await
            .map_err(storage_error)?,
        };
        Ok(issued.unwrap_or(0))
    }

    /// Makes the next generated id of `table` greater than both `issued` and every
    /// id in the table.
    async fn continue_ids_after(&mut self, table: &Table, issued: i64) -> Result<(), StorageError> {
        let max_sql = AssertSqlSafe(format!("SELECT COALESCE(MAX(id), 0) FROM {}", table.name));
        match self {
            Tx::Sqlite(tx) => {
                let max: i64 = sqlx::query_scalar(max_sql)
                    .fetch_one(&mut **tx)
                    .await
                    .map_err(storage_error)?;
                let last = max.max(issued);
                sqlx::query("DELETE FROM sqlite_sequence WHERE name = $1")
                    .bind(table.name)
                    .execute(&mut **tx)
                    .await
                    .map_err(storage_error)?;
                if last > 0 {
                    sqlx::query("INSERT INTO sqlite_sequence (name, seq) VALUES ($1, $2)")
                        .bind(table.name)
                        .bind(last)
                        .execute(&mut **tx)
                        .await
                        .map_err(storage_error)?;
                }
            }
            Tx::Postgres(tx) => {
                let max: i64 = sqlx::query_scalar(max_sql)
                    .fetch_one(&mut **tx)
                    .await
                    .map_err(storage_error)?;
                let last = max.max(issued);
                // setval(seq, n, true): the next id is n + 1; (1, false): it is 1.
                sqlx::query("SELECT setval(pg_get_serial_sequence($1, 'id'), $2, $3)")
                    .bind(table.name)
                    .bind(last.max(1))
                    .bind(last >= 1)
                    .execute(&mut **tx)
                    .await
                    .map_err(storage_error)?;
            }
        }
        Ok(())
    }
}

/// Writes the batch in `scan` into `target` (if any) and empties it.
async fn flush(table: &Table, scan: &mut Scan, target: Option<&mut Tx>) -> Result<(), CopyError> {
    if let Some(target) = target {
        match target {
            Tx::Sqlite(tx) => insert_sqlite(tx, table, scan).await,
            Tx::Postgres(tx) => insert_postgres(tx, table, scan).await,
        }
        .map_err(CopyError::Target)?;
    }
    scan.clear_batch();
    Ok(())
}

/// One prepared statement per row: SQLite is in-process, so this is as fast as a
/// multi-row insert and never meets the bound-parameter limit.
async fn insert_sqlite(
    tx: &mut Transaction<'static, Sqlite>,
    table: &Table,
    scan: &Scan,
) -> Result<(), StorageError> {
    let placeholders = (1..=table.columns.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({placeholders})",
        table.name,
        column_list(table)
    );
    for row in 0..scan.rows_in_batch {
        let mut query = sqlx::query(AssertSqlSafe(sql.as_str()));
        for values in &scan.batch {
            query = match values {
                Values::Int(v) => query.bind(v.get(row).copied().flatten()),
                Values::Text(v) => query.bind(v.get(row).cloned().flatten()),
                Values::Bool(v) => query.bind(v.get(row).copied().flatten()),
                Values::Time(v) => query.bind(v.get(row).copied().flatten().map(micros)),
            };
        }
        query.execute(&mut **tx).await.map_err(storage_error)?;
    }
    Ok(())
}

/// The whole batch in one statement, one array per column.
async fn insert_postgres(
    tx: &mut Transaction<'static, Postgres>,
    table: &Table,
    scan: &Scan,
) -> Result<(), StorageError> {
    let arrays = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, (_, kind))| {
            let ty = match kind {
                Int => "bigint",
                Text => "text",
                Bool => "boolean",
                Time => "timestamptz",
            };
            format!("${}::{ty}[]", i + 1)
        })
        .collect::<Vec<_>>()
        .join(", ");
    let overriding = if table.generated_id {
        " OVERRIDING SYSTEM VALUE"
    } else {
        ""
    };
    let sql = format!(
        "INSERT INTO {} ({}){overriding} SELECT * FROM UNNEST({arrays})",
        table.name,
        column_list(table)
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for values in &scan.batch {
        query = match values {
            Values::Int(v) => query.bind(v.clone()),
            Values::Text(v) => query.bind(v.clone()),
            Values::Bool(v) => query.bind(v.clone()),
            Values::Time(v) => query.bind(v.clone()),
        };
    }
    query.execute(&mut **tx).await.map_err(storage_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::testing;

    fn catalogue() -> BTreeSet<(String, String)> {
        TABLES
            .iter()
            .flat_map(|t| {
                t.columns
                    .iter()
                    .map(|(c, _)| (t.name.to_owned(), (*c).to_owned()))
            })
            .collect()
    }

    /// A migration that adds a table or a column fails this until [`TABLES`]
    /// lists it, so `db copy` never silently leaves data behind.
    #[tokio::test]
    async fn the_catalogue_lists_every_table_and_column_of_both_schemas() {
        let sqlite = testing::fresh_sqlite().await.unwrap();
        let Db::Sqlite(s) = &sqlite.db else {
            panic!("not SQLite")
        };
        let columns: Vec<(String, String)> = sqlx::query_as(
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
             AND m.name <> '_sqlx_migrations'",
        )
        .fetch_all(&s.pool)
        .await
        .unwrap();
        assert_eq!(columns.into_iter().collect::<BTreeSet<_>>(), catalogue());

        let Some(base) = testing::postgres_url("the_catalogue_lists_every_table_and_column") else {
            return;
        };
        let (postgres, _guard) = testing::fresh_postgres(&base).await.unwrap();
        let Db::Postgres(p) = &postgres.db else {
            panic!("not PostgreSQL")
        };
        let columns: Vec<(String, String)> = sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'",
        )
        .fetch_all(&p.pool)
        .await
        .unwrap();
        assert_eq!(columns.into_iter().collect::<BTreeSet<_>>(), catalogue());
    }

    #[test]
    fn every_key_column_is_a_column() {
        for table in TABLES {
            for key in table.key {
                assert!(
                    table.columns.iter().any(|(name, _)| name == key),
                    "{}: key column {key} is not listed",
                    table.name
                );
            }
            assert_eq!(
                table.generated_id,
                table.key == ["id"] && table.name != "users",
                "{}",
                table.name
            );
        }
    }

    #[test]
    fn postgres_reads_integers_as_bigint_and_orders_text_bytewise() {
        let review = TABLES.iter().find(|t| t.name == "review_items").unwrap();
        assert_eq!(
            select_sql(review, true),
            "SELECT user_id::bigint, quiz_id, question_id, stage::bigint, due_at \
             FROM review_items ORDER BY user_id, quiz_id COLLATE \"C\", question_id COLLATE \"C\""
        );
        assert_eq!(
            select_sql(review, false),
            "SELECT user_id, quiz_id, question_id, stage, due_at \
             FROM review_items ORDER BY user_id, quiz_id, question_id"
        );
    }
}
