//! Keyboard edits to the config file: mute, amplify and column membership
//! (SPEC §5), applied to the user's TOML in place.
//!
//! The text is parsed into a `toml_edit::DocumentMut` and only the array or
//! table an edit is about changes; every comment, blank line, key order and
//! quoting style elsewhere comes back byte for byte (STYLE 3). toml_edit
//! keeps each array element's surrounding whitespace and comments as that
//! element's "decor", so the line-aware work here is moving that decor
//! around: a new element goes on its own line when the others do, and
//! removing one takes its line with it and leaves the rest alone.
//!
//! Pure: text in, text out. May touch: `model` (handle keys).

use crate::model::parse_handle;
use chrono::{DateTime, SecondsFormat, Utc};
use toml_edit::{
    Array, ArrayOfTables, Datetime, DocumentMut, InlineTable, Item, Table, TableLike, Value,
};

/// One change the keyboard makes to the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Mute an author: forever (`until: None` → `[mute].accounts`) or until a
    /// time (`[mute.until]`).
    MuteAccount {
        handle: String,
        until: Option<DateTime<Utc>>,
    },
    /// `[mute].boosts_from`
    MuteBoostsFrom {
        handle: String,
    },
    /// `[mute].keywords` (a word, phrase, or "#tag")
    MuteKeyword {
        keyword: String,
    },
    /// `[amplify].accounts`
    Amplify {
        handle: String,
    },
    Unamplify {
        handle: String,
    },
    /// Add to the `accounts` of the `[[column]]` with that name (any case).
    AddToColumn {
        column: String,
        handle: String,
    },
    /// Append a new `[[column]]` with `name` and `accounts = [handle]`.
    NewColumn {
        column: String,
        handle: String,
    },
    /// Remove from that column's `accounts`.
    RemoveFromColumn {
        column: String,
        handle: String,
    },
}

/// Why an edit could not be made; reads like advice.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EditError(pub String);

/// Applies an edit to config text and returns the new text.
///
/// Every call also prunes `[mute.until]` entries that ended at or before
/// `now` (SPEC: "pruned on next write").
pub fn apply(text: &str, edit: &Edit, now: DateTime<Utc>) -> Result<String, EditError> {
    let doc: DocumentMut = text.parse().map_err(|e| {
        EditError(format!(
            "the config could not be parsed, so it was left unchanged; fix it and try again:\n{e}"
        ))
    })?;
    let mut editor = Editor::new(doc);
    editor.prune_timed_mutes(now)?;
    match edit {
        Edit::MuteAccount { handle, until } => {
            let handle = Handle::new(handle)?;
            editor.remove_from_amplify(&handle)?;
            match until {
                None => {
                    editor.remove_timed_mute(&handle)?;
                    editor.add_to_mute("accounts", &handle)?;
                }
                Some(until) if *until <= now => {
                    return Err(EditError(format!(
                        "a mute until {} would already be over; pick a later time",
                        until.to_rfc3339_opts(SecondsFormat::Secs, true)
                    )));
                }
                Some(until) => {
                    editor.remove_from_mute("accounts", &handle)?;
                    editor.set_timed_mute(&handle, *until)?;
                }
            }
        }
        Edit::MuteBoostsFrom { handle } => {
            let handle = Handle::new(handle)?;
            editor.add_to_mute("boosts_from", &handle)?;
        }
        Edit::MuteKeyword { keyword } => editor.mute_keyword(keyword)?,
        Edit::Amplify { handle } => {
            let handle = Handle::new(handle)?;
            editor.remove_from_mute("accounts", &handle)?;
            editor.remove_timed_mute(&handle)?;
            let amplify = editor.section("amplify")?;
            add_once(array_in(amplify, "accounts", "amplify.accounts")?, &handle);
        }
        Edit::Unamplify { handle } => {
            let handle = Handle::new(handle)?;
            if !editor.remove_from_amplify(&handle)? {
                return Err(EditError(format!(
                    "{} is not in [amplify].accounts, so there is nothing to undo",
                    handle.written
                )));
            }
        }
        Edit::AddToColumn { column, handle } => {
            let handle = Handle::new(handle)?;
            let (table, _) = editor.column(column)?;
            add_once(array_in(table, "accounts", "column.accounts")?, &handle);
        }
        Edit::NewColumn { column, handle } => {
            let handle = Handle::new(handle)?;
            editor.new_column(column, &handle)?;
        }
        Edit::RemoveFromColumn { column, handle } => {
            let handle = Handle::new(handle)?;
            let (table, name) = editor.column(column)?;
            let removed = match table.into_item("accounts") {
                Some(item) => remove_all(as_array(item, "column.accounts")?, &handle.key),
                None => false,
            };
            if !removed {
                return Err(EditError(format!(
                    "{} is not in {name}'s accounts",
                    handle.written
                )));
            }
        }
    }
    Ok(editor.finish(text))
}

/// A handle from an edit: as the user gave it, and the key it matches by.
struct Handle {
    written: String,
    key: String,
}

impl Handle {
    fn new(handle: &str) -> Result<Handle, EditError> {
        let written = handle.trim();
        let key = parse_handle(written).map_err(|e| EditError(e.to_string()))?;
        Ok(Handle {
            written: written.to_string(),
            key: key.0,
        })
    }
}

/// The key a handle written in the config matches by. One that does not
/// parse (the config check reports it) still matches its own spelling.
fn key_of(written: &str) -> String {
    parse_handle(written).map(|key| key.0).unwrap_or_else(|_| {
        let lower = written.trim().to_lowercase();
        lower.strip_prefix('@').unwrap_or(&lower).to_string()
    })
}

struct Editor {
    doc: DocumentMut,
    /// The position the next new table gets. toml_edit prints tables in
    /// position order, so this puts new tables at the end of the file.
    next_position: isize,
    /// The position of the first table added at the end.
    first_new_position: isize,
}

impl Editor {
    fn new(doc: DocumentMut) -> Editor {
        let next_position = last_position(doc.as_table()) + 1;
        Editor {
            doc,
            next_position,
            first_new_position: next_position,
        }
    }

    /// The edited text, with the line endings the file had: toml_edit writes
    /// `\n` everywhere and always ends the last line.
    fn finish(mut self, original: &str) -> String {
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

    /// A top-level table, made (at the end of the file) when missing.
    fn section(&mut self, key: &str) -> Result<TableMut<'_>, EditError> {
        let root = TableMut::Std(self.doc.as_table_mut());
        sub_table(root, key, key, &mut self.next_position)
    }

    /// A top-level table, if it is there.
    fn existing_section(&mut self, key: &str) -> Result<Option<TableMut<'_>>, EditError> {
        match self.doc.get_mut(key) {
            Some(item) => TableMut::of(item, key).map(Some),
            None => Ok(None),
        }
    }

    fn add_to_mute(&mut self, key: &str, handle: &Handle) -> Result<(), EditError> {
        let mute = self.section("mute")?;
        add_once(array_in(mute, key, &format!("mute.{key}"))?, handle);
        Ok(())
    }

    fn remove_from_mute(&mut self, key: &str, handle: &Handle) -> Result<bool, EditError> {
        let what = format!("mute.{key}");
        match self
            .existing_section("mute")?
            .and_then(|mute| mute.into_item(key))
        {
            Some(item) => Ok(remove_all(as_array(item, &what)?, &handle.key)),
            None => Ok(false),
        }
    }

    fn remove_from_amplify(&mut self, handle: &Handle) -> Result<bool, EditError> {
        match self
            .existing_section("amplify")?
            .and_then(|amplify| amplify.into_item("accounts"))
        {
            Some(item) => Ok(remove_all(as_array(item, "amplify.accounts")?, &handle.key)),
            None => Ok(false),
        }
    }

    fn mute_keyword(&mut self, keyword: &str) -> Result<(), EditError> {
        let keyword = keyword.trim();
        if keyword.is_empty() {
            return Err(EditError(
                "the keyword is empty; type a word, a phrase or a #tag to mute".into(),
            ));
        }
        let folded = keyword.to_lowercase();
        let mute = self.section("mute")?;
        let keywords = array_in(mute, "keywords", "mute.keywords")?;
        let present = keywords
            .iter()
            .filter_map(Value::as_str)
            .any(|k| k.trim().to_lowercase() == folded);
        if !present {
            push_line(keywords, Value::from(keyword));
        }
        Ok(())
    }

    /// `[mute.until]`, if it is there.
    fn timed_mutes(&mut self) -> Result<Option<TableMut<'_>>, EditError> {
        match self
            .existing_section("mute")?
            .and_then(|mute| mute.into_item("until"))
        {
            Some(item) => TableMut::of(item, "mute.until").map(Some),
            None => Ok(None),
        }
    }

    /// The keys of `[mute.until]` that `pick` chooses.
    fn timed_keys(&mut self, pick: impl Fn(&str, &Item) -> bool) -> Result<Vec<String>, EditError> {
        Ok(match self.timed_mutes()? {
            Some(until) => until
                .read()
                .iter()
                .filter(|(key, item)| pick(key, item))
                .map(|(key, _)| key.to_string())
                .collect(),
            None => Vec::new(),
        })
    }

    fn prune_timed_mutes(&mut self, now: DateTime<Utc>) -> Result<(), EditError> {
        let expired = self.timed_keys(|_, item| ends(item).is_some_and(|end| end <= now))?;
        self.remove_timed_entries(&expired)
    }

    fn remove_timed_mute(&mut self, handle: &Handle) -> Result<(), EditError> {
        let keys = self.timed_keys(|key, _| key_of(key) == handle.key)?;
        self.remove_timed_entries(&keys)
    }

    /// Removes entries of `[mute.until]`. Comment lines written above a
    /// removed entry stay where they were in the file: on the next entry, or
    /// before whatever follows the table.
    fn remove_timed_entries(&mut self, keys: &[String]) -> Result<(), EditError> {
        if keys.is_empty() {
            return Ok(());
        }
        let mut orphans = String::new();
        match self.timed_mutes()? {
            Some(TableMut::Std(table)) => {
                for key in keys {
                    orphans.push_str(&remove_entry(table, key));
                }
            }
            Some(TableMut::Inline(table)) => {
                for key in keys {
                    remove_inline_entry(table, key);
                }
            }
            None => {}
        }
        if !orphans.is_empty() {
            self.put_after_table(&["mute", "until"], &orphans);
        }
        Ok(())
    }

    fn set_timed_mute(&mut self, handle: &Handle, until: DateTime<Utc>) -> Result<(), EditError> {
        let written = until.to_rfc3339_opts(SecondsFormat::Secs, true);
        let end: Datetime = written
            .parse()
            .map_err(|e| EditError(format!("cannot write the time {written}: {e}")))?;
        let root = TableMut::Std(self.doc.as_table_mut());
        let mute = sub_table(root, "mute", "mute", &mut self.next_position)?;
        let mut timed = sub_table(mute, "until", "mute.until", &mut self.next_position)?;
        let existing: Vec<String> = timed
            .read()
            .iter()
            .filter(|(key, _)| key_of(key) == handle.key)
            .map(|(key, _)| key.to_string())
            .collect();
        match existing.split_first() {
            Some((first, duplicates)) => {
                let item = timed.into_item(first).expect("the key was just listed");
                let mut value = Value::from(end);
                if let Some(old) = item.as_value() {
                    *value.decor_mut() = old.decor().clone();
                }
                *item = Item::Value(value);
                self.remove_timed_entries(duplicates)?;
            }
            None => timed.insert(&handle.written, toml_edit::value(end)),
        }
        Ok(())
    }

    /// The `[[column]]` named `name` (any case), with its name as written.
    fn column(&mut self, name: &str) -> Result<(TableMut<'_>, String), EditError> {
        let wanted = name.trim().to_lowercase();
        let found = columns(&mut self.doc)?.into_iter().find_map(|table| {
            let written = column_name(&table)?;
            (written.trim().to_lowercase() == wanted).then_some((table, written))
        });
        found.ok_or_else(|| EditError(format!("there is no column named `{}`", name.trim())))
    }

    fn new_column(&mut self, name: &str, handle: &Handle) -> Result<(), EditError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(EditError("a new column needs a name".into()));
        }
        let wanted = name.to_lowercase();
        let taken = columns(&mut self.doc)?
            .iter()
            .filter_map(column_name)
            .find(|n| n.trim().to_lowercase() == wanted);
        if let Some(taken) = taken {
            return Err(EditError(format!(
                "there is already a column named `{taken}`; add the account to it instead"
            )));
        }
        let mut table = Table::new();
        table.insert("name", toml_edit::value(name));
        let mut accounts = Array::new();
        accounts.push(handle.written.as_str());
        table.insert("accounts", toml_edit::value(accounts));
        match self.doc.get_mut("column") {
            Some(Item::ArrayOfTables(list)) => {
                // Right after the last column: a table without a position of
                // its own would print there too, but an equal one says so.
                table.set_position(list.iter().last().and_then(Table::position));
                list.push(table);
            }
            Some(Item::Value(Value::Array(list))) => {
                push_line(list, Value::InlineTable(table.into_inline_table()));
            }
            Some(_) => return Err(not_editable("column", "a list of tables")),
            None => {
                table.set_position(Some(self.next_position));
                self.next_position += 1;
                let mut list = ArrayOfTables::new();
                list.push(table);
                self.doc.insert("column", Item::ArrayOfTables(list));
            }
        }
        Ok(())
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
    fn put_after_table(&mut self, path: &[&str], lines: &str) {
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
    fn put_before_table_after(&mut self, path: &[&str], lines: &str) {
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

/// When a `[mute.until]` entry ends, if it is a full date and time with an
/// offset (anything else is left for the config check to report).
fn ends(item: &Item) -> Option<DateTime<Utc>> {
    let end = item.as_value()?.as_datetime()?;
    if end.date.is_none() || end.time.is_none() || end.offset.is_none() {
        return None;
    }
    DateTime::parse_from_rfc3339(&end.to_string())
        .ok()
        .map(|end| end.with_timezone(&Utc))
}

/// A table edits write into: a `[header]` table (or dotted keys), or an
/// inline `{ … }` one, whose spacing needs tidying when it grows or shrinks.
enum TableMut<'a> {
    Std(&'a mut Table),
    Inline(&'a mut InlineTable),
}

impl<'a> TableMut<'a> {
    fn of(item: &'a mut Item, what: &str) -> Result<TableMut<'a>, EditError> {
        match item {
            Item::Table(table) => Ok(TableMut::Std(table)),
            Item::Value(Value::InlineTable(table)) => Ok(TableMut::Inline(table)),
            _ => Err(not_editable(what, "a table")),
        }
    }

    fn read(&self) -> &dyn TableLike {
        match self {
            TableMut::Std(table) => &**table,
            TableMut::Inline(table) => &**table,
        }
    }

    fn into_item(self, key: &str) -> Option<&'a mut Item> {
        match self {
            TableMut::Std(table) => table.get_mut(key),
            TableMut::Inline(table) => TableLike::get_mut(table, key),
        }
    }

    fn insert(&mut self, key: &str, item: Item) {
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

fn remove_inline_entry(table: &mut InlineTable, key: &str) {
    let was_last = table.iter().last().is_some_and(|(k, _)| k == key);
    let Some(removed) = table.remove(key) else {
        return;
    };
    if was_last && let Some((_, last)) = table.iter_mut().last() {
        let closing = decor_text(removed.decor().suffix()).unwrap_or("");
        last.decor_mut().set_suffix(closing);
    }
}

fn not_editable(what: &str, should_be: &str) -> EditError {
    EditError(format!(
        "`{what}` in the config is not {should_be}, so circles cannot edit it; \
         fix it by hand and try again"
    ))
}

fn as_array<'a>(item: &'a mut Item, what: &str) -> Result<&'a mut Array, EditError> {
    item.as_array_mut()
        .ok_or_else(|| not_editable(what, "a list"))
}

/// The table at `key` in `parent`, made when missing: a header at the end of
/// the file under a normal table, `key = { … }` in an inline one.
fn sub_table<'a>(
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
fn array_in<'a>(
    mut table: TableMut<'a>,
    key: &str,
    what: &str,
) -> Result<&'a mut Array, EditError> {
    if !table.read().contains_key(key) {
        table.insert(key, toml_edit::value(Array::new()));
    }
    as_array(table.into_item(key).expect("just checked"), what)
}

fn columns(doc: &mut DocumentMut) -> Result<Vec<TableMut<'_>>, EditError> {
    match doc.get_mut("column") {
        None => Ok(Vec::new()),
        Some(Item::ArrayOfTables(list)) => Ok(list.iter_mut().map(TableMut::Std).collect()),
        Some(Item::Value(Value::Array(list))) => Ok(list
            .iter_mut()
            .filter_map(Value::as_inline_table_mut)
            .map(TableMut::Inline)
            .collect()),
        Some(_) => Err(not_editable("column", "a list of tables")),
    }
}

fn column_name(table: &TableMut<'_>) -> Option<String> {
    Some(table.read().get("name")?.as_str()?.to_string())
}

/// The highest table position in the document.
fn last_position(table: &Table) -> isize {
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
struct Step {
    key: String,
    /// Which table of an array of tables.
    index: Option<usize>,
}

/// Every table with a header, in the order toml_edit prints them (sorted by
/// position; a table without one follows the table visited before it),
/// each with whether its header is printed and its position.
fn print_order(root: &Table) -> Vec<(Vec<Step>, bool, isize)> {
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

fn table_at<'a>(root: &'a mut Table, path: &[Step]) -> Option<&'a mut Table> {
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
fn remove_entry(table: &mut Table, key: &str) -> String {
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

fn decor_text(raw: Option<&toml_edit::RawString>) -> Option<&str> {
    raw.and_then(toml_edit::RawString::as_str)
}

/// The text up to and including its last line break.
fn whole_lines(text: &str) -> &str {
    text.rfind('\n').map_or("", |at| &text[..=at])
}

/// The text after its first line break: what follows the end of a line.
fn after_first_line(text: &str) -> &str {
    text.find('\n').map_or(text, |at| &text[at + 1..])
}

/// The text after its last line break: the indentation of what follows.
fn last_line(text: &str) -> &str {
    text.rfind('\n').map_or(text, |at| &text[at + 1..])
}

/// The index of the first string in `list` that is the account `key`.
fn index_of(list: &Array, key: &str) -> Option<usize> {
    list.iter()
        .position(|v| v.as_str().is_some_and(|s| key_of(s) == key))
}

/// Adds the account to `list` unless it is there in any spelling.
fn add_once(list: &mut Array, handle: &Handle) {
    if index_of(list, &handle.key).is_none() {
        push_line(list, Value::from(handle.written.as_str()));
    }
}

/// Removes every string in `list` that is the account `key`.
fn remove_all(list: &mut Array, key: &str) -> bool {
    let mut removed = false;
    while let Some(index) = index_of(list, key) {
        remove_line(list, index);
        removed = true;
    }
    removed
}

/// The whitespace before an element (after the `[` or the comma before it).
fn prefix(list: &Array, index: usize) -> String {
    decor_text(list.get(index).and_then(|v| v.decor().prefix())).map_or_else(
        || if index == 0 { "" } else { " " }.to_string(),
        str::to_string,
    )
}

fn suffix(list: &Array, index: usize) -> String {
    decor_text(list.get(index).and_then(|v| v.decor().suffix()))
        .unwrap_or("")
        .to_string()
}

/// Everything between the last element (or its comma) and the `]`. Without a
/// trailing comma toml_edit keeps part of it as the last element's suffix.
fn closing(list: &Array) -> String {
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
fn push_line(list: &mut Array, value: Value) {
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

/// Removes an element and its line: what was written after it on its line
/// goes with it, comment lines above it stay, and the other lines are left
/// as they were.
fn remove_line(list: &mut Array, index: usize) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DEFAULT_CONFIG;
    use crate::filter::{self, MuteReason, Verdict};
    use crate::model::{Account, Network, Post};
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap()
    }

    fn tomorrow() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
    }

    /// Applies an edit that must succeed, and checks that the result is a
    /// config circles loads and that no comment of the original was lost.
    fn edited(text: &str, edit: Edit) -> String {
        let out = apply(text, &edit, now()).unwrap_or_else(|e| panic!("{edit:?}: {e}"));
        crate::config::parse(&out).unwrap_or_else(|e| panic!("{e:?}\n{out}"));
        filter::load(&out, now()).unwrap_or_else(|e| panic!("{e:?}\n{out}"));
        comments_kept(text, &out);
        out
    }

    fn failed(text: &str, edit: Edit) -> String {
        apply(text, &edit, now()).unwrap_err().0
    }

    /// Every comment line of `before` is in `after`, in the same order.
    fn comments_kept(before: &str, after: &str) {
        let mut rest = after.lines();
        for comment in before.lines().filter(|l| l.trim_start().starts_with('#')) {
            assert!(
                rest.any(|l| l == comment),
                "lost or moved {comment:?}:\n{after}"
            );
        }
    }

    /// Replaces the one place `from` occurs, so an expected text is the
    /// original with exactly that change.
    fn with(text: &str, from: &str, to: &str) -> String {
        assert_eq!(text.matches(from).count(), 1, "{from:?} must occur once");
        text.replacen(from, to, 1)
    }

    fn post(author: &str, booster: Option<&str>) -> Post {
        let mut post = Post::new(
            "t",
            "1",
            Account::new(author, author, Network::Mastodon),
            now(),
            "hello",
        );
        post.boosted_by = booster.map(|b| Account::new(b, b, Network::Mastodon));
        post
    }

    fn verdict(text: &str, post: &Post) -> Verdict {
        let compiled = filter::load(text, now()).unwrap();
        filter::route(&compiled.rules, post)
    }

    fn mute(handle: &str) -> Edit {
        Edit::MuteAccount {
            handle: handle.into(),
            until: None,
        }
    }

    fn mute_until(handle: &str, until: DateTime<Utc>) -> Edit {
        Edit::MuteAccount {
            handle: handle.into(),
            until: Some(until),
        }
    }

    fn amplify(handle: &str) -> Edit {
        Edit::Amplify {
            handle: handle.into(),
        }
    }

    fn add(column: &str, handle: &str) -> Edit {
        Edit::AddToColumn {
            column: column.into(),
            handle: handle.into(),
        }
    }

    fn remove(column: &str, handle: &str) -> Edit {
        Edit::RemoveFromColumn {
            column: column.into(),
            handle: handle.into(),
        }
    }

    const MUTE_LINE: &str = r#"accounts = ["@megaphone@mastodon.social"]"#;
    const AMPLIFY_LINE: &str = r#"accounts = ["@alice@hachyderm.io"]"#;

    #[test]
    fn a_mute_goes_into_a_one_line_list() {
        let out = edited(DEFAULT_CONFIG, mute("@Loud@X.social"));
        let expected = with(
            DEFAULT_CONFIG,
            MUTE_LINE,
            r#"accounts = ["@megaphone@mastodon.social", "@Loud@X.social"]"#,
        );
        assert_eq!(out, expected);
        let v = verdict(&out, &post("@loud@x.social", None));
        assert_eq!(v.muted, Some(MuteReason::Account));
        assert!(v.columns.is_empty());
    }

    #[test]
    fn muting_an_amplified_account_unamplifies_it() {
        let out = edited(DEFAULT_CONFIG, mute("Alice@Hachyderm.io"));
        let expected = with(
            DEFAULT_CONFIG,
            MUTE_LINE,
            r#"accounts = ["@megaphone@mastodon.social", "Alice@Hachyderm.io"]"#,
        );
        let expected = with(&expected, AMPLIFY_LINE, "accounts = []");
        assert_eq!(out, expected);
        let compiled = filter::load(&out, now()).unwrap();
        assert!(compiled.warnings.is_empty(), "{:?}", compiled.warnings);
        let v = filter::route(&compiled.rules, &post("@alice@hachyderm.io", None));
        assert_eq!(v.muted, Some(MuteReason::Account));
        assert!(!v.amplified);
    }

    #[test]
    fn amplifying_a_muted_account_unmutes_it() {
        let out = edited(DEFAULT_CONFIG, amplify("@megaphone@mastodon.social"));
        let expected = with(DEFAULT_CONFIG, MUTE_LINE, "accounts = []");
        let expected = with(
            &expected,
            AMPLIFY_LINE,
            r#"accounts = ["@alice@hachyderm.io", "@megaphone@mastodon.social"]"#,
        );
        assert_eq!(out, expected);
        let v = verdict(&out, &post("@megaphone@mastodon.social", None));
        assert_eq!(v.muted, None);
        assert!(v.amplified);
    }

    #[test]
    fn amplifying_a_timed_mute_removes_it() {
        let text = "[mute]\naccounts = []\n\n[mute.until]\n\"@a@x.social\" = 2026-12-01T00:00:00Z\n\"@b@x.social\" = 2026-12-01T00:00:00Z\n";
        let out = edited(text, amplify("@A@x.social"));
        assert_eq!(
            out,
            "[mute]\naccounts = []\n\n[mute.until]\n\"@b@x.social\" = 2026-12-01T00:00:00Z\n\n[amplify]\naccounts = [\"@A@x.social\"]\n"
        );
    }

    #[test]
    fn unamplify_removes_and_reports_what_is_not_there() {
        let out = edited(
            DEFAULT_CONFIG,
            Edit::Unamplify {
                handle: "@ALICE@hachyderm.io".into(),
            },
        );
        assert_eq!(out, with(DEFAULT_CONFIG, AMPLIFY_LINE, "accounts = []"));
        let message = failed(
            DEFAULT_CONFIG,
            Edit::Unamplify {
                handle: "@bob@x.social".into(),
            },
        );
        assert!(
            message.contains("@bob@x.social is not in [amplify]"),
            "{message}"
        );
        let message = failed(
            "",
            Edit::Unamplify {
                handle: "@bob@x.social".into(),
            },
        );
        assert!(message.contains("is not in [amplify]"), "{message}");
    }

    #[test]
    fn boosts_from_keeps_the_comment_after_the_list() {
        let out = edited(
            DEFAULT_CONFIG,
            Edit::MuteBoostsFrom {
                handle: "@echo@x.social".into(),
            },
        );
        let expected = with(
            DEFAULT_CONFIG,
            r#"boosts_from = ["@reposter@mastodon.social"]   #"#,
            r#"boosts_from = ["@reposter@mastodon.social", "@echo@x.social"]   #"#,
        );
        assert_eq!(out, expected);
        let v = verdict(&out, &post("@someone@x.social", Some("@echo@x.social")));
        assert_eq!(v.muted, Some(MuteReason::Boost));
        let v = verdict(&out, &post("@echo@x.social", None));
        assert_eq!(v.muted, None);
    }

    #[test]
    fn keywords_are_deduplicated_in_any_case() {
        let unchanged = edited(
            DEFAULT_CONFIG,
            Edit::MuteKeyword {
                keyword: " nft ".into(),
            },
        );
        assert_eq!(unchanged, DEFAULT_CONFIG);
        let out = edited(
            DEFAULT_CONFIG,
            Edit::MuteKeyword {
                keyword: "#Election".into(),
            },
        );
        let expected = with(
            DEFAULT_CONFIG,
            r#"keywords = ["NFT", "giveaway"]"#,
            r##"keywords = ["NFT", "giveaway", "#Election"]"##,
        );
        assert_eq!(out, expected);
        let message = failed(
            DEFAULT_CONFIG,
            Edit::MuteKeyword {
                keyword: "  ".into(),
            },
        );
        assert!(message.contains("keyword is empty"), "{message}");
    }

    #[test]
    fn a_multi_line_list_gets_a_line_like_the_others() {
        let out = edited(DEFAULT_CONFIG, add("core", "@dana@x.social"));
        let expected = with(
            DEFAULT_CONFIG,
            "  \"@chen@fosstodon.org\",\n]",
            "  \"@chen@fosstodon.org\",\n  \"@dana@x.social\",\n]",
        );
        assert_eq!(out, expected);
        let v = verdict(&out, &post("@dana@x.social", None));
        assert_eq!(v.columns.first(), Some(&0), "{v:?}");
    }

    #[test]
    fn comments_inside_a_list_stay_on_their_lines() {
        let text = r#"[[column]]
name = "Core"
accounts = [
    "@a@x.social", # the first
    # friends
    "@b@x.social" # no comma here
]
notify = true
"#;
        let out = edited(text, add("Core", "@c@x.social"));
        assert_eq!(
            out,
            r#"[[column]]
name = "Core"
accounts = [
    "@a@x.social", # the first
    # friends
    "@b@x.social", # no comma here
    "@c@x.social"
]
notify = true
"#
        );

        let text = "[[column]]\nname = \"Core\"\naccounts = [\n  \"@a@x.social\",\n  # \"@old@x.social\",\n]\n";
        let out = edited(text, add("Core", "@c@x.social"));
        assert_eq!(
            out,
            "[[column]]\nname = \"Core\"\naccounts = [\n  \"@a@x.social\",\n  # \"@old@x.social\",\n  \"@c@x.social\",\n]\n"
        );
    }

    #[test]
    fn aligned_and_empty_lists() {
        let text = "[[column]]\nname = \"Core\"\naccounts = [\"@a@x.social\",\n            \"@b@x.social\"]\n";
        let out = edited(text, add("Core", "@c@x.social"));
        assert_eq!(
            out,
            "[[column]]\nname = \"Core\"\naccounts = [\"@a@x.social\",\n            \"@b@x.social\",\n            \"@c@x.social\"]\n"
        );

        let text = "[mute]\naccounts = []   # nobody yet\n";
        let out = edited(text, mute("@a@x.social"));
        assert_eq!(out, "[mute]\naccounts = [\"@a@x.social\"]   # nobody yet\n");

        let text = "[mute]\naccounts = [\n    # nobody yet\n]\n";
        let out = edited(text, mute("@a@x.social"));
        assert_eq!(
            out,
            "[mute]\naccounts = [\n    # nobody yet\n    \"@a@x.social\"\n]\n"
        );
    }

    #[test]
    fn a_column_without_accounts_gets_the_key() {
        let out = edited(DEFAULT_CONFIG, add("MENTIONS ", "@d@x.social"));
        let expected = with(
            DEFAULT_CONFIG,
            "mentions_me = true\n",
            "mentions_me = true\naccounts = [\"@d@x.social\"]\n",
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn duplicates_are_found_by_normalized_handle() {
        for edit in [
            amplify("ALICE@hachyderm.io"),
            add("Core", "@Bob.Bsky.Social"),
            add("core", "chen@FOSSTODON.org"),
            mute("megaphone@Mastodon.Social"),
            Edit::MuteBoostsFrom {
                handle: "@REPOSTER@mastodon.social".into(),
            },
        ] {
            assert_eq!(edited(DEFAULT_CONFIG, edit), DEFAULT_CONFIG);
        }
        // An entry that is not a valid handle still matches its own spelling.
        let text = "[[column]]\nname = \"x\"\naccounts = [\"@Odd Name@x.social\"]\n";
        let out = apply(text, &remove("x", "@a@x.social"), now()).unwrap_err();
        assert!(out.0.contains("not in x's accounts"), "{out}");
        assert_eq!(key_of(" @Odd Name@x.social"), "odd name@x.social");
    }

    #[test]
    fn removing_takes_only_that_line() {
        let out = edited(DEFAULT_CONFIG, remove("Core", "@BOB.bsky.social"));
        assert_eq!(out, with(DEFAULT_CONFIG, "  \"bob.bsky.social\",\n", ""));
        let out = edited(DEFAULT_CONFIG, remove("Core", "@alice@hachyderm.io"));
        assert_eq!(
            out,
            with(
                DEFAULT_CONFIG,
                "  \"@alice@hachyderm.io\",\n  \"bob",
                "  \"bob"
            )
        );
        let out = edited(DEFAULT_CONFIG, remove("Core", "@chen@fosstodon.org"));
        assert_eq!(
            out,
            with(DEFAULT_CONFIG, "  \"@chen@fosstodon.org\",\n", "")
        );

        let text = r#"[[column]]
name = "Core"
accounts = [
  "@a@x.social", # A
  # group
  "@b@x.social", # B
  "@c@x.social" # C
]
"#;
        let out = edited(text, remove("Core", "@b@x.social"));
        assert_eq!(
            out,
            "[[column]]\nname = \"Core\"\naccounts = [\n  \"@a@x.social\", # A\n  # group\n  \"@c@x.social\" # C\n]\n"
        );
        let out = edited(text, remove("Core", "@a@x.social"));
        assert_eq!(
            out,
            "[[column]]\nname = \"Core\"\naccounts = [\n  # group\n  \"@b@x.social\", # B\n  \"@c@x.social\" # C\n]\n"
        );
        let out = edited(text, remove("Core", "@c@x.social"));
        assert_eq!(
            out,
            "[[column]]\nname = \"Core\"\naccounts = [\n  \"@a@x.social\", # A\n  # group\n  \"@b@x.social\" # B\n]\n"
        );
    }

    #[test]
    fn removing_from_a_one_line_list() {
        let text = "[[column]]\nname = \"Core\"\naccounts = [\"@a@x.social\", \"@b@x.social\", \"@c@x.social\"]\n";
        let line = |list: &str| format!("[[column]]\nname = \"Core\"\naccounts = [{list}]\n");
        assert_eq!(
            edited(text, remove("Core", "@a@x.social")),
            line(r#""@b@x.social", "@c@x.social""#)
        );
        assert_eq!(
            edited(text, remove("Core", "@b@x.social")),
            line(r#""@a@x.social", "@c@x.social""#)
        );
        assert_eq!(
            edited(text, remove("Core", "@c@x.social")),
            line(r#""@a@x.social", "@b@x.social""#)
        );
        let one = line(r#""@a@x.social""#);
        assert_eq!(edited(&one, remove("Core", "@a@x.social")), line(""));
        let multi = "[[column]]\nname = \"Core\"\naccounts = [\n  \"@a@x.social\",\n]\n";
        assert_eq!(edited(multi, remove("core", "@a@x.social")), line(""));
    }

    #[test]
    fn column_errors_read_like_advice() {
        let message = failed(DEFAULT_CONFIG, add("Friends", "@a@x.social"));
        assert_eq!(message, "there is no column named `Friends`");
        let message = failed(DEFAULT_CONFIG, remove("core", "@zed@x.social"));
        assert_eq!(message, "@zed@x.social is not in Core's accounts");
        let message = failed(DEFAULT_CONFIG, remove("Mentions", "@zed@x.social"));
        assert_eq!(message, "@zed@x.social is not in Mentions's accounts");
        let message = failed(
            DEFAULT_CONFIG,
            Edit::NewColumn {
                column: " rust ".into(),
                handle: "@a@x.social".into(),
            },
        );
        assert!(
            message.contains("already a column named `Rust`"),
            "{message}"
        );
    }

    #[test]
    fn bad_input_is_refused_with_the_reason() {
        let message = failed(DEFAULT_CONFIG, mute("alice"));
        assert!(message.contains("has no host"), "{message}");
        let message = failed("[mute\naccounts = []\n", mute("@a@x.social"));
        assert!(message.contains("could not be parsed"), "{message}");
        assert!(message.contains("line 1"), "{message}");
        let message = failed(DEFAULT_CONFIG, mute_until("@a@x.social", now()));
        assert!(message.contains("already be over"), "{message}");
        let message = failed("mute = 3\n", mute("@a@x.social"));
        assert!(message.contains("`mute`"), "{message}");
        let message = failed("[mute]\naccounts = \"@a@x.social\"\n", mute("@b@x.social"));
        assert!(message.contains("`mute.accounts`"), "{message}");
    }

    #[test]
    fn a_new_column_follows_the_last_column() {
        let out = edited(
            DEFAULT_CONFIG,
            Edit::NewColumn {
                column: "Friends".into(),
                handle: "@Dana@x.social".into(),
            },
        );
        let last = "style = \"dim\"          # normal | dim | compact\n";
        let expected = with(
            DEFAULT_CONFIG,
            last,
            &format!("{last}\n[[column]]\nname = \"Friends\"\naccounts = [\"@Dana@x.social\"]\n"),
        );
        assert_eq!(out, expected);
        let v = verdict(&out, &post("@dana@x.social", None));
        assert_eq!(v.columns, vec![5]);

        let text = "# no columns yet\n[amplify]\naccounts = []\n";
        let out = edited(
            text,
            Edit::NewColumn {
                column: "Friends".into(),
                handle: "@d@x.social".into(),
            },
        );
        assert_eq!(
            out,
            "# no columns yet\n[amplify]\naccounts = []\n\n[[column]]\nname = \"Friends\"\naccounts = [\"@d@x.social\"]\n"
        );
    }

    #[test]
    fn missing_tables_are_added_at_the_end() {
        let text = "# my circles\n[[column]]\nname = \"All\"\n\n# the end\n";
        assert_eq!(
            edited(text, amplify("@a@x.social")),
            "# my circles\n[[column]]\nname = \"All\"\n\n# the end\n\n[amplify]\naccounts = [\"@a@x.social\"]\n"
        );
        let text = "[[column]]\nname = \"All\"\n";
        assert_eq!(
            edited(text, mute("@a@x.social")),
            "[[column]]\nname = \"All\"\n\n[mute]\naccounts = [\"@a@x.social\"]\n"
        );
        assert_eq!(
            edited(text, mute_until("@a@x.social", tomorrow())),
            "[[column]]\nname = \"All\"\n\n[mute.until]\n\"@a@x.social\" = 2026-11-23T10:00:00Z\n"
        );
        assert_eq!(
            edited("", mute("@a@x.social")),
            "[mute]\naccounts = [\"@a@x.social\"]\n"
        );
        // [amplify] is the last table of the default config.
        let out = edited(
            DEFAULT_CONFIG,
            mute_until("@grumpy@mastodon.social", tomorrow()),
        );
        assert_eq!(
            out,
            format!(
                "{DEFAULT_CONFIG}\n[mute.until]\n\"@grumpy@mastodon.social\" = 2026-11-23T10:00:00Z\n"
            )
        );
        let v = verdict(&out, &post("@grumpy@mastodon.social", None));
        assert_eq!(v.muted, Some(MuteReason::Account));
    }

    #[test]
    fn timed_and_forever_mutes_replace_each_other() {
        let timed = edited(
            DEFAULT_CONFIG,
            mute_until("@Megaphone@mastodon.social", tomorrow()),
        );
        let expected = with(DEFAULT_CONFIG, MUTE_LINE, "accounts = []");
        let expected = format!(
            "{expected}\n[mute.until]\n\"@Megaphone@mastodon.social\" = 2026-11-23T10:00:00Z\n"
        );
        assert_eq!(timed, expected);
        let raw = crate::config::parse(&timed).unwrap().raw;
        assert!(raw.mute.accounts.is_empty());
        assert_eq!(raw.mute.until.len(), 1);

        let forever = edited(&timed, mute("@megaphone@mastodon.social"));
        assert_eq!(
            forever,
            format!(
                "{}\n[mute.until]\n",
                with(
                    DEFAULT_CONFIG,
                    MUTE_LINE,
                    r#"accounts = ["@megaphone@mastodon.social"]"#
                )
            )
        );

        // A new end replaces the old one in place, comment and all.
        let text = "[mute.until]\n\"@a@x.social\" = 2026-12-01T00:00:00Z # too loud\n\"A@X.SOCIAL\" = 2026-12-02T00:00:00Z\n";
        assert_eq!(
            edited(text, mute_until("@a@x.social", tomorrow())),
            "[mute.until]\n\"@a@x.social\" = 2026-11-23T10:00:00Z # too loud\n"
        );
    }

    #[test]
    fn expired_timed_mutes_are_pruned_and_their_comments_kept() {
        let text = r#"[mute]
keywords = []

[mute.until]
# election season
"@pundit@x.social" = 2026-11-01T00:00:00Z   # over
"@grumpy@x.social" = 2026-12-01T00:00:00Z
# back after the holidays
"@gone@x.social" = 2026-11-22T10:00:00+01:00

[amplify]
accounts = []
"#;
        let out = edited(
            text,
            Edit::MuteKeyword {
                keyword: "crypto".into(),
            },
        );
        assert_eq!(
            out,
            r#"[mute]
keywords = ["crypto"]

[mute.until]
# election season
"@grumpy@x.social" = 2026-12-01T00:00:00Z
# back after the holidays

[amplify]
accounts = []
"#
        );
        // A blank line between groups stays.
        let text = "[mute.until]\n\"@a@x.social\" = 2026-12-01T00:00:00Z\n\n\"@b@x.social\" = 2026-11-01T00:00:00Z\n\"@c@x.social\" = 2026-12-01T00:00:00Z\n";
        assert_eq!(
            edited(text, amplify("@d@x.social")),
            "[mute.until]\n\"@a@x.social\" = 2026-12-01T00:00:00Z\n\n\"@c@x.social\" = 2026-12-01T00:00:00Z\n\n[amplify]\naccounts = [\"@d@x.social\"]\n"
        );
        // Ending exactly now counts as over; the last table's comments go
        // to the end of the file.
        let text = "[mute.until]\n# soon\n\"@a@x.social\" = 2026-11-22T10:00:00Z\n";
        assert_eq!(
            edited(text, amplify("@b@x.social")),
            "[mute.until]\n# soon\n\n[amplify]\naccounts = [\"@b@x.social\"]\n"
        );
    }

    #[test]
    fn dotted_and_inline_mute_tables_work() {
        let text = "mute.accounts = [\"@a@x.social\"]\n\n[[column]]\nname = \"All\"\n";
        let out = edited(text, mute("@b@x.social"));
        assert_eq!(
            out,
            "mute.accounts = [\"@a@x.social\", \"@b@x.social\"]\n\n[[column]]\nname = \"All\"\n"
        );
        let out = edited(text, mute_until("@b@x.social", tomorrow()));
        let v = verdict(&out, &post("@b@x.social", None));
        assert_eq!(v.muted, Some(MuteReason::Account), "{out}");

        let text = "mute = { accounts = [] }\n\n[[column]]\nname = \"All\"\n";
        let out = edited(text, mute("@b@x.social"));
        assert_eq!(
            out,
            "mute = { accounts = [\"@b@x.social\"] }\n\n[[column]]\nname = \"All\"\n"
        );
        let out = edited(&out, mute_until("@c@x.social", tomorrow()));
        assert_eq!(
            out,
            "mute = { accounts = [\"@b@x.social\"], until = { \"@c@x.social\" = 2026-11-23T10:00:00Z } }\n\n[[column]]\nname = \"All\"\n"
        );
        for who in ["@b@x.social", "@c@x.social"] {
            let v = verdict(&out, &post(who, None));
            assert_eq!(v.muted, Some(MuteReason::Account), "{out}");
        }
        let out = edited(&out, amplify("@c@x.social"));
        assert_eq!(
            out,
            "mute = { accounts = [\"@b@x.social\"], until = {} }\n\n[[column]]\nname = \"All\"\n\n[amplify]\naccounts = [\"@c@x.social\"]\n"
        );
    }

    #[test]
    fn pruning_dotted_timed_mutes_keeps_their_comments_in_place() {
        let text =
            "[mute]\n# soon over\nuntil.\"@a@x.social\" = 2026-11-01T00:00:00Z\naccounts = []\n";
        assert_eq!(
            edited(text, mute("@b@x.social")),
            "[mute]\n# soon over\naccounts = [\"@b@x.social\"]\n"
        );
        let text = "mute.accounts = []\n# soon over\nmute.until.\"@a@x.social\" = 2026-11-01T00:00:00Z\n\n[[column]]\nname = \"All\"\n";
        assert_eq!(
            edited(text, mute("@b@x.social")),
            "mute.accounts = [\"@b@x.social\"]\n# soon over\n\n[[column]]\nname = \"All\"\n"
        );
    }

    #[test]
    fn a_mute_table_implied_by_mute_until_gets_its_header_above_it() {
        let text = "[me]\nhandles = []\n\n[mute.until]\n\"@a@x.social\" = 2026-12-01T00:00:00Z\n\n[amplify]\naccounts = []\n";
        assert_eq!(
            edited(text, mute("@a@x.social")),
            "[me]\nhandles = []\n\n[mute]\naccounts = [\"@a@x.social\"]\n\n[mute.until]\n\n[amplify]\naccounts = []\n"
        );
    }

    #[test]
    fn inline_columns_work() {
        let text = "column = [{ name = \"A\" }]\n";
        assert_eq!(
            edited(text, add("a", "@b@x.social")),
            "column = [{ name = \"A\", accounts = [\"@b@x.social\"] }]\n"
        );
        let new = Edit::NewColumn {
            column: "B".into(),
            handle: "@b@x.social".into(),
        };
        assert_eq!(
            edited(text, new),
            "column = [{ name = \"A\" }, { name = \"B\", accounts = [\"@b@x.social\"] }]\n"
        );
    }

    #[test]
    fn line_endings_and_a_missing_last_newline_are_kept() {
        let text = "[mute]\r\naccounts = [\r\n  \"@a@x.social\",\r\n]\r\n";
        assert_eq!(
            edited(text, mute("@b@x.social")),
            "[mute]\r\naccounts = [\r\n  \"@a@x.social\",\r\n  \"@b@x.social\",\r\n]\r\n"
        );
        let text = "[mute]\naccounts = []";
        assert_eq!(
            edited(text, mute("@b@x.social")),
            "[mute]\naccounts = [\"@b@x.social\"]"
        );
    }

    #[test]
    fn an_edit_that_changes_nothing_returns_the_text_as_is() {
        for text in [
            DEFAULT_CONFIG,
            "[mute]\r\nkeywords = [\"NFT\"]  # no crypto\r\n",
            "[mute]\nkeywords = [\"nft\"]",
        ] {
            let keyword = "NFT".to_string();
            assert_eq!(edited(text, Edit::MuteKeyword { keyword }), text);
        }
    }

    proptest::proptest! {
        #[test]
        fn amplify_then_unamplify_gives_the_file_back(
            user in "[a-z][a-z0-9_]{0,10}",
            host in "[a-z]{1,8}\\.(social|org|io)",
        ) {
            let handle = format!("@{user}@{host}");
            proptest::prop_assume!(handle != "@alice@hachyderm.io" && handle != "@megaphone@mastodon.social");
            let amplified = apply(DEFAULT_CONFIG, &amplify(&handle), now()).unwrap();
            proptest::prop_assert_ne!(&amplified, DEFAULT_CONFIG);
            let back = apply(&amplified, &Edit::Unamplify { handle: handle.clone() }, now()).unwrap();
            proptest::prop_assert_eq!(&back, DEFAULT_CONFIG);

            proptest::prop_assume!(!["@bob.bsky.social", "@chen@fosstodon.org"].contains(&handle.as_str()));
            let added = apply(DEFAULT_CONFIG, &add("Core", &handle), now()).unwrap();
            let back = apply(&added, &remove("Core", &handle), now()).unwrap();
            proptest::prop_assert_eq!(&back, DEFAULT_CONFIG);
        }
    }
}
