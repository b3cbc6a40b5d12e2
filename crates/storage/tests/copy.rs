//! `storage::copy`: a populated SQLite database copied to PostgreSQL and back to a
//! fresh SQLite, and SQLite to SQLite; every table's count and checksum equal on
//! every side, values read back exactly, ids and sequences carried over, and a
//! non-empty target refused unless replacing was asked for.
//!
//! The PostgreSQL legs run when `TEST_DATABASE_URL` is set, each in a schema of
//! its own.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use domain::broadcast::{Audience, Delivery};
use domain::callback::Slug;
use domain::content::{MediaKind, PageEdit, PageField};
use domain::ids::UserId;
use domain::lang::Lang;
use engine::Attachment;
use engine::ports::{
    Activity, ActivityKind, AnswerRecord, AttemptKind, AttemptQuestion, AttemptResult, AuditEntry,
    Certificate, NewAttempt, NewBroadcast, NewInvite, NewPageVersion, ProfileField, ReviewChange,
    ReviewItem, Role, UserProfile,
};
use storage::SqlStorage;
use storage::copy::{self, CopyError, CopyProgress, ExistingRows, TableSum};
use storage::testing;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

/// Above 2^31 and 2^32: only a 64-bit column keeps it.
const BIG_ID: i64 = 7_123_456_789;
const CYRILLIC: i64 = 40_001;
const ERASED: i64 = 40_002;

fn t0() -> OffsetDateTime {
    // Microseconds that a millisecond or float round trip would lose.
    datetime!(2026-11-28 09:59:59.123_457 UTC)
}

fn profile(id: i64, first: &str, last: Option<&str>, username: Option<&str>) -> UserProfile {
    UserProfile {
        id: UserId(id),
        first_name: first.to_owned(),
        last_name: last.map(str::to_owned),
        username: username.map(str::to_owned),
        language_code: None,
    }
}

/// A little of everything, written through the storage ports.
async fn populate(s: &SqlStorage) {
    s.touch_user(
        &profile(CYRILLIC, "Анна-Мария", Some("Ёлкина"), Some("anna_yo")),
        Lang::Ru,
        t0(),
    )
    .await
    .unwrap();
    s.touch_user(
        &profile(BIG_ID, "Big", None, None),
        Lang::En,
        t0() + Duration::microseconds(1),
    )
    .await
    .unwrap();
    s.touch_user(&profile(ERASED, "Gone", None, None), Lang::Ru, t0())
        .await
        .unwrap();
    s.set_profile_field(
        UserId(CYRILLIC),
        ProfileField::Park(Some("zelenopark".into())),
    )
    .await
    .unwrap();
    s.set_profile_field(
        UserId(CYRILLIC),
        ProfileField::Department(Some("bar".into())),
    )
    .await
    .unwrap();
    s.mark_onboarded(UserId(CYRILLIC)).await.unwrap();
    s.set_blocked(UserId(BIG_ID), true).await.unwrap();
    s.grant_access(UserId(CYRILLIC), "open", t0())
        .await
        .unwrap();

    // A whole number of batches, so the last batch ends the table.
    let activity: Vec<Activity> = (0..2_000)
        .map(|i| Activity {
            user: UserId(if i % 2 == 0 { CYRILLIC } else { ERASED }),
            kind: if i % 3 == 0 {
                ActivityKind::SectionView
            } else {
                ActivityKind::PageView
            },
            subject: (i % 5 != 0).then(|| format!("bar/страница-{}", i % 7)),
            at: t0() + Duration::microseconds(i),
        })
        .collect();
    s.record_activity(&activity).await.unwrap();
    s.save_media_file_id("bar/intro.jpg", "AgACAgIAAxkBAAIB")
        .await
        .unwrap();

    let attempt = s
        .start_attempt(&NewAttempt {
            user: UserId(CYRILLIC),
            kind: AttemptKind::Quiz,
            quiz_id: "bar-basics".into(),
            questions: vec![AttemptQuestion {
                quiz_id: "bar-basics".into(),
                question_id: "q1".into(),
                option_order: vec![2, 0, 1],
            }],
            started_at: t0(),
            deadline: Some(t0() + Duration::minutes(10)),
        })
        .await
        .unwrap();
    s.record_answer(
        attempt,
        &AnswerRecord {
            position: 0,
            quiz_id: "bar-basics".into(),
            question_id: "q1".into(),
            chosen: vec![0, 2],
            correct: true,
            points: 3,
            answered_at: t0() + Duration::seconds(7),
            time_taken_ms: 7_001,
        },
        ReviewChange::Clear,
    )
    .await
    .unwrap();
    s.finish_attempt(
        attempt,
        &AttemptResult {
            score: 3,
            max_score: 3,
            passed: true,
            finished_at: t0() + Duration::seconds(8),
        },
    )
    .await
    .unwrap();
    // An open attempt too, so NULL times and scores are copied.
    s.start_attempt(&NewAttempt {
        user: UserId(ERASED),
        kind: AttemptKind::Review,
        quiz_id: "review".into(),
        questions: vec![],
        started_at: t0(),
        deadline: None,
    })
    .await
    .unwrap();
    s.schedule_review(
        UserId(CYRILLIC),
        &ReviewItem {
            quiz_id: "bar-basics".into(),
            question_id: "q1".into(),
            stage: 1,
            due_at: t0() + Duration::days(3),
        },
    )
    .await
    .unwrap();
    assert!(
        s.claims()
            .claim_update(9_007_199_254, t0(), std::time::Duration::from_secs(86_400))
            .await
            .unwrap()
    );
    s.save_certificate(&Certificate {
        code: "TB-7K2QX9".into(),
        user: UserId(CYRILLIC),
        full_name: "Анна-Мария Ёлкина".into(),
        department: "bar".into(),
        park: Some("zelenopark".into()),
        issued_at: t0() + Duration::seconds(9),
        quizzes: vec![("bar-basics".into(), 100)],
    })
    .await
    .unwrap();
    s.record_audit(&AuditEntry {
        id: 0,
        at: t0(),
        actor: UserId(BIG_ID),
        action: "block".into(),
        detail: "заблокирован: 40001".into(),
    })
    .await
    .unwrap();

    let broadcast = s
        .create_broadcast(&NewBroadcast {
            created_by: UserId(BIG_ID),
            created_at: t0(),
            source: "**Привет**, все!".into(),
            media: Some(Attachment {
                kind: MediaKind::Photo,
                file_id: "AgACAgIAAxkBAAIC".into(),
            }),
            audience: Audience::Park(Slug::parse("zelenopark").unwrap()),
            start_at: t0(),
            status_message: Some(12_345),
        })
        .await
        .unwrap();
    s.start_broadcast(broadcast, &[UserId(CYRILLIC), UserId(ERASED)], t0())
        .await
        .unwrap();
    s.claim_recipients(broadcast, 1, t0()).await.unwrap();
    s.record_delivery(
        broadcast,
        UserId(CYRILLIC),
        Delivery::Sent,
        None,
        t0() + Duration::seconds(1),
    )
    .await
    .unwrap();
    s.acquire_lease(
        "broadcasts",
        "replica-1",
        t0(),
        t0() + Duration::seconds(30),
    )
    .await
    .unwrap();

    s.create_invite(&NewInvite {
        code: "Invite_code_0123456789abc".into(),
        park: Some("zelenopark".into()),
        department: None,
        created_by: UserId(BIG_ID),
        created_at: t0(),
        expires_at: t0() + Duration::days(7),
        max_uses: Some(5),
    })
    .await
    .unwrap();
    s.request_access(UserId(BIG_ID), "Big Person", t0())
        .await
        .unwrap();
    s.grant_role(
        UserId(CYRILLIC),
        &Role::ParkManager {
            park: "zelenopark".into(),
        },
        UserId(BIG_ID),
        t0(),
    )
    .await
    .unwrap();
    for (i, edit) in [
        PageEdit::Text("Новый *текст*".into()),
        PageEdit::Media {
            kind: MediaKind::Video,
            file_id: "BAACAgIAAxkBAAID".into(),
        },
        PageEdit::Pack,
    ]
    .into_iter()
    .enumerate()
    {
        let field = if matches!(edit, PageEdit::Media { .. }) {
            PageField::Media
        } else {
            PageField::Text(Lang::Ru)
        };
        s.add_page_version(&NewPageVersion {
            path: "bar/intro".into(),
            field,
            edit,
            author: UserId(BIG_ID),
            at: t0() + Duration::minutes(i as i64),
        })
        .await
        .unwrap();
    }
    s.record_content_reload(UserId(BIG_ID), t0()).await.unwrap();
    // An erasure leaves an `erasures` row and activity with user 0.
    s.request_deletion(UserId(ERASED), t0()).await.unwrap();
    s.erase_person(UserId(ERASED), t0() + Duration::hours(1))
        .await
        .unwrap();
}

/// Copies, printing nothing; returns the report's sums.
async fn copy_all(from: &SqlStorage, to: &SqlStorage) -> Vec<TableSum> {
    let mut seen = Vec::new();
    let report = copy::copy(from, to, ExistingRows::Refuse, &mut |p: CopyProgress<
        '_,
    >| {
        seen.push((p.table.to_owned(), p.done, p.total))
    })
    .await
    .unwrap();
    assert!(
        seen.windows(2).all(|w| w[0] != w[1]),
        "no progress report twice: {seen:?}"
    );
    // Progress ends each table at its total.
    for sum in &report.tables {
        let last = seen.iter().rev().find(|(t, _, _)| t == sum.table).unwrap();
        assert_eq!((last.1, last.2), (sum.rows, sum.rows), "{}", sum.table);
    }
    report.tables
}

/// The values that must survive every hop exactly.
async fn assert_values(s: &SqlStorage) {
    let anna = s.user(UserId(CYRILLIC)).await.unwrap().unwrap();
    assert_eq!(anna.first_name, "Анна-Мария");
    assert_eq!(anna.last_name.as_deref(), Some("Ёлкина"));
    assert_eq!(anna.first_seen, t0());
    let big = s.user(UserId(BIG_ID)).await.unwrap().unwrap();
    assert!(big.blocked);
    assert_eq!(big.first_seen, t0() + Duration::microseconds(1));
    let certificate = s.certificate("TB-7K2QX9").await.unwrap().unwrap();
    assert_eq!(certificate.full_name, "Анна-Мария Ёлкина");
    assert_eq!(certificate.issued_at, t0() + Duration::seconds(9));
    let audit = s.audit_entries(None, 10).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor, UserId(BIG_ID));
    assert_eq!(
        s.count_users().await.unwrap(),
        2,
        "the erased person is gone"
    );
}

/// New rows get ids after the copied ones, on the target's own sequences.
async fn assert_ids_continue(before: &SqlStorage, after: &SqlStorage) {
    let entry = AuditEntry {
        id: 0,
        at: t0(),
        actor: UserId(1),
        action: "login".into(),
        detail: String::new(),
    };
    before.record_audit(&entry).await.unwrap();
    after.record_audit(&entry).await.unwrap();
    let a = before.audit_entries(None, 1).await.unwrap()[0].id;
    let b = after.audit_entries(None, 1).await.unwrap()[0].id;
    assert_eq!(a, b, "the same next audit id on both sides");
}

#[tokio::test]
async fn sqlite_to_sqlite_copies_every_table_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let from = SqlStorage::connect(&format!("sqlite://{}", dir.path().join("a.db").display()))
        .await
        .unwrap();
    from.migrate().await.unwrap();
    populate(&from).await;
    // The newest rows of a table deleted: their ids must still not come back.
    let raw = sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.path().join("a.db").display()))
        .await
        .unwrap();
    sqlx::query("DELETE FROM content_reloads")
        .execute(&raw)
        .await
        .unwrap();
    raw.close().await;
    let to = SqlStorage::connect(&format!("sqlite://{}", dir.path().join("b.db").display()))
        .await
        .unwrap();
    to.migrate().await.unwrap();

    let sums = copy_all(&from, &to).await;
    assert_eq!(sums, copy::checksums(&from).await.unwrap());
    assert_eq!(sums, copy::checksums(&to).await.unwrap());
    let rows = |table: &str| sums.iter().find(|s| s.table == table).unwrap().rows;
    assert_eq!(rows("activity"), 2_000);
    assert_eq!(rows("content_overrides"), 3);
    assert_eq!(rows("erasures"), 1);
    assert!(
        sums.iter()
            .filter(|s| !matches!(
                s.table,
                "deletion_requests" | "legacy_imports" | "content_reloads"
            ))
            .all(|s| s.rows > 0),
        "the fixture fills every table but the (erased) deletion request and the legacy import keys: {sums:?}"
    );
    assert_values(&to).await;
    assert_ids_continue(&from, &to).await;
    assert_eq!(
        to.record_content_reload(UserId(1), t0()).await.unwrap(),
        2,
        "the deleted id 1 is not reused"
    );
}

#[tokio::test]
async fn a_non_empty_target_is_refused_unless_replacing() {
    let from = testing::fresh_sqlite().await.unwrap();
    populate(&from).await;
    let to = testing::fresh_sqlite().await.unwrap();
    to.touch_user(&profile(5, "Already", None, None), Lang::Ru, t0())
        .await
        .unwrap();

    let refused = copy::copy(&from, &to, ExistingRows::Refuse, &mut |_| {}).await;
    let Err(error @ CopyError::TargetNotEmpty { .. }) = refused else {
        panic!("expected a refusal, got {refused:?}");
    };
    let message = error.to_string();
    assert!(message.contains("users: 1 rows"), "{message}");
    assert!(message.contains("--force"), "{message}");
    assert_eq!(
        to.count_users().await.unwrap(),
        1,
        "the target is untouched"
    );

    copy::copy(&from, &to, ExistingRows::Replace, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(
        copy::checksums(&to).await.unwrap(),
        copy::checksums(&from).await.unwrap()
    );
    assert_eq!(to.user(UserId(5)).await.unwrap(), None, "replaced");
}

#[tokio::test]
async fn a_database_is_never_copied_onto_itself() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let from = SqlStorage::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    from.migrate().await.unwrap();
    populate(&from).await;
    // The same file, spelled differently.
    let to = SqlStorage::connect(&format!(
        "sqlite://{}/../{}/a.db",
        dir.path().display(),
        dir.path().file_name().unwrap().to_str().unwrap()
    ))
    .await
    .unwrap();
    let refused = copy::copy(&from, &to, ExistingRows::Replace, &mut |_| {}).await;
    assert!(
        matches!(refused, Err(CopyError::SameDatabase(_))),
        "{refused:?}"
    );
    assert_eq!(from.count_users().await.unwrap(), 2, "nothing was deleted");

    let Some(base) = testing::postgres_url("a_database_is_never_copied_onto_itself") else {
        return;
    };
    let (pg, guard) = testing::fresh_postgres(&base).await.unwrap();
    let again = SqlStorage::connect(guard.url()).await.unwrap();
    let refused = copy::copy(&pg, &again, ExistingRows::Replace, &mut |_| {}).await;
    let Err(error @ CopyError::SameDatabase(_)) = refused else {
        panic!("expected a refusal, got {refused:?}");
    };
    assert!(error.to_string().contains(guard.schema()), "{error}");
    let (other, _other_guard) = testing::fresh_postgres(&base).await.unwrap();
    copy::copy(&pg, &other, ExistingRows::Refuse, &mut |_| {})
        .await
        .unwrap();
}

#[tokio::test]
async fn sqlite_to_postgres_and_back_keeps_every_row() {
    let Some(base) = testing::postgres_url("sqlite_to_postgres_and_back_keeps_every_row") else {
        return;
    };
    let from = testing::fresh_sqlite().await.unwrap();
    populate(&from).await;
    let (pg, guard) = testing::fresh_postgres(&base).await.unwrap();
    let back = testing::fresh_sqlite().await.unwrap();

    let there = copy_all(&from, &pg).await;
    assert_eq!(there, copy::checksums(&pg).await.unwrap());
    assert_values(&pg).await;
    let home = copy_all(&pg, &back).await;
    assert_eq!(there, home, "counts and checksums equal on all three");
    assert_eq!(home, copy::checksums(&back).await.unwrap());
    assert_values(&back).await;

    // PostgreSQL's sequences were moved past the copied ids (a fresh identity
    // would hand out 1 and collide).
    assert_ids_continue(&from, &pg).await;
    let next_override = pg
        .add_page_version(&NewPageVersion {
            path: "bar/intro".into(),
            field: PageField::Text(Lang::En),
            edit: PageEdit::Text("New".into()),
            author: UserId(1),
            at: t0(),
        })
        .await
        .unwrap();
    assert_eq!(next_override, 4);

    // A non-empty PostgreSQL target is refused, and replaced on request.
    let refused = copy::copy(&back, &pg, ExistingRows::Refuse, &mut |_| {}).await;
    assert!(matches!(refused, Err(CopyError::TargetNotEmpty { .. })));
    copy::copy(&back, &pg, ExistingRows::Replace, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(copy::checksums(&pg).await.unwrap(), home);

    // PostgreSQL's last issued id travels too, when the newest rows are gone.
    let raw = sqlx::PgPool::connect(guard.url()).await.unwrap();
    sqlx::query("DELETE FROM content_reloads")
        .execute(&raw)
        .await
        .unwrap();
    raw.close().await;
    let third = testing::fresh_sqlite().await.unwrap();
    copy::copy(&pg, &third, ExistingRows::Refuse, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(
        third.record_content_reload(UserId(1), t0()).await.unwrap(),
        2,
        "the deleted id 1 is not reused"
    );
}
