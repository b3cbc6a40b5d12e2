//! The behaviour every `StateStore` must have.

use std::time::Duration;

use engine::ports::StateStore;
use futures::future::join_all;

/// Keys the story writes; it deletes them at the end.
pub const STORY_KEYS: &[&str] = &[
    "nav:42",
    "upd:1001",
    "lease:poller",
    "rate:7",
    "session:9",
    "text:1",
    "text:2",
    "race",
    "lease:chat:5",
    "lease:race",
];

/// Short TTLs, and waits a little longer than them: functional waits, not timing
/// assertions. Under tokio's paused clock they take no real time.
///
/// Against a real store the story runs in real time on a machine that may stall
/// (CI runs it under coverage on two cores), so every check that a key is *still*
/// there allows a stall of most of a second: `SHORT` is long next to a round trip.
/// Checks that a key is *gone* wait past its expiry and hold whatever the stall.
const SHORT: Duration = Duration::from_millis(1_000);
const PAST_SHORT: Duration = Duration::from_millis(1_150);
const LONG: Duration = Duration::from_secs(60);

pub async fn state_story(store: &dyn StateStore) {
    store.ping().await.expect("ping");

    // A missing key is None, not an error.
    assert_eq!(store.get("nav:missing").await.unwrap(), None);

    // put / get / overwrite.
    store.put("nav:42", "menu/parks", LONG).await.unwrap();
    assert_eq!(
        store.get("nav:42").await.unwrap().as_deref(),
        Some("menu/parks")
    );
    store
        .put("nav:42", "menu/parks/kitchen", LONG)
        .await
        .unwrap();
    assert_eq!(
        store.get("nav:42").await.unwrap().as_deref(),
        Some("menu/parks/kitchen")
    );

    // delete, and deleting what is not there is fine.
    store.delete("nav:42").await.unwrap();
    assert_eq!(store.get("nav:42").await.unwrap(), None);
    store.delete("nav:42").await.unwrap();

    // claim: the first wins, the second does not.
    assert!(store.claim("upd:1001", LONG).await.unwrap(), "first claim");
    assert!(
        !store.claim("upd:1001", LONG).await.unwrap(),
        "second claim"
    );

    // A claim can be taken again once it has expired.
    assert!(store.claim("lease:poller", SHORT).await.unwrap());
    assert!(!store.claim("lease:poller", SHORT).await.unwrap());
    tokio::time::sleep(PAST_SHORT).await;
    assert!(
        store.claim("lease:poller", SHORT).await.unwrap(),
        "an expired claim is free again"
    );

    // incr counts from 1, and later increments do not extend the expiry: the window
    // is `SHORT` from the first increment.
    let opened = tokio::time::Instant::now();
    assert_eq!(store.incr("rate:7", SHORT).await.unwrap(), 1);
    assert_eq!(store.incr("rate:7", SHORT).await.unwrap(), 2);
    assert_eq!(store.incr("rate:7", SHORT).await.unwrap(), 3);
    tokio::time::sleep(SHORT / 2).await;
    assert_eq!(
        store.incr("rate:7", SHORT).await.unwrap(),
        4,
        "still in the window"
    );
    // Just past the window: an expiry extended at the 4th increment would hold
    // for about half a window more.
    tokio::time::sleep_until(opened + PAST_SHORT).await;
    assert_eq!(
        store.incr("rate:7", SHORT).await.unwrap(),
        1,
        "a new window starts"
    );

    // put with a TTL expires.
    store.put("session:9", "admin", SHORT).await.unwrap();
    assert_eq!(
        store.get("session:9").await.unwrap().as_deref(),
        Some("admin")
    );
    tokio::time::sleep(PAST_SHORT).await;
    assert_eq!(store.get("session:9").await.unwrap(), None, "expired");

    // Values come back byte for byte.
    let awkward = "Привет, батут! 🎢\nline two\r\n\t\"double\" 'single' `back` \\ % $1 {} <b>&amp;</b> \0 end";
    store.put("text:1", awkward, LONG).await.unwrap();
    assert_eq!(store.get("text:1").await.unwrap().as_deref(), Some(awkward));
    store.put("text:2", "", LONG).await.unwrap();
    assert_eq!(store.get("text:2").await.unwrap().as_deref(), Some(""));

    // 20 concurrent claims of one key: exactly one wins.
    let claims = (0..20).map(|_| store.claim("race", LONG));
    let results = join_all(claims).await;
    let winners = results
        .into_iter()
        .map(|r| r.unwrap())
        .filter(|won| *won)
        .count();
    assert_eq!(winners, 1, "exactly one of 20 concurrent claims wins");

    // lease / release: only the holder's token releases; a released or expired
    // lease can be taken again.
    assert!(
        store
            .lease("lease:chat:5", "replica-a", LONG)
            .await
            .unwrap()
    );
    assert!(
        !store
            .lease("lease:chat:5", "replica-b", LONG)
            .await
            .unwrap(),
        "a held lease is not taken"
    );
    assert!(
        !store.release("lease:chat:5", "replica-b").await.unwrap(),
        "another token does not release it"
    );
    assert!(
        !store
            .lease("lease:chat:5", "replica-b", LONG)
            .await
            .unwrap(),
        "still held after a wrong release"
    );
    // The holder renews its lease by taking it again with its token, and the
    // renewal sets the new expiry: a short lease renewed as a long one outlives
    // its first expiry.
    assert!(
        store
            .lease("lease:chat:5", "replica-a", SHORT)
            .await
            .unwrap(),
        "the holder renews its own lease"
    );
    assert!(
        store
            .lease("lease:chat:5", "replica-a", LONG)
            .await
            .unwrap()
    );
    tokio::time::sleep(PAST_SHORT).await;
    assert_eq!(
        store.get("lease:chat:5").await.unwrap().as_deref(),
        Some("replica-a"),
        "renewed, it outlives its first expiry"
    );
    assert!(store.release("lease:chat:5", "replica-a").await.unwrap());
    assert!(
        !store.release("lease:chat:5", "replica-a").await.unwrap(),
        "released once"
    );
    assert!(
        store
            .lease("lease:chat:5", "replica-b", SHORT)
            .await
            .unwrap()
    );
    tokio::time::sleep(PAST_SHORT).await;
    assert!(
        !store.release("lease:chat:5", "replica-b").await.unwrap(),
        "an expired lease is not released"
    );
    assert!(
        store
            .lease("lease:chat:5", "replica-c", LONG)
            .await
            .unwrap(),
        "an expired lease is free again"
    );
    assert!(
        !store.release("lease:chat:5", "replica-b").await.unwrap(),
        "the late holder cannot release the new holder's lease"
    );
    assert_eq!(
        store.get("lease:chat:5").await.unwrap().as_deref(),
        Some("replica-c")
    );

    // A lease and another key's value in one step: taken or not, the value comes.
    assert_eq!(
        store
            .lease_and_get("lease:chat:5", "replica-d", LONG, "nav:42")
            .await
            .unwrap(),
        (false, None),
        "held by replica-c; nothing under the other key"
    );
    store.put("nav:42", "home", LONG).await.unwrap();
    assert_eq!(
        store
            .lease_and_get("lease:chat:5", "replica-c", LONG, "nav:42")
            .await
            .unwrap(),
        (true, Some("home".to_owned())),
        "renewed by its holder, with the other value"
    );

    // 20 concurrent leases of one key with different tokens: exactly one wins.
    let tokens: Vec<String> = (0..20).map(|i| format!("t{i}")).collect();
    let leases = tokens.iter().map(|t| store.lease("lease:race", t, LONG));
    let won = join_all(leases)
        .await
        .into_iter()
        .map(|r| r.unwrap())
        .filter(|won| *won)
        .count();
    assert_eq!(won, 1, "exactly one of 20 concurrent leases wins");

    for key in STORY_KEYS {
        store.delete(key).await.unwrap();
    }
    for key in STORY_KEYS {
        assert_eq!(store.get(key).await.unwrap(), None, "{key} was cleaned up");
    }
}
