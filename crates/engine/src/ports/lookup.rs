//! What the admin panel's look-ups need from storage: finding people by id, name
//! or @username, and the most-read pages.
//!
//! Case-insensitive search must work for Cyrillic on both backends, but SQLite's
//! `LOWER` and `LIKE` fold only ASCII. So storage keeps a search key per person,
//! folded here in Rust ([`search_key`]) when the person is written, and the query
//! is folded the same way ([`PeopleQuery::parse`]): the database compares plain
//! lower-case text and never needs a Unicode-aware collation.

use async_trait::async_trait;
use unicode_normalization::UnicodeNormalization;

use super::{PersonSummary, StorageError};

/// Longest search text accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 64;

/// The folded form of a person's names that [`LookupStore::search_people`]
/// matches against: first name, last name and username, lower-case, NFC.
pub fn search_key(first_name: &str, last_name: Option<&str>, username: Option<&str>) -> String {
    let joined = [Some(first_name), last_name, username]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    fold(&joined)
}

/// Lower-case, NFC, whitespace collapsed to single spaces.
fn fold(text: &str) -> String {
    let lower: String = text.nfc().collect::<String>().to_lowercase();
    let nfc: String = lower.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A search an admin typed: an id, an @username or a part of a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeopleQuery {
    /// The text was a whole number: also match that Telegram id exactly.
    id: Option<i64>,
    /// Folded like [`search_key`]; matched as a literal substring.
    needle: String,
}

/// Why a typed search was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryError {
    Empty,
    TooLong,
}

impl PeopleQuery {
    /// Folds the typed text; a leading `@` is dropped, so `@Anna` finds the
    /// username `anna_k` as `anna` would.
    pub fn parse(raw: &str) -> Result<PeopleQuery, QueryError> {
        let folded = fold(raw);
        let needle = folded
            .strip_prefix('@')
            .unwrap_or(&folded)
            .trim()
            .to_owned();
        if needle.is_empty() {
            return Err(QueryError::Empty);
        }
        if needle.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong);
        }
        Ok(PeopleQuery {
            id: needle.parse().ok(),
            needle,
        })
    }

    pub fn id(&self) -> Option<i64> {
        self.id
    }

    pub fn needle(&self) -> &str {
        &self.needle
    }
}

/// A page and how many different people opened it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageReaders {
    /// The page's path in the content pack, as recorded in activity.
    pub path: String,
    pub readers: u64,
}

#[async_trait]
pub trait LookupStore: Send + Sync + 'static {
    /// People whose id is the query's number or whose search key contains its
    /// text literally (`%` and `_` are not wildcards), by ascending id, at most
    /// `limit`.
    async fn search_people(
        &self,
        query: &PeopleQuery,
        limit: u32,
    ) -> Result<Vec<PersonSummary>, StorageError>;

    /// The `limit` pages with the most distinct readers, most first, then by path.
    async fn top_pages(&self, limit: u32) -> Result<Vec<PageReaders>, StorageError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_queries_fold_alike() {
        assert_eq!(
            search_key("ЁЛКИНА", Some("Наталья"), Some("Nat_K")),
            "ёлкина наталья nat_k"
        );
        // "й" as one code point and as и + combining breve fold to the same text.
        assert_eq!(search_key("Й", None, None), fold("И\u{0306}"));
        let q = PeopleQuery::parse("  @Nat_K ").unwrap();
        assert_eq!(q.needle(), "nat_k");
        assert_eq!(q.id(), None);
        let q = PeopleQuery::parse("9000000001").unwrap();
        assert_eq!(q.id(), Some(9_000_000_001));
        assert_eq!(PeopleQuery::parse(" @ "), Err(QueryError::Empty));
        assert_eq!(
            PeopleQuery::parse(&"я".repeat(MAX_QUERY_CHARS + 1)),
            Err(QueryError::TooLong)
        );
        assert!(PeopleQuery::parse(&"я".repeat(MAX_QUERY_CHARS)).is_ok());
    }
}
