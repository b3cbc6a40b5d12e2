//! The people behind updates, kept in memory between their updates (ADR 0038).
//!
//! Every update needs its person, their staff profile and whether they were let
//! in. Reading those from the database on every press cost three queries of the
//! four a page view made; a person pressing through the menu changes none of them.
//! A [`People`] cache keeps them per person and is kept right across replicas by a
//! generation per person in the state store: whoever changes a person (a language,
//! a profile field, a block, access) calls [`People::changed`] after the write,
//! which drops the local copy and moves the generation on; every replica compares
//! the generation before using its copy. A copy is also never older than
//! [`MAX_AGE`], which bounds what a change made outside the bot (a command-line
//! import, a hand-written SQL update) can leave stale.
//!
//! When the state store cannot answer, the cache is bypassed: the database is
//! read as before the cache existed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use domain::ids::UserId;
use time::OffsetDateTime;

use crate::ports::{Attempt, StaffProfile, StateStore, UserProfile, UserRecord};

/// The longest a copy is used without reading the database again.
pub(crate) const MAX_AGE: Duration = Duration::from_secs(60);

/// How long a person's generation is kept: far longer than [`MAX_AGE`], so a copy
/// can never outlive the generation it was read at and meet a recreated one.
const GENERATION_TTL: Duration = Duration::from_secs(60 * 60);

/// Copies kept at most; past it the cache starts again empty (10 000 people take
/// a few megabytes).
const CAPACITY: usize = 50_000;

/// Copies read between two sweeps of the ones too old to be used: a sweep is
/// one pass over the cache, so that memory follows the people active in the
/// last minute rather than everyone seen since the start.
const SWEEP_EVERY: u32 = 1_000;

/// A person as the update path needs them.
#[derive(Clone, Debug)]
pub(crate) struct Person {
    pub(crate) user: UserRecord,
    pub(crate) staff: StaffProfile,
    /// `Some(true)` once they are known to be let in. A stranger's every update
    /// asks the database again: an access table that cannot be read keeps them
    /// out, and a decision reaches them at once.
    pub(crate) access: Option<bool>,
    /// When their spaced reviews fall due, once read (the main menu counts the
    /// ones due).
    pub(crate) reviews_due_at: Option<Vec<OffsetDateTime>>,
}

struct Kept {
    person: Person,
    /// The person's generation when the copy was read.
    generation: Option<String>,
    read: Instant,
    /// Their open knowledge check or review, once read or written here: `None`
    /// while not known, `Some(None)` when none is open. Kept beside the person
    /// rather than in it, so that a page view does not copy it.
    attempt: Option<Option<Attempt>>,
}

/// What the caller may do with the cache for one update.
pub(crate) enum Lookup {
    /// A current copy: use it, write nothing.
    Hit(Box<Person>),
    /// No usable copy: read the database, then [`People::keep`] what was read
    /// under this generation.
    Miss(Generation),
    /// The state store did not answer: read the database and keep nothing.
    Bypass,
}

/// A person's generation as read before their database rows.
pub(crate) struct Generation(Option<String>);

impl Generation {
    /// A generation read from the state store with something else.
    pub(crate) fn read(value: Option<String>) -> Generation {
        Generation(value)
    }
}

/// Per-person copies, checked against their generation in the state store.
pub struct People {
    state: Arc<dyn StateStore>,
    copies: Mutex<Copies>,
}

#[derive(Default)]
struct Copies {
    /// Boxed: a burst of people (10 000 writing at once) grows the table, and
    /// empty buckets of boxes cost a pointer each rather than a whole copy.
    by_person: HashMap<UserId, Box<Kept>>,
    /// Copies kept since the last sweep.
    kept_since_sweep: u32,
}

impl People {
    /// The state-store key of `user`'s generation.
    pub(crate) fn generation_key(user: UserId) -> String {
        format!("pgen:{user}")
    }

    pub(crate) fn new(state: Arc<dyn StateStore>) -> People {
        People {
            state,
            copies: Mutex::new(Copies::default()),
        }
    }

    fn copies(&self) -> std::sync::MutexGuard<'_, Copies> {
        self.copies.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The current copy of the person who sent `profile`, if there is one that
    /// needs no database write: a copy whose names differ from what Telegram sent,
    /// or of a person marked as having left, is refreshed by the caller. Their
    /// generation is `read` already, or read here.
    pub(crate) async fn lookup(&self, profile: &UserProfile, read: Option<Generation>) -> Lookup {
        let generation = match read {
            Some(Generation(generation)) => generation,
            None => match self.state.get(&Self::generation_key(profile.id)).await {
                Ok(generation) => generation,
                Err(e) => {
                    tracing::debug!(error = %e, "person cache bypassed");
                    // What this update reads later (review times, an open
                    // attempt) must not come from a copy nobody checked.
                    self.copies().by_person.remove(&profile.id);
                    return Lookup::Bypass;
                }
            },
        };
        let copies = self.copies();
        match copies.by_person.get(&profile.id) {
            Some(copy)
                if copy.generation == generation
                    && copy.read.elapsed() < MAX_AGE
                    && same_names(&copy.person.user, profile)
                    && !copy.person.user.inactive =>
            {
                metrics::counter!("trainbot_person_cache_total", "outcome" => "hit").increment(1);
                Lookup::Hit(Box::new(copy.person.clone()))
            }
            _ => {
                metrics::counter!("trainbot_person_cache_total", "outcome" => "miss").increment(1);
                Lookup::Miss(Generation(generation))
            }
        }
    }

    /// Keeps what was read from the database after a [`Lookup::Miss`].
    pub(crate) fn keep(&self, generation: Generation, person: Person) {
        let mut copies = self.copies();
        copies.kept_since_sweep += 1;
        if copies.kept_since_sweep >= SWEEP_EVERY {
            copies.kept_since_sweep = 0;
            copies
                .by_person
                .retain(|_, kept| kept.read.elapsed() < MAX_AGE);
            // Give back what a burst left behind, keeping room to grow again.
            let room = copies.by_person.len().max(SWEEP_EVERY as usize) * 2;
            if copies.by_person.capacity() > 2 * room {
                copies.by_person.shrink_to(room);
            }
        }
        if copies.by_person.len() >= CAPACITY && !copies.by_person.contains_key(&person.user.id) {
            copies.by_person.clear();
        }
        copies.by_person.insert(
            person.user.id,
            Box::new(Kept {
                person,
                generation: generation.0,
                read: Instant::now(),
                attempt: None,
            }),
        );
    }

    /// Records in the local copy that the person is let in (just checked, or
    /// just granted), without a new generation: nothing changed elsewhere.
    pub(crate) fn let_in(&self, user: UserId) {
        if let Some(copy) = self.copies().by_person.get_mut(&user) {
            copy.person.access = Some(true);
        }
    }

    /// The person's review times, if their copy holds them.
    pub(crate) fn reviews_due_at(&self, user: UserId) -> Option<Vec<OffsetDateTime>> {
        self.copies()
            .by_person
            .get(&user)
            .and_then(|kept| kept.person.reviews_due_at.clone())
    }

    /// Records in the local copy the review times just read.
    pub(crate) fn learnt_reviews(&self, user: UserId, due_at: Vec<OffsetDateTime>) {
        if let Some(kept) = self.copies().by_person.get_mut(&user) {
            kept.person.reviews_due_at = Some(due_at);
        }
    }

    /// The person's open attempt, if their copy knows it: `Some(None)` when they
    /// have none open.
    pub(crate) fn open_attempt(&self, user: UserId) -> Option<Option<Attempt>> {
        self.copies()
            .by_person
            .get(&user)
            .and_then(|kept| kept.attempt.clone())
    }

    /// Records in the local copy the open attempt just read from the database.
    pub(crate) fn learnt_attempt(&self, user: UserId, attempt: Option<Attempt>) {
        if let Some(kept) = self.copies().by_person.get_mut(&user) {
            kept.attempt = Some(attempt);
        }
    }

    /// Forgets the open attempt in the local copy: the database knew better (an
    /// answer or a finish it refused), so the next use reads it again.
    pub(crate) fn forget_attempt(&self, user: UserId) {
        if let Some(kept) = self.copies().by_person.get_mut(&user) {
            kept.attempt = None;
        }
    }

    /// Call after writing `user`'s open attempt (started, answered, finished:
    /// `open` is what is open now) and, with `reviews`, their review schedule.
    pub(crate) async fn attempt_changed(&self, user: UserId, open: Option<Attempt>, reviews: bool) {
        self.we_changed(user, |kept| {
            kept.attempt = Some(open);
            if reviews {
                kept.person.reviews_due_at = None;
            }
        })
        .await;
    }

    /// Like [`People::changed`] for the other replicas, after a write this
    /// replica made and knows the outcome of: when nobody else moved the
    /// generation since the copy was read, the copy stays, with `edit` applied.
    async fn we_changed(&self, user: UserId, edit: impl FnOnce(&mut Kept)) {
        match self
            .state
            .incr(&Self::generation_key(user), GENERATION_TTL)
            .await
        {
            Ok(generation) => {
                let mut copies = self.copies();
                let next_of_ours = copies.by_person.get(&user).is_some_and(|kept| {
                    let ours = match &kept.generation {
                        None => Some(0),
                        Some(g) => g.parse::<i64>().ok(),
                    };
                    ours.and_then(|g| g.checked_add(1)) == Some(generation)
                });
                match copies.by_person.get_mut(&user) {
                    Some(kept) if next_of_ours => {
                        kept.generation = Some(generation.to_string());
                        edit(kept);
                    }
                    _ => {
                        copies.by_person.remove(&user);
                    }
                }
            }
            Err(e) => {
                self.copies().by_person.remove(&user);
                tracing::warn!(error = %e, "cannot tell the other replicas that a person changed; their copies expire within a minute");
            }
        }
    }

    /// Call after writing anything about `user` that a copy holds (their record,
    /// staff profile, access): every replica's copy is dropped. If the state store
    /// is down the local copy is dropped still; the others expire within a minute.
    pub async fn changed(&self, user: UserId) {
        self.copies().by_person.remove(&user);
        if let Err(e) = self
            .state
            .incr(&Self::generation_key(user), GENERATION_TTL)
            .await
        {
            tracing::warn!(error = %e, "cannot tell the other replicas that a person changed; their copies expire within a minute");
        }
    }
}

fn same_names(user: &UserRecord, profile: &UserProfile) -> bool {
    user.first_name == profile.first_name
        && user.last_name == profile.last_name
        && user.username == profile.username
}
