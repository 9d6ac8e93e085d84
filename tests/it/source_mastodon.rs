//! The Mastodon source against servers on 127.0.0.1: REST paging, the
//! streaming API (a hand-written server, which can drop a connection
//! mid-stream), the gap filled after a reconnect, errors and rate limits.
//!
//! Payloads are the real API shapes: Status and Notification entities as in
//! tests/fixtures, and streaming events as the Mastodon docs show them
//! (`event: update` / `data: {status}` / blank line).

use crate::common::{
    assert_cursor_after_posts, collect_within, cursors, failed, is_live, post_ids, query,
    requests_to, retrying, secret_file, skipped, source_spec, start, start_resuming, states,
};
use circles::config::SourceSpec;
use circles::model::{SourceEvent, SourceState};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockBuilder, MockServer, Request, Respond, ResponseTemplate};

const TOKEN: &str = "sekrit-token-Zq81";

// ---- payloads ----

use crate::common::fixture_json as fixture;

/// A Status entity (the fixture's shape) with its own id and text.
fn status(id: u64, text: &str) -> Value {
    let mut s = fixture("mastodon_status.json");
    s["id"] = json!(id.to_string());
    s["uri"] = json!(format!("https://mastodon.social/users/priya/statuses/{id}"));
    s["url"] = json!(format!("https://mastodon.social/@priya/{id}"));
    s["content"] = json!(format!("<p>{text}</p>"));
    s["card"] = Value::Null;
    s
}

/// A mention Notification entity with its own notification and status ids.
fn mention(id: u64, status_id: u64) -> Value {
    let mut n = fixture("mastodon_notification_mention.json");
    n["id"] = json!(id.to_string());
    n["status"]["id"] = json!(status_id.to_string());
    n
}

fn list(items: &[Value]) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(Value::Array(items.to_vec()))
}

/// One streaming event as the server frames it.
fn sse(event: &str, data: &str) -> String {
    format!("event: {event}\ndata: {data}\n\n")
}

// ---- the source under test ----

/// A token file only its owner can read, kept alive with the spec.
struct Setup {
    _dir: tempfile::TempDir,
    token_file: String,
}

fn token_file(mode: u32) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let file = secret_file(dir.path(), "token", TOKEN, mode);
    Setup {
        token_file: file.display().to_string(),
        _dir: dir,
    }
}

fn spec(instance: &str, timeline: &str, extra: &str) -> SourceSpec {
    let toml = format!(
        "[[source]]\nname = \"masto\"\nkind = \"mastodon\"\ninstance = {instance:?}\n\
         timeline = {timeline:?}\n{extra}\n"
    );
    source_spec(&toml)
}

fn with_token(setup: &Setup) -> String {
    format!("token_file = {:?}", setup.token_file)
}

/// Receives events until `done` says so; fails after a generous wait or
/// if the source stops.
async fn collect(
    rx: &mut crate::common::Events,
    events: &mut Vec<SourceEvent>,
    done: impl Fn(&[SourceEvent]) -> bool,
) {
    crate::common::collect_within(rx, events, Duration::from_secs(12), done).await;
}

/// Whatever else arrives until nothing has for 300 ms.
async fn settle(rx: &mut crate::common::Events, events: &mut Vec<SourceEvent>) {
    crate::common::drain(rx, events, Duration::from_millis(300)).await;
}

/// Receives events until the post `id` arrived, then whatever follows.
async fn until_post(rx: &mut crate::common::Events, id: &str) -> Vec<SourceEvent> {
    let mut events = Vec::new();
    collect(rx, &mut events, |e| post_ids(e).iter().any(|p| p == id)).await;
    settle(rx, &mut events).await;
    events
}

/// A GET of `at`.
fn get(at: &str) -> MockBuilder {
    Mock::given(method("GET")).and(path(at))
}

/// The states of a source that loaded what was there and went live.
const LOADED: [SourceState; 3] = [
    SourceState::Connecting,
    SourceState::Loading,
    SourceState::Live,
];

fn assert_no_token(events: &[SourceEvent]) {
    let all = format!("{events:?}");
    assert!(!all.contains(TOKEN), "the token leaked: {all}");
}

/// `/api/v1/instance`, saying the streaming API lives at `streaming`.
async fn mount_instance(server: &MockServer, streaming: &str) {
    let mut body = fixture("mastodon_api/instance_v1.json");
    body["urls"]["streaming_api"] = json!(streaming);
    get("/api/v1/instance")
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

// ---- a streaming server that can drop a connection ----

/// What one streaming connection does.
enum Conn {
    /// Sends these pieces, then cuts the connection mid-response.
    Cut(Vec<String>),
    /// Sends these pieces and stays open.
    Hold(Vec<String>),
}

/// A minimal HTTP/1.1 server for `text/event-stream` answers: connection
/// number i plays script i (the last script once they run out), and every
/// request head is recorded.
struct StreamServer {
    url: String,
    heads: Arc<Mutex<Vec<String>>>,
}

impl StreamServer {
    async fn start(scripts: Vec<Conn>) -> StreamServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}", listener.local_addr().unwrap());
        let heads = Arc::new(Mutex::new(Vec::new()));
        let seen = heads.clone();
        let scripts = Arc::new(scripts);
        tokio::spawn(async move {
            for n in 0.. {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let seen = seen.clone();
                let scripts = scripts.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut byte).await {
                            Ok(0) | Err(_) => return,
                            Ok(k) => head.extend_from_slice(&byte[..k]),
                        }
                    }
                    seen.lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&head).into_owned());
                    let script = &scripts[n.min(scripts.len() - 1)];
                    let (pieces, hold) = match script {
                        Conn::Cut(p) => (p, false),
                        Conn::Hold(p) => (p, true),
                    };
                    let mut out = String::from(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\
                         Cache-Control: no-store\r\nTransfer-Encoding: chunked\r\n\r\n",
                    );
                    for piece in pieces {
                        out.push_str(&format!("{:x}\r\n{piece}\r\n", piece.len()));
                    }
                    if socket.write_all(out.as_bytes()).await.is_err() {
                        return;
                    }
                    let _ = socket.flush().await;
                    if hold {
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                    } else {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        // Dropped without the final chunk: a broken stream.
                    }
                });
            }
        });
        StreamServer { url, heads }
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

// ---- tests ----

#[tokio::test]
async fn backfill_follows_link_headers_with_the_token_and_then_polls() {
    let server = MockServer::start().await;
    let base = server.uri();
    let setup = token_file(0o600);
    let next = format!(
        "<{base}/api/v1/timelines/home?limit=40&max_id=201>; rel=\"next\", \
         <{base}/api/v1/timelines/home?min_id=204>; rel=\"prev\""
    );
    get("/api/v1/timelines/home")
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(query_param("limit", "40"))
        .and(query_param_is_missing("max_id"))
        .and(query_param_is_missing("min_id"))
        .respond_with(
            list(&[status(204, "four"), status(203, "three")]).insert_header("link", next.as_str()),
        )
        .expect(1)
        .mount(&server)
        .await;
    get("/api/v1/timelines/home")
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(query_param("max_id", "201"))
        .respond_with(list(&[status(201, "one"), status(200, "zero")]))
        .expect(1)
        .mount(&server)
        .await;

    let mut rx = start(&spec(&base, "home", &with_token(&setup)));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, is_live).await;
    assert_eq!(post_ids(&events), ["204", "203", "201", "200"]);
    assert_eq!(states(&events), LOADED);
    // The instance had no streaming API for it: it polls instead.
    assert_eq!(
        requests_to(&server, "/api/v1/streaming/user").await.len(),
        1
    );
    assert_no_token(&events);
}

/// Answers a timeline page of 40 statuses below `max_id` (or the newest),
/// with a Link to the next page, for ever.
struct EndlessTimeline;

impl Respond for EndlessTimeline {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let top: u64 = query(request, "max_id").map_or(10_000, |m| m.parse().unwrap());
        let ids: Vec<u64> = (1..=40).map(|k| top - k).collect();
        let items: Vec<Value> = ids.iter().map(|&id| status(id, "old")).collect();
        let mut next = request.url.clone();
        next.set_query(Some(&format!("limit=40&max_id={}", ids[39])));
        list(&items).insert_header("link", format!("<{next}>; rel=\"next\"").as_str())
    }
}

#[tokio::test]
async fn backfill_stops_at_two_hundred_posts() {
    let server = MockServer::start().await;
    get("/api/v1/timelines/tag/rust")
        .respond_with(EndlessTimeline)
        .mount(&server)
        .await;
    // A hashtag needs no token.
    let mut rx = start(&spec(&server.uri(), "tag:#rust", ""));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, is_live).await;
    let ids = post_ids(&events);
    assert_eq!(ids.len(), 200);
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), 200);
    let pages = requests_to(&server, "/api/v1/timelines/tag/rust").await;
    assert_eq!(pages.len(), 5);
    assert!(
        pages
            .iter()
            .all(|r| !r.headers.contains_key("authorization"))
    );
    let streams = requests_to(&server, "/api/v1/streaming/hashtag").await;
    assert_eq!(query(&streams[0], "tag").as_deref(), Some("rust"));
}

#[tokio::test]
async fn streaming_delivers_new_edited_and_deleted_posts() {
    let edited = status(100, "edited text");
    let stream = StreamServer::start(vec![Conn::Hold(vec![
        ":)\n".into(),
        sse("update", &status(101, "streamed").to_string()),
        ":thump\n".into(),
        sse("status.update", &edited.to_string()),
        sse("delete", "99"),
        // Not for the home timeline: ignored.
        sse("notification", &mention(7, 102).to_string()),
        sse("filters_changed", "undefined"),
        sse("update", &status(103, "after").to_string()),
    ])])
    .await;
    let server = MockServer::start().await;
    mount_instance(&server, &stream.url).await;
    get("/api/v1/timelines/home")
        .respond_with(list(&[status(100, "first"), status(99, "gone soon")]))
        .mount(&server)
        .await;
    let setup = token_file(0o600);
    let mut rx = start(&spec(&server.uri(), "home", &with_token(&setup)));
    let events = until_post(&mut rx, "103").await;

    assert_eq!(post_ids(&events), ["100", "99", "101", "103"]);
    let updated: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            SourceEvent::Updated { post, .. } => Some(post),
            _ => None,
        })
        .collect();
    assert_eq!(updated.len(), 1);
    assert_eq!(updated[0].id, "100");
    assert!(
        updated[0].text.contains("edited text"),
        "{}",
        updated[0].text
    );
    assert!(events.iter().any(
        |e| matches!(e, SourceEvent::Deleted { id, source } if id == "99" && source == "masto")
    ));
    assert!(skipped(&events).is_empty(), "{:?}", skipped(&events));
    assert!(is_live(&events));
    let heads = stream.heads();
    assert_eq!(heads.len(), 1);
    assert!(
        heads[0].starts_with("GET /api/v1/streaming/user HTTP/1.1"),
        "{}",
        heads[0]
    );
    assert!(
        heads[0].to_ascii_lowercase().contains(&format!(
            "authorization: bearer {}",
            TOKEN.to_ascii_lowercase()
        )),
        "{}",
        heads[0]
    );
    assert_no_token(&events);
}

#[tokio::test]
async fn a_dropped_stream_reconnects_and_fills_the_gap_exactly_once() {
    let stream = StreamServer::start(vec![
        Conn::Cut(vec![
            ":)\n".into(),
            sse("update", &status(101, "live").to_string()),
        ]),
        Conn::Hold(vec![":)\n".into()]),
    ])
    .await;
    let server = MockServer::start().await;
    mount_instance(&server, &stream.url).await;
    // Posted while the stream was down.
    get("/api/v1/timelines/home")
        .and(query_param("min_id", "101"))
        .respond_with(list(&[status(102, "missed")]))
        .with_priority(1)
        .mount(&server)
        .await;
    get("/api/v1/timelines/home")
        .and(query_param_is_missing("min_id"))
        .respond_with(list(&[status(100, "backfill")]))
        .mount(&server)
        .await;
    let setup = token_file(0o600);
    let mut rx = start(&spec(&server.uri(), "home", &with_token(&setup)));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, |e| {
        post_ids(e).contains(&"102".into()) && states(e).last() == Some(&SourceState::Live)
    })
    .await;
    settle(&mut rx, &mut events).await;

    assert_eq!(post_ids(&events), ["100", "101", "102"]);
    let retries = retrying(&events);
    assert_eq!(retries.len(), 1, "{events:#?}");
    assert!(retries[0].0 <= 1, "the first backoff is short: {retries:?}");
    assert!(retries[0].1.contains("stream"), "{retries:?}");
    let after_drop: Vec<_> = states(&events)
        .into_iter()
        .skip_while(|s| !matches!(s, SourceState::Retrying { .. }))
        .collect();
    assert!(
        matches!(
            after_drop[..],
            [
                SourceState::Retrying { .. },
                SourceState::Connecting,
                SourceState::Live
            ]
        ),
        "{after_drop:?}"
    );
    let pages = requests_to(&server, "/api/v1/timelines/home").await;
    let gap: Vec<_> = pages.iter().filter_map(|r| query(r, "min_id")).collect();
    assert_eq!(gap, ["101"], "one catch-up from the newest id seen");
    assert_eq!(stream.heads().len(), 2);
    assert_no_token(&events);
}

#[tokio::test]
async fn a_rejected_token_fails_with_a_fix_and_without_the_token() {
    let server = MockServer::start().await;
    get("/api/v1/timelines/home")
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"error": "The access token is invalid"})),
        )
        .mount(&server)
        .await;
    let setup = token_file(0o600);
    let mut rx = start(&spec(&server.uri(), "home", &with_token(&setup)));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, |e| failed(e).is_some()).await;
    let why = failed(&events).unwrap();
    assert!(why.contains("The access token is invalid"), "{why}");
    assert!(
        why.contains(&setup.token_file),
        "says where the token is: {why}"
    );
    assert!(retrying(&events).is_empty(), "no retry with a bad token");
    assert_no_token(&events);
}

#[tokio::test]
async fn a_token_file_others_can_read_is_refused_before_any_request() {
    let server = MockServer::start().await;
    let setup = token_file(0o644);
    let mut rx = start(&spec(&server.uri(), "home", &with_token(&setup)));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, |e| failed(e).is_some()).await;
    let why = failed(&events).unwrap();
    assert!(why.contains("chmod 600") && why.contains("644"), "{why}");
    assert!(server.received_requests().await.unwrap().is_empty());
    assert_no_token(&events);
}

#[tokio::test]
async fn a_private_timeline_without_a_token_says_how_to_add_one() {
    let mut rx = start(&spec("http://127.0.0.1:9", "list:42", ""));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, |e| failed(e).is_some()).await;
    let why = failed(&events).unwrap();
    assert!(
        why.contains("list:42") && why.contains("token_env") && why.contains("token_file"),
        "{why}"
    );
}

#[tokio::test]
async fn rate_limited_requests_wait_for_retry_after() {
    let server = MockServer::start().await;
    let reset = (chrono::Utc::now() + chrono::TimeDelta::seconds(1)).to_rfc3339();
    get("/api/v1/timelines/public")
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .insert_header("x-ratelimit-limit", "300")
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", reset.as_str())
                .set_body_json(json!({"error": "Too many requests"})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    get("/api/v1/timelines/public")
        .respond_with(list(&[status(5, "finally")]))
        .mount(&server)
        .await;
    let began = Instant::now();
    let mut rx = start(&spec(&server.uri(), "public", ""));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, is_live).await;
    assert!(began.elapsed() >= Duration::from_millis(950), "waited");
    assert_eq!(post_ids(&events), ["5"]);
    let retries = retrying(&events);
    assert_eq!(retries.len(), 1, "{events:#?}");
    assert_eq!(retries[0].0, 1);
    assert!(retries[0].1.contains("rate limited"), "{retries:?}");
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff() {
    let server = MockServer::start().await;
    get("/api/v1/timelines/public")
        .respond_with(ResponseTemplate::new(503).set_body_string("<html>Bad gateway</html>"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    get("/api/v1/timelines/public")
        .and(query_param("local", "true"))
        .respond_with(list(&[status(6, "back")]))
        .mount(&server)
        .await;
    let mut rx = start(&spec(&server.uri(), "local", ""));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, is_live).await;
    assert_eq!(post_ids(&events), ["6"]);
    let retries = retrying(&events);
    assert_eq!(retries.len(), 1, "{events:#?}");
    assert!(retries[0].1.contains("503"), "{retries:?}");
    assert!(retries[0].0 <= 1, "{retries:?}");
}

#[tokio::test]
async fn a_malformed_item_is_skipped_and_the_good_ones_arrive() {
    let server = MockServer::start().await;
    let mut broken = status(8, "broken");
    broken["created_at"] = json!("last tuesday");
    let mut no_account = status(7, "no account");
    no_account["account"] = json!(42);
    get("/api/v1/timelines/public")
        .respond_with(list(&[
            status(9, "good"),
            broken,
            no_account,
            status(6, "good too"),
        ]))
        .mount(&server)
        .await;
    let mut rx = start(&spec(&server.uri(), "public", ""));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, is_live).await;
    assert_eq!(post_ids(&events), ["9", "6"]);
    let problems = skipped(&events);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("item 2 of 4"), "{problems:?}");
    assert!(problems[1].contains("item 3 of 4"), "{problems:?}");
    assert!(
        problems[0].contains("/api/v1/timelines/public"),
        "{problems:?}"
    );
}

#[tokio::test]
async fn notifications_deliver_every_kind() {
    let stream = StreamServer::start(vec![Conn::Hold(vec![
        ":)\n".into(),
        sse("notification", &mention(600, 1600).to_string()),
        // Statuses of the home timeline do not belong here.
        sse("update", &status(1700, "home").to_string()),
    ])])
    .await;
    let server = MockServer::start().await;
    mount_instance(&server, &stream.url).await;
    let favourite = fixture("mastodon_api/notification_favourite.json");
    get("/api/v1/notifications")
        .respond_with(list(&[mention(500, 1500), favourite]))
        .mount(&server)
        .await;
    let setup = token_file(0o600);
    let mut rx = start(&spec(&server.uri(), "notifications", &with_token(&setup)));
    let events = until_post(&mut rx, "1600").await;
    // The favourite is a card too, by its notification id.
    assert_eq!(
        post_ids(&events),
        ["1500", "notification:394857119", "1600"]
    );
    assert!(skipped(&events).is_empty(), "{:?}", skipped(&events));
    let asked = requests_to(&server, "/api/v1/notifications").await;
    assert_eq!(query(&asked[0], "types[]"), None, "every type is asked for");
    let heads = stream.heads();
    assert!(
        heads[0].starts_with("GET /api/v1/streaming/user/notification HTTP/1.1"),
        "{}",
        heads[0]
    );
}

#[tokio::test]
async fn without_streaming_it_polls_with_min_id() {
    let server = MockServer::start().await;
    get("/api/v1/timelines/public")
        .and(query_param("local", "true"))
        .and(query_param_is_missing("min_id"))
        .respond_with(list(&[status(300, "old")]))
        .mount(&server)
        .await;
    get("/api/v1/timelines/public")
        .and(query_param("local", "true"))
        .and(query_param("min_id", "300"))
        .respond_with(list(&[status(302, "new"), status(301, "newish")]))
        .mount(&server)
        .await;
    get("/api/v1/timelines/public")
        .and(query_param("min_id", "302"))
        .respond_with(list(&[]))
        .mount(&server)
        .await;
    // Streaming wants a token on this instance.
    get("/api/v1/streaming/public/local")
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"error": "Error: Missing access token"})),
        )
        .mount(&server)
        .await;
    let mut rx = start(&spec(&server.uri(), "local", "poll = \"5s\""));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, |e| post_ids(e).len() >= 3).await;
    assert_eq!(post_ids(&events), ["300", "302", "301"]);
    assert_eq!(states(&events), LOADED, "a poll is no news");
    let streams = requests_to(&server, "/api/v1/streaming/public/local").await;
    assert_eq!(streams.len(), 1, "streaming is not asked again");
}

// ---- resuming from cursors ----

fn since_ids(events: &[SourceEvent]) -> Vec<String> {
    cursors(events)
        .into_iter()
        .filter(|(k, _)| k == "since_id")
        .map(|(_, v)| v)
        .collect()
}

#[tokio::test]
async fn a_resumed_since_id_fills_only_the_gap_and_reports_the_new_newest() {
    let server = MockServer::start().await;
    // What a plain backfill would read: must not be asked for.
    get("/api/v1/timelines/public")
        .and(query_param_is_missing("min_id"))
        .respond_with(list(&[
            status(502, "new"),
            status(501, "newish"),
            status(500, "seen"),
        ]))
        .expect(0)
        .mount(&server)
        .await;
    get("/api/v1/timelines/public")
        .and(query_param("min_id", "500"))
        .respond_with(list(&[status(502, "new"), status(501, "newish")]))
        .mount(&server)
        .await;
    get("/api/v1/timelines/public")
        .and(query_param("min_id", "502"))
        .respond_with(list(&[]))
        .mount(&server)
        .await;
    let mut rx = start_resuming(&spec(&server.uri(), "public", ""), &[("since_id", "500")]);
    let mut events = Vec::new();
    collect(&mut rx, &mut events, is_live).await;
    settle(&mut rx, &mut events).await;

    assert_eq!(
        post_ids(&events),
        ["502", "501"],
        "only what came after 500"
    );
    let pages = requests_to(&server, "/api/v1/timelines/public").await;
    assert_eq!(
        query(&pages[0], "min_id").as_deref(),
        Some("500"),
        "the first request fills the gap"
    );
    assert!(pages.iter().all(|r| query(r, "min_id").is_some()));
    assert_eq!(since_ids(&events), ["502"]);
    // The cursor comes after the posts it stands for.
    assert_cursor_after_posts(&events, Some("since_id"));
    assert_eq!(states(&events), LOADED);
}

#[tokio::test]
async fn the_reported_cursor_resumes_a_restarted_stream_where_it_stopped() {
    // First run: a backfill, then a streamed post.
    let stream = StreamServer::start(vec![Conn::Hold(vec![
        ":)\n".into(),
        sse("update", &status(101, "streamed").to_string()),
    ])])
    .await;
    let server = MockServer::start().await;
    mount_instance(&server, &stream.url).await;
    get("/api/v1/timelines/home")
        .and(query_param_is_missing("min_id"))
        .respond_with(list(&[status(100, "first"), status(99, "older")]))
        .expect(1)
        .mount(&server)
        .await;
    get("/api/v1/timelines/home")
        .and(query_param("min_id", "101"))
        .respond_with(list(&[
            status(103, "while away"),
            status(102, "while away"),
        ]))
        .expect(1)
        .mount(&server)
        .await;
    let setup = token_file(0o600);
    let masto = spec(&server.uri(), "home", &with_token(&setup));
    let mut rx = start(&masto);
    let mut events = Vec::new();
    collect(&mut rx, &mut events, |e| {
        since_ids(e).contains(&"101".into())
    })
    .await;
    assert_eq!(post_ids(&events), ["100", "99", "101"]);
    assert_eq!(since_ids(&events), ["100", "101"], "once per page or post");
    let saved = cursors(&events);
    assert!(
        saved
            .iter()
            .any(|(k, v)| k == "timeline" && v.ends_with(" home")),
        "{saved:?}"
    );
    assert_no_token(&events);
    drop(rx);

    // Second run, from what the first reported.
    let mut rx = start_resuming(&masto, &saved);
    let mut events = Vec::new();
    collect(&mut rx, &mut events, |e| {
        since_ids(e).contains(&"103".into())
    })
    .await;
    assert_eq!(post_ids(&events), ["103", "102"]);
    let pages = requests_to(&server, "/api/v1/timelines/home").await;
    let asked: Vec<_> = pages.iter().map(|r| query(r, "min_id")).collect();
    assert_eq!(asked, [None, Some("101".into())]);
}

#[tokio::test]
async fn a_cursor_left_by_another_timeline_is_not_taken_up() {
    let server = MockServer::start().await;
    get("/api/v1/timelines/public")
        .and(query_param_is_missing("min_id"))
        .respond_with(list(&[status(7, "top")]))
        .mount(&server)
        .await;
    let mut rx = start_resuming(
        &spec(&server.uri(), "public", ""),
        &[
            ("since_id", "90000"),
            ("timeline", "https://elsewhere.example public"),
        ],
    );
    let mut events = Vec::new();
    collect(&mut rx, &mut events, is_live).await;
    assert_eq!(post_ids(&events), ["7"]);
    let pages = requests_to(&server, "/api/v1/timelines/public").await;
    assert_eq!(query(&pages[0], "min_id"), None, "a plain backfill");
    assert_eq!(since_ids(&events), ["7"]);
}

/// Answers every `min_id` page with the 40 ids just above it, as if the
/// source had been away for a long time; without `min_id`, the newest.
struct Flood;

impl Respond for Flood {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let ids: Vec<u64> = match query(request, "min_id") {
            Some(min) => {
                let min: u64 = min.parse().unwrap();
                (min + 1..=min + 40).rev().collect()
            }
            None => vec![90_000, 89_999],
        };
        let items: Vec<Value> = ids.iter().map(|&id| status(id, "many")).collect();
        list(&items)
    }
}

#[tokio::test]
async fn a_resumed_gap_too_large_to_fill_starts_again_from_the_newest() {
    let server = MockServer::start().await;
    get("/api/v1/timelines/public")
        .respond_with(Flood)
        .mount(&server)
        .await;
    let mut rx = start_resuming(&spec(&server.uri(), "public", ""), &[("since_id", "1000")]);
    let mut events = Vec::new();
    collect(&mut rx, &mut events, is_live).await;
    let pages = requests_to(&server, "/api/v1/timelines/public").await;
    let gap = pages
        .iter()
        .filter(|r| query(r, "min_id").is_some())
        .count();
    assert_eq!(gap, 25, "1000 posts at most");
    assert_eq!(query(&pages[25], "min_id"), None, "then the newest");
    let ids = post_ids(&events);
    assert_eq!(ids.len(), 1002);
    assert_eq!(ids[0], "1040");
    assert_eq!(since_ids(&events).last().map(String::as_str), Some("90000"));
}

/// A page of the backfill that fails is tried again (one 500 no longer
/// costs every older post), and one that keeps failing ends the backfill
/// with what it has, saying so, instead of a silent "live".
#[tokio::test]
async fn a_failed_backfill_page_is_tried_again_and_then_said_to_be_missing() {
    for always in [false, true] {
        let server = MockServer::start().await;
        let base = server.uri();
        let next = format!("<{base}/api/v1/timelines/public?limit=40&max_id=201>; rel=\"next\"");
        get("/api/v1/timelines/public")
            .and(query_param_is_missing("max_id"))
            .and(query_param_is_missing("min_id"))
            .respond_with(list(&[status(203, "three")]).insert_header("link", next.as_str()))
            .mount(&server)
            .await;
        let failing = get("/api/v1/timelines/public")
            .and(query_param("max_id", "201"))
            .respond_with(ResponseTemplate::new(500));
        if always {
            failing.mount(&server).await;
        } else {
            failing
                .up_to_n_times(1)
                .with_priority(1)
                .mount(&server)
                .await;
            get("/api/v1/timelines/public")
                .and(query_param("max_id", "201"))
                .respond_with(list(&[status(201, "one"), status(200, "zero")]))
                .mount(&server)
                .await;
        }
        let mut rx = start(&spec(&base, "public", ""));
        let mut events = Vec::new();
        let settled = |e: &[SourceEvent]| {
            states(e)
                .iter()
                .any(|s| matches!(s, SourceState::Live | SourceState::Incomplete(_)))
        };
        collect_within(&mut rx, &mut events, Duration::from_secs(30), settled).await;
        if always {
            assert_eq!(post_ids(&events), ["203"]);
            let last = states(&events).pop().unwrap();
            assert!(
                matches!(&last, SourceState::Incomplete(why) if why.contains("backfill incomplete") && why.contains("500")),
                "{last:?}"
            );
            let tries = requests_to(&server, "/api/v1/timelines/public").await.len();
            assert_eq!(
                tries,
                1 + 4,
                "the first page, and the failing one four times"
            );
        } else {
            assert_eq!(post_ids(&events), ["203", "201", "200"]);
            assert_eq!(states(&events).pop(), Some(SourceState::Live));
        }
    }
}

/// The backoff starts over at the first request that goes through: after
/// an outage, a stream that drops on a healthy server is tried again after
/// a second, not after the wait the outage had grown (it used to start
/// over only once a stream had stayed up a minute).
#[tokio::test]
async fn the_backoff_starts_over_once_a_request_goes_through() {
    let stream = StreamServer::start(vec![Conn::Cut(vec![":)\n".into()])]).await;
    let server = MockServer::start().await;
    mount_instance(&server, &stream.url).await;
    let page = || get("/api/v1/timelines/public");
    page()
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(3)
        .with_priority(1)
        .mount(&server)
        .await;
    page()
        .respond_with(list(&[status(5, "back")]))
        .with_priority(2)
        .mount(&server)
        .await;
    let mut rx = start(&spec(&server.uri(), "public", ""));
    let mut events = Vec::new();
    let retried_after_live = |e: &[SourceEvent]| {
        let s = states(e);
        let live = s.iter().position(|s| *s == SourceState::Live);
        live.is_some_and(|at| {
            s[at..]
                .iter()
                .any(|s| matches!(s, SourceState::Retrying { .. }))
        })
    };
    collect_within(
        &mut rx,
        &mut events,
        Duration::from_secs(30),
        retried_after_live,
    )
    .await;
    let s = states(&events);
    let at = s.iter().position(|s| *s == SourceState::Live).unwrap();
    let waits = |states: &[SourceState]| -> Vec<u64> {
        states
            .iter()
            .filter_map(|s| match s {
                SourceState::Retrying { seconds, .. } => Some(*seconds),
                _ => None,
            })
            .collect()
    };
    let before = waits(&s[..at]);
    assert!(
        before.last().is_some_and(|&w| w >= 2),
        "the outage grew the wait: {before:?}"
    );
    assert_eq!(waits(&s[at..]).first(), Some(&1), "{s:?}");
}

// ---- acting as an account on another server ----

/// A SearchV2 entity holding one status (as `/api/v2/search` answers).
fn search_result(statuses: &[Value]) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "accounts": [],
        "statuses": statuses,
        "hashtags": [],
    }))
}

#[tokio::test]
async fn an_account_on_another_server_finds_the_post_by_its_uri_then_acts_and_answers() {
    use circles::model::{Act, ActRequest, ActResult, Draft, PostRef, PostRequest, PostResult};
    let server = MockServer::start().await;
    let uri = "https://x.social/users/bob/statuses/109";
    // This server's copy of the post has its own id.
    let local = status(777, "bob's post, as this server has it");
    Mock::given(method("GET"))
        .and(path("/api/v2/search"))
        .and(query_param("q", uri))
        .and(query_param("type", "statuses"))
        .and(query_param("resolve", "true"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(search_result(std::slice::from_ref(&local)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/search"))
        .and(query_param("q", "https://gone.example/1"))
        .respond_with(search_result(&[]))
        .mount(&server)
        .await;
    let mut favourited = local.clone();
    favourited["favourited"] = json!(true);
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses/777/favourite"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&favourited))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .respond_with(ResponseTemplate::new(200).set_body_json(status(778, "my answer")))
        .mount(&server)
        .await;

    let setup = token_file(0o600);
    let spec = spec(&server.uri(), "home", &with_token(&setup));
    let mut accounts = circles::source::act::Accounts::default();
    let request = |find_by: &str| ActRequest {
        ticket: 1,
        source: "masto".into(),
        act: Act::Favourite { on: true },
        post: PostRef {
            id: "109".into(),
            cid: None,
            record: None,
            find_by: Some(find_by.into()),
        },
    };
    let done = accounts.act(&spec, request(uri)).await;
    assert!(matches!(done, ActResult::Done { .. }), "{done:?}");

    // A post the server cannot find: said so, and nothing acted on.
    let ActResult::Failed(why) = accounts.act(&spec, request("https://gone.example/1")).await
    else {
        panic!("a post not found was acted on");
    };
    assert!(why.contains("does not find it"), "{why}");

    // A reply goes to this server's id of the post.
    let target = circles::model::Target {
        id: "109".into(),
        cid: None,
        root: None,
        url: None,
        author: "@bob@x.social".into(),
        excerpt: String::new(),
        find_by: Some(uri.into()),
    };
    let draft = Draft {
        id: "circles-as-1".into(),
        source: "masto".into(),
        text: "@bob@x.social agreed".into(),
        reply: Some(target),
        ..Draft::default()
    };
    let posted = accounts
        .post(
            &spec,
            PostRequest { ticket: 2, draft },
            circles::model::MASTODON_LIMITS,
        )
        .await;
    assert!(matches!(posted, PostResult::Posted(_)), "{posted:?}");
    let sent = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.method.as_str() == "POST" && r.url.path() == "/api/v1/statuses")
        .expect("the reply was sent");
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&sent.body)
        .into_owned()
        .collect();
    assert!(
        form.contains(&("in_reply_to_id".into(), "777".into())),
        "{form:?}"
    );
}

/// A grouped-notifications container: `groups` (type, notification id,
/// status id) with the fixture's account and the statuses they name.
fn groups(items: &[(&str, u64, Option<u64>)]) -> ResponseTemplate {
    let account = fixture("mastodon_status.json")["account"].clone();
    let account_id = account["id"].clone();
    let statuses: Vec<Value> = items
        .iter()
        .filter_map(|(_, _, s)| s.map(|s| status(s, "a post of yours")))
        .collect();
    let groups: Vec<Value> = items
        .iter()
        .map(|(kind, id, status)| {
            json!({
                "group_key": format!("{kind}-{id}"),
                "notifications_count": 1,
                "type": kind,
                "most_recent_notification_id": id.to_string(),
                "page_min_id": id.to_string(),
                "page_max_id": id.to_string(),
                "latest_page_notification_at": "2026-11-21T10:26:02.512Z",
                "sample_account_ids": [account_id],
                "status_id": status.map(|s| s.to_string()),
            })
        })
        .collect();
    ResponseTemplate::new(200).set_body_json(json!({
        "accounts": [account],
        "statuses": statuses,
        "notification_groups": groups,
    }))
}

#[tokio::test]
async fn a_dropped_notifications_stream_fills_the_gap_with_groups_and_loses_none() {
    let stream = StreamServer::start(vec![
        Conn::Cut(vec![
            ":)\n".into(),
            sse("notification", &mention(501, 1501).to_string()),
        ]),
        Conn::Hold(vec![":)\n".into()]),
    ])
    .await;
    let server = MockServer::start().await;
    mount_instance(&server, &stream.url).await;
    // Came while the stream was down: a follow and a mention.
    get("/api/v2/notifications")
        .and(query_param("min_id", "501"))
        .respond_with(groups(&[
            ("mention", 503, Some(1503)),
            ("follow", 502, None),
        ]))
        .with_priority(1)
        .mount(&server)
        .await;
    get("/api/v2/notifications")
        .and(query_param_is_missing("min_id"))
        .respond_with(groups(&[("favourite", 500, Some(1400))]))
        .mount(&server)
        .await;
    let setup = token_file(0o600);
    let mut rx = start(&spec(&server.uri(), "notifications", &with_token(&setup)));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, |e| {
        post_ids(e).contains(&"1503".into()) && states(e).last() == Some(&SourceState::Live)
    })
    .await;
    settle(&mut rx, &mut events).await;
    // Each once: the backfill's group, the stream's mention, the gap's two.
    assert_eq!(
        post_ids(&events),
        ["notification:500", "1501", "1503", "notification:502"]
    );
    let pages = requests_to(&server, "/api/v2/notifications").await;
    let gap: Vec<_> = pages.iter().filter_map(|r| query(r, "min_id")).collect();
    assert_eq!(
        gap,
        ["501"],
        "one catch-up from the newest notification seen"
    );
    assert!(
        requests_to(&server, "/api/v1/notifications")
            .await
            .is_empty()
    );
    assert_eq!(stream.heads().len(), 2);
}

/// Mastodon lists bookmarks (and favourites) by when they were made, so
/// an old post bookmarked while circles was closed comes on top, above
/// posts with higher ids: a restart reads down to the post that was on
/// top, not "after" a status id, and sends only what is above it.
#[tokio::test]
async fn a_bookmark_of_an_old_post_made_meanwhile_is_read_after_a_restart() {
    let server = MockServer::start().await;
    let setup = token_file(0o600);
    let bookmarks = || {
        Mock::given(method("GET"))
            .and(path("/api/v1/bookmarks"))
            .and(query_param_is_missing("max_id"))
    };
    bookmarks()
        .respond_with(list(&[status(9, "nine"), status(7, "seven")]))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    bookmarks()
        .respond_with(list(&[
            status(5, "five, bookmarked since"),
            status(9, "nine"),
            status(7, "seven"),
        ]))
        .with_priority(2)
        .mount(&server)
        .await;
    let sky = spec(&server.uri(), "bookmarks", &with_token(&setup));
    let mut rx = start(&sky);
    let mut events = Vec::new();
    collect(&mut rx, &mut events, is_live).await;
    assert_eq!(post_ids(&events), ["9", "7"]);
    let saved = cursors(&events);
    assert!(
        saved.contains(&("top".to_string(), "9 7".to_string())),
        "{saved:?}"
    );
    drop(rx);

    let mut rx = start_resuming(&sky, &saved);
    let mut events = Vec::new();
    collect(&mut rx, &mut events, is_live).await;
    settle(&mut rx, &mut events).await;
    assert_eq!(post_ids(&events), ["5"], "only the new bookmark");
    assert!(
        cursors(&events).contains(&("top".to_string(), "5 9 7".to_string())),
        "{events:?}"
    );
    assert_eq!(requests_to(&server, "/api/v1/bookmarks").await.len(), 2);
}

/// The read down stops at any of the ids that were on top, so one
/// unbookmarked meanwhile costs nothing; and a read cut short by a failed
/// page keeps the old top, so the retry reads down to it again and loses
/// nothing.
#[tokio::test]
async fn reading_bookmarks_down_survives_an_unbookmark_and_a_failed_page() {
    let setup = token_file(0o600);
    let resumed = [("since_id", "9"), ("top", "9 7")];
    let run = |server: &MockServer| {
        let sky = spec(&server.uri(), "bookmarks", &with_token(&setup));
        start_resuming(&sky, &resumed)
    };
    // 9 was unbookmarked: 7 still stops the read.
    let server = MockServer::start().await;
    get("/api/v1/bookmarks")
        .respond_with(list(&[status(5, "five"), status(7, "seven")]))
        .mount(&server)
        .await;
    let mut rx = run(&server);
    let mut events = Vec::new();
    collect(&mut rx, &mut events, is_live).await;
    settle(&mut rx, &mut events).await;
    assert_eq!(post_ids(&events), ["5"]);
    assert_eq!(requests_to(&server, "/api/v1/bookmarks").await.len(), 1);
    drop(rx);

    // Page 2 fails once: the retry reads down to 9 again.
    let server = MockServer::start().await;
    let next = format!(
        "<{}/api/v1/bookmarks?max_id=b11>; rel=\"next\"",
        server.uri()
    );
    get("/api/v1/bookmarks")
        .and(query_param_is_missing("max_id"))
        .respond_with(
            list(&[status(12, "twelve"), status(11, "eleven")])
                .insert_header("link", next.as_str()),
        )
        .mount(&server)
        .await;
    get("/api/v1/bookmarks")
        .and(query_param("max_id", "b11"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    get("/api/v1/bookmarks")
        .and(query_param("max_id", "b11"))
        .respond_with(list(&[
            status(10, "ten"),
            status(9, "nine"),
            status(7, "seven"),
        ]))
        .with_priority(2)
        .mount(&server)
        .await;
    let mut rx = run(&server);
    let mut events = Vec::new();
    collect(&mut rx, &mut events, is_live).await;
    settle(&mut rx, &mut events).await;
    let mut ids = post_ids(&events);
    ids.sort();
    ids.dedup();
    assert_eq!(ids, ["10", "11", "12"], "{events:?}");
    let second_pages = requests_to(&server, "/api/v1/bookmarks")
        .await
        .iter()
        .filter(|r| query(r, "max_id").as_deref() == Some("b11"))
        .count();
    assert_eq!(second_pages, 2, "the failed page and its retry");
    // The new top is told once, after the whole read.
    let tops: Vec<String> = cursors(&events)
        .into_iter()
        .filter(|(k, _)| k == "top")
        .map(|(_, v)| v)
        .collect();
    assert_eq!(tops, ["12 11"]);
}

/// An account's posts that the server no longer has under the id looked
/// up (the account deleted, or the server's ids changed) are looked up
/// again by handle: found under a new id, they are read from there; not
/// found, or found under the same id, the source fails saying so at its
/// `timeline` key (no endless retries).
#[tokio::test]
async fn an_account_gone_from_its_id_is_looked_up_again() {
    let account = |id: &str| {
        ResponseTemplate::new(200).set_body_json(
            json!({"id": id, "username": "bob", "acct": "bob", "display_name": "Bob"}),
        )
    };
    // What the second lookup answers, and the failure it leads to.
    for (again, fails) in [
        (account("222"), None),
        (
            account("111"),
            Some("has the account but will not show its posts (404)"),
        ),
        (not_found(), Some("finds no such account")),
    ] {
        let found_again = fails.is_none();
        let server = MockServer::start().await;
        mount_instance(&server, &server.uri()).await;
        get("/api/v1/accounts/lookup")
            .and(query_param("acct", "bob"))
            .respond_with(account("111"))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        get("/api/v1/accounts/lookup")
            .and(query_param("acct", "bob"))
            .respond_with(again)
            .mount(&server)
            .await;
        get("/api/v1/accounts/111/statuses")
            .respond_with(not_found())
            .mount(&server)
            .await;
        get("/api/v1/accounts/222/statuses")
            .respond_with(list(&[status(500, "still here")]))
            .mount(&server)
            .await;
        let mut rx = start(&spec(&server.uri(), "user:@bob", ""));
        let mut events = Vec::new();
        if found_again {
            let events = read_after_looking_up_again(&mut rx, "account").await;
            assert_eq!(post_ids(&events), ["500"]);
        } else {
            collect(&mut rx, &mut events, |e| {
                states(e)
                    .iter()
                    .any(|s| matches!(s, SourceState::Failed(_)))
            })
            .await;
            let failed = states(&events).into_iter().find_map(|s| match s {
                SourceState::Failed(why) => Some(why),
                _ => None,
            });
            assert_eq!(
                failed,
                Some(format!(
                    "timeline = \"user:@bob\": {} {}",
                    server.uri(),
                    fails.unwrap()
                ))
            );
            assert!(post_ids(&events).is_empty());
        }
    }
}

/// A list read by its title whose id the server no longer has (deleted
/// and made again under the same title) is found again by its title.
#[tokio::test]
async fn a_list_made_again_under_its_title_is_found_again() {
    let setup = token_file(0o600);
    let server = MockServer::start().await;
    mount_instance(&server, &server.uri()).await;
    get("/api/v1/lists")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": "1", "title": "Friends", "replies_policy": "list", "exclusive": false}
        ])))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    get("/api/v1/lists")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": "2", "title": "Friends", "replies_policy": "list", "exclusive": false}
        ])))
        .mount(&server)
        .await;
    get("/api/v1/timelines/list/1")
        .respond_with(not_found())
        .mount(&server)
        .await;
    get("/api/v1/timelines/list/2")
        .respond_with(list(&[status(600, "in the new list")]))
        .mount(&server)
        .await;
    let mut rx = start(&spec(
        &server.uri(),
        "list:Friends",
        &format!("{}\npoll = \"1h\"", with_token(&setup)),
    ));
    let events = read_after_looking_up_again(&mut rx, "list").await;
    assert_eq!(post_ids(&events), ["600"]);
}

/// Mastodon's answer for a record it does not have.
fn not_found() -> ResponseTemplate {
    ResponseTemplate::new(404).set_body_json(json!({"error": "Record not found"}))
}

/// The events until posts arrive, which must come after a retry that
/// looks the `what` (account, list) up again.
async fn read_after_looking_up_again(
    rx: &mut crate::common::Events,
    what: &str,
) -> Vec<SourceEvent> {
    let mut events = Vec::new();
    collect(rx, &mut events, |e| !post_ids(e).is_empty()).await;
    let looked = format!("looking the {what} up again");
    assert!(
        states(&events)
            .iter()
            .any(|s| matches!(s, SourceState::Retrying { why, .. } if why.contains(&looked))),
        "{events:#?}"
    );
    events
}
