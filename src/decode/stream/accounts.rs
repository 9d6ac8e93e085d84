//! The account cache of the streaming reader: account objects already
//! read, byte for byte, with the model account made from each.

use std::borrow::Cow;

/// Account objects already read, byte for byte.
///
/// A timeline names the same few hundred people again and again, and a
/// server serializes an account the same way in every status of a response,
/// so most account objects (a third of a status's bytes, two thirds of a
/// boost's) have been read before. A JSON value's extent is fixed by its own
/// bytes, so when the bytes at the cursor start with an account object read
/// before, they are that object: same fields, same end. The reader then
/// jumps over it after one comparison instead of reading it again.
///
/// Set-associative: a hash of the object's first bytes (which hold its id)
/// picks a set of [`ACCOUNT_WAYS`] slots, any of which may hold it. (A
/// direct-mapped cache loses a third of two thousand accounts to slots they
/// share, read after read.) A new object, or a changed account (new
/// counters), is read and takes the set's least recently used slot. Memory
/// is bounded: at most [`ACCOUNT_SLOTS`] objects of at most
/// [`ACCOUNT_MAX_BYTES`] each.
pub(in crate::decode) struct AccountCache {
    pub(super) slots: Vec<Option<CachedAccount>>,
    /// Numbers the objects as they enter, so that a [`CacheKey`] handed out
    /// for one object never finds another that took its slot since.
    pub(super) entered: u64,
    /// Counts lookups, to tell the least recently used slot of a set.
    pub(super) clock: u64,
}

/// Which cached object an [`Account`] was read from: lets the decoder keep
/// the model account made from it beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct CacheKey {
    pub(super) slot: usize,
    pub(super) number: u64,
}

pub(super) const ACCOUNT_SLOTS: usize = 4096;
const ACCOUNT_WAYS: usize = 4;
pub(super) const ACCOUNT_MAX_BYTES: usize = 2048;
/// How many leading bytes pick the slot.
const ACCOUNT_KEY_BYTES: usize = 48;

pub(super) struct CachedAccount {
    pub(super) raw: Box<[u8]>,
    /// The hash of its first bytes (see [`AccountCache::hash`]), compared
    /// before the bytes themselves.
    pub(super) hash: u64,
    /// When it was last found or entered (see [`AccountCache::clock`]).
    pub(super) used: u64,
    pub(super) number: u64,
    /// The model account made from this object, once made.
    pub(super) model: Option<crate::model::Account>,
    /// Levels of nesting inside the object (itself included).
    pub(super) depth: u32,
    pub(super) id: Option<CachedStr>,
    pub(super) acct: CachedStr,
    pub(super) display_name: CachedStr,
    pub(super) url: Option<CachedStr>,
}

/// A field of a cached account: where it lies in the object's bytes, or its
/// unescaped value when it held escapes.
pub(super) enum CachedStr {
    Span(u32, u32),
    Owned(String),
}

impl Default for AccountCache {
    fn default() -> Self {
        AccountCache {
            slots: (0..ACCOUNT_SLOTS).map(|_| None).collect(),
            entered: 0,
            clock: 0,
        }
    }
}

impl AccountCache {
    fn entry(&mut self, key: CacheKey) -> Option<&mut CachedAccount> {
        self.slots[key.slot]
            .as_mut()
            .filter(|entry| entry.number == key.number)
    }

    /// The model account made from the object `key` names, if kept.
    pub(super) fn model(&mut self, key: CacheKey) -> Option<&crate::model::Account> {
        self.entry(key)?.model.as_ref()
    }

    /// Keeps the model account made from the object `key` names.
    pub(super) fn keep_model(&mut self, key: CacheKey, model: crate::model::Account) {
        if let Some(entry) = self.entry(key) {
            entry.model = Some(model);
        }
    }

    /// The hash of an object's first bytes, which picks its set.
    pub(super) fn hash(bytes: &[u8]) -> u64 {
        use std::hash::BuildHasher;
        let key = &bytes[..bytes.len().min(ACCOUNT_KEY_BYTES)];
        foldhash::fast::FixedState::with_seed(0).hash_one(key)
    }

    /// The slots of the set `hash` picks.
    pub(super) fn set(hash: u64) -> std::ops::Range<usize> {
        let first = (hash as usize % (ACCOUNT_SLOTS / ACCOUNT_WAYS)) * ACCOUNT_WAYS;
        first..first + ACCOUNT_WAYS
    }

    /// The slot of `hash`'s set to give a new object: an empty one, else the
    /// least recently used.
    pub(super) fn victim(&self, hash: u64) -> usize {
        Self::set(hash)
            .min_by_key(|&slot| self.slots[slot].as_ref().map_or(0, |entry| entry.used))
            .expect("a set has slots")
    }
}

impl CachedStr {
    /// `value` as read from the account `object`: a span of its bytes when
    /// borrowed from them, else (it held escapes) the value itself.
    pub(super) fn new(value: &str, object: &str) -> Self {
        let from = (value.as_ptr() as usize).wrapping_sub(object.as_ptr() as usize);
        if value.is_empty() {
            CachedStr::Span(0, 0)
        } else if from < object.len() && from + value.len() <= object.len() {
            CachedStr::Span(from as u32, (from + value.len()) as u32)
        } else {
            CachedStr::Owned(value.to_string())
        }
    }

    /// The value again, for the same bytes found in `text` at `start`.
    pub(super) fn get<'a>(&self, text: &'a str, start: usize) -> Cow<'a, str> {
        match self {
            CachedStr::Span(from, to) => {
                Cow::Borrowed(&text[start + *from as usize..start + *to as usize])
            }
            CachedStr::Owned(s) => Cow::Owned(s.clone()),
        }
    }
}
