//! Statements of the access port that both backends share.

pub(crate) const HAS_ACCESS: &str = "SELECT COUNT(*) FROM access_grants WHERE user_id = $1";

/// A grant already held is kept (with its first `via`).
pub(crate) const GRANT_ACCESS: &str = "INSERT INTO access_grants (user_id, granted_at, via) \
     VALUES ($1, $2, $3) ON CONFLICT (user_id) DO NOTHING";

/// The columns every invite query returns, in the order of `InviteRow`.
macro_rules! invite_columns {
    () => {
        "id, code, park, department, created_by, created_at, expires_at, max_uses, uses, \
         revoked_at IS NOT NULL AS revoked"
    };
}

pub(crate) const CREATE_INVITE: &str = concat!(
    "INSERT INTO invites (code, park, department, created_by, created_at, expires_at, max_uses) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ",
    invite_columns!()
);

/// Not revoked, not expired at `$1`, not used up; newest first, at most `$2`.
pub(crate) const ACTIVE_INVITES: &str = concat!(
    "SELECT ",
    invite_columns!(),
    " FROM invites WHERE revoked_at IS NULL AND expires_at > $1 \
       AND (max_uses IS NULL OR uses < max_uses) ORDER BY id DESC LIMIT $2"
);

pub(crate) const REVOKE_INVITE: &str =
    "UPDATE invites SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL";

/// One use of the invite `$1` at `$2`, only while it is valid: the check and the
/// count are one statement, so concurrent redemptions never pass `max_uses`.
pub(crate) const USE_INVITE: &str = concat!(
    "UPDATE invites SET uses = uses + 1 \
     WHERE code = $1 AND revoked_at IS NULL AND expires_at > $2 \
       AND (max_uses IS NULL OR uses < max_uses) \
     RETURNING ",
    invite_columns!()
);

/// After a refused use: why it was refused.
pub(crate) const INVITE_BY_CODE: &str = concat!(
    "SELECT ",
    invite_columns!(),
    " FROM invites WHERE code = $1"
);

/// A new pending request, or a decided one replaced; a pending one is left alone
/// (no row is affected).
pub(crate) const REQUEST_ACCESS: &str = "INSERT INTO access_requests \
         (user_id, name, requested_at, status) VALUES ($1, $2, $3, 'pending') \
     ON CONFLICT (user_id) DO UPDATE SET \
         name = excluded.name, requested_at = excluded.requested_at, status = 'pending', \
         decided_by = NULL, decided_at = NULL \
     WHERE access_requests.status <> 'pending'";

/// The columns every request query returns, in the order of `RequestRow`.
macro_rules! request_query {
    () => {
        "SELECT r.user_id, r.name, r.requested_at, r.status, u.first_name, u.username \
         FROM access_requests r JOIN users u ON u.id = r.user_id "
    };
}

pub(crate) const ACCESS_REQUEST: &str = concat!(request_query!(), "WHERE r.user_id = $1");

/// Oldest first; the id breaks ties.
pub(crate) const PENDING_REQUESTS: &str = concat!(
    request_query!(),
    "WHERE r.status = 'pending' ORDER BY r.requested_at, r.user_id LIMIT $1"
);

pub(crate) const COUNT_PENDING_REQUESTS: &str =
    "SELECT COUNT(*) FROM access_requests WHERE status = 'pending'";

/// `$2` is the new status, `$3` the admin, `$4` the time.
pub(crate) const DECIDE_REQUEST: &str = "UPDATE access_requests \
     SET status = $2, decided_by = $3, decided_at = $4 \
     WHERE user_id = $1 AND status = 'pending'";
