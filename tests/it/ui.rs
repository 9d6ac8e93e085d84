//! Screen tests: the real state drawn into ratatui's `TestBackend` and
//! compared with insta snapshots, at several sizes, on the demo feed with a
//! pinned clock (so relative times are stable). Also: hostile post text
//! never reaches the terminal as control sequences.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use circles::app::{Action, AppState, ConfigStatus, Overlay, update};
use circles::config::{DEFAULT_CONFIG, KeyChord, NamedKey};
use circles::decode::decode;
use circles::filter::load;
use circles::model::Post;
use circles::model::{SourceEvent, SourceState};
use circles::source::demo_posts;
use ratatui::backend::{CrosstermBackend, TestBackend};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
}

fn state(config: &str, width: u16, height: u16, posts: Vec<Post>) -> AppState {
    let compiled = load(config, t0()).unwrap();
    let mut state = AppState::new(
        compiled.rules,
        compiled.config.keymap,
        &["demo".to_string()],
        ConfigStatus {
            location: "built-in default".into(),
            ..ConfigStatus::default()
        },
        t0(),
    )
    .with_ui(compiled.config.raw.ui.clone(), false)
    .with_theme(compiled.config.theme, false);
    update(&mut state, Action::Resize { width, height });
    update(
        &mut state,
        Action::Source(SourceEvent::Posts {
            source: "demo".into(),
            posts,
        }),
    );
    update(
        &mut state,
        Action::Source(SourceEvent::State {
            source: "demo".into(),
            state: SourceState::Live,
        }),
    );
    state
}

fn demo(width: u16, height: u16) -> AppState {
    state(DEFAULT_CONFIG, width, height, demo_posts("demo", t0()))
}

fn screen(state: &AppState) -> String {
    drawn(state).to_string()
}

/// The state drawn at its size, with no images.
fn drawn(state: &AppState) -> TestBackend {
    let (width, height) = state.size;
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| circles::ui::render(state, f)).unwrap();
    terminal.backend().clone()
}

fn rendered(state: &AppState) -> ratatui::buffer::Buffer {
    drawn(state).buffer().clone()
}

fn keys(state: &mut AppState, keys: &[KeyChord]) {
    for k in keys {
        update(state, Action::Key(*k));
    }
}

#[test]
fn demo_at_200x50() {
    insta::assert_snapshot!(screen(&demo(200, 50)));
}

#[test]
fn demo_at_120x40() {
    insta::assert_snapshot!(screen(&demo(120, 40)));
}

#[test]
fn demo_at_80x24() {
    insta::assert_snapshot!(screen(&demo(80, 24)));
}

#[test]
fn demo_at_50x20_has_tabs() {
    insta::assert_snapshot!(screen(&demo(50, 20)));
}

#[test]
fn detail_view_at_120x40() {
    let mut s = demo(120, 40);
    // Core's third post: a boost with an image.
    keys(
        &mut s,
        &[
            KeyChord::char('j'),
            KeyChord::char('j'),
            KeyChord::named(NamedKey::Enter),
        ],
    );
    insta::assert_snapshot!(screen(&s));
}

#[test]
fn help_at_120x40() {
    let mut s = demo(120, 40);
    keys(&mut s, &[KeyChord::char('?')]);
    insta::assert_snapshot!(screen(&s));
}

#[test]
fn palette_at_120x40() {
    let mut s = demo(120, 40);
    keys(
        &mut s,
        &[
            KeyChord::ctrl('p'),
            KeyChord::char('a'),
            KeyChord::char('l'),
            KeyChord::char('i'),
        ],
    );
    insta::assert_snapshot!(screen(&s));
}

#[test]
fn search_at_80x24() {
    let mut s = demo(80, 24);
    let mut typed = vec![
        KeyChord::char('l'),
        KeyChord::char('l'),
        KeyChord::char('l'),
    ];
    typed.push(KeyChord::char('/'));
    typed.extend("ferris".chars().map(KeyChord::char));
    keys(&mut s, &typed);
    insta::assert_snapshot!(screen(&s));
}

#[test]
fn empty_columns_say_so() {
    let s = state(DEFAULT_CONFIG, 120, 12, Vec::new());
    let text = screen(&s);
    assert!(text.contains("no posts yet"), "{text}");
}

/// Remote text written to attack the terminal, in every format's way of
/// smuggling it: raw escapes in JSON strings, HTML entities in Mastodon
/// content, escapes in names, warnings, alt text and links.
fn hostile_posts() -> Vec<Post> {
    let at = "2026-11-22T11:59:00Z";
    let lines = [
        format!(
            r#"{{"id": "n1", "author": {{"handle": "@evil@x.social", "name": "Eve\u001b[2J\u001b[H"}}, "text": "clip\u001b]52;c;ZXZpbA==\u0007 link \u001b]8;;https://evil.example\u001b\\here\u001b]8;;\u001b\\ c1 \u009b31m red \u0085 bidi \u202eevil\u202c end", "created_at": "{at}", "cw": "warn\u001b[5m", "media": [{{"kind": "image", "alt": "alt\u001bP1$r\u001b\\"}}], "links": ["https://x.example/\u001b[31m"]}}"#
        ),
        format!(
            r#"{{"id": "m1", "created_at": "{at}", "uri": "https://x.social/users/eve/statuses/1", "url": "https://x.social/@eve/1", "content": "<p>html &#27;[31mred&#27;[0m and &#x1b;]52;c;AAAA&#7; and &#155;2J and &#x202E;rtl</p>", "spoiler_text": "", "visibility": "public", "account": {{"id": "1", "username": "eve", "acct": "eve", "display_name": "Eve &#27;[1m", "url": "https://x.social/@eve"}}, "mentions": [], "tags": [], "media_attachments": [], "reblog": null, "in_reply_to_id": null, "language": "en"}}"#
        ),
    ];
    lines.iter().map(|l| decode(l, "demo").unwrap()).collect()
}

const ALL_IN_ONE: &str = "[[column]]\nname = \"All\"\n";

fn forbidden(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for c in text.chars() {
        let code = c as u32;
        let bad = (c.is_control() && c != '\n')
            || (0x80..=0x9f).contains(&code)
            || matches!(code, 0x202a..=0x202e | 0x2066..=0x2069 | 0x200e | 0x200f);
        if bad {
            found.push(format!("U+{code:04X}"));
        }
    }
    found
}

#[test]
fn hostile_text_never_reaches_the_screen_buffer() {
    let mut s = state(ALL_IN_ONE, 100, 30, hostile_posts());
    let text = screen(&s);
    assert!(
        forbidden(&text).is_empty(),
        "{:?}\n{text}",
        forbidden(&text)
    );
    assert!(text.contains("Eve") && text.contains("html"), "{text}");
    // The detail view of the native post (the second) shows every field.
    keys(
        &mut s,
        &[
            KeyChord::char('j'),
            KeyChord::char('z'),
            KeyChord::named(NamedKey::Enter),
        ],
    );
    let text = screen(&s);
    assert!(text.contains("alt"), "{text}");
    assert!(
        forbidden(&text).is_empty(),
        "{:?}\n{text}",
        forbidden(&text)
    );
}

/// A writer whose bytes the test can read after the terminal is done.
#[derive(Clone, Default)]
struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn hostile_text_never_reaches_the_terminal_as_bytes() {
    let mut s = state(ALL_IN_ONE, 100, 30, hostile_posts());
    let mut frames = Vec::new();
    let open_native = vec![
        KeyChord::char('j'),
        KeyChord::char('z'),
        KeyChord::named(NamedKey::Enter),
    ];
    for extra in [vec![], open_native] {
        keys(&mut s, &extra);
        let bytes = Shared::default();
        let mut terminal = Terminal::with_options(
            CrosstermBackend::new(bytes.clone()),
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, 100, 30)),
            },
        )
        .unwrap();
        terminal.draw(|f| circles::ui::render(&s, f)).unwrap();
        drop(terminal);
        frames.push(bytes.0.lock().unwrap().clone());
    }
    for bytes in frames {
        let out = String::from_utf8(bytes).expect("UTF-8 out");
        // The backend itself writes CSI for cursor moves and colours (SGR);
        // nothing else may appear: no OSC (clipboard, hyperlinks), no DCS,
        // no screen clears from posts, no BEL, no C1, no bidi overrides.
        for needle in [
            "\x1b]", "\x1bP", "\x07", "[2J", "[5m", "\u{9b}", "\u{85}", "\u{202e}",
        ] {
            assert!(!out.contains(needle), "found {needle:?} in the output");
        }
        let mut rest = out.as_str();
        while let Some(at) = rest.find('\x1b') {
            let seq = &rest[at + 1..];
            assert!(
                seq.starts_with('['),
                "a non-CSI escape: {:?}",
                &seq[..seq.len().min(8)]
            );
            let end = seq[1..]
                .find(|c: char| c.is_ascii_alphabetic())
                .expect("a terminated CSI");
            let final_byte = &seq[1 + end..2 + end];
            assert!(
                ["m", "H"].contains(&final_byte) || seq.starts_with("[?25"),
                "unexpected CSI {:?}",
                &seq[..2 + end]
            );
            rest = &seq[2 + end..];
        }
    }
}

/// A notice shows beside the sources' states, not instead of them, goes
/// by itself after a few seconds, and a wait counts down with the clock.
#[test]
fn notices_expire_and_the_sources_stay_in_view() {
    let mut s = demo(160, 30);
    let status = |s: &AppState| screen(s).lines().last().unwrap_or_default().to_string();
    update(&mut s, Action::Notice("config reloaded".into()));
    let bar = status(&s);
    assert!(
        bar.contains("config reloaded") && bar.contains("demo live"),
        "{bar}"
    );
    update(&mut s, Action::Clock(t0() + TimeDelta::seconds(3)));
    assert!(
        status(&s).contains("config reloaded"),
        "still there after 3 s"
    );
    update(&mut s, Action::Clock(t0() + TimeDelta::seconds(7)));
    assert!(!status(&s).contains("config reloaded"), "gone after 6 s");
    // a retry counts down
    update(
        &mut s,
        Action::Source(SourceEvent::State {
            source: "demo".into(),
            state: SourceState::Retrying {
                seconds: 30,
                why: "timed out".into(),
            },
        }),
    );
    assert!(
        status(&s).contains("retrying in 30s: timed out"),
        "{}",
        status(&s)
    );
    assert!(s.next_status_change().is_some(), "the loop wakes to count");
    update(&mut s, Action::Clock(t0() + TimeDelta::seconds(19)));
    assert!(status(&s).contains("retrying in 18s"), "{}", status(&s));
    update(&mut s, Action::Clock(t0() + TimeDelta::seconds(60)));
    assert!(status(&s).contains("retrying now"), "{}", status(&s));
    assert_eq!(s.next_status_change(), None, "nothing more to count");
}

/// A source that read everything (a jsonl file, not followed) stays in the
/// status bar, marked done, with its count.
#[test]
fn a_finished_source_stays_in_the_bar_marked_done() {
    let mut s = demo(160, 30);
    let status = |s: &AppState| screen(s).lines().last().unwrap_or_default().to_string();
    update(
        &mut s,
        Action::Source(SourceEvent::State {
            source: "demo".into(),
            state: SourceState::Done,
        }),
    );
    let bar = status(&s);
    let count = s.sources[0].posts;
    assert!(count > 0);
    assert!(bar.contains(&format!("● demo done · {count}")), "{bar}");
    update(&mut s, Action::Notice("config reloaded".into()));
    update(&mut s, Action::Clock(t0() + TimeDelta::seconds(60)));
    assert!(status(&s).contains("demo done"), "{}", status(&s));
}

/// A feed's name, as its server gives it, follows the source's in the bar
/// and in the sources overlay, cleaned of escapes.
#[test]
fn a_feeds_name_shows_beside_its_source() {
    let mut s = demo(160, 30);
    update(
        &mut s,
        Action::Source(SourceEvent::Titled {
            source: "demo".into(),
            title: "Cats \u{1b}[31mof the day".into(),
        }),
    );
    let bar = screen(&s).lines().last().unwrap_or_default().to_string();
    assert!(bar.contains("● demo “Cats of the day” live"), "{bar}");
    assert!(!bar.contains('\u{1b}'), "{bar:?}");
    keys(&mut s, &[KeyChord::char('I')]);
    assert!(
        screen(&s).contains("reads: Cats of the day"),
        "{}",
        screen(&s)
    );
}

/// An overlay longer than the screen says it scrolls, and which way.
#[test]
fn the_help_says_when_it_scrolls() {
    let mut s = demo(80, 24);
    keys(&mut s, &[KeyChord::char('?')]);
    let top = screen(&s);
    assert!(top.contains(" ↓ more ") && !top.contains("↑ more"), "{top}");
    keys(&mut s, &[KeyChord::char('j')]);
    assert!(screen(&s).contains("↑↓ more"), "{}", screen(&s));
    for _ in 0..100 {
        keys(&mut s, &[KeyChord::char('j')]);
    }
    let bottom = screen(&s);
    assert!(
        bottom.contains(" ↑ more ") && !bottom.contains("↓ more"),
        "{bottom}"
    );
    // Where it all fits, nothing is said.
    let mut s = demo(160, 60);
    keys(&mut s, &[KeyChord::char('?')]);
    let all = screen(&s);
    assert!(!all.contains("↓ more") && !all.contains("↑ more"), "{all}");
}

/// At 80 columns a long config path gives way first: the bar keeps the
/// help key and the muted count, and shortens the path (`~/…/config.toml`
/// or the file name) instead of dropping the right side.
#[test]
fn a_narrow_status_bar_shortens_the_config_path_first() {
    let mut s = demo(80, 24);
    s.config.location = "/srv/people/jane/dotfiles/circles/work/config.toml".into();
    let status = |s: &AppState| screen(s).lines().last().unwrap_or_default().to_string();
    let bar = status(&s);
    assert!(bar.contains("? help"), "{bar}");
    assert!(bar.contains("muted today: 24"), "{bar}");
    assert!(
        bar.contains("config: /srv/…/config.toml") || bar.contains("config: config.toml"),
        "{bar}"
    );
    let mut wide = demo(160, 24);
    wide.config.location = s.config.location.clone();
    let bar = status(&wide);
    assert!(
        bar.contains("config: /srv/people/jane/dotfiles/circles/work/config.toml ? help"),
        "{bar}"
    );
}

/// A config error too long for one row takes two; its place is never cut.
#[test]
fn a_long_config_error_wraps_onto_two_rows_and_keeps_its_place() {
    let mut s = demo(80, 24);
    s.config.error = Some(
        "/home/jane/.config/circles/config.toml:12:5: unknown field `acounts`, expected one of \
         `name`, `accounts`, `keywords`, `regex`, `hashtags`, `mentions_me`, `sources`"
            .into(),
    );
    let shown = screen(&s);
    let rows: Vec<&str> = shown.lines().collect();
    let (second_last, last) = (rows[rows.len() - 2], rows[rows.len() - 1]);
    assert!(
        second_last.contains("config error (last good config in use)"),
        "{shown}"
    );
    assert!(
        second_last.contains("config.toml:12:5") || last.contains("config.toml:12:5"),
        "{shown}"
    );
    assert!(
        last.contains("mentions_me") || last.contains("…"),
        "{shown}"
    );
    assert_eq!(s.status_rows(80), 2);
    assert_eq!(s.geometry().status.height, 2);
    // A short one stays on one row.
    s.config.error = Some("config.toml:1:1: bad".into());
    assert_eq!(s.status_rows(80), 1);
}

#[test]
fn a_long_refusal_takes_the_rows_above_the_bar_and_the_sources_stay() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut s = demo(w, h);
        s.message = Some(
            "✗ favourite: 403: This action is outside the authorized scopes; the token lacks \
             the `write` scope or was revoked: run `circles login mastodon \
             https://mastodon.social` again (the post is as it was)"
                .into(),
        );
        let shown = screen(&s);
        insta::assert_snapshot!(format!("refusal_at_{w}x{h}"), shown);
        let rows: Vec<&str> = shown.lines().collect();
        let last = rows[rows.len() - 1];
        assert!(last.contains("demo") && last.contains("help"), "{shown}");
        let above: String = rows
            [rows.len() - 1 - usize::from(s.message_rows(usize::from(w)))..rows.len() - 1]
            .join(" ");
        assert!(above.contains("✗ favourite: 403"), "{shown}");
        assert!(above.contains("mastodon.social"), "{shown}");
        // A short message shares the bar.
        s.message = Some("favourited".into());
        assert_eq!(s.status_rows(w), 1);
    }
}

/// `I` lists the sources: the whole reason behind a state the bar can only
/// start, the last line skipped, and what to do.
#[test]
fn the_sources_overlay_says_why_in_full_and_what_to_do() {
    for (w, h) in [(120, 40), (80, 24)] {
        let mut s = demo(w, h);
        update(
            &mut s,
            Action::Source(SourceEvent::Skipped {
                source: "demo".into(),
                problem: "demo.jsonl:7: invalid JSON: expected `:` at line 1 column 18".into(),
            }),
        );
        update(
            &mut s,
            Action::Source(SourceEvent::State {
                source: "demo".into(),
                state: SourceState::Retrying {
                    seconds: 30,
                    why: "GET https://demo.example/api/v1/timelines/home: connection refused \
                          (is the instance up? the address is in the [[source]] table)"
                        .into(),
                },
            }),
        );
        keys(&mut s, &[KeyChord::char('I')]);
        let shown = screen(&s);
        assert!(shown.contains("Sources — esc closes"), "{shown}");
        assert!(shown.contains("what to do"), "{shown}");
        insta::assert_snapshot!(format!("sources_at_{w}x{h}"), shown);
        keys(&mut s, &[KeyChord::named(NamedKey::Esc)]);
        assert!(!screen(&s).contains("Sources — esc closes"));
    }
}

/// The screen's styles as a grid, one letter per distinct style (its
/// foreground, background and modifiers), with the legend under it.
fn style_map(state: &AppState) -> String {
    let (width, height) = state.size;
    let buffer = rendered(state);
    let mut legend: Vec<String> = Vec::new();
    let mut grid = String::new();
    for y in 0..height {
        for x in 0..width {
            let cell = &buffer[(x, y)];
            let style = format!("{:?} on {:?} {:?}", cell.fg, cell.bg, cell.modifier);
            let i = legend.iter().position(|s| *s == style).unwrap_or_else(|| {
                legend.push(style);
                legend.len() - 1
            });
            let letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
            grid.push(letters.chars().nth(i).unwrap_or('?'));
        }
        grid.push('\n');
    }
    for (i, style) in legend.iter().enumerate() {
        grid.push_str(&format!("{i:>2}: {style}\n"));
    }
    grid
}

/// Every colour the screen uses, as ratatui's.
fn colours_used(state: &AppState) -> std::collections::BTreeSet<String> {
    rendered(state)
        .content()
        .iter()
        .flat_map(|c| [format!("{:?}", c.fg), format!("{:?}", c.bg)])
        .collect()
}

/// A theme with a colour of its own for every role the demo shows.
const THEME: &str = r##"
[theme]
preset = "light"
borders = "#010101"
focus = "#020202"
names = "#030303"
handles = "#040404"
quiet = "#050505"
hashtags = "#060606"
mentions = "#070707"
links = "#080808"
amplified = "#090909"
boosts = "#0a0a0a"
warnings = "#0b0b0b"
dim = "#0c0c0c"
muted = "#0d0d0d"
ok = "#0e0e0e"
bar = 236
"##;

#[test]
fn a_custom_theme_colours_each_role() {
    let config = format!("{DEFAULT_CONFIG}{THEME}");
    // The newest posts are by a muted account, so v shows them on top
    // (the first one selected, the second in the muted colour).
    let mut posts = demo_posts("demo", t0());
    for (id, seconds) in [("loud-1", 0), ("loud-2", 1)] {
        posts.push(
            circles::testkit::post(id, "@megaphone@mastodon.social")
                .source("demo")
                .text("BUY NOW")
                .at(t0() - TimeDelta::seconds(seconds))
                .build(),
        );
    }
    let mut s = state(&config, 200, 50, posts);
    update(
        &mut s,
        Action::Command(circles::config::Command::RevealMuted),
    );
    let used = colours_used(&s);
    for (role, n) in [
        ("borders", 1),
        ("focus", 2),
        ("names", 3),
        ("handles", 4),
        ("quiet", 5),
        ("hashtags", 6),
        ("mentions", 7),
        ("links", 8),
        ("amplified", 9),
        ("boosts", 10),
        ("warnings", 11),
        ("dim", 12),
        ("muted", 13),
        ("ok", 14),
    ] {
        assert!(
            used.contains(&format!("Rgb({n}, {n}, {n})")),
            "{role} is drawn in its colour: {used:?}"
        );
    }
    assert!(used.contains("Indexed(236)"), "the bar: {used:?}");
    for (width, height) in [(80, 24), (120, 40)] {
        let s = state(&config, width, height, demo_posts("demo", t0()));
        insta::assert_snapshot!(format!("theme_at_{width}x{height}"), style_map(&s));
    }
}

#[test]
fn the_error_colour_is_the_config_error_bars() {
    let config = format!("{DEFAULT_CONFIG}\n[theme]\nerrors = \"#0f0f0f\"\n");
    let mut s = state(&config, 100, 30, demo_posts("demo", t0()));
    s.config.error = Some("config.toml:3:1: unknown field `acounts`".into());
    assert!(colours_used(&s).contains("Rgb(15, 15, 15)"));
}

/// Without colours (NO_COLOR) nothing has one, and the focus and the
/// selection are still seen: a heavy border and a reversed title on the
/// focused column, the selection bar and its reversed first line.
#[test]
fn no_color_keeps_focus_and_selection_seen() {
    for (width, height) in [(80, 24), (120, 40)] {
        let mut s = demo(width, height);
        s.no_color = true;
        let used = colours_used(&s);
        assert_eq!(
            used,
            ["Reset".to_string()].into_iter().collect(),
            "no colour at {width}x{height}"
        );
        let text = screen(&s);
        assert!(text.contains('┏') && text.contains('▌'), "{text}");
        insta::assert_snapshot!(format!("no_color_at_{width}x{height}"), text);
        insta::assert_snapshot!(
            format!("no_color_styles_at_{width}x{height}"),
            style_map(&s)
        );
    }
}

/// Posts with links for the hyperlink tests: a long URL that wraps in a
/// 40-column column, and links of schemes that must never be clickable.
fn linked_posts() -> Vec<Post> {
    let long = "https://example.org/articles/2026/a-rather-long-path-that-wraps?ref=circles";
    vec![
        circles::testkit::post("l1", "@ann@example.social")
            .source("demo")
            .text(&format!("read this: {long} today"))
            .link(long)
            .at(t0())
            .build(),
        circles::testkit::post("l2", "@bea@example.social")
            .source("demo")
            .text("bad ones")
            .link("javascript:alert(1)")
            .link("file:///etc/passwd")
            .at(t0() - TimeDelta::minutes(1))
            .build(),
    ]
}

/// The bytes a frame sends the terminal.
fn frame_bytes(state: &AppState) -> String {
    let (width, height) = state.size;
    let bytes = Shared::default();
    let mut terminal = Terminal::with_options(
        CrosstermBackend::new(bytes.clone()),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
        },
    )
    .unwrap();
    terminal.draw(|f| circles::ui::render(state, f)).unwrap();
    drop(terminal);
    String::from_utf8(bytes.0.lock().unwrap().clone()).expect("UTF-8 out")
}

/// A screen's text with the OSC 8 sequences taken out of the cells.
fn without_links(text: &str) -> String {
    let osc = regex::Regex::new("\x1b]8;[^\x1b]*\x1b\\\\").unwrap();
    osc.replace_all(text, "").into_owned()
}

#[test]
fn links_are_osc8_hyperlinks_one_per_url_even_when_wrapped() {
    let config = "[ui]\nhyperlinks = true\n[[column]]\nname = \"All\"\n";
    let long = "https://example.org/articles/2026/a-rather-long-path-that-wraps?ref=circles";
    let mut s = state(config, 40, 20, linked_posts());
    assert!(s.hyperlinks());
    let bytes = frame_bytes(&s);
    let opener = format!(";{long}\x1b\\");
    assert!(bytes.contains("\x1b]8;id="), "{bytes:?}");
    assert!(bytes.contains(&opener), "{bytes:?}");
    assert!(bytes.contains("\x1b]8;;\x1b\\"), "every link is closed");

    // The URL wraps over rows, and every cell of it on each row links to
    // the same place with the same id; the screen reads as without links.
    let text = screen(&s);
    let rows_with_link: Vec<&str> = text.lines().filter(|l| l.contains(&opener)).collect();
    assert!(rows_with_link.len() >= 2, "wrapped over rows:\n{text}");
    let ids: std::collections::BTreeSet<&str> = text
        .match_indices("\x1b]8;id=")
        .map(|(at, _)| &text[at + 7..at + 7 + text[at + 7..].find(';').unwrap()])
        .collect();
    assert_eq!(ids.len(), 1, "one link: {ids:?}");
    s.ui.hyperlinks = Some(false);
    assert_eq!(without_links(&text), screen(&s), "the layout is the same");

    // The detail view of the other post: its javascript: and file: links
    // are shown, never made clickable.
    s.ui.hyperlinks = Some(true);
    keys(&mut s, &[KeyChord::named(NamedKey::Down)]);
    keys(&mut s, &[KeyChord::named(NamedKey::Enter)]);
    s.size = (100, 30);
    update(
        &mut s,
        Action::Resize {
            width: 100,
            height: 30,
        },
    );
    let bytes = frame_bytes(&s);
    assert!(screen(&s).contains("javascript:alert(1) (shown, not opened)"));
    for scheme in ["javascript:", "file:"] {
        assert!(
            !bytes.contains(&format!(";{scheme}")),
            "no link to {scheme}: {bytes:?}"
        );
    }
}

#[test]
fn hyperlinks_are_off_unless_the_terminal_or_the_config_says() {
    let mut s = state(ALL_IN_ONE, 40, 20, linked_posts());
    assert!(!s.hyperlinks());
    assert!(!frame_bytes(&s).contains("\x1b]8;"));
    s.terminal_links = true;
    assert!(frame_bytes(&s).contains("\x1b]8;"));
    s.ui.hyperlinks = Some(false);
    assert!(!frame_bytes(&s).contains("\x1b]8;"), "the config wins");
}

/// A post with one image at a loopback URL (never fetched here).
fn image_post(id: &str, sensitive: bool) -> Post {
    let mut post = circles::testkit::post(id, "@pix@x.social")
        .source("demo")
        .text(&format!("look at post {id}"))
        .at(t0())
        .build();
    post.media.push(circles::model::Media {
        kind: circles::model::MediaKind::Image,
        alt: Some(format!("a red square {id}")),
        url: Some(format!("http://127.0.0.1:9/{id}.png")),
    });
    post.sensitive = sensitive;
    post
}

/// The screen with no image ready, and the images it asked for.
fn wanted(state: &AppState) -> (String, Vec<circles::ui::ImageKey>) {
    let images = circles::ui::Images::default();
    let (width, height) = state.size;
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| circles::ui::render_with(state, &images, f))
        .unwrap();
    (terminal.backend().to_string(), images.take_wanted())
}

#[test]
fn images_take_their_rows_and_are_asked_for_only_where_shown() {
    let config = |mode: &str| format!("[ui]\nimages = \"{mode}\"\n[[column]]\nname = \"All\"\n");
    // The detail view: the description, then the image's place.
    let mut s = state(&config("detail"), 100, 40, vec![image_post("1", false)]);
    let (main, asked) = wanted(&s);
    assert!(asked.is_empty(), "no image on cards: {asked:?}");
    assert!(!main.contains("loading the image"));
    keys(&mut s, &[KeyChord::named(NamedKey::Enter)]);
    let (detail, asked) = wanted(&s);
    let description = detail
        .find("▣ image: a red square 1")
        .expect("the description");
    let loading = detail.find("◌ loading the image…").expect("its place");
    assert!(
        description < loading,
        "the description comes first:\n{detail}"
    );
    assert_eq!(asked.len(), 1, "{asked:?}");
    let (url, _, rows) = &asked[0];
    assert_eq!(url, "http://127.0.0.1:9/1.png");
    assert_eq!(usize::from(*rows), circles::app::card::DETAIL_IMAGE_ROWS);

    // Sensitive: hidden, not asked for, until z.
    let mut s = state(&config("detail"), 100, 40, vec![image_post("2", true)]);
    keys(&mut s, &[KeyChord::named(NamedKey::Enter)]);
    let (detail, asked) = wanted(&s);
    assert!(
        detail.contains("sensitive image hidden: z shows it"),
        "{detail}"
    );
    assert!(asked.is_empty());
    keys(&mut s, &[KeyChord::char('z')]);
    assert_eq!(wanted(&s).1.len(), 1, "z shows it");

    // Cards: a thumbnail under the card, of the rows it says.
    let s = state(&config("cards"), 100, 40, vec![image_post("3", false)]);
    let (main, asked) = wanted(&s);
    assert!(main.contains("loading the image"), "{main}");
    assert_eq!(
        asked.iter().map(|k| usize::from(k.2)).collect::<Vec<_>>(),
        [circles::app::card::CARD_IMAGE_ROWS]
    );

    // Off: none anywhere.
    let mut s = state(&config("off"), 100, 40, vec![image_post("4", false)]);
    keys(&mut s, &[KeyChord::named(NamedKey::Enter)]);
    let (detail, asked) = wanted(&s);
    assert!(
        asked.is_empty() && !detail.contains("loading the image"),
        "{detail}"
    );
    assert!(
        detail.contains("▣ image: a red square 4"),
        "the description stays"
    );
}

/// The demo's image files name real servers: the demo source drops their
/// URLs, so no detail view of it ever fetches one (the descriptions stay).
#[test]
fn the_demo_never_asks_for_an_image_from_a_real_host() {
    let posts = demo_posts("demo", t0());
    let media: Vec<_> = posts.iter().flat_map(|p| &p.media).collect();
    assert!(media.iter().any(|m| m.alt.is_some()), "the demo has images");
    assert!(
        media.iter().all(|m| m.url.is_none()),
        "and no URL to fetch them"
    );
}

const POSTING: &str = r#"
[me]
handles = ["@jane@mastodon.social"]

[[source]]
name = "home"
kind = "mastodon"
instance = "https://mastodon.social"
token_env = "CIRCLES_TEST_TOKEN"

[[source]]
name = "sky"
kind = "bluesky"
handle = "jane.bsky.social"
service = "http://127.0.0.1:9"
app_password_env = "CIRCLES_TEST_PASSWORD"

[[column]]
name = "Home"
rest = true
"#;

/// A reply to bob being written at `width`×`height`, CW and all.
fn replying(width: u16, height: u16) -> AppState {
    let mut bob = circles::testkit::post("109", "@bob@x.social")
        .name("Bob")
        .source("home")
        .text(
            "Anyone tried writing a TUI with ratatui-textarea? Looking for tips on compose boxes.",
        )
        .mentions(&["@carol@y.social"])
        .build();
    bob.created_at = t0() - chrono::TimeDelta::minutes(5);
    let mut s = circles::testkit::state(POSTING)
        .sources(&["home", "sky"])
        .size(width, height)
        .build();
    update(
        &mut s,
        Action::Source(SourceEvent::Posts {
            source: "home".into(),
            posts: vec![bob],
        }),
    );
    update(&mut s, Action::Key(KeyChord::char('r')));
    for c in "yes! it wraps words and keeps undo.".chars() {
        update(&mut s, Action::Key(KeyChord::char(c)));
    }
    update(&mut s, Action::Key(KeyChord::named(NamedKey::Tab)));
    for c in "tui talk".chars() {
        update(&mut s, Action::Key(KeyChord::char(c)));
    }
    update(&mut s, Action::Key(KeyChord::named(NamedKey::BackTab)));
    s
}

#[test]
fn the_compose_overlay_at_120x40_and_80x24() {
    for (w, h) in [(120, 40), (80, 24)] {
        let s = replying(w, h);
        let shown = screen(&s);
        insta::assert_snapshot!(format!("compose_at_{w}x{h}"), shown);
        assert!(
            shown.contains("Reply from home · mastodon.social"),
            "{shown}"
        );
        assert!(
            shown.contains("↪ replying to @bob@x.social: Anyone tried"),
            "{shown}"
        );
        assert!(shown.contains("CW tui talk"), "{shown}");
        assert!(
            shown.contains("@bob@x.social @carol@y.social yes! it wraps"),
            "the mentions, then the text: {shown}"
        );
        let count = "@bob@x.social @carol@y.social yes! it wraps words and keeps undo.";
        let used = circles::model::length(circles::model::Network::Mastodon, count) + 8;
        assert!(shown.contains(&format!("{used}/500")), "{shown}");
        assert!(shown.contains("public · language default"), "{shown}");
        assert!(shown.contains("ctrl-s send"), "{shown}");
    }
}

#[test]
fn a_failed_send_shows_under_the_editor_and_the_text_stays() {
    let mut s = replying(80, 24);
    update(&mut s, Action::Key(KeyChord::ctrl('s')));
    let ticket = match &s.overlay {
        Overlay::Compose(c) => c.sending.unwrap(),
        other => panic!("{other:?}"),
    };
    assert!(screen(&s).contains("sending…"));
    update(
        &mut s,
        Action::Posted {
            ticket,
            result: circles::model::PostResult::Failed(
                "reply: 401: The access token is invalid; the token lacks the `write` scope or \
                 was revoked: run `circles login mastodon https://mastodon.social` again"
                    .into(),
            ),
        },
    );
    let shown = screen(&s);
    insta::assert_snapshot!("compose_failed_at_80x24", shown);
    assert!(shown.contains("✗ reply: 401"), "{shown}");
    assert!(shown.contains("yes! it wraps"), "{shown}");
}

/// The thread of bob's question, alice's answer selected.
fn threaded(width: u16, height: u16) -> AppState {
    let at = |id: &str, who: &str, name: &str, text: &str, minutes: i64| {
        let mut p = circles::testkit::post(id, who)
            .name(name)
            .source("home")
            .text(text)
            .build();
        p.created_at = t0() - chrono::TimeDelta::minutes(minutes);
        p
    };
    let question = at(
        "1",
        "@bob@x.social",
        "Bob",
        "Which terminal do you all use, and why?",
        60,
    );
    let answer = at(
        "2",
        "@alice@y.social",
        "Alice",
        "@bob kitty, for the graphics protocol.",
        50,
    );
    let follow = at(
        "3",
        "@bob@x.social",
        "Bob",
        "@alice does it work over ssh?",
        40,
    );
    let again = at(
        "4",
        "@alice@y.social",
        "Alice",
        "@bob yes, with kitten ssh.",
        30,
    );
    let other = at(
        "5",
        "@carol@z.social",
        "Carol",
        "@bob foot, it is tiny and fast.",
        20,
    );
    let mut s = circles::testkit::state(POSTING)
        .sources(&["home"])
        .size(width, height)
        .build();
    update(
        &mut s,
        Action::Source(SourceEvent::Posts {
            source: "home".into(),
            posts: vec![answer.clone()],
        }),
    );
    update(&mut s, Action::Key(KeyChord::char('T')));
    update(
        &mut s,
        Action::Thread {
            source: "home".into(),
            id: "2".into(),
            result: circles::model::ThreadResult::Found {
                ancestors: vec![question],
                replies: vec![(follow, 1), (again, 2), (other, 1)],
            },
        },
    );
    update(&mut s, Action::Key(KeyChord::char('j')));
    s
}

#[test]
fn the_thread_view_at_120x40_and_80x24() {
    for (w, h) in [(120, 40), (80, 24)] {
        let s = threaded(w, h);
        let shown = screen(&s);
        insta::assert_snapshot!(format!("thread_at_{w}x{h}"), shown);
        assert!(shown.contains("Thread · 5 post(s)"), "{shown}");
        let rows: Vec<&str> = shown.lines().collect();
        let row_of = |text: &str| rows.iter().position(|r| r.contains(text)).unwrap();
        assert!(
            row_of("Which terminal") < row_of("kitty, for the"),
            "{shown}"
        );
        assert!(row_of("kitty, for the") < row_of("over ssh"), "{shown}");
        let indent = |text: &str| {
            let row = rows[row_of(text)];
            row[..row.find(text).unwrap()].chars().count()
        };
        assert!(
            indent("@alice does") > indent("@bob kitty"),
            "replies indent: {shown}"
        );
        assert!(
            indent("@bob yes") > indent("@alice does"),
            "deeper, further: {shown}"
        );
        assert!(
            shown.contains('▶'),
            "the post T was pressed on is marked: {shown}"
        );
    }
}

#[test]
fn the_detail_of_a_reply_quotes_the_post_it_answers() {
    let question = circles::testkit::post("1", "@bob@x.social")
        .source("home")
        .text("Which terminal do you all use, and why?")
        .build();
    let answer = circles::testkit::post("2", "@alice@y.social")
        .source("home")
        .text("kitty, for the graphics protocol.")
        .reply_to("1", Some("@bob@x.social"))
        .build();
    let mut s = circles::testkit::state(POSTING)
        .sources(&["home"])
        .size(100, 30)
        .build();
    update(
        &mut s,
        Action::Source(SourceEvent::Posts {
            source: "home".into(),
            posts: vec![question, answer],
        }),
    );
    let at = s
        .list(0)
        .iter()
        .position(|id| s.timeline.get(*id).unwrap().post.id == "2")
        .unwrap();
    s.views[0].selected = at;
    update(&mut s, Action::Key(KeyChord::named(NamedKey::Enter)));
    let shown = screen(&s);
    let rows: Vec<&str> = shown.lines().collect();
    let row_of = |text: &str| rows.iter().position(|r| r.contains(text));
    let quoted = row_of("“Which terminal do you all use, and why?”").expect(&shown);
    assert!(
        row_of("↪ reply to @bob@x.social").unwrap() < quoted,
        "{shown}"
    );
    assert!(
        quoted < row_of("kitty, for the graphics").unwrap(),
        "{shown}"
    );
}

/// Bob's profile open at `w`×`h`, with `posts` as his recent posts.
fn bobs_profile(w: u16, h: u16, posts: Vec<circles::model::Post>) -> AppState {
    let mut s = replying(w, h);
    update(&mut s, Action::Key(KeyChord::named(NamedKey::Esc)));
    update(&mut s, Action::Key(KeyChord::char('y')));
    update(&mut s, Action::Key(KeyChord::char('p')));
    update(
        &mut s,
        Action::Profile {
            source: "home".into(),
            handle: "@bob@x.social".into(),
            result: circles::model::ProfileResult::Found {
                profile: Box::new(circles::model::Profile {
                    handle: "@bob@x.social".into(),
                    display_name: "Bob".into(),
                    bio: "Writes parsers. Likes terminals.".into(),
                    fields: vec![("Pronouns".into(), "he/him".into())],
                    followers: Some(1204),
                    following: Some(310),
                    posts: Some(5120),
                    you_follow: Some(true),
                    follows_you: Some(true),
                    url: None,
                }),
                posts,
            },
        },
    );
    s
}

/// A recent post of Bob's, written `hours_ago`.
fn bobs_post(id: &str, text: &str, hours_ago: i64) -> circles::model::Post {
    let mut post = circles::testkit::post(id, "@bob@x.social")
        .name("Bob")
        .source("home")
        .text(text)
        .build();
    post.created_at = t0() - chrono::TimeDelta::hours(hours_ago);
    post
}

#[test]
fn the_profile_view_at_120x40_and_80x24() {
    for (w, h) in [(120, 40), (80, 24)] {
        let recent = bobs_post("108", "Shipped the parser rewrite today.", 2);
        let s = bobs_profile(w, h, vec![recent]);
        let shown = screen(&s);
        insta::assert_snapshot!(format!("profile_at_{w}x{h}"), shown);
        assert!(
            shown.contains("Writes parsers. Likes terminals."),
            "{shown}"
        );
        assert!(
            shown.contains("1204 followers · 310 following · 5120 posts"),
            "{shown}"
        );
        assert!(shown.contains("you follow each other"), "{shown}");
        assert!(shown.contains("Pronouns: he/him"), "{shown}");
        assert!(shown.contains("Shipped the parser rewrite"), "{shown}");
    }
}

/// `j` in the profile selects a recent post (the bar beside it, the view
/// scrolled to it) and `z` opens its content warning there.
#[test]
fn a_recent_post_selected_in_the_profile_at_120x40_and_80x24() {
    for (w, h) in [(120, 40), (80, 24)] {
        let mut hidden = bobs_post("107", "The twist is that the parser was fine.", 5);
        hidden.content_warning = Some("film spoilers".into());
        let posts = vec![
            bobs_post("108", "Shipped the parser rewrite today.", 2),
            hidden,
            bobs_post("106", "Reading about Pratt parsing again.", 9),
        ];
        let mut s = bobs_profile(w, h, posts);
        let closed = screen(&s);
        assert!(!closed.contains("the parser was fine"), "{closed}");
        for c in ['j', 'j', 'z'] {
            update(&mut s, Action::Key(KeyChord::char(c)));
        }
        let shown = screen(&s);
        insta::assert_snapshot!(format!("profile_selected_at_{w}x{h}"), shown);
        let rows: Vec<&str> = shown.lines().collect();
        let opened = rows
            .iter()
            .position(|r| r.contains("The twist is that the parser was fine."))
            .expect(&shown);
        assert!(rows[opened].contains('▌'), "the bar beside it: {shown}");
        assert!(
            !rows
                .iter()
                .any(|r| r.contains("Shipped the parser") && r.contains('▌')),
            "{shown}"
        );
    }
}

#[test]
fn sensitive_media_collapse_the_card_like_a_content_warning_until_z() {
    let mut sensitive = circles::testkit::post("1", "@bob@x.social")
        .text("the text behind it")
        .image("a photo")
        .build();
    sensitive.sensitive = true;
    let mut s = state(DEFAULT_CONFIG, 80, 24, vec![sensitive]);
    // The post lands in the rest column; focus it.
    let column = (0..s.views.len())
        .find(|c| !s.timeline.column(*c).is_empty())
        .unwrap();
    while s.focus < column {
        update(&mut s, Action::Key(KeyChord::char('l')));
    }
    let shown = screen(&s);
    assert!(shown.contains("⚠ sensitive media"), "{shown}");
    assert!(shown.contains("[z] show the text"), "{shown}");
    assert!(!shown.contains("the text behind it"), "{shown}");
    assert!(
        !shown.contains("a photo"),
        "the description waits too: {shown}"
    );
    update(&mut s, Action::Key(KeyChord::char('z')));
    let shown = screen(&s);
    assert!(shown.contains("the text behind it"), "{shown}");
}

/// A quote of bob's post, a quote of a deleted one, and one whose quoted
/// post hides behind a content warning, in one column.
fn quoting(width: u16, height: u16) -> AppState {
    let bob = circles::testkit::post("1", "@bob@x.social")
        .name("Bob")
        .source("home")
        .minutes_ago(90)
        .text("Attention is not owed; it is given. #attention");
    let quote = circles::testkit::post("2", "@alice@y.social")
        .name("Alice")
        .source("home")
        .minutes_ago(5)
        .text("This, every word.")
        .quote(bob)
        .build();
    let mut gone = circles::testkit::post("3", "@carol@z.social")
        .source("home")
        .minutes_ago(20)
        .text("Was a good thread.")
        .build();
    gone.quote = Some(Box::new(circles::model::Quote::Hidden("deleted".into())));
    let warned = circles::testkit::post("4", "@dan@z.social")
        .source("home")
        .minutes_ago(30)
        .text("Careful with this one")
        .quote(
            circles::testkit::post("5", "@erin@z.social")
                .source("home")
                .minutes_ago(60)
                .cw("spoilers")
                .text("the butler did it"),
        )
        .build();
    let mut s = circles::testkit::state(POSTING)
        .sources(&["home"])
        .size(width, height)
        .build();
    update(
        &mut s,
        Action::Source(SourceEvent::Posts {
            source: "home".into(),
            posts: vec![quote, gone, warned],
        }),
    );
    s
}

#[test]
fn a_quote_shows_the_quoted_post_inside_the_card_at_120x40_and_80x24() {
    for (width, height) in [(120, 40), (80, 24)] {
        let s = quoting(width, height);
        let shown = screen(&s);
        assert!(shown.contains("┃ ❝ Bob @bob@x.social"), "{shown}");
        assert!(shown.contains("┃ Attention is not owed"), "{shown}");
        assert!(shown.contains("┃ ❝ quoted post: deleted"), "{shown}");
        assert!(shown.contains("┃ ⚠ spoilers"), "{shown}");
        assert!(
            !shown.contains("the butler"),
            "the quoted warning holds: {shown}"
        );
        insta::assert_snapshot!(format!("quote_cards_{width}x{height}"), shown);
    }
    // z on the warned quote opens it; the detail view shows it whole.
    let mut s = quoting(120, 40);
    let at = s
        .list(0)
        .iter()
        .position(|id| s.timeline.get(*id).unwrap().post.id == "4")
        .unwrap();
    s.views[0].selected = at;
    update(&mut s, Action::Key(KeyChord::char('z')));
    assert!(screen(&s).contains("┃ the butler did it"));
    update(&mut s, Action::Key(KeyChord::char('z')));
    update(&mut s, Action::Key(KeyChord::named(NamedKey::Enter)));
    let detail = screen(&s);
    assert!(detail.contains("┃ the butler did it"), "{detail}");
}

/// Alice's notifications column: two favourites of one post (one card), a
/// boost, a follow, a reply and a quote.
fn notified(width: u16, height: u16) -> AppState {
    use circles::model::NoticeKind;
    use circles::testkit::post;
    let config = "[me]\nhandles = [\"@jane@mastodon.social\"]\n\n\
                  [[source]]\nname = \"home\"\nkind = \"mastodon\"\n\
                  instance = \"https://mastodon.social\"\ntimeline = \"notifications\"\n\
                  token_env = \"CIRCLES_TEST_TOKEN\"\n\n\
                  [[column]]\nname = \"Notifications\"\nnotifications = true\n";
    let mine = post("9", "@jane@mastodon.social")
        .source("home")
        .minutes_ago(300)
        .text("Attention is not owed; it is earned, in the eye of the giver.")
        .build();
    let fave = |id: &str, who: &str, name: &str, ago: i64| {
        post(&format!("notification:{id}"), who)
            .name(name)
            .source("home")
            .minutes_ago(ago)
            .text("")
            .notice(NoticeKind::Favourite, Some(mine.clone()))
            .build()
    };
    let boost = post("notification:3", "@carol@z.social")
        .name("Carol")
        .source("home")
        .minutes_ago(30)
        .text("")
        .notice(NoticeKind::Reblog, Some(mine.clone()))
        .build();
    let follow = post("notification:4", "@dan@z.social")
        .source("home")
        .minutes_ago(20)
        .text("")
        .notice(NoticeKind::Follow, None)
        .build();
    let reply = post("55", "@erin@z.social")
        .name("Erin")
        .source("home")
        .minutes_ago(10)
        .text("@jane agreed, and it goes both ways.")
        .reply_to("9", Some("@jane@mastodon.social"))
        .notice(NoticeKind::Reply, None)
        .build();
    let quote = post("56", "@fay@z.social")
        .source("home")
        .minutes_ago(5)
        .text("Worth reading twice.")
        .quote(mine.clone())
        .notice(NoticeKind::Quote, None)
        .build();
    let mut s = circles::testkit::state(config)
        .sources(&["home"])
        .size(width, height)
        .build();
    update(
        &mut s,
        Action::Source(SourceEvent::Posts {
            source: "home".into(),
            posts: vec![
                fave("1", "@bob@x.social", "Bob", 60),
                fave("2", "@ann@y.social", "Ann", 40),
                boost,
                follow,
                reply,
                quote,
            ],
        }),
    );
    s
}

#[test]
fn notification_cards_at_120x40_and_80x24() {
    for (width, height) in [(120, 40), (80, 24)] {
        let s = notified(width, height);
        let shown = screen(&s);
        for needle in [
            "★ Bob and Ann favourited your post",
            "↻ Carol boosted your post",
            "+ @dan@z.social followed you",
            "↪ Erin replied",
            "❝ @fay@z.social quoted your post",
            "“Attention is not owed",
        ] {
            assert!(shown.contains(needle), "{needle}: {shown}");
        }
        assert!(!shown.contains("↪ reply to"), "one reply line: {shown}");
        insta::assert_snapshot!(format!("notification_cards_{width}x{height}"), shown);
    }
    // Enter on the merged favourites lists who, and the post in full.
    let mut s = notified(120, 40);
    let at = s
        .list(0)
        .iter()
        .position(|id| {
            s.timeline.get(*id).unwrap().post.is_pure_notice()
                && s.timeline.get(*id).unwrap().post.notice_kind()
                    == Some(circles::model::NoticeKind::Favourite)
        })
        .unwrap();
    s.views[0].selected = at;
    update(&mut s, Action::Key(KeyChord::named(NamedKey::Enter)));
    let detail = screen(&s);
    for needle in [
        "Who",
        "Bob @bob@x.social",
        "Ann @ann@y.social",
        "Your post",
        "in the eye of the giver.",
    ] {
        assert!(detail.contains(needle), "{needle}: {detail}");
    }
}

#[test]
fn people_view_at_120x40_and_80x24() {
    for (w, h) in [(120, 40), (80, 24)] {
        let mut s = crate::people::view::opened(w, h);
        // The silent tab, carol selected, her reason in full.
        keys(
            &mut s,
            &[
                KeyChord::named(NamedKey::Tab),
                KeyChord::named(NamedKey::Tab),
                KeyChord::char('e'),
            ],
        );
        let shown = screen(&s);
        insta::assert_snapshot!(format!("people_at_{w}x{h}"), shown);
        assert!(shown.contains("Carol Ng @carol@x.social"), "{shown}");
        assert!(shown.contains(" silent 3 "), "{shown}");
        assert!(shown.contains("follows you since"), "{shown}");
        assert!(shown.contains("they → you: 0 reply"), "{shown}");
    }
    // Everyone, bob first: mutual, in Core and amplified.
    let s = crate::people::view::opened(120, 40);
    let shown = screen(&s);
    assert!(
        shown.contains("Core: 0% of posts, 55% of your replies"),
        "{shown}"
    );
    let bob = shown
        .lines()
        .find(|l| l.contains("Bob @bob@x.social"))
        .unwrap();
    assert!(
        bob.contains("⇄") && bob.contains("Core,amplified") && bob.contains("inner"),
        "{bob}"
    );
}

#[test]
fn digest_of_everyone_else_at_120x40_and_80x24() {
    for (w, h) in [(120, 40), (80, 24)] {
        let mut s = demo(w, h);
        // Focus Everyone else, the last column, and show its digest.
        for _ in 0..s.views.len() {
            update(&mut s, Action::Key(KeyChord::char('l')));
        }
        update(&mut s, Action::Key(KeyChord::char('s')));
        let shown = screen(&s);
        insta::assert_snapshot!(format!("digest_at_{w}x{h}"), shown);
        assert!(shown.contains("posts from"), "{shown}");
        assert!(shown.contains("by count · o order"), "{shown}");
        assert!(shown.contains("“"), "an excerpt: {shown}");
    }
}

#[test]
fn muted_tail_at_120x40() {
    let mut s = demo(120, 40);
    update(&mut s, Action::Key(KeyChord::char('M')));
    let shown = screen(&s);
    insta::assert_snapshot!("muted_tail_at_120x40", shown);
    assert!(shown.contains("@megaphone@mastodon.social"), "{shown}");
    assert!(shown.contains("keyword \"NFT\""), "{shown}");
}

#[test]
fn rule_statistics_at_120x40() {
    let mut s = demo(120, 40);
    update(&mut s, Action::Key(KeyChord::char('S')));
    let shown = screen(&s);
    insta::assert_snapshot!("rule_stats_at_120x40", shown);
    assert!(shown.contains("Rule statistics"), "{shown}");
    assert!(shown.contains("account @alice@hachyderm.io"), "{shown}");
    assert!(shown.contains("never fired"), "{shown}");
}
