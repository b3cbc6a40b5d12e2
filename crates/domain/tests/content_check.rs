#![allow(clippy::unwrap_used, clippy::expect_used)]
//! What `trainbot content check` tells a content author: `ContentPack::load` on
//! small packs built in temporary folders (and two checked-in ones under
//! `tests/packs/`), asserting every problem's file, line and message.

use std::fs;
use std::path::{Path, PathBuf};

use domain::content::{
    ContentPack, MESSAGE_LIMIT, MediaSource, NodeKind, Problem, breadcrumb_line,
};
use domain::ids::NodeId;
use domain::lang::Lang;
use tempfile::TempDir;

// ---------------------------------------------------------------------------
// Building packs
// ---------------------------------------------------------------------------

const PACK_TOML: &str = r#"default_language = "ru"
languages = ["ru", "en"]

[[parks]]
id = "main"
timezone = "Europe/Moscow"
name = { ru = "Главный", en = "Main" }

[[departments]]
id = "general"
section = "general"
name = { ru = "Общее", en = "General" }
"#;

/// A pack folder in a temporary directory; files are written relative to it.
struct Pack {
    /// Holds the pack in `pack/`, so that files can also be put next to it.
    tmp: TempDir,
}

impl Pack {
    /// An empty folder.
    fn empty() -> Pack {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir(tmp.path().join("pack")).unwrap();
        Pack { tmp }
    }

    /// A valid pack: pack.toml, section `general` with the page `welcome.md`.
    fn valid() -> Pack {
        let pack = Pack::empty();
        pack.write("pack.toml", PACK_TOML);
        pack.write("general/_section.toml", &section(10, "Общее", "General"));
        pack.write(
            "general/welcome.md",
            &page(1, "Welcome", "Привет!", "Hello!"),
        );
        pack
    }

    /// [`Pack::valid`] and a second top-level section, `bar` (read before
    /// `general`), with one page.
    fn with_bar_section() -> Pack {
        let pack = Pack::valid();
        pack.write("bar/_section.toml", &section(20, "Бар", "Bar"));
        pack.write("bar/coffee.md", &page(1, "Coffee", "Кофе", "Coffee"));
        pack
    }

    fn dir(&self) -> PathBuf {
        self.tmp.path().join("pack")
    }

    /// Writes `rel` (relative to the pack), creating its folders.
    fn write(&self, rel: &str, content: &str) -> &Pack {
        self.write_bytes(rel, content.as_bytes())
    }

    fn write_bytes(&self, rel: &str, content: &[u8]) -> &Pack {
        let path = self.dir().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
        self
    }

    fn remove(&self, rel: &str) -> &Pack {
        fs::remove_file(self.dir().join(rel)).unwrap();
        self
    }

    fn load(&self) -> ContentPack {
        match ContentPack::load(&self.dir()) {
            Ok(pack) => pack,
            Err(problems) => panic!("the pack should load, but:\n{}", report(&problems)),
        }
    }

    fn problems(&self) -> Vec<Problem> {
        match ContentPack::load(&self.dir()) {
            Ok(_) => panic!("the pack should be rejected, but it loaded"),
            Err(problems) => problems,
        }
    }
}

fn section(order: i64, ru: &str, en: &str) -> String {
    format!("order = {order}\ntitle = {{ ru = \"{ru}\", en = \"{en}\" }}\n")
}

/// A page with both bodies; line 6 is `::: ru`, line 7 its first text line.
fn page(order: i64, title_en: &str, ru: &str, en: &str) -> String {
    format!(
        "+++\norder = {order}\ntitle = {{ ru = \"Заголовок\", en = \"{title_en}\" }}\n+++\n\n::: ru\n{ru}\n\n::: en\n{en}\n"
    )
}

/// A page with the given front matter (between the `+++` lines) and both bodies.
fn page_with_front(front: &str) -> String {
    format!("+++\n{front}+++\n\n::: ru\nПривет!\n\n::: en\nHello!\n")
}

fn report(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("  {p}\n")).collect()
}

/// The one problem of `file` whose message contains `fragment`; fails with the
/// whole report otherwise.
fn find<'a>(problems: &'a [Problem], file: &str, fragment: &str) -> &'a Problem {
    let hits: Vec<&Problem> = problems
        .iter()
        .filter(|p| p.file == Path::new(file) && p.message.contains(fragment))
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "expected exactly one problem in {file} containing {fragment:?}, got:\n{}",
        report(problems)
    );
    hits[0]
}

/// Asserts a problem of `file` at `line` whose message contains `fragment`.
fn assert_problem(problems: &[Problem], file: &str, line: Option<usize>, fragment: &str) {
    let p = find(problems, file, fragment);
    assert_eq!(
        p.line,
        line,
        "wrong line for `{p}`; whole report:\n{}",
        report(problems)
    );
}

/// Asserts the report is exactly these problems (file, line, fragment), in this order.
fn assert_exactly(problems: &[Problem], expected: &[(&str, Option<usize>, &str)]) {
    let ok = problems.len() == expected.len()
        && problems
            .iter()
            .zip(expected)
            .all(|(p, (file, line, fragment))| {
                p.file == Path::new(file) && p.line == *line && p.message.contains(fragment)
            });
    assert!(
        ok,
        "expected, in order:\n{expected:#?}\ngot:\n{}",
        report(problems)
    );
}

/// The pack is refused for exactly one problem, of `file` (no line), whose
/// message contains `fragment`.
fn assert_only_problem(pack: &Pack, file: &str, fragment: &str) {
    assert_exactly(&pack.problems(), &[(file, None, fragment)]);
}

fn node_by_path<'a>(pack: &'a ContentPack, path: &str) -> &'a domain::content::Node {
    pack.nodes()
        .find(|n| n.path == path)
        .unwrap_or_else(|| panic!("no node with path {path}"))
}

fn packs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/packs")
}

// ---------------------------------------------------------------------------
// The baseline: the helpers build a valid pack
// ---------------------------------------------------------------------------

#[test]
fn the_baseline_pack_is_valid() {
    let pack = Pack::valid().load();
    assert_eq!(pack.page_count(), 1);
    assert_eq!(pack.departments().len(), 1);
    assert_eq!(pack.parks()[0].timezone, "Europe/Moscow");
}

// ---------------------------------------------------------------------------
// All problems at once, sorted
// ---------------------------------------------------------------------------

#[test]
fn the_checked_in_broken_pack_reports_every_problem_sorted_by_file_then_line() {
    let problems = ContentPack::load(&packs_dir().join("broken")).unwrap_err();
    assert_exactly(
        &problems,
        &[
            (
                "general/_quiz.toml",
                None,
                "question `q1`: a single-choice question needs exactly one correct option, it has 2",
            ),
            (
                "general/_section.toml",
                None,
                "title: missing translation (en)",
            ),
            (
                "general/rules.md",
                None,
                "missing translation: no `::: en` body",
            ),
            (
                "general/rules.md",
                Some(9),
                "(ru) raw HTML (<b>) is not allowed",
            ),
            (
                "pack.toml",
                None,
                "department `bar`: section `bar` is not a top-level section folder",
            ),
            (
                "pack.toml",
                None,
                "park `main`: timezone `Moscow` is not an IANA name",
            ),
        ],
    );
}

#[test]
fn the_checked_in_minimal_pack_loads() {
    let pack = ContentPack::load(&packs_dir().join("minimal")).unwrap();
    assert_eq!(pack.page_count(), 1);
    assert_eq!(
        node_by_path(&pack, "general/welcome.md").title.en,
        "Welcome"
    );
}

#[test]
fn problems_in_several_files_come_sorted_by_file_then_line() {
    let pack = Pack::valid();
    // Written in an order that differs from the expected report.
    pack.write("general/zeta.md", "+++\norder = 1\ntitle = { ru = \"а\", en = \"b\" }\n+++\n\n::: ru\nok\n\n::: en\n<i>x</i>\n");
    pack.write("general/alpha.md", "no front matter\n");
    pack.write("general/beta.md", "+++\norder = 1\ntitle = { ru = \"а\", en = \"b\" }\n+++\n\n::: ru\nline 7\n\nline 9 <u>html</u>\n");
    let problems = pack.problems();
    assert_exactly(
        &problems,
        &[
            (
                "general/alpha.md",
                Some(1),
                "a page must start with a `+++` line",
            ),
            (
                "general/beta.md",
                None,
                "missing translation: no `::: en` body",
            ),
            ("general/beta.md", Some(9), "(ru) raw HTML"),
            ("general/zeta.md", Some(10), "(en) raw HTML"),
        ],
    );
    let mut sorted = problems.clone();
    sorted.sort();
    assert_eq!(problems, sorted);
}

// ---------------------------------------------------------------------------
// pack.toml
// ---------------------------------------------------------------------------

#[test]
fn a_missing_content_folder_is_one_problem() {
    let pack = Pack::empty();
    let missing = pack.dir().join("nope");
    let problems = ContentPack::load(&missing).unwrap_err();
    assert_eq!(problems.len(), 1, "{}", report(&problems));
    assert!(
        problems[0].message.contains("does not exist"),
        "{}",
        problems[0]
    );
}

#[test]
fn missing_pack_toml() {
    let pack = Pack::valid();
    pack.remove("pack.toml");
    let problems = pack.problems();
    assert_exactly(
        &problems,
        &[("pack.toml", None, "missing: every pack needs a pack.toml")],
    );
}

#[test]
fn pack_toml_syntax_error_has_its_line() {
    let pack = Pack::valid();
    pack.write(
        "pack.toml",
        "default_language = \"ru\"\nlanguages = [\"ru\", \"en\"\n\n[[parks]]\n",
    );
    let problems = pack.problems();
    // The array opened on line 2 is noticed where the parser gives up: line 4.
    assert_exactly(
        &problems,
        &[("pack.toml", Some(4), "missing comma between array elements")],
    );

    pack.write(
        "pack.toml",
        "default_language = \"ru\"\nlanguages = [\"ru\", \"en\"]\nbroken = = 1\n",
    );
    assert_problem(&pack.problems(), "pack.toml", Some(3), "");
}

#[test]
fn unknown_key_in_pack_toml_is_named_with_its_line() {
    let pack = Pack::valid();
    pack.write(
        "pack.toml",
        &PACK_TOML.replace("languages =", "langauges = [\"ru\"]\nlanguages ="),
    );
    let problems = pack.problems();
    assert_problem(&problems, "pack.toml", Some(2), "langauges");
}

#[test]
fn languages_without_en() {
    let pack = Pack::valid();
    pack.write(
        "pack.toml",
        &PACK_TOML.replace("[\"ru\", \"en\"]", "[\"ru\"]"),
    );
    assert_exactly(
        &pack.problems(),
        &[("pack.toml", None, "languages must include `en`")],
    );
}

#[test]
fn unsupported_language_and_default_language() {
    let pack = Pack::valid();
    pack.write(
        "pack.toml",
        &PACK_TOML
            .replace("[\"ru\", \"en\"]", "[\"ru\", \"en\", \"de\"]")
            .replace("default_language = \"ru\"", "default_language = \"fr\""),
    );
    let problems = pack.problems();
    assert_problem(
        &problems,
        "pack.toml",
        None,
        "default_language `fr` is not supported",
    );
    assert_problem(
        &problems,
        "pack.toml",
        None,
        "language `de` is not supported",
    );
}

#[test]
fn bad_park_timezone() {
    let pack = Pack::valid();
    pack.write(
        "pack.toml",
        &PACK_TOML.replace("Europe/Moscow", "Moscow time"),
    );
    assert_exactly(
        &pack.problems(),
        &[(
            "pack.toml",
            None,
            "park `main`: timezone `Moscow time` is not an IANA name like Europe/Moscow",
        )],
    );
}

#[test]
fn park_timezones_are_iana_names() {
    let with_zone = |zone: &str| {
        let pack = Pack::valid();
        pack.write("pack.toml", &PACK_TOML.replace("Europe/Moscow", zone));
        pack
    };
    for good in [
        "UTC",
        "Europe/Moscow",
        "America/Argentina/Buenos_Aires",
        "Etc/GMT+3",
    ] {
        assert_eq!(with_zone(good).load().parks()[0].timezone, good);
    }
    for bad in [
        "Moscow",
        "/Moscow",
        "Europe/",
        "Europe/Mos cow",
        "Europe/Moscow;",
        "utc",
    ] {
        assert_only_problem(
            &with_zone(bad),
            "pack.toml",
            &format!("park `main`: timezone `{bad}` is not an IANA name like Europe/Moscow"),
        );
    }
}

#[test]
fn a_required_section_must_be_a_section_not_a_page() {
    let pack = Pack::valid();
    pack.write(
        "pack.toml",
        &PACK_TOML.replace(
            "section = \"general\"\n",
            "section = \"general\"\nrequired_sections = [\"general/welcome.md\"]\n",
        ),
    );
    assert_only_problem(
        &pack,
        "pack.toml",
        "department `general`: required section `general/welcome.md` is not a section folder",
    );
}

#[test]
fn a_top_level_folder_without_pages_is_not_a_problem() {
    let pack = Pack::valid();
    pack.write_bytes("shared-media/logo.png", b"\x89PNG");
    let loaded = pack.load();
    assert_eq!(
        loaded.park("main").map(|p| p.timezone.as_str()),
        Some("Europe/Moscow")
    );
    assert!(loaded.park("elsewhere").is_none());
}

#[test]
fn department_pointing_at_a_missing_section() {
    let pack = Pack::valid();
    pack.write("pack.toml", &format!("{PACK_TOML}\n[[departments]]\nid = \"bar\"\nsection = \"bar\"\nname = {{ ru = \"Бар\", en = \"Bar\" }}\n"));
    assert_exactly(
        &pack.problems(),
        &[(
            "pack.toml",
            None,
            "department `bar`: section `bar` is not a top-level section folder",
        )],
    );
}

#[test]
fn department_pointing_at_a_nested_section() {
    let pack = Pack::valid();
    pack.write(
        "general/safety/_section.toml",
        &section(1, "Безопасность", "Safety"),
    );
    pack.write("general/safety/fire.md", &page(1, "Fire", "Огонь", "Fire"));
    pack.write(
        "pack.toml",
        &PACK_TOML.replace("section = \"general\"", "section = \"general/safety\""),
    );
    assert_problem(
        &pack.problems(),
        "pack.toml",
        None,
        "section `general/safety` is not a top-level section folder",
    );
}

#[test]
fn a_pack_with_no_sections() {
    let pack = Pack::empty();
    pack.write("pack.toml", &PACK_TOML.replace("[[departments]]\nid = \"general\"\nsection = \"general\"\nname = { ru = \"Общее\", en = \"General\" }\n", ""));
    assert_exactly(
        &pack.problems(),
        &[("pack.toml", None, "the pack has no sections")],
    );
}

// ---------------------------------------------------------------------------
// _section.toml
// ---------------------------------------------------------------------------

#[test]
fn section_title_missing_a_translation() {
    let pack = Pack::valid();
    pack.write(
        "general/_section.toml",
        "order = 1\ntitle = { ru = \"Общее\" }\n",
    );
    let problems = pack.problems();
    assert_problem(
        &problems,
        "general/_section.toml",
        None,
        "title: missing translation (en)",
    );
}

#[test]
fn a_blank_translation_is_a_missing_one() {
    let pack = Pack::valid();
    pack.write(
        "general/_section.toml",
        "order = 1\ntitle = { ru = \"Общее\", en = \"  \" }\n",
    );
    assert_problem(
        &pack.problems(),
        "general/_section.toml",
        None,
        "title: missing translation (en)",
    );
}

#[test]
fn section_unknown_key_has_its_line() {
    let pack = Pack::valid();
    pack.write(
        "general/_section.toml",
        "order = 1\ntitle = { ru = \"Общее\", en = \"General\" }\nicon = \"x\"\n",
    );
    assert_problem(&pack.problems(), "general/_section.toml", Some(3), "icon");
}

#[test]
fn empty_section() {
    let pack = Pack::valid();
    pack.write("general/empty/_section.toml", &section(5, "Пусто", "Empty"));
    assert_exactly(
        &pack.problems(),
        &[("general/empty/_section.toml", None, "the section is empty")],
    );
}

#[test]
fn a_section_whose_only_page_is_broken_is_not_called_empty() {
    let pack = Pack::valid();
    pack.write(
        "general/safety/_section.toml",
        &section(5, "Безопасность", "Safety"),
    );
    pack.write("general/safety/fire.md", "no front matter\n");
    // The author should see the page's problem, not "add a page" about a folder that has one.
    assert_exactly(
        &pack.problems(),
        &[(
            "general/safety/fire.md",
            Some(1),
            "a page must start with a `+++` line",
        )],
    );
}

// ---------------------------------------------------------------------------
// Pages: structure
// ---------------------------------------------------------------------------

#[test]
fn page_without_front_matter() {
    let pack = Pack::valid();
    pack.write("general/bare.md", "::: ru\nПривет\n\n::: en\nHello\n");
    assert_exactly(
        &pack.problems(),
        &[(
            "general/bare.md",
            Some(1),
            "a page must start with a `+++` line",
        )],
    );
}

#[test]
fn unclosed_front_matter() {
    let pack = Pack::valid();
    pack.write(
        "general/open.md",
        "+++\norder = 1\ntitle = { ru = \"а\", en = \"b\" }\n\n::: ru\nПривет\n",
    );
    assert_exactly(
        &pack.problems(),
        &[("general/open.md", Some(1), "the front matter is not closed")],
    );
}

#[test]
fn front_matter_toml_error_has_the_line_in_the_file() {
    let pack = Pack::valid();
    // Line 4 of the file is the third line of the front matter.
    pack.write(
        "general/bad.md",
        &page_with_front("order = 1\ntitle = { ru = \"а\", en = \"b\" }\nweight = = 3\n"),
    );
    assert_problem(&pack.problems(), "general/bad.md", Some(4), "");
}

#[test]
fn unknown_front_matter_key_has_its_line() {
    let pack = Pack::valid();
    pack.write(
        "general/bad.md",
        &page_with_front(
            "order = 1\ndepartmnets = [\"bar\"]\ntitle = { ru = \"а\", en = \"b\" }\n",
        ),
    );
    assert_problem(&pack.problems(), "general/bad.md", Some(3), "departmnets");
}

#[test]
fn front_matter_missing_title_translation() {
    let pack = Pack::valid();
    pack.write(
        "general/bad.md",
        &page_with_front("order = 1\ntitle = { ru = \"Только русский\" }\n"),
    );
    assert_exactly(
        &pack.problems(),
        &[("general/bad.md", None, "title: missing translation (en)")],
    );
}

#[test]
fn missing_en_body() {
    let pack = Pack::valid();
    pack.write(
        "general/half.md",
        "+++\norder = 1\ntitle = { ru = \"а\", en = \"b\" }\n+++\n\n::: ru\nТолько по-русски.\n",
    );
    assert_exactly(
        &pack.problems(),
        &[(
            "general/half.md",
            None,
            "missing translation: no `::: en` body",
        )],
    );
}

#[test]
fn unknown_language_marker() {
    let pack = Pack::valid();
    pack.write(
        "general/de.md",
        &format!("{}\n::: de\nHallo\n", page(1, "b", "а", "b")),
    );
    assert_exactly(
        &pack.problems(),
        &[(
            "general/de.md",
            Some(12),
            "unknown language `de` after `:::`",
        )],
    );
}

#[test]
fn duplicate_ru_body() {
    let pack = Pack::valid();
    pack.write(
        "general/twice.md",
        &format!("{}\n::: ru\nЕщё раз\n", page(1, "b", "а", "b")),
    );
    assert_exactly(
        &pack.problems(),
        &[(
            "general/twice.md",
            Some(12),
            "the `::: ru` body appears twice",
        )],
    );
}

#[test]
fn text_before_the_first_marker() {
    let pack = Pack::valid();
    pack.write("general/pre.md", "+++\norder = 1\ntitle = { ru = \"а\", en = \"b\" }\n+++\n\nstray text\n::: ru\nа\n::: en\nb\n");
    assert_exactly(
        &pack.problems(),
        &[("general/pre.md", Some(6), "must start with a `::: ru` line")],
    );
}

#[test]
fn empty_body_is_reported_at_its_marker() {
    let pack = Pack::valid();
    pack.write("general/empty.md", &page(1, "b", "Текст", "   "));
    // `::: en` is line 9 of the file.
    assert_exactly(
        &pack.problems(),
        &[("general/empty.md", Some(9), "(en) the page body is empty")],
    );
}

#[test]
fn crlf_line_endings_are_accepted() {
    let pack = Pack::valid();
    pack.write(
        "general/crlf.md",
        &page(2, "Windows", "Текст", "Text").replace('\n', "\r\n"),
    );
    let loaded = pack.load();
    assert_eq!(node_by_path(&loaded, "general/crlf.md").title.en, "Windows");
}

// ---------------------------------------------------------------------------
// Pages: Markdown Telegram cannot show (line numbers are of the file)
// ---------------------------------------------------------------------------

#[test]
fn raw_html_in_a_body_has_its_file_line() {
    let pack = Pack::valid();
    // Line 7: first ru line, 8: blank, 9: the HTML.
    pack.write(
        "general/html.md",
        &page(
            1,
            "b",
            "Первая строка.\n\n<script>alert(1)</script>",
            "Fine.",
        ),
    );
    assert_exactly(
        &pack.problems(),
        &[("general/html.md", Some(9), "(ru) raw HTML (<script>")],
    );
}

#[test]
fn raw_html_in_the_en_body_has_its_file_line() {
    let pack = Pack::valid();
    // `::: en` is line 9, its first line 10; the HTML is on line 12.
    pack.write(
        "general/html.md",
        &page(1, "b", "Хорошо.", "One.\n\nTwo <b>bold</b>."),
    );
    assert_exactly(
        &pack.problems(),
        &[("general/html.md", Some(12), "(en) raw HTML (<b>)")],
    );
}

#[test]
fn image_syntax_in_a_body() {
    let pack = Pack::valid();
    pack.write(
        "general/img.md",
        &page(1, "b", "Текст.", "Look:\n\n![map](map.png)"),
    );
    assert_exactly(
        &pack.problems(),
        &[(
            "general/img.md",
            Some(12),
            "(en) images are not allowed in page text",
        )],
    );
}

#[test]
fn javascript_link_is_rejected() {
    let pack = Pack::valid();
    pack.write(
        "general/js.md",
        &page(1, "b", "[жми](javascript:alert(1))", "ok"),
    );
    assert_exactly(
        &pack.problems(),
        &[(
            "general/js.md",
            Some(7),
            "(ru) link target \"javascript:alert(1)\" is not allowed",
        )],
    );
}

#[test]
fn relative_link_is_rejected() {
    let pack = Pack::valid();
    pack.write(
        "general/rel.md",
        &page(1, "b", "ok", "see [the rules](rules.md)"),
    );
    assert_problem(
        &pack.problems(),
        "general/rel.md",
        Some(10),
        "link target \"rules.md\" is not allowed",
    );
}

#[test]
fn footnote_is_rejected() {
    let pack = Pack::valid();
    pack.write(
        "general/foot.md",
        &page(1, "b", "ok", "text[^1]\n\n[^1]: note"),
    );
    assert_problem(
        &pack.problems(),
        "general/foot.md",
        Some(10),
        "(en) footnotes are not supported",
    );
}

#[test]
fn a_word_longer_than_a_message_is_too_long_to_split() {
    let pack = Pack::valid();
    let word = "a".repeat(5000);
    pack.write(
        "general/long.md",
        &page(1, "b", "Коротко.", &format!("Intro.\n\n{word}")),
    );
    // Reported at the `::: en` marker (line 9).
    let problems = pack.problems();
    assert_exactly(
        &problems,
        &[(
            "general/long.md",
            Some(9),
            "(en) the page is too long to split",
        )],
    );
    assert!(
        problems[0].message.contains("5000 characters"),
        "{}",
        problems[0]
    );
}

// ---------------------------------------------------------------------------
// Media
// ---------------------------------------------------------------------------

fn media_page(kind: &str, file: &str) -> String {
    page_with_front(&format!(
        "order = 1\ntitle = {{ ru = \"а\", en = \"b\" }}\nmedia = {{ kind = \"{kind}\", file = \"{file}\" }}\n"
    ))
}

#[test]
fn media_file_missing() {
    let pack = Pack::valid();
    pack.write("general/m.md", &media_page("photo", "media/nope.jpg"));
    assert_exactly(
        &pack.problems(),
        &[(
            "general/m.md",
            None,
            "media file `media/nope.jpg` does not exist",
        )],
    );
}

#[test]
fn media_outside_the_pack_folder() {
    let pack = Pack::valid();
    // The temporary folder holds `pack/` and, next to it, `etc/passwd`.
    fs::create_dir_all(pack.tmp.path().join("etc")).unwrap();
    fs::write(pack.tmp.path().join("etc/passwd"), "root:x:0:0").unwrap();
    pack.write("general/m.md", &media_page("document", "../../etc/passwd"));
    assert_exactly(
        &pack.problems(),
        &[(
            "general/m.md",
            None,
            "media file `../../etc/passwd` is outside the content folder",
        )],
    );
}

#[test]
fn media_with_an_absolute_path_outside_the_pack() {
    let pack = Pack::valid();
    let outside = pack.tmp.path().join("outside.jpg");
    fs::write(&outside, b"\xff\xd8\xff").unwrap();
    pack.write(
        "general/m.md",
        &media_page("photo", outside.to_str().unwrap()),
    );
    assert_problem(
        &pack.problems(),
        "general/m.md",
        None,
        "is outside the content folder",
    );
}

#[cfg(unix)]
#[test]
fn media_symlink_pointing_outside_the_pack() {
    let pack = Pack::valid();
    let outside = pack.tmp.path().join("outside.jpg");
    fs::write(&outside, b"\xff\xd8\xff").unwrap();
    fs::create_dir_all(pack.dir().join("general/media")).unwrap();
    std::os::unix::fs::symlink(&outside, pack.dir().join("general/media/link.jpg")).unwrap();
    pack.write("general/m.md", &media_page("photo", "media/link.jpg"));
    assert_problem(
        &pack.problems(),
        "general/m.md",
        None,
        "media file `media/link.jpg` is outside the content folder",
    );
}

#[test]
fn photo_with_a_pdf_extension() {
    let pack = Pack::valid();
    pack.write_bytes("general/media/menu.pdf", b"%PDF-1.4");
    pack.write("general/m.md", &media_page("photo", "media/menu.pdf"));
    assert_exactly(
        &pack.problems(),
        &[(
            "general/m.md",
            None,
            "media `media/menu.pdf` is a photo, which must be one of: jpg, jpeg, png, webp",
        )],
    );
}

#[test]
fn empty_media_file() {
    let pack = Pack::valid();
    pack.write_bytes("general/media/blank.jpg", b"");
    pack.write("general/m.md", &media_page("photo", "media/blank.jpg"));
    assert_exactly(
        &pack.problems(),
        &[("general/m.md", None, "media `media/blank.jpg` is empty")],
    );
}

#[test]
fn media_up_to_telegrams_size_limits_is_taken_and_one_byte_more_is_not() {
    const MIB: usize = 1024 * 1024;
    let pack = Pack::valid();
    pack.write_bytes("general/media/big.jpg", &vec![0xff; 10 * MIB]);
    pack.write("general/m.md", &media_page("photo", "media/big.jpg"));
    pack.write_bytes("general/media/clip.mp4", &vec![0; 2 * MIB]);
    pack.write("general/v.md", &media_page("video", "media/clip.mp4"));
    pack.load();

    pack.write_bytes("general/media/big.jpg", &vec![0xff; 10 * MIB + 1]);
    pack.write_bytes("general/media/clip.mp4", &vec![0; 50 * MIB + 1]);
    assert_exactly(
        &pack.problems(),
        &[
            (
                "general/m.md",
                None,
                "media `media/big.jpg` is 10485761 bytes; Telegram accepts at most 10485760 for a photo",
            ),
            (
                "general/v.md",
                None,
                "media `media/clip.mp4` is 52428801 bytes; Telegram accepts at most 52428800 for a video",
            ),
        ],
    );
}

#[test]
fn unknown_media_kind_has_its_line() {
    let pack = Pack::valid();
    pack.write_bytes("general/media/a.jpg", b"\xff\xd8\xff");
    pack.write("general/m.md", &media_page("picture", "media/a.jpg"));
    assert_problem(&pack.problems(), "general/m.md", Some(4), "picture");
}

// ---------------------------------------------------------------------------
// Titles and names
// ---------------------------------------------------------------------------

#[test]
fn title_longer_than_64_characters() {
    let pack = Pack::valid();
    // 65 Cyrillic characters: counted in characters, not bytes.
    let long = "я".repeat(65);
    pack.write(
        "general/t.md",
        &page_with_front(&format!(
            "order = 1\ntitle = {{ ru = \"{long}\", en = \"ok\" }}\n"
        )),
    );
    assert_exactly(
        &pack.problems(),
        &[(
            "general/t.md",
            None,
            "title (ru) has 65 characters; a button fits 64",
        )],
    );
}

#[test]
fn title_of_exactly_64_characters_is_fine() {
    let pack = Pack::valid();
    let title = "я".repeat(64);
    pack.write(
        "general/t.md",
        &page_with_front(&format!(
            "order = 1\ntitle = {{ ru = \"{title}\", en = \"ok\" }}\n"
        )),
    );
    assert_eq!(pack.load().page_count(), 2);
}

#[test]
fn page_file_names_must_be_lowercase_slugs() {
    let pack = Pack::valid();
    pack.write("general/Fire Safety.md", &page(2, "Fire", "Огонь", "Fire"));
    pack.write(
        "general/Kitchen.md",
        &page(3, "Kitchen", "Кухня", "Kitchen"),
    );
    let problems = pack.problems();
    assert_exactly(
        &problems,
        &[
            (
                "general/Fire Safety.md",
                None,
                "page file names must be lowercase a-z, 0-9 and -",
            ),
            (
                "general/Kitchen.md",
                None,
                "page file names must be lowercase a-z, 0-9 and -",
            ),
        ],
    );
}

#[test]
fn page_at_the_top_of_the_pack() {
    let pack = Pack::valid();
    pack.write("readme.md", &page(1, "Readme", "а", "b"));
    assert_exactly(
        &pack.problems(),
        &[("readme.md", None, "a page must sit in a section folder")],
    );
}

// ---------------------------------------------------------------------------
// Folders and stray files
// ---------------------------------------------------------------------------

#[test]
fn nested_folder_with_pages_but_no_section_file() {
    let pack = Pack::valid();
    pack.write("general/orphans/lost.md", &page(1, "Lost", "а", "b"));
    assert_exactly(
        &pack.problems(),
        &[(
            "general/orphans",
            None,
            "this folder has pages but no _section.toml",
        )],
    );
}

#[test]
fn top_level_folder_with_pages_but_no_section_file() {
    let pack = Pack::valid();
    pack.write("kitchen/hygiene.md", &page(1, "Hygiene", "а", "b"));
    assert_exactly(
        &pack.problems(),
        &[(
            "kitchen",
            None,
            "this folder has pages but no _section.toml",
        )],
    );
}

#[test]
fn stray_toml_file_in_a_section() {
    let pack = Pack::valid();
    pack.write("general/_sectoin.toml", "order = 1\n");
    assert_exactly(
        &pack.problems(),
        &[("general/_sectoin.toml", None, "unknown TOML file")],
    );
}

#[test]
fn stray_toml_file_next_to_pack_toml() {
    let pack = Pack::valid();
    // A quiz put at the top instead of into a department's folder.
    pack.write("_quiz.toml", "id = \"lost\"\n");
    assert_exactly(
        &pack.problems(),
        &[("_quiz.toml", None, "unknown TOML file")],
    );
}

#[test]
fn hidden_files_are_ignored() {
    let pack = Pack::valid();
    pack.write("general/.draft.md", "not a page at all");
    pack.write(".git/config", "[core]\n");
    assert_eq!(pack.load().page_count(), 1);
}

// ---------------------------------------------------------------------------
// Quizzes
// ---------------------------------------------------------------------------

const QUIZ_HEAD: &str =
    "id = \"general\"\npass_percent = 80\ntitle = { ru = \"Проверка\", en = \"Check\" }\n";

fn question(id: &str, kind: &str, options: &[(&str, &str, bool)]) -> String {
    let opts: String = options
        .iter()
        .map(|(ru, en, correct)| {
            format!("  {{ ru = \"{ru}\", en = \"{en}\", correct = {correct} }},\n")
        })
        .collect();
    format!(
        "\n[[questions]]\nid = \"{id}\"\nkind = \"{kind}\"\ntext = {{ ru = \"Вопрос?\", en = \"Question?\" }}\noptions = [\n{opts}]\n"
    )
}

fn good_question(id: &str) -> String {
    question(id, "single", &[("Да", "Yes", true), ("Нет", "No", false)])
}

#[test]
fn a_valid_quiz_loads() {
    let pack = Pack::valid();
    pack.write(
        "general/_quiz.toml",
        &format!(
            "{QUIZ_HEAD}{}{}",
            good_question("q1"),
            question(
                "q2",
                "multiple",
                &[("А", "A", true), ("Б", "B", true), ("В", "C", false)]
            )
        ),
    );
    let loaded = pack.load();
    let quiz = &loaded.quizzes()[0];
    assert_eq!(loaded.quiz("general"), Some(quiz));
    assert_eq!(loaded.quiz("bar"), None);
    assert_eq!(quiz.id, "general");
    assert_eq!(quiz.section_path, "general");
    assert_eq!(quiz.pass_percent, 80);
    assert_eq!(quiz.questions.len(), 2);
    assert_eq!(
        quiz.questions[1]
            .options
            .iter()
            .filter(|o| o.correct)
            .count(),
        2
    );
}

#[test]
fn single_choice_with_two_correct_options() {
    let pack = Pack::valid();
    pack.write(
        "general/_quiz.toml",
        &format!(
            "{QUIZ_HEAD}{}",
            question("q1", "single", &[("А", "A", true), ("Б", "B", true)])
        ),
    );
    assert_exactly(
        &pack.problems(),
        &[(
            "general/_quiz.toml",
            None,
            "question `q1`: a single-choice question needs exactly one correct option, it has 2",
        )],
    );
}

#[test]
fn multiple_choice_with_no_correct_option() {
    let pack = Pack::valid();
    pack.write(
        "general/_quiz.toml",
        &format!(
            "{QUIZ_HEAD}{}",
            question("q1", "multiple", &[("А", "A", false), ("Б", "B", false)])
        ),
    );
    assert_exactly(
        &pack.problems(),
        &[(
            "general/_quiz.toml",
            None,
            "question `q1`: a multiple-choice question needs at least one correct option",
        )],
    );
}

#[test]
fn option_text_over_60_characters() {
    let pack = Pack::valid();
    let long = "x".repeat(61);
    pack.write(
        "general/_quiz.toml",
        &format!(
            "{QUIZ_HEAD}{}",
            question("q1", "single", &[("А", "A", true), ("Б", &long, false)])
        ),
    );
    assert_exactly(
        &pack.problems(),
        &[(
            "general/_quiz.toml",
            None,
            "question `q1`: option 2: `xxxxxxxx",
        )],
    );
    assert!(
        pack.problems()[0]
            .message
            .contains("has 61 characters; a button fits 60")
    );
}

#[test]
fn duplicate_question_ids() {
    let pack = Pack::valid();
    pack.write(
        "general/_quiz.toml",
        &format!("{QUIZ_HEAD}{}{}", good_question("q1"), good_question("q1")),
    );
    assert_exactly(
        &pack.problems(),
        &[(
            "general/_quiz.toml",
            None,
            "question `q1`: this id is used twice in the quiz",
        )],
    );
}

#[test]
fn option_missing_a_translation() {
    let pack = Pack::valid();
    let quiz = format!(
        "{QUIZ_HEAD}\n[[questions]]\nid = \"q1\"\nkind = \"single\"\ntext = {{ ru = \"В?\", en = \"Q?\" }}\noptions = [\n  {{ ru = \"Да\", en = \"Yes\", correct = true }},\n  {{ ru = \"Нет\" }},\n]\n"
    );
    pack.write("general/_quiz.toml", &quiz);
    assert_exactly(
        &pack.problems(),
        &[(
            "general/_quiz.toml",
            None,
            "question `q1`: option 2: missing translation (en)",
        )],
    );
}

#[test]
fn pass_percent_zero() {
    let pack = Pack::valid();
    pack.write(
        "general/_quiz.toml",
        &format!("{}{}", QUIZ_HEAD.replace("80", "0"), good_question("q1")),
    );
    assert_exactly(
        &pack.problems(),
        &[(
            "general/_quiz.toml",
            None,
            "pass_percent is 0; it must be 1-100",
        )],
    );
}

/// A question whose texts and options have the given lengths in characters, with
/// `options` options (the first one correct).
fn question_of_size(text: usize, explanation: usize, option: usize, options: usize) -> String {
    let opts: String = (0..options)
        .map(|i| {
            let label = format!("{i}{}", "о".repeat(option - 1));
            format!(
                "  {{ ru = \"{label}\", en = \"{label}\", correct = {} }},\n",
                i == 0
            )
        })
        .collect();
    let (t, e) = ("в".repeat(text), "п".repeat(explanation));
    format!(
        "\n[[questions]]\nid = \"q1\"\nkind = \"single\"\ntext = {{ ru = \"{t}\", en = \"{t}\" }}\nexplanation = {{ ru = \"{e}\", en = \"{e}\" }}\noptions = [\n{opts}]\n"
    )
}

/// The valid pack with a quiz of the given pass mark and one question of
/// [`question_of_size`].
fn pack_with_quiz_of_size(pass_percent: u32, sizes: [usize; 4]) -> Pack {
    let [text, explanation, option, options] = sizes;
    let pack = Pack::valid();
    pack.write(
        "general/_quiz.toml",
        &format!(
            "{}{}",
            QUIZ_HEAD.replace("80", &pass_percent.to_string()),
            question_of_size(text, explanation, option, options)
        ),
    );
    pack
}

#[test]
fn a_quiz_at_every_limit_loads() {
    let pack = pack_with_quiz_of_size(100, [300, 400, 60, 6]);
    let loaded = pack.load();
    let question = &loaded.quizzes()[0].questions[0];
    assert_eq!(loaded.quizzes()[0].pass_percent, 100);
    assert_eq!(question.text.get(Lang::En).chars().count(), 300);
    assert_eq!(question.options.len(), 6);
}

#[test]
fn a_quiz_one_past_each_limit_is_refused() {
    let pack = pack_with_quiz_of_size(101, [301, 401, 61, 7]);
    let problems = pack.problems();
    for fragment in [
        "pass_percent is 101; it must be 1-100",
        "question `q1`: text has 301 characters; at most 300",
        "question `q1`: explanation has 401 characters; at most 400",
        "question `q1`: has 7 options; give 2-6",
        "has 61 characters; a button fits 60",
    ] {
        assert!(
            problems.iter().any(|p| p.message.contains(fragment)),
            "no `{fragment}` in:\n{}",
            report(&problems)
        );
    }
}

#[test]
fn a_broken_quiz_is_left_out_and_not_also_counted_as_a_duplicate() {
    let pack = Pack::with_bar_section();
    // `bar` is read first: its quiz is broken, so general's is the only `general`.
    pack.write(
        "bar/_quiz.toml",
        &format!("{}{}", QUIZ_HEAD.replace("80", "0"), good_question("q1")),
    );
    pack.write(
        "general/_quiz.toml",
        &format!("{QUIZ_HEAD}{}", good_question("q1")),
    );
    assert_only_problem(
        &pack,
        "bar/_quiz.toml",
        "pass_percent is 0; it must be 1-100",
    );
}

#[test]
fn quiz_and_question_ids_must_be_slugs() {
    let pack = Pack::valid();
    pack.write(
        "general/_quiz.toml",
        &format!(
            "{}{}",
            QUIZ_HEAD.replace("id = \"general\"", "id = \"General Check\""),
            good_question("Q 1")
        ),
    );
    let problems = pack.problems();
    assert_problem(
        &problems,
        "general/_quiz.toml",
        None,
        "quiz id `General Check` must be 1-32 of a-z, 0-9 and -",
    );
    assert_problem(&problems, "general/_quiz.toml", None, "Q 1");
    assert_eq!(problems.len(), 2, "{}", report(&problems));
}

#[test]
fn quiz_image_missing() {
    let pack = Pack::valid();
    let q = good_question("q1").replace(
        "kind = \"single\"",
        "kind = \"single\"\nimage = \"media/q1.jpg\"",
    );
    pack.write("general/_quiz.toml", &format!("{QUIZ_HEAD}{q}"));
    assert_exactly(
        &pack.problems(),
        &[(
            "general/_quiz.toml",
            None,
            "question `q1`: image: media file `media/q1.jpg` does not exist",
        )],
    );
}

#[test]
fn quiz_image_present_is_stored_relative_to_the_pack() {
    let pack = Pack::valid();
    pack.write_bytes("general/media/q1.jpg", b"\xff\xd8\xff");
    let q = good_question("q1").replace(
        "kind = \"single\"",
        "kind = \"single\"\nimage = \"media/q1.jpg\"",
    );
    pack.write("general/_quiz.toml", &format!("{QUIZ_HEAD}{q}"));
    let loaded = pack.load();
    let image = loaded.quizzes()[0].questions[0]
        .image
        .as_ref()
        .expect("the image");
    let MediaSource::File { path, .. } = &image.source else {
        panic!("a quiz image is a file of the pack")
    };
    assert!(path.ends_with("general/media/q1.jpg"), "{path:?}");
    assert_eq!(image.kind, domain::content::MediaKind::Photo);
    assert!(image.cache_key().unwrap().starts_with("photo:"));
}

#[test]
fn duplicate_quiz_id_across_sections() {
    let pack = Pack::with_bar_section();
    pack.write(
        "bar/_quiz.toml",
        &format!("{QUIZ_HEAD}{}", good_question("q1")),
    );
    pack.write(
        "general/_quiz.toml",
        &format!("{QUIZ_HEAD}{}", good_question("q1")),
    );
    // `bar` is read first, so the second file, general's, is the one reported.
    assert_exactly(
        &pack.problems(),
        &[(
            "general/_quiz.toml",
            None,
            "quiz id `general` is used twice in the pack",
        )],
    );
}

#[test]
fn quiz_toml_error_has_its_line() {
    let pack = Pack::valid();
    pack.write(
        "general/_quiz.toml",
        &format!("{QUIZ_HEAD}passmark = 3\n{}", good_question("q1")),
    );
    assert_problem(&pack.problems(), "general/_quiz.toml", Some(4), "passmark");
}

#[test]
fn several_quiz_problems_are_all_reported() {
    let pack = Pack::valid();
    let quiz = format!(
        "{}{}{}",
        QUIZ_HEAD.replace("80", "0"),
        question("q1", "single", &[("А", "A", true), ("Б", "B", true)]),
        question("q1", "multiple", &[("А", "A", false), ("Б", "B", false)]),
    );
    pack.write("general/_quiz.toml", &quiz);
    let problems = pack.problems();
    assert_problem(&problems, "general/_quiz.toml", None, "pass_percent is 0");
    assert_problem(
        &problems,
        "general/_quiz.toml",
        None,
        "exactly one correct option, it has 2",
    );
    assert_problem(
        &problems,
        "general/_quiz.toml",
        None,
        "this id is used twice",
    );
    assert_problem(
        &problems,
        "general/_quiz.toml",
        None,
        "at least one correct option",
    );
    assert_eq!(problems.len(), 4, "{}", report(&problems));
}

// ---------------------------------------------------------------------------
// A valid pack: the tree the bot shows
// ---------------------------------------------------------------------------

/// general (order 20) with safety (sub-section) and two pages; bar (order 10).
fn tree_pack() -> Pack {
    let pack = Pack::valid();
    pack.write("general/_section.toml", &section(20, "Общее", "General"));
    pack.write("general/welcome.md", &page(2, "Welcome", "Привет", "Hello"));
    pack.write("general/rules.md", &page(1, "Rules", "Правила", "Rules"));
    pack.write(
        "general/safety/_section.toml",
        &section(3, "Безопасность", "Safety"),
    );
    pack.write("general/safety/fire.md", &page(1, "Fire", "Огонь", "Fire"));
    pack.write("bar/_section.toml", &section(10, "Бар", "Bar"));
    pack.write("bar/coffee.md", &page(1, "Coffee", "Кофе", "Coffee"));
    pack
}

#[test]
fn a_valid_pack_has_its_pages_in_menu_order() {
    let pack = tree_pack().load();
    assert_eq!(pack.page_count(), 4);
    // `bar` has the lower order, so it comes first although it sorts after nothing.
    let top: Vec<&str> = pack
        .top_level()
        .iter()
        .map(|id| pack.node(*id).unwrap().path.as_str())
        .collect();
    assert_eq!(top, ["bar", "general"]);
    let general = node_by_path(&pack, "general");
    let NodeKind::Section { children } = &general.kind else {
        panic!("general is not a section")
    };
    let children: Vec<&str> = children
        .iter()
        .map(|id| pack.node(*id).unwrap().path.as_str())
        .collect();
    assert_eq!(
        children,
        ["general/rules.md", "general/welcome.md", "general/safety"]
    );
}

#[test]
fn node_paths_ids_and_parents() {
    let pack = tree_pack().load();
    let fire = node_by_path(&pack, "general/safety/fire.md");
    assert_eq!(fire.id, NodeId::from_path("general/safety/fire.md"));
    let safety = pack.node(fire.parent.unwrap()).unwrap();
    assert_eq!(safety.path, "general/safety");
    let general = pack.node(safety.parent.unwrap()).unwrap();
    assert_eq!(general.path, "general");
    assert_eq!(general.parent, None);
    assert!(matches!(fire.kind, NodeKind::Page(_)));
}

#[test]
fn breadcrumb_from_the_department_down() {
    let pack = tree_pack().load();
    let fire = NodeId::from_path("general/safety/fire.md");
    assert_eq!(
        pack.breadcrumb(fire, Lang::En),
        ["General", "Safety", "Fire"]
    );
    assert_eq!(
        pack.breadcrumb(fire, Lang::Ru),
        ["Общее", "Безопасность", "Заголовок"]
    );
}

fn paragraphs(count: usize, len: usize) -> String {
    (0..count)
        .map(|i| {
            format!("P{i:03} {}", "word ".repeat(len / 5))
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[test]
fn a_long_page_is_split_into_parts_that_fit_a_message_with_its_heading() {
    let pack = Pack::valid();
    let long = paragraphs(30, 500); // about 15 000 characters
    pack.write("general/long.md", &page(2, "Long", "Коротко.", &long));
    let loaded = pack.load();
    let node = node_by_path(&loaded, "general/long.md");
    let NodeKind::Page(p) = &node.kind else {
        panic!("not a page")
    };
    let heading = breadcrumb_line(&loaded.breadcrumb(node.id, Lang::En))
        .chars()
        .count();
    assert!(p.parts.en.len() >= 4, "{} parts", p.parts.en.len());
    assert_eq!(p.parts.ru.len(), 1);
    for (i, part) in p.parts.en.iter().enumerate() {
        assert!(part.text_len() > 0, "part {i} is empty");
        assert!(
            part.text_len() + heading + 2 <= MESSAGE_LIMIT,
            "part {i} has {} characters, too many with a heading of {heading}",
            part.text_len()
        );
    }
    // Nothing is lost: first and last paragraphs are there, each in one piece.
    assert!(p.parts.en[0].as_str().starts_with("P000 word"));
    assert!(p.parts.en.last().unwrap().as_str().contains("P029 word"));
    let all: String = p
        .parts
        .en
        .iter()
        .map(|h| h.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    for i in 0..30 {
        assert_eq!(
            all.matches(&format!("P{i:03} ")).count(),
            1,
            "paragraph {i}"
        );
    }
}

#[test]
fn a_page_that_fits_alone_but_not_with_a_long_heading_is_split() {
    let pack = Pack::valid();
    // Long titles make a heading of about 130 characters.
    let t = "T".repeat(64);
    pack.write("general/_section.toml", &section(10, "Общее", &t));
    pack.write(
        "general/near.md",
        &page_with_front(&format!(
            "order = 2\ntitle = {{ ru = \"а\", en = \"{t}\" }}\n"
        ))
        .replace("Hello!", &paragraphs(8, 500)),
    );
    let loaded = pack.load();
    let node = node_by_path(&loaded, "general/near.md");
    let NodeKind::Page(p) = &node.kind else {
        panic!("not a page")
    };
    let total: usize = p.parts.en.iter().map(|h| h.text_len()).sum();
    assert!(
        total < MESSAGE_LIMIT,
        "the body alone ({total}) should fit one message"
    );
    let heading = breadcrumb_line(&loaded.breadcrumb(node.id, Lang::En))
        .chars()
        .count();
    assert!(
        total + heading + 2 > MESSAGE_LIMIT,
        "the test needs the heading to push it over"
    );
    assert!(
        p.parts.en.len() >= 2,
        "not split: {} part(s)",
        p.parts.en.len()
    );
    for part in &p.parts.en {
        assert!(
            part.text_len() + heading + 2 <= MESSAGE_LIMIT,
            "{}",
            part.text_len()
        );
    }
}

#[test]
fn media_cache_key_follows_the_file_content() {
    let pack = Pack::valid();
    pack.write_bytes("general/media/a.jpg", b"\xff\xd8\xffone");
    pack.write("general/m.md", &media_page("photo", "media/a.jpg"));
    let key = |p: &ContentPack| {
        let NodeKind::Page(page) = &node_by_path(p, "general/m.md").kind else {
            panic!("not a page")
        };
        let Some(MediaSource::File {
            file_name,
            path,
            cache_key,
        }) = page.media.as_ref().map(|m| &m.source)
        else {
            panic!("a page's media is a file of the pack")
        };
        assert_eq!(file_name, "a.jpg");
        assert!(path.is_absolute(), "{}", path.display());
        cache_key.clone()
    };
    let first = key(&pack.load());
    assert!(first.starts_with("photo:"), "{first}");
    assert_eq!(
        first,
        key(&pack.load()),
        "the key changes between two loads of the same file"
    );
    pack.write_bytes("general/media/a.jpg", b"\xff\xd8\xfftwo");
    assert_ne!(first, key(&pack.load()), "an edited file keeps its old key");
}

#[test]
fn the_same_bytes_as_another_kind_get_another_key() {
    let pack = Pack::valid();
    pack.write_bytes("general/media/a.jpg", b"\xff\xd8\xff");
    pack.write("general/p.md", &media_page("photo", "media/a.jpg"));
    pack.write("general/d.md", &media_page("document", "media/a.jpg"));
    let loaded = pack.load();
    let key = |path: &str| match &node_by_path(&loaded, path).kind {
        NodeKind::Page(p) => p.media.as_ref().unwrap().cache_key().unwrap().to_owned(),
        NodeKind::Section { .. } => panic!("not a page"),
    };
    assert_ne!(key("general/p.md"), key("general/d.md"));
}

// ---------------------------------------------------------------------------
// The real sample pack
// ---------------------------------------------------------------------------

#[test]
fn the_sample_pack_loads() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content");
    let pack = match ContentPack::load(&dir) {
        Ok(p) => p,
        Err(problems) => panic!("the sample pack is broken:\n{}", report(&problems)),
    };
    assert!(pack.page_count() >= 70, "{} pages", pack.page_count());
    assert_eq!(pack.quizzes().len(), 5);
    assert_eq!(pack.departments().len(), 5);
    assert_eq!(pack.parks().len(), 3);
    assert_eq!(pack.default_language(), Lang::Ru);
    // Every department's section is a top-level section.
    for d in pack.departments() {
        assert!(pack.top_level().contains(&d.section), "department {}", d.id);
    }
    // Every page part fits a message with its heading, in both languages.
    for node in pack.nodes() {
        let NodeKind::Page(p) = &node.kind else {
            continue;
        };
        for lang in Lang::ALL {
            let heading = breadcrumb_line(&pack.breadcrumb(node.id, lang))
                .chars()
                .count();
            for part in p.parts.get(lang) {
                assert!(
                    part.text_len() + heading + 2 <= MESSAGE_LIMIT,
                    "{} ({lang})",
                    node.path
                );
            }
        }
    }
}

#[test]
fn the_bots_texts_come_from_the_pack_in_both_languages() {
    let pack = Pack::valid();
    assert_eq!(
        pack.load().bot(),
        None,
        "a pack without [bot] leaves them alone"
    );
    let bot = "\n[bot]\ndescription = { ru = \"Обучение\", en = \"Training\" }\nshort_description = { ru = \"Кратко\", en = \"Short\" }\n";
    pack.write("pack.toml", &format!("{PACK_TOML}{bot}"));
    let loaded = pack.load();
    let profile = loaded.bot().unwrap();
    assert_eq!(profile.description.en, "Training");
    assert_eq!(profile.short_description.ru, "Кратко");
}

#[test]
fn the_bots_texts_are_checked_against_telegrams_limits() {
    let pack = Pack::valid();
    let long = "я".repeat(121);
    let fits = "я".repeat(120);
    let bot = format!(
        "\n[bot]\ndescription = {{ ru = \"{}\", en = \"Training\" }}\nshort_description = {{ ru = \"{fits}\", en = \"{long}\" }}\n",
        "д".repeat(513)
    );
    pack.write("pack.toml", &format!("{PACK_TOML}{bot}"));
    assert_exactly(
        &pack.problems(),
        &[
            (
                "pack.toml",
                None,
                "bot description (ru) has 513 characters; Telegram allows at most 512",
            ),
            (
                "pack.toml",
                None,
                "bot short_description (en) has 121 characters; Telegram allows at most 120",
            ),
        ],
    );
    let missing = "\n[bot]\ndescription = { ru = \"Обучение\" }\nshort_description = { ru = \"К\", en = \"S\" }\n";
    pack.write("pack.toml", &format!("{PACK_TOML}{missing}"));
    assert_only_problem(
        &pack,
        "pack.toml",
        "bot description: missing translation (en)",
    );
}
