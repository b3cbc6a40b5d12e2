//! `trainbot health`: asks a running bot's `/healthz` (or `/readyz`) over plain
//! HTTP and exits 0 when it answers 200. Container health checks and probes use it
//! where no curl exists (the image has nothing but the binary).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long a probe may take in all.
const PROBE_TIME: Duration = Duration::from_secs(3);

/// The address to connect to for a bot listening on `listen`: a wildcard address
/// (`0.0.0.0`, `::`) is reached on loopback.
pub fn target(listen: SocketAddr) -> SocketAddr {
    match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), listen.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), listen.port())
        }
        _ => listen,
    }
}

/// GETs `path` from `addr` and returns the HTTP status code.
pub async fn probe(addr: SocketAddr, path: &str) -> Result<u16, String> {
    let exchange = async {
        let mut stream = TcpStream::connect(addr)
            .await
            .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
        let request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream
            .write_all(request.as_bytes())
            .await
            .map_err(|e| format!("cannot send the request: {e}"))?;
        let mut head = [0u8; 64];
        let mut read = 0;
        while read < head.len() {
            match stream.read(&mut head[read..]).await {
                Ok(0) => break,
                Ok(n) => read += n,
                Err(e) => return Err(format!("cannot read the answer: {e}")),
            }
        }
        status_code(&head[..read]).ok_or_else(|| "the answer is not HTTP".to_owned())
    };
    tokio::time::timeout(PROBE_TIME, exchange)
        .await
        .map_err(|_| format!("no answer from {addr} within {} s", PROBE_TIME.as_secs()))?
}

/// The status code of an HTTP/1.x status line (`HTTP/1.1 200 OK`).
fn status_code(head: &[u8]) -> Option<u16> {
    let line = std::str::from_utf8(head).ok()?.lines().next()?;
    let mut parts = line.split_whitespace();
    parts.next().filter(|v| v.starts_with("HTTP/1."))?;
    parts.next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn wildcard_listen_addresses_are_probed_on_loopback() {
        let any: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert_eq!(target(any), "127.0.0.1:8080".parse().unwrap());
        let any6: SocketAddr = "[::]:9090".parse().unwrap();
        assert_eq!(target(any6), "[::1]:9090".parse().unwrap());
        let exact: SocketAddr = "10.1.2.3:80".parse().unwrap();
        assert_eq!(target(exact), exact);
    }

    #[test]
    fn only_an_http_status_line_gives_a_code() {
        assert_eq!(status_code(b"HTTP/1.1 200 OK\r\n"), Some(200));
        assert_eq!(status_code(b"HTTP/1.0 503 Service Unavailable"), Some(503));
        assert_eq!(status_code(b"SSH-2.0-OpenSSH"), None);
        assert_eq!(status_code(b"HTTP/1.1 abc"), None);
        assert_eq!(status_code(&[0xff, 0xfe]), None);
        assert_eq!(status_code(b""), None);
    }

    #[tokio::test]
    async fn a_running_router_answers_and_a_closed_port_does_not() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new().route("/healthz", axum::routing::get(|| async { "ok" }));
        let server = tokio::spawn(async move { axum::serve(listener, app).await });
        assert_eq!(probe(addr, "/healthz").await, Ok(200));
        assert_eq!(probe(addr, "/nothing").await, Ok(404));
        server.abort();
        let _ = server.await;
        assert!(probe(addr, "/healthz").await.is_err());
    }
}
