//! What every command does: one arm per command, in the order of
//! `Command::ALL` (ARCHITECTURE.md, "Adding a command").
//!
//! A command's name, default keys, help text and scope (main screen, or
//! the detail view too) are one line of the `commands!` table in
//! `config::keys`, where `[keys]` is checked; its behaviour is its arm
//! here. The config layer may not know the app, so the two halves of a
//! command live in the two layers, each in one place.

use super::act::act_on;
use super::edit::{UNDO_HINT, account_for, selected_post, who};
use super::{
    AppState, Effect, Overlay, Palette, focus, keep_selection_visible, open_link, page, post_url,
    refresh, select, set_query,
};
use crate::config::{Command, Edit, Scope};
use crate::filter;
use crate::model::Act;

/// Runs a command as its key would on the main screen.
pub fn run(state: &mut AppState, command: Command, effects: &mut Vec<Effect>) {
    let column = state.focus;
    match command {
        Command::ColumnLeft => focus(state, state.focus.saturating_sub(1)),
        Command::ColumnRight => focus(state, state.focus + 1),
        Command::NextPost => select(state, column, |s, _| s + 1),
        Command::PrevPost => select(state, column, |s, _| s.saturating_sub(1)),
        Command::Top => {
            if let Some(view) = state.views.get_mut(column) {
                view.selected = 0;
                view.offset = 0;
                view.touched = true;
            }
        }
        Command::Bottom => select(state, column, |_, len| len.saturating_sub(1)),
        Command::PageDown => page(state, column, true),
        Command::PageUp => page(state, column, false),
        Command::OpenDetail => {
            if state.selected().is_some() {
                state.overlay = Overlay::Detail { scroll: 0 };
            } else {
                state.message = Some("no post selected".into());
            }
        }
        Command::ToggleCw => {
            if let Some(id) = state.selected() {
                if !state.cw_open.remove(&id) {
                    state.cw_open.insert(id);
                }
                keep_selection_visible(state, column);
            }
        }
        Command::OpenLink => open_link(state, 1, effects),
        Command::OpenImage => {
            let opened = super::edit::selected_cw_open(state);
            let post = super::edit::selected_post(state);
            let image = post.and_then(|p| {
                let url = p.media.iter().find_map(super::card::image_url)?;
                Some((url, p.sensitive && !opened))
            });
            match image {
                Some((_, true)) => {
                    state.message = Some("the image is sensitive: z shows it first".into());
                }
                Some((url, false)) => {
                    state.message = Some(format!("opening the image {url}"));
                    effects.push(Effect::OpenImage(url));
                }
                None => state.message = Some("this post has no image".into()),
            }
        }
        Command::Favourite => act_on(state, |m| Act::Favourite { on: !m.favourited }, effects),
        Command::Boost => act_on(state, |m| Act::Boost { on: !m.boosted }, effects),
        Command::Bookmark => act_on(state, |m| Act::Bookmark { on: !m.bookmarked }, effects),
        Command::Reply => super::compose::open(state, super::compose::Purpose::Reply, effects),
        Command::Quote => super::compose::open(state, super::compose::Purpose::Quote, effects),
        Command::Compose => super::compose::open(state, super::compose::Purpose::New, effects),
        Command::Thread => super::thread::open(state, effects),
        Command::Profile => super::profile::open(state, effects),
        Command::People => super::people::open(state, effects),
        Command::Digest => super::digest::toggle(state, effects),
        Command::MutedTail => super::muted::open(state),
        Command::Follow => super::confirm::follow(state, effects),
        Command::Delete => super::confirm::delete(state),
        Command::CopyUrl => match state.selected().and_then(|id| post_url(state, id)) {
            Some(url) => {
                state.message = Some(format!("copied {url}"));
                effects.push(Effect::Copy(url));
            }
            None => state.message = Some("this post has no URL to copy".into()),
        },
        Command::Search => {
            let selected = state.selected();
            let query = match state.views.get_mut(column) {
                Some(view) => {
                    if view.query.is_empty() {
                        view.before_search = selected.map(|id| (id, view.offset));
                    }
                    view.query.clone()
                }
                None => String::new(),
            };
            state.search = Some(query);
        }
        Command::Palette => state.overlay = Overlay::Palette(Palette::open(state)),
        Command::MarkRead => {
            state.timeline.mark_column_read(column);
            if let Some(name) = state.rules.columns.get(column).map(|c| c.name.clone()) {
                state.message = Some(format!("marked {name} read"));
            }
        }
        Command::MuteAuthor => {
            if let Some(handle) = account_for(state, command) {
                state.overlay = Overlay::MuteMenu { handle };
            }
        }
        Command::MuteBoosts => {
            let booster = selected_post(state).map(|p| p.boosted_by.as_deref().map(who));
            match booster {
                Some(Some(handle)) => effects.push(Effect::Edit {
                    done: format!("muted boosts from {handle}{UNDO_HINT}"),
                    edit: Edit::MuteBoostsFrom { handle },
                }),
                Some(None) => state.message = Some("this post is not a boost".into()),
                None => state.message = Some("no post selected".into()),
            }
        }
        Command::MuteKeyword => match selected_post(state) {
            Some(post) => {
                let text = post
                    .hashtags
                    .first()
                    .map(|t| format!("#{t}"))
                    .unwrap_or_default();
                state.overlay = Overlay::Prompt {
                    purpose: super::Purpose::MuteKeyword,
                    text,
                };
            }
            None => state.message = Some("no post selected".into()),
        },
        Command::Amplify => {
            if let Some(handle) = account_for(state, command) {
                let amplified = match handle.entry.strip_prefix("person:") {
                    Some(name) => state
                        .rules
                        .persons
                        .iter()
                        .find(|p| p.name.eq_ignore_ascii_case(name))
                        .is_some_and(|p| p.keys.iter().all(|k| state.rules.amplifies(k))),
                    None => selected_post(state)
                        .is_some_and(|p| p.author.keys().any(|k| state.rules.amplifies(k))),
                };
                effects.push(if amplified {
                    Effect::Edit {
                        done: format!("{handle} is no longer amplified{UNDO_HINT}"),
                        edit: Edit::Unamplify { handle },
                    }
                } else {
                    Effect::Edit {
                        done: format!("amplified {handle}{UNDO_HINT}"),
                        edit: Edit::Amplify { handle },
                    }
                });
            }
        }
        Command::AddToColumn => {
            if let Some(handle) = account_for(state, command) {
                state.overlay = Overlay::Palette(Palette::columns_for(state, handle));
            }
        }
        Command::RemoveFromColumn => {
            if let Some(handle) = account_for(state, command) {
                let column = state.rules.columns[state.focus].name.clone();
                effects.push(Effect::Edit {
                    done: format!("removed {handle} from {column}{UNDO_HINT}"),
                    edit: Edit::RemoveFromColumn { column, handle },
                });
            }
        }
        Command::PostsColumn => posts_column(state, effects),
        Command::FeedColumn => super::palette::saved(state, effects),
        Command::Undo => effects.push(Effect::Undo),
        Command::RevealMuted => {
            state.reveal = !state.reveal;
            for column in 0..state.views.len() {
                refresh(state, column);
            }
            let muted = state.timeline.muted().len();
            state.message = Some(if state.reveal {
                format!("showing {muted} muted post(s), dimmed — v hides them")
            } else {
                "muted posts hidden".to_string()
            });
        }
        Command::Explain => match selected_post(state) {
            Some(post) => {
                let (_, text) = filter::explain(&state.rules, post);
                state.overlay = Overlay::Explain { scroll: 0, text };
            }
            None => state.message = Some("no post selected".into()),
        },
        Command::Help => state.overlay = Overlay::Help { scroll: 0 },
        Command::Sources => state.overlay = Overlay::Sources { scroll: 0 },
        Command::Stats => {
            state.overlay = Overlay::Stats {
                scroll: 0,
                counted: Box::new(super::rule_stats(state)),
            }
        }
        Command::Close => {
            if state.overlay != Overlay::None {
                state.overlay = Overlay::None;
            } else if state.views.get(column).is_some_and(|v| v.pinned.is_some()) {
                state.views[column].pinned = None;
                super::refresh(state, column);
            } else {
                set_query(state, column, String::new());
            }
        }
        Command::Suspend => effects.push(Effect::Suspend),
        Command::Redraw => effects.push(Effect::Redraw),
        Command::Quit => effects.push(Effect::Quit),
    }
}

/// Whether the command does something in the detail view.
pub fn in_detail_view(command: Command) -> bool {
    command.scope() == Scope::Post
}

/// `C`: a column of the author's posts, read through the account of the
/// source that delivered the post (a copy of that `[[source]]` reading
/// `user:…`).
fn posts_column(state: &mut AppState, effects: &mut Vec<Effect>) {
    use crate::config::SourceConfig;
    let Some((post, actor)) =
        super::act::actionable(state, "give their authors a column", super::act::On::Author)
    else {
        return;
    };
    let kind = state
        .source_specs
        .iter()
        .find(|s| s.name == actor.source)
        .map(|s| s.kind.clone());
    let handle = post.author.handle.trim_start_matches('@').to_string();
    let read = match kind {
        Some(SourceConfig::Mastodon(_)) => format!("user:@{handle}"),
        Some(SourceConfig::Bluesky(_)) => format!("user:{handle}"),
        _ => {
            state.message = Some("only Mastodon and Bluesky accounts have posts to follow".into());
            return;
        }
    };
    let column = post.author.shown_name().to_string();
    effects.push(Effect::Edit {
        done: format!(
            "a column of {}'s posts: {column}{UNDO_HINT}",
            post.author.handle
        ),
        edit: Edit::SourceColumn {
            from: actor.source,
            source: source_name(state, &format!("posts-{handle}")),
            read,
            column,
        },
    });
}

/// A name for a new `[[source]]`: `base` in lower case, one `-` for each
/// run of what is not a letter or digit, and a number after it when a
/// source has it.
pub(super) fn source_name(state: &AppState, base: &str) -> String {
    let slug = match crate::model::slug(base) {
        slug if slug.is_empty() => "source".to_string(),
        slug => slug,
    };
    let taken = |name: &str| state.source_specs.iter().any(|s| s.name == name);
    (1..)
        .map(|n| match n {
            1 => slug.clone(),
            n => format!("{slug}-{n}"),
        })
        .find(|name| !taken(name))
        .unwrap_or(slug)
}
