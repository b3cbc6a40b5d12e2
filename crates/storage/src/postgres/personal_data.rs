//! The personal-data port on PostgreSQL: the shared implementation
//! (`crate::personal_data`) with `timestamptz` times.

use super::{PostgresStorage, at, utc};
use crate::personal_data::impl_personal_data_store;

impl_personal_data_store!(PostgresStorage, time::OffsetDateTime, at, utc);
