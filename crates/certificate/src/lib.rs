//! Completion certificates for trainbot as one-page PDF documents.
//!
//! A [`Renderer`] holds a TrueType font with Cyrillic glyphs (by default DejaVu
//! Sans, built into the crate from `fonts/`: see [`Renderer::builtin`]) and turns a
//! [`CertificateText`], already in the person's language, into an A4 landscape
//! PDF: a framed page with the title, the person's name in large type, detail
//! lines, a table of quiz results and the verification code.
//!
//! The text in the PDF is real text, not pictures of it: only the glyphs used are
//! embedded (a subset of the font, so a certificate is about 15–20 KB), together
//! with a `/ToUnicode` map, so that viewers can search and copy it and tools can
//! extract the name and the code. Any input renders without panicking: long names
//! shrink and wrap, long lists shrink, go to two columns and are cut with a
//! "… +N" row, control characters become spaces, and characters the font lacks
//! become "?".
//!
//! # Layout
//! - `lib.rs`: the public API: [`CertificateText`], [`Renderer`], [`CertificateError`].
//! - `font`: checking the font, mapping characters to glyphs, measuring and wrapping text.
//! - `layout`: where each piece of text and each rule goes on the page, shrinking to fit.
//! - `pdf`: writing the page as PDF with the font subset embedded as a Type0 font.
//! - `tests.rs`: text extraction with `pdf-extract`, bounds of every line, odd input.
//! - `examples/render.rs`: writes a sample certificate to look at
//!   (`cargo run -p certificate --example render -- /tmp/cert.pdf [many]`).

use std::borrow::Cow;
use std::path::{Path, PathBuf};

mod font;
mod layout;
mod pdf;

/// DejaVu Sans 2.37, built in so certificates (and charts) need no system font;
/// its licence and source are in `fonts/` beside it.
pub const DEJAVU_SANS: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// What the certificate shows; every text already in the person's language.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertificateText {
    /// "Сертификат" / "Certificate".
    pub title: String,
    /// The person's name, any Unicode; shown literally (no markup is interpreted).
    pub full_name: String,
    /// Detail lines, e.g. "Отдел: Бар", "Парк: Зеленопарк", "Дата: 28.11.2026".
    pub lines: Vec<String>,
    /// (quiz title, score such as "92%").
    pub quizzes: Vec<(String, String)>,
    /// "Код проверки" / "Verification code".
    pub code_label: String,
    /// The verification code, e.g. "TB-7K2QX9AB".
    pub code: String,
}

/// Why a font could not be loaded or a certificate rendered.
#[derive(Debug, thiserror::Error)]
pub enum CertificateError {
    /// The font file could not be read.
    #[error("cannot read the certificate font {}: {source}; {FIX_FONT}", path.display())]
    FontFile {
        /// The file that was tried.
        path: PathBuf,
        /// Why it could not be read.
        source: std::io::Error,
    },
    /// The font was read but cannot be used.
    #[error("the certificate font {origin} is not usable: {reason}; {FIX_FONT}")]
    InvalidFont {
        /// The file, or "(font bytes)" when loaded from memory.
        origin: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Writing the PDF failed.
    #[error("cannot render the certificate: {0}")]
    Render(String),
}

/// What an operator does about a font that cannot be used.
const FIX_FONT: &str = "point CERTIFICATE_FONT at a TrueType (.ttf) font with Cyrillic, or unset it to use the built-in DejaVu Sans";

/// Renders certificates with one embedded font. Cheap to share: rendering takes `&self`.
#[derive(Clone)]
pub struct Renderer {
    /// A TrueType font that [`font::Font::parse`] accepted; the built-in one is borrowed.
    font: Cow<'static, [u8]>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer")
            .field("font_bytes", &self.font.len())
            .finish()
    }
}

impl Renderer {
    /// Draws with the built-in DejaVu Sans (Latin and Cyrillic).
    pub fn builtin() -> Result<Renderer, CertificateError> {
        Self::check(Cow::Borrowed(DEJAVU_SANS), "(built-in DejaVu Sans)")
    }

    /// Loads a TrueType font with Cyrillic glyphs from a file, instead of the built-in one.
    pub fn from_file(path: &Path) -> Result<Renderer, CertificateError> {
        let font = std::fs::read(path).map_err(|source| CertificateError::FontFile {
            path: path.to_owned(),
            source,
        })?;
        Self::check(Cow::Owned(font), &path.display().to_string())
    }

    /// Uses a TrueType font held in memory.
    pub fn from_bytes(font: Vec<u8>) -> Result<Renderer, CertificateError> {
        Self::check(Cow::Owned(font), "(font bytes)")
    }

    fn check(font: Cow<'static, [u8]>, origin: &str) -> Result<Renderer, CertificateError> {
        let invalid = |reason: String| CertificateError::InvalidFont {
            origin: origin.to_owned(),
            reason,
        };
        let parsed = font::Font::parse(&font).map_err(invalid)?;
        // Subset a few glyphs now, so that a font the subsetter cannot handle fails here.
        let glyphs: Vec<u16> = "AЖ?".chars().map(|c| parsed.glyph(c).0).collect();
        subsetter::subset(
            &font,
            0,
            &subsetter::GlyphRemapper::new_from_glyphs(&glyphs),
        )
        .map_err(|e| invalid(format!("cannot subset it ({e})")))?;
        drop(parsed);
        Ok(Renderer { font })
    }

    /// An A4 landscape one-page PDF showing `text`.
    pub fn render(&self, text: &CertificateText) -> Result<Vec<u8>, CertificateError> {
        let font = font::Font::parse(&self.font).map_err(CertificateError::Render)?;
        let ops = layout::layout(&font, text);
        let doc_title: String = format!("{} — {}", text.title, text.full_name)
            .chars()
            .take(300)
            .collect();
        pdf::write(&font, &self.font, &ops, &doc_title).map_err(CertificateError::Render)
    }
}

#[cfg(test)]
mod tests;
