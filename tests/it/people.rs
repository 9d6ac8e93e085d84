//! The people ledger end to end: `circles people --scan` against
//! mastodon_mock, on a graph of five accounts whose classes are known.

use crate::common::secret_file;
use crate::mastodon_mock::{Api, User};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// The graph of the essay, from alice's side:
/// - bob is mutual, and bob and alice reply to and favourite each other;
/// - carol follows alice, posts 30 times, and never engages with her;
/// - dan is followed by alice, who replies to and favourites him 5 times,
///   and he never answers;
/// - erin favourites alice's posts, and alice does not follow her.
struct Graph {
    alice: User,
}

async fn graph(api: &Api) -> Graph {
    let app = api.app_token().await;
    let alice = api.sign_up(&app, "alice").await;
    let bob = api.sign_up(&app, "bob").await;
    let carol = api.sign_up(&app, "carol").await;
    let dan = api.sign_up(&app, "dan").await;
    let erin = api.sign_up(&app, "erin").await;
    api.follow(&alice, &bob).await;
    api.follow(&bob, &alice).await;
    api.follow(&carol, &alice).await;
    api.follow(&alice, &dan).await;

    let mut alices = Vec::new();
    for n in 0..3 {
        alices.push(api.post(&alice, &format!("alice's post {n}")).await);
    }
    // bob and alice answer and favourite each other.
    let bobs = api.post(&bob, "bob's post").await;
    api.as_user(
        &bob,
        "statuses",
        &[("status", "@alice yes!"), ("in_reply_to_id", &alices[0])],
    )
    .await;
    api.as_user(&bob, &format!("statuses/{}/favourite", alices[1]), &[])
        .await;
    api.as_user(
        &alice,
        "statuses",
        &[("status", "@bob indeed"), ("in_reply_to_id", &bobs)],
    )
    .await;
    api.as_user(&alice, &format!("statuses/{bobs}/favourite"), &[])
        .await;
    // carol talks, to others.
    for n in 0..30 {
        api.post(&carol, &format!("carol's thought {n}")).await;
    }
    // alice answers and favourites dan five times; he never answers.
    for n in 0..5 {
        let his = api.post(&dan, &format!("dan's post {n}")).await;
        api.as_user(
            &alice,
            "statuses",
            &[("status", "@dan good point"), ("in_reply_to_id", &his)],
        )
        .await;
        api.as_user(&alice, &format!("statuses/{his}/favourite"), &[])
            .await;
    }
    // erin favourites everything of alice's.
    api.post(&erin, "erin was here").await;
    for id in &alices {
        api.as_user(&erin, &format!("statuses/{id}/favourite"), &[])
            .await;
    }
    Graph { alice }
}

/// `circles people` with alice's account, its cache under `home`, to be
/// run.
fn people_command(home: &Path, base: &str, token: &str, args: &[&str]) -> Command {
    let token = secret_file(home, "token", token, 0o600);
    let config = home.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[me]\nhandles = [\"@alice@{host}\"]\n\
             [[column]]\nname = \"Core\"\naccounts = [\"@bob@{host}\"]\n\
             [[source]]\nname = \"mock\"\nkind = \"mastodon\"\ninstance = {base:?}\n\
             timeline = \"home\"\ntoken_file = {token:?}\n\
             [people]\nsilent_after = \"0s\"\nnew_within = \"0s\"\n",
            // The mock names its accounts by `localhost`.
            host = base
                .trim_start_matches("http://")
                .replace("127.0.0.1", "localhost"),
            token = token.display().to_string(),
        ),
    )
    .unwrap();
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("circles"));
    command
        .arg("--config")
        .arg(&config)
        .arg("people")
        .args(args)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("CIRCLES_CONFIG");
    command
}

/// `circles people` with alice's account run to its end: exit code,
/// stdout, stderr.
fn people(home: &Path, base: &str, token: &str, args: &[&str]) -> (i32, String, String) {
    let output = people_command(home, base, token, args).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// Each person's class, by user name, from `--json` lines.
fn classes(stdout: &str) -> Vec<(String, String)> {
    let mut got: Vec<(String, String)> = stdout
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .map(|v| {
            let handle = v["accounts"][0].as_str().unwrap();
            let user = handle.trim_start_matches('@').split('@').next().unwrap();
            (user.to_string(), v["class"].as_str().unwrap().to_string())
        })
        .collect();
    got.sort();
    got
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scan_tells_inner_silent_unanswered_and_fan_apart() {
    let (server, api) = Api::start().await;
    let Graph { alice } = graph(&api).await;
    let home = tempfile::tempdir().unwrap();
    let (base, token) = (server.base.clone(), alice.token.clone());
    let dir = home.path().to_path_buf();
    let (code, stdout, stderr) =
        tokio::task::spawn_blocking(move || people(&dir, &base, &token, &["--json", "--scan"]))
            .await
            .unwrap();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        classes(&stdout),
        [
            ("bob".to_string(), "inner".to_string()),
            ("carol".into(), "silent".into()),
            ("dan".into(), "unanswered".into()),
            ("erin".into(), "fan".into()),
        ],
        "{stdout}"
    );
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let by = |user: &str| {
        lines
            .iter()
            .find(|v| {
                v["accounts"][0]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("@{user}@"))
            })
            .unwrap()
            .clone()
    };
    let bob = by("bob");
    assert_eq!(bob["in"]["reply"], 1, "{bob}");
    assert_eq!(bob["in"]["favourite"], 1, "{bob}");
    assert_eq!(bob["out"]["reply"], 1, "{bob}");
    assert_eq!(bob["out"]["favourite"], 1, "{bob}");
    assert_eq!(
        (bob["follows_me"].clone(), bob["i_follow"].clone()),
        (true.into(), true.into())
    );
    assert_eq!(bob["circles"], serde_json::json!(["Core"]), "{bob}");
    let dan = by("dan");
    assert_eq!(
        (dan["out"]["reply"].clone(), dan["out"]["favourite"].clone()),
        (5.into(), 5.into())
    );
    assert_eq!(dan["in"]["reply"], 0);
    let erin = by("erin");
    assert_eq!(erin["in"]["favourite"], 3, "{erin}");
    let carol = by("carol");
    let why = carol["why"].as_str().unwrap();
    assert!(
        why.contains("0 replies, 0 favourites, 0 boosts of your 9 posts"),
        "{why}"
    );
    assert!(
        stderr.contains("scanned mock: 2 followers, 2 following"),
        "{stderr}"
    );

    // The ledger is kept: a second scan finds nothing new, and asks
    // nobody again who favourited posts whose counts did not change.
    let asked = server.requests("GET /api/v1/statuses/");
    let dir = home.path().to_path_buf();
    let (base, token) = (server.base.clone(), alice.token.clone());
    let (code, again, stderr) = tokio::task::spawn_blocking(move || {
        people(
            &dir,
            &base,
            &token,
            &["--json", "--scan", "--class", "silent"],
        )
    })
    .await
    .unwrap();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        classes(&again),
        [("carol".to_string(), "silent".to_string())]
    );
    assert!(stderr.contains(" 0 new interactions"), "{stderr}");
    assert_eq!(server.requests("GET /api/v1/statuses/"), asked, "{stderr}");
}

#[test]
fn a_class_that_does_not_exist_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    let (code, _, stderr) = people(home.path(), "http://127.0.0.1:9", "t", &["--class", "rude"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("the classes are inner, silent"), "{stderr}");
}

/// Signs up `n` accounts that follow `whom` (through the mock's dev-user
/// shortcut, eight at a time).
async fn followers_of(api: &Api, whom: &User, n: usize) {
    let mut tasks = tokio::task::JoinSet::new();
    for lane in 0..8 {
        let (http, base, id) = (api.http.clone(), api.base.clone(), whom.id.clone());
        tasks.spawn(async move {
            for i in (lane..n).step_by(8) {
                let user: Value = http
                    .post(format!("{base}/api/v1/_mock/dev_user"))
                    .json(&serde_json::json!({ "username": format!("fan{i}") }))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let token = user["access_token"].as_str().unwrap();
                let answer = http
                    .post(format!("{base}/api/v1/accounts/{id}/follow"))
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap();
                assert!(answer.status().is_success(), "{}", answer.status());
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_paced_scan_of_a_thousand_followers_trips_no_429_and_resumes_where_it_was_cut() {
    let mut server = crate::mastodon_mock::Server::start_persistent();
    let http = reqwest::Client::new();
    server.ready(&http).await;
    let api = Api {
        http: http.clone(),
        base: server.base.clone(),
    };
    let app = api.app_token().await;
    let alice = api.sign_up(&app, "alice").await;
    followers_of(&api, &alice, 1000).await;
    // Ten calls every two seconds per token, as mastodon_mock counts them.
    server.configure("[ratelimit]\nenabled = true\nlimit = 10\nwindow_seconds = 2\n");
    server.restart();
    server.ready(&http).await;

    let home = tempfile::tempdir().unwrap();
    let followers = format!("GET /api/v1/accounts/{}/followers", alice.id);
    // The first scan is cut after a few pages.
    let mut first = people_command(home.path(), &server.base, &alice.token, &["--scan"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while server.requests(&followers) < 5 {
        assert!(std::time::Instant::now() < deadline, "{}", server.log());
        assert!(first.try_wait().unwrap().is_none(), "the scan ended early");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    first.kill().unwrap();
    first.wait().unwrap();
    let cut_at = server.requests(&followers);

    let dir = home.path().to_path_buf();
    let (base, token) = (server.base.clone(), alice.token.clone());
    let (code, stdout, stderr) =
        tokio::task::spawn_blocking(move || people(&dir, &base, &token, &["--scan", "--json"]))
            .await
            .unwrap();
    assert_eq!(code, 0, "{stderr}");
    let follows_me = stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["follows_me"] == true)
        .count();
    assert_eq!(follows_me, 1000, "{stderr}");
    // mastodon_mock gives 40 a page: 25 pages, and the empty one after.
    // The second run went on from the page the first was cut at: at most
    // the page in flight was asked twice.
    let pages = server.requests(&followers);
    assert!(pages <= 27, "{pages} follower pages, cut at {cut_at}");
    let log = server.log();
    let refused = log.lines().filter(|l| l.contains("\" 429")).count();
    assert_eq!(refused, 0, "a 429 was tripped:\n{log}");
    // And the limiter was on: a burst of calls meets it.
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let answer = http
            .get(format!(
                "{}/api/v1/accounts/verify_credentials",
                server.base
            ))
            .bearer_auth(&alice.token)
            .send()
            .await
            .unwrap();
        statuses.push(answer.status().as_u16());
    }
    assert!(statuses.contains(&429), "{statuses:?}");
}
