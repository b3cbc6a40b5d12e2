//! The roles port on SQLite (the shared implementation, with times as
//! microseconds).

use super::{SqliteStorage, from_micros, micros};

crate::roles::impl_role_store!(SqliteStorage, i64, micros, from_micros);
