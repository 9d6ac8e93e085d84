//! Jetstream: Bluesky's commits as JSON over a WebSocket, filtered to the
//! accounts the reader follows (ARCHITECTURE.md, "Bluesky live").
//!
//! [`subscribe`] opens `…/subscribe` for posts and reposts of `wantedDids`.
//! A short list goes in the query; a long one (up to
//! [`MAX_WANTED_DIDS`]) in an `options_update` message sent first, with
//! `requireHello=true` so that nothing comes before it. `cursor` (Unix
//! time in microseconds) replays from then. [`Stream::next`] reads one
//! event: a post made, a repost, a record deleted, or anything else (an
//! identity or account event) with its time only, so the cursor moves.
//!
//! Posts come as records, not as the views the AppView sends; the source
//! fetches each with `getPosts` (see `source/bluesky.rs`).

use super::Error;
use crate::model::sanitize_line;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The most accounts a Jetstream subscription follows.
pub const MAX_WANTED_DIDS: usize = 10_000;
/// Up to this many DIDs go in the URL; more, in an `options_update`.
const IN_QUERY: usize = 50;
/// A message larger than this is refused (a post record is a few KB).
pub const MAX_MESSAGE_BYTES: usize = 1 << 20;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

const POST: &str = "app.bsky.feed.post";
const REPOST: &str = "app.bsky.feed.repost";

/// An open subscription.
pub struct Stream {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// One event of the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// When Jetstream saw it, in microseconds: the cursor to resume from.
    pub time_us: i64,
    pub what: What,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// A post was made: its `at://` URI, and the URI of the post it
    /// answers, if it is a reply.
    Post { uri: String, parent: Option<String> },
    /// `did` reposted something.
    Repost { did: String },
    /// A post was deleted: its URI.
    Deleted { uri: String },
    /// Anything else: an identity or account event, another operation.
    Other,
    /// A message that is not a Jetstream event; why, for the user.
    Unreadable(String),
}

/// Opens a subscription to the posts and reposts of `dids` at `endpoint`
/// (a `ws://` or `wss://` `…/subscribe` URL), from `cursor` on if given.
pub async fn subscribe(
    endpoint: &str,
    dids: &[String],
    cursor: Option<i64>,
) -> Result<Stream, Error> {
    let what = "connecting to Jetstream";
    let dids = &dids[..dids.len().min(MAX_WANTED_DIDS)];
    let mut url = url::Url::parse(endpoint).map_err(|e| Error::Refused(format!("{what}: {e}")))?;
    {
        let mut query = url.query_pairs_mut();
        query.clear();
        query.append_pair("wantedCollections", POST);
        query.append_pair("wantedCollections", REPOST);
        if dids.len() <= IN_QUERY {
            for did in dids {
                query.append_pair("wantedDids", did);
            }
        } else {
            query.append_pair("requireHello", "true");
        }
        query.append_pair("maxMessageSizeBytes", &MAX_MESSAGE_BYTES.to_string());
        if let Some(cursor) = cursor {
            query.append_pair("cursor", &cursor.to_string());
        }
    }
    let mut request = url
        .as_str()
        .into_client_request()
        .map_err(|e| Error::Refused(format!("{what}: {e}")))?;
    if let Ok(agent) = concat!("circles/", env!("CARGO_PKG_VERSION")).parse() {
        request.headers_mut().insert("user-agent", agent);
    }
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE_BYTES))
        .max_frame_size(Some(MAX_MESSAGE_BYTES));
    let connect = tokio_tungstenite::connect_async_with_config(request, Some(config), true);
    let (ws, _) = match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
        Ok(Ok(connected)) => connected,
        Ok(Err(e)) => return Err(failed(what, e)),
        Err(_) => {
            return Err(Error::Network {
                what: what.into(),
                why: format!("no answer in {} s", CONNECT_TIMEOUT.as_secs()),
            });
        }
    };
    let mut stream = Stream { ws };
    if dids.len() > IN_QUERY {
        let hello = serde_json::json!({
            "type": "options_update",
            "payload": {
                "wantedCollections": [POST, REPOST],
                "wantedDids": dids,
                "maxMessageSizeBytes": MAX_MESSAGE_BYTES,
            }
        });
        stream
            .ws
            .send(Message::Text(hello.to_string().into()))
            .await
            .map_err(|e| failed("subscribing on Jetstream", e))?;
    }
    Ok(stream)
}

impl Stream {
    /// The next event; `None` when the server closed the stream.
    pub async fn next(&mut self) -> Option<Result<Event, Error>> {
        loop {
            let message = match self.ws.next().await? {
                Ok(message) => message,
                Err(e) => return Some(Err(failed("reading Jetstream", e))),
            };
            match message {
                Message::Text(text) => return Some(Ok(read_event(text.as_str()))),
                Message::Binary(bytes) => match std::str::from_utf8(&bytes) {
                    Ok(text) => return Some(Ok(read_event(text))),
                    Err(_) => {
                        return Some(Ok(Event {
                            time_us: 0,
                            what: What::Unreadable("a binary message that is not text".into()),
                        }));
                    }
                },
                Message::Close(_) => return None,
                // A sign of life, for the reader's silence check.
                Message::Pong(_) => {
                    return Some(Ok(Event {
                        time_us: 0,
                        what: What::Other,
                    }));
                }
                // Pings are answered by the library as they are read.
                Message::Ping(_) | Message::Frame(_) => {}
            }
        }
    }

    /// Asks the server for a sign of life (its pong, or any event, comes
    /// back through [`Stream::next`]).
    pub async fn ping(&mut self) -> Result<(), Error> {
        self.ws
            .send(Message::Ping(Vec::new().into()))
            .await
            .map_err(|e| failed("reading Jetstream", e))
    }
}

fn failed(what: &str, e: tungstenite::Error) -> Error {
    use tungstenite::Error as E;
    match e {
        E::Http(response) => {
            let status = response.status().as_u16();
            Error::Status {
                what: what.into(),
                status,
                said: None,
                wait: None,
                transient: status == 429 || status >= 500,
            }
        }
        E::Capacity(why) => Error::Malformed {
            what: what.into(),
            why: why.to_string(),
        },
        other => Error::Network {
            what: what.into(),
            why: sanitize_line(&other.to_string()).into_owned(),
        },
    }
}

/// A Jetstream event: `{"did", "time_us", "kind", "commit": {…}}`.
#[derive(Deserialize)]
struct Wire<'a> {
    #[serde(borrow)]
    did: std::borrow::Cow<'a, str>,
    time_us: i64,
    #[serde(borrow)]
    kind: std::borrow::Cow<'a, str>,
    #[serde(default, borrow)]
    commit: Option<Commit<'a>>,
}

#[derive(Deserialize)]
struct Commit<'a> {
    #[serde(borrow)]
    operation: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    collection: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    rkey: std::borrow::Cow<'a, str>,
    #[serde(default)]
    record: Option<Record>,
}

#[derive(Deserialize)]
struct Record {
    #[serde(default)]
    reply: Option<Reply>,
}

#[derive(Deserialize)]
struct Reply {
    parent: Ref,
}

#[derive(Deserialize)]
struct Ref {
    uri: String,
}

/// What one message says.
fn read_event(text: &str) -> Event {
    let wire: Wire<'_> = match serde_json::from_str(text) {
        Ok(wire) => wire,
        Err(e) => {
            return Event {
                time_us: 0,
                what: What::Unreadable(format!("not a Jetstream event ({e})")),
            };
        }
    };
    let what = match (wire.kind.as_ref(), wire.commit) {
        ("commit", Some(commit)) => {
            let uri = sanitize_line(&format!(
                "at://{}/{}/{}",
                wire.did, commit.collection, commit.rkey
            ))
            .into_owned();
            match (commit.operation.as_ref(), commit.collection.as_ref()) {
                ("create", POST) => What::Post {
                    uri,
                    parent: commit
                        .record
                        .and_then(|r| r.reply)
                        .map(|r| sanitize_line(&r.parent.uri).into_owned()),
                },
                ("create", REPOST) => What::Repost {
                    did: sanitize_line(&wire.did).into_owned(),
                },
                ("delete", POST) => What::Deleted { uri },
                _ => What::Other,
            }
        }
        _ => What::Other,
    };
    Event {
        time_us: wire.time_us,
        what,
    }
}

/// The DID an `at://` URI's record lives in.
pub fn did_of(uri: &str) -> Option<&str> {
    uri.strip_prefix("at://")?.split('/').next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_events_read_as_posts_reposts_deletes_and_the_rest() {
        let create = r#"{"did":"did:plc:bob","time_us":1725911162329308,"kind":"commit",
            "commit":{"rev":"3l3qo2vutsw2b","operation":"create","collection":"app.bsky.feed.post",
            "rkey":"3l3qo2vuowo2b","record":{"$type":"app.bsky.feed.post","text":"hi",
            "createdAt":"2024-09-09T19:46:02.102Z","reply":{"root":{"uri":"at://did:plc:ann/app.bsky.feed.post/1","cid":"x"},
            "parent":{"uri":"at://did:plc:cat/app.bsky.feed.post/2","cid":"y"}}},"cid":"bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi"}}"#;
        assert_eq!(
            read_event(create),
            Event {
                time_us: 1725911162329308,
                what: What::Post {
                    uri: "at://did:plc:bob/app.bsky.feed.post/3l3qo2vuowo2b".into(),
                    parent: Some("at://did:plc:cat/app.bsky.feed.post/2".into()),
                }
            }
        );
        let delete = r#"{"did":"did:plc:bob","time_us":2,"kind":"commit","commit":{"rev":"r",
            "operation":"delete","collection":"app.bsky.feed.post","rkey":"3l3"}}"#;
        assert_eq!(
            read_event(delete).what,
            What::Deleted {
                uri: "at://did:plc:bob/app.bsky.feed.post/3l3".into()
            }
        );
        let identity = r#"{"did":"did:plc:bob","time_us":3,"kind":"identity","identity":
            {"did":"did:plc:bob","handle":"bob.test","seq":1,"time":"2024-09-05T06:11:04.870Z"}}"#;
        assert_eq!(
            read_event(identity),
            Event {
                time_us: 3,
                what: What::Other
            }
        );
        let account = r#"{"did":"did:plc:bob","time_us":4,"kind":"account","account":
            {"active":false,"did":"did:plc:bob","seq":2,"status":"deactivated","time":"x"}}"#;
        assert_eq!(read_event(account).what, What::Other);
        assert!(matches!(read_event("{oops").what, What::Unreadable(_)));
        assert_eq!(
            did_of("at://did:plc:cat/app.bsky.feed.post/2"),
            Some("did:plc:cat")
        );
    }
}
