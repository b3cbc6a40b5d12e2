//! Rows of the look-up port and the LIKE pattern of a search.

use engine::ports::{PageReaders, StorageError};

use super::admin::count;

/// A LIKE pattern matching any text that contains `needle` literally: `%`, `_`
/// and the escape character `\` typed by an admin are escaped, so they match
/// only themselves.
pub(crate) fn contains_pattern(needle: &str) -> String {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// A row of `TOP_PAGES`.
#[derive(sqlx::FromRow)]
pub(crate) struct PageRow {
    pub path: String,
    pub readers: i64,
}

impl PageRow {
    pub fn into_readers(self) -> Result<PageReaders, StorageError> {
        Ok(PageReaders {
            readers: count("page readers", self.readers)?,
            path: self.path,
        })
    }
}

/// A row of `UNKEYED_PEOPLE`.
#[derive(sqlx::FromRow)]
pub(crate) struct NamesRow {
    pub id: i64,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: Option<String>,
}

impl NamesRow {
    pub fn search_key(&self) -> String {
        engine::ports::search_key(
            &self.first_name,
            self.last_name.as_deref(),
            self.username.as_deref(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_are_literal() {
        assert_eq!(contains_pattern("anna"), "%anna%");
        assert_eq!(contains_pattern("100%_a\\b"), "%100\\%\\_a\\\\b%");
        assert_eq!(contains_pattern("ёлка"), "%ёлка%");
    }
}
