//! `broadcast`: an admin sends an announcement to everyone through the panel while
//! people browse, under the fake's Telegram-like flood control (1 message/s per
//! chat, 30/s for the bot). Measures the time to deliver it to every recipient and
//! the browsing people's press-to-edit latency before and during it.

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fake_telegram::{FakeConfig, FakeTelegram, FloodControl, TestUser};
use tokio::io::AsyncWriteExt;

use crate::bot::BotProcess;
use crate::driver::Watcher;
use crate::pace::{browse, stop_after, walkers};
use crate::scenarios::{
    Errors, LatencyResult, Phase, Plan, log_problems, people, sections, start_crowd, walk_name,
};

const PASSWORD: &str = "loadgen admin password";
pub(crate) const ANNOUNCEMENT: &str = "Staff meeting tomorrow at 9:00 in the main hall.";

#[derive(Debug, Clone)]
pub struct BroadcastResult {
    pub recipients: usize,
    /// Confirm press to the admin's "finished" report.
    pub delivery: Duration,
    /// Broadcast messages the fake accepted.
    pub delivered: usize,
    pub refusals: usize,
    pub ignored_retry_after: usize,
    pub quiet: LatencyResult,
    pub during: LatencyResult,
}

/// The admin password's hash, from the bot's own `admin hash-password`.
pub(crate) async fn hash(plan: &Plan) -> Result<String> {
    let mut child = tokio::process::Command::new(&plan.bot.binary)
        .args(["admin", "hash-password"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot run `trainbot admin hash-password`")?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(PASSWORD.as_bytes()).await?;
    }
    let out = child.wait_with_output().await?;
    let hash = String::from_utf8(out.stdout)?.trim().to_owned();
    if !out.status.success() || !hash.starts_with("$argon2id$") {
        bail!("`trainbot admin hash-password` did not print a hash");
    }
    Ok(hash)
}

/// Whether the admin's chat shows a message passing `test`.
fn shows(
    fake: &FakeTelegram,
    admin: i64,
    test: impl Fn(&fake_telegram::MessageView) -> bool,
) -> bool {
    fake.messages(admin).iter().any(|m| m.from_bot && test(m))
}

fn has_button(m: &fake_telegram::MessageView, prefix: &str) -> bool {
    m.keyboard
        .iter()
        .flatten()
        .any(|b| b.text.starts_with(prefix))
}

/// Does one admin step and waits until the chat shows what it should.
async fn step(
    fake: &FakeTelegram,
    admin: i64,
    act: impl FnOnce(&FakeTelegram) -> Result<()>,
    expect: impl Fn(&fake_telegram::MessageView) -> bool,
    what: &str,
) -> Result<()> {
    act(fake)?;
    fake.wait_for(Duration::from_secs(30), |f| shows(f, admin, &expect))
        .await
        .with_context(|| format!("the admin panel did not show {what}"))
}

pub(crate) fn press(admin: i64, prefix: &'static str) -> impl FnOnce(&FakeTelegram) -> Result<()> {
    move |fake| {
        let button = fake
            .messages(admin)
            .iter()
            .rev()
            .flat_map(|m| m.keyboard.iter().flatten())
            .find(|b| b.text.starts_with(prefix))
            .map(|b| b.text.clone())
            .with_context(|| format!("no {prefix:?} button"))?;
        fake.press(admin, &button)?;
        Ok(())
    }
}

fn text(admin: i64, text: &'static str) -> impl FnOnce(&FakeTelegram) -> Result<()> {
    move |fake| {
        fake.send_text(admin, text);
        Ok(())
    }
}

/// Logs in and prepares an announcement to everyone, up to the confirm screen.
pub(crate) async fn prepare(fake: &FakeTelegram, admin: i64) -> Result<()> {
    let body = |needle: &'static str| {
        move |m: &fake_telegram::MessageView| m.text.as_deref().is_some_and(|t| t.contains(needle))
    };
    step(
        fake,
        admin,
        text(admin, "/admin"),
        body("password"),
        "the password prompt",
    )
    .await?;
    let panel = |m: &fake_telegram::MessageView| has_button(m, "📣 Broadcasts");
    step(fake, admin, text(admin, PASSWORD), panel, "the panel").await?;
    let history = |m: &fake_telegram::MessageView| has_button(m, "✏️ New broadcast");
    step(
        fake,
        admin,
        press(admin, "📣 Broadcasts"),
        history,
        "the broadcasts",
    )
    .await?;
    let prompt = body("Send the announcement");
    step(
        fake,
        admin,
        press(admin, "✏️ New broadcast"),
        prompt,
        "the prompt",
    )
    .await?;
    let audience = |m: &fake_telegram::MessageView| has_button(m, "Everyone");
    step(
        fake,
        admin,
        text(admin, ANNOUNCEMENT),
        audience,
        "the audiences",
    )
    .await?;
    let confirm = |m: &fake_telegram::MessageView| has_button(m, "✅ Send to");
    step(
        fake,
        admin,
        press(admin, "Everyone"),
        confirm,
        "the confirm screen",
    )
    .await
}

pub async fn broadcast(plan: &Plan) -> Result<BroadcastResult> {
    let fake = FakeTelegram::start(FakeConfig {
        flood_control: Some(FloodControl::default()),
        ..plan.fake.clone()
    })
    .await
    .context("cannot start the fake Telegram")?;
    let admin = plan.first_user_id - 1;
    let mut settings = plan.bot.clone();
    settings.extra_env = vec![
        ("ADMIN_IDS".into(), admin.to_string()),
        ("ADMIN_PASSWORD_HASH".into(), hash(plan).await?),
    ];
    let mut bot = BotProcess::spawn(&settings, &fake)?;
    bot.wait_polling(&fake).await?;
    let watcher = Watcher::start(&fake);
    fake.add_user(TestUser::new(admin, "Admin").language("en"));

    // Everyone writes to the bot once, so that they are known (not measured).
    let ids = people(plan, &fake, 0..plan.recipients)?;
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
    let browsers: Vec<i64> = known.iter().copied().take(plan.browsers).collect();
    let sections = Arc::new(sections(&fake, browsers[0])?);

    // Browsing without a broadcast.
    let stop = Arc::new(AtomicBool::new(false));
    let phase = Phase::begin(&bot, &fake)?;
    let stopper = stop_after(&stop, plan.quiet);
    let crowd = walkers(plan, &browsers);
    let (presses, errors, mut crowd) = browse(&fake, &watcher, crowd, &sections, plan, &stop).await;
    stopper.await?;
    let name = format!(
        "{} people at a human pace ({}), no broadcast",
        browsers.len(),
        walk_name(plan.walk)
    );
    let quiet = phase.finish(&name, browsers.len(), &presses, errors, &fake, &bot)?;

    // The same walk while the announcement goes to everyone, each person from the
    // main menu again (the first run left some of them inside a section), going on
    // with their walk (a check taken before is not taken again).
    prepare(&fake, admin).await?;
    let mut errors = Errors::default();
    let again = start_crowd(&fake, &watcher, &browsers, plan.press_timeout, &mut errors).await;
    if again.len() != browsers.len() {
        bail!(
            "the browsers could not open the menu again: {:?}",
            errors.shown
        );
    }
    for (_, walker) in &mut crowd {
        walker.back_home();
    }
    let stop = Arc::new(AtomicBool::new(false));
    let phase = Phase::begin(&bot, &fake)?;
    let browsing = {
        let (fake, watcher, sections, plan, stop) = (
            fake.clone(),
            watcher.clone(),
            sections.clone(),
            plan.clone(),
            stop.clone(),
        );
        tokio::spawn(async move { browse(&fake, &watcher, crowd, &sections, &plan, &stop).await })
    };
    let sent_at = Instant::now();
    press(admin, "✅ Send to")(&fake)?;
    let finished = |f: &FakeTelegram| {
        shows(f, admin, |m| {
            m.text.as_deref().is_some_and(|t| t.contains("is finished"))
        })
    };
    let waited = fake.wait_for(plan.press_timeout * 100, finished).await;
    let delivery = sent_at.elapsed();
    stop.store(true, Ordering::Relaxed);
    let (presses, errors, _) = browsing.await?;
    waited.context("the broadcast did not finish")?;
    let name = format!(
        "{} people at a human pace ({}), during the broadcast",
        browsers.len(),
        walk_name(plan.walk)
    );
    let during = phase.finish(&name, browsers.len(), &presses, errors, &fake, &bot)?;

    // Everyone the bot knows gets it, the admin who sent it included.
    let delivered = known
        .iter()
        .chain([&admin])
        .filter(|&&c| {
            fake.messages(c)
                .iter()
                .any(|m| m.from_bot && m.text.as_deref() == Some(ANNOUNCEMENT))
        })
        .count();
    let result = BroadcastResult {
        recipients: known.len() + 1,
        delivery,
        delivered,
        refusals: fake.flood_refusals(),
        ignored_retry_after: fake.retry_after_ignored().len(),
        quiet,
        during,
    };
    watcher.shutdown();
    log_problems(&bot, "broadcast");
    bot.stop().await?;
    fake.shutdown().await;
    Ok(result)
}
