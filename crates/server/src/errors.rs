//! Errors to Sentry, when `SENTRY_DSN` is set (ADR 0026): panics (the SDK's panic
//! hook, with a backtrace) and error-level log events ([`ErrorEvents`]), each with
//! the release, the environment (`SENTRY_ENVIRONMENT`) and, when it happened while
//! an update was handled, that update's id and kind as tags.
//!
//! Personal data stays out: our logs never hold names, texts or passwords, and
//! [`scrub`] makes sure of what we can check: every configured secret (the bot
//! token, the database and Redis URLs and their passwords, the webhook secret) is
//! cut out of every string of an event, and the user, request and breadcrumbs are
//! dropped. The SDK's `send_default_pii` stays off.
//!
//! The SDK is built without its own HTTP transports (they bring a second reqwest
//! and, with rustls, a second crypto library): our `HttpTransport` posts envelopes with
//! the bot's reqwest on its Tokio runtime.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sentry::protocol::{Event, Value};
use sentry::{ClientInitGuard, ClientOptions, Envelope, Transport};
use tokio::sync::mpsc;
use tracing::field::{Field, Visit};
use tracing::span;
use tracing::{Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

/// Envelopes waiting to be sent; beyond this, new ones are dropped (and counted).
const QUEUE: usize = 100;
/// How long one request to Sentry may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a stop waits for the queue to drain.
pub const FLUSH_TIMEOUT: Duration = Duration::from_secs(2);

/// How long to hold events back when Sentry says it is too many but not for how
/// long.
const DEFAULT_BACK_OFF: Duration = Duration::from_secs(60);
/// The longest Sentry may ask us to wait (an hour): a bad header cannot silence
/// reports for good.
const MAX_BACK_OFF: Duration = Duration::from_secs(3600);

/// What the cut-out secrets are replaced with.
const REDACTED: &str = "[redacted]";

/// The Sentry client, if `SENTRY_DSN` asks for one. `secrets` are the strings no
/// event may contain. Call inside the Tokio runtime; an error names the setting.
pub fn client(secrets: Vec<String>) -> Result<Option<ClientInitGuard>, String> {
    let dsn = match std::env::var("SENTRY_DSN") {
        Ok(dsn) if !dsn.trim().is_empty() => dsn,
        _ => return Ok(None),
    };
    let parsed: sentry::types::Dsn = dsn.trim().parse().map_err(|e| {
        // The DSN's key is a secret of sorts: name the setting, not its value.
        format!("SENTRY_DSN: not a Sentry DSN ({e}); it looks like https://KEY@HOST/PROJECT")
    })?;
    let transport = HttpTransport::start(parsed.clone())?;
    let secrets: Arc<Vec<String>> = Arc::new(
        secrets
            .into_iter()
            .filter(|s| s.len() >= 4)
            .collect::<Vec<_>>(),
    );
    let release = std::env::var("SENTRY_RELEASE")
        .unwrap_or_else(|_| format!("trainbot@{}", env!("CARGO_PKG_VERSION")));
    let options = ClientOptions::new()
        .dsn(&dsn)
        .release(release)
        .send_default_pii(false)
        .max_breadcrumbs(0)
        .shutdown_timeout(FLUSH_TIMEOUT)
        // An `Arc` of a transport is its own factory.
        .transport(Arc::new(transport))
        .before_send(move |event| Some(scrub(event, &secrets)));
    Ok(Some(sentry::init(options)))
}

/// The event without its user, request and breadcrumbs, and with every secret cut
/// out of its message, exceptions, tags and extra data.
pub fn scrub(mut event: Event<'static>, secrets: &[String]) -> Event<'static> {
    event.user = None;
    event.request = None;
    event.breadcrumbs = Default::default();
    let clean = |text: &mut String| {
        for secret in secrets {
            if text.contains(secret.as_str()) {
                *text = text.replace(secret.as_str(), REDACTED);
            }
        }
    };
    if let Some(message) = &mut event.message {
        clean(message);
    }
    if let Some(entry) = &mut event.logentry {
        clean(&mut entry.message);
    }
    for exception in &mut event.exception.values {
        if let Some(value) = &mut exception.value {
            clean(value);
        }
    }
    for value in event.tags.values_mut() {
        clean(value);
    }
    fn clean_value(value: &mut Value, clean: &dyn Fn(&mut String)) {
        match value {
            Value::String(s) => clean(s),
            Value::Array(items) => items.iter_mut().for_each(|v| clean_value(v, clean)),
            Value::Object(map) => map.values_mut().for_each(|v| clean_value(v, clean)),
            _ => {}
        }
    }
    for value in event.extra.values_mut() {
        clean_value(value, &clean);
    }
    event
}

/// Sends envelopes one by one from a task on the runtime it was started on.
struct HttpTransport {
    queue: mpsc::Sender<Envelope>,
    /// Envelopes taken and not yet sent (or given up on).
    pending: Arc<AtomicUsize>,
}

impl HttpTransport {
    fn start(dsn: sentry::types::Dsn) -> Result<HttpTransport, String> {
        let client = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| format!("cannot make the Sentry HTTP client: {e}"))?;
        let (queue, mut envelopes) = mpsc::channel::<Envelope>(QUEUE);
        let pending = Arc::new(AtomicUsize::new(0));
        let sent = pending.clone();
        let url = dsn.envelope_api_url().to_string();
        let auth = dsn
            .to_auth(Some(concat!("trainbot/", env!("CARGO_PKG_VERSION"))))
            .to_string();
        tokio::spawn(async move {
            // Set by a 429: events are dropped, not sent, until then.
            let mut quiet_until: Option<Instant> = None;
            while let Some(envelope) = envelopes.recv().await {
                if quiet_until.is_some_and(|until| Instant::now() < until) {
                    metrics::counter!("trainbot_error_reports_dropped_total", "reason" => "rate_limited")
                        .increment(1);
                    sent.fetch_sub(1, Ordering::SeqCst);
                    continue;
                }
                let mut body = Vec::new();
                if envelope.to_writer(&mut body).is_ok() {
                    let posted = client
                        .post(&url)
                        .header("X-Sentry-Auth", &auth)
                        .header("Content-Type", "application/x-sentry-envelope")
                        .body(body)
                        .send()
                        .await;
                    match posted {
                        Ok(r) if r.status().is_success() => {}
                        // Not through tracing: an error here would be one more event.
                        Ok(r) if r.status() == reqwest::StatusCode::TOO_MANY_REQUESTS => {
                            let wait = back_off(r.headers());
                            eprintln!(
                                "trainbot: Sentry asks for no events for {} s; until then they are dropped",
                                wait.as_secs()
                            );
                            quiet_until = Some(Instant::now() + wait);
                        }
                        Ok(r) => eprintln!("trainbot: Sentry refused an event: {}", r.status()),
                        Err(e) => eprintln!(
                            "trainbot: cannot send an event to Sentry: {}",
                            e.without_url()
                        ),
                    }
                }
                sent.fetch_sub(1, Ordering::SeqCst);
            }
        });
        Ok(HttpTransport { queue, pending })
    }
}

/// How long Sentry asks us to send nothing, from a 429's headers: the longest
/// of `X-Sentry-Rate-Limits` (`60:error:organization, 2700:default:project`),
/// else `Retry-After` in seconds, else a minute; at most an hour.
fn back_off(headers: &reqwest::header::HeaderMap) -> Duration {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let limits = text("x-sentry-rate-limits").and_then(|limits| {
        limits
            .split(',')
            .filter_map(|limit| limit.trim().split(':').next()?.trim().parse::<u64>().ok())
            .max()
    });
    let retry_after = text("retry-after").and_then(|s| s.trim().parse::<u64>().ok());
    limits
        .or(retry_after)
        .map_or(DEFAULT_BACK_OFF, Duration::from_secs)
        .min(MAX_BACK_OFF)
}

impl Transport for HttpTransport {
    fn send_envelope(&self, envelope: Envelope) {
        self.pending.fetch_add(1, Ordering::SeqCst);
        if self.queue.try_send(envelope).is_err() {
            self.pending.fetch_sub(1, Ordering::SeqCst);
            eprintln!("trainbot: too many events for Sentry at once; one was dropped");
        }
    }

    fn flush(&self, timeout: Duration) -> bool {
        let until = Instant::now() + timeout;
        while self.pending.load(Ordering::SeqCst) > 0 {
            if Instant::now() >= until {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        true
    }
}

/// Error-level log events as Sentry events: the message, the event's fields as
/// extra data, the module as the logger, and the update being handled (id and
/// kind, from its `update` span) as tags.
pub struct ErrorEvents;

/// The fields of an `update` span that go into tags.
#[derive(Clone, Default)]
struct UpdateTags {
    id: Option<i64>,
    kind: Option<String>,
}

impl Visit for UpdateTags {
    fn record_i64(&mut self, field: &Field, value: i64) {
        if field.name() == "update_id" {
            self.id = Some(value);
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "kind" {
            self.kind = Some(value.to_owned());
        }
    }

    fn record_debug(&mut self, _: &Field, _: &dyn fmt::Debug) {}
}

/// An event's message and its other fields, as text.
#[derive(Default)]
struct Fields {
    message: Option<String>,
    others: Vec<(&'static str, String)>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.others.push((field.name(), value.to_owned()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let text = format!("{value:?}");
        if field.name() == "message" {
            self.message = Some(text);
        } else {
            self.others.push((field.name(), text));
        }
    }
}

impl<S> Layer<S> for ErrorEvents
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &span::Attributes<'_>, id: &span::Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != "update" {
            return;
        }
        let mut tags = UpdateTags::default();
        attrs.record(&mut tags);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(tags);
        }
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
        if *event.metadata().level() != Level::ERROR {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let update = ctx.event_scope(event).and_then(|scope| {
            scope
                .from_root()
                .find_map(|span| span.extensions().get::<UpdateTags>().cloned())
        });
        let mut report = Event {
            level: sentry::Level::Error,
            message: fields.message,
            logger: Some(event.metadata().target().to_owned()),
            culprit: event.metadata().module_path().map(str::to_owned),
            ..Event::default()
        };
        for (name, value) in fields.others {
            report.extra.insert(name.to_owned(), Value::String(value));
        }
        if let Some(update) = update {
            if let Some(id) = update.id {
                report.tags.insert("update_id".into(), id.to_string());
            }
            if let Some(kind) = update.kind {
                report.tags.insert("update_kind".into(), kind);
            }
        }
        sentry::capture_event(report);
    }
}

/// What of a connection URL must not reach Sentry: the URL, its password as
/// written and its password decoded.
pub fn secret_parts(url: &str) -> Vec<String> {
    let mut parts = vec![url.to_owned()];
    if let Ok(parsed) = url::Url::parse(url)
        && let Some(password) = parsed.password()
    {
        parts.push(password.to_owned());
        parts.push(
            percent_encoding::percent_decode_str(password)
                .decode_utf8_lossy()
                .into_owned(),
        );
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use sentry::protocol::{Exception, LogEntry, User};

    #[test]
    fn a_429_says_how_long_to_wait() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut map = reqwest::header::HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, reqwest::header::HeaderValue::from_static(value));
            }
            map
        };
        assert_eq!(back_off(&headers(&[])), DEFAULT_BACK_OFF);
        assert_eq!(
            back_off(&headers(&[("retry-after", "17")])),
            Duration::from_secs(17)
        );
        assert_eq!(
            back_off(&headers(&[
                ("retry-after", "17"),
                (
                    "x-sentry-rate-limits",
                    "60:error:organization, 2700:default:project"
                )
            ])),
            Duration::from_secs(2700),
            "the rate limits win, the longest of them"
        );
        assert_eq!(
            back_off(&headers(&[("retry-after", "99999999")])),
            MAX_BACK_OFF
        );
        assert_eq!(
            back_off(&headers(&[("retry-after", "soon")])),
            DEFAULT_BACK_OFF
        );
    }

    #[tokio::test]
    async fn after_a_429_events_are_dropped_instead_of_sent() {
        use std::sync::atomic::AtomicUsize;
        let posts = Arc::new(AtomicUsize::new(0));
        let counted = posts.clone();
        let app = axum::Router::new().fallback(move || {
            let counted = counted.clone();
            async move {
                counted.fetch_add(1, Ordering::SeqCst);
                (
                    axum::http::StatusCode::TOO_MANY_REQUESTS,
                    [("retry-after", "600")],
                    "slow down",
                )
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let dsn: sentry::types::Dsn = format!("http://key@{addr}/1").parse().unwrap();
        let transport = HttpTransport::start(dsn).unwrap();
        for _ in 0..3 {
            transport.send_envelope(Envelope::from(Event::default()));
        }
        let drained = tokio::task::spawn_blocking(move || transport.flush(Duration::from_secs(10)))
            .await
            .unwrap();
        assert!(drained, "dropped events are no longer pending");
        assert_eq!(posts.load(Ordering::SeqCst), 1, "one post, then quiet");
    }

    #[test]
    fn secrets_are_cut_out_of_every_string_and_the_person_is_dropped() {
        let secrets = secret_parts("postgres://bot:p%40ss%20word@db:5432/trainbot");
        assert!(secrets.contains(&"p@ss word".to_owned()), "{secrets:?}");
        let token = "123456:AAH-secret-token";
        let secrets: Vec<String> = secrets.into_iter().chain([token.to_owned()]).collect();
        let mut event = Event {
            message: Some(format!("GET /bot{token}/getMe failed")),
            logentry: Some(LogEntry {
                message: "cannot connect as p@ss word".into(),
                params: vec![],
            }),
            user: Some(User {
                username: Some("anna".into()),
                ..User::default()
            }),
            ..Event::default()
        };
        event.exception.values.push(Exception {
            value: Some("pool: p%40ss%20word refused".into()),
            ..Exception::default()
        });
        event
            .tags
            .insert("url".into(), format!("https://x/bot{token}"));
        event.extra.insert(
            "error".into(),
            serde_json::json!({ "nested": [format!("token {token}")] }),
        );
        let clean = scrub(event, &secrets);
        let text = serde_json::to_string(&clean).unwrap();
        for secret in [token, "p@ss word", "p%40ss%20word", "anna"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert_eq!(
            clean.message.as_deref(),
            Some("GET /bot[redacted]/getMe failed")
        );
        assert!(clean.user.is_none());
    }
}
