//! The bot's own words in every language, from Fluent files in `locales/`.
//!
//! Strings come back as plain text: callers escape them into [`Html`] like any
//! other text, so a translation can never break a message's markup.

use std::borrow::Cow;
use std::collections::HashMap;

use domain::html::Html;
use domain::lang::Lang;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};

fluent_templates::static_loader! {
    // Compiled into the binary: a missing file is a build error, not a runtime one.
    static LOCALES = {
        locales: "./locales",
        fallback_language: "ru",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static RU: LanguageIdentifier = langid!("ru");
static EN: LanguageIdentifier = langid!("en");

fn id(lang: Lang) -> &'static LanguageIdentifier {
    match lang {
        Lang::Ru => &RU,
        Lang::En => &EN,
    }
}

/// The text for `key` in `lang`.
pub fn t(lang: Lang, key: &str) -> String {
    LOCALES.lookup(id(lang), key)
}

/// The text for `key` in `lang`, with named arguments.
pub fn t_args(lang: Lang, key: &str, args: &[(&'static str, FluentValue<'static>)]) -> String {
    let map: HashMap<Cow<'static, str>, FluentValue<'static>> = args
        .iter()
        .map(|(k, v)| (Cow::Borrowed(*k), v.clone()))
        .collect();
    LOCALES.lookup_with_args(id(lang), key, &map)
}

/// [`t`], escaped.
pub fn html(lang: Lang, key: &str) -> Html {
    Html::escape(&t(lang, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key used in the code exists in every language (a missing key would show
    /// the fallback language or the key itself to a person).
    #[test]
    fn every_language_has_every_key() {
        let ru = include_str!("../locales/ru/main.ftl");
        let en = include_str!("../locales/en/main.ftl");
        let keys = |src: &str| -> Vec<String> {
            src.lines()
                .filter(|l| !l.starts_with(char::is_whitespace) && !l.starts_with('#'))
                .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_owned()))
                .collect()
        };
        assert_eq!(keys(ru), keys(en));
        assert!(keys(ru).len() > 10);
        let args: HashMap<Cow<'static, str>, FluentValue<'static>> = [
            ("name", "Ann".into()),
            ("n", 1.into()),
            ("total", 2.into()),
            ("max", 3.into()),
            ("length", 4.into()),
            ("days", 5.into()),
            ("read", 6.into()),
            ("passed", 7.into()),
            ("score", 8.into()),
            ("percent", 9.into()),
            ("need", 80.into()),
            ("pages", 10.into()),
            ("quizzes", 11.into()),
            ("when", "x".into()),
            ("answer", "x".into()),
            ("department", "x".into()),
            ("date", "x".into()),
            ("code", "x".into()),
            ("value", "x".into()),
            ("left", 2.into()),
            ("minutes", 5.into()),
            ("reason", "x".into()),
            ("id", 12.into()),
            ("time", "x".into()),
            ("admin", "x".into()),
            ("state", "x".into()),
            ("sent", 1.into()),
            ("failed", 2.into()),
            ("blocked", 3.into()),
            ("unknown", 4.into()),
            ("pending", 5.into()),
            ("line", 6.into()),
            ("problem", "x".into()),
            ("audience", "x".into()),
            ("zone", "x".into()),
            ("example", "x".into()),
            ("rate", "x".into()),
            ("seconds", 10.into()),
            ("id", "42".into()),
            ("activity", 12.into()),
            ("attempts", 13.into()),
            ("query", "x".into()),
            ("average", 7.into()),
            ("quizzes", 8.into()),
            ("park", "x".into()),
            ("lang", "RU".into()),
            ("kind", "x".into()),
            ("field", "x".into()),
            ("applied", 3.into()),
            ("skipped", 1.into()),
            ("format", "x".into()),
            ("times", "x".into()),
            ("link", "x".into()),
            ("who", "x".into()),
            ("percent", 1.into()),
            ("wrong", 1.into()),
            ("answers", 2.into()),
            ("busiest", 3.into()),
        ]
        .into_iter()
        .map(|(k, v)| (Cow::Borrowed(k), v))
        .collect();
        for key in keys(ru) {
            for lang in Lang::ALL {
                let text = LOCALES.try_lookup_with_args(id(lang), &key, &args);
                assert!(
                    text.as_deref().is_some_and(|s| !s.is_empty()),
                    "{key} missing in {lang}"
                );
            }
        }
    }

    #[test]
    fn arguments_and_plurals_work() {
        let s = t_args(Lang::Ru, "page-of", &[("n", 2.into()), ("total", 5.into())]);
        assert_eq!(s, "Страница 2 из 5");
        let s = t_args(Lang::En, "greeting", &[("name", "Ann".into())]);
        assert!(s.contains("Ann"), "{s}");
    }
}
