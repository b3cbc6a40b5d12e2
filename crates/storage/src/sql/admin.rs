//! Statements of the admin port that both backends share. The audit log is
//! append-only: there is deliberately no statement that updates or deletes an entry.

pub(crate) const RECORD_AUDIT: &str =
    "INSERT INTO audit_log (at, actor, action, detail) VALUES ($1, $2, $3, $4)";

/// Newest first by id (the order of writing); `$1` is the exclusive upper bound
/// (`i64::MAX` for the first page), `$2` the page size. Columns in the order of
/// `AuditRow`.
pub(crate) const AUDIT_ENTRIES: &str = "SELECT id, at, actor, action, detail FROM audit_log \
     WHERE id < $1 ORDER BY id DESC LIMIT $2";

/// `$1` is now; `$2`, `$3`, `$4` are now minus 24 hours, 7 days and 30 days. A
/// window is inclusive at both ends, so a time after now counts in none. Only the people
/// assigned to park `$5` unless it is NULL (a park manager's view). Columns in the order of
/// `CountsRow`.
pub(crate) const PEOPLE_COUNTS: &str = "SELECT \
         COUNT(*) AS total, \
         COUNT(*) FILTER (WHERE last_seen >= $2 AND last_seen <= $1) AS active_today, \
         COUNT(*) FILTER (WHERE last_seen >= $3 AND last_seen <= $1) AS active_7d, \
         COUNT(*) FILTER (WHERE last_seen >= $4 AND last_seen <= $1) AS active_30d, \
         COUNT(*) FILTER (WHERE first_seen >= $3 AND first_seen <= $1) AS new_7d, \
         COUNT(*) FILTER (WHERE blocked) AS blocked, \
         COUNT(*) FILTER (WHERE inactive) AS inactive \
     FROM users WHERE CAST($5 AS TEXT) IS NULL OR (park = $5 AND park_assigned)";

/// No park and an empty park are one group, `""`. Unordered: the order (count
/// first, then the id byte by byte) is applied in `records/admin.rs`, so that it
/// does not depend on the database's collation.
/// Only park `$1`'s people unless it is NULL, as in `PEOPLE_COUNTS`.
pub(crate) const PEOPLE_BY_PARK: &str = "SELECT COALESCE(park, '') AS name, COUNT(*) AS people \
     FROM users WHERE CAST($1 AS TEXT) IS NULL OR (park = $1 AND park_assigned) \
     GROUP BY COALESCE(park, '')";

/// As `PEOPLE_BY_PARK`, for departments.
pub(crate) const PEOPLE_BY_DEPARTMENT: &str = "SELECT COALESCE(department, '') AS name, \
     COUNT(*) AS people FROM users WHERE CAST($1 AS TEXT) IS NULL OR (park = $1 AND park_assigned) \
     GROUP BY COALESCE(department, '')";

/// Whether a `users` row has the status bound as `$1` (see
/// `records::admin::status_code`); an unknown code matches nobody.
macro_rules! status_matches {
    () => {
        "CASE $1 \
             WHEN 'any' THEN TRUE \
             WHEN 'active' THEN NOT blocked AND NOT inactive \
             WHEN 'blocked' THEN blocked \
             WHEN 'inactive' THEN inactive \
             ELSE FALSE \
         END"
    };
}

pub(crate) use status_matches;

/// People with the status `$1`, by ascending id from `$2` (inclusive: the bound
/// from `records::admin::people_bound`), at most `$3`. Columns in the order of
/// `PersonRow`.
pub(crate) const PEOPLE: &str = concat!(
    "SELECT id, first_name, last_name, username, park, department, blocked, inactive, \
         last_seen \
     FROM users WHERE id >= $2 AND ",
    status_matches!(),
    " ORDER BY id LIMIT $3"
);

/// How many people have the status `$1`.
pub(crate) const COUNT_PEOPLE: &str =
    concat!("SELECT COUNT(*) FROM users WHERE ", status_matches!());
