//! Replays every seed (`fuzz/seeds/<target>/`) and every saved crash
//! (`fuzz/regressions/<target>/`) through its target's harness, on the stable
//! toolchain: a crash the fuzzer found once stays fixed, and the seeds keep
//! exercising the invariants even where nobody runs the fuzzer.

use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

fn replay(kind: &str) -> usize {
    let mut replayed = 0;
    for (target, harness) in fuzzing::TARGETS {
        for file in files(&fuzz_dir().join(kind).join(target)) {
            let data = std::fs::read(&file)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
            let run = std::panic::catch_unwind(|| harness(&data));
            assert!(run.is_ok(), "{target}: {} fails", file.display());
            replayed += 1;
        }
    }
    replayed
}

#[test]
fn every_seed_passes() {
    // Each target has seeds: a target without any would silently test nothing here.
    for (target, _) in fuzzing::TARGETS {
        let dir = fuzz_dir().join("seeds").join(target);
        assert!(!files(&dir).is_empty(), "no seeds in {}", dir.display());
    }
    assert!(replay("seeds") > 0);
}

#[test]
fn every_saved_crash_stays_fixed() {
    replay("regressions");
}
