//! SQLite as a [`Dialect`]: its migrations, its batch writes and the statements
//! whose text differs from PostgreSQL's. Times are INTEGER microseconds
//! ([`crate::stamp`]).

use domain::ids::UserId;
use engine::ports::{Activity, StorageError};
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::sqlite::{Sqlite, SqliteConnection, SqlitePool};
use sqlx::{Executor, Pool, QueryBuilder, Transaction};
use time::OffsetDateTime;

use crate::error::storage_error;
use crate::sql::lookup::{OVERDUE_SQLITE, VIEWS_BY_SLOT_SQLITE};
use crate::stamp::Stamp;
use crate::store::Dialect;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// Rows per statement of a batch write. sqlx runs SQLite on a worker thread of
/// its own, so every statement is a hand-off to that thread and back: a batch
/// goes in a few multi-row statements, not a statement per row (ADR 0038).
/// 250 rows of four values stay far below SQLite's limit of 32766 parameters.
///
/// Such a statement's text depends on its number of rows, so it is prepared for
/// the one call and not kept (`persistent(false)`): sqlx keeps up to 100
/// prepared statements per connection, and a soak filled them with batches of
/// every size, each compiled statement tens of kilobytes, 5 MiB in all
/// (a heap profile, docs/benchmarks.md, session 15). A batch is written about
/// once a second, so preparing it each time costs nothing measurable.
const ROWS_PER_STATEMENT: usize = 250;

const INSERT_RECIPIENT: &str = "INSERT INTO broadcast_recipients \
     (broadcast_id, user_id, updated_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";

/// An answer, then what it does to the review of its question. The answer is one
/// statement, so SQLite runs it atomically: it is inserted only while the attempt
/// is open and only if its position is free. The review statement runs in the same
/// call (one trip to the connection's thread) and changes a row only if the answer
/// was inserted (`changes() = 1`: the rows of the statement before it). So the
/// call changed rows if and only if the answer was new.
macro_rules! record_answer_then {
    ($review:literal) => {
        concat!(
            "INSERT INTO quiz_answers \
             (attempt_id, position, quiz_id, question_id, chosen, correct, points, answered_at, time_taken_ms) \
             SELECT id, $2, $3, $4, $5, $6, $7, $8, $9 FROM quiz_attempts \
             WHERE id = $1 AND finished_at IS NULL \
             ON CONFLICT (attempt_id, position) DO NOTHING; ",
            $review
        )
    };
}

impl Dialect for Sqlite {
    const VIEWS_BY_SLOT: &'static str = VIEWS_BY_SLOT_SQLITE;
    const OVERDUE: &'static str = OVERDUE_SQLITE;

    const RECORD_ANSWER_SCHEDULING: &'static str = record_answer_then!(
        "INSERT INTO review_items (user_id, quiz_id, question_id, stage, due_at) \
         SELECT user_id, $3, $4, $10, $11 FROM quiz_attempts WHERE id = $1 AND changes() = 1 \
         ON CONFLICT (user_id, quiz_id, question_id) DO UPDATE SET \
             stage = excluded.stage, due_at = excluded.due_at"
    );

    const RECORD_ANSWER_CLEARING: &'static str = record_answer_then!(
        "DELETE FROM review_items WHERE changes() = 1 \
         AND user_id = (SELECT user_id FROM quiz_attempts WHERE id = $1) \
         AND quiz_id = $3 AND question_id = $4"
    );

    async fn migrate(pool: &SqlitePool) -> Result<(), MigrateError> {
        MIGRATOR.run(pool).await
    }

    fn on(pool: &SqlitePool) -> impl Executor<'_, Database = Sqlite> {
        pool
    }

    fn in_tx(connection: &mut SqliteConnection) -> impl Executor<'_, Database = Sqlite> {
        connection
    }

    async fn insert_activity(pool: &SqlitePool, batch: &[Activity]) -> Result<(), StorageError> {
        let mut tx = pool.begin().await.map_err(storage_error)?;
        for rows in batch.chunks(ROWS_PER_STATEMENT) {
            QueryBuilder::<Sqlite>::new("INSERT INTO activity (user_id, kind, subject, at) ")
                .push_values(rows, |mut row, activity| {
                    row.push_bind(activity.user.0)
                        .push_bind(activity.kind.as_str())
                        .push_bind(activity.subject.as_deref())
                        .push_bind(Stamp(activity.at));
                })
                .build()
                .persistent(false)
                .execute(&mut *tx)
                .await
                .map_err(storage_error)?;
        }
        tx.commit().await.map_err(storage_error)
    }

    async fn update_last_seen(
        pool: &Pool<Sqlite>,
        seen: &[(UserId, OffsetDateTime)],
    ) -> Result<(), StorageError> {
        let mut tx = pool.begin().await.map_err(storage_error)?;
        for rows in seen.chunks(ROWS_PER_STATEMENT) {
            let mut query =
                QueryBuilder::<Sqlite>::new("UPDATE users SET last_seen = seen.column2 FROM (");
            query
                .push_values(rows, |mut row, (user, at)| {
                    row.push_bind(user.0).push_bind(Stamp(*at));
                })
                .push(") AS seen WHERE users.id = seen.column1 AND users.last_seen < seen.column2")
                .build()
                .persistent(false)
                .execute(&mut *tx)
                .await
                .map_err(storage_error)?;
        }
        tx.commit().await.map_err(storage_error)
    }

    /// One prepared statement in a loop: SQLite is in-process, so this is as fast as
    /// a multi-row insert without building SQL text.
    async fn insert_recipients(
        tx: &mut Transaction<'_, Sqlite>,
        id: i64,
        recipients: &[UserId],
        now: Stamp,
    ) -> Result<(), StorageError> {
        for user in recipients {
            sqlx::query(INSERT_RECIPIENT)
                .bind(id)
                .bind(user.0)
                .bind(now)
                .execute(&mut **tx)
                .await
                .map_err(storage_error)?;
        }
        Ok(())
    }
}
