//! What the people ledger records (ARCHITECTURE.md, "People"): who did
//! what to whom and when ([`Interaction`]), what is known of an account
//! ([`Known`]), and who follows whom ([`Relation`]). Plain data, made from
//! posts and notifications here so every network's scan reads them one way.

use super::{NoticeKind, Post};
use chrono::{DateTime, Utc};

/// One kind of engagement, either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Engaged {
    Reply,
    Mention,
    Favourite,
    Boost,
    Quote,
}

impl Engaged {
    pub const ALL: [Engaged; 5] = [
        Engaged::Reply,
        Engaged::Mention,
        Engaged::Favourite,
        Engaged::Boost,
        Engaged::Quote,
    ];

    /// The word in JSON, in the ledger and in the reasons (singular).
    pub fn name(self) -> &'static str {
        match self {
            Engaged::Reply => "reply",
            Engaged::Mention => "mention",
            Engaged::Favourite => "favourite",
            Engaged::Boost => "boost",
            Engaged::Quote => "quote",
        }
    }

    pub fn parse(name: &str) -> Option<Engaged> {
        Engaged::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The engagement a notification is, if it is one (a follow or a poll
    /// is not).
    pub fn of_notice(kind: NoticeKind) -> Option<Engaged> {
        Some(match kind {
            NoticeKind::Mention => Engaged::Mention,
            NoticeKind::Reply => Engaged::Reply,
            NoticeKind::Quote => Engaged::Quote,
            NoticeKind::Favourite => Engaged::Favourite,
            NoticeKind::Reblog => Engaged::Boost,
            _ => return None,
        })
    }
}

/// Which way an interaction went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// They did it to the reader.
    In,
    /// The reader did it to them.
    Out,
}

impl Direction {
    pub fn name(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }
}

/// One interaction the ledger keeps. `key` names the act itself (the
/// same favourite seen in a notification and in `favourited_by` has one
/// key), so a second sight of it is not a second interaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interaction {
    pub key: String,
    /// The other person's routing key (`bob@host`, `bob.bsky.social`).
    pub who: String,
    pub direction: Direction,
    pub kind: Engaged,
    pub at: DateTime<Utc>,
}

impl Interaction {
    fn new(who: &str, direction: Direction, kind: Engaged, act: &str, at: DateTime<Utc>) -> Self {
        Interaction {
            key: format!("{}:{}:{act}", direction.name(), kind.name()),
            who: who.to_string(),
            direction,
            kind,
            at,
        }
    }

    /// `who` favourited or boosted the reader's post `post_id` (from the
    /// server's list of who did).
    pub fn on_my_post(who: &str, kind: Engaged, post_id: &str, at: DateTime<Utc>) -> Self {
        Interaction::new(who, Direction::In, kind, &format!("{post_id}:{who}"), at)
    }

    /// What a notification says someone did to the reader: a reply,
    /// mention or quote (keyed by their post), a favourite or boost (keyed
    /// by the reader's post and who). None for a follow, a poll, an edit.
    pub fn of_notification(post: &Post) -> Option<Interaction> {
        let notice = post.notice.as_deref()?;
        let kind = Engaged::of_notice(notice.kind)?;
        let at = notice.at.unwrap_or(post.created_at);
        Some(match kind {
            Engaged::Favourite | Engaged::Boost => {
                let subject = notice.subject.as_deref()?;
                Interaction::on_my_post(&post.author.key, kind, &subject.id, at)
            }
            _ => Interaction::new(&post.author.key, Direction::In, kind, &post.id, at),
        })
    }

    /// What one of the reader's own posts did to others: a boost of
    /// someone's post, a reply to someone, the others it mentions, a
    /// quote. `me` is the reader's routing key (answering oneself counts
    /// for nobody).
    pub fn of_my_post(post: &Post, me: &str) -> Vec<Interaction> {
        let mut out = Vec::new();
        let at = post.created_at;
        if let Some(booster) = &post.boosted_by {
            if booster.key == me && post.author.key != me {
                out.push(Interaction::new(
                    &post.author.key,
                    Direction::Out,
                    Engaged::Boost,
                    &post.id,
                    at,
                ));
            }
            return out;
        }
        if post.author.key != me {
            return out;
        }
        let replied = post
            .reply_to
            .as_ref()
            .and_then(|r| r.to.as_ref())
            .map(|to| to.key.as_str())
            .filter(|key| !key.is_empty() && *key != me);
        if let Some(to) = replied {
            out.push(Interaction::new(
                to,
                Direction::Out,
                Engaged::Reply,
                &format!("{}:{to}", post.id),
                at,
            ));
        }
        for mention in &post.mentions {
            let key = mention.key.as_str();
            if key.is_empty() || key == me || Some(key) == replied {
                continue;
            }
            out.push(Interaction::new(
                key,
                Direction::Out,
                Engaged::Mention,
                &format!("{}:{key}", post.id),
                at,
            ));
        }
        if let Some(quoted) = post.quoted().filter(|q| q.author.key != me) {
            out.push(Interaction::new(
                &quoted.author.key,
                Direction::Out,
                Engaged::Quote,
                &post.id,
                at,
            ));
        }
        out
    }

    /// The reader favourited `post` (from their list of favourites, which
    /// does not say when: the post's own time stands in).
    pub fn my_favourite(post: &Post, me: &str) -> Option<Interaction> {
        (post.author.key != me)
            .then(|| Interaction::mine(post, Engaged::Favourite, post.created_at))
    }

    /// The reader favourited or boosted `post` at `at` (from the keyboard):
    /// the same act as the scan finds later.
    pub fn mine(post: &Post, kind: Engaged, at: DateTime<Utc>) -> Interaction {
        Interaction::new(&post.author.key, Direction::Out, kind, &post.id, at)
    }
}

/// What is known of an account: its handle and name, and how much it
/// posts by its own counts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Known {
    /// Routing key (`bob@host`).
    pub key: String,
    /// Display handle (`@bob@host`).
    pub handle: String,
    pub name: String,
    /// Its post count, as its server says.
    pub posts: Option<u64>,
    /// When it last posted, as its server says.
    pub last_post: Option<DateTime<Utc>>,
    /// When the account was made.
    pub created: Option<DateTime<Utc>>,
    /// What its profile (bio, fields) points at, for suggesting that two
    /// accounts are one person: `handle:alice.bsky.social`,
    /// `url:alice.dev/about` (see [`profile_links`]).
    pub links: Vec<String>,
}

/// What a profile points at, from its text and its links: the handles it
/// names (`handle:alice.bsky.social`, `handle:alice@hachyderm.io`, and the
/// one of a `bsky.app/profile/…` link) and its web links
/// (`url:alice.dev/about`, lower case, without `www.` or a trailing `/`).
/// At most 20.
pub fn profile_links(text: &str, urls: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |token: String| {
        if !out.contains(&token) && out.len() < 20 {
            out.push(token);
        }
    };
    let found: Vec<String> = urls
        .iter()
        .cloned()
        .chain(
            text.split_whitespace()
                .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
                .map(str::to_string),
        )
        .collect();
    for link in &found {
        let Ok(url) = url::Url::parse(link.trim_end_matches(['.', ',', ')'])) else {
            continue;
        };
        let Some(host) = url.host_str() else {
            continue;
        };
        let host = host.trim_start_matches("www.").to_lowercase();
        let path = url.path().trim_end_matches('/').to_lowercase();
        if host == "bsky.app"
            && let Some(handle) = path.strip_prefix("/profile/")
            && !handle.is_empty()
            && !handle.contains('/')
        {
            add(format!("handle:{handle}"));
        }
        add(format!("url:{host}{path}"));
    }
    for word in text.split_whitespace() {
        if word.contains("://") {
            continue;
        }
        let word = word
            .trim_matches(|c: char| !c.is_alphanumeric() && c != '@' && c != '.' && c != '-')
            .trim_end_matches('.')
            .to_lowercase();
        let bare = word.strip_prefix('@').unwrap_or(&word);
        let looks_like_domain = |d: &str| {
            d.contains('.')
                && d.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
                && d.rsplit('.').next().is_some_and(|tld| {
                    tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())
                })
        };
        match bare.split_once('@') {
            Some((user, host)) if !user.is_empty() && looks_like_domain(host) => {
                add(format!("handle:{user}@{host}"));
            }
            None if word.starts_with('@') && looks_like_domain(bare) => {
                add(format!("handle:{bare}"));
            }
            None if bare.ends_with(".bsky.social") && looks_like_domain(bare) => {
                add(format!("handle:{bare}"));
            }
            _ => {}
        }
    }
    out
}

/// Which way a follow goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relation {
    /// They follow the reader.
    FollowsMe,
    /// The reader follows them.
    IFollow,
}

impl Relation {
    pub fn name(self) -> &'static str {
        match self {
            Relation::FollowsMe => "followers",
            Relation::IFollow => "following",
        }
    }
}

/// How long apart two accounts of one person may post the same text for
/// it to be one cross-post.
pub const CROSS_POST_WITHIN: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

/// A post's text as two networks' copies of one cross-post share it:
/// lower case, letters and digits, links left out (a bridge adds its own,
/// shortens them or counts them differently), at most 200 characters.
/// None for a text too short to tell.
pub fn cross_post_text(text: &str) -> Option<String> {
    let mut out = String::new();
    for word in text.split_whitespace().filter(|w| !w.contains("://")) {
        let word: String = word
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word);
        if out.chars().count() >= 200 {
            break;
        }
    }
    let out: String = out.chars().take(200).collect();
    (out.chars().count() >= 12).then_some(out)
}

/// What a people scan says to the app while it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanNews {
    /// Where it is: `following 1,200/3,000 · waiting 41 s for the rate limit`.
    Progress(String),
    /// It ended; what it did, in words.
    Done(String),
    /// It stopped; why, in words (what it found is kept).
    Failed(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Account, Mention, Network, ReplyTo};
    use chrono::TimeZone;
    use std::sync::Arc;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap()
    }

    fn post(id: &str, author: &str) -> Post {
        Post::new(
            "m",
            id,
            Account::new(author, "", Network::Mastodon),
            at(),
            "text",
        )
    }

    #[test]
    fn a_favourite_is_one_act_whether_notified_or_listed() {
        let mine = post("7", "@alice@h");
        let noticed = Post::pure_notice(
            "m",
            (NoticeKind::Favourite, "n1".into()),
            Account::new("@bob@h", "Bob", Network::Mastodon),
            at(),
            Some(mine),
        );
        let from_notice = Interaction::of_notification(&noticed).unwrap();
        let listed = Interaction::on_my_post("bob@h", Engaged::Favourite, "7", at());
        assert_eq!(from_notice, listed);
        assert_eq!(from_notice.direction, Direction::In);
        assert_eq!(from_notice.who, "bob@h");
    }

    #[test]
    fn cross_posts_compare_by_their_words() {
        let a = cross_post_text("Shipped v2 of the parser! https://example.com/a #rust").unwrap();
        let b = cross_post_text("shipped v2 of the parser 🎉 https://bsky.link/x #Rust").unwrap();
        assert_eq!(a, b);
        assert_eq!(cross_post_text("ok!"), None);
    }

    #[test]
    fn a_profile_points_at_handles_and_links() {
        let got = profile_links(
            "Rust and tea. Also @Alice.bsky.social and @alice@hachyderm.io; blog: \
             https://www.alice.dev/about/ — not a handle: v1.2",
            &["https://bsky.app/profile/alice.dev".to_string()],
        );
        assert_eq!(
            got,
            [
                "handle:alice.dev",
                "url:bsky.app/profile/alice.dev",
                "url:alice.dev/about",
                "handle:alice.bsky.social",
                "handle:alice@hachyderm.io",
            ]
        );
    }

    #[test]
    fn my_posts_count_replies_mentions_and_boosts_once_each() {
        let mut reply = post("9", "@alice@h");
        reply.reply_to = Some(ReplyTo {
            id: "3".into(),
            to: Some(Mention::new("@dan@h", None)),
            root: None,
            text: None,
        });
        reply.mentions = vec![
            Mention::new("@dan@h", None),
            Mention::new("@erin@h", None),
            Mention::new("@alice@h", None),
        ];
        let got = Interaction::of_my_post(&reply, "alice@h");
        let kinds: Vec<_> = got.iter().map(|i| (i.who.as_str(), i.kind)).collect();
        assert_eq!(
            kinds,
            [("dan@h", Engaged::Reply), ("erin@h", Engaged::Mention)]
        );
        let mut boost = post("5", "@carol@h");
        boost.boosted_by = Some(Arc::new(Account::new("@alice@h", "", Network::Mastodon)));
        let got = Interaction::of_my_post(&boost, "alice@h");
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].who.as_str(), got[0].kind),
            ("carol@h", Engaged::Boost)
        );
        // Someone else's post, or a reply to oneself, is nothing of mine.
        assert!(Interaction::of_my_post(&post("6", "@bob@h"), "alice@h").is_empty());
    }
}
