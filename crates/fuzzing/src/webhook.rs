//! The webhook endpoint's checks before an update is handled
//! ([`server::webhook::admit`]).

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use secrecy::SecretString;
use server::webhook::{BODY_LIMIT, SECRET_HEADER, admit};
use telegram::webhook::parse_update;

/// The configured secret (1-256 of `A-Z a-z 0-9 _ -`, as Telegram allows).
const SECRET: &str = "fuzz_Webhook-SECRET-0123456789";

/// Input layout: a flags byte, a chunk-size byte, a header-length byte, then the
/// header's bytes (if the flags give one of the input's own), then the body.
/// Flags: bit 0 the replica is stopping; bit 1 a secret header is present; bit 2
/// it is the configured secret (otherwise the input's bytes); bit 3 the body is
/// padded with spaces to one byte over [`BODY_LIMIT`]; bit 4 to exactly the limit.
///
/// Whatever the request: a stopping replica answers 503; a missing or wrong
/// secret is 401 and nothing else about the request matters; a body over the
/// limit is 413; a body that is not an update is 200 (never handled); anything
/// else is handed on as exactly the update the body holds.
pub fn webhook(data: &[u8]) {
    let [flags, chunk, header_len, rest @ ..] = data else {
        return;
    };
    let stopping = flags & 1 != 0;
    let (given, body) = rest.split_at(usize::from(*header_len).min(rest.len()));
    let given: Option<&[u8]> = match (flags & 2 != 0, flags & 4 != 0) {
        (false, _) => None,
        (true, true) => Some(SECRET.as_bytes()),
        (true, false) => Some(given),
    };
    let mut headers = HeaderMap::new();
    if let Some(given) = given {
        // A header value Telegram (or an HTTP parser) could not send is no request.
        let Ok(value) = HeaderValue::from_bytes(given) else {
            return;
        };
        headers.insert(SECRET_HEADER, value);
    }
    let mut body = body.to_vec();
    if flags & 8 != 0 {
        body.resize(BODY_LIMIT + 1, b' ');
    } else if flags & 16 != 0 && body.len() < BODY_LIMIT {
        body.resize(BODY_LIMIT, b' ');
    }
    let chunk = usize::from(*chunk).max(1) * 64;
    let chunks: Vec<Result<Bytes, std::io::Error>> = body
        .chunks(chunk)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let request_body = Body::from_stream(futures::stream::iter(chunks));

    let secret = SecretString::from(SECRET.to_owned());
    let outcome = RUNTIME.with(|rt| rt.block_on(admit(&secret, stopping, &headers, request_body)));

    let authorised = given == Some(SECRET.as_bytes());
    let expected: Result<(), (StatusCode, &str)> = if stopping {
        Err((StatusCode::SERVICE_UNAVAILABLE, "stopping"))
    } else if !authorised {
        Err((StatusCode::UNAUTHORIZED, "unauthorized"))
    } else if body.len() > BODY_LIMIT {
        Err((StatusCode::PAYLOAD_TOO_LARGE, "too_large"))
    } else if parse_update(&body).is_none() {
        Err((StatusCode::OK, "malformed"))
    } else {
        Ok(())
    };
    match (outcome, expected) {
        (Ok(update), Ok(())) => {
            assert_eq!(
                Some(update),
                parse_update(&body),
                "a different update handed on"
            );
        }
        (Err(got), Err(want)) => assert_eq!(got, want),
        (got, want) => panic!(
            "answered {:?}, expected {want:?} (stopping {stopping}, secret {given:?}, {} body bytes)",
            got.map(|u| u.id),
            body.len()
        ),
    }
}

thread_local! {
    /// One runtime per thread, as the server runs `admit` inside one.
    static RUNTIME: tokio::runtime::Runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("cannot start a runtime: {e}"),
    };
}
