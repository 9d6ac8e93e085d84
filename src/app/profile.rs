//! The profile view (`p`): who the author is — name, handle, bio, fields,
//! counts — how they stand to the reader (follows you, you follow, muted,
//! amplified, the circles they are in) and their recent posts; `c`, `m`,
//! `a` and `x` act on the account from there, and `j`/`k` select a recent
//! post for the keys that act on a post (ARCHITECTURE.md, "Acting on
//! posts").

use super::{AppState, Effect, Overlay};
use crate::config::Command;
use crate::model::{Post, Profile, ProfileResult};
use std::collections::HashSet;

/// The profile overlay.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileView {
    pub source: String,
    /// The post `p` was pressed on: its author is the account shown, and
    /// what acts on an account acts on them.
    pub from: Post,
    pub profile: Option<Profile>,
    pub posts: Vec<Post>,
    pub loading: bool,
    pub error: Option<String>,
    /// How far the account's part is scrolled, while no post is selected.
    pub scroll: u16,
    /// The recent post selected (`j` from the account's part): what acts
    /// on a post acts on it.
    pub selected: Option<usize>,
    /// The recent posts whose content warning `z` opened (by id).
    pub cw_open: HashSet<String>,
}

impl ProfileView {
    /// The profile of `from`'s author, asked of `source` and not answered yet.
    pub(super) fn asking(source: String, from: Post) -> ProfileView {
        ProfileView {
            source,
            from,
            profile: None,
            posts: Vec::new(),
            loading: true,
            error: None,
            scroll: 0,
            selected: None,
            cw_open: HashSet::new(),
        }
    }

    /// The recent post selected, if one is.
    pub fn selected_post(&self) -> Option<&Post> {
        self.selected.and_then(|i| self.posts.get(i))
    }
}

/// `p`: opens the author's profile, asked of the source's server.
pub(super) fn open(state: &mut AppState, effects: &mut Vec<Effect>) {
    let Some((post, actor)) = super::act::actionable(
        state,
        "show their authors' profiles",
        super::act::On::Author,
    ) else {
        return;
    };
    effects.push(Effect::Profile {
        source: actor.source.clone(),
        account: Box::new((*post.author).clone()),
    });
    state.overlay = Overlay::Profile(Box::new(ProfileView::asking(actor.source, post)));
}

/// The server's answer, if it is for the profile open.
pub(super) fn fetched(state: &mut AppState, source: &str, handle: &str, result: ProfileResult) {
    let Overlay::Profile(view) = &mut state.overlay else {
        return;
    };
    if view.source != source || view.from.author.handle != handle {
        return;
    }
    view.loading = false;
    match result {
        ProfileResult::Found { profile, posts } => {
            view.profile = Some(*profile);
            view.posts = posts;
            // A later answer (`p` again) keeps no selection it lacks.
            view.selected = view.selected.filter(|&i| i < view.posts.len());
            let ids: std::collections::HashSet<&String> =
                view.posts.iter().map(|p| &p.id).collect();
            view.cw_open.retain(|id| ids.contains(id));
        }
        ProfileResult::Failed(why) => view.error = Some(why),
    }
}

/// A command in the profile view: `j`/`k` go from the account's part
/// into the recent posts and back; the account's commands act on the
/// account, a post's on the post selected.
pub(super) fn command(state: &mut AppState, command: Command, effects: &mut Vec<Effect>) {
    let Overlay::Profile(view) = &mut state.overlay else {
        return;
    };
    let last = view.posts.len().checked_sub(1);
    match (command, view.selected, last) {
        (Command::Close | Command::Quit | Command::Profile, ..) => state.overlay = Overlay::None,
        (Command::NextPost, None, Some(_)) => view.selected = Some(0),
        (Command::NextPost, Some(i), Some(last)) => view.selected = Some((i + 1).min(last)),
        (Command::PageDown, Some(i), Some(last)) => view.selected = Some((i + 3).min(last)),
        (Command::Bottom, _, Some(last)) => view.selected = Some(last),
        (Command::NextPost | Command::PageDown, ..) => {
            view.scroll = view.scroll.saturating_add(3);
        }
        (Command::PrevPost, Some(0), _) => view.selected = None,
        (Command::PrevPost, Some(i), _) => view.selected = Some(i - 1),
        (Command::PageUp, Some(i), _) => view.selected = i.checked_sub(3),
        (Command::PrevPost | Command::PageUp, None, _) => {
            view.scroll = view.scroll.saturating_sub(3);
        }
        (Command::Top, ..) => {
            view.selected = None;
            view.scroll = 0;
        }
        (Command::ToggleCw, Some(i), _) => {
            super::thread::toggle(&mut view.cw_open, view.posts.get(i).map(|p| &p.id));
        }
        // The account's: on the account shown, whichever post is selected
        // (a boost among the recent posts is someone else's post).
        (
            Command::AddToColumn
            | Command::PostsColumn
            | Command::MuteAuthor
            | Command::Amplify
            | Command::RemoveFromColumn
            | Command::Follow,
            ..,
        ) => {
            state.on_account = true;
            super::run(state, command, effects);
            state.on_account = false;
        }
        (Command::Help | Command::Suspend | Command::Undo, ..) => {
            super::run(state, command, effects);
        }
        // What acts on a post acts on the one selected, as in the detail
        // view.
        (command, Some(_), _) if super::commands::in_detail_view(command) => {
            super::run(state, command, effects);
        }
        (other, ..) => {
            state.message = Some(match last {
                Some(_) => format!("{}: j selects one of the recent posts first", other.name()),
                None => format!(
                    "{} works on posts; esc closes the profile first",
                    other.name()
                ),
            });
        }
    }
}
