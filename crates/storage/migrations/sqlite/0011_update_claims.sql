-- Update ids already handled (or being handled), for a bot that keeps its other
-- state in memory: Telegram delivers unconfirmed updates again after a crash, and
-- they must not be answered twice. Claims older than a day are forgotten.
-- Times are INTEGER microseconds since the Unix epoch, UTC, as in 0001.

CREATE TABLE update_claims (
    update_id  INTEGER PRIMARY KEY,
    claimed_at INTEGER NOT NULL
);

CREATE INDEX update_claims_age ON update_claims (claimed_at);
