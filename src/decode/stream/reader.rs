//! The streaming reader: a plain Mastodon status read straight from its
//! line.
//!
//! `circles route` spends most of its time reading JSON, and most of a
//! Mastodon status is keys and values routing never looks at (two full
//! account objects on a boost, counters, avatars, emoji lists…). This reader
//! walks a line once, picks out the fields of [`Status`] and steps over the
//! rest without building anything; the hot loop is a 16-byte SSE2 scan per
//! string.
//!
//! Hand-written because no crate does this job on stable Rust without
//! build flags: serde_json (with borrowed structs) is the correct general
//! path, and measured on the 100k-post benchmark timeline its bare token
//! scan alone (`IgnoredAny`) takes ~180 ms; sonic-rs needs
//! `-C target-cpu=native` and was slower without it; simd-json's tape costs
//! about the same as serde_json here.
//!
//! The contract keeps it safe: this reader accepts a subset of what the serde
//! path accepts and yields the same status for it. Whenever it meets
//! anything it does not fully handle — a raw control byte, an escaped key, an
//! unexpected type, a duplicate field, a key of another format, deep nesting,
//! or any JSON error — it answers `None` and the caller runs the serde path,
//! which then produces the value or the exact, located error. Tests compare
//! both paths on every fixture and on mutated lines.

use super::Memory;
use super::accounts::{ACCOUNT_MAX_BYTES, AccountCache, CacheKey, CachedAccount, CachedStr};
use crate::model::scan::{ByteSet, copy_until, find_first};
use std::borrow::Cow;

/// A Mastodon status as the reader yields it: the fields of the API's
/// Status entity circles reads (see `decode::wire::mastodon`, their serde
/// twins), borrowed from the line unless they held escapes.
pub(super) struct Status<'a> {
    pub id: Cow<'a, str>,
    pub created_at: Cow<'a, str>,
    pub url: Option<Cow<'a, str>>,
    pub uri: Option<Cow<'a, str>>,
    pub language: Option<Cow<'a, str>>,
    pub visibility: Option<Cow<'a, str>>,
    pub account: Account<'a>,
    pub content: Cow<'a, str>,
    pub reblog: Option<Box<Status<'a>>>,
    pub spoiler_text: Cow<'a, str>,
    pub in_reply_to_id: Option<Cow<'a, str>>,
    pub in_reply_to_account_id: Option<Cow<'a, str>>,
    pub mentions: Vec<Mention<'a>>,
    pub tags: Vec<Tag<'a>>,
    pub media_attachments: Vec<Attachment<'a>>,
    pub card: Option<Card<'a>>,
    pub sensitive: bool,
    pub favourited: Option<bool>,
    pub reblogged: Option<bool>,
    pub bookmarked: Option<bool>,
    pub replies_count: Option<u32>,
    pub reblogs_count: Option<u32>,
    pub favourites_count: Option<u32>,
}

impl Status<'_> {
    /// Gives the buffers of its decoded body and content warning back for
    /// the next line's escaped strings. (Mastodon escapes every `<` and `>`,
    /// so every body is decoded; other strings rarely are.)
    pub(super) fn give_back(&mut self, spare: &mut Vec<String>) {
        /// Enough for a status and its boost; a line of many escaped
        /// strings does not grow the pool.
        const KEEP: usize = 4;
        for text in [&mut self.content, &mut self.spoiler_text] {
            if let Cow::Owned(buffer) = std::mem::take(text)
                && spare.len() < KEEP
            {
                spare.push(buffer);
            }
        }
        if let Some(boosted) = &mut self.reblog {
            boosted.give_back(spare);
        }
    }
}

pub(super) struct Account<'a> {
    pub id: Option<Cow<'a, str>>,
    pub acct: Cow<'a, str>,
    pub display_name: Cow<'a, str>,
    pub url: Option<Cow<'a, str>>,
    /// Which object of the account cache it was read from, if any.
    pub cached: Option<CacheKey>,
}

pub(super) struct Mention<'a> {
    pub id: Option<Cow<'a, str>>,
    pub acct: Cow<'a, str>,
    pub url: Option<Cow<'a, str>>,
}

pub(super) struct Tag<'a> {
    pub name: Cow<'a, str>,
}

pub(super) struct Attachment<'a> {
    pub kind: Cow<'a, str>,
    pub url: Option<Cow<'a, str>>,
    pub description: Option<Cow<'a, str>>,
}

pub(super) struct Card<'a> {
    pub url: Cow<'a, str>,
}

/// Nesting deeper than this is left to serde_json (whose own limit is 128).
const MAX_DEPTH: u32 = 100;

/// Reads `json` as a Mastodon status if it is one this reader fully
/// handles, reusing and filling the memory of earlier lines (if any).
pub(super) fn read_status<'a>(json: &'a str, memory: Option<&mut Memory>) -> Option<Status<'a>> {
    let (accounts, order, spare) = match memory {
        Some(memory) => (
            Some(&mut memory.accounts),
            Some(&mut memory.order),
            Some(&mut memory.spares.strings),
        ),
        None => (None, None, None),
    };
    // JSON strings may not hold raw control bytes, and JSON lines hold no
    // whitespace but spaces (a CRLF line ends in one `\r`): the string
    // scanner stops at a control byte and gives the line up, and outside
    // strings only spaces are skipped.
    let body = json.strip_suffix('\r').unwrap_or(json);
    let mut scan = Scan {
        text: body,
        bytes: body.as_bytes(),
        at: 0,
        depth: 0,
        peak: 0,
        accounts,
        order,
        spare,
    };
    // (The status, some 500 bytes, stays where it was made: no moves.)
    let mut status = scan.status(Level::Top);
    scan.space();
    if scan.at != scan.bytes.len() {
        status = None;
    }
    status
}

/// The keys of a status, as the reader tells them apart. The fields come
/// first, numbered for [`Seen`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusKey {
    Id,
    CreatedAt,
    Url,
    Uri,
    Language,
    Visibility,
    Account,
    Content,
    Reblog,
    SpoilerText,
    InReplyToId,
    InReplyToAccountId,
    Mentions,
    Tags,
    MediaAttachments,
    Card,
    Sensitive,
    Favourited,
    Reblogged,
    Bookmarked,
    RepliesCount,
    ReblogsCount,
    FavouritesCount,
    /// A quote: `null` is stepped over; a quoted post leaves the line to
    /// the serde path, which reads it.
    Quote,
    /// A key that makes the line something else (a notification, a Bluesky
    /// item, a native post) or that serde would type check: on the line
    /// itself, the serde path decides.
    Foreign,
    /// Any other key: its value is stepped over.
    Other,
}

impl StatusKey {
    fn of(key: &[u8]) -> StatusKey {
        match key {
            b"id" => StatusKey::Id,
            b"created_at" => StatusKey::CreatedAt,
            b"url" => StatusKey::Url,
            b"uri" => StatusKey::Uri,
            b"language" => StatusKey::Language,
            b"visibility" => StatusKey::Visibility,
            b"account" => StatusKey::Account,
            b"content" => StatusKey::Content,
            b"reblog" => StatusKey::Reblog,
            b"spoiler_text" => StatusKey::SpoilerText,
            b"in_reply_to_id" => StatusKey::InReplyToId,
            b"in_reply_to_account_id" => StatusKey::InReplyToAccountId,
            b"mentions" => StatusKey::Mentions,
            b"tags" => StatusKey::Tags,
            b"media_attachments" => StatusKey::MediaAttachments,
            b"card" => StatusKey::Card,
            b"sensitive" => StatusKey::Sensitive,
            b"favourited" => StatusKey::Favourited,
            b"reblogged" => StatusKey::Reblogged,
            b"bookmarked" => StatusKey::Bookmarked,
            b"replies_count" => StatusKey::RepliesCount,
            b"reblogs_count" => StatusKey::ReblogsCount,
            b"favourites_count" => StatusKey::FavouritesCount,
            b"quote" => StatusKey::Quote,
            b"type" | b"status" | b"post" | b"reply" | b"reason" | b"author" | b"text"
            | b"source" | b"boosted_by" | b"cw" | b"reply_to" | b"hashtags" | b"links"
            | b"media" => StatusKey::Foreign,
            _ => StatusKey::Other,
        }
    }

    fn is_field(self) -> bool {
        !matches!(self, StatusKey::Foreign | StatusKey::Other)
    }
}

/// The keys of the last statuses read, in order, as their raw bytes
/// (`"key":`): one list for statuses on the line itself, one for boosted
/// ones.
///
/// A server writes every status with the same keys in the same order, so
/// the key at the cursor is nearly always the one found at the same place
/// in the previous status. When the bytes there are exactly those, the key
/// is known without scanning and telling it apart again. Any other key is
/// read as usual and takes the place.
#[derive(Default)]
pub(super) struct KeyOrder {
    levels: [Vec<RememberedKey>; 2],
}

#[derive(Clone, Copy)]
struct RememberedKey {
    /// `"key":`, at most [`KEY_BYTES`] bytes, zero-padded.
    raw: [u8; KEY_BYTES],
    /// Which bytes of `raw` are the key's, as two masks over 16 bytes
    /// each: the key is compared with the bytes at the cursor in two
    /// 16-byte steps, not by a `memcmp` call (thirty of them a status).
    mask: [u128; 2],
    len: u8,
    key: StatusKey,
}

/// Keys are remembered up to this length (quotes and colon included), and
/// this many per status.
const KEY_BYTES: usize = 32;
const KEYS_PER_STATUS: usize = 64;

impl KeyOrder {
    /// The key at `index` of a status at `level`, if `rest` starts with it;
    /// returns it and its length.
    #[inline]
    fn recall(&self, level: Level, index: usize, rest: &[u8]) -> Option<(StatusKey, usize)> {
        let remembered = self.levels[level as usize].get(index)?;
        let len = usize::from(remembered.len);
        let same = match rest.first_chunk::<KEY_BYTES>() {
            Some(head) => {
                let differ = |i: usize| {
                    let word = |bytes: &[u8; KEY_BYTES]| {
                        u128::from_le_bytes(bytes[16 * i..16 * i + 16].try_into().expect("16"))
                    };
                    (word(head) ^ word(&remembered.raw)) & remembered.mask[i]
                };
                differ(0) | differ(1) == 0
            }
            // the last bytes of a line
            None => rest.starts_with(&remembered.raw[..len]),
        };
        same.then_some((remembered.key, len))
    }

    fn remember(&mut self, level: Level, index: usize, raw: &[u8], key: StatusKey) {
        let keys = &mut self.levels[level as usize];
        if raw.len() > KEY_BYTES || index > keys.len() || index >= KEYS_PER_STATUS {
            return;
        }
        let mut remembered = RememberedKey {
            raw: [0; KEY_BYTES],
            mask: [0; 2],
            len: raw.len() as u8,
            key,
        };
        remembered.raw[..raw.len()].copy_from_slice(raw);
        for (i, mask) in remembered.mask.iter_mut().enumerate() {
            let bytes = raw.len().saturating_sub(16 * i).min(16);
            *mask = u128::MAX.checked_shr(128 - 8 * bytes as u32).unwrap_or(0);
        }
        if index == keys.len() {
            keys.push(remembered);
        } else {
            keys[index] = remembered;
        }
    }
}

/// Where a status sits: the line itself (serde's `Item`, whose fields are all
/// optional) or a nested `reblog` (serde's `Status`, with required fields).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Level {
    Top = 0,
    Nested = 1,
}

pub(super) struct Scan<'a, 'c> {
    pub(super) text: &'a str,
    pub(super) bytes: &'a [u8],
    pub(super) at: usize,
    pub(super) depth: u32,
    /// The deepest nesting reached, for the account cache.
    pub(super) peak: u32,
    pub(super) accounts: Option<&'c mut AccountCache>,
    pub(super) order: Option<&'c mut KeyOrder>,
    pub(super) spare: Option<&'c mut Vec<String>>,
}

/// Which fields an object has already had: serde rejects a repeated field.
#[derive(Default)]
struct Seen(u32);

impl Seen {
    fn first(&mut self, field: u32) -> Option<()> {
        let bit = 1 << field;
        if self.0 & bit != 0 {
            return None;
        }
        self.0 |= bit;
        Some(())
    }
}

impl<'a> Scan<'a, '_> {
    #[inline(always)]
    fn space(&mut self) {
        while self.bytes.get(self.at) == Some(&b' ') {
            self.at += 1;
        }
    }

    #[inline(always)]
    fn peek(&mut self) -> Option<u8> {
        // Servers write JSON without spaces: one look settles it.
        match *self.bytes.get(self.at)? {
            b' ' => {
                self.space();
                self.bytes.get(self.at).copied()
            }
            byte => Some(byte),
        }
    }

    #[inline(always)]
    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// A string at the cursor, stepped over: the span of its raw contents
    /// and whether it holds escapes (which are checked here).
    #[inline(always)]
    fn raw_string(&mut self) -> Option<(usize, usize, bool)> {
        self.eat(b'"')?;
        let start = self.at;
        let mut escaped = false;
        loop {
            self.at += string_stop(&self.bytes[self.at..])?;
            match self.bytes[self.at] {
                b'"' => {
                    let end = self.at;
                    self.at += 1;
                    return Some((start, end, escaped));
                }
                b'\\' => {
                    escaped = true;
                    self.escape()?;
                }
                _ => return None,
            }
        }
    }

    /// A string value, borrowed from the line unless it holds escapes, which
    /// are decoded in the same pass that finds its end.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.eat(b'"')?;
        let start = self.at;
        self.at += string_stop(&self.bytes[self.at..])?;
        if self.bytes[self.at] == b'"' {
            self.at += 1;
            return Some(Cow::Borrowed(&self.text[start..self.at - 1]));
        }
        // Escaped: decoded into a buffer an earlier line gave back, if any
        // (see `Status::give_back`).
        let mut out = self
            .spare
            .as_deref_mut()
            .and_then(Vec::pop)
            .unwrap_or_default();
        out.clear();
        {
            // SAFETY: only whole UTF-8 sequences are written: runs of the
            // line (a `str`) that end before an ASCII byte, and encoded
            // chars.
            let out = unsafe { out.as_mut_vec() };
            out.extend_from_slice(&self.bytes[start..self.at]);
            loop {
                match self.bytes[self.at] {
                    b'"' => break,
                    b'\\' => {
                        let c = match self.bytes.get(self.at + 1..self.at + 6) {
                            // `\u00XX` of an ASCII character, told at once:
                            // Mastodon writes every `<`, `>` and `&` so
                            // (`\u003c`, `\u003e`, `\u0026`). Kept here, in
                            // the decoding loop, rather than in `escape`,
                            // which also serves the scans that only step over
                            // strings.
                            Some(&[b'u', b'0', b'0', high @ b'0'..=b'7', low])
                                if HEX[usize::from(low)] != 0xff =>
                            {
                                self.at += 6;
                                char::from((high - b'0') << 4 | HEX[usize::from(low)])
                            }
                            _ => self.escape()?,
                        };
                        match u8::try_from(c) {
                            Ok(ascii) if ascii.is_ascii() => out.push(ascii),
                            _ => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
                        }
                    }
                    _ => return None,
                }
                // The next run, looked at a window at a time: the copy
                // makes room for all it is given, and the rest of the line
                // may be a megabyte where the string is a few bytes.
                loop {
                    let end = self.bytes.len().min(self.at + RUN_WINDOW);
                    match copy_until(&self.bytes[self.at..end], STRING_STOP, out) {
                        Some(run) => {
                            self.at += run;
                            break;
                        }
                        None if end < self.bytes.len() => self.at = end,
                        None => return None,
                    }
                }
            }
        }
        self.at += 1;
        Some(Cow::Owned(out))
    }

    /// The escape at the cursor (a backslash), decoded; the cursor moves past
    /// it. Lone or mismatched surrogates are left to serde to judge.
    #[inline(always)]
    fn escape(&mut self) -> Option<char> {
        let c = match *self.bytes.get(self.at + 1)? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = hex4(self.bytes.get(self.at + 2..self.at + 6)?)?;
                self.at += 6;
                return match unit {
                    0xd800..=0xdbff => {
                        if self.bytes.get(self.at..self.at + 2)? != b"\\u" {
                            return None;
                        }
                        let low = hex4(self.bytes.get(self.at + 2..self.at + 6)?)?;
                        if !(0xdc00..=0xdfff).contains(&low) {
                            return None;
                        }
                        self.at += 6;
                        char::from_u32(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00))
                    }
                    0xdc00..=0xdfff => None,
                    _ => char::from_u32(unit),
                };
            }
            _ => return None,
        };
        self.at += 2;
        Some(c)
    }

    /// A string or `null`.
    fn optional_string(&mut self) -> Option<Option<Cow<'a, str>>> {
        if self.null()? {
            Some(None)
        } else {
            self.string().map(Some)
        }
    }

    /// `true` or `false` (serde's `bool`: anything else is not a status).
    fn boolean(&mut self) -> Option<bool> {
        if self.peek()? == b't' {
            self.literal(b"true").map(|()| true)
        } else {
            self.literal(b"false").map(|()| false)
        }
    }

    /// `true`, `false` or `null` (serde's `Option<bool>`).
    fn optional_boolean(&mut self) -> Option<Option<bool>> {
        if self.null()? {
            Some(None)
        } else {
            self.boolean().map(Some)
        }
    }

    /// A count: `null`, or a whole number of at most nine digits. Any
    /// other number (negative, fractional, huge) is left to serde's
    /// lenient `wire::count`.
    fn count(&mut self) -> Option<Option<u32>> {
        if self.null()? {
            return Some(None);
        }
        let start = self.at;
        self.digits();
        let digits = self.bytes.get(start..self.at)?;
        let plain = matches!(digits, [b'0'] | [b'1'..=b'9', ..]) && digits.len() <= 9;
        let next = self.bytes.get(self.at).copied();
        if !plain || matches!(next, Some(b'.' | b'e' | b'E')) {
            return None;
        }
        digits
            .iter()
            .try_fold(0u32, |n, d| Some(n * 10 + u32::from(d - b'0')))
            .map(Some)
    }

    /// Whether the value at the cursor is `null` (consumed if so).
    fn null(&mut self) -> Option<bool> {
        if self.peek()? != b'n' {
            return Some(false);
        }
        self.literal(b"null")?;
        Some(true)
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        (self.bytes.get(self.at..self.at + word.len())? == word).then(|| self.at += word.len())
    }

    /// Steps over any JSON value, checking it as serde_json would.
    pub(super) fn skip(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.raw_string().map(drop),
            b'{' => self.object(|scan, _| scan.skip()),
            b'[' => self.array(|scan| scan.skip()),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`; whatever follows is
    /// checked by the caller (a `,`, `}` or `]`).
    fn number(&mut self) -> Option<()> {
        if self.bytes.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        match *self.bytes.get(self.at)? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            self.some_digits()?;
        }
        if matches!(self.bytes.get(self.at), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.bytes.get(self.at), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.some_digits()?;
        }
        Some(())
    }

    fn digits(&mut self) {
        while self.bytes.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
    }

    fn some_digits(&mut self) -> Option<()> {
        let start = self.at;
        self.digits();
        (self.at > start).then_some(())
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        self.peak = self.peak.max(self.depth);
        (self.depth <= MAX_DEPTH).then_some(())
    }

    /// A status object: [`Self::object`] with its keys told apart once, and
    /// recalled from the previous status when they come in the same order.
    fn status_object(
        &mut self,
        level: Level,
        mut each: impl FnMut(&mut Self, StatusKey) -> Option<()>,
    ) -> Option<()> {
        if self.open(b'{', b'}')? {
            let mut index = 0;
            loop {
                let recalled = self
                    .order
                    .as_deref()
                    .and_then(|order| order.recall(level, index, &self.bytes[self.at..]));
                let key = match recalled {
                    Some((key, len)) => {
                        self.at += len;
                        key
                    }
                    None => {
                        self.peek()?;
                        let quote = self.at;
                        let key = StatusKey::of(self.key()?);
                        if let Some(order) = self.order.as_deref_mut() {
                            order.remember(level, index, &self.bytes[quote..self.at], key);
                        }
                        key
                    }
                };
                each(self, key)?;
                index += 1;
                if !self.next_member(b'}')? {
                    break;
                }
            }
        }
        self.depth -= 1;
        Some(())
    }

    /// Opens a container: its opening byte, then whether it has members
    /// (an empty one is closed here).
    fn open(&mut self, open: u8, close: u8) -> Option<bool> {
        self.eat(open)?;
        self.enter()?;
        if self.peek()? == close {
            self.at += 1;
            return Some(false);
        }
        Some(true)
    }

    /// After a member: whether another follows (a `,`) or the container
    /// ends (its closing byte).
    fn next_member(&mut self, close: u8) -> Option<bool> {
        match self.peek()? {
            b',' => {
                self.at += 1;
                Some(true)
            }
            byte if byte == close => {
                self.at += 1;
                Some(false)
            }
            _ => None,
        }
    }

    /// An object: `each` is called with every key (unescaped keys only) and
    /// must consume its value.
    fn object(&mut self, mut each: impl FnMut(&mut Self, &'a [u8]) -> Option<()>) -> Option<()> {
        if self.open(b'{', b'}')? {
            loop {
                let key = self.key()?;
                each(self, key)?;
                if !self.next_member(b'}')? {
                    break;
                }
            }
        }
        self.depth -= 1;
        Some(())
    }

    /// A member's key and its colon; an escaped key is left to serde.
    #[inline(always)]
    fn key(&mut self) -> Option<&'a [u8]> {
        let (start, end, escaped) = self.raw_string()?;
        if escaped {
            return None;
        }
        self.eat(b':')?;
        Some(&self.bytes[start..end])
    }

    /// An array: `each` must consume one element.
    fn array(&mut self, mut each: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        if self.open(b'[', b']')? {
            loop {
                each(self)?;
                if !self.next_member(b']')? {
                    break;
                }
            }
        }
        self.depth -= 1;
        Some(())
    }

    /// An array of objects read by `one` (serde's `Vec<T>` with `default`:
    /// `null` is an error there, so it is left to serde here).
    fn list<T>(&mut self, mut one: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let mut items = Vec::new();
        self.array(|scan| {
            items.push(one(scan)?);
            Some(())
        })?;
        Some(items)
    }

    /// A status: the line itself (`Level::Top`) or a boosted one.
    fn status(&mut self, level: Level) -> Option<Status<'a>> {
        let top = level == Level::Top;
        let mut seen = Seen::default();
        let mut id = None;
        let mut created_at = None;
        let mut url = None;
        let mut uri = None;
        let mut language = None;
        let mut visibility = None;
        let mut account = None;
        let mut content = None;
        let mut reblog = None;
        let mut spoiler_text = None;
        let mut in_reply_to_id = None;
        let mut in_reply_to_account_id = None;
        let mut mentions = Vec::new();
        let mut tags = Vec::new();
        let mut media_attachments = Vec::new();
        let mut card = None;
        let mut sensitive = false;
        let mut marks = [None; 3];
        let mut counts = [None; 3];
        // Fields serde requires in a nested status (and whose `null` it
        // rejects there) are optional on the line itself.
        let required = |scan: &mut Self| -> Option<Option<Cow<'a, str>>> {
            if top {
                scan.optional_string()
            } else {
                scan.string().map(Some)
            }
        };
        self.status_object(level, |scan, key| {
            if key.is_field() {
                seen.first(key as u32)?;
            }
            match key {
                StatusKey::Id => {
                    id = required(scan)?;
                }
                StatusKey::CreatedAt => {
                    created_at = required(scan)?;
                }
                StatusKey::Url => {
                    url = scan.optional_string()?;
                }
                StatusKey::Uri => {
                    uri = scan.optional_string()?;
                }
                StatusKey::Language => {
                    language = scan.optional_string()?;
                }
                StatusKey::Visibility => {
                    visibility = scan.optional_string()?;
                }
                StatusKey::Account => {
                    account = if top && scan.null()? {
                        None
                    } else {
                        Some(scan.account()?)
                    };
                }
                StatusKey::Content => {
                    content = required(scan)?;
                }
                StatusKey::Reblog => {
                    reblog = if scan.null()? {
                        None
                    } else {
                        Some(Box::new(scan.status(Level::Nested)?))
                    };
                }
                StatusKey::SpoilerText => {
                    spoiler_text = required(scan)?;
                }
                StatusKey::InReplyToId => {
                    in_reply_to_id = scan.optional_string()?;
                }
                StatusKey::InReplyToAccountId => {
                    in_reply_to_account_id = scan.optional_string()?;
                }
                StatusKey::Mentions => {
                    mentions = scan.list(Self::mention)?;
                }
                StatusKey::Tags => {
                    tags = scan.list(Self::tag)?;
                }
                StatusKey::MediaAttachments => {
                    media_attachments = scan.list(Self::attachment)?;
                }
                StatusKey::Card => {
                    card = if scan.null()? {
                        None
                    } else {
                        Some(scan.card()?)
                    };
                }
                StatusKey::Sensitive => {
                    sensitive = scan.boolean()?;
                }
                StatusKey::Favourited => marks[0] = scan.optional_boolean()?,
                StatusKey::Reblogged => marks[1] = scan.optional_boolean()?,
                StatusKey::Bookmarked => marks[2] = scan.optional_boolean()?,
                StatusKey::RepliesCount => counts[0] = scan.count()?,
                StatusKey::ReblogsCount => counts[1] = scan.count()?,
                StatusKey::FavouritesCount => counts[2] = scan.count()?,
                StatusKey::Quote => {
                    if !scan.null()? {
                        return None;
                    }
                }
                StatusKey::Foreign if top => return None,
                StatusKey::Foreign | StatusKey::Other => scan.skip()?,
            }
            Some(())
        })?;
        // The line is a status only with an account and content or a boost;
        // a missing required field is an error the serde path words.
        if top && content.is_none() && reblog.is_none() {
            return None;
        }
        Some(Status {
            id: id?,
            created_at: created_at?,
            url,
            uri,
            language,
            visibility,
            account: account?,
            content: content.unwrap_or_default(),
            reblog,
            spoiler_text: spoiler_text.unwrap_or_default(),
            in_reply_to_id,
            in_reply_to_account_id,
            mentions,
            tags,
            media_attachments,
            card,
            sensitive,
            favourited: marks[0],
            reblogged: marks[1],
            bookmarked: marks[2],
            replies_count: counts[0],
            reblogs_count: counts[1],
            favourites_count: counts[2],
        })
    }

    /// An object whose wanted fields are all strings: `wanted` names each
    /// and says whether it may be `null` (serde's `Option`) or must be a
    /// string (a plain `Cow`). Other fields are stepped over.
    fn strings<const N: usize>(
        &mut self,
        wanted: [(&[u8], bool); N],
    ) -> Option<[Option<Cow<'a, str>>; N]> {
        let mut seen = Seen::default();
        let mut values = [const { None }; N];
        self.object(
            |scan, key| match wanted.iter().position(|(name, _)| *name == key) {
                Some(i) => {
                    seen.first(i as u32)?;
                    values[i] = if wanted[i].1 {
                        scan.optional_string()?
                    } else {
                        Some(scan.string()?)
                    };
                    Some(())
                }
                None => scan.skip(),
            },
        )?;
        Some(values)
    }

    /// An account object, from the cache when its bytes were read before.
    fn account(&mut self) -> Option<Account<'a>> {
        if self.accounts.is_none() {
            return self.read_account();
        }
        if self.peek()? != b'{' {
            return None;
        }
        let start = self.at;
        let rest = &self.bytes[start..];
        let hash = AccountCache::hash(rest);
        let cache = self.accounts.as_deref_mut()?;
        cache.clock += 1;
        let found = AccountCache::set(hash).find(|&slot| {
            cache.slots[slot].as_ref().is_some_and(|entry| {
                entry.hash == hash
                    && rest.starts_with(&entry.raw)
                    && self.depth + entry.depth <= MAX_DEPTH
            })
        });
        if let Some(slot) = found
            && let Some(hit) = cache.slots[slot].as_mut()
        {
            hit.used = cache.clock;
            self.at = start + hit.raw.len();
            return Some(Account {
                id: hit.id.as_ref().map(|f| f.get(self.text, start)),
                acct: hit.acct.get(self.text, start),
                display_name: hit.display_name.get(self.text, start),
                url: hit.url.as_ref().map(|f| f.get(self.text, start)),
                cached: Some(CacheKey {
                    slot,
                    number: hit.number,
                }),
            });
        }
        self.peak = self.depth;
        let account = self.read_account();
        let depth = self.peak - self.depth;
        let mut account = account?;
        if self.at - start <= ACCOUNT_MAX_BYTES
            && let Some(cache) = self.accounts.as_deref_mut()
        {
            let object = &self.text[start..self.at];
            cache.entered += 1;
            let number = cache.entered;
            let slot = cache.victim(hash);
            cache.slots[slot] = Some(CachedAccount {
                raw: object.as_bytes().into(),
                hash,
                used: cache.clock,
                number,
                model: None,
                depth,
                id: account.id.as_deref().map(|v| CachedStr::new(v, object)),
                acct: CachedStr::new(&account.acct, object),
                display_name: CachedStr::new(&account.display_name, object),
                url: account.url.as_deref().map(|v| CachedStr::new(v, object)),
            });
            account.cached = Some(CacheKey { slot, number });
        }
        Some(account)
    }

    fn read_account(&mut self) -> Option<Account<'a>> {
        let [id, acct, display_name, url] = self.strings([
            (b"id", true),
            (b"acct", false),
            (b"display_name", false),
            (b"url", true),
        ])?;
        Some(Account {
            id,
            acct: acct?,
            display_name: display_name.unwrap_or_default(),
            url,
            cached: None,
        })
    }

    fn mention(&mut self) -> Option<Mention<'a>> {
        let [id, acct, url] = self.strings([(b"id", true), (b"acct", false), (b"url", true)])?;
        Some(Mention {
            id,
            acct: acct?,
            url,
        })
    }

    fn tag(&mut self) -> Option<Tag<'a>> {
        let [name] = self.strings([(b"name", false)])?;
        Some(Tag { name: name? })
    }

    fn attachment(&mut self) -> Option<Attachment<'a>> {
        let [kind, url, description] =
            self.strings([(b"type", false), (b"url", true), (b"description", true)])?;
        Some(Attachment {
            kind: kind?,
            url,
            description,
        })
    }

    fn card(&mut self) -> Option<Card<'a>> {
        let [url] = self.strings([(b"url", false)])?;
        Some(Card { url: url? })
    }
}

/// The offset of the first `"`, `\\` or control byte (below 0x20), which
/// ends a run of plain string bytes (see [`crate::model::scan`]).
#[inline(always)]
pub(super) fn string_stop(bytes: &[u8]) -> Option<usize> {
    find_first(bytes, STRING_STOP)
}

/// How much of a line an escaped string's decoding copies from at a time.
const RUN_WINDOW: usize = 256;

const STRING_STOP: ByteSet = ByteSet::with_controls(*b"\"\\\"\\", 0xff);

/// The value of each byte as a hex digit, or 0xff.
const HEX: [u8; 256] = {
    let mut table = [0xff; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// The four hex digits of a `\u` escape. Mastodon writes `<`, `>` and `&`
/// as `\u003c`, `\u003e` and `\u0026`, a few dozen times a post, so this
/// is a table lookup per digit rather than a parse.
#[inline(always)]
fn hex4(digits: &[u8]) -> Option<u32> {
    let digits: &[u8; 4] = digits.try_into().ok()?;
    let mut n = 0;
    for &d in digits {
        let v = HEX[usize::from(d)];
        if v == 0xff {
            return None;
        }
        n = n * 16 + u32::from(v);
    }
    Some(n)
}
