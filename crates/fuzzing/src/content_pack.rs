//! The content pack loader ([`domain::content::ContentPack::load`]).

use std::collections::HashMap;
use std::path::PathBuf;

use domain::callback::{Callback, MAX_BYTES};
use domain::content::quiz::OPTION_MAX_CHARS;
use domain::content::{ContentPack, MESSAGE_LIMIT, NodeKind};
use domain::lang::Lang;

use crate::oracle::telegram_text;

/// At most this many files in one fuzzed pack.
const MAX_FILES: usize = 24;
/// At most this many folders deep.
const MAX_DEPTH: usize = 4;

/// The input is a pack as a text archive: each file starts with a line
/// `-- <path> --` (a relative path of `/`-separated names, each of
/// `a-z 0-9 _ . -` and not starting with a dot); lines before the first such line
/// are ignored. The files are written to a scratch folder and loaded from it.
///
/// Loading never panics and never hangs: it gives a pack or a list of problems.
/// Problems are sorted, each has a message, and a line, when given, is a line of
/// the file it names. A pack that loads has every page part within a message and
/// accepted by Telegram, every title fitting a button, every button's callback
/// data within 64 bytes, and quiz options that fit a button.
pub fn content_pack(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let files = archive(&text);
    let dir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(e) => panic!("no scratch folder: {e}"),
    };
    let mut written: HashMap<PathBuf, usize> = HashMap::new();
    for (path, contents) in files {
        let full = dir.path().join(&path);
        if let Some(parent) = full.parent()
            && std::fs::create_dir_all(parent).is_err()
        {
            // A file already sits where a folder is needed.
            continue;
        }
        if full.is_dir() || std::fs::write(&full, contents).is_err() {
            continue;
        }
        written.insert(path, contents.split('\n').count());
    }
    match ContentPack::load(dir.path()) {
        Ok(pack) => check_pack(&pack),
        Err(problems) => {
            assert!(!problems.is_empty(), "a refusal without a problem");
            assert!(problems.is_sorted(), "problems are not sorted");
            for p in &problems {
                assert!(!p.message.trim().is_empty(), "a problem without a message");
                if let (Some(line), Some(&lines)) = (p.line, written.get(&p.file)) {
                    assert!(
                        (1..=lines).contains(&line),
                        "{p}: the file has {lines} lines"
                    );
                }
            }
        }
    }
}

/// Splits the archive into (path, contents); files with unusable paths are dropped.
fn archive(text: &str) -> Vec<(PathBuf, &str)> {
    let mut files = Vec::new();
    let mut current: Option<(PathBuf, usize)> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let header = line
            .trim_end_matches(['\n', '\r'])
            .strip_prefix("-- ")
            .and_then(|l| l.strip_suffix(" --"));
        if let Some(name) = header {
            if let Some((path, start)) = current.take() {
                files.push((path, text.get(start..offset).unwrap_or_default()));
            }
            current = usable_path(name).map(|p| (p, offset + line.len()));
        }
        offset += line.len();
    }
    if let Some((path, start)) = current {
        files.push((path, text.get(start..).unwrap_or_default()));
    }
    files.truncate(MAX_FILES);
    files
}

fn usable_path(name: &str) -> Option<PathBuf> {
    let parts: Vec<&str> = name.split('/').collect();
    let ok = parts.len() <= MAX_DEPTH
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 64
                && !p.starts_with('.')
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b))
        });
    ok.then(|| parts.iter().collect::<PathBuf>())
}

fn check_pack(pack: &ContentPack) {
    for node in pack.nodes() {
        for lang in Lang::ALL {
            let n = node.title.get(lang).chars().count();
            assert!(
                n > 0 && n <= 64,
                "{}: title ({lang}) of {n} characters",
                node.path
            );
        }
        let last = match &node.kind {
            NodeKind::Section { children } => ContentPack::section_pages(children.len()),
            NodeKind::Page(page) => {
                for lang in Lang::ALL {
                    let parts = page.parts.get(lang);
                    assert!(!parts.is_empty(), "{}: ({lang}) no parts", node.path);
                    for (i, part) in parts.iter().enumerate() {
                        let what = format!("{} ({lang}) part {i}", node.path);
                        let text = telegram_text(part, &what);
                        assert!(!text.trim().is_empty(), "{what} is blank");
                        assert!(text.chars().count() <= MESSAGE_LIMIT, "{what} is too long");
                    }
                }
                page.parts.ru.len().max(page.parts.en.len())
            }
        };
        let index = u16::try_from(last).unwrap_or(u16::MAX);
        for cb in [
            Callback::Open(node.id),
            Callback::SectionPage {
                node: node.id,
                page: index,
            },
            Callback::PagePart {
                node: node.id,
                part: index,
            },
        ] {
            let data = cb.encode();
            assert!(data.len() <= MAX_BYTES, "{}: {data} is too long", node.path);
            assert_eq!(Callback::decode(&data), Ok(cb));
        }
    }
    for quiz in pack.quizzes() {
        for q in &quiz.questions {
            // The options a multiple-choice press ticks are a bit mask in a `u8`.
            assert!(
                q.options.len() <= 8,
                "quiz {}: {} options",
                quiz.id,
                q.options.len()
            );
            for o in &q.options {
                for lang in Lang::ALL {
                    let n = o.text.get(lang).chars().count();
                    assert!(
                        n > 0 && n <= OPTION_MAX_CHARS,
                        "quiz {}: option of {n} characters",
                        quiz.id
                    );
                }
            }
        }
    }
}
