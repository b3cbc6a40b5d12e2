//! The personal-data port on SQLite: the shared implementation
//! (`crate::personal_data`) with SQLite's microsecond times.

use super::{SqliteStorage, from_micros, micros};
use crate::personal_data::impl_personal_data_store;

impl_personal_data_store!(SqliteStorage, i64, micros, from_micros);
