//! Where things go on the screen: which columns fit, their boxes, the tab
//! bar and the status bar. Pure arithmetic on the terminal size, shared by
//! the reducer (to page, to hit-test the mouse) and the ui (to draw).

use ratatui::layout::Rect;

/// A column narrower than this is not worth reading; fewer columns show.
pub const MIN_COLUMN_WIDTH: u16 = 32;
/// Below this width one column shows, with a tab bar to switch.
pub const TABS_BELOW: u16 = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Geometry {
    /// The tab bar, in a narrow pane.
    pub tabs: Option<Rect>,
    /// The visible columns, left to right: (column index, box).
    pub columns: Vec<(usize, Rect)>,
    pub status: Rect,
}

/// How many columns fit side by side.
pub fn fitting(width: u16, columns: usize) -> usize {
    if width < TABS_BELOW {
        return 1;
    }
    usize::from(width / MIN_COLUMN_WIDTH).clamp(1, columns.max(1))
}

/// The first visible column that keeps `focus` in view, moving `first` as
/// little as possible.
pub fn scroll_to(first: usize, focus: usize, width: u16, columns: usize) -> usize {
    let n = fitting(width, columns);
    let first = if focus < first {
        focus
    } else if focus >= first + n {
        focus + 1 - n
    } else {
        first
    };
    first.min(columns.saturating_sub(n))
}

/// The screen's parts; the status bar takes `status_rows` rows at the
/// bottom (two for a long config error, so its place is never cut).
pub fn geometry(
    area: Rect,
    columns: usize,
    first: usize,
    focus: usize,
    status_rows: u16,
) -> Geometry {
    let rows = status_rows.max(1).min(area.height);
    let status = Rect {
        y: area.bottom().saturating_sub(rows),
        height: rows,
        ..area
    };
    let mut body = Rect {
        height: area.height.saturating_sub(rows),
        ..area
    };
    let mut geometry = Geometry {
        tabs: None,
        columns: Vec::new(),
        status,
    };
    if columns == 0 {
        return geometry;
    }
    if area.width < TABS_BELOW {
        geometry.tabs = Some(Rect {
            height: body.height.min(1),
            ..body
        });
        body.y += body.height.min(1);
        body.height = body.height.saturating_sub(1);
        geometry.columns.push((focus.min(columns - 1), body));
        return geometry;
    }
    let n = fitting(area.width, columns);
    let first = first.min(columns - n);
    let base = area.width / n as u16;
    let extra = area.width % n as u16;
    let mut x = area.x;
    for i in 0..n {
        let w = base + u16::from((i as u16) < extra);
        geometry
            .columns
            .push((first + i, Rect::new(x, body.y, w, body.height)));
        x += w;
    }
    geometry
}

/// Inside a column's border.
pub fn inner(rect: Rect) -> Rect {
    Rect {
        x: rect.x.saturating_add(1).min(rect.right()),
        y: rect.y.saturating_add(1).min(rect.bottom()),
        width: rect.width.saturating_sub(2),
        height: rect.height.saturating_sub(2),
    }
}

/// A box centred in `area`, at most `width`×`height`, leaving a margin.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width
        .min(area.width.saturating_sub(2))
        .max(area.width.min(10));
    let h = height
        .min(area.height.saturating_sub(2))
        .max(area.height.min(5));
    Rect::new(
        area.x + (area.width.saturating_sub(w)) / 2,
        area.y + (area.height.saturating_sub(h)) / 2,
        w,
        h,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_many_columns_as_fit_then_tabs() {
        assert_eq!(fitting(200, 5), 5);
        assert_eq!(fitting(200, 8), 6);
        assert_eq!(fitting(120, 5), 3);
        assert_eq!(fitting(80, 5), 2);
        assert_eq!(fitting(63, 5), 1);
        let g = geometry(Rect::new(0, 0, 50, 20), 5, 0, 3, 1);
        assert_eq!(g.tabs, Some(Rect::new(0, 0, 50, 1)));
        assert_eq!(g.columns, vec![(3, Rect::new(0, 1, 50, 18))]);
        assert_eq!(g.status, Rect::new(0, 19, 50, 1));
    }

    #[test]
    fn columns_share_the_width_exactly() {
        let g = geometry(Rect::new(0, 0, 100, 30), 5, 1, 1, 1);
        let widths: Vec<u16> = g.columns.iter().map(|(_, r)| r.width).collect();
        assert_eq!(widths, [34, 33, 33]);
        assert_eq!(g.columns[0].0, 1);
        assert_eq!(g.columns[2].1.right(), 100);
    }

    #[test]
    fn sideways_scrolling_keeps_the_focus_in_view() {
        // 3 of 5 fit at 120 cells.
        assert_eq!(scroll_to(0, 2, 120, 5), 0);
        assert_eq!(scroll_to(0, 3, 120, 5), 1);
        assert_eq!(scroll_to(1, 4, 120, 5), 2);
        assert_eq!(scroll_to(2, 0, 120, 5), 0);
        assert_eq!(scroll_to(2, 3, 200, 5), 0, "all fit: no scrolling");
    }
}
