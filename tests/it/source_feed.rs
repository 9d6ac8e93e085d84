//! The feed source against a local web server (wiremock on 127.0.0.1) and
//! local files: RSS 2.0, Atom and JSON Feed entries become posts, polls are
//! conditional, new entries arrive once, HTML becomes clean text, and one
//! broken URL does not stop the others.

use crate::common::{
    collect, cursors, drain_for as drain, is_live as live, post_ids as ids, posts, retrying,
    skipped, source_spec, start, start_resuming, states,
};
use circles::config::SourceSpec;
use circles::model::SourceState;
use circles::model::{Network, Post};
use std::time::Duration;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

fn fixture(name: &str) -> String {
    crate::common::fixture_text(&format!("feeds/{name}"))
}

fn serve(name: &str, content_type: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(fixture(name), content_type)
}

/// A GET of `at`.
fn get(at: &str) -> MockBuilder {
    Mock::given(method("GET")).and(path(at))
}

const ATOM: &str = "application/atom+xml; charset=utf-8";
const RSS: &str = "application/rss+xml; charset=utf-8";
const JSON: &str = "application/feed+json";
const ETAG: &str = "\"5f3a-63f1c2e9b8d40\"";
const MODIFIED: &str = "Thu, 28 Nov 2024 10:00:00 GMT";

/// The Rust blog's feed with its validators, `ETAG` and `MODIFIED`.
fn serve_with_validators() -> ResponseTemplate {
    serve("rust_blog.atom.xml", ATOM)
        .insert_header("etag", ETAG)
        .insert_header("last-modified", MODIFIED)
}

/// A feed spec for `urls`, polling every `poll` (shorter than the config
/// allows, to keep the tests quick).
fn spec(urls: &[String], poll: Duration) -> SourceSpec {
    let list: Vec<String> = urls.iter().map(|u| format!("{u:?}")).collect();
    let mut spec = source_spec(&format!(
        "[[source]]\nname = \"blogs\"\nkind = \"feed\"\nurls = [{}]\n",
        list.join(", ")
    ));
    *spec.kind.poll_mut().unwrap() = poll;
    spec
}

fn find<'a>(posts: &'a [Post], id: &str) -> &'a Post {
    posts
        .iter()
        .find(|p| p.id == id)
        .unwrap_or_else(|| panic!("no post {id} in {posts:#?}"))
}

const RUST_183: &str = "https://blog.rust-lang.org/2024/11/28/Rust-1.83.0.html";
const RUST_182: &str = "https://blog.rust-lang.org/2024/10/17/Rust-1.82.0.html";
const SURVEY: &str = "https://blog.rust-lang.org/2024/12/05/annual-survey-2024-launch.html";
const TWIR: &str = "tag:this-week-in-rust.org,2024-11-27:/blog/2024/11/27/this-week-in-rust-576/";
const TRICKS: &str = "https://this-week-in-rust.org/blog/2024/11/20/terminal-tricks/";

#[tokio::test]
async fn rss_atom_and_json_feeds_become_posts() {
    let server = MockServer::start().await;
    for (at, name, kind) in [
        ("/rss.xml", "this_week_in_rust.rss.xml", RSS),
        ("/feed.xml", "rust_blog.atom.xml", ATOM),
        ("/feed.json", "notes.feed.json", JSON),
    ] {
        get(at).respond_with(serve(name, kind)).mount(&server).await;
    }
    let urls: Vec<String> = ["/rss.xml", "/feed.xml", "/feed.json"]
        .iter()
        .map(|p| format!("{}{p}", server.uri()))
        .collect();
    let mut rx = start(&spec(&urls, Duration::from_secs(3600)));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, live).await;

    assert_eq!(states(&events)[0], SourceState::Connecting);
    let got = posts(&events);
    assert_eq!(got.len(), 6, "{:#?}", ids(&events));
    assert!(skipped(&events).is_empty(), "{:?}", skipped(&events));

    // Atom, modelled on blog.rust-lang.org's feed.
    let atom = find(&got, RUST_183);
    assert_eq!(atom.source, "blogs");
    assert_eq!(atom.author.handle, "feed:blog.rust-lang.org");
    assert_eq!(atom.author.key, "feed:blog.rust-lang.org");
    assert_eq!(atom.author.display_name, "The Rust Release Team");
    assert_eq!(atom.author.network, Network::Native);
    // The entry names its author: a key of their own within the feed.
    assert_eq!(
        atom.author.keys().collect::<Vec<_>>(),
        [
            "feed:blog.rust-lang.org",
            "feed:blog.rust-lang.org/the-rust-release-team"
        ]
    );
    assert_eq!(atom.uri.as_deref(), Some(RUST_183));
    assert_eq!(atom.url.as_deref(), Some(RUST_183));
    assert_eq!(atom.links, vec![RUST_183.to_string()]);
    assert_eq!(atom.created_at.to_rfc3339(), "2024-11-28T00:00:00+00:00");
    assert!(
        atom.text.starts_with(
            "Announcing Rust 1.83.0\n\nThe Rust team is happy to announce a new version of Rust, 1.83.0."
        ),
        "{}",
        atom.text
    );
    assert!(
        atom.text.contains("What's in 1.83.0 stable"),
        "{}",
        atom.text
    );
    assert!(
        atom.text.contains("$ rustup update stable"),
        "{}",
        atom.text
    );
    assert_eq!(atom.hashtags, vec!["release"]);
    assert_eq!(atom.language.as_deref(), Some("en"));

    // RSS 2.0, modelled on This Week in Rust.
    let rss = find(&got, TWIR);
    assert_eq!(rss.author.handle, "feed:this-week-in-rust.org");
    assert_eq!(rss.author.display_name, "TWiR Contributors");
    assert_eq!(
        rss.url.as_deref(),
        Some("https://this-week-in-rust.org/blog/2024/11/27/this-week-in-rust-576/")
    );
    assert_eq!(
        rss.text,
        "This Week in Rust 576\n\nHello and welcome to another issue of This Week in Rust! Rust is a \
         programming language empowering everyone to build reliable and efficient software.\n\n\
         Crate of the week: ratatui & friends."
    );
    assert_eq!(rss.hashtags, vec!["Rust", "newsletter"]);
    assert_eq!(rss.created_at.to_rfc3339(), "2024-11-27T05:00:00+00:00");
    // `<author>` is an address with the name in brackets.
    let tricks = find(&got, TRICKS);
    assert_eq!(tricks.author.display_name, "Nell Shamrell-Harrington");
    assert_eq!(
        tricks.author.did.as_deref(),
        Some("feed:this-week-in-rust.org/nell-shamrell-harrington")
    );
    assert!(
        tricks
            .text
            .starts_with("Terminal tricks & escape codes, considered harmful\n\n"),
        "{}",
        tricks.text
    );

    // JSON Feed: the summary makes the card; an untitled note is its text.
    let note = find(&got, "https://notes.example.org/2026/11/21/columns");
    assert_eq!(note.author.handle, "feed:notes.example.org");
    assert_eq!(note.author.display_name, "Mira Okafor");
    assert_eq!(note.author.did, None, "the feed names her, not the entry");
    assert_eq!(
        note.text,
        "Columns in the terminal\n\nFive columns, one keyboard."
    );
    assert_eq!(note.hashtags, vec!["rust", "tui"]);
    assert_eq!(note.created_at.to_rfc3339(), "2026-11-21T09:30:00+00:00");
    let short = find(&got, "note-2");
    assert_eq!(short.text, "A short note without a title.");
    assert_eq!(
        short.uri.as_deref(),
        Some("https://notes.example.org/2026/11/20/short")
    );
}

#[tokio::test]
async fn html_becomes_plain_text_without_tags_or_escapes() {
    let server = MockServer::start().await;
    get("/rss.xml")
        .respond_with(serve("this_week_in_rust.rss.xml", RSS))
        .mount(&server)
        .await;
    let mut rx = start(&spec(
        &[format!("{}/rss.xml", server.uri())],
        Duration::from_secs(3600),
    ));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, live).await;

    let got = posts(&events);
    let tricks = find(&got, TRICKS);
    let text = &tricks.text;
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "no control characters: {text:?}"
    );
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{9b}'),
        "{text:?}"
    );
    for tag in ["<p>", "</p>", "<br>", "<script>", "<em>", "<a "] {
        assert!(!text.contains(tag), "{tag} in {text:?}");
    }
    assert!(text.contains("Line two\nline <three>"), "{text:?}");
    for post in &got {
        for field in [&post.text, &post.author.display_name, &post.id] {
            assert!(!field.contains('\u{1b}'), "{field:?}");
        }
    }
}

#[tokio::test]
async fn an_unchanged_feed_costs_a_304_and_duplicates_nothing() {
    let server = MockServer::start().await;
    get("/feed.xml")
        .and(header("if-none-match", ETAG))
        .respond_with(ResponseTemplate::new(304).insert_header("etag", ETAG))
        .with_priority(1)
        .mount(&server)
        .await;
    get("/feed.xml")
        .respond_with(serve_with_validators())
        .expect(1)
        .with_priority(2)
        .mount(&server)
        .await;
    let mut rx = start(&spec(
        &[format!("{}/feed.xml", server.uri())],
        Duration::from_millis(150),
    ));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, live).await;
    drain(&mut rx, &mut events, Duration::from_millis(600)).await;

    assert_eq!(ids(&events), vec![RUST_183, RUST_182]);
    let requests = server.received_requests().await.unwrap();
    assert!(requests.len() >= 3, "polled again: {}", requests.len());
    assert!(!requests[0].headers.contains_key("if-none-match"));
    assert_eq!(requests[1].headers["if-none-match"], ETAG);
    assert_eq!(requests[1].headers["if-modified-since"], MODIFIED);
    assert_eq!(
        states(&events),
        vec![SourceState::Connecting, SourceState::Live],
        "a 304 is no failure"
    );
}

#[tokio::test]
async fn a_new_entry_on_a_later_poll_arrives_once() {
    let server = MockServer::start().await;
    get("/feed.xml")
        .respond_with(serve("rust_blog.atom.xml", ATOM))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    get("/feed.xml")
        .respond_with(serve("rust_blog_later.atom.xml", ATOM))
        .with_priority(2)
        .mount(&server)
        .await;
    let mut rx = start(&spec(
        &[format!("{}/feed.xml", server.uri())],
        Duration::from_millis(150),
    ));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, |e| {
        ids(e).iter().any(|id| id == SURVEY)
    })
    .await;
    drain(&mut rx, &mut events, Duration::from_millis(500)).await;

    assert_eq!(ids(&events), vec![RUST_183, RUST_182, SURVEY]);
    let survey = find(&posts(&events), SURVEY).clone();
    assert_eq!(survey.author.display_name, "The Rust Survey Working Group");
    assert_eq!(
        survey.text,
        "Launching the 2024 State of Rust Survey\n\nIt\u{2019}s time for the 2024 State of Rust Survey!"
    );
}

#[tokio::test]
async fn a_broken_feed_is_reported_and_the_good_one_still_arrives() {
    let server = MockServer::start().await;
    get("/feed.xml")
        .respond_with(serve("rust_blog.atom.xml", ATOM))
        .mount(&server)
        .await;
    get("/old/rss")
        .respond_with(serve("not_a_feed.html", "text/html"))
        .mount(&server)
        .await;
    get("/gone.xml")
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let broken = format!("{}/old/rss", server.uri());
    let gone = format!("{}/gone.xml", server.uri());
    let urls = vec![
        broken.clone(),
        format!("{}/feed.xml", server.uri()),
        gone.clone(),
    ];
    let mut rx = start(&spec(&urls, Duration::from_secs(3600)));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, live).await;

    assert_eq!(ids(&events), vec![RUST_183, RUST_182]);
    let problems = skipped(&events);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].starts_with(&format!("{broken}: ")) && problems[0].contains("feed"),
        "{problems:?}"
    );
    assert!(
        problems[1].starts_with(&format!("{gone}: ")) && problems[1].contains("404"),
        "{problems:?}"
    );
}

#[tokio::test]
async fn a_source_whose_only_feed_is_broken_is_retrying() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(serve("not_a_feed.html", "text/html"))
        .mount(&server)
        .await;
    let url = format!("{}/old/rss", server.uri());
    let mut rx = start(&spec(std::slice::from_ref(&url), Duration::from_secs(600)));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, |e| !retrying(e).is_empty()).await;
    let Some(SourceState::Retrying { seconds, why }) = states(&events).pop() else {
        panic!("{events:#?}");
    };
    assert!((599..=600).contains(&seconds), "{seconds}");
    assert!(why.starts_with(&url), "{why}");
    assert_eq!(skipped(&events).len(), 1);
}

const TEAM_LOG: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Team log</title>
  <id>urn:uuid:60a76c80-d399-11d9-b93c-0003939e0af6</id>
  <updated>2026-11-20T10:00:00Z</updated>
  <entry>
    <title>Deploy done</title>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <updated>2026-11-20T10:00:00Z</updated>
    <summary>All green.</summary>
  </entry>
</feed>
"#;

#[tokio::test]
async fn local_files_are_read_again_on_every_poll() {
    let dir = tempfile::tempdir().unwrap();
    let atom = dir.path().join("rust.xml");
    let json = dir.path().join("notes.json");
    let log = dir.path().join("Team Log.atom");
    std::fs::write(&atom, fixture("rust_blog.atom.xml")).unwrap();
    std::fs::write(&json, fixture("notes.feed.json")).unwrap();
    std::fs::write(&log, TEAM_LOG).unwrap();
    let urls = vec![
        atom.display().to_string(),
        format!("file://{}", json.display()),
        log.display().to_string(),
    ];
    let mut rx = start(&spec(&urls, Duration::from_millis(150)));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, |e| live(e) && ids(e).len() == 5).await;
    let first = posts(&events);
    assert_eq!(
        find(&first, RUST_183).author.handle,
        "feed:blog.rust-lang.org"
    );
    assert_eq!(
        find(&first, "note-2").author.handle,
        "feed:notes.example.org"
    );
    // Without a site link of its own, a file's feed is named after the file.
    let entry = find(&first, "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a");
    assert_eq!(entry.author.handle, "feed:team-log.atom");
    assert_eq!(entry.author.display_name, "Team log");
    assert_eq!(entry.text, "Deploy done\n\nAll green.");
    assert_eq!(entry.url, None);
    assert!(
        entry
            .uri
            .as_deref()
            .unwrap()
            .ends_with("Team Log.atom#urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a")
    );

    std::fs::write(&atom, fixture("rust_blog_later.atom.xml")).unwrap();
    collect(&mut rx, &mut events, |e| {
        ids(e).iter().any(|id| id == SURVEY)
    })
    .await;
    drain(&mut rx, &mut events, Duration::from_millis(400)).await;
    let all = ids(&events);
    assert_eq!(all.len(), 6, "each entry once: {all:?}");
    assert!(skipped(&events).is_empty(), "{:?}", skipped(&events));
}

// ---- resuming from cursors ----

#[tokio::test]
async fn a_restart_with_the_reported_validators_asks_conditionally_and_resends_nothing() {
    let server = MockServer::start().await;
    get("/feed.xml")
        .respond_with(serve_with_validators())
        .mount(&server)
        .await;
    // A private feed: its token is in the query.
    let url = format!("{}/feed.xml?token=hunter2", server.uri());
    let blogs = spec(std::slice::from_ref(&url), Duration::from_secs(3600));
    let mut rx = start(&blogs);
    let mut events = Vec::new();
    collect(&mut rx, &mut events, live).await;
    assert_eq!(ids(&events), vec![RUST_183, RUST_182]);
    let saved = cursors(&events);
    let keys: Vec<&str> = saved.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys.len(), 3, "{saved:?}");
    assert!(keys[0].starts_with("seen:"), "{keys:?}");
    assert!(keys[1].starts_with("etag:"), "{keys:?}");
    assert!(keys[2].starts_with("last_modified:"), "{keys:?}");
    assert!(
        keys[1].starts_with(&format!("etag:{}/feed.xml#", server.uri())),
        "{keys:?}"
    );
    assert!(!format!("{saved:?}").contains("hunter2"), "{saved:?}");
    assert_eq!(saved[1].1, ETAG);
    assert_eq!(saved[2].1, MODIFIED);
    drop(rx);

    // The restart: unchanged (304), then changed with one new entry.
    server.reset().await;
    get("/feed.xml")
        .and(header("if-none-match", ETAG))
        .respond_with(ResponseTemplate::new(304).insert_header("etag", ETAG))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    get("/feed.xml")
        .respond_with(serve("rust_blog_later.atom.xml", ATOM).insert_header("etag", "\"v2\""))
        .with_priority(2)
        .mount(&server)
        .await;
    let mut blogs = blogs;
    *blogs.kind.poll_mut().unwrap() = Duration::from_millis(150);
    let mut rx = start_resuming(&blogs, &saved);
    let mut events = Vec::new();
    collect(&mut rx, &mut events, live).await;
    assert!(ids(&events).is_empty(), "a 304 sends nothing");
    let first = &server.received_requests().await.unwrap()[0];
    assert_eq!(first.headers["if-none-match"], ETAG);
    assert_eq!(first.headers["if-modified-since"], MODIFIED);

    collect(&mut rx, &mut events, |e| !ids(e).is_empty()).await;
    drain(&mut rx, &mut events, Duration::from_millis(400)).await;
    assert_eq!(ids(&events), vec![SURVEY], "only the new entry");
    let later = cursors(&events);
    assert!(
        later
            .iter()
            .any(|(k, v)| k.starts_with("etag:") && v == "\"v2\""),
        "{later:?}"
    );
    assert!(
        later
            .iter()
            .any(|(k, v)| k.starts_with("last_modified:") && v.is_empty()),
        "the old date is dropped: {later:?}"
    );
}

#[tokio::test]
async fn a_resumed_etag_is_sent_on_the_first_request_and_a_304_yields_no_posts() {
    let server = MockServer::start().await;
    let etag = "W/\"abc\"";
    get("/feed.xml")
        .and(header("if-none-match", etag))
        .respond_with(ResponseTemplate::new(304))
        .with_priority(1)
        .mount(&server)
        .await;
    get("/feed.xml")
        .respond_with(serve("rust_blog.atom.xml", ATOM))
        .with_priority(2)
        .mount(&server)
        .await;
    let url = format!("{}/feed.xml", server.uri());
    let saved = [(format!("etag:{url}"), etag.to_string())];
    let mut rx = start_resuming(
        &spec(std::slice::from_ref(&url), Duration::from_millis(150)),
        &saved,
    );
    let mut events = Vec::new();
    collect(&mut rx, &mut events, live).await;
    // Polled again, still unchanged.
    let began = std::time::Instant::now();
    while server.received_requests().await.unwrap().len() < 2 {
        assert!(began.elapsed() < Duration::from_secs(10), "no second poll");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drain(&mut rx, &mut events, Duration::from_millis(100)).await;
    assert!(ids(&events).is_empty(), "{:?}", ids(&events));
    assert!(cursors(&events).is_empty(), "nothing moved");
    let requests = server.received_requests().await.unwrap();
    assert!(requests.iter().all(|r| r.headers["if-none-match"] == etag));
}

#[tokio::test]
async fn a_local_feed_resumed_with_its_seen_entries_sends_only_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let atom = dir.path().join("rust.xml");
    std::fs::write(&atom, fixture("rust_blog.atom.xml")).unwrap();
    let urls = vec![atom.display().to_string()];
    let blogs = spec(&urls, Duration::from_millis(150));
    let mut rx = start(&blogs);
    let mut events = Vec::new();
    collect(&mut rx, &mut events, live).await;
    assert_eq!(ids(&events).len(), 2);
    let saved = cursors(&events);
    assert_eq!(saved.len(), 1, "no validators for a file: {saved:?}");
    assert_eq!(saved[0].0, format!("seen:{}", atom.display()));
    drop(rx);

    let mut rx = start_resuming(&blogs, &saved);
    let mut events = Vec::new();
    collect(&mut rx, &mut events, live).await;
    drain(&mut rx, &mut events, Duration::from_millis(300)).await;
    assert!(ids(&events).is_empty(), "{:?}", ids(&events));
    std::fs::write(&atom, fixture("rust_blog_later.atom.xml")).unwrap();
    collect(&mut rx, &mut events, |e| !ids(e).is_empty()).await;
    assert_eq!(ids(&events), vec![SURVEY]);
}
