#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The README's configuration table is the operator's reference: it must name
//! exactly the settings the configuration code reads, say which secrets also come
//! from `<NAME>_FILE`, and every key of the settings file must be one of its
//! variables in lower case (as the README promises).
//!
//! The code side is read from `src/config.rs` itself: every setting goes through
//! `Sources::value("NAME", …, secret)` (or `env.get("NAME")` for the one list), and
//! the file's keys are the fields of `FileSettings`.

use std::collections::BTreeSet;
use std::path::PathBuf;

fn read(relative: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The first column of the table under `## Configuration`.
fn readme_variables(readme: &str) -> BTreeSet<String> {
    let section = readme
        .split("\n## Configuration\n")
        .nth(1)
        .expect("README has a ## Configuration section");
    let section = section.split("\n## ").next().unwrap_or(section);
    section
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split_once('`'))
        .map(|(name, _)| name.to_owned())
        .collect()
}

/// A setting read by the configuration code, and whether it is a secret.
#[derive(Debug)]
struct Read {
    name: String,
    secret: bool,
}

/// The text of the call's arguments after `open`, up to its closing parenthesis.
fn arguments(source: &str, open: usize) -> &str {
    let mut depth = 0usize;
    for (i, c) in source[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return &source[open..open + i],
            ')' => depth -= 1,
            _ => {}
        }
    }
    panic!("unbalanced call in config.rs at byte {open}");
}

fn quoted_name(args: &str) -> Option<String> {
    let rest = args.trim_start().strip_prefix('"')?;
    let (name, _) = rest.split_once('"')?;
    let upper = name
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    upper.then(|| name.to_owned())
}

fn settings_read(config: &str) -> Vec<Read> {
    let mut reads = Vec::new();
    for pattern in [".value(", "env.get("] {
        for (at, _) in config.match_indices(pattern) {
            let args = arguments(config, at + pattern.len());
            let Some(name) = quoted_name(args) else {
                continue; // `self.env.get(&file_var)` inside `value` itself
            };
            let secret =
                pattern == ".value(" && args.trim_end().trim_end_matches(',').ends_with("true");
            reads.push(Read { name, secret });
        }
    }
    reads
}

/// The fields of `struct FileSettings`: the settings file's keys.
fn file_keys(config: &str) -> BTreeSet<String> {
    let body = config
        .split("struct FileSettings {")
        .nth(1)
        .and_then(|rest| rest.split_once("\n}"))
        .map(|(body, _)| body)
        .expect("config.rs defines struct FileSettings");
    body.lines()
        .filter_map(|line| line.trim().split_once(':'))
        .map(|(field, _)| field.trim().to_owned())
        .filter(|field| !field.is_empty() && !field.starts_with("//"))
        .collect()
}

/// `key = …` lines of the example settings file (commented-out ones included).
fn example_keys(example: &str) -> BTreeSet<String> {
    example
        .lines()
        .map(|line| line.trim_start_matches('#').trim())
        .filter_map(|line| line.split_once(" = "))
        .map(|(key, _)| key.to_owned())
        .filter(|key| key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        .collect()
}

/// Read by the tracing subscriber, not by `config.rs`; environment only.
const LOG_FILTER: &str = "RUST_LOG";

#[test]
fn readme_table_names_exactly_the_settings_the_code_reads() {
    let readme = readme_variables(&read("../../README.md"));
    let reads = settings_read(&read("src/config.rs"));
    assert!(
        reads.len() > 20,
        "the scan of config.rs found too little: {reads:?}"
    );

    let mut code: BTreeSet<String> = reads.iter().map(|r| r.name.clone()).collect();
    assert!(
        read("src/telemetry.rs").contains("EnvFilter::try_from_default_env"),
        "telemetry.rs no longer reads {LOG_FILTER}: update this test and the README"
    );
    code.insert(LOG_FILTER.to_owned());

    let undocumented: Vec<_> = code.difference(&readme).collect();
    let unread: Vec<_> = readme.difference(&code).collect();
    assert!(
        undocumented.is_empty() && unread.is_empty(),
        "README's configuration table and src/config.rs disagree:\n  read but not in the table: {undocumented:?}\n  in the table but never read: {unread:?}"
    );
}

#[test]
fn readme_says_which_secrets_may_come_from_a_file() {
    let readme = read("../../README.md");
    let secrets: Vec<_> = settings_read(&read("src/config.rs"))
        .into_iter()
        .filter(|r| r.secret)
        .map(|r| r.name)
        .collect();
    assert!(secrets.contains(&"BOT_TOKEN".to_owned()), "{secrets:?}");
    for name in secrets {
        assert!(
            readme.contains(&format!("`{name}_FILE`")),
            "{name} may be read from {name}_FILE, but the README does not say so"
        );
    }
}

#[test]
fn settings_file_keys_are_the_table_variables_in_lower_case() {
    let readme = readme_variables(&read("../../README.md"));
    let expected: BTreeSet<String> = readme
        .iter()
        .filter(|name| name.as_str() != LOG_FILTER)
        .map(|name| name.to_lowercase())
        .collect();
    let keys = file_keys(&read("src/config.rs"));
    assert_eq!(
        keys, expected,
        "FileSettings' keys must be the README's variables in lower case (all but {LOG_FILTER})"
    );

    let example = example_keys(&read("../../config/trainbot.example.toml"));
    let unknown: Vec<_> = example.difference(&keys).collect();
    assert!(
        unknown.is_empty(),
        "config/trainbot.example.toml has keys the settings file refuses: {unknown:?}"
    );
}
