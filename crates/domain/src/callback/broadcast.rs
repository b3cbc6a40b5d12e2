//! The broadcast part of the admin codec: `1AB<op>[args]`.
//!
//! `h[<before>]` history, `n` compose a new one, `A` the audience choices, `P` /
//! `D` / `R` pick a park, a department or an activity window, `a<audience>` choose the audience (see
//! [`Audience::from_code`]), `s` schedule, `g` confirm, `k` discard the draft,
//! `v<id>` status, `z<id>` pause, `r<id>` resume, `c<id>` cancel (asks), `C<id>`
//! cancel (confirmed).

use super::{DecodeError, id, numbers};
use crate::broadcast::Audience;

/// What a broadcast button asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum BroadcastAction {
    /// Past and current broadcasts, those with ids below `before`.
    History {
        before: Option<i64>,
    },
    /// Start composing: the bot asks for the text.
    New,
    PickPark,
    PickDepartment,
    PickActivity,
    /// The audience choices again.
    Audiences,
    /// Use this audience for the draft; shows the preview and recipient count.
    Audience(Audience),
    /// Ask for a start time.
    Schedule,
    /// Confirm the draft: it starts now or at its scheduled time.
    Confirm,
    /// Throw the draft away.
    Discard,
    Status(i64),
    Pause(i64),
    Resume(i64),
    /// Asks whether to cancel.
    Cancel(i64),
    CancelConfirmed(i64),
}

impl BroadcastAction {
    #[cfg(test)]
    pub(super) fn encode(&self) -> String {
        match self {
            BroadcastAction::History { before: None } => "h".to_owned(),
            BroadcastAction::History { before: Some(b) } => format!("h{b}"),
            BroadcastAction::New => "n".to_owned(),
            BroadcastAction::PickPark => "P".to_owned(),
            BroadcastAction::PickDepartment => "D".to_owned(),
            BroadcastAction::PickActivity => "R".to_owned(),
            BroadcastAction::Audiences => "A".to_owned(),
            BroadcastAction::Audience(a) => format!("a{}", a.code()),
            BroadcastAction::Schedule => "s".to_owned(),
            BroadcastAction::Confirm => "g".to_owned(),
            BroadcastAction::Discard => "k".to_owned(),
            BroadcastAction::Status(id) => format!("v{id}"),
            BroadcastAction::Pause(id) => format!("z{id}"),
            BroadcastAction::Resume(id) => format!("r{id}"),
            BroadcastAction::Cancel(id) => format!("c{id}"),
            BroadcastAction::CancelConfirmed(id) => format!("C{id}"),
        }
    }

    pub(super) fn decode(raw: &str) -> Result<BroadcastAction, DecodeError> {
        let mut chars = raw.chars();
        let op = chars.next().ok_or(DecodeError::Malformed)?;
        let args = chars.as_str();
        let one_id = || -> Result<i64, DecodeError> {
            let [n] = numbers::<1>(args)?;
            id(n)
        };
        let bare = |action: BroadcastAction| {
            if args.is_empty() {
                Ok(action)
            } else {
                Err(DecodeError::Malformed)
            }
        };
        match op {
            'h' if args.is_empty() => Ok(BroadcastAction::History { before: None }),
            'h' => Ok(BroadcastAction::History {
                before: Some(one_id()?),
            }),
            'n' => bare(BroadcastAction::New),
            'P' => bare(BroadcastAction::PickPark),
            'D' => bare(BroadcastAction::PickDepartment),
            'R' => bare(BroadcastAction::PickActivity),
            'A' => bare(BroadcastAction::Audiences),
            's' => bare(BroadcastAction::Schedule),
            'g' => bare(BroadcastAction::Confirm),
            'k' => bare(BroadcastAction::Discard),
            'a' => Audience::from_code(args)
                .map(BroadcastAction::Audience)
                .ok_or(DecodeError::Malformed),
            'v' => one_id().map(BroadcastAction::Status),
            'z' => one_id().map(BroadcastAction::Pause),
            'r' => one_id().map(BroadcastAction::Resume),
            'c' => one_id().map(BroadcastAction::Cancel),
            'C' => one_id().map(BroadcastAction::CancelConfirmed),
            _ => Err(DecodeError::Malformed),
        }
    }
}
