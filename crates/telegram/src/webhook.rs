//! The webhook source: updates Telegram POSTs to the bot, handed to the
//! [`Dispatcher`] one at a time, each answered only once it is handled.
//!
//! Telegram sends an update again after any non-2xx answer (or none within about
//! 60 s), so a webhook confirms each update by its answer: [`Intake::take`]
//! resolves when the update is handled, or says why it was not, and the HTTP layer
//! answers 200 or an error accordingly.
//!
//! With several replicas behind one webhook, one chat's updates may reach
//! different replicas. Each update is handled under the chat's lease in the shared
//! state store (`lease:chat:<id>`, taken with a random token, released by a
//! compare-and-delete), so a chat's updates are handled one at a time across all
//! replicas. A replica that cannot get the lease within [`IntakeSettings::lease_wait`]
//! gives up, and Telegram delivers the update again later. Within one process the
//! dispatcher's per-chat queue orders them as before. When the state store is
//! unavailable the update is handled without the lease: a chat's updates then
//! keep their order within each replica only, which Telegram's one-at-a-time
//! delivery per chat makes enough; answering beats leaving people waiting for
//! Redis (ADR 0037).
//!
//! What a chat's screens show (ADR 0041) travels with its lease: it is read with
//! the lease (`screens:<chat>`, in the same round trip) and written back before
//! the lease is released, so the replica that handles a chat's next update knows
//! the screens another replica drew, and a double tap split over two replicas
//! costs no refused edit (ADR 0049).
//!
//! Registering the webhook (`setWebhook`) is an operator's step done once for the
//! whole deployment ([`set`], [`delete`], [`info`]), never part of a replica's
//! start-up.

use std::sync::Arc;
use std::time::Duration;

use domain::ids::ChatId;
use engine::ports::StateStore;
use teloxide::Bot;
use teloxide::payloads::{DeleteWebhookSetters, SetWebhookSetters};
use teloxide::prelude::Requester;
use teloxide::types::{AllowedUpdate, WebhookInfo};
use tokio::sync::Mutex;
use tokio_util::task::AbortOnDropHandle;
use url::Url;

use crate::dispatch::Dispatcher;
use crate::errors::redacted;
use crate::inbound::to_inbound;
use crate::outbound::Outbound;

/// What a webhook body parses into ([`parse_update`]).
pub use teloxide::types::Update;

/// The update kinds the bot handles: the only ones Telegram is asked to send.
pub const ALLOWED_UPDATES: [AllowedUpdate; 2] =
    [AllowedUpdate::Message, AllowedUpdate::CallbackQuery];

/// Parses a webhook body; `None` if it is not an update.
pub fn parse_update(body: &[u8]) -> Option<Update> {
    serde_json::from_slice(body).ok()
}

/// Bounds of the webhook intake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IntakeSettings {
    /// How long an update waits for its chat's lease before it is given back to
    /// Telegram (503) to be delivered again later.
    pub lease_wait: Duration,
    /// How long an update may take, once it holds the lease, before the answer is
    /// 503 (it still finishes; its redelivery is then a duplicate and skipped).
    pub handle_wait: Duration,
    /// Expiry of a chat's lease, should the replica holding it die. The holder
    /// renews it every third of this while its update runs, so a live holder
    /// keeps it however long the update takes, and a dead one frees the chat
    /// within this: short, so that the update Telegram delivers again is
    /// answered while its button can still be answered (about 15 s).
    pub lease_ttl: Duration,
}

impl Default for IntakeSettings {
    /// 15 s + 40 s: under Telegram's ~60 s wait for an answer.
    fn default() -> Self {
        IntakeSettings {
            lease_wait: Duration::from_secs(15),
            handle_wait: Duration::from_secs(40),
            lease_ttl: Duration::from_secs(6),
        }
    }
}

/// What became of one update.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Taken {
    /// Handled, or needed nothing (an update kind the bot has no use for, or one
    /// over the flood limits): answer 200.
    Handled,
    /// An update the bot cannot use at all (ids out of range): answer 200.
    Ignored,
    /// Another update of the chat is being handled (here or on another replica)
    /// for longer than the lease wait: answer an error, Telegram delivers it
    /// again later.
    Busy,
    /// The dispatcher is stopping: answer an error that sends it to another
    /// replica now (or to the next process).
    Stopping,
    /// Still being handled after the handle wait: answer an error; it finishes
    /// (its chat stays leased until then), and its redelivery is skipped as a
    /// duplicate.
    Slow,
    /// Handled without its chat's lease, the state store being unavailable:
    /// answer 200.
    Unleased,
}

impl Taken {
    /// A short, fixed label for metrics.
    pub fn label(self) -> &'static str {
        match self {
            Taken::Handled => "handled",
            Taken::Ignored => "ignored",
            Taken::Busy => "chat_busy",
            Taken::Stopping => "stopping",
            Taken::Slow => "slow",
            Taken::Unleased => "handled_without_lease",
        }
    }
}

/// Takes updates from the webhook into the dispatcher.
pub struct Intake {
    dispatcher: Mutex<Dispatcher>,
    /// The dispatcher's Bot API client, whose screen ledger travels with a
    /// chat's lease.
    outbound: Arc<Outbound>,
    state: Arc<dyn StateStore>,
    settings: IntakeSettings,
}

impl Intake {
    pub fn new(
        dispatcher: Dispatcher,
        state: Arc<dyn StateStore>,
        settings: IntakeSettings,
    ) -> Intake {
        Intake {
            outbound: dispatcher.outbound(),
            dispatcher: Mutex::new(dispatcher),
            state,
            settings,
        }
    }

    /// Handles one update under its chat's lease and waits for it (within the
    /// bounds of [`IntakeSettings`]). Run it in a task of its own: a caller that
    /// goes away must not leave the lease held.
    pub async fn take(&self, update: Update) -> Taken {
        let Some(inbound) = to_inbound(&update) else {
            return Taken::Ignored;
        };
        let chat = inbound.chat;
        let key = format!("lease:chat:{}", chat.0);
        let token = uuid::Uuid::new_v4().to_string();
        let renewing = match self.lease(&key, &token, &screens_key(chat)).await {
            Ok(Leased::Taken(screens)) => {
                // Only what the last holder left is current: without it, what
                // this replica remembers may predate another's edits.
                match screens {
                    Some(screens) => self.outbound.screens().import(chat, &screens),
                    None => self.outbound.screens().forget(chat),
                }
                Some(AbortOnDropHandle::new(tokio::spawn(renew(
                    self.state.clone(),
                    key.clone(),
                    token.clone(),
                    self.settings.lease_ttl,
                ))))
            }
            Ok(Leased::Busy) => return Taken::Busy,
            Err(e) => {
                tracing::warn!(error = %e, "webhook: cannot take the chat's lease; handling the update without it");
                self.outbound.screens().forget(chat);
                None
            }
        };
        let mut finished = self.dispatcher.lock().await.submit_tracked(inbound).await;
        let taken = match tokio::time::timeout(self.settings.handle_wait, &mut finished).await {
            Ok(Ok(())) if renewing.is_some() => Taken::Handled,
            Ok(Ok(())) => Taken::Unleased,
            Ok(Err(_)) => Taken::Stopping,
            Err(_) => Taken::Slow,
        };
        let Some(renewing) = renewing else {
            return taken;
        };
        let state = self.state.clone();
        let outbound = self.outbound.clone();
        let handing_back = async move {
            drop(renewing);
            hand_back(state.as_ref(), &outbound, chat, &key, &token).await;
        };
        if taken == Taken::Slow {
            // The chat stays leased until its update is finished (or the lease
            // expires, should this process die first).
            tokio::spawn(async move {
                let _ = finished.await;
                handing_back.await;
            });
        } else {
            handing_back.await;
        }
        taken
    }

    /// Tries for the lease until it is had or the lease wait is over; with it,
    /// what the chat's screens show as the last holder left them.
    async fn lease(
        &self,
        key: &str,
        token: &str,
        screens: &str,
    ) -> Result<Leased, engine::ports::StateError> {
        let deadline = tokio::time::Instant::now() + self.settings.lease_wait;
        let mut pause = Duration::from_millis(10);
        loop {
            let (taken, shown) = self
                .state
                .lease_and_get(key, token, self.settings.lease_ttl, screens)
                .await?;
            if taken {
                return Ok(Leased::Taken(shown));
            }
            if tokio::time::Instant::now() + pause > deadline {
                return Ok(Leased::Busy);
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(200));
        }
    }

    /// Stops: updates running finish, queued ones are dropped (their requests
    /// answer 503, so Telegram delivers them again to another replica).
    pub async fn stop(&self) {
        self.dispatcher.lock().await.stop().await;
    }
}

/// Keeps a chat's lease while its update runs: renews it every third of `ttl`
/// until aborted. A renewal that fails is tried again at the next turn; the
/// lease expires only after three in a row.
async fn renew(state: Arc<dyn StateStore>, key: String, token: String, ttl: Duration) {
    loop {
        tokio::time::sleep(ttl / 3).await;
        match state.lease(&key, &token, ttl).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!("webhook: a chat's lease expired while its update ran");
                return;
            }
            Err(e) => tracing::warn!(error = %e, "webhook: cannot renew the chat's lease"),
        }
    }
}

/// What [`Intake::lease`] got.
enum Leased {
    /// The chat's lease, and what its screens show if a replica left that.
    Taken(Option<String>),
    /// Another replica held it for the whole wait.
    Busy,
}

/// How long what a chat's screens show is kept for the next replica: past
/// it, a press on an old menu is edited as if the screens were unknown.
const SCREENS_KEPT: Duration = Duration::from_secs(24 * 60 * 60);

/// The state-store key of what `chat`'s screens show.
fn screens_key(chat: ChatId) -> String {
    format!("screens:{}", chat.0)
}

/// Writes what the chat's screens show for the next holder, then releases the
/// chat's lease; a failure to write costs at most one refused edit later, a
/// failure to release leaves the lease to expire.
async fn hand_back(
    state: &dyn StateStore,
    outbound: &Outbound,
    chat: ChatId,
    key: &str,
    token: &str,
) {
    if let Some(screens) = outbound.screens().export(chat)
        && let Err(e) = state.put(&screens_key(chat), &screens, SCREENS_KEPT).await
    {
        tracing::warn!(error = %e, "webhook: cannot hand a chat's screens to the next replica");
    }
    if let Err(e) = state.release(key, token).await {
        tracing::warn!(error = %e, "webhook: cannot release the chat's lease; it expires");
    }
}

/// What `setWebhook` is asked to do.
#[derive(Clone, Debug)]
pub struct Registration {
    pub url: Url,
    pub secret_token: String,
    pub max_connections: u8,
    pub drop_pending_updates: bool,
}

/// Registers the webhook for the whole deployment.
pub async fn set(bot: &Bot, registration: &Registration) -> Result<(), String> {
    bot.set_webhook(registration.url.clone())
        .secret_token(registration.secret_token.clone())
        .allowed_updates(ALLOWED_UPDATES)
        .max_connections(registration.max_connections)
        .drop_pending_updates(registration.drop_pending_updates)
        .await
        .map(|_| ())
        .map_err(|e| redacted(&e.to_string()))
}

/// Removes the webhook (long polling works again).
pub async fn delete(bot: &Bot, drop_pending_updates: bool) -> Result<(), String> {
    bot.delete_webhook()
        .drop_pending_updates(drop_pending_updates)
        .await
        .map(|_| ())
        .map_err(|e| redacted(&e.to_string()))
}

/// The webhook as Telegram sees it, one fact a line (Telegram never returns the
/// secret token, so it cannot be printed).
pub async fn info(bot: &Bot) -> Result<String, String> {
    let info = bot
        .get_webhook_info()
        .await
        .map_err(|e| redacted(&e.to_string()))?;
    Ok(describe(&info))
}

fn describe(info: &WebhookInfo) -> String {
    let mut lines = Vec::new();
    match &info.url {
        Some(url) => lines.push(format!("url: {url}")),
        None => lines.push("url: (none: no webhook is set; long polling works)".to_owned()),
    }
    lines.push(format!("pending updates: {}", info.pending_update_count));
    if let Some(n) = info.max_connections {
        lines.push(format!("max connections: {n}"));
    }
    if let Some(allowed) = &info.allowed_updates {
        let names: Vec<String> = allowed
            .iter()
            .filter_map(|a| serde_json::to_value(a).ok())
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        lines.push(format!("allowed updates: {}", names.join(", ")));
    }
    if let Some(ip) = &info.ip_address {
        lines.push(format!("ip address: {ip}"));
    }
    if let Some(date) = info.last_error_date {
        let message = info.last_error_message.as_deref().unwrap_or("");
        lines.push(format!("last error: {date} {message}"));
    }
    lines.push(format!(
        "custom certificate: {}",
        if info.has_custom_certificate {
            "yes"
        } else {
            "no"
        }
    ));
    lines.join("\n")
}
