//! The native circles JSON-lines format, for other tools to feed circles.
//!
//! Required: `id`, `author`, `text`, `created_at`. Optional: `url`, `source`,
//! `boosted_by`, `cw`, `reply_to`, `hashtags`, `mentions`, `links`, `media`,
//! `language`, `visibility`. Without `hashtags`, `mentions` or `links`,
//! those are found in the text. The README documents the schema; unknown
//! keys are ignored so producers can carry extra data.

use super::entities::{Entities, extract};
use super::wire::native::{Person, ReplyRef};
use super::wire::{Item, MentionEntry};
use super::{DecodeError, body_text, line_text, parse_time};
use crate::model::{Account, Media, MediaKind, Mention, Network, Post, ReplyTo};

const FORMAT: &str = "circles post";

fn person(person: Person<'_>, field: &str) -> Result<Account, DecodeError> {
    let (handle, name, url, did) = match person {
        Person::Handle(h) => (h, None, None, None),
        Person::Full {
            handle,
            name,
            url,
            did,
        } => (handle, name, url, did),
    };
    let mut account = Account::new(&handle, name.as_deref().unwrap_or(""), Network::Native);
    // Checked once cleaned: a handle of control or invisible characters
    // only is as empty as "".
    if account.handle.trim_start_matches('@').is_empty() {
        return Err(DecodeError::invalid(
            FORMAT,
            format!("`{field}` has an empty handle"),
        ));
    }
    account.url = url.as_deref().map(line_text);
    Ok(match did {
        Some(did) => account.with_did(&did),
        None => account,
    })
}

pub(super) fn decode(item: Item<'_>, source: &str) -> Result<Post, DecodeError> {
    let missing = |field: &str| DecodeError::invalid(FORMAT, format!("missing field `{field}`"));
    let author = person(item.author.ok_or_else(|| missing("author"))?, "author")?;
    let boosted_by = item
        .boosted_by
        .map(|p| person(p, "boosted_by"))
        .transpose()?;
    let id = item.id.ok_or_else(|| missing("id"))?.into_string();
    let created_at = parse_time(
        &item.created_at.ok_or_else(|| missing("created_at"))?,
        FORMAT,
        "created_at",
    )?;
    let mentions = item
        .mentions
        .map(|list| {
            list.into_iter()
                .map(|m| match m {
                    MentionEntry::Handle(h) => Ok(h),
                    MentionEntry::Mastodon(_) => Err(DecodeError::invalid(
                        FORMAT,
                        "`mentions` holds handle strings",
                    )),
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let text = body_text(&item.text.unwrap_or_default());
    // What the producer left out is found in the text.
    let found = if mentions.is_none() || item.hashtags.is_none() || item.links.is_none() {
        extract(&text)
    } else {
        Entities::default()
    };
    let mentions: Vec<Mention> = match mentions {
        Some(list) => list.iter().map(|m| Mention::new(m, None)).collect(),
        None => found
            .mentions
            .iter()
            .map(|m| Mention::new(m, None))
            .collect(),
    };
    let hashtags: Vec<String> = match item.hashtags {
        Some(list) => list
            .iter()
            .map(|t| line_text(t.strip_prefix('#').unwrap_or(t)))
            .collect(),
        None => found.hashtags,
    };
    let links: Vec<String> = match item.links {
        Some(list) => list.iter().map(|l| line_text(l)).collect(),
        None => found.links,
    };
    let (media, reply_to) = (item.media, item.reply_to);

    Ok(Post {
        source: item
            .source
            .as_deref()
            .map_or_else(|| source.to_string(), line_text),
        id: line_text(&id),
        uri: None,
        url: item.url.as_deref().map(line_text),
        author: author.into(),
        boosted_by: boosted_by.map(Into::into),
        boost_id: None,
        also_boosted_by: Vec::new(),
        also_boost_ids: Vec::new(),
        also_as: Vec::new(),
        created_at,
        text,
        content_warning: item
            .cw
            .as_deref()
            .map(body_text)
            .filter(|cw| !cw.is_empty()),
        mentions,
        hashtags,
        links,
        media: media
            .iter()
            .map(|m| Media {
                kind: MediaKind::parse(m.kind.as_deref().unwrap_or("image")),
                alt: m.alt.as_deref().map(body_text).filter(|a| !a.is_empty()),
                url: m.url.as_deref().map(line_text),
            })
            .collect(),
        reply_to: reply_to.map(|r| match r {
            ReplyRef::Id(id) => ReplyTo {
                id: line_text(&id),
                to: None,
                root: None,
                text: None,
            },
            ReplyRef::Full { id, author } => ReplyTo {
                id: line_text(&id),
                to: author.map(|a| Mention::new(&a, None)),
                root: None,
                text: None,
            },
        }),
        language: item.language.as_deref().map(line_text),
        sensitive: item.sensitive.unwrap_or_default(),
        cid: None,
        engagement: Default::default(),
        quote: None,
        notice: None,
        visibility: item.visibility.as_deref().map(line_text),
    })
}
