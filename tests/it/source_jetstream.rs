//! A Bluesky timeline live over Jetstream: a local WebSocket server
//! (tokio-tungstenite on 127.0.0.1) sends the documented events, cuts the
//! connection and checks the cursor it is resumed with; the XRPC calls
//! (login, getTimeline, getFollows, getPosts) go to wiremock.

use crate::common::{collect, collect_within, is_live, posts, secret_file, source_spec, start};
use circles::config::SourceSpec;
use circles::model::{SourceEvent, SourceState};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

const ME: &str = "did:plc:janejanejanejanejane7x";
const BOB: &str = "did:plc:bobbobbobbobbobbobbobbob";
const CAT: &str = "did:plc:catcatcatcatcatcatcatcat";
const STRANGER: &str = "did:plc:zedzedzedzedzedzedzedzed";

fn uri(did: &str, rkey: &str) -> String {
    format!("at://{did}/app.bsky.feed.post/{rkey}")
}

/// `getPosts` answering for whatever it is asked: each post by its DID's
/// account, saying `text of <rkey>`.
struct Posts;

impl Respond for Posts {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let views: Vec<Value> = request
            .url
            .query_pairs()
            .filter(|(k, _)| k == "uris")
            .map(|(_, uri)| {
                let parts: Vec<&str> = uri.trim_start_matches("at://").split('/').collect();
                let handle = if parts[0] == BOB {
                    "bob.test"
                } else {
                    "cat.test"
                };
                json!({
                    "uri": uri,
                    "cid": format!("bafy{}", parts[2]),
                    "author": { "did": parts[0], "handle": handle },
                    "record": {
                        "$type": "app.bsky.feed.post",
                        "createdAt": "2026-12-02T10:00:00.000Z",
                        "text": format!("text of {}", parts[2]),
                    },
                    "indexedAt": "2026-12-02T10:00:00.000Z",
                })
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({ "posts": views }))
    }
}

/// Login, an empty timeline, `follows` as whom jane follows, and getPosts.
async fn bluesky(follows: &[String]) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.server.createSession"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(crate::common::fixture_json(
                "bluesky_api/create_session.json",
            )),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.feed.getTimeline"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "feed": [] })))
        .mount(&server)
        .await;
    let follows: Vec<Value> = follows
        .iter()
        .map(|did| json!({ "did": did, "handle": "someone.test" }))
        .collect();
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.graph.getFollows"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "follows": follows })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.feed.getPosts"))
        .respond_with(Posts)
        .mount(&server)
        .await;
    server
}

fn spec(service: &str, jetstream: &str, dir: &tempfile::TempDir) -> SourceSpec {
    let file = secret_file(dir.path(), "app-password", "wxyz-abcd-efgh-ijkl", 0o600);
    source_spec(&format!(
        "[[source]]\nname = \"sky\"\nkind = \"bluesky\"\nhandle = \"jane.bsky.social\"\n\
         service = \"{service}\"\napp_password_file = \"{}\"\njetstream = \"{jetstream}\"\n",
        file.display()
    ))
}

/// One connection as the server saw it: the query of its URL, and the
/// text messages the client sent.
#[derive(Debug)]
struct Connection {
    query: Vec<(String, String)>,
    said: mpsc::UnboundedReceiver<String>,
    /// Events to send; dropping it cuts the connection.
    send: mpsc::UnboundedSender<Value>,
}

impl Connection {
    fn param(&self, key: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// A Jetstream on 127.0.0.1: each connection comes out of the receiver.
// The handshake callback's error type is tungstenite's, large as it is.
#[allow(clippy::result_large_err)]
async fn jetstream() -> (String, mpsc::UnboundedReceiver<Connection>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/subscribe", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let (query_tx, query_rx) = std::sync::mpsc::channel();
            let callback = move |request: &Request, response: Response| {
                let url = url::Url::parse(&format!("ws://x{}", request.uri())).unwrap();
                let pairs = url
                    .query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()));
                query_tx.send(pairs.collect::<Vec<_>>()).unwrap();
                Ok(response)
            };
            let Ok(ws) = tokio_tungstenite::accept_hdr_async(socket, callback).await else {
                continue;
            };
            let (mut sink, mut stream) = ws.split();
            let (said_tx, said) = mpsc::unbounded_channel();
            let (send, mut to_send) = mpsc::unbounded_channel::<Value>();
            let query = query_rx.recv().unwrap();
            if tx.send(Connection { query, said, send }).is_err() {
                return;
            }
            tokio::spawn(async move {
                loop {
                    tokio::select! {
                        next = to_send.recv() => match next {
                            Some(event) => {
                                if sink.send(Message::Text(event.to_string().into())).await.is_err() {
                                    return;
                                }
                            }
                            // The test let go: cut the connection.
                            None => {
                                let _ = sink.close().await;
                                return;
                            }
                        },
                        heard = stream.next() => match heard {
                            Some(Ok(Message::Text(text))) => {
                                let _ = said_tx.send(text.to_string());
                            }
                            Some(Ok(_)) => {}
                            _ => return,
                        },
                    }
                }
            });
        }
    });
    (url, rx)
}

fn commit(did: &str, time_us: i64, operation: &str, rkey: &str, record: Option<Value>) -> Value {
    let mut commit = json!({
        "rev": "3l3qo2vutsw2b",
        "operation": operation,
        "collection": "app.bsky.feed.post",
        "rkey": rkey,
    });
    if let Some(record) = record {
        commit["record"] = record;
        commit["cid"] = "bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi".into();
    }
    json!({ "did": did, "time_us": time_us, "kind": "commit", "commit": commit })
}

fn post_record(reply_to: Option<&str>) -> Value {
    let mut record = json!({
        "$type": "app.bsky.feed.post",
        "createdAt": "2026-12-02T10:00:00.000Z",
        "text": "from the record",
    });
    if let Some(parent) = reply_to {
        let parent = json!({ "uri": parent, "cid": "bafyparent" });
        record["reply"] = json!({ "root": parent, "parent": parent });
    }
    record
}

async fn next_connection(connections: &mut mpsc::UnboundedReceiver<Connection>) -> Connection {
    tokio::time::timeout(Duration::from_secs(10), connections.recv())
        .await
        .expect("the source connects")
        .unwrap()
}

fn deleted(events: &[SourceEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            SourceEvent::Deleted { id, .. } => Some(id.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn posts_come_over_jetstream_fetched_by_get_posts_and_a_cut_resumes_from_the_cursor() {
    let server = bluesky(&[BOB.into(), CAT.into()]).await;
    let (url, mut connections) = jetstream().await;
    let dir = tempfile::tempdir().unwrap();
    let mut rx = start(&spec(&server.uri(), &url, &dir));
    let mut events = Vec::new();

    let first = next_connection(&mut connections).await;
    let mut dids = first.param("wantedDids");
    dids.sort_unstable();
    assert_eq!(dids, [BOB, CAT, ME], "whom jane follows, and jane");
    assert_eq!(
        first.param("wantedCollections"),
        ["app.bsky.feed.post", "app.bsky.feed.repost"]
    );
    assert!(
        first.param("requireHello").is_empty(),
        "a short list needs no hello"
    );
    let started: i64 = first.param("cursor")[0].parse().unwrap();
    let now = chrono::Utc::now().timestamp_micros();
    assert!(
        (now - 30_000_000..=now).contains(&started),
        "from a moment before now, so nothing posted since the timeline was read is lost"
    );
    collect(&mut rx, &mut events, is_live).await;

    // Events from after the subscription's start.
    let t = started + 10_000_000;
    for event in [
        commit(BOB, t + 1, "create", "3new1", Some(post_record(None))),
        // The Following feed's rule: a reply to a stranger is not shown,
        // a reply to someone jane follows is.
        commit(
            BOB,
            t + 2,
            "create",
            "3new2",
            Some(post_record(Some(&uri(STRANGER, "1")))),
        ),
        commit(
            BOB,
            t + 3,
            "create",
            "3new3",
            Some(post_record(Some(&uri(CAT, "9")))),
        ),
        json!({ "did": BOB, "time_us": t + 4, "kind": "identity",
                "identity": { "did": BOB, "handle": "bob.test", "seq": 1, "time": "2026-12-02T10:00:00Z" } }),
        json!({ "did": CAT, "time_us": t + 5, "kind": "account",
                "account": { "active": true, "did": CAT, "seq": 2, "time": "2026-12-02T10:00:00Z" } }),
        commit(BOB, t + 6, "delete", "3old", None),
    ] {
        first.send.send(event).unwrap();
    }
    collect(&mut rx, &mut events, |ev| {
        posts(ev).len() >= 2 && !deleted(ev).is_empty()
    })
    .await;
    let got: Vec<(String, String)> = posts(&events).into_iter().map(|p| (p.id, p.text)).collect();
    assert_eq!(
        got,
        [
            (uri(BOB, "3new1"), "text of 3new1".to_string()),
            (uri(BOB, "3new3"), "text of 3new3".to_string()),
        ],
        "as getPosts has them, the stranger's reply left out"
    );
    assert_eq!(deleted(&events), [uri(BOB, "3old")]);
    let fetched = crate::common::requests_to(&server, "/xrpc/app.bsky.feed.getPosts").await;
    assert!(
        !fetched.is_empty() && fetched.len() <= 2,
        "gathered: {}",
        fetched.len()
    );

    // Cut: the source comes back with the cursor of the last event, a
    // little before it.
    drop(first);
    let second = next_connection(&mut connections).await;
    let resumed: i64 = second.param("cursor")[0].parse().unwrap();
    assert_eq!(resumed, t + 6 - 2_000_000);
    // A replayed post is not sent twice; a new one is.
    second
        .send
        .send(commit(
            BOB,
            t + 3,
            "create",
            "3new3",
            Some(post_record(Some(&uri(CAT, "9")))),
        ))
        .unwrap();
    second
        .send
        .send(commit(
            CAT,
            t + 7,
            "create",
            "3new4",
            Some(post_record(None)),
        ))
        .unwrap();
    collect(&mut rx, &mut events, |ev| posts(ev).len() >= 3).await;
    let ids: Vec<String> = posts(&events).into_iter().map(|p| p.id).collect();
    assert_eq!(
        ids,
        [uri(BOB, "3new1"), uri(BOB, "3new3"), uri(CAT, "3new4")]
    );
    assert!(
        events.iter().any(|e| matches!(
            e,
            SourceEvent::State { state: SourceState::Retrying { why, .. }, .. } if why.contains("Jetstream")
        )),
        "the cut was said: {events:#?}"
    );

    // A repost: the timeline's first page is read, where it shows as one.
    let timeline = "/xrpc/app.bsky.feed.getTimeline";
    let before = crate::common::requests_to(&server, timeline).await.len();
    let mut repost = commit(BOB, t + 8, "create", "3rp", Some(json!({})));
    repost["commit"]["collection"] = "app.bsky.feed.repost".into();
    second.send.send(repost).unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while crate::common::requests_to(&server, timeline).await.len() == before {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the timeline was not read"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_long_follow_list_goes_in_an_options_update_after_require_hello() {
    let follows: Vec<String> = (0..120).map(|i| format!("did:plc:follow{i:019}")).collect();
    let server = bluesky(&follows).await;
    let (url, mut connections) = jetstream().await;
    let dir = tempfile::tempdir().unwrap();
    let _rx = start(&spec(&server.uri(), &url, &dir));
    let mut connection = next_connection(&mut connections).await;
    assert_eq!(connection.param("requireHello"), ["true"]);
    assert!(
        connection.param("wantedDids").is_empty(),
        "{:?}",
        connection.query
    );
    let hello = tokio::time::timeout(Duration::from_secs(10), connection.said.recv())
        .await
        .unwrap()
        .unwrap();
    let hello: Value = serde_json::from_str(&hello).unwrap();
    assert_eq!(hello["type"], "options_update");
    let wanted = hello["payload"]["wantedDids"].as_array().unwrap();
    assert_eq!(wanted.len(), 121, "120 follows and jane");
    assert_eq!(wanted[0], ME);
    assert_eq!(
        hello["payload"]["wantedCollections"],
        json!(["app.bsky.feed.post", "app.bsky.feed.repost"])
    );
}

#[tokio::test]
async fn a_jetstream_that_cannot_be_reached_leaves_the_source_polling() {
    let server = bluesky(&[BOB.into()]).await;
    // Nothing listens there.
    let port = crate::common::free_port();
    let dir = tempfile::tempdir().unwrap();
    let mut rx = start(&spec(
        &server.uri(),
        &format!("ws://127.0.0.1:{port}/subscribe"),
        &dir,
    ));
    let mut events = Vec::new();
    // Three tries (waiting 1 and 2 s between), then live by polling.
    collect_within(&mut rx, &mut events, Duration::from_secs(20), |ev| {
        crate::common::retrying(ev).len() >= 2 && is_live(&ev[ev.len() - 1..])
    })
    .await;
    let reads = crate::common::requests_to(&server, "/xrpc/app.bsky.feed.getTimeline").await;
    assert_eq!(
        reads.len(),
        1,
        "the timeline read once, then polled every `poll`"
    );
    assert!(
        crate::common::retrying(&events)
            .iter()
            .all(|(_, why)| why.starts_with("Jetstream")),
        "{events:#?}"
    );
}

#[tokio::test]
async fn a_wss_endpoint_speaks_tls_and_a_server_that_does_not_is_an_error_not_a_panic() {
    use tokio::io::AsyncWriteExt;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let _ = socket.write_all(b"HTTP/1.1 400 not TLS\r\n\r\n").await;
        }
    });
    let url = format!("wss://127.0.0.1:{port}/subscribe");
    let refused = circles::net::jetstream::subscribe(&url, &[BOB.to_string()], None)
        .await
        .err()
        .expect("no TLS, no stream");
    assert!(
        refused.to_string().starts_with("connecting to Jetstream"),
        "{refused}"
    );
}
