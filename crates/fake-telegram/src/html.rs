//! Telegram's HTML parse mode, as an independent oracle.
//!
//! This follows the byte-level parser of TDLib (`parse_html` in
//! `td/telegram/MessageEntity.cpp`): the same tag set, the same attribute syntax and the
//! same error wording. It is stricter than Telegram in exactly the ways `TELEGRAM.md`
//! demands: `&` and `>` outside tags must be escaped, named entities are only `lt gt amp
//! quot` and must end with `;`, and blockquotes do not nest.
//!
//! [`parse`] returns the plain text a person would see; [`parse_entities`] also returns
//! the formatting entities with UTF-16 offsets, as the Bot API reports them.

use std::fmt;

/// Why a text was rejected; displays as Telegram's description after `Bad Request: `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlError {
    message: String,
    byte_offset: usize,
}

impl HtmlError {
    fn at(reason: impl Into<String>, byte_offset: usize) -> Self {
        Self {
            message: format!("{} at byte offset {byte_offset}", reason.into()),
            byte_offset,
        }
    }

    fn with_message(message: String, byte_offset: usize) -> Self {
        Self {
            message,
            byte_offset,
        }
    }

    /// Byte offset in the input where the offending construct starts.
    pub fn byte_offset(&self) -> usize {
        self.byte_offset
    }

    /// The reason without the `can't parse entities: ` prefix.
    pub fn reason(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for HtmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "can't parse entities: {}", self.message)
    }
}

impl std::error::Error for HtmlError {}

/// What a formatting entity does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntityKind {
    Bold,
    Italic,
    Underline,
    Strikethrough,
    Spoiler,
    TextLink { url: String },
    CustomEmoji { custom_emoji_id: String },
    Code,
    Pre { language: Option<String> },
    Blockquote,
    ExpandableBlockquote,
}

/// A formatting entity; `offset` and `length` count UTF-16 code units, like the Bot API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    pub kind: EntityKind,
    pub offset: usize,
    pub length: usize,
}

impl Entity {
    /// The Bot API `MessageEntity` object.
    pub fn to_json(&self) -> serde_json::Value {
        let kind = match &self.kind {
            EntityKind::Bold => "bold",
            EntityKind::Italic => "italic",
            EntityKind::Underline => "underline",
            EntityKind::Strikethrough => "strikethrough",
            EntityKind::Spoiler => "spoiler",
            EntityKind::TextLink { .. } => "text_link",
            EntityKind::CustomEmoji { .. } => "custom_emoji",
            EntityKind::Code => "code",
            EntityKind::Pre { .. } => "pre",
            EntityKind::Blockquote => "blockquote",
            EntityKind::ExpandableBlockquote => "expandable_blockquote",
        };
        let mut json =
            serde_json::json!({"type": kind, "offset": self.offset, "length": self.length});
        match &self.kind {
            EntityKind::TextLink { url } => json["url"] = url.clone().into(),
            EntityKind::CustomEmoji { custom_emoji_id } => {
                json["custom_emoji_id"] = custom_emoji_id.clone().into();
            }
            EntityKind::Pre {
                language: Some(language),
            } => json["language"] = language.clone().into(),
            _ => {}
        }
        json
    }
}

/// Plain text and entities of a parsed message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parsed {
    pub text: String,
    pub entities: Vec<Entity>,
}

/// Parses `input` in Telegram's HTML parse mode and returns the plain text.
pub fn parse(input: &str) -> Result<String, HtmlError> {
    parse_entities(input).map(|parsed| parsed.text)
}

const ALLOWED_TAGS: &[&str] = &[
    "a",
    "b",
    "strong",
    "i",
    "em",
    "s",
    "strike",
    "del",
    "u",
    "ins",
    "tg-spoiler",
    "tg-emoji",
    "span",
    "pre",
    "code",
    "blockquote",
];

struct OpenTag {
    name: String,
    argument: String,
    expandable: bool,
    utf16_start: usize,
    byte_offset: usize,
    /// Set on a `pre` by a directly nested `<code class="language-…">`.
    language: Option<String>,
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'\x0b' | b'\x0c')
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Parses `input` and returns plain text with UTF-16 entities.
pub fn parse_entities(input: &str) -> Result<Parsed, HtmlError> {
    let b = input.as_bytes();
    let len = b.len();
    let mut text = String::with_capacity(len);
    let mut utf16 = 0usize;
    let mut stack: Vec<OpenTag> = Vec::new();
    let mut entities = Vec::new();
    let mut i = 0usize;

    while i < len {
        match b[i] {
            b'&' => {
                let (ch, next) = decode_entity_strict(b, i)?;
                text.push(ch);
                utf16 += ch.len_utf16();
                i = next;
            }
            b'>' => {
                return Err(HtmlError::at(
                    "Character \">\" must be escaped as \"&gt;\"",
                    i,
                ));
            }
            b'<' => {
                let begin = i;
                i += 1;
                if i >= len {
                    return Err(HtmlError::at("Unclosed start tag", begin));
                }
                if b[i] != b'/' {
                    let (open, next) = parse_start_tag(b, begin, utf16)?;
                    if open.name == "blockquote" && stack.iter().any(|t| t.name == "blockquote") {
                        return Err(HtmlError::at("Blockquotes can't be nested", begin));
                    }
                    stack.push(open);
                    i = next;
                } else {
                    i += 1;
                    let Some(mut open) = stack.pop() else {
                        return Err(HtmlError::at("Unexpected end tag", begin));
                    };
                    let name_start = i;
                    while i < len && !is_space(b[i]) && b[i] != b'>' {
                        i += 1;
                    }
                    let end_name = lossy(&b[name_start..i]).to_lowercase();
                    while i < len && is_space(b[i]) {
                        i += 1;
                    }
                    if i >= len || b[i] != b'>' {
                        return Err(HtmlError::at("Unclosed end tag", begin));
                    }
                    i += 1;
                    if !end_name.is_empty() && end_name != open.name {
                        return Err(HtmlError::with_message(
                            format!(
                                "Unmatched end tag at byte offset {begin}, expected \"</{}>\", found \"</{end_name}>\"",
                                open.name
                            ),
                            begin,
                        ));
                    }
                    close_tag(&mut open, &mut stack, &mut entities, utf16)?;
                }
            }
            _ => {
                let Some(ch) = input.get(i..).and_then(|rest| rest.chars().next()) else {
                    // Unreachable for a &str: every stop is on a character boundary.
                    return Err(HtmlError::at("Invalid UTF-8", i));
                };
                text.push(ch);
                utf16 += ch.len_utf16();
                i += ch.len_utf8();
            }
        }
    }

    if let Some(open) = stack.last() {
        return Err(HtmlError::at(
            format!(
                "Can't find end tag corresponding to start tag \"{}\"",
                open.name
            ),
            open.byte_offset,
        ));
    }
    entities
        .sort_by(|a: &Entity, b: &Entity| a.offset.cmp(&b.offset).then(b.length.cmp(&a.length)));
    Ok(Parsed { text, entities })
}

/// Parses `<name attr=value ...>` starting at `begin` (the `<`); returns the tag and the
/// index after `>`.
fn parse_start_tag(b: &[u8], begin: usize, utf16: usize) -> Result<(OpenTag, usize), HtmlError> {
    let len = b.len();
    let mut i = begin + 1;
    while i < len && !is_space(b[i]) && b[i] != b'>' {
        i += 1;
    }
    if i >= len {
        return Err(HtmlError::at("Unclosed start tag", begin));
    }
    let name = lossy(&b[begin + 1..i]).to_lowercase();
    if !ALLOWED_TAGS.contains(&name.as_str()) {
        return Err(HtmlError::at(
            format!("Unsupported start tag \"{name}\""),
            begin,
        ));
    }

    let mut argument = String::new();
    let mut expandable = false;
    loop {
        while i < len && is_space(b[i]) {
            i += 1;
        }
        if i >= len {
            return Err(HtmlError::at("Unclosed start tag", begin));
        }
        if b[i] == b'>' {
            break;
        }
        let attr_start = i;
        while i < len && !is_space(b[i]) && b[i] != b'=' && b[i] != b'>' {
            i += 1;
        }
        let attr_name = lossy(&b[attr_start..i]);
        if attr_name.is_empty() {
            return Err(HtmlError::at(
                format!("Empty attribute name in the tag \"{name}\""),
                begin,
            ));
        }
        while i < len && is_space(b[i]) {
            i += 1;
        }
        if i >= len {
            return Err(HtmlError::at("Unclosed start tag", begin));
        }
        if b[i] != b'=' {
            if name == "blockquote" && attr_name == "expandable" {
                expandable = true;
                continue;
            }
            return Err(HtmlError::at(
                format!("Expected equal sign in declaration of an attribute of the tag \"{name}\""),
                begin,
            ));
        }
        i += 1;
        while i < len && is_space(b[i]) {
            i += 1;
        }
        if i >= len {
            return Err(HtmlError::at("Unclosed start tag", begin));
        }
        let value;
        if b[i] != b'\'' && b[i] != b'"' {
            let token_start = i;
            while i < len && (b[i].is_ascii_alphanumeric() || b[i] == b'.' || b[i] == b'-') {
                i += 1;
            }
            value = lossy(&b[token_start..i]).to_lowercase();
            if i >= len || (!is_space(b[i]) && b[i] != b'>') {
                return Err(HtmlError::at("Unexpected end of name token", token_start));
            }
        } else {
            let quote = b[i];
            i += 1;
            let mut raw = Vec::new();
            while i < len && b[i] != quote {
                if b[i] == b'&'
                    && let Some((ch, next)) = decode_entity(b, i)
                {
                    let mut buf = [0u8; 4];
                    raw.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                    i = next;
                    continue;
                }
                raw.push(b[i]);
                i += 1;
            }
            if i >= len {
                return Err(HtmlError::at("Unclosed start tag", begin));
            }
            i += 1;
            value = lossy(&raw);
        }

        match (name.as_str(), attr_name.as_str()) {
            ("a", "href") | ("tg-emoji", "emoji-id") => argument = value,
            ("code", "class") => {
                if let Some(language) = value.strip_prefix("language-") {
                    argument = language.to_owned();
                }
            }
            ("span", "class") => {
                if let Some(class) = value.strip_prefix("tg-") {
                    argument = class.to_owned();
                }
            }
            _ => {}
        }
    }
    if name == "span" && argument != "spoiler" {
        return Err(HtmlError::at(
            "Tag \"span\" must have class \"tg-spoiler\"",
            begin,
        ));
    }
    Ok((
        OpenTag {
            name,
            argument,
            expandable,
            utf16_start: utf16,
            byte_offset: begin,
            language: None,
        },
        i + 1,
    ))
}

fn close_tag(
    open: &mut OpenTag,
    stack: &mut [OpenTag],
    entities: &mut Vec<Entity>,
    utf16: usize,
) -> Result<(), HtmlError> {
    if utf16 <= open.utf16_start {
        return Ok(());
    }
    let kind = match open.name.as_str() {
        "b" | "strong" => EntityKind::Bold,
        "i" | "em" => EntityKind::Italic,
        "u" | "ins" => EntityKind::Underline,
        "s" | "strike" | "del" => EntityKind::Strikethrough,
        "tg-spoiler" | "span" => EntityKind::Spoiler,
        "a" => {
            if open.argument.is_empty() {
                return Ok(());
            }
            EntityKind::TextLink {
                url: std::mem::take(&mut open.argument),
            }
        }
        "tg-emoji" => {
            match open.argument.parse::<i64>() {
                Ok(id) if id != 0 => {}
                _ => {
                    return Err(HtmlError::at(
                        "Invalid custom emoji identifier specified",
                        open.byte_offset,
                    ));
                }
            }
            EntityKind::CustomEmoji {
                custom_emoji_id: std::mem::take(&mut open.argument),
            }
        }
        "pre" => EntityKind::Pre {
            language: open.language.take(),
        },
        "code" => {
            if !open.argument.is_empty()
                && let Some(parent) = stack.last_mut()
                && parent.name == "pre"
            {
                parent.language = Some(std::mem::take(&mut open.argument));
                return Ok(());
            }
            EntityKind::Code
        }
        _ if open.expandable => EntityKind::ExpandableBlockquote,
        _ => EntityKind::Blockquote,
    };
    entities.push(Entity {
        kind,
        offset: open.utf16_start,
        length: utf16 - open.utf16_start,
    });
    Ok(())
}

/// Decodes `&lt;`, `&gt;`, `&amp;`, `&quot;`, `&#NNN;` or `&#xHH;` at `pos`; `None` if
/// there is no valid entity there.
fn decode_entity(b: &[u8], pos: usize) -> Option<(char, usize)> {
    let len = b.len();
    let mut end = pos + 1;
    let ch = if b.get(end) == Some(&b'#') {
        end += 1;
        let hex = matches!(b.get(end), Some(b'x' | b'X'));
        if hex {
            end += 1;
        }
        let digits_start = end;
        let mut value: u32 = 0;
        while end < len && end - digits_start < 8 {
            let digit = if hex {
                (b[end] as char).to_digit(16)
            } else {
                (b[end] as char).to_digit(10)
            };
            let Some(digit) = digit else { break };
            value = value * if hex { 16 } else { 10 } + digit;
            end += 1;
        }
        if end == digits_start || value == 0 {
            return None;
        }
        char::from_u32(value)?
    } else {
        while end < len && b[end].is_ascii_alphabetic() {
            end += 1;
        }
        match &b[pos + 1..end] {
            b"lt" => '<',
            b"gt" => '>',
            b"amp" => '&',
            b"quot" => '"',
            _ => return None,
        }
    };
    if b.get(end) != Some(&b';') {
        return None;
    }
    Some((ch, end + 1))
}

/// Like [`decode_entity`], but explains why a `&` is not a valid entity.
fn decode_entity_strict(b: &[u8], pos: usize) -> Result<(char, usize), HtmlError> {
    if let Some(decoded) = decode_entity(b, pos) {
        return Ok(decoded);
    }
    let len = b.len();
    let mut end = pos + 1;
    if b.get(end) == Some(&b'#') {
        return Err(HtmlError::at("Invalid numeric character reference", pos));
    }
    while end < len && b[end].is_ascii_alphanumeric() {
        end += 1;
    }
    if end == pos + 1 {
        return Err(HtmlError::at(
            "Character \"&\" must be escaped as \"&amp;\"",
            pos,
        ));
    }
    let name = lossy(&b[pos + 1..end]);
    if matches!(name.as_str(), "lt" | "gt" | "amp" | "quot") {
        return Err(HtmlError::at(
            format!("HTML entity \"&{name}\" must end with \";\""),
            pos,
        ));
    }
    Err(HtmlError::at(
        format!("Unsupported HTML entity \"&{name};\""),
        pos,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(input: &str) -> HtmlError {
        match parse(input) {
            Ok(text) => panic!("{input:?} parsed as {text:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn plain_text_passes_through() {
        assert_eq!(parse("hello, world").unwrap(), "hello, world");
        assert_eq!(parse("").unwrap(), "");
        assert_eq!(
            parse("line 1\nline 2 • bullet").unwrap(),
            "line 1\nline 2 • bullet"
        );
    }

    #[test]
    fn every_allowed_tag_parses() {
        let cases = [
            ("<b>x</b>", "bold"),
            ("<strong>x</strong>", "bold"),
            ("<i>x</i>", "italic"),
            ("<em>x</em>", "italic"),
            ("<u>x</u>", "underline"),
            ("<ins>x</ins>", "underline"),
            ("<s>x</s>", "strikethrough"),
            ("<strike>x</strike>", "strikethrough"),
            ("<del>x</del>", "strikethrough"),
            ("<span class=\"tg-spoiler\">x</span>", "spoiler"),
            ("<tg-spoiler>x</tg-spoiler>", "spoiler"),
            ("<a href=\"https://example.com\">x</a>", "text_link"),
            (
                "<tg-emoji emoji-id=\"5368324170671202286\">x</tg-emoji>",
                "custom_emoji",
            ),
            ("<code>x</code>", "code"),
            ("<pre>x</pre>", "pre"),
            ("<blockquote>x</blockquote>", "blockquote"),
            (
                "<blockquote expandable>x</blockquote>",
                "expandable_blockquote",
            ),
        ];
        for (input, kind) in cases {
            let parsed = parse_entities(input).unwrap();
            assert_eq!(parsed.text, "x", "{input}");
            assert_eq!(parsed.entities.len(), 1, "{input}");
            assert_eq!(parsed.entities[0].to_json()["type"], kind, "{input}");
        }
    }

    #[test]
    fn pre_with_code_language_is_one_pre_entity() {
        let parsed =
            parse_entities("<pre><code class=\"language-rust\">fn x</code></pre>").unwrap();
        assert_eq!(parsed.text, "fn x");
        assert_eq!(
            parsed.entities,
            vec![Entity {
                kind: EntityKind::Pre {
                    language: Some("rust".into())
                },
                offset: 0,
                length: 4
            }]
        );
    }

    #[test]
    fn valid_nesting_and_offsets() {
        let parsed = parse_entities("a <b>bold <i>both</i></b> c").unwrap();
        assert_eq!(parsed.text, "a bold both c");
        let json: Vec<_> = parsed.entities.iter().map(Entity::to_json).collect();
        assert_eq!(
            json,
            vec![
                serde_json::json!({"type":"bold","offset":2,"length":9}),
                serde_json::json!({"type":"italic","offset":7,"length":4}),
            ]
        );
    }

    #[test]
    fn tag_names_are_case_insensitive_and_empty_end_tag_closes() {
        assert_eq!(parse("<B>x</B>").unwrap(), "x");
        assert_eq!(parse("<b>x</>").unwrap(), "x");
        assert_eq!(parse("<b >x</b >").unwrap(), "x");
    }

    #[test]
    fn entities_are_decoded() {
        assert_eq!(parse("&lt;&gt;&amp;&quot;").unwrap(), "<>&\"");
        assert_eq!(parse("&#65;&#x42;&#X43;").unwrap(), "ABC");
        assert_eq!(parse("&#x1F600;").unwrap(), "😀");
        assert_eq!(
            parse("<a href=\"https://x.io/?a=1&amp;b=2\">l</a>").unwrap(),
            "l"
        );
        let parsed = parse_entities("<a href=\"https://x.io/?a=1&amp;b=2\">l</a>").unwrap();
        assert_eq!(parsed.entities[0].to_json()["url"], "https://x.io/?a=1&b=2");
    }

    #[test]
    fn unescaped_specials_are_rejected() {
        let e = err("a & b");
        assert_eq!(e.byte_offset(), 2);
        assert_eq!(
            e.to_string(),
            "can't parse entities: Character \"&\" must be escaped as \"&amp;\" at byte offset 2"
        );
        assert_eq!(err("1 > 0").byte_offset(), 2);
        assert_eq!(
            err("x <").to_string(),
            "can't parse entities: Unclosed start tag at byte offset 2"
        );
        assert_eq!(
            err("1 < 2").to_string(),
            "can't parse entities: Unsupported start tag \"\" at byte offset 2"
        );
    }

    #[test]
    fn bad_entities_are_rejected() {
        assert_eq!(
            err("&nbsp;").to_string(),
            "can't parse entities: Unsupported HTML entity \"&nbsp;\" at byte offset 0"
        );
        assert_eq!(
            err("x &amp y").to_string(),
            "can't parse entities: HTML entity \"&amp\" must end with \";\" at byte offset 2"
        );
        assert_eq!(err("&#0;").byte_offset(), 0);
        assert_eq!(err("&#xD800;").byte_offset(), 0);
        assert_eq!(err("&#;").byte_offset(), 0);
        assert_eq!(err("ab&#99999999999;").byte_offset(), 2);
    }

    #[test]
    fn unsupported_tags_are_rejected() {
        assert_eq!(
            err("hello<br>").to_string(),
            "can't parse entities: Unsupported start tag \"br\" at byte offset 5"
        );
        assert_eq!(err("<p>x</p>").byte_offset(), 0);
        assert_eq!(err("<ul><li>x</li></ul>").byte_offset(), 0);
        assert_eq!(
            err("<b/>").to_string(),
            "can't parse entities: Unsupported start tag \"b/\" at byte offset 0"
        );
    }

    #[test]
    fn bad_nesting_is_rejected() {
        assert_eq!(
            err("<b><i>x</b></i>").to_string(),
            "can't parse entities: Unmatched end tag at byte offset 7, expected \"</i>\", found \"</b>\""
        );
        assert_eq!(
            err("x</b>").to_string(),
            "can't parse entities: Unexpected end tag at byte offset 1"
        );
        assert_eq!(
            err("ab<b>x").to_string(),
            "can't parse entities: Can't find end tag corresponding to start tag \"b\" at byte offset 2"
        );
        assert_eq!(
            err("<b>x</b").to_string(),
            "can't parse entities: Unclosed end tag at byte offset 4"
        );
        assert_eq!(
            err("<blockquote>a<blockquote>b</blockquote></blockquote>").to_string(),
            "can't parse entities: Blockquotes can't be nested at byte offset 13"
        );
    }

    #[test]
    fn bad_attributes_are_rejected() {
        assert_eq!(
            err("<span>x</span>").to_string(),
            "can't parse entities: Tag \"span\" must have class \"tg-spoiler\" at byte offset 0"
        );
        assert_eq!(
            err("<a href>x</a>").to_string(),
            "can't parse entities: Expected equal sign in declaration of an attribute of the tag \"a\" at byte offset 0"
        );
        assert_eq!(
            err("<a href=\"x>y</a>").to_string(),
            "can't parse entities: Unclosed start tag at byte offset 0"
        );
        assert_eq!(
            err("<a href=x/y>z</a>").to_string(),
            "can't parse entities: Unexpected end of name token at byte offset 8"
        );
        assert_eq!(
            err("<tg-emoji emoji-id=\"abc\">x</tg-emoji>").to_string(),
            "can't parse entities: Invalid custom emoji identifier specified at byte offset 0"
        );
        assert_eq!(
            err("<b =1>x</b>").to_string(),
            "can't parse entities: Empty attribute name in the tag \"b\" at byte offset 0"
        );
    }

    #[test]
    fn unquoted_and_single_quoted_attributes() {
        assert_eq!(parse("<a href=example.com>x</a>").unwrap(), "x");
        assert_eq!(parse("<span class='tg-spoiler'>x</span>").unwrap(), "x");
        assert_eq!(parse("<b class=\"ignored\">x</b>").unwrap(), "x");
    }

    #[test]
    fn cyrillic_offsets_are_bytes_in_errors_and_utf16_in_entities() {
        // "Привет " is 13 bytes (6 letters × 2 + space).
        let e = err("Привет <br>");
        assert_eq!(e.byte_offset(), 13);
        let e = err("Привет & мир");
        assert_eq!(e.byte_offset(), 13);
        let parsed = parse_entities("Привет <b>мир</b> 😀<i>x</i>").unwrap();
        assert_eq!(parsed.text, "Привет мир 😀x");
        assert_eq!(parsed.entities[0].offset, 7);
        assert_eq!(parsed.entities[0].length, 3);
        // The emoji is two UTF-16 code units.
        assert_eq!(parsed.entities[1].offset, 13);
    }

    #[test]
    fn empty_entities_are_dropped() {
        let parsed = parse_entities("<b></b>x").unwrap();
        assert_eq!(parsed.text, "x");
        assert!(parsed.entities.is_empty());
    }

    #[test]
    fn never_panics_on_odd_input() {
        for input in [
            "<",
            "</",
            "<a",
            "<a href",
            "<a href=",
            "<a href='",
            "&",
            "&#",
            "&#x",
            "<\u{0}>",
            "<b>\u{10FFFF}</b>",
            "<a href=\"&#x10FFFF;\">x</a>",
            "<блок>",
        ] {
            let _ = parse(input);
        }
    }
}
