//! The Bot API calls made for every update (`getUpdates`, `answerCallbackQuery`,
//! `editMessageText`), read without teloxide's reading of answers (ADR 0038).
//!
//! teloxide reads every answer through an untagged enum, which first copies the
//! whole answer into an intermediate tree and then reads the tree; and it builds
//! the whole `Message` an edit returns, keyboard included, which nobody reads.
//! Under load that was the largest part of the bot's own CPU after the database
//! round trips were gone. Here the envelope is read directly and a result the
//! bot does not use is skipped ([`Ignored`]). Errors come out as teloxide's
//! [`RequestError`], the same as its own calls give, so [`crate::errors`]
//! classifies both alike.

use std::sync::Arc;

use engine::Keyboard;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};
use teloxide::types::ResponseParameters;
use teloxide::{ApiError, Bot, RequestError};

/// A result read and thrown away.
pub(crate) type Ignored = IgnoredAny;

/// What `editMessageText` gives back for a chat's message: the message, of
/// which only when Telegram dates the edit is read (the screen ledger keeps it).
#[derive(Deserialize)]
pub(crate) struct Edited {
    pub(crate) edit_date: Option<i64>,
}

/// The Bot API's answer envelope.
#[derive(Deserialize)]
struct Envelope<R> {
    ok: bool,
    result: Option<R>,
    description: Option<ApiError>,
    parameters: Option<ResponseParameters>,
}

/// Calls `method` with `payload` as JSON and reads its result as `R`.
pub(crate) async fn call<P, R>(bot: &Bot, method: &str, payload: &P) -> Result<R, RequestError>
where
    P: Serialize + ?Sized,
    R: DeserializeOwned,
{
    let mut url = bot.api_url();
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.push(&format!("bot{}", bot.token())).push(method);
    }
    let body = serde_json::to_vec(payload).map_err(|e| invalid_json(e, ""))?;
    let response = bot
        .client()
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        // `From` hides the token in the error's URL.
        .map_err(RequestError::from)?;
    let text = response.bytes().await.map_err(RequestError::from)?;
    let envelope: Envelope<R> = serde_json::from_slice(&text)
        .map_err(|e| invalid_json(e, &String::from_utf8_lossy(&text)))?;
    match envelope {
        Envelope {
            ok: true,
            result: Some(result),
            ..
        } => Ok(result),
        Envelope {
            parameters: Some(ResponseParameters::RetryAfter(after)),
            ..
        } => Err(RequestError::RetryAfter(after)),
        Envelope {
            parameters: Some(ResponseParameters::MigrateToChatId(to)),
            ..
        } => Err(RequestError::MigrateToChatId(to)),
        Envelope {
            ok: false,
            description: Some(error),
            ..
        } => Err(RequestError::Api(error)),
        Envelope { ok, .. } => Err(RequestError::Api(ApiError::Unknown(format!(
            "an answer with ok={ok} and neither a result nor a description"
        )))),
    }
}

fn invalid_json(source: serde_json::Error, raw: &str) -> RequestError {
    RequestError::InvalidJson {
        source: Arc::new(source),
        raw: raw.into(),
    }
}

/// `answerCallbackQuery`'s parameters.
#[derive(Serialize)]
pub(crate) struct AnswerCallback<'a> {
    pub(crate) callback_query_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) text: Option<&'a str>,
}

/// `editMessageText`'s parameters, always as HTML.
#[derive(Serialize)]
pub(crate) struct EditText<'a> {
    pub(crate) chat_id: i64,
    pub(crate) message_id: i32,
    pub(crate) text: &'a str,
    pub(crate) parse_mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reply_markup: Option<Markup<'a>>,
}

/// An inline keyboard as the Bot API takes it.
#[derive(Serialize)]
pub(crate) struct Markup<'a> {
    inline_keyboard: Vec<Vec<Button<'a>>>,
}

#[derive(Serialize)]
struct Button<'a> {
    text: &'a str,
    callback_data: String,
}

impl<'a> From<&'a Keyboard> for Markup<'a> {
    fn from(keyboard: &'a Keyboard) -> Markup<'a> {
        Markup {
            inline_keyboard: keyboard
                .rows
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|b| Button {
                            text: &b.text,
                            callback_data: b.callback.encode(),
                        })
                        .collect()
                })
                .collect(),
        }
    }
}

/// `getUpdates`' parameters.
#[derive(Serialize)]
pub(crate) struct GetUpdates {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) offset: Option<i32>,
    pub(crate) limit: u8,
    pub(crate) timeout: u32,
}
