//! Keys as data: the [`Command`]s the screen understands, their default
//! keys, and the `[keys]` table that overrides them (README, "Keys").
//!
//! A key here is a [`KeyChord`] — a plain value, not a terminal event — so
//! the config layer stays free of the terminal; the app turns terminal
//! events into chords.
//!
//! ```toml
//! [keys]
//! next_post = ["j", "down", "ctrl-n"]   # replaces the defaults of next_post
//! quit = "Q"
//! ```
//!
//! A key a user binds is taken away from whatever default command had it,
//! so rebinding never needs two edits. The same key bound twice in the table
//! is an error at the second place.

use super::Diagnostic;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use toml::Spanned;

/// Where a command does something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The columns, with no overlay open.
    Main,
    /// The columns and the detail view: it acts on the selected post,
    /// which is the one the detail view shows.
    Post,
}

macro_rules! commands {
    ($( $variant:ident = $name:literal, [$($key:literal),*], $scope:ident, $help:literal; )*) => {
        /// Everything a key can do.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Command {
            $( $variant, )*
        }

        impl Command {
            /// Every command, in the order the help lists them.
            pub const ALL: &'static [Command] = &[$( Command::$variant, )*];

            /// The name used in the `[keys]` table.
            pub fn name(self) -> &'static str {
                match self { $( Command::$variant => $name, )* }
            }

            /// What the command does, for the help overlay and the palette.
            pub fn help(self) -> &'static str {
                match self { $( Command::$variant => $help, )* }
            }

            /// The keys it has unless `[keys]` says otherwise.
            pub fn default_keys(self) -> &'static [&'static str] {
                match self { $( Command::$variant => &[$($key),*], )* }
            }

            /// Where it does something (see `app::commands` for what).
            pub fn scope(self) -> Scope {
                match self { $( Command::$variant => Scope::$scope, )* }
            }
        }
    };
}

commands! {
    ColumnLeft = "column_left", ["h", "left", "backtab"], Main, "focus the column to the left";
    ColumnRight = "column_right", ["l", "right", "tab"], Main, "focus the column to the right";
    NextPost = "next_post", ["j", "down"], Post, "select the next (older) post";
    PrevPost = "prev_post", ["k", "up"], Post, "select the previous (newer) post";
    Top = "top", ["g", "home"], Post, "jump to the newest post";
    Bottom = "bottom", ["G", "end"], Post, "jump to the oldest post";
    PageDown = "page_down", ["pagedown", "ctrl-f"], Main, "scroll down a page";
    PageUp = "page_up", ["pageup", "ctrl-b"], Main, "scroll up a page";
    OpenDetail = "open_detail", ["enter"], Main, "show the whole post: text, links, media, reply";
    ToggleCw = "toggle_cw", ["z"], Post, "show or hide a content warning's text, or sensitive images";
    OpenLink = "open_link", ["o"], Post, "open the post's first link (or the post) in the browser";
    CopyUrl = "copy_url", ["y"], Post, "copy the post's URL to the clipboard";
    OpenImage = "open_image", ["i"], Post, "open the post's first image in the system's image viewer";
    Favourite = "favourite", ["f"], Post, "favourite (Bluesky: like) the post, or take it back";
    Boost = "boost", ["t"], Post, "boost (Bluesky: repost) the post, or undo the boost";
    Bookmark = "bookmark", ["B"], Post, "bookmark the post, or remove the bookmark";
    Reply = "reply", ["r"], Post, "reply to the post (ctrl-s sends)";
    Quote = "quote", ["Q"], Post, "quote the post in a new one";
    Compose = "compose", ["n"], Main, "write a new post (or finish the one kept from before)";
    Thread = "thread", ["T"], Post, "the conversation: the posts above and the replies below";
    Profile = "profile", ["p"], Post, "the author: bio, counts, how you stand, recent posts";
    Follow = "follow", ["F"], Post, "follow or unfollow the author (asks first)";
    Delete = "delete", ["D"], Post, "delete your own post (asks first)";
    Search = "search", ["/"], Main, "search in the focused column";
    Palette = "palette", ["ctrl-p"], Main, "fuzzy palette: columns, accounts, commands";
    MarkRead = "mark_read", ["R"], Main, "mark every post in the column read";
    MuteAuthor = "mute_author", ["m"], Post, "mute the author: 1 hour, 1 day, 7 days or forever";
    MuteBoosts = "mute_boosts", ["b"], Post, "mute boosts from the booster (keep their own posts)";
    MuteKeyword = "mute_keyword", ["K"], Post, "mute a keyword or hashtag from the post";
    Amplify = "amplify", ["a"], Post, "amplify or un-amplify the author";
    AddToColumn = "add_to_column", ["c"], Post, "add the author to a column (or a new one)";
    RemoveFromColumn = "remove_from_column", ["x"], Post, "remove the author from this column's accounts";
    PostsColumn = "posts_column", ["C"], Post, "a column of the author's posts (a new source and column)";
    FeedColumn = "feed_column", ["L"], Main, "a column for one of your lists or saved feeds (a new source and column)";
    Undo = "undo", ["u"], Post, "undo the last config edit";
    RevealMuted = "reveal_muted", ["v"], Main, "show or hide muted posts (dimmed, with the reason)";
    Explain = "explain", ["e"], Post, "explain: the rules that put the post where it is";
    Help = "help", ["?"], Post, "show this help";
    Sources = "sources", ["I"], Main, "the sources: each one's state and last problem, in full";
    Stats = "stats", ["S"], Main, "rule statistics: what each rule took and muted, today, this week, since the config loaded";
    People = "people", ["P"], Main, "people: who follows whom, engagement both ways, classes (s scans)";
    MutedTail = "muted_tail", ["M"], Main, "the muted tail by the rule that took it (enter opens a group, x lifts its rule)";
    Digest = "digest", ["s"], Main, "digest of the column: a row per person over a window (o order, w window, enter opens)";
    Close = "close", ["esc"], Main, "close the overlay or clear the search";
    Suspend = "suspend", ["ctrl-z"], Post, "suspend to the shell (fg resumes)";
    Redraw = "redraw", ["ctrl-l"], Main, "redraw the whole screen (after something else wrote over it)";
    Quit = "quit", ["q", "ctrl-c"], Main, "quit";
}

impl Command {
    pub fn from_name(name: &str) -> Option<Command> {
        Command::ALL.iter().copied().find(|c| c.name() == name)
    }
}

/// A key that is not a printable character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NamedKey {
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Insert,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    F(u8),
}

const NAMED: &[(&str, NamedKey)] = &[
    ("enter", NamedKey::Enter),
    ("esc", NamedKey::Esc),
    ("tab", NamedKey::Tab),
    ("backtab", NamedKey::BackTab),
    ("backspace", NamedKey::Backspace),
    ("delete", NamedKey::Delete),
    ("insert", NamedKey::Insert),
    ("up", NamedKey::Up),
    ("down", NamedKey::Down),
    ("left", NamedKey::Left),
    ("right", NamedKey::Right),
    ("home", NamedKey::Home),
    ("end", NamedKey::End),
    ("pageup", NamedKey::PageUp),
    ("pagedown", NamedKey::PageDown),
];

/// Names accepted besides [`NAMED`], for people who type them differently.
const ALIASES: &[(&str, NamedKey)] = &[
    ("return", NamedKey::Enter),
    ("escape", NamedKey::Esc),
    ("del", NamedKey::Delete),
    ("pgup", NamedKey::PageUp),
    ("pgdn", NamedKey::PageDown),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    /// A character as typed: `G` is shift+g, so shift is never separate.
    Char(char),
    Named(NamedKey),
}

/// One key press with its modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyChord {
    pub key: Key,
    pub ctrl: bool,
    pub alt: bool,
}

impl KeyChord {
    pub fn plain(key: Key) -> Self {
        KeyChord {
            key,
            ctrl: false,
            alt: false,
        }
    }

    pub fn char(c: char) -> Self {
        KeyChord::plain(Key::Char(c))
    }

    pub fn named(key: NamedKey) -> Self {
        KeyChord::plain(Key::Named(key))
    }

    pub fn ctrl(c: char) -> Self {
        KeyChord {
            ctrl: true,
            ..KeyChord::char(c)
        }
    }

    /// Parses `j`, `G`, `?`, `space`, `enter`, `ctrl-p`, `alt-shift-x`, `f5`.
    pub fn parse(text: &str) -> Result<KeyChord, String> {
        let mut rest = text;
        let (mut ctrl, mut alt, mut shift) = (false, false, false);
        loop {
            let lower = rest.to_ascii_lowercase();
            let Some((prefix, len)) = ["ctrl-", "alt-", "shift-"]
                .iter()
                .find(|p| lower.starts_with(**p) && rest.len() > p.len())
                .map(|p| (*p, p.len()))
            else {
                break;
            };
            match prefix {
                "ctrl-" => ctrl = true,
                "alt-" => alt = true,
                _ => shift = true,
            }
            rest = &rest[len..];
        }
        let mut chars = rest.chars();
        let key = match (chars.next(), chars.next()) {
            (Some(c), None) if !c.is_control() => {
                let c = if ctrl { c.to_ascii_lowercase() } else { c };
                Key::Char(if shift { c.to_ascii_uppercase() } else { c })
            }
            _ => {
                let lower = rest.to_ascii_lowercase();
                if lower == "space" {
                    Key::Char(' ')
                } else if let Some((_, k)) = NAMED.iter().chain(ALIASES).find(|(n, _)| *n == lower)
                {
                    match k {
                        NamedKey::Tab if shift => Key::Named(NamedKey::BackTab),
                        k => Key::Named(*k),
                    }
                } else if let Some(n) = lower
                    .strip_prefix('f')
                    .and_then(|n| n.parse::<u8>().ok())
                    .filter(|n| (1..=24).contains(n))
                {
                    Key::Named(NamedKey::F(n))
                } else {
                    return Err(format!(
                        "`{text}` is not a key: use a single character (`j`, `G`, `?`), \
                         a name (enter, esc, tab, backtab, space, backspace, delete, up, down, \
                         left, right, home, end, pageup, pagedown, f1–f24), \
                         optionally after ctrl-, alt- or shift-"
                    ));
                }
            }
        };
        Ok(KeyChord { key, ctrl, alt })
    }
}

impl fmt::Display for KeyChord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        match self.key {
            Key::Char(' ') => f.write_str("space"),
            Key::Char(c) => write!(f, "{c}"),
            Key::Named(NamedKey::F(n)) => write!(f, "f{n}"),
            Key::Named(k) => {
                let name = NAMED.iter().find(|(_, n)| *n == k).map_or("?", |(s, _)| s);
                f.write_str(name)
            }
        }
    }
}

/// The value of one `[keys]` entry: a key or a list of keys. (Written by
/// hand rather than `#[serde(untagged)]`, which loses the positions the
/// error messages need.)
#[derive(Debug, Clone)]
pub enum RawKeys {
    /// One key; its position is the entry's.
    One(String),
    Many(Vec<Spanned<String>>),
}

impl<'de> Deserialize<'de> for RawKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawKeys;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key like \"j\" or a list of keys like [\"j\", \"down\"]")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawKeys, E> {
                Ok(RawKeys::One(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<RawKeys, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = seq.next_element::<Spanned<String>>()? {
                    keys.push(key);
                }
                Ok(RawKeys::Many(keys))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// The `[keys]` table's schema: each command by name, with what it does
/// and its default keys, and a key or a list of keys as its value.
pub(super) fn schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let value = |command: Command| {
        let keys = command.default_keys().join(" ");
        serde_json::json!({
            "description": format!("{} (default: {keys})", command.help()),
            "anyOf": [
                {"type": "string", "description": "a key, like \"j\", \"ctrl-n\" or \"pagedown\""},
                {"type": "array", "items": {"type": "string"}, "description": "keys, like [\"j\", \"down\"]"},
            ],
        })
    };
    let properties: serde_json::Map<String, serde_json::Value> = Command::ALL
        .iter()
        .map(|&command| (command.name().to_string(), value(command)))
        .collect();
    schemars::json_schema!({
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
    })
}

/// The compiled keymap: chord → command, and each command's keys in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    by_chord: HashMap<KeyChord, Command>,
    by_command: BTreeMap<Command, Vec<KeyChord>>,
}

impl Default for Keymap {
    fn default() -> Self {
        let mut map = Keymap {
            by_chord: HashMap::new(),
            by_command: BTreeMap::new(),
        };
        for &command in Command::ALL {
            for key in command.default_keys() {
                let chord = KeyChord::parse(key).expect("default keys parse");
                map.bind(chord, command);
            }
        }
        map
    }
}

impl Keymap {
    pub fn command(&self, chord: &KeyChord) -> Option<Command> {
        self.by_chord.get(chord).copied()
    }

    /// The keys of a command, in the order they were bound.
    pub fn keys(&self, command: Command) -> &[KeyChord] {
        self.by_command.get(&command).map_or(&[], Vec::as_slice)
    }

    /// The keys of a command as the help shows them: `j, down`.
    pub fn keys_text(&self, command: Command) -> String {
        let keys: Vec<String> = self.keys(command).iter().map(|k| k.to_string()).collect();
        keys.join(", ")
    }

    fn bind(&mut self, chord: KeyChord, command: Command) {
        if let Some(old) = self.by_chord.insert(chord, command)
            && let Some(keys) = self.by_command.get_mut(&old)
        {
            keys.retain(|k| *k != chord);
        }
        self.by_command.entry(command).or_default().push(chord);
    }

    fn unbind_command(&mut self, command: Command) {
        for chord in self.by_command.remove(&command).unwrap_or_default() {
            self.by_chord.remove(&chord);
        }
    }
}

/// Builds the keymap from the defaults and the `[keys]` table, pushing a
/// located error for every unknown command, bad key and double binding.
pub(super) fn check(
    table: &BTreeMap<Spanned<String>, Spanned<RawKeys>>,
    errors: &mut Vec<Diagnostic>,
) -> Keymap {
    let mut map = Keymap::default();
    let mut claimed: HashMap<KeyChord, Command> = HashMap::new();
    for (name, value) in table {
        let Some(command) = Command::from_name(name.get_ref()) else {
            let names: Vec<&str> = Command::ALL.iter().map(|c| c.name()).collect();
            errors.push(Diagnostic::error(
                Some(name.span()),
                format!(
                    "`{}` is not a command; the commands are: {}",
                    name.get_ref(),
                    names.join(", ")
                ),
            ));
            continue;
        };
        let written: Vec<(&str, std::ops::Range<usize>)> = match value.get_ref() {
            RawKeys::One(key) => vec![(key.as_str(), value.span())],
            RawKeys::Many(keys) => keys
                .iter()
                .map(|k| (k.get_ref().as_str(), k.span()))
                .collect(),
        };
        map.unbind_command(command);
        for (key, span) in written {
            let chord = match KeyChord::parse(key) {
                Ok(chord) => chord,
                Err(message) => {
                    errors.push(Diagnostic::error(Some(span), message));
                    continue;
                }
            };
            if chord == KeyChord::ctrl('c') && command != Command::Quit {
                errors.push(Diagnostic::error(
                    Some(span),
                    "ctrl-c always quits; choose another key",
                ));
                continue;
            }
            match claimed.insert(chord, command) {
                Some(other) if other != command => errors.push(Diagnostic::error(
                    Some(span),
                    format!(
                        "`{chord}` is already bound to `{}` in this table; a key does one thing",
                        other.name()
                    ),
                )),
                _ => map.bind(chord, command),
            }
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_and_print_back() {
        for text in [
            "j", "G", "?", "/", "space", "enter", "ctrl-p", "alt-x", "f5", "pagedown",
        ] {
            assert_eq!(KeyChord::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(KeyChord::parse("shift-g").unwrap(), KeyChord::char('G'));
        assert_eq!(KeyChord::parse("Ctrl-P").unwrap(), KeyChord::ctrl('p'));
        assert_eq!(
            KeyChord::parse("shift-tab").unwrap(),
            KeyChord::named(NamedKey::BackTab)
        );
        assert_eq!(
            KeyChord::parse("ctrl--").unwrap(),
            KeyChord::ctrl('-'),
            "a `-` after ctrl"
        );
        assert!(KeyChord::parse("ctrl-").is_err());
        assert!(KeyChord::parse("hyper-x").is_err());
        assert!(KeyChord::parse("").is_err());
    }

    #[test]
    fn every_command_has_a_default_key_and_no_key_does_two_things() {
        let map = Keymap::default();
        for &command in Command::ALL {
            assert!(!map.keys(command).is_empty(), "{command:?}");
            for chord in map.keys(command) {
                assert_eq!(map.command(chord), Some(command));
            }
        }
    }
}
