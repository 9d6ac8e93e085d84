//! `[theme]`: the screen's colours (README, "Themes").
//!
//! Each role (borders, focus, names, …) takes a colour name, `"#rrggbb"`
//! or a 256-colour index; the roles not given come from the preset, dark
//! (the default) or light. The colours are plain data here; the ui turns
//! them into the terminal's, and draws without any when `NO_COLOR` is set.
//!
//! ```toml
//! [theme]
//! preset = "light"
//! links = "#005f87"
//! amplified = 130
//! ```
//!
//! `theme = "light"` alone picks a preset.

use super::{Diagnostic, read};
use schemars::JsonSchema;
use serde::Deserialize;
use std::borrow::Cow;
use toml::Spanned;
use toml::de::DeValue;

/// One colour: the terminal's own, one of the sixteen named ones, an
/// RGB value or a 256-colour index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    /// The terminal's default foreground or background.
    Default,
    Black,
    Red,
    Green,
    Yellow,
    Blue,
    Magenta,
    Cyan,
    Gray,
    DarkGray,
    LightRed,
    LightGreen,
    LightYellow,
    LightBlue,
    LightMagenta,
    LightCyan,
    White,
    Rgb(u8, u8, u8),
    Indexed(u8),
}

/// The names a colour can be written with (any case; `-`, `_` and spaces
/// are ignored, and `grey` is `gray`).
const NAMES: &[(&str, Colour)] = &[
    ("default", Colour::Default),
    ("reset", Colour::Default),
    ("black", Colour::Black),
    ("red", Colour::Red),
    ("green", Colour::Green),
    ("yellow", Colour::Yellow),
    ("blue", Colour::Blue),
    ("magenta", Colour::Magenta),
    ("cyan", Colour::Cyan),
    ("gray", Colour::Gray),
    ("darkgray", Colour::DarkGray),
    ("lightred", Colour::LightRed),
    ("lightgreen", Colour::LightGreen),
    ("lightyellow", Colour::LightYellow),
    ("lightblue", Colour::LightBlue),
    ("lightmagenta", Colour::LightMagenta),
    ("lightcyan", Colour::LightCyan),
    ("white", Colour::White),
];

impl Colour {
    /// A colour as written in a string: a name or `#rrggbb`.
    pub fn parse(text: &str) -> Option<Colour> {
        let text = text.trim();
        if let Some(hex) = text.strip_prefix('#') {
            if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
            return Some(Colour::Rgb(byte(0)?, byte(2)?, byte(4)?));
        }
        let name: String = text
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .flat_map(char::to_lowercase)
            .collect::<String>()
            .replace("grey", "gray");
        NAMES.iter().find(|(n, _)| *n == name).map(|&(_, c)| c)
    }
}

macro_rules! roles {
    ($( $field:ident: $dark:expr, $light:expr, $doc:literal; )*) => {
        /// The colour of each thing the screen draws.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct Theme {
            $( #[doc = $doc] pub $field: Colour, )*
        }

        impl Theme {
            /// For a dark terminal background: the default.
            pub fn dark() -> Theme {
                Theme { $( $field: $dark, )* }
            }

            /// For a light terminal background.
            pub fn light() -> Theme {
                Theme { $( $field: $light, )* }
            }

            /// Sets the roles `raw` gives, each checked at its place.
            fn apply(&mut self, raw: RawTheme, errors: &mut Vec<Diagnostic>) {
                $(
                    if let Some(value) = raw.$field
                        && let Some(colour) = colour(&value, stringify!($field), errors)
                    {
                        self.$field = colour;
                    }
                )*
            }
        }

        /// `[theme]` as written: a preset and any roles to change.
        #[derive(Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub(super) struct RawTheme {
            /// The colours to start from: "dark" (the default) or "light".
            #[schemars(with = "Option<Preset>")]
            preset: Option<Spanned<String>>,
            $(
                #[doc = $doc]
                #[schemars(with = "Option<ColourSchema>")]
                $field: Option<Spanned<toml::Value>>,
            )*
        }
    };
}

use Colour as C;

roles! {
    borders: C::DarkGray, C::Gray, "Column borders and the rules between cards.";
    focus: C::Cyan, C::Blue, "The focused column, the selection, keys in the help, prompts and notices.";
    names: C::Default, C::Default, "Authors' names.";
    handles: C::DarkGray, C::DarkGray, "Handles (@user@host).";
    quiet: C::DarkGray, C::DarkGray, "Secondary text: times, counts, hints, the config's path.";
    hashtags: C::Cyan, C::Indexed(24), "Hashtags.";
    mentions: C::Magenta, C::Magenta, "Mentions.";
    links: C::Blue, C::Blue, "Links.";
    amplified: C::Yellow, C::Indexed(130), "Amplified authors' names.";
    boosts: C::Green, C::Green, "The 'boosted by' line.";
    warnings: C::Yellow, C::Indexed(130), "Content warnings, the new-posts marker, sources that wait or retry.";
    dim: C::DarkGray, C::Gray, "The text of columns with style = \"dim\".";
    muted: C::DarkGray, C::Gray, "Muted posts, when v shows them.";
    errors: C::Red, C::Red, "The config-error bar and failed sources.";
    ok: C::Green, C::Green, "Sources that are live.";
    bar: C::Black, C::Indexed(254), "The status bar's background.";
}

impl Default for Theme {
    fn default() -> Self {
        Theme::dark()
    }
}

/// The presets by name.
fn preset(name: &str) -> Option<Theme> {
    match name.trim().to_ascii_lowercase().as_str() {
        "dark" => Some(Theme::dark()),
        "light" => Some(Theme::light()),
        _ => None,
    }
}

/// The theme a config's `theme` key gives: a preset's name, or a table
/// of a preset and roles. Every problem is pushed, located; what is wrong
/// is left at the preset's colour.
pub(super) fn read(value: Spanned<DeValue<'_>>, errors: &mut Vec<Diagnostic>) -> Theme {
    let span = value.span();
    let preset_named = |name: &str, span, errors: &mut Vec<Diagnostic>| {
        preset(name).unwrap_or_else(|| {
            errors.push(Diagnostic::error(
                Some(span),
                format!("`{name}` is not a theme; the presets are dark and light"),
            ));
            Theme::dark()
        })
    };
    match value.into_inner() {
        DeValue::String(name) => preset_named(&name, span, errors),
        DeValue::Table(mut table) => {
            let unknown = |key: &str, takes: &[&str]| {
                format!(
                    "`{key}` is not part of a theme; it takes: {}",
                    takes.join(", ")
                )
            };
            let missing = |field: &str| format!("a theme needs `{field}`");
            // A misspelt role does not keep the others from being checked.
            read::remove_strays::<RawTheme>(&mut table, &unknown, errors);
            let Some(raw) =
                read::table::<RawTheme>(table, span.clone(), &unknown, &missing, errors)
            else {
                return Theme::dark();
            };
            let mut theme = match &raw.preset {
                Some(name) => preset_named(name.get_ref(), name.span(), errors),
                None => Theme::dark(),
            };
            theme.apply(raw, errors);
            theme
        }
        _ => {
            errors.push(Diagnostic::error(
                Some(span),
                "`theme` must be a preset's name (theme = \"light\") or a [theme] table",
            ));
            Theme::dark()
        }
    }
}

/// One role's colour, or a located error.
fn colour(
    value: &Spanned<toml::Value>,
    role: &str,
    errors: &mut Vec<Diagnostic>,
) -> Option<Colour> {
    let found = match value.get_ref() {
        toml::Value::String(text) => Colour::parse(text),
        toml::Value::Integer(i) => u8::try_from(*i).ok().map(Colour::Indexed),
        _ => None,
    };
    if found.is_none() {
        let written = match value.get_ref() {
            toml::Value::String(text) => format!("`{text}`"),
            other => format!("`{other}`"),
        };
        errors.push(Diagnostic::error(
            Some(value.span()),
            format!(
                "`{role}`: {written} is not a colour; write a name (red, lightblue, darkgray, \
                 default, …), \"#rrggbb\" or a 256-colour number from 0 to 255"
            ),
        ));
    }
    found
}

/// The schema of a preset's name.
pub(super) struct Preset;

impl JsonSchema for Preset {
    fn schema_name() -> Cow<'static, str> {
        "Preset".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A preset: dark (the default) or light (any case).",
            "type": "string",
            "examples": ["dark", "light"],
        })
    }
}

/// The schema of a colour as the config writes it.
pub(super) struct ColourSchema;

impl JsonSchema for ColourSchema {
    fn schema_name() -> Cow<'static, str> {
        "Colour".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        // Names are any case, with `-`, `_` or spaces between words, so
        // the schema lists them for completion without being strict.
        let names: Vec<&str> = NAMES.iter().map(|(n, _)| *n).collect();
        schemars::json_schema!({
            "description": format!(
                "A colour: a name ({}), \"#rrggbb\", or a 256-colour number.",
                names.join(", ")
            ),
            "anyOf": [
                {"type": "string", "examples": names},
                {"type": "integer", "minimum": 0, "maximum": 255},
            ],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_read_in_every_form() {
        for (text, colour) in [
            ("red", Colour::Red),
            ("Light-Blue", Colour::LightBlue),
            ("dark grey", Colour::DarkGray),
            ("light_cyan", Colour::LightCyan),
            ("default", Colour::Default),
            ("#005F87", Colour::Rgb(0, 0x5f, 0x87)),
            ("#ffffff", Colour::Rgb(255, 255, 255)),
        ] {
            assert_eq!(Colour::parse(text), Some(colour), "{text}");
        }
        for text in ["bleu", "#fff", "#gggggg", "#1234567", "", "rgb(1,2,3)"] {
            assert_eq!(Colour::parse(text), None, "{text}");
        }
    }

    #[test]
    fn presets_differ_where_a_light_background_needs_it() {
        let (dark, light) = (Theme::dark(), Theme::light());
        assert_eq!(Theme::default(), dark);
        assert_eq!(dark.amplified, Colour::Yellow);
        assert_ne!(
            light.amplified,
            Colour::Yellow,
            "yellow is unreadable on white"
        );
        assert_ne!(light.bar, Colour::Black);
        assert_ne!(light.focus, dark.focus);
    }

    #[test]
    fn a_theme_is_a_preset_and_the_roles_it_changes() {
        let text = "[theme]\npreset = \"light\"\nlinks = \"#005f87\"\namplified = 130\n";
        let theme = crate::config::parse(text).unwrap().theme;
        assert_eq!(theme.links, Colour::Rgb(0, 0x5f, 0x87));
        assert_eq!(theme.amplified, Colour::Indexed(130));
        assert_eq!(theme.bar, Theme::light().bar, "the rest is the preset's");

        let theme = crate::config::parse("theme = \"light\"\n").unwrap().theme;
        assert_eq!(theme, Theme::light());
        let theme = crate::config::parse("[theme]\nfocus = \"red\"\n")
            .unwrap()
            .theme;
        assert_eq!(theme.focus, Colour::Red);
        assert_eq!(theme.bar, Theme::dark().bar, "dark unless told");
        assert_eq!(crate::config::parse("").unwrap().theme, Theme::dark());
    }

    #[test]
    fn every_mistake_in_a_theme_is_located() {
        let text = "[theme]\npreset = \"solarized\"\nlinks = \"bleu\"\nfocus = 300\nborder = \"red\"\nnames = [1]\n";
        let got = crate::config::error_lines(text);
        let has = |line: usize, words: &str| {
            assert!(
                got.iter().any(|(l, m)| *l == line && m.contains(words)),
                "line {line}: {words}: {got:?}"
            );
        };
        has(
            2,
            "`solarized` is not a theme; the presets are dark and light",
        );
        has(3, "`links`: `bleu` is not a colour");
        has(4, "`focus`: `300` is not a colour");
        has(
            5,
            "`border` is not part of a theme; it takes: preset, borders, focus",
        );
        has(6, "names");
        assert_eq!(got.len(), 5, "{got:?}");
        let got = crate::config::error_lines("theme = 3\n");
        assert!(got[0].1.contains("preset's name"), "{got:?}");
        let got = crate::config::error_lines("theme = \"blue\"\n");
        assert!(got[0].1.contains("`blue` is not a theme"), "{got:?}");
    }
}
