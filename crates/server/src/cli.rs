//! The `trainbot` command line.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use secrecy::{ExposeSecret, SecretString};
use tokio_util::sync::CancellationToken;

use domain::content::ContentPack;

use crate::app::{Application, content_report, open_storage};
use crate::config::Config;
use crate::moving;
use crate::passwords;
use crate::telemetry;

/// Exit code for anything an operator must fix (configuration, content, services).
const EXIT_FIX_SETUP: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "trainbot",
    version = telemetry::VERSION.as_str(),
    about = "Telegram bot that trains and tests the staff of family entertainment parks"
)]
pub struct Cli {
    /// Settings file (default: ./trainbot.toml if it exists). Environment variables win over it.
    #[arg(long, global = true, env = "TRAINBOT_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the bot until Ctrl-C or SIGTERM (long polling, or UPDATES=webhook).
    Run,
    /// Apply database migrations and exit.
    Migrate,
    /// Configuration commands.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Content pack commands.
    #[command(subcommand)]
    Content(ContentCommand),
    /// Admin access commands.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// The webhook, registered once for the whole deployment (never by the
    /// replicas themselves).
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Ask a running bot whether it is alive (exit 0) or not (exit 1), for
    /// container health checks where no curl exists. Needs no configuration.
    Health {
        /// The bot's LISTEN address (a wildcard address is asked on loopback).
        #[arg(long, env = "LISTEN", default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// The path to ask: /healthz (alive) or /readyz (ready for traffic).
        #[arg(long, default_value = "/healthz")]
        path: String,
    },
    /// See a content pack exactly as staff will, in a local web page that looks
    /// like a Telegram chat: the bot and a fake Telegram run in this process, with
    /// a staff member and an admin to switch between. Needs no token and no
    /// configuration; nothing is kept when it stops.
    Sandbox {
        /// The content pack folder.
        #[arg(long, default_value = "content")]
        content: PathBuf,
        /// The page's port on 127.0.0.1.
        #[arg(long, default_value_t = 8088)]
        port: u16,
    },
    /// Database commands.
    #[command(subcommand)]
    Db(DbCommand),
    /// Bringing data in from elsewhere.
    #[command(subcommand)]
    Import(ImportCommand),
}

#[derive(Debug, Subcommand)]
enum DbCommand {
    /// Copy everything from one trainbot database into another and verify it.
    ///
    /// SQLite to PostgreSQL, back, or SQLite to SQLite. Both databases are migrated
    /// first; ids are kept; every table's row count and checksum are compared
    /// before the target commits. Stop the bot first. Needs no configuration.
    Copy {
        /// The database to copy from: sqlite://PATH or postgres://…
        #[arg(long, env = "TRAINBOT_COPY_FROM", hide_env_values = true)]
        from: String,
        /// The database to copy into (must be empty unless --force).
        #[arg(long, env = "TRAINBOT_COPY_TO", hide_env_values = true)]
        to: String,
        /// Delete everything in the target first (in the same transaction).
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Import people and their activity from the old bot's database into
    /// DATABASE_URL. Safe to run again: nothing is imported twice.
    Legacy {
        /// The old bot's database: a SQLite file path, sqlite:///PATH,
        /// sqlite+aiosqlite:///./bot.db or postgresql://…
        #[arg(long, env = "TRAINBOT_LEGACY_URL", hide_env_values = true)]
        from: String,
    },
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Print the Argon2id hash of an admin password, for ADMIN_PASSWORD_HASH.
    ///
    /// Asks twice without echo on a terminal; otherwise reads one line from stdin
    /// (`echo -n 'the password' | trainbot admin hash-password`). Needs no configuration.
    HashPassword,
}

#[derive(Debug, Subcommand)]
enum WebhookCommand {
    /// Point Telegram at WEBHOOK_URL with WEBHOOK_SECRET and the update kinds the
    /// bot handles (setWebhook).
    Set {
        /// Connections Telegram opens at once to deliver updates (1-100).
        #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u8).range(1..=100))]
        max_connections: u8,
        /// Throw away the updates Telegram holds for the bot.
        #[arg(long)]
        drop_pending_updates: bool,
    },
    /// Remove the webhook (deleteWebhook), so long polling works again.
    Delete {
        /// Throw away the updates Telegram holds for the bot.
        #[arg(long)]
        drop_pending_updates: bool,
    },
    /// Show the webhook as Telegram sees it (getWebhookInfo).
    Info,
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Validate the configuration and exit (0 when valid, 2 otherwise).
    Check,
}

#[derive(Debug, Subcommand)]
enum ContentCommand {
    /// List every problem of a content pack (default: CONTENT_DIR or ./content).
    Check {
        /// The pack folder.
        dir: Option<PathBuf>,
    },
}

impl Cli {
    pub async fn run(self) -> ExitCode {
        match self.command {
            Command::Health { listen, path } => {
                match crate::health::probe(crate::health::target(listen), &path).await {
                    Ok(200) => ExitCode::SUCCESS,
                    Ok(status) => {
                        eprintln!("trainbot: {path} answered {status}");
                        ExitCode::FAILURE
                    }
                    Err(e) => {
                        eprintln!("trainbot: {e}");
                        ExitCode::FAILURE
                    }
                }
            }
            Command::Admin(AdminCommand::HashPassword) => {
                match tokio::task::spawn_blocking(hash_password).await {
                    Ok(code) => code,
                    Err(e) => fail(&e),
                }
            }
            Command::Sandbox { content, port } => sandbox(&content, port).await,
            Command::Content(ContentCommand::Check { dir }) => {
                let dir = dir
                    .or_else(|| std::env::var_os("CONTENT_DIR").map(PathBuf::from))
                    .unwrap_or_else(|| PathBuf::from("content"));
                content_check(&dir)
            }
            Command::Config(ConfigCommand::Check) => match Config::load(self.config.as_deref()) {
                Ok(c) => {
                    for warning in c.warnings() {
                        eprintln!("trainbot: warning: {warning}");
                    }
                    println!(
                        "configuration is valid (database: {}, state: {})",
                        c.database_display(),
                        state_kind(&c)
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e),
            },
            Command::Db(DbCommand::Copy { from, to, force }) => {
                match moving::db_copy(&from, &to, force).await {
                    Ok(report) => {
                        moving::print_copy_report(&report);
                        ExitCode::SUCCESS
                    }
                    Err(e) => fail(&e),
                }
            }
            Command::Import(ImportCommand::Legacy { from }) => {
                let config = match Config::load(self.config.as_deref()) {
                    Ok(c) => c,
                    Err(e) => return fail(&e),
                };
                match moving::import_legacy(&config, &from).await {
                    Ok(report) => {
                        print!("{report}");
                        ExitCode::SUCCESS
                    }
                    Err(e) => fail(&e),
                }
            }
            Command::Webhook(command) => {
                let config = match Config::load(self.config.as_deref()) {
                    Ok(c) => c,
                    Err(e) => return fail(&e),
                };
                webhook(&config, command).await
            }
            Command::Migrate => {
                let config = match Config::load(self.config.as_deref()) {
                    Ok(c) => c,
                    Err(e) => return fail(&e),
                };
                let telemetry = match telemetry::init(&config) {
                    Ok(t) => t,
                    Err(e) => return fail(&e),
                };
                let code = match open_storage(&config).await {
                    Ok(_) => {
                        println!("migrations applied ({})", config.database_display());
                        ExitCode::SUCCESS
                    }
                    Err(e) => fail(&e),
                };
                telemetry.shutdown().await;
                code
            }
            Command::Run => {
                let config = match Config::load(self.config.as_deref()) {
                    Ok(c) => c,
                    Err(e) => return fail(&e),
                };
                let telemetry = match telemetry::init(&config) {
                    Ok(t) => t,
                    Err(e) => return fail(&e),
                };
                for warning in config.warnings() {
                    tracing::warn!("{warning}");
                }
                let code = run(config).await;
                telemetry.shutdown().await;
                code
            }
        }
    }
}

async fn webhook(config: &Config, command: WebhookCommand) -> ExitCode {
    let bot = telegram::bot(config.bot_token.expose_secret(), &config.telegram_api_url);
    let done = match command {
        WebhookCommand::Set {
            max_connections,
            drop_pending_updates,
        } => {
            let Some(webhook) = &config.webhook else {
                return fail(
                    &"WEBHOOK_URL: missing: `webhook set` registers WEBHOOK_URL with WEBHOOK_SECRET; set both",
                );
            };
            let registration = telegram::webhook::Registration {
                url: webhook.url.clone(),
                secret_token: webhook.secret.expose_secret().to_owned(),
                max_connections,
                drop_pending_updates,
            };
            telegram::webhook::set(&bot, &registration)
                .await
                .map(|()| format!("webhook set: Telegram now posts updates to {}", webhook.url))
        }
        WebhookCommand::Delete {
            drop_pending_updates,
        } => telegram::webhook::delete(&bot, drop_pending_updates)
            .await
            .map(|()| "webhook deleted: long polling works again".to_owned()),
        WebhookCommand::Info => telegram::webhook::info(&bot).await,
    };
    match done {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&format!(
            "BOT_TOKEN / TELEGRAM_API_URL: Telegram refused or could not be reached: {e}"
        )),
    }
}

fn state_kind(c: &Config) -> &'static str {
    if c.redis_url.is_some() {
        "redis"
    } else {
        "in-memory"
    }
}

fn content_check(dir: &std::path::Path) -> ExitCode {
    match ContentPack::load(dir) {
        Ok(pack) => {
            println!(
                "{}: ok ({} pages, {} sections at the top, {} quizzes)",
                dir.display(),
                pack.page_count(),
                pack.top_level().len(),
                pack.quizzes().len()
            );
            ExitCode::SUCCESS
        }
        Err(problems) => fail(&content_report(&dir.display().to_string(), &problems)),
    }
}

/// `trainbot admin hash-password`: the PHC string on stdout and nothing else.
fn hash_password() -> ExitCode {
    let password = match read_new_password() {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    match passwords::hash_password(password.expose_secret()) {
        Ok(phc) => {
            println!("{phc}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

/// On a terminal: asked twice without echo, both must match. Otherwise the first
/// line of stdin, without its line ending.
fn read_new_password() -> Result<SecretString, String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let first = rpassword::prompt_password("New admin password: ")
            .map(SecretString::from)
            .map_err(|e| format!("cannot read the password from the terminal: {e}"))?;
        // Refuse a short one before asking again.
        let chars = first.expose_secret().chars().count();
        if chars < passwords::MIN_PASSWORD_CHARS {
            return Err(passwords::HashError::TooShort(chars).to_string());
        }
        let again = rpassword::prompt_password("Repeat it: ")
            .map(SecretString::from)
            .map_err(|e| format!("cannot read the password from the terminal: {e}"))?;
        if first.expose_secret() != again.expose_secret() {
            return Err("the two passwords differ; nothing was hashed".to_owned());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
        let line = SecretString::from(line);
        let text = line.expose_secret();
        let text = text.strip_suffix('\n').unwrap_or(text);
        let text = text.strip_suffix('\r').unwrap_or(text);
        Ok(SecretString::from(text))
    }
}

/// One clear message on stderr, exit code 2.
fn fail(e: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("trainbot: {e}");
    ExitCode::from(EXIT_FIX_SETUP)
}

async fn run(config: Config) -> ExitCode {
    let app = match Application::build(config).await {
        Ok(app) => app,
        Err(e) => return fail(&e),
    };
    let shutdown = CancellationToken::new();
    tokio::spawn(stop_on_signal(shutdown.clone()));
    tracing::info!("trainbot is running; Ctrl-C to stop");
    app.run_until_stopped(shutdown).await;
    ExitCode::SUCCESS
}

async fn stop_on_signal(shutdown: CancellationToken) {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for SIGTERM; Ctrl-C still works");
                    let _ = ctrl_c.await;
                    shutdown.cancel();
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("stopping: finishing the updates in hand");
    shutdown.cancel();
}

/// `trainbot sandbox`: runs until Ctrl-C or SIGTERM.
async fn sandbox(content: &std::path::Path, port: u16) -> ExitCode {
    let sandbox = match crate::sandbox::Sandbox::start(content, port).await {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!("trainbot: {e}");
            return ExitCode::from(EXIT_FIX_SETUP);
        }
    };
    println!(
        "trainbot sandbox: open http://{} (content: {}; Ctrl-C stops it)",
        sandbox.addr,
        content.display()
    );
    stop_on_signal(CancellationToken::new()).await;
    sandbox.stop().await;
    ExitCode::SUCCESS
}
