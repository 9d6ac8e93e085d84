//! Giving an alert (ARCHITECTURE.md, "Alerts"): the bell, a desktop
//! notification as a terminal escape — OSC 777, OSC 9 or OSC 99, chosen
//! from the terminal, wrapped for tmux — or a command run with its
//! arguments, never through a shell.
//!
//! The escapes are written by hand: they are a few bytes each, and what
//! matters is what goes in them. The title and body are post text: every
//! control character, `;` (the field separator of these escapes), BEL and
//! ESC is taken out and the length capped, so nothing in a post can end
//! the escape early or start another.

use crate::app::alert::{Alert, Desktop};
use crate::config::Protocol;
use std::io::{self, Write};

/// The most of a title and of a body an alert carries, in characters.
const MAX_TITLE: usize = 80;
const MAX_BODY: usize = 200;

/// The terminal the alerts go to, as the environment says at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terminal {
    /// The escape `protocol = "auto"` means here (`Bell` when none is known).
    pub auto: Protocol,
    /// Inside tmux: escapes are wrapped in its DCS passthrough.
    pub tmux: bool,
}

impl Terminal {
    /// From the environment: `TERM_PROGRAM`, `KITTY_WINDOW_ID`,
    /// `WT_SESSION`, `VTE_VERSION`, `KONSOLE_VERSION`, `TERM`, `TMUX`.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Terminal {
        let has = |name: &str| var(name).is_some_and(|v| !v.is_empty());
        let program = var("TERM_PROGRAM").unwrap_or_default();
        let term = var("TERM").unwrap_or_default();
        let auto = if has("KITTY_WINDOW_ID") || program == "kitty" {
            Protocol::Osc99
        } else if program == "iTerm.app" {
            Protocol::Osc9
        } else if program == "WezTerm"
            || program == "ghostty"
            || has("WEZTERM_PANE")
            || has("WT_SESSION")
            || has("VTE_VERSION")
            || has("KONSOLE_VERSION")
            || term.starts_with("foot")
        {
            Protocol::Osc777
        } else {
            Protocol::Bell
        };
        Terminal {
            auto,
            tmux: has("TMUX"),
        }
    }

    /// The bytes of a desktop notification by `protocol` (`Auto`: this
    /// terminal's), none for the bell.
    pub fn escape(&self, protocol: Protocol, title: &str, body: &str) -> Option<Vec<u8>> {
        let protocol = match protocol {
            Protocol::Auto => self.auto,
            chosen => chosen,
        };
        let title = clean(title, MAX_TITLE);
        let body = clean(body, MAX_BODY);
        let escape = match protocol {
            Protocol::Osc777 => format!("\x1b]777;notify;{title};{body}\x1b\\"),
            Protocol::Osc9 => format!("\x1b]9;{title}: {body}\x1b\\"),
            // kitty: the title, then the body, of notification `i=1`.
            Protocol::Osc99 => {
                format!("\x1b]99;i=1:d=0;{title}\x1b\\\x1b]99;i=1:d=1:p=body;{body}\x1b\\")
            }
            Protocol::Bell | Protocol::Auto => return None,
        };
        Some(if self.tmux {
            // tmux passes on what sits in `ESC P tmux; … ESC \`, each ESC
            // inside doubled (it needs `allow-passthrough on`).
            format!("\x1bPtmux;{}\x1b\\", escape.replace('\x1b', "\x1b\x1b")).into_bytes()
        } else {
            escape.into_bytes()
        })
    }

    /// Gives `alert`: the bell, and the desktop notification (the command
    /// when `[notify] command` is set, else the escape; the bell when the
    /// terminal has none).
    pub fn give(&self, alert: &Alert, out: &mut impl Write) -> io::Result<()> {
        let mut bell = alert.bell;
        if let Some(Desktop { protocol, command }) = &alert.desktop {
            if !command.is_empty() {
                run(command, &alert.title, &alert.body);
            } else {
                match self.escape(*protocol, &alert.title, &alert.body) {
                    Some(bytes) => out.write_all(&bytes)?,
                    None => bell = true,
                }
            }
        }
        if bell {
            out.write_all(b"\x07")?;
        }
        out.flush()
    }
}

/// Text for an escape or a command line: one line, no control character,
/// no `;`, at most `max` characters.
fn clean(text: &str, max: usize) -> String {
    let line = crate::model::sanitize_line(text);
    let kept: String = line
        .chars()
        .map(|c| if c.is_control() || c == ';' { ' ' } else { c })
        .collect();
    let words = kept.split_whitespace().collect::<Vec<_>>().join(" ");
    if words.chars().count() <= max {
        words
    } else {
        let cut: String = words.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Runs `[notify] command` with `{title}` and `{body}` replaced in its
/// arguments: the program itself, never a shell, and not waited for (the
/// runtime reaps it). A command that cannot start is logged.
fn run(command: &[String], title: &str, body: &str) {
    let (title, body) = (clean(title, MAX_TITLE), clean(body, MAX_BODY));
    let args = command[1..]
        .iter()
        .map(|a| a.replace("{title}", &title).replace("{body}", &body));
    let started = tokio::process::Command::new(&command[0])
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = started {
        tracing::warn!("[notify] command {:?} did not start: {e}", command[0]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terminal(vars: &[(&str, &str)]) -> Terminal {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Terminal::from_env(|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    #[test]
    fn the_protocol_comes_from_the_terminal() {
        for (vars, auto) in [
            (&[("TERM_PROGRAM", "WezTerm")][..], Protocol::Osc777),
            (&[("KITTY_WINDOW_ID", "1")][..], Protocol::Osc99),
            (&[("TERM_PROGRAM", "iTerm.app")][..], Protocol::Osc9),
            (&[("WT_SESSION", "x")][..], Protocol::Osc777),
            (&[("TERM", "foot")][..], Protocol::Osc777),
            (&[("VTE_VERSION", "7600")][..], Protocol::Osc777),
            (&[("TERM", "xterm-256color")][..], Protocol::Bell),
        ] {
            assert_eq!(terminal(vars).auto, auto, "{vars:?}");
        }
        assert!(terminal(&[("TMUX", "/tmp/tmux-0/default,1,0")]).tmux);
    }

    #[test]
    fn each_protocol_writes_its_escape_and_tmux_wraps_it() {
        let t = terminal(&[("TERM_PROGRAM", "WezTerm")]);
        let bytes = |p| String::from_utf8(t.escape(p, "T", "B").unwrap()).unwrap();
        assert_eq!(bytes(Protocol::Auto), "\x1b]777;notify;T;B\x1b\\");
        assert_eq!(bytes(Protocol::Osc9), "\x1b]9;T: B\x1b\\");
        assert_eq!(
            bytes(Protocol::Osc99),
            "\x1b]99;i=1:d=0;T\x1b\\\x1b]99;i=1:d=1:p=body;B\x1b\\"
        );
        assert_eq!(t.escape(Protocol::Bell, "T", "B"), None);
        let tmux = Terminal {
            tmux: true,
            ..t.clone()
        };
        assert_eq!(
            String::from_utf8(tmux.escape(Protocol::Osc777, "T", "B").unwrap()).unwrap(),
            "\x1bPtmux;\x1b\x1b]777;notify;T;B\x1b\x1b\\\x1b\\"
        );
    }

    #[test]
    fn nothing_in_a_post_escapes_the_sequence() {
        let t = terminal(&[("TERM_PROGRAM", "WezTerm")]);
        let hostile = "hi\x1b]52;c;ZXZpbA==\x07 there; \x1b\\ bye\u{9b}31m\nline";
        let out = String::from_utf8(t.escape(Protocol::Osc777, hostile, hostile).unwrap()).unwrap();
        let inner = out
            .strip_prefix("\x1b]777;notify;")
            .and_then(|s| s.strip_suffix("\x1b\\"))
            .unwrap();
        assert!(
            !inner.contains(['\x1b', '\x07', '\u{9b}', '\n']),
            "{inner:?}"
        );
        assert_eq!(
            inner.matches(';').count(),
            1,
            "only the field separator: {inner:?}"
        );
        let long = "x".repeat(1000);
        let out = t.escape(Protocol::Osc9, &long, &long).unwrap();
        assert!(out.len() < MAX_TITLE + MAX_BODY + 32, "{}", out.len());
    }
}
