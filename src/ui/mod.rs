//! The ui: pure drawing of an [`AppState`] into a ratatui frame (ARCHITECTURE.md, "Data flow").
//!
//! `render` reads the state and changes nothing; every position comes from
//! `app::view` and every card's text from `app::card`, the same functions
//! the reducer measures with, so what the reducer thinks is on screen is
//! what is drawn. Post text was sanitized when decoded; names from the
//! config are sanitized here.
//!
//! May touch: `app`, `config`, `model`; ratatui.

use crate::app::card::{self, Line as CardLine, Tone};
use crate::app::view;
use crate::app::{
    AppState, NEW_MARKER_SCAN, Overlay, Purpose, SourceStatus, first_tab, tab_labels,
};
use crate::config::{Colour, Command, Style as ColumnStyle, Theme};
use crate::model::SourceState;
use crate::model::sanitize_line;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::buffer::{Buffer, CellDiffOption};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Widget};

/// The theme's colours as the terminal's, or none at all (`NO_COLOR`),
/// where reversed video and heavier borders keep focus and selection seen.
#[derive(Clone, Copy)]
struct Paint<'a> {
    theme: &'a Theme,
    plain: bool,
}

impl<'a> Paint<'a> {
    fn of(state: &'a AppState) -> Self {
        Paint {
            theme: &state.theme,
            plain: state.no_color,
        }
    }

    fn color(self, colour: Colour) -> Color {
        if self.plain {
            return Color::Reset;
        }
        match colour {
            Colour::Default => Color::Reset,
            Colour::Black => Color::Black,
            Colour::Red => Color::Red,
            Colour::Green => Color::Green,
            Colour::Yellow => Color::Yellow,
            Colour::Blue => Color::Blue,
            Colour::Magenta => Color::Magenta,
            Colour::Cyan => Color::Cyan,
            Colour::Gray => Color::Gray,
            Colour::DarkGray => Color::DarkGray,
            Colour::LightRed => Color::LightRed,
            Colour::LightGreen => Color::LightGreen,
            Colour::LightYellow => Color::LightYellow,
            Colour::LightBlue => Color::LightBlue,
            Colour::LightMagenta => Color::LightMagenta,
            Colour::LightCyan => Color::LightCyan,
            Colour::White => Color::White,
            Colour::Rgb(r, g, b) => Color::Rgb(r, g, b),
            Colour::Indexed(i) => Color::Indexed(i),
        }
    }

    fn fg(self, colour: Colour) -> Style {
        Style::new().fg(self.color(colour))
    }

    fn focus(self) -> Style {
        self.fg(self.theme.focus)
    }

    fn quiet(self) -> Style {
        self.fg(self.theme.quiet)
    }

    /// Text on a ground of `colour` (a notice, the new-posts marker, the
    /// focused tab), in the status bar's colour; reversed without colours.
    fn badge(self, colour: Colour) -> Style {
        if self.plain {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
                .fg(self.color(self.theme.bar))
                .bg(self.color(colour))
        }
    }

    /// The config-error bar.
    fn alarm(self) -> Style {
        if self.plain {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
                .fg(Color::White)
                .bg(self.color(self.theme.errors))
        }
    }
}

/// Draws the whole screen (with no images: see [`render_with`]).
pub fn render(state: &AppState, frame: &mut Frame) {
    draw(state, frame.area(), frame.buffer_mut());
}

/// Draws the whole screen with the images that are ready; the ones it
/// wanted and did not have are left in `images` to be fetched.
pub fn render_with(state: &AppState, images: &Images, frame: &mut Frame) {
    draw_with(state, images, frame.area(), frame.buffer_mut());
}

/// Draws the whole screen into a buffer (what [`render`] does, for tests
/// and benchmarks that hold a buffer rather than a frame).
pub fn draw(state: &AppState, area: Rect, buf: &mut Buffer) {
    draw_with(state, &Images::default(), area, buf);
}

/// Posts' images as the screen draws them: encoded for the terminal at a
/// size in cells, by URL. The ui only reads them; what a frame wanted and
/// did not find is noted (`wanted`) for the event loop to fetch, decode and
/// encode off the loop (`cli/tui/images.rs`).
#[derive(Default)]
pub struct Images {
    ready: std::collections::HashMap<ImageKey, ratatui_image::protocol::Protocol>,
    /// Ready ones, oldest first, so the memory they take is bounded.
    order: std::collections::VecDeque<ImageKey>,
    failed: std::collections::HashMap<String, String>,
    wanted: std::cell::RefCell<Vec<ImageKey>>,
}

/// An image's URL and the cells it is drawn in.
pub type ImageKey = (String, u16, u16);

/// How many encoded images are kept.
const KEEP_IMAGES: usize = 48;

impl Images {
    pub fn insert(&mut self, key: ImageKey, image: ratatui_image::protocol::Protocol) {
        if self.ready.insert(key.clone(), image).is_none() {
            self.order.push_back(key);
        }
        while self.order.len() > KEEP_IMAGES {
            if let Some(old) = self.order.pop_front() {
                self.ready.remove(&old);
            }
        }
    }

    /// The image at `url` cannot be shown, and why.
    pub fn fail(&mut self, url: String, why: String) {
        self.failed.insert(url, why);
    }

    /// Ask for the image at `url` again when it is next in view.
    pub fn forget_failure(&mut self, url: &str) {
        self.failed.remove(url);
    }

    /// What the frames drawn since the last call wanted and did not have.
    pub fn take_wanted(&self) -> Vec<ImageKey> {
        let mut wanted = std::mem::take(&mut *self.wanted.borrow_mut());
        wanted.sort();
        wanted.dedup();
        wanted
    }

    /// Draws the image at `url` over `rect`, or says why not yet.
    fn draw(&self, p: Paint, url: &str, rect: Rect, buf: &mut Buffer) {
        use ratatui::widgets::Widget as _;
        let key = (url.to_string(), rect.width, rect.height);
        if let Some(image) = self.ready.get(&key) {
            ratatui_image::Image::new(image).render(rect, buf);
            return;
        }
        let text = match self.failed.get(url) {
            Some(why) => format!("▣ image not shown: {}", sanitize_line(why)),
            None => {
                self.wanted.borrow_mut().push(key);
                "◌ loading the image…".to_string()
            }
        };
        // Wrapped in the image's place: why it is not shown is read whole.
        let rows = textwrap::wrap(&text, usize::from(rect.width).max(1));
        for (row, y) in rows.iter().zip(rect.top()..rect.bottom()) {
            buf.set_stringn(rect.x, y, row, usize::from(rect.width), p.quiet());
        }
    }
}

/// Draws the images of `lines` (drawn from row `top`, the first `skip`
/// lines scrolled away, in `area`): each run of image rows whose whole
/// run is in view.
fn draw_images(
    p: Paint,
    images: &Images,
    lines: &[CardLine],
    (top, skip): (i32, usize),
    area: Rect,
    buf: &mut Buffer,
) {
    let mut i = 0;
    while i < lines.len() {
        let url = match lines[i].first() {
            Some(piece) if piece.tone == Tone::Image => piece.link.clone(),
            _ => None,
        };
        let Some(url) = url else {
            i += 1;
            continue;
        };
        let start = i;
        while i < lines.len()
            && lines[i]
                .first()
                .is_some_and(|q| q.tone == Tone::Image && q.link.as_deref() == Some(url.as_str()))
        {
            i += 1;
        }
        let y = top + start as i32 - skip as i32;
        let rows = (i - start) as i32;
        if start >= skip && y >= i32::from(area.y) && y + rows <= i32::from(area.bottom()) {
            let rect = Rect {
                x: area.x,
                y: y as u16,
                width: area.width,
                height: rows as u16,
            };
            images.draw(p, &url, rect, buf);
        }
    }
}

/// Draws the whole screen with `images` into a buffer.
pub fn draw_with(state: &AppState, images: &Images, area: Rect, buf: &mut Buffer) {
    let p = Paint::of(state);
    let geometry = view::geometry(
        area,
        state.views.len(),
        state.first_column,
        state.focus,
        state.status_rows(area.width),
    );
    if let Some(tabs) = geometry.tabs {
        draw_tabs(state, tabs, buf);
    }
    if geometry.columns.is_empty() && area.height > 1 {
        Paragraph::new("No columns: add a [[column]] table to the config (see the README).")
            .style(p.quiet())
            .render(
                Rect {
                    height: area.height - 1,
                    ..area
                },
                buf,
            );
    }
    let last = geometry.columns.len().saturating_sub(1);
    for (i, &(column, rect)) in geometry.columns.iter().enumerate() {
        let more_left = i == 0 && column > 0;
        let more_right = i == last && column + 1 < state.views.len();
        draw_column(state, images, column, rect, (more_left, more_right), buf);
    }
    draw_status(state, geometry.status, buf);
    match &state.overlay {
        Overlay::None => {}
        Overlay::Help { scroll } => draw_help(state, area, *scroll, buf),
        Overlay::Detail { scroll } => draw_detail(state, images, area, *scroll, buf),
        Overlay::Palette(palette) => draw_palette(p, palette, area, buf),
        Overlay::MuteMenu { handle } => draw_mute_menu(p, &handle.to_string(), area, buf),
        Overlay::Prompt { purpose, text } => draw_prompt(p, purpose, text, area, buf),
        Overlay::Explain { scroll, text } => draw_explain(p, text, area, *scroll, buf),
        Overlay::Sources { scroll } => draw_sources(state, area, *scroll, buf),
        Overlay::Stats { scroll, counted } => draw_stats(state, counted, area, *scroll, buf),
        Overlay::Compose(compose) => draw_compose(p, compose, area, buf),
        Overlay::Thread(thread) => draw_thread(state, thread, area, buf),
        Overlay::Profile(view) => draw_profile(state, view, area, buf),
        Overlay::People(view) => draw_people(state, view, area, buf),
        Overlay::Muted(view) => draw_muted(state, view, area, buf),
        Overlay::Which {
            command,
            account,
            person,
            back,
        } => {
            match &**back {
                Overlay::Profile(view) => draw_profile(state, view, area, buf),
                Overlay::People(view) => draw_people(state, view, area, buf),
                Overlay::Thread(thread) => draw_thread(state, thread, area, buf),
                _ => {}
            }
            draw_which(p, *command, &account.to_string(), person, area, buf);
        }
        Overlay::Confirm { question, back, .. } => {
            // What was open stays in view under the question.
            match &**back {
                Overlay::Muted(view) => draw_muted(state, view, area, buf),
                Overlay::Profile(view) => draw_profile(state, view, area, buf),
                Overlay::Thread(thread) => draw_thread(state, thread, area, buf),
                _ => {}
            }
            draw_confirm(p, question, area, buf);
        }
    }
}

/// The muted tail by the rule that took each post, most first.
fn draw_muted(state: &AppState, view: &crate::app::MutedView, area: Rect, buf: &mut Buffer) {
    let p = Paint::of(state);
    let groups = &view.groups;
    let total: usize = groups.iter().map(|g| g.posts.len()).sum();
    let mut lines: Vec<Line<'static>> = vec![Line::from(Span::styled(
        format!("{total} muted posts, by rule · enter opens · x lifts the rule (asks) · u undoes"),
        p.quiet(),
    ))];
    if groups.is_empty() {
        lines.push(Line::from(Span::styled("nothing is muted now", p.quiet())));
    }
    for (i, group) in groups.iter().enumerate() {
        let words = sanitize_line(&crate::config::lift_words(&group.rule)).into_owned();
        let text = format!(" {:>6}  {words}", group.posts.len());
        let style = if i == view.selected {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
        };
        lines.push(Line::from(Span::styled(text, style)));
    }
    let height = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let inner = overlay_box(p, area, 90, height, "The muted tail — esc closes", buf);
    let skip = view
        .selected
        .saturating_sub(usize::from(inner.height).saturating_sub(2));
    let shown: Vec<Line> = lines
        .iter()
        .take(1)
        .chain(lines.iter().skip(1 + skip))
        .cloned()
        .collect();
    draw_lines(&shown, inner, 0, buf);
}

/// A column's digest: what the window holds, the most shared links, then
/// one row per person (two lines each: who and how much, then their
/// newest post's start).
fn draw_digest(
    state: &AppState,
    digest: &crate::app::digest::Digest,
    column: usize,
    inner: Rect,
    buf: &mut Buffer,
) {
    use crate::app::digest::Pick;
    let p = Paint::of(state);
    let focused = column == state.focus;
    let width = usize::from(inner.width.saturating_sub(1));
    let [what, keys] = crate::app::digest::header(state, digest, column);
    let header = [
        Line::from(Span::styled(what, p.fg(p.theme.warnings))),
        Line::from(Span::styled(keys, p.quiet())),
    ];
    let mut y = inner.y;
    for line in header {
        for row in wrap_line(&line, width) {
            if y < inner.bottom() {
                buf.set_line(inner.x + 1, y, &row, inner.width - 1);
                y += 1;
            }
        }
    }
    let view = state.views[column].digest.as_ref();
    let selected = view.map_or(0, |v| v.selected);
    if digest.rows.is_empty() {
        if y < inner.bottom() {
            buf.set_stringn(inner.x + 1, y, "nothing in this window", width, p.quiet());
        }
        return;
    }
    // Where the rows go, as a click finds them.
    let at = crate::app::digest::rows_at(state, digest, column, inner.width, inner.height);
    for (i, top) in at.rows {
        let row = &digest.rows[i];
        let mut y = inner.y + top;
        let ago = card::relative_time(state.now, row.latest);
        let (head, tone) = match &row.pick {
            Pick::Link(link) => (
                format!("↗ {link} · {} posts", row.posts),
                p.fg(p.theme.links),
            ),
            Pick::Author(_) => {
                let mut counts = format!(
                    "{} post{}",
                    row.posts,
                    if row.posts == 1 { "" } else { "s" }
                );
                if row.boosts > 0 {
                    counts.push_str(&format!(
                        ", {} boost{}",
                        row.boosts,
                        if row.boosts == 1 { "" } else { "s" }
                    ));
                }
                let mark = if row.amplified { "✦ " } else { "" };
                (
                    format!("{mark}{} · {counts} · latest {ago}", row.title),
                    p.fg(p.theme.names),
                )
            }
        };
        let mut style = tone.add_modifier(Modifier::BOLD);
        if i == selected {
            style = style.add_modifier(Modifier::REVERSED);
            buf.set_string(
                inner.x,
                y,
                "▌",
                p.fg(if focused {
                    p.theme.focus
                } else {
                    p.theme.borders
                }),
            );
        }
        let head = card::truncate(&sanitize_line(&head), width);
        buf.set_line(
            inner.x + 1,
            y,
            &Line::from(Span::styled(head, style)),
            inner.width - 1,
        );
        y += 1;
        if y < inner.bottom() {
            let excerpt = match &row.pick {
                Pick::Link(_) => row.excerpt.clone(),
                Pick::Author(_) if row.handle != row.title => {
                    format!("{} “{}”", row.handle, row.excerpt)
                }
                Pick::Author(_) => format!("“{}”", row.excerpt),
            };
            let excerpt = card::truncate(&sanitize_line(&excerpt), width.saturating_sub(2));
            buf.set_stringn(inner.x + 3, y, excerpt, width.saturating_sub(2), p.quiet());
            y += 1;
        }
        if i + 1 == digest.links && y < inner.bottom() {
            buf.set_string(
                inner.x,
                y,
                "─".repeat(usize::from(inner.width)),
                p.fg(p.theme.borders).add_modifier(Modifier::DIM),
            );
        }
    }
}

/// A line wrapped to `width` cells, its style kept.
fn wrap_line(line: &Line<'_>, width: usize) -> Vec<Line<'static>> {
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let style = line.spans.first().map(|s| s.style).unwrap_or_default();
    textwrap::wrap(&text, width.max(1))
        .into_iter()
        .map(|row| Line::from(Span::styled(row.into_owned(), style)))
        .collect()
}

/// The people view: tabs by class with their counts, the reader's
/// attention by circle, then one row per person and why the selected one
/// is in their class.
fn draw_people(state: &AppState, view: &crate::app::PeopleView, area: Rect, buf: &mut Buffer) {
    let p = Paint::of(state);
    let title = "People — tab class · o sort · / search · e why · s scan · c m a F enter · esc";
    let inner = overlay_box(
        p,
        area,
        140,
        area.height.saturating_sub(2),
        &card::truncate(title, usize::from(area.width.saturating_sub(6))),
        buf,
    );
    if inner.height < 4 || inner.width < 20 {
        return;
    }
    let width = usize::from(inner.width);
    let mut y = inner.y;
    let mut put = |line: Line<'_>, y: &mut u16| {
        if *y < inner.bottom() {
            buf.set_line(inner.x, *y, &line, inner.width);
            *y += 1;
        }
    };
    // Tabs; where they do not all fit, the empty ones go (but the one
    // chosen).
    let counts = view.counts();
    let all: usize = counts
        .iter()
        .map(|(tab, n)| card::width(tab.map_or("all", |c| c.name())) + n.to_string().len() + 3)
        .sum();
    let mut tabs: Vec<Span<'static>> = Vec::new();
    for (tab, n) in counts {
        if all > width && n == 0 && tab != view.tab {
            continue;
        }
        let name = tab.map_or("all", |c| c.name());
        let style = if tab == view.tab {
            p.badge(p.theme.focus).add_modifier(Modifier::BOLD)
        } else if n == 0 {
            p.quiet()
        } else {
            Style::new()
        };
        tabs.push(Span::styled(format!(" {name} {n} "), style));
    }
    put(Line::from(tabs), &mut y);
    // The reader's attention by circle.
    let budget: Vec<String> = view
        .budget
        .iter()
        .map(|b| {
            format!(
                "{}: {:.0}% of posts, {:.0}% of your replies",
                b.column,
                b.posts * 100.0,
                b.replies * 100.0
            )
        })
        .collect();
    put(
        Line::from(Span::styled(budget.join(" · "), p.quiet())),
        &mut y,
    );
    // Accounts that may be one person, which only the reader can say.
    if let Some(first) = view.suggestions.first() {
        let more = match view.suggestions.len() {
            1 => String::new(),
            n => format!(" ({} more after)", n - 1),
        };
        put(
            Line::from(Span::styled(
                sanitize_line(&format!(
                    "⚭ one person? {}: {} — {} · L links them{more}",
                    first.name,
                    first.accounts.join(" + "),
                    first.why
                ))
                .into_owned(),
                p.fg(p.theme.amplified),
            )),
            &mut y,
        );
    }
    // What the view is doing.
    let status = if let Some(error) = &view.error {
        Span::styled(format!("the ledger: {error}"), p.alarm())
    } else if view.typing || !view.query.is_empty() {
        Span::styled(
            format!("/{}{}", view.query, if view.typing { "▏" } else { "" }),
            p.focus(),
        )
    } else if let Some(scan) = &view.scan {
        Span::styled(scan.clone(), p.quiet())
    } else if view.loading {
        Span::styled("◌ reading the ledger…", p.quiet())
    } else if view.rows.is_empty() {
        Span::styled(
            "the ledger knows no one yet: s scans your followers, follows, posts and notifications",
            p.quiet(),
        )
    } else {
        Span::styled(
            format!(
                "sorted by {}{}",
                view.sort.name(),
                if view.descending { ", reversed" } else { "" }
            ),
            p.quiet(),
        )
    };
    put(Line::from(sanitize_span(status)), &mut y);
    // The table.
    let fixed = 2 + 5 + 5 + 7 + 2 + 11;
    let circles_w = if width >= fixed + 16 + 24 { 16 } else { 10 };
    let person_w = width.saturating_sub(fixed + circles_w + 1).max(8);
    let cell = |text: &str, w: usize| {
        let cut = card::truncate(text, w);
        let pad = w.saturating_sub(card::width(&cut));
        cut + &" ".repeat(pad)
    };
    put(
        Line::from(Span::styled(
            format!(
                "{} {}{:>5}{:>5}{:>7}  {} {}",
                cell("PERSON", person_w),
                " ",
                "IN",
                "OUT",
                "/DAY",
                cell("CIRCLES", circles_w),
                "CLASS"
            ),
            Style::new().add_modifier(Modifier::BOLD),
        )),
        &mut y,
    );
    let foot = if view.explain { 4 } else { 2 };
    let rows_room = usize::from(inner.bottom().saturating_sub(y)).saturating_sub(foot);
    let offset = if view.selected >= view.offset + rows_room.max(1) {
        view.selected + 1 - rows_room.max(1)
    } else {
        view.offset.min(view.selected)
    };
    for (at, index) in view.shown.iter().enumerate().skip(offset).take(rows_room) {
        let Some(row) = view.rows.get(*index) else {
            continue;
        };
        let who = if row.name.is_empty() {
            row.accounts.join(" ")
        } else {
            format!("{} {}", row.name, row.accounts.join(" "))
        };
        let mut circles = row.circles.join(",");
        for (on, word) in [(row.muted, "muted"), (row.amplified, "amplified")] {
            if on {
                if !circles.is_empty() {
                    circles.push(',');
                }
                circles.push_str(word);
            }
        }
        let mark = match (row.i_follow, row.follows_me) {
            (true, true) => "⇄",
            (true, false) => "→",
            (false, true) => "←",
            (false, false) => " ",
        };
        let text = format!(
            "{} {}{:>5}{:>5}{:>7.1}  {} {}",
            cell(&sanitize_line(&who), person_w),
            mark,
            row.facts.inbound.total(),
            row.facts.outbound.total(),
            row.facts.posts_per_day,
            cell(&circles, circles_w),
            row.class.name()
        );
        let style = if at == view.selected {
            Style::new().add_modifier(Modifier::REVERSED)
        } else if row.muted {
            p.quiet()
        } else {
            Style::new()
        };
        put(Line::from(Span::styled(text, style)), &mut y);
    }
    // Why the selected person is in their class.
    if let Some(row) = view.current() {
        let bottom = inner.bottom().saturating_sub(foot as u16);
        let why = format!("{}: {}", row.class.name(), sanitize_line(&row.why));
        let mut lines: Vec<Line<'static>> = textwrap::wrap(&why, width)
            .into_iter()
            .map(|l| Line::from(Span::styled(l.into_owned(), p.fg(p.theme.amplified))))
            .collect();
        if view.explain {
            let tally = |t: &crate::people::Tally| {
                crate::model::people::Engaged::ALL
                    .iter()
                    .map(|k| format!("{} {}", t.get(*k), k.name()))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            lines.push(Line::from(Span::styled(
                format!("they → you: {}", tally(&row.facts.inbound)),
                p.quiet(),
            )));
            lines.push(Line::from(Span::styled(
                format!("you → them: {}", tally(&row.facts.outbound)),
                p.quiet(),
            )));
        }
        for (at, line) in (bottom..inner.bottom()).zip(lines.into_iter().take(foot)) {
            buf.set_line(inner.x, at, &line, inner.width);
        }
    }
}

/// A span whose text is made one clean line.
fn sanitize_span(span: Span<'static>) -> Span<'static> {
    Span::styled(sanitize_line(&span.content).into_owned(), span.style)
}

fn draw_confirm(p: Paint, question: &str, area: Rect, buf: &mut Buffer) {
    let width = (card::width(question) as u16 + 4).clamp(20, area.width.saturating_sub(2).max(20));
    let inner = overlay_box(p, area, width, 3, "Are you sure?", buf);
    let line = Line::from(Span::styled(
        sanitize_line(question).into_owned(),
        p.alarm(),
    ));
    buf.set_line(inner.x, inner.y, &line, inner.width);
}

/// The profile view: name and handle, bio, fields, counts, how the
/// account stands to the reader and to the config, then recent posts.
fn draw_profile(state: &AppState, view: &crate::app::ProfileView, area: Rect, buf: &mut Buffer) {
    let p = Paint::of(state);
    let title = if view.posts.is_empty() {
        "Profile — esc closes · c add to a circle · m mute · a amplify · x remove"
    } else {
        "Profile — esc closes · c m a x the account · j/k a post to act on"
    };
    let inner = overlay_box(p, area, 100, area.height.saturating_sub(2), title, buf);
    if inner.height == 0 || inner.width < 8 {
        return;
    }
    let width = usize::from(inner.width).max(1);
    let wrap = |text: &str, style: Style| -> Vec<Line<'static>> {
        textwrap::wrap(text, width)
            .into_iter()
            .map(|row| Line::from(Span::styled(row.into_owned(), style)))
            .collect()
    };
    let author = &view.from.author;
    let mut lines: Vec<Line<'static>> = Vec::new();
    let (mut selected_at, mut selected_end) = (0, 0);
    let (name, handle) = match &view.profile {
        Some(profile) => (profile.display_name.clone(), profile.handle.clone()),
        None => (author.display_name.clone(), author.handle.clone()),
    };
    lines.push(Line::from(vec![
        Span::styled(
            sanitize_line(&name).into_owned(),
            p.fg(p.theme.names).add_modifier(Modifier::BOLD),
        ),
        Span::raw(" "),
        Span::styled(sanitize_line(&handle).into_owned(), p.fg(p.theme.handles)),
    ]));
    // How the account stands in the config: circles, muted, amplified.
    let keys: Vec<&str> = author.keys().collect();
    let mut circles: Vec<u16> = Vec::new();
    let mut muted = false;
    for key in &keys {
        let (columns, mute) = state.rules.account_roles(key);
        circles.extend(columns);
        muted |= mute;
    }
    circles.sort_unstable();
    circles.dedup();
    let amplified = keys.iter().any(|k| state.rules.amplifies(k));
    let mut standing: Vec<String> = Vec::new();
    if let Some(profile) = &view.profile {
        lines.extend(std::iter::once(Line::default()));
        if !profile.bio.is_empty() {
            for paragraph in profile.bio.lines() {
                lines.extend(wrap(&sanitize_line(paragraph), Style::new()));
            }
        }
        for (name, value) in &profile.fields {
            lines.extend(wrap(
                &format!("{}: {}", sanitize_line(name), sanitize_line(value)),
                p.quiet(),
            ));
        }
        let count = |n: Option<u64>, one: &str, many: &str| match n {
            Some(1) => Some(format!("1 {one}")),
            Some(n) => Some(format!("{n} {many}")),
            None => None,
        };
        let counts: Vec<String> = [
            count(profile.followers, "follower", "followers"),
            count(profile.following, "following", "following"),
            count(profile.posts, "post", "posts"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !counts.is_empty() {
            lines.push(Line::default());
            lines.push(Line::from(Span::styled(counts.join(" · "), p.quiet())));
        }
        standing.push(
            match (profile.you_follow, profile.follows_you) {
                (Some(true), Some(true)) => "you follow each other",
                (Some(true), _) => "you follow them",
                (_, Some(true)) => "they follow you",
                (Some(false), Some(false)) => "neither of you follows the other",
                _ => "",
            }
            .to_string(),
        );
    }
    if muted {
        standing.push("muted".into());
    }
    if amplified {
        standing.push("amplified".into());
    }
    let names: Vec<String> = circles
        .iter()
        .filter_map(|c| {
            state
                .rules
                .columns
                .get(usize::from(*c))
                .map(|col| col.name.clone())
        })
        .collect();
    if !names.is_empty() {
        standing.push(format!("in {}", names.join(", ")));
    }
    standing.retain(|s| !s.is_empty());
    if !standing.is_empty() {
        lines.push(Line::from(Span::styled(
            standing.join(" · "),
            p.fg(p.theme.amplified),
        )));
    }
    if view.loading {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            "◌ loading the profile…",
            p.quiet(),
        )));
    }
    if let Some(error) = &view.error {
        lines.push(Line::default());
        lines.extend(wrap(&format!("✗ {}", sanitize_line(error)), p.alarm()));
    }
    if !view.posts.is_empty() {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            "Recent posts",
            Style::new().add_modifier(Modifier::BOLD),
        )));
        for (i, post) in view.posts.iter().enumerate() {
            let look = card::CardLook {
                width: width.saturating_sub(2).max(8),
                style: crate::config::Style::Normal,
                amplified,
                cw_open: view.cw_open.contains(&post.id),
                muted: None,
                now: state.now,
                images: false,
            };
            let chosen = view.selected == Some(i);
            if chosen {
                selected_at = lines.len();
            }
            for line in card::card(post, look) {
                let mut spans = vec![if chosen {
                    Span::styled("▌", p.focus())
                } else {
                    Span::raw(" ")
                }];
                spans.extend(
                    to_line(p, &line, None)
                        .spans
                        .into_iter()
                        .map(|span| Span::styled(span.content.into_owned(), span.style)),
                );
                lines.push(Line::from(spans));
            }
            if chosen {
                selected_end = lines.len();
            }
            lines.push(Line::from(Span::styled("╌".repeat(width), p.quiet())));
        }
    }
    // A post selected stands a third of the way down, with what came
    // before it above, or higher when that leaves its end below the box
    // (its top stays in view).
    let height = usize::from(inner.height);
    let scroll = match view.selected {
        Some(_) => selected_at
            .saturating_sub(height / 3)
            .max(selected_end.saturating_sub(height))
            .min(selected_at) as u16,
        None => view.scroll,
    };
    draw_lines(&lines, inner, scroll, buf);
}

/// The thread view: each post a card indented by its depth, the post `T`
/// was pressed on marked `▶` in the gutter, the selected one with the bar.
/// The selection sits a third of the way down, with what came before it
/// above.
fn draw_thread(state: &AppState, thread: &crate::app::Thread, area: Rect, buf: &mut Buffer) {
    /// Cells of indent per level, and the deepest level indented.
    const STEP: usize = 2;
    const DEEPEST: usize = 8;
    let p = Paint::of(state);
    let title = if thread.loading {
        "Thread · loading… — esc closes".to_string()
    } else {
        format!(
            "Thread · {} post(s) — esc closes · j/k move · f t B r act on the selected",
            thread.posts.len()
        )
    };
    let inner = overlay_box(p, area, 110, area.height.saturating_sub(2), &title, buf);
    if inner.height == 0 || inner.width < 8 {
        return;
    }
    let mut rows: Vec<Line<'static>> = Vec::new();
    if let Some(error) = &thread.error {
        rows.push(Line::from(Span::styled(
            format!("✗ {}", sanitize_line(error)),
            p.alarm(),
        )));
    }
    let anchor = thread.anchor_index();
    let look = |post: &crate::model::Post, width: usize| card::CardLook {
        width,
        style: crate::config::Style::Normal,
        amplified: post.author.keys().any(|k| state.rules.amplifies(k)),
        cw_open: thread.cw_open.contains(&post.id),
        muted: None,
        now: state.now,
        images: false,
    };
    // Cards from the selection up, until a third of the box is full: the
    // first card shown.
    let card_of = |i: usize| {
        let tp = &thread.posts[i];
        let indent = usize::from(tp.depth).min(DEEPEST) * STEP;
        let width = usize::from(inner.width).saturating_sub(indent + 2).max(8);
        (indent, card::card(&tp.post, look(&tp.post, width)))
    };
    let mut first = thread.selected;
    let mut above = 0usize;
    while first > 0 {
        let rows_of = card_of(first - 1).1.len() + 1;
        if above + rows_of > usize::from(inner.height) / 3 {
            break;
        }
        above += rows_of;
        first -= 1;
    }
    for i in first..thread.posts.len() {
        if rows.len() >= usize::from(inner.height) {
            break;
        }
        let (indent, lines) = card_of(i);
        let gutter = if i == thread.selected {
            Span::styled("▌", p.focus())
        } else if i == anchor {
            Span::styled("▶", p.fg(p.theme.amplified))
        } else {
            Span::raw(" ")
        };
        for (n, line) in lines.iter().enumerate() {
            let mut spans = vec![
                Span::raw(" ".repeat(indent)),
                if n == 0 || i == thread.selected {
                    gutter.clone()
                } else {
                    Span::raw(" ")
                },
                Span::raw(" "),
            ];
            spans.extend(
                to_line(p, line, None)
                    .spans
                    .into_iter()
                    .map(|span| Span::styled(span.content.into_owned(), span.style)),
            );
            rows.push(Line::from(spans));
        }
        rows.push(Line::from(Span::styled(
            format!(
                "{}{}",
                " ".repeat(indent),
                "╌".repeat(usize::from(inner.width).saturating_sub(indent))
            ),
            p.quiet(),
        )));
    }
    draw_lines(&rows, inner, 0, buf);
}

/// The compose overlay: the account, the post answered or quoted, the
/// content warning (Mastodon), the editor, who sees it, the language and
/// the count against the server's limit, then the keys, the question
/// before a discard, or why the last send failed.
fn draw_compose(p: Paint, compose: &crate::app::Compose, area: Rect, buf: &mut Buffer) {
    use crate::app::ComposeField as Field;
    use crate::model::Network;
    let what = match (&compose.draft.reply, &compose.draft.quote) {
        (Some(_), _) => "Reply",
        (_, Some(_)) => "Quote",
        _ => "New post",
    };
    let title = format!("{what} from {}", sanitize_line(&compose.account));
    let height = area.height.saturating_sub(2).min(20);
    let inner = overlay_box(p, area, 84, height, &title, buf);
    if inner.height < 4 || inner.width < 10 {
        return;
    }
    let width = usize::from(inner.width);
    let mut top: Vec<Line> = Vec::new();
    let context = match (&compose.draft.reply, &compose.draft.quote) {
        (Some(to), _) => Some(("↪ replying to", to)),
        (_, Some(quoted)) => Some(("❝ quoting", quoted)),
        _ => None,
    };
    if let Some((lead, target)) = context {
        let text = format!(
            "{lead} {}: {}",
            sanitize_line(&target.author),
            sanitize_line(&target.excerpt)
        );
        for row in textwrap::wrap(&text, width).into_iter().take(2) {
            top.push(Line::from(Span::styled(
                row.into_owned(),
                p.fg(p.theme.boosts),
            )));
        }
    }
    let label = |field: Field, text: &str| {
        let style = if compose.field == field {
            p.focus().add_modifier(Modifier::BOLD)
        } else {
            p.quiet()
        };
        Span::styled(text.to_string(), style)
    };
    let mut y = inner.y;
    draw_lines(&top, inner, 0, buf);
    y += top.len() as u16;
    if compose.network == Network::Mastodon {
        let cw = Rect::new(inner.x, y, inner.width, 1);
        buf.set_line(cw.x, cw.y, &Line::from(label(Field::Warning, "CW ")), 3);
        Widget::render(
            &compose.warning,
            Rect {
                x: cw.x + 3,
                width: cw.width.saturating_sub(3),
                ..cw
            },
            buf,
        );
        y += 1;
    }
    // A failed send's words wrap, up to three rows, under the editor.
    let error_rows: Vec<String> = match &compose.error {
        Some(error) if !compose.confirm_discard && compose.sending.is_none() => {
            textwrap::wrap(&format!("✗ {}", sanitize_line(error)), width)
                .into_iter()
                .take(3)
                .map(|r| r.into_owned())
                .collect()
        }
        _ => Vec::new(),
    };
    let footer_rows = 1 + (error_rows.len() as u16).max(1);
    let text_rows = inner.bottom().saturating_sub(y + footer_rows);
    let text_area = Rect::new(inner.x, y, inner.width, text_rows);
    Block::new()
        .borders(Borders::TOP | Borders::BOTTOM)
        .border_style(if compose.field == Field::Text {
            p.focus()
        } else {
            p.quiet()
        })
        .render(text_area, buf);
    let editor = Rect {
        y: text_area.y + 1,
        height: text_area.height.saturating_sub(2),
        ..text_area
    };
    Widget::render(&compose.text, editor, buf);
    let (used, max) = (compose.length(), compose.limits.max);
    let count_style = if used > max { p.alarm() } else { p.quiet() };
    let language = if compose.draft.language.is_empty() {
        "default".to_string()
    } else {
        sanitize_line(&compose.draft.language).into_owned()
    };
    let mut info = Vec::new();
    if compose.network == Network::Mastodon {
        info.push(Span::styled(
            format!("{} · ", compose.draft.visibility.words()),
            p.quiet(),
        ));
    }
    info.push(label(Field::Language, "language "));
    info.push(Span::styled(format!("{language} · "), p.quiet()));
    info.push(Span::styled(format!("{used}/{max}"), count_style));
    let footer = inner.bottom().saturating_sub(footer_rows);
    buf.set_line(inner.x, footer, &Line::from(info), inner.width);
    if matches!(compose.field, Field::Language) {
        // The language is typed in place of the hint.
        let row = Rect::new(inner.x, footer + 1, inner.width, 1);
        buf.set_line(
            row.x,
            row.y,
            &Line::from(label(Field::Language, "language: ")),
            10,
        );
        Widget::render(
            &compose.language,
            Rect {
                x: row.x + 10,
                width: row.width.saturating_sub(10),
                ..row
            },
            buf,
        );
        return;
    }
    let last = if compose.confirm_discard {
        Line::from(Span::styled(
            "throw the draft away? y discards, any other key goes back",
            p.alarm(),
        ))
    } else if compose.sending.is_some() {
        Line::from(Span::styled("sending…", p.focus()))
    } else if !error_rows.is_empty() {
        for (i, row) in error_rows.iter().enumerate() {
            let line = Line::from(Span::styled(row.clone(), p.alarm()));
            buf.set_line(inner.x, footer + 1 + i as u16, &line, inner.width);
        }
        return;
    } else {
        let mut keys = "ctrl-s send · tab next field".to_string();
        if compose.network == Network::Mastodon {
            keys.push_str(" · ctrl-o who sees it");
        }
        keys.push_str(" · ctrl-e editor · esc close");
        Line::from(Span::styled(keys, p.quiet()))
    };
    buf.set_line(inner.x, footer + 1, &last, inner.width);
}

fn tone_style(p: Paint, tone: Tone) -> Style {
    let t = p.theme;
    match tone {
        Tone::Name => p.fg(t.names).add_modifier(Modifier::BOLD),
        Tone::Amplified | Tone::Mine => p.fg(t.amplified).add_modifier(Modifier::BOLD),
        Tone::Handle => p.fg(t.handles),
        Tone::Time | Tone::Marker => p.quiet(),
        Tone::Context => p.fg(t.boosts),
        Tone::Warning => p.fg(t.warnings),
        Tone::Text => Style::new(),
        Tone::Hashtag => p.fg(t.hashtags),
        Tone::Mention => p.fg(t.mentions),
        Tone::Link => p.fg(t.links).add_modifier(Modifier::UNDERLINED),
        Tone::Heading => Style::new().add_modifier(Modifier::BOLD),
        Tone::Image => Style::new(),
    }
}

/// A card's line in its tones, or all in `fade` (a dim column, a muted
/// post) when given.
fn to_line<'l>(p: Paint, line: &'l CardLine, fade: Option<Colour>) -> Line<'l> {
    Line::from(
        line.iter()
            .map(|part| {
                let style = match fade {
                    Some(colour) => tone_style(p, part.tone)
                        .patch(p.fg(colour))
                        .add_modifier(Modifier::DIM),
                    None => tone_style(p, part.tone),
                };
                Span::styled(part.text.as_str(), style)
            })
            .collect::<Vec<_>>(),
    )
}

fn draw_column(
    state: &AppState,
    images: &Images,
    column: usize,
    rect: Rect,
    (more_left, more_right): (bool, bool),
    buf: &mut Buffer,
) {
    let p = Paint::of(state);
    let focused = column == state.focus;
    let config = &state.rules.columns[column];
    let view = &state.views[column];
    let name = sanitize_line(&config.name);
    let mut title = vec![Span::raw(if more_left { "◀ " } else { " " })];
    title.push(Span::styled(
        name.into_owned(),
        match (focused, p.plain) {
            (true, false) => p.focus().add_modifier(Modifier::BOLD),
            (true, true) => Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
            (false, _) => Style::new().add_modifier(Modifier::BOLD),
        },
    ));
    let unread = state.timeline.unread(column);
    if unread > 0 {
        title.push(Span::styled(format!(" ({unread})"), p.focus()));
    }
    if !view.query.is_empty() {
        title.push(Span::styled(
            format!(" /{}", sanitize_line(&view.query)),
            p.fg(p.theme.warnings),
        ));
    }
    if let Some((label, _)) = &view.pinned {
        title.push(Span::styled(
            format!(" · muted by {} (esc)", sanitize_line(label)),
            p.fg(p.theme.warnings),
        ));
    }
    title.push(Span::raw(if more_right { " ▶" } else { " " }));
    let mut block = Block::new()
        .borders(Borders::ALL)
        .border_type(if focused && p.plain {
            BorderType::Thick
        } else {
            BorderType::Rounded
        })
        .border_style(p.fg(if focused {
            p.theme.focus
        } else {
            p.theme.borders
        }))
        .title(Line::from(title));
    let new = state.new_above(column);
    if new > 0 {
        let more = if view.offset > NEW_MARKER_SCAN {
            "+"
        } else {
            ""
        };
        block = block.title(
            Line::from(Span::styled(
                format!(" ▲ {new}{more} new "),
                p.badge(p.theme.warnings),
            ))
            .right_aligned(),
        );
    }
    block.render(rect, buf);
    let inner = view::inner(rect);
    if inner.width < 2 || inner.height == 0 {
        return;
    }
    if let Some(digest) = view
        .digest
        .as_ref()
        .filter(|d| d.opened.is_none())
        .and_then(|_| crate::app::digest::build(state, column))
    {
        return draw_digest(state, &digest, column, inner, buf);
    }
    if state.list(column).is_empty() {
        let text = if view.query.is_empty() {
            "no posts yet".to_string()
        } else {
            format!("no post matches “{}”", sanitize_line(&view.query))
        };
        buf.set_stringn(
            inner.x + 1,
            inner.y,
            text,
            usize::from(inner.width - 1),
            p.quiet(),
        );
        return;
    }
    let dim = (config.style == ColumnStyle::Dim).then_some(p.theme.dim);
    let width = inner.width - 1;
    for placed in state.place(column, width, inner.height) {
        let selected = placed.index == view.selected;
        let muted = state
            .timeline
            .get(placed.id)
            .is_some_and(|e| e.verdict.muted.is_some());
        let fade = if muted { Some(p.theme.muted) } else { dim };
        let rows = placed.lines.len() as u16;
        for (i, line) in placed.lines.iter().enumerate() {
            let y = inner.y + placed.top + i as u16;
            if y >= inner.bottom() {
                break;
            }
            if selected {
                let bar = if focused {
                    p.theme.focus
                } else {
                    p.theme.borders
                };
                buf.set_string(inner.x, y, "▌", p.fg(bar));
            }
            let mut line = to_line(p, line, fade.filter(|_| !selected));
            if selected && focused && i == 0 {
                line = line.patch_style(Style::new().add_modifier(Modifier::REVERSED));
            }
            buf.set_line(inner.x + 1, y, &line, width);
            if state.hyperlinks() {
                link_cells(&placed.lines[i], inner.x + 1, y, width, buf);
            }
        }
        let text_area = Rect {
            x: inner.x + 1,
            width,
            ..inner
        };
        let top = i32::from(inner.y + placed.top);
        draw_images(p, images, &placed.lines, (top, 0), text_area, buf);
        let rule_y = inner.y + placed.top + rows;
        if rule_y < inner.bottom() {
            buf.set_string(
                inner.x,
                rule_y,
                "─".repeat(usize::from(inner.width)),
                p.fg(p.theme.borders).add_modifier(Modifier::DIM),
            );
        }
    }
}

fn draw_tabs(state: &AppState, area: Rect, buf: &mut Buffer) {
    let p = Paint::of(state);
    let labels = tab_labels(state);
    let first = first_tab(&labels, state.focus, area.width);
    let mut spans = Vec::new();
    for (i, label) in labels.iter().enumerate().skip(first) {
        let style = if i == state.focus {
            p.badge(p.theme.focus).add_modifier(Modifier::BOLD)
        } else {
            p.quiet()
        };
        spans.push(Span::styled(sanitize_line(label).into_owned(), style));
        spans.push(Span::raw("│"));
    }
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
}

fn draw_status(state: &AppState, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let p = Paint::of(state);
    buf.set_style(area, Style::new().bg(p.color(p.theme.bar)));
    if let Some(text) = &state.search {
        let line = Line::from(vec![
            Span::styled("/", p.focus()),
            Span::raw(sanitize_line(text).into_owned()),
            Span::styled("█", p.focus()),
            Span::styled("  enter keeps · esc clears", p.quiet()),
        ]);
        buf.set_line(area.x, area.y, &line, area.width);
        return;
    }
    if let Some(error) = state.config_error_text() {
        // A long error wraps onto the second row the layout gave it; the
        // place (`file:line:col`) comes first and is never cut.
        let red = p.alarm();
        let width = usize::from(area.width).max(1);
        let rows: Vec<_> = textwrap::wrap(&error, width);
        for (i, row) in rows.iter().take(usize::from(area.height)).enumerate() {
            let last = i + 1 == usize::from(area.height) && rows.len() > i + 1;
            let shown = if last {
                card::truncate(&format!("{row} …"), width)
            } else {
                row.to_string()
            };
            let line = Line::from(Span::styled(format!("{shown:width$}"), red));
            buf.set_line(area.x, area.y + i as u16, &line, area.width);
        }
        return;
    }
    // A message too long for the bar takes the rows above it, wrapped.
    let above = state
        .message_rows(usize::from(area.width))
        .min(area.height.saturating_sub(1));
    let message = match (&state.message, above) {
        (Some(message), 1..) => {
            let width = usize::from(area.width).max(1);
            let text = format!(" {}", sanitize_line(message));
            let rows = textwrap::wrap(&text, width);
            for (i, row) in rows.iter().take(usize::from(above)).enumerate() {
                let last = i + 1 == usize::from(above) && rows.len() > i + 1;
                let shown = if last {
                    card::truncate(&format!("{row} …"), width)
                } else {
                    row.to_string()
                };
                let line = Line::from(Span::styled(
                    format!("{shown:width$}"),
                    p.badge(p.theme.focus),
                ));
                buf.set_line(area.x, area.y + i as u16, &line, area.width);
            }
            None
        }
        (message, _) => message.as_ref(),
    };
    let area = Rect {
        y: area.y + above,
        height: area.height - above,
        ..area
    };
    // Left: a message, then the sources' states (cut first when the bar is
    // narrow), then the counts, which always show. Right: the config's
    // path, shortened to the room left (gone under a message), and the
    // help key, which always shows.
    let mut head: Vec<Span> = Vec::new();
    if let Some(message) = message {
        head.push(Span::styled(
            format!(" {} ", sanitize_line(message)),
            p.badge(p.theme.focus),
        ));
    }
    for s in &state.sources {
        let (mark, color, word) = source_mark(s, state.now, p.theme);
        head.push(Span::styled(format!(" {mark} "), p.fg(color)));
        head.push(Span::raw(sanitize_line(&s.name).into_owned()));
        if let Some(title) = &s.title {
            head.push(Span::raw(format!(" “{}”", sanitize_line(title))));
        }
        head.push(Span::styled(format!(" {word} · {}", s.posts), p.quiet()));
        if s.skipped > 0 {
            head.push(Span::styled(
                format!(" · {} skipped", s.skipped),
                p.fg(p.theme.warnings),
            ));
        }
    }
    let mut tail: Vec<Span> = vec![Span::styled(
        format!("  muted today: {}", state.muted_today),
        p.quiet(),
    )];
    if state.reveal {
        tail.push(Span::styled(" (shown)", p.fg(p.theme.warnings)));
    }
    if !state.config.warnings.is_empty() {
        tail.push(Span::styled(
            format!("  {} config warning(s)", state.config.warnings.len()),
            p.fg(p.theme.warnings),
        ));
    }
    let help = Span::styled(
        format!("{} help ", state.keymap.keys_text(Command::Help)),
        p.focus(),
    );
    let (head, tail) = (Line::from(head), Line::from(tail));
    let fixed = tail.width() + help.width() + 1;
    let room = usize::from(area.width).saturating_sub(head.width() + fixed);
    let location = match message {
        Some(_) => String::new(),
        None => shortened_location(&sanitize_line(&state.config.location), room),
    };
    let right = Line::from(vec![Span::styled(location, p.quiet()), help]);
    let right_w = right.width() as u16;
    let tail_w = tail.width() as u16;
    let head_w = area
        .width
        .saturating_sub(right_w + tail_w + 1)
        .min(head.width() as u16);
    buf.set_line(area.x, area.y, &head, head_w);
    let tail_x = area.x + head_w;
    let tail_room = area.width.saturating_sub(head_w + right_w);
    buf.set_line(tail_x, area.y, &tail, tail_room);
    if area.width >= right_w {
        buf.set_line(area.right() - right_w, area.y, &right, right_w);
    }
}

/// A source's mark, its colour and its state in words.
fn source_mark(
    s: &SourceStatus,
    now: DateTime<Utc>,
    theme: &Theme,
) -> (&'static str, Colour, String) {
    match &s.state {
        SourceState::Starting => ("○", theme.quiet, "starting".to_string()),
        SourceState::Loading => ("◌", theme.warnings, "loading".to_string()),
        SourceState::Connecting => ("◌", theme.warnings, "connecting".to_string()),
        SourceState::Waiting(what) => ("◌", theme.warnings, what.clone()),
        SourceState::Retrying { why, .. } => {
            let word = match s.retry_in(now).unwrap_or(0) {
                0 => format!("retrying now: {why}"),
                left => format!("retrying in {left}s: {why}"),
            };
            ("↻", theme.warnings, word)
        }
        SourceState::Live => ("●", theme.ok, "live".to_string()),
        SourceState::Incomplete(why) => ("●", theme.warnings, format!("live; {why}")),
        SourceState::Done => ("●", theme.quiet, "done".to_string()),
        SourceState::Failed(why) => ("✗", theme.errors, format!("failed: {why}")),
    }
}

/// Rule statistics: each column's rules with what they took, then the
/// mutes, over the posts held since the config loaded.
fn draw_stats(
    state: &AppState,
    counted: &(crate::filter::stats::Stats, crate::filter::stats::Table),
    area: Rect,
    scroll: u16,
    buf: &mut Buffer,
) {
    let p = Paint::of(state);
    let (stats, (columns, mutes)) = counted;
    let total = stats.posts.max(1) as f64;
    let local = |t: DateTime<Utc>| t.with_timezone(&state.utc_offset);
    let mut lines: Vec<Line> = vec![
        Line::from(Span::styled(
            format!(
                "since the config loaded at {} — {} posts held, {} muted",
                local(state.loaded_at).format("%H:%M"),
                stats.posts,
                stats.muted
            ),
            p.quiet(),
        )),
        Line::from(Span::styled(
            format!(
                "  {} {:>6} {:>7} {:>6} {:>6}  last hit",
                card::truncate("rule", 40) + &" ".repeat(36),
                "posts",
                "share",
                "today",
                "week"
            ),
            Style::new().add_modifier(Modifier::BOLD),
        )),
    ];
    let row = |words: &str, hits: &crate::filter::stats::RuleHits| {
        let words = sanitize_line(words);
        let cut = card::truncate(&words, 40);
        let pad = 40usize.saturating_sub(card::width(&cut));
        let last = hits.last.map_or_else(
            || "never fired".to_string(),
            |t| local(t).format("%d %b %H:%M").to_string(),
        );
        let text = format!(
            "  {cut}{} {:>6} {:>6.1}% {:>6} {:>6}  {last}",
            " ".repeat(pad),
            hits.posts,
            hits.posts as f64 * 100.0 / total,
            hits.today,
            hits.week
        );
        Line::from(Span::styled(
            text,
            if hits.posts == 0 {
                p.quiet()
            } else {
                Style::new()
            },
        ))
    };
    for (i, column) in state.rules.columns.iter().enumerate() {
        let taken = stats.columns.get(i).copied().unwrap_or(0);
        lines.push(Line::from(Span::styled(
            format!(
                "{} — {taken} posts, {:.1}%",
                sanitize_line(&column.name),
                taken as f64 * 100.0 / total
            ),
            p.fg(p.theme.names).add_modifier(Modifier::BOLD),
        )));
        for (_, rule, hits) in columns.iter().filter(|(c, _, _)| usize::from(*c) == i) {
            lines.push(row(&rule.words(), hits));
        }
    }
    lines.push(Line::from(Span::styled(
        format!("Muted — {} posts", stats.muted),
        p.fg(p.theme.names).add_modifier(Modifier::BOLD),
    )));
    for (rule, hits) in mutes {
        lines.push(row(&rule.words(), hits));
    }
    draw_text_box(
        p,
        area,
        100,
        &lines,
        "Rule statistics — j/k scroll · esc closes",
        scroll,
        buf,
    );
}

/// The sources overlay: each source's state, its last problems in full,
/// and what to do, wrapped to the box.
fn draw_sources(state: &AppState, area: Rect, scroll: u16, buf: &mut Buffer) {
    let p = Paint::of(state);
    let box_width = 100.min(area.width.saturating_sub(2));
    let width = usize::from(box_width.saturating_sub(4)).max(1);
    let mut lines: Vec<Line> = Vec::new();
    let wrapped = |lines: &mut Vec<Line>, label: &str, text: &str, style: Style| {
        let text = format!("{label}{}", sanitize_line(text));
        let options = textwrap::Options::new(width).subsequent_indent("    ");
        for row in textwrap::wrap(&text, options) {
            lines.push(Line::styled(row.into_owned(), style));
        }
    };
    for s in &state.sources {
        let spec = state.source_specs.iter().find(|spec| spec.name == s.name);
        let (mark, color, word) = source_mark(s, state.now, p.theme);
        let kind = spec.map_or(String::new(), |spec| {
            format!(" ({})", spec.kind.kind_name())
        });
        let word = word.split(": ").next().unwrap_or_default().to_string();
        lines.push(Line::from(vec![
            Span::styled(format!("{mark} "), p.fg(color)),
            Span::styled(
                sanitize_line(&s.name).into_owned(),
                Style::new().add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                format!("{kind} {word} · {} posts · {} skipped", s.posts, s.skipped),
                p.quiet(),
            ),
        ]));
        if let Some(title) = &s.title {
            wrapped(&mut lines, "  reads: ", title, Style::new());
        }
        if let Some(why) = crate::app::sources::reason(&s.state) {
            wrapped(&mut lines, "  why: ", why, Style::new());
        }
        if let Some(problem) = &s.last_problem {
            wrapped(&mut lines, "  last line skipped: ", problem, p.quiet());
        }
        if let Some(advice) = crate::app::sources::advice(s, spec) {
            wrapped(&mut lines, "  what to do: ", &advice, p.focus());
        }
        lines.push(Line::default());
    }
    lines.pop();
    if lines.is_empty() {
        lines.push(Line::raw(
            "No sources: add a [[source]] table to the config.",
        ));
    }
    draw_text_box(
        p,
        area,
        box_width,
        &lines,
        "Sources — esc closes",
        scroll,
        buf,
    );
}

/// An overlay as tall as its (wrapped) lines, `box_width` wide, scrolled.
fn draw_text_box(
    p: Paint,
    area: Rect,
    box_width: u16,
    lines: &[Line<'_>],
    title: &str,
    scroll: u16,
    buf: &mut Buffer,
) {
    let inner = overlay_box(p, area, box_width, lines.len() as u16 + 2, title, buf);
    draw_scrolled(p, lines, inner, scroll, buf);
}

/// `config: <path> ` in at most `room` cells: the whole path, else with
/// the home directory as `~` and the middle left out (`~/…/config.toml`),
/// else the file name alone, else nothing.
fn shortened_location(path: &str, room: usize) -> String {
    let home = directories::BaseDirs::new().map(|d| d.home_dir().display().to_string());
    let tilde = match home.as_deref().and_then(|h| path.strip_prefix(h)) {
        Some(rest) if !home.as_deref().unwrap_or("").is_empty() => format!("~{rest}"),
        _ => path.to_string(),
    };
    let name = path.rsplit('/').next().unwrap_or(path);
    // The first directory stays (`~`, `/srv`), the rest but the name goes.
    let skip = usize::from(tilde.starts_with('/'));
    let elided = match tilde[skip..].split_once('/') {
        Some((first, rest)) if rest.contains('/') => {
            format!("{}{first}/…/{name}", &tilde[..skip])
        }
        _ => tilde.clone(),
    };
    [path.to_string(), tilde, elided, name.to_string()]
        .into_iter()
        .map(|p| format!("config: {p} "))
        .find(|text| card::width(text) <= room)
        .unwrap_or_default()
}

fn overlay_box(
    p: Paint,
    area: Rect,
    width: u16,
    height: u16,
    title: &str,
    buf: &mut Buffer,
) -> Rect {
    let rect = view::centered(
        Rect {
            height: area.height.saturating_sub(1),
            ..area
        },
        width,
        height,
    );
    // A wide character just left of the box would reach into its border.
    if rect.x > area.x {
        for y in rect.top()..rect.bottom() {
            let cell = &mut buf[(rect.x - 1, y)];
            // (A linked cell's symbol holds its escape; its width is the
            // one forced for it.)
            if ratatui::buffer::CellWidth::cell_width(&*cell) > 1 {
                cell.set_symbol(" ");
                cell.set_diff_option(CellDiffOption::None);
            }
        }
    }
    Clear.render(rect, buf);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(p.focus())
        .title(Line::from(Span::styled(
            format!(" {title} "),
            Style::new().add_modifier(Modifier::BOLD),
        )));
    let inner = block.inner(rect);
    block.render(rect, buf);
    inner
}

fn draw_lines(lines: &[Line<'_>], area: Rect, scroll: u16, buf: &mut Buffer) {
    for (i, line) in lines.iter().skip(usize::from(scroll)).enumerate() {
        let y = area.y + i as u16;
        if y >= area.bottom() {
            break;
        }
        buf.set_line(area.x, y, line, area.width);
    }
}

/// The help's lines: every command with its keys, then the rest.
pub fn help_lines(state: &AppState) -> Vec<Line<'static>> {
    let p = Paint::of(state);
    let keys_width = Command::ALL
        .iter()
        .map(|c| card::width(&state.keymap.keys_text(*c)))
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line<'static>> = Command::ALL
        .iter()
        .map(|&c| {
            let keys = state.keymap.keys_text(c);
            let pad = " ".repeat(keys_width - card::width(&keys) + 2);
            Line::from(vec![
                Span::styled(keys, p.focus()),
                Span::raw(pad),
                Span::raw(c.help()),
            ])
        })
        .collect();
    lines.push(Line::default());
    // The first key of each, as bound now.
    let keys = |c: Command| {
        state
            .keymap
            .keys(c)
            .first()
            .map_or_else(|| "(unbound)".to_string(), |k| k.to_string())
    };
    for text in [
        format!(
            "In the detail view: 1–9 open that link; {}/{} go to the next post or back.",
            keys(Command::NextPost),
            keys(Command::PrevPost)
        ),
        "In the search prompt: type to filter the column; enter keeps, esc clears.".into(),
        "In the palette: type to filter; ↑/↓ choose; enter goes; esc closes.".into(),
        "Mouse: the wheel scrolls the column under it; a click selects.".into(),
        format!(
            "{} and {} close an overlay; on the main screen {} quits; ctrl-c always quits.",
            keys(Command::Quit),
            keys(Command::Close),
            keys(Command::Quit)
        ),
        "Keys are set in the [keys] table of the config (see the README).".into(),
    ] {
        lines.push(Line::from(Span::styled(text, p.quiet())));
    }
    lines
}

fn draw_help(state: &AppState, area: Rect, scroll: u16, buf: &mut Buffer) {
    let p = Paint::of(state);
    let lines = help_lines(state);
    let inner = overlay_box(
        p,
        area,
        84,
        lines.len() as u16 + 2,
        "Keys — esc closes",
        buf,
    );
    let scroll = scroll.min((lines.len() as u16).saturating_sub(inner.height));
    draw_lines(&lines, inner, scroll, buf);
    scroll_hints(p, inner, scroll, lines.len(), buf);
}

/// On an overlay's bottom border, says there is more to scroll to: `↓ more`
/// below, `↑ more` above (both when in the middle).
fn scroll_hints(p: Paint, inner: Rect, scroll: u16, total: usize, buf: &mut Buffer) {
    let shown = usize::from(inner.height);
    let above = scroll > 0;
    let below = usize::from(scroll) + shown < total;
    let hint = match (above, below) {
        (false, false) => return,
        (false, true) => " ↓ more ",
        (true, false) => " ↑ more ",
        (true, true) => " ↑↓ more ",
    };
    let width = card::width(hint) as u16;
    if inner.width <= width + 2 {
        return;
    }
    let x = inner.right() - width - 1;
    buf.set_string(x, inner.bottom(), hint, p.focus());
}

fn draw_detail(state: &AppState, images: &Images, area: Rect, scroll: u16, buf: &mut Buffer) {
    let Some(entry) = state.selected().and_then(|id| state.timeline.get(id)) else {
        return;
    };
    let p = Paint::of(state);
    let inner = overlay_box(
        p,
        area,
        100,
        area.height.saturating_sub(2),
        "Post — esc closes · j/k next · o open · y copy",
        buf,
    );
    let width = usize::from(inner.width.saturating_sub(2)).max(1);
    // The post it answers: as the source sent it along, else the one in
    // the timeline.
    let parent = entry.post.reply_to.as_ref().and_then(|reply| {
        reply.text.clone().or_else(|| {
            let id = state.timeline.find(&entry.post.source, &reply.id)?;
            Some(state.timeline.get(id)?.post.text.clone())
        })
    });
    let lines = card::detail(
        &entry.post,
        &entry.verdict,
        &state.column_names(),
        width,
        state.now,
        (
            state.ui.images != crate::config::Images::Off,
            state
                .selected()
                .is_some_and(|id| state.cw_open.contains(&id)),
        ),
        parent.as_deref(),
    );
    let drawn: Vec<Line> = lines.iter().map(|l| to_line(p, l, None)).collect();
    let (body, scroll) = draw_scrolled(p, &drawn, inner, scroll, buf);
    let top = i32::from(body.y);
    draw_images(p, images, &lines, (top, usize::from(scroll)), body, buf);
    if state.hyperlinks() {
        let shown = lines.iter().skip(usize::from(scroll));
        for (line, y) in shown.zip(body.top()..body.bottom()) {
            link_cells(line, body.x, y, body.width, buf);
        }
    }
}

/// Makes the cells of each linked piece of `line` (drawn at `x`, `y`, in
/// at most `width` cells) OSC 8 hyperlinks. ratatui would count the escape
/// as width, so each cell's symbol carries its own: opened before the
/// character, closed after it, with the cell's real width forced for the
/// diff. A cell is always written whole, so a link can never leak past
/// its text, and every cell of a URL (on one line or wrapped over
/// several) has the same id and target, which the terminal shows as one
/// link.
fn link_cells(line: &CardLine, x: u16, y: u16, width: u16, buf: &mut Buffer) {
    let end = x.saturating_add(width).min(buf.area.right());
    let mut at = x;
    for piece in line {
        let cells = card::width(&piece.text) as u16;
        let (from, to) = (at, at.saturating_add(cells).min(end));
        at = at.saturating_add(cells);
        let Some(url) = &piece.link else {
            continue;
        };
        let id = link_id(url);
        let mut cx = from;
        while cx < to {
            let cell = &mut buf[(cx, y)];
            let symbol = cell.symbol().to_string();
            let cell_width = card::width(&symbol).max(1) as u16;
            if let Some(forced) = std::num::NonZeroU16::new(cell_width) {
                cell.set_symbol(&format!("\x1b]8;id={id};{url}\x1b\\{symbol}\x1b]8;;\x1b\\"));
                cell.set_diff_option(CellDiffOption::ForcedWidth(forced));
            }
            cx = cx.saturating_add(cell_width);
        }
        if at >= end {
            break;
        }
    }
}

/// A link's id for the terminal, the same for the same URL (FNV-1a), so
/// the pieces of a wrapped URL are one link.
fn link_id(url: &str) -> String {
    let hash = url.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("c{hash:x}")
}

/// Lines inside an overlay with a cell of margin each side, scrolled no
/// further than the last line.
/// Returns where the lines went and how far they were scrolled.
fn draw_scrolled(
    p: Paint,
    lines: &[Line<'_>],
    inner: Rect,
    scroll: u16,
    buf: &mut Buffer,
) -> (Rect, u16) {
    let body = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(2),
        ..inner
    };
    let scroll = scroll.min((lines.len() as u16).saturating_sub(body.height));
    draw_lines(lines, body, scroll, buf);
    scroll_hints(p, inner, scroll, lines.len(), buf);
    (body, scroll)
}

fn draw_palette(p: Paint, palette: &crate::app::Palette, area: Rect, buf: &mut Buffer) {
    // Under the items: who is still being asked, and what failed.
    let mut below: Vec<Line> = Vec::new();
    if !palette.waiting.is_empty() {
        below.push(Line::styled(
            format!("asking {}…", sanitize_line(&palette.waiting.join(", "))),
            p.quiet(),
        ));
    }
    for note in &palette.notes {
        below.push(Line::styled(
            sanitize_line(note).into_owned(),
            p.fg(p.theme.warnings),
        ));
    }
    let wanted = palette.matches.len() + below.len() + 3;
    let inner = overlay_box(p, area, 80, (wanted as u16).min(22), &palette.title, buf);
    if inner.height == 0 {
        return;
    }
    let below_rows = (below.len() as u16).min(inner.height.saturating_sub(2));
    for (i, line) in below.iter().take(usize::from(below_rows)).enumerate() {
        let y = inner.bottom() - below_rows + i as u16;
        buf.set_line(inner.x, y, line, inner.width);
    }
    let inner = Rect {
        height: inner.height - below_rows,
        ..inner
    };
    let prompt = Line::from(vec![
        Span::styled("> ", p.focus()),
        Span::raw(sanitize_line(&palette.query).into_owned()),
        Span::styled("█", p.focus()),
        Span::styled(
            format!("  {}/{}", palette.matches.len(), palette.items.len()),
            p.quiet(),
        ),
    ]);
    buf.set_line(inner.x, inner.y, &prompt, inner.width);
    let rows = usize::from(inner.height.saturating_sub(1));
    let start = palette.selected.saturating_sub(rows.saturating_sub(1));
    for (row, &i) in palette.matches.iter().skip(start).take(rows).enumerate() {
        let item = &palette.items[i];
        let selected = start + row == palette.selected;
        let mut line = Line::from(vec![
            Span::styled(format!("{:<8}", item.kind), p.quiet()),
            Span::raw(sanitize_line(&item.label).into_owned()),
            Span::styled(format!("  {}", item.hint), p.quiet()),
        ]);
        if selected {
            line = line.patch_style(Style::new().add_modifier(Modifier::REVERSED));
        }
        buf.set_line(inner.x, inner.y + 1 + row as u16, &line, inner.width);
    }
}

/// Which of a person's accounts a keyboard edit is for.
fn draw_which(
    p: Paint,
    command: Command,
    account: &str,
    person: &str,
    area: Rect,
    buf: &mut Buffer,
) {
    let what = match command {
        Command::MuteAuthor => "Mute",
        Command::Amplify => "Amplify",
        Command::AddToColumn => "Add to a column",
        Command::RemoveFromColumn => "Remove from the column",
        other => other.name(),
    };
    let person = sanitize_line(person);
    let title = format!("{what}: {person} has several accounts");
    let lines: Vec<Line> = [
        ("1", format!("this account, {}", sanitize_line(account))),
        ("2", format!("all of {person}'s accounts (person:{person})")),
        ("esc", "cancel".to_string()),
    ]
    .into_iter()
    .map(|(k, what)| {
        Line::from(vec![
            Span::styled(format!(" {k:<4}"), p.focus()),
            Span::raw(what),
        ])
    })
    .collect();
    let width = lines
        .iter()
        .map(|l| l.width() as u16 + 4)
        .chain([card::width(&title) as u16 + 6])
        .max()
        .unwrap_or(40)
        .min(area.width.saturating_sub(2));
    let inner = overlay_box(p, area, width, 5, &title, buf);
    draw_lines(&lines, inner, 0, buf);
}

fn draw_mute_menu(p: Paint, handle: &str, area: Rect, buf: &mut Buffer) {
    let title = format!("Mute {}", sanitize_line(handle));
    let inner = overlay_box(p, area, 44, 7, &title, buf);
    let lines: Vec<Line> = [
        ("1", "for 1 hour"),
        ("2", "for 1 day"),
        ("3", "for 7 days"),
        ("0 enter", "forever"),
        ("esc", "cancel"),
    ]
    .into_iter()
    .map(|(k, what)| {
        Line::from(vec![
            Span::styled(format!(" {k:<8}"), p.focus()),
            Span::raw(what),
        ])
    })
    .collect();
    draw_lines(&lines, inner, 0, buf);
}

fn draw_prompt(p: Paint, purpose: &Purpose, text: &str, area: Rect, buf: &mut Buffer) {
    let title = match purpose {
        Purpose::MuteKeyword => "Mute a keyword, phrase or #hashtag".to_string(),
        Purpose::NewColumn { handle } => {
            format!(
                "Name the new column for {}",
                sanitize_line(&handle.to_string())
            )
        }
    };
    let inner = overlay_box(p, area, 64, 4, &title, buf);
    let lines = [
        Line::from(vec![
            Span::styled("> ", p.focus()),
            Span::raw(sanitize_line(text).into_owned()),
            Span::styled("█", p.focus()),
        ]),
        Line::from(Span::styled("enter to confirm · esc to cancel", p.quiet())),
    ];
    draw_lines(&lines, inner, 0, buf);
}

fn draw_explain(p: Paint, text: &str, area: Rect, scroll: u16, buf: &mut Buffer) {
    // Wrap first (to the widest the box can be), so the box is as tall as
    // the wrapped text and its last line is not cut off.
    let box_width = 100.min(area.width.saturating_sub(2));
    let width = usize::from(box_width.saturating_sub(4)).max(1);
    let lines: Vec<Line> = text
        .lines()
        .flat_map(|l| {
            let clean = sanitize_line(l).into_owned();
            let indent = clean.len() - clean.trim_start().len();
            textwrap::wrap(
                &clean,
                textwrap::Options::new(width).subsequent_indent(&clean[..indent]),
            )
            .into_iter()
            .map(|w| Line::raw(w.into_owned()))
            .collect::<Vec<_>>()
        })
        .collect();
    draw_text_box(
        p,
        area,
        box_width,
        &lines,
        "Why this post is here — esc closes",
        scroll,
        buf,
    );
}
