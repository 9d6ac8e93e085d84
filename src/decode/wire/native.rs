//! The native circles JSON-lines format, as serde sees it (the README
//! documents it).

use serde::Deserialize;
use std::borrow::Cow;

/// An author or booster: `"@user@host"` or `{"handle": …, "name": …, "url": …}`.
#[derive(Deserialize)]
#[serde(
    untagged,
    expecting = "`author`/`boosted_by` as a handle string or an object with a `handle`"
)]
pub enum Person<'a> {
    #[serde(borrow)]
    Handle(Cow<'a, str>),
    Full {
        #[serde(borrow)]
        handle: Cow<'a, str>,
        #[serde(borrow, default)]
        name: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        url: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        did: Option<Cow<'a, str>>,
    },
}

#[derive(Deserialize)]
#[serde(
    untagged,
    expecting = "`reply_to` as a post id or an object with an `id`"
)]
pub enum ReplyRef<'a> {
    #[serde(borrow)]
    Id(Cow<'a, str>),
    Full {
        #[serde(borrow)]
        id: Cow<'a, str>,
        #[serde(borrow, default)]
        author: Option<Cow<'a, str>>,
    },
}

#[derive(Deserialize)]
pub struct NativeMedia<'a> {
    #[serde(borrow, default)]
    pub kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub alt: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub url: Option<Cow<'a, str>>,
}
