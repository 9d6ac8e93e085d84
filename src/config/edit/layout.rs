//! Layout-keeping edits of a TOML document, whatever it is about: a new
//! list element on its own line like the others, an element removed with
//! its line, comments that stay below what they were below, new tables at
//! the end of the file. toml_edit keeps each element's surrounding
//! whitespace and comments as that element's "decor"; the work here is
//! moving that decor around.
//!
//! The rules of circles' config (what a mute or a column edit changes) are
//! in `super`; nothing here knows them.

use super::EditError;
use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, TableLike, Value};

/// A document being edited, and where its new tables go.
pub(super) struct Editor {
    pub(super) doc: DocumentMut,
    /// The position the next new table gets. toml_edit prints tables in
    /// position order, so this puts new tables at the end of the file.
    pub(super) next_position: isize,
    /// The position of the first table added at the end.
    first_new_position: isize,
}

impl Editor {
    pub(super) fn new(doc: DocumentMut) -> Editor {
        let next_position = last_position(doc.as_table()) + 1;
        Editor {
            doc,
            next_position,
            first_new_position: next_position,
        }
    }

    /// The edited text, with the line endings the file had: toml_edit writes
    /// `\n` everywhere and always ends the last line.
    pub(super) fn finish(mut self, original: &str) -> String {
        self.put_last_comments_above_new_tables();
        let mut text = self.doc.to_string();
        let crlf = original.contains("\r\n") && !original.replace("\r\n", "").contains('\n');
        if crlf {
            text = text.replace("\r\n", "\n").replace('\n', "\r\n");
        }
        let line_break = if crlf { "\r\n" } else { "\n" };
        if !original.trim().is_empty()
            && !original.ends_with('\n')
            && let Some(stripped) = text.strip_suffix(line_break)
        {
            text.truncate(stripped.len());
        }
        text
    }

    /// toml_edit keeps comments after the last table apart and prints them
    /// last; tables added at the end go after them, so the file grows at its
    /// end and those comments stay below what they were below.
    fn put_last_comments_above_new_tables(&mut self) {
        let trailing = self.doc.trailing().as_str().unwrap_or("").to_string();
        if trailing.trim().is_empty() {
            return;
        }
        let first_new = print_order(self.doc.as_table())
            .into_iter()
            .find(|(_, visible, position)| *visible && *position >= self.first_new_position);
        if let Some(table) =
            first_new.and_then(|(path, ..)| table_at(self.doc.as_table_mut(), &path))
        {
            let line_break = if trailing.ends_with('\n') { "" } else { "\n" };
            let prefix = decor_text(table.decor().prefix()).unwrap_or("\n");
            let prefix = format!("{trailing}{line_break}{prefix}");
            table.decor_mut().set_prefix(prefix);
            self.doc.set_trailing("");
        }
    }

    /// Puts comment lines where the table at `path` ends. When its entries are
    /// dotted keys (`until."@a@x.social" = …`) inside another table, they go
    /// above the next entry there; otherwise before the next table printed.
    pub(super) fn put_after_table(&mut self, path: &[&str], lines: &str) {
        let Some((key, parent_path)) = path.split_last() else {
            self.put_before_table_after(path, lines);
            return;
        };
        let steps: Vec<Step> = parent_path
            .iter()
            .map(|key| Step {
                key: key.to_string(),
                index: None,
            })
            .collect();
        let Some(parent) = table_at(self.doc.as_table_mut(), &steps) else {
            return;
        };
        if !parent
            .get(key)
            .and_then(Item::as_table)
            .is_some_and(Table::is_dotted)
        {
            self.put_before_table_after(path, lines);
            return;
        }
        let next = parent
            .iter()
            .skip_while(|(k, _)| k != key)
            .skip(1)
            .find(|(_, item)| item.is_value())
            .map(|(k, _)| k.to_string());
        match next.and_then(|next| parent.key_mut(&next)) {
            Some(mut next) => {
                let prefix = decor_text(next.leaf_decor().prefix()).unwrap_or("");
                let prefix = format!("{lines}{prefix}");
                next.leaf_decor_mut().set_prefix(prefix);
            }
            None => self.put_after_table(parent_path, lines),
        }
    }

    /// Puts comment lines at the start of the table printed after the one at
    /// `path`, or at the end of the file when nothing follows it.
    pub(super) fn put_before_table_after(&mut self, path: &[&str], lines: &str) {
        let order = print_order(self.doc.as_table());
        let next = order
            .iter()
            .position(|(p, ..)| p.iter().map(|s| s.key.as_str()).eq(path.iter().copied()))
            .and_then(|at| order[at + 1..].iter().find(|(_, visible, _)| *visible))
            .map(|(p, ..)| p.clone());
        match next.and_then(|p| table_at(self.doc.as_table_mut(), &p)) {
            Some(table) => {
                let prefix = decor_text(table.decor().prefix()).unwrap_or("\n");
                let prefix = format!("{lines}{prefix}");
                table.decor_mut().set_prefix(prefix);
            }
            None => {
                let trailing = self.doc.trailing().as_str().unwrap_or("").to_string();
                self.doc.set_trailing(format!("{lines}{trailing}"));
            }
        }
    }
}

/// A table edits write into: a `[header]` table (or dotted keys), or an
/// inline `{ … }` one, whose spacing needs tidying when it grows or shrinks.
pub(super) enum TableMut<'a> {
    Std(&'a mut Table),
    Inline(&'a mut InlineTable),
}

impl<'a> TableMut<'a> {
    pub(super) fn of(item: &'a mut Item, what: &str) -> Result<TableMut<'a>, EditError> {
        match item {
            Item::Table(table) => Ok(TableMut::Std(table)),
            Item::Value(Value::InlineTable(table)) => Ok(TableMut::Inline(table)),
            _ => Err(not_editable(what, "a table")),
        }
    }

    pub(super) fn read(&self) -> &dyn TableLike {
        match self {
            TableMut::Std(table) => &**table,
            TableMut::Inline(table) => &**table,
        }
    }

    pub(super) fn into_item(self, key: &str) -> Option<&'a mut Item> {
        match self {
            TableMut::Std(table) => table.get_mut(key),
            TableMut::Inline(table) => TableLike::get_mut(table, key),
        }
    }

    pub(super) fn insert(&mut self, key: &str, item: Item) {
        match self {
            TableMut::Std(table) => {
                table.insert(key, item);
            }
            TableMut::Inline(table) => {
                let mut value = item
                    .into_value()
                    .expect("only tables and values are inserted, and both can be inline");
                // `{ a = 1 }`: the space before `}` is the last value's
                // suffix, and would end up before the new comma.
                if let Some((_, last)) = table.iter_mut().last() {
                    let closing = decor_text(last.decor().suffix()).map(str::to_string);
                    last.decor_mut().set_suffix("");
                    if let Some(closing) = closing {
                        value.decor_mut().set_suffix(closing);
                    }
                }
                table.insert(key, value);
            }
        }
    }
}

pub(super) fn remove_inline_entry(table: &mut InlineTable, key: &str) {
    let was_last = table.iter().last().is_some_and(|(k, _)| k == key);
    let Some(removed) = table.remove(key) else {
        return;
    };
    if was_last && let Some((_, last)) = table.iter_mut().last() {
        let closing = decor_text(removed.decor().suffix()).unwrap_or("");
        last.decor_mut().set_suffix(closing);
    }
}

pub(super) fn not_editable(what: &str, should_be: &str) -> EditError {
    EditError(format!(
        "`{what}` in the config is not {should_be}, so circles cannot edit it; \
         fix it by hand and try again"
    ))
}

pub(super) fn as_array<'a>(item: &'a mut Item, what: &str) -> Result<&'a mut Array, EditError> {
    item.as_array_mut()
        .ok_or_else(|| not_editable(what, "a list"))
}

/// The table at `key` in `parent`, made when missing: a header at the end of
/// the file under a normal table, `key = { … }` in an inline one.
pub(super) fn sub_table<'a>(
    mut parent: TableMut<'a>,
    key: &str,
    what: &str,
    next_position: &mut isize,
) -> Result<TableMut<'a>, EditError> {
    if !parent.read().contains_key(key) {
        let mut table = Table::new();
        // Implicit until it holds a key: a timed mute alone writes
        // `[mute.until]` without an empty `[mute]` above it.
        table.set_implicit(true);
        table.set_position(Some(*next_position));
        *next_position += 1;
        parent.insert(key, Item::Table(table));
    }
    TableMut::of(parent.into_item(key).expect("just checked"), what)
}

/// The list at `key` in `table`, made (empty) when missing.
pub(super) fn array_in<'a>(
    mut table: TableMut<'a>,
    key: &str,
    what: &str,
) -> Result<&'a mut Array, EditError> {
    if !table.read().contains_key(key) {
        table.insert(key, toml_edit::value(Array::new()));
    }
    as_array(table.into_item(key).expect("just checked"), what)
}

/// The highest table position in the document.
pub(super) fn last_position(table: &Table) -> isize {
    let mut last = table.position().unwrap_or(0);
    for (_, item) in table.iter() {
        match item {
            Item::Table(t) => last = last.max(last_position(t)),
            Item::ArrayOfTables(list) => {
                for t in list.iter() {
                    last = last.max(last_position(t));
                }
            }
            _ => {}
        }
    }
    last
}

/// One step from a table to a table inside it.
#[derive(Debug, Clone)]
pub(super) struct Step {
    key: String,
    /// Which table of an array of tables.
    index: Option<usize>,
}

/// Every table with a header, in the order toml_edit prints them (sorted by
/// position; a table without one follows the table visited before it),
/// each with whether its header is printed and its position.
pub(super) fn print_order(root: &Table) -> Vec<(Vec<Step>, bool, isize)> {
    fn visit(
        table: &Table,
        path: &mut Vec<Step>,
        last: &mut isize,
        out: &mut Vec<(isize, Vec<Step>, bool)>,
    ) {
        if !table.is_dotted() {
            if let Some(position) = table.position() {
                *last = position;
            }
            let visible = !(table.is_implicit() && table.get_values().is_empty());
            out.push((*last, path.clone(), visible && !path.is_empty()));
        }
        for (key, item) in table.iter() {
            match item {
                Item::Table(t) => {
                    path.push(Step {
                        key: key.to_string(),
                        index: None,
                    });
                    visit(t, path, last, out);
                    path.pop();
                }
                Item::ArrayOfTables(list) => {
                    for (index, t) in list.iter().enumerate() {
                        path.push(Step {
                            key: key.to_string(),
                            index: Some(index),
                        });
                        visit(t, path, last, out);
                        path.pop();
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    visit(root, &mut Vec::new(), &mut 0, &mut out);
    out.sort_by_key(|(position, path, _)| (!path.is_empty(), *position));
    out.into_iter()
        .map(|(position, path, visible)| (path, visible, position))
        .collect()
}

pub(super) fn table_at<'a>(root: &'a mut Table, path: &[Step]) -> Option<&'a mut Table> {
    let mut table = root;
    for step in path {
        let item = table.get_mut(&step.key)?;
        table = match step.index {
            Some(index) => item.as_array_of_tables_mut()?.get_mut(index)?,
            None => item.as_table_mut()?,
        };
    }
    Some(table)
}

/// Removes `key` from a normal table and returns the comment lines that were
/// above it and now have no entry below them. Lines above a removed entry
/// (comments, a blank line between groups) move onto the next entry, so the
/// file reads as if one line was deleted; blank lines above the last entry
/// go with it.
pub(super) fn remove_entry(table: &mut Table, key: &str) -> String {
    let above = table
        .key(key)
        .and_then(|k| decor_text(k.leaf_decor().prefix()))
        .map(|prefix| whole_lines(prefix).to_string())
        .unwrap_or_default();
    let next = table
        .iter()
        .skip_while(|(k, _)| *k != key)
        .skip(1)
        .find(|(_, item)| item.is_value())
        .map(|(k, _)| k.to_string());
    table.remove(key);
    match next.and_then(|next| table.key_mut(&next)) {
        Some(mut next) => {
            let prefix = decor_text(next.leaf_decor().prefix()).unwrap_or("");
            let prefix = format!("{above}{prefix}");
            next.leaf_decor_mut().set_prefix(prefix);
            String::new()
        }
        None if above.contains('#') => above,
        None => String::new(),
    }
}

pub(super) fn decor_text(raw: Option<&toml_edit::RawString>) -> Option<&str> {
    raw.and_then(toml_edit::RawString::as_str)
}

/// The text up to and including its last line break.
pub(super) fn whole_lines(text: &str) -> &str {
    text.rfind('\n').map_or("", |at| &text[..=at])
}

/// The text after its first line break: what follows the end of a line.
pub(super) fn after_first_line(text: &str) -> &str {
    text.find('\n').map_or(text, |at| &text[at + 1..])
}

/// The text after its last line break: the indentation of what follows.
pub(super) fn last_line(text: &str) -> &str {
    text.rfind('\n').map_or(text, |at| &text[at + 1..])
}

/// The whitespace before an element (after the `[` or the comma before it).
pub(super) fn prefix(list: &Array, index: usize) -> String {
    decor_text(list.get(index).and_then(|v| v.decor().prefix())).map_or_else(
        || if index == 0 { "" } else { " " }.to_string(),
        str::to_string,
    )
}

pub(super) fn suffix(list: &Array, index: usize) -> String {
    decor_text(list.get(index).and_then(|v| v.decor().suffix()))
        .unwrap_or("")
        .to_string()
}

/// Everything between the last element (or its comma) and the `]`. Without a
/// trailing comma toml_edit keeps part of it as the last element's suffix.
pub(super) fn closing(list: &Array) -> String {
    let trailing = list.trailing().as_str().unwrap_or("");
    match list.len() {
        0 => trailing.to_string(),
        _ if list.trailing_comma() => trailing.to_string(),
        n => format!("{}{trailing}", suffix(list, n - 1)),
    }
}

/// Appends to a list in its own layout: on a line of its own, indented like
/// the element above, when that one has its own line; after a space
/// otherwise. A trailing comma stays, and comments after the last element
/// stay above the new one.
pub(super) fn push_line(list: &mut Array, value: Value) {
    let close = closing(list);
    let (before, close) = match list.len() {
        0 if close.contains('\n') => {
            // `[` and `]` on their own lines, maybe comments between.
            let indent = close
                .lines()
                .rev()
                .find(|line| !line.trim().is_empty())
                .map_or("  ", |line| &line[..line.len() - line.trim_start().len()]);
            let indent = if indent.is_empty() { "  " } else { indent };
            (
                format!("{}{indent}", whole_lines(&close)),
                format!("\n{}", last_line(&close)),
            )
        }
        0 => (String::new(), close),
        n => {
            let above = prefix(list, n - 1);
            if !above.contains('\n') {
                (" ".to_string(), close)
            } else if close.contains('\n') {
                (
                    format!("{}{}", whole_lines(&close), last_line(&above)),
                    format!("\n{}", last_line(&close)),
                )
            } else {
                (format!("\n{}", last_line(&above)), close)
            }
        }
    };
    if let Some(last) = list.len().checked_sub(1)
        && !list.trailing_comma()
    {
        list.get_mut(last)
            .expect("in bounds")
            .decor_mut()
            .set_suffix("");
    }
    list.push_formatted(value.decorated(before, ""));
    list.set_trailing(close);
}

/// Writes `# note` after the last element of `list` (just pushed): at the
/// end of its line when elements have lines of their own, else at the end
/// of the list's line, naming `entry` there since others share the line.
pub(super) fn note_last(list: &mut Array, entry: &str, note: &str) {
    let close = closing(list);
    let own_line = !list.is_empty() && prefix(list, list.len() - 1).contains('\n');
    if own_line {
        if let Some(last) = list.len().checked_sub(1) {
            list.get_mut(last)
                .expect("in bounds")
                .decor_mut()
                .set_suffix("");
        }
        // The comma before the comment, and `]` kept off the comment's line.
        list.set_trailing_comma(true);
        let close = if close.contains('\n') {
            close
        } else {
            format!("\n{close}")
        };
        list.set_trailing(format!("  # {note}{close}"));
    } else {
        let suffix = decor_text(list.decor().suffix()).unwrap_or("").to_string();
        let suffix = if suffix.contains('#') {
            format!("{suffix}; {entry} is {note}")
        } else {
            format!("{suffix}  # {entry} is {note}")
        };
        list.decor_mut().set_suffix(suffix);
    }
}

/// Removes an element and its line: what was written after it on its line
/// goes with it, comment lines above it stay, and the other lines are left
/// as they were.
pub(super) fn remove_line(list: &mut Array, index: usize) {
    let own = prefix(list, index);
    if index + 1 < list.len() {
        let next = prefix(list, index + 1);
        let next = if !next.contains('\n') {
            // The next element shared this one's line: it takes its place.
            own
        } else if !own.contains('\n') {
            next
        } else {
            format!("{}{}", whole_lines(&own), after_first_line(&next))
        };
        list.get_mut(index + 1)
            .expect("in bounds")
            .decor_mut()
            .set_prefix(next);
        list.remove(index);
        return;
    }
    let close = closing(list);
    let close = if own.contains('\n') && close.contains('\n') {
        format!("{}{}", whole_lines(&own), after_first_line(&close))
    } else {
        close
    };
    list.remove(index);
    if list.is_empty() && close.trim().is_empty() {
        list.set_trailing_comma(false);
        list.set_trailing("");
    } else {
        list.set_trailing(close);
    }
}
