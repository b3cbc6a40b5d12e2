//! Two replicas' engines on one database: an edit or a reload made on one reaches
//! the other at its next `sync_content`, and nothing a replica finds on its disk or
//! in the database takes its content down.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use domain::content::{ContentPack, NodeKind, PageEdit, PageField};
use domain::ids::{NodeId, UserId};
use domain::lang::Lang;
use engine::ports::{NewPageVersion, SystemClock};
use engine::{ActivityRecorder, Engine};
use state::MemoryState;
use storage::SqlStorage;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A replica: its own engine over the pack in `dir` and the shared database.
fn replica(dir: &Path, storage: &SqlStorage) -> Engine {
    let shared = storage.ports();
    let (activity, _writer) =
        ActivityRecorder::spawn(shared.people.clone(), 1, Duration::from_millis(10));
    let pack = Arc::new(ContentPack::load(dir).expect("the sample pack loads"));
    Engine::new(
        pack,
        shared,
        Arc::new(MemoryState::new()),
        Arc::new(SystemClock),
        activity,
    )
}

/// The first page of the pack by path, and its English text as staff get it.
fn first_page(pack: &ContentPack) -> (NodeId, String) {
    let mut pages: Vec<_> = pack
        .nodes()
        .filter(|n| matches!(n.kind, NodeKind::Page(_)))
        .map(|n| (n.id, n.path.clone()))
        .collect();
    pages.sort_by(|a, b| a.1.cmp(&b.1));
    pages.swap_remove(0)
}

fn english(pack: &ContentPack, node: NodeId) -> String {
    match &pack.node(node).unwrap().kind {
        NodeKind::Page(p) => p.parts.en.iter().map(|h| h.as_str()).collect(),
        NodeKind::Section { .. } => panic!("a section"),
    }
}

fn edit(path: &str, markdown: &str) -> NewPageVersion {
    NewPageVersion {
        path: path.to_owned(),
        field: PageField::Text(Lang::En),
        edit: PageEdit::Text(markdown.to_owned()),
        author: UserId(1),
        at: time::OffsetDateTime::now_utc(),
    }
}

/// Another replica reloaded its pack from disk.
async fn reloaded_elsewhere(storage: &SqlStorage) {
    storage
        .record_content_reload(UserId(1), time::OffsetDateTime::now_utc())
        .await
        .unwrap();
}

#[tokio::test]
async fn edits_and_reloads_reach_every_replica_and_nothing_takes_one_down() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content"),
        dir.path(),
    );
    let storage = storage::testing::fresh_sqlite().await.unwrap();
    let a = replica(dir.path(), &storage);
    let b = replica(dir.path(), &storage);
    for engine in [&a, &b] {
        assert!(
            engine.sync_content().await.unwrap(),
            "the first sync applies the edits"
        );
        assert!(
            !engine.sync_content().await.unwrap(),
            "nothing new: no rebuild"
        );
    }
    let (node, path) = first_page(&a.content());
    let original = english(&b.content(), node);

    // An edit stored by replica A shows on B at its next sync; a snapshot taken
    // before keeps what it had.
    let before = b.content();
    storage
        .add_page_version(&edit(&path, "**Edited** on A"))
        .await
        .unwrap();
    assert!(b.sync_content().await.unwrap());
    assert_eq!(english(&b.content(), node), "<b>Edited</b> on A");
    assert_eq!(
        english(&before, node),
        original,
        "a turn's snapshot never changes"
    );

    // An edit of a page that is gone and one the pack refuses are skipped.
    storage
        .add_page_version(&edit("gone/page.md", "text"))
        .await
        .unwrap();
    storage
        .add_page_version(&edit(&path, "<b>raw</b>"))
        .await
        .unwrap();
    assert!(b.sync_content().await.unwrap());
    assert_eq!(
        english(&b.content(), node),
        original,
        "the newest edit is skipped, so the page shows the pack's own text"
    );

    // A reload on another replica makes B read its disk again.
    let file = dir.path().join(&path);
    let source = std::fs::read_to_string(&file).unwrap();
    let changed = source.replace("::: en\n", "::: en\nChanged on disk.\n\n");
    assert_ne!(changed, source);
    std::fs::write(&file, &changed).unwrap();
    reloaded_elsewhere(&storage).await;
    assert!(b.sync_content().await.unwrap());
    assert!(english(&b.content(), node).starts_with("Changed on disk."));

    // A disk that no longer loads keeps the running content.
    std::fs::write(&file, "not a page").unwrap();
    reloaded_elsewhere(&storage).await;
    assert!(b.sync_content().await.unwrap());
    assert!(english(&b.content(), node).starts_with("Changed on disk."));
    assert_eq!(b.content().page_count(), a.content().page_count());
}
