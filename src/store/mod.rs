//! The store: the in-memory timeline every column is a view of (ARCHITECTURE.md, "Layers").
//!
//! Posts live once, by [`PostId`], with the verdict the router gave them.
//! Each column keeps its posts' ids newest first; muted posts are kept too
//! (nothing is lost) with the columns they would have been in. Duplicates —
//! the same post from two sources — are recognised by URI and kept once.
//! Unread counts are kept per column as posts arrive and are seen, so the
//! screen never has to count.
//!
//! No I/O, no terminal. May touch: `model`, `filter`.

mod history;

pub use history::{Snapshot, Write, post_key};

use crate::filter::{Rules, Verdict, route};
use crate::model::Post;
use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// A post's place in the store; grows with arrival order, never reused.
pub type PostId = u64;

/// How many posts the store keeps before the oldest go.
pub const DEFAULT_CAPACITY: usize = 20_000;

#[derive(Debug, Clone)]
pub struct Entry {
    /// Shared with the cache's writer, which keeps it without a copy.
    pub post: Arc<Post>,
    pub verdict: Verdict,
    pub seen: bool,
}

/// Where a new post went: its id and its index in each column it joined,
/// so views can keep their selection on the same post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inserted {
    pub id: PostId,
    pub placed: Vec<(usize, usize)>,
}

#[derive(Debug, Clone)]
pub struct Timeline {
    /// Boxed: a table of 20k inline entries spends a quarter of its room
    /// on empty slots.
    entries: HashMap<PostId, Box<Entry>>,
    /// One copy of each account for all the posts that name it (by routing
    /// key): 20k posts of 2k people hold 2k accounts.
    accounts: HashMap<String, Arc<crate::model::Account>>,
    /// Posts by their dedupe key (see [`Keys`]).
    by_key: Keys,
    /// Per column, ids newest first.
    columns: Vec<Vec<PostId>>,
    /// Per column, the muted posts that would be there, newest first.
    hidden: Vec<Vec<PostId>>,
    unread: Vec<usize>,
    muted: Vec<PostId>,
    /// Posts marked seen since the last [`Timeline::take_newly_seen`].
    newly_seen: Vec<PostId>,
    /// Mastodon boosts by their own ids (source, `\0`, id): the card each
    /// went into and who boosted, so a `delete` of the boost finds them.
    /// Checked against the card when used; cleaned as posts are evicted.
    boosts: HashMap<String, (PostId, String)>,
    next: PostId,
    capacity: usize,
    /// How many times posts were evicted: a column may then have lost
    /// posts anywhere in it, not only at its tail.
    evictions: u64,
}

/// What taking a boost back did to its card (see [`Timeline::unboost`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unboosted {
    /// The card was only that boost: it is to go as a deleted post does.
    Gone(PostId),
    /// The booster is off the card, which stays (others boosted it too);
    /// route it again.
    Changed(PostId),
}

impl Timeline {
    pub fn new(columns: usize, capacity: usize) -> Self {
        Timeline {
            entries: HashMap::new(),
            accounts: HashMap::new(),
            by_key: Keys::default(),
            columns: vec![Vec::new(); columns],
            hidden: vec![Vec::new(); columns],
            unread: vec![0; columns],
            muted: Vec::new(),
            newly_seen: Vec::new(),
            boosts: HashMap::new(),
            next: 0,
            capacity: capacity.max(1),
            evictions: 0,
        }
    }

    /// The id the next post will get: every post stored from now on has
    /// this id or a later one.
    pub fn next_id(&self) -> PostId {
        self.next
    }

    /// How many posts it keeps before the oldest go.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, id: PostId) -> Option<&Entry> {
        self.entries.get(&id).map(|e| &**e)
    }

    /// A column's posts, newest first.
    pub fn column(&self, column: usize) -> &[PostId] {
        self.columns.get(column).map_or(&[], Vec::as_slice)
    }

    pub fn unread(&self, column: usize) -> usize {
        self.unread.get(column).copied().unwrap_or(0)
    }

    /// The muted posts that would be in a column, newest first.
    pub fn hidden(&self, column: usize) -> &[PostId] {
        self.hidden.get(column).map_or(&[], Vec::as_slice)
    }

    /// When the newest post anywhere on show was written: the heads of the
    /// newest-first lists, so no scan.
    pub fn newest(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.columns
            .iter()
            .chain(Some(&self.muted))
            .filter_map(|list| list.first())
            .filter_map(|id| self.entries.get(id).map(|e| e.post.created_at))
            .max()
    }

    /// Muted posts, newest first.
    pub fn muted(&self) -> &[PostId] {
        &self.muted
    }

    /// Every post, in no particular order.
    pub fn entries(&self) -> impl Iterator<Item = (PostId, &Entry)> {
        self.entries.iter().map(|(id, e)| (*id, &**e))
    }

    /// The post already here that `post` is another copy of (same URI, or
    /// same source and id): a second boost of it, or its author's own.
    pub fn same_as(&self, post: &Post) -> Option<PostId> {
        self.by_key.get(&dedupe_key(post), &self.entries)
    }

    /// Takes what another copy of post `id` says about who boosted it into
    /// the stored post, merging them into one card: a new booster joins
    /// `also_boosted_by`, and the author's own copy makes it the author's
    /// post (its first booster joins the others). A notification copy
    /// marks the post with its notice, and another favourite or boost of
    /// the same post of yours joins the notice's `others` ("bob and 3
    /// others"). True when the post changed; route it again then
    /// ([`Timeline::replace`]).
    pub fn merge_copy(&mut self, id: PostId, copy: &Post) -> bool {
        let Some(entry) = self.entries.get_mut(&id) else {
            return false;
        };
        // Looked at first, so a copy that changes nothing costs no copy of
        // a post shared with the cache.
        let stored = &entry.post;
        if let Some(notice) = &copy.notice {
            let new_actor = |mine: &crate::model::Notice| {
                stored.author.key != copy.author.key
                    && !mine.others.iter().any(|o| o.key == copy.author.key)
            };
            let changed = match stored.notice.as_deref() {
                None => true,
                Some(mine) => copy.is_pure_notice() && mine.kind == notice.kind && new_actor(mine),
            };
            if copy.is_pure_notice() || changed {
                if changed {
                    let post = Arc::make_mut(&mut entry.post);
                    match post.notice.as_deref_mut() {
                        None => post.notice = Some(notice.clone()),
                        Some(mine) => {
                            mine.others.push((*copy.author).clone());
                            if let Some(total) = &mut mine.total {
                                *total += 1;
                            }
                            // The card stands where its newest notification
                            // does, for read markers.
                            if copy.created_at >= post.created_at {
                                mine.id = notice.id.clone();
                            }
                            mine.at = mine.at.max(notice.at);
                            post.created_at = post.created_at.max(copy.created_at);
                        }
                    }
                }
                return changed;
            }
        }
        let post = Arc::make_mut(&mut entry.post);
        match &copy.boosted_by {
            Some(booster) => {
                if post.boosters().any(|b| b.key == booster.key) {
                    return false;
                }
                post.also_boosted_by.push((**booster).clone());
                if let Some(boost) = &copy.boost_id {
                    let from = copy.source.clone();
                    post.also_boost_ids
                        .push((from, booster.key.clone(), boost.clone()));
                }
            }
            None => match post.boosted_by.take() {
                Some(first) => {
                    if let Some(boost) = post.boost_id.take() {
                        let from = post.source.clone();
                        post.also_boost_ids.push((from, first.key.clone(), boost));
                    }
                    post.also_boosted_by.insert(0, Arc::unwrap_or_clone(first));
                }
                None => return false,
            },
        }
        self.note_boost(id, copy);
        true
    }

    /// Adds a routed post. A post already present (same URI, or same source
    /// and id) is not added twice: `None` (see [`Timeline::merge_copy`]).
    pub fn insert(&mut self, post: Post, verdict: Verdict) -> Option<Inserted> {
        if self.same_as(&post).is_some() {
            return None;
        }
        let id = self.next;
        self.next += 1;
        let placed = self.store(
            id,
            Entry {
                post: Arc::new(post),
                verdict,
                seen: false,
            },
        );
        if self.entries.len() > self.capacity + self.capacity / 10 {
            self.evict();
        }
        Some(Inserted { id, placed })
    }

    /// The post a source knows by this id.
    pub fn find(&self, source: &str, id: &str) -> Option<PostId> {
        self.entries
            .iter()
            .find(|(_, e)| e.post.source == source && e.post.id == id)
            .map(|(k, _)| *k)
    }

    /// Takes a post out (deleted at its source).
    pub fn remove(&mut self, id: PostId) -> Option<Entry> {
        let entry = *self.entries.remove(&id)?;
        self.by_key.remove(&dedupe_key(&entry.post), id);
        self.unlist(id, &entry);
        Some(entry)
    }

    /// Sets the reader's marks and the counts of post `id` (they change no
    /// route); the post as it is now, for the cache.
    pub fn set_engagement(
        &mut self,
        id: PostId,
        engagement: crate::model::Engagement,
    ) -> Option<Arc<Post>> {
        let entry = self.entries.get_mut(&id)?;
        Arc::make_mut(&mut entry.post).engagement = engagement;
        Some(Arc::clone(&entry.post))
    }

    /// Puts an edited version of a post in place of the old one: same id,
    /// same seen mark, in the columns its new verdict names.
    pub fn replace(&mut self, id: PostId, post: Post, verdict: Verdict) -> bool {
        let Some(old) = self.remove(id) else {
            return false;
        };
        self.store(
            id,
            Entry {
                post: Arc::new(post),
                verdict,
                seen: old.seen,
            },
        );
        true
    }

    /// Keeps an entry under `id`, indexed for dedupe and filed into its
    /// columns; returns where it was placed.
    fn store(&mut self, id: PostId, mut entry: Entry) -> Vec<(usize, usize)> {
        // The rule trace is for `explain`, which routes again; kept, it
        // would cost every post a list.
        entry.verdict.fired = Vec::new();
        let post = Arc::make_mut(&mut entry.post);
        Self::share(&mut self.accounts, &mut post.author);
        if let Some(booster) = &mut post.boosted_by {
            Self::share(&mut self.accounts, booster);
        }
        self.note_boost(id, post);
        self.by_key
            .insert(dedupe_key(&entry.post), id, &self.entries);
        self.entries.insert(id, Box::new(entry));
        self.list(id)
    }

    /// Keeps where a Mastodon boost went, by its own id: the copy's, and
    /// those it holds merged (a card kept from the last run).
    fn note_boost(&mut self, id: PostId, copy: &Post) {
        if let (Some(boost), Some(booster)) = (&copy.boost_id, &copy.boosted_by) {
            self.boosts.insert(
                format!("{}\0{boost}", copy.source),
                (id, booster.key.clone()),
            );
        }
        for (source, booster, boost) in &copy.also_boost_ids {
            self.boosts
                .insert(format!("{source}\0{boost}"), (id, booster.clone()));
        }
    }

    /// A boost taken back (a Mastodon `delete` naming the boost's own
    /// id): its booster comes off the card it went into; none when no
    /// card holds that boost.
    pub fn unboost(&mut self, source: &str, boost: &str) -> Option<Unboosted> {
        let (id, booster) = self.boosts.remove(&format!("{source}\0{boost}"))?;
        let entry = self.entries.get_mut(&id)?;
        let post = &entry.post;
        let first = post.boosted_by.as_ref().is_some_and(|b| b.key == booster);
        let other = post.also_boosted_by.iter().position(|b| b.key == booster);
        if first && post.also_boosted_by.is_empty() {
            return Some(Unboosted::Gone(id));
        }
        let post = Arc::make_mut(&mut entry.post);
        if first {
            let next = post.also_boosted_by.remove(0);
            // The next booster's boost is the card's now, if it came from
            // the card's source (one from another stays listed, with its
            // source).
            let at = post
                .also_boost_ids
                .iter()
                .position(|(s, k, _)| *k == next.key && *s == post.source);
            post.boost_id = at.map(|at| post.also_boost_ids.remove(at).2);
            post.boosted_by = Some(Arc::new(next));
        } else if let Some(at) = other {
            post.also_boosted_by.remove(at);
            post.also_boost_ids.retain(|(_, k, _)| *k != booster);
        } else {
            return None;
        }
        Some(Unboosted::Changed(id))
    }

    /// Points `account` at the copy kept for its key, if that is the same
    /// account; else keeps this one as the copy.
    fn share(
        accounts: &mut HashMap<String, Arc<crate::model::Account>>,
        account: &mut Arc<crate::model::Account>,
    ) {
        match accounts.get(&account.key) {
            Some(kept) if **kept == **account => *account = Arc::clone(kept),
            _ => {
                accounts.insert(account.key.clone(), Arc::clone(account));
            }
        }
    }

    /// Drops a post's id from every list it is in, and from unread counts.
    fn unlist(&mut self, id: PostId, entry: &Entry) {
        for &column in &entry.verdict.columns {
            let column = usize::from(column);
            self.columns[column].retain(|x| *x != id);
            if !entry.seen {
                self.unread[column] = self.unread[column].saturating_sub(1);
            }
        }
        for &column in &entry.verdict.hidden_in {
            self.hidden[usize::from(column)].retain(|x| *x != id);
        }
        self.muted.retain(|x| *x != id);
    }

    /// Files a stored post into the lists its verdict names; returns its
    /// index in each column it joined.
    fn list(&mut self, id: PostId) -> Vec<(usize, usize)> {
        let entry = &self.entries[&id];
        let order = (Reverse(entry.post.created_at), Reverse(id));
        let entries = &self.entries;
        let place = |list: &mut Vec<PostId>| {
            let at = list.partition_point(|other| {
                let e = &entries[other];
                (Reverse(e.post.created_at), Reverse(*other)) < order
            });
            list.insert(at, id);
            at
        };
        let mut placed = Vec::with_capacity(entry.verdict.columns.len());
        for &column in &entry.verdict.columns {
            let column = usize::from(column);
            placed.push((column, place(&mut self.columns[column])));
            if !entry.seen {
                self.unread[column] += 1;
            }
        }
        if entry.verdict.muted.is_some() {
            place(&mut self.muted);
            for &column in &entry.verdict.hidden_in {
                place(&mut self.hidden[usize::from(column)]);
            }
        }
        placed
    }

    /// Marks a post seen; true if it was unread.
    pub fn mark_seen(&mut self, id: PostId) -> bool {
        let Some(entry) = self.entries.get_mut(&id) else {
            return false;
        };
        if entry.seen {
            return false;
        }
        entry.seen = true;
        for &column in &entry.verdict.columns {
            if let Some(n) = self.unread.get_mut(usize::from(column)) {
                *n = n.saturating_sub(1);
            }
        }
        self.newly_seen.push(id);
        true
    }

    /// The keys of posts seen since the last call, for saving.
    pub fn take_newly_seen(&mut self) -> Vec<String> {
        let ids = std::mem::take(&mut self.newly_seen);
        ids.into_iter()
            .filter_map(|id| self.entries.get(&id).map(|e| dedupe_key(&e.post)))
            .collect()
    }

    /// The posts marked seen since the last [`Timeline::take_newly_seen`].
    pub fn newly_seen(&self) -> &[PostId] {
        &self.newly_seen
    }

    /// Forgets which posts were seen lately (nothing keeps them).
    pub fn forget_newly_seen(&mut self) {
        self.newly_seen.clear();
    }

    /// The id of the post with this key (see [`post_key`]).
    pub fn by_key(&self, key: &str) -> Option<PostId> {
        self.by_key.get(key, &self.entries)
    }

    /// Marks every post of a column seen (they are read everywhere).
    pub fn mark_column_read(&mut self, column: usize) {
        let ids = self.column(column).to_vec();
        for id in ids {
            self.mark_seen(id);
        }
    }

    /// Routes every post again with new rules (after a config change) and
    /// rebuilds the views; seen marks are kept.
    pub fn reroute(&mut self, rules: &Rules) {
        self.columns = vec![Vec::new(); rules.columns.len()];
        self.hidden = vec![Vec::new(); rules.columns.len()];
        self.unread = vec![0; rules.columns.len()];
        self.muted.clear();
        let mut order: Vec<_> = self
            .entries
            .iter_mut()
            .map(|(id, e)| {
                e.verdict = route(rules, &e.post);
                e.verdict.fired = Vec::new();
                (Reverse(e.post.created_at), Reverse(*id))
            })
            .collect();
        order.sort_unstable();
        for (_, Reverse(id)) in order {
            let e = &self.entries[&id];
            for &column in &e.verdict.columns {
                self.columns[usize::from(column)].push(id);
                if !e.seen {
                    self.unread[usize::from(column)] += 1;
                }
            }
            if e.verdict.muted.is_some() {
                self.muted.push(id);
                for &column in &e.verdict.hidden_in {
                    self.hidden[usize::from(column)].push(id);
                }
            }
        }
    }

    pub fn column_count(&self) -> usize {
        self.columns.len()
    }

    /// How many times posts were evicted to keep within the capacity.
    pub fn evictions(&self) -> u64 {
        self.evictions
    }

    /// Drops the oldest posts down to the capacity, column by column: each
    /// column, and the muted tail, keeps its newest posts up to an equal
    /// share of the capacity, so a busy column never pushes a quiet one's
    /// posts out; what goes is the oldest of the rest (and only if that is
    /// not enough, the oldest of all). A post can so go from the middle of
    /// a column (kept below it by another column's share): places in the
    /// views are to be put back after ([`Timeline::evictions`]).
    fn evict(&mut self) {
        self.evictions += 1;
        let share = self.capacity / (self.columns.len() + 1);
        let kept: HashSet<PostId> = self
            .columns
            .iter()
            .chain(Some(&self.muted))
            .flat_map(|list| list.iter().take(share).copied())
            .collect();
        // Oldest first within each kind, the shares' last.
        let mut ages: Vec<_> = self
            .entries
            .iter()
            .map(|(id, e)| (kept.contains(id), e.post.created_at, *id))
            .collect();
        let excess = ages.len() - self.capacity;
        ages.select_nth_unstable(excess - 1);
        for (_, _, id) in &ages[..excess] {
            if let Some(entry) = self.entries.remove(id) {
                self.by_key.remove(&dedupe_key(&entry.post), *id);
                if !entry.seen {
                    for &column in &entry.verdict.columns {
                        let n = &mut self.unread[usize::from(column)];
                        *n = n.saturating_sub(1);
                    }
                }
            }
        }
        let entries = &self.entries;
        let lists = self
            .columns
            .iter_mut()
            .chain(self.hidden.iter_mut())
            .chain(Some(&mut self.muted));
        for list in lists {
            list.retain(|id| entries.contains_key(id));
        }
        // Accounts no post names any more, and boosts of posts gone.
        self.accounts
            .retain(|_, account| Arc::strong_count(account) > 1);
        self.boosts.retain(|_, (id, _)| entries.contains_key(id));
    }
}

/// Post ids by a hash of their dedupe key: a key string per post would
/// cost some hundred bytes of the two thousand a post may take. The rare
/// second key with the same hash is kept whole, and a lookup checks the
/// post's own key, so no two posts are ever taken for one.
#[derive(Debug, Clone, Default)]
struct Keys {
    by_hash: HashMap<u64, PostId>,
    collided: HashMap<String, PostId>,
}

impl Keys {
    fn hash(key: &str) -> u64 {
        use std::hash::BuildHasher;
        foldhash::fast::FixedState::with_seed(0x5eed).hash_one(key)
    }

    fn get(&self, key: &str, entries: &HashMap<PostId, Box<Entry>>) -> Option<PostId> {
        self.get_hashed(Self::hash(key), key, entries)
    }

    fn get_hashed(
        &self,
        hash: u64,
        key: &str,
        entries: &HashMap<PostId, Box<Entry>>,
    ) -> Option<PostId> {
        match self.by_hash.get(&hash) {
            Some(id) if entries.get(id).is_some_and(|e| dedupe_key(&e.post) == key) => Some(*id),
            _ => self.collided.get(key).copied(),
        }
    }

    fn insert(&mut self, key: String, id: PostId, entries: &HashMap<PostId, Box<Entry>>) {
        self.insert_hashed(Self::hash(&key), key, id, entries);
    }

    fn insert_hashed(
        &mut self,
        hash: u64,
        key: String,
        id: PostId,
        entries: &HashMap<PostId, Box<Entry>>,
    ) {
        match self.by_hash.get(&hash) {
            Some(other)
                if *other != id
                    && entries
                        .get(other)
                        .is_some_and(|e| dedupe_key(&e.post) != key) =>
            {
                self.collided.insert(key, id);
            }
            _ => {
                self.by_hash.insert(hash, id);
            }
        }
    }

    fn remove(&mut self, key: &str, id: PostId) {
        self.remove_hashed(Self::hash(key), key, id);
    }

    fn remove_hashed(&mut self, hash: u64, key: &str, id: PostId) {
        if self.by_hash.get(&hash) == Some(&id) {
            self.by_hash.remove(&hash);
        } else {
            self.collided.remove(key);
        }
    }
}

pub(crate) fn dedupe_key(post: &Post) -> String {
    use crate::model::NoticeKind;
    // Favourites and boosts of one post of yours are one card.
    if let Some(notice) = post.notice.as_deref()
        && matches!(notice.kind, NoticeKind::Favourite | NoticeKind::Reblog)
        && let Some(subject) = &notice.subject
    {
        return format!(
            "\u{1}{}\u{0}{}\u{0}{}",
            post.source,
            notice.kind.name(),
            subject.id
        );
    }
    match &post.uri {
        Some(uri) => uri.clone(),
        None => format!("{}\u{0}{}", post.source, post.id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::load;
    use crate::testkit::post;
    use chrono::{DateTime, TimeZone, Utc};

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 10, minute, 0).unwrap()
    }

    const CONFIG: &str = r#"
[[column]]
name = "Core"
accounts = ["@a@x.social"]
[[column]]
name = "All"
[mute]
accounts = ["@m@x.social"]
"#;

    fn timeline(capacity: usize) -> (Timeline, Rules) {
        let rules = load(CONFIG, at(0)).unwrap().rules;
        (Timeline::new(rules.columns.len(), capacity), rules)
    }

    fn add(t: &mut Timeline, rules: &Rules, p: Post) -> Option<Inserted> {
        let verdict = route(rules, &p);
        t.insert(p, verdict)
    }

    fn ids(t: &Timeline, column: usize) -> Vec<String> {
        t.column(column)
            .iter()
            .map(|id| t.get(*id).unwrap().post.id.clone())
            .collect()
    }

    #[test]
    fn columns_are_newest_first_whatever_the_arrival_order() {
        let (mut t, rules) = timeline(100);
        add(&mut t, &rules, post("1", "@a@x.social").at(at(5)).build());
        add(&mut t, &rules, post("2", "@b@x.social").at(at(9)).build());
        let late = add(&mut t, &rules, post("3", "@a@x.social").at(at(7)).build()).unwrap();
        assert_eq!(ids(&t, 0), ["3", "1"]);
        assert_eq!(ids(&t, 1), ["2", "3", "1"]);
        assert_eq!(late.placed, vec![(0, 0), (1, 1)]);
        assert_eq!(t.newest(), Some(at(9)));
        assert_eq!((t.unread(0), t.unread(1)), (2, 3));
    }

    #[test]
    fn muted_posts_are_kept_out_of_columns_but_not_lost() {
        let (mut t, rules) = timeline(100);
        let muted = add(&mut t, &rules, post("1", "@m@x.social").at(at(5)).build()).unwrap();
        assert!(t.column(1).is_empty());
        assert_eq!(t.muted().len(), 1);
        assert_eq!(t.hidden(1), &[muted.id], "where a reveal shows it");
        assert!(t.hidden(0).is_empty());
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn duplicates_are_kept_once() {
        let (mut t, rules) = timeline(100);
        assert!(add(&mut t, &rules, post("1", "@a@x.social").at(at(5)).build()).is_some());
        assert!(add(&mut t, &rules, post("1", "@a@x.social").at(at(5)).build()).is_none());
        let mut a = post("9", "@b@x.social").at(at(6)).build();
        a.uri = Some("https://x.social/1".into());
        let mut b = post("other-id", "@b@x.social").at(at(6)).build();
        b.source = "another".into();
        b.uri = a.uri.clone();
        assert!(add(&mut t, &rules, a).is_some());
        assert!(add(&mut t, &rules, b).is_none());
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn an_edited_post_replaces_the_old_in_place_and_a_deleted_one_goes() {
        let (mut t, rules) = timeline(100);
        let a = add(&mut t, &rules, post("1", "@a@x.social").at(at(5)).build()).unwrap();
        add(&mut t, &rules, post("2", "@b@x.social").at(at(6)).build());
        t.mark_seen(a.id);
        let mut edited = post("1", "@a@x.social").at(at(5)).build();
        edited.text = "edited".into();
        let verdict = route(&rules, &edited);
        assert_eq!(t.find("feed", "1"), Some(a.id));
        assert!(t.replace(a.id, edited, verdict));
        assert_eq!(t.get(a.id).unwrap().post.text, "edited");
        assert!(t.get(a.id).unwrap().seen, "still seen");
        assert_eq!(ids(&t, 0), ["1"]);
        assert_eq!(ids(&t, 1), ["2", "1"]);
        assert_eq!(t.unread(1), 1);
        let gone = t.remove(a.id).unwrap();
        assert_eq!(gone.post.text, "edited");
        assert_eq!(ids(&t, 1), ["2"]);
        assert!(t.column(0).is_empty());
        assert_eq!(t.find("feed", "1"), None);
        assert!(
            add(&mut t, &rules, post("1", "@a@x.social").at(at(5)).build()).is_some(),
            "may come back"
        );
    }

    #[test]
    fn boosts_of_one_post_make_one_card_naming_every_booster() {
        let (mut t, rules) = timeline(100);
        let boost = |booster: &str| {
            post("1", "@c@x.social")
                .at(at(5))
                .uri("https://x.social/users/c/statuses/1")
                .boosted_by(booster)
                .build()
        };
        let first = add(&mut t, &rules, boost("@ann@x.social")).unwrap();
        assert!(add(&mut t, &rules, boost("@ben@x.social")).is_none());
        assert_eq!(t.same_as(&boost("@ben@x.social")), Some(first.id));
        assert!(t.merge_copy(first.id, &boost("@ben@x.social")));
        assert!(!t.merge_copy(first.id, &boost("@ben@x.social")), "once");
        assert!(!t.merge_copy(first.id, &boost("@Ann@x.social")), "any case");
        assert_eq!(t.len(), 1);
        let boosters = |t: &Timeline| -> Vec<String> {
            let post = &t.get(first.id).unwrap().post;
            post.boosters().map(|b| b.handle.clone()).collect()
        };
        assert_eq!(boosters(&t), ["@ann@x.social", "@ben@x.social"]);
        assert!(t.get(first.id).unwrap().post.is_boost());
        // the author's own copy: no longer a boost, every booster kept
        let own = post("1", "@c@x.social")
            .at(at(5))
            .uri("https://x.social/users/c/statuses/1")
            .build();
        assert!(t.merge_copy(first.id, &own));
        assert!(!t.get(first.id).unwrap().post.is_boost());
        assert_eq!(boosters(&t), ["@ann@x.social", "@ben@x.social"]);
    }

    /// Two keys with one hash (forced here; with a 64-bit hash it is all
    /// but unheard of) are two posts, each found by its own key.
    #[test]
    fn a_merged_notice_stands_where_its_newest_notification_does() {
        use crate::model::NoticeKind;
        let (mut t, rules) = timeline(10);
        let mine = post("mine", "@me@x.social").build();
        let like = |who: &str, n: &str, minute: u32| {
            let mut p = post(&format!("like-{n}"), who)
                .at(at(minute))
                .notice(NoticeKind::Favourite, Some(mine.clone()))
                .build();
            let notice = p.notice.as_deref_mut().unwrap();
            notice.id = n.to_string();
            notice.at = Some(at(minute));
            p
        };
        let first = add(&mut t, &rules, like("@b@x.social", "41", 5)).unwrap();
        let second = like("@c@x.social", "42", 9);
        assert_eq!(t.same_as(&second), Some(first.id));
        assert!(t.merge_copy(first.id, &second));
        let notice = t.get(first.id).unwrap().post.notice.clone().unwrap();
        assert_eq!((notice.id.as_str(), notice.at), ("42", Some(at(9))));
        // An older one merged late leaves it there.
        assert!(t.merge_copy(first.id, &like("@d@x.social", "40", 1)));
        let notice = t.get(first.id).unwrap().post.notice.clone().unwrap();
        assert_eq!((notice.id.as_str(), notice.at), ("42", Some(at(9))));
        assert_eq!(notice.others.len(), 2);
    }

    #[test]
    fn keys_with_one_hash_are_kept_apart() {
        let mut entries: HashMap<PostId, Box<Entry>> = HashMap::new();
        let entry = |p: Post| {
            Box::new(Entry {
                post: Arc::new(p),
                verdict: Verdict::default(),
                seen: false,
            })
        };
        let a = post("a", "@a@x.social").uri("https://x/1").build();
        let b = post("b", "@a@x.social").uri("https://x/2").build();
        let mut keys = Keys::default();
        entries.insert(1, entry(a));
        keys.insert_hashed(7, "https://x/1".into(), 1, &entries);
        entries.insert(2, entry(b));
        keys.insert_hashed(7, "https://x/2".into(), 2, &entries);
        assert_eq!(keys.get_hashed(7, "https://x/1", &entries), Some(1));
        assert_eq!(keys.get_hashed(7, "https://x/2", &entries), Some(2));
        assert_eq!(keys.get_hashed(7, "https://x/3", &entries), None);
        keys.remove_hashed(7, "https://x/2", 2);
        assert_eq!(keys.get_hashed(7, "https://x/2", &entries), None);
        assert_eq!(keys.get_hashed(7, "https://x/1", &entries), Some(1));
    }

    #[test]
    fn posts_of_one_account_share_one_copy_of_it() {
        let (mut t, rules) = timeline(100);
        let a = add(&mut t, &rules, post("1", "@a@x.social").at(at(1)).build()).unwrap();
        let b = add(&mut t, &rules, post("2", "@a@x.social").at(at(2)).build()).unwrap();
        let renamed = post("3", "@a@x.social")
            .name("A. N. Other")
            .at(at(3))
            .build();
        let c = add(&mut t, &rules, renamed).unwrap();
        let author = |id| &t.get(id).unwrap().post.author;
        assert!(Arc::ptr_eq(author(a.id), author(b.id)), "shared");
        assert!(
            !Arc::ptr_eq(author(a.id), author(c.id)),
            "a new name is its own"
        );
        assert_eq!(author(c.id).display_name, "A. N. Other");
    }

    #[test]
    fn seen_posts_leave_the_unread_count_of_every_column() {
        let (mut t, rules) = timeline(100);
        let first = add(&mut t, &rules, post("1", "@a@x.social").at(at(5)).build()).unwrap();
        add(&mut t, &rules, post("2", "@a@x.social").at(at(6)).build());
        assert!(t.mark_seen(first.id));
        assert!(!t.mark_seen(first.id), "only once");
        assert_eq!((t.unread(0), t.unread(1)), (1, 1));
        t.mark_column_read(1);
        assert_eq!((t.unread(0), t.unread(1)), (0, 0));
    }

    #[test]
    fn the_oldest_posts_go_past_capacity_and_counts_follow() {
        let (mut t, rules) = timeline(10);
        for i in 0..12 {
            add(
                &mut t,
                &rules,
                post(&i.to_string(), "@b@x.social").at(at(30 - i)).build(),
            );
        }
        assert_eq!(t.len(), 10, "12 > 10 + 10/10 evicts down to 10");
        assert_eq!(t.column(1).len(), 10);
        assert_eq!(t.unread(1), 10);
        assert_eq!(ids(&t, 1).last().unwrap(), "9", "the oldest two went");
    }

    /// A busy column does not push a quiet one's posts out: each column
    /// (and the muted tail) keeps its newest posts up to an equal share of
    /// the capacity, and the oldest of the busy column's rest go.
    #[test]
    fn a_busy_column_never_pushes_a_quiet_ones_posts_out() {
        // Core, All and the muted tail: a share of 10 each.
        let (mut t, rules) = timeline(30);
        for i in 0..3 {
            add(
                &mut t,
                &rules,
                post(&format!("a{i}"), "@a@x.social").at(at(i)).build(),
            );
        }
        add(&mut t, &rules, post("m", "@m@x.social").at(at(3)).build());
        for i in 0..40 {
            add(
                &mut t,
                &rules,
                post(&format!("b{i}"), "@b@x.social").at(at(10 + i)).build(),
            );
        }
        assert!(t.len() <= 33, "bounded: {}", t.len());
        assert_eq!(ids(&t, 0), ["a2", "a1", "a0"], "Core keeps all its posts");
        assert_eq!(t.muted().len(), 1, "and the muted tail its one");
        let all = ids(&t, 1);
        assert_eq!(&all[..3], ["b39", "b38", "b37"], "the newest stay");
        assert!(
            !all.contains(&"b0".to_string()),
            "All's oldest went: {all:?}"
        );
    }

    /// A boost merged from another source keeps that source with its id:
    /// after the card comes back (a restart), that source's `delete` of
    /// the boost still finds its booster.
    #[test]
    fn a_boost_merged_from_another_source_is_found_by_that_source() {
        let (mut t, rules) = timeline(100);
        let boost = |source: &str, booster: &str, id: &str| {
            post("c1", "@carol@x.social")
                .source(source)
                .uri("https://x.social/@carol/1")
                .boosted_by(booster)
                .boost_id(id)
                .at(at(5))
                .build()
        };
        let card = add(&mut t, &rules, boost("home", "@alice@x.social", "a1"))
            .unwrap()
            .id;
        assert!(t.merge_copy(card, &boost("work", "@dan@y.social", "d1")));
        let kept: Post =
            serde_json::from_str(&serde_json::to_string(&*t.get(card).unwrap().post).unwrap())
                .unwrap();
        let (mut again, rules) = timeline(100);
        let card = add(&mut again, &rules, kept).unwrap().id;
        assert_eq!(again.unboost("home", "d1"), None, "not home's boost");
        assert_eq!(again.unboost("work", "d1"), Some(Unboosted::Changed(card)));
        let post = &again.get(card).unwrap().post;
        assert_eq!(post.boosters().count(), 1);
        assert!(post.also_boost_ids.is_empty());
    }

    #[test]
    fn reroute_applies_new_rules_and_keeps_seen_marks() {
        let (mut t, rules) = timeline(100);
        let a = add(&mut t, &rules, post("1", "@a@x.social").at(at(5)).build()).unwrap();
        add(&mut t, &rules, post("2", "@b@x.social").at(at(6)).build());
        t.mark_seen(a.id);
        let stricter = load(
            "[[column]]\nname = \"Core\"\naccounts = [\"@b@x.social\"]\n[mute]\naccounts = [\"@a@x.social\"]\n",
            at(0),
        )
        .unwrap()
        .rules;
        t.reroute(&stricter);
        assert_eq!(ids(&t, 0), ["2"]);
        assert_eq!(t.muted(), &[a.id]);
        assert_eq!(
            t.hidden(0),
            &[] as &[PostId],
            "a was never in Core's accounts now"
        );
        assert_eq!(t.unread(0), 1);
        assert!(t.get(a.id).unwrap().seen);
    }
}
