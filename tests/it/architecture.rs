//! The layers, kept by a test (ARCHITECTURE.md, "Layers"): every file in
//! `src/` is read, and each path it names is checked against what its
//! layer may touch.
//!
//! - An inner layer never names an outer one (`crate::…`, `super::super::…`
//!   and grouped `crate::{…}` imports are all resolved to the module they
//!   reach).
//! - model, decode, config, filter and store name nothing of tokio,
//!   ratatui, crossterm, reqwest or rusqlite, and touch no files, sockets,
//!   processes or threads: they are plain code over plain data.
//! - app and ui name nothing of source, net or cache.
//!
//! Unit tests (a `#[cfg(test)] mod tests` block, or a `tests.rs` file) are
//! left out: a test may build its inputs with an outer layer.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What a layer may name: the crate's modules, and external crates and
/// `std` modules it must not.
struct Layer {
    name: &'static str,
    uses: &'static [&'static str],
    forbidden: &'static [&'static str],
}

/// External crates and `std` modules that mean I/O, async or a terminal.
const IO: &[&str] = &[
    "tokio",
    "ratatui",
    "crossterm",
    "reqwest",
    "rusqlite",
    "notify",
    "notify_debouncer_mini",
    "futures_util",
    "open",
    "std::fs",
    "std::net",
    "std::process",
    "std::thread",
];

const LAYERS: &[Layer] = &[
    Layer {
        name: "model",
        uses: &[],
        forbidden: IO,
    },
    Layer {
        name: "decode",
        uses: &["model"],
        forbidden: IO,
    },
    Layer {
        name: "config",
        uses: &["model"],
        forbidden: IO,
    },
    Layer {
        name: "filter",
        uses: &["model", "config"],
        forbidden: IO,
    },
    Layer {
        name: "store",
        uses: &["model", "config", "filter"],
        forbidden: IO,
    },
    Layer {
        name: "people",
        uses: &["model", "config", "filter"],
        forbidden: IO,
    },
    Layer {
        name: "cache",
        uses: &["model", "store", "people"],
        forbidden: &["tokio", "ratatui", "crossterm", "reqwest"],
    },
    Layer {
        name: "media",
        uses: &["model"],
        forbidden: &["tokio", "ratatui", "crossterm", "reqwest", "rusqlite"],
    },
    Layer {
        name: "net",
        uses: &["model", "decode", "config"],
        forbidden: &["ratatui", "crossterm", "rusqlite"],
    },
    Layer {
        name: "source",
        uses: &["model", "decode", "config", "net"],
        forbidden: &["ratatui", "crossterm", "rusqlite"],
    },
    Layer {
        name: "app",
        uses: &["model", "decode", "config", "filter", "store", "people"],
        forbidden: &[
            "tokio",
            "crossterm",
            "reqwest",
            "rusqlite",
            "std::fs",
            "std::net",
        ],
    },
    Layer {
        name: "ui",
        uses: &["model", "config", "filter", "store", "people", "app"],
        forbidden: &[
            "tokio",
            "crossterm",
            "reqwest",
            "rusqlite",
            "std::fs",
            "std::net",
        ],
    },
];

/// The module path of a file under `src/`: `src/app/edit.rs` is
/// `["app", "edit"]`, `src/app/mod.rs` is `["app"]`.
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// The code of a file without comments and without its unit tests (the
/// `#[cfg(test)] mod tests { … }` block, found by its braces).
fn code(text: &str) -> String {
    let code: String = text
        .lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let Some(start) = code.find("#[cfg(test)]\nmod tests") else {
        return code;
    };
    let mut depth = 0;
    let mut end = code.len();
    for (i, c) in code[start..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 1 => {
                end = start + i + 1;
                break;
            }
            '}' => depth -= 1,
            _ => {}
        }
    }
    format!("{}{}", &code[..start], &code[end..])
}

/// The crate modules a file's code reaches: each `crate::x`, each
/// `super::…::x` that climbs out of the file's top module, and each entry
/// of a grouped `crate::{x, y::z}` import.
fn reached(module: &[String], code: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut entry_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => entry_start = true,
                    c if entry_start && !c.is_whitespace() => {
                        entry_start = false;
                        found.insert(ident(&group[i..]));
                    }
                    _ => {}
                }
            }
        } else {
            found.insert(ident(rest));
        }
    }
    for (at, _) in code.match_indices("super::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let mut rest = &code[at..];
        let mut climbs = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            climbs += 1;
            rest = r;
        }
        // `super::` from a file's own module: within the same top module
        // until it climbs to the crate root.
        if climbs >= module.len() {
            found.insert(ident(rest));
        }
    }
    found.retain(|m| !m.is_empty() && m != "self");
    found
}

/// Whether `code` names the external crate or `std` module `name` as a
/// path (`tokio::spawn`, `use reqwest;`, `std::fs::read`).
fn names(code: &str, name: &str) -> bool {
    let path = format!("{name}::");
    let imports = [format!("use {name};"), format!("use {name} ")];
    let bounded = |at: usize| {
        let before = code[..at].chars().next_back();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
    };
    code.match_indices(&path).any(|(at, _)| bounded(at))
        || imports
            .iter()
            .any(|import| code.match_indices(import.as_str()).any(|(at, _)| bounded(at + 4)))
        // `use std::{fs, io}`
        || name.strip_prefix("std::").is_some_and(|m| {
            code.match_indices("std::{").any(|(at, _)| {
                bounded(at)
                    && code[at..]
                        .split('}')
                        .next()
                        .is_some_and(|g| g.split([',', '{', ' ', '\n']).any(|p| p == m))
            })
        })
}

/// What a file breaks, in words: `src/app/x.rs: names crate::source`.
fn violations(relative: &Path, text: &str) -> Vec<String> {
    let module = module_of(relative);
    // A module of unit tests in its own file (`mod tests;`).
    if module.last().is_some_and(|m| m == "tests") {
        return Vec::new();
    }
    let Some(layer) = module
        .first()
        .and_then(|top| LAYERS.iter().find(|l| l.name == top))
    else {
        return Vec::new();
    };
    let code = code(text);
    let mut out = Vec::new();
    for reached in reached(&module, &code) {
        let known = LAYERS.iter().any(|l| l.name == reached) || reached == "cli";
        if known && reached != layer.name && !layer.uses.contains(&reached.as_str()) {
            out.push(format!(
                "src/{}: the {} layer names crate::{reached}",
                relative.display(),
                layer.name
            ));
        }
    }
    for name in layer.forbidden {
        if names(&code, name) {
            out.push(format!(
                "src/{}: the {} layer names {name}",
                relative.display(),
                layer.name
            ));
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_layer_names_only_what_it_may() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut checked = BTreeSet::new();
    let mut broken = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        if let Some(top) = module_of(relative).first() {
            checked.insert(top.clone());
        }
        broken.extend(violations(
            relative,
            &std::fs::read_to_string(file).unwrap(),
        ));
    }
    assert!(
        broken.is_empty(),
        "layer rules broken:\n{}",
        broken.join("\n")
    );
    // Every layer the rules name exists, so none is checked by mistake.
    for layer in LAYERS {
        assert!(
            checked.contains(layer.name),
            "no src/{} to check",
            layer.name
        );
    }
}

/// The checker itself: each kind of forbidden reference is caught, and
/// what is allowed is not.
#[test]
fn the_checker_catches_every_kind_of_forbidden_reference() {
    let caught = |file: &str, text: &str| !violations(Path::new(file), text).is_empty();
    // an outer layer, by absolute path, grouped import and `super` chain
    assert!(caught("app/mod.rs", "use crate::source::Sink;"));
    assert!(caught(
        "app/edit.rs",
        "use crate::{model::Post, cache::Db};"
    ));
    assert!(caught(
        "app/edit.rs",
        "let db = super::super::cache::Db::open(p);"
    ));
    assert!(caught(
        "model/mod.rs",
        "fn f(s: &crate::store::Timeline) {}"
    ));
    assert!(caught(
        "filter/route.rs",
        "use crate::{\n    config::Style,\n    app::AppState,\n};"
    ));
    // I/O and async in a pure layer
    assert!(caught("filter/route.rs", "use tokio::sync::mpsc;"));
    assert!(caught(
        "store/mod.rs",
        "let t = std::fs::read_to_string(p);"
    ));
    assert!(caught("decode/mod.rs", "use std::{fs, io};"));
    assert!(caught("config/edit.rs", "#[tokio::test]\nasync fn t() {}"));
    assert!(caught("ui/mod.rs", "reqwest::get(url)"));
    assert!(caught("model/mod.rs", "use rusqlite as sql;"));
    // what is allowed, or is not code
    assert!(!caught("app/edit.rs", "use super::{AppState, Effect};"));
    assert!(!caught(
        "app/mod.rs",
        "use crate::{model::Post, store::Timeline};"
    ));
    assert!(!caught("decode/mod.rs", "use std::io::{self, BufRead};"));
    assert!(!caught(
        "filter/route.rs",
        "// tokio::spawn is not for here"
    ));
    assert!(!caught("config/mod.rs", "pub notify: bool,"));
    assert!(!caught(
        "store/mod.rs",
        "fn a() {}\n#[cfg(test)]\nmod tests {\n    use crate::cache::Db;\n    fn b() {}\n}"
    ));
    // but code after the tests is code
    assert!(caught(
        "store/mod.rs",
        "#[cfg(test)]\nmod tests {\n    fn b() {}\n}\nfn a(_: &crate::cache::Db) {}"
    ));
    assert!(!caught(
        "cli/tui.rs",
        "use crate::cache::Db; use tokio::sync::mpsc;"
    ));
}
