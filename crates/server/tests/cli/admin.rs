//! `trainbot admin hash-password` and the admin settings as an operator meets
//! them, with the same cleared environment and temporary working directory as the
//! rest of `tests/cli.rs`.

use std::path::Path;

use super::{FIX_SETUP, Output, TOKEN, tmp, trainbot_with_input};

use argon2::password_hash::phc::PasswordHash;
use argon2::{Argon2, PasswordVerifier};

const PASSWORD: &str = "correct horse battery";
const OWASP_PREFIX: &str = "$argon2id$v=19$m=19456,t=2,p=1$";

/// Runs `trainbot ARGS` with `stdin` as its standard input.
fn trainbot(cwd: &Path, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    trainbot_with_input(cwd, args, env, Some(stdin))
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
