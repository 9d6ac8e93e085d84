//! Routing speed: decoding and routing the demo timeline (one line at a
//! time, and as a stream the way `circles route` reads it), routing alone,
//! and routing against a config with 10,000 accounts in columns and mutes.
//!
//! `cargo bench --bench route`; the end-to-end comparison with jq is
//! `scripts/bench-route.sh`.

// Benches are test tooling: a failed step should stop them loudly.
#![allow(clippy::unwrap_used)]

use chrono::Utc;
use circles::config::DEFAULT_CONFIG;
use circles::decode::decode;
use circles::decode::stream::Decoder;
use circles::filter::{Router, load, route};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::fmt::Write as _;
use std::hint::black_box;

const DEMO: &str = include_str!("../assets/demo.jsonl");

fn big_config() -> String {
    let mut text = String::from(DEFAULT_CONFIG);
    text.push_str("\n[[column]]\nname = \"Big\"\naccounts = [\n");
    for i in 0..8_000 {
        let _ = writeln!(text, "  \"@user{i}@instance{}.social\",", i % 50);
    }
    text.push_str("]\nkeywords = [");
    for i in 0..200 {
        let _ = write!(text, "\"topic{i}\", ");
    }
    text.push_str("]\n");
    // The default config has no [mute.until] table yet, so 2,000 timed
    // mutes can go in a new one without editing the [mute] arrays.
    text.push_str("\n[mute.until]\n");
    for i in 0..2_000 {
        let _ = writeln!(text, "\"@muted{i}@instance.social\" = 2099-01-01T00:00:00Z");
    }
    text
}

fn benches(c: &mut Criterion) {
    let lines: Vec<&str> = DEMO.lines().collect();
    let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
    let rules = load(DEFAULT_CONFIG, Utc::now()).unwrap().rules;
    let posts: Vec<_> = lines.iter().map(|l| decode(l, "demo").unwrap()).collect();

    let mut group = c.benchmark_group("demo timeline");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("decode + route", |b| {
        b.iter(|| {
            for line in &lines {
                let post = decode(black_box(line), "demo").unwrap();
                black_box(route(&rules, &post));
            }
        })
    });
    // As `circles route` reads a stream: its decoder, kept across passes as
    // across a long input (its account cache answers for accounts it has
    // read before), refilling one post, routed by one router.
    let mut decoder = Decoder::for_routing();
    let mut post = Decoder::blank_post();
    let mut router = Router::default();
    group.bench_function("stream decode + route", |b| {
        b.iter(|| {
            for line in &lines {
                decoder
                    .decode_line_into(black_box(line.as_bytes()), "demo", &mut post)
                    .unwrap();
                black_box(router.route(&rules, &post));
            }
        })
    });
    group.throughput(Throughput::Elements(posts.len() as u64));
    group.bench_function("route only", |b| {
        b.iter(|| {
            for post in &posts {
                black_box(route(&rules, black_box(post)));
            }
        })
    });
    let big = load(&big_config(), Utc::now()).unwrap().rules;
    group.bench_function("route only, 10k-account config", |b| {
        b.iter(|| {
            for post in &posts {
                black_box(route(&big, black_box(post)));
            }
        })
    });
    group.finish();
}

criterion_group!(route_benches, benches);
criterion_main!(route_benches);
