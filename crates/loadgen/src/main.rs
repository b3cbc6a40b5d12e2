//! `loadgen`: simulated crowds of staff against `fake-telegram`, driving the real
//! `trainbot run` binary, reporting start-up time, memory, latency and errors.
//!
//! It starts an in-process [`fake_telegram::FakeTelegram`] on 127.0.0.1, then the bot
//! as a child process pointed at it (fresh SQLite database in a temporary folder, or
//! `--database-url` / `--redis-url`), plays people through the fake's Rust API and
//! stops the bot with SIGTERM. Scenarios:
//!
//! - `startup`: spawn to the bot's first getUpdates, several times (fresh database
//!   each time); also SIGTERM to exit.
//! - `memory`: resident memory idle, and after N people each sent /menu and opened a
//!   section.
//! - `latency`: press to the bot's `editMessageText` arriving at the fake, for one
//!   person pressing sequentially, then for N people pressing K times each as fast as
//!   the bot answers; percentiles, throughput, CPU used, and the fake's violations.
//! - `all`: all of them.
//! - `pace`: N people at a human pace (a press, the answer, one to three seconds of
//!   thought): latency, CPU and memory.
//! - `broadcast`: an announcement to many people while some of them walk at a human
//!   pace.
//! - `soak`: many known people, a crowd of them at a human pace for half an hour or
//!   more: the bot's memory curve.
//! - `topology`: replicas behind nginx on PostgreSQL and Redis with Sentinel.
//!
//! The people walk the browse-and-quiz mix by default (`--walk`, module `walk`).
//!
//! Results are printed as Markdown tables (and optionally written as JSON); figures are
//! recorded in `docs/benchmarks.md`, never asserted. Everything is bounded: each
//! scenario aborts with an error after `--scenario-timeout-secs`.
//!
//! Modules: `stats` (percentiles, `/proc` parsing), `bot` (the child process),
//! `driver` (waiting for answers, matching presses to answers), `walk` (what a person
//! presses next), `scenarios`, `pace`, `broadcast`, `topology`, `report`.

mod bot;
mod broadcast;
mod driver;
mod pace;
mod report;
mod scenarios;
mod stats;
mod topology;
mod walk;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Parser, ValueEnum};
use fake_telegram::FakeConfig;

use crate::bot::BotSettings;
use crate::report::Report;
use crate::scenarios::Plan;
use crate::walk::{Labels, Walk};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Scenario {
    /// Cold start: spawn to first getUpdates, repeated.
    Startup,
    /// Resident memory idle and after N people.
    Memory,
    /// Press-to-edit latency: one person, then N people at once.
    Latency,
    /// All of the above (not the scenarios below, which take minutes).
    All,
    /// `--users` people at a human pace for `--quiet-secs`.
    Pace,
    /// An announcement to `--recipients` people under Telegram-like flood control,
    /// while `--browsers` of them browse: delivery time, and their latency before
    /// and during it.
    Broadcast,
    /// `--replicas` replicas on PostgreSQL and Redis with Sentinel, behind nginx by
    /// webhook (or polling, `--polling`); `--users` people browse while a broadcast
    /// goes out, one replica is killed and restarted and the Redis master fails
    /// over: lost and doubled updates, and latency per phase.
    Topology,
    /// `--known` people, `--users` of them at a time at a human pace for
    /// `--soak-secs`: the bot's resident memory every `--sample-secs`.
    Soak,
}

#[derive(Debug, Parser)]
#[command(
    name = "loadgen",
    version,
    about = "Load generator for trainbot: runs the real bot against fake-telegram and reports start-up time, memory and latency"
)]
struct Args {
    /// The `trainbot` binary (default: `trainbot` next to this program, i.e. the same
    /// target directory).
    #[arg(long)]
    bot: Option<PathBuf>,
    /// The content pack folder.
    #[arg(long, default_value = "content")]
    content: PathBuf,
    /// People in the crowd (memory and concurrent latency).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=20_000))]
    users: u32,
    /// What the people press: page views only, or the browse-and-quiz mix (four page
    /// views, then a knowledge check to its result, and again).
    #[arg(long, value_enum, default_value = "mix")]
    walk: Walk,
    /// Presses per person in the concurrent latency run.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=1_000))]
    presses_per_user: u32,
    /// Presses of the single person in the sequential latency run.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    sequential_presses: u32,
    /// Start-up repetitions.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    startup_runs: u32,
    #[arg(long, value_enum, default_value = "all")]
    scenario: Scenario,
    /// Also write the results as JSON to this file.
    #[arg(long)]
    out_json: Option<PathBuf>,
    /// Run the bot on this database instead of a fresh SQLite file (e.g.
    /// postgres://USER@127.0.0.1:5432/DB). The bot migrates it.
    #[arg(long)]
    database_url: Option<String>,
    /// Run the bot's shared state on this Redis (a unique key prefix per process).
    #[arg(long)]
    redis_url: Option<String>,
    /// MAX_IN_FLIGHT for the bot (default: the bot's own).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    max_in_flight: Option<u32>,
    /// People a broadcast goes to (`broadcast` scenario).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    recipients: u32,
    /// People browsing during the broadcast (`broadcast` scenario).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    browsers: u32,
    /// Seconds of browsing without a broadcast, for comparison; the length of the
    /// `pace` scenario.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3_600))]
    quiet_secs: u64,
    /// A person's shortest pause between presses at a human pace, ms.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    think_min_ms: u64,
    /// A person's longest pause between presses at a human pace, ms.
    #[arg(long, default_value_t = 3000, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    think_max_ms: u64,
    /// People the bot knows in the `soak` scenario.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    known: u32,
    /// Seconds the `soak` scenario walks.
    #[arg(long, default_value_t = 1800, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    soak_secs: u64,
    /// Seconds between two readings of the bot's memory in the `soak` scenario.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3_600))]
    sample_secs: u64,
    /// A scenario that runs longer than this aborts with an error (the soak gets this
    /// on top of `--soak-secs`).
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=3_600))]
    scenario_timeout_secs: u64,
    /// How long one person waits for one answer before counting an error.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    press_timeout_secs: u64,
    /// Replicas in the `topology` scenario.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=10))]
    replicas: u32,
    /// The `topology` replicas poll (one holds the lease) instead of webhook + nginx.
    #[arg(long)]
    polling: bool,
    /// Seconds of each `topology` phase (steady, replica killed, failover, rolling
    /// upgrade, after).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(6..=600))]
    phase_secs: u64,
    /// The `redis-server` binary for the topology's Redis and sentinels.
    #[arg(long, default_value = "/usr/bin/redis-server")]
    redis_server: PathBuf,
    /// The `nginx` binary in front of the topology's replicas.
    #[arg(long, default_value = "/usr/sbin/nginx")]
    nginx: PathBuf,
    /// Fail (exit 1) when the topology lost an update, answered a press twice or
    /// never, answered a chat out of order, sent an announcement twice or missed
    /// a recipient, broke a Telegram rule, left replicas on mixed builds, or
    /// left a person's press without its screen (an error the crowd saw).
    #[arg(long)]
    check: bool,
    /// The new build the topology's rolling upgrade brings in (default: the
    /// `--bot` binary again).
    #[arg(long)]
    upgrade_to: Option<PathBuf>,
    /// The deployment's nginx file the topology's nginx is configured from.
    #[arg(long, default_value = "deploy/nginx/trainbot.conf")]
    nginx_conf: PathBuf,
    /// Keep each bot process's log (and SQLite file) in a folder of its own
    /// under this folder after the run, instead of removing them.
    #[arg(long)]
    keep_logs: Option<PathBuf>,
    /// The "back" button's text (people use English).
    #[arg(long, default_value = "⬅️ Back")]
    back_button: String,
    /// The "main menu" button's text.
    #[arg(long, default_value = "🏠 Main menu")]
    home_button: String,
}

fn default_bot() -> Result<PathBuf> {
    let me = std::env::current_exe().context("cannot find this program's own path")?;
    let dir = me
        .parent()
        .context("this program's path has no parent folder")?;
    Ok(dir.join("trainbot"))
}

fn plan(args: &Args) -> Result<Plan> {
    let binary = match &args.bot {
        Some(path) => path.clone(),
        None => default_bot()?,
    };
    for (flag, url) in [
        ("--database-url", &args.database_url),
        ("--redis-url", &args.redis_url),
    ] {
        if let Some(url) = url
            && !url.contains("127.0.0.1")
            && !url.contains("localhost")
        {
            bail!(
                "{flag} must point at this machine (127.0.0.1 or localhost): loadgen keeps all traffic local"
            );
        }
    }
    let bot = BotSettings {
        binary,
        content: args.content.clone(),
        database_url: args.database_url.clone(),
        redis_url: args.redis_url.clone(),
        max_in_flight: args.max_in_flight,
        poll_timeout_secs: 10,
        extra_env: Vec::new(),
        keep_logs: args.keep_logs.clone(),
    };
    bot.validate()?;
    if args.think_min_ms > args.think_max_ms {
        bail!(
            "--think-min-ms ({}) is more than --think-max-ms ({})",
            args.think_min_ms,
            args.think_max_ms
        );
    }
    let to_usize = |n: u32| usize::try_from(n).context("number too large for this machine");
    Ok(Plan {
        bot,
        fake: FakeConfig::default(),
        users: to_usize(args.users)?,
        presses_per_user: to_usize(args.presses_per_user)?,
        sequential_presses: to_usize(args.sequential_presses)?,
        startup_runs: to_usize(args.startup_runs)?,
        press_timeout: Duration::from_secs(args.press_timeout_secs),
        walk: args.walk,
        labels: Labels {
            back: args.back_button.clone(),
            home: args.home_button.clone(),
            ..Labels::default()
        },
        think: (
            Duration::from_millis(args.think_min_ms),
            Duration::from_millis(args.think_max_ms),
        ),
        first_user_id: 7_000_000_001,
        recipients: to_usize(args.recipients)?,
        browsers: to_usize(args.browsers.min(args.recipients))?,
        quiet: Duration::from_secs(args.quiet_secs),
        known: to_usize(args.known)?,
        soak: Duration::from_secs(args.soak_secs),
        sample: Duration::from_secs(args.sample_secs),
    })
}

/// Runs `work`, failing if it takes longer than `limit`.
async fn bounded<T>(
    name: &str,
    limit: Duration,
    work: impl Future<Output = Result<T>>,
) -> Result<T> {
    eprintln!("running scenario `{name}` (limit {}s) ...", limit.as_secs());
    match tokio::time::timeout(limit, work).await {
        Ok(result) => result.with_context(|| format!("scenario `{name}` failed")),
        Err(_) => bail!(
            "scenario `{name}` exceeded its limit of {}s and was aborted",
            limit.as_secs()
        ),
    }
}

async fn run(args: Args) -> Result<()> {
    let plan = plan(&args)?;
    let limit = Duration::from_secs(args.scenario_timeout_secs);
    let mut report = Report::new(&plan);
    let wants = |s: Scenario| args.scenario == s || args.scenario == Scenario::All;
    if wants(Scenario::Startup) {
        report.startup = Some(bounded("startup", limit, scenarios::startup(&plan)).await?);
    }
    if wants(Scenario::Memory) {
        report.memory = Some(bounded("memory", limit, scenarios::memory(&plan)).await?);
    }
    if wants(Scenario::Latency) {
        report.latency = bounded("latency", limit, scenarios::latency(&plan)).await?;
    }
    if args.scenario == Scenario::Pace {
        report
            .latency
            .push(bounded("pace", limit, pace::pace(&plan)).await?);
    }
    if args.scenario == Scenario::Soak {
        let limit = limit + plan.soak;
        report.soak = Some(bounded("soak", limit, pace::soak(&plan)).await?);
    }
    if args.scenario == Scenario::Broadcast {
        report.broadcast = Some(bounded("broadcast", limit, broadcast::broadcast(&plan)).await?);
    }
    if args.scenario == Scenario::Topology {
        let topo = topology::TopologyPlan {
            replicas: usize::try_from(args.replicas).context("too many replicas")?,
            polling: args.polling,
            phase: Duration::from_secs(args.phase_secs),
            redis_server: args.redis_server.clone(),
            nginx: args.nginx.clone(),
            nginx_conf: args.nginx_conf.clone(),
            upgrade_to: args.upgrade_to.clone(),
        };
        report.stack = "PostgreSQL + Redis with Sentinel".to_owned();
        report.topology = Some(bounded("topology", limit, topology::topology(&plan, &topo)).await?);
    }
    println!("{}", report.markdown());
    if args.check
        && let Some(t) = &report.topology
    {
        let broken = t.broken();
        if !broken.is_empty() {
            bail!("the topology run broke its promises: {}", broken.join("; "));
        }
    }
    if let Some(path) = &args.out_json {
        let text =
            serde_json::to_string_pretty(&report.json()).context("cannot encode the results")?;
        std::fs::write(path, text + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("results written to {}", path.display());
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
