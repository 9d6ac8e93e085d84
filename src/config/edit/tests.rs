//! The keyboard edits, text in and text out: each keeps every comment
//! and line of the file it does not change.

use super::*;
use crate::config::DEFAULT_CONFIG;
use crate::filter::{self, MuteReason, Verdict};
use crate::model::Post;
use crate::testkit::post;
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap()
}

fn tomorrow() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
}

/// Applies an edit that must succeed, and checks that the result is a
/// config circles loads and that no comment of the original was lost.
fn edited(text: &str, edit: Edit) -> String {
    let out = apply(text, &edit, now()).unwrap_or_else(|e| panic!("{edit:?}: {e}"));
    crate::config::parse(&out).unwrap_or_else(|e| panic!("{e:?}\n{out}"));
    filter::load(&out, now()).unwrap_or_else(|e| panic!("{e:?}\n{out}"));
    comments_kept(text, &out);
    out
}

fn failed(text: &str, edit: Edit) -> String {
    apply(text, &edit, now()).unwrap_err().0
}

/// Every comment line of `before` is in `after`, in the same order.
fn comments_kept(before: &str, after: &str) {
    let mut rest = after.lines();
    for comment in before.lines().filter(|l| l.trim_start().starts_with('#')) {
        assert!(
            rest.any(|l| l == comment),
            "lost or moved {comment:?}:\n{after}"
        );
    }
}

/// Replaces the one place `from` occurs, so an expected text is the
/// original with exactly that change.
fn with(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} must occur once");
    text.replacen(from, to, 1)
}

fn verdict(text: &str, post: &Post) -> Verdict {
    let compiled = filter::load(text, now()).unwrap();
    filter::route(&compiled.rules, post)
}

fn mute(handle: &str) -> Edit {
    Edit::MuteAccount {
        handle: handle.into(),
        until: None,
    }
}

fn mute_until(handle: &str, until: DateTime<Utc>) -> Edit {
    Edit::MuteAccount {
        handle: handle.into(),
        until: Some(until),
    }
}

fn amplify(handle: &str) -> Edit {
    Edit::Amplify {
        handle: handle.into(),
    }
}

fn add(column: &str, handle: &str) -> Edit {
    Edit::AddToColumn {
        column: column.into(),
        handle: handle.into(),
    }
}

fn remove(column: &str, handle: &str) -> Edit {
    Edit::RemoveFromColumn {
        column: column.into(),
        handle: handle.into(),
    }
}

const MUTE_LINE: &str = r#"accounts = ["@megaphone@mastodon.social"]"#;
const AMPLIFY_LINE: &str = r#"accounts = ["@alice@hachyderm.io"]"#;

#[test]
fn a_mute_goes_into_a_one_line_list() {
    let out = edited(DEFAULT_CONFIG, mute("@Loud@X.social"));
    let expected = with(
        DEFAULT_CONFIG,
        MUTE_LINE,
        r#"accounts = ["@megaphone@mastodon.social", "@Loud@X.social"]"#,
    );
    assert_eq!(out, expected);
    let v = verdict(&out, &post("1", "@loud@x.social").build());
    assert_eq!(v.muted, Some(MuteReason::Account));
    assert!(v.columns.is_empty());
}

#[test]
fn muting_an_amplified_account_unamplifies_it() {
    let out = edited(DEFAULT_CONFIG, mute("Alice@Hachyderm.io"));
    let expected = with(
        DEFAULT_CONFIG,
        MUTE_LINE,
        r#"accounts = ["@megaphone@mastodon.social", "Alice@Hachyderm.io"]"#,
    );
    let expected = with(&expected, AMPLIFY_LINE, "accounts = []");
    assert_eq!(out, expected);
    let compiled = filter::load(&out, now()).unwrap();
    assert!(compiled.warnings.is_empty(), "{:?}", compiled.warnings);
    let v = filter::route(&compiled.rules, &post("1", "@alice@hachyderm.io").build());
    assert_eq!(v.muted, Some(MuteReason::Account));
    assert!(!v.amplified);
}

#[test]
fn amplifying_a_muted_account_unmutes_it() {
    let out = edited(DEFAULT_CONFIG, amplify("@megaphone@mastodon.social"));
    let expected = with(DEFAULT_CONFIG, MUTE_LINE, "accounts = []");
    let expected = with(
        &expected,
        AMPLIFY_LINE,
        r#"accounts = ["@alice@hachyderm.io", "@megaphone@mastodon.social"]"#,
    );
    assert_eq!(out, expected);
    let v = verdict(&out, &post("1", "@megaphone@mastodon.social").build());
    assert_eq!(v.muted, None);
    assert!(v.amplified);
}

#[test]
fn amplifying_a_timed_mute_removes_it() {
    let text = "[mute]\naccounts = []\n\n[mute.until]\n\"@a@x.social\" = 2026-12-01T00:00:00Z\n\"@b@x.social\" = 2026-12-01T00:00:00Z\n";
    let out = edited(text, amplify("@A@x.social"));
    assert_eq!(
        out,
        "[mute]\naccounts = []\n\n[mute.until]\n\"@b@x.social\" = 2026-12-01T00:00:00Z\n\n[amplify]\naccounts = [\"@A@x.social\"]\n"
    );
}

#[test]
fn unamplify_removes_and_reports_what_is_not_there() {
    let out = edited(
        DEFAULT_CONFIG,
        Edit::Unamplify {
            handle: "@ALICE@hachyderm.io".into(),
        },
    );
    assert_eq!(out, with(DEFAULT_CONFIG, AMPLIFY_LINE, "accounts = []"));
    let message = failed(
        DEFAULT_CONFIG,
        Edit::Unamplify {
            handle: "@bob@x.social".into(),
        },
    );
    assert!(
        message.contains("@bob@x.social is not in [amplify]"),
        "{message}"
    );
    let message = failed(
        "",
        Edit::Unamplify {
            handle: "@bob@x.social".into(),
        },
    );
    assert!(message.contains("is not in [amplify]"), "{message}");
}

#[test]
fn boosts_from_keeps_the_comment_after_the_list() {
    let out = edited(
        DEFAULT_CONFIG,
        Edit::MuteBoostsFrom {
            handle: "@echo@x.social".into(),
        },
    );
    let expected = with(
        DEFAULT_CONFIG,
        r#"boosts_from = ["@reposter@mastodon.social"]   #"#,
        r#"boosts_from = ["@reposter@mastodon.social", "@echo@x.social"]   #"#,
    );
    assert_eq!(out, expected);
    let v = verdict(
        &out,
        &post("1", "@someone@x.social")
            .boosted_by("@echo@x.social")
            .build(),
    );
    assert_eq!(v.muted, Some(MuteReason::Boost));
    let v = verdict(&out, &post("1", "@echo@x.social").build());
    assert_eq!(v.muted, None);
}

#[test]
fn keywords_are_deduplicated_in_any_case() {
    let unchanged = edited(
        DEFAULT_CONFIG,
        Edit::MuteKeyword {
            keyword: " nft ".into(),
        },
    );
    assert_eq!(unchanged, DEFAULT_CONFIG);
    let out = edited(
        DEFAULT_CONFIG,
        Edit::MuteKeyword {
            keyword: "#Election".into(),
        },
    );
    let expected = with(
        DEFAULT_CONFIG,
        r#"keywords = ["NFT", "giveaway"]"#,
        r##"keywords = ["NFT", "giveaway", "#Election"]"##,
    );
    assert_eq!(out, expected);
    let message = failed(
        DEFAULT_CONFIG,
        Edit::MuteKeyword {
            keyword: "  ".into(),
        },
    );
    assert!(message.contains("keyword is empty"), "{message}");
}

#[test]
fn a_multi_line_list_gets_a_line_like_the_others() {
    let out = edited(DEFAULT_CONFIG, add("core", "@dana@x.social"));
    let expected = with(
        DEFAULT_CONFIG,
        "  \"@chen@fosstodon.org\",\n]",
        "  \"@chen@fosstodon.org\",\n  \"@dana@x.social\",\n]",
    );
    assert_eq!(out, expected);
    let v = verdict(&out, &post("1", "@dana@x.social").build());
    assert_eq!(v.columns.first(), Some(&0), "{v:?}");
}

#[test]
fn comments_inside_a_list_stay_on_their_lines() {
    let text = r#"[[column]]
name = "Core"
accounts = [
"@a@x.social", # the first
# friends
"@b@x.social" # no comma here
]
notify = true
"#;
    let out = edited(text, add("Core", "@c@x.social"));
    assert_eq!(
        out,
        r#"[[column]]
name = "Core"
accounts = [
"@a@x.social", # the first
# friends
"@b@x.social", # no comma here
"@c@x.social"
]
notify = true
"#
    );

    let text = "[[column]]\nname = \"Core\"\naccounts = [\n  \"@a@x.social\",\n  # \"@old@x.social\",\n]\n";
    let out = edited(text, add("Core", "@c@x.social"));
    assert_eq!(
        out,
        "[[column]]\nname = \"Core\"\naccounts = [\n  \"@a@x.social\",\n  # \"@old@x.social\",\n  \"@c@x.social\",\n]\n"
    );
}

#[test]
fn aligned_and_empty_lists() {
    let text =
        "[[column]]\nname = \"Core\"\naccounts = [\"@a@x.social\",\n            \"@b@x.social\"]\n";
    let out = edited(text, add("Core", "@c@x.social"));
    assert_eq!(
        out,
        "[[column]]\nname = \"Core\"\naccounts = [\"@a@x.social\",\n            \"@b@x.social\",\n            \"@c@x.social\"]\n"
    );

    let text = "[mute]\naccounts = []   # nobody yet\n";
    let out = edited(text, mute("@a@x.social"));
    assert_eq!(out, "[mute]\naccounts = [\"@a@x.social\"]   # nobody yet\n");

    let text = "[mute]\naccounts = [\n    # nobody yet\n]\n";
    let out = edited(text, mute("@a@x.social"));
    assert_eq!(
        out,
        "[mute]\naccounts = [\n    # nobody yet\n    \"@a@x.social\"\n]\n"
    );
}

#[test]
fn a_column_without_accounts_gets_the_key() {
    let out = edited(DEFAULT_CONFIG, add("MENTIONS ", "@d@x.social"));
    let expected = with(
        DEFAULT_CONFIG,
        "notifications = true   # every interaction a notifications source brings\n",
        "notifications = true   # every interaction a notifications source brings\n\
         accounts = [\"@d@x.social\"]\n",
    );
    assert_eq!(out, expected);
}

#[test]
fn duplicates_are_found_by_normalized_handle() {
    for edit in [
        amplify("ALICE@hachyderm.io"),
        add("Core", "@Bob.Bsky.Social"),
        add("core", "chen@FOSSTODON.org"),
        mute("megaphone@Mastodon.Social"),
        Edit::MuteBoostsFrom {
            handle: "@REPOSTER@mastodon.social".into(),
        },
    ] {
        assert_eq!(edited(DEFAULT_CONFIG, edit), DEFAULT_CONFIG);
    }
    // An entry that is not a valid handle still matches its own spelling.
    let text = "[[column]]\nname = \"x\"\naccounts = [\"@Odd Name@x.social\"]\n";
    let out = apply(text, &remove("x", "@a@x.social"), now()).unwrap_err();
    assert!(out.0.contains("not in x's accounts"), "{out}");
    assert_eq!(key_of(" @Odd Name@x.social"), "odd name@x.social");
}

#[test]
fn removing_takes_only_that_line() {
    let out = edited(DEFAULT_CONFIG, remove("Core", "@BOB.bsky.social"));
    assert_eq!(out, with(DEFAULT_CONFIG, "  \"bob.bsky.social\",\n", ""));
    let out = edited(DEFAULT_CONFIG, remove("Core", "@alice@hachyderm.io"));
    assert_eq!(
        out,
        with(
            DEFAULT_CONFIG,
            "  \"@alice@hachyderm.io\",\n  \"bob",
            "  \"bob"
        )
    );
    let out = edited(DEFAULT_CONFIG, remove("Core", "@chen@fosstodon.org"));
    assert_eq!(
        out,
        with(DEFAULT_CONFIG, "  \"@chen@fosstodon.org\",\n", "")
    );

    let text = r#"[[column]]
name = "Core"
accounts = [
  "@a@x.social", # A
  # group
  "@b@x.social", # B
  "@c@x.social" # C
]
"#;
    let out = edited(text, remove("Core", "@b@x.social"));
    assert_eq!(
        out,
        "[[column]]\nname = \"Core\"\naccounts = [\n  \"@a@x.social\", # A\n  # group\n  \"@c@x.social\" # C\n]\n"
    );
    let out = edited(text, remove("Core", "@a@x.social"));
    assert_eq!(
        out,
        "[[column]]\nname = \"Core\"\naccounts = [\n  # group\n  \"@b@x.social\", # B\n  \"@c@x.social\" # C\n]\n"
    );
    let out = edited(text, remove("Core", "@c@x.social"));
    assert_eq!(
        out,
        "[[column]]\nname = \"Core\"\naccounts = [\n  \"@a@x.social\", # A\n  # group\n  \"@b@x.social\" # B\n]\n"
    );
}

#[test]
fn removing_from_a_one_line_list() {
    let text = "[[column]]\nname = \"Core\"\naccounts = [\"@a@x.social\", \"@b@x.social\", \"@c@x.social\"]\n";
    let line = |list: &str| format!("[[column]]\nname = \"Core\"\naccounts = [{list}]\n");
    assert_eq!(
        edited(text, remove("Core", "@a@x.social")),
        line(r#""@b@x.social", "@c@x.social""#)
    );
    assert_eq!(
        edited(text, remove("Core", "@b@x.social")),
        line(r#""@a@x.social", "@c@x.social""#)
    );
    assert_eq!(
        edited(text, remove("Core", "@c@x.social")),
        line(r#""@a@x.social", "@b@x.social""#)
    );
    let one = line(r#""@a@x.social""#);
    assert_eq!(edited(&one, remove("Core", "@a@x.social")), line(""));
    let multi = "[[column]]\nname = \"Core\"\naccounts = [\n  \"@a@x.social\",\n]\n";
    assert_eq!(edited(multi, remove("core", "@a@x.social")), line(""));
}

#[test]
fn column_errors_read_like_advice() {
    let message = failed(DEFAULT_CONFIG, add("Friends", "@a@x.social"));
    assert_eq!(message, "there is no column named `Friends`");
    let message = failed(DEFAULT_CONFIG, remove("core", "@zed@x.social"));
    assert_eq!(message, "@zed@x.social is not in Core's accounts");
    let message = failed(DEFAULT_CONFIG, remove("Mentions", "@zed@x.social"));
    assert_eq!(message, "@zed@x.social is not in Mentions's accounts");
    let message = failed(
        DEFAULT_CONFIG,
        Edit::NewColumn {
            column: " rust ".into(),
            handle: "@a@x.social".into(),
        },
    );
    assert!(
        message.contains("already a column named `Rust`"),
        "{message}"
    );
}

#[test]
fn bad_input_is_refused_with_the_reason() {
    let message = failed(DEFAULT_CONFIG, mute("alice"));
    assert!(message.contains("has no host"), "{message}");
    let message = failed("[mute\naccounts = []\n", mute("@a@x.social"));
    assert!(message.contains("could not be parsed"), "{message}");
    assert!(message.contains("line 1"), "{message}");
    let message = failed(DEFAULT_CONFIG, mute_until("@a@x.social", now()));
    assert!(message.contains("already be over"), "{message}");
    let message = failed("mute = 3\n", mute("@a@x.social"));
    assert!(message.contains("`mute`"), "{message}");
    let message = failed("[mute]\naccounts = \"@a@x.social\"\n", mute("@b@x.social"));
    assert!(message.contains("`mute.accounts`"), "{message}");
}

#[test]
fn a_new_column_follows_the_last_column() {
    let out = edited(
        DEFAULT_CONFIG,
        Edit::NewColumn {
            column: "Friends".into(),
            handle: "@Dana@x.social".into(),
        },
    );
    let last = "style = \"dim\"          # normal | dim | compact\n";
    let expected = with(
        DEFAULT_CONFIG,
        last,
        &format!("{last}\n[[column]]\nname = \"Friends\"\naccounts = [\"@Dana@x.social\"]\n"),
    );
    assert_eq!(out, expected);
    let v = verdict(&out, &post("1", "@dana@x.social").build());
    assert_eq!(v.columns, vec![5]);

    let text = "# no columns yet\n[amplify]\naccounts = []\n";
    let out = edited(
        text,
        Edit::NewColumn {
            column: "Friends".into(),
            handle: "@d@x.social".into(),
        },
    );
    assert_eq!(
        out,
        "# no columns yet\n[amplify]\naccounts = []\n\n[[column]]\nname = \"Friends\"\naccounts = [\"@d@x.social\"]\n"
    );
}

#[test]
fn missing_tables_are_added_at_the_end() {
    let text = "# my circles\n[[column]]\nname = \"All\"\n\n# the end\n";
    assert_eq!(
        edited(text, amplify("@a@x.social")),
        "# my circles\n[[column]]\nname = \"All\"\n\n# the end\n\n[amplify]\naccounts = [\"@a@x.social\"]\n"
    );
    let text = "[[column]]\nname = \"All\"\n";
    assert_eq!(
        edited(text, mute("@a@x.social")),
        "[[column]]\nname = \"All\"\n\n[mute]\naccounts = [\"@a@x.social\"]\n"
    );
    assert_eq!(
        edited(text, mute_until("@a@x.social", tomorrow())),
        "[[column]]\nname = \"All\"\n\n[mute.until]\n\"@a@x.social\" = 2026-11-23T10:00:00Z\n"
    );
    assert_eq!(
        edited("", mute("@a@x.social")),
        "[mute]\naccounts = [\"@a@x.social\"]\n"
    );
    // [amplify] is the last table of the default config.
    let out = edited(
        DEFAULT_CONFIG,
        mute_until("@grumpy@mastodon.social", tomorrow()),
    );
    assert_eq!(
        out,
        format!(
            "{DEFAULT_CONFIG}\n[mute.until]\n\"@grumpy@mastodon.social\" = 2026-11-23T10:00:00Z\n"
        )
    );
    let v = verdict(&out, &post("1", "@grumpy@mastodon.social").build());
    assert_eq!(v.muted, Some(MuteReason::Account));
}

#[test]
fn timed_and_forever_mutes_replace_each_other() {
    let timed = edited(
        DEFAULT_CONFIG,
        mute_until("@Megaphone@mastodon.social", tomorrow()),
    );
    let expected = with(DEFAULT_CONFIG, MUTE_LINE, "accounts = []");
    let expected = format!(
        "{expected}\n[mute.until]\n\"@Megaphone@mastodon.social\" = 2026-11-23T10:00:00Z\n"
    );
    assert_eq!(timed, expected);
    let raw = crate::config::parse(&timed).unwrap().raw;
    assert!(raw.mute.accounts.is_empty());
    assert_eq!(raw.mute.until.len(), 1);

    let forever = edited(&timed, mute("@megaphone@mastodon.social"));
    assert_eq!(
        forever,
        format!(
            "{}\n[mute.until]\n",
            with(
                DEFAULT_CONFIG,
                MUTE_LINE,
                r#"accounts = ["@megaphone@mastodon.social"]"#
            )
        )
    );

    // A new end replaces the old one in place, comment and all.
    let text = "[mute.until]\n\"@a@x.social\" = 2026-12-01T00:00:00Z # too loud\n\"A@X.SOCIAL\" = 2026-12-02T00:00:00Z\n";
    assert_eq!(
        edited(text, mute_until("@a@x.social", tomorrow())),
        "[mute.until]\n\"@a@x.social\" = 2026-11-23T10:00:00Z # too loud\n"
    );
}

#[test]
fn expired_timed_mutes_are_pruned_and_their_comments_kept() {
    let text = r#"[mute]
keywords = []

[mute.until]
# election season
"@pundit@x.social" = 2026-11-01T00:00:00Z   # over
"@grumpy@x.social" = 2026-12-01T00:00:00Z
# back after the holidays
"@gone@x.social" = 2026-11-22T10:00:00+01:00

[amplify]
accounts = []
"#;
    let out = edited(
        text,
        Edit::MuteKeyword {
            keyword: "crypto".into(),
        },
    );
    assert_eq!(
        out,
        r#"[mute]
keywords = ["crypto"]

[mute.until]
# election season
"@grumpy@x.social" = 2026-12-01T00:00:00Z
# back after the holidays

[amplify]
accounts = []
"#
    );
    // A blank line between groups stays.
    let text = "[mute.until]\n\"@a@x.social\" = 2026-12-01T00:00:00Z\n\n\"@b@x.social\" = 2026-11-01T00:00:00Z\n\"@c@x.social\" = 2026-12-01T00:00:00Z\n";
    assert_eq!(
        edited(text, amplify("@d@x.social")),
        "[mute.until]\n\"@a@x.social\" = 2026-12-01T00:00:00Z\n\n\"@c@x.social\" = 2026-12-01T00:00:00Z\n\n[amplify]\naccounts = [\"@d@x.social\"]\n"
    );
    // Ending exactly now counts as over; the last table's comments go
    // to the end of the file.
    let text = "[mute.until]\n# soon\n\"@a@x.social\" = 2026-11-22T10:00:00Z\n";
    assert_eq!(
        edited(text, amplify("@b@x.social")),
        "[mute.until]\n# soon\n\n[amplify]\naccounts = [\"@b@x.social\"]\n"
    );
}

#[test]
fn dotted_and_inline_mute_tables_work() {
    let text = "mute.accounts = [\"@a@x.social\"]\n\n[[column]]\nname = \"All\"\n";
    let out = edited(text, mute("@b@x.social"));
    assert_eq!(
        out,
        "mute.accounts = [\"@a@x.social\", \"@b@x.social\"]\n\n[[column]]\nname = \"All\"\n"
    );
    let out = edited(text, mute_until("@b@x.social", tomorrow()));
    let v = verdict(&out, &post("1", "@b@x.social").build());
    assert_eq!(v.muted, Some(MuteReason::Account), "{out}");

    let text = "mute = { accounts = [] }\n\n[[column]]\nname = \"All\"\n";
    let out = edited(text, mute("@b@x.social"));
    assert_eq!(
        out,
        "mute = { accounts = [\"@b@x.social\"] }\n\n[[column]]\nname = \"All\"\n"
    );
    let out = edited(&out, mute_until("@c@x.social", tomorrow()));
    assert_eq!(
        out,
        "mute = { accounts = [\"@b@x.social\"], until = { \"@c@x.social\" = 2026-11-23T10:00:00Z } }\n\n[[column]]\nname = \"All\"\n"
    );
    for who in ["@b@x.social", "@c@x.social"] {
        let v = verdict(&out, &post("1", who).build());
        assert_eq!(v.muted, Some(MuteReason::Account), "{out}");
    }
    let out = edited(&out, amplify("@c@x.social"));
    assert_eq!(
        out,
        "mute = { accounts = [\"@b@x.social\"], until = {} }\n\n[[column]]\nname = \"All\"\n\n[amplify]\naccounts = [\"@c@x.social\"]\n"
    );
}

#[test]
fn pruning_dotted_timed_mutes_keeps_their_comments_in_place() {
    let text = "[mute]\n# soon over\nuntil.\"@a@x.social\" = 2026-11-01T00:00:00Z\naccounts = []\n";
    assert_eq!(
        edited(text, mute("@b@x.social")),
        "[mute]\n# soon over\naccounts = [\"@b@x.social\"]\n"
    );
    let text = "mute.accounts = []\n# soon over\nmute.until.\"@a@x.social\" = 2026-11-01T00:00:00Z\n\n[[column]]\nname = \"All\"\n";
    assert_eq!(
        edited(text, mute("@b@x.social")),
        "mute.accounts = [\"@b@x.social\"]\n# soon over\n\n[[column]]\nname = \"All\"\n"
    );
}

#[test]
fn a_mute_table_implied_by_mute_until_gets_its_header_above_it() {
    let text = "[me]\nhandles = []\n\n[mute.until]\n\"@a@x.social\" = 2026-12-01T00:00:00Z\n\n[amplify]\naccounts = []\n";
    assert_eq!(
        edited(text, mute("@a@x.social")),
        "[me]\nhandles = []\n\n[mute]\naccounts = [\"@a@x.social\"]\n\n[mute.until]\n\n[amplify]\naccounts = []\n"
    );
}

#[test]
fn inline_columns_work() {
    let text = "column = [{ name = \"A\" }]\n";
    assert_eq!(
        edited(text, add("a", "@b@x.social")),
        "column = [{ name = \"A\", accounts = [\"@b@x.social\"] }]\n"
    );
    let new = Edit::NewColumn {
        column: "B".into(),
        handle: "@b@x.social".into(),
    };
    assert_eq!(
        edited(text, new),
        "column = [{ name = \"A\" }, { name = \"B\", accounts = [\"@b@x.social\"] }]\n"
    );
}

#[test]
fn line_endings_and_a_missing_last_newline_are_kept() {
    let text = "[mute]\r\naccounts = [\r\n  \"@a@x.social\",\r\n]\r\n";
    assert_eq!(
        edited(text, mute("@b@x.social")),
        "[mute]\r\naccounts = [\r\n  \"@a@x.social\",\r\n  \"@b@x.social\",\r\n]\r\n"
    );
    let text = "[mute]\naccounts = []";
    assert_eq!(
        edited(text, mute("@b@x.social")),
        "[mute]\naccounts = [\"@b@x.social\"]"
    );
}

#[test]
fn an_edit_that_changes_nothing_returns_the_text_as_is() {
    for text in [
        DEFAULT_CONFIG,
        "[mute]\r\nkeywords = [\"NFT\"]  # no crypto\r\n",
        "[mute]\nkeywords = [\"nft\"]",
    ] {
        let keyword = "NFT".to_string();
        assert_eq!(edited(text, Edit::MuteKeyword { keyword }), text);
    }
}

proptest::proptest! {
    #[test]
    fn amplify_then_unamplify_gives_the_file_back(
        user in "[a-z][a-z0-9_]{0,10}",
        host in "[a-z]{1,8}\\.(social|org|io)",
    ) {
        let handle = format!("@{user}@{host}");
        proptest::prop_assume!(handle != "@alice@hachyderm.io" && handle != "@megaphone@mastodon.social");
        let amplified = apply(DEFAULT_CONFIG, &amplify(&handle), now()).unwrap();
        proptest::prop_assert_ne!(&amplified, DEFAULT_CONFIG);
        let back = apply(&amplified, &Edit::Unamplify { handle: handle.clone().into() }, now()).unwrap();
        proptest::prop_assert_eq!(&back, DEFAULT_CONFIG);

        proptest::prop_assume!(!["@bob.bsky.social", "@chen@fosstodon.org"].contains(&handle.as_str()));
        let added = apply(DEFAULT_CONFIG, &add("Core", &handle), now()).unwrap();
        let back = apply(&added, &remove("Core", &handle), now()).unwrap();
        proptest::prop_assert_eq!(&back, DEFAULT_CONFIG);
    }
}

// ---- Bluesky accounts by DID, with the handle beside it ----

const DAVE_DID: &str = "did:plc:dave4x7q2kz";

fn dave() -> Who {
    Who {
        entry: DAVE_DID.into(),
        handle: Some("dave.test".into()),
    }
}

/// Dave's post, after he changed his handle: only the DID still matches.
fn renamed_dave() -> Post {
    post("1", "dave-new.test")
        .network(crate::model::Network::Bluesky)
        .did(DAVE_DID)
        .build()
}

#[test]
fn a_did_goes_in_with_the_handle_as_a_comment_in_every_list_shape() {
    // One element per line: the comment ends the new element's line.
    let text = "[[column]]\nname = \"Core\"\naccounts = [\n  \"@a@x.social\",\n]\n";
    let out = edited(
        text,
        Edit::AddToColumn {
            column: "Core".into(),
            handle: dave(),
        },
    );
    assert_eq!(
        out,
        "[[column]]\nname = \"Core\"\naccounts = [\n  \"@a@x.social\",\n  \"did:plc:dave4x7q2kz\",  # dave.test\n]\n"
    );
    // Without a trailing comma, one is added so the comment follows it.
    let text = "[[column]]\nname = \"Core\"\naccounts = [\n  \"@a@x.social\"\n]\n";
    let out = edited(
        text,
        Edit::AddToColumn {
            column: "Core".into(),
            handle: dave(),
        },
    );
    assert_eq!(
        out,
        "[[column]]\nname = \"Core\"\naccounts = [\n  \"@a@x.social\",\n  \"did:plc:dave4x7q2kz\",  # dave.test\n]\n"
    );
    // A one-line list: the comment goes at the end of its line, naming it.
    let out = edited(DEFAULT_CONFIG, Edit::Amplify { handle: dave() });
    assert!(
        out.contains(r#"accounts = ["@alice@hachyderm.io", "did:plc:dave4x7q2kz"]  # did:plc:dave4x7q2kz is dave.test"#),
        "{out}"
    );
    assert!(
        verdict(&out, &renamed_dave()).amplified,
        "the DID still matches"
    );
    // A timed mute and a new column.
    let until = tomorrow();
    let out = edited(
        DEFAULT_CONFIG,
        Edit::MuteAccount {
            handle: dave(),
            until: Some(until),
        },
    );
    assert!(
        out.contains("\"did:plc:dave4x7q2kz\" = 2026-11-23T10:00:00Z  # dave.test"),
        "{out}"
    );
    assert_eq!(
        verdict(&out, &renamed_dave()).muted,
        Some(MuteReason::Account)
    );
    let out = edited(
        DEFAULT_CONFIG,
        Edit::NewColumn {
            column: "Dave".into(),
            handle: dave(),
        },
    );
    assert!(
        out.contains("accounts = [\"did:plc:dave4x7q2kz\"]  # did:plc:dave4x7q2kz is dave.test"),
        "{out}"
    );
    let rules = filter::load(&out, now()).unwrap().rules;
    let column = rules.columns.iter().position(|c| c.name == "Dave").unwrap();
    let landed = verdict(&out, &renamed_dave()).columns;
    assert!(
        landed.iter().any(|&c| usize::from(c) == column),
        "{landed:?}"
    );
}

/// An account written by its handle (by hand, or before DIDs were written)
/// is found by the edit that names it by DID, and the other way round.
#[test]
fn a_did_edit_finds_the_account_under_its_handle_too() {
    let text = "[[column]]\nname = \"Core\"\naccounts = [\"dave.test\"]\n[amplify]\naccounts = [\"did:plc:dave4x7q2kz\"]\n";
    let add = Edit::AddToColumn {
        column: "Core".into(),
        handle: dave(),
    };
    assert_eq!(apply(text, &add, now()).unwrap(), text, "nothing to add");
    assert_eq!(add.already(), "@dave.test is already in Core");
    let out = edited(
        text,
        Edit::RemoveFromColumn {
            column: "Core".into(),
            handle: dave(),
        },
    );
    assert!(out.contains("accounts = []"), "{out}");
    let out = edited(text, Edit::Unamplify { handle: dave() });
    assert!(!out.contains("did:plc"), "{out}");
    // Removing the DID's line takes its comment with it.
    let text = "[[column]]\nname = \"Core\"\naccounts = [\n  \"did:plc:dave4x7q2kz\",  # dave.test\n  \"@a@x.social\",\n]\n";
    let out = edited(
        text,
        Edit::RemoveFromColumn {
            column: "Core".into(),
            handle: dave(),
        },
    );
    assert_eq!(
        out,
        "[[column]]\nname = \"Core\"\naccounts = [\n  \"@a@x.social\",\n]\n"
    );
}

/// A column name is taken in any case, as the config's own check has it
/// (full lower case, not ASCII only): both keyboard edits that add a
/// column refuse "über" beside "Über" instead of writing a config that
/// does not load.
#[test]
fn a_column_name_is_taken_in_any_case_by_both_column_edits() {
    let text = "[[source]]\nname = \"home\"\nkind = \"demo\"\n\n[[column]]\nname = \"Über\"\nrest = true\n";
    let source_column = Edit::SourceColumn {
        from: "home".into(),
        source: "home-2".into(),
        read: "list:x".into(),
        column: "über".into(),
    };
    assert!(
        failed(text, source_column).contains("there is already a column named `Über`"),
        "{text}"
    );
    let new_column = Edit::NewColumn {
        column: "ÜBER".into(),
        handle: "@bob@x.social".into(),
    };
    assert!(failed(text, new_column).contains("there is already a column named `Über`"));
}
