//! Logs: human-readable text by default, JSON with `LOG_FORMAT=json`; the level
//! from `RUST_LOG` (default `info`).

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

pub fn init(format: LogFormat) {
    // teloxide and reqwest log request URLs at debug level, and every Bot API URL
    // holds the token: keep them at warn unless RUST_LOG says otherwise explicitly.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new("info,teloxide=warn,teloxide_core=warn,reqwest=warn,hyper=warn,sqlx=warn")
    });
    // Colour only on a terminal: under systemd, Docker or Kubernetes the escape codes
    // would end up in every stored log line.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
