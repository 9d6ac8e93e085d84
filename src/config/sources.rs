//! `[[source]]` tables: one struct per kind, checked into a [`SourceSpec`]
//! the source tasks start from.
//!
//! Each kind's keys are written once, as the fields of its `Raw…` struct
//! (serde, `deny_unknown_fields`); the keys a kind takes, for the messages,
//! are read off that struct (`read::fields_of`). A table is read in two steps:
//! `name` and `kind` first, then the rest into the kind's struct, so every
//! key that does not belong is reported at once, each at its place, along
//! with the first missing or mistyped one. Adding a kind means one
//! `Raw…` struct with its `check`, one [`SourceConfig`] variant and one
//! line in [`read`] (ARCHITECTURE.md, "Adding a source kind").

use super::Diagnostic;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::time::Duration;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// A checked source: its name and what it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSpec {
    pub name: String,
    pub kind: SourceConfig,
}

/// What a source reads, by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceConfig {
    Mastodon(MastodonSpec),
    Bluesky(BlueskySpec),
    Feed(FeedSpec),
    Jsonl(JsonlSpec),
    Demo,
}

impl SourceConfig {
    /// Whether its posts can be acted on (favourited, boosted, answered)
    /// through its account.
    pub fn acts(&self) -> bool {
        matches!(self, SourceConfig::Mastodon(_) | SourceConfig::Bluesky(_))
    }

    /// The kind as the config writes it.
    pub fn kind_name(&self) -> &'static str {
        match self {
            SourceConfig::Mastodon(_) => "mastodon",
            SourceConfig::Bluesky(_) => "bluesky",
            SourceConfig::Feed(_) => "feed",
            SourceConfig::Jsonl(_) => "jsonl",
            SourceConfig::Demo => "demo",
        }
    }

    /// How often the source asks for news when it cannot be told (network
    /// kinds only).
    pub fn poll_mut(&mut self) -> Option<&mut Duration> {
        match self {
            SourceConfig::Mastodon(s) => Some(&mut s.poll),
            SourceConfig::Bluesky(s) => Some(&mut s.poll),
            SourceConfig::Feed(s) => Some(&mut s.poll),
            SourceConfig::Jsonl(_) | SourceConfig::Demo => None,
        }
    }
}

/// Where a token or password is read from: never the secret itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretRef {
    /// An environment variable's name.
    Env(String),
    /// A file's path (`~/` is the home directory); it must be owner-only.
    File(String),
}

impl SecretRef {
    /// Where it comes from, for messages: `$VAR` or the path.
    pub fn origin(&self) -> String {
        match self {
            SecretRef::Env(var) => format!("${var}"),
            SecretRef::File(path) => format!("the file {path}"),
        }
    }
}

/// Which Mastodon timeline to follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Timeline {
    Home,
    Local,
    Public,
    Notifications,
    List(String),
    Tag(String),
    /// An account's posts: `user:@bob@host` (its id once found), less
    /// what the source's `exclude_replies`/`exclude_reblogs` leave out.
    User(String, Exclude),
    /// The reader's bookmarks.
    Bookmarks,
    /// The reader's favourites.
    Favourites,
    /// Statuses matching a search (`search:rust release`).
    Search(String),
}

impl Timeline {
    fn parse(text: &str) -> Option<Timeline> {
        Some(match text {
            "home" => Timeline::Home,
            "local" => Timeline::Local,
            "public" => Timeline::Public,
            "notifications" => Timeline::Notifications,
            "bookmarks" => Timeline::Bookmarks,
            "favourites" | "favorites" => Timeline::Favourites,
            _ => match text.split_once(':')? {
                ("list", id) if !id.is_empty() => Timeline::List(id.to_string()),
                ("search", query) if !query.trim().is_empty() => {
                    Timeline::Search(query.trim().to_string())
                }
                ("user", acct) if !acct.trim_start_matches('@').is_empty() => {
                    Timeline::User(acct.trim_start_matches('@').to_string(), Exclude::default())
                }
                ("tag", tag) if !tag.is_empty() => {
                    Timeline::Tag(tag.trim_start_matches('#').to_string())
                }
                _ => return None,
            },
        })
    }

    /// The timeline as the config writes it.
    pub fn name(&self) -> String {
        match self {
            Timeline::Home => "home".into(),
            Timeline::Local => "local".into(),
            Timeline::Public => "public".into(),
            Timeline::Notifications => "notifications".into(),
            Timeline::List(id) => format!("list:{id}"),
            Timeline::Tag(tag) => format!("tag:{tag}"),
            Timeline::User(acct, _) => format!("user:@{acct}"),
            Timeline::Bookmarks => "bookmarks".into(),
            Timeline::Favourites => "favourites".into(),
            Timeline::Search(query) => format!("search:{query}"),
        }
    }
}

/// What an account's timeline leaves out (`exclude_replies`,
/// `exclude_reblogs`: the parameters of `GET /api/v1/accounts/:id/statuses`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Exclude {
    pub replies: bool,
    pub reblogs: bool,
}

/// One timeline of a Mastodon instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MastodonSpec {
    /// `https://host` (no trailing slash), possibly with a path.
    pub instance: String,
    pub timeline: Timeline,
    /// Public timelines can be read without one.
    pub token: Option<SecretRef>,
    pub poll: Duration,
}

/// A Bluesky account's home timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlueskySpec {
    /// The handle, without a leading `@`.
    pub handle: String,
    /// The entryway or PDS, without a trailing slash.
    pub service: String,
    pub password: SecretRef,
    pub poll: Duration,
    /// What it reads.
    pub feed: BlueskyFeed,
    /// A Jetstream `…/subscribe` endpoint (`ws://` or `wss://`) to take
    /// new posts from while live; none polls.
    pub jetstream: Option<String>,
}

/// What a Bluesky source reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(try_from = "String")]
#[schemars(with = "String")]
pub enum BlueskyFeed {
    /// The home timeline (`app.bsky.feed.getTimeline`).
    #[default]
    Timeline,
    /// Every notification (`app.bsky.notification.listNotifications`), as cards.
    Notifications,
    /// A custom feed (`getFeed`), by its `at://…/app.bsky.feed.generator/…` URI.
    Generator(String),
    /// A list's posts (`getListFeed`), by its `at://…/app.bsky.graph.list/…` URI.
    List(String),
    /// An account's posts (`getAuthorFeed`), by handle or DID, with the
    /// source's `filter`.
    Author(String, AuthorFilter),
    /// The reader's likes (`getActorLikes`).
    Likes,
    /// Posts matching a search (`searchPosts`).
    Search(String),
}

impl TryFrom<String> for BlueskyFeed {
    type Error = String;

    /// `home` (or `timeline`), `notifications`, `likes`, `user:<handle>`,
    /// `search:<words>`, or a feed's or list's `at://` URI or bsky.app URL.
    fn try_from(text: String) -> Result<Self, String> {
        let text = text.trim();
        let web = |kind: &str| {
            let rest = text
                .strip_prefix("https://bsky.app/profile/")
                .or_else(|| text.strip_prefix("http://bsky.app/profile/"))?;
            let (actor, rest) = rest.split_once('/')?;
            let rkey = rest.strip_prefix(kind)?.strip_prefix('/')?;
            let rkey = rkey.trim_end_matches('/');
            (!actor.is_empty() && !rkey.is_empty() && !rkey.contains('/'))
                .then(|| (actor.to_string(), rkey.to_string()))
        };
        Ok(match text {
            "home" | "timeline" => BlueskyFeed::Timeline,
            "notifications" => BlueskyFeed::Notifications,
            "likes" => BlueskyFeed::Likes,
            _ if text.starts_with("at://") && text.contains("/app.bsky.feed.generator/") => {
                BlueskyFeed::Generator(text.to_string())
            }
            _ if text.starts_with("at://") && text.contains("/app.bsky.graph.list/") => {
                BlueskyFeed::List(text.to_string())
            }
            _ => {
                if let Some((actor, rkey)) = web("feed") {
                    BlueskyFeed::Generator(format!("at://{actor}/app.bsky.feed.generator/{rkey}"))
                } else if let Some((actor, rkey)) = web("lists") {
                    BlueskyFeed::List(format!("at://{actor}/app.bsky.graph.list/{rkey}"))
                } else if let Some(actor) = text
                    .strip_prefix("user:")
                    .map(|a| a.trim().trim_start_matches('@'))
                    .filter(|a| !a.is_empty())
                {
                    BlueskyFeed::Author(actor.to_string(), AuthorFilter::default())
                } else if let Some(words) = text
                    .strip_prefix("search:")
                    .map(str::trim)
                    .filter(|w| !w.is_empty())
                {
                    BlueskyFeed::Search(words.to_string())
                } else {
                    return Err(format!(
                        "`feed` {text:?} is not one circles reads: write \"home\", \
                         \"notifications\", \"likes\", \"user:<handle>\", \"search:<words>\", \
                         or a feed's or list's at:// URI or bsky.app address"
                    ));
                }
            }
        })
    }
}

impl BlueskyFeed {
    /// The feed as the config writes it (a bsky.app address as the URI it
    /// names).
    pub fn name(&self) -> String {
        match self {
            BlueskyFeed::Timeline => "home".into(),
            BlueskyFeed::Notifications => "notifications".into(),
            BlueskyFeed::Generator(uri) | BlueskyFeed::List(uri) => uri.clone(),
            BlueskyFeed::Author(actor, _) => format!("user:{actor}"),
            BlueskyFeed::Likes => "likes".into(),
            BlueskyFeed::Search(words) => format!("search:{words}"),
        }
    }
}

/// Which of an account's posts `getAuthorFeed` answers (its `filter`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthorFilter {
    /// Posts and replies (the default).
    #[default]
    PostsWithReplies,
    /// Posts, no replies.
    PostsNoReplies,
    /// Posts with images or video.
    PostsWithMedia,
    /// Posts, and the author's own threads.
    PostsAndAuthorThreads,
}

impl AuthorFilter {
    /// The lexicon's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthorFilter::PostsWithReplies => "posts_with_replies",
            AuthorFilter::PostsNoReplies => "posts_no_replies",
            AuthorFilter::PostsWithMedia => "posts_with_media",
            AuthorFilter::PostsAndAuthorThreads => "posts_and_author_threads",
        }
    }
}

/// RSS, Atom or JSON Feed documents, by URL or path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedSpec {
    pub urls: Vec<String>,
    pub poll: Duration,
}

/// JSON lines from stdin (`-`) or a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonlSpec {
    pub path: String,
    /// Keep reading as the file grows, like `tail -f`.
    pub follow: bool,
}

// ---- the tables as written ----
// Their doc comments are the schema's descriptions (`circles schema`).

/// A Mastodon timeline.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawMastodon {
    /// The instance's URL, like https://mastodon.social.
    #[schemars(with = "String")]
    instance: Spanned<String>,
    /// home (default), local, public, notifications, bookmarks, favourites, list:<title or id>, tag:<name>, user:@name@host or search:<words>.
    #[schemars(with = "Option<String>")]
    #[schemars(regex(
        pattern = r"^(home|local|public|notifications|bookmarks|favou?rites|list:.+|tag:.+|user:.+|search:.+)$"
    ))]
    timeline: Option<Spanned<String>>,
    /// The environment variable holding the access token (needed for home, notifications and lists).
    #[schemars(with = "Option<String>")]
    token_env: Option<Spanned<String>>,
    /// An owner-only file holding the access token (`circles login mastodon` writes one).
    #[schemars(with = "Option<String>")]
    token_file: Option<Spanned<String>>,
    /// How often to ask for news where streaming is not offered, like "90s" or "5m" (at least 5s; default 60s).
    #[schemars(with = "Option<String>")]
    poll: Option<Spanned<String>>,
    /// With timeline = "user:…": leave out the account's replies.
    #[schemars(with = "Option<bool>")]
    exclude_replies: Option<Spanned<bool>>,
    /// With timeline = "user:…": leave out the account's boosts.
    #[schemars(with = "Option<bool>")]
    exclude_reblogs: Option<Spanned<bool>>,
}

/// A Bluesky account's home timeline.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawBluesky {
    /// The account's handle, like jane.bsky.social.
    #[schemars(with = "String")]
    handle: Spanned<String>,
    /// The entryway or PDS (default https://bsky.social).
    #[schemars(with = "Option<String>")]
    service: Option<Spanned<String>>,
    /// The environment variable holding an app password.
    #[schemars(with = "Option<String>")]
    app_password_env: Option<Spanned<String>>,
    /// An owner-only file holding an app password (`circles login bluesky` writes one).
    #[schemars(with = "Option<String>")]
    app_password_file: Option<Spanned<String>>,
    /// How often to poll, like "90s" or "5m" (at least 5s; default 60s).
    #[schemars(with = "Option<String>")]
    poll: Option<Spanned<String>>,
    /// What to read: "home" (the default: the home timeline), "notifications" (as cards), "likes", "user:<handle>", "search:<words>", or a custom feed's or list's at:// URI or bsky.app address.
    #[serde(default)]
    feed: BlueskyFeed,
    /// With feed = "user:…": posts_with_replies (default), posts_no_replies, posts_with_media or posts_and_author_threads.
    #[schemars(with = "Option<AuthorFilter>")]
    filter: Option<Spanned<AuthorFilter>>,
    /// A Jetstream instance to take new posts from while live, like "wss://jetstream2.us-east.bsky.network" (empty: off, polling). It sees which accounts you follow, never your password.
    #[schemars(with = "Option<String>")]
    jetstream: Option<Spanned<String>>,
}

/// RSS, Atom or JSON Feed documents.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawFeed {
    /// RSS, Atom or JSON Feed documents: http(s) URLs or file paths.
    #[schemars(with = "Vec<String>")]
    urls: Spanned<Vec<Spanned<String>>>,
    /// How often to fetch, like "30m" (at least 5s; default 30m).
    #[schemars(with = "Option<String>")]
    poll: Option<Spanned<String>>,
}

/// JSON lines from a file or stdin.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawJsonl {
    /// The file of JSON lines; "-" is stdin.
    #[schemars(with = "String")]
    path: Spanned<String>,
    /// Keep reading as the file grows, like tail -F.
    #[serde(default)]
    follow: bool,
}

/// The bundled demo feed.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawDemo {}

/// Each kind's table as a schema: its struct's, with the `name` and
/// `kind` every source has (they are read apart, see `head`).
pub(super) fn schemas(generator: &mut SchemaGenerator) -> Vec<Schema> {
    let kinds = [
        ("mastodon", generator.root_schema_for::<RawMastodon>()),
        ("bluesky", generator.root_schema_for::<RawBluesky>()),
        ("feed", generator.root_schema_for::<RawFeed>()),
        ("jsonl", generator.root_schema_for::<RawJsonl>()),
        ("demo", generator.root_schema_for::<RawDemo>()),
    ];
    kinds
        .into_iter()
        .map(|(kind, mut schema)| {
            schema.remove("$schema");
            schema.insert("title".into(), kind.into());
            let properties = schema
                .ensure_object()
                .entry("properties")
                .or_insert_with(|| serde_json::json!({}));
            if let Some(properties) = properties.as_object_mut() {
                properties.insert(
                    "name".into(),
                    serde_json::json!({"type": "string", "description": "The source's name, unique; columns' `sources` name it."}),
                );
                properties.insert("kind".into(), serde_json::json!({"const": kind}));
            }
            let required = schema
                .ensure_object()
                .entry("required")
                .or_insert_with(|| serde_json::json!([]));
            if let Some(required) = required.as_array_mut() {
                required.insert(0, "kind".into());
                required.insert(0, "name".into());
            }
            schema
        })
        .collect()
}

/// The default Bluesky entryway.
const BSKY_SOCIAL: &str = "https://bsky.social";
/// How often network sources poll, unless `poll` says otherwise.
const POLL: Duration = Duration::from_secs(60);
const FEED_POLL: Duration = Duration::from_secs(30 * 60);

/// Reads the `[[source]]` array of tables (if any), pushing a located error
/// for every problem; returns the sources that checked out.
pub(super) fn read(
    value: Option<Spanned<DeValue<'_>>>,
    errors: &mut Vec<Diagnostic>,
) -> Vec<SourceSpec> {
    let Some(value) = value else {
        return Vec::new();
    };
    let span = value.span();
    let DeValue::Array(tables) = value.into_inner() else {
        errors.push(Diagnostic::error(
            Some(span),
            "`source` must be an array of tables: write each as [[source]]",
        ));
        return Vec::new();
    };
    let mut specs: Vec<SourceSpec> = Vec::new();
    for table in tables {
        let span = table.span();
        let DeValue::Table(table) = table.into_inner() else {
            errors.push(Diagnostic::error(Some(span), "a source must be a table"));
            continue;
        };
        let before = errors.len();
        let Some((name, kind, rest)) = head(table, span.clone(), errors) else {
            continue;
        };
        let name_text = name.get_ref().trim().to_string();
        if name_text.is_empty() {
            errors.push(Diagnostic::error(
                Some(name.span()),
                "a source needs a non-empty `name`",
            ));
        } else if specs.iter().any(|s| s.name == name_text) {
            errors.push(Diagnostic::error(
                Some(name.span()),
                format!(
                    "there is already a source named `{name_text}`; source names must be unique"
                ),
            ));
        }
        let config = match kind.get_ref().as_str() {
            "mastodon" => body::<RawMastodon>(rest, span, "mastodon", errors)
                .and_then(|raw| raw.check(errors).map(SourceConfig::Mastodon)),
            "bluesky" => body::<RawBluesky>(rest, span, "bluesky", errors)
                .and_then(|raw| raw.check(errors).map(SourceConfig::Bluesky)),
            "feed" => body::<RawFeed>(rest, span, "feed", errors)
                .and_then(|raw| raw.check(errors).map(SourceConfig::Feed)),
            "jsonl" => body::<RawJsonl>(rest, span, "jsonl", errors).map(|raw| {
                SourceConfig::Jsonl(JsonlSpec {
                    path: raw.path.into_inner(),
                    follow: raw.follow,
                })
            }),
            "demo" => body::<RawDemo>(rest, span, "demo", errors).map(|_| SourceConfig::Demo),
            other => {
                errors.push(Diagnostic::error(
                    Some(kind.span()),
                    format!(
                        "`{other}` is not a kind of source; the kinds are mastodon, bluesky, \
                         feed, jsonl and demo"
                    ),
                ));
                None
            }
        };
        if let Some(kind) = config
            && errors.len() == before
        {
            specs.push(SourceSpec {
                name: name_text,
                kind,
            });
        }
    }
    specs
}

/// Where `key` of the `[[source]]` named `source` is written in `text`:
/// its line and column (1-based), for a source that fails over it at run
/// time (a list title no list has).
pub fn place_of(text: &str, source: &str, key: &str) -> Option<(usize, usize)> {
    let root = toml::de::DeTable::parse(text).ok()?;
    let tables = root.get_ref().get("source")?;
    let DeValue::Array(tables) = tables.get_ref() else {
        return None;
    };
    let span = tables.iter().find_map(|table| {
        let DeValue::Table(table) = table.get_ref() else {
            return None;
        };
        let named = table.get("name")?.get_ref().as_str()? == source;
        named.then(|| table.get(key).map(|v| v.span()))?
    })?;
    Some(super::diagnostic::line_col(text, span.start))
}

/// A source table's `name` and `kind` (both strings), and its other keys.
fn head<'i>(
    mut table: DeTable<'i>,
    span: std::ops::Range<usize>,
    errors: &mut Vec<Diagnostic>,
) -> Option<(Spanned<String>, Spanned<String>, DeTable<'i>)> {
    let mut take = |key: &'static str, errors: &mut Vec<Diagnostic>| {
        let Some(value) = table.remove(key) else {
            errors.push(Diagnostic::error(
                Some(span.clone()),
                format!("a source needs `{key}`"),
            ));
            return None;
        };
        let span = value.span();
        match value.get_ref().as_str() {
            Some(text) => Some(Spanned::new(span, text.to_string())),
            None => {
                errors.push(Diagnostic::error(
                    Some(span),
                    format!("`{key}` must be a string"),
                ));
                None
            }
        }
    };
    let name = take("name", errors);
    let kind = take("kind", errors);
    Some((name?, kind?, table))
}

/// The rest of a source table read into its kind's struct: every key the
/// struct has no field for is reported at its place, and so is every value
/// of the wrong type (see `read`).
fn body<T: DeserializeOwned>(
    table: DeTable<'_>,
    span: std::ops::Range<usize>,
    kind: &str,
    errors: &mut Vec<Diagnostic>,
) -> Option<T> {
    let unknown = |key: &str, takes: &[&str]| {
        let also = if takes.is_empty() {
            "no other keys".to_string()
        } else {
            takes.join(", ")
        };
        format!("`{key}` does not apply to a {kind} source (it takes: {also})")
    };
    let missing = |field: &str| format!("a {kind} source needs `{field}`");
    super::read::table(table, span, &unknown, &missing, errors)
}

impl RawMastodon {
    fn check(self, errors: &mut Vec<Diagnostic>) -> Option<MastodonSpec> {
        let before = errors.len();
        if !is_http_url(self.instance.get_ref()) {
            errors.push(Diagnostic::error(
                Some(self.instance.span()),
                "`instance` must be a URL like https://mastodon.social",
            ));
        }
        let timeline = match &self.timeline {
            None => Timeline::Home,
            Some(t) => Timeline::parse(t.get_ref()).unwrap_or_else(|| {
                errors.push(Diagnostic::error(
                    Some(t.span()),
                    "`timeline` must be home, local, public, notifications, bookmarks, \
                     favourites, list:<title or id>, tag:<name>, user:@name@host or search:<words>",
                ));
                Timeline::Home
            }),
        };
        let mut timeline = timeline;
        for (key, flag) in [
            ("exclude_replies", &self.exclude_replies),
            ("exclude_reblogs", &self.exclude_reblogs),
        ] {
            let Some(flag) = flag else { continue };
            match &mut timeline {
                Timeline::User(_, exclude) if key == "exclude_replies" => {
                    exclude.replies = *flag.get_ref()
                }
                Timeline::User(_, exclude) => exclude.reblogs = *flag.get_ref(),
                other => errors.push(Diagnostic::error(
                    Some(flag.span()),
                    format!(
                        "`{key}` applies to an account's posts (timeline = \"user:@name@host\"), \
                         not to timeline = \"{}\"",
                        other.name()
                    ),
                )),
            }
        }
        let token = secret(self.token_env, self.token_file, "token", errors);
        let poll = poll(self.poll.as_ref(), POLL, errors);
        (errors.len() == before).then(|| MastodonSpec {
            instance: self.instance.into_inner().trim_end_matches('/').to_string(),
            timeline,
            token: token.flatten(),
            poll,
        })
    }
}

impl RawBluesky {
    fn check(self, errors: &mut Vec<Diagnostic>) -> Option<BlueskySpec> {
        let before = errors.len();
        let handle = self.handle.get_ref().trim().trim_start_matches('@');
        if handle.is_empty() {
            errors.push(Diagnostic::error(
                Some(self.handle.span()),
                "`handle` is empty: write it like handle = \"jane.bsky.social\"",
            ));
        }
        if let Some(service) = &self.service
            && !is_http_url(service.get_ref())
        {
            errors.push(Diagnostic::error(
                Some(service.span()),
                "`service` must be a URL like https://bsky.social",
            ));
        }
        let password = match secret(
            self.app_password_env,
            self.app_password_file,
            "app_password",
            errors,
        ) {
            Some(Some(password)) => Some(password),
            Some(None) => {
                errors.push(Diagnostic::error(
                    Some(self.handle.span()),
                    "a bluesky source needs `app_password_env` or `app_password_file` \
                     (`circles login bluesky` makes one)",
                ));
                None
            }
            None => None,
        };
        let poll = poll(self.poll.as_ref(), POLL, errors);
        let mut feed = self.feed;
        if let Some(filter) = &self.filter {
            match &mut feed {
                BlueskyFeed::Author(_, chosen) => *chosen = *filter.get_ref(),
                _ => errors.push(Diagnostic::error(
                    Some(filter.span()),
                    "`filter` applies to an account's posts (feed = \"user:<handle>\")",
                )),
            }
        }
        let jetstream = self
            .jetstream
            .as_ref()
            .and_then(|j| jetstream_url(j, &feed, errors));
        let service = self.service.map_or_else(
            || BSKY_SOCIAL.to_string(),
            |s| s.into_inner().trim().trim_end_matches('/').to_string(),
        );
        match password {
            Some(password) if errors.len() == before => Some(BlueskySpec {
                handle: handle.to_string(),
                service,
                password,
                poll,
                feed,
                jetstream,
            }),
            _ => None,
        }
    }
}

impl RawFeed {
    fn check(self, errors: &mut Vec<Diagnostic>) -> Option<FeedSpec> {
        let before = errors.len();
        if self.urls.get_ref().is_empty() {
            errors.push(Diagnostic::error(
                Some(self.urls.span()),
                "`urls` is empty: list at least one feed URL or file path",
            ));
        }
        let poll = poll(self.poll.as_ref(), FEED_POLL, errors);
        (errors.len() == before).then(|| FeedSpec {
            urls: self
                .urls
                .into_inner()
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            poll,
        })
    }
}

/// `<what>_env` or `<what>_file`: `Some(None)` when neither is given,
/// `None` (with an error) when both are.
fn secret(
    env: Option<Spanned<String>>,
    file: Option<Spanned<String>>,
    what: &str,
    errors: &mut Vec<Diagnostic>,
) -> Option<Option<SecretRef>> {
    match (env, file) {
        (Some(_), Some(file)) => {
            errors.push(Diagnostic::error(
                Some(file.span()),
                format!("give either `{what}_env` or `{what}_file`, not both"),
            ));
            None
        }
        (Some(env), None) => Some(Some(SecretRef::Env(env.into_inner()))),
        (None, Some(file)) => Some(Some(SecretRef::File(file.into_inner()))),
        (None, None) => Some(None),
    }
}

/// `poll = "90s"`, at least 5 seconds.
fn poll(
    text: Option<&Spanned<String>>,
    default: Duration,
    errors: &mut Vec<Diagnostic>,
) -> Duration {
    let Some(p) = text else {
        return default;
    };
    match humantime::parse_duration(p.get_ref()) {
        Ok(d) if d >= Duration::from_secs(5) => d,
        Ok(_) => {
            errors.push(Diagnostic::error(
                Some(p.span()),
                "`poll` must be at least 5s",
            ));
            default
        }
        Err(e) => {
            errors.push(Diagnostic::error(
                Some(p.span()),
                format!("`poll` is not a duration like \"90s\", \"30m\" or \"1h\": {e}"),
            ));
            default
        }
    }
}

/// `jetstream = "wss://host"`: the instance's `/subscribe` endpoint, none
/// when empty. Only the timeline is read from it.
fn jetstream_url(
    text: &Spanned<String>,
    feed: &BlueskyFeed,
    errors: &mut Vec<Diagnostic>,
) -> Option<String> {
    let raw = text.get_ref().trim();
    if raw.is_empty() {
        return None;
    }
    let mut fail = |why: String| {
        errors.push(Diagnostic::error(Some(text.span()), why));
        None
    };
    if *feed != BlueskyFeed::Timeline {
        return fail(
            "`jetstream` brings new posts of the home timeline; a source of another `feed` \
             polls (give the timeline its own source)"
                .into(),
        );
    }
    match url::Url::parse(raw) {
        Ok(mut url) if matches!(url.scheme(), "ws" | "wss") && url.host_str().is_some() => {
            if matches!(url.path(), "" | "/") {
                url.set_path("/subscribe");
            }
            url.set_query(None);
            Some(url.to_string())
        }
        Ok(_) => fail(format!(
            "`jetstream` must be a ws:// or wss:// URL, like \
             \"wss://jetstream2.us-east.bsky.network\" (got {raw:?})"
        )),
        Err(e) => fail(format!("`jetstream` is not a URL ({e}): {raw:?}")),
    }
}

fn is_http_url(text: &str) -> bool {
    url::Url::parse(text.trim())
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse;
    use crate::config::read::fields_of;

    use crate::config::error_lines as messages;

    #[test]
    fn each_kind_checks_its_keys() {
        let text =
            "[[source]]\nname = \"home\"\nkind = \"mastodon\"\nurls = [\"x\"]\nfollow = true\n";
        let got = messages(text);
        for (line, key) in [(4, "urls"), (5, "follow")] {
            assert!(
                got.iter().any(|(l, m)| *l == line
                    && m.contains(&format!("`{key}` does not apply to a mastodon source"))
                    && m.contains("it takes: instance, timeline, token_env, token_file, poll")),
                "{got:?}"
            );
        }
        assert!(
            got.iter()
                .any(|(_, m)| m.contains("a mastodon source needs `instance`")),
            "{got:?}"
        );
    }

    #[test]
    fn bad_values_are_located() {
        let text = "[[source]]\nname = \"h\"\nkind = \"mastodon\"\ninstance = \"mastodon.social\"\ntimeline = \"everything\"\npoll = \"soon\"\n";
        let got = messages(text);
        let lines: Vec<usize> = got.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![4, 5, 6], "{got:?}");
        let got = messages("[[source]]\nname = \"j\"\nkind = \"jsonl\"\npath = 3\n");
        assert_eq!(got[0].0, 4, "{got:?}");
        assert!(got[0].1.contains("string"), "{got:?}");
    }

    #[test]
    fn account_options_go_with_an_accounts_timeline() {
        let source = |timeline: &str, options: &str| {
            format!(
                "[[source]]\nname = \"h\"\nkind = \"mastodon\"\ninstance = \"https://m.example\"\n\
                 timeline = \"{timeline}\"\n{options}"
            )
        };
        let parsed = parse(&source(
            "user:@bob@m.example",
            "exclude_replies = true\nexclude_reblogs = false\n",
        ))
        .unwrap();
        let SourceConfig::Mastodon(spec) = &parsed.sources[0].kind else {
            panic!("{parsed:?}");
        };
        let want = Exclude {
            replies: true,
            reblogs: false,
        };
        assert_eq!(spec.timeline, Timeline::User("bob@m.example".into(), want));
        let got = messages(&source("home", "exclude_reblogs = true\n"));
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].0, 6, "{got:?}");
        assert!(
            got[0]
                .1
                .contains("`exclude_reblogs` applies to an account's posts")
        );
        // Bluesky's `filter` likewise, with the lexicon's words.
        let sky = |feed: &str, filter: &str| {
            format!(
                "[[source]]\nname = \"s\"\nkind = \"bluesky\"\nhandle = \"a.bsky.social\"\n\
                 app_password_env = \"PW\"\nfeed = \"{feed}\"\nfilter = \"{filter}\"\n"
            )
        };
        let parsed = parse(&sky("user:bob.bsky.social", "posts_no_replies")).unwrap();
        let SourceConfig::Bluesky(spec) = &parsed.sources[0].kind else {
            panic!("{parsed:?}");
        };
        assert_eq!(
            spec.feed,
            BlueskyFeed::Author("bob.bsky.social".into(), AuthorFilter::PostsNoReplies)
        );
        let got = messages(&sky("home", "posts_no_replies"));
        assert_eq!(got[0].0, 7, "{got:?}");
        assert!(got[0].1.contains("`filter` applies to an account's posts"));
        let got = messages(&sky("user:bob.bsky.social", "everything"));
        assert_eq!(got[0].0, 7, "{got:?}");
    }

    #[test]
    fn a_sources_key_is_found_by_the_sources_name() {
        let text = "[[source]]\nname = \"a\"\nkind = \"demo\"\n\n[[source]]\nname = \"b\"\n\
                    kind = \"mastodon\"\ninstance = \"https://m.example\"\ntimeline = \"list:Family\"\n";
        assert_eq!(place_of(text, "b", "timeline"), Some((9, 12)));
        assert_eq!(place_of(text, "a", "timeline"), None);
        assert_eq!(place_of(text, "c", "timeline"), None);
        assert_eq!(place_of("not toml [", "b", "timeline"), None);
    }

    #[test]
    fn unknown_kinds_and_duplicate_names() {
        let got = messages("[[source]]\nname = \"a\"\nkind = \"myspace\"\n");
        assert_eq!(got[0].0, 3);
        assert!(got[0].1.contains("myspace"), "{got:?}");
        let got = messages(
            "[[source]]\nname = \"a\"\nkind = \"demo\"\n[[source]]\nname = \"a\"\nkind = \"demo\"\n",
        );
        assert_eq!(got[0].0, 5);
        assert!(got[0].1.contains("already a source named `a`"));
        let got = messages("[[source]]\nkind = \"demo\"\n");
        assert!(got[0].1.contains("a source needs `name`"), "{got:?}");
    }

    #[test]
    fn secrets_come_from_one_place() {
        let got =
            messages("[[source]]\nname = \"s\"\nkind = \"bluesky\"\nhandle = \"a.bsky.social\"\n");
        assert!(
            got[0]
                .1
                .contains("needs `app_password_env` or `app_password_file`"),
            "{got:?}"
        );
        let got = messages(
            "[[source]]\nname = \"m\"\nkind = \"mastodon\"\ninstance = \"https://m.example\"\ntoken_env = \"T\"\ntoken_file = \"t\"\n",
        );
        assert_eq!(got[0].0, 6, "{got:?}");
        assert!(got[0].1.contains("not both"), "{got:?}");
    }

    #[test]
    fn every_kind_lists_its_own_keys() {
        assert_eq!(
            fields_of::<RawBluesky>(),
            [
                "handle",
                "service",
                "app_password_env",
                "app_password_file",
                "poll",
                "feed",
                "filter",
                "jetstream"
            ]
        );
        assert_eq!(fields_of::<RawJsonl>(), ["path", "follow"]);
        assert!(fields_of::<RawDemo>().is_empty());
    }

    #[test]
    fn good_sources_become_specs() {
        let text = r#"
[[source]]
name = "home"
kind = "mastodon"
instance = "https://mastodon.social/"
timeline = "list:42"
token_env = "TOKEN"
[[source]]
name = "blogs"
kind = "feed"
urls = ["https://blog.example.org/feed.xml"]
poll = "30m"
[[source]]
name = "sky"
kind = "bluesky"
handle = "@jane.bsky.social"
app_password_file = "~/.sky"
"#;
        let parsed = parse(text).unwrap();
        assert_eq!(
            parsed.sources[0].kind,
            SourceConfig::Mastodon(MastodonSpec {
                instance: "https://mastodon.social".into(),
                timeline: Timeline::List("42".into()),
                token: Some(SecretRef::Env("TOKEN".into())),
                poll: POLL,
            })
        );
        assert_eq!(
            parsed.sources[1].kind,
            SourceConfig::Feed(FeedSpec {
                urls: vec!["https://blog.example.org/feed.xml".into()],
                poll: Duration::from_secs(1800),
            })
        );
        assert_eq!(
            parsed.sources[2].kind,
            SourceConfig::Bluesky(BlueskySpec {
                handle: "jane.bsky.social".into(),
                service: BSKY_SOCIAL.into(),
                password: SecretRef::File("~/.sky".into()),
                poll: POLL,
                feed: BlueskyFeed::Timeline,
                jetstream: None,
            })
        );
    }

    #[test]
    fn jetstream_is_a_websocket_url_for_the_timeline() {
        let source = |extra: &str| {
            format!(
                "[[source]]\nname = \"sky\"\nkind = \"bluesky\"\nhandle = \"jane.bsky.social\"\n\
                 app_password_env = \"PW\"\n{extra}\n"
            )
        };
        let jetstream = |extra: &str| match &parse(&source(extra)).unwrap().sources[0].kind {
            SourceConfig::Bluesky(b) => b.jetstream.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            jetstream("jetstream = \"wss://jetstream2.us-east.bsky.network\""),
            Some("wss://jetstream2.us-east.bsky.network/subscribe".into())
        );
        assert_eq!(
            jetstream("jetstream = \"ws://127.0.0.1:6008/subscribe?cursor=1\""),
            Some("ws://127.0.0.1:6008/subscribe".into())
        );
        assert_eq!(jetstream("jetstream = \"\""), None, "empty is off");
        let errors = messages(&source("jetstream = \"https://example.test\""));
        assert!(
            errors.iter().any(|(_, m)| m.contains("ws:// or wss://")),
            "{errors:?}"
        );
        let errors = messages(&source(
            "feed = \"notifications\"\njetstream = \"wss://example.test\"",
        ));
        assert!(
            errors
                .iter()
                .any(|(_, m)| m.contains("give the timeline its own source")),
            "{errors:?}"
        );
    }
}
