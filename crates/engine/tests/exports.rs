//! The export writer against real storage (SQLite in memory): it reads storage one
//! keyset page at a time and writes each page before reading the next, so the
//! number of storage reads follows the page size, and the file is the same
//! whatever the page size.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use domain::ids::UserId;
use domain::lang::Lang;
use engine::exports::{
    EXPORT_PAGE, ExportError, ExportKind, ExportLimits, ExportSummary, UPLOAD_LIMIT, write_csv,
};
use engine::ports::{Storage, UserProfile};
use time::macros::datetime;

const PEOPLE: i64 = 5_000;

async fn five_thousand_people() -> storage::SqlStorage {
    let storage = storage::testing::fresh_sqlite().await.unwrap();
    for id in 1..=PEOPLE {
        let profile = UserProfile {
            id: UserId(id * 3),
            first_name: format!("Person {id}"),
            last_name: (id % 10 == 0).then(|| "@SUM(A1)".to_owned()),
            username: None,
            language_code: None,
        };
        storage
            .touch_user(&profile, Lang::En, datetime!(2026-11-28 10:00 UTC))
            .await
            .unwrap();
    }
    storage
}

/// `page` rows at a time, up to Telegram's upload limit.
fn paged(page: u32) -> ExportLimits {
    ExportLimits {
        page,
        max_bytes: UPLOAD_LIMIT,
    }
}

async fn export(storage: &storage::SqlStorage, page: u32) -> (Vec<u8>, ExportSummary) {
    let mut out = Vec::new();
    let summary = write_csv(storage, ExportKind::People, None, paged(page), &mut out)
        .await
        .unwrap();
    (out, summary)
}

#[tokio::test]
async fn a_large_export_is_read_page_by_page() {
    let storage = five_thousand_people().await;
    let (file, summary) = export(&storage, EXPORT_PAGE).await;
    // 10 full pages, then an empty one that ends the walk.
    assert_eq!(
        summary,
        ExportSummary {
            rows: 5_000,
            pages: 11,
            bytes: file.len() as u64,
        }
    );
    let (small, small_summary) = export(&storage, 7).await;
    assert_eq!(small_summary.rows, 5_000);
    assert_eq!(
        small_summary.pages,
        5_000 / 7 + 1,
        "714 full pages and a partial one"
    );
    let (whole, whole_summary) = export(&storage, 10_000).await;
    assert_eq!(whole_summary.pages, 1);
    assert_eq!(small, file, "the same file at any page size");
    assert_eq!(whole, file);

    let text = String::from_utf8(file.strip_prefix(b"\xEF\xBB\xBF").unwrap().to_vec()).unwrap();
    let lines: Vec<&str> = text.split_terminator("\r\n").collect();
    assert_eq!(lines.len(), 5_001);
    assert!(lines[0].starts_with("id,first_name,last_name,"));
    assert!(lines[1].starts_with("3,Person 1,,"));
    assert!(lines[10].starts_with("30,Person 10,'@SUM(A1),"));
}

#[tokio::test]
async fn an_empty_table_is_a_header_only() {
    let storage = storage::testing::fresh_sqlite().await.unwrap();
    let mut out = Vec::new();
    let summary = write_csv(&storage, ExportKind::Audit, None, paged(10), &mut out)
        .await
        .unwrap();
    assert_eq!(
        summary,
        ExportSummary {
            rows: 0,
            pages: 1,
            bytes: out.len() as u64,
        }
    );
    assert_eq!(out, b"\xEF\xBB\xBFid,at,actor,action,detail\r\n");
}

#[tokio::test]
async fn a_person_export_is_one_file_of_sections() {
    use engine::ports::{Activity, ActivityKind, PersonalDataStore};
    let storage = storage::testing::fresh_sqlite().await.unwrap();
    let at = datetime!(2026-11-28 10:00 UTC);
    for (id, name) in [(7, "=Anna"), (8, "Boris")] {
        let profile = UserProfile {
            id: UserId(id),
            first_name: name.to_owned(),
            last_name: None,
            username: None,
            language_code: None,
        };
        storage.touch_user(&profile, Lang::En, at).await.unwrap();
        storage
            .record_activity(&[Activity {
                user: UserId(id),
                kind: ActivityKind::PageView,
                subject: Some(format!("bar/{name}.md")),
                at,
            }])
            .await
            .unwrap();
    }
    storage.request_deletion(UserId(7), at).await.unwrap();
    let mut out = Vec::new();
    let summary = write_csv(
        &storage,
        ExportKind::Person(UserId(7)),
        None,
        paged(1),
        &mut out,
    )
    .await
    .unwrap();
    assert_eq!(summary.rows, 2, "the profile and one activity record");
    let text = String::from_utf8(out[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split_terminator("\r\n").collect();
    let sections: Vec<&str> = lines.iter().map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(
        sections,
        [
            "section", "profile", "section", "activity", "section", "section", "section", "section"
        ],
        "{text}"
    );
    assert!(lines[0].starts_with("section,id,first_name,"));
    assert!(lines[1].starts_with("profile,7,'=Anna,"));
    assert!(
        lines[1].ends_with(",2026-11-28T10:00:00Z"),
        "the deletion request"
    );
    assert!(lines[3].ends_with(",7,page_view,bar/=Anna.md,2026-11-28T10:00:00Z"));
    assert!(!text.contains("Boris"), "nobody else's data");
    assert_eq!(
        lines[6], "section,quiz,question,stage,due",
        "the review section's header"
    );
}

#[tokio::test]
async fn an_export_stops_before_it_would_pass_the_size_limit() {
    let storage = five_thousand_people().await;
    let (whole, _) = export(&storage, EXPORT_PAGE).await;
    // About a fifth of the whole file: the writer must stop after a page or two.
    let limit = whole.len() as u64 / 5;
    let mut out = Vec::new();
    let limits = ExportLimits {
        page: 100,
        max_bytes: limit,
    };
    let refused = write_csv(&storage, ExportKind::People, None, limits, &mut out).await;
    assert!(
        matches!(refused, Err(ExportError::TooLarge { limit: l }) if l == limit),
        "{refused:?}"
    );
    assert!(
        out.len() as u64 <= limit,
        "{} bytes written past the limit of {limit}",
        out.len()
    );
    assert!(
        whole.starts_with(&out),
        "what was written is the start of the file"
    );
    // Exactly at the limit is allowed.
    let mut exact = Vec::new();
    let limits = ExportLimits {
        page: 100,
        max_bytes: whole.len() as u64,
    };
    write_csv(&storage, ExportKind::People, None, limits, &mut exact)
        .await
        .unwrap();
    assert_eq!(exact, whole);
}
