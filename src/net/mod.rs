//! The network: one client per network, and what they share
//! (ARCHITECTURE.md, "Layers").
//!
//! Every call circles makes to a server goes through a client here:
//! [`mastodon::Client`] (timelines, streaming, login), [`bluesky::Client`]
//! (sessions kept across restarts, timelines) and [`feed`] (conditional
//! GETs of RSS, Atom and JSON feeds). A client owns its credential, the
//! server's base URL, pacing by the rate-limit headers and the shape of
//! the API; it answers with values or a typed [`Error`] whose words are
//! for the user and never hold a secret. What to do with an answer —
//! retry, report, stop — is the business of the source task that asked.
//!
//! May touch: `model`, `decode`, `config`; reqwest and tokio. Never the
//! terminal or the cache.

pub mod bluesky;
mod error;
pub mod feed;
pub mod http;
pub mod jetstream;
pub mod mastodon;
pub mod media;
pub mod pace;
pub mod secret;

pub use error::Error;
pub use pace::Pacer;
