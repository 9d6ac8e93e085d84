//! End-to-end tests of the real `circles` binary (README, "Using it as a stream filter"): `route`,
//! `check`, `explain`, `init`, config resolution and exit codes.
//!
//! Every test runs the binary in an isolated environment: `HOME` and
//! `XDG_CONFIG_HOME` point into a fresh temp dir and `CIRCLES_CONFIG` is
//! removed, so no user config can leak in.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The built-in default config, as shipped.
const DEFAULT_CONFIG: &str = include_str!("../../config/default.toml");

/// A config exercising every include rule, every mute kind and amplify.
const CONFIG: &str = r#"[me]
handles = ["@jane@mastodon.social", "jane.bsky.social"]

[[source]]
name = "pipe"
kind = "jsonl"
path = "-"

[[column]]
name = "Core"
accounts = ["@alice@hachyderm.io", "bob.bsky.social"]

[[column]]
name = "Mentions"
mentions_me = true

[[column]]
name = "Alerts"
keywords = ["Jane Doe", "AcmeCo"]

[[column]]
name = "Rust"
hashtags = ["rust", "rustlang"]
exclude_keywords = ["crypto"]

[[column]]
name = "Piped"
sources = ["pipe"]

[[column]]
name = "Everyone else"
rest = true

[mute]
accounts = ["@loud@example.social"]
keywords = ["NFT"]
boosts_from = ["@reposter@mastodon.social"]

[amplify]
accounts = ["@alice@hachyderm.io"]
"#;

const T: &str = "2026-11-21T10:00:00Z";

/// A temp dir holding `home/`, `xdg/` and `work/` (the working directory).
struct Env {
    dir: TempDir,
}

impl Env {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        for sub in ["home", "xdg", "work"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        Env { dir }
    }

    fn xdg(&self) -> PathBuf {
        self.dir.path().join("xdg")
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    /// The config path `circles` should find through `$XDG_CONFIG_HOME`.
    fn xdg_config(&self) -> PathBuf {
        self.xdg().join("circles").join("config.toml")
    }

    /// Writes a file under `work/` and returns its path.
    fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.work().join(name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// The binary with an isolated environment, run from `work/`.
    fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("circles").expect("the circles binary");
        cmd.env("XDG_CONFIG_HOME", self.xdg())
            .env("HOME", self.home())
            .env_remove("CIRCLES_CONFIG")
            .current_dir(self.work());
        cmd
    }

    /// The binary with `--config CONFIG` written to `work/config.toml`.
    fn with_config(&self, config: &str) -> Command {
        let path = self.write("config.toml", config);
        let mut cmd = self.cmd();
        cmd.arg("--config").arg(path);
        cmd
    }
}

/// The output of a finished run.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Run {
    let output = cmd.output().expect("run circles");
    Run {
        code: output.status.code().expect("exited normally"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// Parses every stdout line as a JSON verdict.
fn verdicts(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The exact verdict line expected for a post.
fn verdict(
    id: &str,
    source: &str,
    author: &str,
    columns: &[&str],
    muted: Option<&str>,
    amplified: bool,
) -> Value {
    json!({
        "id": id,
        "source": source,
        "author": author,
        "columns": columns,
        "muted": muted,
        "amplified": amplified,
    })
}

/// A native post as one JSON line.
fn native(id: &str, author: &str, text: &str) -> String {
    json!({"id": id, "author": author, "text": text, "created_at": T}).to_string()
}

/// A real-format fixture compacted to one line.
fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap();
    let value: Value = serde_json::from_str(&text).unwrap();
    serde_json::to_string(&value).unwrap()
}

fn demo_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo.jsonl"))
        .unwrap()
}

/// The line of the demo feed carrying a post id.
fn demo_line(id: &str) -> String {
    let needle = format!("\"{id}\"");
    demo_text()
        .lines()
        .find(|l| l.contains(&needle))
        .unwrap_or_else(|| panic!("no demo line with id {id}"))
        .to_string()
}

/// The mixed input used by the routing tests, one JSON document a line.
/// Some native lines are hand-written with odd spacing and key order, so
/// byte-for-byte pass-through is observable.
fn mixed_lines() -> Vec<String> {
    vec![
        // 0: amplified author, several columns, contains the muted keyword NFT.
        json!({"id": "p1", "author": "@alice@hachyderm.io",
               "text": "Jane Doe says: no NFT here, just a release", "hashtags": ["rust"],
               "created_at": T})
        .to_string(),
        // 1: nobody in particular: rest column. Odd spacing on purpose.
        r#"{ "text" : "lunch was great",  "id":"p2", "author": {"handle":"@carol@example.social","name":"Carol"}, "created_at":"2026-11-21T10:00:00Z" }"#.to_string(),
        // 2: muted account (would be in Alerts).
        native("p3", "@loud@example.social", "Jane Doe is here"),
        // 3: boost from a booster whose boosts are muted.
        json!({"id": "p4", "author": "@dave@example.social",
               "boosted_by": "@reposter@mastodon.social", "text": "AcmeCo news",
               "created_at": T})
        .to_string(),
        // 4: muted keyword.
        native("p5", "@erin@example.social", "Buy my NFT today"),
        // 5: mentions me.
        json!({"id": "p6", "author": "@frank@example.social", "text": "hey @jane, thoughts?",
               "mentions": ["@jane@mastodon.social"], "created_at": T})
        .to_string(),
        // 6: hashtag column excluded by exclude_keywords: falls to rest.
        json!({"id": "p7", "author": "@gina@example.social", "text": "crypto takes on #rust",
               "hashtags": ["rust"], "created_at": T})
        .to_string(),
        // 7-10: real formats.
        fixture("mastodon_status"),
        fixture("bluesky_post"),
        fixture("mastodon_boost"),
        fixture("bluesky_repost"),
        // 11-12: demo feed lines.
        demo_line("117656610944314610"),
        demo_line("at://did:plc:bi6g3frvc3rpfnyyjekyd7ug/app.bsky.feed.post/3n2u3253bsvka"),
    ]
}

fn joined(lines: &[String]) -> String {
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

// ---------------------------------------------------------------- route

#[test]
fn route_prints_one_exact_verdict_per_post() {
    let env = Env::new();
    let input = env.write("posts.jsonl", joined(&mixed_lines()));
    let out = run(env.with_config(CONFIG).arg("route").arg(&input));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let s = "posts.jsonl";
    let expected = vec![
        verdict(
            "p1",
            s,
            "@alice@hachyderm.io",
            &["Core", "Alerts", "Rust"],
            None,
            true,
        ),
        verdict(
            "p2",
            s,
            "@carol@example.social",
            &["Everyone else"],
            None,
            false,
        ),
        verdict("p3", s, "@loud@example.social", &[], Some("account"), false),
        verdict("p4", s, "@dave@example.social", &[], Some("boost"), false),
        verdict("p5", s, "@erin@example.social", &[], Some("keyword"), false),
        verdict("p6", s, "@frank@example.social", &["Mentions"], None, false),
        verdict(
            "p7",
            s,
            "@gina@example.social",
            &["Everyone else"],
            None,
            false,
        ),
        verdict(
            "117652210844581921",
            s,
            "@priya@mastodon.social",
            &["Rust"],
            None,
            false,
        ),
        verdict(
            "at://did:plc:kzot3intd4mypt5iuefccv6m/app.bsky.feed.post/3n2t2njuja2fp",
            s,
            "@kenji.bsky.social",
            &["Mentions", "Rust"],
            None,
            false,
        ),
        verdict(
            "117651890377209156",
            s,
            "@lena@social.example.net",
            &["Everyone else"],
            None,
            false,
        ),
        verdict(
            "at://did:plc:hpbjcfcfwoty5tum34gn3zdo/app.bsky.feed.post/3n2snlxfhckcc",
            s,
            "@ada.bsky.social",
            &["Core", "Rust"],
            None,
            false,
        ),
        verdict(
            "117656610944314610",
            s,
            "@pat@hachyderm.io",
            &["Rust"],
            None,
            false,
        ),
        verdict(
            "at://did:plc:bi6g3frvc3rpfnyyjekyd7ug/app.bsky.feed.post/3n2u3253bsvka",
            s,
            "@bob.bsky.social",
            &["Core"],
            None,
            false,
        ),
    ];
    let got = verdicts(&out.stdout);
    assert_eq!(got.len(), expected.len(), "{}", out.stdout);
    for (got, want) in got.iter().zip(&expected) {
        assert_eq!(got, want);
        // Exactly these keys, nothing more.
        assert_eq!(got.as_object().unwrap().len(), 6, "{got}");
    }
    assert!(
        out.stderr.contains("13 post(s)"),
        "summary on stderr: {}",
        out.stderr
    );
    assert!(!out.stderr.contains("bad line"), "{}", out.stderr);
}

/// The README's native example: its `#rust` puts it in the Rust column
/// though it has no `hashtags` array.
#[test]
fn route_reads_hashtags_from_the_text_of_a_native_post() {
    let env = Env::new();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let example = readme
        .lines()
        .find(|l| l.starts_with(r#"{"id": "42""#) && l.contains("hello #rust"))
        .expect("the README's native example");
    let input = env.write("posts.jsonl", format!("{example}\n"));
    let out = run(env.with_config(CONFIG).arg("route").arg(&input));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let verdict: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(verdict["columns"], json!(["Rust"]), "{verdict}");
}

#[test]
fn route_column_passes_original_lines_through_in_input_order() {
    let env = Env::new();
    let lines = mixed_lines();
    let input = env.write("posts.jsonl", joined(&lines));

    // One column.
    let out = run(env
        .with_config(CONFIG)
        .args(["route", "--column", "Rust"])
        .arg(&input));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let want: Vec<&str> = [0, 7, 8, 10, 11]
        .iter()
        .map(|&i| lines[i].as_str())
        .collect();
    assert_eq!(out.stdout.lines().collect::<Vec<_>>(), want);
    assert!(out.stdout.ends_with('\n'));

    // Two columns: the union, in input order, each line once.
    let out = run(env
        .with_config(CONFIG)
        .args(["route", "--column", "Everyone else", "--column", "Core"])
        .arg(&input));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let want: String = [0, 1, 6, 9, 10, 12]
        .iter()
        .map(|&i| format!("{}\n", lines[i]))
        .collect();
    assert_eq!(out.stdout, want, "byte-for-byte pass-through");
}

#[test]
fn route_muted_passes_muted_lines_through() {
    let env = Env::new();
    let lines = mixed_lines();
    let input = env.write("posts.jsonl", joined(&lines));

    let out = run(env
        .with_config(CONFIG)
        .args(["route", "--muted"])
        .arg(&input));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let want: String = [2, 3, 4]
        .iter()
        .map(|&i| format!("{}\n", lines[i]))
        .collect();
    assert_eq!(out.stdout, want);

    // Together with a column: muted posts plus that column's posts.
    let out = run(env
        .with_config(CONFIG)
        .args(["route", "--muted", "--column", "Mentions"])
        .arg(&input));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let want: String = [2, 3, 4, 5, 8]
        .iter()
        .map(|&i| format!("{}\n", lines[i]))
        .collect();
    assert_eq!(out.stdout, want);
}

#[test]
fn route_unknown_column_is_a_usage_error_naming_the_known_columns() {
    let env = Env::new();
    let input = env.write("posts.jsonl", joined(&mixed_lines()));
    let out = run(env
        .with_config(CONFIG)
        .args(["route", "--column", "Core", "--column", "Nope"])
        .arg(&input));
    assert_eq!(out.code, 2);
    assert_eq!(out.stdout, "", "nothing routed on a usage error");
    assert!(out.stderr.contains("Nope"), "{}", out.stderr);
    for name in [
        "Core",
        "Mentions",
        "Alerts",
        "Rust",
        "Piped",
        "Everyone else",
    ] {
        assert!(
            out.stderr.contains(name),
            "stderr should list {name}: {}",
            out.stderr
        );
    }
}

/// Good lines g1, g3, g5, g7, g9 (line numbers), a blank line 5 is counted,
/// bad lines 2, 4, 7, 9 and a truncated last line 11.
fn bad_input() -> (Vec<u8>, Vec<&'static str>, Vec<u64>) {
    let good = |n: u32| native(&format!("g{n}"), "@carol@example.social", "fine").into_bytes();
    let mut huge =
        br#"{"id":"big","author":"@a@example.social","created_at":"2026-11-21T10:00:00Z","text":""#
            .to_vec();
    huge.extend(std::iter::repeat_n(b'x', (1 << 20) + 10));
    huge.extend_from_slice(b"\"}");
    let lines: Vec<Vec<u8>> = vec![
        good(1),                                  // 1
        br#"{"id":"x", bad json}"#.to_vec(),      // 2 malformed
        good(3),                                  // 3
        b"{\"id\":\"u\",\"author\":\"@a@example.social\",\"text\":\"\xff\xfe\",\"created_at\":\"2026-11-21T10:00:00Z\"}".to_vec(), // 4 bad UTF-8
        Vec::new(),                               // 5 blank
        good(6),                                  // 6
        br#"{"hello":1,"world":2}"#.to_vec(),     // 7 unknown shape
        good(8),                                  // 8
        huge,                                     // 9 over 1 MiB
        good(10),                                 // 10
        br#"{"id":"t","author":"@a@exam"#.to_vec(), // 11 truncated, no newline
    ];
    (
        lines.join(&b'\n'),
        vec!["g1", "g3", "g6", "g8", "g10"],
        vec![2, 4, 7, 9, 11],
    )
}

/// The `line N:` numbers reported on stderr for a file.
fn reported_lines(stderr: &str, file: &str) -> Vec<u64> {
    let prefix = format!("{file}: line ");
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .map(|rest| {
            rest.split(':')
                .next()
                .unwrap()
                .parse()
                .unwrap_or_else(|_| panic!("bad line number in {rest}"))
        })
        .collect()
}

#[test]
fn route_skips_bad_lines_reports_them_located_and_keeps_every_good_line() {
    let env = Env::new();
    let (bytes, good_ids, bad_numbers) = bad_input();
    assert_ne!(bytes.last(), Some(&b'\n'), "the last line is unterminated");
    env.write("bad.jsonl", &bytes);
    // A relative path (run from work/), shown as given.
    let out = run(env.with_config(CONFIG).args(["route", "bad.jsonl"]));
    assert_eq!(out.code, 0, "{}", out.stderr);

    let ids: Vec<String> = verdicts(&out.stdout)
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, good_ids);
    assert_eq!(reported_lines(&out.stderr, "bad.jsonl"), bad_numbers);

    let reason = |n: u64| {
        out.stderr
            .lines()
            .find(|l| l.starts_with(&format!("bad.jsonl: line {n}:")))
            .unwrap()
            .to_string()
    };
    assert!(reason(2).contains("JSON"), "{}", reason(2));
    assert!(reason(4).contains("UTF-8"), "{}", reason(4));
    assert!(reason(7).contains("unknown format"), "{}", reason(7));
    assert!(reason(7).contains("hello"), "{}", reason(7));
    assert!(reason(9).contains("limit"), "{}", reason(9));
    assert!(reason(11).contains("truncated"), "{}", reason(11));

    let summary = out.stderr.lines().last().unwrap();
    assert!(summary.contains("5 bad line"), "summary: {summary}");
    assert!(summary.contains("5 post(s)"), "summary: {summary}");
}

#[test]
fn route_strict_stops_at_the_first_bad_line() {
    let env = Env::new();
    let (bytes, _, _) = bad_input();
    env.write("bad.jsonl", &bytes);
    let out = run(env
        .with_config(CONFIG)
        .args(["route", "--strict", "bad.jsonl"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let ids: Vec<Value> = verdicts(&out.stdout)
        .iter()
        .map(|v| v["id"].clone())
        .collect();
    assert_eq!(ids, vec![json!("g1")], "only the line before the bad one");
    assert_eq!(reported_lines(&out.stderr, "bad.jsonl"), vec![2]);

    // Same from stdin, through --column: nothing after the bad line.
    let out = run(env
        .with_config(CONFIG)
        .args(["route", "--strict", "--column", "Everyone else"])
        .write_stdin(bytes));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!("{}\n", native("g1", "@carol@example.social", "fine"))
    );
    assert_eq!(reported_lines(&out.stderr, "stdin"), vec![2]);
}

#[test]
fn route_reads_several_files_and_stdin_in_order() {
    let env = Env::new();
    let a = env.write(
        "a.jsonl",
        format!(
            "{}\n{}\n",
            native("a1", "@carol@example.social", "one"),
            native("a2", "@alice@hachyderm.io", "two")
        ),
    );
    // Line numbers restart per file: the bad line is line 2 of b.jsonl.
    let b = env.write(
        "b.jsonl",
        format!(
            "{}\nnot json\n{}\n",
            native("b1", "@carol@example.social", "AcmeCo"),
            native("b3", "@loud@example.social", "x")
        ),
    );
    let stdin = format!(
        "{}\n{}\n",
        native("s1", "@frank@example.social", "three"),
        native("s2", "@erin@example.social", "NFT")
    );
    let out = run(env
        .with_config(CONFIG)
        .arg("route")
        .arg(&a)
        .arg("-")
        .arg(&b)
        .write_stdin(stdin));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let pairs: Vec<(String, String, Value)> = verdicts(&out.stdout)
        .iter()
        .map(|v| {
            (
                v["id"].as_str().unwrap().to_string(),
                v["source"].as_str().unwrap().to_string(),
                v["columns"].clone(),
            )
        })
        .collect();
    let row =
        |id: &str, source: &str, columns: Value| (id.to_string(), source.to_string(), columns);
    assert_eq!(
        pairs,
        vec![
            row("a1", "a.jsonl", json!(["Everyone else"])),
            row("a2", "a.jsonl", json!(["Core"])),
            row("s1", "stdin", json!(["Everyone else"])),
            row("s2", "stdin", json!([])),
            row("b1", "b.jsonl", json!(["Alerts"])),
            row("b3", "b.jsonl", json!([])),
        ]
    );
    assert_eq!(
        reported_lines(&out.stderr, &b.display().to_string()),
        vec![2]
    );
    assert!(out.stderr.contains("1 bad line"), "{}", out.stderr);
}

#[test]
fn route_source_flag_names_posts_and_feeds_sources_rules() {
    let env = Env::new();
    let post = native("s1", "@carol@example.social", "hello");

    // Without --source, stdin is `stdin` and the post falls to rest.
    let out = run(env
        .with_config(CONFIG)
        .args(["route", "-"])
        .write_stdin(format!("{post}\n")));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        verdicts(&out.stdout),
        vec![verdict(
            "s1",
            "stdin",
            "@carol@example.social",
            &["Everyone else"],
            None,
            false
        )]
    );

    // With --source pipe, the `sources = ["pipe"]` column takes it.
    let out = run(env
        .with_config(CONFIG)
        .args(["route", "--source", "pipe", "-"])
        .write_stdin(format!("{post}\n")));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        verdicts(&out.stdout),
        vec![verdict(
            "s1",
            "pipe",
            "@carol@example.social",
            &["Piped"],
            None,
            false
        )]
    );

    // It names file input too, and adds to the other columns.
    let file = env.write(
        "in.jsonl",
        format!("{}\n", native("f1", "@alice@hachyderm.io", "AcmeCo")),
    );
    let out = run(env
        .with_config(CONFIG)
        .args(["route", "--source", "pipe"])
        .arg(&file));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        verdicts(&out.stdout),
        vec![verdict(
            "f1",
            "pipe",
            "@alice@hachyderm.io",
            &["Core", "Alerts", "Piped"],
            None,
            true
        )]
    );
}

#[test]
fn route_with_a_broken_config_fails_before_reading_input() {
    let env = Env::new();
    let out = run(env
        .with_config("[[column]]\nname = \"A\"\nacounts = []\n")
        .arg("route")
        .write_stdin(format!("{}\n", native("x", "@a@example.social", "t"))));
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("acounts"), "{}", out.stderr);
}

#[test]
fn timed_mutes_hold_until_their_end() {
    let env = Env::new();
    let config = format!(
        "{CONFIG}\n[mute.until]\n\"@carol@example.social\" = 2099-01-01T00:00:00Z\n\"@dave@example.social\" = 2000-01-01T00:00:00Z\n"
    );
    let input = format!(
        "{}\n{}\n",
        native("c1", "@carol@example.social", "AcmeCo"),
        native("d1", "@dave@example.social", "AcmeCo")
    );
    let out = run(env
        .with_config(&config)
        .arg("route")
        .write_stdin(input.clone()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        verdicts(&out.stdout),
        vec![
            verdict(
                "c1",
                "stdin",
                "@carol@example.social",
                &[],
                Some("account"),
                false
            ),
            verdict(
                "d1",
                "stdin",
                "@dave@example.social",
                &["Alerts"],
                None,
                false
            ),
        ]
    );

    let out = run(env.with_config(&config).arg("explain").write_stdin(input));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let carol = block(&out.stdout, "c1");
    assert!(carol.contains("[mute.until]"), "{carol}");
    assert!(carol.contains("2099-01-01"), "{carol}");
    assert!(carol.contains("=> muted (account)"), "{carol}");
    let dave = block(&out.stdout, "d1");
    assert!(!dave.contains("muted"), "{dave}");
    assert!(dave.contains("=> columns: Alerts"), "{dave}");
}

// ---------------------------------------------------------------- explain

/// The explain block of one post.
fn block<'a>(stdout: &'a str, id: &str) -> &'a str {
    let head = format!("post {id} by ");
    stdout
        .split("\n\n")
        .find(|b| b.trim_start().starts_with(&head))
        .unwrap_or_else(|| panic!("no explain block for {id} in:\n{stdout}"))
}

#[test]
fn explain_names_the_rules_that_fired_mutes_and_rest_skips() {
    let env = Env::new();
    let lines = mixed_lines();
    let input = env.write("posts.jsonl", joined(&lines[..7]));
    let out = run(env.with_config(CONFIG).arg("explain").arg(&input));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("7 post(s)"), "{}", out.stderr);

    let p1 = block(&out.stdout, "p1");
    assert!(p1.contains("@alice@hachyderm.io"), "{p1}");
    assert!(p1.contains("from posts.jsonl"), "{p1}");
    assert!(
        p1.contains("amplified: author @alice@hachyderm.io is in [amplify] accounts"),
        "{p1}"
    );
    assert!(
        p1.contains("Core: matched accounts lists the author @alice@hachyderm.io"),
        "{p1}"
    );
    assert!(p1.contains("Alerts: matched keyword \"Jane Doe\""), "{p1}");
    assert!(p1.contains("Rust: matched hashtag #rust"), "{p1}");
    assert!(p1.contains("Mentions: no include rule matched"), "{p1}");
    assert!(
        p1.contains("Everyone else (rest): skipped, another column took the post"),
        "{p1}"
    );
    assert!(p1.contains("=> columns: Core, Alerts, Rust"), "{p1}");
    assert!(!p1.contains("muted"), "{p1}");

    let p2 = block(&out.stdout, "p2");
    assert!(
        p2.contains("Everyone else: rest: no other column took it"),
        "{p2}"
    );
    assert!(p2.contains("=> columns: Everyone else"), "{p2}");

    let p3 = block(&out.stdout, "p3");
    assert!(
        p3.contains("muted: author @loud@example.social is in [mute] accounts"),
        "{p3}"
    );
    assert!(p3.contains("=> muted (account)"), "{p3}");

    let p4 = block(&out.stdout, "p4");
    assert!(
        p4.contains("(boosted by @reposter@mastodon.social)"),
        "{p4}"
    );
    assert!(p4.contains("boosts_from"), "{p4}");
    assert!(p4.contains("=> muted (boost)"), "{p4}");

    let p5 = block(&out.stdout, "p5");
    assert!(p5.contains("[mute] keyword \"NFT\" matched"), "{p5}");
    assert!(p5.contains("=> muted (keyword)"), "{p5}");

    let p6 = block(&out.stdout, "p6");
    assert!(p6.contains("Mentions: matched mentions_me"), "{p6}");

    let p7 = block(&out.stdout, "p7");
    assert!(p7.contains("Rust: matched hashtag #rust"), "{p7}");
    assert!(
        p7.contains("Rust: excluded, exclude_keywords \"crypto\" matched"),
        "{p7}"
    );
    assert!(p7.contains("=> columns: Everyone else"), "{p7}");
}

// ---------------------------------------------------------------- check

/// 1-based line and column (in characters) of the first `needle` in `text`.
fn position_of(text: &str, needle: &str) -> (usize, usize) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in config"));
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// Asserts stderr has `FILE:LINE:COL: error` followed by the quoted source
/// line and a caret line whose `^` sits under column COL.
fn assert_located(stderr: &str, file: &str, text: &str, line: usize, col: usize, kind: &str) {
    let head = format!("{file}:{line}:{col}: {kind}");
    assert!(stderr.contains(&head), "expected `{head}` in:\n{stderr}");
    let source_line = text.lines().nth(line - 1).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    let quoted = format!("{line} | {source_line}");
    let at = lines
        .iter()
        .position(|l| *l == quoted)
        .unwrap_or_else(|| panic!("expected the quoted line `{quoted}` in:\n{stderr}"));
    let caret = lines.get(at + 1).expect("a caret line");
    let (_, after_bar) = caret
        .split_once(" | ")
        .unwrap_or_else(|| panic!("caret line `{caret}`"));
    assert!(
        after_bar.starts_with(&format!("{}^", " ".repeat(col - 1))),
        "caret not under column {col}: `{caret}`"
    );
}

#[test]
fn check_accepts_a_valid_config_and_lists_its_columns() {
    let env = Env::new();
    let out = run(env.with_config(CONFIG).arg("check"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("config.toml"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("6 column(s) [Core, Mentions, Alerts, Rust, Piped, Everyone else]"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("1 source(s)"), "{}", out.stdout);
    assert!(!out.stderr.contains("error"), "{}", out.stderr);
}

#[test]
fn check_locates_an_unknown_key_with_a_caret() {
    let env = Env::new();
    let text =
        "[me]\nhandles = []\n\n[[column]]\nname = \"Core\"\nacounts = [\"@a@example.social\"]\n";
    let out = run(env.with_config(text).arg("check"));
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert_located(&out.stderr, "config.toml", text, 6, 1, "error");
    assert!(out.stderr.contains("acounts"), "{}", out.stderr);
    assert!(
        out.stderr.contains("^^^^^^^\n"),
        "caret spans the key: {}",
        out.stderr
    );
}

#[test]
fn check_locates_each_semantic_error_at_its_value() {
    let base = "[[source]]\nname = \"pipe\"\nkind = \"jsonl\"\npath = \"-\"\n\n";
    let cases: [(&str, String, &str, &str); 4] = [
        (
            "bad regex",
            format!("{base}[[column]]\nname = \"A\"\nregex = ['ok', '(unclosed']\n"),
            "'(unclosed'",
            "regex",
        ),
        (
            "duplicate column",
            format!("{base}[[column]]\nname = \"Dup\"\n\n[[column]]\nname   =   \"Dup\"\n"),
            "\"Dup\"\n\n",
            "Dup",
        ),
        (
            "unknown source",
            format!("{base}[[column]]\nname = \"A\"\nsources = [\"pipe\", \"nope\"]\n"),
            "\"nope\"",
            "nope",
        ),
        (
            "malformed handle",
            format!(
                "{base}[[column]]\nname = \"A\"\naccounts = [\"@bob@example.social\", \"@alice\"]\n"
            ),
            "\"@alice\"",
            "@alice",
        ),
    ];
    for (what, text, needle, mention) in cases {
        let env = Env::new();
        let out = run(env.with_config(&text).arg("check"));
        assert_eq!(out.code, 1, "{what}: {}", out.stderr);
        assert_eq!(out.stdout, "", "{what}");
        let (line, col) = if what == "duplicate column" {
            // The second "Dup", not the first.
            let first = text.find(needle).unwrap() + needle.len();
            let (l, c) = position_of(&text[first..], "\"Dup\"");
            (l + text[..first].matches('\n').count(), c)
        } else {
            position_of(&text, needle)
        };
        assert_located(&out.stderr, "config.toml", &text, line, col, "error");
        assert!(
            out.stderr.contains(mention),
            "{what}: stderr should mention {mention}: {}",
            out.stderr
        );
        assert!(
            out.stderr.contains("1 error"),
            "{what}: exactly one error: {}",
            out.stderr
        );
    }
}

#[test]
fn check_reports_several_errors_together() {
    let env = Env::new();
    let text = r#"[[source]]
name = "pipe"
kind = "jsonl"
path = "-"

[[column]]
name = "A"
regex = ['(unclosed']

[[column]]
name = "A"
sources = ["nope"]
accounts = ["@bob@example.social", "@alice"]
"#;
    let out = run(env.with_config(text).arg("check"));
    assert_eq!(out.code, 1);
    for (line, col) in [(8, 10), (11, 8), (12, 12), (13, 36)] {
        assert_located(&out.stderr, "config.toml", text, line, col, "error");
    }
    assert_eq!(out.stderr.matches(": error: ").count(), 4, "{}", out.stderr);
    assert!(out.stderr.contains("4 error"), "{}", out.stderr);
}

#[test]
fn check_warns_about_an_account_both_muted_and_amplified() {
    let env = Env::new();
    let text = "[[column]]\nname = \"All\"\n\n[mute]\naccounts = [\"@x@example.social\"]\n\n[amplify]\naccounts = [\"@x@example.social\"]\n";
    let out = run(env.with_config(text).arg("check"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_located(&out.stderr, "config.toml", text, 8, 13, "warning");
    assert!(out.stderr.contains("@x@example.social"), "{}", out.stderr);
    assert!(out.stdout.contains("[All]"), "{}", out.stdout);
    assert!(out.stdout.contains("1 warning"), "{}", out.stdout);

    // And the mute wins when routing.
    let out = run(env
        .with_config(text)
        .arg("route")
        .write_stdin(format!("{}\n", native("x1", "@x@example.social", "hi"))));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(verdicts(&out.stdout)[0]["muted"], json!("account"));
}

// ---------------------------------------------------------------- resolution

/// A config with a single catch-all column of this name.
fn named(column: &str) -> String {
    format!("[[column]]\nname = \"{column}\"\n")
}

/// The columns a sample post lands in with `cmd`.
fn columns_seen(mut cmd: Command) -> Value {
    let out = run(cmd
        .arg("route")
        .write_stdin(format!("{}\n", native("r1", "@carol@example.social", "hi"))));
    assert_eq!(out.code, 0, "{}", out.stderr);
    verdicts(&out.stdout)[0]["columns"].clone()
}

#[test]
fn without_any_config_file_the_builtin_default_is_used() {
    let env = Env::new();
    let out = run(env.cmd().arg("check"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("built-in"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("[Core, Mentions, Alerts, Rust, Everyone else]"),
        "{}",
        out.stdout
    );
    assert_eq!(columns_seen(env.cmd()), json!(["Everyone else"]));
}

#[test]
fn the_xdg_config_beats_the_builtin_default() {
    let env = Env::new();
    std::fs::create_dir_all(env.xdg_config().parent().unwrap()).unwrap();
    std::fs::write(env.xdg_config(), named("FromXdg")).unwrap();
    let out = run(env.cmd().arg("check"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains(&env.xdg_config().display().to_string()),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("[FromXdg]"), "{}", out.stdout);
    assert_eq!(columns_seen(env.cmd()), json!(["FromXdg"]));

    // An empty $CIRCLES_CONFIG counts as unset.
    let mut cmd = env.cmd();
    cmd.env("CIRCLES_CONFIG", "");
    assert_eq!(columns_seen(cmd), json!(["FromXdg"]));
}

/// A symlink at the default path whose target is missing is said so (not
/// passed over for the built-in default), and `init` does not replace it.
#[test]
fn a_broken_symlink_at_the_default_path_is_said_and_kept() {
    let env = Env::new();
    std::fs::create_dir_all(env.xdg_config().parent().unwrap()).unwrap();
    let target = env.work().join("dotfiles/circles.toml");
    std::os::unix::fs::symlink(&target, env.xdg_config()).unwrap();
    for args in [&["check"][..], &["init"]] {
        let out = run(env.cmd().args(args));
        assert_ne!(out.code, 0, "{args:?}: {}", out.stdout);
        assert!(
            out.stderr
                .contains("config.toml is a symlink to a missing file")
                && out.stderr.contains("dotfiles/circles.toml"),
            "{args:?}: {}",
            out.stderr
        );
    }
    let meta = std::fs::symlink_metadata(env.xdg_config()).unwrap();
    assert!(meta.file_type().is_symlink(), "the link is still a link");
    assert!(!target.exists());
}

#[test]
fn circles_config_env_beats_the_xdg_config() {
    let env = Env::new();
    std::fs::create_dir_all(env.xdg_config().parent().unwrap()).unwrap();
    std::fs::write(env.xdg_config(), named("FromXdg")).unwrap();
    let from_env = env.write("env.toml", named("FromEnv"));
    let out = run(env.cmd().env("CIRCLES_CONFIG", &from_env).arg("check"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("env.toml"), "{}", out.stdout);
    assert!(out.stdout.contains("[FromEnv]"), "{}", out.stdout);
    let mut cmd = env.cmd();
    cmd.env("CIRCLES_CONFIG", &from_env);
    assert_eq!(columns_seen(cmd), json!(["FromEnv"]));
}

#[test]
fn the_config_flag_beats_circles_config_env() {
    let env = Env::new();
    std::fs::create_dir_all(env.xdg_config().parent().unwrap()).unwrap();
    std::fs::write(env.xdg_config(), named("FromXdg")).unwrap();
    let from_env = env.write("env.toml", named("FromEnv"));
    let from_flag = env.write("flag.toml", named("FromFlag"));
    let out = run(env
        .cmd()
        .env("CIRCLES_CONFIG", &from_env)
        .arg("check")
        .arg("--config")
        .arg(&from_flag));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("flag.toml"), "{}", out.stdout);
    assert!(out.stdout.contains("[FromFlag]"), "{}", out.stdout);
    let mut cmd = env.cmd();
    cmd.env("CIRCLES_CONFIG", &from_env)
        .arg("--config")
        .arg(&from_flag);
    assert_eq!(columns_seen(cmd), json!(["FromFlag"]));
}

#[test]
fn a_missing_config_file_named_explicitly_is_an_error() {
    let env = Env::new();
    let out = run(env
        .cmd()
        .args(["check", "--config"])
        .arg(env.work().join("absent.toml")));
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("absent.toml"), "{}", out.stderr);
    assert_eq!(out.stdout, "");
}

// ---------------------------------------------------------------- init

#[test]
fn init_writes_the_default_config_to_the_xdg_path_and_never_overwrites() {
    let env = Env::new();
    let path = env.xdg_config();
    assert!(!path.exists());
    let out = run(env.cmd().arg("init"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains(&path.display().to_string()),
        "{}",
        out.stdout
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), initial_config());
    assert_eq!(
        std::fs::read_to_string(path.with_file_name("config.schema.json")).unwrap(),
        circles::config::schema_json(),
        "the schema the directive names is written beside the config"
    );

    // The written file is now the config in use.
    let out = run(env.cmd().arg("check"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains(&path.display().to_string()),
        "{}",
        out.stdout
    );

    // A second init refuses and leaves the user's file alone.
    let mine = "# my own config\n[[column]]\nname = \"Mine\"\n";
    std::fs::write(&path, mine).unwrap();
    let out = run(env.cmd().arg("init"));
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("already exists"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), mine);
}

#[test]
fn init_with_config_flag_writes_there() {
    let env = Env::new();
    let target = env.work().join("sub/dir/circles.toml");
    let out = run(env.cmd().arg("init").arg("--config").arg(&target));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("circles.toml"), "{}", out.stdout);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), initial_config());
    assert!(target.with_file_name("config.schema.json").exists());
    assert!(
        !env.xdg_config().exists(),
        "nothing written at the XDG path"
    );

    let out = run(env.cmd().arg("init").arg("--config").arg(&target));
    assert_eq!(out.code, 1);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), initial_config());
}

/// What `circles init` writes: the default config after a `#:schema`
/// directive naming the copy beside it.
fn initial_config() -> String {
    format!("#:schema ./config.schema.json\n{DEFAULT_CONFIG}")
}

// ---------------------------------------------------------------- schema

#[test]
fn schema_prints_the_json_schema_and_write_refreshes_the_copy() {
    let env = Env::new();
    let out = run(env.cmd().arg("schema"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let schema: Value = serde_json::from_str(&out.stdout).expect("JSON on stdout");
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(out.stdout, circles::config::schema_json());

    // After an upgrade: a stale copy beside the config is replaced, and a
    // config that does not name it is told how to.
    let config = env.write("config.toml", "[[column]]\nname = \"All\"\n");
    let copy = config.with_file_name("config.schema.json");
    std::fs::write(&copy, "{\"old\": true}\n").unwrap();
    let out = run(env
        .cmd()
        .args(["schema", "--write", "--config"])
        .arg(&config));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(&copy).unwrap(),
        circles::config::schema_json()
    );
    assert!(out.stdout.contains("wrote"), "{}", out.stdout);
    assert!(
        out.stdout.contains("#:schema ./config.schema.json"),
        "{}",
        out.stdout
    );

    // Run again on a config that names it: nothing to write, nothing to say.
    std::fs::write(
        &config,
        "#:schema ./config.schema.json\n[[column]]\nname = \"All\"\n",
    )
    .unwrap();
    let out = run(env
        .cmd()
        .args(["schema", "--write", "--config"])
        .arg(&config));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("already up to date"), "{}", out.stdout);
    assert!(!out.stdout.contains("first line"), "{}", out.stdout);

    // The directive is a comment: the config still checks.
    let out = run(env.cmd().args(["check", "--config"]).arg(&config));
    assert_eq!(out.code, 0, "{}", out.stderr);
}

// ---------------------------------------------------------------- usage

#[test]
fn an_unknown_flag_is_a_usage_error() {
    let env = Env::new();
    env.cmd()
        .arg("--bogus")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("--bogus"));
    env.cmd()
        .args(["route", "--nope"])
        .write_stdin("")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("--nope"));
}

#[test]
fn bare_circles_without_a_terminal_points_to_circles_route() {
    // The screen needs a terminal; in a pipe, the stream filter is the tool.
    let env = Env::new();
    env.cmd()
        .assert()
        .code(1)
        .stderr(predicate::str::contains("circles route"));
}

// ---------------------------------------------------------------- demo feed

#[test]
fn the_demo_feed_routes_cleanly_with_the_builtin_default() {
    let env = Env::new();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo.jsonl");
    let output = env.cmd().arg("route").arg(&demo).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("bad line"), "{stderr}");

    let forbidden = |bytes: &[u8]| {
        let text = String::from_utf8(bytes.to_vec()).expect("UTF-8 output");
        assert!(!bytes.contains(&0x1b), "ESC in output");
        assert!(
            !text.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c)),
            "C1 control in output"
        );
        text
    };
    let stdout = forbidden(&output.stdout);
    let all = verdicts(&stdout);
    assert!(all.len() >= 300, "only {} verdicts", all.len());
    let input_lines = demo_text().lines().filter(|l| !l.trim().is_empty()).count();
    assert_eq!(all.len(), input_lines, "one verdict per demo line");
    assert!(
        stderr.contains(&format!("{input_lines} post(s)")),
        "{stderr}"
    );

    let default: toml::Value = toml::from_str(DEFAULT_CONFIG).unwrap();
    let names: Vec<&str> = default["column"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(names.len() >= 2);
    for name in names {
        let n = all
            .iter()
            .filter(|v| v["columns"].as_array().unwrap().contains(&json!(name)))
            .count();
        assert!(n > 0, "no demo post landed in column {name}");
    }
    for reason in ["account", "boost", "keyword"] {
        assert!(
            all.iter().any(|v| v["muted"] == json!(reason)),
            "no demo post muted by {reason}"
        );
    }
    assert!(all.iter().any(|v| v["amplified"] == json!(true)));

    // explain prints handles and ids from hostile posts: sanitized too.
    let output = env.cmd().arg("explain").arg(&demo).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = forbidden(&output.stdout);
    assert_eq!(text.matches("\npost ").count() + 1, input_lines);
}

#[test]
fn route_reports_an_unreadable_file_and_still_reads_the_others() {
    let env = Env::new();
    let a = env.write(
        "a.jsonl",
        format!("{}\n", native("a1", "@x@x.social", "one")),
    );
    let b = env.write(
        "b.jsonl",
        format!("{}\n", native("b1", "@x@x.social", "two")),
    );
    let out = run(env
        .with_config(CONFIG)
        .arg("route")
        .arg(&a)
        .arg("missing.jsonl")
        .arg(&b));
    assert_eq!(out.code, 1, "a missing input is a runtime error");
    let ids: Vec<String> = verdicts(&out.stdout)
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ids,
        vec!["a1", "b1"],
        "the file after the missing one is still routed"
    );
    assert!(
        out.stderr.contains("cannot read missing.jsonl"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("1 file(s) could not be read"),
        "{}",
        out.stderr
    );
}

#[test]
fn route_strict_summary_says_it_stopped() {
    let env = Env::new();
    let input = format!(
        "{}\nnot json\n{}\n",
        native("g1", "@x@x.social", "a"),
        native("g2", "@x@x.social", "b")
    );
    let out = run(env
        .with_config(CONFIG)
        .args(["route", "--strict"])
        .write_stdin(input));
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("stopped at the first bad line (--strict)"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("skipped"), "{}", out.stderr);
}

#[test]
fn pass_through_keeps_crlf_line_endings_byte_for_byte() {
    let env = Env::new();
    let input = format!(
        "{}\r\n{}\r\n",
        native("c1", "@x@x.social", "a"),
        native("c2", "@x@x.social", "b")
    );
    let output = env
        .with_config(CONFIG)
        .args(["route", "--column", "Everyone else"])
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert_eq!(output.stdout, input.into_bytes());
}

#[test]
fn json_that_is_not_an_object_is_named_for_what_it_is() {
    let env = Env::new();
    let input = format!("[]\n42\n{}\n", native("ok", "@x@x.social", "fine"));
    let out = run(env.with_config(CONFIG).arg("route").write_stdin(input));
    assert_eq!(out.code, 0);
    assert_eq!(verdicts(&out.stdout).len(), 1);
    assert!(
        out.stderr.contains("line 1: unknown format")
            && out.stderr.contains("the line is an array, not an object"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("line 2:") && out.stderr.contains("the line is a number"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("struct Item"),
        "no internal type names: {}",
        out.stderr
    );
}

#[test]
fn column_names_on_the_command_line_ignore_case() {
    let env = Env::new();
    let line = native("e1", "@x@x.social", "plain");
    let out = run(env
        .with_config(CONFIG)
        .args(["route", "--column", "everyone ELSE"])
        .write_stdin(format!("{line}\n")));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, format!("{line}\n"));
}

/// The binary as a child with piped stdin/stdout, for live-stream tests.
fn spawn_route(env: &Env, config: &str) -> std::process::Child {
    let path = env.write("config.toml", config);
    std::process::Command::new(assert_cmd::cargo::cargo_bin("circles"))
        .env("XDG_CONFIG_HOME", env.xdg())
        .env("HOME", env.home())
        .env_remove("CIRCLES_CONFIG")
        .current_dir(env.work())
        .arg("--config")
        .arg(path)
        .arg("route")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn circles")
}

#[test]
fn a_live_pipe_gets_each_verdict_as_its_post_arrives_and_timed_mutes_end_on_time() {
    use std::io::{BufRead, BufReader, Write};
    let env = Env::new();
    let until = (chrono::Utc::now() + chrono::Duration::seconds(2))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let config =
        format!("[[column]]\nname = \"All\"\n[mute.until]\n\"@grumpy@x.social\" = {until}\n");
    let mut child = spawn_route(&env, &config);
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let post = |id: &str| format!("{}\n", native(id, "@grumpy@x.social", "grr"));

    stdin.write_all(post("p1").as_bytes()).unwrap();
    stdin.flush().unwrap();
    // The verdict must arrive while stdin is still open.
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let first: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(first["id"], "p1");
    assert_eq!(first["muted"], "account");

    std::thread::sleep(std::time::Duration::from_millis(3200));
    stdin.write_all(post("p2").as_bytes()).unwrap();
    drop(stdin);
    let mut second = String::new();
    stdout.read_line(&mut second).unwrap();
    let second: Value = serde_json::from_str(&second).unwrap();
    assert_eq!(second["id"], "p2");
    assert_eq!(second["muted"], Value::Null, "the timed mute has ended");
    assert_eq!(second["columns"], json!(["All"]));
    assert!(child.wait().unwrap().success());
}

#[test]
fn a_reader_that_goes_away_ends_default_output_quietly() {
    use std::io::{BufRead, BufReader, Write};
    let env = Env::new();
    let mut child = spawn_route(&env, DEFAULT_CONFIG);
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let demo = demo_text();
        for _ in 0..40 {
            if stdin.write_all(demo.as_bytes()).is_err() {
                break;
            }
        }
    });
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert!(line.starts_with("{\"id\""), "{line}");
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("writing output"), "{stderr}");
}

#[test]
fn notifications_are_routed_with_their_kind() {
    let env = Env::new();
    let account =
        json!({"id": "2", "acct": "x@y.social", "url": "https://y.social/@x", "display_name": "X"});
    let follow =
        json!({"id": "1", "type": "follow", "created_at": T, "account": account}).to_string();
    let favourite =
        json!({"id": "2", "type": "favourite", "created_at": T, "account": account}).to_string();
    let input = format!(
        "{follow}\n{favourite}\n{}\n",
        native("ok", "@x@x.social", "hi")
    );
    let out = run(env
        .with_config(CONFIG)
        .args(["route", "--strict"])
        .write_stdin(input));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let verdicts = verdicts(&out.stdout);
    assert_eq!(verdicts.len(), 3, "{}", out.stdout);
    assert_eq!(verdicts[0]["notification"], "follow", "{}", out.stdout);
    assert_eq!(verdicts[0]["author"], "@x@y.social");
    assert_eq!(verdicts[1]["notification"], "favourite");
    assert!(
        verdicts[2].get("notification").is_none(),
        "a post is no notification: {}",
        out.stdout
    );
    // No column of this config takes notifications: a follow is in none.
    assert_eq!(verdicts[0]["columns"], json!([]), "{}", out.stdout);
    assert!(!out.stderr.contains("bad line"), "{}", out.stderr);
}

#[test]
fn an_input_that_cannot_be_read_does_not_stop_the_others() {
    let env = Env::new();
    std::fs::create_dir_all(env.work().join("adir")).unwrap();
    let good = env.write(
        "p.jsonl",
        format!("{}\n", native("p1", "@x@x.social", "hi")),
    );
    let out = run(env.with_config(CONFIG).arg("route").arg("adir").arg(&good));
    assert_eq!(out.code, 1);
    assert_eq!(verdicts(&out.stdout).len(), 1, "p.jsonl is still routed");
    assert!(out.stderr.contains("cannot read adir"), "{}", out.stderr);
}

/// Terminal-acting text: escape sequences (CSI, OSC 52 clipboard, OSC 0
/// title, OSC 8 link, DCS), C1 controls, BEL, NUL and bidi overrides.
const HOSTILE: &[&str] = &[
    "\u{1b}]52;c;aGVsbG8=\u{7}",
    "\u{1b}]0;pwned\u{7}",
    "\u{1b}[2J\u{1b}[H",
    "\u{1b}[?1049h",
    "\u{9b}31m",
    "\u{1b}P1$r\u{1b}\\",
    "\u{1b}]8;;https://evil.example\u{1b}\\link",
    "\u{202e}txt.exe",
    "bell\u{7}",
    "nul\u{0}",
    "\u{85}next line",
];

/// Messages on stderr quote input (a line's keys, its values, a file's
/// name); none of it may act on the user's terminal. Every hostile string
/// goes in as a JSON key, inside a bad value, as a bad line and in a file
/// name, through `route` and `explain`.
#[test]
fn stderr_never_carries_what_acts_on_a_terminal() {
    let env = Env::new();
    let mut lines = Vec::new();
    for h in HOSTILE {
        lines.push(json!({ *h: 1 }).to_string());
        lines.push(
            json!({"id": "1", "author": "@a@x.social", "text": "x", "created_at": h}).to_string(),
        );
        lines.push(format!("not json {h}"));
    }
    let input = env.write("hostile.jsonl", lines.join("\n") + "\n");
    let named = env.write(&format!("file{}.jsonl", HOSTILE[0]), "{\"x\":1}\n");
    for command in ["route", "explain"] {
        let out = run(env
            .with_config(CONFIG)
            .arg(command)
            .arg(&input)
            .arg(&named)
            .arg(format!("missing{}.jsonl", HOSTILE[2])));
        assert_eq!(
            out.code, 1,
            "the missing file fails the run: {}",
            out.stderr
        );
        assert!(out.stderr.contains("line 1:"), "{}", out.stderr);
        let acting: Vec<char> = out
            .stderr
            .chars()
            .filter(|&c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c))
            .collect();
        assert!(
            acting.is_empty(),
            "{command}: {acting:?} in\n{}",
            out.stderr
        );
        // and what was there is shown, escaped
        assert!(out.stderr.contains("\\u{1b}]52;c;"), "{}", out.stderr);
    }
}

/// Completion scripts for every shell clap_complete knows; bash's parses.
#[test]
fn completions_are_printed_for_every_shell_and_bash_parses_its_script() {
    let env = Env::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = run(env.cmd().args(["completions", shell]));
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        for word in ["route", "explain", "check", "login", "config"] {
            assert!(out.stdout.contains(word), "{shell} lacks {word}");
        }
    }
    let script = run(env.cmd().args(["completions", "bash"])).stdout;
    let file = env.write("circles.bash", &script);
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&file)
        .output()
        .expect("bash");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let bad = run(env.cmd().args(["completions", "tcsh"]));
    assert_eq!(bad.code, 2, "an unknown shell is a usage error");
}

/// The manual page is roff with every command in it, and groff renders it
/// without a warning (groff is installed by .ci/run).
#[test]
fn the_man_page_is_roff_that_renders_cleanly() {
    let env = Env::new();
    let out = run(env.cmd().arg("man"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains(".TH circles 1"), "{}", out.stdout);
    for word in ["route", "explain", "check", "init", "login", "completions"] {
        assert!(out.stdout.contains(word), "the page lacks {word}");
    }
    let page = env.write("circles.1", &out.stdout);
    let render = std::process::Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .arg(&page)
        .output()
        .expect("groff (installed by .ci/run: groff-base)");
    let warnings = String::from_utf8_lossy(&render.stderr);
    assert!(render.status.success() && warnings.is_empty(), "{warnings}");
}

/// `--help` says what no command does and where the config comes from.
#[test]
fn help_says_no_command_opens_the_screen_and_where_the_config_is() {
    let out = run(Env::new().cmd().arg("--help"));
    assert_eq!(out.code, 0);
    assert!(
        out.stdout
            .contains("With no command, circles opens the screen"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("$CIRCLES_CONFIG"), "{}", out.stdout);
}

#[test]
fn bluesky_notification_lines_route_and_explain_with_their_kind() {
    let env = Env::new();
    let file = format!(
        "{}/tests/fixtures/bluesky_api/notifications.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let page: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let input: String = page["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| format!("{n}\n"))
        .collect();
    let config = format!(
        "{CONFIG}\n[[column]]\nname = \"Notifs\"\nnotifications = [\"like\", \"follow\"]\n"
    );
    let out = run(env
        .with_config(&config)
        .args(["route", "--strict"])
        .write_stdin(input.clone()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let verdicts = verdicts(&out.stdout);
    let kinds: Vec<&str> = verdicts
        .iter()
        .map(|v| v["notification"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(
        kinds,
        [
            "quote",
            "reply",
            "mention",
            "follow",
            "reblog",
            "favourite",
            "favourite"
        ]
    );
    let likes: Vec<&Value> = verdicts
        .iter()
        .filter(|v| v["notification"] == "favourite")
        .collect();
    assert!(
        likes.iter().all(|v| v["columns"] == json!(["Notifs"])),
        "{}",
        out.stdout
    );
    let out = run(env.with_config(&config).arg("explain").write_stdin(input));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("(a favourite notification)")
            && out
                .stdout
                .contains("Notifs: matched notifications takes a favourite notification"),
        "{}",
        out.stdout
    );
}

/// Output that cannot be written (a full disk) is said on stderr with exit
/// 1; a reader that goes away (`| head`) is a clean stop with exit 0. The
/// same for `route` and `stats`.
#[test]
fn route_and_stats_say_when_their_output_cannot_be_written() {
    use std::process::Stdio;
    let env = Env::new();
    let config = env.write("config.toml", CONFIG);
    let lines: String = (0..3000)
        .map(|i| native(&format!("p{i}"), "@alice@hachyderm.io", "AcmeCo news") + "\n")
        .collect();
    let input = env.write("in.jsonl", lines);
    let circles = |subcommand: &str| {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("circles"));
        cmd.arg("--config")
            .arg(&config)
            .arg(subcommand)
            .arg(&input)
            .current_dir(env.work())
            .stderr(Stdio::piped());
        cmd
    };
    for subcommand in ["route", "stats"] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = circles(subcommand).stdout(full).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{subcommand}: {stderr}");
        assert!(
            stderr.contains("circles: writing output: No space left on device"),
            "{subcommand}: {stderr}"
        );

        let mut child = circles(subcommand).stdout(Stdio::piped()).spawn().unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{subcommand}: {stderr}");
        assert!(!stderr.contains("writing output"), "{subcommand}: {stderr}");
    }
}

/// `circles diff NEW`: each post whose place the edit would change, then
/// the totals, without touching the config in use; `--json` for scripts;
/// a broken NEW is said at its place; `--cache` routes the posts circles
/// keeps, and says so when there is no cache yet.
#[test]
fn diff_shows_what_an_edit_would_move_before_it_is_saved() {
    let env = Env::new();
    let old = env.write("config.toml", CONFIG);
    let new = env.write(
        "new.toml",
        CONFIG.replace("keywords = [\"NFT\"]", "keywords = [\"NFT\", \"tram\"]"),
    );
    let input = env.write(
        "in.jsonl",
        [
            native("t1", "@carol@example.social", "the new tram line opens"),
            native("t2", "bob.bsky.social", "AcmeCo tram news"),
            native("t3", "@carol@example.social", "nothing to see"),
        ]
        .map(|l| l + "\n")
        .concat(),
    );
    let diff = |args: &[&str]| {
        run(env
            .cmd()
            .arg("--config")
            .arg(&old)
            .arg("diff")
            .arg(&new)
            .args(args))
    };
    let out = diff(&[input.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "@carol@example.social  “the new tram line opens”  Everyone else → muted (keyword \"tram\")\n\
         @bob.bsky.social  “AcmeCo tram news”  Core, Alerts → muted (keyword \"tram\")\n\
         2 of 3 post(s) would move: −1 from Core, −1 from Alerts, −1 from Everyone else, +2 muted\n"
    );
    assert_eq!(std::fs::read_to_string(&old).unwrap(), CONFIG, "untouched");

    let out = diff(&["--json", input.to_str().unwrap()]);
    let lines: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["id"], "t1");
    assert_eq!(lines[0]["from"], json!(["Everyone else"]));
    assert_eq!(lines[0]["to"], json!(["muted (keyword \"tram\")"]));
    assert_eq!(lines[2], json!({"posts": 3, "moved": 2}));

    // A broken edit: said at its place, nothing compared.
    let broken = env.write("broken.toml", "[[column]]\nname = 3\n");
    let out = run(env
        .cmd()
        .arg("--config")
        .arg(&old)
        .arg("diff")
        .arg(&broken)
        .arg(&input));
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("broken.toml:2:"), "{}", out.stderr);
    assert!(out.stdout.is_empty());

    // The cache: none yet, then the posts a run kept.
    let out = diff(&["--cache"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("circles has not run here yet"),
        "{}",
        out.stderr
    );
    let data = env.home().join(".local/share/circles");
    std::fs::create_dir_all(&data).unwrap();
    let (mut db, _) = circles::cache::Db::open(&data.join("circles.db")).unwrap();
    let kept = circles::decode::decode(
        &native("k1", "@carol@example.social", "tram photos"),
        "pipe",
    )
    .unwrap();
    db.save_posts(&[kept]).unwrap();
    drop(db);
    let out = diff(&["--cache"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "@carol@example.social  “tram photos”  Piped → muted (keyword \"tram\")\n\
         1 of 1 post(s) would move: −1 from Piped, +1 muted\n"
    );
}
