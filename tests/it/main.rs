//! The integration tests, linked once into one binary (as ripgrep, helix
//! and jj do): each file in `tests/` would otherwise be its own binary that
//! links reqwest, rusqlite and the rest again.
//!
//! Run one module with `scripts/test.sh --test it -- app::` (a filter on
//! test paths).

// clippy.toml allows `unwrap` in `#[test]` functions; their helpers here
// are test code too.
#![allow(clippy::unwrap_used)]

mod app;
mod architecture;
mod cli;
mod columns;
mod common;
mod decode;
mod digest;
mod docs;
mod images;
mod login;
mod markers;
mod mastodon_mock;
mod people;
mod router;
mod schema;
mod source_bluesky;
mod source_feed;
mod source_jetstream;
mod source_mastodon;
mod sources;
mod stats;
mod tui_e2e;
mod ui;
