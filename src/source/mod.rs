//! Sources: tasks that fetch or stream posts and send them, by value, into
//! the app's one channel along with their state (ARCHITECTURE.md, "Data
//! flow").
//!
//! Every source is started by [`spawn`] from a checked [`SourceSpec`] and
//! reports through a [`Sink`]: batches of posts, its state (loading, live,
//! retrying, failed) and the lines it had to skip. The app never asks a
//! source anything; it only listens, so a network source plugs in by
//! sending the same events. A network source is a loop over its client in
//! `crate::net`: the client makes the calls, the source decides what to
//! read next, when to retry (one [`Failure`], one [`Sink::pause`]) and what
//! to tell the app.
//!
//! May touch: `model`, `decode`, `config`, `net`; tokio. Never the terminal.

pub mod act;
mod bluesky;
mod demo;
mod feed;
mod jetstream;
mod jsonl;
mod mastodon;
pub mod people;
mod saved;

pub use demo::{DEMO_FEED, demo_posts};

use crate::config::{SourceConfig, SourceSpec};
use crate::model::{Mark, Marker, Post, SourceEvent, SourceState};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

/// Why a step of a source did not work out, and what to do about it.
#[derive(Debug)]
enum Failure {
    /// Stop for good; the reason is for the user.
    Fatal(String),
    /// Try again after `wait` (what the server asked for), or after the
    /// next backoff delay.
    Retry { why: String, wait: Option<Duration> },
    /// The app is gone.
    Closed,
}

impl Failure {
    fn retry(why: impl Into<String>) -> Self {
        Failure::Retry {
            why: why.into(),
            wait: None,
        }
    }
}

/// A failed call: retried later if it may work then, else the end.
impl From<crate::net::Error> for Failure {
    fn from(e: crate::net::Error) -> Self {
        if e.is_transient() {
            Failure::Retry {
                why: e.to_string(),
                wait: e.wait(),
            }
        } else {
            Failure::Fatal(e.to_string())
        }
    }
}

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

    /// Says where the server keeps the reader's read position (see
    /// [`SourceEvent::ReadMarker`]).
    pub fn read_marker(&self, marker: Marker, mark: Option<Mark>) -> bool {
        self.tx
            .send(SourceEvent::ReadMarker {
                source: self.source.clone(),
                marker,
                mark,
            })
            .is_ok()
    }

    /// Names what the source reads (see [`SourceEvent::Titled`]): the
    /// server's words on one line, trimmed, at most 64 characters; an
    /// empty name is none.
    pub fn titled(&self, title: &str) -> bool {
        let title: String = crate::model::sanitize_line(title.trim())
            .chars()
            .take(64)
            .collect();
        title.is_empty()
            || self
                .tx
                .send(SourceEvent::Titled {
                    source: self.source.clone(),
                    title,
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

    /// Resolves once the app is gone.
    pub async fn closed(&self) {
        self.tx.closed().await
    }

    /// Sleeps for `wait`; false (at once) when the app goes away meanwhile.
    pub async fn pause(&self, wait: Duration) -> bool {
        tokio::select! {
            () = tokio::time::sleep(wait) => !self.is_closed(),
            () = self.tx.closed() => false,
        }
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
    match &spec.kind {
        SourceConfig::Demo => tokio::spawn(demo::run(sink, options.demo_interval_secs)),
        SourceConfig::Jsonl(jsonl) => tokio::spawn(jsonl::run(sink, jsonl.clone(), cursors)),
        SourceConfig::Mastodon(m) => tokio::spawn(mastodon::run(sink, m.clone(), cursors)),
        SourceConfig::Bluesky(b) => tokio::spawn(bluesky::run(sink, b.clone(), cursors)),
        SourceConfig::Feed(f) => tokio::spawn(feed::run(sink, f.clone(), cursors)),
    }
}
