//! CSV export cells ([`domain::spreadsheet`]).

use domain::spreadsheet::{BOM, Separator, encode_rows};

/// A byte that ends a row in the fuzz input (ASCII record separator).
const ROW: char = '\u{1e}';
/// A byte that ends a cell in the fuzz input (ASCII unit separator).
const CELL: char = '\u{1f}';

/// What a spreadsheet may run as a formula when a cell starts with it (OWASP's
/// list, which the writer promises to neutralise).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The input is rows of cells (rows end at 0x1E, cells at 0x1F). Encoding never
/// fails; read back by a CSV reader, the file has the same rows and cells; no cell
/// read back starts a formula; and each cell is the one written, with one
/// apostrophe in front exactly when it would have started a formula. The file is
/// read back as an export writes it: [`BOM`] first. The first byte's lowest bit
/// picks the separator: a comma or a semicolon.
pub fn csv_cells(data: &[u8]) {
    let Some((&first, data)) = data.split_first() else {
        return;
    };
    let separator = if first & 1 == 0 {
        Separator::Comma
    } else {
        Separator::Semicolon
    };
    let input = String::from_utf8_lossy(data);
    let rows: Vec<Vec<&str>> = input.split(ROW).map(|r| r.split(CELL).collect()).collect();
    let encoded = match encode_rows(&rows, separator) {
        Ok(bytes) => bytes,
        Err(e) => panic!("encoding failed: {e}"),
    };
    assert!(
        encoded.is_empty() || encoded.ends_with(b"\r\n"),
        "every line ends with CRLF"
    );
    // An export file is the byte-order mark, then the rows (engine::exports); a
    // reader drops that mark, so a first cell that itself starts with U+FEFF keeps it.
    let bytes = [BOM, encoded.as_slice()].concat();
    let back: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(separator.byte())
        .flexible(true)
        .from_reader(bytes.as_slice())
        .records()
        .map(|r| match r {
            Ok(record) => record.iter().map(str::to_owned).collect(),
            Err(e) => panic!("the file does not read back: {e}"),
        })
        .collect();
    assert_eq!(back.len(), rows.len(), "rows lost or added: {bytes:?}");
    for (row, read) in rows.iter().zip(&back) {
        assert_eq!(read.len(), row.len(), "cells lost or added: {bytes:?}");
        for (cell, got) in row.iter().zip(read) {
            assert!(
                !got.starts_with(FORMULA_STARTS),
                "{got:?} reads back as a formula"
            );
            let expected = if cell.starts_with(FORMULA_STARTS) {
                format!("'{cell}")
            } else {
                (*cell).to_owned()
            };
            assert_eq!(got, &expected);
        }
    }
}
