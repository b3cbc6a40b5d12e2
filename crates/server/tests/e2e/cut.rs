//! A TCP proxy a test can cut: the bot reaches PostgreSQL or Redis through it, and
//! the test makes the service unreachable for the bot alone (the shared server
//! and every other test's connections stay up), in one of two ways: refused (a
//! crashed server: connections close at once) or black-holed (a host gone from
//! the network: connections open and nothing ever comes back).

use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// How the proxy treats connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Through,
    /// Every connection is closed; new ones as soon as they are accepted.
    Refused,
    /// Connections stay open and nothing passes either way.
    BlackHole,
}

pub struct Cuttable {
    addr: SocketAddr,
    mode: watch::Sender<Mode>,
    _serving: tokio::task::JoinHandle<()>,
}

impl Cuttable {
    /// Forwards a new loopback port to `target`.
    pub async fn start(target: SocketAddr) -> Cuttable {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (mode, _) = watch::channel(Mode::Through);
        let serving = tokio::spawn(serve(listener, target, mode.subscribe()));
        Cuttable {
            addr,
            mode,
            _serving: serving,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Closes every connection through the proxy and each new one as soon as it
    /// is accepted, as a crashed server's host does.
    pub fn refuse(&self) {
        self.mode.send_replace(Mode::Refused);
    }

    /// Lets nothing through either way on any connection, old or new, and
    /// closes none: a host gone from the network.
    pub fn black_hole(&self) {
        self.mode.send_replace(Mode::BlackHole);
    }

    /// Lets new connections through again; the ones that met the fault are
    /// closed.
    pub fn restore(&self) {
        self.mode.send_replace(Mode::Through);
    }
}

async fn serve(listener: TcpListener, target: SocketAddr, mode: watch::Receiver<Mode>) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        let mut mode = mode.clone();
        tokio::spawn(async move {
            let now = *mode.borrow_and_update();
            match now {
                Mode::Refused => return,
                // Held open until the fault ends, then closed.
                Mode::BlackHole => {
                    let _ = mode.wait_for(|m| *m == Mode::Through).await;
                    return;
                }
                Mode::Through => {}
            }
            let Ok(mut server) = TcpStream::connect(target).await else {
                return;
            };
            let mut client = client;
            tokio::select! {
                _ = tokio::io::copy_bidirectional(&mut client, &mut server) => return,
                _ = mode.wait_for(|m| *m != Mode::Through) => {}
            }
            if *mode.borrow() == Mode::BlackHole {
                let _ = mode.wait_for(|m| *m == Mode::Through).await;
            }
            drop((client, server));
        });
    }
}

/// `url` with its host and port replaced by `proxy`'s (`postgres://…@HOST:PORT/…`,
/// `redis://HOST:PORT`).
pub fn through(url: &str, proxy: &Cuttable) -> String {
    let mut parsed = url::Url::parse(url).expect("a URL");
    parsed.set_ip_host(proxy.addr().ip()).expect("an IP host");
    parsed.set_port(Some(proxy.addr().port())).expect("a port");
    parsed.to_string()
}

/// Where `url` points (its host must be an IP address or `localhost`).
pub fn target(url: &str) -> SocketAddr {
    let parsed = url::Url::parse(url).expect("a URL");
    let host = match parsed.host_str().expect("a host") {
        "localhost" => "127.0.0.1",
        other => other,
    };
    let port = parsed
        .port_or_known_default()
        .unwrap_or(match parsed.scheme() {
            "redis" | "rediss" => 6379,
            _ => 5432,
        });
    format!("{host}:{port}").parse().expect("an address")
}
