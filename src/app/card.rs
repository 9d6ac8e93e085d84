//! Post cards and the detail page as lines of toned text, measured in
//! terminal cells.
//!
//! The reducer needs card heights (to keep the selection on screen, to page,
//! to know what the reader has seen) and the screen needs the same lines to
//! draw, so both come from here. Tones say what a piece of text *is*; the
//! ui decides how each tone looks.
//!
//! Widths are display widths (CJK and emoji take two cells, combining marks
//! none) via `unicode-width`; wrapping uses `textwrap` with Unicode line
//! breaking, so CJK text without spaces wraps too.

use crate::config::Style;
use crate::filter::Verdict;
use crate::model::{MediaKind, Post, Quote};
use chrono::{DateTime, Utc};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// What a piece of card text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Name,
    /// The name of an amplified author.
    Amplified,
    Handle,
    Time,
    /// Boost and reply markers.
    Context,
    /// A content warning.
    Warning,
    Text,
    Hashtag,
    Mention,
    Link,
    /// Link and media markers, hints.
    Marker,
    /// Headings of the detail page.
    Heading,
    /// The reader's own marks on a post: favourited, boosted, bookmarked.
    Mine,
    /// A row kept for an image: the ui draws the image (the piece's `link`)
    /// over the run of such rows, or says it is loading.
    Image,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub tone: Tone,
    pub text: String,
    /// Where the text links to, for the terminal to make it clickable
    /// (OSC 8): an http, https or mailto URL, checked and normalized by
    /// `model::link_target`. The same for every piece of a URL wrapped
    /// over several lines.
    pub link: Option<String>,
}

pub type Line = Vec<Piece>;

fn piece(tone: Tone, text: impl Into<String>) -> Piece {
    Piece {
        tone,
        text: text.into(),
        link: None,
    }
}

/// A piece of text that links to `url`, if it is a URL the terminal may
/// be given.
fn linked(tone: Tone, text: impl Into<String>, url: &str) -> Piece {
    Piece {
        link: crate::model::link_target(url),
        ..piece(tone, text)
    }
}

/// The longest a card's text gets in a column; the detail page shows all.
const MAX_TEXT_LINES: usize = 10;

/// How one card is to be laid out.
#[derive(Debug, Clone, Copy)]
pub struct CardLook {
    /// Cells available for the card's text.
    pub width: usize,
    pub style: Style,
    pub amplified: bool,
    /// The content warning has been opened.
    pub cw_open: bool,
    /// A muted post on show: why it is muted.
    pub muted: Option<&'static str>,
    pub now: DateTime<Utc>,
    /// A thumbnail of the first image goes under the card (`[ui] images =
    /// "cards"`).
    pub images: bool,
}

/// Where an image attachment can be fetched from: its http(s) URL, as
/// `model::link_target` normalizes it; none for other media.
pub fn image_url(media: &crate::model::Media) -> Option<String> {
    media
        .url
        .as_deref()
        .filter(|_| media.kind == MediaKind::Image)
        .and_then(crate::model::link_target)
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
}

/// Rows a thumbnail takes on a card, and an image in the detail view.
pub const CARD_IMAGE_ROWS: usize = 6;
pub const DETAIL_IMAGE_ROWS: usize = 14;

/// The rows kept for `media`'s image, when it is one circles can fetch:
/// `rows` image rows, or for a sensitive post not opened yet a line that
/// says how to see it.
fn image_rows(post: &Post, media: &crate::model::Media, opened: bool, rows: usize) -> Vec<Line> {
    let Some(url) = image_url(media) else {
        return Vec::new();
    };
    if post.sensitive && !opened {
        return vec![vec![piece(
            Tone::Marker,
            "▣ sensitive image hidden: z shows it",
        )]];
    }
    let row = Piece {
        link: Some(url),
        ..piece(Tone::Image, "")
    };
    vec![vec![row]; rows]
}

/// A post as a card in a column: header, context, text, markers.
pub fn card(post: &Post, look: CardLook) -> Vec<Line> {
    let width = look.width.max(1);
    let time = relative_time(look.now, post.created_at);
    let warning = warning_of(post);
    if look.style == Style::Compact && post.is_pure_notice() {
        return vec![fit_with_right(
            notice_words(post),
            vec![piece(Tone::Time, time)],
            width,
        )];
    }
    if look.style == Style::Compact {
        let first = warning
            .as_deref()
            .filter(|_| !look.cw_open)
            .map(|cw| format!("⚠ {cw}"))
            .unwrap_or_else(|| post.text.split_whitespace().collect::<Vec<_>>().join(" "));
        let name = post.author.shown_name().to_string();
        let mut line = vec![piece(name_tone(look.amplified), name)];
        line.push(piece(Tone::Text, format!(": {first}")));
        return vec![fit_with_right(line, vec![piece(Tone::Time, time)], width)];
    }
    let mut lines = Vec::new();
    if let Some(reason) = look.muted {
        lines.push(vec![piece(Tone::Marker, format!("⊘ muted ({reason})"))]);
    }
    if post.is_pure_notice() {
        lines.push(fit_with_right(
            notice_words(post),
            vec![piece(Tone::Time, time)],
            width,
        ));
        if let Some(subject) = post.notice.as_deref().and_then(|n| n.subject.as_deref()) {
            lines.extend(excerpt(&subject.text, width, 2));
        }
        return lines;
    }
    lines.push(header(post, look.amplified, time, width));
    lines.extend(context(post, width));
    let hidden = match &warning {
        Some(cw) => {
            let mut warning = wrap_plain(&format!("⚠ {cw}"), width, Tone::Warning);
            if !look.cw_open {
                warning.push(vec![piece(Tone::Marker, "[z] show the text")]);
            }
            lines.extend(warning);
            !look.cw_open
        }
        None => false,
    };
    if hidden {
        // Everything under the warning waits for `z`: the text, and the
        // markers too, since an image description or a link's domain can
        // say as much as the text.
        return lines;
    }
    let mut text = wrap_rich(&post.text, &post.links, width);
    if text.len() > MAX_TEXT_LINES {
        text.truncate(MAX_TEXT_LINES);
        text.push(vec![piece(Tone::Marker, "… [enter] read it all")]);
    }
    lines.extend(text);
    lines.extend(quote_block(
        post,
        width,
        look.now,
        look.cw_open,
        Some(QUOTE_LINES),
    ));
    if let Some(markers) = markers(post, width) {
        lines.push(markers);
    }
    if let Some(counts) = counts(post) {
        lines.push(truncate_line(vec![piece(Tone::Marker, counts)], width));
    }
    if look.images
        && look.style != Style::Compact
        && let Some(first) = post.media.first()
    {
        lines.extend(image_rows(post, first, look.cw_open, CARD_IMAGE_ROWS));
    }
    lines
}

/// The longest a quoted post's text gets in a card.
const QUOTE_LINES: usize = 4;

/// The post `post` quotes, under its text, behind a bar: who wrote it and
/// when, its text (up to `max` lines) and its links and media; or why the
/// server does not show it. Its content warning (or sensitive media) hides
/// its text until `z` (`opened`), as on a card of its own.
fn quote_block(
    post: &Post,
    width: usize,
    now: DateTime<Utc>,
    opened: bool,
    max: Option<usize>,
) -> Vec<Line> {
    const BAR: &str = "┃ ";
    let Some(quote) = post.quote.as_deref() else {
        return Vec::new();
    };
    let inner = width.saturating_sub(self::width(BAR)).max(1);
    let mut body = Vec::new();
    match quote {
        Quote::Hidden(why) => body.extend(wrap_plain(
            &format!("❝ quoted post: {why}"),
            inner,
            Tone::Context,
        )),
        Quote::Shown(quoted) => {
            let mut left = vec![piece(Tone::Context, "❝ ")];
            let name = quoted.author.display_name.trim();
            if !name.is_empty() {
                left.push(piece(Tone::Name, name));
                left.push(piece(Tone::Handle, " "));
            }
            left.push(piece(Tone::Handle, quoted.author.handle.clone()));
            let time = vec![piece(Tone::Time, relative_time(now, quoted.created_at))];
            body.push(fit_with_right(left, time, inner));
            let hidden = match warning_of(quoted) {
                Some(cw) => {
                    body.extend(wrap_plain(&format!("⚠ {cw}"), inner, Tone::Warning));
                    if !opened {
                        body.push(vec![piece(Tone::Marker, "[z] show the text")]);
                    }
                    !opened
                }
                None => false,
            };
            if !hidden {
                let mut text = wrap_rich(&quoted.text, &quoted.links, inner);
                if let Some(max) = max.filter(|max| text.len() > *max) {
                    text.truncate(max);
                    text.push(vec![piece(Tone::Marker, "… [enter] read it all")]);
                }
                body.extend(text);
                body.extend(markers(quoted, inner));
            }
        }
    }
    body.into_iter()
        .map(|mut line| {
            line.insert(0, piece(Tone::Context, BAR));
            line
        })
        .collect()
}

/// What a card hides its body behind: the post's content warning, else,
/// for a post whose media are sensitive (Mastodon's `sensitive`, a Bluesky
/// adult or graphic-media label), a warning saying so. `z` opens either.
fn warning_of(post: &Post) -> Option<String> {
    post.content_warning
        .clone()
        .or_else(|| post.sensitive.then(|| "sensitive media".to_string()))
}

fn name_tone(amplified: bool) -> Tone {
    if amplified {
        Tone::Amplified
    } else {
        Tone::Name
    }
}

fn header(post: &Post, amplified: bool, time: String, width: usize) -> Line {
    let mut left = Vec::new();
    if amplified {
        left.push(piece(Tone::Amplified, "✦ "));
    }
    let name = post.author.display_name.trim();
    if !name.is_empty() {
        left.push(piece(name_tone(amplified), name));
        left.push(piece(Tone::Handle, " "));
    }
    left.push(piece(Tone::Handle, post.author.handle.clone()));
    let mut right = Vec::new();
    let marks = mine(post);
    if !marks.is_empty() {
        right.push(piece(Tone::Mine, marks));
        right.push(piece(Tone::Time, " "));
    }
    right.push(piece(Tone::Time, time));
    fit_with_right(left, right, width)
}

/// The reader's marks on a post, for the header: `★` favourited (liked),
/// `↻` boosted (reposted), `🔖` bookmarked.
fn mine(post: &Post) -> String {
    let e = &post.engagement;
    [(e.favourited, "★"), (e.boosted, "↻"), (e.bookmarked, "🔖")]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, mark)| mark)
        .collect::<Vec<_>>()
        .join(" ")
}

/// How many replied, boosted and favourited, in the network's words:
/// `2 replies · 5 boosts · 17 favourites` (Bluesky: reposts, likes). None
/// when the server gave no counts or all are zero.
pub fn counts(post: &Post) -> Option<String> {
    let e = &post.engagement;
    let (boost, favourite) = match post.author.network {
        crate::model::Network::Bluesky => (("repost", "reposts"), ("like", "likes")),
        _ => (("boost", "boosts"), ("favourite", "favourites")),
    };
    let parts: Vec<String> = [
        (e.replies, ("reply", "replies")),
        (e.boosts, boost),
        (e.favourites, favourite),
    ]
    .into_iter()
    .filter_map(|(n, (one, many))| match n? {
        0 => None,
        1 => Some(format!("1 {one}")),
        n => Some(format!("{n} {many}")),
    })
    .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// Who did it, for a notice's card: "Bob", "Bob and Ann", "Bob and 3
/// others".
fn actors_words(post: &Post) -> String {
    let name = post.author.shown_name();
    let notice = post.notice.as_deref();
    let others = notice.map_or(&[][..], |n| &n.others[..]);
    // A server's count beyond those it named: "and 40 others".
    let more = notice
        .and_then(|n| n.total)
        .map_or(0, |t| (t as usize).saturating_sub(1 + others.len()));
    match (others, more) {
        ([], 0) => name.to_string(),
        ([one], 0) => format!("{name} and {}", one.shown_name()),
        (many, more) if many.len() + more == 1 => format!("{name} and 1 other"),
        (many, more) => format!("{name} and {} others", many.len() + more),
    }
}

/// What a notice says, as the first line of its card: `★ Bob favourited
/// your post`, `+ Carol followed you`, `↪ Dan replied` (in the network's
/// words: Bluesky likes and reposts).
fn notice_words(post: &Post) -> Line {
    use crate::model::{Network, NoticeKind};
    let Some(kind) = post.notice_kind() else {
        return Vec::new();
    };
    let bluesky = post.author.network == Network::Bluesky;
    let (mark, did) = match kind {
        NoticeKind::Favourite if bluesky => ("★", "liked your post"),
        NoticeKind::Favourite => ("★", "favourited your post"),
        NoticeKind::Reblog if bluesky => ("↻", "reposted your post"),
        NoticeKind::Reblog => ("↻", "boosted your post"),
        NoticeKind::Follow => ("+", "followed you"),
        NoticeKind::FollowRequest => ("+", "asked to follow you"),
        NoticeKind::Poll => ("▤", "— a poll has ended"),
        NoticeKind::Mention => ("@", "mentioned you"),
        NoticeKind::Reply => ("↪", "replied"),
        NoticeKind::Quote => ("❝", "quoted your post"),
        NoticeKind::Status => ("•", "posted"),
        NoticeKind::Update => ("✎", "edited a post"),
        NoticeKind::Other => ("•", "sent a notification"),
    };
    vec![
        piece(Tone::Mine, format!("{mark} ")),
        piece(Tone::Name, actors_words(post)),
        piece(Tone::Context, format!(" {did}")),
    ]
}

/// What a notice says, as plain text: "★ Bob favourited your post".
pub fn notice_text(post: &Post) -> String {
    text_of_line(&notice_words(post))
}

/// Up to `max` lines of a post's text, quoted, for a notice about it.
fn excerpt(text: &str, width: usize, max: usize) -> Vec<Line> {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.is_empty() {
        return Vec::new();
    }
    let mut rows = wrap_plain(&format!("“{flat}”"), width, Tone::Context);
    if rows.len() > max {
        rows.truncate(max);
        if let Some(last) = rows.last_mut() {
            *last = truncate_line(
                vec![piece(Tone::Context, format!("{} …", text_of_line(last)))],
                width,
            );
        }
    }
    rows
}

fn context(post: &Post, width: usize) -> Vec<Line> {
    let mut lines = Vec::new();
    // A mention, reply or quote says so first.
    if post.notice.is_some() {
        lines.push(truncate_line(notice_words(post), width));
    }
    if !post.also_as.is_empty() {
        let also: Vec<&str> = post.also_as.iter().map(|a| a.handle.as_str()).collect();
        lines.push(truncate_line(
            vec![piece(
                Tone::Context,
                format!("⧉ also as {}", also.join(", ")),
            )],
            width,
        ));
    }
    let boosters: Vec<&str> = post.boosters().map(|b| b.shown_name()).collect();
    if !boosters.is_empty() {
        let who = boosters.join(", ");
        lines.push(truncate_line(
            vec![piece(Tone::Context, format!("↻ boosted by {who}"))],
            width,
        ));
    }
    if let Some(reply) = post
        .reply_to
        .as_ref()
        .filter(|_| post.notice_kind() != Some(crate::model::NoticeKind::Reply))
    {
        let to = reply
            .to
            .as_ref()
            .map(|m| {
                if m.handle.is_empty() {
                    m.did.clone().unwrap_or_default()
                } else {
                    m.handle.clone()
                }
            })
            .filter(|h| !h.is_empty());
        let text = match to {
            Some(to) => format!("↪ reply to {to}"),
            None => "↪ reply".to_string(),
        };
        lines.push(truncate_line(vec![piece(Tone::Context, text)], width));
    }
    lines
}

fn markers(post: &Post, width: usize) -> Option<Line> {
    let mut line = Vec::new();
    match post.links.len() {
        0 => {}
        1 => line.push(linked(
            Tone::Marker,
            format!("↗ {}", link_host(&post.links[0])),
            &post.links[0],
        )),
        n => line.push(piece(Tone::Marker, format!("↗ {n} links"))),
    }
    let mut parts = Vec::new();
    if let Some(first) = post.media.first() {
        let kind = media_word(first.kind);
        let mut text = if post.media.len() == 1 {
            format!("▣ {kind}")
        } else {
            format!("▣ {} attachments", post.media.len())
        };
        if post.media.len() == 1
            && let Some(alt) = first.alt.as_deref().filter(|a| !a.trim().is_empty())
        {
            text.push_str(": ");
            text.push_str(&alt.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        parts.push(text);
    }
    if !parts.is_empty() {
        let lead = if line.is_empty() { "" } else { "  " };
        line.push(piece(Tone::Marker, format!("{lead}{}", parts.join("  "))));
    }
    (!line.is_empty()).then(|| truncate_line(line, width))
}

fn media_word(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Image => "image",
        MediaKind::Video => "video",
        MediaKind::Audio => "audio",
        MediaKind::Other => "attachment",
    }
}

fn link_host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

/// "now", "42s", "5m", "3h", "2d", then the date, with the year when it
/// is not this year's ("Jan 1 2025").
pub fn relative_time(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    use chrono::Datelike;
    let secs = (now - then).num_seconds();
    match secs {
        ..10 => "now".to_string(),
        10..60 => format!("{secs}s"),
        60..3600 => format!("{}m", secs / 60),
        3600..86_400 => format!("{}h", secs / 3600),
        86_400..604_800 => format!("{}d", secs / 86_400),
        _ if then.year() != now.year() => then.format("%b %-d %Y").to_string(),
        _ => then.format("%b %-d").to_string(),
    }
}

fn text_of_line(line: &Line) -> String {
    line.iter().map(|p| p.text.as_str()).collect()
}

/// Display width of text in terminal cells.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// Cuts text to at most `max` cells, ending in `…` when cut; never splits
/// a grapheme.
pub fn truncate(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for g in text.graphemes(true) {
        let w = width(g);
        if used + w + 1 > max {
            break;
        }
        used += w;
        out.push_str(g);
    }
    if max > 0 {
        out.truncate(out.trim_end().len());
        out.push('…');
    }
    out
}

/// Cuts a line of pieces to `max` cells.
pub fn truncate_line(line: Line, max: usize) -> Line {
    let mut out = Vec::new();
    let mut left = max;
    let total: usize = line.iter().map(|p| width(&p.text)).sum();
    if total <= max {
        return line;
    }
    for p in line {
        let w = width(&p.text);
        if w < left {
            left -= w;
            out.push(p);
        } else {
            out.push(Piece {
                text: truncate(&p.text, left),
                ..p
            });
            break;
        }
    }
    out
}

/// `left` cut to leave room for `right`, which is pushed to the right edge.
fn fit_with_right(left: Line, right: Line, width: usize) -> Line {
    let right_w: usize = right.iter().map(|p| self::width(&p.text)).sum();
    if right_w + 1 >= width {
        return truncate_line(left, width);
    }
    let mut line = truncate_line(left, width - right_w - 1);
    let used: usize = line.iter().map(|p| self::width(&p.text)).sum();
    line.push(piece(Tone::Text, " ".repeat(width - right_w - used)));
    line.extend(right);
    line
}

fn wrap_plain(text: &str, width: usize, tone: Tone) -> Vec<Line> {
    textwrap::wrap(text, width)
        .into_iter()
        .map(|l| vec![piece(tone, l.into_owned())])
        .collect()
}

/// Wraps post text and tones its hashtags, mentions and links. A URL is
/// found in the whole text first, so the part of it wrapped onto the next
/// line is a link too, to the same place.
fn wrap_rich(text: &str, links: &[String], width: usize) -> Vec<Line> {
    let urls = url_spans(text, links);
    let mut from = 0;
    textwrap::wrap(text, width)
        .into_iter()
        .map(|line| {
            // Each line is a piece of the text, in order (textwrap only
            // drops the whitespace it breaks at).
            let start = text[from..].find(&*line).map_or(from, |at| from + at);
            from = start + line.len();
            tone_words(&line, start, &urls)
        })
        .collect()
}

/// The URLs in `text`: each word starting with http:// or https://, by its
/// byte range, with where it links to (the post's own link it begins with,
/// else the word without the punctuation that ends a sentence).
fn url_spans(text: &str, links: &[String]) -> Vec<(std::ops::Range<usize>, String)> {
    let mut spans = Vec::new();
    let mut at = 0;
    for word in text.split_inclusive(char::is_whitespace) {
        let bare = word.trim_end_matches(char::is_whitespace);
        if bare.starts_with("http://") || bare.starts_with("https://") {
            let target = links
                .iter()
                .filter(|l| bare.starts_with(l.as_str()))
                .max_by_key(|l| l.len())
                .map_or_else(
                    || bare.trim_end_matches(['.', ',', ';', ':', '!', '?', ')']),
                    String::as_str,
                );
            spans.push((at..at + bare.len(), target.to_string()));
        }
        at += word.len();
    }
    spans
}

/// One wrapped line (starting at byte `start` of the text) in tones.
fn tone_words(line: &str, start: usize, urls: &[(std::ops::Range<usize>, String)]) -> Line {
    let mut out: Line = Vec::new();
    let mut push = |tone: Tone, text: &str, link: Option<&String>| match out.last_mut() {
        Some(last) if last.tone == tone && last.link.as_ref() == link => last.text.push_str(text),
        _ => out.push(match link {
            Some(url) => linked(tone, text, url),
            None => piece(tone, text),
        }),
    };
    let mut at = start;
    for word in line.split_inclusive(char::is_whitespace) {
        let bare = word.trim_end_matches(char::is_whitespace);
        let url = urls.iter().find(|(range, _)| range.contains(&at));
        let tone = if url.is_some() {
            Tone::Link
        } else if bare.len() > 1 && bare.starts_with('#') {
            Tone::Hashtag
        } else if bare.len() > 1 && bare.starts_with('@') {
            Tone::Mention
        } else {
            Tone::Text
        };
        push(tone, bare, url.map(|(_, target)| target));
        if bare.len() < word.len() {
            push(Tone::Text, &word[bare.len()..], None);
        }
        at += word.len();
    }
    out
}

/// The whole post for the detail page: every line of text, numbered
/// links, media with their descriptions, reply context and where the post
/// landed.
/// `images`: each image is drawn under its description; `opened`: the
/// reader has pressed `z` (a sensitive post's images show).
/// `parent`: the text of the post it answers, when known.
pub fn detail(
    post: &Post,
    verdict: &Verdict,
    columns: &[String],
    width: usize,
    now: DateTime<Utc>,
    (images, opened): (bool, bool),
    parent: Option<&str>,
) -> Vec<Line> {
    let width = width.max(1);
    if post.is_pure_notice() {
        return notice_detail(post, verdict, columns, width, now);
    }
    let mut lines = vec![header(
        post,
        verdict.amplified,
        relative_time(now, post.created_at),
        width,
    )];
    lines.push(vec![piece(
        Tone::Marker,
        format!(
            "{} · from {}",
            post.created_at.format("%Y-%m-%d %H:%M UTC"),
            post.source
        ),
    )]);
    lines.extend(context(post, width));
    if let Some(parent) = parent.map(str::trim).filter(|t| !t.is_empty()) {
        // What it answers, quoted under the `↪` line: up to four lines.
        let quoted: String = parent.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut rows = wrap_plain(&format!("  “{quoted}”"), width, Tone::Context);
        if rows.len() > 4 {
            rows.truncate(4);
            if let Some(last) = rows.last_mut() {
                *last = truncate_line(
                    vec![piece(Tone::Context, format!("{} …", text_of_line(last)))],
                    width,
                );
            }
        }
        lines.extend(rows);
    }
    if let Some(cw) = warning_of(post) {
        lines.extend(wrap_plain(&format!("⚠ {cw}"), width, Tone::Warning));
    }
    lines.push(Vec::new());
    lines.extend(wrap_rich(&post.text, &post.links, width));
    if post.quote.is_some() {
        lines.push(Vec::new());
        lines.extend(quote_block(post, width, now, true, None));
    }
    if let Some(counts) = counts(post) {
        lines.push(Vec::new());
        lines.extend(wrap_plain(&counts, width, Tone::Marker));
    }
    if !post.links.is_empty() {
        lines.push(Vec::new());
        lines.push(vec![piece(
            Tone::Heading,
            "Links (press the number to open)",
        )]);
        for (i, link) in post.links.iter().enumerate() {
            let shown = match crate::model::openable(link) {
                Ok(()) => link.clone(),
                Err(_) => format!("{link} (shown, not opened)"),
            };
            lines.extend(numbered(i + 1, &shown, link, width));
        }
    }
    if let Some(url) = super::first_link(post).filter(|u| crate::model::openable(u).is_ok()) {
        lines.extend(wrap_plain(&format!("o opens {url}"), width, Tone::Marker));
    }
    if !post.media.is_empty() {
        lines.push(Vec::new());
        lines.push(vec![piece(Tone::Heading, "Media")]);
        for m in &post.media {
            let alt = m.alt.as_deref().unwrap_or("(no description)");
            lines.extend(wrap_plain(
                &format!("▣ {}: {alt}", media_word(m.kind)),
                width,
                Tone::Text,
            ));
            if images {
                lines.extend(image_rows(post, m, opened, DETAIL_IMAGE_ROWS));
            }
        }
    }
    lines.push(Vec::new());
    let landed = landed(verdict, columns);
    let amplified = if verdict.amplified {
        " · amplified"
    } else {
        ""
    };
    lines.extend(wrap_plain(
        &format!("{landed}{amplified}"),
        width,
        Tone::Marker,
    ));
    if let Some(url) = &post.url {
        lines.extend(wrap_plain(&format!("[y] copy {url}"), width, Tone::Marker));
    }
    lines
}

/// The detail page of a favourite, boost, follow or poll: what happened,
/// everyone who did it, and the whole post of yours it is about.
fn notice_detail(
    post: &Post,
    verdict: &Verdict,
    columns: &[String],
    width: usize,
    now: DateTime<Utc>,
) -> Vec<Line> {
    let mut lines = vec![fit_with_right(
        notice_words(post),
        vec![piece(Tone::Time, relative_time(now, post.created_at))],
        width,
    )];
    lines.extend(wrap_plain(
        &format!(
            "{} · from {}",
            post.created_at.format("%Y-%m-%d %H:%M UTC"),
            post.source
        ),
        width,
        Tone::Marker,
    ));
    let notice = post.notice.as_deref();
    let others = notice.map_or(&[][..], |n| &n.others[..]);
    lines.push(Vec::new());
    lines.push(vec![piece(Tone::Heading, "Who")]);
    for account in std::iter::once(&*post.author).chain(others) {
        let mut line = Vec::new();
        let name = account.display_name.trim();
        if !name.is_empty() {
            line.push(piece(Tone::Name, name));
            line.push(piece(Tone::Handle, " "));
        }
        line.push(piece(Tone::Handle, account.handle.clone()));
        lines.push(truncate_line(line, width));
    }
    if let Some(subject) = notice.and_then(|n| n.subject.as_deref()) {
        lines.push(Vec::new());
        lines.push(vec![piece(Tone::Heading, "Your post")]);
        lines.extend(wrap_rich(&subject.text, &subject.links, width));
        if let Some(url) = &subject.url {
            lines.extend(wrap_plain(&format!("[y] copy {url}"), width, Tone::Marker));
        }
    }
    lines.push(Vec::new());
    lines.extend(wrap_plain(&landed(verdict, columns), width, Tone::Marker));
    lines
}

/// Where a post landed, for the detail page: "in Core, Rust", "muted
/// (keyword)", "in no column".
fn landed(verdict: &Verdict, columns: &[String]) -> String {
    match verdict.muted {
        Some(reason) => format!("muted ({})", reason.as_str()),
        None if verdict.columns.is_empty() => "in no column".to_string(),
        None => {
            let names: Vec<&str> = verdict
                .columns
                .iter()
                .filter_map(|c| columns.get(usize::from(*c)).map(String::as_str))
                .collect();
            format!("in {}", names.join(", "))
        }
    }
}

/// A numbered link of the detail page, wrapped, each of its lines linking
/// to `url`.
fn numbered(n: usize, text: &str, url: &str, width: usize) -> Vec<Line> {
    let label = format!("[{n}] ");
    let inner = width.saturating_sub(label.len()).max(1);
    textwrap::wrap(text, inner)
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let lead = if i == 0 {
                label.clone()
            } else {
                " ".repeat(label.len())
            };
            vec![
                piece(Tone::Marker, lead),
                linked(Tone::Link, l.into_owned(), url),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(line: &Line) -> String {
        line.iter().map(|p| p.text.as_str()).collect()
    }

    #[test]
    fn relative_times_read_naturally() {
        let now = DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let ago = |s: i64| relative_time(now, now - chrono::TimeDelta::seconds(s));
        assert_eq!(ago(3), "now");
        assert_eq!(ago(-30), "now", "a clock a little ahead is not the future");
        assert_eq!(ago(42), "42s");
        assert_eq!(ago(5 * 60 + 5), "5m");
        assert_eq!(ago(3 * 3600), "3h");
        assert_eq!(ago(2 * 86_400), "2d");
        assert_eq!(ago(30 * 86_400), "Oct 23");
        assert_eq!(ago(325 * 86_400), "Jan 1", "this year");
        assert_eq!(ago(330 * 86_400), "Dec 27 2025");
        assert_eq!(ago(400 * 86_400), "Oct 18 2025", "an earlier year says so");
    }

    #[test]
    fn truncation_counts_cells_not_bytes() {
        assert_eq!(truncate("東京タワー", 5), "東京…");
        assert_eq!(width(&truncate("東京タワー", 5)), 5);
        assert_eq!(truncate("short", 10), "short");
        let family = "👩‍👩‍👧 family";
        assert_eq!(
            truncate(family, 4),
            "👩‍👩‍👧…",
            "a ZWJ sequence is one 2-cell grapheme"
        );
    }

    #[test]
    fn words_get_their_tones() {
        let text = "hi @bob see #rust at https://x.org/a ok";
        let line = tone_words(text, 0, &url_spans(text, &[]));
        let tones: Vec<(Tone, &str)> = line.iter().map(|p| (p.tone, p.text.as_str())).collect();
        assert_eq!(
            tones,
            [
                (Tone::Text, "hi "),
                (Tone::Mention, "@bob"),
                (Tone::Text, " see "),
                (Tone::Hashtag, "#rust"),
                (Tone::Text, " at "),
                (Tone::Link, "https://x.org/a"),
                (Tone::Text, " ok"),
            ]
        );
    }

    #[test]
    fn the_header_puts_the_time_at_the_right_edge() {
        let line = fit_with_right(
            vec![
                piece(Tone::Name, "Alice"),
                piece(Tone::Handle, " @a@x.social"),
            ],
            vec![piece(Tone::Time, "5m")],
            30,
        );
        let text = text_of(&line);
        assert_eq!(width(&text), 30);
        assert!(text.ends_with(" 5m") && text.starts_with("Alice @a@x.social"));
        let narrow = fit_with_right(
            vec![piece(Tone::Name, "Alice Liddell-Wonderland")],
            vec![piece(Tone::Time, "5m")],
            12,
        );
        assert_eq!(text_of(&narrow), "Alice Li… 5m");
    }

    #[test]
    fn a_closed_content_warning_hides_alt_text_and_links_too() {
        let post = crate::testkit::post("1", "@a@x.social")
            .cw("spoilers")
            .text("the butler did it")
            .image("the butler, holding the knife")
            .link("https://butler-did-it.example/")
            .build();
        let look = |cw_open| CardLook {
            width: 80,
            style: Style::Normal,
            amplified: false,
            cw_open,
            muted: None,
            now: post.created_at,
            images: false,
        };
        let shown = |lines: Vec<Line>| lines.iter().map(text_of).collect::<Vec<_>>().join("\n");
        let closed = shown(card(&post, look(false)));
        assert!(closed.contains("⚠ spoilers") && closed.contains("[z] show the text"));
        for secret in ["butler", "knife", "butler-did-it.example", "▣", "↗"] {
            assert!(
                !closed.contains(secret),
                "{secret:?} shows under the warning:\n{closed}"
            );
        }
        let open = shown(card(&post, look(true)));
        assert!(open.contains("the butler did it"), "{open}");
        assert!(
            open.contains("▣ image: the butler, holding the knife"),
            "{open}"
        );
        assert!(open.contains("↗ butler-did-it.example"), "{open}");
    }

    #[test]
    fn a_wrapped_url_links_to_one_place_on_every_line() {
        let url = "https://example.org/articles/2026/a-rather-long-path";
        let text = format!("see {url}. thanks");
        let lines = wrap_rich(&text, &[url.to_string()], 20);
        let linked: Vec<&Piece> = lines
            .iter()
            .flatten()
            .filter(|p| p.tone == Tone::Link)
            .collect();
        assert!(linked.len() >= 2, "wrapped: {lines:?}");
        for p in &linked {
            assert_eq!(p.link.as_deref(), Some(url), "{p:?}");
        }
        let shown: String = linked.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(shown, format!("{url}."), "the whole word is the link");
        // A link ends at any whitespace, a no-break space too.
        let lines = wrap_rich("https://a.org\u{a0}more", &[], 40);
        let link: Vec<&str> = lines[0]
            .iter()
            .filter(|p| p.tone == Tone::Link)
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(link, ["https://a.org"]);
        // Without the post's own link, the sentence's full stop is left out.
        let lines = wrap_rich(&text, &[], 20);
        let first = lines
            .iter()
            .flatten()
            .find(|p| p.tone == Tone::Link)
            .unwrap();
        assert_eq!(first.link.as_deref(), Some(url));
    }
}
