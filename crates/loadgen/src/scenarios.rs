//! The scenarios: cold start, memory, and button-press latency (one person, then a
//! crowd). Each starts its own fake and its own bot process, and returns numbers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use domain::callback::Callback;
use fake_telegram::{FakeConfig, FakeTelegram, TestUser};
use tokio::task::JoinSet;

use crate::bot::{self, BotProcess, BotSettings};
use crate::driver::{self, Press, Watcher};
use crate::stats::Summary;
use crate::walk::{Labels, Walk, Walker};

/// Knobs shared by the scenarios.
#[derive(Debug, Clone)]
pub struct Plan {
    pub bot: BotSettings,
    pub fake: FakeConfig,
    pub users: usize,
    pub presses_per_user: usize,
    pub sequential_presses: usize,
    pub startup_runs: usize,
    /// How long one person waits for one answer before giving up.
    pub press_timeout: Duration,
    /// What the people press: page views only, or the browse-and-quiz mix.
    pub walk: Walk,
    /// The texts of the buttons pressed by name.
    pub labels: Labels,
    /// A person's pause between presses at a human pace: from, to.
    pub think: (Duration, Duration),
    pub first_user_id: i64,
    /// People a broadcast goes to (the `broadcast` scenario).
    pub recipients: usize,
    /// People browsing while it goes out.
    pub browsers: usize,
    /// How long they browse before it starts (the comparison run), and how long
    /// the `pace` scenario's people browse.
    pub quiet: Duration,
    /// People the bot knows in the `soak` scenario.
    pub known: usize,
    /// How long the soak walks, and how often it reads the bot's memory.
    pub soak: Duration,
    pub sample: Duration,
}

/// Cold start figures.
#[derive(Debug, Clone)]
pub struct StartupResult {
    /// Spawn to the first getUpdates at the fake, per run.
    pub to_polling: Vec<Duration>,
    /// Spawn to the first Bot API request of any kind, per run.
    pub to_first_request: Vec<Duration>,
    /// SIGTERM to exit, per run.
    pub shutdown: Vec<Duration>,
    pub all_graceful: bool,
}

/// Resident memory figures.
#[derive(Debug, Clone)]
pub struct MemoryResult {
    pub users: usize,
    pub idle_kib: u64,
    pub loaded_kib: u64,
    pub peak_kib: u64,
    pub database_bytes: Option<u64>,
    pub elapsed: Duration,
    pub errors: Vec<String>,
    pub error_count: usize,
    pub violations: usize,
}

/// One latency run.
#[derive(Debug, Clone)]
pub struct LatencyResult {
    pub name: String,
    pub users: usize,
    pub presses: usize,
    pub summary: Option<Summary>,
    /// Presses answered per second, first press to last answer.
    pub throughput: f64,
    pub elapsed: Duration,
    pub unmatched: usize,
    pub error_count: usize,
    pub errors: Vec<String>,
    pub violations: usize,
    pub unanswered_callbacks: usize,
    pub failed_requests: Vec<(String, usize)>,
    pub requests: Vec<(String, usize)>,
    pub bot_cpu: Duration,
    pub loadgen_cpu: Duration,
    pub bot_rss_kib: u64,
}

/// Keeps the first few error messages and counts them all.
#[derive(Debug, Default)]
pub(crate) struct Errors {
    pub(crate) shown: Vec<String>,
    count: usize,
}

impl Errors {
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// Adds `other`'s errors to these.
    pub(crate) fn absorb(&mut self, other: Errors) {
        self.count += other.count;
        let room = 5usize.saturating_sub(self.shown.len());
        self.shown.extend(other.shown.into_iter().take(room));
    }

    pub(crate) fn add(&mut self, e: &anyhow::Error) {
        self.count += 1;
        if self.shown.len() < 5 {
            self.shown.push(format!("{e:#}"));
        }
    }
}

async fn fresh_fake(plan: &Plan) -> Result<FakeTelegram> {
    FakeTelegram::start(plan.fake.clone())
        .await
        .context("cannot start the fake Telegram")
}

pub(crate) fn user_id(plan: &Plan, index: usize) -> Result<i64> {
    let offset = i64::try_from(index).context("too many users")?;
    plan.first_user_id
        .checked_add(offset)
        .ok_or_else(|| anyhow!("user ids overflow"))
}

pub(crate) fn add_person(fake: &FakeTelegram, id: i64, index: usize) {
    fake.add_user(TestUser::new(id, format!("Load {index}")).language("en"));
}

/// People number `indexes` (English-speaking users of the fake); their ids.
pub(crate) fn people(
    plan: &Plan,
    fake: &FakeTelegram,
    indexes: impl IntoIterator<Item = usize>,
) -> Result<Vec<i64>> {
    indexes
        .into_iter()
        .map(|i| {
            let id = user_id(plan, i)?;
            add_person(fake, id, i);
            Ok(id)
        })
        .collect()
}

/// `startup`: spawn to first getUpdates, `runs` times, each on a fresh fake and a fresh
/// database (so migrations are included when running on SQLite).
pub async fn startup(plan: &Plan) -> Result<StartupResult> {
    let mut result = StartupResult {
        to_polling: Vec::new(),
        to_first_request: Vec::new(),
        shutdown: Vec::new(),
        all_graceful: true,
    };
    for run in 0..plan.startup_runs {
        let fake = fresh_fake(plan).await?;
        let mut bot = BotProcess::spawn(&plan.bot, &fake)?;
        let polling = bot
            .wait_polling(&fake)
            .await
            .with_context(|| format!("start-up run {}", run + 1))?;
        result.to_polling.push(polling - bot.spawned_at());
        if let Some(first) = fake.requests().iter().map(|r| r.at).min() {
            result
                .to_first_request
                .push(first.saturating_duration_since(bot.spawned_at()));
        }
        let stopped = bot.stop().await?;
        result.shutdown.push(stopped.shutdown);
        result.all_graceful &= stopped.graceful && stopped.success;
        fake.shutdown().await;
    }
    Ok(result)
}

/// Sends `/menu` for every person at once (bounded by `timeout` each).
pub(crate) async fn start_crowd(
    fake: &FakeTelegram,
    watcher: &Watcher,
    ids: &[i64],
    timeout: Duration,
    errors: &mut Errors,
) -> Vec<i64> {
    let mut tasks = JoinSet::new();
    for &id in ids {
        let (fake, watcher) = (fake.clone(), watcher.clone());
        tasks.spawn(async move {
            driver::start_and_wait(&fake, &watcher, id, timeout)
                .await
                .map(|()| id)
                .with_context(|| format!("chat {id}"))
        });
    }
    let mut started = Vec::with_capacity(ids.len());
    while let Some(joined) = tasks.join_next().await {
        match joined.map_err(anyhow::Error::from).and_then(|r| r) {
            Ok(id) => started.push(id),
            Err(e) => errors.add(&e),
        }
    }
    started.sort_unstable();
    started
}

/// The home menu's department buttons: those that open a content node (their data
/// starts with `1o`), leaving out the learning, profile and language buttons.
pub(crate) fn sections(fake: &FakeTelegram, chat: i64) -> Result<Vec<String>> {
    let Some(menu) = fake
        .messages(chat)
        .into_iter()
        .rev()
        .find(|m| m.from_bot && !m.keyboard.is_empty())
    else {
        bail!("the answer to /menu has no buttons");
    };
    let sections: Vec<String> = menu
        .keyboard
        .iter()
        .flatten()
        .filter(|b| {
            b.callback_data
                .as_deref()
                .is_some_and(|d| matches!(Callback::decode(d), Ok(Callback::Open(_))))
        })
        .map(|b| b.text.clone())
        .collect();
    if sections.is_empty() {
        bail!("the home menu has no section buttons: {:?}", menu.keyboard);
    }
    Ok(sections)
}

/// `memory`: VmRSS idle after start, then after `users` people each sent /menu and
/// opened one section.
pub async fn memory(plan: &Plan) -> Result<MemoryResult> {
    let fake = fresh_fake(plan).await?;
    let mut bot = BotProcess::spawn(&plan.bot, &fake)?;
    bot.wait_polling(&fake).await?;
    // Let start-up work (migrations, content load, first poll) settle before reading
    // memory: a pause before a reading, not a measurement.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (idle_kib, _) = bot.memory_kib()?;
    let watcher = Watcher::start(&fake);
    let began = Instant::now();
    let ids = people(plan, &fake, 0..plan.users)?;
    let mut errors = Errors::default();
    let started = start_crowd(&fake, &watcher, &ids, plan.press_timeout, &mut errors).await;
    let first = *started
        .first()
        .ok_or_else(|| anyhow!("no one got an answer to /menu: {:?}", errors.shown))?;
    let sections = Arc::new(sections(&fake, first)?);
    let mut tasks = JoinSet::new();
    for (i, &id) in started.iter().enumerate() {
        let (fake, watcher, sections) = (fake.clone(), watcher.clone(), sections.clone());
        let timeout = plan.press_timeout;
        tasks.spawn(async move {
            let button = &sections[i % sections.len()];
            driver::press_and_wait(&fake, &watcher, id, button, timeout).await
        });
    }
    while let Some(joined) = tasks.join_next().await {
        if let Err(e) = joined.map_err(anyhow::Error::from).and_then(|r| r) {
            errors.add(&e);
        }
    }
    let elapsed = began.elapsed();
    bot.ensure_running()?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (loaded_kib, peak_kib) = bot.memory_kib()?;
    let database_bytes = bot.database_bytes();
    watcher.shutdown();
    let violations = fake.violations().len();
    log_problems(&bot, "memory");
    bot.stop().await?;
    fake.shutdown().await;
    Ok(MemoryResult {
        users: plan.users,
        idle_kib,
        loaded_kib,
        peak_kib,
        database_bytes,
        elapsed,
        errors: errors.shown,
        error_count: errors.count,
        violations,
    })
}

/// One press of a person's walk: the button `walker` chooses for the screen the chat
/// shows, pressed, and the menu's answer awaited.
pub(crate) async fn walk_step(
    fake: &FakeTelegram,
    watcher: &Watcher,
    chat: i64,
    walker: &mut Walker,
    sections: &[String],
    plan: &Plan,
) -> Result<Press> {
    let screen = driver::screen(fake, chat);
    let button = walker
        .next(&screen, sections, &plan.labels)
        .with_context(|| {
            let text = fake.last_bot_message(chat).and_then(|m| m.text);
            format!("chat {chat}, whose screen says {text:?}")
        })?;
    driver::press_and_wait(fake, watcher, chat, &button, plan.press_timeout).await
}

/// `latency`: (a) one person pressing `sequential_presses` times in a row, (b)
/// `users` people each pressing `presses_per_user` times as fast as the bot answers.
pub async fn latency(plan: &Plan) -> Result<Vec<LatencyResult>> {
    let fake = fresh_fake(plan).await?;
    let mut bot = BotProcess::spawn(&plan.bot, &fake)?;
    bot.wait_polling(&fake).await?;
    let watcher = Watcher::start(&fake);
    let mut results = Vec::new();

    // (a) one person, sequentially.
    let solo = user_id(plan, 0)?;
    add_person(&fake, solo, 0);
    driver::start_and_wait(&fake, &watcher, solo, plan.press_timeout).await?;
    let sections = Arc::new(sections(&fake, solo)?);
    let mut errors = Errors::default();
    let mut presses = Vec::with_capacity(plan.sequential_presses);
    let phase = Phase::begin(&bot, &fake)?;
    let mut walker = Walker::new(plan.walk, 0);
    for _ in 0..plan.sequential_presses {
        match walk_step(&fake, &watcher, solo, &mut walker, &sections, plan).await {
            Ok(p) => presses.push(p),
            Err(e) => {
                errors.add(&e);
                break;
            }
        }
    }
    bot.ensure_running()?;
    let name = format!("one person, sequential ({})", walk_name(plan.walk));
    results.push(phase.finish(&name, 1, &presses, errors, &fake, &bot)?);

    // (b) a crowd. /menu first (not measured), then everyone presses at once.
    let ids = people(plan, &fake, 1..=plan.users)?;
    let mut errors = Errors::default();
    let started = start_crowd(&fake, &watcher, &ids, plan.press_timeout, &mut errors).await;
    let phase = Phase::begin(&bot, &fake)?;
    let mut tasks = JoinSet::new();
    for (i, &id) in started.iter().enumerate() {
        let (fake, watcher, sections) = (fake.clone(), watcher.clone(), sections.clone());
        let plan = plan.clone();
        tasks.spawn(async move {
            let count = plan.presses_per_user;
            let mut walker = Walker::new(plan.walk, i);
            let mut mine = Vec::with_capacity(count);
            for _ in 0..count {
                match walk_step(&fake, &watcher, id, &mut walker, &sections, &plan).await {
                    Ok(p) => mine.push(p),
                    Err(e) => return (mine, Some(e)),
                }
            }
            (mine, None)
        });
    }
    let mut presses = Vec::with_capacity(started.len() * plan.presses_per_user);
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((mine, error)) => {
                presses.extend(mine);
                if let Some(e) = error {
                    errors.add(&e);
                }
            }
            Err(e) => errors.add(&anyhow::Error::from(e)),
        }
    }
    bot.ensure_running()?;
    let name = format!(
        "{} people at once ({})",
        started.len(),
        walk_name(plan.walk)
    );
    results.push(phase.finish(&name, started.len(), &presses, errors, &fake, &bot)?);

    watcher.shutdown();
    log_problems(&bot, "latency");
    bot.stop().await?;
    fake.shutdown().await;
    Ok(results)
}

/// How a walk is named in the results.
pub(crate) fn walk_name(walk: Walk) -> &'static str {
    match walk {
        Walk::Browse => "page views",
        Walk::Mix => "browse-and-quiz mix",
    }
}

/// CPU and clock at the start of a measured phase.
pub(crate) struct Phase {
    began: Instant,
    bot_cpu: Duration,
    own_cpu: Duration,
    violations: usize,
}

impl Phase {
    pub(crate) fn begin(bot: &BotProcess, fake: &FakeTelegram) -> Result<Phase> {
        Ok(Phase {
            violations: fake.violations().len(),
            began: Instant::now(),
            bot_cpu: bot.cpu_time()?,
            own_cpu: bot::own_cpu_time()?,
        })
    }

    pub(crate) fn finish(
        self,
        name: &str,
        users: usize,
        presses: &[Press],
        errors: Errors,
        fake: &FakeTelegram,
        bot: &BotProcess,
    ) -> Result<LatencyResult> {
        let bot_cpu = bot.cpu_time()?.saturating_sub(self.bot_cpu);
        let loadgen_cpu = bot::own_cpu_time()?.saturating_sub(self.own_cpu);
        let requests = fake.requests();
        let matched = driver::match_answers(presses, &requests);
        let first_press = presses.iter().map(|p| p.at).min().unwrap_or(self.began);
        let elapsed = matched.last_answer.map_or(Duration::ZERO, |last| {
            last.saturating_duration_since(first_press)
        });
        let (bot_rss_kib, _) = bot.memory_kib()?;
        Ok(LatencyResult {
            name: name.to_owned(),
            users,
            presses: presses.len(),
            summary: Summary::of(&matched.latencies),
            throughput: crate::stats::per_second(matched.latencies.len(), elapsed),
            elapsed,
            unmatched: matched.unmatched,
            error_count: errors.count,
            errors: errors.shown,
            violations: fake.violations().len().saturating_sub(self.violations),
            unanswered_callbacks: fake.unanswered_callbacks().len(),
            failed_requests: driver::failed_requests(&requests, self.began),
            requests: driver::request_counts(&requests, self.began),
            bot_cpu,
            loadgen_cpu,
            bot_rss_kib,
        })
    }
}

/// Shows the bot's own warnings and errors (a few, and how many) on stderr.
pub(crate) fn log_problems(bot: &BotProcess, scenario: &str) {
    let problems = bot.log_problems();
    if problems.is_empty() {
        return;
    }
    eprintln!(
        "[{scenario}] the bot logged {} warning/error lines; the first ones:",
        problems.len()
    );
    for line in problems.iter().take(10) {
        eprintln!("  {line}");
    }
}
