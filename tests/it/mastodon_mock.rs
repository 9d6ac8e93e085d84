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
struct Server {
    child: Child,
    base: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let program = executable();
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("server.log");
        let out = File::create(&log).unwrap();
        let err = out.try_clone().unwrap();
        // A free port: bind port 0, read the port, let it go.
        let port = crate::common::free_port();
        let child = Command::new(&program)
            .args(["serve", "--in-memory", "--host", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .args(["--log-level", "info"])
            // Its config file, if any, is looked for in the working directory.
            .current_dir(dir.path())
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
        Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
            _dir: dir,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the server answers.
    async fn ready(&mut self, http: &reqwest::Client) {
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
    fn requests(&self, method_and_path: &str) -> usize {
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
struct User {
    token: String,
    id: String,
}

struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    /// Registers an app and gets an app token (client credentials grant).
    async fn app_token(&self) -> String {
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
    async fn sign_up(&self, app_token: &str, username: &str) -> User {
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

    async fn follow(&self, who: &User, whom: &User) {
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

    /// Posts a public status; returns its id.
    async fn post(&self, who: &User, status: &str) -> String {
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
fn home_timeline(base: &str, token: &str, dir: &tempfile::TempDir) -> SourceSpec {
    let file = secret_file(dir.path(), "token", token, 0o600);
    // A poll of an hour: a post that arrives within seconds came over the
    // stream, not from polling.
    source_spec(&format!(
        "[[source]]\nname = \"mock\"\nkind = \"mastodon\"\ninstance = {base:?}\n\
         timeline = \"home\"\ntoken_file = {:?}\npoll = \"1h\"\n",
        file.display().to_string()
    ))
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
