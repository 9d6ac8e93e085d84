//! Located messages about the config file: what is wrong, where, and what to
//! do — rendered like a compiler error with the offending line and a caret.

use std::fmt::Write as _;
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One message about a place in the config text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// Byte range in the config text, when the problem has a place.
    pub span: Option<Range<usize>>,
}

/// 1-based line and column (in characters) of byte `offset` of `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..floor_char_boundary(text, offset.min(text.len()))];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

impl Diagnostic {
    pub fn error(span: Option<Range<usize>>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span,
        }
    }

    pub fn warning(span: Option<Range<usize>>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            message: message.into(),
            span,
        }
    }

    /// 1-based line and column (in characters) of the start of the span.
    pub fn line_col(&self, text: &str) -> Option<(usize, usize)> {
        Some(line_col(text, self.span.as_ref()?.start))
    }

    /// `path:line:col: error: message` — the one-line form for status bars.
    pub fn short(&self, path: &str, text: &str) -> String {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match self.line_col(text) {
            Some((line, col)) => {
                format!("{path}:{line}:{col}: {kind}: {}", first_line(&self.message))
            }
            None => format!("{path}: {kind}: {}", first_line(&self.message)),
        }
    }

    /// The full form: the short line, then the source line with a caret
    /// under the offending value, then any further lines of the message.
    pub fn render(&self, path: &str, text: &str) -> String {
        let mut out = self.short(path, text);
        out.push('\n');
        if let (Some(span), Some((line_no, col))) = (&self.span, self.line_col(text)) {
            let line = text.lines().nth(line_no - 1).unwrap_or("");
            let gutter = line_no.to_string().len();
            let start = floor_char_boundary(text, span.start.min(text.len()));
            let end = floor_char_boundary(text, span.end.min(text.len())).max(start);
            let width = text[start..end]
                .lines()
                .next()
                .map_or(1, |s| s.chars().count())
                .max(1);
            let _ = writeln!(out, "{:gutter$} |", "");
            let _ = writeln!(out, "{line_no} | {line}");
            let _ = writeln!(
                out,
                "{:gutter$} | {}{}",
                "",
                " ".repeat(col - 1),
                "^".repeat(width)
            );
        }
        for extra in self.message.lines().skip(1) {
            let _ = writeln!(out, "  {extra}");
        }
        out
    }
}

fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or("")
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Everything wrong with a config that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} error(s) in the config", errors.len())]
pub struct ConfigErrors {
    pub errors: Vec<Diagnostic>,
}

impl ConfigErrors {
    /// The errors in the order they appear in the file (errors without a
    /// place last), as a reader fixes them.
    pub fn in_file_order(mut errors: Vec<Diagnostic>) -> Self {
        errors.sort_by_key(|d| d.span.as_ref().map_or(usize::MAX, |s| s.start));
        ConfigErrors { errors }
    }

    pub fn render(&self, path: &str, text: &str) -> String {
        self.errors.iter().map(|d| d.render(path, text)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_line_column_and_caret() {
        let text = "[me]\nhandles = [\"@bad\"]\n";
        let start = text.find("\"@bad\"").unwrap();
        let d = Diagnostic::error(Some(start..start + 6), "no host\nsecond line");
        assert_eq!(d.line_col(text), Some((2, 12)));
        let shown = d.render("c.toml", text);
        assert_eq!(
            shown,
            "c.toml:2:12: error: no host\n  |\n2 | handles = [\"@bad\"]\n  |            ^^^^^^\n  second line\n"
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "name = \"École\" x";
        let at = text.find('x').unwrap();
        let d = Diagnostic::error(Some(at..at + 1), "here");
        assert_eq!(d.line_col(text), Some((1, 16)));
    }
}
