//! Exports waiting for the background worker (the server's `exporter`), so that
//! writing and uploading a file never holds up an update.
//!
//! An admin has at most one export queued or being written: a second press while
//! the first is not done is refused, so one admin cannot fill the queue, and the
//! queue is never longer than the number of people allowed to export. Jobs are
//! taken in the order they were asked for. The queue lives in memory: an export
//! lost in a crash or restart is asked for again by the admin (ADR 0017).

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use domain::ids::{ChatId, UserId};
use tokio::sync::Notify;

use super::Export;

/// One export to write and send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportJob {
    /// Who asked: their slot is held until the job is done.
    pub admin: UserId,
    /// Where the file (or the reason there is none) goes.
    pub chat: ChatId,
    pub export: Export,
    /// Opened once the admin has been told the export is being prepared: the
    /// worker waits for it, so the file never comes before that message.
    pub announced: Arc<crate::action::Gate>,
}

/// The admin already has an export queued or being written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlreadyQueued;

#[derive(Debug, Default)]
pub struct ExportQueue {
    state: Mutex<QueueState>,
    ready: Notify,
}

#[derive(Debug, Default)]
struct QueueState {
    waiting: VecDeque<ExportJob>,
    /// Admins with a job waiting or taken and not yet done.
    admins: HashSet<UserId>,
}

impl ExportQueue {
    pub fn new() -> ExportQueue {
        ExportQueue::default()
    }

    fn lock(&self) -> MutexGuard<'_, QueueState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether `admin` has an export waiting or being written.
    pub fn is_busy(&self, admin: UserId) -> bool {
        self.lock().admins.contains(&admin)
    }

    /// Queues `job` behind the others, unless its admin already has one.
    pub fn submit(&self, job: ExportJob) -> Result<(), AlreadyQueued> {
        {
            let mut state = self.lock();
            if !state.admins.insert(job.admin) {
                return Err(AlreadyQueued);
            }
            state.waiting.push_back(job);
            metrics::gauge!("trainbot_exports_waiting").set(state.waiting.len() as f64);
        }
        self.ready.notify_one();
        Ok(())
    }

    /// Exports waiting to be taken.
    pub fn waiting(&self) -> usize {
        self.lock().waiting.len()
    }

    /// Waits for the oldest waiting job and takes it. Its admin may ask for another
    /// export once the returned ticket is dropped (when the job is done, or its task
    /// is stopped).
    pub async fn next(self: &Arc<Self>) -> ExportTicket {
        loop {
            // A `notify_one` before this wait leaves a permit, so no job is missed.
            let taken = {
                let mut state = self.lock();
                let job = state.waiting.pop_front();
                metrics::gauge!("trainbot_exports_waiting").set(state.waiting.len() as f64);
                job
            };
            if let Some(job) = taken {
                return ExportTicket {
                    job,
                    queue: self.clone(),
                };
            }
            self.ready.notified().await;
        }
    }
}

/// A job taken from the queue; dropping it frees its admin's slot.
#[derive(Debug)]
pub struct ExportTicket {
    pub job: ExportJob,
    queue: Arc<ExportQueue>,
}

impl Drop for ExportTicket {
    fn drop(&mut self) {
        self.queue.lock().admins.remove(&self.job.admin);
    }
}

#[cfg(test)]
mod tests {
    use domain::callback::FileFormat;
    use domain::html::Html;

    use super::super::ExportKind;
    use super::*;

    fn job(admin: i64) -> ExportJob {
        ExportJob {
            admin: UserId(admin),
            chat: ChatId(admin),
            export: Export {
                kind: ExportKind::People,
                park: None,
                format: FileFormat::Csv,
                timezone: "UTC".to_owned(),
                sheet: "people".to_owned(),
                file_name: format!("people-{admin}.csv"),
                caption: Html::escape("People"),
                failed: Html::escape("failed"),
                too_large: Html::escape("too large"),
            },
            announced: Arc::default(),
        }
    }

    #[tokio::test]
    async fn one_export_per_admin_until_its_ticket_is_dropped() {
        let queue = Arc::new(ExportQueue::new());
        assert_eq!(queue.submit(job(1)), Ok(()));
        assert_eq!(queue.submit(job(1)), Err(AlreadyQueued), "already queued");
        assert_eq!(queue.submit(job(2)), Ok(()), "another admin is not held up");
        assert_eq!(queue.waiting(), 2);

        let first = queue.next().await;
        assert_eq!(first.job.admin, UserId(1), "in the order asked");
        assert!(queue.is_busy(UserId(1)), "being written still counts");
        assert_eq!(queue.submit(job(1)), Err(AlreadyQueued));
        drop(first);
        assert!(!queue.is_busy(UserId(1)));
        assert_eq!(queue.submit(job(1)), Ok(()), "done: may ask again");

        let second = queue.next().await;
        assert_eq!(second.job.admin, UserId(2));
        let third = queue.next().await;
        assert_eq!(third.job.admin, UserId(1));
        assert_eq!(queue.waiting(), 0);
    }

    #[tokio::test]
    async fn a_waiting_worker_wakes_for_a_new_job() {
        let queue = Arc::new(ExportQueue::new());
        let worker = tokio::spawn({
            let queue = queue.clone();
            async move { queue.next().await.job.admin }
        });
        tokio::task::yield_now().await;
        queue.submit(job(7)).unwrap();
        assert_eq!(worker.await.unwrap(), UserId(7));
    }
}
