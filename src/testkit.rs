//! Builders for tests: posts and app states as tests write them, so that
//! unit tests, the integration tests and the benches build them one way.
//! Not part of circles' interface (hidden from the docs).
//!
//! ```
//! use circles::testkit::{post, state, t0};
//! let p = post("1", "@alice@x.social").minutes_ago(5).hashtags(&["rust"]).build();
//! assert_eq!(p.created_at, t0() - chrono::TimeDelta::minutes(5));
//! let s = state("[[column]]\nname = \"All\"\n").size(80, 24).build();
//! assert_eq!(s.column_names(), ["All"]);
//! ```

use crate::app::{Action, AppState, ConfigStatus, update};
use crate::model::{Account, Media, MediaKind, Mention, Network, Post, ReplyTo};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use std::sync::Arc;

/// The pinned clock of the tests: 2026-11-22 12:00 UTC.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0)
        .single()
        .expect("a valid date")
}

/// A post `id` by `author` (a handle, sanitized and keyed as a decoder
/// would), from the source `feed`, written at [`t0`], saying `post <id>`.
pub fn post(id: &str, author: &str) -> PostBuilder {
    let author = Account::new(author, "", Network::Native);
    PostBuilder(Post::new("feed", id, author, t0(), &format!("post {id}")))
}

/// A post being built; [`PostBuilder::build`] (or `into()`) ends it.
#[derive(Debug, Clone)]
pub struct PostBuilder(Post);

impl PostBuilder {
    pub fn text(mut self, text: &str) -> Self {
        self.0.text = crate::model::sanitize(text).into_owned();
        self
    }

    /// Written this many minutes before [`t0`].
    pub fn minutes_ago(mut self, minutes: i64) -> Self {
        self.0.created_at = t0() - TimeDelta::minutes(minutes);
        self
    }

    pub fn at(mut self, when: DateTime<Utc>) -> Self {
        self.0.created_at = when;
        self
    }

    pub fn source(mut self, source: &str) -> Self {
        source.clone_into(&mut self.0.source);
        self
    }

    /// The author's display name.
    pub fn name(mut self, name: &str) -> Self {
        let handle = self.0.author.handle.clone();
        self.0.author = Account::new(&handle, name, self.0.author.network).into();
        self
    }

    /// The author's Bluesky DID, which matches like the handle.
    pub fn did(mut self, did: &str) -> Self {
        self.0.author = (*self.0.author).clone().with_did(did).into();
        self
    }

    /// The network of the author (and of a booster added after).
    pub fn network(mut self, network: Network) -> Self {
        Arc::make_mut(&mut self.0.author).network = network;
        self
    }

    pub fn boosted_by(mut self, handle: &str) -> Self {
        self.0.boosted_by = Some(Account::new(handle, "", self.0.author.network).into());
        self
    }

    /// A Mastodon boost's own id (what a `delete` of the boost names).
    pub fn boost_id(mut self, id: &str) -> Self {
        self.0.boost_id = Some(id.to_string());
        self
    }

    pub fn hashtags(mut self, tags: &[&str]) -> Self {
        self.0.hashtags = tags.iter().map(|t| t.to_string()).collect();
        self
    }

    pub fn mentions(mut self, handles: &[&str]) -> Self {
        self.0.mentions = handles.iter().map(|h| Mention::new(h, None)).collect();
        self
    }

    /// A content warning.
    pub fn cw(mut self, text: &str) -> Self {
        self.0.content_warning = Some(text.to_string());
        self
    }

    /// A reply to the post `id`, by `to` if given.
    pub fn reply_to(mut self, id: &str, to: Option<&str>) -> Self {
        self.0.reply_to = Some(ReplyTo {
            id: id.to_string(),
            to: to.map(|h| Mention::new(h, None)),
            root: None,
            text: None,
        });
        self
    }

    pub fn uri(mut self, uri: &str) -> Self {
        self.0.uri = Some(uri.to_string());
        self
    }

    pub fn url(mut self, url: &str) -> Self {
        self.0.url = Some(url.to_string());
        self
    }

    pub fn link(mut self, url: &str) -> Self {
        self.0.links.push(url.to_string());
        self
    }

    /// An image with this description.
    pub fn image(mut self, alt: &str) -> Self {
        self.0.media.push(Media {
            kind: MediaKind::Image,
            alt: Some(alt.to_string()).filter(|a| !a.is_empty()),
            url: None,
        });
        self
    }

    pub fn language(mut self, language: &str) -> Self {
        self.0.language = Some(language.to_string());
        self
    }

    /// Quotes `quoted` (shown in the card, read by routing).
    pub fn quote(mut self, quoted: impl Into<Post>) -> Self {
        self.0.quote = Some(Box::new(crate::model::Quote::Shown(quoted.into())));
        self
    }

    /// Came as a notification of `kind` (id `n<post id>`); for a pure
    /// notice (a favourite, boost, follow…) `subject` is the reader's post
    /// it is about.
    pub fn notice(mut self, kind: crate::model::NoticeKind, subject: Option<Post>) -> Self {
        self.0.notice = Some(Box::new(crate::model::Notice {
            kind,
            id: format!("n{}", self.0.id),
            others: Vec::new(),
            total: None,
            subject: subject.map(Box::new),
            at: None,
        }));
        self
    }

    pub fn build(self) -> Post {
        self.0
    }
}

impl From<PostBuilder> for Post {
    fn from(builder: PostBuilder) -> Post {
        builder.0
    }
}

/// An app state on `config` (which must compile), at [`t0`], 160×40, with
/// one source named `feed`.
pub fn state(config: &str) -> StateBuilder {
    StateBuilder {
        config: config.to_string(),
        size: (160, 40),
        sources: vec!["feed".to_string()],
        now: t0(),
    }
}

#[derive(Debug, Clone)]
pub struct StateBuilder {
    config: String,
    size: (u16, u16),
    sources: Vec<String>,
    now: DateTime<Utc>,
}

impl StateBuilder {
    pub fn size(mut self, width: u16, height: u16) -> Self {
        self.size = (width, height);
        self
    }

    pub fn sources(mut self, names: &[&str]) -> Self {
        self.sources = names.iter().map(|n| n.to_string()).collect();
        self
    }

    pub fn at(mut self, now: DateTime<Utc>) -> Self {
        self.now = now;
        self
    }

    /// The state, laid out at its size.
    pub fn build(self) -> AppState {
        let compiled = crate::filter::load(&self.config, self.now)
            .unwrap_or_else(|e| panic!("the test config does not compile: {e:?}"));
        let mut state = AppState::new(
            compiled.rules,
            compiled.config.keymap,
            &self.sources,
            ConfigStatus::default(),
            self.now,
        )
        .with_source_specs(compiled.config.sources.clone());
        let (width, height) = self.size;
        update(&mut state, Action::Resize { width, height });
        state
    }
}

/// The card of the `index`th post of the focused column as text, 80 cells
/// wide: its lines, each piece's text joined.
pub fn card_text(state: &AppState, index: usize) -> String {
    let column = state.focus;
    let Some(&id) = state.list(column).get(index) else {
        return String::new();
    };
    let Some(entry) = state.timeline.get(id) else {
        return String::new();
    };
    crate::app::card::card(&entry.post, state.look(column, id, 80))
        .iter()
        .map(|line| line.iter().map(|p| p.text.as_str()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The people ledger of the essay, from the reader's side, at `now`
/// (handles on `x.social`): bob is mutual and both engage (inner), carol
/// follows and never engages (silent), dan is engaged with and never
/// answers (unanswered), erin favourites and is not followed (fan), and
/// `others` more who follow, post and never engage, `other0@x.social`…
pub fn ledger(now: DateTime<Utc>, others: usize) -> crate::people::Ledger {
    use crate::model::people::{Direction, Engaged, Known, Relation};
    use crate::people::{Follow, Ledger};
    let day = TimeDelta::days(1);
    let known = |user: &str, name: &str, posts: u64| Known {
        key: format!("{user}@x.social"),
        handle: format!("@{user}@x.social"),
        name: name.to_string(),
        posts: Some(posts),
        last_post: Some(now - day),
        created: Some(now - day * 400),
        links: Vec::new(),
    };
    let follow = |user: &str, relation: Relation| Follow {
        who: format!("{user}@x.social"),
        relation,
        since: now - day * 100,
        since_known: true,
        until: None,
    };
    let count = |user: &str, direction: Direction, kind: Engaged, n: u32| {
        (format!("{user}@x.social"), direction, kind, n)
    };
    let mut ledger = Ledger {
        me: vec!["jane@mastodon.social".into()],
        accounts: vec![
            known("bob", "Bob", 800),
            known("carol", "Carol Ng", 5600),
            known("dan", "Dan", 300),
            known("erin", "Erin", 90),
        ],
        follows: vec![
            follow("bob", Relation::FollowsMe),
            follow("bob", Relation::IFollow),
            follow("carol", Relation::FollowsMe),
            follow("dan", Relation::IFollow),
        ],
        counts: vec![
            count("bob", Direction::In, Engaged::Reply, 4),
            count("bob", Direction::In, Engaged::Favourite, 9),
            count("bob", Direction::Out, Engaged::Reply, 6),
            count("bob", Direction::Out, Engaged::Favourite, 3),
            count("dan", Direction::Out, Engaged::Reply, 5),
            count("dan", Direction::Out, Engaged::Favourite, 5),
            count("erin", Direction::In, Engaged::Favourite, 7),
        ],
        my_posts: 212,
        ..Ledger::default()
    };
    for i in 0..others {
        let user = format!("other{i}");
        ledger.accounts.push(known(&user, "", 10 + i as u64));
        ledger.follows.push(follow(&user, Relation::FollowsMe));
        if i % 3 == 0 {
            ledger.counts.push(count(
                &user,
                Direction::In,
                Engaged::Favourite,
                1 + i as u32 % 4,
            ));
        }
    }
    ledger
}
