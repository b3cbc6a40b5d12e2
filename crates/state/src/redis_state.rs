//! [`RedisState`]: the state store shared by several replicas.
//!
//! Commands: `get` → GET, `put` → SET PX, `delete` → DEL, `claim` → SET NX PX,
//! `incr` → a Lua script (INCR, then PEXPIRE only when the result is 1, so creation
//! and expiry are one atomic step), `lease` → a Lua take-or-renew (SET PX only
//! while the key is absent or holds the same token), `release` → a Lua
//! compare-and-delete (DEL only while the key holds the token), `ping` → PING.
//! TTLs are whole milliseconds, at least 1.
//!
//! Every call is bounded: connecting and each response time out after
//! [`Resilience::io_timeout`], and a whole call (reconnects and Sentinel look-ups
//! included) after [`Resilience::call_timeout`], so a missing Redis is a prompt
//! [`StateError::Unavailable`], never a hang. A Redis that accepts connections and
//! never answers would still cost every call its time-out, so a circuit breaker
//! (the `breaker` crate) stands in front: after a few time-outs in a row, calls fail at
//! once for a cool-down, then one probe call tries again.

pub mod target;

mod sentinel;

use std::fmt;
use std::future::Future;
use std::time::Duration;

use async_trait::async_trait;
use engine::ports::{StateError, StateStore};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, RedisError, RedisResult, Script, TlsCertificates};
use tracing::Instrument;

use self::sentinel::SentinelConnection;
use self::target::{Endpoint, RedisTarget};
use crate::ConnectError;
use breaker::{Breaker, Outcome};

/// How [`RedisState`] bounds its calls and when it stops trying for a while.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resilience {
    /// Connecting, and waiting for one response.
    pub io_timeout: Duration,
    /// One whole call, reconnects and Sentinel look-ups included.
    pub call_timeout: Duration,
    /// Calls in a row that run into a time-out before the breaker opens.
    pub trip_after: u32,
    /// How long an open breaker fails calls fast before one probe call tries.
    pub cool_down: Duration,
}

impl Default for Resilience {
    fn default() -> Self {
        Resilience {
            io_timeout: Duration::from_secs(2),
            call_timeout: Duration::from_secs(3),
            trip_after: 3,
            cool_down: Duration::from_secs(5),
        }
    }
}
/// Longest TTL sent to Redis (100 years): larger values would overflow Redis's clock.
const MAX_TTL_MS: u64 = 100 * 365 * 24 * 60 * 60 * 1000;

/// INCR, and set the expiry only when this call created the counter.
const INCR_SCRIPT: &str = r"
local n = redis.call('INCR', KEYS[1])
if n == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
";

/// Takes a free lease or renews one held with the same token, in one step; with
/// a second key, also returns that key's value (`lease_and_get`).
const LEASE_SCRIPT: &str = r"
local holder = redis.call('GET', KEYS[1])
local taken = 0
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  taken = 1
end
if KEYS[2] then
  return {taken, redis.call('GET', KEYS[2])}
end
return taken
";

/// Delete the key only while it holds the caller's token.
const RELEASE_SCRIPT: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// Shared ephemeral state in Redis (or a Sentinel-managed Redis), every key under
/// `prefix` so several bots can share one server.
pub struct RedisState {
    connection: Connection,
    prefix: String,
    /// `host:port` (or the sentinels), for error messages.
    address: String,
    incr: Script,
    lease: Script,
    release: Script,
    call_timeout: Duration,
    breaker: Breaker,
}

enum Connection {
    /// redis-rs reconnects this one by itself.
    Direct(ConnectionManager),
    /// Re-resolved through the sentinels after a failure.
    Sentinel(Box<SentinelConnection>),
}

impl RedisState {
    /// Parses `url` (see [`RedisTarget`]), connects and checks the connection with
    /// a PING, so a wrong URL or password is reported at start-up. `prefix` (e.g.
    /// `"trainbot:"`) is put in front of every key.
    pub async fn connect(url: &str, prefix: &str) -> Result<RedisState, ConnectError> {
        RedisState::connect_to(RedisTarget::parse(url)?, prefix, Resilience::default()).await
    }

    /// [`RedisState::connect`] with an already parsed URL and its own time-outs
    /// and breaker settings.
    pub async fn connect_to(
        target: RedisTarget,
        prefix: &str,
        resilience: Resilience,
    ) -> Result<RedisState, ConnectError> {
        let Resilience {
            io_timeout,
            call_timeout,
            ..
        } = resilience;
        let address = target.address();
        if target.is_tls() {
            // rustls panics on the first TLS connection without a process-wide crypto
            // provider; an `Err` here only means one is installed already.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let certificates = match target.ca_file() {
            Some(path) => Some(TlsCertificates {
                client_tls: None,
                root_cert: Some(std::fs::read(path).map_err(|e| {
                    ConnectError::InvalidUrl(format!(
                        "tls_ca: cannot read the CA file {}: {e}",
                        path.display()
                    ))
                })?),
            }),
            None => None,
        };
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(io_timeout))
            .set_response_timeout(Some(io_timeout))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));

        let connect = async {
            match target.endpoint() {
                Endpoint::Direct(info) => {
                    let client = match certificates {
                        Some(certificates) => Client::build_with_tls(info.clone(), certificates)?,
                        None => Client::open(info.clone())?,
                    };
                    let manager = ConnectionManager::new_with_config(client, config).await?;
                    Ok(Connection::Direct(manager))
                }
                Endpoint::Sentinel(sentinel) => {
                    let connection = SentinelConnection::new(sentinel, config, certificates)?;
                    connection.get().await?;
                    Ok(Connection::Sentinel(Box::new(connection)))
                }
            }
        };
        let connection = match tokio::time::timeout(call_timeout, connect).await {
            Ok(Ok(connection)) => connection,
            Ok(Err(error)) => return Err(connect_error(address, &error)),
            Err(_) => {
                return Err(ConnectError::Unreachable {
                    address,
                    reason: format!(
                        "no answer within {} ms (is the address right? is a firewall in the way?)",
                        call_timeout.as_millis()
                    ),
                });
            }
        };

        let state = RedisState {
            connection,
            prefix: prefix.to_owned(),
            address: address.clone(),
            incr: Script::new(INCR_SCRIPT),
            lease: Script::new(LEASE_SCRIPT),
            release: Script::new(RELEASE_SCRIPT),
            call_timeout,
            breaker: Breaker::new("redis", resilience.trip_after, resilience.cool_down),
        };
        if let Err(StateError::Unavailable(reason)) = state.ping().await {
            return Err(ConnectError::Unreachable { address, reason });
        }
        tracing::info!(target = %target, prefix, "connected to Redis");
        Ok(state)
    }

    /// The prefix put in front of every key.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// Whether the circuit breaker is failing calls fast (open, or probing).
    pub fn circuit_open(&self) -> bool {
        self.breaker.is_open()
    }

    /// Runs one command with the current connection, bounded by the call time-out
    /// and the circuit breaker, and maps failures into [`StateError::Unavailable`].
    /// Each call is a child span of the update being handled (`state`, with the
    /// command and whether it failed; never the key or the value) and its time is
    /// in `trainbot_state_seconds{op}`.
    async fn run<T, F, Fut>(&self, op: &'static str, command: F) -> Result<T, StateError>
    where
        F: FnOnce(ConnectionManager) -> Fut + Send,
        Fut: Future<Output = RedisResult<T>> + Send,
    {
        let span = tracing::info_span!("state", op, error = tracing::field::Empty);
        let started = std::time::Instant::now();
        let result = self.attempt(op, command).instrument(span.clone()).await;
        if result.is_err() {
            span.record("error", true);
        }
        metrics::histogram!("trainbot_state_seconds", "op" => op)
            .record(started.elapsed().as_secs_f64());
        result
    }

    async fn attempt<T, F, Fut>(&self, op: &str, command: F) -> Result<T, StateError>
    where
        F: FnOnce(ConnectionManager) -> Fut + Send,
        Fut: Future<Output = RedisResult<T>> + Send,
    {
        let Some(permit) = self.breaker.admit() else {
            return Err(StateError::Unavailable(format!(
                "Redis at {}: {op} not tried: the circuit breaker is open after calls kept timing out",
                self.address
            )));
        };
        let call = async {
            let connection = match &self.connection {
                Connection::Direct(manager) => manager.clone(),
                Connection::Sentinel(sentinel) => sentinel.get().await?,
            };
            command(connection).await
        };
        let error = match tokio::time::timeout(self.call_timeout, call).await {
            Ok(Ok(value)) => {
                permit.finish(Outcome::Success);
                return Ok(value);
            }
            Ok(Err(error)) => Some(error),
            Err(_) => None,
        };
        permit.finish(match &error {
            Some(error) if !error.is_timeout() => Outcome::Failed,
            _ => Outcome::TimedOut,
        });
        if let Connection::Sentinel(sentinel) = &self.connection {
            sentinel.failed(error.as_ref());
        }
        let reason = match &error {
            Some(error) => describe(error),
            None => format!("no answer within {} ms", self.call_timeout.as_millis()),
        };
        Err(StateError::Unavailable(format!(
            "Redis at {}: {op} failed: {reason}",
            self.address
        )))
    }
}

#[async_trait]
impl StateStore for RedisState {
    async fn get(&self, key: &str) -> Result<Option<String>, StateError> {
        let key = self.key(key);
        self.run("GET", |mut c| async move {
            redis::cmd("GET").arg(&key).query_async(&mut c).await
        })
        .await
    }

    async fn put(&self, key: &str, value: &str, ttl: Duration) -> Result<(), StateError> {
        let key = self.key(key);
        self.run("SET", |mut c| async move {
            redis::cmd("SET")
                .arg(&key)
                .arg(value)
                .arg("PX")
                .arg(ttl_ms(ttl))
                .query_async(&mut c)
                .await
        })
        .await
    }

    async fn delete(&self, key: &str) -> Result<(), StateError> {
        let key = self.key(key);
        self.run("DEL", |mut c| async move {
            redis::cmd("DEL").arg(&key).query_async(&mut c).await
        })
        .await
    }

    async fn claim(&self, key: &str, ttl: Duration) -> Result<bool, StateError> {
        let key = self.key(key);
        let reply: Option<String> = self
            .run("SET NX", |mut c| async move {
                redis::cmd("SET")
                    .arg(&key)
                    .arg(1)
                    .arg("NX")
                    .arg("PX")
                    .arg(ttl_ms(ttl))
                    .query_async(&mut c)
                    .await
            })
            .await?;
        Ok(reply.is_some())
    }

    async fn incr(&self, key: &str, ttl: Duration) -> Result<i64, StateError> {
        let key = self.key(key);
        self.run("INCR", |mut c| async move {
            self.incr
                .key(&key)
                .arg(ttl_ms(ttl))
                .invoke_async(&mut c)
                .await
        })
        .await
    }

    async fn lease(&self, key: &str, token: &str, ttl: Duration) -> Result<bool, StateError> {
        let key = self.key(key);
        let taken: i64 = self
            .run("lease", |mut c| async move {
                self.lease
                    .key(&key)
                    .arg(token)
                    .arg(ttl_ms(ttl))
                    .invoke_async(&mut c)
                    .await
            })
            .await?;
        Ok(taken == 1)
    }

    async fn lease_and_get(
        &self,
        key: &str,
        token: &str,
        ttl: Duration,
        other: &str,
    ) -> Result<(bool, Option<String>), StateError> {
        let (key, other) = (self.key(key), self.key(other));
        let (taken, value): (i64, Option<String>) = self
            .run("lease", |mut c| async move {
                self.lease
                    .key(&key)
                    .key(&other)
                    .arg(token)
                    .arg(ttl_ms(ttl))
                    .invoke_async(&mut c)
                    .await
            })
            .await?;
        Ok((taken == 1, value))
    }

    async fn release(&self, key: &str, token: &str) -> Result<bool, StateError> {
        let key = self.key(key);
        let deleted: i64 = self
            .run("release", |mut c| async move {
                self.release.key(&key).arg(token).invoke_async(&mut c).await
            })
            .await?;
        Ok(deleted == 1)
    }

    async fn ping(&self) -> Result<(), StateError> {
        let _: String = self
            .run("PING", |mut c| async move {
                redis::cmd("PING").query_async(&mut c).await
            })
            .await?;
        Ok(())
    }
}

impl fmt::Debug for RedisState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisState")
            .field("address", &self.address)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// Whole milliseconds, at least 1 (Redis rejects 0) and at most [`MAX_TTL_MS`].
fn ttl_ms(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis())
        .unwrap_or(MAX_TTL_MS)
        .clamp(1, MAX_TTL_MS)
}

fn is_auth_failure(error: &RedisError) -> bool {
    error.kind() == redis::ErrorKind::AuthenticationFailed
        || matches!(error.code(), Some("NOAUTH" | "WRONGPASS"))
}

/// A failure in words, without addresses (the caller adds the redacted one).
fn describe(error: &RedisError) -> String {
    if error.is_connection_refusal() {
        "connection refused".to_owned()
    } else if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connection_dropped() {
        "connection lost".to_owned()
    } else if is_auth_failure(error) {
        "authentication failed".to_owned()
    } else {
        error.to_string()
    }
}

fn connect_error(address: String, error: &RedisError) -> ConnectError {
    if error.is_connection_refusal() {
        ConnectError::Unreachable {
            address,
            reason: "connection refused (is it running?)".to_owned(),
        }
    } else if error.is_timeout() {
        ConnectError::Unreachable {
            address,
            reason: "timed out (is the address right? is a firewall in the way?)".to_owned(),
        }
    } else if is_auth_failure(error) {
        ConnectError::Refused {
            address,
            reason: "authentication failed (check the user name and password in REDIS_URL)"
                .to_owned(),
        }
    } else if error.kind() == redis::ErrorKind::MasterNameNotFoundBySentinel {
        ConnectError::Refused {
            address,
            reason: "no sentinel knows the service named in REDIS_URL's path".to_owned(),
        }
    } else if error.is_io_error() {
        ConnectError::Unreachable {
            address,
            reason: error.to_string(),
        }
    } else {
        ConnectError::Refused {
            address,
            reason: error.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_is_whole_milliseconds_between_1_and_100_years() {
        assert_eq!(ttl_ms(Duration::from_millis(300)), 300);
        assert_eq!(ttl_ms(Duration::from_micros(1500)), 1);
        assert_eq!(ttl_ms(Duration::ZERO), 1);
        assert_eq!(ttl_ms(Duration::MAX), MAX_TTL_MS);
    }
}
