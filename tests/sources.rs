//! Source tasks: what the demo and jsonl sources send into the app's
//! channel — posts by value, their state, and the lines they skip.

use circles::config::parse;
use circles::source::{self, Options, SourceEvent, SourceState};
use std::io::Write;
use std::time::Duration;
use tokio::sync::mpsc;

fn spec(toml: &str) -> circles::config::SourceSpec {
    parse(toml).unwrap().sources.remove(0)
}

/// Receives events until `done` says so, failing after a generous wait.
async fn collect(
    rx: &mut mpsc::UnboundedReceiver<SourceEvent>,
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

fn post_ids(events: &[SourceEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            SourceEvent::Posts { posts, .. } => Some(posts.iter().map(|p| p.id.clone())),
            _ => None,
        })
        .flatten()
        .collect()
}

fn has_state(events: &[SourceEvent], wanted: &SourceState) -> bool {
    events
        .iter()
        .any(|e| matches!(e, SourceEvent::State { state, .. } if state == wanted))
}

fn native(id: u32) -> String {
    format!(
        r#"{{"id": "{id}", "author": "@a@x.social", "text": "post {id}", "created_at": "2026-11-22T10:00:00Z"}}"#
    )
}

#[tokio::test]
async fn a_still_demo_delivers_the_whole_feed_and_goes_live() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let options = Options {
        demo_interval_secs: 0.0,
    };
    source::spawn(
        &spec("[[source]]\nname = \"demo\"\nkind = \"demo\"\n"),
        tx,
        options,
    );
    let mut events = Vec::new();
    collect(&mut rx, &mut events, |e| has_state(e, &SourceState::Live)).await;
    assert_eq!(post_ids(&events).len(), source::DEMO_FEED.lines().count());
    assert!(
        matches!(&events[0], SourceEvent::State { state: SourceState::Loading, source } if source == "demo")
    );
}

#[tokio::test]
async fn a_living_demo_sends_new_posts_after_its_backlog() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let options = Options {
        demo_interval_secs: 0.01,
    };
    source::spawn(
        &spec("[[source]]\nname = \"demo\"\nkind = \"demo\"\n"),
        tx,
        options,
    );
    let total = source::DEMO_FEED.lines().count();
    let mut events = Vec::new();
    // The backlog, then the held-back posts, then the feed again.
    collect(&mut rx, &mut events, |e| post_ids(e).len() > total + 3).await;
    let ids = post_ids(&events);
    assert!(ids.len() > total);
    assert!(
        ids[total..].iter().any(|id| id.ends_with("~1")),
        "a replay round under fresh ids"
    );
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no id twice");
}

#[tokio::test]
async fn a_jsonl_file_is_read_with_bad_lines_skipped_and_located() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("posts.jsonl");
    std::fs::write(
        &path,
        format!("{}\n{{not json\n\n{}\n{}", native(1), native(2), native(3)),
    )
    .unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let toml = format!(
        "[[source]]\nname = \"file\"\nkind = \"jsonl\"\npath = {:?}\n",
        path.display().to_string()
    );
    source::spawn(&spec(&toml), tx, Options::default());
    let mut events = Vec::new();
    collect(&mut rx, &mut events, |e| has_state(e, &SourceState::Done)).await;
    assert_eq!(
        post_ids(&events),
        ["1", "2", "3"],
        "the good lines around a bad one"
    );
    let skipped: Vec<&String> = events
        .iter()
        .filter_map(|e| match e {
            SourceEvent::Skipped { problem, .. } => Some(problem),
            _ => None,
        })
        .collect();
    assert_eq!(skipped.len(), 1);
    assert!(skipped[0].contains("posts.jsonl:2:"), "{}", skipped[0]);
}

#[tokio::test]
async fn a_missing_file_is_a_failed_source_with_the_reason() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let toml = "[[source]]\nname = \"gone\"\nkind = \"jsonl\"\npath = \"/nonexistent/x.jsonl\"\n";
    source::spawn(&spec(toml), tx, Options::default());
    let mut events = Vec::new();
    let failed = |e: &[SourceEvent]| {
        e.iter().any(|e| {
            matches!(
                e,
                SourceEvent::State {
                    state: SourceState::Failed(_),
                    ..
                }
            )
        })
    };
    collect(&mut rx, &mut events, failed).await;
    let why = events
        .iter()
        .find_map(|e| match e {
            SourceEvent::State {
                state: SourceState::Failed(why),
                ..
            } => Some(why.clone()),
            _ => None,
        })
        .unwrap();
    assert!(why.contains("/nonexistent/x.jsonl"), "{why}");
}

#[tokio::test]
async fn a_followed_file_delivers_appended_lines_and_survives_truncation_and_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.jsonl");
    std::fs::write(&path, format!("{}\n", native(1))).unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let toml = format!(
        "[[source]]\nname = \"live\"\nkind = \"jsonl\"\npath = {:?}\nfollow = true\n",
        path.display().to_string()
    );
    source::spawn(&spec(&toml), tx, Options::default());
    let mut events = Vec::new();
    collect(&mut rx, &mut events, |e| has_state(e, &SourceState::Live)).await;
    assert_eq!(post_ids(&events), ["1"]);

    // Appended, including a line written in two parts.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    write!(file, "{}\n{}", native(2), &native(3)[..20]).unwrap();
    file.flush().unwrap();
    collect(&mut rx, &mut events, |e| post_ids(e).len() >= 2).await;
    writeln!(file, "{}", &native(3)[20..]).unwrap();
    collect(&mut rx, &mut events, |e| post_ids(e).len() >= 3).await;
    assert_eq!(post_ids(&events), ["1", "2", "3"]);

    // Truncated and rewritten: read from the start.
    std::fs::write(&path, format!("{}\n", native(4))).unwrap();
    collect(&mut rx, &mut events, |e| post_ids(e).len() >= 4).await;
    assert_eq!(post_ids(&events)[3], "4");

    // Rotated: a new file under the same name.
    let moved = dir.path().join("live.jsonl.1");
    std::fs::rename(&path, &moved).unwrap();
    std::fs::write(&path, format!("{}\n{}\n", native(5), native(6))).unwrap();
    collect(&mut rx, &mut events, |e| post_ids(e).len() >= 6).await;
    assert_eq!(&post_ids(&events)[4..], ["5", "6"]);
}
