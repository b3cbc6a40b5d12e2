//! The dispatcher: updates from a source (long polling; later a webhook) to the
//! engine, so that no chat waits for another.
//!
//! - Flood limits are applied as an update arrives ([`Engine::arrive`]), before it
//!   waits anywhere: a burst is cut at once instead of being worked through, and a
//!   dropped update costs nothing, or one `answerCallbackQuery` for a press.
//! - Every chat has a first-in, first-out queue worked by at most one task at a
//!   time, so one chat's updates are handled one after another in arrival order.
//!   A dropped press's answer waits in its own chat's queue too: a flooder's
//!   spinners wait behind the flooder's own work, never anyone else's.
//! - Different chats run concurrently, at most `max_in_flight` updates at a time
//!   (a first-come, first-served semaphore, taken per update, so a chat with a long
//!   queue gets its turn like everybody else rather than a permanent slot).
//! - At most `max_backlog` updates are queued or running; beyond that
//!   [`Dispatcher::submit`] waits, which holds the source back: memory stays
//!   bounded however fast updates come.
//! - The source learns the lowest update not yet finished
//!   ([`Dispatcher::lowest_unfinished`]) so it confirms only handled updates; a
//!   source that confirms each update on its own (a webhook) instead waits for that
//!   update ([`Dispatcher::submit_tracked`]).
//! - A stuck update holds only its chat: the engine's part is cut off after
//!   [`UPDATE_TIME_LIMIT`] with an apology, and a press's spinner is stopped
//!   after [`PRESS_ANSWER_WITHIN`], while Telegram still takes the answer.
//!
//! The chat tasks belong to the [`Dispatcher`]: dropping it (a crash, in tests)
//! stops them wherever they are, as killing the process would.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use domain::ids::ChatId;
use engine::{Action, Arrival, Engine, Inbound, Input};
use futures::FutureExt;
use opentelemetry::trace::TraceContextExt;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, oneshot};
use tokio::task::JoinSet;
use tracing::Instrument;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::outbound::Outbound;

/// Longest an update may take before the person gets an apology instead.
pub const UPDATE_TIME_LIMIT: Duration = Duration::from_secs(20);

/// How long a press waits for its answer before its spinner is stopped with an
/// empty one (see `handle_in_time`).
pub const PRESS_ANSWER_WITHIN: Duration = Duration::from_secs(5);

/// How much work the dispatcher takes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DispatchSettings {
    /// Updates handled at the same time (necessarily of different chats).
    pub max_in_flight: usize,
    /// Updates received and not yet finished (queued or running), over all chats.
    pub max_backlog: usize,
}

impl Default for DispatchSettings {
    fn default() -> Self {
        DispatchSettings {
            max_in_flight: 64,
            max_backlog: 1000,
        }
    }
}

/// Per-chat ordered, cross-chat concurrent handling of updates; see the module
/// documentation.
pub struct Dispatcher {
    shared: Arc<Shared>,
    tasks: JoinSet<()>,
}

/// What the chat tasks share with the dispatcher.
struct Shared {
    engine: Arc<Engine>,
    outbound: Arc<Outbound>,
    in_flight: Semaphore,
    backlog: Arc<Semaphore>,
    book: Mutex<Book>,
    /// Signalled whenever an update is finished.
    progress: Notify,
}

/// The queues and the ledger of unfinished updates.
#[derive(Default)]
struct Book {
    /// A chat has an entry exactly while a task works its queue.
    queues: HashMap<ChatId, VecDeque<Job>>,
    /// Ids of updates submitted and neither finished nor dropped at arrival.
    unfinished: BTreeSet<i64>,
    /// Telegram has been told every update below this id is handled: when
    /// stopping, those must still be finished; the others are dropped.
    confirmed_below: i64,
    stopping: bool,
}

/// One queued update.
struct Job {
    update_id: i64,
    /// The update's span, from its arrival to its last request to Telegram.
    span: tracing::Span,
    work: Work,
    /// Its place in the backlog, given back when the job is done or dropped.
    _slot: Counted<OwnedSemaphorePermit>,
    /// Told when the job is finished; dropped unsent when the job is dropped.
    done: Option<oneshot::Sender<()>>,
}

enum Work {
    /// Admitted: through the engine, then to Telegram.
    Handle(Inbound),
    /// Dropped at arrival: only these actions (stopping a button's spinner).
    Answer(Vec<Action>),
}

impl Dispatcher {
    pub fn new(
        engine: Arc<Engine>,
        outbound: Arc<Outbound>,
        settings: DispatchSettings,
    ) -> Dispatcher {
        Dispatcher {
            shared: Arc::new(Shared {
                engine,
                outbound,
                in_flight: Semaphore::new(settings.max_in_flight.max(1)),
                backlog: Arc::new(Semaphore::new(settings.max_backlog.max(1))),
                book: Mutex::new(Book::default()),
                progress: Notify::new(),
            }),
            tasks: JoinSet::new(),
        }
    }

    /// The Bot API client the chat tasks send with.
    pub(crate) fn outbound(&self) -> Arc<Outbound> {
        self.shared.outbound.clone()
    }

    /// Takes an update in: waits while the backlog is full, applies the flood
    /// limits, and queues it behind its chat's earlier updates. Returns once it is
    /// queued (or dropped), not when it is handled. Updates must be submitted in
    /// the order they arrived.
    pub async fn submit(&mut self, inbound: Inbound) {
        self.enqueue(inbound, None).await;
    }

    /// [`Dispatcher::submit`], and the answer to "is it finished?": the receiver
    /// gets `()` once the update is handled (or answered after being dropped at
    /// arrival, or needed nothing); it fails if the update is dropped unhandled
    /// because the dispatcher is stopping.
    pub async fn submit_tracked(&mut self, inbound: Inbound) -> oneshot::Receiver<()> {
        let (done, finished) = oneshot::channel();
        self.enqueue(inbound, Some(done)).await;
        finished
    }

    async fn enqueue(&mut self, inbound: Inbound, done: Option<oneshot::Sender<()>>) {
        while self.tasks.try_join_next().is_some() {}
        // The semaphore is never closed, so this only waits.
        let Ok(slot) = self.shared.backlog.clone().acquire_owned().await else {
            return;
        };
        let slot = Counted::new(slot, Load::Backlog);
        let (update_id, chat) = (inbound.update_id, inbound.chat);
        let span = update_span(&inbound, &self.shared.outbound);
        let arrival = self
            .shared
            .engine
            .arrive(&inbound)
            .instrument(span.clone())
            .await;
        let work = match arrival {
            Arrival::Admit => Work::Handle(inbound),
            Arrival::Drop(actions) if actions.is_empty() => {
                span.record("outcome", "dropped");
                if let Some(done) = done {
                    let _ = done.send(());
                }
                return;
            }
            Arrival::Drop(actions) => {
                span.record("outcome", "dropped");
                Work::Answer(actions)
            }
        };
        let job = Job {
            update_id,
            span,
            work,
            _slot: slot,
            done,
        };
        let start = {
            let mut book = self.shared.book();
            book.unfinished.insert(update_id);
            match book.queues.get_mut(&chat) {
                Some(queue) => {
                    queue.push_back(job);
                    false
                }
                None => {
                    book.queues.insert(chat, VecDeque::from([job]));
                    true
                }
            }
        };
        if start {
            self.tasks.spawn(work_chat(self.shared.clone(), chat));
        }
    }

    /// The lowest id at or above `from` of an update submitted and not finished:
    /// the source may confirm everything below it (and below `from`).
    pub fn lowest_unfinished(&self, from: i64) -> Option<i64> {
        self.shared.book().unfinished.range(from..).next().copied()
    }

    /// Records that Telegram has been told every update below `offset` is
    /// handled; those are finished even when stopping.
    pub fn confirmed_below(&self, offset: i64) {
        let mut book = self.shared.book();
        book.confirmed_below = book.confirmed_below.max(offset);
    }

    /// Resolves when some update has finished since the last call (or now, if one
    /// finished with nobody waiting).
    pub async fn progressed(&self) {
        self.shared.progress.notified().await;
    }

    /// Stops: updates running now and updates already confirmed are finished;
    /// the rest of the queues are dropped unhandled and stay unfinished, so the
    /// source does not confirm them and Telegram delivers them again to the next
    /// process. Returns when every chat task has ended.
    pub async fn stop(&mut self) {
        self.shared.book().stopping = true;
        while self.tasks.join_next().await.is_some() {}
    }
}

impl Shared {
    fn book(&self) -> MutexGuard<'_, Book> {
        // The book is only ever left consistent between statements; a panic
        // elsewhere while holding the lock does not make it unusable.
        self.book.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The chat's next job, or `None` (and the chat's queue removed) if there is
    /// none; jobs to be dropped because of a stop are dropped here.
    fn next_job(&self, chat: ChatId) -> Option<Job> {
        let mut book = self.book();
        loop {
            let Some(job) = book.queues.get_mut(&chat).and_then(VecDeque::pop_front) else {
                book.queues.remove(&chat);
                return None;
            };
            if book.stopping && job.update_id >= book.confirmed_below {
                tracing::debug!(
                    update_id = job.update_id,
                    "stopping: left unhandled and unconfirmed"
                );
                continue;
            }
            return Some(job);
        }
    }

    fn finished(&self, update_id: i64) {
        self.book().unfinished.remove(&update_id);
        self.progress.notify_one();
    }
}

/// The dispatcher's two gauges of work in hand.
#[derive(Clone, Copy)]
enum Load {
    /// Updates received and not yet finished (queued or running).
    Backlog,
    /// Updates being handled now.
    InFlight,
}

impl Load {
    fn gauge(self) -> metrics::Gauge {
        match self {
            Load::Backlog => metrics::gauge!("trainbot_updates_backlog"),
            Load::InFlight => metrics::gauge!("trainbot_updates_in_flight"),
        }
    }
}

/// A permit that counts itself in its gauge while it is held, however it ends
/// (done, dropped at a stop, or with its task aborted).
struct Counted<T> {
    _permit: T,
    load: Load,
}

impl<T> Counted<T> {
    fn new(permit: T, load: Load) -> Counted<T> {
        load.gauge().increment(1.0);
        Counted {
            _permit: permit,
            load,
        }
    }
}

impl<T> Drop for Counted<T> {
    fn drop(&mut self) {
        self.load.gauge().decrement(1.0);
    }
}

/// Works one chat's queue until it is empty.
async fn work_chat(shared: Arc<Shared>, chat: ChatId) {
    loop {
        // Never closed, so this only waits for a turn. The turn comes first, so a
        // stop that came meanwhile is seen before the job starts.
        let Ok(turn) = shared.in_flight.acquire().await else {
            return;
        };
        let Some(job) = shared.next_job(chat) else {
            return;
        };
        let _turn = Counted::new(turn, Load::InFlight);
        let started = std::time::Instant::now();
        let update_id = job.update_id;
        let (done, span) = (job.done, job.span);
        let work = async {
            match job.work {
                Work::Handle(inbound) => {
                    let actions = handle_in_time(&shared, inbound).await;
                    // Boxed: one allocation per update keeps every chat task small.
                    let finish = |marked| Box::pin(shared.engine.finish_update(update_id, marked));
                    shared.outbound.execute_marking(actions, finish).await;
                }
                Work::Answer(actions) => shared.outbound.execute(actions).await,
            }
        };
        // A panic past the engine's boundary (sending) must not leave the chat's
        // queue without a worker: log it and go on with the next update.
        if std::panic::AssertUnwindSafe(work.instrument(span.clone()))
            .catch_unwind()
            .await
            .is_err()
        {
            metrics::counter!("trainbot_update_panics_total").increment(1);
            span.record("send_panicked", true);
            span.in_scope(|| tracing::error!(update_id, "sending the answer panicked"));
        }
        metrics::histogram!("trainbot_update_seconds").record(started.elapsed().as_secs_f64());
        span.in_scope(|| tracing::debug!(update_id, "handled"));
        drop(span);
        shared.finished(update_id);
        if let Some(done) = done {
            let _ = done.send(());
        }
    }
}

/// The span of one update (see docs/operations.md, "Traces"): its id, its kind,
/// the chat as a keyed hash ([`Outbound::chat_tag`]) and, once known, the outcome
/// (`handled`, `dropped` at arrival, `panicked` or `timed_out`; recorded once, by
/// [`handle_bounded`] or at arrival) and whether sending the answer panicked. Never
/// a name or a text. With OpenTelemetry on, the trace id is a field too, so the
/// log lines of the update carry it.
fn update_span(inbound: &Inbound, outbound: &Outbound) -> tracing::Span {
    let span = tracing::info_span!(
        "update",
        update_id = inbound.update_id,
        kind = inbound.input.kind(),
        chat = %outbound.chat_tag(inbound.chat),
        outcome = tracing::field::Empty,
        send_panicked = tracing::field::Empty,
        trace_id = tracing::field::Empty,
    );
    let context = span.context();
    let trace = context.span().span_context().clone();
    if trace.is_valid() {
        span.record("trace_id", tracing::field::display(trace.trace_id()));
    }
    span
}

/// [`handle_bounded`] within [`UPDATE_TIME_LIMIT`]; a press still in hand after
/// [`PRESS_ANSWER_WITHIN`] (a dependency timing out) has its spinner stopped with
/// an empty answer at once, because Telegram refuses answers after about 15 s.
/// Its screen or apology still follows; only its toast, which could no longer
/// be shown, is dropped.
async fn handle_in_time(shared: &Shared, inbound: Inbound) -> Vec<Action> {
    let query_id = match &inbound.input {
        Input::Callback {
            query_id, message, ..
        } => {
            if let Some(m) = message {
                shared
                    .outbound
                    .screens()
                    .check(inbound.chat, m.id, m.edited);
            }
            Some(query_id.clone())
        }
        _ => None,
    };
    let handling = handle_bounded(&shared.engine, inbound, UPDATE_TIME_LIMIT);
    let Some(query_id) = query_id else {
        return handling.await;
    };
    tokio::pin!(handling);
    tokio::select! {
        actions = &mut handling => actions,
        () = tokio::time::sleep(PRESS_ANSWER_WITHIN) => {
            metrics::counter!("trainbot_presses_answered_early_total").increment(1);
            let early = Action::AnswerCallback { query_id, text: None };
            // Boxed: the rare answer must not grow every chat task's future.
            let answer = Box::pin(shared.outbound.execute(vec![early]));
            let (actions, ()) = tokio::join!(handling, answer);
            actions
                .into_iter()
                .filter(|a| !matches!(a, Action::AnswerCallback { .. }))
                .collect()
        }
    }
}

/// [`Engine::handle`] inside an error boundary: a panic or an update over `limit`
/// (in production [`UPDATE_TIME_LIMIT`]) becomes an apology to the person and a log
/// line with the update id, never silence and never a stack trace in the chat.
pub async fn handle_bounded(engine: &Engine, inbound: Inbound, limit: Duration) -> Vec<Action> {
    let update_id = inbound.update_id;
    let apology = Engine::apology(&inbound);
    let handled = std::panic::AssertUnwindSafe(engine.handle(inbound)).catch_unwind();
    match tokio::time::timeout(limit, handled).await {
        Ok(Ok(actions)) => {
            tracing::Span::current().record("outcome", "handled");
            actions
        }
        Ok(Err(_)) => {
            tracing::Span::current().record("outcome", "panicked");
            metrics::counter!("trainbot_update_panics_total").increment(1);
            tracing::error!(update_id, "handling the update panicked");
            apology
        }
        Err(_) => {
            tracing::Span::current().record("outcome", "timed_out");
            metrics::counter!("trainbot_update_timeouts_total").increment(1);
            tracing::error!(
                update_id,
                limit_ms = limit.as_millis() as u64,
                "handling the update took too long"
            );
            apology
        }
    }
}
