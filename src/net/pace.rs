//! Pacing by the server's rate-limit headers: when an answer says the
//! budget is spent, the next call waits for the reset instead of being
//! refused (a 429 is never tripped on purpose).

use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// The longest a server can make us wait (`Retry-After`, a reset time).
pub const MAX_SERVER_WAIT: Duration = Duration::from_secs(60 * 60);

/// Told how long a call waits for the rate limit, before it waits (a
/// source shows it in the status bar).
pub type WaitHook = Arc<dyn Fn(Duration) + Send + Sync>;

/// When the next call may go out.
#[derive(Clone, Default)]
pub struct Pacer {
    not_before: Option<Instant>,
    hook: Option<WaitHook>,
}

impl std::fmt::Debug for Pacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pacer")
            .field("not_before", &self.not_before)
            .finish_non_exhaustive()
    }
}

impl Pacer {
    /// Calls `hook` with the wait whenever a call has to wait.
    pub fn on_wait(&mut self, hook: WaitHook) {
        self.hook = Some(hook);
    }

    /// Holds calls back for `wait` (capped at [`MAX_SERVER_WAIT`]).
    pub fn hold(&mut self, wait: Duration) {
        self.not_before = Some(Instant::now() + wait.min(MAX_SERVER_WAIT));
    }

    /// Reads an answer's headers: a spent budget holds the next call until
    /// the reset the server names (a minute if it names none).
    pub fn read(&mut self, headers: &reqwest::header::HeaderMap) {
        if super::http::rate_limit_spent(headers) {
            self.hold(super::http::retry_after(headers).unwrap_or(Duration::from_secs(60)));
        }
    }

    /// Waits until the next call may go out.
    pub async fn ready(&mut self) {
        let Some(when) = self.not_before.take() else {
            return;
        };
        let now = Instant::now();
        if when > now {
            if let Some(hook) = &self.hook {
                hook(when - now);
            }
            tokio::time::sleep_until(when).await;
        }
    }
}
