//! The look-up port on SQLite (the shared implementation, with times as
//! microseconds).

use super::{SqliteStorage, from_micros};

crate::lookup::impl_lookup_store!(SqliteStorage, i64, from_micros);
