-- What `trainbot import legacy` brought in from the old Python bot: one row per
-- imported legacy activity row, written in the same transaction as the activity,
-- so that a second import adds nothing. The key (`user_activity <old id> <old
-- time µs>`) names no person. Times are INTEGER microseconds since the Unix
-- epoch, UTC, as in 0001.

CREATE TABLE legacy_imports (
    key          TEXT    PRIMARY KEY,
    imported_at  INTEGER NOT NULL
);
