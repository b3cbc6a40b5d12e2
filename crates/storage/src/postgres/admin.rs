//! The admin port on PostgreSQL: the shared implementation (`crate::admin`) with
//! `timestamptz` times.

use super::{PostgresStorage, at, utc};
use crate::admin::impl_admin_store;

impl_admin_store!(PostgresStorage, time::OffsetDateTime, at, utc);
