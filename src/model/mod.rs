//! The model: plain, format-independent data about posts and accounts.
//!
//! Everything here is owned data with no I/O. Every string in a [`Post`] has
//! already been through [`sanitize`], so outer layers may print it as is.

mod act;
mod compose;
mod event;
mod identity;
mod limits;
mod marker;
mod notice;
pub mod people;
mod sanitize;
pub(crate) mod scan;

pub use act::{Act, ActRequest, ActResult, PostRef, Profile, ProfileResult, Saved, ThreadResult};
pub use compose::{
    BLUESKY_LIMITS, Draft, FacetKind, FacetSpan, Limits, MASTODON_LIMITS, PostRequest, PostResult,
    RecordRef, Target, Visibility, facet_spans, length,
};
pub use event::{SourceEvent, SourceState};
pub use identity::{HandleError, HandleKey, parse_handle};
pub use limits::{MAX_ALT_BYTES, MAX_ENTRIES, MAX_SHORT_BYTES, MAX_TEXT_BYTES, MAX_URL_BYTES};
pub use marker::{Mark, Marker, newer_id};
pub use notice::{Notice, NoticeKind};
pub use sanitize::{escape_controls, sanitize, sanitize_line, show_invisible, strip_invisible};

use chrono::{DateTime, Utc};
use std::sync::Arc;

/// Which network a post or account comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Network {
    Mastodon,
    Bluesky,
    /// The native JSON-lines format fed by another tool.
    Native,
}

/// Someone who writes or boosts posts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Account {
    /// The handle as shown to the user: `@user@host`, `@alice.bsky.social`,
    /// `feed:blog.example.org`.
    pub handle: String,
    /// The key routing compares: lowercase, no leading `@` (see [`HandleKey`]).
    pub key: String,
    /// A second key that matches as well as the handle: a Bluesky DID
    /// (`did:plc:…`), or for a feed entry that names its author, that
    /// author within the feed (`feed:<host>/<name>`, see
    /// [`feed_author_key`]).
    pub did: Option<String>,
    pub display_name: String,
    pub url: Option<String>,
    pub network: Network,
}

impl Account {
    /// An account from a handle as a source wrote it. The handle is
    /// sanitized and put in display form first, and the routing key is
    /// derived from that clean form, so what the user sees is what the
    /// rules compare.
    pub fn new(handle: &str, display_name: &str, network: Network) -> Self {
        let handle = display_handle(handle);
        Account {
            key: HandleKey::from_display(&handle).0,
            handle,
            did: None,
            display_name: show_invisible(&sanitize_line(display_name)).into_owned(),
            url: None,
            network,
        }
    }

    /// Adds the account's DID (Bluesky), which matches like the handle.
    pub fn with_did(mut self, did: &str) -> Self {
        self.did = Some(clean_did(did));
        self
    }

    /// The name to show: the display name, else the handle.
    pub fn shown_name(&self) -> &str {
        let name = self.display_name.trim();
        if name.is_empty() { &self.handle } else { name }
    }

    /// Every key this account matches by: its handle and, on Bluesky, its DID.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.key.as_str()).chain(self.did.as_deref())
    }
}

/// The key of an author a feed entry names: `feed:<host>/<name>`, the
/// name in lower case with each run of other characters than letters and
/// digits one `-` (`Jane Doe` → `feed:blog.example.org/jane-doe`); none
/// for a name without a letter or digit.
pub fn feed_author_key(host: &str, name: &str) -> Option<String> {
    let slug = slug(name);
    (!slug.is_empty()).then(|| format!("feed:{}/{slug}", host.to_lowercase()))
}

/// `text` in lower case with each run of other characters than letters
/// and digits one `-`, none at either end: `Über Café — news` →
/// `über-café-news`. Empty when it has no letter or digit.
pub fn slug(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            // (Some lower cases add a combining mark: `İ` is `i` and a dot.)
            slug.extend(c.to_lowercase().filter(|l| l.is_alphanumeric()));
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let kept = slug.trim_end_matches('-').len();
    slug.truncate(kept);
    slug
}

/// A handle in the form circles shows: sanitized, trimmed, and with the
/// leading `@` of Mastodon and Bluesky handles (`did:` and `feed:` forms are
/// kept as they are).
pub fn display_handle(raw: &str) -> String {
    let clean = sanitize_line(raw);
    let clean = strip_invisible(&clean);
    let handle = clean.trim();
    let bare = handle.is_empty()
        || handle.starts_with('@')
        || handle.starts_with("did:")
        || handle.starts_with("feed:");
    if bare {
        handle.to_string()
    } else {
        format!("@{handle}")
    }
}

/// A count with thousands separated: `1,204`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The schemes circles opens and makes clickable.
const OPENABLE: &[&str] = &["http", "https", "mailto"];

/// Whether a URL from a post may be handed to the system's opener: web
/// pages and mail only. A stranger's `file:`, `javascript:`, `smb:` or
/// custom-handler URL could run or fetch something; it is shown, never
/// opened. The error says why, for the status bar.
pub fn openable(url: &str) -> Result<(), String> {
    match url::Url::parse(url.trim()) {
        Ok(parsed) if OPENABLE.contains(&parsed.scheme()) => Ok(()),
        Ok(parsed) => Err(format!(
            "not opened: a {}: link (circles opens only http, https and mailto links)",
            parsed.scheme()
        )),
        Err(_) => Err("not opened: not a link circles can read".to_string()),
    }
}

/// What a link may point the terminal at (an OSC 8 hyperlink): an http,
/// https or mailto URL, normalized by the url crate (percent-encoded
/// ASCII, so no byte of it can end or add an escape sequence); `None` for
/// any other scheme or for text that is no URL.
pub fn link_target(url: &str) -> Option<String> {
    // Every cell of a link carries its URL: a longer one is shown, not
    // linked.
    const MAX_LINK: usize = 2048;
    if url.len() > MAX_LINK {
        return None;
    }
    let parsed = url::Url::parse(url.trim())
        .ok()
        .filter(|u| OPENABLE.contains(&u.scheme()))?;
    let text = parsed.as_str();
    (text.bytes().all(|b| b.is_ascii_graphic())).then(|| text.to_string())
}

/// The host of an http(s) URL as a handle names it (`alice@host`): lower
/// case, with a port other than the scheme's own (development instances
/// name their accounts `admin@localhost:3000`).
pub fn url_host(url: &str) -> Option<String> {
    let url = url::Url::parse(url.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str().filter(|h| !h.is_empty())?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

fn clean_did(did: &str) -> String {
    sanitize_line(did).trim().to_lowercase()
}

/// An account mentioned in a post, or the account a reply answers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Mention {
    /// Display handle (`@user@host`, `@bob.bsky.social`); empty when only a
    /// DID is known.
    pub handle: String,
    /// Routing key of the handle (lowercase, no leading `@`); empty when only
    /// a DID is known.
    pub key: String,
    pub did: Option<String>,
}

impl Mention {
    /// A mention from a handle (may be empty) and a DID, both as a source
    /// wrote them; sanitized here.
    pub fn new(handle: &str, did: Option<&str>) -> Self {
        let handle = display_handle(handle);
        Mention {
            key: HandleKey::from_display(&handle).0,
            handle,
            did: did.map(clean_did).filter(|d| !d.is_empty()),
        }
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        (!self.key.is_empty())
            .then_some(self.key.as_str())
            .into_iter()
            .chain(self.did.as_deref())
    }
}

/// What kind of attachment a post carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MediaKind {
    Image,
    Video,
    Audio,
    Other,
}

impl MediaKind {
    pub fn parse(kind: &str) -> Self {
        match kind {
            "image" | "gifv" => MediaKind::Image,
            "video" => MediaKind::Video,
            "audio" => MediaKind::Audio,
            _ => MediaKind::Other,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Media {
    pub kind: MediaKind,
    /// The description written for people who cannot see it.
    pub alt: Option<String>,
    pub url: Option<String>,
}

/// The post this one answers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReplyTo {
    pub id: String,
    /// The account replied to, when the source says who it is.
    pub to: Option<Mention>,
    /// Bluesky: the thread's first post, which a reply to this post names
    /// as its root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<RecordRef>,
    /// The text of the post answered, when the source sent it along
    /// (a Bluesky feed item does), for the detail view.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// One post, whatever network it came from.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Post {
    /// Name of the source that delivered it (a `[[source]]` name, or a file).
    pub source: String,
    /// The post's id on its network; for a boost, the id of the boosted post.
    pub id: String,
    /// The canonical URI (ActivityPub id, `at://` URI), used to spot the same
    /// post arriving twice.
    pub uri: Option<String>,
    /// A web page for the post, for opening and copying.
    pub url: Option<String>,
    /// Shared: the store keeps one copy of an account for all its posts.
    pub author: Arc<Account>,
    /// The account this copy of the post was boosted by, when it arrived
    /// as a boost (and no copy arrived as the author's own post).
    pub boosted_by: Option<Arc<Account>>,
    /// For a Mastodon boost, the boost's own id: what a `delete` of the
    /// boost names (undone, the boost goes, the post may stay).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boost_id: Option<String>,
    /// Other accounts seen boosting the same post, merged into one card by
    /// the store (for a post that arrived as its author's own: everyone
    /// who boosted it). Routing counts them all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_boosted_by: Vec<Account>,
    /// The Mastodon boosts merged into the card after the first: the
    /// source each came from, its booster's key and the boost's own id.
    /// Kept with the card, so a `delete` of one finds its booster after a
    /// restart too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_boost_ids: Vec<(String, String, String)>,
    /// Other accounts of the author's `[[person]]` that posted the same
    /// text within minutes (a cross-post), merged into this card.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_as: Vec<Account>,
    pub created_at: DateTime<Utc>,
    pub text: String,
    pub content_warning: Option<String>,
    pub mentions: Vec<Mention>,
    /// Tag names without `#`, as written.
    pub hashtags: Vec<String>,
    pub links: Vec<String>,
    pub media: Vec<Media>,
    pub reply_to: Option<ReplyTo>,
    pub language: Option<String>,
    pub visibility: Option<String>,
    /// Its media are sensitive (Mastodon's `sensitive`, a Bluesky adult or
    /// graphic-media label): images stay hidden until the reader opens
    /// them (`z`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
    /// Bluesky's content id of the record (`cid`): a like, repost, reply
    /// or quote refers to a post by its URI and this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cid: Option<String>,
    /// What the reader's account has done to the post, and its counts, as
    /// the server last said (or as an action made them since).
    #[serde(default, skip_serializing_if = "Engagement::is_empty")]
    pub engagement: Engagement,
    /// The post it quotes (Mastodon 4.5 `quote`, a Bluesky record embed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<Box<Quote>>,
    /// It came as a notification: which, and what it is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<Box<Notice>>,
}

/// A post quoted inside another.
// Held boxed by `Post::quote`, so the size of `Shown` costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Quote {
    /// The quoted post as the server showed it. Its own quote, if any, is
    /// not kept: a card shows one level.
    Shown(Post),
    /// The server names a quoted post it does not show; why, in words
    /// ("deleted", "waiting for its author's approval").
    Hidden(String),
}

/// The reader's own marks on a post and how many others engaged with it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Engagement {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub favourited: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub boosted: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bookmarked: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replies: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boosts: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub favourites: Option<u32>,
    /// Bluesky: the reader's like record (`at://…/app.bsky.feed.like/…`),
    /// which an unlike deletes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub like_record: Option<String>,
    /// Bluesky: the reader's repost record, which an un-repost deletes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repost_record: Option<String>,
}

impl Engagement {
    pub fn is_empty(&self) -> bool {
        *self == Engagement::default()
    }
}

impl Post {
    /// A post with what every post has and nothing else: no boost, reply,
    /// tags, links or media.
    pub fn new(
        source: &str,
        id: &str,
        author: Account,
        created_at: DateTime<Utc>,
        text: &str,
    ) -> Post {
        Post {
            source: source.to_string(),
            id: id.to_string(),
            uri: None,
            url: None,
            author: Arc::new(author),
            boosted_by: None,
            boost_id: None,
            also_boosted_by: Vec::new(),
            also_boost_ids: Vec::new(),
            also_as: Vec::new(),
            created_at,
            text: text.to_string(),
            content_warning: None,
            mentions: Vec::new(),
            hashtags: Vec::new(),
            links: Vec::new(),
            media: Vec::new(),
            reply_to: None,
            language: None,
            visibility: None,
            sensitive: false,
            cid: None,
            engagement: Engagement::default(),
            quote: None,
            notice: None,
        }
    }

    /// The quoted post, when the server showed it.
    pub fn quoted(&self) -> Option<&Post> {
        match self.quote.as_deref() {
            Some(Quote::Shown(post)) => Some(post),
            _ => None,
        }
    }

    /// The hashtags routing reads: the post's own, then the quoted post's.
    pub fn routing_hashtags(&self) -> impl Iterator<Item = &String> {
        self.hashtags
            .iter()
            .chain(self.quoted().into_iter().flat_map(|q| &q.hashtags))
    }

    /// Everyone who boosted the post: the booster of this copy, then the
    /// others merged into its card.
    pub fn boosters(&self) -> impl Iterator<Item = &Account> {
        self.boosted_by
            .as_deref()
            .into_iter()
            .chain(&self.also_boosted_by)
    }

    pub fn is_boost(&self) -> bool {
        self.boosted_by.is_some()
    }

    pub fn is_reply(&self) -> bool {
        self.reply_to.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_https_and_mailto_become_link_targets() {
        for (url, target) in [
            ("https://example.org/a?b=c#d", "https://example.org/a?b=c#d"),
            ("http://example.org", "http://example.org/"),
            ("mailto:jane@example.org", "mailto:jane@example.org"),
            // Non-ASCII is percent-encoded: nothing but printable ASCII
            // goes into the escape sequence.
            (
                "https://例え.jp/パス",
                "https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9",
            ),
        ] {
            assert_eq!(link_target(url).as_deref(), Some(target), "{url}");
        }
        for url in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "smb://host/share",
            "x-custom:thing",
            "not a url",
            "",
        ] {
            assert_eq!(link_target(url), None, "{url}");
        }
        // Every cell of a link repeats its URL: a very long one is shown,
        // not linked.
        let long = format!("https://example.org/{}", "a".repeat(3000));
        assert_eq!(link_target(&long), None);
    }
}
