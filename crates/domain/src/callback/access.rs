//! Callback data of the "who may use the bot" buttons: the stranger's request
//! button (`1R`) and the admin panel's invite and request screens (`1AI…`, `1AR…`).
//!
//! Format after `1A`: `I` the invite list, `In` a new invite, `Ik<park>` / `Ik-`
//! its park, `Id<dept>` / `Id-` its department, `Ie<days>` its lifetime, `Iu<uses>`
//! its use limit (`0`: unlimited; this press creates it), `Ir<id>` revoke; `R` the
//! pending requests, `Ra<user>` approve, `Rj<user>` reject. The invite being drawn
//! up lives server-side, so each press carries only its own choice.

use super::{DecodeError, Slug, id, numbers, optional_slug, small};

/// What an access button in the admin panel asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum AccessAction {
    /// The active invites.
    Invites,
    /// Start drawing up an invite: choose its park.
    NewInvite,
    /// The new invite's park (`None`: any park).
    InvitePark(Option<Slug>),
    /// The new invite's department (`None`: any department).
    InviteDepartment(Option<Slug>),
    /// How many days the new invite stays valid.
    InviteDays(u16),
    /// How many people may use it (0: unlimited); creates the invite.
    InviteUses(u16),
    /// Revoke invite `id`.
    Revoke(i64),
    /// The pending access requests.
    Requests,
    /// Approve person `user`'s request.
    Approve(i64),
    /// Reject person `user`'s request.
    Reject(i64),
}

impl AccessAction {
    #[cfg(test)]
    /// Everything after `1A`.
    pub(super) fn encode(self) -> String {
        let slug = |s: Option<Slug>| s.as_ref().map_or("-", Slug::as_str).to_owned();
        match self {
            AccessAction::Invites => "I".to_owned(),
            AccessAction::NewInvite => "In".to_owned(),
            AccessAction::InvitePark(park) => format!("Ik{}", slug(park)),
            AccessAction::InviteDepartment(d) => format!("Id{}", slug(d)),
            AccessAction::InviteDays(days) => format!("Ie{days}"),
            AccessAction::InviteUses(uses) => format!("Iu{uses}"),
            AccessAction::Revoke(invite) => format!("Ir{invite}"),
            AccessAction::Requests => "R".to_owned(),
            AccessAction::Approve(user) => format!("Ra{user}"),
            AccessAction::Reject(user) => format!("Rj{user}"),
        }
    }

    /// Decodes everything after `1A` when it starts with `I` or `R`.
    pub(super) fn decode(rest: &str) -> Result<AccessAction, DecodeError> {
        let one = |s: &str| -> Result<u64, DecodeError> {
            let [n] = numbers::<1>(s)?;
            Ok(n)
        };
        let (head, args) = rest.split_at_checked(2).unwrap_or((rest, ""));
        match head {
            "I" => Ok(AccessAction::Invites),
            "R" => Ok(AccessAction::Requests),
            "In" if args.is_empty() => Ok(AccessAction::NewInvite),
            "Ik" => optional_slug(args).map(AccessAction::InvitePark),
            "Id" => optional_slug(args).map(AccessAction::InviteDepartment),
            "Ie" => Ok(AccessAction::InviteDays(small(one(args)?)?)),
            "Iu" => Ok(AccessAction::InviteUses(small(one(args)?)?)),
            "Ir" => Ok(AccessAction::Revoke(id(one(args)?)?)),
            "Ra" => Ok(AccessAction::Approve(id(one(args)?)?)),
            "Rj" => Ok(AccessAction::Reject(id(one(args)?)?)),
            _ => Err(DecodeError::Malformed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{AdminAction, Callback};
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn garbage_after_an_access_prefix_never_panics(raw in "1A[IR].{0,60}") {
            if let Ok(cb) = Callback::decode(&raw) {
                prop_assert_eq!(cb.encode_v1(), raw);
            }
        }
    }

    #[test]
    fn refuses_access_data_the_bot_never_issued() {
        for raw in [
            "1AIx",
            "1AIn5",
            "1AIk",
            "1AIkBAD",
            "1AId",
            "1AIe",
            "1AIe-1",
            "1AIe65536",
            "1AIe01",
            "1AIu",
            "1AIu+3",
            "1AIr",
            "1AIr1.2",
            "1ARa",
            "1ARa-4",
            "1ARj",
            "1ARx5",
            "1ARaa",
            "1AI'; DROP TABLE invites; --",
        ] {
            assert!(Callback::decode(raw).is_err(), "{raw:?} decoded");
        }
        assert_eq!(Callback::RequestAccess.encode_v1(), "1R");
        assert_eq!(Callback::decode("1R"), Ok(Callback::RequestAccess));
        assert!(Callback::decode("1Rx").is_err());
        assert_eq!(
            Callback::Admin(AdminAction::Access(AccessAction::InviteUses(0))).encode_v1(),
            "1AIu0"
        );
    }
}
