//! The profile view (`p`): who the author is — name, handle, bio, fields,
//! counts — how they stand to the reader (follows you, you follow, muted,
//! amplified, the circles they are in) and their recent posts; `c`, `m`,
//! `a` and `x` act on the account from there (ARCHITECTURE.md, "Acting on
//! posts").

use super::{AppState, Effect, Overlay};
use crate::config::Command;
use crate::model::{Post, Profile, ProfileResult};

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
    pub scroll: u16,
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
    state.overlay = Overlay::Profile(Box::new(ProfileView {
        source: actor.source,
        from: post,
        profile: None,
        posts: Vec::new(),
        loading: true,
        error: None,
        scroll: 0,
    }));
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
        }
        ProfileResult::Failed(why) => view.error = Some(why),
    }
}

/// A command in the profile view.
pub(super) fn command(state: &mut AppState, command: Command, effects: &mut Vec<Effect>) {
    let Overlay::Profile(view) = &mut state.overlay else {
        return;
    };
    match command {
        Command::Close | Command::Quit | Command::Profile => state.overlay = Overlay::None,
        Command::NextPost | Command::PageDown => view.scroll = view.scroll.saturating_add(3),
        Command::PrevPost | Command::PageUp => view.scroll = view.scroll.saturating_sub(3),
        Command::Top => view.scroll = 0,
        Command::AddToColumn
        | Command::PostsColumn
        | Command::MuteAuthor
        | Command::Amplify
        | Command::RemoveFromColumn
        | Command::Follow
        | Command::Help
        | Command::Suspend => super::run(state, command, effects),
        other => {
            state.message = Some(format!(
                "{} works on posts; esc closes the profile first",
                other.name()
            ));
        }
    }
}
