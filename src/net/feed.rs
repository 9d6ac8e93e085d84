//! Fetching feeds: a conditional GET with the validators of the last good
//! answer (`ETag`, `Last-Modified`), so an unchanged feed costs a 304 and
//! nothing else.

use super::Error;
use super::http;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use std::time::Duration;

const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Feeds larger than this are refused.
const MAX_BODY: usize = 16 << 20;

/// What the last good answer said, to ask only for news next time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A feed as fetched, with the validators of this answer.
#[derive(Debug)]
pub struct Fetched {
    pub body: Vec<u8>,
    pub validators: Validators,
}

/// GETs a feed, conditionally when `since` has validators: `None` when the
/// feed has not changed (304). A 429 or a server error is transient (with
/// the wait the server asked for); any other error status is not.
pub async fn fetch(
    client: &reqwest::Client,
    url: &str,
    since: &Validators,
) -> Result<Option<Fetched>, Error> {
    const WHAT: &str = "fetching the feed";
    let mut request = client.get(url).timeout(REQUEST_TIMEOUT).header(
        ACCEPT,
        "application/atom+xml, application/rss+xml, application/feed+json, \
         application/xml;q=0.9, application/json;q=0.8, text/xml;q=0.8, */*;q=0.5",
    );
    if let Some(etag) = &since.etag {
        request = request.header(IF_NONE_MATCH, etag);
    }
    if let Some(date) = &since.last_modified {
        request = request.header(IF_MODIFIED_SINCE, date);
    }
    let answer = http::send(request, MAX_BODY, WHAT).await?;
    let status = answer.status;
    if status == StatusCode::NOT_MODIFIED {
        return Ok(None);
    }
    if !status.is_success() {
        return Err(Error::Status {
            what: WHAT.to_string(),
            status: status.as_u16(),
            said: status.canonical_reason().map(str::to_string),
            wait: http::retry_after(&answer.headers),
            transient: status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error(),
        });
    }
    let header = |name| {
        answer
            .headers
            .get(name)
            .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
            .map(str::to_string)
    };
    let validators = Validators {
        etag: header(ETAG),
        last_modified: header(LAST_MODIFIED),
    };
    Ok(Some(Fetched {
        body: answer.body,
        validators,
    }))
}
