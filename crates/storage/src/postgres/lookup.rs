//! The look-up port on PostgreSQL (the shared implementation, with times as
//! `timestamptz`).

use super::{PostgresStorage, utc};

crate::lookup::impl_lookup_store!(PostgresStorage, time::OffsetDateTime, utc);
