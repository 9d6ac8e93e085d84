//! Reading JSON lines safely: numbered, capped, never losing the good lines
//! around a bad one.
//!
//! Lines are lent exactly as read, without the `\n` but with any `\r` of a
//! CRLF ending (JSON parsers take it as whitespace), so pass-through output
//! is byte-for-byte. A line longer than [`MAX_LINE_BYTES`] is skipped up to its newline without
//! being held in memory; a last line with no newline is still read (and will
//! usually fail to decode as truncated JSON, which is reported, not fatal).

use std::io::{self, BufRead};

/// Lines longer than this are skipped and reported (1 MiB).
pub const MAX_LINE_BYTES: usize = 1 << 20;

#[derive(Debug, thiserror::Error)]
pub enum LineError {
    #[error("longer than the {} KiB line limit; skipped", MAX_LINE_BYTES / 1024)]
    TooLong,
}

/// An iterator-like reader of numbered lines over any `BufRead`.
///
/// It lends each line from one reused buffer, so reading does not allocate
/// per line and memory stays flat whatever the input size.
pub struct Lines<R> {
    reader: R,
    buf: Vec<u8>,
    number: u64,
    cap: usize,
    /// Bytes of the reader's buffer lent out by the last call, consumed at
    /// the start of the next one.
    lent: usize,
}

impl<R: BufRead> Lines<R> {
    pub fn new(reader: R) -> Self {
        Self::with_cap(reader, MAX_LINE_BYTES)
    }

    pub fn with_cap(reader: R, cap: usize) -> Self {
        Lines {
            reader,
            buf: Vec::new(),
            number: 0,
            cap,
            lent: 0,
        }
    }

    /// The next line (without its line ending) and its 1-based number, or
    /// `None` at the end of input. Blank lines are skipped but counted.
    ///
    /// A line that lies whole in the reader's buffer is lent from there
    /// without copying; one that straddles a refill is gathered in our own
    /// buffer.
    #[allow(clippy::type_complexity)]
    pub fn next_line(&mut self) -> io::Result<Option<(u64, Result<&[u8], LineError>)>> {
        loop {
            self.reader.consume(std::mem::take(&mut self.lent));
            self.buf.clear();
            let mut too_long = false;
            let mut any = false;
            let mut lend = None;
            loop {
                let available = match self.reader.fill_buf() {
                    Ok(b) => b,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                };
                if available.is_empty() {
                    break;
                }
                let newline = memchr::memchr(b'\n', available);
                if !any && let Some(end) = newline.filter(|&end| end <= self.cap) {
                    lend = Some(end);
                    any = true;
                    break;
                }
                any = true;
                let (chunk, found_newline) = match newline {
                    Some(i) => (&available[..i], true),
                    None => (available, false),
                };
                if !too_long && self.buf.len() + chunk.len() > self.cap {
                    too_long = true;
                    self.buf = Vec::new();
                }
                if !too_long {
                    self.buf.extend_from_slice(chunk);
                }
                let used = chunk.len() + usize::from(found_newline);
                self.reader.consume(used);
                if found_newline {
                    break;
                }
            }
            if !any {
                return Ok(None);
            }
            self.number += 1;
            if too_long {
                return Ok(Some((self.number, Err(LineError::TooLong))));
            }
            if let Some(end) = lend {
                self.lent = end + 1;
            }
            // Measure through a short borrow, then borrow again to return:
            // returning a borrow from inside this loop is a case today's
            // borrow checker rejects. `fill_buf` on data already buffered
            // does no I/O.
            let len = {
                let line = match lend {
                    Some(end) => &self.reader.fill_buf()?[..end],
                    None => &self.buf[..],
                };
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                line.len()
            };
            let line = match lend {
                Some(_) => &self.reader.fill_buf()?[..len],
                None => &self.buf[..len],
            };
            return Ok(Some((self.number, Ok(line))));
        }
    }
}

impl<R: io::Read> Lines<io::BufReader<R>> {
    /// Whether a line can be had without waiting on the underlying reader.
    pub fn has_buffered(&self) -> bool {
        self.reader.buffer().len() > self.lent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(input: &[u8], cap: usize) -> Vec<(u64, Result<Vec<u8>, String>)> {
        let mut lines = Lines::with_cap(input, cap);
        let mut out = Vec::new();
        while let Some((n, line)) = lines.next_line().unwrap() {
            out.push((n, line.map(<[u8]>::to_vec).map_err(|e| e.to_string())));
        }
        out
    }

    #[test]
    fn numbers_lines_skips_blanks_and_keeps_unterminated_last_line() {
        let got = collect(b"a\r\n\r\n  \nb\nc", 100);
        assert_eq!(
            got,
            vec![
                (1, Ok(b"a\r".to_vec())),
                (4, Ok(b"b".to_vec())),
                (5, Ok(b"c".to_vec()))
            ]
        );
    }

    #[test]
    fn overlong_lines_are_reported_and_the_next_line_survives() {
        let mut input = vec![b'x'; 50];
        input.extend_from_slice(b"\nok\n");
        let got = collect(&input, 10);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, 1);
        assert!(got[0].1.as_ref().unwrap_err().contains("line limit"));
        assert_eq!(got[1], (2, Ok(b"ok".to_vec())));
    }
}
