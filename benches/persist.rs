//! Persistence speed: reading back a cache of 50,000 posts at startup, and
//! storing a batch of 1,000 posts (one second of a 1,000 posts/s stream).
//!
//! `cargo bench --bench persist`.
//!
//! Targets: startup with 50k cached posts to first frame ≤ 300 ms, of which
//! open + load is a part; persisting 1,000 posts/s < 5% of a core, i.e. one
//! batch of 1,000 < 50 ms.

// Benches are test tooling: a failed step should stop them loudly.
#![allow(clippy::unwrap_used)]

use chrono::{TimeDelta, Utc};
use circles::app::{Action, AppState, ConfigStatus, update};
use circles::cache::Db;
use circles::decode::decode;
use circles::model::Post;
use circles::store::post_key;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;
use std::time::{Duration, Instant};

const DEMO: &str = include_str!("../assets/demo.jsonl");
const CACHED: usize = 50_000;
const SOURCES: usize = 10;
const STREAM_BATCH: usize = 1_000;

/// `n` distinct posts made from the demo timeline, spread over 10 sources,
/// one second apart, numbered from `start`.
fn posts(start: usize, n: usize) -> Vec<Post> {
    let demo: Vec<Post> = DEMO
        .lines()
        .filter_map(|l| decode(l, "demo").ok())
        .collect();
    let now = Utc::now();
    (start..start + n)
        .map(|i| {
            let mut post = demo[i % demo.len()].clone();
            post.source = format!("source{}", i % SOURCES);
            post.id = format!("{i}");
            post.uri = post.uri.map(|u| format!("{u}#{i}"));
            post.created_at = now - TimeDelta::seconds((CACHED + 10_000_000 - i) as i64);
            post
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("circles.db");
    {
        let (mut db, _) = Db::open(&path).unwrap();
        for chunk in posts(0, CACHED).chunks(5_000) {
            db.save_posts(chunk).unwrap();
        }
        let keys: Vec<String> = posts(0, CACHED / 2).iter().map(post_key).collect();
        db.mark_seen(&keys).unwrap();
        for s in 0..SOURCES {
            db.set_cursor(&format!("source{s}"), "since_id", "123456789")
                .unwrap();
        }
        db.set_position("All", &keys[100]).unwrap();
    }
    let size = std::fs::metadata(&path).unwrap().len();
    eprintln!(
        "cache of {CACHED} posts: {:.1} MiB",
        size as f64 / (1024.0 * 1024.0)
    );

    let mut group = c.benchmark_group("startup");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("open + load 50k posts", |b| {
        b.iter(|| {
            let (db, note) = Db::open(&path).unwrap();
            assert!(note.is_none());
            let snap = db.load().unwrap();
            assert_eq!(snap.posts.len(), CACHED);
            black_box(snap)
        })
    });
    // What a restart does before its first frame: open the cache, load it,
    // route the posts into the app's timeline (which keeps the newest
    // DEFAULT_CAPACITY of them), put positions back, and draw 200x50.
    let config = "[[column]]\nname = \"All\"\n[[column]]\nname = \"Rust\"\nhashtags = [\"rust\"]\n\
                  [[column]]\nname = \"Rest\"\nrest = true\n";
    group.bench_function("open + load + restore + first frame, 50k posts", |b| {
        b.iter(|| {
            let (db, _) = Db::open(&path).unwrap();
            let snap = db.load().unwrap();
            let compiled = circles::filter::load(config, Utc::now()).unwrap();
            let mut state = AppState::new(
                compiled.rules,
                compiled.config.keymap,
                &[],
                ConfigStatus::default(),
                Utc::now(),
            );
            update(
                &mut state,
                Action::Resize {
                    width: 200,
                    height: 50,
                },
            );
            update(&mut state, Action::Restore(snap));
            let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap();
            terminal.draw(|f| circles::ui::render(&state, f)).unwrap();
            black_box(state.timeline.len())
        })
    });
    let (db, _) = Db::open(&path).unwrap();
    group.bench_function("load 50k posts", |b| {
        b.iter(|| black_box(db.load().unwrap()))
    });
    group.finish();
    drop(db);

    // New posts every batch, as a stream brings them; the cache is pruned
    // back to 50k outside the timing, as the app does now and then.
    let (mut db, _) = Db::open(&path).unwrap();
    let fresh: Vec<Vec<Post>> = (0..20)
        .map(|k| posts(CACHED + k * STREAM_BATCH, STREAM_BATCH))
        .collect();
    let mut round = 0usize;
    let mut group = c.benchmark_group("stream");
    group.sample_size(20);
    group.throughput(Throughput::Elements(STREAM_BATCH as u64));
    group.bench_function("save_posts 1000 new posts", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                let mut batch = fresh[round % fresh.len()].clone();
                // Distinct keys each round, so every post is an insert.
                let shift = round / fresh.len();
                for p in &mut batch {
                    p.id = format!("{}-{shift}", p.id);
                    p.uri = p.uri.take().map(|u| format!("{u}-{shift}"));
                }
                round += 1;
                let started = Instant::now();
                db.save_posts(black_box(&batch)).unwrap();
                spent += started.elapsed();
                if round.is_multiple_of(10) {
                    db.prune(CACHED / SOURCES).unwrap();
                }
            }
            spent
        })
    });
    group.bench_function("prune 1000 over 50k", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                let batch = posts(10_000_000 + round * STREAM_BATCH, STREAM_BATCH);
                round += 1;
                db.save_posts(&batch).unwrap();
                let started = Instant::now();
                black_box(db.prune(CACHED / SOURCES).unwrap());
                spent += started.elapsed();
            }
            spent
        })
    });
    group.finish();
}

criterion_group!(persist_benches, benches);
criterion_main!(persist_benches);
