//! What can go wrong talking to a server, in words for the user.

use std::time::Duration;

/// A failed call. Its text says what was asked (`GET /api/v1/timelines/home`,
/// `logging in`) and what happened; it never holds a secret (the clients
/// redact what a server echoes back).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// No answer came: the connection failed, timed out or broke off.
    #[error("{what}: {why}")]
    Network { what: String, why: String },
    /// The server answered with an error status. `said` is its own words,
    /// cleaned; `wait` is how long it asked us to wait; `transient` says
    /// whether asking again later may work.
    #[error("{what}: the server answered {status}{}", said.as_deref().map(|s| format!(" ({s})")).unwrap_or_default())]
    Status {
        what: String,
        status: u16,
        said: Option<String>,
        wait: Option<Duration>,
        transient: bool,
    },
    /// The answer is not what was asked for: not the JSON expected, cut
    /// short, or larger than circles takes.
    #[error("{what}: {why}")]
    Malformed { what: String, why: String },
    /// The server will not do it until the user changes something (a
    /// credential, a setting); the text says what.
    #[error("{0}")]
    Refused(String),
}

impl Error {
    /// Whether the same call may work if made again later.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Network { .. } | Error::Malformed { .. } => true,
            Error::Status { transient, .. } => *transient,
            Error::Refused(_) => false,
        }
    }

    /// How long the server asked us to wait before the next call.
    pub fn wait(&self) -> Option<Duration> {
        match self {
            Error::Status { wait, .. } => *wait,
            _ => None,
        }
    }

    /// The HTTP status of an error answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}
