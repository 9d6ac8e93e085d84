//! The bluesky source: logs in with an app password, reads the home
//! timeline back a few pages, then polls it for new posts.
//!
//! Everything is XRPC over HTTPS against `service` (the entryway, such as
//! `https://bsky.social`, forwards the calls to the account's PDS):
//! `com.atproto.server.createSession` turns handle and app password into
//! an access and a refresh token; `app.bsky.feed.getTimeline` pages the
//! timeline newest first with a cursor; `com.atproto.server.refreshSession`
//! swaps the refresh token for a new pair when the server says the access
//! token expired (400 `ExpiredToken`, or 401).
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
//! a message that says what to fix. The password and tokens are
//! [`Secret`]s: they never reach a log, a state or an error message.

use super::http::{self, Backoff};
use super::secret::{self, Secret};
use super::{Cursors, Sink, SourceState};
use crate::config::SourceSpec;
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::Value;
use std::collections::{HashSet, VecDeque};
use std::time::Duration;

/// Items asked for per `getTimeline` page (the API's maximum is 100).
const PAGE: &str = "50";
/// How many timeline items the first read goes back.
const BACKFILL: usize = 200;
/// How far one poll pages back looking for the items it saw before.
const CATCH_UP: usize = 200;
/// The longest wait between two attempts after failures.
const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// The longest a rate limit is waited out before asking again.
const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(3600);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Answers larger than this are refused (a timeline page is ~100 KB).
const MAX_BODY: usize = 16 << 20;
/// Item keys remembered for spotting what a poll has seen before.
const SEEN_CAP: usize = 4096;

/// The cursor holding the newest item's key.
const NEWEST: &str = "newest";
/// A longer cursor value is not an item key.
const MAX_KEY: usize = 2048;

const APP_PASSWORDS: &str = "https://bsky.app/settings/app-passwords";

pub(super) async fn run(sink: Sink, spec: SourceSpec, cursors: Cursors) {
    let Some(handle) = spec
        .handle
        .as_deref()
        .map(|h| h.trim().trim_start_matches('@').to_string())
        .filter(|h| !h.is_empty())
    else {
        sink.state(SourceState::Failed(
            "a bluesky source needs `handle`, like handle = \"jane.bsky.social\"".into(),
        ));
        return;
    };
    let password = match secret::load(
        spec.app_password_env.as_deref(),
        spec.app_password_file.as_deref(),
        "app password",
    ) {
        Ok(password) => password,
        Err(why) => {
            sink.state(SourceState::Failed(why));
            return;
        }
    };
    let password_from = match (&spec.app_password_env, &spec.app_password_file) {
        (Some(var), _) => format!("${var}"),
        (None, Some(file)) => file.clone(),
        (None, None) => "the config".to_string(),
    };
    let mut client = Client {
        http: http::client(),
        service: spec.service.trim().trim_end_matches('/').to_string(),
        handle,
        password,
        password_from,
        session: None,
    };
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
    loop {
        let mut read = Read {
            want: if backfilled { CATCH_UP } else { BACKFILL },
            stop_at_seen: backfilled,
            stop_at: stop_at.as_deref(),
            newest: None,
        };
        let outcome = fetch(&mut client, &sink, &mut seen, &mut read).await;
        let newest = read.newest.take();
        let wait = match outcome {
            Ok(true) => {
                backoff.reset();
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
                spec.poll
            }
            Ok(false) => return,
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
        if !pause(&sink, wait).await {
            return;
        }
    }
}

/// Sleeps, or returns false as soon as the app is gone.
async fn pause(sink: &Sink, wait: Duration) -> bool {
    tokio::select! {
        () = tokio::time::sleep(wait) => !sink.is_closed(),
        () = sink.tx.closed() => false,
    }
}

/// Why a step did not work out.
#[derive(Debug)]
enum Failure {
    /// Worth trying again: network trouble, a busy server, a rate limit
    /// (`wait` is what the server asked for).
    Retry { why: String, wait: Option<Duration> },
    /// Needs the user: bad credentials, a service that is no Bluesky.
    Fatal(String),
}

impl Failure {
    fn retry(why: impl Into<String>) -> Self {
        Failure::Retry {
            why: why.into(),
            wait: None,
        }
    }
}

/// The tokens `createSession` and `refreshSession` hand out.
struct Session {
    access: Secret,
    refresh: Secret,
}

#[derive(Deserialize)]
struct SessionOutput {
    #[serde(rename = "accessJwt")]
    access_jwt: String,
    #[serde(rename = "refreshJwt")]
    refresh_jwt: String,
}

/// An XRPC error body: `{"error": "ExpiredToken", "message": "…"}`.
#[derive(Deserialize, Default)]
struct XrpcError {
    #[serde(default)]
    error: String,
    #[serde(default)]
    message: String,
}

/// One HTTP answer, read whole.
struct Answer {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn error(&self) -> XrpcError {
        serde_json::from_slice(&self.body).unwrap_or_default()
    }

    /// The access token is no longer good: refresh it and ask again.
    fn token_expired(&self) -> bool {
        self.status == StatusCode::UNAUTHORIZED
            || (self.status == StatusCode::BAD_REQUEST
                && matches!(self.error().error.as_str(), "ExpiredToken" | "InvalidToken"))
    }

    /// What the server said, cleaned for showing: `Error: message`.
    fn said(&self) -> String {
        let e = self.error();
        let text = match (e.error.is_empty(), e.message.is_empty()) {
            (false, false) => format!("{}: {}", e.error, e.message),
            (false, true) => e.error,
            (true, false) => e.message,
            (true, true) => self
                .status
                .canonical_reason()
                .unwrap_or("no reason given")
                .to_string(),
        };
        http::short(&text)
    }

    /// A failure for an answer that is neither success nor expired token.
    fn failure(&self, what: &str) -> Failure {
        let status = self.status.as_u16();
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            Failure::Retry {
                why: format!("{what}: rate limited by the server"),
                wait: Some(rate_limit_wait(&self.headers)),
            }
        } else if self.status.is_server_error() {
            Failure::Retry {
                why: format!("{what}: the server answered {status} ({})", self.said()),
                wait: http::retry_after(&self.headers).map(|w| w.min(MAX_RATE_LIMIT_WAIT)),
            }
        } else {
            Failure::retry(format!(
                "{what}: the server answered {status} ({})",
                self.said()
            ))
        }
    }
}

/// How long a 429 asks to wait: `Retry-After`, else Bluesky's
/// `ratelimit-reset` (a Unix time), else a minute.
fn rate_limit_wait(headers: &reqwest::header::HeaderMap) -> Duration {
    let reset = || {
        let at: i64 = headers
            .get("ratelimit-reset")?
            .to_str()
            .ok()?
            .trim()
            .parse()
            .ok()?;
        let secs = at.saturating_sub(chrono::Utc::now().timestamp()).max(0);
        Some(Duration::from_secs(secs as u64))
    };
    http::retry_after(headers)
        .or_else(reset)
        .unwrap_or(Duration::from_secs(60))
        .clamp(Duration::from_secs(1), MAX_RATE_LIMIT_WAIT)
}

struct Client {
    http: reqwest::Client,
    service: String,
    handle: String,
    password: Secret,
    /// Where the password was read from, for messages (`$VAR` or a path).
    password_from: String,
    session: Option<Session>,
}

impl Client {
    fn url(&self, method: &str) -> String {
        format!("{}/xrpc/{method}", self.service)
    }

    /// Sends a request and reads the answer, capped at [`MAX_BODY`].
    async fn send(&self, request: reqwest::RequestBuilder, what: &str) -> Result<Answer, Failure> {
        let mut response = request
            .timeout(REQUEST_TIMEOUT)
            .send()
            .await
            .map_err(|e| Failure::retry(format!("{what}: {}", http::describe(&e))))?;
        let status = response.status();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > MAX_BODY {
                        return Err(Failure::retry(format!(
                            "{what}: the answer is larger than {} MB",
                            MAX_BODY >> 20
                        )));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(Failure::retry(format!("{what}: {}", http::describe(&e)))),
            }
        }
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    /// `com.atproto.server.createSession` with the handle and app password.
    async fn login(&mut self) -> Result<(), Failure> {
        self.session = None;
        let body = serde_json::json!({
            "identifier": self.handle,
            "password": self.password.expose(),
        });
        let request = self
            .http
            .post(self.url("com.atproto.server.createSession"))
            .json(&body);
        let answer = self.send(request, "logging in").await?;
        if answer.status.is_success() {
            self.session = Some(session_from(&answer, "logging in")?);
            return Ok(());
        }
        let error = answer.error();
        let handle = &self.handle;
        match (answer.status.as_u16(), error.error.as_str()) {
            (429, _) | (500.., _) => Err(answer.failure("logging in")),
            (_, "AuthFactorTokenRequired") => Err(Failure::Fatal(format!(
                "{handle} signs in with a second factor, which circles cannot answer: \
                 create an app password at {APP_PASSWORDS} and put it in {}",
                self.password_from
            ))),
            (_, "AccountTakedown" | "AccountDeactivated" | "AccountSuspended") => {
                Err(Failure::Fatal(format!(
                    "Bluesky refused the login for {handle}: {}",
                    answer.said()
                )))
            }
            (401 | 400, _) => Err(Failure::Fatal(format!(
                "Bluesky did not accept the handle {handle} with the app password from {} ({}); \
                 check `handle`, and create a new app password at {APP_PASSWORDS} if needed",
                self.password_from,
                answer.said()
            ))),
            (404 | 405, _) => Err(Failure::Fatal(format!(
                "{} does not look like a Bluesky service (it answered {} to createSession); \
                 check `service`, or leave it out for https://bsky.social",
                self.service,
                answer.status.as_u16()
            ))),
            _ => Err(answer.failure("logging in")),
        }
    }

    /// `com.atproto.server.refreshSession`; logs in again when the refresh
    /// token is no longer good either.
    async fn refresh(&mut self) -> Result<(), Failure> {
        let Some(session) = &self.session else {
            return self.login().await;
        };
        let request = self
            .http
            .post(self.url("com.atproto.server.refreshSession"))
            .bearer_auth(session.refresh.expose());
        let answer = self.send(request, "refreshing the session").await?;
        if answer.status.is_success() {
            self.session = Some(session_from(&answer, "refreshing the session")?);
            Ok(())
        } else if answer.token_expired() || answer.status == StatusCode::BAD_REQUEST {
            self.login().await
        } else {
            Err(answer.failure("refreshing the session"))
        }
    }

    /// One page of `app.bsky.feed.getTimeline`, logging in or refreshing
    /// the session as needed.
    async fn timeline(&mut self, cursor: Option<&str>) -> Result<Vec<u8>, Failure> {
        const WHAT: &str = "reading the timeline";
        if self.session.is_none() {
            self.login().await?;
        }
        for attempt in 0..2 {
            let Some(session) = &self.session else {
                break;
            };
            let mut request = self
                .http
                .get(self.url("app.bsky.feed.getTimeline"))
                .query(&[("limit", PAGE)])
                .bearer_auth(session.access.expose());
            if let Some(cursor) = cursor {
                request = request.query(&[("cursor", cursor)]);
            }
            let answer = self.send(request, WHAT).await?;
            if answer.status.is_success() {
                return Ok(answer.body);
            }
            if answer.token_expired() {
                if attempt == 0 {
                    self.refresh().await?;
                    continue;
                }
                // A fresh token refused too: start over with a new login.
                self.session = None;
                return Err(Failure::retry(format!(
                    "{WHAT}: the server did not accept a fresh session ({})",
                    answer.said()
                )));
            }
            return Err(answer.failure(WHAT));
        }
        Err(Failure::retry(format!("{WHAT}: no session")))
    }

    /// A message with the password taken out, should a server have echoed it.
    fn redact(&self, text: &str) -> String {
        let password = self.password.expose();
        if password.is_empty() || !text.contains(password) {
            text.to_string()
        } else {
            text.replace(password, "[redacted]")
        }
    }
}

fn session_from(answer: &Answer, what: &str) -> Result<Session, Failure> {
    let out: SessionOutput = serde_json::from_slice(&answer.body).map_err(|e| {
        Failure::retry(format!(
            "{what}: the answer is not a session ({})",
            http::short(&e.to_string())
        ))
    })?;
    Ok(Session {
        access: Secret::new(out.access_jwt),
        refresh: Secret::new(out.refresh_jwt),
    })
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
}

/// How far one read of the timeline goes, and what it found.
struct Read<'a> {
    /// Items to read at most.
    want: usize,
    /// Stop paging after a page that holds an item seen before.
    stop_at_seen: bool,
    /// The newest item of an earlier run: it and everything after it are
    /// old, so the read ends there.
    stop_at: Option<&'a str>,
    /// The key of the newest item read (the first with a post URI).
    newest: Option<String>,
}

/// Reads timeline pages newest first and sends what has not been seen,
/// until `want` items were read, the timeline ends, `stop_at` is reached,
/// or (with `stop_at_seen`) a page holds an item seen before. False once
/// the app is gone.
async fn fetch(
    client: &mut Client,
    sink: &Sink,
    seen: &mut Seen,
    how: &mut Read<'_>,
) -> Result<bool, Failure> {
    let mut cursor: Option<String> = None;
    let mut read = 0usize;
    loop {
        let body = client.timeline(cursor.as_deref()).await?;
        let page: TimelinePage = serde_json::from_slice(&body).map_err(|e| {
            Failure::retry(format!(
                "reading the timeline: the answer is not a timeline ({})",
                http::short(&e.to_string())
            ))
        })?;
        let mut posts = Vec::with_capacity(page.feed.len());
        let mut reached_seen = false;
        let mut reached_end = false;
        for raw in &page.feed {
            read += 1;
            let key = ItemKey::of(raw);
            if how.newest.is_none() && key.uri.is_some() {
                how.newest = Some(key.key.clone());
            }
            if how.stop_at == Some(key.key.as_str()) {
                reached_end = true;
                break;
            }
            if seen.contains(&key.key) {
                reached_seen = true;
                continue;
            }
            match crate::decode::decode(&raw.to_string(), &sink.source) {
                Ok(post) => posts.push(post),
                Err(e) => {
                    let problem = format!("timeline item {}: {e}", key.label());
                    if !sink.skipped(problem) {
                        return Ok(false);
                    }
                }
            }
            seen.insert(key.key);
        }
        if !sink.posts(posts) {
            return Ok(false);
        }
        if page.feed.is_empty()
            || reached_end
            || read >= how.want
            || (how.stop_at_seen && reached_seen)
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
    Ok(true)
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
        match item.pointer("/post/uri").and_then(Value::as_str) {
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
struct Seen {
    keys: HashSet<String>,
    order: VecDeque<String>,
}

impl Seen {
    fn contains(&self, key: &str) -> bool {
        self.keys.contains(key)
    }

    fn insert(&mut self, key: String) {
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

    #[test]
    fn bluesky_rate_limit_reset_is_read() {
        use reqwest::header::{HeaderMap, HeaderValue};
        let mut h = HeaderMap::new();
        let at = chrono::Utc::now().timestamp() + 20;
        h.insert(
            "ratelimit-reset",
            HeaderValue::from_str(&at.to_string()).unwrap(),
        );
        let wait = rate_limit_wait(&h);
        assert!(wait > Duration::from_secs(15) && wait <= Duration::from_secs(20));
        h.insert("retry-after", HeaderValue::from_static("3"));
        assert_eq!(rate_limit_wait(&h), Duration::from_secs(3));
        assert_eq!(rate_limit_wait(&HeaderMap::new()), Duration::from_secs(60));
    }
}
