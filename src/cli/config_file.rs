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

#[derive(Debug)]
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
        }
    }

    /// The file to watch for edits made elsewhere.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Where the config lives, for the status bar.
    pub fn display(&self) -> String {
        match (&self.path, self.builtin) {
            (Some(path), false) => path.display().to_string(),
            _ => "built-in default".to_string(),
        }
    }

    /// Applies an edit to the file as it is now and writes it. Returns the
    /// new text, and a note when this edit created the file.
    pub fn edit(
        &mut self,
        edit: &Edit,
        now: DateTime<Utc>,
    ) -> Result<(String, Option<String>), String> {
        let path = self.path.clone().ok_or(
            "there is no home directory to keep a config in; start circles with --config FILE",
        )?;
        let base = if self.builtin {
            self.text.clone()
        } else {
            match fs::read_to_string(&path) {
                Ok(text) => text,
                Err(e) if e.kind() == io::ErrorKind::NotFound => self.text.clone(),
                Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
            }
        };
        let new = config::apply(&base, edit, now).map_err(|e| e.to_string())?;
        if let Err(errors) = filter::load(&new, now) {
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
        if self.builtin
            && let Some(dir) = path.parent()
        {
            fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        write_atomic(&path, &new).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        let created = self
            .builtin
            .then(|| format!("created {} from the default", path.display()));
        self.builtin = false;
        self.undo.push(base);
        self.text = new.clone();
        self.written = Some(new.clone());
        Ok((new, created))
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

/// Replaces a file's contents all at once: readers see the old text or the
/// new, never half of either.
pub fn write_atomic(path: &Path, text: &str) -> io::Result<()> {
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
        fs::rename(&tmp, &path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written?;
    if let Ok(dir) = fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
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
        let (text, created) = file.edit(&amplify("@b@x.social"), now()).unwrap();
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
        let (text, _) = file.edit(&amplify("@b@x.social"), now()).unwrap();
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
        };
        assert_eq!(file.display(), "built-in default");
        let (text, created) = file.edit(&amplify("@b@x.social"), now()).unwrap();
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

    #[test]
    fn an_edit_is_not_written_into_a_broken_config() {
        let (_dir, path, mut file) = file_with(TEXT);
        fs::write(&path, "[[column]]\nname = \n").unwrap();
        let err = file.edit(&amplify("@b@x.social"), now()).unwrap_err();
        assert!(!err.is_empty());
        assert_eq!(fs::read_to_string(&path).unwrap(), "[[column]]\nname = \n");
    }
}
