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

/// Each distinct answer to each question of a knowledge check (not a review) and
/// how often it was given, by people now in park `$1` and department `$2` (either
/// may be NULL for any). Unordered: `records::lookup` orders byte by byte.
pub(crate) const ANSWER_COUNTS: &str = "SELECT q.quiz_id, q.question_id, q.chosen, q.correct, \
         COUNT(*) AS answers \
     FROM quiz_answers q JOIN quiz_attempts a ON a.id = q.attempt_id \
         LEFT JOIN users u ON u.id = a.user_id \
     WHERE a.kind = 'quiz' \
         AND (CAST($1 AS TEXT) IS NULL OR (u.park = $1 AND u.park_assigned)) \
         AND (CAST($2 AS TEXT) IS NULL OR u.department = $2) \
     GROUP BY q.quiz_id, q.question_id, q.chosen, q.correct";

/// People (now in park `$1`, or anyone when NULL) with at least one certificate.
pub(crate) const COUNT_CERTIFIED: &str = "SELECT COUNT(DISTINCT c.user_id) \
     FROM certificates c JOIN users u ON u.id = c.user_id \
     WHERE CAST($1 AS TEXT) IS NULL OR (u.park = $1 AND u.park_assigned)";

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

/// The overdue learners of `LookupStore::overdue`. `$1` is a JSON array of the
/// departments' paths, `[{"department", "registered_by", "pages", "quizzes"}]`
/// (`registered_by` in microseconds since the epoch, `pages` and `quizzes` how
/// many are required), `$2` one of what they require, `[{"department", "kind",
/// "item"}]` (`kind` is `page` with a page path or `quiz` with a quiz id, each
/// listed once), and `$3` the park (people assigned to it, ADR 0020) or NULL. `$paths` and `$items` are the
/// backend's way of reading those arrays as rows (`paths`: department,
/// registered_by as a stored time, pages, quizzes; `items`: department, kind,
/// item). Each late learner's page views and passed knowledge checks are counted
/// against their department's list in one pass; only incomplete paths are
/// returned, by id. The CTEs are `MATERIALIZED`: SQLite (3.51) otherwise inlines
/// them and parses the JSON again for every activity row (1.5 s instead of 0.1 s
/// with 10 000 learners), and the small lists are best read once anyway.
macro_rules! overdue {
    ($paths:literal, $items:literal) => {
        concat!(
            "WITH paths AS MATERIALIZED (",
            $paths,
            "), items AS MATERIALIZED (",
            $items,
            "), \
             late AS MATERIALIZED (SELECT u.id, u.department, u.first_seen, p.pages, p.quizzes \
                 FROM users u JOIN paths p ON p.department = u.department \
                 WHERE u.onboarded = TRUE AND u.blocked = FALSE AND u.inactive = FALSE \
                     AND u.first_seen <= p.registered_by \
                     AND (CAST($3 AS TEXT) IS NULL OR (u.park = $3 AND u.park_assigned))), \
             pages_read AS (SELECT l.id, COUNT(DISTINCT i.item) AS n FROM late l \
                 JOIN activity a ON a.user_id = l.id AND a.kind = 'page_view' \
                 JOIN items i ON i.department = l.department AND i.kind = 'page' \
                     AND i.item = a.subject \
                 GROUP BY l.id), \
             quizzes_passed AS (SELECT l.id, COUNT(DISTINCT i.item) AS n FROM late l \
                 JOIN items i ON i.department = l.department AND i.kind = 'quiz' \
                 JOIN quiz_attempts q ON q.user_id = l.id AND q.quiz_id = i.item \
                     AND q.kind = 'quiz' AND q.passed = TRUE \
                 GROUP BY l.id) \
             SELECT l.id, l.department, l.first_seen, \
                 COALESCE(r.n, 0) AS pages_read, COALESCE(q.n, 0) AS quizzes_passed \
             FROM late l LEFT JOIN pages_read r ON r.id = l.id \
                 LEFT JOIN quizzes_passed q ON q.id = l.id \
             WHERE COALESCE(r.n, 0) < l.pages OR COALESCE(q.n, 0) < l.quizzes \
             ORDER BY l.id"
        )
    };
}

/// On SQLite the arrays are read with `json_each`; times are integer
/// microseconds already.
pub(crate) const OVERDUE_SQLITE: &str = overdue!(
    "SELECT json_extract(value, '$.department') AS department, \
         json_extract(value, '$.registered_by') AS registered_by, \
         json_extract(value, '$.pages') AS pages, json_extract(value, '$.quizzes') AS quizzes \
     FROM json_each($1)",
    "SELECT json_extract(value, '$.department') AS department, \
         json_extract(value, '$.kind') AS kind, json_extract(value, '$.item') AS item \
     FROM json_each($2)"
);

/// On PostgreSQL with `jsonb_to_recordset`; microseconds become a `timestamptz`
/// by exact interval arithmetic.
pub(crate) const OVERDUE_POSTGRES: &str = overdue!(
    "SELECT department, TIMESTAMPTZ 'epoch' + registered_by * INTERVAL '1 microsecond' \
         AS registered_by, pages, quizzes \
     FROM jsonb_to_recordset(CAST($1 AS JSONB)) \
         AS r(department TEXT, registered_by BIGINT, pages BIGINT, quizzes BIGINT)",
    "SELECT department, kind, item FROM jsonb_to_recordset(CAST($2 AS JSONB)) \
         AS r(department TEXT, kind TEXT, item TEXT)"
);
