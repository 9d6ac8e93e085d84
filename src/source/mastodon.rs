//! The Mastodon source: one timeline of one instance (home, local, public,
//! mentions, a list or a hashtag), a loop over [`net::mastodon::Client`].
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
//! Rate limits are the client's: a 429 waits for `Retry-After`, and a spent
//! budget holds the next request until the reset (shown as retrying).

use super::{Cursors, Failure, Sink, SourceState};
use crate::config::{MastodonSpec, Timeline};
use crate::decode::decode;
use crate::model::{Marker, newer_id as newer, sanitize_line};
use crate::net::http::Backoff;
use crate::net::mastodon::{Client, Event, MAX_EVENT_BYTES, Opened, PAGE, Page, Stream};
use crate::net::{self, secret};
use serde::Deserialize;
use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Posts read back on start.
const BACKFILL: usize = 200;
/// Tries of one page of the backfill before the rest is given up (the
/// source then runs with what it has, and says the backfill is incomplete).
const PAGE_TRIES: u32 = 4;
/// Pages the catch-up after a disconnect reads forward before it gives up
/// on the gap and starts again from the newest posts.
const GAP_PAGES: usize = 25;
/// The longest wait between two attempts after failures.
const MAX_BACKOFF: Duration = Duration::from_secs(5 * 60);
/// The streaming server sends a heartbeat every few seconds; a stream that
/// stays silent this long is a dead connection.
const STREAM_IDLE: Duration = Duration::from_secs(90);
/// Failed attempts to open the stream (with REST still working) before
/// the source polls instead, and for how long.
const STREAM_FAILURES: u32 = 3;
const STREAM_PAUSE: Duration = Duration::from_secs(15 * 60);

/// The cursor with the newest id seen, where the next start catches up from.
const SINCE_ID: &str = "since_id";
/// The cursor naming the instance and timeline `since_id` belongs to.
const SCOPE: &str = "timeline";
/// Bookmarks and favourites: the ids on top of the newest page (space
/// separated), where the next read (and the next start) stops reading
/// down.
const TOP: &str = "top";
/// How many of the newest page's ids are kept as [`TOP`]: the read stops
/// at any of them, so one taken out meanwhile (unbookmarked) costs nothing.
const TOP_IDS: usize = 20;

pub(super) async fn run(sink: Sink, spec: MastodonSpec, cursors: Cursors) {
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

/// Whether the source follows the streaming API.
#[derive(Debug, Clone, Copy)]
enum Streaming {
    On,
    /// The instance does not stream this timeline (to us): poll for good.
    Off,
    /// Streaming kept failing: poll until then, and try again.
    PausedUntil(Instant),
}

/// What one REST page held.
#[derive(Debug, Default)]
struct Delivered {
    count: usize,
    newest: Option<String>,
    oldest: Option<String>,
    /// The page held one of [`Mastodon::stop_at`]: it and what is below
    /// it were not sent.
    reached: bool,
    /// The ids of the page's first items (up to [`TOP_IDS`]).
    firsts: Vec<String>,
}

struct Mastodon {
    sink: Sink,
    spec: MastodonSpec,
    client: Client,
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
    /// Why the backfill stopped short, if it did.
    incomplete: Option<String>,
    /// The id of the account or list whose posts the server answered 404
    /// for, while it is looked up again: found under the same id again, it
    /// is gone for good.
    gone: Option<String>,
    /// The state last sent (shared with the rate-limit hook, which sends
    /// its waits too).
    last_state: Arc<Mutex<Option<SourceState>>>,
    /// The notifications come grouped (`/api/v2/notifications`) until the
    /// server says it has no such thing (before Mastodon 4.3).
    grouped: bool,
    /// The server's read marker for this timeline, while it keeps one for
    /// us: the last mark told, and when to ask again.
    marker: Option<(Marker, Option<Option<String>>)>,
    next_marker: Instant,
    /// `list:Title` found among the account's lists: the list by its id.
    resolved: Option<Timeline>,
    /// Bookmarks and favourites: the ids on top when last read whole, and
    /// those last reported (see [`TOP`]).
    top: Vec<String>,
    top_reported: Vec<String>,
    /// The ids on top of the newest page of the read under way: `top`
    /// once the read is through (a read cut short keeps the old `top`, so
    /// the next one reads down to it again).
    new_top: Option<Vec<String>>,
    /// While reading down to `top`: the ids to stop at.
    stop_at: Vec<String>,
}

impl Mastodon {
    fn new(sink: Sink, spec: MastodonSpec) -> Result<Self, String> {
        let token = match &spec.token {
            Some(from) => {
                Some(secret::load(from, "Mastodon access token").map_err(|e| e.to_string())?)
            }
            None if needs_token(&spec.timeline) => {
                return Err(format!(
                    "the {} timeline needs an access token: create one under Preferences → \
                     Development on {} (scope `read`), then add token_env = \"VARIABLE\" \
                     or token_file = \"path\" (mode 600) to the source `{}`",
                    spec.timeline.name(),
                    spec.instance,
                    sink.source
                ));
            }
            None => None,
        };
        let origin = spec.token.as_ref().map(|t| t.origin()).unwrap_or_default();
        let mut client = Client::new(&spec.instance, token, origin).map_err(|e| e.to_string())?;
        // A call held back by the rate limit shows as a wait in the bar.
        let last_state = Arc::new(Mutex::new(None));
        let (waits, shown) = (sink.clone(), Arc::clone(&last_state));
        client.pacer().on_wait(Arc::new(move |wait: Duration| {
            let state = SourceState::Retrying {
                seconds: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
                why: "rate limit reached".into(),
            };
            if let Ok(mut shown) = shown.lock() {
                *shown = Some(state.clone());
            }
            waits.state(state);
        }));
        Ok(Mastodon {
            sink,
            client,
            newest: None,
            reported: None,
            scope_reported: false,
            first_read: true,
            backoff: Backoff::new(MAX_BACKOFF),
            streaming: Streaming::On,
            stream_failures: 0,
            incomplete: None,
            gone: None,
            last_state,
            grouped: spec.timeline == Timeline::Notifications,
            marker: match spec.timeline {
                Timeline::Home => Some((Marker::Home, None)),
                Timeline::Notifications => Some((Marker::Notifications, None)),
                _ => None,
            },
            next_marker: Instant::now(),
            resolved: None,
            top: Vec::new(),
            top_reported: Vec::new(),
            new_top: None,
            stop_at: Vec::new(),
            spec,
        })
    }

    /// What `timeline` says: the instance and the timeline, so a cursor
    /// left by another configuration is not taken for this one.
    fn scope(&self) -> String {
        let base = self.client.base();
        // What an account's timeline leaves out is part of it: the replies
        // left out before are read when they no longer are.
        let without = match &self.spec.timeline {
            Timeline::User(_, exclude) => [
                (exclude.replies, " -replies"),
                (exclude.reblogs, " -reblogs"),
            ]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, word)| *word)
            .collect(),
            _ => String::new(),
        };
        format!(
            "{}{} {}{without}",
            base.origin().ascii_serialization(),
            base.path().trim_end_matches('/'),
            self.spec.timeline.name()
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
            self.top = cursors
                .get(TOP)
                .map(|t| {
                    t.split_whitespace()
                        .filter(|id| id.len() <= 64)
                        .take(TOP_IDS)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            self.top_reported = self.top.clone();
        }
    }

    /// Bookmarks and favourites, which page by ids of their own: the
    /// first read pages back like any backfill; later ones read from the
    /// newest page down to the items on top last time. The new top is
    /// taken, and reported, only once the whole read arrived.
    async fn read_links(&mut self) -> Result<(), Failure> {
        self.new_top = None;
        if self.top.is_empty() {
            self.backfill().await?;
        } else {
            self.read_down_to_top().await?;
        }
        if let Some(top) = self.new_top.take() {
            self.top = top;
        }
        if self.top == self.top_reported || self.top.is_empty() {
            return Ok(());
        }
        self.top_reported = self.top.clone();
        if self.sink.cursor(TOP, &self.top.join(" ")) {
            Ok(())
        } else {
            Err(Failure::Closed)
        }
    }

    /// From the newest page down to the first item that was on top last
    /// time (at most [`GAP_PAGES`] pages), sending only what is above it.
    async fn read_down_to_top(&mut self) -> Result<(), Failure> {
        self.stop_at = self.top.clone();
        let mut page = Page::Newest;
        let mut read = Ok(());
        for _ in 0..GAP_PAGES {
            match self.page(page).await {
                Ok((delivered, Some(next))) if !delivered.reached && delivered.count > 0 => {
                    page = Page::Link(next)
                }
                Ok(_) => break,
                Err(e) => {
                    read = Err(e);
                    break;
                }
            }
        }
        self.stop_at.clear();
        read
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

    /// The timeline the calls read: a list named by its title is read by
    /// its id once found.
    fn timeline(&self) -> &Timeline {
        self.resolved.as_ref().unwrap_or(&self.spec.timeline)
    }

    /// Finds `list:Title` among the account's lists (`list:<id>` needs no
    /// finding); a title no list has is said with the lists there are.
    async fn resolve_list(&mut self) -> Result<(), Failure> {
        if let Timeline::User(acct, exclude) = &self.spec.timeline
            && self.resolved.is_none()
        {
            let (acct, exclude) = (acct.clone(), *exclude);
            let (id, name) = self.client.lookup(&acct).await.map_err(|e| match e {
                net::Error::Status { status: 404, .. } => Failure::Fatal(format!(
                    "timeline = \"user:@{acct}\": {} finds no such account",
                    self.client.base().as_str().trim_end_matches('/')
                )),
                other => Failure::from(other),
            })?;
            if self.gone.take().as_deref() == Some(id.as_str()) {
                return Err(Failure::Fatal(format!(
                    "timeline = \"user:@{acct}\": {} has the account but will not show its posts \
                     (404)",
                    self.client.base().as_str().trim_end_matches('/')
                )));
            }
            self.resolved = Some(Timeline::User(id, exclude));
            // Named in the status bar by the account's name, or handle.
            let title = if name.trim().is_empty() {
                format!("@{acct}")
            } else {
                name
            };
            if !self.sink.titled(&title) {
                return Err(Failure::Closed);
            }
            return Ok(());
        }
        let Timeline::List(wanted) = &self.spec.timeline else {
            return Ok(());
        };
        if self.resolved.is_some() {
            return Ok(());
        }
        let wanted = wanted.clone();
        let by_id = wanted.bytes().all(|b| b.is_ascii_digit());
        let lists = match self.client.lists().await {
            Ok(lists) => lists,
            // By id it is read all the same, without its title.
            Err(e) if by_id => {
                tracing::info!(source = %self.sink.source, "the list's title is not known: {e}");
                Vec::new()
            }
            Err(e) => return Err(Failure::from(e)),
        };
        let found = lists
            .iter()
            .find(|(id, title)| {
                if by_id {
                    id == &wanted
                } else {
                    title == &wanted
                }
            })
            .or_else(|| lists.iter().find(|(_, t)| t.eq_ignore_ascii_case(&wanted)));
        match found {
            Some((id, _)) if self.gone.take().as_ref() == Some(id) => Err(Failure::Fatal(format!(
                "timeline = \"list:{wanted}\": {} lists “{wanted}” but will not show its posts (404)",
                self.client.base().as_str().trim_end_matches('/')
            ))),
            Some((id, title)) => {
                self.resolved = Some(Timeline::List(id.clone()));
                if !self.sink.titled(title) {
                    return Err(Failure::Closed);
                }
                Ok(())
            }
            // A list by id the account's lists do not show: the timeline
            // call says what the server thinks of it.
            None if by_id => {
                self.resolved = Some(Timeline::List(wanted));
                Ok(())
            }
            None => {
                let names: Vec<String> = lists.iter().map(|(_, t)| format!("“{t}”")).collect();
                let have = if names.is_empty() {
                    "the account has no lists".to_string()
                } else {
                    format!("its lists are {}", names.join(", "))
                };
                Err(Failure::Fatal(format!(
                    "timeline = \"list:{wanted}\": {} has no list titled “{wanted}”; {have} \
                     (a title, or list:<id>)",
                    self.client.base().as_str().trim_end_matches('/')
                )))
            }
        }
    }

    async fn run(&mut self) {
        loop {
            if matches!(self.last_state(), None | Some(SourceState::Retrying { .. }))
                && !self.set_state(SourceState::Connecting)
            {
                return;
            }
            if let Err(problem) = self.resolve_list().await {
                if self.recover(problem).await {
                    continue;
                }
                return;
            }
            // The stream is opened before the catch-up so that nothing
            // posted in between is lost.
            let stream = if self.wants_stream() {
                match self.client.open_stream(&self.timeline().clone()).await {
                    Ok(Opened::Stream(stream)) => Some(stream),
                    Ok(Opened::Unsupported(why)) => {
                        tracing::info!(source = %self.sink.source, "no streaming, polling: {why}");
                        self.streaming = Streaming::Off;
                        None
                    }
                    Err(e) if e.is_transient() => {
                        self.stream_failures += 1;
                        if self.stream_failures >= STREAM_FAILURES {
                            tracing::warn!(source = %self.sink.source, "streaming keeps failing, polling for a while: {e}");
                            self.streaming = Streaming::PausedUntil(Instant::now() + STREAM_PAUSE);
                            self.stream_failures = 0;
                            None
                        } else {
                            if !self.wait_and_retry(e.to_string(), e.wait()).await {
                                return;
                            }
                            continue;
                        }
                    }
                    Err(e) => {
                        let failure = self.failure(e);
                        if !self.recover(failure).await {
                            return;
                        }
                        continue;
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
            // A request went through: the next failure waits from the start.
            self.backoff.reset();
            if !self.read_marker().await {
                return;
            }
            let Some(stream) = stream else {
                if !self.set_state(self.live()) {
                    return;
                }
                if !self.sink.pause(self.spec.poll).await {
                    return;
                }
                continue;
            };
            self.stream_failures = 0;
            if !self.set_state(self.live()) {
                return;
            }
            let Some(why) = self.read_stream(stream).await else {
                return;
            };
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
            SourceState::Failed(why) => SourceState::Failed(self.client.redact(&why)),
            SourceState::Retrying { seconds, why } => SourceState::Retrying {
                seconds,
                why: self.client.redact(&why),
            },
            other => other,
        };
        let Ok(mut last) = self.last_state.lock() else {
            return self.sink.state(state);
        };
        if last.as_ref() == Some(&state) {
            return !self.sink.is_closed();
        }
        *last = Some(state.clone());
        drop(last);
        self.sink.state(state)
    }

    fn last_state(&self) -> Option<SourceState> {
        self.last_state.lock().ok().and_then(|s| s.clone())
    }

    fn skip(&self, problem: String) -> bool {
        self.sink.skipped(self.client.redact(&problem))
    }

    /// What a failed call means for this timeline.
    fn failure(&mut self, e: net::Error) -> Failure {
        if let net::Error::Status {
            status: 404 | 410, ..
        } = &e
        {
            // The account or list these posts are read by has gone from
            // under its id (deleted, made again, or the server's ids
            // changed): looked up again by its handle or title, which says
            // if it is gone for good.
            let again = match &self.spec.timeline {
                Timeline::User(..) => Some("the account"),
                Timeline::List(wanted) if !wanted.bytes().all(|b| b.is_ascii_digit()) => {
                    Some("the list")
                }
                _ => None,
            };
            if let Some(what) = again
                && let Some(Timeline::User(id, _) | Timeline::List(id)) = self.resolved.take()
            {
                self.gone = Some(id);
                return Failure::retry(format!("{e}; looking {what} up again"));
            }
            let instance = self.client.base().as_str().trim_end_matches('/');
            return Failure::Fatal(match self.timeline() {
                Timeline::List(id) => format!(
                    "timeline = \"{}\": {instance} has no list {id} for this account ({e})",
                    self.spec.timeline.name()
                ),
                _ => format!("{e}: is {instance} a Mastodon server?"),
            });
        }
        Failure::from(e)
    }

    /// Handles a failed step; false when the source should stop.
    async fn recover(&mut self, problem: Failure) -> bool {
        match problem {
            Failure::Closed => false,
            Failure::Fatal(why) => {
                self.set_state(SourceState::Failed(why));
                false
            }
            Failure::Retry { why, wait } => self.wait_and_retry(why, wait).await,
        }
    }

    /// Reports `Retrying` and waits: `wait` if the server asked for it, else
    /// the next backoff delay. False once the app is gone.
    async fn wait_and_retry(&mut self, why: String, wait: Option<Duration>) -> bool {
        let delay = match wait {
            Some(wait) => wait.min(net::pace::MAX_SERVER_WAIT),
            None => self.backoff.next_delay(),
        };
        let seconds = delay.as_secs() + u64::from(delay.subsec_nanos() > 0);
        self.set_state(SourceState::Retrying { seconds, why }) && self.sink.pause(delay).await
    }

    // ---- REST ----

    /// One page, decoded and sent.
    async fn page(&mut self, page: Page) -> Result<(Delivered, Option<reqwest::Url>), Failure> {
        if self.grouped {
            match self.client.notification_groups(page.clone()).await {
                Ok(items) => {
                    let delivered = self.deliver_groups(&items.body, &items.what)?;
                    return Ok((delivered, items.next));
                }
                // No grouped notifications here: the plain ones, from now on.
                Err(e) if matches!(e.status(), Some(404 | 410)) => {
                    tracing::info!(source = %self.sink.source, "no grouped notifications: {e}");
                    self.grouped = false;
                }
                Err(e) => return Err(self.failure(e)),
            }
        }
        let timeline = self.timeline().clone();
        let newest_page = matches!(page, Page::Newest);
        let after = match &page {
            Page::After(id) => Some(id.clone()),
            _ => None,
        };
        let items = match self.client.timeline(&timeline, page).await {
            Ok(items) => items,
            Err(e) => return Err(self.failure(e)),
        };
        let mut delivered = self.deliver(&items.body, &items.what, after.as_deref())?;
        if newest_page && pages_by_link_only(&timeline) {
            self.new_top = Some(std::mem::take(&mut delivered.firsts));
        }
        Ok((delivered, items.next))
    }

    /// Reads the newest posts, paging back until [`BACKFILL`] or the end. A
    /// page after the first that fails is tried again (with the backoff,
    /// shown as retrying) up to [`PAGE_TRIES`] times; then the backfill
    /// stops there, and the source says it is incomplete.
    async fn backfill(&mut self) -> Result<(), Failure> {
        // A poll of a timeline that is still empty is no news.
        if !matches!(
            self.last_state(),
            Some(SourceState::Live | SourceState::Incomplete(_))
        ) && !self.set_state(SourceState::Loading)
        {
            return Err(Failure::Closed);
        }
        let mut page = Page::Newest;
        let mut got = 0;
        let mut tries = 0;
        loop {
            let (delivered, next) = match self.page(page.clone()).await {
                Ok(answer) => answer,
                // The first page failing is the server failing: the run
                // loop retries it all, as it does when the account or list
                // is to be looked up again.
                Err(Failure::Retry { why, wait }) if got > 0 && self.gone.is_none() => {
                    tries += 1;
                    if tries >= PAGE_TRIES {
                        tracing::warn!(source = %self.sink.source, "backfill given up: {why}");
                        self.incomplete = Some(why);
                        return Ok(());
                    }
                    if !self.wait_and_retry(why, wait).await {
                        return Err(Failure::Closed);
                    }
                    continue;
                }
                Err(other) => return Err(other),
            };
            tries = 0;
            self.backoff.reset();
            got += delivered.count;
            if got >= BACKFILL || delivered.count == 0 {
                return Ok(());
            }
            page = match (next, delivered.oldest) {
                (Some(next), _) => Page::Link(next),
                // No Link header: page back by hand from a full page.
                (None, Some(oldest)) if delivered.count >= PAGE => Page::Before(oldest),
                _ => return Ok(()),
            };
        }
    }

    /// Live, or live with the backfill cut short.
    fn live(&self) -> SourceState {
        match &self.incomplete {
            Some(why) => SourceState::Incomplete(format!("backfill incomplete: {why}")),
            None => SourceState::Live,
        }
    }

    /// Reads everything newer than `since`, oldest page first, so a gap
    /// left by a disconnect is filled.
    async fn fill_gap(&mut self, since: String) -> Result<(), Failure> {
        let mut cursor = since;
        for _ in 0..GAP_PAGES {
            let (delivered, _) = self.page(Page::After(cursor.clone())).await?;
            match delivered.newest {
                // A server that ignores `min_id` sends the same page again.
                Some(newest) if newer(&newest, &cursor) => cursor = newest,
                _ => return Ok(()),
            }
            if delivered.count < PAGE {
                return Ok(());
            }
        }
        tracing::warn!(
            source = %self.sink.source,
            "more than {} posts missed; reading from the newest again",
            GAP_PAGES * PAGE
        );
        self.newest = None;
        self.backfill().await
    }

    async fn catch_up(&mut self) -> Result<(), Failure> {
        match self.newest.clone() {
            // What was bookmarked or favourited since shows first.
            _ if pages_by_link_only(&self.spec.timeline) => {
                self.read_links().await?;
            }
            None => self.backfill().await?,
            Some(since) => {
                // Resumed from a cursor: reading what came in meanwhile.
                if self.first_read && !self.set_state(SourceState::Loading) {
                    return Err(Failure::Closed);
                }
                self.fill_gap(since).await?;
            }
        }
        self.first_read = false;
        Ok(())
    }

    /// Decodes a page (a JSON list of statuses or notifications) and sends
    /// its posts; an item that cannot be read is skipped and reported, the
    /// others still arrive. A page asked for `after` an id keeps only what
    /// is newer: a server that ignores `min_id` (a search, on some) answers
    /// with what the last run already had.
    fn deliver(
        &mut self,
        body: &str,
        what: &str,
        after: Option<&str>,
    ) -> Result<Delivered, Failure> {
        // Each item with its id, read once.
        let mut items: Vec<(&str, Option<String>)> = split_array(body)
            .map_err(|why| Failure::retry(format!("{what}: {why}")))?
            .into_iter()
            .map(|item| (item, item_id(item)))
            .collect();
        if let Some(after) = after {
            items.retain(|(_, id)| id.as_deref().is_none_or(|id| newer(id, after)));
        }
        // Only bookmarks and favourites keep what is on top.
        let firsts: Vec<String> = if pages_by_link_only(self.timeline()) {
            items
                .iter()
                .take(TOP_IDS)
                .filter_map(|(_, id)| id.clone())
                .filter(|id| !id.contains(char::is_whitespace))
                .collect()
        } else {
            Vec::new()
        };
        let mut reached = false;
        if !self.stop_at.is_empty()
            && let Some(at) = items
                .iter()
                .position(|(_, id)| id.as_ref().is_some_and(|id| self.stop_at.contains(id)))
        {
            items.truncate(at);
            reached = true;
        }
        let mut page = Delivered {
            count: items.len(),
            firsts,
            reached,
            ..Delivered::default()
        };
        let mut posts = Vec::with_capacity(items.len());
        let total = items.len();
        for (index, (item, id)) in items.into_iter().enumerate() {
            if let Some(id) = id {
                if page.newest.as_deref().is_none_or(|n| newer(&id, n)) {
                    page.newest = Some(id.clone());
                }
                if page.oldest.as_deref().is_none_or(|o| newer(o, &id)) {
                    page.oldest = Some(id);
                }
            }
            match decode(item, &self.sink.source) {
                Ok(post) => posts.push(post),
                Err(e) => {
                    if !self.skip(format!("{what}: item {} of {total}: {e}", index + 1)) {
                        return Err(Failure::Closed);
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
            Err(Failure::Closed)
        }
    }

    /// Decodes a page of grouped notifications and sends a card for each
    /// group; a group that cannot be read is skipped and reported.
    fn deliver_groups(&mut self, body: &str, what: &str) -> Result<Delivered, Failure> {
        let page = crate::decode::decode_notification_groups(body, &self.sink.source)
            .map_err(|e| Failure::retry(format!("{what}: {e}")))?;
        for problem in page.problems {
            if !self.skip(format!("{what}: {problem}")) {
                return Err(Failure::Closed);
            }
        }
        if let Some(id) = &page.newest {
            self.saw(id);
        }
        if self.sink.posts(page.posts) && self.report_cursor() {
            Ok(Delivered {
                count: page.count,
                newest: page.newest,
                oldest: page.oldest,
                ..Delivered::default()
            })
        } else {
            Err(Failure::Closed)
        }
    }

    /// Remembers an id as the newest seen if it is.
    fn saw(&mut self, id: &str) {
        if self.newest.as_deref().is_none_or(|n| newer(id, n)) {
            self.newest = Some(id.to_string());
        }
    }

    // ---- read markers ----

    /// Asks the server where the reader's read marker is and tells the app
    /// when it moved; false once the app is gone. A server or token
    /// without markers is asked no more.
    async fn read_marker(&mut self) -> bool {
        let Some((marker, told)) = self.marker.clone() else {
            return true;
        };
        self.next_marker = Instant::now() + self.spec.poll;
        match self.client.marker(marker.timeline()).await {
            Ok(mark) if told.as_ref() == Some(&mark) => true,
            Ok(mark) => {
                self.marker = Some((marker, Some(mark.clone())));
                self.sink
                    .read_marker(marker, mark.map(crate::model::Mark::Id))
            }
            Err(e) if matches!(e.status(), Some(401 | 403 | 404 | 410)) => {
                tracing::info!(source = %self.sink.source, "no read markers: {}", self.client.redact(&e.to_string()));
                self.marker = None;
                true
            }
            Err(e) => {
                tracing::debug!(source = %self.sink.source, "read marker not read: {}", self.client.redact(&e.to_string()));
                true
            }
        }
    }

    // ---- streaming ----

    /// Reads the stream until it ends; returns why it ended, or `None` when
    /// the app is gone.
    async fn read_stream(&mut self, mut stream: Box<Stream>) -> Option<String> {
        loop {
            // The stream says nothing of read markers: they are asked for
            // every `poll`.
            let marker_due = tokio::time::Instant::from_std(self.next_marker);
            let next = tokio::select! {
                next = tokio::time::timeout(STREAM_IDLE, stream.next()) => next,
                () = tokio::time::sleep_until(marker_due), if self.marker.is_some() => {
                    if !self.read_marker().await {
                        return None;
                    }
                    continue;
                }
                () = self.sink.closed() => return None,
            };
            match next {
                Err(_) => {
                    return Some(format!(
                        "the stream went silent for {} s",
                        STREAM_IDLE.as_secs()
                    ));
                }
                Ok(None) => return Some("the server closed the stream".into()),
                Ok(Some(Err(e))) => return Some(e.to_string()),
                Ok(Some(Ok(event))) => {
                    if !self.on_event(event) {
                        return None;
                    }
                }
            }
        }
    }

    /// Acts on one streaming event; false once the app is gone.
    fn on_event(&mut self, event: Event) -> bool {
        let notifications = self.spec.timeline == Timeline::Notifications;
        let kind = event.kind.as_str();
        let wanted = match kind {
            "update" | "status.update" => !notifications,
            "notification" => notifications,
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
        let open = match decode(data, &self.sink.source) {
            Ok(post) if kind == "status.update" => self.sink.updated(post),
            Ok(post) => self.sink.posts(vec![post]),
            Err(e) => self.skip(format!("streaming `{kind}` event: {e}")),
        };
        open && self.report_cursor()
    }
}

fn needs_token(timeline: &Timeline) -> bool {
    matches!(
        timeline,
        Timeline::Home
            | Timeline::Notifications
            | Timeline::List(_)
            | Timeline::Bookmarks
            | Timeline::Favourites
            | Timeline::Search(_)
    )
}

/// Bookmarks and favourites page by ids of their own (the `Link` header's),
/// not by the statuses': news there is read from the newest page, never
/// asked for "after" a status id.
fn pages_by_link_only(timeline: &Timeline) -> bool {
    matches!(timeline, Timeline::Bookmarks | Timeline::Favourites)
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
