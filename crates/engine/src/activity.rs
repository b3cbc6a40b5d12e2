//! Activity records and last-seen times leave the update path: handlers hand them
//! to an [`ActivityRecorder`], a background task writes them to storage in batches.
//! Both are statistics: a `kill -9` loses at most one interval of them (ADR 0038).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use domain::ids::UserId;
use time::OffsetDateTime;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::ports::{Activity, PeopleStore};

/// Records waiting to be written before new ones are dropped (and counted):
/// activity is statistics, never worth slowing a person down for.
const QUEUE: usize = 10_000;

/// What the writer task is handed.
#[derive(Debug)]
enum Record {
    Activity(Activity),
    /// The person sent an update at this time.
    Seen(UserId, OffsetDateTime),
}

/// A cheap handle that queues activity for the writer task.
#[derive(Clone, Debug)]
pub struct ActivityRecorder {
    tx: mpsc::Sender<Record>,
}

impl ActivityRecorder {
    /// Starts the writer: it writes whenever `batch` records are waiting or `every`
    /// has passed, and writes what is left when stopped.
    pub fn spawn(
        storage: Arc<dyn PeopleStore>,
        batch: usize,
        every: Duration,
    ) -> (ActivityRecorder, ActivityWriter) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(write_batches(storage, rx, stopped, batch.max(1), every));
        (ActivityRecorder { tx }, ActivityWriter { stop, task })
    }

    /// Queues a record; never waits.
    pub fn record(&self, activity: Activity) {
        if self.tx.try_send(Record::Activity(activity)).is_err() {
            metrics::counter!("trainbot_activity_dropped_total").increment(1);
        }
    }

    /// Queues a person's last-seen time; never waits. Only the latest time per
    /// person is written.
    pub(crate) fn seen(&self, user: UserId, at: OffsetDateTime) {
        if self.tx.try_send(Record::Seen(user, at)).is_err() {
            metrics::counter!("trainbot_activity_dropped_total").increment(1);
        }
    }
}

/// The writer task; stopping it writes what is queued.
#[derive(Debug)]
pub struct ActivityWriter {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl ActivityWriter {
    /// Writes what is queued and ends the task. Records queued afterwards are dropped
    /// (and counted): stop it after the last update is handled.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        if self.task.await.is_err() {
            tracing::warn!("the activity writer panicked");
        }
    }
}

async fn write_batches(
    storage: Arc<dyn PeopleStore>,
    mut rx: mpsc::Receiver<Record>,
    mut stopped: oneshot::Receiver<()>,
    batch: usize,
    every: Duration,
) {
    let mut pending = Pending::default();
    let mut tick = tokio::time::interval(every);
    let mut handle_dropped = false;
    loop {
        tokio::select! {
            received = rx.recv() => match received {
                Some(record) => {
                    pending.add(record);
                    if pending.activity.len() >= batch || pending.seen.len() >= batch {
                        pending.flush(&*storage).await;
                    }
                }
                None => break,
            },
            _ = tick.tick() => pending.flush(&*storage).await,
            stop = &mut stopped, if !handle_dropped => match stop {
                Ok(()) => {
                    while let Ok(record) = rx.try_recv() {
                        pending.add(record);
                    }
                    break;
                }
                // The handle was dropped without `stop`: run until the queue closes.
                Err(_) => handle_dropped = true,
            },
        }
    }
    pending.flush(&*storage).await;
}

/// What waits for the next write.
#[derive(Default)]
struct Pending {
    activity: Vec<Activity>,
    /// The latest time each person was seen.
    seen: HashMap<UserId, OffsetDateTime>,
}

impl Pending {
    fn add(&mut self, record: Record) {
        match record {
            Record::Activity(a) => self.activity.push(a),
            Record::Seen(user, at) => {
                let latest = self.seen.entry(user).or_insert(at);
                *latest = (*latest).max(at);
            }
        }
    }

    async fn flush(&mut self, storage: &dyn PeopleStore) {
        if !self.activity.is_empty() {
            let batch = std::mem::take(&mut self.activity);
            match storage.record_activity(&batch).await {
                Ok(()) => metrics::counter!("trainbot_activity_written_total")
                    .increment(batch.len() as u64),
                Err(e) => {
                    tracing::warn!(error = %e, records = batch.len(), "activity batch lost");
                    metrics::counter!("trainbot_activity_dropped_total")
                        .increment(batch.len() as u64);
                }
            }
        }
        if !self.seen.is_empty() {
            let seen: Vec<_> = std::mem::take(&mut self.seen).into_iter().collect();
            if let Err(e) = storage.record_last_seen(&seen).await {
                tracing::warn!(error = %e, people = seen.len(), "last-seen times lost");
            }
        }
    }
}
