//! Read markers in the reducer: what a server says was read elsewhere is
//! seen here, and what is seen here goes back to the server, once, a
//! moment later (actions in, state and effects out).

use chrono::TimeDelta;
use circles::app::markers::{RETRY_AFTER, SEND_AFTER};
use circles::app::{Action, AppState, Effect, update};
use circles::config::KeyChord;
use circles::model::{Mark, Marker, NoticeKind, Post, SourceEvent, SourceState};
use circles::testkit::{self, post, t0};

const CONFIG: &str = r#"
[[source]]
name = "feed"
kind = "demo"

[[column]]
name = "Core"
accounts = ["@alice@x.social"]
notify = true

[[column]]
name = "Everyone else"
rest = true
"#;

fn state(height: u16) -> AppState {
    testkit::state(CONFIG).size(100, height).build()
}

fn deliver(state: &mut AppState, posts: Vec<Post>) -> Vec<Effect> {
    update(
        state,
        Action::Source(SourceEvent::Posts {
            source: "feed".into(),
            posts,
        }),
    )
}

fn heard(state: &mut AppState, marker: Marker, mark: Option<Mark>) -> Vec<Effect> {
    update(
        state,
        Action::Source(SourceEvent::ReadMarker {
            source: "feed".into(),
            marker,
            mark,
        }),
    )
}

fn id(n: u32) -> Option<Mark> {
    Some(Mark::Id(n.to_string()))
}

/// Bob's posts 101..=100+n in Everyone else, the highest id the newest.
fn bobs(n: u32) -> Vec<Post> {
    (1..=n)
        .map(|i| {
            post(&(100 + i).to_string(), "@bob@x.social")
                .minutes_ago(i64::from(100 - i))
                .build()
        })
        .collect()
}

fn seen(state: &AppState, post_id: &str) -> bool {
    state
        .timeline
        .entries()
        .find(|(_, e)| e.post.id == post_id)
        .is_some_and(|(_, e)| e.seen)
}

fn clock(state: &mut AppState, after: TimeDelta) -> Vec<Effect> {
    let now = state.now + after;
    update(state, Action::Clock(now))
}

fn marks(effects: &[Effect]) -> Vec<(String, Marker, Mark)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::MarkRead {
                source,
                marker,
                mark,
            } => Some((source.clone(), *marker, mark.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn what_the_server_marked_read_is_seen_here_now_and_on_arrival() {
    let mut s = state(6);
    deliver(&mut s, bobs(10));
    assert_eq!(s.timeline.unread(1), 10);
    let effects = heard(&mut s, Marker::Home, id(105));
    assert!(
        marks(&effects).is_empty(),
        "what the server said is not sent back"
    );
    assert_eq!(s.timeline.unread(1), 5, "101..=105 are read");
    assert!(seen(&s, "105") && seen(&s, "101") && !seen(&s, "106"));

    // Posts that arrive later (an older page) are read if the marker
    // covers them, and never alert.
    let old = post("99", "@alice@x.social").minutes_ago(200).build();
    let new = post("120", "@alice@x.social").minutes_ago(1).build();
    update(
        &mut s,
        Action::Source(SourceEvent::State {
            source: "feed".into(),
            state: SourceState::Live,
        }),
    );
    let effects = deliver(&mut s, vec![old, new]);
    assert!(seen(&s, "99") && !seen(&s, "120"));
    let alerted: Vec<_> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Alert(alert) => Some(alert.body.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(alerted.len(), 1, "{effects:?}");
    assert!(
        alerted[0].contains("post 120") && !alerted[0].contains("99"),
        "only the unread one alerts: {alerted:?}"
    );

    // A marker behind what is known changes nothing.
    heard(&mut s, Marker::Home, id(103));
    assert!(seen(&s, "105"));
}

#[test]
fn reading_here_moves_the_marker_once_a_moment_later() {
    let mut s = state(40);
    deliver(&mut s, bobs(3));
    heard(&mut s, Marker::Home, id(101));
    // Focus Everyone else: its cards are on screen, seen after a second.
    update(&mut s, Action::Key(KeyChord::char('l')));
    let first = clock(&mut s, TimeDelta::seconds(2));
    assert!(seen(&s, "103") && seen(&s, "102"));
    assert!(marks(&first).is_empty(), "not at once");
    assert!(s.markers.due().is_some(), "the loop wakes for it");
    let effects = clock(&mut s, SEND_AFTER);
    assert_eq!(
        marks(&effects),
        [("feed".to_string(), Marker::Home, Mark::Id("103".into()))],
        "the newest read, once"
    );
    assert!(marks(&clock(&mut s, SEND_AFTER)).is_empty(), "sent once");
    assert_eq!(s.markers.due(), None);

    // The server refuses: said once, tried again later.
    update(
        &mut s,
        Action::MarkedRead {
            source: "feed".into(),
            mark: Mark::Id("103".into()),
            result: Err("the server answered 403".into()),
        },
    );
    assert!(
        s.message
            .as_deref()
            .is_some_and(|m| m.contains("read position not saved on feed")),
        "{:?}",
        s.message
    );
    let again = clock(&mut s, RETRY_AFTER);
    assert_eq!(marks(&again).len(), 1, "tried again: {again:?}");
}

#[test]
fn a_source_with_no_marker_sends_none_and_quitting_sends_what_is_pending() {
    let mut s = state(40);
    deliver(&mut s, bobs(3));
    update(&mut s, Action::Key(KeyChord::char('l')));
    clock(&mut s, TimeDelta::seconds(2));
    assert!(seen(&s, "103"));
    let later = clock(&mut s, SEND_AFTER * 2);
    assert!(
        marks(&later).is_empty(),
        "no marker was heard of: nothing sent"
    );

    // The server keeps one but has none yet: the first read sets it.
    heard(&mut s, Marker::Home, None);
    deliver(
        &mut s,
        vec![post("104", "@bob@x.social").minutes_ago(1).build()],
    );
    clock(&mut s, TimeDelta::seconds(2));
    assert!(seen(&s, "104"));
    let quit = update(&mut s, Action::Key(KeyChord::char('q')));
    assert_eq!(
        marks(&quit),
        [("feed".to_string(), Marker::Home, Mark::Id("104".into()))]
    );
    assert_eq!(quit.last(), Some(&Effect::Quit), "quitting after it");
}

#[test]
fn notifications_count_by_their_own_ids_and_bluesky_by_time() {
    let mut s = state(40);
    let notice = |status: &str, n: &str| {
        let mut p = post(status, "@bob@x.social")
            .minutes_ago(5)
            .notice(NoticeKind::Mention, None)
            .build();
        p.notice.as_mut().unwrap().id = n.into();
        p
    };
    // Status ids say nothing here: notification 7 is read, 9 is not.
    deliver(&mut s, vec![notice("900", "7"), notice("100", "9")]);
    heard(&mut s, Marker::Notifications, id(8));
    assert!(seen(&s, "900") && !seen(&s, "100"));

    let mut t = testkit::state("[[column]]\nname = \"Notifications\"\nnotifications = true\n")
        .size(100, 40)
        .build();
    let at = |minutes: i64| {
        let mut p = post(&format!("like-{minutes}"), "@bob@x.social")
            .minutes_ago(minutes)
            .notice(NoticeKind::Favourite, None)
            .build();
        p.notice.as_mut().unwrap().at = Some(t0() - TimeDelta::minutes(minutes));
        p
    };
    deliver(&mut t, vec![at(30), at(10)]);
    heard(
        &mut t,
        Marker::SeenAt,
        Some(Mark::Time(t0() - TimeDelta::minutes(20))),
    );
    assert!(seen(&t, "like-30") && !seen(&t, "like-10"));
}
