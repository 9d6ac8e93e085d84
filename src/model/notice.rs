//! Notifications: what someone did that concerns the reader — a
//! favourite, a boost, a follow, a mention — carried by a [`Post`].
//!
//! A mention, reply, quote, a post of someone the reader rings for, or an
//! edit is a post in its own right: its `Post` is that post, with a
//! [`Notice`] saying why it came. A favourite, boost, follow, follow request
//! or poll result is a *pure* notice: its `Post` has the actor as author,
//! the notification's time, no text of its own, and the reader's post it is
//! about as [`Notice::subject`]. The store merges notices of one kind about
//! one post into one card ("bob and 3 others favourited your post").

use super::{Account, Post};

/// What kind of notification it is, by the names of the config's
/// `notifications = [...]` and of `circles route`'s `"notification"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    Mention,
    /// A mention that answers a post (Mastodon says `mention`; Bluesky
    /// `reply`).
    Reply,
    Quote,
    /// A post by someone the reader asked to be told about.
    Status,
    /// A post the reader boosted or answered was edited.
    Update,
    /// Mastodon's favourite, Bluesky's like.
    Favourite,
    /// Mastodon's reblog, Bluesky's repost.
    Reblog,
    Follow,
    FollowRequest,
    /// A poll the reader voted in or made has ended.
    Poll,
    /// Any other kind a server sends (moderation warnings, reports, …).
    Other,
}

impl NoticeKind {
    /// Every kind, in the order the README lists them.
    pub const ALL: [NoticeKind; 11] = [
        NoticeKind::Mention,
        NoticeKind::Reply,
        NoticeKind::Quote,
        NoticeKind::Status,
        NoticeKind::Update,
        NoticeKind::Favourite,
        NoticeKind::Reblog,
        NoticeKind::Follow,
        NoticeKind::FollowRequest,
        NoticeKind::Poll,
        NoticeKind::Other,
    ];

    /// The kind of a Mastodon notification `type` or a Bluesky `reason`.
    pub fn of_wire(kind: &str) -> NoticeKind {
        match kind {
            "mention" => NoticeKind::Mention,
            "reply" => NoticeKind::Reply,
            "quote" | "quoted_update" => NoticeKind::Quote,
            "status" => NoticeKind::Status,
            "update" => NoticeKind::Update,
            "favourite" | "like" => NoticeKind::Favourite,
            "reblog" | "repost" => NoticeKind::Reblog,
            "follow" => NoticeKind::Follow,
            "follow_request" => NoticeKind::FollowRequest,
            "poll" => NoticeKind::Poll,
            _ => NoticeKind::Other,
        }
    }

    /// Its name in the config and in verdicts.
    pub fn name(self) -> &'static str {
        match self {
            NoticeKind::Mention => "mention",
            NoticeKind::Reply => "reply",
            NoticeKind::Quote => "quote",
            NoticeKind::Status => "status",
            NoticeKind::Update => "update",
            NoticeKind::Favourite => "favourite",
            NoticeKind::Reblog => "reblog",
            NoticeKind::Follow => "follow",
            NoticeKind::FollowRequest => "follow_request",
            NoticeKind::Poll => "poll",
            NoticeKind::Other => "other",
        }
    }

    /// The kind a config name means (also Bluesky's words, `like` and
    /// `repost`).
    pub fn parse(name: &str) -> Option<NoticeKind> {
        let kind = NoticeKind::of_wire(name);
        (kind != NoticeKind::Other || name == "other").then_some(kind)
    }

    /// Whether the notification is a post in its own right (a mention, a
    /// reply, a quote, a post or an edit), which every post action works
    /// on.
    pub fn is_post(self) -> bool {
        matches!(
            self,
            NoticeKind::Mention
                | NoticeKind::Reply
                | NoticeKind::Quote
                | NoticeKind::Status
                | NoticeKind::Update
        )
    }
}

/// Why a post arrived as a notification, and for a pure notice what it is
/// about.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Notice {
    pub kind: NoticeKind,
    /// The notification's id on its server.
    pub id: String,
    /// Who else did the same to the same post, merged into this card, in
    /// the order they came (the post's author came first).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub others: Vec<Account>,
    /// How many did it in all, when the server counted more than it named
    /// (a Mastodon notification group names eight at most).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u32>,
    /// The reader's post a favourite, boost or poll is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Box<Post>>,
    /// When the server took it in (Bluesky's `indexedAt`), where that is
    /// what its read position counts by (see `Marker::SeenAt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<chrono::DateTime<chrono::Utc>>,
}

impl Post {
    /// Marks the post as having come as a notification of `kind` (its id
    /// `id`): a mention, reply, quote, post or edit.
    pub fn came_as(mut self, kind: NoticeKind, id: String) -> Post {
        self.notice = Some(Box::new(Notice {
            kind,
            id,
            others: Vec::new(),
            total: None,
            subject: None,
            at: None,
        }));
        self
    }

    /// A pure notice: `actor` did `kind` (a favourite, boost, follow, …)
    /// at `at`, about the reader's post `subject`, if any, which `o` and
    /// `y` open and copy. Its id is `notification:<id>`.
    pub fn pure_notice(
        source: &str,
        (kind, id): (NoticeKind, String),
        actor: Account,
        at: chrono::DateTime<chrono::Utc>,
        subject: Option<Post>,
    ) -> Post {
        let mut post = Post::new(source, &format!("notification:{id}"), actor, at, "");
        post.url = subject.as_ref().and_then(|s| s.url.clone());
        post.notice = Some(Box::new(Notice {
            kind,
            id,
            others: Vec::new(),
            total: None,
            subject: subject.map(Box::new),
            at: None,
        }));
        post
    }

    /// Whether the post is a pure notice: a favourite, boost, follow,
    /// follow request or poll result, with no text of its own.
    pub fn is_pure_notice(&self) -> bool {
        self.notice.as_deref().is_some_and(|n| !n.kind.is_post())
    }

    /// The notification's kind, if it came as one.
    pub fn notice_kind(&self) -> Option<NoticeKind> {
        self.notice.as_deref().map(|n| n.kind)
    }
}
