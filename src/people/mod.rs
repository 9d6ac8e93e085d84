//! People: who pays attention to whom (ARCHITECTURE.md, "People").
//!
//! What the ledger knows of one person ([`Facts`]: whether they follow the
//! reader and since when, whether the reader follows them, what each has
//! done to the other over the window, how much they post) and the class
//! that makes of them ([`classify`]), with the reason in words. Attention
//! is not owed: the classes say what the data shows, in plain counts, and
//! never more.
//!
//! Pure: no I/O, no clock (`now` is given). May touch: `model`.

mod ledger;

pub use crate::config::Thresholds;
pub use crate::model::people::{Direction, Engaged, Interaction, Known, Relation};
pub use ledger::{Follow, Ledger, Row, Suggestion, rows, seen_in, suggestions};

use chrono::{DateTime, Utc};

fn plural(kind: Engaged, n: u32) -> String {
    let word = match (kind, n == 1) {
        (Engaged::Reply, true) => "reply",
        (Engaged::Reply, false) => "replies",
        (Engaged::Mention, true) => "mention",
        (Engaged::Mention, false) => "mentions",
        (Engaged::Favourite, true) => "favourite",
        (Engaged::Favourite, false) => "favourites",
        (Engaged::Boost, true) => "boost",
        (Engaged::Boost, false) => "boosts",
        (Engaged::Quote, true) => "quote",
        (Engaged::Quote, false) => "quotes",
    };
    format!("{n} {word}")
}

/// How many of each kind, one way, over the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally([u32; 5]);

impl Tally {
    pub fn get(&self, kind: Engaged) -> u32 {
        self.0[kind as usize]
    }

    pub fn add(&mut self, kind: Engaged, n: u32) {
        let slot = &mut self.0[kind as usize];
        *slot = slot.saturating_add(n);
    }

    /// Adds another tally's counts.
    pub fn merge(&mut self, other: &Tally) {
        for kind in Engaged::ALL {
            self.add(kind, other.get(kind));
        }
    }

    pub fn total(&self) -> u32 {
        self.0.iter().fold(0u32, |sum, n| sum.saturating_add(*n))
    }

    /// `2 replies, 0 favourites, 1 boost`: the three everyone has, and the
    /// others when there are any.
    fn words(&self) -> String {
        let mut out = String::with_capacity(48);
        for kind in Engaged::ALL {
            let n = self.get(kind);
            if matches!(kind, Engaged::Reply | Engaged::Favourite | Engaged::Boost) || n > 0 {
                if !out.is_empty() {
                    out.push_str(", ");
                }
                out.push_str(&plural(kind, n));
            }
        }
        out
    }
}

/// What the ledger knows of one person, over the window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// They follow the reader, since then: the follow's notification, or
    /// the scan that first saw it.
    pub follows_me_since: Option<DateTime<Utc>>,
    /// Whether that is when they began: false when the first scan found
    /// them following already (since then at least).
    pub since_known: bool,
    /// They followed the reader and stopped, then.
    pub stopped_following: Option<DateTime<Utc>>,
    /// The reader follows them.
    pub i_follow: bool,
    /// What they did to the reader.
    pub inbound: Tally,
    /// What the reader did to them.
    pub outbound: Tally,
    /// Their newest post known (in the timeline, or their account's
    /// `last_status_at`).
    pub last_post: Option<DateTime<Utc>>,
    /// Their posts a day in the reader's timeline.
    pub posts_per_day: f64,
    /// The reader's own posts over the window (for the reasons).
    pub my_posts: u32,
}

/// What the data says of someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    /// Mutual, and both engage.
    Inner,
    /// Follows the reader a while, posts, and never engages with them.
    Silent,
    /// The reader engages with them, and they never engage back.
    Unanswered,
    /// Engages with the reader, who does not follow them.
    Fan,
    /// Posts a lot in the timeline; the reader never engages.
    Loud,
    /// No posts for a while.
    Quiet,
    /// Followed the reader recently.
    New,
    /// None of those.
    Other,
}

impl Class {
    pub const ALL: [Class; 8] = [
        Class::Inner,
        Class::Silent,
        Class::Unanswered,
        Class::Fan,
        Class::Loud,
        Class::Quiet,
        Class::New,
        Class::Other,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Class::Inner => "inner",
            Class::Silent => "silent",
            Class::Unanswered => "unanswered",
            Class::Fan => "fan",
            Class::Loud => "loud",
            Class::Quiet => "quiet",
            Class::New => "new",
            Class::Other => "other",
        }
    }

    /// The class of this name (as `--class` and the config write it).
    pub fn parse(name: &str) -> Option<Class> {
        Class::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(name.trim()))
    }
}

/// The class of someone, and why in words.
///
/// What people did comes first (inner, unanswered, fan), then what the
/// follow says (new), then what they post (quiet, silent, loud): a
/// follower who never posts is quiet, not silent, since silence is only
/// telling from someone who talks to others.
pub fn classify(facts: &Facts, limits: &Thresholds, now: DateTime<Utc>) -> (Class, String) {
    let inbound = facts.inbound.total();
    let outbound = facts.outbound.total();
    let following = facts.follows_me_since.map(|since| now - since);
    let silent_for = facts.last_post.map(|at| now - at);
    let since = |at: DateTime<Utc>| {
        if facts.since_known {
            format!("follows you since {}", at.format("%-d %B %Y"))
        } else {
            format!("follows you since {} or before", at.format("%-d %B %Y"))
        }
    };
    let theirs = || format!("{} of your {} posts", facts.inbound.words(), facts.my_posts);
    let volume = || match facts.posts_per_day {
        n if n >= 1.0 => format!("posts {n:.0} a day"),
        n if n > 0.0 => format!("posts {:.0} a week", (n * 7.0).max(1.0)),
        _ => "no posts of theirs seen lately".to_string(),
    };
    let stopped = || {
        facts
            .stopped_following
            .map(|at| format!("; stopped following you on {}", at.format("%-d %B %Y")))
            .unwrap_or_default()
    };
    let mutual = facts.i_follow && facts.follows_me_since.is_some();
    if mutual && inbound > 0 && outbound > 0 {
        return (
            Class::Inner,
            format!(
                "you follow each other; they: {}; you: {}",
                facts.inbound.words(),
                facts.outbound.words()
            ),
        );
    }
    if outbound >= limits.unanswered_after && inbound == 0 {
        let follow = if facts.follows_me_since.is_some() {
            "follows you"
        } else {
            "does not follow you"
        };
        return (
            Class::Unanswered,
            format!(
                "you: {}; they: none back; {follow}{}",
                facts.outbound.words(),
                stopped()
            ),
        );
    }
    if inbound > 0 && !facts.i_follow {
        return (Class::Fan, format!("{}; you do not follow them", theirs()));
    }
    if let (Some(at), Some(for_)) = (facts.follows_me_since, following)
        && facts.since_known
        && for_ <= limits.new_within
    {
        return (Class::New, format!("{}; {}", since(at), volume()));
    }
    // Quiet: their last post is old, or none is known and nothing says
    // they post (a Bluesky profile has counts, not a last post's time).
    let quiet = match silent_for {
        Some(for_) => for_ >= limits.quiet_after,
        None => facts.posts_per_day <= 0.0,
    };
    if quiet {
        let last = match facts.last_post {
            Some(at) => format!("last posted {}", at.format("%-d %B %Y")),
            None => "no post of theirs seen".to_string(),
        };
        return (Class::Quiet, last + &stopped());
    }
    if let (Some(at), Some(for_)) = (facts.follows_me_since, following)
        && (for_ >= limits.silent_after || !facts.since_known)
        && inbound == 0
    {
        return (
            Class::Silent,
            format!("{}; {}; {} to others", since(at), theirs(), volume()),
        );
    }
    if facts.posts_per_day >= limits.loud_per_day && outbound == 0 {
        return (
            Class::Loud,
            format!("{} in your timeline; you: none", volume()),
        );
    }
    (
        Class::Other,
        format!(
            "they: {}; you: {}{}",
            facts.inbound.words(),
            facts.outbound.words(),
            stopped()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 2, 12, 0, 0).unwrap()
    }

    fn days_ago(n: i64) -> Option<DateTime<Utc>> {
        Some(now() - TimeDelta::days(n))
    }

    fn tally(pairs: &[(Engaged, u32)]) -> Tally {
        let mut t = Tally::default();
        for (k, n) in pairs {
            t.add(*k, *n);
        }
        t
    }

    fn class(facts: &Facts) -> (Class, String) {
        classify(facts, &Thresholds::default(), now())
    }

    #[test]
    fn the_four_of_the_essay_each_get_their_class_and_reason() {
        let bob = Facts {
            follows_me_since: days_ago(200),
            since_known: true,
            i_follow: true,
            inbound: tally(&[(Engaged::Reply, 2), (Engaged::Favourite, 3)]),
            outbound: tally(&[(Engaged::Reply, 1), (Engaged::Favourite, 4)]),
            last_post: days_ago(1),
            posts_per_day: 2.0,
            my_posts: 40,
            ..Facts::default()
        };
        assert_eq!(class(&bob).0, Class::Inner);
        let carol = Facts {
            follows_me_since: Some(Utc.with_ymd_and_hms(2026, 3, 14, 9, 0, 0).unwrap()),
            since_known: true,
            last_post: days_ago(0),
            posts_per_day: 14.0,
            my_posts: 212,
            ..Facts::default()
        };
        assert_eq!(
            class(&carol),
            (
                Class::Silent,
                "follows you since 14 March 2026; 0 replies, 0 favourites, 0 boosts of your \
                 212 posts; posts 14 a day to others"
                    .to_string()
            )
        );
        let dan = Facts {
            i_follow: true,
            outbound: tally(&[(Engaged::Reply, 3), (Engaged::Favourite, 2)]),
            last_post: days_ago(2),
            posts_per_day: 0.5,
            ..Facts::default()
        };
        let (c, why) = class(&dan);
        assert_eq!(c, Class::Unanswered);
        assert_eq!(
            why,
            "you: 3 replies, 2 favourites, 0 boosts; they: none back; does not follow you"
        );
        let erin = Facts {
            inbound: tally(&[(Engaged::Favourite, 6)]),
            last_post: days_ago(3),
            my_posts: 30,
            ..Facts::default()
        };
        assert_eq!(class(&erin).0, Class::Fan);
    }

    #[test]
    fn thresholds_draw_the_lines() {
        let mut limits = Thresholds::default();
        let follower = Facts {
            follows_me_since: days_ago(10),
            since_known: true,
            last_post: days_ago(1),
            ..Facts::default()
        };
        // Ten days is not yet silent (14), no longer new (7).
        assert_eq!(classify(&follower, &limits, now()).0, Class::Other);
        limits.silent_after = TimeDelta::days(7);
        assert_eq!(classify(&follower, &limits, now()).0, Class::Silent);
        let recent = Facts {
            follows_me_since: days_ago(2),
            ..follower.clone()
        };
        assert_eq!(classify(&recent, &limits, now()).0, Class::New);
        // Quiet: no post for 30 days, whatever the follow says.
        let gone = Facts {
            last_post: days_ago(45),
            ..follower.clone()
        };
        let (c, why) = classify(&gone, &limits, now());
        assert_eq!(
            (c, why.as_str()),
            (Class::Quiet, "last posted 18 October 2026")
        );
        // Two unanswered engagements are not yet three.
        let two = Facts {
            i_follow: true,
            outbound: tally(&[(Engaged::Reply, 2)]),
            last_post: days_ago(1),
            ..Facts::default()
        };
        assert_eq!(classify(&two, &limits, now()).0, Class::Other);
        limits.unanswered_after = 2;
        assert_eq!(classify(&two, &limits, now()).0, Class::Unanswered);
        let loud = Facts {
            i_follow: true,
            last_post: days_ago(0),
            posts_per_day: 25.0,
            ..Facts::default()
        };
        assert_eq!(classify(&loud, &limits, now()).0, Class::Loud);
    }

    #[test]
    fn what_people_did_comes_before_what_they_post() {
        // A fan who never posts is a fan, not quiet.
        let erin = Facts {
            inbound: tally(&[(Engaged::Favourite, 2)]),
            ..Facts::default()
        };
        assert_eq!(class(&erin).0, Class::Fan);
        // Found following at the first scan: since when is not known, so
        // never new, and silent whatever `silent_after` says.
        let found = Facts {
            follows_me_since: days_ago(1),
            since_known: false,
            last_post: days_ago(0),
            posts_per_day: 3.0,
            my_posts: 9,
            ..Facts::default()
        };
        let (c, why) = class(&found);
        assert_eq!(c, Class::Silent);
        assert_eq!(
            why,
            "follows you since 1 December 2026 or before; 0 replies, 0 favourites, 0 boosts of \
             your 9 posts; posts 3 a day to others"
        );
        // A follower who left is said to have.
        let left = Facts {
            stopped_following: days_ago(3),
            i_follow: true,
            last_post: days_ago(1),
            ..Facts::default()
        };
        assert_eq!(
            class(&left).1,
            "they: 0 replies, 0 favourites, 0 boosts; you: 0 replies, 0 favourites, 0 boosts; \
             stopped following you on 29 November 2026"
        );
    }

    #[test]
    fn class_names_read_back() {
        for class in Class::ALL {
            assert_eq!(Class::parse(class.name()), Some(class));
        }
        assert_eq!(Class::parse(" Silent "), Some(Class::Silent));
        assert_eq!(Class::parse("stranger"), None);
        assert_eq!(
            tally(&[(Engaged::Quote, 1)]).words(),
            "0 replies, 0 favourites, 0 boosts, 1 quote"
        );
    }
}
