//! The sources overlay (`S`): what each source is doing, its last problem
//! in full (the status bar has room for a word or two), and what to do
//! about it.

use super::SourceStatus;
use crate::config::{SourceConfig, SourceSpec};
use crate::model::SourceState;

/// What the user can do about a source in its present state; `None` when
/// nothing needs doing.
pub fn advice(status: &SourceStatus, spec: Option<&SourceSpec>) -> Option<String> {
    let login = || match spec.map(|s| &s.kind) {
        Some(SourceConfig::Mastodon(m)) => Some(format!("circles login mastodon {}", m.instance)),
        Some(SourceConfig::Bluesky(b)) => Some(format!("circles login bluesky {}", b.handle)),
        _ => None,
    };
    let said = |why: &str, words: &[&str]| {
        let why = why.to_lowercase();
        words.iter().any(|w| why.contains(w))
    };
    match &status.state {
        SourceState::Starting | SourceState::Connecting | SourceState::Loading => None,
        SourceState::Live | SourceState::Done => (status.skipped > 0).then(|| {
            "some lines could not be read: the log (circles.log in the data dir) names \
             each with its line number"
                .to_string()
        }),
        SourceState::Waiting(_) => Some(
            "create the file (or fix `path` in the [[source]]): circles reads it as soon as \
             it appears"
                .to_string(),
        ),
        SourceState::Incomplete(_) => Some(
            "nothing now: new posts arrive; restart circles to try the older ones again"
                .to_string(),
        ),
        SourceState::Retrying { why, .. } | SourceState::Failed(why)
            if said(
                why,
                &[
                    "401",
                    "403",
                    "token",
                    "password",
                    "unauthorized",
                    "forbidden",
                ],
            ) =>
        {
            Some(match login() {
                Some(command) => format!("log in again: `{command}`, then save the config"),
                None => "check the source's credentials in the config".to_string(),
            })
        }
        SourceState::Retrying { .. } => Some(
            "nothing: circles tries again by itself; if it keeps failing, check the address \
             in the [[source]] and your network"
                .to_string(),
        ),
        SourceState::Failed(_) => Some(
            "fix the [[source]] in the config and save it: the source starts again".to_string(),
        ),
    }
}

/// The full reason behind a source's state, when it has one.
pub fn reason(state: &SourceState) -> Option<&str> {
    match state {
        SourceState::Retrying { why, .. }
        | SourceState::Failed(why)
        | SourceState::Incomplete(why)
        | SourceState::Waiting(why) => Some(why),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{MastodonSpec, Timeline};
    use chrono::Utc;
    use std::time::Duration;

    fn status(state: SourceState) -> SourceStatus {
        let mut status = SourceStatus::new("home", Utc::now());
        status.state = state;
        status
    }

    #[test]
    fn advice_fits_the_state() {
        let mastodon = SourceSpec {
            name: "home".into(),
            kind: SourceConfig::Mastodon(MastodonSpec {
                instance: "https://x.social".into(),
                timeline: Timeline::Home,
                token: None,
                poll: Duration::from_secs(60),
            }),
        };
        let failed = status(SourceState::Failed(
            "401 Unauthorized: the token was revoked".into(),
        ));
        let said = advice(&failed, Some(&mastodon)).unwrap();
        assert!(
            said.contains("circles login mastodon https://x.social"),
            "{said}"
        );
        let retrying = status(SourceState::Retrying {
            seconds: 30,
            why: "connection refused".into(),
        });
        assert!(
            advice(&retrying, Some(&mastodon))
                .unwrap()
                .contains("tries again by itself")
        );
        assert_eq!(advice(&status(SourceState::Live), None), None);
        let mut skipped = status(SourceState::Done);
        skipped.skipped = 2;
        assert!(advice(&skipped, None).unwrap().contains("the log"));
        let waiting = status(SourceState::Waiting("waiting for the file".into()));
        assert!(advice(&waiting, None).unwrap().contains("create the file"));
        assert_eq!(reason(&waiting.state), Some("waiting for the file"));
    }
}
