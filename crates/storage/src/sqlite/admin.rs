//! The admin port on SQLite: the shared implementation (`crate::admin`) with
//! SQLite's microsecond times.

use super::{SqliteStorage, from_micros, micros};
use crate::admin::impl_admin_store;

impl_admin_store!(SqliteStorage, i64, micros, from_micros);
