-- Broadcasts: durable jobs, one row per announcement and one per recipient, sent by
-- one background worker at a time (see `leases`). Times are timestamptz, as in 0001.

CREATE TABLE broadcasts (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- never reused: history pages are "id < before"
    created_by   BIGINT NOT NULL,                   -- Telegram id of the admin
    created_at   TIMESTAMPTZ NOT NULL,
    source       TEXT    NOT NULL,                   -- the Markdown as the admin wrote it (validated; rendered when sent)
    media_kind   TEXT,                               -- `photo`, `video`, `document` or NULL
    media_file_id TEXT,                              -- Telegram file_id of the admin's upload
    audience     TEXT    NOT NULL,                   -- `Audience::encode()`
    state        TEXT    NOT NULL,                   -- `BroadcastState::as_str()`
    start_at     TIMESTAMPTZ NOT NULL,                   -- when it may start (creation time if not scheduled)
    started_at   TIMESTAMPTZ,
    status_message BIGINT ,                         -- the admin's status message, edited while it runs
    finished_at  TIMESTAMPTZ
);

CREATE INDEX broadcasts_state ON broadcasts (state, start_at);

CREATE TABLE broadcast_recipients (
    broadcast_id BIGINT NOT NULL REFERENCES broadcasts (id),
    user_id      BIGINT NOT NULL,
    state        TEXT    NOT NULL DEFAULT 'pending', -- `Delivery::as_str()`
    detail       TEXT,                               -- why it failed, for the operator
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (broadcast_id, user_id)              -- nobody is a recipient twice
);

CREATE INDEX broadcast_recipients_state ON broadcast_recipients (broadcast_id, state, user_id);

-- Named leases: the replica holding one runs that job. Taken over when expired.
CREATE TABLE leases (
    name        TEXT    PRIMARY KEY,
    holder      TEXT    NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
