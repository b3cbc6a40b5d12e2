//! Network helpers shared by the CLI and end-to-end suites.

/// A loopback port nobody listens on now (bound and let go; the caller's server
/// takes it right after).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
