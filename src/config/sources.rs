//! `[[source]]` tables: which keys each kind needs and allows, checked into
//! a [`SourceSpec`] the source tasks can start from.

use super::{Diagnostic, RawSource};
use serde::Deserialize;
use std::time::Duration;
use toml::Spanned;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    Mastodon,
    Bluesky,
    Feed,
    Jsonl,
    Demo,
}

impl SourceKind {
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::Mastodon => "mastodon",
            SourceKind::Bluesky => "bluesky",
            SourceKind::Feed => "feed",
            SourceKind::Jsonl => "jsonl",
            SourceKind::Demo => "demo",
        }
    }
}

/// Which Mastodon timeline to follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Timeline {
    Home,
    Local,
    Public,
    Notifications,
    List(String),
    Tag(String),
}

impl Timeline {
    fn parse(text: &str) -> Option<Timeline> {
        Some(match text {
            "home" => Timeline::Home,
            "local" => Timeline::Local,
            "public" => Timeline::Public,
            "notifications" => Timeline::Notifications,
            _ => match text.split_once(':')? {
                ("list", id) if !id.is_empty() => Timeline::List(id.to_string()),
                ("tag", tag) if !tag.is_empty() => {
                    Timeline::Tag(tag.trim_start_matches('#').to_string())
                }
                _ => return None,
            },
        })
    }
}

/// A checked source: everything a source task needs to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSpec {
    pub name: String,
    pub kind: SourceKind,
    pub instance: Option<String>,
    pub timeline: Timeline,
    pub token_env: Option<String>,
    pub token_file: Option<String>,
    pub handle: Option<String>,
    pub service: String,
    pub app_password_env: Option<String>,
    pub app_password_file: Option<String>,
    pub urls: Vec<String>,
    pub poll: Duration,
    pub path: Option<String>,
    pub follow: bool,
}

/// Keys each kind may use, besides `name` and `kind`.
fn allowed(kind: SourceKind) -> &'static [&'static str] {
    match kind {
        SourceKind::Mastodon => &["instance", "timeline", "token_env", "token_file", "poll"],
        SourceKind::Bluesky => &[
            "handle",
            "service",
            "app_password_env",
            "app_password_file",
            "poll",
        ],
        SourceKind::Feed => &["urls", "poll"],
        SourceKind::Jsonl => &["path", "follow"],
        SourceKind::Demo => &[],
    }
}

pub(super) fn check(raw: &[Spanned<RawSource>], errors: &mut Vec<Diagnostic>) -> Vec<SourceSpec> {
    let mut specs: Vec<SourceSpec> = Vec::new();
    for table in raw {
        let source = table.get_ref();
        let kind = *source.kind.get_ref();
        let name = source.name.get_ref().trim();
        let before = errors.len();
        if name.is_empty() {
            errors.push(Diagnostic::error(
                Some(source.name.span()),
                "a source needs a non-empty `name`",
            ));
        } else if specs.iter().any(|s| s.name == name) {
            errors.push(Diagnostic::error(
                Some(source.name.span()),
                format!("there is already a source named `{name}`; source names must be unique"),
            ));
        }
        for (key, span) in present_keys(source) {
            if !allowed(kind).contains(&key) {
                errors.push(Diagnostic::error(
                    Some(span),
                    format!(
                        "`{key}` does not apply to a {} source (it takes: {})",
                        kind.name(),
                        list_or_nothing(allowed(kind))
                    ),
                ));
            }
        }
        let missing = |key: &str, errors: &mut Vec<Diagnostic>| {
            errors.push(Diagnostic::error(
                Some(table.span()),
                format!("a {} source needs `{key}`", kind.name()),
            ));
        };
        match kind {
            SourceKind::Mastodon => {
                match &source.instance {
                    None => missing("instance", errors),
                    Some(url) if !is_http_url(url.get_ref()) => errors.push(Diagnostic::error(
                        Some(url.span()),
                        "`instance` must be a URL like https://mastodon.social",
                    )),
                    Some(_) => {}
                }
                if source.token_env.is_some() && source.token_file.is_some() {
                    errors.push(Diagnostic::error(
                        Some(table.span()),
                        "give either `token_env` or `token_file`, not both",
                    ));
                }
            }
            SourceKind::Bluesky => {
                if source.handle.is_none() {
                    missing("handle", errors);
                }
                if let Some(service) = &source.service
                    && !is_http_url(service.get_ref())
                {
                    errors.push(Diagnostic::error(
                        Some(service.span()),
                        "`service` must be a URL like https://bsky.social",
                    ));
                }
            }
            SourceKind::Feed => match &source.urls {
                None => missing("urls", errors),
                Some(urls) if urls.get_ref().is_empty() => errors.push(Diagnostic::error(
                    Some(urls.span()),
                    "`urls` is empty: list at least one feed URL or file path",
                )),
                Some(_) => {}
            },
            SourceKind::Jsonl => {
                if source.path.is_none() {
                    missing("path", errors);
                }
            }
            SourceKind::Demo => {}
        }
        let timeline = match &source.timeline {
            None => Timeline::Home,
            Some(t) => Timeline::parse(t.get_ref()).unwrap_or_else(|| {
                errors.push(Diagnostic::error(
                    Some(t.span()),
                    "`timeline` must be home, local, public, notifications, list:<id> or tag:<name>",
                ));
                Timeline::Home
            }),
        };
        let poll = match &source.poll {
            None => Duration::from_secs(if kind == SourceKind::Feed {
                30 * 60
            } else {
                60
            }),
            Some(p) => match humantime::parse_duration(p.get_ref()) {
                Ok(d) if d >= Duration::from_secs(5) => d,
                Ok(_) => {
                    errors.push(Diagnostic::error(
                        Some(p.span()),
                        "`poll` must be at least 5s",
                    ));
                    Duration::from_secs(60)
                }
                Err(e) => {
                    errors.push(Diagnostic::error(
                        Some(p.span()),
                        format!("`poll` is not a duration like \"90s\", \"30m\" or \"1h\": {e}"),
                    ));
                    Duration::from_secs(60)
                }
            },
        };
        if errors.len() > before {
            continue;
        }
        let text = |v: &Option<Spanned<String>>| v.as_ref().map(|s| s.get_ref().clone());
        specs.push(SourceSpec {
            name: name.to_string(),
            kind,
            instance: text(&source.instance).map(|i| i.trim_end_matches('/').to_string()),
            timeline,
            token_env: text(&source.token_env),
            token_file: text(&source.token_file),
            handle: text(&source.handle),
            service: text(&source.service).unwrap_or_else(|| "https://bsky.social".to_string()),
            app_password_env: text(&source.app_password_env),
            app_password_file: text(&source.app_password_file),
            urls: source
                .urls
                .as_ref()
                .map(|u| u.get_ref().iter().map(|s| s.get_ref().clone()).collect())
                .unwrap_or_default(),
            poll,
            path: text(&source.path),
            follow: source.follow.as_ref().is_some_and(|f| *f.get_ref()),
        });
    }
    specs
}

fn present_keys(s: &RawSource) -> Vec<(&'static str, std::ops::Range<usize>)> {
    let strings = [
        ("instance", &s.instance),
        ("timeline", &s.timeline),
        ("token_env", &s.token_env),
        ("token_file", &s.token_file),
        ("handle", &s.handle),
        ("service", &s.service),
        ("app_password_env", &s.app_password_env),
        ("app_password_file", &s.app_password_file),
        ("poll", &s.poll),
        ("path", &s.path),
    ];
    let mut keys: Vec<_> = strings
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k, v.span())))
        .collect();
    keys.extend(s.urls.as_ref().map(|u| ("urls", u.span())));
    keys.extend(s.follow.as_ref().map(|f| ("follow", f.span())));
    keys
}

fn list_or_nothing(keys: &[&str]) -> String {
    if keys.is_empty() {
        "no other keys".to_string()
    } else {
        keys.join(", ")
    }
}

fn is_http_url(text: &str) -> bool {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use crate::config::parse;

    fn messages(text: &str) -> Vec<(usize, String)> {
        parse(text)
            .unwrap_err()
            .errors
            .iter()
            .map(|d| (d.line_col(text).unwrap().0, d.message.clone()))
            .collect()
    }

    #[test]
    fn each_kind_checks_its_keys() {
        let text = "[[source]]\nname = \"home\"\nkind = \"mastodon\"\nurls = [\"x\"]\n";
        let got = messages(text);
        assert!(
            got.iter()
                .any(|(l, m)| *l == 4 && m.contains("`urls` does not apply to a mastodon source")),
            "{got:?}"
        );
        assert!(
            got.iter().any(|(_, m)| m.contains("needs `instance`")),
            "{got:?}"
        );
    }

    #[test]
    fn bad_values_are_located() {
        let text = "[[source]]\nname = \"h\"\nkind = \"mastodon\"\ninstance = \"mastodon.social\"\ntimeline = \"everything\"\npoll = \"soon\"\n";
        let got = messages(text);
        let lines: Vec<usize> = got.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![4, 5, 6], "{got:?}");
    }

    #[test]
    fn unknown_kinds_and_duplicate_names() {
        let got = messages("[[source]]\nname = \"a\"\nkind = \"myspace\"\n");
        assert_eq!(got[0].0, 3);
        assert!(got[0].1.contains("myspace"), "{got:?}");
        let got = messages(
            "[[source]]\nname = \"a\"\nkind = \"demo\"\n[[source]]\nname = \"a\"\nkind = \"demo\"\n",
        );
        assert_eq!(got[0].0, 5);
        assert!(got[0].1.contains("already a source named `a`"));
    }

    #[test]
    fn good_sources_become_specs() {
        let text = r#"
[[source]]
name = "home"
kind = "mastodon"
instance = "https://mastodon.social/"
timeline = "list:42"
token_env = "TOKEN"
[[source]]
name = "blogs"
kind = "feed"
urls = ["https://blog.example.org/feed.xml"]
poll = "30m"
"#;
        let parsed = parse(text).unwrap();
        assert_eq!(
            parsed.sources[0].instance.as_deref(),
            Some("https://mastodon.social")
        );
        assert_eq!(
            parsed.sources[0].timeline,
            super::Timeline::List("42".into())
        );
        assert_eq!(parsed.sources[1].poll, std::time::Duration::from_secs(1800));
    }
}
