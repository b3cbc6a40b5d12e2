//! Rows of the learning tables and their checked conversion into the port's
//! records, and the text encodings of the list columns (the same on both
//! backends): attempt questions and certificate quizzes as JSON, chosen options as
//! `"0,2"`.

use std::collections::HashMap;

use domain::ids::UserId;
use domain::lang::Lang;
use engine::ports::{
    AnswerRecord, Attempt, AttemptKind, AttemptQuestion, AttemptResult, Certificate, Learner,
    ReviewItem, StaffProfile, StorageError,
};
use serde_json::Value;

use crate::error::corrupt;
use crate::stamp::Stamp;

/// The profile columns of a `users` row, in the order of `STAFF_PROFILE`.
#[derive(sqlx::FromRow)]
pub(crate) struct ProfileRow {
    pub park: Option<String>,
    pub park_assigned: bool,
    pub department: Option<String>,
    pub position: Option<String>,
    pub onboarded: bool,
}

impl From<ProfileRow> for StaffProfile {
    fn from(row: ProfileRow) -> StaffProfile {
        StaffProfile {
            park: row.park,
            park_assigned: row.park_assigned,
            department: row.department,
            position: row.position,
            onboarded: row.onboarded,
        }
    }
}

/// A `quiz_attempts` row, in the order of `attempt_columns!`.
#[derive(sqlx::FromRow)]
pub(crate) struct AttemptRow {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub quiz_id: String,
    pub questions: String,
    pub started_at: Stamp,
    pub deadline: Option<Stamp>,
    pub finished_at: Option<Stamp>,
    pub score: Option<i64>,
    pub max_score: Option<i64>,
    pub passed: Option<bool>,
}

/// A `quiz_answers` row, in the order of `answer_columns!`.
#[derive(sqlx::FromRow)]
pub(crate) struct AnswerRow {
    pub attempt_id: i64,
    pub position: i32,
    pub quiz_id: String,
    pub question_id: String,
    pub chosen: String,
    pub correct: bool,
    pub points: i64,
    pub answered_at: Stamp,
    pub time_taken_ms: i64,
}

/// A `review_items` row, in the order of `REVIEWS`.
#[derive(sqlx::FromRow)]
pub(crate) struct ReviewRow {
    pub quiz_id: String,
    pub question_id: String,
    pub stage: i32,
    pub due_at: Stamp,
}

/// A `users` row as `LEARNERS` returns it.
#[derive(sqlx::FromRow)]
pub(crate) struct LearnerRow {
    pub id: i64,
    pub language: String,
    pub park: Option<String>,
    pub park_assigned: bool,
    pub department: Option<String>,
    pub position: Option<String>,
    pub onboarded: bool,
    pub first_seen: Stamp,
    pub last_reminded_at: Option<Stamp>,
}

/// A `certificates` row, in the order of `certificate_columns!`.
#[derive(sqlx::FromRow)]
pub(crate) struct CertificateRow {
    pub code: String,
    pub user_id: i64,
    pub department: String,
    pub full_name: String,
    pub park: Option<String>,
    pub issued_at: Stamp,
    pub quizzes: String,
}

impl AttemptRow {
    /// Converts the stored times with `time`, then checks the rest; `answers` are
    /// the attempt's, already in order.
    pub fn into_attempt(self, answers: Vec<AnswerRecord>) -> Result<Attempt, StorageError> {
        let id = self.id;
        let kind = AttemptKind::parse(&self.kind)
            .ok_or_else(|| corrupt(format!("attempt {id} has unknown kind `{}`", self.kind)))?;
        let result = match (self.finished_at, self.score, self.max_score, self.passed) {
            (None, _, _, _) => None,
            (Some(finished_at), Some(score), Some(max_score), Some(passed)) => {
                Some(AttemptResult {
                    score: to_u32(score, || format!("score of attempt {id}"))?,
                    max_score: to_u32(max_score, || format!("maximum score of attempt {id}"))?,
                    passed,
                    finished_at: finished_at.0,
                })
            }
            (Some(_), _, _, _) => {
                return Err(corrupt(format!(
                    "attempt {id} is finished but its result is incomplete"
                )));
            }
        };
        Ok(Attempt {
            id,
            user: UserId(self.user_id),
            kind,
            quiz_id: self.quiz_id,
            questions: decode_questions(&self.questions)
                .map_err(|e| corrupt(format!("questions of attempt {id}: {e}")))?,
            answers,
            started_at: self.started_at.0,
            deadline: self.deadline.map(|at| at.0),
            result,
        })
    }
}

impl AnswerRow {
    pub fn into_answer(self) -> Result<AnswerRecord, StorageError> {
        let (attempt, position) = (self.attempt_id, self.position);
        let what = || format!("answer {position} of attempt {attempt}");
        Ok(AnswerRecord {
            position: u16::try_from(position)
                .map_err(|_| corrupt(format!("{} has an invalid position", what())))?,
            quiz_id: self.quiz_id,
            question_id: self.question_id,
            chosen: decode_chosen(&self.chosen).ok_or_else(|| {
                corrupt(format!("{} has invalid options `{}`", what(), self.chosen))
            })?,
            correct: self.correct,
            points: to_u32(self.points, || format!("points of {}", what()))?,
            answered_at: self.answered_at.0,
            time_taken_ms: self.time_taken_ms,
        })
    }
}

impl ReviewRow {
    pub fn into_review(self) -> Result<ReviewItem, StorageError> {
        let stage = u8::try_from(self.stage).map_err(|_| {
            corrupt(format!(
                "review of {}/{} has invalid stage {}",
                self.quiz_id, self.question_id, self.stage
            ))
        })?;
        Ok(ReviewItem {
            quiz_id: self.quiz_id,
            question_id: self.question_id,
            stage,
            due_at: self.due_at.0,
        })
    }
}

impl LearnerRow {
    pub fn into_learner(self) -> Result<Learner, StorageError> {
        let language = Lang::from_code(&self.language).ok_or_else(|| {
            corrupt(format!(
                "user {} has unknown language `{}`",
                self.id, self.language
            ))
        })?;
        Ok(Learner {
            id: UserId(self.id),
            language,
            profile: StaffProfile {
                park: self.park,
                park_assigned: self.park_assigned,
                department: self.department,
                position: self.position,
                onboarded: self.onboarded,
            },
            registered_at: self.first_seen.0,
            last_reminded_at: self.last_reminded_at.map(|at| at.0),
        })
    }
}

impl CertificateRow {
    pub fn into_certificate(self) -> Result<Certificate, StorageError> {
        let quizzes = serde_json::from_str(&self.quizzes)
            .map_err(|e| corrupt(format!("quizzes of certificate {}: {e}", self.code)))?;
        Ok(Certificate {
            code: self.code,
            user: UserId(self.user_id),
            full_name: self.full_name,
            department: self.department,
            park: self.park,
            issued_at: self.issued_at.0,
            quizzes,
        })
    }
}

/// Attempts with their answers. `answers` belong to these attempts and come in
/// order within each attempt.
pub(crate) fn attempts_with_answers(
    attempts: Vec<AttemptRow>,
    answers: Vec<AnswerRow>,
) -> Result<Vec<Attempt>, StorageError> {
    let mut by_attempt = HashMap::<i64, Vec<AnswerRecord>>::new();
    for row in answers {
        let attempt = row.attempt_id;
        by_attempt
            .entry(attempt)
            .or_default()
            .push(row.into_answer()?);
    }
    attempts
        .into_iter()
        .map(|row| {
            let answers = by_attempt.remove(&row.id).unwrap_or_default();
            row.into_attempt(answers)
        })
        .collect()
}

pub(crate) fn to_u32(stored: i64, what: impl FnOnce() -> String) -> Result<u32, StorageError> {
    u32::try_from(stored).map_err(|_| corrupt(format!("{} is out of range: {stored}", what())))
}

/// `[{"quiz_id": …, "question_id": …, "option_order": [2, 0, 1]}, …]`. Built as a
/// `Value`, which cannot fail to print, rather than through a fallible serializer.
pub(crate) fn encode_questions(questions: &[AttemptQuestion]) -> String {
    let list = questions
        .iter()
        .map(|q| {
            let mut object = serde_json::Map::new();
            object.insert("quiz_id".to_owned(), Value::from(q.quiz_id.as_str()));
            object.insert(
                "question_id".to_owned(),
                Value::from(q.question_id.as_str()),
            );
            object.insert(
                "option_order".to_owned(),
                Value::Array(q.option_order.iter().map(|&i| Value::from(i)).collect()),
            );
            Value::Object(object)
        })
        .collect();
    Value::Array(list).to_string()
}

#[derive(serde::Deserialize)]
struct StoredQuestion {
    quiz_id: String,
    question_id: String,
    option_order: Vec<u8>,
}

fn decode_questions(json: &str) -> Result<Vec<AttemptQuestion>, serde_json::Error> {
    let stored: Vec<StoredQuestion> = serde_json::from_str(json)?;
    Ok(stored
        .into_iter()
        .map(|q| AttemptQuestion {
            quiz_id: q.quiz_id,
            question_id: q.question_id,
            option_order: q.option_order,
        })
        .collect())
}

/// `[["bar-basics", 90], …]`.
pub(crate) fn encode_quizzes(quizzes: &[(String, u32)]) -> String {
    let list = quizzes
        .iter()
        .map(|(quiz, percent)| {
            Value::Array(vec![Value::from(quiz.as_str()), Value::from(*percent)])
        })
        .collect();
    Value::Array(list).to_string()
}

/// `"0,2"`; no option is `""`.
pub(crate) fn encode_chosen(chosen: &[u8]) -> String {
    chosen
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn decode_chosen(text: &str) -> Option<Vec<u8>> {
    if text.is_empty() {
        return Some(Vec::new());
    }
    text.split(',').map(|i| i.parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_round_trip_through_json() {
        let questions = vec![
            AttemptQuestion {
                quiz_id: "bar \"basics\"".to_owned(),
                question_id: "q1/ёлка".to_owned(),
                option_order: vec![2, 0, 255],
            },
            AttemptQuestion {
                quiz_id: "kitchen".to_owned(),
                question_id: "q9".to_owned(),
                option_order: vec![],
            },
        ];
        let json = encode_questions(&questions);
        assert_eq!(
            serde_json::from_str::<Value>(&json).unwrap()[0]["option_order"],
            serde_json::json!([2, 0, 255])
        );
        assert_eq!(decode_questions(&json).unwrap(), questions);
        assert_eq!(decode_questions("[]").unwrap(), vec![]);
        assert!(decode_questions("[{\"quiz_id\": \"a\"}]").is_err());
        assert!(
            decode_questions(r#"[{"quiz_id":"a","question_id":"b","option_order":[256]}]"#)
                .is_err()
        );
    }

    #[test]
    fn quizzes_are_pairs() {
        let quizzes = vec![("bar".to_owned(), 90), ("kitchen".to_owned(), u32::MAX)];
        let json = encode_quizzes(&quizzes);
        assert_eq!(json, format!("[[\"bar\",90],[\"kitchen\",{}]]", u32::MAX));
        assert_eq!(
            serde_json::from_str::<Vec<(String, u32)>>(&json).unwrap(),
            quizzes
        );
        assert_eq!(encode_quizzes(&[]), "[]");
    }

    #[test]
    fn chosen_options_are_comma_separated() {
        assert_eq!(encode_chosen(&[0, 2, 255]), "0,2,255");
        assert_eq!(encode_chosen(&[]), "");
        assert_eq!(decode_chosen("0,2,255"), Some(vec![0, 2, 255]));
        assert_eq!(decode_chosen(""), Some(vec![]));
        assert_eq!(decode_chosen("1"), Some(vec![1]));
        assert_eq!(decode_chosen("1,,2"), None);
        assert_eq!(decode_chosen("256"), None);
        assert_eq!(decode_chosen("a"), None);
    }
}
