//! Bluesky: `app.bsky.feed.defs#feedViewPost`, as in `getTimeline`'s `feed[]`.
//!
//! The text is `post.record.text`; rich text comes from facets, whose
//! `byteStart`/`byteEnd` are UTF-8 byte offsets into that text. A
//! `#reasonRepost` makes the item a boost by `reason.by`; `record.reply`
//! makes it a reply (the parent's author comes from the top-level `reply`
//! view when present, else from the DID in the parent's `at://` URI).

use super::wire::bluesky::{
    ByteSlice, EmbedView, EmbeddedRecord, Notification, PostView, Profile, Reason, ReplyContext,
};
use super::{DecodeError, body_text, line_text, parse_time};
use crate::model::people::Known;
use crate::model::{
    Account, Engagement, Media, MediaKind, Mention, Network, NoticeKind, Post, Quote, RecordRef,
    ReplyTo,
};

const FORMAT: &str = "Bluesky feed item";

/// The handle to show and link to: `handle.invalid` (a handle that failed
/// verification) is no handle, so the DID stands in.
fn usable_handle<'p>(p: &'p Profile<'_>) -> Option<&'p str> {
    p.handle
        .as_deref()
        .filter(|h| !h.is_empty() && *h != "handle.invalid")
}

fn account(p: &Profile<'_>) -> Account {
    let handle = usable_handle(p).unwrap_or(&p.did);
    let mut account = Account::new(
        handle,
        p.display_name.as_deref().unwrap_or(""),
        Network::Bluesky,
    )
    .with_did(&p.did);
    account.url = Some(line_text(&format!("https://bsky.app/profile/{handle}")));
    account
}

/// A Bluesky profile view (`app.bsky.actor.defs#profileView`, or the
/// detailed one with its counts) as the people ledger keeps it: who, and
/// how much they post. None for a view without a DID.
pub fn decode_actor(view: &serde_json::Value) -> Option<Known> {
    let did = view.get("did")?.as_str()?;
    let profile = Profile {
        did: did.into(),
        handle: view.get("handle").and_then(|h| h.as_str()).map(Into::into),
        display_name: view
            .get("displayName")
            .and_then(|n| n.as_str())
            .map(Into::into),
    };
    let account = account(&profile);
    let time = |key: &str| {
        view.get(key)
            .and_then(|t| t.as_str())
            .and_then(|t| parse_time(t, "Bluesky profile", key).ok())
    };
    Some(Known {
        key: account.key,
        handle: account.handle,
        name: account.display_name,
        posts: view.get("postsCount").and_then(|n| n.as_u64()),
        last_post: None,
        created: time("createdAt"),
        links: crate::model::people::profile_links(
            view.get("description")
                .and_then(|d| d.as_str())
                .unwrap_or_default(),
            &[],
        ),
    })
}

/// The DID in `at://did:plc:…/collection/rkey`.
fn did_of(at_uri: &str) -> Option<String> {
    let rest = at_uri.strip_prefix("at://")?;
    let did = rest.split('/').next()?;
    did.starts_with("did:").then(|| did.to_lowercase())
}

/// The text a facet covers, if its byte range is valid for the text.
fn facet_text<'t>(text: &'t str, range: &ByteSlice) -> Option<&'t str> {
    text.get(range.start..range.end)
}

pub(super) fn decode_feed_item(
    mut post: PostView<'_>,
    reply: Option<ReplyContext<'_>>,
    reason: Option<Reason<'_>>,
    source: &str,
) -> Result<Post, DecodeError> {
    let author = account(&post.author);
    let boosted_by = reason
        .filter(|r| r.kind.ends_with("#reasonRepost"))
        .and_then(|r| r.by)
        .map(|by| account(&by));
    let time = post
        .record
        .created_at
        .as_deref()
        .or(post.indexed_at.as_deref())
        .ok_or_else(|| DecodeError::invalid(FORMAT, "the post has no `createdAt`"))?;
    let created_at = parse_time(time, FORMAT, "createdAt")?;

    let text = &post.record.text;
    let mut mentions = Vec::new();
    let mut hashtags = Vec::new();
    let mut links = Vec::new();
    for facet in &post.record.facets {
        for feature in &facet.features {
            let covered = facet_text(text, &facet.index);
            match feature.kind.rsplit('#').next().unwrap_or_default() {
                "mention" => {
                    let handle = covered.filter(|t| t.starts_with('@')).unwrap_or("");
                    mentions.push(Mention::new(handle, feature.did.as_deref()));
                }
                "link" => links.extend(feature.uri.as_deref().map(line_text)),
                "tag" => hashtags.extend(
                    feature
                        .tag
                        .as_deref()
                        .map(|t| line_text(t.strip_prefix('#').unwrap_or(t))),
                ),
                _ => {}
            }
        }
    }

    let quote = post
        .embed
        .as_mut()
        .and_then(|embed| embed.record.take())
        .and_then(|record| quote(*record, source))
        .map(Box::new);
    let mut media = Vec::new();
    if let Some(embed) = &post.embed {
        collect_embed(embed, &mut media, &mut links);
    }

    let reply_to = post.record.reply.as_ref().map(|r| {
        let parent = reply
            .as_ref()
            .and_then(|ctx| ctx.parent.as_ref())
            .and_then(|p| p.author.as_ref());
        let to = match parent {
            Some(p) => Mention::new(usable_handle(p).unwrap_or(""), Some(&p.did)),
            None => Mention::new("", did_of(&r.parent.uri).as_deref()),
        };
        ReplyTo {
            id: line_text(&r.parent.uri),
            to: Some(to).filter(|m| m.keys().next().is_some()),
            text: reply
                .as_ref()
                .and_then(|ctx| ctx.parent.as_ref())
                .and_then(|p| p.record.as_ref())
                .map(|record| body_text(&record.text))
                .filter(|t| !t.is_empty()),
            root: r.root.as_ref().and_then(|root| {
                Some(RecordRef {
                    uri: line_text(&root.uri),
                    cid: line_text(root.cid.as_deref()?),
                })
            }),
        }
    });

    let viewer = post.viewer.as_ref();
    let rkey = post.uri.rsplit('/').next().unwrap_or_default();
    let profile = usable_handle(&post.author).unwrap_or(&post.author.did);
    Ok(Post {
        source: source.to_string(),
        id: line_text(&post.uri),
        uri: Some(line_text(&post.uri)),
        url: Some(line_text(&format!(
            "https://bsky.app/profile/{profile}/post/{rkey}"
        ))),
        author: author.into(),
        boosted_by: boosted_by.map(Into::into),
        boost_id: None,
        also_boosted_by: Vec::new(),
        also_boost_ids: Vec::new(),
        also_as: Vec::new(),
        created_at,
        text: body_text(text),
        content_warning: None,
        mentions,
        hashtags,
        links,
        media,
        reply_to,
        language: post.record.langs.first().map(|l| line_text(l)),
        visibility: None,
        sensitive: post.labels.iter().any(|l| MEDIA_LABELS.contains(&&*l.val)),
        cid: post.cid.as_deref().map(line_text),
        engagement: Engagement {
            favourited: viewer.is_some_and(|v| v.like.is_some()),
            boosted: viewer.is_some_and(|v| v.repost.is_some()),
            bookmarked: viewer.and_then(|v| v.bookmarked).unwrap_or_default(),
            replies: post.reply_count,
            boosts: post.repost_count,
            favourites: post.like_count,
            like_record: viewer.and_then(|v| v.like.as_deref()).map(line_text),
            repost_record: viewer.and_then(|v| v.repost.as_deref()).map(line_text),
        },
        quote,
        notice: None,
    })
}

/// The post a record embed quotes, or why it is not shown; none for an
/// embedded feed, list or starter pack, which are not posts.
fn quote(record: EmbeddedRecord<'_>, source: &str) -> Option<Quote> {
    // `recordWithMedia#view` wraps a `record#view` around the record.
    if record.kind.ends_with("embed.record#view") {
        return quote(*record.record?, source);
    }
    let hidden = |why: &str| Some(Quote::Hidden(why.to_string()));
    match record.kind.rsplit('#').next().unwrap_or_default() {
        "viewRecord" => {}
        "viewNotFound" => return hidden("deleted or not found"),
        "viewBlocked" => return hidden("from an account that blocks you or that you block"),
        "viewDetached" => return hidden("detached by its author"),
        _ => return None,
    }
    let (Some(uri), Some(author), Some(value)) = (record.uri, record.author, record.value) else {
        return hidden("could not be read");
    };
    let view = PostView {
        uri,
        author,
        record: value,
        embed: record.embeds.into_iter().next(),
        indexed_at: record.indexed_at,
        labels: record.labels,
        cid: record.cid,
        viewer: None,
        reply_count: None,
        repost_count: None,
        like_count: None,
    };
    Some(match decode_feed_item(view, None, None, source) {
        Ok(mut post) => {
            post.quote = None;
            Quote::Shown(post)
        }
        Err(_) => Quote::Hidden("could not be read".to_string()),
    })
}

/// The labels that hide a post's media until the reader opens them: the
/// adult and graphic-media values Bluesky's moderation defines.
const MEDIA_LABELS: &[&str] = &["porn", "sexual", "nudity", "graphic-media", "gore"];

fn collect_embed(embed: &EmbedView<'_>, media: &mut Vec<Media>, links: &mut Vec<String>) {
    let kind = embed.kind.rsplit('.').next().unwrap_or_default();
    for image in &embed.images {
        media.push(Media {
            kind: MediaKind::Image,
            alt: Some(body_text(&image.alt)).filter(|a| !a.is_empty()),
            url: image.fullsize.as_deref().map(line_text),
        });
    }
    if kind.starts_with("video") {
        media.push(Media {
            kind: MediaKind::Video,
            alt: embed
                .alt
                .as_deref()
                .map(body_text)
                .filter(|a| !a.is_empty()),
            url: embed.playlist.as_deref().map(line_text),
        });
    }
    if let Some(external) = &embed.external {
        let uri = line_text(&external.uri);
        if !links.contains(&uri) {
            links.push(uri);
        }
    }
    if let Some(inner) = &embed.media {
        collect_embed(inner, media, links);
    }
}

const NOTIFICATION: &str = "Bluesky notification";

/// See [`super::decode_bluesky_notification`].
pub(super) fn decode_notification(
    n: Notification<'_>,
    posts: &std::collections::HashMap<String, String>,
    source: &str,
) -> Result<Post, DecodeError> {
    let kind = NoticeKind::of_wire(&n.reason);
    let id = line_text(&n.uri);
    // The server's time, which its `seenAt` counts by; a record's own
    // `createdAt` is whatever its writer's client said.
    let indexed = n
        .indexed_at
        .as_deref()
        .and_then(|t| parse_time(t, NOTIFICATION, "indexedAt").ok());
    let mut post = decode_notification_post(n, kind, id, posts, source)?;
    if let Some(notice) = post.notice.as_deref_mut() {
        notice.at = indexed;
    }
    Ok(post)
}

/// A notification as a post, without its server time.
fn decode_notification_post(
    n: Notification<'_>,
    kind: NoticeKind,
    id: String,
    posts: &std::collections::HashMap<String, String>,
    source: &str,
) -> Result<Post, DecodeError> {
    let fetched = |uri: &str| {
        posts
            .get(uri)
            .and_then(|json| super::decode(json, source).ok())
    };
    if kind.is_post() {
        let post = match fetched(&n.uri) {
            Some(post) => post,
            None => {
                let record = n.record.ok_or_else(|| {
                    DecodeError::invalid(
                        NOTIFICATION,
                        format!("a `{}` without its `record`", line_text(&n.reason)),
                    )
                })?;
                let view = PostView {
                    uri: n.uri,
                    author: n.author,
                    record,
                    embed: None,
                    indexed_at: n.indexed_at,
                    labels: n.labels,
                    cid: n.cid,
                    viewer: None,
                    reply_count: None,
                    repost_count: None,
                    like_count: None,
                };
                decode_feed_item(view, None, None, source)?
            }
        };
        return Ok(post.came_as(kind, id));
    }
    let time = n
        .record
        .as_ref()
        .and_then(|r| r.created_at.as_deref())
        .or(n.indexed_at.as_deref())
        .ok_or_else(|| DecodeError::invalid(NOTIFICATION, "no `indexedAt`"))?;
    let created_at = parse_time(time, NOTIFICATION, "indexedAt")?;
    let subject = n.reason_subject.as_deref().and_then(fetched);
    Ok(Post::pure_notice(
        source,
        (kind, id),
        account(&n.author),
        created_at,
        subject,
    ))
}
