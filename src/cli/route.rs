//! `circles route` and `circles explain`: streaming JSON lines through the
//! router. Input is read line by line from one reused buffer, so memory
//! stays flat whatever the input size; bad lines are reported with their
//! number, skipped and counted.

use super::{FAILURE, USAGE};
use crate::decode::{Lines, decode_line};
use crate::filter::{Rules, explain as explain_post, route as route_post};
use serde::Serialize;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
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
struct InputArgs {
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

    fn open(&self, path: &PathBuf) -> io::Result<(String, Box<dyn BufRead>)> {
        const BUFFER: usize = 256 * 1024;
        if path.as_os_str() == "-" {
            let name = self.source.clone().unwrap_or_else(|| "stdin".to_string());
            return Ok((
                name,
                Box::new(BufReader::with_capacity(BUFFER, io::stdin().lock())),
            ));
        }
        let file = File::open(path)?;
        let name = self.source.clone().unwrap_or_else(|| {
            path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        });
        Ok((name, Box::new(BufReader::with_capacity(BUFFER, file))))
    }
}

/// Counts for the summary line.
#[derive(Debug, Default)]
struct Tally {
    posts: u64,
    bad: u64,
    first_bad: Vec<String>,
    /// Input files that could not be opened.
    unreadable: u64,
    /// `--strict` stopped the run at a bad line.
    stopped: bool,
}

impl Tally {
    fn summary(&self, verb: &str) -> String {
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
    Verdicts,
    /// Pass matching input lines through: the selected column indices and
    /// whether muted posts are selected.
    Grep {
        columns: Vec<u16>,
        muted: bool,
    },
}

#[derive(Serialize)]
struct VerdictLine<'a> {
    id: &'a str,
    source: &'a str,
    author: &'a str,
    columns: Vec<&'a str>,
    muted: Option<&'static str>,
    amplified: bool,
}

/// Reads every input, calling `each` with the decoded post and its raw line.
/// Bad lines are reported to stderr and counted; with `strict` the first one
/// is an error. Returns `Err(code)` to stop.
fn for_each_post(
    input: &InputArgs,
    strict: bool,
    tally: &mut Tally,
    mut each: impl FnMut(&crate::model::Post, &[u8]) -> io::Result<()>,
) -> Result<(), u8> {
    for path in input.inputs() {
        // Like grep, a file that cannot be opened is reported and the others
        // are still read; the run then ends with exit 1.
        let (name, reader) = match input.open(&path) {
            Ok(opened) => opened,
            Err(e) => {
                eprintln!("circles: cannot read {}: {e}", path.display());
                tally.unreadable += 1;
                if strict {
                    return Err(FAILURE);
                }
                continue;
            }
        };
        let shown = if path.as_os_str() == "-" {
            "stdin".to_string()
        } else {
            path.display().to_string()
        };
        let mut lines = Lines::new(reader);
        loop {
            let (number, line) = match lines.next_line() {
                Ok(Some(next)) => next,
                Ok(None) => break,
                Err(e) => {
                    eprintln!("circles: reading {shown}: {e}");
                    return Err(FAILURE);
                }
            };
            let result = line.map_err(|e| e.to_string()).and_then(|raw| {
                decode_line(raw, &name)
                    .map(|post| (post, raw))
                    .map_err(|e| e.to_string())
            });
            match result {
                Ok((post, raw)) => {
                    tally.posts += 1;
                    if let Err(e) = each(&post, raw) {
                        if e.kind() == io::ErrorKind::BrokenPipe {
                            return Err(0);
                        }
                        eprintln!("circles: writing output: {e}");
                        return Err(FAILURE);
                    }
                }
                Err(reason) => {
                    eprintln!("{shown}: line {number}: {reason}");
                    tally.bad += 1;
                    if tally.first_bad.len() < 5 {
                        tally.first_bad.push(format!("{shown}:{number}"));
                    }
                    if strict {
                        tally.stopped = true;
                        return Err(FAILURE);
                    }
                }
            }
        }
    }
    if tally.unreadable > 0 {
        return Err(FAILURE);
    }
    Ok(())
}

/// A clean end when the reader of our output went away (`| head`).
fn finish(result: Result<(), u8>, out: &mut impl Write) -> Result<(), u8> {
    match result {
        Err(0) => Ok(()),
        Err(code) => {
            let _ = out.flush();
            Err(code)
        }
        Ok(()) => match out.flush() {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                eprintln!("circles: writing output: {e}");
                Err(FAILURE)
            }
            _ => Ok(()),
        },
    }
}

pub fn route(args: &RouteArgs, mut rules: Rules) -> Result<(), u8> {
    let output = if args.columns.is_empty() && !args.muted {
        Output::Verdicts
    } else {
        let mut columns = Vec::new();
        for name in &args.columns {
            match rules.column_index(name) {
                Some(i) => columns.push(i as u16),
                None => {
                    let known: Vec<&str> = rules.columns.iter().map(|c| c.name.as_str()).collect();
                    eprintln!(
                        "circles: no column is named `{name}` (columns: {})",
                        known.join(", ")
                    );
                    return Err(USAGE);
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
    let mut seen: u64 = 0;
    let result = for_each_post(&args.input, args.strict, &mut tally, |post, raw| {
        // A pipe may run for days: move the clock on now and then so timed
        // mutes end when they should.
        seen += 1;
        if seen.is_multiple_of(1024) {
            rules.now = chrono::Utc::now();
        }
        let verdict = route_post(&rules, post);
        match &output {
            Output::Verdicts => {
                let line = VerdictLine {
                    id: &post.id,
                    source: &post.source,
                    author: &post.author.handle,
                    columns: verdict
                        .columns
                        .iter()
                        .map(|&c| rules.columns[usize::from(c)].name.as_str())
                        .collect(),
                    muted: verdict.muted.map(|m| m.as_str()),
                    amplified: verdict.amplified,
                };
                serde_json::to_writer(&mut out, &line).map_err(io::Error::other)?;
                out.write_all(b"\n")
            }
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
    });
    let result = finish(result, &mut out);
    eprintln!("{}", tally.summary("route"));
    result
}

pub fn explain(args: &ExplainArgs, rules: &Rules) -> Result<(), u8> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut tally = Tally::default();
    let result = for_each_post(&args.input, false, &mut tally, |post, _| {
        let (_, text) = explain_post(rules, post);
        out.write_all(text.as_bytes())?;
        out.write_all(b"\n")
    });
    let result = finish(result, &mut out);
    eprintln!("{}", tally.summary("explain"));
    result
}
