//! The Sentinel wrapper: ask the sentinels for the master, keep one connection to it,
//! and after a connection error or a `READONLY` reply (the old master was demoted)
//! drop it so the next call asks the sentinels again.
//!
//! redis-rs's `ConnectionManager` alone would keep reconnecting to the address it
//! started with, i.e. to the demoted master (see STACK.md, pitfalls).

use std::sync::{Mutex, PoisonError};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::sentinel::{SentinelClient, SentinelClientBuilder, SentinelServerType};
use redis::{ConnectionAddr, RedisError, RedisResult, TlsCertificates, TlsMode};

use super::target::SentinelTarget;

pub(crate) struct SentinelConnection {
    /// Serialises lookups: after a failover many calls fail at once, one asks.
    sentinels: tokio::sync::Mutex<SentinelClient>,
    master: Mutex<Option<ConnectionManager>>,
    config: ConnectionManagerConfig,
}

impl SentinelConnection {
    /// `certificates`: the CA (`tls_ca=`) to verify the sentinels and the
    /// master with, instead of the system's roots.
    pub(crate) fn new(
        target: &SentinelTarget,
        config: ConnectionManagerConfig,
        certificates: Option<TlsCertificates>,
    ) -> RedisResult<SentinelConnection> {
        let addrs = target.sentinels().iter().map(|(host, port)| {
            if target.is_tls() {
                ConnectionAddr::TcpTls {
                    host: host.clone(),
                    port: *port,
                    insecure: false,
                    tls_params: None,
                }
            } else {
                ConnectionAddr::Tcp(host.clone(), *port)
            }
        });
        let mut builder =
            SentinelClientBuilder::new(addrs, target.service(), SentinelServerType::Master)?
                .set_client_to_redis_db(target.db());
        if target.is_tls() {
            builder = builder
                .set_client_to_sentinel_tls_mode(TlsMode::Secure)
                .set_client_to_redis_tls_mode(TlsMode::Secure);
        }
        if let Some(certificates) = certificates {
            builder = builder
                .set_client_to_sentinel_certificates(certificates.clone())
                .set_client_to_redis_certificates(certificates);
        }
        if let Some(username) = target.sentinel_username() {
            builder = builder.set_client_to_sentinel_username(username);
        }
        if let Some(password) = target.sentinel_password() {
            builder = builder.set_client_to_sentinel_password(password);
        }
        if let Some(username) = target.username() {
            builder = builder.set_client_to_redis_username(username);
        }
        if let Some(password) = target.password() {
            builder = builder.set_client_to_redis_password(password);
        }
        Ok(SentinelConnection {
            sentinels: tokio::sync::Mutex::new(builder.build()?),
            master: Mutex::new(None),
            config,
        })
    }

    /// The connection to the current master, asking the sentinels if we have none.
    pub(crate) async fn get(&self) -> RedisResult<ConnectionManager> {
        if let Some(master) = self.current() {
            return Ok(master);
        }
        let mut sentinels = self.sentinels.lock().await;
        // Another call may have found the master while we waited for the lock.
        if let Some(master) = self.current() {
            return Ok(master);
        }
        let client = sentinels.async_get_client().await?;
        let master = ConnectionManager::new_with_config(client, self.config.clone()).await?;
        tracing::info!("connected to the Redis master named by Sentinel");
        *self.master.lock().unwrap_or_else(PoisonError::into_inner) = Some(master.clone());
        Ok(master)
    }

    /// Called after a failed command (`None`: it timed out). Drops the master
    /// connection when the failure suggests the master moved.
    pub(crate) fn failed(&self, error: Option<&RedisError>) {
        let moved = error.is_none_or(|e| {
            e.is_io_error()
                || e.is_connection_dropped()
                || e.is_connection_refusal()
                || e.is_timeout()
                || e.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::ReadOnly)
        });
        if moved {
            tracing::warn!(
                "Redis master connection failed; asking Sentinel again on the next call"
            );
            *self.master.lock().unwrap_or_else(PoisonError::into_inner) = None;
        }
    }

    fn current(&self) -> Option<ConnectionManager> {
        self.master
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}
