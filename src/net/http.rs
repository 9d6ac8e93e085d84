//! What every client shares: one HTTP client, reading answers with a size
//! cap, backoff with jitter, and the server's rate-limit answers.

use super::Error;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use std::time::Duration;

/// The HTTP client every client uses: rustls, gzip, timeouts, and a user
/// agent that says who is asking.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(concat!("circles/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .gzip(true)
        .build()
        .expect("the HTTP client builds with static settings")
}

/// One HTTP answer, read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as text (a server that sends bad UTF-8 gets replacement
    /// characters, which the decoders then report).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends a request and reads its answer, refusing one larger than `cap`
/// bytes (a timeline page is some 100 KB; a server that sends 50 MB is
/// broken or hostile, and must not fill memory and the cache).
pub async fn send(
    request: reqwest::RequestBuilder,
    cap: usize,
    what: &str,
) -> Result<Answer, Error> {
    let mut response = request.send().await.map_err(|e| network(what, &e))?;
    let status = response.status();
    let headers = response.headers().clone();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| network(what, &e))? {
        if body.len() + chunk.len() > cap {
            return Err(Error::Malformed {
                what: what.to_string(),
                why: format!("the answer is larger than {} MB", cap >> 20),
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// A request that got no answer.
pub fn network(what: &str, e: &reqwest::Error) -> Error {
    Error::Network {
        what: what.to_string(),
        why: describe(e),
    }
}

/// Exponential backoff with jitter: 1 s, 2 s, 4 s … up to `max`, each
/// randomised to between half and all of it so reconnecting clients
/// spread out.
#[derive(Debug, Clone)]
pub struct Backoff {
    attempt: u32,
    max: Duration,
    seed: u64,
}

impl Backoff {
    pub fn new(max: Duration) -> Self {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0x9e37_79b9, |d| d.as_nanos() as u64);
        Backoff {
            attempt: 0,
            max,
            seed,
        }
    }

    /// The wait before the next attempt.
    pub fn next_delay(&mut self) -> Duration {
        let base = Duration::from_secs(1u64 << self.attempt.min(16)).min(self.max);
        self.attempt += 1;
        // xorshift: a dependency-free generator is plenty for jitter.
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        let fraction = 0.5 + (self.seed % 1000) as f64 / 2000.0;
        base.mul_f64(fraction)
    }

    /// Back to the shortest wait after a success.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

/// How long a 429 or 503 answer asks us to wait: `Retry-After` in seconds
/// or as an HTTP date, else `X-RateLimit-Reset` (a time, or seconds since
/// the epoch).
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(value) = text("retry-after") {
        if let Ok(secs) = value.trim().parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
        if let Ok(when) = chrono::DateTime::parse_from_rfc2822(value.trim()) {
            return (when.with_timezone(&chrono::Utc) - chrono::Utc::now())
                .to_std()
                .ok()
                .or(Some(Duration::ZERO));
        }
    }
    let reset = text("x-ratelimit-reset")?.trim();
    // Mastodon writes a time; some servers (and mastodon_mock) seconds
    // since the epoch, cut down to the second: up to one early, so one is
    // added.
    let when = match reset.parse::<i64>() {
        Ok(epoch) => chrono::DateTime::from_timestamp(epoch.saturating_add(1), 0)?,
        Err(_) => chrono::DateTime::parse_from_rfc3339(reset)
            .ok()?
            .with_timezone(&chrono::Utc),
    };
    (when - chrono::Utc::now())
        .to_std()
        .ok()
        .or(Some(Duration::ZERO))
}

/// Whether Mastodon's `X-RateLimit-Remaining` says the budget is spent.
pub fn rate_limit_spent(headers: &reqwest::header::HeaderMap) -> bool {
    headers
        .get("x-ratelimit-remaining")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        == Some(0)
}

/// A network error in a few words: what went wrong, where, and the
/// innermost cause ("cannot connect to 127.0.0.1:9: Connection refused").
pub fn describe(e: &reqwest::Error) -> String {
    use std::error::Error;
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "the answer broke off"
    } else {
        "the request failed"
    };
    let mut text = what.to_string();
    if let Some(url) = e.url()
        && let Some(host) = url.host_str()
    {
        let sep = if e.is_connect() { " to " } else { " at " };
        text.push_str(sep);
        text.push_str(host);
        if let Some(port) = url.port() {
            text.push_str(&format!(":{port}"));
        }
    }
    let mut root = None;
    let mut cause = e.source();
    while let Some(c) = cause {
        root = Some(c.to_string());
        cause = c.source();
    }
    if let Some(root) = root {
        text.push_str(": ");
        text.push_str(&root);
    }
    short(&text)
}

/// Text for a message: one clean line of at most 300 characters.
pub fn short(text: &str) -> String {
    let clean = crate::model::sanitize_line(text);
    let clean = clean.trim();
    match clean.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &clean[..cut]),
        None => clean.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    #[test]
    fn backoff_grows_with_jitter_up_to_the_cap() {
        let mut b = Backoff::new(Duration::from_secs(60));
        let delays: Vec<Duration> = (0..10).map(|_| b.next_delay()).collect();
        for (i, d) in delays.iter().enumerate() {
            let base = Duration::from_secs(1 << i).min(Duration::from_secs(60));
            assert!(*d >= base / 2 && *d <= base, "{i}: {d:?}");
        }
        b.reset();
        assert!(b.next_delay() <= Duration::from_secs(1));
    }

    #[test]
    fn retry_after_reads_seconds_dates_and_rate_limit_resets() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        let mut h = HeaderMap::new();
        let soon = (chrono::Utc::now() + chrono::TimeDelta::seconds(30)).to_rfc3339();
        h.insert("x-ratelimit-reset", HeaderValue::from_str(&soon).unwrap());
        let wait = retry_after(&h).unwrap();
        assert!(wait > Duration::from_secs(25) && wait <= Duration::from_secs(30));
        h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        assert!(rate_limit_spent(&h));
        assert_eq!(retry_after(&HeaderMap::new()), None);
        // Seconds since the epoch, as some servers write it.
        let epoch = (chrono::Utc::now().timestamp() + 20).to_string();
        h.insert("x-ratelimit-reset", HeaderValue::from_str(&epoch).unwrap());
        let wait = retry_after(&h).unwrap();
        assert!(wait > Duration::from_secs(19) && wait <= Duration::from_secs(21));
    }
}
