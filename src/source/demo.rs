//! The demo source: the bundled demo feed, replayed as if it were live.
//!
//! The feed's times are shifted so its newest post is a minute old; all but
//! the newest few arrive at once as the backlog, then the rest arrive one by
//! one, stamped with the time they arrive, and after that the feed plays
//! again under fresh ids — so a first run shows a screen that lives.

use super::{Sink, SourceState};
use crate::decode::decode_line;
use crate::model::Post;
use chrono::{TimeDelta, Utc};
use std::time::Duration;

/// The bundled demo feed (see `scripts/gen_demo.py`).
pub const DEMO_FEED: &str = include_str!("../../assets/demo.jsonl");

/// Posts held back from the backlog to arrive live.
const LIVE_TAIL: usize = 40;

/// The demo posts, oldest first, with times shifted so the newest is a
/// minute before `now`.
pub fn demo_posts(source: &str, now: chrono::DateTime<Utc>) -> Vec<Post> {
    let mut posts: Vec<Post> = DEMO_FEED
        .lines()
        .filter_map(|line| decode_line(line.as_bytes(), source).ok())
        .collect();
    posts.sort_by_key(|p| p.created_at);
    if let Some(newest) = posts.last().map(|p| p.created_at) {
        let shift = now - TimeDelta::minutes(1) - newest;
        for post in &mut posts {
            post.created_at += shift;
        }
    }
    // The demo's image files name real servers: circles never fetches
    // them (the descriptions stay).
    for media in posts.iter_mut().flat_map(|p| p.media.iter_mut()) {
        media.url = None;
    }
    posts
}

pub(super) async fn run(sink: Sink, interval_secs: f64) {
    sink.state(SourceState::Loading);
    let posts = demo_posts(&sink.source, Utc::now());
    if interval_secs <= 0.0 || !interval_secs.is_finite() {
        sink.posts(posts);
        sink.state(SourceState::Live);
        return;
    }
    if posts.is_empty() {
        sink.state(SourceState::Live);
        return;
    }
    let split = posts.len().saturating_sub(LIVE_TAIL).max(1);
    // The backlog ends a minute ago; the held-back posts come as new.
    let shift = posts[posts.len() - 1].created_at - posts[split - 1].created_at;
    let posts: Vec<Post> = posts
        .into_iter()
        .map(|mut p| {
            p.created_at += shift;
            p
        })
        .collect();
    if !sink.posts(posts[..split].to_vec()) || !sink.state(SourceState::Live) {
        return;
    }
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(interval_secs));
    ticker.tick().await;
    // The held-back tail first, then the whole feed again and again.
    for step in split.. {
        ticker.tick().await;
        let (round, index) = (step / posts.len(), step % posts.len());
        let mut post = posts[index].clone();
        if round > 0 {
            post.id = format!("{}~{round}", post.id);
            post.uri = post.uri.map(|u| format!("{u}~{round}"));
        }
        post.created_at = Utc::now();
        if !sink.posts(vec![post]) {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_demo_feed_decodes_and_ends_a_minute_ago() {
        let now = Utc::now();
        let posts = demo_posts("demo", now);
        assert_eq!(posts.len(), DEMO_FEED.lines().count());
        assert_eq!(
            posts.last().unwrap().created_at,
            now - TimeDelta::minutes(1)
        );
        assert!(posts.windows(2).all(|w| w[0].created_at <= w[1].created_at));
    }
}
