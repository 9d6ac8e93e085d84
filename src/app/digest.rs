//! Digest mode (`s`, or `style = "digest"`): a column as one row per
//! person who put posts in it over a window — since you last caught up,
//! or the last 1, 6 or 24 hours — with the links most shared above them
//! (README, "Catch-up"). `o` orders the rows by count, latest or density,
//! `w` steps the window, `enter` opens a row's posts as cards (every post
//! key works there) and `esc` comes back.
//!
//! The rows are made from the timeline when they are needed (a frame, a
//! key), so they are never stale; a 20,000-post column takes a few
//! milliseconds.

use super::{AppState, Effect, Overlay, PostId};
use crate::config::{Command, Key, KeyChord, NamedKey};
use crate::model::Post;
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::HashMap;

/// Which posts the digest reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Window {
    /// Since the reader last left this column's digest (a day at first).
    #[default]
    SinceCatchUp,
    Hours(i64),
}

impl Window {
    fn next(self) -> Window {
        match self {
            Window::SinceCatchUp => Window::Hours(1),
            Window::Hours(1) => Window::Hours(6),
            Window::Hours(6) => Window::Hours(24),
            Window::Hours(_) => Window::SinceCatchUp,
        }
    }
}

/// How the rows are ordered (`o` steps through them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Most posts first.
    #[default]
    Count,
    /// Newest post first.
    Latest,
    /// Most replies, boosts and favourites first.
    Density,
}

impl Order {
    fn next(self) -> Order {
        match self {
            Order::Count => Order::Latest,
            Order::Latest => Order::Density,
            Order::Density => Order::Count,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Order::Count => "count",
            Order::Latest => "latest",
            Order::Density => "density",
        }
    }
}

/// What a row stands for: whose posts, or which link's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    /// A person (the routing key of who put the posts in the stream: the
    /// author, or the booster of a boost).
    Author(String),
    /// A link, as `host/path`.
    Link(String),
}

/// A column's digest settings, kept while it is on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DigestView {
    pub window: Window,
    pub order: Order,
    pub selected: usize,
    /// The row whose posts are open as cards.
    pub opened: Option<Pick>,
}

/// One row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub pick: Pick,
    /// The person's name (or handle), or the link.
    pub title: String,
    pub handle: String,
    pub posts: u32,
    pub boosts: u32,
    pub latest: DateTime<Utc>,
    /// The start of the newest post's text, or for a link who shared it.
    pub excerpt: String,
    /// Replies, boosts and favourites their posts drew.
    pub density: u64,
    pub amplified: bool,
}

/// A column's digest, made now.
#[derive(Debug, Clone, PartialEq)]
pub struct Digest {
    pub since: DateTime<Utc>,
    pub window: Window,
    pub order: Order,
    pub posts: usize,
    pub people: usize,
    /// People in the digest the reader amplifies, and who are in a circle
    /// (a column's `accounts`).
    pub amplified: usize,
    pub in_circles: usize,
    /// The most shared links first, then the people.
    pub rows: Vec<Row>,
    pub links: usize,
}

/// Links shown above the people, at most.
const TOP_LINKS: usize = 3;

/// When the window of a column's digest starts.
fn since(state: &AppState, column: usize, window: Window) -> DateTime<Utc> {
    match window {
        Window::Hours(h) => state.now - TimeDelta::hours(h),
        Window::SinceCatchUp => state
            .rules
            .columns
            .get(column)
            .and_then(|c| state.caught_up.get(&c.name))
            .copied()
            .unwrap_or(state.now - TimeDelta::hours(24)),
    }
}

/// The posts a column's digest reads: its own, and its muted ones when
/// they are revealed, that its search finds; newest first.
fn posts(state: &AppState, column: usize) -> std::borrow::Cow<'_, [PostId]> {
    // While the rows show, the column's list is that already (`refresh`
    // made it so), unless a muted group is pinned there.
    if let Some(view) = state.views.get(column)
        && view.pinned.is_none()
        && view.digest.as_ref().is_some_and(|d| d.opened.is_none())
    {
        return std::borrow::Cow::Borrowed(state.list(column));
    }
    let own = state.timeline.column(column);
    let all = if state.reveal {
        super::merge(&state.timeline, own, state.timeline.hidden(column))
    } else {
        own.to_vec()
    };
    let needle = state
        .views
        .get(column)
        .map(|v| v.query.trim().to_lowercase())
        .unwrap_or_default();
    std::borrow::Cow::Owned(super::searched(state, all, &needle))
}

/// Who put a post in the stream: the booster of a boost, else its author.
fn putter(post: &Post) -> &crate::model::Account {
    post.boosted_by.as_deref().unwrap_or(&post.author)
}

/// A link as the digest groups it: host and path, no scheme, no `www.`,
/// no trailing `/`.
fn link_key(link: &str) -> String {
    let bare = link
        .split_once("://")
        .map_or(link, |(_, rest)| rest)
        .trim_start_matches("www.");
    let bare = bare.split(['?', '#']).next().unwrap_or(bare);
    bare.trim_end_matches('/').to_lowercase()
}

/// A link's sharers (routing keys), how many posts, the newest.
type Shared<'p> = (Vec<&'p str>, u32, DateTime<Utc>);

/// The digest of a column, if it is on.
pub fn build(state: &AppState, column: usize) -> Option<Digest> {
    let view = state.views.get(column)?.digest.as_ref()?;
    let since = since(state, column, view.window);
    struct Acc<'p> {
        post: &'p Post,
        posts: u32,
        boosts: u32,
        latest: DateTime<Utc>,
        density: u64,
    }
    let mut people: HashMap<&str, Acc> = HashMap::new();
    let mut links: HashMap<String, Shared> = HashMap::new();
    let mut count = 0;
    for &id in posts(state, column).iter() {
        let Some(entry) = state.timeline.get(id) else {
            continue;
        };
        let post = &*entry.post;
        if post.created_at < since {
            continue;
        }
        count += 1;
        let who = putter(post);
        let drew = u64::from(post.engagement.replies.unwrap_or(0))
            + u64::from(post.engagement.boosts.unwrap_or(0))
            + u64::from(post.engagement.favourites.unwrap_or(0));
        let acc = people.entry(who.key.as_str()).or_insert(Acc {
            post,
            posts: 0,
            boosts: 0,
            latest: post.created_at,
            density: 0,
        });
        if post.is_boost() {
            acc.boosts += 1;
        } else {
            acc.posts += 1;
        }
        acc.density += drew;
        if post.created_at > acc.latest {
            acc.latest = post.created_at;
            acc.post = post;
        }
        for link in &post.links {
            let shared = links
                .entry(link_key(link))
                .or_insert((Vec::new(), 0, post.created_at));
            if !shared.0.contains(&who.key.as_str()) {
                shared.0.push(&who.key);
            }
            shared.1 += 1;
            shared.2 = shared.2.max(post.created_at);
        }
    }
    let mut rows: Vec<Row> = people
        .into_iter()
        .map(|(key, acc)| {
            let who = putter(acc.post);
            let excerpt: String = acc
                .post
                .text
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            Row {
                pick: Pick::Author(key.to_string()),
                title: who.shown_name().to_string(),
                handle: who.handle.clone(),
                posts: acc.posts,
                boosts: acc.boosts,
                latest: acc.latest,
                excerpt: excerpt.chars().take(160).collect(),
                density: acc.density,
                amplified: state.rules.amplifies(key),
            }
        })
        .collect();
    let amplified = rows.iter().filter(|r| r.amplified).count();
    let in_circles = rows
        .iter()
        .filter(|r| match &r.pick {
            Pick::Author(key) => !state.rules.account_roles(key).0.is_empty(),
            Pick::Link(_) => false,
        })
        .count();
    rows.sort_by(|a, b| {
        let order = match view.order {
            Order::Count => (b.posts + b.boosts).cmp(&(a.posts + a.boosts)),
            Order::Latest => b.latest.cmp(&a.latest),
            Order::Density => b.density.cmp(&a.density),
        };
        order
            .then_with(|| b.latest.cmp(&a.latest))
            .then_with(|| a.handle.cmp(&b.handle))
    });
    let people_count = rows.len();
    // The links shared by more than one person, most sharers first.
    let mut shared: Vec<(String, Shared)> =
        links.into_iter().filter(|(_, s)| s.0.len() > 1).collect();
    shared.sort_by(|a, b| {
        b.1.0
            .len()
            .cmp(&a.1.0.len())
            .then(b.1.1.cmp(&a.1.1))
            .then_with(|| a.0.cmp(&b.0))
    });
    shared.truncate(TOP_LINKS);
    let link_rows: Vec<Row> = shared
        .into_iter()
        .map(|(link, (sharers, posts, latest))| {
            let names: Vec<String> = sharers
                .iter()
                .take(3)
                .map(|k| format!("@{}", k.split('@').next().unwrap_or(k)))
                .collect();
            let more = if sharers.len() > 3 {
                format!(" and {} more", sharers.len() - 3)
            } else {
                String::new()
            };
            Row {
                pick: Pick::Link(link.clone()),
                title: link,
                handle: String::new(),
                posts,
                boosts: 0,
                latest,
                excerpt: format!("shared by {}{more}", names.join(", ")),
                density: sharers.len() as u64,
                amplified: false,
            }
        })
        .collect();
    let links_count = link_rows.len();
    let mut all = link_rows;
    all.extend(rows);
    Some(Digest {
        since,
        window: view.window,
        order: view.order,
        posts: count,
        people: people_count,
        amplified,
        in_circles,
        rows: all,
        links: links_count,
    })
}

/// The posts of an opened row, newest first.
pub(super) fn opened_posts(state: &AppState, column: usize) -> Option<Vec<PostId>> {
    let view = state.views.get(column)?.digest.as_ref()?;
    let pick = view.opened.as_ref()?;
    let since = since(state, column, view.window);
    Some(
        posts(state, column)
            .iter()
            .copied()
            .filter(|id| {
                state.timeline.get(*id).is_some_and(|e| {
                    let post = &*e.post;
                    post.created_at >= since
                        && match pick {
                            Pick::Author(key) => putter(post).key == *key,
                            Pick::Link(link) => post.links.iter().any(|l| link_key(l) == *link),
                        }
                })
            })
            .collect(),
    )
}

/// `s`: the focused column's digest on, or off (which marks it caught up
/// to now, kept in the cache).
pub(super) fn toggle(state: &mut AppState, effects: &mut Vec<Effect>) {
    let column = state.focus;
    let Some(view) = state.views.get_mut(column) else {
        return;
    };
    if view.digest.take().is_some() {
        let name = state.rules.columns[column].name.clone();
        state.caught_up.insert(name.clone(), state.now);
        if state.persisting {
            effects.push(Effect::Persist(crate::store::Write::Cursor {
                source: CAUGHT_UP.into(),
                key: name,
                value: state.now.to_rfc3339(),
            }));
        }
        super::refresh(state, column);
        state.message = Some("caught up: the next digest starts here".into());
    } else {
        view.digest = Some(DigestView::default());
        super::refresh(state, column);
    }
}

/// The digest's two header lines: what the window holds, and its keys.
pub fn header(state: &AppState, digest: &Digest, column: usize) -> [String; 2] {
    let local = |t: DateTime<Utc>| t.with_timezone(&state.utc_offset);
    let window = match digest.window {
        Window::SinceCatchUp
            if local(digest.since).date_naive() == local(state.now).date_naive() =>
        {
            format!("since {}", local(digest.since).format("%H:%M"))
        }
        Window::SinceCatchUp => format!("since {}", local(digest.since).format("%a %H:%M")),
        Window::Hours(h) => format!("last {h}h"),
    };
    // A column search narrows the digest too; it says so.
    let query = state
        .views
        .get(column)
        .map(|v| v.query.trim())
        .filter(|q| !q.is_empty())
        .map(|q| format!(" matching “{}”", crate::model::sanitize_line(q)))
        .unwrap_or_default();
    [
        format!(
            "{window}{query} — {} posts from {} people; {} you amplify, {} in your circles",
            crate::model::thousands(digest.posts as u64),
            crate::model::thousands(digest.people as u64),
            digest.amplified,
            digest.in_circles
        ),
        format!(
            "by {} · o order · w window · enter opens · s back to cards",
            digest.order.name()
        ),
    ]
}

/// Where a digest's rows go in a column's inside of `width` × `height`:
/// below the header (wrapped to the width less the selection mark), two
/// lines a row and a rule under the links, scrolled to keep the selected
/// row in view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowsAt {
    /// The header's lines, from the top of the inside.
    pub header: u16,
    /// Each row shown: its index and its first line, from the top of the
    /// inside.
    pub rows: Vec<(usize, u16)>,
}

/// The lines a row takes: two, and the rule under the last link.
fn row_lines(digest: &Digest, index: usize) -> u16 {
    if index + 1 == digest.links { 3 } else { 2 }
}

pub fn rows_at(
    state: &AppState,
    digest: &Digest,
    column: usize,
    width: u16,
    height: u16,
) -> RowsAt {
    let wrap = usize::from(width.saturating_sub(1)).max(1);
    let header: usize = header(state, digest, column)
        .iter()
        .map(|line| textwrap::wrap(line, wrap).len())
        .sum();
    let header = (header as u16).min(height);
    let room = height - header;
    let selected = state
        .views
        .get(column)
        .and_then(|v| v.digest.as_ref())
        .map_or(0, |v| v.selected)
        .min(digest.rows.len().saturating_sub(1));
    // The first row shown: the selected one, and as many above it as fit
    // with it.
    let mut first = selected;
    let mut used = 2;
    while first > 0 && used + row_lines(digest, first - 1) <= room {
        first -= 1;
        used += row_lines(digest, first);
    }
    let mut rows = Vec::new();
    let mut top = 0;
    for index in first..digest.rows.len() {
        if top >= room {
            break;
        }
        rows.push((index, header + top));
        top += row_lines(digest, index);
    }
    RowsAt { header, rows }
}

/// A click on line `line` of the column's inside: the row there is
/// selected; true if the click was the digest's.
pub(super) fn click(
    state: &mut AppState,
    column: usize,
    line: u16,
    (width, height): (u16, u16),
) -> bool {
    let Some(digest) = state
        .views
        .get(column)
        .and_then(|v| v.digest.as_ref())
        .filter(|d| d.opened.is_none())
        .and_then(|_| build(state, column))
    else {
        return false;
    };
    let at = rows_at(state, &digest, column, width, height);
    let hit = at
        .rows
        .iter()
        .find(|(_, top)| (*top..top + 2).contains(&line))
        .map(|(index, _)| *index);
    if let Some(index) = hit
        && let Some(view) = state.views[column].digest.as_mut()
    {
        view.selected = index;
    }
    true
}

/// The cursor table's "source" under which catch-up marks are kept.
pub const CAUGHT_UP: &str = "circles:caught-up";

/// A key on the main screen while the focused column shows its digest;
/// false when it is not for the digest (the column's usual keys apply).
pub(super) fn key(state: &mut AppState, chord: KeyChord) -> bool {
    let column = state.focus;
    if !matches!(state.overlay, Overlay::None) || state.search.is_some() {
        return false;
    }
    let Some(view) = state.views.get(column).and_then(|v| v.digest.as_ref()) else {
        return false;
    };
    let command = state.keymap.command(&chord);
    if view.opened.is_some() {
        // The row's posts, as cards: esc goes back to the rows.
        if command == Some(Command::Close) || chord.key == Key::Named(NamedKey::Esc) {
            if let Some(view) = state.views[column].digest.as_mut() {
                view.opened = None;
            }
            super::refresh(state, column);
            return true;
        }
        return false;
    }
    let rows = build(state, column).map(|d| d.rows).unwrap_or_default();
    let Some(view) = state.views[column].digest.as_mut() else {
        return false;
    };
    let last = rows.len().saturating_sub(1);
    match (chord.key, command) {
        (Key::Char('o'), _) if !chord.ctrl && !chord.alt => {
            view.order = view.order.next();
            view.selected = 0;
            state.message = Some(format!("digest by {}", view.order.name()));
        }
        (Key::Char('w'), _) if !chord.ctrl && !chord.alt => {
            view.window = view.window.next();
            view.selected = 0;
        }
        (_, Some(Command::NextPost)) => view.selected = (view.selected + 1).min(last),
        (_, Some(Command::PrevPost)) => view.selected = view.selected.saturating_sub(1),
        (_, Some(Command::Top)) => view.selected = 0,
        (_, Some(Command::Bottom)) => view.selected = last,
        (_, Some(Command::PageDown)) => view.selected = (view.selected + 10).min(last),
        (_, Some(Command::PageUp)) => view.selected = view.selected.saturating_sub(10),
        (_, Some(Command::OpenDetail)) => {
            let Some(pick) = rows.get(view.selected).map(|r| r.pick.clone()) else {
                state.message = Some("nothing in this window".into());
                return true;
            };
            if let Some(view) = state.views[column].digest.as_mut() {
                view.opened = Some(pick);
            }
            let list = &mut state.views[column];
            list.selected = 0;
            list.offset = 0;
            super::refresh(state, column);
        }
        (_, Some(command)) if command.scope() == crate::config::Scope::Post => {
            state.message = Some(format!(
                "{} works on a post: enter opens the row's posts first",
                command.name()
            ));
        }
        _ => return false,
    }
    true
}
