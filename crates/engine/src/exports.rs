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

use domain::callback::FileFormat;
use domain::html::Html;
use domain::ids::UserId;
use domain::spreadsheet::{BOM, CsvError, Separator};
use time::OffsetDateTime;
use tokio::io::AsyncWrite;

use crate::ports::{ActivityFilter, AttemptFilter, StorageError, StoragePorts};

mod cell;
mod queue;
mod sink;
mod tables;

pub use cell::Cell;
pub use queue::{AlreadyQueued, ExportJob, ExportQueue, ExportTicket};
use sink::CsvSink;
pub use sink::{MAX_XLSX_ROWS, Sink, XlsxSink};
use tables::{Activities, Answers, Attempts, Audit, Certificates, People, Reviews, Table};

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
    storage: &StoragePorts,
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
    storage: &StoragePorts,
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

/// Reads an export's tables page by page into a sink.
struct TableWriter<'a, S> {
    storage: &'a StoragePorts,
    page: u32,
    sink: &'a mut S,
    summary: ExportSummary,
}

impl<'a, S: Sink> TableWriter<'a, S> {
    fn new(storage: &'a StoragePorts, limits: ExportLimits, sink: &'a mut S) -> Self {
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
