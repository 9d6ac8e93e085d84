//! The Mastodon source: one timeline of one instance (home, local, public,
//! mentions, a list or a hashtag).
//!
//! It first reads the newest posts over REST (up to [`BACKFILL`], paging
//! back with the `Link: rel="next"` header), then follows the streaming API
//! (server-sent events). When the instance offers no stream it polls with
//! `min_id` every `poll` instead. On any disconnect it waits with backoff
//! and jitter, opens the stream again and — before reading it — pages
//! forward over REST from the newest id it has seen, so nothing posted
//! while it was away is lost (the stream is opened first, so nothing posted
//! during the catch-up is lost either; the store drops the duplicates).
//!
//! Where it is up to is reported as the cursor `since_id` (the newest id
//! seen, once per page or streamed post), with `timeline` naming the
//! instance and timeline it belongs to. Started with them again, it skips
//! the backfill and pages forward from `since_id` like after a disconnect.
//!
//! Rate limits are respected: a 429 waits for `Retry-After`, and a spent
//! `X-RateLimit-Remaining` waits for `X-RateLimit-Reset` before the next
//! request. The access token is only ever sent in the `Authorization`
//! header and is scrubbed from every message the source reports.

use super::http::{self, Backoff, client, rate_limit_spent, retry_after};
use super::secret::{self, Secret};
use super::{Cursors, Sink, SourceState};
use crate::config::{SourceSpec, Timeline};
use crate::decode::{DecodeError, decode};
use crate::model::sanitize_line;
use futures_util::StreamExt;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, LINK};
use reqwest::{Response, StatusCode, Url};
use serde::Deserialize;
use std::borrow::Cow;
use std::time::{Duration, Instant};

/// Posts per REST page (Mastodon's maximum for timelines).
const PAGE: usize = 40;
/// Posts read back on start.
const BACKFILL: usize = 200;
/// Pages the catch-up after a disconnect reads forward before it gives up
/// on the gap and starts again from the newest posts.
const GAP_PAGES: usize = 25;
/// The longest wait between two attempts after failures.
const MAX_BACKOFF: Duration = Duration::from_secs(5 * 60);
/// The longest wait a server can ask for (`Retry-After`, rate-limit reset).
const MAX_SERVER_WAIT: Duration = Duration::from_secs(60 * 60);
/// A REST request, body included, that takes longer has failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The streaming server sends a heartbeat every few seconds; a stream that
/// stays silent this long is a dead connection.
const STREAM_IDLE: Duration = Duration::from_secs(90);
/// A stream that stayed up this long was a success: backoff starts over.
const STREAM_STABLE: Duration = Duration::from_secs(60);
/// Failed attempts to open the stream (with REST still working) before
/// the source polls instead, and for how long.
const STREAM_FAILURES: u32 = 3;
const STREAM_PAUSE: Duration = Duration::from_secs(15 * 60);
/// Bytes one streaming event may hold; a bigger one is skipped.
const MAX_EVENT_BYTES: usize = 4 << 20;

/// The cursor with the newest id seen, where the next start catches up from.
const SINCE_ID: &str = "since_id";
/// The cursor naming the instance and timeline `since_id` belongs to.
const SCOPE: &str = "timeline";

pub(super) async fn run(sink: Sink, spec: SourceSpec, cursors: Cursors) {
    match Mastodon::new(sink.clone(), spec) {
        Ok(mut source) => {
            source.resume(&cursors);
            source.run().await
        }
        Err(why) => {
            sink.state(SourceState::Failed(why));
        }
    }
}

/// Why a step did not succeed, and what to do about it.
#[derive(Debug)]
enum Problem {
    /// Stop for good; the reason is for the user.
    Fatal(String),
    /// Try again after `wait`, or after the next backoff delay.
    Retry { why: String, wait: Option<Duration> },
    /// The app is gone.
    Closed,
}

impl Problem {
    fn retry(why: impl Into<String>) -> Self {
        Problem::Retry {
            why: why.into(),
            wait: None,
        }
    }
}

/// Whether the source follows the streaming API.
#[derive(Debug, Clone, Copy)]
enum Streaming {
    On,
    /// The instance does not stream this timeline (to us): poll for good.
    Off,
    /// Streaming kept failing: poll until then, and try again.
    PausedUntil(Instant),
}

/// What opening the stream gave.
enum Opened {
    Stream(Response),
    /// Not available; the reason is for the log.
    Unsupported(String),
}

/// What one REST page held.
#[derive(Debug, Default)]
struct Delivered {
    count: usize,
    newest: Option<String>,
    oldest: Option<String>,
}

struct Mastodon {
    sink: Sink,
    spec: SourceSpec,
    http: reqwest::Client,
    base: Url,
    token: Option<Secret>,
    /// Where the token came from, for messages.
    token_origin: String,
    /// The newest item id seen (a status id, or a notification id for the
    /// notifications timeline): where the catch-up starts.
    newest: Option<String>,
    /// The `since_id` last reported, and whether `timeline` was reported.
    reported: Option<String>,
    scope_reported: bool,
    /// Nothing was read yet in this run.
    first_read: bool,
    backoff: Backoff,
    streaming: Streaming,
    stream_failures: u32,
    /// Where the streaming API lives, once asked.
    stream_base: Option<Url>,
    /// The rate-limit budget is spent until then.
    not_before: Option<Instant>,
    last_state: Option<SourceState>,
}

impl Mastodon {
    fn new(sink: Sink, spec: SourceSpec) -> Result<Self, String> {
        let instance = spec.instance.as_deref().unwrap_or_default();
        let base = Url::parse(instance)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| {
                format!("`instance` {instance:?} is not a URL like https://mastodon.social")
            })?;
        let token_origin = match (&spec.token_env, &spec.token_file) {
            (Some(var), _) => format!("${var}"),
            (None, Some(file)) => format!("the file {file}"),
            (None, None) => String::new(),
        };
        let token = if spec.token_env.is_some() || spec.token_file.is_some() {
            Some(secret::load(
                spec.token_env.as_deref(),
                spec.token_file.as_deref(),
                "Mastodon access token",
            )?)
        } else if needs_token(&spec.timeline) {
            return Err(format!(
                "the {} timeline needs an access token: create one under Preferences → \
                 Development on {instance} (scope `read`), then add token_env = \"VARIABLE\" \
                 or token_file = \"path\" (mode 600) to the source `{}`",
                timeline_name(&spec.timeline),
                spec.name
            ));
        } else {
            None
        };
        Ok(Mastodon {
            sink,
            http: client(),
            base,
            token,
            token_origin,
            newest: None,
            reported: None,
            scope_reported: false,
            first_read: true,
            backoff: Backoff::new(MAX_BACKOFF),
            streaming: Streaming::On,
            stream_failures: 0,
            stream_base: None,
            not_before: None,
            last_state: None,
            spec,
        })
    }

    /// What `timeline` says: the instance and the timeline, so a cursor
    /// left by another configuration is not taken for this one.
    fn scope(&self) -> String {
        format!(
            "{}{} {}",
            self.base.origin().ascii_serialization(),
            self.base.path().trim_end_matches('/'),
            timeline_name(&self.spec.timeline)
        )
    }

    /// Takes up a `since_id` left by an earlier run, if it is one for this
    /// instance and timeline.
    fn resume(&mut self, cursors: &Cursors) {
        let Some(since) = cursors.get(SINCE_ID).map(|s| s.trim()) else {
            return;
        };
        let valid =
            !since.is_empty() && since.len() <= 64 && since.bytes().all(|b| b.is_ascii_graphic());
        let same = cursors
            .get(SCOPE)
            .is_none_or(|scope| *scope == self.scope());
        if valid && same {
            self.newest = Some(since.to_string());
            self.reported = self.newest.clone();
        }
    }

    /// Reports the newest id seen if it changed since the last report.
    fn report_cursor(&mut self) -> bool {
        let Some(newest) = self.newest.clone() else {
            return true;
        };
        if self.reported.as_deref() == Some(newest.as_str()) {
            return true;
        }
        if !self.scope_reported {
            self.scope_reported = true;
            if !self.sink.cursor(SCOPE, &self.scope()) {
                return false;
            }
        }
        self.reported = Some(newest.clone());
        self.sink.cursor(SINCE_ID, &newest)
    }

    async fn run(&mut self) {
        loop {
            if matches!(self.last_state, None | Some(SourceState::Retrying { .. }))
                && !self.set_state(SourceState::Connecting)
            {
                return;
            }
            // The stream is opened before the catch-up so that nothing
            // posted in between is lost.
            let stream = if self.wants_stream() {
                match self.open_stream().await {
                    Ok(Opened::Stream(response)) => Some(response),
                    Ok(Opened::Unsupported(why)) => {
                        tracing::info!(source = %self.spec.name, "no streaming, polling: {why}");
                        self.streaming = Streaming::Off;
                        None
                    }
                    Err(Problem::Retry { why, wait }) => {
                        self.stream_failures += 1;
                        if self.stream_failures >= STREAM_FAILURES {
                            tracing::warn!(source = %self.spec.name, "streaming keeps failing, polling for a while: {why}");
                            self.streaming = Streaming::PausedUntil(Instant::now() + STREAM_PAUSE);
                            self.stream_failures = 0;
                            None
                        } else {
                            if !self.wait_and_retry(why, wait).await {
                                return;
                            }
                            continue;
                        }
                    }
                    Err(problem) => {
                        self.recover(problem).await;
                        return;
                    }
                }
            } else {
                None
            };
            if let Err(problem) = self.catch_up().await {
                // The whole server is failing, not only its streaming.
                if matches!(self.streaming, Streaming::PausedUntil(_)) {
                    self.streaming = Streaming::On;
                }
                if !self.recover(problem).await {
                    return;
                }
                continue;
            }
            let Some(response) = stream else {
                if !self.set_state(SourceState::Live) {
                    return;
                }
                self.backoff.reset();
                if !self.pause(self.spec.poll).await {
                    return;
                }
                continue;
            };
            self.stream_failures = 0;
            if !self.set_state(SourceState::Live) {
                return;
            }
            let started = Instant::now();
            let Some(why) = self.read_stream(response).await else {
                return;
            };
            if started.elapsed() >= STREAM_STABLE {
                self.backoff.reset();
            }
            if !self.wait_and_retry(why, None).await {
                return;
            }
        }
    }

    fn wants_stream(&mut self) -> bool {
        match self.streaming {
            Streaming::On => true,
            Streaming::Off => false,
            Streaming::PausedUntil(when) if Instant::now() >= when => {
                self.streaming = Streaming::On;
                true
            }
            Streaming::PausedUntil(_) => false,
        }
    }

    // ---- reporting ----

    /// Sends a state unless it is the one last sent; false once the app is
    /// gone.
    fn set_state(&mut self, state: SourceState) -> bool {
        let state = match state {
            SourceState::Failed(why) => SourceState::Failed(self.redact(why)),
            SourceState::Retrying { seconds, why } => SourceState::Retrying {
                seconds,
                why: self.redact(why),
            },
            other => other,
        };
        if self.last_state.as_ref() == Some(&state) {
            return !self.sink.is_closed();
        }
        self.last_state = Some(state.clone());
        self.sink.state(state)
    }

    fn skip(&self, problem: String) -> bool {
        self.sink.skipped(self.redact(problem))
    }

    /// Scrubs the token from a message, should a server ever echo it.
    fn redact(&self, text: String) -> String {
        match &self.token {
            Some(token) if !token.expose().is_empty() && text.contains(token.expose()) => {
                text.replace(token.expose(), "[redacted]")
            }
            _ => text,
        }
    }

    /// Handles a failed step; false when the source should stop.
    async fn recover(&mut self, problem: Problem) -> bool {
        match problem {
            Problem::Closed => false,
            Problem::Fatal(why) => {
                self.set_state(SourceState::Failed(why));
                false
            }
            Problem::Retry { why, wait } => self.wait_and_retry(why, wait).await,
        }
    }

    /// Reports `Retrying` and waits: `wait` if the server asked for it, else
    /// the next backoff delay. False once the app is gone.
    async fn wait_and_retry(&mut self, why: String, wait: Option<Duration>) -> bool {
        let delay = match wait {
            Some(wait) => wait.min(MAX_SERVER_WAIT),
            None => self.backoff.next_delay(),
        };
        let seconds = delay.as_secs() + u64::from(delay.subsec_nanos() > 0);
        self.set_state(SourceState::Retrying { seconds, why }) && self.pause(delay).await
    }

    /// Sleeps; false (at once) when the app goes away meanwhile.
    async fn pause(&self, delay: Duration) -> bool {
        tokio::select! {
            () = tokio::time::sleep(delay) => !self.sink.is_closed(),
            () = self.sink.tx.closed() => false,
        }
    }

    // ---- REST ----

    fn timeline_url(&self, extra: &[(&str, &str)]) -> Url {
        let (path, mut query): (Vec<&str>, Vec<(&str, &str)>) = match &self.spec.timeline {
            Timeline::Home => (vec!["timelines", "home"], vec![]),
            Timeline::Local => (vec!["timelines", "public"], vec![("local", "true")]),
            Timeline::Public => (vec!["timelines", "public"], vec![]),
            Timeline::Notifications => (vec!["notifications"], vec![("types[]", "mention")]),
            Timeline::List(id) => (vec!["timelines", "list", id], vec![]),
            Timeline::Tag(tag) => (vec!["timelines", "tag", tag], vec![]),
        };
        query.extend_from_slice(extra);
        api_url(&self.base, &path, &query)
    }

    /// What a request is, for messages: method and path, never the query.
    fn describe_request(url: &Url) -> String {
        format!("GET {}", url.path())
    }

    /// Reads the newest posts, paging back until [`BACKFILL`] or the end.
    async fn backfill(&mut self) -> Result<(), Problem> {
        // A poll of a timeline that is still empty is no news.
        if self.last_state != Some(SourceState::Live) && !self.set_state(SourceState::Loading) {
            return Err(Problem::Closed);
        }
        let limit = PAGE.to_string();
        let mut url = self.timeline_url(&[("limit", &limit)]);
        let mut got = 0;
        loop {
            let (body, headers) = self.fetch(&url).await?;
            let page = self.deliver(&body, &Self::describe_request(&url))?;
            got += page.count;
            if got >= BACKFILL || page.count == 0 {
                return Ok(());
            }
            let next = link_next(&headers)
                .and_then(|next| url.join(&next).ok())
                .filter(|next| next.origin() == self.base.origin());
            url = match (next, page.oldest) {
                (Some(next), _) => next,
                // No Link header: page back by hand from a full page.
                (None, Some(oldest)) if page.count >= PAGE => {
                    self.timeline_url(&[("limit", &limit), ("max_id", &oldest)])
                }
                _ => return Ok(()),
            };
        }
    }

    /// Reads everything newer than `since`, oldest page first, so a gap
    /// left by a disconnect is filled.
    async fn fill_gap(&mut self, since: String) -> Result<(), Problem> {
        let limit = PAGE.to_string();
        let mut cursor = since;
        for _ in 0..GAP_PAGES {
            let url = self.timeline_url(&[("limit", &limit), ("min_id", &cursor)]);
            let (body, _) = self.fetch(&url).await?;
            let page = self.deliver(&body, &Self::describe_request(&url))?;
            match page.newest {
                // A server that ignores `min_id` sends the same page again.
                Some(newest) if newer(&newest, &cursor) => cursor = newest,
                _ => return Ok(()),
            }
            if page.count < PAGE {
                return Ok(());
            }
        }
        tracing::warn!(
            source = %self.spec.name,
            "more than {} posts missed; reading from the newest again",
            GAP_PAGES * PAGE
        );
        self.newest = None;
        self.backfill().await
    }

    async fn catch_up(&mut self) -> Result<(), Problem> {
        match self.newest.clone() {
            None => self.backfill().await?,
            Some(since) => {
                // Resumed from a cursor: reading what came in meanwhile.
                if self.first_read && !self.set_state(SourceState::Loading) {
                    return Err(Problem::Closed);
                }
                self.fill_gap(since).await?;
            }
        }
        self.first_read = false;
        Ok(())
    }

    /// One authorised GET, waiting first if the rate limit is spent.
    async fn fetch(&mut self, url: &Url) -> Result<(String, HeaderMap), Problem> {
        if let Some(when) = self.not_before.take() {
            let now = Instant::now();
            if when > now
                && !self
                    .wait_and_retry("rate limit reached".into(), Some(when - now))
                    .await
            {
                return Err(Problem::Closed);
            }
        }
        let what = Self::describe_request(url);
        let mut request = self.http.get(url.clone()).timeout(REQUEST_TIMEOUT);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token.expose());
        }
        let response = request
            .send()
            .await
            .map_err(|e| Problem::retry(format!("{what}: {}", http::describe(&e))))?;
        let status = response.status();
        let headers = response.headers().clone();
        if rate_limit_spent(&headers) {
            let wait = retry_after(&headers).unwrap_or(Duration::from_secs(60));
            self.not_before = Some(Instant::now() + wait.min(MAX_SERVER_WAIT));
        }
        let body = response
            .text()
            .await
            .map_err(|e| Problem::retry(format!("{what}: {}", http::describe(&e))))?;
        if status.is_success() {
            Ok((body, headers))
        } else {
            Err(self.http_problem(status, &headers, &body, &what))
        }
    }

    /// What an error answer means for the source.
    fn http_problem(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        body: &str,
        what: &str,
    ) -> Problem {
        let detail = error_text(body).map_or_else(String::new, |e| format!(": {e}"));
        let instance = self.base.as_str().trim_end_matches('/');
        match status.as_u16() {
            401 | 403 if self.token.is_some() => Problem::Fatal(format!(
                "{instance} refused the access token ({status}{detail}); check the token in {} \
                 and that it has the `read` scope",
                self.token_origin
            )),
            401 | 403 => self.wants_token(status, &detail),
            // Public timelines with previews off: "requires an authenticated user".
            422 if self.token.is_none() && detail.contains("authenticated") => {
                self.wants_token(status, &detail)
            }
            404 | 410 => Problem::Fatal(match &self.spec.timeline {
                Timeline::List(id) => {
                    format!("{instance} has no list {id} for this account ({status}{detail})")
                }
                _ => format!("{what} answered {status}{detail}: is {instance} a Mastodon server?"),
            }),
            429 => Problem::Retry {
                why: "rate limited by the server".into(),
                wait: retry_after(headers),
            },
            408 | 500..=599 => Problem::Retry {
                why: format!("{what}: server error {status}{detail}"),
                wait: retry_after(headers),
            },
            _ => Problem::Fatal(format!("{what} answered {status}{detail}")),
        }
    }

    fn wants_token(&self, status: StatusCode, detail: &str) -> Problem {
        Problem::Fatal(format!(
            "{} wants an access token for this timeline ({status}{detail}); add token_env or \
             token_file to the source `{}`",
            self.base.as_str().trim_end_matches('/'),
            self.spec.name
        ))
    }

    /// Decodes a page (a JSON list of statuses or notifications) and sends
    /// its posts; an item that cannot be read is skipped and reported, the
    /// others still arrive.
    fn deliver(&mut self, body: &str, what: &str) -> Result<Delivered, Problem> {
        let items = split_array(body).map_err(|why| Problem::retry(format!("{what}: {why}")))?;
        let mut page = Delivered {
            count: items.len(),
            ..Delivered::default()
        };
        let mut posts = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            if let Some(id) = item_id(item) {
                if page.newest.as_deref().is_none_or(|n| newer(&id, n)) {
                    page.newest = Some(id.clone());
                }
                if page.oldest.as_deref().is_none_or(|o| newer(o, &id)) {
                    page.oldest = Some(id);
                }
            }
            match decode(item, &self.spec.name) {
                Ok(post) => posts.push(post),
                Err(DecodeError::NotAPost(_)) => {}
                Err(e) => {
                    if !self.skip(format!(
                        "{what}: item {} of {}: {e}",
                        index + 1,
                        items.len()
                    )) {
                        return Err(Problem::Closed);
                    }
                }
            }
        }
        if let Some(id) = &page.newest {
            self.saw(id);
        }
        // The posts first: the cursor is only good once they arrived.
        if self.sink.posts(posts) && self.report_cursor() {
            Ok(page)
        } else {
            Err(Problem::Closed)
        }
    }

    /// Remembers an id as the newest seen if it is.
    fn saw(&mut self, id: &str) {
        if self.newest.as_deref().is_none_or(|n| newer(id, n)) {
            self.newest = Some(id.to_string());
        }
    }

    // ---- streaming ----

    /// Where the streaming API lives: the instance says so in
    /// `/api/v1/instance` (`urls.streaming_api`), often its own host.
    async fn stream_base(&mut self) -> Url {
        if let Some(url) = &self.stream_base {
            return url.clone();
        }
        match self.discover_stream_base().await {
            Ok(found) => {
                let url = found.unwrap_or_else(|| self.base.clone());
                self.stream_base = Some(url.clone());
                url
            }
            // No answer: the instance's own host for now; ask again next time.
            Err(()) => self.base.clone(),
        }
    }

    /// The streaming API's base URL if the instance names one; `Err` when
    /// the instance gave no answer.
    async fn discover_stream_base(&self) -> Result<Option<Url>, ()> {
        let url = api_url(&self.base, &["instance"], &[]);
        let response = self
            .http
            .get(url)
            .timeout(REQUEST_TIMEOUT)
            .send()
            .await
            .map_err(drop)?;
        let status = response.status();
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            return Err(());
        }
        if !status.is_success() {
            return Ok(None);
        }
        let body = response.text().await.map_err(drop)?;
        Ok(streaming_url(&body, self.base.scheme()))
    }

    async fn open_stream(&mut self) -> Result<Opened, Problem> {
        let base = self.stream_base().await;
        let (path, query): (Vec<&str>, Vec<(&str, &str)>) = match &self.spec.timeline {
            Timeline::Home => (vec!["user"], vec![]),
            Timeline::Local => (vec!["public", "local"], vec![]),
            Timeline::Public => (vec!["public"], vec![]),
            Timeline::Notifications => (vec!["user", "notification"], vec![]),
            Timeline::List(id) => (vec!["list"], vec![("list", id)]),
            Timeline::Tag(tag) => (vec!["hashtag"], vec![("tag", tag)]),
        };
        let path: Vec<&str> = std::iter::once("streaming").chain(path).collect();
        let url = api_url(&base, &path, &query);
        let what = format!("streaming {}", url.path());
        let mut request = self.http.get(url).header(ACCEPT, "text/event-stream");
        if let Some(token) = &self.token {
            request = request.bearer_auth(token.expose());
        }
        // Only the answer's head has a deadline; the body lasts for hours.
        let response = tokio::time::timeout(REQUEST_TIMEOUT, request.send())
            .await
            .map_err(|_| Problem::retry(format!("{what}: timed out")))?
            .map_err(|e| Problem::retry(format!("{what}: {}", http::describe(&e))))?;
        let status = response.status();
        if status.is_success() {
            let kind = response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            return Ok(if kind.starts_with("text/event-stream") {
                Opened::Stream(response)
            } else {
                Opened::Unsupported(format!("{what} answered with {kind:?}, not events"))
            });
        }
        match status.as_u16() {
            429 => Err(Problem::Retry {
                why: "rate limited by the streaming server".into(),
                wait: retry_after(response.headers()),
            }),
            408 | 500..=599 => Err(Problem::retry(format!("{what}: server error {status}"))),
            _ => Ok(Opened::Unsupported(format!("{what} answered {status}"))),
        }
    }

    /// Reads the stream until it ends; returns why it ended, or `None` when
    /// the app is gone.
    async fn read_stream(&mut self, response: Response) -> Option<String> {
        let mut body = response.bytes_stream();
        let mut sse = Sse::default();
        let mut events = Vec::new();
        loop {
            let next = tokio::select! {
                next = tokio::time::timeout(STREAM_IDLE, body.next()) => next,
                () = self.sink.tx.closed() => return None,
            };
            match next {
                Err(_) => {
                    return Some(format!(
                        "the stream went silent for {} s",
                        STREAM_IDLE.as_secs()
                    ));
                }
                Ok(None) => return Some("the server closed the stream".into()),
                Ok(Some(Err(e))) => {
                    let why = http::describe(&e);
                    return Some(format!("the stream broke: {why}"));
                }
                Ok(Some(Ok(chunk))) => {
                    sse.feed(&chunk, &mut events);
                    for event in events.drain(..) {
                        if !self.on_event(event) {
                            return None;
                        }
                    }
                }
            }
        }
    }

    /// Acts on one streaming event; false once the app is gone.
    fn on_event(&mut self, event: Event) -> bool {
        let mentions = self.spec.timeline == Timeline::Notifications;
        let kind = event.kind.as_str();
        let wanted = match kind {
            "update" | "status.update" => !mentions,
            "notification" => mentions,
            "delete" => true,
            _ => false,
        };
        if !wanted {
            return true;
        }
        if event.too_big {
            return self.skip(format!(
                "streaming `{kind}` event: larger than {} MiB",
                MAX_EVENT_BYTES >> 20
            ));
        }
        let data = event.data.trim();
        if kind == "delete" {
            let id = data.trim_matches('"');
            return id.is_empty() || self.sink.deleted(sanitize_line(id).into_owned());
        }
        if kind != "status.update"
            && let Some(id) = item_id(data)
        {
            self.saw(&id);
        }
        let open = match decode(data, &self.spec.name) {
            Ok(post) if kind == "status.update" => self.sink.updated(post),
            Ok(post) => self.sink.posts(vec![post]),
            Err(DecodeError::NotAPost(_)) => true,
            Err(e) => self.skip(format!("streaming `{kind}` event: {e}")),
        };
        open && self.report_cursor()
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

fn needs_token(timeline: &Timeline) -> bool {
    matches!(
        timeline,
        Timeline::Home | Timeline::Notifications | Timeline::List(_)
    )
}

fn timeline_name(timeline: &Timeline) -> String {
    match timeline {
        Timeline::Home => "home".into(),
        Timeline::Local => "local".into(),
        Timeline::Public => "public".into(),
        Timeline::Notifications => "notifications".into(),
        Timeline::List(id) => format!("list:{id}"),
        Timeline::Tag(tag) => format!("tag:{tag}"),
    }
}

/// `base` + `/api/v1/` + the segments (each percent-encoded) + the query.
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

/// Whether Mastodon id `a` is newer than `b`. Ids are numbers in decimal
/// (longer is bigger) or, on some servers, fixed-width sortable strings.
fn newer(a: &str, b: &str) -> bool {
    (a.len(), a) > (b.len(), b)
}

/// The top-level `id` of a status or notification.
fn item_id(json: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Id<'a> {
        #[serde(borrow)]
        id: Cow<'a, str>,
    }
    let id = serde_json::from_str::<Id<'_>>(json).ok()?.id;
    (!id.is_empty() && id.len() <= 64).then(|| sanitize_line(&id).into_owned())
}

/// The `"error"` text of a Mastodon error answer, cleaned and shortened.
fn error_text(body: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Error {
        error: String,
    }
    let error = serde_json::from_str::<Error>(body).ok()?.error;
    let clean = sanitize_line(error.trim());
    let short: String = clean.chars().take(200).collect();
    (!short.is_empty()).then_some(short)
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

/// Splits a JSON array into the text of its items without parsing them, so
/// one broken item (even broken JSON) cannot take the others with it.
fn split_array(body: &str) -> Result<Vec<&str>, String> {
    let bytes = body.as_bytes();
    let start = body.len() - body.trim_start().len();
    if bytes.get(start) != Some(&b'[') {
        let what = if body.trim().is_empty() {
            "an empty answer".to_string()
        } else {
            let head: String = sanitize_line(body.trim()).chars().take(40).collect();
            format!("{head:?}…")
        };
        return Err(format!("expected a JSON list, got {what}"));
    }
    let mut items = Vec::new();
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let mut item_start = start + 1;
    for (i, &b) in bytes.iter().enumerate().skip(start) {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    let item = body[item_start..i].trim();
                    if !item.is_empty() || !items.is_empty() {
                        items.push(item);
                    }
                    return Ok(items);
                }
            }
            b',' if depth == 1 => {
                items.push(body[item_start..i].trim());
                item_start = i + 1;
            }
            _ => {}
        }
    }
    Err("the list is cut short".to_string())
}

/// One server-sent event.
#[derive(Debug, Default, PartialEq)]
struct Event {
    kind: String,
    data: String,
    too_big: bool,
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
    fn feed(&mut self, chunk: &[u8], out: &mut Vec<Event>) {
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

    fn line_done(&mut self, line: &[u8], out: &mut Vec<Event>) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            let event = std::mem::take(&mut self.event);
            if std::mem::take(&mut self.has_data) || event.too_big {
                out.push(Event {
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
    use reqwest::header::HeaderValue;

    fn events(chunks: &[&[u8]]) -> Vec<Event> {
        let mut sse = Sse::default();
        let mut out = Vec::new();
        for chunk in chunks {
            sse.feed(chunk, &mut out);
        }
        out
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
    fn arrays_split_into_items_even_around_broken_ones() {
        let body = r#" [ {"id":"1","t":"a, ]}"} , {"id": 2 oops, }, {"id":"3","x":"\"]"} ] "#;
        let items = split_array(body).unwrap();
        assert_eq!(items.len(), 3, "{items:?}");
        assert_eq!(items[2], r#"{"id":"3","x":"\"]"}"#);
        assert_eq!(items[0], r#"{"id":"1","t":"a, ]}"}"#);
        assert!(split_array("[]").unwrap().is_empty());
        assert!(split_array(" [ ] ").unwrap().is_empty());
        assert_eq!(split_array(r#"[{"id":"1"},{"id":"2"}]"#).unwrap().len(), 2);
        assert!(split_array("<html>").unwrap_err().contains("JSON list"));
        assert!(split_array("[{\"id\":").unwrap_err().contains("cut short"));
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
    fn ids_compare_as_numbers() {
        assert!(newer("110", "99"));
        assert!(newer("117652210844581921", "117652210844581920"));
        assert!(!newer("99", "99"));
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
}
