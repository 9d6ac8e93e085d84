//! Filling a post in place from what the streaming reader read: every
//! field is set or cleared, reusing the strings and lists the post already
//! holds and the items earlier posts gave up, so a stream of lines costs
//! little allocation once the buffers are big enough.
//!
//! What a field becomes is what the plain decoder makes of the same JSON
//! (`decode::mastodon`); the tests of this module hold the two to it.

use super::Memory;
use super::accounts::AccountCache;
use super::reader::{Account, Mention, Status};
use crate::decode::html::html_to_text_into;
use crate::decode::{DecodeError, parse_time};
use crate::model::{
    Account as ModelAccount, Media, MediaKind, Mention as ModelMention, Network, Post, ReplyTo,
};
use std::borrow::Cow;

const FORMAT: &str = "Mastodon status";

/// A post with nothing in it yet, to be filled.
pub(super) fn blank_post() -> Post {
    Post::new(
        "",
        "",
        ModelAccount::new("", "", Network::Native),
        chrono::DateTime::UNIX_EPOCH,
        "",
    )
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
        *to = model_account(a);
        return;
    };
    if let Some(model) = cache.model(key) {
        copy_account(to, model, names);
        return;
    }
    let model = model_account(a);
    copy_account(to, &model, names);
    cache.keep_model(key, model);
}

/// The model account of an account object: what
/// `decode::mastodon::model_account` makes, its host told by [`host_of`].
fn model_account(a: &Account<'_>) -> ModelAccount {
    let mut handle = String::new();
    qualified_into(&a.acct, a.url.as_deref(), &mut handle);
    let mut account = ModelAccount::new(&handle, &a.display_name, Network::Mastodon);
    account.url = a.url.as_deref().map(crate::decode::line_text);
    account
}

/// `@user@host` for an `acct` written into `out` (cleared first),
/// qualifying a local one with the host of the profile `url`: what
/// `decode::mastodon::qualified_into` writes, with the host told by
/// [`host_of`].
fn qualified_into(acct: &str, url: Option<&str>, out: &mut String) {
    let acct = acct.strip_prefix('@').unwrap_or(acct);
    out.clear();
    out.push('@');
    out.push_str(acct);
    if memchr::memchr(b'@', acct.as_bytes()).is_none()
        && let Some(host) = url.and_then(host_of)
    {
        out.push('@');
        out.push_str(&host);
    }
}

/// [`crate::model::url_host`], told from the bytes for the URL nearly
/// every Mastodon profile has (`https://`, a lowercase ASCII domain name,
/// then a `/` or the end) and left to it (the url crate) for anything
/// else: a port, user info, capitals, an IP address, an IDN or `xn--`
/// label, an odd character. Parsing a whole URL per local mention was a
/// tenth of filling a post; the test `host_of_agrees_with_url_host` holds
/// the two to the same answer.
pub(super) fn host_of(url: &str) -> Option<Cow<'_, str>> {
    let fast = url.strip_prefix("https://").and_then(|rest| {
        let host = &rest[..rest.find('/').unwrap_or(rest.len())];
        let plain = host.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && !label.starts_with("xn--")
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
        // A last label that reads as a number (`1`, `0x7f`) would make it
        // an IPv4 address; one that starts with a letter never does.
        let named = host
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.starts_with(|c: char| c.is_ascii_lowercase()));
        (plain && named).then_some(host)
    });
    match fast {
        Some(host) => Some(Cow::Borrowed(host)),
        None => crate::model::url_host(url).map(Cow::Owned),
    }
}

/// Makes `to` the model mention of a Mastodon mention, reusing its strings.
fn fill_mention(to: &mut ModelMention, m: &Mention<'_>) {
    // The key's buffer holds the qualified handle until the key is written.
    let mut scratch = std::mem::take(&mut to.key);
    qualified_into(&m.acct, m.url.as_deref(), &mut scratch);
    display_handle_into(&scratch, &mut to.handle);
    write_key(&to.handle, &mut scratch);
    to.key = scratch;
    to.did = None;
}

fn blank_mention() -> ModelMention {
    ModelMention::new("", None)
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
    post.also_boosted_by.clear();
    post.also_boost_ids.clear();
    let status = match &status.reblog {
        Some(inner) => {
            set_line(post.boost_id.get_or_insert_with(String::new), &status.id);
            let booster = post
                .boosted_by
                .get_or_insert_with(|| ModelAccount::new("", "", Network::Mastodon).into());
            fill_account(
                std::sync::Arc::make_mut(booster),
                &status.account,
                &mut accounts,
                fields,
            );
            &**inner
        }
        None => {
            post.boosted_by = None;
            post.boost_id = None;
            status
        }
    };
    fill_account(
        std::sync::Arc::make_mut(&mut post.author),
        &status.account,
        &mut accounts,
        fields,
    );
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
                root: None,
                text: None,
            });
            reply.root = None;
            reply.text = None;
            set_line(&mut reply.id, id);
            let to_account = status.in_reply_to_account_id.as_deref();
            if to_account.is_some() && to_account == status.account.id.as_deref() {
                set_mention(
                    reply.to.get_or_insert_with(blank_mention),
                    &post.author.handle,
                );
            } else {
                match status
                    .mentions
                    .iter()
                    .zip(&post.mentions)
                    .find(|(m, _)| to_account.is_some() && m.id.as_deref() == to_account)
                {
                    Some((_, model)) => {
                        copy_mention(reply.to.get_or_insert_with(blank_mention), model)
                    }
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
    post.sensitive = status.sensitive;
    // A quoting status never reaches here: the reader leaves it to serde.
    post.quote = None;
    post.notice = None;
    // Mastodon has no cid or records: a post refilled after a Bluesky one
    // must not keep its.
    post.cid = None;
    let engagement = &mut post.engagement;
    engagement.like_record = None;
    engagement.repost_record = None;
    engagement.favourited = status.favourited.unwrap_or_default();
    engagement.boosted = status.reblogged.unwrap_or_default();
    engagement.bookmarked = status.bookmarked.unwrap_or_default();
    engagement.replies = status.replies_count;
    engagement.boosts = status.reblogs_count;
    engagement.favourites = status.favourites_count;
    set_optional(
        &mut post.visibility,
        status.visibility.as_deref().filter(|_| all),
        set_line,
    );
    Ok(())
}

/// Makes `to` the sanitized single-line `text`, reusing its buffer.
fn set_line(to: &mut String, text: &str) {
    assign(to, crate::model::sanitize_line(text));
}

/// Makes `to` the sanitized multi-line `text`, reusing its buffer.
fn set_body(to: &mut String, text: &str) {
    assign(to, crate::model::sanitize(text));
}

/// Makes `to` a sanitizer's output: copied into `to`'s buffer when it is
/// the input itself (nearly always), else moved in.
fn assign(to: &mut String, clean: Cow<'_, str>) {
    match clean {
        Cow::Borrowed(clean) => {
            to.clear();
            to.push_str(clean);
        }
        Cow::Owned(clean) => *to = clean,
    }
}

/// Sanitizes a string the decoder already owns in place, with `sanitizer`
/// ([`crate::model::sanitize`] or [`crate::model::sanitize_line`]); it is
/// nearly always clean, and then left as it is.
fn sanitize_in_place(text: &mut String, sanitizer: impl Fn(&str) -> Cow<'_, str>) {
    if let Cow::Owned(clean) = sanitizer(text) {
        *text = clean;
    }
}

/// Makes `to` hold `text` set by `set`, reusing the string already there.
fn set_optional(to: &mut Option<String>, text: Option<&str>, set: fn(&mut String, &str)) {
    match text {
        Some(text) => set(to.get_or_insert_with(String::new), text),
        None => *to = None,
    }
}

/// [`set_optional`] with [`set_body`], where an empty text (after
/// sanitizing) is none: a content warning, a media description.
fn set_nonempty_body(to: &mut Option<String>, text: Option<&str>) {
    set_optional(to, text, set_body);
    if to.as_deref() == Some("") {
        *to = None;
    }
}

/// What a stream decoder's lines no longer hold, kept for later lines.
#[derive(Default)]
pub(super) struct Spares {
    /// Buffers of decoded strings (see `Status::give_back`), for the next
    /// line's escaped strings.
    pub strings: Vec<String>,
    /// Items of posts (see [`fill_list`]).
    pub mentions: Vec<crate::model::Mention>,
    pub hashtags: Vec<String>,
    pub media: Vec<crate::model::Media>,
}

/// Makes `to` as long as `from`, each item filled by `fill`: items already
/// there are refilled in place, so their buffers are reused, and so are the
/// items of `spare`, which takes those `to` no longer needs (posts hold a
/// few mentions or hashtags one line and none the next).
fn fill_list<T, S>(
    to: &mut Vec<T>,
    from: &[S],
    spare: &mut Vec<T>,
    blank: impl Fn() -> T,
    mut fill: impl FnMut(&mut T, &S),
) {
    /// Spare items kept at most, per kind.
    const KEEP: usize = 32;
    if to.len() > from.len() {
        let room = KEEP.saturating_sub(spare.len());
        // (what does not fit is dropped with the drain)
        spare.extend(to.drain(from.len()..).take(room));
    }
    for (i, item) in from.iter().enumerate() {
        if i == to.len() {
            to.push(spare.pop().unwrap_or_else(&blank));
        }
        fill(&mut to[i], item);
    }
}

// ---- the model's values, written into buffers already there ----

/// Makes `to` a copy of `from`, reusing `to`'s strings. With `names`
/// false, the display name and profile URL are left out (routing reads
/// neither).
fn copy_account(to: &mut ModelAccount, from: &ModelAccount, names: bool) {
    to.handle.clone_from(&from.handle);
    to.key.clone_from(&from.key);
    to.did.clone_from(&from.did);
    if names {
        to.display_name.clone_from(&from.display_name);
        to.url.clone_from(&from.url);
    } else {
        to.display_name.clear();
        to.url = None;
    }
    to.network = from.network;
}

/// Makes `to` what [`ModelMention::new`]`(handle, None)` makes, reusing its
/// strings: the display handle and its key.
fn set_mention(to: &mut ModelMention, handle: &str) {
    display_handle_into(handle, &mut to.handle);
    write_key(&to.handle, &mut to.key);
    to.did = None;
}

fn copy_mention(to: &mut ModelMention, from: &ModelMention) {
    to.handle.clone_from(&from.handle);
    to.key.clone_from(&from.key);
    to.did.clone_from(&from.did);
}

/// [`crate::model::display_handle`] written into `out`.
fn display_handle_into(raw: &str, out: &mut String) {
    let clean = crate::model::sanitize_line(raw);
    let clean = crate::model::strip_invisible(&clean);
    let handle = clean.trim();
    out.clear();
    if !(handle.is_empty()
        || handle.starts_with('@')
        || handle.starts_with("did:")
        || handle.starts_with("feed:"))
    {
        out.push('@');
    }
    out.push_str(handle);
}

/// [`crate::model::HandleKey::from_display`] written into `out`.
fn write_key(handle: &str, out: &mut String) {
    let handle = handle.strip_prefix('@').unwrap_or(handle);
    out.clear();
    // Handles are nearly always ASCII, where the cheaper lowering is the same.
    if handle.is_ascii() {
        out.push_str(handle);
        out.make_ascii_lowercase();
    } else {
        out.push_str(&handle.to_lowercase());
    }
}
