//! Statements of the learning port that both backends share. Recording an answer
//! differs (PostgreSQL must lock the attempt row) and is the backend's
//! (`Dialect::RECORD_ANSWER_SCHEDULING`, `…_CLEARING`).

pub(crate) const STAFF_PROFILE: &str =
    "SELECT park, park_assigned, department, position, onboarded FROM users WHERE id = $1";

// A column name cannot be a bind parameter: one statement per profile field.
/// An admin or an invite assigns the park (clearing it makes it the person's to
/// choose again).
pub(crate) const SET_PARK: &str = "UPDATE users SET park = $2, \
     park_assigned = (CAST($2 AS TEXT) IS NOT NULL) WHERE id = $1";
/// The person chooses a park: only while none is assigned.
pub(crate) const SET_CHOSEN_PARK: &str =
    "UPDATE users SET park = $2 WHERE id = $1 AND NOT park_assigned";
pub(crate) const SET_DEPARTMENT: &str = "UPDATE users SET department = $2 WHERE id = $1";
pub(crate) const SET_POSITION: &str = "UPDATE users SET position = $2 WHERE id = $1";

pub(crate) const MARK_ONBOARDED: &str = "UPDATE users SET onboarded = TRUE WHERE id = $1";

/// `$2` is the page-view kind.
pub(crate) const PAGES_READ: &str = "SELECT DISTINCT subject FROM activity \
     WHERE user_id = $1 AND kind = $2 AND subject IS NOT NULL";

pub(crate) const START_ATTEMPT: &str = "INSERT INTO quiz_attempts \
     (user_id, kind, quiz_id, questions, started_at, deadline) \
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";

/// The columns every attempt query returns, in the order of `AttemptRow`.
macro_rules! attempt_columns {
    () => {
        "id, user_id, kind, quiz_id, questions, started_at, deadline, \
         finished_at, score, max_score, passed"
    };
}

/// The columns every answer query returns, in the order of `AnswerRow`.
macro_rules! answer_columns {
    () => {
        "attempt_id, position, quiz_id, question_id, chosen, correct, points, \
         answered_at, time_taken_ms"
    };
}

pub(crate) const ATTEMPT: &str = concat!(
    "SELECT ",
    attempt_columns!(),
    " FROM quiz_attempts WHERE id = $1"
);

/// The latest by start time; `id` breaks ties. The partial index
/// `quiz_attempts_open` holds only unfinished attempts.
pub(crate) const OPEN_ATTEMPT: &str = concat!(
    "SELECT ",
    attempt_columns!(),
    " FROM quiz_attempts WHERE user_id = $1 AND finished_at IS NULL \
     ORDER BY started_at DESC, id DESC LIMIT 1"
);

/// `$3` is the quiz kind; oldest first, `id` breaking ties.
pub(crate) const QUIZ_ATTEMPTS: &str = concat!(
    "SELECT ",
    attempt_columns!(),
    " FROM quiz_attempts WHERE user_id = $1 AND quiz_id = $2 AND kind = $3 \
     ORDER BY started_at, id"
);

/// In the order they were given; `position` breaks ties.
pub(crate) const ATTEMPT_ANSWERS: &str = concat!(
    "SELECT ",
    answer_columns!(),
    " FROM quiz_answers WHERE attempt_id = $1 ORDER BY answered_at, position"
);

/// `$2`: the kind of a quiz attempt.
pub(crate) const PASSED_QUIZZES: &str = "SELECT DISTINCT quiz_id FROM quiz_attempts \
     WHERE user_id = $1 AND kind = $2 AND passed = TRUE";

/// The answers of every attempt `QUIZ_ATTEMPTS` returns for the same `$1..$3`.
pub(crate) const QUIZ_ATTEMPTS_ANSWERS: &str = concat!(
    "SELECT ",
    answer_columns!(),
    " FROM quiz_answers WHERE attempt_id IN \
     (SELECT id FROM quiz_attempts WHERE user_id = $1 AND quiz_id = $2 AND kind = $3) \
     ORDER BY attempt_id, answered_at, position"
);

/// Sets the result only while the attempt is open, so that of two racing calls
/// exactly one affects a row.
pub(crate) const FINISH_ATTEMPT: &str = "UPDATE quiz_attempts \
     SET finished_at = $2, score = $3, max_score = $4, passed = $5 \
     WHERE id = $1 AND finished_at IS NULL";

pub(crate) const SCHEDULE_REVIEW: &str = "INSERT INTO review_items \
     (user_id, quiz_id, question_id, stage, due_at) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (user_id, quiz_id, question_id) DO UPDATE SET \
         stage = excluded.stage, due_at = excluded.due_at";

/// Earliest due first; the ids break ties.
pub(crate) const REVIEWS: &str = "SELECT quiz_id, question_id, stage, due_at \
     FROM review_items WHERE user_id = $1 ORDER BY due_at, quiz_id, question_id";

pub(crate) const LEARNERS: &str = "SELECT id, language, park, park_assigned, department, position, \
     onboarded, first_seen, last_reminded_at FROM users \
     WHERE onboarded = TRUE AND blocked = FALSE AND inactive = FALSE ORDER BY id";

pub(crate) const MARK_REMINDED: &str = "UPDATE users SET last_reminded_at = $2 WHERE id = $1";

/// The first certificate for a person and department stays; a later one is
/// dropped without an error. A code already used for someone else is an error.
pub(crate) const SAVE_CERTIFICATE: &str = "INSERT INTO certificates \
     (code, user_id, department, full_name, park, issued_at, quizzes) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) \
     ON CONFLICT (user_id, department) DO NOTHING";

macro_rules! certificate_columns {
    () => {
        "code, user_id, department, full_name, park, issued_at, quizzes"
    };
}

pub(crate) const CERTIFICATE: &str = concat!(
    "SELECT ",
    certificate_columns!(),
    " FROM certificates WHERE code = $1"
);

pub(crate) const CERTIFICATE_FOR: &str = concat!(
    "SELECT ",
    certificate_columns!(),
    " FROM certificates WHERE user_id = $1 AND department = $2"
);
