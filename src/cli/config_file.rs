//! The config file on disk, as the TUI edits it: the edge where keyboard
//! edits become bytes (ARCHITECTURE.md, "Keyboard edits").
//!
//! Writes are atomic (a temporary file in the same directory, fsync,
//! rename) and keep the file's permissions; a symlinked config is written
//! through to its target. An edit is applied to the text on disk *now*, so
//! a change made in an editor since the last load is kept, never
//! clobbered. Undo puts back the exact text from before the last edit.

use crate::cli::ConfigLocation;
use crate::config::{self, Edit};
use crate::filter;
use chrono::{DateTime, Utc};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

pub struct ConfigFile {
    /// Where edits go: the file in use, or for the built-in default the
    /// XDG path that the first edit creates.
    path: Option<PathBuf>,
    /// No file yet: the app runs on the built-in default.
    builtin: bool,
    /// The text the app runs on, as last read or written.
    text: String,
    /// The text before each edit, newest last.
    undo: Vec<String>,
    /// What our last write put in the file: undo is safe only while the
    /// file still holds exactly that.
    written: Option<String>,
    /// Tests: another writer's change, made while an edit is being made.
    #[cfg(test)]
    meddle: Option<Meddle>,
}

/// Tests: a change another writer makes to the file, mid-edit.
#[cfg(test)]
type Meddle = Box<dyn FnMut(&Path)>;

impl std::fmt::Debug for ConfigFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigFile")
            .field("path", &self.path)
            .field("builtin", &self.builtin)
            .finish_non_exhaustive()
    }
}

impl ConfigFile {
    pub fn new(location: &ConfigLocation, text: String) -> Self {
        let (path, builtin) = match location {
            ConfigLocation::File(path) => (Some(path.clone()), false),
            ConfigLocation::BuiltIn => (super::xdg_config_path(), true),
        };
        ConfigFile {
            path,
            builtin,
            text,
            undo: Vec::new(),
            written: None,
            #[cfg(test)]
            meddle: None,
        }
    }

    /// The file to watch for edits made elsewhere.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The text the app runs on.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Where the config lives, for the status bar.
    pub fn display(&self) -> String {
        match (&self.path, self.builtin) {
            (Some(path), false) => path.display().to_string(),
            _ => "built-in default".to_string(),
        }
    }

    /// Applies an edit to the file as it is now and writes it. Returns the
    /// new text, a note when this edit created the file, and the text
    /// compiled (it is checked before it is written, so it need not be
    /// compiled again).
    ///
    /// Another writer (an editor saving) may be at work on the file: the
    /// file is read again just before the new text replaces it, and when it
    /// changed in between the edit starts over on what is there now. A file
    /// that has just lost every column or source it had (an editor that
    /// truncates before it writes) is not edited. An edit that would change
    /// nothing writes nothing and takes no undo slot.
    pub fn edit(
        &mut self,
        edit: &Edit,
        now: DateTime<Utc>,
    ) -> Result<(String, Option<String>, filter::Compiled), String> {
        /// Tries before giving up on a file that keeps changing.
        const TRIES: usize = 5;
        let path = self.path.clone().ok_or(
            "there is no home directory to keep a config in; start circles with --config FILE",
        )?;
        for _ in 0..TRIES {
            let base = self.current(&path)?;
            if lost_its_tables(&self.text, &base) {
                return Err(format!(
                    "not written: {} has just lost its columns or sources (is an editor \
                     writing it?); try again once it is saved",
                    path.display()
                ));
            }
            let new = config::apply(&base, edit, now).map_err(|e| e.to_string())?;
            if new == base {
                return Err(edit.already());
            }
            let compiled = match filter::load(&new, now) {
                Ok(compiled) => compiled,
                Err(errors) => {
                    let first = errors
                        .errors
                        .first()
                        .map(|d| d.message.clone())
                        .unwrap_or_default();
                    return Err(format!(
                        "not written: the config has an error to fix first ({})",
                        first.lines().next().unwrap_or_default()
                    ));
                }
            };
            if self.builtin
                && let Some(dir) = path.parent()
            {
                fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
            #[cfg(test)]
            if let Some(meddle) = &mut self.meddle {
                meddle(&path);
            }
            let unchanged = |file: &str| self.builtin || file == base;
            match write_atomic_if(&path, &new, unchanged) {
                Ok(true) => {}
                // Changed while the edit was made: make it again on that.
                Ok(false) => continue,
                Err(e) => return Err(format!("cannot write {}: {e}", path.display())),
            }
            let created = self
                .builtin
                .then(|| format!("created {} from the default", path.display()));
            self.builtin = false;
            self.undo.push(base);
            self.text = new.clone();
            self.written = Some(new.clone());
            return Ok((new, created, compiled));
        }
        Err(format!(
            "not written: {} kept changing while circles edited it; try again",
            path.display()
        ))
    }

    /// The text an edit starts from: the file as it is now (the built-in
    /// default before the first edit). A symlink whose target is gone is
    /// not edited until it resolves again.
    fn current(&self, path: &Path) -> Result<String, String> {
        if self.builtin {
            return Ok(self.text.clone());
        }
        if let Some(why) = broken_link(path) {
            return Err(format!("not written: {why}; edits wait until it resolves"));
        }
        match fs::read_to_string(path) {
            Ok(text) => Ok(text),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(self.text.clone()),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// Writes back the text from before the last edit, unless the file
    /// was changed elsewhere since (that change would be lost).
    pub fn undo(&mut self) -> Result<String, String> {
        let Some(path) = self.path.clone() else {
            return Err("nothing to undo".into());
        };
        let Some(before) = self.undo.last().cloned() else {
            return Err("nothing to undo".into());
        };
        let now = fs::read_to_string(&path).unwrap_or_default();
        if Some(&now) != self.written.as_ref() {
            return Err(format!(
                "not undone: {} was changed elsewhere since; undo there",
                path.display()
            ));
        }
        write_atomic(&path, &before)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        self.undo.pop();
        self.text = before.clone();
        self.written = Some(before.clone());
        Ok(before)
    }

    /// The file's text when it differs from what the app runs on — an edit
    /// made elsewhere. Our own writes read back the same and are ignored.
    pub fn changed(&mut self) -> Option<String> {
        let text = fs::read_to_string(self.path.as_ref()?).ok()?;
        if text == self.text && !self.builtin {
            return None;
        }
        self.builtin = false;
        self.text = text.clone();
        Some(text)
    }
}

/// Whether `now` has no `[[column]]` or `[[source]]` left of those `before`
/// had: the sign of a file caught half written.
fn lost_its_tables(before: &str, now: &str) -> bool {
    let count = |text: &str, table: &str| {
        text.lines()
            .filter(|l| l.trim_start().starts_with(&format!("[[{table}]]")))
            .count()
    };
    ["column", "source"]
        .iter()
        .any(|t| count(before, t) > 0 && count(now, t) == 0)
}

/// [`write_atomic`], but only while `unchanged` says the file's text (read
/// again right before it is replaced) is still what the new text was made
/// from; `Ok(false)` when it is not, and nothing was written.
fn write_atomic_if(path: &Path, text: &str, unchanged: impl Fn(&str) -> bool) -> io::Result<bool> {
    write_atomic_checked(path, text, &|| {
        let now = match fs::read_to_string(path) {
            Ok(now) => now,
            Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e),
        };
        Ok(unchanged(&now))
    })
}

/// What is wrong with `path` when it is a symlink that leads nowhere (its
/// target missing, or a loop of links); `None` for anything else.
pub fn broken_link(path: &Path) -> Option<String> {
    let link = fs::symlink_metadata(path).ok()?;
    if !link.file_type().is_symlink() {
        return None;
    }
    let err = fs::metadata(path).err()?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into(),
    );
    let target = fs::read_link(path).map_or_else(|_| "?".into(), |t| t.display().to_string());
    Some(if err.kind() == io::ErrorKind::NotFound {
        format!("{name} is a symlink to a missing file ({target})")
    } else {
        format!("{name} is a symlink that cannot be followed ({target}: {err})")
    })
}

/// Replaces a file's contents all at once: readers see the old text or the
/// new, never half of either. A symlink is written through to its target,
/// and one that leads nowhere is an error: the link is never replaced.
pub fn write_atomic(path: &Path, text: &str) -> io::Result<()> {
    write_atomic_checked(path, text, &|| Ok(true)).map(drop)
}

/// [`write_atomic`] that asks `still` right before the rename whether to go
/// on; `Ok(false)` (and the temporary file removed) when not.
fn write_atomic_checked(
    path: &Path,
    text: &str,
    still: &dyn Fn() -> io::Result<bool>,
) -> io::Result<bool> {
    if let Some(why) = broken_link(path) {
        return Err(io::Error::other(format!("{why}; not replacing the link")));
    }
    // Through a symlink (dotfile managers use them) to the real file.
    let path = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or("config".into(), |n| n.to_string_lossy());
    let tmp = dir.join(format!(".{name}.circles-{}.tmp", std::process::id()));
    let permissions = fs::metadata(&path).ok().map(|m| m.permissions());
    let written = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(text.as_bytes())?;
        if let Some(permissions) = permissions {
            file.set_permissions(permissions)?;
        }
        file.sync_all()?;
        if !still()? {
            return Ok(false);
        }
        fs::rename(&tmp, &path).map(|()| true)
    })();
    if !matches!(written, Ok(true)) {
        let _ = fs::remove_file(&tmp);
    }
    if !written? {
        return Ok(false);
    }
    if let Ok(dir) = fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    const TEXT: &str =
        "# my config\n\n[[column]]\nname = \"Core\"  # the few\naccounts = [\"@a@x.social\"]\n";

    fn now() -> DateTime<Utc> {
        "2026-11-22T12:00:00Z".parse().unwrap()
    }

    fn file_with(text: &str) -> (tempfile::TempDir, PathBuf, ConfigFile) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        fs::write(&path, text).unwrap();
        let file = ConfigFile::new(&ConfigLocation::File(path.clone()), text.to_string());
        (dir, path, file)
    }

    fn amplify(handle: &str) -> Edit {
        Edit::Amplify {
            handle: handle.into(),
        }
    }

    #[test]
    fn an_edit_is_written_and_undo_restores_the_exact_bytes() {
        let (_dir, path, mut file) = file_with(TEXT);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        let (text, created, _) = file.edit(&amplify("@b@x.social"), now()).unwrap();
        assert_eq!(created, None);
        assert_eq!(fs::read_to_string(&path).unwrap(), text);
        assert!(text.starts_with(TEXT), "the old text is untouched:\n{text}");
        assert!(text.contains("[amplify]"));
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640, "permissions kept");
        assert_eq!(file.changed(), None, "our own write is not a change");
        assert_eq!(file.undo().unwrap(), TEXT);
        assert_eq!(fs::read_to_string(&path).unwrap(), TEXT);
        assert!(file.undo().is_err(), "nothing more to undo");
        let leftovers: Vec<_> = fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary files left behind");
    }

    #[test]
    fn an_edit_made_on_disk_since_the_load_is_kept() {
        let (_dir, path, mut file) = file_with(TEXT);
        let external = format!("{TEXT}\n# added in vim\n[mute]\nkeywords = [\"NFT\"]\n");
        fs::write(&path, &external).unwrap();
        let (text, _, _) = file.edit(&amplify("@b@x.social"), now()).unwrap();
        assert!(text.starts_with(&external), "{text}");
        assert!(text.contains("[amplify]"));
        // Undo goes back to the text the edit was applied to.
        assert_eq!(file.undo().unwrap(), external);
    }

    #[test]
    fn undo_refuses_to_clobber_a_later_edit_on_disk_even_once_reloaded() {
        let (_dir, path, mut file) = file_with(TEXT);
        file.edit(&amplify("@b@x.social"), now()).unwrap();
        fs::write(&path, "# rewritten by hand\n").unwrap();
        assert!(file.changed().is_some(), "the watcher reloads it");
        let err = file.undo().unwrap_err();
        assert!(err.contains("changed elsewhere"), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "# rewritten by hand\n");
    }

    #[test]
    fn the_first_edit_on_the_builtin_default_creates_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("circles").join("config.toml");
        let mut file = ConfigFile {
            path: Some(path.clone()),
            builtin: true,
            text: config::DEFAULT_CONFIG.to_string(),
            undo: Vec::new(),
            written: None,
            meddle: None,
        };
        assert_eq!(file.display(), "built-in default");
        let (text, created, _) = file.edit(&amplify("@b@x.social"), now()).unwrap();
        assert!(created.unwrap().contains(&path.display().to_string()));
        assert_eq!(fs::read_to_string(&path).unwrap(), text);
        assert_eq!(file.display(), path.display().to_string());
    }

    #[test]
    fn a_symlinked_config_is_written_through() {
        let (dir, real, _) = file_with(TEXT);
        let link = dir.path().join("link.toml");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let mut file = ConfigFile::new(&ConfigLocation::File(link.clone()), TEXT.to_string());
        file.edit(&amplify("@b@x.social"), now()).unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(fs::read_to_string(&real).unwrap().contains("[amplify]"));
    }

    /// A link whose target is gone (or that loops) is said so, refused, and
    /// never swapped for a regular file; once it resolves, edits go on.
    #[test]
    fn a_symlink_that_leads_nowhere_is_never_replaced() {
        let (dir, real, _) = file_with(TEXT);
        let link = dir.path().join("link.toml");
        let gone = dir.path().join("gone.toml");
        std::os::unix::fs::symlink(&gone, &link).unwrap();
        let mut file = ConfigFile::new(&ConfigLocation::File(link.clone()), TEXT.to_string());
        let why = file.edit(&amplify("@b@x.social"), now()).unwrap_err();
        assert!(
            why.contains("link.toml is a symlink to a missing file") && why.contains("gone.toml"),
            "{why}"
        );
        let err = write_atomic(&link, TEXT).unwrap_err().to_string();
        assert!(err.contains("not replacing the link"), "{err}");
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(!gone.exists(), "nothing created behind the user's back");

        // A loop.
        let other = dir.path().join("other.toml");
        std::os::unix::fs::symlink(&link, &other).unwrap();
        fs::remove_file(&link).unwrap();
        std::os::unix::fs::symlink(&other, &link).unwrap();
        let why = broken_link(&link).unwrap();
        assert!(why.contains("cannot be followed"), "{why}");
        assert!(write_atomic(&link, TEXT).is_err());
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );

        // Resolved again: the edit goes through to the target.
        fs::remove_file(&link).unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        file.edit(&amplify("@b@x.social"), now()).unwrap();
        assert!(fs::read_to_string(&real).unwrap().contains("[amplify]"));
        assert!(broken_link(&real).is_none() && broken_link(&link).is_none());
    }

    #[test]
    fn an_edit_is_not_written_into_a_broken_config() {
        let (_dir, path, mut file) = file_with(TEXT);
        fs::write(&path, "[[column]]\nname = \n").unwrap();
        let err = file.edit(&amplify("@b@x.social"), now()).unwrap_err();
        assert!(!err.is_empty());
        assert_eq!(fs::read_to_string(&path).unwrap(), "[[column]]\nname = \n");
    }

    /// An edit that changes nothing says so, writes nothing and takes no
    /// undo slot.
    #[test]
    fn an_edit_that_changes_nothing_is_said_and_not_written() {
        let (_dir, path, mut file) = file_with(TEXT);
        let add = Edit::AddToColumn {
            column: "Core".into(),
            handle: "@A@x.social".into(),
        };
        let why = file.edit(&add, now()).unwrap_err();
        assert_eq!(why, "@A@x.social is already in Core");
        assert_eq!(fs::read_to_string(&path).unwrap(), TEXT);
        assert_eq!(file.undo().unwrap_err(), "nothing to undo");
        file.edit(&amplify("@b@x.social"), now()).unwrap();
        let why = file.edit(&amplify("@b@x.social"), now()).unwrap_err();
        assert_eq!(why, "@b@x.social is already amplified");
        let mute = Edit::MuteAccount {
            handle: "@m@x.social".into(),
            until: None,
        };
        file.edit(&mute, now()).unwrap();
        assert_eq!(
            file.edit(&mute, now()).unwrap_err(),
            "@m@x.social is already muted"
        );
        // two edits were made, so two undos work and a third has nothing
        file.undo().unwrap();
        file.undo().unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), TEXT);
    }

    /// Another writer at work while a keyboard edit is made: its change is
    /// kept (the edit is made again on top of it), and a file caught
    /// truncated is not edited at all. Every kind of change, many rounds.
    #[test]
    fn a_keyboard_edit_racing_another_writer_loses_nothing() {
        let kinds = ["append", "rewrite by rename", "truncate", "edit in place"];
        for round in 0..200 {
            let kind = kinds[round % kinds.len()];
            let (_dir, path, mut file) = file_with(TEXT);
            let marker = format!("# outside change {round}");
            let meddled = std::rc::Rc::new(std::cell::Cell::new(0));
            let count = std::rc::Rc::clone(&meddled);
            let change = marker.clone();
            // the change lands once, while the first try of the edit runs
            file.meddle = Some(Box::new(move |path: &Path| {
                if count.get() > 0 {
                    return;
                }
                count.set(1);
                let now = fs::read_to_string(path).unwrap();
                match kind {
                    "append" => {
                        let mut f = fs::OpenOptions::new().append(true).open(path).unwrap();
                        writeln!(f, "{change}").unwrap();
                    }
                    "rewrite by rename" => {
                        let tmp = path.with_extension("swp");
                        fs::write(&tmp, format!("{change}\n{now}")).unwrap();
                        fs::rename(&tmp, path).unwrap();
                    }
                    "truncate" => fs::write(path, "").unwrap(),
                    _ => fs::write(path, now.replace("# my config", &change)).unwrap(),
                }
            }));
            let result = file.edit(&amplify(&format!("@n{round}@x.social")), now());
            let on_disk = fs::read_to_string(&path).unwrap();
            assert_eq!(meddled.get(), 1, "{kind}");
            if kind == "truncate" {
                // the editor's truncation was seen: nothing written, and the
                // editor's own write (which follows) is not clobbered
                let why = result.unwrap_err();
                assert!(why.contains("lost its columns"), "{why}");
                assert_eq!(on_disk, "", "{kind}");
                continue;
            }
            let (text, _, _) = result.unwrap_or_else(|e| panic!("{kind}: {e}"));
            assert_eq!(on_disk, text, "{kind}");
            assert!(
                on_disk.contains(&marker),
                "{kind}: the outside change is lost:\n{on_disk}"
            );
            assert!(
                on_disk.contains(&format!("@n{round}@x.social")),
                "{kind}: the edit is lost"
            );
            assert!(
                on_disk.contains("[[column]]"),
                "{kind}: the config is destroyed"
            );
            // and undo puts back exactly what the other writer left
            let before = file.undo().unwrap();
            assert!(before.contains(&marker), "{kind}");
        }
    }
}
