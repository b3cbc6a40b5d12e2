//! Helpers shared by the engine's test suites.

use domain::callback::Callback;
use domain::ids::{ChatId, UserId};
use engine::ports::UserProfile;
use engine::{Action, CallbackMessage, Inbound, Input};

/// A press of `callback` (query `q<query>`), on the text message `on_message` if
/// given.
pub fn press_input(query: i64, callback: Callback, on_message: Option<i64>) -> Input {
    Input::Callback {
        query_id: format!("q{query}"),
        data: Some(callback.encode()),
        message: on_message.map(|id| CallbackMessage {
            id,
            has_text: true,
            edited: None,
        }),
    }
}

/// An update from `person` in their private chat, as the transport makes it.
pub fn private_update(
    update_id: i64,
    person: i64,
    first_name: &str,
    language: &str,
    message_id: Option<i64>,
    input: Input,
) -> Inbound {
    Inbound {
        update_id,
        chat: ChatId(person),
        private_chat: true,
        from: Some(UserProfile {
            id: UserId(person),
            first_name: first_name.to_owned(),
            last_name: None,
            username: None,
            language_code: Some(language.to_owned()),
        }),
        message_id,
        input,
    }
}

/// Every text the bot sent, edited or showed in a callback answer, one a line.
pub fn texts(actions: &[Action]) -> String {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Send { text, .. } | Action::Edit { text, .. } => Some(text.as_str().to_owned()),
            Action::AnswerCallback { text, .. } => text.clone(),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}
