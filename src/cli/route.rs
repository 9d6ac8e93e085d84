//! `circles route` and `circles explain`: streaming JSON lines through the
//! router. Input is read line by line from one reused buffer, so memory
//! stays flat whatever the input size; bad lines are reported with their
//! number, skipped and counted.

use super::{Reported, Usage, report};
use crate::decode::Lines;
use crate::decode::stream::{Decoder, is_plain_json_string};
use crate::filter::{MuteReason, Router, Rules, Verdict, explain as explain_post};
use crate::model::Post;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct RouteArgs {
    /// Pass through the input lines of posts that land in this column
    /// (repeatable).
    #[arg(long = "column", value_name = "NAME")]
    columns: Vec<String>,
    /// Pass through the input lines of muted posts.
    #[arg(long)]
    muted: bool,
    /// Stop at the first bad line (exit 1) instead of skipping it.
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Debug, clap::Args)]
pub(super) struct InputArgs {
    /// Source name given to the posts read (for `sources = [...]` rules);
    /// default: the file name, or `stdin`.
    #[arg(long, value_name = "NAME")]
    source: Option<String>,
    /// JSON-lines files to read; `-` or nothing reads stdin.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
}

impl InputArgs {
    fn inputs(&self) -> Vec<PathBuf> {
        if self.files.is_empty() {
            vec![PathBuf::from("-")]
        } else {
            self.files.clone()
        }
    }

    fn open(&self, path: &PathBuf) -> io::Result<(String, Input)> {
        const BUFFER: usize = 256 * 1024;
        let (name, reader): (String, Box<dyn Read>) = if path.as_os_str() == "-" {
            let name = self.source.clone().unwrap_or_else(|| "stdin".to_string());
            (name, Box::new(io::stdin().lock()))
        } else {
            let file = File::open(path)?;
            let name = self.source.clone().unwrap_or_else(|| {
                path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                )
            });
            (name, Box::new(file))
        };
        // The name becomes the posts' source, which the screen shows.
        let name = crate::model::sanitize_line(&name).into_owned();
        Ok((name, BufReader::with_capacity(BUFFER, reader)))
    }
}

type Input = BufReader<Box<dyn Read>>;

/// Counts for the summary line.
#[derive(Debug, Default)]
pub(super) struct Tally {
    posts: u64,
    bad: u64,
    first_bad: Vec<String>,
    /// Input files that could not be opened or read to the end.
    unreadable: u64,
    /// `--strict` stopped the run at a bad line.
    stopped: bool,
}

impl Tally {
    fn unreadable(&mut self, shown: &str, e: &io::Error) {
        report(&format!("circles: cannot read {shown}: {e}"));
        self.unreadable += 1;
    }

    pub(super) fn summary(&self, verb: &str) -> String {
        let mut s = format!("circles {verb}: {} post(s)", self.posts);
        if self.stopped {
            s.push_str(", stopped at the first bad line (--strict)");
        } else if self.bad > 0 {
            s.push_str(&format!(", {} bad line(s) skipped", self.bad));
            if !self.first_bad.is_empty() {
                s.push_str(&format!(" ({}", self.first_bad.join(", ")));
                if self.bad as usize > self.first_bad.len() {
                    s.push_str(", …");
                }
                s.push(')');
            }
        }
        if self.unreadable > 0 {
            s.push_str(&format!(", {} file(s) could not be read", self.unreadable));
        }
        s
    }
}

/// What route writes for each post.
enum Output {
    Verdicts(VerdictWriter),
    /// Pass matching input lines through: the selected column indices and
    /// whether muted posts are selected.
    Grep {
        columns: Vec<u16>,
        muted: bool,
    },
}

/// Writes verdict lines: `{"id":…,"source":…,"author":…,"columns":[…],
/// "muted":…,"amplified":…}`, and `"notification":"favourite"` for a
/// notification. Written by hand rather than through a serde
/// struct because it runs once per post on the hot path: column names are
/// quoted once up front, and strings without a character JSON must escape
/// (nearly all ids, sources and handles) are copied as they are.
struct VerdictWriter {
    /// Each column's name as a JSON string.
    columns: Vec<Vec<u8>>,
    /// The source of the last post and its name as a JSON string: every
    /// post of an input has the same one.
    source: (String, Vec<u8>),
}

impl VerdictWriter {
    fn new(rules: &Rules) -> Self {
        let columns = rules
            .columns
            .iter()
            .map(|c| serde_json::to_vec(&c.name).expect("a string serializes"))
            .collect();
        VerdictWriter {
            columns,
            source: (String::new(), b"\"\"".to_vec()),
        }
    }

    fn write(&mut self, out: &mut impl Write, post: &Post, verdict: &Verdict) -> io::Result<()> {
        if post.source != self.source.0 {
            self.source.0.clone_from(&post.source);
            self.source.1 = serde_json::to_vec(&post.source).expect("a string serializes");
        }
        out.write_all(b"{\"id\":")?;
        json_string(out, &post.id)?;
        out.write_all(b",\"source\":")?;
        out.write_all(&self.source.1)?;
        out.write_all(b",\"author\":")?;
        json_string(out, &post.author.handle)?;
        out.write_all(b",\"columns\":[")?;
        for (i, &c) in verdict.columns.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            out.write_all(&self.columns[usize::from(c)])?;
        }
        out.write_all(match verdict.muted {
            None => b"],\"muted\":null",
            Some(MuteReason::Account) => b"],\"muted\":\"account\"",
            Some(MuteReason::Boost) => b"],\"muted\":\"boost\"",
            Some(MuteReason::Keyword) => b"],\"muted\":\"keyword\"",
        })?;
        out.write_all(if verdict.amplified {
            b",\"amplified\":true"
        } else {
            b",\"amplified\":false"
        })?;
        if let Some(kind) = post.notice_kind() {
            out.write_all(b",\"notification\":\"")?;
            out.write_all(kind.name().as_bytes())?;
            out.write_all(b"\"")?;
        }
        out.write_all(b"}\n")
    }
}

/// A string as JSON: copied between quotes when nothing in it needs an
/// escape, else through serde_json.
fn json_string(out: &mut impl Write, s: &str) -> io::Result<()> {
    if !is_plain_json_string(s) {
        // `io::Error::from` keeps the kind of an underlying I/O error, so a
        // closed pipe is still recognized as one.
        return serde_json::to_writer(out, s).map_err(io::Error::from);
    }
    out.write_all(b"\"")?;
    out.write_all(s.as_bytes())?;
    out.write_all(b"\"")
}

/// How a run over the inputs ended.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum End {
    /// Every input was read (some may have been reported bad).
    Read,
    /// The reader of our output went away (`| head`): a clean stop.
    ReaderGone,
    /// Stop with exit 1; what went wrong was reported.
    Failed,
}

/// Whether a post's line came with a read from the input (the buffer had
/// run dry): at most every 256 KiB of a file, and on every line of a pipe
/// that waits for its writer.
#[derive(Debug, Clone, Copy)]
struct Fresh(bool);

/// Reads every input with decoders made by `decoder`, calling `each` with
/// the decoded post, its raw line and the output. Bad lines are reported to
/// stderr and counted; with `strict` the first one stops the run. Output is flushed whenever the input has
/// nothing more buffered, so a live pipe (`tail -f … | circles route`)
/// shows each post as it comes rather than when a buffer fills.
fn for_each_post<W: Write>(
    input: &InputArgs,
    decoder: fn() -> Decoder,
    strict: bool,
    tally: &mut Tally,
    out: &mut W,
    mut each: impl FnMut(&Post, &[u8], &mut W, Fresh) -> io::Result<()>,
) -> End {
    for path in input.inputs() {
        let shown = if path.as_os_str() == "-" {
            "stdin".to_string()
        } else {
            path.display().to_string()
        };
        // Like grep, an input that cannot be opened or read to its end is
        // reported and the others are still read; the run then ends with
        // exit 1.
        let (name, reader) = match input.open(&path) {
            Ok(opened) => opened,
            Err(e) => {
                tally.unreadable(&shown, &e);
                if strict {
                    return End::Failed;
                }
                continue;
            }
        };
        let mut lines = Lines::new(reader);
        let mut decoder = decoder();
        // One post, refilled for every line (see `Decoder::decode_line_into`).
        let mut post = Decoder::blank_post();
        loop {
            let drained = !lines.has_buffered();
            if drained && let Err(e) = out.flush() {
                return write_failed(e);
            }
            let (number, line) = match lines.next_line() {
                Ok(Some(next)) => next,
                Ok(None) => break,
                Err(e) => {
                    tally.unreadable(&shown, &e);
                    if strict {
                        return End::Failed;
                    }
                    break;
                }
            };
            let decoded =
                line.map_err(|too_long| too_long.to_string())
                    .and_then(
                        |raw| match decoder.decode_line_into(raw, &name, &mut post) {
                            Ok(()) => Ok(raw),
                            Err(e) => Err(e.to_string()),
                        },
                    );
            match decoded {
                Ok(raw) => {
                    tally.posts += 1;
                    if let Err(e) = each(&post, raw, out, Fresh(drained)) {
                        return write_failed(e);
                    }
                }
                Err(reason) => {
                    report(&format!("{shown}: line {number}: {reason}"));
                    tally.bad += 1;
                    if tally.first_bad.len() < 5 {
                        tally.first_bad.push(format!("{shown}:{number}"));
                    }
                    if strict {
                        tally.stopped = true;
                        return End::Failed;
                    }
                }
            }
        }
    }
    if tally.unreadable > 0 {
        return End::Failed;
    }
    End::Read
}

pub(super) fn write_failed(e: io::Error) -> End {
    if e.kind() == io::ErrorKind::BrokenPipe {
        End::ReaderGone
    } else {
        report(&format!("circles: writing output: {e}"));
        End::Failed
    }
}

/// Flushes what is left and turns the end of a run into an exit status.
pub(super) fn finish(end: End, out: &mut impl Write) -> anyhow::Result<()> {
    let flushed = match end {
        End::ReaderGone => End::Read,
        End::Read => match out.flush() {
            Ok(()) => End::Read,
            Err(e) => write_failed(e),
        },
        failed => {
            let _ = out.flush();
            failed
        }
    };
    match flushed {
        End::Read | End::ReaderGone => Ok(()),
        End::Failed => Err(Reported.into()),
    }
}

pub fn route(args: &RouteArgs, mut rules: Rules) -> anyhow::Result<()> {
    let mut output = if args.columns.is_empty() && !args.muted {
        Output::Verdicts(VerdictWriter::new(&rules))
    } else {
        let mut columns = Vec::new();
        for name in &args.columns {
            match rules.column_index(name) {
                Some(i) => columns.push(i as u16),
                None => {
                    let known: Vec<&str> = rules.columns.iter().map(|c| c.name.as_str()).collect();
                    return Err(Usage(format!(
                        "no column is named `{name}` (columns: {})",
                        known.join(", ")
                    ))
                    .into());
                }
            }
        }
        Output::Grep {
            columns,
            muted: args.muted,
        }
    };
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(256 * 1024, stdout.lock());
    let mut tally = Tally::default();
    let mut router = Router::default();
    let end = for_each_post(
        &args.input,
        Decoder::for_routing,
        args.strict,
        &mut tally,
        &mut out,
        |post, raw, out, Fresh(fresh)| {
            // A pipe may run for days: timed mutes end on the wall clock. It
            // is read whenever input is read, so a waiting pipe sees the time
            // of each line, and a file pays for it once per buffer, not per
            // post.
            if fresh {
                rules.now = chrono::Utc::now();
            }
            let verdict = router.route(&rules, post);
            match &mut output {
                Output::Verdicts(writer) => writer.write(out, post, verdict),
                Output::Grep { columns, muted } => {
                    let selected = (*muted && verdict.muted.is_some())
                        || verdict.columns.iter().any(|c| columns.contains(c));
                    if selected {
                        out.write_all(raw)?;
                        out.write_all(b"\n")?;
                    }
                    Ok(())
                }
            }
        },
    );
    let result = finish(end, &mut out);
    report(&tally.summary("route"));
    result
}

/// [`for_each_post`] with every field decoded (text, links, names: what
/// is shown, not only what routes), bad lines skipped.
pub(super) fn each_whole_post<W: Write>(
    input: &InputArgs,
    tally: &mut Tally,
    out: &mut W,
    mut each: impl FnMut(&Post, &mut W) -> io::Result<()>,
) -> End {
    for_each_post(
        input,
        Decoder::default,
        false,
        tally,
        out,
        |post, _, out, _| each(post, out),
    )
}

pub fn explain(args: &ExplainArgs, rules: &Rules) -> anyhow::Result<()> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut tally = Tally::default();
    let end = each_whole_post(&args.input, &mut tally, &mut out, |post, out| {
        let (_, text) = explain_post(rules, post);
        out.write_all(text.as_bytes())?;
        out.write_all(b"\n")
    });
    let result = finish(end, &mut out);
    report(&tally.summary("explain"));
    result
}

#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    /// One JSON object a line, for pipes: a column's rule
    /// (`{"column":…,"rule":…}`) or a mute (`{"muted":…}`).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    input: InputArgs,
}

/// `circles stats`: routes the input as `route` does and prints, per
/// column and per rule, the posts taken, their share of the stream, how
/// many today and this week, and the last hit; then the mutes the same
/// way. Rules that never fired say so.
pub fn stats(args: &StatsArgs, rules: &Rules) -> anyhow::Result<()> {
    use crate::filter::stats::{Rule, RuleHits, Stats};
    let now = chrono::Utc::now();
    let offset = *chrono::Local::now().offset();
    let mut stats = Stats::new(rules, now, offset);
    let mut tally = Tally::default();
    let mut router = Router::default();
    let mut sink = io::sink();
    let end = for_each_post(
        &args.input,
        Decoder::for_routing,
        false,
        &mut tally,
        &mut sink,
        |post, _, _, _| {
            let verdict = router.route(rules, post);
            stats.add(rules, post, verdict);
            Ok(())
        },
    );
    let (columns, mutes) = stats.table(rules);
    let total = stats.posts.max(1) as f64;
    let last = |hits: &RuleHits| {
        hits.last.map_or_else(String::new, |t| {
            t.with_timezone(&offset)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut write = || -> io::Result<()> {
        if args.json {
            for (i, column) in rules.columns.iter().enumerate() {
                let taken = stats.columns.get(i).copied().unwrap_or(0);
                let line = serde_json::json!({
                    "column": column.name,
                    "rule": null,
                    "posts": taken,
                    "share": taken as f64 / total,
                });
                writeln!(out, "{line}")?;
            }
            let line = serde_json::json!({
                "muted": null,
                "rule": null,
                "posts": stats.muted,
                "share": stats.muted as f64 / total,
            });
            writeln!(out, "{line}")?;
            // A rule's line: where it is (a column, or a mute), then its hits.
            let rule_line = |place: (&str, &str), rule: &Rule, hits: &RuleHits| {
                serde_json::json!({
                    place.0: place.1,
                    "rule": rule.words(),
                    "kind": rule.kind(),
                    "posts": hits.posts,
                    "share": hits.posts as f64 / total,
                    "today": hits.today,
                    "week": hits.week,
                    "last": hits.last.map(|t| t.to_rfc3339()),
                })
            };
            for (column, rule, hits) in &columns {
                let name = rules.columns[usize::from(*column)].name.as_str();
                writeln!(out, "{}", rule_line(("column", name), rule, hits))?;
            }
            for (rule, hits) in &mutes {
                writeln!(out, "{}", rule_line(("muted", rule.kind()), rule, hits))?;
            }
            return Ok(());
        }
        let row = |out: &mut BufWriter<_>, what: &str, hits: &RuleHits| -> io::Result<()> {
            let note = if hits.posts == 0 { "  never fired" } else { "" };
            let what = crate::cli::people_cell(what, 44);
            writeln!(
                out,
                "  {what} {:>7} {:>6.1}% {:>6} {:>6}  {}{note}",
                hits.posts,
                hits.posts as f64 * 100.0 / total,
                hits.today,
                hits.week,
                last(hits)
            )
        };
        writeln!(
            out,
            "{} posts, {} muted\n  {} {:>7} {:>7} {:>6} {:>6}  last hit",
            stats.posts,
            stats.muted,
            crate::cli::people_cell("rule", 44),
            "posts",
            "share",
            "today",
            "week"
        )?;
        for (i, column) in rules.columns.iter().enumerate() {
            let taken = stats.columns.get(i).copied().unwrap_or(0);
            writeln!(
                out,
                "{} — {taken} posts, {:.1}%",
                column.name,
                taken as f64 * 100.0 / total
            )?;
            for (_, rule, hits) in columns.iter().filter(|(c, _, _)| usize::from(*c) == i) {
                row(&mut out, &rule.words(), hits)?;
            }
        }
        writeln!(out, "Muted — {} posts", stats.muted)?;
        if mutes.is_empty() {
            writeln!(out, "  (no [mute] rules)")?;
        }
        for (rule, hits) in &mutes {
            let words = match rule {
                Rule::MutedBoosts => "boosts_from (all accounts listed)".to_string(),
                other => other.words(),
            };
            row(&mut out, &words, hits)?;
        }
        Ok(())
    };
    let written = write();
    report(&tally.summary("stats"));
    let end = match written.map_err(write_failed) {
        Err(End::Failed) => End::Failed,
        Err(_) if end == End::Read => End::ReaderGone,
        _ => end,
    };
    finish(end, &mut out)
}
