//! The people view end to end: the real binary in a pty on alice's
//! account on mastodon_mock, the scan run from the view, and a mute
//! written from a row.

use super::Tui;
use crate::mastodon_mock::Api;
use tempfile::TempDir;

#[test]
fn capital_p_scans_the_silent_tab_shows_carol_and_m_mutes_her() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (server, api) = rt.block_on(Api::start());
    let crate::people::Graph { alice } = rt.block_on(crate::people::graph(&api));
    let home = TempDir::new().unwrap();
    let token = crate::common::secret_file(home.path(), "alice.token", &alice.token, 0o600);
    let config = format!(
        "# alice's circles\n[[source]]\nname = \"mock\"\nkind = \"mastodon\"\n\
         instance = {base:?}\ntimeline = \"home\"\ntoken_file = {token:?}\n\n\
         [[column]]\nname = \"Home\"\nrest = true\n\n\
         [people]\nsilent_after = \"0s\"\nnew_within = \"0s\"\n",
        base = server.base,
        token = token.display().to_string(),
    );
    let mut tui = Tui::with_env(home, (120, 30), Some(&config), &[]);
    tui.wait_for("the home timeline", |s| s.contains("mock live"));
    tui.send("P");
    tui.wait_for("the empty ledger", |s| {
        s.contains("the ledger knows no one yet")
    });
    tui.send("s");
    tui.wait_for("the scanned ledger", |s| {
        s.contains("scanned mock") && s.contains("@carol@localhost")
    });
    // all → inner → silent
    tui.send("\t\t");
    let shown = tui.wait_for("the silent tab", |s| {
        s.contains(" silent 1 ") && s.contains("silent:")
    });
    assert!(!shown.contains("@bob@localhost"), "{shown}");
    assert!(shown.contains("@carol@localhost"), "{shown}");
    tui.send("m");
    tui.wait_for("the mute menu", |s| s.contains("1 hour"));
    tui.send("\r");
    tui.wait_for_status("the mute said", |s| s.contains("muted @carol@localhost"));
    let written = tui.read_config();
    assert!(written.starts_with("# alice's circles\n"), "{written}");
    let mute = written.split("[mute]").nth(1).unwrap_or_default();
    assert!(mute.contains("@carol@localhost"), "{written}");
}
