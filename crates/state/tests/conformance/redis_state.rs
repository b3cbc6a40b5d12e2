use std::time::Duration;

use engine::ports::{StateError, StateStore};
use state::{ConnectError, RedisState, RedisTarget, Resilience};

use crate::helpers::{
    CuttableProxy, HangingProxy, connect, keys_under, raw, redis_url, remove_all, unique_prefix,
};
use crate::story::state_story;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_state_follows_the_story() {
    let Some(url) = redis_url("redis_state_follows_the_story") else {
        return;
    };
    let prefix = unique_prefix();
    let store = connect(&url, &prefix).await;
    state_story(&store).await;
    let left = keys_under(&url, &prefix).await;
    remove_all(&url, &prefix).await;
    assert!(left.is_empty(), "the story leaves no keys behind: {left:?}");
}

#[tokio::test]
async fn keys_carry_the_prefix_and_ttls_are_milliseconds() {
    let Some(url) = redis_url("keys_carry_the_prefix_and_ttls_are_milliseconds") else {
        return;
    };
    let prefix = unique_prefix();
    let store = connect(&url, &prefix).await;
    assert_eq!(store.prefix(), prefix);

    store
        .put("nav:42", "menu", Duration::from_millis(5_000))
        .await
        .unwrap();
    assert!(
        store
            .claim("upd:1", Duration::from_millis(7_000))
            .await
            .unwrap()
    );
    assert_eq!(
        store
            .incr("rate:1", Duration::from_millis(9_000))
            .await
            .unwrap(),
        1
    );

    let mut conn = raw(&url).await;
    let value: Option<String> = redis::cmd("GET")
        .arg(format!("{prefix}nav:42"))
        .query_async(&mut conn)
        .await
        .unwrap();
    let unprefixed: Option<String> = redis::cmd("GET")
        .arg("nav:42")
        .query_async(&mut conn)
        .await
        .unwrap();
    let mut ttls = Vec::new();
    for key in ["nav:42", "upd:1", "rate:1"] {
        let pttl: i64 = redis::cmd("PTTL")
            .arg(format!("{prefix}{key}"))
            .query_async(&mut conn)
            .await
            .unwrap();
        ttls.push(pttl);
    }
    remove_all(&url, &prefix).await;

    assert_eq!(value.as_deref(), Some("menu"));
    assert_ne!(
        unprefixed.as_deref(),
        Some("menu"),
        "the key is not written without the prefix"
    );
    assert!((4_000..=5_000).contains(&ttls[0]), "put TTL {}", ttls[0]);
    assert!((6_000..=7_000).contains(&ttls[1]), "claim TTL {}", ttls[1]);
    assert!((8_000..=9_000).contains(&ttls[2]), "incr TTL {}", ttls[2]);
}

#[tokio::test]
async fn stores_with_different_prefixes_do_not_see_each_other() {
    let Some(url) = redis_url("stores_with_different_prefixes_do_not_see_each_other") else {
        return;
    };
    let (prefix_a, prefix_b) = (unique_prefix(), unique_prefix());
    let a = connect(&url, &prefix_a).await;
    let b = connect(&url, &prefix_b).await;
    let ttl = Duration::from_secs(60);

    a.put("nav:42", "from a", ttl).await.unwrap();
    let b_sees = b.get("nav:42").await.unwrap();
    b.put("nav:42", "from b", ttl).await.unwrap();
    let a_sees = a.get("nav:42").await.unwrap();
    assert!(a.claim("upd:5", ttl).await.unwrap());
    let b_claims = b.claim("upd:5", ttl).await.unwrap();
    assert_eq!(a.incr("rate:1", ttl).await.unwrap(), 1);
    let b_counts = b.incr("rate:1", ttl).await.unwrap();
    b.delete("nav:42").await.unwrap();
    let a_after_b_delete = a.get("nav:42").await.unwrap();

    remove_all(&url, &prefix_a).await;
    remove_all(&url, &prefix_b).await;

    assert_eq!(b_sees, None);
    assert_eq!(a_sees.as_deref(), Some("from a"));
    assert!(b_claims, "b's claim is its own");
    assert_eq!(b_counts, 1, "b's counter is its own");
    assert_eq!(a_after_b_delete.as_deref(), Some("from a"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_from_20_tasks_have_one_winner() {
    let Some(url) = redis_url("claims_from_20_tasks_have_one_winner") else {
        return;
    };
    let prefix = unique_prefix();
    let store = std::sync::Arc::new(connect(&url, &prefix).await);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let store = store.clone();
        tasks.spawn(async move { store.claim("upd:77", Duration::from_secs(60)).await });
    }
    let mut winners = 0;
    while let Some(result) = tasks.join_next().await {
        if result.unwrap().unwrap() {
            winners += 1;
        }
    }
    remove_all(&url, &prefix).await;
    assert_eq!(winners, 1);
}

#[tokio::test]
async fn lost_connection_is_unavailable_then_recovers() {
    let Some(url) = redis_url("lost_connection_is_unavailable_then_recovers") else {
        return;
    };
    let prefix = unique_prefix();
    let mut proxy = CuttableProxy::start(&url).await;
    let store = connect(&proxy.url(&url), &prefix).await;
    store
        .put("nav:1", "before", Duration::from_secs(60))
        .await
        .unwrap();

    proxy.cut().await;
    let during = store.get("nav:1").await;
    let ping = store.ping().await;

    proxy.restore().await;
    // The connection comes back on its own; a few calls may still see the old failure.
    let mut after = None;
    for _ in 0..50 {
        if let Ok(value) = store.get("nav:1").await {
            after = Some(value);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    remove_all(&url, &prefix).await;

    match during {
        Err(StateError::Unavailable(message)) => {
            assert!(message.contains(&proxy.addr.to_string()), "{message}")
        }
        other => panic!("expected Unavailable while the line is cut, got {other:?}"),
    }
    assert!(ping.is_err(), "ping fails while the line is cut");
    assert_eq!(
        after,
        Some(Some("before".to_owned())),
        "recovers after restore"
    );
}

#[tokio::test]
async fn unreachable_redis_is_a_clear_connect_error() {
    // Port 1 on localhost: nothing listens there, the connection is refused.
    let result = tokio::time::timeout(
        Duration::from_secs(30),
        RedisState::connect("redis://127.0.0.1:1/0", "trainbot:"),
    )
    .await
    .expect("connect gives up instead of hanging");
    let error = result.expect_err("nothing listens on port 1");
    assert!(
        matches!(error, ConnectError::Unreachable { .. }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "REDIS_URL: cannot reach Redis at 127.0.0.1:1: connection refused (is it running?)"
    );
}

#[tokio::test]
async fn unreachable_error_does_not_show_the_password() {
    let error = RedisState::connect("redis://:hunter2@127.0.0.1:1/0", "trainbot:")
        .await
        .expect_err("nothing listens on port 1");
    let message = error.to_string();
    assert!(message.contains("127.0.0.1:1"), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
    assert!(!format!("{error:?}").contains("hunter2"));
}

#[tokio::test]
async fn unreachable_sentinels_are_a_clear_connect_error() {
    let error = RedisState::connect(
        "redis+sentinel://:hunter2@127.0.0.1:1,127.0.0.1:2/mymaster",
        "trainbot:",
    )
    .await
    .expect_err("no sentinel listens there");
    let message = error.to_string();
    assert!(
        message.starts_with("REDIS_URL: cannot reach Redis at 127.0.0.1:1,127.0.0.1:2: "),
        "{message}"
    );
    assert!(!message.contains("hunter2"), "{message}");
}

#[tokio::test]
async fn unsupported_scheme_is_rejected_before_connecting() {
    let error = RedisState::connect("http://127.0.0.1:6379", "trainbot:")
        .await
        .expect_err("http is not Redis");
    assert_eq!(
        error.to_string(),
        "REDIS_URL: unsupported scheme `http`; use redis://, rediss://, redis+sentinel:// or rediss+sentinel://"
    );
}

#[tokio::test]
async fn wrong_password_is_refused_without_showing_it() {
    let Some(url) = redis_url("wrong_password_is_refused_without_showing_it") else {
        return;
    };
    let address = RedisTarget::parse(&url).unwrap().address();
    let error = RedisState::connect(&format!("redis://:not-the-password-9f2c@{address}/0"), "t:")
        .await
        .expect_err("a wrong password is refused");
    let message = error.to_string();
    assert!(matches!(error, ConnectError::Refused { .. }), "{message}");
    assert!(message.contains(&address), "{message}");
    assert!(!message.contains("not-the-password-9f2c"), "{message}");
}

/// A Redis that accepts connections and never answers (stopped, not gone): after a
/// few calls run into their time-out the breaker opens, and calls fail at once
/// without reaching Redis; after the cool-down one probe at a time goes through,
/// and once Redis answers again the breaker closes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_redis_opens_the_breaker_and_calls_fail_fast() {
    let Some(url) = redis_url("a_hung_redis_opens_the_breaker_and_calls_fail_fast") else {
        return;
    };
    let prefix = unique_prefix();
    let proxy = HangingProxy::start(&url).await;
    let resilience = Resilience {
        io_timeout: Duration::from_millis(200),
        call_timeout: Duration::from_millis(300),
        trip_after: 3,
        cool_down: Duration::from_millis(500),
    };
    let target = RedisTarget::parse(&proxy.url(&url)).unwrap();
    let store = RedisState::connect_to(target, &prefix, resilience)
        .await
        .unwrap();
    store
        .put("nav:1", "before", Duration::from_secs(60))
        .await
        .unwrap();

    proxy.hang();
    for _ in 0..resilience.trip_after {
        let error = store.get("nav:1").await.unwrap_err();
        assert!(error.to_string().contains("GET failed"), "tried: {error}");
    }
    assert!(
        store.circuit_open(),
        "open after {} time-outs",
        resilience.trip_after
    );

    let reached = proxy.reached();
    for _ in 0..20 {
        let error = store.get("nav:1").await.unwrap_err();
        assert!(
            error.to_string().contains("circuit breaker is open"),
            "{error}"
        );
    }
    assert!(store.ping().await.is_err());
    assert_eq!(proxy.reached(), reached, "nothing reached Redis while open");

    // After the cool-down, one probe goes through; the others still fail fast.
    tokio::time::sleep(resilience.cool_down).await;
    let calls = futures::future::join_all((0..5).map(|_| store.get("nav:1"))).await;
    let refused = calls
        .iter()
        .filter(|c| matches!(c, Err(e) if e.to_string().contains("circuit breaker is open")))
        .count();
    assert_eq!(refused, 4, "{calls:?}");
    assert!(proxy.reached() > reached, "the probe reached Redis");
    assert!(store.circuit_open(), "a probe that timed out keeps it open");

    // Redis answers again: the next probe closes the breaker.
    proxy.release();
    let mut after = None;
    for _ in 0..50 {
        tokio::time::sleep(resilience.cool_down / 5).await;
        if let Ok(value) = store.get("nav:1").await {
            after = Some(value);
            break;
        }
    }
    remove_all(&url, &prefix).await;
    assert_eq!(after, Some(Some("before".to_owned())), "recovers");
    assert!(!store.circuit_open(), "a good probe closes the breaker");
}
