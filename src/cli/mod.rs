//! The command line: the TUI, `route`, `check`, `explain`, `stats`, `test`,
//! `people`, `init`, `login`, `completions`, `man`, `schema`.
//!
//! The outermost layer: it reads files and stdin, writes stdout and stderr,
//! and maps outcomes to exit codes (0 ok, 1 runtime or config error,
//! 2 usage). Everything it decides with comes from the inner layers. Each
//! subcommand returns a `Result`; [`main`] prints the error, once, through
//! [`report`] (which no escape sequence gets through), and picks the code.

mod cases;
mod config_file;
mod diff;
mod login;
mod people;
mod route;
mod tui;

pub use tui::chord;

use people::cell as people_cell;

use crate::config::DEFAULT_CONFIG;
use crate::filter::{self, Compiled};
use anyhow::{Context, anyhow};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit code for a runtime or config error.
const FAILURE: u8 = 1;
/// Exit code for a usage error (clap uses it too).
const USAGE: u8 = 2;

/// A mistake in how the command was called that clap cannot see (a
/// column name that does not exist): exit 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Usage(String);

/// The command failed and has said why already (each bad line of a
/// `--strict` run, each unreadable input): exit 1, nothing more to print.
#[derive(Debug, thiserror::Error)]
#[error("failed")]
struct Reported;

/// Writes a message to stderr, its control characters shown as escapes:
/// messages quote input (a line's keys, a file name), and none of it may
/// act on the user's terminal.
pub fn report(message: &str) {
    eprintln!("{}", crate::model::escape_controls(message));
}

#[derive(Debug, Parser)]
#[command(
    name = "circles",
    version,
    about = "Sort social timelines into circles: columns for the few who matter, a muted tail for everyone else.",
    after_help = "With no command, circles opens the screen (on the bundled demo feed when there is no config).\n\
The config is read from --config FILE, else $CIRCLES_CONFIG, else \
$XDG_CONFIG_HOME/circles/config.toml (~/.config/circles/config.toml), else the built-in default."
)]
pub struct Cli {
    /// The filter config to use (else $CIRCLES_CONFIG, else the XDG config
    /// path, else the built-in default).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Route JSON-lines posts: one verdict line per post, or with --column /
    /// --muted, pass the matching input lines through like grep.
    Route(route::RouteArgs),
    /// Validate the config; errors show file:line:column.
    Check,
    /// Who pays attention to whom: one line per person (follows both
    /// ways, engagement in and out, posts a day, circles, class and why),
    /// from the ledger; --scan first fetches what it lacks.
    People(people::PeopleArgs),
    /// For each post, show the rules that fired and where it landed.
    Explain(route::ExplainArgs),
    /// Check the filter against your own cases: a TOML file of [[case]]
    /// tables, each a post and where it must land; exit 1 if one fails.
    Test(cases::TestArgs),
    /// Route JSON-lines posts and count, per column and per rule, what each
    /// rule took or muted: posts, share, today, this week, last hit.
    Stats(route::StatsArgs),
    /// What saving the config NEW over the one in use would change: each
    /// post (of the input, or with --cache the posts circles holds) whose
    /// place moves, then the totals. A dry run of the reload.
    Diff(diff::DiffArgs),
    /// Write the commented default config to the config path (never
    /// overwrites).
    Init,
    /// Log in to Mastodon or check a Bluesky app password, store the
    /// credential in an owner-only file and print the [[source]] to add.
    #[command(subcommand)]
    Login(login::Login),
    /// Print a shell completion script (bash, zsh, fish, elvish,
    /// powershell) to stdout.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) to stdout.
    Man,
    /// Print the config's JSON Schema, for editors that complete and check
    /// TOML (taplo); with --write, refresh the copy beside the config.
    Schema {
        /// Write config.schema.json beside the config instead of printing.
        #[arg(long)]
        write: bool,
    },
}

/// Where the config comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigLocation {
    File(PathBuf),
    /// No file exists: the embedded default is in use.
    BuiltIn,
}

impl ConfigLocation {
    pub fn display(&self) -> String {
        match self {
            ConfigLocation::File(p) => p.display().to_string(),
            ConfigLocation::BuiltIn => "(built-in default config)".to_string(),
        }
    }
}

/// The XDG path of the user's config: `~/.config/circles/config.toml`.
pub fn xdg_config_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "circles").map(|d| d.config_dir().join("config.toml"))
}

/// Resolves the config: `--config`, then `$CIRCLES_CONFIG`, then the XDG
/// path if a file is there (a symlink counts, even a broken one: it is
/// said so, never passed over), then the built-in default.
pub fn locate_config(flag: Option<&Path>) -> ConfigLocation {
    if let Some(path) = flag {
        return ConfigLocation::File(path.to_path_buf());
    }
    if let Some(path) = std::env::var_os("CIRCLES_CONFIG").filter(|p| !p.is_empty()) {
        return ConfigLocation::File(PathBuf::from(path));
    }
    match xdg_config_path() {
        Some(path) if std::fs::symlink_metadata(&path).is_ok() => ConfigLocation::File(path),
        _ => ConfigLocation::BuiltIn,
    }
}

/// Reads and compiles the config; its warnings go to stderr. Returns it
/// with the text it was read from; its errors, located and rendered, are
/// the error.
fn load_config(flag: Option<&Path>) -> anyhow::Result<(ConfigLocation, Compiled, String)> {
    let location = locate_config(flag);
    let text = match &location {
        ConfigLocation::File(path) => std::fs::read_to_string(path).with_context(|| {
            let why = config_file::broken_link(path)
                .map(|why| format!(" ({why}; fix or remove the link)"))
                .unwrap_or_default();
            format!("cannot read the config {}{why}", path.display())
        })?,
        ConfigLocation::BuiltIn => DEFAULT_CONFIG.to_string(),
    };
    let shown = location.display();
    match filter::load(&text, chrono::Utc::now()) {
        Ok(compiled) => {
            for warning in &compiled.warnings {
                report(warning.render(&shown, &text).trim_end());
            }
            Ok((location, compiled, text))
        }
        Err(errors) => Err(anyhow!(
            "{}circles: the config has {} error(s); fix them and run `circles check`",
            errors.render(&shown, &text),
            errors.errors.len()
        )),
    }
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is::<Reported>() => ExitCode::from(FAILURE),
        Err(e) => {
            // A config's rendered errors carry their own `path:line:col`.
            let text = format!("{e:#}");
            if text.contains("circles: the config has") {
                report(&text);
            } else {
                report(&format!("circles: {text}"));
            }
            ExitCode::from(if e.is::<Usage>() { USAGE } else { FAILURE })
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None => {
            let (location, compiled, text) = load_config(cli.config.as_deref())?;
            let status = config_status(&location, &compiled, &text);
            tui::run(compiled, status, location, text)
        }
        Some(Command::Route(args)) => {
            let (_, compiled, _) = load_config(cli.config.as_deref())?;
            route::route(&args, compiled.rules)
        }
        Some(Command::Explain(args)) => {
            let (_, compiled, _) = load_config(cli.config.as_deref())?;
            route::explain(&args, &compiled.rules)
        }
        Some(Command::Test(args)) => {
            let (_, compiled, _) = load_config(cli.config.as_deref())?;
            cases::run(&args, &compiled.rules)
        }
        Some(Command::Stats(args)) => {
            let (_, compiled, _) = load_config(cli.config.as_deref())?;
            route::stats(&args, &compiled.rules)
        }
        Some(Command::Diff(args)) => {
            let (_, compiled, _) = load_config(cli.config.as_deref())?;
            diff::run(&args, &compiled.rules)
        }
        Some(Command::Check) => check(cli.config.as_deref()),
        Some(Command::People(args)) => {
            let (_, compiled, _) = load_config(cli.config.as_deref())?;
            people::run(&args, compiled)
        }
        Some(Command::Init) => init(cli.config.as_deref()),
        Some(Command::Login(login)) => login::run(login).context("login"),
        Some(Command::Completions { shell }) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "circles", &mut std::io::stdout());
            Ok(())
        }
        Some(Command::Schema { write: false }) => {
            use std::io::Write as _;
            std::io::stdout()
                .write_all(crate::config::schema_json().as_bytes())
                .context("cannot write the schema")
        }
        Some(Command::Schema { write: true }) => write_schema(cli.config.as_deref()),
        Some(Command::Man) => {
            let command = <Cli as clap::CommandFactory>::command();
            let mut page = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .context("cannot render the manual page")?;
            use std::io::Write as _;
            std::io::stdout()
                .write_all(&page)
                .context("cannot write the manual page")
        }
    }
}

/// What the status bar says about the config read from `text`.
fn config_status(
    location: &ConfigLocation,
    compiled: &Compiled,
    text: &str,
) -> crate::app::ConfigStatus {
    let shown = match location {
        ConfigLocation::File(path) => path.display().to_string(),
        ConfigLocation::BuiltIn => "built-in default".to_string(),
    };
    crate::app::ConfigStatus {
        warnings: compiled
            .warnings
            .iter()
            .map(|w| w.short(&shown, text))
            .collect(),
        location: shown,
        error: None,
    }
}

fn check(flag: Option<&Path>) -> anyhow::Result<()> {
    let (location, compiled, _) = load_config(flag)?;
    let rules = &compiled.rules;
    let warnings = compiled.warnings.len();
    println!(
        "{}: ok — {} column(s) [{}], {} source(s){}",
        location.display(),
        rules.columns.len(),
        rules
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        compiled.config.sources.len(),
        if warnings > 0 {
            format!(", {warnings} warning(s)")
        } else {
            String::new()
        }
    );
    Ok(())
}

/// The first line `circles init` writes: taplo reads the schema it names,
/// relative to the config.
fn schema_directive() -> String {
    format!("#:schema ./{}\n", crate::config::SCHEMA_FILE)
}

/// Where the schema's copy goes: beside the config file (the one in use,
/// else the one `circles init` would write).
fn schema_path(flag: Option<&Path>) -> anyhow::Result<PathBuf> {
    let config = match locate_config(flag) {
        ConfigLocation::File(path) => path,
        ConfigLocation::BuiltIn => xdg_config_path()
            .context("cannot find a home directory for the config; pass --config FILE")?,
    };
    Ok(config.with_file_name(crate::config::SCHEMA_FILE))
}

/// `circles schema --write`: the copy beside the config, refreshed (after
/// an upgrade added keys); says if the config does not point at it yet.
fn write_schema(flag: Option<&Path>) -> anyhow::Result<()> {
    let path = schema_path(flag)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let new = crate::config::schema_json();
    let same = std::fs::read_to_string(&path).is_ok_and(|old| old == new);
    if !same {
        config_file::write_atomic(&path, &new)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    println!(
        "circles: {} {}",
        if same { "already up to date:" } else { "wrote" },
        path.display()
    );
    if let ConfigLocation::File(config) = locate_config(flag)
        && let Ok(text) = std::fs::read_to_string(&config)
        && !text.lines().any(|l| l.trim() == schema_directive().trim())
    {
        println!(
            "circles: for your editor to use it, make this the first line of {}:\n{}",
            config.display(),
            schema_directive().trim_end()
        );
    }
    Ok(())
}

fn init(flag: Option<&Path>) -> anyhow::Result<()> {
    let path = flag
        .map(Path::to_path_buf)
        .or_else(xdg_config_path)
        .context("cannot find a home directory for the config; pass --config FILE")?;
    if let Some(why) = config_file::broken_link(&path) {
        anyhow::bail!("{why}; not replacing the link (fix or remove it first)");
    }
    if std::fs::symlink_metadata(&path).is_ok() {
        anyhow::bail!(
            "{} already exists; not overwriting it (edit it, or move it away first)",
            path.display()
        );
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    // `create_new` so a file appearing between the check and the write is
    // never clobbered.
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .and_then(|mut f| {
            let text = schema_directive() + DEFAULT_CONFIG;
            std::io::Write::write_all(&mut f, text.as_bytes())
        })
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!("circles: wrote the default config to {}", path.display());
    // The copy the directive names; a config without it still works.
    let schema = path.with_file_name(crate::config::SCHEMA_FILE);
    match config_file::write_atomic(&schema, &crate::config::schema_json()) {
        Ok(()) => println!(
            "circles: wrote its schema, for editors, to {}",
            schema.display()
        ),
        Err(e) => report(&format!(
            "circles: could not write the schema {} ({e}); `circles schema --write` tries again",
            schema.display()
        )),
    }
    Ok(())
}
