//! `circles diff NEW`: what saving the config NEW over the one in use would
//! change, before it is saved — the reload's dry run (README, "Trying an
//! edit first"). Each post is routed under both; those whose place differs
//! are listed, then the totals in the words the TUI uses after a reload.

use super::route::{End, InputArgs, Tally, each_whole_post, finish, write_failed};
use super::{Reported, Usage, report};
use crate::filter::stats::mute_rule;
use crate::filter::{MuteReason, Rules, Verdict, route};
use crate::model::{Post, sanitize_line};
use anyhow::Context;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The edited config, compared with the one in use (`--config`, else
    /// $CIRCLES_CONFIG, else the XDG config path).
    #[arg(value_name = "NEW")]
    new: PathBuf,
    /// Route the posts circles keeps in its cache (the ones the screen
    /// shows at start) instead of FILEs or stdin.
    #[arg(long, conflicts_with = "files")]
    cache: bool,
    /// One JSON object a line for each post that moves, then
    /// `{"posts":…,"moved":…}`.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    input: InputArgs,
}

/// Where a verdict puts a post: its columns by name, or the rule that
/// mutes it (`muted (keyword "tram")`).
fn place(rules: &Rules, post: &Post, verdict: &Verdict) -> Vec<String> {
    match verdict.muted {
        Some(reason) => {
            let rule = verdict
                .fired
                .iter()
                .find_map(|fired| mute_rule(rules, post, fired));
            let words = rule.map_or_else(
                || {
                    match reason {
                        MuteReason::Account => "account",
                        MuteReason::Boost => "boost",
                        MuteReason::Keyword => "keyword",
                    }
                    .to_string()
                },
                |rule| rule.words(),
            );
            vec![format!("muted ({words})")]
        }
        None => verdict
            .columns
            .iter()
            .map(|&c| rules.columns[usize::from(c)].name.clone())
            .collect(),
    }
}

/// Posts per column by name, and the muted: what [`crate::app::reload_diff`]
/// words.
#[derive(Default)]
struct Counts {
    columns: Vec<(String, usize)>,
    muted: usize,
}

impl Counts {
    fn new(rules: &Rules) -> Self {
        Counts {
            columns: rules.columns.iter().map(|c| (c.name.clone(), 0)).collect(),
            muted: 0,
        }
    }

    fn add(&mut self, verdict: &Verdict) {
        if verdict.muted.is_some() {
            self.muted += 1;
        }
        for &c in &verdict.columns {
            self.columns[usize::from(c)].1 += 1;
        }
    }

    fn pair(self) -> (Vec<(String, usize)>, usize) {
        (self.columns, self.muted)
    }
}

/// The comparison as it goes: both rule sets, the counts under each, and
/// how many posts were read and moved.
struct Compare<'r> {
    old: &'r Rules,
    new: &'r Rules,
    before: Counts,
    after: Counts,
    posts: usize,
    moved: usize,
    json: bool,
}

impl Compare<'_> {
    /// Routes `post` under both and writes it if its place changes.
    fn post(&mut self, post: &Post, out: &mut impl Write) -> io::Result<()> {
        let (was, now) = (route(self.old, post), route(self.new, post));
        self.posts += 1;
        self.before.add(&was);
        self.after.add(&now);
        let (from, to) = (place(self.old, post, &was), place(self.new, post, &now));
        if from == to {
            return Ok(());
        }
        self.moved += 1;
        if self.json {
            let line = serde_json::json!({
                "id": post.id,
                "source": post.source,
                "author": post.author.handle,
                "from": from,
                "to": to,
            });
            return writeln!(out, "{line}");
        }
        let text: String = sanitize_line(&post.text).chars().take(48).collect();
        let cut = if post.text.chars().count() > 48 {
            "…"
        } else {
            ""
        };
        let name = |places: &[String]| match places {
            [] => "(no column)".to_string(),
            places => places.join(", "),
        };
        writeln!(
            out,
            "{}  “{text}{cut}”  {} → {}",
            sanitize_line(&post.author.handle),
            name(&from),
            name(&to)
        )
    }

    /// The last line: how many moved, and where to.
    fn summary(self, out: &mut impl Write) -> io::Result<()> {
        let (posts, moved) = (self.posts, self.moved);
        if self.json {
            return writeln!(
                out,
                "{}",
                serde_json::json!({"posts": posts, "moved": moved})
            );
        }
        let words = crate::app::reload_diff(&self.before.pair(), &self.after.pair());
        match words {
            Some(words) if moved > 0 => {
                writeln!(out, "{moved} of {posts} post(s) would move: {words}")
            }
            _ if moved > 0 => writeln!(out, "{moved} of {posts} post(s) would move"),
            _ => writeln!(out, "none of {posts} post(s) would move"),
        }
    }
}

/// `circles diff`: routes the input (or the cache) under `old` and the
/// config at `args.new`, and prints what moves.
pub fn run(args: &DiffArgs, old: &Rules) -> anyhow::Result<()> {
    let (_, compiled, _) = super::load_config(Some(&args.new))?;
    let new = &compiled.rules;
    let mut compare = Compare {
        old,
        new,
        before: Counts::new(old),
        after: Counts::new(new),
        posts: 0,
        moved: 0,
        json: args.json,
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut tally = Tally::default();
    let end = if args.cache {
        let posts = cached_posts()?;
        let mut end = End::Read;
        for post in &posts {
            if let Err(e) = compare.post(post, &mut out) {
                end = write_failed(e);
                break;
            }
        }
        end
    } else {
        let end = each_whole_post(&args.input, &mut tally, &mut out, |post, out| {
            compare.post(post, out)
        });
        report(&tally.summary("diff"));
        end
    };
    let end = match (end, compare.summary(&mut out)) {
        (End::Read, Err(e)) => write_failed(e),
        (end, _) => end,
    };
    finish(end, &mut out)
}

/// The posts of circles' cache, newest first; an error when there is none
/// (circles has not run yet).
fn cached_posts() -> anyhow::Result<Vec<Post>> {
    let path = super::people::cache_path()
        .ok_or_else(|| anyhow::anyhow!("no home directory to find the cache in"))?;
    if !path.exists() {
        return Err(Usage(format!(
            "no cache at {}: circles has not run here yet; give FILEs or - for stdin",
            path.display()
        ))
        .into());
    }
    let (db, note) = crate::cache::Db::open(&path)
        .with_context(|| format!("cannot open the cache {}", path.display()))?;
    if let Some(note) = note {
        report(&format!("circles diff: {note}"));
    }
    let snapshot = db
        .load()
        .with_context(|| format!("cannot read the cache {}", path.display()))?;
    if snapshot.posts.is_empty() {
        report("circles diff: the cache holds no posts");
        return Err(Reported.into());
    }
    Ok(snapshot.posts.into_iter().map(|(post, _)| post).collect())
}
