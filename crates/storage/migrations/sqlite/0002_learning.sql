-- Learning: staff profiles, quiz attempts and answers, spaced review, reminders and
-- certificates. Times are INTEGER microseconds since the Unix epoch, UTC, as in
-- 0001. JSON columns hold what the storage crate encodes (see `records/learning.rs`).

ALTER TABLE users ADD COLUMN park TEXT;             -- a park id from the content pack
ALTER TABLE users ADD COLUMN department TEXT;       -- a department id from the content pack
ALTER TABLE users ADD COLUMN position TEXT;         -- free text
ALTER TABLE users ADD COLUMN onboarded BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN last_reminded_at INTEGER;

CREATE TABLE quiz_attempts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL,                -- no foreign key, like activity
    kind         TEXT    NOT NULL CHECK (kind IN ('quiz', 'review')),
    quiz_id      TEXT    NOT NULL,                -- "review" for a review
    questions    TEXT    NOT NULL,                -- JSON [{quiz_id, question_id, option_order: [u8]}]
    started_at   INTEGER NOT NULL,
    deadline     INTEGER,
    finished_at  INTEGER,                         -- NULL while open; set once
    score        INTEGER,                         -- the result: all set with finished_at
    max_score    INTEGER,
    passed       BOOLEAN
);

CREATE INDEX quiz_attempts_user_quiz ON quiz_attempts (user_id, quiz_id);
-- Finding a person's open attempt.
CREATE INDEX quiz_attempts_open ON quiz_attempts (user_id, started_at) WHERE finished_at IS NULL;

CREATE TABLE quiz_answers (
    attempt_id     INTEGER NOT NULL REFERENCES quiz_attempts (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,              -- index of the question in the attempt
    quiz_id        TEXT    NOT NULL,
    question_id    TEXT    NOT NULL,
    chosen         TEXT    NOT NULL,              -- option indices, ascending: "0,2"; "" for none
    correct        BOOLEAN NOT NULL,
    points         INTEGER NOT NULL,
    answered_at    INTEGER NOT NULL,
    time_taken_ms  INTEGER NOT NULL,
    -- One answer per question: a double tap is refused here.
    PRIMARY KEY (attempt_id, position)
);

CREATE TABLE review_items (
    user_id      INTEGER NOT NULL,
    quiz_id      TEXT    NOT NULL,
    question_id  TEXT    NOT NULL,
    stage        INTEGER NOT NULL,                -- 0, 1, 2
    due_at       INTEGER NOT NULL,
    -- The key's first column finds a person's reviews; they are few.
    PRIMARY KEY (user_id, quiz_id, question_id)
);

CREATE TABLE certificates (
    code        TEXT    PRIMARY KEY,              -- verification code, e.g. TB-7K2QX9
    user_id     INTEGER NOT NULL,
    department  TEXT    NOT NULL,
    full_name   TEXT    NOT NULL,
    park        TEXT,
    issued_at   INTEGER NOT NULL,
    quizzes     TEXT    NOT NULL,                 -- JSON [[quiz_id, percent], …]
    -- One certificate per person and department.
    UNIQUE (user_id, department)
);
