-- Learning: staff profiles, quiz attempts and answers, spaced review, reminders and
-- certificates. Times are timestamptz, as in 0001. JSON columns are TEXT holding what
-- the storage crate encodes (see `records/learning.rs`), the same as on SQLite.
-- Scores and points are BIGINT so that every u32 fits.

ALTER TABLE users
    ADD COLUMN park             TEXT,             -- a park id from the content pack
    ADD COLUMN department       TEXT,             -- a department id from the content pack
    ADD COLUMN position         TEXT,             -- free text
    ADD COLUMN onboarded        BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN last_reminded_at TIMESTAMPTZ;

CREATE TABLE quiz_attempts (
    id           BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      BIGINT      NOT NULL,            -- no foreign key, like activity
    kind         TEXT        NOT NULL CHECK (kind IN ('quiz', 'review')),
    quiz_id      TEXT        NOT NULL,            -- "review" for a review
    questions    TEXT        NOT NULL,            -- JSON [{quiz_id, question_id, option_order: [u8]}]
    started_at   TIMESTAMPTZ NOT NULL,
    deadline     TIMESTAMPTZ,
    finished_at  TIMESTAMPTZ,                     -- NULL while open; set once
    score        BIGINT,                          -- the result: all set with finished_at
    max_score    BIGINT,
    passed       BOOLEAN
);

CREATE INDEX quiz_attempts_user_quiz ON quiz_attempts (user_id, quiz_id);
-- Finding a person's open attempt.
CREATE INDEX quiz_attempts_open ON quiz_attempts (user_id, started_at) WHERE finished_at IS NULL;

CREATE TABLE quiz_answers (
    attempt_id     BIGINT      NOT NULL REFERENCES quiz_attempts (id) ON DELETE CASCADE,
    position       INTEGER     NOT NULL,          -- index of the question in the attempt
    quiz_id        TEXT        NOT NULL,
    question_id    TEXT        NOT NULL,
    chosen         TEXT        NOT NULL,          -- option indices, ascending: "0,2"; "" for none
    correct        BOOLEAN     NOT NULL,
    points         BIGINT      NOT NULL,
    answered_at    TIMESTAMPTZ NOT NULL,
    time_taken_ms  BIGINT      NOT NULL,
    -- One answer per question: a double tap is refused here.
    PRIMARY KEY (attempt_id, position)
);

CREATE TABLE review_items (
    user_id      BIGINT      NOT NULL,
    quiz_id      TEXT        NOT NULL,
    question_id  TEXT        NOT NULL,
    stage        INTEGER     NOT NULL,            -- 0, 1, 2
    due_at       TIMESTAMPTZ NOT NULL,
    -- The key's first column finds a person's reviews; they are few.
    PRIMARY KEY (user_id, quiz_id, question_id)
);

CREATE TABLE certificates (
    code        TEXT        PRIMARY KEY,          -- verification code, e.g. TB-7K2QX9
    user_id     BIGINT      NOT NULL,
    department  TEXT        NOT NULL,
    full_name   TEXT        NOT NULL,
    park        TEXT,
    issued_at   TIMESTAMPTZ NOT NULL,
    quizzes     TEXT        NOT NULL,             -- JSON [[quiz_id, percent], …]
    -- One certificate per person and department.
    UNIQUE (user_id, department)
);
