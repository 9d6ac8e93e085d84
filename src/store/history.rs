//! What the cache keeps and gives back, as plain data: the app asks for
//! [`Write`]s and is handed a [`Snapshot`] at start. The I/O lives in
//! `crate::cache`, so the app and the store never touch a database.
//!
//! May touch: `model`.

use crate::model::Post;
use std::collections::HashMap;

/// The store's dedupe key of a post: its URI, else source + `\0` + id.
pub fn post_key(post: &Post) -> String {
    super::dedupe_key(post)
}

/// What a restart shows before any network answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// Newest first (by `created_at`, then latest stored first), with
    /// whether each was seen.
    pub posts: Vec<(Post, bool)>,
    /// Column name → post key ([`post_key`]) of its read position.
    pub positions: HashMap<String, String>,
    /// (source, key) → value: `since_id`, `cursor`, `etag`, `offset`, …
    pub cursors: HashMap<(String, String), String>,
    /// Rows whose stored post could not be read back (e.g. written by an
    /// incompatible version); they are left out of `posts`.
    pub skipped: usize,
    /// The post being written when the last run ended, unsent.
    pub draft: Option<Box<crate::model::Draft>>,
}

/// One change for the cache to keep (see `crate::cache::Writer`).
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// Upsert by [`post_key`] (an edit replaces; the seen mark stays).
    /// Shared with the timeline: kept without a copy.
    Posts(Vec<std::sync::Arc<Post>>),
    /// Post keys now seen.
    Seen(Vec<String>),
    /// Post key deleted at its source.
    Deleted(String),
    Position {
        column: String,
        key: String,
    },
    Cursor {
        source: String,
        key: String,
        value: String,
    },
    /// Keep this many newest posts per source (after the pending batch).
    Prune(usize),
    /// The post being written, as it is now; `None` once it is sent or
    /// thrown away.
    Draft(Option<Box<crate::model::Draft>>),
    /// Interactions for the people ledger, seen through `source`.
    Interactions {
        source: String,
        list: Vec<crate::model::people::Interaction>,
    },
    /// Interactions taken back (the reader unfavourited or unboosted from
    /// the keyboard): out of the ledger, as if never seen.
    Withdrawn {
        source: String,
        list: Vec<crate::model::people::Interaction>,
    },
    /// `who` followed the reader at `at` (a notification said so).
    FollowedAt {
        source: String,
        who: String,
        at: chrono::DateTime<chrono::Utc>,
    },
}
