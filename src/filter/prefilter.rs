//! One quick look at a post's text before the keyword and regex rules.
//!
//! Most posts contain none of the keywords and could match none of the
//! regexes. Every keyword must occur in the case-folded text, and (the
//! property regex engines build their own prefilters on) every match of a
//! regex begins with one of the literal prefixes extracted from it. So one
//! leftmost search for all of those literals over the folded text, which
//! aho-corasick runs with its SIMD (Teddy) searcher when the literals are few,
//! settles most posts: when nothing is found, no keyword can hit and no regex
//! can match, and both full searches are skipped.
//!
//! A regex whose prefixes cannot be listed (it may start anywhere, like
//! `.*x`) or whose prefixes do not survive case folding exactly (a Greek
//! sigma, whose lowercase depends on its neighbours) turns the regex side of
//! the prefilter off: regexes then always run.

#[cfg(test)]
use super::fold;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use std::borrow::Cow;

#[derive(Debug, Clone)]
pub(super) struct Prefilter {
    /// Every folded keyword and regex prefix; `None` when there is nothing
    /// to look for (no keywords and no usable regex prefix).
    literals: Option<AhoCorasick>,
    /// Some regex cannot be ruled out by literals: regexes always run.
    regex_always: bool,
}

/// What the prefilter says about one text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Look {
    /// A keyword may hit: run the keyword search.
    pub keywords: bool,
    /// A regex may match: run the regex set.
    pub regexes: bool,
}

impl Prefilter {
    /// `keywords` are already folded (see [`super::fold`]); `regexes` are the
    /// patterns as written, all valid.
    pub(super) fn new(keywords: &[Cow<'_, str>], regexes: &[String]) -> Self {
        let mut literals: Vec<String> = keywords.iter().map(|k| k.to_string()).collect();
        let mut regex_always = false;
        for pattern in regexes {
            match folded_prefixes(pattern) {
                Some(prefixes) => literals.extend(prefixes),
                None => regex_always = true,
            }
        }
        literals.sort_unstable();
        literals.dedup();
        let literals = (!literals.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostFirst)
                .build(&literals)
                .expect("prefilter: literals are plain strings")
        });
        Prefilter {
            literals,
            regex_always,
        }
    }

    /// Looks at the folded text (see [`super::fold`]).
    pub(super) fn look(&self, folded: &str) -> Look {
        let found = self
            .literals
            .as_ref()
            .is_some_and(|literals| literals.is_match(folded));
        Look {
            keywords: found,
            regexes: found || self.regex_always,
        }
    }
}

/// The lowercased literals every match of `pattern` begins with, or `None`
/// when they cannot be listed exactly.
fn folded_prefixes(pattern: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::parse(pattern).ok()?;
    let seq = Extractor::new().kind(ExtractKind::Prefix).extract(&hir);
    let mut out = Vec::new();
    for literal in seq.literals()? {
        let bytes = literal.as_bytes();
        // A literal cut short inside a character keeps its whole characters:
        // a shorter prefix is still a prefix of every such match.
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).expect("valid prefix"),
        };
        // An empty prefix rules nothing out; a capital sigma lowercases
        // differently at the end of a word than alone.
        if text.is_empty() || text.contains('Σ') {
            return None;
        }
        out.push(text.to_lowercase());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    fn prefilter(keywords: &[&str], regexes: &[&str]) -> Prefilter {
        let keywords: Vec<Cow<'_, str>> = keywords.iter().map(|k| fold(k)).collect();
        let regexes: Vec<String> = regexes.iter().map(|r| r.to_string()).collect();
        Prefilter::new(&keywords, &regexes)
    }

    #[test]
    fn texts_without_any_literal_skip_both_searches() {
        let p = prefilter(&["Jane Doe", "NFT"], &[r"(?i)\bquestion\b"]);
        let nothing = Look {
            keywords: false,
            regexes: false,
        };
        assert_eq!(p.look(&fold("A calm post about bread.")), nothing);
        assert!(p.look(&fold("Hi JANE DOE")).keywords);
        assert!(p.look(&fold("A QUESTION for you")).regexes);
        // the long s is a case variant of `s` under (?i)
        assert!(p.look(&fold("a queſtion")).regexes);
        assert!(p.look(&fold("nft")).keywords);
    }

    #[test]
    fn regexes_that_may_start_anywhere_always_run() {
        for pattern in [r".*x", r"\w+ing", "a|b*", "(?i)Σοφία", ""] {
            let p = prefilter(&[], &[pattern]);
            assert!(p.look("").regexes, "{pattern}");
            assert!(!p.look("").keywords, "{pattern}");
        }
        let p = prefilter(&[], &[]);
        assert_eq!(
            p.look("anything"),
            Look {
                keywords: false,
                regexes: false
            }
        );
    }

    proptest::proptest! {
        /// Soundness: whenever a regex matches a text, the prefilter lets it
        /// run.
        #[test]
        fn a_matching_regex_is_never_ruled_out(
            pattern in prop_pattern(),
            text in "[a-zA-Z0-9 ſKßİıσςΣ東é\u{301}]{0,24}",
        ) {
            if let Ok(re) = Regex::new(&pattern) {
                let p = prefilter(&[], &[pattern.as_str()]);
                if re.is_match(&text) {
                    proptest::prop_assert!(p.look(&fold(&text)).regexes, "{} on {:?}", pattern, text);
                }
            }
        }
    }

    fn prop_pattern() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let atom = prop::sample::select(vec![
            "a", "B", "k", "s", "σ", "Σ", "ß", "İ", "é", "東", "\\b", "\\w", ".", "[a-c]",
            "(?i:s)", "(?i:K)", "x?", "(ab|cd)", "^", "$", "\\d",
        ]);
        (any::<bool>(), prop::collection::vec(atom, 1..5)).prop_map(|(ci, atoms)| {
            let body: String = atoms.concat();
            if ci { format!("(?i){body}") } else { body }
        })
    }
}
