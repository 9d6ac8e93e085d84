//! `circles login mastodon <instance>` and `circles login bluesky <handle>`:
//! get a credential once, keep it in an owner-only file, and print the
//! `[[source]]` table that uses it.
//!
//! Mastodon: register an app (`POST /api/v1/apps`), send the user to the
//! authorize page, read the code they paste, trade it for a token
//! (`POST /oauth/token`). Bluesky: check the app password with
//! `createSession`. Neither credential is ever printed.

use crate::net::secret::{self, Secret};
use crate::net::{bluesky, mastodon};
use clap::Subcommand;
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum Login {
    /// Log in to a Mastodon instance (e.g. https://mastodon.social).
    Mastodon {
        instance: String,
        /// The timeline the printed [[source]] follows.
        #[arg(long, default_value = "home")]
        timeline: String,
    },
    /// Check and store a Bluesky app password for a handle.
    Bluesky {
        handle: String,
        #[arg(long, default_value = "https://bsky.social")]
        service: String,
    },
}

/// Where credentials live: `$XDG_DATA_HOME/circles/credentials/`.
fn credentials_dir() -> Result<PathBuf, String> {
    directories::ProjectDirs::from("", "", "circles")
        .map(|d| d.data_local_dir().join("credentials"))
        .ok_or_else(|| "cannot find a home directory to keep the credential in".to_string())
}

fn file_name(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

pub fn run(login: Login) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let outcome = match login {
        Login::Mastodon { instance, timeline } => runtime.block_on(mastodon(&instance, &timeline)),
        Login::Bluesky { handle, service } => runtime.block_on(bluesky(&handle, &service)),
    };
    outcome.map_err(anyhow::Error::msg)
}

async fn mastodon(instance: &str, timeline: &str) -> Result<(), String> {
    let instance = instance.trim_end_matches('/');
    let instance = if instance.starts_with("http://") || instance.starts_with("https://") {
        instance.to_string()
    } else {
        format!("https://{instance}")
    };
    let client =
        mastodon::Client::new(&instance, None, String::new()).map_err(|e| e.to_string())?;
    let app = client
        .register_app()
        .await
        .map_err(|e| format!("cannot register circles with {instance}: {e}"))?;
    let authorize = client.authorize_url(&app);
    println!(
        "Open this page, log in and allow circles to read your timelines and act for you:\n\n  {authorize}\n"
    );
    print!("Then paste the code it shows here: ");
    io::stdout().flush().ok();
    let mut code = String::new();
    io::stdin()
        .lock()
        .read_line(&mut code)
        .map_err(|e| format!("cannot read the code: {e}"))?;
    let code = code.trim();
    if code.is_empty() {
        return Err("no code given; nothing was stored".into());
    }
    let token = client
        .exchange_code(&app, code)
        .await
        .map_err(|e| format!("{instance} did not accept the code: {e}"))?;
    let host = client
        .base()
        .host_str()
        .map_or_else(|| instance.clone(), str::to_string);
    let path = credentials_dir()?.join(format!("mastodon-{}.token", file_name(&host)));
    secret::store(&path, &token).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    // Who the token is for, for `[me]`; the login stands without it.
    let me = match my_handle(&instance, token, &path).await {
        Ok(handle) => Some(handle),
        Err(e) => {
            eprintln!(
                "circles: cannot ask {instance} who you are ({e}); add your handle to [me] yourself"
            );
            None
        }
    };
    println!(
        "\nLogged in. The token is in {} (readable by you only).\n\
         Add this to your config (circles init writes one if you have none):\n\n\
         [[source]]\nname = \"{}\"\nkind = \"mastodon\"\ninstance = \"{instance}\"\n\
         timeline = \"{timeline}\"\ntoken_file = \"{}\"{}",
        path.display(),
        file_name(&host),
        path.display(),
        me.map(|handle| me_table(&handle)).unwrap_or_default()
    );
    Ok(())
}

/// The handle of the account `token` is for (`verify_credentials`), as
/// the config writes it: `@jane@mastodon.social`.
async fn my_handle(
    instance: &str,
    token: secret::Secret,
    path: &std::path::Path,
) -> Result<String, String> {
    let mut client = mastodon::Client::new(instance, Some(token), path.display().to_string())
        .map_err(|e| e.to_string())?;
    let url = client.api_url(&["accounts", "verify_credentials"], &[]);
    let (body, _) = client.get(&url).await.map_err(|e| e.to_string())?;
    let (_, known) = crate::decode::mastodon::decode_account(&body).map_err(|e| e.to_string())?;
    Ok(known.handle)
}

/// The `[me]` table naming `handle`, after a blank line, with why.
fn me_table(handle: &str) -> String {
    format!(
        "\n\n# and your handle (to [me] handles, if you have that table already): mentions of\n\
         # you find you, replies leave you out, D deletes your posts\n\
         [me]\nhandles = [{handle:?}]"
    )
}

async fn bluesky(handle: &str, service: &str) -> Result<(), String> {
    let handle = handle.trim().trim_start_matches('@');
    let service = service.trim_end_matches('/');
    let password = read_hidden(&format!(
        "App password for {handle} (make one in Settings → Privacy and security → App passwords): "
    ))?;
    if password.expose().is_empty() {
        return Err("no app password given; nothing was stored".into());
    }
    let mut client = bluesky::Client::new(
        service,
        handle,
        password.clone(),
        "what you typed".into(),
        None,
    );
    client
        .check_password()
        .await
        .map_err(|e| format!("{service} refused the handle and app password: {e}"))?;
    let path = credentials_dir()?.join(format!("bluesky-{}.password", file_name(handle)));
    secret::store(&path, &password).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!(
        "\nThe app password works and is in {} (readable by you only).\n\
         Add this to your config:\n\n\
         [[source]]\nname = \"sky\"\nkind = \"bluesky\"\nhandle = \"{handle}\"\n\
         service = \"{service}\"\napp_password_file = \"{}\"{}",
        path.display(),
        path.display(),
        me_table(handle)
    );
    Ok(())
}

/// Reads a line without echoing it when stdin is a terminal.
fn read_hidden(prompt: &str) -> Result<Secret, String> {
    eprint!("{prompt}");
    io::stderr().flush().ok();
    if !io::stdin().is_terminal() {
        let mut line = String::new();
        io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| format!("cannot read: {e}"))?;
        return Ok(Secret::new(line.trim()));
    }
    use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers, read};
    crossterm::terminal::enable_raw_mode().map_err(|e| format!("cannot read: {e}"))?;
    let mut typed = String::new();
    let outcome = loop {
        match read() {
            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => match k.code {
                KeyCode::Enter => break Ok(()),
                KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                    break Err("cancelled".to_string());
                }
                KeyCode::Char(c) => typed.push(c),
                KeyCode::Backspace => {
                    typed.pop();
                }
                _ => {}
            },
            Ok(_) => {}
            Err(e) => break Err(format!("cannot read: {e}")),
        }
    };
    let _ = crossterm::terminal::disable_raw_mode();
    eprintln!();
    outcome.map(|()| Secret::new(typed.trim()))
}
