//! Reducer tests: actions in, state out. No terminal, no clock, no I/O —
//! every command of the keymap, the mouse, sources and time.

use chrono::TimeDelta;
use circles::app::{Action, AppState, ConfigStatus, Effect, Overlay, update};
use circles::config::{Command, KeyChord, NamedKey};
use circles::filter::load;
use circles::model::Post;
use circles::model::{SourceEvent, SourceState};
use circles::store::PostId;
use circles::testkit::{self, post, t0};

const CONFIG: &str = r#"
[me]
handles = ["@jane@mastodon.social"]

[[source]]
name = "feed"
kind = "demo"

[[column]]
name = "Core"
accounts = ["@alice@x.social"]
notify = true

[[column]]
name = "Mentions"
mentions_me = true

[[column]]
name = "Rust"
hashtags = ["rust"]

[[column]]
name = "Everyone else"
rest = true

[mute]
accounts = ["@loud@x.social"]

[amplify]
accounts = ["@alice@x.social"]
"#;

fn state_with(config: &str, width: u16, height: u16) -> AppState {
    testkit::state(config).size(width, height).build()
}

fn state() -> AppState {
    state_with(CONFIG, 160, 40)
}

fn deliver(state: &mut AppState, posts: Vec<Post>) -> Vec<Effect> {
    update(
        state,
        Action::Source(SourceEvent::Posts {
            source: "feed".into(),
            posts,
        }),
    )
}

fn go_live(state: &mut AppState) {
    update(
        state,
        Action::Source(SourceEvent::State {
            source: "feed".into(),
            state: SourceState::Live,
        }),
    );
}

/// Twenty posts by bob in Everyone else, bob-0 the newest.
fn bobs(n: usize) -> Vec<Post> {
    (0..n)
        .map(|i| {
            post(&format!("bob-{i}"), "@bob@x.social")
                .minutes_ago(10 + i as i64)
                .text(&format!("post number {i} by bob"))
                .build()
        })
        .collect()
}

/// Lets a moment pass, so what is on screen counts as seen.
fn linger(state: &mut AppState) {
    let later = state.now + TimeDelta::seconds(2);
    update(state, Action::Clock(later));
}

fn key(state: &mut AppState, c: char) -> Vec<Effect> {
    update(state, Action::Key(KeyChord::char(c)))
}

fn named(state: &mut AppState, k: NamedKey) -> Vec<Effect> {
    update(state, Action::Key(KeyChord::named(k)))
}

fn typed(state: &mut AppState, text: &str) {
    for c in text.chars() {
        key(state, c);
    }
}

fn selected_id(state: &AppState) -> Option<String> {
    let id: PostId = state.selected()?;
    Some(state.timeline.get(id)?.post.id.clone())
}

/// Focus the "Everyone else" column (index 3).
fn focus_rest(state: &mut AppState) {
    for _ in 0..3 {
        key(state, 'l');
    }
    assert_eq!(state.focus, 3);
}

#[test]
fn h_and_l_move_the_focus_and_stop_at_the_ends() {
    let mut s = state();
    key(&mut s, 'h');
    assert_eq!(s.focus, 0);
    key(&mut s, 'l');
    named(&mut s, NamedKey::Right);
    assert_eq!(s.focus, 2);
    named(&mut s, NamedKey::Tab);
    named(&mut s, NamedKey::Tab);
    assert_eq!(s.focus, 3, "stops at the last column");
    named(&mut s, NamedKey::Left);
    key(&mut s, 'h');
    assert_eq!(s.focus, 1);
}

#[test]
fn narrow_panes_scroll_sideways_to_keep_the_focus_in_view() {
    // 80 cells: two columns of 32+ fit.
    let mut s = state_with(CONFIG, 80, 30);
    assert_eq!(s.geometry().columns.len(), 2);
    key(&mut s, 'l');
    key(&mut s, 'l');
    let shown: Vec<usize> = s.geometry().columns.iter().map(|(c, _)| *c).collect();
    assert_eq!(shown, [1, 2]);
    for _ in 0..3 {
        key(&mut s, 'h');
    }
    let shown: Vec<usize> = s.geometry().columns.iter().map(|(c, _)| *c).collect();
    assert_eq!(shown, [0, 1]);
    // Below 64 cells: one column and a tab bar.
    update(
        &mut s,
        Action::Resize {
            width: 50,
            height: 20,
        },
    );
    let g = s.geometry();
    assert!(g.tabs.is_some());
    assert_eq!(g.columns.len(), 1);
    assert_eq!(g.columns[0].0, s.focus);
}

#[test]
fn j_k_g_and_capital_g_move_the_selection_and_the_view_follows() {
    let mut s = state_with(CONFIG, 160, 14);
    deliver(&mut s, bobs(20));
    focus_rest(&mut s);
    assert_eq!(selected_id(&s).as_deref(), Some("bob-0"));
    key(&mut s, 'j');
    named(&mut s, NamedKey::Down);
    assert_eq!(selected_id(&s).as_deref(), Some("bob-2"));
    key(&mut s, 'k');
    assert_eq!(selected_id(&s).as_deref(), Some("bob-1"));
    key(&mut s, 'G');
    assert_eq!(selected_id(&s).as_deref(), Some("bob-19"));
    let view = &s.views[3];
    assert!(view.offset > 0, "the view scrolled to show the last post");
    let placed = s.place(3, 60, 12);
    assert!(
        placed.iter().any(|p| p.index == 19),
        "the selection is on screen"
    );
    key(&mut s, 'j');
    assert_eq!(
        selected_id(&s).as_deref(),
        Some("bob-19"),
        "stops at the end"
    );
    key(&mut s, 'g');
    assert_eq!(selected_id(&s).as_deref(), Some("bob-0"));
    assert_eq!(s.views[3].offset, 0);
}

#[test]
fn page_down_and_up_move_by_a_screenful() {
    let mut s = state_with(CONFIG, 160, 14);
    deliver(&mut s, bobs(30));
    focus_rest(&mut s);
    named(&mut s, NamedKey::PageDown);
    let after_one = s.views[3].selected;
    assert!(after_one >= 2, "moved by the cards on screen: {after_one}");
    assert_eq!(s.views[3].offset, after_one);
    update(&mut s, Action::Key(KeyChord::ctrl('f')));
    assert_eq!(s.views[3].selected, 2 * after_one);
    named(&mut s, NamedKey::PageUp);
    assert_eq!(s.views[3].selected, after_one);
    named(&mut s, NamedKey::PageUp);
    named(&mut s, NamedKey::PageUp);
    assert_eq!(s.views[3].selected, 0);
}

#[test]
fn enter_opens_the_detail_and_esc_or_q_close_it() {
    let mut s = state();
    named(&mut s, NamedKey::Enter);
    assert_eq!(s.overlay, Overlay::None, "no post: nothing to open");
    assert_eq!(s.message.as_deref(), Some("no post selected"));
    deliver(&mut s, bobs(3));
    focus_rest(&mut s);
    named(&mut s, NamedKey::Enter);
    assert_eq!(s.overlay, Overlay::Detail { scroll: 0 });
    key(&mut s, 'j');
    assert_eq!(
        selected_id(&s).as_deref(),
        Some("bob-1"),
        "j moves to the next post"
    );
    assert!(matches!(s.overlay, Overlay::Detail { .. }));
    named(&mut s, NamedKey::Esc);
    assert_eq!(s.overlay, Overlay::None);
    named(&mut s, NamedKey::Enter);
    let effects = key(&mut s, 'q');
    assert_eq!(s.overlay, Overlay::None);
    assert!(effects.is_empty(), "q closes the overlay, it does not quit");
}

/// In the detail view, every command that acts on a post acts on the one
/// shown; the others say why they do nothing there.
#[test]
fn post_commands_work_in_the_detail_view() {
    let mut s = state();
    deliver(&mut s, bobs(3));
    focus_rest(&mut s);
    key(&mut s, 'j');
    named(&mut s, NamedKey::Enter);
    key(&mut s, 'm');
    assert_eq!(
        s.overlay,
        Overlay::MuteMenu {
            handle: "@bob@x.social".into()
        },
        "m mutes the author of the post shown"
    );
    named(&mut s, NamedKey::Esc);
    named(&mut s, NamedKey::Enter);
    let effects = key(&mut s, 'a');
    assert!(
        matches!(&effects[..], [Effect::Edit { done, .. }] if done.contains("amplified @bob@x.social")),
        "{effects:?}"
    );
    named(&mut s, NamedKey::Enter);
    key(&mut s, 'e');
    assert!(matches!(s.overlay, Overlay::Explain { .. }));
    named(&mut s, NamedKey::Esc);
    named(&mut s, NamedKey::Enter);
    let effects = key(&mut s, 'R');
    assert!(effects.is_empty());
    assert!(matches!(s.overlay, Overlay::Detail { .. }), "still open");
    let said = s.message.clone().unwrap_or_default();
    assert!(said.contains("mark_read works on the columns"), "{said}");
}

#[test]
fn z_opens_and_closes_a_content_warning() {
    let mut s = state();
    deliver(
        &mut s,
        vec![
            post("cw", "@bob@x.social")
                .minutes_ago(1)
                .text("the spoiler")
                .cw("film ending")
                .build(),
        ],
    );
    focus_rest(&mut s);
    let id = s.selected().unwrap();
    let text = |s: &AppState| -> String {
        s.place(3, 40, 30)[0]
            .lines
            .iter()
            .flatten()
            .map(|p| p.text.clone())
            .collect()
    };
    assert!(text(&s).contains("film ending") && !text(&s).contains("the spoiler"));
    key(&mut s, 'z');
    assert!(s.cw_open.contains(&id));
    assert!(text(&s).contains("the spoiler"));
    key(&mut s, 'z');
    assert!(!text(&s).contains("the spoiler"));
}

#[test]
fn o_opens_the_first_link_or_the_post_and_digits_pick_a_link_in_the_detail() {
    let mut s = state();
    deliver(
        &mut s,
        vec![
            post("links", "@bob@x.social")
                .minutes_ago(1)
                .text("two links")
                .link("https://a.example/1")
                .link("https://b.example/2")
                .url("https://x.social/@bob/1")
                .build(),
            post("plain", "@bob@x.social")
                .minutes_ago(2)
                .text("no links")
                .url("https://x.social/@bob/2")
                .build(),
            post("bare", "@bob@x.social")
                .minutes_ago(3)
                .text("nothing")
                .build(),
        ],
    );
    focus_rest(&mut s);
    assert_eq!(
        key(&mut s, 'o'),
        [Effect::OpenUrl("https://a.example/1".into())]
    );
    named(&mut s, NamedKey::Enter);
    assert_eq!(
        key(&mut s, '2'),
        [Effect::OpenUrl("https://b.example/2".into())]
    );
    assert!(key(&mut s, '3').is_empty());
    assert_eq!(s.message.as_deref(), Some("this post has no link 3"));
    named(&mut s, NamedKey::Esc);
    key(&mut s, 'j');
    assert_eq!(
        key(&mut s, 'o'),
        [Effect::OpenUrl("https://x.social/@bob/2".into())]
    );
    key(&mut s, 'j');
    assert!(key(&mut s, 'o').is_empty());
    assert!(s.message.as_deref().unwrap().contains("no link"));
}

#[test]
fn y_copies_the_post_url() {
    let mut s = state();
    deliver(
        &mut s,
        vec![
            post("u", "@bob@x.social")
                .minutes_ago(1)
                .text("x")
                .url("https://x.social/@bob/9")
                .build(),
            post("n", "@bob@x.social").minutes_ago(2).text("x").build(),
        ],
    );
    focus_rest(&mut s);
    assert_eq!(
        key(&mut s, 'y'),
        [Effect::Copy("https://x.social/@bob/9".into())]
    );
    assert!(s.message.as_deref().unwrap().starts_with("copied"));
    key(&mut s, 'j');
    assert!(key(&mut s, 'y').is_empty());
}

#[test]
fn slash_filters_the_column_as_you_type_enter_keeps_esc_clears() {
    let mut s = state();
    deliver(&mut s, bobs(12));
    focus_rest(&mut s);
    key(&mut s, 'j');
    key(&mut s, '/');
    assert_eq!(s.search.as_deref(), Some(""));
    typed(&mut s, "number 1");
    // "number 1", "number 10", "number 11".
    assert_eq!(s.list(3).len(), 3);
    assert_eq!(
        selected_id(&s).as_deref(),
        Some("bob-1"),
        "kept: it matches"
    );
    key(&mut s, '0');
    assert_eq!(s.list(3).len(), 1);
    assert_eq!(selected_id(&s).as_deref(), Some("bob-10"));
    named(&mut s, NamedKey::Backspace);
    named(&mut s, NamedKey::Enter);
    assert_eq!(s.search, None, "the prompt closed");
    assert_eq!(s.views[3].query, "number 1", "the filter stays");
    assert_eq!(s.list(3).len(), 3);
    // Esc on the main screen clears the search.
    named(&mut s, NamedKey::Esc);
    assert_eq!(s.views[3].query, "");
    assert_eq!(s.list(3).len(), 12);
    // Esc in the prompt clears too; keys typed there are text, not commands.
    key(&mut s, '/');
    typed(&mut s, "q");
    assert_eq!(s.views[3].query, "q");
    named(&mut s, NamedKey::Esc);
    assert_eq!((s.search.as_deref(), s.views[3].query.as_str()), (None, ""));
}

/// Esc in the search prompt puts the selection back where it was before
/// the search began, not on the last match.
#[test]
fn esc_out_of_a_search_goes_back_to_where_the_reader_was() {
    let mut s = state();
    deliver(&mut s, bobs(12));
    focus_rest(&mut s);
    for _ in 0..4 {
        key(&mut s, 'j');
    }
    let before = (selected_id(&s), s.views[3].offset);
    key(&mut s, '/');
    typed(&mut s, "number 1");
    key(&mut s, '1');
    assert_eq!(selected_id(&s).as_deref(), Some("bob-11"), "on the match");
    named(&mut s, NamedKey::Esc);
    assert_eq!((selected_id(&s), s.views[3].offset), before);
    // Also after the search was kept with enter and the prompt opened again.
    key(&mut s, '/');
    typed(&mut s, "number 10");
    named(&mut s, NamedKey::Enter);
    key(&mut s, '/');
    named(&mut s, NamedKey::Esc);
    assert_eq!((selected_id(&s), s.views[3].offset), before);
}

#[test]
fn search_matches_handles_names_tags_and_warnings_in_any_case() {
    let mut s = state();
    deliver(
        &mut s,
        vec![
            post("a", "@bob@x.social")
                .minutes_ago(1)
                .text("plain")
                .hashtags(&["Gardening"])
                .build(),
            post("b", "@carol@x.social")
                .minutes_ago(2)
                .text("plain")
                .build(),
            post("c", "@dan@x.social")
                .minutes_ago(3)
                .text("plain")
                .cw("GARDEN spoilers")
                .build(),
        ],
    );
    focus_rest(&mut s);
    key(&mut s, '/');
    typed(&mut s, "garden");
    assert_eq!(s.list(3).len(), 2);
    update(&mut s, Action::Key(KeyChord::ctrl('u')));
    typed(&mut s, "CAROL");
    assert_eq!(s.list(3).len(), 1);
}

#[test]
fn ctrl_p_palette_goes_to_columns_accounts_and_commands() {
    let mut s = state();
    deliver(&mut s, bobs(3));
    deliver(
        &mut s,
        vec![
            post("r", "@zed@x.social")
                .minutes_ago(30)
                .text("about #rust")
                .hashtags(&["rust"])
                .build(),
        ],
    );
    update(&mut s, Action::Key(KeyChord::ctrl('p')));
    let Overlay::Palette(p) = &s.overlay else {
        panic!("palette not open")
    };
    assert!(
        p.items
            .iter()
            .any(|i| i.kind == "column" && i.label == "Rust")
    );
    assert!(
        p.items
            .iter()
            .any(|i| i.kind == "account" && i.label.contains("@zed@x.social"))
    );
    assert!(
        p.items
            .iter()
            .any(|i| i.kind == "command" && i.label == "quit")
    );
    let weekly = post("w", "@weekly@x.social")
        .name("Rust Weekly")
        .minutes_ago(31)
        .text("digest")
        .build();
    deliver(&mut s, vec![weekly]);
    named(&mut s, NamedKey::Esc);
    update(&mut s, Action::Key(KeyChord::ctrl('p')));
    typed(&mut s, "rust");
    named(&mut s, NamedKey::Enter);
    assert_eq!(s.overlay, Overlay::None);
    assert_eq!(
        s.focus, 2,
        "the column whose name is what was typed comes first"
    );

    // An account: its newest post, in the first column that has it.
    update(&mut s, Action::Key(KeyChord::ctrl('p')));
    typed(&mut s, "account bob");
    named(&mut s, NamedKey::Enter);
    assert_eq!(s.focus, 3);
    assert_eq!(selected_id(&s).as_deref(), Some("bob-0"));

    // A command runs as if its key were pressed; arrows choose.
    update(&mut s, Action::Key(KeyChord::ctrl('p')));
    typed(&mut s, "show this help");
    named(&mut s, NamedKey::Down);
    named(&mut s, NamedKey::Up);
    named(&mut s, NamedKey::Enter);
    assert_eq!(s.overlay, Overlay::Help { scroll: 0 });

    // Esc closes without doing anything; keys typed are text, not commands.
    named(&mut s, NamedKey::Esc);
    update(&mut s, Action::Key(KeyChord::ctrl('p')));
    let effects = key(&mut s, 'q');
    assert!(effects.is_empty());
    named(&mut s, NamedKey::Esc);
    assert_eq!(s.overlay, Overlay::None);
}

#[test]
fn capital_r_marks_the_column_read() {
    let mut s = state_with(CONFIG, 160, 10);
    deliver(&mut s, bobs(20));
    assert_eq!(s.timeline.unread(3), 20);
    focus_rest(&mut s);
    linger(&mut s);
    let on_screen = 20 - s.timeline.unread(3);
    assert!(on_screen > 0 && on_screen < 20, "what is on screen is seen");
    key(&mut s, 'r');
    assert_eq!(
        s.timeline.unread(3),
        20 - on_screen,
        "r is reply now, not mark_read"
    );
    key(&mut s, 'R');
    assert_eq!(s.timeline.unread(3), 0);
}

#[test]
fn a_post_counts_as_seen_after_a_moment_on_screen_not_when_paged_past() {
    let mut s = state_with(CONFIG, 160, 14);
    deliver(&mut s, bobs(30));
    focus_rest(&mut s);
    assert_eq!(s.timeline.unread(3), 30, "on screen, but only just");
    let due = s.next_seen_due().expect("a wake-up for the loop");
    assert_eq!(due, t0() + circles::app::SEEN_AFTER);
    // Paged past at once: those stay unread.
    named(&mut s, NamedKey::PageDown);
    update(&mut s, Action::Clock(t0() + TimeDelta::milliseconds(500)));
    assert_eq!(s.timeline.unread(3), 30);
    update(&mut s, Action::Clock(t0() + TimeDelta::milliseconds(1600)));
    let on_screen = s.place(3, 60, 12).len();
    let unread = s.timeline.unread(3);
    assert!(unread < 30 && unread >= 30 - on_screen, "{unread}");
    let first_page = s.list(3)[0];
    assert!(
        !s.timeline.get(first_page).unwrap().seen,
        "paged past, never read"
    );
    assert_eq!(s.next_seen_due(), None, "nothing left waiting");
    // The detail view counts at once.
    key(&mut s, 'g');
    named(&mut s, NamedKey::Enter);
    assert!(s.timeline.get(first_page).unwrap().seen);
}

#[test]
fn question_mark_opens_help_and_esc_closes_it() {
    let mut s = state();
    key(&mut s, '?');
    assert_eq!(s.overlay, Overlay::Help { scroll: 0 });
    key(&mut s, 'j');
    assert_eq!(s.overlay, Overlay::Help { scroll: 1 });
    named(&mut s, NamedKey::Esc);
    assert_eq!(s.overlay, Overlay::None);
    key(&mut s, '?');
    key(&mut s, '?');
    assert_eq!(s.overlay, Overlay::None, "? toggles");
}

#[test]
fn q_quits_ctrl_c_quits_ctrl_z_suspends() {
    let mut s = state();
    assert_eq!(key(&mut s, 'q'), [Effect::Quit]);
    assert_eq!(
        update(&mut s, Action::Key(KeyChord::ctrl('c'))),
        [Effect::Quit]
    );
    assert_eq!(
        update(&mut s, Action::Key(KeyChord::ctrl('z'))),
        [Effect::Suspend]
    );
    assert_eq!(
        update(&mut s, Action::Command(Command::Quit)),
        [Effect::Quit]
    );
}

/// `ctrl-l` redraws from the columns and from every overlay; bound to a
/// plain character, that character redraws except where text is typed.
#[test]
fn ctrl_l_redraws_over_any_overlay_but_a_typed_character_stays_text() {
    let mut s = state();
    let ctrl_l = |s: &mut AppState| update(s, Action::Key(KeyChord::ctrl('l')));
    assert_eq!(ctrl_l(&mut s), [Effect::Redraw]);
    key(&mut s, '?');
    assert_eq!(ctrl_l(&mut s), [Effect::Redraw]);
    assert_eq!(
        s.overlay,
        Overlay::Help { scroll: 0 },
        "the help stays open"
    );
    named(&mut s, NamedKey::Esc);
    key(&mut s, '/');
    assert_eq!(ctrl_l(&mut s), [Effect::Redraw]);
    assert_eq!(s.search.as_deref(), Some(""), "the search stays open");

    let config = format!("{CONFIG}\n[keys]\nredraw = \"~\"\n");
    let mut s = state_with(&config, 160, 40);
    assert_eq!(key(&mut s, '~'), [Effect::Redraw]);
    key(&mut s, '/');
    assert!(key(&mut s, '~').is_empty());
    assert_eq!(s.search.as_deref(), Some("~"), "typed into the search");
}

#[test]
fn keys_from_the_config_replace_the_defaults() {
    let config = format!("{CONFIG}\n[keys]\nquit = \"Q\"\nnext_post = [\"n\"]\n");
    let mut s = state_with(&config, 160, 40);
    assert!(key(&mut s, 'q').is_empty());
    assert_eq!(key(&mut s, 'Q'), [Effect::Quit]);
    deliver(&mut s, bobs(3));
    focus_rest(&mut s);
    key(&mut s, 'j');
    assert_eq!(selected_id(&s).as_deref(), Some("bob-0"));
    key(&mut s, 'n');
    assert_eq!(selected_id(&s).as_deref(), Some("bob-1"));
}

/// Rebinding quit keeps ctrl-c, which quits from anywhere (an overlay, the
/// search prompt), and the help says the keys as they are bound now.
#[test]
fn ctrl_c_always_quits_and_the_help_reads_the_live_keymap() {
    let config = format!("{CONFIG}\n[keys]\nquit = \"Q\"\n");
    let mut s = state_with(&config, 160, 40);
    let ctrl_c = |s: &mut AppState| update(s, Action::Key(KeyChord::ctrl('c')));
    assert_eq!(ctrl_c(&mut s), [Effect::Quit]);
    key(&mut s, '?');
    assert_eq!(ctrl_c(&mut s), [Effect::Quit], "from the help");
    named(&mut s, NamedKey::Esc);
    key(&mut s, '/');
    assert_eq!(ctrl_c(&mut s), [Effect::Quit], "from the search prompt");
    let help: Vec<String> = circles::ui::help_lines(&s)
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.to_string()).collect())
        .collect();
    let footer = help
        .iter()
        .find(|l| l.contains("close an overlay"))
        .unwrap();
    assert!(footer.starts_with("Q and esc close"), "{footer}");
    assert!(footer.contains("ctrl-c always quits"), "{footer}");
    let bad = load(&format!("{CONFIG}\n[keys]\nhelp = \"ctrl-c\"\n"), t0());
    let message = bad.unwrap_err().errors[0].message.clone();
    assert!(message.contains("ctrl-c always quits"), "{message}");
}

fn carols(ids: &[&str]) -> Vec<Post> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| {
            post(id, "@carol@x.social")
                .minutes_ago(i as i64)
                .text("fresh")
                .build()
        })
        .collect()
}

/// TweetDeck's rule: a reader at the top (the newest post on screen) sees
/// new posts slide in at the top, and the selection stays on its post.
#[test]
fn a_reader_at_the_top_sees_new_posts_slide_in() {
    let mut s = state();
    deliver(&mut s, bobs(5));
    go_live(&mut s);
    focus_rest(&mut s);
    key(&mut s, 'j');
    assert_eq!(selected_id(&s).as_deref(), Some("bob-1"));
    deliver(&mut s, carols(&["new-1", "new-2"]));
    assert_eq!(
        selected_id(&s).as_deref(),
        Some("bob-1"),
        "same post selected"
    );
    assert_eq!(s.views[3].offset, 0, "the new posts are on screen");
    assert_eq!(s.new_above(3), 0, "nothing new above the screen");
    let on_screen: Vec<PostId> = s.place(3, 40, 30).iter().map(|p| p.id).collect();
    let first = s.timeline.get(on_screen[0]).unwrap();
    assert_eq!(first.post.id, "new-1");
}

/// A reader who has scrolled down keeps their place: the same post first
/// on screen and selected, with the arrivals counted above.
#[test]
fn a_reader_scrolled_down_keeps_the_place_and_gets_the_marker() {
    let mut s = state();
    deliver(&mut s, bobs(20));
    go_live(&mut s);
    focus_rest(&mut s);
    named(&mut s, NamedKey::PageDown);
    let first = s.list(3)[s.views[3].offset];
    let selected = s.selected();
    assert!(s.views[3].offset > 0);
    deliver(&mut s, carols(&["new-1", "new-2"]));
    assert_eq!(s.list(3)[s.views[3].offset], first, "the same first post");
    assert_eq!(s.selected(), selected, "the same post selected");
    assert_eq!(s.new_above(3), 2, "the N new marker");
    key(&mut s, 'g');
    assert_eq!(selected_id(&s).as_deref(), Some("new-1"));
    assert_eq!(s.new_above(3), 0);
    linger(&mut s);
    named(&mut s, NamedKey::PageDown);
    deliver(&mut s, carols(&["new-3"]));
    assert_eq!(s.new_above(3), 1, "only what came since the top was seen");
}

/// The marker counts arrivals, not unread posts: a backlog read to its end
/// has nothing new above.
#[test]
fn the_marker_counts_what_arrived_not_what_is_unread() {
    let mut s = state();
    deliver(&mut s, bobs(20));
    go_live(&mut s);
    focus_rest(&mut s);
    key(&mut s, 'G');
    assert!(s.views[3].offset > 0);
    assert!(s.timeline.unread(3) > 5, "much is unread");
    assert_eq!(s.new_above(3), 0, "but nothing arrived");
}

#[test]
fn the_backlog_fills_untouched_columns_from_the_top() {
    let mut s = state();
    // Before the source is live, arrivals are its backlog.
    deliver(&mut s, bobs(3));
    deliver(
        &mut s,
        vec![
            post("newer", "@carol@x.social")
                .minutes_ago(0)
                .text("x")
                .build(),
        ],
    );
    focus_rest(&mut s);
    assert_eq!(selected_id(&s).as_deref(), Some("newer"));
    assert_eq!(s.views[3].offset, 0);
}

#[test]
fn a_live_post_in_a_notify_column_rings_the_bell() {
    let mut s = state();
    let quiet = deliver(
        &mut s,
        vec![
            post("1", "@alice@x.social")
                .minutes_ago(3)
                .text("backlog")
                .build(),
        ],
    );
    assert!(quiet.is_empty(), "the backlog does not ring");
    go_live(&mut s);
    let effects = deliver(
        &mut s,
        vec![
            post("2", "@alice@x.social")
                .minutes_ago(0)
                .text("live")
                .build(),
        ],
    );
    let [Effect::Alert(alert)] = &effects[..] else {
        panic!("one alert: {effects:?}");
    };
    assert!(
        alert.bell && alert.desktop.is_none(),
        "notify = true rings: {alert:?}"
    );
    assert_eq!(alert.title, "circles · Core");
    assert_eq!(alert.body, "@alice@x.social: live");
    // Out of the burst's time, for the next one to alert at once.
    update(&mut s, Action::Clock(t0() + circles::app::alert::BURST * 2));
    let effects = deliver(
        &mut s,
        vec![
            post("3", "@bob@x.social")
                .minutes_ago(0)
                .text("elsewhere")
                .build(),
        ],
    );
    assert!(effects.is_empty());
}

#[test]
fn muted_posts_are_counted_for_today_and_the_count_resets_at_midnight() {
    let mut s = state();
    deliver(
        &mut s,
        vec![
            post("1", "@loud@x.social")
                .minutes_ago(1)
                .text("noise")
                .build(),
            post("2", "@loud@x.social")
                .minutes_ago(2)
                .text("noise")
                .build(),
            post("3", "@bob@x.social")
                .minutes_ago(3)
                .text("fine")
                .build(),
        ],
    );
    assert_eq!(s.muted_today, 2);
    assert_eq!(s.timeline.muted().len(), 2, "kept, not lost");
    update(&mut s, Action::Clock(t0() + TimeDelta::hours(11)));
    assert_eq!(s.muted_today, 2, "same day");
    update(&mut s, Action::Clock(t0() + TimeDelta::hours(13)));
    assert_eq!(s.muted_today, 0, "a new day");
}

#[test]
fn sources_report_their_state_counts_and_skipped_lines() {
    let mut s = state();
    assert_eq!(s.sources[0].state, SourceState::Starting);
    deliver(&mut s, bobs(4));
    update(
        &mut s,
        Action::Source(SourceEvent::Skipped {
            source: "feed".into(),
            problem: "feed.jsonl:7: invalid JSON".into(),
        }),
    );
    go_live(&mut s);
    let status = &s.sources[0];
    assert_eq!(status.state, SourceState::Live);
    assert_eq!((status.posts, status.skipped), (4, 1));
    assert_eq!(
        status.last_problem.as_deref(),
        Some("feed.jsonl:7: invalid JSON")
    );
    // The same posts again are not counted twice.
    deliver(&mut s, bobs(4));
    assert_eq!(s.sources[0].posts, 4);
}

#[test]
fn a_click_focuses_the_column_and_selects_the_card_under_it() {
    let mut s = state_with(CONFIG, 160, 40);
    deliver(&mut s, bobs(5));
    let rect = s.column_rect(3).unwrap();
    let placed = s.place(3, rect.width - 3, rect.height - 2);
    let third = &placed[2];
    update(
        &mut s,
        Action::Click {
            x: rect.x + 5,
            y: rect.y + 1 + third.top + 1,
        },
    );
    assert_eq!(s.focus, 3);
    assert_eq!(selected_id(&s).as_deref(), Some("bob-2"));
}

#[test]
fn a_click_on_a_tab_focuses_that_column() {
    let mut s = state_with(CONFIG, 50, 20);
    // " Core " is 6 cells and a separator; " Mentions " starts at x = 7.
    update(&mut s, Action::Click { x: 9, y: 0 });
    assert_eq!(s.focus, 1);
}

#[test]
fn the_wheel_scrolls_the_column_under_the_pointer() {
    let mut s = state_with(CONFIG, 160, 14);
    deliver(&mut s, bobs(20));
    let rect = s.column_rect(3).unwrap();
    let (x, y) = (rect.x + 3, rect.y + 3);
    update(&mut s, Action::Wheel { x, y, down: true });
    update(&mut s, Action::Wheel { x, y, down: true });
    assert_eq!(s.focus, 0, "scrolling does not move the focus");
    assert_eq!(s.views[3].offset, 2);
    assert_eq!(s.views[3].selected, 2, "the selection stays on screen");
    update(&mut s, Action::Wheel { x, y, down: false });
    assert_eq!(s.views[3].offset, 1);
}

/// Over an open overlay the wheel moves the overlay (the help scrolls, the
/// people view's selection moves), never the column beneath; a text being
/// written is left alone.
#[test]
fn the_wheel_moves_an_open_overlay_not_the_column_under_it() {
    let mut s = state_with(CONFIG, 160, 14);
    deliver(&mut s, bobs(20));
    let rect = s.column_rect(3).unwrap();
    let (x, y) = (rect.x + 3, rect.y + 3);
    key(&mut s, '?');
    update(&mut s, Action::Wheel { x, y, down: true });
    update(&mut s, Action::Wheel { x, y, down: true });
    assert_eq!(s.overlay, Overlay::Help { scroll: 2 });
    update(&mut s, Action::Wheel { x, y, down: false });
    assert_eq!(s.overlay, Overlay::Help { scroll: 1 });
    assert_eq!(s.views[3].offset, 0, "the column stays");
    // A post being written is left alone.
    let mut s = acting(vec![toot("109")]);
    key(&mut s, 'n');
    typed(&mut s, "hello");
    assert!(matches!(s.overlay, Overlay::Compose(_)), "{:?}", s.overlay);
    let before = format!("{:?}", s.overlay);
    update(
        &mut s,
        Action::Wheel {
            x: 3,
            y: 3,
            down: true,
        },
    );
    assert_eq!(format!("{:?}", s.overlay), before, "the draft as it was");
}

#[test]
fn a_resize_keeps_the_selection_on_screen() {
    let mut s = state_with(CONFIG, 160, 40);
    deliver(&mut s, bobs(20));
    focus_rest(&mut s);
    for _ in 0..8 {
        key(&mut s, 'j');
    }
    assert_eq!(s.views[3].offset, 0);
    update(
        &mut s,
        Action::Resize {
            width: 160,
            height: 12,
        },
    );
    let view = &s.views[3];
    assert!(view.offset > 0);
    let placed = s.place(3, 60, 10);
    assert!(placed.iter().any(|p| p.index == view.selected));
}

// ------------------------------------------------ mute and amplify (issue 4)

use circles::app::{ConfigChange, ConfigWhy, Purpose};
use circles::config::Edit;

fn edits(effects: &[Effect]) -> Vec<(Edit, String)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Edit { edit, done } => Some((edit.clone(), done.clone())),
            _ => None,
        })
        .collect()
}

fn one_edit(effects: Vec<Effect>) -> (Edit, String) {
    let mut all = edits(&effects);
    assert_eq!(all.len(), 1, "{effects:?}");
    all.remove(0)
}

fn with_bob_selected() -> AppState {
    let mut s = state();
    deliver(&mut s, bobs(3));
    focus_rest(&mut s);
    s
}

#[test]
fn m_asks_how_long_and_mutes_the_author_for_that_long() {
    for (press, until, words) in [
        ('1', Some(TimeDelta::hours(1)), "for 1 hour"),
        ('2', Some(TimeDelta::days(1)), "for 1 day"),
        ('3', Some(TimeDelta::days(7)), "for 7 days"),
        ('0', None, ""),
    ] {
        let mut s = with_bob_selected();
        key(&mut s, 'm');
        assert_eq!(
            s.overlay,
            Overlay::MuteMenu {
                handle: "@bob@x.social".into()
            }
        );
        let (edit, done) = one_edit(key(&mut s, press));
        assert_eq!(
            edit,
            Edit::MuteAccount {
                handle: "@bob@x.social".into(),
                until: until.map(|d| t0() + d),
            }
        );
        assert!(
            done.starts_with("muted @bob@x.social") && done.contains(words),
            "{done}"
        );
        assert!(done.ends_with("u to undo"));
        assert_eq!(s.overlay, Overlay::None);
    }
    let mut s = with_bob_selected();
    key(&mut s, 'm');
    assert!(edits(&named(&mut s, NamedKey::Esc)).is_empty());
    assert_eq!(s.overlay, Overlay::None);
    key(&mut s, 'm');
    let (edit, _) = one_edit(named(&mut s, NamedKey::Enter));
    assert!(
        matches!(edit, Edit::MuteAccount { until: None, .. }),
        "enter: forever"
    );
}

/// `m` on a feed entry that names its author mutes that author of the
/// feed (`feed:<host>/<name>`, noted by name), not the whole feed.
#[test]
fn m_on_a_feed_entry_mutes_its_author_not_the_feed() {
    use circles::config::Who;
    use circles::model::{Account, Network, feed_author_key};
    let mut s = state();
    let mut entry = post("e1", "feed:blog.example.org").build();
    let mut author = Account::new("feed:blog.example.org", "Jane Doe", Network::Native);
    author.did = feed_author_key("blog.example.org", "Jane Doe");
    entry.author = std::sync::Arc::new(author);
    deliver(&mut s, vec![entry]);
    focus_rest(&mut s);
    key(&mut s, 'm');
    let (edit, _) = one_edit(key(&mut s, '0'));
    assert_eq!(
        edit,
        Edit::MuteAccount {
            handle: Who {
                entry: "feed:blog.example.org/jane-doe".into(),
                handle: Some("Jane Doe".into()),
            },
            until: None,
        }
    );
}

#[test]
fn b_mutes_boosts_from_the_booster_only_on_a_boost() {
    let mut s = state();
    deliver(
        &mut s,
        vec![
            post("boost", "@carol@x.social")
                .minutes_ago(1)
                .text("boosted")
                .boosted_by("@rex@x.social")
                .build(),
            post("own", "@rex@x.social")
                .minutes_ago(2)
                .text("own post")
                .build(),
        ],
    );
    focus_rest(&mut s);
    let (edit, done) = one_edit(key(&mut s, 'b'));
    assert_eq!(
        edit,
        Edit::MuteBoostsFrom {
            handle: "@rex@x.social".into()
        }
    );
    assert!(done.contains("boosts from @rex@x.social"));
    key(&mut s, 'j');
    assert!(edits(&key(&mut s, 'b')).is_empty());
    assert_eq!(s.message.as_deref(), Some("this post is not a boost"));
}

#[test]
fn capital_k_mutes_a_keyword_prefilled_with_the_posts_hashtag() {
    let mut s = state();
    deliver(
        &mut s,
        vec![
            post("t", "@bob@x.social")
                .minutes_ago(1)
                .text("x #Crypto")
                .hashtags(&["Crypto"])
                .build(),
        ],
    );
    focus_rest(&mut s);
    key(&mut s, 'K');
    assert_eq!(
        s.overlay,
        Overlay::Prompt {
            purpose: Purpose::MuteKeyword,
            text: "#Crypto".into()
        }
    );
    for _ in 0.."#Crypto".len() {
        named(&mut s, NamedKey::Backspace);
    }
    typed(&mut s, "moon coin");
    let (edit, done) = one_edit(named(&mut s, NamedKey::Enter));
    assert_eq!(
        edit,
        Edit::MuteKeyword {
            keyword: "moon coin".into()
        }
    );
    assert!(done.contains("moon coin"));
    // Esc cancels; typed keys are text, not commands.
    key(&mut s, 'K');
    assert!(key(&mut s, 'q').is_empty());
    named(&mut s, NamedKey::Esc);
    assert_eq!(s.overlay, Overlay::None);
}

#[test]
fn a_amplifies_or_unamplifies_the_author() {
    let mut s = state();
    deliver(
        &mut s,
        vec![
            post("1", "@alice@x.social")
                .minutes_ago(1)
                .text("from alice")
                .build(),
            post("2", "@bob@x.social")
                .minutes_ago(2)
                .text("from bob")
                .build(),
        ],
    );
    // Core (focused) holds alice, who is amplified.
    let (edit, done) = one_edit(key(&mut s, 'a'));
    assert_eq!(
        edit,
        Edit::Unamplify {
            handle: "@alice@x.social".into()
        }
    );
    assert!(done.contains("no longer amplified"));
    focus_rest(&mut s);
    let (edit, done) = one_edit(key(&mut s, 'a'));
    assert_eq!(
        edit,
        Edit::Amplify {
            handle: "@bob@x.social".into()
        }
    );
    assert!(done.starts_with("amplified @bob@x.social"));
}

/// Keys write a Bluesky account by its DID, with its handle for the
/// comment beside it (handles change; the DID stays), and handles in the
/// form the README uses: `@user@host`, `alice.bsky.social` without an `@`.
#[test]
fn edits_name_bluesky_accounts_by_did_and_handles_as_the_readme_does() {
    use circles::config::Who;
    use circles::model::Network;
    let mut s = state();
    deliver(
        &mut s,
        vec![
            post("1", "dave.test")
                .network(Network::Bluesky)
                .did("did:plc:dave4x7q2kz")
                .minutes_ago(1)
                .build(),
            post("2", "erin.test")
                .network(Network::Bluesky)
                .minutes_ago(2)
                .build(),
            post("3", "@bob@x.social").minutes_ago(3).build(),
        ],
    );
    focus_rest(&mut s);
    let mut seen = Vec::new();
    for _ in 0..3 {
        let (edit, done) = one_edit(key(&mut s, 'a'));
        let Edit::Amplify { handle } = edit else {
            panic!("{edit:?}")
        };
        seen.push((handle, done));
        key(&mut s, 'j');
    }
    assert_eq!(
        seen[0].0,
        Who {
            entry: "did:plc:dave4x7q2kz".into(),
            handle: Some("dave.test".into())
        }
    );
    assert!(
        seen[0].1.starts_with("amplified @dave.test"),
        "{}",
        seen[0].1
    );
    assert_eq!(
        seen[1].0,
        Who::from("erin.test"),
        "no @ before a Bluesky handle"
    );
    assert_eq!(seen[2].0, Who::from("@bob@x.social"));
}

#[test]
fn c_adds_the_author_to_a_chosen_column_or_a_new_one() {
    let mut s = with_bob_selected();
    key(&mut s, 'c');
    let Overlay::Palette(p) = &s.overlay else {
        panic!("no picker")
    };
    let labels: Vec<&str> = p.items.iter().map(|i| i.label.as_str()).collect();
    assert_eq!(
        labels,
        ["Core", "Mentions", "Rust", "new column…"],
        "rest columns take no accounts"
    );
    typed(&mut s, "core");
    let (edit, _) = one_edit(named(&mut s, NamedKey::Enter));
    assert_eq!(
        edit,
        Edit::AddToColumn {
            column: "Core".into(),
            handle: "@bob@x.social".into()
        }
    );
    key(&mut s, 'c');
    typed(&mut s, "new");
    assert!(edits(&named(&mut s, NamedKey::Enter)).is_empty());
    assert!(
        matches!(&s.overlay, Overlay::Prompt { purpose: Purpose::NewColumn { handle }, .. } if handle.entry == "@bob@x.social")
    );
    // A name that is taken (any case) keeps the prompt open and says so.
    typed(&mut s, "core");
    assert!(named(&mut s, NamedKey::Enter).is_empty());
    assert!(matches!(&s.overlay, Overlay::Prompt { text, .. } if text == "core"));
    assert_eq!(
        s.message.as_deref(),
        Some("there is already a column Core; type another name, or esc")
    );
    for _ in 0..4 {
        named(&mut s, NamedKey::Backspace);
    }
    typed(&mut s, "Friends");
    let (edit, done) = one_edit(named(&mut s, NamedKey::Enter));
    assert_eq!(
        edit,
        Edit::NewColumn {
            column: "Friends".into(),
            handle: "@bob@x.social".into()
        }
    );
    assert!(done.contains("Friends"));
}

#[test]
fn x_removes_the_author_from_the_focused_column_and_u_undoes() {
    let mut s = state();
    deliver(
        &mut s,
        vec![
            post("1", "@alice@x.social")
                .minutes_ago(1)
                .text("hi")
                .build(),
        ],
    );
    let (edit, _) = one_edit(key(&mut s, 'x'));
    assert_eq!(
        edit,
        Edit::RemoveFromColumn {
            column: "Core".into(),
            handle: "@alice@x.social".into()
        }
    );
    assert_eq!(key(&mut s, 'u'), [Effect::Undo]);
    update(&mut s, Action::ConfigProblem("nothing to undo".into()));
    assert_eq!(s.message.as_deref(), Some("nothing to undo"));
}

#[test]
fn v_reveals_muted_posts_where_they_would_be_and_hides_them_again() {
    let mut s = state();
    deliver(
        &mut s,
        vec![
            post("loud", "@loud@x.social")
                .minutes_ago(1)
                .text("noise")
                .build(),
            post("bob", "@bob@x.social")
                .minutes_ago(2)
                .text("fine")
                .build(),
        ],
    );
    focus_rest(&mut s);
    assert_eq!(s.list(3).len(), 1);
    key(&mut s, 'v');
    assert!(s.reveal);
    assert_eq!(s.list(3).len(), 2, "the muted post shows in Everyone else");
    assert_eq!(
        selected_id(&s).as_deref(),
        Some("bob"),
        "the selection stays on its post"
    );
    let id = s.list(3)[0];
    let card: String = s.place(3, 50, 30)[0]
        .lines
        .iter()
        .flatten()
        .map(|p| p.text.clone())
        .collect();
    assert_eq!(s.timeline.get(id).unwrap().post.id, "loud");
    assert!(card.contains("muted (account)"), "{card}");
    // A muted post arriving while revealed shows at once.
    deliver(
        &mut s,
        vec![
            post("loud2", "@loud@x.social")
                .minutes_ago(0)
                .text("more")
                .build(),
        ],
    );
    assert_eq!(s.list(3).len(), 3);
    key(&mut s, 'v');
    assert_eq!(s.list(3).len(), 1);
}

#[test]
fn e_explains_the_selected_post() {
    let mut s = state();
    deliver(
        &mut s,
        vec![
            post("1", "@alice@x.social")
                .minutes_ago(1)
                .text("hi")
                .build(),
        ],
    );
    key(&mut s, 'e');
    let Overlay::Explain { text, .. } = &s.overlay else {
        panic!("no explain overlay: {:?}", s.overlay)
    };
    assert!(text.contains("Core"), "{text}");
    assert!(text.contains("amplif"), "{text}");
    named(&mut s, NamedKey::Esc);
    assert_eq!(s.overlay, Overlay::None);
}

fn change(text: &str, why: ConfigWhy) -> Action {
    Action::Config(ConfigChange {
        text: text.into(),
        location: "/home/j/.config/circles/config.toml".into(),
        why,
        compiled: None,
    })
}

/// Text compiled off the event loop is taken as it comes: the reducer does
/// not compile it again (here the compiled rules name a column the text
/// does not, so a second compile would show).
#[test]
fn a_config_compiled_elsewhere_is_used_as_it_is() {
    use circles::app::Precompiled;
    let mut s = state();
    let elsewhere =
        "[[column]]\nname = \"Compiled\"\n[[source]]\nname = \"demo\"\nkind = \"demo\"\n";
    let compiled = circles::filter::load(elsewhere, s.now).unwrap();
    update(
        &mut s,
        Action::Config(ConfigChange {
            text: circles::config::DEFAULT_CONFIG.into(),
            location: "x.toml".into(),
            why: ConfigWhy::Reloaded,
            compiled: Some(Precompiled::new(Ok(compiled))),
        }),
    );
    let names: Vec<&str> = s.rules.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Compiled"]);
    // Errors found elsewhere keep the running config and show.
    let errors = circles::filter::load("[[column]]\nname = 1\n", s.now).unwrap_err();
    update(
        &mut s,
        Action::Config(ConfigChange {
            text: circles::config::DEFAULT_CONFIG.into(),
            location: "x.toml".into(),
            why: ConfigWhy::Reloaded,
            compiled: Some(Precompiled::new(Err(errors))),
        }),
    );
    assert_eq!(s.rules.columns.len(), 1);
    assert!(s.config.error.is_some());
}

#[test]
fn new_config_text_reroutes_in_place_and_confirms() {
    let mut s = state();
    deliver(&mut s, bobs(5));
    deliver(
        &mut s,
        vec![
            post("carol", "@carol@x.social")
                .minutes_ago(20)
                .text("hello")
                .build(),
        ],
    );
    go_live(&mut s);
    focus_rest(&mut s);
    for _ in 0..5 {
        key(&mut s, 'j');
    }
    let before = selected_id(&s);
    assert_eq!(before.as_deref(), Some("carol"));
    // Bob goes to Core; Everyone else keeps carol selected.
    let text = CONFIG.replace(
        "accounts = [\"@alice@x.social\"]\nnotify",
        "accounts = [\"@alice@x.social\", \"@bob@x.social\"]\nnotify",
    );
    update(
        &mut s,
        change(
            &text,
            ConfigWhy::Edited("added @bob@x.social to Core".into()),
        ),
    );
    assert_eq!(s.timeline.column(0).len(), 5);
    assert_eq!(selected_id(&s), before, "the reader keeps their place");
    assert_eq!(s.focus, 3);
    assert_eq!(s.message.as_deref(), Some("added @bob@x.social to Core"));
    assert_eq!(s.config.location, "/home/j/.config/circles/config.toml");
}

#[test]
fn a_broken_config_keeps_the_last_good_rules_and_shows_where_until_fixed() {
    let mut s = state();
    deliver(&mut s, bobs(2));
    let broken = format!("{CONFIG}\n[[column]]\nname = \"Rust\"\n");
    update(&mut s, change(&broken, ConfigWhy::Reloaded));
    let error = s.config.error.clone().expect("an error banner");
    let line = broken.lines().count();
    assert!(error.contains(&format!("config.toml:{line}:8")), "{error}");
    assert_eq!(s.rules.columns.len(), 4, "the old rules still run");
    assert_eq!(s.timeline.column(3).len(), 2);
    update(&mut s, change(CONFIG, ConfigWhy::Reloaded));
    assert_eq!(s.config.error, None, "fixed: the banner goes");
    assert_eq!(s.message.as_deref(), Some("config reloaded"));
}

#[test]
fn columns_added_and_keys_changed_on_reload_apply_at_once() {
    let mut s = state();
    deliver(&mut s, bobs(2));
    let text = format!(
        "{}\n[[column]]\nname = \"Bob\"\naccounts = [\"@bob@x.social\"]\n\n[keys]\nquit = \"Q\"\n",
        CONFIG
    );
    update(&mut s, change(&text, ConfigWhy::Reloaded));
    assert_eq!(s.views.len(), 5);
    assert_eq!(s.timeline.column(4).len(), 2);
    assert!(key(&mut s, 'q').is_empty());
    assert_eq!(key(&mut s, 'Q'), [Effect::Quit]);
}

#[test]
fn sources_added_or_removed_in_the_config_start_and_stop() {
    let compiled = load(CONFIG, t0()).unwrap();
    let specs = compiled.config.sources.clone();
    let mut s = AppState::new(
        compiled.rules,
        compiled.config.keymap,
        &["feed".to_string()],
        ConfigStatus::default(),
        t0(),
    )
    .with_source_specs(specs);
    let text = CONFIG.replace(
        "name = \"feed\"\nkind = \"demo\"",
        "name = \"pipe\"\nkind = \"jsonl\"\npath = \"-\"",
    );
    let effects = update(&mut s, change(&text, ConfigWhy::Reloaded));
    assert!(
        effects.contains(&Effect::StopSource("feed".into())),
        "{effects:?}"
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::StartSource(spec) if spec.name == "pipe"))
    );
    assert_eq!(s.sources.len(), 1);
    assert_eq!(s.sources[0].name, "pipe");
    assert_eq!(s.sources[0].state, SourceState::Starting);
    // The same text again changes nothing.
    let effects = update(&mut s, change(&text, ConfigWhy::Reloaded));
    assert!(effects.is_empty(), "{effects:?}");
    // Unless the source had failed: what it failed over may be fixed now
    // (a list created under the title it asks for), so it starts again.
    update(
        &mut s,
        Action::Source(circles::model::SourceEvent::State {
            source: "pipe".into(),
            state: SourceState::Failed("timeline = \"list:Family\": no such list".into()),
        }),
    );
    let effects = update(&mut s, change(&text, ConfigWhy::Reloaded));
    assert!(
        matches!(&effects[..], [Effect::StartSource(spec)] if spec.name == "pipe"),
        "{effects:?}"
    );
    assert_eq!(s.sources[0].state, SourceState::Starting);
}

#[test]
fn a_timed_mute_stops_applying_at_its_time() {
    let until = (t0() + TimeDelta::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let config = format!("{CONFIG}\n[mute.until]\n\"@bob@x.social\" = {until}\n");
    let mut s = state_with(&config, 160, 40);
    deliver(&mut s, bobs(3));
    assert!(s.timeline.column(3).is_empty(), "muted for now");
    assert_eq!(s.next_expiry, Some(t0() + TimeDelta::hours(1)));
    update(&mut s, Action::Clock(t0() + TimeDelta::minutes(59)));
    assert!(s.timeline.column(3).is_empty());
    update(&mut s, Action::Clock(t0() + TimeDelta::minutes(61)));
    assert_eq!(s.timeline.column(3).len(), 3, "the mute ended");
    assert_eq!(s.next_expiry, None);
}

// ------------------------------------------------------- persistence (issue 6)

use circles::cache::Db;
use circles::store::Write;

/// Carries the cache writes an update asked for into a database, as the
/// event loop's writer thread does.
fn persist(db: &mut Db, effects: Vec<Effect>) {
    for effect in effects {
        if let Effect::Persist(write) = effect {
            match write {
                Write::Posts(posts) => db.save_posts(&posts).unwrap(),
                Write::Seen(keys) => db.mark_seen(&keys).unwrap(),
                Write::Deleted(key) => db.delete_post(&key).unwrap(),
                Write::Position { column, key } => db.set_position(&column, &key).unwrap(),
                Write::Cursor { source, key, value } => {
                    db.set_cursor(&source, &key, &value).unwrap()
                }
                Write::Prune(n) => {
                    db.prune(n).unwrap();
                }
                Write::Draft(draft) => db.set_draft(draft).unwrap(),
                Write::Interactions { source, list } => {
                    db.ledger_interactions(&source, &list).unwrap();
                }
                Write::Withdrawn { source, list } => {
                    db.ledger_withdraw(&source, &list).unwrap();
                }
                Write::FollowedAt { source, who, at } => {
                    db.ledger_followed_at(&source, &who, at).unwrap()
                }
            }
        }
    }
}

#[test]
fn nothing_is_sent_to_the_cache_unless_persisting() {
    let mut s = state();
    let effects = deliver(&mut s, bobs(3));
    assert!(
        effects.iter().all(|e| !matches!(e, Effect::Persist(_))),
        "{effects:?}"
    );
}

#[test]
fn a_restart_comes_back_with_the_same_posts_unread_counts_and_positions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("circles.db");
    let (mut db, note) = Db::open(&path).unwrap();
    assert_eq!(note, None);

    let mut before = state_with(CONFIG, 160, 14);
    before.persisting = true;
    let send = |s: &mut AppState, action: Action, db: &mut Db| {
        let effects = update(s, action);
        persist(db, effects);
    };
    send(
        &mut before,
        Action::Source(SourceEvent::Posts {
            source: "feed".into(),
            posts: bobs(20),
        }),
        &mut db,
    );
    send(
        &mut before,
        Action::Source(SourceEvent::Posts {
            source: "feed".into(),
            posts: vec![
                post("a1", "@alice@x.social")
                    .minutes_ago(3)
                    .text("core post")
                    .build(),
            ],
        }),
        &mut db,
    );
    for _ in 0..3 {
        send(&mut before, Action::Key(KeyChord::char('l')), &mut db);
    }
    for _ in 0..6 {
        send(&mut before, Action::Key(KeyChord::char('j')), &mut db);
    }
    let later = before.now + TimeDelta::seconds(2);
    send(&mut before, Action::Clock(later), &mut db);
    let selected = selected_id(&before);
    let unread: Vec<usize> = (0..4).map(|c| before.timeline.unread(c)).collect();
    assert!(unread[3] > 0 && unread[3] < 20, "{unread:?}");
    drop(db);

    // Start again: the cache alone, before any source answers.
    let (db, _) = Db::open(&path).unwrap();
    let snapshot = db.load().unwrap();
    let mut after = state_with(CONFIG, 160, 14);
    after.persisting = true;
    for _ in 0..3 {
        key(&mut after, 'l');
    }
    let effects = update(&mut after, Action::Restore(snapshot));
    assert_eq!(after.timeline.len(), 21);
    assert_eq!(selected_id(&after), selected, "the same post is selected");
    let unread_after: Vec<usize> = (0..4).map(|c| after.timeline.unread(c)).collect();
    assert_eq!(unread_after, unread);
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::Persist(Write::Posts(_)))),
        "restored posts are not written back"
    );
    // The sources then send the same posts again: nothing doubles.
    deliver(&mut after, bobs(20));
    assert_eq!(after.timeline.len(), 21);
    assert_eq!(selected_id(&after), selected);
}

/// A second boost of a post merges into its card, and the post is routed
/// again with every booster: carla (not followed) boosted by bob, then by
/// alice (in Core) lands in Core, and the cache gets the merged post.
#[test]
fn a_later_boost_by_a_core_account_routes_the_merged_post_into_core() {
    let mut s = state();
    update(&mut s, Action::Persisting(true));
    let carla = |by: &str| {
        post("c1", "@carla@x.social")
            .minutes_ago(5)
            .text("a thought")
            .boosted_by(by)
            .build()
    };
    deliver(&mut s, vec![carla("@bob@x.social")]);
    assert!(s.timeline.column(0).is_empty(), "not in Core yet");
    let effects = deliver(&mut s, vec![carla("@alice@x.social")]);
    assert_eq!(s.timeline.column(0).len(), 1, "in Core now");
    let id = s.timeline.column(0)[0];
    let entry = s.timeline.get(id).unwrap();
    assert!(entry.verdict.amplified, "alice is amplified");
    let boosters: Vec<&str> = entry.post.boosters().map(|b| b.handle.as_str()).collect();
    assert_eq!(boosters, ["@bob@x.social", "@alice@x.social"]);
    let saved = effects.iter().find_map(|e| match e {
        Effect::Persist(Write::Posts(posts)) => Some(posts.clone()),
        _ => None,
    });
    let saved = saved.expect("the merged post is kept");
    assert_eq!(saved[0].also_boosted_by[0].handle, "@alice@x.social");
    // and the card names both
    let text: String = s.place(0, 60, 30)[0]
        .lines
        .iter()
        .flatten()
        .map(|p| p.text.clone())
        .collect();
    assert!(
        text.contains("boosted by @bob@x.social, @alice@x.social"),
        "{text}"
    );
}

/// `o` and the link numbers open web pages and mail only: a stranger's
/// `file:`, `javascript:` or `smb:` link is shown and refused, with why.
#[test]
fn only_web_and_mail_links_are_opened() {
    for (link, opens) in [
        ("https://example.org/a", true),
        ("http://example.org/b", true),
        ("mailto:jane@example.org", true),
        ("javascript:alert(1)", false),
        ("file:///etc/passwd", false),
        ("smb://evil.example/share", false),
        ("x-custom-handler://run", false),
    ] {
        let mut s = state();
        deliver(
            &mut s,
            vec![post("l", "@bob@x.social").minutes_ago(1).link(link).build()],
        );
        focus_rest(&mut s);
        let effects = key(&mut s, 'o');
        let opened = effects.contains(&Effect::OpenUrl(link.to_string()));
        assert_eq!(opened, opens, "{link}: {effects:?}");
        if !opens {
            let said = s.message.clone().unwrap_or_default();
            assert!(
                said.contains("not opened") && said.contains("http, https and mailto"),
                "{said}"
            );
            named(&mut s, NamedKey::Enter);
            let effects = key(&mut s, '1');
            assert!(effects.is_empty(), "{link} by number: {effects:?}");
        }
    }
}

// ------------------------------------------------------- acting on posts (issue 15)

use circles::model::{Act, ActRequest, ActResult, Engagement, Network};

const ACTING: &str = r#"
[[source]]
name = "home"
kind = "mastodon"
instance = "http://127.0.0.1:9"
token_env = "CIRCLES_TEST_TOKEN"

[[source]]
name = "sky"
kind = "bluesky"
handle = "jane.example"
service = "http://127.0.0.1:9"
app_password_env = "CIRCLES_TEST_PASSWORD"

[[source]]
name = "feed"
kind = "demo"

[[column]]
name = "All"
rest = true
"#;

fn acting(posts: Vec<Post>) -> AppState {
    let mut s = testkit::state(ACTING)
        .sources(&["home", "sky", "feed"])
        .build();
    for post in posts {
        update(
            &mut s,
            Action::Source(SourceEvent::Posts {
                source: post.source.clone(),
                posts: vec![post],
            }),
        );
    }
    s
}

fn toot(id: &str) -> Post {
    let mut post = post(id, "@bob@x.social").source("home").build();
    post.engagement = Engagement {
        replies: Some(1),
        boosts: Some(2),
        favourites: Some(3),
        ..Engagement::default()
    };
    post
}

fn acts(effects: &[Effect]) -> Vec<ActRequest> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Act(request) => Some(request.clone()),
            _ => None,
        })
        .collect()
}

fn marks(s: &AppState) -> Engagement {
    let id = s.selected().expect("a post is selected");
    s.timeline.get(id).unwrap().post.engagement.clone()
}

#[test]
fn f_t_and_capital_b_change_the_card_at_once_and_ask_the_source_account() {
    let mut s = acting(vec![toot("109")]);
    let effects = key(&mut s, 'f');
    let sent = acts(&effects);
    assert_eq!(sent.len(), 1, "{effects:?}");
    assert_eq!(sent[0].source, "home");
    assert_eq!(sent[0].act, Act::Favourite { on: true });
    assert_eq!(sent[0].post.id, "109");
    let now = marks(&s);
    assert!(
        now.favourited,
        "the card shows it before the server answers"
    );
    assert_eq!(now.favourites, Some(4));
    let card = testkit::card_text(&s, 0);
    assert!(card.contains('★'), "{card}");
    assert!(card.contains("1 reply · 2 boosts · 4 favourites"), "{card}");

    let boost = acts(&key(&mut s, 't'));
    assert_eq!(boost[0].act, Act::Boost { on: true });
    let bookmark = acts(&key(&mut s, 'B'));
    assert_eq!(bookmark[0].act, Act::Bookmark { on: true });
    let now = marks(&s);
    assert!(now.favourited && now.boosted && now.bookmarked);
    assert_eq!(now.boosts, Some(3));
    let card = testkit::card_text(&s, 0);
    assert!(card.contains("★ ↻ 🔖"), "{card}");
    // Each tells its own ticket; the server's counts win when it says them.
    let server = Engagement {
        favourited: true,
        favourites: Some(10),
        ..now.clone()
    };
    update(
        &mut s,
        Action::Acted {
            ticket: sent[0].ticket,
            result: ActResult::Done {
                marks: Some(server),
                record: None,
            },
        },
    );
    assert_eq!(marks(&s).favourites, Some(10));
    assert!(s.acts.iter().all(|p| p.ticket != sent[0].ticket));
    assert_eq!(s.acts.len(), 2, "the boost and the bookmark are still out");
    // Pressed again once answered: the toggle goes back.
    let undo = acts(&key(&mut s, 'f'));
    assert_eq!(undo[0].act, Act::Favourite { on: false });
    assert!(!marks(&s).favourited);
    assert_eq!(marks(&s).favourites, Some(9));
}

#[test]
fn a_failed_act_puts_the_card_back_and_says_what_the_server_answered() {
    let mut s = acting(vec![toot("109")]);
    let favourite = acts(&key(&mut s, 'f'));
    let boost = acts(&key(&mut s, 't'));
    // A second favourite before the first is answered waits for it.
    let again = key(&mut s, 'f');
    assert!(acts(&again).is_empty());
    assert!(
        s.message.as_deref().unwrap().contains("still waiting"),
        "{:?}",
        s.message
    );
    let why = "favourite: 401: The access token is invalid; the token in $T lacks the `write` \
               scope or was revoked: run `circles login mastodon http://127.0.0.1:9` again";
    update(
        &mut s,
        Action::Acted {
            ticket: favourite[0].ticket,
            result: ActResult::Failed(why.into()),
        },
    );
    let now = marks(&s);
    assert!(!now.favourited, "the favourite went back");
    assert_eq!(now.favourites, Some(3));
    assert!(now.boosted, "the boost still waiting is left as it is");
    let message = s.message.clone().unwrap();
    assert!(
        message.contains("401") && message.contains("circles login mastodon"),
        "{message}"
    );
    update(
        &mut s,
        Action::Acted {
            ticket: boost[0].ticket,
            result: ActResult::Failed("boost: the server answered 429 (rate limited)".into()),
        },
    );
    assert_eq!(marks(&s), toot("109").engagement, "all as it was");
    // An answer nobody waits for (a ticket already answered) changes nothing.
    update(
        &mut s,
        Action::Acted {
            ticket: boost[0].ticket,
            result: ActResult::Done {
                marks: None,
                record: None,
            },
        },
    );
    assert_eq!(marks(&s), toot("109").engagement);
}

#[test]
fn bluesky_likes_keep_the_record_their_undo_deletes() {
    let mut like = post("at://did:plc:bob/app.bsky.feed.post/3k", "@bob.example")
        .source("sky")
        .network(Network::Bluesky)
        .build();
    like.cid = Some("bafyrei-post".into());
    let mut s = acting(vec![like]);
    let sent = acts(&key(&mut s, 'f'));
    assert_eq!(sent[0].post.cid.as_deref(), Some("bafyrei-post"));
    assert_eq!(sent[0].post.record, None);
    let record = "at://did:plc:jane/app.bsky.feed.like/3l";
    update(
        &mut s,
        Action::Acted {
            ticket: sent[0].ticket,
            result: ActResult::Done {
                marks: None,
                record: Some(record.into()),
            },
        },
    );
    assert!(marks(&s).favourited);
    assert_eq!(marks(&s).like_record.as_deref(), Some(record));
    let unlike = acts(&key(&mut s, 'f'));
    assert_eq!(unlike[0].act, Act::Favourite { on: false });
    assert_eq!(
        unlike[0].post.record.as_deref(),
        Some(record),
        "the undo names it"
    );
    update(
        &mut s,
        Action::Acted {
            ticket: unlike[0].ticket,
            result: ActResult::Done {
                marks: None,
                record: None,
            },
        },
    );
    assert_eq!(marks(&s).like_record, None);
    assert!(testkit::card_text(&s, 0).contains("likes") || marks(&s).favourites.is_none());
}

#[test]
fn posts_of_feeds_and_the_demo_cannot_be_acted_on_and_say_why() {
    let demo = post("d1", "@carol@x.social").source("feed").build();
    let mut s = acting(vec![demo]);
    for c in ['f', 't', 'B'] {
        let effects = key(&mut s, c);
        assert!(acts(&effects).is_empty(), "{effects:?}");
        let message = s.message.clone().unwrap();
        assert!(message.contains("feed is a demo source"), "{message}");
        assert!(marks(&s).is_empty());
    }
}

#[test]
fn acts_work_from_the_detail_view() {
    let mut s = acting(vec![toot("109")]);
    named(&mut s, NamedKey::Enter);
    let sent = acts(&key(&mut s, 'f'));
    assert_eq!(sent.len(), 1);
    assert!(matches!(s.overlay, Overlay::Detail { .. }));
    assert!(marks(&s).favourited);
}

// ------------------------------------------------------- compose (issue 15)

use circles::model::{Draft, Limits, PostResult, Visibility};
use circles::store::Write as CacheWrite;

fn compose_of(s: &AppState) -> &circles::app::Compose {
    match &s.overlay {
        Overlay::Compose(compose) => compose,
        other => panic!("no compose overlay: {other:?}"),
    }
}

fn ctrl(s: &mut AppState, c: char) -> Vec<Effect> {
    update(s, Action::Key(KeyChord::ctrl(c)))
}

fn drafts_kept(effects: &[Effect]) -> Vec<Option<Draft>> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Persist(CacheWrite::Draft(d)) => Some(d.as_deref().cloned()),
            _ => None,
        })
        .collect()
}

fn sent(effects: &[Effect]) -> Option<circles::model::PostRequest> {
    effects.iter().find_map(|e| match e {
        Effect::Post { request, .. } => Some((**request).clone()),
        _ => None,
    })
}

fn mentioning(id: &str) -> Post {
    let mut p = post(id, "@bob@x.social")
        .source("home")
        .mentions(&["@carol@y.social", "@jane@mastodon.social"])
        .build();
    p.visibility = Some("unlisted".into());
    p
}

#[test]
fn r_opens_a_reply_prefilled_with_the_mentions_and_ctrl_s_sends_it() {
    let config = format!("[me]\nhandles = [\"@jane@mastodon.social\"]\n{ACTING}");
    let mut s = testkit::state(&config)
        .sources(&["home", "sky", "feed"])
        .build();
    update(&mut s, Action::Persisting(true));
    update(
        &mut s,
        Action::Source(SourceEvent::Posts {
            source: "home".into(),
            posts: vec![mentioning("109")],
        }),
    );
    let effects = key(&mut s, 'r');
    assert!(
        effects.contains(&Effect::Limits("home".into())),
        "the server's limit is asked for: {effects:?}"
    );
    let compose = compose_of(&s);
    assert_eq!(
        compose.draft.text, "@bob@x.social @carol@y.social ",
        "the author and the others, never me"
    );
    assert_eq!(
        compose.draft.visibility,
        Visibility::Unlisted,
        "the parent's"
    );
    assert_eq!(compose.draft.reply.as_ref().unwrap().id, "109");
    assert_eq!(compose.draft.source, "home");
    // Typing is kept in the cache as it goes.
    let mut kept = Vec::new();
    for c in "thanks!".chars() {
        kept.extend(drafts_kept(&key(&mut s, c)));
    }
    assert_eq!(kept.len(), 7, "every key keeps the draft");
    let last = kept.last().unwrap().as_ref().unwrap();
    assert_eq!(last.text, "@bob@x.social @carol@y.social thanks!");
    // The server's limit arrives.
    update(
        &mut s,
        Action::Limits {
            source: "home".into(),
            limits: Limits {
                max: 1000,
                quotes: true,
            },
        },
    );
    assert_eq!(compose_of(&s).limits.max, 1000);

    let request = sent(&ctrl(&mut s, 's')).expect("ctrl-s sends");
    assert_eq!(request.draft.text, "@bob@x.social @carol@y.social thanks!");
    assert_eq!(compose_of(&s).sending, Some(request.ticket));
    // Keys while sending change nothing.
    key(&mut s, 'x');
    assert_eq!(compose_of(&s).draft.text, request.draft.text);

    let mut reply = post("110", "@jane@mastodon.social")
        .source("home")
        .text("thanks!")
        .build();
    reply.reply_to = mentioning("109").reply_to;
    let effects = update(
        &mut s,
        Action::Posted {
            ticket: request.ticket,
            result: PostResult::Posted(Box::new(reply)),
        },
    );
    assert_eq!(s.overlay, Overlay::None);
    assert_eq!(drafts_kept(&effects), [None], "the draft is gone once sent");
    assert!(
        s.timeline.find("home", "110").is_some(),
        "the reply shows at once, without waiting for the stream"
    );
    assert!(
        s.message
            .as_deref()
            .unwrap()
            .contains("replied to @bob@x.social")
    );
}

/// A reply sent from circles is an answer to the post's author in the
/// people ledger even when its text no longer mentions them (Mastodon then
/// names the account only by id, which says nothing of who it is).
#[test]
fn a_reply_without_the_mention_still_counts_as_answering_its_author() {
    use circles::model::people::{Direction, Engaged};
    let config = format!("[me]\nhandles = [\"@jane@mastodon.social\"]\n{ACTING}");
    let mut s = testkit::state(&config)
        .sources(&["home", "sky", "feed"])
        .build();
    update(&mut s, Action::Persisting(true));
    deliver(&mut s, vec![mentioning("109")]);
    key(&mut s, 'r');
    let request = sent(&ctrl(&mut s, 's')).expect("ctrl-s sends");
    let mut reply = post("110", "@jane@mastodon.social")
        .source("home")
        .text("thanks!")
        .build();
    reply.reply_to = Some(circles::model::ReplyTo {
        id: "109".into(),
        to: None,
        root: None,
        text: None,
    });
    let effects = update(
        &mut s,
        Action::Posted {
            ticket: request.ticket,
            result: PostResult::Posted(Box::new(reply)),
        },
    );
    let answered: Vec<(String, Direction, Engaged)> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Persist(Write::Interactions { list, .. }) => Some(list),
            _ => None,
        })
        .flatten()
        .map(|i| (i.who.clone(), i.direction, i.kind))
        .collect();
    assert_eq!(
        answered,
        [("bob@x.social".to_string(), Direction::Out, Engaged::Reply)]
    );
}

#[test]
fn a_failed_send_keeps_the_overlay_the_draft_and_the_servers_words() {
    let mut s = acting(vec![toot("109")]);
    key(&mut s, 'n');
    typed(&mut s, "hello");
    let request = sent(&ctrl(&mut s, 's')).unwrap();
    let why =
        "post: the server answered 422 (Validation failed: Text character limit of 500 exceeded)";
    update(
        &mut s,
        Action::Posted {
            ticket: request.ticket,
            result: PostResult::Failed(why.into()),
        },
    );
    let compose = compose_of(&s);
    assert_eq!(compose.draft.text, "hello");
    assert_eq!(compose.error.as_deref(), Some(why));
    assert_eq!(compose.sending, None, "it can be sent again");
    let again = sent(&ctrl(&mut s, 's')).unwrap();
    assert_eq!(again.draft.id, request.draft.id, "the same idempotency key");
}

#[test]
fn esc_asks_before_throwing_typed_text_away() {
    let mut s = acting(vec![toot("109")]);
    update(&mut s, Action::Persisting(true));
    key(&mut s, 'n');
    // Nothing typed: esc just closes.
    named(&mut s, NamedKey::Esc);
    assert_eq!(s.overlay, Overlay::None);
    key(&mut s, 'n');
    typed(&mut s, "half a thought");
    named(&mut s, NamedKey::Esc);
    assert!(compose_of(&s).confirm_discard);
    key(&mut s, 'k');
    assert_eq!(
        compose_of(&s).draft.text,
        "half a thought",
        "any other key goes back"
    );
    assert!(!compose_of(&s).confirm_discard);
    named(&mut s, NamedKey::Esc);
    let effects = key(&mut s, 'y');
    assert_eq!(s.overlay, Overlay::None);
    assert_eq!(drafts_kept(&effects), [None]);
}

#[test]
fn a_post_over_the_limit_is_not_sent_and_says_by_how_much() {
    let mut s = acting(vec![toot("109")]);
    key(&mut s, 'n');
    typed(&mut s, &"a".repeat(505));
    let effects = ctrl(&mut s, 's');
    assert!(sent(&effects).is_none());
    let error = compose_of(&s).error.clone().unwrap();
    assert!(error.contains("5 over the limit of 500"), "{error}");
    assert!(sent(&ctrl(&mut s, 's')).is_none(), "still too long");
}

#[test]
fn a_draft_from_the_last_run_is_offered_back_and_n_opens_it() {
    let mut s = acting(Vec::new());
    let draft = Draft {
        id: "circles-1".into(),
        source: "home".into(),
        text: "written before the crash".into(),
        ..Draft::default()
    };
    update(
        &mut s,
        Action::Restore(circles::store::Snapshot {
            draft: Some(Box::new(draft.clone())),
            ..Default::default()
        }),
    );
    let said = s.message.clone().unwrap();
    assert!(said.contains("unsent post") && said.contains('n'), "{said}");
    key(&mut s, 'n');
    assert_eq!(compose_of(&s).draft, draft);
}

#[test]
fn a_bluesky_reply_names_no_one_and_carries_its_root_and_parent() {
    let mut parent = post("at://did:plc:bob/app.bsky.feed.post/2", "@bob.example")
        .source("sky")
        .network(Network::Bluesky)
        .mentions(&["@carol.example"])
        .build();
    parent.cid = Some("bafy-parent".into());
    parent.reply_to = Some(circles::model::ReplyTo {
        id: "at://did:plc:carol/app.bsky.feed.post/1".into(),
        to: None,
        root: Some(circles::model::RecordRef {
            uri: "at://did:plc:carol/app.bsky.feed.post/1".into(),
            cid: "bafy-root".into(),
        }),
        text: None,
    });
    let mut s = acting(vec![parent]);
    key(&mut s, 'r');
    let compose = compose_of(&s);
    assert_eq!(
        compose.draft.text, "",
        "Bluesky threads say who is answered"
    );
    let reply = compose.draft.reply.clone().unwrap();
    assert_eq!(reply.cid.as_deref(), Some("bafy-parent"));
    assert_eq!(reply.root.unwrap().cid, "bafy-root");
    assert_eq!(compose.limits.max, 300);
    typed(&mut s, "🇯🇵🇯🇵");
    assert_eq!(compose_of(&s).length(), 2, "graphemes, not code points");
    // Quoting is a compose too.
    named(&mut s, NamedKey::Esc);
    key(&mut s, 'y');
    key(&mut s, 'Q');
    assert!(compose_of(&s).draft.quote.is_some());
}

#[test]
fn tab_moves_between_the_fields_and_ctrl_o_cycles_who_sees_it() {
    let mut s = acting(vec![toot("109")]);
    key(&mut s, 'n');
    typed(&mut s, "body");
    named(&mut s, NamedKey::Tab);
    typed(&mut s, "spoilers");
    named(&mut s, NamedKey::Tab);
    typed(&mut s, "de");
    ctrl(&mut s, 'o');
    let draft = &compose_of(&s).draft;
    assert_eq!(draft.text, "body");
    assert_eq!(draft.warning, "spoilers");
    assert_eq!(draft.language, "de");
    assert_eq!(draft.visibility, Visibility::Unlisted);
    let request = sent(&ctrl(&mut s, 's')).unwrap();
    assert_eq!(request.draft.warning, "spoilers");
}

#[test]
fn a_draft_typed_before_a_crash_comes_back_from_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.db");
    let (mut db, _) = Db::open(&path).unwrap();
    let mut s = acting(vec![toot("109")]);
    update(&mut s, Action::Persisting(true));
    persist(&mut db, key(&mut s, 'r'));
    for c in "nearly done".chars() {
        persist(&mut db, key(&mut s, c));
    }
    drop(db);
    // The next run: no send, no esc, the process simply gone.
    let snapshot = Db::open(&path).unwrap().0.load().unwrap();
    let kept = *snapshot.draft.clone().expect("the draft was kept");
    assert!(kept.text.ends_with("nearly done"), "{kept:?}");
    assert_eq!(kept.reply.as_ref().unwrap().id, "109");
    let mut next = acting(Vec::new());
    update(&mut next, Action::Restore(snapshot));
    key(&mut next, 'n');
    assert_eq!(compose_of(&next).draft, kept);
    assert_eq!(
        compose_of(&next).draft.reply.as_ref().unwrap().author,
        "@bob@x.social"
    );
}

#[test]
fn compose_says_so_when_no_source_can_post() {
    let mut s = state();
    key(&mut s, 'n');
    assert_eq!(s.overlay, Overlay::None);
    assert!(s.message.as_deref().unwrap().contains("no source can post"));
}

// ------------------------------------------------------- thread view (issue 15)

use circles::model::ThreadResult;

/// The server's answer to `T` on post 109 of home.
fn thread_answered(s: &mut AppState, ancestors: Vec<Post>, replies: Vec<(Post, u16)>) {
    update(
        s,
        Action::Thread {
            source: "home".into(),
            id: "109".into(),
            result: ThreadResult::Found { ancestors, replies },
        },
    );
}

fn thread_of(s: &AppState) -> &circles::app::Thread {
    match &s.overlay {
        Overlay::Thread(thread) => thread,
        other => panic!("no thread overlay: {other:?}"),
    }
}

#[test]
fn capital_t_opens_the_thread_and_acts_work_on_the_post_selected_in_it() {
    let mut s = acting(vec![toot("109")]);
    let effects = key(&mut s, 'T');
    assert!(
        effects.contains(&Effect::Thread {
            source: "home".into(),
            id: "109".into(),
            find_by: None,
        }),
        "{effects:?}"
    );
    assert!(thread_of(&s).loading);
    assert_eq!(
        thread_of(&s).posts.len(),
        1,
        "the post alone until the answer"
    );
    let parent = post("100", "@alice@x.social")
        .source("home")
        .text("the question")
        .build();
    let reply = post("110", "@carol@y.social").source("home").build();
    let deeper = post("111", "@dan@z.social").source("home").build();
    thread_answered(&mut s, vec![parent], vec![(reply, 1), (deeper, 2)]);
    let thread = thread_of(&s);
    let order: Vec<(&str, u16)> = thread
        .posts
        .iter()
        .map(|p| (p.post.id.as_str(), p.depth))
        .collect();
    assert_eq!(order, [("100", 0), ("109", 0), ("110", 1), ("111", 2)]);
    assert_eq!(thread.selected, 1, "still on the post T was pressed on");
    assert_eq!(thread.anchor_index(), 1);
    key(&mut s, 'j');
    assert_eq!(thread_of(&s).selected, 2);
    let sent = acts(&key(&mut s, 'f'));
    assert_eq!(
        sent[0].post.id, "110",
        "f acts on the reply selected in the thread"
    );
    assert!(
        thread_of(&s).posts[2].post.engagement.favourited,
        "shown at once"
    );
    let column_post = s
        .timeline
        .get(s.timeline.find("home", "109").unwrap())
        .unwrap();
    assert!(
        !column_post.post.engagement.favourited,
        "the one in the column is another post"
    );
    // A failure puts the thread's copy back.
    update(
        &mut s,
        Action::Acted {
            ticket: sent[0].ticket,
            result: ActResult::Failed("favourite: no".into()),
        },
    );
    assert!(!thread_of(&s).posts[2].post.engagement.favourited);
    // r answers the selected reply.
    key(&mut s, 'r');
    let compose = compose_of(&s);
    assert_eq!(compose.draft.reply.as_ref().unwrap().id, "110");
    named(&mut s, NamedKey::Esc);
    key(&mut s, 'y');
    key(&mut s, 'T');
    key(&mut s, 'v');
    assert!(
        s.message
            .as_deref()
            .unwrap()
            .contains("works on the columns")
    );
    named(&mut s, NamedKey::Esc);
    assert_eq!(s.overlay, Overlay::None);
}

#[test]
fn a_thread_that_cannot_be_read_says_why_and_a_late_answer_is_dropped() {
    let mut s = acting(vec![toot("109"), toot("108")]);
    let first = selected_id(&s).unwrap();
    key(&mut s, 'T');
    update(
        &mut s,
        Action::Thread {
            source: "home".into(),
            id: first.clone(),
            result: ThreadResult::Failed("reading the thread: 404".into()),
        },
    );
    assert_eq!(
        thread_of(&s).error.as_deref(),
        Some("reading the thread: 404")
    );
    named(&mut s, NamedKey::Esc);
    key(&mut s, 'j');
    key(&mut s, 'T');
    assert_ne!(thread_of(&s).anchor, first);
    // The answer for the first thread, arriving late, is not this one's.
    update(
        &mut s,
        Action::Thread {
            source: "home".into(),
            id: first,
            result: ThreadResult::Found {
                ancestors: vec![toot("1")],
                replies: Vec::new(),
            },
        },
    );
    assert_eq!(thread_of(&s).posts.len(), 1);
    assert!(thread_of(&s).loading);
}

// ------------------------------------------------------- profile view (issue 15)

use circles::model::{Profile, ProfileResult};

/// The server's answer to `p` on bob: `profile` (as bob's) and `posts`.
fn bobs_profile_answered(s: &mut AppState, profile: Profile, posts: Vec<Post>) {
    update(
        s,
        Action::Profile {
            source: "home".into(),
            handle: "@bob@x.social".into(),
            result: ProfileResult::Found {
                profile: Box::new(Profile {
                    handle: "@bob@x.social".into(),
                    ..profile
                }),
                posts,
            },
        },
    );
}

#[test]
fn p_opens_the_authors_profile_and_c_m_a_act_on_the_account() {
    let mut s = acting(vec![toot("109")]);
    let effects = key(&mut s, 'p');
    let asked = effects.iter().any(|e| {
        matches!(e, Effect::Profile { source, account } if source == "home" && account.handle == "@bob@x.social")
    });
    assert!(asked, "{effects:?}");
    let Overlay::Profile(view) = &s.overlay else {
        panic!("{:?}", s.overlay);
    };
    assert!(view.loading);
    bobs_profile_answered(
        &mut s,
        Profile {
            bio: "writes parsers".into(),
            followers: Some(10),
            you_follow: Some(true),
            follows_you: Some(false),
            ..Profile::default()
        },
        vec![toot("100"), toot("101")],
    );
    let Overlay::Profile(view) = &s.overlay else {
        panic!();
    };
    assert!(!view.loading);
    assert_eq!(view.profile.as_ref().unwrap().bio, "writes parsers");
    assert_eq!(view.posts.len(), 2);
    // `a` amplifies the author from the profile.
    let effects = key(&mut s, 'a');
    assert!(
        matches!(&effects[..], [Effect::Edit { done, .. }] if done.contains("amplified @bob@x.social")),
        "{effects:?}"
    );
    key(&mut s, 'p');
    key(&mut s, 'm');
    assert!(matches!(s.overlay, Overlay::MuteMenu { .. }));
    named(&mut s, NamedKey::Esc);
    key(&mut s, 'p');
    key(&mut s, 'f');
    assert!(s.message.as_deref().unwrap().contains("works on posts"));
    named(&mut s, NamedKey::Esc);
    assert_eq!(s.overlay, Overlay::None);
}

/// In the profile, `j` goes from the account into its recent posts: the
/// keys that act on a post act on the one selected (marked in the view as
/// the server answers), `z` opens its content warning there, and the
/// account's keys still act on the account, even on a boost of someone
/// else's post; `k` from the first goes back to the account.
#[test]
fn the_profiles_recent_posts_are_selected_with_j_and_acted_on() {
    let mut s = acting(vec![toot("109")]);
    key(&mut s, 'p');
    let mut boost = toot("102");
    boost.author = std::sync::Arc::new(circles::model::Account::new(
        "@carol@y.social",
        "Carol",
        circles::model::Network::Mastodon,
    ));
    boost.boosted_by = Some(std::sync::Arc::new(circles::model::Account::new(
        "@bob@x.social",
        "Bob",
        circles::model::Network::Mastodon,
    )));
    let mut hidden = toot("101");
    hidden.content_warning = Some("spoilers".into());
    bobs_profile_answered(&mut s, Profile::default(), vec![toot("100"), hidden, boost]);
    let view = |s: &AppState| match &s.overlay {
        Overlay::Profile(view) => (**view).clone(),
        other => panic!("{other:?}"),
    };
    assert!(key(&mut s, 'f').is_empty());
    assert!(
        s.message
            .as_deref()
            .unwrap()
            .contains("j selects one of the recent posts first"),
        "{:?}",
        s.message
    );
    key(&mut s, 'j');
    assert_eq!(view(&s).selected, Some(0));
    let sent = acts(&key(&mut s, 'f'));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].post.id, "100");
    assert!(view(&s).posts[0].engagement.favourited, "marked at once");
    // The server refuses: the mark goes back, and the bar says why.
    update(
        &mut s,
        Action::Acted {
            ticket: sent[0].ticket,
            result: circles::model::ActResult::Failed("the server answered 500".into()),
        },
    );
    assert!(!view(&s).posts[0].engagement.favourited, "taken back");
    assert!(
        s.message.as_deref().unwrap().contains("500"),
        "{:?}",
        s.message
    );
    // z opens the content warning of the one selected, here.
    key(&mut s, 'j');
    key(&mut s, 'z');
    assert_eq!(view(&s).cw_open, ["101".to_string()].into_iter().collect());
    key(&mut s, 'z');
    assert!(view(&s).cw_open.is_empty());
    // On carol's post bob boosted, `a` is still about bob.
    key(&mut s, 'j');
    assert_eq!(view(&s).selected, Some(2));
    let effects = key(&mut s, 'a');
    assert!(
        matches!(&effects[..], [Effect::Edit { done, .. }] if done.contains("amplified @bob@x.social")),
        "{effects:?}"
    );
    assert_eq!(view(&s).selected, Some(2), "the selection stays");
    // Deleted (bob's own, say): it leaves the view, the selection stays in it.
    update(
        &mut s,
        Action::DeleteDone {
            source: "home".into(),
            id: "102".into(),
            result: Ok(()),
        },
    );
    assert_eq!(view(&s).posts.len(), 2);
    assert_eq!(view(&s).selected, Some(1));
    key(&mut s, 'G');
    for _ in 0..3 {
        key(&mut s, 'k');
    }
    assert_eq!(view(&s).selected, None, "back on the account");
}

/// In the thread, `z` opens the selected post's content warning and
/// sensitive image, `i` then opens the image, and `b`, `K`, `C` and `u` do
/// what they do in the columns.
#[test]
fn the_thread_opens_content_warnings_and_images_of_the_selected_post() {
    let mut s = acting(vec![toot("109")]);
    key(&mut s, 'T');
    let mut sensitive = toot("110");
    sensitive.content_warning = Some("eye strain".into());
    sensitive.sensitive = true;
    sensitive.media.push(circles::model::Media {
        kind: circles::model::MediaKind::Image,
        alt: Some("a bright screen".into()),
        url: Some("http://127.0.0.1:9/a.png".into()),
    });
    thread_answered(&mut s, Vec::new(), vec![(sensitive, 1)]);
    key(&mut s, 'j');
    assert!(key(&mut s, 'i').is_empty());
    assert!(s.message.as_deref().unwrap().contains("z shows it first"));
    key(&mut s, 'z');
    assert!(thread_of(&s).cw_open.contains("110"));
    assert_eq!(
        key(&mut s, 'i'),
        [Effect::OpenImage("http://127.0.0.1:9/a.png".into())]
    );
    assert!(matches!(key(&mut s, 'u')[..], [Effect::Undo]));
    assert!(matches!(s.overlay, Overlay::Thread(_)), "the thread stays");
}

// ------------------------------------------------------- follow and delete (issue 15)

#[test]
fn capital_f_asks_the_server_then_asks_you_then_follows() {
    let mut s = acting(vec![toot("109")]);
    let effects = key(&mut s, 'F');
    let Some(Effect::Follow {
        source,
        account,
        want,
    }) = effects.first().cloned()
    else {
        panic!("{effects:?}");
    };
    assert_eq!(
        (source.as_str(), account.handle.as_str(), want),
        ("home", "@bob@x.social", None)
    );
    update(
        &mut s,
        Action::Following {
            source: "home".into(),
            account: account.clone(),
            asked: None,
            result: Ok(false),
        },
    );
    let Overlay::Confirm { question, .. } = &s.overlay else {
        panic!("{:?}", s.overlay);
    };
    assert!(question.starts_with("follow @bob@x.social?"), "{question}");
    // Any key but y keeps things as they are.
    assert!(key(&mut s, 'n').is_empty());
    assert_eq!(s.overlay, Overlay::None);
    update(
        &mut s,
        Action::Following {
            source: "home".into(),
            account: account.clone(),
            asked: None,
            result: Ok(true),
        },
    );
    let effects = key(&mut s, 'y');
    assert!(
        matches!(
            &effects[..],
            [Effect::Follow {
                want: Some(false),
                ..
            }]
        ),
        "following already: y unfollows: {effects:?}"
    );
    update(
        &mut s,
        Action::Following {
            source: "home".into(),
            account,
            asked: Some(false),
            result: Ok(false),
        },
    );
    assert_eq!(
        s.message.as_deref(),
        Some("you no longer follow @bob@x.social")
    );
}

#[test]
fn capital_d_deletes_only_your_own_post_after_asking() {
    let config = format!("[me]\nhandles = [\"@jane@mastodon.social\"]\n{ACTING}");
    let mut s = testkit::state(&config)
        .sources(&["home", "sky", "feed"])
        .build();
    let mine = post("200", "@jane@mastodon.social")
        .source("home")
        .text("a post I regret")
        .build();
    update(
        &mut s,
        Action::Source(SourceEvent::Posts {
            source: "home".into(),
            posts: vec![mine, toot("109")],
        }),
    );
    // Bob's post is not mine.
    let bobs = s
        .list(0)
        .iter()
        .position(|id| s.timeline.get(*id).unwrap().post.id == "109");
    s.views[0].selected = bobs.unwrap();
    key(&mut s, 'D');
    assert_eq!(s.overlay, Overlay::None);
    assert!(
        s.message
            .as_deref()
            .unwrap()
            .contains("only your own posts")
    );
    let jane = s
        .list(0)
        .iter()
        .position(|id| s.timeline.get(*id).unwrap().post.id == "200");
    s.views[0].selected = jane.unwrap();
    key(&mut s, 'D');
    let Overlay::Confirm { question, .. } = &s.overlay else {
        panic!("{:?}", s.overlay);
    };
    assert!(question.contains("a post I regret"), "{question}");
    let effects = key(&mut s, 'y');
    assert_eq!(
        effects,
        [Effect::Delete {
            source: "home".into(),
            id: "200".into()
        }]
    );
    assert!(
        s.timeline.find("home", "200").is_some(),
        "gone only once the server says"
    );
    update(
        &mut s,
        Action::DeleteDone {
            source: "home".into(),
            id: "200".into(),
            result: Err("delete: 403: not yours".into()),
        },
    );
    assert!(s.timeline.find("home", "200").is_some());
    assert!(s.message.as_deref().unwrap().contains("still there"));
    update(
        &mut s,
        Action::DeleteDone {
            source: "home".into(),
            id: "200".into(),
            result: Ok(()),
        },
    );
    assert!(s.timeline.find("home", "200").is_none(), "deleted");
}

// ------------------------------------------- acting as another account

const MANY: &str = r#"
[[source]]
name = "home"
kind = "mastodon"
instance = "http://127.0.0.1:9"
token_env = "CIRCLES_TEST_TOKEN"

[[source]]
name = "work"
kind = "mastodon"
instance = "http://127.0.0.2:9"
token_env = "CIRCLES_TEST_TOKEN"

[[source]]
name = "alt"
kind = "mastodon"
instance = "http://127.0.0.1:9"
token_env = "CIRCLES_TEST_TOKEN"

[[source]]
name = "sky"
kind = "bluesky"
handle = "jane.example"
service = "http://127.0.0.1:9"
app_password_env = "CIRCLES_TEST_PASSWORD"

[[source]]
name = "file"
kind = "jsonl"
path = "-"

[[column]]
name = "All"
rest = true
"#;

const URI: &str = "https://x.social/users/bob/statuses/109";

fn many(post: Post) -> AppState {
    let mut s = testkit::state(MANY)
        .sources(&["home", "work", "alt", "sky", "file"])
        .build();
    update(
        &mut s,
        Action::Source(SourceEvent::Posts {
            source: post.source.clone(),
            posts: vec![post],
        }),
    );
    s
}

/// The palette's "… as …" items for the selected post.
fn as_items(s: &mut AppState) -> Vec<String> {
    update(s, Action::Key(KeyChord::ctrl('p')));
    let Overlay::Palette(p) = &s.overlay else {
        panic!("palette not open")
    };
    let items = p
        .items
        .iter()
        .filter(|i| i.kind == "as")
        .map(|i| i.label.clone())
        .collect();
    named(s, NamedKey::Esc);
    items
}

/// Chooses the palette item named `label`.
fn choose(s: &mut AppState, label: &str) -> Vec<Effect> {
    update(s, Action::Key(KeyChord::ctrl('p')));
    for c in label.chars() {
        update(s, Action::Key(KeyChord::char(c)));
    }
    named(s, NamedKey::Enter)
}

#[test]
fn the_palette_acts_as_another_account_which_finds_the_post_on_its_server() {
    let toot = post("109", "@bob@x.social").source("home").uri(URI).build();
    let mut s = many(toot);
    let items = as_items(&mut s);
    for want in [
        "favourite as work",
        "boost as alt",
        "reply as work",
        "quote as alt",
    ] {
        assert!(items.iter().any(|i| i == want), "{want}: {items:?}");
    }
    assert!(
        !items
            .iter()
            .any(|i| i.ends_with(" as home") || i.ends_with(" as sky")),
        "not the account that f uses, nor another network's: {items:?}"
    );

    // Another server: it finds the post by its URI; the card's marks are
    // home's and stay.
    let sent = acts(&choose(&mut s, "favourite as work"));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].source, "work");
    assert_eq!(sent[0].act, Act::Favourite { on: true });
    assert_eq!(sent[0].post.find_by.as_deref(), Some(URI));
    assert!(!marks(&s).favourited, "the card shows home's marks");
    assert_eq!(s.message.as_deref(), Some("favouriting as work…"));
    update(
        &mut s,
        Action::Acted {
            ticket: sent[0].ticket,
            result: ActResult::Done {
                marks: Some(Engagement {
                    favourited: true,
                    ..Engagement::default()
                }),
                record: None,
            },
        },
    );
    assert_eq!(s.message.as_deref(), Some("favourited as work"));
    assert!(!marks(&s).favourited);
    // The same server: the id is the same, nothing to find.
    let sent = acts(&choose(&mut s, "boost as alt"));
    assert_eq!(
        (sent[0].source.as_str(), sent[0].post.find_by.as_deref()),
        ("alt", None)
    );
    update(
        &mut s,
        Action::Acted {
            ticket: sent[0].ticket,
            result: ActResult::Failed("GET /api/v2/search: the server answered 401".into()),
        },
    );
    assert_eq!(
        s.message.as_deref(),
        Some("✗ GET /api/v2/search: the server answered 401")
    );
    assert!(!marks(&s).boosted);

    // A reply as work finds the post too; ctrl-t steps through the
    // accounts that can reach it.
    choose(&mut s, "reply as work");
    let compose = compose_of(&s);
    assert_eq!(compose.draft.source, "work");
    let reply = compose.draft.reply.as_ref().unwrap();
    assert_eq!(
        (reply.id.as_str(), reply.find_by.as_deref()),
        ("109", Some(URI))
    );
    ctrl(&mut s, 't');
    let compose = compose_of(&s);
    assert_eq!(compose.draft.source, "alt");
    assert_eq!(compose.draft.reply.as_ref().unwrap().find_by, None);
    ctrl(&mut s, 't');
    assert_eq!(compose_of(&s).draft.source, "home");
}

#[test]
fn a_post_read_from_a_file_is_acted_on_by_the_first_account_of_its_network() {
    let from_file = post("109", "@bob@x.social")
        .network(circles::model::Network::Mastodon)
        .source("file")
        .uri(URI)
        .build();
    let mut s = many(from_file);
    let sent = acts(&key(&mut s, 'f'));
    assert_eq!(sent.len(), 1, "{:?}", s.message);
    assert_eq!(sent[0].source, "home");
    assert_eq!(sent[0].post.find_by.as_deref(), Some(URI));
    assert!(
        marks(&s).favourited,
        "the card is the only view of it: it shows"
    );
    // Without a URI no other account can find it.
    let bare = post("110", "@bob@x.social")
        .network(circles::model::Network::Mastodon)
        .source("file")
        .build();
    let mut s = many(bare);
    assert!(acts(&key(&mut s, 'f')).is_empty());
    assert!(
        s.message
            .as_deref()
            .unwrap()
            .contains("file is a jsonl source"),
        "{:?}",
        s.message
    );
    // A Bluesky post has no Mastodon account to go through, and sky is
    // the only Bluesky one.
    let skeet = post("at://did:plc:b/app.bsky.feed.post/1", "bob.bsky.social")
        .network(circles::model::Network::Bluesky)
        .source("sky")
        .build();
    let mut s = many(skeet);
    assert!(as_items(&mut s).is_empty());
}

// ------------------------------------------------------- notifications

const NOTIFIED: &str = r#"
[[source]]
name = "home"
kind = "mastodon"
instance = "http://127.0.0.1:9"
token_env = "CIRCLES_TEST_TOKEN"

[[source]]
name = "bell"
kind = "mastodon"
instance = "http://127.0.0.1:9"
timeline = "notifications"
token_env = "CIRCLES_TEST_TOKEN"

[[column]]
name = "Home"
sources = ["home"]

[[column]]
name = "Notifications"
notifications = true

[mute]
accounts = ["@loud@x.social"]
"#;

#[test]
fn a_mention_seen_in_home_first_joins_the_notifications_when_it_comes_as_one() {
    use circles::model::NoticeKind;
    let mut s = testkit::state(NOTIFIED).sources(&["home", "bell"]).build();
    let seen = post("7", "@bob@x.social")
        .source("home")
        .uri("https://x.social/users/bob/statuses/7")
        .text("@jane hi");
    update(
        &mut s,
        Action::Source(SourceEvent::Posts {
            source: "home".into(),
            posts: vec![seen.clone().build()],
        }),
    );
    assert_eq!(s.list(0).len(), 1);
    assert!(s.list(1).is_empty());
    update(
        &mut s,
        Action::Source(SourceEvent::Posts {
            source: "bell".into(),
            posts: vec![
                seen.source("bell")
                    .notice(NoticeKind::Mention, None)
                    .build(),
            ],
        }),
    );
    assert_eq!(s.timeline.len(), 1, "one post, not two");
    assert_eq!(s.list(1).len(), 1, "now in the notifications too");
    let entry = s.timeline.get(s.list(1)[0]).unwrap();
    assert_eq!(entry.post.notice_kind(), Some(NoticeKind::Mention));
    assert_eq!(entry.post.source, "home", "still acted on through home");

    // A muted account's follow is muted and counted, never lost; f on a
    // follow says what works instead.
    let before = s.muted_today;
    let follow = post("notification:8", "@loud@x.social")
        .source("bell")
        .text("")
        .notice(NoticeKind::Follow, None)
        .build();
    update(
        &mut s,
        Action::Source(SourceEvent::Posts {
            source: "bell".into(),
            posts: vec![follow],
        }),
    );
    assert_eq!(s.muted_today, before + 1);
    assert_eq!(s.timeline.muted().len(), 1);
    let dan = post("notification:9", "@dan@x.social")
        .source("bell")
        .text("")
        .notice(NoticeKind::Follow, None)
        .build();
    update(
        &mut s,
        Action::Source(SourceEvent::Posts {
            source: "bell".into(),
            posts: vec![dan],
        }),
    );
    s.focus = 1;
    s.views[1].selected = 0;
    assert!(
        s.selected()
            .is_some_and(|id| s.timeline.get(id).unwrap().post.is_pure_notice())
    );
    let effects = key(&mut s, 'f');
    assert!(acts(&effects).is_empty(), "{effects:?}");
    assert_eq!(
        s.message.as_deref(),
        Some("a follow notification is not a post: p shows who did it, F follows them")
    );
    let effects = key(&mut s, 'p');
    assert!(
        effects.iter().any(
            |e| matches!(e, Effect::Profile { account, .. } if account.handle == "@dan@x.social")
        ),
        "p shows the follower: {effects:?}"
    );
}

// ------------------------------------------------------------- alerts

const ALERTING: &str = r#"
[[source]]
name = "feed"
kind = "demo"

[[column]]
name = "Core"
accounts = ["@alice@x.social", "@ann@x.social"]
notify = "desktop"

[[column]]
name = "Mentions"
keywords = ["jane"]
notify = "both"

[[column]]
name = "Rest"
rest = true

[notify]
amplified = "bell"
protocol = "osc9"
quiet = "22:00-07:00"

[amplify]
accounts = ["@zed@x.social"]
"#;

fn alerts(effects: &[Effect]) -> Vec<circles::app::alert::Alert> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Alert(alert) => Some(alert.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_burst_alerts_once_then_says_how_many_came_after() {
    use circles::app::alert::BURST;
    let mut s = testkit::state(ALERTING).sources(&["feed"]).build();
    // At noon: not quiet.
    let noon = t0();
    update(&mut s, Action::Clock(noon));
    go_live(&mut s);
    let first = alerts(&deliver(
        &mut s,
        vec![post("1", "@alice@x.social").text("one").build()],
    ));
    assert_eq!(first.len(), 1);
    let desktop = first[0].desktop.as_ref().expect("notify = \"desktop\"");
    assert_eq!(desktop.protocol, circles::config::Protocol::Osc9);
    assert!(!first[0].bell);
    // Within the burst: held, whatever the column.
    for (i, (who, text)) in [
        ("@ann@x.social", "two"),
        ("@alice@x.social", "three"),
        ("@x@x.social", "hi jane"),
    ]
    .iter()
    .enumerate()
    {
        let effects = deliver(
            &mut s,
            vec![post(&format!("{}", i + 2), who).text(text).build()],
        );
        assert!(alerts(&effects).is_empty(), "{effects:?}");
    }
    assert_eq!(
        s.held_alerts.due(),
        Some(noon + BURST),
        "the runtime wakes for it"
    );
    update(&mut s, Action::Clock(noon + BURST / 2));
    let effects = update(&mut s, Action::Clock(noon + BURST));
    let said = alerts(&effects);
    assert_eq!(said.len(), 1, "{effects:?}");
    assert_eq!(said[0].body, "2 new in Core, 1 in Mentions");
    assert!(
        said[0].bell && said[0].desktop.is_some(),
        "both, as Mentions asks"
    );
    // Nothing more waits: no wake-up, no alert.
    assert_eq!(s.held_alerts.due(), None);
    assert!(alerts(&update(&mut s, Action::Clock(noon + BURST * 3))).is_empty());

    // Amplified accounts alert wherever they land ([notify] amplified).
    let zed = alerts(&deliver(
        &mut s,
        vec![post("9", "@zed@x.social").text("z").build()],
    ));
    assert_eq!(zed.len(), 1);
    assert_eq!(zed[0].title, "circles · amplified");
    assert!(zed[0].bell && zed[0].desktop.is_none());

    // Quiet hours, local time: nothing, and nothing held for later.
    update(&mut s, Action::Clock(noon + chrono::TimeDelta::hours(11)));
    let night = deliver(
        &mut s,
        vec![post("10", "@alice@x.social").text("late").build()],
    );
    assert!(alerts(&night).is_empty(), "{night:?}");
    assert_eq!(s.held_alerts.due(), None);
}

// ------------------------------------------------ a boost taken back

/// The feed source says post or boost `id` was deleted.
fn deleted(s: &mut AppState, id: &str) -> Vec<Effect> {
    update(
        s,
        Action::Source(SourceEvent::Deleted {
            source: "feed".into(),
            id: id.into(),
        }),
    )
}

/// A Mastodon `delete` that names a boost's own id takes that boost back:
/// its booster comes off the card, the card routed again (out of the
/// booster's column), and gone once no one boosts it and it came only as
/// boosts.
#[test]
fn a_boost_taken_back_comes_off_its_card_and_the_last_takes_the_card() {
    use circles::testkit::post;
    let mut s = state();
    let boost = |booster: &str, id: &str| {
        post("c1", "@carol@x.social")
            .text("carol's words")
            .boosted_by(booster)
            .boost_id(id)
            .build()
    };
    deliver(
        &mut s,
        vec![boost("@alice@x.social", "b1"), boost("@dan@x.social", "b2")],
    );
    let core = s.rules.column_index("Core").unwrap();
    let card = s.timeline.find("feed", "c1").unwrap();
    assert_eq!(s.timeline.column(core), [card], "alice's boost is in Core");
    // An id no post or boost has: nothing.
    deleted(&mut s, "zz");
    assert!(s.timeline.get(card).is_some());
    // alice's boost back: dan's stays, and the card leaves Core.
    deleted(&mut s, "b1");
    let post = &s.timeline.get(card).unwrap().post;
    let boosters: Vec<&str> = post.boosters().map(|b| b.handle.as_str()).collect();
    assert_eq!(boosters, ["@dan@x.social"]);
    assert!(s.timeline.column(core).is_empty());
    // Twice is once.
    deleted(&mut s, "b1");
    assert!(s.timeline.get(card).is_some());
    // dan's too: the card was only boosts, so it goes.
    deleted(&mut s, "b2");
    assert!(s.timeline.get(card).is_none());
    assert!(s.timeline.find("feed", "c1").is_none());
}

/// A post that came as its author's own as well stays when the boosts
/// are taken back.
#[test]
fn the_authors_own_copy_stays_when_its_boosts_are_taken_back() {
    use circles::testkit::post;
    let mut s = state();
    deliver(
        &mut s,
        vec![
            post("c1", "@carol@x.social")
                .boosted_by("@dan@x.social")
                .boost_id("b2")
                .build(),
            post("c1", "@carol@x.social").build(),
        ],
    );
    let card = s.timeline.find("feed", "c1").unwrap();
    update(
        &mut s,
        Action::Source(SourceEvent::Deleted {
            source: "feed".into(),
            id: "b2".into(),
        }),
    );
    let post = &s.timeline.get(card).unwrap().post;
    assert_eq!(post.boosters().count(), 0, "{post:?}");
    assert!(post.boosted_by.is_none());
}

/// After a restart every boost merged into a card is still known by its
/// own id (kept with the card in the cache): a `delete` of the second
/// booster's boost takes that booster off, and of the first one hands
/// the card to the next booster with their boost.
#[test]
fn boosts_merged_into_a_card_are_taken_back_after_a_restart_too() {
    use circles::testkit::post;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("circles.db");
    let (mut db, _) = Db::open(&path).unwrap();
    let mut before = state();
    before.persisting = true;
    let boost = |booster: &str, id: &str| {
        post("c1", "@carol@x.social")
            .boosted_by(booster)
            .boost_id(id)
            .build()
    };
    let effects = deliver(
        &mut before,
        vec![
            boost("@alice@x.social", "b1"),
            boost("@dan@x.social", "b2"),
            boost("@erin@x.social", "b3"),
        ],
    );
    persist(&mut db, effects);
    drop(db);

    let (db, _) = Db::open(&path).unwrap();
    let mut s = state();
    update(&mut s, Action::Restore(db.load().unwrap()));
    let card = s.timeline.find("feed", "c1").unwrap();
    let boosters = |s: &AppState| -> Vec<String> {
        let post = &s.timeline.get(card).unwrap().post;
        post.boosters().map(|b| b.handle.clone()).collect()
    };
    assert_eq!(
        boosters(&s),
        ["@alice@x.social", "@dan@x.social", "@erin@x.social"]
    );
    deleted(&mut s, "b2");
    assert_eq!(boosters(&s), ["@alice@x.social", "@erin@x.social"]);
    deleted(&mut s, "b1");
    assert_eq!(boosters(&s), ["@erin@x.social"]);
    let post = &s.timeline.get(card).unwrap().post;
    assert_eq!(
        post.boost_id.as_deref(),
        Some("b3"),
        "erin's boost is the card's now"
    );
    deleted(&mut s, "b3");
    assert!(s.timeline.get(card).is_none(), "only boosts: gone");
}
