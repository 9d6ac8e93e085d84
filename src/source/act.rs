//! Acting as a source's account: favourite, boost and bookmark a post
//! through the client of the source that delivered it
//! (ARCHITECTURE.md, "Acting on posts").
//!
//! The runtime keeps one [`Accounts`] and asks it for each act; the call
//! runs in a task of its own, off the event loop, and its [`ActResult`]
//! goes back to the app. Each source has one client for its acts, kept
//! between them (its session, its pacing by the rate-limit headers); a
//! lock makes a source's acts go out one after another, in the order
//! asked. The reading task has its own client, so a long stream never
//! holds an act up.

use crate::config::{SourceConfig, SourceSpec};
use crate::model::{
    Act, ActRequest, ActResult, BLUESKY_LIMITS, Draft, FacetKind, Limits, MASTODON_LIMITS, Mark,
    Marker, PostRequest, PostResult, Profile, ProfileResult, Saved, Target, ThreadResult,
    facet_spans,
};
use crate::net::{self, bluesky, mastodon, secret};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use tokio::sync::Mutex;

/// The clients that act, one per source, made on the first act.
#[derive(Default)]
pub struct Accounts {
    by_source: HashMap<String, (SourceConfig, Arc<Mutex<Client>>)>,
}

enum Client {
    Mastodon(mastodon::Client),
    Bluesky(bluesky::Client),
    /// A source that cannot act, or whose credential cannot be read: why.
    Cannot(String),
}

impl Accounts {
    /// The client acting for `spec`; a source whose config changed gets a
    /// new one.
    fn client(&mut self, spec: &SourceSpec) -> Arc<Mutex<Client>> {
        let fresh = match self.by_source.get(&spec.name) {
            Some((kind, _)) => *kind != spec.kind,
            None => true,
        };
        if fresh {
            let client = Arc::new(Mutex::new(client_for(spec)));
            self.by_source
                .insert(spec.name.clone(), (spec.kind.clone(), client));
        }
        Arc::clone(&self.by_source[&spec.name].1)
    }

    /// The call that posts `request`'s draft through `spec`'s account, to
    /// be spawned.
    pub fn post(
        &mut self,
        spec: &SourceSpec,
        request: PostRequest,
        limits: Limits,
    ) -> impl Future<Output = PostResult> + Send + use<> {
        let client = self.client(spec);
        async move {
            let mut client = client.lock().await;
            let result = match &mut *client {
                Client::Mastodon(c) => mastodon_post(c, &request.draft, limits).await,
                Client::Bluesky(c) => bluesky_post(c, &request.draft).await,
                Client::Cannot(why) => Err(why.clone()),
            };
            result.unwrap_or_else(PostResult::Failed)
        }
    }

    /// The conversation around post `id` of `spec`'s source (found by its
    /// URI `find_by` first, when the post came from another server), to be
    /// spawned.
    pub fn thread(
        &mut self,
        spec: &SourceSpec,
        id: String,
        find_by: Option<String>,
    ) -> impl Future<Output = ThreadResult> + Send + use<> {
        let client = self.client(spec);
        let source = spec.name.clone();
        async move {
            let result = match &mut *client.lock().await {
                Client::Mastodon(c) => match find_by {
                    Some(uri) => match c.find_status(&uri).await {
                        Ok(id) => mastodon_thread(c, &source, &id).await,
                        Err(e) => Err(failed(e)),
                    },
                    None => mastodon_thread(c, &source, &id).await,
                },
                Client::Bluesky(c) => bluesky_thread(c, &source, &id).await,
                Client::Cannot(why) => Err(why.clone()),
            };
            result.unwrap_or_else(ThreadResult::Failed)
        }
    }

    /// The profile and recent posts of `account` as `spec`'s account sees
    /// it, to be spawned.
    pub fn profile(
        &mut self,
        spec: &SourceSpec,
        account: crate::model::Account,
    ) -> impl Future<Output = ProfileResult> + Send + use<> {
        let client = self.client(spec);
        let source = spec.name.clone();
        async move {
            let result = match &mut *client.lock().await {
                Client::Mastodon(c) => mastodon_profile(c, &source, &account).await,
                Client::Bluesky(c) => bluesky_profile(c, &source, &account).await,
                Client::Cannot(why) => Err(why.clone()),
            };
            result.unwrap_or_else(ProfileResult::Failed)
        }
    }

    /// Deletes one of the account's posts, to be spawned.
    pub fn delete(
        &mut self,
        spec: &SourceSpec,
        id: String,
    ) -> impl Future<Output = Result<(), String>> + Send + use<> {
        let client = self.client(spec);
        async move {
            match &mut *client.lock().await {
                Client::Mastodon(c) => c.delete_status(&id).await.map_err(failed),
                Client::Bluesky(c) => c.delete_record(&id, "delete").await.map_err(failed),
                Client::Cannot(why) => Err(why.clone()),
            }
        }
    }

    /// Whether `spec`'s account follows `account` (`want: None`), or makes
    /// it follow or not (`Some(on)`); the state after, to be spawned.
    pub fn follow(
        &mut self,
        spec: &SourceSpec,
        account: crate::model::Account,
        want: Option<bool>,
    ) -> impl Future<Output = Result<bool, String>> + Send + use<> {
        let client = self.client(spec);
        async move {
            match &mut *client.lock().await {
                Client::Mastodon(c) => mastodon_follow(c, &account, want).await,
                Client::Bluesky(c) => bluesky_follow(c, &account, want).await,
                Client::Cannot(why) => Err(why.clone()),
            }
        }
    }

    /// The account's own lists and saved feeds, to be spawned.
    pub fn saved(
        &mut self,
        spec: &SourceSpec,
    ) -> impl Future<Output = Result<Vec<Saved>, String>> + Send + use<> {
        let client = self.client(spec);
        async move {
            match &mut *client.lock().await {
                Client::Mastodon(c) => super::saved::mastodon(c).await.map_err(failed),
                Client::Bluesky(c) => super::saved::bluesky(c).await.map_err(failed),
                Client::Cannot(why) => Err(why.clone()),
            }
        }
    }

    /// What the server of `spec` allows in a post, to be spawned.
    pub fn limits(&mut self, spec: &SourceSpec) -> impl Future<Output = Limits> + Send + use<> {
        let client = self.client(spec);
        async move {
            match &mut *client.lock().await {
                Client::Mastodon(c) => c.limits().await,
                Client::Bluesky(_) => BLUESKY_LIMITS,
                Client::Cannot(_) => MASTODON_LIMITS,
            }
        }
    }

    /// Moves the read marker of `spec`'s account to `mark`, to be spawned.
    pub fn mark_read(
        &mut self,
        spec: &SourceSpec,
        marker: Marker,
        mark: Mark,
    ) -> impl Future<Output = Result<(), String>> + Send + use<> {
        let client = self.client(spec);
        async move {
            match (&mut *client.lock().await, &mark) {
                (Client::Mastodon(c), Mark::Id(id)) => {
                    c.set_marker(marker.timeline(), id).await.map_err(failed)
                }
                (Client::Bluesky(c), Mark::Time(at)) => c.update_seen(*at).await.map_err(failed),
                (Client::Cannot(why), _) => Err(why.clone()),
                _ => Err(format!("this server keeps no read position like {mark:?}")),
            }
        }
    }

    /// The call that carries out `request` through `spec`'s account, to be
    /// spawned.
    pub fn act(
        &mut self,
        spec: &SourceSpec,
        request: ActRequest,
    ) -> impl Future<Output = ActResult> + Send + use<> {
        let client = self.client(spec);
        async move {
            let mut client = client.lock().await;
            let result = match &mut *client {
                Client::Mastodon(c) => mastodon_act(c, &request).await,
                Client::Bluesky(c) => bluesky_act(c, &request).await,
                Client::Cannot(why) => Err(why.clone()),
            };
            result.unwrap_or_else(ActResult::Failed)
        }
    }
}

fn client_for(spec: &SourceSpec) -> Client {
    match &spec.kind {
        SourceConfig::Mastodon(m) => {
            let token = match m
                .token
                .as_ref()
                .map(|t| secret::load(t, "Mastodon access token"))
            {
                Some(Ok(token)) => Some(token),
                Some(Err(e)) => return Client::Cannot(e.to_string()),
                None => None,
            };
            let origin = m.token.as_ref().map(|t| t.origin()).unwrap_or_default();
            match mastodon::Client::new(&m.instance, token, origin) {
                Ok(client) => Client::Mastodon(client),
                Err(e) => Client::Cannot(e.to_string()),
            }
        }
        SourceConfig::Bluesky(b) => match secret::load(&b.password, "app password") {
            Ok(password) => Client::Bluesky(bluesky::Client::new(
                &b.service,
                &b.handle,
                password,
                b.password.origin(),
                super::bluesky::session_file(b, "-actions"),
            )),
            Err(e) => Client::Cannot(e.to_string()),
        },
        other => Client::Cannot(cannot_act(&spec.name, other)),
    }
}

/// Why posts of a source cannot be acted on, for the status bar.
pub fn cannot_act(name: &str, kind: &SourceConfig) -> String {
    format!(
        "{name} is a {} source: only posts from Mastodon and Bluesky sources can be \
         favourited, boosted or bookmarked",
        kind.kind_name()
    )
}

/// The words of a failed call: what was asked and what the server said,
/// and when to try again if the server asked for a wait.
fn failed(e: net::Error) -> String {
    match e.wait() {
        Some(wait) => format!("{e}; try again in {} s", wait.as_secs().max(1)),
        None => e.to_string(),
    }
}

async fn mastodon_act(
    client: &mut mastodon::Client,
    request: &ActRequest,
) -> Result<ActResult, String> {
    let verb = match request.act {
        Act::Favourite { on: true } => "favourite",
        Act::Favourite { on: false } => "unfavourite",
        Act::Boost { on: true } => "reblog",
        Act::Boost { on: false } => "unreblog",
        Act::Bookmark { on: true } => "bookmark",
        Act::Bookmark { on: false } => "unbookmark",
    };
    let id = match &request.post.find_by {
        Some(uri) => client.find_status(uri).await.map_err(failed)?,
        None => request.post.id.clone(),
    };
    let body = client
        .act(&["statuses", &id, verb], request.act.words())
        .await
        .map_err(failed)?;
    // The answer is the status as the server now has it (for a reblog,
    // the boost, which holds it): its marks and counts.
    let marks = crate::decode::decode(&body, &request.source)
        .ok()
        .map(|post| post.engagement);
    Ok(ActResult::Done {
        marks,
        record: None,
    })
}

async fn bluesky_act(
    client: &mut bluesky::Client,
    request: &ActRequest,
) -> Result<ActResult, String> {
    let post = &request.post;
    let what = request.act.words();
    let subject = || -> Result<serde_json::Value, String> {
        let cid = post.cid.as_deref().ok_or_else(|| {
            format!("{what}: circles does not have the post's cid; wait for it to be read again")
        })?;
        Ok(serde_json::json!({ "uri": post.id, "cid": cid }))
    };
    let record = |kind: &str| -> Result<serde_json::Value, String> {
        Ok(serde_json::json!({
            "$type": kind,
            "subject": subject()?,
            "createdAt": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        }))
    };
    match request.act {
        Act::Favourite { on: true } | Act::Boost { on: true } => {
            let kind = match request.act {
                Act::Favourite { .. } => "app.bsky.feed.like",
                _ => "app.bsky.feed.repost",
            };
            let (uri, _) = client
                .create_record(kind, record(kind)?, what)
                .await
                .map_err(failed)?;
            Ok(ActResult::Done {
                marks: None,
                record: Some(uri),
            })
        }
        Act::Favourite { on: false } | Act::Boost { on: false } => {
            let record = post.record.as_deref().ok_or_else(|| {
                format!(
                    "{what}: circles does not know the record to delete; wait for the post to \
                     be read again"
                )
            })?;
            client.delete_record(record, what).await.map_err(failed)?;
            Ok(ActResult::Done {
                marks: None,
                record: None,
            })
        }
        Act::Bookmark { on } => {
            let cid = post.cid.as_deref().unwrap_or_default();
            client.bookmark(&post.id, cid, on).await.map_err(failed)?;
            Ok(ActResult::Done {
                marks: None,
                record: None,
            })
        }
    }
}

/// Posts a draft on Mastodon: its text, content warning, visibility and
/// language, as a reply (`in_reply_to_id`) or a quote (`quoted_status_id`
/// where the instance has quote posts, else the quoted post's link at the
/// end). The server's answer is the post, shown at once.
async fn mastodon_post(
    client: &mut mastodon::Client,
    draft: &Draft,
    limits: Limits,
) -> Result<PostResult, String> {
    let mut text = draft.text.clone();
    let mut form: Vec<(&str, &str)> = vec![("visibility", draft.visibility.as_str())];
    let warning = draft.warning.trim();
    if !warning.is_empty() {
        form.push(("spoiler_text", warning));
    }
    let language = draft.language.trim();
    if !language.is_empty() {
        form.push(("language", language));
    }
    // This server's ids of the posts answered and quoted.
    let mut ids = Vec::new();
    for target in [&draft.reply, &draft.quote] {
        ids.push(match target {
            Some(Target {
                find_by: Some(uri), ..
            }) => client.find_status(uri).await.map_err(failed)?,
            Some(target) => target.id.clone(),
            None => String::new(),
        });
    }
    if draft.reply.is_some() {
        form.push(("in_reply_to_id", &ids[0]));
    }
    if let Some(quote) = &draft.quote {
        if limits.quotes {
            form.push(("quoted_status_id", &ids[1]));
        } else if let Some(url) = &quote.url {
            text = format!("{}\n\n{url}", text.trim_end());
        }
    }
    form.push(("status", &text));
    let what = if draft.reply.is_some() {
        "reply"
    } else {
        "post"
    };
    let body = client
        .post_status(&form, &draft.id, what)
        .await
        .map_err(failed)?;
    Ok(match crate::decode::decode(&body, &draft.source) {
        Ok(post) => PostResult::Posted(Box::new(post)),
        Err(_) => PostResult::Sent,
    })
}

/// Posts a draft on Bluesky: an `app.bsky.feed.post` record with its
/// facets (mentions resolved to DIDs; one that does not resolve stays
/// plain text), languages, a reply's root and parent, a quote's
/// `app.bsky.embed.record`; then reads it back to show it at once.
async fn bluesky_post(client: &mut bluesky::Client, draft: &Draft) -> Result<PostResult, String> {
    let text = draft.text.trim_end();
    let mut facets = Vec::new();
    for span in facet_spans(text) {
        let feature = match span.kind {
            FacetKind::Mention(handle) => match client.resolve_handle(&handle).await {
                Ok(did) => serde_json::json!({
                    "$type": "app.bsky.richtext.facet#mention", "did": did }),
                Err(e) => {
                    tracing::info!("@{handle} stays plain text: {e}");
                    continue;
                }
            },
            FacetKind::Link(uri) => {
                serde_json::json!({ "$type": "app.bsky.richtext.facet#link", "uri": uri })
            }
            FacetKind::Tag(tag) => {
                serde_json::json!({ "$type": "app.bsky.richtext.facet#tag", "tag": tag })
            }
        };
        facets.push(serde_json::json!({
            "index": { "byteStart": span.start, "byteEnd": span.end },
            "features": [feature],
        }));
    }
    let mut record = serde_json::json!({
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    });
    if !facets.is_empty() {
        record["facets"] = facets.into();
    }
    let language = draft.language.trim();
    if !language.is_empty() {
        record["langs"] = serde_json::json!([language]);
    }
    let strong = |id: &str,
                  cid: &Option<String>,
                  what: &str|
     -> Result<serde_json::Value, String> {
        let cid = cid.as_deref().ok_or_else(|| {
            format!("{what}: circles does not have the post's cid; wait for it to be read again")
        })?;
        Ok(serde_json::json!({ "uri": id, "cid": cid }))
    };
    if let Some(reply) = &draft.reply {
        let parent = strong(&reply.id, &reply.cid, "reply")?;
        let root = match &reply.root {
            Some(root) => serde_json::json!({ "uri": root.uri, "cid": root.cid }),
            None => parent.clone(),
        };
        record["reply"] = serde_json::json!({ "root": root, "parent": parent });
    }
    if let Some(quote) = &draft.quote {
        record["embed"] = serde_json::json!({
            "$type": "app.bsky.embed.record",
            "record": strong(&quote.id, &quote.cid, "quote")?,
        });
    }
    let what = if draft.reply.is_some() {
        "reply"
    } else {
        "post"
    };
    let (uri, _) = client
        .create_record("app.bsky.feed.post", record, what)
        .await
        .map_err(failed)?;
    let shown = match client.posts(&[&uri]).await {
        Ok(items) => items
            .first()
            .and_then(|item| crate::decode::decode(item, &draft.source).ok()),
        Err(e) => {
            tracing::info!("the post was sent but not read back: {e}");
            None
        }
    };
    Ok(match shown {
        Some(post) => PostResult::Posted(Box::new(post)),
        None => PostResult::Sent,
    })
}

/// `GET /api/v1/statuses/:id/context`: the ancestors, oldest first, and
/// the descendants in the server's depth-first order, each one's depth
/// found from the post it answers.
async fn mastodon_thread(
    client: &mut mastodon::Client,
    source: &str,
    id: &str,
) -> Result<ThreadResult, String> {
    #[derive(serde::Deserialize)]
    struct Context {
        ancestors: Vec<serde_json::Value>,
        descendants: Vec<serde_json::Value>,
    }
    let url = client.api_url(&["statuses", id, "context"], &[]);
    let (body, _) = client.get(&url).await.map_err(failed)?;
    let context: Context = serde_json::from_str(&body)
        .map_err(|e| format!("reading the thread: the answer is not a context ({e})"))?;
    let decode = |value: &serde_json::Value| crate::decode::decode(&value.to_string(), source).ok();
    let ancestors = context.ancestors.iter().filter_map(decode).collect();
    let mut depths: HashMap<String, u16> = HashMap::from([(id.to_string(), 0)]);
    let mut replies = Vec::new();
    for post in context.descendants.iter().filter_map(decode) {
        let parent = post.reply_to.as_ref().map(|r| r.id.as_str());
        let depth = parent.and_then(|p| depths.get(p)).map_or(1, |d| d + 1);
        depths.insert(post.id.clone(), depth);
        replies.push((post, depth));
    }
    Ok(ThreadResult::Found { ancestors, replies })
}

/// `app.bsky.feed.getPostThread`: the parent chain, walked up and turned
/// oldest first, and the replies depth first. Posts that are not found or
/// blocked are left out.
async fn bluesky_thread(
    client: &mut bluesky::Client,
    source: &str,
    uri: &str,
) -> Result<ThreadResult, String> {
    let body = client.thread(uri).await.map_err(failed)?;
    let answer: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| format!("reading the thread: the answer is not JSON ({e})"))?;
    let view = |node: &serde_json::Value| -> Option<crate::model::Post> {
        let kind = node["$type"].as_str().unwrap_or_default();
        if !kind.ends_with("#threadViewPost") {
            return None;
        }
        let item = serde_json::json!({ "post": node["post"] });
        crate::decode::decode(&item.to_string(), source).ok()
    };
    let thread = &answer["thread"];
    let mut ancestors = Vec::new();
    let mut node = &thread["parent"];
    while node.is_object() {
        ancestors.extend(view(node));
        node = &node["parent"];
    }
    ancestors.reverse();
    let mut replies = Vec::new();
    let mut stack: Vec<(&serde_json::Value, u16)> = thread["replies"]
        .as_array()
        .map(|r| r.iter().rev().map(|n| (n, 1)).collect())
        .unwrap_or_default();
    while let Some((node, depth)) = stack.pop() {
        if let Some(post) = view(node) {
            replies.push((post, depth));
            if let Some(children) = node["replies"].as_array() {
                stack.extend(children.iter().rev().map(|n| (n, depth + 1)));
            }
        }
    }
    Ok(ThreadResult::Found { ancestors, replies })
}

/// Plain, sanitized text of a server's HTML (a bio, a field's value).
fn plain(html: &str) -> String {
    crate::model::sanitize(crate::decode::html_to_text(html).trim()).into_owned()
}

#[derive(serde::Deserialize)]
struct Field {
    name: String,
    value: String,
}

/// A Mastodon account as `accounts/lookup` answers.
#[derive(serde::Deserialize)]
struct Found {
    id: String,
    acct: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    fields: Vec<Field>,
    followers_count: Option<u64>,
    following_count: Option<u64>,
    statuses_count: Option<u64>,
    url: Option<String>,
}

#[derive(serde::Deserialize)]
struct Relationship {
    following: Option<bool>,
    followed_by: Option<bool>,
}

/// The account a handle names on this instance (`accounts/lookup`; a
/// local account without this instance's domain).
async fn mastodon_lookup(
    client: &mut mastodon::Client,
    account: &crate::model::Account,
) -> Result<Found, String> {
    let body = client
        .lookup_account(&account.handle)
        .await
        .map_err(failed)?;
    serde_json::from_str::<Found>(&body)
        .map_err(|e| format!("reading the profile: the answer is not an account ({e})"))
}

/// How the account stands to `id` (`accounts/relationships`).
async fn mastodon_relationship(
    client: &mut mastodon::Client,
    id: &str,
) -> Result<Relationship, String> {
    let url = client.api_url(&["accounts", "relationships"], &[("id[]", id)]);
    let (body, _) = client.get(&url).await.map_err(failed)?;
    serde_json::from_str::<Vec<Relationship>>(&body)
        .ok()
        .and_then(|mut r| r.pop())
        .ok_or_else(|| "reading the relationship: the answer is not one".to_string())
}

/// Mastodon: the account found by its handle (`accounts/lookup`, the
/// handle without this instance's domain when it is local), the
/// relationship (`accounts/relationships`) and its recent statuses.
async fn mastodon_profile(
    client: &mut mastodon::Client,
    source: &str,
    account: &crate::model::Account,
) -> Result<ProfileResult, String> {
    let found = mastodon_lookup(client, account).await?;
    let relationship = mastodon_relationship(client, &found.id).await.ok();
    let url = client.api_url(&["accounts", &found.id, "statuses"], &[("limit", "20")]);
    let (body, _) = client.get(&url).await.map_err(failed)?;
    let statuses: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap_or_default();
    let posts = statuses
        .iter()
        .filter_map(|s| crate::decode::decode(&s.to_string(), source).ok())
        .collect();
    let profile = Profile {
        handle: crate::model::display_handle(&format!("@{}", found.acct)),
        display_name: crate::model::sanitize_line(&found.display_name).into_owned(),
        bio: plain(&found.note),
        fields: found
            .fields
            .iter()
            .map(|f| {
                (
                    crate::model::sanitize_line(&f.name).into_owned(),
                    plain(&f.value),
                )
            })
            .collect(),
        followers: found.followers_count,
        following: found.following_count,
        posts: found.statuses_count,
        you_follow: relationship.as_ref().and_then(|r| r.following),
        follows_you: relationship.as_ref().and_then(|r| r.followed_by),
        url: found
            .url
            .map(|u| crate::model::sanitize_line(&u).into_owned()),
    };
    Ok(ProfileResult::Found {
        profile: Box::new(profile),
        posts,
    })
}

/// Bluesky: the actor `getProfile` is asked for (the DID, else the
/// handle) and its answer, with the viewer's follow records.
async fn bluesky_profile_view(
    client: &mut bluesky::Client,
    account: &crate::model::Account,
) -> Result<(String, serde_json::Value), String> {
    let actor = account
        .did
        .clone()
        .unwrap_or_else(|| account.handle.trim_start_matches('@').to_string());
    let body = client.profile(&actor).await.map_err(failed)?;
    let view = serde_json::from_slice(&body)
        .map_err(|e| format!("reading the profile: the answer is not JSON ({e})"))?;
    Ok((actor, view))
}

/// Bluesky: `getProfile` (with the viewer's follow records) and
/// `getAuthorFeed`.
async fn bluesky_profile(
    client: &mut bluesky::Client,
    source: &str,
    account: &crate::model::Account,
) -> Result<ProfileResult, String> {
    let (actor, view) = bluesky_profile_view(client, account).await?;
    let text = |key: &str| view[key].as_str().unwrap_or_default();
    let feed = client.author_feed(&actor).await.map_err(failed)?;
    let feed: serde_json::Value = serde_json::from_slice(&feed).unwrap_or_default();
    let posts = feed["feed"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| crate::decode::decode(&item.to_string(), source).ok())
                .collect()
        })
        .unwrap_or_default();
    let viewer = &view["viewer"];
    let profile = Profile {
        handle: crate::model::display_handle(text("handle")),
        display_name: crate::model::sanitize_line(text("displayName")).into_owned(),
        bio: crate::model::sanitize(text("description").trim()).into_owned(),
        fields: Vec::new(),
        followers: view["followersCount"].as_u64(),
        following: view["followsCount"].as_u64(),
        posts: view["postsCount"].as_u64(),
        you_follow: viewer.is_object().then(|| viewer["following"].is_string()),
        follows_you: viewer.is_object().then(|| viewer["followedBy"].is_string()),
        url: Some(format!("https://bsky.app/profile/{}", text("handle"))),
    };
    Ok(ProfileResult::Found {
        profile: Box::new(profile),
        posts,
    })
}

/// Mastodon: the relationship, then `accounts/:id/follow` or `unfollow`.
async fn mastodon_follow(
    client: &mut mastodon::Client,
    account: &crate::model::Account,
    want: Option<bool>,
) -> Result<bool, String> {
    let found = mastodon_lookup(client, account).await?;
    let Some(on) = want else {
        let relationship = mastodon_relationship(client, &found.id).await?;
        return Ok(relationship.following.unwrap_or(false));
    };
    let verb = if on { "follow" } else { "unfollow" };
    let body = client
        .act(&["accounts", &found.id, verb], verb)
        .await
        .map_err(failed)?;
    // A locked account's follow is a request: `requested`, not `following`.
    let relationship: Option<serde_json::Value> = serde_json::from_str(&body).ok();
    let following = relationship
        .as_ref()
        .and_then(|r| r["following"].as_bool())
        .unwrap_or(on);
    Ok(following || (on && relationship.is_some_and(|r| r["requested"] == true)))
}

/// Bluesky: `getProfile`'s `viewer.following` record, then a new
/// `app.bsky.graph.follow` record or that one deleted.
async fn bluesky_follow(
    client: &mut bluesky::Client,
    account: &crate::model::Account,
    want: Option<bool>,
) -> Result<bool, String> {
    let (actor, view) = bluesky_profile_view(client, account).await?;
    let record = view["viewer"]["following"].as_str().map(str::to_string);
    match (want, record) {
        (None, record) => Ok(record.is_some()),
        (Some(true), Some(_)) | (Some(false), None) => Ok(want == Some(true)),
        (Some(true), None) => {
            let did = view["did"].as_str().unwrap_or(&actor).to_string();
            let follow = serde_json::json!({
                "$type": "app.bsky.graph.follow",
                "subject": did,
                "createdAt": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            });
            client
                .create_record("app.bsky.graph.follow", follow, "follow")
                .await
                .map_err(failed)?;
            Ok(true)
        }
        (Some(false), Some(record)) => {
            client
                .delete_record(&record, "unfollow")
                .await
                .map_err(failed)?;
            Ok(false)
        }
    }
}
