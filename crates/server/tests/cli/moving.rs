//! `trainbot db copy` and `trainbot import legacy` as an operator meets them:
//! progress on stderr, the verification or import report on stdout, and a
//! message that says what to fix when something is wrong.

use std::path::Path;

use super::legacy_fixture;
use super::{FIX_SETUP, Output, TOKEN, assert_no_panic, sample_pack, tmp, trainbot};

/// A migrated SQLite database at `path` with one person in it.
fn database_with_a_person(dir: &Path, name: &str) -> String {
    let url = format!("sqlite://{}", dir.join(name).display());
    let out = trainbot(
        dir,
        &["migrate"],
        &[("BOT_TOKEN", TOKEN), ("DATABASE_URL", url.as_str())],
    );
    assert_eq!(out.code, Some(0), "{out}");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        sqlx::query(
            "INSERT INTO users (id, first_name, language, first_seen, last_seen) \
             VALUES (7123456789, 'Анна', 'ru', 1764323999123457, 1764323999123457)",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    });
    url
}

/// Exit code 2 and one `trainbot: …` line on stderr, returned.
fn one_error(out: &Output) -> String {
    assert_eq!(out.code, Some(FIX_SETUP), "{out}");
    assert_no_panic(out);
    let ours: Vec<&str> = out
        .stderr_lines()
        .into_iter()
        .filter(|l| l.starts_with("trainbot: "))
        .collect();
    assert_eq!(ours.len(), 1, "expected one `trainbot:` line:\n{out}");
    ours[0].to_owned()
}

#[test]
fn db_copy_copies_verifies_and_refuses_a_non_empty_target_unless_forced() {
    let dir = tmp();
    let from = database_with_a_person(dir.path(), "a.db");
    let to = format!("sqlite://{}", dir.path().join("b.db").display());

    let out = trainbot(
        dir.path(),
        &["db", "copy", "--from", &from, "--to", &to],
        &[],
    );
    assert_eq!(out.code, Some(0), "{out}");
    assert_no_panic(&out);
    assert!(out.stderr.contains("users: 1 / 1 rows"), "progress: {out}");
    assert!(
        out.stdout.starts_with("verified: 21 tables, 1 rows"),
        "{out}"
    );
    assert!(
        out.stdout
            .lines()
            .any(|l| l.trim_start().starts_with("users ")
                && l.contains("1 rows")
                && l.contains("sha256 ")),
        "{out}"
    );

    let again = trainbot(
        dir.path(),
        &["db", "copy", "--from", &from, "--to", &to],
        &[],
    );
    let line = one_error(&again);
    assert!(
        line.contains("the target database is not empty (users: 1 rows)")
            && line.contains("--force"),
        "{line}"
    );

    let forced = trainbot(
        dir.path(),
        &["db", "copy", "--from", &from, "--to", &to, "--force"],
        &[],
    );
    assert_eq!(forced.code, Some(0), "{forced}");
    assert_eq!(forced.stdout, out.stdout, "the same verification");
}

#[test]
fn db_copy_names_the_side_that_fails_and_hides_passwords() {
    let dir = tmp();
    let from = database_with_a_person(dir.path(), "a.db");
    let out = trainbot(
        dir.path(),
        &[
            "db",
            "copy",
            "--from",
            &from,
            "--to",
            "postgres://postgres:secretpw@127.0.0.1:1/x",
        ],
        &[],
    );
    let line = one_error(&out);
    assert!(
        line.starts_with("trainbot: --to (the target): cannot reach PostgreSQL at 127.0.0.1:1"),
        "{line}"
    );
    assert!(line.contains("check the URL"), "{line}");
    assert!(
        !out.stderr.contains("secretpw") && !out.stdout.contains("secretpw"),
        "{out}"
    );

    let same = trainbot(
        dir.path(),
        &["db", "copy", "--from", &from, "--to", &from],
        &[],
    );
    assert!(one_error(&same).contains("the same database"), "{same}");

    let bad = trainbot(
        dir.path(),
        &["db", "copy", "--from", "mysql://h/db", "--to", &from],
        &[],
    );
    let line = one_error(&bad);
    assert!(
        line.starts_with("trainbot: --from (the source): "),
        "{line}"
    );
    assert!(line.contains("mysql"), "{line}");
}

#[test]
fn import_legacy_reports_what_it_did_and_a_second_run_changes_nothing() {
    let dir = tmp();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(legacy_fixture::sqlite_file(&dir.path().join("bot.db")));
    let pack = sample_pack();
    let env = [
        ("BOT_TOKEN", TOKEN),
        ("DATABASE_URL", "sqlite://trainbot.db"),
        ("CONTENT_DIR", pack.to_str().unwrap()),
    ];
    let args = ["import", "legacy", "--from", "sqlite+aiosqlite:///./bot.db"];
    let first = trainbot(dir.path(), &args, &env);
    assert_eq!(first.code, Some(0), "{first}");
    assert_no_panic(&first);
    for line in [
        "people: 5 read",
        "  created:                        4",
        "  skipped:                        1",
        "Telegram id is not a positive number",
        "park \"Moon Park\" (matches no park of the content pack)",
        "activity: 10 read",
        "  imported:                       3",
        "navigation (main menu, back)",
    ] {
        assert!(first.stdout.contains(line), "missing {line:?}:\n{first}");
    }
    assert!(!first.stdout.contains(legacy_fixture::PHONE));
    // No personal data the old bot should not have kept lands anywhere in the
    // new database's files.
    let mut stored = Vec::new();
    for file in ["trainbot.db", "trainbot.db-wal"] {
        if let Ok(bytes) = std::fs::read(dir.path().join(file)) {
            stored.extend(bytes);
        }
    }
    let stored = String::from_utf8_lossy(&stored);
    assert!(stored.contains("Петров"), "the names are there");
    for secret in [
        legacy_fixture::PHONE,
        legacy_fixture::TYPED,
        "ivan@example.com",
        "maria@example.com",
    ] {
        assert!(!stored.contains(secret), "{secret} was stored");
    }

    let second = trainbot(dir.path(), &args, &env);
    assert_eq!(second.code, Some(0), "{second}");
    assert!(
        second
            .stdout
            .contains("  created:                        0"),
        "{second}"
    );
    assert!(
        second
            .stdout
            .contains("  imported:                       0"),
        "{second}"
    );
    assert!(
        second
            .stdout
            .contains("  imported by an earlier run:     3"),
        "{second}"
    );
}

#[test]
fn import_legacy_says_what_is_wrong_with_the_source() {
    let dir = tmp();
    let pack = sample_pack();
    let env = [
        ("BOT_TOKEN", TOKEN),
        ("DATABASE_URL", "sqlite://trainbot.db"),
        ("CONTENT_DIR", pack.to_str().unwrap()),
    ];
    let missing = trainbot(
        dir.path(),
        &["import", "legacy", "--from", "sqlite:///./nope.db"],
        &env,
    );
    let line = one_error(&missing);
    assert!(
        line.contains("the legacy database file ./nope.db does not exist"),
        "{line}"
    );

    // trainbot's own database is not the old bot's.
    let own = database_with_a_person(dir.path(), "own.db");
    let own_path = own.trim_start_matches("sqlite://");
    let wrong = trainbot(dir.path(), &["import", "legacy", "--from", own_path], &env);
    let line = one_error(&wrong);
    assert!(
        line.contains("does not look like the old bot's database: table `users` lacks the column(s) telegram_id"),
        "{line}"
    );

    let scheme = trainbot(
        dir.path(),
        &["import", "legacy", "--from", "mysql://u:secretpw@h/bot"],
        &env,
    );
    let line = one_error(&scheme);
    assert!(line.contains("is not a legacy database location"), "{line}");
    assert!(!scheme.stderr.contains("secretpw"), "{scheme}");
}
