//! Handles: how accounts are named in the config and compared when routing
//! (README, "Handles").
//!
//! Every handle becomes a [`HandleKey`]: lowercase, without the leading `@`.
//! Mastodon `@User@Host` → `user@host`; Bluesky `@Alice.bsky.social` →
//! `alice.bsky.social`; DIDs and `feed:<host>` keep their prefix.

use std::fmt;

/// The normalized form routing compares.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HandleKey(pub String);

impl HandleKey {
    /// Normalizes a handle that has already been sanitized (see
    /// [`super::display_handle`]): only case and the leading `@` are dropped.
    pub fn from_display(handle: &str) -> HandleKey {
        let handle = handle.strip_prefix('@').unwrap_or(handle);
        HandleKey(handle.to_lowercase())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HandleKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a handle written in the config cannot match any account.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandleError {
    #[error("the handle is empty")]
    Empty,
    #[error("`{0}` contains a space")]
    Whitespace(String),
    #[error(
        "`{0}` has no host, so it can match no one: write a Mastodon handle as @user@instance.host \
         or a Bluesky handle as name.bsky.social"
    )]
    NoHost(String),
    #[error("`{0}` is not a valid handle: {1}")]
    Malformed(String, &'static str),
}

/// Parses a handle as written by the user in the config.
///
/// Accepts `@user@host` / `user@host` (Mastodon), `alice.bsky.social` /
/// `@alice.bsky.social` (Bluesky), `did:plc:…`, and `feed:<host>`.
pub fn parse_handle(text: &str) -> Result<HandleKey, HandleError> {
    let raw = text.trim();
    if raw.is_empty() {
        return Err(HandleError::Empty);
    }
    if raw.chars().any(char::is_whitespace) {
        return Err(HandleError::Whitespace(raw.to_string()));
    }
    let lower = raw.to_lowercase();
    if let Some(rest) = lower.strip_prefix("did:") {
        let (method, id) = rest.split_once(':').ok_or(HandleError::Malformed(
            raw.into(),
            "a DID looks like did:plc:…",
        ))?;
        if method.is_empty()
            || !method
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            || id.is_empty()
        {
            return Err(HandleError::Malformed(
                raw.into(),
                "a DID looks like did:plc:…",
            ));
        }
        return Ok(HandleKey(lower));
    }
    if let Some(rest) = lower.strip_prefix("feed:") {
        // `feed:<host>`, or one author of it: `feed:<host>/<name>`, the
        // name lowered as `slug` lowers the names entries give.
        let Some((host, _)) = rest.split_once('/') else {
            check_host(rest).map_err(|why| HandleError::Malformed(raw.into(), why))?;
            return Ok(HandleKey(lower));
        };
        check_host(host).map_err(|why| HandleError::Malformed(raw.into(), why))?;
        let author = raw.split_once('/').map_or("", |(_, a)| a);
        if author.is_empty()
            || author.starts_with('-')
            || author.ends_with('-')
            || author.contains("--")
            || !author.chars().all(|c| c.is_alphanumeric() || c == '-')
        {
            return Err(HandleError::Malformed(
                raw.into(),
                "a feed's author is written feed:<host>/<name>, the name in lower case \
                 with `-` between words (feed:blog.example.org/jane-doe)",
            ));
        }
        return Ok(HandleKey(format!("feed:{host}/{}", super::slug(author))));
    }
    let bare = lower.strip_prefix('@').unwrap_or(&lower);
    match bare.split_once('@') {
        Some((user, host)) => {
            if user.is_empty() {
                return Err(HandleError::Malformed(raw.into(), "the user name is empty"));
            }
            if !user
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'))
            {
                return Err(HandleError::Malformed(
                    raw.into(),
                    "a user name has only letters, digits, `_`, `.` and `-`",
                ));
            }
            check_host(host).map_err(|why| HandleError::Malformed(raw.into(), why))?;
            Ok(HandleKey(format!("{user}@{host}")))
        }
        None if bare.contains('.') => {
            check_host(bare).map_err(|why| HandleError::Malformed(raw.into(), why))?;
            Ok(HandleKey(bare.to_string()))
        }
        None => Err(HandleError::NoHost(raw.to_string())),
    }
}

/// A host name as it appears in a handle: dot-separated labels, an optional
/// port (`localhost:3000` for a development instance).
fn check_host(host: &str) -> Result<(), &'static str> {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => name,
        Some(_) => return Err("the port after `:` must be a number"),
        None => host,
    };
    if name.is_empty() {
        return Err("the host is empty");
    }
    let labels_ok = name.split('.').all(|label| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    });
    if !labels_ok {
        return Err("the host must be a domain name like example.social");
    }
    if !name.contains('.') && name != "localhost" {
        return Err("the host must be a domain name like example.social");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mastodon_handles_normalize_case_and_at_sign() {
        for written in [
            "@Alice@Hachyderm.io",
            "alice@hachyderm.io",
            " @alice@HACHYDERM.IO ",
        ] {
            assert_eq!(
                parse_handle(written).unwrap().as_str(),
                "alice@hachyderm.io"
            );
        }
    }

    #[test]
    fn bluesky_handles_and_dids() {
        assert_eq!(
            parse_handle("@Bob.bsky.social").unwrap().as_str(),
            "bob.bsky.social"
        );
        assert_eq!(
            parse_handle("did:plc:ewvi7nxzyoun6zhxrhs64oiz")
                .unwrap()
                .as_str(),
            "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
        );
        assert_eq!(
            parse_handle("feed:Blog.Rust-Lang.org").unwrap().as_str(),
            "feed:blog.rust-lang.org"
        );
    }

    #[test]
    fn development_instances_with_ports_are_accepted() {
        assert_eq!(
            parse_handle("@admin@localhost:3000").unwrap().as_str(),
            "admin@localhost:3000"
        );
    }

    #[test]
    fn handles_that_cannot_match_are_rejected_with_advice() {
        assert!(matches!(
            parse_handle("@alice"),
            Err(HandleError::NoHost(_))
        ));
        assert!(matches!(parse_handle(""), Err(HandleError::Empty)));
        assert!(matches!(
            parse_handle("@al ice@host.social"),
            Err(HandleError::Whitespace(_))
        ));
        for bad in [
            "@@host.social",
            "@a@",
            "@a@b..c",
            "did:plc",
            "a@-x.social",
            "a@host:port",
        ] {
            assert!(parse_handle(bad).is_err(), "{bad} should be rejected");
        }
        let advice = parse_handle("alice").unwrap_err().to_string();
        assert!(advice.contains("@user@instance.host"), "{advice}");
    }

    #[test]
    fn decoded_handles_drop_case_and_at() {
        assert_eq!(
            HandleKey::from_display("@Gargron@Mastodon.social").as_str(),
            "gargron@mastodon.social"
        );
    }
}
