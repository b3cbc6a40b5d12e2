//! A Redis per test: a unique prefix on the shared test server, a raw connection to
//! look behind the store's back, and a proxy that can cut the line.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use redis::aio::MultiplexedConnection;
use state::{RedisState, RedisTarget};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

/// `TEST_REDIS_URL`, or `None` after saying the test was not run.
pub fn redis_url(test: &str) -> Option<String> {
    match std::env::var("TEST_REDIS_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            eprintln!(
                "{test}: NOT RUN, set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379) to run it"
            );
            None
        }
    }
}

pub fn unique_prefix() -> String {
    format!("test:{}:", uuid::Uuid::new_v4())
}

pub async fn connect(url: &str, prefix: &str) -> RedisState {
    RedisState::connect(url, prefix)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to TEST_REDIS_URL: {e}"))
}

/// A plain connection to the test Redis, to check what the store really wrote.
pub async fn raw(url: &str) -> MultiplexedConnection {
    redis::Client::open(url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

/// Keys under `prefix` still in Redis.
pub async fn keys_under(url: &str, prefix: &str) -> Vec<String> {
    let mut conn = raw(url).await;
    redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut conn)
        .await
        .unwrap()
}

/// Deletes every key under `prefix`.
pub async fn remove_all(url: &str, prefix: &str) {
    let keys = keys_under(url, prefix).await;
    if !keys.is_empty() {
        let mut conn = raw(url).await;
        let _: () = redis::cmd("DEL")
            .arg(&keys)
            .query_async(&mut conn)
            .await
            .unwrap();
    }
}

/// A TCP proxy in front of the test Redis that a test can cut and restore.
pub struct CuttableProxy {
    pub addr: SocketAddr,
    upstream: String,
    tasks: JoinSet<()>,
}

impl CuttableProxy {
    pub async fn start(redis_url: &str) -> CuttableProxy {
        let upstream = RedisTarget::parse(redis_url).unwrap().address();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut proxy = CuttableProxy {
            addr,
            upstream,
            tasks: JoinSet::new(),
        };
        proxy.serve(listener);
        proxy
    }

    /// The test Redis URL with the proxy's address instead of Redis's.
    pub fn url(&self, redis_url: &str) -> String {
        redis_url.replacen(&self.upstream, &self.addr.to_string(), 1)
    }

    /// Closes the listener and every proxied connection.
    pub async fn cut(&mut self) {
        self.tasks.shutdown().await;
    }

    /// Listens again on the same address.
    pub async fn restore(&mut self) {
        let listener = TcpListener::bind(self.addr).await.unwrap();
        self.serve(listener);
    }

    fn serve(&mut self, listener: TcpListener) {
        let upstream = self.upstream.clone();
        self.tasks.spawn(async move {
            let mut connections = JoinSet::new();
            while let Ok((mut client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                connections.spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
    }
}

/// A TCP proxy in front of the test Redis that a test can hang: while hung it
/// accepts connections and reads every byte but forwards nothing, so nothing is
/// answered, like a Redis stopped with SIGSTOP. On release it forwards what it
/// held, in order, like the same Redis after SIGCONT.
pub struct HangingProxy {
    pub addr: SocketAddr,
    upstream: String,
    hung: watch::Sender<bool>,
    /// Connections accepted and reads received while hung: what reached the
    /// listener although nothing answered.
    reached: Arc<AtomicUsize>,
    tasks: JoinSet<()>,
}

impl HangingProxy {
    pub async fn start(redis_url: &str) -> HangingProxy {
        let upstream = RedisTarget::parse(redis_url).unwrap().address();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut proxy = HangingProxy {
            addr: listener.local_addr().unwrap(),
            upstream,
            hung: watch::Sender::new(false),
            reached: Arc::default(),
            tasks: JoinSet::new(),
        };
        proxy.serve(listener);
        proxy
    }

    /// The test Redis URL with the proxy's address instead of Redis's.
    pub fn url(&self, redis_url: &str) -> String {
        redis_url.replacen(&self.upstream, &self.addr.to_string(), 1)
    }

    pub fn hang(&self) {
        self.hung.send_replace(true);
    }

    pub fn release(&self) {
        self.hung.send_replace(false);
    }

    /// What reached the proxy while it was hung.
    pub fn reached(&self) -> usize {
        self.reached.load(Ordering::SeqCst)
    }

    fn serve(&mut self, listener: TcpListener) {
        let (upstream, hung, reached) = (
            self.upstream.clone(),
            self.hung.clone(),
            self.reached.clone(),
        );
        self.tasks.spawn(async move {
            let mut connections = JoinSet::new();
            while let Ok((client, _)) = listener.accept().await {
                if *hung.borrow() {
                    reached.fetch_add(1, Ordering::SeqCst);
                }
                let (upstream, hung, reached) =
                    (upstream.clone(), hung.subscribe(), reached.clone());
                connections.spawn(relay(client, upstream, hung, reached));
            }
        });
    }
}

/// One proxied connection: answers flow back untouched; requests are held while
/// the proxy is hung and forwarded, in order, once it is released.
async fn relay(
    client: TcpStream,
    upstream: String,
    mut hung: watch::Receiver<bool>,
    reached: Arc<AtomicUsize>,
) {
    let Ok(server) = TcpStream::connect(&upstream).await else {
        return;
    };
    let (mut from_client, mut to_client) = client.into_split();
    let (mut from_server, mut to_server) = server.into_split();
    let answers = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut from_server, &mut to_client).await;
    });
    let mut held = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        tokio::select! {
            read = from_client.read(&mut buf) => match read {
                Ok(0) | Err(_) => break,
                Ok(n) if *hung.borrow() => {
                    reached.fetch_add(1, Ordering::SeqCst);
                    held.extend_from_slice(&buf[..n]);
                }
                Ok(n) => {
                    if to_server.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            },
            changed = hung.changed() => {
                if changed.is_err() {
                    break;
                }
                if !*hung.borrow() && !held.is_empty() {
                    if to_server.write_all(&held).await.is_err() {
                        break;
                    }
                    held.clear();
                }
            }
        }
    }
    answers.abort();
}
