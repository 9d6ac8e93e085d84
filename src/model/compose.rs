//! A post being written, as plain data: what `ctrl-s` sends, what the
//! cache keeps until it is sent (so no text is ever lost), and how long it
//! is as each network counts (ARCHITECTURE.md, "Acting on posts").

use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

/// Who may see a Mastodon post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    #[default]
    Public,
    Unlisted,
    /// Followers only (the API's `private`).
    Private,
    /// The people mentioned only.
    Direct,
}

impl Visibility {
    /// As the API writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Unlisted => "unlisted",
            Visibility::Private => "private",
            Visibility::Direct => "direct",
        }
    }

    /// In words for the compose overlay.
    pub fn words(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Unlisted => "unlisted",
            Visibility::Private => "followers only",
            Visibility::Direct => "mentioned only",
        }
    }

    pub fn parse(text: &str) -> Option<Visibility> {
        match text {
            "public" => Some(Visibility::Public),
            "unlisted" => Some(Visibility::Unlisted),
            "private" => Some(Visibility::Private),
            "direct" => Some(Visibility::Direct),
            _ => None,
        }
    }

    /// The next one, for the key that cycles them.
    pub fn next(self) -> Visibility {
        match self {
            Visibility::Public => Visibility::Unlisted,
            Visibility::Unlisted => Visibility::Private,
            Visibility::Private => Visibility::Direct,
            Visibility::Direct => Visibility::Public,
        }
    }
}

/// A record on Bluesky by URI and content id (a strong ref).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRef {
    pub uri: String,
    pub cid: String,
}

/// The post a draft answers or quotes, with what the overlay shows of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// The status id (Mastodon) or `at://` URI (Bluesky).
    pub id: String,
    /// Bluesky: its cid.
    #[serde(default)]
    pub cid: Option<String>,
    /// Bluesky: the thread's first post, for a reply's `root` (the post
    /// itself when it starts the thread).
    #[serde(default)]
    pub root: Option<RecordRef>,
    /// A web page for it (a Mastodon quote without quote posts links it).
    #[serde(default)]
    pub url: Option<String>,
    /// Its author's handle and the start of its text, for the overlay.
    pub author: String,
    pub excerpt: String,
    /// The post's URI when the posting account is on another server than
    /// the source that delivered the post: that account finds its own id
    /// for the post by it first (Mastodon ids are each server's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub find_by: Option<String>,
}

/// A post being written.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Draft {
    /// Stays the same for the draft's life: the idempotency key of its
    /// send, so a send tried twice posts once.
    pub id: String,
    /// The source whose account posts it.
    pub source: String,
    pub text: String,
    /// Mastodon's content warning (`spoiler_text`).
    #[serde(default)]
    pub warning: String,
    /// An ISO 639 code, or empty for the server's default.
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub visibility: Visibility,
    #[serde(default)]
    pub reply: Option<Target>,
    #[serde(default)]
    pub quote: Option<Target>,
}

impl Draft {
    /// Nothing typed yet: closing it loses nothing.
    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty() && self.warning.trim().is_empty()
    }
}

/// A draft for the runtime to post through its source's account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostRequest {
    pub ticket: u64,
    pub draft: Draft,
}

/// How a send went.
#[derive(Debug, Clone, PartialEq)]
pub enum PostResult {
    /// The post as the server has it, to show at once.
    Posted(Box<super::Post>),
    /// Sent, but the server's answer could not be read back as a post.
    Sent,
    /// What the server answered and what to do; the draft stays.
    Failed(String),
}

/// What a server allows in a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Characters (Mastodon) or graphemes (Bluesky).
    pub max: usize,
    /// The server takes quote posts (Mastodon 4.5+, Bluesky).
    pub quotes: bool,
}

/// Bluesky's limit: 300 graphemes.
pub const BLUESKY_LIMITS: Limits = Limits {
    max: 300,
    quotes: true,
};

/// Mastodon's default until the instance says otherwise.
pub const MASTODON_LIMITS: Limits = Limits {
    max: 500,
    quotes: false,
};

/// A Mastodon link counts this many characters, however long it is.
const MASTODON_URL_CHARS: usize = 23;

/// How long `text` is as the network counts: Mastodon counts characters,
/// a link as 23 and a mention by its user name only (`@bob@x.social` is
/// `@bob`); Bluesky counts graphemes.
pub fn length(network: super::Network, text: &str) -> usize {
    match network {
        super::Network::Bluesky | super::Network::Native => text.graphemes(true).count(),
        super::Network::Mastodon => text
            .split_inclusive(char::is_whitespace)
            .map(|word| {
                let bare = word.trim_end();
                let space = word.len() - bare.len();
                let counted = if bare.starts_with("http://") || bare.starts_with("https://") {
                    MASTODON_URL_CHARS
                } else if let Some(user) = bare
                    .strip_prefix('@')
                    .and_then(|rest| rest.split_once('@'))
                    .map(|(user, _)| user)
                {
                    1 + user.chars().count()
                } else {
                    bare.chars().count()
                };
                counted + word[bare.len()..].chars().count().min(space)
            })
            .sum(),
    }
}

/// What a stretch of a Bluesky post's text is, for its facets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FacetKind {
    /// A handle, without its `@`; sent as the DID it resolves to.
    Mention(String),
    Link(String),
    /// A tag, without its `#`.
    Tag(String),
}

/// A facet's stretch of text as UTF-8 byte offsets (Bluesky's
/// `byteStart`/`byteEnd`), and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetSpan {
    pub start: usize,
    pub end: usize,
    pub kind: FacetKind,
}

/// The mentions, links and hashtags of a Bluesky post's text, in order.
/// A mention is `@` and a handle with a dot, after the start, a space or a
/// `(`; a tag is `#` and a word (not only digits) after the start or a
/// space, without trailing punctuation; links are what `linkify` finds.
pub fn facet_spans(text: &str) -> Vec<FacetSpan> {
    use std::sync::LazyLock;
    static MENTION: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?:^|[\s(])@([a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)+)")
            .expect("the mention pattern compiles")
    });
    static TAG: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?:^|\s)[#＃]([^\s#＃]+)").expect("the tag pattern compiles")
    });
    let mut spans = Vec::new();
    for found in linkify::LinkFinder::new()
        .kinds(&[linkify::LinkKind::Url])
        .links(text)
    {
        spans.push(FacetSpan {
            start: found.start(),
            end: found.end(),
            kind: FacetKind::Link(found.as_str().to_string()),
        });
    }
    let inside_link = |at: usize, spans: &[FacetSpan]| {
        spans
            .iter()
            .any(|s| matches!(s.kind, FacetKind::Link(_)) && s.start <= at && at < s.end)
    };
    for caps in MENTION.captures_iter(text) {
        let handle = caps.get(1).expect("group 1");
        let start = handle.start() - 1;
        if !inside_link(start, &spans) {
            spans.push(FacetSpan {
                start,
                end: handle.end(),
                kind: FacetKind::Mention(handle.as_str().to_string()),
            });
        }
    }
    for caps in TAG.captures_iter(text) {
        let word = caps.get(1).expect("group 1");
        let tag = word
            .as_str()
            .trim_end_matches(|c: char| c.is_ascii_punctuation());
        // The `#` (or the full-width `＃`) just before the word.
        let start = text[..word.start()]
            .char_indices()
            .next_back()
            .map_or(0, |(at, _)| at);
        if tag.is_empty() || tag.chars().all(|c| c.is_ascii_digit()) || inside_link(start, &spans) {
            continue;
        }
        spans.push(FacetSpan {
            start,
            end: word.start() + tag.len(),
            kind: FacetKind::Tag(tag.to_string()),
        });
    }
    spans.sort_by_key(|s| s.start);
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Network;

    #[test]
    fn each_network_counts_its_way() {
        assert_eq!(length(Network::Mastodon, "hello world"), 11);
        let link = "see https://example.org/a/very/long/path/indeed?with=query";
        assert_eq!(length(Network::Mastodon, link), 4 + 23);
        assert_eq!(length(Network::Mastodon, "@bob@x.social hi"), 4 + 1 + 2);
        assert_eq!(length(Network::Mastodon, "日本語"), 3);
        // A flag is one grapheme of two code points; a family emoji one of
        // seven.
        assert_eq!(length(Network::Bluesky, "🇯🇵 👨‍👩‍👧‍👦"), 3);
        assert_eq!(length(Network::Mastodon, "🇯🇵"), 2);
    }

    #[test]
    fn facets_are_utf8_byte_ranges_even_after_emoji_and_cjk() {
        let text = "日本語 🦀 hi @bob.bsky.social see https://example.org/a #rust #123 #Ｒ.";
        let spans = facet_spans(text);
        let kinds: Vec<_> = spans.iter().map(|s| s.kind.clone()).collect();
        assert_eq!(
            kinds,
            [
                FacetKind::Mention("bob.bsky.social".into()),
                FacetKind::Link("https://example.org/a".into()),
                FacetKind::Tag("rust".into()),
                FacetKind::Tag("Ｒ".into()),
            ]
        );
        for span in &spans {
            let covered = &text[span.start..span.end];
            match &span.kind {
                FacetKind::Mention(h) => assert_eq!(covered, format!("@{h}")),
                FacetKind::Link(l) => assert_eq!(covered, l),
                FacetKind::Tag(t) => assert_eq!(covered, format!("#{t}")),
            }
        }
        // 日本語 is 9 bytes and 🦀 4: the mention starts at byte 18, where
        // it is the 9th character.
        assert_eq!(spans[0].start, 18);
        // Not a mention: an address, or a handle without a dot.
        assert!(facet_spans("mail jane@bsky.social or @jane").is_empty());
    }

    #[test]
    fn visibility_cycles_through_all_four() {
        let mut v = Visibility::Public;
        let mut seen = vec![v];
        for _ in 0..3 {
            v = v.next();
            seen.push(v);
        }
        assert_eq!(v.next(), Visibility::Public);
        assert_eq!(seen.len(), 4);
        for v in seen {
            assert_eq!(Visibility::parse(v.as_str()), Some(v));
        }
    }
}
