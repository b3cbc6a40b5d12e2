//! Executes the engine's actions against the Bot API.
//!
//! Per chat, actions run in order; a failure of one action is logged and the next
//! still runs (a failed toast must not cost the person their screen), except a 403,
//! which marks the person inactive and skips the rest of that chat's actions (the
//! other chats' actions still run). Every call retries a 429 after exactly
//! `retry_after` and, with backoff, a request that never reached Telegram
//! (connection refused) or that it did not handle (503), for as long as its
//! [`Retry`] allows (a reply: a minute). A request whose answer was
//! lost (a time-out, a reset after sending, a 500, 502 or 504) may have been carried
//! out: it is retried only when repeating it is harmless (edits, callback answers,
//! deletes), never a `send*`, which would put a second message in the chat.
//!
//! Calls that keep failing without an answer open the Bot API's circuit breaker
//! (ADR 0034): then one probe request per cool-down tries Telegram, and the
//! other calls wait without making requests (a reply, within its patience) or
//! fail at once ([`Failure::CircuitOpen`]: the upload indicator). No tight loop
//! of requests meets a Telegram that is down, and no reply is dropped because
//! Telegram was away for less than its patience.
//!
//! An export ([`Outbound::send_export`], run by the server's background export
//! worker, never on the update path) is written page by page into a temporary
//! file by [`engine::exports::write_csv`] (which stops before the file would pass
//! the upload limit) or [`engine::exports::write_xlsx`] (which refuses a finished
//! workbook over it), and uploaded from that file with a streamed body, so
//! neither step holds the whole export in memory; the file is deleted when the
//! upload is done.

use std::sync::Arc;
use std::time::Duration;

use domain::callback::FileFormat;
use domain::content::{Media, MediaKind, MediaSource};
use domain::html::Html;
use domain::ids::{ChatId, UserId};
use domain::spreadsheet::Separator;
use engine::exports::{self, Export, ExportError, ExportLimits, ExportSummary};
use engine::ports::StoragePorts;
use engine::{Action, Keyboard, Marked, People};
use sha2::{Digest, Sha256};
use teloxide::Bot;
use teloxide::payloads::{
    SendDocumentSetters, SendMessageSetters, SendPhotoSetters, SendVideoSetters,
};
use teloxide::prelude::Requester;
use teloxide::types::{
    ChatAction, ChatId as TgChatId, FileId, InlineKeyboardButton, InlineKeyboardMarkup, InputFile,
    Message, MessageId, ParseMode,
};
use tokio::io::AsyncWriteExt;
use tracing::Instrument;

use crate::errors::{Failure, classify};
use crate::lean;
use crate::screens::{Screens, Shown, fingerprint};
use breaker::{Breaker, Outcome};

/// How long one call keeps trying before its failure is returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retry {
    /// Within this time from its first try, a call retries with backoff a
    /// request that never reached Telegram (and, for methods harmless to repeat,
    /// one whose answer was lost), and waits for an open circuit breaker to let
    /// it through. Zero: it fails at once.
    pub patience: Duration,
    /// At most this much time in all is spent waiting out 429s, each for exactly
    /// its `retry_after`. Zero: none is waited out.
    pub flood_wait: Duration,
}

impl Retry {
    /// For replies: a person would rather have their screen late than never, so a
    /// reply rides out a Telegram outage or flood control of up to a minute.
    pub const PATIENT: Retry = Retry {
        patience: Duration::from_secs(60),
        flood_wait: Duration::from_secs(60),
    };
    /// For start-up and the menus' calls: a Telegram that cannot be reached is
    /// reported within seconds, but flood control is waited out.
    pub const BRIEF: Retry = Retry {
        patience: Duration::from_secs(3),
        flood_wait: Duration::from_secs(60),
    };
    /// For the paced lane, which waits for the whole sender instead.
    pub const ONCE: Retry = Retry {
        patience: Duration::ZERO,
        flood_wait: Duration::ZERO,
    };
}

/// Calls in a row that fail without an answer from Telegram (refused, timed
/// out, 5xx) before the Bot API's circuit breaker opens.
const BREAKER_TRIP_AFTER: u32 = 5;
/// How long the open breaker keeps calls off the network before one probe tries.
const BREAKER_COOL_DOWN: Duration = Duration::from_secs(2);
/// How often a call held by the open breaker looks again (no request is made).
const BREAKER_RECHECK: Duration = Duration::from_millis(250);
/// The longest backoff between two tries of one call.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// How an export ended (the admin was told in each case).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportOutcome {
    Sent,
    /// It would have passed the size limit; writing stopped before it did.
    TooLarge,
    /// It could not be written or uploaded.
    Failed,
}

impl ExportOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportOutcome::Sent => "sent",
            ExportOutcome::TooLarge => "too_large",
            ExportOutcome::Failed => "failed",
        }
    }
}

pub struct Outbound {
    bot: Bot,
    /// People who blocked the bot, the media cache and the exports' reads.
    storage: StoragePorts,
    /// The engine's copies of people, told about people who blocked the bot.
    people: Option<Arc<People>>,
    retry: Retry,
    /// Shared by every sender of the bot (replies and the paced lane alike).
    link: Arc<Link>,
}

impl Outbound {
    /// The chat's id as traces show it: 16 hex digits of SHA-256 over the bot
    /// token and the id. The same chat has the same tag on every replica and in
    /// every trace, and without the token nobody can tell which chat it is
    /// (chat ids are few enough to try them all against an unkeyed hash).
    pub fn chat_tag(&self, chat: ChatId) -> String {
        let digest = Sha256::new()
            .chain_update(self.bot.token().as_bytes())
            .chain_update([0])
            .chain_update(chat.0.to_be_bytes())
            .finalize();
        digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
    }
}

/// What every sender of one bot shares: the chats Telegram asked us to leave
/// alone, what each chat's screens show, and the circuit breaker in front of
/// the Bot API.
#[derive(Debug)]
pub(crate) struct Link {
    holds: ChatHolds,
    screens: Screens,
    /// Opens when calls keep failing without an answer from Telegram: then only
    /// one probe request per cool-down reaches it, and the other calls wait (or,
    /// out of patience, fail) without a request (`trainbot_circuit_breaker_open{dependency="telegram"}`).
    breaker: Breaker,
}

impl Default for Link {
    fn default() -> Link {
        Link {
            holds: ChatHolds::default(),
            screens: Screens::default(),
            breaker: Breaker::new("telegram", BREAKER_TRIP_AFTER, BREAKER_COOL_DOWN),
        }
    }
}

/// Counts a call not made because Telegram would refuse it (ADR 0041).
fn spared(reason: &'static str) {
    metrics::counter!("trainbot_telegram_calls_spared_total", "reason" => reason).increment(1);
}

/// Which shared sender state a call goes through.
#[derive(Clone, Copy)]
pub(crate) enum Via<'a> {
    /// None: start-up's and the menus' few calls, made before or beside the
    /// senders.
    Direct,
    /// The bot's [`Link`], and the chat the call sends to, if any (a 429 holds it).
    Link(&'a Link, Option<ChatId>),
}

/// Per chat, the time until which Telegram asked us not to send to it. Telegram's
/// answer does not say whether a 429 was for the chat or for the whole bot, so it
/// holds the chat either way; the paced lane also pauses itself.
#[derive(Debug, Default)]
struct ChatHolds {
    until: std::sync::Mutex<std::collections::HashMap<i64, tokio::time::Instant>>,
}

impl ChatHolds {
    fn hold(&self, chat: ChatId, wait: Duration) {
        let until = tokio::time::Instant::now() + wait;
        let mut holds = self
            .until
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = holds.entry(chat.0).or_insert(until);
        *entry = (*entry).max(until);
    }

    /// Waits until `chat` may be sent to again.
    async fn wait(&self, chat: ChatId) {
        let until = {
            let mut holds = self
                .until
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let now = tokio::time::Instant::now();
            holds.retain(|_, until| *until > now);
            holds.get(&chat.0).copied()
        };
        if let Some(until) = until {
            tokio::time::sleep_until(until).await;
        }
    }
}

impl Outbound {
    pub fn new(bot: Bot, storage: StoragePorts) -> Outbound {
        Outbound {
            bot,
            storage,
            people: None,
            retry: Retry::PATIENT,
            link: Arc::default(),
        }
    }

    /// Tells `people` when a person turns out to have blocked the bot, so that no
    /// replica keeps using its copy of them as active.
    pub fn with_people(mut self, people: Arc<People>) -> Outbound {
        self.people = Some(people);
        self
    }

    /// What each chat's screens show, as far as this bot's senders know (ADR 0041).
    pub(crate) fn screens(&self) -> &Screens {
        &self.link.screens
    }

    /// Calls to `chat` (or to no chat) go through the bot's shared [`Link`].
    fn via(&self, chat: Option<ChatId>) -> Via<'_> {
        Via::Link(&self.link, chat)
    }

    /// The same Bot API client with another retry policy.
    pub fn with_retry(&self, retry: Retry) -> Outbound {
        Outbound {
            bot: self.bot.clone(),
            storage: self.storage.clone(),
            people: self.people.clone(),
            retry,
            link: self.link.clone(),
        }
    }

    /// Runs one action and returns how it went; a 403 also marks the person
    /// inactive. For senders that keep count (broadcasts).
    pub async fn perform(&self, action: Action) -> Result<(), Failure> {
        let chat = action_chat(&action);
        let result = self.run(action).await;
        if let (Err(Failure::Blocked), Some(chat)) = (&result, chat) {
            self.person_left(chat).await;
        }
        result
    }

    /// Runs one update's actions in order. A 403 marks its chat's person inactive
    /// and skips that chat's remaining actions; the other chats' actions still run
    /// (a notice to someone who blocked the bot must not cost the admin who acted
    /// their screen).
    pub async fn execute(&self, actions: Vec<Action>) {
        self.execute_marking(actions, |_| std::future::ready(()))
            .await;
    }

    /// [`Outbound::execute`], awaiting `mark` at the last point where doing the
    /// actions again would go unseen: before the first one that makes a new
    /// message ([`Action::repeats_unseen`]), else after the last; it is told
    /// which. Marking an update handled there makes its redelivery after a crash
    /// repeat only what nobody sees again, and never a message (ADR 0037).
    pub async fn execute_marking<F, M>(&self, actions: Vec<Action>, mark: M)
    where
        M: FnOnce(Marked) -> F,
        F: Future<Output = ()>,
    {
        let mut mark = Some(mark);
        let mut left: Vec<ChatId> = Vec::new();
        for action in actions {
            if !action.repeats_unseen()
                && let Some(mark) = mark.take()
            {
                mark(Marked::BeforeMessage).await;
            }
            let chat = action_chat(&action);
            if chat.is_some_and(|c| left.contains(&c)) {
                continue;
            }
            match self.run(action).await {
                Ok(()) => {}
                Err(Failure::Blocked) => {
                    if let Some(chat) = chat {
                        self.person_left(chat).await;
                        left.push(chat);
                    }
                }
                Err(failure) => tracing::warn!(?failure, "a Telegram action failed"),
            }
        }
        if let Some(mark) = mark {
            mark(Marked::AfterAll).await;
        }
    }

    async fn person_left(&self, chat: ChatId) {
        metrics::counter!("trainbot_people_blocked_bot_total").increment(1);
        // In a private chat the chat id is the person's id.
        let person = UserId(chat.0);
        if let Err(e) = self.storage.people.set_inactive(person, true).await {
            tracing::warn!(error = %e, "cannot mark the person inactive");
        }
        if let Some(people) = &self.people {
            people.changed(person).await;
        }
    }

    async fn run(&self, action: Action) -> Result<(), Failure> {
        match action {
            Action::AnswerCallback { query_id, text } => {
                let method = "answerCallbackQuery";
                let answer = lean::AnswerCallback {
                    callback_query_id: &query_id,
                    text: text.as_deref(),
                };
                let r = call(self.retry, self.via(None), method, || {
                    lean::call::<_, lean::Ignored>(&self.bot, method, &answer)
                })
                .await;
                // A late answer fails harmlessly ("query is too old").
                r.map(drop).or_else(|f| match f {
                    Failure::Permanent(_) => Ok(()),
                    other => Err(other),
                })
            }
            Action::Send {
                chat,
                text,
                keyboard,
            } => self.send_screen(chat, &text, keyboard.as_ref()).await,
            Action::Edit {
                chat,
                message_id,
                text,
                keyboard,
            } => {
                let shows = fingerprint(&text, keyboard.as_ref());
                match self.link.screens.shown(chat, message_id) {
                    Some(Shown::Screen(now)) if now == shows => {
                        spared("not_modified");
                        return Ok(());
                    }
                    Some(Shown::Gone) => {
                        spared("gone");
                        return self.send_screen(chat, &text, keyboard.as_ref()).await;
                    }
                    _ => {}
                }
                let method = "editMessageText";
                let edit = lean::EditText {
                    chat_id: chat.0,
                    message_id: msg_id(message_id).0,
                    text: text.as_str(),
                    parse_mode: "HTML",
                    reply_markup: keyboard.as_ref().map(lean::Markup::from),
                };
                let r = call(self.retry, self.via(Some(chat)), method, || {
                    lean::call::<_, lean::Edited>(&self.bot, method, &edit)
                })
                .await;
                let edited = match r {
                    Ok(edited) => edited.edit_date,
                    // Refused as "not modified", it shows the screen; when it was
                    // last edited is not known.
                    Err(Failure::NotModified) => None,
                    Err(Failure::EditImpossible) => {
                        return self.send_screen(chat, &text, keyboard.as_ref()).await;
                    }
                    Err(other) => return Err(other),
                };
                // Recorded with or without buttons: the message was pressed, so
                // it is one the ledger keeps, and an entry left as it was would
                // skip an edit back to its old screen.
                self.link
                    .screens
                    .record(chat, message_id, Shown::Screen(shows), edited);
                Ok(())
            }
            Action::SendDocument {
                chat,
                file_name,
                bytes,
                caption,
            } => call(self.retry, self.via(Some(chat)), "sendDocument", || {
                let file = InputFile::memory(bytes.as_ref().clone()).file_name(file_name.clone());
                self.bot
                    .send_document(tg(chat), file)
                    .caption(caption.as_str())
                    .parse_mode(ParseMode::Html)
            })
            .await
            .map(drop),
            Action::SendPicture { chat, png, caption } => {
                self.send_png(chat, png.as_ref(), "qr.png", &caption, None)
                    .await
            }
            Action::SendChart {
                chat,
                chart,
                caption,
                keyboard,
            } => {
                let send = self.send_chart(chat, chart, &caption, keyboard.as_ref());
                self.while_uploading(chat, Upload::Photo, send).await
            }
            Action::SendMedia {
                chat,
                media,
                caption,
            } => self.send_media(chat, &media, &caption).await,
            Action::SendFile {
                chat,
                file,
                caption,
            } => self
                .send_file(
                    chat,
                    file.kind,
                    &caption,
                    InputFile::file_id(FileId(file.file_id)),
                )
                .await
                .map(drop),
            Action::AdminMenu { chat, admin: true } => {
                crate::commands::admin_menu(&self.bot, chat).await
            }
            Action::AdminMenu { chat, admin: false } => {
                crate::commands::plain_menu(&self.bot, chat).await
            }
            Action::Open(gate) => {
                gate.open();
                Ok(())
            }
            Action::Delete { chat, message_id } => {
                if self.link.screens.shown(chat, message_id) == Some(Shown::Gone) {
                    spared("gone");
                    return Ok(());
                }
                match call(self.retry, self.via(None), "deleteMessage", || {
                    self.bot.delete_message(tg(chat), msg_id(message_id))
                })
                .await
                {
                    Ok(_) | Err(Failure::Permanent(_)) => {
                        self.link
                            .screens
                            .record(chat, message_id, Shown::Gone, None);
                        Ok(())
                    }
                    Err(other) => Err(other),
                }
            }
        }
    }

    /// Writes the export to a temporary file of at most `max_bytes` and uploads it.
    /// An export that would be larger gets the admin `export.too_large`; one that
    /// cannot be written or uploaded, `export.failed`. Only a 403 (the admin blocked
    /// the bot; they are marked inactive) is an error.
    pub async fn send_export(
        &self,
        chat: ChatId,
        export: &Export,
        max_bytes: u64,
    ) -> Result<ExportOutcome, Failure> {
        let result = self.export_once(chat, export, max_bytes).await;
        if let Err(Failure::Blocked) = result {
            self.person_left(chat).await;
        }
        result
    }

    async fn export_once(
        &self,
        chat: ChatId,
        export: &Export,
        max_bytes: u64,
    ) -> Result<ExportOutcome, Failure> {
        let (outcome, tell) = match self.write_export(export, max_bytes).await {
            Ok(file) => match self.upload_export(chat, export, &file).await {
                Ok(()) => return Ok(ExportOutcome::Sent),
                Err(Failure::Blocked) => return Err(Failure::Blocked),
                Err(failure) => {
                    tracing::error!(?failure, export = %export.file_name, "cannot upload an export");
                    (ExportOutcome::Failed, &export.failed)
                }
            },
            Err(ExportError::TooLarge { limit }) => {
                tracing::info!(export = %export.file_name, limit, "an export is over the size limit; stopped writing it");
                (ExportOutcome::TooLarge, &export.too_large)
            }
            Err(ExportError::TooManyRows { limit }) => {
                tracing::info!(export = %export.file_name, limit, "an export has more rows than a sheet holds; stopped writing it");
                (ExportOutcome::TooLarge, &export.too_large)
            }
            Err(e) => {
                tracing::error!(error = %e, export = %export.file_name, "cannot write an export");
                (ExportOutcome::Failed, &export.failed)
            }
        };
        self.send(chat, tell, None).await?;
        Ok(outcome)
    }

    async fn upload_export(
        &self,
        chat: ChatId,
        export: &Export,
        file: &tempfile::NamedTempFile,
    ) -> Result<(), Failure> {
        let path = file.path().to_owned();
        call(self.retry, self.via(Some(chat)), "sendDocument", || {
            let upload = InputFile::file(path.clone()).file_name(export.file_name.clone());
            self.bot
                .send_document(tg(chat), upload)
                .caption(export.caption.as_str())
                .parse_mode(ParseMode::Html)
        })
        .await
        .map(drop)
    }

    async fn write_export(
        &self,
        export: &Export,
        max_bytes: u64,
    ) -> Result<tempfile::NamedTempFile, ExportError> {
        let file = tempfile::NamedTempFile::new()?;
        let limits = ExportLimits {
            max_bytes,
            ..ExportLimits::default()
        };
        let storage = &self.storage;
        let park = export.park.as_deref();
        let separator = match export.format {
            FileFormat::Csv => Separator::Comma,
            FileFormat::CsvSemicolon => Separator::Semicolon,
            FileFormat::Xlsx => {
                let summary = exports::write_xlsx(
                    storage,
                    export.kind,
                    park,
                    &export.sheet,
                    &export.timezone,
                    limits,
                    file.path(),
                )
                .await?;
                log_written(export, summary);
                return Ok(file);
            }
        };
        let mut out = tokio::io::BufWriter::new(tokio::fs::File::from_std(file.reopen()?));
        let summary =
            exports::write_csv(storage, export.kind, park, separator, limits, &mut out).await?;
        out.flush().await?;
        log_written(export, summary);
        Ok(file)
    }

    /// Runs `work`, showing `what` is being sent in the chat meanwhile: the chat
    /// action at once and again every 4 s (Telegram shows one for
    /// about 5 s), until `work` is done. A failed indicator only costs the
    /// indicator.
    pub async fn while_uploading<T>(
        &self,
        chat: ChatId,
        what: Upload,
        work: impl std::future::Future<Output = T>,
    ) -> T {
        tokio::pin!(work);
        let mut indicator = tokio::time::interval(INDICATOR_EVERY);
        loop {
            tokio::select! {
                done = &mut work => return done,
                _ = indicator.tick() => {
                    let action = match what {
                        Upload::Document => ChatAction::UploadDocument,
                        Upload::Photo => ChatAction::UploadPhoto,
                    };
                    let shown = call(Retry::ONCE, self.via(Some(chat)), "sendChatAction", || {
                        self.bot.send_chat_action(tg(chat), action)
                    })
                    .await;
                    if let Err(failure) = shown {
                        tracing::debug!(?failure, "cannot show the upload indicator");
                    }
                }
            }
        }
    }

    /// Draws a chart on a blocking thread and sends it as a photo with the
    /// screen's buttons; a chart that cannot be drawn sends the caption (the
    /// screen's text summary) as a message instead, so the admin still gets it.
    async fn send_chart(
        &self,
        chat: ChatId,
        chart: pictures::charts::Chart,
        caption: &Html,
        keyboard: Option<&Keyboard>,
    ) -> Result<(), Failure> {
        let drawn = tokio::task::spawn_blocking(move || pictures::charts::render(&chart))
            .await
            .map_err(|e| e.to_string())
            .and_then(|drawn| drawn.map_err(|e| e.to_string()));
        match drawn {
            Ok(png) => {
                self.send_png(chat, &png, "chart.png", caption, keyboard)
                    .await
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot draw a chart");
                self.send(chat, caption, keyboard).await.map(drop)
            }
        }
    }

    /// Sends a picture made here (a QR code, a chart) as a photo.
    async fn send_png(
        &self,
        chat: ChatId,
        png: &[u8],
        file_name: &'static str,
        caption: &Html,
        keyboard: Option<&Keyboard>,
    ) -> Result<(), Failure> {
        let markup = keyboard.map(markup);
        call(self.retry, self.via(Some(chat)), "sendPhoto", || {
            let file = InputFile::memory(png.to_vec()).file_name(file_name);
            let req = self
                .bot
                .send_photo(tg(chat), file)
                .caption(caption.as_str())
                .parse_mode(ParseMode::Html);
            match &markup {
                Some(m) => req.reply_markup(m.clone()),
                None => req,
            }
        })
        .await
        .map(drop)
    }

    /// Sends a text message and, when it has buttons, remembers what it shows.
    async fn send_screen(
        &self,
        chat: ChatId,
        text: &Html,
        keyboard: Option<&Keyboard>,
    ) -> Result<(), Failure> {
        let sent = self.send(chat, text, keyboard).await?;
        if keyboard.is_some() {
            let shows = Shown::Screen(fingerprint(text, keyboard));
            self.link
                .screens
                .record(chat, i64::from(sent.id.0), shows, None);
        }
        Ok(())
    }

    async fn send(
        &self,
        chat: ChatId,
        text: &Html,
        keyboard: Option<&Keyboard>,
    ) -> Result<Message, Failure> {
        let markup = keyboard.map(markup);
        call(self.retry, self.via(Some(chat)), "sendMessage", || {
            let req = self
                .bot
                .send_message(tg(chat), text.as_str())
                .parse_mode(ParseMode::Html);
            match &markup {
                Some(m) => req.reply_markup(m.clone()),
                None => req,
            }
        })
        .await
    }

    /// Sends a page's media: a file an admin sent by its own `file_id`; a pack file
    /// by its cached `file_id`, uploading it (once) when there is none or Telegram
    /// no longer accepts it.
    async fn send_media(&self, chat: ChatId, media: &Media, caption: &Html) -> Result<(), Failure> {
        let (path, file_name, cache_key) = match &media.source {
            MediaSource::File {
                path,
                file_name,
                cache_key,
            } => (path, file_name, cache_key),
            MediaSource::Telegram { file_id } => {
                let file = InputFile::file_id(FileId(file_id.clone()));
                return self
                    .send_file(chat, media.kind, caption, file)
                    .await
                    .map(drop);
            }
        };
        let cached = match self.storage.media.media_file_id(cache_key).await {
            Ok(id) => id,
            Err(e) => {
                tracing::warn!(error = %e, "media cache unavailable; uploading");
                None
            }
        };
        if let Some(file_id) = cached {
            match self
                .send_file(
                    chat,
                    media.kind,
                    caption,
                    InputFile::file_id(FileId(file_id)),
                )
                .await
            {
                Ok(_) => return Ok(()),
                Err(Failure::BadFileId) => {
                    tracing::info!(key = %cache_key, "cached file id refused; uploading again")
                }
                Err(other) => return Err(other),
            }
        }
        let upload = InputFile::file(path.clone()).file_name(file_name.clone());
        let sent = self.send_file(chat, media.kind, caption, upload).await?;
        metrics::counter!("trainbot_media_uploads_total").increment(1);
        let file_id = match media.kind {
            MediaKind::Photo => sent
                .photo()
                .and_then(|sizes| sizes.last())
                .map(|p| p.file.id.0.clone()),
            MediaKind::Video => sent.video().map(|v| v.file.id.0.clone()),
            MediaKind::Document => sent.document().map(|d| d.file.id.0.clone()),
        };
        match file_id {
            Some(id) => {
                if let Err(e) = self.storage.media.save_media_file_id(cache_key, &id).await {
                    tracing::warn!(error = %e, "cannot cache the file id");
                }
            }
            None => {
                tracing::warn!(key = %cache_key, "Telegram returned no file id for an upload")
            }
        }
        Ok(())
    }

    async fn send_file(
        &self,
        chat: ChatId,
        kind: MediaKind,
        caption: &Html,
        file: InputFile,
    ) -> Result<Message, Failure> {
        let hold = self.via(Some(chat));
        let (chat, caption) = (tg(chat), caption.as_str());
        match kind {
            MediaKind::Photo => {
                call(self.retry, hold, "sendPhoto", || {
                    self.bot
                        .send_photo(chat, file.clone())
                        .caption(caption)
                        .parse_mode(ParseMode::Html)
                })
                .await
            }
            MediaKind::Video => {
                call(self.retry, hold, "sendVideo", || {
                    self.bot
                        .send_video(chat, file.clone())
                        .caption(caption)
                        .parse_mode(ParseMode::Html)
                })
                .await
            }
            MediaKind::Document => {
                call(self.retry, hold, "sendDocument", || {
                    self.bot
                        .send_document(chat, file.clone())
                        .caption(caption)
                        .parse_mode(ParseMode::Html)
                })
                .await
            }
        }
    }
}

/// How often an upload indicator is renewed: Telegram shows one for about 5 s.
const INDICATOR_EVERY: Duration = Duration::from_secs(4);

/// What an upload indicator says is being sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Upload {
    Document,
    Photo,
}

fn log_written(export: &Export, summary: ExportSummary) {
    tracing::info!(
        export = %export.file_name,
        rows = summary.rows,
        pages = summary.pages,
        bytes = summary.bytes,
        "export written"
    );
}

fn action_chat(action: &Action) -> Option<ChatId> {
    match action {
        Action::Send { chat, .. }
        | Action::Edit { chat, .. }
        | Action::SendMedia { chat, .. }
        | Action::SendDocument { chat, .. }
        | Action::SendPicture { chat, .. }
        | Action::SendChart { chat, .. }
        | Action::AdminMenu { chat, .. }
        | Action::SendFile { chat, .. }
        | Action::Delete { chat, .. } => Some(*chat),
        Action::AnswerCallback { .. } | Action::Open(_) => None,
    }
}

/// Makes and awaits a request, retrying what `retry` allows.
pub(crate) async fn call<R, T>(
    retry: Retry,
    via: Via<'_>,
    method: &'static str,
    make: impl Fn() -> R,
) -> Result<T, Failure>
where
    R: std::future::IntoFuture<Output = Result<T, teloxide::RequestError>>,
{
    let deadline = tokio::time::Instant::now() + retry.patience;
    let within = |wait: Duration| tokio::time::Instant::now() + wait <= deadline;
    let (mut tries, mut flooded) = (0u32, Duration::ZERO);
    loop {
        let permit = match via {
            Via::Direct => None,
            Via::Link(link, chat) => {
                if let Some(chat) = chat {
                    link.holds.wait(chat).await;
                }
                match link.breaker.admit() {
                    Some(permit) => Some(permit),
                    None if within(BREAKER_RECHECK) => {
                        tokio::time::sleep(BREAKER_RECHECK).await;
                        continue;
                    }
                    None => {
                        metrics::counter!("trainbot_telegram_errors_total", "method" => method, "kind" => "circuit_open")
                            .increment(1);
                        return Err(Failure::CircuitOpen);
                    }
                }
            }
        };
        // A child span of the update being handled, one per request (a retry is
        // another): the method and, if it failed, how; never the chat or the text.
        let span = tracing::info_span!("telegram", method, error = tracing::field::Empty);
        let started = std::time::Instant::now();
        let result = make().into_future().instrument(span.clone()).await;
        metrics::histogram!("trainbot_telegram_request_seconds", "method" => method)
            .record(started.elapsed().as_secs_f64());
        let failure = match result {
            Ok(value) => {
                if let Some(permit) = permit {
                    permit.finish(Outcome::Success);
                }
                return Ok(value);
            }
            Err(e) => classify(&e),
        };
        if let Some(permit) = permit {
            // Any answer from Telegram, a refusal included, shows it is there.
            permit.finish(match failure {
                Failure::Transient(_) | Failure::Unknown(_) => Outcome::TimedOut,
                _ => Outcome::Success,
            });
        }
        let failure = match failure {
            // Repeating an edit, an answer or a delete is harmless: an outcome
            // that is unknown is as good as a request that never arrived.
            Failure::Unknown(why) if repeatable(method) => Failure::Transient(why),
            other => other,
        };
        span.record("error", kind(&failure));
        metrics::counter!("trainbot_telegram_errors_total", "method" => method, "kind" => kind(&failure))
            .increment(1);
        if let (Failure::RetryAfter(wait), Via::Link(link, Some(chat))) = (&failure, via) {
            link.holds.hold(chat, *wait);
        }
        match failure {
            Failure::RetryAfter(wait) if flooded + wait <= retry.flood_wait => {
                flooded += wait;
                tracing::info!(method, seconds = wait.as_secs(), "Telegram asked to wait");
                tokio::time::sleep(wait).await;
            }
            Failure::Transient(ref why) if within(backoff(tries)) => {
                let backoff = backoff(tries);
                tries += 1;
                tracing::info!(method, error = %why, backoff_ms = backoff.as_millis() as u64, "retrying");
                tokio::time::sleep(backoff).await;
            }
            other => return Err(other),
        }
    }
}

/// The wait before the try after `tries` failed ones: 0.4 s, doubling, at most
/// [`MAX_BACKOFF`].
fn backoff(tries: u32) -> Duration {
    Duration::from_millis(400)
        .saturating_mul(2u32.saturating_pow(tries))
        .min(MAX_BACKOFF)
}

/// Whether a request may be sent again although Telegram may have carried it out
/// already. A repeated `send*` is a second message in the person's chat, so it
/// never is; every other method the bot calls (edits, callback answers, deletes,
/// commands, getMe) leaves the same result when repeated.
fn repeatable(method: &str) -> bool {
    !method.starts_with("send")
}

/// The failure's kind as a metric label.
pub(crate) fn kind(f: &Failure) -> &'static str {
    match f {
        Failure::NotModified => "not_modified",
        Failure::EditImpossible => "edit_impossible",
        Failure::Blocked => "blocked",
        Failure::RetryAfter(_) => "retry_after",
        Failure::Transient(_) => "transient",
        Failure::Unknown(_) => "unknown",
        Failure::BadFileId => "bad_file_id",
        Failure::Permanent(_) => "permanent",
        Failure::CircuitOpen => "circuit_open",
    }
}

fn tg(chat: ChatId) -> TgChatId {
    TgChatId(chat.0)
}

fn msg_id(id: i64) -> MessageId {
    MessageId(i32::try_from(id).unwrap_or(i32::MAX))
}

fn markup(keyboard: &Keyboard) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(keyboard.rows.iter().map(|row| {
        row.iter()
            .map(|b| InlineKeyboardButton::callback(b.text.clone(), b.callback.encode()))
            .collect::<Vec<_>>()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_0_4_s_up_to_5_s() {
        let waits: Vec<u128> = (0..7).map(|tries| backoff(tries).as_millis()).collect();
        assert_eq!(waits, [400, 800, 1600, 3200, 5000, 5000, 5000]);
        assert_eq!(backoff(u32::MAX), MAX_BACKOFF, "no overflow");
    }

    #[test]
    fn only_sends_are_never_repeated_after_a_lost_answer() {
        for method in ["sendMessage", "sendPhoto", "sendDocument", "sendVideo"] {
            assert!(!repeatable(method), "{method}");
        }
        for method in ["editMessageText", "answerCallbackQuery", "deleteMessage"] {
            assert!(repeatable(method), "{method}");
        }
    }
}
