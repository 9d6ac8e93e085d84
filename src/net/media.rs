//! Fetching a post's image: one GET with a size cap, so a huge or endless
//! answer is refused before it fills memory or the media cache.

use super::Error;
use super::http;
use reqwest::header::ACCEPT;
use std::time::Duration;

const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// GETs an image's bytes, refusing an answer over `cap` bytes and any
/// error status.
pub async fn fetch(client: &reqwest::Client, url: &str, cap: usize) -> Result<Vec<u8>, Error> {
    const WHAT: &str = "fetching the image";
    let request = client.get(url).timeout(REQUEST_TIMEOUT).header(
        ACCEPT,
        "image/webp, image/png, image/jpeg, image/gif, image/*;q=0.8",
    );
    let answer = http::send(request, cap, WHAT).await?;
    if !answer.status.is_success() {
        return Err(Error::Status {
            what: WHAT.to_string(),
            status: answer.status.as_u16(),
            said: answer.status.canonical_reason().map(str::to_string),
            wait: http::retry_after(&answer.headers),
            transient: answer.status.is_server_error(),
        });
    }
    Ok(answer.body)
}
