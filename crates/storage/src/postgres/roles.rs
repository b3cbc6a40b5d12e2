//! The roles port on PostgreSQL (the shared implementation, with `timestamptz`
//! times).

use super::{PostgresStorage, at, utc};

crate::roles::impl_role_store!(PostgresStorage, time::OffsetDateTime, at, utc);
