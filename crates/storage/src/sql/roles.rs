//! Statements of the roles port that both backends share.

/// The columns of a `RoleRow`, in its order.
macro_rules! role_columns {
    () => {
        "user_id, role, park, password_hash, granted_by, granted_at"
    };
}

pub(crate) const ROLE_OF: &str =
    concat!("SELECT ", role_columns!(), " FROM roles WHERE user_id = $1");

/// Gives `$1` the role `$2` in park `$3`; a replaced role loses its password.
pub(crate) const GRANT_ROLE: &str = "INSERT INTO roles (user_id, role, park, password_hash, granted_by, granted_at) \
     VALUES ($1, $2, $3, NULL, $4, $5) \
     ON CONFLICT (user_id) DO UPDATE SET role = excluded.role, park = excluded.park, \
         password_hash = NULL, granted_by = excluded.granted_by, granted_at = excluded.granted_at";

pub(crate) const REVOKE_ROLE: &str = "DELETE FROM roles WHERE user_id = $1";

/// Only while no password is set: the first of two racing first logins wins.
pub(crate) const SET_ROLE_PASSWORD: &str =
    "UPDATE roles SET password_hash = $2 WHERE user_id = $1 AND password_hash IS NULL";

pub(crate) const ROLE_HOLDERS: &str =
    concat!("SELECT ", role_columns!(), " FROM roles ORDER BY user_id");
