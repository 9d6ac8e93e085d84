//! Bluesky's `app.bsky.feed.defs#feedViewPost` (an item of `getTimeline`'s
//! `feed[]`) and what it holds, as serde sees them.

use serde::Deserialize;
use std::borrow::Cow;

#[derive(Deserialize)]
pub struct PostView<'a> {
    #[serde(borrow)]
    pub uri: Cow<'a, str>,
    #[serde(borrow)]
    pub author: Profile<'a>,
    #[serde(borrow)]
    pub record: Record<'a>,
    #[serde(borrow)]
    pub embed: Option<EmbedView<'a>>,
    #[serde(borrow, rename = "indexedAt")]
    pub indexed_at: Option<Cow<'a, str>>,
    /// Moderation labels (`com.atproto.label.defs#label`).
    #[serde(borrow, default)]
    pub labels: Vec<Label<'a>>,
    #[serde(borrow)]
    pub cid: Option<Cow<'a, str>>,
    /// The reader's own like and repost records (`#viewerState`).
    #[serde(borrow)]
    pub viewer: Option<Viewer<'a>>,
    #[serde(rename = "replyCount", default, deserialize_with = "super::count")]
    pub reply_count: Option<u32>,
    #[serde(rename = "repostCount", default, deserialize_with = "super::count")]
    pub repost_count: Option<u32>,
    #[serde(rename = "likeCount", default, deserialize_with = "super::count")]
    pub like_count: Option<u32>,
}

/// `app.bsky.feed.defs#viewerState`.
#[derive(Deserialize)]
pub struct Viewer<'a> {
    #[serde(borrow)]
    pub like: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub repost: Option<Cow<'a, str>>,
    #[serde(default)]
    pub bookmarked: Option<bool>,
}

#[derive(Deserialize)]
pub struct Label<'a> {
    #[serde(borrow)]
    pub val: Cow<'a, str>,
}

#[derive(Deserialize)]
pub struct Profile<'a> {
    #[serde(borrow)]
    pub did: Cow<'a, str>,
    #[serde(borrow)]
    pub handle: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "displayName")]
    pub display_name: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
pub struct Record<'a> {
    #[serde(borrow, default)]
    pub text: Cow<'a, str>,
    #[serde(borrow, rename = "createdAt")]
    pub created_at: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub langs: Vec<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub facets: Vec<Facet<'a>>,
    #[serde(borrow)]
    pub reply: Option<RecordReply<'a>>,
}

#[derive(Deserialize)]
pub struct RecordReply<'a> {
    #[serde(borrow)]
    pub parent: StrongRef<'a>,
    #[serde(borrow)]
    pub root: Option<StrongRef<'a>>,
}

#[derive(Deserialize)]
pub struct StrongRef<'a> {
    #[serde(borrow)]
    pub uri: Cow<'a, str>,
    #[serde(borrow)]
    pub cid: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
pub struct Facet<'a> {
    pub index: ByteSlice,
    #[serde(borrow, default)]
    pub features: Vec<Feature<'a>>,
}

#[derive(Deserialize)]
pub struct ByteSlice {
    #[serde(rename = "byteStart")]
    pub start: usize,
    #[serde(rename = "byteEnd")]
    pub end: usize,
}

/// One facet feature; which fields are set depends on `$type`.
#[derive(Deserialize)]
pub struct Feature<'a> {
    #[serde(borrow, rename = "$type")]
    pub kind: Cow<'a, str>,
    #[serde(borrow)]
    pub did: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub uri: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub tag: Option<Cow<'a, str>>,
}

/// The hydrated embed of a post (`app.bsky.embed.*#view`).
#[derive(Deserialize)]
pub struct EmbedView<'a> {
    #[serde(borrow, rename = "$type", default)]
    pub kind: Cow<'a, str>,
    #[serde(borrow, default)]
    pub images: Vec<ImageView<'a>>,
    #[serde(borrow)]
    pub external: Option<ExternalView<'a>>,
    /// `recordWithMedia#view` nests the media embed.
    #[serde(borrow)]
    pub media: Option<Box<EmbedView<'a>>>,
    /// `record#view` (its record), `recordWithMedia#view` (a `record#view`).
    #[serde(borrow)]
    pub record: Option<Box<EmbeddedRecord<'a>>>,
    /// `video#view`.
    #[serde(borrow)]
    pub alt: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub playlist: Option<Cow<'a, str>>,
}

/// What a record embed shows: `app.bsky.embed.record#viewRecord` (a post,
/// with its record as `value`), `#viewNotFound`, `#viewBlocked`,
/// `#viewDetached`, a feed, list or starter pack view; or, inside
/// `recordWithMedia#view`, a `record#view` around one of those.
#[derive(Deserialize)]
pub struct EmbeddedRecord<'a> {
    #[serde(borrow, rename = "$type", default)]
    pub kind: Cow<'a, str>,
    #[serde(borrow)]
    pub uri: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub cid: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub author: Option<Profile<'a>>,
    #[serde(borrow)]
    pub value: Option<Record<'a>>,
    #[serde(borrow, rename = "indexedAt")]
    pub indexed_at: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub labels: Vec<Label<'a>>,
    #[serde(borrow, default)]
    pub embeds: Vec<EmbedView<'a>>,
    #[serde(borrow)]
    pub record: Option<Box<EmbeddedRecord<'a>>>,
}

#[derive(Deserialize)]
pub struct ImageView<'a> {
    #[serde(borrow, default)]
    pub alt: Cow<'a, str>,
    #[serde(borrow)]
    pub fullsize: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
pub struct ExternalView<'a> {
    #[serde(borrow)]
    pub uri: Cow<'a, str>,
}

/// The top-level `reply` of a feed item: hydrated root and parent.
#[derive(Deserialize)]
pub struct ReplyContext<'a> {
    #[serde(borrow)]
    pub parent: Option<ParentView<'a>>,
}

/// A parent post, or a `notFoundPost`/`blockedPost` stand-in.
#[derive(Deserialize)]
pub struct ParentView<'a> {
    #[serde(borrow)]
    pub author: Option<Profile<'a>>,
    #[serde(borrow)]
    pub record: Option<ParentRecord<'a>>,
}

/// The part of a parent's record the detail view shows.
#[derive(Deserialize)]
pub struct ParentRecord<'a> {
    #[serde(borrow, default)]
    pub text: Cow<'a, str>,
}

#[derive(Deserialize)]
pub struct Reason<'a> {
    #[serde(borrow, rename = "$type")]
    pub kind: Cow<'a, str>,
    #[serde(borrow)]
    pub by: Option<Profile<'a>>,
}

/// `app.bsky.notification.listNotifications#notification`.
#[derive(Deserialize)]
pub struct Notification<'a> {
    #[serde(borrow)]
    pub uri: Cow<'a, str>,
    #[serde(borrow)]
    pub cid: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub author: Profile<'a>,
    /// like, repost, follow, mention, reply, quote, starterpack-joined, …
    #[serde(borrow)]
    pub reason: Cow<'a, str>,
    /// The reader's post a like or repost is of.
    #[serde(borrow, rename = "reasonSubject")]
    pub reason_subject: Option<Cow<'a, str>>,
    /// The record that notified: a post, a like, a follow.
    #[serde(borrow)]
    pub record: Option<Record<'a>>,
    #[serde(borrow, rename = "indexedAt")]
    pub indexed_at: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub labels: Vec<Label<'a>>,
}
