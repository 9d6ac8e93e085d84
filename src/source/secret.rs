//! Secrets — tokens and app passwords — from an environment variable or an
//! owner-only file (SPEC §8). A [`Secret`] never prints: its `Debug` and
//! `Display` say `[redacted]`, so it cannot leak into logs, errors or panics.

use std::fmt;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// A token or password. Use [`Secret::expose`] only where it is sent.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Reads a secret from `env` (a variable name) or `file` (a path; `~/` is
/// the home directory). A file readable or writable by group or others is
/// refused, with the command that fixes it — as ssh does with keys.
pub fn load(env: Option<&str>, file: Option<&str>, what: &str) -> Result<Secret, String> {
    if let Some(var) = env {
        return match std::env::var(var) {
            Ok(value) if !value.trim().is_empty() => Ok(Secret::new(value.trim())),
            _ => Err(format!(
                "the {what} is read from ${var}, which is not set; export it before starting circles"
            )),
        };
    }
    let Some(file) = file else {
        return Err(format!(
            "no {what}: set `token_env`/`app_password_env` or `token_file`/`app_password_file`"
        ));
    };
    let path = expand_home(file);
    let meta = std::fs::metadata(&path)
        .map_err(|e| format!("cannot read the {what} file {}: {e}", path.display()))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(format!(
            "the {what} file {} can be read by others (mode {mode:03o}); \
             run `chmod 600 {}` and start again",
            path.display(),
            path.display()
        ));
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read the {what} file {}: {e}", path.display()))?;
    let value = text.trim();
    if value.is_empty() {
        return Err(format!("the {what} file {} is empty", path.display()));
    }
    Ok(Secret::new(value))
}

/// Writes a secret to a new owner-only file (mode 600), replacing any old
/// one atomically.
pub fn store(path: &Path, secret: &Secret) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode_600()
        .open(&tmp)?;
    file.write_all(secret.expose().as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

trait Mode600 {
    fn mode_600(&mut self) -> &mut Self;
}

impl Mode600 for std::fs::OpenOptions {
    fn mode_600(&mut self) -> &mut Self {
        std::os::unix::fs::OpenOptionsExt::mode(self, 0o600)
    }
}

fn expand_home(path: &str) -> std::path::PathBuf {
    match (path.strip_prefix("~/"), directories::BaseDirs::new()) {
        (Some(rest), Some(dirs)) => dirs.home_dir().join(rest),
        _ => std::path::PathBuf::from(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?} {s}"), "Secret([redacted]) [redacted]");
        assert!(!format!("{:?}", Some(s.clone())).contains("hunter2"));
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn a_file_others_can_read_is_refused_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "abc\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = load(None, path.to_str(), "token").unwrap_err();
        assert!(err.contains("chmod 600") && err.contains("644"), "{err}");
        assert!(!err.contains("abc"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(load(None, path.to_str(), "token").unwrap().expose(), "abc");
    }

    #[test]
    fn store_writes_an_owner_only_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("token");
        store(&path, &Secret::new("xyz")).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(load(None, path.to_str(), "token").unwrap().expose(), "xyz");
    }

    #[test]
    fn a_missing_variable_says_which() {
        let err = load(Some("CIRCLES_TEST_SURELY_UNSET_VAR"), None, "token").unwrap_err();
        assert!(err.contains("$CIRCLES_TEST_SURELY_UNSET_VAR"), "{err}");
    }
}
