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

use chrono::{DateTime, TimeDelta, Utc};
use circles::config::DEFAULT_CONFIG;
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
const EXPLAIN_TITLE: &str = "Why this post is here — esc closes";

/// The default config's `[amplify]` list, which `a` adds to.
const AMPLIFY_LINE: &str = r#"accounts = ["@alice@hachyderm.io"]"#;
/// The default config's `[mute]` accounts.
const MUTE_LINE: &str = r#"accounts = ["@megaphone@mastodon.social"]"#;
/// The banner that replaces the status bar while the config is broken.
const CONFIG_ERROR: &str = " config error (last good config in use): ";

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
        Tui::launch(cols, rows, None)
    }

    /// Starts `circles` with `config` written to
    /// `$XDG_CONFIG_HOME/circles/config.toml`, where the app looks when
    /// neither `--config` nor `$CIRCLES_CONFIG` names a file.
    fn launch(cols: u16, rows: u16, config: Option<&str>) -> Tui {
        Tui::launch_in(TempDir::new().expect("temp dir"), cols, rows, config, None)
    }

    /// Quits, then starts again on the same config and data dirs.
    fn restart(mut self) -> Tui {
        let (rows, cols) = self.with_screen(|s| s.size());
        self.quit();
        let home = std::mem::replace(&mut self.home, TempDir::new().expect("temp dir"));
        drop(self);
        Tui::launch_in(home, cols, rows, None, None)
    }

    /// Starts the TUI in `home`; with `stdin`, its standard input is that
    /// file (through a shell), while the terminal stays the pty.
    fn launch_in(
        home: TempDir,
        cols: u16,
        rows: u16,
        config: Option<&str>,
        stdin: Option<&std::path::Path>,
    ) -> Tui {
        Tui::launch_with_env(home, cols, rows, config, stdin, &[])
    }

    /// Starts the TUI in `home` on `config` with more environment variables.
    fn with_env(
        home: TempDir,
        (cols, rows): (u16, u16),
        config: Option<&str>,
        envs: &[(&str, &str)],
    ) -> Tui {
        Tui::launch_with_env(home, cols, rows, config, None, envs)
    }

    /// [`Tui::with_env`] in a fresh home, once the demo feed is all in.
    fn ready_with_env(size: (u16, u16), config: Option<&str>, envs: &[(&str, &str)]) -> Tui {
        let tui = Tui::with_env(TempDir::new().expect("temp dir"), size, config, envs);
        tui.wait_for("the demo feed to be live", |s| s.contains("demo live · "));
        tui
    }

    /// [`Tui::launch_in`] with more environment variables.
    fn launch_with_env(
        home: TempDir,
        cols: u16,
        rows: u16,
        config: Option<&str>,
        stdin: Option<&std::path::Path>,
        envs: &[(&str, &str)],
    ) -> Tui {
        let config_home = home.path().join("config");
        let data_home = home.path().join("data");
        std::fs::create_dir_all(&config_home).unwrap();
        std::fs::create_dir_all(&data_home).unwrap();
        if let Some(text) = config {
            let dir = config_home.join("circles");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("config.toml"), text).unwrap();
        }

        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let termios_before = pair.master.get_termios().map(|t| format!("{t:?}"));

        let mut cmd = match stdin {
            None => CommandBuilder::new(env!("CARGO_BIN_EXE_circles")),
            Some(file) => {
                let mut sh = CommandBuilder::new("/bin/sh");
                sh.args(["-c", "exec \"$0\" < \"$1\""]);
                sh.arg(env!("CARGO_BIN_EXE_circles"));
                sh.arg(file);
                sh
            }
        };
        cmd.cwd(home.path());
        cmd.env("HOME", home.path());
        cmd.env("XDG_CONFIG_HOME", &config_home);
        cmd.env("XDG_DATA_HOME", &data_home);
        cmd.env("TERM", "xterm-256color");
        cmd.env("CIRCLES_DEMO_INTERVAL", "0");
        cmd.env_remove("CIRCLES_CONFIG");
        cmd.env_remove("CIRCLES_LOG");
        cmd.env_remove("NO_COLOR");
        // What the terminal circles runs in is what each test says.
        for name in [
            "TERM_PROGRAM",
            "TMUX",
            "KITTY_WINDOW_ID",
            "WT_SESSION",
            "VTE_VERSION",
            "KONSOLE_VERSION",
            "WEZTERM_PANE",
        ] {
            cmd.env_remove(name);
        }
        for (key, value) in envs {
            cmd.env(key, value);
        }
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

    /// Starts the TUI on a config file with `text` and waits until the
    /// demo feed is all in.
    fn ready_with_config(cols: u16, rows: u16, text: &str) -> Tui {
        let tui = Tui::launch(cols, rows, Some(text));
        tui.wait_for("the demo feed to be live", |s| s.contains("demo live · "));
        tui
    }

    fn data_home(&self) -> PathBuf {
        self.home.path().join("data")
    }

    /// `$XDG_CONFIG_HOME/circles/config.toml`, whether or not it exists.
    fn config_path(&self) -> PathBuf {
        self.home
            .path()
            .join("config")
            .join("circles")
            .join("config.toml")
    }

    /// The config file's text as it is on disk now.
    fn read_config(&self) -> String {
        let path = self.config_path();
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }

    /// Saves the config as vim and many editors do: the new text goes to
    /// another file in the same directory, which is renamed over the old.
    fn save_config_by_rename(&self, text: &str) {
        let path = self.config_path();
        let tmp = path.with_file_name(".config.toml.swp");
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
    }

    /// The status bar: the screen's last row, with the rows a long
    /// message takes above it (every row under the columns' boxes), joined.
    fn status(&self) -> String {
        status_area(&self.rows())
    }

    /// Waits until the status bar satisfies `pred`; returns it.
    fn wait_for_status(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        self.wait_for_screen(what, |s| {
            let (_, cols) = s.size();
            pred(&status_area(&s.rows(0, cols).collect::<Vec<_>>()))
        });
        self.status()
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

    /// The screen once it has stopped changing for 300 ms (at most 10 s):
    /// on a loaded machine a frame can still be arriving when the sign
    /// waited for is already drawn.
    fn settled_text(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut last = self.text();
        loop {
            std::thread::sleep(Duration::from_millis(300));
            let now = self.text();
            if now == last || Instant::now() > deadline {
                return now;
            }
            last = now;
        }
    }

    /// The screen once `ctrl-l` has painted every cell again and it has
    /// stopped changing.
    fn repainted_text(&mut self) -> String {
        let written = self.raw().len();
        self.send("\x0c");
        let deadline = Instant::now() + WAIT;
        while !self.raw()[written..].windows(4).any(|w| w == b"\x1b[2J") {
            assert!(Instant::now() < deadline, "ctrl-l cleared nothing");
            std::thread::sleep(Duration::from_millis(20));
        }
        self.settled_text()
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
        self.wait_for_screen_within(WAIT, what, pred);
    }

    /// [`Tui::wait_for_screen`] with a time of its own, for a test whose
    /// config is slow to compile on purpose.
    fn wait_for_screen_within(
        &self,
        wait: Duration,
        what: &str,
        pred: impl Fn(&vt100::Screen) -> bool,
    ) {
        let deadline = Instant::now() + wait;
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
                    "timed out after {wait:?} waiting for {what}; the screen:\n{}",
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

    /// The selected post's author, read from its detail: (name, handle).
    fn selected_author(&mut self) -> (String, String) {
        let detail = self.open_detail();
        self.close_overlay(DETAIL_TITLE);
        author_of(&detail)
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

/// The rows under the last bottom edge of a column's box, joined: the
/// status bar and a long message above it.
fn status_area(rows: &[String]) -> String {
    let under = rows
        .iter()
        .rposition(|r| r.starts_with('╰') || r.starts_with('┗'))
        .map_or(rows.len().saturating_sub(1), |i| i + 1);
    rows[under.min(rows.len())..]
        .iter()
        .map(|r| r.trim_end())
        .collect::<Vec<_>>()
        .join(" ")
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
    // Tall enough for every command without scrolling.
    let mut tui = Tui::ready(120, 60);
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

/// A log that cannot be opened (here a directory stands where the file
/// would be; likewise a read-only folder or another user's file) is no
/// reason not to start: circles runs without a log and says so.
#[test]
fn a_log_that_cannot_be_opened_is_said_and_the_screen_still_opens() {
    let home = TempDir::new().unwrap();
    std::fs::create_dir_all(home.path().join("data/circles/circles.log")).unwrap();
    let mut tui = Tui::launch_in(home, 120, 40, None, None);
    let status = tui.wait_for_status("the note", |s| s.contains("no log: cannot open"));
    assert!(status.contains("circles.log: Is a directory"), "{status}");
    tui.wait_for("the demo posts", |s| s.contains("Core ("));
    tui.send("q");
    assert!(tui.wait_exit().success());
    tui.assert_restored();
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

/// Another program writing to the terminal (a `wall` message, a
/// background job) leaves its text over the columns; `ctrl-l` paints the
/// screen again as it was, with a search being typed as well.
#[test]
fn ctrl_l_paints_over_what_another_program_wrote() {
    let mut tui = Tui::ready(120, 40);
    let before = tui.settled_text();
    let output = Arc::clone(&tui.output);
    let scribble = || {
        let mut output = output.lock().unwrap();
        output
            .parser
            .process(b"\x1b[2J\x1b[5;10HBroadcast message from root\x1b[20;1Hnoise");
    };
    scribble();
    assert!(tui.text().contains("Broadcast message"));
    let after = tui.repainted_text();
    assert_eq!(after, before, "the screen as it was");

    tui.send("/ru");
    tui.wait_for("the search prompt", |s| {
        s.contains("enter keeps · esc clears") && s.contains("ru")
    });
    let searching = tui.settled_text();
    scribble();
    assert_eq!(
        tui.repainted_text(),
        searching,
        "the search field as it was"
    );
    tui.send("\x1b");
    tui.wait_for("the search closed", |s| {
        !s.contains("enter keeps · esc clears")
    });
    tui.quit();
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

/// The author in a detail's first line, `Bob Lindqvist @bob.bsky.social
/// 4m`: (name, handle).
fn author_of(detail: &[String]) -> (String, String) {
    let header = detail
        .iter()
        .map(|l| l.trim())
        .find(|l| !l.is_empty())
        .unwrap_or_else(|| panic!("an empty detail:\n{}", detail.join("\n")));
    let words: Vec<&str> = header.split_whitespace().filter(|w| *w != "✦").collect();
    let at = words
        .iter()
        .position(|w| w.starts_with('@'))
        .unwrap_or_else(|| panic!("no handle in the detail's first line: {header}"));
    (words[..at].join(" "), words[at].to_string())
}

/// The default config as a user keeps it: with a comment of their own on
/// top and one at the end of the `[amplify]` line that `a` edits.
/// How keyboard edits write a demo account into the config: a Bluesky
/// account by its DID (looked up in the demo feed) with its bare handle
/// as the note beside it; any other by its handle.
fn written(handle: &str) -> (String, Option<String>) {
    let bare = handle.trim_start_matches('@');
    let needle = format!("\",\"handle\":\"{bare}\"");
    let did = circles::source::DEMO_FEED.lines().find_map(|line| {
        let at = line.find(&needle)?;
        let start = line[..at].rfind("\"did\":\"")? + "\"did\":\"".len();
        Some(line[start..at].to_string())
    });
    match did {
        Some(did) => (did, Some(bare.to_string())),
        None => (handle.to_string(), None),
    }
}

/// The `[amplify]` line after `handle` was amplified, given the comment
/// the line had (without its `#`).
fn amplified_line(handle: &str, comment: Option<&str>) -> String {
    let (entry, note) = written(handle);
    let notes: Vec<String> = comment
        .map(str::to_string)
        .into_iter()
        .chain(note.map(|n| format!("{entry} is {n}")))
        .collect();
    let tail = if notes.is_empty() {
        String::new()
    } else {
        format!("  # {}", notes.join("; "))
    };
    format!("accounts = [\"@alice@hachyderm.io\", \"{entry}\"]{tail}\n")
}

fn user_config() -> String {
    let text = format!("# my circles, tuned by hand: keep these notes\n{DEFAULT_CONFIG}");
    replace_once(&text, AMPLIFY_LINE, &format!("{AMPLIFY_LINE}  # the few"))
}

/// `text` with the one place `from` occurs replaced.
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} must occur once");
    text.replacen(from, to, 1)
}

/// What an edit changed: the lines of `before` and of `after` left once
/// the lines both share at the start and at the end are taken away, as
/// (removed, added). Lines keep their `\n`, so every line outside these
/// is byte-identical.
fn changed_lines<'a>(before: &'a str, after: &'a str) -> (Vec<&'a str>, Vec<&'a str>) {
    let old: Vec<&str> = before.split_inclusive('\n').collect();
    let new: Vec<&str> = after.split_inclusive('\n').collect();
    let head = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let tail = old[head..]
        .iter()
        .rev()
        .zip(new[head..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    (
        old[head..old.len() - tail].to_vec(),
        new[head..new.len() - tail].to_vec(),
    )
}

/// The names of the column boxes whose top borders are on `row`, without
/// unread counts: `["Core", "Mentions", …]`.
fn column_names(row: &str) -> Vec<String> {
    row.split('╭')
        .skip(1)
        .map(|title| {
            title
                .chars()
                .take_while(|c| *c != '(' && *c != '─')
                .collect::<String>()
                .trim_matches([' ', '◀', '▶'])
                .to_string()
        })
        .collect()
}

/// Where `needle` starts on the screen, by cell: (row, column), each
/// place it occurs.
fn cells_of(screen: &vt100::Screen, needle: &str) -> Vec<(u16, u16)> {
    let (rows, cols) = screen.size();
    let first = needle.chars().next().unwrap().to_string();
    let mut found = Vec::new();
    for r in 0..rows {
        for c in 0..cols {
            if screen
                .cell(r, c)
                .is_some_and(|cell| cell.contents() == first)
            {
                let rest: String = (c..cols)
                    .map(|c| {
                        screen
                            .cell(r, c)
                            .map(|cell| cell.contents().to_string())
                            .unwrap_or_default()
                    })
                    .collect();
                if rest.starts_with(needle) {
                    found.push((r, c));
                }
            }
        }
    }
    found
}

#[test]
fn amplify_changes_one_line_of_the_users_config_and_undo_restores_every_byte() {
    let original = user_config();
    let mut tui = Tui::ready_with_config(120, 40, &original);
    let path = tui.config_path();
    let status = tui.status();
    assert!(
        status.contains(&format!("config: {} ", path.display())),
        "the status bar names the config file: {status}"
    );
    let (name, handle) = tui.selected_author();
    assert_eq!(handle, "@bob.bsky.social", "Core's newest post in the demo");
    let star = format!("✦ {name}");
    let screen = tui.text();
    assert!(!screen.contains(&star), "{handle} starts plain:\n{screen}");

    tui.send("a");
    let status = tui.wait_for_status("the amplify confirmation", |s| {
        s.contains(&format!("amplified {handle} — u to undo"))
    });
    assert!(!status.contains("created"), "the file was there: {status}");
    let edited = tui.read_config();
    let (removed, added) = changed_lines(&original, &edited);
    assert_eq!(
        removed,
        [format!("{AMPLIFY_LINE}  # the few\n")],
        "only the [amplify] line changes:\n{edited}"
    );
    assert_eq!(
        added,
        [amplified_line(&handle, Some("the few"))],
        "the account joins the list, the comment stays:\n{edited}"
    );
    assert!(
        edited.contains(&format!("[amplify]\n{}", added[0])),
        "{edited}"
    );
    // The new rules are in use: the author's cards are starred.
    tui.wait_for("the author's cards to be starred", |s| s.contains(&star));

    tui.send("u");
    tui.wait_for_status("the undo confirmation", |s| {
        s.contains("undid the last edit")
    });
    assert_eq!(tui.read_config(), original, "undo restores the exact bytes");
    tui.wait_for("the stars to go", |s| !s.contains(&star));

    // One edit, one undo.
    tui.send("u");
    tui.wait_for_status("nothing more to undo", |s| s.contains("nothing to undo"));
    assert_eq!(tui.read_config(), original);
    tui.quit();
}

#[test]
fn muting_for_a_day_writes_a_timed_mute_hides_the_posts_and_undo_restores_the_file() {
    let original = user_config();
    let mut tui = Tui::ready_with_config(120, 40, &original);
    let first = tui.open_detail();
    tui.close_overlay(DETAIL_TITLE);
    let (name, handle) = author_of(&first);
    assert_eq!(handle, "@bob.bsky.social", "Core's newest post in the demo");
    // A card's header: `Bob Lindqvist @bob.bsky.social   4m`.
    let card = format!("{name} {handle}");
    let boost = format!("boosted by {name}");
    let screen = tui.text();
    assert!(screen.contains(&card), "{screen}");

    tui.send("m");
    let title = format!("Mute {handle}");
    tui.wait_for_screen("the mute menu", |s| overlay_lines(s, &title).is_some());
    let menu = tui.overlay(&title).unwrap().join("\n");
    assert!(
        menu.lines()
            .any(|l| l.trim_start().starts_with('2') && l.ends_with("for 1 day")),
        "{menu}"
    );
    let before = Utc::now();
    tui.send("2");
    tui.wait_for_status("the mute confirmation", |s| {
        s.contains(&format!("muted {handle} for 1 day — u to undo"))
    });
    let after = Utc::now();
    assert!(tui.overlay(&title).is_none(), "the menu closed");

    let edited = tui.read_config();
    let (removed, added) = changed_lines(&original, &edited);
    assert!(removed.is_empty(), "nothing removed: {removed:?}\n{edited}");
    let added: Vec<&str> = added
        .iter()
        .map(|l| l.trim_end())
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(added.len(), 2, "a table and one entry: {added:?}");
    assert_eq!(added[0], "[mute.until]", "{edited}");
    let (entry, note) = written(&handle);
    let line = match &note {
        Some(note) => added[1].strip_suffix(&format!("  # {note}")),
        None => Some(added[1]),
    };
    let until = line
        .and_then(|l| l.strip_prefix(&format!("\"{entry}\" = ")))
        .unwrap_or_else(|| panic!("not an entry for {handle}: {}", added[1]));
    let until = DateTime::parse_from_rfc3339(until)
        .unwrap_or_else(|e| panic!("not an RFC 3339 time: {until}: {e}"))
        .with_timezone(&Utc);
    let day = TimeDelta::days(1);
    assert!(
        until >= before + day - TimeDelta::seconds(1) && until <= after + day,
        "a day from now ({before}): {until}"
    );

    // The author's posts and boosts are gone from every column.
    let screen = tui.wait_for("the author's posts to go", |s| {
        !s.contains(&card) && !s.contains(&boost)
    });
    assert!(screen.contains("╭ Core"), "{screen}");
    let now_first = tui.open_detail();
    tui.close_overlay(DETAIL_TITLE);
    assert_ne!(author_of(&now_first).1, handle, "{}", now_first.join("\n"));
    assert_ne!(
        post_key(&now_first),
        post_key(&first),
        "the selection moved"
    );
    assert!(landed_in(&now_first, "Core"), "{}", now_first.join("\n"));

    tui.send("u");
    tui.wait_for_status("the undo confirmation", |s| {
        s.contains("undid the last edit")
    });
    assert_eq!(tui.read_config(), original, "undo restores the exact bytes");
    tui.wait_for("the author's posts to come back", |s| s.contains(&card));
    tui.quit();
}

#[test]
fn the_first_edit_on_the_builtin_default_creates_the_config_file() {
    let mut tui = Tui::ready(200, 40);
    let path = tui.config_path();
    assert!(!path.exists(), "no config file yet");
    let status = tui.status();
    assert!(status.contains("config: built-in default"), "{status}");
    let (_, handle) = tui.selected_author();

    tui.send("a");
    let status = tui.wait_for_status("the note that the file was created", |s| {
        s.contains("(created ")
    });
    let shown = path.display().to_string();
    assert!(
        status.contains(&format!(
            "amplified {handle} — u to undo (created {shown} from the default)"
        )),
        "{status}"
    );
    assert!(!status.contains("built-in default"), "{status}");
    // Once the message is gone (any key), the right side names the file.
    tui.send("k");
    let status = tui.wait_for_status("the path on the right", |s| {
        s.trim_end().ends_with(&format!("config: {shown} ? help"))
    });
    assert!(!status.contains("(created "), "{status}");
    let created = tui.read_config();
    let (removed, added) = changed_lines(DEFAULT_CONFIG, &created);
    assert_eq!(removed, [format!("{AMPLIFY_LINE}\n")], "{created}");
    assert_eq!(added, [amplified_line(&handle, None)], "{created}");

    // Undo puts the default's text back in the file.
    tui.send("u");
    tui.wait_for_status("the undo confirmation", |s| {
        s.contains("undid the last edit")
    });
    assert_eq!(tui.read_config(), DEFAULT_CONFIG);
    tui.send("k");
    tui.wait_for_status("the file still named", |s| {
        s.contains(&format!("config: {shown}"))
    });

    // The new file is watched like any other.
    let renamed = replace_once(DEFAULT_CONFIG, "name = \"Alerts\"", "name = \"Pings\"");
    tui.save_config_by_rename(&renamed);
    tui.wait_for_screen("the renamed column", |s| {
        let (_, cols) = s.size();
        s.rows(0, cols)
            .next()
            .is_some_and(|top| column_names(&top).contains(&"Pings".to_string()))
    });
    tui.quit();
}

#[test]
fn an_edit_made_on_disk_while_running_is_kept_by_a_keyboard_edit() {
    let original = user_config();
    let mut tui = Tui::ready_with_config(120, 40, &original);
    let (_, handle) = tui.selected_author();

    // Another editor writes the file in place.
    let external = format!("{original}\n# added in another editor while circles ran\n");
    std::fs::write(tui.config_path(), &external).unwrap();
    tui.wait_for_status("the reload", |s| s.contains("config reloaded"));

    tui.send("a");
    tui.wait_for_status("the amplify confirmation", |s| {
        s.contains(&format!("amplified {handle} — u to undo"))
    });
    let edited = tui.read_config();
    let (removed, added) = changed_lines(&external, &edited);
    assert_eq!(
        removed,
        [format!("{AMPLIFY_LINE}  # the few\n")],
        "the edit went into the text on disk:\n{edited}"
    );
    assert_eq!(
        added,
        [amplified_line(&handle, Some("the few"))],
        "{edited}"
    );
    assert!(
        edited.ends_with("\n# added in another editor while circles ran\n"),
        "{edited}"
    );

    // Undo goes back to the text the edit was made on.
    tui.send("u");
    tui.wait_for_status("the undo confirmation", |s| {
        s.contains("undid the last edit")
    });
    assert_eq!(tui.read_config(), external);
    tui.quit();
}

#[test]
fn a_config_saved_by_rename_is_reloaded_live() {
    let original = user_config();
    let mut tui = Tui::ready_with_config(200, 50, &original);
    let before = column_names(&tui.rows()[0]);
    assert_eq!(
        before,
        ["Core", "Mentions", "Alerts", "Rust", "Everyone else"],
        "{}",
        tui.text()
    );

    let renamed = replace_once(&original, "name = \"Rust\"", "name = \"Rustaceans\"");
    tui.save_config_by_rename(&renamed);
    tui.wait_for_screen("the renamed column and the reload note", |s| {
        let (_, cols) = s.size();
        let rows: Vec<String> = s.rows(0, cols).collect();
        column_names(&rows[0]).get(3).map(String::as_str) == Some("Rustaceans")
            && rows.last().is_some_and(|r| r.contains("config reloaded"))
    });
    let rows = tui.rows();
    assert_eq!(
        column_names(&rows[0]),
        ["Core", "Mentions", "Alerts", "Rustaceans", "Everyone else"]
    );
    let screen = rows.join("\n");
    assert!(!screen.contains("no posts yet"), "{screen}");
    // The renamed column keeps its posts: focus it and look.
    tui.send("lll");
    let detail = tui.open_detail();
    assert!(landed_in(&detail, "Rustaceans"), "{}", detail.join("\n"));
    tui.close_overlay(DETAIL_TITLE);
    assert_eq!(tui.read_config(), renamed, "a reload never writes");
    tui.quit();
}

#[test]
fn a_broken_config_on_disk_keeps_the_last_good_rules_and_says_where() {
    let original = user_config();
    let mut tui = Tui::ready_with_config(200, 50, &original);
    let path = tui.config_path().display().to_string();
    let top = tui.rows()[0].clone();
    let names = column_names(&top);
    assert_eq!(
        names,
        ["Core", "Mentions", "Alerts", "Rust", "Everyone else"]
    );
    let rust_line = original
        .lines()
        .position(|l| l == "name = \"Rust\"")
        .expect("the Rust column's name")
        + 1;

    // A value left out: a TOML syntax error.
    let broken = replace_once(&original, "name = \"Rust\"", "name = ");
    tui.save_config_by_rename(&broken);
    let status = tui.wait_for_status("the config error banner", |s| s.starts_with(CONFIG_ERROR));
    assert!(
        status.contains(&format!("{path}:{rust_line}:8: error: ")),
        "the banner points at line {rust_line}: {status}"
    );
    // The last good rules still run: the same columns, the same counts.
    let rows = tui.rows();
    assert_eq!(rows[0], top, "the columns changed:\n{}", rows.join("\n"));
    assert!(!rows.join("\n").contains("no posts yet"));

    // A keyboard edit is not written into a broken file.
    tui.send("a");
    let detail = tui.open_detail();
    tui.close_overlay(DETAIL_TITLE);
    assert!(landed_in(&detail, "Core"), "{}", detail.join("\n"));
    assert_eq!(
        tui.read_config(),
        broken,
        "an edit was written into the broken file"
    );
    assert!(tui.status().starts_with(CONFIG_ERROR), "{}", tui.status());

    // Valid TOML, but two columns named Core.
    let duplicate = replace_once(&original, "name = \"Rust\"", "name = \"Core\"");
    tui.save_config_by_rename(&duplicate);
    let status = tui.wait_for_status("the duplicate name error", |s| {
        s.starts_with(CONFIG_ERROR) && s.contains("already a column named `Core`")
    });
    assert!(
        status.contains(&format!("{path}:{rust_line}:8: error: ")),
        "the banner points at line {rust_line}: {status}"
    );
    assert_eq!(column_names(&tui.rows()[0]), names);

    // Fixed: the banner goes.
    tui.save_config_by_rename(&original);
    tui.wait_for_status("the banner to go", |s| {
        !s.contains("config error") && s.contains("config reloaded")
    });
    tui.send("k");
    tui.wait_for_status("the path on the right", |s| {
        s.contains(&format!("config: {path}"))
    });
    assert_eq!(column_names(&tui.rows()[0]), names);
    tui.quit();
}

#[test]
fn v_reveals_muted_posts_dimmed_and_hides_them_again() {
    let config = replace_once(
        &user_config(),
        MUTE_LINE,
        r#"accounts = ["@megaphone@mastodon.social", "bob.bsky.social"]"#,
    );
    let mut tui = Tui::ready_with_config(120, 40, &config);
    let card = "Bob Lindqvist @bob.bsky.social";
    let screen = tui.text();
    assert!(!screen.contains(card), "Bob is muted:\n{screen}");
    assert!(!screen.contains("⊘ muted ("), "{screen}");

    tui.send("v");
    tui.wait_for_status("the reveal note", |s| s.contains("dimmed — v hides them"));
    let screen = tui.wait_for("the muted posts", |s| {
        s.contains("⊘ muted (account)") && s.contains(card)
    });
    let marks = tui.with_screen(|s| {
        cells_of(s, "⊘ muted (account)")
            .into_iter()
            .map(|(r, c)| s.cell(r, c).is_some_and(|cell| cell.dim()))
            .collect::<Vec<bool>>()
    });
    assert!(!marks.is_empty(), "{screen}");
    assert!(
        marks.iter().all(|dim| *dim),
        "muted posts are dimmed: {marks:?}\n{screen}"
    );
    let headers = tui.with_screen(|s| {
        cells_of(s, card)
            .into_iter()
            .map(|(r, c)| s.cell(r, c).is_some_and(|cell| cell.dim()))
            .collect::<Vec<bool>>()
    });
    assert!(headers.iter().any(|dim| *dim), "{headers:?}\n{screen}");

    tui.send("v");
    tui.wait_for_status("the hide note", |s| s.contains("muted posts hidden"));
    let screen = tui.wait_for("the muted posts to go", |s| {
        !s.contains("⊘ muted (") && !s.contains(card)
    });
    assert!(screen.contains("╭ Core"), "{screen}");
    tui.quit();
}

#[test]
fn e_explains_why_the_selected_post_is_where_it_is() {
    let mut tui = Tui::ready(120, 40);
    let (_, handle) = tui.selected_author();
    tui.send("e");
    tui.wait_for_screen("the explain overlay", |s| {
        overlay_lines(s, EXPLAIN_TITLE).is_some()
    });
    let explain = tui.overlay(EXPLAIN_TITLE).unwrap().join("\n");
    assert!(explain.contains(&format!("by {handle}")), "{explain}");
    assert!(
        explain.contains(&format!("Core: matched accounts lists the author {handle}")),
        "{explain}"
    );
    assert!(
        explain.contains("Mentions: no include rule matched"),
        "{explain}"
    );
    assert!(
        explain.contains("Everyone else (rest): skipped"),
        "{explain}"
    );
    // The summary is the last line; on a short screen it may be below the
    // box, so scroll down to it: j scrolls, no further than the last line.
    let summary = |s: &vt100::Screen| {
        overlay_lines(s, EXPLAIN_TITLE).is_some_and(|l| l.iter().any(|l| l.contains("=> columns:")))
    };
    if !tui.with_screen(summary) {
        tui.send("jjjjjjjj");
    }
    tui.wait_for_screen("the explain summary", summary);
    let explain = tui.overlay(EXPLAIN_TITLE).unwrap().join("\n");
    assert!(explain.contains("=> columns: Core"), "{explain}");

    tui.close_overlay(EXPLAIN_TITLE);
    // Closed, keys work on the main screen again.
    tui.send("?");
    tui.wait_for("the help", |s| s.contains(HELP_TITLE));
    tui.close_overlay(HELP_TITLE);
    tui.quit();
}

#[test]
fn undo_never_loses_a_change_made_on_disk_after_the_edit() {
    let original = user_config();
    let mut tui = Tui::ready_with_config(120, 40, &original);
    tui.send("a");
    tui.wait_for_status("the amplify confirmation", |s| s.contains("amplified @"));
    let note = "# a note written in vim after the edit\n";
    let later = format!("{}{note}", tui.read_config());
    std::fs::write(tui.config_path(), &later).unwrap();
    tui.wait_for_status("the reload", |s| s.contains("config reloaded"));

    tui.send("u");
    let status = tui.wait_for_status("an answer to u", |s| {
        s.contains("undone") || s.contains("undid")
    });
    let text = tui.read_config();
    assert!(
        text.contains(note),
        "u lost the change made on disk ({status}):\n{text}"
    );
    tui.quit();
}

#[test]
fn the_explain_box_shows_its_summary_without_scrolling() {
    let mut tui = Tui::ready(120, 40);
    tui.send("e");
    tui.wait_for_screen("the explain overlay", |s| {
        overlay_lines(s, EXPLAIN_TITLE).is_some()
    });
    let explain = tui.overlay(EXPLAIN_TITLE).unwrap().join("\n");
    assert!(explain.contains("=> columns: Core"), "{explain}");
    tui.close_overlay(EXPLAIN_TITLE);
    tui.quit();
}

#[test]
fn a_restart_comes_back_with_the_same_selection_and_unread_counts() {
    let mut tui = Tui::ready(120, 40);
    // Read a little in Mentions, then in Core.
    tui.send("l");
    tui.send("j");
    tui.send("j");
    tui.send("h");
    for _ in 0..4 {
        tui.send("j");
    }
    let before = post_key(&tui.open_detail());
    tui.close_overlay(DETAIL_TITLE);
    // What is on screen counts as seen after a moment.
    std::thread::sleep(Duration::from_millis(1500));
    let titles = tui.rows()[0].clone();
    assert!(titles.contains("Core ("), "{titles}");

    let mut tui = tui.restart();
    tui.wait_for("the demo feed to be live", |s| s.contains("demo live · "));
    assert_eq!(tui.rows()[0], titles, "the same unread counts");
    let after = post_key(&tui.open_detail());
    assert_eq!(after, before, "the same post selected");
    tui.close_overlay(DETAIL_TITLE);
    tui.quit();
    assert!(tui.data_home().join("circles/circles.db").exists());
}

#[test]
fn posts_piped_on_stdin_show_while_keys_come_from_the_terminal() {
    let home = TempDir::new().unwrap();
    let input = home.path().join("posts.jsonl");
    let line = |id: u32, text: &str| {
        format!(
            "{{\"id\": \"{id}\", \"author\": \"@pipe@x.social\", \"text\": \"{text}\", \"created_at\": \"2026-11-22T10:0{id}:00Z\"}}\n"
        )
    };
    let text = format!(
        "{}not json\n{}",
        line(1, "first piped post"),
        line(2, "second piped post")
    );
    std::fs::write(&input, text).unwrap();
    let config = "[[source]]\nname = \"pipe\"\nkind = \"jsonl\"\npath = \"-\"\n\n[[column]]\nname = \"Piped\"\n";
    let mut tui = Tui::launch_in(home, 100, 30, Some(config), Some(&input));
    tui.wait_for("the piped posts", |s| {
        s.contains("second piped post") && s.contains("first piped post")
    });
    let status = tui.status();
    assert!(
        status.contains("pipe") && status.contains("1 skipped"),
        "{status}"
    );
    // Keys still work: the terminal, not stdin, is where they come from.
    tui.send("j");
    let detail = tui.open_detail().join("\n");
    assert!(detail.contains("first piped post"), "{detail}");
    tui.close_overlay(DETAIL_TITLE);
    tui.quit();
    tui.assert_restored();
}

/// A native post line written `minutes` ago, saying `text`.
fn native_line(id: &str, minutes: i64, text: &str) -> String {
    let at = (Utc::now() - TimeDelta::minutes(minutes)).to_rfc3339();
    serde_json::json!({"id": id, "author": "@ann@x.social", "text": text, "created_at": at})
        .to_string()
        + "\n"
}

/// A reader at the top of a column sees a post that arrives live slide in
/// at the top (TweetDeck's rule), not hidden behind a "▲ 1 new" marker.
#[test]
fn a_live_post_slides_in_at_the_top_of_the_column() {
    let home = TempDir::new().unwrap();
    let file = home.path().join("posts.jsonl");
    std::fs::write(&file, native_line("old", 30, "the older post")).unwrap();
    let config = format!(
        "[[source]]\nname = \"pipe\"\nkind = \"jsonl\"\npath = {:?}\nfollow = true\n\n[[column]]\nname = \"All\"\n",
        file.display().to_string()
    );
    let mut tui = Tui::launch_in(home, 100, 30, Some(&config), None);
    tui.wait_for("the older post", |s| s.contains("the older post"));
    tui.send("g");
    let mut out = std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .unwrap();
    out.write_all(native_line("new", 0, "a fresh arrival").as_bytes())
        .unwrap();
    drop(out);
    let screen = tui.wait_for("the new post", |s| s.contains("a fresh arrival"));
    let rows = tui.rows();
    let new_row = rows.iter().position(|r| r.contains("a fresh arrival"));
    let old_row = rows.iter().position(|r| r.contains("the older post"));
    assert!(new_row < old_row, "newest on top:\n{screen}");
    assert!(
        !screen.contains("▲"),
        "no marker for a post on screen:\n{screen}"
    );
    tui.quit();
}

/// A post boosted by someone the user does not follow, then by a Core
/// account, shows in Core as one card naming both boosters.
#[test]
fn a_later_boost_by_a_core_account_brings_the_post_into_core() {
    let home = TempDir::new().unwrap();
    let file = home.path().join("posts.jsonl");
    let boost = |by: &str| {
        let at = (Utc::now() - TimeDelta::minutes(3)).to_rfc3339();
        serde_json::json!({
            "id": "c1", "author": "@carla@x.social", "text": "carla's thought",
            "created_at": at, "boosted_by": by
        })
        .to_string()
            + "\n"
    };
    std::fs::write(&file, boost("@bob@x.social")).unwrap();
    let config = format!(
        "[[source]]\nname = \"pipe\"\nkind = \"jsonl\"\npath = {:?}\nfollow = true\n\n\
         [[column]]\nname = \"Core\"\naccounts = [\"@alice@x.social\"]\n\n\
         [[column]]\nname = \"Rest\"\nrest = true\n",
        file.display().to_string()
    );
    let tui = Tui::launch_in(home, 100, 30, Some(&config), None);
    tui.wait_for("carla's post", |s| s.contains("carla's thought"));
    assert!(
        tui.text().contains("Core ─"),
        "Core is empty: {}",
        tui.text()
    );
    let mut out = std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .unwrap();
    out.write_all(boost("@alice@x.social").as_bytes()).unwrap();
    drop(out);
    let screen = tui.wait_for("Core to hold the post", |s| s.contains("Core (1)"));
    assert!(
        screen.contains("@bob@x.social, @alice@x.social"),
        "{screen}"
    );
    // The cache keeps both boosters: after a restart the card is the same.
    let mut tui = tui.restart();
    let screen = tui.wait_for("the card again", |s| s.contains("carla's thought"));
    assert!(screen.contains("Core (1)"), "{screen}");
    assert!(
        screen.contains("@bob@x.social, @alice@x.social"),
        "{screen}"
    );
    tui.quit();
}

/// CPU ticks (user + system) the process has used so far.
fn cpu_ticks(pid: i32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// After one keyboard edit circles is idle again: its own reads of the
/// config are no change to react to, so it neither reads nor draws over
/// and over (it used to re-read every 3 s, forever).
#[test]
fn after_a_keyboard_edit_the_screen_goes_quiet() {
    let mut tui = Tui::ready_with_config(120, 40, DEFAULT_CONFIG);
    tui.send("a");
    tui.wait_for_status("the edit", |s| s.contains("u to undo"));
    // the notice goes after a few seconds, and then nothing more happens
    tui.wait_for_status("the notice to go", |s| !s.contains("u to undo"));
    std::thread::sleep(std::time::Duration::from_millis(500));
    let (bytes, ticks) = (tui.raw().len(), cpu_ticks(tui.pid()));
    std::thread::sleep(std::time::Duration::from_secs(4));
    assert_eq!(tui.raw().len(), bytes, "nothing was drawn while idle");
    assert!(cpu_ticks(tui.pid()) - ticks <= 1, "idle CPU after an edit");
    // a `cat` of the file is no change either
    let _ = std::fs::read_to_string(tui.config_path()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1000));
    assert_eq!(tui.raw().len(), bytes, "a read is no change");
    tui.quit();
}

/// A config that is a symlink into a dotfiles folder reloads when its
/// target is edited — in place, or by writing a new file and renaming it
/// over the target — not only when the link's own folder changes.
#[test]
fn a_symlinked_config_reloads_when_its_target_changes() {
    let home = TempDir::new().unwrap();
    let dotfiles = home.path().join("dotfiles");
    std::fs::create_dir_all(&dotfiles).unwrap();
    let target = dotfiles.join("circles.toml");
    std::fs::write(&target, DEFAULT_CONFIG).unwrap();
    let link_dir = home.path().join("config").join("circles");
    std::fs::create_dir_all(&link_dir).unwrap();
    std::os::unix::fs::symlink(&target, link_dir.join("config.toml")).unwrap();
    let tui = Tui::launch_in(home, 200, 40, None, None);
    tui.wait_for("the demo", |s| s.contains("demo live · "));
    // in place
    let mut out = std::fs::OpenOptions::new()
        .append(true)
        .open(&target)
        .unwrap();
    out.write_all(b"\n[[column]]\nname = \"Linked\"\n").unwrap();
    drop(out);
    tui.wait_for("the new column", |s| s.contains("Linked"));
    // a new file renamed over the target
    let tmp = dotfiles.join(".circles.toml.swp");
    let text = std::fs::read_to_string(&target)
        .unwrap()
        .replace("Linked", "Renamed");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, &target).unwrap();
    tui.wait_for("the renamed column", |s| s.contains("Renamed"));
}

/// A followed file that does not exist yet is waited for (the bar says so),
/// and one truncated and written again longer than before shows every new
/// line, not only those past the old end.
#[test]
fn a_followed_file_is_waited_for_and_read_again_when_rewritten() {
    let home = TempDir::new().unwrap();
    let file = home.path().join("later.jsonl");
    let config = format!(
        "[[source]]\nname = \"pipe\"\nkind = \"jsonl\"\npath = {:?}\nfollow = true\n\n[[column]]\nname = \"All\"\n",
        file.display().to_string()
    );
    let mut tui = Tui::launch_in(home, 120, 30, Some(&config), None);
    tui.wait_for_status("waiting for the file", |s| {
        s.contains("pipe waiting for the file")
    });
    std::fs::write(&file, native_line("1", 30, "before the rewrite")).unwrap();
    tui.wait_for_status("live", |s| s.contains("pipe live"));
    tui.wait_for("the first post", |s| s.contains("before the rewrite"));

    let rewritten: String = (0..3)
        .map(|i| native_line(&format!("re{i}"), 10 - i, &format!("rewritten line {i}")))
        .collect();
    std::fs::write(&file, rewritten).unwrap();
    let screen = tui.wait_for("all three rewritten lines", |s| {
        (0..3).all(|i| s.contains(&format!("rewritten line {i}")))
    });
    assert!(!screen.contains("skipped"), "{screen}");
    tui.quit();
}

/// A keyboard edit that races another writer keeps that writer's change.
/// A column of large regexes makes the check before each write take a
/// while (over a second in a debug build), and a line is appended to the
/// file while it runs; the edit must see that and make itself again on
/// the new text instead of renaming over it. Three rounds. (An edit made
/// twice can take longer than a notice shows: its notice must still show,
/// for its whole time from when it is shown; it used to be gone at once.)
#[test]
fn a_keyboard_edit_racing_another_writer_keeps_its_change() {
    let words: Vec<String> = (0..300).map(|i| format!("zq{i}x{}", i * 7)).collect();
    let alternation = words.join("|");
    let regexes: String = (0..60)
        .map(|i| format!("  '(?i)\\b({alternation})\\b{i}',\n"))
        .collect();
    let config = format!(
        "{}\n[[column]]\nname = \"Slow\"\nregex = [\n{regexes}]\n",
        user_config()
    );
    let mut tui = Tui::ready_with_config(160, 40, &config);
    let (_, handle) = tui.selected_author();
    let path = tui.config_path();
    let expected = [
        format!("amplified {handle} — u to undo"),
        format!("{handle} is no longer amplified — u to undo"),
        format!("amplified {handle} — u to undo"),
    ];
    for (round, done) in expected.iter().enumerate() {
        tui.send("a");
        std::thread::sleep(Duration::from_millis(300));
        let marker = format!("# appended by another program, round {round}");
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        writeln!(file, "{marker}").unwrap();
        drop(file);
        tui.wait_for_screen_within(Duration::from_secs(30), done, |s| {
            let (_, cols) = s.size();
            s.rows(0, cols)
                .last()
                .is_some_and(|row| row.contains(done.as_str()))
        });
        let text = tui.read_config();
        for earlier in 0..=round {
            assert!(
                text.contains(&format!("# appended by another program, round {earlier}")),
                "round {round}: the line appended in round {earlier} is lost:\n{text}"
            );
        }
        assert!(text.contains("name = \"Slow\""), "round {round}:\n{text}");
        let (entry, _) = written(&handle);
        assert_eq!(
            text.contains(&format!("\"{entry}\"")),
            round != 1,
            "round {round}: the edit itself:\n{text}"
        );
    }
    tui.quit();
}

/// Colours as the terminal gets them: 256-colour and RGB foregrounds and
/// backgrounds (crossterm writes every colour in one of these forms).
fn colour_codes(raw: &[u8]) -> usize {
    let text = String::from_utf8_lossy(raw);
    ["38;5;", "38;2;", "48;5;", "48;2;"]
        .iter()
        .map(|code| text.matches(code).count())
        .sum()
}

/// With `NO_COLOR` set, not one colour reaches the terminal, and the
/// focused column is still told apart (a heavy border); a theme's colour
/// does reach it.
#[test]
fn no_color_writes_no_colour_and_a_theme_writes_its_own() {
    let mut tui = Tui::ready_with_env((120, 30), None, &[("NO_COLOR", "1")]);
    let raw = tui.raw();
    assert_eq!(colour_codes(&raw), 0, "{}", String::from_utf8_lossy(&raw));
    assert!(tui.text().contains('┏'), "{}", tui.text());
    tui.quit();

    let config = format!(
        "{}\n[theme]\nfocus = 130\nlinks = \"#123456\"\n",
        circles::config::DEFAULT_CONFIG
    );
    let mut tui = Tui::ready_with_config(120, 30, &config);
    let raw = String::from_utf8_lossy(&tui.raw()).into_owned();
    // (crossterm writes a foreground and a background in one sequence.)
    assert!(raw.contains("\x1b[38;5;130;"), "the focus colour");
    assert!(raw.contains("\x1b[38;2;18;52;86;"), "the links colour");
    assert!(!tui.text().contains('┏'), "colours tell the focus here");
    tui.quit();
}

/// In a terminal known for clickable links (here WezTerm, by its
/// environment) the demo's links reach the pty as OSC 8 hyperlinks, and
/// the screen reads as it does without them; `[ui] hyperlinks = false`
/// turns them off.
///
/// Both screens are read after `ctrl-l` paints every cell: vt100 counts
/// some emoji (`☀️`) a cell narrower than circles does, so what it shows
/// of a line depends on which frames wrote it, whole or in part.
#[test]
fn links_are_clickable_where_the_terminal_makes_them_so() {
    let mut tui = Tui::ready_with_env((160, 40), None, &[("TERM_PROGRAM", "WezTerm")]);
    let raw = String::from_utf8_lossy(&tui.raw()).into_owned();
    assert!(raw.contains("\x1b]8;id="), "an OSC 8 link");
    assert!(raw.contains(";https://"), "to an https URL");
    let linked = tui.repainted_text();
    tui.quit();

    let config = format!(
        "{}\n[ui]\nhyperlinks = false\n",
        circles::config::DEFAULT_CONFIG
    );
    let mut tui = Tui::ready_with_env((160, 40), Some(&config), &[("TERM_PROGRAM", "WezTerm")]);
    assert!(!String::from_utf8_lossy(&tui.raw()).contains("\x1b]8;"));
    let plain = tui.repainted_text();
    tui.quit();
    // The cards, without their header rows: the two runs start a moment
    // apart, and an age that turns from `59m` to `1h` between them is a
    // header of another width, its name cut elsewhere. A column's header
    // row is the cell that ends in an age.
    let age = regex::Regex::new(r"\d+[smhdw]$").unwrap();
    let columns = |text: &str| {
        text.lines()
            .take(30)
            .map(|line| {
                line.split('│')
                    .map(|cell| match age.is_match(cell.trim_end()) {
                        true => "(header)".to_string(),
                        false => cell.replace(|c: char| c.is_ascii_digit(), "#"),
                    })
                    .collect::<Vec<_>>()
                    .join("│")
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(columns(&linked), columns(&plain), "the same screen");
}

/// What a test server answers a request with: status, type, body.
type Answer = (&'static str, &'static str, Vec<u8>);

/// A web server on 127.0.0.1, on a thread for as long as the test runs,
/// that answers each request by `respond(path, requests before it)`.
/// Returns its base URL and how many requests it has had.
fn serve(
    respond: impl Fn(&str, usize) -> Answer + Send + 'static,
) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{BufRead, BufReader};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = Arc::clone(&hits);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let before = counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                header.clear();
            }
            let at = request.split_whitespace().nth(1).unwrap_or("/");
            let (status, kind, body) = respond(at, before);
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    (base, hits)
}

/// [`serve`] with each path's bytes, and 404 for the rest.
fn serve_files(
    files: Vec<(&'static str, &'static str, Vec<u8>)>,
) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    serve(move |at, _| match files.iter().find(|(p, _, _)| *p == at) {
        Some((_, kind, body)) => ("200 OK", kind, body.clone()),
        None => ("404 Not Found", "text/plain", b"no".to_vec()),
    })
}

/// Waits until the bytes written to the pty hold `sign`.
fn wait_for_bytes(tui: &Tui, sign: &str) {
    let deadline = Instant::now() + WAIT;
    while !String::from_utf8_lossy(&tui.raw()).contains(sign) {
        assert!(
            Instant::now() < deadline,
            "no {sign:?} drawn:\n{}",
            tui.text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A config reading `posts.jsonl` (in `home`) into one column.
fn images_config(home: &TempDir, posts: &[String], extra: &str) -> String {
    let file = home.path().join("posts.jsonl");
    std::fs::write(&file, posts.concat()).unwrap();
    format!(
        "{extra}\n[[source]]\nname = \"pics\"\nkind = \"jsonl\"\npath = \"{}\"\n\n[[column]]\nname = \"Pics\"\n",
        file.display()
    )
}

fn picture_post(id: &str, url: &str, sensitive: bool) -> String {
    format!(
        "{{\"id\": \"{id}\", \"author\": \"@pix@x.social\", \"text\": \"look at post {id}\", \
         \"created_at\": \"2026-11-22T10:00:00Z\", \"sensitive\": {sensitive}, \
         \"media\": [{{\"kind\": \"image\", \"alt\": \"a red square {id}\", \"url\": \"{url}\"}}]}}\n"
    )
}

/// The detail view draws a post's image in a pseudo-terminal, with the
/// protocol forced: half blocks (coloured ▀ cells) and kitty's graphics
/// (its APC sequence); the description shows first, the file is kept in
/// the media cache, and a sensitive image waits for z.
#[test]
fn the_detail_view_draws_images_in_each_protocol() {
    let png = super::images::picture(image::ImageFormat::Png);
    let (base, _) = serve_files(vec![("/red.png", "image/png", png)]);
    let url = format!("{base}/red.png");
    for (protocol, sign) in [("halfblocks", "▀"), ("kitty", "\x1b_G")] {
        let home = TempDir::new().unwrap();
        let config = images_config(&home, &[picture_post("1", &url, false)], "");
        let mut tui = Tui::with_env(
            home,
            (100, 40),
            Some(&config),
            &[("CIRCLES_IMAGE_PROTOCOL", protocol)],
        );
        tui.wait_for("the post", |s| s.contains("look at post 1"));
        tui.send("\r");
        tui.wait_for("the description", |s| s.contains("▣ image: a red square 1"));
        wait_for_bytes(&tui, sign);
        let text = tui.text();
        assert!(!text.contains("loading the image"), "{protocol}:\n{text}");
        let media = tui.home.path().join(".cache/circles/media");
        let kept = std::fs::read_dir(&media).map_or(0, |d| d.count());
        assert_eq!(
            kept,
            1,
            "{protocol}: the file is cached in {}",
            media.display()
        );
        tui.close_overlay(DETAIL_TITLE);
        tui.quit();
    }

    // Sensitive: hidden, and fetched only once z opens it.
    let (base, hits) = serve_files(vec![(
        "/red.png",
        "image/png",
        super::images::picture(image::ImageFormat::Png),
    )]);
    let home = TempDir::new().unwrap();
    let url = format!("{base}/red.png");
    let config = images_config(&home, &[picture_post("2", &url, true)], "");
    let mut tui = Tui::with_env(
        home,
        (100, 40),
        Some(&config),
        &[("CIRCLES_IMAGE_PROTOCOL", "halfblocks")],
    );
    // The card is collapsed like a content warning; the detail view opens it.
    tui.wait_for("the collapsed post", |s| {
        s.contains("⚠ sensitive media") && !s.contains("look at post 2")
    });
    tui.send("\r");
    tui.wait_for("the hidden image", |s| {
        s.contains("sensitive image hidden: z shows it")
    });
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "not fetched"
    );
    tui.send("z");
    wait_for_bytes(&tui, "▀");
    tui.close_overlay(DETAIL_TITLE);
    tui.quit();
}

/// An image whose server is busy at first (503) says so and is asked for
/// again after the wait (`CIRCLES_IMAGE_RETRY`, two seconds here), then
/// shows.
#[test]
fn an_image_that_failed_for_a_passing_reason_is_tried_again() {
    let png = super::images::picture(image::ImageFormat::Png);
    let (base, hits) = serve(move |_, before| match before {
        0 => ("503 Service Unavailable", "text/plain", b"busy".to_vec()),
        _ => ("200 OK", "image/png", png.clone()),
    });
    let url = format!("{base}/busy.png");
    let home = TempDir::new().unwrap();
    let config = images_config(&home, &[picture_post("3", &url, false)], "");
    let mut tui = Tui::with_env(
        home,
        (100, 40),
        Some(&config),
        &[
            ("CIRCLES_IMAGE_PROTOCOL", "halfblocks"),
            ("CIRCLES_IMAGE_RETRY", "2"),
        ],
    );
    tui.wait_for("the post", |s| s.contains("look at post 3"));
    tui.send("\r");
    tui.wait_for("the failure and when it is tried again", |s| {
        s.contains("image not shown") && s.contains("503") && s.contains("trying")
    });
    wait_for_bytes(&tui, "▀");
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 2);
    tui.close_overlay(DETAIL_TITLE);
    tui.quit();
}

mod act;
mod columns;
mod people;

/// A post arriving live in a `notify = "desktop"` column, in WezTerm:
/// exactly one OSC 777 notification, its text cleaned of everything that
/// could end the escape; inside tmux, wrapped in its passthrough.
#[test]
fn a_desktop_alert_is_one_osc_777_with_the_posts_text_made_safe() {
    for tmux in [false, true] {
        let home = TempDir::new().unwrap();
        let file = home.path().join("posts.jsonl");
        std::fs::write(&file, native_line("old", 30, "the older post")).unwrap();
        let config = format!(
            "[[source]]\nname = \"pipe\"\nkind = \"jsonl\"\npath = {:?}\nfollow = true\n\n\
             [[column]]\nname = \"All\"\nnotify = \"desktop\"\n",
            file.display().to_string()
        );
        let mut envs = vec![("TERM_PROGRAM", "WezTerm")];
        if tmux {
            envs.push(("TMUX", "/tmp/tmux-1000/default,4242,0"));
        }
        let mut tui = Tui::with_env(home, (100, 30), Some(&config), &envs);
        tui.wait_for("the older post, live", |s| {
            s.contains("the older post") && s.contains("pipe live")
        });
        let hostile = "ping\u{1b}]52;c;ZXZpbA==\u{7} me; now\u{1b}\\ or\u{9b}31m never";
        let mut out = std::fs::OpenOptions::new()
            .append(true)
            .open(&file)
            .unwrap();
        out.write_all(native_line("new", 0, hostile).as_bytes())
            .unwrap();
        drop(out);
        tui.wait_for("the new post", |s| s.contains("never"));
        let deadline = Instant::now() + WAIT;
        let lead = if tmux {
            "\u{1b}Ptmux;\u{1b}\u{1b}]777;notify;"
        } else {
            "\u{1b}]777;notify;"
        };
        let raw = loop {
            let raw = String::from_utf8_lossy(&tui.raw()).into_owned();
            if raw.contains(lead) || Instant::now() > deadline {
                break raw;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        assert_eq!(raw.matches("]777;").count(), 1, "one notification: {raw:?}");
        let start = raw.find(lead).expect("the notification") + lead.len();
        let end = if tmux { "\u{1b}\u{1b}\\" } else { "\u{1b}\\" };
        let inner = &raw[start..start + raw[start..].find(end).expect("its end")];
        assert!(
            inner.starts_with("circles · All;@ann@x.social: ping"),
            "{inner:?}"
        );
        assert!(
            inner.contains("never"),
            "the whole text is inside: {inner:?}"
        );
        assert!(
            !inner.contains(['\u{1b}', '\u{7}', '\u{9b}']),
            "nothing ends or starts an escape: {inner:?}"
        );
        assert_eq!(
            inner.matches(';').count(),
            1,
            "only the separator: {inner:?}"
        );
        tui.quit();
    }
}

/// `[notify] command` runs the program with the title and body as
/// arguments: what a post says is never read by a shell.
#[test]
fn the_notify_command_gets_the_text_as_arguments_never_as_shell() {
    let home = TempDir::new().unwrap();
    let file = home.path().join("posts.jsonl");
    let said = home.path().join("said.txt");
    let pwned = home.path().join("pwned");
    std::fs::write(&file, native_line("old", 30, "the older post")).unwrap();
    let config = format!(
        "[[source]]\nname = \"pipe\"\nkind = \"jsonl\"\npath = {:?}\nfollow = true\n\n\
         [[column]]\nname = \"All\"\nnotify = \"desktop\"\n\n\
         [notify]\ncommand = [\"/bin/sh\", \"-c\", 'printf \"%s|%s\" \"$1\" \"$2\" > \"$0\"', {:?}, \"{{title}}\", \"{{body}}\"]\n",
        file.display().to_string(),
        said.display().to_string(),
    );
    let mut tui = Tui::with_env(home, (100, 30), Some(&config), &[]);
    tui.wait_for("the older post, live", |s| {
        s.contains("the older post") && s.contains("pipe live")
    });
    let text = format!(
        "hi $(touch {}) `touch {}`",
        pwned.display(),
        pwned.display()
    );
    let mut out = std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .unwrap();
    out.write_all(native_line("new", 0, &text).as_bytes())
        .unwrap();
    drop(out);
    let deadline = Instant::now() + WAIT;
    while !said.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(100));
    let got = std::fs::read_to_string(&said).expect("the command ran");
    assert_eq!(got, format!("circles · All|@ann@x.social: {text}"));
    assert!(!pwned.exists(), "the post's text was not run");
    tui.quit();
}

#[test]
fn s_shows_everyone_else_as_people_enter_opens_their_posts_and_esc_returns() {
    let mut tui = Tui::ready(120, 40);
    // Everyone else is the last of the demo's five columns.
    tui.send("llll");
    tui.send("s");
    let digest = tui.wait_for("the digest", |s| {
        s.contains("posts from") && s.contains("by count")
    });
    assert!(digest.contains(" · latest "), "{digest}");
    // The first person's posts, as cards.
    tui.send("\r");
    let cards = tui.wait_for("the person's posts", |s| !s.contains("by count"));
    assert!(!cards.contains("posts from"), "{cards}");
    tui.send(ESC);
    tui.wait_for("the digest again", |s| {
        s.contains("posts from") && s.contains("by count")
    });
    // s again: back to cards, caught up.
    tui.send("s");
    tui.wait_for_status("caught up", |s| s.contains("caught up"));
}
