//! The TUI: the event loop, the only place that touches the terminal, the
//! clock, signals and the browser (ARCHITECTURE.md, "Data flow").
//!
//! One channel carries everything that happens — terminal events, source
//! messages, timer ticks, config file changes, signals. The loop waits for
//! something, drains whatever else is pending, applies it all with
//! `app::update`, has the [`runtime`] carry out the effects (each one's
//! result goes back through `update`), and draws once. With nothing
//! happening it sleeps: no redraw without a cause. Nothing here writes
//! `AppState`. The terminal is restored on quit, on a panic, on SIGTERM
//! and SIGHUP, and around Ctrl-Z ([`terminal`]).

mod alert;
mod images;
mod runtime;
mod terminal;

pub use terminal::chord;

use super::ConfigLocation;
use super::config_file::ConfigFile;
use crate::app::{Action, AppState, ConfigStatus, Effect, update};
use crate::cache::{DEFAULT_PER_SOURCE, Db, Writer};
use crate::filter::Compiled;
use crate::model::SourceEvent;
use crate::source;
use crate::store::{self, Snapshot};
use crate::ui;
use anyhow::Context;
use chrono::{Local, Utc};
use crossterm::event::Event as TermEvent;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use runtime::{Cursors, Outcome, Runtime};
use std::collections::VecDeque;
use std::io::{self, IsTerminal, Stdout};
use std::time::Duration;
use tokio::sync::mpsc;

/// Everything the loop can wake up for.
enum Event {
    Term(TermEvent),
    Source(SourceEvent),
    /// Time passed: relative times may read differently.
    Tick,
    /// Something changed in the config file's directory.
    ConfigFile,
    /// SIGTERM or SIGHUP: leave cleanly.
    Stop(&'static str),
    /// A reloaded config, compiled off the loop (see `Runtime::compiled`).
    Compiled {
        generation: u64,
        action: Action,
    },
    /// An image a frame wanted, made off the loop (see `images`).
    Image {
        key: ui::ImageKey,
        made: images::Made,
    },
    /// The wait after an image's passing failure is over: ask again.
    ImageRetry(String),
    /// Something the runtime's tasks learned for the app: a send's answer,
    /// a server's limits.
    Learned(Action),
}

type Screen = Terminal<CrosstermBackend<Stdout>>;

/// Opens the TUI on a loaded config.
pub fn run(
    compiled: Compiled,
    config: ConfigStatus,
    location: ConfigLocation,
    text: String,
) -> anyhow::Result<()> {
    if !io::stdout().is_terminal() {
        anyhow::bail!(
            "the screen needs a terminal on stdout; in a pipe use `circles route` \
             or `circles explain`"
        );
    }
    let (_log, log_note) = start_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start")?;
    let file = ConfigFile::new(&location, text);
    let result = runtime.block_on(event_loop(compiled, config, file, log_note));
    runtime.shutdown_timeout(Duration::from_millis(100));
    Ok(result?)
}

/// Logs go to `circles.log` in the XDG data dir, never to the screen.
/// When that file cannot be opened (a read-only dir, a log owned by
/// another user, a directory in its place), circles runs without a log and
/// the note says why.
fn start_logging() -> (
    Option<tracing_appender::non_blocking::WorkerGuard>,
    Option<String>,
) {
    let Some(dirs) = directories::ProjectDirs::from("", "", "circles") else {
        return (None, None);
    };
    let dir = dirs.data_local_dir();
    let path = dir.join("circles.log");
    let file = std::fs::create_dir_all(dir).and_then(|()| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
    });
    let file = match file {
        Ok(file) => file,
        Err(e) => {
            return (
                None,
                Some(format!("no log: cannot open {}: {e}", path.display())),
            );
        }
    };
    // A thousand lines waiting for the log thread is plenty; the default
    // (128,000) allocates 4 MB of slots at start.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(1024)
        .finish(file);
    let filter = tracing_subscriber::EnvFilter::try_from_env("CIRCLES_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let installed = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
    (installed.ok().map(|()| guard), None)
}

/// Seconds between demo posts: `$CIRCLES_DEMO_INTERVAL`, 0 for a still demo.
fn source_options() -> source::Options {
    let mut options = source::Options::default();
    if let Some(secs) = std::env::var("CIRCLES_DEMO_INTERVAL")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
    {
        options.demo_interval_secs = secs;
    }
    options
}

/// What opening the cache gave: the last run's state, and a note for the
/// status bar when something needs saying.
struct Opened {
    snapshot: Option<Snapshot>,
    note: Option<String>,
}

/// Opens the cache in the XDG data dir (`circles.db`), loads what it kept
/// and starts its writer thread. Without a cache circles still runs; it
/// just says why it will not remember.
fn open_cache() -> (Option<Writer>, Opened) {
    let Some(path) = super::people::cache_path() else {
        let note = Some("history not kept: no home directory".to_string());
        return (
            None,
            Opened {
                snapshot: None,
                note,
            },
        );
    };
    let (db, note) = match Db::open(&path) {
        Ok(opened) => opened,
        Err(why) => {
            tracing::warn!(path = %path.display(), %why, "no cache");
            let note = Some(format!("history not kept: cache {}: {why}", path.display()));
            return (
                None,
                Opened {
                    snapshot: None,
                    note,
                },
            );
        }
    };
    let snapshot = match db.load() {
        Ok(snapshot) => Some(snapshot),
        Err(why) => {
            tracing::warn!(path = %path.display(), %why, "cache unreadable");
            None
        }
    };
    let writer = Writer::spawn(db);
    writer.send(store::Write::Prune(DEFAULT_PER_SOURCE));
    (Some(writer), Opened { snapshot, note })
}

/// `NO_COLOR` set and not empty (no-color.org): draw without colours.
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Whether the terminal is one known to make OSC 8 links clickable
/// (kitty, WezTerm, iTerm2, foot, Ghostty, VTE-based ones, Windows
/// Terminal), told from its environment as `var` gives it. Not inside tmux
/// or screen, which pass the links on only when set up to.
fn terminal_links(var: &dyn Fn(&str) -> Option<String>) -> bool {
    let get = |key: &str| var(key).unwrap_or_default();
    let (term, program) = (get("TERM"), get("TERM_PROGRAM"));
    if !get("TMUX").is_empty() || term.starts_with("screen") || term.starts_with("tmux") {
        return false;
    }
    term.contains("kitty")
        || !get("KITTY_WINDOW_ID").is_empty()
        || term.starts_with("foot")
        || term.contains("ghostty")
        || matches!(program.as_str(), "WezTerm" | "iTerm.app" | "ghostty")
        || !get("VTE_VERSION").is_empty()
        || !get("WT_SESSION").is_empty()
}

async fn event_loop(
    compiled: Compiled,
    config: ConfigStatus,
    file: ConfigFile,
    log_note: Option<String>,
) -> io::Result<()> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Event>();
    let specs = compiled.config.sources.clone();
    let names: Vec<String> = specs.iter().map(|s| s.name.clone()).collect();
    let offset = *Local::now().offset();
    let mut state = AppState::new(
        compiled.rules,
        compiled.config.keymap,
        &names,
        config,
        Utc::now(),
    )
    .with_ui(
        compiled.config.raw.ui.clone(),
        terminal_links(&|key| std::env::var(key).ok()),
    )
    .with_theme(compiled.config.theme, no_color())
    .with_source_specs(specs.clone())
    .with_utc_offset(offset);

    let (writer, mut opened) = open_cache();
    let mut cursors = Cursors::new();
    for ((source, key), value) in opened
        .snapshot
        .as_mut()
        .map(|s| std::mem::take(&mut s.cursors))
        .unwrap_or_default()
    {
        cursors.entry(source).or_default().insert(key, value);
    }
    let mut runtime = Runtime::new(tx.clone(), file, writer, cursors, source_options());
    // Images: a frame asks for them only where they are on (a reload can
    // turn them on), so with them off nothing is ever fetched.
    let mut images = ui::Images::default();
    let mut worker = crate::media::MediaCache::default_dir().map(|dir| {
        let limit = state
            .ui
            .media_cache_mb
            .map_or(crate::media::DEFAULT_CACHE_BYTES, |mb| mb << 20);
        images::ImageWorker::new(tx.clone(), crate::media::MediaCache::new(dir, limit))
    });
    if let Some(worker) = &worker {
        tracing::info!(protocol = ?worker.protocol(), "images");
        runtime.set_image_files(worker.cache());
    }
    for spec in &specs {
        runtime.start_source(spec);
    }
    terminal::spawn_signals(tx.clone())?;

    terminal::restore_on_panic();
    terminal::enter_screen()?;
    let mut screen = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    let mut keyboard = terminal::spawn_terminal_events(tx.clone());
    let size = screen.size()?;
    // What the last run left, laid out at the real size, before the
    // first frame and before any source answers.
    let start = [
        Some(Action::Clock(Utc::now())),
        Some(Action::Resize {
            width: size.width,
            height: size.height,
        }),
        opened.snapshot.map(Action::Restore),
        Some(Action::Persisting(runtime.persisting())),
        opened.note.map(Action::Notice),
        log_note.map(Action::Notice),
    ];
    let mut effects: VecDeque<Effect> = VecDeque::new();
    for action in start.into_iter().flatten() {
        effects.extend(update(&mut state, action));
    }
    screen.draw(|f| ui::render_with(&state, &images, f))?;
    let wanted = images.take_wanted();
    if let Some(worker) = &mut worker {
        worker.request(wanted);
    }
    tracing::info!(sources = names.len(), "screen open");

    let mut batch = Vec::new();
    let outcome = 'run: loop {
        let mut wait = tick_interval(&state);
        if let Some(due) = runtime.config_due() {
            wait = wait.min(due.saturating_duration_since(std::time::Instant::now()));
        }
        tokio::select! {
            n = rx.recv_many(&mut batch, 512) => if n == 0 { break Ok(()) },
            _ = tokio::time::sleep(wait) => batch.push(Event::Tick),
        }
        // Nothing to draw unless something happened: a key, a source, time
        // passing, a config that changed.
        let mut happened = false;
        effects.extend(update(&mut state, Action::Clock(Utc::now())));
        for event in batch.drain(..) {
            let action = match event {
                Event::Term(event) => terminal::term_action(event),
                Event::Source(event) => {
                    log_source_event(&event);
                    Some(Action::Source(runtime.locate(event)))
                }
                Event::ConfigFile => {
                    runtime.config_touched();
                    None
                }
                Event::Tick => {
                    happened = true;
                    runtime.config_changed()
                }
                Event::Compiled { generation, action } => runtime.compiled(generation, action),
                Event::Learned(action) => {
                    use crate::model::{ActResult, PostResult};
                    if let Action::Acted {
                        result: ActResult::Failed(why),
                        ..
                    }
                    | Action::Posted {
                        result: PostResult::Failed(why),
                        ..
                    } = &action
                    {
                        tracing::warn!("not done: {why}");
                    }
                    Some(action)
                }
                Event::Image { key, made } => {
                    let said = worker.as_mut().and_then(|w| w.done(&key, &made));
                    match made {
                        Ok(image) => images.insert(key, image),
                        Err(f) => images.fail(key.0, said.unwrap_or(f.why)),
                    }
                    happened = true;
                    None
                }
                Event::ImageRetry(url) => {
                    images.forget_failure(&url);
                    happened = true;
                    None
                }
                Event::Stop(why) => {
                    tracing::info!(signal = why, "stopping");
                    break 'run Ok(());
                }
            };
            if let Some(action) = action {
                happened = true;
                effects.extend(update(&mut state, action));
            }
        }
        happened |= !effects.is_empty();
        while let Some(effect) = effects.pop_front() {
            match runtime.carry_out(effect)? {
                Outcome::Done => {}
                Outcome::Quit => break 'run Ok(()),
                Outcome::Suspend => terminal::suspend(&mut screen)?,
                Outcome::Redraw => terminal::repaint(&mut screen)?,
                Outcome::EditDraft(text) => {
                    // The editor reads the keys now, not the event stream.
                    keyboard.abort();
                    let _ = (&mut keyboard).await;
                    let edited = terminal::edit_externally(&mut screen, &text);
                    keyboard = terminal::spawn_terminal_events(tx.clone());
                    effects.extend(update(&mut state, Action::DraftEdited(edited)));
                }
                Outcome::Then(action) => {
                    // An effect can take a while (a keyboard edit compiles
                    // the config): its answer is news as of now, so a
                    // notice it brings shows for its whole time.
                    effects.extend(update(&mut state, Action::Clock(Utc::now())));
                    effects.extend(update(&mut state, action));
                }
            }
        }
        if happened && let Err(e) = screen.draw(|f| ui::render_with(&state, &images, f)) {
            break Err(e);
        }
        let wanted = images.take_wanted();
        if let Some(worker) = &mut worker {
            worker.request(wanted);
        }
    };
    terminal::leave_screen();
    runtime.finish().await;
    // Dropping the runtime stops watching and commits what is pending.
    drop(runtime);
    outcome
}

/// How long the screen may stay as it is: relative times of posts under a
/// minute old change every few seconds, older ones every minute.
fn tick_interval(state: &AppState) -> Duration {
    let newest = state.timeline.newest();
    let labels = match newest {
        Some(t) if (state.now - t).num_seconds() < 60 => Duration::from_secs(10),
        _ => Duration::from_secs(60),
    };
    // Wake when a timed mute ends, when posts on screen count as seen,
    // when the status bar changes (a notice goes, a wait counts down), and
    // when alerts a burst held back are due.
    [
        state.next_expiry,
        state.next_seen_due(),
        state.next_status_change(),
        state.held_alerts.due(),
        state.markers.due(),
    ]
    .into_iter()
    .flatten()
    .map(|t| match (t - state.now).to_std() {
        Ok(until) => until + Duration::from_millis(50),
        Err(_) => Duration::from_millis(50),
    })
    .fold(labels, Duration::min)
}

fn log_source_event(event: &SourceEvent) {
    match event {
        SourceEvent::State { source, state } => tracing::info!(source, ?state, "source state"),
        SourceEvent::Skipped { source, problem } => tracing::warn!(source, problem, "skipped"),
        SourceEvent::Titled { source, title } => tracing::info!(source, title, "titled"),
        SourceEvent::Posts { source, posts } => {
            tracing::debug!(source, count = posts.len(), "posts")
        }
        SourceEvent::Updated { source, post } => tracing::debug!(source, id = post.id, "edited"),
        SourceEvent::Deleted { source, id } => tracing::debug!(source, id, "deleted"),
        SourceEvent::Cursor { source, key, value } => {
            tracing::debug!(source, key, value, "cursor")
        }
        SourceEvent::ReadMarker { source, mark, .. } => {
            tracing::debug!(source, ?mark, "read marker")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::terminal_links;

    fn with(vars: &[(&str, &str)]) -> bool {
        terminal_links(&|key| {
            vars.iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v).to_string())
        })
    }

    #[test]
    fn a_contained_panic_comes_back_as_an_error() {
        let caught = super::terminal::contained(|| -> u8 { panic!("a crafted image") });
        assert_eq!(caught, Err("a crafted image".to_string()));
        assert_eq!(
            super::terminal::contained(|| 7),
            Ok(7),
            "and the next work runs"
        );
    }

    #[test]
    fn links_are_clickable_in_the_terminals_known_for_it() {
        for vars in [
            &[("TERM", "xterm-kitty")][..],
            &[("TERM", "xterm-256color"), ("TERM_PROGRAM", "WezTerm")],
            &[("TERM_PROGRAM", "iTerm.app")],
            &[("TERM", "foot")],
            &[("TERM", "xterm-ghostty")],
            &[("TERM", "xterm-256color"), ("VTE_VERSION", "7600")],
            &[("WT_SESSION", "1b2c")],
        ] {
            assert!(with(vars), "{vars:?}");
        }
        for vars in [
            &[("TERM", "xterm-256color")][..],
            &[("TERM", "linux")],
            &[],
            // tmux passes them on only when set up to.
            &[
                ("TERM", "tmux-256color"),
                ("TMUX", "/tmp/tmux-0/default,1,0"),
            ],
            &[("TERM", "screen-256color"), ("VTE_VERSION", "7600")],
        ] {
            assert!(!with(vars), "{vars:?}");
        }
    }
}
