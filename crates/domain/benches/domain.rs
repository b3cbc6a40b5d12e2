//! The domain's hot pure functions (issue 14, docs/benchmarks.md): rendering a
//! page's Markdown, splitting a long page into messages, the callback codec, and
//! loading the sample content pack. `cargo bench -p domain`.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use domain::callback::{AdminAction, Callback, ListStatus};
use domain::content::ContentPack;
use domain::render::render_markdown;
use domain::split::split;

fn content_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../content")
}

/// The Russian text of the pack's longest page, without its front matter.
fn long_page() -> String {
    let raw = std::fs::read_to_string(content_dir().join("bar/recipe-book.md"))
        .expect("the sample pack's recipe book");
    let body = raw.splitn(3, "+++").nth(2).unwrap_or(&raw);
    let russian = body.split("::: en").next().unwrap_or(body);
    russian.replace("::: ru", "").replace(":::", "")
}

fn render_and_split(c: &mut Criterion) {
    let markdown = long_page();
    c.bench_function("render_markdown (the recipe book page)", |b| {
        b.iter(|| render_markdown(black_box(&markdown)).expect("renders"));
    });
    let html = render_markdown(&markdown).expect("renders");
    c.bench_function("split into 4096-character messages", |b| {
        b.iter(|| split(black_box(&html), 4096).expect("splits"));
    });
}

fn callback_codec(c: &mut Criterion) {
    let pack = ContentPack::load(&content_dir()).expect("the sample pack loads");
    let callbacks = [
        Callback::Home,
        Callback::Open(pack.top_level()[0]),
        Callback::Answer {
            attempt: 123_456,
            position: 3,
            shown: 2,
        },
        Callback::Admin(AdminAction::People {
            status: ListStatus::Active,
            after: Some(7_000_000_123),
        }),
    ];
    let encoded: Vec<String> = callbacks.iter().map(Callback::encode).collect();
    c.bench_function("callback encode (4 kinds)", |b| {
        b.iter(|| {
            for callback in black_box(&callbacks) {
                black_box(callback.encode());
            }
        });
    });
    c.bench_function("callback decode (4 kinds)", |b| {
        b.iter(|| {
            for data in black_box(&encoded) {
                black_box(Callback::decode(data).expect("decodes"));
            }
        });
    });
}

fn pack_load(c: &mut Criterion) {
    let dir = content_dir();
    let mut group = c.benchmark_group("content pack");
    group.sample_size(20);
    group.bench_function("load the sample pack", |b| {
        b.iter(|| ContentPack::load(black_box(&dir)).expect("loads"));
    });
    group.finish();
}

criterion_group!(benches, render_and_split, callback_codec, pack_load);
criterion_main!(benches);
