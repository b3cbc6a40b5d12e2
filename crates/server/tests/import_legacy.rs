#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `trainbot import legacy` on a fixture of the old bot's database: into SQLite
//! and into PostgreSQL, from a SQLite file and from a PostgreSQL schema, twice;
//! the second run changes nothing (every table's checksum is the same).

#[path = "common/legacy_fixture.rs"]
mod legacy_fixture;

use std::path::Path;

use domain::content::ContentPack;
use domain::ids::UserId;
use domain::lang::Lang;
use engine::ports::{ActivityKind, UserProfile};
use legacy_fixture::{BIG_ID, IVAN, MARIA, NULLS, PHONE, TYPED};
use server::moving::{ImportReport, import_from};
use sqlx::AssertSqlSafe;
use storage::legacy::LegacyDb;
use storage::{SqlStorage, copy, testing};
use time::macros::datetime;

fn pack() -> ContentPack {
    ContentPack::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content")).unwrap()
}

fn count(map: &std::collections::BTreeMap<String, u64>, key: &str) -> u64 {
    map.get(key).copied().unwrap_or(0)
}

/// Imports twice and checks what trainbot holds; `big` says whether the legacy
/// database holds the 64-bit person (not on PostgreSQL).
async fn import_twice(legacy_location: &str, target: &SqlStorage, big: bool) {
    // Maria is already in trainbot, with less than the old bot knew.
    target
        .touch_user(
            &UserProfile {
                id: UserId(MARIA),
                first_name: "Маша".into(),
                last_name: None,
                username: None,
                language_code: None,
            },
            Lang::Ru,
            datetime!(2026-12-01 10:00 UTC),
        )
        .await
        .unwrap();
    let pack = pack();
    let legacy = LegacyDb::open(legacy_location).await.unwrap();
    let first = import_from(&pack, &legacy, target).await.unwrap();
    let people = if big { 5 } else { 4 };
    assert_eq!(first.people_read, people, "{first}");
    assert_eq!(first.people_created, people - 2, "{first}");
    assert_eq!(
        (first.people_filled, first.people_unchanged),
        (1, 0),
        "{first}"
    );
    assert_eq!(
        count(
            &first.people_skipped,
            "Telegram id is not a positive number"
        ),
        1,
        "{first}"
    );
    assert_eq!(
        count(
            &first.people_notes,
            "a first name (the username or Telegram id stands in until they write)"
        ),
        1,
        "{first}"
    );
    if big {
        assert_eq!(
            count(
                &first.people_notes,
                "department ADMIN (not a trainbot department: admins are ADMIN_IDS and roles)"
            ),
            1,
            "{first}"
        );
        assert_eq!(
            count(
                &first.people_notes,
                "park \"Moon Park\" (matches no park of the content pack)"
            ),
            1,
            "{first}"
        );
    }
    let imported = if big { 3 } else { 2 };
    assert_eq!(first.activity_added, imported, "{first}");
    assert_eq!(first.activity_already, 0);
    let skipped = &first.activity_skipped;
    assert_eq!(
        count(skipped, "a typed message or command (not a page view)"),
        2,
        "{first}"
    );
    assert_eq!(count(skipped, "navigation (main menu, back)"), 2, "{first}");
    assert_eq!(count(skipped, "the admin panel"), u64::from(big), "{first}");
    assert_eq!(
        count(skipped, "section quiz_start (no certain trainbot page)"),
        1,
        "{first}"
    );
    assert_eq!(count(skipped, "its person was not imported"), 1, "{first}");
    let text = first.to_string();
    assert!(!text.contains(PHONE) && !text.contains(TYPED), "{text}");

    // Values, exactly.
    let ivan = target.user(UserId(IVAN)).await.unwrap().unwrap();
    assert_eq!(
        (
            ivan.first_name.as_str(),
            ivan.last_name.as_deref(),
            ivan.username.as_deref()
        ),
        ("Иван", Some("Петров"), Some("ivan_p"))
    );
    assert_eq!(ivan.first_seen, datetime!(2025-03-01 09:15:00.123456 UTC));
    assert_eq!(ivan.last_seen, datetime!(2026-11-30 18:00:01.000001 UTC));
    assert!(!ivan.blocked);
    let profile = target.staff_profile(UserId(IVAN)).await.unwrap();
    assert_eq!(
        profile.park.as_deref(),
        Some("zelenopark"),
        "matched by its Russian name"
    );
    assert_eq!(profile.department.as_deref(), Some("sport"));
    assert_eq!(profile.position.as_deref(), Some("Инструктор батута"));
    assert!(target.has_access(UserId(IVAN)).await.unwrap());
    let views = target.recent_activity(UserId(IVAN), 10).await.unwrap();
    let mut views: Vec<_> = views
        .iter()
        .map(|a| (a.kind, a.subject.clone().unwrap(), a.at))
        .collect();
    views.sort_by_key(|v| v.2);
    assert_eq!(
        views,
        [
            (
                ActivityKind::SectionView,
                "sport".to_owned(),
                datetime!(2026-11-30 17:00:00.654321 UTC)
            ),
            (
                ActivityKind::SectionView,
                "general".to_owned(),
                datetime!(2026-11-30 17:01:00 UTC)
            ),
        ]
    );

    let nulls = target.user(UserId(NULLS)).await.unwrap().unwrap();
    assert_eq!(nulls.first_name, NULLS.to_string());
    assert_eq!((nulls.last_name, nulls.username), (None, None));
    assert_eq!(nulls.language, Lang::Ru);
    let nulls_profile = target.staff_profile(UserId(NULLS)).await.unwrap();
    assert_eq!(
        (
            nulls_profile.park,
            nulls_profile.department,
            nulls_profile.position
        ),
        (None, None, None)
    );

    let maria = target.user(UserId(MARIA)).await.unwrap().unwrap();
    assert_eq!(maria.first_name, "Маша", "trainbot's own value is kept");
    assert_eq!(maria.last_name.as_deref(), Some("Иванова"), "filled in");
    assert_eq!(
        maria.first_seen,
        datetime!(2024-01-01 08:00 UTC),
        "the earlier"
    );
    assert_eq!(
        maria.last_seen,
        datetime!(2026-12-01 10:00 UTC),
        "the later"
    );
    let maria_profile = target.staff_profile(UserId(MARIA)).await.unwrap();
    assert_eq!(maria_profile.park.as_deref(), Some("columbus"));
    assert_eq!(maria_profile.department.as_deref(), Some("sales"));

    if big {
        let john = target.user(UserId(BIG_ID)).await.unwrap().unwrap();
        assert!(john.blocked);
        assert_eq!(john.language, Lang::En);
        let audit = target.audit_entries(None, 10).await.unwrap();
        assert!(
            audit
                .iter()
                .any(|e| e.action == "block" && e.detail.contains("Нарушение правил")),
            "{audit:?}"
        );
    }
    assert_eq!(target.user(UserId(0)).await.unwrap(), None);

    // The second run changes nothing at all.
    let before = copy::checksums(target).await.unwrap();
    let second: ImportReport = import_from(&pack, &legacy, target).await.unwrap();
    assert!(!second.changed_anything(), "{second}");
    assert_eq!(second.people_unchanged, people - 1, "{second}");
    assert_eq!(second.activity_already, imported, "{second}");
    assert_eq!(second.activity_skipped, first.activity_skipped);
    assert_eq!(copy::checksums(target).await.unwrap(), before);
    legacy.close().await;
}

#[tokio::test]
async fn a_sqlite_legacy_database_imports_into_sqlite_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bot.db");
    legacy_fixture::sqlite_file(&file).await;
    let target = testing::fresh_sqlite().await.unwrap();
    import_twice(
        &format!("sqlite+aiosqlite:///{}", file.display()),
        &target,
        true,
    )
    .await;
}

#[tokio::test]
async fn a_sqlite_legacy_database_imports_into_postgres_once() {
    let Some(base) = testing::postgres_url("a_sqlite_legacy_database_imports_into_postgres_once")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bot.db");
    legacy_fixture::sqlite_file(&file).await;
    let (target, _guard) = testing::fresh_postgres(&base).await.unwrap();
    import_twice(file.to_str().unwrap(), &target, true).await;
}

/// The old bot on PostgreSQL: a schema of the test's own holds its tables.
#[tokio::test]
async fn a_postgres_legacy_database_imports_into_sqlite_once() {
    let Some(base) = testing::postgres_url("a_postgres_legacy_database_imports_into_sqlite_once")
    else {
        return;
    };
    let schema = format!("legacy_test_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&base).await.unwrap();
    sqlx::query(AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .unwrap();
    let separator = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{separator}options=-csearch_path%3D{schema}");
    let result = async move {
        let legacy = sqlx::PgPool::connect(&url).await.unwrap();
        for statement in legacy_fixture::ddl(true) {
            sqlx::query(AssertSqlSafe(statement))
                .execute(&legacy)
                .await
                .unwrap();
        }
        for statement in legacy_fixture::rows(true) {
            sqlx::query(statement).execute(&legacy).await.unwrap();
        }
        legacy.close().await;
        let target = testing::fresh_sqlite().await.unwrap();
        // The old bot's own URL form, with its driver name.
        let location = url.replacen("postgres://", "postgresql+asyncpg://", 1);
        import_twice(&location, &target, false).await;
    };
    // Drop the schema even when an assertion fails.
    let outcome = tokio::spawn(result).await;
    sqlx::query(AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}
