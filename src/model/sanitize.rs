//! Sanitizing remote text before it can reach a terminal (ARCHITECTURE.md,
//! "Layers": every string in a post has been through here).
//!
//! Posts come from strangers. A post must never be able to move the cursor,
//! recolour the screen, set the clipboard (OSC 52), plant a hyperlink (OSC 8)
//! or flip the reading direction. So every string the decoders produce passes
//! through here: C0 and C1 controls are dropped together with the whole escape
//! sequence they start (CSI, OSC, DCS, …), bidi overrides and isolates are
//! dropped, tabs become spaces, CR LF becomes LF, and U+2028/U+2029 (line
//! and paragraph separators) become line breaks, or spaces on one line.
//!
//! Hand-written because the job is small, runs on every post on the hot path,
//! and must also cover the 8-bit C1 introducers; the fast path returns the
//! input untouched when no suspicious byte is present.

use super::scan::{ByteSet, find_first};
use std::borrow::Cow;

/// Sanitizes multi-line text: line feeds are kept.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    clean(text, true)
}

/// Sanitizes text that must stay on one line (names, handles): line breaks
/// become spaces.
pub fn sanitize_line(text: &str) -> Cow<'_, str> {
    clean(text, false)
}

fn clean(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !needs_cleaning(text.as_bytes(), keep_newlines) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' if keep_newlines => out.push('\n'),
            '\n' | '\t' => out.push(' '),
            // CR LF is one line break (the LF follows); a lone CR is a break
            // of its own, so the words around it stay apart.
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' if keep_newlines => out.push('\n'),
            '\r' => out.push(' '),
            '\u{1b}' => match chars.peek() {
                Some('[') => {
                    chars.next();
                    skip_csi(&mut chars);
                }
                Some(']' | 'P' | 'X' | '^' | '_') => {
                    chars.next();
                    skip_string(&mut chars);
                }
                Some(c) if !c.is_control() => {
                    chars.next();
                }
                _ => {}
            },
            '\u{9b}' => skip_csi(&mut chars),
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            // Unicode's line and paragraph separators break lines too.
            '\u{2028}' | '\u{2029}' if keep_newlines => out.push('\n'),
            '\u{2028}' | '\u{2029}' => out.push(' '),
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Characters that take no room and show nothing (zero-width space and
/// joiners, direction marks, word joiners, soft hyphen, tag characters…):
/// in a handle they make look-alikes of another account.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}'
            | '\u{034f}'
            | '\u{061c}'
            | '\u{115f}'
            | '\u{1160}'
            | '\u{17b4}'
            | '\u{17b5}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{e0000}'..='\u{e0fff}'
    )
}

/// Whether `text` has a byte an [`invisible`] character can start with:
/// most names (emoji start with F0) are passed without decoding a char.
fn may_hold_invisible(text: &str) -> bool {
    !text.is_ascii()
        && text
            .bytes()
            .any(|b| matches!(b, 0xc2 | 0xcd | 0xd8 | 0xe1 | 0xe2 | 0xe3 | 0xef | 0xf3))
}

/// A handle without invisible characters: what is shown is all there is.
pub fn strip_invisible(text: &str) -> Cow<'_, str> {
    if !may_hold_invisible(text) || !text.chars().any(invisible) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().filter(|&c| !invisible(c)).collect())
}

/// A display name with its invisible characters shown (`<U+200B>`), so a
/// name cannot pass for another one; the joiners emoji sequences are made
/// of (ZWJ, variation selectors, the tags of a flag) stay where they join
/// something.
pub fn show_invisible(text: &str) -> Cow<'_, str> {
    if !may_hold_invisible(text) || !text.chars().any(invisible) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut previous: Option<char> = None;
    for c in text.chars() {
        let joins = match c {
            '\u{200d}' | '\u{fe00}'..='\u{fe0f}' | '\u{e0020}'..='\u{e007f}' => {
                previous.is_some_and(|p| !p.is_whitespace() && !p.is_ascii())
            }
            _ => false,
        };
        if invisible(c) && !joins {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        } else {
            out.push(c);
        }
        previous = Some(c);
    }
    Cow::Owned(out)
}

/// Text for a message that quotes input (a bad line's keys, a file name),
/// with every control character and bidi override shown as an escape
/// (`\u{1b}`) instead of acting on the terminal; line feeds and tabs stay.
/// Unlike [`sanitize`], which drops what it cleans from posts, this keeps
/// it visible: someone reading an error wants to see what was there.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    let acts = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(acts) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if acts(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether any character we may change is present: C0, DEL, C1 (U+0080–U+009F,
/// encoded C2 80–9F) and the bidi controls U+202A–U+202E (E2 80 AA–AE) and
/// U+2066–U+2069 (E2 81 A6–A9).
fn needs_cleaning(bytes: &[u8], keep_newlines: bool) -> bool {
    // A quick look flags the bytes such a character can start with; only
    // those get the exact test. A kept line feed is not flagged, and
    // neither are most E2/C2 sequences in the exact test (typographic
    // quotes, dashes and many symbols start with E2).
    let mut from = 0;
    while let Some(i) = next_flagged(&bytes[from..], keep_newlines) {
        let at = from + i;
        let changes = match bytes[at] {
            0..0x20 | 0x7f => true,
            0xc2 => bytes.get(at + 1).is_some_and(|n| (0x80..0xa0).contains(n)),
            _ => matches!(
                (bytes.get(at + 1), bytes.get(at + 2)),
                (Some(0x80), Some(0xa8..=0xae)) | (Some(0x81), Some(0xa6..=0xa9))
            ),
        };
        if changes {
            return true;
        }
        from = at + 1;
    }
    false
}

/// The first byte that may start a character to clean: below 0x20 (but a
/// kept line feed), 0x7f, 0xc2 or 0xe2. Texts are mostly clean, so this
/// search is most of sanitizing's cost.
#[inline(always)]
fn next_flagged(bytes: &[u8], keep_newlines: bool) -> Option<usize> {
    // 0xff never occurs in UTF-8: then no control is kept
    let kept = if keep_newlines { b'\n' } else { 0xff };
    find_first(
        bytes,
        ByteSet::with_controls([0x7f, 0xc2, 0xe2, 0x7f], kept),
    )
}

/// Skips the parameters and final byte of a control sequence. A sequence that
/// never ends within a sane length stops being skipped, so a stray `ESC [`
/// cannot swallow the text after it.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for _ in 0..64 {
        match chars.peek() {
            Some(&c) if ('\u{40}'..='\u{7e}').contains(&c) => {
                chars.next();
                return;
            }
            Some(&c) if ('\u{20}'..='\u{3f}').contains(&c) => {
                chars.next();
            }
            _ => return,
        }
    }
}

/// Skips an OSC/DCS-style string up to its terminator (BEL, ESC \ or ST).
/// A line break also ends it (and is kept), so an unterminated sequence
/// costs at most the rest of its line.
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(&c) = chars.peek() {
        // The line break is left for the caller: it separates words.
        if c == '\n' {
            return;
        }
        chars.next();
        match c {
            '\u{7}' | '\u{9c}' => return,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte prefilter lets every invisible character through.
    #[test]
    fn every_invisible_character_passes_the_prefilter() {
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            if invisible(c) {
                assert!(may_hold_invisible(&c.to_string()), "{:04X}", c as u32);
            }
        }
    }

    fn assert_clean(s: &str) {
        for c in s.chars() {
            assert!(
                c == '\n' || !c.is_control(),
                "control {:?} left in {s:?}",
                c
            );
            assert!(
                !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'),
                "bidi control left in {s:?}"
            );
        }
    }

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        let text = "Hello 東京 👩‍💻 École\nnext line";
        assert!(matches!(sanitize(text), Cow::Borrowed(t) if t == text));
    }

    #[test]
    fn escape_sequences_are_removed_whole() {
        let cases = [
            ("red \u{1b}[31mtext\u{1b}[0m", "red text"),
            ("\u{1b}[2Jcleared", "cleared"),
            ("copy \u{1b}]52;c;aGVsbG8=\u{7}done", "copy done"),
            (
                "\u{1b}]8;;https://evil.example/\u{1b}\\link\u{1b}]8;;\u{1b}\\ end",
                "link end",
            ),
            ("c1 \u{9b}31mred", "c1 red"),
            ("osc8bit \u{9d}0;title\u{9c}x", "osc8bit x"),
            ("dcs \u{1b}Pq#0\u{1b}\\x", "dcs x"),
            ("bell\u{7} and nul\u{0}", "bell and nul"),
        ];
        for (dirty, want) in cases {
            let got = sanitize(dirty);
            assert_eq!(got, want, "for {dirty:?}");
            assert_clean(&got);
        }
    }

    #[test]
    fn bidi_overrides_are_dropped_but_rtl_text_kept() {
        assert_eq!(sanitize("abc\u{202e}def\u{2066}x\u{2069}"), "abcdefx");
        assert_eq!(sanitize("שלום עולם"), "שלום עולם");
        assert_eq!(sanitize("مرحبا"), "مرحبا");
    }

    #[test]
    fn whitespace_is_normalized() {
        assert_eq!(sanitize("a\r\nb\tc"), "a\nb c");
        assert_eq!(sanitize("a\rb"), "a\nb");
        assert_eq!(sanitize_line("a\rb"), "a b");
        assert_eq!(sanitize_line("a\nb"), "a b");
    }

    #[test]
    fn every_character_to_clean_is_found_anywhere_in_a_long_text() {
        let clean = "plain text, “quoted” — and long enough for several steps";
        assert!(matches!(sanitize(clean), Cow::Borrowed(_)));
        for dirty in [
            "\0", "\u{7}", "\u{1b}", "\u{7f}", "\u{85}", "\u{9b}", "\u{202e}", "\u{2069}", "\t",
        ] {
            for at in [0, 5, 15, 16, 17, 31, 40, clean.len()] {
                let mut text = clean.to_string();
                text.insert_str(at, dirty);
                assert!(
                    matches!(sanitize(&text), Cow::Owned(_)),
                    "{dirty:?} at {at}"
                );
                assert!(
                    matches!(sanitize_line(&text), Cow::Owned(_)),
                    "{dirty:?} at {at}"
                );
            }
        }
        let mut text = clean.to_string();
        text.insert(20, '\n');
        assert!(matches!(sanitize(&text), Cow::Borrowed(_)));
        assert_eq!(sanitize_line(&text), text.replace('\n', " "));
    }

    #[test]
    fn unterminated_sequences_do_not_eat_following_lines() {
        assert_eq!(sanitize("x\u{1b}]52;c;AAAA\nnext"), "x\nnext");
        assert_eq!(sanitize("x\u{1b}[12;\u{0}kept"), "xkept");
    }

    proptest::proptest! {
        #[test]
        fn output_never_contains_controls(s in "\\PC*|[\\x00-\\x20\\x7f-\\u{a0}\\u{2066}\\u{202e}a-z]*") {
            assert_clean(&sanitize(&s));
            assert_clean(&sanitize_line(&s));
            proptest::prop_assert!(!sanitize_line(&s).contains('\n'));
        }
    }
}
