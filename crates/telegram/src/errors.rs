//! What Telegram's answers mean for us, decided in one place.

use std::time::Duration;

use teloxide::{ApiError, RequestError};

/// An error from the Bot API, classified by what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// "message is not modified": the screen is already right.
    NotModified,
    /// The message to edit is gone, or holds media: send a new one instead.
    EditImpossible,
    /// 403: the person blocked the bot.
    Blocked,
    /// 429: wait exactly this long, then retry.
    RetryAfter(Duration),
    /// The request never reached Telegram (the connection was refused or could
    /// not be made), or Telegram says it did not handle it (503): retry with
    /// backoff.
    Transient(String),
    /// The request may have reached Telegram, but its answer was lost: a time-out
    /// or a connection dropped after sending, a 500, 502 or 504, an answer that is
    /// not Telegram's JSON. Telegram may have carried it out, so a request whose repetition is
    /// not harmless (a new message) is never repeated; others are retried like
    /// [`Failure::Transient`].
    Unknown(String),
    /// A cached `file_id` Telegram no longer accepts: upload again.
    BadFileId,
    /// Anything else: a bug or a condition retrying won't fix. Logged.
    Permanent(String),
    /// Not sent: Telegram kept failing, its circuit breaker is open and the call
    /// ran out of patience waiting for it. Safe to send again later.
    CircuitOpen,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::NotModified => f.write_str("the message is not modified"),
            Failure::EditImpossible => f.write_str("the message cannot be edited"),
            Failure::Blocked => f.write_str("the person blocked the bot"),
            Failure::RetryAfter(d) => write!(f, "Telegram asked to wait {} s", d.as_secs()),
            Failure::Transient(why) => write!(f, "Telegram cannot be reached: {why}"),
            Failure::Unknown(why) => write!(f, "Telegram's answer was lost: {why}"),
            Failure::BadFileId => f.write_str("Telegram refused a cached file id"),
            Failure::Permanent(why) => write!(f, "Telegram refused the request: {why}"),
            Failure::CircuitOpen => {
                f.write_str("not sent: Telegram keeps failing and its circuit breaker is open")
            }
        }
    }
}

pub fn classify(e: &RequestError) -> Failure {
    match e {
        RequestError::RetryAfter(s) => Failure::RetryAfter(s.duration()),
        // Only a connection that could not be made proves the request was not
        // sent; a time-out or a reset may come after Telegram has acted on it.
        RequestError::Network(e) if e.is_connect() => Failure::Transient(redacted(&e.to_string())),
        RequestError::Network(e) => Failure::Unknown(redacted(&e.to_string())),
        // An answer that is not Telegram's JSON (a proxy's 502 page): Telegram may
        // have acted on the request.
        RequestError::InvalidJson { .. } => Failure::Unknown(e.to_string()),
        // Reading a file to upload failed: the request was never complete.
        RequestError::Io(_) => Failure::Transient(e.to_string()),
        RequestError::MigrateToChatId(_) => Failure::Permanent(e.to_string()),
        RequestError::Api(api) => match api {
            ApiError::MessageNotModified => Failure::NotModified,
            ApiError::MessageToEditNotFound | ApiError::MessageCantBeEdited => {
                Failure::EditImpossible
            }
            ApiError::BotBlocked | ApiError::UserDeactivated => Failure::Blocked,
            ApiError::WrongFileId | ApiError::WrongFileIdOrUrl => Failure::BadFileId,
            ApiError::Unknown(text) => classify_text(text),
            other => Failure::Permanent(other.to_string()),
        },
    }
}

fn classify_text(text: &str) -> Failure {
    let lower = text.to_ascii_lowercase();
    if lower.contains("there is no text in the message to edit")
        || lower.contains("message to edit not found")
    {
        Failure::EditImpossible
    } else if lower.contains("forbidden: bot was blocked") || lower.contains("user is deactivated")
    {
        Failure::Blocked
    } else if lower.contains("service unavailable") {
        // 503: the server says it did not handle the request (overloaded, or down
        // for maintenance): safe to send again.
        Failure::Transient(text.to_owned())
    } else if ["internal server error", "bad gateway", "gateway timeout"]
        .iter()
        .any(|t| lower.contains(t))
    {
        // 500, 502, 504 (teloxide keeps only the description): the request reached
        // a server, which may have acted on it (or passed it on) before failing.
        Failure::Unknown(text.to_owned())
    } else {
        Failure::Permanent(text.to_owned())
    }
}

/// Removes the bot token from anything that may contain an API URL
/// (`/bot123:ABC/sendMessage`), so it never reaches a log.
pub fn redacted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("/bot") {
        out.push_str(&rest[..at + 4]);
        let after = &rest[at + 4..];
        let end = after.find(['/', ' ', '?', '"', ')']).unwrap_or(after.len());
        if after[..end].contains(':') {
            out.push_str("<redacted>");
        } else {
            out.push_str(&after[..end]);
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_redacted_from_urls() {
        let s = "error sending request for url (https://api.telegram.org/bot123456:AAH-secret_x/GetUpdates)";
        let r = redacted(s);
        assert!(!r.contains("AAH-secret_x"), "{r}");
        assert!(r.contains("/bot<redacted>/GetUpdates"), "{r}");
        assert_eq!(
            redacted("/file/bot1:x/photos/a.jpg"),
            "/file/bot<redacted>/photos/a.jpg"
        );
        assert_eq!(redacted("no url here"), "no url here");
        assert_eq!(redacted("/botany"), "/botany");
    }

    #[test]
    fn answers_are_classified() {
        assert_eq!(
            classify(&RequestError::Api(ApiError::MessageNotModified)),
            Failure::NotModified
        );
        assert_eq!(
            classify(&RequestError::Api(ApiError::BotBlocked)),
            Failure::Blocked
        );
        assert_eq!(
            classify(&RequestError::Api(ApiError::MessageToEditNotFound)),
            Failure::EditImpossible
        );
        assert_eq!(
            classify(&RequestError::Api(ApiError::Unknown(
                "Bad Request: there is no text in the message to edit".into()
            ))),
            Failure::EditImpossible
        );
        for lost in ["Internal Server Error", "Bad Gateway", "Gateway Timeout"] {
            assert!(
                matches!(
                    classify(&RequestError::Api(ApiError::Unknown(lost.into()))),
                    Failure::Unknown(_)
                ),
                "{lost}"
            );
        }
        assert!(matches!(
            classify(&RequestError::Api(ApiError::Unknown(
                "Service Unavailable".into()
            ))),
            Failure::Transient(_)
        ));
        assert!(matches!(
            classify(&RequestError::Api(ApiError::Unknown(
                "Bad Request: can't parse entities".into()
            ))),
            Failure::Permanent(_)
        ));
    }
}
