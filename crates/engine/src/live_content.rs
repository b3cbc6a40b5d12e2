//! The running content: the pack read from disk with the panel's edits laid over
//! it, swapped as a whole when either changes.
//!
//! Every turn takes one snapshot ([`LiveContent::current`]) when it starts, so one
//! update sees one consistent pack however the content changes meanwhile. Edits
//! and reloads are stored in the database with a [`ContentGeneration`]; each
//! replica compares it with the generation its content reflects
//! ([`Engine::sync_content`], polled by a background task in the server) and
//! rebuilds: from its pack and the current edits, or, after a reload anywhere,
//! from its pack read from disk again. The replica that makes a change rebuilds at
//! once. A pack on disk that no longer loads, or an edit the pack no longer
//! accepts, never takes the bot down: the last good pack stays, the edit is
//! skipped with a warning and a metric.

use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};

use domain::content::{ContentPack, Problem, Skipped};
use domain::ids::UserId;
use time::OffsetDateTime;
use tokio::sync::Mutex;

use crate::ports::{ContentGeneration, ContentStore, StorageError};

/// The pack from disk and the running pack (disk + edits), swappable.
pub(crate) struct LiveContent {
    packs: RwLock<Packs>,
    /// The generation the running pack reflects (`None` before the first sync);
    /// held while rebuilding, so rebuilds never interleave.
    applied: Mutex<Option<ContentGeneration>>,
}

#[derive(Clone)]
struct Packs {
    disk: Arc<ContentPack>,
    running: Arc<ContentPack>,
}

impl LiveContent {
    pub(crate) fn new(pack: Arc<ContentPack>) -> LiveContent {
        LiveContent {
            packs: RwLock::new(Packs {
                disk: pack.clone(),
                running: pack,
            }),
            applied: Mutex::new(None),
        }
    }

    fn packs(&self) -> Packs {
        self.packs
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The running pack, as of now.
    pub(crate) fn current(&self) -> Arc<ContentPack> {
        self.packs().running
    }

    /// The pack as read from disk, without edits: what "back to the pack" means.
    pub(crate) fn disk(&self) -> Arc<ContentPack> {
        self.packs().disk
    }

    fn swap(&self, disk: Arc<ContentPack>, running: Arc<ContentPack>) {
        *self.packs.write().unwrap_or_else(PoisonError::into_inner) = Packs { disk, running };
    }
}

/// What a reload from disk came to.
#[derive(Debug)]
pub enum Reload {
    /// The new pack runs, with the edits laid over it.
    Done {
        pages: usize,
        quizzes: usize,
        applied: usize,
        skipped: Vec<Skipped>,
    },
    /// The pack on disk is broken; the running content stays.
    Broken(Vec<Problem>),
}

impl LiveContent {
    /// Brings the running content up to date with the stored edits and reloads;
    /// `true` if it was rebuilt. Cheap when nothing changed: one query.
    pub(crate) async fn sync(&self, storage: &dyn ContentStore) -> Result<bool, StorageError> {
        let mut applied = self.applied.lock().await;
        let generation = storage.content_generation().await?;
        if *applied == Some(generation) {
            return Ok(false);
        }
        let mut disk = self.disk();
        if applied.is_some_and(|a| a.reloads != generation.reloads) {
            match load_pack(disk.root().to_path_buf()).await {
                Ok(pack) => disk = Arc::new(pack),
                Err(problems) => {
                    metrics::counter!("trainbot_content_reload_failures_total").increment(1);
                    tracing::warn!(
                        problems = problems.len(),
                        first = %problems.first().map(ToString::to_string).unwrap_or_default(),
                        "another replica reloaded the content pack, but it does not load here; keeping the running content"
                    );
                }
            }
        }
        self.rebuild(storage, disk).await?;
        *applied = Some(generation);
        Ok(true)
    }

    /// Reads the pack from disk again (an admin asked): a broken pack is refused
    /// with its problems and the running content stays; a good one runs at once,
    /// with the edits laid over it, and the other replicas are told to reload.
    pub(crate) async fn reload(
        &self,
        storage: &dyn ContentStore,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<Reload, StorageError> {
        let mut applied = self.applied.lock().await;
        let pack = match load_pack(self.disk().root().to_path_buf()).await {
            Ok(pack) => Arc::new(pack),
            Err(problems) => {
                metrics::counter!("trainbot_content_reload_failures_total").increment(1);
                return Ok(Reload::Broken(problems));
            }
        };
        storage.record_content_reload(by, now).await?;
        let generation = storage.content_generation().await?;
        let (applied_edits, skipped) = self.rebuild(storage, pack.clone()).await?;
        *applied = Some(generation);
        Ok(Reload::Done {
            pages: pack.page_count(),
            quizzes: pack.quizzes().len(),
            applied: applied_edits,
            skipped,
        })
    }

    /// Lays the current edits over `disk` and runs the result; returns how many
    /// edits applied and which were skipped.
    async fn rebuild(
        &self,
        storage: &dyn ContentStore,
        disk: Arc<ContentPack>,
    ) -> Result<(usize, Vec<Skipped>), StorageError> {
        let overrides = storage.current_overrides().await?;
        let (running, skipped) = disk.with_overrides(&overrides);
        for s in &skipped {
            tracing::warn!(edit = %s, "a content edit does not fit the pack and is not shown");
        }
        metrics::counter!("trainbot_content_edits_skipped_total").increment(skipped.len() as u64);
        metrics::gauge!("trainbot_content_edits_applied")
            .set((overrides.len() - skipped.len()) as f64);
        self.swap(disk, Arc::new(running));
        Ok((overrides.len() - skipped.len(), skipped))
    }
}

/// Loads a pack off the async threads (it reads and hashes every file).
async fn load_pack(dir: PathBuf) -> Result<ContentPack, Vec<Problem>> {
    let shown = dir.clone();
    tokio::task::spawn_blocking(move || ContentPack::load(&dir))
        .await
        .unwrap_or_else(|e| {
            Err(vec![Problem {
                file: shown,
                line: None,
                message: format!("loading stopped unexpectedly: {e}"),
            }])
        })
}
