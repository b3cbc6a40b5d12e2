//! Message text in Telegram's HTML subset, valid by construction.
//!
//! [`Html`] can only be built by escaping ([`Html::escape`], [`Html::push_text`]),
//! by the tag helpers, or by the Markdown renderer, so any `Html` can be sent with
//! `parse_mode = HTML` without a "can't parse entities" answer. This is the one place
//! where text is escaped ("escape on output, never on input").
//!
//! Layout:
//! - [`Html`]: the value, its escaping constructor, tag helpers and [`Html::text_len`];
//! - [`is_allowed_link`]: the URL schemes a link may use;
//! - `tokens` (crate-private): the scanner [`crate::split`] and `text_len` share.

use std::fmt;

/// Text in Telegram's HTML subset, valid by construction: built only by escaping,
/// by the tag helpers, or by the renderer.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Html(String);

impl Html {
    /// Escapes plain text so Telegram shows it literally. The one escaping function:
    /// `&`, `<`, `>` and `"` become entities, everything else is kept as is.
    pub fn escape(text: &str) -> Html {
        let mut out = String::with_capacity(text.len());
        escape_into(&mut out, text);
        Html(out)
    }

    /// The markup, ready to send with `parse_mode = HTML`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The markup as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }

    /// True when there is no markup at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Appends other markup; concatenating valid markup keeps it valid.
    pub fn push(&mut self, other: &Html) {
        self.0.push_str(&other.0);
    }

    /// Appends plain text, escaped.
    pub fn push_text(&mut self, text: &str) {
        escape_into(&mut self.0, text);
    }

    /// `<b>inner</b>`.
    pub fn bold(inner: &Html) -> Html {
        Html::wrap("<b>", inner, "</b>")
    }

    /// `<i>inner</i>`.
    pub fn italic(inner: &Html) -> Html {
        Html::wrap("<i>", inner, "</i>")
    }

    /// `<code>text</code>`; the text is escaped (code cannot contain other tags).
    pub fn code(text: &str) -> Html {
        Html::wrap("<code>", &Html::escape(text), "</code>")
    }

    /// `<a href="href">inner</a>`. A link whose scheme is not one of
    /// [`is_allowed_link`]'s gives `inner` alone, because a message must stay valid
    /// whatever URL a caller passes; validate URLs at the edge to report them.
    pub fn link(href: &str, inner: &Html) -> Html {
        if !is_allowed_link(href) {
            return inner.clone();
        }
        let mut open = String::from("<a href=\"");
        escape_into(&mut open, href);
        open.push_str("\">");
        Html::wrap(&open, inner, "</a>")
    }

    /// `<blockquote>inner</blockquote>`. Telegram forbids nested blockquotes, so
    /// blockquote tags already inside `inner` are dropped (their text stays).
    pub fn blockquote(inner: &Html) -> Html {
        let mut flat = String::with_capacity(inner.0.len());
        for token in tokens(&inner.0) {
            match token {
                Token::Open {
                    name: "blockquote", ..
                }
                | Token::Close {
                    name: "blockquote", ..
                } => {}
                other => flat.push_str(other.raw()),
            }
        }
        Html::wrap("<blockquote>", &Html(flat), "</blockquote>")
    }

    /// Joins parts with a plain-text separator (escaped).
    pub fn join(parts: &[Html], sep: &str) -> Html {
        let sep = Html::escape(sep);
        let mut out = Html::default();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                out.push(&sep);
            }
            out.push(part);
        }
        out
    }

    /// Length in Unicode code points of the text Telegram shows: tags removed, each
    /// entity one character. This is what Telegram's 4096 (message) and 1024
    /// (caption) limits count.
    pub fn text_len(&self) -> usize {
        tokens(&self.0)
            .filter(|t| matches!(t, Token::Char { .. }))
            .count()
    }

    /// True when Telegram would show nothing but whitespace.
    pub(crate) fn text_is_blank(&self) -> bool {
        tokens(&self.0).all(|t| match t {
            Token::Char { ch, .. } => ch.is_whitespace(),
            _ => true,
        })
    }

    /// Wraps markup that this crate produced itself (the renderer and the splitter),
    /// which guarantee its validity.
    pub(crate) fn from_trusted(s: String) -> Html {
        Html(s)
    }

    fn wrap(open: &str, inner: &Html, close: &str) -> Html {
        let mut s = String::with_capacity(open.len() + inner.0.len() + close.len());
        s.push_str(open);
        s.push_str(&inner.0);
        s.push_str(close);
        Html(s)
    }
}

impl fmt::Display for Html {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether a link target may be used in a message: `http`, `https`, `tg` and
/// `mailto` URLs only (scheme case-insensitive). Relative links, `javascript:` and
/// the like are refused.
pub fn is_allowed_link(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once(':') else {
        return false;
    };
    let scheme = scheme.to_ascii_lowercase();
    let allowed = matches!(scheme.as_str(), "http" | "https" | "tg" | "mailto");
    allowed && !rest.is_empty() && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

/// One lexical piece of markup this crate produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// An opening tag; `raw` is the whole tag with its attributes.
    Open { name: &'a str, raw: &'a str },
    /// A closing tag.
    Close { name: &'a str, raw: &'a str },
    /// One visible character: a plain character or an entity, `ch` decoded.
    Char { ch: char, raw: &'a str },
}

impl<'a> Token<'a> {
    pub(crate) fn raw(&self) -> &'a str {
        match self {
            Token::Open { raw, .. } | Token::Close { raw, .. } | Token::Char { raw, .. } => raw,
        }
    }
}

/// Scans markup into tags and visible characters. Total on any string: anything
/// that is not a well-formed tag or entity is read as plain characters.
pub(crate) fn tokens(s: &str) -> impl Iterator<Item = Token<'_>> {
    let mut rest = s;
    std::iter::from_fn(move || {
        let c = rest.chars().next()?;
        let (token, len) = match c {
            '<' => scan_tag(rest).unwrap_or((Token::Char { ch: '<', raw: "<" }, 1)),
            '&' => scan_entity(rest).unwrap_or((Token::Char { ch: '&', raw: "&" }, 1)),
            c => {
                let len = c.len_utf8();
                (
                    Token::Char {
                        ch: c,
                        raw: rest.get(..len).unwrap_or_default(),
                    },
                    len,
                )
            }
        };
        rest = rest.get(len..).unwrap_or_default();
        Some(token)
    })
}

fn scan_tag(s: &str) -> Option<(Token<'_>, usize)> {
    let end = s.find('>')?;
    let raw = s.get(..=end)?;
    let inner = raw.get(1..end)?;
    let (closing, body) = match inner.strip_prefix('/') {
        Some(body) => (true, body),
        None => (false, inner),
    };
    let name_end = body.find(|c: char| c.is_whitespace()).unwrap_or(body.len());
    let name = body.get(..name_end)?;
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    let token = if closing {
        Token::Close { name, raw }
    } else {
        Token::Open { name, raw }
    };
    Some((token, raw.len()))
}

fn scan_entity(s: &str) -> Option<(Token<'_>, usize)> {
    // The longest entity is `&#x10FFFF;` (10 bytes); look no further for its `;`.
    let end = s.bytes().take(12).position(|b| b == b';')?;
    let raw = s.get(..=end)?;
    let body = raw.get(1..end)?;
    let ch = match body {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        _ => {
            let num = body.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse::<u32>().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some((Token::Char { ch, raw }, raw.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_names_are_letters_digits_and_hyphens() {
        // Telegram's own tags have hyphens: a spoiler is one tag, not text.
        let spoiler: Vec<Token> = tokens("<tg-spoiler>x</tg-spoiler>").collect();
        assert_eq!(
            spoiler,
            [
                Token::Open {
                    name: "tg-spoiler",
                    raw: "<tg-spoiler>"
                },
                Token::Char { ch: 'x', raw: "x" },
                Token::Close {
                    name: "tg-spoiler",
                    raw: "</tg-spoiler>"
                },
            ]
        );
        // Anything else in a name makes it plain text, character by character.
        for raw in ["<a_b>", "<a.b>", "</a+b>", "<>"] {
            assert!(
                tokens(raw).all(|t| matches!(t, Token::Char { .. })),
                "{raw} read as a tag"
            );
        }
    }

    #[test]
    fn escape_replaces_the_markup_characters() {
        assert_eq!(
            Html::escape(r#"a < b & c > "d" 'e'"#).as_str(),
            "a &lt; b &amp; c &gt; &quot;d&quot; 'e'"
        );
        assert_eq!(Html::escape("Привет, мир 👋").as_str(), "Привет, мир 👋");
    }

    #[test]
    fn text_len_counts_code_points_of_shown_text() {
        assert_eq!(Html::escape("a<&>\"").text_len(), 5);
        assert_eq!(Html::bold(&Html::escape("Привет")).text_len(), 6);
        assert_eq!(Html::escape("👍🏽").text_len(), 2);
        let link = Html::link("https://e.com/?a=1&b=2", &Html::escape("x"));
        assert_eq!(
            link.as_str(),
            r#"<a href="https://e.com/?a=1&amp;b=2">x</a>"#
        );
        assert_eq!(link.text_len(), 1);
        assert_eq!(Html::default().text_len(), 0);
        assert_eq!(Html::escape("&😀😀😀😀 &").text_len(), 7);
    }

    #[test]
    fn tag_helpers_wrap_and_escape() {
        let mut h = Html::bold(&Html::italic(&Html::escape("x")));
        h.push_text(" & ");
        h.push(&Html::code("<b>"));
        assert_eq!(
            h.to_string(),
            "<b><i>x</i></b> &amp; <code>&lt;b&gt;</code>"
        );
        assert_eq!(
            Html::join(&[Html::escape("a"), Html::escape("b")], " & ").as_str(),
            "a &amp; b"
        );
        assert!(Html::default().is_empty());
        assert_eq!(Html::escape("q").into_string(), "q");
    }

    #[test]
    fn links_with_other_schemes_keep_only_their_text() {
        let inner = Html::escape("click");
        assert_eq!(Html::link("javascript:alert(1)", &inner), inner);
        assert_eq!(Html::link("page.md", &inner), inner);
        assert_eq!(
            Html::link("tg://user?id=1", &inner).as_str(),
            r#"<a href="tg://user?id=1">click</a>"#
        );
        assert!(is_allowed_link("MAILTO:a@b.c"));
        assert!(!is_allowed_link("https:"));
        assert!(!is_allowed_link("https://a b"));
    }

    #[test]
    fn blockquotes_never_nest() {
        let inner = Html::blockquote(&Html::escape("a"));
        let outer = Html::blockquote(&inner);
        assert_eq!(outer.as_str(), "<blockquote>a</blockquote>");
    }

    #[test]
    fn tokens_are_total_on_garbage() {
        let s = "<<>&;&#xZZ;<a b=\"c\">&#1114112;&\u{1F600}\u{1F600}\u{1F600};&";
        let joined: String = tokens(s).map(|t| t.raw()).collect();
        assert_eq!(joined, s);
    }
}
