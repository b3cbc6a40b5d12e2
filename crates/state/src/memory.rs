//! [`MemoryState`]: the state store for a single process.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use engine::ports::{StateError, StateStore};
use tokio::time::Instant;

/// Writes between sweeps of expired entries, at least; a sweep costs one pass over
/// the map, so it also waits for as many writes as there are entries.
const SWEEP_EVERY: usize = 1024;

/// Shared ephemeral state in this process's memory.
///
/// Expired entries are invisible at once (checked on every read) and removed by a
/// sweep every 1024 or more writes, so the map holds at most about twice
/// the live entries. Time is `tokio::time::Instant`, so tests can pause and advance it.
/// State is lost on restart, which is the point of the Redis store for production.
#[derive(Debug, Default)]
pub struct MemoryState {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<String, Entry>,
    writes_since_sweep: usize,
}

#[derive(Debug)]
struct Entry {
    value: String,
    /// `None` when the TTL is too large to represent: it never expires.
    expires_at: Option<Instant>,
}

impl Entry {
    fn new(value: String, ttl: Duration, now: Instant) -> Entry {
        Entry {
            value,
            expires_at: now.checked_add(ttl.max(Duration::from_millis(1))),
        }
    }

    fn is_live(&self, now: Instant) -> bool {
        self.expires_at.is_none_or(|at| at > now)
    }
}

impl MemoryState {
    pub fn new() -> MemoryState {
        MemoryState::default()
    }

    /// Number of entries held, expired ones not yet swept included (for tests of the sweep).
    pub fn stored_entries(&self) -> usize {
        self.lock().entries.len()
    }

    /// Nothing panics while the lock is held, so a poisoned lock still holds consistent data.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Inner {
    fn live(&mut self, key: &str, now: Instant) -> Option<&mut Entry> {
        if self.entries.get(key).is_some_and(|e| !e.is_live(now)) {
            self.entries.remove(key);
        }
        self.entries.get_mut(key)
    }

    fn wrote(&mut self, now: Instant) {
        self.writes_since_sweep += 1;
        if self.writes_since_sweep >= SWEEP_EVERY.max(self.entries.len()) {
            self.entries.retain(|_, entry| entry.is_live(now));
            self.writes_since_sweep = 0;
        }
    }
}

#[async_trait]
impl StateStore for MemoryState {
    async fn get(&self, key: &str) -> Result<Option<String>, StateError> {
        let now = Instant::now();
        Ok(self.lock().live(key, now).map(|e| e.value.clone()))
    }

    async fn put(&self, key: &str, value: &str, ttl: Duration) -> Result<(), StateError> {
        let now = Instant::now();
        let mut inner = self.lock();
        inner
            .entries
            .insert(key.to_owned(), Entry::new(value.to_owned(), ttl, now));
        inner.wrote(now);
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), StateError> {
        self.lock().entries.remove(key);
        Ok(())
    }

    async fn claim(&self, key: &str, ttl: Duration) -> Result<bool, StateError> {
        let now = Instant::now();
        let mut inner = self.lock();
        if inner.live(key, now).is_some() {
            return Ok(false);
        }
        inner
            .entries
            .insert(key.to_owned(), Entry::new("1".to_owned(), ttl, now));
        inner.wrote(now);
        Ok(true)
    }

    async fn incr(&self, key: &str, ttl: Duration) -> Result<i64, StateError> {
        let now = Instant::now();
        let mut inner = self.lock();
        let value = match inner.live(key, now) {
            Some(entry) => {
                // Same rule as Redis INCR: the value must be a 64-bit integer.
                let next = entry
                    .value
                    .parse::<i64>()
                    .ok()
                    .and_then(|n| n.checked_add(1))
                    .ok_or_else(|| {
                        StateError::Unavailable(format!(
                            "incr `{key}`: the stored value is not a counter"
                        ))
                    })?;
                entry.value = next.to_string();
                next
            }
            None => {
                inner
                    .entries
                    .insert(key.to_owned(), Entry::new("1".to_owned(), ttl, now));
                1
            }
        };
        inner.wrote(now);
        Ok(value)
    }

    async fn lease(&self, key: &str, token: &str, ttl: Duration) -> Result<bool, StateError> {
        let now = Instant::now();
        let mut inner = self.lock();
        if inner.live(key, now).is_some_and(|e| e.value != token) {
            return Ok(false);
        }
        inner
            .entries
            .insert(key.to_owned(), Entry::new(token.to_owned(), ttl, now));
        inner.wrote(now);
        Ok(true)
    }

    async fn release(&self, key: &str, token: &str) -> Result<bool, StateError> {
        let now = Instant::now();
        let mut inner = self.lock();
        if inner.live(key, now).is_some_and(|e| e.value == token) {
            inner.entries.remove(key);
            return Ok(true);
        }
        Ok(false)
    }

    async fn ping(&self) -> Result<(), StateError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn expired_entries_are_swept_after_enough_writes() {
        let state = MemoryState::new();
        for i in 0..100 {
            state
                .put(&format!("old:{i}"), "x", Duration::from_secs(1))
                .await
                .unwrap();
        }
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(
            state.stored_entries(),
            100,
            "nothing is swept before enough writes"
        );

        for i in 0..SWEEP_EVERY {
            state
                .put(&format!("new:{}", i % 10), "y", Duration::from_secs(60))
                .await
                .unwrap();
        }
        assert_eq!(
            state.stored_entries(),
            10,
            "the 100 expired entries are gone"
        );
        assert_eq!(state.get("new:3").await.unwrap().as_deref(), Some("y"));
    }

    #[tokio::test(start_paused = true)]
    async fn huge_ttl_does_not_overflow() {
        let state = MemoryState::new();
        state.put("k", "v", Duration::MAX).await.unwrap();
        assert!(!state.claim("k", Duration::MAX).await.unwrap());
        assert_eq!(state.incr("n", Duration::MAX).await.unwrap(), 1);
        tokio::time::advance(Duration::from_secs(10 * 365 * 24 * 3600)).await;
        assert_eq!(state.get("k").await.unwrap().as_deref(), Some("v"));
    }

    #[tokio::test(start_paused = true)]
    async fn zero_ttl_is_one_millisecond() {
        let state = MemoryState::new();
        state.put("k", "v", Duration::ZERO).await.unwrap();
        assert_eq!(state.get("k").await.unwrap().as_deref(), Some("v"));
        tokio::time::advance(Duration::from_millis(1)).await;
        assert_eq!(state.get("k").await.unwrap(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn incr_on_text_is_an_error_not_a_reset() {
        let state = MemoryState::new();
        state
            .put("k", "hello", Duration::from_secs(5))
            .await
            .unwrap();
        assert!(state.incr("k", Duration::from_secs(5)).await.is_err());
        assert_eq!(state.get("k").await.unwrap().as_deref(), Some("hello"));
    }
}
