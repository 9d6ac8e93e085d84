//! The TUI's event loop and terminal handling: the only place that touches
//! the terminal, the clock, signals and the browser.
//!
//! One channel carries everything that happens — terminal events, source
//! messages, timer ticks, signals. The loop waits for something, drains
//! whatever else is pending, applies it all with `app::update`, carries out
//! the effects, and draws once. With nothing happening it sleeps: no redraw
//! without a cause. The terminal is restored on quit, on a panic, on
//! SIGTERM and SIGHUP, and around Ctrl-Z.

use super::ConfigLocation;
use super::config_file::ConfigFile;
use crate::app::{Action, AppState, ConfigChange, ConfigStatus, ConfigWhy, Effect, update};
use crate::cache::{DEFAULT_PER_SOURCE, Db, Writer};
use crate::config::{Key, KeyChord, NamedKey, SourceSpec};
use crate::filter::Compiled;
use crate::model::SourceEvent;
use crate::source;
use crate::store::{self, Snapshot};
use crate::ui;
use anyhow::Context;
use chrono::{Local, Utc};
use crossterm::event::{
    DisableMouseCapture, EnableMouseCapture, Event as TermEvent, EventStream, KeyCode,
    KeyEventKind, KeyModifiers, MouseEventKind,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use futures_util::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::collections::{HashMap, VecDeque};
use std::io::{self, IsTerminal, Stdout, Write};
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};
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
}

type Screen = Terminal<CrosstermBackend<Stdout>>;

/// Opens the TUI on a loaded config; returns the process exit code.
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
    let _log = start_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start")?;
    let file = ConfigFile::new(&location, text);
    let result = runtime.block_on(event_loop(compiled, config, file));
    runtime.shutdown_timeout(Duration::from_millis(100));
    Ok(result?)
}

/// Logs go to `circles.log` in the XDG data dir, never to the screen.
fn start_logging() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dir = directories::ProjectDirs::from("", "", "circles")?
        .data_local_dir()
        .to_path_buf();
    std::fs::create_dir_all(&dir).ok()?;
    let (writer, guard) =
        tracing_appender::non_blocking(tracing_appender::rolling::never(&dir, "circles.log"));
    let filter = tracing_subscriber::EnvFilter::try_from_env("CIRCLES_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}

fn enter_screen() -> io::Result<()> {
    enable_raw_mode()?;
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        cursor::Hide
    )
}

/// Puts the terminal back as it was. Safe to call more than once.
fn leave_screen() {
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
}

/// Restores the terminal before a panic message is printed.
fn restore_on_panic() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        leave_screen();
        previous(info);
    }));
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

/// Batches of posts saved between two prunes of the cache.
const PRUNE_EVERY: usize = 200;

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
    let Some(dir) = directories::ProjectDirs::from("", "", "circles") else {
        let note = Some("history not kept: no home directory".to_string());
        return (
            None,
            Opened {
                snapshot: None,
                note,
            },
        );
    };
    let path = dir.data_local_dir().join("circles.db");
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

/// Each source's cursors from the last run.
type Cursors = HashMap<String, source::Cursors>;

/// Running sources by name: the task and the task forwarding its events.
type Running = HashMap<String, [tokio::task::JoinHandle<()>; 2]>;

/// Starts a source with its own channel, forwarded into the loop's. Stopping
/// it aborts both tasks; the source then finds its channel closed.
fn start_source(
    spec: &SourceSpec,
    tx: &mpsc::UnboundedSender<Event>,
    options: source::Options,
    cursors: &Cursors,
    running: &mut Running,
) {
    let (source_tx, mut source_rx) = mpsc::unbounded_channel::<SourceEvent>();
    let resume = cursors.get(&spec.name).cloned().unwrap_or_default();
    let task = source::spawn_resuming(spec, source_tx, options, resume);
    let forward = tx.clone();
    let forwarder = tokio::spawn(async move {
        while let Some(event) = source_rx.recv().await {
            if forward.send(Event::Source(event)).is_err() {
                break;
            }
        }
    });
    if let Some(old) = running.insert(spec.name.clone(), [task, forwarder]) {
        old.iter().for_each(|t| t.abort());
    }
}

/// Watches the config file's directory (editors that save by writing a new
/// file and renaming it are caught too). Changes are compared with what
/// the app runs on, so our own writes are ignored.
fn watch_config(
    file: &ConfigFile,
    tx: &mpsc::UnboundedSender<Event>,
) -> Option<notify_debouncer_mini::Debouncer<notify::RecommendedWatcher>> {
    let dir = file.path()?.parent()?.to_path_buf();
    if !dir.is_dir() {
        return None;
    }
    let tx = tx.clone();
    let mut debouncer = notify_debouncer_mini::new_debouncer(
        Duration::from_millis(150),
        move |result: notify_debouncer_mini::DebounceEventResult| {
            if result.is_ok() {
                let _ = tx.send(Event::ConfigFile);
            }
        },
    )
    .map_err(|e| tracing::warn!(error = %e, "cannot watch the config"))
    .ok()?;
    debouncer
        .watcher()
        .watch(&dir, notify::RecursiveMode::NonRecursive)
        .map_err(|e| tracing::warn!(error = %e, dir = %dir.display(), "cannot watch"))
        .ok()?;
    Some(debouncer)
}

async fn event_loop(
    compiled: Compiled,
    config: ConfigStatus,
    mut file: ConfigFile,
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
    .with_source_specs(specs.clone())
    .with_utc_offset(offset);

    let (writer, mut opened) = open_cache();
    let mut saved_since_prune = 0usize;
    let mut cursors = Cursors::new();
    for ((source, key), value) in opened
        .snapshot
        .as_mut()
        .map(|s| std::mem::take(&mut s.cursors))
        .unwrap_or_default()
    {
        cursors.entry(source).or_default().insert(key, value);
    }

    let options = source_options();
    let mut running = Running::new();
    for spec in &specs {
        start_source(spec, &tx, options, &cursors, &mut running);
    }
    let mut watcher = watch_config(&file, &tx);
    spawn_signals(tx.clone())?;

    restore_on_panic();
    enter_screen()?;
    let mut screen = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    spawn_terminal_events(tx.clone());
    let size = screen.size()?;
    update(&mut state, Action::Clock(Utc::now()));
    update(
        &mut state,
        Action::Resize {
            width: size.width,
            height: size.height,
        },
    );
    // What the last run left, laid out at the real size, before the
    // first frame and before any source answers.
    if let Some(snapshot) = opened.snapshot {
        update(&mut state, Action::Restore(snapshot));
    }
    state.persisting = writer.is_some();
    if let Some(note) = opened.note {
        state.message = Some(note);
    }
    screen.draw(|f| ui::render(&state, f))?;
    tracing::info!(sources = names.len(), "screen open");

    let mut batch = Vec::new();
    let outcome = loop {
        let wait = tick_interval(&state);
        tokio::select! {
            n = rx.recv_many(&mut batch, 512) => if n == 0 { break Ok(()) },
            _ = tokio::time::sleep(wait) => batch.push(Event::Tick),
        }
        let mut effects: VecDeque<Effect> = update(&mut state, Action::Clock(Utc::now())).into();
        let mut stop = None;
        for event in batch.drain(..) {
            let action = match event {
                Event::Term(event) => match term_action(event) {
                    Some(action) => action,
                    None => continue,
                },
                Event::Source(event) => {
                    log_source_event(&event);
                    Action::Source(event)
                }
                Event::ConfigFile => match file.changed() {
                    Some(text) => {
                        tracing::info!("config changed on disk");
                        Action::Config(ConfigChange {
                            text,
                            location: file.display(),
                            why: ConfigWhy::Reloaded,
                        })
                    }
                    None => continue,
                },
                Event::Tick => continue,
                Event::Stop(why) => {
                    stop = Some(why);
                    break;
                }
            };
            effects.extend(update(&mut state, action));
        }
        if let Some(why) = stop {
            tracing::info!(signal = why, "stopping");
            break Ok(());
        }
        let mut quit = false;
        while let Some(effect) = effects.pop_front() {
            let reply = match effect {
                Effect::Quit => {
                    quit = true;
                    None
                }
                Effect::Suspend => {
                    suspend(&mut screen)?;
                    None
                }
                Effect::OpenUrl(url) => {
                    if let Err(e) = open::that_detached(&url) {
                        state.message = Some(format!("cannot open {url}: {e}"));
                    }
                    None
                }
                Effect::Copy(text) => {
                    execute!(
                        io::stdout(),
                        crossterm::clipboard::CopyToClipboard::to_clipboard_from(text)
                    )?;
                    None
                }
                Effect::Bell => {
                    let mut out = io::stdout();
                    out.write_all(b"\x07")?;
                    out.flush()?;
                    None
                }
                Effect::Edit { edit, done } => {
                    tracing::info!(?edit, "config edit");
                    let reply = match file.edit(&edit, Utc::now()) {
                        Ok((text, created)) => Action::Config(ConfigChange {
                            text,
                            location: file.display(),
                            why: ConfigWhy::Edited(match created {
                                Some(note) => format!("{done} ({note})"),
                                None => done,
                            }),
                        }),
                        Err(problem) => Action::ConfigProblem(problem),
                    };
                    if watcher.is_none() {
                        watcher = watch_config(&file, &tx);
                    }
                    Some(reply)
                }
                Effect::Undo => Some(match file.undo() {
                    Ok(text) => Action::Config(ConfigChange {
                        text,
                        location: file.display(),
                        why: ConfigWhy::Undone,
                    }),
                    Err(problem) => Action::ConfigProblem(problem),
                }),
                Effect::StartSource(spec) => {
                    tracing::info!(source = spec.name, "starting source");
                    start_source(&spec, &tx, options, &cursors, &mut running);
                    None
                }
                Effect::Persist(write) => {
                    if let Some(writer) = &writer {
                        if matches!(write, store::Write::Posts(_)) {
                            saved_since_prune += 1;
                            if saved_since_prune >= PRUNE_EVERY {
                                saved_since_prune = 0;
                                writer.send(store::Write::Prune(DEFAULT_PER_SOURCE));
                            }
                        }
                        writer.send(write);
                        if let Some(problem) = writer.take_error() {
                            state.message = Some(format!("history not saved: {problem}"));
                        }
                    }
                    None
                }
                Effect::StopSource(name) => {
                    tracing::info!(source = name, "stopping source");
                    if let Some(tasks) = running.remove(&name) {
                        tasks.iter().for_each(|t| t.abort());
                    }
                    None
                }
            };
            if let Some(action) = reply {
                effects.extend(update(&mut state, action));
            }
        }
        if quit {
            break Ok(());
        }
        if let Err(e) = screen.draw(|f| ui::render(&state, f)) {
            break Err(e);
        }
    };
    drop(watcher);
    leave_screen();
    // Dropping the writer commits what is pending.
    drop(writer);
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
    // Wake when a timed mute ends, and when posts on screen count as seen.
    [state.next_expiry, state.next_seen_due()]
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
        SourceEvent::Posts { source, posts } => {
            tracing::debug!(source, count = posts.len(), "posts")
        }
        SourceEvent::Updated { source, post } => tracing::debug!(source, id = post.id, "edited"),
        SourceEvent::Deleted { source, id } => tracing::debug!(source, id, "deleted"),
        SourceEvent::Cursor { source, key, value } => {
            tracing::debug!(source, key, value, "cursor")
        }
    }
}

/// Ctrl-Z: give the terminal back, stop, and take it again on `fg`.
fn suspend(screen: &mut Screen) -> io::Result<()> {
    leave_screen();
    // SAFETY: raising a signal for our own process has no memory-safety
    // preconditions; SIGTSTP's default action stops us until SIGCONT.
    unsafe {
        libc::raise(libc::SIGTSTP);
    }
    enter_screen()?;
    // A fresh terminal has empty buffers, so the next draw repaints every
    // cell. (`Terminal::clear` would ask the terminal where its cursor is,
    // which not every terminal answers.)
    execute!(
        io::stdout(),
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;
    *screen = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    Ok(())
}

fn spawn_signals(tx: mpsc::UnboundedSender<Event>) -> io::Result<()> {
    let mut term = signal(SignalKind::terminate())?;
    let mut hup = signal(SignalKind::hangup())?;
    tokio::spawn(async move {
        let why = tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = hup.recv() => "SIGHUP",
        };
        let _ = tx.send(Event::Stop(why));
    });
    Ok(())
}

/// Reads the terminal; mouse motion is dropped here, so moving the pointer
/// never wakes the loop.
fn spawn_terminal_events(tx: mpsc::UnboundedSender<Event>) {
    tokio::spawn(async move {
        let mut events = EventStream::new();
        while let Some(event) = events.next().await {
            let event = match event {
                Ok(event) => event,
                Err(e) => {
                    tracing::error!(error = %e, "terminal input failed");
                    let _ = tx.send(Event::Stop("terminal input failed"));
                    break;
                }
            };
            let wanted = match &event {
                TermEvent::Key(_) | TermEvent::Resize(..) => true,
                TermEvent::Mouse(m) => matches!(
                    m.kind,
                    MouseEventKind::Down(_) | MouseEventKind::ScrollDown | MouseEventKind::ScrollUp
                ),
                _ => false,
            };
            if wanted && tx.send(Event::Term(event)).is_err() {
                break;
            }
        }
    });
}

fn term_action(event: TermEvent) -> Option<Action> {
    match event {
        TermEvent::Key(key) if key.kind != KeyEventKind::Release => {
            chord(key.code, key.modifiers).map(Action::Key)
        }
        TermEvent::Resize(width, height) => Some(Action::Resize { width, height }),
        TermEvent::Mouse(m) => match m.kind {
            MouseEventKind::Down(_) => Some(Action::Click {
                x: m.column,
                y: m.row,
            }),
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => Some(Action::Wheel {
                x: m.column,
                y: m.row,
                down: m.kind == MouseEventKind::ScrollDown,
            }),
            _ => None,
        },
        _ => None,
    }
}

/// A terminal key as a chord the keymap knows.
pub fn chord(code: KeyCode, modifiers: KeyModifiers) -> Option<KeyChord> {
    let key = match code {
        KeyCode::Char(c) => Key::Char(if modifiers.contains(KeyModifiers::CONTROL) {
            c.to_ascii_lowercase()
        } else {
            c
        }),
        KeyCode::Enter => Key::Named(NamedKey::Enter),
        KeyCode::Esc => Key::Named(NamedKey::Esc),
        KeyCode::Tab if modifiers.contains(KeyModifiers::SHIFT) => Key::Named(NamedKey::BackTab),
        KeyCode::Tab => Key::Named(NamedKey::Tab),
        KeyCode::BackTab => Key::Named(NamedKey::BackTab),
        KeyCode::Backspace => Key::Named(NamedKey::Backspace),
        KeyCode::Delete => Key::Named(NamedKey::Delete),
        KeyCode::Insert => Key::Named(NamedKey::Insert),
        KeyCode::Up => Key::Named(NamedKey::Up),
        KeyCode::Down => Key::Named(NamedKey::Down),
        KeyCode::Left => Key::Named(NamedKey::Left),
        KeyCode::Right => Key::Named(NamedKey::Right),
        KeyCode::Home => Key::Named(NamedKey::Home),
        KeyCode::End => Key::Named(NamedKey::End),
        KeyCode::PageUp => Key::Named(NamedKey::PageUp),
        KeyCode::PageDown => Key::Named(NamedKey::PageDown),
        KeyCode::F(n) => Key::Named(NamedKey::F(n)),
        _ => return None,
    };
    Some(KeyChord {
        key,
        ctrl: modifiers.contains(KeyModifiers::CONTROL),
        alt: modifiers.contains(KeyModifiers::ALT),
    })
}
