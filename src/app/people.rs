//! The people view (`P`): one row per person from the ledger — how you
//! stand, engagement both ways, posts a day, circles, class — with tabs by
//! class, a sort by any column, a fuzzy search, and one key to act on a
//! row (`c`, `m`, `a`, `F`, `Enter`); `e` says why a class, `s` scans
//! (ARCHITECTURE.md, "People").

use super::{AppState, Effect, Overlay};
use crate::config::{Command, Key, KeyChord, NamedKey};
use crate::model::people::Engaged;
use crate::model::{Account, Network, Post};
use crate::people::{Class, Ledger, Row};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

/// What the table is sorted by (`o` steps through them, `O` reverses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Class,
    Name,
    Relation,
    In,
    Out,
    PerDay,
}

impl Sort {
    const ALL: [Sort; 6] = [
        Sort::Class,
        Sort::Name,
        Sort::Relation,
        Sort::In,
        Sort::Out,
        Sort::PerDay,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Sort::Class => "class",
            Sort::Name => "name",
            Sort::Relation => "follow",
            Sort::In => "in",
            Sort::Out => "out",
            Sort::PerDay => "posts a day",
        }
    }

    fn next(self) -> Sort {
        let at = Sort::ALL.iter().position(|s| *s == self).unwrap_or(0);
        Sort::ALL[(at + 1) % Sort::ALL.len()]
    }
}

/// One circle's share of the reader's attention.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    pub column: String,
    /// Its share of the posts in the timeline.
    pub posts: f64,
    /// Its people's share of the reader's replies.
    pub replies: f64,
}

/// The people overlay.
#[derive(Debug, Clone, PartialEq)]
pub struct PeopleView {
    /// Everyone, as the ledger and the config make them.
    pub rows: Vec<Row>,
    /// The rows shown (tab, search, sort), as indices into `rows`.
    pub shown: Vec<usize>,
    /// The class tab; `None` is everyone.
    pub tab: Option<Class>,
    pub sort: Sort,
    pub descending: bool,
    /// The fuzzy search over names and handles.
    pub query: String,
    /// The search is being typed.
    pub typing: bool,
    pub selected: usize,
    pub offset: usize,
    /// The selected person as the author of a post, for what acts on an
    /// author (`c`, `m`, `a`, `F`, the profile).
    pub anchor: Option<Post>,
    pub loading: bool,
    /// The scan's progress, or how it ended.
    pub scan: Option<String>,
    pub error: Option<String>,
    /// The selected row's reason is shown in full.
    pub explain: bool,
    pub budget: Vec<Budget>,
    /// The source whose account acts for the rows.
    pub source: Option<String>,
    /// Accounts that may be one person; `L` links the first.
    pub suggestions: Vec<crate::people::Suggestion>,
}

impl PeopleView {
    fn new(source: Option<String>) -> Self {
        PeopleView {
            rows: Vec::new(),
            shown: Vec::new(),
            tab: None,
            sort: Sort::Class,
            descending: false,
            query: String::new(),
            typing: false,
            selected: 0,
            offset: 0,
            anchor: None,
            loading: true,
            scan: None,
            error: None,
            explain: false,
            budget: Vec::new(),
            source,
            suggestions: Vec::new(),
        }
    }

    /// The row selected, if any.
    pub fn current(&self) -> Option<&Row> {
        self.shown
            .get(self.selected)
            .and_then(|i| self.rows.get(*i))
    }

    /// How many rows each tab has, everyone first.
    pub fn counts(&self) -> Vec<(Option<Class>, usize)> {
        std::iter::once((None, self.rows.len()))
            .chain(
                Class::ALL
                    .into_iter()
                    .map(|c| (Some(c), self.rows.iter().filter(|r| r.class == c).count())),
            )
            .collect()
    }
}

/// The source whose account the view acts through: the first Mastodon or
/// Bluesky source with an account.
fn acting_source(state: &AppState) -> Option<String> {
    state
        .source_specs
        .iter()
        .find(|s| s.kind.acts())
        .map(|s| s.name.clone())
}

/// `P`: opens the view and asks for the ledger.
pub(super) fn open(state: &mut AppState, effects: &mut Vec<Effect>) {
    let mut view = PeopleView::new(acting_source(state));
    view.scan = None;
    state.overlay = Overlay::People(Box::new(view));
    effects.push(Effect::Ledger {
        since: state.now - state.rules.people.window,
    });
}

/// The ledger as the cache gave it (or why not), for the view if open.
pub(super) fn loaded(state: &mut AppState, result: Result<Box<Ledger>, String>) {
    let mut suggestions = Vec::new();
    let rows = match result {
        Ok(mut ledger) => {
            let since = state.now - state.rules.people.window;
            (ledger.seen, ledger.seen_days) = crate::people::seen_in(
                state.timeline.entries().map(|(_, e)| &*e.post),
                since,
                state.now,
            );
            suggestions = crate::people::suggestions(&ledger, &state.rules);
            Ok(crate::people::rows(&ledger, &state.rules, state.now))
        }
        Err(why) => Err(why),
    };
    let budget = match &rows {
        Ok(rows) => budget(state, rows),
        Err(_) => Vec::new(),
    };
    let Overlay::People(view) = &mut state.overlay else {
        return;
    };
    view.loading = false;
    match rows {
        Ok(rows) => {
            let kept = view.current().map(|r| r.key.clone());
            view.rows = rows;
            view.budget = budget;
            view.suggestions = suggestions;
            view.error = None;
            refilter(view);
            if let Some(at) = kept.and_then(|k| {
                view.shown
                    .iter()
                    .position(|i| view.rows.get(*i).is_some_and(|r| r.key == k))
            }) {
                view.selected = at;
            }
            anchor(view);
        }
        Err(why) => view.error = Some(why),
    }
}

/// Each circle's share of the posts and of the reader's replies.
fn budget(state: &AppState, rows: &[Row]) -> Vec<Budget> {
    let total_posts = state.timeline.len().max(1) as f64;
    let replies: u32 = rows
        .iter()
        .map(|r| r.facts.outbound.get(Engaged::Reply))
        .sum();
    state
        .rules
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.rest)
        .map(|(i, c)| {
            let theirs: u32 = rows
                .iter()
                .filter(|r| r.circles.contains(&c.name))
                .map(|r| r.facts.outbound.get(Engaged::Reply))
                .sum();
            Budget {
                column: c.name.clone(),
                posts: state.timeline.column(i).len() as f64 / total_posts,
                replies: if replies == 0 {
                    0.0
                } else {
                    f64::from(theirs) / f64::from(replies)
                },
            }
        })
        .collect()
}

/// Applies the tab, the search and the sort.
fn refilter(view: &mut PeopleView) {
    let matcher = SkimMatcherV2::default().ignore_case();
    let query = view.query.trim();
    let mut shown: Vec<(usize, i64)> = view
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| view.tab.is_none_or(|t| r.class == t))
        .filter_map(|(i, r)| {
            if query.is_empty() {
                return Some((i, 0));
            }
            let text = format!("{} {}", r.name, r.accounts.join(" "));
            matcher.fuzzy_match(&text, query).map(|score| (i, score))
        })
        .collect();
    let rows = &view.rows;
    let key = |i: usize| &rows[i];
    if query.is_empty() || view.sort != Sort::Class {
        // Names compare in lower case, made once per row, not per
        // comparison.
        let names: Vec<String> = match view.sort {
            Sort::Name => rows.iter().map(|r| name_of(r).to_lowercase()).collect(),
            _ => Vec::new(),
        };
        shown.sort_unstable_by(|a, b| {
            let (x, y) = (key(a.0), key(b.0));
            let order = match view.sort {
                Sort::Class => x.class.cmp(&y.class),
                Sort::Name => names[a.0].cmp(&names[b.0]),
                Sort::Relation => relation(x).cmp(&relation(y)),
                Sort::In => y.facts.inbound.total().cmp(&x.facts.inbound.total()),
                Sort::Out => y.facts.outbound.total().cmp(&x.facts.outbound.total()),
                Sort::PerDay => y.facts.posts_per_day.total_cmp(&x.facts.posts_per_day),
            };
            let order = order
                .then_with(|| x.handle.cmp(&y.handle))
                .then_with(|| x.key.cmp(&y.key));
            if view.descending {
                order.reverse()
            } else {
                order
            }
        });
    } else {
        // A search with the default sort: best match first.
        shown.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    }
    view.shown = shown.into_iter().map(|(i, _)| i).collect();
    view.selected = view.selected.min(view.shown.len().saturating_sub(1));
    view.offset = view.offset.min(view.selected);
}

/// The name a person sorts by: their display name, else their handle
/// without its `@`.
fn name_of(row: &Row) -> &str {
    if row.name.is_empty() {
        row.handle.trim_start_matches('@')
    } else {
        &row.name
    }
}

/// Mutual first, then the reader follows, then follows the reader.
fn relation(row: &Row) -> u8 {
    match (row.i_follow, row.follows_me) {
        (true, true) => 0,
        (true, false) => 1,
        (false, true) => 2,
        (false, false) => 3,
    }
}

/// The selected person as the author of a post of the acting source.
fn anchor(view: &mut PeopleView) {
    view.anchor = view.current().map(|row| {
        let network = if row.key.contains('@') || row.key.starts_with("feed:") {
            Network::Mastodon
        } else {
            Network::Bluesky
        };
        let mut account = Account::new(&row.handle, &row.name, network);
        if row.key.starts_with("did:") {
            account = account.with_did(&row.key);
        }
        Post::new(
            view.source.as_deref().unwrap_or(""),
            "",
            account,
            chrono::DateTime::UNIX_EPOCH,
            "",
        )
    });
}

/// The scan's news: its progress, its end, or its failure.
pub(super) fn scanned(
    state: &mut AppState,
    news: crate::model::people::ScanNews,
    effects: &mut Vec<Effect>,
) {
    use crate::model::people::ScanNews;
    let reload = matches!(news, ScanNews::Done(_) | ScanNews::Failed(_));
    let Overlay::People(view) = &mut state.overlay else {
        if let ScanNews::Done(said) | ScanNews::Failed(said) = news {
            state.message = Some(said);
        }
        return;
    };
    view.scan = Some(match news {
        ScanNews::Progress(line) | ScanNews::Done(line) | ScanNews::Failed(line) => line,
    });
    if reload {
        view.loading = true;
        let since = state.now - state.rules.people.window;
        effects.push(Effect::Ledger { since });
    }
}

/// A key in the people view.
pub(super) fn key(state: &mut AppState, chord: KeyChord, effects: &mut Vec<Effect>) {
    let Overlay::People(view) = &mut state.overlay else {
        return;
    };
    if view.typing {
        match chord.key {
            Key::Named(NamedKey::Enter) => view.typing = false,
            Key::Named(NamedKey::Esc) => {
                view.typing = false;
                view.query.clear();
            }
            Key::Named(NamedKey::Backspace) => {
                view.query.pop();
            }
            Key::Char(c) if !chord.ctrl && !chord.alt => view.query.push(c),
            _ => return,
        }
        view.selected = 0;
        view.offset = 0;
        refilter(view);
        anchor(view);
        return;
    }
    if !chord.ctrl && !chord.alt {
        match chord.key {
            Key::Char('o') => {
                view.sort = view.sort.next();
                view.descending = false;
                refilter(view);
                anchor(view);
                state.message = Some(format!("sorted by {}", view.sort.name()));
                return;
            }
            Key::Char('O') => {
                view.descending = !view.descending;
                refilter(view);
                anchor(view);
                return;
            }
            Key::Char('L') => {
                if view.suggestions.is_empty() {
                    state.message = Some("no accounts to link: none look like one person".into());
                    return;
                }
                let suggestion = view.suggestions.remove(0);
                let accounts: Vec<crate::config::Who> = suggestion
                    .accounts
                    .iter()
                    .map(|a| crate::config::Who::from(a.as_str()))
                    .collect();
                effects.push(Effect::Edit {
                    done: format!(
                        "{} are one person now: person:{}{}",
                        suggestion.accounts.join(" and "),
                        suggestion.name,
                        super::edit::UNDO_HINT
                    ),
                    edit: crate::config::Edit::Person {
                        name: suggestion.name,
                        accounts,
                    },
                });
                return;
            }
            Key::Char('s') => {
                if view
                    .scan
                    .as_deref()
                    .is_some_and(|s| s.starts_with("scanning"))
                {
                    state.message = Some("a scan is running".into());
                } else {
                    view.scan = Some("scanning…".into());
                    effects.push(Effect::ScanPeople(state.rules.people));
                }
                return;
            }
            _ => {}
        }
    }
    let Some(command) = state.keymap.command(&chord) else {
        return;
    };
    let len = view.shown.len();
    match command {
        Command::Close | Command::Quit | Command::People => {
            if !view.query.is_empty() && command == Command::Close {
                view.query.clear();
                refilter(view);
                anchor(view);
            } else {
                state.overlay = Overlay::None;
            }
            return;
        }
        Command::NextPost => view.selected = (view.selected + 1).min(len.saturating_sub(1)),
        Command::PrevPost => view.selected = view.selected.saturating_sub(1),
        Command::Top => view.selected = 0,
        Command::Bottom => view.selected = len.saturating_sub(1),
        Command::PageDown => view.selected = (view.selected + 10).min(len.saturating_sub(1)),
        Command::PageUp => view.selected = view.selected.saturating_sub(10),
        Command::ColumnRight | Command::ColumnLeft => {
            let tabs: Vec<Option<Class>> = std::iter::once(None)
                .chain(Class::ALL.into_iter().map(Some))
                .collect();
            let at = tabs.iter().position(|t| *t == view.tab).unwrap_or(0);
            let step = if command == Command::ColumnRight {
                1
            } else {
                tabs.len() - 1
            };
            view.tab = tabs[(at + step) % tabs.len()];
            view.selected = 0;
            view.offset = 0;
            refilter(view);
        }
        Command::Search => {
            view.typing = true;
            return;
        }
        Command::Explain => view.explain = !view.explain,
        Command::OpenDetail => {
            let Some(anchor) = view.anchor.clone() else {
                return;
            };
            let Some(source) = view.source.clone() else {
                state.message = Some("no Mastodon or Bluesky source to ask for profiles".into());
                return;
            };
            effects.push(Effect::Profile {
                source: source.clone(),
                account: Box::new((*anchor.author).clone()),
            });
            state.overlay = Overlay::Profile(Box::new(super::profile::ProfileView::asking(
                source, anchor,
            )));
            return;
        }
        Command::AddToColumn
        | Command::PostsColumn
        | Command::MuteAuthor
        | Command::Amplify
        | Command::Follow
        | Command::Undo
        | Command::Help
        | Command::Suspend => {
            if view.anchor.is_none() {
                state.message = Some("no one selected".into());
                return;
            }
            return super::run(state, command, effects);
        }
        other => {
            state.message = Some(format!(
                "{} works on posts; esc closes the people view first",
                other.name()
            ));
            return;
        }
    }
    anchor(view);
}
