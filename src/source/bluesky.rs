//! The bluesky source: reads the home timeline (or, with `feed =
//! "notifications"`, the notifications) back a few pages, then polls it
//! for new items — a loop over [`net::bluesky::Client`], which logs in
//! with the app password (or refreshes the session it kept) and pages
//! `app.bsky.feed.getTimeline` (`app.bsky.notification.listNotifications`)
//! newest first with a cursor. The posts notifications refer to are
//! fetched with `getPosts` ([`posts_for`]).
//!
//! Each `feed[]` element is decoded on its own by [`crate::decode::decode`],
//! so one malformed item is reported and skipped while the others arrive.
//! A poll reads the first page, and more pages only until it reaches items
//! it has seen, comparing post URIs (and the reposter, so a new repost of a
//! known post still arrives).
//!
//! Where it is up to is reported as the cursor `newest`: the key of the
//! newest timeline item (its post URI, plus the reposter's DID for a
//! repost). Started with it again, the first read pages back only until it
//! reaches that item, and sends nothing from it on. (The timeline's own
//! `cursor` only pages further back in time, so it is no place to resume
//! from and is not kept.)
//!
//! Network trouble and busy servers are retried with backoff, rate limits
//! after the wait the server asks for; bad credentials stop the source with
//! a message that says what to fix.

use super::jetstream::{Ended, Jet};
use super::{Cursors, Failure, Sink, SourceState};
use crate::config::{BlueskyFeed, BlueskySpec, SecretRef};
use crate::model::{Mark, Marker};
use crate::net::bluesky::Client;
use crate::net::http::{self, Backoff};
use crate::net::secret;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::time::Duration;

/// How many timeline items the first read goes back.
const BACKFILL: usize = 200;
/// How far one poll pages back looking for the items it saw before.
const CATCH_UP: usize = 200;
/// The longest wait between two attempts after failures.
const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// Item keys remembered for spotting what a poll has seen before.
const SEEN_CAP: usize = 4096;

/// The cursor holding the newest item's key.
const NEWEST: &str = "newest";
/// A longer cursor value is not an item key.
const MAX_KEY: usize = 2048;

pub(super) async fn run(sink: Sink, spec: BlueskySpec, cursors: Cursors) {
    let password = match secret::load(&spec.password, "app password") {
        Ok(password) => password,
        Err(why) => {
            sink.state(SourceState::Failed(why.to_string()));
            return;
        }
    };
    let password_from = match &spec.password {
        SecretRef::Env(var) => format!("${var}"),
        SecretRef::File(file) => file.clone(),
    };
    let mut client = Client::new(
        &spec.service,
        &spec.handle,
        password,
        password_from,
        session_file(&spec, ""),
    );
    if !sink.state(SourceState::Connecting) {
        return;
    }
    let mut seen = Seen::default();
    let mut backoff = Backoff::new(MAX_BACKOFF);
    // Resumed: the first read stops at the item the last run ended with.
    let mut reported = cursors
        .get(NEWEST)
        .map(|key| key.trim().to_string())
        .filter(|key| !key.is_empty() && key.len() <= MAX_KEY && !key.contains('\n'));
    let mut stop_at = reported.clone();
    let mut backfilled = stop_at.is_some();
    let mut live = false;
    let mut jet = Jet::default();
    // The notifications' `seenAt` last told to the app.
    let mut told: Option<Option<DateTime<Utc>>> = None;
    let mut feed = spec.feed.clone();
    let mut titled = false;
    loop {
        let mut read = Read {
            want: if backfilled { CATCH_UP } else { BACKFILL },
            stop_at_seen: backfilled,
            stop_at: stop_at.as_deref(),
            newest: None,
            seen_at: None,
        };
        let outcome = fetch(&mut client, &sink, &mut seen, &mut read, &mut feed).await;
        let newest = read.newest.take();
        let wait = match outcome {
            Ok(()) => {
                backoff.reset();
                // Read on another client is read here, and the reverse
                // (`updateSeen`, sent by the app).
                if spec.feed == BlueskyFeed::Notifications && told != Some(read.seen_at) {
                    told = Some(read.seen_at);
                    if !sink.read_marker(Marker::SeenAt, read.seen_at.map(Mark::Time)) {
                        return;
                    }
                }
                backfilled = true;
                stop_at = None;
                // Reported once the whole read arrived, so a restart in the
                // middle of it reads the rest again.
                if newest.is_some() && newest != reported {
                    reported = newest;
                    if let Some(key) = &reported
                        && !sink.cursor(NEWEST, key)
                    {
                        return;
                    }
                }
                if !live {
                    live = true;
                    if !sink.state(SourceState::Live) {
                        return;
                    }
                }
                if !titled {
                    // Once, after the first read is in and told: the feed is
                    // found by then.
                    titled = true;
                    if let Some(title) = title_of(&mut client, &feed).await
                        && !sink.titled(&title)
                    {
                        return;
                    }
                }
                if jet.wanted(&spec) {
                    live = false;
                    match super::jetstream::follow(&mut client, &sink, &mut seen, &spec, &mut jet)
                        .await
                    {
                        Ended::Closed => return,
                        // Read the timeline at once, then follow again.
                        Ended::Gap => continue,
                        Ended::Unreachable(why) => {
                            tracing::warn!(source = %sink.source, "Jetstream cannot be reached, polling for {} min: {}", super::jetstream::PAUSE.as_secs() / 60, client.redact(&why));
                            if !sink.state(SourceState::Live) {
                                return;
                            }
                            live = true;
                        }
                    }
                }
                spec.poll
            }
            Err(Failure::Closed) => return,
            Err(Failure::Fatal(why)) => {
                sink.state(SourceState::Failed(client.redact(&why)));
                return;
            }
            Err(Failure::Retry { why, wait }) => {
                let wait = wait.unwrap_or_else(|| backoff.next_delay());
                live = false;
                let state = SourceState::Retrying {
                    seconds: wait.as_secs_f64().ceil() as u64,
                    why: client.redact(&why),
                };
                if !sink.state(state) {
                    return;
                }
                wait
            }
        };
        if !sink.pause(wait).await {
            return;
        }
    }
}

/// Where the session is kept across restarts: beside the app password
/// file, else (a password from the environment) in circles' credentials
/// folder; `bluesky-<handle><purpose>.session`, owner-only (the reading
/// task's has no purpose; the one that acts, `-actions`).
pub(super) fn session_file(spec: &BlueskySpec, purpose: &str) -> Option<PathBuf> {
    let dir = match &spec.password {
        SecretRef::File(file) => secret::expand_home(file).parent()?.to_path_buf(),
        SecretRef::Env(_) => directories::ProjectDirs::from("", "", "circles")?
            .data_local_dir()
            .join("credentials"),
    };
    let name: String = spec
        .handle
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Some(dir.join(format!("bluesky-{name}{purpose}.session")))
}

/// `app.bsky.feed.getTimeline`'s output. The items stay JSON values until
/// each is decoded on its own, so one bad item costs only itself.
/// (`serde_json`'s `RawValue` would skip the re-serialization, but needs its
/// `raw_value` feature; a page is 50 items, so this costs little.)
#[derive(Deserialize)]
struct TimelinePage {
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    feed: Vec<Value>,
    /// `listNotifications` names its items so.
    #[serde(default)]
    notifications: Vec<Value>,
    /// `searchPosts` names its post views so.
    #[serde(default)]
    posts: Vec<Value>,
    /// `listNotifications`: until when the reader has seen them.
    #[serde(default, rename = "seenAt")]
    seen_at: Option<String>,
}

/// A feed or list named by a handle (`at://alice.bsky.social/…`, from a
/// bsky.app address) with its DID in its place, which the API asks for.
async fn resolved(
    client: &mut Client,
    feed: &BlueskyFeed,
) -> Result<BlueskyFeed, crate::net::Error> {
    let with_did = |uri: &str| -> Option<(String, String)> {
        let rest = uri.strip_prefix("at://")?;
        let (authority, path) = rest.split_once('/')?;
        (!authority.starts_with("did:")).then(|| (authority.to_string(), path.to_string()))
    };
    Ok(match feed {
        BlueskyFeed::Generator(uri) | BlueskyFeed::List(uri) => match with_did(uri) {
            Some((handle, path)) => {
                let did = client.resolve_handle(&handle).await?;
                let uri = format!("at://{did}/{path}");
                if matches!(feed, BlueskyFeed::Generator(_)) {
                    BlueskyFeed::Generator(uri)
                } else {
                    BlueskyFeed::List(uri)
                }
            }
            None => feed.clone(),
        },
        other => other.clone(),
    })
}

/// A custom feed's display name (`getFeedGenerator`), a list's name
/// (`getList`), or the name of the account whose posts it is
/// (`getProfile`; else its handle); none for the rest, or when the server
/// will not say (the feed is read all the same).
async fn title_of(client: &mut Client, feed: &BlueskyFeed) -> Option<String> {
    match feed {
        BlueskyFeed::Generator(uri) => super::saved::feed_name(client, uri).await,
        BlueskyFeed::List(uri) => super::saved::list_name(client, uri).await,
        // An account's posts: by its name, or its handle.
        BlueskyFeed::Author(actor, _) => Some(
            super::saved::profile_name(client, actor)
                .await
                .filter(|name| !name.trim().is_empty())
                .unwrap_or_else(|| format!("@{actor}")),
        ),
        _ => None,
    }
}

/// How many posts one `app.bsky.feed.getPosts` call takes.
const POSTS_PER_CALL: usize = 25;

/// The posts a page of notifications needs, fetched with `getPosts` (25 a
/// call): a mention, reply or quote's own post (with its counts and
/// embeds), and the reader's post a like or repost is of. By URI, as feed
/// items. A call that fails leaves those out: the notifications still
/// come, from their records.
async fn posts_for(client: &mut Client, items: &[&Value]) -> HashMap<String, String> {
    let mut wanted: Vec<&str> = Vec::new();
    for item in items {
        let uri = match item.get("reason").and_then(Value::as_str) {
            Some("mention" | "reply" | "quote") => item.get("uri"),
            Some("like" | "repost") => item.get("reasonSubject"),
            _ => None,
        };
        if let Some(uri) = uri
            .and_then(Value::as_str)
            .filter(|u| u.starts_with("at://"))
            && !wanted.contains(&uri)
        {
            wanted.push(uri);
        }
    }
    let mut posts = HashMap::new();
    for chunk in wanted.chunks(POSTS_PER_CALL) {
        match client.posts(chunk).await {
            Ok(found) => {
                for json in found {
                    let uri = serde_json::from_str::<Value>(&json)
                        .ok()
                        .and_then(|v| v.pointer("/post/uri")?.as_str().map(str::to_string));
                    if let Some(uri) = uri {
                        posts.insert(uri, json);
                    }
                }
            }
            Err(e) => tracing::info!("the notifications' posts were not read: {e}"),
        }
    }
    posts
}

/// How far one read of the timeline goes, and what it found.
pub(super) struct Read<'a> {
    /// Items to read at most.
    want: usize,
    /// Stop paging after a page that holds an item seen before.
    stop_at_seen: bool,
    /// The newest item of an earlier run: it and everything after it are
    /// old, so the read ends there.
    stop_at: Option<&'a str>,
    /// The key of the newest item read (the first with a post URI).
    newest: Option<String>,
    /// The notifications' `seenAt` on the first page (none: never seen).
    seen_at: Option<DateTime<Utc>>,
}

impl Read<'_> {
    /// A read of what is new: pages until it reaches an item seen before.
    pub(super) fn catch_up() -> Read<'static> {
        Read {
            want: CATCH_UP,
            stop_at_seen: true,
            stop_at: None,
            newest: None,
            seen_at: None,
        }
    }
}

/// Reads timeline pages newest first and sends what has not been seen,
/// until `want` items were read, the timeline ends, `stop_at` is reached,
/// or (with `stop_at_seen`) a page holds an item seen before.
/// `Closed` once the app is gone.
pub(super) async fn fetch(
    client: &mut Client,
    sink: &Sink,
    seen: &mut Seen,
    how: &mut Read<'_>,
    feed: &mut BlueskyFeed,
) -> Result<(), Failure> {
    let mut cursor: Option<String> = None;
    let mut read = 0usize;
    let what = match feed {
        BlueskyFeed::Timeline => "timeline",
        BlueskyFeed::Notifications => "notifications",
        _ => "feed",
    };
    // A feed named by a handle (a bsky.app address) is read by the DID,
    // found once: the feed keeps it for the next polls.
    // A feed the server does not know (or cannot read) is said with the
    // key, which the app locates in the config.
    let feed_name = feed.name();
    let named = |e: crate::net::Error| match e.status() {
        Some(400 | 404) => Failure::Fatal(format!("feed = {feed_name:?}: {e}")),
        _ => Failure::from(e),
    };
    *feed = resolved(client, feed).await.map_err(named)?;
    let feed = &*feed;
    loop {
        let body = match feed {
            BlueskyFeed::Timeline => client.timeline(cursor.as_deref()).await?,
            BlueskyFeed::Notifications => client.notifications(cursor.as_deref()).await?,
            other => {
                let me;
                let (method, mut query) = match other {
                    BlueskyFeed::Generator(uri) => {
                        ("app.bsky.feed.getFeed", vec![("feed", uri.as_str())])
                    }
                    BlueskyFeed::List(uri) => {
                        ("app.bsky.feed.getListFeed", vec![("list", uri.as_str())])
                    }
                    BlueskyFeed::Author(actor, filter) => (
                        "app.bsky.feed.getAuthorFeed",
                        vec![("actor", actor.as_str()), ("filter", filter.as_str())],
                    ),
                    BlueskyFeed::Search(words) => (
                        "app.bsky.feed.searchPosts",
                        vec![("q", words.as_str()), ("sort", "latest")],
                    ),
                    _ => {
                        me = client.me().await?;
                        ("app.bsky.feed.getActorLikes", vec![("actor", me.as_str())])
                    }
                };
                query.push(("limit", "50"));
                if let Some(c) = &cursor {
                    query.push(("cursor", c));
                }
                client
                    .query(method, &query, "reading the feed")
                    .await
                    .map_err(named)?
            }
        };
        let page: TimelinePage = serde_json::from_slice(&body).map_err(|e| {
            Failure::retry(format!(
                "reading the {what}: the answer is not a page of {what} ({})",
                http::short(&e.to_string())
            ))
        })?;
        // A search answers post views; the rest, feed items.
        let searched: Vec<Value>;
        let items = match feed {
            BlueskyFeed::Notifications => &page.notifications,
            BlueskyFeed::Search(_) => {
                searched = page
                    .posts
                    .iter()
                    .map(|view| serde_json::json!({ "post": view }))
                    .collect();
                &searched
            }
            _ => &page.feed,
        };
        if cursor.is_none() {
            how.seen_at = page
                .seen_at
                .as_deref()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc));
        }
        let keys: Vec<ItemKey> = items.iter().map(ItemKey::of).collect();
        let fetched = match feed {
            BlueskyFeed::Notifications => {
                let unseen: Vec<&Value> = items
                    .iter()
                    .zip(&keys)
                    .filter(|(_, key)| !seen.contains(&key.key))
                    .map(|(raw, _)| raw)
                    .collect();
                posts_for(client, &unseen).await
            }
            _ => HashMap::new(),
        };
        let mut posts = Vec::with_capacity(items.len());
        let mut reached_seen = false;
        let mut reached_end = false;
        for (raw, key) in items.iter().zip(keys) {
            read += 1;
            if how.newest.is_none() && key.uri.is_some() {
                how.newest = Some(key.key.clone());
            }
            if reached_end {
                // Older than where the last run ended: the cache has them.
                // Seen, so the next poll, which reads this page again,
                // stops at them rather than sending them again.
                seen.insert(key.key);
                continue;
            }
            if how.stop_at == Some(key.key.as_str()) {
                reached_end = true;
                seen.insert(key.key);
                continue;
            }
            if seen.contains(&key.key) {
                reached_seen = true;
                continue;
            }
            let decoded = match feed {
                BlueskyFeed::Notifications => crate::decode::decode_bluesky_notification(
                    &raw.to_string(),
                    &fetched,
                    &sink.source,
                ),
                _ => crate::decode::decode(&raw.to_string(), &sink.source),
            };
            match decoded {
                Ok(post) => posts.push(post),
                Err(e) => {
                    let problem = format!("{what} item {}: {e}", key.label());
                    if !sink.skipped(problem) {
                        return Err(Failure::Closed);
                    }
                }
            }
            seen.insert(key.key);
        }
        if !sink.posts(posts) {
            return Err(Failure::Closed);
        }
        if items.is_empty() || reached_end || read >= how.want || (how.stop_at_seen && reached_seen)
        {
            break;
        }
        match page.cursor {
            Some(next) if !next.is_empty() && cursor.as_deref() != Some(next.as_str()) => {
                cursor = Some(next);
            }
            _ => break,
        }
    }
    Ok(())
}

/// What tells two timeline items apart: the post's URI, plus the reposter
/// for a repost. An item without a readable URI is keyed by a hash of its
/// text, so a malformed item is reported once, not on every poll.
struct ItemKey {
    key: String,
    uri: Option<String>,
}

impl ItemKey {
    fn of(item: &Value) -> ItemKey {
        // A feed item's post, or a notification's own URI (each is one).
        let uri = item.pointer("/post/uri").or_else(|| item.get("uri"));
        match uri.and_then(Value::as_str) {
            Some(uri) => ItemKey {
                key: match item.pointer("/reason/by/did").and_then(Value::as_str) {
                    Some(by) => format!("{uri} {by}"),
                    None => uri.to_string(),
                },
                uri: Some(uri.to_string()),
            },
            None => {
                use std::hash::{Hash, Hasher};
                let mut hasher = std::collections::hash_map::DefaultHasher::new();
                item.to_string().hash(&mut hasher);
                ItemKey {
                    key: format!("#{:016x}", hasher.finish()),
                    uri: None,
                }
            }
        }
    }

    fn label(&self) -> String {
        match &self.uri {
            Some(uri) => crate::model::sanitize_line(uri).into_owned(),
            None => "(no post URI)".to_string(),
        }
    }
}

/// The most recent item keys, bounded.
#[derive(Default)]
pub(super) struct Seen {
    keys: HashSet<String>,
    order: VecDeque<String>,
}

impl Seen {
    pub(super) fn contains(&self, key: &str) -> bool {
        self.keys.contains(key)
    }

    pub(super) fn insert(&mut self, key: String) {
        if self.keys.insert(key.clone()) {
            self.order.push_back(key);
            while self.order.len() > SEEN_CAP {
                if let Some(old) = self.order.pop_front() {
                    self.keys.remove(&old);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reposts_of_a_known_post_have_their_own_key() {
        let plain = serde_json::json!({"post": {"uri": "at://did:plc:a/p/1"}});
        let repost = serde_json::json!({
            "post": {"uri": "at://did:plc:a/p/1"},
            "reason": {"$type": "app.bsky.feed.defs#reasonRepost", "by": {"did": "did:plc:b"}}
        });
        let broken = serde_json::json!({"nope": 1});
        assert_eq!(ItemKey::of(&plain).key, "at://did:plc:a/p/1");
        assert_eq!(ItemKey::of(&repost).key, "at://did:plc:a/p/1 did:plc:b");
        assert_eq!(ItemKey::of(&broken).key, ItemKey::of(&broken).key);
        assert!(ItemKey::of(&broken).key.starts_with('#'));
    }

    #[test]
    fn seen_keys_are_bounded() {
        let mut seen = Seen::default();
        for i in 0..SEEN_CAP + 10 {
            seen.insert(i.to_string());
        }
        assert!(!seen.contains("0"));
        assert!(seen.contains(&(SEEN_CAP + 9).to_string()));
        assert_eq!(seen.keys.len(), SEEN_CAP);
    }
}
