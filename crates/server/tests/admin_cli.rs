#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `trainbot admin hash-password` and the admin settings as an operator meets
//! them. Every run gets a cleared environment (only `PATH`) and a fresh temporary
//! working directory, like `tests/cli.rs`.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use argon2::password_hash::phc::PasswordHash;
use argon2::{Argon2, PasswordVerifier};
use tempfile::TempDir;

const TOKEN: &str = "123:abcdefghij";
const PASSWORD: &str = "correct horse battery";
/// Upper bound for one run; reaching it means the binary hangs.
const GUARD: Duration = Duration::from_secs(60);
/// Exit code for anything the operator must fix.
const FIX_SETUP: i32 = 2;
const OWASP_PREFIX: &str = "$argon2id$v=19$m=19456,t=2,p=1$";

struct Output {
    code: Option<i32>,
    stdout: String,
    stderr: String,
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

/// Runs `trainbot ARGS` in `cwd` with only `PATH` and `env` set, `stdin` piped in
/// (not a terminal); kills it and fails the test if it runs longer than [`GUARD`].
fn trainbot(cwd: &Path, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trainbot"));
    cmd.args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_owned();
    // The child may exit without reading: ignore a broken pipe.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(stdin.as_bytes());
    });
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
            panic!(
                "`trainbot {}` still running after {GUARD:?}",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    writer.join().unwrap();
    Output {
        code: status.code(),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

fn tmp() -> TempDir {
    tempfile::tempdir().unwrap()
}

/// Hashes `password` with the binary; asserts success and exactly one line on stdout.
fn hash_of(password_input: &str) -> String {
    let dir = tmp();
    let out = trainbot(dir.path(), &["admin", "hash-password"], &[], password_input);
    assert_eq!(out.code, Some(0), "{out}");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "stdout must hold the hash only:\n{out}");
    assert!(out.stdout.ends_with('\n'), "{out}");
    assert!(
        !out.stderr.contains(PASSWORD),
        "the password is echoed:\n{out}"
    );
    lines[0].to_owned()
}

fn verifies(phc: &str, password: &str) -> bool {
    let hash = PasswordHash::new(phc).unwrap();
    Argon2::default()
        .verify_password(password.as_bytes(), &hash)
        .is_ok()
}

#[test]
fn hash_password_prints_an_owasp_argon2id_hash_of_the_password_on_stdin() {
    let phc = hash_of(PASSWORD);
    assert!(phc.starts_with(OWASP_PREFIX), "{phc}");
    assert!(verifies(&phc, PASSWORD));
    assert!(!verifies(&phc, "correct horse batterx"));

    // `echo secret | …`: the line ending is not part of the password.
    let phc = hash_of(&format!("{PASSWORD}\r\n"));
    assert!(verifies(&phc, PASSWORD));
    assert!(!verifies(&phc, &format!("{PASSWORD}\n")));
}

#[test]
fn hash_password_uses_a_fresh_salt_each_time() {
    let a = hash_of(PASSWORD);
    let b = hash_of(PASSWORD);
    assert_ne!(a, b);
    let salt = |phc: &str| phc.split('$').nth(4).unwrap().to_owned();
    assert_ne!(salt(&a), salt(&b));
}

#[test]
fn hash_password_refuses_short_passwords() {
    for short in ["", "\n", "elevenchars", "пароль12345\n"] {
        let dir = tmp();
        let out = trainbot(dir.path(), &["admin", "hash-password"], &[], short);
        assert_eq!(out.code, Some(FIX_SETUP), "{out}");
        assert!(out.stdout.is_empty(), "{out}");
        let lines: Vec<&str> = out.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{out}");
        assert!(lines[0].starts_with("trainbot: "), "{out}");
        assert!(lines[0].contains("at least 12 characters"), "{out}");
        assert!(!out.stderr.contains("panicked"), "{out}");
    }
}

#[test]
fn config_check_accepts_the_printed_hash_and_names_a_broken_one() {
    let phc = hash_of(PASSWORD);
    let dir = tmp();
    let out = trainbot(
        dir.path(),
        &["config", "check"],
        &[
            ("BOT_TOKEN", TOKEN),
            ("ADMIN_IDS", "42"),
            ("ADMIN_PASSWORD_HASH", &phc),
        ],
        "",
    );
    assert_eq!(out.code, Some(0), "{out}");
    assert!(out.stdout.contains("configuration is valid"), "{out}");
    assert!(out.stderr.is_empty(), "{out}");

    // A hash file works the same way.
    let hash_file = dir.path().join("admin_hash");
    std::fs::write(&hash_file, format!("{phc}\n")).unwrap();
    let out = trainbot(
        dir.path(),
        &["config", "check"],
        &[
            ("BOT_TOKEN", TOKEN),
            ("ADMIN_PASSWORD_HASH_FILE", hash_file.to_str().unwrap()),
        ],
        "",
    );
    assert_eq!(out.code, Some(0), "{out}");

    let tail = phc.rsplit_once("p=1$").unwrap().1;
    for broken in [
        phc.rsplit_once('$').unwrap().0.to_owned(),
        phc.replacen('$', "", 1),
        phc.replace("argon2id", "argon2i"),
        phc.replace("m=19456", "m=1024"),
        "hunter2".to_owned(),
    ] {
        let out = trainbot(
            dir.path(),
            &["config", "check"],
            &[("BOT_TOKEN", TOKEN), ("ADMIN_PASSWORD_HASH", &broken)],
            "",
        );
        assert_eq!(out.code, Some(FIX_SETUP), "{broken}: {out}");
        let lines: Vec<&str> = out.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{out}");
        assert!(
            lines[0].starts_with("trainbot: ADMIN_PASSWORD_HASH: "),
            "{out}"
        );
        assert!(lines[0].contains("trainbot admin hash-password"), "{out}");
        assert!(
            !out.stderr.contains(&tail[..20]),
            "the hash is echoed: {out}"
        );
        assert!(
            !out.stderr.contains("hunter2"),
            "the value is echoed: {out}"
        );
    }
}

#[test]
fn config_check_warns_when_admins_cannot_log_in() {
    let dir = tmp();
    let out = trainbot(
        dir.path(),
        &["config", "check"],
        &[("BOT_TOKEN", TOKEN), ("ADMIN_IDS", "42")],
        "",
    );
    assert_eq!(out.code, Some(0), "{out}");
    assert!(out.stdout.contains("configuration is valid"), "{out}");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(lines[0].starts_with("trainbot: warning: "), "{out}");
    assert!(lines[0].contains("ADMIN_PASSWORD_HASH"), "{out}");
}
