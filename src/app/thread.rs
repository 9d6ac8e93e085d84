//! The thread view (`T`): the conversation around a post, its ancestors
//! above and its replies below, indented by depth. What acts on a post
//! acts on the one selected in it (ARCHITECTURE.md, "Acting on posts").

use super::{AppState, Effect, Overlay};
use crate::config::Command;
use crate::model::{Post, ThreadResult};
use std::collections::HashSet;

/// One post of a thread and how deep it sits (0 for the post asked about
/// and those above it).
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadPost {
    pub post: Post,
    pub depth: u16,
}

/// The thread overlay.
#[derive(Debug, Clone, PartialEq)]
pub struct Thread {
    pub source: String,
    /// The id of the post `T` was pressed on.
    pub anchor: String,
    pub posts: Vec<ThreadPost>,
    pub selected: usize,
    /// The server has not answered yet.
    pub loading: bool,
    pub error: Option<String>,
    /// The posts whose content warning `z` opened here (by id).
    pub cw_open: HashSet<String>,
}

impl Thread {
    /// Where the post `T` was pressed on is.
    pub fn anchor_index(&self) -> usize {
        self.posts
            .iter()
            .position(|p| p.post.id == self.anchor)
            .unwrap_or(0)
    }
}

/// `T`: opens the thread of the selected post, with the post alone until
/// the server answers.
pub(super) fn open(state: &mut AppState, effects: &mut Vec<Effect>) {
    let Some((post, actor)) =
        super::act::actionable(state, "have their threads read", super::act::On::Thread)
    else {
        return;
    };
    // The posts around it come from the acting account's server, as that
    // source's posts.
    effects.push(Effect::Thread {
        source: actor.source.clone(),
        id: post.id.clone(),
        find_by: actor.find_by,
    });
    state.overlay = Overlay::Thread(Box::new(Thread {
        source: actor.source,
        anchor: post.id.clone(),
        posts: vec![ThreadPost { post, depth: 0 }],
        selected: 0,
        loading: true,
        error: None,
        cw_open: HashSet::new(),
    }));
}

/// The server's answer: ancestors, the post, replies; the selection stays
/// on the post it was on.
pub(super) fn fetched(state: &mut AppState, source: &str, id: &str, result: ThreadResult) {
    let Overlay::Thread(thread) = &mut state.overlay else {
        return;
    };
    if thread.source != source || thread.anchor != id {
        return;
    }
    thread.loading = false;
    match result {
        ThreadResult::Failed(why) => thread.error = Some(why),
        ThreadResult::Found { ancestors, replies } => {
            let selected = thread.posts[thread.selected].post.id.clone();
            let anchor = thread.posts[thread.anchor_index()].clone();
            let mut posts: Vec<ThreadPost> = ancestors
                .into_iter()
                .map(|post| ThreadPost { post, depth: 0 })
                .collect();
            posts.push(anchor);
            posts.extend(
                replies
                    .into_iter()
                    .map(|(post, depth)| ThreadPost { post, depth }),
            );
            thread.selected = posts
                .iter()
                .position(|p| p.post.id == selected)
                .unwrap_or(0);
            thread.posts = posts;
        }
    }
}

/// Opens the content warning of post `id` in an overlay's set, or closes
/// it if it was open.
pub(super) fn toggle(open: &mut HashSet<String>, id: Option<&String>) {
    if let Some(id) = id
        && !open.remove(id)
    {
        open.insert(id.clone());
    }
}

/// A command in the thread view: moving, closing, or what acts on the
/// selected post.
pub(super) fn command(state: &mut AppState, command: Command, effects: &mut Vec<Effect>) {
    let Overlay::Thread(thread) = &mut state.overlay else {
        return;
    };
    let last = thread.posts.len().saturating_sub(1);
    match command {
        Command::Close | Command::Quit | Command::Thread => state.overlay = Overlay::None,
        Command::NextPost => thread.selected = (thread.selected + 1).min(last),
        Command::PrevPost => thread.selected = thread.selected.saturating_sub(1),
        Command::Top => thread.selected = 0,
        Command::Bottom => thread.selected = last,
        Command::PageDown => thread.selected = (thread.selected + 5).min(last),
        Command::PageUp => thread.selected = thread.selected.saturating_sub(5),
        Command::ToggleCw => {
            let id = thread.posts.get(thread.selected).map(|p| &p.post.id);
            toggle(&mut thread.cw_open, id);
        }
        // What acts on a post acts on the one selected, as in the detail
        // view.
        command if super::commands::in_detail_view(command) => {
            super::run(state, command, effects);
        }
        other => {
            state.message = Some(format!(
                "{} works on the columns; esc closes the thread first",
                other.name()
            ));
        }
    }
}
