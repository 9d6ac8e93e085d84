//! The runtime: carries out the effects `app::update` asks for — write the
//! config, start and stop sources, keep history, open a URL, ring the bell
//! — and hands what came of each back as an action. It owns everything
//! with a side: the config file and its watcher, the cache writer, the
//! running source tasks. It never touches `AppState`: whatever the state
//! should learn arrives through `update`.

use super::Event;
use crate::app::{Action, ConfigChange, ConfigWhy, Effect, Precompiled};
use crate::cache::{DEFAULT_PER_SOURCE, Writer};
use crate::cli::config_file::ConfigFile;
use crate::config::SourceSpec;
use crate::model::SourceEvent;
use crate::source;
use crate::store;
use chrono::Utc;
use std::collections::HashMap;
use std::fs;
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Batches of posts saved between two prunes of the cache.
const PRUNE_EVERY: usize = 200;
/// How long quitting waits for read markers still on their way.
const MARKERS_ON_QUIT: Duration = Duration::from_secs(3);

/// Each source's cursors from the last run.
pub(super) type Cursors = HashMap<String, source::Cursors>;

/// What an effect came to.
pub(super) enum Outcome {
    Done,
    /// The app asked to quit.
    Quit,
    /// Ctrl-Z: the terminal must be given back and taken again.
    Suspend,
    /// The terminal's screen must be painted again from scratch.
    Redraw,
    /// `ctrl-e` in the compose overlay: the terminal must be given to the
    /// user's editor on this text, and taken again.
    EditDraft(String),
    /// Something the state should learn (a written config, a failure).
    Then(Action),
}

pub(super) struct Runtime {
    tx: mpsc::UnboundedSender<Event>,
    file: ConfigFile,
    watcher: Option<Watcher>,
    /// When to read the config file after a change was seen: a save is a
    /// burst of events, and the file is read once it settles.
    config_due: Option<Instant>,
    writer: Option<Writer>,
    saved_since_prune: usize,
    cursors: Cursors,
    options: source::Options,
    /// Running sources by name: the task and the task forwarding its events.
    running: HashMap<String, [tokio::task::JoinHandle<()>; 2]>,
    /// Config text read on a change, to be compiled off the event loop.
    compiler: std::sync::mpsc::Sender<(u64, ConfigChange)>,
    /// Counts the config texts the app was given or is to be given; a
    /// compiled reload is taken only if nothing came after it was read.
    generation: u64,
    /// Where fetched images are kept, for `open_image`.
    image_files: Option<crate::media::MediaCache>,
    /// The sources as last started, by name: acts go through their accounts.
    specs: HashMap<String, SourceSpec>,
    accounts: source::act::Accounts,
    /// Where alerts go, as the environment said at start.
    terminal: super::alert::Terminal,
    /// Read markers on their way to servers, waited for on quitting.
    marking: Vec<tokio::task::JoinHandle<()>>,
    /// A connection to the cache for reading the people ledger, opened at
    /// the first `P` and kept (opening checks the whole file).
    ledger_db: std::sync::Arc<std::sync::Mutex<Option<crate::cache::Db>>>,
}

/// Compiles reloaded config text on a thread of its own, in the order it
/// was read, and sends each result back into the loop: a config with many
/// large regexes can take seconds, and the screen must go on meanwhile.
fn spawn_compiler(
    tx: mpsc::UnboundedSender<Event>,
) -> std::sync::mpsc::Sender<(u64, ConfigChange)> {
    let (jobs, queue) = std::sync::mpsc::channel::<(u64, ConfigChange)>();
    let spawned = std::thread::Builder::new()
        .name("config-compiler".into())
        .spawn(move || {
            while let Ok((generation, mut change)) = queue.recv() {
                let result = crate::filter::load(&change.text, Utc::now());
                change.compiled = Some(Precompiled::new(result));
                let action = Action::Config(change);
                if tx.send(Event::Compiled { generation, action }).is_err() {
                    break;
                }
            }
        });
    if let Err(e) = spawned {
        // Without the thread, reloads are compiled by the reducer (the job
        // is dropped and `config_changed` falls back).
        tracing::warn!(%e, "no config compiler thread");
    }
    jobs
}

impl Runtime {
    pub(super) fn new(
        tx: mpsc::UnboundedSender<Event>,
        file: ConfigFile,
        writer: Option<Writer>,
        cursors: Cursors,
        options: source::Options,
    ) -> Runtime {
        let compiler = spawn_compiler(tx.clone());
        let mut runtime = Runtime {
            tx,
            compiler,
            generation: 0,
            file,
            watcher: None,
            config_due: None,
            writer,
            saved_since_prune: 0,
            cursors,
            options,
            running: HashMap::new(),
            image_files: None,
            specs: HashMap::new(),
            accounts: source::act::Accounts::default(),
            terminal: super::alert::Terminal::from_env(|name| std::env::var(name).ok()),
            marking: Vec::new(),
            ledger_db: std::sync::Arc::default(),
        };
        runtime.watch_config();
        runtime
    }

    /// Where fetched images are kept (none when images are off).
    pub(super) fn set_image_files(&mut self, cache: crate::media::MediaCache) {
        self.image_files = Some(cache);
    }

    /// Whether posts and reading positions are kept across restarts.
    pub(super) fn persisting(&self) -> bool {
        self.writer.is_some()
    }

    /// Something happened to the config file: it is read once things
    /// settle (see [`Runtime::config_due`]).
    pub(super) fn config_touched(&mut self) {
        self.config_due = Some(Instant::now() + SETTLE);
    }

    /// When the config file is to be read, if a change is pending.
    pub(super) fn config_due(&self) -> Option<Instant> {
        self.config_due
    }

    /// New text of the config file, if it changed on disk and the change
    /// has settled. The symlink, if the config is one, is resolved again
    /// (a dotfile manager may point it elsewhere) and the watch follows.
    pub(super) fn config_changed(&mut self) -> Option<Action> {
        if self.config_due.is_none_or(|due| due > Instant::now()) {
            return None;
        }
        self.config_due = None;
        let target = self.file.path().map(watched_dirs);
        if self.watcher.as_ref().map(|w| &w.dirs) != target.as_ref() {
            self.watch_config();
        }
        let text = self.file.changed()?;
        tracing::info!("config changed on disk");
        let change = ConfigChange {
            text,
            location: self.file.display(),
            why: ConfigWhy::Reloaded,
            compiled: None,
        };
        self.generation += 1;
        match self.compiler.send((self.generation, change)) {
            // Back as `Event::Compiled`, for `compiled`.
            Ok(()) => None,
            Err(std::sync::mpsc::SendError((_, change))) => Some(Action::Config(change)),
        }
    }

    /// Undoes the last edit; a reload still being compiled is stale after.
    fn undo(&mut self) -> Result<String, String> {
        self.generation += 1;
        self.file.undo()
    }

    /// A reload compiled off the loop: the action to take, unless another
    /// config (an edit, an undo, a later reload) was given since.
    pub(super) fn compiled(&self, generation: u64, action: Action) -> Option<Action> {
        (generation == self.generation).then_some(action)
    }

    /// Carries out one effect.
    pub(super) fn carry_out(&mut self, effect: Effect) -> io::Result<Outcome> {
        Ok(match effect {
            Effect::Quit => Outcome::Quit,
            Effect::Suspend => Outcome::Suspend,
            Effect::Redraw => Outcome::Redraw,
            Effect::OpenImage(url) => {
                // The file as fetched, for the system's image viewer; an
                // image not fetched yet opens in the browser.
                let file = self.image_files.as_ref().and_then(|c| c.file_of(&url));
                let target = file.map_or_else(|| url.clone(), |f| f.display().to_string());
                match open::that_detached(&target) {
                    Ok(()) => Outcome::Done,
                    Err(e) => Outcome::Then(Action::Notice(format!(
                        "cannot open the image: {}",
                        opener_failure(&e)
                    ))),
                }
            }
            Effect::OpenUrl(url) => match open::that_detached(&url) {
                Ok(()) => Outcome::Done,
                Err(e) => Outcome::Then(Action::Notice(format!(
                    "cannot open {url}: {}",
                    opener_failure(&e)
                ))),
            },
            Effect::Copy(text) => {
                crossterm::execute!(
                    io::stdout(),
                    crossterm::clipboard::CopyToClipboard::to_clipboard_from(text)
                )?;
                Outcome::Done
            }
            Effect::Alert(alert) => {
                self.terminal.give(&alert, &mut io::stdout())?;
                Outcome::Done
            }
            Effect::Edit { edit, done } => {
                tracing::info!(?edit, "config edit");
                self.generation += 1;
                let reply = match self.file.edit(&edit, Utc::now()) {
                    Ok((text, created, compiled)) => Action::Config(ConfigChange {
                        text,
                        location: self.file.display(),
                        why: ConfigWhy::Edited(match created {
                            Some(note) => format!("{done} ({note})"),
                            None => done,
                        }),
                        // Checked before it was written: no second compile.
                        compiled: Some(Precompiled::new(Ok(compiled))),
                    }),
                    Err(problem) => Action::ConfigProblem(problem),
                };
                // The first edit of the built-in default made the file.
                if self.watcher.is_none() {
                    self.watch_config();
                }
                Outcome::Then(reply)
            }
            Effect::Undo => Outcome::Then(match self.undo() {
                Ok(text) => Action::Config(ConfigChange {
                    text,
                    location: self.file.display(),
                    why: ConfigWhy::Undone,
                    compiled: None,
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
            Effect::Post { request, limits } => {
                let ticket = request.ticket;
                let source = request.draft.source.clone();
                tracing::info!(ticket, source, "post");
                self.through_account(
                    &source,
                    |why| Action::Posted {
                        ticket,
                        result: crate::model::PostResult::Failed(why),
                    },
                    |accounts, spec| {
                        let call = accounts.post(spec, *request, limits);
                        async move {
                            let result = call.await;
                            Action::Posted { ticket, result }
                        }
                    },
                )
            }
            Effect::Limits(source) => {
                if let Some(spec) = self.specs.get(&source) {
                    let call = self.accounts.limits(spec);
                    self.spawn_learned(async move {
                        let limits = call.await;
                        Action::Limits { source, limits }
                    });
                }
                Outcome::Done
            }
            Effect::EditDraft(text) => Outcome::EditDraft(text),
            Effect::Saved(source) => {
                let name = source.clone();
                self.through_account(
                    &source.clone(),
                    move |why| Action::Saved {
                        source: name,
                        result: Err(why),
                    },
                    move |accounts, spec| {
                        let call = accounts.saved(spec);
                        async move {
                            let result = call.await;
                            Action::Saved { source, result }
                        }
                    },
                )
            }
            Effect::Ledger { since } => {
                let db = std::sync::Arc::clone(&self.ledger_db);
                self.spawn_learned(async move {
                    let read = tokio::task::spawn_blocking(move || read_ledger(&db, since)).await;
                    Action::Ledger(read.unwrap_or_else(|e| Err(e.to_string())))
                });
                Outcome::Done
            }
            Effect::ScanPeople(limits) => {
                self.scan_people(limits);
                Outcome::Done
            }
            Effect::Profile { source, account } => {
                let handle = account.handle.clone();
                let (name, asked) = (source.clone(), handle.clone());
                self.through_account(
                    &source.clone(),
                    move |why| Action::Profile {
                        source: name,
                        handle: asked,
                        result: crate::model::ProfileResult::Failed(why),
                    },
                    move |accounts, spec| {
                        let call = accounts.profile(spec, *account);
                        async move {
                            let result = call.await;
                            Action::Profile {
                                source,
                                handle,
                                result,
                            }
                        }
                    },
                )
            }
            Effect::Delete { source, id } => {
                tracing::info!(source, "delete");
                let (name, post) = (source.clone(), id.clone());
                self.through_account(
                    &source.clone(),
                    move |why| Action::DeleteDone {
                        source: name,
                        id: post,
                        result: Err(why),
                    },
                    move |accounts, spec| {
                        let call = accounts.delete(spec, id.clone());
                        async move {
                            let result = call.await;
                            Action::DeleteDone { source, id, result }
                        }
                    },
                )
            }
            Effect::Follow {
                source,
                account,
                want,
            } => {
                let (name, whom) = (source.clone(), account.clone());
                self.through_account(
                    &source.clone(),
                    move |why| Action::Following {
                        source: name,
                        account: whom,
                        asked: want,
                        result: Err(why),
                    },
                    move |accounts, spec| {
                        let call = accounts.follow(spec, (*account).clone(), want);
                        async move {
                            let result = call.await;
                            Action::Following {
                                source,
                                account,
                                asked: want,
                                result,
                            }
                        }
                    },
                )
            }
            Effect::Thread {
                source,
                id,
                find_by,
            } => {
                let (name, post) = (source.clone(), id.clone());
                self.through_account(
                    &source.clone(),
                    move |why| Action::Thread {
                        source: name,
                        id: post,
                        result: crate::model::ThreadResult::Failed(why),
                    },
                    move |accounts, spec| {
                        let call = accounts.thread(spec, id.clone(), find_by.clone());
                        async move {
                            let result = call.await;
                            Action::Thread { source, id, result }
                        }
                    },
                )
            }
            Effect::MarkRead {
                source,
                marker,
                mark,
            } => {
                let Some(spec) = self.specs.get(&source) else {
                    return Ok(Outcome::Done);
                };
                tracing::debug!(source, ?mark, "read marker");
                let call = self.accounts.mark_read(spec, marker, mark.clone());
                let tx = self.tx.clone();
                self.marking.retain(|task| !task.is_finished());
                self.marking.push(tokio::spawn(async move {
                    let result = call.await;
                    if let Err(why) = &result {
                        tracing::warn!(source, "read marker not saved: {why}");
                    }
                    let _ = tx.send(Event::Learned(Action::MarkedRead {
                        source,
                        mark,
                        result,
                    }));
                }));
                Outcome::Done
            }
            Effect::Act(request) => {
                let ticket = request.ticket;
                let source = request.source.clone();
                tracing::info!(ticket, source, act = ?request.act, "act");
                self.through_account(
                    &source,
                    |why| Action::Acted {
                        ticket,
                        result: crate::model::ActResult::Failed(why),
                    },
                    |accounts, spec| {
                        let call = accounts.act(spec, request);
                        async move {
                            let result = call.await;
                            Action::Acted { ticket, result }
                        }
                    },
                )
            }
        })
    }

    /// Waits a little for the read markers still on their way, so what was
    /// read just before quitting is read on the server too.
    pub(super) async fn finish(&mut self) {
        let pending = std::mem::take(&mut self.marking);
        let all = async {
            for task in pending {
                let _ = task.await;
            }
        };
        if tokio::time::timeout(MARKERS_ON_QUIT, all).await.is_err() {
            tracing::warn!("read markers not saved before quitting: the server is slow");
        }
    }

    /// Runs `work` in a task of its own; the action it comes to goes back
    /// into the loop (`Event::Learned`).
    /// Scans what the people ledger lacks through each Mastodon account,
    /// on a thread of its own (a scan waits minutes for rate limits), its
    /// progress and end sent back as [`Action::PeopleScan`].
    fn scan_people(&self, limits: crate::config::Thresholds) {
        use crate::model::people::ScanNews;
        let specs: Vec<SourceSpec> = self.specs.values().cloned().collect();
        let tx = self.tx.clone();
        let told = tx.clone();
        let tell = move |name: &str, p: &source::people::Progress| {
            let _ = told.send(Event::Learned(Action::PeopleScan(ScanNews::Progress(
                format!("scanning {name}: {p}"),
            ))));
        };
        let work = move || {
            let chosen = crate::cli::people::accounts(&specs, None).unwrap_or_default();
            if chosen.is_empty() {
                return ScanNews::Failed(
                    "no source to scan: the people scan reads a Mastodon account with its token, or a Bluesky one"
                        .into(),
                );
            }
            let Some(path) = crate::cli::people::cache_path() else {
                return ScanNews::Failed("no home directory for the cache".into());
            };
            let mut db = match crate::cache::Db::open(&path) {
                Ok((db, _)) => db,
                Err(e) => return ScanNews::Failed(format!("cache {}: {e}", path.display())),
            };
            let results = crate::cli::people::scan_accounts(&mut db, &chosen, limits, tell);
            let words: Vec<String> = results.iter().map(crate::cli::people::said).collect();
            if results.iter().any(Result::is_err) {
                ScanNews::Failed(words.join("; "))
            } else {
                ScanNews::Done(words.join("; "))
            }
        };
        let spawned = std::thread::Builder::new()
            .name("people-scan".into())
            .spawn(move || {
                let news = work();
                let _ = tx.send(Event::Learned(Action::PeopleScan(news)));
            });
        if let Err(e) = spawned {
            let _ = self
                .tx
                .send(Event::Learned(Action::PeopleScan(ScanNews::Failed(
                    format!("cannot start the scan: {e}"),
                ))));
        }
    }

    fn spawn_learned(&self, work: impl Future<Output = Action> + Send + 'static) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let _ = tx.send(Event::Learned(work.await));
        });
    }

    /// Does something through the account of `source` (an act, a send, a
    /// fetch) off the loop: `call` makes the work from the source's acting
    /// client, and its action comes back as `Event::Learned`. A source not
    /// running is answered at once with `missing(why)`.
    fn through_account<W>(
        &mut self,
        source: &str,
        missing: impl FnOnce(String) -> Action,
        call: impl FnOnce(&mut source::act::Accounts, &SourceSpec) -> W,
    ) -> Outcome
    where
        W: Future<Output = Action> + Send + 'static,
    {
        let Some(spec) = self.specs.get(source) else {
            return Outcome::Then(missing(format!("the source {source} is not running")));
        };
        let work = call(&mut self.accounts, spec);
        self.spawn_learned(work);
        Outcome::Done
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

    /// A source that failed over what one of its keys says (`timeline =
    /// "list:Family"` and the account has no such list) gets the key's
    /// place in the config before its words: `path:line:col: timeline = …`.
    pub(super) fn locate(&self, event: SourceEvent) -> SourceEvent {
        let SourceEvent::State {
            source,
            state: crate::model::SourceState::Failed(why),
        } = &event
        else {
            return event;
        };
        let key = ["timeline", "feed"]
            .into_iter()
            .find(|key| why.starts_with(&format!("{key} = ")));
        let place = key.zip(self.file.path()).and_then(|(key, path)| {
            let (line, col) = crate::config::place_of(self.file.text(), source, key)?;
            Some(format!("{}:{line}:{col}", path.display()))
        });
        match place {
            Some(place) => SourceEvent::State {
                source: source.clone(),
                state: crate::model::SourceState::Failed(format!("{place}: {why}")),
            },
            None => event,
        }
    }

    /// Starts a source with its own channel, forwarded into the loop's.
    /// Stopping it aborts both tasks; the source then finds its channel
    /// closed.
    pub(super) fn start_source(&mut self, spec: &SourceSpec) {
        self.specs.insert(spec.name.clone(), spec.clone());
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
    /// new file and renaming it are caught too), and for a symlinked config
    /// its target's directory as well. Only changes count: circles' own
    /// reads of the file (opens, accesses) and metadata changes are no
    /// news, or every read would set off the next.
    fn watch_config(&mut self) {
        self.watcher = None;
        let Some(path) = self.file.path().map(Path::to_path_buf) else {
            return;
        };
        let dirs = watched_dirs(&path);
        let names: Vec<std::ffi::OsString> = [Some(path.clone()), fs::canonicalize(&path).ok()]
            .into_iter()
            .flatten()
            .filter_map(|p| p.file_name().map(|n| n.to_os_string()))
            .collect();
        let tx = self.tx.clone();
        let watcher = notify::recommended_watcher(move |result: notify::Result<notify::Event>| {
            let Ok(event) = result else {
                return;
            };
            let about_the_config = event
                .paths
                .iter()
                .any(|p| p.file_name().is_some_and(|n| names.iter().any(|c| c == n)));
            if about_the_config && changes_content(&event.kind) {
                let _ = tx.send(Event::ConfigFile);
            }
        });
        let mut watcher = match watcher {
            Ok(watcher) => watcher,
            Err(e) => {
                tracing::warn!(error = %e, "cannot watch the config");
                return;
            }
        };
        use notify::Watcher as _;
        let mut watching = false;
        for dir in &dirs {
            match watcher.watch(dir, notify::RecursiveMode::NonRecursive) {
                Ok(()) => watching = true,
                Err(e) => tracing::warn!(error = %e, dir = %dir.display(), "cannot watch"),
            }
        }
        if watching {
            self.watcher = Some(Watcher {
                _watcher: watcher,
                dirs,
            });
        }
    }
}

/// A save settles within this long.
const SETTLE: Duration = Duration::from_millis(150);

/// The watch on the config file.
struct Watcher {
    _watcher: notify::RecommendedWatcher,
    /// The directories watched: the config's, and its target's.
    dirs: Vec<PathBuf>,
}

/// The config file's directory and, when it is a symlink, its target's.
fn watched_dirs(path: &Path) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for file in [Some(path.to_path_buf()), fs::canonicalize(path).ok()]
        .into_iter()
        .flatten()
    {
        if let Some(dir) = file.parent().filter(|d| d.is_dir())
            && !dirs.iter().any(|d: &PathBuf| d == dir)
        {
            dirs.push(dir.to_path_buf());
        }
    }
    dirs
}

/// Whether an event can mean new content: a write, a file made, moved or
/// removed. Opening and reading (circles' own reads among them) and
/// metadata changes cannot; closing a file that was written can.
fn changes_content(kind: &notify::EventKind) -> bool {
    use notify::EventKind;
    use notify::event::{AccessKind, AccessMode, ModifyKind};
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) | EventKind::Any => true,
        EventKind::Other => false,
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

/// Why the system opener failed, in words: the `open` crate reports a
/// launcher's exit as `Launcher "xdg-open" "…" failed with
/// ExitStatus(unix_wait_status(512))`. xdg-open's exit codes are read out.
fn opener_failure(e: &io::Error) -> String {
    if e.kind() == io::ErrorKind::NotFound {
        return "no program to open links is installed (on Linux circles asks xdg-open; \
                install xdg-utils)"
            .to_string();
    }
    let text = e.to_string();
    let launcher = text
        .strip_prefix("Launcher \"")
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("the opener");
    let status = text
        .split("unix_wait_status(")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .and_then(|n| n.parse::<i32>().ok());
    match status {
        Some(status) => {
            let code = status >> 8;
            let why = match code {
                1 => "it did not understand the link".to_string(),
                2 => "it found nothing to open".to_string(),
                3 => "no browser is set up for links (set one with `xdg-settings set \
                      default-web-browser …` or $BROWSER)"
                    .to_string(),
                4 => "the browser could not be started".to_string(),
                _ => format!("it exited with code {code}"),
            };
            format!("{launcher} failed: {why}")
        }
        None => text,
    }
}

/// The people ledger over the window from `since`, read from the cache on
/// a connection of its own.
fn read_ledger(
    slot: &std::sync::Mutex<Option<crate::cache::Db>>,
    since: chrono::DateTime<Utc>,
) -> Result<Box<crate::people::Ledger>, String> {
    let path = crate::cli::people::cache_path().ok_or("no home directory for the cache")?;
    let mut slot = slot.lock().map_err(|_| "the cache reader failed before")?;
    if slot.is_none() {
        let (db, _) =
            crate::cache::Db::open(&path).map_err(|e| format!("cache {}: {e}", path.display()))?;
        *slot = Some(db);
    }
    let db = slot.as_ref().ok_or("no cache")?;
    db.ledger(&[], since)
        .map(Box::new)
        .map_err(|e| format!("cache {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_opener_failure_is_said_in_words() {
        let exited = io::Error::other(
            "Launcher \"xdg-open\" \"https://x.org\" failed with ExitStatus(unix_wait_status(768))",
        );
        assert_eq!(
            opener_failure(&exited),
            "xdg-open failed: no browser is set up for links (set one with `xdg-settings set \
             default-web-browser …` or $BROWSER)"
        );
        let code_2 = io::Error::other(
            "Launcher \"xdg-open\" \"x\" failed with ExitStatus(unix_wait_status(512))",
        );
        assert_eq!(
            opener_failure(&code_2),
            "xdg-open failed: it found nothing to open"
        );
        let missing = io::Error::from(io::ErrorKind::NotFound);
        assert!(opener_failure(&missing).contains("install xdg-utils"));
        let other = io::Error::other("permission denied");
        assert_eq!(opener_failure(&other), "permission denied");
    }
}
