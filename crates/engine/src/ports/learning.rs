//! Storage of everything learning: profiles, quiz attempts and answers, spaced
//! review, reminders and certificates.

use async_trait::async_trait;
use domain::ids::UserId;
use domain::lang::Lang;
use time::OffsetDateTime;

use super::StorageError;

/// A person's place in the chain, chosen at onboarding or in /profile.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StaffProfile {
    /// A park id from the content pack.
    pub park: Option<String>,
    /// The park was assigned by an admin or an invite, not chosen by the person:
    /// only then does it put the person in a park manager's view, and the person
    /// cannot change it (ADR 0020).
    pub park_assigned: bool,
    /// A department id from the content pack.
    pub department: Option<String>,
    /// Free text, trimmed, at most 64 characters.
    pub position: Option<String>,
    /// Onboarding finished (answered or skipped every step).
    pub onboarded: bool,
}

/// One change to a profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProfileField {
    /// The park as an admin or an invite assigns it.
    Park(Option<String>),
    /// The park as the person chooses it: ignored while one is assigned.
    ChosenPark(Option<String>),
    Department(Option<String>),
    Position(Option<String>),
}

/// Why an attempt exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptKind {
    /// A department's knowledge check.
    Quiz,
    /// A spaced-review session of questions answered wrong before.
    Review,
}

impl AttemptKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptKind::Quiz => "quiz",
            AttemptKind::Review => "review",
        }
    }

    pub fn parse(raw: &str) -> Option<AttemptKind> {
        [AttemptKind::Quiz, AttemptKind::Review]
            .into_iter()
            .find(|k| k.as_str() == raw)
    }
}

/// A question as it is asked in one attempt: which quiz it comes from (reviews mix
/// quizzes) and the order its options are shown in (indices into the quiz file's
/// options).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttemptQuestion {
    pub quiz_id: String,
    pub question_id: String,
    pub option_order: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAttempt {
    pub user: UserId,
    pub kind: AttemptKind,
    /// The quiz, or for a review `"review"`.
    pub quiz_id: String,
    pub questions: Vec<AttemptQuestion>,
    pub started_at: OffsetDateTime,
    /// When the time limit runs out, if the quiz has one.
    pub deadline: Option<OffsetDateTime>,
}

/// One answered question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerRecord {
    /// Index of the question in the attempt.
    pub position: u16,
    pub quiz_id: String,
    pub question_id: String,
    /// Chosen options, as indices into the quiz file's options, ascending.
    pub chosen: Vec<u8>,
    pub correct: bool,
    pub points: u32,
    pub answered_at: OffsetDateTime,
    /// From showing the question to the answer.
    pub time_taken_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttemptResult {
    pub score: u32,
    pub max_score: u32,
    pub passed: bool,
    pub finished_at: OffsetDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub id: i64,
    pub user: UserId,
    pub kind: AttemptKind,
    pub quiz_id: String,
    pub questions: Vec<AttemptQuestion>,
    /// In the order they were recorded.
    pub answers: Vec<AnswerRecord>,
    pub started_at: OffsetDateTime,
    pub deadline: Option<OffsetDateTime>,
    pub result: Option<AttemptResult>,
}

/// A question due for spaced review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewItem {
    pub quiz_id: String,
    pub question_id: String,
    /// 0, 1, 2: reviewed after 1, 3 and 7 days.
    pub stage: u8,
    pub due_at: OffsetDateTime,
}

/// What an answer does to the spaced review of its question (see
/// [`LearningStore::record_answer`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewChange {
    /// The question is reviewed at `stage` from `due_at`: added to the person's
    /// schedule, or replacing its review there.
    Schedule { stage: u8, due_at: OffsetDateTime },
    /// The question leaves the person's schedule, if it is there.
    Clear,
}

/// Someone the reminder job may nudge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Learner {
    pub id: UserId,
    pub language: Lang,
    pub profile: StaffProfile,
    /// When they first wrote to the bot: deadlines count from here.
    pub registered_at: OffsetDateTime,
    pub last_reminded_at: Option<OffsetDateTime>,
}

/// A certificate of a completed onboarding path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    /// Short verification code, e.g. `TB-7K2QX9`.
    pub code: String,
    pub user: UserId,
    pub full_name: String,
    pub department: String,
    pub park: Option<String>,
    pub issued_at: OffsetDateTime,
    /// (quiz id, score percent) of every quiz passed for it.
    pub quizzes: Vec<(String, u32)>,
}

/// Learning storage; implemented on SQLite and PostgreSQL.
#[async_trait]
pub trait LearningStore: Send + Sync + 'static {
    async fn staff_profile(&self, user: UserId) -> Result<StaffProfile, StorageError>;
    /// Callers then call [`crate::People::changed`] for the person (ADR 0038).
    async fn set_profile_field(
        &self,
        user: UserId,
        field: ProfileField,
    ) -> Result<(), StorageError>;
    /// Callers then call [`crate::People::changed`] for the person (ADR 0038).
    async fn mark_onboarded(&self, user: UserId) -> Result<(), StorageError>;

    /// Distinct paths of the pages the person has opened.
    async fn pages_read(&self, user: UserId) -> Result<Vec<String>, StorageError>;

    /// Callers of the writes of attempts (start, answer, finish) then call
    /// `People::attempt_changed` for the person: a copy keeps their open attempt
    /// (ADR 0039).
    async fn start_attempt(&self, attempt: &NewAttempt) -> Result<i64, StorageError>;
    async fn attempt(&self, id: i64) -> Result<Option<Attempt>, StorageError>;
    /// The person's latest unfinished attempt, if any.
    async fn open_attempt(&self, user: UserId) -> Result<Option<Attempt>, StorageError>;
    /// Records an answer and applies `review` to its question's review for the
    /// attempt's person, in one call (one round trip: the answer is the
    /// update's only write); `false` (and nothing changes) if that position of
    /// the attempt was already answered or the attempt is finished: a double tap.
    /// The review changes only if the answer is recorded. On PostgreSQL both
    /// are one statement; on SQLite they are two statements in one call, so a
    /// crash between them could leave the answer without its review change (one
    /// review not scheduled or not cleared, nothing else).
    async fn record_answer(
        &self,
        attempt: i64,
        answer: &AnswerRecord,
        review: ReviewChange,
    ) -> Result<bool, StorageError>;
    /// Finishes an attempt; `false` if it was already finished.
    async fn finish_attempt(
        &self,
        attempt: i64,
        result: &AttemptResult,
    ) -> Result<bool, StorageError>;
    /// The person's attempts at a quiz (kind Quiz), oldest first.
    async fn quiz_attempts(
        &self,
        user: UserId,
        quiz_id: &str,
    ) -> Result<Vec<Attempt>, StorageError>;

    /// The quizzes (kind Quiz) the person has passed at least once, in no
    /// particular order: one read for a list of checks or a path's progress.
    async fn passed_quizzes(&self, user: UserId) -> Result<Vec<String>, StorageError>;

    /// Adds or replaces the review of one question (answers change reviews
    /// through [`LearningStore::record_answer`]).
    /// Callers then call `People::attempt_changed` with `reviews` for the person
    /// (ADR 0038, 0039).
    async fn schedule_review(&self, user: UserId, item: &ReviewItem) -> Result<(), StorageError>;
    /// All pending reviews of the person, earliest due first.
    async fn reviews(&self, user: UserId) -> Result<Vec<ReviewItem>, StorageError>;

    /// Everyone onboarded, not blocked and not inactive.
    async fn learners(&self) -> Result<Vec<Learner>, StorageError>;
    async fn mark_reminded(&self, user: UserId, at: OffsetDateTime) -> Result<(), StorageError>;

    async fn save_certificate(&self, certificate: &Certificate) -> Result<(), StorageError>;
    async fn certificate(&self, code: &str) -> Result<Option<Certificate>, StorageError>;
    /// The certificate already issued to the person for a department, if any.
    async fn certificate_for(
        &self,
        user: UserId,
        department: &str,
    ) -> Result<Option<Certificate>, StorageError>;
}
