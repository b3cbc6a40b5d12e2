//! Broadcasts: who an announcement goes to, and the states a broadcast and each of
//! its deliveries pass through.
//!
//! A broadcast is a durable job: one row for the announcement and one per
//! recipient. The names here are what the database stores, so they are part of the
//! schema: change them only with a migration.

use crate::callback::Slug;

/// The longest "active within N days" an audience may ask for.
pub const MAX_ACTIVE_DAYS: u16 = 365;

/// Who an announcement goes to. Blocked people and people who blocked the bot are
/// never among the recipients, whatever the audience.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Audience {
    Everyone,
    Park(Slug),
    Department(Slug),
    /// People seen within the last `days` days (1 to [`MAX_ACTIVE_DAYS`]).
    ActiveWithin(#[serde(deserialize_with = "checked_days")] u16),
    /// People whose onboarding path is incomplete although its deadline has passed.
    Behind,
}

impl Audience {
    /// The stored form: `everyone`, `park:<id>`, `department:<id>`, `active:<days>`,
    /// `behind`.
    pub fn encode(&self) -> String {
        match self {
            Audience::Everyone => "everyone".to_owned(),
            Audience::Park(p) => format!("park:{p}"),
            Audience::Department(d) => format!("department:{d}"),
            Audience::ActiveWithin(days) => format!("active:{days}"),
            Audience::Behind => "behind".to_owned(),
        }
    }

    pub fn decode(raw: &str) -> Option<Audience> {
        match raw.split_once(':') {
            None if raw == "everyone" => Some(Audience::Everyone),
            None if raw == "behind" => Some(Audience::Behind),
            Some(("park", p)) => Slug::parse(p).map(Audience::Park),
            Some(("department", d)) => Slug::parse(d).map(Audience::Department),
            Some(("active", days)) => active_days(days).map(Audience::ActiveWithin),
            _ => None,
        }
    }

    /// The compact form for version-1 callback data: `e`, `p<id>`, `d<id>`,
    /// `r<days>`, `o`.
    #[cfg(test)]
    pub(crate) fn code(&self) -> String {
        match self {
            Audience::Everyone => "e".to_owned(),
            Audience::Park(p) => format!("p{p}"),
            Audience::Department(d) => format!("d{d}"),
            Audience::ActiveWithin(days) => format!("r{days}"),
            Audience::Behind => "o".to_owned(),
        }
    }

    pub(crate) fn from_code(raw: &str) -> Option<Audience> {
        let mut chars = raw.chars();
        let kind = chars.next()?;
        let rest = chars.as_str();
        match kind {
            'e' if rest.is_empty() => Some(Audience::Everyone),
            'o' if rest.is_empty() => Some(Audience::Behind),
            'p' => Slug::parse(rest).map(Audience::Park),
            'd' => Slug::parse(rest).map(Audience::Department),
            'r' => active_days(rest).map(Audience::ActiveWithin),
            _ => None,
        }
    }
}

/// A canonical decimal day count in range (no sign, no leading zero).
fn active_days(raw: &str) -> Option<u16> {
    let canonical = !raw.is_empty()
        && raw.bytes().all(|b| b.is_ascii_digit())
        && (raw == "0" || !raw.starts_with('0'));
    let days: u16 = raw.parse().ok().filter(|_| canonical)?;
    (1..=MAX_ACTIVE_DAYS).contains(&days).then_some(days)
}

/// The days of [`Audience::ActiveWithin`] in callback data: out of range is
/// refused there as in the stored form.
fn checked_days<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u16, D::Error> {
    let days = <u16 as serde::Deserialize>::deserialize(deserializer)?;
    if (1..=MAX_ACTIVE_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err(serde::de::Error::invalid_value(
            serde::de::Unexpected::Unsigned(days.into()),
            &"1 to 365 days",
        ))
    }
}

/// Where a broadcast is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BroadcastState {
    /// Waiting for its time; recipients are chosen when it starts.
    Scheduled,
    /// The worker sends it.
    Running,
    /// Paused by an admin; resumes where it stopped.
    Paused,
    /// Cancelled by an admin; who was not reached yet never will be.
    Cancelled,
    /// Every recipient has an outcome.
    Done,
}

impl BroadcastState {
    pub const ALL: [BroadcastState; 5] = [
        BroadcastState::Scheduled,
        BroadcastState::Running,
        BroadcastState::Paused,
        BroadcastState::Cancelled,
        BroadcastState::Done,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BroadcastState::Scheduled => "scheduled",
            BroadcastState::Running => "running",
            BroadcastState::Paused => "paused",
            BroadcastState::Cancelled => "cancelled",
            BroadcastState::Done => "done",
        }
    }

    pub fn parse(raw: &str) -> Option<BroadcastState> {
        BroadcastState::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Whether the broadcast is over (nothing more will be sent).
    pub fn is_final(self) -> bool {
        matches!(self, BroadcastState::Cancelled | BroadcastState::Done)
    }
}

/// What became of one recipient's message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Delivery {
    /// Not sent yet.
    Pending,
    /// Handed to Telegram, answer not yet recorded. After a crash such a row becomes
    /// [`Delivery::Unknown`]: it may have arrived, so it is never sent again.
    Sending,
    Sent,
    /// Telegram refused it for good, or it kept failing.
    Failed,
    /// The person blocked the bot (403); they are marked inactive.
    Blocked,
    /// In flight when the sender crashed, or Telegram's answer was lost (a
    /// time-out, a reset after sending, a 5xx): maybe delivered, never repeated.
    Unknown,
}

impl Delivery {
    pub const ALL: [Delivery; 6] = [
        Delivery::Pending,
        Delivery::Sending,
        Delivery::Sent,
        Delivery::Failed,
        Delivery::Blocked,
        Delivery::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Pending => "pending",
            Delivery::Sending => "sending",
            Delivery::Sent => "sent",
            Delivery::Failed => "failed",
            Delivery::Blocked => "blocked",
            Delivery::Unknown => "unknown",
        }
    }

    pub fn parse(raw: &str) -> Option<Delivery> {
        Delivery::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// How many recipients are in each delivery state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryCounts {
    pub pending: u64,
    pub sending: u64,
    pub sent: u64,
    pub failed: u64,
    pub blocked: u64,
    pub unknown: u64,
}

impl DeliveryCounts {
    pub fn total(&self) -> u64 {
        self.pending + self.sending + self.sent + self.failed + self.blocked + self.unknown
    }

    /// Adds `n` recipients in state `delivery`.
    pub fn add(&mut self, delivery: Delivery, n: u64) {
        let slot = match delivery {
            Delivery::Pending => &mut self.pending,
            Delivery::Sending => &mut self.sending,
            Delivery::Sent => &mut self.sent,
            Delivery::Failed => &mut self.failed,
            Delivery::Blocked => &mut self.blocked,
            Delivery::Unknown => &mut self.unknown,
        };
        *slot += n;
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn only_cancelled_and_done_broadcasts_are_over() {
        let over: Vec<BroadcastState> = BroadcastState::ALL
            .into_iter()
            .filter(|s| s.is_final())
            .collect();
        assert_eq!(over, [BroadcastState::Cancelled, BroadcastState::Done]);
    }

    fn audiences() -> impl Strategy<Value = Audience> {
        let slug = "[a-z0-9][a-z0-9-]{0,31}".prop_map(|s| Slug::parse(&s).expect("a slug"));
        prop_oneof![
            Just(Audience::Everyone),
            Just(Audience::Behind),
            slug.clone().prop_map(Audience::Park),
            slug.prop_map(Audience::Department),
            (1..=MAX_ACTIVE_DAYS).prop_map(Audience::ActiveWithin),
        ]
    }

    proptest! {
        #[test]
        fn audiences_round_trip(audience in audiences()) {
            prop_assert_eq!(Audience::decode(&audience.encode()), Some(audience));
            prop_assert_eq!(Audience::from_code(&audience.code()), Some(audience));
        }

        #[test]
        fn anything_else_is_refused_or_canonical(raw in ".{0,40}") {
            if let Some(a) = Audience::decode(&raw) {
                prop_assert_eq!(a.encode(), raw.clone());
            }
            if let Some(a) = Audience::from_code(&raw) {
                prop_assert_eq!(a.code(), raw);
            }
        }
    }

    #[test]
    fn day_counts_are_bounded_and_canonical() {
        for bad in [
            "active:0",
            "active:366",
            "active:07",
            "active:+7",
            "active:",
            "active:x",
        ] {
            assert_eq!(Audience::decode(bad), None, "{bad}");
        }
        assert_eq!(
            Audience::decode("active:365"),
            Some(Audience::ActiveWithin(365))
        );
        assert_eq!(Audience::decode("park:"), None);
        assert_eq!(Audience::decode("Everyone"), None);
    }

    #[test]
    fn states_round_trip() {
        for s in BroadcastState::ALL {
            assert_eq!(BroadcastState::parse(s.as_str()), Some(s));
        }
        for d in Delivery::ALL {
            assert_eq!(Delivery::parse(d.as_str()), Some(d));
        }
        assert_eq!(Delivery::parse("delivered"), None);
    }

    #[test]
    fn counts_add_up() {
        let mut c = DeliveryCounts::default();
        for (i, d) in Delivery::ALL.into_iter().enumerate() {
            c.add(d, i as u64 + 1);
        }
        assert_eq!(c.total(), 21);
        assert_eq!((c.pending, c.unknown), (1, 6));
    }
}
