//! What sources tell the app: the messages that cross the one channel
//! from the source tasks to the reducer. Plain data, so both sides (and
//! tests) can use them without the other.

use super::Post;

/// What a source can be doing, as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceState {
    Starting,
    /// Connecting or logging in.
    Connecting,
    /// Reading what is already there.
    Loading,
    /// Waiting for something outside to appear (a followed file not yet
    /// created); what, for the user.
    Waiting(String),
    /// Up to date and waiting for more.
    Live,
    /// Live, but what it read at the start stopped short; why, for the user.
    Incomplete(String),
    /// Read everything; nothing more will come.
    Done,
    /// Failed for now; trying again after a wait.
    Retrying {
        seconds: u64,
        why: String,
    },
    /// Failed and will not retry; the reason is for the user.
    Failed(String),
}

/// A message from a source to the app.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceEvent {
    Posts {
        source: String,
        posts: Vec<Post>,
    },
    /// A post was edited: the new version replaces the old (same id).
    Updated {
        source: String,
        post: Box<Post>,
    },
    /// A post was deleted at its source (by id).
    Deleted {
        source: String,
        id: String,
    },
    /// Where the source is up to (a Mastodon `since_id`, a feed's ETag, a
    /// file offset…): kept in the cache so a restart fetches only the gap.
    Cursor {
        source: String,
        key: String,
        value: String,
    },
    State {
        source: String,
        state: SourceState,
    },
    /// Where the server keeps the reader's read position for this source's
    /// posts (none: it keeps one, but has none yet). From then on what the
    /// reader sees moves it.
    ReadMarker {
        source: String,
        marker: super::Marker,
        mark: Option<super::Mark>,
    },
    /// What the source reads, by the name its server gives it (a custom
    /// feed's display name, a list's title), for the status bar.
    Titled {
        source: String,
        title: String,
    },
    /// A line or item that could not be read, with where and why; the
    /// source goes on with the next one.
    Skipped {
        source: String,
        problem: String,
    },
}
