//! Decoding: one JSON line in, one [`Post`] out (ARCHITECTURE.md,
//! "Layers").
//!
//! The format is detected per line: a Mastodon Status (or a Notification
//! carrying one), a Bluesky `feedViewPost`, or the native circles format. All
//! three are read by one borrowed serde pass over [`wire::Item`], the union
//! of their top-level keys; `mentions`, the one key whose shape differs,
//! takes either shape per entry. Then the format's decoder ([`mastodon`],
//! [`bluesky`], [`native`]) makes the post. Every string is sanitized on
//! the way out.
//!
//! `circles route` reads through [`stream::Decoder`] instead, the fast path
//! fenced off in its own module; it gives the same posts.
//!
//! May touch: `model`. No I/O beyond reading from a `BufRead` in [`lines`].

pub mod bluesky;
mod entities;
mod html;
mod lines;
pub mod mastodon;
mod native;
pub mod stream;
pub mod wire;

pub use html::html_to_text;
pub use lines::{LineError, Lines, MAX_LINE_BYTES};

use crate::model::Post;
use wire::Item;

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
}

impl DecodeError {
    pub(super) fn invalid(format: &'static str, why: impl Into<String>) -> Self {
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

/// Decodes one JSON document into a post: serde reads it into the wire
/// types ([`wire`]), and the format's decoder turns those into a post,
/// kept within the model's limits (a huge text is cut, with a marker).
/// `circles route` reads lines whole instead: its verdicts are about the
/// line as given.
pub fn decode(json: &str, source: &str) -> Result<Post, DecodeError> {
    decode_general(json, source).map(Post::within_limits)
}

/// One page of Mastodon's grouped notifications (`/api/v2/notifications`):
/// a card per group, the problems of the groups that could not be read
/// (each says which), and the page's newest and oldest notification ids.
pub fn decode_notification_groups(
    body: &str,
    source: &str,
) -> Result<mastodon::GroupsPage, DecodeError> {
    mastodon::decode_groups(body, source)
}

/// A Bluesky notification (an item of `listNotifications`), with the posts
/// fetched for it: `posts` maps a post's `at://` URI to its feed item
/// (`{"post": …}`, as `getPosts` gives them). A mention, reply or quote is
/// that post (from its own record when it was not fetched); a like or
/// repost is about the reader's post it names, when fetched.
pub fn decode_bluesky_notification(
    json: &str,
    posts: &std::collections::HashMap<String, String>,
    source: &str,
) -> Result<Post, DecodeError> {
    let notification: wire::bluesky::Notification<'_> =
        serde_json::from_str(json).map_err(json_error)?;
    bluesky::decode_notification(notification, posts, source).map(Post::within_limits)
}

pub(super) fn utf8(line: &[u8]) -> Result<&str, DecodeError> {
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
pub(super) fn decode_general(json: &str, source: &str) -> Result<Post, DecodeError> {
    if !json.trim_start().starts_with('{') {
        return Err(not_an_object(json));
    }
    let item: Item<'_> = serde_json::from_str(json).map_err(json_error)?;
    if let Some(feed_item) = item.post {
        let reason = match item.reason {
            Some(wire::ReasonEntry::Feed(reason)) => Some(reason),
            _ => None,
        };
        return bluesky::decode_feed_item(feed_item, item.reply, reason, source);
    }
    if let Some(wire::ReasonEntry::Notification(_)) = &item.reason
        && item.uri.is_some()
        && item.author.is_some()
    {
        return decode_bluesky_notification(json, &std::collections::HashMap::new(), source);
    }
    if item.kind.is_some() && item.account.is_some() {
        return mastodon::decode_notification(item, source);
    }
    if item.account.is_some() && (item.content.is_some() || item.reblog.is_some()) {
        return mastodon::decode_status(mastodon::status_of(item)?, source);
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

/// Parses an RFC 3339 timestamp as the APIs write them.
pub(super) fn parse_time(
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

/// Sanitizes a single-line string into an owned value.
pub(super) fn line_text(text: &str) -> String {
    crate::model::sanitize_line(text).into_owned()
}

/// Sanitizes a multi-line string into an owned value.
pub(super) fn body_text(text: &str) -> String {
    crate::model::sanitize(text).into_owned()
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
}
