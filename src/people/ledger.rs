//! From what the ledger holds to one row per person: their facts, the
//! circles the config puts them in, and their class.

use super::{Class, Direction, Engaged, Facts, Known, Relation, Tally, Thresholds, classify};
use crate::filter::Rules;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};

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
    /// Routing key.
    pub key: String,
    pub handle: String,
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
    let mut people: BTreeMap<&str, Facts> = BTreeMap::new();
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
    let mut rows: Vec<Row> = people
        .into_iter()
        .filter(|(key, _)| !ledger.me.iter().any(|me| me == key))
        .map(|(key, mut facts)| {
            let account = known.get(key).copied();
            let seen = ledger.seen.get(key);
            facts.my_posts = ledger.my_posts;
            facts.last_post = seen.map(|s| s.1).max(account.and_then(|a| a.last_post));
            facts.posts_per_day = match (seen, account) {
                (Some((n, _)), _) => f64::from(*n) / ledger.seen_days.max(1.0),
                (None, Some(a)) => own_rate(a, limits, now),
                (None, None) => 0.0,
            };
            let (class, why) = classify(&facts, limits, now);
            let (columns, muted) = rules.account_roles(key);
            Row {
                key: key.to_string(),
                handle: account
                    .map(|a| a.handle.clone())
                    .unwrap_or_else(|| handle_of(key)),
                name: account.map(|a| a.name.clone()).unwrap_or_default(),
                follows_me: facts.follows_me_since.is_some(),
                i_follow: facts.i_follow,
                circles: columns
                    .iter()
                    .filter_map(|c| rules.columns.get(usize::from(*c)))
                    .map(|c| c.name.clone())
                    .collect(),
                muted,
                amplified: rules.amplifies(key),
                facts,
                class,
                why,
            }
        })
        .collect();
    rows.sort_by(|a, b| a.class.cmp(&b.class).then_with(|| a.handle.cmp(&b.handle)));
    rows
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
