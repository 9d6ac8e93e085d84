//! Keyboard edits to the config file: mute, amplify and column membership,
//! applied to the user's TOML in place (ARCHITECTURE.md, "Keyboard edits").
//!
//! The text is parsed into a `toml_edit::DocumentMut` and only the array or
//! table an edit is about changes; every comment, blank line, key order and
//! quoting style elsewhere comes back byte for byte. This file holds the
//! rules (which list a mute goes into, what amplifying undoes); `layout`
//! holds the layout-keeping TOML edits they are made of.
//!
//! Pure: text in, text out. May touch: `model` (handle keys).

mod layout;

use layout::{
    Editor, TableMut, array_in, as_array, not_editable, note_last, push_line, remove_entry,
    remove_inline_entry, remove_line, sub_table,
};

use crate::model::{display_handle, parse_handle};
use chrono::{DateTime, SecondsFormat, Utc};
use toml_edit::{Array, ArrayOfTables, Datetime, DocumentMut, Item, Table, Value};

/// An account an edit is about, as the config is to hold it: `entry` is
/// what goes in the list (`@user@host` for Mastodon, `alice.bsky.social`
/// for Bluesky, or a Bluesky DID, which stays when the handle changes), and
/// `handle` is written beside a DID as a comment so the file still reads
/// as people (`"did:plc:…",  # dave.test`). Either name finds the account
/// again when it is removed or checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    pub entry: String,
    pub handle: Option<String>,
}

impl From<&str> for Who {
    fn from(entry: &str) -> Self {
        Who {
            entry: entry.to_string(),
            handle: None,
        }
    }
}

impl From<String> for Who {
    fn from(entry: String) -> Self {
        Who {
            entry,
            handle: None,
        }
    }
}

/// As the screen names the account: its handle, in display form.
impl std::fmt::Display for Who {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&display_handle(
            self.handle.as_deref().unwrap_or(&self.entry),
        ))
    }
}

/// One change the keyboard makes to the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Mute an author: forever (`until: None` → `[mute].accounts`) or until a
    /// time (`[mute.until]`).
    MuteAccount {
        handle: Who,
        until: Option<DateTime<Utc>>,
    },
    /// `[mute].boosts_from`
    MuteBoostsFrom {
        handle: Who,
    },
    /// `[mute].keywords` (a word, phrase, or "#tag")
    MuteKeyword {
        keyword: String,
    },
    /// `[amplify].accounts`
    Amplify {
        handle: Who,
    },
    Unamplify {
        handle: Who,
    },
    /// Add to the `accounts` of the `[[column]]` with that name (any case).
    AddToColumn {
        column: String,
        handle: Who,
    },
    /// Append a new `[[column]]` with `name` and `accounts = [handle]`.
    NewColumn {
        column: String,
        handle: Who,
    },
    /// Remove from that column's `accounts`.
    RemoveFromColumn {
        column: String,
        handle: Who,
    },
    /// These accounts are one person: added to the `[[person]]` of that
    /// name (any case), or a new one appended.
    Person {
        name: String,
        accounts: Vec<Who>,
    },
    /// Take a rule out of `[mute]`.
    Lift(Lift),
    /// A column of what another timeline of an account reads (one
    /// account's posts, a list, a custom feed): a copy of the `[[source]]`
    /// named `from` (its instance or service, its token or password) named
    /// `source` and reading `read` (a Mastodon `timeline` or Bluesky
    /// `feed`: `user:…`, `list:…`, an `at://` URI), and a `[[column]]`
    /// named `column` taking its posts.
    SourceColumn {
        from: String,
        source: String,
        read: String,
        column: String,
    },
}

/// A `[mute]` rule to take out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lift {
    /// From `accounts`, and its timed mute in `[mute.until]`.
    Account(Who),
    BoostsFrom(Who),
    /// From `keywords` (any case).
    Keyword(String),
    /// From `regex` (as written).
    Regex(String),
}

impl Edit {
    /// What to say when the edit would change nothing: the config says so
    /// already.
    pub fn already(&self) -> String {
        match self {
            Edit::MuteAccount { handle, .. } => format!("{handle} is already muted"),
            Edit::MuteBoostsFrom { handle } => format!("boosts from {handle} are already muted"),
            Edit::MuteKeyword { keyword } => format!("“{keyword}” is already muted"),
            Edit::Amplify { handle } => format!("{handle} is already amplified"),
            Edit::Unamplify { handle } => format!("{handle} is not amplified"),
            Edit::AddToColumn { column, handle } => format!("{handle} is already in {column}"),
            Edit::NewColumn { column, .. } => format!("there is already a column {column}"),
            Edit::RemoveFromColumn { column, handle } => format!("{handle} is not in {column}"),
            Edit::Person { name, .. } => format!("{name} has these accounts already"),
            Edit::Lift(lift) => format!("{} is not muted", lift_words(lift)),
            Edit::SourceColumn { column, .. } => format!("there is already a column {column}"),
        }
    }
}

/// Why an edit could not be made; reads like advice.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EditError(pub String);

/// Applies an edit to config text and returns the new text.
///
/// Every call also prunes `[mute.until]` entries that ended at or before
/// `now` (the README: "pruned on next write").
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
            add_account(amplify, "accounts", "amplify.accounts", &handle)?;
        }
        Edit::Unamplify { handle } => {
            let handle = Handle::new(handle)?;
            if !editor.remove_from_amplify(&handle)? {
                return Err(EditError(format!(
                    "{} is not in [amplify].accounts, so there is nothing to undo",
                    handle.shown()
                )));
            }
        }
        Edit::AddToColumn { column, handle } => {
            let handle = Handle::new(handle)?;
            let (table, _) = editor.column(column)?;
            add_account(table, "accounts", "column.accounts", &handle)?;
        }
        Edit::NewColumn { column, handle } => {
            let handle = Handle::new(handle)?;
            editor.new_column(column, &handle)?;
        }
        Edit::Lift(lift) => {
            let lifted = match lift {
                Lift::Account(who) => {
                    let handle = Handle::new(who)?;
                    let listed = editor.remove_from_mute("accounts", &handle)?;
                    let timed = editor.timed_keys(|key, _| handle.matches(&key_of(key)))?;
                    editor.remove_timed_entries(&timed)?;
                    listed || !timed.is_empty()
                }
                Lift::BoostsFrom(who) => {
                    let handle = Handle::new(who)?;
                    editor.remove_from_mute("boosts_from", &handle)?
                }
                Lift::Keyword(word) => editor.remove_string_from_mute("keywords", |s| {
                    s.trim().to_lowercase() == word.trim().to_lowercase()
                })?,
                Lift::Regex(pattern) => {
                    editor.remove_string_from_mute("regex", |s| s == pattern)?
                }
            };
            if !lifted {
                return Err(EditError(format!(
                    "{} is not in [mute], so there is nothing to lift",
                    lift_words(lift)
                )));
            }
        }
        Edit::SourceColumn {
            from,
            source,
            read,
            column,
        } => editor.source_column(from, source, read, column)?,
        Edit::Person { name, accounts } => {
            let handles = accounts
                .iter()
                .map(Handle::new)
                .collect::<Result<Vec<_>, _>>()?;
            editor.person(name, &handles)?;
        }
        Edit::RemoveFromColumn { column, handle } => {
            let handle = Handle::new(handle)?;
            let (table, name) = editor.column(column)?;
            let removed = match table.into_item("accounts") {
                Some(item) => remove_all(as_array(item, "column.accounts")?, &handle),
                None => false,
            };
            if !removed {
                return Err(EditError(format!(
                    "{} is not in {name}'s accounts",
                    handle.shown()
                )));
            }
        }
    }
    Ok(editor.finish(text))
}

/// An account from an edit: the entry to write, the comment beside it, and
/// the keys it matches by (the entry's, and the handle's beside a DID).
struct Handle {
    written: String,
    note: Option<String>,
    keys: Vec<String>,
}

impl Handle {
    fn new(who: &Who) -> Result<Handle, EditError> {
        let written = who.entry.trim();
        // `person:Name` stands for all of a [[person]]'s accounts.
        if written.starts_with("person:") {
            return Ok(Handle {
                written: written.to_string(),
                note: None,
                keys: vec![written.to_lowercase()],
            });
        }
        let key = parse_handle(written).map_err(|e| EditError(e.to_string()))?;
        let note = who
            .handle
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty() && *h != written);
        let mut keys = vec![key.0];
        keys.extend(note.and_then(|h| parse_handle(h).ok()).map(|k| k.0));
        Ok(Handle {
            written: written.to_string(),
            note: note.map(str::to_string),
            keys,
        })
    }

    fn matches(&self, key: &str) -> bool {
        self.keys.iter().any(|k| k == key)
    }

    /// The handle for messages: the one beside a DID, else the entry.
    fn shown(&self) -> String {
        if self.written.starts_with("person:") {
            return self.written.clone();
        }
        display_handle(self.note.as_deref().unwrap_or(&self.written))
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

/// The rules: what each edit changes.
impl Editor {
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
        add_account(mute, key, &format!("mute.{key}"), handle)
    }

    fn remove_from_mute(&mut self, key: &str, handle: &Handle) -> Result<bool, EditError> {
        let what = format!("mute.{key}");
        match self
            .existing_section("mute")?
            .and_then(|mute| mute.into_item(key))
        {
            Some(item) => Ok(remove_all(as_array(item, &what)?, handle)),
            None => Ok(false),
        }
    }

    /// Removes the strings of `[mute].key` that `wanted` picks; whether
    /// any were there.
    fn remove_string_from_mute(
        &mut self,
        key: &str,
        wanted: impl Fn(&str) -> bool,
    ) -> Result<bool, EditError> {
        let what = format!("mute.{key}");
        let Some(item) = self
            .existing_section("mute")?
            .and_then(|mute| mute.into_item(key))
        else {
            return Ok(false);
        };
        let list = as_array(item, &what)?;
        let mut removed = false;
        loop {
            let found = list.iter().position(|v| v.as_str().is_some_and(&wanted));
            let Some(index) = found else {
                break;
            };
            remove_line(list, index);
            removed = true;
        }
        Ok(removed)
    }

    fn remove_from_amplify(&mut self, handle: &Handle) -> Result<bool, EditError> {
        match self
            .existing_section("amplify")?
            .and_then(|amplify| amplify.into_item("accounts"))
        {
            Some(item) => Ok(remove_all(as_array(item, "amplify.accounts")?, handle)),
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
        let keys = self.timed_keys(|key, _| handle.matches(&key_of(key)))?;
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
            .filter(|(key, _)| handle.matches(&key_of(key)))
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
            None => {
                let mut value = Value::from(end);
                if let (Some(note), TableMut::Std(_)) = (&handle.note, &timed) {
                    value.decor_mut().set_suffix(format!("  # {note}"));
                }
                timed.insert(&handle.written, Item::Value(value));
            }
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

    /// The name as written of the column called `name` in any case (as
    /// the config's check compares them), if there is one.
    fn column_taken(&mut self, name: &str) -> Result<Option<String>, EditError> {
        let wanted = name.trim().to_lowercase();
        Ok(columns(&mut self.doc)?
            .iter()
            .filter_map(column_name)
            .find(|n| n.trim().to_lowercase() == wanted))
    }

    fn new_column(&mut self, name: &str, handle: &Handle) -> Result<(), EditError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(EditError("a new column needs a name".into()));
        }
        if let Some(taken) = self.column_taken(name)? {
            return Err(EditError(format!(
                "there is already a column named `{taken}`; add the account to it instead"
            )));
        }
        let mut table = Table::new();
        table.insert("name", toml_edit::value(name));
        let mut accounts = Array::new();
        accounts.push(handle.written.as_str());
        let inline_list = matches!(self.doc.get("column"), Some(Item::Value(_)));
        if let Some(note) = handle.note.as_deref().filter(|_| !inline_list) {
            accounts
                .decor_mut()
                .set_suffix(format!("  # {} is {note}", handle.written));
        }
        table.insert("accounts", toml_edit::value(accounts));
        self.append_column(table)
    }

    /// Appends a `[[column]]`: after the last one, or inline in a list of
    /// inline tables, or as the first at the end of the file.
    fn append_column(&mut self, mut table: Table) -> Result<(), EditError> {
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
}

impl Editor {
    /// Appends a copy of the source `from` reading `read` under the name
    /// `source`, and a column of its posts named `column`.
    fn source_column(
        &mut self,
        from: &str,
        source: &str,
        read: &str,
        column: &str,
    ) -> Result<(), EditError> {
        let column = column.trim();
        if let Some(taken) = self.column_taken(column)? {
            return Err(EditError(format!(
                "there is already a column named `{taken}`"
            )));
        }
        let Some(Item::ArrayOfTables(sources)) = self.doc.get_mut("source") else {
            return Err(EditError(format!(
                "the config has no [[source]] named `{from}` to copy"
            )));
        };
        let name_of = |t: &Table| t.get("name").and_then(Item::as_str).map(str::to_string);
        if sources
            .iter()
            .any(|t| name_of(t).as_deref() == Some(source))
        {
            return Err(EditError(format!(
                "there is already a source named `{source}`"
            )));
        }
        let Some(original) = sources.iter().find(|t| name_of(t).as_deref() == Some(from)) else {
            return Err(EditError(format!(
                "the config has no [[source]] named `{from}` to copy"
            )));
        };
        let kind = original
            .get("kind")
            .and_then(Item::as_str)
            .unwrap_or_default();
        let key = match kind {
            "mastodon" => "timeline",
            "bluesky" => "feed",
            other => {
                return Err(EditError(format!(
                    "a {other} source has no account to read that with"
                )));
            }
        };
        let mut copy = Table::new();
        copy.insert("name", toml_edit::value(source));
        for (k, v) in original.iter() {
            // What the original reads, and what only goes with that.
            let reading = matches!(
                k,
                "name"
                    | "timeline"
                    | "feed"
                    | "jetstream"
                    | "exclude_replies"
                    | "exclude_reblogs"
                    | "filter"
            );
            if !reading {
                copy.insert(k, v.clone());
            }
        }
        copy.insert(key, toml_edit::value(read));
        copy.set_position(sources.iter().last().and_then(Table::position));
        sources.push(copy);
        let mut table = Table::new();
        table.insert("name", toml_edit::value(column));
        let mut from_source = Array::new();
        from_source.push(source);
        table.insert("sources", toml_edit::value(from_source));
        self.append_column(table)
    }

    /// Adds `handles` to the `[[person]]` named `name`, or appends one.
    fn person(&mut self, name: &str, handles: &[Handle]) -> Result<(), EditError> {
        let name = name.trim();
        if name.is_empty() || name.contains(':') {
            return Err(EditError(
                "a person needs a name without `:`, as rules write it after \"person:\"".into(),
            ));
        }
        let wanted = name.to_lowercase();
        let list = match self.doc.get_mut("person") {
            Some(Item::ArrayOfTables(list)) => list,
            Some(_) => return Err(not_editable("person", "a list of tables")),
            None => {
                self.doc
                    .insert("person", Item::ArrayOfTables(ArrayOfTables::new()));
                match self.doc.get_mut("person") {
                    Some(Item::ArrayOfTables(list)) => list,
                    _ => return Err(not_editable("person", "a list of tables")),
                }
            }
        };
        let existing = list.iter_mut().find(|t| {
            t.get("name")
                .and_then(Item::as_str)
                .is_some_and(|n| n.trim().to_lowercase() == wanted)
        });
        if let Some(table) = existing {
            for handle in handles {
                add_account(TableMut::Std(table), "accounts", "person.accounts", handle)?;
            }
            return Ok(());
        }
        let mut table = Table::new();
        table.insert("name", toml_edit::value(name));
        let mut accounts = Array::new();
        for handle in handles {
            accounts.push(handle.written.as_str());
        }
        table.insert("accounts", toml_edit::value(accounts));
        let after = list.iter().last().and_then(Table::position);
        table.set_position(after.or(Some(self.next_position)));
        if after.is_none() {
            self.next_position += 1;
        }
        list.push(table);
        Ok(())
    }
}

/// A mute rule in words: `@loud@example.social`, `keyword "NFT"`.
pub fn lift_words(lift: &Lift) -> String {
    match lift {
        Lift::Account(who) => who.to_string(),
        Lift::BoostsFrom(who) => format!("boosts from {who}"),
        Lift::Keyword(word) => format!("keyword \"{word}\""),
        Lift::Regex(pattern) => format!("regex '{pattern}'"),
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

/// The index of the first string in `list` that is the account.
fn index_of(list: &Array, handle: &Handle) -> Option<usize> {
    list.iter()
        .position(|v| v.as_str().is_some_and(|s| handle.matches(&key_of(s))))
}

/// Adds the account to the list `key` of `table` unless it is there under
/// any of its names, with its handle as a comment beside a DID (not in an
/// inline table, where TOML has no room for comments).
fn add_account(
    table: TableMut<'_>,
    key: &str,
    what: &str,
    handle: &Handle,
) -> Result<(), EditError> {
    let inline = matches!(table, TableMut::Inline(_));
    let list = array_in(table, key, what)?;
    if index_of(list, handle).is_none() {
        push_line(list, Value::from(handle.written.as_str()));
        if let Some(note) = handle.note.as_deref().filter(|_| !inline) {
            note_last(list, &handle.written, note);
        }
    }
    Ok(())
}

/// Removes every string in `list` that is the account.
fn remove_all(list: &mut Array, handle: &Handle) -> bool {
    let mut removed = false;
    while let Some(index) = index_of(list, handle) {
        remove_line(list, index);
        removed = true;
    }
    removed
}

#[cfg(test)]
mod tests;
