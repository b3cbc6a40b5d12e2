//! Markdown pages → Telegram HTML.
//!
//! [`render_markdown`] turns a page's Markdown (CommonMark plus `~~strikethrough~~`)
//! into an [`Html`] message. Telegram has no block elements besides `<pre>` and
//! `<blockquote>`, so blocks become lines: paragraphs are separated by one blank
//! line, list items start with a bullet or a number, headings are bold lines.
//! Constructs Telegram cannot show are errors with a 1-based line number, written
//! for the content author (they are printed by `trainbot content check`).
//!
//! Layout: [`render_markdown`] drives a private `Writer` over pulldown-cmark's
//! events; [`RenderError`] / [`RenderErrorKind`] are what authors see.

use pulldown_cmark::{CodeBlockKind, Event, LinkType, Options, Parser, Tag, TagEnd};

use crate::html::{Html, is_allowed_link};

/// Why a page could not be rendered, and where (1-based line of the Markdown input).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct RenderError {
    /// 1-based line of the Markdown input where the construct starts.
    pub line: usize,
    /// What is wrong.
    pub kind: RenderErrorKind,
}

/// The constructs a page may not use.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RenderErrorKind {
    /// Inline or block HTML; `snippet` is the start of it.
    #[error(
        "raw HTML ({snippet}) is not allowed; write Markdown (**bold**, *italic*) instead, \
         and write \\< to show a literal <"
    )]
    RawHtml {
        /// The first characters of the HTML as written.
        snippet: String,
    },
    /// `![alt](src)`.
    #[error("images are not allowed in page text; attach media in the page's front matter")]
    Image,
    /// `[^note]` references and definitions.
    #[error("footnotes are not supported; put the note into the text")]
    Footnote,
    /// A link whose target is not an absolute http, https, tg or mailto URL.
    #[error(
        "link target \"{url}\" is not allowed; links must start with http://, https://, tg:// or mailto:"
    )]
    LinkScheme {
        /// The link target as written.
        url: String,
    },
}

/// Renders a page's Markdown into Telegram HTML.
///
/// Mapping: paragraphs are separated by one blank line; `**b**` → `<b>`, `*i*` →
/// `<i>`, `~~s~~` → `<s>`, `` `c` `` → `<code>`; fenced and indented code →
/// `<pre><code class="language-x">` (or `<pre>` without a usable language);
/// `[t](url)` and autolinks → `<a href>` (http, https, tg and mailto only); headings
/// → a bold line; bullet lists → lines `• item` (`◦ item` when nested), numbered
/// lists → `1. item`, nested lists indented by two spaces a level and continuation
/// lines aligned under the item text; blockquotes → `<blockquote>` (nested ones
/// flattened, since Telegram forbids nesting); soft and hard breaks → a newline;
/// a horizontal rule → a line `———`. Empty elements are dropped; the result has no
/// leading or trailing blank lines (an empty page renders to an empty `Html`).
///
/// Text is shown literally: `a < b & c` and `5 < 6` display as written. What
/// CommonMark reads as HTML — a `<` directly followed by a tag name and closed by
/// `>`, like `<b>`, `<script>`, `<x-y>` or `<!-- -->` — is an error, not text; write
/// `\<` to show such text. `x<y` without a closing `>` is text. Character
/// references (`&amp;`, `&copy;`) are decoded as CommonMark says and their result
/// shown. Errors: raw HTML, images, footnotes, links with other schemes (relative
/// links included). Tables are not enabled, so a table shows as its source text.
pub fn render_markdown(md: &str) -> Result<Html, RenderError> {
    let options = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    let mut writer = Writer::default();
    for (event, range) in Parser::new_ext(md, options).into_offset_iter() {
        if let Err(kind) = writer.event(event) {
            let line = md.get(..range.start).map_or(1, |before| {
                before.bytes().filter(|&b| b == b'\n').count() + 1
            });
            return Err(RenderError { line, kind });
        }
    }
    let html = Html::from_trusted(writer.out);
    // A page of nothing but whitespace would be an empty message to Telegram.
    if html.text_is_blank() {
        return Ok(Html::default());
    }
    Ok(html)
}

/// How much vertical space the next block wants before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
enum Sep {
    #[default]
    None,
    Line,
    Blank,
}

/// One open Markdown element. `tag` is `None` for elements without a tag of their own
/// (paragraphs, lists) and for repeats of a tag already open (Telegram would show
/// `<b><b>x</b></b>` like `<b>x</b>`; blockquotes may not nest at all).
struct Open {
    tag: Option<(String, &'static str)>,
    /// Whether the opening tag is in the output yet: tags are written only in front of
    /// their first text, so empty elements leave no trace.
    emitted: bool,
}

struct List {
    next_number: Option<u64>,
}

#[derive(Default)]
struct Writer {
    out: String,
    stack: Vec<Open>,
    pending: Sep,
    /// Some visible text has been written.
    written: bool,
    /// Just after a list marker: the item's first block goes on the marker's line.
    after_marker: bool,
    lists: Vec<List>,
    /// Column where the text of each open list item starts.
    item_indents: Vec<usize>,
    /// Inside a code block: its language and text so far.
    code_block: Option<(Option<String>, String)>,
}

impl Writer {
    fn event(&mut self, event: Event<'_>) -> Result<(), RenderErrorKind> {
        match event {
            Event::Start(tag) => self.start(tag)?,
            Event::End(end) => self.end(end),
            Event::Text(text) => match &mut self.code_block {
                Some((_, buf)) => buf.push_str(&text),
                None => self.text(&text),
            },
            Event::Code(code) => {
                if !code.is_empty() {
                    self.flush(None);
                    self.out.push_str("<code>");
                    self.out.push_str(Html::escape(&code).as_str());
                    self.out.push_str("</code>");
                    self.wrote();
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                return Err(RenderErrorKind::RawHtml {
                    snippet: snippet(&html),
                });
            }
            Event::FootnoteReference(_) => return Err(RenderErrorKind::Footnote),
            Event::SoftBreak | Event::HardBreak => self.request(Sep::Line),
            Event::Rule => {
                self.request(Sep::Blank);
                self.text("———");
            }
            // Math and task lists are not enabled; show their text if they ever appear.
            Event::InlineMath(text) | Event::DisplayMath(text) => self.text(&text),
            Event::TaskListMarker(done) => self.text(if done { "☑ " } else { "☐ " }),
        }
        Ok(())
    }

    fn start(&mut self, tag: Tag<'_>) -> Result<(), RenderErrorKind> {
        let open = match tag {
            Tag::Image { .. } => return Err(RenderErrorKind::Image),
            Tag::FootnoteDefinition(_) => return Err(RenderErrorKind::Footnote),
            Tag::Paragraph => {
                self.request(Sep::Blank);
                None
            }
            Tag::Heading { .. } => {
                self.request(Sep::Blank);
                Some(("<b>".to_owned(), "</b>"))
            }
            Tag::BlockQuote(_) => {
                self.request(Sep::Blank);
                Some(("<blockquote>".to_owned(), "</blockquote>"))
            }
            Tag::CodeBlock(kind) => {
                self.request(Sep::Blank);
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => language(&info),
                    CodeBlockKind::Indented => None,
                };
                self.code_block = Some((lang, String::new()));
                None
            }
            Tag::List(first) => {
                self.request(if self.lists.is_empty() {
                    Sep::Blank
                } else {
                    Sep::Line
                });
                self.lists.push(List { next_number: first });
                None
            }
            Tag::Item => {
                self.item_start();
                None
            }
            Tag::Emphasis => Some(("<i>".to_owned(), "</i>")),
            Tag::Strong => Some(("<b>".to_owned(), "</b>")),
            Tag::Strikethrough => Some(("<s>".to_owned(), "</s>")),
            Tag::Link {
                link_type,
                dest_url,
                ..
            } => {
                let url = match link_type {
                    LinkType::Email => format!("mailto:{dest_url}"),
                    _ => dest_url.to_string(),
                };
                if !is_allowed_link(&url) {
                    return Err(RenderErrorKind::LinkScheme { url });
                }
                Some((format!("<a href=\"{}\">", Html::escape(&url)), "</a>"))
            }
            // Not enabled (tables, definition lists, super/subscript, metadata):
            // their text is kept, without markup.
            _ => None,
        };
        let tag = open.filter(|(open, _)| !self.is_open(open));
        self.stack.push(Open {
            tag,
            emitted: false,
        });
        Ok(())
    }

    fn end(&mut self, end: TagEnd) {
        match end {
            TagEnd::CodeBlock => self.code_block_end(),
            TagEnd::List(_) => {
                self.lists.pop();
            }
            TagEnd::Item => {
                self.item_indents.pop();
                self.after_marker = false;
            }
            _ => {}
        }
        if let Some(Open {
            tag: Some((_, close)),
            emitted: true,
        }) = self.stack.pop()
        {
            self.out.push_str(close);
        }
    }

    fn item_start(&mut self) {
        self.request(Sep::Line);
        let depth = self.lists.len();
        let indent = 2 * depth.saturating_sub(1);
        let marker = match self.lists.last_mut() {
            Some(List {
                next_number: Some(n),
            }) => {
                let marker = format!("{n}. ");
                *n = n.saturating_add(1);
                marker
            }
            _ if depth > 1 => "◦ ".to_owned(),
            _ => "• ".to_owned(),
        };
        self.flush(Some(indent));
        self.out.push_str(&marker);
        self.wrote();
        self.after_marker = true;
        self.item_indents.push(indent + marker.chars().count());
    }

    fn code_block_end(&mut self) {
        let Some((lang, text)) = self.code_block.take() else {
            return;
        };
        let text = text.trim_end();
        // Drop leading blank lines but keep the first line's indentation.
        let first_visible = text
            .find(|c: char| !c.is_whitespace())
            .unwrap_or(text.len());
        let line_start = text
            .get(..first_visible)
            .and_then(|s| s.rfind('\n'))
            .map_or(0, |i| i + 1);
        let text = text.get(line_start..).unwrap_or_default();
        if text.is_empty() {
            return;
        }
        self.flush(None);
        match &lang {
            Some(lang) => {
                self.out.push_str("<pre><code class=\"language-");
                self.out.push_str(Html::escape(lang).as_str());
                self.out.push_str("\">");
            }
            None => self.out.push_str("<pre>"),
        }
        self.out.push_str(Html::escape(text).as_str());
        self.out.push_str(if lang.is_some() {
            "</code></pre>"
        } else {
            "</pre>"
        });
        self.wrote();
    }

    fn is_open(&self, open: &str) -> bool {
        let name = tag_name(open);
        self.stack.iter().any(|o| {
            o.tag
                .as_ref()
                .is_some_and(|(other, _)| tag_name(other) == name)
        })
    }

    /// Asks for space before the next text; the largest request wins. Inside list items
    /// blocks are one line apart, and a block directly after a marker shares its line.
    fn request(&mut self, sep: Sep) {
        if self.after_marker {
            return;
        }
        let sep = if self.item_indents.is_empty() {
            sep
        } else {
            sep.min(Sep::Line)
        };
        self.pending = self.pending.max(sep);
    }

    /// Writes the pending separator (never at the very start) and the opening tags
    /// still waiting for text.
    fn flush(&mut self, indent: Option<usize>) {
        let sep = std::mem::take(&mut self.pending);
        if self.written && sep != Sep::None {
            self.out
                .push_str(if sep == Sep::Blank { "\n\n" } else { "\n" });
            let indent = indent.unwrap_or_else(|| self.item_indents.last().copied().unwrap_or(0));
            self.out.extend(std::iter::repeat_n(' ', indent));
        }
        for open in self.stack.iter_mut().filter(|o| !o.emitted) {
            if let Some((tag, _)) = &open.tag {
                self.out.push_str(tag);
            }
            open.emitted = true;
        }
    }

    fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        self.flush(None);
        self.out.push_str(Html::escape(text).as_str());
        self.wrote();
    }

    fn wrote(&mut self) {
        self.written = true;
        self.after_marker = false;
    }
}

fn tag_name(open: &str) -> &str {
    open.trim_start_matches('<')
        .split(|c: char| c == '>' || c.is_whitespace())
        .next()
        .unwrap_or_default()
}

/// The language of a fenced code block: the info string's first word, if it looks
/// like a language name (Telegram only uses it for highlighting).
fn language(info: &str) -> Option<String> {
    let word = info
        .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
        .next()?;
    let usable = !word.is_empty()
        && word.chars().count() <= 32
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-_.#".contains(c));
    usable.then(|| word.to_owned())
}

fn snippet(html: &str) -> String {
    let first_line = html.trim().lines().next().unwrap_or_default();
    let mut s: String = first_line.chars().take(40).collect();
    if first_line.chars().count() > 40 {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(md: &str) -> String {
        match render_markdown(md) {
            Ok(html) => html.into_string(),
            Err(e) => panic!("unexpected error for {md:?}: {e}"),
        }
    }

    fn error(md: &str) -> RenderError {
        match render_markdown(md) {
            Ok(html) => panic!("expected an error for {md:?}, got {html}"),
            Err(e) => e,
        }
    }

    #[test]
    fn paragraphs_are_one_blank_line_apart() {
        assert_eq!(
            render("\n\nfirst\nline\n\n\n\nsecond  \nhard\n\n"),
            "first\nline\n\nsecond\nhard"
        );
    }

    #[test]
    fn inline_styles() {
        assert_eq!(
            render("**bold** *it* _it_ ~~gone~~ `a<b>&c`"),
            "<b>bold</b> <i>it</i> <i>it</i> <s>gone</s> <code>a&lt;b&gt;&amp;c</code>"
        );
        assert_eq!(render("***both***"), "<i><b>both</b></i>");
        assert_eq!(render("**a *b* c**"), "<b>a <i>b</i> c</b>");
    }

    #[test]
    fn text_is_escaped_exactly_once() {
        assert_eq!(
            render("a < b & c > d \"q\""),
            "a &lt; b &amp; c &gt; d &quot;q&quot;"
        );
        assert_eq!(render("5 < 6 and x<y"), "5 &lt; 6 and x&lt;y");
        assert_eq!(render("\\<script>"), "&lt;script&gt;");
        assert_eq!(render("&amp; &lt;"), "&amp; &lt;");
    }

    #[test]
    fn cyrillic_and_emoji_pass_through() {
        assert_eq!(
            render("# Батуты\n\n**Правило 1:** не больше *одного* 🤸 на батуте."),
            "<b>Батуты</b>\n\n<b>Правило 1:</b> не больше <i>одного</i> 🤸 на батуте."
        );
    }

    #[test]
    fn code_blocks() {
        assert_eq!(
            render("text\n\n```rust\nfn main() {\n    let x = 1 < 2;\n}\n```\n\nafter"),
            "text\n\n<pre><code class=\"language-rust\">fn main() {\n    let x = 1 &lt; 2;\n}</code></pre>\n\nafter"
        );
        assert_eq!(
            render("```\nplain & simple\n```"),
            "<pre>plain &amp; simple</pre>"
        );
        assert_eq!(
            render("    indented\n      more"),
            "<pre>indented\n  more</pre>"
        );
        assert_eq!(render("```we\"ird lang\nx\n```"), "<pre>x</pre>");
        for (info, language) in [("rust,ignore", "rust"), ("js{1,3}", "js"), ("c++ x", "c++")] {
            assert_eq!(
                render(&format!("```{info}\nx\n```")),
                format!("<pre><code class=\"language-{language}\">x</code></pre>"),
                "{info}"
            );
        }
        assert_eq!(render("```\n\n\n```\n\nonly"), "only");
    }

    #[test]
    fn links() {
        assert_eq!(
            render("[сайт](https://example.com/?a=1&b=\"2\") and <https://x.org>"),
            "<a href=\"https://example.com/?a=1&amp;b=&quot;2&quot;\">сайт</a> and \
             <a href=\"https://x.org\">https://x.org</a>"
        );
        assert_eq!(
            render("[write](mailto:a@b.c) <boss@park.ru> [me](tg://resolve?domain=x)"),
            "<a href=\"mailto:a@b.c\">write</a> <a href=\"mailto:boss@park.ru\">boss@park.ru</a> \
             <a href=\"tg://resolve?domain=x\">me</a>"
        );
        assert_eq!(
            render("[**b**](http://a.b)"),
            "<a href=\"http://a.b\"><b>b</b></a>"
        );
    }

    #[test]
    fn headings_are_bold_lines() {
        assert_eq!(
            render("# One\n## Two *x*\ntext"),
            "<b>One</b>\n\n<b>Two <i>x</i></b>\n\ntext"
        );
        assert_eq!(render("# **Bold** title"), "<b>Bold title</b>");
        assert_eq!(render("Setext\n===\n\n#\n\nend"), "<b>Setext</b>\n\nend");
    }

    #[test]
    fn lists() {
        assert_eq!(
            render("Intro:\n- one\n- two\n\nend"),
            "Intro:\n\n• one\n• two\n\nend"
        );
        assert_eq!(render("3. c\n4. d"), "3. c\n4. d");
        assert_eq!(
            render("- a\n  - b\n    1. c\n  - d\n- e"),
            "• a\n  ◦ b\n    1. c\n  ◦ d\n• e"
        );
        assert_eq!(
            render("- loose\n\n  second para\n\n- next"),
            "• loose\n  second para\n• next"
        );
        assert_eq!(render("- wrapped\n  line"), "• wrapped\n  line");
        assert_eq!(render("1. **x**\n2. `y`"), "1. <b>x</b>\n2. <code>y</code>");
    }

    #[test]
    fn blockquotes_are_flattened() {
        assert_eq!(
            render("> quoted\n> line\n\nafter"),
            "<blockquote>quoted\nline</blockquote>\n\nafter"
        );
        assert_eq!(
            render("> outer\n>\n> > inner\n>\n> back"),
            "<blockquote>outer\n\ninner\n\nback</blockquote>"
        );
    }

    #[test]
    fn rules_and_breaks() {
        assert_eq!(render("a\n\n---\n\nb"), "a\n\n———\n\nb");
        assert_eq!(render("a\\\nb"), "a\nb");
    }

    #[test]
    fn empty_input_renders_empty() {
        assert_eq!(render(""), "");
        assert_eq!(render("\n \n\t\n"), "");
        assert_eq!(render("[ ](https://a.b)\n\n# ~~&#32;~~"), "");
        assert_eq!(
            render("**\u{200b}**").chars().count(),
            "<b>\u{200b}</b>".chars().count()
        );
    }

    #[test]
    fn raw_html_is_quoted_by_its_first_40_characters() {
        let long = format!("<div>{}</div>", "x".repeat(50));
        let e = error(&long);
        let RenderErrorKind::RawHtml { snippet } = e.kind else {
            panic!("{e:?}")
        };
        assert_eq!(snippet, format!("<div>{}…", "x".repeat(35)));
        // Exactly 40 characters are quoted whole.
        let e = error(&format!("<div>{}", "y".repeat(35)));
        assert_eq!(
            e.kind,
            RenderErrorKind::RawHtml {
                snippet: format!("<div>{}", "y".repeat(35))
            }
        );
    }

    #[test]
    fn raw_html_is_an_error_with_its_line() {
        let e = error("fine\n\nalso <b>bold</b>");
        assert_eq!(e.line, 3);
        assert_eq!(
            e.kind,
            RenderErrorKind::RawHtml {
                snippet: "<b>".to_owned()
            }
        );
        assert_eq!(
            e.to_string(),
            "line 3: raw HTML (<b>) is not allowed; write Markdown (**bold**, *italic*) instead, \
             and write \\< to show a literal <"
        );
        let e = error("a\n\n<div>\nblock\n</div>");
        assert_eq!(
            (e.line, e.kind),
            (
                3,
                RenderErrorKind::RawHtml {
                    snippet: "<div>".to_owned()
                }
            )
        );
        assert_eq!(error("<!-- note -->").line, 1);
        assert!(matches!(
            error("x <script>").kind,
            RenderErrorKind::RawHtml { .. }
        ));
    }

    #[test]
    fn images_footnotes_and_bad_links_are_errors() {
        let e = error("one\ntwo ![alt](pic.png)");
        assert_eq!((e.line, e.kind), (2, RenderErrorKind::Image));
        assert_eq!(
            error("text[^1]\n\n[^1]: note").kind,
            RenderErrorKind::Footnote
        );
        // A definition nobody refers to is a footnote too.
        let e = error("text\n\n[^1]: note");
        assert_eq!((e.line, e.kind), (3, RenderErrorKind::Footnote));
        let e = error("\n\n\n[x](javascript:alert(1))");
        assert_eq!(e.line, 4);
        assert_eq!(
            e.kind,
            RenderErrorKind::LinkScheme {
                url: "javascript:alert(1)".to_owned()
            }
        );
        assert_eq!(
            e.to_string(),
            "line 4: link target \"javascript:alert(1)\" is not allowed; links must start with \
             http://, https://, tg:// or mailto:"
        );
        assert!(matches!(
            error("[rel](other/page.md)").kind,
            RenderErrorKind::LinkScheme { .. }
        ));
    }

    #[test]
    fn tables_are_plain_text() {
        assert_eq!(
            render("| a | b |\n|---|---|\n| 1 | 2 |"),
            "| a | b |\n|---|---|\n| 1 | 2 |"
        );
    }
}
