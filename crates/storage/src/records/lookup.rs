//! Rows of the look-up port and the LIKE pattern of a search.

use domain::ids::UserId;
use engine::ports::{
    AnswerCount, OverdueLearner, PageReaders, PathDeadline, QuizGroup, StorageError,
    VIEW_SLOT_SECS, ViewsAt,
};
use time::OffsetDateTime;

use super::admin::count;
use crate::error::corrupt;
use crate::stamp::Stamp;

/// A LIKE pattern matching any text that contains `needle` literally: `%`, `_`
/// and the escape character `\` typed by an admin are escaped, so they match
/// only themselves.
pub(crate) fn contains_pattern(needle: &str) -> String {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// A row of `TOP_PAGES`.
#[derive(sqlx::FromRow)]
pub(crate) struct PageRow {
    pub path: String,
    pub readers: i64,
}

impl PageRow {
    pub fn into_readers(self) -> Result<PageReaders, StorageError> {
        Ok(PageReaders {
            readers: count("page readers", self.readers)?,
            path: self.path,
        })
    }
}

/// A row of the `QUIZ_STATS_BY_*` statements.
#[derive(sqlx::FromRow)]
pub(crate) struct QuizGroupRow {
    pub id: String,
    pub attempts: i64,
    pub passed: i64,
    pub percent_sum: i64,
}

/// The groups ordered by id, byte by byte (the same on every backend).
pub(crate) fn quiz_groups(rows: Vec<QuizGroupRow>) -> Result<Vec<QuizGroup>, StorageError> {
    let mut groups = rows
        .into_iter()
        .map(|row| {
            Ok(QuizGroup {
                attempts: count("quiz attempts", row.attempts)?,
                passed: count("quiz passes", row.passed)?,
                percent_sum: count("quiz percent sum", row.percent_sum)?,
                id: row.id,
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    groups.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    Ok(groups)
}

/// A row of `ANSWER_COUNTS`.
#[derive(sqlx::FromRow)]
pub(crate) struct AnswerCountRow {
    pub quiz_id: String,
    pub question_id: String,
    pub chosen: String,
    pub correct: bool,
    pub answers: i64,
}

/// The counts ordered by quiz, question and chosen options, byte by byte.
pub(crate) fn answer_counts(rows: Vec<AnswerCountRow>) -> Result<Vec<AnswerCount>, StorageError> {
    let mut counts = rows
        .into_iter()
        .map(|row| {
            Ok(AnswerCount {
                answers: count("answers", row.answers)?,
                quiz_id: row.quiz_id,
                question_id: row.question_id,
                chosen: row.chosen,
                correct: row.correct,
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    counts.sort_unstable_by(|a, b| {
        (&a.quiz_id, &a.question_id, &a.chosen).cmp(&(&b.quiz_id, &b.question_id, &b.chosen))
    });
    Ok(counts)
}

/// A row of `VIEWS_BY_SLOT_*`: the slot's start in seconds since the epoch.
#[derive(sqlx::FromRow)]
pub(crate) struct SlotRow {
    pub slot: i64,
    pub views: i64,
}

impl SlotRow {
    pub fn into_views(self) -> Result<ViewsAt, StorageError> {
        debug_assert_eq!(self.slot % VIEW_SLOT_SECS, 0);
        Ok(ViewsAt {
            start: OffsetDateTime::from_unix_timestamp(self.slot)
                .map_err(|e| corrupt(format!("view slot {} is out of range: {e}", self.slot)))?,
            views: count("page views", self.views)?,
        })
    }
}

/// A row of `UNKEYED_PEOPLE`.
#[derive(sqlx::FromRow)]
pub(crate) struct NamesRow {
    pub id: i64,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: Option<String>,
}

impl NamesRow {
    pub fn search_key(&self) -> String {
        engine::ports::search_key(
            &self.first_name,
            self.last_name.as_deref(),
            self.username.as_deref(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_are_literal() {
        assert_eq!(contains_pattern("anna"), "%anna%");
        assert_eq!(contains_pattern("100%_a\\b"), "%100\\%\\_a\\\\b%");
        assert_eq!(contains_pattern("ёлка"), "%ёлка%");
    }
}

/// The two JSON arrays `sql::lookup::overdue!` reads: the paths (with
/// `registered_by` rounded down to whole microseconds, the stored precision, so
/// that "at or before" means the same as in Rust) and what they require.
pub(crate) fn overdue_params(paths: &[PathDeadline]) -> (String, String) {
    let departments: Vec<serde_json::Value> = paths
        .iter()
        .map(|p| {
            let micros = p.registered_by.unix_timestamp_nanos().div_euclid(1_000);
            serde_json::json!({
                "department": p.department,
                "registered_by": i64::try_from(micros).unwrap_or(i64::MIN),
                "pages": p.pages.len(),
                "quizzes": p.quizzes.len(),
            })
        })
        .collect();
    let items: Vec<serde_json::Value> = paths
        .iter()
        .flat_map(|p| {
            let pages = p.pages.iter().map(|item| ("page", item));
            let quizzes = p.quizzes.iter().map(|item| ("quiz", item));
            pages.chain(quizzes).map(|(kind, item)| {
                serde_json::json!({ "department": p.department, "kind": kind, "item": item })
            })
        })
        .collect();
    (
        serde_json::Value::Array(departments).to_string(),
        serde_json::Value::Array(items).to_string(),
    )
}

/// A row of `OVERDUE_*`; `T` is the backend's stored time.
#[derive(sqlx::FromRow)]
pub(crate) struct OverdueRow {
    pub id: i64,
    pub department: String,
    pub first_seen: Stamp,
    pub pages_read: i64,
    pub quizzes_passed: i64,
}

impl OverdueRow {
    pub fn into_learner(self) -> Result<OverdueLearner, StorageError> {
        Ok(OverdueLearner {
            id: UserId(self.id),
            department: self.department,
            registered_at: self.first_seen.0,
            pages_read: count("pages read", self.pages_read)?,
            quizzes_passed: count("quizzes passed", self.quizzes_passed)?,
        })
    }
}
