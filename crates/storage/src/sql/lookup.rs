//! Statements of the look-up port that both backends share.

use super::admin::status_matches;

/// The columns of a `PersonRow`, in its order.
macro_rules! person_columns {
    () => {
        "id, first_name, last_name, username, park, department, blocked, inactive, last_seen"
    };
}

/// Whether a `users` row is assigned to park `$a` and in department `$b` (each
/// NULL: any). A park the person only chose themselves does not count (ADR 0020).
/// The casts give PostgreSQL the parameters' type where they are only tested for
/// NULL.
macro_rules! placed_in {
    ($park:literal, $department:literal) => {
        concat!(
            "(CAST(",
            $park,
            " AS TEXT) IS NULL OR (park = ",
            $park,
            " AND park_assigned)) AND (CAST(",
            $department,
            " AS TEXT) IS NULL OR department = ",
            $department,
            ")"
        )
    };
}

/// People with the status `$1` (see `records::admin::status_code`), in park `$4`
/// and department `$5` (NULL: any), by ascending id from `$2` (inclusive: the
/// bound from `records::admin::people_bound`), at most `$3`.
pub(crate) const FILTERED_PEOPLE: &str = concat!(
    "SELECT ",
    person_columns!(),
    " FROM users WHERE id >= $2 AND ",
    status_matches!(),
    " AND ",
    placed_in!("$4", "$5"),
    " ORDER BY id LIMIT $3"
);

/// How many people `FILTERED_PEOPLE` walks: status `$1`, park `$2`, department `$3`.
pub(crate) const COUNT_FILTERED_PEOPLE: &str = concat!(
    "SELECT COUNT(*) FROM users WHERE ",
    status_matches!(),
    " AND ",
    placed_in!("$2", "$3")
);

/// People whose id is `$1` (NULL matches nobody) or whose search key contains the
/// LIKE pattern `$2` (escaped with `\` by `records::lookup::contains_pattern`), by
/// ascending id, at most `$3`; only in park `$4` unless it is NULL. Columns in the
/// order of `PersonRow`.
pub(crate) const SEARCH_PEOPLE: &str = concat!(
    "SELECT ",
    person_columns!(),
    " FROM users WHERE (id = $1 OR search_key LIKE $2 ESCAPE '\\') \
         AND (CAST($4 AS TEXT) IS NULL OR (park = $4 AND park_assigned)) ORDER BY id LIMIT $3"
);

/// Distinct readers per page, most first; equal counts by path (the paths are
/// ASCII file paths, which every collation orders alike). At most `$1` rows; only
/// readers who are in park `$2` now, unless it is NULL.
pub(crate) const TOP_PAGES: &str = "SELECT subject AS path, COUNT(DISTINCT user_id) AS readers \
     FROM activity WHERE kind = 'page_view' AND subject IS NOT NULL \
         AND (CAST($2 AS TEXT) IS NULL OR user_id IN (SELECT id FROM users WHERE park = $2 AND park_assigned)) \
     GROUP BY subject ORDER BY readers DESC, subject LIMIT $1";

/// People without a search key yet (known before migration 0007), a batch of `$1`.
pub(crate) const UNKEYED_PEOPLE: &str = "SELECT id, first_name, last_name, username \
     FROM users WHERE search_key IS NULL ORDER BY id LIMIT $1";

pub(crate) const SET_SEARCH_KEY: &str = "UPDATE users SET search_key = $2 WHERE id = $1";

/// Finished quiz attempts (not reviews) grouped by `$group`, with `$join` joining
/// `users` as `u`, only of people now in park `$1` unless it is NULL: attempts, passes and the sum of whole percents (see `QuizGroup`). `CAST` keeps
/// the sum a 64-bit integer on PostgreSQL, where `SUM(bigint)` is `numeric`.
/// Unordered: `records::lookup` orders by id byte by byte.
macro_rules! quiz_groups {
    ($group:literal, $join:literal) => {
        concat!(
            "SELECT ",
            $group,
            " AS id, COUNT(*) AS attempts, \
                 COUNT(*) FILTER (WHERE a.passed) AS passed, \
                 CAST(SUM(CASE WHEN a.max_score > 0 THEN a.score * 100 / a.max_score \
                     ELSE 0 END) AS BIGINT) AS percent_sum \
             FROM quiz_attempts a ",
            $join,
            " WHERE a.kind = 'quiz' AND a.finished_at IS NOT NULL \
                 AND (CAST($1 AS TEXT) IS NULL OR (u.park = $1 AND u.park_assigned)) GROUP BY ",
            $group
        )
    };
}

/// Every attempt, also of people no longer in `users` (unless a park is given).
pub(crate) const QUIZ_STATS_BY_QUIZ: &str =
    quiz_groups!("a.quiz_id", "LEFT JOIN users u ON u.id = a.user_id");

/// By the department the person has now (an attempt by someone unknown to `users`
/// is left out).
pub(crate) const QUIZ_STATS_BY_DEPARTMENT: &str = quiz_groups!(
    "COALESCE(u.department, '')",
    "JOIN users u ON u.id = a.user_id"
);

/// By the park the person has now.
pub(crate) const QUIZ_STATS_BY_PARK: &str =
    quiz_groups!("COALESCE(u.park, '')", "JOIN users u ON u.id = a.user_id");

/// Page views by the people of park `$1` since `$2`, per quarter hour: `$slot` is
/// the backend's expression for the slot's start in seconds since the epoch.
macro_rules! views_by_slot {
    ($slot:literal) => {
        concat!(
            "SELECT ",
            $slot,
            " AS slot, COUNT(*) AS views \
             FROM activity a JOIN users u ON u.id = a.user_id \
             WHERE a.kind = 'page_view' AND u.park = $1 AND u.park_assigned AND a.at >= $2 \
             GROUP BY 1 ORDER BY 1"
        )
    };
}

/// On SQLite `at` is integer microseconds: 900 000 000 µs to a slot.
pub(crate) const VIEWS_BY_SLOT_SQLITE: &str = views_by_slot!("(a.at / 900000000) * 900");

/// On PostgreSQL `at` is `timestamptz`.
pub(crate) const VIEWS_BY_SLOT_POSTGRES: &str =
    views_by_slot!("CAST(FLOOR(EXTRACT(EPOCH FROM a.at) / 900) AS BIGINT) * 900");
