//! The `Ctrl-p` palette: one fuzzy list over columns, accounts and
//! commands (fuzzy-matcher's skim algorithm, the one fzf users know).

use super::{AppState, Effect, run};
use crate::config::Command;
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use std::collections::BTreeMap;

/// What choosing an item does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Focus the column.
    Column(usize),
    /// Select the account's newest post (by routing key).
    Account(String),
    Command(Command),
    /// Add the account (a handle) to this column.
    AddToColumn {
        column: usize,
        handle: crate::config::Who,
    },
    /// Ask for a name, then make a column with the account.
    NewColumn {
        handle: crate::config::Who,
    },
    /// Favourite, boost, bookmark, reply to or quote the selected post
    /// through this source's account rather than the first that can.
    ActAs {
        command: Command,
        source: String,
    },
    /// A column of one of the reader's lists or saved feeds: a copy of
    /// `from` reading `read`, and a column named `title`.
    SavedColumn {
        from: String,
        read: String,
        title: String,
        /// "list" or "feed": the new source is named `<kind>-<title>`.
        kind: &'static str,
    },
}

/// The kind of the `L` palette's search items.
const SEARCH: &str = "search";

/// What the palette offers to do as another account.
const AS_ANOTHER: [Command; 5] = [
    Command::Favourite,
    Command::Boost,
    Command::Bookmark,
    Command::Reply,
    Command::Quote,
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaletteItem {
    /// "column", "account" or "command".
    pub kind: &'static str,
    pub label: String,
    /// Extra text shown dimmed: unread count, keys.
    pub hint: String,
    pub target: Target,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Palette {
    /// What the box is for, as its title says.
    pub title: String,
    pub query: String,
    pub items: Vec<PaletteItem>,
    /// Indices into `items` matching the query, best first.
    pub matches: Vec<usize>,
    /// Index into `matches`.
    pub selected: usize,
    /// The sources still being asked for what to list (the `L` palette).
    pub waiting: Vec<String>,
    /// What could not be listed, a line a source.
    pub notes: Vec<String>,
    /// The accounts (by a source of each) the typed words can be a search
    /// column through: the `L` palette offers one under what it lists.
    pub searches: Vec<String>,
}

impl Palette {
    pub fn open(state: &AppState) -> Palette {
        let mut items: Vec<PaletteItem> = state
            .rules
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| PaletteItem {
                kind: "column",
                label: c.name.clone(),
                hint: format!("{} unread", state.timeline.unread(i)),
                target: Target::Column(i),
            })
            .collect();
        let mut accounts: BTreeMap<&str, (&str, &str, usize)> = BTreeMap::new();
        for (_, entry) in state.timeline.entries() {
            let a = &entry.post.author;
            accounts
                .entry(a.key.as_str())
                .or_insert((a.handle.as_str(), a.display_name.as_str(), 0))
                .2 += 1;
        }
        items.extend(
            accounts
                .into_iter()
                .map(|(key, (handle, name, n))| PaletteItem {
                    kind: "account",
                    label: if name.trim().is_empty() {
                        handle.to_string()
                    } else {
                        format!("{name} {handle}")
                    },
                    hint: format!("{n} post(s)"),
                    target: Target::Account(key.to_string()),
                }),
        );
        // The selected post through each account but the first (which its
        // key already uses).
        if let Some(post) = super::edit::selected_post(state).filter(|p| !p.is_pure_notice()) {
            for actor in super::act::actors(state, post).into_iter().skip(1) {
                items.extend(AS_ANOTHER.iter().map(|&command| PaletteItem {
                    kind: "as",
                    label: format!("{} as {}", command.name(), actor.source),
                    hint: format!("the selected post, through {}'s account", actor.source),
                    target: Target::ActAs {
                        command,
                        source: actor.source.clone(),
                    },
                }));
            }
        }
        items.extend(
            Command::ALL
                .iter()
                .filter(|c| **c != Command::Palette)
                .map(|&c| PaletteItem {
                    kind: "command",
                    label: c.help().to_string(),
                    hint: state.keymap.keys_text(c),
                    target: Target::Command(c),
                }),
        );
        let mut palette = Palette {
            title: "Go to — columns, accounts, commands".into(),
            query: String::new(),
            matches: (0..items.len()).collect(),
            items,
            selected: 0,
            waiting: Vec::new(),
            notes: Vec::new(),
            searches: Vec::new(),
        };
        palette.refilter();
        palette
    }

    /// The column picker of `c`: every column, then "new column…".
    pub fn columns_for(state: &AppState, handle: crate::config::Who) -> Palette {
        let mut items: Vec<PaletteItem> = state
            .rules
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.rest)
            .map(|(i, c)| PaletteItem {
                kind: "column",
                label: c.name.clone(),
                hint: String::new(),
                target: Target::AddToColumn {
                    column: i,
                    handle: handle.clone(),
                },
            })
            .collect();
        items.push(PaletteItem {
            kind: "new",
            label: "new column…".into(),
            hint: "name it next".into(),
            target: Target::NewColumn {
                handle: handle.clone(),
            },
        });
        Palette {
            title: format!("Add {handle} to a column"),
            query: String::new(),
            matches: (0..items.len()).collect(),
            items,
            selected: 0,
            waiting: Vec::new(),
            notes: Vec::new(),
            searches: Vec::new(),
        }
    }

    /// Re-ranks the items for the current query.
    pub fn refilter(&mut self) {
        self.offer_searches();
        let query = self.query.trim();
        if query.is_empty() {
            self.matches = (0..self.items.len()).collect();
        } else {
            let matcher = SkimMatcherV2::default().ignore_case();
            let lower = query.to_lowercase();
            let mut scored: Vec<(i64, usize)> = self
                .items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| {
                    let text = format!("{} {}", item.kind, item.label);
                    let score = matcher.fuzzy_match(&text, query)?;
                    // What the user typed from the start of a name beats a
                    // scattered match: "rust" is the Rust column before
                    // "Rust Weekly Digest"; columns before commands before
                    // accounts.
                    let label = item.label.to_lowercase();
                    let exact = if label == lower {
                        2000
                    } else if label.starts_with(&lower) {
                        1000
                    } else {
                        0
                    };
                    let kind = match item.target {
                        Target::Column(_)
                        | Target::AddToColumn { .. }
                        | Target::SavedColumn { .. } => 2,
                        Target::Command(_) | Target::NewColumn { .. } | Target::ActAs { .. } => 1,
                        Target::Account(_) => 0,
                    };
                    Some((score + exact + kind, i))
                })
                .collect();
            scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            self.matches = scored.into_iter().map(|(_, i)| i).collect();
            // The searches for the words as typed come under what matched.
            let searches = (0..self.items.len()).filter(|i| self.items[*i].kind == SEARCH);
            self.matches.retain(|i| self.items[*i].kind != SEARCH);
            self.matches.extend(searches);
        }
        self.selected = 0;
    }

    /// The `L` palette's "a search column for the words typed", one an
    /// account, made again for each query (none without words).
    fn offer_searches(&mut self) {
        self.items.retain(|item| item.kind != SEARCH);
        let words = self.query.trim();
        if words.is_empty() {
            return;
        }
        self.items
            .extend(self.searches.iter().map(|source| PaletteItem {
                kind: SEARCH,
                label: format!("“{words}”: a search column"),
                hint: source.clone(),
                target: Target::SavedColumn {
                    from: source.clone(),
                    read: format!("search:{words}"),
                    title: format!("Search: {words}"),
                    kind: SEARCH,
                },
            }));
    }

    pub fn step(&mut self, by: isize) {
        if self.matches.is_empty() {
            return;
        }
        let n = self.matches.len() as isize;
        self.selected = (self.selected as isize + by).rem_euclid(n) as usize;
    }

    pub fn chosen(&self) -> Option<Target> {
        let i = *self.matches.get(self.selected)?;
        Some(self.items[i].target.clone())
    }
}

/// Carries out a palette choice.
pub(super) fn go(state: &mut AppState, target: Target, effects: &mut Vec<Effect>) {
    match target {
        Target::Column(column) => super::focus(state, column),
        Target::Command(command) => run(state, command, effects),
        Target::AddToColumn { column, handle } => {
            let column = state.rules.columns[column].name.clone();
            effects.push(Effect::Edit {
                done: format!("added {handle} to {column} — u to undo"),
                edit: crate::config::Edit::AddToColumn { column, handle },
            });
        }
        Target::ActAs { command, source } => act_as(state, command, &source, effects),
        Target::SavedColumn {
            from,
            read,
            title,
            kind,
        } => {
            // A search's source is named by what it reads: search-rust.
            let base = if kind == SEARCH {
                read.clone()
            } else {
                format!("{kind}-{title}")
            };
            let source = super::commands::source_name(state, &base);
            effects.push(Effect::Edit {
                done: format!(
                    "a column of {title}, read as {from}{}",
                    super::edit::UNDO_HINT
                ),
                edit: crate::config::Edit::SourceColumn {
                    from,
                    source,
                    read,
                    column: title,
                },
            });
        }
        Target::NewColumn { handle } => {
            state.overlay = super::Overlay::Prompt {
                purpose: super::Purpose::NewColumn { handle },
                text: String::new(),
            };
        }
        Target::Account(key) => {
            // The account's newest post in the first column that has one.
            let found = (0..state.views.len()).find_map(|column| {
                let list = state.list(column);
                list.iter()
                    .position(|id| {
                        state
                            .timeline
                            .get(*id)
                            .is_some_and(|e| e.post.author.key == key)
                    })
                    .map(|index| (column, index))
            });
            match found {
                Some((column, index)) => {
                    super::focus(state, column);
                    state.views[column].selected = index;
                    state.views[column].touched = true;
                    super::keep_selection_visible(state, column);
                }
                None => state.message = Some(format!("no post of @{key} is in a column")),
            }
        }
    }
}

/// A palette "… as <source>": the act, or the compose overlay, through
/// that source's account.
fn act_as(state: &mut AppState, command: Command, source: &str, effects: &mut Vec<Effect>) {
    use crate::model::Act;
    let act = match command {
        Command::Favourite => Act::Favourite { on: true },
        Command::Boost => Act::Boost { on: true },
        Command::Bookmark => Act::Bookmark { on: true },
        Command::Reply | Command::Quote => {
            let Some(post) = super::edit::selected_post(state).cloned() else {
                state.message = Some("no post selected".into());
                return;
            };
            let Some(actor) = super::act::actors(state, &post)
                .into_iter()
                .find(|a| a.source == source)
            else {
                state.message = Some(format!("{source} cannot act on this post"));
                return;
            };
            let purpose = if command == Command::Reply {
                super::compose::Purpose::Reply
            } else {
                super::compose::Purpose::Quote
            };
            return super::compose::answer(state, purpose, &post, actor, effects);
        }
        _ => return,
    };
    super::act::act_as(state, act, source, effects);
}

/// `L`: the palette of the reader's lists and saved feeds, filled as each
/// account answers (one source an account: its first in the config).
pub(super) fn saved(state: &mut AppState, effects: &mut Vec<Effect>) {
    use crate::config::SourceConfig;
    let mut accounts: Vec<(String, &str)> = Vec::new();
    for spec in &state.source_specs {
        let account = match &spec.kind {
            SourceConfig::Mastodon(m) if m.token.is_some() => {
                format!("{} {:?}", m.instance, m.token)
            }
            SourceConfig::Bluesky(b) => format!("{} {}", b.service, b.handle),
            _ => continue,
        };
        if !accounts.iter().any(|(a, _)| *a == account) {
            accounts.push((account, &spec.name));
        }
    }
    if accounts.is_empty() {
        state.message = Some(
            "lists and saved feeds come from a Mastodon source with a token or a Bluesky \
             source; the config has neither"
                .into(),
        );
        return;
    }
    let waiting: Vec<String> = accounts.iter().map(|(_, s)| s.to_string()).collect();
    effects.extend(waiting.iter().cloned().map(Effect::Saved));
    state.overlay = super::Overlay::Palette(Palette {
        title: "A column: one of your lists or saved feeds, or type words to search".into(),
        query: String::new(),
        items: Vec::new(),
        matches: Vec::new(),
        selected: 0,
        searches: waiting.clone(),
        waiting,
        notes: Vec::new(),
    });
}

/// What `source`'s account listed (after [`Effect::Saved`]): its lists and
/// feeds join the palette, if it is still open; a failure is a note in it.
pub(super) fn heard_saved(
    state: &mut AppState,
    source: &str,
    result: Result<Vec<crate::model::Saved>, String>,
) {
    let taken: Vec<String> = state
        .rules
        .columns
        .iter()
        .map(|c| c.name.to_lowercase())
        .collect();
    let super::Overlay::Palette(palette) = &mut state.overlay else {
        return;
    };
    let Some(at) = palette.waiting.iter().position(|s| s == source) else {
        return;
    };
    palette.waiting.remove(at);
    match result {
        Ok(saved) if saved.is_empty() => palette
            .notes
            .push(format!("{source}: no lists or saved feeds")),
        Ok(saved) => {
            palette.items.extend(saved.into_iter().map(|s| {
                let mut hint = source.to_string();
                if s.pinned {
                    hint.push_str(" · pinned");
                }
                if taken.contains(&s.title.to_lowercase()) {
                    hint.push_str(" · a column has this name");
                }
                PaletteItem {
                    kind: s.kind,
                    label: s.title.clone(),
                    hint,
                    target: Target::SavedColumn {
                        from: source.to_string(),
                        read: s.read,
                        title: s.title,
                        kind: s.kind,
                    },
                }
            }));
            let selected = palette.selected;
            palette.refilter();
            palette.selected = selected.min(palette.matches.len().saturating_sub(1));
        }
        Err(why) => palette.notes.push(format!("{source}: {why}")),
    }
}
