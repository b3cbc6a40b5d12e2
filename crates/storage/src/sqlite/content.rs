//! The content port on SQLite (the shared implementation, with times as
//! microseconds).

use super::{SqliteStorage, from_micros, micros};

crate::content::impl_content_store!(SqliteStorage, i64, micros, from_micros);
