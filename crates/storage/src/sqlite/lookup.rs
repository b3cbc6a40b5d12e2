//! The look-up port on SQLite (the shared implementation, with times as
//! microseconds).

use super::{SqliteStorage, from_micros, micros};
use crate::sql::lookup::{OVERDUE_SQLITE, VIEWS_BY_SLOT_SQLITE};

crate::lookup::impl_lookup_store!(
    SqliteStorage,
    i64,
    micros,
    from_micros,
    VIEWS_BY_SLOT_SQLITE,
    OVERDUE_SQLITE
);
