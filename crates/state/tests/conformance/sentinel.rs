//! Redis Sentinel for real (issue 12): a master, a replica and three sentinels on
//! loopback, started from `TEST_REDIS_SERVER` (Debian's redis-server, which is
//! also the sentinel with `--sentinel`), Redis and the sentinels each with a
//! password, as in production. The master is killed (`kill -9`) in the
//! middle of a stream of writes through `RedisState`: the sentinels promote the
//! replica, writes resume on it, and what was replicated before the kill (an
//! admin's session, a login lockout counter) is still there. ADR 0035 says what
//! can be lost: writes the master acknowledged but had not passed on.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use engine::ports::StateStore;
use state::RedisState;
use tokio::time::Instant;

use crate::helpers::unique_prefix;

const SERVICE: &str = "trainbot";
/// Redis's password (master and replica), and the sentinels' own: production
/// runs both with passwords, so the test does too.
const REDIS_PASSWORD: &str = "m4ster-pw";
const SENTINEL_PASSWORD: &str = "s3ntinel-pw";
/// How long the test waits for the sentinels and the failover: a hang guard.
const PATIENCE: Duration = Duration::from_secs(60);

/// A Redis process (server or sentinel), killed when dropped.
struct Process {
    child: Child,
    port: u16,
}

impl Process {
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn spawn(server: &Path, args: &[String]) -> Child {
    Command::new(server)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", server.display()))
}

/// A Redis server on a free port, keeping nothing on disk.
fn redis(server: &Path, dir: &Path, replica_of: Option<u16>) -> Process {
    let port = free_port();
    let mut args: Vec<String> = [
        "--port",
        &port.to_string(),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        &dir.display().to_string(),
        "--requirepass",
        REDIS_PASSWORD,
        "--masterauth",
        REDIS_PASSWORD,
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    if let Some(master) = replica_of {
        args.extend([
            "--replicaof".to_owned(),
            "127.0.0.1".to_owned(),
            master.to_string(),
        ]);
    }
    Process {
        child: spawn(server, &args),
        port,
    }
}

/// A sentinel watching `master`: it takes the master down after 1 s without an
/// answer, and two of three must agree.
fn sentinel(server: &Path, dir: &Path, master: u16) -> Process {
    let port = free_port();
    let config = dir.join(format!("sentinel-{port}.conf"));
    std::fs::write(
        &config,
        format!(
            "port {port}\nbind 127.0.0.1\ndir {dir}\nrequirepass {SENTINEL_PASSWORD}\n\
             sentinel sentinel-pass {SENTINEL_PASSWORD}\n\
             sentinel monitor {SERVICE} 127.0.0.1 {master} 2\n\
             sentinel auth-pass {SERVICE} {REDIS_PASSWORD}\n\
             sentinel down-after-milliseconds {SERVICE} 1000\n\
             sentinel failover-timeout {SERVICE} 10000\n\
             sentinel parallel-syncs {SERVICE} 1\n",
            dir = dir.display()
        ),
    )
    .unwrap();
    Process {
        child: spawn(
            server,
            &[config.display().to_string(), "--sentinel".to_owned()],
        ),
        port,
    }
}

/// A plain connection to a server or sentinel, with `password`.
async fn connection(port: u16, password: &str) -> Option<redis::aio::MultiplexedConnection> {
    redis::Client::open(format!("redis://:{password}@127.0.0.1:{port}"))
        .ok()?
        .get_multiplexed_async_connection()
        .await
        .ok()
}

/// Waits until `check` holds, asking again every 200 ms.
async fn until<F: AsyncFn() -> bool>(what: &str, check: F) {
    let deadline = Instant::now() + PATIENCE;
    while !check().await {
        assert!(Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// What sentinel `port` knows of the service (`SENTINEL MASTER`), as pairs.
async fn master_info(port: u16) -> Vec<(String, String)> {
    let Some(mut conn) = connection(port, SENTINEL_PASSWORD).await else {
        return Vec::new();
    };
    let flat: Vec<String> = redis::cmd("SENTINEL")
        .arg("MASTER")
        .arg(SERVICE)
        .query_async(&mut conn)
        .await
        .unwrap_or_default();
    flat.chunks(2)
        .filter_map(|kv| Some((kv.first()?.clone(), kv.get(1)?.clone())))
        .collect()
}

fn field<'a>(info: &'a [(String, String)], name: &str) -> Option<&'a str> {
    info.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_resume_on_the_new_master_after_the_old_one_is_killed() {
    let Ok(server) = std::env::var("TEST_REDIS_SERVER") else {
        eprintln!(
            "sentinel failover: NOT RUN, set TEST_REDIS_SERVER (e.g. /usr/bin/redis-server) to run it"
        );
        return;
    };
    let server = Path::new(&server);
    let dir = tempfile::tempdir().unwrap();
    let mut master = redis(server, dir.path(), None);
    let replica = redis(server, dir.path(), Some(master.port));
    let sentinels: Vec<Process> = (0..3)
        .map(|_| sentinel(server, dir.path(), master.port))
        .collect();

    // Ready: the replica is in sync and every sentinel knows it and the others.
    until("the replica is in sync", async || {
        let Some(mut conn) = connection(replica.port, REDIS_PASSWORD).await else {
            return false;
        };
        let info: String = redis::cmd("INFO")
            .arg("replication")
            .query_async(&mut conn)
            .await
            .unwrap_or_default();
        info.contains("master_link_status:up")
    })
    .await;
    for s in &sentinels {
        until(
            "every sentinel sees the replica and the others",
            async || {
                let info = master_info(s.port).await;
                field(&info, "num-slaves") == Some("1")
                    && field(&info, "num-other-sentinels") == Some("2")
            },
        )
        .await;
    }

    let url = format!(
        "redis+sentinel://:{REDIS_PASSWORD}@{}/{SERVICE}?sentinel_password={SENTINEL_PASSWORD}",
        sentinels
            .iter()
            .map(|s| format!("127.0.0.1:{}", s.port))
            .collect::<Vec<_>>()
            .join(",")
    );
    let store = Arc::new(RedisState::connect(&url, &unique_prefix()).await.unwrap());
    let day = Duration::from_secs(86_400);
    store.put("admin:session:7", "alive", day).await.unwrap();
    for _ in 0..3 {
        store.incr("login:failures:7", day).await.unwrap();
    }
    // Redis replicates asynchronously: make sure these reached the replica.
    let mut on_master = connection(master.port, REDIS_PASSWORD).await.unwrap();
    let acked: i64 = redis::cmd("WAIT")
        .arg(1)
        .arg(5_000)
        .query_async(&mut on_master)
        .await
        .unwrap();
    assert_eq!(acked, 1, "the replica has the session and the counter");

    // A stream of writes, as updates make them, through the failover.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (store, stop) = (store.clone(), stop.clone());
        tokio::spawn(async move {
            let mut outcomes: Vec<(Instant, bool)> = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let ok = store.incr("load", day).await.is_ok();
                outcomes.push((Instant::now(), ok));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            outcomes
        })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;

    let killed = Instant::now();
    master.kill();
    until("a sentinel names the replica as the master", async || {
        let info = master_info(sentinels[0].port).await;
        field(&info, "port") == Some(&replica.port.to_string())
    })
    .await;
    until("writes go through again", async || {
        store.incr("load", day).await.is_ok()
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::Relaxed);
    let outcomes = writer.await.expect("the writer did not panic");

    let failed: Vec<&(Instant, bool)> = outcomes.iter().filter(|(_, ok)| !ok).collect();
    let resumed = outcomes
        .iter()
        .filter(|(at, ok)| *ok && *at > killed)
        .map(|(at, _)| *at)
        .find(|at| failed.iter().all(|(f, _)| f < at));
    let gap = resumed.map(|at| at - killed);
    println!(
        "sentinel failover: {} writes, {} failed, writes resumed {:?} after the kill",
        outcomes.len(),
        failed.len(),
        gap
    );
    assert!(gap.is_some(), "writes resumed on the new master");
    assert!(
        outcomes.iter().any(|(at, ok)| *ok && *at < killed),
        "writes went through before the kill"
    );
    assert_eq!(
        store.get("admin:session:7").await.unwrap().as_deref(),
        Some("alive"),
        "the replicated session survived"
    );
    assert_eq!(
        store.incr("login:failures:7", day).await.unwrap(),
        4,
        "the replicated lockout counter survived"
    );
}
