//! People at a human pace: each presses, waits for the answer, and thinks for one to
//! three seconds (`--think-ms`) before the next press.
//!
//! - `pace`: `--users` people for `--quiet-secs`: press-to-answer latency, CPU and
//!   memory.
//! - `soak`: `--known` people write to the bot once, then `--users` of them at a time
//!   walk at a human pace for `--soak-secs`: each walker is one person for a session
//!   of about [`SESSION`] presses (ended outside a check), then the next, so that
//!   every known person keeps coming back. Every `--sample-secs` the bot's resident memory and CPU are
//!   read, with the presses of that interval and their latency: the memory curve.
//!   Latency here is as the generator's watcher saw it (it includes the watcher's
//!   wake-up, a fraction of a millisecond at this pace), because matching an hour of
//!   requests afterwards would keep them all; the request log is dropped at every
//!   sample to keep the generator's own memory flat.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use fake_telegram::FakeTelegram;
use tokio::task::JoinSet;

use crate::bot::BotProcess;
use crate::driver::{Press, Watcher};
use crate::scenarios::{
    Errors, LatencyResult, Phase, Plan, log_problems, people, sections, start_crowd, walk_name,
    walk_step,
};
use crate::stats::Summary;
use crate::walk::Walker;

/// Presses of one person's session in the soak (about a minute at a human pace).
const SESSION: usize = 30;

/// People walking at a human pace until `stop`, each with their walker; their
/// presses, errors, and the walkers back (in the same order) to go on with later. A
/// person in the middle of a check when `stop` comes finishes it first, so that no
/// attempt is left open. A person whose press goes unanswered stops walking (the
/// error is counted).
pub(crate) async fn browse(
    fake: &FakeTelegram,
    watcher: &Watcher,
    people: Vec<(i64, Walker)>,
    sections: &Arc<Vec<String>>,
    plan: &Plan,
    stop: &Arc<AtomicBool>,
) -> (Vec<Press>, Errors, Vec<(i64, Walker)>) {
    let mut tasks = JoinSet::new();
    let crowd = people.len().max(1) as f64;
    for (i, (id, mut walker)) in people.into_iter().enumerate() {
        let (fake, watcher, sections, stop) = (
            fake.clone(),
            watcher.clone(),
            sections.clone(),
            stop.clone(),
        );
        let plan = plan.clone();
        tasks.spawn(async move {
            // Spread the first presses over the longest think time.
            tokio::time::sleep(plan.think.1.mul_f64(i as f64 / crowd)).await;
            let mut mine = Vec::new();
            let mut error = None;
            while !stop.load(Ordering::Relaxed) || walker.in_check() {
                match walk_step(&fake, &watcher, id, &mut walker, &sections, &plan).await {
                    Ok(p) => mine.push(p),
                    Err(e) => {
                        error = Some(e);
                        break;
                    }
                }
                tokio::time::sleep(walker.think(plan.think.0, plan.think.1)).await;
            }
            (i, id, walker, mine, error)
        });
    }
    let mut presses = Vec::new();
    let mut errors = Errors::default();
    let mut back = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((i, id, walker, mine, error)) => {
                presses.extend(mine);
                back.push((i, id, walker));
                if let Some(e) = error {
                    errors.add(&e);
                }
            }
            Err(e) => errors.add(&anyhow::Error::from(e)),
        }
    }
    back.sort_by_key(|(i, _, _)| *i);
    let walkers = back.into_iter().map(|(_, id, w)| (id, w)).collect();
    (presses, errors, walkers)
}

/// Each of `people` with a new walker.
pub(crate) fn walkers(plan: &Plan, people: &[i64]) -> Vec<(i64, Walker)> {
    people
        .iter()
        .enumerate()
        .map(|(i, &id)| (id, Walker::new(plan.walk, i)))
        .collect()
}

/// Sets `stop` after `after`.
pub(crate) fn stop_after(stop: &Arc<AtomicBool>, after: Duration) -> tokio::task::JoinHandle<()> {
    let stop = stop.clone();
    tokio::spawn(async move {
        tokio::time::sleep(after).await;
        stop.store(true, Ordering::Relaxed);
    })
}

/// `pace`: `plan.users` people at a human pace for `plan.quiet`.
pub async fn pace(plan: &Plan) -> Result<LatencyResult> {
    let fake = FakeTelegram::start(plan.fake.clone())
        .await
        .context("cannot start the fake Telegram")?;
    let mut bot = BotProcess::spawn(&plan.bot, &fake)?;
    bot.wait_polling(&fake).await?;
    let watcher = Watcher::start(&fake);
    let ids = people(plan, &fake, 0..plan.users)?;
    let mut errors = Errors::default();
    let started = start_crowd(&fake, &watcher, &ids, plan.press_timeout, &mut errors).await;
    let first = *started
        .first()
        .ok_or_else(|| anyhow!("no one got an answer to /menu: {:?}", errors.shown))?;
    let sections = Arc::new(sections(&fake, first)?);
    let stop = Arc::new(AtomicBool::new(false));
    let phase = Phase::begin(&bot, &fake)?;
    let stopper = stop_after(&stop, plan.quiet);
    let crowd = walkers(plan, &started);
    let (presses, mut walked, _) = browse(&fake, &watcher, crowd, &sections, plan, &stop).await;
    stopper.await?;
    bot.ensure_running()?;
    walked.absorb(errors);
    let name = format!(
        "{} people at a human pace ({})",
        started.len(),
        walk_name(plan.walk)
    );
    let result = phase.finish(&name, started.len(), &presses, walked, &fake, &bot)?;
    watcher.shutdown();
    log_problems(&bot, "pace");
    bot.stop().await?;
    fake.shutdown().await;
    Ok(result)
}

/// One reading of the soak.
#[derive(Debug, Clone)]
pub struct SoakSample {
    /// Since the walking began.
    pub at: Duration,
    pub rss_kib: u64,
    /// The bot's CPU time in this interval.
    pub cpu: Duration,
    /// Presses answered in this interval, and their latency.
    pub presses: usize,
    pub summary: Option<Summary>,
}

#[derive(Debug, Clone)]
pub struct SoakResult {
    pub known: usize,
    pub walking: usize,
    pub idle_kib: u64,
    /// After every known person wrote to the bot, before the walking.
    pub known_kib: u64,
    pub samples: Vec<SoakSample>,
    pub peak_kib: u64,
    pub error_count: usize,
    pub errors: Vec<String>,
    pub violations: usize,
    pub database_bytes: Option<u64>,
}

/// What the walkers report as they go.
#[derive(Default)]
struct Tally {
    latencies: Mutex<Vec<Duration>>,
    errors: Mutex<Errors>,
    /// Walkers still walking.
    walking: AtomicUsize,
}

impl Tally {
    fn take(&self) -> Vec<Duration> {
        std::mem::take(&mut *self.latencies.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// `soak`: see the module documentation.
pub async fn soak(plan: &Plan) -> Result<SoakResult> {
    let fake = FakeTelegram::start(plan.fake.clone())
        .await
        .context("cannot start the fake Telegram")?;
    let mut bot = BotProcess::spawn(&plan.bot, &fake)?;
    bot.wait_polling(&fake).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (idle_kib, _) = bot.memory_kib()?;
    let watcher = Watcher::start(&fake);
    let ids = people(plan, &fake, 0..plan.known)?;
    let mut errors = Errors::default();
    let known = start_crowd(&fake, &watcher, &ids, plan.press_timeout, &mut errors).await;
    if known.len() != ids.len() {
        bail!(
            "only {} of {} people reached the bot: {:?}",
            known.len(),
            ids.len(),
            errors.shown
        );
    }
    let sections = Arc::new(sections(&fake, known[0])?);
    fake.forget_requests();
    let (known_kib, _) = bot.memory_kib()?;

    let walkers = plan.users.min(known.len());
    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let known = Arc::new(known);
    let mut tasks = JoinSet::new();
    for w in 0..walkers {
        let (fake, watcher, sections, stop, tally, known) = (
            fake.clone(),
            watcher.clone(),
            sections.clone(),
            stop.clone(),
            tally.clone(),
            known.clone(),
        );
        let plan = plan.clone();
        tally.walking.fetch_add(1, Ordering::Relaxed);
        tasks.spawn(async move {
            // Walker `w` takes turns with people w, w + walkers, w + 2 walkers, ...
            let mine: Vec<usize> = (w..known.len()).step_by(walkers).collect();
            let mut walks: Vec<Walker> = mine.iter().map(|&i| Walker::new(plan.walk, i)).collect();
            tokio::time::sleep(plan.think.1.mul_f64(w as f64 / walkers as f64)).await;
            let (mut slot, mut session) = (0, 0);
            while !stop.load(Ordering::Relaxed) {
                // A session of a few dozen presses, ended outside a check, then
                // the next person: people come and go, as between shifts.
                if session >= SESSION && !walks[slot].in_check() {
                    slot = (slot + 1) % mine.len();
                    session = 0;
                }
                session += 1;
                let chat = known[mine[slot]];
                let pressed = Instant::now();
                let walker = &mut walks[slot];
                match walk_step(&fake, &watcher, chat, walker, &sections, &plan).await {
                    Ok(_) => tally
                        .latencies
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(pressed.elapsed()),
                    Err(e) => {
                        tally
                            .errors
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .add(&e);
                        break;
                    }
                }
                let pause = walks[slot].think(plan.think.0, plan.think.1);
                tokio::time::sleep(pause).await;
            }
            tally.walking.fetch_sub(1, Ordering::Relaxed);
        });
    }

    let began = Instant::now();
    let mut samples = Vec::new();
    let mut cpu_before = bot.cpu_time()?;
    while began.elapsed() < plan.soak {
        tokio::time::sleep(plan.sample.min(plan.soak.saturating_sub(began.elapsed()))).await;
        bot.ensure_running()?;
        let cpu_now = bot.cpu_time()?;
        let latencies = tally.take();
        let (rss_kib, _) = bot.memory_kib()?;
        fake.forget_requests();
        let sample = SoakSample {
            at: began.elapsed(),
            rss_kib,
            cpu: cpu_now.saturating_sub(cpu_before),
            presses: latencies.len(),
            summary: Summary::of(&latencies),
        };
        cpu_before = cpu_now;
        eprintln!(
            "[soak] {:>5.0} s: RSS {:.1} MiB, {} presses, p95 {:?}, walking {}",
            sample.at.as_secs_f64(),
            crate::stats::mib(sample.rss_kib),
            sample.presses,
            sample.summary.map(|s| s.p95),
            tally.walking.load(Ordering::Relaxed),
        );
        samples.push(sample);
    }
    stop.store(true, Ordering::Relaxed);
    while let Some(joined) = tasks.join_next().await {
        if let Err(e) = joined {
            errors.add(&anyhow::Error::from(e));
        }
    }
    let walked = std::mem::take(&mut *tally.errors.lock().unwrap_or_else(|p| p.into_inner()));
    errors.absorb(walked);
    let (_, peak_kib) = bot.memory_kib()?;
    let database_bytes = bot.database_bytes();
    let violations = fake.violations().len();
    watcher.shutdown();
    log_problems(&bot, "soak");
    bot.stop().await?;
    fake.shutdown().await;
    Ok(SoakResult {
        known: known.len(),
        walking: walkers,
        idle_kib,
        known_kib,
        samples,
        peak_kib,
        error_count: errors.count(),
        errors: errors.shown,
        violations,
        database_bytes,
    })
}
