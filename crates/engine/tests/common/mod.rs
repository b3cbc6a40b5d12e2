//! Helpers shared by the engine's test suites.

use engine::Action;

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
