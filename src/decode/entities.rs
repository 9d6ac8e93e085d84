//! Hashtags, mentions and links found in plain text, for posts that carry
//! only their text (native lines without the arrays).
//!
//! Links come from `linkify`, which gets the edges right around
//! punctuation and brackets. Hashtags and mentions are matched here: no
//! maintained crate finds them the way Mastodon and Bluesky do (a letter in
//! any script, `#日本語`, `#café`; never inside a word or a URL).

use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// What a text names, each in the order first seen and once.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Entities {
    /// Without the `#`.
    pub hashtags: Vec<String>,
    /// With the leading `@`: `@bob`, `@bob@host.social`, `@bob.bsky.social`.
    pub mentions: Vec<String>,
    pub links: Vec<String>,
}

/// A `#` starting a tag: not after a letter, digit, `_`, `&` (an HTML
/// entity) or `#`; the tag is letters, marks, digits and `_`, with at least
/// one letter or mark (so `#1` is not a tag).
static HASHTAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\p{L}\p{M}\p{N}_&#])#([\p{L}\p{M}\p{N}_]*[\p{L}\p{M}][\p{L}\p{M}\p{N}_]*)")
        .expect("a valid pattern")
});

/// An `@` starting a mention: not after a word character, `@`, `.` or `/`
/// (an e-mail address, a path); a user name, then an optional `@host`.
static MENTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[^\p{L}\p{M}\p{N}_@./])(@[\p{L}\p{M}\p{N}_][\p{L}\p{M}\p{N}_.\-]*(?:@[\p{L}\p{M}\p{N}\-]+(?:\.[\p{L}\p{M}\p{N}\-]+)+)?)",
    )
    .expect("a valid pattern")
});

/// The hashtags, mentions and links of `text`.
pub fn extract(text: &str) -> Entities {
    let mut found = Entities::default();
    let mut inside: Vec<Range<usize>> = Vec::new();
    let mut finder = linkify::LinkFinder::new();
    finder.kinds(&[linkify::LinkKind::Url]);
    for link in finder.links(text) {
        inside.push(link.start()..link.end());
        push_once(&mut found.links, link.as_str());
    }
    let in_a_link = |at: usize| inside.iter().any(|r| r.contains(&at));
    for caps in HASHTAG.captures_iter(text) {
        let tag = caps.get(1).expect("the pattern has a group");
        if !in_a_link(tag.start()) {
            push_once(&mut found.hashtags, tag.as_str());
        }
    }
    for caps in MENTION.captures_iter(text) {
        let m = caps.get(1).expect("the pattern has a group");
        // A sentence may end right after a name: "thanks @bob."
        let handle = m.as_str().trim_end_matches(['.', '-']);
        if handle.len() > 1 && !in_a_link(m.start()) {
            push_once(&mut found.mentions, handle);
        }
    }
    found
}

fn push_once(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|x| x == item) {
        list.push(item.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashtags_in_any_script_but_not_inside_words_links_or_numbers() {
        let found = extract(
            "hello #rust and #日本語, #café! not a#b, not #1, \
             see https://x.org/page#anchor and https://x.org/#tag; #rust again",
        );
        assert_eq!(found.hashtags, ["rust", "日本語", "café"]);
        assert_eq!(
            found.links,
            ["https://x.org/page#anchor", "https://x.org/#tag"]
        );
    }

    #[test]
    fn mentions_of_every_network_but_not_e_mail_or_paths() {
        let found = extract(
            "thanks @bob, @jane@mastodon.social and @dave.bsky.social. \
             mail bob@x.org, or https://x.org/@carla/1 (@élodie)",
        );
        assert_eq!(
            found.mentions,
            [
                "@bob",
                "@jane@mastodon.social",
                "@dave.bsky.social",
                "@élodie"
            ]
        );
        assert_eq!(found.links, ["https://x.org/@carla/1"]);
    }

    #[test]
    fn links_end_before_the_punctuation_around_them() {
        let found = extract("(see https://example.com/a_(b)), and http://x.org.");
        assert_eq!(found.links, ["https://example.com/a_(b)", "http://x.org"]);
        assert_eq!(extract("nothing here").links, Vec::<String>::new());
    }
}
