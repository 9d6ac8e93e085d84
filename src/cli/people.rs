//! `circles people`: the attention ledger as a table or JSON lines, after
//! an optional scan (README, "People").

use super::{Reported, Usage, report};
use crate::cache::{CacheError, Db};
use crate::config::{SourceConfig, SourceSpec};
use crate::filter::Compiled;
use crate::model::people::{Engaged, Interaction, Known, Relation};
use crate::people::{Class, Row, Tally, rows};
use crate::source::people::{Ledger, Progress, Summary, scan};
use anyhow::Context;
use chrono::{DateTime, TimeDelta, Utc};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct PeopleArgs {
    /// Only this source's account (a [[source]] name).
    #[arg(long, value_name = "NAME")]
    source: Option<String>,
    /// Only people of this class (inner, silent, unanswered, fan, loud,
    /// quiet, new, other); repeat for several.
    #[arg(long = "class", value_name = "C")]
    classes: Vec<String>,
    /// Count engagement over this span instead of [people] window: "90d".
    #[arg(long, value_name = "SPAN")]
    since: Option<String>,
    /// One JSON object a line, for pipes.
    #[arg(long)]
    json: bool,
    /// First fetch what the ledger lacks (followers, following, your posts
    /// and favourites, notifications), paced by the server's rate limit.
    #[arg(long)]
    scan: bool,
}

/// Where the cache (and so the ledger) lives: the XDG data dir.
pub fn cache_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "circles").map(|d| d.data_local_dir().join("circles.db"))
}

pub fn run(args: &PeopleArgs, mut compiled: Compiled) -> anyhow::Result<()> {
    let classes = args
        .classes
        .iter()
        .map(|c| {
            Class::parse(c).ok_or_else(|| {
                let names: Vec<_> = Class::ALL.iter().map(|c| c.name()).collect();
                Usage(format!(
                    "--class {c:?} is not a class; the classes are {}",
                    names.join(", ")
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(since) = &args.since {
        let span = humantime::parse_duration(since.trim())
            .ok()
            .and_then(|d| TimeDelta::from_std(d).ok())
            .filter(|d| *d > TimeDelta::zero())
            .ok_or_else(|| {
                Usage(format!(
                    "--since {since:?} is not a span of time like \"90d\""
                ))
            })?;
        compiled.rules.people.window = span;
    }
    let sources = accounts(&compiled.config.sources, args.source.as_deref())?;
    let path = cache_path().context("cannot find a home directory for the cache")?;
    let (mut db, note) = Db::open(&path).with_context(|| format!("cache {}", path.display()))?;
    if let Some(note) = note {
        report(&format!("circles: {note}"));
    }
    if args.scan {
        scan_all(&mut db, &sources, &compiled)?;
    }
    let now = Utc::now();
    let since = now - compiled.rules.people.window;
    let names: Vec<String> = if args.source.is_some() {
        sources.iter().map(|s| s.name.clone()).collect()
    } else {
        Vec::new()
    };
    let mut ledger = db
        .ledger(&names, since)
        .with_context(|| format!("cache {}", path.display()))?;
    let timeline = db
        .load()
        .with_context(|| format!("cache {}", path.display()))?;
    (ledger.seen, ledger.seen_days) =
        crate::people::seen_in(timeline.posts.iter().map(|(p, _)| p), since, now);
    let mut people = rows(&ledger, &compiled.rules, now);
    if !classes.is_empty() {
        people.retain(|r| classes.contains(&r.class));
    }
    if people.is_empty() && ledger.follows.is_empty() && ledger.counts.is_empty() {
        report("circles: the ledger knows no one yet; run `circles people --scan`");
    }
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        people
            .iter()
            .try_for_each(|row| writeln!(out, "{}", json_line(row)))
    } else {
        write!(out, "{}", table(&people))
    };
    written.context("cannot write to stdout")
}

/// The sources whose accounts a scan reads: each Mastodon and Bluesky
/// account once (two sources with one instance and token, or one service
/// and handle, are one account), or the one `--source` names.
pub(super) fn accounts<'a>(
    sources: &'a [SourceSpec],
    named: Option<&str>,
) -> anyhow::Result<Vec<&'a SourceSpec>> {
    if let Some(name) = named {
        let Some(spec) = sources.iter().find(|s| s.name == name) else {
            let names: Vec<_> = sources.iter().map(|s| s.name.as_str()).collect();
            return Err(Usage(format!(
                "--source {name:?}: the config has no such source (it has: {})",
                names.join(", ")
            ))
            .into());
        };
        return Ok(vec![spec]);
    }
    let mut seen = Vec::new();
    let mut chosen = Vec::new();
    for spec in sources {
        let account = match &spec.kind {
            SourceConfig::Mastodon(m) => match &m.token {
                Some(token) => (m.instance.clone(), token.origin()),
                None => continue,
            },
            SourceConfig::Bluesky(b) => (b.service.clone(), b.handle.clone()),
            _ => continue,
        };
        if !seen.contains(&account) {
            seen.push(account);
            chosen.push(spec);
        }
    }
    Ok(chosen)
}

fn scan_all(db: &mut Db, sources: &[&SourceSpec], compiled: &Compiled) -> anyhow::Result<()> {
    if sources.is_empty() {
        report(
            "circles: no source to scan: the people scan reads a Mastodon account (a \
             [[source]] with kind = \"mastodon\" and its token) or a Bluesky one",
        );
        return Err(Reported.into());
    }
    let live = std::io::stderr().is_terminal();
    let results = scan_accounts(db, sources, compiled.rules.people, move |name, p| {
        if live {
            eprint!("\r\x1b[2Kcircles: {name}: {p}");
        }
    });
    if live {
        eprint!("\r\x1b[2K");
    }
    let mut failed = false;
    for result in &results {
        failed |= result.is_err();
        report(&format!("circles: {}", said(result)));
    }
    if failed { Err(Reported.into()) } else { Ok(()) }
}

/// How one account's scan ended: (its source, what it did), or (its
/// source, why it stopped).
pub(super) type Scanned = Result<(String, Summary), (String, String)>;

/// A scan's end in words: what it did, or why it stopped.
pub(super) fn said(result: &Scanned) -> String {
    match result {
        Ok((name, done)) => format!(
            "scanned {name}: {} followers, {} following, {} of your posts, {} new interactions \
             ({} calls)",
            done.followers, done.following, done.posts, done.new, done.calls
        ),
        Err((name, why)) => format!(
            "the scan of {name} stopped: {why}; what it found is kept, and the next scan goes \
             on from there"
        ),
    }
}

/// Scans each account into the ledger in `db`, one after the other, on a
/// runtime of its own; `tell` hears each one's progress.
pub(super) fn scan_accounts(
    db: &mut Db,
    sources: &[&SourceSpec],
    limits: crate::config::Thresholds,
    tell: impl Fn(&str, &Progress) + Send + Clone + 'static,
) -> Vec<Scanned> {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            let why = format!("cannot start the async runtime: {e}");
            return sources
                .iter()
                .map(|s| Err((s.name.clone(), why.clone())))
                .collect();
        }
    };
    let mut results = Vec::new();
    for spec in sources {
        let name = spec.name.clone();
        let mut ledger = DbLedger {
            db: &mut *db,
            source: name.clone(),
        };
        let (tell, shown) = (tell.clone(), name.clone());
        let progress = Box::new(move |p: &Progress| tell(&shown, p));
        let result = runtime.block_on(scan(spec, limits, &mut ledger, progress));
        results.push(
            result
                .map(|done| (name.clone(), done))
                .map_err(|why| (name, why)),
        );
    }
    let _ = db.prune_ledger(Utc::now());
    results
}

/// The scan's ledger: the cache, under the source's name.
struct DbLedger<'a> {
    db: &'a mut Db,
    source: String,
}

fn cache_failed(e: CacheError) -> String {
    format!("the cache: {e}")
}

impl Ledger for DbLedger<'_> {
    fn state(&mut self, key: &str) -> Result<Option<String>, String> {
        self.db
            .ledger_state(&self.source, key)
            .map_err(cache_failed)
    }

    fn set_state(&mut self, key: &str, value: &str) -> Result<(), String> {
        self.db
            .set_ledger_state(&self.source, key, value)
            .map_err(cache_failed)
    }

    fn accounts(&mut self, accounts: &[Known]) -> Result<(), String> {
        self.db.ledger_accounts(accounts).map_err(cache_failed)
    }

    fn follows(&mut self, relation: Relation, keys: &[String], scan: i64) -> Result<(), String> {
        self.db
            .ledger_follows(&self.source, relation, keys, scan, Utc::now())
            .map_err(cache_failed)
    }

    fn follows_done(&mut self, relation: Relation, scan: i64) -> Result<(), String> {
        self.db
            .ledger_follows_done(&self.source, relation, scan, Utc::now())
            .map(drop)
            .map_err(cache_failed)
    }

    fn followed_at(&mut self, who: &str, at: DateTime<Utc>) -> Result<(), String> {
        self.db
            .ledger_followed_at(&self.source, who, at)
            .map_err(cache_failed)
    }

    fn interactions(&mut self, interactions: &[Interaction]) -> Result<usize, String> {
        self.db
            .ledger_interactions(&self.source, interactions)
            .map_err(cache_failed)
    }

    fn my_post(
        &mut self,
        id: &str,
        at: DateTime<Utc>,
        counts: (u32, u32),
    ) -> Result<Option<(u32, u32)>, String> {
        self.db
            .ledger_my_post(&self.source, id, at, counts)
            .map_err(cache_failed)
    }
}

fn tally_json(tally: &Tally) -> serde_json::Value {
    Engaged::ALL
        .into_iter()
        .map(|k| (k.name().to_string(), serde_json::Value::from(tally.get(k))))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// One person as a JSON line.
fn json_line(row: &Row) -> serde_json::Value {
    serde_json::json!({
        "person": if row.name.is_empty() { &row.handle } else { &row.name },
        "accounts": row.accounts,
        "follows_me": row.follows_me,
        "i_follow": row.i_follow,
        "in": tally_json(&row.facts.inbound),
        "out": tally_json(&row.facts.outbound),
        "posts_per_day": (row.facts.posts_per_day * 100.0).round() / 100.0,
        "circles": row.circles,
        "muted": row.muted,
        "amplified": row.amplified,
        "class": row.class.name(),
        "why": row.why,
    })
}

/// `⇄` mutual, `→` the reader follows them, `←` they follow the reader.
pub fn relation_mark(row: &Row) -> &'static str {
    match (row.i_follow, row.follows_me) {
        (true, true) => "⇄",
        (true, false) => "→",
        (false, true) => "←",
        (false, false) => " ",
    }
}

/// `text` cut or padded to `width` cells.
pub(super) fn cell(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let mut out = String::new();
    for c in text.chars() {
        if out.width() + unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) > width {
            break;
        }
        out.push(c);
    }
    let pad = width.saturating_sub(out.width());
    out + &" ".repeat(pad)
}

/// The people as a table a person reads: one line each.
fn table(people: &[Row]) -> String {
    let fit = cell;
    let mut out = format!(
        "{} {}  {:>4} {:>4} {:>6}  {} {}  {}\n",
        fit("PERSON", 36),
        " ",
        "IN",
        "OUT",
        "/DAY",
        fit("CIRCLES", 16),
        fit("CLASS", 10),
        "WHY"
    );
    for row in people {
        let who = if row.name.is_empty() {
            row.accounts.join(" ")
        } else {
            format!("{} {}", row.name, row.accounts.join(" "))
        };
        let mut circles = row.circles.join(",");
        if row.muted {
            circles = if circles.is_empty() {
                "muted".into()
            } else {
                circles + ",muted"
            };
        }
        if row.amplified {
            circles = if circles.is_empty() {
                "amplified".into()
            } else {
                circles + ",amplified"
            };
        }
        let line = format!(
            "{} {}  {:>4} {:>4} {:>6.1}  {} {}  {}",
            fit(&who, 36),
            relation_mark(row),
            row.facts.inbound.total(),
            row.facts.outbound.total(),
            row.facts.posts_per_day,
            fit(&circles, 16),
            fit(row.class.name(), 10),
            row.why
        );
        out.push_str(&crate::model::sanitize_line(&line));
        out.push('\n');
    }
    out
}
