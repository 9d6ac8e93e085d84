//! `circles test CASES.toml`: the user's own assertions about their filter
//! (README, "Keeping a filter honest"). Each `[[case]]` is a post in the
//! native format and where it must land; a failing case is reported with
//! its place in the file and the rule trace, and the run exits 1.

use super::{Reported, report};
use crate::filter::{Rules, explain};
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// The cases: a TOML file of [[case]] tables.
    #[arg(value_name = "CASES.toml")]
    cases: std::path::PathBuf,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Cases {
    #[serde(default, rename = "case")]
    cases: Vec<Spanned<Case>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// A post in the native format; `id` and `created_at` may be left out.
    post: toml::Table,
    /// The exact columns it must land in.
    columns: Option<Vec<String>>,
    /// `"account"`, `"boost"`, `"keyword"`, or `false` for not muted.
    muted: Option<Muted>,
    amplified: Option<bool>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Muted {
    Flag(bool),
    Reason(String),
}

pub fn run(args: &TestArgs, rules: &Rules) -> anyhow::Result<()> {
    let shown = args.cases.display().to_string();
    let text = std::fs::read_to_string(&args.cases)
        .map_err(|e| anyhow::anyhow!("cannot read the cases {shown}: {e}"))?;
    let cases: Cases = toml::from_str(&text).map_err(|e| {
        let at = e
            .span()
            .map(|s| crate::config::line_col(&text, s.start))
            .map_or_else(String::new, |(l, c)| format!(":{l}:{c}"));
        anyhow::anyhow!("{shown}{at}: {}", e.message())
    })?;
    if cases.cases.is_empty() {
        report(&format!("circles test: {shown} has no [[case]]"));
        return Err(Reported.into());
    }
    let mut failed = 0;
    for (i, case) in cases.cases.iter().enumerate() {
        let (line, _) = crate::config::line_col(&text, case.span().start);
        let place = format!("{shown}:{line}: case {}", i + 1);
        if let Err(why) = check(case.get_ref(), i, rules) {
            failed += 1;
            println!(
                "{}",
                crate::model::escape_controls(&format!("✗ {place}: {why}"))
            );
        }
    }
    let total = cases.cases.len();
    println!(
        "circles test: {total} case(s), {} passed, {failed} failed",
        total - failed
    );
    if failed > 0 {
        Err(Reported.into())
    } else {
        Ok(())
    }
}

/// What is wrong with a case, in words, with the rule trace.
fn check(case: &Case, index: usize, rules: &Rules) -> Result<(), String> {
    let mut post =
        serde_json::to_value(&case.post).map_err(|e| format!("the post cannot be read: {e}"))?;
    if let Some(fields) = post.as_object_mut() {
        fields
            .entry("id")
            .or_insert_with(|| format!("case-{}", index + 1).into());
        fields
            .entry("created_at")
            .or_insert_with(|| chrono::Utc::now().to_rfc3339().into());
    }
    let post = crate::decode::decode(&post.to_string(), "test")
        .map_err(|e| format!("the post is not a circles post: {e}"))?;
    let (verdict, trace) = explain(rules, &post);
    let mut wrong = Vec::new();
    if let Some(expected) = &case.columns {
        for name in expected {
            if rules.column_index(name).is_none() {
                let known: Vec<&str> = rules.columns.iter().map(|c| c.name.as_str()).collect();
                return Err(format!(
                    "no column is named `{name}` (columns: {})",
                    known.join(", ")
                ));
            }
        }
        let mut want: Vec<usize> = expected
            .iter()
            .filter_map(|n| rules.column_index(n))
            .collect();
        want.sort_unstable();
        want.dedup();
        let got: Vec<usize> = verdict.columns.iter().map(|c| usize::from(*c)).collect();
        if want != got {
            let names = |list: &[usize]| {
                let names: Vec<&str> = list
                    .iter()
                    .map(|i| rules.columns[*i].name.as_str())
                    .collect();
                format!("[{}]", names.join(", "))
            };
            wrong.push(format!(
                "expected columns {}, got {}",
                names(&want),
                names(&got)
            ));
        }
    }
    let muted = verdict.muted.map(|m| m.as_str());
    if let Some(Muted::Reason(reason)) = &case.muted
        && !matches!(reason.as_str(), "account" | "boost" | "keyword")
    {
        return Err(format!(
            "muted = \"{reason}\" is not a reason: write \"account\", \"boost\", \"keyword\", or false"
        ));
    }
    match &case.muted {
        Some(Muted::Flag(false)) if muted.is_some() => {
            wrong.push(format!(
                "expected not muted, got muted ({})",
                muted.unwrap_or("")
            ));
        }
        Some(Muted::Flag(true)) if muted.is_none() => {
            wrong.push("expected muted, got not muted".into());
        }
        Some(Muted::Reason(reason)) if muted != Some(reason.as_str()) => wrong.push(format!(
            "expected muted = \"{reason}\", got {}",
            muted.map_or("not muted".to_string(), |m| format!("muted = \"{m}\""))
        )),
        _ => {}
    }
    if let Some(amplified) = case.amplified
        && amplified != verdict.amplified
    {
        wrong.push(format!(
            "expected amplified = {amplified}, got {}",
            verdict.amplified
        ));
    }
    if wrong.is_empty() {
        return Ok(());
    }
    let trace: String = trace.lines().map(|l| format!("\n    {l}")).collect();
    Err(format!("{}{trace}", wrong.join("; ")))
}
