//! Configuration: one typed struct from an optional `trainbot.toml` and the
//! environment (environment wins), validated at start-up.
//!
//! Every problem is reported as `SETTING: what is wrong and how to fix it`, one
//! line, no backtrace. Secrets (`BOT_TOKEN`, and URLs that may carry passwords) can
//! also be read from a file named by `<NAME>_FILE`, and never appear in `Debug`
//! output or logs.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

/// The validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub bot_token: SecretString,
    pub telegram_api_url: Url,
    /// `sqlite://PATH` or `postgres://…`; may hold a password.
    pub database_url: SecretString,
    /// The pool's size and, on PostgreSQL, how long one statement may run.
    pub database: storage::PoolSettings,
    /// Unset: in-memory state (one process only).
    pub redis_url: Option<SecretString>,
    /// Prefix of every Redis key, so several bots can share a Redis.
    pub redis_prefix: String,
    pub content_dir: PathBuf,
    pub admin_ids: Vec<i64>,
    /// Argon2id PHC string of the admin password, validated (see
    /// [`crate::passwords::parse_hash`]). Unset: nobody can log in as an admin.
    pub admin_password_hash: Option<SecretString>,
    /// An admin session ends after this long without an admin action.
    pub admin_session_idle: std::time::Duration,
    /// Where `/healthz`, `/readyz` and `/metrics` are served.
    pub listen: SocketAddr,
    /// `/metrics` on a listener of its own (then not on `listen`).
    pub metrics_listen: Option<SocketAddr>,
    pub log_format: LogFormat,
    pub poll_timeout_secs: u32,
    pub max_in_flight: usize,
    /// A TrueType font with Cyrillic glyphs for PDF certificates; unset: the
    /// built-in DejaVu Sans.
    pub certificate_font: Option<PathBuf>,
    /// How often the reminder job looks for people to nudge.
    pub reminder_interval: std::time::Duration,
    /// How often each replica checks for content edited or reloaded elsewhere.
    pub content_poll: std::time::Duration,
    /// Rate of messages nobody is waiting for (reminders), per second.
    pub unsolicited_per_second: u32,
    /// The largest export file, bytes: writing stops before a file would pass it
    /// (Telegram's upload limit, 50 MiB, unless set lower).
    pub export_max_bytes: u64,
    /// Per-person rate limits.
    pub limits: engine::Limits,
    /// Who may use the bot: `invite` (staff with an invite or an approved
    /// request, the default) or `open` (everyone).
    pub access_mode: engine::AccessMode,
    /// How updates arrive: long polling (the default) or a webhook.
    pub updates: UpdateMode,
    /// The webhook's settings: required with `UPDATES=webhook`, and by
    /// `trainbot webhook set`.
    pub webhook: Option<WebhookConfig>,
}

/// How updates arrive (`UPDATES`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateMode {
    /// `getUpdates`: one process per token.
    Polling,
    /// Telegram POSTs updates to `WEBHOOK_URL`; any number of replicas.
    Webhook,
}

/// `WEBHOOK_URL`, `WEBHOOK_SECRET`, `WEBHOOK_LISTEN`.
#[derive(Clone, Debug)]
pub struct WebhookConfig {
    /// The public URL Telegram posts to; its path is where the listener answers.
    pub url: Url,
    /// Sent by Telegram in `X-Telegram-Bot-Api-Secret-Token`; 1-256 of
    /// `A-Z a-z 0-9 _ -`.
    pub secret: SecretString,
    /// The webhook's own listener (not `LISTEN`'s health and metrics).
    pub listen: SocketAddr,
}

/// The webhook listener's address when `WEBHOOK_LISTEN` is unset.
pub const DEFAULT_WEBHOOK_LISTEN: &str = "0.0.0.0:8443";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// One bad setting.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{setting}: {problem}")]
pub struct ConfigError {
    pub setting: String,
    pub problem: String,
}

fn bad(setting: &str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        setting: setting.to_owned(),
        problem: problem.into(),
    }
}

/// The settings file, every key optional. Keys are the lower-case variable names.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    bot_token: Option<String>,
    telegram_api_url: Option<String>,
    database_url: Option<String>,
    redis_url: Option<String>,
    redis_prefix: Option<String>,
    content_dir: Option<String>,
    admin_ids: Option<Vec<i64>>,
    admin_password_hash: Option<String>,
    admin_session_idle_minutes: Option<u64>,
    listen: Option<String>,
    metrics_listen: Option<String>,
    log_format: Option<String>,
    poll_timeout_secs: Option<u32>,
    max_in_flight: Option<usize>,
    flood_limit: Option<i64>,
    text_limit: Option<i64>,
    certificate_font: Option<String>,
    reminder_interval_secs: Option<u64>,
    content_poll_secs: Option<u64>,
    unsolicited_per_second: Option<u32>,
    export_max_bytes: Option<u64>,
    db_pool_size: Option<u32>,
    db_statement_timeout_secs: Option<u64>,
    access_mode: Option<String>,
    updates: Option<String>,
    webhook_url: Option<String>,
    webhook_secret: Option<String>,
    webhook_listen: Option<String>,
}

/// Whether two listeners would want the same port (a wildcard address takes the
/// port on every address; port 0 is a fresh port each time).
fn same_port(a: SocketAddr, b: SocketAddr) -> bool {
    a.port() == b.port()
        && a.port() != 0
        && (a.ip() == b.ip() || a.ip().is_unspecified() || b.ip().is_unspecified())
}

/// Default SQLite file, in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://trainbot.db";

/// How long one PostgreSQL statement may run unless `DB_STATEMENT_TIMEOUT_SECS`
/// says otherwise: far beyond any of the bot's queries, short enough that a stuck
/// one frees its connection.
const DEFAULT_STATEMENT_TIMEOUT_SECS: u64 = 30;
pub const DEFAULT_TELEGRAM_API_URL: &str = "https://api.telegram.org";

impl Config {
    /// Reads the settings file (if `file` is given it must exist; otherwise
    /// `./trainbot.toml` is read when present) and the process environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let env: HashMap<String, String> = std::env::vars().collect();
        Config::from_sources(file, &env)
    }

    /// [`Config::load`] with an explicit environment, for tests.
    pub fn from_sources(
        file: Option<&Path>,
        env: &HashMap<String, String>,
    ) -> Result<Config, ConfigError> {
        let settings = read_file(file)?;
        Sources { env }.build(settings)
    }
}

fn read_file(file: Option<&Path>) -> Result<FileSettings, ConfigError> {
    let (path, required) = match file {
        Some(p) => (p.to_path_buf(), true),
        None => (PathBuf::from("trainbot.toml"), false),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(FileSettings::default());
        }
        Err(e) => {
            return Err(bad(
                "--config",
                format!("cannot read {}: {e}", path.display()),
            ));
        }
    };
    toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        let at = line.map(|l| format!(":{l}")).unwrap_or_default();
        bad(
            "--config",
            format!("{}{at}: {}", path.display(), e.message()),
        )
    })
}

struct Sources<'a> {
    env: &'a HashMap<String, String>,
}

impl Sources<'_> {
    /// The environment's value, else `<NAME>_FILE`'s content (for secrets), else the file's.
    fn value(
        &self,
        name: &str,
        from_file: Option<String>,
        secret: bool,
    ) -> Result<Option<String>, ConfigError> {
        if let Some(v) = self.env.get(name).filter(|v| !v.trim().is_empty()) {
            return Ok(Some(v.trim().to_owned()));
        }
        let file_var = format!("{name}_FILE");
        if secret && let Some(path) = self.env.get(&file_var).filter(|v| !v.is_empty()) {
            return std::fs::read_to_string(path)
                .map(|s| Some(s.trim().to_owned()))
                .map_err(|e| bad(&file_var, format!("cannot read {path}: {e}")));
        }
        Ok(from_file
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty()))
    }

    fn build(self, file: FileSettings) -> Result<Config, ConfigError> {
        let token = self
            .value("BOT_TOKEN", file.bot_token, true)?
            .ok_or_else(|| {
                bad(
                    "BOT_TOKEN",
                    "missing: set BOT_TOKEN (or BOT_TOKEN_FILE) to the token @BotFather gave you",
                )
            })?;
        validate_token(&token)?;

        let api = self
            .value("TELEGRAM_API_URL", file.telegram_api_url, false)?
            .unwrap_or_else(|| DEFAULT_TELEGRAM_API_URL.to_owned());
        let telegram_api_url = Url::parse(&api)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| {
                bad(
                    "TELEGRAM_API_URL",
                    format!("`{api}` is not an http(s) URL like {DEFAULT_TELEGRAM_API_URL}"),
                )
            })?;

        let database_url = self
            .value("DATABASE_URL", file.database_url, true)?
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        let scheme_ok = ["sqlite:", "postgres://", "postgresql://"]
            .iter()
            .any(|p| database_url.starts_with(p));
        if !scheme_ok {
            let scheme = database_url.split(':').next().unwrap_or_default();
            return Err(bad(
                "DATABASE_URL",
                format!(
                    "unsupported scheme `{scheme}`; use sqlite://PATH or postgres://USER@HOST/DB"
                ),
            ));
        }

        let redis_url = self.value("REDIS_URL", file.redis_url, true)?;
        if let Some(r) = &redis_url {
            let ok = [
                "redis://",
                "rediss://",
                "redis+sentinel://",
                "rediss+sentinel://",
            ]
            .iter()
            .any(|p| r.starts_with(p));
            if !ok {
                return Err(bad(
                    "REDIS_URL",
                    "use redis://HOST:PORT/DB, rediss://… or redis+sentinel://HOST:PORT,HOST:PORT/SERVICE (rediss+sentinel:// for TLS)",
                ));
            }
        }
        let redis_prefix = self
            .value("REDIS_PREFIX", file.redis_prefix, false)?
            .unwrap_or_else(|| "trainbot:".to_owned());

        let content_dir = PathBuf::from(
            self.value("CONTENT_DIR", file.content_dir, false)?
                .unwrap_or_else(|| "content".to_owned()),
        );

        let admin_ids = match self.env.get("ADMIN_IDS").filter(|v| !v.trim().is_empty()) {
            Some(raw) => parse_ids(raw)?,
            None => file.admin_ids.unwrap_or_default(),
        };

        let admin_password_hash =
            self.value("ADMIN_PASSWORD_HASH", file.admin_password_hash, true)?;
        if let Some(phc) = &admin_password_hash {
            // The problem is named, the value never shown.
            crate::passwords::parse_hash(phc)
                .map_err(|e| bad("ADMIN_PASSWORD_HASH", e.to_string()))?;
        }
        let idle_minutes = number(
            self.value("ADMIN_SESSION_IDLE_MINUTES", None, false)?,
            "ADMIN_SESSION_IDLE_MINUTES",
        )?
        .or(file.admin_session_idle_minutes)
        .unwrap_or(30);
        if !(1..=1440).contains(&idle_minutes) {
            return Err(bad("ADMIN_SESSION_IDLE_MINUTES", "must be 1-1440 minutes"));
        }

        let listen_raw = self
            .value("LISTEN", file.listen, false)?
            .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let listen = listen_raw.parse().map_err(|_| {
            bad(
                "LISTEN",
                format!("`{listen_raw}` is not an address like 0.0.0.0:8080"),
            )
        })?;

        let metrics_listen = match self.value("METRICS_LISTEN", file.metrics_listen, false)? {
            None => None,
            Some(raw) => {
                let addr: SocketAddr = raw.parse().map_err(|_| {
                    bad(
                        "METRICS_LISTEN",
                        format!("`{raw}` is not an address like 0.0.0.0:9100"),
                    )
                })?;
                if same_port(addr, listen) {
                    return Err(bad(
                        "METRICS_LISTEN",
                        format!(
                            "{addr} is the health listener's port (LISTEN={listen}); give /metrics a port of its own, like 0.0.0.0:9100, or leave METRICS_LISTEN unset to serve it on LISTEN"
                        ),
                    ));
                }
                Some(addr)
            }
        };

        let log_format = match self.value("LOG_FORMAT", file.log_format, false)?.as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => return Err(bad("LOG_FORMAT", format!("`{other}` is not text or json"))),
        };

        let poll_timeout_secs = number(
            self.value("POLL_TIMEOUT_SECS", None, false)?,
            "POLL_TIMEOUT_SECS",
        )?
        .or(file.poll_timeout_secs)
        .unwrap_or(25);
        if !(1..=50).contains(&poll_timeout_secs) {
            return Err(bad("POLL_TIMEOUT_SECS", "must be 1-50 seconds"));
        }
        let max_in_flight = number(self.value("MAX_IN_FLIGHT", None, false)?, "MAX_IN_FLIGHT")?
            .or(file.max_in_flight)
            .unwrap_or(64);
        if !(1..=10_000).contains(&max_in_flight) {
            return Err(bad("MAX_IN_FLIGHT", "must be 1-10000"));
        }

        let certificate_font = self
            .value("CERTIFICATE_FONT", file.certificate_font, false)?
            .map(PathBuf::from);
        let reminder_secs = number(
            self.value("REMINDER_INTERVAL_SECS", None, false)?,
            "REMINDER_INTERVAL_SECS",
        )?
        .or(file.reminder_interval_secs)
        .unwrap_or(600);
        if !(10..=86_400).contains(&reminder_secs) {
            return Err(bad("REMINDER_INTERVAL_SECS", "must be 10-86400 seconds"));
        }
        let content_poll_secs = number(
            self.value("CONTENT_POLL_SECS", None, false)?,
            "CONTENT_POLL_SECS",
        )?
        .or(file.content_poll_secs)
        .unwrap_or(2);
        if !(1..=3600).contains(&content_poll_secs) {
            return Err(bad(
                "CONTENT_POLL_SECS",
                "must be 1-3600 seconds (how soon an edit on one replica shows on the others)",
            ));
        }
        let unsolicited_per_second = number(
            self.value("UNSOLICITED_PER_SECOND", None, false)?,
            "UNSOLICITED_PER_SECOND",
        )?
        .or(file.unsolicited_per_second)
        .unwrap_or(25);
        // Telegram allows about 30 bulk messages a second; more is only for a local
        // Bot API server or a test fake with raised limits (429s are honoured anyway).
        if !(1..=1000).contains(&unsolicited_per_second) {
            return Err(bad(
                "UNSOLICITED_PER_SECOND",
                "must be 1-1000 (Telegram allows about 30 bulk messages a second; keep it at 25 for Telegram)",
            ));
        }
        let pool_size =
            number(self.value("DB_POOL_SIZE", None, false)?, "DB_POOL_SIZE")?.or(file.db_pool_size);
        if pool_size.is_some_and(|n| !(1..=500).contains(&n)) {
            return Err(bad("DB_POOL_SIZE", "must be 1-500 connections"));
        }
        let statement_secs = number(
            self.value("DB_STATEMENT_TIMEOUT_SECS", None, false)?,
            "DB_STATEMENT_TIMEOUT_SECS",
        )?
        .or(file.db_statement_timeout_secs)
        .unwrap_or(DEFAULT_STATEMENT_TIMEOUT_SECS);
        if !(1..=3600).contains(&statement_secs) {
            return Err(bad("DB_STATEMENT_TIMEOUT_SECS", "must be 1-3600 seconds"));
        }
        let database = storage::PoolSettings {
            max_connections: pool_size,
            statement_timeout: Some(std::time::Duration::from_secs(statement_secs)),
            acquire_timeout: None,
        };
        let export_max_bytes = number(
            self.value("EXPORT_MAX_BYTES", None, false)?,
            "EXPORT_MAX_BYTES",
        )?
        .or(file.export_max_bytes)
        .unwrap_or(engine::exports::UPLOAD_LIMIT);
        if !(1024..=engine::exports::UPLOAD_LIMIT).contains(&export_max_bytes) {
            return Err(bad(
                "EXPORT_MAX_BYTES",
                format!(
                    "must be 1024-{} bytes (Telegram does not accept a bot's file over 50 MiB)",
                    engine::exports::UPLOAD_LIMIT
                ),
            ));
        }
        let defaults = engine::Limits::default();
        let updates_per_10s = number(self.value("FLOOD_LIMIT", None, false)?, "FLOOD_LIMIT")?
            .or(file.flood_limit)
            .unwrap_or(defaults.updates_per_10s);
        let texts_per_minute = number(self.value("TEXT_LIMIT", None, false)?, "TEXT_LIMIT")?
            .or(file.text_limit)
            .unwrap_or(defaults.texts_per_minute);
        if updates_per_10s < 10 || texts_per_minute < 1 {
            return Err(bad(
                "FLOOD_LIMIT / TEXT_LIMIT",
                "must be at least 10 updates per 10 s and 1 text a minute",
            ));
        }
        let access_mode = match self.value("ACCESS_MODE", file.access_mode, false)? {
            None => engine::AccessMode::Invite,
            Some(raw) => engine::AccessMode::parse(raw.trim()).ok_or_else(|| {
                bad(
                    "ACCESS_MODE",
                    format!("`{raw}` is not invite (staff with an invite link) or open (everyone)"),
                )
            })?,
        };
        let updates = match self.value("UPDATES", file.updates, false)?.as_deref() {
            None | Some("polling") => UpdateMode::Polling,
            Some("webhook") => UpdateMode::Webhook,
            Some(other) => {
                return Err(bad(
                    "UPDATES",
                    format!("`{other}` is not polling (one process, the default) or webhook"),
                ));
            }
        };
        let webhook = self.webhook(
            updates,
            listen,
            file.webhook_url,
            file.webhook_secret,
            file.webhook_listen,
        )?;
        Ok(Config {
            bot_token: SecretString::from(token),
            telegram_api_url,
            database_url: SecretString::from(database_url),
            database,
            redis_url: redis_url.map(SecretString::from),
            redis_prefix,
            content_dir,
            admin_ids,
            admin_password_hash: admin_password_hash.map(SecretString::from),
            admin_session_idle: std::time::Duration::from_secs(idle_minutes * 60),
            listen,
            metrics_listen,
            log_format,
            poll_timeout_secs,
            max_in_flight,
            certificate_font,
            reminder_interval: std::time::Duration::from_secs(reminder_secs),
            content_poll: std::time::Duration::from_secs(content_poll_secs),
            unsolicited_per_second,
            export_max_bytes,
            limits: engine::Limits {
                updates_per_10s,
                texts_per_minute,
            },
            access_mode,
            updates,
            webhook,
        })
    }

    /// The webhook settings: read when `UPDATES=webhook` (then required) or when
    /// `WEBHOOK_URL` is set (for `trainbot webhook set` from a polling setup).
    fn webhook(
        &self,
        updates: UpdateMode,
        listen: SocketAddr,
        file_url: Option<String>,
        file_secret: Option<String>,
        file_listen: Option<String>,
    ) -> Result<Option<WebhookConfig>, ConfigError> {
        let raw_url = self.value("WEBHOOK_URL", file_url, false)?;
        let raw_url = match (raw_url, updates) {
            (Some(url), _) => url,
            (None, UpdateMode::Polling) => return Ok(None),
            (None, UpdateMode::Webhook) => {
                return Err(bad(
                    "WEBHOOK_URL",
                    "missing: UPDATES=webhook needs the public https URL Telegram posts updates to,                      like https://bot.example.com/telegram",
                ));
            }
        };
        let url = parse_webhook_url(&raw_url)?;
        let secret = self
            .value("WEBHOOK_SECRET", file_secret, true)?
            .ok_or_else(|| {
                bad(
                    "WEBHOOK_SECRET",
                    "missing: set WEBHOOK_SECRET (or WEBHOOK_SECRET_FILE) to 1-256 random characters                      of A-Z a-z 0-9 _ - (e.g. `openssl rand -hex 32`)",
                )
            })?;
        validate_webhook_secret(&secret)?;
        let listen_raw = self
            .value("WEBHOOK_LISTEN", file_listen, false)?
            .unwrap_or_else(|| DEFAULT_WEBHOOK_LISTEN.to_owned());
        let webhook_listen: SocketAddr = listen_raw.parse().map_err(|_| {
            bad(
                "WEBHOOK_LISTEN",
                format!("`{listen_raw}` is not an address like {DEFAULT_WEBHOOK_LISTEN}"),
            )
        })?;
        if same_port(webhook_listen, listen) {
            return Err(bad(
                "WEBHOOK_LISTEN",
                format!(
                    "{webhook_listen} is the health and metrics listener's port (LISTEN={listen});                      give the webhook a port of its own, like {DEFAULT_WEBHOOK_LISTEN}"
                ),
            ));
        }
        Ok(Some(WebhookConfig {
            url,
            secret: SecretString::from(secret),
            listen: webhook_listen,
        }))
    }
}

/// An https URL with a host (http only for a loopback host: a local Bot API
/// server or tests), without a query or fragment.
fn parse_webhook_url(raw: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(raw).map_err(|_| {
        bad(
            "WEBHOOK_URL",
            format!("`{raw}` is not a URL like https://bot.example.com/telegram"),
        )
    })?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    };
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && loopback);
    if !scheme_ok || url.host().is_none() {
        return Err(bad(
            "WEBHOOK_URL",
            format!(
                "`{raw}` must be an https URL (Telegram posts only to https; http is accepted                  only for localhost)"
            ),
        ));
    }
    // The path becomes the listener's route: plain characters only (axum reads
    // `{…}`, `:` and `*` as captures).
    let plain_path = url
        .path()
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/-._~".contains(&b));
    if !plain_path {
        return Err(bad(
            "WEBHOOK_URL",
            format!(
                "the path `{}` may hold only letters, digits and / - . _ ~",
                url.path()
            ),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad(
            "WEBHOOK_URL",
            "must not have a query or fragment; the path alone says where the webhook answers",
        ));
    }
    Ok(url)
}

/// Telegram's rule for `secret_token`: 1-256 characters of `A-Z a-z 0-9 _ -`.
fn validate_webhook_secret(secret: &str) -> Result<(), ConfigError> {
    let ok = (1..=256).contains(&secret.len())
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        // Never echo the value.
        Err(bad(
            "WEBHOOK_SECRET",
            format!(
                "must be 1-256 characters of A-Z a-z 0-9 _ - (Telegram's rule); this one has {}                  character(s){}",
                secret.chars().count(),
                if secret.len() > 256 {
                    ""
                } else {
                    " and others than those"
                }
            ),
        ))
    }
}

fn number<T: std::str::FromStr>(raw: Option<String>, name: &str) -> Result<Option<T>, ConfigError> {
    raw.map(|r| {
        r.parse()
            .map_err(|_| bad(name, format!("`{r}` is not a whole number")))
    })
    .transpose()
}

/// `123456789:AA…`: digits, a colon, then 30+ characters of `[A-Za-z0-9_-]`.
fn validate_token(token: &str) -> Result<(), ConfigError> {
    let ok = token.split_once(':').is_some_and(|(id, secret)| {
        !id.is_empty()
            && id.bytes().all(|b| b.is_ascii_digit())
            && secret.len() >= 8
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    });
    if ok {
        Ok(())
    } else {
        // Never echo the value: it may be a real token with a typo.
        Err(bad(
            "BOT_TOKEN",
            "does not look like a bot token (digits, a colon, then letters, digits, _ or -)",
        ))
    }
}

fn parse_ids(raw: &str) -> Result<Vec<i64>, ConfigError> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| {
                bad(
                    "ADMIN_IDS",
                    format!("`{s}` is not a Telegram user id; use numbers separated by commas"),
                )
            })
        })
        .collect()
}

impl Config {
    /// Settings that are valid but probably not what the operator wants, one line
    /// each, for `trainbot config check` and the start-up log.
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.access_mode == engine::AccessMode::Invite && self.admin_ids.is_empty() {
            warnings.push(
                "ACCESS_MODE is invite (the default) and ADMIN_IDS is empty, so nobody can make \
                 invite links or approve requests: anyone new, you included, only sees that the \
                 bot is for park staff; set ADMIN_IDS to your Telegram user id (send any message \
                 to @userinfobot to learn it), or ACCESS_MODE=open to let everyone in"
                    .to_owned(),
            );
        }
        if !self.admin_ids.is_empty() && self.admin_password_hash.is_none() {
            warnings.push(
                "ADMIN_IDS is set but ADMIN_PASSWORD_HASH is not, so admins cannot log in; \
                 produce a hash with `trainbot admin hash-password`"
                    .to_owned(),
            );
        }
        warnings
    }

    /// Every secret setting's value (and a URL's password alone, as written and
    /// decoded): what error reports must never contain.
    pub fn secrets(&self) -> Vec<String> {
        let mut secrets = vec![self.bot_token.expose_secret().to_owned()];
        secrets.extend(crate::errors::secret_parts(
            self.database_url.expose_secret(),
        ));
        if let Some(redis) = &self.redis_url {
            secrets.extend(crate::errors::secret_parts(redis.expose_secret()));
        }
        if let Some(webhook) = &self.webhook {
            secrets.push(webhook.secret.expose_secret().to_owned());
        }
        if let Some(hash) = &self.admin_password_hash {
            secrets.push(hash.expose_secret().to_owned());
        }
        secrets
    }

    /// The database URL with any password hidden, for logs.
    pub fn database_display(&self) -> String {
        redact_userinfo(self.database_url.expose_secret())
    }
}

/// `scheme://user:secret@host/…` -> `scheme://user:***@host/…`.
pub fn redact_userinfo(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    const TOKEN: &str = "123456:ABCdef_ghi-jkl";

    #[test]
    fn embedded_defaults_need_only_a_token() {
        let c = Config::from_sources(None, &env(&[("BOT_TOKEN", TOKEN)])).unwrap();
        assert_eq!(c.database_url.expose_secret(), DEFAULT_DATABASE_URL);
        assert!(c.redis_url.is_none());
        assert_eq!(c.content_dir, PathBuf::from("content"));
        assert_eq!(c.telegram_api_url.as_str(), "https://api.telegram.org/");
        assert_eq!(c.content_poll, std::time::Duration::from_secs(2));
        assert_eq!(c.certificate_font, None, "the built-in font");
        assert_eq!(
            c.access_mode,
            engine::AccessMode::Invite,
            "staff only by default"
        );
        assert!(
            !format!("{c:?}").contains("ABCdef"),
            "the token leaks through Debug"
        );
    }

    #[test]
    fn the_access_mode_comes_from_the_environment_or_the_settings_file() {
        let c = Config::from_sources(None, &env(&[("BOT_TOKEN", TOKEN), ("ACCESS_MODE", "open")]))
            .unwrap();
        assert_eq!(c.access_mode, engine::AccessMode::Open);
        let dir = tempfile::tempdir().unwrap();
        let settings = dir.path().join("trainbot.toml");
        std::fs::write(&settings, "access_mode = \"open\"\n").unwrap();
        let c = Config::from_sources(Some(&settings), &env(&[("BOT_TOKEN", TOKEN)])).unwrap();
        assert_eq!(c.access_mode, engine::AccessMode::Open);
        let err = Config::from_sources(
            Some(&settings),
            &env(&[("BOT_TOKEN", TOKEN), ("ACCESS_MODE", "Invite!")]),
        )
        .unwrap_err();
        assert_eq!(err.setting, "ACCESS_MODE");
        assert!(
            err.problem.contains("invite") && err.problem.contains("open"),
            "{err}"
        );
    }

    #[test]
    fn each_bad_setting_is_named() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[], "BOT_TOKEN"),
            (&[("BOT_TOKEN", "nonsense")], "BOT_TOKEN"),
            (
                &[("BOT_TOKEN", TOKEN), ("DATABASE_URL", "mysql://x")],
                "DATABASE_URL",
            ),
            (
                &[("BOT_TOKEN", TOKEN), ("REDIS_URL", "http://x")],
                "REDIS_URL",
            ),
            (
                &[("BOT_TOKEN", TOKEN), ("TELEGRAM_API_URL", "not a url")],
                "TELEGRAM_API_URL",
            ),
            (
                &[("BOT_TOKEN", TOKEN), ("ADMIN_IDS", "12,abc")],
                "ADMIN_IDS",
            ),
            (&[("BOT_TOKEN", TOKEN), ("LISTEN", "nowhere")], "LISTEN"),
            (&[("BOT_TOKEN", TOKEN), ("LOG_FORMAT", "xml")], "LOG_FORMAT"),
            (
                &[("BOT_TOKEN", TOKEN), ("ACCESS_MODE", "closed")],
                "ACCESS_MODE",
            ),
            (
                &[("BOT_TOKEN", TOKEN), ("MAX_IN_FLIGHT", "0")],
                "MAX_IN_FLIGHT",
            ),
            (
                &[("BOT_TOKEN", TOKEN), ("CONTENT_POLL_SECS", "0")],
                "CONTENT_POLL_SECS",
            ),
            (
                &[("BOT_TOKEN", TOKEN), ("CONTENT_POLL_SECS", "two")],
                "CONTENT_POLL_SECS",
            ),
            (
                &[("BOT_TOKEN", TOKEN), ("EXPORT_MAX_BYTES", "52428801")],
                "EXPORT_MAX_BYTES",
            ),
            (
                &[("BOT_TOKEN", TOKEN), ("EXPORT_MAX_BYTES", "10")],
                "EXPORT_MAX_BYTES",
            ),
            (
                &[("BOT_TOKEN_FILE", "/nonexistent/token")],
                "BOT_TOKEN_FILE",
            ),
        ];
        for (vars, setting) in cases {
            let err = Config::from_sources(None, &env(vars)).unwrap_err();
            assert_eq!(err.setting, *setting, "{err}");
            assert!(
                !err.to_string().contains("nonsense"),
                "the bad token is echoed: {err}"
            );
        }
    }

    #[test]
    fn secrets_come_from_files_and_env_beats_the_settings_file() {
        let dir = tempfile::tempdir().unwrap();
        let token_file = dir.path().join("token");
        std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
        let settings = dir.path().join("trainbot.toml");
        std::fs::write(
            &settings,
            "content_dir = \"/srv/pack\"\nadmin_ids = [1, 2]\ndatabase_url = \"sqlite://a.db\"\n",
        )
        .unwrap();
        let c = Config::from_sources(
            Some(&settings),
            &env(&[
                ("BOT_TOKEN_FILE", token_file.to_str().unwrap()),
                ("DATABASE_URL", "sqlite://b.db"),
            ]),
        )
        .unwrap();
        assert_eq!(c.bot_token.expose_secret(), TOKEN);
        assert_eq!(c.content_dir, PathBuf::from("/srv/pack"));
        assert_eq!(c.admin_ids, vec![1, 2]);
        assert_eq!(c.database_url.expose_secret(), "sqlite://b.db");
    }

    #[test]
    fn a_typo_in_the_settings_file_is_reported_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let settings = dir.path().join("trainbot.toml");
        std::fs::write(&settings, "content_dir = \"x\"\ncontnet_dir = \"y\"\n").unwrap();
        let err = Config::from_sources(Some(&settings), &env(&[("BOT_TOKEN", TOKEN)])).unwrap_err();
        assert!(err.to_string().contains(":2:"), "{err}");
        assert!(err.to_string().contains("contnet_dir"), "{err}");
    }

    #[test]
    fn passwords_are_redacted_for_display() {
        assert_eq!(
            redact_userinfo("postgres://u:pw@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(
            redact_userinfo("sqlite://trainbot.db"),
            "sqlite://trainbot.db"
        );
    }

    /// A real hash of `correct horse battery` (m=19456, t=2, p=1).
    fn admin_hash() -> String {
        crate::passwords::hash_password("correct horse battery").unwrap()
    }

    #[test]
    fn a_valid_admin_password_hash_is_accepted_and_never_shown() {
        let hash = admin_hash();
        let c = Config::from_sources(
            None,
            &env(&[
                ("BOT_TOKEN", TOKEN),
                ("ADMIN_IDS", "42"),
                ("ADMIN_PASSWORD_HASH", &hash),
                ("ADMIN_SESSION_IDLE_MINUTES", "45"),
            ]),
        )
        .unwrap();
        assert_eq!(
            c.admin_password_hash.as_ref().unwrap().expose_secret(),
            hash
        );
        assert_eq!(
            c.admin_session_idle,
            std::time::Duration::from_secs(45 * 60)
        );
        assert!(c.warnings().is_empty(), "{:?}", c.warnings());
        let debug = format!("{c:?}");
        let salt_and_output = hash.rsplit_once("p=1$").unwrap().1;
        assert!(
            !debug.contains(salt_and_output),
            "the hash leaks through Debug"
        );
        assert!(!debug.contains("argon2id"), "the hash leaks through Debug");
    }

    #[test]
    fn admin_defaults_no_hash_and_thirty_idle_minutes_with_a_warning_for_admins() {
        let c = Config::from_sources(None, &env(&[("BOT_TOKEN", TOKEN), ("ACCESS_MODE", "open")]))
            .unwrap();
        assert!(c.admin_password_hash.is_none());
        assert_eq!(
            c.admin_session_idle,
            std::time::Duration::from_secs(30 * 60)
        );
        assert!(c.warnings().is_empty(), "{:?}", c.warnings());

        let c =
            Config::from_sources(None, &env(&[("BOT_TOKEN", TOKEN), ("ADMIN_IDS", "7")])).unwrap();
        let warnings = c.warnings();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("ADMIN_PASSWORD_HASH"), "{warnings:?}");
        assert!(
            warnings[0].contains("trainbot admin hash-password"),
            "{warnings:?}"
        );
    }

    #[test]
    fn invite_mode_without_an_admin_warns_that_nobody_can_let_anyone_in() {
        let lockout = |c: &Config| {
            c.warnings()
                .into_iter()
                .filter(|w| w.starts_with("ACCESS_MODE is invite"))
                .collect::<Vec<_>>()
        };
        // The defaults: invite mode, no admin.
        let c = Config::from_sources(None, &env(&[("BOT_TOKEN", TOKEN)])).unwrap();
        let warnings = lockout(&c);
        assert_eq!(warnings.len(), 1, "{:?}", c.warnings());
        for says in ["ADMIN_IDS", "@userinfobot", "ACCESS_MODE=open"] {
            assert!(warnings[0].contains(says), "no {says:?}: {warnings:?}");
        }

        let hash = admin_hash();
        let admin = [("BOT_TOKEN", TOKEN), ("ADMIN_IDS", "42")];
        let c = Config::from_sources(None, &env(&admin)).unwrap();
        assert!(lockout(&c).is_empty(), "{:?}", c.warnings());
        let c = Config::from_sources(
            None,
            &env(&[
                ("BOT_TOKEN", TOKEN),
                ("ADMIN_IDS", "42"),
                ("ADMIN_PASSWORD_HASH", &hash),
            ]),
        )
        .unwrap();
        assert!(c.warnings().is_empty(), "{:?}", c.warnings());
        let c = Config::from_sources(None, &env(&[("BOT_TOKEN", TOKEN), ("ACCESS_MODE", "open")]))
            .unwrap();
        assert!(c.warnings().is_empty(), "{:?}", c.warnings());
    }

    #[test]
    fn bad_admin_password_hashes_are_named_and_never_echoed() {
        let good = admin_hash();
        // Same salt and output, other algorithm or weaker parameters.
        let tail = good.rsplit_once("p=1$").unwrap().1.to_owned();
        let cases = [
            ("garbage-not-a-hash".to_owned(), "PHC string"),
            (format!("$argon2i$v=19$m=19456,t=2,p=1${tail}"), "argon2i"),
            (format!("$argon2id$v=19$m=8192,t=2,p=1${tail}"), "too weak"),
            (format!("$argon2id$v=19$m=19456,t=1,p=1${tail}"), "too weak"),
        ];
        for (hash, says) in &cases {
            let err = Config::from_sources(
                None,
                &env(&[("BOT_TOKEN", TOKEN), ("ADMIN_PASSWORD_HASH", hash)]),
            )
            .unwrap_err();
            assert_eq!(err.setting, "ADMIN_PASSWORD_HASH", "{err}");
            let text = format!("{err} {err:?}");
            assert!(text.contains(says), "{text}");
            assert!(text.contains("trainbot admin hash-password"), "{text}");
            assert!(!text.contains(&tail), "the hash is echoed: {text}");
            assert!(!text.contains("garbage"), "the value is echoed: {text}");
            assert!(!text.contains('\n'), "not one line: {text}");
        }
        for bad in ["0", "1441", "soon"] {
            let err = Config::from_sources(
                None,
                &env(&[("BOT_TOKEN", TOKEN), ("ADMIN_SESSION_IDLE_MINUTES", bad)]),
            )
            .unwrap_err();
            assert_eq!(err.setting, "ADMIN_SESSION_IDLE_MINUTES", "{err}");
        }
    }

    #[test]
    fn the_admin_password_hash_comes_from_a_file_or_the_settings_file() {
        let hash = admin_hash();
        let dir = tempfile::tempdir().unwrap();
        let hash_file = dir.path().join("admin_hash");
        std::fs::write(&hash_file, format!("{hash}\n")).unwrap();
        let c = Config::from_sources(
            None,
            &env(&[
                ("BOT_TOKEN", TOKEN),
                ("ADMIN_PASSWORD_HASH_FILE", hash_file.to_str().unwrap()),
            ]),
        )
        .unwrap();
        assert_eq!(
            c.admin_password_hash.as_ref().unwrap().expose_secret(),
            hash
        );

        std::fs::write(
            &hash_file,
            "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$AAAA\n",
        )
        .unwrap();
        let err = Config::from_sources(
            None,
            &env(&[
                ("BOT_TOKEN", TOKEN),
                ("ADMIN_PASSWORD_HASH_FILE", hash_file.to_str().unwrap()),
            ]),
        )
        .unwrap_err();
        assert_eq!(err.setting, "ADMIN_PASSWORD_HASH", "{err}");

        let settings = dir.path().join("trainbot.toml");
        std::fs::write(
            &settings,
            format!("admin_password_hash = '{hash}'\nadmin_session_idle_minutes = 5\n"),
        )
        .unwrap();
        let c = Config::from_sources(Some(&settings), &env(&[("BOT_TOKEN", TOKEN)])).unwrap();
        assert_eq!(
            c.admin_password_hash.as_ref().unwrap().expose_secret(),
            hash
        );
        assert_eq!(c.admin_session_idle, std::time::Duration::from_secs(5 * 60));
    }

    #[test]
    fn the_example_settings_file_is_valid() {
        let example =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config/trainbot.example.toml");
        let c = Config::from_sources(Some(&example), &env(&[("BOT_TOKEN", TOKEN)])).unwrap();
        assert_eq!(c.database_url.expose_secret(), DEFAULT_DATABASE_URL);
        assert_eq!(c.poll_timeout_secs, 25);
        assert_eq!(c.export_max_bytes, engine::exports::UPLOAD_LIMIT);
        assert_eq!(
            c.database,
            storage::PoolSettings {
                max_connections: None,
                statement_timeout: Some(std::time::Duration::from_secs(30)),
                acquire_timeout: None,
            }
        );
    }

    #[test]
    fn the_pool_and_statement_timeout_are_read_and_checked() {
        let c = Config::from_sources(
            None,
            &env(&[
                ("BOT_TOKEN", TOKEN),
                ("DB_POOL_SIZE", "40"),
                ("DB_STATEMENT_TIMEOUT_SECS", "5"),
            ]),
        )
        .unwrap();
        assert_eq!(c.database.max_connections, Some(40));
        assert_eq!(
            c.database.statement_timeout,
            Some(std::time::Duration::from_secs(5))
        );
        for (name, value) in [
            ("DB_POOL_SIZE", "0"),
            ("DB_POOL_SIZE", "501"),
            ("DB_STATEMENT_TIMEOUT_SECS", "0"),
            ("DB_STATEMENT_TIMEOUT_SECS", "soon"),
        ] {
            let e = Config::from_sources(None, &env(&[("BOT_TOKEN", TOKEN), (name, value)]))
                .unwrap_err();
            assert!(e.to_string().contains(name), "{name}={value}: {e}");
        }
    }

    const SECRET: &str = "s3cret_TOKEN-for-tests";

    #[test]
    fn polling_is_the_default_and_needs_no_webhook() {
        let c = Config::from_sources(None, &env(&[("BOT_TOKEN", TOKEN)])).unwrap();
        assert_eq!(c.updates, UpdateMode::Polling);
        assert!(c.webhook.is_none());
    }

    #[test]
    fn webhook_mode_reads_url_secret_and_listener_and_hides_the_secret() {
        let c = Config::from_sources(
            None,
            &env(&[
                ("BOT_TOKEN", TOKEN),
                ("UPDATES", "webhook"),
                ("WEBHOOK_URL", "https://bot.example.com/telegram/hook"),
                ("WEBHOOK_SECRET", SECRET),
            ]),
        )
        .unwrap();
        assert_eq!(c.updates, UpdateMode::Webhook);
        let webhook = c.webhook.as_ref().unwrap();
        assert_eq!(webhook.url.path(), "/telegram/hook");
        assert_eq!(webhook.listen.to_string(), DEFAULT_WEBHOOK_LISTEN);
        assert_eq!(webhook.secret.expose_secret(), SECRET);
        assert!(
            !format!("{c:?}").contains(SECRET),
            "the secret leaks through Debug"
        );
    }

    #[test]
    fn metrics_may_have_a_listener_of_their_own_but_not_the_health_port() {
        let read = |extra: &[(&str, &str)]| {
            let pairs: Vec<(&str, &str)> = [("BOT_TOKEN", TOKEN), ("LISTEN", "0.0.0.0:8080")]
                .into_iter()
                .chain(extra.iter().copied())
                .collect();
            Config::from_sources(None, &env(&pairs))
        };
        assert_eq!(read(&[]).unwrap().metrics_listen, None);
        let c = read(&[("METRICS_LISTEN", "10.0.0.5:9100")]).unwrap();
        assert_eq!(c.metrics_listen, Some("10.0.0.5:9100".parse().unwrap()));
        for (bad, says) in [
            (
                "127.0.0.1:8080",
                "is the health listener's port (LISTEN=0.0.0.0:8080)",
            ),
            ("9100", "is not an address like 0.0.0.0:9100"),
        ] {
            let e = read(&[("METRICS_LISTEN", bad)]).unwrap_err();
            assert_eq!(e.setting, "METRICS_LISTEN");
            assert!(e.problem.contains(says), "{bad}: {}", e.problem);
        }
    }

    #[test]
    fn the_webhook_secret_can_come_from_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("secret");
        std::fs::write(&file, format!("{SECRET}\n")).unwrap();
        let c = Config::from_sources(
            None,
            &env(&[
                ("BOT_TOKEN", TOKEN),
                ("UPDATES", "webhook"),
                ("WEBHOOK_URL", "https://bot.example.com/hook"),
                ("WEBHOOK_SECRET_FILE", file.to_str().unwrap()),
                ("WEBHOOK_LISTEN", "127.0.0.1:9443"),
            ]),
        )
        .unwrap();
        let webhook = c.webhook.unwrap();
        assert_eq!(webhook.secret.expose_secret(), SECRET);
        assert_eq!(webhook.listen.to_string(), "127.0.0.1:9443");
    }

    #[test]
    fn bad_webhook_settings_name_the_setting_and_never_echo_the_secret() {
        let long = "a".repeat(257);
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("UPDATES", "push")], "UPDATES"),
            (
                &[("UPDATES", "webhook"), ("WEBHOOK_SECRET", SECRET)],
                "WEBHOOK_URL",
            ),
            (
                &[
                    ("UPDATES", "webhook"),
                    ("WEBHOOK_URL", "https://bot.example.com/h"),
                ],
                "WEBHOOK_SECRET",
            ),
            (
                &[
                    ("UPDATES", "webhook"),
                    ("WEBHOOK_URL", "https://bot.example.com/h"),
                    ("WEBHOOK_SECRET", "has spaces and ! marks"),
                ],
                "WEBHOOK_SECRET",
            ),
            (
                &[
                    ("UPDATES", "webhook"),
                    ("WEBHOOK_URL", "https://bot.example.com/h"),
                    ("WEBHOOK_SECRET", &long),
                ],
                "WEBHOOK_SECRET",
            ),
            (
                &[
                    ("UPDATES", "webhook"),
                    ("WEBHOOK_URL", "http://bot.example.com/h"),
                    ("WEBHOOK_SECRET", SECRET),
                ],
                "WEBHOOK_URL",
            ),
            (
                &[
                    ("UPDATES", "webhook"),
                    ("WEBHOOK_URL", "https://bot.example.com/:hook"),
                    ("WEBHOOK_SECRET", SECRET),
                ],
                "WEBHOOK_URL",
            ),
            (
                &[
                    ("UPDATES", "webhook"),
                    ("WEBHOOK_URL", "https://bot.example.com/{*rest}"),
                    ("WEBHOOK_SECRET", SECRET),
                ],
                "WEBHOOK_URL",
            ),
            (
                &[
                    ("UPDATES", "webhook"),
                    ("WEBHOOK_URL", "https://bot.example.com/h?x=1"),
                    ("WEBHOOK_SECRET", SECRET),
                ],
                "WEBHOOK_URL",
            ),
            (
                &[
                    ("UPDATES", "webhook"),
                    ("WEBHOOK_URL", "https://bot.example.com/h"),
                    ("WEBHOOK_SECRET", SECRET),
                    ("WEBHOOK_LISTEN", "nowhere"),
                ],
                "WEBHOOK_LISTEN",
            ),
            (
                &[
                    ("UPDATES", "webhook"),
                    ("WEBHOOK_URL", "https://bot.example.com/h"),
                    ("WEBHOOK_SECRET", SECRET),
                    ("LISTEN", "127.0.0.1:8443"),
                ],
                "WEBHOOK_LISTEN",
            ),
        ];
        for (vars, setting) in cases {
            let mut all = vec![("BOT_TOKEN", TOKEN)];
            all.extend_from_slice(vars);
            let err = Config::from_sources(None, &env(&all)).unwrap_err();
            assert_eq!(err.setting, *setting, "{vars:?}: {err}");
            let text = err.to_string();
            assert!(
                !text.contains("has spaces") && !text.contains(&long),
                "{text}"
            );
        }
    }

    #[test]
    fn http_is_accepted_for_a_local_webhook_only() {
        let c = Config::from_sources(
            None,
            &env(&[
                ("BOT_TOKEN", TOKEN),
                ("UPDATES", "webhook"),
                ("WEBHOOK_URL", "http://127.0.0.1:9443/hook"),
                ("WEBHOOK_SECRET", SECRET),
            ]),
        )
        .unwrap();
        assert_eq!(c.webhook.unwrap().url.scheme(), "http");
    }
}
