//! The config's JSON Schema (`circles schema`), derived from the serde
//! types the config is read with (`schemars`), so it never drifts from
//! what `parse` accepts. taplo-based editors (helix, VS Code's Even Better
//! TOML, Neovim's taplo LSP) use it to complete keys and flag mistakes as
//! the user types; `circles init` points the config at a copy of it with
//! a `#:schema` directive (README, "Editor support").

use super::{RawConfig, sources, theme};
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use std::borrow::Cow;

/// The copy's file name, beside the config.
pub const SCHEMA_FILE: &str = "config.schema.json";

/// A TOML date or date-time as written in `[mute.until]`: the schema says
/// "string", which is how taplo hands dates to a schema.
pub(super) struct Datetime;

impl JsonSchema for Datetime {
    fn schema_name() -> Cow<'static, str> {
        "Datetime".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "When the mute ends: a TOML date-time like 2026-12-31T18:00:00Z, or a date like 2026-12-31.",
        })
    }
}

/// The schema of the whole config (JSON Schema draft 7, which taplo reads).
pub fn schema() -> Schema {
    let mut generator = SchemaSettings::draft07()
        .with_transform(no_null)
        .into_generator();
    let kinds = sources::schemas(&mut generator);
    let preset = generator.subschema_for::<theme::Preset>();
    let table = generator.subschema_for::<theme::RawTheme>();
    let mut root = generator.into_root_schema_for::<RawConfig>();
    let theme = serde_json::json!({
        "description": "The screen's colours: a preset's name (theme = \"light\"), or a [theme] table of a preset and the roles to change.",
        "anyOf": [preset, table],
    });
    let source = serde_json::json!({
        "description": "Where posts come from; `kind` says what the table reads.",
        "type": "array",
        "items": {"oneOf": kinds},
    });
    if let Some(properties) = root
        .ensure_object()
        .get_mut("properties")
        .and_then(|p| p.as_object_mut())
    {
        properties.insert("source".into(), source);
        properties.insert("theme".into(), theme);
    }
    root
}

/// TOML has no null: an optional key is one that may be left out, so
/// `Option`'s `"type": ["string", "null"]` becomes `"type": "string"`.
fn no_null(schema: &mut Schema) {
    if let Some(serde_json::Value::Array(types)) = schema.get_mut("type") {
        types.retain(|t| t != "null");
        if let [only] = types.as_slice() {
            let only = only.clone();
            schema.insert("type".into(), only);
        }
    }
    schemars::transform::transform_subschemas(&mut no_null, schema);
}

/// [`schema`] as pretty-printed JSON with a final newline.
pub fn schema_json() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).expect("a schema is plain JSON");
    text.push('\n');
    text
}
