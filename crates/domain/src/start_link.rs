//! Deep links: what `https://t.me/<bot>?start=<parameter>` asks the bot for.
//!
//! Telegram passes the parameter (at most 64 characters of `A-Z a-z 0-9 _ -`) as
//! `/start <parameter>`. Three kinds share it, told apart by shape, so that
//! invite links sent before the others existed keep working:
//! - `p-<node>`: a content page or section (10 characters), for QR codes beside
//!   an attraction or a cash desk;
//! - `c-TB-XXXXXXXX`: a certificate's verification code (13 characters), which
//!   opens the check for admins;
//! - anything else of 16-64 characters is an invite code ([`InviteCode`]).

use crate::ids::NodeId;
use crate::invite::InviteCode;
use crate::learning::parse_certificate_code;

const PAGE: &str = "p-";
const CERTIFICATE: &str = "c-";

/// What a start parameter asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StartLink {
    Page(NodeId),
    /// A certificate code in its canonical form.
    Certificate(String),
    Invite(InviteCode),
}

impl StartLink {
    /// The link a parameter stands for; `None` when it is none of ours.
    pub fn parse(raw: &str) -> Option<StartLink> {
        if let Some(node) = raw.strip_prefix(PAGE).and_then(NodeId::parse) {
            return Some(StartLink::Page(node));
        }
        let certificate = raw
            .strip_prefix(CERTIFICATE)
            .filter(|code| code.len() == 11)
            .and_then(parse_certificate_code);
        if let Some(code) = certificate {
            return Some(StartLink::Certificate(code));
        }
        InviteCode::parse(raw).map(StartLink::Invite)
    }

    /// The start parameter.
    pub fn parameter(&self) -> String {
        match self {
            StartLink::Page(node) => format!("{PAGE}{node}"),
            StartLink::Certificate(code) => format!("{CERTIFICATE}{code}"),
            StartLink::Invite(code) => code.as_str().to_owned(),
        }
    }

    /// The link to share: a `t.me` deep link when the bot's username is known,
    /// otherwise the command to type.
    pub fn url(&self, bot: Option<&str>) -> String {
        url(bot, &self.parameter())
    }
}

/// The deep link with `parameter` to the bot called `bot`, or the command to type
/// when its username is not known.
pub fn url(bot: Option<&str>, parameter: &str) -> String {
    match bot {
        Some(bot) => format!("https://t.me/{bot}?start={parameter}"),
        None => format!("/start {parameter}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn each_kind_is_told_apart_by_shape() {
        let node = NodeId::from_path("bar/menu.md");
        assert_eq!(
            StartLink::parse(&format!("p-{node}")),
            Some(StartLink::Page(node))
        );
        assert_eq!(
            StartLink::parse("c-TB-7K2QX9AB"),
            Some(StartLink::Certificate("TB-7K2QX9AB".into()))
        );
        let invite = "AbCdEfGhIjKlMnOpQrStUv";
        assert_eq!(
            StartLink::parse(invite),
            Some(StartLink::Invite(InviteCode::parse(invite).unwrap()))
        );
        for refused in [
            "",
            "p-",
            "p-short",
            "p-Ab3dE6gH1",
            "c-TB-7K2QX9A",
            "c-7K2QX9AB",
            "p-Ab3dE6g_",
        ] {
            assert_eq!(StartLink::parse(refused), None, "{refused}");
        }
    }

    #[test]
    fn links_name_the_bot_or_the_command() {
        let link = StartLink::Certificate("TB-7K2QX9AB".into());
        assert_eq!(
            link.url(Some("parkbot")),
            "https://t.me/parkbot?start=c-TB-7K2QX9AB"
        );
        assert_eq!(link.url(None), "/start c-TB-7K2QX9AB");
    }

    proptest! {
        /// Every link round-trips through its parameter, which Telegram accepts.
        #[test]
        fn parameters_round_trip(path in ".{0,40}", random in any::<u64>()) {
            let code = crate::learning::certificate_code(random);
            for link in [StartLink::Page(NodeId::from_path(&path)), StartLink::Certificate(code.clone())] {
                let parameter = link.parameter();
                prop_assert!(parameter.len() <= 64);
                prop_assert!(parameter.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));
                prop_assert_eq!(StartLink::parse(&parameter), Some(link));
            }
        }
    }
}
