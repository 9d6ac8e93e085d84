//! The README stays true to the code: its key table lists every command
//! with its default keys, and nothing else.

use circles::config::{Command, KeyChord};
use std::collections::BTreeMap;

/// The README's key table: command name → keys as written.
fn key_table() -> BTreeMap<String, Vec<String>> {
    let readme = include_str!("../../README.md");
    let section = &readme[readme.find("### Keys").expect("a Keys section")..];
    let mut rows = BTreeMap::new();
    for line in section
        .lines()
        .skip_while(|l| !l.starts_with("| keys"))
        .skip(2)
    {
        if !line.starts_with('|') {
            break;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let keys = cells[1]
            .split('`')
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(_, k)| k.to_string())
            .collect();
        rows.insert(cells[2].trim_matches('`').to_string(), keys);
    }
    rows
}

/// A key as the README writes it (arrows as arrows), in the form the
/// config takes.
fn chord(written: &str) -> KeyChord {
    let name = match written {
        "←" => "left",
        "→" => "right",
        "↑" => "up",
        "↓" => "down",
        other => other,
    };
    KeyChord::parse(name).unwrap_or_else(|e| panic!("README key `{written}`: {e}"))
}

#[test]
fn the_readme_key_table_lists_every_command_with_its_default_keys() {
    let table = key_table();
    for &command in Command::ALL {
        let keys = table
            .get(command.name())
            .unwrap_or_else(|| panic!("the README's key table has no `{}`", command.name()));
        let written: Vec<KeyChord> = keys.iter().map(|k| chord(k)).collect();
        let defaults: Vec<KeyChord> = command
            .default_keys()
            .iter()
            .map(|k| KeyChord::parse(k).unwrap())
            .collect();
        assert_eq!(written, defaults, "the keys of `{}`", command.name());
    }
    for name in table.keys() {
        assert!(
            Command::from_name(name).is_some(),
            "the README lists `{name}`, which is no command"
        );
    }
}
