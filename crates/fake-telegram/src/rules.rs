//! The limits of `TELEGRAM.md` that the schema does not state: text and caption
//! lengths after entity parsing, inline keyboard shape, `callback_data` bytes, bot
//! commands, webhook settings. Errors are Telegram's descriptions without
//! `Bad Request: `.

use serde_json::Value;

use crate::html;
use crate::state::utf16_len;

pub const TEXT_MAX: usize = 4096;
pub const CAPTION_MAX: usize = 1024;
pub const CALLBACK_DATA_MAX_BYTES: usize = 64;
pub const CALLBACK_ANSWER_MAX: usize = 200;
pub const KEYBOARD_MAX_BUTTONS: usize = 100;
pub const KEYBOARD_MAX_PER_ROW: usize = 8;
pub const COMMANDS_MAX: usize = 100;

/// Text as Telegram stores it: plain text plus entities (Bot API JSON).
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub text: String,
    pub entities: Vec<Value>,
}

/// Applies `parse_mode` (or explicit entities) and trims surrounding whitespace, as
/// Telegram does before counting characters.
pub fn render(
    raw: &str,
    parse_mode: Option<&str>,
    entities: Option<&Value>,
) -> Result<Rendered, String> {
    let (text, entities) = match parse_mode.map(str::trim).filter(|m| !m.is_empty()) {
        None => (
            raw.to_owned(),
            entities
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
        ),
        Some(mode) if mode.eq_ignore_ascii_case("html") => {
            let parsed = html::parse_entities(raw).map_err(|e| e.to_string())?;
            let entities = parsed.entities.iter().map(html::Entity::to_json).collect();
            (parsed.text, entities)
        }
        // Markdown is not parsed by the fake: the text is stored as sent.
        Some(mode)
            if mode.eq_ignore_ascii_case("markdownv2") || mode.eq_ignore_ascii_case("markdown") =>
        {
            (raw.to_owned(), Vec::new())
        }
        Some(mode) => return Err(format!("unsupported parse_mode \"{mode}\"")),
    };
    Ok(trim(text, entities))
}

fn trim(text: String, entities: Vec<Value>) -> Rendered {
    let trimmed_start = text.trim_start();
    let lead = utf16_len(text.get(..text.len() - trimmed_start.len()).unwrap_or(""));
    let trimmed = trimmed_start.trim_end().to_owned();
    let total = utf16_len(&trimmed);
    let entities = entities
        .into_iter()
        .filter_map(|mut e| {
            let offset = e.get("offset").and_then(Value::as_u64)? as usize;
            let length = e.get("length").and_then(Value::as_u64)? as usize;
            let start = offset.saturating_sub(lead).min(total);
            let end = (offset + length).saturating_sub(lead).min(total);
            if end <= start {
                return None;
            }
            e["offset"] = start.into();
            e["length"] = (end - start).into();
            Some(e)
        })
        .collect();
    Rendered {
        text: trimmed,
        entities,
    }
}

pub fn check_text_length(text: &str) -> Result<(), String> {
    let chars = text.chars().count();
    if chars == 0 {
        return Err("message text is empty".into());
    }
    if chars > TEXT_MAX {
        return Err("message is too long".into());
    }
    Ok(())
}

pub fn check_caption_length(caption: &str) -> Result<(), String> {
    if caption.chars().count() > CAPTION_MAX {
        return Err("message caption is too long".into());
    }
    Ok(())
}

/// Button fields that are not actions.
const NON_ACTION_FIELDS: &[&str] = &["text", "icon_custom_emoji_id", "style"];

/// Checks an inline keyboard's shape; other markup kinds pass.
pub fn check_reply_markup(markup: &Value) -> Result<(), String> {
    let Some(rows) = markup.get("inline_keyboard").and_then(Value::as_array) else {
        return Ok(());
    };
    let mut total = 0;
    for row in rows {
        let buttons = row.as_array().map(Vec::as_slice).unwrap_or_default();
        if buttons.len() > KEYBOARD_MAX_PER_ROW {
            return Err(format!(
                "too many buttons in a row: {} (at most {KEYBOARD_MAX_PER_ROW})",
                buttons.len()
            ));
        }
        total += buttons.len();
        for button in buttons {
            check_button(button)?;
        }
    }
    if total > KEYBOARD_MAX_BUTTONS {
        return Err(format!(
            "reply markup is too long: {total} buttons (at most {KEYBOARD_MAX_BUTTONS})"
        ));
    }
    Ok(())
}

fn check_button(button: &Value) -> Result<(), String> {
    let Some(fields) = button.as_object() else {
        return Err("can't parse inline keyboard button: object expected".into());
    };
    if fields
        .get("text")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Err("BUTTON_TEXT_INVALID".into());
    }
    let actions = fields
        .iter()
        .filter(|(k, v)| !NON_ACTION_FIELDS.contains(&k.as_str()) && !v.is_null())
        .count();
    if actions == 0 {
        return Err(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                .into(),
        );
    }
    if actions > 1 {
        return Err(
            "can't parse inline keyboard button: exactly one action field must be specified".into(),
        );
    }
    if let Some(data) = fields.get("callback_data") {
        let len = data.as_str().map_or(0, str::len);
        if len == 0 || len > CALLBACK_DATA_MAX_BYTES {
            return Err("BUTTON_DATA_INVALID".into());
        }
    }
    Ok(())
}

/// The inline keyboard to store for a message, `None` when there is none.
pub fn normalized_inline_markup(markup: &Value) -> Option<Value> {
    let rows = markup.get("inline_keyboard")?.as_array()?;
    let any = rows
        .iter()
        .any(|r| r.as_array().is_some_and(|b| !b.is_empty()));
    any.then(|| markup.clone())
}

/// Checks `setMyCommands.commands` and returns (command, description) pairs.
pub fn check_commands(commands: &[Value]) -> Result<Vec<(String, String)>, String> {
    if commands.len() > COMMANDS_MAX {
        return Err("BOT_COMMANDS_TOO_MUCH".into());
    }
    commands
        .iter()
        .map(|c| {
            let name = c.get("command").and_then(Value::as_str).unwrap_or_default();
            let description = c
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let name_ok = (1..=32).contains(&name.len())
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !name_ok {
                return Err("BOT_COMMAND_INVALID".to_owned());
            }
            if !(1..=256).contains(&description.chars().count()) {
                return Err("BOT_COMMAND_DESCRIPTION_INVALID".to_owned());
            }
            Ok((name.to_owned(), description.to_owned()))
        })
        .collect()
}

/// `secret_token`: 1-256 of `A-Z a-z 0-9 _ -`.
pub fn check_secret_token(secret: &str) -> Result<(), String> {
    let ok = (1..=256).contains(&secret.len())
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err("secret token contains unallowed characters or has a wrong length".into())
    }
}

/// The fake accepts `http://` too, so that local bots can receive webhooks.
pub fn check_webhook_url(url: &str) -> Result<(), String> {
    match url::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.host().is_some() => {
            Ok(())
        }
        _ => Err("bad webhook: invalid webhook URL specified".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keyboard(rows: Value) -> Value {
        json!({"inline_keyboard": rows})
    }

    #[test]
    fn text_lengths_count_code_points_after_parsing() {
        let long = "я".repeat(TEXT_MAX);
        assert!(check_text_length(&long).is_ok());
        assert_eq!(
            check_text_length(&format!("{long}я")).unwrap_err(),
            "message is too long"
        );
        let rendered = render("<b></b>  \n", Some("HTML"), None).unwrap();
        assert_eq!(
            check_text_length(&rendered.text).unwrap_err(),
            "message text is empty"
        );
        // Markup does not count.
        let html = format!("<b>{}</b>", "a".repeat(TEXT_MAX));
        let rendered = render(&html, Some("HTML"), None).unwrap();
        assert!(check_text_length(&rendered.text).is_ok());
        assert!(check_caption_length(&"a".repeat(CAPTION_MAX)).is_ok());
        assert_eq!(
            check_caption_length(&"a".repeat(CAPTION_MAX + 1)).unwrap_err(),
            "message caption is too long"
        );
    }

    #[test]
    fn render_trims_and_shifts_entities() {
        let rendered = render("  <b>hi</b> there \n", Some("HTML"), None).unwrap();
        assert_eq!(rendered.text, "hi there");
        assert_eq!(
            rendered.entities,
            vec![json!({"type":"bold","offset":0,"length":2})]
        );
        assert_eq!(
            render("x", Some("Foo"), None).unwrap_err(),
            "unsupported parse_mode \"Foo\""
        );
        assert_eq!(render("a & b", None, None).unwrap().text, "a & b");
    }

    #[test]
    fn keyboard_limits() {
        let button = json!({"text": "a", "callback_data": "x"});
        assert!(check_reply_markup(&keyboard(json!([vec![button.clone(); 8]]))).is_ok());
        assert!(
            check_reply_markup(&keyboard(json!([vec![button.clone(); 9]])))
                .unwrap_err()
                .starts_with("too many buttons in a row")
        );
        let rows: Vec<_> = (0..13).map(|_| vec![button.clone(); 8]).collect();
        assert!(
            check_reply_markup(&keyboard(json!(rows)))
                .unwrap_err()
                .starts_with("reply markup is too long")
        );
    }

    #[test]
    fn callback_data_is_counted_in_bytes() {
        let ok = "я".repeat(32); // 64 bytes
        assert!(
            check_reply_markup(&keyboard(json!([[{"text": "a", "callback_data": ok}]]))).is_ok()
        );
        let long = "я".repeat(33); // 66 bytes, 33 characters
        assert_eq!(
            check_reply_markup(&keyboard(json!([[{"text": "a", "callback_data": long}]])))
                .unwrap_err(),
            "BUTTON_DATA_INVALID"
        );
        assert_eq!(
            check_reply_markup(&keyboard(json!([[{"text": "a", "callback_data": ""}]])))
                .unwrap_err(),
            "BUTTON_DATA_INVALID"
        );
    }

    #[test]
    fn buttons_need_exactly_one_action() {
        assert!(
            check_reply_markup(&keyboard(json!([[{"text": "a"}]])))
                .unwrap_err()
                .contains("Text buttons are unallowed")
        );
        assert!(
            check_reply_markup(&keyboard(
                json!([[{"text": "a", "url": "https://x.io", "callback_data": "x"}]])
            ))
            .unwrap_err()
            .contains("exactly one action")
        );
        assert!(
            check_reply_markup(&keyboard(
                json!([[{"text": "a", "style": "danger", "url": "https://x.io"}]])
            ))
            .is_ok()
        );
        assert_eq!(
            check_reply_markup(&keyboard(json!([[{"text": "", "callback_data": "x"}]])))
                .unwrap_err(),
            "BUTTON_TEXT_INVALID"
        );
    }

    #[test]
    fn commands() {
        let ok = json!({"command": "start_1", "description": "Начать"});
        assert_eq!(
            check_commands(std::slice::from_ref(&ok)).unwrap(),
            vec![("start_1".to_owned(), "Начать".to_owned())]
        );
        assert_eq!(
            check_commands(&vec![ok; 101]).unwrap_err(),
            "BOT_COMMANDS_TOO_MUCH"
        );
        for bad in ["", "Start", "start-now", &"a".repeat(33)] {
            assert_eq!(
                check_commands(&[json!({"command": bad, "description": "d"})]).unwrap_err(),
                "BOT_COMMAND_INVALID",
                "{bad}"
            );
        }
        assert_eq!(
            check_commands(&[json!({"command": "a", "description": ""})]).unwrap_err(),
            "BOT_COMMAND_DESCRIPTION_INVALID"
        );
        assert!(check_commands(&[json!({"command": "a", "description": "d".repeat(256)})]).is_ok());
    }

    #[test]
    fn webhook_settings() {
        assert!(check_secret_token("Abc_-9").is_ok());
        assert!(check_secret_token("").is_err());
        assert!(check_secret_token("a b").is_err());
        assert!(check_secret_token(&"a".repeat(257)).is_err());
        assert!(check_webhook_url("https://bot.example.com/hook").is_ok());
        assert!(check_webhook_url("http://127.0.0.1:8080/hook").is_ok());
        assert!(check_webhook_url("ftp://x").is_err());
        assert!(check_webhook_url("not a url").is_err());
    }
}
