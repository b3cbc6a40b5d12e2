//! The Bot API methods the fake implements, each enforcing `TELEGRAM.md` on top of the
//! schema checks already done by [`crate::spec`].
//!
//! `getUpdates` is not here: it waits, so it lives in [`crate::server`].

use std::time::Duration;

use serde_json::{Value, json};

use crate::model::MediaKind;
use crate::request::Params;
use crate::rules;
use crate::state::{State, StoredMedia, StoredMessage, Webhook, unix_now};

/// How an error answer is filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The bot broke a rule: recorded in `violations()`.
    Violation,
    /// Normal life (`message is not modified`): answered, not recorded.
    Benign,
    /// The person blocked the bot: recorded in `blocked_sends()`.
    Blocked,
}

/// A Bot API error answer.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: u16,
    pub description: String,
    pub class: ErrorClass,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn bad(reason: impl AsRef<str>) -> Self {
        Self {
            code: 400,
            description: format!("Bad Request: {}", reason.as_ref()),
            class: ErrorClass::Violation,
            retry_after: None,
        }
    }

    pub fn conflict(reason: &str) -> Self {
        Self {
            code: 409,
            description: format!("Conflict: {reason}"),
            class: ErrorClass::Violation,
            retry_after: None,
        }
    }

    /// An error injected by a test (`fail_next`): answered, never recorded.
    pub fn injected(code: u16, description: &str, retry_after: Option<u64>) -> Self {
        Self {
            code,
            description: description.to_owned(),
            class: ErrorClass::Benign,
            retry_after,
        }
    }

    fn benign(mut self) -> Self {
        self.class = ErrorClass::Benign;
        self
    }

    fn blocked() -> Self {
        Self {
            code: 403,
            description: "Forbidden: bot was blocked by the user".into(),
            class: ErrorClass::Blocked,
            retry_after: None,
        }
    }
}

pub type MethodResult = Result<Value, ApiError>;

const NOT_MODIFIED: &str = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";
const QUERY_TOO_OLD: &str = "query is too old and response timeout expired or query ID is invalid";

/// Runs one (already schema-validated) method against the state.
pub fn call(
    state: &mut State,
    method: &str,
    params: &Params,
    callback_timeout: Duration,
) -> MethodResult {
    match method {
        "getMe" => Ok(state.get_me_json()),
        "sendMessage" => send_message(state, params),
        "sendPhoto" => send_media(state, params, MediaKind::Photo),
        "sendVideo" => send_media(state, params, MediaKind::Video),
        "sendDocument" => send_media(state, params, MediaKind::Document),
        "editMessageText" => edit_text(state, params),
        "editMessageCaption" => edit_caption(state, params),
        "editMessageReplyMarkup" => edit_markup(state, params),
        "deleteMessage" => delete_message(state, params),
        "answerCallbackQuery" => answer_callback(state, params, callback_timeout),
        "sendChatAction" => send_chat_action(state, params),
        "setMyCommands" => set_commands(state, params),
        "getMyCommands" => get_commands(state, params),
        "deleteMyCommands" => delete_commands(state, params),
        "setMyDescription" => set_description(state, params, false),
        "getMyDescription" => Ok(get_description(state, params, false)),
        "setMyShortDescription" => set_description(state, params, true),
        "getMyShortDescription" => Ok(get_description(state, params, true)),
        "setWebhook" => set_webhook(state, params),
        "deleteWebhook" => delete_webhook(state, params),
        "getWebhookInfo" => Ok(webhook_info(state)),
        other => Err(ApiError::bad(format!(
            "method \"{other}\" is not supported by fake-telegram"
        ))),
    }
}

/// Resolves `chat_id` to a known private chat.
fn chat_id(state: &State, params: &Params) -> Result<i64, ApiError> {
    let id = match params.values.get("chat_id") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    match id {
        Some(id) if state.users.contains_key(&id) => Ok(id),
        _ => Err(ApiError::bad("chat not found")),
    }
}

fn writable_chat(state: &State, params: &Params) -> Result<i64, ApiError> {
    let id = chat_id(state, params)?;
    if state.blocked.contains(&id) {
        return Err(ApiError::blocked());
    }
    Ok(id)
}

fn inline_markup(params: &Params) -> Result<Option<Value>, ApiError> {
    let markup = params.values.get("reply_markup");
    if let Some(markup) = markup {
        rules::check_reply_markup(markup).map_err(ApiError::bad)?;
    }
    Ok(markup.and_then(rules::normalized_inline_markup))
}

fn store_and_answer(state: &mut State, chat_id: i64, message: StoredMessage) -> MethodResult {
    let json = state.message_json(chat_id, &message);
    state
        .chats
        .entry(chat_id)
        .or_default()
        .messages
        .push(message);
    Ok(json)
}

fn send_message(state: &mut State, params: &Params) -> MethodResult {
    let chat_id = writable_chat(state, params)?;
    let raw = params.str("text").unwrap_or_default();
    let rendered = rules::render(raw, params.str("parse_mode"), params.values.get("entities"))
        .map_err(ApiError::bad)?;
    rules::check_text_length(&rendered.text).map_err(ApiError::bad)?;
    let markup = inline_markup(params)?;
    let chat = state.chats.entry(chat_id).or_default();
    let mut message = StoredMessage::new(chat.next_id(), true);
    message.text = Some(rendered.text);
    message.entities = rendered.entities;
    message.html = Some(raw.to_owned());
    message.reply_markup = markup;
    store_and_answer(state, chat_id, message)
}

fn send_media(state: &mut State, params: &Params, kind: MediaKind) -> MethodResult {
    let chat_id = writable_chat(state, params)?;
    let caption = match params.str("caption") {
        Some(raw) => Some(
            rules::render(
                raw,
                params.str("parse_mode"),
                params.values.get("caption_entities"),
            )
            .map_err(ApiError::bad)?,
        ),
        None => None,
    };
    if let Some(caption) = &caption {
        rules::check_caption_length(&caption.text).map_err(ApiError::bad)?;
    }
    let markup = inline_markup(params)?;
    let field = kind.as_str();
    let file_id = if let Some(upload) = params.uploads.get(field) {
        let mime = upload
            .content_type
            .clone()
            .filter(|ct| ct != "application/octet-stream");
        let name = upload.file_name.clone().filter(|n| !n.is_empty());
        let id = state.new_file(kind, upload.size, name, mime);
        if let Some(record) = state.files.get_mut(&id) {
            record.content = Some(upload.bytes.clone());
        }
        id
    } else {
        let given = params.str(field).unwrap_or_default();
        if given.starts_with("http://") || given.starts_with("https://") {
            state.new_file(kind, 100_000, None, None)
        } else {
            match state.files.get(given) {
                Some(record) if record.kind == kind => given.to_owned(),
                _ => return Err(ApiError::bad("wrong file identifier/HTTP URL specified")),
            }
        }
    };
    let chat = state.chats.entry(chat_id).or_default();
    let mut message = StoredMessage::new(chat.next_id(), true);
    message.media = Some(StoredMedia { kind, file_id });
    if let Some(caption) = caption {
        message.caption = Some(caption.text).filter(|c| !c.is_empty());
        message.caption_entities = caption.entities;
        message.caption_html = params.str("caption").map(str::to_owned);
    }
    message.reply_markup = markup;
    store_and_answer(state, chat_id, message)
}

/// Finds the bot message an edit targets.
fn edit_target<'a>(
    state: &'a mut State,
    params: &Params,
) -> Result<(i64, &'a mut StoredMessage), ApiError> {
    if params.values.contains_key("inline_message_id") {
        return Err(ApiError::bad(
            "inline messages are not supported by fake-telegram",
        ));
    }
    let chat_id = writable_chat(state, params)?;
    let Some(message_id) = params.i64("message_id") else {
        return Err(ApiError::bad("message identifier is not specified"));
    };
    let message = state
        .chats
        .get_mut(&chat_id)
        .and_then(|c| c.live_mut(message_id))
        .ok_or_else(|| ApiError::bad("message to edit not found"))?;
    if !message.from_bot {
        return Err(ApiError::bad("message can't be edited"));
    }
    Ok((chat_id, message))
}

fn answer_edited(state: &State, chat_id: i64, message_id: i64) -> MethodResult {
    state
        .chats
        .get(&chat_id)
        .and_then(|c| c.live(message_id))
        .map(|m| state.message_json(chat_id, m))
        .ok_or_else(|| ApiError::bad("message to edit not found"))
}

fn edit_text(state: &mut State, params: &Params) -> MethodResult {
    let raw = params.str("text").unwrap_or_default().to_owned();
    let markup = inline_markup(params)?;
    let rendered = rules::render(
        &raw,
        params.str("parse_mode"),
        params.values.get("entities"),
    );
    let (chat_id, message) = edit_target(state, params)?;
    if message.media.is_some() {
        return Err(ApiError::bad("there is no text in the message to edit"));
    }
    let rendered = rendered.map_err(ApiError::bad)?;
    rules::check_text_length(&rendered.text).map_err(ApiError::bad)?;
    if message.text.as_deref() == Some(rendered.text.as_str())
        && message.entities == rendered.entities
        && message.reply_markup == markup
    {
        return Err(ApiError::bad(NOT_MODIFIED).benign());
    }
    message.text = Some(rendered.text);
    message.entities = rendered.entities;
    message.html = Some(raw);
    message.reply_markup = markup;
    message.edits += 1;
    message.edit_date = Some(unix_now());
    let id = message.message_id;
    answer_edited(state, chat_id, id)
}

fn edit_caption(state: &mut State, params: &Params) -> MethodResult {
    let markup = inline_markup(params)?;
    let rendered = match params.str("caption") {
        Some(raw) => Some(
            rules::render(
                raw,
                params.str("parse_mode"),
                params.values.get("caption_entities"),
            )
            .map_err(ApiError::bad)?,
        ),
        None => None,
    };
    if let Some(rendered) = &rendered {
        rules::check_caption_length(&rendered.text).map_err(ApiError::bad)?;
    }
    let (chat_id, message) = edit_target(state, params)?;
    if message.media.is_none() {
        return Err(ApiError::bad("there is no caption in the message to edit"));
    }
    let (caption, entities) = match rendered {
        Some(r) => (Some(r.text).filter(|c| !c.is_empty()), r.entities),
        None => (None, Vec::new()),
    };
    if message.caption == caption
        && message.caption_entities == entities
        && message.reply_markup == markup
    {
        return Err(ApiError::bad(NOT_MODIFIED).benign());
    }
    message.caption = caption;
    message.caption_entities = entities;
    message.caption_html = params.str("caption").map(str::to_owned);
    message.reply_markup = markup;
    message.edits += 1;
    message.edit_date = Some(unix_now());
    let id = message.message_id;
    answer_edited(state, chat_id, id)
}

fn edit_markup(state: &mut State, params: &Params) -> MethodResult {
    let markup = inline_markup(params)?;
    let (chat_id, message) = edit_target(state, params)?;
    if message.reply_markup == markup {
        return Err(ApiError::bad(NOT_MODIFIED).benign());
    }
    message.reply_markup = markup;
    message.edits += 1;
    message.edit_date = Some(unix_now());
    let id = message.message_id;
    answer_edited(state, chat_id, id)
}

fn delete_message(state: &mut State, params: &Params) -> MethodResult {
    let chat_id = chat_id(state, params)?;
    let message_id = params.i64("message_id").unwrap_or_default();
    let message = state
        .chats
        .get_mut(&chat_id)
        .and_then(|c| c.live_mut(message_id))
        .ok_or_else(|| ApiError::bad("message to delete not found"))?;
    message.deleted = true;
    Ok(Value::Bool(true))
}

fn answer_callback(state: &mut State, params: &Params, timeout: Duration) -> MethodResult {
    let id = params
        .str("callback_query_id")
        .unwrap_or_default()
        .to_owned();
    *state.callback_answers.entry(id.clone()).or_default() += 1;
    let Some(callback) = state.callbacks.get_mut(&id) else {
        return Err(ApiError::bad(QUERY_TOO_OLD));
    };
    if callback.answered || callback.created.elapsed() > timeout {
        return Err(ApiError::bad(QUERY_TOO_OLD));
    }
    if let Some(text) = params.str("text")
        && text.chars().count() > rules::CALLBACK_ANSWER_MAX
    {
        return Err(ApiError::bad("MESSAGE_TOO_LONG"));
    }
    callback.answered = true;
    Ok(Value::Bool(true))
}

const CHAT_ACTIONS: &[&str] = &[
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
];

fn send_chat_action(state: &mut State, params: &Params) -> MethodResult {
    writable_chat(state, params)?;
    let action = params.str("action").unwrap_or_default();
    if !CHAT_ACTIONS.contains(&action) {
        return Err(ApiError::bad("wrong parameter action in request"));
    }
    Ok(Value::Bool(true))
}

fn scope_key(params: &Params) -> String {
    let Some(scope) = params.values.get("scope") else {
        return "default".into();
    };
    let kind = scope
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("default");
    let mut key = kind.to_owned();
    for extra in ["chat_id", "user_id"] {
        if let Some(v) = scope.get(extra) {
            let v = v.to_string();
            key.push_str(&format!(":{extra}={}", v.trim_matches('"')));
        }
    }
    key
}

/// A scope naming a chat must name one the bot knows, as Telegram's does.
fn check_scope_chat(state: &State, params: &Params) -> Result<(), ApiError> {
    let chat = params
        .values
        .get("scope")
        .and_then(|scope| scope.get("chat_id"));
    let id = match chat {
        None => return Ok(()),
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
        Some(_) => None,
    };
    // Telegram's answer; not held against the bot: a person it knows may have
    // deleted their account or never written to this bot.
    match id {
        Some(id) if state.users.contains_key(&id) => Ok(()),
        _ => Err(ApiError::bad("chat not found").benign()),
    }
}

/// `setMyDescription` (at most 512 characters) and `setMyShortDescription` (at
/// most 120); an empty text removes it for that language.
fn set_description(state: &mut State, params: &Params, short: bool) -> MethodResult {
    let (field, max) = if short {
        ("short_description", 120)
    } else {
        ("description", 512)
    };
    let text = params.str(field).unwrap_or_default().to_owned();
    if text.chars().count() > max {
        return Err(ApiError::bad(format!("{}_INVALID", field.to_uppercase())));
    }
    let key = (
        short,
        params.str("language_code").unwrap_or_default().to_owned(),
    );
    if text.is_empty() {
        state.descriptions.remove(&key);
    } else {
        state.descriptions.insert(key, text);
    }
    Ok(Value::Bool(true))
}

/// `getMyDescription` / `getMyShortDescription`: the language's own text, or
/// the one set without a language, or empty.
fn get_description(state: &State, params: &Params, short: bool) -> Value {
    let lang = params.str("language_code").unwrap_or_default().to_owned();
    let text = state
        .descriptions
        .get(&(short, lang))
        .or_else(|| state.descriptions.get(&(short, String::new())))
        .cloned()
        .unwrap_or_default();
    let field = if short {
        "short_description"
    } else {
        "description"
    };
    json!({ field: text })
}

fn commands_key(params: &Params) -> (String, String) {
    (
        scope_key(params),
        params.str("language_code").unwrap_or_default().to_owned(),
    )
}

fn set_commands(state: &mut State, params: &Params) -> MethodResult {
    check_scope_chat(state, params)?;
    let commands = params
        .values
        .get("commands")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let parsed = rules::check_commands(&commands).map_err(ApiError::bad)?;
    state.commands.insert(commands_key(params), parsed);
    Ok(Value::Bool(true))
}

fn get_commands(state: &mut State, params: &Params) -> MethodResult {
    let commands = state
        .commands
        .get(&commands_key(params))
        .cloned()
        .unwrap_or_default();
    Ok(Value::Array(
        commands
            .into_iter()
            .map(|(command, description)| json!({"command": command, "description": description}))
            .collect(),
    ))
}

fn delete_commands(state: &mut State, params: &Params) -> MethodResult {
    state.commands.remove(&commands_key(params));
    Ok(Value::Bool(true))
}

fn set_webhook(state: &mut State, params: &Params) -> MethodResult {
    let url = params.str("url").unwrap_or_default().trim().to_owned();
    if params.bool("drop_pending_updates") {
        state.pending.clear();
    }
    if url.is_empty() {
        state.webhook = None;
        return Ok(Value::Bool(true));
    }
    rules::check_webhook_url(&url).map_err(ApiError::bad)?;
    let secret_token = params.str("secret_token").map(str::to_owned);
    if let Some(secret) = &secret_token {
        rules::check_secret_token(secret).map_err(ApiError::bad)?;
    }
    let max_connections = params.i64("max_connections").unwrap_or(40);
    if !(1..=100).contains(&max_connections) {
        return Err(ApiError::bad(
            "bad webhook: max_connections must be between 1 and 100",
        ));
    }
    let allowed_updates = params.values.get("allowed_updates").and_then(|v| {
        v.as_array().map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
    });
    state.webhook = Some(Webhook {
        url,
        secret_token,
        max_connections: u32::try_from(max_connections).unwrap_or(40),
        allowed_updates,
        last_error: None,
        delivered: 0,
    });
    Ok(Value::Bool(true))
}

fn delete_webhook(state: &mut State, params: &Params) -> MethodResult {
    if params.bool("drop_pending_updates") {
        state.pending.clear();
    }
    state.webhook = None;
    Ok(Value::Bool(true))
}

fn webhook_info(state: &State) -> Value {
    let mut info = json!({
        "url": "",
        "has_custom_certificate": false,
        "pending_update_count": state.pending.len(),
    });
    if let Some(webhook) = &state.webhook {
        info["url"] = webhook.url.clone().into();
        info["max_connections"] = webhook.max_connections.into();
        if let Some(allowed) = &webhook.allowed_updates {
            info["allowed_updates"] = json!(allowed);
        }
        if let Some((date, message)) = &webhook.last_error {
            info["last_error_date"] = (*date).into();
            info["last_error_message"] = message.clone().into();
        }
    }
    info
}
