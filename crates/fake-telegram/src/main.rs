//! `fake-telegram`: run the fake Bot API server on its own, for the load generator and
//! manual trials.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use fake_telegram::{FakeConfig, FakeTelegram, FloodControl};

/// A stateful fake Telegram Bot API server that enforces Telegram's rules.
#[derive(Debug, Parser)]
#[command(name = "fake-telegram", version)]
struct Args {
    /// Port to listen on (127.0.0.1); 0 picks a free one.
    #[arg(long, default_value_t = 8081)]
    port: u16,
    /// The bot token to accept.
    #[arg(long, default_value = "123456:TEST-TOKEN")]
    token: String,
    /// Path to a Bot API spec (api.json) to use instead of the bundled copy; defaults
    /// to TELEGRAM_API_SPEC if set, else the copy built into this binary.
    #[arg(long)]
    spec: Option<PathBuf>,
    /// Seconds after which answering a callback query fails as "too old".
    #[arg(long, default_value_t = 15)]
    callback_timeout_secs: u64,
    /// Turn on Telegram-like flood control with its defaults (1 msg/s per chat with
    /// bursts of 3, 30 msg/s overall, retry_after 1 s).
    #[arg(long)]
    flood_control: bool,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // Logs go to stderr so stdout carries only the api_url, for scripts.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let config = FakeConfig {
        token: args.token,
        spec_path: args.spec,
        port: args.port,
        callback_answer_timeout: Duration::from_secs(args.callback_timeout_secs),
        flood_control: args.flood_control.then(FloodControl::default),
    };
    let fake = match FakeTelegram::start(config).await {
        Ok(fake) => fake,
        Err(error) => {
            tracing::error!(%error, "can't start fake-telegram");
            return std::process::ExitCode::FAILURE;
        }
    };
    tracing::info!(api_url = %fake.api_url(), "fake-telegram serving");
    println!("{}", fake.api_url());
    if let Err(error) = tokio::signal::ctrl_c().await {
        tracing::error!(%error, "can't listen for ctrl-c");
    }
    fake.shutdown().await;
    std::process::ExitCode::SUCCESS
}
