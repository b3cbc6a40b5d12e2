//! The export worker: writes and uploads the exports admins queued
//! ([`engine::exports::ExportQueue`]), off the update path.
//!
//! At most [`AT_ONCE`] exports run at a time in a process, whoever asked: each
//! reads whole tables and writes up to the size limit, and the bot's people must
//! not wait for the database or the disk behind them. While an export runs, its
//! chat shows "sending a file…" (`sendChatAction`), renewed every
//! four seconds. The admin gets the document, or a message saying why there
//! is none (too big: choose a shorter period; or it failed).
//!
//! The queue is in memory: on shutdown or a crash, exports waiting or running are
//! dropped, and their admins ask again (ADR 0017).

use std::sync::Arc;

use engine::exports::{ExportQueue, ExportTicket};
use telegram::errors::Failure;
use telegram::outbound::{Outbound, Retry, Upload};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// Exports written at the same time.
pub const AT_ONCE: usize = 2;

pub struct ExportWorker {
    queue: Arc<ExportQueue>,
    outbound: Arc<Outbound>,
    max_bytes: u64,
    slots: Arc<Semaphore>,
}

impl ExportWorker {
    pub fn new(queue: Arc<ExportQueue>, outbound: Arc<Outbound>, max_bytes: u64) -> ExportWorker {
        ExportWorker {
            queue,
            outbound,
            max_bytes,
            slots: Arc::new(Semaphore::new(AT_ONCE)),
        }
    }

    /// Takes jobs as slots free up until `shutdown`; then exports still running are
    /// stopped (their temporary files deleted) and waiting ones are left.
    pub async fn run(self: Arc<Self>, shutdown: CancellationToken) {
        let mut running = JoinSet::new();
        loop {
            let slot = tokio::select! {
                _ = shutdown.cancelled() => break,
                slot = self.slots.clone().acquire_owned() => slot,
            };
            let Ok(slot) = slot else { break };
            let ticket = tokio::select! {
                _ = shutdown.cancelled() => break,
                ticket = self.queue.next() => ticket,
            };
            let worker = self.clone();
            running.spawn(async move {
                worker.export(ticket).await;
                drop(slot);
            });
            while let Some(done) = running.try_join_next() {
                if let Err(e) = done {
                    tracing::error!(error = %e, "an export task failed");
                }
            }
        }
        if !running.is_empty() {
            tracing::warn!(
                running = running.len(),
                waiting = self.queue.waiting(),
                "stopping: exports in progress are dropped; their admins ask again"
            );
        }
        running.shutdown().await;
    }

    /// Writes and sends one export, showing the chat action meanwhile.
    async fn export(&self, ticket: ExportTicket) {
        let job = &ticket.job;
        // The admin is told "preparing" first; a reply rides out up to a
        // minute of Telegram trouble (`Retry::PATIENT`), so wait as long.
        job.announced.pass(Retry::PATIENT.patience).await;
        let send = self
            .outbound
            .send_export(job.chat, &job.export, self.max_bytes);
        let outcome = self
            .outbound
            .while_uploading(job.chat, Upload::Document, send)
            .await;
        let label = match outcome {
            Ok(outcome) => outcome.as_str(),
            Err(Failure::Blocked) => "blocked",
            Err(failure) => {
                tracing::warn!(?failure, export = %job.export.file_name, "cannot tell the admin about an export");
                "failed"
            }
        };
        metrics::counter!("trainbot_exports_finished_total", "outcome" => label).increment(1);
    }
}
