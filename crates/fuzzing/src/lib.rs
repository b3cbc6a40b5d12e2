//! Fuzz harnesses for trainbot: one function per target, each taking the raw bytes
//! a fuzzer produces, driving the production code with them and asserting the
//! invariants that code promises (not just "it does not panic"). A broken
//! invariant panics, which the fuzzer reports as a crash.
//!
//! The same functions run under `cargo fuzz` (the thin targets in `fuzz/`, nightly)
//! and under `cargo test` (`tests/corpus.rs` replays the seed corpora and every
//! saved crash on the stable toolchain), so a crash found once stays fixed.
//!
//! # Targets
//! - [`callback`]: the callback-data codec.
//! - [`markdown`]: the Markdown renderer, then the splitter.
//! - [`content_pack`]: the content pack loader (front matter, TOML, quizzes).
//! - [`update`]: a raw Bot API update (JSON) mapped to what the engine sees.
//! - [`csv_cells`]: CSV export cells, neutralised against formula injection.
//! - [`xlsx_cells`]: Excel export cells, read back as written.
//! - [`webhook`]: the webhook endpoint's checks before an update is handled.

mod callback;
mod content_pack;
mod csv_cells;
mod markdown;
mod oracle;
mod update;
mod webhook;
mod xlsx_cells;

pub use callback::callback;
pub use content_pack::content_pack;
pub use csv_cells::csv_cells;
pub use markdown::markdown;
pub use update::update;
pub use webhook::webhook;
pub use xlsx_cells::xlsx_cells;

/// A target's harness: the raw input in, a panic when an invariant breaks.
pub type Harness = fn(&[u8]);

/// Every target by the name its fuzz target, seed folder and regression folder use.
pub const TARGETS: [(&str, Harness); 7] = [
    ("callback", callback),
    ("markdown", markdown),
    ("content_pack", content_pack),
    ("update", update),
    ("csv_cells", csv_cells),
    ("webhook", webhook),
    ("xlsx_cells", xlsx_cells),
];
