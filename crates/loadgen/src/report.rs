//! The results as Markdown tables (for people and `docs/benchmarks.md`) and as JSON.

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{Value, json};

use crate::broadcast::BroadcastResult;
use crate::pace::SoakResult;
use crate::scenarios::{LatencyResult, MemoryResult, Plan, StartupResult};
use crate::stats::{Summary, mib, ms};
use crate::topology::TopologyResult;

/// Everything one `loadgen` run measured.
#[derive(Debug)]
pub struct Report {
    pub stack: String,
    pub machine: String,
    pub startup: Option<StartupResult>,
    pub memory: Option<MemoryResult>,
    pub latency: Vec<LatencyResult>,
    pub broadcast: Option<BroadcastResult>,
    pub topology: Option<TopologyResult>,
    pub soak: Option<SoakResult>,
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem_kib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| crate::stats::status_kib(&m, "MemTotal"))
        .unwrap_or(0);
    format!("{cores} cores, {:.1} GiB RAM", mib(mem_kib) / 1024.0)
}

fn f1(x: f64) -> String {
    format!("{x:.1}")
}

fn msf(d: Duration) -> String {
    let v = ms(d);
    if v >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// `p50 | p95 | p99 | max` in milliseconds, for a table row.
fn percentile_cells(summary: Option<&Summary>) -> String {
    summary.map_or_else(
        || "– | – | – | –".to_owned(),
        |s| {
            format!(
                "{} | {} | {} | {}",
                msf(s.p50),
                msf(s.p95),
                msf(s.p99),
                msf(s.max)
            )
        },
    )
}

fn summary_json(s: Option<&Summary>) -> Value {
    s.map_or(Value::Null, |s| {
        json!({
            "count": s.count,
            "min_ms": ms(s.min), "p50_ms": ms(s.p50), "p95_ms": ms(s.p95),
            "p99_ms": ms(s.p99), "max_ms": ms(s.max), "mean_ms": ms(s.mean),
        })
    })
}

fn counts(list: &[(String, usize)]) -> String {
    if list.is_empty() {
        return "none".to_owned();
    }
    list.iter()
        .map(|(m, n)| format!("{m} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Report {
    pub fn new(plan: &Plan) -> Report {
        Report {
            stack: plan.bot.stack(),
            machine: machine(),
            startup: None,
            memory: None,
            latency: Vec::new(),
            broadcast: None,
            topology: None,
            soak: None,
        }
    }

    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Stack: {}. Machine: {}.\n", self.stack, self.machine);
        if let Some(s) = &self.startup {
            startup_md(&mut out, s);
        }
        if let Some(m) = &self.memory {
            memory_md(&mut out, m);
        }
        if !self.latency.is_empty() {
            latency_md(&mut out, &self.latency);
        }
        if let Some(b) = &self.broadcast {
            broadcast_md(&mut out, b);
        }
        if let Some(t) = &self.topology {
            topology_md(&mut out, t);
        }
        if let Some(s) = &self.soak {
            soak_md(&mut out, s);
        }
        out
    }

    pub fn json(&self) -> Value {
        let startup = self.startup.as_ref().map(|s| {
            let list = |v: &[Duration]| v.iter().map(|d| ms(*d)).collect::<Vec<_>>();
            json!({
                "to_first_get_updates_ms": list(&s.to_polling),
                "to_first_request_ms": list(&s.to_first_request),
                "shutdown_ms": list(&s.shutdown),
                "to_first_get_updates": summary_json(Summary::of(&s.to_polling).as_ref()),
                "all_graceful": s.all_graceful,
            })
        });
        let memory = self.memory.as_ref().map(|m| {
            json!({
                "users": m.users,
                "idle_rss_mib": mib(m.idle_kib),
                "loaded_rss_mib": mib(m.loaded_kib),
                "peak_rss_mib": mib(m.peak_kib),
                "database_bytes": m.database_bytes,
                "elapsed_ms": ms(m.elapsed),
                "errors": m.error_count,
                "first_errors": m.errors,
                "violations": m.violations,
            })
        });
        let latency: Vec<Value> = self
            .latency
            .iter()
            .map(|l| {
                json!({
                    "name": l.name,
                    "users": l.users,
                    "presses": l.presses,
                    "latency": summary_json(l.summary.as_ref()),
                    "throughput_per_s": l.throughput,
                    "elapsed_ms": ms(l.elapsed),
                    "unmatched": l.unmatched,
                    "errors": l.error_count,
                    "first_errors": l.errors,
                    "violations": l.violations,
                    "unanswered_callbacks": l.unanswered_callbacks,
                    "failed_requests": l.failed_requests.iter().map(|(m, n)| json!({"method": m, "count": n})).collect::<Vec<_>>(),
                    "requests": l.requests.iter().map(|(m, n)| json!({"method": m, "count": n})).collect::<Vec<_>>(),
                    "bot_cpu_ms": ms(l.bot_cpu),
                    "loadgen_cpu_ms": ms(l.loadgen_cpu),
                    "bot_rss_mib": mib(l.bot_rss_kib),
                })
            })
            .collect();
        let soak = self.soak.as_ref().map(|s| {
            let samples: Vec<Value> = s
                .samples
                .iter()
                .map(|x| {
                    json!({
                        "at_s": x.at.as_secs_f64(),
                        "rss_mib": mib(x.rss_kib),
                        "presses": x.presses,
                        "bot_cpu_ms": ms(x.cpu),
                        "latency_seen": summary_json(x.summary.as_ref()),
                    })
                })
                .collect();
            json!({
                "known": s.known,
                "walking": s.walking,
                "idle_rss_mib": mib(s.idle_kib),
                "known_rss_mib": mib(s.known_kib),
                "peak_rss_mib": mib(s.peak_kib),
                "database_bytes": s.database_bytes,
                "errors": s.error_count,
                "first_errors": s.errors,
                "violations": s.violations,
                "samples": samples,
            })
        });
        json!({
            "soak": soak,
            "stack": self.stack,
            "machine": self.machine,
            "startup": startup,
            "memory": memory,
            "latency": latency,
            "broadcast": self.broadcast.as_ref().map(|b| json!({
                "recipients": b.recipients,
                "delivered": b.delivered,
                "delivery_s": b.delivery.as_secs_f64(),
                "messages_per_second": b.recipients as f64 / b.delivery.as_secs_f64(),
                "flood_refusals": b.refusals,
                "retry_after_ignored": b.ignored_retry_after,
                "browsing_quiet": summary_json(b.quiet.summary.as_ref()),
                "browsing_during": summary_json(b.during.summary.as_ref()),
            })),
            "topology": self.topology.as_ref().map(|t| json!({
                "mode": t.mode,
                "replicas": t.replicas,
                "people": t.people,
                "sent": t.sent,
                "taken": t.taken,
                "lost": t.lost,
                "answered_twice": t.answered_twice,
                "unanswered_callbacks": t.unanswered_callbacks,
                "out_of_order_chats": t.out_of_order,
                "violations": t.violations,
                "broadcast_recipients": t.broadcast_recipients,
                "broadcast_delivered": t.broadcast_delivered,
                "broadcast_duplicates": t.broadcast_duplicates,
                "broadcast_unknown": t.broadcast_unknown,
                "errors": t.error_count,
                "builds_before": t.builds_before,
                "builds_after": t.builds_after,
                "upgraded_to": t.upgraded_to,
                "upgrade_s": t.upgrade.as_secs_f64(),
                "phases": t.phases.iter().map(|p| json!({
                    "name": p.name,
                    "presses": p.presses,
                    "latency": summary_json(p.summary.as_ref()),
                })).collect::<Vec<_>>(),
            })),
        })
    }
}

fn memory_md(out: &mut String, m: &MemoryResult) {
    let _ = writeln!(out, "### Memory (resident set of the bot process)\n");
    let _ = writeln!(out, "| state | VmRSS MiB |");
    let _ = writeln!(out, "|---|---:|");
    let _ = writeln!(out, "| idle after start | {} |", f1(mib(m.idle_kib)));
    let _ = writeln!(
        out,
        "| after {} people each sent /menu and opened a section | {} |",
        m.users,
        f1(mib(m.loaded_kib))
    );
    let _ = writeln!(out, "| peak (VmHWM) | {} |", f1(mib(m.peak_kib)));
    let db = m
        .database_bytes
        .map_or_else(|| "n/a".to_owned(), |b| format!("{:.1} MiB", mib(b / 1024)));
    let _ = writeln!(
        out,
        "\nThe crowd took {:.1} s; SQLite file with WAL afterwards: {db}; errors: {}; violations: {}.\n",
        m.elapsed.as_secs_f64(),
        m.error_count,
        m.violations
    );
    for e in &m.errors {
        let _ = writeln!(out, "- error: {e}");
    }
}

fn latency_md(out: &mut String, runs: &[LatencyResult]) {
    let _ = writeln!(
        out,
        "### Latency: button press → the screen that answers it at the fake (an edit, or a new message with buttons)\n"
    );
    let _ = writeln!(
        out,
        "| run | presses | p50 ms | p95 ms | p99 ms | max ms | presses/s | errors | violations | bot CPU ms/press | loadgen+fake CPU ms/press |"
    );
    let _ = writeln!(
        out,
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for l in runs {
        let per_press = |d: Duration| {
            if l.presses == 0 {
                "–".to_owned()
            } else {
                format!("{:.2}", ms(d) / l.presses as f64)
            }
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.0} | {} | {} | {} | {} |",
            l.name,
            l.presses,
            percentile_cells(l.summary.as_ref()),
            l.throughput,
            l.error_count + l.unmatched,
            l.violations,
            per_press(l.bot_cpu),
            per_press(l.loadgen_cpu),
        );
    }
    let _ = writeln!(out);
    for l in runs {
        let _ = writeln!(
            out,
            "- {}: {:.1} s; unanswered callback queries: {}; presses with no answering screen: {}; bot RSS after: {} MiB; requests: {}; refused requests: {}.",
            l.name,
            l.elapsed.as_secs_f64(),
            l.unanswered_callbacks,
            l.unmatched,
            f1(mib(l.bot_rss_kib)),
            counts(&l.requests),
            counts(&l.failed_requests),
        );
        for e in &l.errors {
            let _ = writeln!(out, "  - error: {e}");
        }
    }
}

fn startup_md(out: &mut String, s: &StartupResult) {
    let _ = writeln!(
        out,
        "### Start-up ({} runs, fresh database each)\n",
        s.to_polling.len()
    );
    let _ = writeln!(out, "| measure | min ms | median ms | max ms |");
    let _ = writeln!(out, "|---|---:|---:|---:|");
    for (name, values) in [
        ("spawn → first getUpdates", &s.to_polling),
        ("spawn → first Bot API request", &s.to_first_request),
        ("SIGTERM → exit", &s.shutdown),
    ] {
        if let Some(sum) = Summary::of(values) {
            let _ = writeln!(
                out,
                "| {name} | {} | {} | {} |",
                msf(sum.min),
                msf(sum.p50),
                msf(sum.max)
            );
        }
    }
    let _ = writeln!(
        out,
        "\nAll runs exited by themselves with status 0 after SIGTERM: {}.\n",
        if s.all_graceful { "yes" } else { "NO" }
    );
}

fn broadcast_md(out: &mut String, b: &BroadcastResult) {
    let _ = writeln!(
        out,
        "### Broadcast under flood control (1/s per chat, 30/s per bot)\n"
    );
    let _ = writeln!(
        out,
        "| recipients | delivered (browsers' chats counted) | time to deliver | messages/s | 429s from the fake | retries that ignored retry_after |"
    );
    let _ = writeln!(out, "|---:|---:|---:|---:|---:|---:|");
    let _ = writeln!(
        out,
        "| {} | {} | {:.1} s | {:.1} | {} | {} |\n",
        b.recipients,
        b.delivered,
        b.delivery.as_secs_f64(),
        b.recipients as f64 / b.delivery.as_secs_f64(),
        b.refusals,
        b.ignored_retry_after
    );
    latency_md(out, &[b.quiet.clone(), b.during.clone()]);
}

fn soak_md(out: &mut String, s: &SoakResult) {
    let _ = writeln!(
        out,
        "### Soak: {} known people, {} at a time at a human pace\n",
        s.known, s.walking
    );
    let _ = writeln!(
        out,
        "Bot RSS idle {:.1} MiB, after everyone wrote once {:.1} MiB, peak {:.1} MiB; errors {}; violations {}; database {}.\n",
        mib(s.idle_kib),
        mib(s.known_kib),
        mib(s.peak_kib),
        s.error_count,
        s.violations,
        s.database_bytes.map_or_else(
            || "elsewhere".to_owned(),
            |b| format!("{:.1} MiB", b as f64 / 1048576.0)
        ),
    );
    let _ = writeln!(
        out,
        "| minute | RSS MiB | presses | presses/s | p50 ms | p95 ms | p99 ms | max ms | bot CPU ms/press |"
    );
    let _ = writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut since = Duration::ZERO;
    for x in &s.samples {
        let interval = x.at.saturating_sub(since);
        since = x.at;
        let per_press = if x.presses == 0 {
            "–".to_owned()
        } else {
            format!("{:.3}", ms(x.cpu) / x.presses as f64)
        };
        let _ = writeln!(
            out,
            "| {:.1} | {} | {} | {:.0} | {} | {} |",
            x.at.as_secs_f64() / 60.0,
            f1(mib(x.rss_kib)),
            x.presses,
            crate::stats::per_second(x.presses, interval),
            percentile_cells(x.summary.as_ref()),
            per_press,
        );
    }
    for e in &s.errors {
        let _ = writeln!(out, "- error: {e}");
    }
    let _ = writeln!(out);
}

fn topology_md(out: &mut String, t: &TopologyResult) {
    let _ = writeln!(
        out,
        "### Topology: {} replicas, {}, {} people\n",
        t.replicas, t.mode, t.people
    );
    let _ = writeln!(out, "| measure | value |\n|---|---|");
    for (name, value) in [
        ("updates sent", t.sent),
        ("taken by a replica", t.taken),
        ("lost (must be 0)", t.lost),
        ("presses answered twice (must be 0)", t.answered_twice),
        ("unanswered callbacks (must be 0)", t.unanswered_callbacks),
        ("chats answered out of order (must be 0)", t.out_of_order),
        ("Telegram rule violations", t.violations),
        ("broadcast recipients", t.broadcast_recipients),
        ("broadcast delivered", t.broadcast_delivered),
        ("broadcast duplicates (must be 0)", t.broadcast_duplicates),
        (
            "broadcast unknown (in flight when its sender was killed)",
            t.broadcast_unknown,
        ),
        ("errors seen by the crowd", t.error_count),
    ] {
        let _ = writeln!(out, "| {name} | {value} |");
    }
    let _ = writeln!(
        out,
        "\nRolling upgrade to {}: {:.1} s; builds before {}, after {}.",
        t.upgraded_to,
        t.upgrade.as_secs_f64(),
        t.builds_before.join(", "),
        t.builds_after.join(", ")
    );
    let _ = writeln!(
        out,
        "\n| phase | presses | p50 ms | p95 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|"
    );
    for p in &t.phases {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            p.name,
            p.presses,
            percentile_cells(p.summary.as_ref())
        );
    }
    for e in &t.errors {
        let _ = writeln!(out, "\n- error: {e}");
    }
    out.push('\n');
}
