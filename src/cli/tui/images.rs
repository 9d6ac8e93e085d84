//! Posts' images for the screen, made off the event loop (README,
//! "Images"): a frame notes the images it wants (`ui::Images`), and for
//! each the worker reads the media cache or fetches the file (with a size
//! cap), decodes it with limits (`media::decode`), and encodes it for the
//! terminal at the size of its place, each step in a task of its own;
//! the result comes back as an event, and the frame after it draws the
//! image. Nothing here runs on the loop but starting the tasks, so a frame
//! never waits for an image.
//!
//! The terminal's graphics protocol (kitty, sixel, iTerm2, or half-block
//! characters anywhere) is told from its environment, never by asking it:
//! a query would hold the first frame for up to two seconds in a terminal
//! that does not answer. `CIRCLES_IMAGE_PROTOCOL` forces one.

use super::Event;
use crate::media::{self, MediaCache};
use crate::ui::ImageKey;
use ratatui::layout::Size;
use ratatui_image::picker::{Picker, ProtocolType};
use ratatui_image::{FontSize, Resize};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc};

/// How many images are fetched and encoded at once.
const AT_ONCE: usize = 4;

/// What the worker sends back: an image ready for its place, or why not.
pub(super) type Made = Result<ratatui_image::protocol::Protocol, Failed>;

/// Why an image is not shown, and whether asking again later may work
/// (the network was down, the server busy): then it is asked again after
/// a wait that doubles each time, from `CIRCLES_IMAGE_RETRY` seconds (30)
/// up to a quarter of an hour.
#[derive(Debug)]
pub(super) struct Failed {
    pub why: String,
    pub transient: bool,
}

impl Failed {
    fn lasting(why: String) -> Self {
        Failed {
            why,
            transient: false,
        }
    }
}

const LONGEST_WAIT: Duration = Duration::from_secs(15 * 60);

pub(super) struct ImageWorker {
    picker: Picker,
    cache: MediaCache,
    /// Made at the first image, not at start (it loads the TLS roots).
    client: Option<reqwest::Client>,
    tx: mpsc::UnboundedSender<Event>,
    pending: HashSet<ImageKey>,
    at_once: Arc<Semaphore>,
    /// URLs that failed for a passing reason, by how many times in a row.
    failures: HashMap<String, u32>,
    /// The first wait before asking again.
    retry: Duration,
}

impl ImageWorker {
    pub(super) fn new(tx: mpsc::UnboundedSender<Event>, cache: MediaCache) -> Self {
        ImageWorker {
            picker: picker(&|key| std::env::var(key).ok()),
            cache,
            client: None,
            tx,
            pending: HashSet::new(),
            at_once: Arc::new(Semaphore::new(AT_ONCE)),
            failures: HashMap::new(),
            retry: std::env::var("CIRCLES_IMAGE_RETRY")
                .ok()
                .and_then(|s| s.parse::<f64>().ok())
                .filter(|s| s.is_finite() && *s > 0.0)
                .map_or(Duration::from_secs(30), Duration::from_secs_f64),
        }
    }

    /// The protocol images are drawn with.
    pub(super) fn protocol(&self) -> ProtocolType {
        self.picker.protocol_type()
    }

    /// The media cache, where the system's viewer finds an image's file.
    pub(super) fn cache(&self) -> MediaCache {
        self.cache.clone()
    }

    /// Starts making each image not already on its way.
    pub(super) fn request(&mut self, wanted: Vec<ImageKey>) {
        for key in wanted {
            if !self.pending.insert(key.clone()) {
                continue;
            }
            let client = self
                .client
                .get_or_insert_with(crate::net::http::client)
                .clone();
            let (picker, cache) = (self.picker.clone(), self.cache.clone());
            let (tx, at_once) = (self.tx.clone(), Arc::clone(&self.at_once));
            let wait = self.wait(&key.0);
            tokio::spawn(async move {
                let turn = at_once.acquire_owned().await;
                let made = make(&picker, &cache, &client, &key).await;
                drop(turn);
                let again = matches!(&made, Err(f) if f.transient);
                if let Err(f) = &made {
                    tracing::info!(url = %key.0, why = f.why, again, "image not shown");
                }
                let url = key.0.clone();
                let _ = tx.send(Event::Image { key, made });
                // One timer, once: nothing wakes while it waits.
                if again {
                    tokio::time::sleep(wait).await;
                    let _ = tx.send(Event::ImageRetry(url));
                }
            });
        }
    }

    /// How long to wait before asking again for `url` if it fails now.
    fn wait(&self, url: &str) -> Duration {
        let times = self.failures.get(url).copied().unwrap_or(0).min(16);
        self.retry.saturating_mul(1 << times).min(LONGEST_WAIT)
    }

    /// An image came back: it may be asked for again (at another size).
    /// Says what the screen shows for a failure (with when it is tried
    /// again, for a passing one).
    pub(super) fn done(&mut self, key: &ImageKey, made: &Made) -> Option<String> {
        self.pending.remove(key);
        match made {
            Ok(_) => {
                self.failures.remove(&key.0);
                None
            }
            Err(f) if f.transient => {
                let wait = self.wait(&key.0);
                *self.failures.entry(key.0.clone()).or_default() += 1;
                Some(format!(
                    "{}; trying again in {}s",
                    f.why,
                    wait.as_secs().max(1)
                ))
            }
            Err(f) => Some(f.why.clone()),
        }
    }
}

/// One image, from the cache or the network, decoded and encoded.
async fn make(
    picker: &Picker,
    cache: &MediaCache,
    client: &reqwest::Client,
    key: &ImageKey,
) -> Made {
    let (url, width, height) = key.clone();
    let cached = {
        let (cache, url) = (cache.clone(), url.clone());
        tokio::task::spawn_blocking(move || cache.get(&url))
            .await
            .ok()
            .flatten()
    };
    let fetched = cached.is_none();
    let bytes = match cached {
        Some(bytes) => bytes,
        None => crate::net::media::fetch(client, &url, media::MAX_IMAGE_BYTES)
            .await
            .map_err(|e| Failed {
                transient: matches!(
                    e,
                    crate::net::Error::Network { .. }
                        | crate::net::Error::Status {
                            transient: true,
                            ..
                        }
                ),
                why: e.to_string(),
            })?,
    };
    let (picker, cache) = (picker.clone(), cache.clone());
    tokio::task::spawn_blocking(move || {
        // A decoder that panics on a crafted file must not take the
        // terminal down: the panic is caught and said as a failure.
        super::terminal::contained(|| {
            let image = media::decode(&bytes)?;
            // Only what decodes is kept: junk is refused and never cached.
            if fetched && let Err(e) = cache.put(&url, &bytes) {
                tracing::warn!(error = %e, "the media cache cannot keep an image");
            }
            picker
                .new_protocol(image, Size::new(width, height), Resize::Fit(None))
                .map_err(|e| format!("cannot draw the image: {e}"))
        })
        .unwrap_or_else(|panic| Err(format!("cannot decode the image ({panic})")))
        .map_err(Failed::lasting)
    })
    .await
    .map_err(|e| Failed::lasting(format!("cannot draw the image: {e}")))?
}

/// The picker for this terminal: the protocol forced by
/// `CIRCLES_IMAGE_PROTOCOL`, else the one its environment names (kitty
/// and Ghostty: kitty's; WezTerm, iTerm2: iTerm2's; foot: sixel), else
/// half blocks; the cell size in pixels from the terminal's window size.
fn picker(var: &dyn Fn(&str) -> Option<String>) -> Picker {
    let font = crossterm::terminal::window_size()
        .ok()
        .filter(|w| w.width > 0 && w.columns > 0 && w.rows > 0)
        .map_or(FontSize::new(10, 20), |w| {
            FontSize::new((w.width / w.columns).max(1), (w.height / w.rows).max(1))
        });
    // `from_fontsize` reads only the environment (tmux, iTerm2), where
    // `from_query_stdio` would write to the terminal and wait for an answer.
    #[allow(deprecated)]
    let mut picker = Picker::from_fontsize(font);
    let get = |key: &str| var(key).unwrap_or_default().to_ascii_lowercase();
    let forced = match get("CIRCLES_IMAGE_PROTOCOL").as_str() {
        "halfblocks" => Some(ProtocolType::Halfblocks),
        "kitty" => Some(ProtocolType::Kitty),
        "sixel" => Some(ProtocolType::Sixel),
        "iterm2" => Some(ProtocolType::Iterm2),
        _ => None,
    };
    let (term, program) = (get("TERM"), get("TERM_PROGRAM"));
    let guessed = if term.contains("kitty") || term.contains("ghostty") || program == "ghostty" {
        Some(ProtocolType::Kitty)
    } else if program == "wezterm" || program == "iterm.app" {
        Some(ProtocolType::Iterm2)
    } else if term.starts_with("foot") {
        Some(ProtocolType::Sixel)
    } else {
        None
    };
    if let Some(protocol) = forced.or(guessed) {
        picker.set_protocol_type(protocol);
    }
    picker
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_protocol_is_forced_or_told_from_the_environment() {
        let with = |vars: &'static [(&'static str, &'static str)]| {
            picker(&move |key| {
                vars.iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| (*v).to_string())
            })
            .protocol_type()
        };
        assert_eq!(
            with(&[("CIRCLES_IMAGE_PROTOCOL", "kitty")]),
            ProtocolType::Kitty
        );
        assert_eq!(
            with(&[
                ("TERM", "xterm-kitty"),
                ("CIRCLES_IMAGE_PROTOCOL", "halfblocks")
            ]),
            ProtocolType::Halfblocks
        );
        assert_eq!(with(&[("TERM", "xterm-kitty")]), ProtocolType::Kitty);
        assert_eq!(with(&[("TERM", "foot")]), ProtocolType::Sixel);
        assert_eq!(with(&[("TERM_PROGRAM", "WezTerm")]), ProtocolType::Iterm2);
    }
}
