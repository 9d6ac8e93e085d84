//! Rule statistics (README, "Rule statistics"): what each rule took or
//! muted — how many posts, today and this week, and its last hit — from
//! the verdicts of the posts routed, and which rules never fired.
//!
//! Pure: verdicts and posts in, counts out. May touch: `model`, `config`.

use super::{Because, Fired, Rules, Verdict, Who};
use crate::model::Post;
use chrono::{DateTime, Datelike, TimeDelta, Utc};
use std::collections::HashMap;

/// What a rule is, as the config writes it and the table shows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// An account of a column's `accounts` (its routing key).
    Account(String),
    Keyword(String),
    Regex(String),
    /// A hashtag, lower case, without `#`.
    Hashtag(String),
    MentionsMe,
    Sources,
    Notifications,
    /// A column with no include rule takes everything; a `rest` column
    /// what no other took.
    Everything,
    Rest,
    /// `[mute]`: an account (or a timed mute of one), boosts from an
    /// account, a keyword, a regex.
    MutedAccount(String),
    MutedBoosts,
    MutedKeyword(String),
    MutedRegex(String),
}

/// The key of the account `who` names in `post`: its author, or one of
/// its boosters.
fn who_key(post: &Post, who: Who) -> String {
    match who {
        Who::Author => post.author.key.clone(),
        Who::Booster(i) => post
            .boosters()
            .nth(i)
            .map(|b| b.key.clone())
            .unwrap_or_default(),
    }
}

/// The mute rule that `fired` is, if it is one (the account it names read
/// off `post`).
pub fn mute_rule(rules: &Rules, post: &Post, fired: &Fired) -> Option<Rule> {
    Some(match fired {
        Fired::MutedAccount(who) | Fired::MutedUntil(who, _) => {
            Rule::MutedAccount(who_key(post, *who))
        }
        Fired::MutedBoost => Rule::MutedBoosts,
        Fired::MutedKeyword(id) => Rule::MutedKeyword(rules.keyword(*id).to_string()),
        Fired::MutedRegex(id) => Rule::MutedRegex(rules.regex(*id).to_string()),
        _ => return None,
    })
}

impl Rule {
    /// The rule in words: `accounts @alice@hachyderm.io`, `keyword "NFT"`.
    pub fn words(&self) -> String {
        match self {
            Rule::Account(key) | Rule::MutedAccount(key) => format!("account {}", handle(key)),
            Rule::Keyword(k) | Rule::MutedKeyword(k) => format!("keyword \"{k}\""),
            Rule::Regex(r) | Rule::MutedRegex(r) => format!("regex '{r}'"),
            Rule::Hashtag(t) => format!("hashtag #{t}"),
            Rule::MentionsMe => "mentions_me".into(),
            Rule::Sources => "sources".into(),
            Rule::Notifications => "notifications".into(),
            Rule::Everything => "no include rule: everything".into(),
            Rule::Rest => "rest: what no other column took".into(),
            Rule::MutedBoosts => "boosts_from".into(),
        }
    }

    /// Its kind, for JSON: `account`, `keyword`, …
    pub fn kind(&self) -> &'static str {
        match self {
            Rule::Account(_) | Rule::MutedAccount(_) => "account",
            Rule::Keyword(_) | Rule::MutedKeyword(_) => "keyword",
            Rule::Regex(_) | Rule::MutedRegex(_) => "regex",
            Rule::Hashtag(_) => "hashtag",
            Rule::MentionsMe => "mentions_me",
            Rule::Sources => "sources",
            Rule::Notifications => "notifications",
            Rule::Everything => "everything",
            Rule::Rest => "rest",
            Rule::MutedBoosts => "boosts_from",
        }
    }
}

fn handle(key: &str) -> String {
    if key.starts_with("did:") || key.starts_with("feed:") {
        key.to_string()
    } else {
        format!("@{key}")
    }
}

/// How often a rule hit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleHits {
    pub posts: u64,
    pub today: u64,
    pub week: u64,
    pub last: Option<DateTime<Utc>>,
}

impl RuleHits {
    fn add(&mut self, at: DateTime<Utc>, today: DateTime<Utc>, week: DateTime<Utc>) {
        self.posts += 1;
        self.today += u64::from(at >= today);
        self.week += u64::from(at >= week);
        self.last = self.last.max(Some(at));
    }
}

/// Every rule with its hits: by column (the column's index), then the
/// mutes.
pub type Table = (Vec<(u16, Rule, RuleHits)>, Vec<(Rule, RuleHits)>);

/// The counts of a stream of routed posts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub posts: u64,
    pub muted: u64,
    /// Posts each column took.
    pub columns: Vec<u64>,
    /// Each column's rules that took posts: (column, rule) → hits.
    pub taken: HashMap<(u16, Rule), RuleHits>,
    /// Each mute rule's hits.
    pub muting: HashMap<Rule, RuleHits>,
    /// The start of today and of this week (Monday), local time, as UTC.
    today: DateTime<Utc>,
    week: DateTime<Utc>,
}

impl Stats {
    /// Empty counts for `rules`; "today" and "this week" are by `now` at
    /// `offset` from UTC.
    pub fn new(rules: &Rules, now: DateTime<Utc>, offset: chrono::FixedOffset) -> Stats {
        let local = now.with_timezone(&offset);
        let midnight = local
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(offset).single())
            .map_or(now, |t| t.with_timezone(&Utc));
        let week = midnight - TimeDelta::days(i64::from(local.weekday().num_days_from_monday()));
        Stats {
            columns: vec![0; rules.columns.len()],
            today: midnight,
            week,
            ..Stats::default()
        }
    }

    /// Counts one post and where it went.
    pub fn add(&mut self, rules: &Rules, post: &Post, verdict: &Verdict) {
        self.posts += 1;
        let at = post.created_at;
        let (today, week) = (self.today, self.week);
        if verdict.muted.is_some() {
            self.muted += 1;
        }
        for &column in &verdict.columns {
            if let Some(n) = self.columns.get_mut(usize::from(column)) {
                *n += 1;
            }
        }
        for fired in &verdict.fired {
            if let Some(rule) = mute_rule(rules, post, fired) {
                self.muting.entry(rule).or_default().add(at, today, week);
                continue;
            }
            // What would have taken a post kept out (muted, or narrowed
            // away by the column's exclude rules) took nothing.
            let Fired::Took { column, because } = fired else {
                continue;
            };
            if !verdict.columns.contains(column) {
                continue;
            }
            let rest = rules
                .columns
                .get(usize::from(*column))
                .is_some_and(|c| c.rest);
            let rule = match because {
                Because::Account(who) => Rule::Account(who_key(post, *who)),
                Because::Keyword(id) => Rule::Keyword(rules.keyword(*id).to_string()),
                Because::Regex(id) => Rule::Regex(rules.regex(*id).to_string()),
                Because::Hashtag(i) => Rule::Hashtag(
                    post.routing_hashtags()
                        .nth(*i)
                        .map(|t| t.to_lowercase())
                        .unwrap_or_default(),
                ),
                Because::MentionsMe => Rule::MentionsMe,
                Because::Source => Rule::Sources,
                Because::Notification => Rule::Notifications,
                Because::Everything if rest => Rule::Rest,
                Because::Everything => Rule::Everything,
            };
            self.taken
                .entry((*column, rule))
                .or_default()
                .add(at, today, week);
        }
    }

    /// Every rule the config has, by column (include rules) and then the
    /// mutes, with its hits (none for a rule that never fired), in the
    /// config's order.
    pub fn table(&self, rules: &Rules) -> Table {
        let mut columns: Vec<(u16, Rule, RuleHits)> = Vec::new();
        for (i, column) in rules.columns.iter().enumerate() {
            let index = i as u16;
            let mut listed: Vec<Rule> = Vec::new();
            let include = &column.include;
            let mut accounts: Vec<&String> = rules
                .accounts
                .iter()
                .filter(|(_, r)| r.columns.contains(&index))
                .map(|(k, _)| k)
                .collect();
            accounts.sort();
            listed.extend(accounts.into_iter().map(|k| Rule::Account(k.clone())));
            listed.extend(
                include
                    .keywords
                    .iter()
                    .map(|id| Rule::Keyword(rules.keyword(*id).to_string())),
            );
            listed.extend(
                include
                    .regex
                    .iter()
                    .map(|id| Rule::Regex(rules.regex(*id).to_string())),
            );
            let mut tags: Vec<&String> = rules
                .hashtags
                .iter()
                .filter(|(_, cols)| cols.contains(&index))
                .map(|(t, _)| t)
                .collect();
            tags.sort();
            listed.extend(tags.into_iter().map(|t| Rule::Hashtag(t.clone())));
            if include.mentions_me {
                listed.push(Rule::MentionsMe);
            }
            if !include.sources.is_empty() {
                listed.push(Rule::Sources);
            }
            if !include.notifications.is_empty() {
                listed.push(Rule::Notifications);
            }
            if column.rest {
                listed.push(Rule::Rest);
            } else if !include.any {
                listed.push(Rule::Everything);
            }
            // What fired but is not a listed rule (an account matched by
            // its DID, say) is shown too.
            for (c, rule) in self.taken.keys() {
                if *c == index && !listed.contains(rule) {
                    listed.push(rule.clone());
                }
            }
            for rule in listed {
                let hits = self
                    .taken
                    .get(&(index, rule.clone()))
                    .copied()
                    .unwrap_or_default();
                columns.push((index, rule, hits));
            }
        }
        let mut mutes: Vec<Rule> = Vec::new();
        let mut muted_accounts: Vec<&String> = rules
            .accounts
            .iter()
            .filter(|(_, r)| r.muted || r.muted_until.is_some())
            .map(|(k, _)| k)
            .collect();
        muted_accounts.sort();
        mutes.extend(
            muted_accounts
                .into_iter()
                .map(|k| Rule::MutedAccount(k.clone())),
        );
        if rules.accounts.values().any(|r| r.boosts_muted) {
            mutes.push(Rule::MutedBoosts);
        }
        mutes.extend(
            rules
                .mute_keywords
                .iter()
                .map(|id| Rule::MutedKeyword(rules.keyword(*id).to_string())),
        );
        mutes.extend(
            rules
                .mute_regex
                .iter()
                .map(|id| Rule::MutedRegex(rules.regex(*id).to_string())),
        );
        for rule in self.muting.keys() {
            if !mutes.contains(rule) {
                mutes.push(rule.clone());
            }
        }
        let muted = mutes
            .into_iter()
            .map(|rule| {
                let hits = self.muting.get(&rule).copied().unwrap_or_default();
                (rule, hits)
            })
            .collect();
        (columns, muted)
    }
}
