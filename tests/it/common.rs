//! Helpers the source tests share: starting a source, collecting what it
//! sends, picking events apart, and the files and specs it reads.

use circles::config::{SourceSpec, parse};
use circles::model::Post;
use circles::model::{SourceEvent, SourceState};
use circles::source::{self, Cursors, Options};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

pub type Events = mpsc::UnboundedReceiver<SourceEvent>;

// ---- specs and files ----

/// The one source a config in TOML declares.
pub fn source_spec(toml: &str) -> SourceSpec {
    parse(toml).unwrap().sources.remove(0)
}

/// Writes `secret` and a newline to `dir/name`, with permissions `mode`.
pub fn secret_file(dir: &Path, name: &str, secret: &str, mode: u32) -> PathBuf {
    let file = dir.join(name);
    std::fs::write(&file, format!("{secret}\n")).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
    file
}

/// A file of tests/fixtures, by its path in there.
pub fn fixture_text(name: &str) -> String {
    let file = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(file).unwrap()
}

/// A JSON file of tests/fixtures, by its path in there.
pub fn fixture_json(name: &str) -> serde_json::Value {
    serde_json::from_str(&fixture_text(name)).unwrap()
}

/// A port on 127.0.0.1 that nothing listens on (bound, read, let go).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

// ---- starting a source ----

/// Starts `spec` with `options` from `cursors`; its events arrive on the
/// receiver.
pub fn start_with(spec: &SourceSpec, options: Options, cursors: Cursors) -> Events {
    let (tx, rx) = mpsc::unbounded_channel();
    source::spawn_resuming(spec, tx, options, cursors);
    rx
}

pub fn start(spec: &SourceSpec) -> Events {
    start_with(spec, Options::default(), Cursors::new())
}

/// Starts `spec` from the cursors an earlier run reported.
pub fn start_resuming<K: ToString, V: ToString>(spec: &SourceSpec, cursors: &[(K, V)]) -> Events {
    let cursors = cursors
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    start_with(spec, Options::default(), cursors)
}

// ---- receiving ----

/// Receives events until `done` says so or the source stops, failing when
/// nothing arrives for ten seconds.
pub async fn collect(
    rx: &mut Events,
    events: &mut Vec<SourceEvent>,
    done: impl Fn(&[SourceEvent]) -> bool,
) {
    while !done(events) {
        match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
            Ok(Some(event)) => events.push(event),
            Ok(None) => break,
            Err(_) => panic!("timed out; got {events:#?}"),
        }
    }
}

/// Receives events until `done` says so; fails if that takes longer than
/// `wait` or the source stops first.
pub async fn collect_within(
    rx: &mut Events,
    events: &mut Vec<SourceEvent>,
    wait: Duration,
    done: impl Fn(&[SourceEvent]) -> bool,
) {
    let deadline = Instant::now() + wait;
    while !done(events) {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(event)) => events.push(event),
            Ok(None) => panic!("the source stopped; got {events:#?}"),
            Err(_) => panic!("timed out after {wait:?}; got {events:#?}"),
        }
    }
}

/// Whatever else arrives until nothing has for `quiet`.
pub async fn drain(rx: &mut Events, events: &mut Vec<SourceEvent>, quiet: Duration) {
    while let Ok(Some(event)) = tokio::time::timeout(quiet, rx.recv()).await {
        events.push(event);
    }
}

/// Whatever else arrives within `wait` from now.
pub async fn drain_for(rx: &mut Events, events: &mut Vec<SourceEvent>, wait: Duration) {
    let until = tokio::time::Instant::now() + wait;
    while let Ok(Some(event)) = tokio::time::timeout_at(until, rx.recv()).await {
        events.push(event);
    }
}

// ---- what arrived ----

/// Every post sent, in order.
pub fn posts(events: &[SourceEvent]) -> Vec<Post> {
    events
        .iter()
        .filter_map(|e| match e {
            SourceEvent::Posts { posts, .. } => Some(posts.iter().cloned()),
            _ => None,
        })
        .flatten()
        .collect()
}

/// The ids of every post sent, in order.
pub fn post_ids(events: &[SourceEvent]) -> Vec<String> {
    posts(events).into_iter().map(|p| p.id).collect()
}

/// Every state the source reported, in order.
pub fn states(events: &[SourceEvent]) -> Vec<SourceState> {
    events
        .iter()
        .filter_map(|e| match e {
            SourceEvent::State { state, .. } => Some(state.clone()),
            _ => None,
        })
        .collect()
}

pub fn has_state(events: &[SourceEvent], wanted: &SourceState) -> bool {
    states(events).contains(wanted)
}

pub fn is_live(events: &[SourceEvent]) -> bool {
    has_state(events, &SourceState::Live)
}

/// The names the source gave what it reads (a feed's, a list's).
pub fn titles(events: &[SourceEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            SourceEvent::Titled { title, .. } => Some(title.clone()),
            _ => None,
        })
        .collect()
}

/// Why the source failed, if it did.
pub fn failed(events: &[SourceEvent]) -> Option<String> {
    states(events).into_iter().find_map(|s| match s {
        SourceState::Failed(why) => Some(why),
        _ => None,
    })
}

/// Every retry: how long it waited and why.
pub fn retrying(events: &[SourceEvent]) -> Vec<(u64, String)> {
    states(events)
        .into_iter()
        .filter_map(|s| match s {
            SourceState::Retrying { seconds, why } => Some((seconds, why)),
            _ => None,
        })
        .collect()
}

/// The problems of every line or item skipped.
pub fn skipped(events: &[SourceEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            SourceEvent::Skipped { problem, .. } => Some(problem.clone()),
            _ => None,
        })
        .collect()
}

/// Every cursor the source reported, in order.
pub fn cursors(events: &[SourceEvent]) -> Vec<(String, String)> {
    events
        .iter()
        .filter_map(|e| match e {
            SourceEvent::Cursor { key, value, .. } => Some((key.clone(), value.clone())),
            _ => None,
        })
        .collect()
}

/// Asserts that the first cursor (the first under `key`, if given) comes
/// after the last posts: a cursor follows the posts it stands for.
pub fn assert_cursor_after_posts(events: &[SourceEvent], key: Option<&str>) {
    let cursor_at = events
        .iter()
        .position(
            |e| matches!(e, SourceEvent::Cursor { key: k, .. } if key.is_none_or(|key| k == key)),
        )
        .unwrap();
    let last_posts = events
        .iter()
        .rposition(|e| matches!(e, SourceEvent::Posts { .. }))
        .unwrap();
    assert!(cursor_at > last_posts, "{events:#?}");
}

// ---- requests a wiremock server received ----

/// The requests `server` received for the path `wanted`, in order.
pub async fn requests_to(server: &wiremock::MockServer, wanted: &str) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == wanted)
        .collect()
}

/// The value of the query parameter `key` in `request`.
pub fn query(request: &wiremock::Request, key: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}
