//! What asks first: follow and unfollow (`F`) and deleting your own post
//! (`D`). The question shows in an overlay; `y` sends the effect, any
//! other key keeps things as they are.

use super::{AppState, Effect, Overlay, source};
use crate::config::{Key, KeyChord};
use crate::model::{Account, SourceEvent};

/// `F`: follow or unfollow the author of the selected post (or of the
/// profile shown). Where the profile said how things stand, it asks at
/// once; else it asks the server first.
pub(super) fn follow(state: &mut AppState, effects: &mut Vec<Effect>) {
    let Some((post, actor)) =
        super::act::actionable(state, "have their authors followed", super::act::On::Author)
    else {
        return;
    };
    let known = match &state.overlay {
        Overlay::Profile(view) => view.profile.as_ref().and_then(|p| p.you_follow),
        _ => None,
    };
    let account = (*post.author).clone();
    match known {
        Some(following) => ask_follow(state, &actor.source, account, following),
        None => {
            state.message = Some(format!("asking whether you follow {}…", account.handle));
            effects.push(Effect::Follow {
                source: actor.source,
                account: Box::new(account),
                want: None,
            });
        }
    }
}

fn ask_follow(state: &mut AppState, source: &str, account: Account, following: bool) {
    let (question, want) = if following {
        (
            format!(
                "unfollow {}? y unfollows, any other key keeps it",
                account.handle
            ),
            false,
        )
    } else {
        (
            format!(
                "follow {}? y follows, any other key keeps it",
                account.handle
            ),
            true,
        )
    };
    let back = std::mem::replace(&mut state.overlay, Overlay::None);
    state.overlay = Overlay::Confirm {
        question,
        yes: Box::new(Effect::Follow {
            source: source.to_string(),
            account: Box::new(account),
            want: Some(want),
        }),
        back: Box::new(back),
    };
}

/// The server's answer about a follow: the question (after `F` asked how
/// things stand) or the result.
pub(super) fn following(
    state: &mut AppState,
    source: &str,
    account: Account,
    asked: Option<bool>,
    result: Result<bool, String>,
) {
    let handle = account.handle.clone();
    match (asked, result) {
        (_, Err(why)) => state.message = Some(format!("✗ {why}")),
        (None, Ok(following)) => ask_follow(state, source, account, following),
        (Some(_), Ok(now)) => {
            state.message = Some(if now {
                format!("you follow {handle} now")
            } else {
                format!("you no longer follow {handle}")
            });
            if let Overlay::Profile(view) = &mut state.overlay
                && view.from.author.handle == handle
                && let Some(profile) = &mut view.profile
            {
                profile.you_follow = Some(now);
            }
        }
    }
}

/// `D`: delete the selected post, if it is yours (`[me]` names its
/// author), after asking.
pub(super) fn delete(state: &mut AppState) {
    let Some((post, actor)) = super::act::actionable(state, "be deleted", super::act::On::Post)
    else {
        return;
    };
    if actor.source != post.source {
        state.message = Some(format!(
            "circles deletes a post through the source that delivered it, and {} cannot act",
            post.source
        ));
        return;
    }
    let mine = post.author.keys().any(|k| state.rules.is_me(k));
    if !mine {
        state.message = Some(format!(
            "circles deletes only your own posts, and [me] does not name {} (add your handles \
             to [me] handles)",
            post.author.handle
        ));
        return;
    }
    let excerpt = super::card::truncate(
        &post.text.split_whitespace().collect::<Vec<_>>().join(" "),
        40,
    );
    let back = std::mem::replace(&mut state.overlay, Overlay::None);
    state.overlay = Overlay::Confirm {
        question: format!("delete your post “{excerpt}”? y deletes it, any other key keeps it"),
        yes: Box::new(Effect::Delete {
            source: post.source.clone(),
            id: post.id.clone(),
        }),
        back: Box::new(back),
    };
}

/// The server's answer to a delete: the post goes from the columns and the
/// cache, or the status bar says why it stays.
pub(super) fn deleted(
    state: &mut AppState,
    source_name: &str,
    id: &str,
    result: Result<(), String>,
    effects: &mut Vec<Effect>,
) {
    match result {
        Ok(()) => {
            if let Overlay::Thread(thread) = &mut state.overlay {
                thread
                    .posts
                    .retain(|p| !(p.post.source == source_name && p.post.id == id));
                thread.selected = thread.selected.min(thread.posts.len().saturating_sub(1));
                if thread.posts.is_empty() {
                    state.overlay = Overlay::None;
                }
            }
            if let Overlay::Profile(view) = &mut state.overlay {
                view.posts
                    .retain(|p| !(p.source == source_name && p.id == id));
                view.cw_open.remove(id);
                view.selected = view
                    .selected
                    .filter(|_| !view.posts.is_empty())
                    .map(|i| i.min(view.posts.len() - 1));
            }
            source(
                state,
                SourceEvent::Deleted {
                    source: source_name.to_string(),
                    id: id.to_string(),
                },
                effects,
            );
            state.message = Some("deleted".into());
        }
        Err(why) => state.message = Some(format!("✗ {why} (the post is still there)")),
    }
}

/// A key while a question is up.
pub(super) fn key(state: &mut AppState, chord: KeyChord, effects: &mut Vec<Effect>) {
    let Overlay::Confirm { yes, back, .. } = std::mem::replace(&mut state.overlay, Overlay::None)
    else {
        return;
    };
    state.overlay = *back;
    if chord.key == Key::Char('y') && !chord.ctrl && !chord.alt {
        effects.push(*yes);
    } else {
        state.message = Some("left as it was".into());
    }
}
