-- Update ids already handled (or being handled), for a bot that keeps its other
-- state in memory: Telegram delivers unconfirmed updates again after a crash, and
-- they must not be answered twice. Claims older than a day are forgotten.

CREATE TABLE update_claims (
    update_id  BIGINT      PRIMARY KEY,
    claimed_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX update_claims_age ON update_claims (claimed_at);
