//! The learning port ([`engine::ports::LearningStore`]), written once for both
//! backends; SQL in `sql/learning.rs`, rows in `records/learning.rs`. The one
//! statement whose dialects differ, recording an answer with its review, is the
//! backend's (`Dialect::DB::RECORD_ANSWER_SCHEDULING` and `…_CLEARING`).

use domain::ids::UserId;
use engine::ports::{
    ActivityKind, AnswerRecord, Attempt, AttemptKind, AttemptResult, Certificate, Learner,
    LearningStore, NewAttempt, ProfileField, ReviewChange, ReviewItem, StaffProfile, StorageError,
};
use time::OffsetDateTime;

use crate::error::storage_error;
use crate::records::learning::{
    AnswerRow, AttemptRow, CertificateRow, LearnerRow, ProfileRow, ReviewRow,
    attempts_with_answers, encode_chosen, encode_questions, encode_quizzes,
};
use crate::sql::learning as sql;
use crate::stamp::Stamp;
use crate::store::{RowsAffected, on_every_backend};

on_every_backend! {
    impl Store {
        async fn answers(&self, attempt: i64) -> Result<Vec<AnswerRow>, StorageError> {
            sqlx::query_as(sql::ATTEMPT_ANSWERS)
                .bind(attempt)
                .fetch_all(DB::on(&self.pool))
                .await
                .map_err(storage_error)
        }

        async fn with_answers(
            &self,
            row: Option<AttemptRow>,
        ) -> Result<Option<Attempt>, StorageError> {
            let Some(row) = row else { return Ok(None) };
            let answers = self.answers(row.id).await?;
            Ok(attempts_with_answers(vec![row], answers)?.pop())
        }
    }
}

on_every_backend! {
    impl LearningStore {
        async fn staff_profile(&self, user: UserId) -> Result<StaffProfile, StorageError> {
            let row: Option<ProfileRow> = sqlx::query_as(sql::STAFF_PROFILE)
                .bind(user.0)
                .fetch_optional(DB::on(&self.pool))
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
                .execute(DB::on(&self.pool))
                .await
                .map_err(storage_error)?;
            Ok(())
        }

        async fn mark_onboarded(&self, user: UserId) -> Result<(), StorageError> {
            sqlx::query(sql::MARK_ONBOARDED)
                .bind(user.0)
                .execute(DB::on(&self.pool))
                .await
                .map_err(storage_error)?;
            Ok(())
        }

        async fn pages_read(&self, user: UserId) -> Result<Vec<String>, StorageError> {
            let mut pages: Vec<String> = sqlx::query_scalar(sql::PAGES_READ)
                .bind(user.0)
                .bind(ActivityKind::PageView.as_str())
                .fetch_all(DB::on(&self.pool))
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
                .bind(Stamp(attempt.started_at))
                .bind(attempt.deadline.map(Stamp))
                .fetch_one(DB::on(&self.pool))
                .await
                .map_err(storage_error)
        }

        async fn attempt(&self, id: i64) -> Result<Option<Attempt>, StorageError> {
            let row = sqlx::query_as(sql::ATTEMPT)
                .bind(id)
                .fetch_optional(DB::on(&self.pool))
                .await
                .map_err(storage_error)?;
            self.with_answers(row).await
        }

        async fn open_attempt(&self, user: UserId) -> Result<Option<Attempt>, StorageError> {
            let row = sqlx::query_as(sql::OPEN_ATTEMPT)
                .bind(user.0)
                .fetch_optional(DB::on(&self.pool))
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
                ReviewChange::Schedule { .. } => DB::RECORD_ANSWER_SCHEDULING,
                ReviewChange::Clear => DB::RECORD_ANSWER_CLEARING,
            };
            let query = sqlx::query(sql)
                .bind(attempt)
                .bind(i32::from(answer.position))
                .bind(&answer.quiz_id)
                .bind(&answer.question_id)
                .bind(encode_chosen(&answer.chosen))
                .bind(answer.correct)
                .bind(i64::from(answer.points))
                .bind(Stamp(answer.answered_at))
                .bind(answer.time_taken_ms);
            let query = match review {
                ReviewChange::Schedule { stage, due_at } => {
                    query.bind(i32::from(stage)).bind(Stamp(due_at))
                }
                ReviewChange::Clear => query,
            };
            // The review statement changes a row only after the answer's did.
            let done = query.execute(DB::on(&self.pool)).await.map_err(storage_error)?;
            Ok(done.rows_affected() >= 1)
        }

        async fn finish_attempt(
            &self,
            attempt: i64,
            result: &AttemptResult,
        ) -> Result<bool, StorageError> {
            let done = sqlx::query(sql::FINISH_ATTEMPT)
                .bind(attempt)
                .bind(Stamp(result.finished_at))
                .bind(i64::from(result.score))
                .bind(i64::from(result.max_score))
                .bind(result.passed)
                .execute(DB::on(&self.pool))
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
            let attempts: Vec<AttemptRow> = sqlx::query_as(sql::QUIZ_ATTEMPTS)
                .bind(user.0)
                .bind(quiz_id)
                .bind(AttemptKind::Quiz.as_str())
                .fetch_all(DB::on(&self.pool))
                .await
                .map_err(storage_error)?;
            let answers: Vec<AnswerRow> = sqlx::query_as(sql::QUIZ_ATTEMPTS_ANSWERS)
                .bind(user.0)
                .bind(quiz_id)
                .bind(AttemptKind::Quiz.as_str())
                .fetch_all(DB::on(&self.pool))
                .await
                .map_err(storage_error)?;
            attempts_with_answers(attempts, answers)
        }

        async fn passed_quizzes(&self, user: UserId) -> Result<Vec<String>, StorageError> {
            sqlx::query_scalar(sql::PASSED_QUIZZES)
                .bind(user.0)
                .bind(AttemptKind::Quiz.as_str())
                .fetch_all(DB::on(&self.pool))
                .await
                .map_err(storage_error)
        }

        async fn schedule_review(&self, user: UserId, item: &ReviewItem) -> Result<(), StorageError> {
            sqlx::query(sql::SCHEDULE_REVIEW)
                .bind(user.0)
                .bind(&item.quiz_id)
                .bind(&item.question_id)
                .bind(i32::from(item.stage))
                .bind(Stamp(item.due_at))
                .execute(DB::on(&self.pool))
                .await
                .map_err(storage_error)?;
            Ok(())
        }

        async fn reviews(&self, user: UserId) -> Result<Vec<ReviewItem>, StorageError> {
            sqlx::query_as::<_, ReviewRow>(sql::REVIEWS)
                .bind(user.0)
                .fetch_all(DB::on(&self.pool))
                .await
                .map_err(storage_error)?
                .into_iter()
                .map(|row| row.into_review())
                .collect()
        }

        async fn learners(&self) -> Result<Vec<Learner>, StorageError> {
            sqlx::query_as::<_, LearnerRow>(sql::LEARNERS)
                .fetch_all(DB::on(&self.pool))
                .await
                .map_err(storage_error)?
                .into_iter()
                .map(|row| row.into_learner())
                .collect()
        }

        async fn mark_reminded(&self, user: UserId, at: OffsetDateTime) -> Result<(), StorageError> {
            sqlx::query(sql::MARK_REMINDED)
                .bind(user.0)
                .bind(Stamp(at))
                .execute(DB::on(&self.pool))
                .await
                .map_err(storage_error)?;
            Ok(())
        }

        /// Idempotent per person and department: if the person already holds a
        /// certificate for `certificate.department`, that one is kept and this one is
        /// dropped without an error (read the kept one with
        /// [`LearningStore::certificate_for`]). A `code` already used by another
        /// certificate is an error (`Unavailable`): pick a new code and try again.
        async fn save_certificate(&self, certificate: &Certificate) -> Result<(), StorageError> {
            sqlx::query(sql::SAVE_CERTIFICATE)
                .bind(&certificate.code)
                .bind(certificate.user.0)
                .bind(&certificate.department)
                .bind(&certificate.full_name)
                .bind(&certificate.park)
                .bind(Stamp(certificate.issued_at))
                .bind(encode_quizzes(&certificate.quizzes))
                .execute(DB::on(&self.pool))
                .await
                .map_err(storage_error)?;
            Ok(())
        }

        async fn certificate(&self, code: &str) -> Result<Option<Certificate>, StorageError> {
            sqlx::query_as::<_, CertificateRow>(sql::CERTIFICATE)
                .bind(code)
                .fetch_optional(DB::on(&self.pool))
                .await
                .map_err(storage_error)?
                .map(|row| row.into_certificate())
                .transpose()
        }

        async fn certificate_for(
            &self,
            user: UserId,
            department: &str,
        ) -> Result<Option<Certificate>, StorageError> {
            sqlx::query_as::<_, CertificateRow>(sql::CERTIFICATE_FOR)
                .bind(user.0)
                .bind(department)
                .fetch_optional(DB::on(&self.pool))
                .await
                .map_err(storage_error)?
                .map(|row| row.into_certificate())
                .transpose()
        }
    }
}
