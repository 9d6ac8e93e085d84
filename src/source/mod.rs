//! Sources: tasks that fetch or stream posts and send them, by value, into
//! the app's one channel along with their state (SPEC §2).
//!
//! Every source is started by [`spawn`] from a checked [`SourceSpec`] and
//! reports through a [`Sink`]: batches of posts, its state (loading, live,
//! retrying, failed) and the lines it had to skip. The app never asks a
//! source anything; it only listens, so a network source plugs in by
//! sending the same events.
//!
//! May touch: `model`, `decode`, `config`; tokio. Never the terminal.

mod bluesky;
mod demo;
mod feed;
pub mod http;
mod jsonl;
mod mastodon;
pub mod secret;

pub use demo::{DEMO_FEED, demo_posts};

use crate::config::{SourceKind, SourceSpec};
use crate::model::{Post, SourceEvent, SourceState};
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

/// Where a source sends its events. Sending never blocks; a closed channel
/// means the app has quit, so sources stop quietly.
#[derive(Debug, Clone)]
pub struct Sink {
    source: String,
    tx: UnboundedSender<SourceEvent>,
}

impl Sink {
    pub fn new(source: &str, tx: UnboundedSender<SourceEvent>) -> Self {
        Sink {
            source: source.to_string(),
            tx,
        }
    }

    /// False once the app is gone.
    pub fn posts(&self, posts: Vec<Post>) -> bool {
        posts.is_empty()
            || self
                .tx
                .send(SourceEvent::Posts {
                    source: self.source.clone(),
                    posts,
                })
                .is_ok()
    }

    pub fn state(&self, state: SourceState) -> bool {
        self.tx
            .send(SourceEvent::State {
                source: self.source.clone(),
                state,
            })
            .is_ok()
    }

    /// The app is gone: a source waiting for more input should stop.
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    pub fn updated(&self, post: Post) -> bool {
        self.tx
            .send(SourceEvent::Updated {
                source: self.source.clone(),
                post: Box::new(post),
            })
            .is_ok()
    }

    pub fn deleted(&self, id: String) -> bool {
        self.tx
            .send(SourceEvent::Deleted {
                source: self.source.clone(),
                id,
            })
            .is_ok()
    }

    /// Records where the source is up to (never a secret).
    pub fn cursor(&self, key: &str, value: &str) -> bool {
        self.tx
            .send(SourceEvent::Cursor {
                source: self.source.clone(),
                key: key.to_string(),
                value: value.to_string(),
            })
            .is_ok()
    }

    pub fn skipped(&self, problem: String) -> bool {
        self.tx
            .send(SourceEvent::Skipped {
                source: self.source.clone(),
                problem,
            })
            .is_ok()
    }
}

/// How a source behaves that tests and the demo want to pin.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Seconds between two new demo posts once the backlog is shown; 0
    /// keeps the demo still.
    pub demo_interval_secs: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            demo_interval_secs: 6.0,
        }
    }
}

/// Starts a source task on the current tokio runtime.
pub fn spawn(
    spec: &SourceSpec,
    tx: UnboundedSender<SourceEvent>,
    options: Options,
) -> JoinHandle<()> {
    spawn_resuming(spec, tx, options, Cursors::new())
}

/// A source's cursors as it last reported them: key → value.
pub type Cursors = std::collections::HashMap<String, String>;

/// Starts a source that picks up where it left off: `cursors` are what it
/// sent as [`SourceEvent::Cursor`] in an earlier run.
pub fn spawn_resuming(
    spec: &SourceSpec,
    tx: UnboundedSender<SourceEvent>,
    options: Options,
    cursors: Cursors,
) -> JoinHandle<()> {
    let sink = Sink::new(&spec.name, tx);
    match spec.kind {
        SourceKind::Demo => tokio::spawn(demo::run(sink, options.demo_interval_secs)),
        SourceKind::Jsonl => tokio::spawn(jsonl::run(
            sink,
            spec.path.clone().unwrap_or_else(|| "-".to_string()),
            spec.follow,
            cursors,
        )),
        SourceKind::Mastodon => tokio::spawn(mastodon::run(sink, spec.clone(), cursors)),
        SourceKind::Bluesky => tokio::spawn(bluesky::run(sink, spec.clone(), cursors)),
        SourceKind::Feed => tokio::spawn(feed::run(sink, spec.clone(), cursors)),
    }
}
