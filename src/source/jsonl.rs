//! The jsonl source: JSON-lines posts from stdin or a file, optionally
//! followed as it grows (like `tail -F`: truncation and rotation too).
//!
//! Reading is blocking file I/O, so it runs on tokio's blocking pool and
//! sends batches: one when enough posts have gathered, and one whenever the
//! input would block, so a slow pipe shows each post as it comes.

use super::{Sink, SourceState};
use crate::decode::{DecodeError, Lines, decode_line};
use crate::model::Post;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::time::Duration;

const BATCH: usize = 512;
/// How often a followed file is checked for growth.
const FOLLOW_POLL: Duration = Duration::from_millis(250);

pub(super) async fn run(sink: Sink, path: String, follow: bool) {
    let _ = tokio::task::spawn_blocking(move || read(&sink, &path, follow)).await;
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
            Err(DecodeError::NotAPost(_)) => {}
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

fn read(sink: &Sink, path: &str, follow: bool) {
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
        follow_file(&mut batch, path)
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

/// Reads a file to its end, then keeps reading what is appended. A file
/// that shrinks (truncated) or is replaced (rotated) is read again from
/// its start. A last line without its newline waits for the rest.
fn follow_file(batch: &mut Batcher<'_>, path: &str) -> io::Result<()> {
    let mut file = File::open(path)?;
    let mut inode = file.metadata()?.ino();
    let mut offset = 0u64;
    let mut number = 0u64;
    let mut partial: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut live = false;
    while batch.open {
        let n = file.read(&mut chunk)?;
        if n > 0 {
            offset += n as u64;
            let mut rest = &chunk[..n];
            while let Some(end) = memchr::memchr(b'\n', rest) {
                number += 1;
                if partial.len() + end > crate::decode::MAX_LINE_BYTES {
                    batch.skip(number, "longer than the line limit; skipped");
                    partial.clear();
                } else {
                    partial.extend_from_slice(&rest[..end]);
                    if !partial.iter().all(u8::is_ascii_whitespace) {
                        let line = std::mem::take(&mut partial);
                        batch.line(number, &line);
                    }
                    partial.clear();
                }
                rest = &rest[end + 1..];
            }
            if partial.len() <= crate::decode::MAX_LINE_BYTES {
                partial.extend_from_slice(rest);
            }
            continue;
        }
        batch.flush();
        if !live {
            live = true;
            batch.sink.state(SourceState::Live);
        }
        if batch.sink.is_closed() {
            break;
        }
        std::thread::sleep(FOLLOW_POLL);
        match std::fs::metadata(path) {
            Ok(meta) if meta.ino() != inode => {
                file = File::open(path)?;
                inode = meta.ino();
                (offset, number) = (0, 0);
                partial.clear();
            }
            Ok(meta) if meta.len() < offset => {
                file.seek(SeekFrom::Start(0))?;
                (offset, number) = (0, 0);
                partial.clear();
            }
            // Gone for a moment while being rotated: wait for the new one.
            _ => {}
        }
    }
    Ok(())
}
