//! The languages trainbot speaks. Russian is the staff's language and the default.

use serde::{Deserialize, Serialize};

/// A language the bot and the content pack support.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ru,
    En,
}

impl Lang {
    /// Every supported language, the default first.
    pub const ALL: [Lang; 2] = [Lang::Ru, Lang::En];

    /// The two-letter code used in storage, callbacks and the content pack.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// Parses a two-letter code exactly as [`Lang::code`] writes it.
    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The language to start a new person with, from their Telegram client's
    /// `language_code` (`"en-GB"`, `"ru"`, ...). Anything we do not speak falls back
    /// to Russian, the staff's language.
    pub fn from_client(language_code: Option<&str>) -> Lang {
        language_code
            .and_then(|c| c.split(['-', '_']).next())
            .map(str::to_ascii_lowercase)
            .and_then(|c| Lang::from_code(&c))
            .unwrap_or(Lang::Ru)
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_language_picks_a_supported_language_or_russian() {
        assert_eq!(Lang::from_client(Some("en-GB")), Lang::En);
        assert_eq!(Lang::from_client(Some("EN")), Lang::En);
        assert_eq!(Lang::from_client(Some("ru")), Lang::Ru);
        assert_eq!(Lang::from_client(Some("de")), Lang::Ru);
        assert_eq!(Lang::from_client(None), Lang::Ru);
        assert_eq!(Lang::from_client(Some("")), Lang::Ru);
    }

    #[test]
    fn codes_round_trip() {
        for l in Lang::ALL {
            assert_eq!(Lang::from_code(l.code()), Some(l));
        }
        assert_eq!(Lang::from_code("xx"), None);
    }
}
