//! The look-up port on PostgreSQL (the shared implementation, with times as
//! `timestamptz`).

use time::OffsetDateTime;

use super::access::stored;
use super::{PostgresStorage, utc};
use crate::sql::lookup::{OVERDUE_POSTGRES, VIEWS_BY_SLOT_POSTGRES};

crate::lookup::impl_lookup_store!(
    PostgresStorage,
    OffsetDateTime,
    stored,
    utc,
    VIEWS_BY_SLOT_POSTGRES,
    OVERDUE_POSTGRES
);
