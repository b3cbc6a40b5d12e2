//! A Redis Sentinel deployment on loopback, for tests and the load generator
//! (feature `testing`, never in a production build): a master, a replica and
//! three sentinels (quorum 2, a master is down after 1 s without an answer), each
//! a child process of Debian's `redis-server` (the sentinel is the same binary
//! with `--sentinel`), Redis and the sentinels each with a password, as in
//! production; with [`SentinelCluster::start_tls`], every one of them speaks only
//! TLS, with certificates of a private CA made by the `openssl` command. The
//! processes are killed when the [`SentinelCluster`] is dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use redis::aio::MultiplexedConnection;

/// The name the sentinels know the master by.
pub const SERVICE: &str = "trainbot";
/// The password of the master and the replica.
pub const REDIS_PASSWORD: &str = "m4ster-pw";
/// The sentinels' own password.
pub const SENTINEL_PASSWORD: &str = "s3ntinel-pw";

/// How long [`SentinelCluster::start`] and [`SentinelCluster::wait_promoted`] wait.
const PATIENCE: Duration = Duration::from_secs(60);

/// One `redis-server` process, killed when dropped.
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

pub struct SentinelCluster {
    master: Process,
    replica: Process,
    sentinels: Vec<Process>,
    tls: Option<Certificates>,
}

/// A private CA and the certificate (for 127.0.0.1) every server shows.
struct Certificates {
    ca: PathBuf,
    /// The CA's certificate, for the cluster's own connections.
    ca_pem: Vec<u8>,
    cert: PathBuf,
    key: PathBuf,
}

impl Certificates {
    /// Makes them in `dir` with `openssl`.
    fn make(dir: &Path) -> Result<Certificates, String> {
        let path = |name: &str| dir.join(name);
        std::fs::write(path("server.ext"), "subjectAltName=IP:127.0.0.1\n")
            .map_err(|e| format!("cannot write server.ext: {e}"))?;
        let steps: [&[&str]; 3] = [
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=trainbot test CA",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=127.0.0.1",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
            ],
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                "server.ext",
                "-out",
                "server.pem",
            ],
        ];
        for args in steps {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(dir)
                .stdin(Stdio::null())
                .output()
                .map_err(|e| format!("cannot run openssl (Debian package openssl): {e}"))?;
            if !out.status.success() {
                return Err(format!(
                    "openssl {} failed: {}",
                    args[0],
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
        let ca = path("ca.pem");
        let ca_pem = std::fs::read(&ca).map_err(|e| format!("cannot read ca.pem: {e}"))?;
        Ok(Certificates {
            ca,
            ca_pem,
            cert: path("server.pem"),
            key: path("server.key"),
        })
    }
}

/// The settings that make a server or sentinel listen on `port`: plain TCP, or
/// with `tls` TLS only.
fn listen_settings(port: u16, tls: Option<&Certificates>) -> Vec<(&'static str, String)> {
    let Some(tls) = tls else {
        return vec![("port", port.to_string())];
    };
    vec![
        ("port", "0".to_owned()),
        ("tls-port", port.to_string()),
        ("tls-cert-file", tls.cert.display().to_string()),
        ("tls-key-file", tls.key.display().to_string()),
        ("tls-ca-cert-file", tls.ca.display().to_string()),
        ("tls-auth-clients", "no".to_owned()),
        ("tls-replication", "yes".to_owned()),
    ]
}

impl SentinelCluster {
    /// Starts the five processes from `server` with their files in `dir`, and
    /// waits until the replica is in sync and every sentinel knows the replica
    /// and the two other sentinels.
    pub async fn start(server: &Path, dir: &Path) -> Result<SentinelCluster, String> {
        SentinelCluster::start_with(server, dir, None).await
    }

    /// [`SentinelCluster::start`] with TLS only, the certificates signed by a
    /// private CA (named in [`SentinelCluster::url`]).
    pub async fn start_tls(server: &Path, dir: &Path) -> Result<SentinelCluster, String> {
        // rustls needs a process-wide crypto provider; `Err` = one is installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let certificates = Certificates::make(dir)?;
        SentinelCluster::start_with(server, dir, Some(certificates)).await
    }

    async fn start_with(
        server: &Path,
        dir: &Path,
        tls: Option<Certificates>,
    ) -> Result<SentinelCluster, String> {
        let master = redis(server, dir, None, tls.as_ref())?;
        let replica = redis(server, dir, Some(master.port), tls.as_ref())?;
        let sentinels = (0..3)
            .map(|_| sentinel(server, dir, master.port, tls.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        let cluster = SentinelCluster {
            master,
            replica,
            sentinels,
            tls,
        };
        until("the replica to be in sync", async || {
            cluster.replica_in_sync().await
        })
        .await?;
        for s in &cluster.sentinels {
            until(
                "every sentinel to see the replica and the other sentinels",
                async || {
                    let info = cluster.master_info(s.port).await;
                    field(&info, "num-slaves") == Some("1")
                        && field(&info, "num-other-sentinels") == Some("2")
                },
            )
            .await?;
        }
        Ok(cluster)
    }

    /// `REDIS_URL` for trainbot: the sentinels, the service, both passwords
    /// (and with TLS, `rediss+sentinel://` and the CA).
    pub fn url(&self) -> String {
        let sentinels: Vec<String> = self
            .sentinels
            .iter()
            .map(|s| format!("127.0.0.1:{}", s.port))
            .collect();
        let (scheme, ca) = match &self.tls {
            Some(tls) => ("rediss", format!("&tls_ca={}", tls.ca.display())),
            None => ("redis", String::new()),
        };
        format!(
            "{scheme}+sentinel://:{REDIS_PASSWORD}@{}/{SERVICE}?sentinel_password={SENTINEL_PASSWORD}{ca}",
            sentinels.join(",")
        )
    }

    /// Waits until the replica has every write the master acknowledged so far
    /// (`WAIT 1`); how many replicas confirmed.
    pub async fn replicate(&self) -> Result<i64, String> {
        let mut master = self
            .connection(self.master.port, REDIS_PASSWORD)
            .await
            .ok_or("cannot reach the master")?;
        redis::cmd("WAIT")
            .arg(1)
            .arg(5_000)
            .query_async(&mut master)
            .await
            .map_err(|e| format!("WAIT failed: {e}"))
    }

    /// Kills the master as `kill -9` would.
    pub fn kill_master(&mut self) {
        self.master.kill();
    }

    /// Waits until the sentinels name the replica as the master.
    pub async fn wait_promoted(&self) -> Result<(), String> {
        let replica = self.replica.port.to_string();
        until("a sentinel to name the replica as the master", async || {
            let info = self.master_info(self.sentinels[0].port).await;
            field(&info, "port") == Some(replica.as_str())
        })
        .await
    }

    async fn replica_in_sync(&self) -> bool {
        let Some(mut conn) = self.connection(self.replica.port, REDIS_PASSWORD).await else {
            return false;
        };
        let info: String = redis::cmd("INFO")
            .arg("replication")
            .query_async(&mut conn)
            .await
            .unwrap_or_default();
        info.contains("master_link_status:up")
    }

    /// A connection of the cluster's own to `port` (over TLS, trusting the CA).
    async fn connection(&self, port: u16, password: &str) -> Option<MultiplexedConnection> {
        let client = match &self.tls {
            Some(tls) => redis::Client::build_with_tls(
                format!("rediss://:{password}@127.0.0.1:{port}"),
                redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(tls.ca_pem.clone()),
                },
            ),
            None => redis::Client::open(format!("redis://:{password}@127.0.0.1:{port}")),
        };
        client.ok()?.get_multiplexed_async_connection().await.ok()
    }

    /// What sentinel `port` knows of the service (`SENTINEL MASTER`), as pairs.
    async fn master_info(&self, port: u16) -> Vec<(String, String)> {
        let Some(mut conn) = self.connection(port, SENTINEL_PASSWORD).await else {
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
}

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

fn spawn(server: &Path, args: &[String], port: u16) -> Result<Process, String> {
    let child = Command::new(server)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", server.display()))?;
    Ok(Process { child, port })
}

/// A Redis server on a free port, keeping nothing on disk.
fn redis(
    server: &Path,
    dir: &Path,
    replica_of: Option<u16>,
    tls: Option<&Certificates>,
) -> Result<Process, String> {
    let port = free_port()?;
    let mut args: Vec<String> = [
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
    for (name, value) in listen_settings(port, tls) {
        args.extend([format!("--{name}"), value]);
    }
    if let Some(master) = replica_of {
        args.extend([
            "--replicaof".to_owned(),
            "127.0.0.1".to_owned(),
            master.to_string(),
        ]);
    }
    spawn(server, &args, port)
}

/// A sentinel watching `master`.
fn sentinel(
    server: &Path,
    dir: &Path,
    master: u16,
    tls: Option<&Certificates>,
) -> Result<Process, String> {
    let port = free_port()?;
    let config = dir.join(format!("sentinel-{port}.conf"));
    let listen: String = listen_settings(port, tls)
        .into_iter()
        .map(|(name, value)| format!("{name} {value}\n"))
        .collect();
    std::fs::write(
        &config,
        format!(
            "{listen}bind 127.0.0.1\ndir {dir}\nrequirepass {SENTINEL_PASSWORD}\n\
             sentinel sentinel-pass {SENTINEL_PASSWORD}\n\
             sentinel monitor {SERVICE} 127.0.0.1 {master} 2\n\
             sentinel auth-pass {SERVICE} {REDIS_PASSWORD}\n\
             sentinel down-after-milliseconds {SERVICE} 1000\n\
             sentinel failover-timeout {SERVICE} 10000\n\
             sentinel parallel-syncs {SERVICE} 1\n",
            dir = dir.display()
        ),
    )
    .map_err(|e| format!("cannot write {}: {e}", config.display()))?;
    spawn(
        server,
        &[config.display().to_string(), "--sentinel".to_owned()],
        port,
    )
}

/// Waits until `check` holds, asking again every 200 ms.
async fn until<F: AsyncFn() -> bool>(what: &str, check: F) -> Result<(), String> {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !check().await {
        if tokio::time::Instant::now() >= deadline {
            return Err(format!("gave up waiting for {what}"));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

fn field<'a>(info: &'a [(String, String)], name: &str) -> Option<&'a str> {
    info.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}
