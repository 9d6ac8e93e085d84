//! Every column kind end to end (issue 20): the real binary in a pty on
//! alice's account on mastodon_mock, a list by its title, one account's
//! posts, her bookmarks and her favourites each in a column of its own,
//! and `L` making a column of one of her lists.

use super::Tui;
use crate::mastodon_mock::{Api, User};
use tempfile::TempDir;

/// A `[[source]]` reading `timeline` as alice, and a column of it.
fn source_and_column(name: &str, timeline: &str, base: &str, token: &str) -> String {
    format!(
        "[[source]]\nname = \"{name}\"\nkind = \"mastodon\"\ninstance = {base:?}\n\
         timeline = \"{timeline}\"\ntoken_file = {token:?}\n\n\
         [[column]]\nname = \"{name}\"\nsources = [\"{name}\"]\n\n"
    )
}

fn token_file(home: &TempDir, alice: &User) -> String {
    crate::common::secret_file(home.path(), "alice.token", &alice.token, 0o600)
        .display()
        .to_string()
}

#[test]
fn a_list_an_account_bookmarks_and_favourites_each_fill_a_column() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (server, api) = rt.block_on(Api::start());
    let (alice, bob) = rt.block_on(api.alice_and_bob());
    let (carol, dan, erin) = rt.block_on(async {
        let app = api.app_token().await;
        (
            api.sign_up(&app, "carol").await,
            api.sign_up(&app, "dan").await,
            api.sign_up(&app, "erin").await,
        )
    });
    rt.block_on(async {
        crate::mastodon_mock::list_with(&api, &alice, &bob, "Friends").await;
        api.post(&bob, "bob on the friends list").await;
        api.post(&carol, "carol in her own words").await;
        let kept = api.post(&dan, "dan worth keeping").await;
        let liked = api.post(&erin, "erin worth a star").await;
        api.as_user(&alice, &format!("statuses/{kept}/bookmark"), &[])
            .await;
        api.as_user(&alice, &format!("statuses/{liked}/favourite"), &[])
            .await;
    });
    let home = TempDir::new().unwrap();
    let token = token_file(&home, &alice);
    let config: String = [
        ("Friends", "list:Friends"),
        ("Carol", "user:@carol"),
        ("Kept", "bookmarks"),
        ("Stars", "favourites"),
    ]
    .iter()
    .map(|(name, timeline)| source_and_column(name, timeline, &server.base, &token))
    .collect();
    let tui = Tui::with_env(home, (200, 40), Some(&config), &[]);
    let screen = tui.wait_for("each column's post", |s| {
        [
            "bob on the friends list",
            "carol in her own words",
            "dan worth keeping",
            "erin worth a star",
        ]
        .iter()
        .all(|text| s.contains(text))
    });
    // Each in its own column: the column's header and its post share
    // their left edge.
    let rows: Vec<&str> = screen.lines().collect();
    for (column, text) in [
        ("Friends", "bob on the friends list"),
        ("Carol", "carol in her own words"),
        ("Kept", "dan worth keeping"),
        ("Stars", "erin worth a star"),
    ] {
        let header = rows[0].find(&format!("╭ {column}")).expect(column);
        let header = rows[0][..header].chars().count();
        let at = rows
            .iter()
            .find_map(|r| r.find(text).map(|i| r[..i].chars().count()))
            .unwrap();
        assert!(
            at > header && at < header + 50,
            "{text} at {at}, {column} at {header}:\n{screen}"
        );
    }
    // The list is named as the server names it.
    tui.wait_for_status("the list's title", |s| s.contains("Friends “Friends”"));
}

#[test]
fn capital_l_makes_a_column_of_a_list_u_takes_it_back_and_words_make_a_search() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (server, api) = rt.block_on(Api::start());
    let (alice, bob) = rt.block_on(api.alice_and_bob());
    rt.block_on(async {
        crate::mastodon_mock::list_with(&api, &alice, &bob, "Friends").await;
        api.post(&bob, "bob on the friends list").await;
        api.post(&bob, "a tomato release today").await;
    });
    let home = TempDir::new().unwrap();
    let token = token_file(&home, &alice);
    let config = format!(
        "# alice's circles\n[[source]]\nname = \"mock\"\nkind = \"mastodon\"\n\
         instance = {:?}\ntimeline = \"home\"\ntoken_file = {token:?}  # hers\n\n\
         [[column]]\nname = \"Home\"\nrest = true\n",
        server.base
    );
    let mut tui = Tui::with_env(home, (160, 30), Some(&config), &[]);
    tui.wait_for("the home timeline", |s| s.contains("mock live"));
    tui.send("L");
    tui.wait_for("alice's lists", |s| s.contains("list    Friends  mock"));
    tui.send("\r");
    tui.wait_for("the new column with bob's post", |s| {
        s.contains("╭ Friends") && s.contains("bob on the friends list")
    });
    let written = tui.read_config();
    // The copy goes after the sources, the column after the columns; what
    // was there is kept as written.
    let (sources, columns) = config.split_once("\n\n[[column]]").unwrap();
    assert!(written.starts_with(sources), "{written}");
    assert!(
        written.contains(&format!("[[column]]{columns}")),
        "{written}"
    );
    let copy = written.split("[[source]]").nth(2).unwrap_or_default();
    assert!(
        copy.contains("name = \"list-friends\"")
            && copy.contains("timeline = \"list:Friends\"")
            && copy.contains("token_file = "),
        "{written}"
    );
    assert!(
        written.ends_with("[[column]]\nname = \"Friends\"\nsources = [\"list-friends\"]\n"),
        "{written}"
    );
    tui.send("u");
    tui.wait_for("the column gone", |s| !s.contains("╭ Friends"));
    assert_eq!(tui.read_config(), config, "undo restores every byte");
    // Words typed make a search column instead.
    tui.send("L");
    tui.wait_for("alice's lists", |s| s.contains("list    Friends  mock"));
    tui.send("tomato");
    tui.wait_for("the search offered", |s| {
        s.contains("“tomato”: a search column")
    });
    tui.send("\r");
    tui.wait_for("the search column with its post", |s| {
        s.contains("╭ Search: tomato") && s.contains("a tomato release today")
    });
    assert!(
        tui.read_config().contains("timeline = \"search:tomato\""),
        "{}",
        tui.read_config()
    );
}

#[test]
fn an_unknown_list_title_is_said_at_its_place_in_the_config_with_the_real_lists() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (server, api) = rt.block_on(Api::start());
    let (alice, bob) = rt.block_on(api.alice_and_bob());
    rt.block_on(async {
        crate::mastodon_mock::list_with(&api, &alice, &bob, "Friends").await;
        crate::mastodon_mock::list_with(&api, &alice, &bob, "Work").await;
    });
    let home = TempDir::new().unwrap();
    let token = token_file(&home, &alice);
    let config = format!(
        "[[source]]\nname = \"mock\"\nkind = \"mastodon\"\ninstance = {:?}\n\
         timeline = \"list:Family\"\ntoken_file = {token:?}\n\n\
         [[column]]\nname = \"Family\"\nrest = true\n",
        server.base
    );
    let mut tui = Tui::with_env(home, (160, 30), Some(&config), &[]);
    tui.wait_for_status("the source failed", |s| s.contains("mock failed"));
    tui.send("I");
    let place = format!(
        "{}:5:12: timeline = \"list:Family\"",
        tui.config_path().display()
    );
    let screen = tui.wait_for("the reason in full", |s| s.contains("its lists are"));
    let flat: String = screen
        .lines()
        .map(|l| l.trim_matches(['│', ' ']))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(flat.contains(&place), "{place}\n{screen}");
    assert!(
        flat.contains("has no list titled “Family”; its lists are “Friends”, “Work”"),
        "{screen}"
    );
}
