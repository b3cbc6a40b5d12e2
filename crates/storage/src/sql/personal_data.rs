//! Statements of the personal-data port that both backends share. Every export
//! read is a keyset page: `WHERE id > $after ORDER BY id LIMIT $n`, so a page costs
//! the same at the start and at the end of a table of any size. An optional filter
//! is bound as NULL ("no filter"); sqlx sends the parameter's type, so
//! `$n IS NULL` is well typed on PostgreSQL too.

/// People from the inclusive bound `$1` (see `records::admin::people_bound`), at
/// most `$2`, with their pending deletion request. Columns as `PersonExportRow`.
pub(crate) const EXPORT_PEOPLE: &str = "SELECT u.id, u.first_name, u.last_name, u.username, \
         u.language, u.park, u.department, u.position, u.onboarded, u.first_seen, \
         u.last_seen, u.blocked, u.inactive, d.requested_at AS deletion_requested \
     FROM users u LEFT JOIN deletion_requests d ON d.user_id = u.id \
     WHERE u.id >= $1 AND (CAST($3 AS TEXT) IS NULL OR (u.park = $3 AND u.park_assigned)) ORDER BY u.id LIMIT $2";

/// Activity with id above `$1`, of person `$2`, at or after `$3`, before `$4`
/// (each NULL for any), at most `$5`, only of people now in park `$6` unless it is
/// NULL. Columns as `ActivityExportRow`.
pub(crate) const EXPORT_ACTIVITY: &str = "SELECT id, user_id, erasure_id, kind, subject, at \
     FROM activity \
     WHERE id > $1 AND ($2 IS NULL OR user_id = $2) \
         AND ($3 IS NULL OR at >= $3) AND ($4 IS NULL OR at < $4) \
         AND (CAST($6 AS TEXT) IS NULL OR user_id IN (SELECT id FROM users WHERE park = $6 AND park_assigned)) \
     ORDER BY id LIMIT $5";

/// Attempts with id above `$1`, of person `$2` (NULL for anyone), only finished
/// knowledge checks when `$3`, at most `$4`, only of people now in park `$5` unless
/// it is NULL; the name of a known person. Columns as `AttemptExportRow`.
pub(crate) const EXPORT_ATTEMPTS: &str = "SELECT a.id, a.user_id, a.erasure_id, a.kind, \
         a.quiz_id, a.started_at, a.finished_at, a.score, a.max_score, a.passed, \
         u.first_name, u.last_name \
     FROM quiz_attempts a LEFT JOIN users u ON u.id = a.user_id AND a.erasure_id IS NULL \
     WHERE a.id > $1 AND ($2 IS NULL OR a.user_id = $2) \
         AND (NOT $3 OR (a.finished_at IS NOT NULL AND a.kind = 'quiz')) \
         AND (CAST($5 AS TEXT) IS NULL OR a.user_id IN (SELECT id FROM users WHERE park = $5 AND park_assigned)) \
     ORDER BY a.id LIMIT $4";

/// Person `$1`'s answers after (attempt `$2`, position `$3`), at most `$4`.
/// Columns as `AnswerExportRow`.
pub(crate) const EXPORT_ANSWERS: &str = "SELECT q.attempt_id, q.position, q.quiz_id, \
         q.question_id, q.chosen, q.correct, q.points, q.answered_at \
     FROM quiz_answers q JOIN quiz_attempts a ON a.id = q.attempt_id \
     WHERE a.user_id = $1 \
         AND (q.attempt_id > $2 OR (q.attempt_id = $2 AND q.position > $3)) \
     ORDER BY q.attempt_id, q.position LIMIT $4";

/// Columns as `CertificateRow`.
pub(crate) const CERTIFICATES_OF: &str = "SELECT code, user_id, department, full_name, park, \
         issued_at, quizzes \
     FROM certificates WHERE user_id = $1 ORDER BY issued_at, code";

/// Columns as `StoredCountsRow`.
pub(crate) const STORED_COUNTS: &str = "SELECT \
         (SELECT COUNT(*) FROM activity WHERE user_id = $1) AS activity, \
         (SELECT COUNT(*) FROM quiz_attempts WHERE user_id = $1) AS attempts, \
         (SELECT COUNT(*) FROM quiz_answers q JOIN quiz_attempts a ON a.id = q.attempt_id \
             WHERE a.user_id = $1) AS answers, \
         (SELECT COUNT(*) FROM review_items WHERE user_id = $1) AS reviews, \
         (SELECT COUNT(*) FROM certificates WHERE user_id = $1) AS certificates";

/// The first request's time is kept: a repeated request affects no row.
/// People with a pending deletion request, by ascending id from the inclusive
/// bound `$1` (see `records::admin::people_bound`), at most `$2`. Columns in the
/// order of `PersonRow`.
pub(crate) const PENDING_DELETIONS: &str = "SELECT u.id, u.first_name, u.last_name, \
         u.username, u.park, u.department, u.blocked, u.inactive, u.last_seen \
     FROM users u JOIN deletion_requests d ON d.user_id = u.id \
     WHERE u.id >= $1 ORDER BY u.id LIMIT $2";

pub(crate) const REQUEST_DELETION: &str = "INSERT INTO deletion_requests (user_id, requested_at) \
     VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING";

pub(crate) const DELETION_REQUESTED: &str =
    "SELECT requested_at FROM deletion_requests WHERE user_id = $1";

/// Rows that refer to person `$1` by foreign key, deleted before the person: their
/// access (an erased person must be let in again) and any access request, which
/// holds the name they typed, and any admin role.
pub(crate) const UNLINK: [&str; 3] = [
    "DELETE FROM access_grants WHERE user_id = $1",
    "DELETE FROM access_requests WHERE user_id = $1",
    "DELETE FROM roles WHERE user_id = $1",
];

/// The statement that decides an erasure: no row affected means an unknown person
/// (the erasure rolls back).
pub(crate) const DELETE_USER: &str = "DELETE FROM users WHERE id = $1";

/// `$1` is the time; returns the new erasure number.
pub(crate) const NEW_ERASURE: &str = "INSERT INTO erasures (erased_at) VALUES ($1) RETURNING id";

/// Re-key person `$1`'s statistics to erasure `$2` (user id 0): activity, then
/// attempts (their answers follow the attempt id).
pub(crate) const ANONYMISE: [&str; 2] = [
    "UPDATE activity SET user_id = 0, erasure_id = $2 WHERE user_id = $1",
    "UPDATE quiz_attempts SET user_id = 0, erasure_id = $2 WHERE user_id = $1",
];

/// The rest of what names or identifies person `$1`, deleted.
pub(crate) const ERASE: [&str; 3] = [
    "DELETE FROM review_items WHERE user_id = $1",
    "DELETE FROM certificates WHERE user_id = $1",
    "DELETE FROM deletion_requests WHERE user_id = $1",
];
