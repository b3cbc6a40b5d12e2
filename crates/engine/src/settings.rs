//! What the composition root sets on the [`crate::Engine`]: who may use the bot
//! and each person's rate limits.

/// Who gets past the gate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AccessMode {
    /// Only people with a grant (invite, approved request, admins).
    Invite,
    /// Everyone, as before invites existed. The engine's own default, so that an
    /// engine built without settings behaves as it always did; the server's
    /// setting defaults to [`AccessMode::Invite`].
    #[default]
    Open,
}

impl AccessMode {
    /// The setting's value: `invite` or `open`.
    pub fn parse(raw: &str) -> Option<AccessMode> {
        match raw {
            "invite" => Some(AccessMode::Invite),
            "open" => Some(AccessMode::Open),
            _ => None,
        }
    }
}

/// Per-person rate limits. Beyond them updates are dropped quietly (and counted).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Any updates in 10 seconds: the default 30 is above anyone tapping buttons
    /// (about 3 a second) and far below a script.
    pub updates_per_10s: i64,
    /// Free-text messages a minute.
    pub texts_per_minute: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            updates_per_10s: 30,
            texts_per_minute: 20,
        }
    }
}
