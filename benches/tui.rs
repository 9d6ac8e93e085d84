//! Screen speed on a big timeline: drawing a full 200×50 frame and reacting
//! to a key, with 6 columns of 10,000 posts each.
//!
//! `cargo bench --bench tui`; startup time and idle CPU of the real binary
//! are measured by `scripts/bench-tui.sh`.
//!
//! Targets: a frame ≤ 2 ms, a key ≤ 1 ms.
//!
//! The store keeps at most `circles::store::DEFAULT_CAPACITY` (20,000) posts
//! in all, so 6 disjoint columns of 10,000 cannot fit. Instead the 6 columns
//! have no include rules — such a column takes every post — and all hold the
//! same 10,000 posts. For drawing and keys that is the same work: each
//! column is its own list of ids, laid out and drawn on its own.

// Benches are test tooling: a failed step should stop them loudly.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, TimeDelta, Utc};
use circles::app::{Action, AppState, ConfigStatus, update};
use circles::config::{Command, KeyChord};
use circles::decode::decode;
use circles::filter::load;
use circles::model::Post;
use circles::model::{SourceEvent, SourceState};
use circles::store::DEFAULT_CAPACITY;
use circles::ui;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

const DEMO: &str = include_str!("../assets/demo.jsonl");
const SOURCE: &str = "bench";
const COLUMNS: usize = 6;
const POSTS: usize = 10_000;
const WIDTH: u16 = 200;
const HEIGHT: u16 = 50;
// All posts must stay in the store: nothing may be evicted.
const _: () = assert!(POSTS <= DEFAULT_CAPACITY);

/// Six columns without include rules (each takes every post), no mutes.
fn config() -> String {
    let mut text = format!("[[source]]\nname = \"{SOURCE}\"\nkind = \"demo\"\n");
    for i in 0..COLUMNS {
        let _ = write!(text, "\n[[column]]\nname = \"Column {i}\"\n");
    }
    text
}

/// `n` distinct posts cycled from the demo feed, newest first: the first at
/// `newest`, then one second apart; `tag` keeps ids and URIs of different
/// calls apart so nothing is deduplicated.
fn posts(n: usize, newest: DateTime<Utc>, tag: &str) -> Vec<Post> {
    let demo: Vec<Post> = DEMO
        .lines()
        .map(|line| decode(line, SOURCE).expect("the demo feed decodes"))
        .collect();
    (0..n)
        .map(|i| {
            let mut post = demo[i % demo.len()].clone();
            post.id = format!("{}~{tag}{i}", post.id);
            post.uri = Some(format!(
                "{}~{tag}{i}",
                post.uri.as_deref().unwrap_or("bench:")
            ));
            post.created_at = newest - TimeDelta::seconds(i as i64);
            post
        })
        .collect()
}

/// The app as it stands after loading 10,000 posts from a live source into
/// 6 columns on a 200×50 terminal.
fn big_state(now: DateTime<Utc>) -> AppState {
    big_state_on(&config(), now)
}

/// [`big_state`] on a config with the 6 columns first and maybe more.
fn big_state_on(text: &str, now: DateTime<Utc>) -> AppState {
    let compiled = load(text, now).expect("the bench config loads");
    assert!(compiled.rules.columns.len() >= COLUMNS);
    let mut state = AppState::new(
        compiled.rules,
        compiled.config.keymap,
        &[SOURCE.into()],
        ConfigStatus {
            location: "(bench config)".into(),
            ..ConfigStatus::default()
        },
        now,
    );
    update(
        &mut state,
        Action::Resize {
            width: WIDTH,
            height: HEIGHT,
        },
    );
    update(
        &mut state,
        Action::Source(SourceEvent::State {
            source: SOURCE.into(),
            state: SourceState::Loading,
        }),
    );
    let all = posts(POSTS, now - TimeDelta::minutes(1), "");
    deliver(&mut state, all);
    update(
        &mut state,
        Action::Source(SourceEvent::State {
            source: SOURCE.into(),
            state: SourceState::Live,
        }),
    );
    assert_eq!(state.timeline.len(), POSTS);
    for column in 0..COLUMNS {
        assert_eq!(state.timeline.column(column).len(), POSTS);
    }
    state
}

/// Delivers `all` as sources do, in batches (500 is the demo source's
/// order of size).
fn deliver(state: &mut AppState, mut all: Vec<Post>) {
    while !all.is_empty() {
        let rest = all.split_off(all.len().min(500));
        update(
            state,
            Action::Source(SourceEvent::Posts {
                source: SOURCE.into(),
                posts: all,
            }),
        );
        all = rest;
    }
}

fn key(state: &mut AppState, c: char) {
    black_box(update(state, Action::Key(KeyChord::char(c))));
}

fn frame_benches(c: &mut Criterion) {
    let now = Utc::now();
    let state = big_state(now);
    let area = Rect::new(0, 0, WIDTH, HEIGHT);

    let mut group = c.benchmark_group("frame 200x50, 6 columns × 10k posts");
    let mut buf = Buffer::empty(area);
    group.bench_function("ui::draw into a buffer", |b| {
        b.iter(|| {
            buf.reset();
            ui::draw(black_box(&state), area, &mut buf);
            black_box(&buf);
        })
    });
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
    group.bench_function("Terminal<TestBackend>::draw", |b| {
        b.iter(|| {
            terminal.draw(|f| ui::render(black_box(&state), f)).unwrap();
        })
    });
    // The same, scrolled deep into every column (the selection near the
    // oldest posts), so nothing depends on being at the top of a list.
    let mut deep = state.clone();
    for column in 0..COLUMNS {
        deep.views[column].selected = POSTS - 100;
        deep.views[column].offset = POSTS - 100;
        deep.views[column].touched = true;
    }
    group.bench_function("ui::draw into a buffer, scrolled to post 9,900", |b| {
        b.iter(|| {
            buf.reset();
            ui::draw(black_box(&deep), area, &mut buf);
            black_box(&buf);
        })
    });
    group.finish();
}

fn key_benches(c: &mut Criterion) {
    let now = Utc::now();
    let mut state = big_state(now);
    let mut group = c.benchmark_group("key, 6 columns × 10k posts");

    // `j` walks down the column; back at the top (untimed) before it ends.
    group.bench_function("key j", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                if state.views[state.focus].selected + 1 >= POSTS {
                    update(&mut state, Action::Command(Command::Top));
                }
                let start = Instant::now();
                key(&mut state, 'j');
                total += start.elapsed();
            }
            total
        })
    });
    update(&mut state, Action::Command(Command::Top));

    group.bench_function("key G then g", |b| {
        b.iter(|| {
            key(&mut state, 'G');
            key(&mut state, 'g');
        })
    });

    // `l` moves right; back at the first column (untimed) from the last.
    group.bench_function("key l", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                while state.focus + 1 >= COLUMNS {
                    update(&mut state, Action::Command(Command::ColumnLeft));
                }
                let start = Instant::now();
                key(&mut state, 'l');
                total += start.elapsed();
            }
            total
        })
    });
    group.finish();
}

fn insert_benches(c: &mut Criterion) {
    let now = Utc::now();
    let state = big_state(now);
    // 1,000 posts newer than all 10,000: each goes to the top of 6 columns.
    let newer = posts(1_000, now, "new");
    // 1,000 posts older than all 10,000 (a backfill): each goes to the
    // bottom. The difference to the above is the cost of inserting at the
    // top of a newest-first list.
    let older = posts(1_000, now - TimeDelta::days(1), "old");
    let mut group = c.benchmark_group("route+insert, 6 columns × 10k posts");
    group.sample_size(20);
    for (name, batch) in [
        ("route+insert 1k posts batch", &newer),
        ("route+insert 1k older posts batch", &older),
    ] {
        group.bench_function(name, |b| {
            b.iter_batched(
                || (state.clone(), batch.clone()),
                |(mut state, posts)| {
                    let effects = update(
                        &mut state,
                        Action::Source(SourceEvent::Posts {
                            source: SOURCE.into(),
                            posts,
                        }),
                    );
                    (state, effects)
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

/// The big state with its posts from a Mastodon source, whose account can
/// act on them (no call is made: the effect is what a key returns).
fn acting_state(now: DateTime<Utc>) -> AppState {
    let mut state = big_state(now);
    let spec = load(
        "[[source]]\nname = \"bench\"\nkind = \"mastodon\"\ninstance = \"http://127.0.0.1:9\"\n\
         token_env = \"BENCH_TOKEN\"\n",
        now,
    )
    .unwrap()
    .config
    .sources;
    state = state.with_source_specs(spec);
    state
}

/// Answers the acts a key asked for as the server would (untimed), so the
/// next `f` is a new act, never "still waiting".
fn answer_acts(state: &mut AppState, effects: Vec<circles::app::Effect>) {
    for effect in effects {
        if let circles::app::Effect::Act(request) = effect {
            update(
                state,
                Action::Acted {
                    ticket: request.ticket,
                    result: circles::model::ActResult::Done {
                        marks: None,
                        record: None,
                    },
                },
            );
        }
    }
}

/// Issue 15's bar: a key that acts (favourite, boost, a letter typed in the
/// compose overlay) handled in ≤ 1 ms, the call itself off the loop; and
/// the thread view of a 200-post conversation on screen ≤ 5 ms once
/// fetched.
fn act_benches(c: &mut Criterion) {
    let now = Utc::now();
    let mut state = acting_state(now);
    let mut group = c.benchmark_group("act, 6 columns × 10k posts");
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
    // `f` then its answer (untimed), so every timed `f` is a new favourite
    // or its undo, never "still waiting".
    group.bench_function("key f to the frame", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                let effects = update(&mut state, Action::Key(KeyChord::char('f')));
                terminal.draw(|f| ui::render(&state, f)).unwrap();
                total += start.elapsed();
                answer_acts(&mut state, effects);
            }
            total
        })
    });
    // The handling alone: the reducer's share of the key.
    group.bench_function("key f, handling", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                let effects = update(&mut state, Action::Key(KeyChord::char('f')));
                total += start.elapsed();
                answer_acts(&mut state, effects);
            }
            total
        })
    });
    // A draft of up to 500 characters (Mastodon's usual limit), begun
    // again (untimed) when it is full.
    let fresh = {
        let mut s = state.clone();
        update(&mut s, Action::Key(KeyChord::char('n')));
        s
    };
    let mut writing = fresh.clone();
    let mut typed = 0usize;
    let mut type_letter = |timed_frame: Option<&mut Terminal<TestBackend>>| {
        if typed == 500 {
            writing = fresh.clone();
            typed = 0;
        }
        typed += 1;
        let start = Instant::now();
        black_box(update(&mut writing, Action::Key(KeyChord::char('a'))));
        if let Some(terminal) = timed_frame {
            terminal.draw(|f| ui::render(&writing, f)).unwrap();
        }
        start.elapsed()
    };
    group.bench_function("a letter typed in compose, handling", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| type_letter(None)).sum())
    });
    group.bench_function("a letter typed in compose, to the frame", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| type_letter(Some(&mut terminal))).sum())
    });
    let conversation = posts(200, now - TimeDelta::minutes(5), "thread");
    let anchor = state
        .selected()
        .and_then(|id| state.timeline.get(id))
        .unwrap();
    let anchor_id = anchor.post.id.clone();
    group.bench_function("thread of 200 posts, answer to the frame", |b| {
        b.iter_batched(
            || {
                let mut s = state.clone();
                update(&mut s, Action::Key(KeyChord::char('T')));
                let answer = Action::Thread {
                    source: SOURCE.into(),
                    id: anchor_id.clone(),
                    result: circles::model::ThreadResult::Found {
                        ancestors: conversation[..20].to_vec(),
                        replies: conversation[20..]
                            .iter()
                            .enumerate()
                            .map(|(i, p)| (p.clone(), 1 + (i % 6) as u16))
                            .collect(),
                    },
                };
                (s, answer)
            },
            |(mut s, answer)| {
                update(&mut s, answer);
                terminal.draw(|f| ui::render(&s, f)).unwrap();
                s
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

/// A burst of 1,000 notifications: 600 favourites of 60 of the reader's
/// posts (merged into 60 cards, 10 favourites each), 200 follows and 200
/// mentions.
fn notification_burst(now: DateTime<Utc>) -> Vec<Post> {
    use circles::model::{Account, Network, NoticeKind};
    let mine = posts(100, now - TimeDelta::hours(1), "mine");
    let mentions = posts(200, now, "mention");
    let mut burst = Vec::with_capacity(1_000);
    for i in 0..1_000 {
        let at = now - TimeDelta::milliseconds(i as i64);
        let actor = Account::new(&format!("@fan{i}@x.social"), "", Network::Mastodon);
        let id = format!("n{i}");
        burst.push(match i % 5 {
            0..=2 => Post::pure_notice(
                SOURCE,
                (NoticeKind::Favourite, id),
                actor,
                at,
                Some(mine[i % 100].clone()),
            ),
            3 => Post::pure_notice(SOURCE, (NoticeKind::Follow, id), actor, at, None),
            _ => mentions[i / 5].clone().came_as(NoticeKind::Mention, id),
        });
    }
    burst
}

fn notification_benches(c: &mut Criterion) {
    let now = Utc::now();
    // The 6 columns of 10k posts, and a notifications column after them.
    let text = format!(
        "{}\n[[column]]\nname = \"Notifications\"\nnotifications = true\n",
        config()
    );
    let state = big_state_on(&text, now);
    let burst = notification_burst(now);
    let area = Rect::new(0, 0, WIDTH, HEIGHT);
    let mut group = c.benchmark_group("notifications, 6 columns × 10k posts");
    group.sample_size(20);
    {
        // What the burst makes: favourites merged per post, the mentions
        // in every column too.
        let mut after = state.clone();
        update(
            &mut after,
            Action::Source(SourceEvent::Posts {
                source: SOURCE.into(),
                posts: burst.clone(),
            }),
        );
        assert_eq!(after.timeline.column(COLUMNS).len(), 60 + 200 + 200);
    }
    group.bench_function("a burst of 1k notifications routed and drawn", |b| {
        b.iter_batched(
            || (state.clone(), burst.clone(), Buffer::empty(area)),
            |(mut state, burst, mut buf)| {
                update(
                    &mut state,
                    Action::Source(SourceEvent::Posts {
                        source: SOURCE.into(),
                        posts: burst,
                    }),
                );
                ui::draw(&state, area, &mut buf);
                (state, buf)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

/// The digest of a column of 20,000 posts (the store's whole capacity):
/// `s` and the first frame, target 10 ms.
fn digest_benches(c: &mut Criterion) {
    let now = Utc::now();
    let compiled = load("[[column]]\nname = \"Everyone\"\n", now).unwrap();
    let mut state = AppState::new(
        compiled.rules,
        compiled.config.keymap,
        &[SOURCE.into()],
        ConfigStatus::default(),
        now,
    );
    update(
        &mut state,
        Action::Resize {
            width: WIDTH,
            height: HEIGHT,
        },
    );
    let mut all = posts(DEFAULT_CAPACITY, now - TimeDelta::minutes(1), "d");
    // Over the last 6 hours, so the digest's default window holds them all.
    let span = (6 * 3600) as f64 / DEFAULT_CAPACITY as f64;
    for (i, post) in all.iter_mut().enumerate() {
        post.created_at = now - TimeDelta::milliseconds((i as f64 * span * 1000.0) as i64);
    }
    deliver(&mut state, all);
    assert_eq!(state.timeline.column(0).len(), DEFAULT_CAPACITY);
    let area = Rect::new(0, 0, WIDTH, HEIGHT);
    let mut group = c.benchmark_group("digest, 20k posts");
    group.bench_function("s and the first frame", |b| {
        b.iter_batched(
            || (state.clone(), Buffer::empty(area)),
            |(mut state, mut buf)| {
                update(&mut state, Action::Key(KeyChord::char('s')));
                ui::draw(&state, area, &mut buf);
                (state, buf)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(
    tui_benches,
    digest_benches,
    frame_benches,
    key_benches,
    insert_benches,
    act_benches,
    notification_benches
);
criterion_main!(tui_benches);
