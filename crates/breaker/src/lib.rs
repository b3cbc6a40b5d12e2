//! A small circuit breaker for trainbot's dependencies: Redis (the `state`
//! crate), the database (`storage`) and the Bot API (`telegram`).
//!
//! A dependency that accepts connections and never answers (or a database whose
//! pool cannot get a connection) costs each call its whole time-out, and an update
//! makes several calls: seconds per update, for everyone.
//! After [`Breaker`] has seen `trip_after` calls in a row run into their time-out,
//! it opens: calls fail at once, without touching the network, for `cool_down`.
//! Then one call (the probe) is let through while the others keep failing fast; if
//! it succeeds the breaker closes, otherwise it stays open for another cool-down.
//!
//! Only time-outs count: a refused or dropped connection already fails in
//! milliseconds (and the clients reconnect by themselves), so opening on those
//! would only stretch a short outage by a cool-down. Any success resets the count.
//! What counts as a time-out is the caller's to say ([`Outcome`]).
//!
//! The state is exported as the gauge `trainbot_circuit_breaker_open{dependency}`
//! (1 open or probing, 0 closed); calls refused while open are counted in
//! `trainbot_circuit_breaker_rejected_total{dependency}`.

#![forbid(unsafe_code)]

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Calls go through; `timeouts` in a row so far.
    Closed { timeouts: u32 },
    /// Calls fail fast until `until`.
    Open { until: Instant },
    /// One probe is out; everyone else fails fast until it reports.
    Probing,
}

/// What a call that went through ended as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// Ran into its time-out: the dependency may be hung.
    TimedOut,
    /// Failed quickly (refused, dropped, an error reply): says nothing about hangs.
    Failed,
}

#[derive(Debug)]
pub struct Breaker {
    dependency: &'static str,
    trip_after: u32,
    cool_down: Duration,
    phase: Mutex<Phase>,
}

/// Leave to make one call. Report how it went with [`Permit::finish`]; a permit
/// dropped without a report (the caller was cancelled mid-call) counts as a
/// time-out, so a cancelled probe cannot leave the breaker probing for ever.
pub struct Permit<'a> {
    breaker: &'a Breaker,
    probe: bool,
    finished: bool,
}

impl Permit<'_> {
    pub fn finish(mut self, outcome: Outcome) {
        self.finished = true;
        self.breaker.report(self.probe, outcome, Instant::now());
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.breaker
                .report(self.probe, Outcome::TimedOut, Instant::now());
        }
    }
}

impl Breaker {
    pub fn new(dependency: &'static str, trip_after: u32, cool_down: Duration) -> Breaker {
        metrics::gauge!("trainbot_circuit_breaker_open", "dependency" => dependency).set(0.0);
        Breaker {
            dependency,
            trip_after: trip_after.max(1),
            cool_down,
            phase: Mutex::new(Phase::Closed { timeouts: 0 }),
        }
    }

    fn phase(&self) -> std::sync::MutexGuard<'_, Phase> {
        self.phase
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether calls are being refused (open, or a probe is out).
    pub fn is_open(&self) -> bool {
        !matches!(*self.phase(), Phase::Closed { .. })
    }

    /// A permit to call, or `None` when the call must fail fast.
    pub fn admit(&self) -> Option<Permit<'_>> {
        let probe = {
            let mut phase = self.phase();
            match *phase {
                Phase::Closed { .. } => false,
                Phase::Open { until } if Instant::now() >= until => {
                    *phase = Phase::Probing;
                    true
                }
                Phase::Open { .. } | Phase::Probing => {
                    metrics::counter!("trainbot_circuit_breaker_rejected_total", "dependency" => self.dependency)
                        .increment(1);
                    return None;
                }
            }
        };
        Some(Permit {
            breaker: self,
            probe,
            finished: false,
        })
    }

    fn report(&self, probe: bool, outcome: Outcome, now: Instant) {
        let mut phase = self.phase();
        let before = *phase;
        let next = match (before, outcome) {
            // A call admitted before the breaker opened may still report; only the
            // probe decides how an open breaker goes on.
            (Phase::Open { .. } | Phase::Probing, _) if !probe => before,
            (_, Outcome::Success) => Phase::Closed { timeouts: 0 },
            (Phase::Probing, _) => Phase::Open {
                until: now + self.cool_down,
            },
            (Phase::Closed { timeouts }, Outcome::TimedOut) => {
                if timeouts + 1 >= self.trip_after {
                    Phase::Open {
                        until: now + self.cool_down,
                    }
                } else {
                    Phase::Closed {
                        timeouts: timeouts + 1,
                    }
                }
            }
            (Phase::Closed { .. } | Phase::Open { .. }, Outcome::Failed)
            | (Phase::Open { .. }, Outcome::TimedOut) => before,
        };
        *phase = next;
        drop(phase);
        let was_open = !matches!(before, Phase::Closed { .. });
        let is_open = !matches!(next, Phase::Closed { .. });
        if was_open != is_open {
            metrics::gauge!("trainbot_circuit_breaker_open", "dependency" => self.dependency)
                .set(if is_open { 1.0 } else { 0.0 });
            if is_open {
                tracing::warn!(
                    dependency = self.dependency,
                    cool_down_ms = u64::try_from(self.cool_down.as_millis()).unwrap_or(u64::MAX),
                    "calls keep timing out; the circuit breaker opens and calls fail fast"
                );
            } else {
                tracing::info!(dependency = self.dependency, "the circuit breaker closes");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker() -> Breaker {
        Breaker::new("test", 3, Duration::from_secs(3600))
    }

    fn time_out(b: &Breaker) {
        b.admit().expect("admitted").finish(Outcome::TimedOut);
    }

    #[test]
    fn opens_after_timeouts_in_a_row_only() {
        let b = breaker();
        time_out(&b);
        time_out(&b);
        b.admit().expect("admitted").finish(Outcome::Success);
        time_out(&b);
        time_out(&b);
        for _ in 0..5 {
            b.admit().expect("admitted").finish(Outcome::Failed);
        }
        assert!(
            !b.is_open(),
            "a success resets; quick failures do not count"
        );
        time_out(&b);
        assert!(b.is_open());
        assert!(b.admit().is_none(), "open: fail fast");
    }

    #[test]
    fn after_the_cool_down_one_probe_decides() {
        let b = Breaker::new("test", 1, Duration::ZERO);
        time_out(&b);
        assert!(b.is_open());
        let probe = b.admit().expect("the cool-down is over: a probe");
        assert!(b.admit().is_none(), "one probe at a time");
        probe.finish(Outcome::TimedOut);
        assert!(b.is_open(), "a failed probe keeps it open");
        let probe = b.admit().expect("another probe");
        probe.finish(Outcome::Success);
        assert!(!b.is_open(), "a good probe closes it");
        assert!(b.admit().is_some());
    }

    #[test]
    fn a_cancelled_probe_counts_as_a_time_out() {
        let b = Breaker::new("test", 1, Duration::ZERO);
        time_out(&b);
        drop(b.admit().expect("a probe"));
        assert!(b.is_open());
        assert!(b.admit().is_some(), "not stuck probing");
    }

    #[test]
    fn late_reports_of_ordinary_calls_do_not_close_an_open_breaker() {
        let b = breaker();
        let late = b.admit().expect("admitted");
        for _ in 0..3 {
            time_out(&b);
        }
        late.finish(Outcome::Success);
        assert!(b.is_open(), "only the probe closes it");
    }
}
