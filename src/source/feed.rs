//! The feed source: RSS 2.0, Atom and JSON Feed (via `feed-rs`) from a
//! list of URLs and local files, polled every `poll`.
//!
//! Each URL is fetched with the `ETag`/`Last-Modified` of its last good
//! answer, so an unchanged feed costs a 304 and nothing else. A local path
//! (or `file://` URL) is read again on every poll. Only entries not seen on
//! the previous read are sent, compared by entry id; the store also
//! dedupes by URI.
//!
//! What makes the next read cheap is reported as cursors, per URL (or
//! path): `etag:<url>` and `last_modified:<url>` (the validators) and
//! `seen:<url>` (the entry ids of the last read, hashed). Started with them
//! again, the first request is conditional already and an unchanged feed
//! sends nothing. A URL with credentials or a query (which may hold a
//! token) is named in the key without them, plus a hash of the whole URL.
//!
//! Each URL has its own schedule: a good read waits `poll`; network
//! trouble and busy servers are retried sooner, with backoff; a feed that
//! does not parse is reported (as a skipped item naming the URL) and tried
//! again at the next poll. One bad URL never stops the others.
//!
//! An entry becomes a post written by `feed:<host of the feed's site>`
//! (README, "Handles"), shown with the entry's author name, else the feed's title.
//! Its text is "Title\n\nsummary" with the HTML turned into plain text.
//! Everything is sanitized like any other remote text.

use super::{Cursors, Sink, SourceState};
use crate::config::FeedSpec;
use crate::model::{Account, Media, MediaKind, Network, Post, sanitize, sanitize_line};
use crate::net::feed::{self as net_feed, Validators};
use crate::net::{
    self,
    http::{self, Backoff},
};
use chrono::Utc;
use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;
use tokio::time::Instant;

/// The longest a rate limit is waited out before asking again.
const MAX_WAIT: Duration = Duration::from_secs(3600);
/// Entries taken from one read of one feed (a full archive feed can hold
/// thousands; the newest come first).
const MAX_ENTRIES: usize = 500;
/// Characters of an entry's text kept for its card.
const MAX_TEXT: usize = 4000;
/// Hashtags and media kept per entry.
const MAX_TAGS: usize = 16;
const MAX_MEDIA: usize = 8;

pub(super) async fn run(sink: Sink, spec: FeedSpec, cursors: Cursors) {
    if !sink.state(SourceState::Connecting) {
        return;
    }
    let client = http::client();
    let mut feeds: Vec<Feed> = spec
        .urls
        .iter()
        .map(|u| {
            let mut feed = Feed::new(u);
            feed.resume(&cursors);
            feed
        })
        .collect();
    let mut shown: Option<SourceState> = None;
    loop {
        let now = Instant::now();
        for feed in feeds.iter_mut().filter(|f| f.due <= now) {
            let outcome = feed.read(&client, &sink.source).await;
            let open = match outcome {
                Ok(posts) => {
                    feed.succeeded(spec.poll);
                    // The posts first: the cursors are good once they arrived.
                    sink.posts(posts)
                        && feed
                            .changed_cursors()
                            .iter()
                            .all(|(key, value)| sink.cursor(key, value))
                }
                Err(problem) => match feed.failed(problem, spec.poll) {
                    Some(report) => sink.skipped(format!("{}: {report}", feed.url)),
                    None => true,
                },
            };
            if !open {
                return;
            }
        }
        let state = overall_state(&feeds);
        if shown.as_ref() != Some(&state) {
            if !sink.state(state.clone()) {
                return;
            }
            shown = Some(state);
        }
        let next = feeds
            .iter()
            .map(|f| f.due)
            .min()
            .unwrap_or_else(|| Instant::now() + spec.poll);
        tokio::select! {
            () = tokio::time::sleep_until(next) => {}
            () = sink.closed() => return,
        }
    }
}

/// Live while any feed reads well; retrying when every one failed.
fn overall_state(feeds: &[Feed]) -> SourceState {
    match feeds.iter().find(|f| f.ok) {
        Some(_) => SourceState::Live,
        None => {
            let next = feeds
                .iter()
                .map(|f| f.due)
                .min()
                .unwrap_or_else(Instant::now);
            let seconds = next
                .saturating_duration_since(Instant::now())
                .as_secs_f64()
                .ceil() as u64;
            let why = feeds
                .iter()
                .find_map(|f| f.error.as_ref().map(|e| format!("{}: {e}", f.url)))
                .unwrap_or_default();
            SourceState::Retrying { seconds, why }
        }
    }
}

/// Why one read of one feed failed.
enum Problem {
    /// Likely to pass: try again soon (after `wait` when the server said).
    Transient { why: String, wait: Option<Duration> },
    /// The feed itself is wrong (does not parse, is gone): try at the next poll.
    Broken(String),
}

#[derive(Clone)]
enum Location {
    Http(String),
    File(PathBuf),
}

/// One feed URL or file and what the last reads left behind.
struct Feed {
    /// As written in the config, for messages.
    url: String,
    location: Location,
    validators: Validators,
    /// Entry ids (hashed by [`id_hash`]) of the last good read.
    seen: HashSet<u64>,
    /// The name of this feed in its cursor keys.
    cursor_name: String,
    /// The cursor values last reported: ETag, Last-Modified, seen ids.
    reported: [Option<String>; 3],
    due: Instant,
    backoff: Backoff,
    /// The last read worked.
    ok: bool,
    /// The last failure, reported once until the feed reads again.
    error: Option<String>,
}

impl Feed {
    fn new(url: &str) -> Feed {
        let url = url.trim();
        let location = if url.starts_with("http://") || url.starts_with("https://") {
            Location::Http(url.to_string())
        } else {
            Location::File(local_path(url))
        };
        Feed {
            url: sanitize_line(url).into_owned(),
            cursor_name: cursor_name(url),
            location,
            validators: Validators::default(),
            seen: HashSet::new(),
            reported: [None, None, None],
            due: Instant::now(),
            backoff: Backoff::new(Duration::from_secs(300)),
            ok: false,
            error: None,
        }
    }

    fn cursor_keys(&self) -> [String; 3] {
        let name = &self.cursor_name;
        [
            format!("etag:{name}"),
            format!("last_modified:{name}"),
            format!("seen:{name}"),
        ]
    }

    /// The cursor values as they stand now (`""` for none).
    fn cursor_values(&self) -> [String; 3] {
        let mut seen: Vec<u64> = self.seen.iter().copied().collect();
        seen.sort_unstable();
        let seen: Vec<String> = seen.iter().map(|h| format!("{h:016x}")).collect();
        [
            self.validators.etag.clone().unwrap_or_default(),
            self.validators.last_modified.clone().unwrap_or_default(),
            seen.join("\n"),
        ]
    }

    /// Takes up the validators and seen entries an earlier run reported.
    fn resume(&mut self, cursors: &Cursors) {
        let keys = self.cursor_keys();
        let [etag, modified, seen] = keys.each_ref().map(|k| cursors.get(k));
        if let Some(seen) = seen {
            self.seen = seen
                .lines()
                .filter_map(|h| u64::from_str_radix(h.trim(), 16).ok())
                .take(MAX_ENTRIES)
                .collect();
        }
        if matches!(self.location, Location::Http(_)) {
            // A value that is no header value would fail every request.
            let valid = |v: &&String| {
                !v.is_empty()
                    && v.len() <= 1024
                    && reqwest::header::HeaderValue::from_str(v.as_str()).is_ok()
            };
            self.validators = Validators {
                etag: etag.filter(valid).cloned(),
                last_modified: modified.filter(valid).cloned(),
            };
        }
        self.reported = self.cursor_values().map(Some);
    }

    /// The cursors that changed since they were last reported, seen ids
    /// before the validators.
    fn changed_cursors(&mut self) -> Vec<(String, String)> {
        let keys = self.cursor_keys();
        let values = self.cursor_values();
        let mut changed = Vec::new();
        let which: &[usize] = match self.location {
            Location::Http(_) => &[2, 0, 1],
            Location::File(_) => &[2],
        };
        for &i in which {
            if self.reported[i].as_deref() != Some(values[i].as_str()) {
                self.reported[i] = Some(values[i].clone());
                changed.push((keys[i].clone(), values[i].clone()));
            }
        }
        changed
    }

    fn succeeded(&mut self, poll: Duration) {
        self.ok = true;
        self.error = None;
        self.backoff.reset();
        self.due = Instant::now() + poll;
    }

    /// Schedules the next try; returns the message to report, unless the
    /// same one was reported already.
    fn failed(&mut self, problem: Problem, poll: Duration) -> Option<String> {
        self.ok = false;
        let why = match problem {
            Problem::Transient { why, wait } => {
                let wait = match wait {
                    Some(asked) => asked.min(MAX_WAIT),
                    None => self.backoff.next_delay().min(poll),
                };
                self.due = Instant::now() + wait;
                why
            }
            Problem::Broken(why) => {
                self.due = Instant::now() + poll;
                why
            }
        };
        if self.error.as_deref() == Some(why.as_str()) {
            return None;
        }
        self.error = Some(why.clone());
        Some(why)
    }

    /// Reads the feed and returns the posts for entries not seen before.
    async fn read(&mut self, client: &reqwest::Client, source: &str) -> Result<Vec<Post>, Problem> {
        let (bytes, validators) = match &self.location {
            Location::Http(url) => match net_feed::fetch(client, url, &self.validators).await {
                Ok(Some(got)) => (got.body, got.validators),
                Ok(None) => return Ok(Vec::new()),
                Err(e) => return Err(problem(e)),
            },
            Location::File(path) => {
                let bytes = tokio::fs::read(path)
                    .await
                    .map_err(|e| Problem::Broken(format!("cannot read {}: {e}", path.display())))?;
                (bytes, Validators::default())
            }
        };
        // Parsing and HTML-to-text take a while on a big feed: off the
        // async threads with them.
        let location = self.location.clone();
        let (source, url) = (source.to_string(), self.url.clone());
        let posts =
            tokio::task::spawn_blocking(move || feed_posts(&bytes, &location, &source, &url))
                .await
                .map_err(|e| Problem::Broken(format!("reading the feed failed: {e}")))??;
        // Only a feed that parsed may answer 304 next time.
        self.validators = validators;
        let mut current = HashSet::with_capacity(posts.len());
        let mut fresh = Vec::new();
        for post in posts {
            let hash = id_hash(&post.id);
            if current.insert(hash) && !self.seen.contains(&hash) {
                fresh.push(post);
            }
        }
        self.seen = current;
        Ok(fresh)
    }
}

/// An entry id as the seen set keeps it: 64-bit FNV-1a, stable across
/// runs and builds (unlike std's hasher), so it can be kept as a cursor.
fn id_hash(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// How a feed is named in its cursor keys: the URL or path as written,
/// but a URL's credentials and query (which can hold a token) are left
/// out, with a hash of the whole URL in their place to tell such URLs
/// apart.
fn cursor_name(url: &str) -> String {
    let clean = sanitize_line(url).into_owned();
    let Some((scheme, rest)) = clean.split_once("://") else {
        return clean;
    };
    if !matches!(scheme, "http" | "https") {
        return clean;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let path = &tail[..tail.find(['?', '#']).unwrap_or(tail.len())];
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host.len() == authority.len() && path.len() == tail.len() {
        return clean;
    }
    format!("{scheme}://{host}{path}#{:016x}", id_hash(url))
}

/// A failed fetch: network trouble and busy servers are worth another try
/// soon; anything else is the feed's own problem, tried at the next poll.
fn problem(e: net::Error) -> Problem {
    let transient = matches!(e, net::Error::Network { .. })
        || matches!(
            e,
            net::Error::Status {
                transient: true,
                ..
            }
        );
    if transient {
        Problem::Transient {
            wait: e.wait(),
            why: e.to_string(),
        }
    } else {
        Problem::Broken(e.to_string())
    }
}

/// A path from the config: `file://` URLs and `~/` are understood.
fn local_path(text: &str) -> PathBuf {
    let path = text.strip_prefix("file://").unwrap_or(text);
    match (path.strip_prefix("~/"), directories::BaseDirs::new()) {
        (Some(rest), Some(dirs)) => dirs.home_dir().join(rest),
        _ => PathBuf::from(path),
    }
}

/// Every entry of a feed document as a post, newest first as listed.
fn feed_posts(
    bytes: &[u8],
    location: &Location,
    source: &str,
    url: &str,
) -> Result<Vec<Post>, Problem> {
    let base = match location {
        Location::Http(url) => Some(url.as_str()),
        Location::File(_) => None,
    };
    let parsed = parse(bytes, base)?;
    let site = site_host(&parsed, location);
    let site_url = site_link(&parsed);
    let title = parsed
        .title
        .as_ref()
        .map(|t| text_of(t, true))
        .filter(|t| !t.is_empty());
    let info = FeedInfo {
        feed: &parsed,
        site: &site,
        site_url: site_url.as_deref(),
        title: title.as_deref(),
        source,
        url,
    };
    Ok(parsed
        .entries
        .iter()
        .take(MAX_ENTRIES)
        .map(|entry| entry_post(entry, &info))
        .collect())
}

fn parse(bytes: &[u8], base: Option<&str>) -> Result<feed_rs::model::Feed, Problem> {
    feed_rs::parser::Builder::new()
        .base_uri(base)
        // Entries without an id get a stable one below (feed-rs would
        // make up a random one when there is no link either).
        .id_generator(|_, _, _| String::new())
        .build()
        .parse(bytes)
        .map_err(|e| {
            Problem::Broken(http::short(&format!(
                "not a readable RSS, Atom or JSON feed ({e})"
            )))
        })
}

/// The feed's web site: its first alternate http(s) link.
fn site_link(feed: &feed_rs::model::Feed) -> Option<String> {
    feed.links
        .iter()
        .filter(|l| matches!(l.rel.as_deref(), None | Some("alternate")))
        .map(|l| l.href.trim())
        .find(|href| url_host(href).is_some())
        .map(|href| sanitize_line(href).into_owned())
}

/// The host of the feed's web site, for the `feed:<host>` handle: the
/// feed's own link, else the host it was fetched from, else the file name.
fn site_host(feed: &feed_rs::model::Feed, location: &Location) -> String {
    if let Some(host) = site_link(feed).as_deref().and_then(url_host) {
        return host;
    }
    match location {
        Location::Http(url) => url_host(url).unwrap_or_else(|| "feed".into()),
        Location::File(path) => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            let clean: String = name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect();
            let clean = clean.trim_matches(['.', '-']);
            if clean.is_empty() {
                "local".into()
            } else {
                clean.to_string()
            }
        }
    }
}

/// The host (without port or user) of an http(s) URL, lowercase.
fn url_host(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host.rsplit_once(':') {
        Some((name, port)) if !name.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    let host = sanitize_line(host).trim().to_ascii_lowercase();
    (!host.is_empty() && !host.contains(char::is_whitespace)).then_some(host)
}

/// A title or summary as plain text; HTML is turned into text first.
/// Plain text still has its entities decoded: RSS titles are often
/// escaped twice (`&amp;amp;`), and a literal `<` must stay (`Vec<T>`).
fn text_of(text: &feed_rs::model::Text, one_line: bool) -> String {
    let plain = if text.content_type.as_str().contains("html") {
        crate::decode::html_to_text(&text.content)
    } else {
        html_escape::decode_html_entities(&text.content).into_owned()
    };
    clean(&plain, one_line)
}

fn clean(text: &str, one_line: bool) -> String {
    if one_line {
        let line = sanitize_line(text);
        line.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        sanitize(text).trim().to_string()
    }
}

/// The entry's web page: its alternate link, else its first link.
fn entry_link(entry: &feed_rs::model::Entry) -> Option<String> {
    let is_web = |href: &str| href.starts_with("http://") || href.starts_with("https://");
    entry
        .links
        .iter()
        .filter(|l| matches!(l.rel.as_deref(), None | Some("alternate")))
        .chain(entry.links.iter())
        .map(|l| l.href.trim())
        .find(|href| is_web(href))
        .map(|href| sanitize_line(href).into_owned())
}

/// The author an entry itself names, if it names one other than the
/// feed's own (which some formats copy into every entry).
fn entry_author(entry: &feed_rs::model::Entry, feed: &feed_rs::model::Feed) -> Option<String> {
    let name = entry.authors.iter().find_map(person_name)?;
    let the_feeds = feed.authors.iter().find_map(person_name);
    (the_feeds.as_deref() != Some(name.as_str())).then_some(name)
}

/// Who wrote an entry: its author, else the feed's, else the feed's title.
fn author_name(entry: &feed_rs::model::Entry, feed: &feed_rs::model::Feed) -> Option<String> {
    entry
        .authors
        .iter()
        .chain(feed.authors.iter())
        .find_map(person_name)
}

/// A person's name, cleaned. RSS `<author>` holds an email address, often
/// with the name in brackets.
fn person_name(person: &feed_rs::model::Person) -> Option<String> {
    let name = person.name.trim();
    let name = if !name.is_empty() && name != "author" && name != "managingEditor" {
        name.to_string()
    } else {
        let email = person.email.as_deref()?.trim();
        match email.split_once('(') {
            Some((_, rest)) => rest.trim_end_matches(')').trim().to_string(),
            None => email.to_string(),
        }
    };
    Some(clean(&name, true)).filter(|name| !name.is_empty())
}

/// What every entry of one read shares.
struct FeedInfo<'a> {
    feed: &'a feed_rs::model::Feed,
    /// The host for the `feed:` handle.
    site: &'a str,
    site_url: Option<&'a str>,
    title: Option<&'a str>,
    source: &'a str,
    /// The feed's URL or path as configured.
    url: &'a str,
}

fn entry_post(entry: &feed_rs::model::Entry, info: &FeedInfo<'_>) -> Post {
    let link = entry_link(entry);
    let title = entry
        .title
        .as_ref()
        .map(|t| text_of(t, true))
        .filter(|t| !t.is_empty());
    let body = entry
        .summary
        .as_ref()
        .map(|s| text_of(s, false))
        .filter(|s| !s.is_empty())
        .or_else(|| {
            let content = entry.content.as_ref()?;
            let raw = content.body.as_deref()?;
            let plain = if content.content_type.as_str().contains("html") {
                crate::decode::html_to_text(raw)
            } else {
                raw.to_string()
            };
            Some(clean(&plain, false)).filter(|s| !s.is_empty())
        });
    let text = match (&title, body) {
        (Some(title), Some(body)) if body.starts_with(title.as_str()) => body,
        (Some(title), Some(body)) => format!("{title}\n\n{body}"),
        (Some(title), None) => title.clone(),
        (None, Some(body)) => body,
        (None, None) => link.clone().unwrap_or_default(),
    };
    let id = if entry.id.trim().is_empty() {
        link.clone().unwrap_or_else(|| content_id(entry, &text))
    } else {
        clean(&entry.id, true)
    };
    let name = author_name(entry, info.feed)
        .or_else(|| info.title.map(str::to_string))
        .unwrap_or_else(|| info.site.to_string());
    let mut author = Account::new(&format!("feed:{}", info.site), &name, Network::Native);
    author.url = info.site_url.map(str::to_string);
    // An entry that names its author is theirs too: `feed:<host>/<name>`
    // matches that author's entries only, `feed:<host>` all of them.
    author.did = entry_author(entry, info.feed)
        .and_then(|name| crate::model::feed_author_key(info.site, &name));
    let mut hashtags: Vec<String> = Vec::new();
    for category in &entry.categories {
        let tag = clean(category.term.trim().trim_start_matches('#'), true);
        if !tag.is_empty() && !hashtags.iter().any(|t| t.eq_ignore_ascii_case(&tag)) {
            hashtags.push(tag);
        }
        if hashtags.len() >= MAX_TAGS {
            break;
        }
    }
    Post {
        source: info.source.to_string(),
        uri: Some(link.clone().unwrap_or_else(|| format!("{}#{id}", info.url))),
        url: link.clone(),
        id,
        author: author.into(),
        boosted_by: None,
        boost_id: None,
        also_boosted_by: Vec::new(),
        also_boost_ids: Vec::new(),
        also_as: Vec::new(),
        created_at: entry.published.or(entry.updated).unwrap_or_else(Utc::now),
        text: cap(text),
        content_warning: None,
        mentions: Vec::new(),
        hashtags,
        links: link.into_iter().collect(),
        media: entry_media(entry),
        reply_to: None,
        language: entry
            .language
            .as_deref()
            .or(info.feed.language.as_deref())
            .map(|l| clean(l, true))
            .filter(|l| !l.is_empty()),
        visibility: None,
        sensitive: false,
        cid: None,
        engagement: Default::default(),
        quote: None,
        notice: None,
    }
}

/// Enclosures and Media RSS items: images, video, audio.
fn entry_media(entry: &feed_rs::model::Entry) -> Vec<Media> {
    let mut media = Vec::new();
    for object in &entry.media {
        let alt = object
            .description
            .as_ref()
            .or(object.title.as_ref())
            .map(|t| text_of(t, false))
            .filter(|t| !t.is_empty());
        for content in &object.content {
            let Some(url) = &content.url else { continue };
            let kind = content
                .content_type
                .as_ref()
                .map(|t| MediaKind::parse(t.ty().as_str()))
                .unwrap_or(MediaKind::Other);
            media.push(Media {
                kind,
                alt: alt.clone(),
                url: Some(sanitize_line(url.as_str()).into_owned()),
            });
            if media.len() >= MAX_MEDIA {
                return media;
            }
        }
    }
    media
}

/// A stable id for an entry that has neither an id nor a link.
fn content_id(entry: &feed_rs::model::Entry, text: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    entry.published.or(entry.updated).hash(&mut hasher);
    format!("entry-{:016x}", hasher.finish())
}

/// Keeps a card's text to [`MAX_TEXT`] characters.
fn cap(text: String) -> String {
    match text.char_indices().nth(MAX_TEXT) {
        Some((cut, _)) => {
            let head = &text[..cut];
            let head = head
                .rfind(char::is_whitespace)
                .map_or(head, |at| &head[..at]);
            format!("{}…", head.trim_end())
        }
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_drop_ports_and_users() {
        assert_eq!(
            url_host("https://Blog.Rust-Lang.org/feed.xml").as_deref(),
            Some("blog.rust-lang.org")
        );
        assert_eq!(
            url_host("http://127.0.0.1:8080/x").as_deref(),
            Some("127.0.0.1")
        );
        assert_eq!(
            url_host("http://u@h.example:1").as_deref(),
            Some("h.example")
        );
        assert_eq!(url_host("/etc/x"), None);
    }

    #[test]
    fn long_text_is_cut_at_a_word() {
        let text = "word ".repeat(2000);
        let cut = cap(text);
        assert!(cut.chars().count() <= MAX_TEXT + 1);
        assert!(cut.ends_with("word…"));
        assert_eq!(cap("short".into()), "short");
    }

    #[test]
    fn cursor_names_leave_credentials_and_queries_out() {
        assert_eq!(
            cursor_name("https://blog.example/feed.xml"),
            "https://blog.example/feed.xml"
        );
        assert_eq!(cursor_name("/home/me/a.xml"), "/home/me/a.xml");
        let private = cursor_name("https://github.com/me.private.atom?token=SECRET1");
        assert!(
            private.starts_with("https://github.com/me.private.atom#"),
            "{private}"
        );
        assert!(!private.contains("SECRET1"));
        assert_ne!(
            private,
            cursor_name("https://github.com/me.private.atom?token=SECRET2")
        );
        let user = cursor_name("https://me:pw@feeds.example/x");
        assert!(user.starts_with("https://feeds.example/x#"), "{user}");
        assert!(!user.contains("pw"));
    }

    #[test]
    fn id_hashes_are_stable() {
        assert_eq!(id_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(id_hash("a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn local_paths_and_file_urls() {
        assert_eq!(local_path("file:///tmp/a.xml"), PathBuf::from("/tmp/a.xml"));
        assert_eq!(local_path("feeds/a.xml"), PathBuf::from("feeds/a.xml"));
    }
}
