-- A claim is now taken as an update's handling starts and finished once its
-- answer is sent: a claim left unfinished (the process died half-way) is taken
-- over when Telegram delivers the update again, instead of leaving it unanswered
-- (ADR 0037). Claims made before this migration count as finished.

ALTER TABLE update_claims ADD COLUMN finished BOOLEAN NOT NULL DEFAULT TRUE;
