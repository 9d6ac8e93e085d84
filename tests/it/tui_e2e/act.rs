//! Acting from the keyboard, end to end: the real binary in a pty, alice's
//! home timeline on mastodon_mock (on 127.0.0.1), and the server asked
//! afterwards what alice did.

use super::Tui;
use crate::mastodon_mock::{Api, User};
use serde_json::Value;
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// A tokio runtime for the server's API calls, beside the sync pty.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

/// Alice's config: her home timeline on the mock with her token, one column.
fn alice_config(home: &TempDir, base: &str, alice: &User) -> String {
    let token = crate::common::secret_file(home.path(), "alice.token", &alice.token, 0o600);
    format!(
        "[[source]]\nname = \"mock\"\nkind = \"mastodon\"\ninstance = {base:?}\n\
         timeline = \"home\"\ntoken_file = {:?}\n\n[[column]]\nname = \"Home\"\nrest = true\n",
        token.display().to_string()
    )
}

/// Waits until `pred` holds for the status as alice sees it.
fn wait_for_status(
    rt: &tokio::runtime::Runtime,
    api: &Api,
    alice: &User,
    id: &str,
    what: &str,
    pred: impl Fn(&Value) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let status = rt.block_on(api.status(alice, id));
        if pred(&status) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the server never showed {what}: {status}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Alice and bob on a fresh mastodon_mock, bob's post `text` shown in
/// alice's circles (her home timeline, live) in a `size` pty.
struct Scene {
    rt: tokio::runtime::Runtime,
    server: crate::mastodon_mock::Server,
    api: Api,
    alice: User,
    /// Bob's post.
    id: String,
    tui: Tui,
}

fn alice_sees_bobs(text: &str, size: (u16, u16)) -> Scene {
    let rt = runtime();
    let (server, api) = rt.block_on(Api::start());
    let (alice, bob) = rt.block_on(api.alice_and_bob());
    let id = rt.block_on(api.post(&bob, text));
    let home = TempDir::new().unwrap();
    let config = alice_config(&home, &server.base, &alice);
    let tui = Tui::with_env(home, size, Some(&config), &[]);
    tui.wait_for("bob's post", |s| {
        s.contains(text) && s.contains("mock live")
    });
    Scene {
        rt,
        server,
        api,
        alice,
        id,
        tui,
    }
}

#[test]
fn f_t_and_capital_b_favourite_boost_and_bookmark_on_the_server_and_undo_there_too() {
    let Scene {
        rt,
        server,
        api,
        alice,
        id,
        mut tui,
    } = alice_sees_bobs("bob's post, worth a star", (100, 24));

    tui.send("f");
    tui.wait_for("the star on the card", |s| s.contains('★'));
    wait_for_status(&rt, &api, &alice, &id, "the favourite", |s| {
        s["favourited"] == true
    });
    tui.send("t");
    wait_for_status(&rt, &api, &alice, &id, "the boost", |s| {
        s["reblogged"] == true
    });
    tui.send("B");
    wait_for_status(&rt, &api, &alice, &id, "the bookmark", |s| {
        s["bookmarked"] == true
    });
    tui.wait_for("all three marks and the counts", |s| {
        s.contains("★ ↻ 🔖") && s.contains("1 boost · 1 favourite")
    });

    // Each toggle undone is undone on the server too.
    tui.send("f");
    wait_for_status(&rt, &api, &alice, &id, "no favourite", |s| {
        s["favourited"] == false
    });
    tui.send("t");
    wait_for_status(&rt, &api, &alice, &id, "no boost", |s| {
        s["reblogged"] == false
    });
    tui.send("B");
    wait_for_status(&rt, &api, &alice, &id, "no bookmark", |s| {
        s["bookmarked"] == false
    });
    tui.wait_for("the marks gone", |s| {
        s.contains("worth a star") && !s.contains('★') && !s.contains('🔖')
    });
    assert!(
        server.requests("POST /api/v1/statuses/") >= 6,
        "{}",
        server.log()
    );
    tui.quit();
}

#[test]
fn a_refused_favourite_puts_the_card_back_and_says_why() {
    let Scene {
        rt,
        api,
        alice,
        id,
        mut tui,
        // Kept: the server lives as long as the binding.
        server: _server,
    } = alice_sees_bobs("a post alice cannot star", (120, 24));
    let scope = serde_json::json!({ "type": "status", "status": 403,
        "body": { "error": "This action is outside the authorized scopes" } });
    rt.block_on(api.fault(
        "POST",
        &format!("/api/v1/statuses/{id}/favourite"),
        scope,
        1,
    ));
    tui.send("f");
    // Too long for the bar: it wraps onto the rows above it, whole.
    let screen = tui.wait_for("the refusal", |s| s.contains("403"));
    let said = screen
        .split("✗ favourite")
        .nth(1)
        .unwrap_or_default()
        .replace('\n', " ");
    assert!(said.contains("outside the authorized scopes"), "{screen}");
    assert!(said.contains("circles login mastodon"), "{screen}");
    assert!(said.contains("as it was"), "nothing of it is cut: {screen}");
    tui.wait_for("the card as it was", |s| !s.contains('★'));
    let seen = rt.block_on(api.status(&alice, &id));
    assert_eq!(seen["favourited"], false, "{seen}");
    tui.quit();
}

/// The statuses of `who`, newest first, as the server has them.
fn statuses_of(rt: &tokio::runtime::Runtime, api: &Api, who: &User) -> Vec<Value> {
    let url = format!("{}/api/v1/accounts/{}/statuses", api.base, who.id);
    let answer = rt.block_on(async {
        api.http
            .get(url)
            .bearer_auth(&who.token)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    });
    answer.as_array().cloned().unwrap_or_default()
}

#[test]
fn r_text_and_ctrl_s_reply_to_bob_and_n_posts_a_new_one_that_shows_at_once() {
    let Scene {
        rt,
        server: _server,
        api,
        alice,
        id,
        mut tui,
    } = alice_sees_bobs("anyone up for a walk?", (100, 30));

    tui.send("r");
    tui.wait_for("the compose overlay", |s| s.contains("Reply from mock"));
    tui.send("count me in");
    tui.wait_for("the text typed", |s| s.contains("count me in"));
    tui.send("\x13"); // ctrl-s
    tui.wait_for("the confirmation", |s| s.contains("replied to @bob"));
    let deadline = Instant::now() + Duration::from_secs(10);
    let reply = loop {
        let found = statuses_of(&rt, &api, &alice).into_iter().find(|s| {
            s["content"]
                .as_str()
                .is_some_and(|c| c.contains("count me in"))
        });
        if let Some(found) = found {
            break found;
        }
        assert!(
            Instant::now() < deadline,
            "the reply never reached the server"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(reply["in_reply_to_id"], Value::from(id), "{reply}");
    let content = reply["content"].as_str().unwrap();
    assert!(
        content.contains("@bob"),
        "the author is mentioned: {content}"
    );

    tui.send("n");
    tui.wait_for("a new post", |s| s.contains("New post from mock"));
    tui.send("a brand new thought");
    tui.send("\x13");
    tui.wait_for("the new post in the column", |s| {
        !s.contains("New post from mock") && s.contains("a brand new thought")
    });
    let posted = statuses_of(&rt, &api, &alice);
    assert!(
        posted.iter().any(|s| s["content"]
            .as_str()
            .is_some_and(|c| c.contains("brand new"))),
        "{posted:?}"
    );
    tui.quit();
}

#[test]
fn capital_q_quotes_bob_and_the_quote_shows_his_post_inside_the_card() {
    let Scene {
        rt,
        server: _server,
        api,
        alice,
        id,
        mut tui,
    } = alice_sees_bobs("attention is given, not owed", (100, 30));
    tui.send("Q");
    tui.wait_for("the compose overlay", |s| s.contains("Quote from mock"));
    tui.send("so much this");
    tui.wait_for("the text typed", |s| s.contains("so much this"));
    tui.send("\x13"); // ctrl-s
    tui.wait_for("the quote in the column, bob's post inside it", |s| {
        !s.contains("Quote from mock")
            && s.contains("so much this")
            && s.contains("┃ attention is given, not owed")
            && s.contains("┃ ❝")
    });
    let quote = statuses_of(&rt, &api, &alice)
        .into_iter()
        .find(|s| {
            s["content"]
                .as_str()
                .is_some_and(|c| c.contains("so much this"))
        })
        .expect("the quote reached the server");
    assert_eq!(
        quote["quote"]["quoted_status"]["id"],
        Value::from(id),
        "{quote}"
    );
    tui.quit();
}

#[test]
fn a_draft_survives_a_quit_and_comes_back_at_the_next_start() {
    let rt = runtime();
    let (server, api) = rt.block_on(Api::start());
    let (alice, _bob) = rt.block_on(api.alice_and_bob());
    let home = TempDir::new().unwrap();
    let config = alice_config(&home, &server.base, &alice);
    let mut tui = Tui::with_env(home, (100, 30), Some(&config), &[]);
    tui.wait_for("the source", |s| s.contains("mock live"));
    tui.send("n");
    tui.wait_for("a new post", |s| s.contains("New post from mock"));
    tui.send("half written, not sent");
    tui.wait_for("the text typed", |s| s.contains("half written"));
    // ctrl-c quits from anywhere, the overlay open.
    tui.send("\x03");
    assert!(tui.wait_exit().success());
    let home = std::mem::replace(&mut tui.home, TempDir::new().unwrap());
    drop(tui);
    let mut tui = Tui::with_env(home, (100, 30), None, &[]);
    tui.wait_for_status("the offer", |s| s.contains("unsent post from last time"));
    tui.send("n");
    tui.wait_for("the draft back", |s| s.contains("half written, not sent"));
    // esc asks first; y throws it away.
    tui.send("\x1b");
    tui.wait_for("the question", |s| s.contains("throw the draft away?"));
    tui.send("y");
    tui.wait_for("the overlay gone", |s| !s.contains("New post from"));
    tui.quit();
}

#[test]
fn capital_t_shows_the_parent_above_the_reply() {
    let rt = runtime();
    let (server, api) = rt.block_on(Api::start());
    let (alice, bob) = rt.block_on(api.alice_and_bob());
    let root = rt.block_on(api.post(&alice, "what is everyone reading this week?"));
    // Bob answers alice; alice's home timeline shows bob's answer.
    let answer = rt.block_on(async {
        api.http
            .post(format!("{}/api/v1/statuses", api.base))
            .bearer_auth(&bob.token)
            .form(&[
                ("status", "@alice a book on parsers"),
                ("in_reply_to_id", root.as_str()),
            ])
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    });
    assert!(answer["id"].is_string(), "{answer}");
    let home = TempDir::new().unwrap();
    let config = alice_config(&home, &server.base, &alice);
    let mut tui = Tui::with_env(home, (100, 30), Some(&config), &[]);
    tui.wait_for("bob's answer", |s| {
        s.contains("a book on parsers") && s.contains("mock live")
    });
    // Select bob's answer (the newest) and open its thread.
    tui.send("g");
    tui.send("T");
    let screen = tui.wait_for("the thread with the parent", |s| {
        s.contains("Thread · 2 post(s)") && s.contains("what is everyone reading")
    });
    let rows: Vec<&str> = screen.lines().collect();
    let row = |text: &str| rows.iter().position(|r| r.contains(text)).unwrap();
    assert!(
        row("what is everyone reading") < row("a book on parsers"),
        "{screen}"
    );
    tui.send("\x1b");
    tui.wait_for("the thread closed", |s| !s.contains("Thread ·"));
    tui.quit();
}

#[test]
fn the_palette_favourites_as_a_second_account_and_the_card_keeps_alices_marks() {
    let rt = runtime();
    let (server, api) = rt.block_on(Api::start());
    let (alice, bob) = rt.block_on(api.alice_and_bob());
    let carol = rt.block_on(async { api.sign_up(&api.app_token().await, "carol").await });
    let id = rt.block_on(api.post(&bob, "a post for two accounts"));
    let home = TempDir::new().unwrap();
    let token = crate::common::secret_file(home.path(), "carol.token", &carol.token, 0o600);
    // Alice's home, and carol's account on the same server as a second
    // source that reads her notifications (none): bob's post comes from
    // alice's home only.
    let config = format!(
        "{}\n[[source]]\nname = \"work\"\nkind = \"mastodon\"\ninstance = {:?}\n\
         timeline = \"notifications\"\ntoken_file = {:?}\n",
        alice_config(&home, &server.base, &alice),
        server.base,
        token.display().to_string()
    );
    let mut tui = super::Tui::with_env(home, (120, 30), Some(&config), &[]);
    tui.wait_for("bob's post", |s| {
        s.contains("a post for two accounts") && s.contains("mock live")
    });
    tui.send("\x10"); // ctrl-p
    tui.wait_for("the palette", |s| s.contains("favourite as work"));
    tui.send("favourite as work");
    tui.send("\r");
    tui.wait_for("the confirmation", |s| s.contains("favourited as work"));
    let as_carol = rt.block_on(api.status(&carol, &id));
    assert_eq!(as_carol["favourited"], true, "{as_carol}");
    let as_alice = rt.block_on(api.status(&alice, &id));
    assert_eq!(as_alice["favourited"], false, "{as_alice}");
    let screen = tui.text();
    assert!(!screen.contains('★'), "alice's card has no star: {screen}");
    tui.quit();
}

#[test]
fn bobs_favourite_boost_reply_and_follow_arrive_as_cards_in_alices_notifications() {
    let rt = runtime();
    let (server, api) = rt.block_on(Api::start());
    let (alice, bob) = rt.block_on(api.alice_and_bob());
    let mine = rt.block_on(api.post(&alice, "attention is given, not owed"));
    let home = TempDir::new().unwrap();
    let token = crate::common::secret_file(home.path(), "alice.token", &alice.token, 0o600);
    let config = format!(
        "[[source]]\nname = \"mock\"\nkind = \"mastodon\"\ninstance = {:?}\n\
         timeline = \"notifications\"\ntoken_file = {:?}\npoll = \"1h\"\n\n\
         [[column]]\nname = \"Notifications\"\nnotifications = true\n",
        server.base,
        token.display().to_string()
    );
    let mut tui = Tui::with_env(home, (100, 30), Some(&config), &[]);
    tui.wait_for("the source live", |s| s.contains("mock live"));
    // Over the stream, one after another.
    rt.block_on(async {
        api.as_user(&bob, &format!("statuses/{mine}/favourite"), &[])
            .await;
        api.as_user(&bob, &format!("statuses/{mine}/reblog"), &[])
            .await;
        api.as_user(
            &bob,
            "statuses",
            &[
                ("status", "@alice agreed, both ways"),
                ("in_reply_to_id", &mine),
            ],
        )
        .await;
    });
    let carol = rt.block_on(async { api.sign_up(&api.app_token().await, "carol").await });
    rt.block_on(api.follow(&carol, &alice));
    let screen = tui.wait_for("four cards", |s| {
        s.contains("favourited your post")
            && s.contains("boosted your post")
            && s.contains("replied")
            && s.contains("followed you")
    });
    assert!(
        screen.contains("agreed, both ways"),
        "the reply's text: {screen}"
    );
    assert!(
        screen.contains("“attention is given, not owed”"),
        "the post favourited: {screen}"
    );
    assert!(screen.contains("Notifications (4)"), "{screen}");
    assert!(
        server.requests("GET /api/v2/notifications") >= 1,
        "read back grouped: {}",
        server.log()
    );
    tui.quit();
}

/// Alice's home marker as the server keeps it.
fn home_marker(rt: &tokio::runtime::Runtime, api: &Api, alice: &User) -> Option<String> {
    let markers: Value = rt.block_on(async {
        api.http
            .get(format!("{}/api/v1/markers?timeline[]=home", api.base))
            .bearer_auth(&alice.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    markers["home"]["last_read_id"].as_str().map(str::to_string)
}

#[test]
fn the_home_read_marker_moves_both_ways_between_the_server_and_circles() {
    let rt = runtime();
    let (server, api) = rt.block_on(Api::start());
    let (alice, bob) = rt.block_on(api.alice_and_bob());
    let ids: Vec<String> = (1..=6)
        .map(|n| rt.block_on(api.post(&bob, &format!("bob's note number {n}"))))
        .collect();
    // Read up to the third in the web client, before circles starts.
    rt.block_on(api.as_user(&alice, "markers", &[("home[last_read_id]", &ids[2])]));
    let home = TempDir::new().unwrap();
    let token = crate::common::secret_file(home.path(), "alice.token", &alice.token, 0o600);
    // The first column has the focus and shows nothing, so nothing is
    // read here until the test moves to Home.
    let config = format!(
        "[[source]]\nname = \"mock\"\nkind = \"mastodon\"\ninstance = {:?}\n\
         timeline = \"home\"\ntoken_file = {:?}\npoll = \"5s\"\n\n\
         [[column]]\nname = \"Core\"\naccounts = [\"@nobody@example.test\"]\n\n\
         [[column]]\nname = \"Home\"\nrest = true\n",
        server.base,
        token.display().to_string()
    );
    let mut tui = Tui::with_env(home, (120, 40), Some(&config), &[]);
    tui.wait_for("three read on the server, three unread here", |s| {
        s.contains("Home (3)") && s.contains("mock live")
    });
    // Read two more in the web client: circles asks every `poll`.
    rt.block_on(api.as_user(&alice, "markers", &[("home[last_read_id]", &ids[4])]));
    tui.wait_for("the web client's read position", |s| s.contains("Home (1)"));
    assert_eq!(home_marker(&rt, &api, &alice).as_deref(), Some(&*ids[4]));

    // The reverse: alice reads the newest in circles, and the server's
    // marker follows a moment later.
    tui.send("l");
    tui.wait_for("everything read", |s| {
        s.contains(" Home ") && !s.contains("Home (")
    });
    let deadline = Instant::now() + Duration::from_secs(15);
    while home_marker(&rt, &api, &alice).as_deref() != Some(&*ids[5]) {
        assert!(
            Instant::now() < deadline,
            "the marker stayed at {:?}: {}",
            home_marker(&rt, &api, &alice),
            server.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        server.requests("POST /api/v1/markers"),
        1 + 2,
        "the test's two and circles' one: {}",
        server.log()
    );
    tui.quit();
}

/// In bob's profile, `j` selects one of his recent posts and `f`
/// favourites that post on the server: the keys that act on a post act on
/// the one selected there.
#[test]
fn in_the_profile_j_selects_a_recent_post_and_f_favourites_it_on_the_server() {
    let rt = runtime();
    let (server, api) = rt.block_on(Api::start());
    let (alice, bob) = rt.block_on(api.alice_and_bob());
    let older = rt.block_on(api.post(&bob, "an older thought about parsers"));
    rt.block_on(api.post(&bob, "the newest one, on screen"));
    let home = TempDir::new().unwrap();
    let config = alice_config(&home, &server.base, &alice);
    let mut tui = Tui::with_env(home, (100, 30), Some(&config), &[]);
    tui.wait_for("bob's posts", |s| {
        s.contains("the newest one, on screen") && s.contains("mock live")
    });
    tui.send("g");
    tui.send("p");
    tui.wait_for("bob's profile with his recent posts", |s| {
        s.contains("Profile —") && s.contains("Recent posts") && s.contains("an older thought")
    });
    // The newest is first among the recent posts; the older one second.
    tui.send("j");
    tui.send("j");
    tui.send("f");
    wait_for_status(
        &rt,
        &api,
        &alice,
        &older,
        "the favourite on the older post",
        |s| s["favourited"] == true,
    );
    tui.wait_for("the star in the profile", |s| s.contains('★'));
    tui.send("\x1b");
    tui.wait_for("the profile closed", |s| !s.contains("Profile —"));
    tui.quit();
}
