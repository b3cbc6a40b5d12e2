//! The content chapter of the story: page versions made in the admin panel (text
//! per language, media, back to the pack), history paged newest first, the newest
//! version of each field as the overrides to lay over the pack, reloads, and the
//! generation replicas poll. No other chapter touches these tables.

use domain::content::{MediaKind, PageEdit, PageField, PageOverride};
use domain::ids::UserId;
use domain::lang::Lang;
use engine::ports::{ContentGeneration, NewPageVersion};
use storage::SqlStorage;
use time::Duration;

use super::t0;

const PAGE: &str = "bar/hot-drinks.md";
const OTHER: &str = "general/pay.md";

fn version(path: &str, field: PageField, edit: PageEdit, minutes: i64) -> NewPageVersion {
    NewPageVersion {
        path: path.to_owned(),
        field,
        edit,
        author: UserId(900_001),
        at: t0() + Duration::minutes(minutes),
    }
}

pub(crate) async fn story(s: &SqlStorage) {
    assert_eq!(
        s.content_generation().await.unwrap(),
        ContentGeneration::default(),
        "nothing edited yet"
    );
    assert!(s.current_overrides().await.unwrap().is_empty());
    assert!(s.page_versions(PAGE, None, 10).await.unwrap().is_empty());

    // Markup and SQL are stored verbatim: escaping happens on output only.
    let hostile = "**Espresso** <script>alert(1)</script> '; DROP TABLE content_overrides; --";
    let edits = [
        version(
            PAGE,
            PageField::Text(Lang::Ru),
            PageEdit::Text("Эспрессо — 90 ₽".into()),
            1,
        ),
        version(
            PAGE,
            PageField::Text(Lang::En),
            PageEdit::Text(hostile.into()),
            2,
        ),
        version(
            PAGE,
            PageField::Media,
            PageEdit::Media {
                kind: MediaKind::Video,
                file_id: "BAACAgIAAx-file".into(),
            },
            3,
        ),
        version(OTHER, PageField::Media, PageEdit::NoMedia, 4),
        version(PAGE, PageField::Text(Lang::Ru), PageEdit::Pack, 5),
    ];
    let mut ids = Vec::new();
    for edit in &edits {
        ids.push(s.add_page_version(edit).await.unwrap());
    }
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids grow: {ids:?}");
    assert_eq!(
        s.content_generation().await.unwrap(),
        ContentGeneration {
            versions: 5,
            reloads: 0
        }
    );

    // Every version reads back as written, with its author and time.
    for (id, edit) in ids.iter().zip(&edits) {
        let stored = s.page_version(*id).await.unwrap().unwrap();
        assert_eq!(stored.id, *id);
        assert_eq!(stored.path, edit.path);
        assert_eq!(stored.field, edit.field);
        assert_eq!(stored.edit, edit.edit);
        assert_eq!(stored.author, edit.author);
        assert_eq!(stored.at, edit.at);
    }
    assert_eq!(s.page_version(ids[4] + 1000).await.unwrap(), None);

    // The newest version of each field, oldest first: the Russian text is back at
    // the pack's, so it comes as `Pack`; the older Russian text is not there.
    let current = s.current_overrides().await.unwrap();
    let expected = vec![
        PageOverride {
            path: PAGE.into(),
            field: PageField::Text(Lang::En),
            edit: PageEdit::Text(hostile.into()),
        },
        PageOverride {
            path: PAGE.into(),
            field: PageField::Media,
            edit: PageEdit::Media {
                kind: MediaKind::Video,
                file_id: "BAACAgIAAx-file".into(),
            },
        },
        PageOverride {
            path: OTHER.into(),
            field: PageField::Media,
            edit: PageEdit::NoMedia,
        },
        PageOverride {
            path: PAGE.into(),
            field: PageField::Text(Lang::Ru),
            edit: PageEdit::Pack,
        },
    ];
    assert_eq!(current, expected);

    // History: one page only, newest first, paged by id.
    let first = s.page_versions(PAGE, None, 3).await.unwrap();
    let first_ids: Vec<i64> = first.iter().map(|v| v.id).collect();
    assert_eq!(first_ids, vec![ids[4], ids[2], ids[1]]);
    let rest = s.page_versions(PAGE, Some(ids[1]), 3).await.unwrap();
    assert_eq!(rest.iter().map(|v| v.id).collect::<Vec<_>>(), vec![ids[0]]);
    assert!(
        s.page_versions(PAGE, Some(ids[0]), 3)
            .await
            .unwrap()
            .is_empty()
    );
    // A path is matched exactly, never as a pattern.
    assert!(s.page_versions("bar/%", None, 10).await.unwrap().is_empty());
    assert!(
        s.page_versions("'; DROP TABLE content_overrides; --", None, 10)
            .await
            .unwrap()
            .is_empty()
    );

    // A revert is a new version copying an old one: history keeps everything.
    let old = s.page_version(ids[0]).await.unwrap().unwrap();
    let revert = s
        .add_page_version(&version(PAGE, old.field, old.edit.clone(), 6))
        .await
        .unwrap();
    assert_eq!(s.page_versions(PAGE, None, 10).await.unwrap().len(), 5);
    let current = s.current_overrides().await.unwrap();
    assert_eq!(
        current.last(),
        Some(&PageOverride {
            path: PAGE.into(),
            field: PageField::Text(Lang::Ru),
            edit: PageEdit::Text("Эспрессо — 90 ₽".into()),
        })
    );
    assert!(revert > ids[4]);

    // A reload moves the generation's other half.
    let reload = s
        .record_content_reload(UserId(900_001), t0() + Duration::minutes(7))
        .await
        .unwrap();
    assert!(reload > 0);
    assert_eq!(
        s.content_generation().await.unwrap(),
        ContentGeneration {
            versions: 6,
            reloads: 1
        }
    );
}
