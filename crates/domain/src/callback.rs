//! The callback-data codec: what a button carries back when it is pressed.
//!
//! Telegram allows 1-64 bytes of `callback_data`, and anyone can press any button
//! of any old message, so the data is a compact, versioned code of ids (never
//! names), decoded by this one codec. Authority never comes from the data: the
//! engine decides what a press may do from who pressed it and server-side state.
//!
//! Format, version 1: `"1"`, a kind letter, then the kind's fields:
//! `1h` home, `1o<node>` open, `1s<node>.<page>` section page,
//! `1p<node>.<part>` page part, `1g` language picker, `1l<lang>` language.

use crate::ids::NodeId;
use crate::lang::Lang;

/// Telegram's limit on `callback_data`, in bytes.
pub const MAX_BYTES: usize = 64;

const VERSION: char = '1';

/// A decoded button press.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Callback {
    /// The main menu.
    Home,
    /// Enter a section (its first screen of buttons) or a page (media first, then part 1).
    Open(NodeId),
    /// Another screen of a section's buttons, edited in place.
    SectionPage { node: NodeId, page: u16 },
    /// Another part of a long page, edited in place.
    PagePart { node: NodeId, part: u16 },
    /// The language picker.
    Languages,
    /// Switch the interface language.
    Language(Lang),
}

/// Why data did not decode. Shown to nobody: any of these means "this menu is out of date".
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("callback data is empty or longer than {MAX_BYTES} bytes")]
    Length,
    #[error("callback data has an unknown version")]
    Version,
    #[error("callback data is malformed")]
    Malformed,
}

impl Callback {
    /// The data to put on a button; always 1-64 bytes (checked by tests over every variant).
    pub fn encode(&self) -> String {
        match self {
            Callback::Home => format!("{VERSION}h"),
            Callback::Open(node) => format!("{VERSION}o{node}"),
            Callback::SectionPage { node, page } => format!("{VERSION}s{node}.{page}"),
            Callback::PagePart { node, part } => format!("{VERSION}p{node}.{part}"),
            Callback::Languages => format!("{VERSION}g"),
            Callback::Language(lang) => format!("{VERSION}l{}", lang.code()),
        }
    }

    /// Decodes data from a button press. Never panics, whatever the input.
    pub fn decode(raw: &str) -> Result<Callback, DecodeError> {
        if raw.is_empty() || raw.len() > MAX_BYTES {
            return Err(DecodeError::Length);
        }
        let mut chars = raw.chars();
        if chars.next() != Some(VERSION) {
            return Err(DecodeError::Version);
        }
        let kind = chars.next().ok_or(DecodeError::Malformed)?;
        let rest = chars.as_str();
        let node = |s: &str| NodeId::parse(s).ok_or(DecodeError::Malformed);
        let node_and_index = |s: &str| -> Result<(NodeId, u16), DecodeError> {
            let (n, i) = s.split_once('.').ok_or(DecodeError::Malformed)?;
            // `u16::from_str` accepts a leading '+'; encode never writes one, so refuse it.
            if i.is_empty() || !i.bytes().all(|b| b.is_ascii_digit()) {
                return Err(DecodeError::Malformed);
            }
            let index = i.parse().map_err(|_| DecodeError::Malformed)?;
            Ok((node(n)?, index))
        };
        match kind {
            'h' if rest.is_empty() => Ok(Callback::Home),
            'g' if rest.is_empty() => Ok(Callback::Languages),
            'o' => Ok(Callback::Open(node(rest)?)),
            's' => node_and_index(rest).map(|(node, page)| Callback::SectionPage { node, page }),
            'p' => node_and_index(rest).map(|(node, part)| Callback::PagePart { node, part }),
            'l' => Lang::from_code(rest)
                .map(Callback::Language)
                .ok_or(DecodeError::Malformed),
            _ => Err(DecodeError::Malformed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn any_node() -> impl Strategy<Value = NodeId> {
        ".{0,40}".prop_map(|p| NodeId::from_path(&p))
    }

    fn any_callback() -> impl Strategy<Value = Callback> {
        prop_oneof![
            Just(Callback::Home),
            Just(Callback::Languages),
            any_node().prop_map(Callback::Open),
            (any_node(), any::<u16>())
                .prop_map(|(node, page)| Callback::SectionPage { node, page }),
            (any_node(), any::<u16>()).prop_map(|(node, part)| Callback::PagePart { node, part }),
            prop::sample::select(Lang::ALL.to_vec()).prop_map(Callback::Language),
        ]
    }

    proptest! {
        #[test]
        fn every_callback_round_trips_within_64_bytes(cb in any_callback()) {
            let data = cb.encode();
            prop_assert!(!data.is_empty() && data.len() <= MAX_BYTES, "{data} is {} bytes", data.len());
            prop_assert_eq!(Callback::decode(&data), Ok(cb));
        }

        #[test]
        fn garbage_never_panics(raw in ".{0,100}") {
            let _ = Callback::decode(&raw);
        }

        #[test]
        fn garbage_after_the_version_never_panics(raw in "1[a-z].{0,70}") {
            if let Ok(cb) = Callback::decode(&raw) {
                // Anything accepted must be exactly what encode would write.
                prop_assert_eq!(cb.encode(), raw);
            }
        }
    }

    #[test]
    fn refuses_data_the_bot_never_issued() {
        let node = NodeId::from_path("bar/menu.md");
        for raw in [
            "",
            "h",
            "2h",
            "1",
            "1x",
            "1h?",
            "1gx",
            "1o",
            "1oabc",
            "1s12345678",
            "1s12345678.",
            "1s12345678.+1",
            "1s12345678.-1",
            "1p12345678.99999",
            "1lde",
            "1lRU",
            "menu:bar",
            "1oабвгдежз",
        ] {
            assert!(Callback::decode(raw).is_err(), "{raw:?} decoded");
        }
        let too_long = format!("1o{}", "a".repeat(70));
        assert_eq!(Callback::decode(&too_long), Err(DecodeError::Length));
        assert_eq!(
            Callback::decode(&Callback::Open(node).encode()),
            Ok(Callback::Open(node))
        );
    }

    #[test]
    fn encodings_are_compact_and_fixed() {
        let node = NodeId::parse("Ab3dE6gH").unwrap();
        assert_eq!(Callback::Home.encode(), "1h");
        assert_eq!(Callback::Open(node).encode(), "1oAb3dE6gH");
        assert_eq!(
            Callback::SectionPage { node, page: 2 }.encode(),
            "1sAb3dE6gH.2"
        );
        assert_eq!(
            Callback::PagePart { node, part: 65535 }.encode(),
            "1pAb3dE6gH.65535"
        );
        assert_eq!(Callback::Language(Lang::En).encode(), "1len");
    }
}
