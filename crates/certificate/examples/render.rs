//! Writes a sample certificate, to look at it:
//! `cargo run -p certificate --example render -- /tmp/cert.pdf [many]`
//! (then e.g. `pdftoppm -png -r 60 /tmp/cert.pdf /tmp/cert`).
//! The font comes from `CERTIFICATE_FONT`, else the built-in DejaVu Sans.

use std::path::PathBuf;
use std::process::ExitCode;

use certificate::{CertificateText, Renderer};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "certificate.pdf".into()));
    let many = args.next().is_some_and(|a| a == "many");
    let font = std::env::var_os("CERTIFICATE_FONT").map(PathBuf::from);
    let quizzes = if many {
        (1..=40)
            .map(|i| {
                (
                    format!("Тест {i}: правила работы аттракциона и безопасность гостей"),
                    format!("{}%", 60 + i),
                )
            })
            .collect()
    } else {
        vec![
            ("Техника безопасности".into(), "92%".into()),
            ("Стандарты обслуживания гостей".into(), "100%".into()),
            ("Меню, состав блюд и аллергены".into(), "85%".into()),
        ]
    };
    let text = CertificateText {
        title: "Сертификат".into(),
        full_name: if many {
            "Александра Константиновна Преображенская-Новосельцева-Долгорукова <&>".into()
        } else {
            "Анна Петрова-Сидорова <&>".into()
        },
        lines: vec![
            "Отдел: Бар".into(),
            "Парк: Зеленопарк".into(),
            "Дата: 28.11.2026".into(),
        ],
        quizzes,
        code_label: "Код проверки".into(),
        code: "TB-7K2QX9AB".into(),
    };
    let renderer = match &font {
        Some(path) => Renderer::from_file(path),
        None => Renderer::builtin(),
    };
    let result = renderer.and_then(|r| r.render(&text));
    match result {
        Ok(pdf) => match std::fs::write(&out, &pdf) {
            Ok(()) => {
                println!("{}: {} bytes", out.display(), pdf.len());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("cannot write {}: {e}", out.display());
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
