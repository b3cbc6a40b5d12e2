//! Optional Telegram-like flood control ([`FloodControl`]): token buckets per chat and
//! for the whole bot, applied to the sending methods, and a record of the bot ignoring
//! a `retry_after`.
//!
//! Replies to a person who pressed a button or wrote in the last
//! [`INTERACTIVE_WINDOW`] are limited per chat only: Telegram's bot-wide limit is
//! for bulk sends.
//!
//! Off by default. When on, a sending request over a limit is answered 429
//! `Too Many Requests: retry after N` with `parameters.retry_after = N` and not applied
//! (not a violation). Until the time a 429 named has passed, every request to that chat
//! (or, after a global 429, every retry to a chat refused since) is an ignored
//! `retry_after`: it is
//! recorded in [`FakeTelegram::retry_after_ignored`](crate::FakeTelegram::retry_after_ignored)
//! and refused with another 429 naming the time still left.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::methods::{ApiError, ErrorClass};
use crate::model::IgnoredRetry;

/// The limits of flood control. The defaults are Telegram's documented ones: about one
/// message per second per private chat with short bursts, about 30 per second overall.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FloodControl {
    /// Refill rate of each chat's bucket (sends per second).
    pub per_chat_per_second: f64,
    /// Capacity of each chat's bucket: sends allowed back to back into one chat.
    pub per_chat_burst: u32,
    /// Refill rate of the bot-wide bucket (sends per second).
    pub global_per_second: f64,
    /// Capacity of the bot-wide bucket.
    pub global_burst: u32,
    /// The `retry_after` a 429 names; raised (rounded up to whole seconds) when the
    /// bucket needs longer to earn a token, so waiting exactly `retry_after` always
    /// finds room in the bucket that refused.
    pub retry_after_secs: u64,
}

impl Default for FloodControl {
    fn default() -> Self {
        Self {
            per_chat_per_second: 1.0,
            per_chat_burst: 3,
            global_per_second: 30.0,
            global_burst: 30,
            retry_after_secs: 1,
        }
    }
}

/// The methods flood control limits: those that send or change a message.
pub const LIMITED_METHODS: &[&str] = &[
    "sendMessage",
    "sendPhoto",
    "sendVideo",
    "sendDocument",
    "editMessageText",
    "editMessageReplyMarkup",
    "editMessageCaption",
    "copyMessage",
    "forwardMessage",
];

pub fn is_limited(method: &str) -> bool {
    LIMITED_METHODS.contains(&method)
}

#[derive(Debug, Clone)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(burst: u32, now: Instant) -> Self {
        Self {
            tokens: f64::from(burst.max(1)),
            at: now,
        }
    }

    fn refill(&mut self, rate: f64, burst: u32, now: Instant) {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate).min(f64::from(burst.max(1)));
        self.at = now;
    }

    /// Time until the bucket holds one whole token.
    fn time_to_token(&self, rate: f64) -> Duration {
        if self.tokens >= 1.0 {
            return Duration::ZERO;
        }
        if rate <= 0.0 {
            return Duration::from_secs(u64::from(u32::MAX));
        }
        Duration::from_secs_f64((1.0 - self.tokens) / rate)
    }
}

/// Flood-control bookkeeping; lives in [`crate::state::State`].
#[derive(Debug, Default)]
pub struct FloodState {
    chats: HashMap<i64, Bucket>,
    global: Option<Bucket>,
    /// Chat → the time until which its last 429 told the bot to wait.
    chat_wait: HashMap<i64, Instant>,
    /// The time until which the last global 429 told the bot to wait.
    global_wait: Option<Instant>,
    /// Chat → when its person last pressed a button or wrote: replies to them are
    /// not bulk sends.
    interactions: HashMap<i64, Instant>,
    /// Chats refused during the current global wait: a request to one of them before
    /// the wait ends is a retry that ignored `retry_after`. (Other chats' requests in
    /// that time were sent before the bot could have read the 429: refused, not
    /// counted.)
    refused_in_global_wait: std::collections::HashSet<i64>,
    pub refusals: usize,
    pub ignored: Vec<IgnoredRetry>,
}

fn too_many(retry_after: u64) -> ApiError {
    ApiError {
        code: 429,
        description: format!("Too Many Requests: retry after {retry_after}"),
        class: ErrorClass::Benign,
        retry_after: Some(retry_after),
    }
}

/// Whole seconds, rounded up, at least one.
fn ceil_secs(d: Duration) -> u64 {
    let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    secs.max(1)
}

/// How long after a person's last update the bot's messages to them count as
/// replies, which Telegram does not count against the bot-wide bulk limit.
pub const INTERACTIVE_WINDOW: Duration = Duration::from_secs(10);

impl FloodState {
    /// The person in `chat` just pressed a button or wrote to the bot.
    pub fn interaction(&mut self, chat: i64, now: Instant) {
        self.interactions.insert(chat, now);
    }

    fn is_reply(&self, chat: Option<i64>, now: Instant) -> bool {
        chat.and_then(|c| self.interactions.get(&c))
            .is_some_and(|&at| now.saturating_duration_since(at) <= INTERACTIVE_WINDOW)
    }

    /// Admits one sending request (taking a token from its chat's bucket and the global
    /// one) or refuses it with the 429 to answer.
    pub fn admit(
        &mut self,
        config: &FloodControl,
        method: &str,
        chat_id: Option<i64>,
        now: Instant,
    ) -> Result<(), ApiError> {
        // The bot ignoring an earlier 429: the chat's own first, then the global one.
        // Replies to someone using the bot are limited per chat only.
        let reply = self.is_reply(chat_id, now);
        let chat_wait = chat_id.and_then(|c| self.chat_wait.get(&c).map(|&until| (Some(c), until)));
        if let Some(until) = self.global_wait.filter(|&until| !reply && now < until) {
            let retry = chat_id.is_none_or(|c| !self.refused_in_global_wait.insert(c));
            if !retry {
                self.refusals += 1;
                return Err(too_many(ceil_secs(until - now)));
            }
        }
        let global_wait = self
            .global_wait
            .filter(|_| !reply)
            .map(|until| (None, until));
        for (scope, until) in [chat_wait, global_wait].into_iter().flatten() {
            if now < until {
                let early_by = until - now;
                self.ignored.push(IgnoredRetry {
                    method: method.to_owned(),
                    chat_id: scope,
                    early_by,
                });
                self.refusals += 1;
                return Err(too_many(ceil_secs(early_by)));
            }
        }

        let global = self
            .global
            .get_or_insert_with(|| Bucket::full(config.global_burst, now));
        global.refill(config.global_per_second, config.global_burst, now);
        let chat = chat_id.map(|c| {
            let bucket = self
                .chats
                .entry(c)
                .or_insert_with(|| Bucket::full(config.per_chat_burst, now));
            bucket.refill(config.per_chat_per_second, config.per_chat_burst, now);
            (c, bucket)
        });

        if let Some((c, bucket)) = &chat
            && bucket.tokens < 1.0
        {
            let wait = bucket.time_to_token(config.per_chat_per_second);
            let retry_after = config.retry_after_secs.max(ceil_secs(wait));
            self.chat_wait
                .insert(*c, now + Duration::from_secs(retry_after));
            self.refusals += 1;
            return Err(too_many(retry_after));
        }
        if !reply && global.tokens < 1.0 {
            let wait = global.time_to_token(config.global_per_second);
            let retry_after = config.retry_after_secs.max(ceil_secs(wait));
            self.global_wait = Some(now + Duration::from_secs(retry_after));
            self.refused_in_global_wait.clear();
            if let Some(c) = chat_id {
                self.refused_in_global_wait.insert(c);
            }
            self.refusals += 1;
            return Err(too_many(retry_after));
        }
        if !reply {
            global.tokens -= 1.0;
        }
        if let Some((_, bucket)) = chat {
            bucket.tokens -= 1.0;
        }
        Ok(())
    }
}
