//! Callback data of the admin panel's content screens (`1AT…`).
//!
//! Format after `1AT`: nothing for the top-level sections, `s<node>.<page>` a
//! section's pages, `c<node>` a page's card, `t<node>.<field>` ask for new text
//! (`r` Russian, `e` English), `m<node>` ask for a file, `x<node>` remove the
//! media, `h<node>[.<before>]` the page's history, `v<node>.<version>` revert to a
//! version, `w<node>.<field>` back to the pack's own text or media, `y` / `n`
//! confirm or cancel the change being previewed, `R` reload the pack from disk,
//! `q<node>` a page's QR code, `Q[p<park>|d<department>]` the questions most
//! often answered wrong.
//! Pages are named by their 8-character node id, never their path, so every
//! button stays far below 64 bytes; the change being previewed lives server-side.

use crate::content::PageField;
use crate::ids::NodeId;
use crate::lang::Lang;

use super::{DecodeError, Slug, id, numbers, small};

/// What a content button in the admin panel asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ContentAction {
    /// The top-level sections, and "reload from disk".
    Sections,
    /// One screen of a section's sections and pages.
    Section { node: NodeId, page: u16 },
    /// A page's card: versions, who edited it, what can be done.
    Page(NodeId),
    /// Ask for the page's new text in `lang`.
    EditText { node: NodeId, lang: Lang },
    /// Ask for a photo, video or document to show with the page.
    AttachMedia(NodeId),
    /// Preview the page without media.
    RemoveMedia(NodeId),
    /// Send the QR code of the page's deep link.
    Qr(NodeId),
    /// The questions most often answered wrong, of everyone or of the people
    /// of one park or department.
    Questions(QuestionFilter),
    /// The page's versions, older than `before` (the newest when `None`).
    History { node: NodeId, before: Option<i64> },
    /// Preview going back to version `version`.
    Revert { node: NodeId, version: i64 },
    /// Preview going back to the pack's own text or media.
    Restore { node: NodeId, field: PageField },
    /// Store the change being previewed.
    Confirm,
    /// Drop the change being previewed.
    Cancel,
    /// Load the pack from disk again.
    Reload,
}

/// Whose answers a question analysis counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum QuestionFilter {
    Everyone,
    /// People now in this park.
    Park(Slug),
    /// People now in this department.
    Department(Slug),
}

impl ContentAction {
    #[cfg(test)]
    /// Everything after `1AT`.
    pub(super) fn encode(self) -> String {
        match self {
            ContentAction::Sections => String::new(),
            ContentAction::Section { node, page } => format!("s{node}.{page}"),
            ContentAction::Page(node) => format!("c{node}"),
            ContentAction::EditText { node, lang } => {
                format!("t{node}.{}", PageField::Text(lang).code())
            }
            ContentAction::AttachMedia(node) => format!("m{node}"),
            ContentAction::RemoveMedia(node) => format!("x{node}"),
            ContentAction::Qr(node) => format!("q{node}"),
            ContentAction::Questions(QuestionFilter::Everyone) => "Q".to_owned(),
            ContentAction::Questions(QuestionFilter::Park(park)) => format!("Qp{park}"),
            ContentAction::Questions(QuestionFilter::Department(department)) => {
                format!("Qd{department}")
            }
            ContentAction::History { node, before: None } => format!("h{node}"),
            ContentAction::History {
                node,
                before: Some(before),
            } => format!("h{node}.{before}"),
            ContentAction::Revert { node, version } => format!("v{node}.{version}"),
            ContentAction::Restore { node, field } => format!("w{node}.{}", field.code()),
            ContentAction::Confirm => "y".to_owned(),
            ContentAction::Cancel => "n".to_owned(),
            ContentAction::Reload => "R".to_owned(),
        }
    }

    /// Decodes everything after `1AT`.
    pub(super) fn decode(rest: &str) -> Result<ContentAction, DecodeError> {
        let mut chars = rest.chars();
        let Some(kind) = chars.next() else {
            return Ok(ContentAction::Sections);
        };
        let args = chars.as_str();
        let node = |s: &str| NodeId::parse(s).ok_or(DecodeError::Malformed);
        let one = |s: &str| -> Result<u64, DecodeError> {
            let [n] = numbers::<1>(s)?;
            Ok(n)
        };
        let field = |s: &str| PageField::from_code(s).ok_or(DecodeError::Malformed);
        match kind {
            'y' if args.is_empty() => Ok(ContentAction::Confirm),
            'n' if args.is_empty() => Ok(ContentAction::Cancel),
            'R' if args.is_empty() => Ok(ContentAction::Reload),
            'c' => Ok(ContentAction::Page(node(args)?)),
            'm' => Ok(ContentAction::AttachMedia(node(args)?)),
            'x' => Ok(ContentAction::RemoveMedia(node(args)?)),
            'q' => Ok(ContentAction::Qr(node(args)?)),
            'Q' if args.is_empty() => Ok(ContentAction::Questions(QuestionFilter::Everyone)),
            'Q' => {
                let (which, slug) = args.split_at_checked(1).ok_or(DecodeError::Malformed)?;
                let slug = Slug::parse(slug).ok_or(DecodeError::Malformed)?;
                match which {
                    "p" => Ok(ContentAction::Questions(QuestionFilter::Park(slug))),
                    "d" => Ok(ContentAction::Questions(QuestionFilter::Department(slug))),
                    _ => Err(DecodeError::Malformed),
                }
            }
            's' => {
                let (node, page) = node_and(args)?;
                Ok(ContentAction::Section {
                    node,
                    page: small(one(page)?)?,
                })
            }
            't' => {
                let (node, f) = node_and(args)?;
                match field(f)? {
                    PageField::Text(lang) => Ok(ContentAction::EditText { node, lang }),
                    PageField::Media => Err(DecodeError::Malformed),
                }
            }
            'h' if args.len() == NodeId::LEN => Ok(ContentAction::History {
                node: node(args)?,
                before: None,
            }),
            'h' => {
                let (node, before) = node_and(args)?;
                Ok(ContentAction::History {
                    node,
                    before: Some(id(one(before)?)?),
                })
            }
            'v' => {
                let (node, version) = node_and(args)?;
                Ok(ContentAction::Revert {
                    node,
                    version: id(one(version)?)?,
                })
            }
            'w' => {
                let (node, f) = node_and(args)?;
                Ok(ContentAction::Restore {
                    node,
                    field: field(f)?,
                })
            }
            _ => Err(DecodeError::Malformed),
        }
    }
}

/// `<node>.<rest>`: the node is always 8 characters.
fn node_and(s: &str) -> Result<(NodeId, &str), DecodeError> {
    let (n, more) = s
        .split_at_checked(NodeId::LEN)
        .ok_or(DecodeError::Malformed)?;
    let more = more.strip_prefix('.').ok_or(DecodeError::Malformed)?;
    Ok((NodeId::parse(n).ok_or(DecodeError::Malformed)?, more))
}

#[cfg(test)]
mod tests {
    use super::super::{AdminAction, Callback};
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn garbage_after_the_content_prefix_never_panics(raw in "1AT.{0,60}") {
            if let Ok(cb) = Callback::decode(&raw) {
                prop_assert_eq!(cb.encode_v1(), raw);
            }
        }
    }

    #[test]
    fn refuses_content_data_the_bot_never_issued() {
        for raw in [
            "1ATz",
            "1ATc",
            "1ATcABC",
            "1ATcABCDEFGH1",
            "1ATc../../etc",
            "1ATsABCDEFGH",
            "1ATsABCDEFGH.",
            "1ATsABCDEFGH.+1",
            "1ATsABCDEFGH.65536",
            "1ATtABCDEFGH.m",
            "1ATtABCDEFGH.x",
            "1ATtABCDEFGH",
            "1AThABCDEFGH.",
            "1AThABCDEFGH.01",
            "1ATvABCDEFGH.-1",
            "1ATvABCDEFGH",
            "1ATwABCDEFGH.rr",
            "1ATyy",
            "1ATR1",
            "1ATcбукваabc",
            "1ATc'; DROP TABLE content_overrides; --",
        ] {
            assert!(Callback::decode(raw).is_err(), "{raw:?} decoded");
        }
        let node = NodeId::from_path("bar/hot-drinks.md");
        assert_eq!(
            Callback::Admin(AdminAction::Content(ContentAction::Sections)).encode_v1(),
            "1AT"
        );
        assert_eq!(
            Callback::Admin(AdminAction::Content(ContentAction::EditText {
                node,
                lang: Lang::En
            }))
            .encode_v1(),
            format!("1ATt{node}.e")
        );
    }
}
