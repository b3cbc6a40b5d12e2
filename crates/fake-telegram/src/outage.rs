//! A Telegram that fails for a while ([`crate::FakeTelegram::outage`]): every Bot
//! API request in the window but `getUpdates` meets the next of a list of
//! faults, in turn, so a
//! test sees 5xx answers, time-outs and 429 storms mixed as a real outage mixes
//! them. Requests that ignore a storm's 429 (the same chat asked again before its
//! `retry_after` ended) are recorded like flood control's.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::methods::ApiError;
use crate::model::{IgnoredRetry, LostAnswer};

/// One way a request fails during an outage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answered with this 5xx status without being carried out (Telegram did
    /// not handle it: a 503, or a 500 from an overloaded front).
    Refused(u16),
    /// A 429 with this `retry_after`, not carried out.
    FloodWait(u64),
    /// Carried out, then its answer is lost as the [`LostAnswer`] says.
    Lost(LostAnswer),
    /// Carried out, then answered only after this long: past the client's own
    /// time-out it is a time-out.
    Slow(Duration),
}

/// What the outage does to the answer of a request it let be carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Afterwards {
    Lost(LostAnswer),
    Slow(Duration),
}

#[derive(Debug, Default)]
pub(crate) struct Outage {
    until: Option<Instant>,
    faults: Vec<Fault>,
    next: usize,
    /// Chat → until when a storm's 429 told the bot to leave it alone.
    waits: HashMap<i64, Instant>,
    /// Requests that came before such a time.
    pub ignored: Vec<IgnoredRetry>,
    /// Requests the outage failed or slowed.
    pub met: usize,
}

/// What the server does with one request.
pub(crate) enum Verdict {
    /// Run it normally.
    Pass,
    /// Answer this error instead of running it.
    Refuse(ApiError),
    /// Run it, then spoil the answer.
    Spoil(Afterwards),
}

impl Outage {
    pub fn start(&mut self, lasting: Duration, faults: Vec<Fault>, now: Instant) {
        self.until = (!faults.is_empty()).then_some(now + lasting);
        self.faults = faults;
        self.next = 0;
    }

    pub fn is_on(&self, now: Instant) -> bool {
        self.until.is_some_and(|until| now < until)
    }

    /// The fault this request meets, if the outage is on; checks first that the
    /// request does not come early for its chat after a storm's 429.
    pub fn judge(&mut self, method: &str, chat: Option<i64>, now: Instant) -> Verdict {
        if let Some(chat) = chat
            && let Some(&until) = self.waits.get(&chat)
        {
            if now < until {
                self.ignored.push(IgnoredRetry {
                    method: method.to_owned(),
                    chat_id: Some(chat),
                    early_by: until - now,
                });
            } else {
                self.waits.remove(&chat);
            }
        }
        // Updates keep arriving: replies are what an outage puts at risk. (How
        // the poller meets a failing getUpdates is tested on its own.)
        if !self.is_on(now) || method == "getUpdates" {
            return Verdict::Pass;
        }
        let fault = self.faults[self.next % self.faults.len()];
        self.next += 1;
        self.met += 1;
        match fault {
            Fault::Refused(code) => Verdict::Refuse(ApiError::injected(
                code,
                match code {
                    503 => "Service Unavailable",
                    502 => "Bad Gateway",
                    504 => "Gateway Timeout",
                    _ => "Internal Server Error",
                },
                None,
            )),
            Fault::FloodWait(seconds) => {
                if let Some(chat) = chat {
                    self.waits.insert(chat, now + Duration::from_secs(seconds));
                }
                Verdict::Refuse(ApiError::injected(
                    429,
                    &format!("Too Many Requests: retry after {seconds}"),
                    Some(seconds),
                ))
            }
            Fault::Lost(how) => Verdict::Spoil(Afterwards::Lost(how)),
            Fault::Slow(delay) => Verdict::Spoil(Afterwards::Slow(delay)),
        }
    }
}
