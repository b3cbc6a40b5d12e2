//! The world the fake simulates: people, private chats with their messages, the update
//! queue, issued file ids, callback queries, commands and the webhook.
//!
//! Everything lives in one [`State`] behind the instance's mutex; nothing here awaits.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::error::FakeError;
use crate::model::{
    ButtonView, MediaKind, MediaView, MessageView, RequestRecord, TestUser, Violation,
    WebhookInfoView,
};

/// Seconds since the Unix epoch, for `date` fields.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Length in UTF-16 code units, the unit of entity offsets.
pub fn utf16_len(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

#[derive(Debug, Clone)]
pub struct StoredMedia {
    pub kind: MediaKind,
    pub file_id: String,
}

#[derive(Debug, Clone)]
pub struct StoredMessage {
    pub message_id: i64,
    pub from_bot: bool,
    pub date: i64,
    pub edit_date: Option<i64>,
    pub text: Option<String>,
    pub html: Option<String>,
    pub entities: Vec<Value>,
    pub caption: Option<String>,
    pub caption_entities: Vec<Value>,
    /// The caption as the bot sent it (with markup).
    pub caption_html: Option<String>,
    pub media: Option<StoredMedia>,
    /// Only inline keyboards: that is all Telegram reports back in `Message.reply_markup`.
    pub reply_markup: Option<Value>,
    pub edits: u32,
    pub deleted: bool,
}

impl StoredMessage {
    pub fn new(message_id: i64, from_bot: bool) -> Self {
        Self {
            message_id,
            from_bot,
            date: unix_now(),
            edit_date: None,
            text: None,
            html: None,
            entities: Vec::new(),
            caption: None,
            caption_entities: Vec::new(),
            caption_html: None,
            media: None,
            reply_markup: None,
            edits: 0,
            deleted: false,
        }
    }

    fn keyboard(&self) -> Vec<Vec<ButtonView>> {
        let rows = self
            .reply_markup
            .as_ref()
            .and_then(|m| m.get("inline_keyboard"))
            .and_then(Value::as_array);
        rows.map(|rows| {
            rows.iter()
                .map(|row| {
                    row.as_array()
                        .map(|buttons| {
                            buttons
                                .iter()
                                .map(|b| ButtonView {
                                    text: b
                                        .get("text")
                                        .and_then(Value::as_str)
                                        .unwrap_or_default()
                                        .to_owned(),
                                    callback_data: b
                                        .get("callback_data")
                                        .and_then(Value::as_str)
                                        .map(str::to_owned),
                                })
                                .collect()
                        })
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default()
    }

    pub fn view(&self) -> MessageView {
        MessageView {
            message_id: self.message_id,
            from_bot: self.from_bot,
            text: self.text.clone(),
            html: self.html.clone(),
            caption: self.caption.clone(),
            caption_html: self.caption_html.clone(),
            media: self.media.as_ref().map(|m| MediaView {
                kind: m.kind,
                file_id: m.file_id.clone(),
            }),
            keyboard: self.keyboard(),
            edits: self.edits,
            edit_date: self.edit_date,
        }
    }
}

#[derive(Debug, Default)]
pub struct Chat {
    pub next_message_id: i64,
    pub messages: Vec<StoredMessage>,
}

impl Chat {
    pub fn next_id(&mut self) -> i64 {
        self.next_message_id += 1;
        self.next_message_id
    }

    pub fn live(&self, message_id: i64) -> Option<&StoredMessage> {
        self.messages
            .iter()
            .find(|m| m.message_id == message_id && !m.deleted)
    }

    pub fn live_mut(&mut self, message_id: i64) -> Option<&mut StoredMessage> {
        self.messages
            .iter_mut()
            .find(|m| m.message_id == message_id && !m.deleted)
    }
}

#[derive(Debug, Clone)]
pub struct QueuedUpdate {
    pub id: i64,
    pub body: Value,
    pub callback_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct CallbackState {
    pub created: Instant,
    pub delivered: bool,
    /// How long the press waited here before its first delivery.
    pub waited: Option<Duration>,
    pub answered: bool,
    /// The chat of the person who pressed (for per-chat delays and failures).
    pub chat: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct FileRecord {
    pub kind: MediaKind,
    pub unique_id: String,
    pub size: usize,
    pub file_name: Option<String>,
    pub mime_type: Option<String>,
    /// The uploaded content (absent for files the fake made up).
    pub content: Option<Vec<u8>>,
}

#[derive(Debug, Clone)]
pub struct Webhook {
    pub url: String,
    pub secret_token: Option<String>,
    pub max_connections: u32,
    pub allowed_updates: Option<Vec<String>>,
    pub last_error: Option<(i64, String)>,
    pub delivered: usize,
}

/// The bot the fake pretends to serve.
#[derive(Debug, Clone)]
pub struct BotIdentity {
    pub id: i64,
    pub first_name: String,
    pub username: String,
}

#[derive(Debug)]
pub struct State {
    pub bot: BotIdentity,
    pub users: HashMap<i64, TestUser>,
    pub blocked: HashSet<i64>,
    pub chats: HashMap<i64, Chat>,
    pub next_update_id: i64,
    pub pending: VecDeque<QueuedUpdate>,
    /// Updates queued so far.
    pub queued: usize,
    /// The highest `offset` the bot has sent: every update below it is confirmed.
    pub confirmed_below: i64,
    pub webhook_acked: HashSet<i64>,
    pub callbacks: HashMap<String, CallbackState>,
    pub callback_order: Vec<String>,
    pub callback_answers: HashMap<String, usize>,
    pub next_callback: u64,
    pub files: HashMap<String, FileRecord>,
    pub next_file: u64,
    pub uploads: usize,
    /// (scope key, language code) → commands.
    pub commands: HashMap<(String, String), Vec<(String, String)>>,
    /// (short, language code) → the bot's description or short description.
    pub descriptions: HashMap<(bool, String), String>,
    pub webhook: Option<Webhook>,
    /// A load balancer in front of the webhook: deliveries go round-robin to these
    /// instead of the registered URL (empty: the registered URL).
    pub webhook_targets: Vec<String>,
    /// Deliveries attempted, for the round-robin.
    pub webhook_turn: usize,
    pub polling: bool,
    pub violations: Vec<Violation>,
    pub blocked_sends: Vec<Violation>,
    pub requests: Vec<RequestRecord>,
    pub shutting_down: bool,
    /// Canonical method name → errors to answer its next calls with.
    pub injected: HashMap<String, VecDeque<crate::methods::ApiError>>,
    /// (canonical method name, chat) → errors to answer its next calls for that chat.
    pub injected_for_chat: HashMap<(String, i64), VecDeque<crate::methods::ApiError>>,
    /// Chat → how long every call for it waits before it is answered.
    pub chat_delays: HashMap<i64, std::time::Duration>,
    /// Canonical method name → how to lose the answer of its next successful calls
    /// (to one chat, or any): the call is carried out first.
    pub lost_answers: HashMap<String, VecDeque<(Option<i64>, crate::model::LostAnswer)>>,
    /// Canonical method names whose requests wait until a test releases them.
    pub held: HashSet<String>,
    /// Requests waiting in a hold, by method.
    pub parked: HashMap<String, usize>,
    /// A window in which requests fail ([`crate::FakeTelegram::outage`]).
    pub outage: crate::outage::Outage,
    /// Flood-control buckets and records (used only when flood control is on).
    pub flood: crate::flood::FloodState,
    /// Successful sending requests (flood-limited methods): chat and time.
    pub sent_times: Vec<(i64, Instant)>,
}

impl State {
    pub fn new(token: &str) -> Self {
        let id = token
            .split(':')
            .next()
            .and_then(|id| id.parse().ok())
            .unwrap_or(123_456);
        Self {
            bot: BotIdentity {
                id,
                first_name: "Trainbot Test".into(),
                username: "trainbot_test_bot".into(),
            },
            users: HashMap::new(),
            blocked: HashSet::new(),
            chats: HashMap::new(),
            next_update_id: 0,
            pending: VecDeque::new(),
            queued: 0,
            confirmed_below: 0,
            webhook_acked: HashSet::new(),
            callbacks: HashMap::new(),
            callback_order: Vec::new(),
            callback_answers: HashMap::new(),
            next_callback: 0,
            files: HashMap::new(),
            next_file: 0,
            uploads: 0,
            commands: HashMap::new(),
            descriptions: HashMap::new(),
            webhook: None,
            webhook_targets: Vec::new(),
            webhook_turn: 0,
            polling: false,
            violations: Vec::new(),
            blocked_sends: Vec::new(),
            requests: Vec::new(),
            shutting_down: false,
            injected: HashMap::new(),
            injected_for_chat: HashMap::new(),
            chat_delays: HashMap::new(),
            lost_answers: HashMap::new(),
            held: HashSet::new(),
            parked: HashMap::new(),
            outage: crate::outage::Outage::default(),
            flood: crate::flood::FloodState::default(),
            sent_times: Vec::new(),
        }
    }

    // ----- JSON the bot receives -----

    pub fn bot_user_json(&self) -> Value {
        json!({
            "id": self.bot.id,
            "is_bot": true,
            "first_name": self.bot.first_name,
            "username": self.bot.username,
        })
    }

    pub fn get_me_json(&self) -> Value {
        let mut me = self.bot_user_json();
        for flag in [
            "can_join_groups",
            "can_read_all_group_messages",
            "supports_inline_queries",
            "can_connect_to_business",
            "has_main_web_app",
            "has_topics_enabled",
            "supports_guest_queries",
            "allows_users_to_create_topics",
        ] {
            me[flag] = Value::Bool(false);
        }
        me["can_join_groups"] = Value::Bool(true);
        me
    }

    fn user_or_placeholder(&self, user_id: i64) -> TestUser {
        self.users
            .get(&user_id)
            .cloned()
            .unwrap_or_else(|| TestUser::new(user_id, format!("User {user_id}")))
    }

    pub fn user_json(&self, user_id: i64) -> Value {
        let user = self.user_or_placeholder(user_id);
        let mut json = json!({"id": user.id, "is_bot": false, "first_name": user.first_name});
        if let Some(v) = user.last_name {
            json["last_name"] = v.into();
        }
        if let Some(v) = user.username {
            json["username"] = v.into();
        }
        if let Some(v) = user.language_code {
            json["language_code"] = v.into();
        }
        json
    }

    pub fn chat_json(&self, chat_id: i64) -> Value {
        let user = self.user_or_placeholder(chat_id);
        let mut json = json!({"id": chat_id, "type": "private", "first_name": user.first_name});
        if let Some(v) = user.last_name {
            json["last_name"] = v.into();
        }
        if let Some(v) = user.username {
            json["username"] = v.into();
        }
        json
    }

    fn file_json(&self, media: &StoredMedia) -> Value {
        let record = self.files.get(&media.file_id);
        let unique = record.map(|r| r.unique_id.clone()).unwrap_or_default();
        let size = record.map(|r| r.size).unwrap_or(0);
        let mut json =
            json!({"file_id": media.file_id, "file_unique_id": unique, "file_size": size});
        match media.kind {
            MediaKind::Photo => {
                json["width"] = 1280.into();
                json["height"] = 720.into();
                Value::Array(vec![json])
            }
            MediaKind::Video => {
                json["width"] = 1280.into();
                json["height"] = 720.into();
                json["duration"] = 10.into();
                json["mime_type"] = "video/mp4".into();
                json
            }
            MediaKind::Document => {
                json["file_name"] = record
                    .and_then(|r| r.file_name.clone())
                    .unwrap_or_else(|| "document".into())
                    .into();
                json["mime_type"] = record
                    .and_then(|r| r.mime_type.clone())
                    .unwrap_or_else(|| "application/octet-stream".into())
                    .into();
                json
            }
        }
    }

    pub fn message_json(&self, chat_id: i64, m: &StoredMessage) -> Value {
        let from = if m.from_bot {
            self.bot_user_json()
        } else {
            self.user_json(chat_id)
        };
        let mut json = json!({
            "message_id": m.message_id,
            "from": from,
            "chat": self.chat_json(chat_id),
            "date": m.date,
        });
        if let Some(edit_date) = m.edit_date {
            json["edit_date"] = edit_date.into();
        }
        if let Some(text) = &m.text {
            json["text"] = text.clone().into();
            if !m.entities.is_empty() {
                json["entities"] = Value::Array(m.entities.clone());
            }
        }
        if let Some(caption) = &m.caption {
            json["caption"] = caption.clone().into();
            if !m.caption_entities.is_empty() {
                json["caption_entities"] = Value::Array(m.caption_entities.clone());
            }
        }
        if let Some(media) = &m.media {
            json[media.kind.as_str()] = self.file_json(media);
        }
        if let Some(markup) = &m.reply_markup {
            json["reply_markup"] = markup.clone();
        }
        json
    }

    // ----- people's input -----

    pub fn ensure_user(&mut self, user_id: i64) {
        self.users
            .entry(user_id)
            .or_insert_with(|| TestUser::new(user_id, format!("User {user_id}")));
        self.chats.entry(user_id).or_default();
    }

    pub fn queue(&mut self, mut body: Value, callback_id: Option<String>) -> i64 {
        let given = body.get("update_id").and_then(Value::as_i64);
        let id = match given {
            Some(id) => id,
            None => self.next_update_id + 1,
        };
        self.next_update_id = self.next_update_id.max(id);
        if given.is_none()
            && let Some(object) = body.as_object_mut()
        {
            object.insert("update_id".into(), id.into());
        }
        self.queued += 1;
        self.pending.push_back(QueuedUpdate {
            id,
            body,
            callback_id,
        });
        id
    }

    pub fn new_file(
        &mut self,
        kind: MediaKind,
        size: usize,
        file_name: Option<String>,
        mime_type: Option<String>,
    ) -> String {
        self.next_file += 1;
        let prefix = match kind {
            MediaKind::Photo => "AgACAgI",
            MediaKind::Video => "BAACAgI",
            MediaKind::Document => "BQACAgI",
        };
        let file_id = format!("{prefix}FakeFile{:06}x{}", self.next_file, self.bot.id);
        self.files.insert(
            file_id.clone(),
            FileRecord {
                kind,
                unique_id: format!("AQAD{:06}", self.next_file),
                size,
                file_name,
                mime_type,
                content: None,
            },
        );
        file_id
    }

    pub fn user_message(&mut self, user_id: i64, text: Option<&str>, photo: bool) -> i64 {
        self.ensure_user(user_id);
        self.flood.interaction(user_id, std::time::Instant::now());
        let file_id = photo.then(|| self.new_file(MediaKind::Photo, 54_321, None, None));
        let mut message = StoredMessage::new(0, false);
        if let (Some(caption), Some(_)) = (text, &file_id) {
            message.caption = Some(caption.to_owned());
        } else if let Some(text) = text {
            message.text = Some(text.to_owned());
            if text.starts_with('/') {
                let command = text.split_whitespace().next().unwrap_or(text);
                message.entities =
                    vec![json!({"type": "bot_command", "offset": 0, "length": utf16_len(command)})];
            }
        }
        message.media = file_id.map(|file_id| StoredMedia {
            kind: MediaKind::Photo,
            file_id,
        });
        self.person_sends(user_id, message)
    }

    /// A file the person sends (a photo, video or document with its bytes and
    /// name), with an optional caption; returns its update_id.
    pub fn user_file(
        &mut self,
        user_id: i64,
        kind: MediaKind,
        file_name: &str,
        content: Vec<u8>,
        caption: Option<&str>,
    ) -> i64 {
        self.ensure_user(user_id);
        self.flood.interaction(user_id, std::time::Instant::now());
        let name = (kind != MediaKind::Photo).then(|| file_name.to_owned());
        let file_id = self.new_file(kind, content.len(), name, None);
        if let Some(file) = self.files.get_mut(&file_id) {
            file.content = Some(content);
        }
        let mut message = StoredMessage::new(0, false);
        message.caption = caption.map(str::to_owned);
        message.media = Some(StoredMedia { kind, file_id });
        self.person_sends(user_id, message)
    }

    /// Puts `message` from the person into their chat (with the chat's next
    /// message id) and queues it as an update; returns its update_id.
    fn person_sends(&mut self, user_id: i64, mut message: StoredMessage) -> i64 {
        let chat = self.chats.entry(user_id).or_default();
        message.message_id = chat.next_id();
        chat.messages.push(message.clone());
        let body = json!({"message": self.message_json(user_id, &message)});
        self.queue(body, None)
    }

    fn new_callback_id(&mut self, user_id: i64) -> String {
        self.next_callback += 1;
        format!("{}{:08}", user_id.unsigned_abs(), self.next_callback)
    }

    pub fn callback(&mut self, user_id: i64, message_id: i64, data: &str) -> i64 {
        self.ensure_user(user_id);
        self.flood.interaction(user_id, std::time::Instant::now());
        let id = self.new_callback_id(user_id);
        let message = match self.chats.get(&user_id).and_then(|c| c.live(message_id)) {
            Some(m) => self.message_json(user_id, m),
            None => json!({"chat": self.chat_json(user_id), "message_id": message_id, "date": 0}),
        };
        let body = json!({"callback_query": {
            "id": id,
            "from": self.user_json(user_id),
            "message": message,
            "chat_instance": format!("-{}", user_id.unsigned_abs().wrapping_mul(7919)),
            "data": data,
        }});
        self.register_callback(id.clone(), Some(user_id));
        self.queue(body, Some(id))
    }

    pub fn register_callback(&mut self, id: String, chat: Option<i64>) {
        if self.callbacks.contains_key(&id) {
            return;
        }
        self.callback_order.push(id.clone());
        self.callbacks.insert(
            id,
            CallbackState {
                created: Instant::now(),
                delivered: false,
                waited: None,
                answered: false,
                chat,
            },
        );
    }

    pub fn press(&mut self, user_id: i64, button_text: &str) -> Result<i64, FakeError> {
        let latest = self.chats.get(&user_id).and_then(|chat| {
            chat.messages
                .iter()
                .rev()
                .filter(|m| m.from_bot && !m.deleted)
                .map(StoredMessage::view)
                .find(|v| v.keyboard.iter().any(|row| !row.is_empty()))
        });
        let button = latest.as_ref().and_then(|view| {
            view.keyboard
                .iter()
                .flatten()
                .find(|b| b.text == button_text)
                .map(|b| (view.message_id, b.callback_data.clone()))
        });
        match button {
            None => Err(FakeError::NoSuchButton {
                chat_id: user_id,
                button: button_text.to_owned(),
            }),
            Some((_, None)) => Err(FakeError::NotACallbackButton {
                chat_id: user_id,
                button: button_text.to_owned(),
            }),
            Some((message_id, Some(data))) => Ok(self.callback(user_id, message_id, &data)),
        }
    }

    /// Confirms every update below `offset` (getUpdates semantics).
    pub fn confirm_below(&mut self, offset: i64) {
        self.confirmed_below = self.confirmed_below.max(offset);
        self.pending.retain(|u| u.id >= offset);
    }

    pub fn mark_delivered(&mut self, callback_id: Option<&str>) {
        if let Some(id) = callback_id
            && let Some(cb) = self.callbacks.get_mut(id)
        {
            cb.delivered = true;
            cb.waited.get_or_insert_with(|| cb.created.elapsed());
        }
    }

    // ----- views -----

    pub fn messages(&self, chat_id: i64) -> Vec<MessageView> {
        self.chats
            .get(&chat_id)
            .map(|c| {
                c.messages
                    .iter()
                    .filter(|m| !m.deleted)
                    .map(StoredMessage::view)
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn webhook_view(&self) -> Option<WebhookInfoView> {
        self.webhook.as_ref().map(|w| WebhookInfoView {
            url: w.url.clone(),
            secret_token: w.secret_token.clone(),
            max_connections: w.max_connections,
            allowed_updates: w.allowed_updates.clone(),
            pending_update_count: self.pending.len(),
            last_error_message: w.last_error.as_ref().map(|(_, m)| m.clone()),
            delivered: w.delivered,
        })
    }

    /// Chats whose button presses were answered in another order than they
    /// were made: one chat's updates handled out of order. Each press counts at
    /// its first successful answer.
    pub fn chats_answered_out_of_order(&self) -> Vec<i64> {
        let made: HashMap<&str, usize> = self
            .callback_order
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let mut answered = HashSet::new();
        let mut last: HashMap<i64, usize> = HashMap::new();
        let mut out_of_order = std::collections::BTreeSet::new();
        for r in &self.requests {
            if !(r.ok && r.method.eq_ignore_ascii_case("answerCallbackQuery")) {
                continue;
            }
            let Some(id) = r.params.get("callback_query_id").and_then(|v| v.as_str()) else {
                continue;
            };
            let (Some(&order), Some(chat)) =
                (made.get(id), self.callbacks.get(id).and_then(|c| c.chat))
            else {
                continue;
            };
            if !answered.insert(id) {
                continue;
            }
            if last.get(&chat).is_some_and(|&before| before > order) {
                out_of_order.insert(chat);
            }
            last.insert(chat, order);
        }
        out_of_order.into_iter().collect()
    }

    pub fn callbacks_held_back(&self, at_least: Duration) -> Vec<String> {
        self.callback_order
            .iter()
            .filter(|id| {
                self.callbacks
                    .get(*id)
                    .and_then(|c| c.waited)
                    .is_some_and(|waited| waited >= at_least)
            })
            .cloned()
            .collect()
    }

    pub fn unanswered_callbacks(&self) -> Vec<String> {
        self.callback_order
            .iter()
            .filter(|id| {
                self.callbacks
                    .get(*id)
                    .is_some_and(|c| c.delivered && !c.answered)
            })
            .cloned()
            .collect()
    }
}
