//! Mastodon's status HTML to plain text.
//!
//! Mastodon sanitizes `content` on the server to a small fixed set of tags
//! (`p`, `br`, `a`, `span`, and a few inline and list tags), so a single
//! forward scan is enough. A general HTML renderer such as `html2text` lays
//! text out for a fixed width and turns links into footnotes, which is not
//! what routing or the columns want, and costs tens of microseconds per post
//! where the router's whole budget is about three; hence this small scanner.
//!
//! What it does: paragraphs become blank lines, `<br>` a line break, list
//! items `• ` lines, entities are decoded, and a link that Mastodon shortened
//! with `invisible`/`ellipsis` spans reads as its full URL, once.

use crate::model::scan::{ByteSet, copy_until, find_first};
use memchr::memchr;
use std::borrow::Cow;

/// The first `byte` in `hay`. What this module searches is short (the
/// text up to the next tag, a tag, an attribute value: tens of bytes); see
/// [`crate::model::scan`].
#[inline(always)]
fn find(byte: u8, hay: &[u8]) -> Option<usize> {
    find_first(hay, ByteSet::of([byte; 4]))
}

/// The first of three bytes in `hay`.
#[inline(always)]
fn find3(a: u8, b: u8, c: u8, hay: &[u8]) -> Option<usize> {
    find_first(hay, ByteSet::of([a, b, c, c]))
}

struct OpenLink<'a> {
    /// The raw `href` (entities still encoded): decoded only when the link
    /// is kept or shown, not for every mention and hashtag.
    href: &'a str,
    start: usize,
    shortened: bool,
    is_entity: bool,
}

/// The text of HTML content (a Mastodon `content` field, a feed entry).
pub fn html_to_text(html: &str) -> String {
    let mut text = String::new();
    html_to_text_into(html, &mut text, None);
    text
}

/// [`html_to_text`] written into `text` (cleared first, its buffer reused),
/// with the URLs of plain links pushed onto `links` when it is given
/// (mention and hashtag links are not listed: they are in the entity
/// arrays).
pub(super) fn html_to_text_into(html: &str, text: &mut String, links: Option<&mut Vec<String>>) {
    convert(html, text, links, read_tag, push_run);
}

/// The conversion, with the two steps the fast path shortens passed in:
/// reading the tag at a `<`, and pushing the text up to the next one
/// (returning its length). Tests run it with the plain steps too and
/// compare.
fn convert(
    html: &str,
    text: &mut String,
    mut links: Option<&mut Vec<String>>,
    read_tag: impl Fn(&str) -> TagEnd<'_>,
    push_run: impl Fn(&mut String, &str, bool) -> usize,
) {
    text.clear();
    // (And room for the 16-byte steps of `push_run`'s copy.)
    text.reserve(html.len() + 16);
    let mut link: Option<OpenLink> = None;
    let mut pending_break: Option<&str> = None;
    let mut pre_depth = 0usize;
    let mut rest = html;
    while let Some(&first) = rest.as_bytes().first() {
        if first != b'<' {
            push_break(text, &mut pending_break);
            rest = &rest[push_run(text, rest, pre_depth > 0)..];
            continue;
        }
        let tag = match read_tag(rest) {
            TagEnd::At(tag, len) => {
                rest = &rest[len..];
                tag
            }
            // A `<` that opens no tag is text.
            TagEnd::NotATag => {
                text.push('<');
                rest = &rest[1..];
                continue;
            }
            // A tag still open at the end of the content: the rest is text.
            // Stopping here (rather than retrying from the next `<`) keeps
            // the scan linear on hostile input such as `<a<a<a…`.
            TagEnd::Unterminated => {
                push_break(text, &mut pending_break);
                push_text(text, rest, pre_depth > 0);
                break;
            }
        };
        match (tag.kind, tag.closing) {
            // Mastodon 4.5 writes `RE: <link>` into a quote post's content
            // for clients that cannot show quotes; circles shows the quoted
            // post itself, so the line goes.
            (Kind::Block, false)
                if tag.name.eq_ignore_ascii_case("p")
                    && tag.attr("class").is_some_and(|c| {
                        c.split_ascii_whitespace().any(|c| c == "quote-inline")
                    }) =>
            {
                pending_break = Some("\n\n");
                rest = after_closing_tag(rest, tag.name);
            }
            (Kind::Block, _) => pending_break = Some("\n\n"),
            (Kind::Line, _) if pending_break.is_none() => pending_break = Some("\n"),
            (Kind::Hidden, false) if !tag.self_closing() => {
                rest = after_closing_tag(rest, tag.name);
            }
            (Kind::Pre, false) => {
                pending_break = Some("\n\n");
                pre_depth += 1;
            }
            (Kind::Pre, true) => {
                pending_break = Some("\n\n");
                pre_depth = pre_depth.saturating_sub(1);
            }
            (Kind::Br, _) => {
                pending_break = None;
                text.push('\n');
            }
            (Kind::Li, false) => {
                let brk = pending_break.take().unwrap_or("\n");
                if !text.is_empty() {
                    text.push_str(brk);
                }
                text.push_str("• ");
            }
            (Kind::A, false) => {
                push_break(text, &mut pending_break);
                let [class, href] = tag.attrs(["class", "href"]);
                let class = class.unwrap_or_default();
                link = Some(OpenLink {
                    href: href.unwrap_or_default(),
                    start: text.len(),
                    shortened: false,
                    is_entity: class
                        .split_ascii_whitespace()
                        .any(|c| c == "mention" || c == "hashtag"),
                });
            }
            (Kind::A, true) => {
                if let Some(open) = link.take()
                    && !open.href.is_empty()
                {
                    let listed = !open.is_entity && links.is_some();
                    if open.shortened || listed {
                        let href = decode_entities(open.href);
                        if open.shortened {
                            text.truncate(open.start);
                            text.push_str(&href);
                        }
                        if listed && let Some(links) = links.as_deref_mut() {
                            links.push(href);
                        }
                    }
                }
            }
            (Kind::Span, false) => {
                if let Some(open) = link.as_mut() {
                    let class = tag.attr("class").unwrap_or_default();
                    if class
                        .split_ascii_whitespace()
                        .any(|c| c == "invisible" || c == "ellipsis")
                    {
                        open.shortened = true;
                    }
                }
            }
            _ => {}
        }
    }
    let trimmed = text.trim_end().len();
    text.truncate(trimmed);
    let leading = text.len() - text.trim_start().len();
    text.drain(..leading);
}

/// The text after `</name>` (ASCII case-insensitive), or nothing when the
/// element is never closed (its content is dropped, as a browser would).
fn after_closing_tag<'a>(html: &'a str, name: &str) -> &'a str {
    // `memchr`, not `find`: a script or style body can be long.
    let bytes = html.as_bytes();
    let mut from = 0;
    while let Some(i) = memchr(b'<', &bytes[from..]) {
        let at = from + i;
        let rest = &bytes[at + 1..];
        if rest.first() == Some(&b'/')
            && rest
                .get(1..1 + name.len())
                .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
            && rest
                .get(1 + name.len())
                .is_none_or(|b| *b == b'>' || b.is_ascii_whitespace())
        {
            return match memchr(b'>', &bytes[at..]) {
                Some(end) => &html[at + end + 1..],
                None => "",
            };
        }
        from = at + 1;
    }
    ""
}

/// Emits a paragraph or line break owed by a closed block, unless nothing
/// has been written yet.
fn push_break(out: &mut String, pending: &mut Option<&str>) {
    if let Some(brk) = pending.take()
        && !out.is_empty()
    {
        out.push_str(brk);
    }
}

/// Appends `html` up to its first `<` as text (see [`push_text`]) and
/// returns that length: the plain step, which finds the end of the run,
/// then decodes and copies it.
fn push_plain_run(out: &mut String, html: &str, preformatted: bool) -> usize {
    let end = find(b'<', html.as_bytes()).unwrap_or(html.len());
    push_text(out, &html[..end], preformatted);
    end
}

/// [`push_plain_run`] in one pass: the run is copied 16 bytes a step up to
/// its end or the next reference or control character, which is dealt
/// with in place. (A post body is mostly such runs between tags, where a
/// search, then a second search for references, then a `memcpy` call cost
/// more than the copy.)
fn push_run(out: &mut String, html: &str, preformatted: bool) -> usize {
    /// Where a run stops: a tag, a reference, a control character.
    const STOP: ByteSet = ByteSet::with_controls(*b"<&<&", 0xff);
    let bytes = html.as_bytes();
    let mut at = 0;
    loop {
        // SAFETY: only whole UTF-8 sequences are appended: spans of `html`
        // that end before an ASCII byte or at its end.
        let stop = copy_until(&bytes[at..], STOP, unsafe { out.as_mut_vec() });
        let Some(i) = stop else {
            return bytes.len();
        };
        at += i;
        match bytes[at] {
            b'<' => return at,
            b'&' => match common_reference(&html[at..]) {
                Some((len, c)) => {
                    out.push(c);
                    at += len;
                }
                // Any other reference: the rest of the run as the plain
                // step would have it, through `html_escape`.
                None => return at + push_plain_run(out, &html[at..], preformatted),
            },
            b'\n' | b'\t' | b'\r' if !preformatted => {
                if !out.ends_with([' ', '\n']) {
                    out.push(' ');
                }
                at += 1;
            }
            control => {
                out.push(char::from(control));
                at += 1;
            }
        }
    }
}

/// Appends a text run with entities decoded and, outside `<pre>`, HTML's
/// whitespace collapsing.
fn push_text(out: &mut String, run: &str, preformatted: bool) {
    // Most runs have neither a reference nor a line break: one look.
    if find_first(run.as_bytes(), ByteSet::of(*b"&\n\t\r")).is_none() {
        out.push_str(run);
        return;
    }
    let decoded = entities(run);
    if preformatted || find3(b'\n', b'\t', b'\r', decoded.as_bytes()).is_none() {
        out.push_str(&decoded);
        return;
    }
    for (i, piece) in decoded.split(['\n', '\t', '\r']).enumerate() {
        if i > 0 && !out.ends_with([' ', '\n']) {
            out.push(' ');
        }
        out.push_str(piece);
    }
}

fn decode_entities(text: &str) -> String {
    entities(text).into_owned()
}

/// The reference `text` starts with, if it is one of the few Mastodon
/// writes: its length and the character it stands for.
fn common_reference(text: &str) -> Option<(usize, char)> {
    const COMMON: [(&str, char); 5] = [
        ("&amp;", '&'),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
        ("&#39;", '\''),
    ];
    COMMON
        .iter()
        .find(|(name, _)| text.starts_with(name))
        .map(|&(name, c)| (name.len(), c))
}

/// Decodes character references. The few Mastodon writes (`&amp;`, `&lt;`,
/// `&gt;`, `&quot;`, `&#39;`) are replaced here; a text holding any other
/// goes to `html_escape`, which knows all of HTML's (and costs a table
/// search per reference).
fn entities(text: &str) -> Cow<'_, str> {
    let Some(first) = find(b'&', text.as_bytes()) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut at = Some(first);
    while let Some(i) = at {
        let tail = &rest[i..];
        let Some((len, c)) = common_reference(tail) else {
            return html_escape::decode_html_entities(text);
        };
        out.push_str(&rest[..i]);
        out.push(c);
        rest = &tail[len..];
        at = find(b'&', rest.as_bytes());
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// What is found at a `<`.
enum TagEnd<'a> {
    /// A tag, and its length (up to and with its `>`).
    At(Tag<'a>, usize),
    NotATag,
    Unterminated,
}

/// Reads the tag at `html[0] == '<'`. The tags Mastodon writes with no
/// attributes (two thirds of a post's) are told from their bytes; any
/// other is read by [`read_any_tag`], which reads these the same.
fn read_tag(html: &str) -> TagEnd<'_> {
    let tag = |kind, closing, name: std::ops::Range<usize>, len: usize| {
        let attrs = &html[name.end..len - 1];
        let name = &html[name];
        TagEnd::At(
            Tag {
                kind,
                name,
                closing,
                attrs,
            },
            len,
        )
    };
    match html.as_bytes() {
        [_, b'/', b's', b'p', b'a', b'n', b'>', ..] => tag(Kind::Span, true, 2..6, 7),
        [_, b'p', b'>', ..] => tag(Kind::Block, false, 1..2, 3),
        [_, b'/', b'p', b'>', ..] => tag(Kind::Block, true, 2..3, 4),
        [_, b'/', b'a', b'>', ..] => tag(Kind::A, true, 2..3, 4),
        [_, b's', b'p', b'a', b'n', b'>', ..] => tag(Kind::Span, false, 1..5, 6),
        [_, b'b', b'r', b' ', b'/', b'>', ..] => tag(Kind::Br, false, 1..3, 6),
        [_, b'b', b'r', b'>', ..] => tag(Kind::Br, false, 1..3, 4),
        _ => read_any_tag(html),
    }
}

/// Reads the tag at `html[0] == '<'`: finds its `>`, skipping quoted
/// attribute values, and parses what lies between.
fn read_any_tag(html: &str) -> TagEnd<'_> {
    let bytes = html.as_bytes();
    if !bytes
        .get(1)
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'/' || *b == b'!')
    {
        return TagEnd::NotATag;
    }
    // Jump from one `>` or quote to the next: attribute values are the
    // only place a `>` does not end the tag.
    let mut at = 1;
    while let Some(i) = find3(b'>', b'"', b'\'', &bytes[at..]) {
        let hit = at + i;
        match bytes[hit] {
            b'>' => return TagEnd::At(Tag::parse(&html[1..hit]), hit + 1),
            quote => match find(quote, &bytes[hit + 1..]) {
                Some(close) => at = hit + 1 + close + 1,
                None => return TagEnd::Unterminated,
            },
        }
    }
    TagEnd::Unterminated
}

/// What a tag does to the text, told from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Paragraphs and other large blocks: a blank line.
    Block,
    /// Smaller blocks (feeds use them freely): a line break of their own.
    Line,
    /// Code and styling that is never shown: skipped to the closing tag.
    Hidden,
    Pre,
    Br,
    Li,
    A,
    Span,
    Other,
}

impl Kind {
    fn of(name: &str) -> Kind {
        // Mastodon writes tag names in lowercase; other case is rare enough
        // to pay for a lowered copy.
        if name.bytes().any(|b| b.is_ascii_uppercase()) {
            return Kind::of(&name.to_ascii_lowercase());
        }
        match name {
            "p" | "blockquote" | "ul" | "ol" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "hr"
            | "table" | "figure" | "section" | "article" | "header" | "footer" => Kind::Block,
            "div" | "tr" | "dt" | "dd" | "figcaption" => Kind::Line,
            "script" | "style" | "template" | "noscript" | "head" => Kind::Hidden,
            "pre" => Kind::Pre,
            "br" => Kind::Br,
            "li" => Kind::Li,
            "a" => Kind::A,
            "span" => Kind::Span,
            _ => Kind::Other,
        }
    }
}

struct Tag<'a> {
    kind: Kind,
    name: &'a str,
    closing: bool,
    attrs: &'a str,
}

impl<'a> Tag<'a> {
    fn parse(inner: &'a str) -> Tag<'a> {
        let (closing, body) = match inner.strip_prefix('/') {
            Some(body) => (true, body),
            None => (false, inner),
        };
        let name_end = body
            .bytes()
            .position(|b| b.is_ascii_whitespace() || b == b'/')
            .unwrap_or(body.len());
        let name = &body[..name_end];
        Tag {
            kind: Kind::of(name),
            name,
            closing,
            attrs: &body[name_end..],
        }
    }

    /// `<tag … />`.
    fn self_closing(&self) -> bool {
        self.attrs.trim_end().ends_with('/')
    }

    /// The raw value of an attribute (entities still encoded).
    fn attr(&self, name: &str) -> Option<&'a str> {
        let [value] = self.attrs([name]);
        value
    }

    /// The raw values of several attributes, in one pass (the first of each
    /// name counts, as in a browser). Attributes are separated by ASCII
    /// whitespace (the HTML rule), so the scan works on bytes and slices
    /// only at ASCII positions.
    fn attrs<const N: usize>(&self, names: [&str; N]) -> [Option<&'a str>; N] {
        let mut found = [None; N];
        let text = self.attrs;
        let bytes = text.as_bytes();
        let space = |b: u8| b.is_ascii_whitespace();
        let mut at = 0;
        loop {
            while at < bytes.len() && (space(bytes[at]) || bytes[at] == b'/') {
                at += 1;
            }
            if at == bytes.len() {
                return found;
            }
            let key_start = at;
            while at < bytes.len() && bytes[at] != b'=' && !space(bytes[at]) {
                at += 1;
            }
            let key = &text[key_start..at];
            while at < bytes.len() && space(bytes[at]) {
                at += 1;
            }
            let mut value = "";
            if bytes.get(at) == Some(&b'=') {
                at += 1;
                while at < bytes.len() && space(bytes[at]) {
                    at += 1;
                }
                match bytes.get(at) {
                    Some(&q @ (b'"' | b'\'')) => {
                        let start = at + 1;
                        let end = find(q, &bytes[start..]).map_or(bytes.len(), |i| start + i);
                        value = &text[start..end];
                        at = (end + 1).min(bytes.len());
                    }
                    _ => {
                        let start = at;
                        while at < bytes.len() && !space(bytes[at]) {
                            at += 1;
                        }
                        value = &text[start..at];
                    }
                }
            }
            for (slot, name) in found.iter_mut().zip(names) {
                if slot.is_none() && key.eq_ignore_ascii_case(name) {
                    *slot = Some(value);
                }
            }
            if found.iter().all(Option::is_some) {
                return found;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text and the plain links, as Mastodon decoding collects them.
    struct Converted {
        text: String,
        links: Vec<String>,
    }

    fn html_to_text(html: &str) -> Converted {
        let mut got = Converted {
            text: String::new(),
            links: Vec::new(),
        };
        html_to_text_into(html, &mut got.text, Some(&mut got.links));
        got
    }

    proptest::proptest! {
        /// The shortcut for common references decodes as html_escape does.
        #[test]
        fn entities_decode_as_html_escape_does(
            text in "(&amp;|&lt;|&gt;|&quot;|&#39;|&#x27;|&eacute;|&am|&|;|a| |é){0,12}",
        ) {
            proptest::prop_assert_eq!(entities(&text), html_escape::decode_html_entities(&text));
        }

        /// The same with only the five references the shortcut replaces
        /// itself (above, most texts hold one it hands to html_escape).
        #[test]
        fn common_references_decode_as_html_escape_does(
            text in "(&amp;|&lt;|&gt;|&quot;|&#39;|;|a| |é){0,12}",
        ) {
            proptest::prop_assert_eq!(entities(&text), html_escape::decode_html_entities(&text));
        }
    }

    /// Pieces of Mastodon and feed HTML, well and badly formed.
    const PIECES: &[&str] = &[
        "<p>",
        "</p>",
        "<span>",
        "</span>",
        "</a>",
        "<br>",
        "<br />",
        "<br/>",
        "<P>",
        "<Span>",
        "</SPAN>",
        "<p class=\"x\">",
        "<span class=\"invisible\">",
        "<span class=\"ellipsis\">",
        "<span class=\"h-card\" translate=\"no\">",
        "<a href=\"https://hachyderm.io/@alice\" class=\"u-url mention\">",
        "<a href=\"https://l.example/a?b=1&amp;c=2\" target=\"_blank\" rel=\"nofollow\">",
        "<a href='https://q.example/'>",
        "<pre>",
        "</pre>",
        "<li>",
        "</li>",
        "<ul>",
        "<div>",
        "<script>",
        "</script>",
        "<br",
        "<p",
        "<",
        "< p>",
        "<!-- c -->",
        "<a href=\">\">",
        "a",
        "é",
        "東京",
        " ",
        "\n",
        "\t",
        "\r",
        "&amp;",
        "&lt;",
        "&gt;",
        "&quot;",
        "&#39;",
        "&eacute;",
        "&#x27;",
        "&",
        "&am",
        ";",
        "\u{1b}",
        "\0",
        "a long run of text, longer than one chunk",
    ];

    proptest::proptest! {
        /// The fast steps (tags told from their bytes, runs copied with
        /// references in place) convert as the plain steps do.
        #[test]
        fn the_fast_steps_convert_as_the_plain_ones(
            pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..40),
        ) {
            let html = pieces.concat();
            let mut fast = (String::new(), Vec::new());
            // (a stale text, which the conversion clears)
            let mut plain = (String::from("stale"), Vec::new());
            convert(&html, &mut fast.0, Some(&mut fast.1), read_tag, push_run);
            convert(&html, &mut plain.0, Some(&mut plain.1), read_any_tag, push_plain_run);
            proptest::prop_assert_eq!(fast, plain, "{:?}", html);
        }
    }

    #[test]
    fn paragraphs_breaks_and_entities() {
        let got = html_to_text(
            "<p>Fish &amp; chips, isn&#39;t it &lt;great&gt;?</p><p>Line one<br />line two<br>three</p>",
        );
        assert_eq!(
            got.text,
            "Fish & chips, isn't it <great>?\n\nLine one\nline two\nthree"
        );
        assert!(got.links.is_empty());
    }

    #[test]
    fn feed_html_blocks_break_lines_and_hidden_elements_are_dropped() {
        let got = html_to_text(
            "<h2>Release</h2><div>First line</div><div>Second line</div>\
             <SCRIPT type=\"text/javascript\">var x = \"<p>no</p>\";</SCRIPT>\
             <style>p { color: red }</style><p>After</p><script>never closed",
        );
        assert_eq!(got.text, "Release\n\nFirst line\nSecond line\n\nAfter");
        // a self-closed script hides nothing
        assert_eq!(html_to_text("<p>a<script/>b</p>").text, "ab");
    }

    #[test]
    fn shortened_links_read_as_their_url_once() {
        let html = r#"<p>Read <a href="https://example.org/a/very/long/path?x=1&amp;y=2" target="_blank" rel="nofollow noopener" translate="no"><span class="invisible">https://</span><span class="ellipsis">example.org/a/very/lo</span><span class="invisible">ng/path?x=1&amp;y=2</span></a> now</p>"#;
        let got = html_to_text(html);
        assert_eq!(
            got.text,
            "Read https://example.org/a/very/long/path?x=1&y=2 now"
        );
        assert_eq!(
            got.links,
            vec!["https://example.org/a/very/long/path?x=1&y=2"]
        );
    }

    #[test]
    fn the_quote_fallback_line_of_a_quote_post_is_dropped() {
        let html = r#"<p>So true.</p><P CLASS="quote-inline">RE: <a href="https://x.example/@a/1"><span class="invisible">https://</span>x.example/@a/1</a></P><p>More</p>"#;
        let got = html_to_text(html);
        assert_eq!(got.text, "So true.\n\nMore");
        assert!(got.links.is_empty(), "{:?}", got.links);
        // Any other paragraph class is text as usual.
        assert_eq!(html_to_text(r#"<p class="x">kept</p>"#).text, "kept");
    }

    #[test]
    fn mentions_and_hashtags_read_naturally_and_are_not_links() {
        let html = r#"<p><span class="h-card" translate="no"><a href="https://hachyderm.io/@alice" class="u-url mention">@<span>alice</span></a></span> loves <a href="https://mastodon.social/tags/rust" class="mention hashtag" rel="tag">#<span>rust</span></a></p>"#;
        let got = html_to_text(html);
        assert_eq!(got.text, "@alice loves #rust");
        assert!(got.links.is_empty());
    }

    #[test]
    fn entity_encoded_escapes_never_reach_the_terminal() {
        // C0 references such as `&#27;` stay literal (inert) text; C1 ones
        // decode, and the sanitizer that runs next removes them.
        let got = html_to_text("<p>&#27;[2Jboom &#x9b;31mred&#7;</p>");
        let shown = crate::model::sanitize(&got.text);
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        assert_eq!(shown, "&#27;[2Jboom red&#7;");
    }

    #[test]
    fn lists_quotes_and_stray_angle_brackets() {
        let got = html_to_text(
            "<p>a < b</p><ul><li>one</li><li>two</li></ul><blockquote><p>quoted</p></blockquote>",
        );
        assert_eq!(got.text, "a < b\n\n• one\n• two\n\nquoted");
    }

    #[test]
    fn an_unterminated_tag_ends_the_markup_and_the_rest_reads_as_text() {
        assert_eq!(
            html_to_text("<p>ok</p><a href=\"x").text,
            "ok\n\n<a href=\"x"
        );
        // Linear on hostile input: a megabyte of `<a` finishes at once.
        let hostile = "<a".repeat(500_000);
        assert_eq!(html_to_text(&hostile).text.len(), hostile.len());
    }

    #[test]
    fn source_whitespace_collapses_outside_pre() {
        let got = html_to_text("<p>one\ntwo</p><pre>  keep\n  this</pre>");
        assert_eq!(got.text, "one two\n\n  keep\n  this");
    }
}
