//! What the reader does to a post through a source's account: the
//! messages between the app (which asks, and shows the result at once) and
//! the runtime (which makes the call off the event loop and says how it
//! went). Plain data, so both sides and tests can use them.

use super::Engagement;

/// One thing to do to a post. `on` is the state wanted: `true` to
/// favourite, `false` to take the favourite back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    Favourite { on: bool },
    Boost { on: bool },
    Bookmark { on: bool },
}

impl Act {
    /// What the act is, in words for the status bar: "favourite",
    /// "undo the boost".
    pub fn words(self) -> &'static str {
        match self {
            Act::Favourite { on: true } => "favourite",
            Act::Favourite { on: false } => "take back the favourite",
            Act::Boost { on: true } => "boost",
            Act::Boost { on: false } => "undo the boost",
            Act::Bookmark { on: true } => "bookmark",
            Act::Bookmark { on: false } => "remove the bookmark",
        }
    }

    /// The act under way, for the status bar: "favouriting".
    pub fn doing(self) -> &'static str {
        match self {
            Act::Favourite { on: true } => "favouriting",
            Act::Favourite { on: false } => "taking back the favourite",
            Act::Boost { on: true } => "boosting",
            Act::Boost { on: false } => "undoing the boost",
            Act::Bookmark { on: true } => "bookmarking",
            Act::Bookmark { on: false } => "removing the bookmark",
        }
    }

    /// The act done, for the status bar: "favourited".
    pub fn done(self) -> &'static str {
        match self {
            Act::Favourite { on: true } => "favourited",
            Act::Favourite { on: false } => "took back the favourite",
            Act::Boost { on: true } => "boosted",
            Act::Boost { on: false } => "undid the boost",
            Act::Bookmark { on: true } => "bookmarked",
            Act::Bookmark { on: false } => "removed the bookmark",
        }
    }

    /// The post's marks as they are once the act is done.
    pub fn apply(self, marks: &mut Engagement) {
        fn step(count: &mut Option<u32>, on: bool) {
            if let Some(n) = count {
                *n = if on {
                    n.saturating_add(1)
                } else {
                    n.saturating_sub(1)
                };
            }
        }
        match self {
            Act::Favourite { on } if marks.favourited != on => {
                marks.favourited = on;
                step(&mut marks.favourites, on);
            }
            Act::Boost { on } if marks.boosted != on => {
                marks.boosted = on;
                step(&mut marks.boosts, on);
            }
            Act::Bookmark { on } => marks.bookmarked = on,
            Act::Favourite { .. } | Act::Boost { .. } => {}
        }
    }

    /// Puts back what this act changed in `marks` as it was in `before`,
    /// leaving the rest (what other acts did meanwhile) alone.
    pub fn restore(self, marks: &mut Engagement, before: &Engagement) {
        match self {
            Act::Favourite { .. } => {
                marks.favourited = before.favourited;
                marks.favourites = before.favourites;
                marks.like_record.clone_from(&before.like_record);
            }
            Act::Boost { .. } => {
                marks.boosted = before.boosted;
                marks.boosts = before.boosts;
                marks.repost_record.clone_from(&before.repost_record);
            }
            Act::Bookmark { .. } => marks.bookmarked = before.bookmarked,
        }
    }

    /// The same kind of act: a second one waits for the first.
    pub fn same_kind(self, other: Act) -> bool {
        std::mem::discriminant(&self) == std::mem::discriminant(&other)
    }
}

/// The post acted on, as its network knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostRef {
    /// The status id (Mastodon) or `at://` URI (Bluesky).
    pub id: String,
    /// Bluesky's content id, for the strong ref of a like or repost.
    pub cid: Option<String>,
    /// Bluesky: the reader's like or repost record an undo deletes.
    pub record: Option<String>,
    /// The post's URI when the acting account is on another server than
    /// the source that delivered the post: it finds its own id for the post
    /// by it first.
    pub find_by: Option<String>,
}

/// An act for the runtime to carry out through `source`'s account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActRequest {
    /// Matches the answer to the request.
    pub ticket: u64,
    pub source: String,
    pub act: Act,
    pub post: PostRef,
}

/// How an act went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActResult {
    Done {
        /// The post's marks and counts as the server now has them, when
        /// it answered with the post (Mastodon does).
        marks: Option<Engagement>,
        /// The record a like or repost made (Bluesky), for its undo.
        record: Option<String>,
    },
    /// What the server answered and what to do, for the status bar.
    Failed(String),
}

impl ActResult {
    /// The marks a finished act leaves on a post shown with `shown`: the
    /// server's when it said, else the ones shown, with the record the
    /// act made. `None` when the act failed.
    pub fn settled(&self, shown: &Engagement, act: Act) -> Option<Engagement> {
        let ActResult::Done { marks, record } = self else {
            return None;
        };
        let mut settled = marks.clone().unwrap_or_else(|| shown.clone());
        match act {
            Act::Favourite { on } => settled.like_record = record.clone().filter(|_| on),
            Act::Boost { on } => settled.repost_record = record.clone().filter(|_| on),
            Act::Bookmark { .. } => {}
        }
        Some(settled)
    }
}

/// The conversation around a post, fetched for the thread view.
#[derive(Debug, Clone, PartialEq)]
pub enum ThreadResult {
    Found {
        /// The posts above it, oldest first.
        ancestors: Vec<super::Post>,
        /// The replies below it, depth first, each with its depth (1 for a
        /// direct reply).
        replies: Vec<(super::Post, u16)>,
    },
    /// What the server answered, for the overlay.
    Failed(String),
}

/// An account as its profile page shows it. Every string is sanitized
/// (the bio from HTML to plain text).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Profile {
    pub handle: String,
    pub display_name: String,
    pub bio: String,
    /// Profile fields (Mastodon), name and value as plain text.
    pub fields: Vec<(String, String)>,
    pub followers: Option<u64>,
    pub following: Option<u64>,
    pub posts: Option<u64>,
    /// From the reader's account: whether they follow it, and it them.
    pub you_follow: Option<bool>,
    pub follows_you: Option<bool>,
    pub url: Option<String>,
}

/// One of the reader's own lists or saved feeds, to make a column of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// As its server names it.
    pub title: String,
    /// What a source reading it says: a Mastodon `timeline`
    /// (`list:Friends`) or a Bluesky `feed` (an `at://` URI).
    pub read: String,
    /// "list" or "feed".
    pub kind: &'static str,
    /// Pinned in the account's own apps (Bluesky).
    pub pinned: bool,
}

/// An account's profile and recent posts, fetched for the profile view.
#[derive(Debug, Clone, PartialEq)]
pub enum ProfileResult {
    Found {
        profile: Box<Profile>,
        posts: Vec<super::Post>,
    },
    Failed(String),
}
