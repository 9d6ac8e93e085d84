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

mod alerts;
mod diagnostic;
mod edit;
mod keys;
mod people;
mod read;
mod schema;
mod sources;
mod theme;

pub use alerts::{Notify, NotifyMode, Protocol, Quiet, RawNotify, RawNotifyTable};
pub use diagnostic::{ConfigErrors, Diagnostic, Severity, line_col};
pub use edit::{Edit, EditError, Lift, Who, apply, lift_words};
pub use keys::{Command, Key, KeyChord, Keymap, NamedKey, RawKeys, Scope};
pub use people::{RawPeople, Thresholds};
pub use schema::{SCHEMA_FILE, schema, schema_json};
pub use sources::{
    AuthorFilter, BlueskyFeed, BlueskySpec, Exclude, FeedSpec, JsonlSpec, MastodonSpec, SecretRef,
    SourceConfig, SourceSpec, Timeline, place_of,
};
pub use theme::{Colour, Theme};

use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// The commented default config, with the demo feed as its source.
pub const DEFAULT_CONFIG: &str = include_str!("../../config/default.toml");

/// The config as written, before rules are compiled. (`[[source]]` tables
/// are read apart, one struct per kind: see `sources`.)
///
/// The types here also give the config's JSON Schema (`circles schema`,
/// see `schema`): their doc comments are what an editor shows on hover.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "circles config",
    description = "The circles filter file (see the README, \"The config\")."
)]
pub struct RawConfig {
    /// Who you are: posts that mention one of these handles match `mentions_me`.
    #[serde(default)]
    pub me: RawMe,
    /// The columns, left to right. A post goes to every column whose include rules it matches.
    #[serde(default, rename = "column")]
    #[schemars(with = "Vec<RawColumn>")]
    pub columns: Vec<Spanned<RawColumn>>,
    /// Hidden, never lost: posts these rules take go to the muted tail (`v` shows them).
    #[serde(default)]
    pub mute: RawMute,
    /// Accounts whose posts are highlighted and sorted first, wherever they land.
    #[serde(default)]
    pub amplify: RawAmplify,
    /// How the screen draws: clickable links, …
    #[serde(default)]
    pub ui: RawUi,
    /// How alerts are given: the desktop protocol, a command, quiet hours, amplified accounts.
    #[serde(default)]
    pub notify: RawNotifyTable,
    /// Where the people view draws the lines between its classes, and how much a scan reads.
    #[serde(default)]
    pub people: RawPeople,
    /// One person with several accounts (Mastodon, Bluesky, a feed): named in rules as "person:Name", one row in the people view.
    #[serde(default, rename = "person")]
    #[schemars(with = "Vec<RawPerson>")]
    pub persons: Vec<Spanned<RawPerson>>,
    /// Keys for commands: a command's name and a key or a list of keys; yours replace its defaults.
    #[serde(default)]
    #[schemars(schema_with = "keys::schema")]
    pub keys: BTreeMap<Spanned<String>, Spanned<RawKeys>>,
}

/// `[ui]`: how the screen draws.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawUi {
    /// Links in cards and the detail view are clickable (OSC 8). Default: on in terminals known to support it (kitty, WezTerm, iTerm2, foot, Ghostty, VTE, Windows Terminal).
    pub hyperlinks: Option<bool>,
    /// Where posts' images are shown: "off", "detail" (the default: in the detail view) or "cards" (also a thumbnail on each card).
    #[serde(default)]
    pub images: Images,
    /// The most the image cache ($XDG_CACHE_HOME/circles/media) may hold, in MB (default 200); the oldest go first.
    pub media_cache_mb: Option<u64>,
}

/// Where posts' images are shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Images {
    /// Nowhere: the image descriptions only.
    Off,
    /// In the detail view, under each description.
    #[default]
    Detail,
    /// In the detail view, and a thumbnail of the first on each card.
    Cards,
}

/// `[me]`: who you are.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMe {
    /// Your handles, e.g. "@me@example.social" or "me.bsky.social".
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub handles: Vec<Spanned<String>>,
}

/// How a column's posts are drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Style {
    /// Full cards.
    #[default]
    Normal,
    /// Full cards, dimmed: a tail you glance at.
    Dim,
    /// One line a post.
    Compact,
    /// Full cards, but the column starts as its digest: one row per person.
    Digest,
}

/// The entries of an include key, none when it is absent.
pub fn entries(key: &Option<Spanned<Vec<Spanned<String>>>>) -> &[Spanned<String>] {
    key.as_ref().map_or(&[], |list| list.get_ref().as_slice())
}

/// One `[[person]]` table: a person and their accounts.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPerson {
    /// How rules name them ("person:Alice"); unique (any case).
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// Their accounts: "@alice@hachyderm.io", "alice.bsky.social", "feed:alice.dev".
    #[schemars(with = "Vec<String>")]
    pub accounts: Spanned<Vec<Spanned<String>>>,
}

/// One `[[column]]` table.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawColumn {
    /// The column's title; unique (any case).
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    // Include keys: absent, a column with none takes every post; present
    // but empty, the key matches nothing.
    /// Include: the author or a booster is one of these handles.
    #[schemars(with = "Option<Vec<String>>")]
    pub accounts: Option<Spanned<Vec<Spanned<String>>>>,
    /// Include: a whole word or phrase, any case, in the text, content warning or image descriptions.
    #[schemars(with = "Option<Vec<String>>")]
    pub keywords: Option<Spanned<Vec<Spanned<String>>>>,
    /// Include: regular expressions (regex crate syntax) on the same text as keywords.
    #[schemars(with = "Option<Vec<String>>")]
    pub regex: Option<Spanned<Vec<Spanned<String>>>>,
    /// Include: tag names, with or without #, any case.
    #[schemars(with = "Option<Vec<String>>")]
    pub hashtags: Option<Spanned<Vec<Spanned<String>>>>,
    /// Include: the post mentions a [me] handle, or replies to you.
    #[serde(default)]
    pub mentions_me: bool,
    /// Include: the post came from one of these [[source]] names.
    #[schemars(with = "Option<Vec<String>>")]
    pub sources: Option<Spanned<Vec<Spanned<String>>>>,
    /// Include: notifications of these kinds, or of every kind (true). A
    /// favourite, boost, follow, follow request or poll result shows only
    /// in a column that takes its kind.
    #[schemars(with = "Option<NoticeRule>")]
    pub notifications: Option<Spanned<NoticeRule>>,
    /// Narrow: a keyword match keeps the post out.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub exclude_keywords: Vec<Spanned<String>>,
    /// Narrow: false keeps boosts out.
    #[serde(default = "yes")]
    pub boosts: bool,
    /// Narrow: false keeps replies out.
    #[serde(default = "yes")]
    pub replies: bool,
    /// Narrow: only these languages ("pt" also admits pt-BR; posts with no language pass).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub languages: Vec<Spanned<String>>,
    /// Narrow: only posts with media.
    #[serde(default)]
    pub media_only: bool,
    /// Take the non-muted posts no other column took.
    #[serde(default)]
    pub rest: bool,
    /// How the column's posts are drawn.
    #[serde(default)]
    pub style: Style,
    /// Alert for new posts here: true (the bell), "bell", "desktop" or "both".
    #[serde(default)]
    pub notify: RawNotify,
}

fn yes() -> bool {
    true
}

/// A column's `notifications`: `true` (every kind), `false` (none, as if
/// absent) or a list of kinds.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum NoticeRule {
    All(bool),
    /// Kinds: mention, reply, quote, status, update, favourite (or like),
    /// reblog (or repost), follow, follow_request, poll, other.
    Kinds(Vec<String>),
}

/// `[mute]`: what goes to the muted tail (README, "Mute and amplify, in this order").
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMute {
    /// Muted accounts: their posts and their boosts.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub accounts: Vec<Spanned<String>>,
    /// Posts with these words or phrases are muted (unless amplified).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub keywords: Vec<Spanned<String>>,
    /// Posts matching these regular expressions are muted (unless amplified).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub regex: Vec<Spanned<String>>,
    /// Boosts by these accounts are muted; their own posts still show.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub boosts_from: Vec<Spanned<String>>,
    /// Timed mutes: handle → when the mute ends.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, schema::Datetime>")]
    pub until: BTreeMap<Spanned<String>, Spanned<toml::value::Datetime>>,
}

/// `[amplify]`: whose posts stand out.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAmplify {
    /// Amplified accounts: highlighted, and keyword mutes skip them.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub accounts: Vec<Spanned<String>>,
}

/// A config that parsed, with its checked sources.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub raw: RawConfig,
    pub sources: Vec<SourceSpec>,
    pub keymap: Keymap,
    pub theme: Theme,
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
    let theme_value = root.get_mut().remove("theme");
    let mut errors = Vec::new();
    let raw = read_root(root.into_inner(), &mut errors);
    let sources = sources::read(source_tables, &mut errors);
    let keymap = keys::check(&raw.keys, &mut errors);
    let theme = theme_value.map_or_else(Theme::default, |v| theme::read(v, &mut errors));
    let parsed = Parsed {
        raw,
        sources,
        keymap,
        theme,
    };
    Ok((parsed, errors))
}

/// The config's tables, each read apart so that every one's problems are
/// reported in the same run (see `read`); a table with errors is left out.
fn read_root(root: toml::de::DeTable<'_>, errors: &mut Vec<Diagnostic>) -> RawConfig {
    use toml::de::DeValue;
    let mut raw = RawConfig::default();
    for (key, value) in root {
        let span = value.span();
        let name = key.get_ref().as_ref();
        let table = |value, errors: &mut Vec<Diagnostic>| as_table(value, name, &span, errors);
        match name {
            "me" => section(value, name, &mut raw.me, errors),
            "mute" => section(value, name, &mut raw.mute, errors),
            "amplify" => section(value, name, &mut raw.amplify, errors),
            "ui" => section(value, name, &mut raw.ui, errors),
            "notify" => section(value, name, &mut raw.notify, errors),
            "people" => section(value, name, &mut raw.people, errors),
            "keys" => {
                let Some(t) = table(value.into_inner(), errors) else {
                    continue;
                };
                for (command, keys) in t {
                    let command = Spanned::new(command.span(), command.into_inner().into_owned());
                    match Spanned::<RawKeys>::deserialize(toml::de::ValueDeserializer::from(keys)) {
                        Ok(keys) => {
                            raw.keys.insert(command, keys);
                        }
                        Err(e) => errors.push(located(e.span(), toml_message(&e))),
                    }
                }
            }
            "column" => {
                let DeValue::Array(columns) = value.into_inner() else {
                    errors.push(Diagnostic::error(
                        Some(span),
                        "`column` must be an array of tables: write each as [[column]]",
                    ));
                    continue;
                };
                for column in columns {
                    let span = column.span();
                    let DeValue::Table(t) = column.into_inner() else {
                        errors.push(Diagnostic::error(Some(span), "a column must be a table"));
                        continue;
                    };
                    let missing = |field: &str| format!("a column needs `{field}`");
                    if let Some(column) =
                        read::table::<RawColumn>(t, span.clone(), &unknown_field, &missing, errors)
                    {
                        raw.columns.push(Spanned::new(span, column));
                    }
                }
            }
            "person" => {
                let DeValue::Array(persons) = value.into_inner() else {
                    errors.push(Diagnostic::error(
                        Some(span),
                        "`person` must be an array of tables: write each as [[person]]",
                    ));
                    continue;
                };
                for person in persons {
                    let span = person.span();
                    let DeValue::Table(t) = person.into_inner() else {
                        errors.push(Diagnostic::error(Some(span), "a person must be a table"));
                        continue;
                    };
                    let missing = |field: &str| format!("a person needs `{field}`");
                    if let Some(person) =
                        read::table::<RawPerson>(t, span.clone(), &unknown_field, &missing, errors)
                    {
                        raw.persons.push(Spanned::new(span, person));
                    }
                }
            }
            _ => errors.push(Diagnostic::error(
                Some(key.span()),
                unknown_field(name, TOP_LEVEL),
            )),
        }
    }
    raw
}

/// A plain table (`[me]`, `[mute]`, `[amplify]`) read into its struct;
/// left at its default when it has errors.
fn section<T: serde::de::DeserializeOwned>(
    value: Spanned<toml::de::DeValue<'_>>,
    name: &str,
    into: &mut T,
    errors: &mut Vec<Diagnostic>,
) {
    let span = value.span();
    let missing = |field: &str| format!("missing field `{field}`");
    if let Some(table) = as_table(value.into_inner(), name, &span, errors)
        && let Some(read) = read::table(table, span, &unknown_field, &missing, errors)
    {
        *into = read;
    }
}

fn as_table<'i>(
    value: toml::de::DeValue<'i>,
    name: &str,
    span: &std::ops::Range<usize>,
    errors: &mut Vec<Diagnostic>,
) -> Option<toml::de::DeTable<'i>> {
    match value {
        toml::de::DeValue::Table(table) => Some(table),
        _ => {
            errors.push(Diagnostic::error(
                Some(span.clone()),
                format!("`{name}` must be a table: write it as [{name}]"),
            ));
            None
        }
    }
}

/// The tables a config has (`source` is read apart).
const TOP_LEVEL: &[&str] = &[
    "me", "column", "mute", "amplify", "ui", "keys", "source", "theme", "notify", "people",
];

/// Tests: each error of a config that does not parse, as its line and
/// message.
#[cfg(test)]
fn error_lines(text: &str) -> Vec<(usize, String)> {
    parse(text)
        .unwrap_err()
        .errors
        .iter()
        .map(|d| (d.line_col(text).unwrap().0, d.message.clone()))
        .collect()
}

/// A key a table has no field for, as serde words it, with a hint.
fn unknown_field(key: &str, takes: &[&str]) -> String {
    let expected = match takes {
        [] => "there are no fields".to_string(),
        [one] => format!("expected `{one}`"),
        many => format!(
            "expected one of {}",
            many.iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    format!("unknown field `{key}`, {expected}\ncheck the spelling; the README lists every key")
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

    /// Every unknown key, wrong type and bad variant comes back from one
    /// run, each at its line, across tables and within one.
    #[test]
    fn every_problem_is_reported_in_one_run() {
        let text = "\
[me]
handle = [\"@a@x.social\"]
[[column]]
name = \"One\"
acounts = [\"@a@x.social\"]
style = \"loud\"
boosts = \"no\"
[[column]]
name = 7
[[column]]
name = \"Three\"
replies = 1
[mute]
keywords = \"spam\"
[amplify]
accounts = [\"@b@x.social\"]
[keys]
quit = 5
colour = \"red\"
";
        let err = parse(text).unwrap_err();
        let found: Vec<(usize, String)> = err
            .errors
            .iter()
            .map(|d| {
                let (line, _) = d.line_col(text).unwrap();
                (
                    line,
                    d.message.lines().next().unwrap_or_default().to_string(),
                )
            })
            .collect();
        let at = |line: usize, part: &str| {
            assert!(
                found.iter().any(|(l, m)| *l == line && m.contains(part)),
                "no error with {part:?} on line {line}: {found:#?}"
            );
        };
        at(2, "unknown field `handle`");
        at(5, "unknown field `acounts`");
        at(6, "loud");
        at(7, "expected a boolean");
        at(9, "expected a string");
        at(12, "expected a boolean");
        at(14, "expected a sequence");
        at(18, "");
        at(19, "colour");
        assert_eq!(found.len(), 9, "one each, nothing twice: {found:#?}");
    }

    #[test]
    fn column_defaults() {
        let parsed = parse("[[column]]\nname = \"All\"\n").unwrap();
        let column = parsed.raw.columns[0].get_ref();
        assert!(column.boosts && column.replies && !column.rest && !column.media_only);
        assert_eq!(column.style, Style::Normal);
    }
}
