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
        write!(f, "{} {}", self.step, crate::model::thousands(self.done))?;
        if let Some(total) = self.total {
            write!(f, "/{}", crate::model::thousands(total))?;
        }
        if let Some(wait) = self.waiting {
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            write!(f, " · waiting {secs} s for the rate limit")?;
        }
        Ok(())
    }
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

/// What every scan keeps: where it writes, whom it tells, what it did.
struct Core<'a> {
    source: String,
    limits: Thresholds,
    ledger: &'a mut dyn Ledger,
    progress: Arc<Mutex<OnProgress>>,
    shown: Arc<Mutex<Progress>>,
    summary: Summary,
    now: DateTime<Utc>,
}

impl<'a> Core<'a> {
    fn new(
        source: &str,
        limits: Thresholds,
        ledger: &'a mut dyn Ledger,
        progress: OnProgress,
    ) -> Core<'a> {
        Core {
            source: source.to_string(),
            limits,
            ledger,
            progress: Arc::new(Mutex::new(progress)),
            shown: Arc::new(Mutex::new(Progress {
                step: "account",
                done: 0,
                total: None,
                waiting: None,
            })),
            summary: Summary::default(),
            now: Utc::now(),
        }
    }

    /// What to tell of a wait for the rate limit (the client's pacer
    /// calls it).
    fn wait_hook(&self) -> crate::net::pace::WaitHook {
        let (shown, progress) = (Arc::clone(&self.shown), Arc::clone(&self.progress));
        Arc::new(move |wait: Duration| {
            if let (Ok(mut shown), Ok(mut tell)) = (shown.lock(), progress.lock()) {
                shown.waiting = Some(wait);
                (tell)(&shown);
                shown.waiting = None;
            }
        })
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

    /// The number of this scan: the one cut short, else the next.
    fn begin(&mut self) -> Result<i64, String> {
        if let Some(resumed) = self.state("scan:running")?.and_then(|n| n.parse().ok()) {
            return Ok(resumed);
        }
        let next = self
            .state("scan:last")?
            .and_then(|n| n.parse::<i64>().ok())
            .unwrap_or(0)
            + 1;
        self.set_state("scan:running", &next.to_string())?;
        Ok(next)
    }

    /// Whether a step of the scan cut short is done already.
    fn done(&mut self, step: &str) -> Result<bool, String> {
        Ok(self.state(&format!("done:{step}"))?.is_some())
    }

    /// How many of a follow step's accounts a scan cut short had read.
    fn resumed_count(&mut self, step: &str) -> Result<u64, String> {
        Ok(self
            .state(&format!("count:{step}"))?
            .and_then(|n| n.parse().ok())
            .unwrap_or(0))
    }

    /// A page of follows read: its accounts and follows kept, the count
    /// told, and where the next page is (`next`, none at the end) noted.
    fn follow_page(
        &mut self,
        relation: Relation,
        scan: i64,
        known: &[Known],
        progress: (u64, Option<u64>),
        next: Option<&str>,
    ) -> Result<u64, String> {
        let step = relation.name();
        let keys: Vec<String> = known.iter().map(|a| a.key.clone()).collect();
        self.ledger.accounts(known)?;
        self.ledger.follows(relation, &keys, scan)?;
        let done = progress.0 + keys.len() as u64;
        self.tell(step, done, progress.1.map(|t| t.max(done)));
        if let Some(next) = next.filter(|_| !keys.is_empty()) {
            self.set_state(&format!("next:{step}"), next)?;
            self.set_state(&format!("count:{step}"), &done.to_string())?;
        }
        Ok(done)
    }

    /// Every page of a follow step read: the follows not seen ended, and
    /// the step is done.
    fn follows_done(&mut self, relation: Relation, scan: i64, done: u64) -> Result<(), String> {
        let step = relation.name();
        self.ledger.follows_done(relation, scan)?;
        match relation {
            Relation::FollowsMe => self.summary.followers = done,
            Relation::IFollow => self.summary.following = done,
        }
        self.set_state(&format!("next:{step}"), "")?;
        self.set_state(&format!("count:{step}"), "")?;
        self.set_state(&format!("done:{step}"), "1")
    }

    /// The scan went through: its steps start again next time.
    fn finish(mut self, scan: i64) -> Result<Summary, String> {
        for step in ["followers", "following", "posts", "favourites"] {
            self.set_state(&format!("done:{step}"), "")?;
        }
        self.set_state("scan:running", "")?;
        self.set_state("scan:last", &scan.to_string())?;
        Ok(self.summary)
    }
}

/// Scans the account of the source `spec`, Mastodon or Bluesky, into
/// `ledger`, telling its progress to `progress`.
pub async fn scan(
    spec: &crate::config::SourceSpec,
    limits: Thresholds,
    ledger: &mut dyn Ledger,
    progress: OnProgress,
) -> Result<Summary, String> {
    match &spec.kind {
        crate::config::SourceConfig::Bluesky(_) => {
            BlueskyScan::new(spec, limits, ledger, progress)?
                .run()
                .await
        }
        _ => {
            MastodonScan::new(spec, limits, ledger, progress)?
                .run()
                .await
        }
    }
}

/// The scan of one Mastodon account, as the source `source` names it.
pub struct MastodonScan<'a> {
    client: Client,
    core: Core<'a>,
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
        let core = Core::new(&spec.name, limits, ledger, progress);
        client.pacer().on_wait(core.wait_hook());
        Ok(MastodonScan { client, core })
    }

    /// Runs the scan to its end, or to the first failure (what was found
    /// until then is kept, and the next scan goes on from there).
    pub async fn run(mut self) -> Result<Summary, String> {
        let scan = self.core.begin()?;
        let (me_id, me, counts) = self.me().await?;
        if !self.core.done("followers")? {
            self.follows(&me_id, Relation::FollowsMe, scan, counts.0)
                .await?;
        }
        if !self.core.done("following")? {
            self.follows(&me_id, Relation::IFollow, scan, counts.1)
                .await?;
        }
        if !self.core.done("posts")? {
            self.my_posts(&me_id, &me).await?;
        }
        if !self.core.done("favourites")? {
            self.favourites(&me).await?;
        }
        self.notifications().await?;
        self.core.finish(scan)
    }

    /// One GET, tried again when the server asks to wait (a 429, a 503):
    /// the pacer holds the next call for as long as it said.
    async fn get(&mut self, url: &Url) -> Result<mastodon::Items, String> {
        let mut tries = 0;
        loop {
            tries += 1;
            self.core.summary.calls += 1;
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
        self.core.set_state("me", &me.key)?;
        let key = me.key.clone();
        self.core.ledger.accounts(&[me])?;
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
        let mut url = match self.core.state(&resume)?.and_then(|u| Url::parse(&u).ok()) {
            Some(url) if url.origin() == self.client.base().origin() => url,
            _ => self
                .client
                .api_url(&["accounts", me, step], &[("limit", FOLLOW_PAGE)]),
        };
        let mut done = self.core.resumed_count(step)?;
        self.core.tell(step, done, Some(total));
        loop {
            let page = self.get(&url).await?;
            let (accounts, _skipped) = decode::mastodon::decode_accounts(&page.body)
                .map_err(|e| format!("{}: {e}", page.what))?;
            let known: Vec<Known> = accounts.into_iter().map(|(_, a)| a).collect();
            let next = page.next.filter(|_| !known.is_empty());
            done = self.core.follow_page(
                relation,
                scan,
                &known,
                (done, Some(total)),
                next.as_ref().map(Url::as_str),
            )?;
            match next {
                Some(next) => url = next,
                None => break,
            }
        }
        self.core.follows_done(relation, scan, done)
    }

    /// The reader's newest posts, up to `scan_posts`: what each did to
    /// others, and who favourited and boosted it when its counts changed.
    async fn my_posts(&mut self, me_id: &str, me: &str) -> Result<(), String> {
        let want = u64::from(self.core.limits.scan_posts);
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
                let Ok(post) = decode::decode(&item.to_string(), &self.core.source) else {
                    continue;
                };
                read += 1;
                self.core.tell("posts", read, Some(want));
                let acts = Interaction::of_my_post(&post, me);
                self.core.summary.new += self.core.ledger.interactions(&acts)?;
                if post.is_boost() {
                    continue;
                }
                let counts = (
                    post.engagement.favourites.unwrap_or(0),
                    post.engagement.boosts.unwrap_or(0),
                );
                let before = self
                    .core
                    .ledger
                    .my_post(&post.id, post.created_at, counts)?;
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
        self.core.summary.posts = read;
        self.core.set_state("done:posts", "1")
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
            self.core.ledger.accounts(&known)?;
            self.core.summary.new += self.core.ledger.interactions(&acts)?;
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
        let want = u64::from(self.core.limits.scan_posts);
        let mut url = self.client.api_url(&["favourites"], &[("limit", "40")]);
        let mut read = 0u64;
        for _ in 0..MAX_PAGES {
            let page = self.get(&url).await?;
            let items: Vec<serde_json::Value> =
                serde_json::from_str(&page.body).map_err(|e| format!("{}: {e}", page.what))?;
            let acts: Vec<Interaction> = items
                .iter()
                .filter_map(|item| decode::decode(&item.to_string(), &self.core.source).ok())
                .filter_map(|post| Interaction::my_favourite(&post, me))
                .collect();
            read += items.len() as u64;
            self.core.tell("favourites", read, None);
            let new = self.core.ledger.interactions(&acts)?;
            self.core.summary.new += new;
            match page.next {
                Some(next) if new > 0 && read < want => url = next,
                _ => break,
            }
        }
        self.core.set_state("done:favourites", "1")
    }

    /// Notifications of every kind, newest first, back to the newest one
    /// the last scan read, or to the start of the window.
    async fn notifications(&mut self) -> Result<(), String> {
        let newest_read = self.core.state("notifications:newest")?;
        let mut url = self
            .client
            .api_url(&["notifications"], &[("limit", NOTIFICATION_PAGE)]);
        let since = self.core.now - self.core.limits.window;
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
                let Ok(post) = decode::decode(&item.to_string(), &self.core.source) else {
                    continue;
                };
                read += 1;
                if post.created_at < since {
                    self.core.summary.new += self.core.ledger.interactions(&acts)?;
                    break 'pages;
                }
                if post.notice_kind() == Some(crate::model::NoticeKind::Follow) {
                    self.core
                        .ledger
                        .followed_at(&post.author.key, post.created_at)?;
                }
                acts.extend(Interaction::of_notification(&post));
            }
            self.core.summary.new += self.core.ledger.interactions(&acts)?;
            self.core.tell("notifications", read, None);
            match page.next {
                Some(next) => url = next,
                None => break,
            }
        }
        if let Some(newest) = newest {
            self.core.set_state("notifications:newest", &newest)?;
        }
        Ok(())
    }
}

/// Accounts a Bluesky follow page asks for (its most).
const BLUESKY_PAGE: &str = "100";
/// Profiles one `getProfiles` call takes.
const PROFILES_PER_CALL: usize = 25;

/// The scan of one Bluesky account: followers and follows
/// (`getFollowers`, `getFollows`, with post counts from `getProfiles`),
/// the reader's posts (`getAuthorFeed`, who liked and reposted each with
/// `getLikes` / `getRepostedBy` when the counts changed), their likes
/// (`getActorLikes`) and notifications (`listNotifications`). Bluesky's
/// limits are wide; a `429` is waited out as the server asks.
pub struct BlueskyScan<'a> {
    client: crate::net::bluesky::Client,
    core: Core<'a>,
}

impl<'a> BlueskyScan<'a> {
    pub fn new(
        spec: &crate::config::SourceSpec,
        limits: Thresholds,
        ledger: &'a mut dyn Ledger,
        progress: OnProgress,
    ) -> Result<BlueskyScan<'a>, String> {
        let crate::config::SourceConfig::Bluesky(b) = &spec.kind else {
            return Err(format!("{} is not a bluesky source", spec.name));
        };
        let password = secret::load(&b.password, "app password").map_err(|e| e.to_string())?;
        let client = crate::net::bluesky::Client::new(
            &b.service,
            &b.handle,
            password,
            b.password.origin(),
            super::bluesky::session_file(b, "-people"),
        );
        Ok(BlueskyScan {
            client,
            core: Core::new(&spec.name, limits, ledger, progress),
        })
    }

    pub async fn run(mut self) -> Result<Summary, String> {
        let scan = self.core.begin()?;
        let did = self.client.me().await.map_err(|e| e.to_string())?;
        let profile = self
            .call(
                "app.bsky.actor.getProfile",
                &[("actor", &did)],
                "reading your profile",
            )
            .await?;
        let me = crate::decode::bluesky::decode_actor(&profile)
            .ok_or_else(|| "reading your profile: the answer is not a profile".to_string())?;
        let count = |key: &str| profile.get(key).and_then(serde_json::Value::as_u64);
        let (followers, follows) = (count("followersCount"), count("followsCount"));
        self.core.set_state("me", &me.key)?;
        let me_key = me.key.clone();
        self.core.ledger.accounts(&[me])?;
        if !self.core.done("followers")? {
            self.follows(&did, Relation::FollowsMe, scan, followers)
                .await?;
        }
        if !self.core.done("following")? {
            self.follows(&did, Relation::IFollow, scan, follows).await?;
        }
        if !self.core.done("posts")? {
            self.my_posts(&did, &me_key).await?;
        }
        if !self.core.done("favourites")? {
            self.likes(&did, &me_key).await?;
        }
        self.notifications().await?;
        self.core.finish(scan)
    }

    /// One XRPC query, tried again when the server asks to wait; its JSON.
    async fn call(
        &mut self,
        method: &str,
        query: &[(&str, &str)],
        what: &str,
    ) -> Result<serde_json::Value, String> {
        let mut tries = 0;
        loop {
            tries += 1;
            self.core.summary.calls += 1;
            match self.client.query(method, query, what).await {
                Ok(body) => {
                    return serde_json::from_slice(&body)
                        .map_err(|e| format!("{what}: the answer is not JSON ({e})"));
                }
                Err(Error::Status {
                    transient: true,
                    wait,
                    ..
                }) if tries < TRIES => {
                    let wait = wait.unwrap_or(Duration::from_secs(5 * u64::from(tries)));
                    (self.core.wait_hook())(wait);
                    tokio::time::sleep(wait).await;
                }
                Err(e) => return Err(self.client.redact(&e.to_string())),
            }
        }
    }

    /// Every page of followers or follows, with their post counts.
    async fn follows(
        &mut self,
        did: &str,
        relation: Relation,
        scan: i64,
        total: Option<u64>,
    ) -> Result<(), String> {
        let step = relation.name();
        let (method, list) = match relation {
            Relation::FollowsMe => ("app.bsky.graph.getFollowers", "followers"),
            Relation::IFollow => ("app.bsky.graph.getFollows", "follows"),
        };
        let resume = format!("next:{step}");
        let mut cursor = self.core.state(&resume)?;
        let mut done = self.core.resumed_count(step)?;
        let what = format!("reading your {step}");
        loop {
            let mut query = vec![("actor", did), ("limit", BLUESKY_PAGE)];
            if let Some(c) = &cursor {
                query.push(("cursor", c));
            }
            let page = self.call(method, &query, &what).await?;
            let views = page
                .get(list)
                .and_then(serde_json::Value::as_array)
                .cloned()
                .unwrap_or_default();
            let mut known: Vec<Known> = views
                .iter()
                .filter_map(crate::decode::bluesky::decode_actor)
                .collect();
            self.counts(&views, &mut known).await?;
            let next = page
                .get("cursor")
                .and_then(serde_json::Value::as_str)
                .map(str::to_string)
                .filter(|next| !known.is_empty() && cursor.as_ref() != Some(next));
            done = self
                .core
                .follow_page(relation, scan, &known, (done, total), next.as_deref())?;
            match next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        self.core.follows_done(relation, scan, done)
    }

    /// Post counts for accounts of a follow page (`getProfiles`, 25 a call):
    /// how much they post, where their own view does not say.
    async fn counts(
        &mut self,
        views: &[serde_json::Value],
        known: &mut [Known],
    ) -> Result<(), String> {
        let dids: Vec<&str> = views
            .iter()
            .filter_map(|v| v.get("did").and_then(serde_json::Value::as_str))
            .collect();
        for chunk in dids.chunks(PROFILES_PER_CALL) {
            let query: Vec<(&str, &str)> = chunk.iter().map(|d| ("actors", *d)).collect();
            let answer = self
                .call(
                    "app.bsky.actor.getProfiles",
                    &query,
                    "reading their post counts",
                )
                .await?;
            for view in answer
                .get("profiles")
                .and_then(serde_json::Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(detailed) = crate::decode::bluesky::decode_actor(view)
                    && let Some(k) = known.iter_mut().find(|k| k.key == detailed.key)
                {
                    k.posts = detailed.posts.or(k.posts);
                    k.created = detailed.created.or(k.created);
                }
            }
        }
        Ok(())
    }

    /// The reader's newest posts and reposts: whom they answered,
    /// mentioned, quoted and reposted, and who liked and reposted each.
    async fn my_posts(&mut self, did: &str, me: &str) -> Result<(), String> {
        let want = u64::from(self.core.limits.scan_posts);
        let mut cursor: Option<String> = None;
        let mut read = 0u64;
        while read < want {
            let mut query = vec![
                ("actor", did),
                ("limit", BLUESKY_PAGE),
                ("filter", "posts_with_replies"),
            ];
            if let Some(c) = &cursor {
                query.push(("cursor", c));
            }
            let page = self
                .call("app.bsky.feed.getAuthorFeed", &query, "reading your posts")
                .await?;
            let items = page
                .get("feed")
                .and_then(serde_json::Value::as_array)
                .cloned()
                .unwrap_or_default();
            for item in &items {
                if read >= want {
                    break;
                }
                let Ok(post) = decode::decode(&item.to_string(), &self.core.source) else {
                    continue;
                };
                read += 1;
                self.core.tell("posts", read, Some(want));
                let acts = Interaction::of_my_post(&post, me);
                self.core.summary.new += self.core.ledger.interactions(&acts)?;
                if post.is_boost() || post.author.key != me {
                    continue;
                }
                let counts = (
                    post.engagement.favourites.unwrap_or(0),
                    post.engagement.boosts.unwrap_or(0),
                );
                let (likes, reposts) = self
                    .core
                    .ledger
                    .my_post(&post.id, post.created_at, counts)?
                    .unwrap_or((0, 0));
                if counts.0 > 0 && counts.0 != likes {
                    self.who_did(&post.id, post.created_at, Engaged::Favourite)
                        .await?;
                }
                if counts.1 > 0 && counts.1 != reposts {
                    self.who_did(&post.id, post.created_at, Engaged::Boost)
                        .await?;
                }
            }
            match page.get("cursor").and_then(serde_json::Value::as_str) {
                Some(next) if !items.is_empty() && cursor.as_deref() != Some(next) => {
                    cursor = Some(next.to_string());
                }
                _ => break,
            }
        }
        self.core.summary.posts = read;
        self.core.set_state("done:posts", "1")
    }

    /// Who liked (`getLikes`, with when) or reposted (`getRepostedBy`) the
    /// reader's post `uri`.
    async fn who_did(&mut self, uri: &str, at: DateTime<Utc>, kind: Engaged) -> Result<(), String> {
        let (method, list) = match kind {
            Engaged::Favourite => ("app.bsky.feed.getLikes", "likes"),
            _ => ("app.bsky.feed.getRepostedBy", "repostedBy"),
        };
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut query = vec![("uri", uri), ("limit", BLUESKY_PAGE)];
            if let Some(c) = &cursor {
                query.push(("cursor", c));
            }
            let page = self
                .call(method, &query, "reading who liked or reposted")
                .await?;
            let entries = page
                .get(list)
                .and_then(serde_json::Value::as_array)
                .cloned()
                .unwrap_or_default();
            let mut known = Vec::new();
            let mut acts = Vec::new();
            for entry in &entries {
                // A like names its actor and when; a repost is the actor.
                let (view, when) = match kind {
                    Engaged::Favourite => (
                        entry.get("actor"),
                        entry
                            .get("createdAt")
                            .and_then(serde_json::Value::as_str)
                            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                            .map(|t| t.with_timezone(&Utc)),
                    ),
                    _ => (Some(entry), None),
                };
                if let Some(actor) = view.and_then(crate::decode::bluesky::decode_actor) {
                    acts.push(Interaction::on_my_post(
                        &actor.key,
                        kind,
                        uri,
                        when.unwrap_or(at),
                    ));
                    known.push(actor);
                }
            }
            self.core.ledger.accounts(&known)?;
            self.core.summary.new += self.core.ledger.interactions(&acts)?;
            match page.get("cursor").and_then(serde_json::Value::as_str) {
                Some(next) if !entries.is_empty() && cursor.as_deref() != Some(next) => {
                    cursor = Some(next.to_string());
                }
                _ => break,
            }
        }
        Ok(())
    }

    /// The reader's likes, newest first, until a page brings nothing new.
    async fn likes(&mut self, did: &str, me: &str) -> Result<(), String> {
        let want = u64::from(self.core.limits.scan_posts);
        let mut cursor: Option<String> = None;
        let mut read = 0u64;
        for _ in 0..MAX_PAGES {
            let mut query = vec![("actor", did), ("limit", BLUESKY_PAGE)];
            if let Some(c) = &cursor {
                query.push(("cursor", c));
            }
            let page = self
                .call("app.bsky.feed.getActorLikes", &query, "reading your likes")
                .await?;
            let items = page
                .get("feed")
                .and_then(serde_json::Value::as_array)
                .cloned()
                .unwrap_or_default();
            let acts: Vec<Interaction> = items
                .iter()
                .filter_map(|item| decode::decode(&item.to_string(), &self.core.source).ok())
                .filter_map(|post| Interaction::my_favourite(&post, me))
                .collect();
            read += items.len() as u64;
            self.core.tell("favourites", read, None);
            let new = self.core.ledger.interactions(&acts)?;
            self.core.summary.new += new;
            match page.get("cursor").and_then(serde_json::Value::as_str) {
                Some(next) if new > 0 && read < want && cursor.as_deref() != Some(next) => {
                    cursor = Some(next.to_string());
                }
                _ => break,
            }
        }
        self.core.set_state("done:favourites", "1")
    }

    /// Notifications of every reason, newest first, back to the newest the
    /// last scan read or to the window's start.
    async fn notifications(&mut self) -> Result<(), String> {
        let newest_read = self
            .core
            .state("notifications:newest")?
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| t.with_timezone(&Utc));
        let since = self.core.now - self.core.limits.window;
        let mut newest: Option<DateTime<Utc>> = None;
        let mut cursor: Option<String> = None;
        let mut read = 0u64;
        let none = std::collections::HashMap::new();
        'pages: for _ in 0..MAX_PAGES {
            self.core.summary.calls += 1;
            let body = self
                .client
                .notifications(cursor.as_deref())
                .await
                .map_err(|e| self.client.redact(&e.to_string()))?;
            let page: serde_json::Value = serde_json::from_slice(&body)
                .map_err(|e| format!("reading the notifications: not JSON ({e})"))?;
            let items = page
                .get("notifications")
                .and_then(serde_json::Value::as_array)
                .cloned()
                .unwrap_or_default();
            let mut acts = Vec::new();
            for item in &items {
                let indexed = item
                    .get("indexedAt")
                    .and_then(serde_json::Value::as_str)
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&Utc));
                if newest.is_none() {
                    newest = indexed;
                }
                if let (Some(at), Some(last)) = (indexed, newest_read)
                    && at <= last
                {
                    break 'pages;
                }
                let Ok(post) = decode::decode_bluesky_notification(
                    &item.to_string(),
                    &none,
                    &self.core.source,
                ) else {
                    continue;
                };
                read += 1;
                if post.created_at < since {
                    break 'pages;
                }
                if post.notice_kind() == Some(crate::model::NoticeKind::Follow) {
                    self.core
                        .ledger
                        .followed_at(&post.author.key, post.created_at)?;
                }
                acts.extend(Interaction::of_notification(&post).or_else(|| {
                    // A like or repost whose post was not fetched: the
                    // post it is of is named by `reasonSubject`.
                    let kind = crate::model::people::Engaged::of_notice(post.notice_kind()?)?;
                    let subject = item.get("reasonSubject")?.as_str()?;
                    Some(Interaction::on_my_post(
                        &post.author.key,
                        kind,
                        subject,
                        post.created_at,
                    ))
                }));
            }
            self.core.summary.new += self.core.ledger.interactions(&acts)?;
            self.core.tell("notifications", read, None);
            match page.get("cursor").and_then(serde_json::Value::as_str) {
                Some(next) if !items.is_empty() && cursor.as_deref() != Some(next) => {
                    cursor = Some(next.to_string());
                }
                _ => break,
            }
        }
        if let Some(newest) = newest {
            self.core
                .set_state("notifications:newest", &newest.to_rfc3339())?;
        }
        Ok(())
    }
}
