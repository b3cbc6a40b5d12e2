//! `trainbot`: see `trainbot --help`.

use std::process::ExitCode;

use clap::Parser;
use server::cli::Cli;

/// jemalloc returns memory freed after a burst (a thousand people writing at once)
/// to the system within seconds; glibc's malloc kept it (ADR 0039). It serves
/// SQLite's C allocations as well (the crate's unprefixed feature). Its options
/// are built in: `JEMALLOC_SYS_WITH_MALLOC_CONF` in `.cargo/config.toml`.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> ExitCode {
    Cli::parse().run().await
}
