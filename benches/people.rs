//! The people view on a big ledger: 10,000 people and 1,000,000
//! interactions over a year (people by a Zipf-like law: a few get most of
//! the attention, as in life), in the SQLite cache.
//!
//! `cargo bench --bench people` (under `cargo test` the ledger is a
//! hundredth of that, so the benches only prove they run).
//!
//! Targets: the view opens (the ledger read from the cache, the rows made
//! and drawn) in ≤ 100 ms; a sort or a class filter ≤ 10 ms; the ledger
//! ≤ 50 MB on disk (printed).

// Benches are test tooling: a failed step should stop them loudly.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, TimeDelta, Utc};
use circles::app::{Action, Effect, update};
use circles::cache::Db;
use circles::config::{KeyChord, NamedKey};
use circles::model::people::{Direction, Engaged, Interaction, Known, Relation};
use circles::ui;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::hint::black_box;

const CONFIG: &str = "[[source]]\nname = \"home\"\nkind = \"mastodon\"\n\
                      instance = \"http://127.0.0.1:9\"\ntoken_env = \"NONE\"\n\n\
                      [[column]]\nname = \"Core\"\naccounts = [\"@p1@x.social\", \"@p2@x.social\"]\n\n\
                      [[column]]\nname = \"Everyone else\"\nrest = true\n";

/// The full size under `cargo bench`, a hundredth under `cargo test`.
fn scale() -> (usize, usize) {
    if std::env::args().any(|a| a == "--bench") {
        (10_000, 1_000_000)
    } else {
        (100, 10_000)
    }
}

/// A small deterministic generator (xorshift): the same ledger every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A person: rank r drawn with weight about 1/r.
    fn person(&mut self, people: usize) -> usize {
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        ((people as f64).powf(u) as usize)
            .saturating_sub(1)
            .min(people - 1)
    }
}

fn ledger(db: &mut Db, now: DateTime<Utc>, people: usize, events: usize) {
    let accounts: Vec<Known> = (0..people)
        .map(|i| Known {
            key: format!("p{i}@x.social"),
            handle: format!("@p{i}@x.social"),
            name: format!("Person {i}"),
            posts: Some(100 + i as u64),
            last_post: Some(now - TimeDelta::hours(i as i64 % 2_000)),
            created: Some(now - TimeDelta::days(700)),
            links: Vec::new(),
        })
        .collect();
    db.ledger_accounts(&accounts).unwrap();
    let keys: Vec<String> = accounts.iter().map(|a| a.key.clone()).collect();
    db.ledger_follows(
        "home",
        Relation::FollowsMe,
        &keys[..people * 6 / 10],
        1,
        now,
    )
    .unwrap();
    db.ledger_follows(
        "home",
        Relation::IFollow,
        &keys[people / 2..people * 8 / 10],
        1,
        now,
    )
    .unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let kinds = [
        Engaged::Favourite,
        Engaged::Favourite,
        Engaged::Favourite,
        Engaged::Boost,
        Engaged::Reply,
        Engaged::Mention,
        Engaged::Quote,
    ];
    let mut batch = Vec::with_capacity(10_000);
    for n in 0..events {
        let who = rng.person(people);
        let kind = kinds[(rng.next() % kinds.len() as u64) as usize];
        let direction = if rng.next().is_multiple_of(3) {
            Direction::Out
        } else {
            Direction::In
        };
        let at = now - TimeDelta::seconds((rng.next() % (365 * 86_400)) as i64);
        batch.push(Interaction {
            key: format!("{}:{}:{n}", direction.name(), kind.name()),
            who: keys[who].clone(),
            direction,
            kind,
            at,
        });
        if batch.len() == 10_000 {
            db.ledger_interactions("home", &batch).unwrap();
            batch.clear();
        }
    }
    db.ledger_interactions("home", &batch).unwrap();
}

fn benches(c: &mut Criterion) {
    let (people, events) = scale();
    let now = Utc::now();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("circles.db");
    let (mut db, _) = Db::open(&path).unwrap();
    ledger(&mut db, now, people, events);
    drop(db);
    let size: u64 = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    eprintln!(
        "people: a ledger of {people} people and {events} interactions takes {:.1} MB on disk",
        size as f64 / 1e6
    );
    let (db, _) = Db::open(&path).unwrap();
    let area = Rect::new(0, 0, 200, 50);
    let state = circles::testkit::state(CONFIG)
        .at(now)
        .size(200, 50)
        .build();
    let since = now - TimeDelta::days(90);

    let mut group = c.benchmark_group("people");
    group.sample_size(20);
    // P, the ledger read, the rows made, the first frame.
    group.bench_function("the view opens: ledger read, rows made, drawn", |b| {
        b.iter_batched(
            || (state.clone(), Buffer::empty(area)),
            |(mut state, mut buf)| {
                let effects = update(&mut state, Action::Key(KeyChord::char('P')));
                assert!(matches!(effects[..], [Effect::Ledger { .. }]));
                let ledger = db.ledger(&[], since).unwrap();
                update(&mut state, Action::Ledger(Ok(Box::new(ledger))));
                ui::draw(&state, area, &mut buf);
                (state, buf)
            },
            BatchSize::PerIteration,
        )
    });
    // Its parts: the cache's answer, and the rows made of it.
    group.bench_function("the ledger read from the cache", |b| {
        b.iter(|| black_box(db.ledger(&[], since).unwrap()))
    });
    let read = db.ledger(&[], since).unwrap();
    group.bench_function("the rows made and classified", |b| {
        b.iter(|| black_box(circles::people::rows(&read, &state.rules, now)))
    });
    group.bench_function("the suggestions looked for", |b| {
        b.iter(|| black_box(circles::people::suggestions(&read, &state.rules)))
    });
    let mut open = state.clone();
    update(&mut open, Action::Key(KeyChord::char('P')));
    let ledger = db.ledger(&[], since).unwrap();
    update(&mut open, Action::Ledger(Ok(Box::new(ledger))));
    let circles::app::Overlay::People(view) = &open.overlay else {
        panic!("the view did not open");
    };
    assert!(
        view.rows.len() >= people * 9 / 10,
        "{} rows",
        view.rows.len()
    );
    for (name, key) in [
        ("a sort (o) and its frame", KeyChord::char('o')),
        (
            "a class filter (tab) and its frame",
            KeyChord::named(NamedKey::Tab),
        ),
    ] {
        group.bench_function(name, |b| {
            b.iter_batched(
                || (open.clone(), Buffer::empty(area)),
                |(mut state, mut buf)| {
                    update(&mut state, Action::Key(key));
                    ui::draw(&state, area, &mut buf);
                    black_box((state, buf))
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(people_benches, benches);
criterion_main!(people_benches);
