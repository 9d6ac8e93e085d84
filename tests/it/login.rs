//! `circles login`: the real binary against Mastodon and Bluesky servers
//! on 127.0.0.1 (wiremock), with an isolated data dir.

use assert_cmd::Command;
use std::os::unix::fs::PermissionsExt;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn circles(data: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("circles").unwrap();
    cmd.env("XDG_DATA_HOME", data)
        .env("XDG_CONFIG_HOME", data.join("config"))
        .env("HOME", data)
        .env_remove("CIRCLES_CONFIG");
    cmd
}

#[tokio::test(flavor = "multi_thread")]
async fn mastodon_login_registers_trades_the_code_and_stores_the_token_owner_only() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/apps"))
        .and(body_string_contains("redirect_uris=urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob"))
        // Reading, and acting from the keyboard (favourite, boost, post).
        .and(body_string_contains("scopes=read+write+follow"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "id": "563419",
            "name": "circles",
            "website": null,
            "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
            "client_id": "TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM",
            "client_secret": "ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw",
            "vapid_key": "BCk-QqERU0q-CfYZjcuB6lnyyOYfJ2AifKqfeGIm7Z-HiTU5T9eTG5GxVA0_OH5mMlI4UkkDTpaZwozy0TzdZ2M="
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string_contains("code=PASTED-CODE"))
        .and(body_string_contains("grant_type=authorization_code"))
        .and(body_string_contains("scope=read+write+follow"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0",
            "token_type": "Bearer",
            "scope": "read",
            "created_at": 1573979017
        })))
        .expect(1)
        .mount(&server)
        .await;
    // Who the token is for: the Account entity, as Mastodon's docs show it.
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/verify_credentials"))
        .and(header(
            "authorization",
            "Bearer ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "id": "14715",
            "username": "jane",
            "acct": "jane",
            "display_name": "Jane",
            "locked": false,
            "bot": false,
            "created_at": "2016-11-24T10:02:12.085Z",
            "note": "<p>hello</p>",
            "url": "https://mastodon.example/@jane",
            "followers_count": 3,
            "following_count": 4,
            "statuses_count": 5,
            "last_status_at": "2026-12-01",
            "fields": []
        })))
        .expect(1)
        .mount(&server)
        .await;
    let data = tempfile::tempdir().unwrap();
    let uri = server.uri();
    let output = tokio::task::spawn_blocking({
        let data = data.path().to_path_buf();
        move || {
            circles(&data)
                .args(["login", "mastodon", &uri])
                .write_stdin("PASTED-CODE\n")
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("/oauth/authorize?client_id=TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM"),
        "{stdout}"
    );
    assert!(
        stdout.contains("kind = \"mastodon\"") && stdout.contains("token_file = "),
        "{stdout}"
    );
    assert!(
        !stdout.contains("ZA-Yj3aBD8U8Cm7lKUp"),
        "the token is never printed"
    );
    let dir = data.path().join("circles").join("credentials");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert_eq!(
        std::fs::read_to_string(&file).unwrap().trim(),
        "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0"
    );
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // The printed snippet is a valid source.
    let snippet = &stdout[stdout.find("[[source]]").unwrap()..];
    let parsed = circles::config::parse(snippet).unwrap();
    let circles::config::SourceConfig::Mastodon(spec) = &parsed.sources[0].kind else {
        panic!("a mastodon source: {snippet}");
    };
    assert_eq!(
        spec.token,
        Some(circles::config::SecretRef::File(
            file.to_str().unwrap().to_string()
        ))
    );
    // And `[me]`, naming the account the token is for.
    let compiled = circles::filter::load(snippet, circles::testkit::t0()).unwrap();
    assert!(compiled.rules.is_me("jane@mastodon.example"), "{snippet}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bluesky_login_checks_the_app_password_and_refuses_a_wrong_one() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.server.createSession"))
        .and(body_string_contains("\"password\":\"good-pass-word\""))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "accessJwt": "a", "refreshJwt": "r", "handle": "jane.bsky.social",
            "did": "did:plc:janejanejanejanejane7x", "active": true
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.server.createSession"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "error": "AuthenticationRequired", "message": "Invalid identifier or password"
        })))
        .mount(&server)
        .await;
    let data = tempfile::tempdir().unwrap();
    let run = |password: &'static str| {
        let data = data.path().to_path_buf();
        let uri = server.uri();
        tokio::task::spawn_blocking(move || {
            circles(&data)
                .args(["login", "bluesky", "@jane.bsky.social", "--service", &uri])
                .write_stdin(format!("{password}\n"))
                .output()
                .unwrap()
        })
    };
    let bad = run("wrong").await.unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("refused") && !stderr.contains("wrong\n"),
        "{stderr}"
    );
    let good = run("good-pass-word").await.unwrap();
    let stdout = String::from_utf8_lossy(&good.stdout);
    assert!(good.status.success(), "{stdout}");
    assert!(!stdout.contains("good-pass-word"));
    assert!(stdout.contains("handle = \"jane.bsky.social\""), "{stdout}");
    // The printed tables are a valid config with `[me]` naming the account.
    let snippet = &stdout[stdout.find("[[source]]").unwrap()..];
    let compiled = circles::filter::load(snippet, circles::testkit::t0()).unwrap();
    assert!(compiled.rules.is_me("jane.bsky.social"), "{snippet}");
    let file = data
        .path()
        .join("circles/credentials/bluesky-jane.bsky.social.password");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap().trim(),
        "good-pass-word"
    );
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
}
