-- Times are timestamptz (UTC instants, microsecond precision).

CREATE TABLE users (
    id          BIGINT      PRIMARY KEY,      -- Telegram user id (64-bit)
    first_name  TEXT        NOT NULL,
    last_name   TEXT,
    username    TEXT,
    language    TEXT        NOT NULL,         -- `Lang::code()`: "ru", "en"
    first_seen  TIMESTAMPTZ NOT NULL,
    last_seen   TIMESTAMPTZ NOT NULL,
    blocked     BOOLEAN     NOT NULL DEFAULT FALSE, -- blocked by an admin
    inactive    BOOLEAN     NOT NULL DEFAULT FALSE  -- the person blocked the bot
);

CREATE TABLE activity (
    id       BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id  BIGINT      NOT NULL,            -- no foreign key: activity is written in batches, off the update path
    kind     TEXT        NOT NULL,            -- `ActivityKind::as_str()`
    subject  TEXT,
    at       TIMESTAMPTZ NOT NULL
);

CREATE INDEX activity_user_at ON activity (user_id, at);
CREATE INDEX activity_at ON activity (at);

CREATE TABLE media_cache (
    key         TEXT        PRIMARY KEY,
    file_id     TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
