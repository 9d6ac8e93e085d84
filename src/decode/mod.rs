//! Decoding: one JSON line in, one [`Post`] out (SPEC §3).
//!
//! The format is detected per line: a Mastodon Status (or a Notification
//! carrying one), a Bluesky `feedViewPost`, or the native circles format. All
//! three are read by one borrowed serde pass over [`Item`], the union of
//! their top-level keys; `mentions`, the one key whose shape differs, takes
//! either shape per entry. Every string is sanitized on the way out.

//!
//! May touch: `model`. No I/O beyond reading from a `BufRead` in [`lines`].

mod bluesky;
mod fast;
mod html;
mod lines;
mod mastodon;
mod native;

pub use html::html_to_text;
pub use lines::{LineError, Lines, MAX_LINE_BYTES};

use crate::model::Post;
use serde::Deserialize;
use std::borrow::Cow;

/// Why a line could not be turned into a post.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("not valid UTF-8 (bad byte at offset {0})")]
    Utf8(usize),
    #[error("invalid JSON: {0}")]
    Json(String),
    #[error(
        "unknown format: expected a Mastodon status, a Bluesky feed item or a circles post \
         (keys: {0})"
    )]
    UnknownShape(String),
    #[error("{format}: {why}")]
    Invalid { format: &'static str, why: String },
    /// A valid item that is not a post for the timeline (a Mastodon follow,
    /// favourite or reblog notification): skipped, not an error.
    #[error("a Mastodon `{0}` notification is not a post for the timeline")]
    NotAPost(String),
}

impl DecodeError {
    fn invalid(format: &'static str, why: impl Into<String>) -> Self {
        DecodeError::Invalid {
            format,
            why: why.into(),
        }
    }
}

/// Decodes one line of input (bytes, as read) from the named source.
pub fn decode_line(line: &[u8], source: &str) -> Result<Post, DecodeError> {
    decode(utf8(line)?, source)
}

/// Decodes one JSON document into a post.
pub fn decode(json: &str, source: &str) -> Result<Post, DecodeError> {
    match fast::mastodon_status(json) {
        Some(status) => mastodon::decode_status(status, source),
        None => decode_general(json, source),
    }
}

/// Decodes a stream of lines, remembering across lines what makes the next
/// ones cheaper to read (Mastodon account objects already read and the order
/// of a status's keys; see `fast::Memory`). The posts are exactly those of
/// [`decode_line`], unless made [`Decoder::for_routing`].
pub struct Decoder {
    memory: fast::Memory,
    fields: mastodon::Fields,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder {
            memory: fast::Memory::default(),
            fields: mastodon::Fields::All,
        }
    }
}

impl Decoder {
    /// A decoder whose Mastodon posts carry only what routing and the
    /// verdict lines of `circles route` read: no URI, URLs, links,
    /// visibility, or display names and profile URLs of the accounts it
    /// caches (nearly all), which cost a copy each and are never looked at
    /// there. Which lines are errors does not change.
    pub fn for_routing() -> Self {
        Decoder {
            fields: mastodon::Fields::Routing,
            ..Decoder::default()
        }
    }

    pub fn decode_line(&mut self, line: &[u8], source: &str) -> Result<Post, DecodeError> {
        let mut post = Post::blank();
        self.decode_line_into(line, source, &mut post)?;
        Ok(post)
    }

    /// [`Self::decode_line`] into `post`, whose strings and lists are
    /// refilled in place: a reader that passes the same post for every line
    /// of a stream saves most of the allocation a new post costs. On an
    /// error, `post` holds no meaningful post.
    pub fn decode_line_into(
        &mut self,
        line: &[u8],
        source: &str,
        post: &mut Post,
    ) -> Result<(), DecodeError> {
        let json = utf8(line)?;
        match fast::mastodon_status_with(json, Some(&mut self.memory)) {
            Some(mut status) => {
                let decoded = mastodon::decode_status_into(
                    &status,
                    source,
                    Some(&mut self.memory),
                    self.fields,
                    post,
                );
                status.give_back(&mut self.memory.spares.strings);
                decoded
            }
            None => {
                *post = decode_general(json, source)?;
                Ok(())
            }
        }
    }
}

/// Whether `text` is a JSON string's contents as it is: no quote,
/// backslash or control character that would need an escape. (The writer
/// of verdict lines asks this of every id and handle; the JSON reader's
/// 16-bytes-a-step scan answers it.)
pub fn is_plain_json_string(text: &str) -> bool {
    fast::string_stop(text.as_bytes()).is_none()
}

fn utf8(line: &[u8]) -> Result<&str, DecodeError> {
    // simdutf8 checks a whole line several times faster than `std`; its
    // `compat` flavour, run only on a bad line, says where the fault is.
    match simdutf8::basic::from_utf8(line) {
        Ok(text) => Ok(text),
        Err(_) => {
            let e = simdutf8::compat::from_utf8(line).expect_err("the line is not UTF-8");
            Err(DecodeError::Utf8(e.valid_up_to()))
        }
    }
}

/// Every format, through serde; also the judge of every line the fast
/// Mastodon reader passes on.
fn decode_general(json: &str, source: &str) -> Result<Post, DecodeError> {
    if !json.trim_start().starts_with('{') {
        return Err(not_an_object(json));
    }
    let item: Item<'_> = serde_json::from_str(json).map_err(json_error)?;
    if let Some(feed_item) = item.post {
        return bluesky::decode_feed_item(feed_item, item.reply, item.reason, source);
    }
    if let Some(kind) = &item.kind
        && item.account.is_some()
    {
        return match item.status {
            Some(status) if matches!(kind.as_ref(), "mention" | "status" | "update") => {
                mastodon::decode_status(*status, source)
            }
            _ => Err(DecodeError::NotAPost(kind.to_string())),
        };
    }
    if item.account.is_some() && (item.content.is_some() || item.reblog.is_some()) {
        return mastodon::decode_status(item.into_status()?, source);
    }
    if item.author.is_some() && item.text.is_some() {
        return native::decode(item, source);
    }
    Err(DecodeError::UnknownShape(top_level_keys(json)))
}

/// The keys of a JSON object, for the "unknown format" message (error path
/// only, so the second parse costs nothing on good input).
fn top_level_keys(json: &str) -> String {
    let keys: Vec<String> =
        serde_json::from_str::<std::collections::BTreeMap<String, serde::de::IgnoredAny>>(json)
            .map(|map| map.into_keys().take(12).collect())
            .unwrap_or_default();
    if keys.is_empty() {
        "none".to_string()
    } else {
        keys.join(", ")
    }
}

/// The error for a line that is not a JSON object: which JSON value it is,
/// or why it is no JSON at all.
fn not_an_object(json: &str) -> DecodeError {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(value) => {
            let kind = match value {
                serde_json::Value::Array(_) => "an array",
                serde_json::Value::String(_) => "a string",
                serde_json::Value::Number(_) => "a number",
                serde_json::Value::Bool(_) => "a boolean",
                serde_json::Value::Null => "null",
                serde_json::Value::Object(_) => "an object",
            };
            DecodeError::UnknownShape(format!("none: the line is {kind}, not an object"))
        }
        Err(e) => json_error(e),
    }
}

fn json_error(e: serde_json::Error) -> DecodeError {
    use serde_json::error::Category;
    // serde_json's message already ends with "at line 1 column N".
    DecodeError::Json(match e.classify() {
        Category::Eof => format!("truncated: {e}"),
        Category::Data => format!("a key has a value of the wrong type: {e}"),
        Category::Syntax | Category::Io => format!("malformed: {e}"),
    })
}

/// Every top-level key any supported format uses. Keys whose shape differs
/// between formats are `RawValue`s, decoded once the format is known.
#[derive(Deserialize)]
struct Item<'a> {
    // Shared by Mastodon and native.
    #[serde(borrow)]
    id: Option<IdValue<'a>>,
    #[serde(borrow)]
    created_at: Option<Cow<'a, str>>,
    #[serde(borrow)]
    url: Option<Cow<'a, str>>,
    #[serde(borrow)]
    language: Option<Cow<'a, str>>,
    #[serde(borrow)]
    visibility: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    mentions: Vec<MentionEntry<'a>>,
    #[serde(borrow, default)]
    tags: Vec<mastodon::Tag<'a>>,

    // Mastodon Status and Notification.
    #[serde(borrow)]
    account: Option<mastodon::Account<'a>>,
    #[serde(borrow)]
    content: Option<Cow<'a, str>>,
    #[serde(borrow)]
    reblog: Option<Box<mastodon::Status<'a>>>,
    #[serde(borrow)]
    uri: Option<Cow<'a, str>>,
    #[serde(borrow)]
    spoiler_text: Option<Cow<'a, str>>,
    #[serde(borrow)]
    in_reply_to_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    in_reply_to_account_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    media_attachments: Vec<mastodon::Attachment<'a>>,
    #[serde(borrow)]
    card: Option<mastodon::Card<'a>>,
    #[serde(borrow, rename = "type")]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    status: Option<Box<mastodon::Status<'a>>>,

    // Bluesky feedViewPost.
    #[serde(borrow)]
    post: Option<bluesky::PostView<'a>>,
    #[serde(borrow)]
    reply: Option<bluesky::ReplyContext<'a>>,
    #[serde(borrow)]
    reason: Option<bluesky::Reason<'a>>,

    // Native.
    #[serde(borrow)]
    author: Option<native::Person<'a>>,
    #[serde(borrow)]
    text: Option<Cow<'a, str>>,
    #[serde(borrow)]
    source: Option<Cow<'a, str>>,
    #[serde(borrow)]
    boosted_by: Option<native::Person<'a>>,
    #[serde(borrow)]
    cw: Option<Cow<'a, str>>,
    #[serde(borrow)]
    reply_to: Option<native::ReplyRef<'a>>,
    #[serde(borrow, default)]
    hashtags: Vec<Cow<'a, str>>,
    #[serde(borrow, default)]
    links: Vec<Cow<'a, str>>,
    #[serde(borrow, default)]
    media: Vec<native::NativeMedia<'a>>,
}

/// A `mentions` entry: a Mastodon Mention object, or a native handle string.
///
/// Deserialized by hand: `#[serde(untagged)]` would first buffer every entry
/// (and every `id` below) into serde's private `Content` tree and then try
/// each variant, which showed up in the routing profile.
enum MentionEntry<'a> {
    Handle(Cow<'a, str>),
    Mastodon(mastodon::Mention<'a>),
}

impl<'de: 'a, 'a> Deserialize<'de> for MentionEntry<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entry<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Entry<'a> {
            type Value = MentionEntry<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mention: a handle string or a Mastodon Mention object")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(MentionEntry::Handle(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(MentionEntry::Handle(Cow::Owned(v.to_string())))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                mastodon::Mention::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(MentionEntry::Mastodon)
            }
        }
        deserializer.deserialize_any(Entry(std::marker::PhantomData))
    }
}

/// Ids are strings in every API, but hand-written native lines may use numbers.
enum IdValue<'a> {
    Text(Cow<'a, str>),
    Number(u64),
}

impl<'de: 'a, 'a> Deserialize<'de> for IdValue<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Id<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Id<'a> {
            type Value = IdValue<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an id: a string or a non-negative integer")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(IdValue::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(IdValue::Text(Cow::Owned(v.to_string())))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
                Ok(IdValue::Number(v))
            }
        }
        deserializer.deserialize_any(Id(std::marker::PhantomData))
    }
}

impl IdValue<'_> {
    fn into_string(self) -> String {
        match self {
            IdValue::Text(t) => t.into_owned(),
            IdValue::Number(n) => n.to_string(),
        }
    }
}

impl<'a> Item<'a> {
    fn into_status(self) -> Result<mastodon::Status<'a>, DecodeError> {
        let missing = |field: &str| {
            DecodeError::invalid("Mastodon status", format!("missing field `{field}`"))
        };
        Ok(mastodon::Status {
            id: self.id.ok_or_else(|| missing("id"))?.into_string().into(),
            created_at: self.created_at.ok_or_else(|| missing("created_at"))?,
            url: self.url,
            uri: self.uri,
            language: self.language,
            visibility: self.visibility,
            account: self.account.ok_or_else(|| missing("account"))?,
            content: self.content.unwrap_or_default(),
            reblog: self.reblog,
            spoiler_text: self.spoiler_text.unwrap_or_default(),
            in_reply_to_id: self.in_reply_to_id,
            in_reply_to_account_id: self.in_reply_to_account_id,
            mentions: self
                .mentions
                .into_iter()
                .map(|m| match m {
                    MentionEntry::Mastodon(m) => Ok(m),
                    MentionEntry::Handle(_) => Err(DecodeError::invalid(
                        "Mastodon status",
                        "`mentions` holds Mention objects, not strings",
                    )),
                })
                .collect::<Result<_, _>>()?,
            tags: self.tags,
            media_attachments: self.media_attachments,
            card: self.card,
        })
    }
}

/// Parses an RFC 3339 timestamp as the APIs write them.
fn parse_time(
    text: &str,
    format: &'static str,
    field: &str,
) -> Result<chrono::DateTime<chrono::Utc>, DecodeError> {
    if let Some(time) = utc_millis(text) {
        return Ok(time);
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| {
            DecodeError::invalid(
                format,
                format!("`{field}` {text:?} is not an RFC 3339 time: {e}"),
            )
        })
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, the one form Mastodon writes every time in,
/// read directly; anything else (or any doubt: a leap second, a bad date)
/// is left to chrono's RFC 3339 parser, which costs five times as much and
/// would otherwise be a tenth of reading a post for `circles route`.
fn utc_millis(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let b: &[u8; 24] = text.as_bytes().try_into().ok()?;
    let digits = |range: std::ops::Range<usize>| {
        b[range].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    if (b[4], b[7], b[10], b[13], b[16], b[19], b[23]) != (b'-', b'-', b'T', b':', b':', b'.', b'Z')
    {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(
        i32::try_from(digits(0..4)?).ok()?,
        digits(5..7)?,
        digits(8..10)?,
    )?;
    let time = date.and_hms_milli_opt(
        digits(11..13)?,
        digits(14..16)?,
        digits(17..19)?,
        digits(20..23)?,
    )?;
    Some(time.and_utc())
}

/// The host of an `https://host/…` URL, lowercase.
fn url_host(url: &str) -> Option<String> {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = after_scheme.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// Sanitizes a single-line string into an owned value.
fn line_text(text: &str) -> String {
    crate::model::sanitize_line(text).into_owned()
}

/// Sanitizes a multi-line string into an owned value.
fn body_text(text: &str) -> String {
    crate::model::sanitize(text).into_owned()
}

/// Makes `to` the sanitized single-line `text`, reusing its buffer.
fn set_line(to: &mut String, text: &str) {
    assign(to, crate::model::sanitize_line(text));
}

/// Makes `to` the sanitized multi-line `text`, reusing its buffer.
fn set_body(to: &mut String, text: &str) {
    assign(to, crate::model::sanitize(text));
}

/// Makes `to` a sanitizer's output: copied into `to`'s buffer when it is
/// the input itself (nearly always), else moved in.
fn assign(to: &mut String, clean: Cow<'_, str>) {
    match clean {
        Cow::Borrowed(clean) => {
            to.clear();
            to.push_str(clean);
        }
        Cow::Owned(clean) => *to = clean,
    }
}

/// Sanitizes a string the decoder already owns in place, with `sanitizer`
/// ([`crate::model::sanitize`] or [`crate::model::sanitize_line`]); it is
/// nearly always clean, and then left as it is.
fn sanitize_in_place(text: &mut String, sanitizer: impl Fn(&str) -> Cow<'_, str>) {
    if let Cow::Owned(clean) = sanitizer(text) {
        *text = clean;
    }
}

/// Makes `to` hold `text` set by `set`, reusing the string already there.
fn set_optional(to: &mut Option<String>, text: Option<&str>, set: fn(&mut String, &str)) {
    match text {
        Some(text) => set(to.get_or_insert_with(String::new), text),
        None => *to = None,
    }
}

/// [`set_optional`] with [`set_body`], where an empty text (after
/// sanitizing) is none: a content warning, a media description.
fn set_nonempty_body(to: &mut Option<String>, text: Option<&str>) {
    set_optional(to, text, set_body);
    if to.as_deref() == Some("") {
        *to = None;
    }
}

/// What a stream decoder's lines no longer hold, kept for later lines.
#[derive(Default)]
pub(super) struct Spares {
    /// Buffers of decoded strings (see `Status::give_back`), for the next
    /// line's escaped strings.
    pub strings: Vec<String>,
    /// Items of posts (see [`fill_list`]).
    pub mentions: Vec<crate::model::Mention>,
    pub hashtags: Vec<String>,
    pub media: Vec<crate::model::Media>,
}

/// Makes `to` as long as `from`, each item filled by `fill`: items already
/// there are refilled in place, so their buffers are reused, and so are the
/// items of `spare`, which takes those `to` no longer needs (posts hold a
/// few mentions or hashtags one line and none the next).
fn fill_list<T, S>(
    to: &mut Vec<T>,
    from: &[S],
    spare: &mut Vec<T>,
    blank: impl Fn() -> T,
    mut fill: impl FnMut(&mut T, &S),
) {
    /// Spare items kept at most, per kind.
    const KEEP: usize = 32;
    if to.len() > from.len() {
        let room = KEEP.saturating_sub(spare.len());
        // (what does not fit is dropped with the drain)
        spare.extend(to.drain(from.len()..).take(room));
    }
    for (i, item) in from.iter().enumerate() {
        if i == to.len() {
            to.push(spare.pop().unwrap_or_else(&blank));
        }
        fill(&mut to[i], item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_shapes_and_bad_json_are_reported() {
        assert!(matches!(
            decode(r#"{"hello":1}"#, "t"),
            Err(DecodeError::UnknownShape(_))
        ));
        let err = decode(r#"{"id":"1","account":"#, "t")
            .unwrap_err()
            .to_string();
        assert!(err.contains("truncated"), "{err}");
        let err = decode("not json", "t").unwrap_err().to_string();
        assert!(
            err.contains("malformed: expected ident at line 1 column 2"),
            "{err}"
        );
        let err = decode("[1, 2]", "t").unwrap_err().to_string();
        assert!(err.contains("the line is an array, not an object"), "{err}");
        let err = decode_line(b"{\"a\":\"\xff\"}", "t")
            .unwrap_err()
            .to_string();
        assert!(err.contains("offset 6"), "{err}");
    }

    proptest::proptest! {
        /// The fast path reads Mastodon's form as chrono does, and leaves
        /// every other string (near misses included) to chrono.
        #[test]
        fn times_read_as_chrono_reads_them(
            time in "[0-9]{4}-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-6][0-9]:[0-6][0-9]\\.[0-9]{1,4}(Z|z|\\+00:00)"
        ) {
            let chrono = chrono::DateTime::parse_from_rfc3339(&time)
                .ok()
                .map(|t| t.with_timezone(&chrono::Utc));
            if let Some(fast) = utc_millis(&time) {
                proptest::prop_assert_eq!(Some(fast), chrono);
            }
            proptest::prop_assert_eq!(
                parse_time(&time, "t", "f").ok(),
                chrono
            );
        }
    }

    #[test]
    fn mastodon_times_take_the_fast_path() {
        let time = utc_millis("2024-11-20T11:59:56.873Z").unwrap();
        assert_eq!(
            Some(time),
            chrono::DateTime::parse_from_rfc3339("2024-11-20T11:59:56.873Z")
                .ok()
                .map(|t| t.with_timezone(&chrono::Utc))
        );
        // a leap second and an impossible date go to chrono
        assert!(utc_millis("2016-12-31T23:59:60.000Z").is_none());
        assert!(parse_time("2016-12-31T23:59:60.000Z", "t", "f").is_ok());
        assert!(utc_millis("2023-02-29T00:00:00.000Z").is_none());
        assert!(parse_time("2023-02-29T00:00:00.000Z", "t", "f").is_err());
    }

    #[test]
    fn url_hosts() {
        assert_eq!(
            url_host("https://Hachyderm.io/@alice").as_deref(),
            Some("hachyderm.io")
        );
        assert_eq!(
            url_host("https://x.social:8443").as_deref(),
            Some("x.social:8443")
        );
        assert_eq!(url_host(""), None);
    }
}
