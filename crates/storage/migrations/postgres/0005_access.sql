-- Who may use the bot: access grants, invite links and access requests. Times are
-- timestamptz, as in 0001.

CREATE TABLE access_grants (
    user_id    BIGINT      PRIMARY KEY REFERENCES users (id),
    granted_at TIMESTAMPTZ NOT NULL,
    via        TEXT        NOT NULL      -- `existing`, `open`, `invite <id>`, `approved by <admin>`
);

-- Everyone who used the bot before invites existed keeps using it.
INSERT INTO access_grants (user_id, granted_at, via)
    SELECT id, last_seen, 'existing' FROM users;

CREATE TABLE invites (
    id          BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- buttons carry it
    code        TEXT        NOT NULL UNIQUE,                          -- the secret part of the link
    park        TEXT,
    department  TEXT,
    created_by  BIGINT      NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    max_uses    BIGINT,                                               -- NULL: any number of people
    uses        BIGINT      NOT NULL DEFAULT 0,
    revoked_at  TIMESTAMPTZ,
    CHECK (max_uses IS NULL OR uses <= max_uses)
);

CREATE TABLE access_requests (
    user_id      BIGINT      PRIMARY KEY REFERENCES users (id), -- one request per person
    name         TEXT        NOT NULL,                          -- as typed (normalised)
    requested_at TIMESTAMPTZ NOT NULL,
    status       TEXT        NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by   BIGINT,
    decided_at   TIMESTAMPTZ
);

CREATE INDEX access_requests_pending ON access_requests (requested_at) WHERE status = 'pending';
