//! The router: one post in, one [`Verdict`] out (README, "Column keys" and
//! "Mute and amplify, in this order").

use super::compile::{Column, Roles, Rules};
use super::keywords::{Hits, fold, fold_into, lowercase_into, needs_folding};
use crate::model::Post;
use chrono::{DateTime, Utc};
use std::borrow::Cow;

/// Whose account a rule matched: the author, or one of the accounts that
/// boosted the post (by its place in [`Post::boosters`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Author,
    Booster(usize),
}

/// Why a post is muted. Serialized by `circles route` as its lowercase name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MuteReason {
    Account,
    Boost,
    Keyword,
}

impl MuteReason {
    pub fn as_str(self) -> &'static str {
        match self {
            MuteReason::Account => "account",
            MuteReason::Boost => "boost",
            MuteReason::Keyword => "keyword",
        }
    }
}

/// The include rule that took a post into a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Because {
    Account(Who),
    /// A keyword pattern id (see [`Rules::keyword`]).
    Keyword(usize),
    /// A regex pattern id (see [`Rules::regex`]).
    Regex(usize),
    /// An index into the post's [`Post::routing_hashtags`]: its own, then
    /// the quoted post's.
    Hashtag(usize),
    MentionsMe,
    Source,
    /// Its `notifications` takes the post's kind of notification.
    Notification,
    /// The column has no include rule.
    Everything,
}

/// The narrowing rule that kept a post out of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Narrowing {
    ExcludeKeyword(usize),
    Boost,
    Reply,
    Language,
    MediaOnly,
    /// A favourite, boost, follow, follow request or poll: only a column
    /// whose `notifications` takes its kind shows it, or one whose `sources`
    /// names its source (and has no `notifications`).
    NotAPost,
}

/// One rule that fired for a post, in evaluation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fired {
    MutedAccount(Who),
    MutedUntil(Who, DateTime<Utc>),
    MutedBoost,
    Amplified(Who),
    MutedKeyword(usize),
    MutedRegex(usize),
    Took {
        column: u16,
        because: Because,
    },
    Excluded {
        column: u16,
        by: Narrowing,
    },
    /// Traced routing only: no include rule of the column matched.
    Missed {
        column: u16,
    },
    /// Traced routing only: a `rest` column passed over because another
    /// column took the post.
    RestSkipped {
        column: u16,
    },
}

/// Where a post goes and why.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Verdict {
    /// Columns the post appears in, in config order. Empty when muted.
    pub columns: Vec<u16>,
    pub muted: Option<MuteReason>,
    /// For a muted post, the columns it would be in: where it shows when
    /// muted posts are revealed.
    pub hidden_in: Vec<u16>,
    pub amplified: bool,
    /// The rules that fired. [`route`] records the first include rule per
    /// column; [`route_traced`] records every rule it looked at.
    pub fired: Vec<Fired>,
}

/// Routes a post (the fast path).
pub fn route(rules: &Rules, post: &Post) -> Verdict {
    route_once(rules, post, false)
}

/// Routes a post recording every rule considered, for `explain`.
pub fn route_traced(rules: &Rules, post: &Post) -> Verdict {
    route_once(rules, post, true)
}

fn route_once(rules: &Rules, post: &Post, traced: bool) -> Verdict {
    let mut verdict = Verdict::default();
    route_with(rules, post, traced, &mut verdict, &mut Buffers::default());
    verdict
}

/// Routes posts one after another, as [`route`] does, into one verdict and
/// with the same working buffers each time, so a stream of posts (`circles
/// route`) costs no allocation per post once they are big enough.
#[derive(Debug, Default)]
pub struct Router {
    verdict: Verdict,
    buffers: Buffers,
}

impl Router {
    /// The verdict for `post`, valid until the next call.
    pub fn route(&mut self, rules: &Rules, post: &Post) -> &Verdict {
        route_with(rules, post, false, &mut self.verdict, &mut self.buffers);
        &self.verdict
    }
}

/// Working text for routing one post.
#[derive(Debug, Default)]
struct Buffers {
    /// The text rules read, when it is more than the post's text.
    text: String,
    /// That text case-folded, when folding changes it.
    folded: String,
    /// The post's hashtags case-folded: the first as many as it has (the
    /// rest are buffers kept from earlier posts).
    tags: Vec<String>,
}

/// The text keyword and regex rules read: content warning, text and media
/// descriptions, one per line, then the same of the quoted post when
/// `quoted`, and of a notice's subject (put together in `buffer` when
/// there is more than the text).
pub(super) fn match_text<'a>(post: &'a Post, quoted: bool, buffer: &'a mut String) -> &'a str {
    let quote = post.quoted().filter(|_| quoted);
    // A notice's own post has no text: rules read the post it is about.
    let subject = post.notice.as_deref().and_then(|n| n.subject.as_deref());
    let alts = post.media.iter().filter_map(|m| m.alt.as_deref());
    if post.content_warning.is_none()
        && alts.clone().next().is_none()
        && quote.is_none()
        && subject.is_none()
    {
        return &post.text;
    }
    buffer.clear();
    for post in std::iter::once(post).chain(quote).chain(subject) {
        if !buffer.is_empty() {
            buffer.push('\n');
        }
        if let Some(cw) = &post.content_warning {
            buffer.push_str(cw);
            buffer.push('\n');
        }
        buffer.push_str(&post.text);
        for alt in post.media.iter().filter_map(|m| m.alt.as_deref()) {
            buffer.push('\n');
            buffer.push_str(alt);
        }
    }
    buffer
}

/// What the config says about an account, merged over its keys (handle and
/// DID both count).
fn lookup<'r>(rules: &'r Rules, account: &crate::model::Account) -> [Option<&'r Roles>; 2] {
    [
        rules.accounts.get(&account.key),
        account.did.as_deref().and_then(|d| rules.accounts.get(d)),
    ]
}

/// An account of the post (its author or a booster) and what the config
/// says about it.
type Person<'r> = (Who, [Option<&'r Roles>; 2]);

/// What is computed once per post and read by every column.
struct Matches<'p> {
    keywords: Hits,
    regex: Option<regex::SetMatches>,
    /// The post's hashtags, case-folded.
    tags: &'p [String],
    /// The post's language, lowercase.
    language: Option<Cow<'p, str>>,
}

impl Matches<'_> {
    fn regex(&self, id: usize) -> bool {
        self.regex.as_ref().is_some_and(|set| set.matched(id))
    }
}

/// Routes `post` into `verdict`, whose lists are cleared and refilled.
fn route_with(
    rules: &Rules,
    post: &Post,
    traced: bool,
    verdict: &mut Verdict,
    buffers: &mut Buffers,
) {
    // Taken apart and put back together at the end, keeping the lists'
    // buffers.
    let mut taken = std::mem::take(&mut verdict.columns);
    let mut spare = std::mem::take(&mut verdict.hidden_in);
    taken.clear();
    spare.clear();
    verdict.fired.clear();
    verdict.muted = None;
    verdict.amplified = false;
    let author = lookup(rules, &post.author);
    let booster = post
        .boosted_by
        .as_ref()
        .map(|b| lookup(rules, b))
        .unwrap_or([None, None]);
    let first = usize::from(post.boosted_by.is_some());
    let people = [(Who::Author, author), (Who::Booster(0), booster)];
    // The other accounts that boosted it (a card of merged boosts); most
    // posts have none, and an empty list costs no allocation.
    let more: Vec<Person<'_>> = post
        .also_boosted_by
        .iter()
        .enumerate()
        .map(|(i, b)| (Who::Booster(first + i), lookup(rules, b)))
        .collect();
    let boosters = || people[1..1 + first].iter().chain(more.iter());
    let any = |roles: &[Option<&Roles>; 2], test: &dyn Fn(&Roles) -> bool| {
        roles.iter().flatten().any(|r| test(r))
    };
    let muted_until = |roles: &[Option<&Roles>; 2]| {
        roles
            .iter()
            .flatten()
            .filter_map(|r| r.muted_until)
            .filter(|t| *t > rules.now)
            .max()
    };
    let account_muted =
        |roles: &[Option<&Roles>; 2]| any(roles, &|r| r.muted) || muted_until(roles).is_some();

    // Mute precedence (a)–(d). A boost is hidden by its boosters' mutes
    // only when every account that boosted it is muted: one unmuted booster
    // is enough to show it. (A post seen as its author's own has no boost
    // to hide.)
    'mute: {
        if any(&author, &|r| r.muted) {
            verdict.muted = Some(MuteReason::Account);
            verdict.fired.push(Fired::MutedAccount(Who::Author));
            break 'mute;
        }
        if let Some(until) = muted_until(&author) {
            verdict.muted = Some(MuteReason::Account);
            verdict.fired.push(Fired::MutedUntil(Who::Author, until));
            break 'mute;
        }
        let boost = post.is_boost();
        if boost && boosters().all(|(_, roles)| account_muted(roles)) {
            let (who, roles) = boosters().next().expect("a boost has a booster");
            verdict.muted = Some(MuteReason::Account);
            verdict.fired.push(match muted_until(roles) {
                Some(until) if !any(roles, &|r| r.muted) => Fired::MutedUntil(*who, until),
                _ => Fired::MutedAccount(*who),
            });
            break 'mute;
        }
        if boost
            && boosters().all(|(_, roles)| account_muted(roles) || any(roles, &|r| r.boosts_muted))
        {
            verdict.muted = Some(MuteReason::Boost);
            verdict.fired.push(Fired::MutedBoost);
            break 'mute;
        }
        let everyone = || std::iter::once(&people[0]).chain(boosters());
        if let Some((who, _)) = everyone().find(|(_, roles)| any(roles, &|r| r.amplified)) {
            verdict.amplified = true;
            verdict.fired.push(Fired::Amplified(*who));
            break 'mute;
        }
    }

    let needs_text = !rules.keywords.is_empty() || !rules.regex_sources.is_empty();
    let text = needs_text.then(|| match_text(post, true, &mut buffers.text));
    let folded = text.map(|t| fold_into(t, &mut buffers.folded));
    let look = folded.map(|f| rules.prefilter.look(f));
    let matches = Matches {
        keywords: match (&folded, look) {
            (Some(folded), Some(look)) if look.keywords => rules.keywords.find_folded(folded),
            _ => Hits::default(),
        },
        regex: match (&text, look) {
            // Most posts match no regex: `is_match` stops early and uses the
            // set's prefilter, where `matches` must scan the whole text.
            (Some(t), Some(look))
                if look.regexes && !rules.regex_sources.is_empty() && rules.regexes.is_match(t) =>
            {
                Some(rules.regexes.matches(t))
            }
            _ => None,
        },
        tags: if rules.hashtags.is_empty() {
            &[]
        } else {
            let tags = &mut buffers.tags;
            let mut count = 0;
            for (i, tag) in post.routing_hashtags().enumerate() {
                count = i + 1;
                if i == tags.len() {
                    tags.push(String::new());
                }
                if needs_folding(tag) {
                    lowercase_into(tag, &mut tags[i]);
                } else {
                    tags[i].clear();
                    tags[i].push_str(tag);
                }
            }
            &tags[..count]
        },
        language: post.language.as_deref().map(fold),
    };

    if verdict.muted.is_none() && !verdict.amplified {
        if let Some(&id) = rules
            .mute_keywords
            .iter()
            .find(|&&id| matches.keywords.contains(id))
        {
            verdict.muted = Some(MuteReason::Keyword);
            verdict.fired.push(Fired::MutedKeyword(id));
        } else if let Some(&id) = rules.mute_regex.iter().find(|&&id| matches.regex(id)) {
            verdict.muted = Some(MuteReason::Keyword);
            verdict.fired.push(Fired::MutedRegex(id));
        }
    }

    // Columns: ordinary ones first, then `rest` ones if none took the post.
    for rest_pass in [false, true] {
        // Rest columns take what no ordinary column took; several rest
        // columns may each take it (their own rules still apply).
        let taken_by_ordinary = !taken.is_empty();
        for (index, column) in rules.columns.iter().enumerate() {
            if column.rest != rest_pass {
                continue;
            }
            let index = index as u16;
            if rest_pass && taken_by_ordinary {
                if traced {
                    verdict.fired.push(Fired::RestSkipped { column: index });
                }
                continue;
            }
            if column_takes(
                rules,
                column,
                index,
                post,
                (&people[..1 + first], &more),
                &matches,
                traced,
                &mut verdict.fired,
            ) {
                taken.push(index);
            }
        }
    }
    // Rest columns may sit anywhere in the config: report config order.
    taken.sort_unstable();
    if verdict.muted.is_some() {
        verdict.hidden_in = taken;
        verdict.columns = spare;
    } else {
        verdict.columns = taken;
        verdict.hidden_in = spare;
    }
}

#[allow(clippy::too_many_arguments)]
fn column_takes(
    rules: &Rules,
    column: &Column,
    index: u16,
    post: &Post,
    (people, more): (&[Person<'_>], &[Person<'_>]),
    matches: &Matches,
    traced: bool,
    fired: &mut Vec<Fired>,
) -> bool {
    let include = &column.include;
    let notice = post.notice_kind();
    let takes_notice = notice.is_some_and(|kind| include.notifications.contains(&kind));
    // A column that names the notice's source in `sources` takes every kind
    // it brings, unless its own `notifications` says which.
    if post.is_pure_notice()
        && !takes_notice
        && (include.notifications_said || !include.sources.contains(&post.source))
    {
        if traced {
            fired.push(Fired::Excluded {
                column: index,
                by: Narrowing::NotAPost,
            });
        }
        return false;
    }
    let mut taker = Taker {
        traced,
        took: false,
        index,
        fired,
    };

    if !include.any {
        taker.take(Because::Everything);
    }
    for (who, roles) in people.iter().chain(more) {
        if taker.wants() && roles.iter().flatten().any(|r| r.columns.contains(&index)) {
            taker.take(Because::Account(*who));
        }
    }
    for &id in &include.keywords {
        if taker.wants() && matches.keywords.contains(id) {
            taker.take(Because::Keyword(id));
        }
    }
    for &id in &include.regex {
        if taker.wants() && matches.regex(id) {
            taker.take(Because::Regex(id));
        }
    }
    for (i, tag) in matches.tags.iter().enumerate() {
        if taker.wants()
            && rules
                .hashtags
                .get(tag.as_str())
                .is_some_and(|cols| cols.contains(&index))
        {
            taker.take(Because::Hashtag(i));
        }
    }
    if taker.wants() && include.mentions_me && mentions_me(rules, post) {
        taker.take(Because::MentionsMe);
    }
    if taker.wants() && include.sources.contains(&post.source) {
        taker.take(Because::Source);
    }
    if taker.wants() && takes_notice {
        taker.take(Because::Notification);
    }
    let fired = taker.fired;
    if !taker.took {
        if traced {
            fired.push(Fired::Missed { column: index });
        }
        return false;
    }

    let narrow = &column.narrow;
    let excluded = if let Some(&id) = narrow
        .exclude_keywords
        .iter()
        .find(|&&id| matches.keywords.contains(id))
    {
        Some(Narrowing::ExcludeKeyword(id))
    } else if !narrow.boosts && post.is_boost() {
        Some(Narrowing::Boost)
    } else if !narrow.replies && post.is_reply() {
        Some(Narrowing::Reply)
    } else if !narrow.languages.is_empty()
        && !language_allowed(&narrow.languages, matches.language.as_deref())
    {
        Some(Narrowing::Language)
    } else if narrow.media_only && post.media.is_empty() {
        Some(Narrowing::MediaOnly)
    } else {
        None
    };
    match excluded {
        Some(by) => {
            fired.push(Fired::Excluded { column: index, by });
            false
        }
        None => true,
    }
}

/// Records include rules that match: all of them when tracing, else only
/// the first (and then stops asking).
struct Taker<'f> {
    traced: bool,
    took: bool,
    index: u16,
    fired: &'f mut Vec<Fired>,
}

impl Taker<'_> {
    fn wants(&self) -> bool {
        self.traced || !self.took
    }

    fn take(&mut self, because: Because) {
        self.fired.push(Fired::Took {
            column: self.index,
            because,
        });
        self.took = true;
    }
}

fn mentions_me(rules: &Rules, post: &Post) -> bool {
    if rules.me.is_empty() {
        return false;
    }
    let is_me = |key: &str| rules.me.contains(key);
    // A reply to me counts even without a mention (Bluesky replies often
    // have none), unless I wrote it: my own threads are not mentions.
    post.mentions.iter().flat_map(|m| m.keys()).any(is_me)
        || (post
            .reply_to
            .as_ref()
            .and_then(|r| r.to.as_ref())
            .is_some_and(|to| to.keys().any(is_me))
            && !post.author.keys().any(is_me))
}

/// A post in `pt-BR` passes a `pt` column; a post with no language passes,
/// since nothing says it is in another one.
fn language_allowed(allowed: &[String], language: Option<&str>) -> bool {
    let Some(language) = language else {
        return true;
    };
    let primary = language.split('-').next().unwrap_or("");
    allowed.iter().any(|a| a == language || a == primary)
}
