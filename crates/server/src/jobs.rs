//! Background jobs: the reminder job, run on a timer by one replica at a time; and
//! the content watch, run by every replica, which keeps its content in step with
//! the edits and reloads made on any replica.

use std::sync::Arc;
use std::time::Duration;

use engine::Engine;
use engine::ports::StateStore;
use telegram::lane::PacedLane;
use tokio_util::sync::CancellationToken;

/// Runs reminder passes and sends their messages through the paced lane.
pub struct ReminderJob {
    engine: Arc<Engine>,
    lane: Arc<PacedLane>,
    state: Arc<dyn StateStore>,
    every: Duration,
}

impl ReminderJob {
    pub fn new(
        engine: Arc<Engine>,
        lane: Arc<PacedLane>,
        state: Arc<dyn StateStore>,
        every: Duration,
    ) -> ReminderJob {
        ReminderJob {
            engine,
            lane,
            state,
            every,
        }
    }

    /// One pass: who is due, then their messages; returns how many were sent.
    pub async fn run_once(&self) -> usize {
        match self.engine.remind_once().await {
            Ok(pass) => {
                metrics::counter!("trainbot_reminder_runs_total", "outcome" => "ran").increment(1);
                let sent = pass.reminders.len();
                if sent > 0 {
                    let took = self.lane.send(pass.reminders).await;
                    tracing::info!(
                        sent,
                        considered = pass.considered,
                        took_ms = took.as_millis() as u64,
                        "reminders sent"
                    );
                }
                sent
            }
            Err(e) => {
                metrics::counter!("trainbot_reminder_runs_total", "outcome" => "failed")
                    .increment(1);
                tracing::warn!(error = %e, "reminder pass failed; will try again");
                0
            }
        }
    }

    /// Runs a pass every interval until `shutdown`; with several replicas, a lease in
    /// the state store lets only one of them run each interval's pass.
    pub async fn run(self: Arc<Self>, shutdown: CancellationToken) {
        // The first pass comes one interval after start: a rolling deploy restarting
        // every replica must not set off a burst of passes.
        let mut ticks =
            tokio::time::interval_at(tokio::time::Instant::now() + self.every, self.every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = ticks.tick() => {}
            }
            self.run_in_turn().await;
        }
    }

    /// This interval's pass, if this replica takes the interval's lease in the
    /// state store (held for the interval, never released: the others skip the
    /// interval); how many reminders it sent, or `None` if another replica has
    /// the interval or the lease could not be taken.
    pub async fn run_in_turn(&self) -> Option<usize> {
        let lease = self
            .every
            .saturating_sub(Duration::from_secs(1))
            .max(Duration::from_secs(1));
        match self.state.claim("lease:reminders", lease).await {
            Ok(true) => Some(self.run_once().await),
            Ok(false) => {
                tracing::debug!("another replica runs this reminder pass");
                None
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot take the reminder lease; skipping this pass");
                None
            }
        }
    }
}

/// Polls the content generation and rebuilds this replica's content when an edit
/// or a reload happened anywhere (see `engine::live_content`).
pub struct ContentWatch {
    engine: Arc<Engine>,
    every: Duration,
}

impl ContentWatch {
    pub fn new(engine: Arc<Engine>, every: Duration) -> ContentWatch {
        ContentWatch { engine, every }
    }

    /// Checks once; a database that cannot answer keeps the running content.
    pub async fn run_once(&self) {
        match self.engine.sync_content().await {
            Ok(true) => tracing::info!("content brought up to date with the panel's edits"),
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(error = %e, "cannot check for content edits; keeping the running content")
            }
        }
    }

    pub async fn run(self: Arc<Self>, shutdown: CancellationToken) {
        let mut ticks = tokio::time::interval(self.every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = ticks.tick() => {}
            }
            self.run_once().await;
        }
    }
}

/// What Telegram shows about the bot, brought in line with the running pack and
/// the people who run it, once at start-up and in the background (readiness
/// does not wait for it): the pack's description and short description, and
/// the `/admin` menu in the chats of the admins and role holders. Each replica
/// does it; only what differs from Telegram's is set, so a second replica sets
/// nothing. An admin who never wrote to the bot is skipped (Telegram knows no
/// chat with them yet); they get the menu at the next start after they did.
pub struct ProfileSync {
    engine: Arc<Engine>,
    bot: telegram::Bot,
    roles: Arc<dyn engine::ports::RoleStore>,
    people: Arc<dyn engine::ports::PersonRecords>,
    admins: Vec<i64>,
}

impl ProfileSync {
    pub fn new(
        engine: Arc<Engine>,
        bot: telegram::Bot,
        storage: &engine::ports::StoragePorts,
        admins: Vec<i64>,
    ) -> ProfileSync {
        ProfileSync {
            engine,
            bot,
            roles: storage.roles.clone(),
            people: storage.records.clone(),
            admins,
        }
    }

    pub async fn run(self) {
        let pack = self.engine.content();
        if let Some(profile) = pack.bot() {
            match telegram::commands::describe(&self.bot, profile, pack.default_language()).await {
                Ok(changed) => tracing::info!(changed, "the bot's description is the pack's"),
                Err(failure) => {
                    tracing::warn!(?failure, "cannot set the bot's description from the pack")
                }
            }
        }
        let mut chats = self.admins.clone();
        match self.roles.role_holders().await {
            Ok(holders) => chats.extend(holders.into_iter().map(|grant| grant.user.0)),
            Err(e) => tracing::warn!(error = %e, "cannot list role holders for their /admin menu"),
        }
        chats.sort_unstable();
        chats.dedup();
        for chat in chats {
            match self.people.user(domain::ids::UserId(chat)).await {
                Ok(Some(_)) => {}
                Ok(None) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read an admin for their /admin menu");
                    continue;
                }
            }
            let chat = domain::ids::ChatId(chat);
            if let Err(failure) = telegram::commands::admin_menu(&self.bot, chat).await {
                tracing::info!(
                    ?failure,
                    chat = chat.0,
                    "cannot give a chat the /admin menu"
                );
            }
        }
    }
}
