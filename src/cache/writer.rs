//! The cache's writer thread: batches what the app sends and commits it
//! off the UI path.

use super::{CacheError, Db};
use crate::store::Write;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The [`Writer`] commits at least this often while it has something ...
const BATCH_INTERVAL: Duration = Duration::from_millis(200);
/// ... or as soon as it holds this many items.
const BATCH_ITEMS: usize = 500;
/// A failing batch is retried this many times before it is dropped.
const BATCH_TRIES: u32 = 3;

/// How much a write adds to a batch.
fn weight_of(write: &Write) -> usize {
    match write {
        Write::Posts(p) => p.len().max(1),
        Write::Seen(k) => k.len().max(1),
        _ => 1,
    }
}

/// A writer thread: batches what it is sent and commits every ~200 ms or
/// 500 items, off the UI path. Dropping the handle flushes and joins.
pub struct Writer {
    tx: Option<Sender<Write>>,
    thread: Option<JoinHandle<()>>,
    error: Arc<Mutex<Option<String>>>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

impl Writer {
    pub fn spawn(db: Db) -> Writer {
        let (tx, rx) = mpsc::channel();
        let error = Arc::new(Mutex::new(None));
        let report = Arc::clone(&error);
        let thread = std::thread::Builder::new()
            .name("circles-persist".into())
            .spawn(move || run_writer(db, rx, report))
            .expect("spawn the persistence thread");
        Writer {
            tx: Some(tx),
            thread: Some(thread),
            error,
        }
    }

    /// Queues a write; never blocks on the database.
    pub fn send(&self, w: Write) {
        if let Some(tx) = &self.tx {
            // The thread only stops when this handle drops.
            let _ = tx.send(w);
        }
    }

    /// The last write error since asked, for the status bar.
    pub fn take_error(&self) -> Option<String> {
        self.error.lock().ok().and_then(|mut e| e.take())
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        drop(self.tx.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run_writer(mut db: Db, rx: Receiver<Write>, error: Arc<Mutex<Option<String>>>) {
    let mut pending: Vec<Write> = Vec::new();
    let mut weight = 0;
    let mut deadline = Instant::now();
    let mut tries = 0;
    let mut open = true;
    while open || !pending.is_empty() {
        let next = if !open {
            None
        } else if pending.is_empty() {
            match rx.recv() {
                Ok(w) => Some(w),
                Err(_) => {
                    open = false;
                    None
                }
            }
        } else {
            match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(w) => Some(w),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => {
                    open = false;
                    None
                }
            }
        };
        if let Some(w) = next {
            if pending.is_empty() {
                deadline = Instant::now() + BATCH_INTERVAL;
            }
            weight += weight_of(&w);
            pending.push(w);
        }
        let due = !open || weight >= BATCH_ITEMS || Instant::now() >= deadline;
        if pending.is_empty() || !due {
            continue;
        }
        match flush(&mut db, &pending) {
            Ok(()) => {
                pending.clear();
                weight = 0;
                tries = 0;
            }
            Err(e) => {
                tries += 1;
                let problem = format!("cache {}: {e}", db.path().display());
                tracing::warn!("persisting {weight} changes failed (try {tries}): {problem}");
                if let Ok(mut slot) = error.lock() {
                    *slot = Some(problem);
                }
                if tries >= BATCH_TRIES {
                    pending.clear();
                    weight = 0;
                    tries = 0;
                } else {
                    deadline = Instant::now() + BATCH_INTERVAL;
                }
            }
        }
    }
}

fn flush(db: &mut Db, pending: &[Write]) -> Result<(), CacheError> {
    db.write(pending)?;
    let prune = pending
        .iter()
        .filter_map(|w| match w {
            Write::Prune(n) => Some(*n),
            _ => None,
        })
        .min();
    if let Some(n) = prune {
        db.prune(n)?;
    }
    Ok(())
}
