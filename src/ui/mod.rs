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
use crate::config::{Command, Style as ColumnStyle};
use crate::model::SourceState;
use crate::model::sanitize_line;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Widget};

const ACCENT: Color = Color::Cyan;
const QUIET: Color = Color::DarkGray;

/// Draws the whole screen.
pub fn render(state: &AppState, frame: &mut Frame) {
    draw(state, frame.area(), frame.buffer_mut());
}

/// Draws the whole screen into a buffer (what [`render`] does, for tests
/// and benchmarks that hold a buffer rather than a frame).
pub fn draw(state: &AppState, area: Rect, buf: &mut Buffer) {
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
            .style(Style::new().fg(QUIET))
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
        draw_column(state, column, rect, (more_left, more_right), buf);
    }
    draw_status(state, geometry.status, buf);
    match &state.overlay {
        Overlay::None => {}
        Overlay::Help { scroll } => draw_help(state, area, *scroll, buf),
        Overlay::Detail { scroll } => draw_detail(state, area, *scroll, buf),
        Overlay::Palette(palette) => draw_palette(palette, area, buf),
        Overlay::MuteMenu { handle } => draw_mute_menu(&handle.to_string(), area, buf),
        Overlay::Prompt { purpose, text } => draw_prompt(purpose, text, area, buf),
        Overlay::Explain { scroll, text } => draw_explain(text, area, *scroll, buf),
        Overlay::Sources { scroll } => draw_sources(state, area, *scroll, buf),
    }
}

fn tone_style(tone: Tone) -> Style {
    match tone {
        Tone::Name => Style::new().add_modifier(Modifier::BOLD),
        Tone::Amplified => Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        Tone::Handle | Tone::Time | Tone::Marker => Style::new().fg(QUIET),
        Tone::Context => Style::new().fg(Color::Green),
        Tone::Warning => Style::new().fg(Color::Yellow),
        Tone::Text => Style::new(),
        Tone::Hashtag => Style::new().fg(Color::Cyan),
        Tone::Mention => Style::new().fg(Color::Magenta),
        Tone::Link => Style::new()
            .fg(Color::Blue)
            .add_modifier(Modifier::UNDERLINED),
        Tone::Heading => Style::new().add_modifier(Modifier::BOLD),
    }
}

fn to_line(line: &CardLine, dim: bool) -> Line<'_> {
    Line::from(
        line.iter()
            .map(|p| {
                let style = if dim {
                    tone_style(p.tone).fg(QUIET).add_modifier(Modifier::DIM)
                } else {
                    tone_style(p.tone)
                };
                Span::styled(p.text.as_str(), style)
            })
            .collect::<Vec<_>>(),
    )
}

fn draw_column(
    state: &AppState,
    column: usize,
    rect: Rect,
    (more_left, more_right): (bool, bool),
    buf: &mut Buffer,
) {
    let focused = column == state.focus;
    let config = &state.rules.columns[column];
    let view = &state.views[column];
    let name = sanitize_line(&config.name);
    let mut title = vec![Span::raw(if more_left { "◀ " } else { " " })];
    title.push(Span::styled(
        name.into_owned(),
        if focused {
            Style::new().fg(ACCENT).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        },
    ));
    let unread = state.timeline.unread(column);
    if unread > 0 {
        title.push(Span::styled(
            format!(" ({unread})"),
            Style::new().fg(ACCENT),
        ));
    }
    if !view.query.is_empty() {
        title.push(Span::styled(
            format!(" /{}", sanitize_line(&view.query)),
            Style::new().fg(Color::Yellow),
        ));
    }
    title.push(Span::raw(if more_right { " ▶" } else { " " }));
    let mut block = Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(Style::new().fg(if focused { ACCENT } else { QUIET }))
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
                Style::new().fg(Color::Black).bg(Color::Yellow),
            ))
            .right_aligned(),
        );
    }
    block.render(rect, buf);
    let inner = view::inner(rect);
    if inner.width < 2 || inner.height == 0 {
        return;
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
            Style::new().fg(QUIET),
        );
        return;
    }
    let dim = config.style == ColumnStyle::Dim;
    let width = inner.width - 1;
    for placed in state.place(column, width, inner.height) {
        let selected = placed.index == view.selected;
        let muted = state
            .timeline
            .get(placed.id)
            .is_some_and(|e| e.verdict.muted.is_some());
        let dim = dim || muted;
        let rows = placed.lines.len() as u16;
        for (i, line) in placed.lines.iter().enumerate() {
            let y = inner.y + placed.top + i as u16;
            if y >= inner.bottom() {
                break;
            }
            if selected {
                let bar = if focused { ACCENT } else { QUIET };
                buf.set_string(inner.x, y, "▌", Style::new().fg(bar));
            }
            let mut line = to_line(line, dim && !selected);
            if selected && focused && i == 0 {
                line = line.patch_style(Style::new().add_modifier(Modifier::REVERSED));
            }
            buf.set_line(inner.x + 1, y, &line, width);
        }
        let rule_y = inner.y + placed.top + rows;
        if rule_y < inner.bottom() {
            buf.set_string(
                inner.x,
                rule_y,
                "─".repeat(usize::from(inner.width)),
                Style::new().fg(QUIET).add_modifier(Modifier::DIM),
            );
        }
    }
}

fn draw_tabs(state: &AppState, area: Rect, buf: &mut Buffer) {
    let labels = tab_labels(state);
    let first = first_tab(&labels, state.focus, area.width);
    let mut spans = Vec::new();
    for (i, label) in labels.iter().enumerate().skip(first) {
        let style = if i == state.focus {
            Style::new()
                .fg(Color::Black)
                .bg(ACCENT)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().fg(QUIET)
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
    buf.set_style(area, Style::new().bg(Color::Black));
    if let Some(text) = &state.search {
        let line = Line::from(vec![
            Span::styled("/", Style::new().fg(ACCENT)),
            Span::raw(sanitize_line(text).into_owned()),
            Span::styled("█", Style::new().fg(ACCENT)),
            Span::styled("  enter keeps · esc clears", Style::new().fg(QUIET)),
        ]);
        buf.set_line(area.x, area.y, &line, area.width);
        return;
    }
    if let Some(error) = state.config_error_text() {
        // A long error wraps onto the second row the layout gave it; the
        // place (`file:line:col`) comes first and is never cut.
        let red = Style::new().fg(Color::White).bg(Color::Red);
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
    // Left: a message, then the sources' states (cut first when the bar is
    // narrow), then the counts, which always show. Right: the config's
    // path, shortened to the room left (gone under a message), and the
    // help key, which always shows.
    let mut head: Vec<Span> = Vec::new();
    if let Some(message) = &state.message {
        head.push(Span::styled(
            format!(" {} ", sanitize_line(message)),
            Style::new().fg(Color::Black).bg(ACCENT),
        ));
    }
    for s in &state.sources {
        let (mark, color, word) = source_mark(s, state.now);
        head.push(Span::styled(format!(" {mark} "), Style::new().fg(color)));
        head.push(Span::raw(sanitize_line(&s.name).into_owned()));
        head.push(Span::styled(
            format!(" {word} · {}", s.posts),
            Style::new().fg(QUIET),
        ));
        if s.skipped > 0 {
            head.push(Span::styled(
                format!(" · {} skipped", s.skipped),
                Style::new().fg(Color::Yellow),
            ));
        }
    }
    let mut tail: Vec<Span> = vec![Span::styled(
        format!("  muted today: {}", state.muted_today),
        Style::new().fg(QUIET),
    )];
    if state.reveal {
        tail.push(Span::styled(" (shown)", Style::new().fg(Color::Yellow)));
    }
    if !state.config.warnings.is_empty() {
        tail.push(Span::styled(
            format!("  {} config warning(s)", state.config.warnings.len()),
            Style::new().fg(Color::Yellow),
        ));
    }
    let help = Span::styled(
        format!("{} help ", state.keymap.keys_text(Command::Help)),
        Style::new().fg(ACCENT),
    );
    let (head, tail) = (Line::from(head), Line::from(tail));
    let fixed = tail.width() + help.width() + 1;
    let room = usize::from(area.width).saturating_sub(head.width() + fixed);
    let location = match state.message {
        Some(_) => String::new(),
        None => shortened_location(&sanitize_line(&state.config.location), room),
    };
    let right = Line::from(vec![Span::styled(location, Style::new().fg(QUIET)), help]);
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
fn source_mark(s: &SourceStatus, now: DateTime<Utc>) -> (&'static str, Color, String) {
    match &s.state {
        SourceState::Starting => ("○", QUIET, "starting".to_string()),
        SourceState::Loading => ("◌", Color::Yellow, "loading".to_string()),
        SourceState::Connecting => ("◌", Color::Yellow, "connecting".to_string()),
        SourceState::Waiting(what) => ("◌", Color::Yellow, what.clone()),
        SourceState::Retrying { why, .. } => {
            let word = match s.retry_in(now).unwrap_or(0) {
                0 => format!("retrying now: {why}"),
                left => format!("retrying in {left}s: {why}"),
            };
            ("↻", Color::Yellow, word)
        }
        SourceState::Live => ("●", Color::Green, "live".to_string()),
        SourceState::Incomplete(why) => ("●", Color::Yellow, format!("live; {why}")),
        SourceState::Done => ("●", QUIET, "done".to_string()),
        SourceState::Failed(why) => ("✗", Color::Red, format!("failed: {why}")),
    }
}

/// The sources overlay: each source's state, its last problems in full,
/// and what to do, wrapped to the box.
fn draw_sources(state: &AppState, area: Rect, scroll: u16, buf: &mut Buffer) {
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
        let (mark, color, word) = source_mark(s, state.now);
        let kind = spec.map_or(String::new(), |spec| {
            format!(" ({})", spec.kind.kind_name())
        });
        let word = word.split(": ").next().unwrap_or_default().to_string();
        lines.push(Line::from(vec![
            Span::styled(format!("{mark} "), Style::new().fg(color)),
            Span::styled(
                sanitize_line(&s.name).into_owned(),
                Style::new().add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                format!("{kind} {word} · {} posts · {} skipped", s.posts, s.skipped),
                Style::new().fg(QUIET),
            ),
        ]));
        if let Some(why) = crate::app::sources::reason(&s.state) {
            wrapped(&mut lines, "  why: ", why, Style::new());
        }
        if let Some(problem) = &s.last_problem {
            wrapped(
                &mut lines,
                "  last line skipped: ",
                problem,
                Style::new().fg(QUIET),
            );
        }
        if let Some(advice) = crate::app::sources::advice(s, spec) {
            wrapped(
                &mut lines,
                "  what to do: ",
                &advice,
                Style::new().fg(ACCENT),
            );
        }
        lines.push(Line::default());
    }
    lines.pop();
    if lines.is_empty() {
        lines.push(Line::raw(
            "No sources: add a [[source]] table to the config.",
        ));
    }
    let inner = overlay_box(
        area,
        box_width,
        lines.len() as u16 + 2,
        "Sources — esc closes",
        buf,
    );
    draw_scrolled(&lines, inner, scroll, buf);
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

fn overlay_box(area: Rect, width: u16, height: u16, title: &str, buf: &mut Buffer) -> Rect {
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
            if card::width(cell.symbol()) > 1 {
                cell.set_symbol(" ");
            }
        }
    }
    Clear.render(rect, buf);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(Style::new().fg(ACCENT))
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
                Span::styled(keys, Style::new().fg(ACCENT)),
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
        lines.push(Line::from(Span::styled(text, Style::new().fg(QUIET))));
    }
    lines
}

fn draw_help(state: &AppState, area: Rect, scroll: u16, buf: &mut Buffer) {
    let lines = help_lines(state);
    let inner = overlay_box(area, 84, lines.len() as u16 + 2, "Keys — esc closes", buf);
    let scroll = scroll.min((lines.len() as u16).saturating_sub(inner.height));
    draw_lines(&lines, inner, scroll, buf);
    scroll_hints(inner, scroll, lines.len(), buf);
}

/// On an overlay's bottom border, says there is more to scroll to: `↓ more`
/// below, `↑ more` above (both when in the middle).
fn scroll_hints(inner: Rect, scroll: u16, total: usize, buf: &mut Buffer) {
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
    buf.set_string(x, inner.bottom(), hint, Style::new().fg(ACCENT));
}

fn draw_detail(state: &AppState, area: Rect, scroll: u16, buf: &mut Buffer) {
    let Some(entry) = state.selected().and_then(|id| state.timeline.get(id)) else {
        return;
    };
    let inner = overlay_box(
        area,
        100,
        area.height.saturating_sub(2),
        "Post — esc closes · j/k next · o open · y copy",
        buf,
    );
    let width = usize::from(inner.width.saturating_sub(2)).max(1);
    let lines = card::detail(
        &entry.post,
        &entry.verdict,
        &state.column_names(),
        width,
        state.now,
    );
    let lines: Vec<Line> = lines.iter().map(|l| to_line(l, false)).collect();
    draw_scrolled(&lines, inner, scroll, buf);
}

/// Lines inside an overlay with a cell of margin each side, scrolled no
/// further than the last line.
fn draw_scrolled(lines: &[Line<'_>], inner: Rect, scroll: u16, buf: &mut Buffer) {
    let body = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(2),
        ..inner
    };
    let scroll = scroll.min((lines.len() as u16).saturating_sub(body.height));
    draw_lines(lines, body, scroll, buf);
    scroll_hints(inner, scroll, lines.len(), buf);
}

fn draw_palette(palette: &crate::app::Palette, area: Rect, buf: &mut Buffer) {
    let inner = overlay_box(
        area,
        80,
        (palette.matches.len() as u16 + 3).min(22),
        &palette.title,
        buf,
    );
    if inner.height == 0 {
        return;
    }
    let prompt = Line::from(vec![
        Span::styled("> ", Style::new().fg(ACCENT)),
        Span::raw(sanitize_line(&palette.query).into_owned()),
        Span::styled("█", Style::new().fg(ACCENT)),
        Span::styled(
            format!("  {}/{}", palette.matches.len(), palette.items.len()),
            Style::new().fg(QUIET),
        ),
    ]);
    buf.set_line(inner.x, inner.y, &prompt, inner.width);
    let rows = usize::from(inner.height.saturating_sub(1));
    let start = palette.selected.saturating_sub(rows.saturating_sub(1));
    for (row, &i) in palette.matches.iter().skip(start).take(rows).enumerate() {
        let item = &palette.items[i];
        let selected = start + row == palette.selected;
        let mut line = Line::from(vec![
            Span::styled(format!("{:<8}", item.kind), Style::new().fg(QUIET)),
            Span::raw(sanitize_line(&item.label).into_owned()),
            Span::styled(format!("  {}", item.hint), Style::new().fg(QUIET)),
        ]);
        if selected {
            line = line.patch_style(Style::new().add_modifier(Modifier::REVERSED));
        }
        buf.set_line(inner.x, inner.y + 1 + row as u16, &line, inner.width);
    }
}

fn draw_mute_menu(handle: &str, area: Rect, buf: &mut Buffer) {
    let title = format!("Mute {}", sanitize_line(handle));
    let inner = overlay_box(area, 44, 7, &title, buf);
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
            Span::styled(format!(" {k:<8}"), Style::new().fg(ACCENT)),
            Span::raw(what),
        ])
    })
    .collect();
    draw_lines(&lines, inner, 0, buf);
}

fn draw_prompt(purpose: &Purpose, text: &str, area: Rect, buf: &mut Buffer) {
    let title = match purpose {
        Purpose::MuteKeyword => "Mute a keyword, phrase or #hashtag".to_string(),
        Purpose::NewColumn { handle } => {
            format!(
                "Name the new column for {}",
                sanitize_line(&handle.to_string())
            )
        }
    };
    let inner = overlay_box(area, 64, 4, &title, buf);
    let lines = [
        Line::from(vec![
            Span::styled("> ", Style::new().fg(ACCENT)),
            Span::raw(sanitize_line(text).into_owned()),
            Span::styled("█", Style::new().fg(ACCENT)),
        ]),
        Line::from(Span::styled(
            "enter to confirm · esc to cancel",
            Style::new().fg(QUIET),
        )),
    ];
    draw_lines(&lines, inner, 0, buf);
}

fn draw_explain(text: &str, area: Rect, scroll: u16, buf: &mut Buffer) {
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
    let inner = overlay_box(
        area,
        box_width,
        lines.len() as u16 + 2,
        "Why this post is here — esc closes",
        buf,
    );
    draw_scrolled(&lines, inner, scroll, buf);
}
