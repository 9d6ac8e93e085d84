//! End-to-end tests of the terminal UI: the real `circles` binary runs in a
//! pseudo-terminal (portable-pty), its output is fed to a terminal emulator
//! (vt100), and the tests press keys and read the screen as a person would.
//!
//! Every run is isolated: `HOME`, `XDG_CONFIG_HOME` and `XDG_DATA_HOME` point
//! into a fresh temp dir and `CIRCLES_CONFIG` is removed, so the built-in
//! default config and the bundled demo feed are used. With
//! `CIRCLES_DEMO_INTERVAL=0` the demo delivers every post at once and then
//! stays still, so the screen is deterministic.
//!
//! The timeouts are generous waits for a slow machine, not timing
//! assertions: a wait returns as soon as the screen shows what it waits for.

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// How long to wait for the screen to show something.
const WAIT: Duration = Duration::from_secs(10);
/// How long the output must be quiet for a frame to count as drawn whole.
const SETTLE: Duration = Duration::from_millis(30);

const ENTER: &str = "\r";
const ESC: &str = "\x1b";
const CTRL_P: &str = "\x10";

const DETAIL_TITLE: &str = "Post — esc closes · j/k next · o open · y copy";
const HELP_TITLE: &str = "Keys — esc closes";
const PALETTE_TITLE: &str = "Go to — columns, accounts, commands";

/// What the reader thread collects from the pty.
struct Output {
    parser: vt100::Parser,
    /// Every byte the app wrote, in order.
    raw: Vec<u8>,
}

/// The `circles` TUI running in a pseudo-terminal.
struct Tui {
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    master: Box<dyn MasterPty + Send>,
    output: Arc<Mutex<Output>>,
    reader: Option<JoinHandle<()>>,
    /// The pty's settings before the app started (cooked mode).
    termios_before: Option<String>,
    home: TempDir,
}

impl Tui {
    /// Starts `circles` (no subcommand: the TUI) in a `cols`×`rows` pty.
    fn start(cols: u16, rows: u16) -> Tui {
        let home = TempDir::new().expect("temp dir");
        let config_home = home.path().join("config");
        let data_home = home.path().join("data");
        std::fs::create_dir_all(&config_home).unwrap();
        std::fs::create_dir_all(&data_home).unwrap();

        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let termios_before = pair.master.get_termios().map(|t| format!("{t:?}"));

        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_circles"));
        cmd.cwd(home.path());
        cmd.env("HOME", home.path());
        cmd.env("XDG_CONFIG_HOME", &config_home);
        cmd.env("XDG_DATA_HOME", &data_home);
        cmd.env("TERM", "xterm-256color");
        cmd.env("CIRCLES_DEMO_INTERVAL", "0");
        cmd.env_remove("CIRCLES_CONFIG");
        cmd.env_remove("CIRCLES_LOG");
        let child = pair.slave.spawn_command(cmd).expect("spawn circles");
        // Only the child holds the slave now, so the reader sees the end of
        // the output when the child exits.
        drop(pair.slave);

        let output = Arc::new(Mutex::new(Output {
            parser: vt100::Parser::new(rows, cols, 0),
            raw: Vec::new(),
        }));
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let sink = Arc::clone(&output);
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let mut out = sink.lock().unwrap();
                        out.raw.extend_from_slice(&buf[..n]);
                        out.parser.process(&buf[..n]);
                    }
                }
            }
        });
        let writer = pair.master.take_writer().expect("pty writer");
        Tui {
            child,
            writer,
            master: pair.master,
            output,
            reader: Some(reader),
            termios_before,
            home,
        }
    }

    /// Starts the TUI and waits until the demo feed is all in.
    fn ready(cols: u16, rows: u16) -> Tui {
        let tui = Tui::start(cols, rows);
        tui.wait_for("the demo feed to be live", |s| s.contains("demo live · "));
        tui
    }

    fn data_home(&self) -> PathBuf {
        self.home.path().join("data")
    }

    /// Types keys as the terminal sends them.
    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush keys");
    }

    /// The screen as text, one line per row.
    fn text(&self) -> String {
        self.output.lock().unwrap().parser.screen().contents()
    }

    /// Runs `f` on the current screen.
    fn with_screen<T>(&self, f: impl FnOnce(&vt100::Screen) -> T) -> T {
        f(self.output.lock().unwrap().parser.screen())
    }

    /// The screen's rows.
    fn rows(&self) -> Vec<String> {
        self.with_screen(|s| {
            let (_, cols) = s.size();
            s.rows(0, cols).collect()
        })
    }

    fn raw(&self) -> Vec<u8> {
        self.output.lock().unwrap().raw.clone()
    }

    /// Polls the screen every 20 ms until `pred` holds on its text; panics
    /// with the screen if it does not within [`WAIT`]. Returns the text.
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        self.wait_for_screen(what, |s| pred(&s.contents()));
        self.text()
    }

    /// Like [`Tui::wait_for`], with the whole emulated screen.
    ///
    /// A frame reaches the pty in several writes, so the predicate must
    /// also hold once the output has been quiet for a moment: then the
    /// frame that made it true has been read whole.
    fn wait_for_screen(&self, what: &str, pred: impl Fn(&vt100::Screen) -> bool) {
        let deadline = Instant::now() + WAIT;
        loop {
            let seen = self.output.lock().unwrap().raw.len();
            if self.with_screen(&pred) {
                std::thread::sleep(SETTLE);
                let (now, holds) = {
                    let out = self.output.lock().unwrap();
                    (out.raw.len(), pred(out.parser.screen()))
                };
                if now == seen && holds {
                    return;
                }
            }
            if Instant::now() > deadline {
                panic!(
                    "timed out after {WAIT:?} waiting for {what}; the screen:\n{}",
                    self.text()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The text inside the overlay box titled `title`, one line per row,
    /// without its border; `None` if no such box is on screen.
    fn overlay(&self, title: &str) -> Option<Vec<String>> {
        self.with_screen(|s| overlay_lines(s, title))
    }

    /// Presses Esc and waits until the overlay titled `title` is gone.
    fn close_overlay(&mut self, title: &str) {
        self.send(ESC);
        self.wait_for(&format!("`{title}` to close"), |s| !s.contains(title));
    }

    /// Opens the detail of the selected post and returns its text.
    fn open_detail(&mut self) -> Vec<String> {
        self.send(ENTER);
        self.wait_for_screen("the detail overlay", |s| {
            overlay_lines(s, DETAIL_TITLE).is_some()
        });
        self.overlay(DETAIL_TITLE)
            .expect("the detail overlay's box")
    }

    /// Waits for the app to exit on its own; returns its exit status.
    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + WAIT;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                break status;
            }
            if Instant::now() > deadline {
                panic!(
                    "circles did not exit within {WAIT:?}; the screen:\n{}",
                    self.text()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // Let the reader take in the last of the output.
        let reader = self.reader.take().expect("reader thread");
        let deadline = Instant::now() + WAIT;
        while !reader.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            reader.is_finished(),
            "the pty output did not end after circles exited"
        );
        reader.join().expect("reader thread");
        status
    }

    /// Presses q and checks the app exits with success.
    fn quit(&mut self) {
        self.send("q");
        let status = self.wait_exit();
        assert!(status.success(), "exit status after q: {status:?}");
    }

    fn pid(&self) -> i32 {
        self.child.process_id().expect("child pid") as i32
    }

    /// The pty's settings now, to compare with those before the app ran.
    fn termios(&self) -> Option<String> {
        self.master.get_termios().map(|t| format!("{t:?}"))
    }

    /// Checks that the app gave the terminal back as it found it.
    fn assert_restored(&self) {
        let raw = self.raw();
        let enter = find_last(&raw, b"\x1b[?1049h").expect("the app entered the alternate screen");
        let leave = find_last(&raw, b"\x1b[?1049l").expect("the app left the alternate screen");
        assert!(
            find(&raw, b"\x1b[?1049h") < Some(leave) && enter < leave,
            "the alternate screen was entered after it was left"
        );
        let show = find_last(&raw, b"\x1b[?25h").expect("the app showed the cursor");
        assert!(
            show > enter,
            "the cursor was not shown after the app started"
        );
        if let Some(hide) = find_last(&raw, b"\x1b[?25l") {
            assert!(hide < show, "the cursor was hidden again at the end");
        }
        assert!(
            find(&raw, b"\x1b[?1000h").is_some(),
            "the app never enabled mouse capture"
        );
        self.with_screen(|s| {
            assert!(!s.alternate_screen(), "still on the alternate screen");
            assert!(!s.hide_cursor(), "the cursor is still hidden");
            assert_eq!(
                s.mouse_protocol_mode(),
                vt100::MouseProtocolMode::None,
                "mouse capture is still on"
            );
        });
        assert_eq!(
            self.termios(),
            self.termios_before,
            "raw mode was not turned off: the pty's settings differ from before"
        );
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        // A failed test must not leave the app running.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// The lines inside the rounded box whose top border carries `title`;
/// `None` unless the whole box, bottom border included, is on screen.
///
/// A cell-exact reading: the box's corners are found by cell, and only the
/// cells between its side borders are read.
fn overlay_lines(screen: &vt100::Screen, title: &str) -> Option<Vec<String>> {
    let (rows, cols) = screen.size();
    let cell = |r: u16, c: u16| {
        screen
            .cell(r, c)
            .map(|cell| cell.contents().to_string())
            .unwrap_or_default()
    };
    let text_from = |r: u16, c: u16| -> String { (c..cols).map(|c| cell(r, c)).collect() };
    let top = screen.rows(0, cols).position(|row| row.contains(title))? as u16;
    let heading = format!("╭ {title}");
    let left =
        (0..cols).find(|&c| cell(top, c) == "╭" && text_from(top, c).starts_with(&heading))?;
    let right = (left + 1..cols).find(|&c| cell(top, c) == "╮")?;
    let inside: Vec<String> = screen.rows(left + 1, right - left - 1).collect();
    let mut lines = Vec::new();
    for r in top + 1..rows {
        if cell(r, left) == "╰" {
            return Some(lines);
        }
        lines.push(inside[usize::from(r)].trim_end().to_string());
    }
    // No bottom border (yet): not a whole box.
    None
}

/// The detail's "where it landed" line, `in Core, Alerts`: the last line
/// starting with `in ` (the post's text comes before it).
fn landed(detail: &[String]) -> String {
    detail
        .iter()
        .rev()
        .map(|l| l.trim())
        .find(|l| l.starts_with("in ") || l.starts_with("muted ("))
        .unwrap_or_else(|| {
            panic!(
                "no `in <columns>` line in the detail:\n{}",
                detail.join("\n")
            )
        })
        .to_string()
}

/// Whether the detail says its post is in `column`.
fn landed_in(detail: &[String], column: &str) -> bool {
    let line = landed(detail);
    line.strip_prefix("in ")
        .is_some_and(|names| names.split(", ").any(|n| n.starts_with(column)))
}

/// What tells one post's detail from another's: its time (to the minute)
/// and its URL.
///
/// Only ASCII is kept from those lines: a terminal that measures emoji
/// sequences differently from ratatui (as vt100 and xterm do, one code
/// point at a time) can be left with stray cells next to them.
fn post_key(detail: &[String]) -> String {
    let ascii = |l: &str| -> String {
        l.trim()
            .chars()
            .take_while(|c| c.is_ascii() && !c.is_ascii_whitespace() || *c == ' ')
            .collect()
    };
    let mut key = String::new();
    for line in detail {
        let line = line.trim();
        if line.contains(" UTC · from ") {
            key.push_str(&ascii(&line[..line.find(" · from").unwrap_or(0)]));
            key.push('|');
        }
        if let Some(url) = line.strip_prefix("[y] copy ") {
            key.push_str(&ascii(url.split(' ').next().unwrap_or("")));
        }
    }
    assert!(
        !key.is_empty(),
        "the detail has no time line:\n{}",
        detail.join("\n")
    );
    key
}

/// The title of the first box whose top border is on `row`: the text after
/// `╭` up to the border run, without the `◀`/`▶` marks of more columns.
fn box_title(row: &str) -> Option<String> {
    let start = row.find('╭')? + '╭'.len_utf8();
    let title: String = row[start..].chars().take_while(|c| *c != '─').collect();
    Some(title.trim_matches([' ', '◀', '▶']).to_string())
}

#[test]
fn columns_show_and_keys_move_the_focus_and_the_selection() {
    let mut tui = Tui::ready(120, 40);
    let screen = tui.wait_for("the columns", |s| {
        s.contains("Core (") && s.contains("demo live · 345")
    });
    let rows = tui.rows();
    // At 120 cells three 40-cell columns fit; the rest is to the right.
    assert!(rows[0].starts_with("╭ Core ("), "Core's box:\n{screen}");
    assert!(rows[0].contains("╭ Mentions"), "Mentions' box:\n{screen}");
    assert!(rows[0].contains("╭ Alerts"), "Alerts' box:\n{screen}");
    assert!(
        rows[0].contains("▶"),
        "more columns to the right:\n{screen}"
    );
    let status = rows.last().unwrap();
    assert!(status.contains("demo live · 345"), "status row: {status}");
    assert!(status.contains("muted today: 24"), "status row: {status}");
    assert!(
        status.contains("config: built-in default"),
        "status: {status}"
    );
    assert!(status.contains("? help"), "status row: {status}");

    // The newest post of Core.
    let first = tui.open_detail();
    assert!(
        first.iter().any(|l| l.contains("· from demo")),
        "the detail names its source:\n{}",
        first.join("\n")
    );
    assert!(
        landed_in(&first, "Core"),
        "the selected post is Core's:\n{}",
        first.join("\n")
    );
    tui.close_overlay(DETAIL_TITLE);
    assert!(tui.overlay(DETAIL_TITLE).is_none());

    // j moves the selection down: another post.
    tui.send("jjj");
    let third = tui.open_detail();
    assert!(landed_in(&third, "Core"), "{}", third.join("\n"));
    assert_ne!(post_key(&first), post_key(&third), "j did not move");
    tui.close_overlay(DETAIL_TITLE);

    // k moves back up; g goes to the newest post.
    tui.send("k");
    let second = tui.open_detail();
    assert_ne!(post_key(&second), post_key(&third), "k did not move");
    tui.close_overlay(DETAIL_TITLE);
    tui.send("g");
    let top = tui.open_detail();
    assert_eq!(post_key(&first), post_key(&top), "g is not the newest post");
    tui.close_overlay(DETAIL_TITLE);

    // l focuses Mentions: its selected post is a mention.
    tui.send("l");
    let mention = tui.open_detail();
    assert!(
        landed_in(&mention, "Mentions"),
        "after l the detail should show a post in Mentions:\n{}",
        mention.join("\n")
    );
    tui.close_overlay(DETAIL_TITLE);

    // The left arrow goes back to Core.
    tui.send("\x1b[D");
    let back = tui.open_detail();
    assert!(landed_in(&back, "Core"), "{}", back.join("\n"));
    assert_eq!(post_key(&first), post_key(&back), "Core kept its selection");
    tui.close_overlay(DETAIL_TITLE);

    tui.quit();
}

#[test]
fn search_filters_the_focused_column_and_esc_clears_it() {
    let mut tui = Tui::ready(120, 40);
    let before = tui.rows();
    assert!(!before[0].contains("/ferris"));

    tui.send("/");
    tui.wait_for("the search prompt", |s| {
        s.contains("enter keeps · esc clears")
    });
    tui.send("ferris");
    tui.wait_for("the search prompt to show the query", |s| {
        s.contains("/ferris█")
    });
    tui.wait_for("Core's title to show the search", |s| {
        s.lines()
            .next()
            .is_some_and(|r| r.contains("Core") && r.contains(" /ferris"))
    });
    tui.send(ENTER);
    let screen = tui.wait_for("the search to be kept", |s| s.contains("match “ferris”"));
    let rows = tui.rows();
    let title = box_title(&rows[0]).unwrap();
    assert!(
        title.starts_with("Core") && title.ends_with("/ferris"),
        "the focused column's title shows the search: {title}\n{screen}"
    );
    // Only Core is filtered.
    assert_eq!(rows[0].matches("/ferris").count(), 1, "{}", rows[0]);
    let status = rows.last().unwrap();
    let count: usize = status
        .trim()
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the status bar counts the matches: {status}"));
    assert!(count >= 1, "{status}");
    // Core's cards: every card matches (here by name, text or booster).
    let core: Vec<String> = tui.with_screen(|s| s.rows(0, 40).collect());
    let core_text = core[1..core.len() - 2].join("\n").to_lowercase();
    assert!(
        core_text.contains("ferris"),
        "Core shows the matches:\n{screen}"
    );
    assert!(
        !core_text.contains("no post matches"),
        "Core shows the matches:\n{screen}"
    );
    let rules = core[1..core.len() - 2]
        .iter()
        .filter(|row| {
            let inner = row.trim_matches('│');
            !inner.is_empty() && inner.chars().all(|c| c == '─')
        })
        .count();
    assert!(
        rules <= count,
        "Core shows {rules} cards but only {count} posts match:\n{screen}"
    );

    // Enter on the filtered column opens a match.
    let detail = tui.open_detail();
    assert!(
        detail.join("\n").to_lowercase().contains("ferris"),
        "the selected post matches the search:\n{}",
        detail.join("\n")
    );
    tui.close_overlay(DETAIL_TITLE);

    // Esc clears the search.
    tui.send(ESC);
    let screen = tui.wait_for("the search to clear", |s| !s.contains("/ferris"));
    assert!(screen.contains("demo live · "), "{screen}");
    let title = box_title(&tui.rows()[0]).unwrap();
    assert!(title.starts_with("Core ("), "{title}");

    // A search without a match says so.
    tui.send("/zzqx");
    tui.wait_for("an empty result", |s| s.contains("no post matches “zzqx”"));
    tui.send(ESC);
    tui.wait_for("the search to clear", |s| {
        !s.contains("zzqx") && s.contains("demo live · ")
    });
    tui.quit();
}

#[test]
fn help_lists_the_commands_and_esc_closes_it() {
    let mut tui = Tui::ready(120, 40);
    tui.send("?");
    tui.wait_for("the help", |s| s.contains(HELP_TITLE));
    let help = tui.overlay(HELP_TITLE).expect("the help box").join("\n");
    for line in [
        "search in the focused column",
        "quit",
        "focus the column to the right",
        "select the next (older) post",
        "fuzzy palette: columns, accounts, commands",
        "show this help",
    ] {
        assert!(help.contains(line), "the help lacks `{line}`:\n{help}");
    }
    // Keys are shown next to their commands.
    assert!(
        help.lines()
            .any(|l| l.trim_start().starts_with('/') && l.contains("search in the focused column")),
        "{help}"
    );
    tui.close_overlay(HELP_TITLE);
    // Closed, keys work on the main screen again.
    tui.send("?");
    tui.wait_for("the help again", |s| s.contains(HELP_TITLE));
    tui.send("?");
    tui.wait_for("? to close the help", |s| !s.contains(HELP_TITLE));
    tui.quit();
}

#[test]
fn the_palette_goes_to_a_column() {
    let mut tui = Tui::ready(120, 40);
    assert!(!tui.text().contains("╭ Rust"), "Rust starts off screen");
    tui.send(CTRL_P);
    tui.wait_for("the palette", |s| s.contains(PALETTE_TITLE));
    let palette = tui.overlay(PALETTE_TITLE).expect("the palette box");
    assert!(palette[0].starts_with("> "), "{}", palette.join("\n"));
    // "column rust", not just "rust": the Rust Weekly Digest account
    // outranks the Rust column for "rust" alone.
    tui.send("column rust");
    tui.wait_for("the palette to filter", |s| s.contains("> column rust█"));
    let palette = tui.overlay(PALETTE_TITLE).expect("the palette box");
    assert!(
        palette[1].contains("column") && palette[1].contains("Rust"),
        "the Rust column comes first:\n{}",
        palette.join("\n")
    );
    tui.send(ENTER);
    let screen = tui.wait_for("the palette to close", |s| !s.contains(PALETTE_TITLE));
    assert!(
        screen.contains("╭ Rust"),
        "the Rust column shows:\n{screen}"
    );
    let detail = tui.open_detail();
    assert!(
        landed_in(&detail, "Rust"),
        "the Rust column has the focus:\n{}",
        detail.join("\n")
    );
    tui.close_overlay(DETAIL_TITLE);
    tui.quit();
}

#[test]
fn quitting_restores_the_terminal_and_logs_to_a_file() {
    let mut tui = Tui::ready(120, 40);
    assert_ne!(
        tui.termios(),
        tui.termios_before,
        "the app should put the terminal in raw mode"
    );
    tui.with_screen(|s| {
        assert!(s.alternate_screen());
        assert!(s.hide_cursor());
        assert_ne!(s.mouse_protocol_mode(), vt100::MouseProtocolMode::None);
    });
    tui.send("q");
    let status = tui.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    tui.assert_restored();

    let log = tui.data_home().join("circles").join("circles.log");
    assert!(log.is_file(), "no log file at {}", log.display());
    // Logs never go to the screen.
    let raw = String::from_utf8_lossy(&tui.raw()).into_owned();
    assert!(!raw.contains(" INFO "), "a log line reached the terminal");
    assert!(
        !raw.contains("screen open"),
        "a log line reached the terminal"
    );
}

#[test]
fn a_narrow_terminal_shows_one_column_with_tabs() {
    let mut tui = Tui::ready(50, 20);
    let rows = tui.rows();
    let screen = rows.join("\n");
    assert!(rows[0].contains("Core"), "the tab bar:\n{screen}");
    assert!(rows[0].contains("Mentions"), "the tab bar:\n{screen}");
    assert!(
        box_title(&rows[1]).is_some_and(|t| t.starts_with("Core")),
        "Core's box under the tabs:\n{screen}"
    );
    assert_eq!(
        rows[1].matches('╭').count(),
        1,
        "one column at a time:\n{screen}"
    );
    assert!(rows[19].contains("demo live · 345"), "status:\n{screen}");

    tui.send("l");
    tui.wait_for_screen("Mentions to show", |s| {
        s.rows(0, 50)
            .nth(1)
            .and_then(|r| box_title(&r))
            .is_some_and(|t| t.starts_with("Mentions"))
    });
    let rows = tui.rows();
    assert!(rows[0].contains("Core"), "the tab bar stays: {}", rows[0]);
    assert!(!rows[1].contains("Core"), "{}", rows[1]);

    // Far right: the tab bar scrolls to keep the focused tab in view.
    tui.send("llll");
    tui.wait_for_screen("Everyone else to show", |s| {
        s.rows(0, 50)
            .nth(1)
            .and_then(|r| box_title(&r))
            .is_some_and(|t| t.starts_with("Everyone else"))
    });
    let rows = tui.rows();
    assert!(rows[0].contains("Everyone else"), "{}", rows[0]);
    tui.quit();
}

#[test]
fn sigterm_restores_the_terminal_and_exits_cleanly() {
    let mut tui = Tui::ready(120, 40);
    // An overlay open makes no difference.
    tui.send("?");
    tui.wait_for("the help", |s| s.contains(HELP_TITLE));
    // SAFETY: kill(2) on the pid of our own child has no memory-safety
    // preconditions.
    let rc = unsafe { libc::kill(tui.pid(), libc::SIGTERM) };
    assert_eq!(rc, 0, "kill failed");
    let status = tui.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    tui.assert_restored();
}

#[test]
fn ctrl_z_gives_the_terminal_back_and_takes_it_again() {
    let mut tui = Tui::ready(120, 40);
    let before = tui.raw().len();
    tui.send("\x1a");
    // In a shell the app stops here until `fg`. This child leads its own
    // session, an orphaned process group, where the kernel discards
    // SIGTSTP — so it goes on at once, down the same path as a resume.
    let deadline = Instant::now() + WAIT;
    loop {
        let raw = tui.raw();
        let fresh = &raw[before..];
        let left = find(fresh, b"\x1b[?1049l");
        let back = find_last(fresh, b"\x1b[?1049h");
        if let (Some(left), Some(back)) = (left, back)
            && back > left
        {
            assert!(
                find(&fresh[left..], b"\x1b[?25h").is_some(),
                "the cursor was shown while suspended"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no suspend and resume in the output"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // The whole screen is drawn again and keys work.
    tui.wait_for_screen("the screen redrawn", |s| {
        s.alternate_screen() && s.contents().contains("Core (") && s.contents().contains("? help")
    });
    tui.quit();
    tui.assert_restored();
}

#[test]
fn a_resize_lays_the_screen_out_again() {
    let tui = Tui::ready(120, 40);
    let size = |cols, rows| PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    };
    tui.master.resize(size(50, 20)).unwrap();
    tui.output
        .lock()
        .unwrap()
        .parser
        .screen_mut()
        .set_size(20, 50);
    // One column with a tab bar on top.
    tui.wait_for_screen("the tab bar", |s| {
        let top = s.rows(0, 50).next().unwrap_or_default();
        top.starts_with(" Core") && top.contains("│ Mentions")
    });
    tui.master.resize(size(200, 50)).unwrap();
    tui.output
        .lock()
        .unwrap()
        .parser
        .screen_mut()
        .set_size(50, 200);
    tui.wait_for("all five columns", |s| {
        s.contains("Everyone else") && s.lines().next().is_some_and(|l| l.starts_with("╭ Core"))
    });
}
