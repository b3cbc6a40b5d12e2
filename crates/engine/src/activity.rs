//! Activity records leave the update path: handlers hand them to an
//! [`ActivityRecorder`], a background task writes them to storage in batches.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::ports::{Activity, Storage};

/// Records waiting to be written before new ones are dropped (and counted):
/// activity is statistics, never worth slowing a person down for.
const QUEUE: usize = 10_000;

/// A cheap handle that queues activity for the writer task.
#[derive(Clone, Debug)]
pub struct ActivityRecorder {
    tx: mpsc::Sender<Activity>,
}

impl ActivityRecorder {
    /// Starts the writer: it writes whenever `batch` records are waiting or `every`
    /// has passed, and writes what is left when stopped.
    pub fn spawn(
        storage: Arc<dyn Storage>,
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
        if self.tx.try_send(activity).is_err() {
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
    storage: Arc<dyn Storage>,
    mut rx: mpsc::Receiver<Activity>,
    mut stopped: oneshot::Receiver<()>,
    batch: usize,
    every: Duration,
) {
    let mut buf = Vec::with_capacity(batch);
    let mut tick = tokio::time::interval(every);
    let mut handle_dropped = false;
    loop {
        tokio::select! {
            received = rx.recv() => match received {
                Some(a) => {
                    buf.push(a);
                    if buf.len() >= batch {
                        flush(&*storage, &mut buf).await;
                    }
                }
                None => break,
            },
            _ = tick.tick() => flush(&*storage, &mut buf).await,
            stop = &mut stopped, if !handle_dropped => match stop {
                Ok(()) => {
                    while let Ok(a) = rx.try_recv() {
                        buf.push(a);
                    }
                    break;
                }
                // The handle was dropped without `stop`: run until the queue closes.
                Err(_) => handle_dropped = true,
            },
        }
    }
    flush(&*storage, &mut buf).await;
}

async fn flush(storage: &dyn Storage, buf: &mut Vec<Activity>) {
    if buf.is_empty() {
        return;
    }
    match storage.record_activity(buf).await {
        Ok(()) => metrics::counter!("trainbot_activity_written_total").increment(buf.len() as u64),
        Err(e) => {
            tracing::warn!(error = %e, records = buf.len(), "activity batch lost");
            metrics::counter!("trainbot_activity_dropped_total").increment(buf.len() as u64);
        }
    }
    buf.clear();
}
