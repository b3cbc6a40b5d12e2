//! `topology`: the deployment of docs/operations.md on loopback (issue 12). Several
//! replicas of the bot share PostgreSQL and Redis with Sentinel (a master, a
//! replica and three sentinels: `state::testing::SentinelCluster`). In webhook
//! mode they sit behind nginx, configured from `deploy/nginx/trainbot.conf` (the
//! file the deployment docs use, with this machine's ports), and fake-telegram
//! delivers by webhook with Telegram's retries. With `--polling` the replicas
//! poll and one holds the lease.
//!
//! A crowd browses at a human pace while an admin's announcement goes to
//! everyone. The run has five phases of `--phase-secs` each (the upgrade's at
//! least as long as it takes):
//! 1. steady;
//! 2. one replica killed with SIGKILL (the poller, with `--polling`) and started
//!    again 5 s later;
//! 3. the Redis master killed, a sentinel promoting the replica;
//! 4. a rolling upgrade: each replica in turn stopped with SIGTERM (it drains),
//!    started again from `--upgrade-to` (the new build) and waited for until
//!    ready, before the next;
//! 5. after.
//!
//! It reports updates sent, taken by the bot, lost, answered twice, unanswered
//! callbacks, chats answered out of order, broadcast duplicates, the build each
//! replica runs before and after the upgrade, and press-to-answer latency per
//! phase.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use fake_telegram::{FakeTelegram, TestUser};
use state::testing::SentinelCluster;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};

use crate::bot::{BotProcess, BotSettings};
use crate::broadcast::{self, ANNOUNCEMENT};
use crate::driver::{self, Press, Watcher};
use crate::pace;
use crate::scenarios::{self, Errors, Plan, sections, start_crowd};
use crate::stats::Summary;
use crate::walk::Walk;

const WEBHOOK_PATH: &str = "/telegram/webhook";
const WEBHOOK_SECRET: &str = "loadgen-topology_secret-0123456789";
/// How long the killed replica stays down.
const DOWN_FOR: Duration = Duration::from_secs(5);
/// How long the run waits for the last updates and the broadcast after the crowd
/// stops.
const DRAIN: Duration = Duration::from_secs(120);

/// The topology's own knobs.
#[derive(Debug, Clone)]
pub struct TopologyPlan {
    pub replicas: usize,
    pub polling: bool,
    pub phase: Duration,
    pub redis_server: PathBuf,
    pub nginx: PathBuf,
    pub nginx_conf: PathBuf,
    /// The new build the rolling upgrade brings in; `None` = the same binary.
    pub upgrade_to: Option<PathBuf>,
}

/// Latency of the presses made in one phase.
#[derive(Debug, Clone)]
pub struct PhaseLatency {
    pub name: String,
    pub presses: usize,
    pub summary: Option<Summary>,
}

#[derive(Debug, Clone)]
pub struct TopologyResult {
    pub mode: &'static str,
    pub replicas: usize,
    pub people: usize,
    /// Updates fake-telegram made (texts, presses, the admin's).
    pub sent: usize,
    /// Updates a replica took (acknowledged the webhook, or confirmed by polling).
    pub taken: usize,
    pub lost: usize,
    /// Button presses answered more than once: an update handled twice.
    pub answered_twice: usize,
    pub unanswered_callbacks: usize,
    /// Chats whose presses were answered in another order than made.
    pub out_of_order: usize,
    pub violations: usize,
    pub broadcast_recipients: usize,
    pub broadcast_delivered: usize,
    pub broadcast_duplicates: usize,
    /// "Unknown" in the admin's last report: messages whose outcome the sender
    /// could not know (in flight when it was killed), never sent twice.
    pub broadcast_unknown: usize,
    pub phases: Vec<PhaseLatency>,
    /// `trainbot_build_info`'s commit per replica, before and after the rolling
    /// upgrade.
    pub builds_before: Vec<String>,
    pub builds_after: Vec<String>,
    /// The commit the new build says it is (`trainbot --version`).
    pub upgraded_to: String,
    /// How long the rolling upgrade took, all replicas.
    pub upgrade: Duration,
    pub error_count: usize,
    pub errors: Vec<String>,
}

impl TopologyResult {
    /// What went wrong of what must never: lost, doubled, unanswered or
    /// reordered updates, doubled or missing announcements, broken rules, a
    /// replica left on another build than the rest after the upgrade, an error
    /// the crowd saw (a press whose menu did not change in time: the person
    /// is left without their screen; ADR 0050).
    pub fn broken(&self) -> Vec<String> {
        let mut broken = Vec::new();
        let behind = self
            .builds_after
            .iter()
            .filter(|b| **b != self.upgraded_to)
            .count();
        for (what, n) in [
            ("updates lost", self.lost),
            ("presses answered twice", self.answered_twice),
            ("presses never answered", self.unanswered_callbacks),
            ("chats answered out of order", self.out_of_order),
            ("replicas not on the new build after the upgrade", behind),
            ("announcements sent twice", self.broadcast_duplicates),
            ("Telegram rule violations", self.violations),
            (
                "recipients without the announcement that the admin's report does not count as unknown",
                (self.broadcast_recipients - self.broadcast_delivered)
                    .saturating_sub(self.broadcast_unknown),
            ),
            ("errors seen by the crowd", self.error_count),
        ] {
            if n > 0 {
                broken.push(format!("{n} {what}"));
            }
        }
        broken
    }
}

/// One replica: its ports and, while it runs, its process.
struct Replica {
    listen: u16,
    webhook: u16,
    process: Option<BotProcess>,
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// `GET path` on 127.0.0.1:`port`: the status and the body, or `None` when nothing
/// answers.
async fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .ok()?;
    let request = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.ok()?;
    let status = answer.split_whitespace().nth(1)?.parse().ok()?;
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    Some((status, body.to_owned()))
}

/// Waits until the replica listening on `port` says it is ready.
async fn until_ready(port: u16) -> Result<String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some((200, body)) = http_get(port, "/readyz").await {
            return Ok(body);
        }
        if Instant::now() > deadline {
            bail!("the replica on port {port} never became ready");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The deployment's nginx file with this run's ports: the replicas' webhook
/// listeners as the upstream, plain HTTP on `port` instead of TLS on 443.
fn nginx_config(template: &str, port: u16, upstream: &[u16], dir: &Path) -> String {
    let mut servers_written = false;
    let mut site = String::new();
    for line in template.lines() {
        let trimmed = line.trim_start();
        if let Some(server) = trimmed.strip_prefix("server 10.") {
            if !servers_written {
                // The template's own parameters (max_fails, fail_timeout, ...).
                let parameters = server.split_once(' ').map_or(";", |(_, p)| p);
                for p in upstream {
                    site.push_str(&format!("    server 127.0.0.1:{p} {parameters}\n"));
                }
                servers_written = true;
            }
        } else if trimmed.starts_with("listen [::]") || trimmed.starts_with("ssl_") {
            continue;
        } else if trimmed.starts_with("listen ") {
            site.push_str(&format!("    listen 127.0.0.1:{port};\n"));
        } else {
            site.push_str(line);
            site.push('\n');
        }
    }
    let dir = dir.display();
    format!(
        "worker_processes 1;\npid {dir}/nginx.pid;\nerror_log {dir}/nginx-error.log;\n\
         events {{ worker_connections 1024; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {dir}/body;\n  proxy_temp_path {dir}/proxy;\n\
         {site}}}\n"
    )
}

/// nginx in the foreground, stopped when dropped: SIGTERM to the master, which
/// stops its workers (SIGKILL would leave them running).
struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        if let Some(pid) = self.0.id() {
            let _ = std::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status();
        }
    }
}

async fn start_nginx(
    plan: &TopologyPlan,
    dir: &Path,
    port: u16,
    upstream: &[u16],
) -> Result<Nginx> {
    let template = std::fs::read_to_string(&plan.nginx_conf).with_context(|| {
        format!(
            "cannot read {} (run from the repository's root, or pass --nginx-conf)",
            plan.nginx_conf.display()
        )
    })?;
    let config = dir.join("nginx.conf");
    std::fs::write(&config, nginx_config(&template, port, upstream, dir))?;
    let child = Command::new(&plan.nginx)
        .args([
            "-p",
            &dir.display().to_string(),
            "-c",
            &config.display().to_string(),
        ])
        .args(["-g", "daemon off;"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {}", plan.nginx.display()))?;
    let nginx = Nginx(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        if Instant::now() > deadline {
            bail!(
                "nginx did not listen on {port}; see {}/nginx-error.log",
                dir.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(nginx)
}

/// Every replica's settings: the shared database, Redis and key prefix, its own
/// ports, the update source, and the admin.
fn replica_settings(plan: &Plan, replica: &Replica, shared: &[(String, String)]) -> BotSettings {
    let mut settings = plan.bot.clone();
    settings.redis_url = None;
    settings.extra_env = shared.to_vec();
    settings.extra_env.extend([
        ("LISTEN".into(), format!("127.0.0.1:{}", replica.listen)),
        (
            "WEBHOOK_LISTEN".into(),
            format!("127.0.0.1:{}", replica.webhook),
        ),
    ]);
    settings
}

/// `trainbot webhook set`, once for the deployment.
async fn register_webhook(plan: &Plan, fake: &FakeTelegram, url: &str) -> Result<()> {
    let out = Command::new(&plan.bot.binary)
        .args(["webhook", "set"])
        .env_remove("TRAINBOT_CONFIG")
        .env("BOT_TOKEN", fake.token())
        .env("TELEGRAM_API_URL", fake.api_url())
        .env("WEBHOOK_URL", url)
        .env("WEBHOOK_SECRET", WEBHOOK_SECRET)
        .output()
        .await
        .context("cannot run `trainbot webhook set`")?;
    if !out.status.success() {
        bail!(
            "`trainbot webhook set` failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

/// `trainbot_build_info`'s commit label of each replica (`?` where none answers).
async fn builds(replicas: &[Replica]) -> Vec<String> {
    let mut builds = Vec::new();
    for replica in replicas {
        let body = http_get(replica.listen, "/metrics").await.map(|(_, b)| b);
        builds.push(
            body.as_deref()
                .and_then(build_commit)
                .unwrap_or("?")
                .to_owned(),
        );
    }
    builds
}

/// The commit `binary --version` names (`trainbot 0.1.0 (commit abc123)`).
async fn commit_of(binary: &Path) -> Result<String> {
    let out = Command::new(binary)
        .arg("--version")
        .output()
        .await
        .with_context(|| format!("cannot run {} --version", binary.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_once("(commit ")
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(commit, _)| commit.to_owned())
        .with_context(|| format!("{} --version names no commit: {text}", binary.display()))
}

/// The `commit` label of `trainbot_build_info` in a `/metrics` text.
fn build_commit(metrics: &str) -> Option<&str> {
    let line = metrics
        .lines()
        .find(|l| l.starts_with("trainbot_build_info{"))?;
    let (_, rest) = line.split_once("commit=\"")?;
    rest.split_once('"').map(|(commit, _)| commit)
}

/// How long nginx leaves out a replica that failed: `fail_timeout` in
/// deploy/nginx/trainbot.conf.
const NGINX_FAIL_TIMEOUT: Duration = Duration::from_secs(3);

/// Replaces every replica in turn: SIGTERM (it drains: updates running finish,
/// webhook requests meanwhile get 503 and nginx passes them on, a poller hands
/// its lease over), the new build started on the same ports and waited for
/// until ready, and behind nginx for nginx to take it back, before the next.
async fn rolling_upgrade(
    plan: &Plan,
    topo: &TopologyPlan,
    replicas: &mut [Replica],
    shared: &[(String, String)],
    fake: &FakeTelegram,
) -> Result<()> {
    for replica in replicas.iter_mut() {
        if let Some(process) = replica.process.take() {
            let stopped = process.stop().await?;
            if !stopped.graceful {
                bail!("a replica did not stop within its drain time and was killed");
            }
        }
        let mut settings = replica_settings(plan, replica, shared);
        if let Some(binary) = &topo.upgrade_to {
            settings.binary.clone_from(binary);
        }
        replica.process = Some(BotProcess::spawn(&settings, fake)?);
        until_ready(replica.listen).await?;
        if !topo.polling {
            tokio::time::sleep(NGINX_FAIL_TIMEOUT).await;
        }
    }
    Ok(())
}

/// The "Unknown: N" of the admin's last broadcast report (0 if none says).
fn reported_unknown(fake: &FakeTelegram, admin: i64) -> usize {
    fake.messages(admin)
        .iter()
        .rev()
        .filter(|m| m.from_bot)
        .find_map(|m| {
            let text = m.text.as_deref()?;
            let (_, rest) = text.split_once("Unknown: ")?;
            rest.split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

/// Presses answered more than once (one `callback_query_id` answered twice).
fn answered_twice(fake: &FakeTelegram) -> usize {
    let mut answers: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for r in fake.requests() {
        if r.method.eq_ignore_ascii_case("answerCallbackQuery")
            && let Some(id) = r.params.get("callback_query_id").and_then(|v| v.as_str())
        {
            *answers.entry(id.to_owned()).or_default() += 1;
        }
    }
    answers.values().filter(|&&n| n > 1).count()
}

pub async fn topology(plan: &Plan, topo: &TopologyPlan) -> Result<TopologyResult> {
    let database_url = plan
        .bot
        .database_url
        .clone()
        .filter(|u| u.starts_with("postgres"))
        .context("the topology needs --database-url postgres://… (replicas share it)")?;
    let dir = tempfile::Builder::new()
        .prefix("loadgen-topology-")
        .tempdir()?;
    let fake = FakeTelegram::start(plan.fake.clone())
        .await
        .context("cannot start the fake Telegram")?;
    eprintln!("starting Redis with a replica and three sentinels ...");
    let mut redis = SentinelCluster::start(&topo.redis_server, dir.path())
        .await
        .map_err(|e| anyhow!(e))?;

    let admin = plan.first_user_id - 1;
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut shared: Vec<(String, String)> = vec![
        ("DATABASE_URL".into(), database_url),
        ("REDIS_URL".into(), redis.url()),
        ("REDIS_PREFIX".into(), format!("topology:{nonce}:")),
        ("ADMIN_IDS".into(), admin.to_string()),
        ("ADMIN_PASSWORD_HASH".into(), broadcast::hash(plan).await?),
    ];
    let mut replicas = (0..topo.replicas)
        .map(|_| {
            Ok(Replica {
                listen: free_port()?,
                webhook: free_port()?,
                process: None,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let _nginx = if topo.polling {
        None
    } else {
        let port = free_port()?;
        let upstream: Vec<u16> = replicas.iter().map(|r| r.webhook).collect();
        let nginx = start_nginx(topo, dir.path(), port, &upstream).await?;
        let url = format!("http://127.0.0.1:{port}{WEBHOOK_PATH}");
        register_webhook(plan, &fake, &url).await?;
        shared.extend([
            ("UPDATES".into(), "webhook".into()),
            ("WEBHOOK_URL".into(), url),
            ("WEBHOOK_SECRET".into(), WEBHOOK_SECRET.into()),
        ]);
        Some(nginx)
    };
    for replica in &mut replicas {
        let settings = replica_settings(plan, replica, &shared);
        replica.process = Some(BotProcess::spawn(&settings, &fake)?);
    }
    for replica in &replicas {
        until_ready(replica.listen).await?;
    }
    eprintln!("{} replicas ready", replicas.len());

    // The crowd knows the bot; the admin prepares the announcement.
    let watcher = Watcher::start(&fake);
    let ids = scenarios::people(plan, &fake, 0..plan.users)?;
    let mut errors = Errors::default();
    let people = start_crowd(&fake, &watcher, &ids, plan.press_timeout, &mut errors).await;
    if people.is_empty() {
        bail!("nobody reached the bot: {:?}", errors.shown);
    }
    let sections = Arc::new(sections(&fake, people[0])?);
    fake.add_user(TestUser::new(admin, "Admin").language("en"));
    broadcast::prepare(&fake, admin).await?;

    // Browsing through the phases.
    let stop = Arc::new(AtomicBool::new(false));
    let browsing = {
        let (fake, watcher, people, sections, plan, stop) = (
            fake.clone(),
            watcher.clone(),
            people.clone(),
            sections.clone(),
            plan.clone(),
            stop.clone(),
        );
        tokio::spawn(async move {
            // Page views, as in every topology run so far, so that its figures compare.
            let plan = Plan {
                walk: Walk::Browse,
                ..plan
            };
            let crowd = pace::walkers(&plan, &people);
            pace::browse(&fake, &watcher, crowd, &sections, &plan, &stop).await
        })
    };
    let mut marks = vec![("steady".to_owned(), Instant::now())];
    broadcast::press(admin, "✅ Send to")(&fake)?;
    tokio::time::sleep(topo.phase).await;

    let victim = pick_victim(&replicas, topo.polling).await;
    marks.push((
        format!(
            "replica {victim} killed (SIGKILL), back after {}s",
            DOWN_FOR.as_secs()
        ),
        Instant::now(),
    ));
    if let Some(process) = replicas[victim].process.take() {
        process.kill().await;
    }
    tokio::time::sleep(DOWN_FOR).await;
    let settings = replica_settings(plan, &replicas[victim], &shared);
    replicas[victim].process = Some(BotProcess::spawn(&settings, &fake)?);
    tokio::time::sleep(topo.phase.saturating_sub(DOWN_FOR)).await;

    marks.push((
        "Redis master killed, Sentinel fails over".to_owned(),
        Instant::now(),
    ));
    redis.kill_master();
    redis.wait_promoted().await.map_err(|e| anyhow!(e))?;
    tokio::time::sleep(topo.phase).await;

    marks.push((
        "rolling upgrade, one replica at a time".to_owned(),
        Instant::now(),
    ));
    let builds_before = builds(&replicas).await;
    let upgraded_to = commit_of(topo.upgrade_to.as_ref().unwrap_or(&plan.bot.binary)).await?;
    let upgrading = Instant::now();
    rolling_upgrade(plan, topo, &mut replicas, &shared, &fake).await?;
    let upgrade = upgrading.elapsed();
    let builds_after = builds(&replicas).await;
    eprintln!(
        "rolling upgrade: {builds_before:?} -> {builds_after:?} in {:.1}s",
        upgrade.as_secs_f64()
    );
    tokio::time::sleep(topo.phase.saturating_sub(upgrade)).await;

    marks.push(("after".to_owned(), Instant::now()));
    tokio::time::sleep(topo.phase).await;
    let ended = Instant::now();
    stop.store(true, Ordering::Relaxed);
    let (presses, browse_errors, _) = browsing.await?;
    errors.absorb(browse_errors);

    // Let the last deliveries and the announcement finish.
    let finished = |f: &FakeTelegram| {
        f.pending_updates() == 0
            && f.messages(admin)
                .iter()
                .any(|m| m.from_bot && m.text.as_deref().is_some_and(|t| t.contains("is finished")))
    };
    if fake.wait_for(DRAIN, finished).await.is_err() {
        errors.add(&anyhow!(
            "after {}s, {} updates were still waiting and the broadcast had not finished",
            DRAIN.as_secs(),
            fake.pending_updates()
        ));
    }

    let phases = phase_latencies(&marks, ended, &presses, &fake);
    let recipients: Vec<i64> = people.iter().copied().chain([admin]).collect();
    let copies = |chat: i64| {
        fake.messages(chat)
            .iter()
            .filter(|m| m.from_bot && m.text.as_deref() == Some(ANNOUNCEMENT))
            .count()
    };
    let lost = fake.pending_updates();
    let sent = fake.updates_queued();
    let result = TopologyResult {
        mode: if topo.polling {
            "polling"
        } else {
            "webhook behind nginx"
        },
        replicas: replicas.len(),
        people: people.len(),
        sent,
        taken: sent.saturating_sub(lost),
        lost,
        answered_twice: answered_twice(&fake),
        unanswered_callbacks: fake.unanswered_callbacks().len(),
        out_of_order: fake.chats_answered_out_of_order().len(),
        violations: fake.violations().len(),
        broadcast_recipients: recipients.len(),
        broadcast_delivered: recipients.iter().filter(|&&c| copies(c) >= 1).count(),
        // The admin's chat also shows the announcement's preview.
        broadcast_duplicates: people.iter().filter(|&&c| copies(c) > 1).count(),
        broadcast_unknown: reported_unknown(&fake, admin),
        phases,
        builds_before,
        builds_after,
        upgraded_to,
        upgrade,
        error_count: errors.count(),
        errors: errors.shown,
    };
    watcher.shutdown();
    for replica in replicas {
        if let Some(process) = replica.process {
            process.stop().await?;
        }
    }
    fake.shutdown().await;
    Ok(result)
}

/// The replica to kill: the first, or with `polling` the one holding the lease.
async fn pick_victim(replicas: &[Replica], polling: bool) -> usize {
    if polling {
        for (i, replica) in replicas.iter().enumerate() {
            if let Some((_, body)) = http_get(replica.listen, "/readyz").await
                && body.contains("updates: ok")
            {
                return i;
            }
        }
    }
    0
}

/// The latency of the presses made in each phase (from its mark to the next).
fn phase_latencies(
    marks: &[(String, Instant)],
    ended: Instant,
    presses: &[Press],
    fake: &FakeTelegram,
) -> Vec<PhaseLatency> {
    let requests = fake.requests();
    marks
        .iter()
        .enumerate()
        .map(|(i, (name, from))| {
            let to = marks.get(i + 1).map_or(ended, |(_, at)| *at);
            let mine: Vec<Press> = presses
                .iter()
                .filter(|p| p.at >= *from && p.at < to)
                .copied()
                .collect();
            let matched = driver::match_answers(&mine, &requests);
            PhaseLatency {
                name: name.clone(),
                presses: mine.len(),
                summary: Summary::of(&matched.latencies),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_build_label_is_read_from_metrics() {
        let metrics = "# TYPE trainbot_build_info gauge\n\
                       trainbot_build_info{version=\"0.1.0\",commit=\"abc123\"} 1\n\
                       trainbot_up 1\n";
        assert_eq!(build_commit(metrics), Some("abc123"));
        assert_eq!(build_commit("trainbot_up 1\n"), None);
    }

    #[test]
    fn the_deployment_nginx_file_gets_this_runs_ports() {
        let template = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/nginx/trainbot.conf"),
        )
        .unwrap_or_default();
        assert!(
            template.contains("server 10.0.0.11:8443"),
            "the template changed"
        );
        let config = nginx_config(&template, 18080, &[19001, 19002], Path::new("/tmp/x"));
        assert!(config.contains("server 127.0.0.1:19001 max_fails=2 fail_timeout=3s;"));
        assert!(config.contains("server 127.0.0.1:19002 max_fails=2 fail_timeout=3s;"));
        assert!(config.contains("listen 127.0.0.1:18080;"));
        assert!(!config.contains("10.0.0.1"), "{config}");
        assert!(!config.contains("ssl_certificate"), "{config}");
        assert!(config.contains("location = /telegram/webhook"));
        assert!(
            config.contains("proxy_next_upstream error timeout http_502 http_503 non_idempotent;")
        );
    }

    fn clean_run() -> TopologyResult {
        TopologyResult {
            mode: "webhook behind nginx",
            replicas: 3,
            people: 30,
            sent: 700,
            taken: 700,
            lost: 0,
            answered_twice: 0,
            unanswered_callbacks: 0,
            out_of_order: 0,
            violations: 0,
            broadcast_recipients: 31,
            broadcast_delivered: 31,
            broadcast_duplicates: 0,
            broadcast_unknown: 0,
            phases: Vec::new(),
            builds_before: vec!["old".into(); 3],
            builds_after: vec!["new".into(); 3],
            upgraded_to: "new".into(),
            upgrade: Duration::from_secs(10),
            error_count: 0,
            errors: Vec::new(),
        }
    }

    #[test]
    fn a_clean_run_breaks_nothing() {
        assert!(clean_run().broken().is_empty());
    }

    #[test]
    fn a_press_left_without_its_screen_breaks_the_run() {
        let run = TopologyResult {
            error_count: 2,
            errors: vec!["chat 7: the bot did not update the menu within 30s".into()],
            ..clean_run()
        };
        assert_eq!(run.broken(), ["2 errors seen by the crowd"]);
    }

    #[test]
    fn missing_recipients_break_it_unless_the_admin_was_told_they_are_unknown() {
        let missing = TopologyResult {
            broadcast_delivered: 28,
            broadcast_unknown: 1,
            ..clean_run()
        };
        assert_eq!(
            missing.broken(),
            [
                "2 recipients without the announcement that the admin's report does not count as unknown"
            ]
        );
        let told = TopologyResult {
            broadcast_unknown: 3,
            ..missing
        };
        assert!(told.broken().is_empty());
    }
}
