//! Traces: one span per update with a child span per storage, state and Bot API
//! call (the spans are made where those calls are: `telegram::dispatch`,
//! `storage`, `state`), exported by OTLP over HTTP (protobuf) when
//! `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set.
//! The exporter reads the other standard variables itself (`..._HEADERS`,
//! `..._TIMEOUT`), the SDK reads `OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`
//! and the `OTEL_BSP_*` batch settings, and the resource reads
//! `OTEL_SERVICE_NAME` (default `trainbot`) and `OTEL_RESOURCE_ATTRIBUTES`.
//! `OTEL_SDK_DISABLED=true` turns it off. ADR 0025.
//!
//! The exporter sends from the SDK's own batch thread, which has no Tokio runtime;
//! our `RuntimeClient` hands each request to the bot's runtime instead, on the
//! reqwest version the rest of the bot uses.

use std::time::Duration;

use async_trait::async_trait;
use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use opentelemetry_otlp::{SpanExporter, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;

/// The variables that turn the exporter on.
const ENDPOINT_VARIABLES: [&str; 2] = [
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
];

/// A request to the collector may take this long unless `OTEL_EXPORTER_OTLP_TIMEOUT`
/// says otherwise (the OpenTelemetry default).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether traces are to be exported, from the environment.
fn wanted() -> bool {
    let set = |name: &str| std::env::var(name).is_ok_and(|v| !v.trim().is_empty());
    let disabled = std::env::var("OTEL_SDK_DISABLED").is_ok_and(|v| v.trim() == "true");
    !disabled && ENDPOINT_VARIABLES.iter().any(|name| set(name))
}

/// The tracer provider, if the environment asks for one; an error names the
/// variable to fix. Call inside the Tokio runtime.
pub fn provider() -> Result<Option<SdkTracerProvider>, String> {
    if !wanted() {
        return Ok(None);
    }
    let client = RuntimeClient {
        client: reqwest::Client::builder()
            .timeout(DEFAULT_TIMEOUT)
            .build()
            .map_err(|e| format!("cannot make the OTLP HTTP client: {e}"))?,
        runtime: tokio::runtime::Handle::current(),
    };
    let exporter = SpanExporter::builder()
        .with_http()
        .with_http_client(client)
        .with_timeout(DEFAULT_TIMEOUT)
        .build()
        .map_err(|e| {
            format!(
                "OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: cannot export traces: {e}"
            )
        })?;
    let mut resource = Resource::builder().with_attribute(opentelemetry::KeyValue::new(
        "service.version",
        env!("CARGO_PKG_VERSION"),
    ));
    if std::env::var_os("OTEL_SERVICE_NAME").is_none() {
        resource = resource.with_service_name("trainbot");
    }
    Ok(Some(
        SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(resource.build())
            .build(),
    ))
}

/// Sends the exporter's requests with reqwest on the bot's Tokio runtime.
#[derive(Debug)]
struct RuntimeClient {
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
}

#[async_trait]
impl HttpClient for RuntimeClient {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let request = reqwest::Request::try_from(request)?;
        let client = self.client.clone();
        let (status, headers, body) = self
            .runtime
            .spawn(async move {
                let response = client.execute(request).await?;
                let (status, headers) = (response.status(), response.headers().clone());
                Ok::<_, reqwest::Error>((status, headers, response.bytes().await?))
            })
            .await??;
        let mut response = Response::builder().status(status).body(body)?;
        *response.headers_mut() = headers;
        Ok(response)
    }
}
