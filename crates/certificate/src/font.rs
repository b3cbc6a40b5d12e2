//! The embedded font: checking it, mapping characters to glyphs, measuring and
//! wrapping text.
//!
//! There is no shaping: every character maps to one glyph through the font's
//! `cmap`, and a line's width is the sum of the glyph advances. That is right for
//! Latin and Cyrillic, which is what the certificates carry.

use std::collections::BTreeMap;

use ttf_parser::{Face, GlyphId};

/// What is wrong with a font, in words for an operator.
pub(crate) type FontProblem = String;

/// Characters the font must have: digits, Latin and Cyrillic letters.
const REQUIRED: &[char] = &['0', '9', 'A', 'z', 'А', 'Ж', 'я', 'ё'];

/// A parsed font, borrowed from the bytes the renderer holds.
pub(crate) struct Font<'a> {
    face: Face<'a>,
    units_per_em: f32,
    /// The glyph drawn for a character the font lacks (a question mark if it has one).
    fallback: (u16, char),
    /// The string appended to cut text: "…" or, without that glyph, "...".
    ellipsis: &'static str,
    /// Glyph and advance of every character below [`FAST_CHARS`] (Latin and Cyrillic), looked up once.
    fast: Vec<(u16, char, f32)>,
}

/// Characters below this are looked up once per parse: Latin, Greek and Cyrillic.
const FAST_CHARS: u32 = 0x530;

impl<'a> Font<'a> {
    /// Parses and checks a font: a TrueType (`glyf`) font with Latin and Cyrillic glyphs.
    pub(crate) fn parse(data: &'a [u8]) -> Result<Font<'a>, FontProblem> {
        let face = Face::parse(data, 0).map_err(|e| format!("not a TrueType font ({e})"))?;
        if face.tables().glyf.is_none() {
            return Err(
                "the font has no TrueType outlines (glyf table); use a .ttf such as DejaVuSans.ttf"
                    .into(),
            );
        }
        let units_per_em = face.units_per_em();
        if units_per_em == 0 {
            return Err("the font declares zero units per em".into());
        }
        if let Some(missing) = REQUIRED.iter().find(|&&c| face.glyph_index(c).is_none()) {
            return Err(format!(
                "the font has no glyph for {missing:?}; it needs Latin and Cyrillic"
            ));
        }
        let fallback = match face.glyph_index('?') {
            Some(g) => (g.0, '?'),
            None => (0, '\u{FFFD}'),
        };
        let ellipsis = if face.glyph_index('…').is_some() {
            "…"
        } else {
            "..."
        };
        let mut font = Font {
            face,
            units_per_em: f32::from(units_per_em),
            fallback,
            ellipsis,
            fast: Vec::new(),
        };
        font.fast = (0..FAST_CHARS)
            .map(|code| {
                let (glyph, shown) = font.lookup(char::from_u32(code).unwrap_or(' '));
                (glyph, shown, font.advance(glyph))
            })
            .collect();
        Ok(font)
    }

    /// The glyph drawn for `c`, and the character it stands for in the text layer.
    /// Control characters become spaces; characters the font lacks become the fallback.
    pub(crate) fn glyph(&self, c: char) -> (u16, char) {
        match self.fast.get(c as usize) {
            Some(&(glyph, shown, _)) => (glyph, shown),
            None => self.lookup(c),
        }
    }

    /// The width of `c` set at `size` points.
    pub(crate) fn char_width(&self, c: char, size: f32) -> f32 {
        let milli = match self.fast.get(c as usize) {
            Some(&(_, _, advance)) => advance,
            None => self.advance(self.lookup(c).0),
        };
        milli * size / 1000.0
    }

    fn lookup(&self, c: char) -> (u16, char) {
        let c = if c.is_control() { ' ' } else { c };
        match self.face.glyph_index(c) {
            Some(GlyphId(g)) if g != 0 => (g, c),
            _ => self.fallback,
        }
    }

    /// A glyph's advance in thousandths of the font size.
    pub(crate) fn advance(&self, glyph: u16) -> f32 {
        let units = self.face.glyph_hor_advance(GlyphId(glyph)).unwrap_or(0);
        f32::from(units) * 1000.0 / self.units_per_em
    }

    /// Converts font units to thousandths of the font size.
    pub(crate) fn to_milli(&self, units: i16) -> f32 {
        f32::from(units) * 1000.0 / self.units_per_em
    }

    pub(crate) fn face(&self) -> &Face<'a> {
        &self.face
    }

    /// The width of `text` set at `size` points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.char_width(c, size)).sum()
    }

    /// Breaks `text` into at most `max_lines` lines no wider than `max_width` at
    /// `size` points. Words longer than a line are cut between characters; text that
    /// does not fit in `max_lines` ends with an ellipsis. Empty text gives no lines.
    pub(crate) fn wrap(
        &self,
        text: &str,
        size: f32,
        max_width: f32,
        max_lines: usize,
    ) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        let mut current = String::new();
        let mut width = 0.0;
        let space = self.char_width(' ', size);
        let mut overflow = false;
        for word in text
            .split(|c: char| c.is_whitespace() || c.is_control())
            .filter(|w| !w.is_empty())
        {
            if lines.len() > max_lines {
                overflow = true;
                break;
            }
            let word_width = self.width(word, size);
            if !current.is_empty() {
                if width + space + word_width <= max_width {
                    current.push(' ');
                    current.push_str(word);
                    width += space + word_width;
                    continue;
                }
                lines.push(std::mem::take(&mut current));
            }
            if word_width <= max_width {
                current = word.to_owned();
                width = word_width;
                continue;
            }
            // A word wider than the line: cut it between characters.
            width = 0.0;
            for c in word.chars() {
                let char_width = self.char_width(c, size);
                if width + char_width > max_width && !current.is_empty() {
                    lines.push(std::mem::take(&mut current));
                    width = 0.0;
                }
                current.push(c);
                width += char_width;
            }
        }
        if !current.is_empty() {
            lines.push(current);
        }
        if lines.len() > max_lines || overflow {
            lines.truncate(max_lines);
            if let Some(last) = lines.last_mut() {
                *last = self.ellipsize(last, size, max_width);
            }
        }
        lines
    }

    /// `text` with an ellipsis appended, cut so that it fits in `max_width`.
    pub(crate) fn ellipsize(&self, text: &str, size: f32, max_width: f32) -> String {
        let budget = max_width - self.width(self.ellipsis, size);
        let mut kept = String::new();
        let mut width = 0.0;
        for c in text.chars() {
            width += self.char_width(c, size);
            if width > budget {
                break;
            }
            kept.push(c);
        }
        let mut out = kept.trim_end().to_owned();
        out.push_str(self.ellipsis);
        out
    }

    /// The single line `text` at `size`, cut with an ellipsis if it is wider than `max_width`.
    pub(crate) fn fit_line(&self, text: &str, size: f32, max_width: f32) -> String {
        let clean: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let clean = clean.trim();
        if self.width(clean, size) <= max_width {
            clean.to_owned()
        } else {
            self.ellipsize(clean, size, max_width)
        }
    }
}

/// The glyphs a page uses, each with the character it stands for (the first one seen).
#[derive(Default)]
pub(crate) struct GlyphSet {
    pub(crate) glyphs: BTreeMap<u16, char>,
}

impl GlyphSet {
    pub(crate) fn add(&mut self, font: &Font<'_>, text: &str) {
        for c in text.chars() {
            let (glyph, shown) = font.glyph(c);
            self.glyphs.entry(glyph).or_insert(shown);
        }
    }
}
