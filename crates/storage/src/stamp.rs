//! [`Stamp`]: a time as either backend keeps it, so that a port is written once.
//!
//! PostgreSQL stores `timestamptz`; SQLite stores INTEGER microseconds since the
//! Unix epoch, UTC. They compare and sort as numbers, index compactly and keep
//! the precision PostgreSQL keeps. sqlx's own `OffsetDateTime` text encoding is
//! not used on SQLite, because text with a varying number of fraction digits
//! does not sort as time. Both keep whole microseconds, so a time reads back
//! identically on either backend (nanoseconds are truncated).

use engine::ports::StorageError;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef, Postgres};
use sqlx::sqlite::{Sqlite, SqliteArgumentsBuffer, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Type};
use time::{OffsetDateTime, UtcOffset};

use crate::error::corrupt;

/// A time bound to or read from a statement, in UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Stamp(pub OffsetDateTime);

/// The stored form on SQLite: whole microseconds since the epoch, truncated like
/// PostgreSQL's driver does. Every `OffsetDateTime` (years ±9999) fits in an `i64`.
pub(crate) fn micros(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1_000) as i64
}

/// The time SQLite's stored microseconds stand for, or why they stand for none.
pub(crate) fn from_micros(micros: i64) -> Result<OffsetDateTime, StorageError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000)
        .map_err(|e| corrupt(format!("stored time {micros} µs is out of range: {e}")))
}

impl Type<Sqlite> for Stamp {
    fn type_info() -> SqliteTypeInfo {
        <i64 as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <i64 as Type<Sqlite>>::compatible(ty)
    }
}

impl Encode<'_, Sqlite> for Stamp {
    fn encode_by_ref(&self, buf: &mut SqliteArgumentsBuffer) -> Result<IsNull, BoxDynError> {
        Encode::<Sqlite>::encode(micros(self.0), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for Stamp {
    fn decode(value: SqliteValueRef<'r>) -> Result<Stamp, BoxDynError> {
        let stored = <i64 as Decode<Sqlite>>::decode(value)?;
        Ok(Stamp(from_micros(stored).map_err(|e| e.to_string())?))
    }
}

impl Type<Postgres> for Stamp {
    fn type_info() -> PgTypeInfo {
        <OffsetDateTime as Type<Postgres>>::type_info()
    }
}

impl Encode<'_, Postgres> for Stamp {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        Encode::<Postgres>::encode(self.0, buf)
    }
}

impl<'r> Decode<'r, Postgres> for Stamp {
    fn decode(value: PgValueRef<'r>) -> Result<Stamp, BoxDynError> {
        let at = <OffsetDateTime as Decode<Postgres>>::decode(value)?;
        Ok(Stamp(at.to_offset(UtcOffset::UTC)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_keep_microseconds_and_order() {
        let at = time::macros::datetime!(2026-11-28 09:59:59.999_999_999 UTC);
        let stored = micros(at);
        let back = from_micros(stored).unwrap();
        assert_eq!(
            back,
            time::macros::datetime!(2026-11-28 09:59:59.999_999 UTC)
        );
        assert_eq!(back.offset(), time::UtcOffset::UTC);
        let later = time::macros::datetime!(2026-11-28 10:00:00.000_001 +03:00);
        assert!(micros(later) < stored, "+03:00 10:00 is 07:00 UTC");
        assert!(micros(time::macros::datetime!(2026-11-28 10:00:00 UTC)) > stored);
        assert!(from_micros(i64::MAX).is_err());
    }
}
