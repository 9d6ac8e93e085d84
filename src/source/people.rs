//! The people scan (ARCHITECTURE.md, "People"): what the ledger lacks,
//! fetched through a source's account and handed to a [`Ledger`] page by
//! page, paced by the server's rate limit and resumable after a quit.
//!
//! Mastodon, in order: who the reader is (`verify_credentials`), their
//! followers and whom they follow (`Link` paging, 80 a page), their newest
//! posts (what they answered, mentioned, boosted and quoted; who
//! favourited and boosted each, asked only when its counts changed since
//! the last scan), their favourites, and their notifications (who
//! answered, mentioned, quoted, favourited, boosted or followed, and
//! when). Each step remembers where it got to, so a scan cut short goes on
//! from there, and a later scan reads posts, favourites and notifications
//! only as far back as the last one did.

use crate::config::Thresholds;
use crate::decode;
use crate::model::people::{Engaged, Interaction, Known, Relation};
use crate::net::mastodon::{self, Client};
use crate::net::{Error, secret};
use chrono::{DateTime, Utc};
use reqwest::Url;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where a scan keeps what it finds: the cache, for the app and the CLI.
/// Each call is one write; a failed write stops the scan with its reason.
pub trait Ledger {
    /// A note the scan left (where a step got to), by key.
    fn state(&mut self, key: &str) -> Result<Option<String>, String>;
    /// Leaves a note; an empty value removes it.
    fn set_state(&mut self, key: &str, value: &str) -> Result<(), String>;
    fn accounts(&mut self, accounts: &[Known]) -> Result<(), String>;
    /// A page of follows of one kind, seen by scan number `scan`.
    fn follows(&mut self, relation: Relation, keys: &[String], scan: i64) -> Result<(), String>;
    /// Every page of that kind was read: the follows not seen ended.
    fn follows_done(&mut self, relation: Relation, scan: i64) -> Result<(), String>;
    /// `who` followed the reader at `at` (a notification said so).
    fn followed_at(&mut self, who: &str, at: DateTime<Utc>) -> Result<(), String>;
    /// Interactions; how many were new to the ledger.
    fn interactions(&mut self, interactions: &[Interaction]) -> Result<usize, String>;
    /// One of the reader's posts and its (favourites, boosts); the counts
    /// the last scan saw, none if new.
    fn my_post(
        &mut self,
        id: &str,
        at: DateTime<Utc>,
        counts: (u32, u32),
    ) -> Result<Option<(u32, u32)>, String>;
}

/// Where a scan is, for a progress line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// The step: "followers", "following", "posts", "favourites",
    /// "notifications".
    pub step: &'static str,
    pub done: u64,
    /// How many there are, when the server says.
    pub total: Option<u64>,
    /// The scan waits this long for the rate limit.
    pub waiting: Option<Duration>,
}

impl std::fmt::Display for Progress {
    /// `following 1,200/3,000 · waiting 41 s for the rate limit`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.step, thousands(self.done))?;
        if let Some(total) = self.total {
            write!(f, "/{}", thousands(total))?;
        }
        if let Some(wait) = self.waiting {
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            write!(f, " · waiting {secs} s for the rate limit")?;
        }
        Ok(())
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Told of each step a scan makes.
pub type OnProgress = Box<dyn FnMut(&Progress) + Send>;

/// What a scan did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub followers: u64,
    pub following: u64,
    pub posts: u64,
    /// Interactions new to the ledger.
    pub new: usize,
    /// API calls made.
    pub calls: u64,
}

/// Accounts a follow page asks for (Mastodon's most).
const FOLLOW_PAGE: &str = "80";
/// Notifications a page asks for (Mastodon's most).
const NOTIFICATION_PAGE: &str = "80";
/// Pages of notifications or favourites a scan reads at most.
const MAX_PAGES: usize = 50;
/// How often a call the server refused for a while is tried.
const TRIES: u32 = 4;

/// The scan of one Mastodon account, as the source `source` names it.
pub struct MastodonScan<'a> {
    client: Client,
    source: String,
    limits: Thresholds,
    ledger: &'a mut dyn Ledger,
    progress: Arc<Mutex<OnProgress>>,
    shown: Arc<Mutex<Progress>>,
    summary: Summary,
    now: DateTime<Utc>,
}

impl<'a> MastodonScan<'a> {
    /// A scan through the account of `spec` (a Mastodon source with a
    /// token), told of its progress through `progress`.
    pub fn new(
        spec: &crate::config::SourceSpec,
        limits: Thresholds,
        ledger: &'a mut dyn Ledger,
        progress: OnProgress,
    ) -> Result<MastodonScan<'a>, String> {
        let crate::config::SourceConfig::Mastodon(m) = &spec.kind else {
            return Err(format!(
                "{} is a {} source: the people scan reads Mastodon accounts",
                spec.name,
                spec.kind.kind_name()
            ));
        };
        let Some(token) = &m.token else {
            return Err(format!(
                "{}: the people scan reads your followers and notifications, which needs the \
                 account's token; add token_env or token_file to the source",
                spec.name
            ));
        };
        let secret = secret::load(token, "Mastodon access token").map_err(|e| e.to_string())?;
        let mut client =
            Client::new(&m.instance, Some(secret), token.origin()).map_err(|e| e.to_string())?;
        let shown = Arc::new(Mutex::new(Progress {
            step: "account",
            done: 0,
            total: None,
            waiting: None,
        }));
        let progress = Arc::new(Mutex::new(progress));
        let (hook_shown, hook_progress) = (Arc::clone(&shown), Arc::clone(&progress));
        client.pacer().on_wait(Arc::new(move |wait: Duration| {
            if let (Ok(mut shown), Ok(mut tell)) = (hook_shown.lock(), hook_progress.lock()) {
                shown.waiting = Some(wait);
                (tell)(&shown);
                shown.waiting = None;
            }
        }));
        Ok(MastodonScan {
            client,
            source: spec.name.clone(),
            limits,
            ledger,
            progress,
            shown,
            summary: Summary::default(),
            now: Utc::now(),
        })
    }

    /// Runs the scan to its end, or to the first failure (what was found
    /// until then is kept, and the next scan goes on from there).
    pub async fn run(mut self) -> Result<Summary, String> {
        let scan = match self.state("scan:running")?.and_then(|n| n.parse().ok()) {
            Some(resumed) => resumed,
            None => {
                let next = self
                    .state("scan:last")?
                    .and_then(|n| n.parse::<i64>().ok())
                    .unwrap_or(0)
                    + 1;
                self.set_state("scan:running", &next.to_string())?;
                next
            }
        };
        let (me_id, me, counts) = self.me().await?;
        if self.state("done:followers")?.is_none() {
            self.follows(&me_id, Relation::FollowsMe, scan, counts.0)
                .await?;
        }
        if self.state("done:following")?.is_none() {
            self.follows(&me_id, Relation::IFollow, scan, counts.1)
                .await?;
        }
        if self.state("done:posts")?.is_none() {
            self.my_posts(&me_id, &me).await?;
        }
        if self.state("done:favourites")?.is_none() {
            self.favourites(&me).await?;
        }
        self.notifications().await?;
        for step in ["followers", "following", "posts", "favourites"] {
            self.set_state(&format!("done:{step}"), "")?;
        }
        self.set_state("scan:running", "")?;
        self.set_state("scan:last", &scan.to_string())?;
        Ok(self.summary)
    }

    fn state(&mut self, key: &str) -> Result<Option<String>, String> {
        self.ledger.state(key)
    }

    fn set_state(&mut self, key: &str, value: &str) -> Result<(), String> {
        self.ledger.set_state(key, value)
    }

    fn tell(&self, step: &'static str, done: u64, total: Option<u64>) {
        if let (Ok(mut shown), Ok(mut tell)) = (self.shown.lock(), self.progress.lock()) {
            *shown = Progress {
                step,
                done,
                total,
                waiting: None,
            };
            (tell)(&shown);
        }
    }

    /// One GET, tried again when the server asks to wait (a 429, a 503):
    /// the pacer holds the next call for as long as it said.
    async fn get(&mut self, url: &Url) -> Result<mastodon::Items, String> {
        let mut tries = 0;
        loop {
            tries += 1;
            self.summary.calls += 1;
            match self.client.read_page(url.clone()).await {
                Ok(items) => return Ok(items),
                Err(Error::Status {
                    transient: true,
                    wait,
                    ..
                }) if tries < TRIES => {
                    let wait = wait.unwrap_or(Duration::from_secs(5 * u64::from(tries)));
                    self.client.pacer().hold(wait);
                }
                Err(e) => return Err(self.client.redact(&e.to_string())),
            }
        }
    }

    /// The reader's account: its id, its routing key, (followers,
    /// following) counts.
    async fn me(&mut self) -> Result<(String, String, (u64, u64)), String> {
        let url = self
            .client
            .api_url(&["accounts", "verify_credentials"], &[]);
        let page = self.get(&url).await?;
        #[derive(serde::Deserialize)]
        struct Counts {
            followers_count: Option<u64>,
            following_count: Option<u64>,
        }
        let counts: Counts = serde_json::from_str(&page.body)
            .map_err(|e| format!("{}: not an account ({e})", page.what))?;
        let (id, me) = decode::mastodon::decode_account(&page.body)
            .map_err(|e| format!("{}: {e}", page.what))?;
        self.set_state("me", &me.key)?;
        let key = me.key.clone();
        self.ledger.accounts(&[me])?;
        Ok((
            id,
            key,
            (
                counts.followers_count.unwrap_or_default(),
                counts.following_count.unwrap_or_default(),
            ),
        ))
    }

    /// Every page of followers or following, from where an earlier scan
    /// cut short got to.
    async fn follows(
        &mut self,
        me: &str,
        relation: Relation,
        scan: i64,
        total: u64,
    ) -> Result<(), String> {
        let step = relation.name();
        let resume = format!("next:{step}");
        let mut url = match self.state(&resume)?.and_then(|u| Url::parse(&u).ok()) {
            Some(url) if url.origin() == self.client.base().origin() => url,
            _ => self
                .client
                .api_url(&["accounts", me, step], &[("limit", FOLLOW_PAGE)]),
        };
        let mut done = self
            .state(&format!("count:{step}"))?
            .and_then(|n| n.parse().ok())
            .unwrap_or(0u64);
        self.tell(step, done, Some(total));
        loop {
            let page = self.get(&url).await?;
            let (accounts, _skipped) = decode::mastodon::decode_accounts(&page.body)
                .map_err(|e| format!("{}: {e}", page.what))?;
            let keys: Vec<String> = accounts.iter().map(|(_, a)| a.key.clone()).collect();
            let known: Vec<Known> = accounts.into_iter().map(|(_, a)| a).collect();
            self.ledger.accounts(&known)?;
            self.ledger.follows(relation, &keys, scan)?;
            done += keys.len() as u64;
            self.tell(step, done, Some(total.max(done)));
            match page.next {
                Some(next) if !keys.is_empty() => {
                    self.set_state(&resume, next.as_str())?;
                    self.set_state(&format!("count:{step}"), &done.to_string())?;
                    url = next;
                }
                _ => break,
            }
        }
        self.ledger.follows_done(relation, scan)?;
        match relation {
            Relation::FollowsMe => self.summary.followers = done,
            Relation::IFollow => self.summary.following = done,
        }
        self.set_state(&resume, "")?;
        self.set_state(&format!("count:{step}"), "")?;
        self.set_state(&format!("done:{step}"), "1")
    }

    /// The reader's newest posts, up to `scan_posts`: what each did to
    /// others, and who favourited and boosted it when its counts changed.
    async fn my_posts(&mut self, me_id: &str, me: &str) -> Result<(), String> {
        let want = u64::from(self.limits.scan_posts);
        let mut url = self
            .client
            .api_url(&["accounts", me_id, "statuses"], &[("limit", "40")]);
        let mut read = 0u64;
        while read < want {
            let page = self.get(&url).await?;
            let items: Vec<serde_json::Value> =
                serde_json::from_str(&page.body).map_err(|e| format!("{}: {e}", page.what))?;
            if items.is_empty() {
                break;
            }
            for item in &items {
                if read >= want {
                    break;
                }
                let Ok(post) = decode::decode(&item.to_string(), &self.source) else {
                    continue;
                };
                read += 1;
                self.tell("posts", read, Some(want));
                let acts = Interaction::of_my_post(&post, me);
                self.summary.new += self.ledger.interactions(&acts)?;
                if post.is_boost() {
                    continue;
                }
                let counts = (
                    post.engagement.favourites.unwrap_or(0),
                    post.engagement.boosts.unwrap_or(0),
                );
                let before = self.ledger.my_post(&post.id, post.created_at, counts)?;
                let (favs_before, boosts_before) = before.unwrap_or((0, 0));
                if counts.0 > 0 && counts.0 != favs_before {
                    self.who_did(&post.id, post.created_at, Engaged::Favourite)
                        .await?;
                }
                if counts.1 > 0 && counts.1 != boosts_before {
                    self.who_did(&post.id, post.created_at, Engaged::Boost)
                        .await?;
                }
            }
            match page.next {
                Some(next) => url = next,
                None => break,
            }
        }
        self.summary.posts = read;
        self.set_state("done:posts", "1")
    }

    /// Who favourited or boosted the reader's post `id` (the server does
    /// not say when: the post's time stands in, and a notification's time
    /// wins when it came first).
    async fn who_did(&mut self, id: &str, at: DateTime<Utc>, kind: Engaged) -> Result<(), String> {
        let path = match kind {
            Engaged::Favourite => "favourited_by",
            _ => "reblogged_by",
        };
        let mut url = self
            .client
            .api_url(&["statuses", id, path], &[("limit", FOLLOW_PAGE)]);
        for _ in 0..MAX_PAGES {
            let page = self.get(&url).await?;
            let (accounts, _) = decode::mastodon::decode_accounts(&page.body)
                .map_err(|e| format!("{}: {e}", page.what))?;
            let acts: Vec<Interaction> = accounts
                .iter()
                .map(|(_, a)| Interaction::on_my_post(&a.key, kind, id, at))
                .collect();
            let known: Vec<Known> = accounts.into_iter().map(|(_, a)| a).collect();
            self.ledger.accounts(&known)?;
            self.summary.new += self.ledger.interactions(&acts)?;
            match page.next {
                Some(next) if !acts.is_empty() => url = next,
                _ => break,
            }
        }
        Ok(())
    }

    /// The reader's favourites, newest first, until a page brings nothing
    /// new (the last scan read from there on) or `scan_posts` were read.
    async fn favourites(&mut self, me: &str) -> Result<(), String> {
        let want = u64::from(self.limits.scan_posts);
        let mut url = self.client.api_url(&["favourites"], &[("limit", "40")]);
        let mut read = 0u64;
        for _ in 0..MAX_PAGES {
            let page = self.get(&url).await?;
            let items: Vec<serde_json::Value> =
                serde_json::from_str(&page.body).map_err(|e| format!("{}: {e}", page.what))?;
            let acts: Vec<Interaction> = items
                .iter()
                .filter_map(|item| decode::decode(&item.to_string(), &self.source).ok())
                .filter_map(|post| Interaction::my_favourite(&post, me))
                .collect();
            read += items.len() as u64;
            self.tell("favourites", read, None);
            let new = self.ledger.interactions(&acts)?;
            self.summary.new += new;
            match page.next {
                Some(next) if new > 0 && read < want => url = next,
                _ => break,
            }
        }
        self.set_state("done:favourites", "1")
    }

    /// Notifications of every kind, newest first, back to the newest one
    /// the last scan read, or to the start of the window.
    async fn notifications(&mut self) -> Result<(), String> {
        let newest_read = self.state("notifications:newest")?;
        let mut url = self
            .client
            .api_url(&["notifications"], &[("limit", NOTIFICATION_PAGE)]);
        let since = self.now - self.limits.window;
        let mut newest: Option<String> = None;
        let mut read = 0u64;
        'pages: for _ in 0..MAX_PAGES {
            let page = self.get(&url).await?;
            let items: Vec<serde_json::Value> =
                serde_json::from_str(&page.body).map_err(|e| format!("{}: {e}", page.what))?;
            if items.is_empty() {
                break;
            }
            let mut acts = Vec::new();
            for item in &items {
                let id = item["id"].as_str().unwrap_or_default();
                if newest.is_none() {
                    newest = Some(id.to_string());
                }
                // Read by the last scan: from here on it is all known.
                if newest_read
                    .as_deref()
                    .is_some_and(|last| !crate::model::newer_id(id, last))
                {
                    break 'pages;
                }
                let Ok(post) = decode::decode(&item.to_string(), &self.source) else {
                    continue;
                };
                read += 1;
                if post.created_at < since {
                    self.summary.new += self.ledger.interactions(&acts)?;
                    break 'pages;
                }
                if post.notice_kind() == Some(crate::model::NoticeKind::Follow) {
                    self.ledger.followed_at(&post.author.key, post.created_at)?;
                }
                acts.extend(Interaction::of_notification(&post));
            }
            self.summary.new += self.ledger.interactions(&acts)?;
            self.tell("notifications", read, None);
            match page.next {
                Some(next) => url = next,
                None => break,
            }
        }
        if let Some(newest) = newest {
            self.set_state("notifications:newest", &newest)?;
        }
        Ok(())
    }
}
