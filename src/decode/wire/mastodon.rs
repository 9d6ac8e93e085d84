//! The Mastodon API entities circles reads, as serde sees them: the
//! Status (of a timeline, a stream event or a notification) and what it
//! holds. Strings borrow from the JSON unless they had escapes.

use serde::Deserialize;
use std::borrow::Cow;

#[derive(Deserialize)]
pub struct Status<'a> {
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    #[serde(borrow)]
    pub created_at: Cow<'a, str>,
    #[serde(borrow)]
    pub url: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub uri: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub language: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub visibility: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub account: Account<'a>,
    #[serde(borrow, default)]
    pub content: Cow<'a, str>,
    #[serde(borrow)]
    pub reblog: Option<Box<Status<'a>>>,
    #[serde(borrow, default)]
    pub spoiler_text: Cow<'a, str>,
    #[serde(borrow)]
    pub in_reply_to_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub in_reply_to_account_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub mentions: Vec<Mention<'a>>,
    #[serde(borrow, default)]
    pub tags: Vec<Tag<'a>>,
    #[serde(borrow, default)]
    pub media_attachments: Vec<Attachment<'a>>,
    #[serde(borrow)]
    pub card: Option<Card<'a>>,
    #[serde(default)]
    pub sensitive: bool,
    /// The reader's marks, present when the status was read with a token.
    pub favourited: Option<bool>,
    pub reblogged: Option<bool>,
    pub bookmarked: Option<bool>,
    #[serde(default, deserialize_with = "super::count")]
    pub replies_count: Option<u32>,
    #[serde(default, deserialize_with = "super::count")]
    pub reblogs_count: Option<u32>,
    #[serde(default, deserialize_with = "super::count")]
    pub favourites_count: Option<u32>,
    /// Mastodon 4.5: the post this one quotes.
    #[serde(borrow)]
    pub quote: Option<Box<Quote<'a>>>,
}

/// A Quote (or, inside a quoted status, a ShallowQuote, which names the
/// status by id only).
#[derive(Deserialize)]
pub struct Quote<'a> {
    #[serde(borrow, default)]
    pub state: Cow<'a, str>,
    #[serde(borrow)]
    pub quoted_status: Option<Box<Status<'a>>>,
}

#[derive(Deserialize)]
pub struct Account<'a> {
    #[serde(borrow)]
    pub id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub acct: Cow<'a, str>,
    #[serde(borrow, default)]
    pub display_name: Cow<'a, str>,
    #[serde(borrow)]
    pub url: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
pub struct Mention<'a> {
    #[serde(borrow)]
    pub id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub acct: Cow<'a, str>,
    #[serde(borrow)]
    pub url: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
pub struct Tag<'a> {
    #[serde(borrow)]
    pub name: Cow<'a, str>,
}

#[derive(Deserialize)]
pub struct Attachment<'a> {
    #[serde(borrow, rename = "type")]
    pub kind: Cow<'a, str>,
    #[serde(borrow)]
    pub url: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub description: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
pub struct Card<'a> {
    #[serde(borrow)]
    pub url: Cow<'a, str>,
}
