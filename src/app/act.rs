//! Acting on the selected post — favourite, boost, bookmark — optimistic
//! and honest (ARCHITECTURE.md, "Acting on posts").
//!
//! The card changes at once and the call goes out as [`Effect::Act`]; the
//! runtime makes it off the event loop and its answer comes back as
//! [`Action::Acted`](super::Action::Acted). Done, the card takes the
//! server's marks and counts (and, on Bluesky, the record an undo will
//! delete); failed, what the act changed goes back and the status bar says
//! what the server answered. A second act of the same kind on a post waits
//! until the first is answered: its undo may need the first one's record.

use super::{AppState, Effect, Overlay};
use crate::model::{Act, ActRequest, ActResult, Engagement, PostRef};
use crate::store::Write;

/// An act sent out and not yet answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub ticket: u64,
    /// The post, by its source and its id there: it may be in the
    /// timeline, in the thread view, or both.
    pub source: String,
    pub id: String,
    pub act: Act,
    /// The marks before the act, to put back if it fails.
    pub before: Engagement,
    /// The account acting, when it is another than the one whose marks
    /// the card shows (chosen in the palette): the card stays as it is.
    pub acting: Option<String>,
}

/// The account that acts on a post, and how it finds the post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The source whose account makes the call.
    pub source: String,
    /// The post's URI, when that account is on another server than the
    /// source that delivered the post: it finds its own id for it first.
    pub find_by: Option<String>,
}

/// Every source whose account can act on `post`, best first: the one that
/// delivered it, when it can act, then the other Mastodon or Bluesky
/// sources of the post's network, in config order (for a post read from
/// a JSON-lines file too, which may hold a network's posts; not for the
/// demo's or a feed's). A Mastodon account on
/// another server than the delivering source finds the post by its URI;
/// a Bluesky post's `at://` URI is the same for every account.
pub fn actors(state: &AppState, post: &crate::model::Post) -> Vec<Actor> {
    use crate::config::SourceConfig;
    use crate::model::Network;
    let delivered = state.source_specs.iter().find(|s| s.name == post.source);
    let host = |kind: &SourceConfig| match kind {
        SourceConfig::Mastodon(m) => crate::model::url_host(&m.instance),
        _ => None,
    };
    let delivered_host = delivered.and_then(|s| host(&s.kind));
    let mut actors = Vec::new();
    let network = match delivered.map(|s| &s.kind) {
        Some(kind) if kind.acts() => {
            actors.push(Actor {
                source: post.source.clone(),
                find_by: None,
            });
            match kind {
                SourceConfig::Bluesky(_) => Network::Bluesky,
                _ => Network::Mastodon,
            }
        }
        // A file's post is of the network its author is on.
        Some(SourceConfig::Jsonl(_)) => post.author.network,
        // The demo's posts are made up, and a feed's are no network's.
        _ => return actors,
    };
    for spec in &state.source_specs {
        if spec.name == post.source || !spec.kind.acts() {
            continue;
        }
        let find_by = match (&spec.kind, network) {
            (SourceConfig::Bluesky(_), Network::Bluesky) => None,
            (SourceConfig::Mastodon(_), Network::Mastodon) => {
                if delivered_host.is_some() && host(&spec.kind) == delivered_host {
                    None
                } else {
                    let Some(uri) = post.uri.clone().or_else(|| post.url.clone()) else {
                        continue;
                    };
                    Some(uri)
                }
            }
            _ => continue,
        };
        actors.push(Actor {
            source: spec.name.clone(),
            find_by,
        });
    }
    actors
}

/// What a command acts on, which decides what it does with a pure notice
/// (a favourite, boost or follow, which is no post).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum On {
    /// The post itself: refused on a notice.
    Post,
    /// The post's author: on a notice, who did it.
    Author,
    /// The post's thread: on a notice, the thread of the post of yours it
    /// is about.
    Thread,
}

/// The selected post (in the thread or profile view, theirs) and the
/// first account that can act on it ([`actors`]); else the status bar says
/// why and nothing is done. `what` ends "only posts from Mastodon and
/// Bluesky sources can …": "be favourited, boosted or bookmarked".
pub(super) fn actionable(
    state: &mut AppState,
    what: &str,
    on: On,
) -> Option<(crate::model::Post, Actor)> {
    let Some(mut post) = super::edit::selected_post(state).cloned() else {
        state.message = Some("no post selected".into());
        return None;
    };
    if post.is_pure_notice() && on != On::Author {
        let subject = post.notice.as_deref().and_then(|n| n.subject.as_deref());
        match subject {
            Some(subject) if on == On::Thread => post = subject.clone(),
            _ => {
                state.message = Some(format!(
                    "a {} notification is not a post: p shows who did it, F follows them{}",
                    post.notice_kind().map_or("", |k| k.name()),
                    if subject.is_some() {
                        ", T opens the thread of your post"
                    } else {
                        ""
                    }
                ));
                return None;
            }
        }
    }
    if let Some(actor) = actors(state, &post).into_iter().next() {
        return Some((post, actor));
    }
    let spec = state.source_specs.iter().find(|s| s.name == post.source);
    state.message = Some(match spec {
        Some(spec) => format!(
            "{} is a {} source: only posts from Mastodon and Bluesky sources can {what}",
            spec.name,
            spec.kind.kind_name()
        ),
        None => format!("the source {} is not in the config any more", post.source),
    });
    None
}

/// Carries out `choose(marks)` on the selected post through the first
/// account that can act on it.
pub(super) fn act_on(
    state: &mut AppState,
    choose: fn(&Engagement) -> Act,
    effects: &mut Vec<Effect>,
) {
    let Some((post, actor)) = actionable(state, "be favourited, boosted or bookmarked", On::Post)
    else {
        return;
    };
    let act = choose(&post.engagement);
    send(state, &post, act, actor, true, effects);
}

/// Carries out `act` on the selected post through `source`'s account,
/// chosen in the palette. The card's marks are those of the account that
/// delivered the post, so they stay; the status bar says how it went.
pub(super) fn act_as(state: &mut AppState, act: Act, source: &str, effects: &mut Vec<Effect>) {
    let Some(post) = super::edit::selected_post(state).cloned() else {
        state.message = Some("no post selected".into());
        return;
    };
    let Some(actor) = actors(state, &post)
        .into_iter()
        .find(|a| a.source == source)
    else {
        state.message = Some(format!("{source} cannot act on this post"));
        return;
    };
    send(state, &post, act, actor, false, effects);
}

/// Sends `act` on `post` through `actor`; `shown`: the card shows the act
/// at once and takes the server's answer (the acting account delivered
/// the post, or is the first that can act on it).
fn send(
    state: &mut AppState,
    post: &crate::model::Post,
    act: Act,
    actor: Actor,
    shown: bool,
    effects: &mut Vec<Effect>,
) {
    if state
        .acts
        .iter()
        .any(|p| p.source == post.source && p.id == post.id && p.act.same_kind(act))
    {
        state.message = Some(format!(
            "still waiting for the server to {} the last time",
            act.words()
        ));
        return;
    }
    let record = match act {
        Act::Favourite { on: false } if shown => post.engagement.like_record.clone(),
        Act::Boost { on: false } if shown => post.engagement.repost_record.clone(),
        _ => None,
    };
    let target = PostRef {
        id: post.id.clone(),
        cid: post.cid.clone(),
        record,
        find_by: actor.find_by,
    };
    let before = post.engagement.clone();
    state.next_ticket += 1;
    let ticket = state.next_ticket;
    let acting = (!shown).then(|| actor.source.clone());
    state.acts.push(Pending {
        ticket,
        source: post.source.clone(),
        id: post.id.clone(),
        act,
        before: before.clone(),
        acting: acting.clone(),
    });
    match &acting {
        None => {
            let mut marks = before;
            act.apply(&mut marks);
            set_marks(state, &post.source, &post.id, marks, effects);
        }
        Some(source) => state.message = Some(format!("{} as {source}…", act.doing())),
    }
    effects.push(Effect::Act(ActRequest {
        ticket,
        source: actor.source,
        act,
        post: target,
    }));
}

/// The answer to an act: the card settles, or goes back and says why.
pub(super) fn acted(
    state: &mut AppState,
    ticket: u64,
    result: ActResult,
    effects: &mut Vec<Effect>,
) {
    let Some(at) = state.acts.iter().position(|p| p.ticket == ticket) else {
        return;
    };
    let pending = state.acts.remove(at);
    if let Some(acting) = &pending.acting {
        state.message = Some(match result {
            ActResult::Done { .. } => format!("{} as {acting}", pending.act.done()),
            ActResult::Failed(why) => format!("✗ {why}"),
        });
        return;
    }
    let (source, id) = (pending.source.as_str(), pending.id.as_str());
    // The post may have gone meanwhile (deleted, evicted, the thread
    // closed): nothing to show.
    let Some(shown) = marks_of(state, source, id) else {
        return;
    };
    if matches!(result, ActResult::Done { .. }) {
        ledger_act(state, source, id, pending.act, effects);
    }
    match result.settled(&shown, pending.act) {
        Some(settled) => set_marks(state, source, id, settled, effects),
        None => {
            let mut back = shown;
            pending.act.restore(&mut back, &pending.before);
            set_marks(state, source, id, back, effects);
            if let ActResult::Failed(why) = result {
                state.message = Some(format!("✗ {why} (the post is as it was)"));
            }
        }
    }
}

/// A favourite or boost the server took, for the people ledger, or taken
/// back, out of it (the reader's own posts are no one else's).
fn ledger_act(
    state: &AppState,
    source: &str,
    id: &str,
    act: crate::model::Act,
    effects: &mut Vec<Effect>,
) {
    use crate::model::people::{Engaged, Interaction};
    let (kind, on) = match act {
        crate::model::Act::Favourite { on } => (Engaged::Favourite, on),
        crate::model::Act::Boost { on } => (Engaged::Boost, on),
        crate::model::Act::Bookmark { .. } => return,
    };
    let Some(post) = state
        .timeline
        .find(source, id)
        .and_then(|found| state.timeline.get(found))
        .map(|e| std::sync::Arc::clone(&e.post))
    else {
        return;
    };
    if !state.persisting || post.author.keys().any(|k| state.rules.is_me(k)) {
        return;
    }
    let (source, list) = (
        source.to_string(),
        vec![Interaction::mine(&post, kind, state.now)],
    );
    effects.push(Effect::Persist(if on {
        Write::Interactions { source, list }
    } else {
        Write::Withdrawn { source, list }
    }));
}

/// The marks of a post as shown: in the thread or profile view, else in
/// the timeline.
fn marks_of(state: &AppState, source: &str, id: &str) -> Option<Engagement> {
    let shown = match &state.overlay {
        Overlay::Thread(thread) => thread
            .posts
            .iter()
            .map(|p| &p.post)
            .find(|p| p.source == source && p.id == id),
        Overlay::Profile(view) => view.posts.iter().find(|p| p.source == source && p.id == id),
        _ => None,
    };
    if let Some(post) = shown {
        return Some(post.engagement.clone());
    }
    let found = state.timeline.find(source, id)?;
    Some(state.timeline.get(found)?.post.engagement.clone())
}

/// Shows `marks` on the post wherever it is: the thread view and the
/// timeline (kept in the cache).
fn set_marks(
    state: &mut AppState,
    source: &str,
    id: &str,
    marks: Engagement,
    effects: &mut Vec<Effect>,
) {
    if let Overlay::Thread(thread) = &mut state.overlay {
        for p in &mut thread.posts {
            if p.post.source == source && p.post.id == id {
                p.post.engagement = marks.clone();
            }
        }
    }
    if let Overlay::Profile(view) = &mut state.overlay {
        for p in &mut view.posts {
            if p.source == source && p.id == id {
                p.engagement = marks.clone();
            }
        }
    }
    if let Some(found) = state.timeline.find(source, id)
        && let Some(post) = state.timeline.set_engagement(found, marks)
        && state.persisting
    {
        effects.push(Effect::Persist(Write::Posts(vec![post])));
    }
}
