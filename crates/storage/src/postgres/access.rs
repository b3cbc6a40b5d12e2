//! The access port on PostgreSQL (the shared implementation, with times as
//! `timestamptz`).

use time::OffsetDateTime;

use super::{PostgresStorage, utc};

/// `timestamptz` binds an `OffsetDateTime` as it is.
pub(super) fn stored(at: OffsetDateTime) -> OffsetDateTime {
    at
}

crate::access::impl_access_store!(PostgresStorage, OffsetDateTime, stored, utc);
