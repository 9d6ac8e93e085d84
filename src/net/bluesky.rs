//! The Bluesky client: XRPC over HTTPS against `service` (the entryway,
//! such as `https://bsky.social`, forwards calls to the account's PDS).
//!
//! `com.atproto.server.createSession` turns handle and app password into
//! an access and a refresh token; `com.atproto.server.refreshSession` swaps
//! the refresh token for a new pair when the server says the access token
//! expired (400 `ExpiredToken`, or 401). The refresh token is kept in an
//! owner-only session file beside the credential, so a restart refreshes
//! the session it had instead of logging in again: bsky.social allows 30
//! logins per 5 minutes and 300 a day. `createSession` runs only when there
//! is no session, or the kept one is no longer good.
//!
//! The password and the tokens are [`Secret`]s: they never reach a log, a
//! state or an error message.

use super::Error;
use super::http::{self, Answer};
use super::secret::{self, Secret};
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

/// Items asked for per `getTimeline` page (the API's maximum is 100).
const PAGE: &str = "50";
/// The longest a rate limit is waited out before asking again.
const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(3600);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Answers larger than this are refused (a timeline page is ~100 KB).
const MAX_BODY: usize = 16 << 20;
/// Server errors in a row on authenticated calls after which the session is
/// dropped and the next call logs in afresh (a PDS that was reset answers a
/// token it no longer knows with 500, for good).
const RELOGIN_AFTER: u32 = 3;

const APP_PASSWORDS: &str = "https://bsky.app/settings/app-passwords";

/// One Bluesky account, logged in on demand.
pub struct Client {
    http: reqwest::Client,
    service: String,
    handle: String,
    password: Secret,
    /// Where the password was read from, for messages (`$VAR` or a path).
    password_from: String,
    session: Option<Session>,
    /// Where the refresh token is kept across restarts, if anywhere.
    session_file: Option<PathBuf>,
    /// Server errors in a row on authenticated calls.
    server_errors: u32,
}

/// The tokens `createSession` and `refreshSession` hand out.
struct Session {
    access: Secret,
    refresh: Secret,
    /// The account's DID: the repo its records are written to.
    did: String,
}

#[derive(Deserialize)]
struct SessionOutput {
    #[serde(rename = "accessJwt")]
    access_jwt: Secret,
    #[serde(rename = "refreshJwt")]
    refresh_jwt: Secret,
    #[serde(default)]
    did: String,
}

/// An XRPC call: a query (GET with parameters) or a procedure (POST with
/// a JSON body).
enum Call<'a> {
    Query(&'a [(&'a str, &'a str)]),
    Procedure(&'a serde_json::Value),
}

/// What the session file holds: the refresh token, and whose it is, so a
/// file left by another handle or service is not used.
#[derive(Serialize, Deserialize)]
struct Kept {
    service: String,
    handle: String,
    refresh: String,
}

/// An XRPC error body: `{"error": "ExpiredToken", "message": "…"}`.
#[derive(Deserialize, Default)]
struct XrpcError {
    #[serde(default)]
    error: String,
    #[serde(default)]
    message: String,
}

impl Client {
    /// A client for `handle` on `service`. `session_file` is where the
    /// session is kept across restarts (none: every start logs in).
    pub fn new(
        service: &str,
        handle: &str,
        password: Secret,
        password_from: String,
        session_file: Option<PathBuf>,
    ) -> Client {
        Client {
            http: http::client(),
            service: service.trim().trim_end_matches('/').to_string(),
            handle: handle.trim().trim_start_matches('@').to_string(),
            password,
            password_from,
            session: None,
            session_file,
            server_errors: 0,
        }
    }

    /// Checks the handle and app password with a fresh session (for
    /// `circles login bluesky`); nothing is kept.
    pub async fn check_password(&mut self) -> Result<(), Error> {
        self.create_session().await
    }

    fn url(&self, method: &str) -> String {
        format!("{}/xrpc/{method}", self.service)
    }

    /// A message with the password taken out, should a server have echoed it.
    pub fn redact(&self, text: &str) -> String {
        secret::redact(text, &self.password)
    }

    async fn send(&self, request: reqwest::RequestBuilder, what: &str) -> Result<Answer, Error> {
        http::send(request.timeout(REQUEST_TIMEOUT), MAX_BODY, what).await
    }

    /// A session: the one in use, else the kept one refreshed, else a new
    /// login.
    async fn ensure_session(&mut self) -> Result<(), Error> {
        if self.session.is_some() {
            return Ok(());
        }
        if let Some(refresh) = self.kept_refresh() {
            match self.refresh_with(refresh).await {
                Ok(()) => return Ok(()),
                // No answer or a busy server: try again later, and spend
                // no login on it.
                Err(e) if e.is_transient() => return Err(e),
                Err(_) => {}
            }
        }
        self.create_session().await
    }

    /// `com.atproto.server.createSession` with the handle and app password.
    async fn create_session(&mut self) -> Result<(), Error> {
        const WHAT: &str = "logging in";
        self.session = None;
        let body = serde_json::json!({
            "identifier": self.handle,
            "password": self.password.expose(),
        });
        let request = self
            .http
            .post(self.url("com.atproto.server.createSession"))
            .json(&body);
        let answer = self.send(request, WHAT).await?;
        if answer.status.is_success() {
            return self.start_session(&answer, WHAT);
        }
        let error = xrpc_error(&answer);
        let handle = &self.handle;
        match (answer.status.as_u16(), error.error.as_str()) {
            (429, _) | (500.., _) => Err(self.status_error(&answer, WHAT)),
            (_, "AuthFactorTokenRequired") => Err(Error::Refused(format!(
                "{handle} signs in with a second factor, which circles cannot answer: \
                 create an app password at {APP_PASSWORDS} and put it in {}",
                self.password_from
            ))),
            (_, "AccountTakedown" | "AccountDeactivated" | "AccountSuspended") => {
                Err(Error::Refused(format!(
                    "Bluesky refused the login for {handle}: {}",
                    self.said(&answer)
                )))
            }
            (401 | 400, _) => Err(Error::Refused(format!(
                "Bluesky did not accept the handle {handle} with the app password from {} ({}); \
                 check `handle`, and create a new app password at {APP_PASSWORDS} if needed",
                self.password_from,
                self.said(&answer)
            ))),
            (404 | 405, _) => Err(Error::Refused(format!(
                "{} does not look like a Bluesky service (it answered {} to createSession); \
                 check `service`, or leave it out for https://bsky.social",
                self.service,
                answer.status.as_u16()
            ))),
            _ => Err(self.status_error(&answer, WHAT)),
        }
    }

    /// `com.atproto.server.refreshSession`; logs in again when the refresh
    /// token is no longer good either.
    async fn refresh(&mut self) -> Result<(), Error> {
        match self.session.take() {
            Some(session) => match self.refresh_with(session.refresh).await {
                Err(e) if !e.is_transient() => self.create_session().await,
                done => done,
            },
            None => self.create_session().await,
        }
    }

    async fn refresh_with(&mut self, refresh: Secret) -> Result<(), Error> {
        const WHAT: &str = "refreshing the session";
        let request = self
            .http
            .post(self.url("com.atproto.server.refreshSession"))
            .bearer_auth(refresh.expose());
        let answer = self.send(request, WHAT).await?;
        if answer.status.is_success() {
            self.start_session(&answer, WHAT)
        } else if answer.status.is_client_error() && answer.status != StatusCode::TOO_MANY_REQUESTS
        {
            // Expired, revoked, or a server that forgot it: log in instead.
            Err(Error::Refused(format!(
                "{WHAT}: the session is no longer good ({})",
                self.said(&answer)
            )))
        } else {
            Err(self.status_error(&answer, WHAT))
        }
    }

    /// Takes up the tokens of a session answer, and keeps the refresh token.
    fn start_session(&mut self, answer: &Answer, what: &str) -> Result<(), Error> {
        let out: SessionOutput =
            serde_json::from_slice(&answer.body).map_err(|e| Error::Malformed {
                what: what.to_string(),
                why: format!(
                    "the answer is not a session ({})",
                    http::short(&e.to_string())
                ),
            })?;
        self.keep(&out.refresh_jwt);
        self.session = Some(Session {
            access: out.access_jwt,
            refresh: out.refresh_jwt,
            did: out.did,
        });
        Ok(())
    }

    /// The refresh token of the kept session, if it is this account's.
    fn kept_refresh(&self) -> Option<Secret> {
        let file = self.session_file.as_ref()?;
        let text = std::fs::read_to_string(file).ok()?;
        let kept: Kept = serde_json::from_str(&text).ok()?;
        (kept.service == self.service && kept.handle == self.handle && !kept.refresh.is_empty())
            .then(|| Secret::new(kept.refresh))
    }

    /// Writes the session file (owner-only, atomically); a failure only
    /// costs a login at the next start, so it is logged, not returned.
    fn keep(&self, refresh: &Secret) {
        let Some(file) = &self.session_file else {
            return;
        };
        let kept = Kept {
            service: self.service.clone(),
            handle: self.handle.clone(),
            refresh: refresh.expose().to_string(),
        };
        let text = serde_json::to_string(&kept).unwrap_or_default();
        if let Err(e) = secret::store(file, &Secret::new(text)) {
            tracing::warn!(file = %file.display(), "cannot keep the Bluesky session: {e}");
        }
    }

    /// One page of the account's notifications, every reason, newest
    /// first (`app.bsky.notification.listNotifications`).
    pub async fn notifications(&mut self, cursor: Option<&str>) -> Result<Vec<u8>, Error> {
        let mut query = vec![("limit", PAGE)];
        if let Some(cursor) = cursor {
            query.push(("cursor", cursor));
        }
        self.call(
            "app.bsky.notification.listNotifications",
            Call::Query(&query),
            "reading the notifications",
        )
        .await
    }

    /// Says the reader has seen the notifications up to `at`
    /// (`app.bsky.notification.updateSeen`).
    pub async fn update_seen(&mut self, at: chrono::DateTime<chrono::Utc>) -> Result<(), Error> {
        let seen_at = at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let body = serde_json::json!({ "seenAt": seen_at });
        self.call(
            "app.bsky.notification.updateSeen",
            Call::Procedure(&body),
            "saving the read position",
        )
        .await
        .map(drop)
    }

    /// One page of `app.bsky.feed.getTimeline`, newest first.
    pub async fn timeline(&mut self, cursor: Option<&str>) -> Result<Vec<u8>, Error> {
        let mut query = vec![("limit", PAGE)];
        if let Some(cursor) = cursor {
            query.push(("cursor", cursor));
        }
        self.call(
            "app.bsky.feed.getTimeline",
            Call::Query(&query),
            "reading the timeline",
        )
        .await
    }

    // ---- acting as the account ----

    /// Writes a record into the account's repo
    /// (`com.atproto.repo.createRecord`); its `at://` URI and cid.
    pub async fn create_record(
        &mut self,
        collection: &str,
        record: serde_json::Value,
        what: &str,
    ) -> Result<(String, String), Error> {
        #[derive(Deserialize)]
        struct Created {
            uri: String,
            #[serde(default)]
            cid: String,
        }
        self.ensure_session().await?;
        let repo = self.did();
        let body = serde_json::json!({ "repo": repo, "collection": collection, "record": record });
        let answer = self
            .call(
                "com.atproto.repo.createRecord",
                Call::Procedure(&body),
                what,
            )
            .await?;
        let created: Created = serde_json::from_slice(&answer).map_err(|e| Error::Malformed {
            what: what.to_string(),
            why: format!(
                "the answer is not a record's URI ({})",
                http::short(&e.to_string())
            ),
        })?;
        Ok((created.uri, created.cid))
    }

    /// Deletes one of the account's records by its `at://` URI
    /// (`com.atproto.repo.deleteRecord`).
    pub async fn delete_record(&mut self, uri: &str, what: &str) -> Result<(), Error> {
        let mut parts = uri.strip_prefix("at://").unwrap_or(uri).split('/');
        let (Some(repo), Some(collection), Some(rkey)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(Error::Refused(format!(
                "{what}: {uri:?} is not the at:// URI of a record"
            )));
        };
        let body = serde_json::json!({ "repo": repo, "collection": collection, "rkey": rkey });
        self.call(
            "com.atproto.repo.deleteRecord",
            Call::Procedure(&body),
            what,
        )
        .await
        .map(drop)
    }

    /// Bookmarks a post or takes the bookmark away
    /// (`app.bsky.bookmark.createBookmark` / `deleteBookmark`). A server
    /// without bookmarks says so in words.
    pub async fn bookmark(&mut self, uri: &str, cid: &str, on: bool) -> Result<(), Error> {
        let (method, body, what) = if on {
            let body = serde_json::json!({ "uri": uri, "cid": cid });
            ("app.bsky.bookmark.createBookmark", body, "bookmarking")
        } else {
            let body = serde_json::json!({ "uri": uri });
            (
                "app.bsky.bookmark.deleteBookmark",
                body,
                "removing the bookmark",
            )
        };
        match self.call(method, Call::Procedure(&body), what).await {
            Err(Error::Status {
                status: 404 | 501, ..
            }) => Err(Error::Refused(format!(
                "{what}: {} has no bookmarks (it does not know {method}); bookmark the post \
                 on bsky.app instead",
                self.service
            ))),
            done => done.map(drop),
        }
    }

    /// The thread around a post (`app.bsky.feed.getPostThread`): its
    /// parents up to 50 high and its replies 10 deep, as the server sent it.
    pub async fn thread(&mut self, uri: &str) -> Result<Vec<u8>, Error> {
        let query = [("uri", uri), ("depth", "10"), ("parentHeight", "50")];
        self.call(
            "app.bsky.feed.getPostThread",
            Call::Query(&query),
            "reading the thread",
        )
        .await
    }

    /// Any XRPC query as the account (`app.bsky.graph.getFollowers`, …):
    /// the answer's body. `what` says what it is for, in messages.
    pub async fn query(
        &mut self,
        method: &str,
        query: &[(&str, &str)],
        what: &str,
    ) -> Result<Vec<u8>, Error> {
        self.call(method, Call::Query(query), what).await
    }

    /// An account's profile (`app.bsky.actor.getProfile`), as sent.
    pub async fn profile(&mut self, actor: &str) -> Result<Vec<u8>, Error> {
        self.call(
            "app.bsky.actor.getProfile",
            Call::Query(&[("actor", actor)]),
            "reading the profile",
        )
        .await
    }

    /// An account's recent posts (`app.bsky.feed.getAuthorFeed`), as sent.
    pub async fn author_feed(&mut self, actor: &str) -> Result<Vec<u8>, Error> {
        self.call(
            "app.bsky.feed.getAuthorFeed",
            Call::Query(&[("actor", actor), ("limit", "20")]),
            "reading their posts",
        )
        .await
    }

    /// The DID a handle names (`com.atproto.identity.resolveHandle`).
    pub async fn resolve_handle(&mut self, handle: &str) -> Result<String, Error> {
        #[derive(Deserialize)]
        struct Resolved {
            did: String,
        }
        let what = format!("looking up @{handle}");
        let body = self
            .call(
                "com.atproto.identity.resolveHandle",
                Call::Query(&[("handle", handle)]),
                &what,
            )
            .await?;
        let resolved: Resolved = serde_json::from_slice(&body).map_err(|e| Error::Malformed {
            what: what.clone(),
            why: format!("the answer is not a DID ({})", http::short(&e.to_string())),
        })?;
        Ok(resolved.did)
    }

    /// The views of posts by URI (`app.bsky.feed.getPosts`), each as a feed
    /// item (`{"post": …}`) the decoder reads.
    pub async fn posts(&mut self, uris: &[&str]) -> Result<Vec<String>, Error> {
        #[derive(Deserialize)]
        struct Posts {
            posts: Vec<serde_json::Value>,
        }
        let what = "reading the post back";
        let query: Vec<(&str, &str)> = uris.iter().map(|u| ("uris", *u)).collect();
        let body = self
            .call("app.bsky.feed.getPosts", Call::Query(&query), what)
            .await?;
        let posts: Posts = serde_json::from_slice(&body).map_err(|e| Error::Malformed {
            what: what.to_string(),
            why: format!(
                "the answer is not a list of posts ({})",
                http::short(&e.to_string())
            ),
        })?;
        Ok(posts
            .posts
            .iter()
            .map(|view| serde_json::json!({ "post": view }).to_string())
            .collect())
    }

    /// The DIDs of the accounts the reader follows
    /// (`app.bsky.graph.getFollows`, 100 a page), at most `max`.
    pub async fn follows(&mut self, max: usize) -> Result<Vec<String>, Error> {
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            follows: Vec<Follow>,
            #[serde(default)]
            cursor: Option<String>,
        }
        #[derive(Deserialize)]
        struct Follow {
            did: String,
        }
        self.ensure_session().await?;
        let me = self.did();
        let what = "reading whom you follow";
        let mut dids = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut query = vec![("actor", me.as_str()), ("limit", "100")];
            if let Some(c) = &cursor {
                query.push(("cursor", c));
            }
            let body = self
                .call("app.bsky.graph.getFollows", Call::Query(&query), what)
                .await?;
            let page: Page = serde_json::from_slice(&body).map_err(|e| Error::Malformed {
                what: what.to_string(),
                why: format!(
                    "the answer is not a page of follows ({})",
                    http::short(&e.to_string())
                ),
            })?;
            let got = page.follows.len();
            dids.extend(
                page.follows
                    .into_iter()
                    .map(|f| f.did)
                    .filter(|d| d.starts_with("did:") && d.len() <= 2048),
            );
            match page.cursor {
                Some(next) if got > 0 && dids.len() < max && Some(&next) != cursor.as_ref() => {
                    cursor = Some(next)
                }
                _ => break,
            }
        }
        dids.truncate(max);
        Ok(dids)
    }

    /// The DID of the account logged in, once there is a session.
    pub async fn me(&mut self) -> Result<String, Error> {
        self.ensure_session().await?;
        Ok(self.did())
    }

    /// The DID of the account logged in (empty before a session).
    fn did(&self) -> String {
        self.session
            .as_ref()
            .map(|s| s.did.clone())
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| self.handle.clone())
    }

    /// An authenticated XRPC call, logging in or refreshing the session as
    /// needed; the answer's body.
    async fn call(&mut self, method: &str, call: Call<'_>, what: &str) -> Result<Vec<u8>, Error> {
        self.ensure_session().await?;
        for attempt in 0..2 {
            let Some(session) = &self.session else {
                break;
            };
            let request = match call {
                Call::Query(query) => self.http.get(self.url(method)).query(query),
                Call::Procedure(body) => self.http.post(self.url(method)).json(body),
            };
            let request = request.bearer_auth(session.access.expose());
            let answer = self.send(request, what).await?;
            if answer.status.is_success() {
                self.server_errors = 0;
                return Ok(answer.body);
            }
            if token_expired(&answer) {
                if attempt == 0 {
                    self.refresh().await?;
                    continue;
                }
                // A fresh token refused too: start over with a new login.
                self.session = None;
                return Err(Error::Status {
                    what: what.to_string(),
                    status: answer.status.as_u16(),
                    said: Some(format!(
                        "the server did not accept a fresh session: {}",
                        self.said(&answer)
                    )),
                    wait: None,
                    transient: true,
                });
            }
            if answer.status.is_server_error() {
                self.server_errors += 1;
                if self.server_errors >= RELOGIN_AFTER {
                    tracing::warn!(
                        "{} server errors in a row; logging in again",
                        self.server_errors
                    );
                    self.server_errors = 0;
                    self.session = None;
                    self.forget_kept();
                }
            }
            return Err(self.status_error(&answer, what));
        }
        Err(Error::Status {
            what: what.to_string(),
            status: 401,
            said: Some("no session".into()),
            wait: None,
            transient: true,
        })
    }

    /// Drops the kept session, so the next start logs in.
    fn forget_kept(&self) {
        if let Some(file) = &self.session_file {
            let _ = std::fs::remove_file(file);
        }
    }

    /// What the server said, cleaned for showing: `Error: message`.
    fn said(&self, answer: &Answer) -> String {
        let e = xrpc_error(answer);
        let text = match (e.error.is_empty(), e.message.is_empty()) {
            (false, false) => format!("{}: {}", e.error, e.message),
            (false, true) => e.error,
            (true, false) => e.message,
            (true, true) => answer
                .status
                .canonical_reason()
                .unwrap_or("no reason given")
                .to_string(),
        };
        http::short(&self.redact(&text))
    }

    /// An error answer that is neither success nor an expired token: worth
    /// another try later, after the wait the server asks for.
    fn status_error(&self, answer: &Answer, what: &str) -> Error {
        let wait = if answer.status == StatusCode::TOO_MANY_REQUESTS {
            Some(rate_limit_wait(&answer.headers))
        } else {
            http::retry_after(&answer.headers).map(|w| w.min(MAX_RATE_LIMIT_WAIT))
        };
        let said = if answer.status == StatusCode::TOO_MANY_REQUESTS {
            "rate limited by the server".to_string()
        } else {
            self.said(answer)
        };
        Error::Status {
            what: what.to_string(),
            status: answer.status.as_u16(),
            said: Some(said),
            wait,
            transient: true,
        }
    }
}

fn xrpc_error(answer: &Answer) -> XrpcError {
    serde_json::from_slice(&answer.body).unwrap_or_default()
}

/// The access token is no longer good: refresh it and ask again.
fn token_expired(answer: &Answer) -> bool {
    answer.status == StatusCode::UNAUTHORIZED
        || (answer.status == StatusCode::BAD_REQUEST
            && matches!(
                xrpc_error(answer).error.as_str(),
                "ExpiredToken" | "InvalidToken"
            ))
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

#[cfg(test)]
mod tests {
    use super::*;

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

    /// A PDS that was reset answers the old token with 500 for good: after
    /// three in a row, the next call logs in afresh.
    #[tokio::test]
    async fn server_errors_in_a_row_start_a_new_session() {
        use wiremock::matchers::{method, path};
        use wiremock::{Mock, MockServer, ResponseTemplate};
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/xrpc/com.atproto.server.createSession"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "accessJwt": "access", "refreshJwt": "refresh",
                "handle": "jane.example", "did": "did:plc:jane"
            })))
            .expect(2)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/xrpc/app.bsky.feed.getTimeline"))
            .respond_with(ResponseTemplate::new(500).set_body_json(serde_json::json!({
                "error": "InternalServerError", "message": "Internal Server Error"
            })))
            .mount(&server)
            .await;
        let mut client = Client::new(
            &server.uri(),
            "jane.example",
            Secret::new("pw"),
            "$PW".into(),
            None,
        );
        for _ in 0..RELOGIN_AFTER {
            let e = client.timeline(None).await.unwrap_err();
            assert_eq!(e.status(), Some(500));
            assert!(e.is_transient());
        }
        assert!(client.session.is_none(), "dropped after {RELOGIN_AFTER}");
        let _ = client.timeline(None).await;
        // (the server checks `expect(2)` when it is dropped)
    }

    #[test]
    fn a_kept_session_is_used_only_by_its_own_account() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bluesky-jane.session");
        let client = |handle: &str| {
            Client::new(
                "https://pds.example/",
                handle,
                Secret::new("pw"),
                "$PW".into(),
                Some(file.clone()),
            )
        };
        let jane = client("@jane.example");
        assert!(jane.kept_refresh().is_none(), "nothing kept yet");
        jane.keep(&Secret::new("refresh-1"));
        assert_eq!(jane.kept_refresh().unwrap().expose(), "refresh-1");
        assert!(client("bob.example").kept_refresh().is_none());
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        jane.forget_kept();
        assert!(jane.kept_refresh().is_none());
    }
}
