-- Whether a person's park was assigned by an admin (moving them) or by the invite
-- they joined with, rather than chosen by the person in onboarding or /profile.
-- Only an assigned park puts a person in a park manager's view, and a person
-- cannot change an assigned park themselves (ADR 0020). Nobody's park is known to
-- have been assigned before this migration: admins assign parks from the card.
ALTER TABLE users ADD COLUMN park_assigned BOOLEAN NOT NULL DEFAULT FALSE;
