-- Times are INTEGER microseconds since the Unix epoch, UTC: they sort and compare
-- as numbers and keep the same precision as PostgreSQL's timestamptz.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,          -- Telegram user id (64-bit)
    first_name  TEXT    NOT NULL,
    last_name   TEXT,
    username    TEXT,
    language    TEXT    NOT NULL,             -- `Lang::code()`: "ru", "en"
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    blocked     BOOLEAN NOT NULL DEFAULT FALSE, -- blocked by an admin
    inactive    BOOLEAN NOT NULL DEFAULT FALSE  -- the person blocked the bot
);

CREATE TABLE activity (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id  INTEGER NOT NULL,                -- no foreign key: activity is written in batches, off the update path
    kind     TEXT    NOT NULL,                -- `ActivityKind::as_str()`
    subject  TEXT,
    at       INTEGER NOT NULL
);

CREATE INDEX activity_user_at ON activity (user_id, at);
CREATE INDEX activity_at ON activity (at);

CREATE TABLE media_cache (
    key         TEXT    PRIMARY KEY,
    file_id     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000000 AS INTEGER))
);
