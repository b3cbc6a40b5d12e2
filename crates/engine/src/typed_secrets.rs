//! Keeping typed passwords out of the chat whatever state the dialogue is in.
//!
//! The password dialogue deletes the message it reads. But a password can also
//! arrive when that dialogue is gone or cannot be read: after a lockout, after
//! `/cancel`, once its five minutes are over, or while the state store is slow or
//! down. So the bot remembers whom it asked for a password, for
//! [`PROMPT_MEMORY`], in the state store (seen by every replica) and in this
//! process (which still answers when the state store does not), and deletes any
//! text that person sends in that time before anything else happens to it, even
//! before storage is read. A successful login forgets the prompt, so what an admin
//! types later (a search, a block reason) stays.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use domain::ids::UserId;
use time::OffsetDateTime;

use crate::action::Action;
use crate::inbound::{Inbound, Input};
use crate::ports::StateStore;

/// How long after a password prompt the person's texts are deleted on sight.
pub const PROMPT_MEMORY: Duration = Duration::from_secs(10 * 60);

/// The people asked for a password in this process, and when.
#[derive(Debug, Default)]
pub(crate) struct Prompts {
    asked: Mutex<HashMap<i64, OffsetDateTime>>,
}

impl Prompts {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, OffsetDateTime>> {
        self.asked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn recent(&self, user: i64, now: OffsetDateTime) -> bool {
        self.lock()
            .get(&user)
            .is_some_and(|at| now - *at < PROMPT_MEMORY)
    }

    /// The deletion of a text that may be a password: sent within
    /// [`PROMPT_MEMORY`] of a password prompt to its sender. Asked before storage
    /// is read, so an outage does not leave the password in the chat.
    pub(crate) async fn deletion(
        &self,
        inbound: &Inbound,
        state: &dyn StateStore,
        now: OffsetDateTime,
    ) -> Option<Action> {
        let (Input::Text(_), Some(message_id), Some(from)) =
            (&inbound.input, inbound.message_id, inbound.from.as_ref())
        else {
            return None;
        };
        let user = from.id.0;
        let prompted = self.recent(user, now)
            || match state.get(&key(user)).await {
                Ok(marker) => marker.is_some(),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read whether a password was asked for");
                    false
                }
            };
        prompted.then_some(Action::Delete {
            chat: inbound.chat,
            message_id,
        })
    }

    /// Remembers that `user` was just asked for a password.
    pub(crate) async fn remember(&self, user: UserId, state: &dyn StateStore, now: OffsetDateTime) {
        {
            let mut asked = self.lock();
            asked.retain(|_, at| now - *at < PROMPT_MEMORY);
            asked.insert(user.0, now);
        }
        if let Err(e) = state.put(&key(user.0), "1", PROMPT_MEMORY).await {
            tracing::warn!(error = %e, "cannot remember a password prompt in the state store");
        }
    }

    /// After a successful login: what `user` types next is not a password.
    pub(crate) async fn forget(&self, user: UserId, state: &dyn StateStore) {
        self.lock().remove(&user.0);
        if let Err(e) = state.delete(&key(user.0)).await {
            tracing::warn!(error = %e, "cannot forget a password prompt");
        }
    }
}

fn key(user: i64) -> String {
    format!("adm:prompted:{user}")
}
