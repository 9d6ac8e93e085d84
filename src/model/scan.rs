//! Finding the first byte of a small set in a text, 16 bytes a step.
//!
//! The JSON reader (the end of a string run), the HTML scanner (the next
//! tag, quote or reference) and the sanitizer (a byte that may start a
//! control) all spend most of their time looking for the next of a few
//! bytes in runs of tens of bytes, where `memchr`'s set-up and call cost
//! more than the search and where it cannot express "any byte below 0x20".
//! SSE2 is part of every x86-64, so this needs no runtime detection; other
//! targets take the plain loop.

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
        self.any.contains(&byte) || (byte < self.below && byte != self.except)
    }
}

/// The offset of the first byte of `bytes` in `set`.
#[inline(always)]
pub(crate) fn find_first(bytes: &[u8], set: ByteSet) -> Option<usize> {
    let mut at = 0;
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8,
            _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        };
        // SAFETY: SSE2 is part of the x86-64 baseline, and each load reads
        // 16 bytes that lie inside `bytes` (checked by the loop condition).
        unsafe {
            let [a, b, c, d] = set.any.map(|byte| _mm_set1_epi8(byte as i8));
            // a byte is below the bound when min(byte, bound - 1) == byte
            let below = set.below.checked_sub(1).map(|max| _mm_set1_epi8(max as i8));
            let except = _mm_set1_epi8(set.except as i8);
            while at + 16 <= bytes.len() {
                let chunk = _mm_loadu_si128(bytes.as_ptr().add(at).cast::<__m128i>());
                let mut hits = _mm_or_si128(
                    _mm_or_si128(_mm_cmpeq_epi8(chunk, a), _mm_cmpeq_epi8(chunk, b)),
                    _mm_or_si128(_mm_cmpeq_epi8(chunk, c), _mm_cmpeq_epi8(chunk, d)),
                );
                if let Some(max) = below {
                    let low = _mm_cmpeq_epi8(_mm_min_epu8(chunk, max), chunk);
                    let low = _mm_andnot_si128(_mm_cmpeq_epi8(chunk, except), low);
                    hits = _mm_or_si128(hits, low);
                }
                let mask = _mm_movemask_epi8(hits);
                if mask != 0 {
                    return Some(at + mask.trailing_zeros() as usize);
                }
                at += 16;
            }
        }
    }
    bytes[at..]
        .iter()
        .position(|&byte| set.contains(byte))
        .map(|i| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The 16-bytes-a-step search finds what a plain search finds, at
        /// any length and any place in a chunk.
        #[test]
        fn find_first_is_a_plain_search(
            bytes in proptest::collection::vec(
                proptest::sample::select(b"<>&\"'\\\n\0\x1f aaaaaaaaaaaaab\xc2\xe2\x7f".to_vec()),
                0..80,
            ),
            skip in 0usize..40,
        ) {
            let bytes = &bytes[skip.min(bytes.len())..];
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
                proptest::prop_assert_eq!(
                    find_first(bytes, set),
                    bytes.iter().position(|&b| member(b)),
                    "{:?}", set
                );
            }
        }
    }
}
