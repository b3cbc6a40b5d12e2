//! The one place where sqlx errors become [`StorageError`]s.
//!
//! `TimedOut` is for a pool that could not hand out a connection in time and an
//! I/O time-out: the database may be down or unreachable, which the circuit
//! breaker counts. `Unavailable` is for other trouble that may pass: the
//! connection, the pool, I/O, TLS,
//! locks and timeouts, and any database error we cannot classify. `Corrupt` is for
//! data or schema we cannot read: a value of the wrong type, a missing table or
//! column (a database that was not migrated, or was edited by hand). The message
//! keeps the driver's text for the log; people never see it.

use engine::ports::StorageError;

pub(crate) fn storage_error(error: sqlx::Error) -> StorageError {
    match &error {
        sqlx::Error::ColumnDecode { .. }
        | sqlx::Error::Decode(_)
        | sqlx::Error::ColumnNotFound(_)
        | sqlx::Error::ColumnIndexOutOfBounds { .. }
        | sqlx::Error::TypeNotFound { .. } => StorageError::Corrupt(error.to_string()),
        sqlx::Error::Database(db) if schema_mismatch(db.as_ref()) => {
            StorageError::Corrupt(error.to_string())
        }
        sqlx::Error::PoolTimedOut => StorageError::TimedOut(error.to_string()),
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            StorageError::TimedOut(error.to_string())
        }
        _ => StorageError::Unavailable(error.to_string()),
    }
}

/// The database says a table, column or type we use does not exist.
fn schema_mismatch(error: &dyn sqlx::error::DatabaseError) -> bool {
    // PostgreSQL: undefined_table, undefined_column, undefined_object,
    // undefined_function.
    const UNDEFINED: [&str; 4] = ["42P01", "42703", "42704", "42883"];
    if error
        .code()
        .is_some_and(|code| UNDEFINED.contains(&code.as_ref()))
    {
        return true;
    }
    // SQLite reports these as the generic SQLITE_ERROR; only the text tells.
    let message = error.message();
    message.starts_with("no such table") || message.starts_with("no such column")
}

/// A value that cannot be a valid record, found while reading a row.
pub(crate) fn corrupt(what: impl Into<String>) -> StorageError {
    StorageError::Corrupt(what.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_connection_in_time_is_a_time_out_and_a_refusal_is_not() {
        assert!(matches!(
            storage_error(sqlx::Error::PoolTimedOut),
            StorageError::TimedOut(_)
        ));
        let io = |kind| sqlx::Error::Io(std::io::Error::from(kind));
        assert!(matches!(
            storage_error(io(std::io::ErrorKind::TimedOut)),
            StorageError::TimedOut(_)
        ));
        assert!(matches!(
            storage_error(io(std::io::ErrorKind::ConnectionRefused)),
            StorageError::Unavailable(_)
        ));
        assert!(matches!(
            storage_error(sqlx::Error::ColumnNotFound("x".into())),
            StorageError::Corrupt(_)
        ));
    }
}
