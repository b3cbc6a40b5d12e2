-- Personal data (issue 4): deletion requests, and erasure that keeps statistics.
-- An erased person's activity and attempts stay, with user_id 0 (no Telegram id is
-- 0) and the number of their erasure; nothing links that number to the person.
-- Times are INTEGER microseconds since the Unix epoch, UTC, as in 0001.

CREATE TABLE deletion_requests (
    user_id       INTEGER PRIMARY KEY,          -- one pending request per person
    requested_at  INTEGER NOT NULL
);

CREATE TABLE erasures (
    id         INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: one number per erased person
    erased_at  INTEGER NOT NULL
);

ALTER TABLE activity ADD COLUMN erasure_id INTEGER;      -- set (and user_id 0) once erased
ALTER TABLE quiz_attempts ADD COLUMN erasure_id INTEGER; -- likewise

-- A person's attempts in id order (the personal-data export and the answers join).
CREATE INDEX quiz_attempts_user_id ON quiz_attempts (user_id, id);
