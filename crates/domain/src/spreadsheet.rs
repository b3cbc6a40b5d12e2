//! CSV for people who open it in a spreadsheet (Excel, LibreOffice, Google Sheets).
//!
//! Two dangers are handled here, once, for every export:
//! - **Formula injection** (OWASP "CSV injection"): a cell that starts with `=`,
//!   `+`, `-`, `@`, a tab or a carriage return may be run as a formula when the file
//!   is opened, and a name is typed by whoever uses the bot. [`neutralise`] puts an
//!   apostrophe in front of such a cell, which spreadsheets show as text.
//! - **Encoding**: Excel reads a CSV without a byte-order mark as the local code
//!   page and garbles Cyrillic; every file starts with [`BOM`].
//!
//! Quoting (separators, quotes, line breaks inside cells) is the `csv` crate's, by
//! RFC 4180. Rows are encoded a page at a time, so an export never holds more than
//! one page in memory. The separator is a comma, or a semicolon for Excel in
//! locales whose decimal mark is a comma (Russian among them), which splits a
//! comma-separated file only at semicolons.

use std::borrow::Cow;

/// The UTF-8 byte-order mark that makes Excel read the file as UTF-8.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The characters that make a spreadsheet treat a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The cell as a spreadsheet will show it as text: with a leading apostrophe if it
/// would start a formula, unchanged otherwise. Applied to every cell, numbers
/// included: a negative number becomes text, which is the price of one rule for
/// every column.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A CSV encoding failure (only possible with a broken writer; kept as a value so
/// nothing panics).
#[derive(Debug, thiserror::Error)]
#[error("cannot encode CSV: {0}")]
pub struct CsvError(String);

/// What separates the cells of a row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Separator {
    #[default]
    Comma,
    Semicolon,
}

impl Separator {
    pub fn byte(self) -> u8 {
        match self {
            Separator::Comma => b',',
            Separator::Semicolon => b';',
        }
    }
}

/// Encodes rows as CSV lines (`\r\n` line ends, quoted where needed), every cell
/// neutralised.
pub fn encode_rows<R, C>(rows: R, separator: Separator) -> Result<Vec<u8>, CsvError>
where
    R: IntoIterator<Item = C>,
    C: IntoIterator,
    C::Item: AsRef<str>,
{
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .delimiter(separator.byte())
        .flexible(true)
        .from_writer(Vec::new());
    for row in rows {
        let cells: Vec<String> = row
            .into_iter()
            .map(|c| neutralise(c.as_ref()).into_owned())
            .collect();
        writer
            .write_record(&cells)
            .map_err(|e| CsvError(e.to_string()))?;
    }
    writer.into_inner().map_err(|e| CsvError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(bytes: &[u8]) -> Vec<Vec<String>> {
        parse_with(bytes, Separator::Comma)
    }

    fn parse_with(bytes: &[u8], separator: Separator) -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(separator.byte())
            .flexible(true)
            .from_reader(bytes)
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    }

    #[test]
    fn formula_starts_get_an_apostrophe() {
        for (raw, shown) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+1", "'+1"),
            ("-2", "'-2"),
            ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
            ("\tTab", "'\tTab"),
            ("\rcr", "'\rcr"),
            ("Анна", "Анна"),
            ("a=b", "a=b"),
            ("", ""),
            (" =x", " =x"),
            ("'=x", "'=x"),
        ] {
            assert_eq!(neutralise(raw), shown, "{raw:?}");
        }
    }

    #[test]
    fn quoting_by_the_book() {
        let bytes = encode_rows(
            [vec!["a,b", "say \"hi\"", "two\nlines", "=1+1"]],
            Separator::Comma,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",'=1+1\r\n"
        );
        assert_eq!(
            parse(&bytes),
            [["a,b", "say \"hi\"", "two\nlines", "'=1+1"]]
        );
    }

    #[test]
    fn semicolons_separate_and_are_quoted_inside_cells() {
        let bytes = encode_rows([vec!["a,b", "c;d", "1,5"]], Separator::Semicolon).unwrap();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            "a,b;\"c;d\";1,5\r\n"
        );
        assert_eq!(
            parse_with(&bytes, Separator::Semicolon),
            [["a,b", "c;d", "1,5"]]
        );
    }

    proptest! {
        /// Any cell reads back as itself, with one apostrophe in front when it
        /// would start a formula; no cell read back starts a formula.
        #[test]
        fn cells_round_trip_and_never_start_a_formula(
            rows in prop::collection::vec(prop::collection::vec(any::<String>(), 1..5), 1..5),
            semicolon in any::<bool>(),
        ) {
            let separator = if semicolon { Separator::Semicolon } else { Separator::Comma };
            let bytes = encode_rows(&rows, separator).unwrap();
            let back = parse_with(&bytes, separator);
            prop_assert_eq!(back.len(), rows.len());
            for (row, read) in rows.iter().zip(&back) {
                prop_assert_eq!(row.len(), read.len());
                for (cell, got) in row.iter().zip(read) {
                    prop_assert!(!got.starts_with(FORMULA_STARTS), "{:?}", got);
                    let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
                    let expected = if formula { format!("'{cell}") } else { cell.clone() };
                    prop_assert_eq!(got, &expected);
                }
            }
        }
    }
}
