//! The admin password: hashing it for the configuration (`trainbot admin
//! hash-password`), validating the configured hash, and checking a typed password
//! against it ([`Argon2Check`], the engine's [`PasswordCheck`]).
//!
//! Hashes are Argon2id PHC strings with at least OWASP's parameters (19 MiB of
//! memory, two passes). Neither a password nor a hash is ever written to `Debug`
//! output, errors or logs.

use std::fmt;
use std::sync::Arc;

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use async_trait::async_trait;
use engine::ports::{NewPasswordError, PasswordCheck, RolePasswords};
use secrecy::{ExposeSecret, SecretString};

/// The shortest password `trainbot admin hash-password` accepts, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Memory cost of new hashes and the minimum a configured hash may use, in KiB (OWASP).
pub const MIN_M_COST_KIB: u32 = 19_456;
/// Passes over memory of new hashes and the minimum a configured hash may use (OWASP).
pub const MIN_T_COST: u32 = 2;
/// Lanes of new hashes.
pub const P_COST: u32 = 1;

/// What the setting's error says to do about a bad hash.
const FIX: &str = "produce one with `trainbot admin hash-password`";

/// Why a password cannot be hashed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HashError {
    #[error("the password is too short: use at least {MIN_PASSWORD_CHARS} characters (it has {0})")]
    TooShort(usize),
    #[error("cannot hash the password: {0}")]
    Argon2(String),
}

/// Hashes `password` with Argon2id (m = 19456 KiB, t = 2, p = 1) and a random salt,
/// returning the PHC string (`$argon2id$v=19$m=19456,t=2,p=1$SALT$HASH`). Refuses
/// passwords shorter than [`MIN_PASSWORD_CHARS`]. Slow (tens of milliseconds when
/// optimised): call it off the async runtime.
pub fn hash_password(password: &str) -> Result<String, HashError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(HashError::TooShort(chars));
    }
    let params = Params::new(MIN_M_COST_KIB, MIN_T_COST, P_COST, None)
        .map_err(|e| HashError::Argon2(e.to_string()))?;
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| HashError::Argon2(e.to_string()))
}

/// Why a configured hash is refused. The messages never contain the hash.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BadHash {
    #[error("is not an Argon2id PHC string like `$argon2id$v=19$m=19456,t=2,p=1$…$…`; {FIX}")]
    NotPhc,
    #[error("uses `{0}`, not argon2id; {FIX}")]
    WrongAlgorithm(String),
    #[error("uses Argon2 version {0}, not 19; {FIX}")]
    WrongVersion(u32),
    #[error("has no salt or no hash part; {FIX}")]
    Incomplete,
    #[error("has invalid parameters ({0}); {FIX}")]
    BadParams(String),
    #[error("is too weak (m={m}, t={t}; the minimum is m={MIN_M_COST_KIB}, t={MIN_T_COST}); {FIX}")]
    TooWeak { m: u32, t: u32 },
}

/// Parses and checks a configured hash: a PHC string, Argon2id version 19, with a
/// salt and a hash, m ≥ 19456 KiB and t ≥ 2.
pub fn parse_hash(phc: &str) -> Result<PasswordHash, BadHash> {
    let hash = PasswordHash::new(phc.trim()).map_err(|_| BadHash::NotPhc)?;
    let algorithm = hash.algorithm.as_str();
    if algorithm != argon2::ARGON2ID_IDENT.as_str() {
        // Only the identifier is shown, and only when it is a known one: never the value.
        let shown = match algorithm {
            "argon2i" | "argon2d" | "scrypt" | "pbkdf2-sha256" | "pbkdf2-sha512" | "bcrypt" => {
                algorithm.to_owned()
            }
            _ => "another algorithm".to_owned(),
        };
        return Err(BadHash::WrongAlgorithm(shown));
    }
    match hash.version {
        Some(0x13) => {}
        Some(v) => return Err(BadHash::WrongVersion(v)),
        None => return Err(BadHash::WrongVersion(0x10)),
    }
    if hash.salt.is_none() || hash.hash.is_none() {
        return Err(BadHash::Incomplete);
    }
    let params = Params::try_from(&hash).map_err(|e| BadHash::BadParams(e.to_string()))?;
    if params.m_cost() < MIN_M_COST_KIB || params.t_cost() < MIN_T_COST {
        return Err(BadHash::TooWeak {
            m: params.m_cost(),
            t: params.t_cost(),
        });
    }
    Ok(hash)
}

/// The engine's [`PasswordCheck`] against the configured Argon2id hash. Each check
/// runs on a blocking thread; the comparison of hash outputs is argon2's own,
/// constant-time one.
#[derive(Clone)]
pub struct Argon2Check {
    hash: Arc<PasswordHash>,
}

impl Argon2Check {
    /// From the configured `ADMIN_PASSWORD_HASH` (see [`parse_hash`] for the rules).
    pub fn new(phc: &SecretString) -> Result<Argon2Check, BadHash> {
        parse_hash(phc.expose_secret()).map(|h| Argon2Check { hash: Arc::new(h) })
    }

    /// The check the engine gets for `config`: [`Argon2Check`] when a hash is set,
    /// [`LoginDisabled`] otherwise (admins then cannot log in).
    pub fn for_config(config: &crate::config::Config) -> Arc<dyn PasswordCheck> {
        match config.admin_password_hash.as_ref().map(Argon2Check::new) {
            Some(Ok(check)) => Arc::new(check),
            Some(Err(e)) => {
                // Config::load validated it already; refuse logins rather than fail open.
                tracing::error!("ADMIN_PASSWORD_HASH {e}; admin logins are disabled");
                Arc::new(LoginDisabled)
            }
            None => Arc::new(LoginDisabled),
        }
    }
}

impl fmt::Debug for Argon2Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Argon2Check")
            .field("hash", &"[REDACTED]")
            .finish()
    }
}

#[async_trait]
impl PasswordCheck for Argon2Check {
    async fn matches(&self, password: &str) -> bool {
        let hash = Arc::clone(&self.hash);
        let password = SecretString::from(password);
        tokio::task::spawn_blocking(move || {
            // The hash's own algorithm, version and parameters are used for verification.
            Argon2::default()
                .verify_password(password.expose_secret().as_bytes(), &*hash)
                .is_ok()
        })
        .await
        .unwrap_or(false)
    }

    fn credential(&self) -> String {
        self.hash.to_string()
    }
}

/// Role holders' own passwords ([`RolePasswords`]): new ones hashed like the admin
/// password ([`hash_password`]), stored ones checked only when they pass
/// [`parse_hash`], each on a blocking thread.
#[derive(Clone, Copy, Debug, Default)]
pub struct Argon2Hasher;

#[async_trait]
impl RolePasswords for Argon2Hasher {
    fn min_chars(&self) -> usize {
        MIN_PASSWORD_CHARS
    }

    async fn hash(&self, password: &str) -> Result<String, NewPasswordError> {
        let password = SecretString::from(password);
        let hashed =
            tokio::task::spawn_blocking(move || hash_password(password.expose_secret())).await;
        match hashed {
            Ok(Ok(phc)) => Ok(phc),
            Ok(Err(HashError::TooShort(_))) => Err(NewPasswordError::TooShort {
                min: MIN_PASSWORD_CHARS,
            }),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "cannot hash a role holder's password");
                Err(NewPasswordError::Failed)
            }
            Err(e) => {
                tracing::error!(error = %e, "the password hashing task failed");
                Err(NewPasswordError::Failed)
            }
        }
    }

    async fn verify(&self, phc: &str, password: &str) -> bool {
        let Ok(check) = Argon2Check::new(&SecretString::from(phc)) else {
            tracing::error!("a stored role password hash is not a valid Argon2id hash");
            return false;
        };
        check.matches(password).await
    }
}

/// The [`PasswordCheck`] when no hash is configured: nothing matches.
#[derive(Clone, Copy, Debug, Default)]
pub struct LoginDisabled;

#[async_trait]
impl PasswordCheck for LoginDisabled {
    async fn matches(&self, _password: &str) -> bool {
        false
    }

    fn credential(&self) -> String {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWORD: &str = "correct horse battery";

    #[tokio::test]
    async fn role_passwords_hash_and_verify_and_refuse_what_they_should() {
        let hasher = Argon2Hasher;
        assert_eq!(
            hasher.hash("too short").await,
            Err(NewPasswordError::TooShort { min: 12 })
        );
        let phc = hasher.hash(PASSWORD).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(hasher.verify(&phc, PASSWORD).await);
        assert!(!hasher.verify(&phc, "correct horse batterY").await);
        assert!(
            !hasher
                .verify("$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA", PASSWORD)
                .await,
            "a stored hash that is not a strong Argon2id one matches nothing"
        );
        assert!(!hasher.verify("garbage", PASSWORD).await);
    }

    #[test]
    fn short_passwords_are_refused_by_characters_not_bytes() {
        assert_eq!(hash_password("short"), Err(HashError::TooShort(5)));
        // 11 Cyrillic letters are 22 bytes but still too short.
        assert_eq!(hash_password("пароль12345"), Err(HashError::TooShort(11)));
    }

    #[test]
    fn new_hashes_use_owasp_parameters_and_pass_validation() {
        let phc = hash_password(PASSWORD).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        parse_hash(&phc).unwrap();
    }

    #[test]
    fn weak_or_foreign_hashes_are_refused() {
        let salt = "c29tZXNhbHRzb21lc2FsdA";
        let out = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        let cases = [
            ("garbage".to_owned(), BadHash::NotPhc),
            (
                format!("$argon2i$v=19$m=19456,t=2,p=1${salt}${out}"),
                BadHash::WrongAlgorithm("argon2i".into()),
            ),
            (
                format!("$argon2id$v=16$m=19456,t=2,p=1${salt}${out}"),
                BadHash::WrongVersion(16),
            ),
            (
                "$argon2id$v=19$m=19456,t=2,p=1".to_owned(),
                BadHash::Incomplete,
            ),
            (
                format!("$argon2id$v=19$m=4096,t=2,p=1${salt}${out}"),
                BadHash::TooWeak { m: 4096, t: 2 },
            ),
            (
                format!("$argon2id$v=19$m=19456,t=1,p=1${salt}${out}"),
                BadHash::TooWeak { m: 19456, t: 1 },
            ),
        ];
        for (phc, want) in cases {
            let got = parse_hash(&phc).unwrap_err();
            assert_eq!(got, want, "{phc}");
            assert!(!got.to_string().contains(salt), "{got}");
        }
    }

    #[tokio::test]
    async fn the_check_matches_only_the_right_password() {
        let phc = SecretString::from(hash_password(PASSWORD).unwrap());
        let check = Argon2Check::new(&phc).unwrap();
        assert!(check.matches(PASSWORD).await);
        assert!(!check.matches("correct horse battery ").await);
        assert!(!check.matches("").await);
        assert!(!check.matches("wrong password entirely").await);
        assert!(!format!("{check:?}").contains("argon2id"));
        assert!(!LoginDisabled.matches(PASSWORD).await);
    }
}
