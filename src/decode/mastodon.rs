//! Mastodon: the Status entity of the REST and streaming APIs, turned into
//! a post.
//!
//! A boost (`reblog`) becomes the boosted post with the outer account as
//! `boosted_by`. A local `acct` (no `@host`) is qualified with the host of
//! the account's profile URL, so `alice` on hachyderm.io routes as
//! `alice@hachyderm.io` wherever it was fetched from. HTML content becomes
//! plain text with its links; the card's link is added when the text has
//! none of it.

use super::html::html_to_text_into;
use super::wire::mastodon::{Account, Mention, Quote, Status};
use super::wire::{IdValue, Item, MentionEntry};
use super::{DecodeError, body_text, line_text, parse_time};
use crate::model::people::Known;
use crate::model::{
    Account as ModelAccount, Engagement, Media, MediaKind, Mention as ModelMention, Network,
    NoticeKind, Post, Quote as ModelQuote, ReplyTo, newer_id, sanitize, url_host,
};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::HashMap;

const FORMAT: &str = "Mastodon status";

/// `@user@host` for an `acct` written into `out` (cleared first),
/// qualifying a local one with the host of the profile `url`.
pub(super) fn qualified_into(acct: &str, url: Option<&str>, out: &mut String) {
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

/// `@user@host` for an `acct`, qualifying a local one with the profile's host.
fn qualified(acct: &str, url: Option<&str>) -> String {
    let mut out = String::new();
    qualified_into(acct, url, &mut out);
    out
}

/// The model account of a Mastodon account's `acct`, `display_name` and
/// profile `url`.
fn model_account(acct: &str, display_name: &str, url: Option<&str>) -> ModelAccount {
    let mut account = ModelAccount::new(&qualified(acct, url), display_name, Network::Mastodon);
    account.url = url.map(line_text);
    account
}

fn account(a: &Account<'_>) -> ModelAccount {
    model_account(&a.acct, &a.display_name, a.url.as_deref())
}

fn mention(m: &Mention<'_>) -> ModelMention {
    ModelMention::new(&qualified(&m.acct, m.url.as_deref()), None)
}

/// A sanitized text, none when empty: a content warning, a description.
fn nonempty_body(text: Option<&str>) -> Option<String> {
    text.map(body_text).filter(|t| !t.is_empty())
}

pub(super) fn decode_status(status: Status<'_>, source: &str) -> Result<Post, DecodeError> {
    let (boosted_by, boost_id, mut status) = match status.reblog {
        Some(inner) => (
            Some(account(&status.account)),
            Some(line_text(&status.id)),
            *inner,
        ),
        None => (None, None, status),
    };
    let quote = status.quote.take().map(|q| Box::new(quote(*q, source)));
    let author = account(&status.account);
    let created_at = parse_time(&status.created_at, FORMAT, "created_at")?;

    let mut text = String::new();
    let mut links = Vec::new();
    html_to_text_into(&status.content, &mut text, Some(&mut links));
    let text = sanitize(&text).into_owned();
    if let Some(card) = &status.card
        && !links.iter().any(|l| l == card.url.as_ref())
    {
        links.push(card.url.to_string());
    }
    let links = links.iter().map(|l| line_text(l)).collect();

    let mentions: Vec<ModelMention> = status.mentions.iter().map(mention).collect();
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
            root: None,
            text: None,
        }
    });

    let url = status.url.as_deref().or(status.uri.as_deref());
    Ok(Post {
        source: source.to_string(),
        id: line_text(&status.id),
        uri: status.uri.as_deref().map(line_text),
        url: url.map(line_text),
        author: author.into(),
        boosted_by: boosted_by.map(Into::into),
        boost_id,
        also_boosted_by: Vec::new(),
        also_boost_ids: Vec::new(),
        also_as: Vec::new(),
        created_at,
        text,
        content_warning: nonempty_body(Some(&status.spoiler_text)),
        mentions,
        hashtags: status.tags.iter().map(|t| line_text(&t.name)).collect(),
        links,
        media: status
            .media_attachments
            .iter()
            .map(|m| Media {
                kind: MediaKind::parse(&m.kind),
                alt: nonempty_body(m.description.as_deref()),
                url: m.url.as_deref().map(line_text),
            })
            .collect(),
        reply_to,
        language: status.language.as_deref().map(line_text),
        visibility: status.visibility.as_deref().map(line_text),
        sensitive: status.sensitive,
        cid: None,
        engagement: Engagement {
            favourited: status.favourited.unwrap_or_default(),
            boosted: status.reblogged.unwrap_or_default(),
            bookmarked: status.bookmarked.unwrap_or_default(),
            replies: status.replies_count,
            boosts: status.reblogs_count,
            favourites: status.favourites_count,
            like_record: None,
            repost_record: None,
        },
        quote,
        notice: None,
    })
}

/// A Mastodon Account entity as the people ledger reads it: who, and how
/// much they post.
#[derive(serde::Deserialize)]
struct AccountFacts<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    acct: Cow<'a, str>,
    #[serde(borrow, default)]
    display_name: Cow<'a, str>,
    #[serde(borrow)]
    url: Option<Cow<'a, str>>,
    statuses_count: Option<u64>,
    /// A date (`2026-12-06`) from Mastodon 3.1 on; a time on some servers.
    #[serde(borrow)]
    last_status_at: Option<Cow<'a, str>>,
    #[serde(borrow)]
    created_at: Option<Cow<'a, str>>,
    /// The bio (HTML).
    #[serde(borrow, default)]
    note: Cow<'a, str>,
    #[serde(borrow, default)]
    fields: Vec<Field<'a>>,
}

/// A profile field: its value is HTML.
#[derive(serde::Deserialize)]
struct Field<'a> {
    #[serde(borrow, default)]
    value: Cow<'a, str>,
}

/// A list of Mastodon Account entities (followers, following, who
/// favourited or boosted a post): each account's server id and what the
/// ledger keeps of it. An entry that is not an account is skipped and
/// counted.
pub fn decode_accounts(json: &str) -> Result<(Vec<(String, Known)>, usize), DecodeError> {
    let items: Vec<serde_json::Value> = serde_json::from_str(json)
        .map_err(|e| DecodeError::invalid("Mastodon accounts", format!("not a list: {e}")))?;
    let mut skipped = 0;
    let mut out = Vec::with_capacity(items.len());
    for item in &items {
        match AccountFacts::deserialize(item) {
            Ok(a) => out.push(known(&a)),
            Err(_) => skipped += 1,
        }
    }
    Ok((out, skipped))
}

/// One Account entity (`verify_credentials`, `lookup`): its id and facts.
pub fn decode_account(json: &str) -> Result<(String, Known), DecodeError> {
    let a: AccountFacts<'_> = serde_json::from_str(json)
        .map_err(|e| DecodeError::invalid("Mastodon account", e.to_string()))?;
    Ok(known(&a))
}

fn known(a: &AccountFacts<'_>) -> (String, Known) {
    let account = model_account(&a.acct, &a.display_name, a.url.as_deref());
    let day = |text: &str| {
        parse_time(text, "Mastodon account", "last_status_at")
            .ok()
            .or_else(|| {
                chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .ok()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map(|t| t.and_utc())
            })
    };
    let mut text = String::new();
    let mut urls = Vec::new();
    for html in std::iter::once(&a.note).chain(a.fields.iter().map(|f| &f.value)) {
        let mut part = String::new();
        html_to_text_into(html, &mut part, Some(&mut urls));
        text.push_str(&part);
        text.push(' ');
    }
    (
        line_text(&a.id),
        Known {
            key: account.key,
            handle: account.handle,
            name: account.display_name,
            posts: a.statuses_count,
            last_post: a.last_status_at.as_deref().and_then(day),
            created: a.created_at.as_deref().and_then(day),
            links: crate::model::people::profile_links(&text, &urls),
        },
    )
}

/// The quoted post of a Quote entity, or why it is not shown. A quoted
/// status that cannot be read is said so, and the post that quotes it
/// still shows.
fn quote(quote: Quote<'_>, source: &str) -> ModelQuote {
    let shown = quote.state.is_empty() || quote.state == "accepted";
    match quote.quoted_status {
        Some(status) if shown => match decode_status(*status, source) {
            Ok(mut post) => {
                post.quote = None;
                ModelQuote::Shown(post)
            }
            Err(_) => ModelQuote::Hidden("could not be read".to_string()),
        },
        _ => ModelQuote::Hidden(quote_state(&quote.state).to_string()),
    }
}

/// A Quote's `state`, in words.
fn quote_state(state: &str) -> &'static str {
    match state {
        "accepted" | "" => "not available",
        "pending" => "waiting for its author's approval",
        "rejected" | "revoked" => "removed by its author",
        "deleted" => "deleted",
        "unauthorized" => "not visible to you",
        "blocked_account" | "blocked_domain" => "from an account or server you block",
        "muted_account" | "muted_domain" => "from an account or server you mute",
        _ => "not available",
    }
}

const NOTIFICATION: &str = "Mastodon notification";

/// A Notification entity: a mention, reply, quote, post or edit is the
/// status it carries, marked with why it came; a favourite, boost, follow,
/// follow request, poll or anything else is a pure notice by its account,
/// about the reader's status it carries, if any (see [`crate::model::Notice`]).
pub(super) fn decode_notification(item: Item<'_>, source: &str) -> Result<Post, DecodeError> {
    let missing =
        |field: &str| DecodeError::invalid(NOTIFICATION, format!("missing field `{field}`"));
    let wire = item.kind.as_deref().unwrap_or_default().to_string();
    let mut kind = NoticeKind::of_wire(&wire);
    let id = line_text(&item.id.ok_or_else(|| missing("id"))?.into_string());
    let status = item
        .status
        .map(|status| decode_status(*status, source))
        .transpose()?;
    if kind.is_post() {
        let post = status.ok_or_else(|| {
            DecodeError::invalid(
                NOTIFICATION,
                format!("a `{}` notification without its `status`", line_text(&wire)),
            )
        })?;
        if kind == NoticeKind::Mention && post.is_reply() {
            kind = NoticeKind::Reply;
        }
        return Ok(post.came_as(kind, id));
    }
    let actor = account(item.account.as_ref().ok_or_else(|| missing("account"))?);
    let created_at = parse_time(
        &item.created_at.ok_or_else(|| missing("created_at"))?,
        NOTIFICATION,
        "created_at",
    )?;
    Ok(Post::pure_notice(
        source,
        (kind, id),
        actor,
        created_at,
        status,
    ))
}

/// The status of a line read as the union of every format's keys (its
/// Mastodon keys, that is), with serde's words for what is missing.
pub(super) fn status_of(item: Item<'_>) -> Result<Status<'_>, DecodeError> {
    let missing = |field: &str| DecodeError::invalid(FORMAT, format!("missing field `{field}`"));
    Ok(Status {
        id: item.id.ok_or_else(|| missing("id"))?.into_string().into(),
        created_at: item.created_at.ok_or_else(|| missing("created_at"))?,
        url: item.url,
        uri: item.uri,
        language: item.language,
        visibility: item.visibility,
        account: item.account.ok_or_else(|| missing("account"))?,
        content: item.content.unwrap_or_default(),
        reblog: item.reblog,
        spoiler_text: item.spoiler_text.unwrap_or_default(),
        in_reply_to_id: item.in_reply_to_id,
        in_reply_to_account_id: item.in_reply_to_account_id,
        mentions: item
            .mentions
            .unwrap_or_default()
            .into_iter()
            .map(|m| match m {
                MentionEntry::Mastodon(m) => Ok(m),
                MentionEntry::Handle(_) => Err(DecodeError::invalid(
                    FORMAT,
                    "`mentions` holds Mention objects, not strings",
                )),
            })
            .collect::<Result<_, _>>()?,
        tags: item.tags,
        media_attachments: item.media_attachments,
        card: item.card,
        sensitive: item.sensitive.unwrap_or_default(),
        favourited: item.favourited,
        reblogged: item.reblogged,
        bookmarked: item.bookmarked,
        replies_count: item.replies_count,
        reblogs_count: item.reblogs_count,
        favourites_count: item.favourites_count,
        quote: item.quote,
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
        assert_eq!(
            qualified("admin", Some("http://localhost:3000/@admin")),
            "@admin@localhost:3000",
            "a development instance keeps its port"
        );
    }
}

/// A page of grouped notifications, read.
#[derive(Debug, Default)]
pub struct GroupsPage {
    pub posts: Vec<Post>,
    /// The groups that could not be read, each with why.
    pub problems: Vec<String>,
    /// How many groups the page had.
    pub count: usize,
    /// The page's newest and oldest notification ids (`page_max_id`,
    /// `page_min_id`), for paging and the cursor.
    pub newest: Option<String>,
    pub oldest: Option<String>,
}

const GROUP: &str = "Mastodon notification group";

/// A `NotificationGroup`.
#[derive(serde::Deserialize)]
struct Group<'a> {
    #[serde(borrow, rename = "type")]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    most_recent_notification_id: IdValue<'a>,
    #[serde(borrow)]
    page_min_id: Option<IdValue<'a>>,
    #[serde(borrow)]
    page_max_id: Option<IdValue<'a>>,
    #[serde(default, deserialize_with = "super::wire::count")]
    notifications_count: Option<u32>,
    #[serde(borrow)]
    latest_page_notification_at: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    sample_account_ids: Vec<IdValue<'a>>,
    #[serde(borrow)]
    status_id: Option<IdValue<'a>>,
}

/// `GroupedNotificationsResults`: its groups, each with the accounts and
/// statuses it names by id. Accounts and statuses are read one by one, so
/// one that cannot be read costs only the groups that name it.
pub(super) fn decode_groups(body: &str, source: &str) -> Result<GroupsPage, DecodeError> {
    #[derive(serde::Deserialize)]
    struct Results {
        #[serde(default)]
        accounts: Vec<serde_json::Value>,
        #[serde(default)]
        statuses: Vec<serde_json::Value>,
        #[serde(default)]
        notification_groups: Vec<serde_json::Value>,
    }
    let results: Results = serde_json::from_str(body).map_err(super::json_error)?;
    let mut accounts: HashMap<String, ModelAccount> = HashMap::new();
    for value in &results.accounts {
        let text = value.to_string();
        if let Ok(a) = serde_json::from_str::<Account<'_>>(&text)
            && let Some(id) = &a.id
        {
            accounts.insert(id.to_string(), account(&a));
        }
    }
    let statuses: HashMap<String, String> = results
        .statuses
        .iter()
        .filter_map(|s| Some((s.get("id")?.as_str()?.to_string(), s.to_string())))
        .collect();
    let mut page = GroupsPage {
        count: results.notification_groups.len(),
        ..GroupsPage::default()
    };
    for (index, value) in results.notification_groups.iter().enumerate() {
        let text = value.to_string();
        let read = serde_json::from_str::<Group<'_>>(&text)
            .map_err(|e| DecodeError::invalid(GROUP, e.to_string()))
            .and_then(|mut group| {
                let max = group.page_max_id.take().map(IdValue::into_string);
                let min = group.page_min_id.take().map(IdValue::into_string);
                for id in max.iter().chain(&min) {
                    if page.newest.as_deref().is_none_or(|n| newer_id(id, n)) {
                        page.newest = Some(id.clone());
                    }
                    if page.oldest.as_deref().is_none_or(|o| newer_id(o, id)) {
                        page.oldest = Some(id.clone());
                    }
                }
                group_post(group, &accounts, &statuses, source)
            });
        match read {
            Ok(post) => page.posts.push(post.within_limits()),
            Err(e) => page.problems.push(format!(
                "group {} of {}: {e}",
                index + 1,
                results.notification_groups.len()
            )),
        }
    }
    Ok(page)
}

/// One notification group as a card (see [`decode_groups`]).
fn group_post(
    group: Group<'_>,
    accounts: &HashMap<String, ModelAccount>,
    statuses: &HashMap<String, String>,
    source: &str,
) -> Result<Post, DecodeError> {
    let mut kind = NoticeKind::of_wire(&group.kind);
    let id = line_text(&group.most_recent_notification_id.into_string());
    let status = match group.status_id.map(IdValue::into_string) {
        Some(sid) => {
            let json = statuses.get(&sid).ok_or_else(|| {
                DecodeError::invalid(
                    GROUP,
                    format!("its status {} is not in the answer", line_text(&sid)),
                )
            })?;
            Some(super::decode(json, source)?)
        }
        None => None,
    };
    if kind.is_post() {
        let post = status.ok_or_else(|| {
            DecodeError::invalid(
                GROUP,
                format!("a `{}` group without a status", line_text(&group.kind)),
            )
        })?;
        if kind == NoticeKind::Mention && post.is_reply() {
            kind = NoticeKind::Reply;
        }
        return Ok(post.came_as(kind, id));
    }
    let mut actors = group
        .sample_account_ids
        .into_iter()
        .filter_map(|a| accounts.get(&a.into_string()).cloned());
    let actor = actors
        .next()
        .ok_or_else(|| DecodeError::invalid(GROUP, "none of its accounts is in the answer"))?;
    let at = group.latest_page_notification_at.ok_or_else(|| {
        DecodeError::invalid(GROUP, "missing field `latest_page_notification_at`")
    })?;
    let created_at = parse_time(&at, GROUP, "latest_page_notification_at")?;
    let mut post = Post::pure_notice(source, (kind, id), actor, created_at, status);
    if let Some(notice) = post.notice.as_deref_mut() {
        notice.others = actors.collect();
        notice.total = group.notifications_count;
    }
    Ok(post)
}
