use std::path::Path;

use proptest::prelude::*;

use super::*;
use crate::layout::{BOTTOM, LEFT, Op, RIGHT, TOP};

const NAME: &str = "Анна Петрова-Сидорова <&>";
const CODE: &str = "TB-7K2QX9AB";

fn renderer() -> Renderer {
    match Renderer::builtin() {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    }
}

fn sample() -> CertificateText {
    CertificateText {
        title: "Сертификат".into(),
        full_name: NAME.into(),
        lines: vec![
            "Отдел: Бар".into(),
            "Парк: Зеленопарк".into(),
            "Дата: 28.11.2026".into(),
        ],
        quizzes: vec![
            ("Техника безопасности".into(), "92%".into()),
            ("Стандарты обслуживания".into(), "100%".into()),
            ("Меню и аллергены".into(), "85%".into()),
        ],
        code_label: "Код проверки".into(),
        code: CODE.into(),
    }
}

fn huge() -> CertificateText {
    let long_word =
        "Оченьдлинноеимябезпробеловкотороененапечататьводнустрокуникакимобразом".repeat(4);
    CertificateText {
        title: "Сертификат о прохождении обучения и аттестации персонала ".repeat(5),
        full_name: format!(
            "{long_word} Констанция Владиславовна Переверзева-Околокулакова {long_word}"
        ),
        lines: (0..60)
            .map(|i| format!("Строка {i}: {}", "очень длинное значение ".repeat(8)))
            .collect(),
        quizzes: (0..300)
            .map(|i| {
                (
                    format!("Тест номер {i} {}", "о правилах ".repeat(12)),
                    format!("{i}%"),
                )
            })
            .collect(),
        code_label: "Код проверки ".repeat(30),
        code: "TB-".repeat(100),
    }
}

fn render(text: &CertificateText) -> Vec<u8> {
    match renderer().render(text) {
        Ok(pdf) => pdf,
        Err(e) => panic!("render failed: {e}"),
    }
}

/// The PDF's text as pdf-extract reads it, every run of white space made one space
/// (so a name wrapped onto two lines reads as it was given).
fn extract(pdf: &[u8]) -> String {
    match pdf_extract::extract_text_from_mem(pdf) {
        Ok(text) => text.split_whitespace().collect::<Vec<_>>().join(" "),
        Err(e) => panic!("pdf-extract could not read the PDF: {e}"),
    }
}

/// Every text and rule lies inside the text area, measured with the same font.
fn assert_inside(text: &CertificateText) {
    let font = match font::Font::parse(DEJAVU_SANS) {
        Ok(f) => f,
        Err(e) => panic!("{e}"),
    };
    let ops = layout::layout(&font, text);
    assert!(!ops.is_empty());
    for op in &ops {
        match op {
            Op::Text {
                x, y, size, text, ..
            } => {
                let w = font.width(text, *size);
                assert!(
                    *x >= LEFT - 0.01 && x + w <= RIGHT + 0.01,
                    "{text:?} at x {x} width {w}"
                );
                assert!(
                    *y >= BOTTOM - 0.01 && y + size <= TOP + 0.01,
                    "{text:?} at y {y} size {size}"
                );
                assert!(*size >= 5.0, "{text:?} set at {size} pt");
            }
            Op::Line { x1, y1, x2, y2, .. } => {
                for (x, y) in [(x1, y1), (x2, y2)] {
                    assert!(
                        *x >= LEFT - 0.01 && *x <= RIGHT + 0.01 && *y >= BOTTOM && *y <= TOP,
                        "line at {x},{y}"
                    );
                }
            }
        }
    }
}

#[test]
fn the_name_and_the_code_can_be_extracted() {
    let pdf = render(&sample());
    assert!(pdf.starts_with(b"%PDF-"));
    let text = extract(&pdf);
    assert!(
        text.contains(NAME),
        "name missing from extracted text:\n{text}"
    );
    assert!(
        text.contains(CODE),
        "code missing from extracted text:\n{text}"
    );
    for expected in [
        "Сертификат",
        "Отдел: Бар",
        "Дата: 28.11.2026",
        "Техника безопасности",
        "92%",
        "Код проверки",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from extracted text:\n{text}"
        );
    }
}

#[test]
fn the_font_is_subset_so_the_pdf_is_small() {
    let pdf = render(&sample());
    assert!(pdf.len() < 60_000, "the PDF is {} bytes", pdf.len());
}

#[test]
fn rendering_is_deterministic() {
    assert_eq!(render(&sample()), render(&sample()));
}

#[test]
fn a_missing_font_file_names_the_path_and_the_fix() {
    let path = Path::new("/nonexistent/fonts/Missing.ttf");
    let err = match Renderer::from_file(path) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("a missing file loaded"),
    };
    assert!(err.contains("/nonexistent/fonts/Missing.ttf"), "{err}");
    assert!(err.contains("CERTIFICATE_FONT"), "{err}");
    assert!(err.contains("built-in DejaVu Sans"), "{err}");
}

#[test]
fn the_built_in_font_is_the_vendored_file_with_its_licence_beside_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
    match std::fs::read(dir.join("DejaVuSans.ttf")) {
        Ok(file) => assert!(file == DEJAVU_SANS, "fonts/DejaVuSans.ttf differs"),
        Err(e) => panic!("fonts/DejaVuSans.ttf: {e}"),
    }
    match std::fs::read_to_string(dir.join("LICENSE")) {
        Ok(licence) => assert!(licence.contains("Bitstream Vera"), "{licence}"),
        Err(e) => panic!("fonts/LICENSE: {e}"),
    }
}

#[test]
fn a_font_file_is_used_instead_of_the_built_in_one() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts/DejaVuSans.ttf");
    let from_file = match Renderer::from_file(&path) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    let pdf = match from_file.render(&sample()) {
        Ok(pdf) => pdf,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(pdf, render(&sample()), "the same font draws the same PDF");
}

#[test]
fn garbage_and_fonts_without_cyrillic_are_refused() {
    for bytes in [Vec::new(), b"not a font at all".to_vec(), vec![0; 4096]] {
        let err = match Renderer::from_bytes(bytes) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("garbage accepted as a font"),
        };
        assert!(err.contains("CERTIFICATE_FONT"), "{err}");
    }
}

#[test]
fn the_sample_lies_inside_the_frame() {
    assert_inside(&sample());
}

#[test]
fn huge_input_shrinks_wraps_and_is_cut_inside_the_frame() {
    assert_inside(&huge());
    let pdf = render(&huge());
    let text = extract(&pdf);
    assert!(text.contains('…'), "nothing was cut:\n{text}");
}

#[test]
fn a_long_name_stays_whole_when_it_can() {
    let name = "Александра Константиновна Преображенская-Новосельцева-Долгорукова";
    let text = CertificateText {
        full_name: name.into(),
        ..sample()
    };
    assert_inside(&text);
    let extracted = extract(&render(&text));
    assert!(extracted.contains(name), "{extracted}");
}

#[test]
fn forty_quizzes_all_show_in_two_columns() {
    let text = CertificateText {
        quizzes: (1..=40)
            .map(|i| {
                (
                    format!("Тест {i}: правила работы аттракциона и безопасность гостей"),
                    format!("{}%", 60 + i),
                )
            })
            .collect(),
        ..sample()
    };
    assert_inside(&text);
    let extracted = extract(&render(&text));
    assert!(
        extracted.contains("Тест 40: правила работы аттракциона и безопасность гостей"),
        "{extracted}"
    );
    assert!(extracted.contains("100%"), "{extracted}");
    assert!(!extracted.contains('…'), "{extracted}");
}

#[test]
fn empty_text_renders() {
    let pdf = render(&CertificateText::default());
    assert!(pdf.starts_with(b"%PDF-"));
}

#[test]
fn odd_characters_render() {
    let text = CertificateText {
        full_name:
            "Zoë \u{0}\t\n\r\u{7}O'Brien \"quoted\" (paren \\ slash) 😀 𝔘 中文 مرحبا e\u{301}"
                .into(),
        code: "TB-()\\".into(),
        ..sample()
    };
    let extracted = extract(&render(&text));
    assert!(
        extracted.contains("O'Brien \"quoted\" (paren \\ slash)"),
        "{extracted}"
    );
    assert!(extracted.contains("TB-()\\"), "{extracted}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn any_text_renders_inside_the_frame(
        title in "\\PC{0,40}",
        name in "\\PC{0,120}",
        lines in proptest::collection::vec("\\PC{0,80}", 0..8),
        quizzes in proptest::collection::vec(("\\PC{0,60}", "\\PC{0,8}"), 0..30),
        code in "\\PC{0,30}",
    ) {
        let text = CertificateText { title, full_name: name, lines, quizzes, code_label: "Код".into(), code };
        assert_inside(&text);
        let pdf = renderer().render(&text);
        prop_assert!(pdf.is_ok());
    }
}
