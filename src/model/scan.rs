//! Finding the first byte of a small set in a text, 16 bytes a step, and
//! copying (or lowering) the text on the way.
//!
//! The JSON reader (the end of a string run), the HTML scanner (the next
//! tag, quote or reference) and the sanitizer (a byte that may start a
//! control) all spend most of their time looking for the next of a few
//! bytes in runs of tens of bytes, where `memchr`'s set-up and call cost
//! more than the search and where it cannot express "any byte below 0x20".
//! Decoding an escaped string, copying a post body's text and case folding
//! for keywords copy those runs too, which a `memcpy` call per run would
//! cost more than. SSE2 is part of every x86-64, so this needs no runtime
//! detection; other targets take the plain loops.

/// A set of bytes: up to four given ones, and optionally every byte below
/// a bound (the C0 controls) except one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ByteSet {
    /// Bytes in the set (repeat one to use fewer).
    pub any: [u8; 4],
    /// Every byte below this is in the set too (0: none).
    pub below: u8,
    /// ...except this one (0xff, which never occurs in UTF-8: none).
    pub except: u8,
}

impl ByteSet {
    /// Just these bytes (repeat one to give fewer).
    pub(crate) const fn of(any: [u8; 4]) -> ByteSet {
        ByteSet {
            any,
            below: 0,
            except: 0xff,
        }
    }

    /// These bytes and every C0 control but `except` (0xff, which never
    /// occurs in UTF-8: none).
    pub(crate) const fn with_controls(any: [u8; 4], except: u8) -> ByteSet {
        ByteSet {
            any,
            below: 0x20,
            except,
        }
    }

    #[inline(always)]
    fn contains(&self, byte: u8) -> bool {
        // (Written out: `[u8; 4]::contains` is a call to a byte search.)
        let [a, b, c, d] = self.any;
        byte == a
            || byte == b
            || byte == c
            || byte == d
            || (byte < self.below && byte != self.except)
    }
}

/// The offset of the first byte of `bytes` in `set`.
#[inline(always)]
pub(crate) fn find_first(bytes: &[u8], set: ByteSet) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    {
        let sse = sse2::Set::new(set);
        let first = |at: usize, mask: u32| (mask != 0).then(|| at + mask.trailing_zeros() as usize);
        let mut at = 0;
        while at + 16 <= bytes.len() {
            let mask = sse.hits(&bytes[at..at + 16]);
            if mask != 0 {
                return first(at, mask);
            }
            at += 16;
        }
        if bytes.len() < 16 {
            // Fewer than 16 bytes in all: a byte at a time. (Copying them
            // into a padded chunk measured slower.)
            return bytes.iter().position(|&byte| set.contains(byte));
        }
        // The last bytes: the chunk ending at the end, less the bytes
        // already searched.
        let from = bytes.len() - 16;
        first(at, sse.hits(&bytes[from..]) >> (at - from))
    }
    #[cfg(not(target_arch = "x86_64"))]
    bytes.iter().position(|&byte| set.contains(byte))
}

/// Appends the bytes of `bytes` before its first byte in `set` to `out`
/// and returns that byte's offset; with no such byte, appends all of
/// `bytes` and returns `None`.
///
/// [`find_first`] and the copy in one pass: each 16-byte chunk is stored
/// to `out` whole as it is searched, and `out`'s length then counts only
/// the bytes before the stop. Decoding an escaped JSON string is a copy
/// of many short runs between escapes (a Mastodon post body has one
/// every dozen bytes), where a `memcpy` call per run costs more than the
/// copy.
///
/// `out` is given room for all of `bytes` at once: a caller with a long
/// input and short runs (the JSON reader, whose strings lie in the rest of
/// a line of up to 1 MiB) passes it a window at a time.
#[inline(always)]
pub(crate) fn copy_until(bytes: &[u8], set: ByteSet, out: &mut Vec<u8>) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    {
        let base = out.len();
        // Room for the whole of `bytes` and one chunk's overhang: every
        // chunk below is stored at `base + at` with `at <= bytes.len()`.
        out.reserve(bytes.len() + 16);
        let sse = sse2::Set::new(set);
        let store = |out: &mut Vec<u8>, at: usize, chunk: &[u8]| {
            debug_assert!(chunk.len() == 16 && at <= bytes.len());
            // SAFETY: the 16 bytes written lie inside `out`'s allocation
            // (see `reserve` above); `out`'s length is set only over bytes
            // written.
            unsafe {
                std::ptr::copy_nonoverlapping(chunk.as_ptr(), out.as_mut_ptr().add(base + at), 16);
            }
        };
        // The stop found in the chunk stored at `at` (`mask` its hits),
        // before `end`; `out` then holds the bytes before it.
        let stop = |out: &mut Vec<u8>, at: usize, mask: u32, end: usize| {
            let stop = (mask != 0)
                .then(|| at + mask.trailing_zeros() as usize)
                .filter(|&stop| stop < end);
            // SAFETY: every call passes an `end` up to which the bytes
            // were stored, and the length is at most `base + end`.
            unsafe { out.set_len(base + stop.unwrap_or(end)) };
            stop
        };
        if bytes.len() < 16 {
            // A short text: one chunk padded out.
            let mut chunk = [0; 16];
            chunk[..bytes.len()].copy_from_slice(bytes);
            store(out, 0, &chunk);
            return stop(out, 0, sse.hits(&chunk), bytes.len());
        }
        let mut at = 0;
        while at + 16 <= bytes.len() {
            let chunk = &bytes[at..at + 16];
            store(out, at, chunk);
            let mask = sse.hits(chunk);
            if mask != 0 {
                return stop(out, at, mask, at + 16);
            }
            at += 16;
        }
        // The last bytes: the chunk ending at the end, stored again whole
        // (the bytes it shares with the chunk before are the same), less
        // the bytes already searched.
        let from = bytes.len() - 16;
        let chunk = &bytes[from..];
        store(out, from, chunk);
        stop(out, at, sse.hits(chunk) >> (at - from), bytes.len())
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let stop = bytes.iter().position(|&byte| set.contains(byte));
        out.extend_from_slice(&bytes[..stop.unwrap_or(bytes.len())]);
        stop
    }
}

/// Appends `bytes` ASCII-lowercased to `out` up to its first byte that is
/// not ASCII, and returns how many bytes that is (all of them when all are
/// ASCII). Case folding for keywords: a post is mostly ASCII, which this
/// lowers and copies 16 bytes a step.
#[inline]
pub(crate) fn lower_ascii_into(bytes: &[u8], out: &mut Vec<u8>) -> usize {
    #[cfg(target_arch = "x86_64")]
    if bytes.len() >= 16 {
        use std::arch::x86_64::{
            __m128i, _mm_and_si128, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128,
            _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8, _mm_storeu_si128,
        };
        let base = out.len();
        // Room for every chunk stored below, at `base + at` with
        // `at + 16 <= bytes.len()`.
        out.reserve(bytes.len());
        // SAFETY: SSE2 is part of the x86-64 baseline; each load reads 16
        // bytes inside `bytes` and each store writes 16 bytes inside
        // `out`'s allocation (reserved above); `out`'s length is set only
        // over bytes written.
        unsafe {
            let (before_a, after_z) =
                (_mm_set1_epi8(b'A' as i8 - 1), _mm_set1_epi8(b'Z' as i8 + 1));
            let case_bit = _mm_set1_epi8(0x20);
            // Lowers the chunk at `at`, stores it, and returns a bit for
            // each byte of it that is not ASCII.
            let step = |out: &mut Vec<u8>, at: usize| {
                let chunk = _mm_loadu_si128(bytes.as_ptr().add(at).cast::<__m128i>());
                // As signed bytes, those not ASCII are negative: never capitals.
                let capital = _mm_and_si128(
                    _mm_cmpgt_epi8(chunk, before_a),
                    _mm_cmplt_epi8(chunk, after_z),
                );
                let lowered = _mm_or_si128(chunk, _mm_and_si128(capital, case_bit));
                _mm_storeu_si128(out.as_mut_ptr().add(base + at).cast::<__m128i>(), lowered);
                _mm_movemask_epi8(chunk) as u32
            };
            let mut at = 0;
            while at + 16 <= bytes.len() {
                let other = step(out, at);
                if other != 0 {
                    let end = at + other.trailing_zeros() as usize;
                    out.set_len(base + end);
                    return end;
                }
                at += 16;
            }
            // The last bytes: the chunk ending at the end, again (lowering
            // the bytes it shares with the chunk before changes nothing).
            let from = bytes.len() - 16;
            let other = step(out, from) >> (at - from);
            let end = if other != 0 {
                at + other.trailing_zeros() as usize
            } else {
                bytes.len()
            };
            out.set_len(base + end);
            return end;
        }
    }
    let end = bytes
        .iter()
        .position(|b| !b.is_ascii())
        .unwrap_or(bytes.len());
    out.extend(bytes[..end].iter().map(u8::to_ascii_lowercase));
    end
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use super::ByteSet;
    use std::arch::x86_64::{
        __m128i, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8,
        _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };

    /// A [`ByteSet`] as SSE2 registers.
    pub(super) struct Set {
        any: [__m128i; 4],
        /// `below - 1` in every lane, when `below` is not 0.
        below: Option<__m128i>,
        except: __m128i,
    }

    impl Set {
        #[inline(always)]
        pub(super) fn new(set: ByteSet) -> Set {
            // SAFETY: SSE2 is part of the x86-64 baseline; these only fill
            // registers.
            unsafe {
                Set {
                    any: set.any.map(|byte| _mm_set1_epi8(byte as i8)),
                    below: set.below.checked_sub(1).map(|max| _mm_set1_epi8(max as i8)),
                    except: _mm_set1_epi8(set.except as i8),
                }
            }
        }

        /// A bit for each byte of `chunk` in the set.
        #[inline(always)]
        pub(super) fn hits(&self, chunk: &[u8]) -> u32 {
            let chunk: &[u8; 16] = chunk.try_into().expect("a 16-byte chunk");
            // SAFETY: SSE2 is part of the x86-64 baseline, and the unaligned
            // load reads the 16 bytes of `chunk`, which it borrows.
            unsafe {
                let chunk = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
                let [a, b, c, d] = self.any;
                let mut hits = _mm_or_si128(
                    _mm_or_si128(_mm_cmpeq_epi8(chunk, a), _mm_cmpeq_epi8(chunk, b)),
                    _mm_or_si128(_mm_cmpeq_epi8(chunk, c), _mm_cmpeq_epi8(chunk, d)),
                );
                if let Some(max) = self.below {
                    // a byte is below the bound when min(byte, bound - 1) == byte
                    let low = _mm_cmpeq_epi8(_mm_min_epu8(chunk, max), chunk);
                    let low = _mm_andnot_si128(_mm_cmpeq_epi8(chunk, self.except), low);
                    hits = _mm_or_si128(hits, low);
                }
                _mm_movemask_epi8(hits) as u32
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts of up to 80 bytes from `alphabet`, with a start of up to 40
    /// bytes in: at any length and any place in a chunk.
    fn texts(alphabet: &[u8]) -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::strategy::Strategy;
        (
            proptest::collection::vec(proptest::sample::select(alphabet.to_vec()), 0..80),
            0usize..40,
        )
            .prop_map(|(bytes, skip)| bytes[skip.min(bytes.len())..].to_vec())
    }

    proptest::proptest! {
        /// The 16-bytes-a-step search finds what a plain search finds, at
        /// any length and any place in a chunk.
        #[test]
        fn find_first_and_copy_until_are_a_plain_search(
            bytes in texts(b"<>&\"'\\\n\0\x1f aaaaaaaaaaaaab\xc2\xe2\x7f"),
        ) {
            let bytes = &bytes[..];
            // each set beside its membership written out by hand
            type Member = fn(u8) -> bool;
            let sets: [(ByteSet, Member); 4] = [
                (ByteSet::of(*b"<<<<"), |b| b == b'<'),
                (ByteSet::of(*b">\"'>"), |b| matches!(b, b'>' | b'"' | b'\'')),
                (
                    ByteSet::with_controls(*b"\"\\\"\\", 0xff),
                    |b| b == b'"' || b == b'\\' || b < 0x20,
                ),
                (
                    ByteSet::with_controls([0x7f, 0xc2, 0xe2, 0x7f], b'\n'),
                    |b| matches!(b, 0x7f | 0xc2 | 0xe2) || (b < 0x20 && b != b'\n'),
                ),
            ];
            for (set, member) in sets {
                let stop = bytes.iter().position(|&b| member(b));
                proptest::prop_assert_eq!(find_first(bytes, set), stop, "{:?}", set);
                // the copy: what was already there, then the bytes before the stop
                let mut out = b"kept".to_vec();
                proptest::prop_assert_eq!(copy_until(bytes, set, &mut out), stop, "{:?}", set);
                let mut expected = b"kept".to_vec();
                expected.extend_from_slice(&bytes[..stop.unwrap_or(bytes.len())]);
                proptest::prop_assert_eq!(out, expected, "{:?}", set);
            }
        }

        /// Lowering ASCII 16 bytes a step gives what lowering byte by byte
        /// does, up to the first byte that is not ASCII.
        #[test]
        fn lower_ascii_into_lowers_the_leading_ascii(
            bytes in texts(b"AZaz@[`{ 09Mm\x7f\x80\xc3\xe2"),
        ) {
            let bytes = &bytes[..];
            let end = bytes.iter().position(|b| !b.is_ascii()).unwrap_or(bytes.len());
            let mut out = b"Kept".to_vec();
            proptest::prop_assert_eq!(lower_ascii_into(bytes, &mut out), end);
            let mut expected = b"Kept".to_vec();
            expected.extend(bytes[..end].iter().map(u8::to_ascii_lowercase));
            proptest::prop_assert_eq!(out, expected);
        }
    }
}
