-- Narrower admin roles given from the panel: a park manager (statistics, people,
-- exports of one park) or a content editor. Allow-listed admins (ADMIN_IDS) are
-- not stored here: they have every right. Times are timestamptz.

CREATE TABLE roles (
    user_id       BIGINT PRIMARY KEY REFERENCES users (id),
    role          TEXT    NOT NULL CHECK (role IN ('park_manager', 'content_editor')),
    park          TEXT,                 -- the park of a park manager, else NULL
    password_hash TEXT,                 -- Argon2id PHC string, set by the holder at first login
    granted_by    BIGINT NOT NULL,
    granted_at    TIMESTAMPTZ NOT NULL,
    CHECK ((role = 'park_manager') = (park IS NOT NULL))
);
