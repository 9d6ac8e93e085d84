//! A Bluesky timeline kept live over Jetstream (ARCHITECTURE.md, "Bluesky
//! live"): the bluesky source reads `getTimeline` at start, then hands the
//! following over to [`follow`] while `jetstream` is set.
//!
//! It subscribes to the posts and reposts of the accounts the reader
//! follows (and the reader's own), fetches each new post with `getPosts`
//! (25 a call, gathered for a moment so a burst is one call), skips the
//! replies the Following feed would not show (to someone the reader does
//! not follow), removes deleted posts, and reads the timeline's first page
//! when a repost comes (Jetstream names the reposter, the timeline says
//! how it reads). A dropped connection is opened again with the `cursor`
//! of the last event, a little before it, so nothing is lost (the store
//! and the seen keys drop what comes twice); after a gap longer than
//! [`REPLAY_WINDOW`] it goes back to `getTimeline`. A Jetstream that
//! cannot be reached three times running leaves the source polling for
//! [`PAUSE`].

use super::bluesky::{Read, Seen, fetch};
use super::{Sink, SourceState};
use crate::config::{BlueskyFeed, BlueskySpec};
use crate::net::bluesky::Client;
use crate::net::http::Backoff;
use crate::net::jetstream::{self, Event, MAX_WANTED_DIDS, What};
use std::collections::HashSet;
use std::time::Duration;
use tokio::time::Instant;

/// How far back Jetstream replays: after a longer gap the timeline is read
/// instead (public instances keep about a day).
pub const REPLAY_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);
/// How long the source polls before it tries Jetstream again, once it
/// could not be reached.
pub const PAUSE: Duration = Duration::from_secs(15 * 60);
/// Attempts to open the stream before the source polls instead.
const TRIES: u32 = 3;
/// A reconnect replays from this long before the last event seen.
const REWIND_US: i64 = 2_000_000;
/// New posts wait this long for others to share a `getPosts` call.
const GATHER: Duration = Duration::from_millis(250);
/// How many posts one `getPosts` call takes.
const POSTS_PER_CALL: usize = 25;
/// A reposted post is read from the timeline after this long (the AppView
/// indexes it first).
const REPOST_SETTLE: Duration = Duration::from_secs(2);
/// A stream silent this long is asked for a pong, and given up on when
/// it stays silent [`PONG_WAIT`] more.
const QUIET: Duration = Duration::from_secs(180);
const PONG_WAIT: Duration = Duration::from_secs(30);
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Where following left off, kept across runs of [`follow`].
#[derive(Debug, Default)]
pub(super) struct Jet {
    /// The time of the last event, in microseconds.
    cursor: Option<i64>,
    /// Not before then, after it could not be reached.
    paused_until: Option<Instant>,
}

impl Jet {
    /// Whether the source should follow Jetstream now (it is set, for
    /// the timeline, and not paused).
    pub(super) fn wanted(&mut self, spec: &BlueskySpec) -> bool {
        if spec.jetstream.is_none() || spec.feed != BlueskyFeed::Timeline {
            return false;
        }
        match self.paused_until {
            Some(until) if Instant::now() < until => false,
            _ => {
                self.paused_until = None;
                true
            }
        }
    }
}

/// How following ended.
pub(super) enum Ended {
    /// The app is gone.
    Closed,
    /// Read the timeline again: a gap too long to replay, or the follows
    /// could not be read.
    Gap,
    /// Jetstream cannot be reached: poll for a while; why, for the log.
    Unreachable(String),
}

/// Follows Jetstream until it ends (see [`Ended`]); the timeline was read
/// just before.
pub(super) async fn follow(
    client: &mut Client,
    sink: &Sink,
    seen: &mut Seen,
    spec: &BlueskySpec,
    jet: &mut Jet,
) -> Ended {
    let Some(endpoint) = spec.jetstream.as_deref() else {
        return Ended::Gap;
    };
    let (me, follows) = match (client.me().await, client.follows(MAX_WANTED_DIDS - 1).await) {
        (Ok(me), Ok(follows)) => (me, follows),
        (Err(e), _) | (_, Err(e)) => {
            tracing::warn!(source = %sink.source, "whom you follow is unknown, polling: {e}");
            jet.paused_until = Some(Instant::now() + PAUSE);
            return Ended::Gap;
        }
    };
    let mut dids = vec![me];
    dids.extend(follows);
    let wanted: HashSet<&str> = dids.iter().map(String::as_str).collect();
    // From a little before now: what was posted since the timeline was
    // read comes too.
    let now_us = chrono::Utc::now().timestamp_micros();
    let mut cursor = jet.cursor.unwrap_or(now_us);
    let mut backoff = Backoff::new(MAX_BACKOFF);
    let mut failures = 0;
    let mut dropped: Option<Instant> = None;
    loop {
        if dropped.is_some_and(|at| at.elapsed() > REPLAY_WINDOW) {
            jet.cursor = None;
            return Ended::Gap;
        }
        let why =
            match jetstream::subscribe(endpoint, &dids, Some(cursor.saturating_sub(REWIND_US)))
                .await
            {
                Err(e) => {
                    failures += 1;
                    if failures >= TRIES {
                        jet.paused_until = Some(Instant::now() + PAUSE);
                        return Ended::Unreachable(e.to_string());
                    }
                    e.to_string()
                }
                Ok(mut stream) => {
                    failures = 0;
                    backoff.reset();
                    if !sink.state(SourceState::Live) {
                        return Ended::Closed;
                    }
                    let mut reading = Reading {
                        client: &mut *client,
                        sink,
                        seen: &mut *seen,
                        wanted: &wanted,
                        batch: Vec::new(),
                    };
                    let ended = reading.read(&mut stream, &mut cursor).await;
                    jet.cursor = Some(cursor);
                    match ended {
                        Some(why) => why,
                        None => return Ended::Closed,
                    }
                }
            };
        dropped.get_or_insert_with(Instant::now);
        let wait = backoff.next_delay();
        tracing::info!(source = %sink.source, "Jetstream: {why}; again in {wait:?}");
        let state = SourceState::Retrying {
            seconds: wait.as_secs_f64().ceil() as u64,
            why: format!("Jetstream: {why}"),
        };
        if !sink.state(state) || !sink.pause(wait).await {
            return Ended::Closed;
        }
    }
}

/// One open stream being read.
struct Reading<'a> {
    client: &'a mut Client,
    sink: &'a Sink,
    seen: &'a mut Seen,
    /// The reader and whom they follow.
    wanted: &'a HashSet<&'a str>,
    /// New posts waiting for their `getPosts` call.
    batch: Vec<String>,
}

impl Reading<'_> {
    /// Reads until the stream ends: why, or `None` once the app is gone.
    /// `cursor` follows the events' times.
    async fn read(&mut self, stream: &mut jetstream::Stream, cursor: &mut i64) -> Option<String> {
        let mut gathered: Option<Instant> = None;
        let mut timeline_due: Option<Instant> = None;
        let mut heard = Instant::now();
        let mut pinged = false;
        loop {
            let silent_until = heard + if pinged { QUIET + PONG_WAIT } else { QUIET };
            tokio::select! {
                next = stream.next() => {
                    heard = Instant::now();
                    pinged = false;
                    let event = match next {
                        None => return Some("the server closed the stream".into()),
                        Some(Err(e)) => return Some(e.to_string()),
                        Some(Ok(event)) => event,
                    };
                    if event.time_us > 0 {
                        *cursor = (*cursor).max(event.time_us);
                    }
                    match self.on_event(event) {
                        Next::Closed => return None,
                        Next::Gather => {
                            gathered.get_or_insert_with(|| Instant::now() + GATHER);
                        }
                        Next::ReadTimeline => {
                            let due = Instant::now() + REPOST_SETTLE;
                            timeline_due = Some(timeline_due.map_or(due, |t| t.min(due)));
                        }
                        Next::On => {}
                    }
                    if self.batch.len() >= POSTS_PER_CALL {
                        gathered = Some(Instant::now());
                    }
                }
                () = sleep_until(gathered) => {
                    gathered = None;
                    if !self.hydrate().await {
                        // Read from the timeline instead, a little later.
                        timeline_due.get_or_insert_with(|| Instant::now() + REPOST_SETTLE);
                    }
                }
                () = sleep_until(timeline_due) => {
                    timeline_due = None;
                    let mut how = Read::catch_up();
                    match fetch(self.client, self.sink, self.seen, &mut how, &mut BlueskyFeed::Timeline).await {
                        Err(super::Failure::Closed) => return None,
                        Err(e) => tracing::info!(source = %self.sink.source, "the timeline was not read: {e:?}"),
                        Ok(()) => {}
                    }
                }
                () = tokio::time::sleep_until(silent_until) => {
                    if pinged {
                        return Some(format!("no answer for {} s", (QUIET + PONG_WAIT).as_secs()));
                    }
                    pinged = true;
                    if let Err(e) = stream.ping().await {
                        return Some(e.to_string());
                    }
                }
                () = self.sink.closed() => return None,
            }
        }
    }

    fn on_event(&mut self, event: Event) -> Next {
        match event.what {
            What::Post { uri, parent } => {
                // The Following feed's rule: a reply shows when it answers
                // someone the reader follows (or the reader).
                let answers_a_stranger = parent
                    .as_deref()
                    .and_then(jetstream::did_of)
                    .is_some_and(|did| !self.wanted.contains(did));
                let author_wanted =
                    jetstream::did_of(&uri).is_some_and(|d| self.wanted.contains(d));
                if answers_a_stranger
                    || !author_wanted
                    || self.seen.contains(&uri)
                    || self.batch.contains(&uri)
                {
                    return Next::On;
                }
                self.batch.push(uri);
                Next::Gather
            }
            What::Deleted { uri } => {
                if self.sink.deleted(uri) {
                    Next::On
                } else {
                    Next::Closed
                }
            }
            What::Repost { did } if self.wanted.contains(did.as_str()) => Next::ReadTimeline,
            What::Repost { .. } | What::Other => Next::On,
            What::Unreadable(why) => {
                if self.sink.skipped(format!("Jetstream message: {why}")) {
                    Next::On
                } else {
                    Next::Closed
                }
            }
        }
    }

    /// Fetches the gathered posts and sends them; false when the call
    /// failed (they are left to the next read of the timeline).
    async fn hydrate(&mut self) -> bool {
        let batch = std::mem::take(&mut self.batch);
        let mut ok = true;
        for chunk in batch.chunks(POSTS_PER_CALL) {
            let uris: Vec<&str> = chunk.iter().map(String::as_str).collect();
            let found = match self.client.posts(&uris).await {
                Ok(found) => found,
                Err(e) => {
                    tracing::info!(source = %self.sink.source, "new posts not fetched: {e}");
                    ok = false;
                    continue;
                }
            };
            let mut posts = Vec::with_capacity(found.len());
            for json in found {
                match crate::decode::decode(&json, &self.sink.source) {
                    Ok(post) => {
                        self.seen.insert(post.id.clone());
                        posts.push(post);
                    }
                    Err(e) => {
                        if !self.sink.skipped(format!("a post from Jetstream: {e}")) {
                            return true;
                        }
                    }
                }
            }
            if !self.sink.posts(posts) {
                return true;
            }
        }
        ok
    }
}

enum Next {
    On,
    Gather,
    ReadTimeline,
    Closed,
}

/// Sleeps until `when`; forever when there is nothing to wait for.
async fn sleep_until(when: Option<Instant>) {
    match when {
        Some(when) => tokio::time::sleep_until(when).await,
        None => std::future::pending().await,
    }
}
