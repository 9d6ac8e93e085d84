//! circles — sort social timelines into circles.
//!
//! The crate is layered from the inside out; an inner layer never imports
//! an outer one, and the inner five do no I/O and know nothing of
//! terminals or async, so they are tested with plain values. The map, and
//! where each kind of change goes, is ARCHITECTURE.md; a test keeps the
//! layers (`tests/it/architecture.rs`).
//!
//! 1. [`model`]  — posts, accounts, handles, text sanitizing.
//! 2. [`decode`] — Mastodon, Bluesky and native JSON lines into [`model::Post`]s.
//! 3. [`config`] — the TOML filter file: schema, located errors, keyboard edits.
//! 4. [`filter`] — compiled rules and the router, `route(&Rules, &Post)`.
//! 5. [`store`]  — the in-memory timeline: posts, column views, unread.
//!    [`people`] — who pays attention to whom: the classes, from plain facts.
//! 6. [`cache`]  — the timeline and reading state in SQLite.
//! 7. [`net`]    — one client per network.
//! 8. [`source`] — async tasks that deliver posts into one channel.
//! 9. [`app`]    — `AppState` and the reducer `update`, no I/O.
//! 10. [`ui`]    — pure rendering of the state with ratatui.
//! 11. [`cli`]   — the command line, the TUI's event loop and runtime.

pub mod app;
pub mod cache;
pub mod cli;
pub mod config;
pub mod decode;
pub mod filter;
pub mod media;
pub mod model;
pub mod net;
pub mod people;
pub mod source;
pub mod store;
#[doc(hidden)]
pub mod testkit;
pub mod ui;
