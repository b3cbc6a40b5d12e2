//! Writing the laid-out page as PDF: a one-page document whose font is a subset of
//! the TrueType font embedded as a Type0 font (CIDFontType2, Identity-H), with
//! glyph widths and a `/ToUnicode` map so that text can be searched and copied.
//! Streams are compressed with Flate.

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use subsetter::GlyphRemapper;

use crate::font::{Font, GlyphSet};
use crate::layout::{GOLD, INNER_FRAME, NAVY, OUTER_FRAME, Op, PAGE_HEIGHT, PAGE_WIDTH, Rgb};

const CATALOG: Ref = Ref::new(1);
const PAGES: Ref = Ref::new(2);
const PAGE: Ref = Ref::new(3);
const CONTENT: Ref = Ref::new(4);
const TYPE0: Ref = Ref::new(5);
const CID_FONT: Ref = Ref::new(6);
const DESCRIPTOR: Ref = Ref::new(7);
const FONT_FILE: Ref = Ref::new(8);
const TO_UNICODE: Ref = Ref::new(9);
const INFO: Ref = Ref::new(10);

const FONT_NAME: Name<'static> = Name(b"F1");

/// Writes the page; `font_data` is the file `font` was parsed from.
pub(crate) fn write(
    font: &Font<'_>,
    font_data: &[u8],
    ops: &[Op],
    doc_title: &str,
) -> Result<Vec<u8>, String> {
    let mut used = GlyphSet::default();
    for op in ops {
        if let Op::Text { text, .. } = op {
            used.add(font, text);
        }
    }
    let mut remapper = GlyphRemapper::new();
    for &glyph in used.glyphs.keys() {
        remapper.remap(glyph);
    }
    let subset = subsetter::subset(font_data, 0, &remapper)
        .map_err(|e| format!("cannot subset the font: {e}"))?;

    let mut pdf = Pdf::new();
    pdf.catalog(CATALOG).pages(PAGES);
    pdf.pages(PAGES).kids([PAGE]).count(1);
    let mut page = pdf.page(PAGE);
    page.parent(PAGES)
        .media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
        .contents(CONTENT);
    page.resources().fonts().pair(FONT_NAME, TYPE0);
    page.finish();

    let content = content(font, &remapper, ops);
    pdf.stream(CONTENT, &deflate(&content))
        .filter(Filter::FlateDecode);

    let base_font = format!("{}+{}", subset_tag(&used), postscript_name(font));
    let base_font = Name(base_font.as_bytes());
    let system_info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    pdf.type0_font(TYPE0)
        .base_font(base_font)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(CID_FONT)
        .to_unicode(TO_UNICODE);

    // After subsetting, new glyph ids run 0..n in the remapper's order and equal the CIDs.
    let widths: Vec<f32> = remapper
        .remapped_gids()
        .map(|old| font.advance(old))
        .collect();
    let mut cid = pdf.cid_font(CID_FONT);
    cid.subtype(CidFontType::Type2)
        .base_font(base_font)
        .system_info(system_info)
        .font_descriptor(DESCRIPTOR)
        .default_width(0.0)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    cid.widths().consecutive(0, widths);
    cid.finish();

    let face = font.face();
    let bbox = face.global_bounding_box();
    let cap_height = face.capital_height().unwrap_or(face.ascender());
    pdf.font_descriptor(DESCRIPTOR)
        .name(base_font)
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(
            font.to_milli(bbox.x_min),
            font.to_milli(bbox.y_min),
            font.to_milli(bbox.x_max),
            font.to_milli(bbox.y_max),
        ))
        .italic_angle(face.italic_angle())
        .ascent(font.to_milli(face.ascender()))
        .descent(font.to_milli(face.descender()))
        .cap_height(font.to_milli(cap_height))
        .stem_v(80.0)
        .font_file2(FONT_FILE);

    let subset_len =
        i32::try_from(subset.len()).map_err(|_| "the font subset is too large".to_owned())?;
    pdf.stream(FONT_FILE, &deflate(&subset))
        .filter(Filter::FlateDecode)
        .pair(Name(b"Length1"), subset_len);

    let mut cmap = UnicodeCmap::new(Name(b"Trainbot-UTF16"), system_info);
    for (&old, &c) in &used.glyphs {
        if let Some(new) = remapper.get(old).filter(|&g| g != 0) {
            cmap.pair(new, c);
        }
    }
    pdf.stream(TO_UNICODE, &deflate(&cmap.finish()))
        .filter(Filter::FlateDecode);

    pdf.document_info(INFO)
        .title(TextStr(doc_title))
        .producer(TextStr("trainbot certificate"));
    pdf.set_file_id((file_id(doc_title), file_id(doc_title)));
    Ok(pdf.finish())
}

/// The page's content stream: the frame, then every operation, clipped to the frame.
fn content(font: &Font<'_>, remapper: &GlyphRemapper, ops: &[Op]) -> Vec<u8> {
    let mut c = Content::new();
    frame(&mut c, OUTER_FRAME, 2.5, NAVY);
    frame(&mut c, INNER_FRAME, 0.8, GOLD);
    c.save_state();
    c.rect(
        INNER_FRAME,
        INNER_FRAME,
        PAGE_WIDTH - 2.0 * INNER_FRAME,
        PAGE_HEIGHT - 2.0 * INNER_FRAME,
    );
    c.clip_nonzero();
    c.end_path();
    for op in ops {
        match op {
            Op::Line {
                x1,
                y1,
                x2,
                y2,
                width,
                color,
            } => {
                set_stroke(&mut c, *color);
                c.set_line_width(*width);
                c.move_to(*x1, *y1);
                c.line_to(*x2, *y2);
                c.stroke();
            }
            Op::Text {
                x,
                y,
                size,
                color,
                text,
            } => {
                let mut encoded = Vec::with_capacity(text.len() * 2);
                for ch in text.chars() {
                    let glyph = remapper.get(font.glyph(ch).0).unwrap_or(0);
                    encoded.extend_from_slice(&glyph.to_be_bytes());
                }
                c.begin_text();
                c.set_font(FONT_NAME, *size);
                c.set_fill_rgb(color.0, color.1, color.2);
                c.set_text_matrix([1.0, 0.0, 0.0, 1.0, *x, *y]);
                c.show(Str(&encoded));
                c.end_text();
            }
        }
    }
    c.restore_state();
    c.finish().to_vec()
}

fn frame(c: &mut Content, inset: f32, width: f32, color: Rgb) {
    set_stroke(c, color);
    c.set_line_width(width);
    c.rect(
        inset,
        inset,
        PAGE_WIDTH - 2.0 * inset,
        PAGE_HEIGHT - 2.0 * inset,
    );
    c.stroke();
}

fn set_stroke(c: &mut Content, color: Rgb) {
    c.set_stroke_rgb(color.0, color.1, color.2);
}

fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 9)
}

/// The font's PostScript name, reduced to characters safe in a PDF name.
fn postscript_name(font: &Font<'_>) -> String {
    let name = font
        .face()
        .names()
        .into_iter()
        .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
        .find_map(|n| n.to_string())
        .unwrap_or_default();
    let safe: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(60)
        .collect();
    if safe.is_empty() {
        "EmbeddedFont".to_owned()
    } else {
        safe
    }
}

/// The six capital letters that mark a font subset, derived from the glyphs in it.
fn subset_tag(used: &GlyphSet) -> String {
    let mut hash = fnv(used.glyphs.keys().flat_map(|g| g.to_be_bytes()));
    (0..6)
        .map(|_| {
            let letter = b'A' + (hash % 26) as u8;
            hash /= 26;
            char::from(letter)
        })
        .collect()
}

/// A stable file identifier, so the same certificate always gives the same bytes.
fn file_id(seed: &str) -> Vec<u8> {
    let hash = fnv(seed.bytes());
    let mut id = hash.to_be_bytes().to_vec();
    id.extend_from_slice(&fnv(seed.bytes().rev()).to_be_bytes());
    id
}

fn fnv(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
