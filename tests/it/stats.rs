//! `circles stats` and `circles test`: rule statistics that agree with
//! `circles route`, and the user's own filter assertions.

use serde_json::Value;
use std::collections::HashMap;
use std::process::Command;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo.jsonl");

/// `circles` with an empty home (so the built-in default config) and
/// `args`: exit code, stdout, stderr.
fn circles(args: &[&str]) -> (i32, String, String) {
    let home = tempfile::tempdir().unwrap();
    let output = Command::new(assert_cmd::cargo::cargo_bin("circles"))
        .args(args)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env_remove("CIRCLES_CONFIG")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn stats_on_the_demo_feed_agree_with_route() {
    let (code, routed, _) = circles(&["route", DEMO]);
    assert_eq!(code, 0);
    let verdicts = lines(&routed);
    let mut per_column: HashMap<String, u64> = HashMap::new();
    let mut muted = 0;
    for v in &verdicts {
        for column in v["columns"].as_array().unwrap() {
            *per_column
                .entry(column.as_str().unwrap().to_string())
                .or_default() += 1;
        }
        muted += u64::from(!v["muted"].is_null());
    }
    let (code, stats, stderr) = circles(&["stats", "--json", DEMO]);
    assert_eq!(code, 0, "{stderr}");
    let stats = lines(&stats);
    let columns: Vec<&Value> = stats
        .iter()
        .filter(|s| s["column"].is_string() && s["rule"].is_null())
        .collect();
    assert_eq!(columns.len(), 5);
    for column in &columns {
        let name = column["column"].as_str().unwrap();
        assert_eq!(
            column["posts"].as_u64().unwrap(),
            per_column.get(name).copied().unwrap_or(0),
            "{name}"
        );
    }
    let total_muted = stats
        .iter()
        .find(|s| s.get("muted").is_some_and(Value::is_null))
        .unwrap();
    assert_eq!(total_muted["posts"].as_u64().unwrap(), muted);
    assert!(muted > 0);
    // A post counts for the first rule of a column that took it: each
    // column's rules add up to what it took.
    for column in &columns {
        let name = column["column"].as_str().unwrap();
        let by_rule: u64 = stats
            .iter()
            .filter(|s| s["column"] == name && s["rule"].is_string())
            .map(|s| s["posts"].as_u64().unwrap())
            .sum();
        assert_eq!(by_rule, column["posts"].as_u64().unwrap(), "{name}");
    }
    // Each mute rule's posts add up to the muted posts.
    let by_rule: u64 = stats
        .iter()
        .filter(|s| s["muted"].is_string())
        .map(|s| s["posts"].as_u64().unwrap())
        .sum();
    assert_eq!(by_rule, muted);
    // The table: a column's line, its rules, a rule that never fired.
    let (code, table, _) = circles(&["stats", DEMO]);
    assert_eq!(code, 0);
    let core = per_column["Core"];
    assert!(table.contains(&format!("Core — {core} posts")), "{table}");
    assert!(
        table.contains("notifications") && table.contains("never fired"),
        "{table}"
    );
    assert!(table.contains("keyword \"NFT\""), "{table}");
}

const CASES: &str = r#"
# cases for the built-in config
[[case]]
post = { author = "@alice@hachyderm.io", text = "new #rust release" }
columns = ["Core", "Rust"]
amplified = true

[[case]]
post = { author = "@someone@x.social", text = "win an NFT giveaway" }
columns = []
muted = "keyword"

[[case]]
post = { author = "@someone@x.social", text = "a quiet day" }
columns = ["Everyone else"]
muted = false
"#;

#[test]
fn test_passes_good_cases_and_fails_a_wrong_one_with_its_trace() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("cases.toml");
    std::fs::write(&good, CASES).unwrap();
    let (code, out, err) = circles(&["test", good.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("3 case(s), 3 passed, 0 failed"), "{out}");

    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        format!(
            "{CASES}\n[[case]]\npost = {{ author = \"@bob@x.social\", text = \"hello\" }}\n\
             columns = [\"Core\"]\n"
        ),
    )
    .unwrap();
    let (code, out, _) = circles(&["test", bad.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("4 case(s), 3 passed, 1 failed"), "{out}");
    assert!(
        out.contains("bad.toml:18: case 4: expected columns [Core], got [Everyone else]"),
        "{out}"
    );
    assert!(out.contains("Core: no include rule matched"), "{out}");

    // A file that is not TOML says where.
    let broken = dir.path().join("broken.toml");
    std::fs::write(
        &broken,
        "[[case]]\npost = { author = \"@a@x.social\" text = \"x\" }\n",
    )
    .unwrap();
    let (code, _, err) = circles(&["test", broken.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("broken.toml:2:"), "{err}");
    // A case naming no column of the config fails and says which exist.
    let unknown = dir.path().join("unknown.toml");
    std::fs::write(
        &unknown,
        "[[case]]\npost = { author = \"@a@x.social\", text = \"x\" }\ncolumns = [\"Nope\"]\n",
    )
    .unwrap();
    let (code, out, _) = circles(&["test", unknown.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        out.contains("no column is named `Nope` (columns: Core, Mentions"),
        "{out}"
    );
}

#[test]
fn the_readme_s_cases_pass_on_the_built_in_config() {
    let readme = include_str!("../../README.md");
    let start = readme
        .find("```toml\n# cases.toml")
        .expect("the README's cases")
        + 8;
    let body = &readme[start..];
    let cases = &body[..body.find("```").unwrap()];
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cases.toml");
    std::fs::write(&file, cases).unwrap();
    let (code, out, err) = circles(&["test", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("2 case(s), 2 passed"), "{out}");
}
