//! SQL that both backends run verbatim: `$N` placeholders, `ON CONFLICT` and
//! `RETURNING` mean the same in SQLite (≥ 3.35) and PostgreSQL, and times bind as
//! [`crate::stamp::Stamp`]. Statements whose dialects differ are the backend's
//! (`crate::store::Dialect`). Each port's statements are in `sql/<port>.rs`.

pub(crate) mod access;
pub(crate) mod admin;
pub(crate) mod learning;
pub(crate) mod lookup;
pub(crate) mod personal_data;
pub(crate) mod roles;

/// The columns every user query returns, in the order `decode_user` reads them.
macro_rules! user_columns {
    () => {
        "id, first_name, last_name, username, language, first_seen, last_seen, blocked, inactive"
    };
}

/// Creates the person, or refreshes names and `last_seen` and clears `inactive`;
/// language, `first_seen` and `blocked` are kept. `$6` is both times on creation;
/// `$7` is the names' search key (`engine::ports::search_key`).
pub(crate) const TOUCH_USER: &str = concat!(
    "INSERT INTO users (id, first_name, last_name, username, language, first_seen, last_seen, blocked, inactive, search_key) \
     VALUES ($1, $2, $3, $4, $5, $6, $6, FALSE, FALSE, $7) \
     ON CONFLICT (id) DO UPDATE SET \
         first_name = excluded.first_name, \
         last_name = excluded.last_name, \
         username = excluded.username, \
         last_seen = excluded.last_seen, \
         search_key = excluded.search_key, \
         inactive = FALSE \
     RETURNING ",
    user_columns!()
);

pub(crate) const USER: &str = concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1");

pub(crate) const SET_LANGUAGE: &str = "UPDATE users SET language = $2 WHERE id = $1";

pub(crate) const SET_INACTIVE: &str = "UPDATE users SET inactive = $2 WHERE id = $1";

pub(crate) const SET_BLOCKED: &str = "UPDATE users SET blocked = $2 WHERE id = $1";

pub(crate) const COUNT_USERS: &str = "SELECT COUNT(*) FROM users";

/// Newest first; `id` breaks ties between records with the same time.
pub(crate) const RECENT_ACTIVITY: &str = "SELECT user_id, kind, subject, at FROM activity \
     WHERE user_id = $1 ORDER BY at DESC, id DESC LIMIT $2";

pub(crate) const MEDIA_FILE_ID: &str = "SELECT file_id FROM media_cache WHERE key = $1";

/// `created_at` takes the column default (the database's clock) on insert and on
/// overwrite.
pub(crate) const SAVE_MEDIA_FILE_ID: &str = "INSERT INTO media_cache (key, file_id) VALUES ($1, $2) \
     ON CONFLICT (key) DO UPDATE SET file_id = excluded.file_id, created_at = excluded.created_at";

pub(crate) const PING: &str = "SELECT 1";

/// Claims an update id as being handled: inserts it, or takes over a claim older
/// than $3 (ids are reused by Telegram only after a long quiet) or one never
/// finished (its attempt died). One row changed = claimed.
pub(crate) const CLAIM_UPDATE: &str = "INSERT INTO update_claims (update_id, claimed_at, finished) \
     VALUES ($1, $2, FALSE) \
     ON CONFLICT (update_id) DO UPDATE SET claimed_at = excluded.claimed_at, finished = FALSE \
     WHERE update_claims.claimed_at < $3 OR NOT update_claims.finished";

/// Marks an update finished: a later delivery of it is a duplicate. The claim is
/// created if the update was new and so never claimed (see `Engine::handle`).
pub(crate) const FINISH_UPDATE: &str = "INSERT INTO update_claims (update_id, claimed_at, finished) \
     VALUES ($1, $2, TRUE) \
     ON CONFLICT (update_id) DO UPDATE SET finished = TRUE";

/// The newest update id claimed.
pub(crate) const LAST_CLAIMED: &str = "SELECT MAX(update_id) FROM update_claims";

/// Forgets claims older than $1.
pub(crate) const FORGET_UPDATE_CLAIMS: &str = "DELETE FROM update_claims WHERE claimed_at < $1";

/// Old claims are deleted when a claimed or finished id is a multiple of this: a
/// cheap, steady clean-up with no job of its own.
pub(crate) const FORGET_CLAIMS_EVERY: i64 = 1000;
