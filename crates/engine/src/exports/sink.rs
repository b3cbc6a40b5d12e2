//! Where export rows go: a CSV stream or an Excel workbook.
//!
//! Both take the tables of an export one after the other, a header and then pages
//! of rows. CSV writes each page out at once and stops before the file would pass
//! its size limit. The workbook keeps only the current row in memory
//! (rust_xlsxwriter's constant-memory sheets spill the rest to a temporary file),
//! gives each table its own sheet with a bold, frozen header row, a filter and
//! column widths that fit the values, and is compressed into the file on a
//! blocking thread at the end; a file over the limit is then removed.

use std::path::Path;

use async_trait::async_trait;
use domain::learning::to_local;
use domain::spreadsheet::{Separator, encode_rows};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::ExportError;
use super::cell::Cell;

/// Excel's last row is 1,048,576; the first is the header.
pub const MAX_XLSX_ROWS: u32 = 1_048_575;

/// Excel keeps at most this many characters in a cell.
const MAX_CELL_CHARS: usize = 32_767;

/// Integers beyond this are not exact as Excel's numbers (doubles); they are
/// written as text.
const EXACT_INTEGER: i64 = 1 << 53;

/// The widest a column is made, in characters.
const MAX_WIDTH: usize = 60;

/// Takes the tables of an export.
#[async_trait]
pub trait Sink: Send {
    /// A new table: `section` names it (a person's data export has several),
    /// `header` its columns.
    async fn start(
        &mut self,
        section: Option<&'static str>,
        header: &[&'static str],
    ) -> Result<(), ExportError>;

    /// The next rows of the current table.
    async fn rows(&mut self, rows: &[Vec<Cell>]) -> Result<(), ExportError>;
}

/// CSV into a stream: every row of a sectioned export starts with its section.
pub struct CsvSink<'a, W> {
    out: &'a mut W,
    separator: Separator,
    section: Option<&'static str>,
    max_bytes: u64,
    /// Written so far.
    pub bytes: u64,
}

impl<'a, W: AsyncWrite + Unpin + Send> CsvSink<'a, W> {
    pub fn new(out: &'a mut W, separator: Separator, max_bytes: u64) -> Self {
        CsvSink {
            out,
            separator,
            section: None,
            max_bytes,
            bytes: 0,
        }
    }

    /// Writes `bytes`, unless they would take the output past `max_bytes`.
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), ExportError> {
        let after = self.bytes.saturating_add(bytes.len() as u64);
        if after > self.max_bytes {
            return Err(ExportError::TooLarge {
                limit: self.max_bytes,
            });
        }
        self.out.write_all(bytes).await?;
        self.bytes = after;
        Ok(())
    }

    pub async fn flush(&mut self) -> Result<(), ExportError> {
        Ok(self.out.flush().await?)
    }
}

#[async_trait]
impl<W: AsyncWrite + Unpin + Send> Sink for CsvSink<'_, W> {
    async fn start(
        &mut self,
        section: Option<&'static str>,
        header: &[&'static str],
    ) -> Result<(), ExportError> {
        self.section = section;
        let line = section
            .map(|_| "section")
            .into_iter()
            .chain(header.iter().copied());
        let bytes = encode_rows([line], self.separator)?;
        self.write(&bytes).await
    }

    async fn rows(&mut self, rows: &[Vec<Cell>]) -> Result<(), ExportError> {
        let section = self.section;
        let lines = rows.iter().map(|row| {
            section
                .map(std::borrow::Cow::Borrowed)
                .into_iter()
                .chain(row.iter().map(Cell::csv_text))
                .collect::<Vec<_>>()
        });
        let bytes = encode_rows(lines, self.separator)?;
        self.write(&bytes).await
    }
}

/// The sheet being written.
struct Sheet {
    index: usize,
    columns: u16,
    /// Data rows written (the header not counted).
    rows: u32,
    /// The widest value of each column so far, in characters.
    widths: Vec<usize>,
}

/// An Excel workbook, one sheet a table, times in a park's time zone.
pub struct XlsxSink<'a> {
    workbook: Workbook,
    /// The sheet's name when the table has no section.
    name: &'a str,
    timezone: &'a str,
    header: Format,
    integer: Format,
    time: Format,
    sheet: Option<Sheet>,
    /// Data rows a sheet may have: [`MAX_XLSX_ROWS`].
    max_rows: u32,
}

impl<'a> XlsxSink<'a> {
    /// A workbook whose one unsectioned sheet is called `name`, times shown in
    /// `timezone` (an IANA name; an unknown one counts as UTC).
    pub fn new(name: &'a str, timezone: &'a str) -> Self {
        XlsxSink {
            workbook: Workbook::new(),
            name,
            timezone,
            header: Format::new().set_bold(),
            integer: Format::new().set_num_format("0"),
            time: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
            sheet: None,
            max_rows: MAX_XLSX_ROWS,
        }
    }

    /// The filter over the sheet's rows, and widths that fit its values.
    fn finish_sheet(&mut self) -> Result<(), XlsxError> {
        let Some(sheet) = self.sheet.take() else {
            return Ok(());
        };
        let worksheet = self.workbook.worksheet_from_index(sheet.index)?;
        if sheet.columns > 0 {
            worksheet.autofilter(0, 0, sheet.rows, sheet.columns - 1)?;
        }
        for (column, width) in (0u16..).zip(&sheet.widths) {
            worksheet.set_column_width(column, (width.min(&MAX_WIDTH) + 2) as f64)?;
        }
        Ok(())
    }

    /// Compresses the workbook into `path` on a blocking thread; a file over
    /// `max_bytes` is removed and refused. Returns the file's size.
    pub async fn save(mut self, path: &Path, max_bytes: u64) -> Result<u64, ExportError> {
        self.finish_sheet()?;
        let mut workbook = self.workbook;
        let target = path.to_owned();
        tokio::task::spawn_blocking(move || workbook.save(target))
            .await
            .map_err(|e| ExportError::Io(std::io::Error::other(e)))??;
        let bytes = tokio::fs::metadata(path).await?.len();
        if bytes > max_bytes {
            tokio::fs::remove_file(path).await?;
            return Err(ExportError::TooLarge { limit: max_bytes });
        }
        Ok(bytes)
    }

    fn write_cell(&mut self, row: u32, column: u16, cell: &Cell) -> Result<usize, ExportError> {
        let index = self.sheet.as_ref().map_or(0, |s| s.index);
        let worksheet = self.workbook.worksheet_from_index(index)?;
        let width = match cell {
            Cell::Empty => 0,
            Cell::Text(text) => {
                let text = clip(text);
                worksheet.write_string(row, column, text)?;
                text.chars().count()
            }
            Cell::Int(n) if n.unsigned_abs() <= EXACT_INTEGER as u64 => {
                worksheet.write_number_with_format(row, column, *n as f64, &self.integer)?;
                n.to_string().len()
            }
            Cell::Int(n) => {
                let text = n.to_string();
                worksheet.write_string(row, column, &text)?;
                text.len()
            }
            Cell::Bool(b) => {
                worksheet.write_boolean(row, column, *b)?;
                5
            }
            Cell::Time(at) => {
                let local = to_local(*at, self.timezone);
                let seconds = local.unix_timestamp() + i64::from(local.offset().whole_seconds());
                let moment = ExcelDateTime::from_timestamp(seconds)?;
                worksheet.write_datetime_with_format(row, column, moment, &self.time)?;
                19
            }
        };
        Ok(width)
    }
}

/// At most [`MAX_CELL_CHARS`] characters of `text`.
fn clip(text: &str) -> &str {
    match text.char_indices().nth(MAX_CELL_CHARS) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

#[async_trait]
impl Sink for XlsxSink<'_> {
    async fn start(
        &mut self,
        section: Option<&'static str>,
        header: &[&'static str],
    ) -> Result<(), ExportError> {
        self.finish_sheet()?;
        let worksheet = self.workbook.add_worksheet_with_constant_memory()?;
        worksheet.set_name(section.unwrap_or(self.name))?;
        worksheet.set_freeze_panes(1, 0)?;
        for (column, title) in (0u16..).zip(header) {
            worksheet.write_string_with_format(0, column, *title, &self.header)?;
        }
        self.sheet = Some(Sheet {
            index: self.workbook.worksheets().len() - 1,
            columns: u16::try_from(header.len()).unwrap_or(u16::MAX),
            rows: 0,
            widths: header.iter().map(|h| h.chars().count()).collect(),
        });
        Ok(())
    }

    async fn rows(&mut self, rows: &[Vec<Cell>]) -> Result<(), ExportError> {
        for cells in rows {
            let row = self.sheet.as_ref().map_or(0, |s| s.rows) + 1;
            if row > self.max_rows {
                return Err(ExportError::TooManyRows {
                    limit: self.max_rows,
                });
            }
            let mut widths = Vec::with_capacity(cells.len());
            for (column, cell) in (0u16..).zip(cells) {
                widths.push(self.write_cell(row, column, cell)?);
            }
            if let Some(sheet) = self.sheet.as_mut() {
                sheet.rows = row;
                for (widest, width) in sheet.widths.iter_mut().zip(widths) {
                    *widest = (*widest).max(width);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_table_longer_than_a_sheet_is_refused() {
        let mut sink = XlsxSink::new("people", "UTC");
        sink.max_rows = 3;
        sink.start(None, &["id"]).await.unwrap();
        let rows: Vec<Vec<Cell>> = (1..=3).map(|n: i64| vec![n.into()]).collect();
        sink.rows(&rows).await.unwrap();
        let refused = sink.rows(&[vec![4i64.into()]]).await;
        assert!(
            matches!(refused, Err(ExportError::TooManyRows { limit: 3 })),
            "{refused:?}"
        );
    }

    #[test]
    fn cells_are_clipped_to_excels_limit_on_a_character_boundary() {
        let long = "я".repeat(MAX_CELL_CHARS + 5);
        assert_eq!(clip(&long).chars().count(), MAX_CELL_CHARS);
        assert_eq!(clip("short"), "short");
    }
}
