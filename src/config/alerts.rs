//! Alerts: a column's `notify` and the `[notify]` table (README, "Alerts").
//!
//! What the config says, compiled: how each alert is given (the bell, a
//! desktop notification, both), which terminal protocol carries a desktop
//! one, an optional command to run instead, and quiet hours.

use super::Diagnostic;
use chrono::NaiveTime;
use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

/// How an alert is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NotifyMode {
    /// The terminal bell.
    Bell,
    /// A desktop notification (a terminal escape, or `[notify] command`).
    Desktop,
    /// Both.
    Both,
}

impl NotifyMode {
    pub fn bell(self) -> bool {
        matches!(self, NotifyMode::Bell | NotifyMode::Both)
    }

    pub fn desktop(self) -> bool {
        matches!(self, NotifyMode::Desktop | NotifyMode::Both)
    }

    /// Both ways of two modes together.
    pub fn with(self, other: NotifyMode) -> NotifyMode {
        match (
            self.bell() || other.bell(),
            self.desktop() || other.desktop(),
        ) {
            (true, true) => NotifyMode::Both,
            (false, true) => NotifyMode::Desktop,
            _ => NotifyMode::Bell,
        }
    }
}

/// `notify = true | false | "bell" | "desktop" | "both"` (true is the bell).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawNotify {
    Flag(bool),
    Mode(NotifyMode),
}

impl Default for RawNotify {
    fn default() -> Self {
        RawNotify::Flag(false)
    }
}

impl RawNotify {
    /// The mode, none when off.
    pub fn mode(self) -> Option<NotifyMode> {
        match self {
            RawNotify::Flag(false) => None,
            RawNotify::Flag(true) => Some(NotifyMode::Bell),
            RawNotify::Mode(mode) => Some(mode),
        }
    }
}

/// Which terminal escape carries a desktop notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// Chosen from the terminal (TERM_PROGRAM, KITTY_WINDOW_ID, WT_SESSION, …).
    #[default]
    Auto,
    /// OSC 9 (iTerm2, WezTerm).
    Osc9,
    /// OSC 777 (WezTerm, foot, Ghostty, VTE terminals, Konsole, Windows Terminal).
    Osc777,
    /// OSC 99 (kitty).
    Osc99,
    /// No escape: the bell only.
    Bell,
}

/// `[notify]`: how alerts are given.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawNotifyTable {
    /// Posts by amplified accounts alert too, wherever they land: true (the bell), "bell", "desktop" or "both".
    #[serde(default)]
    pub amplified: RawNotify,
    /// The escape for desktop notifications: "auto" (the default), "osc9", "osc777", "osc99" or "bell".
    #[serde(default)]
    pub protocol: Protocol,
    /// A program to run for a desktop notification instead of the escape, with its arguments; {title} and {body} are replaced. Never run through a shell.
    #[schemars(with = "Option<Vec<String>>")]
    pub command: Option<Spanned<Vec<String>>>,
    /// Quiet hours, local time, "22:00-07:30": no alerts then.
    #[schemars(with = "Option<String>")]
    pub quiet: Option<Spanned<String>>,
}

/// Quiet hours: from `start` to `end`, local time; over midnight when
/// `end` is before `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quiet {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Quiet {
    /// Whether `time` (local) is within the quiet hours.
    pub fn contains(&self, time: NaiveTime) -> bool {
        if self.start <= self.end {
            self.start <= time && time < self.end
        } else {
            time >= self.start || time < self.end
        }
    }
}

/// `[notify]` compiled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notify {
    pub amplified: Option<NotifyMode>,
    pub protocol: Protocol,
    pub command: Vec<String>,
    pub quiet: Option<Quiet>,
}

impl Notify {
    /// `[notify]` compiled; its mistakes, located, go to `errors`.
    pub fn compile(raw: &RawNotifyTable, errors: &mut Vec<Diagnostic>) -> Notify {
        let command = raw
            .command
            .as_ref()
            .map_or_else(Vec::new, |c| c.get_ref().clone());
        if let Some(written) = &raw.command
            && command
                .first()
                .is_none_or(|program| program.trim().is_empty())
        {
            errors.push(Diagnostic::error(
                Some(written.span()),
                "the command's first word is the program to run, and it is missing",
            ));
        }
        let quiet = raw.quiet.as_ref().and_then(|text| {
            let quiet = parse_quiet(text.get_ref());
            if quiet.is_none() {
                errors.push(Diagnostic::error(
                    Some(text.span()),
                    "quiet hours are two local times, like \"22:00-07:30\"",
                ));
            }
            quiet
        });
        Notify {
            amplified: raw.amplified.mode(),
            protocol: raw.protocol,
            command,
            quiet,
        }
    }
}

fn parse_quiet(text: &str) -> Option<Quiet> {
    let (start, end) = text.split_once('-')?;
    let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").ok();
    Some(Quiet {
        start: time(start)?,
        end: time(end)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_hours_may_span_midnight() {
        let t = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
        let night = parse_quiet("22:00-07:30").unwrap();
        for (time, quiet) in [
            ("23:59", true),
            ("03:00", true),
            ("07:30", false),
            ("12:00", false),
            ("22:00", true),
        ] {
            assert_eq!(night.contains(t(time)), quiet, "{time}");
        }
        let lunch = parse_quiet(" 12:00 - 13:00 ").unwrap();
        assert!(lunch.contains(t("12:30")) && !lunch.contains(t("13:00")));
        for bad in ["22-7", "22:00", "25:00-01:00", "a-b"] {
            assert_eq!(parse_quiet(bad), None, "{bad}");
        }
    }
}
