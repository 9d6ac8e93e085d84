//! The wire formats, as serde sees them: Mastodon entities, Bluesky feed
//! items and the native format ([`mastodon`], [`bluesky`], [`native`]),
//! and [`Item`], the union of their top-level keys, which one borrowed
//! serde pass reads before the format is known.

pub mod bluesky;
pub mod mastodon;
pub mod native;

use serde::Deserialize;
use std::borrow::Cow;

/// Every top-level key any supported format uses. Keys whose shape differs
/// between formats are `RawValue`s, decoded once the format is known.
#[derive(Deserialize)]
pub struct Item<'a> {
    // Shared by Mastodon and native.
    #[serde(borrow)]
    pub id: Option<IdValue<'a>>,
    #[serde(borrow)]
    pub created_at: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub url: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub language: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub visibility: Option<Cow<'a, str>>,
    /// Absent and empty differ for native lines: without the array, the
    /// mentions are found in the text.
    #[serde(borrow, default)]
    pub mentions: Option<Vec<MentionEntry<'a>>>,
    #[serde(borrow, default)]
    pub tags: Vec<mastodon::Tag<'a>>,

    // Mastodon Status and Notification.
    #[serde(borrow)]
    pub account: Option<mastodon::Account<'a>>,
    #[serde(borrow)]
    pub content: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub reblog: Option<Box<mastodon::Status<'a>>>,
    #[serde(borrow)]
    pub uri: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub spoiler_text: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub in_reply_to_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub in_reply_to_account_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub media_attachments: Vec<mastodon::Attachment<'a>>,
    #[serde(borrow)]
    pub card: Option<mastodon::Card<'a>>,
    pub sensitive: Option<bool>,
    pub favourited: Option<bool>,
    pub reblogged: Option<bool>,
    pub bookmarked: Option<bool>,
    #[serde(default, deserialize_with = "count")]
    pub replies_count: Option<u32>,
    #[serde(default, deserialize_with = "count")]
    pub reblogs_count: Option<u32>,
    #[serde(default, deserialize_with = "count")]
    pub favourites_count: Option<u32>,
    #[serde(borrow)]
    pub quote: Option<Box<mastodon::Quote<'a>>>,
    #[serde(borrow, rename = "type")]
    pub kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub status: Option<Box<mastodon::Status<'a>>>,

    // Bluesky feedViewPost.
    #[serde(borrow)]
    pub post: Option<bluesky::PostView<'a>>,
    #[serde(borrow)]
    pub reply: Option<bluesky::ReplyContext<'a>>,
    /// A feed item's reason object, or a notification's reason word.
    #[serde(borrow)]
    pub reason: Option<ReasonEntry<'a>>,

    // Native.
    #[serde(borrow)]
    pub author: Option<native::Person<'a>>,
    #[serde(borrow)]
    pub text: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub source: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub boosted_by: Option<native::Person<'a>>,
    #[serde(borrow)]
    pub cw: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub reply_to: Option<native::ReplyRef<'a>>,
    /// Like `mentions`: absent, they are found in the text.
    #[serde(borrow, default)]
    pub hashtags: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow, default)]
    pub links: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow, default)]
    pub media: Vec<native::NativeMedia<'a>>,
}

/// A `mentions` entry: a Mastodon Mention object, or a native handle string.
///
/// Deserialized by hand: `#[serde(untagged)]` would first buffer every entry
/// (and every `id` below) into serde's private `Content` tree and then try
/// each variant, which showed up in the routing profile.
pub enum MentionEntry<'a> {
    Handle(Cow<'a, str>),
    Mastodon(mastodon::Mention<'a>),
}

impl<'de: 'a, 'a> Deserialize<'de> for MentionEntry<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entry<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Entry<'a> {
            type Value = MentionEntry<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mention: a handle string or a Mastodon Mention object")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(MentionEntry::Handle(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(MentionEntry::Handle(Cow::Owned(v.to_string())))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                mastodon::Mention::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(MentionEntry::Mastodon)
            }
        }
        deserializer.deserialize_any(Entry(std::marker::PhantomData))
    }
}

/// A `reason`: a Bluesky feed item's (`{"$type": "…#reasonRepost", "by":
/// …}`) or a Bluesky notification's (`"like"`). By hand, as
/// [`MentionEntry`].
pub enum ReasonEntry<'a> {
    Feed(bluesky::Reason<'a>),
    Notification(Cow<'a, str>),
}

impl<'de: 'a, 'a> Deserialize<'de> for ReasonEntry<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entry<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Entry<'a> {
            type Value = ReasonEntry<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a reason: a feed item's object or a notification's word")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(ReasonEntry::Notification(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(ReasonEntry::Notification(Cow::Owned(v.to_string())))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                bluesky::Reason::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(ReasonEntry::Feed)
            }
        }
        deserializer.deserialize_any(Entry(std::marker::PhantomData))
    }
}

/// Ids are strings in every API, but hand-written native lines may use numbers.
pub enum IdValue<'a> {
    Text(Cow<'a, str>),
    Number(u64),
}

impl<'de: 'a, 'a> Deserialize<'de> for IdValue<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Id<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Id<'a> {
            type Value = IdValue<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an id: a string or a non-negative integer")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(IdValue::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(IdValue::Text(Cow::Owned(v.to_string())))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
                Ok(IdValue::Number(v))
            }
        }
        deserializer.deserialize_any(Id(std::marker::PhantomData))
    }
}

impl IdValue<'_> {
    pub fn into_string(self) -> String {
        match self {
            IdValue::Text(t) => t.into_owned(),
            IdValue::Number(n) => n.to_string(),
        }
    }
}

/// A count a server gives (`replies_count`, `likeCount`): a whole number,
/// capped at `u32::MAX`. Anything else (negative, fractional, a string) is
/// no count rather than a post that cannot be read: counts only decorate.
pub fn count<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    struct Count;
    impl<'v> serde::de::Visitor<'v> for Count {
        type Value = Option<u32>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a count")
        }
        fn visit_u64<E>(self, n: u64) -> Result<Self::Value, E> {
            Ok(Some(u32::try_from(n).unwrap_or(u32::MAX)))
        }
        fn visit_i64<E>(self, n: i64) -> Result<Self::Value, E> {
            Ok(u64::try_from(n)
                .ok()
                .map(|n| u32::try_from(n).unwrap_or(u32::MAX)))
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: serde::Deserializer<'v>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(Count)
        }
        fn visit_seq<A: serde::de::SeqAccess<'v>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_map<A: serde::de::MapAccess<'v>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            while map
                .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                .is_some()
            {}
            Ok(None)
        }
    }
    deserializer.deserialize_any(Count)
}
