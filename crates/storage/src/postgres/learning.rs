//! The learning port on PostgreSQL.

use async_trait::async_trait;
use domain::ids::UserId;
use engine::ports::{
    ActivityKind, AnswerRecord, Attempt, AttemptKind, AttemptResult, Certificate, Learner,
    LearningStore, NewAttempt, ProfileField, ReviewChange, ReviewItem, StaffProfile, StorageError,
};
use time::OffsetDateTime;

use super::{PostgresStorage, utc};
use crate::error::storage_error;
use crate::records::learning::{
    AnswerRow, AttemptRow, CertificateRow, LearnerRow, ProfileRow, ReviewRow,
    attempts_with_answers, encode_chosen, encode_questions, encode_quizzes,
};
use crate::sql::learning as sql;

/// An answer, then what it does to the review of its question, in one statement.
/// The answer is inserted only while the attempt is open and only if its position
/// is free. `FOR SHARE` makes a concurrent `FINISH_ATTEMPT` and this statement wait
/// for each other, so no answer lands after the attempt is finished (the foreign
/// key's own lock does not conflict with an update of the result columns). The
/// review changes only for an inserted answer (`answered`); the count of those is
/// the result.
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
            ") SELECT count(*) FROM answered"
        )
    };
}

const RECORD_ANSWER_SCHEDULING: &str = record_answer_then!(
    "INSERT INTO review_items (user_id, quiz_id, question_id, stage, due_at) \
     SELECT a.user_id, $3, $4, $10, $11 FROM answered JOIN quiz_attempts a ON a.id = answered.attempt_id \
     ON CONFLICT (user_id, quiz_id, question_id) DO UPDATE SET \
         stage = excluded.stage, due_at = excluded.due_at"
);

const RECORD_ANSWER_CLEARING: &str = record_answer_then!(
    "DELETE FROM review_items r USING answered JOIN quiz_attempts a ON a.id = answered.attempt_id \
     WHERE r.user_id = a.user_id AND r.quiz_id = $3 AND r.question_id = $4"
);

impl PostgresStorage {
    async fn answers(&self, attempt: i64) -> Result<Vec<AnswerRow<OffsetDateTime>>, StorageError> {
        sqlx::query_as(sql::ATTEMPT_ANSWERS)
            .bind(attempt)
            .fetch_all(&self.pool)
            .await
            .map_err(storage_error)
    }

    async fn with_answers(
        &self,
        row: Option<AttemptRow<OffsetDateTime>>,
    ) -> Result<Option<Attempt>, StorageError> {
        let Some(row) = row else { return Ok(None) };
        let answers = self.answers(row.id).await?;
        Ok(attempts_with_answers(vec![row], answers, utc)?.pop())
    }
}

#[async_trait]
impl LearningStore for PostgresStorage {
    async fn staff_profile(&self, user: UserId) -> Result<StaffProfile, StorageError> {
        let row: Option<ProfileRow> = sqlx::query_as(sql::STAFF_PROFILE)
            .bind(user.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(storage_error)?;
        Ok(row.map(StaffProfile::from).unwrap_or_default())
    }

    async fn set_profile_field(
        &self,
        user: UserId,
        field: ProfileField,
    ) -> Result<(), StorageError> {
        let (statement, value) = match field {
            ProfileField::Park(v) => (sql::SET_PARK, v),
            ProfileField::ChosenPark(v) => (sql::SET_CHOSEN_PARK, v),
            ProfileField::Department(v) => (sql::SET_DEPARTMENT, v),
            ProfileField::Position(v) => (sql::SET_POSITION, v),
        };
        sqlx::query(statement)
            .bind(user.0)
            .bind(value)
            .execute(&self.pool)
            .await
            .map_err(storage_error)?;
        Ok(())
    }

    async fn mark_onboarded(&self, user: UserId) -> Result<(), StorageError> {
        sqlx::query(sql::MARK_ONBOARDED)
            .bind(user.0)
            .execute(&self.pool)
            .await
            .map_err(storage_error)?;
        Ok(())
    }

    async fn pages_read(&self, user: UserId) -> Result<Vec<String>, StorageError> {
        let mut pages: Vec<String> = sqlx::query_scalar(sql::PAGES_READ)
            .bind(user.0)
            .bind(ActivityKind::PageView.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(storage_error)?;
        pages.sort_unstable();
        Ok(pages)
    }

    async fn start_attempt(&self, attempt: &NewAttempt) -> Result<i64, StorageError> {
        sqlx::query_scalar(sql::START_ATTEMPT)
            .bind(attempt.user.0)
            .bind(attempt.kind.as_str())
            .bind(&attempt.quiz_id)
            .bind(encode_questions(&attempt.questions))
            .bind(attempt.started_at)
            .bind(attempt.deadline)
            .fetch_one(&self.pool)
            .await
            .map_err(storage_error)
    }

    async fn attempt(&self, id: i64) -> Result<Option<Attempt>, StorageError> {
        let row = sqlx::query_as(sql::ATTEMPT)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(storage_error)?;
        self.with_answers(row).await
    }

    async fn open_attempt(&self, user: UserId) -> Result<Option<Attempt>, StorageError> {
        let row = sqlx::query_as(sql::OPEN_ATTEMPT)
            .bind(user.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(storage_error)?;
        self.with_answers(row).await
    }

    async fn record_answer(
        &self,
        attempt: i64,
        answer: &AnswerRecord,
        review: ReviewChange,
    ) -> Result<bool, StorageError> {
        let sql = match review {
            ReviewChange::Schedule { .. } => RECORD_ANSWER_SCHEDULING,
            ReviewChange::Clear => RECORD_ANSWER_CLEARING,
        };
        let query = sqlx::query_scalar(sql)
            .bind(attempt)
            .bind(i32::from(answer.position))
            .bind(&answer.quiz_id)
            .bind(&answer.question_id)
            .bind(encode_chosen(&answer.chosen))
            .bind(answer.correct)
            .bind(i64::from(answer.points))
            .bind(answer.answered_at)
            .bind(answer.time_taken_ms);
        let query = match review {
            ReviewChange::Schedule { stage, due_at } => query.bind(i32::from(stage)).bind(due_at),
            ReviewChange::Clear => query,
        };
        let answered: i64 = query.fetch_one(&self.pool).await.map_err(storage_error)?;
        Ok(answered == 1)
    }

    async fn finish_attempt(
        &self,
        attempt: i64,
        result: &AttemptResult,
    ) -> Result<bool, StorageError> {
        let done = sqlx::query(sql::FINISH_ATTEMPT)
            .bind(attempt)
            .bind(result.finished_at)
            .bind(i64::from(result.score))
            .bind(i64::from(result.max_score))
            .bind(result.passed)
            .execute(&self.pool)
            .await
            .map_err(storage_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn quiz_attempts(
        &self,
        user: UserId,
        quiz_id: &str,
    ) -> Result<Vec<Attempt>, StorageError> {
        // Two reads without a transaction: an answer recorded in between is simply
        // included, and answers of an attempt started in between are left out.
        let attempts: Vec<AttemptRow<OffsetDateTime>> = sqlx::query_as(sql::QUIZ_ATTEMPTS)
            .bind(user.0)
            .bind(quiz_id)
            .bind(AttemptKind::Quiz.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(storage_error)?;
        let answers: Vec<AnswerRow<OffsetDateTime>> = sqlx::query_as(sql::QUIZ_ATTEMPTS_ANSWERS)
            .bind(user.0)
            .bind(quiz_id)
            .bind(AttemptKind::Quiz.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(storage_error)?;
        attempts_with_answers(attempts, answers, utc)
    }

    async fn passed_quizzes(&self, user: UserId) -> Result<Vec<String>, StorageError> {
        sqlx::query_scalar(sql::PASSED_QUIZZES)
            .bind(user.0)
            .bind(AttemptKind::Quiz.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(storage_error)
    }

    async fn schedule_review(&self, user: UserId, item: &ReviewItem) -> Result<(), StorageError> {
        sqlx::query(sql::SCHEDULE_REVIEW)
            .bind(user.0)
            .bind(&item.quiz_id)
            .bind(&item.question_id)
            .bind(i32::from(item.stage))
            .bind(item.due_at)
            .execute(&self.pool)
            .await
            .map_err(storage_error)?;
        Ok(())
    }

    async fn reviews(&self, user: UserId) -> Result<Vec<ReviewItem>, StorageError> {
        sqlx::query_as::<_, ReviewRow<OffsetDateTime>>(sql::REVIEWS)
            .bind(user.0)
            .fetch_all(&self.pool)
            .await
            .map_err(storage_error)?
            .into_iter()
            .map(|row| row.into_review(utc))
            .collect()
    }

    async fn learners(&self) -> Result<Vec<Learner>, StorageError> {
        sqlx::query_as::<_, LearnerRow<OffsetDateTime>>(sql::LEARNERS)
            .fetch_all(&self.pool)
            .await
            .map_err(storage_error)?
            .into_iter()
            .map(|row| row.into_learner(utc))
            .collect()
    }

    async fn mark_reminded(&self, user: UserId, at: OffsetDateTime) -> Result<(), StorageError> {
        sqlx::query(sql::MARK_REMINDED)
            .bind(user.0)
            .bind(at)
            .execute(&self.pool)
            .await
            .map_err(storage_error)?;
        Ok(())
    }

    async fn save_certificate(&self, certificate: &Certificate) -> Result<(), StorageError> {
        sqlx::query(sql::SAVE_CERTIFICATE)
            .bind(&certificate.code)
            .bind(certificate.user.0)
            .bind(&certificate.department)
            .bind(&certificate.full_name)
            .bind(&certificate.park)
            .bind(certificate.issued_at)
            .bind(encode_quizzes(&certificate.quizzes))
            .execute(&self.pool)
            .await
            .map_err(storage_error)?;
        Ok(())
    }

    async fn certificate(&self, code: &str) -> Result<Option<Certificate>, StorageError> {
        sqlx::query_as::<_, CertificateRow<OffsetDateTime>>(sql::CERTIFICATE)
            .bind(code)
            .fetch_optional(&self.pool)
            .await
            .map_err(storage_error)?
            .map(|row| row.into_certificate(utc))
            .transpose()
    }

    async fn certificate_for(
        &self,
        user: UserId,
        department: &str,
    ) -> Result<Option<Certificate>, StorageError> {
        sqlx::query_as::<_, CertificateRow<OffsetDateTime>>(sql::CERTIFICATE_FOR)
            .bind(user.0)
            .bind(department)
            .fetch_optional(&self.pool)
            .await
            .map_err(storage_error)?
            .map(|row| row.into_certificate(utc))
            .transpose()
    }
}
