//! Compiling a parsed config into [`Rules`], with every mistake located.

use super::keywords::{KeywordIndex, fold};
use super::prefilter::Prefilter;
use crate::config::{self, ConfigErrors, Diagnostic, RawConfig, Style};
use crate::model::parse_handle;
use chrono::{DateTime, Utc};
use regex::RegexSet;
// foldhash: every post looks up two or three handles, and SipHash showed in
// the route profile. The keys are the config's own handles, so a stranger's
// post cannot flood the table.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use toml::Spanned;

/// One column as the router and the screen see it.
#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub style: Style,
    /// How a new post here alerts, if it does.
    pub notify: Option<config::NotifyMode>,
    pub rest: bool,
    pub(super) include: Include,
    pub(super) narrow: Narrow,
}

/// Include rules (OR-ed). Accounts and hashtags live in the shared maps of
/// [`Rules`]; the flags here say whether the column has them at all.
#[derive(Debug, Clone, Default)]
pub(super) struct Include {
    pub any: bool,
    pub keywords: Vec<usize>,
    pub regex: Vec<usize>,
    pub mentions_me: bool,
    pub sources: Vec<String>,
    /// The notification kinds it takes (none when it has no
    /// `notifications`).
    pub notifications: Vec<crate::model::NoticeKind>,
    /// `notifications` says which kinds (`true` or a list, even `[]`):
    /// then `sources` does not take every kind of a notifications source.
    pub notifications_said: bool,
}

/// Narrowing rules (AND-ed).
#[derive(Debug, Clone)]
pub(super) struct Narrow {
    pub exclude_keywords: Vec<usize>,
    pub boosts: bool,
    pub replies: bool,
    pub languages: Vec<String>,
    pub media_only: bool,
}

/// Everything the config says about one account.
#[derive(Debug, Clone, Default)]
pub(super) struct Roles {
    /// Columns whose `accounts` list it.
    pub columns: Vec<u16>,
    pub muted: bool,
    pub muted_until: Option<DateTime<Utc>>,
    pub boosts_muted: bool,
    pub amplified: bool,
}

/// The compiled filter: what [`super::route`] needs, nothing else.
#[derive(Debug, Clone)]
pub struct Rules {
    pub columns: Vec<Column>,
    pub(super) accounts: HashMap<String, Roles>,
    pub(super) hashtags: HashMap<String, Vec<u16>>,
    pub(super) me: HashSet<String>,
    pub(super) keywords: KeywordIndex,
    pub(super) prefilter: Prefilter,
    pub(super) regexes: RegexSet,
    pub(super) regex_sources: Vec<String>,
    pub(super) mute_keywords: Vec<usize>,
    pub(super) mute_regex: Vec<usize>,
    /// The time timed mutes are compared with. Starts at the compile time;
    /// the app moves it forward and tests pin it.
    pub now: DateTime<Utc>,
    /// `[notify]`: how alerts are given.
    pub notify: config::Notify,
    /// `[people]`: the people view's thresholds.
    pub people: config::Thresholds,
    /// `[[person]]`: people with several accounts.
    pub persons: Vec<Person>,
    /// Each account of a person, by routing key: the index in `persons`.
    pub(super) person_of: HashMap<String, usize>,
}

/// One `[[person]]`: a name and their accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    /// Their accounts' routing keys.
    pub keys: Vec<String>,
    /// Their accounts as the config writes them.
    pub handles: Vec<String>,
}

/// Rules plus the parsed config and warnings they came from.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub rules: Rules,
    pub config: config::Parsed,
    pub warnings: Vec<Diagnostic>,
}

/// Parses and compiles config text in one go: the entry point for every
/// caller that has the file's text.
pub fn load(text: &str, now: DateTime<Utc>) -> Result<Compiled, ConfigErrors> {
    let (parsed, mut errors) = config::parse_collecting(text)?;
    match Rules::compile(&parsed, now) {
        Ok((rules, warnings)) if errors.is_empty() => Ok(Compiled {
            rules,
            config: parsed,
            warnings,
        }),
        Ok(_) => Err(ConfigErrors::in_file_order(errors)),
        Err(more) => {
            errors.extend(more.errors);
            Err(ConfigErrors::in_file_order(errors))
        }
    }
}

/// Collects patterns and errors while compiling.
struct Builder {
    keywords: Vec<String>,
    regexes: Vec<String>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    accounts: HashMap<String, Roles>,
    /// `[[person]]` tables, and each one's index by its lowercase name.
    persons: Vec<Person>,
    person_names: HashMap<String, usize>,
}

impl Builder {
    fn handle(&mut self, written: &Spanned<String>) -> Option<String> {
        match parse_handle(written.get_ref()) {
            Ok(key) => Some(key.0),
            Err(e) => {
                self.errors
                    .push(Diagnostic::error(Some(written.span()), e.to_string()));
                None
            }
        }
    }

    /// The routing keys an account entry names: a handle's, or every
    /// account of `person:Name`.
    fn keys(&mut self, written: &Spanned<String>) -> Vec<String> {
        let Some(name) = written.get_ref().trim().strip_prefix("person:") else {
            return self.handle(written).into_iter().collect();
        };
        match self.person_names.get(&name.trim().to_lowercase()) {
            Some(&i) => self.persons[i].keys.clone(),
            None => {
                let known: Vec<&str> = self.persons.iter().map(|p| p.name.as_str()).collect();
                let which = if known.is_empty() {
                    "the config has no [[person]] table".to_string()
                } else {
                    format!("the config's people are: {}", known.join(", "))
                };
                self.errors.push(Diagnostic::error(
                    Some(written.span()),
                    format!("there is no [[person]] named `{}`; {which}", name.trim()),
                ));
                Vec::new()
            }
        }
    }

    /// Sets something of every account an entry names.
    fn roles(&mut self, written: &Spanned<String>, mut set: impl FnMut(&mut Roles)) {
        for key in self.keys(written) {
            set(self.accounts.entry(key).or_default());
        }
    }

    /// `[[person]]` tables: names unique, accounts valid and each one's
    /// only person.
    fn persons(&mut self, raw: &[Spanned<config::RawPerson>]) {
        let mut owner: HashMap<String, String> = HashMap::new();
        for table in raw {
            let p = table.get_ref();
            let name = p.name.get_ref().trim().to_string();
            if name.is_empty() || name.contains(':') {
                self.errors.push(Diagnostic::error(
                    Some(p.name.span()),
                    "a person needs a `name` (without `:`), as rules write it after \"person:\"",
                ));
                continue;
            }
            if self.person_names.contains_key(&name.to_lowercase()) {
                self.errors.push(Diagnostic::error(
                    Some(p.name.span()),
                    format!("there is already a person named `{name}`; names must be unique"),
                ));
                continue;
            }
            if p.accounts.get_ref().is_empty() {
                self.errors.push(Diagnostic::error(
                    Some(p.accounts.span()),
                    format!("`{name}` has no accounts: list at least one"),
                ));
            }
            let mut person = Person {
                name: name.clone(),
                keys: Vec::new(),
                handles: Vec::new(),
            };
            for account in p.accounts.get_ref() {
                let Some(key) = self.handle(account) else {
                    continue;
                };
                if let Some(other) = owner.insert(key.clone(), name.clone()) {
                    self.errors.push(Diagnostic::error(
                        Some(account.span()),
                        format!(
                            "{} is already one of {other}'s accounts",
                            account.get_ref().trim()
                        ),
                    ));
                    continue;
                }
                person.handles.push(account.get_ref().trim().to_string());
                person.keys.push(key);
            }
            self.person_names
                .insert(name.to_lowercase(), self.persons.len());
            self.persons.push(person);
        }
    }

    fn keyword(&mut self, written: &Spanned<String>) -> Option<usize> {
        let word = written.get_ref().trim();
        if word.is_empty() {
            self.errors.push(Diagnostic::error(
                Some(written.span()),
                "a keyword cannot be empty",
            ));
            return None;
        }
        self.keywords.push(word.to_string());
        Some(self.keywords.len() - 1)
    }

    fn regex(&mut self, written: &Spanned<String>) -> Option<usize> {
        match regex::Regex::new(written.get_ref()) {
            Ok(_) => {
                self.regexes.push(written.get_ref().clone());
                Some(self.regexes.len() - 1)
            }
            Err(e) => {
                self.errors.push(Diagnostic::error(
                    Some(written.span()),
                    format!("this regex does not compile:\n{e}"),
                ));
                None
            }
        }
    }
}

impl Rules {
    /// Compiles parsed config. Returns every error found, each located, or
    /// the rules with any warnings.
    pub fn compile(
        parsed: &config::Parsed,
        now: DateTime<Utc>,
    ) -> Result<(Rules, Vec<Diagnostic>), ConfigErrors> {
        let raw: &RawConfig = &parsed.raw;
        let mut b = Builder {
            keywords: Vec::new(),
            regexes: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            accounts: HashMap::new(),
            persons: Vec::new(),
            person_names: HashMap::new(),
        };
        b.persons(&raw.persons);

        let me: HashSet<String> = raw.me.handles.iter().flat_map(|h| b.keys(h)).collect();
        let source_names: Vec<&str> = parsed.sources.iter().map(|s| s.name.as_str()).collect();

        let mut hashtags: HashMap<String, Vec<u16>> = HashMap::new();
        let mut columns = Vec::new();
        let mut names: HashSet<String> = HashSet::new();
        if raw.columns.len() > usize::from(u16::MAX) {
            b.errors.push(Diagnostic::error(None, "too many columns"));
        }
        for (index, table) in raw.columns.iter().enumerate() {
            let index = index as u16;
            let c = table.get_ref();
            let name = c.name.get_ref().trim().to_string();
            if name.is_empty() {
                b.errors.push(Diagnostic::error(
                    Some(c.name.span()),
                    "a column needs a non-empty `name`",
                ));
            } else if !names.insert(name.to_lowercase()) {
                b.errors.push(Diagnostic::error(
                    Some(c.name.span()),
                    format!(
                        "there is already a column named `{name}`; column names must be unique"
                    ),
                ));
            }
            for account in config::entries(&c.accounts) {
                b.roles(account, |roles| {
                    if !roles.columns.contains(&index) {
                        roles.columns.push(index);
                    }
                });
            }
            for tag in config::entries(&c.hashtags) {
                let name = tag.get_ref().trim().trim_start_matches('#');
                if name.is_empty() || name.chars().any(char::is_whitespace) {
                    b.errors.push(Diagnostic::error(
                        Some(tag.span()),
                        "a hashtag is one word, with or without the `#`",
                    ));
                    continue;
                }
                let columns = hashtags.entry(fold(name).into_owned()).or_default();
                if !columns.contains(&index) {
                    columns.push(index);
                }
            }
            let mut sources = Vec::new();
            for source in config::entries(&c.sources) {
                if source_names.contains(&source.get_ref().as_str()) {
                    sources.push(source.get_ref().clone());
                } else {
                    let known = if source_names.is_empty() {
                        "there are no [[source]] tables".to_string()
                    } else {
                        format!("known sources: {}", source_names.join(", "))
                    };
                    b.errors.push(Diagnostic::error(
                        Some(source.span()),
                        format!("no [[source]] is named `{}` ({known})", source.get_ref()),
                    ));
                }
            }
            let mut languages = Vec::new();
            for language in &c.languages {
                let code = language.get_ref().trim().to_lowercase();
                if code.is_empty()
                    || !code
                        .chars()
                        .all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
                {
                    b.errors.push(Diagnostic::error(
                        Some(language.span()),
                        "a language is a code like \"en\", \"de\" or \"pt-BR\"",
                    ));
                } else {
                    languages.push(code);
                }
            }
            let keys = [&c.accounts, &c.keywords, &c.regex, &c.hashtags, &c.sources];
            let notifications = notice_kinds(c.notifications.as_ref(), &mut b.errors);
            // Present and empty: an include key that matches nothing. Only
            // a column whose include keys all match nothing takes no posts
            // (an empty one beside a rule that can match is no harm).
            let empty_notifications = c.notifications.as_ref().filter(
                |rule| matches!(rule.get_ref(), config::NoticeRule::Kinds(kinds) if kinds.is_empty()),
            );
            let first_empty = ["accounts", "keywords", "regex", "hashtags", "sources"]
                .into_iter()
                .zip(keys)
                .find_map(|(name, k)| k.as_ref().map(|l| (name, l.span())))
                .or_else(|| empty_notifications.map(|rule| ("notifications", rule.span())));
            let can_match = c.mentions_me
                || !notifications.is_empty()
                || keys.iter().any(|k| !config::entries(k).is_empty());
            if let Some((key, span)) = first_empty.filter(|_| !can_match) {
                b.warnings.push(Diagnostic::warning(
                    Some(span),
                    format!(
                        "column {name} has an empty {key} list and takes no posts; \
                         remove the key to take every post"
                    ),
                ));
            }
            let include = Include {
                // `notifications = []` is there and takes nothing, like
                // an empty list of any include key; `false` is as if absent.
                any: keys.iter().any(|k| k.is_some())
                    || c.mentions_me
                    || c.notifications.as_ref().is_some_and(|rule| {
                        !matches!(rule.get_ref(), config::NoticeRule::All(false))
                    }),
                keywords: config::entries(&c.keywords)
                    .iter()
                    .filter_map(|k| b.keyword(k))
                    .collect(),
                regex: config::entries(&c.regex)
                    .iter()
                    .filter_map(|r| b.regex(r))
                    .collect(),
                mentions_me: c.mentions_me,
                sources,
                notifications_said: c
                    .notifications
                    .as_ref()
                    .is_some_and(|rule| !matches!(rule.get_ref(), config::NoticeRule::All(false))),
                notifications,
            };
            if c.mentions_me && raw.me.handles.is_empty() {
                b.warnings.push(Diagnostic::warning(
                    Some(table.span()),
                    format!("column `{name}` has mentions_me = true but [me] lists no handles"),
                ));
            }
            let narrow = Narrow {
                exclude_keywords: c
                    .exclude_keywords
                    .iter()
                    .filter_map(|k| b.keyword(k))
                    .collect(),
                boosts: c.boosts,
                replies: c.replies,
                languages,
                media_only: c.media_only,
            };
            columns.push(Column {
                name,
                style: c.style,
                notify: c.notify.mode(),
                rest: c.rest,
                include,
                narrow,
            });
        }

        let mute = &raw.mute;
        for account in &mute.accounts {
            b.roles(account, |roles| roles.muted = true);
        }
        for account in &mute.boosts_from {
            b.roles(account, |roles| roles.boosts_muted = true);
        }
        for (account, until) in &mute.until {
            let Some(time) = timed_mute_end(until, &mut b.errors) else {
                continue;
            };
            b.roles(account, |roles| {
                roles.muted_until = Some(roles.muted_until.map_or(time, |t| t.max(time)));
            });
        }
        let mute_keywords = mute.keywords.iter().filter_map(|k| b.keyword(k)).collect();
        let mute_regex = mute.regex.iter().filter_map(|r| b.regex(r)).collect();
        for account in &raw.amplify.accounts {
            let mut both = false;
            b.roles(account, |roles| {
                roles.amplified = true;
                both |= roles.muted || roles.muted_until.is_some_and(|t| t > now);
            });
            if both {
                let shown = account.get_ref();
                b.warnings.push(Diagnostic::warning(
                    Some(account.span()),
                    format!("{shown} is both muted and amplified; the mute wins"),
                ));
            }
        }
        if raw.columns.is_empty() {
            b.warnings.push(Diagnostic::warning(
                None,
                "there is no [[column]], so no post is shown anywhere",
            ));
        }

        let notify = config::Notify::compile(&raw.notify, &mut b.errors);
        let people = config::Thresholds::compile(&raw.people, &mut b.errors);
        if !b.errors.is_empty() {
            return Err(ConfigErrors { errors: b.errors });
        }
        let regexes = RegexSet::new(&b.regexes).map_err(|e| ConfigErrors {
            errors: vec![Diagnostic::error(
                None,
                format!("the regexes together are too large: {e}"),
            )],
        })?;
        let keywords = KeywordIndex::new(b.keywords);
        let prefilter = Prefilter::new(&keywords.folded(), &b.regexes);
        let rules = Rules {
            columns,
            prefilter,
            accounts: b.accounts,
            hashtags,
            me,
            keywords,
            regexes,
            regex_sources: b.regexes,
            mute_keywords,
            mute_regex,
            now,
            notify,
            people,
            person_of: b
                .persons
                .iter()
                .enumerate()
                .flat_map(|(i, p)| p.keys.iter().map(move |k| (k.clone(), i)))
                .collect(),
            persons: b.persons,
        };
        Ok((rules, b.warnings))
    }

    /// The column with this name, if any. Names are unique regardless of
    /// case, so any case finds it.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.columns
            .iter()
            .position(|c| c.name == name)
            .or_else(|| {
                self.columns
                    .iter()
                    .position(|c| c.name.to_lowercase() == name.to_lowercase())
            })
    }

    /// The columns whose `accounts` list this account (by routing key or
    /// DID), and whether `[mute]` mutes it.
    pub fn account_roles(&self, key: &str) -> (Vec<u16>, bool) {
        self.accounts
            .get(key)
            .map_or((Vec::new(), false), |r| (r.columns.clone(), r.muted))
    }

    /// The `[[person]]` this account (by routing key or DID) is one of.
    pub fn person_of(&self, key: &str) -> Option<&Person> {
        self.person_index(key).and_then(|i| self.persons.get(i))
    }

    /// Which of [`Rules::persons`] has this account, by index.
    pub fn person_index(&self, key: &str) -> Option<usize> {
        self.person_of.get(key).copied()
    }

    /// Whether `[me]` names this account (by routing key or DID).
    pub fn is_me(&self, key: &str) -> bool {
        self.me.contains(key)
    }

    /// Whether the config amplifies this account (by routing key or DID).
    pub fn amplifies(&self, key: &str) -> bool {
        self.accounts.get(key).is_some_and(|r| r.amplified)
    }

    /// A keyword pattern as the user wrote it.
    pub fn keyword(&self, id: usize) -> &str {
        self.keywords.pattern(id)
    }

    /// The source of a regex pattern.
    pub fn regex(&self, id: usize) -> &str {
        &self.regex_sources[id]
    }

    /// When the next active timed mute ends, so a caller can wake up then.
    pub fn next_mute_expiry(&self) -> Option<DateTime<Utc>> {
        self.accounts
            .values()
            .filter_map(|r| r.muted_until)
            .filter(|t| *t > self.now)
            .min()
    }
}

fn timed_mute_end(
    until: &Spanned<toml::value::Datetime>,
    errors: &mut Vec<Diagnostic>,
) -> Option<DateTime<Utc>> {
    let value = until.get_ref();
    if value.date.is_none() || value.time.is_none() || value.offset.is_none() {
        errors.push(Diagnostic::error(
            Some(until.span()),
            "a timed mute ends at a full date and time with an offset, like 2026-11-23T10:00:00Z",
        ));
        return None;
    }
    match DateTime::parse_from_rfc3339(&value.to_string()) {
        Ok(t) => Some(t.with_timezone(&Utc)),
        Err(e) => {
            errors.push(Diagnostic::error(
                Some(until.span()),
                format!("not a valid time: {e}"),
            ));
            None
        }
    }
}

/// The kinds a column's `notifications` names; an unknown one is an error
/// at the key.
fn notice_kinds(
    rule: Option<&toml::Spanned<config::NoticeRule>>,
    errors: &mut Vec<Diagnostic>,
) -> Vec<crate::model::NoticeKind> {
    use crate::model::NoticeKind;
    let Some(rule) = rule else {
        return Vec::new();
    };
    match rule.get_ref() {
        config::NoticeRule::All(true) => NoticeKind::ALL.to_vec(),
        config::NoticeRule::All(false) => Vec::new(),
        config::NoticeRule::Kinds(names) => {
            let mut kinds = Vec::new();
            for name in names {
                match NoticeKind::parse(name.trim()) {
                    Some(kind) if !kinds.contains(&kind) => kinds.push(kind),
                    Some(_) => {}
                    None => errors.push(Diagnostic::error(
                        Some(rule.span()),
                        format!(
                            "`{name}` is no kind of notification (kinds: {})",
                            NoticeKind::ALL.map(NoticeKind::name).join(", ")
                        ),
                    )),
                }
            }
            kinds
        }
    }
}
