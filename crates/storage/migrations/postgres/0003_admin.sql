-- The admin panel's audit log: who did what, when. Append-only: the storage crate
-- has no statement that updates or deletes an entry. Times are timestamptz, as in
-- 0001.

CREATE TABLE audit_log (
    id      BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- pages are "id < before"
    at      TIMESTAMPTZ NOT NULL,
    actor   BIGINT      NOT NULL,                -- Telegram user id of the (would-be) admin
    action  TEXT        NOT NULL,                -- `login`, `login_failed`, `view_stats`, …
    detail  TEXT        NOT NULL                 -- never a password
);

CREATE INDEX audit_log_at ON audit_log (at);
