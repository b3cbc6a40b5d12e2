//! Exports as CSV or Excel files: what an admin asks for, and how a file is
//! written.
//!
//! The engine (`export_panel`, the admin's exports screen) decides *what* is
//! exported (the admin guard, the rate limit, the audit entry, the file name and
//! format), puts an [`ExportJob`] on the
//! [`ExportQueue`] and answers at once that the file is being prepared; a
//! background worker (the server's `exporter`) takes the job, calls [`write_csv`]
//! or [`write_xlsx`] into a temporary file and uploads that file with a streamed
//! body. Both read storage one keyset page at a time ([`EXPORT_PAGE`] rows,
//! ordered by id) and write each page out before reading the next, so an export of
//! any size holds one page in memory.
//!
//! - **CSV** (separated by commas, or by semicolons for Excel in a Russian
//!   locale) stops before the output would pass a size limit (Telegram's upload
//!   limit), so a file too big to send is never written whole. Every cell passes
//!   [`domain::spreadsheet`], which neutralises formulas; files start with a UTF-8
//!   BOM and all times are UTC ISO-8601 (`2026-11-28T09:15:30.123456Z`). A
//!   person's data export is several tables in one file: each section starts with
//!   its own header row whose first cell is `section`, and every row's first cell
//!   names its section.
//! - **XLSX** has typed cells: numbers as numbers, yes/no as booleans, times as
//!   dates in the park's time zone. Text is written as text, never as a formula,
//!   so it needs no neutralising. Each table is a sheet (named after the export
//!   and its period; a person's data export has one sheet a section) with a bold,
//!   frozen header row, a filter and fitted column widths.

use std::path::Path;

use async_trait::async_trait;
use domain::callback::FileFormat;
use domain::html::Html;
use domain::ids::UserId;
use domain::learning;
use domain::spreadsheet::{BOM, CsvError, Separator};
use time::OffsetDateTime;
use tokio::io::AsyncWrite;

use crate::ports::{
    ActivityExport, ActivityFilter, AnswerExport, AttemptExport, AttemptFilter, AuditEntry,
    Certificate, PersonExport, ReviewItem, Storage, StorageError, Subject,
};

mod cell;
mod queue;
mod sink;

pub use cell::Cell;
pub use queue::{AlreadyQueued, ExportJob, ExportQueue, ExportTicket};
use sink::CsvSink;
pub use sink::{MAX_XLSX_ROWS, Sink, XlsxSink};

/// Telegram's limit on a document a bot uploads.
pub const UPLOAD_LIMIT: u64 = 50 * 1024 * 1024;

/// Rows read from storage at a time.
pub const EXPORT_PAGE: u32 = 500;

/// What to export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportKind {
    People,
    /// Activity at or after `since` (from the beginning when `None`), before `until`.
    Activity {
        since: Option<OffsetDateTime>,
        until: OffsetDateTime,
    },
    /// One row per finished knowledge check.
    QuizResults,
    Audit,
    /// Everything stored about one person.
    Person(UserId),
}

/// An export the background worker writes and sends as a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    pub kind: ExportKind,
    /// Only this park's people, their activity and results (a park manager's
    /// export); `None` for everyone.
    pub park: Option<String>,
    pub format: FileFormat,
    /// The time zone a workbook shows times in (the admin's park's); CSV times
    /// are UTC.
    pub timezone: String,
    /// A workbook's sheet: what and which period, `activity 2026-11-21-11-28`.
    pub sheet: String,
    /// What and when: `people-2026-11-28.csv`.
    pub file_name: String,
    pub caption: Html,
    /// Sent instead of the file when it cannot be written or sent.
    pub failed: Html,
    /// Sent instead of the file when it would pass the size limit.
    pub too_large: Html,
}

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("cannot write the export file: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Csv(#[from] CsvError),
    #[error("cannot write the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// Writing on would pass `limit` bytes; less than that was written.
    #[error("the export would be over {limit} bytes")]
    TooLarge { limit: u64 },
    /// A table has more rows than a sheet can hold.
    #[error("a table has more than {limit} rows, more than a sheet holds")]
    TooManyRows { limit: u32 },
}

/// What [`write_csv`] or [`write_xlsx`] did: data rows written, storage pages
/// read and bytes written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExportSummary {
    pub rows: u64,
    pub pages: u64,
    pub bytes: u64,
}

/// How an export reads and how much it may write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExportLimits {
    /// Rows read from storage at a time.
    pub page: u32,
    /// The most bytes the file may have: before a page would pass it, writing
    /// stops with [`ExportError::TooLarge`].
    pub max_bytes: u64,
}

impl Default for ExportLimits {
    fn default() -> Self {
        ExportLimits {
            page: EXPORT_PAGE,
            max_bytes: UPLOAD_LIMIT,
        }
    }
}

/// Writes the export as CSV separated by `separator` into `out`, reading
/// `limits.page` rows from storage at a time; only the people of `park` (and their
/// rows) when it is given. Stops with [`ExportError::TooLarge`], having written at
/// most `limits.max_bytes`, as soon as the next page would pass that size.
pub async fn write_csv<W>(
    storage: &dyn Storage,
    kind: ExportKind,
    park: Option<&str>,
    separator: Separator,
    limits: ExportLimits,
    out: &mut W,
) -> Result<ExportSummary, ExportError>
where
    W: AsyncWrite + Unpin + Send,
{
    let mut sink = CsvSink::new(out, separator, limits.max_bytes);
    sink.write(BOM).await?;
    let mut writer = TableWriter::new(storage, limits, &mut sink);
    writer.tables(kind, park).await?;
    let summary = writer.summary;
    sink.flush().await?;
    Ok(ExportSummary {
        bytes: sink.bytes,
        ..summary
    })
}

/// Writes the export as an Excel workbook at `path`, reading storage as
/// [`write_csv`] does: one sheet called `sheet` (a person's data export: one
/// sheet a section), times as dates in `timezone`. A workbook over
/// `limits.max_bytes` is removed and refused with [`ExportError::TooLarge`]; a
/// table over Excel's row limit, with [`ExportError::TooManyRows`].
pub async fn write_xlsx(
    storage: &dyn Storage,
    kind: ExportKind,
    park: Option<&str>,
    sheet: &str,
    timezone: &str,
    limits: ExportLimits,
    path: &Path,
) -> Result<ExportSummary, ExportError> {
    let mut sink = XlsxSink::new(sheet, timezone);
    let mut writer = TableWriter::new(storage, limits, &mut sink);
    writer.tables(kind, park).await?;
    let summary = writer.summary;
    let bytes = sink.save(path, limits.max_bytes).await?;
    Ok(ExportSummary { bytes, ..summary })
}

/// One kind of row an export reads page by page.
#[async_trait]
trait Table: Sync {
    type Item: Send;
    type Key: Send + Copy;

    fn header(&self) -> &'static [&'static str];
    /// At most `limit` items after `after` (from the start when `None`), in key
    /// order.
    async fn page(
        &self,
        storage: &dyn Storage,
        after: Option<Self::Key>,
        limit: u32,
    ) -> Result<Vec<Self::Item>, StorageError>;
    fn key(item: &Self::Item) -> Self::Key;
    fn row(item: &Self::Item) -> Vec<Cell>;
}

/// Reads an export's tables page by page into a sink.
struct TableWriter<'a, S> {
    storage: &'a dyn Storage,
    page: u32,
    sink: &'a mut S,
    summary: ExportSummary,
}

impl<'a, S: Sink> TableWriter<'a, S> {
    fn new(storage: &'a dyn Storage, limits: ExportLimits, sink: &'a mut S) -> Self {
        TableWriter {
            storage,
            page: limits.page.max(1),
            sink,
            summary: ExportSummary::default(),
        }
    }

    /// Every table of the export.
    async fn tables(&mut self, kind: ExportKind, park: Option<&str>) -> Result<(), ExportError> {
        match kind {
            ExportKind::People => self.table(&People::All { park }, None).await,
            ExportKind::Activity { since, until } => {
                let filter = ActivityFilter {
                    park: park.map(str::to_owned),
                    user: None,
                    since,
                    until: Some(until),
                };
                self.table(&Activities(filter), None).await
            }
            ExportKind::QuizResults => {
                let filter = AttemptFilter {
                    park: park.map(str::to_owned),
                    user: None,
                    finished_quizzes_only: true,
                };
                self.table(&Attempts(filter), None).await
            }
            ExportKind::Audit => self.table(&Audit, None).await,
            ExportKind::Person(user) => {
                self.table(&People::One(user), Some("profile")).await?;
                let activity = ActivityFilter {
                    user: Some(user),
                    ..ActivityFilter::default()
                };
                self.table(&Activities(activity), Some("activity")).await?;
                let attempts = AttemptFilter {
                    user: Some(user),
                    finished_quizzes_only: false,
                    ..AttemptFilter::default()
                };
                self.table(&Attempts(attempts), Some("attempt")).await?;
                self.table(&Answers(user), Some("answer")).await?;
                self.table(&Reviews(user), Some("review")).await?;
                self.table(&Certificates(user), Some("certificate")).await
            }
        }
    }

    /// The header, then every page of `table`, each written before the next is
    /// read.
    async fn table<T: Table>(
        &mut self,
        table: &T,
        section: Option<&'static str>,
    ) -> Result<(), ExportError> {
        self.sink.start(section, table.header()).await?;
        let mut after = None;
        loop {
            let items = table.page(self.storage, after, self.page).await?;
            self.summary.pages += 1;
            let rows: Vec<Vec<Cell>> = items.iter().map(T::row).collect();
            self.sink.rows(&rows).await?;
            self.summary.rows += items.len() as u64;
            match items.last() {
                Some(last) if items.len() >= self.page as usize => after = Some(T::key(last)),
                _ => return Ok(()),
            }
        }
    }
}

/// A person id, or `erased-N` for the anonymised rows of erasure N.
fn subject(s: Subject) -> Cell {
    match s {
        Subject::Person(id) => Cell::Int(id.0),
        Subject::Erased(n) => Cell::Text(format!("erased-{n}")),
    }
}

/// Everyone, one park's people, or one person's `users` row (a page of one,
/// starting just below their id).
enum People<'a> {
    All { park: Option<&'a str> },
    One(UserId),
}

const PEOPLE_HEADER: &[&str] = &[
    "id",
    "first_name",
    "last_name",
    "username",
    "language",
    "park",
    "department",
    "position",
    "onboarded",
    "first_seen",
    "last_seen",
    "blocked",
    "blocked_bot",
    "deletion_requested",
];

fn person_row(p: &PersonExport) -> Vec<Cell> {
    vec![
        p.id.0.into(),
        (&p.first_name).into(),
        p.last_name.as_ref().into(),
        p.username.as_ref().into(),
        p.language.code().into(),
        p.park.as_ref().into(),
        p.department.as_ref().into(),
        p.position.as_ref().into(),
        p.onboarded.into(),
        p.first_seen.into(),
        p.last_seen.into(),
        p.blocked.into(),
        p.inactive.into(),
        p.deletion_requested.into(),
    ]
}

#[async_trait]
impl Table for People<'_> {
    type Item = PersonExport;
    type Key = UserId;

    fn header(&self) -> &'static [&'static str] {
        PEOPLE_HEADER
    }

    async fn page(
        &self,
        storage: &dyn Storage,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<PersonExport>, StorageError> {
        match *self {
            People::All { park } => storage.export_people(park, after, limit).await,
            People::One(_) if after.is_some() => Ok(Vec::new()),
            People::One(id) => {
                let below = id.0.checked_sub(1).map(UserId);
                let mut page = storage.export_people(None, below, 1).await?;
                page.retain(|p| p.id == id);
                Ok(page)
            }
        }
    }

    fn key(item: &PersonExport) -> UserId {
        item.id
    }

    fn row(item: &PersonExport) -> Vec<Cell> {
        person_row(item)
    }
}

struct Activities(ActivityFilter);

#[async_trait]
impl Table for Activities {
    type Item = ActivityExport;
    type Key = i64;

    fn header(&self) -> &'static [&'static str] {
        &["id", "person", "kind", "node", "at"]
    }

    async fn page(
        &self,
        storage: &dyn Storage,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ActivityExport>, StorageError> {
        storage.export_activity(&self.0, after, limit).await
    }

    fn key(item: &ActivityExport) -> i64 {
        item.id
    }

    fn row(a: &ActivityExport) -> Vec<Cell> {
        vec![
            a.id.into(),
            subject(a.subject),
            a.kind.as_str().into(),
            a.node.as_ref().into(),
            a.at.into(),
        ]
    }
}

struct Attempts(AttemptFilter);

#[async_trait]
impl Table for Attempts {
    type Item = AttemptExport;
    type Key = i64;

    fn header(&self) -> &'static [&'static str] {
        &[
            "attempt", "person", "name", "quiz", "kind", "score", "max", "percent", "passed",
            "started", "finished",
        ]
    }

    async fn page(
        &self,
        storage: &dyn Storage,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AttemptExport>, StorageError> {
        storage.export_attempts(&self.0, after, limit).await
    }

    fn key(item: &AttemptExport) -> i64 {
        item.id
    }

    fn row(a: &AttemptExport) -> Vec<Cell> {
        let percent = a
            .score
            .zip(a.max_score)
            .map(|(score, max)| learning::percent(score, max));
        vec![
            a.id.into(),
            subject(a.subject),
            a.name.as_ref().into(),
            (&a.quiz_id).into(),
            a.kind.as_str().into(),
            a.score.into(),
            a.max_score.into(),
            percent.into(),
            a.passed.into(),
            a.started_at.into(),
            a.finished_at.into(),
        ]
    }
}

struct Answers(UserId);

#[async_trait]
impl Table for Answers {
    type Item = AnswerExport;
    type Key = (i64, u16);

    fn header(&self) -> &'static [&'static str] {
        &[
            "attempt", "position", "quiz", "question", "chosen", "correct", "points", "answered",
        ]
    }

    async fn page(
        &self,
        storage: &dyn Storage,
        after: Option<(i64, u16)>,
        limit: u32,
    ) -> Result<Vec<AnswerExport>, StorageError> {
        storage.export_answers(self.0, after, limit).await
    }

    fn key(item: &AnswerExport) -> (i64, u16) {
        (item.attempt, item.position)
    }

    fn row(a: &AnswerExport) -> Vec<Cell> {
        vec![
            a.attempt.into(),
            a.position.into(),
            (&a.quiz_id).into(),
            (&a.question_id).into(),
            (&a.chosen).into(),
            a.correct.into(),
            a.points.into(),
            a.answered_at.into(),
        ]
    }
}

/// The person's review schedule: a few rows, read at once.
struct Reviews(UserId);

#[async_trait]
impl Table for Reviews {
    type Item = ReviewItem;
    type Key = ();

    fn header(&self) -> &'static [&'static str] {
        &["quiz", "question", "stage", "due"]
    }

    async fn page(
        &self,
        storage: &dyn Storage,
        after: Option<()>,
        _limit: u32,
    ) -> Result<Vec<ReviewItem>, StorageError> {
        match after {
            None => storage.reviews(self.0).await,
            Some(()) => Ok(Vec::new()),
        }
    }

    fn key(_: &ReviewItem) {}

    fn row(r: &ReviewItem) -> Vec<Cell> {
        vec![
            (&r.quiz_id).into(),
            (&r.question_id).into(),
            r.stage.into(),
            r.due_at.into(),
        ]
    }
}

/// The person's certificates: one per department at most, read at once.
struct Certificates(UserId);

#[async_trait]
impl Table for Certificates {
    type Item = Certificate;
    type Key = ();

    fn header(&self) -> &'static [&'static str] {
        &[
            "code",
            "department",
            "park",
            "full_name",
            "issued",
            "quizzes",
        ]
    }

    async fn page(
        &self,
        storage: &dyn Storage,
        after: Option<()>,
        _limit: u32,
    ) -> Result<Vec<Certificate>, StorageError> {
        match after {
            None => storage.certificates_of(self.0).await,
            Some(()) => Ok(Vec::new()),
        }
    }

    fn key(_: &Certificate) {}

    fn row(c: &Certificate) -> Vec<Cell> {
        let quizzes = c
            .quizzes
            .iter()
            .map(|(quiz, percent)| format!("{quiz} {percent}%"))
            .collect::<Vec<_>>()
            .join("; ");
        vec![
            (&c.code).into(),
            (&c.department).into(),
            c.park.as_ref().into(),
            (&c.full_name).into(),
            c.issued_at.into(),
            quizzes.into(),
        ]
    }
}

struct Audit;

#[async_trait]
impl Table for Audit {
    type Item = AuditEntry;
    type Key = i64;

    fn header(&self) -> &'static [&'static str] {
        &["id", "at", "actor", "action", "detail"]
    }

    /// Newest first: the audit log's own keyset order.
    async fn page(
        &self,
        storage: &dyn Storage,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StorageError> {
        storage.audit_entries(after, limit).await
    }

    fn key(item: &AuditEntry) -> i64 {
        item.id
    }

    fn row(e: &AuditEntry) -> Vec<Cell> {
        vec![
            e.id.into(),
            e.at.into(),
            e.actor.0.into(),
            (&e.action).into(),
            (&e.detail).into(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erased_people_are_text_and_others_their_id() {
        assert_eq!(subject(Subject::Erased(3)), Cell::Text("erased-3".into()));
        assert_eq!(subject(Subject::Person(UserId(42))), Cell::Int(42));
    }
}
