//! Mastodon: the Status entity of the REST and streaming APIs.
//!
//! A boost (`reblog`) becomes the boosted post with the outer account as
//! `boosted_by`. A local `acct` (no `@host`) is qualified with the host of
//! the account's profile URL, so `alice` on hachyderm.io routes as
//! `alice@hachyderm.io` wherever it was fetched from (SPEC §4).

use super::fast::{AccountCache, CacheKey};
use super::{
    DecodeError, body_text, cow_line, html_to_text, line_text, owned_body, parse_time, url_host,
};
use crate::model::{
    Account as ModelAccount, Media, MediaKind, Mention as ModelMention, Network, Post, ReplyTo,
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
fn qualified(acct: &str, url: Option<&str>) -> String {
    let acct = acct.strip_prefix('@').unwrap_or(acct);
    let host = if memchr::memchr(b'@', acct.as_bytes()).is_some() {
        None
    } else {
        url.and_then(url_host)
    };
    match host {
        Some(host) => format!("@{acct}@{host}"),
        None => format!("@{acct}"),
    }
}

fn account(a: &Account<'_>) -> ModelAccount {
    let handle = qualified(&a.acct, a.url.as_deref());
    let mut account = ModelAccount::new(&handle, &a.display_name, Network::Mastodon);
    account.url = a.url.as_deref().map(line_text);
    account
}

/// The model account for `a`: kept beside its object in the account cache,
/// so an account read again costs a copy, not another sanitizing pass. For
/// routing, only what routing and the verdict read is copied (the handle
/// and its key).
fn cached_account(
    a: &Account<'_>,
    cache: &mut Option<&mut AccountCache>,
    fields: Fields,
) -> ModelAccount {
    let (Some(cache), Some(key)) = (cache.as_deref_mut(), a.cached) else {
        return account(a);
    };
    let copy = |model: &ModelAccount| match fields {
        Fields::All => model.clone(),
        Fields::Routing => ModelAccount {
            handle: model.handle.clone(),
            key: model.key.clone(),
            did: model.did.clone(),
            display_name: String::new(),
            url: None,
            network: model.network,
        },
    };
    if let Some(model) = cache.model(key) {
        return copy(model);
    }
    let model = account(a);
    cache.keep_model(key, &model);
    copy(&model)
}

pub(super) fn decode_status(status: Status<'_>, source: &str) -> Result<Post, DecodeError> {
    decode_status_with(status, source, None, Fields::All)
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

/// [`decode_status`] with the account cache of the fast reader that read it,
/// filling `fields`.
pub(super) fn decode_status_with(
    status: Status<'_>,
    source: &str,
    mut accounts: Option<&mut AccountCache>,
    fields: Fields,
) -> Result<Post, DecodeError> {
    let all = fields == Fields::All;
    let (boosted_by, status) = match status.reblog {
        Some(inner) => (
            Some(cached_account(&status.account, &mut accounts, fields)),
            *inner,
        ),
        None => (None, status),
    };
    let author = cached_account(&status.account, &mut accounts, fields);
    let created_at = parse_time(&status.created_at, FORMAT, "created_at")?;

    let html = html_to_text(&status.content);
    let mut links = if all { html.links } else { Vec::new() };
    if all
        && let Some(card) = &status.card
        && !links.iter().any(|l| l == card.url.as_ref())
    {
        links.push(card.url.to_string());
    }

    let mentions: Vec<ModelMention> = status
        .mentions
        .iter()
        .map(|m| ModelMention::new(&qualified(&m.acct, m.url.as_deref()), None))
        .collect();

    let reply_to = status.in_reply_to_id.as_deref().map(|id| {
        let to_account = status.in_reply_to_account_id.as_deref();
        let to = if to_account.is_some() && to_account == status.account.id.as_deref() {
            Some(ModelMention::new(&author.handle, None))
        } else {
            status
                .mentions
                .iter()
                .zip(&mentions)
                .find(|(m, _)| to_account.is_some() && m.id.as_deref() == to_account)
                .map(|(_, model)| model.clone())
        };
        ReplyTo {
            id: line_text(id),
            to,
        }
    });

    Ok(Post {
        source: source.to_string(),
        id: line_text(&status.id),
        uri: status.uri.as_deref().filter(|_| all).map(line_text),
        url: status
            .url
            .as_deref()
            .or(status.uri.as_deref())
            .filter(|_| all)
            .map(line_text),
        author,
        boosted_by,
        created_at,
        text: owned_body(html.text),
        content_warning: Some(body_text(&status.spoiler_text)).filter(|cw| !cw.is_empty()),
        mentions,
        hashtags: status.tags.into_iter().map(|t| cow_line(t.name)).collect(),
        links: links.into_iter().map(|l| cow_line(Cow::Owned(l))).collect(),
        media: status
            .media_attachments
            .iter()
            .map(|m| Media {
                kind: MediaKind::parse(&m.kind),
                alt: m
                    .description
                    .as_deref()
                    .map(body_text)
                    .filter(|a| !a.is_empty()),
                url: m.url.as_deref().filter(|_| all).map(line_text),
            })
            .collect(),
        reply_to,
        language: status.language.map(cow_line),
        visibility: status.visibility.filter(|_| all).map(cow_line),
    })
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
