//! Excel export cells ([`engine::exports::XlsxSink`]).

use calamine::{Data, Reader};
use engine::exports::{Cell, Sink, XlsxSink};

/// A byte that ends a row in the fuzz input (ASCII record separator).
const ROW: char = '\u{1e}';
/// A byte that ends a cell in the fuzz input (ASCII unit separator).
const CELL: char = '\u{1f}';

/// The columns a row may have; more cells are dropped.
const HEADER: [&str; 8] = ["a", "b", "c", "d", "e", "f", "g", "h"];

/// Excel keeps at most this many characters in a cell.
const MAX_CELL_CHARS: usize = 32_767;

/// A fuzz cell as the export types it: an integer, a yes/no or text.
fn typed(cell: &str) -> Cell {
    match cell {
        "true" => Cell::Bool(true),
        "false" => Cell::Bool(false),
        _ => cell
            .parse::<i64>()
            .map_or_else(|_| Cell::Text(cell.to_owned()), Cell::Int),
    }
}

/// What a reader finds in a cell written as `cell`: text as written (clipped to
/// Excel's limit), an exact integer as a number and a larger one as text, a
/// yes/no as a boolean, and nothing for an empty text.
fn expected(cell: &Cell) -> Data {
    match cell {
        Cell::Text(text) if text.is_empty() => Data::Empty,
        Cell::Text(text) => Data::String(text.chars().take(MAX_CELL_CHARS).collect()),
        Cell::Int(n) if n.unsigned_abs() <= 1 << 53 => Data::Float(*n as f64),
        Cell::Int(n) => Data::String(n.to_string()),
        Cell::Bool(b) => Data::Bool(*b),
        Cell::Empty | Cell::Time(_) => Data::Empty,
    }
}

/// The input is rows of cells (rows end at 0x1E, cells at 0x1F), each typed as an
/// export would type it. The workbook is written without error, and read back by
/// an independent reader (calamine) every cell is the one written: text is never
/// taken for a formula or a number, and nothing is lost or added.
pub fn xlsx_cells(data: &[u8]) {
    let input = String::from_utf8_lossy(data);
    let rows: Vec<Vec<Cell>> = input
        .split(ROW)
        .map(|r| r.split(CELL).take(HEADER.len()).map(typed).collect())
        .collect();
    let dir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(e) => panic!("no temporary folder: {e}"),
    };
    let path = dir.path().join("cells.xlsx");
    let written = RUNTIME.with(|rt| {
        rt.block_on(async {
            let mut sink = XlsxSink::new("cells", "UTC");
            sink.start(None, &HEADER).await?;
            sink.rows(&rows).await?;
            sink.save(&path, u64::MAX).await
        })
    });
    if let Err(e) = written {
        panic!("the workbook was not written: {e}");
    }
    let mut workbook: calamine::Xlsx<_> = match calamine::open_workbook(&path) {
        Ok(workbook) => workbook,
        Err(e) => panic!("the workbook does not open: {e}"),
    };
    let range = match workbook.worksheet_range("cells") {
        Ok(range) => range,
        Err(e) => panic!("the sheet does not read: {e}"),
    };
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let got = range.get_value((r as u32 + 1, c as u32)).cloned();
            let got = got.unwrap_or(Data::Empty);
            assert_eq!(got, expected(cell), "row {r}, column {c}");
        }
    }
}

thread_local! {
    /// One runtime per thread: the sink saves on a blocking thread.
    static RUNTIME: tokio::runtime::Runtime = match tokio::runtime::Builder::new_current_thread()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("cannot start a runtime: {e}"),
    };
}
