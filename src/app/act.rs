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
}

/// The selected post (in the thread or profile view, theirs), if the
/// source that delivered it can act on it; else the status bar says why
/// and nothing is done. `what` ends "only posts from Mastodon and Bluesky
/// sources can …": "be favourited, boosted or bookmarked".
pub(super) fn actionable(state: &mut AppState, what: &str) -> Option<crate::model::Post> {
    let Some(post) = super::edit::selected_post(state).cloned() else {
        state.message = Some("no post selected".into());
        return None;
    };
    let spec = state.source_specs.iter().find(|s| s.name == post.source);
    state.message = Some(match spec {
        Some(spec) if spec.kind.acts() => return Some(post),
        Some(spec) => format!(
            "{} is a {} source: only posts from Mastodon and Bluesky sources can {what}",
            spec.name,
            spec.kind.kind_name()
        ),
        None => format!("the source {} is not in the config any more", post.source),
    });
    None
}

/// Carries out `choose(marks)` on the selected post through the account of
/// the source that delivered it.
pub(super) fn act_on(
    state: &mut AppState,
    choose: fn(&Engagement) -> Act,
    effects: &mut Vec<Effect>,
) {
    let Some(post) = actionable(state, "be favourited, boosted or bookmarked") else {
        return;
    };
    let act = choose(&post.engagement);
    let source = post.source.clone();
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
        Act::Favourite { on: false } => post.engagement.like_record.clone(),
        Act::Boost { on: false } => post.engagement.repost_record.clone(),
        _ => None,
    };
    let target = PostRef {
        id: post.id.clone(),
        cid: post.cid.clone(),
        record,
    };
    let before = post.engagement.clone();
    let id = post.id.clone();
    let mut marks = before.clone();
    act.apply(&mut marks);
    state.next_ticket += 1;
    let ticket = state.next_ticket;
    state.acts.push(Pending {
        ticket,
        source: source.clone(),
        id: id.clone(),
        act,
        before,
    });
    set_marks(state, &source, &id, marks, effects);
    effects.push(Effect::Act(ActRequest {
        ticket,
        source,
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
    let (source, id) = (pending.source.as_str(), pending.id.as_str());
    // The post may have gone meanwhile (deleted, evicted, the thread
    // closed): nothing to show.
    let Some(shown) = marks_of(state, source, id) else {
        return;
    };
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

/// The marks of a post as shown: in the thread view, else in the timeline.
fn marks_of(state: &AppState, source: &str, id: &str) -> Option<Engagement> {
    if let Overlay::Thread(thread) = &state.overlay
        && let Some(p) = thread
            .posts
            .iter()
            .find(|p| p.post.source == source && p.post.id == id)
    {
        return Some(p.post.engagement.clone());
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
    if let Some(found) = state.timeline.find(source, id)
        && let Some(post) = state.timeline.set_engagement(found, marks)
        && state.persisting
    {
        effects.push(Effect::Persist(Write::Posts(vec![post])));
    }
}
