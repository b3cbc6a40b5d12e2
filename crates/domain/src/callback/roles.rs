//! Callback data of the admin panel's role buttons: `1AG…`.
//!
//! Format after `1A`: `G` the role holders, `Gc<user>` choose a role for a person,
//! `Gp<user>.<park>` make them the manager of a park, `Ge<user>` make them a
//! content editor, `Gr<user>` take their role away. The longest (`1AGp` + 19
//! digits + `.` + a 32-byte slug) is 56 bytes.

use super::{DecodeError, Slug, id, numbers};

/// What a role button in the admin panel asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum RoleAction {
    /// Everyone who holds a role.
    Holders,
    /// The roles to give person `.0`.
    Choose(i64),
    /// Make person `.0` the manager of park `.1`.
    ParkManager(i64, Slug),
    /// Make person `.0` a content editor.
    ContentEditor(i64),
    /// Take person `.0`'s role away.
    Revoke(i64),
}

impl RoleAction {
    #[cfg(test)]
    /// Everything after `1A`.
    pub(super) fn encode(self) -> String {
        match self {
            RoleAction::Holders => "G".to_owned(),
            RoleAction::Choose(user) => format!("Gc{user}"),
            RoleAction::ParkManager(user, park) => format!("Gp{user}.{}", park.as_str()),
            RoleAction::ContentEditor(user) => format!("Ge{user}"),
            RoleAction::Revoke(user) => format!("Gr{user}"),
        }
    }

    /// Decodes everything after `1A` when it starts with `G`.
    pub(super) fn decode(rest: &str) -> Result<RoleAction, DecodeError> {
        let person = |s: &str| -> Result<i64, DecodeError> {
            let [n] = numbers::<1>(s)?;
            id(n)
        };
        let (head, args) = rest.split_at_checked(2).unwrap_or((rest, ""));
        match head {
            "G" => Ok(RoleAction::Holders),
            "Gc" => Ok(RoleAction::Choose(person(args)?)),
            "Ge" => Ok(RoleAction::ContentEditor(person(args)?)),
            "Gr" => Ok(RoleAction::Revoke(person(args)?)),
            "Gp" => {
                let (user, park) = args.split_once('.').ok_or(DecodeError::Malformed)?;
                let park = Slug::parse(park).ok_or(DecodeError::Malformed)?;
                Ok(RoleAction::ParkManager(person(user)?, park))
            }
            _ => Err(DecodeError::Malformed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Callback;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn garbage_after_a_role_prefix_never_panics(raw in "1AG.{0,60}") {
            if let Ok(cb) = Callback::decode(&raw) {
                prop_assert_eq!(cb.encode_v1(), raw);
            }
        }
    }

    #[test]
    fn refuses_role_data_the_bot_never_issued() {
        for raw in [
            "1AGx",
            "1AGc",
            "1AGc-1",
            "1AGc+1",
            "1AGc1.2",
            "1AGp1",
            "1AGp1.",
            "1AGp1.BAD",
            "1AGp.park",
            "1AGe",
            "1AGr",
            "1AGrr",
            "1AG'; DROP TABLE roles; --",
        ] {
            assert!(Callback::decode(raw).is_err(), "{raw:?} decoded");
        }
    }
}
