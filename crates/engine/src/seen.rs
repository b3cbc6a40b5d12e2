//! Which update ids this process has received, to tell an id nobody can have
//! handled yet from one that may be a repeat (ADR 0038, 0040).
//!
//! Telegram's update ids only grow, but updates of different chats are handled
//! side by side, so they reach the engine somewhat out of order. A window of the
//! newest [`WINDOW`] ids remembers each one seen; every id below the window (and
//! every id no newer than the newest claim found in the database at start) counts
//! as possibly seen.

/// Ids the window spans: far more than can be in flight at once (the dispatcher
/// holds a few hundred updates), in 8 KiB.
const WINDOW: i64 = 1 << 16;
const WORDS: usize = WINDOW as usize / 64;

/// The ids seen in `[floor, floor + WINDOW)`; ids below `floor` count as seen.
pub(crate) struct SeenIds {
    floor: i64,
    /// Bit `id % WINDOW` is set once `id` (inside the window) has been seen.
    bits: Box<[u64; WORDS]>,
}

impl SeenIds {
    /// Every id up to `newest` counts as seen (`None`: nothing has been claimed).
    pub(crate) fn above(newest: Option<i64>) -> SeenIds {
        SeenIds {
            floor: newest.map_or(i64::MIN, |n| n.saturating_add(1)),
            bits: Box::new([0; WORDS]),
        }
    }

    /// Records `id`; `true` if it may have been received before: seen already,
    /// or too old for the window.
    pub(crate) fn insert(&mut self, id: i64) -> bool {
        if id < self.floor {
            return true;
        }
        if i128::from(id) >= i128::from(self.floor) + i128::from(WINDOW) {
            self.slide_to(id - (WINDOW - 1));
        }
        let (word, mask) = slot(id);
        let seen = self.bits[word] & mask != 0;
        self.bits[word] |= mask;
        seen
    }

    /// Moves the floor up to `floor`, forgetting the ids that leave the window.
    fn slide_to(&mut self, floor: i64) {
        let gone = i128::from(floor) - i128::from(self.floor);
        if gone >= i128::from(WINDOW) {
            self.bits.fill(0);
        } else {
            for id in self.floor..floor {
                let (word, mask) = slot(id);
                self.bits[word] &= !mask;
            }
        }
        self.floor = floor;
    }
}

/// The word and the bit of `id` in the window.
fn slot(id: i64) -> (usize, u64) {
    let bit = id.rem_euclid(WINDOW) as usize;
    (bit / 64, 1 << (bit % 64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ids_up_to_the_newest_claim_may_be_repeats_and_newer_ones_are_new_once() {
        let mut seen = SeenIds::above(Some(100));
        assert!(seen.insert(100));
        assert!(seen.insert(7));
        assert!(!seen.insert(102));
        assert!(!seen.insert(101), "out of order is still new");
        assert!(seen.insert(102), "the second time it is a repeat");
    }

    #[test]
    fn with_no_claim_at_all_the_first_ids_are_new() {
        let mut seen = SeenIds::above(None);
        assert!(!seen.insert(i64::MIN));
        assert!(!seen.insert(5));
        assert!(!seen.insert(i64::MAX));
        assert!(seen.insert(i64::MAX));
        assert!(seen.insert(5), "far below the window now");
    }

    #[test]
    fn an_id_that_slid_out_of_the_window_counts_as_seen_and_its_bit_is_reused() {
        let mut seen = SeenIds::above(Some(0));
        let w = WINDOW;
        assert!(!seen.insert(1));
        assert!(!seen.insert(w + 1), "same bit as 1, a new id");
        assert!(seen.insert(1), "below the window");
        assert!(!seen.insert(w + 2));
        assert!(
            !seen.insert(2 * w + 1),
            "same bit as w + 1, now out of the window"
        );
        assert!(seen.insert(w + 1));
    }

    proptest! {
        /// Against a plain set: an id is new exactly when it is above the claim,
        /// not seen yet and within the window below the newest id.
        #[test]
        fn the_window_agrees_with_a_set_of_every_id(
            start in -5i64..5,
            steps in proptest::collection::vec(-300i64..70_000, 1..200),
        ) {
            let mut seen = SeenIds::above(Some(start));
            let mut all = std::collections::BTreeSet::new();
            let mut newest = start;
            for (i, step) in steps.into_iter().enumerate() {
                let id = if i % 2 == 0 { newest + step } else { newest - step.abs() % 300 };
                newest = newest.max(id);
                let window_floor = (newest - (WINDOW - 1)).max(start + 1);
                let expected = id <= start || id < window_floor || all.contains(&id);
                prop_assert_eq!(seen.insert(id), expected, "id {}", id);
                all.insert(id);
            }
        }
    }
}
