//! Traces as an operator's collector receives them: `trainbot run` with
//! `OTEL_EXPORTER_OTLP_ENDPOINT` pointing at a local OTLP/HTTP receiver (this
//! test's), one person's `/start` through fake-telegram (on Redis when
//! `TEST_REDIS_URL` is set), and the spans decoded from the protobuf the exporter
//! sent.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue};
use prost::Message;

use super::GUARD;
use super::running::{Running, serve};

const PERSON: i64 = 7_003_141_592;
const NAME: &str = "Аглая";
const TYPED: &str = "/start";

/// One span as received: its ids, name and attributes.
#[derive(Clone, Debug)]
struct Received {
    trace: Vec<u8>,
    id: Vec<u8>,
    parent: Vec<u8>,
    name: String,
    attributes: HashMap<String, String>,
}

#[derive(Clone, Default)]
struct Collector {
    spans: Arc<Mutex<Vec<Received>>>,
    services: Arc<Mutex<Vec<String>>>,
}

fn text(value: Option<&AnyValue>) -> String {
    match value.and_then(|v| v.value.as_ref()) {
        Some(Value::StringValue(s)) => s.clone(),
        Some(Value::IntValue(i)) => i.to_string(),
        Some(Value::BoolValue(b)) => b.to_string(),
        Some(Value::DoubleValue(d)) => d.to_string(),
        other => format!("{other:?}"),
    }
}

fn attributes(pairs: &[KeyValue]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|kv| (kv.key.clone(), text(kv.value.as_ref())))
        .collect()
}

async fn receive(State(collector): State<Collector>, body: Bytes) -> Vec<u8> {
    let request = ExportTraceServiceRequest::decode(body).expect("OTLP protobuf");
    for resource in request.resource_spans {
        if let Some(r) = &resource.resource {
            let service = attributes(&r.attributes).remove("service.name");
            collector.services.lock().unwrap().extend(service);
        }
        for scope in resource.scope_spans {
            collector
                .spans
                .lock()
                .unwrap()
                .extend(scope.spans.into_iter().map(|s| Received {
                    trace: s.trace_id,
                    id: s.span_id,
                    parent: s.parent_span_id,
                    name: s.name,
                    attributes: attributes(&s.attributes),
                }));
        }
    }
    // An empty ExportTraceServiceResponse.
    Vec::new()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_update_is_one_trace_with_a_span_per_storage_and_bot_api_call() {
    let collector = Collector::default();
    let endpoint = serve(
        axum::Router::new()
            .route("/v1/traces", post(receive))
            .with_state(collector.clone()),
    )
    .await;
    let fake = fake_telegram::FakeTelegram::start(fake_telegram::FakeConfig::default())
        .await
        .unwrap();
    fake.add_user(fake_telegram::TestUser::new(PERSON, NAME));
    let mut env = vec![
        ("LOG_FORMAT", "json".to_owned()),
        ("RUST_LOG", "info,telegram=debug".into()),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint),
        ("OTEL_BSP_SCHEDULE_DELAY", "100".into()),
    ];
    // On Redis (as `.ci/run` provides), the state store's commands are spans too.
    let redis = std::env::var("TEST_REDIS_URL").ok();
    match &redis {
        Some(url) => env.extend([
            ("REDIS_URL", url.clone()),
            (
                "REDIS_PREFIX",
                format!("traces:{PERSON}:{}:", std::process::id()),
            ),
        ]),
        None => println!("state spans not checked: TEST_REDIS_URL is not set"),
    }
    let bot = Running::start(&fake, &env);

    let update_id = fake.send_text(PERSON, TYPED);
    fake.wait_for(GUARD, |f| f.last_bot_message(PERSON).is_some())
        .await
        .expect("the bot answers /start");
    let deadline = tokio::time::Instant::now() + GUARD;
    let exported = |name: &str| {
        collector
            .spans
            .lock()
            .unwrap()
            .iter()
            .any(|s| s.name == name)
    };
    while !(exported("update") && exported("telegram")) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no update span exported"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A graceful stop flushes what is left.
    let logs = bot.stop().await;

    let spans = collector.spans.lock().unwrap().clone();
    let update = spans
        .iter()
        .find(|s| s.name == "update" && s.attributes["update_id"] == update_id.to_string())
        .unwrap_or_else(|| panic!("the update's span in {spans:#?}"));
    assert_eq!(update.parent, Vec::<u8>::new(), "the update is the root");
    assert_eq!(update.attributes["kind"], "command");
    assert_eq!(update.attributes["outcome"], "handled");
    let chat = &update.attributes["chat"];
    assert!(
        chat.len() == 16 && chat.bytes().all(|b| b.is_ascii_hexdigit()),
        "the chat as a keyed hash: {chat}"
    );
    let children: Vec<&Received> = spans
        .iter()
        .filter(|s| s.trace == update.trace && s.parent == update.id)
        .collect();
    let has_child = |name: &str, key: &str, value: &str| {
        children
            .iter()
            .any(|s| s.name == name && s.attributes.get(key).is_some_and(|v| v == value))
    };
    assert!(
        has_child("storage", "op", "touch_user"),
        "a storage span per call: {children:#?}"
    );
    assert!(
        has_child("telegram", "method", "sendMessage"),
        "a Bot API span per request: {children:#?}"
    );
    if redis.is_some() {
        assert!(
            children
                .iter()
                .any(|s| s.name == "state" && s.attributes.contains_key("op")),
            "a span per Redis command: {children:#?}"
        );
    }
    assert_eq!(
        collector
            .services
            .lock()
            .unwrap()
            .first()
            .map(String::as_str),
        Some("trainbot")
    );

    // Nothing personal in any span: no name, no text, no chat or user id.
    for span in &spans {
        for (key, value) in &span.attributes {
            for secret in [NAME, TYPED, &PERSON.to_string(), &fake.token()] {
                assert!(
                    !value.contains(secret),
                    "{} span's {key} holds {secret:?}",
                    span.name
                );
            }
        }
    }
    // The update's log lines carry its trace id.
    let trace_id = hex(&update.trace);
    assert!(
        logs.lines()
            .any(|l| l.contains("\"handled\"") && l.contains(&trace_id)),
        "no log line of the update with trace id {trace_id}:\n{logs}"
    );
    fake.shutdown().await;
}
