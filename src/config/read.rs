//! Reading the config's tables one at a time, so that one run reports
//! every problem the TOML parser lets us reach: each table is read apart
//! (a bad column does not hide a bad `[mute]`), every key a table has no
//! field for is reported before the table is read, and a key whose value
//! has the wrong type or variant is reported and left out so the table is
//! read again for the next one. Only a syntax error stops everything, since
//! nothing after it can be trusted.

use super::{Diagnostic, located};
use serde::de::DeserializeOwned;
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

/// Reads `table` into `T`, reporting everything wrong with it. `what`
/// names the table in messages (`a column`, `[mute]`); `unknown` says what
/// to write for a key `T` has no field for, given the fields it has.
pub(super) fn table<T: DeserializeOwned>(
    mut table: DeTable<'_>,
    span: Range<usize>,
    unknown: &dyn Fn(&str, &[&str]) -> String,
    missing: &dyn Fn(&str) -> String,
    errors: &mut Vec<Diagnostic>,
) -> Option<T> {
    let strays = remove_strays::<T>(&mut table, unknown, errors);
    let mut left_out: Vec<String> = Vec::new();
    // Each round either reads the table or leaves out one more key.
    loop {
        let value = Spanned::new(span.clone(), DeValue::Table(table.clone()));
        let e = match T::deserialize(ValueDeserializer::from(value)) {
            Ok(read) => return (!strays && left_out.is_empty()).then_some(read),
            Err(e) => e,
        };
        let message = e.message().trim_end();
        if let Some(field) = message
            .strip_prefix("missing field `")
            .and_then(|m| m.strip_suffix('`'))
        {
            // A required key left out for its bad value was said already.
            if !left_out.iter().any(|k| k == field) {
                errors.push(Diagnostic::error(Some(span.clone()), missing(field)));
            }
            return None;
        }
        errors.push(located(e.span(), message));
        let culprit = e.span().and_then(|at| {
            table
                .iter()
                .find(|(_, value)| value.span().contains(&at.start))
                .map(|(key, _)| key.clone())
        });
        match culprit {
            Some(key) => {
                left_out.push(key.get_ref().to_string());
                table.remove(&key);
            }
            None => return None,
        }
    }
}

/// Takes out of `table` every key `T` has no field for, reporting each at
/// its place; says whether there was one.
pub(super) fn remove_strays<T: DeserializeOwned>(
    table: &mut DeTable<'_>,
    unknown: &dyn Fn(&str, &[&str]) -> String,
    errors: &mut Vec<Diagnostic>,
) -> bool {
    let takes = fields_of::<T>();
    let strays: Vec<_> = table
        .keys()
        .filter(|key| !takes.contains(&key.get_ref().as_ref()))
        .cloned()
        .collect();
    for key in &strays {
        errors.push(Diagnostic::error(
            Some(key.span()),
            unknown(key.get_ref(), takes),
        ));
        table.remove(key);
    }
    !strays.is_empty()
}

/// The field names of a struct that derives `Deserialize`: serde hands
/// them to the deserializer, and this one keeps them and stops there.
/// (serde has no other way to ask, and writing the lists again by hand is
/// what this module avoids.)
pub(super) fn fields_of<T: DeserializeOwned>() -> &'static [&'static str] {
    #[derive(Debug)]
    struct Found(&'static [&'static str]);
    impl std::fmt::Display for Found {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("fields found")
        }
    }
    impl std::error::Error for Found {}
    impl serde::de::Error for Found {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Found(&[])
        }
    }
    struct Ask;
    impl<'de> serde::Deserializer<'de> for Ask {
        type Error = Found;
        fn deserialize_struct<V: serde::de::Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Found> {
            Err(Found(fields))
        }
        fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Found> {
            Err(Found(&[]))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }
    match T::deserialize(Ask) {
        Err(Found(fields)) => fields,
        Ok(_) => &[],
    }
}
