//! Router tests: every rule kind, every precedence step (README, "The config"), and
//! properties over generated posts.

use chrono::{DateTime, TimeZone, Utc};
use circles::decode::decode;
use circles::filter::{
    Because, Fired, MuteReason, Narrowing, Router, Rules, Verdict, Who, explain, load, route,
};
use circles::model::Post;
use circles::testkit::post;
use proptest::prelude::*;

const CONFIG: &str = r##"
[me]
handles = ["@jane@mastodon.social", "jane.bsky.social", "did:plc:janejanejanejanejane7x"]

[[source]]
name = "home"
kind = "jsonl"
path = "-"

[[source]]
name = "blogs"
kind = "feed"
urls = ["https://blog.example.org/feed.xml"]

[[column]]
name = "Core"
accounts = ["@alice@hachyderm.io", "bob.bsky.social", "did:plc:carolcarolcarolcarolcaro"]

[[column]]
name = "Mentions"
mentions_me = true

[[column]]
name = "Alerts"
keywords = ["Jane Doe", "AcmeCo", "東京"]
regex = ['(?i)\bcircles?-tui\b']

[[column]]
name = "Rust"
hashtags = ["#rust", "RustLang"]
exclude_keywords = ["crypto"]
boosts = false

[[column]]
name = "Threads"
accounts = ["@alice@hachyderm.io"]
replies = false

[[column]]
name = "German"
sources = ["blogs"]
languages = ["de"]

[[column]]
name = "Pictures"
hashtags = ["photo"]
media_only = true

[[column]]
name = "Everyone else"
rest = true
style = "dim"

[mute]
accounts = ["@loud@example.social"]
keywords = ["NFT"]
regex = ['(?i)\bairdrop\b']
boosts_from = ["@reposter@mastodon.social"]

[mute.until]
"@grumpy@mastodon.social" = 2026-11-23T10:00:00Z
"@formerly@mastodon.social" = 2026-11-01T00:00:00Z

[amplify]
accounts = ["@alice@hachyderm.io", "@zed@example.social"]
"##;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
}

fn rules() -> Rules {
    load(CONFIG, now()).expect("test config compiles").rules
}

/// When the test posts were written: an hour before the rules' clock.
fn eleven() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 11, 0, 0).unwrap()
}

fn names(rules: &Rules, verdict: &Verdict) -> Vec<String> {
    verdict
        .columns
        .iter()
        .map(|&c| rules.columns[usize::from(c)].name.clone())
        .collect()
}

fn columns_of(rules: &Rules, p: &Post) -> Vec<String> {
    names(rules, &route(rules, p))
}

#[test]
fn include_rules_each_take_posts() {
    let r = rules();
    let cases: Vec<(Post, Vec<&str>)> = vec![
        (
            post("1", "@Alice@Hachyderm.io")
                .at(eleven())
                .source("home")
                .text("hello")
                .build(),
            vec!["Core", "Threads"],
        ),
        (
            post("1", "bob.bsky.social")
                .at(eleven())
                .source("home")
                .text("hi")
                .build(),
            vec!["Core"],
        ),
        (
            post("1", "@someone@x.social")
                .at(eleven())
                .source("home")
                .text("hi")
                .boosted_by("@bob.bsky.social")
                .build(),
            vec!["Core"],
        ),
        (
            post("1", "@carol.example")
                .at(eleven())
                .source("home")
                .text("hi")
                .did("did:plc:carolcarolcarolcarolcaro")
                .build(),
            vec!["Core"],
        ),
        (
            post("1", "@x@x.social")
                .at(eleven())
                .source("home")
                .text("hey")
                .mentions(&["@jane@mastodon.social"])
                .build(),
            vec!["Mentions"],
        ),
        (
            post("1", "@x@x.social")
                .at(eleven())
                .source("home")
                .text("hey")
                .reply_to("9", Some("jane.bsky.social"))
                .build(),
            vec!["Mentions"],
        ),
        (
            post("1", "jane.bsky.social")
                .at(eleven())
                .source("home")
                .text("my own thread")
                .reply_to("9", Some("jane.bsky.social"))
                .build(),
            vec!["Everyone else"],
        ),
        (
            post("1", "@x@x.social")
                .at(eleven())
                .source("home")
                .text("Met JANE DOE today")
                .build(),
            vec!["Alerts"],
        ),
        (
            post("1", "@x@x.social")
                .at(eleven())
                .source("home")
                .text("私は東京に住んでいます")
                .build(),
            vec!["Alerts"],
        ),
        (
            post("1", "@x@x.social")
                .at(eleven())
                .source("home")
                .text("try Circles-TUI now")
                .build(),
            vec!["Alerts"],
        ),
        (
            post("1", "@x@x.social")
                .at(eleven())
                .source("home")
                .text("AcmeCorp is different")
                .build(),
            vec!["Everyone else"],
        ),
        (
            post("1", "@x@x.social")
                .at(eleven())
                .source("home")
                .text("hi")
                .hashtags(&["RUST"])
                .build(),
            vec!["Rust"],
        ),
        (
            post("1", "@x@x.social")
                .at(eleven())
                .source("home")
                .text("hi")
                .hashtags(&["rustlang"])
                .build(),
            vec!["Rust"],
        ),
        (
            post("1", "@x@x.social")
                .at(eleven())
                .source("blogs")
                .text("guten Tag")
                .language("de-AT")
                .build(),
            vec!["German"],
        ),
        (
            post("1", "@x@x.social")
                .at(eleven())
                .source("home")
                .text("pic")
                .hashtags(&["photo"])
                .image("a lake")
                .build(),
            vec!["Pictures"],
        ),
        (
            post("1", "@nobody@x.social")
                .at(eleven())
                .source("home")
                .text("plain")
                .build(),
            vec!["Everyone else"],
        ),
    ];
    for (p, want) in cases {
        assert_eq!(columns_of(&r, &p), want, "{} {:?}", p.author.handle, p.text);
    }
}

#[test]
fn keywords_read_the_content_warning_and_alt_text() {
    let r = rules();
    let in_cw = post("1", "@x@x.social")
        .at(eleven())
        .source("home")
        .text("nothing here")
        .cw("about AcmeCo")
        .build();
    let in_alt = post("1", "@x@x.social")
        .at(eleven())
        .source("home")
        .text("nothing here")
        .image("Jane Doe on stage")
        .build();
    assert_eq!(columns_of(&r, &in_cw), vec!["Alerts"]);
    assert_eq!(columns_of(&r, &in_alt), vec!["Alerts"]);
}

#[test]
fn narrowing_rules_each_exclude() {
    let r = rules();
    let cases: Vec<(Post, Vec<&str>, Narrowing)> = vec![
        (
            post("1", "@x@x.social")
                .at(eleven())
                .source("home")
                .text("rust crypto scheme")
                .hashtags(&["rust"])
                .build(),
            vec!["Everyone else"],
            Narrowing::ExcludeKeyword(0),
        ),
        (
            post("1", "@x@x.social")
                .at(eleven())
                .source("home")
                .text("rust")
                .hashtags(&["rust"])
                .boosted_by("@y@y.social")
                .build(),
            vec!["Everyone else"],
            Narrowing::Boost,
        ),
        (
            post("1", "@alice@hachyderm.io")
                .at(eleven())
                .source("home")
                .text("re")
                .reply_to("5", None)
                .build(),
            vec!["Core"],
            Narrowing::Reply,
        ),
        (
            post("1", "@x@x.social")
                .at(eleven())
                .source("blogs")
                .text("hello")
                .language("en")
                .build(),
            vec!["Everyone else"],
            Narrowing::Language,
        ),
        (
            post("1", "@x@x.social")
                .at(eleven())
                .source("home")
                .text("no pic")
                .hashtags(&["photo"])
                .build(),
            vec!["Everyone else"],
            Narrowing::MediaOnly,
        ),
    ];
    for (p, want, narrowing) in cases {
        let verdict = route(&r, &p);
        assert_eq!(names(&r, &verdict), want, "{:?}", p.text);
        let excluded: Vec<Narrowing> = verdict
            .fired
            .iter()
            .filter_map(|f| match f {
                Fired::Excluded { by, .. } => Some(*by),
                _ => None,
            })
            .collect();
        let matches_kind = excluded
            .iter()
            .any(|e| std::mem::discriminant(e) == std::mem::discriminant(&narrowing));
        assert!(matches_kind, "{:?}: fired {:?}", p.text, verdict.fired);
    }
}

#[test]
fn a_post_without_a_language_passes_a_language_rule() {
    let r = rules();
    let p = post("1", "@x@x.social")
        .at(eleven())
        .source("blogs")
        .text("hallo")
        .build();
    assert_eq!(columns_of(&r, &p), vec!["German"]);
}

#[test]
fn a_post_lands_in_several_columns_in_config_order() {
    let r = rules();
    let p = post("1", "@alice@hachyderm.io")
        .at(eleven())
        .source("home")
        .text("Jane Doe ships circles-tui")
        .hashtags(&["rust"])
        .mentions(&["jane.bsky.social"])
        .build();
    assert_eq!(
        columns_of(&r, &p),
        vec!["Core", "Mentions", "Alerts", "Rust", "Threads"]
    );
}

#[test]
fn mute_precedence() {
    let r = rules();
    let table: Vec<(&str, Post, Option<MuteReason>, bool)> = vec![
        (
            "muted author",
            post("1", "@loud@example.social")
                .at(eleven())
                .source("home")
                .text("hi")
                .build(),
            Some(MuteReason::Account),
            false,
        ),
        (
            "boost BY a muted account",
            post("1", "@alice@hachyderm.io")
                .at(eleven())
                .source("home")
                .text("hi")
                .boosted_by("@loud@example.social")
                .build(),
            Some(MuteReason::Account),
            false,
        ),
        (
            "boost OF a muted account",
            post("1", "@loud@example.social")
                .at(eleven())
                .source("home")
                .text("hi")
                .boosted_by("@alice@hachyderm.io")
                .build(),
            Some(MuteReason::Account),
            false,
        ),
        (
            "boosts_from hides the boost",
            post("1", "@x@x.social")
                .at(eleven())
                .source("home")
                .text("hi")
                .boosted_by("@reposter@mastodon.social")
                .build(),
            Some(MuteReason::Boost),
            false,
        ),
        (
            "boosts_from keeps own posts",
            post("1", "@reposter@mastodon.social")
                .at(eleven())
                .source("home")
                .text("hi")
                .build(),
            None,
            false,
        ),
        (
            "boost of an amplified account",
            post("1", "@alice@hachyderm.io")
                .at(eleven())
                .source("home")
                .text("hi")
                .boosted_by("@x@x.social")
                .build(),
            None,
            true,
        ),
        (
            "amplified author skips keyword mutes",
            post("1", "@alice@hachyderm.io")
                .at(eleven())
                .source("home")
                .text("my NFT joke")
                .build(),
            None,
            true,
        ),
        (
            "amplified booster skips keyword mutes",
            post("1", "@x@x.social")
                .at(eleven())
                .source("home")
                .text("an airdrop")
                .boosted_by("@zed@example.social")
                .build(),
            None,
            true,
        ),
        (
            "keyword mute",
            post("1", "@x@x.social")
                .at(eleven())
                .source("home")
                .text("buy my nft")
                .build(),
            Some(MuteReason::Keyword),
            false,
        ),
        (
            "regex mute",
            post("1", "@x@x.social")
                .at(eleven())
                .source("home")
                .text("free AIRDROP")
                .build(),
            Some(MuteReason::Keyword),
            false,
        ),
        (
            "keyword in a word is no mute",
            post("1", "@x@x.social")
                .at(eleven())
                .source("home")
                .text("nfts")
                .build(),
            None,
            false,
        ),
        (
            "active timed mute",
            post("1", "@grumpy@mastodon.social")
                .at(eleven())
                .source("home")
                .text("hi")
                .build(),
            Some(MuteReason::Account),
            false,
        ),
        (
            "expired timed mute",
            post("1", "@formerly@mastodon.social")
                .at(eleven())
                .source("home")
                .text("hi")
                .build(),
            None,
            false,
        ),
    ];
    for (what, p, muted, amplified) in table {
        let verdict = route(&r, &p);
        assert_eq!(verdict.muted, muted, "{what}");
        assert_eq!(verdict.amplified, amplified, "{what}");
        if muted.is_some() {
            assert!(
                verdict.columns.is_empty(),
                "{what}: muted posts are in no column"
            );
            assert!(
                !verdict.hidden_in.is_empty(),
                "{what}: but remember where they would be"
            );
        }
    }
}

#[test]
fn mute_reasons_name_the_culprit() {
    let r = rules();
    let booster_muted = route(
        &r,
        &post("1", "@alice@hachyderm.io")
            .at(eleven())
            .source("home")
            .text("x")
            .boosted_by("@loud@example.social")
            .build(),
    );
    assert_eq!(booster_muted.fired[0], Fired::MutedAccount(Who::Booster(0)));
    let timed = route(
        &r,
        &post("1", "@grumpy@mastodon.social")
            .at(eleven())
            .source("home")
            .text("x")
            .build(),
    );
    assert!(
        matches!(timed.fired[0], Fired::MutedUntil(Who::Author, t) if t == Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap())
    );
}

#[test]
fn timed_mutes_expire_with_the_clock() {
    let mut r = rules();
    let p = post("1", "@grumpy@mastodon.social")
        .at(eleven())
        .source("home")
        .text("hi")
        .build();
    assert_eq!(route(&r, &p).muted, Some(MuteReason::Account));
    assert_eq!(
        r.next_mute_expiry(),
        Some(Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap())
    );
    r.now = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 1).unwrap();
    assert_eq!(route(&r, &p).muted, None);
    assert_eq!(columns_of(&r, &p), vec!["Everyone else"]);
    assert_eq!(r.next_mute_expiry(), None);
}

#[test]
fn rest_takes_exactly_what_no_other_column_took() {
    let r = rules();
    let taken = post("1", "@alice@hachyderm.io")
        .at(eleven())
        .source("home")
        .text("hi")
        .build();
    let verdict = route(&r, &taken);
    assert!(!names(&r, &verdict).contains(&"Everyone else".to_string()));
    let left = post("1", "@nobody@x.social")
        .at(eleven())
        .source("home")
        .text("hi")
        .build();
    let verdict = route(&r, &left);
    assert_eq!(names(&r, &verdict), vec!["Everyone else"]);
    assert_eq!(
        verdict.fired,
        vec![Fired::Took {
            column: 7,
            because: Because::Everything
        }]
    );
}

#[test]
fn explain_traces_every_rule() {
    let r = rules();
    let p = post("1", "@alice@hachyderm.io")
        .at(eleven())
        .source("home")
        .text("Jane Doe: crypto is #rust?")
        .hashtags(&["rust"])
        .build();
    let (verdict, text) = explain(&r, &p);
    assert_eq!(names(&r, &verdict), vec!["Core", "Alerts", "Threads"]);
    for needle in [
        "amplified: author @alice@hachyderm.io is in [amplify] accounts",
        "Core: matched accounts lists the author @alice@hachyderm.io",
        "Mentions: no include rule matched",
        "Alerts: matched keyword \"Jane Doe\"",
        "Rust: matched hashtag #rust",
        "Rust: excluded, exclude_keywords \"crypto\" matched",
        "Everyone else (rest): skipped, another column took the post",
        "=> columns: Core, Alerts, Threads",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    let (_, muted) = explain(
        &r,
        &post("1", "@x@x.social")
            .at(eleven())
            .source("home")
            .text("NFT drop")
            .build(),
    );
    assert!(
        muted.contains("muted: [mute] keyword \"NFT\" matched"),
        "{muted}"
    );
    assert!(
        muted.contains("=> muted (keyword); revealed it would show in: Everyone else"),
        "{muted}"
    );
}

#[test]
fn a_column_without_include_rules_takes_everything() {
    let r = load("[[column]]\nname = \"All\"\nreplies = false\n", now())
        .unwrap()
        .rules;
    assert_eq!(
        columns_of(
            &r,
            &post("1", "@x@x.social")
                .at(eleven())
                .source("home")
                .text("a")
                .build()
        ),
        vec!["All"]
    );
    assert!(
        columns_of(
            &r,
            &post("1", "@x@x.social")
                .at(eleven())
                .source("home")
                .text("a")
                .reply_to("1", None)
                .build()
        )
        .is_empty()
    );
}

#[test]
fn semantic_errors_are_located_at_the_offending_value() {
    let cases = [
        (
            "[[column]]\nname = \"A\"\nregex = ['(unclosed']\n",
            3,
            10,
            "regex does not compile",
        ),
        (
            "[[column]]\nname = \"A\"\n[[column]]\nname = \"a\"\n",
            4,
            8,
            "already a column named",
        ),
        (
            "[[column]]\nname = \"A\"\nsources = [\"nope\"]\n",
            3,
            12,
            "no [[source]] is named `nope`",
        ),
        (
            "[[column]]\nname = \"A\"\naccounts = [\"@ok@x.social\", \"@alice\"]\n",
            3,
            29,
            "has no host",
        ),
        (
            "[mute]\nboosts_from = [\"a b\"]\n",
            2,
            16,
            "contains a space",
        ),
        (
            "[mute.until]\n\"@a@b.social\" = 2026-11-23T10:00:00\n",
            2,
            17,
            "with an offset",
        ),
        (
            "[[column]]\nname = \"A\"\nkeywords = [\" \"]\n",
            3,
            13,
            "cannot be empty",
        ),
    ];
    for (text, line, col, needle) in cases {
        let errors = load(text, now()).expect_err(text);
        let first = &errors.errors[0];
        assert_eq!(
            first.line_col(text),
            Some((line, col)),
            "{text}: {}",
            first.message
        );
        assert!(first.message.contains(needle), "{text}: {}", first.message);
    }
}

#[test]
fn all_errors_are_reported_together() {
    let text = "[[column]]\nname = \"A\"\nregex = ['(']\naccounts = [\"@x\"]\n";
    assert_eq!(load(text, now()).unwrap_err().errors.len(), 2);
}

#[test]
fn muted_and_amplified_is_a_warning() {
    let text = "[mute]\naccounts = [\"@a@b.social\"]\n[amplify]\naccounts = [\"@A@b.social\"]\n[[column]]\nname = \"x\"\n";
    let compiled = load(text, now()).unwrap();
    assert_eq!(compiled.warnings.len(), 1);
    assert_eq!(compiled.warnings[0].line_col(text), Some((4, 13)));
    let p = post("1", "@a@b.social")
        .at(eleven())
        .source("home")
        .text("x")
        .build();
    assert_eq!(
        route(&compiled.rules, &p).muted,
        Some(MuteReason::Account),
        "the mute wins"
    );
}

// Properties over generated posts.

fn arb_post() -> impl Strategy<Value = Post> {
    let authors = prop::sample::select(vec![
        "@alice@hachyderm.io",
        "@loud@example.social",
        "@reposter@mastodon.social",
        "@grumpy@mastodon.social",
        "bob.bsky.social",
        "@zed@example.social",
        "@x@x.social",
    ]);
    let words = prop::collection::vec(
        prop::sample::select(vec![
            "Jane", "Doe", "NFT", "crypto", "東京", "rust", "airdrop", "hello", "AcmeCo", "é",
        ]),
        0..8,
    );
    (
        authors.clone(),
        words,
        prop::option::of(authors),
        prop::collection::vec(prop::sample::select(vec!["rust", "photo", "x"]), 0..3),
        any::<bool>(),
        prop::option::of(prop::sample::select(vec!["en", "de"])),
        prop::sample::select(vec!["home", "blogs"]),
    )
        .prop_map(|(author, words, booster, tags, reply, lang, source)| {
            let mut p = post("1", author)
                .at(eleven())
                .source(source)
                .text(&words.join(" "))
                .hashtags(&tags);
            if let Some(b) = booster {
                p = p.boosted_by(b);
            }
            if reply {
                p = p.reply_to("1", None);
            }
            if let Some(l) = lang {
                p = p.language(l);
            }
            p.build()
        })
}

proptest! {
    #[test]
    fn routing_is_deterministic(p in arb_post()) {
        let r = rules();
        prop_assert_eq!(route(&r, &p), route(&r, &p));
        prop_assert_eq!(route(&r, &p.clone()), route(&rules(), &p));
    }

    /// `circles route` routes a stream through one `Router`, which reuses
    /// its verdict and buffers: every verdict is still the one `route` gives.
    #[test]
    fn a_router_reused_over_a_stream_gives_route_s_verdicts(
        posts in proptest::collection::vec(arb_post(), 1..12)
    ) {
        let r = rules();
        let mut router = Router::default();
        for p in &posts {
            prop_assert_eq!(router.route(&r, p), &route(&r, p));
        }
    }

    #[test]
    fn muted_posts_are_in_no_column(p in arb_post()) {
        let v = route(&rules(), &p);
        if v.muted.is_some() {
            prop_assert!(v.columns.is_empty());
        } else {
            prop_assert!(v.hidden_in.is_empty());
        }
    }

    #[test]
    fn with_a_rest_column_every_visible_post_lands_somewhere(p in arb_post()) {
        let r = rules();
        let v = route(&r, &p);
        let rest = r.columns.iter().position(|c| c.rest).unwrap() as u16;
        if v.muted.is_none() {
            prop_assert!(!v.columns.is_empty());
            // The rest column is alone or absent: it never shares a post.
            prop_assert!(!v.columns.contains(&rest) || v.columns == vec![rest]);
        }
    }

    #[test]
    fn the_traced_route_agrees_with_the_fast_one(p in arb_post()) {
        let r = rules();
        let fast = route(&r, &p);
        let (traced, _) = explain(&r, &p);
        prop_assert_eq!(fast.columns, traced.columns);
        prop_assert_eq!(fast.muted, traced.muted);
        prop_assert_eq!(fast.amplified, traced.amplified);
        prop_assert_eq!(fast.hidden_in, traced.hidden_in);
    }
}

#[test]
fn several_rest_columns_each_take_what_ordinary_columns_left() {
    let text = r#"
[[column]]
name = "Core"
accounts = ["@alice@hachyderm.io"]
[[column]]
name = "Rest EN"
rest = true
languages = ["en"]
[[column]]
name = "Rest all"
rest = true
"#;
    let r = load(text, now()).unwrap().rules;
    let english = post("1", "@x@x.social")
        .at(eleven())
        .source("home")
        .text("hello")
        .language("en")
        .build();
    assert_eq!(columns_of(&r, &english), vec!["Rest EN", "Rest all"]);
    let german = post("1", "@x@x.social")
        .at(eleven())
        .source("home")
        .text("hallo")
        .language("de")
        .build();
    assert_eq!(columns_of(&r, &german), vec!["Rest all"]);
    let core = post("1", "@alice@hachyderm.io")
        .at(eleven())
        .source("home")
        .text("hi")
        .language("en")
        .build();
    assert_eq!(columns_of(&r, &core), vec!["Core"]);
}

#[test]
fn a_did_in_me_matches_a_bluesky_reply_to_me() {
    let path = format!(
        "{}/tests/fixtures/bluesky_reply.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let reply = decode(&std::fs::read_to_string(path).unwrap(), "sky").unwrap();
    for me in ["did:plc:hpbjcfcfwoty5tum34gn3zdo", "ada.bsky.social"] {
        let text = format!(
            "[me]\nhandles = [\"{me}\"]\n[[column]]\nname = \"Mentions\"\nmentions_me = true\n"
        );
        let r = load(&text, now()).unwrap().rules;
        assert_eq!(columns_of(&r, &reply), vec!["Mentions"], "me = {me}");
    }
}

/// `person:` works in `[me]` too: a mention of any of the person's
/// accounts is a mention of me.
#[test]
fn a_person_in_me_is_every_one_of_their_accounts() {
    let text = "[me]\nhandles = [\"person:Jane\"]\n\
                [[person]]\nname = \"Jane\"\naccounts = [\"@jane@x.social\", \"jane.bsky.social\"]\n\
                [[column]]\nname = \"Mentions\"\nmentions_me = true\n";
    let r = load(text, now()).unwrap().rules;
    for me in ["@jane@x.social", "@jane.bsky.social"] {
        let mention = post("1", "@bob@y.social")
            .at(eleven())
            .text(&format!("hi {me}"))
            .mentions(&[me])
            .build();
        assert_eq!(columns_of(&r, &mention), vec!["Mentions"], "{me}");
    }
    let other = post("2", "@bob@y.social")
        .at(eleven())
        .mentions(&["@joan@x.social"])
        .build();
    assert!(columns_of(&r, &other).is_empty());
    let unknown = load(&text.replace("person:Jane", "person:Joan"), now()).unwrap_err();
    assert!(
        unknown.errors[0]
            .message
            .contains("there is no [[person]] named `Joan`"),
        "{unknown:?}"
    );
}

/// One author of a feed is `feed:<host>/<name>`: it takes (or mutes) the
/// entries that name them, while `feed:<host>` takes every entry.
#[test]
fn one_author_of_a_feed_is_matched_apart_from_the_feed() {
    use circles::model::{Account, Network, feed_author_key};
    let text = "[[column]]\nname = \"Jane\"\naccounts = [\"feed:blog.example.org/jane-doe\"]\n\
                [[column]]\nname = \"Blog\"\naccounts = [\"feed:Blog.example.org\"]\n\
                [mute]\naccounts = [\"feed:blog.example.org/ad-desk\"]\n";
    let r = load(text, now()).unwrap().rules;
    let entry = |id: &str, name: &str| {
        let mut p = post(id, "feed:blog.example.org").at(eleven()).build();
        let mut author = Account::new("feed:blog.example.org", name, Network::Native);
        author.did = feed_author_key("blog.example.org", name);
        p.author = std::sync::Arc::new(author);
        p
    };
    assert_eq!(
        columns_of(&r, &entry("1", "Jane Doe")),
        vec!["Jane", "Blog"]
    );
    assert_eq!(columns_of(&r, &entry("2", "Bob Smith")), vec!["Blog"]);
    assert_eq!(
        route(&r, &entry("3", "Ad Desk")).muted,
        Some(MuteReason::Account)
    );
    assert_eq!(
        feed_author_key("Blog.Example.org", "  Zoë O'Brien — editor ").as_deref(),
        Some("feed:blog.example.org/zoë-o-brien-editor")
    );
    // A name written in the config is lowered as the entries' names are
    // (`İ` has a combining dot in lower case; a final `Σ` is `σ`).
    for name in ["İlker", "ΟΔΟΣ"] {
        let written =
            circles::model::parse_handle(&format!("feed:blog.example.org/{name}")).unwrap();
        assert_eq!(
            Some(written.0),
            feed_author_key("blog.example.org", name),
            "{name}"
        );
    }
    for bad in [
        "feed:blog.example.org/",
        "feed:blog.example.org/Jane_Doe",
        "feed:blog.example.org/-x",
    ] {
        let config = format!("[[column]]\nname = \"A\"\naccounts = [\"{bad}\"]\n");
        let errors = load(&config, now()).unwrap_err().errors;
        assert!(
            errors[0].message.contains("feed:<host>/<name>"),
            "{bad}: {errors:?}"
        );
    }
}

#[test]
fn errors_of_every_stage_come_together_in_file_order() {
    let text = "[[column]]\nname = \"A\"\nsources = [\"nope\"]\nregex = ['(']\n[[source]]\nname = \"s\"\nkind = \"feed\"\n";
    let errors = load(text, now()).unwrap_err().errors;
    let lines: Vec<usize> = errors.iter().map(|d| d.line_col(text).unwrap().0).collect();
    assert_eq!(lines, vec![3, 4, 5], "{errors:?}");
}

/// A post boosted by several accounts, merged into one card, is routed
/// with all of them: any booster in a column's accounts puts it there, any
/// amplified booster amplifies it, and a muted booster hides it only when
/// every booster is muted (README, "Mute and amplify, in this order").
#[test]
fn a_post_boosted_by_several_accounts_is_routed_with_all_of_them() {
    let r = rules();
    let carla = |boosters: &[&str]| {
        let mut p = post("1", "@carla@x.social").at(eleven()).text("a thought");
        if let Some((first, rest)) = boosters.split_first() {
            p = p.boosted_by(first);
            let mut p = p.build();
            p.also_boosted_by = rest
                .iter()
                .map(|h| circles::model::Account::new(h, "", circles::model::Network::Native))
                .collect();
            return p;
        }
        p.build()
    };
    // bob (no rule) boosted first, then alice (in Core, amplified)
    let both = carla(&["@bob@x.social", "@alice@hachyderm.io"]);
    let v = route(&r, &both);
    assert!(names(&r, &v).contains(&"Core".to_string()), "{v:?}");
    assert!(v.amplified, "an amplified booster amplifies it");
    // one muted booster of two: shown
    let v = route(&r, &carla(&["@loud@example.social", "@bob@x.social"]));
    assert_eq!(v.muted, None, "an unmuted booster remains");
    // every booster muted: hidden
    let v = route(
        &r,
        &carla(&["@loud@example.social", "@grumpy@mastodon.social"]),
    );
    assert_eq!(v.muted, Some(MuteReason::Account));
    // boosts_from for one of two: shown; for all (or muted): hidden
    let v = route(&r, &carla(&["@reposter@mastodon.social", "@bob@x.social"]));
    assert_eq!(v.muted, None);
    let v = route(
        &r,
        &carla(&["@reposter@mastodon.social", "@loud@example.social"]),
    );
    assert_eq!(v.muted, Some(MuteReason::Boost));
    // the author's own post, later boosted by a muted account: shown
    let mut own = carla(&[]);
    own.also_boosted_by = vec![circles::model::Account::new(
        "@loud@example.social",
        "",
        circles::model::Network::Native,
    )];
    assert_eq!(route(&r, &own).muted, None);
    // a muted author hides it whoever boosted it
    let mut loud = both.clone();
    loud.author =
        circles::model::Account::new("@loud@example.social", "", circles::model::Network::Native)
            .into();
    assert_eq!(route(&r, &loud).muted, Some(MuteReason::Account));
    // explain names each booster, and the one a rule matched
    let (_, text) = explain(&r, &both);
    assert!(
        text.contains("boosted by @bob@x.social, @alice@hachyderm.io"),
        "{text}"
    );
    assert!(text.contains("booster @alice@hachyderm.io"), "{text}");
}

/// An include key that is there but empty matches nothing (`x` on a
/// column's last account leaves `accounts = []`), and says so; only a
/// column with no include key at all takes every post.
#[test]
fn an_empty_include_key_matches_nothing_and_is_warned_about() {
    let config =
        "[[column]]\nname = \"Sec\"\naccounts = []\n\n[[column]]\nname = \"Rest\"\nrest = true\n";
    let compiled = load(config, now()).unwrap();
    let p = post("1", "@x@x.social").at(eleven()).build();
    assert_eq!(
        names(&compiled.rules, &route(&compiled.rules, &p)),
        ["Rest"],
        "Sec takes nothing, so the rest column gets it"
    );
    let all = load("[[column]]\nname = \"All\"\n", now()).unwrap();
    assert_eq!(
        names(&all.rules, &route(&all.rules, &p)),
        ["All"],
        "no include key"
    );
    let warning = &compiled.warnings[0];
    assert!(
        warning
            .message
            .contains("column Sec has an empty accounts list and takes no posts"),
        "{}",
        warning.message
    );
    assert_eq!(warning.line_col(config).unwrap().0, 3);
    // an empty key beside a rule that can match is no problem
    let config = "[[column]]\nname = \"Sec\"\naccounts = []\nhashtags = [\"rust\"]\n";
    assert!(load(config, now()).unwrap().warnings.is_empty());
    // `notifications` is an include key like the others: a list of kinds
    // can match, an empty one takes nothing.
    let config = "[[column]]\nname = \"Sec\"\naccounts = []\nnotifications = [\"mention\"]\n";
    assert!(load(config, now()).unwrap().warnings.is_empty());
    let config = "[[column]]\nname = \"Sec\"\nnotifications = []\n";
    let warnings = load(config, now()).unwrap().warnings;
    assert!(
        warnings[0]
            .message
            .contains("column Sec has an empty notifications list and takes no posts"),
        "{warnings:?}"
    );
    assert_eq!(warnings[0].line_col(config).unwrap().0, 3);
}

#[test]
fn a_quoted_posts_keywords_and_hashtags_route_and_explain_says_so() {
    let r = rules();
    let quoted = post("q", "@someone@x.social")
        .at(eleven())
        .text("AcmeCo ships circles-tui today")
        .hashtags(&["RustLang"]);
    let p = post("1", "@other@y.social")
        .at(eleven())
        .source("home")
        .text("look at this")
        .quote(quoted.clone())
        .build();
    assert_eq!(columns_of(&r, &p), vec!["Alerts", "Rust"]);
    let (_, text) = explain(&r, &p);
    for needle in [
        "Alerts: matched keyword \"AcmeCo\" in the quoted post",
        "Rust: matched hashtag #RustLang of the quoted post",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    // A regex only the quoted text matches says so too.
    let regex_only = post("2", "@other@y.social")
        .at(eleven())
        .source("home")
        .text("hm")
        .quote(
            post("q", "@someone@x.social")
                .at(eleven())
                .text("circles-tui"),
        )
        .build();
    let (_, text) = explain(&r, &regex_only);
    assert!(
        text.contains("Alerts: matched regex '(?i)\\bcircles?-tui\\b' in the quoted post"),
        "{text}"
    );
    // Its own words say nothing of the quote.
    let own = post("3", "@other@y.social")
        .at(eleven())
        .source("home")
        .text("AcmeCo again")
        .quote(quoted)
        .build();
    let (_, text) = explain(&r, &own);
    assert!(
        text.contains("Alerts: matched keyword \"AcmeCo\"\n"),
        "{text}"
    );

    // Mute keywords read the quote, and exclude_keywords do.
    let muted = post("4", "@other@y.social")
        .at(eleven())
        .source("home")
        .text("wow")
        .quote(post("q", "@someone@x.social").at(eleven()).text("NFT drop"))
        .build();
    assert_eq!(route(&r, &muted).muted, Some(MuteReason::Keyword));
    let (_, text) = explain(&r, &muted);
    assert!(
        text.contains("muted: [mute] keyword \"NFT\" matched in the quoted post"),
        "{text}"
    );
    let excluded = post("5", "@other@y.social")
        .at(eleven())
        .source("home")
        .text("#rust")
        .hashtags(&["rust"])
        .quote(post("q", "@someone@x.social").at(eleven()).text("crypto"))
        .build();
    assert!(!columns_of(&r, &excluded).contains(&"Rust".to_string()));
}

const NOTIFYING: &str = r##"
[me]
handles = ["@jane@mastodon.social"]

[[column]]
name = "Core"
accounts = ["@bob@x.social"]

[[column]]
name = "Everything"
notifications = true

[[column]]
name = "Faves"
notifications = ["favourite", "repost"]

[[column]]
name = "Alerts"
keywords = ["AcmeCo"]

[[column]]
name = "Rest"
rest = true

[mute]
accounts = ["@loud@example.social"]
keywords = ["NFT"]
"##;

#[test]
fn notifications_go_where_a_column_takes_their_kind() {
    use circles::model::NoticeKind;
    let r = load(NOTIFYING, now()).unwrap().rules;
    let mine = |text: &str| {
        post("9", "@jane@mastodon.social")
            .at(eleven())
            .text(text)
            .build()
    };
    let favourite = post("notification:1", "@bob@x.social")
        .at(eleven())
        .text("")
        .notice(NoticeKind::Favourite, Some(mine("AcmeCo ships today")))
        .build();
    // Only columns whose `notifications` take it: not Core (bob's posts),
    // not Alerts (whose keyword is in the post favourited), not Rest.
    assert_eq!(columns_of(&r, &favourite), vec!["Everything", "Faves"]);
    let (_, text) = explain(&r, &favourite);
    for needle in [
        "from feed (a favourite notification)",
        "Core: excluded, a favourite notification shows only where notifications takes it",
        "Everything: matched notifications takes a favourite notification",
        "Rest (rest): skipped, another column took the post",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }

    // A mention is a post: it goes where posts go, and to Everything.
    let mention = post("m1", "@bob@x.social")
        .at(eleven())
        .text("@jane look")
        .notice(NoticeKind::Mention, None)
        .build();
    assert_eq!(columns_of(&r, &mention), vec!["Core", "Everything"]);
    let follow = post("notification:2", "@carol@y.social")
        .at(eleven())
        .text("")
        .notice(NoticeKind::Follow, None)
        .build();
    assert_eq!(columns_of(&r, &follow), vec!["Everything"]);

    // Mutes: a muted account's follow, a favourite of a post of yours that
    // says a muted word; muted, not lost.
    let muted = post("notification:3", "@loud@example.social")
        .at(eleven())
        .text("")
        .notice(NoticeKind::Follow, None)
        .build();
    let verdict = route(&r, &muted);
    assert_eq!(verdict.muted, Some(MuteReason::Account));
    assert_eq!(names_of(&r, &verdict.hidden_in), vec!["Everything"]);
    let worded = post("notification:4", "@bob@x.social")
        .at(eleven())
        .text("")
        .notice(NoticeKind::Reblog, Some(mine("my NFT thoughts")))
        .build();
    let verdict = route(&r, &worded);
    assert_eq!(verdict.muted, Some(MuteReason::Keyword));
    assert_eq!(
        names_of(&r, &verdict.hidden_in),
        vec!["Everything", "Faves"]
    );
}

/// A column whose `sources` names the notifications source takes every
/// kind it brings (a user writing `sources = ["notes"]` means all of it),
/// unless its own `notifications` says which; the same kinds from another
/// source stay out.
#[test]
fn a_column_of_the_notifications_source_takes_every_kind_it_brings() {
    use circles::model::NoticeKind;
    let config = r#"
[[source]]
name = "notes"
kind = "jsonl"
path = "-"

[[column]]
name = "Notes"
sources = ["notes"]

[[column]]
name = "Follows"
sources = ["notes"]
notifications = ["follow"]

[[column]]
name = "Rest"
rest = true
"#;
    let r = load(config, now()).unwrap().rules;
    let notice = |id: &str, kind: NoticeKind, source: &str| {
        post(id, "@bob@x.social")
            .at(eleven())
            .text("")
            .source(source)
            .notice(kind, None)
            .build()
    };
    let favourite = notice("notification:1", NoticeKind::Favourite, "notes");
    assert_eq!(columns_of(&r, &favourite), vec!["Notes"]);
    let (_, text) = explain(&r, &favourite);
    for needle in [
        "Notes: matched sources",
        "Follows: excluded, a favourite notification shows only where notifications takes it \
         or sources names its source",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    let follow = notice("notification:2", NoticeKind::Follow, "notes");
    assert_eq!(columns_of(&r, &follow), vec!["Notes", "Follows"]);
    let elsewhere = notice("notification:3", NoticeKind::Favourite, "feed");
    assert!(columns_of(&r, &elsewhere).is_empty(), "never in rest");
    // `notifications = []` says which kinds: none.
    let none = load(
        &config.replace("notifications = [\"follow\"]", "notifications = []"),
        now(),
    )
    .unwrap()
    .rules;
    assert_eq!(columns_of(&none, &follow), vec!["Notes"]);
}

fn names_of(rules: &Rules, columns: &[u16]) -> Vec<String> {
    columns
        .iter()
        .map(|&c| rules.columns[usize::from(c)].name.clone())
        .collect()
}

#[test]
fn a_notifications_key_that_names_no_kind_is_an_error_at_the_key() {
    let text = "[[column]]\nname = \"N\"\nnotifications = [\"mention\", \"favourit\"]\n";
    let errors = load(text, now()).unwrap_err();
    let first = &errors.errors[0];
    assert!(
        first
            .message
            .contains("`favourit` is no kind of notification (kinds: mention, reply"),
        "{}",
        first.message
    );
    assert_eq!(
        first.line_col(text),
        Some((3, 17)),
        "located at the key's value"
    );
    // An empty list takes nothing, like any empty include list; false is
    // as if the key were not there.
    let r = load("[[column]]\nname = \"N\"\nnotifications = []\n", now())
        .unwrap()
        .rules;
    let plain = post("1", "@x@x.social").at(eleven()).build();
    assert!(columns_of(&r, &plain).is_empty());
    let r = load("[[column]]\nname = \"N\"\nnotifications = false\n", now())
        .unwrap()
        .rules;
    assert_eq!(columns_of(&r, &plain), vec!["N"]);
}
