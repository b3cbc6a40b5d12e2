//! One story about the storage port, told to every backend: SQLite in a file and
//! in memory always, PostgreSQL when `TEST_DATABASE_URL` is set (each run in a
//! schema of its own).

#![allow(clippy::unwrap_used, clippy::expect_used)]

// A test crate's root resolves modules beside itself, not in `conformance/`.
#[path = "conformance/access.rs"]
mod access;
#[path = "conformance/admin.rs"]
mod admin;
#[path = "conformance/broadcast.rs"]
mod broadcast;
#[path = "conformance/content.rs"]
mod content;
#[path = "conformance/learning.rs"]
mod learning;
#[path = "conformance/lookup.rs"]
mod lookup;
#[path = "conformance/personal_data.rs"]
mod personal_data;
#[path = "conformance/roles.rs"]
mod roles;

use domain::ids::UserId;
use domain::lang::Lang;
use engine::ports::{Activity, ActivityKind, UserProfile};
use storage::{Backend, SqlStorage, testing};
use time::macros::datetime;
use time::{Duration, OffsetDateTime, UtcOffset};

// Several worker threads, so that the concurrent chapters really run in parallel.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_file_tells_the_story_and_keeps_it_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    // The directory does not exist yet: connecting creates it.
    let path = dir.path().join("data").join("trainbot.db");
    let url = format!("sqlite://{}", path.display());

    let storage = SqlStorage::connect(&url).await.unwrap();
    assert_eq!(storage.backend(), Backend::Sqlite);
    storage.migrate().await.unwrap();
    story(&storage).await;
    let users = storage.count_users().await.unwrap();
    storage.close().await;
    assert!(path.is_file(), "the database file was created");

    let reopened = SqlStorage::connect(&url).await.unwrap();
    reopened.migrate().await.unwrap();
    assert_eq!(reopened.count_users().await.unwrap(), users);
    assert_eq!(
        reopened.user(UserId(1)).await.unwrap().unwrap().first_name,
        "Anna-Maria"
    );
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&sqlx::SqlitePool::connect(&url).await.unwrap())
        .await
        .unwrap();
    assert_eq!(journal, "wal");
}

// Several worker threads, so that the concurrent chapters really run in parallel.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_memory_tells_the_story() {
    let storage = testing::fresh_sqlite().await.unwrap();
    assert_eq!(storage.backend(), Backend::Sqlite);
    story(&storage).await;
}

#[tokio::test]
async fn sqlite_memory_databases_are_separate() {
    let a = testing::fresh_sqlite().await.unwrap();
    let b = testing::fresh_sqlite().await.unwrap();
    a.touch_user(&profile(7, "A"), Lang::Ru, t0())
        .await
        .unwrap();
    assert_eq!(a.count_users().await.unwrap(), 1);
    assert_eq!(b.count_users().await.unwrap(), 0);
}

// Several worker threads, so that the concurrent chapters really run in parallel.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_tells_the_story() {
    let Some(base) = testing::postgres_url("postgres_tells_the_story") else {
        return;
    };
    let (storage, db) = testing::fresh_postgres(&base).await.unwrap();
    assert_eq!(storage.backend(), Backend::Postgres);
    story(&storage).await;
    postgres_batches_are_atomic(&storage).await;
    storage.close().await;

    // The guard drops the schema with everything in it.
    let schema = db.schema().to_owned();
    drop(db);
    let admin = sqlx::PgPool::connect(&base).await.unwrap();
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_namespace WHERE nspname = $1")
        .bind(&schema)
        .fetch_one(&admin)
        .await
        .unwrap();
    assert_eq!(left, 0, "schema {schema} was dropped");
}

#[tokio::test]
async fn postgres_test_schemas_are_separate() {
    let Some(base) = testing::postgres_url("postgres_test_schemas_are_separate") else {
        return;
    };
    let (a, _a_db) = testing::fresh_postgres(&base).await.unwrap();
    let (b, b_db) = testing::fresh_postgres(&base).await.unwrap();
    a.touch_user(&profile(7, "A"), Lang::Ru, t0())
        .await
        .unwrap();
    assert_eq!(a.count_users().await.unwrap(), 1);
    assert_eq!(b.count_users().await.unwrap(), 0);

    // The guard's URL is what an application under test would be given.
    let via_url = SqlStorage::connect(b_db.url()).await.unwrap();
    b.touch_user(&profile(8, "B"), Lang::En, t0())
        .await
        .unwrap();
    assert_eq!(
        via_url.user(UserId(8)).await.unwrap().unwrap().first_name,
        "B"
    );
    assert_eq!(via_url.user(UserId(7)).await.unwrap(), None);
}

#[tokio::test]
async fn last_seen_batches_on_both_backends() {
    last_seen_batches(&testing::fresh_sqlite().await.unwrap()).await;
    if let Some(base) = testing::postgres_url("last_seen_batches_on_both_backends") {
        let (postgres, _db) = testing::fresh_postgres(&base).await.unwrap();
        last_seen_batches(&postgres).await;
    }
}

/// A measurement, run by hand: the overdue look-up with 10 000 learners and 50
/// other page views each (half a million activity rows), per person and as one
/// statement, on SQLite and (with `TEST_DATABASE_URL`) PostgreSQL:
/// `cargo test -p storage --test conformance overdue_with_ten_thousand -- --ignored --nocapture`.
/// Prints the times; asserts only that both ways agree.
#[tokio::test]
#[ignore = "a measurement, run by hand"]
async fn overdue_with_ten_thousand_learners() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("trainbot.db").display());
    let sqlite = SqlStorage::connect(&url).await.unwrap();
    sqlite.migrate().await.unwrap();
    lookup::overdue_matches_the_per_person_rule(&sqlite, 1_000_000, 10_000, 50).await;
    if let Some(base) = testing::postgres_url("overdue_with_ten_thousand_learners") {
        let (postgres, _db) = testing::fresh_postgres(&base).await.unwrap();
        lookup::overdue_matches_the_per_person_rule(&postgres, 1_000_000, 10_000, 50).await;
    }
}

// ---------------------------------------------------------------------------
// The story

async fn story(s: &SqlStorage) {
    s.ping().await.unwrap();
    migrating_again_changes_nothing(s, 0).await;
    a_new_person_and_their_return(s).await;
    flags_and_language(s).await;
    large_and_negative_ids(s).await;
    names_are_stored_verbatim(s).await;
    times_round_trip(s).await;
    activity_batches(s).await;
    media_cache(s).await;
    update_claims(s).await;
    learning::story(s).await;
    admin::story(s).await;
    broadcast::story(s).await;
    access::story(s).await;
    personal_data::story(s).await;
    lookup::story(s).await;
    roles::story(s).await;
    content::story(s).await;
    let users = s.count_users().await.unwrap();
    assert!(users > 0);
    migrating_again_changes_nothing(s, users).await;
    s.ping().await.unwrap();
}

async fn migrating_again_changes_nothing(s: &SqlStorage, users: u64) {
    s.migrate().await.unwrap();
    s.migrate().await.unwrap();
    assert_eq!(s.count_users().await.unwrap(), users);
}

fn t0() -> OffsetDateTime {
    datetime!(2026-11-28 09:15:30.123_456 UTC)
}

fn profile(id: i64, first_name: &str) -> UserProfile {
    UserProfile {
        id: UserId(id),
        first_name: first_name.to_owned(),
        last_name: None,
        username: None,
        language_code: None,
    }
}

async fn a_new_person_and_their_return(s: &SqlStorage) {
    let id = UserId(1);
    assert_eq!(s.user(id).await.unwrap(), None);
    assert_eq!(s.count_users().await.unwrap(), 0);

    let first = UserProfile {
        id,
        first_name: "Anna".to_owned(),
        last_name: Some("Petrova".to_owned()),
        username: Some("anna_p".to_owned()),
        language_code: Some("en-GB".to_owned()),
    };
    let created = s.touch_user(&first, Lang::En, t0()).await.unwrap();
    assert_eq!(created.id, id);
    assert_eq!(created.first_name, "Anna");
    assert_eq!(created.last_name.as_deref(), Some("Petrova"));
    assert_eq!(created.username.as_deref(), Some("anna_p"));
    assert_eq!(created.language, Lang::En);
    assert_eq!(created.first_seen, t0());
    assert_eq!(created.last_seen, t0());
    assert!(!created.blocked);
    assert!(!created.inactive);
    assert_eq!(s.user(id).await.unwrap(), Some(created.clone()));
    assert_eq!(s.count_users().await.unwrap(), 1);

    // An admin blocks her and she changes her language; then she writes again
    // under new names, from a client in another language.
    s.set_blocked(id, true).await.unwrap();
    s.set_language(id, Lang::Ru).await.unwrap();
    let later = t0() + Duration::minutes(90);
    let again = UserProfile {
        id,
        first_name: "Anna-Maria".to_owned(),
        last_name: None,
        username: Some("annamaria".to_owned()),
        language_code: Some("en".to_owned()),
    };
    let returned = s.touch_user(&again, Lang::En, later).await.unwrap();
    assert_eq!(returned.first_name, "Anna-Maria");
    assert_eq!(returned.last_name, None, "a dropped last name is dropped");
    assert_eq!(returned.username.as_deref(), Some("annamaria"));
    assert_eq!(
        returned.language,
        Lang::Ru,
        "language only changes via set_language"
    );
    assert_eq!(returned.first_seen, t0());
    assert_eq!(returned.last_seen, later);
    assert!(returned.blocked, "blocked survives a touch");
    assert!(!returned.inactive);
    assert_eq!(s.user(id).await.unwrap(), Some(returned));
    assert_eq!(
        s.count_users().await.unwrap(),
        1,
        "a return is not a new person"
    );

    s.set_blocked(id, false).await.unwrap();
    assert!(!s.user(id).await.unwrap().unwrap().blocked);
}

async fn flags_and_language(s: &SqlStorage) {
    let id = UserId(2);
    let users = s.count_users().await.unwrap();
    s.touch_user(&profile(2, "Boris"), Lang::Ru, t0())
        .await
        .unwrap();

    s.set_language(id, Lang::En).await.unwrap();
    assert_eq!(s.user(id).await.unwrap().unwrap().language, Lang::En);
    s.set_language(id, Lang::Ru).await.unwrap();
    assert_eq!(s.user(id).await.unwrap().unwrap().language, Lang::Ru);

    // Telegram said 403: inactive until they write again.
    s.set_inactive(id, true).await.unwrap();
    let stored = s.user(id).await.unwrap().unwrap();
    assert!(stored.inactive);
    assert!(!stored.blocked, "inactive and blocked are separate");
    let back = s
        .touch_user(&profile(2, "Boris"), Lang::Ru, t0() + Duration::hours(1))
        .await
        .unwrap();
    assert!(!back.inactive, "writing again clears inactive");
    assert!(!s.user(id).await.unwrap().unwrap().inactive);
    s.set_inactive(id, true).await.unwrap();
    s.set_inactive(id, false).await.unwrap();
    assert!(!s.user(id).await.unwrap().unwrap().inactive);

    s.set_blocked(id, true).await.unwrap();
    let stored = s.user(id).await.unwrap().unwrap();
    assert!(stored.blocked);
    assert!(!stored.inactive);
    s.set_blocked(id, false).await.unwrap();
    assert!(!s.user(id).await.unwrap().unwrap().blocked);

    // Changing someone unknown creates nobody.
    let nobody = UserId(999_999);
    s.set_language(nobody, Lang::En).await.unwrap();
    s.set_blocked(nobody, true).await.unwrap();
    s.set_inactive(nobody, true).await.unwrap();
    assert_eq!(s.user(nobody).await.unwrap(), None);
    assert_eq!(s.count_users().await.unwrap(), users + 1);
}

async fn large_and_negative_ids(s: &SqlStorage) {
    let users = s.count_users().await.unwrap();
    let ids = [
        (1_i64 << 32) + 5,
        7_123_456_789,
        i64::MAX,
        -1,
        -1_001_234_567_890,
        i64::MIN,
    ];
    for (n, id) in ids.into_iter().enumerate() {
        let name = format!("id {n}");
        let record = s
            .touch_user(&profile(id, &name), Lang::En, t0())
            .await
            .unwrap();
        assert_eq!(record.id, UserId(id));
    }
    for (n, id) in ids.into_iter().enumerate() {
        let stored = s.user(UserId(id)).await.unwrap().unwrap();
        assert_eq!(stored.id, UserId(id));
        assert_eq!(stored.first_name, format!("id {n}"), "no two ids collide");
    }
    // 2^32 + 5 must not be confused with 5.
    assert_eq!(s.user(UserId(5)).await.unwrap(), None);
    assert_eq!(s.count_users().await.unwrap(), users + ids.len() as u64);
}

async fn names_are_stored_verbatim(s: &SqlStorage) {
    let names = [
        "O'Brien \"the\" `tick`",
        "'; DROP TABLE users; --",
        "Robert'); DELETE FROM activity; --",
        "😀🎢 Батут 🧗",
        "Ёлкина Наталья Юрьевна",
        "<b>&amp;</b> \\ % _ $1 ?",
        "  spaces kept  ",
        "",
    ];
    let users = s.count_users().await.unwrap();
    for (n, name) in names.iter().enumerate() {
        let id = 10_000 + n as i64;
        let p = UserProfile {
            id: UserId(id),
            first_name: (*name).to_owned(),
            last_name: Some(format!("{name}!")),
            username: Some(format!("u{n}_{name}")),
            language_code: None,
        };
        let returned = s.touch_user(&p, Lang::Ru, t0()).await.unwrap();
        assert_eq!(returned.first_name, *name);
        let stored = s.user(UserId(id)).await.unwrap().unwrap();
        assert_eq!(stored.first_name, *name);
        assert_eq!(stored.last_name, p.last_name);
        assert_eq!(stored.username, p.username);
    }
    assert_eq!(s.count_users().await.unwrap(), users + names.len() as u64);
    assert!(
        s.user(UserId(1)).await.unwrap().is_some(),
        "users table intact"
    );
}

async fn times_round_trip(s: &SqlStorage) {
    let cases = [
        // Nanoseconds are truncated to microseconds on both backends.
        (
            datetime!(2026-11-28 23:59:59.987_654_321 UTC),
            datetime!(2026-11-28 23:59:59.987_654 UTC),
        ),
        // Another offset reads back as the same instant, in UTC.
        (
            datetime!(2026-06-01 12:00:00.5 +03:00),
            datetime!(2026-06-01 09:00:00.5 UTC),
        ),
        (
            datetime!(1999-12-31 23:59:59.999 UTC),
            datetime!(1999-12-31 23:59:59.999 UTC),
        ),
        (
            datetime!(2100-01-01 00:00:00.000_001 UTC),
            datetime!(2100-01-01 00:00:00.000_001 UTC),
        ),
    ];
    for (n, (written, expected)) in cases.into_iter().enumerate() {
        let id = UserId(20_000 + n as i64);
        let returned = s
            .touch_user(&profile(id.0, "T"), Lang::Ru, written)
            .await
            .unwrap();
        let stored = s.user(id).await.unwrap().unwrap();
        for at in [returned.first_seen, stored.first_seen, stored.last_seen] {
            assert_eq!(at, expected);
            assert_eq!(at.offset(), UtcOffset::UTC);
            assert!((at - written).abs() < Duration::milliseconds(1));
        }
    }
}

/// Last-seen times in one batch, larger than one statement takes: each moves
/// forward, never back, and nobody else's changes.
async fn last_seen_batches(s: &SqlStorage) {
    let ids: Vec<UserId> = (0..600).map(|i| UserId(40_000 + i)).collect();
    for id in &ids {
        s.touch_user(&profile(id.0, "Batch"), Lang::En, t0())
            .await
            .unwrap();
    }
    let bystander = UserId(39_999);
    s.touch_user(&profile(bystander.0, "Other"), Lang::En, t0())
        .await
        .unwrap();
    // Even people move on an hour, odd people would move back an hour.
    let seen: Vec<(UserId, OffsetDateTime)> = ids
        .iter()
        .map(|id| {
            let shift = if id.0 % 2 == 0 { 1 } else { -1 };
            (*id, t0() + Duration::hours(shift))
        })
        .collect();
    s.record_last_seen(&seen).await.unwrap();
    for id in &ids {
        let last_seen = s.user(*id).await.unwrap().unwrap().last_seen;
        let expected = if id.0 % 2 == 0 {
            t0() + Duration::hours(1)
        } else {
            t0()
        };
        assert_eq!(last_seen, expected, "{id}");
    }
    assert_eq!(s.user(bystander).await.unwrap().unwrap().last_seen, t0());
    s.record_last_seen(&[]).await.unwrap();
}

async fn activity_batches(s: &SqlStorage) {
    let anna = UserId(1);
    let boris = UserId(2);
    let start = datetime!(2026-11-28 09:59:59.5 UTC);
    // Anna's records are one millisecond apart and cross second boundaries; every
    // tenth one is Boris's, interleaved in time.
    let batch: Vec<Activity> = (0..1000)
        .map(|i| Activity {
            user: if i % 10 == 9 { boris } else { anna },
            kind: if i % 2 == 0 {
                ActivityKind::PageView
            } else {
                ActivityKind::SectionView
            },
            subject: (i % 3 != 0).then(|| format!("park/zone-{i}/страница.md")),
            at: start + Duration::milliseconds(i) + Duration::microseconds(i % 7),
        })
        .collect();
    s.record_activity(&batch).await.unwrap();

    let anna_all: Vec<Activity> = batch.iter().filter(|a| a.user == anna).cloned().collect();
    let boris_all: Vec<Activity> = batch.iter().filter(|a| a.user == boris).cloned().collect();
    assert_eq!(anna_all.len(), 900);

    let newest_ten = s.recent_activity(anna, 10).await.unwrap();
    let expected: Vec<Activity> = anna_all.iter().rev().take(10).cloned().collect();
    assert_eq!(newest_ten, expected, "newest first, exactly as written");

    let everything = s.recent_activity(anna, 5000).await.unwrap();
    assert_eq!(everything.len(), 900);
    assert!(everything.windows(2).all(|w| w[0].at >= w[1].at));
    assert!(everything.iter().all(|a| a.user == anna));
    assert_eq!(everything.last(), anna_all.first());

    let boris_recent = s.recent_activity(boris, 1000).await.unwrap();
    let boris_expected: Vec<Activity> = boris_all.iter().rev().cloned().collect();
    assert_eq!(boris_recent, boris_expected);

    assert!(s.recent_activity(anna, 0).await.unwrap().is_empty());
    assert!(
        s.recent_activity(UserId(424_242), 10)
            .await
            .unwrap()
            .is_empty()
    );

    // An empty batch writes nothing and is not an error.
    s.record_activity(&[]).await.unwrap();
    assert_eq!(s.recent_activity(anna, 5000).await.unwrap().len(), 900);

    // A later batch comes out ahead of the earlier one; a record written later but
    // dated earlier sorts by its time.
    let late = Activity {
        user: anna,
        kind: ActivityKind::SectionView,
        subject: None,
        at: start + Duration::hours(1),
    };
    let backdated = Activity {
        user: anna,
        kind: ActivityKind::PageView,
        subject: Some("old".to_owned()),
        at: start - Duration::hours(1),
    };
    s.record_activity(&[late.clone(), backdated.clone()])
        .await
        .unwrap();
    let all = s.recent_activity(anna, 5000).await.unwrap();
    assert_eq!(all.len(), 902);
    assert_eq!(all.first(), Some(&late));
    assert_eq!(all.last(), Some(&backdated));

    // Records with the same time come out in reverse order of writing.
    let same_time: Vec<Activity> = ["first", "second", "third"]
        .into_iter()
        .map(|subject| Activity {
            user: anna,
            kind: ActivityKind::PageView,
            subject: Some(subject.to_owned()),
            at: late.at,
        })
        .collect();
    s.record_activity(&same_time).await.unwrap();
    let subjects: Vec<Option<String>> = s
        .recent_activity(anna, 4)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.subject)
        .collect();
    assert_eq!(
        subjects,
        [Some("third"), Some("second"), Some("first"), None].map(|s| s.map(str::to_owned))
    );
}

async fn media_cache(s: &SqlStorage) {
    let key = "sha256:9f86d081884c7d65:photo";
    assert_eq!(s.media_file_id(key).await.unwrap(), None);
    s.save_media_file_id(key, "AgACAgIAAxkBAAIBZ2")
        .await
        .unwrap();
    assert_eq!(
        s.media_file_id(key).await.unwrap().as_deref(),
        Some("AgACAgIAAxkBAAIBZ2")
    );
    s.save_media_file_id(key, "AgACAgIAAxkBAAIBZ3-new")
        .await
        .unwrap();
    assert_eq!(
        s.media_file_id(key).await.unwrap().as_deref(),
        Some("AgACAgIAAxkBAAIBZ3-new")
    );
    assert_eq!(
        s.media_file_id("sha256:9f86d081884c7d65:video")
            .await
            .unwrap(),
        None
    );
    s.save_media_file_id("k'; DROP TABLE media_cache; --", "x")
        .await
        .unwrap();
    assert_eq!(
        s.media_file_id("k'; DROP TABLE media_cache; --")
            .await
            .unwrap()
            .as_deref(),
        Some("x")
    );
    assert_eq!(
        s.media_file_id(key).await.unwrap().as_deref(),
        Some("AgACAgIAAxkBAAIBZ3-new")
    );
}

async fn update_claims(s: &SqlStorage) {
    let s = s.claims();
    let day = std::time::Duration::from_secs(24 * 60 * 60);
    let t = t0();
    assert!(s.claim_update(5_000_000_001, t, day).await.unwrap());
    assert!(
        s.claim_update(5_000_000_001, t + time::Duration::seconds(30), day)
            .await
            .unwrap(),
        "an unfinished claim (its attempt died) is taken over"
    );
    s.finish_update(5_000_000_001, t, day).await.unwrap();
    assert!(
        !s.claim_update(5_000_000_001, t + time::Duration::hours(23), day)
            .await
            .unwrap(),
        "a second delivery of a finished update within the day is a duplicate"
    );
    assert!(s.claim_update(5_000_000_002, t, day).await.unwrap());
    s.finish_update(5_000_000_002, t, day).await.unwrap();
    assert!(
        s.claim_update(5_000_000_001, t + time::Duration::hours(25), day)
            .await
            .unwrap(),
        "a day later the id may be Telegram's again"
    );
    // A claim of a multiple of 1000 also deletes claims older than a day; their
    // ids are claimable as before.
    assert!(
        s.claim_update(7_000, t + time::Duration::hours(50), day)
            .await
            .unwrap()
    );
    assert!(
        s.claim_update(5_000_000_002, t + time::Duration::hours(50), day)
            .await
            .unwrap()
    );
    // A new update, never claimed, is claimed, finished, when it is marked.
    let later = t + time::Duration::hours(51);
    assert_eq!(s.last_claimed().await.unwrap(), Some(5_000_000_002));
    s.finish_update(5_000_000_003, later, day).await.unwrap();
    assert_eq!(s.last_claimed().await.unwrap(), Some(5_000_000_003));
    assert!(
        !s.claim_update(5_000_000_003, later, day).await.unwrap(),
        "marked without a claim, it is still a duplicate"
    );
    // A finished multiple of 1000 deletes claims older than a day too.
    s.finish_update(8_000, later + time::Duration::hours(30), day)
        .await
        .unwrap();
    assert!(
        s.claim_update(5_000_000_003, later + time::Duration::hours(30), day)
            .await
            .unwrap()
    );
}

/// PostgreSQL rejects a NUL character in text, which lets us fail one record of a
/// batch: none of the batch may be written. (SQLite stores NULs, so it cannot be
/// made to fail this way.)
async fn postgres_batches_are_atomic(s: &SqlStorage) {
    let user = UserId(30_000);
    let good = Activity {
        user,
        kind: ActivityKind::PageView,
        subject: Some("fine".to_owned()),
        at: t0(),
    };
    let bad = Activity {
        subject: Some("bad\0byte".to_owned()),
        ..good.clone()
    };
    assert!(s.record_activity(&[good.clone(), bad]).await.is_err());
    assert!(s.recent_activity(user, 10).await.unwrap().is_empty());
    s.record_activity(std::slice::from_ref(&good))
        .await
        .unwrap();
    assert_eq!(s.recent_activity(user, 10).await.unwrap(), vec![good]);
}
