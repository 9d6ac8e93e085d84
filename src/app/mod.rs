//! The app: all screen state in [`AppState`], changed only by
//! [`update`]`(&mut AppState, Action) -> Vec<Effect>` (ARCHITECTURE.md, "Data flow").
//!
//! `update` does no I/O and reads no clock: time arrives as
//! [`Action::Clock`], posts as [`Action::Source`], keys as chords. What it
//! wants done outside — open a URL, copy to the clipboard, ring the bell,
//! quit — it returns as [`Effect`]s for the event loop to carry out. Tests
//! drive it with plain values.
//!
//! May touch: `model`, `config`, `filter`, `store`, `source` (its event
//! types only). Never the terminal.

mod act;
pub mod alert;
pub mod card;
mod commands;
mod compose;
mod confirm;
pub mod digest;
mod edit;
pub mod markers;
mod muted;
mod palette;
mod people;
mod profile;
pub mod sources;
mod stats;
mod thread;
pub mod view;

pub use act::Pending;
pub use commands::run;
pub use compose::{Compose, Field as ComposeField};
pub use edit::{ConfigChange, ConfigWhy, MuteFor, Precompiled, Purpose};
pub use muted::{Group as MutedGroup, MutedView, groups as muted_groups};
pub use palette::{Palette, PaletteItem, Target};
pub use people::{Budget, PeopleView, Sort as PeopleSort};
pub use profile::ProfileView;
pub use stats::{reload_diff, rule_stats};
pub use thread::{Thread, ThreadPost};

use crate::config::{Command, Edit, Key, KeyChord, Keymap, NamedKey, SourceSpec, Style};
use crate::filter::{Rules, route};
use crate::model::{SourceEvent, SourceState};
use crate::store::{DEFAULT_CAPACITY, PostId, Snapshot, Timeline, Write, post_key};
use card::CardLook;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use ratatui::layout::Rect;
use std::collections::HashSet;
use std::sync::Arc;
use view::Geometry;

/// How far above the screen the "N new" marker counts.
pub const NEW_MARKER_SCAN: usize = 1000;

/// Something that happened: a key, the mouse, time, a source.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Key(KeyChord),
    /// A command as if its key were pressed (the palette, tests).
    Command(Command),
    Click {
        x: u16,
        y: u16,
    },
    Wheel {
        x: u16,
        y: u16,
        down: bool,
    },
    Resize {
        width: u16,
        height: u16,
    },
    Clock(DateTime<Utc>),
    Source(SourceEvent),
    /// New config text: after a keyboard edit, an undo, or an edit on disk.
    Config(ConfigChange),
    /// A config edit or undo could not be made; the reason, for the user.
    ConfigProblem(String),
    /// What the cache kept from the last run, before any source answers.
    Restore(Snapshot),
    /// Whether posts and reading positions are kept in the cache (sends
    /// [`Effect::Persist`] when they are).
    Persisting(bool),
    /// Something the runtime has to say: an effect that failed, a cache
    /// or log that could not be opened.
    Notice(String),
    /// How an act asked for by [`Effect::Act`] went.
    Acted {
        ticket: u64,
        result: crate::model::ActResult,
    },
    /// How a send asked for by [`Effect::Post`] went.
    Posted {
        ticket: u64,
        result: crate::model::PostResult,
    },
    /// What a source's server allows in a post (after [`Effect::Limits`]).
    Limits {
        source: String,
        limits: crate::model::Limits,
    },
    /// The draft's text as the external editor left it (after
    /// [`Effect::EditDraft`]), or why the editor did not run.
    DraftEdited(Result<String, String>),
    /// The people ledger (after [`Effect::Ledger`]), or why not.
    Ledger(Result<Box<crate::people::Ledger>, String>),
    /// A people scan's news (after [`Effect::ScanPeople`]).
    PeopleScan(crate::model::people::ScanNews),
    /// The lists and saved feeds of `source`'s account (after
    /// [`Effect::Saved`]).
    Saved {
        source: String,
        result: Result<Vec<crate::model::Saved>, String>,
    },
    /// An author's profile (after [`Effect::Profile`]), by the handle it
    /// was asked for.
    Profile {
        source: String,
        handle: String,
        result: crate::model::ProfileResult,
    },
    /// How a delete went (after [`Effect::Delete`]).
    DeleteDone {
        source: String,
        id: String,
        result: Result<(), String>,
    },
    /// Whether the account follows `account` now (after [`Effect::Follow`],
    /// which `asked` repeats).
    Following {
        source: String,
        account: Box<crate::model::Account>,
        asked: Option<bool>,
        result: Result<bool, String>,
    },
    /// The conversation around a post (after [`Effect::Thread`]).
    Thread {
        source: String,
        id: String,
        result: crate::model::ThreadResult,
    },
    /// What the server said to a read marker (after [`Effect::MarkRead`]).
    MarkedRead {
        source: String,
        mark: crate::model::Mark,
        result: Result<(), String>,
    },
}

/// Something the event loop does for the reducer.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Quit,
    Suspend,
    /// Paint every cell again, whatever the terminal shows now.
    Redraw,
    OpenUrl(String),
    /// Show an image in the system's viewer: the cached file, or else its
    /// URL in the browser.
    OpenImage(String),
    Copy(String),
    /// New posts alert: a column's `notify`, `[notify] amplified`.
    Alert(alert::Alert),
    /// Change the config file; `done` confirms it in the status bar.
    Edit {
        edit: Edit,
        done: String,
    },
    /// Put the config file back as it was before the last edit.
    Undo,
    StartSource(Box<SourceSpec>),
    StopSource(String),
    /// Keep this in the cache (only when [`AppState::persisting`]).
    Persist(Write),
    /// Move a source's read marker on its server (see [`markers`]);
    /// answered with [`Action::MarkedRead`].
    MarkRead {
        source: String,
        marker: crate::model::Marker,
        mark: crate::model::Mark,
    },
    /// Favourite, boost or bookmark a post through a source's account;
    /// answered with [`Action::Acted`].
    Act(crate::model::ActRequest),
    /// Send a draft through its source's account; answered with
    /// [`Action::Posted`].
    Post {
        request: Box<crate::model::PostRequest>,
        limits: crate::model::Limits,
    },
    /// Ask a source's server what it allows in a post; answered with
    /// [`Action::Limits`].
    Limits(String),
    /// Open `$VISUAL`/`$EDITOR` on the draft's text (the terminal given
    /// back and taken again); answered with [`Action::DraftEdited`].
    EditDraft(String),
    /// Fetch the conversation around post `id` of `source`; answered with
    /// [`Action::Thread`].
    Thread {
        source: String,
        id: String,
        /// The post's URI, when `source`'s account must find it first.
        find_by: Option<String>,
    },
    /// Fetch the profile and recent posts of `account` as `source`'s
    /// account sees it; answered with [`Action::Profile`].
    Profile {
        source: String,
        account: Box<crate::model::Account>,
    },
    /// Delete post `id` of `source`'s account; answered with
    /// [`Action::DeleteDone`].
    Delete {
        source: String,
        id: String,
    },
    /// List the lists and saved feeds of `source`'s account; answered with
    /// [`Action::Saved`].
    Saved(String),
    /// Read the people ledger over the window from `since`; answered with
    /// [`Action::Ledger`].
    Ledger {
        since: DateTime<Utc>,
    },
    /// Scan what the people ledger lacks, by these thresholds; answered
    /// with [`Action::PeopleScan`] as it goes.
    ScanPeople(crate::config::Thresholds),
    /// Ask whether `source`'s account follows `account` (`want: None`), or
    /// follow or unfollow it; answered with [`Action::Following`].
    Follow {
        source: String,
        account: Box<crate::model::Account>,
        want: Option<bool>,
    },
}

/// A source as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceStatus {
    pub name: String,
    pub state: SourceState,
    /// When the state arrived: a wait counts down from then.
    pub since: DateTime<Utc>,
    pub posts: usize,
    pub skipped: usize,
    pub last_problem: Option<String>,
    /// What it reads, as its server names it (a feed's display name).
    pub title: Option<String>,
}

impl SourceStatus {
    pub fn new(name: &str, now: DateTime<Utc>) -> Self {
        SourceStatus {
            name: name.to_string(),
            state: SourceState::Starting,
            since: now,
            posts: 0,
            skipped: 0,
            last_problem: None,
            title: None,
        }
    }

    /// Seconds left of a wait before the next try, counted down by the
    /// clock (for the status bar).
    pub fn retry_in(&self, now: DateTime<Utc>) -> Option<u64> {
        match &self.state {
            SourceState::Retrying { seconds, .. } => {
                let passed = (now - self.since).num_seconds().max(0) as u64;
                Some(seconds.saturating_sub(passed))
            }
            _ => None,
        }
    }
}

/// How long a notice stays in the status bar.
pub const NOTICE_FOR: chrono::TimeDelta = chrono::TimeDelta::seconds(6);

/// Where the config came from and how it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConfigStatus {
    /// A path, or a note that the built-in default is in use.
    pub location: String,
    /// Warnings, one line each (`path:line:col: warning: …`).
    pub warnings: Vec<String>,
    /// An error that keeps the last good config running.
    pub error: Option<String>,
}

/// One column's reading position and search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnView {
    /// Index of the selected post in the column's list.
    pub selected: usize,
    /// Index of the first post on screen.
    pub offset: usize,
    /// The reader has moved here; from then on new posts never move the
    /// selection.
    pub touched: bool,
    /// The search typed with `/`; empty for none.
    pub query: String,
    /// Where the reader was when the search began (the selected post and
    /// the first on screen): `esc` in the search prompt goes back there.
    pub before_search: Option<(PostId, usize)>,
    /// What the column shows when it is not simply its posts: with muted
    /// posts revealed, or filtered by `query`; newest first.
    pub shown: Option<Vec<PostId>>,
    /// Posts from this id on arrived after the reader last saw the top of
    /// the column (ids grow with arrival): above the screen, they are the
    /// "▲ N new" marker.
    pub top_seen_at: PostId,
    /// The column shows its digest (`s`): one row per person.
    pub digest: Option<digest::DigestView>,
    /// The column shows these posts (a muted group opened from `M`), with
    /// what they are, until `esc`.
    pub pinned: Option<(String, Vec<PostId>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    None,
    Help {
        scroll: u16,
    },
    Detail {
        scroll: u16,
    },
    Palette(Palette),
    /// How long to mute an author for.
    MuteMenu {
        handle: crate::config::Who,
    },
    /// A line of text to type: a keyword to mute, a new column's name.
    Prompt {
        purpose: Purpose,
        text: String,
    },
    /// The rule trace of a post.
    /// The sources, their problems and what to do (drawn from the live
    /// state, so it follows the sources as they change).
    Sources {
        scroll: u16,
    },
    /// What each rule took and muted (`S`), counted over the timeline
    /// when it opened (not on every frame: that routes every post held).
    Stats {
        scroll: u16,
        counted: Box<(crate::filter::stats::Stats, crate::filter::stats::Table)>,
    },
    Explain {
        scroll: u16,
        text: String,
    },
    /// A post being written.
    Compose(Box<Compose>),
    /// The conversation around a post.
    Thread(Box<Thread>),
    /// An author's profile.
    Profile(Box<ProfileView>),
    /// Who pays attention to whom.
    People(Box<PeopleView>),
    /// The muted tail by rule.
    Muted(MutedView),
    /// One of a `[[person]]`'s accounts is to be edited: `1` that account,
    /// `2` all of the person's; then `command` goes on with the choice and
    /// `back` is open again.
    Which {
        command: Command,
        account: crate::config::Who,
        person: String,
        back: Box<Overlay>,
    },
    /// A question before something that cannot be taken back: `y` carries
    /// out `yes`, any other key goes back to `back`.
    Confirm {
        question: String,
        yes: Box<Effect>,
        back: Box<Overlay>,
    },
}

/// A card placed in a column: which post, where, and its lines.
#[derive(Debug, Clone)]
pub struct Placed {
    pub index: usize,
    pub id: PostId,
    /// Row inside the column where the card starts.
    pub top: u16,
    pub lines: Vec<card::Line>,
}

#[derive(Debug, Clone)]
pub struct AppState {
    pub rules: Rules,
    pub keymap: Keymap,
    /// The config's colours.
    pub theme: crate::config::Theme,
    /// Draw without colours (`NO_COLOR`): marks and styles only.
    pub no_color: bool,
    /// The config's `[ui]`.
    pub ui: crate::config::RawUi,
    /// The terminal is known to make OSC 8 links clickable: links are
    /// unless `[ui] hyperlinks` says otherwise.
    pub terminal_links: bool,
    pub timeline: Timeline,
    pub views: Vec<ColumnView>,
    pub focus: usize,
    /// The first column on screen when not all fit.
    pub first_column: usize,
    pub size: (u16, u16),
    pub now: DateTime<Utc>,
    /// The local offset, for "today".
    pub utc_offset: FixedOffset,
    /// Alerts a burst holds back.
    pub held_alerts: alert::Held,
    /// The read markers synced with servers.
    pub markers: markers::Markers,
    pub overlay: Overlay,
    /// The search being typed, if the prompt is open.
    pub search: Option<String>,
    pub cw_open: HashSet<PostId>,
    pub sources: Vec<SourceStatus>,
    pub config: ConfigStatus,
    /// A one-off message for the status bar, cleared by the next key or
    /// after [`NOTICE_FOR`].
    pub message: Option<String>,
    /// The message shown, and since when (for its expiry).
    message_since: Option<(String, DateTime<Utc>)>,
    pub muted_today: usize,
    /// Muted posts are shown, dimmed, where they would have been.
    pub reveal: bool,
    /// The sources the config names, to start and stop on a reload.
    pub source_specs: Vec<SourceSpec>,
    /// When the next timed mute ends: the rules must be applied again.
    pub next_expiry: Option<DateTime<Utc>>,
    /// Posts, seen marks and positions are sent out to be cached.
    pub persisting: bool,
    /// Unseen posts on screen in the focused column, since when.
    on_screen: std::collections::HashMap<PostId, DateTime<Utc>>,
    /// The read position last sent to the cache, per column name.
    saved_positions: std::collections::HashMap<String, String>,
    today: NaiveDate,
    /// Acts sent out and not yet answered.
    pub acts: Vec<Pending>,
    next_ticket: u64,
    /// A draft kept from the last run, which `n` (or `r`, `Q`) opens.
    pub saved_draft: Option<crate::model::Draft>,
    /// What each source's server allows in a post, once it said.
    pub limits: std::collections::HashMap<String, crate::model::Limits>,
    /// The account chosen in [`Overlay::Which`], for the command that
    /// asked.
    pub chosen_account: Option<crate::config::Who>,
    /// A command of the profile's account runs: the selected post is the
    /// one `p` was pressed on, whichever recent post is selected.
    pub(crate) on_account: bool,
    /// Recent posts of `[[person]]`s by (person, their words): a copy of
    /// one by another of their accounts is merged into it.
    cross_posts: std::collections::HashMap<(usize, String), (PostId, DateTime<Utc>)>,
    /// When the reader last left each column's digest, by column name:
    /// where its next digest starts.
    pub caught_up: std::collections::HashMap<String, DateTime<Utc>>,
    /// When the rules in use were loaded: the rule statistics count from
    /// then.
    pub loaded_at: DateTime<Utc>,
}

impl AppState {
    pub fn new(
        rules: Rules,
        keymap: Keymap,
        sources: &[String],
        config: ConfigStatus,
        now: DateTime<Utc>,
    ) -> Self {
        let columns = rules.columns.len();
        let next_expiry = rules.next_mute_expiry();
        let views = rules.columns.iter().map(initial_view).collect();
        let utc_offset = FixedOffset::east_opt(0).expect("zero offset");
        AppState {
            rules,
            keymap,
            theme: crate::config::Theme::default(),
            no_color: false,
            ui: crate::config::RawUi::default(),
            terminal_links: false,
            timeline: Timeline::new(columns, DEFAULT_CAPACITY),
            views,
            focus: 0,
            first_column: 0,
            size: (0, 0),
            now,
            utc_offset,
            held_alerts: alert::Held::default(),
            markers: markers::Markers::default(),
            overlay: Overlay::None,
            search: None,
            cw_open: HashSet::new(),
            sources: sources
                .iter()
                .map(|name| SourceStatus::new(name, now))
                .collect(),
            config,
            message: None,
            message_since: None,
            muted_today: 0,
            reveal: false,
            source_specs: Vec::new(),
            next_expiry,
            persisting: false,
            on_screen: std::collections::HashMap::new(),
            saved_positions: std::collections::HashMap::new(),
            today: now.with_timezone(&utc_offset).date_naive(),
            acts: Vec::new(),
            next_ticket: 0,
            saved_draft: None,
            limits: std::collections::HashMap::new(),
            chosen_account: None,
            on_account: false,
            cross_posts: std::collections::HashMap::new(),
            caught_up: std::collections::HashMap::new(),
            loaded_at: now,
        }
    }

    /// The checked sources, so a config reload can start and stop them.
    pub fn with_source_specs(mut self, specs: Vec<SourceSpec>) -> Self {
        self.source_specs = specs;
        self
    }

    /// The config's colours, and whether to draw without any.
    pub fn with_theme(mut self, theme: crate::config::Theme, no_color: bool) -> Self {
        self.theme = theme;
        self.no_color = no_color;
        self
    }

    /// The config's `[ui]`, and whether the terminal makes links clickable.
    pub fn with_ui(mut self, ui: crate::config::RawUi, terminal_links: bool) -> Self {
        self.ui = ui;
        self.terminal_links = terminal_links;
        self
    }

    /// Links are drawn as OSC 8 hyperlinks.
    pub fn hyperlinks(&self) -> bool {
        self.ui.hyperlinks.unwrap_or(self.terminal_links)
    }

    /// Sets the local offset used to tell when a day starts.
    pub fn with_utc_offset(mut self, offset: FixedOffset) -> Self {
        self.utc_offset = offset;
        self.today = self.now.with_timezone(&offset).date_naive();
        self
    }

    pub fn column_names(&self) -> Vec<String> {
        self.rules.columns.iter().map(|c| c.name.clone()).collect()
    }

    /// The posts a column shows, newest first: its own, plus its muted
    /// ones when revealed, filtered by its search.
    pub fn list(&self, column: usize) -> &[PostId] {
        match self.views.get(column).and_then(|v| v.shown.as_deref()) {
            Some(shown) => shown,
            None => self.timeline.column(column),
        }
    }

    /// The selected post of the focused column.
    pub fn selected(&self) -> Option<PostId> {
        let view = self.views.get(self.focus)?;
        self.list(self.focus).get(view.selected).copied()
    }

    pub fn geometry(&self) -> Geometry {
        let area = Rect::new(0, 0, self.size.0, self.size.1);
        let rows = self.status_rows(self.size.0);
        view::geometry(area, self.views.len(), self.first_column, self.focus, rows)
    }

    /// The config error as the status bar shows it (after a message, if
    /// one is up), if there is one. Sanitized.
    pub fn config_error_text(&self) -> Option<String> {
        use crate::model::sanitize_line;
        let error = sanitize_line(self.config.error.as_deref()?);
        let error = format!(" config error (last good config in use): {error}");
        Some(match &self.message {
            Some(message) => format!(" {} ·{error}", sanitize_line(message)),
            None => error,
        })
    }

    /// Rows the status bar needs at `width`: two when a config error does
    /// not fit on one, so where it is never gets cut; and a message too long
    /// to share the bar (a server's refusal with what to do) gets rows of
    /// its own above it, up to three.
    pub fn status_rows(&self, width: u16) -> u16 {
        let width = usize::from(width).max(1);
        match self.config_error_text() {
            Some(text) if card::width(&text) > width => 2,
            Some(_) => 1,
            None => 1 + self.message_rows(width),
        }
    }

    /// Rows a long message takes above the status bar at `width` (none
    /// when it fits in the bar beside the sources' marks).
    pub fn message_rows(&self, width: usize) -> u16 {
        /// What the bar keeps beside a message: counts and the help key.
        const BESIDE: usize = 36;
        match &self.message {
            Some(m) if self.search.is_none() && card::width(m) + BESIDE > width => {
                let rows = textwrap::wrap(&format!(" {m}"), width.max(1)).len();
                rows.clamp(1, 3) as u16
            }
            _ => 0,
        }
    }

    /// The box of a column if it is on screen.
    pub fn column_rect(&self, column: usize) -> Option<Rect> {
        self.geometry()
            .columns
            .into_iter()
            .find(|(c, _)| *c == column)
            .map(|(_, r)| r)
    }

    /// How a card in this column looks at this text width.
    pub fn look(&self, column: usize, id: PostId, width: usize) -> CardLook {
        let entry = self.timeline.get(id);
        CardLook {
            width,
            style: self
                .rules
                .columns
                .get(column)
                .map_or(Style::Normal, |c| c.style),
            amplified: entry.is_some_and(|e| e.verdict.amplified),
            cw_open: self.cw_open.contains(&id),
            muted: entry.and_then(|e| e.verdict.muted).map(|m| m.as_str()),
            now: self.now,
            images: self.ui.images == crate::config::Images::Cards,
        }
    }

    /// The cards of a column from its offset down, as many as start inside
    /// a box of `height` rows whose text is `width` cells wide. Each card
    /// is followed by a one-row rule.
    pub fn place(&self, column: usize, width: u16, height: u16) -> Vec<Placed> {
        let Some(view) = self.views.get(column) else {
            return Vec::new();
        };
        let list = self.list(column);
        let mut placed = Vec::new();
        let mut top = 0u16;
        for (index, &id) in list.iter().enumerate().skip(view.offset) {
            if top >= height {
                break;
            }
            let Some(entry) = self.timeline.get(id) else {
                continue;
            };
            let lines = card::card(&entry.post, self.look(column, id, usize::from(width)));
            let rows = lines.len() as u16 + 1;
            placed.push(Placed {
                index,
                id,
                top,
                lines,
            });
            top = top.saturating_add(rows);
        }
        placed
    }

    /// Text width and height inside a column's box (one cell of the width
    /// is the selection gutter).
    fn card_area(&self, column: usize) -> (u16, u16) {
        let rect = self
            .column_rect(column)
            .unwrap_or_else(|| Rect::new(0, 0, self.size.0, self.size.1.saturating_sub(1)));
        let inner = view::inner(rect);
        (inner.width.saturating_sub(1).max(1), inner.height)
    }

    /// Cards wholly on screen in a column.
    fn whole_cards(&self, column: usize) -> Vec<Placed> {
        let (width, height) = self.card_area(column);
        self.place(column, width, height)
            .into_iter()
            .filter(|p| u32::from(p.top) + p.lines.len() as u32 <= u32::from(height))
            .collect()
    }

    /// Posts above the first one on screen that arrived since the reader
    /// last saw the top of the column: the "▲ N new" marker. Only the
    /// newest [`NEW_MARKER_SCAN`] are looked at, so a frame costs the same
    /// however deep the reader has scrolled.
    pub fn new_above(&self, column: usize) -> usize {
        let Some(view) = self.views.get(column) else {
            return 0;
        };
        self.list(column)
            .iter()
            .take(view.offset.min(NEW_MARKER_SCAN))
            .filter(|id| **id >= view.top_seen_at)
            .count()
    }

    /// When a post on screen will have been there long enough to count as
    /// seen: the event loop wakes then.
    pub fn next_seen_due(&self) -> Option<DateTime<Utc>> {
        self.on_screen
            .values()
            .min()
            .map(|since| *since + SEEN_AFTER)
    }

    /// When the status bar changes by itself: a notice goes, or a wait
    /// counts down a second.
    pub fn next_status_change(&self) -> Option<DateTime<Utc>> {
        let notice = self
            .message_since
            .as_ref()
            .map(|(_, since)| *since + NOTICE_FOR);
        let countdown = self
            .sources
            .iter()
            .any(|s| s.retry_in(self.now).is_some_and(|left| left > 0))
            .then(|| self.now + chrono::TimeDelta::seconds(1));
        notice.into_iter().chain(countdown).min()
    }

    pub fn source_state(&self, name: &str) -> Option<&SourceState> {
        self.sources
            .iter()
            .find(|s| s.name == name)
            .map(|s| &s.state)
    }
}

/// Applies one action; returns what the event loop must do.
pub fn update(state: &mut AppState, action: Action) -> Vec<Effect> {
    let mut effects = Vec::new();
    match action {
        Action::Key(chord) => {
            state.message = None;
            key(state, chord, &mut effects);
        }
        Action::Command(command) => run(state, command, &mut effects),
        Action::Click { x, y } => click(state, x, y),
        Action::Wheel { x, y, down } => wheel(state, x, y, down, &mut effects),
        Action::Resize { width, height } => {
            state.size = (width, height);
            state.first_column =
                view::scroll_to(state.first_column, state.focus, width, state.views.len());
            for column in 0..state.views.len() {
                keep_selection_visible(state, column);
            }
        }
        Action::Clock(now) => clock(state, now),
        Action::Source(event) => source(state, event, &mut effects),
        Action::Config(change) => edit::config_changed(state, change, &mut effects),
        Action::ConfigProblem(problem) => state.message = Some(problem),
        Action::Restore(snapshot) => restore(state, snapshot),
        Action::Persisting(on) => state.persisting = on,
        Action::Notice(text) => state.message = Some(text),
        Action::Acted { ticket, result } => act::acted(state, ticket, result, &mut effects),
        Action::Posted { ticket, result } => compose::posted(state, ticket, result, &mut effects),
        Action::Limits { source, limits } => {
            if let Overlay::Compose(compose) = &mut state.overlay
                && compose.draft.source == source
            {
                compose.limits = limits;
            }
            state.limits.insert(source, limits);
        }
        Action::DraftEdited(text) => compose::edited(state, text, &mut effects),
        Action::Thread { source, id, result } => thread::fetched(state, &source, &id, result),
        Action::Saved { source, result } => palette::heard_saved(state, &source, result),
        Action::Profile {
            source,
            handle,
            result,
        } => profile::fetched(state, &source, &handle, result),
        Action::Ledger(result) => people::loaded(state, result),
        Action::PeopleScan(news) => people::scanned(state, news, &mut effects),
        Action::DeleteDone { source, id, result } => {
            confirm::deleted(state, &source, &id, result, &mut effects)
        }
        Action::Following {
            source,
            account,
            asked,
            result,
        } => confirm::following(state, &source, *account, asked, result),
        Action::MarkedRead {
            source,
            mark,
            result,
        } => markers::sent(state, &source, mark, result),
    }
    mark_visible_seen(state);
    note_the_top(state);
    age_the_notice(state);
    alert::flush(state, &mut effects);
    markers::read_further(state, &mut effects);
    if effects.last() == Some(&Effect::Quit) {
        // What the reader read goes to the servers before the app does.
        effects.pop();
        markers::send_all(state, &mut effects);
        effects.push(Effect::Quit);
    }
    if state.persisting {
        persist_reading(state, &mut effects);
    } else {
        state.timeline.forget_newly_seen();
    }
    effects
}

/// A notice shows for [`NOTICE_FOR`] and then goes, leaving the sources'
/// states in view; a new one starts its own time.
fn age_the_notice(state: &mut AppState) {
    match (&state.message, &state.message_since) {
        (None, _) => state.message_since = None,
        (Some(text), Some((shown, since))) if text == shown => {
            if state.now - *since >= NOTICE_FOR {
                state.message = None;
                state.message_since = None;
            }
        }
        (Some(text), _) => state.message_since = Some((text.clone(), state.now)),
    }
}

/// A column showing its newest post has nothing new above it: what
/// arrives from now on is new.
fn note_the_top(state: &mut AppState) {
    let next = state.timeline.next_id();
    for view in &mut state.views {
        if view.offset == 0 {
            view.top_seen_at = next;
        }
    }
}

/// A column's view before the reader moves: its digest on when its style
/// says so.
fn initial_view(column: &crate::filter::Column) -> ColumnView {
    ColumnView {
        digest: (column.style == crate::config::Style::Digest).then(digest::DigestView::default),
        ..ColumnView::default()
    }
}

/// Puts back what the cache kept: posts with their seen marks, and each
/// column's selected post. Restored posts are not counted as muted today
/// and ring no bell.
fn restore(state: &mut AppState, snapshot: Snapshot) {
    for ((source, column), value) in &snapshot.cursors {
        if source == digest::CAUGHT_UP
            && let Ok(at) = DateTime::parse_from_rfc3339(value)
        {
            state
                .caught_up
                .insert(column.clone(), at.with_timezone(&Utc));
        }
    }
    // Newest first, so each post files at the end of its columns, and no
    // more than the timeline keeps.
    let keep = state.timeline.capacity();
    for (post, seen) in snapshot.posts.into_iter().take(keep) {
        let verdict = route(&state.rules, &post);
        if let Some(inserted) = state.timeline.insert(post, verdict)
            && seen
        {
            state.timeline.mark_seen(inserted.id);
        }
    }
    // Already in the cache: nothing to write back.
    state.timeline.take_newly_seen();
    for column in 0..state.views.len() {
        let name = state.rules.columns[column].name.clone();
        let Some(id) = snapshot
            .positions
            .get(&name)
            .and_then(|key| state.timeline.by_key(key))
        else {
            continue;
        };
        let list = state.list(column);
        let Some(index) = list.iter().position(|x| *x == id) else {
            continue;
        };
        let top = snapshot
            .positions
            .get(&top_name(&name))
            .and_then(|key| state.timeline.by_key(key))
            .and_then(|top| list.iter().position(|x| *x == top))
            .filter(|top| *top <= index)
            .unwrap_or(index);
        let top_id = list[top];
        let view = &mut state.views[column];
        view.selected = index;
        view.offset = top;
        view.touched = true;
        for (name, id) in [(name.clone(), id), (top_name(&name), top_id)] {
            let key = post_key(&state.timeline.get(id).expect("listed").post);
            state.saved_positions.insert(name, key);
        }
        if state.size.0 > 0 && state.size.1 > 0 {
            keep_selection_visible(state, column);
        }
    }
    // What the last run left is no news.
    let next = state.timeline.next_id();
    for view in &mut state.views {
        view.top_seen_at = next;
    }
    if snapshot.skipped > 0 {
        state.message = Some(format!(
            "{} cached post(s) could not be read back and were left out",
            snapshot.skipped
        ));
    }
    if let Some(draft) = snapshot.draft.filter(|d| !d.is_blank()) {
        let keys = state.keymap.keys_text(Command::Compose);
        state.message = Some(format!(
            "your unsent post from last time is kept: {keys} opens it"
        ));
        state.saved_draft = Some(*draft);
    }
}

/// Sends newly seen posts and moved read positions to the cache.
fn persist_reading(state: &mut AppState, effects: &mut Vec<Effect>) {
    let seen = state.timeline.take_newly_seen();
    if !seen.is_empty() {
        effects.push(Effect::Persist(Write::Seen(seen)));
    }
    for column in 0..state.views.len() {
        let name = state.rules.columns[column].name.clone();
        let view = &state.views[column];
        // The selected post, and the first on screen so the column comes
        // back scrolled as it was.
        let slots = [(top_name(&name), view.offset), (name, view.selected)];
        for (slot, index) in slots {
            let list = state.list(column);
            let Some(entry) = list.get(index).and_then(|id| state.timeline.get(*id)) else {
                continue;
            };
            let key = post_key(&entry.post);
            if state.saved_positions.get(&slot) != Some(&key) {
                state.saved_positions.insert(slot.clone(), key.clone());
                effects.push(Effect::Persist(Write::Position { column: slot, key }));
            }
        }
    }
}

/// Where a column's first post on screen is kept in the cache.
fn top_name(column: &str) -> String {
    format!("{column}\u{0}top")
}

fn clock(state: &mut AppState, now: DateTime<Utc>) {
    state.now = now;
    state.rules.now = now;
    let today = now.with_timezone(&state.utc_offset).date_naive();
    if today != state.today {
        state.today = today;
        state.muted_today = 0;
    }
    if state.next_expiry.is_some_and(|t| t <= now) {
        reroute(state, None);
    }
}

/// Routes every post again with the current rules, keeping each column's
/// selection and first post on screen where they were (by post, matched
/// by column name when columns changed). With `rules`, those replace the
/// current ones first.
fn reroute(state: &mut AppState, rules: Option<Rules>) {
    let names = state.column_names();
    let focused = names.get(state.focus).cloned();
    let before: Vec<(String, ColumnView, Anchor)> = names
        .iter()
        .enumerate()
        .map(|(c, name)| {
            (
                name.to_lowercase(),
                state.views[c].clone(),
                anchor(state, c),
            )
        })
        .collect();
    if let Some(rules) = rules {
        state.rules = rules;
    }
    state.timeline.reroute(&state.rules);
    state.next_expiry = state.rules.next_mute_expiry();
    let now_names = state.column_names();
    state.views = state.rules.columns.iter().map(initial_view).collect();
    for (c, name) in now_names.iter().enumerate() {
        let Some((_, view, anchor)) = before.iter().find(|(n, ..)| *n == name.to_lowercase())
        else {
            continue;
        };
        state.views[c] = ColumnView {
            shown: None,
            ..view.clone()
        };
        refresh(state, c);
        put_back(state, c, *anchor);
        keep_selection_visible(state, c);
    }
    state.focus = focused
        .and_then(|f| now_names.iter().position(|n| n.eq_ignore_ascii_case(&f)))
        .unwrap_or(state.focus)
        .min(now_names.len().saturating_sub(1));
    state.first_column = view::scroll_to(
        state.first_column,
        state.focus,
        state.size.0,
        state.views.len(),
    );
}

fn key(state: &mut AppState, chord: KeyChord, effects: &mut Vec<Effect>) {
    // Whatever the keymap says and whatever is open, ctrl-c quits.
    if chord == KeyChord::ctrl('c') {
        effects.push(Effect::Quit);
        return;
    }
    // Whatever is open, the redraw key redraws, unless it is a character
    // that a text being typed would take.
    let typing = state.search.is_some()
        || matches!(
            &state.overlay,
            Overlay::Compose(_) | Overlay::Prompt { .. } | Overlay::Palette(_)
        )
        || matches!(&state.overlay, Overlay::People(view) if view.typing);
    let a_character = !chord.ctrl && !chord.alt && matches!(chord.key, Key::Char(_));
    if state.keymap.command(&chord) == Some(Command::Redraw) && !(typing && a_character) {
        effects.push(Effect::Redraw);
        return;
    }
    if state.search.is_some() {
        search_key(state, chord);
        return;
    }
    match state.overlay {
        Overlay::Palette(_) => return palette_key(state, chord, effects),
        Overlay::Compose(_) => return compose::key(state, chord, effects),
        Overlay::Thread(_) => {
            if let Some(command) = state.keymap.command(&chord) {
                thread::command(state, command, effects);
            }
            return;
        }
        Overlay::Profile(_) => {
            if let Some(command) = state.keymap.command(&chord) {
                profile::command(state, command, effects);
            }
            return;
        }
        Overlay::People(_) => return people::key(state, chord, effects),
        Overlay::Muted(_) => return muted::key(state, chord, effects),
        Overlay::Confirm { .. } => return confirm::key(state, chord, effects),
        Overlay::MuteMenu { .. } => return edit::menu_key(state, chord, effects),
        Overlay::Which { .. } => return edit::which_key(state, chord, effects),
        Overlay::Prompt { .. } => return edit::prompt_key(state, chord, effects),
        Overlay::Explain { .. } | Overlay::Sources { .. } | Overlay::Stats { .. } => {
            return edit::explain_key(state, chord);
        }
        _ => {}
    }
    if digest::key(state, chord) {
        return;
    }
    let command = state.keymap.command(&chord);
    match (&mut state.overlay, command) {
        (Overlay::None, Some(command)) => run(state, command, effects),
        (Overlay::None, None) => {}
        (Overlay::Help { .. }, Some(Command::Help | Command::Close | Command::Quit)) => {
            state.overlay = Overlay::None;
        }
        (Overlay::Help { scroll }, Some(Command::NextPost | Command::PageDown)) => {
            *scroll = scroll.saturating_add(1);
        }
        (Overlay::Help { scroll }, Some(Command::PrevPost | Command::PageUp)) => {
            *scroll = scroll.saturating_sub(1);
        }
        (Overlay::Help { .. }, Some(Command::Suspend)) => effects.push(Effect::Suspend),
        (Overlay::Help { .. }, _) => {}
        (Overlay::Detail { .. }, Some(Command::Close | Command::OpenDetail | Command::Quit)) => {
            state.overlay = Overlay::None;
        }
        (Overlay::Detail { scroll }, Some(Command::PageDown)) => *scroll = scroll.saturating_add(5),
        (Overlay::Detail { scroll }, Some(Command::PageUp)) => *scroll = scroll.saturating_sub(5),
        // What acts on the selected post acts on the one shown.
        (Overlay::Detail { .. }, Some(command)) if commands::in_detail_view(command) => {
            run(state, command, effects);
            if let Overlay::Detail { scroll } = &mut state.overlay {
                *scroll = 0;
            }
        }
        (Overlay::Detail { .. }, Some(command)) => {
            state.message = Some(format!(
                "{} works on the columns; esc closes the post first",
                command.name()
            ));
        }
        (Overlay::Detail { .. }, None) => {
            if let Key::Char(c @ '1'..='9') = chord.key {
                open_link(state, usize::from(c as u8 - b'0'), effects);
            }
        }
        (
            Overlay::Palette(_)
            | Overlay::Compose(_)
            | Overlay::Thread(_)
            | Overlay::Profile(_)
            | Overlay::People(_)
            | Overlay::Muted(_)
            | Overlay::Which { .. }
            | Overlay::Confirm { .. }
            | Overlay::MuteMenu { .. }
            | Overlay::Prompt { .. }
            | Overlay::Explain { .. }
            | Overlay::Sources { .. }
            | Overlay::Stats { .. },
            _,
        ) => {}
    }
}

fn focus(state: &mut AppState, column: usize) {
    let last = state.views.len().saturating_sub(1);
    state.focus = column.min(last);
    state.first_column = view::scroll_to(
        state.first_column,
        state.focus,
        state.size.0,
        state.views.len(),
    );
}

/// Moves the selection to `to(selected, len)` and scrolls to show it.
fn select(state: &mut AppState, column: usize, to: impl Fn(usize, usize) -> usize) {
    let Some((view, len)) = touch(state, column) else {
        return;
    };
    view.selected = to(view.selected, len).min(len - 1);
    keep_selection_visible(state, column);
}

/// Marks a column's view as moved by the reader; its view and list length
/// when there is anything to move over.
fn touch(state: &mut AppState, column: usize) -> Option<(&mut ColumnView, usize)> {
    let len = state.list(column).len();
    let view = state.views.get_mut(column)?;
    view.touched = true;
    (len > 0).then_some((view, len))
}

fn page(state: &mut AppState, column: usize, down: bool) {
    let step = state.whole_cards(column).len().max(1);
    let Some((view, len)) = touch(state, column) else {
        return;
    };
    if down {
        view.offset = (view.offset + step).min(len - 1);
        view.selected = view.offset;
    } else {
        view.offset = view.offset.saturating_sub(step);
        view.selected = view.offset;
    }
    keep_selection_visible(state, column);
}

/// Scrolls a column so its selected card is wholly on screen (or, for a
/// card taller than the column, starts at the top).
fn keep_selection_visible(state: &mut AppState, column: usize) {
    let len = state.list(column).len();
    let Some(view) = state.views.get_mut(column) else {
        return;
    };
    if len == 0 {
        view.selected = 0;
        view.offset = 0;
        return;
    }
    view.selected = view.selected.min(len - 1);
    view.offset = view.offset.min(view.selected);
    let (selected, offset) = (view.selected, view.offset);
    let (width, height) = state.card_area(column);
    let list = state.list(column);
    // Heights of the cards from the selection up, until the column is full.
    let mut used = 0u32;
    let mut first = selected;
    for index in (offset..=selected).rev() {
        let Some(entry) = state.timeline.get(list[index]) else {
            continue;
        };
        let look = state.look(column, list[index], usize::from(width));
        let rows = card::card(&entry.post, look).len() as u32 + u32::from(index != selected);
        if used + rows > u32::from(height) && index != selected {
            break;
        }
        used += rows;
        first = index;
    }
    state.views[column].offset = first;
}

fn open_link(state: &mut AppState, n: usize, effects: &mut Vec<Effect>) {
    let Some(entry) = state.selected().and_then(|id| state.timeline.get(id)) else {
        state.message = Some("no post selected".into());
        return;
    };
    let url = match entry.post.links.get(n - 1) {
        Some(link) => Some(link.clone()),
        None if n == 1 => entry.post.url.clone(),
        None => {
            state.message = Some(format!("this post has no link {n}"));
            return;
        }
    };
    match url {
        Some(url) => match crate::model::openable(&url) {
            Ok(()) => {
                state.message = Some(format!("opening {url}"));
                effects.push(Effect::OpenUrl(url));
            }
            Err(why) => state.message = Some(why),
        },
        None => state.message = Some("this post has no link to open".into()),
    }
}

/// The URL `o` opens for a post: its first link, else the post itself.
pub fn first_link(post: &crate::model::Post) -> Option<&str> {
    post.links.first().or(post.url.as_ref()).map(String::as_str)
}

fn post_url(state: &AppState, id: PostId) -> Option<String> {
    let post = &state.timeline.get(id)?.post;
    post.url
        .clone()
        .or_else(|| post.uri.clone().filter(|u| u.starts_with("http")))
}

fn search_key(state: &mut AppState, chord: KeyChord) {
    let Some(mut text) = state.search.take() else {
        return;
    };
    let column = state.focus;
    match (chord.key, chord.ctrl || chord.alt) {
        (Key::Named(NamedKey::Enter), _) => {
            if text.is_empty() {
                state.message = None;
            } else {
                let n = state.list(column).len();
                state.message = Some(format!("{n} post(s) match “{text}” — esc clears"));
            }
            return;
        }
        (Key::Named(NamedKey::Esc), _) => {
            let before = state.views[column].before_search.take();
            set_query(state, column, String::new());
            if let Some((id, offset)) = before
                && let Some(at) = state.list(column).iter().position(|x| *x == id)
            {
                let view = &mut state.views[column];
                view.selected = at;
                view.offset = offset.min(at);
                keep_selection_visible(state, column);
            }
            return;
        }
        (Key::Named(NamedKey::Backspace), _) => {
            text.pop();
        }
        (Key::Char('u'), true) if chord.ctrl => text.clear(),
        (Key::Char('w'), true) if chord.ctrl => {
            let keep = text.trim_end().rfind(' ').map_or(0, |i| i + 1);
            text.truncate(keep);
        }
        (Key::Char(c), false) => text.push(c),
        _ => {}
    }
    set_query(state, column, text.clone());
    state.search = Some(text);
}

/// Sets a column's search; an empty query shows all.
fn set_query(state: &mut AppState, column: usize, query: String) {
    if query.is_empty() {
        state.views[column].before_search = None;
    }
    state.views[column].query = query;
    if let Some(digest) = state.views[column].digest.as_mut() {
        digest.selected = 0;
    }
    refresh(state, column);
}

/// Recomputes what a column shows: its posts, plus its muted ones when
/// revealed, filtered by its search (any case, in the text, content
/// warning, name, handle or tags). The selected post stays selected when
/// it still shows.
fn refresh(state: &mut AppState, column: usize) {
    let selected = state
        .list(column)
        .get(state.views[column].selected)
        .copied();
    let needle = state.views[column].query.trim().to_lowercase();
    let opened = state.views[column]
        .pinned
        .as_ref()
        .map(|(_, ids)| {
            ids.iter()
                .copied()
                .filter(|id| state.timeline.get(*id).is_some())
                .collect()
        })
        .or_else(|| digest::opened_posts(state, column));
    let shown = opened.or_else(|| {
        (state.reveal || !needle.is_empty()).then(|| {
            let own = state.timeline.column(column);
            let base = if state.reveal {
                merge(&state.timeline, own, state.timeline.hidden(column))
            } else {
                own.to_vec()
            };
            searched(state, base, &needle)
        })
    });
    state.views[column].shown = shown;
    let list = state.list(column);
    let at = selected.and_then(|id| list.iter().position(|x| *x == id));
    let view = &mut state.views[column];
    view.selected = at.unwrap_or(0);
    view.offset = view.offset.min(view.selected);
    keep_selection_visible(state, column);
}

/// Two newest-first lists as one.
fn merge(timeline: &Timeline, a: &[PostId], b: &[PostId]) -> Vec<PostId> {
    let key = |id: &PostId| {
        timeline
            .get(*id)
            .map(|e| (std::cmp::Reverse(e.post.created_at), std::cmp::Reverse(*id)))
    };
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if key(&a[i]) <= key(&b[j]) {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// The posts of `ids` a column's search (`needle`, in lower case) finds;
/// all of them for none.
fn searched(state: &AppState, ids: Vec<PostId>, needle: &str) -> Vec<PostId> {
    if needle.is_empty() {
        return ids;
    }
    ids.into_iter()
        .filter(|id| {
            state
                .timeline
                .get(*id)
                .is_some_and(|e| post_matches(&e.post, needle))
        })
        .collect()
}

fn post_matches(post: &crate::model::Post, needle: &str) -> bool {
    let has = |text: &str| text.to_lowercase().contains(needle);
    has(&post.text)
        || has(&post.author.handle)
        || has(&post.author.display_name)
        || post.content_warning.as_deref().is_some_and(has)
        || post.hashtags.iter().any(|t| has(t))
        || post.boosted_by.as_ref().is_some_and(|b| has(&b.handle))
        || post.quoted().is_some_and(|q| post_matches(q, needle))
}

fn palette_key(state: &mut AppState, chord: KeyChord, effects: &mut Vec<Effect>) {
    let Overlay::Palette(palette) = &mut state.overlay else {
        return;
    };
    match (chord.key, chord.ctrl) {
        (Key::Named(NamedKey::Esc), _) => state.overlay = Overlay::None,
        (Key::Named(NamedKey::Enter), _) => {
            let target = palette.chosen();
            state.overlay = Overlay::None;
            if let Some(target) = target {
                palette::go(state, target, effects);
            }
        }
        (Key::Named(NamedKey::Down | NamedKey::Tab), _) | (Key::Char('n' | 'j'), true) => {
            palette.step(1)
        }
        (Key::Named(NamedKey::Up | NamedKey::BackTab), _) | (Key::Char('p' | 'k'), true) => {
            palette.step(-1)
        }
        (Key::Named(NamedKey::Backspace), _) => {
            palette.query.pop();
            palette.refilter();
        }
        (Key::Char('u'), true) => {
            palette.query.clear();
            palette.refilter();
        }
        (Key::Char(c), false) if !chord.alt => {
            palette.query.push(c);
            palette.refilter();
        }
        _ => {}
    }
}

fn click(state: &mut AppState, x: u16, y: u16) {
    let geometry = state.geometry();
    if let Some(tabs) = geometry.tabs
        && tabs.contains((x, y).into())
    {
        if let Some(column) = tab_at(state, x) {
            focus(state, column);
        }
        return;
    }
    let Some((column, rect)) = geometry
        .columns
        .into_iter()
        .find(|(_, r)| r.contains((x, y).into()))
    else {
        return;
    };
    focus(state, column);
    let inner = view::inner(rect);
    if y < inner.y {
        return;
    }
    let row = y - inner.y;
    if digest::click(state, column, row, (inner.width, inner.height)) {
        return;
    }
    let (width, height) = state.card_area(column);
    let hit = state
        .place(column, width, height)
        .into_iter()
        .find(|p| row >= p.top && row <= p.top + p.lines.len() as u16);
    if let Some(hit) = hit {
        let view = &mut state.views[column];
        view.selected = hit.index;
        view.touched = true;
        keep_selection_visible(state, column);
    }
}

/// The tab under column `x` of the tab bar, as the ui lays them out.
pub fn tab_at(state: &AppState, x: u16) -> Option<usize> {
    let labels = tab_labels(state);
    let first = first_tab(&labels, state.focus, state.size.0);
    let mut left = 0u16;
    for (i, label) in labels.iter().enumerate().skip(first) {
        let w = card::width(label) as u16 + 1;
        if x >= left && x < left + w {
            return Some(i);
        }
        left += w;
    }
    None
}

/// The tab bar's labels: ` Name (unread) `.
pub fn tab_labels(state: &AppState) -> Vec<String> {
    state
        .rules
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| match state.timeline.unread(i) {
            0 => format!(" {} ", c.name),
            n => format!(" {} ({n}) ", c.name),
        })
        .collect()
}

/// The first tab shown so the focused tab fits in `width`.
pub fn first_tab(labels: &[String], focus: usize, width: u16) -> usize {
    let mut first = 0;
    let span = |from: usize| -> usize {
        labels[from..=focus.min(labels.len().saturating_sub(1))]
            .iter()
            .map(|l| card::width(l) + 1)
            .sum()
    };
    while first < focus && span(first) > usize::from(width) {
        first += 1;
    }
    first
}

fn wheel(state: &mut AppState, x: u16, y: u16, down: bool, effects: &mut Vec<Effect>) {
    match &state.overlay {
        Overlay::None => {}
        // A text being written is not scrolled by the wheel.
        Overlay::Compose(_) | Overlay::Prompt { .. } => return,
        // An overlay moves under the wheel as under the keys of the next
        // and previous post: the one that is no character (a filter being
        // typed never takes it), else the first.
        _ => {
            let command = if down {
                Command::NextPost
            } else {
                Command::PrevPost
            };
            let keys = state.keymap.keys(command);
            let chord = keys
                .iter()
                .find(|c| !matches!(c.key, Key::Char(_)))
                .or(keys.first())
                .copied();
            if let Some(chord) = chord {
                key(state, chord, effects);
            }
            return;
        }
    }
    let Some((column, _)) = state
        .geometry()
        .columns
        .into_iter()
        .find(|(_, r)| r.contains((x, y).into()))
    else {
        return;
    };
    let len = state.list(column).len();
    if len == 0 {
        return;
    }
    {
        let view = &mut state.views[column];
        view.touched = true;
        view.offset = if down {
            (view.offset + 1).min(len - 1)
        } else {
            view.offset.saturating_sub(1)
        };
        if view.selected < view.offset {
            view.selected = view.offset;
        }
    }
    let last_whole = state.whole_cards(column).last().map(|p| p.index);
    let view = &mut state.views[column];
    if let Some(last) = last_whole
        && view.selected > last
    {
        view.selected = last;
    }
}

fn source(state: &mut AppState, event: SourceEvent, effects: &mut Vec<Effect>) {
    match event {
        SourceEvent::State { source, state: new } => {
            let now = state.now;
            if let Some(s) = state.sources.iter_mut().find(|s| s.name == source) {
                s.state = new;
                s.since = now;
            }
        }
        SourceEvent::Titled { source, title } => {
            if let Some(s) = state.sources.iter_mut().find(|s| s.name == source) {
                s.title = Some(title);
            }
        }
        SourceEvent::Skipped { source, problem } => {
            if let Some(s) = state.sources.iter_mut().find(|s| s.name == source) {
                s.skipped += 1;
                s.last_problem = Some(problem);
            }
        }
        SourceEvent::Posts { source, posts } => add_posts(state, &source, posts, effects),
        SourceEvent::ReadMarker {
            source,
            marker,
            mark,
        } => markers::heard(state, &source, marker, mark),
        SourceEvent::Cursor { source, key, value } => {
            if state.persisting {
                effects.push(Effect::Persist(Write::Cursor { source, key, value }));
            }
        }
        SourceEvent::Updated { source, post } => {
            if let Some(id) = state.timeline.find(&source, &post.id) {
                replace_routed(state, id, *post, effects);
            }
        }
        SourceEvent::Deleted { source, id } => {
            // A post, or (Mastodon) a boost taken back: its booster comes
            // off the card, which goes if that was all it was.
            let found = state.timeline.find(&source, &id).or_else(|| {
                match state.timeline.unboost(&source, &id)? {
                    crate::store::Unboosted::Gone(card) => Some(card),
                    crate::store::Unboosted::Changed(card) => {
                        let post = state.timeline.get(card).map(|e| (*e.post).clone())?;
                        replace_routed(state, card, post, effects);
                        None
                    }
                }
            });
            if let Some(id) = found {
                if state.persisting
                    && let Some(entry) = state.timeline.get(id)
                {
                    effects.push(Effect::Persist(Write::Deleted(post_key(&entry.post))));
                }
                keep_places(state, |s| {
                    s.timeline.remove(id);
                    s.cw_open.remove(&id);
                });
            }
        }
    }
}

/// Puts `post` in place of post `id`, routed again, every column's place
/// kept; the cache gets the new version.
fn replace_routed(
    state: &mut AppState,
    id: PostId,
    post: crate::model::Post,
    effects: &mut Vec<Effect>,
) {
    let verdict = route(&state.rules, &post);
    keep_places(state, |s| {
        s.timeline.replace(id, post, verdict);
    });
    if state.persisting
        && let Some(entry) = state.timeline.get(id)
    {
        effects.push(Effect::Persist(Write::Posts(vec![Arc::clone(&entry.post)])));
    }
}

/// Runs a change to the timeline, then puts every column's selection and
/// first post on screen back on the same posts (or as near as they can be
/// when those went).
fn keep_places(state: &mut AppState, change: impl FnOnce(&mut AppState)) {
    let anchors = anchors(state);
    change(state);
    for (column, anchor) in anchors.into_iter().enumerate() {
        if state.views[column].shown.is_some() {
            refresh(state, column);
        }
        put_back(state, column, anchor);
        keep_selection_visible(state, column);
    }
}

/// A column's selected post and first post on screen, by post.
type Anchor = (Option<PostId>, Option<PostId>);

fn anchor(state: &AppState, column: usize) -> Anchor {
    let list = state.list(column);
    let view = &state.views[column];
    (
        list.get(view.selected).copied(),
        list.get(view.offset).copied(),
    )
}

fn anchors(state: &AppState) -> Vec<Anchor> {
    (0..state.views.len()).map(|c| anchor(state, c)).collect()
}

/// Points a column's selection and first post on screen at the anchored
/// posts again, wherever they are now; where one went, its index stays.
fn put_back(state: &mut AppState, column: usize, (selected, offset): Anchor) {
    let list = state.list(column);
    let find = |id: Option<PostId>, fallback: usize| {
        id.and_then(|id| list.iter().position(|x| *x == id))
            .unwrap_or(fallback)
    };
    let view = &state.views[column];
    let (selected, offset) = (find(selected, view.selected), find(offset, view.offset));
    let view = &mut state.views[column];
    view.selected = selected;
    view.offset = offset.min(selected);
}

/// The key a post of a `[[person]]`'s account is known by among their
/// recent posts: the person and the post's words. None for anyone else,
/// a boost or a notification.
fn cross_post_key(state: &AppState, post: &crate::model::Post) -> Option<(usize, String)> {
    if post.is_boost() || post.notice.is_some() || state.rules.persons.is_empty() {
        return None;
    }
    let index = post
        .author
        .keys()
        .find_map(|k| state.rules.person_index(k))?;
    let words = crate::model::people::cross_post_text(&post.text)?;
    Some((index, words))
}

/// The post `post` is a cross-post of: the same words by another of the
/// person's accounts within minutes.
fn cross_posted(
    state: &AppState,
    key: &(usize, String),
    post: &crate::model::Post,
) -> Option<PostId> {
    let &(id, at) = state.cross_posts.get(key)?;
    let first = &state.timeline.get(id)?.post;
    let near = (post.created_at - at).abs() <= crate::model::people::CROSS_POST_WITHIN;
    let other = first.author.key != post.author.key
        && !first.also_as.iter().any(|a| a.key == post.author.key);
    (near && other).then_some(id)
}

/// Keeps a person's post for the cross-posts to come; what is older than
/// an hour goes once there are many.
fn remember_cross_post(state: &mut AppState, key: (usize, String), id: PostId) {
    let at = state
        .timeline
        .get(id)
        .map_or(state.now, |e| e.post.created_at);
    if state.cross_posts.len() >= 512 {
        let cutoff = at - chrono::TimeDelta::hours(1);
        state.cross_posts.retain(|_, (_, when)| *when >= cutoff);
    }
    state.cross_posts.insert(key, (id, at));
}

/// What notifications say people did to the reader, for the people
/// ledger: each interaction (kept once however often it comes), and when
/// a follow began.
fn ledger_notices(source: &str, posts: &[crate::model::Post], effects: &mut Vec<Effect>) {
    use crate::model::people::Interaction;
    let mut list = Vec::new();
    for post in posts.iter().filter(|p| p.notice.is_some()) {
        if post.notice_kind() == Some(crate::model::NoticeKind::Follow) {
            effects.push(Effect::Persist(Write::FollowedAt {
                source: source.to_string(),
                who: post.author.key.clone(),
                at: post.created_at,
            }));
        }
        list.extend(Interaction::of_notification(post));
    }
    if !list.is_empty() {
        effects.push(Effect::Persist(Write::Interactions {
            source: source.to_string(),
            list,
        }));
    }
}

/// Routes and stores a batch of posts. In a column the reader has moved
/// in — or in any column once the source is live — the selected post stays
/// the same post. A reader at the top (the newest post on screen) sees new
/// posts slide in at the top; one who has scrolled down keeps the same
/// first post on screen, and what arrived above waits behind the "▲ N new"
/// marker.
fn add_posts(
    state: &mut AppState,
    source: &str,
    posts: Vec<crate::model::Post>,
    effects: &mut Vec<Effect>,
) {
    let live = matches!(
        state.source_state(source),
        Some(SourceState::Live | SourceState::Incomplete(_))
    );
    let anchors = anchors(state);
    let mut alerting: Vec<(String, crate::config::NotifyMode, PostId)> = Vec::new();
    let mut added = 0;
    let mut kept = Vec::new();
    // With muted posts revealed, a muted arrival changes columns too.
    let mut touched_columns = vec![state.reveal; state.views.len()];
    let evictions = state.timeline.evictions();
    if state.persisting {
        ledger_notices(source, &posts, effects);
    }
    for post in posts {
        // Another copy of a post already here: a second boost, or its
        // author's own. Its card now names every booster, and it is routed
        // again with all of them (and kept so in the cache).
        if let Some(id) = state.timeline.same_as(&post) {
            if state.timeline.merge_copy(id, &post)
                && let Some(entry) = state.timeline.get(id)
            {
                let merged = (*entry.post).clone();
                let verdict = route(&state.rules, &merged);
                touched_columns
                    .iter_mut()
                    .enumerate()
                    .filter(|(c, _)| {
                        let c = *c as u16;
                        entry.verdict.columns.contains(&c) || verdict.columns.contains(&c)
                    })
                    .for_each(|(_, touched)| *touched = true);
                state.timeline.replace(id, merged, verdict);
                if state.persisting
                    && let Some(entry) = state.timeline.get(id)
                {
                    kept.push(Arc::clone(&entry.post));
                }
            }
            continue;
        }
        // The same post by another account of its author's person: one
        // card names both.
        let cross = cross_post_key(state, &post);
        if let Some(id) = cross
            .as_ref()
            .and_then(|key| cross_posted(state, key, &post))
        {
            if let Some(entry) = state.timeline.get(id) {
                let mut merged = (*entry.post).clone();
                merged.also_as.push((*post.author).clone());
                let verdict = entry.verdict.clone();
                for column in &verdict.columns {
                    if let Some(touched) = touched_columns.get_mut(usize::from(*column)) {
                        *touched = true;
                    }
                }
                state.timeline.replace(id, merged, verdict);
                if state.persisting
                    && let Some(entry) = state.timeline.get(id)
                {
                    kept.push(Arc::clone(&entry.post));
                }
            }
            continue;
        }
        let verdict = route(&state.rules, &post);
        let muted = verdict.muted.is_some();
        // Read already, where the server keeps its marker.
        let read = state.markers.covers(source, &post);
        let Some(inserted) = state.timeline.insert(post, verdict) else {
            continue;
        };
        if read {
            state.timeline.mark_seen(inserted.id);
        }
        if let Some(key) = cross {
            remember_cross_post(state, key, inserted.id);
        }
        if state.persisting
            && let Some(entry) = state.timeline.get(inserted.id)
        {
            kept.push(Arc::clone(&entry.post));
        }
        added += 1;
        if muted {
            state.muted_today += 1;
        }
        // A post alerts once: where it first landed in a notify column,
        // in every way its columns (and `[notify] amplified`) ask.
        let mut alert: Option<(String, crate::config::NotifyMode)> = None;
        for (column, _) in inserted.placed {
            touched_columns[column] = true;
            let column = &state.rules.columns[column];
            if let Some(mode) = column.notify.filter(|_| live) {
                alert = Some(match alert {
                    Some((place, was)) => (place, was.with(mode)),
                    None => (column.name.clone(), mode),
                });
            }
        }
        if let Some(mode) = state.rules.notify.amplified.filter(|_| live && !muted)
            && state
                .timeline
                .get(inserted.id)
                .is_some_and(|e| e.verdict.amplified)
        {
            alert = Some(match alert {
                Some((place, was)) => (place, was.with(mode)),
                None => ("amplified".to_string(), mode),
            });
        }
        if let Some((place, mode)) = alert.filter(|_| !read) {
            alerting.push((place, mode, inserted.id));
        }
    }
    if let Some(s) = state.sources.iter_mut().find(|s| s.name == source) {
        s.posts += added;
    }
    // Posts evicted may have left any column, anywhere in it.
    if state.timeline.evictions() != evictions {
        touched_columns.fill(true);
    }
    for (column, changed) in touched_columns.into_iter().enumerate() {
        if !changed {
            continue;
        }
        if state.views[column].shown.is_some() {
            refresh(state, column);
        }
        if live || state.views[column].touched {
            let (selected, first) = anchors[column];
            let at_top = state.views[column].offset == 0;
            put_back(state, column, (selected, if at_top { None } else { first }));
            if at_top {
                state.views[column].offset = 0;
                keep_selection_visible(state, column);
            }
        }
    }
    let arrivals = alerting
        .into_iter()
        .filter_map(|(place, mode, id)| {
            let post = Arc::clone(&state.timeline.get(id)?.post);
            Some(alert::Arrival { place, mode, post })
        })
        .collect();
    alert::arrived(state, arrivals, effects);
    if !kept.is_empty() {
        effects.push(Effect::Persist(Write::Posts(kept)));
    }
}

/// How long a post must be wholly on screen to count as seen: long enough
/// to read its first line, short enough that paging past it does not.
pub const SEEN_AFTER: chrono::TimeDelta = chrono::TimeDelta::seconds(1);

/// The reader has seen what has been wholly on screen in the focused column
/// for [`SEEN_AFTER`], and at once the post open in the detail view.
fn mark_visible_seen(state: &mut AppState) {
    if state.size.0 == 0 || state.size.1 == 0 {
        return;
    }
    let column = state.focus;
    let visible: Vec<PostId> = state
        .whole_cards(column)
        .into_iter()
        .map(|p| p.id)
        .filter(|id| state.timeline.get(*id).is_some_and(|e| !e.seen))
        .collect();
    let now = state.now;
    state.on_screen.retain(|id, _| visible.contains(id));
    for id in visible {
        let since = *state.on_screen.entry(id).or_insert(now);
        if now - since >= SEEN_AFTER {
            state.timeline.mark_seen(id);
            state.on_screen.remove(&id);
        }
    }
    if matches!(state.overlay, Overlay::Detail { .. })
        && let Some(id) = state.selected()
    {
        state.timeline.mark_seen(id);
    }
}
