//! The process's own metrics in the Prometheus client libraries' standard names
//! (`process_cpu_seconds_total`, `process_resident_memory_bytes`, ...), read from
//! `/proc/self` at each scrape and appended to `/metrics`. On a system without
//! `/proc` they are left out.

use std::fmt::Write;

/// Linux reports CPU times in ticks of `USER_HZ`, which is 100 on every
/// architecture it supports (the kernel's ABI; `getconf CLK_TCK`).
const TICKS_PER_SECOND: f64 = 100.0;

/// The metrics as Prometheus text, or an empty string without `/proc`.
pub fn render() -> String {
    let Some(sample) = Sample::read() else {
        return String::new();
    };
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, value: f64| {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
        );
    };
    metric(
        "process_cpu_seconds_total",
        "counter",
        "Total user and system CPU time spent in seconds.",
        sample.cpu_seconds,
    );
    metric(
        "process_resident_memory_bytes",
        "gauge",
        "Resident memory size in bytes.",
        sample.resident_bytes,
    );
    metric(
        "process_virtual_memory_bytes",
        "gauge",
        "Virtual memory size in bytes.",
        sample.virtual_bytes,
    );
    metric(
        "process_open_fds",
        "gauge",
        "Number of open file descriptors.",
        sample.open_fds,
    );
    if let Some(max) = sample.max_fds {
        metric(
            "process_max_fds",
            "gauge",
            "Maximum number of open file descriptors.",
            max,
        );
    }
    if let Some(start) = sample.start_time {
        metric(
            "process_start_time_seconds",
            "gauge",
            "Start time of the process since unix epoch in seconds.",
            start,
        );
    }
    metric(
        "process_threads",
        "gauge",
        "Number of OS threads in the process.",
        sample.threads,
    );
    out
}

struct Sample {
    cpu_seconds: f64,
    resident_bytes: f64,
    virtual_bytes: f64,
    open_fds: f64,
    max_fds: Option<f64>,
    start_time: Option<f64>,
    threads: f64,
}

impl Sample {
    fn read() -> Option<Sample> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let fields = stat_fields(&stat)?;
        // Fields after the command name, counted from 3 (`state`) as in proc(5).
        let field = |n: usize| fields.get(n - 3).and_then(|f| f.parse::<f64>().ok());
        let cpu_seconds = (field(14)? + field(15)?) / TICKS_PER_SECOND;
        let threads = field(20)?;
        let start_time = boot_time()
            .zip(field(22))
            .map(|(boot, ticks)| boot + ticks / TICKS_PER_SECOND);
        let kib = |key: &str| status_kib(&status, key).map(|k| k * 1024.0);
        let open_fds = std::fs::read_dir("/proc/self/fd").ok()?.count() as f64;
        Some(Sample {
            cpu_seconds,
            resident_bytes: kib("VmRSS:")?,
            virtual_bytes: kib("VmSize:")?,
            open_fds,
            max_fds: max_open_files(),
            start_time,
            threads,
        })
    }
}

/// The fields of `/proc/self/stat` after `(comm)`, which may itself hold spaces
/// and parentheses.
fn stat_fields(stat: &str) -> Option<Vec<&str>> {
    let (_, rest) = stat.rsplit_once(')')?;
    Some(rest.split_whitespace().collect())
}

/// A `Key:   123 kB` line of `/proc/self/status`, in KiB.
fn status_kib(status: &str, key: &str) -> Option<f64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(key))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// When the machine booted, seconds since the epoch (`btime` in `/proc/stat`).
fn boot_time() -> Option<f64> {
    std::fs::read_to_string("/proc/stat")
        .ok()?
        .lines()
        .find_map(|line| line.strip_prefix("btime "))
        .and_then(|n| n.trim().parse().ok())
}

/// The soft limit on open files (`/proc/self/limits`), unless unlimited.
fn max_open_files() -> Option<f64> {
    std::fs::read_to_string("/proc/self/limits")
        .ok()?
        .lines()
        .find(|line| line.starts_with("Max open files"))?
        .trim_start_matches("Max open files")
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_name_with_spaces_and_parentheses_does_not_shift_the_fields() {
        let stat = "42 (tokio (x) y) S 1 42 42 0 -1 4194304 10 0 0 0 250 50 0 0 20 0 7 0 1000 0";
        let fields = stat_fields(stat).unwrap();
        assert_eq!(fields[0], "S");
        assert_eq!(fields[14 - 3], "250");
        assert_eq!(fields[20 - 3], "7");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_is_measured() {
        // CPU time counts in hundredths of a second: spend some first.
        let started = std::time::Instant::now();
        let mut spin = 0u64;
        while Sample::read().unwrap().cpu_seconds == 0.0 {
            assert!(started.elapsed().as_secs() < 30, "no CPU time counted");
            for i in 0..100_000u64 {
                spin = std::hint::black_box(spin.wrapping_mul(31).wrapping_add(i));
            }
        }
        let text = render();
        for name in [
            "process_cpu_seconds_total",
            "process_resident_memory_bytes",
            "process_virtual_memory_bytes",
            "process_open_fds",
            "process_max_fds",
            "process_start_time_seconds",
            "process_threads",
        ] {
            let value: f64 = text
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{name} ")))
                .unwrap_or_else(|| panic!("{name} in {text}"))
                .parse()
                .unwrap();
            assert!(value > 0.0, "{name} = {value}");
        }
        let rss = status_kib(
            &std::fs::read_to_string("/proc/self/status").unwrap(),
            "VmRSS:",
        );
        assert!(rss.unwrap() > 100.0, "more than 100 KiB resident");
    }
}
