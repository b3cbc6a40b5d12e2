//! The real `trainbot run` as a child process pointed at the fake, with a fresh SQLite
//! database in a temporary folder (or the given PostgreSQL / Redis), and what the
//! operating system says about it: resident memory and CPU time from `/proc`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow, bail};
use fake_telegram::{FakeError, FakeTelegram};
use tokio::process::{Child, Command};

use crate::stats;

/// How long the bot may take to start polling before loadgen gives up.
const START_PATIENCE: Duration = Duration::from_secs(60);
/// How long the bot may take to exit after SIGTERM before it is killed.
const STOP_PATIENCE: Duration = Duration::from_secs(20);

/// Everything needed to start the bot, shared by every scenario.
#[derive(Debug, Clone)]
pub struct BotSettings {
    pub binary: PathBuf,
    pub content: PathBuf,
    /// `None` = a fresh SQLite file per process.
    pub database_url: Option<String>,
    pub redis_url: Option<String>,
    pub max_in_flight: Option<u32>,
    pub poll_timeout_secs: u32,
    /// More settings for the bot (the broadcast scenario's admin).
    pub extra_env: Vec<(String, String)>,
    /// A folder to keep each bot process's folder in (its log and SQLite file)
    /// after the run, for reading what the bot did; `None`: removed at the end.
    pub keep_logs: Option<PathBuf>,
}

impl BotSettings {
    /// Which storage and state the bot runs on, for reports.
    pub fn stack(&self) -> String {
        let db = match &self.database_url {
            None => "SQLite (fresh file)".to_owned(),
            Some(url) if url.starts_with("sqlite") => "SQLite".to_owned(),
            Some(_) => "PostgreSQL".to_owned(),
        };
        let state = if self.redis_url.is_some() {
            "Redis"
        } else {
            "in-memory state"
        };
        format!("{db} + {state}")
    }

    /// Checks the paths before anything starts, with messages a person can act on.
    pub fn validate(&self) -> Result<()> {
        if !self.binary.is_file() {
            bail!(
                "the bot binary {} does not exist; build it with `cargo build --release -p server` or pass --bot",
                self.binary.display()
            );
        }
        if !self.content.join("pack.toml").is_file() {
            bail!(
                "{} is not a content pack (no pack.toml); pass --content DIR",
                self.content.display()
            );
        }
        Ok(())
    }
}

/// A running `trainbot run`.
pub struct BotProcess {
    child: Child,
    pid: u32,
    spawned_at: Instant,
    log_path: PathBuf,
    db_path: Option<PathBuf>,
    /// Keeps the database and log until the process is gone.
    _dir: tempfile::TempDir,
}

/// How the bot ended.
#[derive(Debug, Clone, Copy)]
pub struct Stopped {
    /// From SIGTERM to the process having exited.
    pub shutdown: Duration,
    /// Whether it exited by itself (true) or had to be killed.
    pub graceful: bool,
    pub success: bool,
}

impl BotProcess {
    /// Spawns the bot against `fake`. Returns at once; see [`BotProcess::wait_polling`].
    pub fn spawn(settings: &BotSettings, fake: &FakeTelegram) -> Result<BotProcess> {
        let mut builder = tempfile::Builder::new();
        builder.prefix("loadgen-");
        let dir = match &settings.keep_logs {
            Some(parent) => {
                let mut dir = builder
                    .tempdir_in(parent)
                    .with_context(|| format!("cannot create a folder in {}", parent.display()))?;
                dir.disable_cleanup(true);
                eprintln!("the bot's log is kept in {}", dir.path().display());
                dir
            }
            None => builder
                .tempdir()
                .context("cannot create a temporary folder for the bot's database and log")?,
        };
        let log_path = dir.path().join("trainbot.log");
        let log = std::fs::File::create(&log_path)
            .with_context(|| format!("cannot create {}", log_path.display()))?;
        let log_err = log
            .try_clone()
            .context("cannot duplicate the log file handle")?;
        let content = std::path::absolute(&settings.content)
            .with_context(|| format!("cannot resolve {}", settings.content.display()))?;
        let (database_url, db_path) = match &settings.database_url {
            Some(url) => (url.clone(), None),
            None => {
                let path = dir.path().join("trainbot.db");
                (format!("sqlite://{}", path.display()), Some(path))
            }
        };
        let mut command = Command::new(&settings.binary);
        command
            .arg("run")
            .current_dir(dir.path())
            .env_remove("TRAINBOT_CONFIG")
            .env_remove("REDIS_URL")
            .env_remove("ADMIN_IDS")
            .env("BOT_TOKEN", fake.token())
            .env("TELEGRAM_API_URL", fake.api_url())
            .env("DATABASE_URL", database_url)
            .env("CONTENT_DIR", content)
            .env("LISTEN", "127.0.0.1:0")
            .env("POLL_TIMEOUT_SECS", settings.poll_timeout_secs.to_string())
            // Simulated people tap far faster than real ones: measure the bot, not
            // its flood control.
            .env("FLOOD_LIMIT", "1000000000")
            // The simulated staff have no invites: measure the bot, not its gate.
            .env("ACCESS_MODE", "open")
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err))
            .kill_on_drop(true);
        if let Some(redis) = &settings.redis_url {
            let nonce = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            command
                .env("REDIS_URL", redis)
                .env("REDIS_PREFIX", format!("loadgen:{nonce}:"));
        }
        if let Some(n) = settings.max_in_flight {
            command.env("MAX_IN_FLIGHT", n.to_string());
        }
        command.envs(settings.extra_env.iter().map(|(k, v)| (k, v)));
        let spawned_at = Instant::now();
        let child = command
            .spawn()
            .with_context(|| format!("cannot start {}", settings.binary.display()))?;
        let pid = child
            .id()
            .ok_or_else(|| anyhow!("the bot exited before its process id could be read"))?;
        Ok(BotProcess {
            child,
            pid,
            spawned_at,
            log_path,
            db_path,
            _dir: dir,
        })
    }

    pub fn spawned_at(&self) -> Instant {
        self.spawned_at
    }

    /// Waits until the bot's first getUpdates reaches the fake; returns that moment.
    /// Fails early, with the end of its log, if the process exits instead.
    pub async fn wait_polling(&mut self, fake: &FakeTelegram) -> Result<Instant> {
        let polling = fake.wait_for(START_PATIENCE, |f| {
            f.is_polling()
                || f.requests()
                    .iter()
                    .any(|r| r.method.eq_ignore_ascii_case("getUpdates"))
        });
        let outcome = tokio::select! {
            waited = polling => Ok(waited),
            status = self.child.wait() => Err(status),
        };
        match outcome {
            Ok(Ok(())) => Ok(Instant::now()),
            Ok(Err(FakeError::Timeout(t))) => Err(anyhow!(
                "the bot did not start polling within {t:?}; its log ends with:\n{}",
                self.log_tail()
            )),
            Ok(Err(e)) => Err(anyhow!(e).context("waiting for the bot to poll")),
            Err(status) => {
                let status = status.context("cannot wait for the bot process")?;
                Err(anyhow!(
                    "the bot exited ({status}) before polling; its log ends with:\n{}",
                    self.log_tail()
                ))
            }
        }
    }

    /// Fails with the end of the log if the bot is no longer running.
    pub fn ensure_running(&mut self) -> Result<()> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(anyhow!(
                "the bot exited ({status}) during the run; its log ends with:\n{}",
                self.log_tail()
            )),
            Err(e) => Err(anyhow!(e).context("cannot check the bot process")),
        }
    }

    /// Resident memory now and at its peak, in KiB (`VmRSS`, `VmHWM`).
    pub fn memory_kib(&self) -> Result<(u64, u64)> {
        let path = format!("/proc/{}/status", self.pid);
        let status =
            std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
        let rss = stats::status_kib(&status, "VmRSS")
            .ok_or_else(|| anyhow!("{path} has no VmRSS line"))?;
        let hwm = stats::status_kib(&status, "VmHWM").unwrap_or(rss);
        Ok((rss, hwm))
    }

    /// CPU time (user + system) the bot has used so far.
    pub fn cpu_time(&self) -> Result<Duration> {
        cpu_time_of(&format!("/proc/{}/stat", self.pid))
    }

    /// Size of the SQLite database with its WAL, when the bot runs on a fresh file.
    pub fn database_bytes(&self) -> Option<u64> {
        let db = self.db_path.as_ref()?;
        let mut total = 0;
        for suffix in ["", "-wal", "-shm"] {
            let mut name = db.as_os_str().to_owned();
            name.push(suffix);
            total += std::fs::metadata(Path::new(&name)).map_or(0, |m| m.len());
        }
        Some(total)
    }

    /// The last lines of the bot's output.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log_path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let start = lines.len().saturating_sub(20);
        lines[start..].join("\n")
    }

    /// Lines of the bot's log at WARN or ERROR level (its own judgement of trouble).
    pub fn log_problems(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log_path)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("WARN") || l.contains("ERROR") || l.contains("panicked"))
            .map(str::to_owned)
            .collect()
    }

    /// SIGKILL, as a crash or `kill -9` would: the bot stops wherever it was.
    pub async fn kill(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }

    /// SIGTERM, then waits for a graceful exit; kills it if it does not come in time.
    pub async fn stop(mut self) -> Result<Stopped> {
        let asked = Instant::now();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        if !matches!(&sent, Ok(s) if s.success()) {
            tracing::warn!(pid = self.pid, "could not send SIGTERM; killing the bot");
        }
        match tokio::time::timeout(STOP_PATIENCE, self.child.wait()).await {
            Ok(status) => {
                let status = status.context("cannot wait for the bot to exit")?;
                Ok(Stopped {
                    shutdown: asked.elapsed(),
                    graceful: true,
                    success: status.success(),
                })
            }
            Err(_) => {
                self.child
                    .start_kill()
                    .context("cannot kill the bot after SIGTERM was ignored")?;
                let _ = self.child.wait().await;
                Ok(Stopped {
                    shutdown: asked.elapsed(),
                    graceful: false,
                    success: false,
                })
            }
        }
    }
}

/// CPU time (user + system) this load generator has used so far.
pub fn own_cpu_time() -> Result<Duration> {
    cpu_time_of("/proc/self/stat")
}

fn cpu_time_of(path: &str) -> Result<Duration> {
    let stat = std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?;
    let ticks = stats::stat_cpu_ticks(&stat).ok_or_else(|| anyhow!("cannot parse {path}"))?;
    Ok(Duration::from_secs_f64(
        ticks as f64 / clock_ticks_per_second(),
    ))
}

/// `getconf CLK_TCK`, read once; 100 (Linux's usual value) if it cannot be asked.
fn clock_ticks_per_second() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|t| *t > 0.0)
            .unwrap_or(100.0)
    })
}
