//! One value of an export, typed, so a workbook shows a number as a number and a
//! time as a date, while CSV spells every value out as text.

use std::borrow::Cow;

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// A value in an export row.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Int(i64),
    Bool(bool),
    /// A moment: UTC ISO-8601 in CSV, a local date and time in a workbook.
    Time(OffsetDateTime),
}

impl Cell {
    /// The cell as CSV text (before formula neutralising).
    pub fn csv_text(&self) -> Cow<'_, str> {
        match self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Text(text) => Cow::Borrowed(text),
            Cell::Int(n) => Cow::Owned(n.to_string()),
            Cell::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Cell::Time(at) => Cow::Owned(utc(*at)),
        }
    }
}

/// A time as UTC ISO-8601.
pub(crate) fn utc(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell::Text(text)
    }
}

impl From<&String> for Cell {
    fn from(text: &String) -> Cell {
        Cell::Text(text.clone())
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::Text(text.to_owned())
    }
}

/// Integers of any width the ports use are one kind of cell.
macro_rules! integer_cells {
    ($($int:ty),*) => {$(
        impl From<$int> for Cell {
            fn from(n: $int) -> Cell {
                Cell::Int(n.into())
            }
        }
    )*};
}

integer_cells!(i64, u32, u16, u8);

impl From<bool> for Cell {
    fn from(b: bool) -> Cell {
        Cell::Bool(b)
    }
}

impl From<OffsetDateTime> for Cell {
    fn from(at: OffsetDateTime) -> Cell {
        Cell::Time(at)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(value: Option<T>) -> Cell {
        value.map_or(Cell::Empty, Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn csv_spells_every_value_out() {
        let cases: [(Cell, &str); 7] = [
            (Cell::Empty, ""),
            ("Анна".into(), "Анна"),
            ((-42i64).into(), "-42"),
            (true.into(), "true"),
            (false.into(), "false"),
            (None::<u32>.into(), ""),
            (
                datetime!(2026-11-28 12:15:30.123_456 +03:00).into(),
                "2026-11-28T09:15:30.123456Z",
            ),
        ];
        for (cell, text) in cases {
            assert_eq!(cell.csv_text(), text, "{cell:?}");
        }
    }
}
