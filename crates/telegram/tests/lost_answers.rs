//! Whether a failed request may have reached Telegram, decided on real connections:
//! a refused connection never sent anything; a connection dropped after the request
//! went out leaves the outcome unknown.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use telegram::errors::{Failure, classify};
use teloxide::prelude::Requester;
use teloxide::types::ChatId;
use tokio::io::AsyncReadExt;
use url::Url;

async fn send_to(url: &Url) -> Failure {
    let bot = telegram::bot("1:x", url);
    let error = bot
        .send_message(ChatId(1), "hello")
        .await
        .expect_err("nobody answers");
    classify(&error)
}

#[tokio::test]
async fn a_refused_connection_was_never_sent() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let url = Url::parse(&format!("http://{addr}")).unwrap();
    let failure = send_to(&url).await;
    assert!(matches!(failure, Failure::Transient(_)), "{failure:?}");
}

#[tokio::test]
async fn a_connection_dropped_after_the_request_leaves_the_outcome_unknown() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        // Read the request (as Telegram would, and act on it), then hang up.
        let mut buf = vec![0u8; 4096];
        let _ = socket.read(&mut buf).await.unwrap();
        drop(socket);
    });
    let failure = send_to(&url).await;
    assert!(matches!(failure, Failure::Unknown(_)), "{failure:?}");
    server.await.unwrap();
}
