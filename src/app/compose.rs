//! The compose overlay: a new post (`n`), a reply (`r`) or a quote (`Q`),
//! written in a `ratatui-textarea` editor (ARCHITECTURE.md, "Acting on
//! posts").
//!
//! No text is ever lost: the draft goes to the cache as it is typed
//! (`Write::Draft`) and comes back at the next start; a failed send keeps
//! the overlay open with the server's words; `esc` asks before it throws
//! typed text away. `ctrl-s` sends through the source's account
//! (`Effect::Post`), and the post the server answers with lands in the
//! columns at once.

use super::{AppState, Effect, Overlay};
use crate::config::{Key, KeyChord, NamedKey, SourceConfig};
use crate::model::{
    BLUESKY_LIMITS, Draft, Limits, MASTODON_LIMITS, Network, Post, PostRequest, PostResult,
    RecordRef, Target, Visibility, length,
};
use crate::store::Write;
use ratatui_textarea::{Input, Key as EditorKey, TextArea, WrapMode};

/// The fields of the overlay `tab` moves between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Text,
    /// Mastodon's content warning.
    Warning,
    Language,
}

/// A post being written, in the overlay.
#[derive(Debug, Clone)]
pub struct Compose {
    /// What is sent and kept; its text, warning and language follow the
    /// editors.
    pub draft: Draft,
    pub network: Network,
    /// The account it posts from, as shown: the source and its server.
    pub account: String,
    pub limits: Limits,
    pub text: TextArea<'static>,
    pub warning: TextArea<'static>,
    pub language: TextArea<'static>,
    pub field: Field,
    /// The send under way, if any.
    pub sending: Option<u64>,
    /// Why the last send failed.
    pub error: Option<String>,
    /// `esc` was pressed over typed text: `y` throws it away.
    pub confirm_discard: bool,
    /// The accounts a reply or quote may go out through (`ctrl-t` steps
    /// through them), best first; empty for a new post, which any
    /// posting account may send, and for a draft kept from before.
    pub actors: Vec<super::act::Actor>,
}

impl PartialEq for Compose {
    fn eq(&self, other: &Self) -> bool {
        self.draft == other.draft
            && self.field == other.field
            && self.sending == other.sending
            && self.error == other.error
            && self.confirm_discard == other.confirm_discard
            && self.limits == other.limits
    }
}

impl Compose {
    /// How long the text is as the network counts it.
    pub fn length(&self) -> usize {
        let warning = match self.network {
            Network::Mastodon => length(self.network, &self.draft.warning),
            _ => 0,
        };
        length(self.network, &self.draft.text) + warning
    }

    /// The fields this network has, in `tab` order.
    fn fields(&self) -> &'static [Field] {
        match self.network {
            Network::Mastodon => &[Field::Text, Field::Warning, Field::Language],
            _ => &[Field::Text, Field::Language],
        }
    }

    /// Only the field being typed in shows its cursor.
    fn show_cursor(&mut self) {
        let on = ratatui::style::Style::new().add_modifier(ratatui::style::Modifier::REVERSED);
        let field = self.field;
        for (f, editor) in [
            (Field::Text, &mut self.text),
            (Field::Warning, &mut self.warning),
            (Field::Language, &mut self.language),
        ] {
            editor.set_cursor_style(if f == field {
                on
            } else {
                ratatui::style::Style::new()
            });
        }
    }

    fn editor(&mut self) -> &mut TextArea<'static> {
        match self.field {
            Field::Text => &mut self.text,
            Field::Warning => &mut self.warning,
            Field::Language => &mut self.language,
        }
    }

    /// Takes the editors' text into the draft.
    fn sync(&mut self) {
        self.draft.text = self.text.lines().join("\n");
        self.draft.warning = self.warning.lines().join(" ");
        self.draft.language = self.language.lines().join("").trim().to_string();
    }
}

fn editor(text: &str) -> TextArea<'static> {
    let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let mut area = TextArea::new(lines);
    area.set_wrap_mode(WrapMode::WordOrGlyph);
    area.set_cursor_line_style(ratatui::style::Style::new());
    area.move_cursor(ratatui_textarea::CursorMove::Bottom);
    area.move_cursor(ratatui_textarea::CursorMove::End);
    area
}

/// The sources whose accounts can post, in config order.
fn posting_sources(state: &AppState) -> Vec<&crate::config::SourceSpec> {
    state
        .source_specs
        .iter()
        .filter(|s| s.kind.acts())
        .collect()
}

/// The overlay for `draft`, which posts from its source.
fn overlay_for(state: &AppState, draft: Draft, effects: &mut Vec<Effect>) -> Option<Compose> {
    let spec = state
        .source_specs
        .iter()
        .find(|s| s.name == draft.source && s.kind.acts())?;
    let (network, account, limits) = match &spec.kind {
        SourceConfig::Mastodon(m) => (
            Network::Mastodon,
            format!("{} · {}", spec.name, server_name(&m.instance)),
            MASTODON_LIMITS,
        ),
        SourceConfig::Bluesky(b) => (
            Network::Bluesky,
            format!("{} · @{}", spec.name, b.handle),
            BLUESKY_LIMITS,
        ),
        _ => return None,
    };
    let limits = match state.limits.get(&spec.name) {
        Some(known) => *known,
        None => {
            effects.push(Effect::Limits(spec.name.clone()));
            limits
        }
    };
    let mut compose = Compose {
        text: editor(&draft.text),
        warning: editor(&draft.warning),
        language: editor(&draft.language),
        draft,
        network,
        account,
        limits,
        field: Field::Text,
        sending: None,
        error: None,
        confirm_discard: false,
        actors: Vec::new(),
    };
    compose.show_cursor();
    Some(compose)
}

fn server_name(instance: &str) -> String {
    crate::model::url_host(instance).unwrap_or_else(|| instance.to_string())
}

/// A fresh draft id: the idempotency key of its send.
fn draft_id(state: &mut AppState) -> String {
    state.next_ticket += 1;
    format!(
        "circles-{}-{}",
        state.now.timestamp_millis(),
        state.next_ticket
    )
}

/// What the compose overlay shows of a post answered or quoted.
fn target(post: &Post) -> Target {
    let excerpt: String = post.text.split_whitespace().collect::<Vec<_>>().join(" ");
    Target {
        id: post.id.clone(),
        cid: post.cid.clone(),
        root: match &post.reply_to {
            Some(reply) => reply.root.clone(),
            // A post that starts its thread is its own root.
            None => post.cid.clone().map(|cid| RecordRef {
                uri: post.id.clone(),
                cid,
            }),
        },
        url: post.url.clone(),
        author: post.author.handle.clone(),
        excerpt: super::card::truncate(&excerpt, 200),
        find_by: None,
    }
}

/// What `n`, `r` and `Q` open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    New,
    Reply,
    Quote,
}

/// Opens the overlay: a draft kept from before if there is one (it is
/// never replaced by a new one), else a new post from the first account
/// that can post, or a reply to or quote of the selected post through the
/// first account that can act on it.
pub(super) fn open(state: &mut AppState, purpose: Purpose, effects: &mut Vec<Effect>) {
    if offer_kept(state, purpose, effects) {
        return;
    }
    let draft = match purpose {
        Purpose::New => {
            let Some(source) = posting_sources(state).first().map(|s| s.name.clone()) else {
                state.message = Some(
                    "no source can post: add a Mastodon or Bluesky [[source]] with its \
                     credential (circles login …)"
                        .into(),
                );
                return;
            };
            Draft {
                id: draft_id(state),
                source,
                ..Draft::default()
            }
        }
        Purpose::Reply | Purpose::Quote => {
            let Some((post, actor)) =
                super::act::actionable(state, "be answered or quoted", super::act::On::Post)
            else {
                return;
            };
            return answer(state, purpose, &post, actor, effects);
        }
    };
    if let Some(compose) = overlay_for(state, draft, effects) {
        state.overlay = Overlay::Compose(Box::new(compose));
    }
}

/// Opens the overlay on the draft kept from before, if there is one: it
/// is never replaced by a new one. Whether it did.
fn offer_kept(state: &mut AppState, purpose: Purpose, effects: &mut Vec<Effect>) -> bool {
    let Some(kept) = state.saved_draft.take() else {
        return false;
    };
    let note = if purpose == Purpose::New {
        "your unsent post from before"
    } else {
        "your unsent post from before: send or discard it (esc, y) first"
    };
    match overlay_for(state, kept.clone(), effects) {
        Some(compose) => {
            state.overlay = Overlay::Compose(Box::new(compose));
            state.message = Some(note.into());
        }
        None => {
            state.message = Some(format!(
                "the unsent post from before was for the source {}, which cannot post now; \
                 it is kept",
                kept.source
            ));
            state.saved_draft = Some(kept);
        }
    }
    true
}

/// Opens the overlay on a reply to or quote of `post`, sent through
/// `actor`'s account (the palette's "reply as …" chooses one).
pub(super) fn answer(
    state: &mut AppState,
    purpose: Purpose,
    post: &Post,
    actor: super::act::Actor,
    effects: &mut Vec<Effect>,
) {
    if offer_kept(state, purpose, effects) {
        return;
    }
    let mastodon = state
        .source_specs
        .iter()
        .any(|s| s.name == actor.source && matches!(s.kind, SourceConfig::Mastodon(_)));
    let mut draft = Draft {
        id: draft_id(state),
        source: actor.source.clone(),
        ..Draft::default()
    };
    let target = Target {
        find_by: actor.find_by.clone(),
        ..target(post)
    };
    if purpose == Purpose::Reply {
        if mastodon {
            draft.text = mentions_for(state, post);
        }
        draft.visibility = post
            .visibility
            .as_deref()
            .and_then(Visibility::parse)
            .unwrap_or_default();
        draft.reply = Some(target);
    } else {
        draft.quote = Some(target);
    }
    let actors = super::act::actors(state, post);
    if let Some(mut compose) = overlay_for(state, draft, effects) {
        compose.actors = actors;
        state.overlay = Overlay::Compose(Box::new(compose));
    }
}

/// What a Mastodon reply starts with: the author and everyone else the
/// post mentions (never the reader), each once. (A Bluesky reply starts
/// empty: the thread says who is answered.)
fn mentions_for(state: &AppState, post: &Post) -> String {
    let mut handles: Vec<&str> = Vec::new();
    let others = post
        .mentions
        .iter()
        .map(|m| (m.handle.as_str(), m.key.as_str()));
    for (handle, key) in
        std::iter::once((post.author.handle.as_str(), post.author.key.as_str())).chain(others)
    {
        if !handle.is_empty() && !state.rules.is_me(key) && !handles.contains(&handle) {
            handles.push(handle);
        }
    }
    handles.iter().map(|h| format!("{h} ")).collect::<String>()
}

/// A key in the overlay.
pub(super) fn key(state: &mut AppState, chord: KeyChord, effects: &mut Vec<Effect>) {
    let persisting = state.persisting;
    let Overlay::Compose(compose) = &mut state.overlay else {
        return;
    };
    let before = compose.draft.clone();
    if compose.sending.is_some() {
        state.message = Some("sending… (ctrl-c quits; the draft is kept)".into());
        return;
    }
    if compose.confirm_discard {
        compose.confirm_discard = false;
        if chord == KeyChord::char('y') {
            state.overlay = Overlay::None;
            state.message = Some("draft discarded".into());
            if persisting {
                effects.push(Effect::Persist(Write::Draft(None)));
            }
        } else {
            state.message = Some("kept writing".into());
        }
        return;
    }
    let named = |k: NamedKey| chord == KeyChord::named(k);
    if chord == KeyChord::ctrl('s') {
        return send(state, effects);
    }
    if chord == KeyChord::ctrl('e') {
        effects.push(Effect::EditDraft(compose.draft.text.clone()));
        return;
    }
    if named(NamedKey::Esc) {
        if compose.draft.is_blank() {
            state.overlay = Overlay::None;
            if persisting {
                effects.push(Effect::Persist(Write::Draft(None)));
            }
        } else {
            compose.confirm_discard = true;
            state.message =
                Some("throw the draft away? y discards, any other key goes back".into());
        }
        return;
    }
    if named(NamedKey::Tab) || named(NamedKey::BackTab) {
        let fields = compose.fields();
        let at = fields.iter().position(|f| *f == compose.field).unwrap_or(0);
        let step = if named(NamedKey::Tab) {
            1
        } else {
            fields.len() - 1
        };
        compose.field = fields[(at + step) % fields.len()];
        compose.show_cursor();
        return;
    }
    if chord == KeyChord::ctrl('o') && compose.network == Network::Mastodon {
        compose.draft.visibility = compose.draft.visibility.next();
    } else if chord == KeyChord::ctrl('t') {
        // Another account: any that can post, for a new post; for a reply
        // or quote, one that can reach the post (which it may have to find
        // on its own server first).
        let mut draft = compose.draft.clone();
        let answering = draft.reply.is_some() || draft.quote.is_some();
        let actors: Vec<super::act::Actor> = if answering {
            compose.actors.clone()
        } else {
            posting_sources(state)
                .iter()
                .map(|s| super::act::Actor {
                    source: s.name.clone(),
                    find_by: None,
                })
                .collect()
        };
        if actors.len() < 2 {
            state.message = Some("this post can go out through one account only".into());
            return;
        }
        let at = actors.iter().position(|a| a.source == draft.source);
        let next = &actors[at.map_or(0, |i| (i + 1) % actors.len())];
        draft.source = next.source.clone();
        for target in [&mut draft.reply, &mut draft.quote].into_iter().flatten() {
            target.find_by.clone_from(&next.find_by);
        }
        if let Some(mut moved) = overlay_for(state, draft, effects) {
            if let Overlay::Compose(old) = &state.overlay {
                moved.field = old.field;
                moved.actors.clone_from(&old.actors);
            }
            moved.show_cursor();
            state.overlay = Overlay::Compose(Box::new(moved));
        }
    } else {
        let single = compose.field != Field::Text;
        if single && named(NamedKey::Enter) {
            compose.field = Field::Text;
            compose.show_cursor();
            return;
        }
        if let Some(input) = input(chord) {
            compose.editor().input(input);
        }
    }
    keep(state, &before, effects);
}

/// Takes the editors' text into the draft and, if the draft is not what it
/// was `before` (text, fields, who sees it, the account), keeps it.
fn keep(state: &mut AppState, before: &Draft, effects: &mut Vec<Effect>) {
    let persisting = state.persisting;
    if let Overlay::Compose(compose) = &mut state.overlay {
        compose.sync();
        compose.error = None;
        if persisting && compose.draft != *before {
            effects.push(Effect::Persist(Write::Draft(Some(Box::new(
                compose.draft.clone(),
            )))));
        }
    }
}

/// `ctrl-s`: sends the draft unless it is empty or too long.
fn send(state: &mut AppState, effects: &mut Vec<Effect>) {
    let Overlay::Compose(compose) = &mut state.overlay else {
        return;
    };
    compose.sync();
    if compose.draft.text.trim().is_empty() && compose.draft.quote.is_none() {
        compose.error = Some("nothing to send yet".into());
        return;
    }
    let (used, max) = (compose.length(), compose.limits.max);
    if used > max {
        compose.error = Some(format!(
            "{} over the limit of {max} ({used}): shorten it first",
            used - max
        ));
        return;
    }
    state.next_ticket += 1;
    let ticket = state.next_ticket;
    compose.sending = Some(ticket);
    compose.error = None;
    effects.push(Effect::Post {
        request: Box::new(PostRequest {
            ticket,
            draft: compose.draft.clone(),
        }),
        limits: compose.limits,
    });
}

/// How a send went: the post shows in its columns and the overlay closes,
/// or the overlay stays with the server's words and the draft kept.
pub(super) fn posted(
    state: &mut AppState,
    ticket: u64,
    result: PostResult,
    effects: &mut Vec<Effect>,
) {
    let Overlay::Compose(compose) = &mut state.overlay else {
        return;
    };
    if compose.sending != Some(ticket) {
        return;
    }
    compose.sending = None;
    let what = match (&compose.draft.reply, &compose.draft.quote) {
        (Some(to), _) => format!("replied to {}", to.author),
        (_, Some(quoted)) => format!("quoted {}", quoted.author),
        _ => "posted".to_string(),
    };
    let source = compose.draft.source.clone();
    let answered = compose.draft.reply.as_ref().map(|t| t.author.clone());
    match result {
        PostResult::Failed(why) => {
            compose.error = Some(why);
            state.message = Some("✗ not sent; the draft is kept".into());
        }
        PostResult::Posted(mut post) => {
            // A reply whose text no longer mentions whom it answers still
            // answered them (the server names only an account id then).
            if let (Some(reply), Some(author)) = (post.reply_to.as_mut(), answered)
                && reply.to.is_none()
            {
                reply.to = Some(crate::model::Mention::new(&author, None));
            }
            state.overlay = Overlay::None;
            state.message = Some(what);
            if state.persisting {
                effects.push(Effect::Persist(Write::Draft(None)));
                // Whom the reader answered, mentioned or quoted, for the
                // people ledger.
                let me = post.author.key.clone();
                let list = crate::model::people::Interaction::of_my_post(&post, &me);
                if !list.is_empty() {
                    effects.push(Effect::Persist(Write::Interactions {
                        source: source.clone(),
                        list,
                    }));
                }
            }
            super::add_posts(state, &source, vec![*post], effects);
        }
        PostResult::Sent => {
            state.overlay = Overlay::None;
            state.message = Some(format!("{what} (it shows once the source reads it)"));
            if state.persisting {
                effects.push(Effect::Persist(Write::Draft(None)));
            }
        }
    }
}

/// The draft as the external editor left it.
pub(super) fn edited(
    state: &mut AppState,
    text: Result<String, String>,
    effects: &mut Vec<Effect>,
) {
    match text {
        Ok(text) => {
            let Overlay::Compose(compose) = &mut state.overlay else {
                return;
            };
            let before = compose.draft.clone();
            {
                // What the editor left may hold anything: it is shown, so
                // it is cleaned as post text is.
                let text = crate::model::sanitize(text.strip_suffix('\n').unwrap_or(&text));
                compose.text = editor(&text);
                compose.field = Field::Text;
                compose.show_cursor();
            }
            keep(state, &before, effects);
        }
        Err(why) => {
            state.message = Some(format!(
                "the editor did not run: {why} (the draft is as it was)"
            ))
        }
    }
}

/// A chord as the editor widget takes it.
fn input(chord: KeyChord) -> Option<Input> {
    let key = match chord.key {
        Key::Char(c) => EditorKey::Char(c),
        Key::Named(named) => match named {
            NamedKey::Enter => EditorKey::Enter,
            NamedKey::Backspace => EditorKey::Backspace,
            NamedKey::Delete => EditorKey::Delete,
            NamedKey::Up => EditorKey::Up,
            NamedKey::Down => EditorKey::Down,
            NamedKey::Left => EditorKey::Left,
            NamedKey::Right => EditorKey::Right,
            NamedKey::Home => EditorKey::Home,
            NamedKey::End => EditorKey::End,
            NamedKey::PageUp => EditorKey::PageUp,
            NamedKey::PageDown => EditorKey::PageDown,
            NamedKey::F(n) => EditorKey::F(n),
            NamedKey::Esc | NamedKey::Tab | NamedKey::BackTab | NamedKey::Insert => return None,
        },
    };
    Some(Input {
        key,
        ctrl: chord.ctrl,
        alt: chord.alt,
        shift: false,
    })
}
