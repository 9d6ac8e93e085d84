//! The bluesky source against a local XRPC server (wiremock on 127.0.0.1):
//! login, timeline paging, token refresh, bad credentials, malformed items,
//! polling, and retrying on rate limits and server errors.

use crate::common::{
    assert_cursor_after_posts, collect, cursors, drain, is_live as live, post_ids, query,
    requests_to, retrying, secret_file, skipped, source_spec, start, start_resuming, states,
};
use circles::config::SourceSpec;
use circles::model::{SourceEvent, SourceState};
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;
use wiremock::matchers::{
    bearer_token, body_json, method, path, query_param, query_param_is_missing,
};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

const PASSWORD: &str = "wxyz-abcd-efgh-ijkl";
const ACCESS_1: &str = "eyJ0eXAiOiJhdCtqd3QiLCJhbGciOiJFUzI1NksifQ.access-one.sig";
const REFRESH_1: &str = "eyJ0eXAiOiJyZWZyZXNoK2p3dCIsImFsZyI6IkVTMjU2SyJ9.refresh-one.sig";
const ACCESS_2: &str = "eyJ0eXAiOiJhdCtqd3QiLCJhbGciOiJFUzI1NksifQ.access-two.sig";
const CREATE: &str = "/xrpc/com.atproto.server.createSession";
const REFRESH: &str = "/xrpc/com.atproto.server.refreshSession";
const TIMELINE: &str = "/xrpc/app.bsky.feed.getTimeline";

fn fixture(name: &str) -> Value {
    crate::common::fixture_json(&format!("bluesky_api/{name}"))
}

fn ok(name: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(fixture(name))
}

/// The cursor page 1 hands out.
fn page1_cursor() -> String {
    fixture("timeline_page1.json")["cursor"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A read of the timeline.
fn timeline() -> MockBuilder {
    Mock::given(method("GET")).and(path(TIMELINE))
}

/// A read of the timeline's first page.
fn first_page() -> MockBuilder {
    timeline().and(query_param_is_missing("cursor"))
}

/// A read of the timeline's second page, after page 1's cursor.
fn second_page() -> MockBuilder {
    timeline().and(query_param("cursor", page1_cursor()))
}

/// The first page: page 1 on the first read, and on every later read one
/// new post on top of page 1's.
async fn mount_first_page_then_polled(server: &MockServer) {
    first_page()
        .respond_with(ok("timeline_page1.json"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
    first_page()
        .respond_with(ok("timeline_polled.json"))
        .with_priority(2)
        .mount(server)
        .await;
}

/// A bluesky spec for `service`, its app password in an owner-only file.
fn spec(service: &str, dir: &tempfile::TempDir) -> SourceSpec {
    let file = secret_file(dir.path(), "app-password", PASSWORD, 0o600);
    source_spec(&format!(
        "[[source]]\nname = \"sky\"\nkind = \"bluesky\"\nhandle = \"@jane.bsky.social\"\n\
         service = \"{service}\"\napp_password_file = \"{}\"\n",
        file.display()
    ))
}

/// createSession answering for the test account's handle and password.
async fn mount_login(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path(CREATE))
        .and(body_json(serde_json::json!({
            "identifier": "jane.bsky.social",
            "password": PASSWORD,
        })))
        .respond_with(ok("create_session.json"))
        .expect(1)
        .mount(server)
        .await;
}

/// Starts the source against `server` (a fresh password file in `dir`)
/// and receives its events until it is live; the source runs on while the
/// receiver is kept.
async fn live_from(
    server: &MockServer,
    dir: &tempfile::TempDir,
) -> (crate::common::Events, Vec<SourceEvent>) {
    let mut rx = start(&spec(&server.uri(), dir));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, live).await;
    (rx, events)
}

fn uris(name: &str) -> Vec<String> {
    fixture(name)["feed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["post"]["uri"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn logs_in_then_pages_the_timeline_with_the_access_token() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    timeline()
        .and(bearer_token(ACCESS_1))
        .and(query_param("limit", "50"))
        .and(query_param_is_missing("cursor"))
        .respond_with(ok("timeline_page1.json"))
        .expect(1)
        .mount(&server)
        .await;
    timeline()
        .and(bearer_token(ACCESS_1))
        .and(query_param("cursor", page1_cursor()))
        .respond_with(ok("timeline_page2.json"))
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (_rx, events) = live_from(&server, &dir).await;

    let mut want = uris("timeline_page1.json");
    want.extend(uris("timeline_page2.json"));
    assert_eq!(post_ids(&events), want);
    assert_eq!(
        states(&events),
        vec![SourceState::Connecting, SourceState::Live]
    );
    let first = events
        .iter()
        .find_map(|e| match e {
            SourceEvent::Posts { source, posts } => Some((source.clone(), posts[1].clone())),
            _ => None,
        })
        .unwrap();
    assert_eq!(first.0, "sky");
    assert_eq!(first.1.source, "sky");
    assert_eq!(
        first.1.boosted_by.as_ref().map(|b| b.handle.as_str()),
        Some("@bob.bsky.social"),
        "the repost arrives as a boost"
    );
}

#[tokio::test]
async fn an_expired_token_is_refreshed_and_the_call_retried() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    timeline()
        .and(bearer_token(ACCESS_1))
        .respond_with(ResponseTemplate::new(400).set_body_json(fixture("expired_token.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(REFRESH))
        .and(bearer_token(REFRESH_1))
        .respond_with(ok("refresh_session.json"))
        .expect(1)
        .mount(&server)
        .await;
    timeline()
        .and(bearer_token(ACCESS_2))
        .respond_with(ok("timeline_page2.json"))
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (_rx, events) = live_from(&server, &dir).await;

    assert_eq!(post_ids(&events), uris("timeline_page2.json"));
    assert_eq!(
        states(&events),
        vec![SourceState::Connecting, SourceState::Live],
        "a refresh is no failure"
    );
}

#[tokio::test]
async fn a_wrong_app_password_fails_with_the_fix_and_without_the_password() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CREATE))
        .respond_with(ResponseTemplate::new(401).set_body_json(fixture("bad_login.json")))
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let mut rx = start(&spec(&server.uri(), &dir));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, |e| crate::common::failed(e).is_some()).await;
    // The task ends: the channel closes with nothing more.
    drain(&mut rx, &mut events, Duration::from_millis(300)).await;

    let Some(SourceState::Failed(why)) = states(&events).pop() else {
        panic!("{events:#?}");
    };
    assert!(why.contains("jane.bsky.social"), "{why}");
    assert!(why.contains("app password"), "{why}");
    assert!(why.contains("bsky.app/settings/app-passwords"), "{why}");
    assert!(why.contains("Invalid identifier or password"), "{why}");
    assert!(!format!("{events:?}").contains(PASSWORD), "{events:#?}");
    assert!(post_ids(&events).is_empty());
}

#[tokio::test]
async fn a_malformed_item_is_skipped_and_the_others_arrive() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    timeline()
        .respond_with(ok("timeline_malformed.json"))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (_rx, events) = live_from(&server, &dir).await;

    let all = uris("timeline_malformed.json");
    assert_eq!(post_ids(&events), vec![all[0].clone(), all[2].clone()]);
    let problems = skipped(&events);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains(&all[1]),
        "names the item: {problems:?}"
    );
    assert!(problems[0].contains("author"), "says why: {problems:?}");
}

#[tokio::test]
async fn polling_picks_up_new_posts_once() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    // The backfill sees pages 1 and 2.
    mount_first_page_then_polled(&server).await;
    second_page()
        .respond_with(ok("timeline_page2.json"))
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let mut spec = spec(&server.uri(), &dir);
    // Shorter than the config allows, to keep the test quick.
    *spec.kind.poll_mut().unwrap() = Duration::from_millis(200);
    let mut rx = start(&spec);
    let mut events = Vec::new();
    let fresh = uris("timeline_polled.json")[0].clone();
    collect(&mut rx, &mut events, |e| post_ids(e).contains(&fresh)).await;
    // A few more polls bring nothing new.
    drain(&mut rx, &mut events, Duration::from_millis(700)).await;

    let mut want = uris("timeline_page1.json");
    want.extend(uris("timeline_page2.json"));
    want.push(fresh);
    assert_eq!(post_ids(&events), want);
    let polls = requests_to(&server, TIMELINE).await.len();
    assert!(polls >= 4, "polled again: {polls} timeline reads");
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_retried() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    timeline()
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_json(serde_json::json!({"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    timeline()
        .respond_with(ResponseTemplate::new(503).set_body_string("upstream busy"))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&server)
        .await;
    timeline()
        .respond_with(ok("timeline_page2.json"))
        .with_priority(3)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (_rx, events) = live_from(&server, &dir).await;

    let states = states(&events);
    assert_eq!(states.len(), 4, "{states:?}");
    assert_eq!(states[0], SourceState::Connecting);
    assert!(
        matches!(&states[1], SourceState::Retrying { seconds: 1, why } if why.contains("rate limited")),
        "{states:?}"
    );
    assert!(
        matches!(&states[2], SourceState::Retrying { seconds, why } if *seconds <= 1 && why.contains("503")),
        "{states:?}"
    );
    assert_eq!(states[3], SourceState::Live);
    assert_eq!(post_ids(&events), uris("timeline_page2.json"));
}

#[tokio::test]
async fn an_unreachable_service_is_retried_with_the_reason() {
    // A port nothing listens on.
    let port = crate::common::free_port();
    let dir = tempfile::tempdir().unwrap();
    let mut rx = start(&spec(&format!("http://127.0.0.1:{port}"), &dir));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, |e| !retrying(e).is_empty()).await;
    let Some(SourceState::Retrying { seconds, why }) = states(&events).pop() else {
        panic!("{events:#?}");
    };
    assert!(seconds <= 1, "{seconds}");
    assert!(why.contains("logging in"), "{why}");
    assert!(!why.contains(PASSWORD), "{why}");
}

// ---- resuming from cursors ----

/// The `cursor` of every timeline read `server` received, in order.
async fn timeline_reads(server: &MockServer) -> Vec<Option<String>> {
    requests_to(server, TIMELINE)
        .await
        .iter()
        .map(|r| query(r, "cursor"))
        .collect()
}

#[tokio::test]
async fn the_newest_item_is_reported_and_a_restart_reads_only_what_is_newer() {
    let server = logged_in().await;
    mount_first_page_then_polled(&server).await;
    second_page()
        .respond_with(ok("timeline_page2.json"))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let sky = spec(&server.uri(), &dir);
    let mut rx = start(&sky);
    let mut events = Vec::new();
    collect(&mut rx, &mut events, live).await;
    let saved = cursors(&events);
    let page1 = uris("timeline_page1.json");
    assert_eq!(saved, [("newest".to_string(), page1[0].clone())]);
    // Reported once the whole read arrived.
    assert_cursor_after_posts(&events, None);
    assert!(!format!("{events:?}").contains(PASSWORD));
    assert!(!format!("{saved:?}").contains("access-one"), "no token");
    drop(rx);
    let first_run = timeline_reads(&server).await.len();

    let mut rx = start_resuming(&sky, &saved);
    let mut events = Vec::new();
    collect(&mut rx, &mut events, live).await;
    drain(&mut rx, &mut events, Duration::from_millis(200)).await;
    let fresh = uris("timeline_polled.json")[0].clone();
    assert_eq!(
        post_ids(&events),
        std::slice::from_ref(&fresh),
        "only the new post"
    );
    assert_eq!(cursors(&events), [("newest".to_string(), fresh)]);
    let reads = timeline_reads(&server).await;
    assert_eq!(reads[first_run..], [None], "one page, no paging back");
}

#[tokio::test]
async fn a_resumed_repost_ends_the_read_mid_page_and_paging_stops_there() {
    let page1 = fixture("timeline_page1.json");
    let repost = &page1["feed"][1];
    let repost_key = format!(
        "{} {}",
        repost["post"]["uri"].as_str().unwrap(),
        repost["reason"]["by"]["did"].as_str().unwrap()
    );
    let server = MockServer::start().await;
    mount_login(&server).await;
    first_page()
        .respond_with(ok("timeline_polled.json"))
        .mount(&server)
        .await;
    second_page()
        .respond_with(ok("timeline_page2.json"))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let mut rx = start_resuming(
        &spec(&server.uri(), &dir),
        &[("newest".to_string(), repost_key)],
    );
    let mut events = Vec::new();
    collect(&mut rx, &mut events, live).await;

    // The two items above the repost; not the repost, not what is below it.
    let polled = uris("timeline_polled.json");
    assert_eq!(post_ids(&events), polled[..2]);
    let reads = timeline_reads(&server).await;
    assert_eq!(reads, [None], "no second page");
    assert_eq!(
        states(&events),
        vec![SourceState::Connecting, SourceState::Live]
    );
}

#[tokio::test]
async fn a_resumed_item_on_a_later_page_stops_the_paging_there() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    first_page()
        .respond_with(ok("timeline_page1.json"))
        .mount(&server)
        .await;
    second_page()
        .respond_with(ok("timeline_page2.json"))
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let page2 = uris("timeline_page2.json");
    let mut rx = start_resuming(
        &spec(&server.uri(), &dir),
        &[("newest".to_string(), page2[0].clone())],
    );
    let mut events = Vec::new();
    collect(&mut rx, &mut events, live).await;
    // All of page 1, nothing of page 2 (a plain backfill would send both).
    assert_eq!(post_ids(&events), uris("timeline_page1.json"));
    assert_eq!(
        cursors(&events),
        [("newest".to_string(), uris("timeline_page1.json")[0].clone())]
    );
}

// ---- the session kept across restarts ----

/// A restart refreshes the session the last run kept (beside the password
/// file, owner-only) instead of logging in again: bsky.social allows 30
/// logins per 5 minutes. A kept session the server no longer takes costs
/// one login, and the new one is kept.
#[tokio::test]
async fn a_restart_refreshes_the_kept_session_instead_of_logging_in() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("POST"))
        .and(path(REFRESH))
        .and(bearer_token(REFRESH_1))
        .respond_with(ok("refresh_session.json"))
        .expect(1)
        .mount(&server)
        .await;
    timeline()
        .respond_with(ok("timeline_page2.json"))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let sky = spec(&server.uri(), &dir);
    let mut rx = start(&sky);
    let mut events = Vec::new();
    collect(&mut rx, &mut events, live).await;
    drop(rx);
    let kept = dir.path().join("bluesky-jane.bsky.social.session");
    let mode = std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "owner-only");
    let text = std::fs::read_to_string(&kept).unwrap();
    assert!(
        text.contains(REFRESH_1) && !text.contains(PASSWORD),
        "{text}"
    );

    // The second start: refreshSession with the kept token, no login.
    let mut rx = start(&sky);
    let mut events = Vec::new();
    collect(&mut rx, &mut events, live).await;
    drop(rx);
    let reads = requests_to(&server, TIMELINE).await;
    let last = reads.last().unwrap();
    assert_eq!(
        last.headers.get("authorization").unwrap(),
        &format!("Bearer {ACCESS_2}"),
        "the refreshed session reads the timeline"
    );
    assert_eq!(
        requests_to(&server, CREATE).await.len(),
        1,
        "one login in all"
    );
}

#[tokio::test]
async fn a_kept_session_the_server_refuses_costs_one_login() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(REFRESH))
        .respond_with(ResponseTemplate::new(400).set_body_json(fixture("expired_token.json")))
        .expect(1)
        .mount(&server)
        .await;
    mount_login(&server).await;
    timeline()
        .and(bearer_token(ACCESS_1))
        .respond_with(ok("timeline_page2.json"))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let kept = dir.path().join("bluesky-jane.bsky.social.session");
    let stale = serde_json::json!({
        "service": server.uri(), "handle": "jane.bsky.social", "refresh": "stale-token"
    });
    secret_file(
        dir.path(),
        "bluesky-jane.bsky.social.session",
        &stale.to_string(),
        0o600,
    );
    let (_rx, events) = live_from(&server, &dir).await;
    assert_eq!(post_ids(&events), uris("timeline_page2.json"));
    let text = std::fs::read_to_string(&kept).unwrap();
    assert!(text.contains(REFRESH_1), "the new session is kept: {text}");
}

/// After a restart the first read stops at where the last run ended, and
/// the polls after it send nothing it has already had: the posts older
/// than that point on the page count as seen (they used to be sent again,
/// 47–71 of them per restart).
#[tokio::test]
async fn the_polls_after_a_restart_send_nothing_the_last_run_had() {
    let server = logged_in().await;
    first_page()
        .respond_with(ok("timeline_polled.json"))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let mut sky = spec(&server.uri(), &dir);
    *sky.kind.poll_mut().unwrap() = Duration::from_millis(150);
    let page1 = uris("timeline_page1.json");
    let mut rx = start_resuming(&sky, &[("newest", page1[0].clone())]);
    let mut events = Vec::new();
    collect(&mut rx, &mut events, live).await;
    // three more polls of the same page
    drain(&mut rx, &mut events, Duration::from_millis(600)).await;
    assert!(timeline_reads(&server).await.len() >= 3, "it polled");
    let fresh = uris("timeline_polled.json")[0].clone();
    assert_eq!(post_ids(&events), [fresh], "only the new post, once");
}

// ---- acting as the account (issue 15) ----

use circles::model::{Act, ActRequest, ActResult, PostRef};
use circles::source::act::Accounts;

const POST_URI: &str = "at://did:plc:cufqlivd2omwkncsfs4ktcpo/app.bsky.feed.post/3n2tce3jaasty";
const POST_CID: &str = "bafyreiabs7egvmllbrweruc3omaqm3y2epzncsvjyiilhp5dwmwd5kciim";
const JANE: &str = "did:plc:janejanejanejanejane7x";
const CREATE_RECORD: &str = "/xrpc/com.atproto.repo.createRecord";
const DELETE_RECORD: &str = "/xrpc/com.atproto.repo.deleteRecord";

fn request(act: Act, record: Option<&str>) -> ActRequest {
    ActRequest {
        ticket: 1,
        source: "sky".into(),
        act,
        post: PostRef {
            id: POST_URI.into(),
            cid: Some(POST_CID.into()),
            record: record.map(str::to_string),
            find_by: None,
        },
    }
}

/// The bodies of the requests made to `path`, as JSON.
async fn bodies(server: &MockServer, path: &str) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == path)
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

#[tokio::test]
async fn the_timeline_gives_each_post_its_cid_counts_and_the_readers_marks() {
    let item = &fixture("timeline_page1.json")["feed"][0];
    let mut liked = item.clone();
    liked["post"]["viewer"]["like"] = Value::from(format!("at://{JANE}/app.bsky.feed.like/3l"));
    let post = circles::decode::decode(&liked.to_string(), "sky").unwrap();
    assert_eq!(post.cid.as_deref(), Some(POST_CID));
    assert_eq!(post.engagement.favourites, Some(7));
    assert_eq!(post.engagement.replies, Some(0));
    assert!(post.engagement.favourited && !post.engagement.boosted);
    assert_eq!(
        post.engagement.like_record,
        Some(format!("at://{JANE}/app.bsky.feed.like/3l"))
    );
}

#[tokio::test]
async fn like_repost_and_their_undo_write_and_delete_records_in_the_lexicon_shapes() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    let like = format!("at://{JANE}/app.bsky.feed.like/3lkb7mnoq2c2x");
    let repost = format!("at://{JANE}/app.bsky.feed.repost/3lkb7mp3ta22y");
    for (collection, uri) in [
        ("app.bsky.feed.like", &like),
        ("app.bsky.feed.repost", &repost),
    ] {
        Mock::given(method("POST"))
            .and(path(CREATE_RECORD))
            .and(bearer_token(ACCESS_1))
            .and(wiremock::matchers::body_partial_json(
                serde_json::json!({ "collection": collection }),
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "uri": uri,
                "cid": "bafyreihrecord",
                "commit": { "cid": "bafyreicommit", "rev": "3lkb7mnoqaz2x" },
                "validationStatus": "valid"
            })))
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path(DELETE_RECORD))
        .and(bearer_token(ACCESS_1))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "commit": { "cid": "bafyreicommit2", "rev": "3lkb7mnoqb22x" }
        })))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(&server.uri(), &dir);
    let mut accounts = Accounts::default();

    let liked = accounts
        .act(&spec, request(Act::Favourite { on: true }, None))
        .await;
    assert_eq!(
        liked,
        ActResult::Done {
            marks: None,
            record: Some(like.clone())
        }
    );
    let reposted = accounts
        .act(&spec, request(Act::Boost { on: true }, None))
        .await;
    assert!(matches!(&reposted, ActResult::Done { record: Some(r), .. } if *r == repost));
    let created = bodies(&server, CREATE_RECORD).await;
    assert_eq!(created.len(), 2);
    for (body, kind) in created
        .iter()
        .zip(["app.bsky.feed.like", "app.bsky.feed.repost"])
    {
        assert_eq!(
            body["repo"], JANE,
            "written to the account's own repo: {body}"
        );
        assert_eq!(body["collection"], kind);
        let record = &body["record"];
        assert_eq!(record["$type"], kind);
        assert_eq!(
            record["subject"],
            serde_json::json!({ "uri": POST_URI, "cid": POST_CID }),
            "a strong ref to the post"
        );
        let at = record["createdAt"].as_str().unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "{at}");
    }

    for (act, record) in [
        (Act::Favourite { on: false }, &like),
        (Act::Boost { on: false }, &repost),
    ] {
        let undone = accounts.act(&spec, request(act, Some(record))).await;
        assert_eq!(
            undone,
            ActResult::Done {
                marks: None,
                record: None
            }
        );
    }
    let deleted = bodies(&server, DELETE_RECORD).await;
    assert_eq!(
        deleted,
        [
            serde_json::json!({ "repo": JANE, "collection": "app.bsky.feed.like", "rkey": "3lkb7mnoq2c2x" }),
            serde_json::json!({ "repo": JANE, "collection": "app.bsky.feed.repost", "rkey": "3lkb7mp3ta22y" }),
        ]
    );
    // One login for all four: the session is kept between acts.
    assert_eq!(requests_to(&server, CREATE).await.len(), 1);
}

#[tokio::test]
async fn bookmarks_where_the_server_has_them_and_a_clear_message_where_it_does_not() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("POST"))
        .and(path("/xrpc/app.bsky.bookmark.createBookmark"))
        .and(body_json(
            serde_json::json!({ "uri": POST_URI, "cid": POST_CID }),
        ))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/xrpc/app.bsky.bookmark.deleteBookmark"))
        .respond_with(ResponseTemplate::new(501).set_body_json(serde_json::json!({
            "error": "MethodNotImplemented", "message": "Method Not Implemented"
        })))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(&server.uri(), &dir);
    let mut accounts = Accounts::default();
    let done = accounts
        .act(&spec, request(Act::Bookmark { on: true }, None))
        .await;
    assert!(matches!(done, ActResult::Done { .. }), "{done:?}");
    let ActResult::Failed(why) = accounts
        .act(&spec, request(Act::Bookmark { on: false }, None))
        .await
    else {
        panic!("a server without bookmarks fails");
    };
    assert!(
        why.contains("has no bookmarks") && why.contains("bsky.app"),
        "{why}"
    );
}

#[tokio::test]
async fn a_refused_or_rate_limited_act_fails_with_the_servers_words() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("POST"))
        .and(path(CREATE_RECORD))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "30")
                .set_body_json(serde_json::json!({
                    "error": "RateLimitExceeded", "message": "Rate Limit Exceeded"
                })),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(DELETE_RECORD))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error": "InvalidRequest", "message": "Could not find record"
        })))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(&server.uri(), &dir);
    let mut accounts = Accounts::default();
    let ActResult::Failed(why) = accounts
        .act(&spec, request(Act::Favourite { on: true }, None))
        .await
    else {
        panic!("429 is a failure");
    };
    assert!(why.contains("429") && why.contains("rate limited"), "{why}");
    let ActResult::Failed(why) = accounts
        .act(
            &spec,
            request(
                Act::Boost { on: false },
                Some(&format!("at://{JANE}/app.bsky.feed.repost/x")),
            ),
        )
        .await
    else {
        panic!("400 is a failure");
    };
    assert!(why.contains("Could not find record"), "{why}");
    assert!(!why.contains(PASSWORD) && !why.contains(ACCESS_1));
    // An undo without the record to delete says so, and asks nothing.
    let ActResult::Failed(why) = accounts
        .act(&spec, request(Act::Favourite { on: false }, None))
        .await
    else {
        panic!("no record, no undo");
    };
    assert!(why.contains("record"), "{why}");
    assert_eq!(bodies(&server, DELETE_RECORD).await.len(), 1);
}

// ---- posting (issue 15) ----

use circles::model::{Draft, PostRequest, PostResult, RecordRef, Target};

#[tokio::test]
async fn a_reply_is_a_post_record_with_facets_as_byte_ranges_and_both_refs() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/xrpc/com.atproto.identity.resolveHandle"))
        .and(query_param("handle", "bob.bsky.social"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({ "did": "did:plc:bob" })),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/com.atproto.identity.resolveHandle"))
        .and(query_param("handle", "nobody.example"))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error": "InvalidRequest", "message": "Unable to resolve handle"
        })))
        .mount(&server)
        .await;
    let mine = format!("at://{JANE}/app.bsky.feed.post/3lmine");
    Mock::given(method("POST"))
        .and(path(CREATE_RECORD))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "uri": mine, "cid": "bafyreimine"
        })))
        .mount(&server)
        .await;
    // The post read back, as getPosts shows it.
    let mut view = fixture("timeline_page1.json")["feed"][0]["post"].clone();
    view["uri"] = Value::from(mine.clone());
    view["cid"] = Value::from("bafyreimine");
    view["record"]["text"] = Value::from("read back");
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.feed.getPosts"))
        .and(query_param("uris", mine.as_str()))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({ "posts": [view] })),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(&server.uri(), &dir);
    let mut accounts = Accounts::default();
    let text = "日本語 🦀 @bob.bsky.social and @nobody.example: https://example.org/x #rust";
    let draft = Draft {
        id: "circles-1".into(),
        source: "sky".into(),
        text: text.into(),
        language: "ja".into(),
        reply: Some(Target {
            id: POST_URI.into(),
            cid: Some(POST_CID.into()),
            root: Some(RecordRef {
                uri: "at://did:plc:root/app.bsky.feed.post/1".into(),
                cid: "bafyroot".into(),
            }),
            url: None,
            author: "@bob.bsky.social".into(),
            excerpt: String::new(),
            find_by: None,
        }),
        ..Draft::default()
    };
    let result = accounts
        .post(
            &spec,
            PostRequest { ticket: 1, draft },
            circles::model::BLUESKY_LIMITS,
        )
        .await;
    let PostResult::Posted(post) = result else {
        panic!("not posted: {result:?}");
    };
    assert_eq!(post.id, mine);
    assert_eq!(post.text, "read back", "shown as the server has it");
    let bodies = bodies(&server, CREATE_RECORD).await;
    let body = &bodies[0];
    assert_eq!(body["repo"], JANE);
    assert_eq!(body["collection"], "app.bsky.feed.post");
    let record = &body["record"];
    assert_eq!(record["$type"], "app.bsky.feed.post");
    assert_eq!(record["text"], text);
    assert_eq!(record["langs"], serde_json::json!(["ja"]));
    assert_eq!(
        record["reply"],
        serde_json::json!({
            "root": { "uri": "at://did:plc:root/app.bsky.feed.post/1", "cid": "bafyroot" },
            "parent": { "uri": POST_URI, "cid": POST_CID },
        })
    );
    let facets = record["facets"].as_array().unwrap();
    assert_eq!(
        facets.len(),
        3,
        "the unresolvable handle stays plain text: {facets:?}"
    );
    let covered = |i: usize| {
        let index = &facets[i]["index"];
        let (start, end) = (
            index["byteStart"].as_u64().unwrap() as usize,
            index["byteEnd"].as_u64().unwrap() as usize,
        );
        &text.as_bytes()[start..end]
    };
    assert_eq!(covered(0), b"@bob.bsky.social");
    // 日本語 is 9 bytes and 🦀 4: byte 15, the 7th character.
    assert_eq!(facets[0]["index"]["byteStart"], 15, "bytes, not characters");
    assert_eq!(
        facets[0]["features"][0],
        serde_json::json!({ "$type": "app.bsky.richtext.facet#mention", "did": "did:plc:bob" })
    );
    assert_eq!(covered(1), b"https://example.org/x");
    assert_eq!(
        facets[1]["features"][0]["$type"],
        "app.bsky.richtext.facet#link"
    );
    assert_eq!(covered(2), b"#rust");
    assert_eq!(
        facets[2]["features"][0],
        serde_json::json!({ "$type": "app.bsky.richtext.facet#tag", "tag": "rust" })
    );
}

#[tokio::test]
async fn a_quote_embeds_the_record_and_a_failed_send_says_why() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("POST"))
        .and(path(CREATE_RECORD))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "uri": format!("at://{JANE}/app.bsky.feed.post/3lq"), "cid": "bafyq"
        })))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(CREATE_RECORD))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error": "InvalidRequest", "message": "Record/text must not be longer than 300 graphemes"
        })))
        .mount(&server)
        .await;
    // getPosts is not mounted: the post went out and says so.
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(&server.uri(), &dir);
    let mut accounts = Accounts::default();
    let quote = Draft {
        id: "circles-2".into(),
        source: "sky".into(),
        text: "look".into(),
        quote: Some(Target {
            id: POST_URI.into(),
            cid: Some(POST_CID.into()),
            root: None,
            url: None,
            author: "@x".into(),
            excerpt: String::new(),
            find_by: None,
        }),
        ..Draft::default()
    };
    let limits = circles::model::BLUESKY_LIMITS;
    let result = accounts
        .post(
            &spec,
            PostRequest {
                ticket: 1,
                draft: quote.clone(),
            },
            limits,
        )
        .await;
    assert_eq!(result, PostResult::Sent);
    let body = &bodies(&server, CREATE_RECORD).await[0];
    assert_eq!(
        body["record"]["embed"],
        serde_json::json!({
            "$type": "app.bsky.embed.record",
            "record": { "uri": POST_URI, "cid": POST_CID },
        })
    );
    assert!(body["record"].get("facets").is_none(), "no facets, no key");
    let result = accounts
        .post(
            &spec,
            PostRequest {
                ticket: 2,
                draft: quote,
            },
            limits,
        )
        .await;
    let PostResult::Failed(why) = result else {
        panic!("{result:?}");
    };
    assert!(
        why.contains("400") && why.contains("300 graphemes"),
        "{why}"
    );
}

#[tokio::test]
async fn get_post_thread_is_flattened_parents_first_and_replies_depth_first() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    let base = fixture("timeline_page1.json")["feed"][0]["post"].clone();
    let view = |rkey: &str, text: &str| {
        let mut post = base.clone();
        post["uri"] = Value::from(format!("at://did:plc:x/app.bsky.feed.post/{rkey}"));
        post["record"]["text"] = Value::from(text);
        post
    };
    let node = |rkey: &str, text: &str| serde_json::json!({ "$type": "app.bsky.feed.defs#threadViewPost", "post": view(rkey, text) });
    let mut anchor = node("anchor", "the post");
    let mut parent = node("parent", "its parent");
    parent["parent"] = node("root", "the root");
    anchor["parent"] = parent;
    let mut first = node("r1", "first reply");
    first["replies"] = serde_json::json!([node("r1a", "a reply to the first")]);
    anchor["replies"] = serde_json::json!([
        first,
        { "$type": "app.bsky.feed.defs#notFoundPost", "uri": "at://gone", "notFound": true },
        node("r2", "second reply"),
    ]);
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.feed.getPostThread"))
        .and(query_param("uri", POST_URI))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({ "thread": anchor })),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(&server.uri(), &dir);
    let mut accounts = Accounts::default();
    let circles::model::ThreadResult::Found { ancestors, replies } =
        accounts.thread(&spec, POST_URI.into(), None).await
    else {
        panic!("no thread");
    };
    let texts: Vec<&str> = ancestors.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(texts, ["the root", "its parent"]);
    let below: Vec<(&str, u16)> = replies.iter().map(|(p, d)| (p.text.as_str(), *d)).collect();
    assert_eq!(
        below,
        [
            ("first reply", 1),
            ("a reply to the first", 2),
            ("second reply", 1)
        ]
    );
}

#[tokio::test]
async fn a_bluesky_profile_is_get_profile_and_the_author_feed() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.actor.getProfile"))
        .and(query_param("actor", "did:plc:bob"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "did": "did:plc:bob",
            "handle": "bob.bsky.social",
            "displayName": "Bob \u{1b}[31mLindqvist",
            "description": "terminal fonts\nand box drawing",
            "followersCount": 120,
            "followsCount": 80,
            "postsCount": 900,
            "viewer": { "muted": false, "followedBy": "at://did:plc:bob/app.bsky.graph.follow/1" }
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.feed.getAuthorFeed"))
        .and(query_param("actor", "did:plc:bob"))
        .respond_with(ok("timeline_page1.json"))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(&server.uri(), &dir);
    let mut accounts = Accounts::default();
    let bob =
        circles::model::Account::new("bob.bsky.social", "Bob", circles::model::Network::Bluesky)
            .with_did("did:plc:bob");
    let circles::model::ProfileResult::Found { profile, posts } =
        accounts.profile(&spec, bob).await
    else {
        panic!("no profile");
    };
    assert_eq!(profile.handle, "@bob.bsky.social");
    assert!(
        !profile.display_name.contains('\u{1b}'),
        "sanitized: {:?}",
        profile.display_name
    );
    assert_eq!(profile.bio, "terminal fonts\nand box drawing");
    assert_eq!(
        (profile.followers, profile.following, profile.posts),
        (Some(120), Some(80), Some(900))
    );
    assert_eq!(
        (profile.you_follow, profile.follows_you),
        (Some(false), Some(true))
    );
    assert_eq!(posts.len(), uris("timeline_page1.json").len());
}

#[tokio::test]
async fn a_bluesky_follow_is_a_graph_follow_record_and_unfollow_deletes_it() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    let following = format!("at://{JANE}/app.bsky.graph.follow/3lf");
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.actor.getProfile"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "did": "did:plc:bob", "handle": "bob.bsky.social", "viewer": {}
        })))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.actor.getProfile"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "did": "did:plc:bob", "handle": "bob.bsky.social",
            "viewer": { "following": following }
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(CREATE_RECORD))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "uri": following, "cid": "bafyf"
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(DELETE_RECORD))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(&server.uri(), &dir);
    let mut accounts = Accounts::default();
    let bob =
        circles::model::Account::new("bob.bsky.social", "Bob", circles::model::Network::Bluesky)
            .with_did("did:plc:bob");
    assert_eq!(
        accounts.follow(&spec, bob.clone(), Some(true)).await,
        Ok(true)
    );
    let created = bodies(&server, CREATE_RECORD).await;
    assert_eq!(created[0]["collection"], "app.bsky.graph.follow");
    assert_eq!(created[0]["record"]["subject"], "did:plc:bob");
    assert_eq!(created[0]["record"]["$type"], "app.bsky.graph.follow");
    assert_eq!(accounts.follow(&spec, bob, Some(false)).await, Ok(false));
    let deleted = bodies(&server, DELETE_RECORD).await;
    assert_eq!(
        deleted[0],
        serde_json::json!({ "repo": JANE, "collection": "app.bsky.graph.follow", "rkey": "3lf" })
    );
}

// ---- notifications ----

const NOTIFICATIONS: &str = "/xrpc/app.bsky.notification.listNotifications";
const GET_POSTS: &str = "/xrpc/app.bsky.feed.getPosts";
const MINE: &str = "at://did:plc:janejanejanejanejane7x/app.bsky.feed.post/3mine00000001";

fn notifications_spec(service: &str, dir: &tempfile::TempDir) -> SourceSpec {
    let file = secret_file(dir.path(), "app-password", PASSWORD, 0o600);
    source_spec(&format!(
        "[[source]]\nname = \"sky\"\nkind = \"bluesky\"\nhandle = \"jane.bsky.social\"\n\
         service = \"{service}\"\napp_password_file = \"{}\"\nfeed = \"notifications\"\n",
        file.display()
    ))
}

async fn notifications_from(server: &MockServer) -> Vec<circles::model::Post> {
    let dir = tempfile::tempdir().unwrap();
    let mut rx = start(&notifications_spec(&server.uri(), &dir));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, live).await;
    crate::common::posts(&events)
}

#[tokio::test]
async fn every_reason_of_list_notifications_becomes_a_card_with_its_posts_fetched() {
    use circles::model::NoticeKind;
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path(NOTIFICATIONS))
        .and(bearer_token(ACCESS_1))
        .and(query_param("limit", "50"))
        .respond_with(ok("notifications.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(GET_POSTS))
        .respond_with(ok("notification_posts.json"))
        .expect(1)
        .mount(&server)
        .await;
    let posts = notifications_from(&server).await;
    let kinds: Vec<Option<NoticeKind>> = posts.iter().map(|p| p.notice_kind()).collect();
    assert_eq!(
        kinds,
        [
            NoticeKind::Quote,
            NoticeKind::Reply,
            NoticeKind::Mention,
            NoticeKind::Follow,
            NoticeKind::Reblog,
            NoticeKind::Favourite,
            NoticeKind::Favourite,
        ]
        .map(Some)
    );
    // Mentions, replies and quotes are the posts, as getPosts has them.
    let quote = &posts[0];
    assert_eq!(quote.text, "worth reading twice");
    assert_eq!(quote.engagement.favourites, Some(5), "hydrated: its counts");
    assert_eq!(quote.quoted().map(|q| q.id.as_str()), Some(MINE));
    assert_eq!(
        posts[1].reply_to.as_ref().map(|r| r.id.as_str()),
        Some(MINE)
    );
    assert_eq!(posts[2].author.handle, "@cat.bsky.social");
    // A follow, a repost and likes are about jane's post, fetched too.
    assert!(posts[3].is_pure_notice() && posts[3].notice.as_deref().unwrap().subject.is_none());
    for like in &posts[4..] {
        let subject = like.notice.as_deref().unwrap().subject.as_deref().unwrap();
        assert_eq!(subject.id, MINE);
        assert_eq!(subject.text, "Attention is not owed; it is earned.");
    }
    assert_eq!(posts[5].author.handle, "@bob.bsky.social");
    // One getPosts call for the four posts, each once.
    let asked = requests_to(&server, GET_POSTS).await;
    let uris: Vec<String> = asked[0]
        .url
        .query_pairs()
        .filter(|(k, _)| k == "uris")
        .map(|(_, v)| v.into_owned())
        .collect();
    assert_eq!(uris.len(), 4, "{uris:?}");
    assert!(uris.iter().any(|u| u == MINE), "{uris:?}");
}

#[tokio::test]
async fn notifications_come_from_their_records_when_the_posts_cannot_be_read() {
    use circles::model::NoticeKind;
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path(NOTIFICATIONS))
        .respond_with(ok("notifications.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(GET_POSTS))
        .respond_with(ResponseTemplate::new(502))
        .mount(&server)
        .await;
    let posts = notifications_from(&server).await;
    assert_eq!(posts.len(), 7, "none lost");
    let mention = posts
        .iter()
        .find(|p| p.notice_kind() == Some(NoticeKind::Mention))
        .unwrap();
    assert_eq!(mention.text, "@jane.bsky.social have you seen this?");
    assert_eq!(
        mention.mentions[0].did.as_deref(),
        Some("did:plc:janejanejanejanejane7x")
    );
    let like = posts
        .iter()
        .find(|p| p.notice_kind() == Some(NoticeKind::Favourite))
        .unwrap();
    assert!(like.notice.as_deref().unwrap().subject.is_none());
}

#[tokio::test]
async fn the_notifications_seen_at_is_the_read_marker_and_update_seen_moves_it() {
    use circles::model::{Mark, Marker};
    let server = MockServer::start().await;
    mount_login(&server).await;
    let mut page = fixture("notifications.json");
    // Between the follow (09:10:01) and the mention (09:20:01).
    page["seenAt"] = "2026-11-21T09:15:00.000Z".into();
    Mock::given(method("GET"))
        .and(path(NOTIFICATIONS))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(GET_POSTS))
        .respond_with(ok("notification_posts.json"))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let spec = notifications_spec(&server.uri(), &dir);
    let mut rx = start(&spec);
    let mut events = Vec::new();
    collect(&mut rx, &mut events, live).await;
    let marks: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            SourceEvent::ReadMarker { marker, mark, .. } => Some((*marker, mark.clone())),
            _ => None,
        })
        .collect();
    let seen_at = "2026-11-21T09:15:00Z".parse().unwrap();
    assert_eq!(marks, [(Marker::SeenAt, Some(Mark::Time(seen_at)))]);
    // By the server's indexedAt, not the records' own times: the follow,
    // the repost and both likes are read, the quote, reply and mention not.
    let posts = crate::common::posts(&events);
    let read: Vec<bool> = posts
        .iter()
        .map(|p| Marker::SeenAt.covers(&Mark::Time(seen_at), p))
        .collect();
    assert_eq!(read, [false, false, false, true, true, true, true]);

    // Read further in circles: `updateSeen` with that time.
    Mock::given(method("POST"))
        .and(path("/xrpc/app.bsky.notification.updateSeen"))
        .and(bearer_token(ACCESS_1))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let mention_at = posts[2].notice.as_deref().unwrap().at.unwrap();
    // The acting client logs in on its own.
    Mock::given(method("POST"))
        .and(path(CREATE))
        .respond_with(ok("create_session.json"))
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    let mut accounts = circles::source::act::Accounts::default();
    accounts
        .mark_read(&spec, Marker::SeenAt, Mark::Time(mention_at))
        .await
        .unwrap();
    assert_eq!(
        bodies(&server, "/xrpc/app.bsky.notification.updateSeen").await,
        [serde_json::json!({ "seenAt": "2026-11-21T09:20:01.000000Z" })]
    );
}

// ---- feeds other than the home timeline (issue 20) ----

/// A PDS that lets jane in.
async fn logged_in() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CREATE))
        .respond_with(ok("create_session.json"))
        .mount(&server)
        .await;
    server
}

fn feed_spec(service: &str, dir: &tempfile::TempDir, feed: &str) -> SourceSpec {
    let file = secret_file(dir.path(), "app-password", PASSWORD, 0o600);
    source_spec(&format!(
        "[[source]]\nname = \"sky\"\nkind = \"bluesky\"\nhandle = \"jane.bsky.social\"\n\
         service = \"{service}\"\napp_password_file = \"{}\"\nfeed = {feed:?}\n",
        file.display()
    ))
}

/// The posts a source of `feed` delivers from `server`.
async fn posts_of_feed(server: &MockServer, feed: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let mut rx = start(&feed_spec(&server.uri(), &dir, feed));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, live).await;
    post_ids(&events)
}

/// What a source of `feed` sends until it has named the feed (asked once
/// the first read is in).
async fn titled_feed(server: &MockServer, feed: &str) -> Vec<SourceEvent> {
    let dir = tempfile::tempdir().unwrap();
    let mut rx = start(&feed_spec(&server.uri(), &dir, feed));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, |e| {
        !crate::common::titles(e).is_empty()
    })
    .await;
    events
}

#[tokio::test]
async fn a_custom_feed_and_a_list_are_named_as_their_server_names_them() {
    let server = logged_in().await;
    let page = fixture("timeline_page1.json");
    let creator = serde_json::json!({
        "did": "did:plc:alice", "handle": "alice.bsky.social", "displayName": "Alice"
    });
    let feed = "at://did:plc:alice/app.bsky.feed.generator/cats";
    let list = "at://did:plc:alice/app.bsky.graph.list/friends";
    for (xrpc, key, value) in [
        ("app.bsky.feed.getFeed", "feed", feed),
        ("app.bsky.feed.getListFeed", "list", list),
        ("app.bsky.feed.getAuthorFeed", "actor", "bob.bsky.social"),
    ] {
        Mock::given(method("GET"))
            .and(path(format!("/xrpc/{xrpc}")))
            .and(query_param(key, value))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(serde_json::json!({"feed": page["feed"]})),
            )
            .mount(&server)
            .await;
    }
    // app.bsky.feed.getFeedGenerator and app.bsky.graph.getList, as the
    // lexicons shape them.
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.feed.getFeedGenerator"))
        .and(query_param("feed", feed))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "view": {
                "uri": feed, "cid": "bafyreicats", "did": "did:web:cats.example",
                "creator": creator, "displayName": "Cats \u{1b}[31mof the day",
                "description": "cats", "likeCount": 12, "indexedAt": "2026-12-01T10:00:00.000Z"
            },
            "isOnline": true,
            "isValid": true
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.graph.getList"))
        .and(query_param("list", list))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "list": {
                "uri": list, "cid": "bafyreifriends", "creator": creator, "name": "Friends",
                "purpose": "app.bsky.graph.defs#curatelist", "indexedAt": "2026-12-01T10:00:00.000Z"
            },
            "items": []
        })))
        .mount(&server)
        .await;
    let events = titled_feed(&server, feed).await;
    assert_eq!(
        crate::common::titles(&events),
        ["Cats of the day"],
        "on one line, without the escape"
    );
    let events = titled_feed(&server, list).await;
    assert_eq!(crate::common::titles(&events), ["Friends"]);
    // An account's posts: by the name app.bsky.actor.getProfile gives.
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.actor.getProfile"))
        .and(query_param("actor", "bob.bsky.social"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "did": "did:plc:bob", "handle": "bob.bsky.social", "displayName": "Bob Builder",
            "followersCount": 3, "followsCount": 4, "postsCount": 5
        })))
        .mount(&server)
        .await;
    let events = titled_feed(&server, "user:bob.bsky.social").await;
    assert_eq!(crate::common::titles(&events), ["Bob Builder"]);
}

/// A logged-in PDS that resolves alice.bsky.social (a bsky.app address
/// names a feed or list by handle), with the timeline fixture's page and
/// its items as a feed's answer.
async fn feeds_server() -> (MockServer, Value, Value) {
    let server = logged_in().await;
    let page = fixture("timeline_page1.json");
    let feed_only = serde_json::json!({ "feed": page["feed"] });
    Mock::given(method("GET"))
        .and(path("/xrpc/com.atproto.identity.resolveHandle"))
        .and(query_param("handle", "alice.bsky.social"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"did": "did:plc:alice"})),
        )
        .mount(&server)
        .await;
    (server, page, feed_only)
}

#[tokio::test]
async fn custom_feeds_lists_authors_likes_and_searches_are_read_with_their_methods() {
    let (server, page, feed_only) = feeds_server().await;
    for (xrpc, key, value) in [
        (
            "app.bsky.feed.getFeed",
            "feed",
            "at://did:plc:alice/app.bsky.feed.generator/cats",
        ),
        (
            "app.bsky.feed.getListFeed",
            "list",
            "at://did:plc:alice/app.bsky.graph.list/friends",
        ),
        ("app.bsky.feed.getAuthorFeed", "actor", "bob.bsky.social"),
        (
            "app.bsky.feed.getActorLikes",
            "actor",
            "did:plc:janejanejanejanejane7x",
        ),
    ] {
        Mock::given(method("GET"))
            .and(path(format!("/xrpc/{xrpc}")))
            .and(query_param(key, value))
            .and(query_param_is_missing("cursor"))
            .respond_with(ResponseTemplate::new(200).set_body_json(feed_only.clone()))
            .mount(&server)
            .await;
    }
    let views: Vec<Value> = page["feed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["post"].clone())
        .collect();
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.feed.searchPosts"))
        .and(query_param("q", "rust release"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({ "posts": views })),
        )
        .mount(&server)
        .await;
    let expected = post_ids_of(&page);
    for feed in [
        "https://bsky.app/profile/alice.bsky.social/feed/cats",
        "at://did:plc:alice/app.bsky.graph.list/friends",
        "user:@bob.bsky.social",
        "likes",
        "search:rust release",
    ] {
        assert_eq!(posts_of_feed(&server, feed).await, expected, "{feed}");
    }
}

/// An author feed asks with its `filter` (getAuthorFeed's lexicon value,
/// `posts_with_replies` when unset), and a list's bsky.app address
/// (`/lists/…`) is read as the list's `at://` URI.
#[tokio::test]
async fn an_author_feeds_filter_and_a_lists_web_address_reach_the_server() {
    let (server, page, feed_only) = feeds_server().await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.feed.getListFeed"))
        .and(query_param(
            "list",
            "at://did:plc:alice/app.bsky.graph.list/3kfriends",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(feed_only.clone()))
        .mount(&server)
        .await;
    for filter in ["posts_with_replies", "posts_no_replies", "posts_with_media"] {
        Mock::given(method("GET"))
            .and(path("/xrpc/app.bsky.feed.getAuthorFeed"))
            .and(query_param("actor", "bob.bsky.social"))
            .and(query_param("filter", filter))
            .respond_with(ResponseTemplate::new(200).set_body_json(feed_only.clone()))
            .mount(&server)
            .await;
    }
    let expected = post_ids_of(&page);
    let read = |extra: &'static str, feed: &'static str| {
        let service = server.uri();
        async move {
            let dir = tempfile::tempdir().unwrap();
            let file = secret_file(dir.path(), "app-password", PASSWORD, 0o600);
            let spec = source_spec(&format!(
                "[[source]]\nname = \"sky\"\nkind = \"bluesky\"\nhandle = \"jane.bsky.social\"\n\
                 service = \"{service}\"\napp_password_file = \"{}\"\nfeed = {feed:?}\n{extra}",
                file.display()
            ));
            let mut rx = start(&spec);
            let mut events = Vec::new();
            collect(&mut rx, &mut events, live).await;
            post_ids(&events)
        }
    };
    let list = "https://bsky.app/profile/alice.bsky.social/lists/3kfriends";
    assert_eq!(read("", list).await, expected, "{list}");
    for (extra, filter) in [
        ("", "posts_with_replies"),
        ("filter = \"posts_no_replies\"\n", "posts_no_replies"),
        ("filter = \"posts_with_media\"\n", "posts_with_media"),
    ] {
        let before = server.received_requests().await.unwrap().len();
        assert_eq!(
            read(extra, "user:bob.bsky.social").await,
            expected,
            "{filter}"
        );
        let asked: Vec<String> = server.received_requests().await.unwrap()[before..]
            .iter()
            .filter(|r| r.url.path() == "/xrpc/app.bsky.feed.getAuthorFeed")
            .map(|r| r.url.query().unwrap_or_default().to_string())
            .collect();
        assert!(
            !asked.is_empty()
                && asked
                    .iter()
                    .all(|q| q.contains(&format!("filter={filter}"))),
            "{filter}: {asked:?}"
        );
    }
}

/// The ids the decoder gives a page's items.
fn post_ids_of(page: &Value) -> Vec<String> {
    page["feed"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|item| circles::decode::decode(&item.to_string(), "sky").ok())
        .map(|post| post.id)
        .collect()
}

#[test]
fn a_feed_circles_cannot_read_is_a_located_error() {
    let text = "[[source]]\nname = \"sky\"\nkind = \"bluesky\"\nhandle = \"jane.bsky.social\"\n\
                app_password_env = \"PW\"\nfeed = \"popular\"\n";
    let errors = circles::config::parse(text).unwrap_err();
    let error = &errors.errors[0];
    assert_eq!(error.line_col(text).unwrap().0, 6, "{}", error.message);
    assert!(
        error
            .message
            .contains("\"popular\" is not one circles reads"),
        "{}",
        error.message
    );
    // And Jetstream is for the home timeline only.
    let text = text.replace(
        "\"popular\"",
        "\"likes\"\njetstream = \"wss://127.0.0.1:9\"",
    );
    let errors = circles::config::parse(&text).unwrap_err();
    assert!(
        errors.errors[0].message.contains("home timeline"),
        "{:?}",
        errors.errors
    );
}

#[tokio::test]
async fn saved_feeds_come_from_the_preferences_named_by_their_servers() {
    let server = logged_in().await;
    let cats = "at://did:plc:alice/app.bsky.feed.generator/cats";
    let dogs = "at://did:plc:bob/app.bsky.feed.generator/dogs";
    let friends = "at://did:plc:janejanejanejanejane7x/app.bsky.graph.list/friends";
    // app.bsky.actor.getPreferences, as the lexicon shapes it: the home
    // timeline is an item too, and is not offered.
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.actor.getPreferences"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "preferences": [
                {"$type": "app.bsky.actor.defs#contentLabelPref", "label": "nsfw", "visibility": "hide"},
                {"$type": "app.bsky.actor.defs#savedFeedsPrefV2", "items": [
                    {"id": "3l1", "type": "timeline", "value": "following", "pinned": true},
                    {"id": "3l2", "type": "list", "value": friends, "pinned": false},
                    {"id": "3l3", "type": "feed", "value": dogs, "pinned": false},
                    {"id": "3l4", "type": "feed", "value": cats, "pinned": true}
                ]}
            ]
        })))
        .mount(&server)
        .await;
    let creator = serde_json::json!({"did": "did:plc:alice", "handle": "alice.bsky.social"});
    let view = |uri: &str, name: &str| {
        serde_json::json!({
            "uri": uri, "cid": "bafyrei", "did": "did:web:feeds.example", "creator": creator,
            "displayName": name, "indexedAt": "2026-12-01T10:00:00.000Z"
        })
    };
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.feed.getFeedGenerators"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "feeds": [view(dogs, "Dogs"), view(cats, "Cats of the day")]
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.graph.getList"))
        .and(query_param("list", friends))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "list": {"uri": friends, "cid": "bafyrei", "creator": creator, "name": "Friends",
                     "purpose": "app.bsky.graph.defs#curatelist",
                     "indexedAt": "2026-12-01T10:00:00.000Z"},
            "items": []
        })))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let spec = feed_spec(&server.uri(), &dir, "home");
    let mut accounts = circles::source::act::Accounts::default();
    let saved = accounts.saved(&spec).await.unwrap();
    let got: Vec<(&str, &str, &str, bool)> = saved
        .iter()
        .map(|s| (s.kind, s.title.as_str(), s.read.as_str(), s.pinned))
        .collect();
    assert_eq!(
        got,
        [
            ("feed", "Cats of the day", cats, true),
            ("list", "Friends", friends, false),
            ("feed", "Dogs", dogs, false),
        ]
    );
    // Both feeds named in one call.
    let asked = requests_to(&server, "/xrpc/app.bsky.feed.getFeedGenerators").await;
    let feeds: Vec<String> = asked[0]
        .url
        .query_pairs()
        .filter(|(k, _)| k == "feeds")
        .map(|(_, v)| v.into_owned())
        .collect();
    assert_eq!(feeds, [cats, dogs]);
}

/// Each feed (and a search) pages back with its cursor on the first run, keeps its newest
/// item, and after a restart reads only the page above it, as the home
/// timeline does.
#[tokio::test]
async fn every_feed_pages_back_and_a_restart_reads_only_what_is_newer() {
    for (xrpc, key, value, feed) in [
        (
            "app.bsky.feed.getFeed",
            "feed",
            "at://did:plc:alice/app.bsky.feed.generator/cats",
            "at://did:plc:alice/app.bsky.feed.generator/cats",
        ),
        (
            "app.bsky.feed.getListFeed",
            "list",
            "at://did:plc:alice/app.bsky.graph.list/friends",
            "at://did:plc:alice/app.bsky.graph.list/friends",
        ),
        (
            "app.bsky.feed.getAuthorFeed",
            "actor",
            "bob.bsky.social",
            "user:bob.bsky.social",
        ),
        (
            "app.bsky.feed.getActorLikes",
            "actor",
            "did:plc:janejanejanejanejane7x",
            "likes",
        ),
        (
            "app.bsky.feed.searchPosts",
            "q",
            "rust release",
            "search:rust release",
        ),
    ] {
        // searchPosts answers post views, not feed items.
        let answer = |name: &str| {
            let page = fixture(name);
            if xrpc.ends_with("searchPosts") {
                let posts: Vec<Value> = page["feed"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|item| item["post"].clone())
                    .collect();
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"cursor": page["cursor"], "posts": posts}))
            } else {
                ResponseTemplate::new(200).set_body_json(page)
            }
        };
        let server = logged_in().await;
        let at = format!("/xrpc/{xrpc}");
        let read = || {
            Mock::given(method("GET"))
                .and(path(at.clone()))
                .and(query_param(key, value))
        };
        read()
            .and(query_param_is_missing("cursor"))
            .respond_with(answer("timeline_page1.json"))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        read()
            .and(query_param_is_missing("cursor"))
            .respond_with(answer("timeline_polled.json"))
            .with_priority(2)
            .mount(&server)
            .await;
        read()
            .and(query_param("cursor", page1_cursor()))
            .respond_with(answer("timeline_page2.json"))
            .mount(&server)
            .await;
        let dir = tempfile::tempdir().unwrap();
        let sky = feed_spec(&server.uri(), &dir, feed);
        let mut rx = start(&sky);
        let mut events = Vec::new();
        collect(&mut rx, &mut events, live).await;
        let mut both = uris("timeline_page1.json");
        both.extend(uris("timeline_page2.json"));
        assert_eq!(post_ids(&events), both, "{xrpc}: both pages");
        let saved = cursors(&events);
        assert_eq!(
            saved,
            [("newest".to_string(), uris("timeline_page1.json")[0].clone())],
            "{xrpc}"
        );
        drop(rx);
        let first_run = requests_to(&server, &at).await.len();

        let mut rx = start_resuming(&sky, &saved);
        let mut events = Vec::new();
        collect(&mut rx, &mut events, live).await;
        drain(&mut rx, &mut events, Duration::from_millis(200)).await;
        let fresh = uris("timeline_polled.json")[0].clone();
        assert_eq!(post_ids(&events), [fresh], "{xrpc}: only the new post");
        let reads: Vec<Option<String>> = requests_to(&server, &at)
            .await
            .iter()
            .map(|r| query(r, "cursor"))
            .collect();
        assert_eq!(
            reads[first_run..],
            [None],
            "{xrpc}: one page, no paging back"
        );
    }
}

/// A feed the server does not know fails the source with the key's words,
/// which the app puts at the key's place in the config.
#[tokio::test]
async fn a_feed_the_server_does_not_know_is_said_with_its_key() {
    let server = logged_in().await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.feed.getFeed"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            serde_json::json!({"error": "UnknownFeed", "message": "could not find feed"}),
        ))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let feed = "at://did:plc:alice/app.bsky.feed.generator/gone";
    let mut rx = start(&feed_spec(&server.uri(), &dir, feed));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, |e| crate::common::failed(e).is_some()).await;
    let why = crate::common::failed(&events).unwrap();
    assert!(why.starts_with(&format!("feed = \"{feed}\": ")), "{why}");
    assert!(why.contains("could not find feed"), "{why}");
}
