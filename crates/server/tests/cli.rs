#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The `trainbot` binary as an operator meets it: exit codes and what lands on
//! stdout and stderr. Every run gets a cleared environment (only `PATH`) and a
//! fresh temporary working directory, so no `trainbot.toml`, `trainbot.db` or
//! `BOT_TOKEN` of the machine running the tests leaks in.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

const TOKEN: &str = "123:abcdefghij";
/// Upper bound for one run; reaching it means the binary hangs.
const GUARD: Duration = Duration::from_secs(60);
/// Exit code for anything the operator must fix.
const FIX_SETUP: i32 = 2;

struct Output {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Output {
    fn stderr_lines(&self) -> Vec<&str> {
        self.stderr.lines().collect()
    }
}

impl std::fmt::Display for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit code {:?}\n--- stdout ---\n{}--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `trainbot ARGS` in `cwd` with only `PATH` and `env` set; kills it and
/// fails the test if it is still running after [`GUARD`].
fn trainbot(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    trainbot_with_input(cwd, args, env, None)
}

/// [`trainbot`], writing `stdin` (if any) to the child's standard input.
fn trainbot_with_input(
    cwd: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    stdin: Option<&str>,
) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trainbot"));
    cmd.args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        // Under coverage (scripts/coverage.sh), the child's counts join the tests'.
        .envs(std::env::var_os("LLVM_PROFILE_FILE").map(|f| ("LLVM_PROFILE_FILE", f)))
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let writer = stdin.zip(child.stdin.take()).map(|(text, mut input)| {
        let text = text.to_owned();
        // The child may exit without reading: ignore a broken pipe.
        std::thread::spawn(move || {
            let _ = input.write_all(text.as_bytes());
        })
    });
    // Read both pipes on threads so a chatty child cannot block on a full pipe.
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out_pipe.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err_pipe.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > GUARD {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = err.join().unwrap();
            panic!(
                "`trainbot {}` still running after {GUARD:?}: it hangs\n--- stderr ---\n{stderr}",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    if let Some(writer) = writer {
        writer.join().unwrap();
    }
    Output {
        code: status.code(),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

fn tmp() -> TempDir {
    tempfile::tempdir().unwrap()
}

/// No Rust panic or backtrace hint anywhere in the output.
fn assert_no_panic(out: &Output) {
    for bad in ["panicked", "RUST_BACKTRACE", "stack backtrace"] {
        assert!(!out.stderr.contains(bad), "found {bad:?}:\n{out}");
        assert!(!out.stdout.contains(bad), "found {bad:?}:\n{out}");
    }
}

/// Exit code 2, and stderr is exactly one line `trainbot: SETTING: …`.
fn assert_setting_error(out: &Output, setting: &str) -> String {
    assert_eq!(out.code, Some(FIX_SETUP), "{out}");
    assert_no_panic(out);
    let lines = out.stderr_lines();
    assert_eq!(lines.len(), 1, "expected one line on stderr:\n{out}");
    let prefix = format!("trainbot: {setting}: ");
    assert!(
        lines[0].starts_with(&prefix),
        "expected `{prefix}…`:\n{out}"
    );
    assert!(
        lines[0].len() > prefix.len() + 10,
        "the line does not say what is wrong:\n{out}"
    );
    lines[0].to_owned()
}

/// Exit code 2 and exactly one `trainbot: SETTING: …` line on stderr; other lines
/// may be log records written before the failure.
fn assert_fails_naming(out: &Output, setting: &str) -> String {
    assert_eq!(out.code, Some(FIX_SETUP), "{out}");
    assert_no_panic(out);
    let ours: Vec<&str> = out
        .stderr_lines()
        .into_iter()
        .filter(|l| l.starts_with("trainbot: "))
        .collect();
    assert_eq!(ours.len(), 1, "expected one `trainbot:` line:\n{out}");
    let prefix = format!("trainbot: {setting}: ");
    assert!(ours[0].starts_with(&prefix), "expected `{prefix}…`:\n{out}");
    ours[0].to_owned()
}

fn repo_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(rel)
        .canonicalize()
        .unwrap()
}

/// The real sample pack.
fn sample_pack() -> PathBuf {
    repo_path("../../content")
}

/// A small broken pack shared with the domain crate's tests.
fn broken_pack() -> PathBuf {
    repo_path("../domain/tests/packs/broken")
}

/// The report lines expected for [`broken_pack`], in order.
const BROKEN_REPORT: &[&str] = &[
    "  general/_quiz.toml: question `q1`: a single-choice question needs exactly one correct option, it has 2",
    "  general/_section.toml: title: missing translation (en)",
    "  general/rules.md: missing translation: no `::: en` body",
    "  general/rules.md:9: (ru) raw HTML (<b>) is not allowed",
    "  pack.toml: department `bar`: section `bar` is not a top-level section folder",
    "  pack.toml: park `main`: timezone `Moscow` is not an IANA name like Europe/Moscow",
];

/// Asserts stderr holds the content report of [`broken_pack`]: a heading line
/// naming CONTENT_DIR and the problem count, then every problem, in order.
fn assert_broken_report(out: &Output) {
    let lines = out.stderr_lines();
    let head = lines
        .iter()
        .position(|l| l.starts_with("trainbot: ") && l.contains("the content pack in "))
        .unwrap_or_else(|| panic!("no `trainbot: the content pack in` line:\n{out}"));
    assert!(
        lines[head].contains("packs/broken"),
        "the heading does not name the folder:\n{out}"
    );
    assert!(lines[head].ends_with("has 6 problem(s):"), "{out}");
    let report = &lines[head + 1..];
    assert_eq!(report.len(), BROKEN_REPORT.len(), "{out}");
    for (got, want) in report.iter().zip(BROKEN_REPORT) {
        assert!(
            got.starts_with(want),
            "expected `{want}…`, got `{got}`\n{out}"
        );
    }
}

/// A local port that accepts connections, to prove nobody connected to it.
struct Tripwire {
    listener: TcpListener,
}

impl Tripwire {
    fn new() -> Tripwire {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        Tripwire { listener }
    }

    fn url(&self) -> String {
        format!("http://{}", self.listener.local_addr().unwrap())
    }

    fn assert_untouched(&self) {
        match self.listener.accept() {
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Ok((_, peer)) => panic!(
                "trainbot connected to the Telegram API ({peer}) though it should have stopped first"
            ),
            Err(e) => panic!("accept: {e}"),
        }
    }
}

// ---------------------------------------------------------------------------
// Help
// ---------------------------------------------------------------------------

#[test]
fn help_lists_the_subcommands() {
    let dir = tmp();
    let out = trainbot(dir.path(), &["--help"], &[]);
    assert_eq!(out.code, Some(0), "{out}");
    assert_no_panic(&out);
    for sub in [
        "run", "migrate", "config", "content", "db", "import", "webhook",
    ] {
        assert!(
            out.stdout
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{sub} "))),
            "`{sub}` missing from --help:\n{out}"
        );
    }
}

#[test]
fn subcommand_help() {
    let dir = tmp();
    let cases: &[(&[&str], &str)] = &[
        (&["content", "check", "--help"], "[DIR]"),
        (&["content", "--help"], "check"),
        (&["config", "--help"], "check"),
        (
            &["config", "check", "--help"],
            "Usage: trainbot config check",
        ),
        (&["run", "--help"], "Usage: trainbot run"),
        (&["migrate", "--help"], "Usage: trainbot migrate"),
        (&["help", "content"], "check"),
    ];
    for (args, expected) in cases {
        let out = trainbot(dir.path(), args, &[]);
        assert_eq!(out.code, Some(0), "{args:?}: {out}");
        assert!(
            out.stdout.contains(expected),
            "{args:?}: no {expected:?}\n{out}"
        );
        assert_no_panic(&out);
    }
}

#[test]
fn version_is_printed() {
    let dir = tmp();
    let out = trainbot(dir.path(), &["--version"], &[]);
    assert_eq!(out.code, Some(0), "{out}");
    assert!(out.stdout.starts_with("trainbot "), "{out}");
    assert!(out.stdout.contains("(commit "), "names its commit: {out}");
}

#[test]
fn an_unknown_subcommand_is_a_usage_error() {
    let dir = tmp();
    let out = trainbot(dir.path(), &["frobnicate"], &[("BOT_TOKEN", TOKEN)]);
    assert_eq!(out.code, Some(FIX_SETUP), "{out}");
    assert!(out.stderr.contains("frobnicate"), "{out}");
    assert_no_panic(&out);
}

// ---------------------------------------------------------------------------
// config check
// ---------------------------------------------------------------------------

#[test]
fn config_check_without_a_token_names_bot_token() {
    let dir = tmp();
    let out = trainbot(dir.path(), &["config", "check"], &[]);
    let line = assert_setting_error(&out, "BOT_TOKEN");
    assert!(
        line.contains("BOT_TOKEN_FILE"),
        "it should say the token may come from a file: {line}"
    );
}

#[test]
fn config_check_with_a_token_is_valid() {
    let dir = tmp();
    let out = trainbot(dir.path(), &["config", "check"], &[("BOT_TOKEN", TOKEN)]);
    assert_eq!(out.code, Some(0), "{out}");
    // Valid, with one warning: no admin in invite mode (see below).
    let lines = out.stderr_lines();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(lines[0].starts_with(LOCKOUT_WARNING), "{out}");
    assert!(out.stdout.starts_with("configuration is valid"), "{out}");
    assert!(out.stdout.contains("sqlite://trainbot.db"), "{out}");
    assert!(out.stdout.contains("in-memory"), "{out}");
    assert!(
        !out.stdout.contains("abcdefghij"),
        "the token is printed:\n{out}"
    );
    // Checking does not create the database.
    assert!(!dir.path().join("trainbot.db").exists());
}

/// The start of the warning that nobody can let anyone in.
const LOCKOUT_WARNING: &str =
    "trainbot: warning: ACCESS_MODE is invite (the default) and ADMIN_IDS is empty";

/// An Argon2id hash (m=19456, t=2, p=1) of "correct horse battery", as
/// `trainbot admin hash-password` prints it.
const ADMIN_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$d6xDfVNIL7/r1Q1nCL0RBw$X237rT42MyKNtvUi75msSuDX2WbN/0OlzEyatoPHr4k";

/// Environment variables for one run.
type Env<'a> = &'a [(&'a str, &'a str)];

#[test]
fn config_check_warns_that_invite_mode_without_an_admin_locks_everyone_out() {
    let dir = tmp();
    let settings = dir.path().join("settings.toml");
    std::fs::write(&settings, "access_mode = \"invite\"\nadmin_ids = []\n").unwrap();
    let settings = settings.to_str().unwrap();
    let runs: [(&[&str], Env); 3] = [
        (&["config", "check"], &[("BOT_TOKEN", TOKEN)]),
        (
            &["config", "check"],
            &[
                ("BOT_TOKEN", TOKEN),
                ("ACCESS_MODE", "invite"),
                ("ADMIN_IDS", ""),
            ],
        ),
        (
            &["--config", settings, "config", "check"],
            &[("BOT_TOKEN", TOKEN)],
        ),
    ];
    for (args, env) in runs {
        let out = trainbot(dir.path(), args, env);
        assert_eq!(out.code, Some(0), "a warning, not an error: {out}");
        assert!(out.stdout.starts_with("configuration is valid"), "{out}");
        let lines = out.stderr_lines();
        assert_eq!(lines.len(), 1, "{out}");
        assert!(lines[0].starts_with(LOCKOUT_WARNING), "{out}");
        for says in ["set ADMIN_IDS", "@userinfobot", "ACCESS_MODE=open"] {
            assert!(lines[0].contains(says), "the warning lacks {says:?}: {out}");
        }
    }
}

#[test]
fn config_check_does_not_warn_about_access_with_an_admin_or_in_open_mode() {
    let dir = tmp();
    let quiet: [&[(&str, &str)]; 2] = [
        &[
            ("BOT_TOKEN", TOKEN),
            ("ADMIN_IDS", "42"),
            ("ADMIN_PASSWORD_HASH", ADMIN_HASH),
        ],
        &[("BOT_TOKEN", TOKEN), ("ACCESS_MODE", "open")],
    ];
    for env in quiet {
        let out = trainbot(dir.path(), &["config", "check"], env);
        assert_eq!(out.code, Some(0), "{out}");
        assert_eq!(out.stderr, "", "{out}");
    }
    // An admin without a password is let in but cannot open the panel: that
    // warning, and not the lockout one.
    let out = trainbot(
        dir.path(),
        &["config", "check"],
        &[("BOT_TOKEN", TOKEN), ("ADMIN_IDS", "42")],
    );
    assert_eq!(out.code, Some(0), "{out}");
    assert!(!out.stderr.contains("ACCESS_MODE"), "{out}");
    assert!(out.stderr.contains("ADMIN_PASSWORD_HASH"), "{out}");
}

#[test]
fn config_check_hides_the_database_password() {
    let dir = tmp();
    let out = trainbot(
        dir.path(),
        &["config", "check"],
        &[
            ("BOT_TOKEN", TOKEN),
            (
                "DATABASE_URL",
                "postgres://bot:secretpw@db.internal/trainbot",
            ),
        ],
    );
    assert_eq!(out.code, Some(0), "{out}");
    assert!(
        out.stdout
            .contains("postgres://bot:***@db.internal/trainbot"),
        "{out}"
    );
    assert!(
        !out.stdout.contains("secretpw") && !out.stderr.contains("secretpw"),
        "{out}"
    );
}

#[test]
fn config_check_rejects_mysql() {
    let dir = tmp();
    let out = trainbot(
        dir.path(),
        &["config", "check"],
        &[
            ("BOT_TOKEN", TOKEN),
            ("DATABASE_URL", "mysql://root:hunter2@localhost/bot"),
        ],
    );
    let line = assert_setting_error(&out, "DATABASE_URL");
    assert!(line.contains("`mysql`"), "{line}");
    assert!(!line.contains("hunter2"), "the password is echoed: {line}");
}

#[test]
fn config_check_with_a_missing_token_file_names_bot_token_file() {
    let dir = tmp();
    let missing = dir.path().join("secrets/token");
    let out = trainbot(
        dir.path(),
        &["config", "check"],
        &[("BOT_TOKEN_FILE", missing.to_str().unwrap())],
    );
    let line = assert_setting_error(&out, "BOT_TOKEN_FILE");
    assert!(
        line.contains("secrets/token"),
        "the line should name the file: {line}"
    );
}

#[test]
fn config_check_reads_the_token_from_a_file() {
    let dir = tmp();
    let file = dir.path().join("token");
    std::fs::write(&file, format!("{TOKEN}\n")).unwrap();
    let out = trainbot(
        dir.path(),
        &["config", "check"],
        &[("BOT_TOKEN_FILE", file.to_str().unwrap())],
    );
    assert_eq!(out.code, Some(0), "{out}");
}

#[test]
fn config_check_with_a_bad_listen_address() {
    let dir = tmp();
    let out = trainbot(
        dir.path(),
        &["config", "check"],
        &[("BOT_TOKEN", TOKEN), ("LISTEN", "everywhere:80")],
    );
    let line = assert_setting_error(&out, "LISTEN");
    assert!(line.contains("`everywhere:80`"), "{line}");
}

#[test]
fn config_check_names_each_bad_setting() {
    let dir = tmp();
    let cases: &[(&str, &str)] = &[
        ("TELEGRAM_API_URL", "ftp://api.telegram.org"),
        ("REDIS_URL", "http://cache:6379"),
        ("ADMIN_IDS", "42,boss"),
        ("LOG_FORMAT", "xml"),
        ("POLL_TIMEOUT_SECS", "90"),
        ("MAX_IN_FLIGHT", "many"),
    ];
    for (setting, value) in cases {
        let out = trainbot(
            dir.path(),
            &["config", "check"],
            &[("BOT_TOKEN", TOKEN), (setting, value)],
        );
        assert_setting_error(&out, setting);
    }
}

#[test]
fn config_check_does_not_echo_a_bad_token() {
    let dir = tmp();
    for token in [
        "123456:AAHsecret with space",
        "not-a-token-AAHsecret",
        "123456:AAHsecret!",
    ] {
        let out = trainbot(dir.path(), &["config", "check"], &[("BOT_TOKEN", token)]);
        let line = assert_setting_error(&out, "BOT_TOKEN");
        assert!(
            !line.contains("AAHsecret"),
            "the bad token is echoed: {line}"
        );
    }
}

#[test]
fn config_check_reports_a_typo_in_the_settings_file_with_its_line() {
    let dir = tmp();
    std::fs::write(
        dir.path().join("trainbot.toml"),
        "content_dir = \"pack\"\ncontnet_dir = \"x\"\n",
    )
    .unwrap();
    let out = trainbot(dir.path(), &["config", "check"], &[("BOT_TOKEN", TOKEN)]);
    let line = assert_setting_error(&out, "--config");
    assert!(line.contains("trainbot.toml:2:"), "{line}");
    assert!(line.contains("contnet_dir"), "{line}");
}

#[test]
fn config_check_with_a_missing_explicit_settings_file() {
    let dir = tmp();
    let out = trainbot(
        dir.path(),
        &["--config", "nope.toml", "config", "check"],
        &[("BOT_TOKEN", TOKEN)],
    );
    let line = assert_setting_error(&out, "--config");
    assert!(line.contains("nope.toml"), "{line}");
}

// ---------------------------------------------------------------------------
// content check
// ---------------------------------------------------------------------------

#[test]
fn content_check_on_the_sample_pack() {
    let dir = tmp();
    let pack = sample_pack();
    let out = trainbot(
        dir.path(),
        &["content", "check", pack.to_str().unwrap()],
        &[],
    );
    assert_eq!(out.code, Some(0), "{out}");
    assert_eq!(out.stderr, "", "{out}");
    let line = out.stdout.trim_end();
    assert!(line.contains(": ok ("), "{out}");
    let pages: usize = line
        .split_once("ok (")
        .and_then(|(_, rest)| rest.split_once(" pages"))
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or_else(|| panic!("no page count in {line:?}"));
    assert!(pages >= 70, "{line}");
    assert!(line.contains("5 quizzes"), "{line}");
}

#[test]
fn content_check_needs_no_configuration() {
    // No BOT_TOKEN, and a broken settings file in the working directory: checking
    // content is an author's tool and must not need the bot's secrets.
    let dir = tmp();
    std::fs::write(dir.path().join("trainbot.toml"), "this is not toml").unwrap();
    let pack = sample_pack();
    let out = trainbot(
        dir.path(),
        &["content", "check", pack.to_str().unwrap()],
        &[],
    );
    assert_eq!(out.code, Some(0), "{out}");
}

#[test]
fn content_check_uses_content_dir_then_dot_content() {
    let dir = tmp();
    let pack = sample_pack();
    let out = trainbot(
        dir.path(),
        &["content", "check"],
        &[("CONTENT_DIR", pack.to_str().unwrap())],
    );
    assert_eq!(out.code, Some(0), "{out}");

    // Neither: ./content, which does not exist in the empty working directory.
    let out = trainbot(dir.path(), &["content", "check"], &[]);
    assert_eq!(out.code, Some(FIX_SETUP), "{out}");
    assert_no_panic(&out);
    let lines = out.stderr_lines();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with("trainbot: the content pack in content has 1 problem(s):"),
        "{out}"
    );
    assert!(lines[1].contains("does not exist"), "{out}");
}

#[test]
fn content_check_on_a_broken_pack_lists_every_problem() {
    let dir = tmp();
    let pack = broken_pack();
    let out = trainbot(
        dir.path(),
        &["content", "check", pack.to_str().unwrap()],
        &[],
    );
    assert_eq!(out.code, Some(FIX_SETUP), "{out}");
    assert_no_panic(&out);
    assert_eq!(out.stdout, "", "{out}");
    assert_broken_report(&out);
    // Nothing else on stderr: the heading and the problems.
    assert_eq!(out.stderr_lines().len(), 1 + BROKEN_REPORT.len(), "{out}");
}

#[test]
fn content_check_report_has_file_and_line() {
    let dir = tmp();
    let pack = dir.path().join("pack");
    std::fs::create_dir_all(pack.join("general")).unwrap();
    std::fs::write(
        pack.join("pack.toml"),
        "default_language = \"ru\"\nlanguages = [\"ru\", \"en\"]\n",
    )
    .unwrap();
    std::fs::write(
        pack.join("general/_section.toml"),
        "order = 1\ntitle = { ru = \"О\", en = \"G\" }\n",
    )
    .unwrap();
    std::fs::write(
        pack.join("general/good.md"),
        "+++\norder = 1\ntitle = { ru = \"а\", en = \"b\" }\n+++\n::: ru\nа\n::: en\nb\n",
    )
    .unwrap();
    std::fs::write(
        pack.join("general/page.md"),
        "+++\norder = 1\ntitle = { ru = \"а\", en = \"b\" }\n+++\n::: ru\n[x](javascript:alert(1))\n::: en\n![i](i.png)\n",
    )
    .unwrap();
    let out = trainbot(dir.path(), &["content", "check", "pack"], &[]);
    assert_eq!(out.code, Some(FIX_SETUP), "{out}");
    let lines = out.stderr_lines();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[0].starts_with("trainbot: the content pack in pack has 2 problem(s):"),
        "{out}"
    );
    assert!(
        lines[1].starts_with("  general/page.md:6: (ru) link target \"javascript:alert(1)\""),
        "{out}"
    );
    assert!(
        lines[2].starts_with("  general/page.md:8: (en) images are not allowed"),
        "{out}"
    );
}

// ---------------------------------------------------------------------------
// migrate
// ---------------------------------------------------------------------------

#[test]
fn migrate_creates_the_sqlite_file_and_its_folders_and_can_run_twice() {
    let dir = tmp();
    let db = dir.path().join("new/dir/bot.db");
    let url = format!("sqlite://{}", db.display());
    let env = [("BOT_TOKEN", TOKEN), ("DATABASE_URL", url.as_str())];
    let out = trainbot(dir.path(), &["migrate"], &env);
    assert_eq!(out.code, Some(0), "{out}");
    assert_no_panic(&out);
    assert!(db.is_file(), "{} was not created\n{out}", db.display());
    assert!(out.stdout.contains("migrations applied"), "{out}");

    let again = trainbot(dir.path(), &["migrate"], &env);
    assert_eq!(again.code, Some(0), "second run: {again}");
    assert!(db.is_file());
}

#[test]
fn migrate_without_configuration_names_bot_token() {
    let dir = tmp();
    let out = trainbot(dir.path(), &["migrate"], &[]);
    assert_setting_error(&out, "BOT_TOKEN");
    assert!(
        !dir.path().join("trainbot.db").exists(),
        "a database was created despite the error"
    );
}

#[test]
fn migrate_with_unreachable_postgres_hides_the_password() {
    let dir = tmp();
    let out = trainbot(
        dir.path(),
        &["migrate"],
        &[
            ("BOT_TOKEN", TOKEN),
            ("DATABASE_URL", "postgres://postgres:secretpw@127.0.0.1:1/x"),
        ],
    );
    let line = assert_fails_naming(&out, "DATABASE_URL");
    assert!(
        line.contains("127.0.0.1:1"),
        "the line should say where: {line}"
    );
    assert!(
        !out.stderr.contains("secretpw") && !out.stdout.contains("secretpw"),
        "{out}"
    );
}

// ---------------------------------------------------------------------------
// run
// ---------------------------------------------------------------------------

#[test]
fn run_with_a_broken_pack_stops_before_telegram() {
    let dir = tmp();
    let telegram = Tripwire::new();
    let pack = broken_pack();
    let db = format!("sqlite://{}", dir.path().join("bot.db").display());
    let out = trainbot(
        dir.path(),
        &["run"],
        &[
            ("BOT_TOKEN", TOKEN),
            ("CONTENT_DIR", pack.to_str().unwrap()),
            ("DATABASE_URL", db.as_str()),
            ("TELEGRAM_API_URL", telegram.url().as_str()),
            ("LISTEN", "127.0.0.1:0"),
        ],
    );
    assert_eq!(out.code, Some(FIX_SETUP), "{out}");
    assert_no_panic(&out);
    assert_broken_report(&out);
    telegram.assert_untouched();
}

#[test]
fn run_with_a_missing_content_dir_stops() {
    let dir = tmp();
    let telegram = Tripwire::new();
    let out = trainbot(
        dir.path(),
        &["run"],
        &[
            ("BOT_TOKEN", TOKEN),
            ("CONTENT_DIR", "no/such/pack"),
            ("TELEGRAM_API_URL", telegram.url().as_str()),
        ],
    );
    let line = assert_fails_naming(&out, "CONTENT_DIR");
    assert!(line.contains("no/such/pack"), "{line}");
    telegram.assert_untouched();
}

#[test]
fn run_with_unreachable_postgres_names_database_url_without_the_password() {
    let dir = tmp();
    let telegram = Tripwire::new();
    let pack = sample_pack();
    let out = trainbot(
        dir.path(),
        &["run"],
        &[
            ("BOT_TOKEN", TOKEN),
            ("CONTENT_DIR", pack.to_str().unwrap()),
            ("DATABASE_URL", "postgres://postgres:secretpw@127.0.0.1:1/x"),
            ("TELEGRAM_API_URL", telegram.url().as_str()),
            ("LISTEN", "127.0.0.1:0"),
        ],
    );
    let line = assert_fails_naming(&out, "DATABASE_URL");
    assert!(line.contains("127.0.0.1:1"), "{line}");
    assert!(
        !out.stderr.contains("secretpw"),
        "the password leaks:\n{out}"
    );
    assert!(
        !out.stdout.contains("secretpw"),
        "the password leaks:\n{out}"
    );
    telegram.assert_untouched();
}

#[test]
fn run_with_unreachable_telegram_stops_naming_the_token_and_url() {
    let dir = tmp();
    let pack = sample_pack();
    let db = dir.path().join("bot.db");
    let url = format!("sqlite://{}", db.display());
    let out = trainbot(
        dir.path(),
        &["run"],
        &[
            ("BOT_TOKEN", TOKEN),
            ("CONTENT_DIR", pack.to_str().unwrap()),
            ("DATABASE_URL", url.as_str()),
            ("TELEGRAM_API_URL", "http://127.0.0.1:1"),
            ("LISTEN", "127.0.0.1:0"),
        ],
    );
    assert_fails_naming(&out, "BOT_TOKEN / TELEGRAM_API_URL");
    // The token is in every Bot API URL; it must not reach the error or the logs.
    assert!(
        !out.stderr.contains("abcdefghij"),
        "the token leaks:\n{out}"
    );
    assert!(
        !out.stdout.contains("abcdefghij"),
        "the token leaks:\n{out}"
    );
    // The database was prepared before Telegram was tried.
    assert!(db.is_file(), "{out}");
}

#[test]
fn run_with_a_bad_setting_is_one_line() {
    let dir = tmp();
    let out = trainbot(
        dir.path(),
        &["run"],
        &[("BOT_TOKEN", TOKEN), ("LISTEN", "8080")],
    );
    assert_setting_error(&out, "LISTEN");
}

#[test]
fn run_logs_the_lockout_warning_at_start_unless_an_admin_is_set() {
    let dir = tmp();
    let pack = sample_pack();
    let pack = pack.to_str().unwrap();
    // An unreachable database stops the run right after start-up's log lines.
    let base = [
        ("BOT_TOKEN", TOKEN),
        ("CONTENT_DIR", pack),
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:1/x"),
        // The listener is up before the database is tried: not the default port,
        // which another test may hold.
        ("LISTEN", "127.0.0.1:0"),
    ];
    let out = trainbot(dir.path(), &["run"], &base);
    assert_fails_naming(&out, "DATABASE_URL");
    let warning = out
        .stderr_lines()
        .into_iter()
        .find(|l| l.contains("ACCESS_MODE is invite (the default) and ADMIN_IDS is empty"))
        .unwrap_or_else(|| panic!("no lockout warning at start:\n{out}"));
    assert!(
        warning.contains("WARN"),
        "not logged as a warning: {warning}"
    );

    let admin = [
        base.as_slice(),
        &[("ADMIN_IDS", "42"), ("ADMIN_PASSWORD_HASH", ADMIN_HASH)],
    ]
    .concat();
    let out = trainbot(dir.path(), &["run"], &admin);
    assert_fails_naming(&out, "DATABASE_URL");
    assert!(!out.stderr.contains("ACCESS_MODE"), "{out}");
}

#[test]
fn logs_written_to_a_pipe_have_no_colour_codes() {
    // Under systemd, Docker or Kubernetes stderr is a pipe; escape codes there
    // turn every log line into `\x1b[2m…` noise.
    let dir = tmp();
    let pack = sample_pack();
    let out = trainbot(
        dir.path(),
        &["run"],
        &[
            ("BOT_TOKEN", TOKEN),
            ("CONTENT_DIR", pack.to_str().unwrap()),
            ("DATABASE_URL", "postgres://postgres:secretpw@127.0.0.1:1/x"),
            ("LISTEN", "127.0.0.1:0"),
        ],
    );
    assert_fails_naming(&out, "DATABASE_URL");
    assert!(
        out.stderr.contains("content pack loaded"),
        "expected a log line before the failure:\n{out}"
    );
    assert!(
        !out.stderr.contains('\u{1b}'),
        "ANSI escape codes on a pipe:\n{out:?}",
        out = out.stderr
    );
}

#[path = "cli/admin.rs"]
mod admin;
#[path = "cli/errors.rs"]
mod errors;
#[path = "cli/health.rs"]
mod health;
#[path = "common/legacy_fixture.rs"]
mod legacy_fixture;
#[path = "cli/moving.rs"]
mod moving;
#[path = "common/net.rs"]
mod net;
#[path = "cli/running.rs"]
mod running;
#[path = "cli/traces.rs"]
mod traces;

// ----- webhook -----

const WEBHOOK_SECRET: &str = "cli_webhook-SECRET_42";

#[test]
fn config_check_in_webhook_mode_names_each_missing_or_bad_webhook_setting() {
    let dir = tmp();
    let url = ("WEBHOOK_URL", "https://bot.example.com/telegram");
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("UPDATES", "webhooks")], "UPDATES"),
        (
            &[("UPDATES", "webhook"), ("WEBHOOK_SECRET", WEBHOOK_SECRET)],
            "WEBHOOK_URL",
        ),
        (
            &[
                ("UPDATES", "webhook"),
                ("WEBHOOK_URL", "http://bot.example.com/telegram"),
                ("WEBHOOK_SECRET", WEBHOOK_SECRET),
            ],
            "WEBHOOK_URL",
        ),
        (&[("UPDATES", "webhook"), url], "WEBHOOK_SECRET"),
        (
            &[
                ("UPDATES", "webhook"),
                url,
                ("WEBHOOK_SECRET", "top secret!"),
            ],
            "WEBHOOK_SECRET",
        ),
        (
            &[
                ("UPDATES", "webhook"),
                url,
                ("WEBHOOK_SECRET", WEBHOOK_SECRET),
                ("WEBHOOK_LISTEN", "everywhere"),
            ],
            "WEBHOOK_LISTEN",
        ),
    ];
    for (vars, setting) in cases {
        let mut env = vec![("BOT_TOKEN", TOKEN)];
        env.extend_from_slice(vars);
        let out = trainbot(dir.path(), &["config", "check"], &env);
        let line = assert_setting_error(&out, setting);
        assert!(!line.contains("top secret"), "the secret is echoed: {line}");
    }
    let out = trainbot(
        dir.path(),
        &["config", "check"],
        &[
            ("BOT_TOKEN", TOKEN),
            ("UPDATES", "webhook"),
            url,
            ("WEBHOOK_SECRET", WEBHOOK_SECRET),
        ],
    );
    assert_eq!(out.code, Some(0), "{out}");
    assert!(!out.stdout.contains(WEBHOOK_SECRET) && !out.stderr.contains(WEBHOOK_SECRET));
}

#[test]
fn webhook_set_without_a_url_names_webhook_url() {
    let dir = tmp();
    let out = trainbot(dir.path(), &["webhook", "set"], &[("BOT_TOKEN", TOKEN)]);
    assert_setting_error(&out, "WEBHOOK_URL");
}

/// `trainbot webhook ...` against fake-telegram, with the settings of `extra`.
async fn webhook_cli(
    fake: &fake_telegram::FakeTelegram,
    args: &[&str],
    extra: &[(&str, &str)],
) -> Output {
    let mut env: Vec<(String, String)> = vec![
        ("BOT_TOKEN".into(), fake.token()),
        ("TELEGRAM_API_URL".into(), fake.api_url()),
        (
            "WEBHOOK_URL".into(),
            "https://bot.example.com/telegram".into(),
        ),
        ("WEBHOOK_SECRET".into(), WEBHOOK_SECRET.into()),
    ];
    env.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let dir = tmp();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        trainbot(dir.path(), &args, &env)
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_set_info_and_delete_register_the_deployments_webhook() {
    let fake = fake_telegram::FakeTelegram::start(fake_telegram::FakeConfig::default())
        .await
        .unwrap();
    let out = webhook_cli(&fake, &["webhook", "set", "--max-connections", "7"], &[]).await;
    assert_eq!(out.code, Some(0), "{out}");
    assert!(
        out.stdout.contains("https://bot.example.com/telegram"),
        "{out}"
    );
    let hook = fake.webhook().expect("setWebhook was called");
    assert_eq!(hook.url, "https://bot.example.com/telegram");
    assert_eq!(hook.secret_token.as_deref(), Some(WEBHOOK_SECRET));
    assert_eq!(hook.max_connections, 7);
    assert_eq!(
        hook.allowed_updates,
        Some(vec!["message".to_owned(), "callback_query".to_owned()]),
        "only the update kinds the bot handles"
    );

    let out = webhook_cli(&fake, &["webhook", "info"], &[]).await;
    assert_eq!(out.code, Some(0), "{out}");
    for fact in [
        "url: https://bot.example.com/telegram",
        "max connections: 7",
        "allowed updates: message, callback_query",
        "pending updates: 0",
    ] {
        assert!(out.stdout.contains(fact), "{fact}:\n{out}");
    }
    assert!(!out.stdout.contains(WEBHOOK_SECRET) && !out.stderr.contains(WEBHOOK_SECRET));

    let out = webhook_cli(&fake, &["webhook", "delete"], &[]).await;
    assert_eq!(out.code, Some(0), "{out}");
    assert!(fake.webhook().is_none(), "deleteWebhook was called");
    let out = webhook_cli(&fake, &["webhook", "info"], &[]).await;
    assert!(out.stdout.contains("no webhook is set"), "{out}");

    // Registering never calls getUpdates, and nothing but these three methods.
    let methods: Vec<String> = fake.requests().into_iter().map(|r| r.method).collect();
    assert!(
        methods
            .iter()
            .all(|m| ["setWebhook", "getWebhookInfo", "deleteWebhook"].contains(&m.as_str())),
        "{methods:?}"
    );
    fake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_set_drops_pending_updates_only_when_asked() {
    let fake = fake_telegram::FakeTelegram::start(fake_telegram::FakeConfig::default())
        .await
        .unwrap();
    fake.send_text(42, "waiting for the bot");
    // A URL nobody answers: the update stays pending.
    let unanswered = [("WEBHOOK_URL", "http://127.0.0.1:9/telegram")];
    let out = webhook_cli(&fake, &["webhook", "set"], &unanswered).await;
    assert_eq!(out.code, Some(0), "{out}");
    assert_eq!(fake.pending_updates(), 1, "kept without the flag");
    let out = webhook_cli(
        &fake,
        &["webhook", "set", "--drop-pending-updates"],
        &unanswered,
    )
    .await;
    assert_eq!(out.code, Some(0), "{out}");
    assert_eq!(fake.pending_updates(), 0, "dropped with the flag");
    fake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_set_refused_by_telegram_fails_naming_the_settings() {
    let fake = fake_telegram::FakeTelegram::start(fake_telegram::FakeConfig::default())
        .await
        .unwrap();
    let out = webhook_cli(&fake, &["webhook", "set", "--max-connections", "0"], &[]).await;
    assert_eq!(out.code, Some(FIX_SETUP), "a usage error: {out}");
    let wrong_token = [("BOT_TOKEN", "999:wrongtoken")];
    let out = webhook_cli(&fake, &["webhook", "set"], &wrong_token).await;
    assert_fails_naming(&out, "BOT_TOKEN / TELEGRAM_API_URL");
    assert!(fake.webhook().is_none());
    fake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_in_webhook_mode_neither_polls_nor_registers_and_names_a_taken_webhook_listen() {
    let fake = fake_telegram::FakeTelegram::start(fake_telegram::FakeConfig::default())
        .await
        .unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_addr = taken.local_addr().unwrap().to_string();
    let dir = tmp();
    let db = format!("sqlite://{}", dir.path().join("bot.db").display());
    let pack = sample_pack().to_str().unwrap().to_owned();
    let extra = [
        ("UPDATES", "webhook"),
        ("WEBHOOK_LISTEN", taken_addr.as_str()),
        ("CONTENT_DIR", pack.as_str()),
        ("DATABASE_URL", db.as_str()),
        ("LISTEN", "127.0.0.1:0"),
    ];
    let out = webhook_cli(&fake, &["run"], &extra).await;
    let line = assert_fails_naming(&out, "WEBHOOK_LISTEN");
    assert!(line.contains(&taken_addr), "{line}");
    assert!(
        !out.stderr.contains(WEBHOOK_SECRET),
        "the secret leaks:\n{out}"
    );
    let methods: Vec<String> = fake.requests().into_iter().map(|r| r.method).collect();
    for never in ["getUpdates", "deleteWebhook", "setWebhook"] {
        assert!(!methods.iter().any(|m| m == never), "{never}: {methods:?}");
    }
    drop(taken);
    fake.shutdown().await;
}
