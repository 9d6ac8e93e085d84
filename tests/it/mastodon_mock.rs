//! The Mastodon source against a real, third-party Mastodon API server:
//! `mastodon_mock` (PyPI, pinned in scripts/test.sh), run in memory on
//! 127.0.0.1. Two accounts are made through the API (an app, an app
//! token, self-service sign-up), alice follows bob, bob posts; circles
//! reads alice's home timeline, first over REST and then, once live, over
//! the streaming API (server-sent events on `/api/v1/streaming/user`,
//! found through `urls.streaming_api` in `/api/v1/instance`).
//!
//! The server is found through `$MASTODON_MOCK` (set by scripts/test.sh),
//! else in `.venv-test/` of the crate. Without it the test fails and says
//! how to install it: run `scripts/test.sh`.

use crate::common::{
    collect_within as collect, is_live, post_ids, posts, secret_file, source_spec, states,
};
use circles::config::SourceSpec;
use circles::model::{SourceEvent, SourceState};
use circles::source::{self, Options};
use serde_json::Value;
use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How long the server may take to start (Python imports are slow on a
/// busy machine).
const STARTUP: Duration = Duration::from_secs(20);
/// How long one post may take to reach circles.
const ARRIVAL: Duration = Duration::from_secs(10);

// ---- the server ----

/// Where `mastodon_mock` is, or why it is not there.
fn executable() -> PathBuf {
    let how = "install it with `scripts/test.sh` (it creates .venv-test with \
               mastodon_mock==0.6.1 and runs the tests), or point $MASTODON_MOCK at \
               the executable";
    if let Some(path) = std::env::var_os("MASTODON_MOCK").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "$MASTODON_MOCK is {}, which does not exist; {how}",
            path.display()
        );
        return path;
    }
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv-test/bin/mastodon_mock");
    assert!(
        path.is_file(),
        "mastodon_mock is not installed (no $MASTODON_MOCK, no {}); {how}",
        path.display()
    );
    path
}

/// A running `mastodon_mock serve --in-memory`, killed when dropped. Its
/// output goes to a file, shown when the test fails.
pub(crate) struct Server {
    child: Child,
    pub(crate) base: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Server {
    pub(crate) fn start() -> Server {
        Server::launch(false)
    }

    /// A server whose database is a file, so that [`Server::restart`]
    /// brings it back with the same accounts and posts.
    pub(crate) fn start_persistent() -> Server {
        Server::launch(true)
    }

    fn launch(persistent: bool) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("server.log");
        if persistent {
            std::fs::write(
                dir.path().join(".mastodon_mock.toml"),
                "[database]\npath = \"mock.db\"\n",
            )
            .unwrap();
        }
        // A free port: bind port 0, read the port, let it go.
        let port = crate::common::free_port();
        let child = Server::spawn(dir.path(), &log, port, persistent);
        Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
            _dir: dir,
        }
    }

    fn spawn(dir: &std::path::Path, log: &std::path::Path, port: u16, persistent: bool) -> Child {
        let program = executable();
        let out = File::options().create(true).append(true).open(log).unwrap();
        let err = out.try_clone().unwrap();
        let mut command = Command::new(&program);
        command.arg("serve");
        if !persistent {
            command.arg("--in-memory");
        }
        command
            .args(["--host", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .args(["--log-level", "info"])
            // Its config file, if any, is looked for in the working directory.
            .current_dir(dir)
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()))
    }

    /// Kills the server (every open stream breaks) and starts it again on
    /// the same port and database; wait for it with [`Server::ready`].
    pub(crate) fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let port: u16 = self.base.rsplit(':').next().unwrap().parse().unwrap();
        self.child = Server::spawn(self._dir.path(), &self.log, port, true);
    }

    /// Adds `toml` to the server's config file (a persistent server's; it
    /// takes effect at the next [`Server::restart`]): `[ratelimit]`, say.
    pub(crate) fn configure(&self, toml: &str) {
        let path = self._dir.path().join(".mastodon_mock.toml");
        let mut text = std::fs::read_to_string(&path).unwrap_or_default();
        text.push_str(toml);
        std::fs::write(path, text).unwrap();
    }

    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the server answers.
    pub(crate) async fn ready(&mut self, http: &reqwest::Client) {
        let deadline = Instant::now() + STARTUP;
        let url = format!("{}/api/v1/instance", self.base);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("mastodon_mock exited ({status}) before it answered");
            }
            let answer = http.get(&url).timeout(Duration::from_secs(2)).send().await;
            if answer.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "mastodon_mock did not answer on {} within {STARTUP:?}",
                self.base
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Request lines in the access log for a path, e.g. `GET /api/v1/timelines/home`.
    pub(crate) fn requests(&self, method_and_path: &str) -> usize {
        let wanted = format!("\"{method_and_path}");
        self.log()
            .lines()
            .filter(|line| line.contains(&wanted))
            .count()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("---- mastodon_mock log ----\n{}", self.log());
        }
    }
}

// ---- the Mastodon API, as a client ----

async fn json(response: reqwest::Response, what: &str) -> Value {
    let status = response.status();
    let body = response.text().await.unwrap();
    assert!(status.is_success(), "{what} answered {status}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{what}: {e}: {body}"))
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("no `{key}` in {value}"))
}

/// An account made by self-service sign-up: its token and id.
pub(crate) struct User {
    pub(crate) token: String,
    pub(crate) id: String,
}

pub(crate) struct Api {
    pub(crate) http: reqwest::Client,
    pub(crate) base: String,
}

impl Api {
    /// A started server, ready, and a client of its API.
    pub(crate) async fn start() -> (Server, Api) {
        let mut server = Server::start();
        let http = reqwest::Client::new();
        server.ready(&http).await;
        let api = Api {
            http,
            base: server.base.clone(),
        };
        (server, api)
    }

    /// Alice and bob signed up, alice following bob.
    pub(crate) async fn alice_and_bob(&self) -> (User, User) {
        let app_token = self.app_token().await;
        let alice = self.sign_up(&app_token, "alice").await;
        let bob = self.sign_up(&app_token, "bob").await;
        self.follow(&alice, &bob).await;
        (alice, bob)
    }

    /// A status as `who` sees it (with their marks on it).
    pub(crate) async fn status(&self, who: &User, id: &str) -> Value {
        json(
            self.http
                .get(format!("{}/api/v1/statuses/{id}", self.base))
                .bearer_auth(&who.token)
                .send()
                .await
                .unwrap(),
            "GET /api/v1/statuses/:id",
        )
        .await
    }

    /// A fault rule (`/api/v1/_mock/faults`): `effect` for the next
    /// `count` requests matching `method` and `path`.
    pub(crate) async fn fault(&self, method: &str, path: &str, effect: Value, count: u32) {
        json(
            self.http
                .post(format!("{}/api/v1/_mock/faults", self.base))
                .json(&serde_json::json!({
                    "match": { "methods": [method], "path": path },
                    "effect": effect,
                    "count": count,
                }))
                .send()
                .await
                .unwrap(),
            "POST /api/v1/_mock/faults",
        )
        .await;
    }

    /// Registers an app and gets an app token (client credentials grant).
    pub(crate) async fn app_token(&self) -> String {
        let app = json(
            self.http
                .post(format!("{}/api/v1/apps", self.base))
                .form(&[
                    ("client_name", "circles-test"),
                    ("redirect_uris", "urn:ietf:wg:oauth:2.0:oob"),
                    ("scopes", "read write follow"),
                ])
                .send()
                .await
                .unwrap(),
            "POST /api/v1/apps",
        )
        .await;
        let token = json(
            self.http
                .post(format!("{}/oauth/token", self.base))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", text(&app, "client_id")),
                    ("client_secret", text(&app, "client_secret")),
                    ("redirect_uri", "urn:ietf:wg:oauth:2.0:oob"),
                    ("scope", "read write follow"),
                ])
                .send()
                .await
                .unwrap(),
            "POST /oauth/token",
        )
        .await;
        text(&token, "access_token").to_string()
    }

    /// Signs up `username` with the app token; returns its user token and id.
    pub(crate) async fn sign_up(&self, app_token: &str, username: &str) -> User {
        let email = format!("{username}@example.test");
        let answer = json(
            self.http
                .post(format!("{}/api/v1/accounts", self.base))
                .bearer_auth(app_token)
                .form(&[
                    ("username", username),
                    ("email", &email),
                    ("password", "correct horse battery staple"),
                    ("agreement", "true"),
                    ("locale", "en"),
                ])
                .send()
                .await
                .unwrap(),
            "POST /api/v1/accounts",
        )
        .await;
        let token = text(&answer, "access_token").to_string();
        let me = json(
            self.http
                .get(format!("{}/api/v1/accounts/verify_credentials", self.base))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap(),
            "GET /api/v1/accounts/verify_credentials",
        )
        .await;
        assert_eq!(text(&me, "username"), username);
        User {
            token,
            id: text(&me, "id").to_string(),
        }
    }

    pub(crate) async fn follow(&self, who: &User, whom: &User) {
        let relationship = json(
            self.http
                .post(format!("{}/api/v1/accounts/{}/follow", self.base, whom.id))
                .bearer_auth(&who.token)
                .send()
                .await
                .unwrap(),
            "POST /api/v1/accounts/:id/follow",
        )
        .await;
        assert_eq!(
            relationship["following"],
            Value::Bool(true),
            "{relationship}"
        );
    }

    /// `who` POSTs to `/api/v1/<path>` with `form` (favourite, reblog, a
    /// reply): the answer.
    pub(crate) async fn as_user(&self, who: &User, path: &str, form: &[(&str, &str)]) -> Value {
        json(
            self.http
                .post(format!("{}/api/v1/{path}", self.base))
                .bearer_auth(&who.token)
                .form(form)
                .send()
                .await
                .unwrap(),
            path,
        )
        .await
    }

    /// Posts a public status; returns its id.
    pub(crate) async fn post(&self, who: &User, status: &str) -> String {
        let status = json(
            self.http
                .post(format!("{}/api/v1/statuses", self.base))
                .bearer_auth(&who.token)
                .form(&[("status", status), ("visibility", "public")])
                .send()
                .await
                .unwrap(),
            "POST /api/v1/statuses",
        )
        .await;
        text(&status, "id").to_string()
    }
}

// ---- circles ----

/// The token file (mode 600) and the spec that reads it.
pub(crate) fn home_timeline(base: &str, token: &str, dir: &tempfile::TempDir) -> SourceSpec {
    let file = secret_file(dir.path(), "token", token, 0o600);
    timeline_spec(base, &file, "home", "")
}

/// A source named `mock` reading `timeline` on `base` with the token in
/// `file`, and `extra` lines. It polls hourly: a post that arrives within
/// seconds came over the stream, not from polling.
fn timeline_spec(base: &str, file: &std::path::Path, timeline: &str, extra: &str) -> SourceSpec {
    source_spec(&format!(
        "[[source]]\nname = \"mock\"\nkind = \"mastodon\"\ninstance = {base:?}\n\
         timeline = {timeline:?}\ntoken_file = {:?}\npoll = \"1h\"\n{extra}",
        file.display().to_string()
    ))
}

/// Alice's notifications, polled hourly (so what comes fast came streamed).
fn notifications_timeline(base: &str, token: &str, dir: &tempfile::TempDir) -> SourceSpec {
    let file = secret_file(dir.path(), "token", token, 0o600);
    timeline_spec(base, &file, "notifications", "")
}

fn find_post(events: &[SourceEvent], id: &str) -> Option<circles::model::Post> {
    posts(events).into_iter().find(|p| p.id == id)
}

#[tokio::test]
async fn home_timeline_from_mastodon_mock_over_rest_then_the_stream() {
    let started = Instant::now();
    let mut server = Server::start();
    let http = reqwest::Client::new();
    server.ready(&http).await;
    let api = Api {
        http,
        base: server.base.clone(),
    };

    let app_token = api.app_token().await;
    let alice = api.sign_up(&app_token, "alice").await;
    let bob = api.sign_up(&app_token, "bob").await;
    assert_ne!(alice.id, bob.id);
    api.follow(&alice, &bob).await;
    let first = api.post(&bob, "first post, before circles starts").await;

    let dir = tempfile::tempdir().unwrap();
    let spec = home_timeline(&server.base, &alice.token, &dir);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let task = source::spawn(&spec, tx, Options::default());
    let mut events = Vec::new();

    // Over REST: the post already there, then live on the stream.
    collect(&mut rx, &mut events, ARRIVAL, is_live).await;
    assert_eq!(post_ids(&events), [first.as_str()], "{events:#?}");
    let post = find_post(&events, &first).unwrap();
    assert!(post.text.contains("first post"), "{post:#?}");
    assert!(post.author.handle.starts_with("@bob"), "{post:#?}");
    assert_eq!(post.source, "mock");
    let shown = states(&events);
    assert_eq!(
        shown,
        [
            SourceState::Connecting,
            SourceState::Loading,
            SourceState::Live
        ],
        "{events:#?}"
    );
    assert_eq!(
        server.requests("GET /api/v1/streaming/user HTTP/1.1\" 200"),
        1,
        "circles opens alice's user stream (found through /api/v1/instance)"
    );
    assert!(server.requests("GET /api/v1/instance HTTP") >= 2);
    let home_reads = server.requests("GET /api/v1/timelines/home");
    assert_eq!(home_reads, 1, "one page was the whole backfill");

    // Over the stream: bob posts again while circles is live.
    let second = api.post(&bob, "second post, while circles is live").await;
    let posted = Instant::now();
    collect(&mut rx, &mut events, ARRIVAL, |ev| {
        post_ids(ev).contains(&second)
    })
    .await;
    let took = posted.elapsed();
    let post = find_post(&events, &second).unwrap();
    assert!(post.text.contains("second post"), "{post:#?}");
    assert!(post.author.handle.starts_with("@bob"), "{post:#?}");
    assert_eq!(
        server.requests("GET /api/v1/timelines/home"),
        home_reads,
        "the second post came over the stream, not over REST"
    );
    assert!(took < ARRIVAL, "the stream delivered in {took:?}");
    assert_eq!(post_ids(&events), [first.as_str(), second.as_str()]);
    assert!(
        !states(&events)
            .iter()
            .any(|s| matches!(s, SourceState::Retrying { .. } | SourceState::Failed(_))),
        "{events:#?}"
    );
    let all = format!("{events:?}");
    assert!(!all.contains(&alice.token), "the token leaked: {all}");

    drop(rx);
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("the source stops once the app is gone")
        .unwrap();
    drop(server);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
}

// ---- acting as alice (issue 15) ----

use circles::model::{Act, ActRequest, ActResult, PostRef};
use circles::source::act::Accounts;

fn act_on(id: &str, act: Act) -> ActRequest {
    ActRequest {
        ticket: 1,
        source: "mock".into(),
        act,
        post: PostRef {
            id: id.into(),
            cid: None,
            record: None,
            find_by: None,
        },
    }
}

#[tokio::test]
async fn favourite_boost_and_bookmark_reach_the_server_and_their_undo_too() {
    let (_server, api) = Api::start().await;
    let (alice, bob) = api.alice_and_bob().await;
    let id = api.post(&bob, "worth a star").await;
    let dir = tempfile::tempdir().unwrap();
    let spec = home_timeline(&api.base, &alice.token, &dir);
    let mut accounts = Accounts::default();
    let marks = ["favourited", "reblogged", "bookmarked"];
    let acts = [
        Act::Favourite { on: true },
        Act::Boost { on: true },
        Act::Bookmark { on: true },
    ];
    for (act, mark) in acts.into_iter().zip(marks) {
        let done = accounts.act(&spec, act_on(&id, act)).await;
        let ActResult::Done {
            marks: Some(said), ..
        } = &done
        else {
            panic!("{act:?}: {done:?}");
        };
        let seen = api.status(&alice, &id).await;
        assert_eq!(seen[mark], Value::Bool(true), "{act:?}: {seen}");
        // The answer is the post as the server has it now.
        match act {
            Act::Favourite { .. } => assert!(said.favourited && said.favourites == Some(1)),
            Act::Boost { .. } => assert!(said.boosted && said.boosts == Some(1)),
            Act::Bookmark { .. } => assert!(said.bookmarked),
        }
    }
    let undo = [
        Act::Favourite { on: false },
        Act::Boost { on: false },
        Act::Bookmark { on: false },
    ];
    for (act, mark) in undo.into_iter().zip(marks) {
        let done = accounts.act(&spec, act_on(&id, act)).await;
        assert!(matches!(done, ActResult::Done { .. }), "{act:?}: {done:?}");
        let seen = api.status(&alice, &id).await;
        assert_eq!(seen[mark], Value::Bool(false), "{act:?} undone: {seen}");
    }
    // Bob's post as bob sees it: nothing of alice's is left.
    let seen = api.status(&bob, &id).await;
    assert_eq!(
        (
            seen["favourites_count"].as_u64(),
            seen["reblogs_count"].as_u64()
        ),
        (Some(0), Some(0))
    );
}

#[tokio::test]
async fn refused_acts_say_what_the_server_answered_and_what_to_do() {
    let (server, api) = Api::start().await;
    let (alice, bob) = api.alice_and_bob().await;
    let id = api.post(&bob, "a post").await;
    let dir = tempfile::tempdir().unwrap();
    let spec = home_timeline(&api.base, &alice.token, &dir);
    let mut accounts = Accounts::default();
    let path = format!("/api/v1/statuses/{id}/favourite");
    let failed = |result: ActResult| match result {
        ActResult::Failed(why) => why,
        done => panic!("expected a failure, got {done:?}"),
    };

    let scope = serde_json::json!({ "type": "status", "status": 403,
        "body": { "error": "This action is outside the authorized scopes" } });
    api.fault("POST", &path, scope, 1).await;
    let why = failed(
        accounts
            .act(&spec, act_on(&id, Act::Favourite { on: true }))
            .await,
    );
    assert!(
        why.contains("403") && why.contains("outside the authorized scopes"),
        "{why}"
    );
    assert!(
        why.contains("`write` scope") && why.contains("circles login mastodon"),
        "{why}"
    );
    assert!(!why.contains(&alice.token), "no token in messages: {why}");

    let limited = serde_json::json!({ "type": "status", "status": 429,
        "headers": { "Retry-After": "42" }, "body": { "error": "Too many requests" } });
    api.fault("POST", &path, limited, 1).await;
    let why = failed(
        accounts
            .act(&spec, act_on(&id, Act::Favourite { on: true }))
            .await,
    );
    assert!(
        why.contains("429") && why.contains("try again in 42 s"),
        "{why}"
    );

    let invalid = serde_json::json!({ "type": "status", "status": 422,
        "body": { "error": "Validation failed: Text character limit of 500 exceeded" } });
    api.fault("POST", &path, invalid, 1).await;
    let why = failed(
        accounts
            .act(&spec, act_on(&id, Act::Favourite { on: true }))
            .await,
    );
    assert!(
        why.contains("422") && why.contains("character limit of 500"),
        "{why}"
    );

    let why = failed(
        accounts
            .act(&spec, act_on("999999", Act::Boost { on: true }))
            .await,
    );
    assert!(why.contains("404") && why.contains("gone"), "{why}");

    // The faults are spent: the same call works now.
    let done = accounts
        .act(&spec, act_on(&id, Act::Favourite { on: true }))
        .await;
    assert!(matches!(done, ActResult::Done { .. }), "{done:?}");

    // The server goes away: the call fails with the network's words.
    drop(server);
    let why = failed(
        accounts
            .act(&spec, act_on(&id, Act::Boost { on: true }))
            .await,
    );
    assert!(why.starts_with("boost:"), "{why}");
}

// ---- posting as alice (issue 15) ----

use circles::model::{Draft, PostRequest, PostResult, Target, Visibility};

fn target(id: &str) -> Target {
    Target {
        id: id.into(),
        cid: None,
        root: None,
        url: None,
        author: "@bob".into(),
        excerpt: String::new(),
        find_by: None,
    }
}

#[tokio::test]
async fn a_reply_and_a_quote_reach_the_server_with_their_fields_and_come_back_as_posts() {
    let (_server, api) = Api::start().await;
    let (alice, bob) = api.alice_and_bob().await;
    let bobs = api.post(&bob, "what do you think?").await;
    let dir = tempfile::tempdir().unwrap();
    let spec = home_timeline(&api.base, &alice.token, &dir);
    let mut accounts = Accounts::default();
    let limits = accounts.limits(&spec).await;
    assert_eq!(limits.max, 500, "configuration.statuses.max_characters");
    assert!(limits.quotes, "the mock says it is Mastodon 4.6");

    let reply = Draft {
        id: "circles-test-1".into(),
        source: "mock".into(),
        text: "@bob I think so".into(),
        warning: "opinions".into(),
        language: "en".into(),
        visibility: Visibility::Unlisted,
        reply: Some(target(&bobs)),
        quote: None,
    };
    let request = PostRequest {
        ticket: 1,
        draft: reply.clone(),
    };
    let PostResult::Posted(post) = accounts.post(&spec, request.clone(), limits).await else {
        panic!("the reply was not posted");
    };
    assert_eq!(post.reply_to.as_ref().unwrap().id, bobs);
    assert_eq!(post.content_warning.as_deref(), Some("opinions"));
    assert!(post.author.handle.starts_with("@alice"), "{post:?}");
    let seen = api.status(&alice, &post.id).await;
    assert_eq!(seen["in_reply_to_id"], Value::from(bobs.clone()), "{seen}");
    assert_eq!(seen["visibility"], "unlisted");
    assert_eq!(seen["language"], "en");
    assert_eq!(seen["spoiler_text"], "opinions");
    // The same draft sent again (a retry) posts once: the idempotency key.
    let PostResult::Posted(again) = accounts.post(&spec, request, limits).await else {
        panic!("the retry failed");
    };
    assert_eq!(again.id, post.id, "one post, not two");

    let quote = Draft {
        id: "circles-test-2".into(),
        source: "mock".into(),
        text: "this, by bob".into(),
        quote: Some(target(&bobs)),
        ..Draft::default()
    };
    let PostResult::Posted(quoted) = accounts
        .post(
            &spec,
            PostRequest {
                ticket: 2,
                draft: quote,
            },
            limits,
        )
        .await
    else {
        panic!("the quote was not posted");
    };
    let seen = api.status(&alice, &quoted.id).await;
    let inner = &seen["quote"];
    let quoted_id = inner["quoted_status"]["id"]
        .as_str()
        .or(inner["quoted_status_id"].as_str());
    assert_eq!(quoted_id, Some(bobs.as_str()), "{seen}");
    // The post made from the server's answer carries bob's post inside.
    let inner = quoted
        .quoted()
        .expect("the quote comes back with the quoted post");
    assert_eq!(inner.id, bobs);
    assert_eq!(inner.text, "what do you think?");
    assert!(inner.author.handle.starts_with("@bob"), "{inner:?}");

    // Too long: the server's words, and nothing posted.
    let long = Draft {
        id: "circles-test-3".into(),
        source: "mock".into(),
        text: "a".repeat(600),
        ..Draft::default()
    };
    let PostResult::Failed(why) = accounts
        .post(
            &spec,
            PostRequest {
                ticket: 3,
                draft: long,
            },
            limits,
        )
        .await
    else {
        panic!("600 characters went through");
    };
    assert!(why.contains("422"), "{why}");
}

#[tokio::test]
async fn the_thread_of_a_reply_has_its_parent_above_and_the_replies_below_by_depth() {
    let (_server, api) = Api::start().await;
    let (alice, bob) = api.alice_and_bob().await;
    let reply_to = |who: &User, id: &str, text: &str| {
        let (api, token, id, text) = (&api, who.token.clone(), id.to_string(), text.to_string());
        async move {
            let status = json(
                api.http
                    .post(format!("{}/api/v1/statuses", api.base))
                    .bearer_auth(&token)
                    .form(&[("status", text.as_str()), ("in_reply_to_id", id.as_str())])
                    .send()
                    .await
                    .unwrap(),
                "POST /api/v1/statuses (reply)",
            )
            .await;
            text_of(&status)
        }
    };
    fn text_of(status: &Value) -> String {
        status["id"].as_str().unwrap().to_string()
    }
    let root = api.post(&bob, "the root").await;
    let middle = reply_to(&alice, &root, "@bob the middle").await;
    let below = reply_to(&bob, &middle, "@alice below").await;
    let deepest = reply_to(&alice, &below, "@bob deepest").await;
    let dir = tempfile::tempdir().unwrap();
    let spec = home_timeline(&api.base, &alice.token, &dir);
    let mut accounts = Accounts::default();
    let circles::model::ThreadResult::Found { ancestors, replies } =
        accounts.thread(&spec, middle.clone(), None).await
    else {
        panic!("no thread");
    };
    let above: Vec<&str> = ancestors.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(above, [root.as_str()]);
    assert!(ancestors[0].text.contains("the root"));
    let below_ids: Vec<(&str, u16)> = replies.iter().map(|(p, d)| (p.id.as_str(), *d)).collect();
    assert_eq!(below_ids, [(below.as_str(), 1), (deepest.as_str(), 2)]);
    let missing = accounts.thread(&spec, "99999999".into(), None).await;
    assert!(
        matches!(&missing, circles::model::ThreadResult::Failed(why) if why.contains("404")),
        "{missing:?}"
    );
}

#[tokio::test]
async fn a_profile_has_the_bio_counts_relationship_and_recent_posts() {
    let (_server, api) = Api::start().await;
    let (alice, bob) = api.alice_and_bob().await;
    api.post(&bob, "bob's first").await;
    api.post(&bob, "bob's second").await;
    let dir = tempfile::tempdir().unwrap();
    let spec = home_timeline(&api.base, &alice.token, &dir);
    let mut accounts = Accounts::default();
    let host = circles::model::url_host(&api.base).unwrap();
    let bob_account = circles::model::Account::new(
        &format!("@bob@{host}"),
        "bob",
        circles::model::Network::Mastodon,
    );
    let circles::model::ProfileResult::Found { profile, posts } =
        accounts.profile(&spec, bob_account).await
    else {
        panic!("no profile");
    };
    assert!(profile.handle.starts_with("@bob"), "{profile:?}");
    assert_eq!(profile.you_follow, Some(true), "alice follows bob");
    assert_eq!(profile.follows_you, Some(false));
    assert_eq!(profile.posts, Some(2));
    assert_eq!(profile.followers, Some(1));
    let texts: Vec<&str> = posts.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(texts, ["bob's second", "bob's first"]);
    let nobody = circles::model::Account::new(
        "@nobody@nowhere.example",
        "",
        circles::model::Network::Mastodon,
    );
    let missing = accounts.profile(&spec, nobody).await;
    assert!(
        matches!(missing, circles::model::ProfileResult::Failed(_)),
        "{missing:?}"
    );
}

#[tokio::test]
async fn follow_unfollow_and_delete_reach_the_server() {
    let (_server, api) = Api::start().await;
    let app_token = api.app_token().await;
    let alice = api.sign_up(&app_token, "alice").await;
    let carol = api.sign_up(&app_token, "carol").await;
    let dir = tempfile::tempdir().unwrap();
    let spec = home_timeline(&api.base, &alice.token, &dir);
    let mut accounts = Accounts::default();
    let host = circles::model::url_host(&api.base).unwrap();
    let carol_account = circles::model::Account::new(
        &format!("@carol@{host}"),
        "carol",
        circles::model::Network::Mastodon,
    );
    assert_eq!(
        accounts.follow(&spec, carol_account.clone(), None).await,
        Ok(false)
    );
    assert_eq!(
        accounts
            .follow(&spec, carol_account.clone(), Some(true))
            .await,
        Ok(true)
    );
    assert_eq!(
        accounts.follow(&spec, carol_account.clone(), None).await,
        Ok(true),
        "the server agrees"
    );
    assert_eq!(
        accounts
            .follow(&spec, carol_account.clone(), Some(false))
            .await,
        Ok(false)
    );
    assert_eq!(accounts.follow(&spec, carol_account, None).await, Ok(false));

    let mine = api.post(&alice, "to be deleted").await;
    assert_eq!(accounts.delete(&spec, mine.clone()).await, Ok(()));
    let gone = api
        .http
        .get(format!("{}/api/v1/statuses/{mine}", api.base))
        .bearer_auth(&alice.token)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status().as_u16(), 404);
    let carols = api.post(&carol, "not alice's").await;
    let refused = accounts.delete(&spec, carols).await;
    assert!(refused.is_err(), "{refused:?}");
}

#[tokio::test]
async fn notifications_read_back_grouped_one_card_per_group() {
    use circles::model::NoticeKind;
    let (server, api) = Api::start().await;
    let (alice, bob) = api.alice_and_bob().await;
    let app_token = api.app_token().await;
    let carol = api.sign_up(&app_token, "carol").await;
    let dan = api.sign_up(&app_token, "dan").await;
    let mine = api.post(&alice, "attention is earned").await;
    for fan in [&bob, &carol, &dan] {
        api.as_user(fan, &format!("statuses/{mine}/favourite"), &[])
            .await;
    }
    api.as_user(&bob, "statuses", &[("status", "@alice hello there")])
        .await;
    api.follow(&carol, &alice).await;

    let dir = tempfile::tempdir().unwrap();
    let spec = notifications_timeline(&server.base, &alice.token, &dir);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let task = source::spawn(&spec, tx, Options::default());
    let mut events = Vec::new();
    collect(&mut rx, &mut events, ARRIVAL, is_live).await;
    let posts = posts(&events);
    let kinds: Vec<_> = posts.iter().filter_map(|p| p.notice_kind()).collect();
    assert_eq!(
        kinds,
        [
            NoticeKind::Follow,
            NoticeKind::Mention,
            NoticeKind::Favourite
        ],
        "{posts:#?}"
    );
    let faves = &posts[2];
    let notice = faves.notice.as_deref().unwrap();
    assert_eq!(notice.total, Some(3), "three favourites, one card");
    assert_eq!(notice.others.len(), 2);
    assert!(
        faves.author.handle.starts_with("@dan"),
        "the latest first: {faves:?}"
    );
    assert_eq!(
        notice.subject.as_deref().map(|s| s.text.as_str()),
        Some("attention is earned")
    );
    assert!(posts[1].text.contains("hello there"));
    assert!(
        server.requests("GET /api/v2/notifications") >= 1,
        "{}",
        server.log()
    );
    assert_eq!(server.requests("GET /api/v1/notifications"), 0);
    task.abort();
}

#[tokio::test]
async fn a_server_restart_in_the_middle_loses_no_notification_and_repeats_none() {
    use circles::model::NoticeKind;
    let mut server = Server::start_persistent();
    let http = reqwest::Client::new();
    server.ready(&http).await;
    let api = Api {
        http: http.clone(),
        base: server.base.clone(),
    };
    let (alice, bob) = api.alice_and_bob().await;
    let carol = api.sign_up(&api.app_token().await, "carol").await;
    let mine = api.post(&alice, "attention is earned").await;

    let dir = tempfile::tempdir().unwrap();
    let spec = notifications_timeline(&server.base, &alice.token, &dir);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let task = source::spawn(&spec, tx, Options::default());
    let mut events = Vec::new();
    collect(&mut rx, &mut events, ARRIVAL, is_live).await;
    // One over the stream before the cut.
    api.as_user(&bob, &format!("statuses/{mine}/favourite"), &[])
        .await;
    collect(&mut rx, &mut events, ARRIVAL, |ev| posts(ev).len() == 1).await;

    // The server goes away (the stream breaks) and comes back; three more
    // arrive before circles is back on the stream.
    server.restart();
    server.ready(&http).await;
    api.as_user(&bob, &format!("statuses/{mine}/reblog"), &[])
        .await;
    api.as_user(
        &bob,
        "statuses",
        &[("status", "@alice agreed"), ("in_reply_to_id", &mine)],
    )
    .await;
    api.follow(&carol, &alice).await;
    collect(&mut rx, &mut events, ARRIVAL, |ev| posts(ev).len() >= 4).await;
    // Whatever else comes in the next moment. A notification posted
    // while the stream was opening may come both ways; the store keeps one
    // (by its id), so count them by id.
    crate::common::drain(&mut rx, &mut events, Duration::from_millis(1500)).await;
    let mut by_id = std::collections::BTreeMap::new();
    for post in posts(&events) {
        let notice = post.notice.as_deref().unwrap();
        by_id.insert(notice.id.clone(), notice.kind);
    }
    let mut kinds: Vec<_> = by_id.into_values().collect();
    kinds.sort_by_key(|k| k.name());
    let mut wanted = vec![
        NoticeKind::Favourite,
        NoticeKind::Reblog,
        NoticeKind::Reply,
        NoticeKind::Follow,
    ];
    wanted.sort_by_key(|k| k.name());
    assert_eq!(kinds, wanted, "four, none lost: {events:#?}");
    assert!(
        !crate::common::retrying(&events).is_empty(),
        "the cut was noticed: {events:#?}"
    );
    task.abort();
}

/// Alice's list `title` with bob on it; its id.
pub(crate) async fn list_with(api: &Api, alice: &User, bob: &User, title: &str) -> String {
    let list = api.as_user(alice, "lists", &[("title", title)]).await;
    let id = text(&list, "id").to_string();
    api.as_user(
        alice,
        &format!("lists/{id}/accounts"),
        &[("account_ids[]", bob.id.as_str())],
    )
    .await;
    id
}

fn list_timeline(base: &str, token: &str, dir: &tempfile::TempDir, list: &str) -> SourceSpec {
    let file = secret_file(dir.path(), "token", token, 0o600);
    timeline_spec(base, &file, &format!("list:{list}"), "")
}

#[tokio::test]
async fn a_list_named_by_its_title_is_read_and_an_unknown_title_names_the_lists() {
    let (server, api) = Api::start().await;
    let (alice, bob) = api.alice_and_bob().await;
    let id = list_with(&api, &alice, &bob, "Friends").await;
    list_with(&api, &alice, &bob, "Work").await;
    let post = api.post(&bob, "on the list").await;
    let dir = tempfile::tempdir().unwrap();

    let (tx, mut rx) = mpsc::unbounded_channel();
    let _task = source::spawn(
        &list_timeline(&server.base, &alice.token, &dir, "friends"),
        tx,
        Options::default(),
    );
    let mut events = Vec::new();
    collect(&mut rx, &mut events, ARRIVAL, is_live).await;
    assert_eq!(post_ids(&events), [post.as_str()], "{events:#?}");
    assert!(
        server.requests(&format!("GET /api/v1/timelines/list/{id}")) >= 1,
        "{}",
        server.log()
    );
    // The status bar names it as the server does.
    assert_eq!(crate::common::titles(&events), ["Friends"]);
    // Live over the list's stream (the poll is an hour away).
    let live = api.post(&bob, "new on the list").await;
    collect(&mut rx, &mut events, ARRIVAL, |e| post_ids(e).len() >= 2).await;
    assert_eq!(
        post_ids(&events),
        [post.as_str(), live.as_str()],
        "{events:#?}"
    );
    assert!(
        server.log().contains("/api/v1/streaming/list"),
        "{}",
        server.log()
    );
    // By id too.
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _task = source::spawn(
        &list_timeline(&server.base, &alice.token, &dir, &id),
        tx,
        Options::default(),
    );
    let mut events = Vec::new();
    collect(&mut rx, &mut events, ARRIVAL, is_live).await;
    let mut ids = post_ids(&events);
    ids.sort();
    let mut both = vec![post.clone(), live.clone()];
    both.sort();
    assert_eq!(ids, both, "{events:#?}");
    assert_eq!(crate::common::titles(&events), ["Friends"]);

    let (tx, mut rx) = mpsc::unbounded_channel();
    let _task = source::spawn(
        &list_timeline(&server.base, &alice.token, &dir, "Family"),
        tx,
        Options::default(),
    );
    let mut events = Vec::new();
    collect(&mut rx, &mut events, ARRIVAL, |e| {
        crate::common::failed(e).is_some()
    })
    .await;
    let why = crate::common::failed(&events).unwrap();
    assert!(
        why.contains("has no list titled “Family”; its lists are “Friends”, “Work”"),
        "{why}"
    );
}

#[tokio::test]
async fn the_accounts_lists_are_offered_by_title() {
    let (server, api) = Api::start().await;
    let (alice, bob) = api.alice_and_bob().await;
    list_with(&api, &alice, &bob, "Friends").await;
    let first = list_with(&api, &alice, &bob, "Work").await;
    let second = list_with(&api, &alice, &bob, "Work").await;
    let year = list_with(&api, &alice, &bob, "2024").await;
    let dir = tempfile::tempdir().unwrap();
    let spec = home_timeline(&server.base, &alice.token, &dir);
    let saved = Accounts::default().saved(&spec).await.unwrap();
    let got: Vec<(&str, &str, &str)> = saved
        .iter()
        .map(|s| (s.kind, s.title.as_str(), s.read.as_str()))
        .collect();
    // Two lists of one title are read by their ids, and so is a title
    // that would be taken for an id.
    let (first, second) = (format!("list:{first}"), format!("list:{second}"));
    let year = format!("list:{year}");
    assert_eq!(
        got,
        [
            ("list", "Friends", "list:Friends"),
            ("list", "Work", first.as_str()),
            ("list", "Work", second.as_str()),
            ("list", "2024", year.as_str()),
        ]
    );
    // Without a token the server says so, in words.
    let spec = source_spec(&format!(
        "[[source]]\nname = \"mock\"\nkind = \"mastodon\"\ninstance = {:?}\ntimeline = \"public\"\n",
        server.base
    ));
    let why = Accounts::default().saved(&spec).await.unwrap_err();
    assert!(why.contains("access token"), "{why}");
}

#[tokio::test]
async fn a_user_timeline_reads_one_accounts_posts_by_handle() {
    let (server, api) = Api::start().await;
    let (alice, bob) = api.alice_and_bob().await;
    let app = api.app_token().await;
    let carol = api.sign_up(&app, "carol").await;
    let first = api.post(&bob, "bob one").await;
    api.post(&carol, "carol's, not bob's").await;
    let second = api.post(&bob, "bob two").await;
    let dir = tempfile::tempdir().unwrap();
    let file = secret_file(dir.path(), "token", &alice.token, 0o600);
    let carols = api.post(&carol, "carol asks").await;
    let reply = json(
        api.http
            .post(format!("{}/api/v1/statuses", server.base))
            .bearer_auth(&bob.token)
            .form(&[
                ("status", "bob answers"),
                ("in_reply_to_id", carols.as_str()),
            ])
            .send()
            .await
            .unwrap(),
        "reply",
    )
    .await;
    let reply = text(&reply, "id").to_string();
    api.as_user(&bob, &format!("statuses/{carols}/reblog"), &[])
        .await;
    let third = api.post(&bob, "bob three").await;
    let spec = |who: &str, options: &str| {
        timeline_spec(&server.base, &file, &format!("user:@{who}"), options)
    };
    let read = |spec: SourceSpec| async move {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let _task = source::spawn(&spec, tx, Options::default());
        let mut events = Vec::new();
        collect(&mut rx, &mut events, ARRIVAL, is_live).await;
        events
    };
    let events = read(spec("bob", "")).await;
    // Named in the status bar by the account's name (or handle).
    let titles = crate::common::titles(&events);
    assert!(
        titles.len() == 1 && titles[0].to_lowercase().contains("bob"),
        "{titles:?}"
    );
    let ids = post_ids(&events);
    for want in [&first, &second, &reply, &third] {
        assert!(ids.contains(want), "{want} in {ids:?}");
    }
    assert_eq!(
        ids.len(),
        5,
        "bob's three posts, his reply and his boost: {ids:?}"
    );
    assert!(server.requests(&format!("GET /api/v1/accounts/{}/statuses", bob.id)) >= 1);
    // Without his replies and boosts: the three posts.
    let events = read(spec(
        "bob",
        "exclude_replies = true\nexclude_reblogs = true\n",
    ))
    .await;
    let mut ids = post_ids(&events);
    ids.sort();
    let mut want = vec![first.clone(), second.clone(), third.clone()];
    want.sort();
    assert_eq!(ids, want, "{events:#?}");
    // The options are part of what the cursor is for: without them again,
    // the reply left out (older than the newest post read) comes after all.
    let kept = crate::common::cursors(&events);
    let mut rx = crate::common::start_resuming(&spec("bob", ""), &kept);
    let mut events = Vec::new();
    collect(&mut rx, &mut events, ARRIVAL, is_live).await;
    assert!(post_ids(&events).contains(&reply), "{events:#?}");
    // No one of that name: said, and the source stops.
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _task = source::spawn(&spec("nobody", ""), tx, Options::default());
    let mut events = Vec::new();
    collect(&mut rx, &mut events, ARRIVAL, |e| {
        crate::common::failed(e).is_some()
    })
    .await;
    let why = crate::common::failed(&events).unwrap();
    assert!(
        why.contains("user:@nobody") && why.contains("no such account"),
        "{why}"
    );
}

#[tokio::test]
async fn bookmarks_and_favourites_are_timelines_of_their_own() {
    let (server, api) = Api::start().await;
    let (alice, bob) = api.alice_and_bob().await;
    let kept = api.post(&bob, "worth keeping").await;
    let liked = api.post(&bob, "worth a star").await;
    api.post(&bob, "neither").await;
    api.as_user(&alice, &format!("statuses/{kept}/bookmark"), &[])
        .await;
    api.as_user(&alice, &format!("statuses/{liked}/favourite"), &[])
        .await;
    let dir = tempfile::tempdir().unwrap();
    let file = secret_file(dir.path(), "token", &alice.token, 0o600);
    for (timeline, want) in [("bookmarks", &kept), ("favourites", &liked)] {
        let spec = timeline_spec(&server.base, &file, timeline, "");
        let (tx, mut rx) = mpsc::unbounded_channel();
        let _task = source::spawn(&spec, tx, Options::default());
        let mut events = Vec::new();
        collect(&mut rx, &mut events, ARRIVAL, is_live).await;
        assert_eq!(
            post_ids(&events),
            [want.as_str()],
            "{timeline}: {events:#?}"
        );
        assert!(server.requests(&format!("GET /api/v1/{timeline}")) >= 1);
    }
}

/// Bob boosts carol's post and then deletes the boost: the stream's
/// `delete` names the boost's own id, and alice's card of carol's post
/// goes (it was only bob's boost in her home timeline).
#[tokio::test]
async fn a_boost_deleted_on_the_server_takes_its_card_away() {
    use circles::app::{Action, update};
    let (server, api) = Api::start().await;
    let (alice, bob) = api.alice_and_bob().await;
    let app = api.app_token().await;
    let carol = api.sign_up(&app, "carol").await;
    let carols = api.post(&carol, "carol's words").await;
    let dir = tempfile::tempdir().unwrap();
    let spec = home_timeline(&server.base, &alice.token, &dir);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _task = source::spawn(&spec, tx, Options::default());
    let mut events = Vec::new();
    collect(&mut rx, &mut events, ARRIVAL, is_live).await;
    let boost = api
        .as_user(&bob, &format!("statuses/{carols}/reblog"), &[])
        .await;
    let boost = text(&boost, "id").to_string();
    collect(&mut rx, &mut events, ARRIVAL, |e| {
        post_ids(e).contains(&carols)
    })
    .await;
    let mut state = circles::testkit::state(
        "[[source]]\nname = \"mock\"\nkind = \"demo\"\n\n[[column]]\nname = \"Home\"\n",
    )
    .sources(&["mock"])
    .build();
    for event in events.drain(..) {
        update(&mut state, Action::Source(event));
    }
    let card = state
        .timeline
        .find("mock", &carols)
        .expect("carol's post, boosted");
    assert_eq!(
        state.timeline.get(card).unwrap().post.boost_id.as_deref(),
        Some(boost.as_str())
    );
    let deleted = api
        .http
        .delete(format!("{}/api/v1/statuses/{boost}", server.base))
        .bearer_auth(&bob.token)
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success());
    collect(&mut rx, &mut events, ARRIVAL, |e| {
        e.iter()
            .any(|e| matches!(e, SourceEvent::Deleted { id, .. } if *id == boost))
    })
    .await;
    for event in events.drain(..) {
        update(&mut state, Action::Source(event));
    }
    assert!(
        state.timeline.get(card).is_none(),
        "the card went with the boost"
    );
}

/// After a restart each new timeline reads only what came meanwhile: an
/// account's posts and a search's statuses after the kept `since_id`;
/// bookmarks and favourites,
/// which page by ids of their own, from the newest page down to the item
/// that was on top. (mastodon_mock orders bookmarks by status id, where
/// Mastodon orders them by when they were made: `source_mastodon` shows an
/// old post bookmarked meanwhile on a wiremock in Mastodon's order.)
#[tokio::test]
async fn a_restart_reads_only_the_gap_of_each_new_timeline() {
    let (server, api) = Api::start().await;
    let (alice, bob) = api.alice_and_bob().await;
    api.post(&bob, "an old tomato").await;
    api.post(&bob, "a middle tomato").await;
    let newest = api.post(&bob, "the newest tomato").await;
    for (verb, id) in [("bookmark", &newest), ("favourite", &newest)] {
        api.as_user(&alice, &format!("statuses/{id}/{verb}"), &[])
            .await;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = secret_file(dir.path(), "token", &alice.token, 0o600);
    let spec = |timeline: &str| timeline_spec(&server.base, &file, timeline, "");
    let run = |spec: SourceSpec, cursors: Vec<(String, String)>| async move {
        let mut rx = crate::common::start_resuming(&spec, &cursors);
        let mut events = Vec::new();
        collect(&mut rx, &mut events, ARRIVAL, is_live).await;
        crate::common::drain(&mut rx, &mut events, Duration::from_millis(200)).await;
        events
    };
    let mut kept = Vec::new();
    for timeline in ["user:@bob", "bookmarks", "favourites", "search:tomato"] {
        let events = run(spec(timeline), Vec::new()).await;
        assert!(
            post_ids(&events).contains(&newest),
            "{timeline}: {events:#?}"
        );
        kept.push(crate::common::cursors(&events));
    }
    // Meanwhile: a new post, bookmarked and favourited.
    let fresh = api.post(&bob, "a tomato while circles was closed").await;
    for verb in ["bookmark", "favourite"] {
        api.as_user(&alice, &format!("statuses/{fresh}/{verb}"), &[])
            .await;
    }
    for (timeline, cursors) in ["user:@bob", "bookmarks", "favourites", "search:tomato"]
        .into_iter()
        .zip(kept)
    {
        let path = match timeline {
            "user:@bob" => format!("GET /api/v1/accounts/{}/statuses", bob.id),
            "search:tomato" => "GET /api/v2/search".to_string(),
            other => format!("GET /api/v1/{other}"),
        };
        let before = server.requests(&path);
        let events = run(spec(timeline), cursors).await;
        assert_eq!(
            post_ids(&events),
            [fresh.as_str()],
            "{timeline}: {events:#?}"
        );
        assert_eq!(server.requests(&path) - before, 1, "{timeline}: one call");
    }
}

#[tokio::test]
async fn a_search_timeline_reads_the_statuses_a_query_finds() {
    let (server, api) = Api::start().await;
    let (alice, bob) = api.alice_and_bob().await;
    let found = api.post(&bob, "a new tomato release today").await;
    api.post(&bob, "nothing about it").await;
    let dir = tempfile::tempdir().unwrap();
    let file = secret_file(dir.path(), "token", &alice.token, 0o600);
    let spec = timeline_spec(&server.base, &file, "search:tomato", "");
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _task = source::spawn(&spec, tx, Options::default());
    let mut events = Vec::new();
    collect(&mut rx, &mut events, ARRIVAL, is_live).await;
    assert_eq!(post_ids(&events), [found.as_str()], "{events:#?}");
    assert!(
        server.requests("GET /api/v2/search") >= 1,
        "{}",
        server.log()
    );
}

#[test]
fn capital_c_gives_an_author_a_column_of_their_posts_through_the_same_account() {
    use circles::app::{Action, Effect, update};
    use circles::config::{Edit, KeyChord};
    let config = "# mine\n[[source]]\nname = \"home\"\nkind = \"mastodon\"\n\
                  instance = \"http://127.0.0.1:9\"\ntimeline = \"home\"\n\
                  token_file = \"/tmp/token\"  # kept here\npoll = \"2m\"\n\n\
                  [[column]]\nname = \"Everyone\"\nrest = true\n";
    let mut state = circles::testkit::state(config).sources(&["home"]).build();
    let mut post = circles::testkit::post("1", "@bob@example.social")
        .source("home")
        .name("Bob")
        .build();
    post.author = std::sync::Arc::new(circles::model::Account::new(
        "@bob@example.social",
        "Bob",
        circles::model::Network::Mastodon,
    ));
    update(
        &mut state,
        Action::Source(circles::model::SourceEvent::Posts {
            source: "home".into(),
            posts: vec![post],
        }),
    );
    let effects = update(&mut state, Action::Key(KeyChord::char('C')));
    let [Effect::Edit { edit, done }] = &effects[..] else {
        panic!("{effects:?}");
    };
    assert_eq!(
        *edit,
        Edit::SourceColumn {
            from: "home".into(),
            source: "posts-bob-example-social".into(),
            read: "user:@bob@example.social".into(),
            column: "Bob".into(),
        }
    );
    assert!(done.contains("u to undo"), "{done}");
    let written = circles::config::apply(config, edit, circles::testkit::t0()).unwrap();
    let (kept, _) = config.split_once("\n\n[[column]]").unwrap();
    assert!(
        written.starts_with(kept),
        "the source as written: {written}"
    );
    assert!(
        written.contains("[[column]]\nname = \"Everyone\"\nrest = true\n"),
        "{written}"
    );
    let parsed = circles::filter::load(&written, circles::testkit::t0()).unwrap();
    let copy = parsed
        .config
        .sources
        .iter()
        .find(|s| s.name == "posts-bob-example-social")
        .unwrap();
    let circles::config::SourceConfig::Mastodon(m) = &copy.kind else {
        panic!("{copy:?}");
    };
    assert_eq!(
        m.timeline,
        circles::config::Timeline::User("bob@example.social".into(), Default::default())
    );
    assert!(m.token.is_some(), "the same account reads it");
    let column = parsed.rules.column_index("Bob").unwrap();
    assert!(parsed.rules.columns[column].rest.eq(&false));
    // A second time: the column is there already.
    assert!(circles::config::apply(&written, edit, circles::testkit::t0()).is_err());
}
