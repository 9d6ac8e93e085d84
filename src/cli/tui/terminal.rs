//! The terminal: taking it and giving it back (on quit, panic, signals and
//! around Ctrl-Z), and turning its events into the app's actions.

use super::{Event, Screen};
use crate::app::Action;
use crate::config::{Key, KeyChord, NamedKey};
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
use std::io;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

pub(super) fn enter_screen() -> io::Result<()> {
    enable_raw_mode()?;
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        cursor::Hide
    )
}

/// Puts the terminal back as it was. Safe to call more than once.
pub(super) fn leave_screen() {
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
}

thread_local! {
    /// This thread runs work whose panic is caught and dealt with (see
    /// [`contained`]): the screen stays.
    static CONTAINED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Restores the terminal before a panic message is printed, unless the
/// panic is [`contained`]: then it is only logged, and the screen goes on.
pub(super) fn restore_on_panic() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if CONTAINED.with(std::cell::Cell::get) {
            tracing::error!(panic = %info, "caught in contained work");
            return;
        }
        leave_screen();
        previous(info);
    }));
}

/// Runs `work` so that a panic in it (a decoder meeting a crafted image)
/// comes back as an error instead of taking the terminal down with it.
pub(super) fn contained<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    CONTAINED.with(|c| c.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
    CONTAINED.with(|c| c.set(false));
    result.map_err(|panic| {
        panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_string())
    })
}

/// `ctrl-e` in the compose overlay: gives the terminal to `$VISUAL` (else
/// `$EDITOR`, else `vi`) on a private file holding `text`, waits for it,
/// takes the terminal back and returns the file's text. The caller stops
/// reading terminal events first, or they would take the editor's keys.
pub(super) fn edit_externally(screen: &mut Screen, text: &str) -> Result<String, String> {
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|var| std::env::var(var).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "vi".to_string());
    let mut words = editor.split_whitespace();
    let program = words.next().unwrap_or("vi").to_string();
    let args: Vec<String> = words.map(str::to_string).collect();
    let file = tempfile::Builder::new()
        .prefix("circles-draft-")
        .suffix(".txt")
        .tempfile()
        .map_err(|e| format!("cannot make the file to edit: {e}"))?;
    std::fs::write(file.path(), text).map_err(|e| format!("cannot write the draft: {e}"))?;
    leave_screen();
    let ran = std::process::Command::new(&program)
        .args(&args)
        .arg(file.path())
        .status();
    let back = enter_screen().and_then(|()| {
        execute!(
            io::stdout(),
            crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
        )?;
        *screen = Terminal::new(CrosstermBackend::new(io::stdout()))?;
        Ok(())
    });
    if let Err(e) = back {
        return Err(format!("cannot take the terminal back: {e}"));
    }
    match ran {
        Ok(status) if status.success() => std::fs::read_to_string(file.path())
            .map_err(|e| format!("cannot read the edited draft: {e}")),
        Ok(status) => Err(format!("{program} exited with {status}")),
        Err(e) => Err(format!("cannot run {program}: {e}")),
    }
}

/// Ctrl-Z: give the terminal back, stop, and take it again on `fg`.
pub(super) fn suspend(screen: &mut Screen) -> io::Result<()> {
    leave_screen();
    // SAFETY: raising a signal for our own process has no memory-safety
    // preconditions; SIGTSTP's default action stops us until SIGCONT.
    unsafe {
        libc::raise(libc::SIGTSTP);
    }
    enter_screen()?;
    repaint(screen)
}

/// Clears the terminal and forgets what it showed, so the next draw paints
/// every cell: `ctrl-l`, for a screen another program wrote over, or one
/// where the terminal measured a character differently from circles.
pub(super) fn repaint(screen: &mut Screen) -> io::Result<()> {
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

pub(super) fn spawn_signals(tx: mpsc::UnboundedSender<Event>) -> io::Result<()> {
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
pub(super) fn spawn_terminal_events(
    tx: mpsc::UnboundedSender<Event>,
) -> tokio::task::JoinHandle<()> {
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
    })
}

pub(super) fn term_action(event: TermEvent) -> Option<Action> {
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
