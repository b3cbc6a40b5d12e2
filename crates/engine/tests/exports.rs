//! The export writer against real storage (SQLite in memory): it reads storage one
//! keyset page at a time and writes each page before reading the next, so the
//! number of storage reads follows the page size, and the file is the same
//! whatever the page size.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use domain::ids::UserId;
use domain::lang::Lang;
use domain::spreadsheet::Separator;
use engine::exports::{
    EXPORT_PAGE, ExportError, ExportKind, ExportLimits, ExportSummary, UPLOAD_LIMIT, write_csv,
    write_xlsx,
};
use engine::ports::UserProfile;
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
    let summary = write_csv(
        &storage.ports(),
        ExportKind::People,
        None,
        Separator::Comma,
        paged(page),
        &mut out,
    )
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
    let summary = write_csv(
        &storage.ports(),
        ExportKind::Audit,
        None,
        Separator::Comma,
        paged(10),
        &mut out,
    )
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

/// Anna (7, a formula-looking name, who asked for deletion) and Boris (8), each
/// with one page view at 10:00 UTC on 28 November 2026.
async fn two_people_with_activity() -> storage::SqlStorage {
    use engine::ports::{Activity, ActivityKind};
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
    storage
}

#[tokio::test]
async fn a_person_export_is_one_file_of_sections() {
    let storage = two_people_with_activity().await;
    let mut out = Vec::new();
    let summary = write_csv(
        &storage.ports(),
        ExportKind::Person(UserId(7)),
        None,
        Separator::Comma,
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
    let refused = write_csv(
        &storage.ports(),
        ExportKind::People,
        None,
        Separator::Comma,
        limits,
        &mut out,
    )
    .await;
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
    write_csv(
        &storage.ports(),
        ExportKind::People,
        None,
        Separator::Comma,
        limits,
        &mut exact,
    )
    .await
    .unwrap();
    assert_eq!(exact, whole);
}

#[tokio::test]
async fn semicolons_separate_the_cells_when_asked() {
    let storage = two_people_with_activity().await;
    let mut out = Vec::new();
    write_csv(
        &storage.ports(),
        ExportKind::Activity {
            since: None,
            until: datetime!(2026-12-01 00:00 UTC),
        },
        None,
        Separator::Semicolon,
        paged(10),
        &mut out,
    )
    .await
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(
        text,
        "\u{feff}id;person;kind;node;at\r\n\
         1;7;page_view;bar/=Anna.md;2026-11-28T10:00:00Z\r\n\
         2;8;page_view;bar/Boris.md;2026-11-28T10:00:00Z\r\n"
    );
}

/// Writes the export as a workbook in a temporary folder and returns its bytes.
async fn workbook(
    storage: &storage::SqlStorage,
    kind: ExportKind,
    limits: ExportLimits,
) -> (Vec<u8>, ExportSummary) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.xlsx");
    let summary = write_xlsx(
        &storage.ports(),
        kind,
        None,
        "people 2026-11-28",
        "Europe/Moscow",
        limits,
        &path,
    )
    .await
    .unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(summary.bytes, bytes.len() as u64);
    (bytes, summary)
}

type Sheets = calamine::Xlsx<std::io::Cursor<Vec<u8>>>;

fn open(bytes: &[u8]) -> Sheets {
    calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap()
}

fn cells(sheets: &mut Sheets, name: &str) -> Vec<Vec<calamine::Data>> {
    use calamine::Reader;
    let range = sheets.worksheet_range(name).unwrap();
    range.rows().map(<[calamine::Data]>::to_vec).collect()
}

/// A sheet's XML, for what calamine does not read: panes, filters, columns.
fn sheet_xml(bytes: &[u8], n: usize) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name(&format!("xl/worksheets/sheet{n}.xml"))
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

/// Excel's serial number of a local date and time.
fn serial(local: time::PrimitiveDateTime) -> f64 {
    let seconds = local.assume_utc().unix_timestamp();
    seconds as f64 / 86_400.0 + 25_569.0
}

#[tokio::test]
async fn a_workbook_has_typed_cells_and_local_times_one_sheet_a_section() {
    use calamine::{Data, Reader};
    let storage = two_people_with_activity().await;
    let (bytes, summary) = workbook(&storage, ExportKind::Person(UserId(7)), paged(1)).await;
    assert_eq!(summary.rows, 2, "the profile and one activity record");
    let mut sheets = open(&bytes);
    assert_eq!(
        sheets.sheet_names(),
        [
            "profile",
            "activity",
            "attempt",
            "answer",
            "review",
            "certificate"
        ]
    );
    let profile = cells(&mut sheets, "profile");
    assert_eq!(profile.len(), 2, "the header and Anna");
    assert_eq!(profile[0][0], Data::String("id".into()));
    assert_eq!(profile[1][0], Data::Float(7.0), "an id is a number");
    assert_eq!(
        profile[1][1],
        Data::String("=Anna".into()),
        "text stays text, never a formula, so it is written as typed"
    );
    assert_eq!(profile[1][8], Data::Bool(false), "onboarded");
    // 10:00 UTC is 13:00 in Moscow; Excel keeps local dates and times.
    let Data::DateTime(first_seen) = &profile[1][9] else {
        panic!("first_seen is {:?}", profile[1][9]);
    };
    assert!((first_seen.as_f64() - serial(time::macros::datetime!(2026-11-28 13:00))).abs() < 1e-9);
    assert_eq!(profile[1][2], Data::Empty, "no last name");
    let activity = cells(&mut sheets, "activity");
    assert_eq!(activity[1][1], Data::Float(7.0));
    assert_eq!(activity[1][3], Data::String("bar/=Anna.md".into()));
    assert!(!format!("{:?}", cells(&mut sheets, "activity")).contains("Boris"));
    assert_eq!(
        cells(&mut sheets, "review")[0].len(),
        4,
        "an empty section keeps its header"
    );

    let xml = sheet_xml(&bytes, 1);
    assert!(
        xml.contains(r#"ySplit="1""#),
        "the header row is frozen: {xml}"
    );
    assert!(
        xml.contains(r#"<autoFilter ref="A1:N2"/>"#),
        "a filter over the rows: {xml}"
    );
    assert!(xml.contains("<cols>"), "column widths: {xml}");
}

#[tokio::test]
async fn a_large_workbook_is_read_page_by_page_into_one_sheet() {
    let storage = five_thousand_people().await;
    let (bytes, summary) = workbook(&storage, ExportKind::People, paged(EXPORT_PAGE)).await;
    assert_eq!((summary.rows, summary.pages), (5_000, 11));
    let mut sheets = open(&bytes);
    let rows = cells(&mut sheets, "people 2026-11-28");
    assert_eq!(rows.len(), 5_001);
    assert_eq!(rows[10][2], calamine::Data::String("@SUM(A1)".into()));
    assert_eq!(rows[5_000][0], calamine::Data::Float(15_000.0));
    let xml = sheet_xml(&bytes, 1);
    assert!(xml.contains(r#"<autoFilter ref="A1:N5001"/>"#));
}

#[tokio::test]
async fn a_workbook_over_the_size_limit_is_removed() {
    let storage = five_thousand_people().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.xlsx");
    let limits = ExportLimits {
        page: EXPORT_PAGE,
        max_bytes: 10_000,
    };
    let refused = write_xlsx(
        &storage.ports(),
        ExportKind::People,
        None,
        "people",
        "UTC",
        limits,
        &path,
    )
    .await;
    assert!(
        matches!(refused, Err(ExportError::TooLarge { limit: 10_000 })),
        "{refused:?}"
    );
    assert!(!path.exists(), "nothing is left to send");
}
