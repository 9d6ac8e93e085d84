//! The streaming decoder: the fast path of `circles route` and `explain`,
//! fenced off in one room (ARCHITECTURE.md, "The route fast path").
//!
//! A [`Decoder`] reads a stream of lines and remembers, across lines, what
//! makes the next ones cheaper: the Mastodon account objects it has read
//! (byte for byte, with the model account made from each), the order of a
//! status's keys, and the buffers and items earlier posts gave up. Plain
//! Mastodon statuses are read by a hand-written reader ([`reader`]) and
//! filled into one post, in place ([`fill`]); every other line goes to the
//! plain serde decoder. The posts are exactly those of
//! [`crate::decode::decode_line`] (unless made [`Decoder::for_routing`]),
//! which the tests here check on fixtures, the demo feed and damaged lines.
//!
//! Nothing outside `circles route`, `explain` and the benches uses it; the
//! rest of circles decodes with `crate::decode::decode`.

mod accounts;
mod fill;
mod reader;
#[cfg(test)]
mod tests;

use super::{DecodeError, decode_general, utf8};
use crate::model::Post;
use accounts::AccountCache;
use fill::{Fields, Spares, blank_post, decode_status_into};
use reader::{KeyOrder, read_status, string_stop};

/// Decodes a stream of lines, remembering across lines what makes the
/// next ones cheaper to read.
pub struct Decoder {
    memory: Memory,
    fields: Fields,
}

/// What the reader keeps from one line to the next: the account objects
/// it has read, the key order of the last statuses, and the buffers and
/// items of the lines decoded.
#[derive(Default)]
struct Memory {
    accounts: AccountCache,
    order: KeyOrder,
    spares: Spares,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder {
            memory: Memory::default(),
            fields: Fields::All,
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
            fields: Fields::Routing,
            ..Decoder::default()
        }
    }

    /// A post with nothing in it yet, for [`Self::decode_line_into`] to fill.
    pub fn blank_post() -> Post {
        blank_post()
    }

    pub fn decode_line(&mut self, line: &[u8], source: &str) -> Result<Post, DecodeError> {
        let mut post = blank_post();
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
        match read_status(json, Some(&mut self.memory)) {
            Some(mut status) => {
                let decoded =
                    decode_status_into(&status, source, Some(&mut self.memory), self.fields, post);
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
/// of verdict lines asks this of every id and handle; the reader's
/// 16-bytes-a-step scan answers it.)
pub fn is_plain_json_string(text: &str) -> bool {
    string_stop(text.as_bytes()).is_none()
}
