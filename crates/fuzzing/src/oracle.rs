//! Checks shared by the targets that produce message text.

use domain::html::Html;

/// Parses `html` the way Telegram's HTML parse mode does (fake-telegram's
/// independent parser, after TDLib) and returns the text a person would see;
/// panics if Telegram would refuse it.
pub(crate) fn telegram_text(html: &Html, what: &str) -> String {
    match fake_telegram::html::parse(html.as_str()) {
        Ok(text) => {
            assert_eq!(
                text.chars().count(),
                html.text_len(),
                "{what}: text_len disagrees with Telegram's parser on {html:?}"
            );
            text
        }
        Err(e) => panic!("{what}: Telegram would refuse {html:?}: {e}"),
    }
}
