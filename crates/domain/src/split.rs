//! Cutting a long rendered page into messages Telegram accepts.
//!
//! Telegram takes at most 4096 characters a message (1024 a caption), so a longer
//! page is sent as several messages. [`split`] cuts at paragraph boundaries where it
//! can, then at line boundaries, then at any whitespace; never inside a tag or an
//! entity; and keeps each part valid on its own by closing the tags open at a cut and
//! reopening them, with the same attributes, at the start of the next part.
//!
//! Layout: [`split`] plans the cuts on the visible text, then writes each part from
//! the page's tokens; [`SplitError`] is what `content check` reports.

use crate::html::{Html, Token, tokens};

/// Why a page could not be split.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    /// A run of text without whitespace is longer than a whole message; reported by
    /// `content check` as "a page too long to split".
    #[error(
        "a page too long to split: the text starting \"{preview}\" has {len} characters \
         without a space or line break, more than the {max_chars} a message may have"
    )]
    UnbreakableRun {
        /// Offset of the run in the page's visible text, in characters.
        start: usize,
        /// Length of the run in characters (at least `max_chars + 1`).
        len: usize,
        /// The limit that was asked for.
        max_chars: usize,
        /// The first characters of the run, for the author to find it.
        preview: String,
    },
}

/// Cuts `html` into parts of at most `max_chars` visible characters each
/// ([`Html::text_len`]), so each can be sent as one message.
///
/// A page that already fits is returned as one part identical to the input, and an
/// empty page as no parts. Otherwise each cut prefers the last paragraph boundary
/// (a whitespace run with two or more newlines) that fits, then the last line
/// boundary, then the last whitespace. The whitespace run at a cut belongs to neither
/// part, so no part begins or ends with whitespace and none is empty; the parts'
/// texts, joined with those runs, are the page's text.
pub fn split(html: &Html, max_chars: usize) -> Result<Vec<Html>, SplitError> {
    if html.is_empty() {
        return Ok(Vec::new());
    }
    let tokens: Vec<Token<'_>> = tokens(html.as_str()).collect();
    // Visible characters: (index into `tokens`, decoded char).
    let chars: Vec<(usize, char)> = tokens
        .iter()
        .enumerate()
        .filter_map(|(i, t)| match t {
            Token::Char { ch, .. } => Some((i, *ch)),
            _ => None,
        })
        .collect();
    if chars.len() <= max_chars {
        return Ok(vec![html.clone()]);
    }
    let text: Vec<char> = chars.iter().map(|&(_, c)| c).collect();
    let ranges = plan(&text, max_chars)?;
    Ok(write_parts(&tokens, &chars, &ranges))
}

/// Chooses the parts as inclusive ranges of visible characters, each starting and
/// ending with a non-whitespace character.
fn plan(text: &[char], max: usize) -> Result<Vec<(usize, usize)>, SplitError> {
    let mut parts = Vec::new();
    let mut start = skip_whitespace(text, 0);
    let end = last_visible(text);
    while start < text.len() {
        if end + 1 - start <= max {
            parts.push((start, end));
            break;
        }
        let cut = best_cut(text, start, max).ok_or_else(|| unbreakable(text, start, max))?;
        // `cut` is the first whitespace after the part; the part ends just before it.
        parts.push((start, cut - 1));
        start = skip_whitespace(text, cut);
    }
    Ok(parts)
}

/// The start of the whitespace run to cut at, for a part starting at `start`: the
/// last run of the best class whose start is within `max` characters.
fn best_cut(text: &[char], start: usize, max: usize) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None; // (class, position)
    let mut i = start + 1;
    while i <= start + max && i < text.len() {
        if !text.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
            continue;
        }
        let run_end = skip_whitespace(text, i);
        let newlines = text
            .get(i..run_end)
            .map_or(0, |run| run.iter().filter(|&&c| c == '\n').count());
        let class = newlines.min(2);
        if best.is_none_or(|(c, _)| class >= c) {
            best = Some((class, i));
        }
        i = run_end;
    }
    best.map(|(_, pos)| pos)
}

fn skip_whitespace(text: &[char], mut i: usize) -> usize {
    while text.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    i
}

/// The index of the last non-whitespace character (0 if there is none).
fn last_visible(text: &[char]) -> usize {
    text.iter().rposition(|c| !c.is_whitespace()).unwrap_or(0)
}

fn unbreakable(text: &[char], start: usize, max_chars: usize) -> SplitError {
    let len = text.get(start..).map_or(0, |rest| {
        rest.iter().take_while(|c| !c.is_whitespace()).count()
    });
    let preview: String = text
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take(30.min(len))
        .collect();
    SplitError::UnbreakableRun {
        start,
        len,
        max_chars,
        preview,
    }
}

/// Writes each planned part: the tags open before its first character reopened, its
/// tokens, then closing tags for whatever is still open.
fn write_parts(
    tokens: &[Token<'_>],
    chars: &[(usize, char)],
    ranges: &[(usize, usize)],
) -> Vec<Html> {
    let mut stack: Vec<Token<'_>> = Vec::new();
    let mut next = 0; // next token to apply to `stack`
    let mut parts = Vec::with_capacity(ranges.len());
    for &(first, last) in ranges {
        let (Some(&(from, _)), Some(&(to, _))) = (chars.get(first), chars.get(last)) else {
            continue;
        };
        for token in tokens.get(next..from).unwrap_or_default() {
            apply(&mut stack, *token);
        }
        let mut out = String::new();
        for open in &stack {
            out.push_str(open.raw());
        }
        for token in tokens.get(from..=to).unwrap_or_default() {
            out.push_str(token.raw());
            apply(&mut stack, *token);
        }
        next = to + 1;
        for open in stack.iter().rev() {
            if let Token::Open { name, .. } = open {
                out.push_str("</");
                out.push_str(name);
                out.push('>');
            }
        }
        parts.push(Html::from_trusted(out));
    }
    parts
}

fn apply<'a>(stack: &mut Vec<Token<'a>>, token: Token<'a>) {
    match token {
        Token::Open { .. } => stack.push(token),
        Token::Close { name, .. } => {
            if let Some(pos) = stack
                .iter()
                .rposition(|t| matches!(t, Token::Open { name: n, .. } if *n == name))
            {
                stack.truncate(pos);
            }
        }
        Token::Char { .. } => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::render_markdown;

    fn parts(html: &str, max: usize) -> Vec<String> {
        match split(&Html::from_trusted(html.to_owned()), max) {
            Ok(parts) => parts.into_iter().map(Html::into_string).collect(),
            Err(e) => panic!("unexpected error: {e}"),
        }
    }

    #[test]
    fn a_long_page_of_whitespace_has_no_parts() {
        assert_eq!(parts(&" ".repeat(20), 10), Vec::<String>::new());
        assert_eq!(parts(&"\n \n".repeat(8), 5), Vec::<String>::new());
    }

    #[test]
    fn a_page_that_fits_is_returned_as_is() {
        let page = "  <b>hello</b>\n\n";
        assert_eq!(parts(page, 100), vec![page]);
        assert_eq!(parts(page, 9), vec![page]);
        assert!(parts("", 10).is_empty());
    }

    #[test]
    fn paragraphs_are_preferred_to_lines_and_spaces() {
        assert_eq!(
            parts("aaa bbb\nccc\n\nddd eee", 15),
            vec!["aaa bbb\nccc", "ddd eee"]
        );
        assert_eq!(
            parts("aaa bbb\nccc ddd eee", 15),
            vec!["aaa bbb", "ccc ddd eee"]
        );
        assert_eq!(parts("aaa bbb ccc ddd", 10), vec!["aaa bbb", "ccc ddd"]);
        // The last paragraph boundary that fits wins over a later line boundary.
        assert_eq!(parts("a\n\nb\nc\nd", 6), vec!["a", "b\nc\nd"]);
    }

    #[test]
    fn bold_spanning_paragraphs_is_closed_and_reopened() {
        assert_eq!(
            parts("<b>один два\n\nтри</b> четыре", 12),
            vec!["<b>один два</b>", "<b>три</b> четыре"]
        );
    }

    #[test]
    fn pre_code_block_is_reopened_with_its_language() {
        let page = "intro\n\n<pre><code class=\"language-rust\">let a = 1;\nlet b = a &lt; 2;</code></pre>";
        assert_eq!(
            parts(page, 18),
            vec![
                "intro",
                "<pre><code class=\"language-rust\">let a = 1;</code></pre>",
                "<pre><code class=\"language-rust\">let b = a &lt; 2;</code></pre>",
            ]
        );
    }

    #[test]
    fn link_across_a_cut_keeps_its_href() {
        assert_eq!(
            parts(
                "see <a href=\"https://a.b/?x=1&amp;y=2\">the long link text</a> now",
                12
            ),
            vec![
                "see <a href=\"https://a.b/?x=1&amp;y=2\">the long</a>",
                "<a href=\"https://a.b/?x=1&amp;y=2\">link text</a>",
                "now",
            ]
        );
    }

    #[test]
    fn entities_count_as_one_and_are_never_cut() {
        assert_eq!(
            parts("&lt;&lt;&lt; &amp;&amp;", 3),
            vec!["&lt;&lt;&lt;", "&amp;&amp;"]
        );
    }

    #[test]
    fn tags_at_the_edges_do_not_leave_empty_elements() {
        assert_eq!(parts("aa <i>\n\nbb</i>", 3), vec!["aa", "<i>bb</i>"]);
        assert_eq!(
            parts("<blockquote>x\n\n</blockquote><b>y</b>", 1),
            vec!["<blockquote>x</blockquote>", "<b>y</b>"]
        );
    }

    #[test]
    fn an_overlong_word_is_an_error() {
        let err = split(&Html::escape("ok Donaudampfschifffahrt ok"), 10);
        assert_eq!(
            err,
            Err(SplitError::UnbreakableRun {
                start: 3,
                len: 21,
                max_chars: 10,
                preview: "Donaudampfschifffahrt".to_owned(),
            })
        );
        assert!(matches!(
            split(&Html::escape("x"), 0),
            Err(SplitError::UnbreakableRun { len: 1, .. })
        ));
        let msg = split(&Html::escape("ab cdefgh"), 3).map_err(|e| e.to_string());
        assert_eq!(
            msg,
            Err(
                "a page too long to split: the text starting \"cdefgh\" has 6 characters without \
                 a space or line break, more than the 3 a message may have"
                    .to_owned()
            )
        );
    }

    #[test]
    fn rendered_cyrillic_page_splits_on_paragraphs() {
        let md = "# Правила\n\nНа батуте **один человек**.\n\n- Снять обувь\n- Убрать телефон";
        let html = match render_markdown(md) {
            Ok(h) => h,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(
            split(&html, 40).map(|p| p.into_iter().map(Html::into_string).collect::<Vec<_>>()),
            Ok(vec![
                "<b>Правила</b>\n\nНа батуте <b>один человек</b>.".to_owned(),
                "• Снять обувь\n• Убрать телефон".to_owned(),
            ])
        );
    }
}
