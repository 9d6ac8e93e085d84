//! Alerts for new posts: a column's `notify`, `[notify] amplified`, quiet
//! hours, and bursts said once (README, "Alerts").
//!
//! The first post that alerts does so at once; what arrives in the next
//! [`BURST`] waits and is said in one alert when that time is up (`5 new in
//! Core`), so a stream's burst does not ring five times. The runtime gives
//! each [`Alert`]: the bell, a terminal escape or a command.

use super::{AppState, Effect};
use crate::config::{NotifyMode, Protocol};
use crate::model::Post;
use chrono::{DateTime, TimeDelta, Utc};

/// How long after an alert the next ones wait and go together.
pub const BURST: TimeDelta = TimeDelta::seconds(10);

/// One alert for the runtime to give. The text is the post's, sanitized
/// as every post is; the runtime cleans it again for the escape it goes
/// into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub title: String,
    pub body: String,
    pub bell: bool,
    /// A desktop notification, by this protocol or (when given) command.
    pub desktop: Option<Desktop>,
}

/// How a desktop notification goes out, from `[notify]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Desktop {
    pub protocol: Protocol,
    pub command: Vec<String>,
}

/// Alerts held back by a burst.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Held {
    /// Until when new alerts wait.
    until: Option<DateTime<Utc>>,
    /// What waits: per place (a column's name, or "amplified"), how many.
    waiting: Vec<(String, usize)>,
    mode: Option<NotifyMode>,
}

impl Held {
    /// When what waits is due, if anything waits.
    pub fn due(&self) -> Option<DateTime<Utc>> {
        self.until.filter(|_| !self.waiting.is_empty())
    }
}

/// One post that alerts: where it landed (a column's name, or "amplified")
/// and how.
pub(super) struct Arrival {
    pub place: String,
    pub mode: NotifyMode,
    /// Shared with the timeline.
    pub post: std::sync::Arc<Post>,
}

/// The alert for new posts, now or once the burst is over.
pub(super) fn arrived(state: &mut AppState, arrivals: Vec<Arrival>, effects: &mut Vec<Effect>) {
    if arrivals.is_empty() || quiet(state) {
        return;
    }
    let now = state.now;
    let held = &mut state.held_alerts;
    if held.until.is_some_and(|until| until > now) {
        for arrival in &arrivals {
            count(&mut held.waiting, &arrival.place);
            held.mode = Some(held.mode.map_or(arrival.mode, |m| m.with(arrival.mode)));
        }
        return;
    }
    let mode = arrivals
        .iter()
        .map(|a| a.mode)
        .reduce(NotifyMode::with)
        .expect("one arrival at least");
    let (title, body) = match &arrivals[..] {
        [one] => (format!("circles · {}", one.place), said(&one.post)),
        many => {
            let mut places = Vec::new();
            for arrival in many {
                count(&mut places, &arrival.place);
            }
            ("circles".to_string(), new_in(&places))
        }
    };
    held.until = Some(now + BURST);
    effects.push(alert(state, title, body, mode));
}

/// Says what waited, once its burst is over.
pub(super) fn flush(state: &mut AppState, effects: &mut Vec<Effect>) {
    let now = state.now;
    let held = &mut state.held_alerts;
    if held.until.is_none_or(|until| until > now) {
        return;
    }
    let waiting = std::mem::take(&mut held.waiting);
    let mode = held.mode.take();
    held.until = None;
    if let (false, Some(mode)) = (waiting.is_empty(), mode) {
        if quiet(state) {
            return;
        }
        state.held_alerts.until = Some(now + BURST);
        let body = new_in(&waiting);
        effects.push(alert(state, "circles".into(), body, mode));
    }
}

fn alert(state: &AppState, title: String, body: String, mode: NotifyMode) -> Effect {
    let notify = &state.rules.notify;
    Effect::Alert(Alert {
        title,
        body,
        bell: mode.bell(),
        desktop: mode.desktop().then(|| Desktop {
            protocol: notify.protocol,
            command: notify.command.clone(),
        }),
    })
}

/// Within `[notify] quiet`, local time.
fn quiet(state: &AppState) -> bool {
    let local = state.now.with_timezone(&state.utc_offset).time();
    state.rules.notify.quiet.is_some_and(|q| q.contains(local))
}

fn count(places: &mut Vec<(String, usize)>, place: &str) {
    match places.iter_mut().find(|(p, _)| p == place) {
        Some((_, n)) => *n += 1,
        None => places.push((place.to_string(), 1)),
    }
}

/// "5 new in Core, 2 in Mentions".
fn new_in(places: &[(String, usize)]) -> String {
    let parts: Vec<String> = places
        .iter()
        .enumerate()
        .map(|(i, (place, n))| {
            if i == 0 {
                format!("{n} new in {place}")
            } else {
                format!("{n} in {place}")
            }
        })
        .collect();
    parts.join(", ")
}

/// What one post says in an alert: who, and the start of the text (or, for
/// a favourite, boost or follow, what they did).
fn said(post: &Post) -> String {
    let who = post.author.shown_name();
    let text = if post.is_pure_notice() {
        super::card::notice_text(post)
    } else if let Some(cw) = &post.content_warning {
        format!("{who}: ⚠ {cw}")
    } else {
        let words = post.text.split_whitespace().collect::<Vec<_>>().join(" ");
        format!("{who}: {words}")
    };
    super::card::truncate(&text, 200)
}
