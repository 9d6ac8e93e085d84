//! Digest mode (issue 18): a column as one row per person over a window,
//! reducer tests with a pinned clock.

use chrono::TimeDelta;
use circles::app::digest::{Order, Pick, Window, build};
use circles::app::{Action, AppState, Effect, update};
use circles::config::{KeyChord, NamedKey};
use circles::model::{Post, SourceEvent};
use circles::store::{Snapshot, Write};
use circles::testkit::{self, post, t0};

const CONFIG: &str = r#"
[[column]]
name = "Core"
accounts = ["@alice@x.social"]

[[column]]
name = "Everyone else"
rest = true

[amplify]
accounts = ["@bob@x.social"]
"#;

fn key(state: &mut AppState, c: char) -> Vec<Effect> {
    update(state, Action::Key(KeyChord::char(c)))
}

fn named(state: &mut AppState, k: NamedKey) -> Vec<Effect> {
    update(state, Action::Key(KeyChord::named(k)))
}

fn deliver(state: &mut AppState, posts: Vec<Post>) {
    update(
        state,
        Action::Source(SourceEvent::Posts {
            source: "feed".into(),
            posts,
        }),
    );
}

/// bob: three posts and a boost of erin's, all shared a link twice;
/// carol: one post an hour and a half ago with replies; dan: one post two
/// days ago. In Everyone else, focused, its digest on.
fn scene() -> AppState {
    let mut state = testkit::state(CONFIG).build();
    let mut posts = vec![
        post("b1", "@bob@x.social")
            .minutes_ago(5)
            .text("first")
            .link("https://example.org/a")
            .build(),
        post("b2", "@bob@x.social")
            .minutes_ago(15)
            .text("second")
            .link("https://www.example.org/a/")
            .build(),
        post("b3", "@bob@x.social")
            .minutes_ago(25)
            .text("third")
            .build(),
        post("e1", "@erin@x.social")
            .minutes_ago(35)
            .boosted_by("@bob@x.social")
            .build(),
        post("c1", "@carol@x.social")
            .minutes_ago(90)
            .text("a thread worth it")
            .link("https://example.org/a")
            .build(),
        post("d1", "@dan@x.social")
            .minutes_ago(60 * 48)
            .text("old news")
            .build(),
    ];
    posts[4].engagement.replies = Some(7);
    deliver(&mut state, posts);
    key(&mut state, 'l');
    assert!(key(&mut state, 's').is_empty());
    state
}

fn rows(state: &AppState) -> Vec<(String, u32, u32)> {
    build(state, state.focus)
        .unwrap()
        .rows
        .iter()
        .map(|r| (r.title.clone(), r.posts, r.boosts))
        .collect()
}

#[test]
fn s_groups_the_column_by_who_put_each_post_there_with_shared_links_first() {
    let state = scene();
    let digest = build(&state, 1).unwrap();
    // The default window: a day back, with no catch-up kept yet.
    assert_eq!(digest.since, t0() - TimeDelta::hours(24));
    assert_eq!(digest.window, Window::SinceCatchUp);
    assert_eq!((digest.posts, digest.people), (5, 2));
    assert_eq!(digest.amplified, 1);
    assert_eq!(digest.links, 1);
    assert_eq!(digest.rows[0].pick, Pick::Link("example.org/a".into()));
    assert_eq!(digest.rows[0].posts, 3);
    assert_eq!(
        rows(&state)[1..],
        [
            ("@bob@x.social".to_string(), 3, 1),
            ("@carol@x.social".into(), 1, 0)
        ]
    );
    assert_eq!(digest.rows[1].excerpt, "first");
}

#[test]
fn w_steps_the_window_and_o_the_order() {
    let mut state = scene();
    key(&mut state, 'w');
    let digest = build(&state, 1).unwrap();
    assert_eq!(digest.window, Window::Hours(1));
    assert_eq!(digest.since, t0() - TimeDelta::hours(1));
    // Carol's post is an hour and a half old: out.
    assert_eq!(rows(&state), [("@bob@x.social".to_string(), 3, 1)]);
    key(&mut state, 'w');
    key(&mut state, 'w');
    assert_eq!(build(&state, 1).unwrap().window, Window::Hours(24));
    // By density: carol's replies put her first; by latest, bob.
    key(&mut state, 'o');
    assert_eq!(build(&state, 1).unwrap().order, Order::Latest);
    assert_eq!(rows(&state)[1].0, "@bob@x.social");
    key(&mut state, 'o');
    assert_eq!(build(&state, 1).unwrap().order, Order::Density);
    assert_eq!(rows(&state)[1].0, "@carol@x.social");
}

#[test]
fn enter_opens_a_rows_posts_as_cards_and_esc_goes_back() {
    let mut state = scene();
    key(&mut state, 'j');
    named(&mut state, NamedKey::Enter);
    let ids: Vec<String> = state
        .list(1)
        .iter()
        .map(|id| state.timeline.get(*id).unwrap().post.id.clone())
        .collect();
    assert_eq!(ids, ["b1", "b2", "b3", "e1"]);
    // Post keys work on the cards: e explains the selected one.
    key(&mut state, 'e');
    let circles::app::Overlay::Explain { text, .. } = &state.overlay else {
        panic!("no explanation: {:?}", state.overlay);
    };
    assert!(text.starts_with("post b1 by @bob@x.social"), "{text}");
    named(&mut state, NamedKey::Esc);
    named(&mut state, NamedKey::Esc);
    assert!(build(&state, 1).is_some());
    assert_eq!(state.views[1].digest.as_ref().unwrap().opened, None);
    // A link row opens the posts that share it.
    key(&mut state, 'g');
    named(&mut state, NamedKey::Enter);
    assert_eq!(
        state.list(1).len(),
        3,
        "bob's two posts of the link and carol's"
    );
}

#[test]
fn leaving_the_digest_marks_the_catch_up_which_a_restart_keeps() {
    let mut state = scene();
    update(&mut state, Action::Persisting(true));
    let later = t0() + TimeDelta::minutes(30);
    update(&mut state, Action::Clock(later));
    let effects = key(&mut state, 's');
    let kept: Vec<&Write> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Persist(w @ Write::Cursor { .. }) => Some(w),
            _ => None,
        })
        .collect();
    let [
        Write::Cursor {
            source,
            key: column,
            value,
        },
    ] = kept[..]
    else {
        panic!("{effects:?}");
    };
    assert_eq!(
        (source.as_str(), column.as_str()),
        (circles::app::digest::CAUGHT_UP, "Everyone else")
    );
    // Kept in the cache, the next run reads the mark back: its digest
    // starts there.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("circles.db");
    {
        let (mut db, _) = circles::cache::Db::open(&path).unwrap();
        db.set_cursor(source, column, value).unwrap();
    }
    let (db, _) = circles::cache::Db::open(&path).unwrap();
    let snapshot: Snapshot = db.load().unwrap();
    let mut next = testkit::state(CONFIG).at(later).build();
    update(&mut next, Action::Restore(snapshot));
    key(&mut next, 'l');
    key(&mut next, 's');
    assert_eq!(build(&next, 1).unwrap().since, later);
}

#[test]
fn a_column_with_style_digest_starts_as_its_digest() {
    let state =
        testkit::state("[[column]]\nname = \"Everyone else\"\nrest = true\nstyle = \"digest\"\n")
            .build();
    assert!(build(&state, 0).is_some());
}

// ---- the muted tail by rule (M) ----

const MUTING: &str = r#"
# my filter
[[column]]
name = "Everyone else"
rest = true

[mute]
accounts = ["@loud@x.social"]  # too much
keywords = ["NFT", "giveaway"]
"#;

fn muted_scene() -> AppState {
    let mut state = testkit::state(MUTING).build();
    deliver(
        &mut state,
        vec![
            post("l1", "@loud@x.social").minutes_ago(1).build(),
            post("l2", "@loud@x.social").minutes_ago(2).build(),
            post("n1", "@bob@x.social")
                .minutes_ago(3)
                .text("mint an NFT today")
                .build(),
            post("ok", "@bob@x.social")
                .minutes_ago(4)
                .text("plain")
                .build(),
        ],
    );
    state
}

#[test]
fn capital_m_groups_the_muted_by_rule_enter_opens_a_group_and_esc_closes_it() {
    use circles::config::Lift;
    let mut state = muted_scene();
    key(&mut state, 'M');
    let groups = circles::app::muted_groups(&state);
    let summary: Vec<(Lift, usize)> = groups
        .iter()
        .map(|g| (g.rule.clone(), g.posts.len()))
        .collect();
    assert_eq!(
        summary,
        [
            (Lift::Account("@loud@x.social".into()), 2),
            (Lift::Keyword("NFT".into()), 1),
        ]
    );
    named(&mut state, NamedKey::Enter);
    let shown: Vec<String> = state
        .list(0)
        .iter()
        .map(|id| state.timeline.get(*id).unwrap().post.id.clone())
        .collect();
    assert_eq!(shown, ["l1", "l2"]);
    named(&mut state, NamedKey::Esc);
    assert_eq!(
        state.list(0).len(),
        1,
        "back to the column: the one unmuted post"
    );
}

#[test]
fn x_lifts_a_rule_after_asking_and_u_undoes() {
    use circles::app::Overlay;
    use circles::config::{Edit, Lift};
    let mut state = muted_scene();
    key(&mut state, 'M');
    key(&mut state, 'j');
    key(&mut state, 'x');
    let Overlay::Confirm { question, .. } = &state.overlay else {
        panic!("not asked: {:?}", state.overlay);
    };
    assert!(
        question.contains("lift the mute of keyword \"NFT\" (1 posts"),
        "{question}"
    );
    let effects = key(&mut state, 'y');
    let [
        Effect::Edit {
            edit: Edit::Lift(lift),
            done,
        },
    ] = &effects[..]
    else {
        panic!("{effects:?}");
    };
    assert_eq!(*lift, Lift::Keyword("NFT".into()));
    assert!(done.contains("u to undo"), "{done}");
    // The edit takes the keyword out and keeps the rest as written.
    let written = circles::config::apply(MUTING, &Edit::Lift(lift.clone()), t0()).unwrap();
    assert!(written.contains("keywords = [\"giveaway\"]"), "{written}");
    assert!(
        written.contains("# my filter") && written.contains("# too much"),
        "{written}"
    );
    let lifted = circles::config::apply(
        MUTING,
        &Edit::Lift(Lift::Account("@loud@x.social".into())),
        t0(),
    )
    .unwrap();
    assert!(!lifted.contains("@loud@x.social"), "{lifted}");
    // Lifting what is not muted says so.
    let none = circles::config::apply(MUTING, &Edit::Lift(Lift::Regex("x+".into())), t0());
    assert!(none.unwrap_err().0.contains("nothing to lift"));
    // u in the view undoes the last edit.
    key(&mut state, 'M');
    assert!(matches!(key(&mut state, 'u')[..], [Effect::Undo]));
}

/// The config file saved with `text`.
fn reloaded(text: String) -> Action {
    Action::Config(circles::app::ConfigChange {
        text,
        location: "config.toml".into(),
        why: circles::app::ConfigWhy::Reloaded,
        compiled: None,
    })
}

#[test]
fn a_reload_says_what_it_moved_where() {
    let mut state = muted_scene();
    let text = MUTING.replace(
        "keywords = [\"NFT\", \"giveaway\"]",
        "keywords = [\"giveaway\", \"plain\"]",
    );
    let muted_ids = |state: &AppState| {
        let mut ids: Vec<String> = state
            .timeline
            .muted()
            .iter()
            .filter_map(|id| state.timeline.get(*id))
            .map(|entry| entry.post.id.clone())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(muted_ids(&state), ["l1", "l2", "n1"]);
    update(&mut state, reloaded(text));
    // The NFT post is back in the column, the plain one muted now.
    assert_eq!(muted_ids(&state), ["l1", "l2", "ok"]);
    assert_eq!(
        state.message.as_deref(),
        Some("config reloaded"),
        "one in, one out: the column and the muted count stay"
    );
    let text = MUTING.replace("keywords = [\"NFT\", \"giveaway\"]", "keywords = []");
    update(&mut state, reloaded(text));
    assert_eq!(
        state.message.as_deref(),
        Some("config reloaded: +1 to Everyone else, −1 muted")
    );
}

#[test]
fn a_column_search_narrows_the_digest_and_says_so() {
    let mut state = scene();
    key(&mut state, '/');
    for c in "thread".chars() {
        key(&mut state, c);
    }
    named(&mut state, NamedKey::Enter);
    assert_eq!(rows(&state), [("@carol@x.social".to_string(), 1, 0)]);
    let digest = build(&state, 1).unwrap();
    let [what, _] = circles::app::digest::header(&state, &digest, 1);
    assert!(what.contains("matching “thread”"), "{what}");
    // esc clears it: everyone again.
    named(&mut state, NamedKey::Esc);
    assert_eq!(rows(&state).len(), 3);
}

#[test]
fn a_click_selects_the_digest_row_under_it() {
    use ratatui::{Terminal, backend::TestBackend};
    let mut state = scene();
    let (width, height) = state.size;
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| circles::ui::render(&state, f)).unwrap();
    let screen = terminal.backend().to_string();
    // The line under carol's name, as drawn (the excerpt under it too).
    let (y, line) = screen
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("@carol@x.social · 1 post"))
        .unwrap();
    let x = line[..line.find("@carol").unwrap()].chars().count() as u16;
    for dy in [0, 1] {
        state.views[1].digest.as_mut().unwrap().selected = 0;
        update(
            &mut state,
            Action::Click {
                x,
                y: y as u16 + dy,
            },
        );
        assert_eq!(
            state.views[1].digest.as_ref().unwrap().selected,
            2,
            "line {dy}:\n{screen}"
        );
    }
    // A click on the header selects nothing and opens nothing.
    update(&mut state, Action::Click { x, y: 1 });
    let view = state.views[1].digest.as_ref().unwrap();
    assert_eq!((view.selected, view.opened.clone()), (2, None));
}

#[test]
fn the_selected_row_stays_in_view_as_it_moves_down_the_rows() {
    use ratatui::{Terminal, backend::TestBackend};
    let mut state = testkit::state(CONFIG).size(80, 24).build();
    let posts: Vec<Post> = (0..30)
        .map(|i| {
            post(&format!("p{i}"), &format!("@p{i:02}@x.social"))
                .minutes_ago(i + 1)
                .text("hello")
                .link("https://example.org/shared")
                .build()
        })
        .collect();
    deliver(&mut state, posts);
    key(&mut state, 'l');
    key(&mut state, 's');
    let draw = |state: &AppState| {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal.draw(|f| circles::ui::render(state, f)).unwrap();
        terminal.backend().to_string()
    };
    let titles: Vec<String> = build(&state, 1)
        .unwrap()
        .rows
        .iter()
        .map(|r| r.title.clone())
        .collect();
    assert_eq!(titles.len(), 31, "the shared link, then 30 people");
    for (step, selected) in titles.iter().enumerate().skip(1) {
        key(&mut state, 'j');
        let screen = draw(&state);
        let line = screen
            .lines()
            .find(|l| l.contains(&format!("{selected} ·")))
            .unwrap_or_else(|| panic!("row {step} ({selected}) not on screen:\n{screen}"));
        assert!(line.contains('▌'), "marked as selected: {line}");
    }
}
