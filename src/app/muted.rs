//! The muted tail as a place (`M`): the muted posts grouped by the rule
//! that took them — `@loud@example.social: 240 · keyword "NFT": 31` — from
//! which a group's posts open in the focused column, or its rule is lifted
//! after asking, with `u` to undo (README, "The muted tail").

use super::{AppState, Effect, Overlay, PostId};
use crate::config::{Command, Edit, Key, KeyChord, Lift, lift_words};
use crate::filter::Fired;

/// The muted-tail overlay, with its groups as counted when it opened or
/// the rules last changed (counting routes every muted post again: not
/// on every frame).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MutedView {
    pub selected: usize,
    pub groups: Vec<Group>,
}

/// The posts one mute rule took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub rule: Lift,
    /// Newest first.
    pub posts: Vec<PostId>,
}

/// The muted posts by the rule that took each, most first.
pub fn groups(state: &AppState) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for &id in state.timeline.muted() {
        let Some(entry) = state.timeline.get(id) else {
            continue;
        };
        let post = &*entry.post;
        let account = |who: crate::filter::Who| match who {
            crate::filter::Who::Author => Some(&*post.author),
            crate::filter::Who::Booster(i) => post.boosters().nth(i),
        };
        // The timeline keeps no rule trace: the router says again which
        // rule muted the post.
        let verdict = crate::filter::route(&state.rules, post);
        let rule = verdict.fired.iter().find_map(|fired| match fired {
            Fired::MutedAccount(who) | Fired::MutedUntil(who, _) => {
                account(*who).map(|a| Lift::Account(super::edit::who(a)))
            }
            Fired::MutedBoost => post
                .boosters()
                .next()
                .map(|b| Lift::BoostsFrom(super::edit::who(b))),
            Fired::MutedKeyword(k) => Some(Lift::Keyword(state.rules.keyword(*k).to_string())),
            Fired::MutedRegex(r) => Some(Lift::Regex(state.rules.regex(*r).to_string())),
            _ => None,
        });
        let Some(rule) = rule else {
            continue;
        };
        match groups.iter_mut().find(|g| g.rule == rule) {
            Some(group) => group.posts.push(id),
            None => groups.push(Group {
                rule,
                posts: vec![id],
            }),
        }
    }
    groups.sort_by_key(|g| std::cmp::Reverse(g.posts.len()));
    groups
}

/// `M`: the overlay.
pub(super) fn open(state: &mut AppState) {
    state.overlay = Overlay::Muted(MutedView {
        selected: 0,
        groups: groups(state),
    });
}

/// The rules changed (a lift, an undo, a reload): an open muted tail, or
/// one a question will go back to, counts again.
pub(super) fn rules_changed(state: &mut AppState) {
    let open = match &state.overlay {
        Overlay::Muted(_) => true,
        Overlay::Confirm { back, .. } => matches!(**back, Overlay::Muted(_)),
        _ => false,
    };
    if !open {
        return;
    }
    let fresh = groups(state);
    let view = match &mut state.overlay {
        Overlay::Muted(view) => view,
        Overlay::Confirm { back, .. } => match &mut **back {
            Overlay::Muted(view) => view,
            _ => return,
        },
        _ => return,
    };
    view.selected = view.selected.min(fresh.len().saturating_sub(1));
    view.groups = fresh;
}

/// A key in the overlay.
pub(super) fn key(state: &mut AppState, chord: KeyChord, effects: &mut Vec<Effect>) {
    let Overlay::Muted(view) = &mut state.overlay else {
        return;
    };
    let selected = view.selected;
    let all = &view.groups;
    let command = state.keymap.command(&chord);
    let last = all.len().saturating_sub(1);
    let moved = match command {
        Some(Command::NextPost) => Some((selected + 1).min(last)),
        Some(Command::PrevPost) => Some(selected.saturating_sub(1)),
        Some(Command::Top) => Some(0),
        Some(Command::Bottom) => Some(last),
        _ => None,
    };
    if let Some(to) = moved {
        view.selected = to;
        return;
    }
    if matches!(
        command,
        Some(Command::Close | Command::Quit | Command::MutedTail)
    ) {
        state.overlay = Overlay::None;
        return;
    }
    let Some(group) = all.get(selected).cloned() else {
        return;
    };
    if command == Some(Command::OpenDetail) {
        // The group's posts, in the focused column, until esc.
        let column = state.focus;
        if let Some(view) = state.views.get_mut(column) {
            view.pinned = Some((lift_words(&group.rule), group.posts.clone()));
            view.selected = 0;
            view.offset = 0;
        }
        state.overlay = Overlay::None;
        super::refresh(state, column);
        return;
    }
    if chord.key == Key::Char('x') && !chord.ctrl && !chord.alt {
        let words = lift_words(&group.rule);
        let n = group.posts.len();
        state.overlay = Overlay::Confirm {
            question: format!("lift the mute of {words} ({n} posts muted here)? y lifts it"),
            yes: Box::new(Effect::Edit {
                done: format!("lifted the mute of {words}{}", super::edit::UNDO_HINT),
                edit: Edit::Lift(group.rule.clone()),
            }),
            back: Box::new(std::mem::replace(&mut state.overlay, Overlay::None)),
        };
        return;
    }
    if command == Some(Command::Undo) {
        effects.push(Effect::Undo);
    }
}
