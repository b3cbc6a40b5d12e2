//! The look-up chapter of the story: people search and the most-read pages. It
//! runs after the other chapters, so its people (ids from 80 000) carry names no
//! other chapter uses ("Жёлудь…"), and the most-read pages are checked as the
//! earlier chapters' pages (read first) plus exactly this chapter's, whose paths
//! start with `zz-lookup/`.

use domain::ids::UserId;
use domain::lang::Lang;
use engine::ports::{
    Activity, ActivityKind, LookupStore, PageReaders, PeopleQuery, Storage, UserProfile,
};
use storage::SqlStorage;
use time::Duration;

use super::t0;

pub(crate) async fn story(s: &SqlStorage) {
    search(s).await;
    top_pages(s).await;
}

fn someone(id: i64, first: &str, last: Option<&str>, username: Option<&str>) -> UserProfile {
    UserProfile {
        id: UserId(id),
        first_name: first.to_owned(),
        last_name: last.map(str::to_owned),
        username: username.map(str::to_owned),
        language_code: None,
    }
}

async fn ids(s: &SqlStorage, typed: &str, limit: u32) -> Vec<i64> {
    let query = PeopleQuery::parse(typed).unwrap();
    s.search_people(&query, limit)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id.0)
        .collect()
}

async fn search(s: &SqlStorage) {
    for p in [
        someone(80_001, "ЖЁЛУДЬ", Some("Наталья"), Some("Nat_Zh")),
        someone(80_002, "Жёлудь_Ёж", None, None),
        someone(80_003, "ЖёлудьXЁж", None, None),
        someone(80_004, "Жёлудь%Ёж", None, Some("pct_80004")),
        someone(80_005, "Жёлудь100Ёж", None, None),
        someone(80_006, "Zholud", Some("O'Brien"), Some("qwErTy_77")),
        someone(80_007, "Жёлудь\\Ёж", None, None),
    ] {
        s.touch_user(&p, Lang::Ru, t0()).await.unwrap();
    }

    // Cyrillic, case-insensitive both ways, on every backend.
    assert_eq!(
        ids(s, "жёлудь", 50).await,
        [80_001, 80_002, 80_003, 80_004, 80_005, 80_007]
    );
    assert_eq!(ids(s, "ЖЁЛУДЬ НАТ", 50).await, [80_001]);
    // "_" and "%" are literal: without escaping they would match 80 003 and 80 005.
    assert_eq!(ids(s, "дь_ё", 50).await, [80_002]);
    assert_eq!(ids(s, "дь%ё", 50).await, [80_004]);
    assert_eq!(
        ids(s, "дь\\ё", 50).await,
        [80_007],
        "the escape character too"
    );
    assert_eq!(ids(s, "_zh", 50).await, [80_001]);
    // A username, with or without @, in any case.
    assert_eq!(ids(s, "@QWERTY_77", 50).await, [80_006]);
    assert_eq!(ids(s, "qwerty", 50).await, [80_006]);
    // An id matches exactly (and names containing those digits would too).
    assert_eq!(ids(s, "80005", 50).await, [80_005]);
    assert_eq!(
        ids(s, "80004", 50).await,
        [80_004],
        "its username has the id"
    );
    // The limit keeps the first by id.
    assert_eq!(ids(s, "жёлудь", 2).await, [80_001, 80_002]);
    // Hostile text is only text (earlier chapters' people have such names, so
    // these carry this chapter's marker).
    assert!(ids(s, "жёлудь'; DROP TABLE users; --", 50).await.is_empty());
    assert!(ids(s, "жёлудь' OR '1'='1", 50).await.is_empty());
    assert_eq!(ids(s, "o'brien qwerty", 50).await, [80_006]);
    assert!(s.user(UserId(80_001)).await.unwrap().is_some());

    // A new name is found under the new name only.
    s.touch_user(
        &someone(80_005, "Карамель", None, None),
        Lang::Ru,
        t0() + Duration::minutes(1),
    )
    .await
    .unwrap();
    assert!(ids(s, "100", 50).await.iter().all(|id| *id != 80_005));
    assert_eq!(ids(s, "КАРАМЕЛЬ", 50).await, [80_005]);

    let summary = s
        .search_people(&PeopleQuery::parse("nat_zh").unwrap(), 5)
        .await
        .unwrap();
    assert_eq!(summary.len(), 1);
    assert_eq!(summary[0].first_name, "ЖЁЛУДЬ");
    assert_eq!(summary[0].last_name.as_deref(), Some("Наталья"));
    assert_eq!(summary[0].username.as_deref(), Some("Nat_Zh"));
    assert_eq!(summary[0].last_seen, t0());
}

async fn top_pages(s: &SqlStorage) {
    let before = s.top_pages(10_000).await.unwrap();
    assert!(before.iter().all(|p| !p.path.starts_with("zz-lookup/")));

    let view = |user: i64, kind: ActivityKind, subject: Option<&str>, minutes: i64| Activity {
        user: UserId(user),
        kind,
        subject: subject.map(str::to_owned),
        at: t0() + Duration::minutes(minutes),
    };
    let page = ActivityKind::PageView;
    let batch = vec![
        // a.md: three readers, one of them three times.
        view(80_001, page, Some("zz-lookup/a.md"), 1),
        view(80_001, page, Some("zz-lookup/a.md"), 2),
        view(80_001, page, Some("zz-lookup/a.md"), 3),
        view(80_002, page, Some("zz-lookup/a.md"), 4),
        view(80_003, page, Some("zz-lookup/a.md"), 5),
        // c.md and b.md: two readers each (ties are ordered by path).
        view(80_004, page, Some("zz-lookup/c.md"), 6),
        view(80_005, page, Some("zz-lookup/c.md"), 7),
        view(80_005, page, Some("zz-lookup/b.md"), 8),
        view(80_006, page, Some("zz-lookup/b.md"), 9),
        // Section views and page views without a page do not count.
        view(80_001, ActivityKind::SectionView, Some("zz-lookup/d"), 10),
        view(80_002, ActivityKind::SectionView, Some("zz-lookup/d"), 11),
        view(80_003, ActivityKind::SectionView, Some("zz-lookup/d"), 12),
        view(80_004, ActivityKind::SectionView, Some("zz-lookup/d"), 13),
        view(80_004, page, None, 14),
    ];
    s.record_activity(&batch).await.unwrap();

    let mut expected = before.clone();
    for (path, readers) in [
        ("zz-lookup/a.md", 3),
        ("zz-lookup/b.md", 2),
        ("zz-lookup/c.md", 2),
    ] {
        expected.push(PageReaders {
            path: path.to_owned(),
            readers,
        });
    }
    expected.sort_by(|a, b| b.readers.cmp(&a.readers).then_with(|| a.path.cmp(&b.path)));
    assert_eq!(s.top_pages(10_000).await.unwrap(), expected);
    assert_eq!(s.top_pages(2).await.unwrap(), expected[..2]);
    let ours: Vec<(String, u64)> = s
        .top_pages(10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|p| p.path.starts_with("zz-lookup/"))
        .map(|p| (p.path, p.readers))
        .collect();
    assert_eq!(
        ours,
        [
            ("zz-lookup/a.md".to_owned(), 3),
            ("zz-lookup/b.md".to_owned(), 2),
            ("zz-lookup/c.md".to_owned(), 2),
        ]
    );
}

/// People known before migration 0007 have no search key; migrating fills it,
/// folded in Rust, so they are found case-insensitively in Cyrillic at once.
#[tokio::test]
async fn sqlite_people_from_before_the_search_keys_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    let migrations = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    let mut before = sqlx::migrate::Migrator::new(migrations).await.unwrap();
    before.migrations = before
        .migrations
        .iter()
        .filter(|m| m.version < 7)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    let options: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
    let pool = sqlx::SqlitePool::connect_with(options.create_if_missing(true))
        .await
        .unwrap();
    before.run(&pool).await.unwrap();
    sqlx::query(
        "INSERT INTO users (id, first_name, last_name, username, language, first_seen, last_seen) \
         VALUES (90001, 'ЁЛКИНА', 'Наталья', 'Yolka_1', 'ru', 0, 1000)",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;

    let s = SqlStorage::connect(&url).await.unwrap();
    s.migrate().await.unwrap();
    assert_eq!(ids(&s, "ёлкина", 10).await, [90_001]);
    assert_eq!(ids(&s, "@yolka_1", 10).await, [90_001]);
    s.migrate().await.unwrap();
    assert_eq!(ids(&s, "НАТАЛЬЯ", 10).await, [90_001]);
}
