//! How much of a post circles keeps. A server can send a status of any
//! size (a 50 MB one was accepted once, and slowed every key after it);
//! real posts are far below these limits, so cutting here costs a reader
//! nothing and keeps memory, the cache and drawing bounded. What is cut
//! says so.

use super::Post;

/// Bytes of text kept: a hundred times Mastodon's default limit.
pub const MAX_TEXT_BYTES: usize = 50_000;
/// Bytes of a content warning, a display name or an image description.
pub const MAX_SHORT_BYTES: usize = 2_000;
pub const MAX_ALT_BYTES: usize = 10_000;
/// Bytes of one link or URL.
pub const MAX_URL_BYTES: usize = 4_096;
/// Entries kept of each list (mentions, hashtags, links, media).
pub const MAX_ENTRIES: usize = 100;

impl Post {
    /// The post with every field within the limits above; cut text ends
    /// with a marker saying how much was left out.
    pub fn within_limits(mut self) -> Post {
        cut_marked(&mut self.text, MAX_TEXT_BYTES);
        if let Some(cw) = &mut self.content_warning {
            cut_marked(cw, MAX_SHORT_BYTES);
        }
        self.mentions.truncate(MAX_ENTRIES);
        self.hashtags.truncate(MAX_ENTRIES);
        self.links.truncate(MAX_ENTRIES);
        self.links.retain(|l| l.len() <= MAX_URL_BYTES);
        self.media.truncate(MAX_ENTRIES);
        for media in &mut self.media {
            if let Some(alt) = &mut media.alt {
                cut_marked(alt, MAX_ALT_BYTES);
            }
            if media.url.as_ref().is_some_and(|u| u.len() > MAX_URL_BYTES) {
                media.url = None;
            }
        }
        if self.url.as_ref().is_some_and(|u| u.len() > MAX_URL_BYTES) {
            self.url = None;
        }
        if self.author.display_name.len() > MAX_SHORT_BYTES {
            let mut author = (*self.author).clone();
            cut_marked(&mut author.display_name, MAX_SHORT_BYTES);
            self.author = author.into();
        }
        self
    }
}

/// Cuts `text` to about `max` bytes, at a character boundary, and says
/// how much is left out.
fn cut_marked(text: &mut String, max: usize) {
    if text.len() <= max {
        return;
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let left_out = text.len() - cut;
    text.truncate(cut);
    text.push_str(&format!(" … [cut: {} more]", size(left_out)));
}

fn size(bytes: usize) -> String {
    match bytes {
        ..1_000 => format!("{bytes} bytes"),
        1_000..1_000_000 => format!("{} KB", bytes / 1_000),
        _ => format!("{:.1} MB", bytes as f64 / 1e6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Media, MediaKind};

    #[test]
    fn a_huge_post_is_cut_with_a_marker_and_a_small_one_kept_whole() {
        let mut post = crate::testkit::post("1", "@a@x.social")
            .text(&"é".repeat(3_000_000))
            .cw(&"w".repeat(5_000))
            .build();
        post.hashtags = (0..10_000).map(|i| format!("t{i}")).collect();
        post.media = vec![
            Media {
                kind: MediaKind::Image,
                alt: Some("a".repeat(20_000)),
                url: Some(format!("https://x.org/{}", "p".repeat(10_000))),
            };
            500
        ];
        let post = post.within_limits();
        assert!(
            post.text.len() <= MAX_TEXT_BYTES + 40,
            "{}",
            post.text.len()
        );
        let end: String = post
            .text
            .chars()
            .rev()
            .take(30)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        assert!(post.text.ends_with(" … [cut: 6.0 MB more]"), "{end}");
        assert!(post.text.starts_with("éé"));
        assert!(post.content_warning.unwrap().ends_with("[cut: 3 KB more]"));
        assert_eq!(post.hashtags.len(), MAX_ENTRIES);
        assert_eq!(post.media.len(), MAX_ENTRIES);
        assert!(post.media[0].alt.as_ref().unwrap().len() < MAX_ALT_BYTES + 40);
        assert_eq!(post.media[0].url, None, "a URL too long to be real");

        let small = crate::testkit::post("2", "@a@x.social")
            .text("hello")
            .build();
        assert_eq!(small.clone().within_limits(), small);
    }
}
