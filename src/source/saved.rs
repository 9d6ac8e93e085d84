//! The reader's own lists and saved feeds, for the palette that makes a
//! column of one (ARCHITECTURE.md, "Columns from the keyboard").
//!
//! Mastodon: `GET /api/v1/lists`. Bluesky: the saved feeds of
//! `app.bsky.actor.getPreferences` (`savedFeedsPrefV2`, or the older
//! `savedFeedsPref`), named with `app.bsky.feed.getFeedGenerators` and
//! `app.bsky.graph.getList`.

use crate::model::{Saved, sanitize_line};
use crate::net::{Error, bluesky, mastodon};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;

/// How many feeds one `getFeedGenerators` call names.
const FEEDS_PER_CALL: usize = 25;

/// The account's lists, each read by its title (by its id where two share
/// a title).
pub(super) async fn mastodon(client: &mut mastodon::Client) -> Result<Vec<Saved>, Error> {
    let lists = client.lists().await?;
    Ok(lists
        .iter()
        .map(|(id, title)| {
            // A title read as an id (all digits), shared with another list,
            // or empty, is not a title to read by.
            let shared = lists.iter().filter(|(_, t)| t == title).count() > 1;
            let numeric = title.bytes().all(|b| b.is_ascii_digit());
            Saved {
                title: title.clone(),
                read: if shared || numeric || title.trim().is_empty() {
                    format!("list:{id}")
                } else {
                    format!("list:{title}")
                },
                kind: "list",
                pinned: false,
            }
        })
        .collect())
}

/// The account's saved feeds and lists, pinned first, each named as its
/// server names it (a name that cannot be had: the record's key).
pub(super) async fn bluesky(client: &mut bluesky::Client) -> Result<Vec<Saved>, Error> {
    let body = client
        .query(
            "app.bsky.actor.getPreferences",
            &[],
            "reading your saved feeds",
        )
        .await?;
    let mut saved = saved_in(&body)?;
    saved.sort_by_key(|s| !s.pinned);
    let feeds: Vec<&str> = saved
        .iter()
        .filter(|s| s.kind == "feed")
        .map(|s| s.read.as_str())
        .collect();
    let mut names: HashMap<String, String> = HashMap::new();
    for chunk in feeds.chunks(FEEDS_PER_CALL) {
        let query: Vec<(&str, &str)> = chunk.iter().map(|uri| ("feeds", *uri)).collect();
        #[derive(Deserialize)]
        struct Views {
            #[serde(default)]
            feeds: Vec<Value>,
        }
        // Feeds that cannot be named are still offered, by their keys.
        let named = client
            .query(
                "app.bsky.feed.getFeedGenerators",
                &query,
                "naming your feeds",
            )
            .await;
        if let Ok(body) = named
            && let Ok(views) = serde_json::from_slice::<Views>(&body)
        {
            for view in views.feeds {
                if let (Some(uri), Some(name)) = (
                    view.get("uri").and_then(Value::as_str),
                    view.get("displayName").and_then(Value::as_str),
                ) {
                    names.insert(uri.to_string(), name.to_string());
                }
            }
        }
    }
    let lists: Vec<String> = saved
        .iter()
        .filter(|s| s.kind == "list")
        .map(|s| s.read.clone())
        .collect();
    for uri in lists {
        // A list gone or hidden is still offered, by its key.
        if let Some(name) = list_name(client, &uri).await {
            names.insert(uri, name);
        }
    }
    for s in &mut saved {
        if let Some(name) = names.get(&s.read).map(|n| sanitize_line(n.trim()))
            && !name.is_empty()
        {
            s.title = name.into_owned();
        }
    }
    Ok(saved)
}

/// A list's name (`app.bsky.graph.getList`), if the server gives one.
pub(super) async fn list_name(client: &mut bluesky::Client, uri: &str) -> Option<String> {
    let query = [("list", uri), ("limit", "1")];
    name_in(client, "app.bsky.graph.getList", &query, "/list/name").await
}

/// A custom feed's display name (`app.bsky.feed.getFeedGenerator`), if
/// the server gives one.
pub(super) async fn feed_name(client: &mut bluesky::Client, uri: &str) -> Option<String> {
    let query = [("feed", uri)];
    name_in(
        client,
        "app.bsky.feed.getFeedGenerator",
        &query,
        "/view/displayName",
    )
    .await
}

/// An account's display name (`app.bsky.actor.getProfile`), if it has
/// one.
pub(super) async fn profile_name(client: &mut bluesky::Client, actor: &str) -> Option<String> {
    let answer = client.profile(actor).await;
    named(client, answer, "/displayName")
}

/// The string at `pointer` in the answer to `method`; none (logged) when
/// the server will not say: a name is never worth failing over.
async fn name_in(
    client: &mut bluesky::Client,
    method: &str,
    query: &[(&str, &str)],
    pointer: &str,
) -> Option<String> {
    let answer = client.query(method, query, "naming the feed").await;
    named(client, answer, pointer)
}

/// The string at `pointer` in a server's answer; none (logged) when it
/// failed or holds none.
fn named(
    client: &bluesky::Client,
    answer: Result<Vec<u8>, crate::net::Error>,
    pointer: &str,
) -> Option<String> {
    let body = answer
        .map_err(|e| tracing::info!("no name: {}", client.redact(&e.to_string())))
        .ok()?;
    let answer: Value = serde_json::from_slice(&body).ok()?;
    Some(answer.pointer(pointer)?.as_str()?.to_string())
}

/// The saved feeds and lists `getPreferences` holds, in order, once each;
/// titled by their record keys until named.
fn saved_in(body: &[u8]) -> Result<Vec<Saved>, Error> {
    #[derive(Deserialize)]
    struct Preferences {
        #[serde(default)]
        preferences: Vec<Value>,
    }
    let prefs: Preferences = serde_json::from_slice(body).map_err(|e| Error::Malformed {
        what: "reading your saved feeds".into(),
        why: format!("the answer is not a list of preferences ({e})"),
    })?;
    let of_type = |t: &'static str| {
        prefs
            .preferences
            .iter()
            .filter(move |p| p.get("$type").and_then(Value::as_str) == Some(t))
    };
    // (uri, pinned)
    let mut found: Vec<(String, bool)> = Vec::new();
    for pref in of_type("app.bsky.actor.defs#savedFeedsPrefV2") {
        for item in pref
            .get("items")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            // `timeline` items are the home timeline, read already.
            if matches!(
                item.get("type").and_then(Value::as_str),
                Some("feed" | "list")
            ) && let Some(uri) = item.get("value").and_then(Value::as_str)
            {
                let pinned = item.get("pinned").and_then(Value::as_bool) == Some(true);
                found.push((uri.to_string(), pinned));
            }
        }
    }
    // Accounts not moved to the second version keep the first.
    if of_type("app.bsky.actor.defs#savedFeedsPrefV2")
        .next()
        .is_none()
    {
        for pref in of_type("app.bsky.actor.defs#savedFeedsPref") {
            let uris = |key: &str| -> Vec<String> {
                pref.get(key)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            };
            let pinned = uris("pinned");
            for uri in pinned.iter().chain(&uris("saved")) {
                found.push((uri.clone(), pinned.contains(uri)));
            }
        }
    }
    let mut saved: Vec<Saved> = Vec::new();
    for (uri, pinned) in found {
        let kind = if uri.contains("/app.bsky.feed.generator/") {
            "feed"
        } else if uri.contains("/app.bsky.graph.list/") {
            "list"
        } else {
            continue;
        };
        if !uri.starts_with("at://") || saved.iter().any(|s| s.read == uri) {
            continue;
        }
        let key = uri.rsplit('/').next().unwrap_or_default();
        saved.push(Saved {
            title: sanitize_line(key).into_owned(),
            read: uri,
            kind,
            pinned,
        });
    }
    Ok(saved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_feeds_come_from_either_version_of_the_preference() {
        let v2 = serde_json::json!({"preferences": [
            {"$type": "app.bsky.actor.defs#adultContentPref", "enabled": false},
            {"$type": "app.bsky.actor.defs#savedFeedsPrefV2", "items": [
                {"id": "1", "type": "timeline", "value": "following", "pinned": true},
                {"id": "2", "type": "feed", "value": "at://did:plc:a/app.bsky.feed.generator/cats", "pinned": true},
                {"id": "3", "type": "list", "value": "at://did:plc:a/app.bsky.graph.list/friends", "pinned": false},
                {"id": "4", "type": "feed", "value": "at://did:plc:a/app.bsky.feed.generator/cats", "pinned": false}
            ]}
        ]});
        let saved = saved_in(v2.to_string().as_bytes()).unwrap();
        let got: Vec<(&str, &str, bool)> = saved
            .iter()
            .map(|s| (s.kind, s.title.as_str(), s.pinned))
            .collect();
        assert_eq!(got, [("feed", "cats", true), ("list", "friends", false)]);
        let v1 = serde_json::json!({"preferences": [
            {"$type": "app.bsky.actor.defs#savedFeedsPref",
             "pinned": ["at://did:plc:a/app.bsky.feed.generator/cats"],
             "saved": ["at://did:plc:a/app.bsky.feed.generator/cats",
                       "at://did:plc:a/app.bsky.graph.list/friends"]}
        ]});
        let again = saved_in(v1.to_string().as_bytes()).unwrap();
        assert_eq!(again, saved);
        // Every feed taken out in the second version: the first is not
        // read again.
        let emptied = serde_json::json!({"preferences": [
            v1["preferences"][0].clone(),
            {"$type": "app.bsky.actor.defs#savedFeedsPrefV2", "items": [
                {"id": "1", "type": "timeline", "value": "following", "pinned": true}
            ]}
        ]});
        assert!(saved_in(emptied.to_string().as_bytes()).unwrap().is_empty());
        assert!(saved_in(b"\"not preferences\"").is_err());
    }
}
