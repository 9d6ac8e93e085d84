//! `[people]`: where the people view draws the lines between its classes,
//! and how much a scan reads (README, "People").

use super::Diagnostic;
use chrono::TimeDelta;
use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

/// `[people]` as written.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPeople {
    /// How long a follower must have followed you, never engaging, to be "silent" (default "14d").
    #[schemars(with = "Option<String>")]
    pub silent_after: Option<Spanned<String>>,
    /// How many of your engagements must go unanswered for "unanswered" (default 3).
    #[schemars(with = "Option<u32>")]
    pub unanswered_after: Option<Spanned<i64>>,
    /// How far back engagement counts (default "90d").
    #[schemars(with = "Option<String>")]
    pub window: Option<Spanned<String>>,
    /// Posts a day in your timeline that make someone "loud" (default 10).
    #[schemars(with = "Option<f64>")]
    pub loud_per_day: Option<Spanned<f64>>,
    /// No posts for this long is "quiet" (default "30d").
    #[schemars(with = "Option<String>")]
    pub quiet_after: Option<Spanned<String>>,
    /// Followed you this recently is "new" (default "7d").
    #[schemars(with = "Option<String>")]
    pub new_within: Option<Spanned<String>>,
    /// How many of your newest posts a scan reads for who favourited, boosted and answered them (default 200).
    #[schemars(with = "Option<u32>")]
    pub scan_posts: Option<Spanned<i64>>,
}

/// `[people]` compiled: the classes' thresholds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// How long a follower must have stayed silent.
    pub silent_after: TimeDelta,
    /// How many of the reader's engagements go unanswered.
    pub unanswered_after: u32,
    /// How far back engagement counts.
    pub window: TimeDelta,
    /// Posts a day that make someone loud.
    pub loud_per_day: f64,
    /// No posts for this long is quiet.
    pub quiet_after: TimeDelta,
    /// Followed the reader this recently is new.
    pub new_within: TimeDelta,
    /// The reader's newest posts a scan reads.
    pub scan_posts: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            silent_after: TimeDelta::days(14),
            unanswered_after: 3,
            window: TimeDelta::days(90),
            loud_per_day: 10.0,
            quiet_after: TimeDelta::days(30),
            new_within: TimeDelta::days(7),
            scan_posts: 200,
        }
    }
}

impl Thresholds {
    /// `[people]` compiled; its mistakes, located, go to `errors`.
    pub fn compile(raw: &RawPeople, errors: &mut Vec<Diagnostic>) -> Thresholds {
        let d = Thresholds::default();
        let span = |key: &str, default: TimeDelta, errors: &mut Vec<Diagnostic>| {
            let written = match key {
                "silent_after" => &raw.silent_after,
                "window" => &raw.window,
                "quiet_after" => &raw.quiet_after,
                _ => &raw.new_within,
            };
            written.as_ref().map_or(default, |text| {
                match humantime::parse_duration(text.get_ref().trim()) {
                    Ok(span) => TimeDelta::from_std(span).unwrap_or(default),
                    Err(e) => {
                        errors.push(Diagnostic::error(
                            Some(text.span()),
                            format!("`{key}` is not a span of time like \"14d\" or \"12h\": {e}"),
                        ));
                        default
                    }
                }
            })
        };
        let count = |key: &str,
                     written: &Option<Spanned<i64>>,
                     default: u32,
                     min: i64,
                     errors: &mut Vec<Diagnostic>| {
            written.as_ref().map_or(default, |n| {
                match u32::try_from(*n.get_ref())
                    .ok()
                    .filter(|v| i64::from(*v) >= min)
                {
                    Some(v) => v,
                    None => {
                        errors.push(Diagnostic::error(
                            Some(n.span()),
                            format!("`{key}` is a whole number from {min}"),
                        ));
                        default
                    }
                }
            })
        };
        let mut window = span("window", d.window, errors);
        if let Some(written) = &raw.window
            && window <= TimeDelta::zero()
        {
            errors.push(Diagnostic::error(
                Some(written.span()),
                "`window` must be longer than nothing, like \"90d\"",
            ));
            window = d.window;
        }
        let loud_per_day = raw.loud_per_day.as_ref().map_or(d.loud_per_day, |n| {
            let v = *n.get_ref();
            if v.is_finite() && v > 0.0 {
                v
            } else {
                errors.push(Diagnostic::error(
                    Some(n.span()),
                    "`loud_per_day` is a number of posts a day above 0, like 10",
                ));
                d.loud_per_day
            }
        });
        Thresholds {
            silent_after: span("silent_after", d.silent_after, errors),
            unanswered_after: count(
                "unanswered_after",
                &raw.unanswered_after,
                d.unanswered_after,
                1,
                errors,
            ),
            window,
            loud_per_day,
            quiet_after: span("quiet_after", d.quiet_after, errors),
            new_within: span("new_within", d.new_within, errors),
            scan_posts: count("scan_posts", &raw.scan_posts, d.scan_posts, 0, errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled(text: &str) -> (Thresholds, Vec<String>) {
        let raw: RawPeople = toml::from_str(text).unwrap();
        let mut errors = Vec::new();
        let t = Thresholds::compile(&raw, &mut errors);
        (t, errors.into_iter().map(|e| e.message).collect())
    }

    #[test]
    fn defaults_and_what_is_written() {
        assert_eq!(compiled("").0, Thresholds::default());
        let (t, errors) = compiled(
            "silent_after = \"3d\"\nunanswered_after = 5\nwindow = \"30d\"\nloud_per_day = 2.5\n\
             quiet_after = \"60d\"\nnew_within = \"1d\"\nscan_posts = 50\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(t.silent_after, TimeDelta::days(3));
        assert_eq!(t.unanswered_after, 5);
        assert_eq!(t.window, TimeDelta::days(30));
        assert_eq!(t.loud_per_day, 2.5);
        assert_eq!(t.quiet_after, TimeDelta::days(60));
        assert_eq!(t.new_within, TimeDelta::days(1));
        assert_eq!(t.scan_posts, 50);
    }

    #[test]
    fn mistakes_are_each_said() {
        let (t, errors) = compiled(
            "silent_after = \"two weeks\"\nunanswered_after = 0\nwindow = \"0s\"\nloud_per_day = -1.0\n",
        );
        assert_eq!(t, Thresholds::default());
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(
            errors[0].starts_with("`window` must be longer"),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("`silent_after` is not a span"))
        );
        assert!(
            errors
                .iter()
                .any(|e| e == "`unanswered_after` is a whole number from 1")
        );
    }
}
