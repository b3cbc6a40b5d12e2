//! `REDIS_URL`: which Redis to talk to, parsed once and shown only in redacted form.
//!
//! Accepted forms:
//!
//! - `redis://[[user]:password@]host[:port][/db]` and the same with `rediss://` (TLS);
//!   parsed by redis-rs itself.
//! - `redis+sentinel://[[user]:password@]host1[:port],host2[:port]/service[?db=N]`,
//!   parsed here because the host list is not a URL host. The sentinels default to
//!   port 26379; the credentials and `db` are for the master, not the sentinels.
//!   Sentinels that want a password of their own get it as
//!   `?sentinel_password=…` (and `sentinel_username=…`), percent-encoded like the
//!   master's. `rediss+sentinel://` speaks TLS to the sentinels and the master,
//!   verifying their certificates against the system's roots.
//! - On either TLS form, `tls_ca=/path/to/ca.pem` (percent-encoded) verifies the
//!   servers against that CA instead of the system's roots: for a Redis whose
//!   certificates a private CA signed.

use std::fmt;
use std::path::{Path, PathBuf};

use redis::{ConnectionAddr, ConnectionInfo, IntoConnectionInfo};

use crate::ConnectError;

const SENTINEL_SCHEME: &str = "redis+sentinel";
const SENTINEL_TLS_SCHEME: &str = "rediss+sentinel";
const DEFAULT_SENTINEL_PORT: u16 = 26379;

/// A parsed `REDIS_URL`. `Display` and `Debug` never show the password.
#[derive(Clone)]
pub struct RedisTarget {
    endpoint: Endpoint,
    /// `tls_ca=`: the CA to verify the servers with, instead of the system's.
    ca_file: Option<PathBuf>,
}

#[derive(Clone)]
pub(crate) enum Endpoint {
    /// One Redis server (`redis://` or `rediss://`).
    Direct(ConnectionInfo),
    /// A master found through Redis Sentinel (`redis+sentinel://`).
    Sentinel(SentinelTarget),
}

/// The sentinels to ask and the master they watch.
#[derive(Clone, PartialEq, Eq)]
pub struct SentinelTarget {
    sentinels: Vec<(String, u16)>,
    service: String,
    db: i64,
    username: Option<String>,
    password: Option<String>,
    sentinel_username: Option<String>,
    sentinel_password: Option<String>,
    /// `rediss+sentinel://`: TLS to the sentinels and the master.
    tls: bool,
}

impl RedisTarget {
    /// Parses a `REDIS_URL`; the error says what to fix and never repeats the password.
    pub fn parse(url: &str) -> Result<RedisTarget, ConnectError> {
        let (url, ca_file) = take_ca_file(url.trim())?;
        let target = RedisTarget::parse_endpoint(&url)?;
        if ca_file.is_some() && !target.is_tls() {
            return Err(ConnectError::InvalidUrl(
                "tls_ca is for TLS URLs: use rediss:// or rediss+sentinel://".to_owned(),
            ));
        }
        Ok(RedisTarget { ca_file, ..target })
    }

    fn parse_endpoint(url: &str) -> Result<RedisTarget, ConnectError> {
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err(ConnectError::InvalidUrl(
                "expected a URL such as redis://127.0.0.1:6379/0".to_owned(),
            ));
        };
        match scheme.to_ascii_lowercase().as_str() {
            "redis" | "rediss" => {
                let info = url.into_connection_info().map_err(|_| {
                    ConnectError::InvalidUrl(format!(
                        "not a valid {scheme}:// URL; expected {scheme}://[:password@]host[:port][/db]"
                    ))
                })?;
                Ok(RedisTarget {
                    endpoint: Endpoint::Direct(info),
                    ca_file: None,
                })
            }
            SENTINEL_SCHEME => Ok(RedisTarget {
                endpoint: Endpoint::Sentinel(SentinelTarget::parse(rest, false)?),
                ca_file: None,
            }),
            SENTINEL_TLS_SCHEME => Ok(RedisTarget {
                endpoint: Endpoint::Sentinel(SentinelTarget::parse(rest, true)?),
                ca_file: None,
            }),
            _ => Err(ConnectError::UnsupportedScheme(scheme.to_owned())),
        }
    }

    /// Where we connect, for messages: `host:port`, or the sentinels' addresses.
    pub fn address(&self) -> String {
        match &self.endpoint {
            Endpoint::Direct(info) => info.addr().to_string(),
            Endpoint::Sentinel(target) => target.sentinel_list(),
        }
    }

    /// `rediss://` or `rediss+sentinel://` (TLS).
    pub fn is_tls(&self) -> bool {
        match &self.endpoint {
            Endpoint::Direct(info) => matches!(info.addr(), ConnectionAddr::TcpTls { .. }),
            Endpoint::Sentinel(target) => target.tls,
        }
    }

    /// The Sentinel details, for a `redis+sentinel://` URL.
    pub fn sentinel(&self) -> Option<&SentinelTarget> {
        match &self.endpoint {
            Endpoint::Sentinel(target) => Some(target),
            Endpoint::Direct(_) => None,
        }
    }

    pub(crate) fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The CA file of `tls_ca=`, if given.
    pub fn ca_file(&self) -> Option<&Path> {
        self.ca_file.as_deref()
    }
}

/// Takes `tls_ca=…` out of the URL's query (it is ours, not redis-rs's): the URL
/// without it, and the path.
fn take_ca_file(url: &str) -> Result<(String, Option<PathBuf>), ConnectError> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_owned(), None));
    };
    let mut ca_file = None;
    let mut kept = Vec::new();
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("tls_ca", value)) => {
                let path = percent_decode(value)
                    .filter(|p| !p.is_empty())
                    .ok_or_else(|| {
                        ConnectError::InvalidUrl(
                            "tls_ca is empty or not valid percent-encoding".to_owned(),
                        )
                    })?;
                ca_file = Some(PathBuf::from(path));
            }
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((url, ca_file))
}

impl fmt::Display for RedisTarget {
    /// The URL without credentials, e.g. `redis://127.0.0.1:6379/0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.endpoint {
            Endpoint::Direct(info) => {
                let scheme = match info.addr() {
                    ConnectionAddr::TcpTls { .. } => "rediss",
                    _ => "redis",
                };
                write!(
                    f,
                    "{scheme}://{}/{}",
                    info.addr(),
                    info.redis_settings().db()
                )
            }
            Endpoint::Sentinel(target) => target.fmt(f),
        }
    }
}

impl fmt::Debug for RedisTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RedisTarget({self})")
    }
}

impl SentinelTarget {
    /// Parses what follows `redis+sentinel://` (`rediss+sentinel://` when `tls`).
    fn parse(rest: &str, tls: bool) -> Result<SentinelTarget, ConnectError> {
        let invalid = |what: &str| {
            ConnectError::InvalidUrl(format!(
                "{what} (expected redis+sentinel://[:password@]host1:26379,host2:26379/service[?db=N&sentinel_password=…])"
            ))
        };

        let (rest, query) = match rest.split_once('?') {
            Some((rest, query)) => (rest, Some(query)),
            None => (rest, None),
        };
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (userinfo, hosts) = match authority.rsplit_once('@') {
            Some((userinfo, hosts)) => (Some(userinfo), hosts),
            None => (None, authority),
        };

        let (username, password) = match userinfo {
            None => (None, None),
            Some(userinfo) => {
                let (user, password) = match userinfo.split_once(':') {
                    Some((user, password)) => (user, Some(password)),
                    None => (userinfo, None),
                };
                let user = percent_decode(user)
                    .ok_or_else(|| invalid("the user name is not valid percent-encoding"))?;
                let password = match password {
                    Some(p) => Some(
                        percent_decode(p)
                            .ok_or_else(|| invalid("the password is not valid percent-encoding"))?,
                    ),
                    None => None,
                };
                (
                    (!user.is_empty()).then_some(user),
                    password.filter(|p| !p.is_empty()),
                )
            }
        };

        let mut sentinels = Vec::new();
        for host in hosts.split(',') {
            sentinels.push(parse_host_port(host).ok_or_else(|| {
                invalid(&format!(
                    "`{host}` is not a sentinel address like host:26379"
                ))
            })?);
        }

        let service = path.trim_end_matches('/');
        if service.is_empty() || service.contains('/') {
            return Err(invalid("the path must be the Sentinel service name"));
        }

        let mut db = 0;
        let (mut sentinel_username, mut sentinel_password) = (None, None);
        let decoded = |name: &str, value: &str| {
            percent_decode(value)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| invalid(&format!("{name} is empty or not valid percent-encoding")))
        };
        for pair in query
            .into_iter()
            .flat_map(|q| q.split('&'))
            .filter(|p| !p.is_empty())
        {
            match pair.split_once('=') {
                Some(("db", value)) => {
                    db = value
                        .parse::<i64>()
                        .ok()
                        .filter(|db| *db >= 0)
                        .ok_or_else(|| {
                            invalid(&format!("db=`{value}` is not a database number"))
                        })?;
                }
                Some(("sentinel_username", value)) => {
                    sentinel_username = Some(decoded("sentinel_username", value)?);
                }
                Some(("sentinel_password", value)) => {
                    sentinel_password = Some(decoded("sentinel_password", value)?);
                }
                _ => {
                    let name = pair.split_once('=').map_or(pair, |(name, _)| name);
                    return Err(invalid(&format!(
                        "unknown parameter `{name}`; only `db`, `sentinel_username`, `sentinel_password` and `tls_ca` are understood"
                    )));
                }
            }
        }

        Ok(SentinelTarget {
            sentinels,
            service: service.to_owned(),
            db,
            username,
            password,
            sentinel_username,
            sentinel_password,
            tls,
        })
    }

    /// The sentinels, in the order they are asked.
    pub fn sentinels(&self) -> &[(String, u16)] {
        &self.sentinels
    }

    /// The name the sentinels know the master by.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The database selected on the master.
    pub fn db(&self) -> i64 {
        self.db
    }

    pub fn username(&self) -> Option<&str> {
        self.username.as_deref()
    }

    /// The master's password. Never log it.
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    pub fn sentinel_username(&self) -> Option<&str> {
        self.sentinel_username.as_deref()
    }

    /// The sentinels' own password. Never log it.
    pub fn sentinel_password(&self) -> Option<&str> {
        self.sentinel_password.as_deref()
    }

    /// Whether the sentinels and the master are spoken to over TLS.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    fn sentinel_list(&self) -> String {
        let hosts: Vec<String> = self
            .sentinels
            .iter()
            .map(|(host, port)| format_host_port(host, *port))
            .collect();
        hosts.join(",")
    }
}

impl fmt::Display for SentinelTarget {
    /// The URL without credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.tls {
            SENTINEL_TLS_SCHEME
        } else {
            SENTINEL_SCHEME
        };
        write!(
            f,
            "{scheme}://{}/{}?db={}",
            self.sentinel_list(),
            self.service,
            self.db
        )
    }
}

impl fmt::Debug for SentinelTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SentinelTarget({self})")
    }
}

/// `host`, `host:port`, `[::1]` or `[::1]:port`; the port defaults to 26379.
fn parse_host_port(raw: &str) -> Option<(String, u16)> {
    let (host, port) = if let Some(bracketed) = raw.strip_prefix('[') {
        let (host, after) = bracketed.split_once(']')?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        (host, port)
    } else {
        match raw.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (raw, None),
        }
    };
    if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '@') {
        return None;
    }
    let port = match port {
        Some(port) => port.parse::<u16>().ok().filter(|p| *p != 0)?,
        None => DEFAULT_SENTINEL_PORT,
    };
    Some((host.to_owned(), port))
}

fn format_host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// `%XX` decoding of URL user info; `None` if malformed or not UTF-8.
fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = raw.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentinel(url: &str) -> SentinelTarget {
        let target = RedisTarget::parse(url).unwrap();
        match target.sentinel() {
            Some(sentinel) => sentinel.clone(),
            None => panic!("expected a sentinel target from {url}, got {target:?}"),
        }
    }

    fn error(url: &str) -> String {
        match RedisTarget::parse(url) {
            Err(e) => e.to_string(),
            Ok(target) => panic!("expected {url} to be rejected, got {target}"),
        }
    }

    #[test]
    fn plain_url_keeps_host_port_and_db() {
        let target = RedisTarget::parse("redis://127.0.0.1:6380/3").unwrap();
        assert_eq!(target.address(), "127.0.0.1:6380");
        assert_eq!(target.to_string(), "redis://127.0.0.1:6380/3");
        assert!(!target.is_tls());
    }

    #[test]
    fn plain_url_defaults_to_port_6379_and_db_0() {
        let target = RedisTarget::parse("redis://cache.internal").unwrap();
        assert_eq!(target.to_string(), "redis://cache.internal:6379/0");
    }

    #[test]
    fn sentinels_may_have_their_own_password_which_is_never_shown() {
        let url = "redis+sentinel://:m4ster@s1:26379,s2/trainbot?db=2&sentinel_username=watch&sentinel_password=s%40nt";
        let target = sentinel(url);
        assert_eq!(target.password(), Some("m4ster"));
        assert_eq!(target.sentinel_username(), Some("watch"));
        assert_eq!(target.sentinel_password(), Some("s@nt"));
        assert!(!target.is_tls());
        let shown = RedisTarget::parse(url).unwrap().to_string();
        assert_eq!(shown, "redis+sentinel://s1:26379,s2:26379/trainbot?db=2");
        assert!(
            error("redis+sentinel://s1/trainbot?sentinel_password=").contains("sentinel_password"),
            "an empty sentinel password is a mistake, not no password"
        );
    }

    #[test]
    fn rediss_sentinel_is_tls_to_sentinels_and_master() {
        let target = RedisTarget::parse("rediss+sentinel://s1:26380,s2:26380/trainbot").unwrap();
        assert!(target.is_tls());
        assert_eq!(
            target.to_string(),
            "rediss+sentinel://s1:26380,s2:26380/trainbot?db=0"
        );
    }

    #[test]
    fn tls_ca_names_a_ca_for_tls_urls_only() {
        let target = RedisTarget::parse(
            "rediss+sentinel://:pw@s1:26380,s2:26380/trainbot?sentinel_password=x&tls_ca=%2Fetc%2Fredis%2Fca.pem",
        )
        .unwrap();
        assert_eq!(target.ca_file(), Some(Path::new("/etc/redis/ca.pem")));
        assert_eq!(target.sentinel().unwrap().sentinel_password(), Some("x"));
        let direct = RedisTarget::parse("rediss://:pw@cache:6380/1?tls_ca=/ca.pem").unwrap();
        assert_eq!(direct.ca_file(), Some(Path::new("/ca.pem")));
        assert_eq!(direct.to_string(), "rediss://cache:6380/1");
        for plain in [
            "redis://cache:6379/0?tls_ca=/ca.pem",
            "redis+sentinel://s1/trainbot?tls_ca=/ca.pem",
        ] {
            let error = RedisTarget::parse(plain).unwrap_err().to_string();
            assert!(error.contains("rediss://"), "{error}");
        }
        let empty = RedisTarget::parse("rediss://cache:6380/0?tls_ca=").unwrap_err();
        assert!(empty.to_string().contains("tls_ca is empty"), "{empty}");
    }

    #[test]
    fn rediss_is_tls() {
        let target = RedisTarget::parse("rediss://:s3cret@cache.example.com:6380/1").unwrap();
        assert!(target.is_tls());
        assert_eq!(target.to_string(), "rediss://cache.example.com:6380/1");
    }

    #[test]
    fn plain_url_password_reaches_redis_but_is_never_shown() {
        let target = RedisTarget::parse("redis://bot:s3cret@10.0.0.5:6379/2").unwrap();
        let Endpoint::Direct(info) = target.endpoint() else {
            panic!("expected a direct target");
        };
        assert_eq!(info.redis_settings().password(), Some("s3cret"));
        assert_eq!(info.redis_settings().username(), Some("bot"));
        assert!(!target.to_string().contains("s3cret"));
        assert!(!format!("{target:?}").contains("s3cret"));
        assert!(!target.address().contains("s3cret"));
    }

    #[test]
    fn sentinel_url_lists_hosts_and_service() {
        let target = sentinel("redis+sentinel://host1:26379,host2:26380/mymaster");
        assert_eq!(
            target.sentinels(),
            &[("host1".to_owned(), 26379), ("host2".to_owned(), 26380)]
        );
        assert_eq!(target.service(), "mymaster");
        assert_eq!(target.db(), 0);
        assert_eq!(target.password(), None);
        assert_eq!(target.username(), None);
    }

    #[test]
    fn sentinel_port_defaults_to_26379_and_ipv6_is_understood() {
        let target = sentinel("redis+sentinel://sentinel-a,[::1]:26390/bots");
        assert_eq!(
            target.sentinels(),
            &[("sentinel-a".to_owned(), 26379), ("::1".to_owned(), 26390)]
        );
        assert_eq!(
            target.to_string(),
            "redis+sentinel://sentinel-a:26379,[::1]:26390/bots?db=0"
        );
    }

    #[test]
    fn sentinel_db_and_password() {
        let target = sentinel("redis+sentinel://:p%40ss%3Aword@h1:26379,h2:26379/mymaster?db=4");
        assert_eq!(target.db(), 4);
        assert_eq!(target.password(), Some("p@ss:word"));
        assert_eq!(target.username(), None);

        let target = sentinel("redis+sentinel://bot:pw@h1/mymaster");
        assert_eq!(target.username(), Some("bot"));
        assert_eq!(target.password(), Some("pw"));
    }

    #[test]
    fn sentinel_password_is_redacted() {
        let target =
            RedisTarget::parse("redis+sentinel://bot:topsecret@h1:26379,h2:26379/mymaster?db=1")
                .unwrap();
        assert_eq!(
            target.to_string(),
            "redis+sentinel://h1:26379,h2:26379/mymaster?db=1"
        );
        assert!(!format!("{target:?}").contains("topsecret"));
        assert_eq!(target.address(), "h1:26379,h2:26379");
    }

    #[test]
    fn sentinel_errors_say_what_is_wrong() {
        assert!(error("redis+sentinel://h1:26379").contains("service name"));
        assert!(error("redis+sentinel://h1:26379/").contains("service name"));
        assert!(error("redis+sentinel://h1:26379/a/b").contains("service name"));
        assert!(
            error("redis+sentinel://h1:notaport/m")
                .contains("`h1:notaport` is not a sentinel address")
        );
        assert!(error("redis+sentinel://h1,,h2/m").contains("`` is not a sentinel address"));
        assert!(error("redis+sentinel:///m").contains("is not a sentinel address"));
        assert!(error("redis+sentinel://h1/m?db=x").contains("db=`x`"));
        assert!(error("redis+sentinel://h1/m?db=-1").contains("db=`-1`"));
        assert!(error("redis+sentinel://h1/m?timeout=3").contains("unknown parameter `timeout`"));
        assert!(error("redis+sentinel://:bad%zz@h1/m").contains("percent-encoding"));
    }

    #[test]
    fn errors_never_show_the_password() {
        for url in [
            "redis+sentinel://:hunter2@h1:xx/m",
            "redis+sentinel://:hunter2@h1/m?db=x",
            "redis+sentinel://:hunter2@h1",
            "http://:hunter2@h1/",
            "redis://:hunter2@h1:notaport/0",
        ] {
            let message = error(url);
            assert!(message.starts_with("REDIS_URL: "), "{message}");
            assert!(!message.contains("hunter2"), "{message}");
        }
    }

    #[test]
    fn unsupported_scheme_names_the_accepted_ones() {
        assert_eq!(
            error("http://127.0.0.1:6379"),
            "REDIS_URL: unsupported scheme `http`; use redis://, rediss://, redis+sentinel:// or rediss+sentinel://"
        );
    }

    #[test]
    fn not_a_url_at_all() {
        assert!(error("127.0.0.1:6379").contains("expected a URL such as redis://"));
        assert!(error("").contains("expected a URL"));
    }
}
