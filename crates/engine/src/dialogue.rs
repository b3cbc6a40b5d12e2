//! Dialogues: the few places where the bot waits for typed text. Kept in the state
//! store per chat, so a dialogue survives a restart and moves between replicas.

use std::time::Duration;

use domain::ids::NodeId;
use domain::lang::Lang;

use crate::context::Cx;
use crate::ports::StateStore;

/// How long the bot waits for typed text before forgetting the question.
const DIALOGUE_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// What typed text means right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialogue {
    /// Onboarding asked for the person's park (step 1): typed text gets the same
    /// question again, not the main menu.
    OnboardingPark,
    /// Onboarding asked for the person's department (step 2).
    OnboardingDepartment,
    /// The bot asked for the person's position, during onboarding or from /profile.
    Position { onboarding: bool },
    /// The bot asked an admin for the password.
    AdminPassword,
    /// The bot asked a role holder to choose their password (first login).
    AdminNewPassword,
    /// The bot asked an admin why they block person `target`.
    BlockReason { target: i64 },
    /// The bot asked an admin for an announcement's text (or a file with a caption).
    BroadcastText,
    /// The bot asked an admin when the announcement should start.
    BroadcastTime,
    /// The bot asked a stranger for their name, for an access request.
    AccessName,
    /// The bot asked an admin what to search for among people.
    AdminSearch,
    /// The bot asked an admin for a certificate code.
    AdminVerify,
    /// The bot asked an admin for page `node`'s new text in `lang` (Markdown).
    ContentText { node: NodeId, lang: Lang },
    /// The bot asked an admin for a photo, video or document for page `node`.
    ContentMedia { node: NodeId },
}

impl Dialogue {
    fn encode(self) -> String {
        match self {
            Dialogue::BlockReason { target } => format!("admin-block:{target}"),
            Dialogue::OnboardingPark => "onboarding-park".to_owned(),
            Dialogue::OnboardingDepartment => "onboarding-department".to_owned(),
            Dialogue::Position { onboarding: true } => "onboarding-position".to_owned(),
            Dialogue::Position { onboarding: false } => "profile-position".to_owned(),
            Dialogue::AdminPassword => "admin-password".to_owned(),
            Dialogue::AdminNewPassword => "admin-new-password".to_owned(),
            Dialogue::BroadcastText => "broadcast-text".to_owned(),
            Dialogue::BroadcastTime => "broadcast-time".to_owned(),
            Dialogue::AccessName => "access-name".to_owned(),
            Dialogue::AdminSearch => "admin-search".to_owned(),
            Dialogue::AdminVerify => "admin-verify".to_owned(),
            Dialogue::ContentText { node, lang } => format!("content-text:{node}:{lang}"),
            Dialogue::ContentMedia { node } => format!("content-media:{node}"),
        }
    }

    fn decode(raw: &str) -> Option<Dialogue> {
        match raw {
            "onboarding-park" => Some(Dialogue::OnboardingPark),
            "onboarding-department" => Some(Dialogue::OnboardingDepartment),
            "onboarding-position" => Some(Dialogue::Position { onboarding: true }),
            "profile-position" => Some(Dialogue::Position { onboarding: false }),
            "admin-password" => Some(Dialogue::AdminPassword),
            "admin-new-password" => Some(Dialogue::AdminNewPassword),
            "broadcast-text" => Some(Dialogue::BroadcastText),
            "broadcast-time" => Some(Dialogue::BroadcastTime),
            "access-name" => Some(Dialogue::AccessName),
            "admin-search" => Some(Dialogue::AdminSearch),
            "admin-verify" => Some(Dialogue::AdminVerify),
            other => {
                if let Some(rest) = other.strip_prefix("content-text:") {
                    let (node, lang) = rest.split_once(':')?;
                    return Some(Dialogue::ContentText {
                        node: NodeId::parse(node)?,
                        lang: Lang::from_code(lang)?,
                    });
                }
                if let Some(node) = other.strip_prefix("content-media:") {
                    return NodeId::parse(node).map(|node| Dialogue::ContentMedia { node });
                }
                other
                    .strip_prefix("admin-block:")
                    .and_then(|id| id.parse().ok())
                    .map(|target| Dialogue::BlockReason { target })
            }
        }
    }
}

/// The state-store key of a chat's dialogue.
fn dialogue_key(cx: &Cx) -> String {
    format!("dlg:{}", cx.chat)
}

/// What the bot is waiting for in this chat, if anything.
pub(crate) async fn dialogue(cx: &Cx, state: &dyn StateStore) -> Option<Dialogue> {
    match state.get(&dialogue_key(cx)).await {
        Ok(raw) => raw.as_deref().and_then(Dialogue::decode),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the dialogue state");
            None
        }
    }
}

pub(crate) async fn enter_dialogue(cx: &Cx, state: &dyn StateStore, dialogue: Dialogue) {
    enter_dialogue_for(cx, state, dialogue, DIALOGUE_TTL).await;
}

/// Waits for typed text for at most `ttl`.
pub(crate) async fn enter_dialogue_for(
    cx: &Cx,
    state: &dyn StateStore,
    dialogue: Dialogue,
    ttl: Duration,
) {
    if let Err(e) = state.put(&dialogue_key(cx), &dialogue.encode(), ttl).await {
        tracing::warn!(error = %e, "cannot save the dialogue state");
    }
}

pub(crate) async fn end_dialogue(cx: &Cx, state: &dyn StateStore) {
    if let Err(e) = state.delete(&dialogue_key(cx)).await {
        tracing::warn!(error = %e, "cannot clear the dialogue state");
    }
}
