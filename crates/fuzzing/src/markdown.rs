//! The Markdown renderer ([`domain::render`]) and the splitter ([`domain::split`]).

use domain::content::MESSAGE_LIMIT;
use domain::html::Html;
use domain::render::render_markdown;
use domain::split::{SplitError, split};

use crate::oracle::telegram_text;

/// The first byte picks the part size (0: a whole message, [`MESSAGE_LIMIT`];
/// otherwise that many characters, to force cuts on small inputs); the rest is the
/// Markdown of a page body.
///
/// Rendering never panics; what it renders Telegram accepts, and a refusal names a
/// line of the input. Splitting never panics; each part Telegram accepts on its own
/// (tags balanced), has at most the asked characters, is neither empty nor starts
/// or ends with whitespace, and the parts together hold all the page's visible
/// text, in order.
pub fn markdown(data: &[u8]) {
    let Some((&size, rest)) = data.split_first() else {
        return;
    };
    let max = if size == 0 {
        MESSAGE_LIMIT
    } else {
        usize::from(size)
    };
    let md = String::from_utf8_lossy(rest);
    let html = match render_markdown(&md) {
        Ok(html) => html,
        Err(e) => {
            let lines = md.split('\n').count();
            assert!(
                (1..=lines).contains(&e.line),
                "error line {} outside 1..={lines}: {e}",
                e.line
            );
            return;
        }
    };
    let text = telegram_text(&html, "rendered page");
    if !html.is_empty() {
        assert!(
            !text.trim().is_empty(),
            "a blank page must render empty: {html:?}"
        );
    }
    check_split(&html, &text, max);
}

fn check_split(html: &Html, text: &str, max: usize) {
    let parts = match split(html, max) {
        Ok(parts) => parts,
        Err(SplitError::UnbreakableRun { len, max_chars, .. }) => {
            assert_eq!(max_chars, max);
            assert!(len > max, "a run of {len} fits {max}");
            return;
        }
    };
    if html.is_empty() {
        assert!(parts.is_empty(), "an empty page gives no parts");
        return;
    }
    if html.text_len() <= max {
        assert_eq!(
            parts,
            vec![html.clone()],
            "a page that fits is one part, as is"
        );
        return;
    }
    let mut joined = String::new();
    for (i, part) in parts.iter().enumerate() {
        let part_text = telegram_text(part, &format!("part {i}"));
        let n = part_text.chars().count();
        assert!(
            n <= max,
            "part {i} has {n} characters, more than {max}: {part:?}"
        );
        assert!(!part_text.is_empty(), "part {i} is empty");
        assert_eq!(
            part_text.trim(),
            part_text,
            "part {i} starts or ends with whitespace: {part:?}"
        );
        joined.extend(part_text.chars().filter(|c| !c.is_whitespace()));
    }
    let whole: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert_eq!(joined, whole, "the parts lose or reorder the page's text");
}
