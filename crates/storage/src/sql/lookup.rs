//! Statements of the look-up port that both backends share.

/// People whose id is `$1` (NULL matches nobody) or whose search key contains the
/// LIKE pattern `$2` (escaped with `\` by `records::lookup::contains_pattern`), by
/// ascending id, at most `$3`. Columns in the order of `PersonRow`.
pub(crate) const SEARCH_PEOPLE: &str = "SELECT id, first_name, last_name, username, park, \
         department, blocked, inactive, last_seen \
     FROM users WHERE id = $1 OR search_key LIKE $2 ESCAPE '\\' ORDER BY id LIMIT $3";

/// Distinct readers per page, most first; equal counts by path (the paths are
/// ASCII file paths, which every collation orders alike). At most `$1` rows.
pub(crate) const TOP_PAGES: &str = "SELECT subject AS path, COUNT(DISTINCT user_id) AS readers \
     FROM activity WHERE kind = 'page_view' AND subject IS NOT NULL \
     GROUP BY subject ORDER BY readers DESC, subject LIMIT $1";

/// People without a search key yet (known before migration 0007), a batch of `$1`.
pub(crate) const UNKEYED_PEOPLE: &str = "SELECT id, first_name, last_name, username \
     FROM users WHERE search_key IS NULL ORDER BY id LIMIT $1";

pub(crate) const SET_SEARCH_KEY: &str = "UPDATE users SET search_key = $2 WHERE id = $1";
