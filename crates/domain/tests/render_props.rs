//! Property tests of escaping, rendering and splitting against an independent
//! implementation of Telegram's HTML parser (`fake_telegram::html::parse`).

use domain::html::Html;
use domain::render::render_markdown;
use domain::split::{SplitError, split};
use proptest::prelude::*;

/// Characters that stress escaping and Markdown: markup, quotes, Cyrillic, emoji
/// (some outside the BMP, some with modifiers), whitespace of several kinds.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::char::range('a', 'z'),
        2 => prop::sample::select(vec!['П', 'р', 'и', 'в', 'е', 'т', 'ё', 'Я']),
        3 => prop::sample::select(vec![
            '<', '>', '&', '"', '\'', ';', '#', '/', '=', '*', '_', '~', '`', '[', ']', '(', ')',
            '!', '\\', '-', '.', ':', '|',
        ]),
        3 => prop::sample::select(vec![' ', ' ', '\n', '\t', '\u{a0}']),
        1 => prop::sample::select(vec!['😀', '👍', '🏽', '\u{200d}', '\u{0}', '\r']),
        1 => any::<char>(),
    ]
}

fn tricky_text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(tricky_char(), 0..max).prop_map(|v| v.into_iter().collect())
}

/// Text for inside inline Markdown: no newlines, so the construct stays on one line.
fn inline_text() -> impl Strategy<Value = String> {
    tricky_text(12).prop_map(|s| s.replace(['\n', '\r'], " "))
}

fn url() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => Just("https://example.com/a?b=1&c=\"2\"".to_owned()),
        8 => Just("http://парк.рф/путь".to_owned()),
        8 => Just("tg://resolve?domain=trainbot".to_owned()),
        8 => Just("mailto:staff@park.example".to_owned()),
        8 => "[a-z]{1,8}".prop_map(|s| format!("https://{s}.org/<&>")),
        // Rejected ones, rare enough that most documents still render.
        1 => Just("javascript:alert(1)".to_owned()),
        1 => Just("relative/page.md".to_owned()),
    ]
}

fn inline() -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        4 => inline_text(),
        1 => inline_text().prop_map(|t| format!("`{t}`")),
        1 => (inline_text(), url()).prop_map(|(t, u)| format!("[{t}]({u})")),
        1 => url().prop_map(|u| format!("<{u}>")),
    ];
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|t| format!("**{t}**")),
            inner.clone().prop_map(|t| format!("*{t}*")),
            inner.clone().prop_map(|t| format!("~~{t}~~")),
            (inner.clone(), url()).prop_map(|(t, u)| format!("[{t}]({u})")),
            prop::collection::vec(inner, 1..4).prop_map(|v| v.join(" ")),
        ]
    })
    .boxed()
}

fn block() -> impl Strategy<Value = String> {
    let line = prop::collection::vec(inline(), 1..4)
        .prop_map(|v| v.join(" "))
        .boxed();
    prop_oneof![
        4 => prop::collection::vec(line.clone(), 1..4).prop_map(|v| v.join("\n")),
        1 => line.clone().prop_map(|l| format!("# {l}")),
        1 => prop::collection::vec((0..3usize, any::<bool>(), line.clone()), 1..6).prop_map(|items| {
            items
                .into_iter()
                .map(|(depth, numbered, l)| {
                    format!("{}{} {l}", "  ".repeat(depth * 2), if numbered { "1." } else { "-" })
                })
                .collect::<Vec<_>>()
                .join("\n")
        }),
        1 => prop::collection::vec((1..3usize, line.clone()), 1..4).prop_map(|lines| {
            lines
                .into_iter()
                .map(|(depth, l)| format!("{} {l}", ">".repeat(depth)))
                .collect::<Vec<_>>()
                .join("\n")
        }),
        1 => (prop::sample::select(vec!["", "rust", "c++", "x\"y"]), tricky_text(40))
            .prop_map(|(lang, code)| format!("```{lang}\n{}\n```", code.replace("```", "''"))),
        1 => Just("---".to_owned()),
    ]
}

fn markdown() -> impl Strategy<Value = String> {
    prop::collection::vec(block(), 0..8).prop_map(|blocks| blocks.join("\n\n"))
}

fn oracle(html: &Html) -> Result<String, String> {
    fake_telegram::html::parse(html.as_str()).map_err(|e| format!("{e} in {:?}", html.as_str()))
}

/// Checks that `plain` is the parts' texts in order, separated by non-empty runs of
/// whitespace, with only whitespace around them.
fn assert_reassembles(plain: &str, parts: &[String]) -> Result<(), TestCaseError> {
    let mut rest = plain.trim_start();
    for (i, part) in parts.iter().enumerate() {
        prop_assert!(
            rest.starts_with(part.as_str()),
            "part {i} {part:?} is not next in {rest:?}"
        );
        rest = rest.get(part.len()..).unwrap_or_default();
        let trimmed = rest.trim_start();
        if i + 1 < parts.len() {
            prop_assert!(trimmed.len() < rest.len(), "no whitespace after part {i}");
        }
        rest = trimmed;
    }
    prop_assert_eq!(rest, "");
    Ok(())
}

proptest! {
    #[test]
    fn escaped_text_shows_exactly_the_text(text in tricky_text(64)) {
        let html = Html::escape(&text);
        prop_assert_eq!(oracle(&html), Ok(text.clone()));
        prop_assert_eq!(html.text_len(), text.chars().count());
    }

    #[test]
    fn rendered_markdown_is_valid_telegram_html(md in markdown()) {
        if let Ok(html) = render_markdown(&md) {
            let plain = oracle(&html);
            prop_assert!(plain.is_ok(), "{:?}", plain);
            let plain = plain.unwrap_or_default();
            prop_assert_eq!(html.text_len(), plain.chars().count());
            prop_assert_eq!(plain.trim_matches('\n'), plain.as_str(), "blank lines at the edges");
        }
    }

    #[test]
    fn split_parts_are_valid_bounded_and_carry_the_text(md in markdown(), max in 20usize..400) {
        let Ok(html) = render_markdown(&md) else { return Ok(()) };
        let plain = oracle(&html).unwrap_or_default();
        match split(&html, max) {
            Ok(parts) if html.text_len() <= max => {
                let expected = if html.is_empty() { vec![] } else { vec![html.clone()] };
                prop_assert_eq!(parts, expected);
            }
            Ok(parts) => {
                let mut texts = Vec::new();
                for part in &parts {
                    let text = oracle(part);
                    prop_assert!(text.is_ok(), "{:?}", text);
                    let text = text.unwrap_or_default();
                    prop_assert!(part.text_len() <= max, "{} > {max}: {part}", part.text_len());
                    prop_assert_eq!(part.text_len(), text.chars().count());
                    prop_assert!(!text.is_empty());
                    prop_assert_eq!(text.trim(), text.as_str(), "whitespace at the edges of a part");
                    texts.push(text);
                }
                prop_assert!(!texts.is_empty());
                assert_reassembles(&plain, &texts)?;
            }
            Err(SplitError::UnbreakableRun { len, max_chars, .. }) => {
                prop_assert_eq!(max_chars, max);
                prop_assert!(len > max);
                let longest = plain.split(char::is_whitespace).map(|w| w.chars().count()).max();
                prop_assert!(longest.is_some_and(|l| l > max), "no word longer than {max} in {plain:?}");
            }
        }
    }

    #[test]
    fn splitting_escaped_prose_keeps_words_whole(words in prop::collection::vec("[a-zа-я<&>]{1,15}", 1..80), seps in prop::collection::vec(prop::sample::select(vec![" ", "\n", "\n\n", " \n "]), 80), max in 20usize..120) {
        let mut text = String::new();
        for (w, s) in words.iter().zip(&seps) {
            text.push_str(w);
            text.push_str(s);
        }
        let html = Html::bold(&Html::escape(&text));
        let parts = split(&html, max);
        prop_assert!(parts.is_ok(), "{:?}", parts);
        let texts: Vec<String> = parts.unwrap_or_default().iter().map(|p| oracle(p).unwrap_or_default()).collect();
        prop_assert!(texts.iter().all(|t| t.chars().count() <= max && !t.is_empty()));
        assert_reassembles(&text, &texts)?;
    }

    #[test]
    fn nothing_panics_on_any_input(md in any::<String>(), md2 in tricky_text(200), max in 0usize..50) {
        for input in [md, md2] {
            if let Ok(html) = render_markdown(&input) {
                prop_assert!(oracle(&html).is_ok());
                let _ = split(&html, max);
            }
        }
    }
}
