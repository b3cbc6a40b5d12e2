-- Content edited in the admin panel: every change to a page is a version, never
-- changed or deleted; the newest version of each (path, field) is laid over the
-- pack. Times are INTEGER microseconds since the Unix epoch, UTC, as in 0001.

CREATE TABLE content_overrides (
    id         INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: buttons carry it
    path       TEXT    NOT NULL,                  -- the page's path in the pack
    field      TEXT    NOT NULL CHECK (field IN ('text:ru', 'text:en', 'media')),
    value      TEXT    NOT NULL CHECK (value IN ('pack', 'text', 'media', 'none')),
    body       TEXT,                              -- the Markdown, or the Telegram file_id
    media_kind TEXT    CHECK (media_kind IN ('photo', 'video', 'document')),
    author     INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    CHECK ((value IN ('text', 'media')) = (body IS NOT NULL)),
    CHECK ((value = 'media') = (media_kind IS NOT NULL))
);

CREATE INDEX content_overrides_page ON content_overrides (path, id);
CREATE INDEX content_overrides_field ON content_overrides (path, field, id);

-- Every successful "reload from disk", so that the other replicas reload too.
CREATE TABLE content_reloads (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    requested_by INTEGER NOT NULL,
    requested_at INTEGER NOT NULL
);
