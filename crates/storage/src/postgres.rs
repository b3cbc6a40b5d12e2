//! PostgreSQL as a [`Dialect`]: its migrations, its batch writes and the
//! statements whose text differs from SQLite's. Times are `timestamptz`.

use domain::ids::UserId;
use engine::ports::{Activity, StorageError};
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::postgres::{PgConnection, PgPool, Postgres};
use sqlx::{Executor, Transaction};
use time::OffsetDateTime;

use crate::error::storage_error;
use crate::sql::lookup::{OVERDUE_POSTGRES, VIEWS_BY_SLOT_POSTGRES};
use crate::stamp::Stamp;
use crate::store::Dialect;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// `PeopleStore::record_last_seen` in one statement: ids and times as two arrays.
const RECORD_LAST_SEEN: &str = "UPDATE users AS u SET last_seen = s.at \
     FROM UNNEST($1::BIGINT[], $2::TIMESTAMPTZ[]) AS s(id, at) \
     WHERE u.id = s.id AND u.last_seen < s.at";

/// The whole batch as four arrays in one statement: one round trip, atomic, and
/// the SQL text never depends on the batch size.
const INSERT_ACTIVITY: &str = "INSERT INTO activity (user_id, kind, subject, at) \
     SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::timestamptz[])";

/// Every recipient in one statement, whatever their number.
const INSERT_RECIPIENTS: &str = "INSERT INTO broadcast_recipients \
     (broadcast_id, user_id, updated_at) SELECT $1, u, $3 FROM UNNEST($2::bigint[]) AS u \
     ON CONFLICT DO NOTHING";

/// An answer, then what it does to the review of its question, in one statement.
/// The answer is inserted only while the attempt is open and only if its position
/// is free. `FOR SHARE` makes a concurrent `FINISH_ATTEMPT` and this statement wait
/// for each other, so no answer lands after the attempt is finished (the foreign
/// key's own lock does not conflict with an update of the result columns). The
/// review changes only for an inserted answer (`answered`), and the statement
/// returns a row per inserted answer: its row count says whether the answer was
/// new.
macro_rules! record_answer_then {
    ($review:literal) => {
        concat!(
            "WITH answered AS (INSERT INTO quiz_answers \
             (attempt_id, position, quiz_id, question_id, chosen, correct, points, answered_at, time_taken_ms) \
             SELECT id, $2, $3, $4, $5, $6, $7, $8, $9 FROM quiz_attempts \
             WHERE id = $1 AND finished_at IS NULL FOR SHARE \
             ON CONFLICT (attempt_id, position) DO NOTHING RETURNING attempt_id), \
             reviewed AS (",
            $review,
            ") SELECT attempt_id FROM answered"
        )
    };
}

impl Dialect for Postgres {
    const VIEWS_BY_SLOT: &'static str = VIEWS_BY_SLOT_POSTGRES;
    const OVERDUE: &'static str = OVERDUE_POSTGRES;

    const RECORD_ANSWER_SCHEDULING: &'static str = record_answer_then!(
        "INSERT INTO review_items (user_id, quiz_id, question_id, stage, due_at) \
         SELECT a.user_id, $3, $4, $10, $11 FROM answered JOIN quiz_attempts a ON a.id = answered.attempt_id \
         ON CONFLICT (user_id, quiz_id, question_id) DO UPDATE SET \
             stage = excluded.stage, due_at = excluded.due_at"
    );

    const RECORD_ANSWER_CLEARING: &'static str = record_answer_then!(
        "DELETE FROM review_items r USING answered JOIN quiz_attempts a ON a.id = answered.attempt_id \
         WHERE r.user_id = a.user_id AND r.quiz_id = $3 AND r.question_id = $4"
    );

    async fn migrate(pool: &PgPool) -> Result<(), MigrateError> {
        MIGRATOR.run(pool).await
    }

    fn on(pool: &PgPool) -> impl Executor<'_, Database = Postgres> {
        pool
    }

    fn in_tx(connection: &mut PgConnection) -> impl Executor<'_, Database = Postgres> {
        connection
    }

    async fn insert_activity(pool: &PgPool, batch: &[Activity]) -> Result<(), StorageError> {
        let users: Vec<i64> = batch.iter().map(|a| a.user.0).collect();
        let kinds: Vec<&str> = batch.iter().map(|a| a.kind.as_str()).collect();
        let subjects: Vec<Option<&str>> = batch.iter().map(|a| a.subject.as_deref()).collect();
        let times: Vec<OffsetDateTime> = batch.iter().map(|a| a.at).collect();
        sqlx::query(INSERT_ACTIVITY)
            .bind(users)
            .bind(kinds)
            .bind(subjects)
            .bind(times)
            .execute(pool)
            .await
            .map_err(storage_error)?;
        Ok(())
    }

    async fn update_last_seen(
        pool: &PgPool,
        seen: &[(UserId, OffsetDateTime)],
    ) -> Result<(), StorageError> {
        let users: Vec<i64> = seen.iter().map(|(user, _)| user.0).collect();
        let times: Vec<OffsetDateTime> = seen.iter().map(|(_, at)| *at).collect();
        sqlx::query(RECORD_LAST_SEEN)
            .bind(users)
            .bind(times)
            .execute(pool)
            .await
            .map_err(storage_error)?;
        Ok(())
    }

    async fn insert_recipients(
        tx: &mut Transaction<'_, Postgres>,
        id: i64,
        recipients: &[UserId],
        now: Stamp,
    ) -> Result<(), StorageError> {
        let ids: Vec<i64> = recipients.iter().map(|u| u.0).collect();
        sqlx::query(INSERT_RECIPIENTS)
            .bind(id)
            .bind(ids)
            .bind(now)
            .execute(&mut **tx)
            .await
            .map_err(storage_error)?;
        Ok(())
    }
}
