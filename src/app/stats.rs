//! Rule statistics in the screen (`S`), and what a reload changed: the
//! same counts as `circles stats`, over the posts the timeline holds
//! (README, "Rule statistics").

use super::AppState;
use crate::filter::stats::{Stats, Table};

/// What each rule took and muted among the posts held, counted from when
/// the rules were loaded (the timeline is routed again; the verdicts it
/// keeps carry no trace).
pub fn rule_stats(state: &AppState) -> (Stats, Table) {
    let mut stats = Stats::new(&state.rules, state.now, state.utc_offset);
    for (_, entry) in state.timeline.entries() {
        let verdict = crate::filter::route(&state.rules, &entry.post);
        stats.add(&state.rules, &entry.post, &verdict);
    }
    let table = stats.table(&state.rules);
    (stats, table)
}

/// Each column's posts by name, and the muted: what a reload compares.
pub(super) fn counts(state: &AppState) -> (Vec<(String, usize)>, usize) {
    let columns = state
        .rules
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.clone(), state.timeline.column(i).len()))
        .collect();
    (columns, state.timeline.muted().len())
}

/// What a reload changed, in words: `+12 to Core, −40 muted, 3 more to
/// Everyone else`; none when nothing moved.
pub fn reload_diff(
    before: &(Vec<(String, usize)>, usize),
    after: &(Vec<(String, usize)>, usize),
) -> Option<String> {
    let mut parts = Vec::new();
    for (name, now) in &after.0 {
        let was = before
            .0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or(0, |(_, n)| *n);
        match (*now as i64) - (was as i64) {
            0 => {}
            d if d > 0 => parts.push(format!("+{d} to {name}")),
            d => parts.push(format!("−{} from {name}", -d)),
        }
    }
    // A column the edit took away: what it held leaves it.
    for (name, was) in &before.0 {
        let kept = after.0.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
        if !kept && *was > 0 {
            parts.push(format!("−{was} from {name} (gone)"));
        }
    }
    match (after.1 as i64) - (before.1 as i64) {
        0 => {}
        d if d > 0 => parts.push(format!("+{d} muted")),
        d => parts.push(format!("−{} muted", -d)),
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reload_says_what_moved() {
        let before = (vec![("Core".into(), 10), ("Rest".into(), 50)], 5);
        let after = (
            vec![("Core".into(), 22), ("Rest".into(), 48), ("New".into(), 3)],
            0,
        );
        assert_eq!(
            reload_diff(&before, &after).as_deref(),
            Some("+12 to Core, −2 from Rest, +3 to New, −5 muted")
        );
        assert_eq!(reload_diff(&before, &before), None);
        let without_rest = (vec![("Core".into(), 60)], 5);
        assert_eq!(
            reload_diff(&before, &without_rest).as_deref(),
            Some("+50 to Core, −50 from Rest (gone)")
        );
    }
}
