//! The daily loop: mute, amplify and sort accounts from the keyboard, and
//! take in new config text (ARCHITECTURE.md, "Keyboard edits").
//!
//! Keys here never touch the file: they return an [`Effect::Edit`] (or
//! [`Effect::Undo`]) and the event loop writes the file, then hands the new
//! text back as [`Action::Config`](super::Action::Config) — the same way an
//! edit made on disk arrives. New text that compiles replaces the rules and
//! every post is routed again in place; text that does not keeps the last
//! good rules running and shows the error until it is fixed.

use super::{AppState, Effect, Overlay, reroute};
use crate::config::{Command, Edit, Key, KeyChord, NamedKey, SourceSpec, Who};
use crate::filter;
use crate::model::{Account, Network};
use chrono::TimeDelta;
use std::sync::Arc;

/// What a prompt's text is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    MuteKeyword,
    NewColumn { handle: Who },
}

/// How long a mute from the menu lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MuteFor {
    Hour,
    Day,
    Week,
    Forever,
}

impl MuteFor {
    fn span(self) -> Option<(TimeDelta, &'static str)> {
        match self {
            MuteFor::Hour => Some((TimeDelta::hours(1), "1 hour")),
            MuteFor::Day => Some((TimeDelta::days(1), "1 day")),
            MuteFor::Week => Some((TimeDelta::days(7), "7 days")),
            MuteFor::Forever => None,
        }
    }
}

/// Config text that has been written or found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigChange {
    pub text: String,
    /// Where it lives, as the status bar names it.
    pub location: String,
    pub why: ConfigWhy,
    /// The text already compiled, off the event loop (a config with many
    /// large regexes takes a while); `None` and the reducer compiles it.
    pub compiled: Option<Precompiled>,
}

/// The outcome of compiling a config's text, made elsewhere and handed to
/// the reducer. Equal only to itself: it stands for the text it came from.
#[derive(Clone)]
pub struct Precompiled(pub Arc<Result<filter::Compiled, crate::config::ConfigErrors>>);

impl Precompiled {
    pub fn new(result: Result<filter::Compiled, crate::config::ConfigErrors>) -> Self {
        Precompiled(Arc::new(result))
    }
}

impl PartialEq for Precompiled {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Precompiled {}

impl std::fmt::Debug for Precompiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_ok() {
            "Precompiled(ok)"
        } else {
            "Precompiled(errors)"
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigWhy {
    /// A keyboard edit was written; the confirmation to show.
    Edited(String),
    Undone,
    /// Someone changed the file.
    Reloaded,
}

pub(super) const UNDO_HINT: &str = " — u to undo";

pub(super) fn selected_post(state: &AppState) -> Option<&crate::model::Post> {
    if let super::Overlay::Thread(thread) = &state.overlay {
        return thread.posts.get(thread.selected).map(|p| &p.post);
    }
    if let super::Overlay::Profile(view) = &state.overlay {
        return Some(match view.selected_post() {
            Some(post) if !state.on_account => post,
            _ => &view.from,
        });
    }
    if let super::Overlay::People(view) = &state.overlay {
        return view.anchor.as_ref();
    }
    state
        .selected()
        .and_then(|id| state.timeline.get(id))
        .map(|e| &*e.post)
}

/// Whether the selected post's content warning (and sensitive media) is
/// open where it is shown: in the thread or profile view, or a column.
pub(super) fn selected_cw_open(state: &AppState) -> bool {
    match &state.overlay {
        super::Overlay::Thread(thread) => thread
            .posts
            .get(thread.selected)
            .is_some_and(|p| thread.cw_open.contains(&p.post.id)),
        super::Overlay::Profile(view) => view
            .selected
            .and_then(|i| view.posts.get(i))
            .is_some_and(|p| view.cw_open.contains(&p.id)),
        _ => state
            .selected()
            .is_some_and(|id| state.cw_open.contains(&id)),
    }
}

/// An account as keyboard edits write it into the config: a Bluesky
/// account by its DID, with its handle beside it, since handles change;
/// handles in the form the README uses (`@user@host`, `alice.bsky.social`).
pub(super) fn who(account: &Account) -> Who {
    let bare = || {
        let handle = account.handle.trim();
        handle.strip_prefix('@').unwrap_or(handle).to_string()
    };
    match (&account.did, account.network) {
        // One author of a feed, noted by their name.
        (Some(key), _) if key.starts_with("feed:") => Who {
            entry: key.clone(),
            handle: Some(account.display_name.clone()).filter(|n| !n.trim().is_empty()),
        },
        (Some(did), _) => Who {
            entry: did.clone(),
            handle: Some(bare()).filter(|h| !h.is_empty() && !h.starts_with("did:")),
        },
        (None, Network::Bluesky) => Who::from(bare()),
        (None, _) => Who::from(account.handle.clone()),
    }
}

/// The account `command` edits: the one chosen in [`Overlay::Which`],
/// else the selected author, unless they are one of a `[[person]]`'s
/// accounts: then the reader is asked first (this account, or all of
/// theirs) and `None` comes back meanwhile.
pub(super) fn account_for(state: &mut AppState, command: Command) -> Option<Who> {
    if let Some(chosen) = state.chosen_account.take() {
        return Some(chosen);
    }
    let post = selected_post(state).cloned();
    let Some(post) = post else {
        state.message = Some("no post selected".into());
        return None;
    };
    let account = who(&post.author);
    let Some(person) = post
        .author
        .keys()
        .find_map(|k| state.rules.person_of(k))
        .map(|p| p.name.clone())
    else {
        return Some(account);
    };
    let back = std::mem::replace(&mut state.overlay, Overlay::None);
    state.overlay = Overlay::Which {
        command,
        account,
        person,
        back: Box::new(back),
    };
    None
}

/// Keys in the "which account" question: `1` this account, `2` all of the
/// person's, `esc` cancels.
pub(super) fn which_key(state: &mut AppState, chord: KeyChord, effects: &mut Vec<Effect>) {
    let Overlay::Which {
        command,
        account,
        person,
        back,
    } = &state.overlay
    else {
        return;
    };
    let chosen = match chord.key {
        Key::Char('1') => account.clone(),
        Key::Char('2') => Who::from(format!("person:{person}")),
        _ => {
            if matches!(chord.key, Key::Named(NamedKey::Esc))
                || state.keymap.command(&chord) == Some(Command::Close)
            {
                state.overlay = (**back).clone();
            }
            return;
        }
    };
    let command = *command;
    state.overlay = (**back).clone();
    state.chosen_account = Some(chosen);
    super::run(state, command, effects);
    state.chosen_account = None;
}

/// Keys in the mute menu: `1` an hour, `2` a day, `3` a week, `0` or
/// `enter` forever, `esc` cancels.
pub(super) fn menu_key(state: &mut AppState, chord: KeyChord, effects: &mut Vec<Effect>) {
    let Overlay::MuteMenu { handle } = &state.overlay else {
        return;
    };
    let how = match (chord.key, chord.ctrl || chord.alt) {
        (Key::Char('1'), false) => MuteFor::Hour,
        (Key::Char('2'), false) => MuteFor::Day,
        (Key::Char('3'), false) => MuteFor::Week,
        (Key::Char('0'), false) | (Key::Named(NamedKey::Enter), _) => MuteFor::Forever,
        (Key::Named(NamedKey::Esc), _) => {
            state.overlay = Overlay::None;
            return;
        }
        _ => {
            if state.keymap.command(&chord) == Some(Command::Close) {
                state.overlay = Overlay::None;
            }
            return;
        }
    };
    let handle = handle.clone();
    state.overlay = Overlay::None;
    let (until, done) = match how.span() {
        Some((span, words)) => (
            Some(state.now + span),
            format!("muted {handle} for {words}{UNDO_HINT}"),
        ),
        None => (None, format!("muted {handle}{UNDO_HINT}")),
    };
    effects.push(Effect::Edit {
        edit: Edit::MuteAccount { handle, until },
        done,
    });
}

/// Typing in a prompt; `enter` acts, `esc` cancels.
pub(super) fn prompt_key(state: &mut AppState, chord: KeyChord, effects: &mut Vec<Effect>) {
    let Overlay::Prompt { purpose, text } = &mut state.overlay else {
        return;
    };
    match (chord.key, chord.ctrl || chord.alt) {
        (Key::Named(NamedKey::Esc), _) => state.overlay = Overlay::None,
        (Key::Named(NamedKey::Backspace), _) => {
            text.pop();
        }
        (Key::Char('u'), true) if chord.ctrl => text.clear(),
        (Key::Char(c), false) => text.push(c),
        (Key::Named(NamedKey::Enter), _) => {
            let typed = text.trim().to_string();
            let purpose = purpose.clone();
            if matches!(purpose, Purpose::NewColumn { .. })
                && let Some(taken) = state
                    .rules
                    .columns
                    .iter()
                    .find(|c| c.name.trim().to_lowercase() == typed.to_lowercase())
            {
                // The prompt stays open with the name, to be changed.
                state.message = Some(format!(
                    "there is already a column {}; type another name, or esc",
                    taken.name
                ));
                return;
            }
            state.overlay = Overlay::None;
            if typed.is_empty() {
                return;
            }
            effects.push(match purpose {
                Purpose::MuteKeyword => Effect::Edit {
                    done: format!("muted “{typed}”{UNDO_HINT}"),
                    edit: Edit::MuteKeyword { keyword: typed },
                },
                Purpose::NewColumn { handle } => Effect::Edit {
                    done: format!("new column {typed} with {handle}{UNDO_HINT}"),
                    edit: Edit::NewColumn {
                        column: typed,
                        handle,
                    },
                },
            });
        }
        _ => {}
    }
}

/// Scrolling and closing the explain and sources overlays.
pub(super) fn explain_key(state: &mut AppState, chord: KeyChord) {
    let command = state.keymap.command(&chord);
    let (Overlay::Explain { scroll, .. }
    | Overlay::Sources { scroll }
    | Overlay::Stats { scroll, .. }) = &mut state.overlay
    else {
        return;
    };
    match command {
        Some(Command::NextPost | Command::PageDown) => *scroll = scroll.saturating_add(1),
        Some(Command::PrevPost | Command::PageUp) => *scroll = scroll.saturating_sub(1),
        Some(
            Command::Close
            | Command::Quit
            | Command::Explain
            | Command::Sources
            | Command::Stats
            | Command::OpenDetail,
        ) => state.overlay = Overlay::None,
        _ => {}
    }
}

/// New config text. If it compiles, it becomes the rules, keys and
/// sources, and every post is routed again in place; if not, the last good
/// config stays and the error shows until the file is fixed.
pub(super) fn config_changed(
    state: &mut AppState,
    mut change: super::ConfigChange,
    effects: &mut Vec<Effect>,
) {
    let result = match change.compiled.take() {
        Some(Precompiled(done)) => Arc::try_unwrap(done).unwrap_or_else(|shared| (*shared).clone()),
        None => filter::load(&change.text, state.now),
    };
    let compiled = match result {
        Ok(compiled) => compiled,
        Err(errors) => {
            let first = errors
                .errors
                .first()
                .map(|d| d.short(&change.location, &change.text))
                .unwrap_or_default();
            let more = match errors.errors.len() {
                0 | 1 => String::new(),
                n => format!(" (+{} more; `circles check` lists them)", n - 1),
            };
            state.config.error = Some(format!("{first}{more}"));
            state.config.location = change.location;
            return;
        }
    };
    state.config.error = None;
    state.config.warnings = compiled
        .warnings
        .iter()
        .map(|w| w.short(&change.location, &change.text))
        .collect();
    state.config.location = change.location;
    let mut rules = compiled.rules;
    rules.now = state.now;
    state.keymap = compiled.config.keymap;
    state.theme = compiled.config.theme;
    state.ui = compiled.config.raw.ui.clone();
    restart_sources(state, compiled.config.sources, effects);
    let before = super::stats::counts(state);
    reroute(state, Some(rules));
    state.loaded_at = state.now;
    super::muted::rules_changed(state);
    let diff = super::stats::reload_diff(&before, &super::stats::counts(state));
    // A reload from the file says what it moved; a keyboard edit says
    // what it did.
    state.message = Some(match (change.why, diff) {
        (ConfigWhy::Edited(done), _) => done,
        (ConfigWhy::Undone, _) => "undid the last edit".to_string(),
        (ConfigWhy::Reloaded, Some(diff)) => format!("config reloaded: {diff}"),
        (ConfigWhy::Reloaded, None) => "config reloaded".to_string(),
    });
}

/// Stops sources that went away or changed, starts new or changed ones,
/// and starts again those that had failed (what they failed over may be
/// fixed now: the list created, the token renewed).
fn restart_sources(state: &mut AppState, specs: Vec<SourceSpec>, effects: &mut Vec<Effect>) {
    let failed = |name: &str| {
        state
            .sources
            .iter()
            .any(|s| s.name == name && matches!(s.state, crate::model::SourceState::Failed(_)))
    };
    for old in &state.source_specs {
        if !specs.contains(old) {
            effects.push(Effect::StopSource(old.name.clone()));
        }
    }
    for new in &specs {
        if !state.source_specs.contains(new) || failed(&new.name) {
            effects.push(Effect::StartSource(Box::new(new.clone())));
        }
    }
    let mut statuses = Vec::with_capacity(specs.len());
    for spec in &specs {
        let kept = state.source_specs.contains(spec) && !failed(&spec.name);
        let status = state
            .sources
            .iter()
            .find(|s| s.name == spec.name && kept)
            .cloned()
            .unwrap_or_else(|| super::SourceStatus::new(&spec.name, state.now));
        statuses.push(status);
    }
    state.sources = statuses;
    state.source_specs = specs;
}
