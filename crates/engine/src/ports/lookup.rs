//! What the admin panel's look-ups and statistics screens need from storage:
//! finding people by id, name or @username, the most-read pages, quiz results and
//! page views over time. Every count is made in the database (`GROUP BY`); only
//! the grouped rows cross the wire.
//!
//! Case-insensitive search must work for Cyrillic on both backends, but SQLite's
//! `LOWER` and `LIKE` fold only ASCII. So storage keeps a search key per person,
//! folded here in Rust ([`search_key`]) when the person is written, and the query
//! is folded the same way ([`PeopleQuery::parse`]): the database compares plain
//! lower-case text and never needs a Unicode-aware collation.

use async_trait::async_trait;
use domain::ids::UserId;
use time::OffsetDateTime;
use unicode_normalization::UnicodeNormalization;

use super::{PersonStatus, PersonSummary, StorageError};

/// Longest search text accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 64;

/// The folded form of a person's names that [`LookupStore::search_people`]
/// matches against: first name, last name and username, lower-case, NFC.
pub fn search_key(first_name: &str, last_name: Option<&str>, username: Option<&str>) -> String {
    let joined = [Some(first_name), last_name, username]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    fold(&joined)
}

/// Lower-case, NFC, whitespace collapsed to single spaces.
fn fold(text: &str) -> String {
    let lower: String = text.nfc().collect::<String>().to_lowercase();
    let nfc: String = lower.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A search an admin typed: an id, an @username or a part of a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeopleQuery {
    /// The text was a whole number: also match that Telegram id exactly.
    id: Option<i64>,
    /// Folded like [`search_key`]; matched as a literal substring.
    needle: String,
}

/// Why a typed search was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryError {
    Empty,
    TooLong,
}

impl PeopleQuery {
    /// Folds the typed text; a leading `@` is dropped, so `@Anna` finds the
    /// username `anna_k` as `anna` would.
    pub fn parse(raw: &str) -> Result<PeopleQuery, QueryError> {
        let folded = fold(raw);
        let needle = folded
            .strip_prefix('@')
            .unwrap_or(&folded)
            .trim()
            .to_owned();
        if needle.is_empty() {
            return Err(QueryError::Empty);
        }
        if needle.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong);
        }
        Ok(PeopleQuery {
            id: needle.parse().ok(),
            needle,
        })
    }

    pub fn id(&self) -> Option<i64> {
        self.id
    }

    pub fn needle(&self) -> &str {
        &self.needle
    }
}

/// Which people a filtered list shows: a status, and optionally only one park's
/// or one department's people (ids from the content pack).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeopleFilter {
    pub status: PersonStatus,
    pub park: Option<String>,
    pub department: Option<String>,
}

/// A page and how many different people opened it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageReaders {
    /// The page's path in the content pack, as recorded in activity.
    pub path: String,
    pub readers: u64,
}

/// Finished knowledge-check attempts (not reviews) of one group: a quiz, or the
/// current department or park of the people who made them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuizGroup {
    /// The quiz, department or park id; `""` for people without one.
    pub id: String,
    pub attempts: u64,
    pub passed: u64,
    /// The sum over attempts of each attempt's whole percent (`score * 100 /
    /// max_score`, rounded down; 0 for an empty quiz), so that the average is exact
    /// integer arithmetic on every backend.
    pub percent_sum: u64,
}

impl QuizGroup {
    /// Share of attempts passed, in whole percent (rounded down).
    pub fn pass_rate(&self) -> u64 {
        (self.passed * 100).checked_div(self.attempts).unwrap_or(0)
    }

    /// The average of the attempts' percent scores (rounded down).
    pub fn average_percent(&self) -> u64 {
        self.percent_sum.checked_div(self.attempts).unwrap_or(0)
    }
}

/// How many times one answer was given to one question of a knowledge check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerCount {
    pub quiz_id: String,
    pub question_id: String,
    /// The options chosen, as indices into the quiz file's options in
    /// ascending order ("0,2"); "" for none.
    pub chosen: String,
    pub correct: bool,
    pub answers: u64,
}

/// Whose answers [`LookupStore::answer_counts`] counts: people now in `park`,
/// or now in `department`, or everyone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AnswerFilter {
    pub park: Option<String>,
    pub department: Option<String>,
}

/// Quiz results grouped three ways; each list is ordered by id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QuizStats {
    pub by_quiz: Vec<QuizGroup>,
    pub by_department: Vec<QuizGroup>,
    pub by_park: Vec<QuizGroup>,
}

/// Page views in one quarter of an hour (UTC-aligned; every time zone's offset is a
/// whole number of quarter hours, so each slot falls in one local hour).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewsAt {
    pub start: OffsetDateTime,
    pub views: u64,
}

/// The width of a [`ViewsAt`] slot, in seconds.
pub const VIEW_SLOT_SECS: i64 = 15 * 60;

/// One department's onboarding path with a deadline, as [`LookupStore::overdue`]
/// needs it (built from the content pack by `domain::learning::path_requirements`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathDeadline {
    pub department: String,
    /// Whoever first wrote at or before this is past the deadline: now minus the
    /// department's `deadline_days`.
    pub registered_by: OffsetDateTime,
    /// The distinct paths of the required pages.
    pub pages: Vec<String>,
    /// The distinct ids of the required quizzes.
    pub quizzes: Vec<String>,
}

/// Someone past their department's deadline with the path incomplete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverdueLearner {
    pub id: UserId,
    pub department: String,
    /// When they first wrote: the deadline counts from here.
    pub registered_at: OffsetDateTime,
    /// Of the department's required pages, how many they have opened.
    pub pages_read: u64,
    /// Of its required quizzes, how many they have passed (a knowledge check, not
    /// a review).
    pub quizzes_passed: u64,
}

#[async_trait]
pub trait LookupStore: Send + Sync + 'static {
    /// People whose id is the query's number or whose search key contains its
    /// text literally (`%` and `_` are not wildcards), by ascending id, at most
    /// `limit`; only the people of `park` when it is given.
    async fn search_people(
        &self,
        query: &PeopleQuery,
        park: Option<&str>,
        limit: u32,
    ) -> Result<Vec<PersonSummary>, StorageError>;

    /// People matching `filter`, by ascending id, ids above `after`: keyset paging
    /// over any number of people.
    async fn filtered_people(
        &self,
        filter: &PeopleFilter,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<PersonSummary>, StorageError>;

    async fn count_filtered_people(&self, filter: &PeopleFilter) -> Result<u64, StorageError>;

    /// The `limit` pages with the most distinct readers, most first, then by path;
    /// only readers now in `park` when it is given.
    async fn top_pages(
        &self,
        limit: u32,
        park: Option<&str>,
    ) -> Result<Vec<PageReaders>, StorageError>;

    /// Finished quiz attempts by quiz, by department and by park; only of people
    /// now in `park` when it is given.
    async fn quiz_stats(&self, park: Option<&str>) -> Result<QuizStats, StorageError>;

    /// Every distinct answer given in finished or unfinished knowledge checks
    /// (not reviews) with how often, by the people `filter` names; ordered by
    /// quiz, question and chosen options, byte by byte.
    async fn answer_counts(&self, filter: &AnswerFilter) -> Result<Vec<AnswerCount>, StorageError>;

    /// People (of `park` when it is given) holding at least one certificate.
    async fn count_certified(&self, park: Option<&str>) -> Result<u64, StorageError>;

    /// Page views since `since` (inclusive) by people of `park`, counted per
    /// quarter hour; slots without views are left out; ordered by time.
    async fn page_views_by_slot(
        &self,
        park: &str,
        since: OffsetDateTime,
    ) -> Result<Vec<ViewsAt>, StorageError>;

    /// The learners (onboarded, neither blocked nor gone, as
    /// `LearningStore::learners`) of the departments in `paths` who first wrote at
    /// or before their path's `registered_by` and have not opened every required
    /// page or not passed every required quiz; only people now in `park` when it
    /// is given. By ascending id. One statement, whatever the number of people.
    async fn overdue(
        &self,
        paths: &[PathDeadline],
        park: Option<&str>,
    ) -> Result<Vec<OverdueLearner>, StorageError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_round_down_and_survive_no_attempts() {
        let g = QuizGroup {
            id: "bar".to_owned(),
            attempts: 3,
            passed: 2,
            percent_sum: 250,
        };
        assert_eq!((g.pass_rate(), g.average_percent()), (66, 83));
        let none = QuizGroup {
            attempts: 0,
            passed: 0,
            percent_sum: 0,
            ..g
        };
        assert_eq!((none.pass_rate(), none.average_percent()), (0, 0));
    }

    #[test]
    fn keys_and_queries_fold_alike() {
        assert_eq!(
            search_key("ЁЛКИНА", Some("Наталья"), Some("Nat_K")),
            "ёлкина наталья nat_k"
        );
        // "й" as one code point and as и + combining breve fold to the same text.
        assert_eq!(search_key("Й", None, None), fold("И\u{0306}"));
        let q = PeopleQuery::parse("  @Nat_K ").unwrap();
        assert_eq!(q.needle(), "nat_k");
        assert_eq!(q.id(), None);
        let q = PeopleQuery::parse("9000000001").unwrap();
        assert_eq!(q.id(), Some(9_000_000_001));
        assert_eq!(PeopleQuery::parse(" @ "), Err(QueryError::Empty));
        assert_eq!(
            PeopleQuery::parse(&"я".repeat(MAX_QUERY_CHARS + 1)),
            Err(QueryError::TooLong)
        );
        assert!(PeopleQuery::parse(&"я".repeat(MAX_QUERY_CHARS)).is_ok());
    }
}
