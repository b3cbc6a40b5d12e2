-- Narrower admin roles given from the panel: a park manager (statistics, people,
-- exports of one park) or a content editor. Allow-listed admins (ADMIN_IDS) are
-- not stored here: they have every right. Times are INTEGER microseconds, UTC.

CREATE TABLE roles (
    user_id       INTEGER PRIMARY KEY REFERENCES users (id),
    role          TEXT    NOT NULL CHECK (role IN ('park_manager', 'content_editor')),
    park          TEXT,                 -- the park of a park manager, else NULL
    password_hash TEXT,                 -- Argon2id PHC string, set by the holder at first login
    granted_by    INTEGER NOT NULL,
    granted_at    INTEGER NOT NULL,
    CHECK ((role = 'park_manager') = (park IS NOT NULL))
);
