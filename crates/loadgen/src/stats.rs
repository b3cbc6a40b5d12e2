//! Summaries of measured durations: nearest-rank percentiles, throughput, and small
//! parsers for `/proc` figures. Pure functions, unit-tested with concrete values.

use std::time::Duration;

/// min / median / percentiles / max of a set of durations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub count: usize,
    pub min: Duration,
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
    pub max: Duration,
    pub mean: Duration,
}

impl Summary {
    /// `None` for an empty set.
    pub fn of(samples: &[Duration]) -> Option<Summary> {
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        let min = *sorted.first()?;
        let max = *sorted.last()?;
        let total: Duration = sorted.iter().sum();
        let count = sorted.len();
        let mean = total / u32::try_from(count).unwrap_or(u32::MAX);
        Some(Summary {
            count,
            min,
            p50: percentile(&sorted, 50.0)?,
            p95: percentile(&sorted, 95.0)?,
            p99: percentile(&sorted, 99.0)?,
            max,
            mean,
        })
    }
}

/// The nearest-rank percentile of already sorted samples: the smallest value such that
/// at least `p` percent of the samples are less than or equal to it. `None` when empty
/// or when `p` is not within 0..=100.
pub fn percentile(sorted: &[Duration], p: f64) -> Option<Duration> {
    if sorted.is_empty() || !(0.0..=100.0).contains(&p) {
        return None;
    }
    let n = sorted.len();
    // rank = ceil(p/100 * n), at least 1. Computed in integers of "per-million" to stay
    // exact for the usual percentiles (50, 95, 99) and any n.
    let per_million = (p * 10_000.0).round() as u128;
    let rank = (per_million * n as u128).div_ceil(1_000_000).max(1);
    let index = usize::try_from(rank - 1).unwrap_or(usize::MAX).min(n - 1);
    sorted.get(index).copied()
}

/// Events per second over `elapsed`; 0 when nothing elapsed.
pub fn per_second(events: usize, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 {
        events as f64 / secs
    } else {
        0.0
    }
}

/// Milliseconds with three decimals, for tables and JSON.
pub fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1_000.0
}

/// Mebibytes from kibibytes.
pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// A `kB` line of `/proc/PID/status` (e.g. `VmRSS:   12345 kB`), in KiB.
pub fn status_kib(status: &str, field: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// User + system CPU clock ticks from the text of `/proc/PID/stat`.
pub fn stat_cpu_ticks(stat: &str) -> Option<u64> {
    // The command name (field 2) may contain spaces and parentheses: split after the
    // last ')'. The rest starts at field 3 (state); utime and stime are fields 14, 15.
    let (_, rest) = stat.rsplit_once(')')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(values: impl IntoIterator<Item = u64>) -> Vec<Duration> {
        values.into_iter().map(Duration::from_millis).collect()
    }

    #[test]
    fn percentiles_of_one_to_a_hundred() {
        let samples = millis(1..=100);
        let s = Summary::of(&samples).unwrap();
        assert_eq!(s.count, 100);
        assert_eq!(s.min, Duration::from_millis(1));
        assert_eq!(s.p50, Duration::from_millis(50));
        assert_eq!(s.p95, Duration::from_millis(95));
        assert_eq!(s.p99, Duration::from_millis(99));
        assert_eq!(s.max, Duration::from_millis(100));
        assert_eq!(s.mean, Duration::from_micros(50_500));
    }

    #[test]
    fn order_of_the_input_does_not_matter() {
        let s = Summary::of(&millis([30, 10, 20, 50, 40])).unwrap();
        assert_eq!(s.min, Duration::from_millis(10));
        assert_eq!(s.p50, Duration::from_millis(30));
        assert_eq!(s.p95, Duration::from_millis(50));
        assert_eq!(s.max, Duration::from_millis(50));
    }

    #[test]
    fn nearest_rank_on_small_sets() {
        let sorted = millis([10, 20, 30, 40]);
        assert_eq!(percentile(&sorted, 50.0), Some(Duration::from_millis(20)));
        assert_eq!(percentile(&sorted, 75.0), Some(Duration::from_millis(30)));
        assert_eq!(percentile(&sorted, 76.0), Some(Duration::from_millis(40)));
        assert_eq!(percentile(&sorted, 0.0), Some(Duration::from_millis(10)));
        assert_eq!(percentile(&sorted, 100.0), Some(Duration::from_millis(40)));
        // 1000 samples: p99 is the 990th value, p99.9 the 999th.
        let thousand = millis(1..=1000);
        assert_eq!(
            percentile(&thousand, 99.0),
            Some(Duration::from_millis(990))
        );
        assert_eq!(
            percentile(&thousand, 99.9),
            Some(Duration::from_millis(999))
        );
    }

    #[test]
    fn a_single_sample_is_every_percentile() {
        let s = Summary::of(&millis([7])).unwrap();
        assert_eq!(
            (s.min, s.p50, s.p99, s.max),
            (
                Duration::from_millis(7),
                Duration::from_millis(7),
                Duration::from_millis(7),
                Duration::from_millis(7)
            )
        );
    }

    #[test]
    fn empty_or_nonsense_gives_none() {
        assert_eq!(Summary::of(&[]), None);
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(percentile(&millis([1]), 101.0), None);
        assert_eq!(percentile(&millis([1]), f64::NAN), None);
    }

    #[test]
    fn throughput_and_units() {
        assert_eq!(per_second(500, Duration::from_millis(250)), 2000.0);
        assert_eq!(per_second(5, Duration::ZERO), 0.0);
        assert_eq!(ms(Duration::from_micros(1_234_567)), 1234.567);
        assert_eq!(mib(1536), 1.5);
    }

    #[test]
    fn proc_figures() {
        let status = "Name:\ttrainbot\nVmHWM:\t   40960 kB\nVmRSS:\t   20480 kB\n";
        assert_eq!(status_kib(status, "VmRSS"), Some(20_480));
        assert_eq!(status_kib(status, "VmHWM"), Some(40_960));
        assert_eq!(status_kib(status, "VmSwap"), None);
        let stat = "4242 (train bot) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 9 0 100";
        assert_eq!(stat_cpu_ticks(stat), Some(325));
        assert_eq!(stat_cpu_ticks("garbage"), None);
    }
}
