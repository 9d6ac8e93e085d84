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
pub(crate) struct Graph {
    pub(crate) alice: User,
}

pub(crate) async fn graph(api: &Api) -> Graph {
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

// ---- the people view (reducer) ----

pub(crate) mod view {
    use circles::app::{Action, AppState, Effect, Overlay, update};
    use circles::config::{KeyChord, NamedKey};
    use circles::people::Class;
    use circles::testkit::{self, t0};

    pub(crate) const CONFIG: &str = r#"
[me]
handles = ["@jane@mastodon.social"]

[[source]]
name = "home"
kind = "mastodon"
instance = "http://127.0.0.1:9"
token_env = "NO_SUCH_TOKEN"

[[column]]
name = "Core"
accounts = ["@bob@x.social"]

[[column]]
name = "Everyone else"
rest = true

[amplify]
accounts = ["@bob@x.social"]
"#;

    fn key(state: &mut AppState, c: char) -> Vec<Effect> {
        update(state, Action::Key(KeyChord::char(c)))
    }

    fn named(state: &mut AppState, k: NamedKey) -> Vec<Effect> {
        update(state, Action::Key(KeyChord::named(k)))
    }

    /// The view open on the essay's ledger.
    pub(crate) fn opened(width: u16, height: u16) -> AppState {
        let mut state = testkit::state(CONFIG).size(width, height).build();
        let effects = key(&mut state, 'P');
        assert_eq!(
            effects,
            [Effect::Ledger {
                since: t0() - chrono::TimeDelta::days(90)
            }]
        );
        update(
            &mut state,
            Action::Ledger(Ok(Box::new(testkit::ledger(t0(), 3)))),
        );
        state
    }

    fn shown(state: &AppState) -> Vec<(String, Class)> {
        let Overlay::People(view) = &state.overlay else {
            panic!("the people view is not open");
        };
        view.shown
            .iter()
            .map(|i| (view.rows[*i].handle.clone(), view.rows[*i].class))
            .collect()
    }

    fn view(state: &AppState) -> &circles::app::PeopleView {
        match &state.overlay {
            Overlay::People(view) => view,
            _ => panic!("the people view is not open"),
        }
    }

    #[test]
    fn capital_p_shows_everyone_by_class_with_circles_and_the_budget() {
        let state = opened(160, 40);
        let rows = shown(&state);
        assert_eq!(rows.len(), 7);
        assert_eq!(rows[0], ("@bob@x.social".to_string(), Class::Inner));
        let bob = &view(&state).rows[view(&state).shown[0]];
        assert_eq!(bob.circles, ["Core"]);
        assert!(bob.amplified);
        let classes: Vec<Class> = rows.iter().map(|r| r.1).collect();
        assert!(classes.windows(2).all(|w| w[0] <= w[1]), "{classes:?}");
        // Core's people have all of the reader's replies to the ledger's
        // people but dan's: bob 6 of 11.
        let budget = &view(&state).budget;
        assert_eq!(budget.len(), 1);
        assert_eq!(budget[0].column, "Core");
        assert!((budget[0].replies - 6.0 / 11.0).abs() < 1e-9, "{budget:?}");
    }

    #[test]
    fn tabs_filter_by_class_o_sorts_and_slash_searches_by_name() {
        let mut state = opened(160, 40);
        // all → inner → silent
        named(&mut state, NamedKey::Tab);
        named(&mut state, NamedKey::Tab);
        assert_eq!(view(&state).tab, Some(Class::Silent));
        let silent = shown(&state);
        assert!(silent.iter().all(|r| r.1 == Class::Silent), "{silent:?}");
        assert!(silent.iter().any(|r| r.0 == "@carol@x.social"));
        named(&mut state, NamedKey::BackTab);
        named(&mut state, NamedKey::BackTab);
        assert_eq!(view(&state).tab, None);
        // Sorted by name, then by what they did to the reader.
        key(&mut state, 'o');
        assert_eq!(shown(&state)[0].0, "@bob@x.social");
        key(&mut state, 'o');
        key(&mut state, 'o');
        assert_eq!(view(&state).sort, circles::app::PeopleSort::In);
        assert_eq!(shown(&state)[0].0, "@bob@x.social", "13 in");
        assert_eq!(shown(&state)[1].0, "@erin@x.social", "7 in");
        key(&mut state, 'O');
        assert_eq!(shown(&state).last().unwrap().0, "@bob@x.social");
        // A fuzzy search by name: "crl" finds Carol Ng.
        key(&mut state, '/');
        for c in "crl".chars() {
            key(&mut state, c);
        }
        named(&mut state, NamedKey::Enter);
        assert_eq!(
            shown(&state),
            [("@carol@x.social".to_string(), Class::Silent)]
        );
        // esc clears the search first, then closes.
        named(&mut state, NamedKey::Esc);
        assert_eq!(shown(&state).len(), 7);
        named(&mut state, NamedKey::Esc);
        assert!(matches!(state.overlay, Overlay::None));
    }

    #[test]
    fn keys_on_a_row_act_on_that_person() {
        let mut state = opened(160, 40);
        named(&mut state, NamedKey::Tab);
        named(&mut state, NamedKey::Tab);
        // m on carol: the mute menu, then forever writes the mute.
        key(&mut state, 'm');
        let Overlay::MuteMenu { handle } = &state.overlay else {
            panic!("no mute menu: {:?}", state.overlay);
        };
        assert_eq!(handle.to_string(), "@carol@x.social");
        let effects = named(&mut state, NamedKey::Enter);
        assert!(
            matches!(&effects[..], [Effect::Edit { done, .. }] if done.starts_with("muted @carol@x.social")),
            "{effects:?}"
        );
        // Enter opens the profile through the Mastodon source.
        let mut state = opened(160, 40);
        let effects = named(&mut state, NamedKey::Enter);
        assert!(
            matches!(&effects[..], [Effect::Profile { source, account }] if source == "home" && account.handle == "@bob@x.social"),
            "{effects:?}"
        );
        assert!(matches!(state.overlay, Overlay::Profile(_)));
        // a amplifies or un-amplifies: bob is amplified.
        let mut state = opened(160, 40);
        let effects = key(&mut state, 'a');
        assert!(
            matches!(&effects[..], [Effect::Edit { done, .. }] if done.contains("no longer amplified")),
            "{effects:?}"
        );
        // e shows why; s scans, and the scan's end reads the ledger again.
        let mut state = opened(160, 40);
        key(&mut state, 'e');
        assert!(view(&state).explain);
        let effects = key(&mut state, 's');
        assert!(
            matches!(&effects[..], [Effect::ScanPeople(_)]),
            "{effects:?}"
        );
        assert!(
            key(&mut state, 's').is_empty(),
            "a second scan while one runs"
        );
        use circles::model::people::ScanNews;
        update(
            &mut state,
            Action::PeopleScan(ScanNews::Progress("scanning home: followers 40/120".into())),
        );
        assert_eq!(
            view(&state).scan.as_deref(),
            Some("scanning home: followers 40/120")
        );
        let effects = update(
            &mut state,
            Action::PeopleScan(ScanNews::Done("scanned home".into())),
        );
        assert!(
            matches!(&effects[..], [Effect::Ledger { .. }]),
            "{effects:?}"
        );
    }

    /// The ledger writes among effects.
    fn ledger_writes(effects: &[Effect]) -> Vec<circles::store::Write> {
        use circles::store::Write;
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Persist(
                    w @ (Write::Interactions { .. }
                    | Write::Withdrawn { .. }
                    | Write::FollowedAt { .. }),
                ) => Some(w.clone()),
                _ => None,
            })
            .collect()
    }

    /// `f` on the selected post, the server taking it: the ledger writes.
    fn favourite_taken(state: &mut AppState) -> Vec<circles::store::Write> {
        use circles::model::ActResult;
        let effects = key(state, 'f');
        let Some(Effect::Act(request)) = effects.iter().find(|e| matches!(e, Effect::Act(_)))
        else {
            panic!("{effects:?}");
        };
        let effects = update(
            state,
            Action::Acted {
                ticket: request.ticket,
                result: ActResult::Done {
                    marks: None,
                    record: None,
                },
            },
        );
        ledger_writes(&effects)
    }

    #[test]
    fn what_arrives_and_what_the_reader_does_goes_to_the_ledger() {
        use circles::model::people::{Direction, Engaged};
        use circles::model::{Account, Network, NoticeKind, Post, SourceEvent};
        use circles::store::Write;
        let mut state = testkit::state(CONFIG).sources(&["home"]).build();
        update(&mut state, Action::Persisting(true));
        let mine = testkit::post("7", "@jane@mastodon.social")
            .source("home")
            .build();
        let favourite = Post::pure_notice(
            "home",
            (NoticeKind::Favourite, "n1".into()),
            Account::new("@erin@x.social", "Erin", Network::Mastodon),
            t0(),
            Some(mine),
        );
        let follow = Post::pure_notice(
            "home",
            (NoticeKind::Follow, "n2".into()),
            Account::new("@carol@x.social", "Carol", Network::Mastodon),
            t0(),
            None,
        );
        let effects = update(
            &mut state,
            Action::Source(SourceEvent::Posts {
                source: "home".into(),
                posts: vec![favourite, follow],
            }),
        );
        let writes = ledger_writes(&effects);
        assert_eq!(writes.len(), 2, "{writes:?}");
        let Write::FollowedAt { who, at, .. } = &writes[0] else {
            panic!("{writes:?}");
        };
        assert_eq!((who.as_str(), *at), ("carol@x.social", t0()));
        let Write::Interactions { source, list } = &writes[1] else {
            panic!("{writes:?}");
        };
        assert_eq!(source, "home");
        assert_eq!(
            (list[0].who.as_str(), list[0].direction, list[0].kind),
            ("erin@x.social", Direction::In, Engaged::Favourite)
        );
        // A favourite the server took is the reader's engagement.
        let bobs = testkit::post("9", "@bob@x.social").source("home").build();
        update(
            &mut state,
            Action::Source(SourceEvent::Posts {
                source: "home".into(),
                posts: vec![bobs],
            }),
        );
        while state
            .selected()
            .is_some_and(|id| state.timeline.get(id).unwrap().post.id != "9")
        {
            key(&mut state, 'j');
        }
        let writes = favourite_taken(&mut state);
        let [Write::Interactions { list, .. }] = &writes[..] else {
            panic!("{writes:?}");
        };
        assert_eq!(
            (list[0].who.as_str(), list[0].direction, list[0].kind),
            ("bob@x.social", Direction::Out, Engaged::Favourite)
        );
        let given = list[0].key.clone();
        // Taken back: the same act goes out of the ledger.
        let writes = favourite_taken(&mut state);
        let [Write::Withdrawn { list, .. }] = &writes[..] else {
            panic!("{writes:?}");
        };
        assert_eq!(list[0].key, given);
    }

    #[test]
    fn a_ledger_that_cannot_be_read_says_why() {
        let mut state = testkit::state(CONFIG).build();
        key(&mut state, 'P');
        update(
            &mut state,
            Action::Ledger(Err("cache x: it is busy".into())),
        );
        assert_eq!(view(&state).error.as_deref(), Some("cache x: it is busy"));
        assert!(!view(&state).loading);
    }
}

// ---- Bluesky: the same graph against a wiremock PDS ----

mod bluesky {
    use super::classes;
    use serde_json::{Value, json};
    use std::process::Command;
    use wiremock::matchers::{method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const JANE: &str = "did:plc:janejanejanejanejane7x";

    fn did(user: &str) -> String {
        format!("did:plc:{user}{user}{user}{user}")
    }

    /// `app.bsky.actor.defs#profileView`.
    fn view(user: &str) -> Value {
        json!({
            "did": did(user),
            "handle": format!("{user}.bsky.social"),
            "displayName": user.to_uppercase(),
            "avatar": format!("https://cdn.bsky.app/img/avatar/plain/{}/x@jpeg", did(user)),
            "viewer": { "muted": false, "blockedBy": false },
            "labels": [],
            "createdAt": "2026-01-05T10:00:00.000Z",
            "indexedAt": "2026-01-05T10:00:00.000Z"
        })
    }

    /// `app.bsky.actor.defs#profileViewDetailed`, with its counts.
    fn detailed(user: &str, posts: u64) -> Value {
        let mut v = view(user);
        v["followersCount"] = json!(10);
        v["followsCount"] = json!(10);
        v["postsCount"] = json!(posts);
        v
    }

    fn ago(minutes: i64) -> String {
        (chrono::Utc::now() - chrono::TimeDelta::minutes(minutes))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }

    fn uri(user: &str, rkey: &str) -> String {
        format!("at://{}/app.bsky.feed.post/{rkey}", did(user))
    }

    /// `app.bsky.feed.defs#postView` by `user`, with its counts.
    fn post(user: &str, rkey: &str, text: &str, likes: u64, reply_to: Option<&str>) -> Value {
        let author = if user == "jane" {
            json!({ "did": JANE, "handle": "jane.bsky.social", "displayName": "Jane" })
        } else {
            view(user)
        };
        let at = if user == "jane" {
            format!("at://{JANE}/app.bsky.feed.post/{rkey}")
        } else {
            uri(user, rkey)
        };
        let mut record = json!({
            "$type": "app.bsky.feed.post",
            "createdAt": ago(60),
            "langs": ["en"],
            "text": text
        });
        if let Some(parent) = reply_to {
            record["reply"] = json!({
                "parent": { "uri": parent, "cid": "bafyparent" },
                "root": { "uri": parent, "cid": "bafyparent" }
            });
        }
        json!({
            "uri": at,
            "cid": format!("bafy{rkey}"),
            "author": author,
            "record": record,
            "replyCount": 0,
            "repostCount": 0,
            "likeCount": likes,
            "quoteCount": 0,
            "indexedAt": ago(60),
            "viewer": {},
            "labels": []
        })
    }

    fn mine(rkey: &str) -> String {
        format!("at://{JANE}/app.bsky.feed.post/{rkey}")
    }

    /// A reply of jane's to `parent` (a postView), as `getAuthorFeed` has
    /// it: the post, and the reply context with the parent's author.
    fn answer(rkey: &str, parent: Value) -> Value {
        let parent_uri = parent["uri"].as_str().unwrap().to_string();
        let mut context = parent;
        context["$type"] = json!("app.bsky.feed.defs#postView");
        json!({
            "post": post("jane", rkey, "good point", 0, Some(&parent_uri)),
            "reply": { "root": context.clone(), "parent": context }
        })
    }

    /// `app.bsky.notification.listNotifications#notification`.
    fn notification(user: &str, reason: &str, subject: Option<&str>, record: Value) -> Value {
        let collection = match reason {
            "like" => "app.bsky.feed.like",
            "follow" => "app.bsky.graph.follow",
            "repost" => "app.bsky.feed.repost",
            _ => "app.bsky.feed.post",
        };
        let mut n = json!({
            "uri": format!("at://{}/{collection}/3n{reason}{}", did(user), subject.map_or(0, str::len)),
            "cid": "bafynotification",
            "author": view(user),
            "reason": reason,
            "record": record,
            "isRead": false,
            "indexedAt": ago(30),
            "labels": []
        });
        if let Some(subject) = subject {
            n["reasonSubject"] = json!(subject);
        }
        n
    }

    async fn get(server: &MockServer, xrpc: &str, body: Value) {
        Mock::given(method("GET"))
            .and(path(format!("/xrpc/{xrpc}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(server)
            .await;
    }

    /// The essay's graph from jane's side, as a Bluesky PDS answers it.
    async fn graph(server: &MockServer) {
        Mock::given(method("POST"))
            .and(path("/xrpc/com.atproto.server.createSession"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(crate::common::fixture_json(
                    "bluesky_api/create_session.json",
                )),
            )
            .mount(server)
            .await;
        get(
            server,
            "app.bsky.actor.getProfile",
            json!({ "did": JANE, "handle": "jane.bsky.social", "displayName": "Jane",
                    "followersCount": 2, "followsCount": 2, "postsCount": 9,
                    "createdAt": "2024-01-01T00:00:00.000Z" }),
        )
        .await;
        get(
            server,
            "app.bsky.graph.getFollowers",
            json!({ "subject": view("jane"), "followers": [view("bob"), view("carol")] }),
        )
        .await;
        get(
            server,
            "app.bsky.graph.getFollows",
            json!({ "subject": view("jane"), "follows": [view("bob"), view("dan")] }),
        )
        .await;
        get(
            server,
            "app.bsky.actor.getProfiles",
            json!({ "profiles": [detailed("bob", 120), detailed("carol", 30), detailed("dan", 50)] }),
        )
        .await;
        let bobs = post("bob", "3bob1", "bob's post", 1, None);
        let dans: Vec<Value> = (0..5)
            .map(|i| post("dan", &format!("3dan{i}"), "dan's post", 1, None))
            .collect();
        let mut feed = vec![
            json!({ "post": post("jane", "3j0", "first", 2, None) }),
            json!({ "post": post("jane", "3j1", "second", 1, None) }),
            json!({ "post": post("jane", "3j2", "third", 1, None) }),
            answer("3jb", bobs.clone()),
        ];
        for (i, d) in dans.iter().enumerate() {
            feed.push(answer(&format!("3jd{i}"), d.clone()));
        }
        get(
            server,
            "app.bsky.feed.getAuthorFeed",
            json!({ "feed": feed }),
        )
        .await;
        let like =
            |user: &str| json!({ "indexedAt": ago(40), "createdAt": ago(40), "actor": view(user) });
        for (rkey, likers) in [
            ("3j0", vec!["erin", "bob"]),
            ("3j1", vec!["erin"]),
            ("3j2", vec!["erin"]),
        ] {
            Mock::given(method("GET"))
                .and(path("/xrpc/app.bsky.feed.getLikes"))
                .and(query_param("uri", mine(rkey)))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                    "uri": mine(rkey),
                    "likes": likers.iter().map(|u| like(u)).collect::<Vec<_>>()
                })))
                .mount(server)
                .await;
        }
        let mut liked = vec![json!({ "post": bobs.clone() })];
        liked.extend(dans.iter().map(|d| json!({ "post": d })));
        get(
            server,
            "app.bsky.feed.getActorLikes",
            json!({ "feed": liked }),
        )
        .await;
        let like_record = |subject: &str| {
            json!({ "$type": "app.bsky.feed.like", "createdAt": ago(30),
                    "subject": { "uri": subject, "cid": "bafysubject" } })
        };
        get(
            server,
            "app.bsky.notification.listNotifications",
            json!({
                "notifications": [
                    notification("bob", "reply", None, json!({
                        "$type": "app.bsky.feed.post", "createdAt": ago(30), "text": "yes!",
                        "reply": { "parent": { "uri": mine("3j0"), "cid": "bafy3j0" },
                                   "root": { "uri": mine("3j0"), "cid": "bafy3j0" } }
                    })),
                    notification("bob", "like", Some(&mine("3j0")), like_record(&mine("3j0"))),
                    notification("erin", "like", Some(&mine("3j0")), like_record(&mine("3j0"))),
                    notification("erin", "like", Some(&mine("3j1")), like_record(&mine("3j1"))),
                    notification("erin", "like", Some(&mine("3j2")), like_record(&mine("3j2"))),
                    notification("carol", "follow", None, json!({
                        "$type": "app.bsky.graph.follow", "createdAt": ago(30), "subject": JANE
                    })),
                ],
                "seenAt": ago(100)
            }),
        )
        .await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_same_graph_on_bluesky_gets_the_same_classes() {
        let server = MockServer::start().await;
        graph(&server).await;
        let home = tempfile::tempdir().unwrap();
        let password = crate::common::secret_file(home.path(), "pw", "abcd-efgh-ijkl-mnop", 0o600);
        let config = home.path().join("config.toml");
        std::fs::write(
            &config,
            format!(
                "[[source]]\nname = \"sky\"\nkind = \"bluesky\"\nhandle = \"jane.bsky.social\"\n\
                 service = \"{}\"\napp_password_file = {:?}\n\
                 [people]\nsilent_after = \"0s\"\nnew_within = \"0s\"\n",
                server.uri(),
                password.display().to_string()
            ),
        )
        .unwrap();
        let dir = home.path().to_path_buf();
        let output = tokio::task::spawn_blocking(move || {
            Command::new(assert_cmd::cargo::cargo_bin("circles"))
                .arg("--config")
                .arg(&config)
                .args(["people", "--scan", "--json"])
                .env("HOME", &dir)
                .env("XDG_DATA_HOME", dir.join("data"))
                .env_remove("CIRCLES_CONFIG")
                .output()
                .unwrap()
        })
        .await
        .unwrap();
        let (stdout, stderr) = (
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        );
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        let got: Vec<(String, String)> = classes(&stdout)
            .into_iter()
            .map(|(user, class)| (user.trim_end_matches(".bsky.social").to_string(), class))
            .collect();
        assert_eq!(
            got,
            [
                ("bob".to_string(), "inner".to_string()),
                ("carol".into(), "silent".into()),
                ("dan".into(), "unanswered".into()),
                ("erin".into(), "fan".into()),
            ],
            "{stdout}\n{stderr}"
        );
        let line = |user: &str| -> Value {
            stdout
                .lines()
                .map(|l| serde_json::from_str::<Value>(l).unwrap())
                .find(|v| v["accounts"][0] == format!("@{user}.bsky.social"))
                .unwrap()
        };
        let bob = line("bob");
        // bob's like came twice (a notification, getLikes): counted once.
        assert_eq!(
            (bob["in"]["favourite"].clone(), bob["in"]["reply"].clone()),
            (1.into(), 1.into()),
            "{bob}"
        );
        assert_eq!(
            (bob["out"]["favourite"].clone(), bob["out"]["reply"].clone()),
            (1.into(), 1.into()),
            "{bob}"
        );
        assert_eq!(line("erin")["in"]["favourite"], 3);
        assert_eq!(line("dan")["out"]["reply"], 5);
        assert!(
            stderr.contains("scanned sky: 2 followers, 2 following, 9 of your posts"),
            "{stderr}"
        );
    }
}

// ---- one person, several accounts ----

mod persons {
    use circles::filter::{explain, load, route};
    use circles::model::{Account, Network, Post};
    use circles::testkit::t0;

    const CONFIG: &str = r#"
[[person]]
name = "Alice"
accounts = ["@alice@hachyderm.io", "alice.bsky.social", "feed:alice.dev"]

[[column]]
name = "Core"
accounts = ["person:Alice"]

[[column]]
name = "Everyone else"
rest = true

[mute]
boosts_from = ["person:alice"]
"#;

    fn by(handle: &str, network: Network) -> Post {
        Post::new(
            "m",
            "1",
            Account::new(handle, "Alice", network),
            t0(),
            "hello",
        )
    }

    #[test]
    fn a_column_naming_a_person_takes_each_of_their_accounts_and_explain_says_so() {
        let rules = load(CONFIG, t0()).unwrap().rules;
        for (handle, network) in [
            ("@alice@hachyderm.io", Network::Mastodon),
            ("@alice.bsky.social", Network::Bluesky),
            ("feed:alice.dev", Network::Native),
        ] {
            assert_eq!(route(&rules, &by(handle, network)).columns, [0], "{handle}");
        }
        assert_eq!(
            route(&rules, &by("@bob@hachyderm.io", Network::Mastodon)).columns,
            [1]
        );
        let (_, why) = explain(&rules, &by("@alice.bsky.social", Network::Bluesky));
        assert!(
            why.contains(
                "accounts lists the author @alice.bsky.social (one of person:Alice's accounts)"
            ),
            "{why}"
        );
        let alice = rules.person_of("alice.bsky.social").unwrap();
        assert_eq!(alice.name, "Alice");
        assert_eq!(alice.keys.len(), 3);
    }

    fn key(state: &mut circles::app::AppState, c: char) -> Vec<circles::app::Effect> {
        circles::app::update(
            state,
            circles::app::Action::Key(circles::config::KeyChord::char(c)),
        )
    }

    /// A screen on CONFIG with one post by alice's Bluesky account.
    fn alice_on_screen() -> circles::app::AppState {
        use circles::app::{Action, update};
        use circles::model::SourceEvent;
        let mut state = circles::testkit::state(CONFIG).sources(&["m"]).build();
        update(
            &mut state,
            Action::Source(SourceEvent::Posts {
                source: "m".into(),
                posts: vec![by("@alice.bsky.social", Network::Bluesky)],
            }),
        );
        state
    }

    #[test]
    fn an_edit_on_one_of_a_persons_accounts_asks_this_one_or_all() {
        use circles::app::{Effect, Overlay};
        use circles::config::{Edit, KeyChord, NamedKey};
        let mut state = alice_on_screen();
        key(&mut state, 'm');
        let Overlay::Which {
            person, account, ..
        } = &state.overlay
        else {
            panic!("not asked: {:?}", state.overlay);
        };
        assert_eq!(
            (person.as_str(), account.entry.as_str()),
            ("Alice", "alice.bsky.social")
        );
        // 2: all of hers, then the mute menu as usual.
        key(&mut state, '2');
        let Overlay::MuteMenu { handle } = &state.overlay else {
            panic!("no mute menu: {:?}", state.overlay);
        };
        assert_eq!(handle.entry, "person:Alice");
        let effects = circles::app::update(
            &mut state,
            circles::app::Action::Key(KeyChord::named(NamedKey::Enter)),
        );
        let [
            Effect::Edit {
                edit:
                    Edit::MuteAccount {
                        handle,
                        until: None,
                    },
                ..
            },
        ] = &effects[..]
        else {
            panic!("{effects:?}");
        };
        // The edit writes `person:Alice`, and the file still compiles.
        let written = circles::config::apply(
            CONFIG,
            &Edit::MuteAccount {
                handle: handle.clone(),
                until: None,
            },
            t0(),
        )
        .unwrap();
        assert!(written.contains("\"person:Alice\""), "{written}");
        let rules = load(&written, t0()).unwrap().rules;
        let muted = route(&rules, &by("@alice@hachyderm.io", Network::Mastodon));
        assert!(muted.muted.is_some(), "{written}");
        // 1: this account only; esc: nothing.
        let mut state = alice_on_screen();
        key(&mut state, 'a');
        let effects = key(&mut state, '1');
        assert!(
            matches!(&effects[..], [Effect::Edit { edit: Edit::Amplify { handle }, .. }] if handle.entry == "alice.bsky.social"),
            "{effects:?}"
        );
        key(&mut state, 'a');
        let effects = circles::app::update(
            &mut state,
            circles::app::Action::Key(KeyChord::named(NamedKey::Esc)),
        );
        assert!(effects.is_empty());
        assert!(matches!(state.overlay, Overlay::None));
    }

    #[test]
    fn a_person_is_one_row_of_the_people_view() {
        use circles::model::people::{Direction, Engaged};
        use circles::people::{Ledger, rows};
        let rules = load(CONFIG, t0()).unwrap().rules;
        let ledger = Ledger {
            counts: vec![
                (
                    "alice@hachyderm.io".into(),
                    Direction::In,
                    Engaged::Reply,
                    2,
                ),
                (
                    "alice.bsky.social".into(),
                    Direction::In,
                    Engaged::Favourite,
                    3,
                ),
                (
                    "alice.bsky.social".into(),
                    Direction::Out,
                    Engaged::Reply,
                    1,
                ),
                (
                    "bob@hachyderm.io".into(),
                    Direction::In,
                    Engaged::Favourite,
                    1,
                ),
            ],
            ..Ledger::default()
        };
        let people = rows(&ledger, &rules, t0());
        assert_eq!(people.len(), 2, "{people:#?}");
        let alice = people.iter().find(|r| r.key == "person:Alice").unwrap();
        assert_eq!(alice.name, "Alice");
        assert_eq!(
            alice.accounts,
            ["@alice.bsky.social", "@alice@hachyderm.io"]
        );
        assert_eq!(alice.facts.inbound.total(), 5);
        assert_eq!(alice.facts.outbound.total(), 1);
        assert_eq!(alice.circles, ["Core"]);
    }

    #[test]
    fn a_cross_post_by_two_of_her_accounts_is_one_card_and_explain_says_merged() {
        use circles::app::{Action, update};
        use circles::model::SourceEvent;
        let mut state = circles::testkit::state(CONFIG).sources(&["m", "b"]).build();
        let mut first = by("@alice@hachyderm.io", Network::Mastodon);
        first.text = "Shipped v2 of the parser! https://example.com/a".into();
        let mut copy = by("@alice.bsky.social", Network::Bluesky);
        copy.id = "at://alice/post/1".into();
        copy.source = "b".into();
        copy.text = "shipped v2 of the parser https://bsky.link/x".into();
        copy.created_at = t0() + chrono::TimeDelta::minutes(3);
        // Hours later, the same words are another post.
        let mut later = copy.clone();
        later.id = "at://alice/post/2".into();
        later.created_at = t0() + chrono::TimeDelta::hours(3);
        for (source, post) in [("m", first), ("b", copy), ("b", later)] {
            update(
                &mut state,
                Action::Source(SourceEvent::Posts {
                    source: source.into(),
                    posts: vec![post],
                }),
            );
        }
        let core = state.timeline.column(0);
        assert_eq!(
            core.len(),
            2,
            "the copy within minutes merged, the later one not"
        );
        let merged = state
            .timeline
            .entries()
            .map(|(_, e)| e.post.clone())
            .find(|p| !p.also_as.is_empty())
            .unwrap();
        assert_eq!(merged.author.handle, "@alice@hachyderm.io");
        assert_eq!(merged.also_as[0].handle, "@alice.bsky.social");
        let (_, why) = explain(&state.rules, &merged);
        assert!(
            why.contains(
                "merged: @alice.bsky.social posted the same within minutes (person:Alice)"
            ),
            "{why}"
        );
        // Someone else's same words are theirs.
        let mut bob = by("@bob@hachyderm.io", Network::Mastodon);
        bob.id = "9".into();
        bob.text = "Shipped v2 of the parser!".into();
        update(
            &mut state,
            Action::Source(SourceEvent::Posts {
                source: "m".into(),
                posts: vec![bob],
            }),
        );
        assert_eq!(state.timeline.len(), 3);
    }

    #[test]
    fn person_mistakes_are_located() {
        let errors = |text: &str| -> Vec<String> {
            load(text, t0())
                .unwrap_err()
                .errors
                .iter()
                .map(|d| format!("{}: {}", d.line_col(text).unwrap().0, d.message))
                .collect()
        };
        assert_eq!(
            errors("[[column]]\nname = \"Core\"\naccounts = [\"person:Bob\"]\n"),
            ["3: there is no [[person]] named `Bob`; the config has no [[person]] table"]
        );
        let text = "[[person]]\nname = \"A\"\naccounts = [\"@a@x.social\"]\n\
                    [[person]]\nname = \"a\"\naccounts = [\"@b@x.social\"]\n\
                    [[person]]\nname = \"C\"\naccounts = [\"@a@x.social\", \"not a handle\"]\n\
                    [mute]\naccounts = [\"person:Z\"]\n";
        let got = errors(text);
        assert_eq!(got.len(), 4, "{got:?}");
        assert!(
            got[0].starts_with("5: there is already a person named `a`"),
            "{got:?}"
        );
        assert!(
            got[1].starts_with("9: @a@x.social is already one of A's accounts"),
            "{got:?}"
        );
        assert!(got[2].starts_with("9: "), "{got:?}");
        assert_eq!(
            got[3],
            "11: there is no [[person]] named `Z`; the config's people are: A, C"
        );
    }
}

// ---- suggested links: never made without the reader's word ----

mod suggested {
    use circles::app::{Action, Effect, Overlay, update};
    use circles::config::{Edit, KeyChord};
    use circles::filter::load;
    use circles::model::people::Known;
    use circles::people::{Ledger, suggestions};
    use circles::testkit::{self, t0};

    fn known(key: &str, handle: &str, name: &str, links: &[&str]) -> Known {
        Known {
            key: key.into(),
            handle: handle.into(),
            name: name.into(),
            links: links.iter().map(|l| l.to_string()).collect(),
            ..Known::default()
        }
    }

    fn ledger() -> Ledger {
        Ledger {
            accounts: vec![
                // Her Mastodon bio names her Bluesky handle.
                known(
                    "alice@hachyderm.io",
                    "@alice@hachyderm.io",
                    "Alice",
                    &["handle:alice.bsky.social"],
                ),
                known("alice.bsky.social", "@alice.bsky.social", "alice ✨", &[]),
                // Same name, both bios link the same page.
                known("bob@x.social", "@bob@x.social", "Bob Ng", &["url:bob.dev"]),
                known(
                    "bobng.bsky.social",
                    "@bobng.bsky.social",
                    "bob ng",
                    &["url:bob.dev"],
                ),
                // Same name, nothing shared: no suggestion.
                known(
                    "carol@x.social",
                    "@carol@x.social",
                    "Carol",
                    &["url:carol.dev"],
                ),
                known(
                    "carol.bsky.social",
                    "@carol.bsky.social",
                    "Carol",
                    &["url:other.dev"],
                ),
            ],
            ..Ledger::default()
        }
    }

    #[test]
    fn a_named_handle_or_a_shared_link_with_the_same_name_is_suggested() {
        let rules = load("", t0()).unwrap().rules;
        let got = suggestions(&ledger(), &rules);
        let pairs: Vec<(&str, Vec<String>)> = got
            .iter()
            .map(|s| (s.name.as_str(), s.accounts.clone()))
            .collect();
        assert_eq!(
            pairs,
            [
                (
                    "Alice",
                    vec![
                        "alice.bsky.social".to_string(),
                        "@alice@hachyderm.io".into()
                    ]
                ),
                (
                    "Bob Ng",
                    vec!["@bob@x.social".to_string(), "bobng.bsky.social".into()]
                ),
            ]
        );
        assert_eq!(
            got[0].why,
            "@alice@hachyderm.io's profile names @alice.bsky.social"
        );
        assert_eq!(got[1].why, "the same name, and both profiles link bob.dev");
        // Accounts already one person are not suggested again.
        let rules = load(
            "[[person]]\nname = \"Alice\"\naccounts = [\"@alice@hachyderm.io\", \"alice.bsky.social\"]\n",
            t0(),
        )
        .unwrap()
        .rules;
        assert_eq!(suggestions(&ledger(), &rules).len(), 1);
    }

    #[test]
    fn a_mastodon_account_s_bio_and_fields_give_its_links() {
        let json = r#"[{"id":"1","acct":"alice","display_name":"Alice","url":"https://hachyderm.io/@alice",
            "note":"<p>also <a href=\"https://bsky.app/profile/alice.bsky.social\">@alice.bsky.social</a></p>",
            "fields":[{"name":"blog","value":"<a href=\"https://alice.dev/\">alice.dev</a>","verified_at":null}],
            "statuses_count":5,"last_status_at":"2026-11-20","created_at":"2020-01-01T00:00:00.000Z"},
            {"not":"an account"}]"#;
        let (accounts, skipped) = circles::decode::mastodon::decode_accounts(json).unwrap();
        assert_eq!(skipped, 1);
        let (id, alice) = &accounts[0];
        assert_eq!(id, "1");
        assert_eq!(alice.key, "alice@hachyderm.io");
        assert_eq!(alice.posts, Some(5));
        assert_eq!(
            alice.last_post.unwrap().date_naive().to_string(),
            "2026-11-20"
        );
        assert!(
            alice
                .links
                .contains(&"handle:alice.bsky.social".to_string()),
            "{:?}",
            alice.links
        );
        assert!(
            alice.links.contains(&"url:alice.dev".to_string()),
            "{:?}",
            alice.links
        );
    }

    #[test]
    fn the_view_shows_a_suggestion_and_only_capital_l_links_them() {
        let mut state = testkit::state(super::view::CONFIG).size(120, 30).build();
        update(&mut state, Action::Key(KeyChord::char('P')));
        let effects = update(&mut state, Action::Ledger(Ok(Box::new(ledger()))));
        assert!(
            !effects.iter().any(|e| matches!(e, Effect::Edit { .. })),
            "nothing is linked unasked: {effects:?}"
        );
        let Overlay::People(view) = &state.overlay else {
            panic!("no view");
        };
        assert_eq!(view.suggestions.len(), 2);
        let effects = update(&mut state, Action::Key(KeyChord::char('L')));
        let [
            Effect::Edit {
                edit: Edit::Person { name, accounts },
                done,
            },
        ] = &effects[..]
        else {
            panic!("{effects:?}");
        };
        assert_eq!(name, "Alice");
        assert_eq!(accounts.len(), 2);
        assert!(done.contains("one person now: person:Alice"), "{done}");
        // The edit, applied to a commented config, adds the table and keeps
        // the rest as written; the result compiles and links the two.
        let text = "# mine\n[[column]]\nname = \"Core\" # the few\n";
        let written = circles::config::apply(
            text,
            &Edit::Person {
                name: name.clone(),
                accounts: accounts.clone(),
            },
            t0(),
        )
        .unwrap();
        assert!(written.starts_with(text), "{written}");
        let rules = load(&written, t0()).unwrap().rules;
        assert_eq!(rules.person_of("alice.bsky.social").unwrap().name, "Alice");
        assert_eq!(rules.person_of("alice@hachyderm.io").unwrap().name, "Alice");
        // Linking more accounts to a person adds to her table.
        let more = circles::config::apply(
            &written,
            &Edit::Person {
                name: "alice".into(),
                accounts: vec!["feed:alice.dev".into()],
            },
            t0(),
        )
        .unwrap();
        assert_eq!(more.matches("[[person]]").count(), 1, "{more}");
        assert_eq!(load(&more, t0()).unwrap().rules.persons[0].keys.len(), 3);
    }
}
