//! Read markers kept in step with the server (ARCHITECTURE.md, "Read
//! markers"): what a source says the reader has read elsewhere is seen
//! here, and what the reader sees here moves the server's marker.
//!
//! A source that syncs one sends `SourceEvent::ReadMarker` once it has
//! asked its server (with no mark when the server has none yet); only
//! then does reading here send anything back. A marker goes out a few
//! seconds after the reader first moves it ([`SEND_AFTER`]), so paging
//! through fifty posts is one call, and at once on quitting.

use super::{AppState, Effect};
use crate::model::{Mark, Marker, Post};
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::HashMap;

/// How long a moved marker waits before it is sent, taking whatever the
/// reader reads meanwhile along.
pub const SEND_AFTER: TimeDelta = TimeDelta::seconds(3);
/// How long a marker the server refused waits before it is tried again.
pub const RETRY_AFTER: TimeDelta = TimeDelta::seconds(30);

/// Every syncing source's marker.
#[derive(Debug, Clone, Default)]
pub struct Markers {
    by_source: HashMap<String, Synced>,
}

#[derive(Debug, Clone)]
struct Synced {
    marker: Marker,
    /// The furthest position known: the server's, or the reader's since.
    mark: Option<Mark>,
    /// When the reader's position is to be sent, if it is ahead of the
    /// server's.
    due: Option<DateTime<Utc>>,
}

impl Markers {
    /// Whether `post`, from `source`, was read by the server's marker.
    pub fn covers(&self, source: &str, post: &Post) -> bool {
        self.by_source
            .get(source)
            .and_then(|s| Some(s.marker.covers(s.mark.as_ref()?, post)))
            .unwrap_or(false)
    }

    /// When the next marker is to be sent.
    pub fn due(&self) -> Option<DateTime<Utc>> {
        self.by_source.values().filter_map(|s| s.due).min()
    }
}

/// The server says where `source`'s marker is: what lies before it is
/// seen. A mark behind what the reader read here since is left be.
pub(super) fn heard(state: &mut AppState, source: &str, marker: Marker, mark: Option<Mark>) {
    let synced = state
        .markers
        .by_source
        .entry(source.to_string())
        .or_insert(Synced {
            marker,
            mark: None,
            due: None,
        });
    synced.marker = marker;
    let Some(mark) = mark else {
        return;
    };
    if synced.mark.as_ref().is_some_and(|m| !mark.is_after(m)) {
        return;
    }
    synced.mark = Some(mark.clone());
    // The server is further on than anything the reader had to send.
    synced.due = None;
    let read: Vec<_> = state
        .timeline
        .entries()
        .filter(|(_, e)| !e.seen && e.post.source == source && marker.covers(&mark, &e.post))
        .map(|(id, _)| id)
        .collect();
    for id in read {
        state.timeline.mark_seen(id);
    }
}

/// Moves the markers of the sources whose posts the reader has just seen,
/// and sends those that are due. Called after every action.
pub(super) fn read_further(state: &mut AppState, effects: &mut Vec<Effect>) {
    let markers = &mut state.markers.by_source;
    if !markers.is_empty() {
        for &id in state.timeline.newly_seen() {
            let Some(entry) = state.timeline.get(id) else {
                continue;
            };
            let Some(synced) = markers.get_mut(&entry.post.source) else {
                continue;
            };
            let Some(at) = synced.marker.position(&entry.post) else {
                continue;
            };
            if synced.mark.as_ref().is_none_or(|m| at.is_after(m)) {
                synced.mark = Some(at);
                synced.due.get_or_insert(state.now + SEND_AFTER);
            }
        }
    }
    let now = state.now;
    send(state, effects, |due| due <= now);
}

/// Sends every marker not sent yet, due or not (the app is quitting).
pub(super) fn send_all(state: &mut AppState, effects: &mut Vec<Effect>) {
    send(state, effects, |_| true);
}

fn send(state: &mut AppState, effects: &mut Vec<Effect>, ready: impl Fn(DateTime<Utc>) -> bool) {
    for (source, synced) in &mut state.markers.by_source {
        if let (Some(due), Some(mark)) = (synced.due, &synced.mark)
            && ready(due)
        {
            synced.due = None;
            effects.push(Effect::MarkRead {
                source: source.clone(),
                marker: synced.marker,
                mark: mark.clone(),
            });
        }
    }
}

/// What became of a marker sent: a refusal is said once and the marker
/// tried again later, unless the reader has moved it since.
pub(super) fn sent(state: &mut AppState, source: &str, mark: Mark, result: Result<(), String>) {
    let Err(why) = result else {
        return;
    };
    state.message = Some(format!("read position not saved on {source}: {why}"));
    if let Some(synced) = state.markers.by_source.get_mut(source)
        && synced.mark.as_ref() == Some(&mark)
    {
        synced.due.get_or_insert(state.now + RETRY_AFTER);
    }
}
