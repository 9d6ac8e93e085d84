//! circles — sort social timelines into circles.
//!
//! The crate is layered from the inside out (SPEC §2); an inner layer never
//! imports an outer one, and the inner four stay free of terminal and async
//! code so they can be tested with plain values:
//!
//! 1. [`model`]  — posts, accounts, handles, text sanitizing.
//! 2. [`decode`] — Mastodon, Bluesky and native JSON lines into [`model::Post`]s.
//! 3. [`config`] — the TOML filter file: schema, located errors.
//! 4. [`filter`] — compiled rules and the router, `route(&Rules, &Post)`.
//! 5. [`store`]  — the in-memory timeline: posts, column views, unread.
//! 6. [`source`] — async tasks that deliver posts into one channel.
//! 7. [`app`]    — `AppState` and the reducer `update`, no I/O.
//! 8. [`ui`]     — pure rendering of the state with ratatui.
//! 9. [`cli`]    — the command line and the TUI's event loop.

pub mod app;
pub mod cache;
pub mod cli;
pub mod config;
pub mod decode;
pub mod filter;
pub mod model;
pub mod net;
pub mod source;
pub mod store;
pub mod ui;
