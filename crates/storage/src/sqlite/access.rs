//! The access port on SQLite (the shared implementation, with times as
//! microseconds).

use super::{SqliteStorage, from_micros, micros};

crate::access::impl_access_store!(SqliteStorage, i64, micros, from_micros);
