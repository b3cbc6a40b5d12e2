//! `trainbot run` as a long-running child against fake-telegram, on a fresh
//! SQLite database and the sample pack, stopped the way an operator stops it.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use tempfile::TempDir;

use super::{sample_pack, tmp};

/// The bot's process; killed if the test ends without [`Running::stop`].
pub struct Running {
    child: Option<Child>,
    log: PathBuf,
    dir: TempDir,
}

impl Running {
    /// Starts the bot with fake-telegram's token and URL, `LISTEN` on a free port
    /// and `env` on top. Its standard error goes to a file ([`Running::stop`]).
    pub fn start(fake: &fake_telegram::FakeTelegram, env: &[(&str, String)]) -> Running {
        let dir = tmp();
        let db = format!("sqlite://{}", dir.path().join("bot.db").display());
        let log = dir.path().join("trainbot.log");
        let child = Command::new(env!("CARGO_BIN_EXE_trainbot"))
            .arg("run")
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .envs(std::env::var_os("LLVM_PROFILE_FILE").map(|f| ("LLVM_PROFILE_FILE", f)))
            .envs([
                ("BOT_TOKEN", fake.token()),
                ("TELEGRAM_API_URL", fake.api_url()),
                ("DATABASE_URL", db),
                ("CONTENT_DIR", sample_pack().display().to_string()),
                ("LISTEN", "127.0.0.1:0".into()),
            ])
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Running {
            child: Some(child),
            log,
            dir,
        }
    }

    /// The SQLite file the bot runs on.
    pub fn database(&self) -> PathBuf {
        self.dir.path().join("bot.db")
    }

    /// Stops the bot with SIGTERM, as systemd or Kubernetes would; fails unless it
    /// exits cleanly. Returns what it wrote to standard error.
    pub async fn stop(mut self) -> String {
        let mut child = self.child.take().expect("running");
        let signalled = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(signalled.success());
        let status = tokio::task::spawn_blocking(move || child.wait())
            .await
            .unwrap()
            .unwrap();
        let logs = std::fs::read_to_string(&self.log).unwrap();
        assert!(status.success(), "{status}\n{logs}");
        logs
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Serves `router` on a free loopback port; returns its `http://` address.
pub async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    address
}
