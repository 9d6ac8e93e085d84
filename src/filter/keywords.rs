//! Whole-word, case-insensitive keyword and phrase matching.
//!
//! All keywords of all columns and mutes share one Aho-Corasick automaton,
//! so a post's text is scanned once whatever the number of keywords. Case is
//! folded on both sides with [`fold`]: ASCII lowercasing for ASCII text,
//! Unicode lowercasing otherwise. A hit counts only where it starts and ends
//! on a Unicode word boundary (UAX #29): `rust` does not match `trust`, but
//! `東京` matches
//! inside Japanese running text, whose words are not separated by spaces.
//! One deliberate departure from UAX #29: an apostrophe is a boundary, so
//! `Jane Doe` matches "Jane Doe's" and `école` matches "l'École", as a
//! reader expects (UAX #29 would read "doe's" as one word).

use crate::model::scan::lower_ascii_into;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::borrow::Cow;
use unicode_segmentation::UnicodeSegmentation;

/// A set of keyword patterns, each with a stable id (its index).
#[derive(Debug, Clone)]
pub struct KeywordIndex {
    /// The patterns as the user wrote them (trimmed), for messages.
    written: Vec<String>,
    automaton: Option<AhoCorasick>,
}

/// Which patterns matched, as a bit set over pattern ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hits(Vec<u64>);

impl Hits {
    pub fn contains(&self, id: usize) -> bool {
        self.0
            .get(id / 64)
            .is_some_and(|w| w & (1 << (id % 64)) != 0)
    }

    fn insert(&mut self, id: usize) {
        if self.0.len() <= id / 64 {
            self.0.resize(id / 64 + 1, 0);
        }
        self.0[id / 64] |= 1 << (id % 64);
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }
}

/// Folds case the way keywords compare.
pub fn fold(text: &str) -> Cow<'_, str> {
    if needs_folding(text) {
        let mut folded = String::new();
        lowercase_into(text, &mut folded);
        Cow::Owned(folded)
    } else {
        Cow::Borrowed(text)
    }
}

/// [`fold`], writing into `buffer` when folding changes the text.
pub fn fold_into<'a>(text: &'a str, buffer: &'a mut String) -> &'a str {
    if !needs_folding(text) {
        return text;
    }
    lowercase_into(text, buffer);
    buffer
}

/// Whether folding may change `text`: it holds a capital or a character
/// that is not ASCII. (Most posts have a capital within their first bytes.)
pub(super) fn needs_folding(text: &str) -> bool {
    text.bytes()
        .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
}

/// `str::to_lowercase` written into `out` (cleared first), with runs of
/// ASCII lowered 16 bytes a step. That function lowers only a leading ASCII
/// run in bulk and then goes char by char, which is most of the cost of a
/// post that is ASCII but for an emoji or an accented letter near its start.
/// A capital sigma, whose lowercase depends on its neighbours, is left to it.
pub(super) fn lowercase_into(text: &str, out: &mut String) {
    out.clear();
    let mut rest = text;
    while !rest.is_empty() {
        // a run of ASCII, lowered at once...
        // SAFETY: only ASCII bytes are appended.
        let ascii = lower_ascii_into(rest.as_bytes(), unsafe { out.as_mut_vec() });
        rest = &rest[ascii..];
        // ...then a run of other characters, one by one
        let mut end = rest.len();
        for (i, c) in rest.char_indices() {
            match c {
                _ if c.is_ascii() => {
                    end = i;
                    break;
                }
                'Σ' => {
                    out.clear();
                    out.push_str(&text.to_lowercase());
                    return;
                }
                _ => out.extend(c.to_lowercase()),
            }
        }
        rest = &rest[end..];
    }
}

impl KeywordIndex {
    /// Builds the index; patterns are folded here. Duplicate patterns keep
    /// their own ids (they are cheap) so callers need no bookkeeping.
    pub fn new(patterns: Vec<String>) -> Self {
        let mut index = KeywordIndex {
            written: patterns.iter().map(|p| p.trim().to_string()).collect(),
            automaton: None,
        };
        let folded = index.folded();
        if !folded.is_empty() {
            let automaton = AhoCorasickBuilder::new()
                .match_kind(MatchKind::Standard)
                .build(folded.iter().map(|p| p.as_ref()))
                .expect("keyword automaton: patterns are plain strings");
            index.automaton = Some(automaton);
        }
        index
    }

    /// The patterns as they are searched for: trimmed and folded.
    pub(super) fn folded(&self) -> Vec<Cow<'_, str>> {
        self.written.iter().map(|p| fold(p)).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.written.is_empty()
    }

    /// A pattern as the user wrote it.
    pub fn pattern(&self, id: usize) -> &str {
        &self.written[id]
    }

    /// The ids of every pattern that occurs as a whole word in `text`.
    pub fn find(&self, text: &str) -> Hits {
        self.find_folded(&fold(text))
    }

    /// [`Self::find`] on text already folded with [`fold`]: ASCII text is
    /// lowercased as ASCII, anything else with Unicode lowercasing, so that
    /// `École` finds `école`.
    pub fn find_folded(&self, haystack: &str) -> Hits {
        let mut hits = Hits::default();
        let Some(automaton) = &self.automaton else {
            return hits;
        };
        let mut bounds: Option<Vec<usize>> = None;
        for m in automaton.find_overlapping_iter(haystack) {
            let id = m.pattern().as_usize();
            if hits.contains(id) {
                continue;
            }
            if is_boundary(haystack, m.start(), &mut bounds)
                && is_boundary(haystack, m.end(), &mut bounds)
            {
                hits.insert(id);
            }
        }
        hits
    }
}

/// Whether `at` is a word boundary of `text`. Clear cases are decided from
/// the neighbouring ASCII characters; the rest asks the UAX #29 segmenter,
/// whose boundaries are computed once per text and only when needed.
fn is_boundary(text: &str, at: usize, bounds: &mut Option<Vec<usize>>) -> bool {
    if at == 0 || at == text.len() {
        return true;
    }
    const APOSTROPHE: char = '\u{2019}';
    if text[..at].ends_with(['\'', APOSTROPHE]) || text[at..].starts_with(['\'', APOSTROPHE]) {
        return true;
    }
    let bytes = text.as_bytes();
    let (before, after) = (bytes[at - 1], bytes[at]);
    if before.is_ascii() && after.is_ascii() {
        let joins =
            |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b',' | b';');
        if !joins(before) || !joins(after) {
            // A space or symbol on either side: a boundary, unless both sides
            // are the same kind of space, which no trimmed keyword ends in.
            return true;
        }
        if before.is_ascii_alphanumeric() && after.is_ascii_alphanumeric() {
            return false;
        }
    }
    let bounds = bounds.get_or_insert_with(|| {
        let mut b: Vec<usize> = text.split_word_bound_indices().map(|(i, _)| i).collect();
        b.push(text.len());
        b
    });
    bounds.binary_search(&at).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lowercase(text: &str) -> String {
        fold_into(text, &mut String::new()).to_string()
    }

    fn matches(keyword: &str, text: &str) -> bool {
        !KeywordIndex::new(vec![keyword.to_string()])
            .find(text)
            .is_empty()
    }

    #[test]
    fn whole_words_only_any_case() {
        let table = [
            ("rust", "I love Rust!", true),
            ("rust", "I trust you", false),
            ("rust", "rusty nails", false),
            ("rust", "#rust", true),
            ("rust", "rust_lang", false),
            ("nft", "NFT drop", true),
            ("NFT", "nfts", false),
            ("Jane Doe", "hi jane doe, welcome", true),
            ("Jane Doe", "Jane Does", false),
            ("Jane Doe", "jane doe's post", true),
            ("jane doe", "Jane  Doe", false),
            ("AcmeCo", "AcmeCorp", false),
            ("AcmeCo", "(AcmeCo)", true),
            ("AcmeCo", "AcmeCo.", true),
            ("c++", "I write C++ daily", true),
        ];
        for (keyword, text, want) in table {
            assert_eq!(matches(keyword, text), want, "{keyword:?} in {text:?}");
        }
    }

    #[test]
    fn unicode_case_and_boundaries() {
        let table = [
            ("école", "Une École fermée", true),
            ("école", "l'école", true),
            ("école", "l’École", true),
            ("École", "une école", true),
            ("naïve", "So NAÏVE of me", true),
            ("naï", "naïve", false),
            ("東京", "私は東京に住んでいます", true),
            ("東京", "東京タワー", true),
            ("straße", "STRASSE", false),
            ("straße", "Die Straße", true),
            ("rust", "🦀rust🦀", true),
            ("rust", "👩‍💻 rust", true),
            ("café", "cafe\u{301}s", false),
            ("ι", "Ιλιάδα", false),
        ];
        for (keyword, text, want) in table {
            assert_eq!(matches(keyword, text), want, "{keyword:?} in {text:?}");
        }
    }

    #[test]
    fn lowercasing_is_std_lowercasing() {
        for text in [
            "",
            "ABC",
            "École ÉCOLE",
            "ΟΔΟΣ ΟΔΟΣ.",
            "Σ",
            "İstanbul",
            "ẞ STRASSE",
            "東京 TOKYO 🦀 RUST",
            "ǅ ǈ Ⅻ Ⓐ",
        ] {
            assert_eq!(lowercase(text), text.to_lowercase(), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn lowercasing_any_text_is_std_lowercasing(text in "[a-zA-Z ΣσςΟÉé東İẞ🦀\\PC]{0,40}") {
            proptest::prop_assert_eq!(lowercase(&text), text.to_lowercase());
        }

        /// The same with long runs of ASCII, which are lowered 16 bytes a
        /// step, between other characters.
        #[test]
        fn lowercasing_long_ascii_runs_is_std_lowercasing(
            text in "([a-zA-Z @.]{0,40}|[ΣσςÉé東İẞ🦀]|\\PC){0,10}",
        ) {
            proptest::prop_assert_eq!(lowercase(&text), text.to_lowercase());
        }
    }

    #[test]
    fn a_later_whole_word_hit_counts_after_an_embedded_one() {
        assert!(matches("rust", "trust rust"));
    }

    #[test]
    fn several_patterns_report_their_ids() {
        let index = KeywordIndex::new(vec![
            "jane".into(),
            "jane doe".into(),
            "doe".into(),
            "x".into(),
        ]);
        let hits = index.find("Jane Doe");
        assert!(hits.contains(0) && hits.contains(1) && hits.contains(2));
        assert!(!hits.contains(3));
        assert!(!hits.contains(200));
    }
}
