//! [`FakeTelegram`]: one independent fake server with its state, and the Rust API tests
//! drive it through.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::MediaKind;
use crate::error::FakeError;
use crate::flood::FloodControl;
use crate::methods::ApiError;
use crate::model::{
    IgnoredRetry, LostAnswer, MessageView, RequestRecord, TestUser, Violation, WebhookInfoView,
};
use crate::spec::ApiSpec;
use crate::state::State;
use crate::{server, webhook};

/// How to start a fake.
#[derive(Debug, Clone)]
pub struct FakeConfig {
    /// The bot token the fake accepts; requests with another one get 401.
    pub token: String,
    /// An `api.json` to validate against; `None` = `TELEGRAM_API_SPEC` if set, else
    /// the copy bundled with this crate (`spec/api.json`).
    pub spec_path: Option<PathBuf>,
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Answering a callback query later than this fails with "query is too old".
    pub callback_answer_timeout: Duration,
    /// Telegram-like flood control on the sending methods; `None` (the default) = off.
    pub flood_control: Option<FloodControl>,
}

impl Default for FakeConfig {
    fn default() -> Self {
        Self {
            token: "123456:TEST-TOKEN".into(),
            spec_path: None,
            port: 0,
            callback_answer_timeout: Duration::from_secs(15),
            flood_control: None,
        }
    }
}

/// The shared core: state, schema and the change signal. Server tasks hold this, never
/// the public handle, so dropping the last [`FakeTelegram`] stops everything.
pub(crate) struct Inner {
    pub token: String,
    pub spec: ApiSpec,
    pub callback_timeout: Duration,
    pub flood: Option<FloodControl>,
    state: Mutex<State>,
    /// Bumped on every request and every state change tests may wait for.
    events: watch::Sender<u64>,
    pub cancel: CancellationToken,
    pub http: reqwest::Client,
}

impl Inner {
    pub fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the state half-written in a way
        // that matters to a test double; keep serving.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn bump(&self) {
        self.events.send_modify(|n| *n = n.wrapping_add(1));
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.events.subscribe()
    }

    fn stop(&self) {
        self.lock().shutting_down = true;
        self.cancel.cancel();
        self.bump();
    }
}

struct Handle {
    inner: Arc<Inner>,
    addr: SocketAddr,
    server: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.inner.stop();
    }
}

/// A running fake Bot API server. Cheap to clone; stops when the last clone is dropped
/// or on [`FakeTelegram::shutdown`].
#[derive(Clone)]
pub struct FakeTelegram {
    handle: Arc<Handle>,
}

impl std::fmt::Debug for FakeTelegram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeTelegram")
            .field("addr", &self.handle.addr)
            .finish_non_exhaustive()
    }
}

impl FakeTelegram {
    /// Loads the schema, binds 127.0.0.1:`port` and starts serving.
    pub async fn start(config: FakeConfig) -> Result<FakeTelegram, FakeError> {
        let spec = ApiSpec::resolve(config.spec_path.as_deref())?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
        let addr = listener.local_addr()?;
        let (events, _) = watch::channel(0);
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap_or_default();
        let inner = Arc::new(Inner {
            state: Mutex::new(State::new(&config.token)),
            token: config.token,
            spec,
            callback_timeout: config.callback_answer_timeout,
            flood: config.flood_control,
            events,
            cancel: CancellationToken::new(),
            http,
        });
        let app = server::router(inner.clone());
        let cancel = inner.cancel.clone();
        let server = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(cancel.cancelled_owned())
                .await;
            if let Err(error) = served {
                tracing::error!(%error, "fake-telegram server failed");
            }
        });
        tokio::spawn(webhook::run(inner.clone()));
        tracing::debug!(%addr, "fake-telegram listening");
        Ok(FakeTelegram {
            handle: Arc::new(Handle {
                inner,
                addr,
                server: Mutex::new(Some(server)),
            }),
        })
    }

    fn inner(&self) -> &Inner {
        &self.handle.inner
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner().lock()
    }

    fn changed<T>(&self, value: T) -> T {
        self.inner().bump();
        value
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn api_url(&self) -> String {
        format!("http://{}", self.handle.addr)
    }

    pub fn token(&self) -> String {
        self.inner().token.clone()
    }

    /// Stops serving: long polls return empty, webhook delivery stops.
    pub async fn shutdown(&self) {
        self.inner().stop();
        let server = self
            .handle
            .server
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(server) = server {
            let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
        }
    }

    // ----- people and input -----

    pub fn add_user(&self, user: TestUser) {
        let mut state = self.state();
        state.chats.entry(user.id).or_default();
        state.users.insert(user.id, user);
        drop(state);
        self.changed(());
    }

    /// Queues a text message from the person; returns its update_id. Unknown people are
    /// created on the fly.
    pub fn send_text(&self, user_id: i64, text: &str) -> i64 {
        let id = self.state().user_message(user_id, Some(text), false);
        self.changed(id)
    }

    /// Queues a photo message from the person; returns its update_id.
    pub fn send_photo(&self, user_id: i64) -> i64 {
        let id = self.state().user_message(user_id, None, true);
        self.changed(id)
    }

    /// Queues a photo with a caption from the person; returns its update_id. The
    /// photo gets a file id the bot can send on.
    pub fn send_photo_with_caption(&self, user_id: i64, caption: &str) -> i64 {
        let id = self.state().user_message(user_id, Some(caption), true);
        self.changed(id)
    }

    /// Queues a file from the person (its bytes and name, a caption if any);
    /// returns its update_id. The bot can download nothing here, but can send the
    /// file on by its id, and [`FakeTelegram::file_content`] returns the bytes.
    pub fn send_file(
        &self,
        user_id: i64,
        kind: MediaKind,
        file_name: &str,
        content: Vec<u8>,
        caption: Option<&str>,
    ) -> i64 {
        let id = self
            .state()
            .user_file(user_id, kind, file_name, content, caption);
        self.changed(id)
    }

    /// Presses the button with exactly this text on the chat's latest bot message that
    /// has an inline keyboard.
    pub fn press(&self, user_id: i64, button_text: &str) -> Result<i64, FakeError> {
        let id = self.state().press(user_id, button_text)?;
        Ok(self.changed(id))
    }

    /// Presses forged callback data on any message id, even unknown ones.
    pub fn press_on(&self, user_id: i64, message_id: i64, data: &str) -> i64 {
        let id = self.state().callback(user_id, message_id, data);
        self.changed(id)
    }

    /// Queues any JSON as an update; assigns `update_id` if missing.
    pub fn push_raw_update(&self, update: Value) -> i64 {
        let mut state = self.state();
        let callback_id = update
            .get("callback_query")
            .and_then(|c| c.get("id"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(id) = &callback_id {
            let presser = update
                .pointer("/callback_query/from/id")
                .and_then(Value::as_i64);
            state.register_callback(id.clone(), presser);
        }
        let id = state.queue(update, callback_id);
        drop(state);
        self.changed(id)
    }

    /// Marks the person as having blocked the bot (sends to them answer 403).
    pub fn set_blocked(&self, user_id: i64, blocked: bool) {
        let mut state = self.state();
        state.ensure_user(user_id);
        if blocked {
            state.blocked.insert(user_id);
        } else {
            state.blocked.remove(&user_id);
        }
        drop(state);
        self.changed(());
    }

    /// Answers the next call of `method` with this error instead of running it (e.g.
    /// 429 with `retry_after`, or a 5xx), to test the bot's error handling. Injected
    /// errors are not violations. Calls queue up: two calls fail the next two requests.
    pub fn fail_next(
        &self,
        method: &str,
        error_code: u16,
        description: &str,
        retry_after: Option<u64>,
    ) {
        let name = self.method_name(method);
        self.state()
            .injected
            .entry(name)
            .or_default()
            .push_back(ApiError::injected(error_code, description, retry_after));
    }

    /// Telegram fails for `lasting` from now: every Bot API request but
    /// `getUpdates` (updates keep arriving), once checked against the schema,
    /// meets the next of `faults` in turn instead of a plain answer. Empty `faults`, or a new call, ends an
    /// earlier outage. Faults are not violations.
    pub fn outage(&self, lasting: Duration, faults: Vec<crate::Fault>) {
        self.state()
            .outage
            .start(lasting, faults, std::time::Instant::now());
        self.changed(());
    }

    /// Requests an outage failed or slowed so far.
    pub fn outage_faults(&self) -> usize {
        self.state().outage.met
    }

    /// Holds every request of `method`, once checked against the schema, until
    /// [`FakeTelegram::release`]: a slow upload or a slow Telegram, for tests of
    /// what the bot does meanwhile.
    pub fn hold(&self, method: &str) {
        let name = self.method_name(method);
        self.state().held.insert(name);
        self.changed(());
    }

    /// Lets the held requests of `method` (and later ones) through.
    pub fn release(&self, method: &str) {
        let name = self.method_name(method);
        self.state().held.remove(&name);
        self.changed(());
    }

    /// Requests of `method` waiting in a hold now.
    pub fn parked(&self, method: &str) -> usize {
        let name = self.method_name(method);
        self.state().parked.get(&name).copied().unwrap_or(0)
    }

    /// Answers the next call of `method` for `chat_id` (its `chat_id`, or for
    /// `answerCallbackQuery` the chat of the person who pressed) with this error,
    /// e.g. 429 with `retry_after`: Telegram's flood control holding one chat.
    /// Calls for other chats are untouched. Injected errors are not violations;
    /// calls queue up like [`FakeTelegram::fail_next`]'s.
    pub fn fail_next_for_chat(
        &self,
        chat_id: i64,
        method: &str,
        error_code: u16,
        description: &str,
        retry_after: Option<u64>,
    ) {
        let name = self.method_name(method);
        self.state()
            .injected_for_chat
            .entry((name, chat_id))
            .or_default()
            .push_back(ApiError::injected(error_code, description, retry_after));
    }

    /// Makes every Bot API call for `chat_id` (by `chat_id`, or for
    /// `answerCallbackQuery` by who pressed) wait `delay` before it is answered: a
    /// slow or congested chat. `Duration::ZERO` removes the delay. Calls for other
    /// chats are answered at once, even while one for this chat is waiting.
    pub fn delay_chat(&self, chat_id: i64, delay: Duration) {
        let mut state = self.state();
        if delay.is_zero() {
            state.chat_delays.remove(&chat_id);
        } else {
            state.chat_delays.insert(chat_id, delay);
        }
    }

    /// Carries out the next successful call of `method` to `chat` (`None`: to any
    /// chat): the message is delivered and the request recorded as successful. Then
    /// its answer is lost as `how` says, so the bot cannot tell whether it arrived.
    /// Calls queue up like [`FakeTelegram::fail_next`]'s.
    pub fn deliver_then_fail_next(&self, method: &str, chat: Option<i64>, how: LostAnswer) {
        let name = self.method_name(method);
        self.state()
            .lost_answers
            .entry(name)
            .or_default()
            .push_back((chat, how));
    }

    /// The spec's spelling of `method` (the Bot API accepts any case).
    fn method_name(&self, method: &str) -> String {
        self.inner()
            .spec
            .method(method)
            .map_or_else(|| method.to_owned(), |m| m.name.clone())
    }

    // ----- waiting -----

    /// Resolves once the bot confirmed the update: polled with a higher offset, or
    /// answered its webhook delivery with 2xx.
    pub async fn wait_confirmed(&self, update_id: i64, timeout: Duration) -> Result<(), FakeError> {
        self.wait_for(timeout, move |fake| fake.is_confirmed(update_id))
            .await
    }

    /// Whether the bot has confirmed `update_id`.
    pub fn is_confirmed(&self, update_id: i64) -> bool {
        let state = self.state();
        state.confirmed_below > update_id || state.webhook_acked.contains(&update_id)
    }

    /// Waits until `cond` holds, re-checking after every request and state change.
    pub async fn wait_for(
        &self,
        timeout: Duration,
        cond: impl Fn(&FakeTelegram) -> bool,
    ) -> Result<(), FakeError> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut events = self.inner().subscribe();
        loop {
            if cond(self) {
                return Ok(());
            }
            match tokio::time::timeout_at(deadline, events.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => return Err(FakeError::Shutdown),
                Err(_) => {
                    return if cond(self) {
                        Ok(())
                    } else {
                        Err(FakeError::Timeout(timeout))
                    };
                }
            }
        }
    }

    // ----- reading what people see -----

    /// Bot and user messages in order; deleted ones removed.
    pub fn messages(&self, chat_id: i64) -> Vec<MessageView> {
        self.state().messages(chat_id)
    }

    pub fn last_bot_message(&self, chat_id: i64) -> Option<MessageView> {
        self.messages(chat_id)
            .into_iter()
            .rev()
            .find(|m| m.from_bot)
    }

    /// Requests Telegram refused because the bot broke a rule.
    pub fn violations(&self) -> Vec<Violation> {
        self.state().violations.clone()
    }

    /// Sends refused with 403 because the person blocked the bot (not violations).
    pub fn blocked_sends(&self) -> Vec<Violation> {
        self.state().blocked_sends.clone()
    }

    /// Callback query ids first delivered to the bot `at_least` after the press:
    /// presses that waited here while no bot asked for updates.
    pub fn callbacks_held_back(&self, at_least: Duration) -> Vec<String> {
        self.state().callbacks_held_back(at_least)
    }

    /// Callback query ids delivered to the bot and never answered successfully.
    pub fn unanswered_callbacks(&self) -> Vec<String> {
        self.state().unanswered_callbacks()
    }

    /// Chats whose presses were answered in another order than they were made.
    pub fn chats_answered_out_of_order(&self) -> Vec<i64> {
        self.state().chats_answered_out_of_order()
    }

    /// How many times the bot tried to answer this query (successfully or not).
    pub fn callback_answers(&self, query_id: &str) -> usize {
        self.state()
            .callback_answers
            .get(query_id)
            .copied()
            .unwrap_or(0)
    }

    pub fn requests(&self) -> Vec<RequestRecord> {
        self.state().requests.clone()
    }

    /// Forgets the requests received so far and returns how many there were. A run of
    /// an hour at a thousand presses a second would otherwise keep gigabytes of them;
    /// rule violations are kept apart and stay.
    pub fn forget_requests(&self) -> usize {
        std::mem::take(&mut self.state().requests).len()
    }

    // ----- flood control -----

    /// Sending requests that came before the time a flood-control 429 told the bot to
    /// wait (each was refused with another 429), and requests for a chat that came
    /// before the time an outage's 429 for it said.
    pub fn retry_after_ignored(&self) -> Vec<IgnoredRetry> {
        let state = self.state();
        let mut ignored = state.flood.ignored.clone();
        ignored.extend(state.outage.ignored.iter().cloned());
        ignored
    }

    /// How many 429s flood control answered (over a limit, or an ignored retry_after).
    /// Errors injected with [`FakeTelegram::fail_next`] are not counted.
    pub fn flood_refusals(&self) -> usize {
        self.state().flood.refusals
    }

    /// Every successful request of a flood-limited method (sendMessage, sendPhoto,
    /// sendVideo, sendDocument, editMessageText/Caption/ReplyMarkup), as (chat, time the
    /// fake applied it), in order; recorded whether or not flood control is on. Divide a
    /// window's count by its length for the achieved send rate.
    pub fn sent_times(&self) -> Vec<(i64, Instant)> {
        self.state().sent_times.clone()
    }

    /// Multipart file parts received.
    /// The bytes of an uploaded file, by the `file_id` the fake issued for it.
    pub fn file_content(&self, file_id: &str) -> Option<Vec<u8>> {
        self.state()
            .files
            .get(file_id)
            .and_then(|f| f.content.clone())
    }

    pub fn uploads(&self) -> usize {
        self.state().uploads
    }

    /// Default-scope commands for `language_code` (`None` = no language).
    pub fn commands(&self, language_code: Option<&str>) -> Vec<(String, String)> {
        self.scoped_commands("default".to_owned(), language_code)
    }

    /// The commands of one chat's own scope (`BotCommandScopeChat`) for
    /// `language_code`; empty when none are set or they were deleted.
    pub fn chat_commands(&self, chat: i64, language_code: Option<&str>) -> Vec<(String, String)> {
        self.scoped_commands(format!("chat:chat_id={chat}"), language_code)
    }

    fn scoped_commands(&self, scope: String, language_code: Option<&str>) -> Vec<(String, String)> {
        self.state()
            .commands
            .get(&(scope, language_code.unwrap_or_default().to_owned()))
            .cloned()
            .unwrap_or_default()
    }

    /// The bot's description (`short`: its short description) for
    /// `language_code` (`None` = no language), as last set.
    pub fn description(&self, short: bool, language_code: Option<&str>) -> Option<String> {
        self.state()
            .descriptions
            .get(&(short, language_code.unwrap_or_default().to_owned()))
            .cloned()
    }

    /// Puts a load balancer in front of the webhook: each delivery attempt goes to
    /// the next of `urls` in turn (retries too), instead of the registered URL.
    /// The webhook must still be set (`setWebhook`) for anything to be delivered.
    pub fn balance_webhook(&self, urls: Vec<String>) {
        let mut state = self.state();
        state.webhook_targets = urls;
        state.webhook_turn = 0;
        drop(state);
        self.inner().bump();
    }

    pub fn webhook(&self) -> Option<WebhookInfoView> {
        self.state().webhook_view()
    }

    /// Whether a getUpdates long poll is in flight right now.
    pub fn is_polling(&self) -> bool {
        self.state().polling
    }

    /// Updates queued and not yet confirmed.
    /// Updates made so far (written, pressed or pushed raw).
    pub fn updates_queued(&self) -> usize {
        self.state().queued
    }

    pub fn pending_updates(&self) -> usize {
        self.state().pending.len()
    }
}
