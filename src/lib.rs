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
//! 5. [`cli`]    — the command line: `route`, `check`, `explain`, `init`.

pub mod cli;
pub mod config;
pub mod decode;
pub mod filter;
pub mod model;
