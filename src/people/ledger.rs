//! From what the ledger holds to one row per person: their facts, the
//! circles the config puts them in, and their class.

use super::{Class, Direction, Engaged, Facts, Known, Relation, Tally, Thresholds, classify};
use crate::filter::Rules;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// One follow as the ledger knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Follow {
    pub who: String,
    pub relation: Relation,
    /// Since when (see `since_known`).
    pub since: DateTime<Utc>,
    /// Whether `since` is when it began (a notification said so, or a
    /// scan saw it appear), not merely when it was first seen.
    pub since_known: bool,
    /// It ended then (a scan no longer found it).
    pub until: Option<DateTime<Utc>>,
}

/// What the ledger holds, as the cache reads it back for a window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ledger {
    /// The reader's own routing keys: never a row.
    pub me: Vec<String>,
    pub accounts: Vec<Known>,
    pub follows: Vec<Follow>,
    /// Interactions over the window: who, which way, what, how many.
    pub counts: Vec<(String, Direction, Engaged, u32)>,
    /// The reader's own posts over the window.
    pub my_posts: u32,
    /// Posts each author had in the reader's timeline over the window
    /// (how many, the newest), and how many days the timeline covers.
    pub seen: HashMap<String, (u32, DateTime<Utc>)>,
    pub seen_days: f64,
}

/// One person, as the people view and `circles people` show them.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The account's routing key, or `person:Name` for a `[[person]]`.
    pub key: String,
    /// The first of their accounts' handles.
    pub handle: String,
    /// Every account of theirs the ledger knows.
    pub accounts: Vec<String>,
    pub name: String,
    pub follows_me: bool,
    pub i_follow: bool,
    pub facts: Facts,
    /// The columns whose `accounts` name them.
    pub circles: Vec<String>,
    pub muted: bool,
    pub amplified: bool,
    pub class: Class,
    pub why: String,
}

/// A row for everyone the ledger knows, save the reader, by class and
/// then by handle.
pub fn rows(ledger: &Ledger, rules: &Rules, now: DateTime<Utc>) -> Vec<Row> {
    let limits = &rules.people;
    let mut people: HashMap<&str, Facts> =
        HashMap::with_capacity(ledger.accounts.len() + ledger.follows.len());
    let known: HashMap<&str, &Known> = ledger
        .accounts
        .iter()
        .map(|k| (k.key.as_str(), k))
        .collect();
    for follow in &ledger.follows {
        let facts = people.entry(&follow.who).or_default();
        match (follow.relation, follow.until) {
            (Relation::FollowsMe, None) => {
                facts.follows_me_since = Some(follow.since);
                facts.since_known = follow.since_known;
            }
            (Relation::FollowsMe, Some(until)) => facts.stopped_following = Some(until),
            (Relation::IFollow, None) => facts.i_follow = true,
            (Relation::IFollow, Some(_)) => {}
        }
    }
    for (who, direction, kind, n) in &ledger.counts {
        let facts = people.entry(who).or_default();
        let tally: &mut Tally = match direction {
            Direction::In => &mut facts.inbound,
            Direction::Out => &mut facts.outbound,
        };
        tally.add(*kind, *n);
    }
    for key in known.keys() {
        people.entry(key).or_default();
    }
    // Each account's facts, then one row per person: a `[[person]]`'s
    // accounts together, everyone else on their own.
    let mut groups: HashMap<String, Group> = HashMap::with_capacity(people.len());
    for (key, mut facts) in people {
        if ledger.me.iter().any(|me| me == key) {
            continue;
        }
        let account = known.get(key).copied();
        let seen = ledger.seen.get(key);
        facts.my_posts = ledger.my_posts;
        facts.last_post = seen.map(|s| s.1).max(account.and_then(|a| a.last_post));
        facts.posts_per_day = match (seen, account) {
            (Some((n, _)), _) => f64::from(*n) / ledger.seen_days.max(1.0),
            (None, Some(a)) => own_rate(a, limits, now),
            (None, None) => 0.0,
        };
        let handle = account
            .map(|a| a.handle.clone())
            .unwrap_or_else(|| handle_of(key));
        let name = account.map(|a| a.name.clone()).unwrap_or_default();
        let person = rules.person_of(key);
        let group_key = person.map_or_else(|| key.to_string(), |p| format!("person:{}", p.name));
        let group = groups.entry(group_key).or_insert_with(|| Group {
            name: person.map_or(name, |p| p.name.clone()),
            person: person.is_some(),
            accounts: Vec::new(),
            keys: Vec::new(),
            facts: Facts::default(),
        });
        group.accounts.push(handle);
        group.keys.push(key.to_string());
        merge(&mut group.facts, facts);
    }
    let mut rows: Vec<Row> = groups
        .into_iter()
        .map(|(key, group)| {
            let Group {
                name,
                person,
                mut accounts,
                keys,
                facts,
            } = group;
            let (class, why) = classify(&facts, limits, now);
            let mut circles: Vec<u16> = Vec::new();
            let mut muted = false;
            for k in &keys {
                let (columns, mute) = rules.account_roles(k);
                circles.extend(columns);
                muted |= mute;
            }
            circles.sort_unstable();
            circles.dedup();
            if person {
                accounts.sort();
            }
            Row {
                key,
                handle: accounts.first().cloned().unwrap_or_default(),
                accounts,
                name,
                follows_me: facts.follows_me_since.is_some(),
                i_follow: facts.i_follow,
                circles: circles
                    .iter()
                    .filter_map(|c| rules.columns.get(usize::from(*c)))
                    .map(|c| c.name.clone())
                    .collect(),
                muted,
                amplified: keys.iter().any(|k| rules.amplifies(k)),
                facts,
                class,
                why,
            }
        })
        .collect();
    rows.sort_by(|a, b| a.class.cmp(&b.class).then_with(|| a.handle.cmp(&b.handle)));
    rows
}

/// The accounts of one row while they are gathered.
struct Group {
    name: String,
    person: bool,
    accounts: Vec<String>,
    keys: Vec<String>,
    facts: Facts,
}

/// Adds one account's facts to a person's: the earliest follow, both
/// ways' engagement, the newest post, the posts of all.
fn merge(into: &mut Facts, other: Facts) {
    if let Some(since) = other.follows_me_since
        && into.follows_me_since.is_none_or(|s| since < s)
    {
        into.follows_me_since = Some(since);
        into.since_known = other.since_known;
    }
    into.stopped_following = into.stopped_following.max(other.stopped_following);
    into.i_follow |= other.i_follow;
    into.inbound.merge(&other.inbound);
    into.outbound.merge(&other.outbound);
    into.last_post = into.last_post.max(other.last_post);
    into.posts_per_day += other.posts_per_day;
    into.my_posts = into.my_posts.max(other.my_posts);
}

/// Each author's posts in `posts` from `since` on (how many, the newest),
/// and how many days those posts cover: the timeline's part of the ledger.
pub fn seen_in<'a>(
    posts: impl Iterator<Item = &'a crate::model::Post>,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> (HashMap<String, (u32, DateTime<Utc>)>, f64) {
    let mut seen: HashMap<String, (u32, DateTime<Utc>)> = HashMap::new();
    let mut oldest = now;
    for post in posts.filter(|p| p.created_at >= since && p.notice.is_none()) {
        oldest = oldest.min(post.created_at);
        let entry = seen
            .entry(post.author.key.clone())
            .or_insert((0, post.created_at));
        entry.0 += 1;
        entry.1 = entry.1.max(post.created_at);
    }
    let days = (now - oldest).num_seconds() as f64 / 86_400.0;
    (seen, days)
}

/// Two accounts that may be one person, and why the ledger thinks so. A
/// suggestion is only ever applied by the reader (`L` in the people view).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The name the `[[person]]` would get.
    pub name: String,
    /// Their handles as the config writes them.
    pub accounts: Vec<String>,
    pub why: String,
}

/// Accounts on different networks that look like one person, none yet in
/// a `[[person]]`: one's profile names the other's handle, or both have the
/// same display name and link the same page.
pub fn suggestions(ledger: &Ledger, rules: &Rules) -> Vec<Suggestion> {
    let mastodon = |key: &str| key.contains('@');
    let free = |a: &&Known| {
        !a.key.is_empty()
            && !a.key.starts_with("feed:")
            && rules.person_of(&a.key).is_none()
            && !ledger.me.contains(&a.key)
    };
    let accounts: Vec<&Known> = ledger.accounts.iter().filter(free).collect();
    let by_key: HashMap<&str, &Known> = accounts.iter().map(|a| (a.key.as_str(), *a)).collect();
    let mut out: Vec<Suggestion> = Vec::new();
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut suggest = |a: &Known, b: &Known, why: String| {
        let (x, y) = if a.key < b.key { (a, b) } else { (b, a) };
        let pair = (x.key.clone(), y.key.clone());
        if pairs.contains(&pair) {
            return;
        }
        pairs.push(pair);
        let name = [&a.name, &b.name]
            .into_iter()
            .find(|n| !n.trim().is_empty() && !n.contains(':'))
            .map(|n| n.trim().to_string())
            .unwrap_or_else(|| a.key.split(['@', '.']).next().unwrap_or("").to_string());
        let written = |k: &Known| {
            if mastodon(&k.key) {
                k.handle.clone()
            } else {
                k.key.clone()
            }
        };
        out.push(Suggestion {
            name,
            accounts: vec![written(x), written(y)],
            why,
        });
    };
    for a in &accounts {
        for link in &a.links {
            let Some(handle) = link.strip_prefix("handle:") else {
                continue;
            };
            if let Some(b) = by_key.get(handle)
                && b.key != a.key
                && mastodon(&a.key) != mastodon(&b.key)
            {
                suggest(a, b, format!("{}'s profile names {}", a.handle, b.handle));
            }
        }
    }
    // Accounts by name, for the same name on two networks (only accounts
    // that link somewhere can share a link).
    let mut by_name: HashMap<String, Vec<&Known>> = HashMap::new();
    for a in accounts
        .iter()
        .filter(|a| a.links.iter().any(|l| l.starts_with("url:")))
    {
        let name = a.name.trim().to_lowercase();
        if !name.is_empty() {
            by_name.entry(name).or_default().push(a);
        }
    }
    let mut named: Vec<&Vec<&Known>> = by_name.values().filter(|v| v.len() > 1).collect();
    named.sort_by(|x, y| x[0].key.cmp(&y[0].key));
    for same in named {
        for (i, a) in same.iter().enumerate() {
            for b in &same[i + 1..] {
                if mastodon(&a.key) == mastodon(&b.key) {
                    continue;
                }
                let shared = a
                    .links
                    .iter()
                    .filter(|l| l.starts_with("url:"))
                    .find(|l| b.links.contains(l));
                if let Some(url) = shared {
                    suggest(
                        a,
                        b,
                        format!(
                            "the same name, and both profiles link {}",
                            url.trim_start_matches("url:")
                        ),
                    );
                }
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Posts a day by the account's own counts, over the window or its life
/// if shorter: for someone none of whose posts reached the timeline.
fn own_rate(account: &Known, limits: &Thresholds, now: DateTime<Utc>) -> f64 {
    let (Some(posts), Some(created)) = (account.posts, account.created) else {
        return 0.0;
    };
    let days = (now - created).min(limits.window).num_seconds() as f64 / 86_400.0;
    posts as f64 / days.max(1.0)
}

/// The handle shown for a routing key the ledger has no account for.
fn handle_of(key: &str) -> String {
    if key.starts_with("did:") || key.starts_with("feed:") {
        key.to_string()
    } else {
        format!("@{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 2, 12, 0, 0).unwrap()
    }

    fn rules(text: &str) -> Rules {
        crate::filter::load(text, now()).unwrap().rules
    }

    #[test]
    fn follows_counts_and_config_make_one_row_each() {
        let rules = rules(
            "[me]\nhandles = [\"@alice@h.social\"]\n[[column]]\nname = \"Core\"\naccounts = [\"@bob@h.social\"]\n\
             [mute]\naccounts = [\"@carol@h.social\"]\n[amplify]\naccounts = [\"@bob@h.social\"]\n",
        );
        let day = TimeDelta::days(1);
        let ledger = Ledger {
            me: vec!["alice@h.social".into()],
            accounts: vec![Known {
                key: "carol@h.social".into(),
                handle: "@carol@h.social".into(),
                name: "Carol".into(),
                posts: Some(30),
                last_post: Some(now() - day),
                created: Some(now() - day * 10),
                links: Vec::new(),
            }],
            follows: vec![
                Follow {
                    who: "bob@h.social".into(),
                    relation: Relation::FollowsMe,
                    since: now() - day * 100,
                    since_known: true,
                    until: None,
                },
                Follow {
                    who: "bob@h.social".into(),
                    relation: Relation::IFollow,
                    since: now() - day * 100,
                    since_known: false,
                    until: None,
                },
                Follow {
                    who: "carol@h.social".into(),
                    relation: Relation::FollowsMe,
                    since: now() - day * 20,
                    since_known: false,
                    until: None,
                },
            ],
            counts: vec![
                ("bob@h.social".into(), Direction::In, Engaged::Reply, 2),
                ("bob@h.social".into(), Direction::Out, Engaged::Favourite, 1),
                ("alice@h.social".into(), Direction::Out, Engaged::Reply, 4),
            ],
            my_posts: 12,
            seen: HashMap::from([("bob@h.social".to_string(), (30, now() - day))]),
            seen_days: 10.0,
        };
        let rows = rows(&ledger, &rules, now());
        let by: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    r.handle.as_str(),
                    r.class,
                    r.circles.clone(),
                    r.muted,
                    r.amplified,
                )
            })
            .collect();
        assert_eq!(
            by,
            [
                (
                    "@bob@h.social",
                    Class::Inner,
                    vec!["Core".to_string()],
                    false,
                    true
                ),
                ("@carol@h.social", Class::Silent, vec![], true, false),
            ]
        );
        assert_eq!(rows[0].facts.posts_per_day, 3.0);
        // Carol's own counts: 30 posts over her 10 days.
        assert_eq!(rows[1].facts.posts_per_day, 3.0);
        assert!(rows[1].why.contains("of your 12 posts"), "{}", rows[1].why);
    }
}
