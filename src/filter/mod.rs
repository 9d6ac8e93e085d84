//! The filter: compiled rules and the router (README, "The config"). The heart of circles.
//!
//! [`Rules::compile`] turns a parsed config into lookup structures built for
//! one pass per post: one hash map from account key to everything the config
//! says about that account, one from hashtag to columns, one Aho-Corasick
//! automaton for every keyword and one `RegexSet` for every regex, with a
//! literal prefilter in front of both. [`route`] then decides a post's fate
//! in one scan of its text, whatever the number of columns and rules.
//!
//! Pure: no I/O, no terminal, no async, no wall clock (the time used for
//! timed mutes is a field of [`Rules`], set by the caller). May touch:
//! `model`, `config`.

mod compile;
mod explain;
mod keywords;
mod prefilter;
mod route;
pub mod stats;

pub use compile::{Column, Compiled, Person, Rules, load};
pub use explain::explain;
pub use keywords::{Hits, KeywordIndex, fold};
pub use route::{Because, Fired, MuteReason, Narrowing, Router, Verdict, Who, route, route_traced};
