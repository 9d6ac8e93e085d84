//! The config's JSON Schema (`circles schema`) agrees with the parser: it
//! accepts the default config and the README's examples, and rejects the
//! mistakes `circles check` reports (README, "Editor support").

use circles::config::{DEFAULT_CONFIG, parse, schema};
use serde_json::Value;

/// A TOML document as taplo hands it to a schema: dates become strings.
fn to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => i.into(),
        toml::Value::Float(f) => f.into(),
        toml::Value::Boolean(b) => b.into(),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => items.into_iter().map(to_json).collect(),
        toml::Value::Table(table) => table.into_iter().map(|(k, v)| (k, to_json(v))).collect(),
    }
}

/// What the schema says about a config: its complaints, empty when valid.
fn complaints(text: &str) -> Vec<String> {
    let schema = serde_json::to_value(schema()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema is valid JSON Schema");
    let document = to_json(toml::from_str(text).expect("the example is TOML"));
    validator
        .iter_errors(&document)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// The README's TOML examples of the config (a `circles test` cases file,
/// whose first line says `# cases.toml`, is checked in `stats.rs`).
fn readme_examples() -> Vec<String> {
    let readme = include_str!("../../README.md");
    let mut examples = Vec::new();
    let mut rest = readme;
    while let Some(start) = rest.find("```toml\n") {
        let body = &rest[start + "```toml\n".len()..];
        let end = body.find("```").expect("a closed block");
        if !body.starts_with("# cases.toml") {
            examples.push(body[..end].to_string());
        }
        rest = &body[end..];
    }
    examples
}

#[test]
fn the_schema_accepts_the_default_config_and_the_readmes_examples() {
    let examples = readme_examples();
    assert!(examples.len() >= 2, "the README's config and keys examples");
    for text in std::iter::once(DEFAULT_CONFIG.to_string()).chain(examples) {
        assert!(parse(&text).is_ok(), "the parser takes it:\n{text}");
        assert_eq!(complaints(&text), Vec::<String>::new(), "{text}");
    }
}

#[test]
fn the_schema_rejects_the_mistakes_the_parser_reports() {
    let cases = [
        (
            "a misspelt column key",
            "[[column]]\nname = \"Core\"\nacounts = [\"@a@b.social\"]\n",
        ),
        ("a misspelt table", "[[colum]]\nname = \"Core\"\n"),
        (
            "a column without a name",
            "[[column]]\naccounts = [\"@a@b.social\"]\n",
        ),
        (
            "a style that is none",
            "[[column]]\nname = \"Core\"\nstyle = \"dimm\"\n",
        ),
        (
            "a flag of the wrong type",
            "[[column]]\nname = \"Core\"\nboosts = \"no\"\n",
        ),
        ("a misspelt mute key", "[mute]\nkeyword = [\"NFT\"]\n"),
        ("a command that is none", "[keys]\nnxt_post = \"j\"\n"),
        ("a key of the wrong type", "[keys]\nnext_post = 1\n"),
        (
            "a key of another kind of source",
            "[[source]]\nname = \"m\"\nkind = \"mastodon\"\ninstance = \"https://m.example\"\nurls = [\"x\"]\n",
        ),
        (
            "a kind that is none",
            "[[source]]\nname = \"m\"\nkind = \"mastodn\"\n",
        ),
        (
            "a timeline that is none",
            "[[source]]\nname = \"m\"\nkind = \"mastodon\"\ninstance = \"https://m.example\"\ntimeline = \"hom\"\n",
        ),
        (
            "a source without its required key",
            "[[source]]\nname = \"f\"\nkind = \"feed\"\n",
        ),
    ];
    for (what, text) in cases {
        assert!(parse(text).is_err(), "{what}: the parser rejects it");
        assert!(
            !complaints(text).is_empty(),
            "{what}: the schema rejects it too"
        );
    }
    // And the same tables written right pass.
    for text in [
        "[[column]]\nname = \"Core\"\naccounts = [\"@a@b.social\"]\nstyle = \"dim\"\n",
        "[keys]\nnext_post = [\"j\", \"down\"]\nquit = \"Q\"\n",
        "[[source]]\nname = \"m\"\nkind = \"mastodon\"\ninstance = \"https://m.example\"\ntimeline = \"tag:rust\"\n",
        "[mute.until]\n\"@a@b.social\" = 2026-12-31T18:00:00Z\n\"@c@b.social\" = 2026-12-31\n",
        // Colour names and presets in any case and spelling the parser takes.
        "[theme]\npreset = \"Light\"\nlinks = \"Light-Blue\"\nborders = \"grey\"\nfocus = 130\n",
        "theme = \"light\"\n",
        "[ui]\nimages = \"cards\"\nhyperlinks = false\nmedia_cache_mb = 50\n",
    ] {
        assert!(parse(text).is_ok(), "{text}");
        assert_eq!(complaints(text), Vec::<String>::new(), "{text}");
    }
}

/// Every command can be rebound in the schema's `[keys]`, with its help as
/// the description an editor shows.
#[test]
fn the_schemas_keys_are_the_commands() {
    let schema = serde_json::to_value(schema()).unwrap();
    let keys = schema["properties"]["keys"]["properties"]
        .as_object()
        .expect("keys lists the commands");
    for command in circles::config::Command::ALL {
        let entry = &keys[command.name()];
        assert!(
            entry["description"]
                .as_str()
                .is_some_and(|d| d.contains(command.help())),
            "{}: {entry}",
            command.name()
        );
    }
    assert_eq!(keys.len(), circles::config::Command::ALL.len());
}
