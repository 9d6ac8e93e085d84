//! The config: the TOML filter file (README, "The config").
//!
//! Stage one of two: [`parse`] turns text into a [`RawConfig`] — plain serde
//! values that remember where in the file they were written — and checks
//! what can be checked without compiling rules (the sources). Stage two,
//! `filter::Rules::compile`, builds the router and reports bad regexes,
//! handles and names at their place in the file.
//!
//! Loaded from a `&str`: reading the file is the caller's business. May
//! touch: `model`.

mod diagnostic;
mod edit;
mod keys;
mod sources;

pub use diagnostic::{ConfigErrors, Diagnostic, Severity};
pub use edit::{Edit, EditError, Who, apply};
pub use keys::{Command, Key, KeyChord, Keymap, NamedKey, RawKeys, Scope};
pub use sources::{
    BlueskySpec, FeedSpec, JsonlSpec, MastodonSpec, SecretRef, SourceConfig, SourceSpec, Timeline,
};

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// The commented default config, with the demo feed as its source.
pub const DEFAULT_CONFIG: &str = include_str!("../../config/default.toml");

/// The config as written, before rules are compiled. (`[[source]]` tables
/// are read apart, one struct per kind: see `sources`.)
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default)]
    pub me: RawMe,
    #[serde(default, rename = "column")]
    pub columns: Vec<Spanned<RawColumn>>,
    #[serde(default)]
    pub mute: RawMute,
    #[serde(default)]
    pub amplify: RawAmplify,
    /// `[keys]`: command name → key or keys.
    #[serde(default)]
    pub keys: BTreeMap<Spanned<String>, Spanned<RawKeys>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMe {
    #[serde(default)]
    pub handles: Vec<Spanned<String>>,
}

/// How a column's posts are drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Style {
    #[default]
    Normal,
    Dim,
    Compact,
}

/// The entries of an include key, none when it is absent.
pub fn entries(key: &Option<Spanned<Vec<Spanned<String>>>>) -> &[Spanned<String>] {
    key.as_ref().map_or(&[], |list| list.get_ref().as_slice())
}

/// One `[[column]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawColumn {
    pub name: Spanned<String>,
    // Include keys: absent, a column with none takes every post; present
    // but empty, the key matches nothing.
    pub accounts: Option<Spanned<Vec<Spanned<String>>>>,
    pub keywords: Option<Spanned<Vec<Spanned<String>>>>,
    pub regex: Option<Spanned<Vec<Spanned<String>>>>,
    pub hashtags: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    pub mentions_me: bool,
    pub sources: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    pub exclude_keywords: Vec<Spanned<String>>,
    #[serde(default = "yes")]
    pub boosts: bool,
    #[serde(default = "yes")]
    pub replies: bool,
    #[serde(default)]
    pub languages: Vec<Spanned<String>>,
    #[serde(default)]
    pub media_only: bool,
    #[serde(default)]
    pub rest: bool,
    #[serde(default)]
    pub style: Style,
    #[serde(default)]
    pub notify: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMute {
    #[serde(default)]
    pub accounts: Vec<Spanned<String>>,
    #[serde(default)]
    pub keywords: Vec<Spanned<String>>,
    #[serde(default)]
    pub regex: Vec<Spanned<String>>,
    #[serde(default)]
    pub boosts_from: Vec<Spanned<String>>,
    /// Timed mutes: handle → when the mute ends.
    #[serde(default)]
    pub until: BTreeMap<Spanned<String>, Spanned<toml::value::Datetime>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAmplify {
    #[serde(default)]
    pub accounts: Vec<Spanned<String>>,
}

/// A config that parsed, with its checked sources.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub raw: RawConfig,
    pub sources: Vec<SourceSpec>,
    pub keymap: Keymap,
}

/// Parses config text. Syntax errors and unknown keys stop here with their
/// position; source tables are checked too, and all their problems are
/// reported together.
pub fn parse(text: &str) -> Result<Parsed, ConfigErrors> {
    let (parsed, errors) = parse_collecting(text)?;
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(ConfigErrors { errors })
    }
}

/// Like [`parse`], but source-table errors come back beside the result so a
/// caller can add the errors of later stages and report them all at once.
pub fn parse_collecting(text: &str) -> Result<(Parsed, Vec<Diagnostic>), ConfigErrors> {
    let fatal = |e: toml::de::Error| ConfigErrors {
        errors: vec![located(e.span(), toml_message(&e))],
    };
    let mut root = toml::de::DeTable::parse(text).map_err(fatal)?;
    let source_tables = root.get_mut().remove("source");
    let raw = RawConfig::deserialize(toml::de::Deserializer::from(root)).map_err(fatal)?;
    let mut errors = Vec::new();
    let sources = sources::read(source_tables, &mut errors);
    let keymap = keys::check(&raw.keys, &mut errors);
    let parsed = Parsed {
        raw,
        sources,
        keymap,
    };
    Ok((parsed, errors))
}

/// An error at a place the toml crate named.
fn located(span: Option<std::ops::Range<usize>>, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(span, message)
}

/// The toml crate's message without its own rendering of the position,
/// which [`Diagnostic`] does in the house style.
fn toml_message(e: &toml::de::Error) -> String {
    let message = e.message().trim_end();
    let hint = if message.starts_with("unknown field") {
        "\ncheck the spelling; the README lists every key"
    } else {
        ""
    };
    format!("{message}{hint}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_at(text: &str) -> (usize, usize, String) {
        let err = parse(text).unwrap_err();
        let d = &err.errors[0];
        let (line, col) = d.line_col(text).unwrap();
        (line, col, d.message.clone())
    }

    #[test]
    fn the_default_config_parses() {
        let parsed = parse(DEFAULT_CONFIG).unwrap();
        assert_eq!(parsed.raw.columns.len(), 5);
        assert_eq!(parsed.sources.len(), 1);
        assert_eq!(parsed.sources[0].kind, SourceConfig::Demo);
    }

    #[test]
    fn an_empty_config_is_valid() {
        let parsed = parse("").unwrap();
        assert!(parsed.raw.columns.is_empty());
    }

    #[test]
    fn unknown_keys_are_located() {
        let text = "[[column]]\nname = \"Core\"\nacounts = [\"@a@b.social\"]\n";
        let (line, col, message) = error_at(text);
        assert_eq!((line, col), (3, 1));
        assert!(message.contains("unknown field `acounts`"), "{message}");
    }

    #[test]
    fn syntax_errors_are_located() {
        let text = "[me]\nhandles = [\"@a@b.social\"\n";
        let (line, _, message) = error_at(text);
        assert!(line >= 2, "{message}");
        let text = "[[column]]\nname = \"x\"\nstyle = \"loud\"\n";
        let (line, col, message) = error_at(text);
        assert_eq!((line, col), (3, 9));
        assert!(message.contains("loud"), "{message}");
    }

    #[test]
    fn keys_override_defaults_and_bad_entries_are_located() {
        let parsed = parse("[keys]\nquit = \"Q\"\nnext_post = [\"j\", \"ctrl-n\"]\n").unwrap();
        let keymap = &parsed.keymap;
        assert_eq!(keymap.command(&KeyChord::char('Q')), Some(Command::Quit));
        assert_eq!(keymap.command(&KeyChord::char('q')), None, "replaced");
        assert_eq!(
            keymap.command(&KeyChord::ctrl('n')),
            Some(Command::NextPost)
        );
        assert_eq!(keymap.command(&KeyChord::named(NamedKey::Down)), None);
        // A user key taken from a default command.
        let parsed = parse("[keys]\nhelp = \"j\"\n").unwrap();
        assert_eq!(
            parsed.keymap.command(&KeyChord::char('j')),
            Some(Command::Help)
        );
        assert_eq!(
            parsed.keymap.keys(Command::NextPost),
            &[KeyChord::named(NamedKey::Down)]
        );

        let (line, col, message) = error_at("[keys]\nquitt = \"x\"\n");
        assert_eq!((line, col), (2, 1));
        assert!(message.contains("not a command"), "{message}");
        let (line, col, message) = error_at("[keys]\nquit = [\"q\", \"hyper-q\"]\n");
        assert_eq!((line, col), (2, 14));
        assert!(message.contains("not a key"), "{message}");
        let (line, col, message) = error_at("[keys]\nhelp = \"x\"\nquit = \"x\"\n");
        assert_eq!((line, col), (3, 8));
        assert!(message.contains("already bound to `help`"), "{message}");
    }

    #[test]
    fn column_defaults() {
        let parsed = parse("[[column]]\nname = \"All\"\n").unwrap();
        let column = parsed.raw.columns[0].get_ref();
        assert!(column.boosts && column.replies && !column.rest && !column.media_only);
        assert_eq!(column.style, Style::Normal);
    }
}
