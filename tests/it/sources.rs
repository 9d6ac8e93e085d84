//! Source tasks: what the demo and jsonl sources send into the app's
//! channel — posts by value, their state, and the lines they skip.

use crate::common::{
    assert_cursor_after_posts, collect, cursors, failed, has_state, post_ids, skipped, source_spec,
    start, start_with,
};
use circles::model::{SourceEvent, SourceState};
use circles::source::{self, Cursors, Options};
use std::io::Write;
use std::path::Path;

const DEMO: &str = "[[source]]\nname = \"demo\"\nkind = \"demo\"\n";

/// The demo source, posting every `demo_interval_secs`.
fn demo(demo_interval_secs: f64) -> crate::common::Events {
    start_with(
        &source_spec(DEMO),
        Options { demo_interval_secs },
        Cursors::new(),
    )
}

/// Receives events until the source is in `state`.
async fn until_state(rx: &mut crate::common::Events, state: SourceState) -> Vec<SourceEvent> {
    let mut events = Vec::new();
    collect(rx, &mut events, |e| has_state(e, &state)).await;
    events
}

/// `path` opened for appending.
fn append(path: &Path) -> std::fs::File {
    std::fs::OpenOptions::new().append(true).open(path).unwrap()
}

fn native(id: u32) -> String {
    format!(
        r#"{{"id": "{id}", "author": "@a@x.social", "text": "post {id}", "created_at": "2026-11-22T10:00:00Z"}}"#
    )
}

#[tokio::test]
async fn a_still_demo_delivers_the_whole_feed_and_goes_live() {
    let mut rx = demo(0.0);
    let events = until_state(&mut rx, SourceState::Live).await;
    assert_eq!(post_ids(&events).len(), source::DEMO_FEED.lines().count());
    assert!(
        matches!(&events[0], SourceEvent::State { state: SourceState::Loading, source } if source == "demo")
    );
}

#[tokio::test]
async fn a_living_demo_sends_new_posts_after_its_backlog() {
    let mut rx = demo(0.01);
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
    let toml = format!(
        "[[source]]\nname = \"file\"\nkind = \"jsonl\"\npath = {:?}\n",
        path.display().to_string()
    );
    let mut rx = start(&source_spec(&toml));
    let events = until_state(&mut rx, SourceState::Done).await;
    assert_eq!(
        post_ids(&events),
        ["1", "2", "3"],
        "the good lines around a bad one"
    );
    let skipped = skipped(&events);
    assert_eq!(skipped.len(), 1);
    assert!(skipped[0].contains("posts.jsonl:2:"), "{}", skipped[0]);
}

#[tokio::test]
async fn a_missing_file_is_a_failed_source_with_the_reason() {
    let toml = "[[source]]\nname = \"gone\"\nkind = \"jsonl\"\npath = \"/nonexistent/x.jsonl\"\n";
    let mut rx = start(&source_spec(toml));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, |e| failed(e).is_some()).await;
    let why = failed(&events).unwrap();
    assert!(why.contains("/nonexistent/x.jsonl"), "{why}");
}

#[tokio::test]
async fn a_followed_file_delivers_appended_lines_and_survives_truncation_and_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.jsonl");
    std::fs::write(&path, format!("{}\n", native(1))).unwrap();
    let mut rx = start(&follow_spec(&path, true));
    let mut events = until_state(&mut rx, SourceState::Live).await;
    assert_eq!(post_ids(&events), ["1"]);

    // Appended, including a line written in two parts.
    let mut file = append(&path);
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

/// Truncated and written again within one poll, longer than before: the
/// size alone says "grown", but the bytes read no longer match, so the file
/// is read again from its start (tail -F would lose the first lines and
/// read the rest from the middle of one).
#[tokio::test]
async fn a_followed_file_rewritten_longer_than_before_is_read_again_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.jsonl");
    std::fs::write(&path, format!("{}\n{}\n", native(1), native(2))).unwrap();
    let mut rx = start(&follow_spec(&path, true));
    let mut events = until_state(&mut rx, SourceState::Live).await;
    assert_eq!(post_ids(&events), ["1", "2"]);

    // Other first line; the old end falls inside the second line.
    let rewritten = format!("{}\n{}\n{}\n", native(10), native(11), native(12));
    std::fs::write(&path, rewritten).unwrap();
    collect(&mut rx, &mut events, |e| post_ids(e).len() >= 5).await;
    assert_eq!(&post_ids(&events)[2..], ["10", "11", "12"]);

    // The same first line, then other ones: still seen as rewritten.
    let rewritten = format!(
        "{}\n{}\n{}\n{}\n",
        native(10),
        native(20),
        native(21),
        native(22)
    );
    std::fs::write(&path, rewritten).unwrap();
    collect(&mut rx, &mut events, |e| post_ids(e).len() >= 9).await;
    assert_eq!(&post_ids(&events)[5..], ["10", "20", "21", "22"]);
    assert!(skipped(&events).is_empty(), "{:?}", skipped(&events));

    // A plain append is still an append.
    writeln!(append(&path), "{}", native(23)).unwrap();
    collect(&mut rx, &mut events, |e| post_ids(e).len() >= 10).await;
    assert_eq!(post_ids(&events)[9], "23");
}

/// Like tail -F: a followed file that is not there yet is waited for.
#[tokio::test]
async fn a_followed_file_missing_at_start_is_waited_for() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("later.jsonl");
    let mut rx = start(&follow_spec(&path, true));
    let waiting = SourceState::Waiting("waiting for the file".into());
    let mut events = until_state(&mut rx, waiting).await;
    std::fs::write(&path, format!("{}\n", native(1))).unwrap();
    collect(&mut rx, &mut events, |e| has_state(e, &SourceState::Live)).await;
    assert_eq!(post_ids(&events), ["1"]);
    assert!(failed(&events).is_none(), "{events:#?}");
}

// ---- a followed file resumed from its cursors ----

/// The cursors reported, the last of each key.
fn cursor_map(events: &[SourceEvent]) -> Cursors {
    cursors(events).into_iter().collect()
}

fn follow_spec(path: &Path, follow: bool) -> circles::config::SourceSpec {
    source_spec(&format!(
        "[[source]]\nname = \"live\"\nkind = \"jsonl\"\npath = {:?}\nfollow = {follow}\n",
        path.display().to_string()
    ))
}

fn inode(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).unwrap().ino()
}

/// Follows `path` resumed from `cursors` until it is live, and returns the
/// ids it sent.
async fn follow_resumed(path: &Path, cursors: Cursors) -> Vec<String> {
    let mut rx = start_with(&follow_spec(path, true), Options::default(), cursors);
    post_ids(&until_state(&mut rx, SourceState::Live).await)
}

#[tokio::test]
async fn a_followed_file_resumes_after_the_offset_it_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.jsonl");
    std::fs::write(
        &path,
        format!("{}\n{}\n{}", native(1), native(2), &native(3)[..10]),
    )
    .unwrap();
    let whole = (native(1).len() + native(2).len() + 2) as u64;

    let mut rx = start(&follow_spec(&path, true));
    let mut events = Vec::new();
    collect(&mut rx, &mut events, |e| {
        has_state(e, &SourceState::Live) && cursor_map(e).contains_key("inode")
    })
    .await;
    assert_eq!(post_ids(&events), ["1", "2"]);
    let saved = cursor_map(&events);
    assert_eq!(
        saved["offset"],
        whole.to_string(),
        "up to the last whole line"
    );
    assert_eq!(saved["line"], "2");
    assert_eq!(saved["inode"], inode(&path).to_string());
    // The cursor follows the posts it stands for.
    assert_cursor_after_posts(&events, None);
    drop(rx);

    // Written while nobody was reading: the rest of line 3, a bad line, 4.
    let mut file = append(&path);
    write!(file, "{}\n{{oops\n{}\n", &native(3)[10..], native(4)).unwrap();
    file.flush().unwrap();

    let mut rx = start_with(&follow_spec(&path, true), Options::default(), saved);
    let mut events = Vec::new();
    collect(&mut rx, &mut events, |e| {
        has_state(e, &SourceState::Live) && cursor_map(e).contains_key("offset")
    })
    .await;
    assert_eq!(
        post_ids(&events),
        ["3", "4"],
        "only the lines after the offset"
    );
    let skipped = skipped(&events);
    assert_eq!(skipped.len(), 1);
    assert!(
        skipped[0].contains("live.jsonl:4:"),
        "numbered on: {}",
        skipped[0]
    );
    let moved = cursor_map(&events);
    assert_eq!(
        moved["offset"],
        std::fs::metadata(&path).unwrap().len().to_string()
    );
    assert_eq!(moved["line"], "5");
    assert!(!moved.contains_key("inode"), "the same file: {moved:?}");
}

#[tokio::test]
async fn a_cursor_for_another_file_or_a_longer_one_reads_from_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.jsonl");
    std::fs::write(&path, format!("{}\n{}\n", native(1), native(2))).unwrap();
    let len = std::fs::metadata(&path).unwrap().len();
    let ino = inode(&path);
    let at = |inode: u64, offset: u64| {
        [("inode", inode), ("offset", offset), ("line", 1)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let line_one = (native(1).len() + 1) as u64;

    // The cursor taken up: only line 2.
    assert_eq!(follow_resumed(&path, at(ino, line_one)).await, ["2"]);
    // Rotated since: another inode.
    assert_eq!(
        follow_resumed(&path, at(ino + 1, line_one)).await,
        ["1", "2"]
    );
    // Truncated since: the file is now shorter than the offset.
    assert_eq!(follow_resumed(&path, at(ino, len + 10)).await, ["1", "2"]);
    // Rewritten in place: the offset is no longer just after a line.
    assert_eq!(
        follow_resumed(&path, at(ino, line_one - 3)).await,
        ["1", "2"]
    );
    // Nonsense.
    let mut junk = at(ino, line_one);
    junk.insert("offset".into(), "-4".into());
    assert_eq!(follow_resumed(&path, junk).await, ["1", "2"]);
}

#[tokio::test]
async fn a_file_read_once_has_no_cursor_and_ignores_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("once.jsonl");
    std::fs::write(&path, format!("{}\n{}\n", native(1), native(2))).unwrap();
    let saved = [
        ("inode".to_string(), inode(&path).to_string()),
        ("offset".to_string(), (native(1).len() + 1).to_string()),
    ]
    .into_iter()
    .collect();
    let mut rx = start_with(&follow_spec(&path, false), Options::default(), saved);
    let events = until_state(&mut rx, SourceState::Done).await;
    assert_eq!(post_ids(&events), ["1", "2"]);
    assert!(cursors(&events).is_empty(), "{events:#?}");
}
