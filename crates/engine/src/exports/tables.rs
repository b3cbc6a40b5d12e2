//! The tables an export is made of, each read from storage a keyset page at a
//! time and written as rows of [`Cell`]s.

use async_trait::async_trait;
use domain::ids::UserId;
use domain::learning;

use super::Cell;
use crate::ports::{
    ActivityExport, ActivityFilter, AnswerExport, AttemptExport, AttemptFilter, AuditEntry,
    Certificate, PersonExport, ReviewItem, StorageError, StoragePorts, Subject,
};

/// One kind of row an export reads page by page.
#[async_trait]
pub(super) trait Table: Sync {
    type Item: Send;
    type Key: Send + Copy;

    fn header(&self) -> &'static [&'static str];
    /// At most `limit` items after `after` (from the start when `None`), in key
    /// order.
    async fn page(
        &self,
        storage: &StoragePorts,
        after: Option<Self::Key>,
        limit: u32,
    ) -> Result<Vec<Self::Item>, StorageError>;
    fn key(item: &Self::Item) -> Self::Key;
    fn row(item: &Self::Item) -> Vec<Cell>;
}

/// A person id, or `erased-N` for the anonymised rows of erasure N.
fn subject(s: Subject) -> Cell {
    match s {
        Subject::Person(id) => Cell::Int(id.0),
        Subject::Erased(n) => Cell::Text(format!("erased-{n}")),
    }
}

/// Everyone, one park's people, or one person's `users` row (a page of one,
/// starting just below their id).
pub(super) enum People<'a> {
    All { park: Option<&'a str> },
    One(UserId),
}

const PEOPLE_HEADER: &[&str] = &[
    "id",
    "first_name",
    "last_name",
    "username",
    "language",
    "park",
    "department",
    "position",
    "onboarded",
    "first_seen",
    "last_seen",
    "blocked",
    "blocked_bot",
    "deletion_requested",
];

fn person_row(p: &PersonExport) -> Vec<Cell> {
    vec![
        p.id.0.into(),
        (&p.first_name).into(),
        p.last_name.as_ref().into(),
        p.username.as_ref().into(),
        p.language.code().into(),
        p.park.as_ref().into(),
        p.department.as_ref().into(),
        p.position.as_ref().into(),
        p.onboarded.into(),
        p.first_seen.into(),
        p.last_seen.into(),
        p.blocked.into(),
        p.inactive.into(),
        p.deletion_requested.into(),
    ]
}

#[async_trait]
impl Table for People<'_> {
    type Item = PersonExport;
    type Key = UserId;

    fn header(&self) -> &'static [&'static str] {
        PEOPLE_HEADER
    }

    async fn page(
        &self,
        storage: &StoragePorts,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<PersonExport>, StorageError> {
        match *self {
            People::All { park } => storage.personal.export_people(park, after, limit).await,
            People::One(_) if after.is_some() => Ok(Vec::new()),
            People::One(id) => {
                let below = id.0.checked_sub(1).map(UserId);
                let mut page = storage.personal.export_people(None, below, 1).await?;
                page.retain(|p| p.id == id);
                Ok(page)
            }
        }
    }

    fn key(item: &PersonExport) -> UserId {
        item.id
    }

    fn row(item: &PersonExport) -> Vec<Cell> {
        person_row(item)
    }
}

pub(super) struct Activities(pub(super) ActivityFilter);

#[async_trait]
impl Table for Activities {
    type Item = ActivityExport;
    type Key = i64;

    fn header(&self) -> &'static [&'static str] {
        &["id", "person", "kind", "node", "at"]
    }

    async fn page(
        &self,
        storage: &StoragePorts,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ActivityExport>, StorageError> {
        storage
            .personal
            .export_activity(&self.0, after, limit)
            .await
    }

    fn key(item: &ActivityExport) -> i64 {
        item.id
    }

    fn row(a: &ActivityExport) -> Vec<Cell> {
        vec![
            a.id.into(),
            subject(a.subject),
            a.kind.as_str().into(),
            a.node.as_ref().into(),
            a.at.into(),
        ]
    }
}

pub(super) struct Attempts(pub(super) AttemptFilter);

#[async_trait]
impl Table for Attempts {
    type Item = AttemptExport;
    type Key = i64;

    fn header(&self) -> &'static [&'static str] {
        &[
            "attempt", "person", "name", "quiz", "kind", "score", "max", "percent", "passed",
            "started", "finished",
        ]
    }

    async fn page(
        &self,
        storage: &StoragePorts,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AttemptExport>, StorageError> {
        storage
            .personal
            .export_attempts(&self.0, after, limit)
            .await
    }

    fn key(item: &AttemptExport) -> i64 {
        item.id
    }

    fn row(a: &AttemptExport) -> Vec<Cell> {
        let percent = a
            .score
            .zip(a.max_score)
            .map(|(score, max)| learning::percent(score, max));
        vec![
            a.id.into(),
            subject(a.subject),
            a.name.as_ref().into(),
            (&a.quiz_id).into(),
            a.kind.as_str().into(),
            a.score.into(),
            a.max_score.into(),
            percent.into(),
            a.passed.into(),
            a.started_at.into(),
            a.finished_at.into(),
        ]
    }
}

pub(super) struct Answers(pub(super) UserId);

#[async_trait]
impl Table for Answers {
    type Item = AnswerExport;
    type Key = (i64, u16);

    fn header(&self) -> &'static [&'static str] {
        &[
            "attempt", "position", "quiz", "question", "chosen", "correct", "points", "answered",
        ]
    }

    async fn page(
        &self,
        storage: &StoragePorts,
        after: Option<(i64, u16)>,
        limit: u32,
    ) -> Result<Vec<AnswerExport>, StorageError> {
        storage.personal.export_answers(self.0, after, limit).await
    }

    fn key(item: &AnswerExport) -> (i64, u16) {
        (item.attempt, item.position)
    }

    fn row(a: &AnswerExport) -> Vec<Cell> {
        vec![
            a.attempt.into(),
            a.position.into(),
            (&a.quiz_id).into(),
            (&a.question_id).into(),
            (&a.chosen).into(),
            a.correct.into(),
            a.points.into(),
            a.answered_at.into(),
        ]
    }
}

/// The person's review schedule: a few rows, read at once.
pub(super) struct Reviews(pub(super) UserId);

#[async_trait]
impl Table for Reviews {
    type Item = ReviewItem;
    type Key = ();

    fn header(&self) -> &'static [&'static str] {
        &["quiz", "question", "stage", "due"]
    }

    async fn page(
        &self,
        storage: &StoragePorts,
        after: Option<()>,
        _limit: u32,
    ) -> Result<Vec<ReviewItem>, StorageError> {
        match after {
            None => storage.learning.reviews(self.0).await,
            Some(()) => Ok(Vec::new()),
        }
    }

    fn key(_: &ReviewItem) {}

    fn row(r: &ReviewItem) -> Vec<Cell> {
        vec![
            (&r.quiz_id).into(),
            (&r.question_id).into(),
            r.stage.into(),
            r.due_at.into(),
        ]
    }
}

/// The person's certificates: one per department at most, read at once.
pub(super) struct Certificates(pub(super) UserId);

#[async_trait]
impl Table for Certificates {
    type Item = Certificate;
    type Key = ();

    fn header(&self) -> &'static [&'static str] {
        &[
            "code",
            "department",
            "park",
            "full_name",
            "issued",
            "quizzes",
        ]
    }

    async fn page(
        &self,
        storage: &StoragePorts,
        after: Option<()>,
        _limit: u32,
    ) -> Result<Vec<Certificate>, StorageError> {
        match after {
            None => storage.personal.certificates_of(self.0).await,
            Some(()) => Ok(Vec::new()),
        }
    }

    fn key(_: &Certificate) {}

    fn row(c: &Certificate) -> Vec<Cell> {
        let quizzes = c
            .quizzes
            .iter()
            .map(|(quiz, percent)| format!("{quiz} {percent}%"))
            .collect::<Vec<_>>()
            .join("; ");
        vec![
            (&c.code).into(),
            (&c.department).into(),
            c.park.as_ref().into(),
            (&c.full_name).into(),
            c.issued_at.into(),
            quizzes.into(),
        ]
    }
}

pub(super) struct Audit;

#[async_trait]
impl Table for Audit {
    type Item = AuditEntry;
    type Key = i64;

    fn header(&self) -> &'static [&'static str] {
        &["id", "at", "actor", "action", "detail"]
    }

    /// Newest first: the audit log's own keyset order.
    async fn page(
        &self,
        storage: &StoragePorts,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StorageError> {
        storage.admin.audit_entries(after, limit).await
    }

    fn key(item: &AuditEntry) -> i64 {
        item.id
    }

    fn row(e: &AuditEntry) -> Vec<Cell> {
        vec![
            e.id.into(),
            e.at.into(),
            e.actor.0.into(),
            (&e.action).into(),
            (&e.detail).into(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erased_people_are_text_and_others_their_id() {
        assert_eq!(subject(Subject::Erased(3)), Cell::Text("erased-3".into()));
        assert_eq!(subject(Subject::Person(UserId(42))), Cell::Int(42));
    }
}
