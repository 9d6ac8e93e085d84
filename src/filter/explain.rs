//! The rule trace behind a verdict, in words (`circles explain`, and `e` in
//! the TUI).

use super::compile::Rules;
use super::keywords::fold;
use super::route::{Because, Fired, Narrowing, Verdict, Who, match_text, route_traced};
use crate::model::Post;
use std::fmt::Write as _;

fn person(post: &Post, who: Who) -> &str {
    match who {
        Who::Booster(i) => post
            .boosters()
            .nth(i)
            .map_or(&post.author.handle, |b| &b.handle),
        Who::Author => &post.author.handle,
    }
}

fn role(who: Who) -> &'static str {
    match who {
        Who::Author => "author",
        Who::Booster(_) => "booster",
    }
}

/// Every booster's handle: `@a, @b`.
fn boosters(post: &Post) -> String {
    post.boosters()
        .map(|b| b.handle.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where a text rule matched: ` in the quoted post` when the post's own
/// text does not match it (so the quoted text did), else nothing.
struct Place<'p> {
    /// The post's own text and its case-folded form, when it quotes a post.
    own: Option<(String, String)>,
    post: &'p Post,
}

impl Place<'_> {
    fn new(post: &Post) -> Place<'_> {
        let own = post.quoted().map(|_| {
            let mut buffer = String::new();
            let text = match_text(post, false, &mut buffer).to_string();
            let folded = fold(&text).into_owned();
            (text, folded)
        });
        Place { own, post }
    }

    fn words(own_matches: bool) -> &'static str {
        if own_matches {
            ""
        } else {
            " in the quoted post"
        }
    }

    fn keyword(&self, rules: &Rules, id: usize) -> &'static str {
        self.own.as_ref().map_or("", |(_, folded)| {
            Self::words(rules.keywords.find_folded(folded).contains(id))
        })
    }

    fn regex(&self, rules: &Rules, id: usize) -> &'static str {
        self.own.as_ref().map_or("", |(text, _)| {
            Self::words(rules.regexes.matches(text).matched(id))
        })
    }

    fn hashtag(&self, i: usize) -> String {
        let tag = self
            .post
            .routing_hashtags()
            .nth(i)
            .map_or("", String::as_str);
        if i < self.post.hashtags.len() {
            format!("hashtag #{tag}")
        } else {
            format!("hashtag #{tag} of the quoted post")
        }
    }
}

/// The kind of notification a post came as: "favourite".
fn notice_name(post: &Post) -> &'static str {
    post.notice_kind().map_or("", |k| k.name())
}

/// Routes `post` with a full trace and describes it, one rule per line.
pub fn explain(rules: &Rules, post: &Post) -> (Verdict, String) {
    let verdict = route_traced(rules, post);
    let place = Place::new(post);
    let mut out = String::new();
    let _ = write!(out, "post {} by {}", post.id, post.author.handle);
    if post.boosters().next().is_some() {
        let _ = write!(out, " (boosted by {})", boosters(post));
    }
    let _ = write!(out, " from {}", post.source);
    if post.notice.is_some() {
        let _ = write!(out, " (a {} notification)", notice_name(post));
    }
    out.push('\n');
    if !post.also_as.is_empty() {
        let others: Vec<&str> = post.also_as.iter().map(|a| a.handle.as_str()).collect();
        let person = post
            .author
            .keys()
            .find_map(|k| rules.person_of(k))
            .map_or_else(String::new, |p| format!(" (person:{})", p.name));
        let _ = writeln!(
            out,
            "  merged: {} posted the same within minutes{person}; one card shows both",
            others.join(", ")
        );
    }
    let column = |i: u16| rules.columns[usize::from(i)].name.as_str();
    for fired in &verdict.fired {
        let line = match *fired {
            Fired::MutedAccount(who) => format!(
                "  muted: {} {} is in [mute] accounts",
                role(who),
                person(post, who)
            ),
            Fired::MutedUntil(who, until) => format!(
                "  muted: {} {} is in [mute.until] until {}",
                role(who),
                person(post, who),
                until.to_rfc3339()
            ),
            Fired::MutedBoost => format!(
                "  muted: boosts from {} are hidden by [mute] boosts_from (or muted), and no \
                 other account boosted it",
                boosters(post)
            ),
            Fired::Amplified(who) => format!(
                "  amplified: {} {} is in [amplify] accounts (keyword mutes skipped)",
                role(who),
                person(post, who)
            ),
            Fired::MutedKeyword(id) => format!(
                "  muted: [mute] keyword \"{}\" matched{}",
                rules.keyword(id),
                place.keyword(rules, id)
            ),
            Fired::MutedRegex(id) => format!(
                "  muted: [mute] regex '{}' matched{}",
                rules.regex(id),
                place.regex(rules, id)
            ),
            Fired::Took {
                column: c,
                because: Because::Everything,
            } if rules.columns[usize::from(c)].rest => {
                format!("  {}: rest: no other column took it", column(c))
            }
            Fired::Took { column: c, because } => {
                let why = match because {
                    Because::Account(who) => {
                        let account = match who {
                            Who::Booster(i) => post.boosters().nth(i),
                            Who::Author => Some(&*post.author),
                        };
                        let named = account
                            .and_then(|a| a.keys().find_map(|k| rules.person_of(k)))
                            .map(|p| format!(" (one of person:{}'s accounts)", p.name))
                            .unwrap_or_default();
                        format!(
                            "accounts lists the {} {}{named}",
                            role(who),
                            person(post, who)
                        )
                    }
                    Because::Keyword(id) => format!(
                        "keyword \"{}\"{}",
                        rules.keyword(id),
                        place.keyword(rules, id)
                    ),
                    Because::Regex(id) => {
                        format!("regex '{}'{}", rules.regex(id), place.regex(rules, id))
                    }
                    Because::Hashtag(i) => place.hashtag(i),
                    Because::MentionsMe => "mentions_me: the post mentions you".to_string(),
                    Because::Source => format!("sources includes `{}`", post.source),
                    Because::Notification => {
                        format!("notifications takes a {} notification", notice_name(post))
                    }
                    Because::Everything => {
                        "the column has no include rule, so it takes every post".to_string()
                    }
                };
                format!("  {}: matched {why}", column(c))
            }
            Fired::Excluded { column: c, by } => {
                let why = match by {
                    Narrowing::ExcludeKeyword(id) => format!(
                        "exclude_keywords \"{}\" matched{}",
                        rules.keyword(id),
                        place.keyword(rules, id)
                    ),
                    Narrowing::Boost => "boosts = false and this is a boost".to_string(),
                    Narrowing::Reply => "replies = false and this is a reply".to_string(),
                    Narrowing::Language => format!(
                        "languages does not include {}",
                        post.language.as_deref().unwrap_or("?")
                    ),
                    Narrowing::MediaOnly => {
                        "media_only = true and the post has no media".to_string()
                    }
                    Narrowing::NotAPost => format!(
                        "a {} notification shows only where notifications takes it \
                         or sources names its source",
                        notice_name(post)
                    ),
                };
                format!("  {}: excluded, {why}", column(c))
            }
            Fired::Missed { column: c } => format!("  {}: no include rule matched", column(c)),
            Fired::RestSkipped { column: c } => format!(
                "  {} (rest): skipped, another column took the post",
                column(c)
            ),
        };
        out.push_str(&line);
        out.push('\n');
    }
    let names = |cols: &[u16]| {
        cols.iter()
            .map(|&c| column(c))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let summary = match verdict.muted {
        Some(reason) if verdict.hidden_in.is_empty() => {
            format!("  => muted ({}), in no column", reason.as_str())
        }
        Some(reason) => format!(
            "  => muted ({}); revealed it would show in: {}",
            reason.as_str(),
            names(&verdict.hidden_in)
        ),
        None if verdict.columns.is_empty() => "  => in no column".to_string(),
        None => format!("  => columns: {}", names(&verdict.columns)),
    };
    out.push_str(&summary);
    out.push('\n');
    (verdict, out)
}
