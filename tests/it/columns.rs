//! Columns for the reader's own lists and saved feeds (`L`, issue 20):
//! the palette filled as each account answers, the edit it makes, and how
//! it looks.

use circles::app::{Action, AppState, Effect, Overlay, update};
use circles::config::{Edit, KeyChord, NamedKey};
use circles::model::Saved;
use circles::testkit::{self, t0};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const CONFIG: &str = "# two accounts, and one reading its public timeline\n\
[[source]]\nname = \"work\"\nkind = \"mastodon\"\ninstance = \"http://127.0.0.1:9\"\n\
token_file = \"/tmp/token\"  # kept as written\nexclude_replies = true\ntimeline = \"user:@bob\"\n\n\
[[source]]\nname = \"work-notes\"\nkind = \"mastodon\"\ninstance = \"http://127.0.0.1:9\"\n\
token_file = \"/tmp/token\"\ntimeline = \"notifications\"\n\n\
[[source]]\nname = \"town\"\nkind = \"mastodon\"\ninstance = \"http://127.0.0.1:9\"\n\
timeline = \"public\"\n\n\
[[source]]\nname = \"sky\"\nkind = \"bluesky\"\nhandle = \"jane.bsky.social\"\n\
service = \"http://127.0.0.1:9\"\napp_password_env = \"PW\"\n\n\
[[column]]\nname = \"Friends\"\naccounts = [\"@amy@example.social\"]\n\n\
[[column]]\nname = \"Everyone\"\nrest = true\n";

fn opened(width: u16, height: u16) -> (AppState, Vec<Effect>) {
    let mut state = testkit::state(CONFIG)
        .sources(&["work", "work-notes", "town", "sky"])
        .size(width, height)
        .build();
    let effects = update(&mut state, Action::Key(KeyChord::char('L')));
    (state, effects)
}

fn cats() -> Saved {
    Saved {
        title: "Cats of the day".into(),
        read: "at://did:plc:alice/app.bsky.feed.generator/cats".into(),
        kind: "feed",
        pinned: true,
    }
}

fn answered(state: &mut AppState) {
    update(
        state,
        Action::Saved {
            source: "sky".into(),
            result: Ok(vec![
                cats(),
                Saved {
                    title: "Friends".into(),
                    read: "at://did:plc:jane/app.bsky.graph.list/friends".into(),
                    kind: "list",
                    pinned: false,
                },
            ]),
        },
    );
}

fn labels(state: &AppState) -> Vec<String> {
    let Overlay::Palette(palette) = &state.overlay else {
        panic!("the palette is not open: {:?}", state.overlay);
    };
    palette
        .matches
        .iter()
        .map(|i| palette.items[*i].label.clone())
        .collect()
}

fn screen(state: &AppState) -> String {
    let (width, height) = state.size;
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| circles::ui::render(state, f)).unwrap();
    terminal.backend().to_string()
}

#[test]
fn l_asks_each_account_once_and_fills_the_palette_as_they_answer() {
    let (mut state, effects) = opened(120, 40);
    // One ask an account: the notifications source shares work's token,
    // and a source without a token has no lists.
    assert_eq!(
        effects,
        [Effect::Saved("work".into()), Effect::Saved("sky".into())]
    );
    assert!(labels(&state).is_empty());
    answered(&mut state);
    assert_eq!(labels(&state), ["Cats of the day", "Friends"]);
    let Overlay::Palette(palette) = &state.overlay else {
        unreachable!()
    };
    assert_eq!(palette.waiting, ["work"]);
    assert!(palette.items[0].hint.contains("pinned"));
    // The name of a column there already is said.
    assert!(palette.items[1].hint.contains("a column has this name"));
    update(
        &mut state,
        Action::Saved {
            source: "work".into(),
            result: Err("GET /api/v1/lists: the server answered 503".into()),
        },
    );
    let Overlay::Palette(palette) = &state.overlay else {
        unreachable!()
    };
    assert!(palette.waiting.is_empty());
    assert_eq!(
        palette.notes,
        ["work: GET /api/v1/lists: the server answered 503"]
    );
    // Typing narrows it; enter makes the source and the column.
    for c in "cats".chars() {
        update(&mut state, Action::Key(KeyChord::char(c)));
    }
    assert_eq!(
        labels(&state),
        [
            "Cats of the day",
            "“cats”: a search column",
            "“cats”: a search column"
        ]
    );
    let effects = update(&mut state, Action::Key(KeyChord::named(NamedKey::Enter)));
    let [Effect::Edit { edit, done }] = &effects[..] else {
        panic!("{effects:?}");
    };
    assert_eq!(
        *edit,
        Edit::SourceColumn {
            from: "sky".into(),
            source: "feed-cats-of-the-day".into(),
            read: cats().read,
            column: "Cats of the day".into(),
        }
    );
    assert!(done.contains("u to undo"), "{done}");
    assert_eq!(state.overlay, Overlay::None);
}

#[test]
fn words_typed_offer_a_search_column_through_each_account() {
    let (mut state, _) = opened(120, 40);
    answered(&mut state);
    for c in "rust release".chars() {
        update(&mut state, Action::Key(KeyChord::char(c)));
    }
    assert_eq!(
        labels(&state),
        [
            "“rust release”: a search column",
            "“rust release”: a search column"
        ]
    );
    // Through the second account, Bluesky.
    update(&mut state, Action::Key(KeyChord::named(NamedKey::Down)));
    let effects = update(&mut state, Action::Key(KeyChord::named(NamedKey::Enter)));
    let [Effect::Edit { edit, .. }] = &effects[..] else {
        panic!("{effects:?}");
    };
    assert_eq!(
        *edit,
        Edit::SourceColumn {
            from: "sky".into(),
            source: "search-rust-release".into(),
            read: "search:rust release".into(),
            column: "Search: rust release".into(),
        }
    );
    let written = circles::config::apply(CONFIG, edit, t0()).unwrap();
    let parsed = circles::config::parse(&written).unwrap();
    let copy = parsed
        .sources
        .iter()
        .find(|s| s.name == "search-rust-release")
        .unwrap();
    assert!(
        matches!(&copy.kind, circles::config::SourceConfig::Bluesky(b)
            if b.feed == circles::config::BlueskyFeed::Search("rust release".into())),
        "{copy:?}"
    );
    // Fewer words, fewer offers: none without any, and what matches by
    // name comes first.
    let (mut state, _) = opened(120, 40);
    answered(&mut state);
    update(&mut state, Action::Key(KeyChord::char('c')));
    let shown = labels(&state);
    assert_eq!(shown[0], "Cats of the day", "{shown:?}");
    assert_eq!(shown.last().unwrap(), "“c”: a search column");
    update(
        &mut state,
        Action::Key(KeyChord::named(NamedKey::Backspace)),
    );
    assert_eq!(labels(&state), ["Cats of the day", "Friends"]);
}

#[test]
fn the_new_source_is_named_by_the_title_in_lower_case() {
    let (mut state, _) = opened(120, 40);
    update(
        &mut state,
        Action::Saved {
            source: "sky".into(),
            result: Ok(vec![Saved {
                title: "Über Café ☕ — news".into(),
                ..cats()
            }]),
        },
    );
    let effects = update(&mut state, Action::Key(KeyChord::named(NamedKey::Enter)));
    let [
        Effect::Edit {
            edit: Edit::SourceColumn { source, column, .. },
            ..
        },
    ] = &effects[..]
    else {
        panic!("{effects:?}");
    };
    assert_eq!(source, "feed-über-café-news");
    assert_eq!(column, "Über Café ☕ — news");
}

#[test]
fn an_answer_after_the_palette_closed_changes_nothing() {
    let (mut state, _) = opened(120, 40);
    update(&mut state, Action::Key(KeyChord::named(NamedKey::Esc)));
    answered(&mut state);
    assert_eq!(state.overlay, Overlay::None);
    // And with no account to ask, it says so instead of opening.
    let mut state = testkit::state(
        "[[source]]\nname = \"feed\"\nkind = \"demo\"\n\n[[column]]\nname = \"All\"\nrest = true\n",
    )
    .build();
    let effects = update(&mut state, Action::Key(KeyChord::char('L')));
    assert!(effects.is_empty());
    assert_eq!(state.overlay, Overlay::None);
    assert!(
        state
            .message
            .as_deref()
            .is_some_and(|m| m.contains("the config has neither")),
        "{:?}",
        state.message
    );
}

#[test]
fn the_edit_copies_the_account_and_leaves_out_what_only_its_timeline_took() {
    let edit = Edit::SourceColumn {
        from: "work".into(),
        source: "list-friends".into(),
        read: "list:Friends".into(),
        column: "Friends list".into(),
    };
    let written = circles::config::apply(CONFIG, &edit, t0()).unwrap();
    assert!(
        written.starts_with(CONFIG.split("\n\n[[column]]").next().unwrap()),
        "the sources as written: {written}"
    );
    let parsed = circles::config::parse(&written).unwrap();
    let copy = parsed
        .sources
        .iter()
        .find(|s| s.name == "list-friends")
        .unwrap();
    let circles::config::SourceConfig::Mastodon(m) = &copy.kind else {
        panic!("{copy:?}");
    };
    // `exclude_replies` went with `user:`; the token came along.
    assert_eq!(
        m.timeline,
        circles::config::Timeline::List("Friends".into())
    );
    assert!(m.token.is_some());
    let rules = circles::filter::load(&written, t0()).unwrap().rules;
    // The column shows what the new source reads, and nothing else.
    let column = rules.column_index("Friends list").unwrap() as u16;
    let columns_of = |source: &str| {
        let post = testkit::post("1", "@zed@example.social")
            .source(source)
            .build();
        circles::filter::route(&rules, &post).columns
    };
    assert_eq!(columns_of("list-friends"), [column]);
    assert!(!columns_of("work").contains(&column));
    // The second time, the source name is taken.
    assert!(circles::config::apply(&written, &edit, t0()).is_err());
}

#[test]
fn the_palette_of_lists_and_feeds_at_two_sizes() {
    for (width, height) in [(120, 40), (80, 24)] {
        let (mut state, _) = opened(width, height);
        answered(&mut state);
        insta::assert_snapshot!(format!("saved_palette_{width}x{height}"), screen(&state));
    }
}

/// `C` on a Bluesky author writes a copy of the Bluesky source reading the
/// author's feed (`feed = "user:<handle>"`, read as getAuthorFeed), with
/// the timeline's own keys dropped, and a column named after them.
#[test]
fn capital_c_on_a_bluesky_author_reads_their_author_feed_through_the_same_account() {
    let config = CONFIG.replace(
        "app_password_env = \"PW\"\n",
        "app_password_env = \"PW\"\njetstream = \"ws://127.0.0.1:9\"\n",
    );
    let mut state = testkit::state(&config)
        .sources(&["work", "work-notes", "town", "sky"])
        .build();
    let post = testkit::post("at://did:plc:ann/app.bsky.feed.post/1", "@ann.bsky.social")
        .source("sky")
        .name("Ann Arbor")
        .network(circles::model::Network::Bluesky)
        .build();
    update(
        &mut state,
        Action::Source(circles::model::SourceEvent::Posts {
            source: "sky".into(),
            posts: vec![post],
        }),
    );
    state.focus = state.rules.column_index("Everyone").unwrap();
    let effects = update(&mut state, Action::Key(KeyChord::char('C')));
    let [Effect::Edit { edit, .. }] = &effects[..] else {
        panic!("{effects:?} {:?}", state.message);
    };
    assert_eq!(
        *edit,
        Edit::SourceColumn {
            from: "sky".into(),
            source: "posts-ann-bsky-social".into(),
            read: "user:ann.bsky.social".into(),
            column: "Ann Arbor".into(),
        }
    );
    let written = circles::config::apply(&config, edit, t0()).unwrap();
    let parsed = circles::filter::load(&written, t0()).unwrap();
    let copy = parsed
        .config
        .sources
        .iter()
        .find(|s| s.name == "posts-ann-bsky-social")
        .unwrap();
    let circles::config::SourceConfig::Bluesky(sky) = &copy.kind else {
        panic!("{copy:?}");
    };
    assert_eq!(
        sky.feed,
        circles::config::BlueskyFeed::Author("ann.bsky.social".into(), Default::default())
    );
    assert_eq!(sky.handle, "jane.bsky.social", "the same account reads it");
    assert_eq!(sky.jetstream, None, "Jetstream is the home timeline's");
    assert!(parsed.rules.column_index("Ann Arbor").is_some());
}
