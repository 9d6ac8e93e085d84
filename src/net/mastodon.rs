//! The Mastodon client: REST timelines with `Link` paging, the streaming
//! API (server-sent events), and the OAuth login of `circles login`.
//!
//! The access token is only ever sent in the `Authorization` header, and
//! is redacted from every message. A spent `X-RateLimit-Remaining` holds
//! the next call until `X-RateLimit-Reset` ([`Pacer`]); a 429 is answered
//! with the wait its `Retry-After` asks for.

use super::Error;
use super::http::{self, Answer};
use super::pace::Pacer;
use super::secret::{self, Secret};
use crate::config::Timeline;
use crate::model::sanitize_line;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, LINK};
use reqwest::{StatusCode, Url};
use serde::Deserialize;
use std::collections::VecDeque;
use std::time::Duration;

/// A REST request, body included, that takes longer has failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Answers larger than this are refused (a page of 40 statuses is ~200 KB).
const MAX_BODY: usize = 16 << 20;
/// Bytes one streaming event may hold; a bigger one is skipped.
pub const MAX_EVENT_BYTES: usize = 4 << 20;

/// What circles asks to do as the account: read the timelines, and act
/// (favourite, boost, bookmark, post) and follow from the keyboard.
pub const SCOPES: &str = "read write follow";

/// The OAuth redirect for apps without a web page: the code is shown to
/// the user to paste.
const OOB: &str = "urn:ietf:wg:oauth:2.0:oob";

/// A Mastodon instance, as one account (or anonymously) sees it.
#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    token: Option<Secret>,
    /// Where the token came from (`$VAR`, a file), for messages.
    token_origin: String,
    pacer: Pacer,
    /// Where the streaming API lives, once the instance said.
    stream_base: Option<Url>,
    /// The domain the server names itself by, once it said.
    domain: Option<String>,
}

/// Which page of a timeline to read.
#[derive(Debug, Clone)]
pub enum Page {
    /// The newest items.
    Newest,
    /// Items older than this id (`max_id`).
    Before(String),
    /// Items just newer than this id (`min_id`), oldest first.
    After(String),
    /// The `rel="next"` link of an earlier page.
    Link(Url),
}

/// A page of a timeline: the JSON list as sent, and the next page back.
#[derive(Debug)]
pub struct Items {
    /// The request, for messages: `GET /api/v1/timelines/home`.
    pub what: String,
    pub body: String,
    /// The `Link: rel="next"` target, if it stays on the instance.
    pub next: Option<Url>,
}

/// What opening the stream gave.
pub enum Opened {
    Stream(Box<Stream>),
    /// The instance streams no such timeline (to us); the reason is for
    /// the log.
    Unsupported(String),
}

/// Posts per REST page (Mastodon's maximum for timelines).
pub const PAGE: usize = 40;

impl Client {
    /// A client for `instance` (`https://host`, maybe with a path); with a
    /// token, every call is made as its account. `token_origin` names
    /// where it came from, for messages.
    pub fn new(
        instance: &str,
        token: Option<Secret>,
        token_origin: String,
    ) -> Result<Client, Error> {
        let base = Url::parse(instance.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| {
                Error::Refused(format!(
                    "`instance` {instance:?} is not a URL like https://mastodon.social"
                ))
            })?;
        Ok(Client {
            http: http::client(),
            base,
            token,
            token_origin,
            pacer: Pacer::default(),
            stream_base: None,
            domain: None,
        })
    }

    /// The instance's URL.
    pub fn base(&self) -> &Url {
        &self.base
    }

    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// The pacing of calls, to be told when one waits.
    pub fn pacer(&mut self) -> &mut Pacer {
        &mut self.pacer
    }

    /// A message with the token taken out, should a server have echoed it.
    pub fn redact(&self, text: &str) -> String {
        match &self.token {
            Some(token) => secret::redact(text, token),
            None => text.to_string(),
        }
    }

    /// `base` + `/api/v1/` + the segments (each percent-encoded) + the query.
    pub fn api_url(&self, segments: &[&str], query: &[(&str, &str)]) -> Url {
        api_url(&self.base, segments, query)
    }

    /// One page of a timeline (or of the notifications, of every type).
    pub async fn timeline(&mut self, timeline: &Timeline, page: Page) -> Result<Items, Error> {
        let url = paged(page, |query| self.timeline_url(timeline, query));
        if let Timeline::Search(_) = timeline {
            // `GET /api/v2/search` answers an object; its statuses are the
            // page.
            let mut items = self.read_page(url).await?;
            #[derive(Deserialize)]
            struct Found {
                #[serde(default)]
                statuses: Vec<serde_json::Value>,
            }
            let found: Found = serde_json::from_str(&items.body).map_err(|e| Error::Malformed {
                what: items.what.clone(),
                why: format!("the answer is not a search result ({e})"),
            })?;
            items.body = serde_json::Value::Array(found.statuses).to_string();
            return Ok(items);
        }
        self.read_page(url).await
    }

    /// One page of grouped notifications (`GET /api/v2/notifications`,
    /// Mastodon 4.3+): a container of groups with the accounts and statuses
    /// they name. An older server answers 404.
    pub async fn notification_groups(&mut self, page: Page) -> Result<Items, Error> {
        let url = paged(page, |query| {
            api_v2_url(&self.base, &["notifications"], query)
        });
        self.read_page(url).await
    }

    /// One page of any list the API pages with `Link` headers (followers,
    /// favourites, an account's statuses): the body and the next page.
    pub async fn read_page(&mut self, url: Url) -> Result<Items, Error> {
        let (body, headers) = self.get(&url).await?;
        let next = link_next(&headers)
            .and_then(|next| url.join(&next).ok())
            .filter(|next| next.origin() == self.base.origin());
        Ok(Items {
            what: format!("GET {}", url.path()),
            body,
            next,
        })
    }

    fn timeline_url(&self, timeline: &Timeline, extra: &[(&str, &str)]) -> Url {
        let (path, mut query): (Vec<&str>, Vec<(&str, &str)>) = match timeline {
            Timeline::Home => (vec!["timelines", "home"], vec![]),
            Timeline::Local => (vec!["timelines", "public"], vec![("local", "true")]),
            Timeline::Public => (vec!["timelines", "public"], vec![]),
            // Every type: favourites, boosts and follows are cards too.
            Timeline::Notifications => (vec!["notifications"], vec![]),
            Timeline::List(id) => (vec!["timelines", "list", id], vec![]),
            Timeline::Tag(tag) => (vec!["timelines", "tag", tag], vec![]),
            Timeline::User(id, exclude) => (
                vec!["accounts", id, "statuses"],
                [
                    ("exclude_replies", exclude.replies),
                    ("exclude_reblogs", exclude.reblogs),
                ]
                .into_iter()
                .filter(|(_, on)| *on)
                .map(|(key, _)| (key, "true"))
                .collect(),
            ),
            Timeline::Bookmarks => (vec!["bookmarks"], vec![]),
            Timeline::Favourites => (vec!["favourites"], vec![]),
            // The one timeline of API v2.
            Timeline::Search(words) => {
                let mut query = vec![("q", words.as_str()), ("type", "statuses")];
                query.extend_from_slice(extra);
                return api_v2_url(&self.base, &["search"], &query);
            }
        };
        query.extend_from_slice(extra);
        api_url(&self.base, &path, &query)
    }

    /// One authorised GET, after waiting for the rate limit if it is spent.
    pub async fn get(&mut self, url: &Url) -> Result<(String, HeaderMap), Error> {
        self.pacer.ready().await;
        // What a request is, for messages: method and path, never the query.
        let what = format!("GET {}", url.path());
        let mut request = self.http.get(url.clone()).timeout(REQUEST_TIMEOUT);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token.expose());
        }
        let answer = http::send(request, MAX_BODY, &what).await?;
        self.pacer.read(&answer.headers);
        if answer.status.is_success() {
            Ok((answer.text(), answer.headers))
        } else {
            Err(self.status_error(&answer, &what))
        }
    }

    /// One authorised POST that acts as the account (`statuses/:id/favourite`
    /// and the like), after waiting for the rate limit if it is spent; the
    /// answer's body. `what` says what was asked, in words: "favourite".
    pub async fn act(&mut self, segments: &[&str], what: &str) -> Result<String, Error> {
        self.post_form(segments, &[], None, what).await
    }

    /// The reader's read marker of `timeline` (`home` or `notifications`):
    /// the newest id read there, none if the server keeps none yet
    /// (`GET /api/v1/markers`).
    pub async fn marker(&mut self, timeline: &str) -> Result<Option<String>, Error> {
        #[derive(Deserialize)]
        struct Marker {
            last_read_id: String,
        }
        let url = self.api_url(&["markers"], &[("timeline[]", timeline)]);
        let (body, _) = self.get(&url).await?;
        let mut markers: std::collections::HashMap<String, Marker> = serde_json::from_str(&body)
            .map_err(|e| Error::Malformed {
                what: "GET /api/v1/markers".into(),
                why: format!("the answer is not a set of markers ({e})"),
            })?;
        Ok(markers
            .remove(timeline)
            .map(|m| sanitize_line(&m.last_read_id).into_owned())
            .filter(|id| !id.is_empty() && id.len() <= 64))
    }

    /// Moves the reader's read marker of `timeline` to `id`
    /// (`POST /api/v1/markers`; needs `write:statuses`).
    pub async fn set_marker(&mut self, timeline: &str, id: &str) -> Result<(), Error> {
        let field = format!("{timeline}[last_read_id]");
        self.post_form(
            &["markers"],
            &[(&field, id)],
            None,
            "save the read position",
        )
        .await
        .map(drop)
    }

    /// This server's id for the post at `uri` (its ActivityPub id or web
    /// page), fetched from its home server if this one has not seen it:
    /// `GET /api/v2/search?q=…&type=statuses&resolve=true`. A server that
    /// finds nothing (a private post, its server unreachable) says so.
    pub async fn find_status(&mut self, uri: &str) -> Result<String, Error> {
        #[derive(Deserialize)]
        struct Found {
            #[serde(default)]
            statuses: Vec<Status>,
        }
        #[derive(Deserialize)]
        struct Status {
            id: String,
        }
        let url = api_v2_url(
            &self.base,
            &["search"],
            &[
                ("q", uri),
                ("type", "statuses"),
                ("resolve", "true"),
                ("limit", "1"),
            ],
        );
        let (body, _) = self.get(&url).await?;
        let what = format!("finding the post on {}", self.base.host_str().unwrap_or(""));
        let found: Found = serde_json::from_str(&body).map_err(|e| Error::Malformed {
            what: what.clone(),
            why: format!("the answer is not a search result ({e})"),
        })?;
        found
            .statuses
            .into_iter()
            .next()
            .map(|s| crate::model::sanitize_line(&s.id).into_owned())
            .ok_or_else(|| {
                Error::Refused(format!(
                    "{what}: the server does not find it (it may be private, or its own \
                     server out of reach)"
                ))
            })
    }

    /// The account `acct` names (`bob@host`), as the server sent it, by
    /// `GET /api/v1/accounts/lookup`: asked by the whole handle, then, for
    /// one of this instance's, by its local name.
    pub async fn lookup_account(&mut self, acct: &str) -> Result<String, Error> {
        let acct = acct.trim_start_matches('@');
        let url = self.api_url(&["accounts", "lookup"], &[("acct", acct)]);
        let failed = match self.get(&url).await {
            Ok((body, _)) => return Ok(body),
            Err(e) => e,
        };
        // An account of this server, qualified with its host as the web
        // address has it, or with the domain the server names itself by
        // (they differ where a server's handles use a shorter domain): by
        // its user name alone.
        let Some((user, at)) = acct.split_once('@') else {
            return Err(failed);
        };
        let at = at.to_lowercase();
        let ours = crate::model::url_host(self.base.as_str()).is_some_and(|host| host == at)
            || self.domain().await.is_some_and(|domain| domain == at);
        if !ours || !matches!(failed, Error::Status { status: 404, .. }) {
            return Err(failed);
        }
        let url = self.api_url(&["accounts", "lookup"], &[("acct", user)]);
        self.get(&url).await.map(|(body, _)| body)
    }

    /// The domain the server names itself by (`/api/v1/instance`'s `uri`),
    /// in lower case, asked once; none when it does not answer.
    async fn domain(&mut self) -> Option<String> {
        if self.domain.is_none() {
            self.domain = self.ask_domain().await;
        }
        self.domain.clone()
    }

    async fn ask_domain(&self) -> Option<String> {
        #[derive(Deserialize)]
        struct Instance {
            uri: Option<String>,
            domain: Option<String>,
        }
        let url = api_url(&self.base, &["instance"], &[]);
        let request = self.http.get(url).timeout(REQUEST_TIMEOUT);
        let answer = http::send(request, MAX_BODY, "GET /api/v1/instance")
            .await
            .ok()?;
        if !answer.status.is_success() {
            return None;
        }
        let instance: Instance = serde_json::from_str(&answer.text()).ok()?;
        let domain = instance.domain.or(instance.uri)?;
        let domain = domain
            .trim_start_matches("https://")
            .trim_start_matches("http://");
        Some(domain.trim_end_matches('/').to_lowercase())
    }

    /// The id and display name of the account `acct` (see
    /// [`Client::lookup_account`]).
    pub async fn lookup(&mut self, acct: &str) -> Result<(String, String), Error> {
        #[derive(Deserialize)]
        struct Found {
            id: String,
            #[serde(default)]
            display_name: String,
        }
        let body = self.lookup_account(acct).await?;
        let found: Found = serde_json::from_str(&body).map_err(|e| Error::Malformed {
            what: "GET /api/v1/accounts/lookup".into(),
            why: format!("the answer is not an account ({e})"),
        })?;
        Ok((
            sanitize_line(&found.id).into_owned(),
            sanitize_line(&found.display_name).into_owned(),
        ))
    }

    /// The account's lists (`GET /api/v1/lists`): each one's id and title.
    pub async fn lists(&mut self) -> Result<Vec<(String, String)>, Error> {
        #[derive(Deserialize)]
        struct List {
            id: String,
            #[serde(default)]
            title: String,
        }
        let url = self.api_url(&["lists"], &[]);
        let (body, _) = self.get(&url).await?;
        let lists: Vec<List> = serde_json::from_str(&body).map_err(|e| Error::Malformed {
            what: "GET /api/v1/lists".into(),
            why: format!("the answer is not a list of lists ({e})"),
        })?;
        Ok(lists
            .into_iter()
            .map(|l| {
                (
                    sanitize_line(&l.id).into_owned(),
                    sanitize_line(&l.title).into_owned(),
                )
            })
            .collect())
    }

    /// Deletes one of the account's statuses (`DELETE /api/v1/statuses/:id`).
    pub async fn delete_status(&mut self, id: &str) -> Result<(), Error> {
        self.send_as(
            reqwest::Method::DELETE,
            &["statuses", id],
            &[],
            None,
            "delete",
        )
        .await
        .map(drop)
    }

    /// Posts a status (`POST /api/v1/statuses`) with these form fields;
    /// `idempotency` makes a send tried twice post once. The answer's body:
    /// the status as posted.
    pub async fn post_status(
        &mut self,
        form: &[(&str, &str)],
        idempotency: &str,
        what: &str,
    ) -> Result<String, Error> {
        self.post_form(&["statuses"], form, Some(idempotency), what)
            .await
    }

    /// What the instance allows in a post: `configuration.statuses
    /// .max_characters` of `/api/v2/instance`, and quote posts from
    /// Mastodon 4.5 on. The defaults when it does not say.
    pub async fn limits(&mut self) -> crate::model::Limits {
        #[derive(Deserialize)]
        struct Instance {
            #[serde(default)]
            version: String,
            configuration: Option<Configuration>,
        }
        #[derive(Deserialize)]
        struct Configuration {
            statuses: Option<Statuses>,
        }
        #[derive(Deserialize)]
        struct Statuses {
            max_characters: Option<usize>,
        }
        let defaults = crate::model::MASTODON_LIMITS;
        let mut url = self.base.clone();
        url.set_query(None);
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(["api", "v2", "instance"]);
        }
        let Ok((body, _)) = self.get(&url).await else {
            return defaults;
        };
        let Ok(instance) = serde_json::from_str::<Instance>(&body) else {
            return defaults;
        };
        let max = instance
            .configuration
            .and_then(|c| c.statuses)
            .and_then(|s| s.max_characters)
            .filter(|m| *m > 0)
            .unwrap_or(defaults.max);
        crate::model::Limits {
            max,
            quotes: quotes_from(&instance.version),
        }
    }

    /// An authorised form POST as the account, after waiting for the rate
    /// limit if it is spent; the answer's body, or what the refusal means.
    async fn post_form(
        &mut self,
        segments: &[&str],
        form: &[(&str, &str)],
        idempotency: Option<&str>,
        what: &str,
    ) -> Result<String, Error> {
        self.send_as(reqwest::Method::POST, segments, form, idempotency, what)
            .await
    }

    /// An authorised call as the account with a form body.
    async fn send_as(
        &mut self,
        method: reqwest::Method,
        segments: &[&str],
        form: &[(&str, &str)],
        idempotency: Option<&str>,
        what: &str,
    ) -> Result<String, Error> {
        let instance = self.base.as_str().trim_end_matches('/').to_string();
        let Some(token) = &self.token else {
            return Err(Error::Refused(format!(
                "{what}: circles acts for an account with its access token, and this source has \
                 none; run `circles login mastodon {instance}` and add its token_file"
            )));
        };
        let url = self.api_url(segments, &[]);
        let mut request = self
            .http
            .request(method, url)
            .timeout(REQUEST_TIMEOUT)
            .bearer_auth(token.expose())
            .form(form);
        if let Some(key) = idempotency {
            request = request.header("Idempotency-Key", key);
        }
        self.pacer.ready().await;
        let answer = http::send(request, MAX_BODY, what).await?;
        self.pacer.read(&answer.headers);
        if answer.status.is_success() {
            return Ok(answer.text());
        }
        let said = self.error_text(&answer.text());
        let detail = said
            .as_deref()
            .map_or_else(String::new, |e| format!(": {e}"));
        let status = answer.status.as_u16();
        Err(match status {
            401 | 403 => Error::Refused(format!(
                "{what}: {status}{detail}; the token lacks the `write` scope or was revoked: \
                 run `circles login mastodon {instance}` again"
            )),
            404 => Error::Refused(format!(
                "{what}: 404{detail}; the post is gone, or this account cannot see it"
            )),
            _ => self.status_error(&answer, what),
        })
    }

    /// What an error answer means.
    fn status_error(&self, answer: &Answer, what: &str) -> Error {
        let said = self.error_text(&answer.text());
        let detail = said
            .as_deref()
            .map_or_else(String::new, |e| format!(": {e}"));
        let status = answer.status;
        let instance = self.base.as_str().trim_end_matches('/');
        let wants_token = || {
            Error::Refused(format!(
                "{instance} wants an access token for this timeline ({status}{detail}); add \
                 token_env or token_file to the source"
            ))
        };
        match status.as_u16() {
            401 | 403 if self.token.is_some() => Error::Refused(format!(
                "{instance} refused the access token ({status}{detail}); check the token in {} \
                 and that it has the `read` scope",
                self.token_origin
            )),
            401 | 403 => wants_token(),
            // Public timelines with previews off: "requires an authenticated user".
            422 if self.token.is_none() && detail.contains("authenticated") => wants_token(),
            code => Error::Status {
                what: what.to_string(),
                status: code,
                said: match (code, said) {
                    (429, Some(said)) => Some(format!("rate limited by the server: {said}")),
                    (429, None) => Some("rate limited by the server".into()),
                    (_, said) => said,
                },
                wait: http::retry_after(&answer.headers),
                transient: matches!(code, 408 | 429 | 500..=599),
            },
        }
    }

    /// The `"error"` text of a Mastodon error answer: redacted, cleaned,
    /// then shortened (in that order, so no part of a token survives a cut).
    fn error_text(&self, body: &str) -> Option<String> {
        #[derive(Deserialize)]
        struct Error {
            error: String,
        }
        let error = serde_json::from_str::<Error>(body).ok()?.error;
        let clean = sanitize_line(&self.redact(error.trim())).into_owned();
        let short: String = clean.chars().take(200).collect();
        (!short.is_empty()).then_some(short)
    }

    // ---- streaming ----

    /// Where the streaming API lives: the instance says so in
    /// `/api/v1/instance` (`urls.streaming_api`), often its own host.
    async fn stream_base(&mut self) -> Url {
        if let Some(url) = &self.stream_base {
            return url.clone();
        }
        match self.discover_stream_base().await {
            Some(found) => {
                let url = found.unwrap_or_else(|| self.base.clone());
                self.stream_base = Some(url.clone());
                url
            }
            // No answer: the instance's own host for now; ask again next time.
            None => self.base.clone(),
        }
    }

    /// The streaming API's base URL if the instance names one; `None` when
    /// the instance gave no answer.
    async fn discover_stream_base(&self) -> Option<Option<Url>> {
        let url = api_url(&self.base, &["instance"], &[]);
        let request = self.http.get(url).timeout(REQUEST_TIMEOUT);
        let answer = http::send(request, MAX_BODY, "GET /api/v1/instance")
            .await
            .ok()?;
        let status = answer.status;
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            return None;
        }
        if !status.is_success() {
            return Some(None);
        }
        Some(streaming_url(&answer.text(), self.base.scheme()))
    }

    /// Opens the stream of a timeline. Only the answer's head has a
    /// deadline; the body lasts for hours.
    pub async fn open_stream(&mut self, timeline: &Timeline) -> Result<Opened, Error> {
        let base = self.stream_base().await;
        let (path, query): (Vec<&str>, Vec<(&str, &str)>) = match timeline {
            Timeline::Home => (vec!["user"], vec![]),
            Timeline::Local => (vec!["public", "local"], vec![]),
            Timeline::Public => (vec!["public"], vec![]),
            Timeline::Notifications => (vec!["user", "notification"], vec![]),
            Timeline::List(id) => (vec!["list"], vec![("list", id)]),
            Timeline::Tag(tag) => (vec!["hashtag"], vec![("tag", tag)]),
            Timeline::User(..) => {
                return Ok(Opened::Unsupported(
                    "Mastodon streams no single account's posts".into(),
                ));
            }
            Timeline::Bookmarks | Timeline::Favourites | Timeline::Search(_) => {
                return Ok(Opened::Unsupported(
                    "Mastodon streams no bookmarks, favourites or searches".into(),
                ));
            }
        };
        let path: Vec<&str> = std::iter::once("streaming").chain(path).collect();
        let url = api_url(&base, &path, &query);
        let what = format!("streaming {}", url.path());
        let mut request = self.http.get(url).header(ACCEPT, "text/event-stream");
        if let Some(token) = &self.token {
            request = request.bearer_auth(token.expose());
        }
        let response = tokio::time::timeout(REQUEST_TIMEOUT, request.send())
            .await
            .map_err(|_| Error::Network {
                what: what.clone(),
                why: "timed out".into(),
            })?
            .map_err(|e| http::network(&what, &e))?;
        let status = response.status();
        if status.is_success() {
            let kind = response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            return Ok(if kind.starts_with("text/event-stream") {
                Opened::Stream(Box::new(Stream {
                    response,
                    sse: Sse::default(),
                    ready: VecDeque::new(),
                }))
            } else {
                Opened::Unsupported(format!("{what} answered with {kind:?}, not events"))
            });
        }
        match status.as_u16() {
            code @ (408 | 429 | 500..=599) => Err(Error::Status {
                what,
                status: code,
                said: None,
                wait: http::retry_after(response.headers()),
                transient: true,
            }),
            _ => Ok(Opened::Unsupported(format!("{what} answered {status}"))),
        }
    }

    // ---- logging in (`circles login`) ----

    /// Registers circles as an app on the instance (`POST /api/v1/apps`).
    pub async fn register_app(&self) -> Result<App, Error> {
        let what = "registering circles with the instance";
        let request = self.http.post(self.api_url(&["apps"], &[])).form(&[
            ("client_name", "circles"),
            ("redirect_uris", OOB),
            ("scopes", SCOPES),
            ("website", "https://github.com/circles-tui/circles"),
        ]);
        let answer = http::send(request, MAX_BODY, what).await?;
        self.json(answer, what)
    }

    /// The page where the user allows circles to read their timelines.
    pub fn authorize_url(&self, app: &App) -> Url {
        let mut url = self
            .base
            .join("oauth/authorize")
            .unwrap_or_else(|_| self.base.clone());
        url.query_pairs_mut().extend_pairs([
            ("client_id", app.client_id.as_str()),
            ("scope", SCOPES),
            ("redirect_uri", OOB),
            ("response_type", "code"),
        ]);
        url
    }

    /// Trades the code the authorize page showed for a token
    /// (`POST /oauth/token`).
    pub async fn exchange_code(&self, app: &App, code: &str) -> Result<Secret, Error> {
        #[derive(Deserialize)]
        struct Token {
            access_token: String,
        }
        let what = "trading the code for a token";
        let url = self
            .base
            .join("oauth/token")
            .unwrap_or_else(|_| self.base.clone());
        let request = self.http.post(url).form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", app.client_id.as_str()),
            ("client_secret", app.client_secret.expose()),
            ("redirect_uri", OOB),
            ("scope", SCOPES),
        ]);
        let answer = http::send(request, MAX_BODY, what).await?;
        let token: Token = self.json(answer, what)?;
        Ok(Secret::new(token.access_token))
    }

    /// A successful answer read as `T`, or the error it is.
    fn json<T: serde::de::DeserializeOwned>(&self, answer: Answer, what: &str) -> Result<T, Error> {
        if !answer.status.is_success() {
            return Err(self.status_error(&answer, what));
        }
        serde_json::from_slice(&answer.body).map_err(|e| Error::Malformed {
            what: what.to_string(),
            why: format!("the answer is not what Mastodon sends ({e})"),
        })
    }
}

/// Whether a Mastodon version (`4.5.0`, `4.6.0-beta.1+glitch`) has quote
/// posts (4.5 and later).
fn quotes_from(version: &str) -> bool {
    let mut parts = version.split(|c: char| !c.is_ascii_digit());
    let major: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let minor: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    (major, minor) >= (4, 5)
}

/// An app registered on an instance, for the OAuth login.
#[derive(Deserialize)]
pub struct App {
    client_id: String,
    client_secret: Secret,
}

/// The stream of a timeline, read event by event.
pub struct Stream {
    response: reqwest::Response,
    sse: Sse,
    ready: VecDeque<Event>,
}

impl Stream {
    /// The next event; `None` when the server closed the stream.
    pub async fn next(&mut self) -> Option<Result<Event, Error>> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Some(Ok(event));
            }
            match self.response.chunk().await {
                Ok(Some(chunk)) => self.sse.feed(&chunk, &mut self.ready),
                Ok(None) => return None,
                Err(e) => return Some(Err(http::network("the stream broke", &e))),
            }
        }
    }
}

/// The streaming API's URL from an `/api/v1/instance` (`urls.streaming_api`)
/// or `/api/v2/instance` (`configuration.urls.streaming`) answer, as an
/// http(s) URL.
fn streaming_url(instance: &str, base_scheme: &str) -> Option<Url> {
    #[derive(Deserialize)]
    struct Instance {
        urls: Option<Urls>,
        configuration: Option<Configuration>,
    }
    #[derive(Deserialize)]
    struct Configuration {
        urls: Option<Urls>,
    }
    #[derive(Deserialize)]
    struct Urls {
        streaming_api: Option<String>,
        streaming: Option<String>,
    }
    let instance: Instance = serde_json::from_str(instance).ok()?;
    let urls = instance
        .urls
        .or(instance.configuration.and_then(|c| c.urls))?;
    let mut url = Url::parse(&urls.streaming_api.or(urls.streaming)?).ok()?;
    let scheme = match url.scheme() {
        "wss" | "https" => "https",
        // Never send the token in the clear when the instance uses TLS.
        "ws" | "http" if base_scheme == "http" => "http",
        _ => return None,
    };
    url.set_scheme(scheme).ok()?;
    url.host()?;
    Some(url)
}

/// `base` + `/api/v1/` + the segments (each percent-encoded) + the query.
/// The URL of a page: the link given, else `url_for` the paging query.
fn paged(page: Page, url_for: impl FnOnce(&[(&str, &str)]) -> Url) -> Url {
    let limit = PAGE.to_string();
    match page {
        Page::Link(url) => url,
        Page::Newest => url_for(&[("limit", &limit)]),
        Page::Before(id) => url_for(&[("limit", &limit), ("max_id", &id)]),
        Page::After(id) => url_for(&[("limit", &limit), ("min_id", &id)]),
    }
}

/// [`api_url`] under `/api/v2`.
fn api_v2_url(base: &Url, segments: &[&str], query: &[(&str, &str)]) -> Url {
    let mut url = api_url(base, &[], query);
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop().push("v2").extend(segments);
    }
    url
}

fn api_url(base: &Url, segments: &[&str], query: &[(&str, &str)]) -> Url {
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(["api", "v1"]).extend(segments);
    }
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    url
}

/// The `rel="next"` target of `Link` headers (RFC 8288), as Mastodon sends
/// them for paging: `<https://…?max_id=1>; rel="next", <…>; rel="prev"`.
fn link_next(headers: &HeaderMap) -> Option<String> {
    for value in headers.get_all(LINK) {
        let mut rest = value.to_str().ok()?;
        while let Some(start) = rest.find('<') {
            let end = start + rest[start..].find('>')?;
            let target = &rest[start + 1..end];
            rest = &rest[end + 1..];
            let params = &rest[..rest.find('<').unwrap_or(rest.len())];
            let is_next = params.split([';', ',']).any(|p| {
                let p = p.trim().to_ascii_lowercase();
                p == "rel=\"next\"" || p == "rel=next"
            });
            if is_next {
                return Some(target.to_string());
            }
        }
    }
    None
}

/// One server-sent event.
#[derive(Debug, Default, PartialEq)]
pub struct Event {
    pub kind: String,
    pub data: String,
    /// It was larger than [`MAX_EVENT_BYTES`] and its data was dropped.
    pub too_big: bool,
}

/// Server-sent events framing, after the WHATWG rules — small enough to
/// write here rather than take a crate: lines of `field: value`, `:` starts
/// a comment (the server's heartbeat), `data` lines join with newlines, and
/// a blank line ends the event.
#[derive(Debug, Default)]
struct Sse {
    line: Vec<u8>,
    /// The line being read is too long: its bytes are dropped up to its end.
    discarding: bool,
    event: Event,
    has_data: bool,
}

impl Sse {
    fn feed(&mut self, chunk: &[u8], out: &mut VecDeque<Event>) {
        for piece in chunk.split_inclusive(|&b| b == b'\n') {
            let (text, complete) = match piece.strip_suffix(b"\n") {
                Some(text) => (text, true),
                None => (piece, false),
            };
            if !self.discarding && self.line.len() + text.len() > MAX_EVENT_BYTES {
                self.event.too_big = true;
                self.discarding = true;
                self.line = Vec::new();
            }
            if !self.discarding {
                self.line.extend_from_slice(text);
            }
            if complete {
                if std::mem::take(&mut self.discarding) {
                    continue;
                }
                let line = std::mem::take(&mut self.line);
                self.line_done(&line, out);
            }
        }
    }

    fn line_done(&mut self, line: &[u8], out: &mut VecDeque<Event>) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            let event = std::mem::take(&mut self.event);
            if std::mem::take(&mut self.has_data) || event.too_big {
                out.push_back(Event {
                    kind: if event.kind.is_empty() {
                        "message".into()
                    } else {
                        event.kind
                    },
                    ..event
                });
            }
            return;
        }
        if line[0] == b':' {
            return;
        }
        let line = String::from_utf8_lossy(line);
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_ref(), ""),
        };
        match field {
            "event" => self.event.kind = value.to_string(),
            "data" => {
                if self.event.data.len() + value.len() > MAX_EVENT_BYTES {
                    self.event.too_big = true;
                    return;
                }
                if self.has_data {
                    self.event.data.push('\n');
                }
                self.event.data.push_str(value);
                self.has_data = true;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_posts_come_with_mastodon_4_5() {
        for (version, quotes) in [
            ("4.5.0", true),
            ("4.6.0-beta.1+glitch", true),
            ("5.0.0", true),
            ("4.4.3", false),
            ("3.5.19", false),
            ("", false),
        ] {
            assert_eq!(quotes_from(version), quotes, "{version}");
        }
    }
    use reqwest::header::HeaderValue;

    fn events(chunks: &[&[u8]]) -> Vec<Event> {
        let mut sse = Sse::default();
        let mut out = VecDeque::new();
        for chunk in chunks {
            sse.feed(chunk, &mut out);
        }
        out.into()
    }

    #[test]
    fn sse_frames_split_anywhere_are_read_whole() {
        let got = events(&[
            b":)\n\nevent: upd",
            b"ate\r\ndata: {\"id\":",
            b"\"1\"}\r\n\r\n:thump\n",
            b"event: delete\ndata: 42\n\ndata: a\ndata:b\n\n",
        ]);
        let kinds: Vec<(&str, &str)> = got
            .iter()
            .map(|e| (e.kind.as_str(), e.data.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("update", "{\"id\":\"1\"}"),
                ("delete", "42"),
                ("message", "a\nb")
            ]
        );
    }

    #[test]
    fn an_oversized_sse_line_is_dropped_and_reported() {
        let big = vec![b'x'; MAX_EVENT_BYTES];
        let got = events(&[
            b"event: update\ndata: ",
            &big,
            b"data: tail\n\nevent: delete\ndata: 7\n\n",
        ]);
        assert_eq!(
            got.len(),
            2,
            "{:?}",
            got.iter().map(|e| &e.kind).collect::<Vec<_>>()
        );
        assert!(got[0].too_big && got[0].kind == "update");
        assert_eq!(
            (got[1].kind.as_str(), got[1].data.as_str(), got[1].too_big),
            ("delete", "7", false)
        );
    }

    #[test]
    fn the_streaming_url_comes_from_the_instance() {
        let v1 = r#"{"uri":"m.example","urls":{"streaming_api":"wss://streaming.m.example"}}"#;
        assert_eq!(
            streaming_url(v1, "https").unwrap().as_str(),
            "https://streaming.m.example/"
        );
        let v2 =
            r#"{"domain":"m.example","configuration":{"urls":{"streaming":"wss://m.example"}}}"#;
        assert_eq!(
            streaming_url(v2, "https").unwrap().as_str(),
            "https://m.example/"
        );
        let plain = r#"{"urls":{"streaming_api":"ws://m.example"}}"#;
        assert_eq!(streaming_url(plain, "https"), None, "no downgrade from TLS");
        assert!(streaming_url(plain, "http").is_some());
        assert_eq!(streaming_url("{}", "https"), None);
    }

    #[test]
    fn link_headers_give_the_next_page() {
        let mut h = HeaderMap::new();
        h.insert(
            LINK,
            HeaderValue::from_static(
                "<https://m.example/api/v1/timelines/home?min_id=9>; rel=\"prev\", \
                 <https://m.example/api/v1/timelines/home?max_id=5>; rel=\"next\"",
            ),
        );
        assert_eq!(
            link_next(&h).as_deref(),
            Some("https://m.example/api/v1/timelines/home?max_id=5")
        );
        h.insert(
            LINK,
            HeaderValue::from_static("<https://x/?min_id=9>; rel=\"prev\""),
        );
        assert_eq!(link_next(&h), None);
    }

    #[test]
    fn v2_urls_keep_the_path_prefix() {
        let base = Url::parse("https://m.example/sub").unwrap();
        assert_eq!(
            api_v2_url(&base, &["notifications"], &[("limit", "40")]).as_str(),
            "https://m.example/sub/api/v2/notifications?limit=40"
        );
    }

    #[test]
    fn urls_encode_segments_and_keep_a_path_prefix() {
        let base = Url::parse("https://m.example/sub").unwrap();
        let url = api_url(
            &base,
            &["timelines", "tag", "c#/x"],
            &[("types[]", "mention")],
        );
        assert_eq!(
            url.as_str(),
            "https://m.example/sub/api/v1/timelines/tag/c%23%2Fx?types%5B%5D=mention"
        );
    }

    #[test]
    fn a_token_in_an_error_answer_is_redacted_before_it_is_cut() {
        let token = format!("{}TOKEN", "a".repeat(20));
        let client = Client::new(
            "https://m.example",
            Some(Secret::new(token.clone())),
            "$T".into(),
        )
        .unwrap();
        // the token straddles the 200-character cut
        let body = format!("{{\"error\":\"{} {token} tail\"}}", "x".repeat(190));
        let said = client.error_text(&body).unwrap();
        assert!(!said.contains("aaaa"), "{said}");
        assert!(said.contains("[redacted"), "{said}");
    }
}
