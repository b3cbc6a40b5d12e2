//! The content port on PostgreSQL (the shared implementation, with times as
//! `timestamptz`).

use time::OffsetDateTime;

use super::access::stored;
use super::{PostgresStorage, utc};

crate::content::impl_content_store!(PostgresStorage, OffsetDateTime, stored, utc);
