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

#[test]
fn f_t_and_capital_b_favourite_boost_and_bookmark_on_the_server_and_undo_there_too() {
    let rt = runtime();
    let (server, api) = rt.block_on(Api::start());
    let (alice, bob) = rt.block_on(api.alice_and_bob());
    let id = rt.block_on(api.post(&bob, "bob's post, worth a star"));
    let home = TempDir::new().unwrap();
    let config = alice_config(&home, &server.base, &alice);
    let mut tui = Tui::with_env(home, (100, 24), Some(&config), &[]);
    tui.wait_for("bob's post", |s| {
        s.contains("worth a star") && s.contains("mock live")
    });

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
    let rt = runtime();
    let (server, api) = rt.block_on(Api::start());
    let (alice, bob) = rt.block_on(api.alice_and_bob());
    let id = rt.block_on(api.post(&bob, "a post alice cannot star"));
    let scope = serde_json::json!({ "type": "status", "status": 403,
        "body": { "error": "This action is outside the authorized scopes" } });
    rt.block_on(api.fault(
        "POST",
        &format!("/api/v1/statuses/{id}/favourite"),
        scope,
        1,
    ));
    let home = TempDir::new().unwrap();
    let config = alice_config(&home, &server.base, &alice);
    let mut tui = Tui::with_env(home, (120, 24), Some(&config), &[]);
    tui.wait_for("bob's post", |s| {
        s.contains("cannot star") && s.contains("mock live")
    });
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
