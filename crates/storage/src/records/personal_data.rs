//! Rows of the personal-data port (exports, deletion requests, erasure) and their
//! checked conversion into the port's records.

use domain::ids::UserId;
use domain::lang::Lang;
use engine::ports::{
    ActivityExport, ActivityKind, AnswerExport, AttemptExport, AttemptKind, PersonExport,
    StorageError, StoredCounts, Subject,
};

use super::admin::count;
use super::learning::to_u32;
use crate::error::corrupt;
use crate::stamp::Stamp;

/// The exclusive lower bound of an id-keyed export page: every id, or those above
/// `after`.
pub(crate) fn id_bound(after: Option<i64>) -> i64 {
    after.unwrap_or(i64::MIN)
}

/// The exclusive (attempt, position) bound of `EXPORT_ANSWERS`.
pub(crate) fn answer_bound(after: Option<(i64, u16)>) -> (i64, i32) {
    after.map_or((i64::MIN, -1), |(attempt, position)| {
        (attempt, i32::from(position))
    })
}

/// Whose a row is: erased rows carry their erasure number.
fn subject(user_id: i64, erasure_id: Option<i64>) -> Subject {
    match erasure_id {
        Some(erasure) => Subject::Erased(erasure),
        None => Subject::Person(UserId(user_id)),
    }
}

/// A row of `EXPORT_PEOPLE`.
#[derive(sqlx::FromRow)]
pub(crate) struct PersonExportRow {
    pub id: i64,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: Option<String>,
    pub language: String,
    pub park: Option<String>,
    pub department: Option<String>,
    pub position: Option<String>,
    pub onboarded: bool,
    pub first_seen: Stamp,
    pub last_seen: Stamp,
    pub blocked: bool,
    pub inactive: bool,
    pub deletion_requested: Option<Stamp>,
}

impl PersonExportRow {
    pub fn into_export(self) -> Result<PersonExport, StorageError> {
        let language = Lang::from_code(&self.language).ok_or_else(|| {
            corrupt(format!(
                "user {} has unknown language `{}`",
                self.id, self.language
            ))
        })?;
        Ok(PersonExport {
            id: UserId(self.id),
            first_name: self.first_name,
            last_name: self.last_name,
            username: self.username,
            language,
            park: self.park,
            department: self.department,
            position: self.position,
            onboarded: self.onboarded,
            first_seen: self.first_seen.0,
            last_seen: self.last_seen.0,
            blocked: self.blocked,
            inactive: self.inactive,
            deletion_requested: self.deletion_requested.map(|at| at.0),
        })
    }
}

/// A row of `EXPORT_ACTIVITY`.
#[derive(sqlx::FromRow)]
pub(crate) struct ActivityExportRow {
    pub id: i64,
    pub user_id: i64,
    pub erasure_id: Option<i64>,
    pub kind: String,
    pub subject: Option<String>,
    pub at: Stamp,
}

impl ActivityExportRow {
    pub fn into_export(self) -> Result<ActivityExport, StorageError> {
        let kind = ActivityKind::parse(&self.kind).ok_or_else(|| {
            corrupt(format!(
                "activity {} has unknown kind `{}`",
                self.id, self.kind
            ))
        })?;
        Ok(ActivityExport {
            id: self.id,
            subject: subject(self.user_id, self.erasure_id),
            kind,
            node: self.subject,
            at: self.at.0,
        })
    }
}

/// A row of `EXPORT_ATTEMPTS`.
#[derive(sqlx::FromRow)]
pub(crate) struct AttemptExportRow {
    pub id: i64,
    pub user_id: i64,
    pub erasure_id: Option<i64>,
    pub kind: String,
    pub quiz_id: String,
    pub started_at: Stamp,
    pub finished_at: Option<Stamp>,
    pub score: Option<i64>,
    pub max_score: Option<i64>,
    pub passed: Option<bool>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

impl AttemptExportRow {
    pub fn into_export(self) -> Result<AttemptExport, StorageError> {
        let id = self.id;
        let kind = AttemptKind::parse(&self.kind)
            .ok_or_else(|| corrupt(format!("attempt {id} has unknown kind `{}`", self.kind)))?;
        let name = self.first_name.map(|first| match self.last_name {
            Some(last) => format!("{first} {last}"),
            None => first,
        });
        Ok(AttemptExport {
            id,
            subject: subject(self.user_id, self.erasure_id),
            name,
            kind,
            quiz_id: self.quiz_id,
            started_at: self.started_at.0,
            finished_at: self.finished_at.map(|at| at.0),
            score: self
                .score
                .map(|s| to_u32(s, || format!("score of attempt {id}")))
                .transpose()?,
            max_score: self
                .max_score
                .map(|s| to_u32(s, || format!("maximum score of attempt {id}")))
                .transpose()?,
            passed: self.passed,
        })
    }
}

/// A row of `EXPORT_ANSWERS`.
#[derive(sqlx::FromRow)]
pub(crate) struct AnswerExportRow {
    pub attempt_id: i64,
    pub position: i32,
    pub quiz_id: String,
    pub question_id: String,
    pub chosen: String,
    pub correct: bool,
    pub points: i64,
    pub answered_at: Stamp,
}

impl AnswerExportRow {
    pub fn into_export(self) -> Result<AnswerExport, StorageError> {
        let (attempt, position) = (self.attempt_id, self.position);
        let what = || format!("answer {position} of attempt {attempt}");
        Ok(AnswerExport {
            attempt,
            position: u16::try_from(position)
                .map_err(|_| corrupt(format!("{} has an invalid position", what())))?,
            quiz_id: self.quiz_id,
            question_id: self.question_id,
            chosen: self.chosen,
            correct: self.correct,
            points: to_u32(self.points, || format!("points of {}", what()))?,
            answered_at: self.answered_at.0,
        })
    }
}

/// The single row of `STORED_COUNTS`.
#[derive(sqlx::FromRow)]
pub(crate) struct StoredCountsRow {
    pub activity: i64,
    pub attempts: i64,
    pub answers: i64,
    pub reviews: i64,
    pub certificates: i64,
}

impl StoredCountsRow {
    pub fn into_counts(self) -> Result<StoredCounts, StorageError> {
        Ok(StoredCounts {
            activity: count("activity", self.activity)?,
            attempts: count("attempt", self.attempts)?,
            answers: count("answer", self.answers)?,
            reviews: count("review", self.reviews)?,
            certificates: count("certificate", self.certificates)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_start_below_every_key() {
        assert_eq!(id_bound(None), i64::MIN);
        assert_eq!(id_bound(Some(41)), 41);
        assert_eq!(answer_bound(None), (i64::MIN, -1));
        assert_eq!(answer_bound(Some((7, 3))), (7, 3));
    }

    #[test]
    fn erased_rows_name_their_erasure() {
        assert_eq!(subject(42, None), Subject::Person(UserId(42)));
        assert_eq!(subject(0, Some(3)), Subject::Erased(3));
    }
}
