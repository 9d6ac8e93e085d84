//! Secrets — tokens and app passwords — from an environment variable or an
//! owner-only file. A [`Secret`] never prints: its `Debug` and
//! `Display` say `[redacted]`, so it cannot leak into logs, errors or panics.

use crate::config::SecretRef;
use std::fmt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

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

/// Read from an answer that hands one out (a token, a client secret).
impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret::new)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Why a secret could not be read; the text says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("the {what} is read from ${var}, which is not set; export it before starting circles")]
    Unset { what: &'static str, var: String },
    #[error("cannot read the {what} file {}: {why}", .path.display())]
    Unreadable {
        what: &'static str,
        path: PathBuf,
        why: String,
    },
    #[error(
        "the {what} file {} can be read by others (mode {mode:03o}); run `chmod 600 {}` and start again",
        .path.display(),
        .path.display()
    )]
    Exposed {
        what: &'static str,
        path: PathBuf,
        mode: u32,
    },
    #[error("the {what} file {} is empty", .path.display())]
    Empty { what: &'static str, path: PathBuf },
}

/// Reads a secret from where the config says: an environment variable, or
/// a file (`~/` is the home directory). A file readable or writable by
/// group or others is refused, with the command that fixes it — as ssh
/// does with keys.
pub fn load(from: &SecretRef, what: &'static str) -> Result<Secret, SecretError> {
    let file = match from {
        SecretRef::Env(var) => {
            return match std::env::var(var) {
                Ok(value) if !value.trim().is_empty() => Ok(Secret::new(value.trim())),
                _ => Err(SecretError::Unset {
                    what,
                    var: var.clone(),
                }),
            };
        }
        SecretRef::File(file) => file,
    };
    let path = expand_home(file);
    let unreadable = |e: std::io::Error| SecretError::Unreadable {
        what,
        path: path.clone(),
        why: e.to_string(),
    };
    let meta = std::fs::metadata(&path).map_err(unreadable)?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(SecretError::Exposed { what, path, mode });
    }
    let text = std::fs::read_to_string(&path).map_err(unreadable)?;
    let value = text.trim();
    if value.is_empty() {
        return Err(SecretError::Empty { what, path });
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

/// `text` with every occurrence of `secret` replaced by `[redacted]`, for
/// a message that may quote what a server echoed. Redact before cutting a
/// message short, or a secret across the cut leaks its first part.
///
/// An occurrence inside a longer run of token characters (letters, digits,
/// `-_.~+/=`) is not the secret but a word that contains it: a short
/// secret such as `x` must not turn "unexpected" into "une[redacted]pected".
pub fn redact(text: &str, secret: &Secret) -> String {
    let secret = secret.expose();
    if secret.is_empty() || !text.contains(secret) {
        return text.to_string();
    }
    let token = |c: char| c.is_ascii_alphanumeric() || "-_.~+/=".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(secret) {
        let end = at + secret.len();
        let before = rest[..at].chars().next_back();
        let after = rest[end..].chars().next();
        let whole = !before.is_some_and(token) && !after.is_some_and(token);
        out.push_str(&rest[..at]);
        out.push_str(if whole { "[redacted]" } else { &rest[at..end] });
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// A path from the config: `~/` is the home directory.
pub fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), directories::BaseDirs::new()) {
        (Some(rest), Some(dirs)) => dirs.home_dir().join(rest),
        _ => std::path::PathBuf::from(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_takes_whole_tokens_only() {
        let token = Secret::new("s3cr3t-T0ken");
        assert_eq!(
            redact("bad token s3cr3t-T0ken; Bearer s3cr3t-T0ken", &token),
            "bad token [redacted]; Bearer [redacted]"
        );
        assert_eq!(redact("nothing here", &token), "nothing here");
        let short = Secret::new("x");
        assert_eq!(
            redact("unexpected x (x)", &short),
            "unexpected [redacted] ([redacted])"
        );
    }

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
        let from = SecretRef::File(path.to_str().unwrap().to_string());
        let err = load(&from, "token").unwrap_err().to_string();
        assert!(err.contains("chmod 600") && err.contains("644"), "{err}");
        assert!(!err.contains("abc"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(load(&from, "token").unwrap().expose(), "abc");
    }

    #[test]
    fn store_writes_an_owner_only_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("token");
        store(&path, &Secret::new("xyz")).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let from = SecretRef::File(path.to_str().unwrap().to_string());
        assert_eq!(load(&from, "token").unwrap().expose(), "xyz");
    }

    #[test]
    fn a_missing_variable_says_which() {
        let from = SecretRef::Env("CIRCLES_TEST_SURELY_UNSET_VAR".into());
        let err = load(&from, "token").unwrap_err().to_string();
        assert!(err.contains("$CIRCLES_TEST_SURELY_UNSET_VAR"), "{err}");
    }
}
