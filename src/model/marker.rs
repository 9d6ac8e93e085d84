//! Read positions a server keeps for the reader (ARCHITECTURE.md,
//! "Read markers"): Mastodon's markers for the home timeline and the
//! notifications (`/api/v1/markers`, the newest id read) and Bluesky's
//! `seenAt` for notifications (`updateSeen`). A source says which one it
//! reads and where the server has it; the app marks what lies at or before
//! it as seen, and sends a new one when the reader has read further.

use super::Post;
use chrono::{DateTime, Utc};

/// Which of the server's read positions a source's posts are placed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// Mastodon's `home` marker: a status id.
    Home,
    /// Mastodon's `notifications` marker: a notification id.
    Notifications,
    /// Bluesky's notifications `seenAt`: a time.
    SeenAt,
}

/// Where a read position is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mark {
    /// The newest id read (Mastodon).
    Id(String),
    /// Everything indexed until then is read (Bluesky).
    Time(DateTime<Utc>),
}

impl Marker {
    /// Where `post` stands by this marker; none for a post it does not
    /// place (a status in the notifications marker's list).
    pub fn position(self, post: &Post) -> Option<Mark> {
        let notice = post.notice.as_deref();
        match self {
            // A boost stands in the home timeline where the boost was
            // made: by its own id, where it is known.
            Marker::Home => notice.is_none().then(|| {
                let boost = post.boost_id.as_ref().filter(|_| post.boosted_by.is_some());
                Mark::Id(boost.unwrap_or(&post.id).clone())
            }),
            Marker::Notifications => notice.map(|n| Mark::Id(n.id.clone())),
            Marker::SeenAt => notice.map(|n| Mark::Time(n.at.unwrap_or(post.created_at))),
        }
    }

    /// Whether `post` lies at or before `mark`: read by it.
    pub fn covers(self, mark: &Mark, post: &Post) -> bool {
        self.position(post)
            .is_some_and(|at| at == *mark || mark.is_after(&at))
    }

    /// The name Mastodon's API gives it.
    pub fn timeline(self) -> &'static str {
        match self {
            Marker::Home => "home",
            Marker::Notifications | Marker::SeenAt => "notifications",
        }
    }
}

impl Mark {
    /// Whether this position is further on than `other` (two of a kind;
    /// never for two kinds).
    pub fn is_after(&self, other: &Mark) -> bool {
        match (self, other) {
            (Mark::Id(a), Mark::Id(b)) => newer_id(a, b),
            (Mark::Time(a), Mark::Time(b)) => a > b,
            _ => false,
        }
    }
}

/// Whether Mastodon id `a` is newer than `b`. Ids are numbers in decimal
/// (longer is bigger) or, on some servers, fixed-width sortable strings.
pub fn newer_id(a: &str, b: &str) -> bool {
    (a.len(), a) > (b.len(), b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Account, Network, NoticeKind};
    use std::sync::Arc;

    fn post(id: &str) -> Post {
        let author = Account::new("bob@example.social", "Bob", Network::Mastodon);
        Post::new("home", id, author, Utc::now(), "hello")
    }

    #[test]
    fn ids_compare_as_numbers() {
        assert!(newer_id("110", "99"));
        assert!(newer_id("117652210844581921", "117652210844581920"));
        assert!(!newer_id("99", "99"));
    }

    #[test]
    fn each_marker_places_its_own_kind_of_post() {
        let status = post("120");
        let mention = post("130").came_as(NoticeKind::Mention, "77".into());
        assert_eq!(Marker::Home.position(&status), Some(Mark::Id("120".into())));
        assert_eq!(Marker::Home.position(&mention), None);
        assert_eq!(
            Marker::Notifications.position(&mention),
            Some(Mark::Id("77".into()))
        );
        assert_eq!(Marker::Notifications.position(&status), None);
        let at = mention.created_at;
        assert_eq!(Marker::SeenAt.position(&mention), Some(Mark::Time(at)));

        let mark = Mark::Id("120".into());
        assert!(Marker::Home.covers(&mark, &status), "at the mark is read");
        assert!(Marker::Home.covers(&mark, &post("99")));
        assert!(!Marker::Home.covers(&mark, &post("121")));
        assert!(!Mark::Id("5".into()).is_after(&Mark::Time(at)));
        // An old post boosted after the mark is not read by it.
        let mut boost = post("100");
        boost.boosted_by = Some(Arc::new(Account::new("@bob@x", "", Network::Mastodon)));
        boost.boost_id = Some("150".into());
        assert_eq!(Marker::Home.position(&boost), Some(Mark::Id("150".into())));
        assert!(!Marker::Home.covers(&mark, &boost));
        assert!(Marker::Home.covers(&Mark::Id("150".into()), &boost));
    }
}
