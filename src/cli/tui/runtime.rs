//! The runtime: carries out the effects `app::update` asks for — write the
//! config, start and stop sources, keep history, open a URL, ring the bell
//! — and hands what came of each back as an action. It owns everything
//! with a side: the config file and its watcher, the cache writer, the
//! running source tasks. It never touches `AppState`: whatever the state
//! should learn arrives through `update`.

use super::Event;
use crate::app::{Action, ConfigChange, ConfigWhy, Effect};
use crate::cache::{DEFAULT_PER_SOURCE, Writer};
use crate::cli::config_file::ConfigFile;
use crate::config::SourceSpec;
use crate::model::SourceEvent;
use crate::source;
use crate::store;
use chrono::Utc;
use std::collections::HashMap;
use std::io::{self, Write};
use std::time::Duration;
use tokio::sync::mpsc;

/// Batches of posts saved between two prunes of the cache.
const PRUNE_EVERY: usize = 200;

/// Each source's cursors from the last run.
pub(super) type Cursors = HashMap<String, source::Cursors>;

/// What an effect came to.
pub(super) enum Outcome {
    Done,
    /// The app asked to quit.
    Quit,
    /// Ctrl-Z: the terminal must be given back and taken again.
    Suspend,
    /// Something the state should learn (a written config, a failure).
    Then(Action),
}

pub(super) struct Runtime {
    tx: mpsc::UnboundedSender<Event>,
    file: ConfigFile,
    watcher: Option<notify_debouncer_mini::Debouncer<notify::RecommendedWatcher>>,
    writer: Option<Writer>,
    saved_since_prune: usize,
    cursors: Cursors,
    options: source::Options,
    /// Running sources by name: the task and the task forwarding its events.
    running: HashMap<String, [tokio::task::JoinHandle<()>; 2]>,
}

impl Runtime {
    pub(super) fn new(
        tx: mpsc::UnboundedSender<Event>,
        file: ConfigFile,
        writer: Option<Writer>,
        cursors: Cursors,
        options: source::Options,
    ) -> Runtime {
        let mut runtime = Runtime {
            tx,
            file,
            watcher: None,
            writer,
            saved_since_prune: 0,
            cursors,
            options,
            running: HashMap::new(),
        };
        runtime.watch_config();
        runtime
    }

    /// Whether posts and reading positions are kept across restarts.
    pub(super) fn persisting(&self) -> bool {
        self.writer.is_some()
    }

    /// New text of the config file, if it changed on disk.
    pub(super) fn config_changed(&mut self) -> Option<Action> {
        let text = self.file.changed()?;
        tracing::info!("config changed on disk");
        Some(Action::Config(ConfigChange {
            text,
            location: self.file.display(),
            why: ConfigWhy::Reloaded,
        }))
    }

    /// Carries out one effect.
    pub(super) fn carry_out(&mut self, effect: Effect) -> io::Result<Outcome> {
        Ok(match effect {
            Effect::Quit => Outcome::Quit,
            Effect::Suspend => Outcome::Suspend,
            Effect::OpenUrl(url) => match open::that_detached(&url) {
                Ok(()) => Outcome::Done,
                Err(e) => Outcome::Then(Action::Notice(format!("cannot open {url}: {e}"))),
            },
            Effect::Copy(text) => {
                crossterm::execute!(
                    io::stdout(),
                    crossterm::clipboard::CopyToClipboard::to_clipboard_from(text)
                )?;
                Outcome::Done
            }
            Effect::Bell => {
                let mut out = io::stdout();
                out.write_all(b"\x07")?;
                out.flush()?;
                Outcome::Done
            }
            Effect::Edit { edit, done } => {
                tracing::info!(?edit, "config edit");
                let reply = match self.file.edit(&edit, Utc::now()) {
                    Ok((text, created)) => Action::Config(ConfigChange {
                        text,
                        location: self.file.display(),
                        why: ConfigWhy::Edited(match created {
                            Some(note) => format!("{done} ({note})"),
                            None => done,
                        }),
                    }),
                    Err(problem) => Action::ConfigProblem(problem),
                };
                // The first edit of the built-in default made the file.
                if self.watcher.is_none() {
                    self.watch_config();
                }
                Outcome::Then(reply)
            }
            Effect::Undo => Outcome::Then(match self.file.undo() {
                Ok(text) => Action::Config(ConfigChange {
                    text,
                    location: self.file.display(),
                    why: ConfigWhy::Undone,
                }),
                Err(problem) => Action::ConfigProblem(problem),
            }),
            Effect::StartSource(spec) => {
                tracing::info!(source = spec.name, "starting source");
                self.start_source(&spec);
                Outcome::Done
            }
            Effect::StopSource(name) => {
                tracing::info!(source = name, "stopping source");
                if let Some(tasks) = self.running.remove(&name) {
                    tasks.iter().for_each(|t| t.abort());
                }
                Outcome::Done
            }
            Effect::Persist(write) => self.persist(write),
        })
    }

    fn persist(&mut self, write: store::Write) -> Outcome {
        let Some(writer) = &self.writer else {
            return Outcome::Done;
        };
        if matches!(write, store::Write::Posts(_)) {
            self.saved_since_prune += 1;
            if self.saved_since_prune >= PRUNE_EVERY {
                self.saved_since_prune = 0;
                writer.send(store::Write::Prune(DEFAULT_PER_SOURCE));
            }
        }
        writer.send(write);
        match writer.take_error() {
            Some(problem) => Outcome::Then(Action::Notice(format!("history not saved: {problem}"))),
            None => Outcome::Done,
        }
    }

    /// Starts a source with its own channel, forwarded into the loop's.
    /// Stopping it aborts both tasks; the source then finds its channel
    /// closed.
    pub(super) fn start_source(&mut self, spec: &SourceSpec) {
        let (source_tx, mut source_rx) = mpsc::unbounded_channel::<SourceEvent>();
        let resume = self.cursors.get(&spec.name).cloned().unwrap_or_default();
        let task = source::spawn_resuming(spec, source_tx, self.options, resume);
        let forward = self.tx.clone();
        let forwarder = tokio::spawn(async move {
            while let Some(event) = source_rx.recv().await {
                if forward.send(Event::Source(event)).is_err() {
                    break;
                }
            }
        });
        if let Some(old) = self.running.insert(spec.name.clone(), [task, forwarder]) {
            old.iter().for_each(|t| t.abort());
        }
    }

    /// Watches the config file's directory (editors that save by writing a
    /// new file and renaming it are caught too). Changes are compared with
    /// what the app runs on, so our own writes are ignored.
    fn watch_config(&mut self) {
        let Some(dir) = self
            .file
            .path()
            .and_then(|p| p.parent())
            .map(|d| d.to_path_buf())
        else {
            return;
        };
        if !dir.is_dir() {
            return;
        }
        let tx = self.tx.clone();
        let debouncer = notify_debouncer_mini::new_debouncer(
            Duration::from_millis(150),
            move |result: notify_debouncer_mini::DebounceEventResult| {
                if result.is_ok() {
                    let _ = tx.send(Event::ConfigFile);
                }
            },
        );
        let mut debouncer = match debouncer {
            Ok(debouncer) => debouncer,
            Err(e) => {
                tracing::warn!(error = %e, "cannot watch the config");
                return;
            }
        };
        if let Err(e) = debouncer
            .watcher()
            .watch(&dir, notify::RecursiveMode::NonRecursive)
        {
            tracing::warn!(error = %e, dir = %dir.display(), "cannot watch");
            return;
        }
        self.watcher = Some(debouncer);
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        // The watcher first, then the writer: dropping it commits what is
        // pending.
        self.watcher = None;
        self.writer = None;
    }
}
