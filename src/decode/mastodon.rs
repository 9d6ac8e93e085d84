//! Mastodon: the Status entity of the REST and streaming APIs.
//!
//! A boost (`reblog`) becomes the boosted post with the outer account as
//! `boosted_by`. A local `acct` (no `@host`) is qualified with the host of
//! the account's profile URL, so `alice` on hachyderm.io routes as
//! `alice@hachyderm.io` wherever it was fetched from (SPEC §4).

use super::fast::{AccountCache, CacheKey, Memory};
use super::html::html_to_text_into;
use super::{
    DecodeError, Spares, fill_list, line_text, parse_time, sanitize_in_place, set_line,
    set_nonempty_body, set_optional, url_host,
};
use crate::model::{
    Account as ModelAccount, HandleKey, Media, MediaKind, Mention as ModelMention, Network, Post,
    ReplyTo,
};
use serde::Deserialize;
use std::borrow::Cow;

const FORMAT: &str = "Mastodon status";

#[derive(Deserialize)]
pub(super) struct Status<'a> {
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
}

impl Status<'_> {
    /// Gives the buffers of its decoded body and content warning back for
    /// the next line's escaped strings. (Mastodon escapes every `<` and `>`,
    /// so every body is decoded; other strings rarely are.)
    pub(super) fn give_back(&mut self, spare: &mut Vec<String>) {
        /// Enough for a status and its boost; a line of many escaped
        /// strings does not grow the pool.
        const KEEP: usize = 4;
        for text in [&mut self.content, &mut self.spoiler_text] {
            if let Cow::Owned(buffer) = std::mem::take(text)
                && spare.len() < KEEP
            {
                spare.push(buffer);
            }
        }
        if let Some(boosted) = &mut self.reblog {
            boosted.give_back(spare);
        }
    }
}

#[derive(Deserialize)]
pub(super) struct Account<'a> {
    #[serde(borrow)]
    pub id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub acct: Cow<'a, str>,
    #[serde(borrow, default)]
    pub display_name: Cow<'a, str>,
    #[serde(borrow)]
    pub url: Option<Cow<'a, str>>,
    /// Set by the fast reader when the object is in its account cache.
    #[serde(skip)]
    pub cached: Option<CacheKey>,
}

#[derive(Deserialize)]
pub(super) struct Mention<'a> {
    #[serde(borrow)]
    pub id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub acct: Cow<'a, str>,
    #[serde(borrow)]
    pub url: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
pub(super) struct Tag<'a> {
    #[serde(borrow)]
    pub name: Cow<'a, str>,
}

#[derive(Deserialize)]
pub(super) struct Attachment<'a> {
    #[serde(borrow, rename = "type")]
    pub kind: Cow<'a, str>,
    #[serde(borrow)]
    pub url: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub description: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
pub(super) struct Card<'a> {
    #[serde(borrow)]
    pub url: Cow<'a, str>,
}

/// `@user@host` for an `acct`, qualifying a local one with the profile's host.
#[cfg(test)]
fn qualified(acct: &str, url: Option<&str>) -> String {
    let mut out = String::new();
    qualified_into(acct, url, &mut out);
    out
}

/// `@user@host` for an `acct` written into `out` (cleared first),
/// qualifying a local one with the profile's host.
fn qualified_into(acct: &str, url: Option<&str>, out: &mut String) {
    let acct = acct.strip_prefix('@').unwrap_or(acct);
    out.clear();
    out.push('@');
    out.push_str(acct);
    if memchr::memchr(b'@', acct.as_bytes()).is_none()
        && let Some(host) = url.and_then(url_host)
    {
        out.push('@');
        out.push_str(&host);
    }
}

fn account(a: &Account<'_>) -> ModelAccount {
    let mut handle = String::new();
    qualified_into(&a.acct, a.url.as_deref(), &mut handle);
    let mut account = ModelAccount::new(&handle, &a.display_name, Network::Mastodon);
    account.url = a.url.as_deref().map(line_text);
    account
}

/// Makes `to` the model account for `a`, which is kept beside its object in
/// the account cache, so an account read again costs a copy into `to`'s
/// buffers, not another sanitizing pass. For routing, only what routing and
/// the verdict read is copied (the handle and its key).
fn fill_account(
    to: &mut ModelAccount,
    a: &Account<'_>,
    cache: &mut Option<&mut AccountCache>,
    fields: Fields,
) {
    let names = fields == Fields::All;
    let (Some(cache), Some(key)) = (cache.as_deref_mut(), a.cached) else {
        *to = account(a);
        return;
    };
    if let Some(model) = cache.model(key) {
        to.copy_from(model, names);
        return;
    }
    let model = account(a);
    to.copy_from(&model, names);
    cache.keep_model(key, model);
}

/// Makes `to` the model mention of a Mastodon mention, reusing its strings.
fn fill_mention(to: &mut ModelMention, m: &Mention<'_>) {
    // The key's buffer holds the qualified handle until the key is written.
    let mut scratch = std::mem::take(&mut to.key);
    qualified_into(&m.acct, m.url.as_deref(), &mut scratch);
    crate::model::display_handle_into(&scratch, &mut to.handle);
    HandleKey::write_key(&to.handle, &mut scratch);
    to.key = scratch;
    to.did = None;
}

fn blank_mention() -> ModelMention {
    ModelMention::new("", None)
}

pub(super) fn decode_status(status: Status<'_>, source: &str) -> Result<Post, DecodeError> {
    let mut post = Post::blank();
    decode_status_into(&status, source, None, Fields::All, &mut post)?;
    Ok(post)
}

/// Which fields of a post to fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fields {
    All,
    /// What routing and `circles route`'s output read: no URI, URLs, links,
    /// visibility, or display names and profile URLs of accounts in the
    /// account cache. Nothing that is left out can make a line an error.
    Routing,
}

/// Decodes `status` into `post`, every field of which is set (or cleared)
/// here; its strings and lists are refilled in place, so a stream decoder
/// that passes the same post for every line allocates little once they are
/// big enough. `memory` is that of the fast reader that read the status:
/// its account cache, and the items earlier posts gave up. On an error,
/// `post` is left half filled.
pub(super) fn decode_status_into(
    status: &Status<'_>,
    source: &str,
    memory: Option<&mut Memory>,
    fields: Fields,
    post: &mut Post,
) -> Result<(), DecodeError> {
    let mut fresh;
    let (mut accounts, spares) = match memory {
        Some(memory) => (Some(&mut memory.accounts), &mut memory.spares),
        None => {
            fresh = Spares::default();
            (None, &mut fresh)
        }
    };
    let all = fields == Fields::All;
    let status = match &status.reblog {
        Some(inner) => {
            let booster = post
                .boosted_by
                .get_or_insert_with(|| ModelAccount::new("", "", Network::Mastodon));
            fill_account(booster, &status.account, &mut accounts, fields);
            &**inner
        }
        None => {
            post.boosted_by = None;
            status
        }
    };
    fill_account(&mut post.author, &status.account, &mut accounts, fields);
    post.created_at = parse_time(&status.created_at, FORMAT, "created_at")?;

    post.links.clear();
    html_to_text_into(
        &status.content,
        &mut post.text,
        all.then_some(&mut post.links),
    );
    sanitize_in_place(&mut post.text, crate::model::sanitize);
    if all
        && let Some(card) = &status.card
        && !post.links.iter().any(|l| l == card.url.as_ref())
    {
        post.links.push(card.url.to_string());
    }
    for link in &mut post.links {
        sanitize_in_place(link, crate::model::sanitize_line);
    }

    fill_list(
        &mut post.mentions,
        &status.mentions,
        &mut spares.mentions,
        blank_mention,
        fill_mention,
    );

    match status.in_reply_to_id.as_deref() {
        Some(id) => {
            let reply = post.reply_to.get_or_insert_with(|| ReplyTo {
                id: String::new(),
                to: None,
            });
            set_line(&mut reply.id, id);
            let to_account = status.in_reply_to_account_id.as_deref();
            if to_account.is_some() && to_account == status.account.id.as_deref() {
                reply
                    .to
                    .get_or_insert_with(blank_mention)
                    .set(&post.author.handle, None);
            } else {
                match status
                    .mentions
                    .iter()
                    .zip(&post.mentions)
                    .find(|(m, _)| to_account.is_some() && m.id.as_deref() == to_account)
                {
                    Some((_, model)) => reply.to.get_or_insert_with(blank_mention).copy_from(model),
                    None => reply.to = None,
                }
            }
        }
        None => post.reply_to = None,
    }

    if post.source != source {
        source.clone_into(&mut post.source);
    }
    set_line(&mut post.id, &status.id);
    let url = status.url.as_deref().or(status.uri.as_deref());
    set_optional(
        &mut post.uri,
        status.uri.as_deref().filter(|_| all),
        set_line,
    );
    set_optional(&mut post.url, url.filter(|_| all), set_line);
    set_nonempty_body(&mut post.content_warning, Some(&status.spoiler_text));
    fill_list(
        &mut post.hashtags,
        &status.tags,
        &mut spares.hashtags,
        String::new,
        |to, tag| set_line(to, &tag.name),
    );
    fill_list(
        &mut post.media,
        &status.media_attachments,
        &mut spares.media,
        || Media {
            kind: MediaKind::Other,
            alt: None,
            url: None,
        },
        |to, m| {
            to.kind = MediaKind::parse(&m.kind);
            set_nonempty_body(&mut to.alt, m.description.as_deref());
            set_optional(&mut to.url, m.url.as_deref().filter(|_| all), set_line);
        },
    );
    set_optional(&mut post.language, status.language.as_deref(), set_line);
    set_optional(
        &mut post.visibility,
        status.visibility.as_deref().filter(|_| all),
        set_line,
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_accts_are_qualified_by_the_profile_host() {
        assert_eq!(
            qualified("alice", Some("https://hachyderm.io/@alice")),
            "@alice@hachyderm.io"
        );
        assert_eq!(
            qualified("@bob@fosstodon.org", Some("https://x.example/@bob")),
            "@bob@fosstodon.org"
        );
        assert_eq!(qualified("carol", None), "@carol");
    }
}
