//! Identifiers. Telegram's user and chat ids exceed 32 bits, so they are `i64`
//! everywhere; content nodes have short stable ids derived from their path.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A Telegram user id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UserId(pub i64);

/// A Telegram chat id. In a private chat it equals the user's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ChatId(pub i64);

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::fmt::Display for ChatId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The stable id of a content node (a section or a page): 8 characters of
/// `[0-9A-Za-z]`, derived from the node's path in the pack so that a button in an
/// old message still finds its page after the pack is edited, as long as the file
/// keeps its name. Short, so that callback data stays far below 64 bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId([u8; NodeId::LEN]);

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

impl NodeId {
    /// Characters in an id.
    pub const LEN: usize = 8;

    /// The id of the node at `path` (relative to the pack root, `/`-separated).
    pub fn from_path(path: &str) -> NodeId {
        let digest = Sha256::digest(path.as_bytes());
        let mut n = u64::from_be_bytes([
            digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
        ]);
        let mut out = [b'0'; NodeId::LEN];
        for slot in out.iter_mut() {
            *slot = ALPHABET[(n % 62) as usize];
            n /= 62;
        }
        NodeId(out)
    }

    /// Parses an id as [`NodeId::as_str`] writes it; anything else is `None`.
    pub fn parse(raw: &str) -> Option<NodeId> {
        let bytes = raw.as_bytes();
        if bytes.len() != NodeId::LEN || !bytes.iter().all(u8::is_ascii_alphanumeric) {
            return None;
        }
        let mut out = [0u8; NodeId::LEN];
        out.copy_from_slice(bytes);
        Some(NodeId(out))
    }

    pub fn as_str(&self) -> &str {
        // The bytes are always ASCII alphanumerics (see `from_path` and `parse`).
        std::str::from_utf8(&self.0).unwrap_or("00000000")
    }
}

impl std::fmt::Display for NodeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for NodeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

impl Serialize for NodeId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for NodeId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<NodeId, D::Error> {
        checked_text(deserializer, NodeId::parse, "8 letters or digits")
    }
}

/// Deserializes an id that travels as its text, through `parse`: what it
/// refuses is an error, never a value no other way could build.
pub(crate) fn checked_text<'de, D, T>(
    deserializer: D,
    parse: fn(&str) -> Option<T>,
    expecting: &'static str,
) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Text<T> {
        parse: fn(&str) -> Option<T>,
        expecting: &'static str,
    }
    impl<T> serde::de::Visitor<'_> for Text<T> {
        type Value = T;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.expecting)
        }

        fn visit_str<E: serde::de::Error>(self, raw: &str) -> Result<T, E> {
            (self.parse)(raw)
                .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(raw), &self))
        }
    }
    deserializer.deserialize_str(Text { parse, expecting })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_ids_are_stable_short_and_parse_back() {
        let a = NodeId::from_path("general/addresses.md");
        assert_eq!(a, NodeId::from_path("general/addresses.md"));
        assert_ne!(a, NodeId::from_path("general/zones.md"));
        assert_eq!(a.as_str().len(), NodeId::LEN);
        assert_eq!(NodeId::parse(a.as_str()), Some(a));
        assert_eq!(NodeId::parse("short"), None);
        assert_eq!(NodeId::parse("abc$efgh"), None);
        assert_eq!(NodeId::parse("абвгдежз"), None);
    }

    #[test]
    fn people_and_chats_show_as_their_numbers() {
        assert_eq!(UserId(42).to_string(), "42");
        assert_eq!(ChatId(-1001234).to_string(), "-1001234");
    }
}
