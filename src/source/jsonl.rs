//! The jsonl source: JSON-lines posts from stdin or a file, optionally
//! followed as it grows (like `tail -F`: waiting for a file not there yet,
//! truncation, rotation and rewrites too).
//!
//! Reading is blocking file I/O, so it runs on tokio's blocking pool and
//! sends batches: one when enough posts have gathered, and one whenever the
//! input would block, so a slow pipe shows each post as it comes.
//!
//! A followed file reports where it is up to as cursors: `offset` (the
//! bytes read up to the end of the last whole line), `line` (how many
//! lines that is) and `inode`. Started with them again, it reads on from
//! the offset if the file is still the same one (same inode, at least that
//! long, a line ending just before the offset); otherwise from the start.
//! Stdin and files read once have no cursor.

use super::{Cursors, Sink, SourceState};
use crate::config::JsonlSpec;
use crate::decode::{Lines, decode_line};
use crate::model::Post;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::time::{Duration, Instant};

const BATCH: usize = 512;
/// How often a followed file is checked for growth.
const FOLLOW_POLL: Duration = Duration::from_millis(250);
/// The cursors of a followed file, and how often they are reported at most.
const OFFSET: &str = "offset";
const LINE: &str = "line";
const INODE: &str = "inode";
const CURSOR_EVERY: Duration = Duration::from_secs(1);

pub(super) async fn run(sink: Sink, spec: JsonlSpec, cursors: Cursors) {
    let _ =
        tokio::task::spawn_blocking(move || read(&sink, &spec.path, spec.follow, &cursors)).await;
}

/// Decodes lines and sends them in batches; counts the lines it skips.
struct Batcher<'a> {
    sink: &'a Sink,
    name: String,
    posts: Vec<Post>,
    open: bool,
}

impl Batcher<'_> {
    fn line(&mut self, number: u64, line: &[u8]) {
        match decode_line(line, &self.sink.source) {
            Ok(post) => {
                self.posts.push(post);
                if self.posts.len() >= BATCH {
                    self.flush();
                }
            }
            Err(e) => self.skip(number, &e.to_string()),
        }
    }

    fn skip(&mut self, number: u64, why: &str) {
        self.open &= self.sink.skipped(format!("{}:{number}: {why}", self.name));
    }

    fn flush(&mut self) {
        self.open &= self.sink.posts(std::mem::take(&mut self.posts));
    }
}

fn read(sink: &Sink, path: &str, follow: bool, cursors: &Cursors) {
    sink.state(SourceState::Loading);
    let mut batch = Batcher {
        sink,
        name: if path == "-" {
            "stdin".into()
        } else {
            path.into()
        },
        posts: Vec::new(),
        open: true,
    };
    let outcome = if path == "-" {
        read_lines(&mut batch, BufReader::new(io::stdin()))
    } else if follow {
        follow_file(&mut batch, path, cursors)
    } else {
        File::open(path).and_then(|f| read_lines(&mut batch, BufReader::new(f)))
    };
    batch.flush();
    match outcome {
        Ok(()) => sink.state(SourceState::Done),
        Err(e) => sink.state(SourceState::Failed(format!("cannot read {path}: {e}"))),
    };
}

fn read_lines<R: Read>(batch: &mut Batcher<'_>, reader: BufReader<R>) -> io::Result<()> {
    let mut lines = Lines::new(reader);
    while batch.open {
        match lines.next_line()? {
            None => break,
            Some((number, Ok(line))) => batch.line(number, line),
            Some((number, Err(e))) => batch.skip(number, &e.to_string()),
        }
        if !lines.has_buffered() {
            batch.flush();
        }
    }
    Ok(())
}

/// Where a followed file is up to: the end of its last whole line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Position {
    inode: u64,
    offset: u64,
    line: u64,
}

/// Where to start reading `file` given the cursors of an earlier run: at
/// their offset if they are for this very file, else `None` (the start).
fn resume_at(file: &File, meta: &std::fs::Metadata, cursors: &Cursors) -> Option<Position> {
    let number = |key: &str| cursors.get(key)?.trim().parse::<u64>().ok();
    let (inode, offset) = (number(INODE)?, number(OFFSET)?);
    if inode != meta.ino() || offset > meta.len() {
        return None;
    }
    // The offset is just after a newline; if it is not, the file was
    // rewritten in place.
    if offset > 0 {
        let mut last = [0u8];
        file.read_exact_at(&mut last, offset - 1).ok()?;
        if last[0] != b'\n' {
            return None;
        }
    }
    Some(Position {
        inode,
        offset,
        line: number(LINE).unwrap_or(0),
    })
}

/// Sends a followed file's cursors when they moved, at most every
/// [`CURSOR_EVERY`], and only after the posts before them went out.
struct Reporter {
    last: Option<Position>,
    at: Option<Instant>,
}

impl Reporter {
    fn report(&mut self, batch: &mut Batcher<'_>, now: Position) {
        if self.last == Some(now) || self.at.is_some_and(|at| at.elapsed() < CURSOR_EVERY) {
            return;
        }
        batch.flush();
        // The offset before the inode: a cursor half stored then names the
        // old file with the new offset, and is not taken up.
        let sink = batch.sink;
        let last = self.last;
        let open = (last.map(|p| p.offset) == Some(now.offset)
            || sink.cursor(OFFSET, &now.offset.to_string()))
            && (last.map(|p| p.line) == Some(now.line) || sink.cursor(LINE, &now.line.to_string()))
            && (last.map(|p| p.inode) == Some(now.inode)
                || sink.cursor(INODE, &now.inode.to_string()));
        batch.open &= open;
        self.last = Some(now);
        self.at = Some(Instant::now());
    }
}

/// How much of a followed file's start, and of the bytes just before where
/// reading is up to, is kept to tell a file that grew from one rewritten.
const FINGERPRINT: usize = 1024;

/// The bytes of a followed file that were read at its start and just before
/// the current offset. A file truncated and written again longer than
/// before within one poll looks grown by its size alone; these bytes tell.
#[derive(Default)]
struct Fingerprint {
    head: Vec<u8>,
    tail: Vec<u8>,
}

impl Fingerprint {
    /// Taken from the file itself, for an offset resumed from a cursor.
    fn of(file: &File, offset: u64) -> io::Result<Self> {
        let len = offset.min(FINGERPRINT as u64);
        let mut head = vec![0; len as usize];
        file.read_exact_at(&mut head, 0)?;
        let mut tail = vec![0; len as usize];
        file.read_exact_at(&mut tail, offset - len)?;
        Ok(Self { head, tail })
    }

    /// `bytes` were read next, contiguously.
    fn read(&mut self, bytes: &[u8]) {
        let room = FINGERPRINT.saturating_sub(self.head.len());
        self.head.extend_from_slice(&bytes[..room.min(bytes.len())]);
        if bytes.len() >= FINGERPRINT {
            self.tail.clear();
            self.tail
                .extend_from_slice(&bytes[bytes.len() - FINGERPRINT..]);
        } else {
            self.tail.extend_from_slice(bytes);
            let extra = self.tail.len().saturating_sub(FINGERPRINT);
            self.tail.drain(..extra);
        }
    }

    /// Whether `file` still holds the bytes read, up to `offset`.
    fn matches(&self, file: &File, offset: u64) -> bool {
        let same = |bytes: &[u8], at: u64| {
            let mut now = vec![0; bytes.len()];
            file.read_exact_at(&mut now, at).is_ok() && now == bytes
        };
        same(&self.head, 0) && same(&self.tail, offset - self.tail.len() as u64)
    }
}

/// Opens a file to follow; one that is not there yet is waited for, as
/// `tail -F` does. `None` when the app stopped listening meanwhile.
fn open_when_there(batch: &Batcher<'_>, path: &str) -> io::Result<Option<File>> {
    let mut said = false;
    loop {
        match File::open(path) {
            Ok(file) => return Ok(Some(file)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if !said {
                    said = true;
                    batch
                        .sink
                        .state(SourceState::Waiting("waiting for the file".into()));
                }
                if batch.sink.is_closed() {
                    return Ok(None);
                }
                std::thread::sleep(FOLLOW_POLL);
            }
            Err(e) => return Err(e),
        }
    }
}

/// Reads a file to its end, then keeps reading what is appended. A file
/// that shrinks (truncated), is replaced (rotated) or no longer holds the
/// bytes read (rewritten) is read again from its start. A last line
/// without its newline waits for the rest.
fn follow_file(batch: &mut Batcher<'_>, path: &str, cursors: &Cursors) -> io::Result<()> {
    let Some(mut file) = open_when_there(batch, path)? else {
        return Ok(());
    };
    let meta = file.metadata()?;
    let mut inode = meta.ino();
    let resumed = resume_at(&file, &meta, cursors);
    let mut reporter = Reporter {
        last: resumed,
        at: None,
    };
    // Bytes read, and the end of the last whole line among them.
    let (mut offset, mut number) = resumed.map_or((0, 0), |p| (p.offset, p.line));
    let mut seen = Fingerprint::default();
    if offset > 0 {
        file.seek(SeekFrom::Start(offset))?;
        seen = Fingerprint::of(&file, offset)?;
    }
    let mut done = offset;
    let mut partial: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut live = false;
    while batch.open {
        let n = file.read(&mut chunk)?;
        if n > 0 {
            seen.read(&chunk[..n]);
            let start = offset;
            offset += n as u64;
            let mut at = 0;
            while let Some(end) = memchr::memchr(b'\n', &chunk[at..n]) {
                let line = &chunk[at..at + end];
                number += 1;
                if partial.len() + end > crate::decode::MAX_LINE_BYTES {
                    batch.skip(number, "longer than the line limit; skipped");
                    partial.clear();
                } else {
                    partial.extend_from_slice(line);
                    if !partial.iter().all(u8::is_ascii_whitespace) {
                        let line = std::mem::take(&mut partial);
                        batch.line(number, &line);
                    }
                    partial.clear();
                }
                at += end + 1;
                done = start + at as u64;
            }
            if partial.len() <= crate::decode::MAX_LINE_BYTES {
                partial.extend_from_slice(&chunk[at..n]);
            }
            // A long read reports its progress now and then.
            let now = Position {
                inode,
                offset: done,
                line: number,
            };
            reporter.report(batch, now);
            continue;
        }
        batch.flush();
        reporter.report(
            batch,
            Position {
                inode,
                offset: done,
                line: number,
            },
        );
        if !live {
            live = true;
            batch.sink.state(SourceState::Live);
        }
        if batch.sink.is_closed() {
            break;
        }
        std::thread::sleep(FOLLOW_POLL);
        let again = match std::fs::metadata(path) {
            Ok(meta) if meta.ino() != inode => {
                file = File::open(path)?;
                inode = meta.ino();
                true
            }
            Ok(meta) => meta.len() < offset || !seen.matches(&file, offset),
            // Gone for a moment while being rotated: wait for the new one.
            Err(_) => false,
        };
        if again {
            file.seek(SeekFrom::Start(0))?;
            (offset, done, number) = (0, 0, 0);
            partial.clear();
            seen = Fingerprint::default();
        }
    }
    Ok(())
}
