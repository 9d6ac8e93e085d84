//! Decoder tests on fixtures in the real API shapes (Mastodon entities,
//! Bluesky `feedViewPost`) and on the native format.

use circles::decode::decode;
use circles::model::{MediaKind, Network, NoticeKind, Post};

fn fixture(name: &str) -> Post {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    decode(&text, "home").unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn mastodon_status_html_mentions_tags_links_media() {
    let post = fixture("mastodon_status.json");
    assert_eq!(post.source, "home");
    assert_eq!(post.id, "117652210844581921");
    assert_eq!(
        post.author.handle, "@priya@mastodon.social",
        "local acct qualified by url host"
    );
    assert_eq!(post.author.key, "priya@mastodon.social");
    assert_eq!(post.author.display_name, "Priya Raman");
    assert_eq!(post.author.network, Network::Mastodon);
    assert_eq!(
        post.text,
        "Pairing with @alice on the parser today & it's going great.\n\
         Notes so far: https://example.org/notes/2026/11/parser-pairing-session?step=2&view=full\n\n\
         Whiteboard photo below. #rust"
    );
    assert_eq!(post.mentions.len(), 1);
    assert_eq!(post.mentions[0].handle, "@alice@hachyderm.io");
    assert_eq!(post.mentions[0].key, "alice@hachyderm.io");
    assert_eq!(post.hashtags, vec!["rust"]);
    assert_eq!(
        post.links,
        vec!["https://example.org/notes/2026/11/parser-pairing-session?step=2&view=full"],
        "the card duplicates the inline link and is listed once"
    );
    assert_eq!(post.media.len(), 1);
    assert_eq!(post.media[0].kind, MediaKind::Image);
    assert!(post.media[0].alt.as_deref().is_some_and(|a| !a.is_empty()));
    assert_eq!(post.language.as_deref(), Some("en"));
    assert_eq!(post.visibility.as_deref(), Some("public"));
    assert_eq!(
        post.url.as_deref(),
        Some("https://mastodon.social/@priya/117652210844581921")
    );
    assert!(!post.is_boost() && !post.is_reply());
    assert_eq!(
        post.created_at.to_rfc3339(),
        "2026-11-21T09:14:07.318+00:00"
    );
}

#[test]
fn mastodon_boost_is_the_inner_post_boosted_by_the_outer_account() {
    let post = fixture("mastodon_boost.json");
    assert_eq!(post.id, "117651890377209156", "the boosted post's id");
    assert_eq!(
        post.boost_id.as_deref(),
        Some("117652096512733184"),
        "the boost's own id, which a delete of the boost names"
    );
    assert_eq!(post.author.handle, "@lena@social.example.net");
    let booster = post.boosted_by.as_ref().expect("a boost");
    assert_eq!(booster.handle, "@chen@fosstodon.org");
    assert_eq!(booster.display_name, "Chen Wei");
    assert_eq!(
        post.content_warning.as_deref(),
        Some("cycling crash, no injuries")
    );
    assert!(
        post.text
            .starts_with("Got doored on Oranienstraße this morning.")
    );
    assert!(post.text.contains("apologised.\nPlease look"));
}

#[test]
fn mastodon_reply_knows_whom_it_answers() {
    let post = fixture("mastodon_reply.json");
    let reply = post.reply_to.as_ref().expect("a reply");
    assert_eq!(reply.id, "117652301950224384");
    assert_eq!(
        reply.to.as_ref().map(|m| m.key.as_str()),
        Some("dana@mastodon.social")
    );
    let keys: Vec<&str> = post.mentions.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(keys, vec!["dana@mastodon.social", "kofi@fosstodon.org"]);
    assert!(post.text.starts_with("@dana @kofi rdkafka."));
}

#[test]
fn mastodon_mention_notification_yields_its_status() {
    let post = fixture("mastodon_notification_mention.json");
    assert_eq!(post.author.handle, "@sam@infosec.exchange");
    assert_eq!(post.mentions[0].key, "jane@mastodon.social");
    assert!(post.text.starts_with("@jane heads up"));
    let notice = post.notice.as_deref().expect("it came as a notification");
    assert_eq!(notice.kind, NoticeKind::Mention);
    assert_eq!(notice.id, "394857120");
    assert!(!post.is_pure_notice(), "a mention is a post to act on");
    assert_eq!(post.id, "117652498102738944", "the status's own id");
}

#[test]
fn every_kind_of_mastodon_notification_is_a_card() {
    use serde_json::json;
    let account =
        json!({"id": "2", "acct": "x@y.social", "url": "https://y.social/@x", "display_name": "X"});
    let follow = json!({"id": "1", "type": "follow", "created_at": "2026-11-21T10:00:00Z", "account": account});
    let post = decode(&follow.to_string(), "n").unwrap();
    assert!(post.is_pure_notice());
    assert_eq!(post.notice_kind(), Some(NoticeKind::Follow));
    assert_eq!(
        post.author.handle, "@x@y.social",
        "the account that followed"
    );
    assert_eq!(post.id, "notification:1");
    assert!(post.text.is_empty());

    // A favourite is about the reader's post, which it carries.
    let favourite = fixture("mastodon_api/notification_favourite.json");
    assert_eq!(favourite.notice_kind(), Some(NoticeKind::Favourite));
    assert_eq!(favourite.author.handle, "@alice@hachyderm.io");
    let subject = favourite
        .notice
        .as_deref()
        .unwrap()
        .subject
        .as_deref()
        .unwrap();
    assert!(!subject.text.is_empty());
    assert_eq!(favourite.url, subject.url, "o and y reach the post");

    // A mention that answers a post is a reply; kinds circles does not
    // know yet still arrive, as `other`.
    let mut reply = serde_json::from_str::<serde_json::Value>(
        &std::fs::read_to_string(format!(
            "{}/tests/fixtures/mastodon_notification_mention.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap();
    reply["status"]["in_reply_to_id"] = json!("117652498102730000");
    let reply = decode(&reply.to_string(), "n").unwrap();
    assert_eq!(reply.notice_kind(), Some(NoticeKind::Reply));
    let mut odd = follow.clone();
    odd["type"] = json!("severed_relationships");
    assert_eq!(
        decode(&odd.to_string(), "n").unwrap().notice_kind(),
        Some(NoticeKind::Other)
    );
    // A mention without its status says so, located.
    let mut bare = follow;
    bare["type"] = json!("mention");
    let err = decode(&bare.to_string(), "n").unwrap_err().to_string();
    assert!(
        err.contains("a `mention` notification without its `status`"),
        "{err}"
    );
}

#[test]
fn bluesky_post_facets_use_byte_offsets() {
    let post = fixture("bluesky_post.json");
    assert_eq!(post.author.handle, "@kenji.bsky.social");
    assert_eq!(
        post.author.did.as_deref(),
        Some("did:plc:kzot3intd4mypt5iuefccv6m")
    );
    assert_eq!(post.author.network, Network::Bluesky);
    assert_eq!(
        post.id,
        "at://did:plc:kzot3intd4mypt5iuefccv6m/app.bsky.feed.post/3n2t2njuja2fp"
    );
    assert_eq!(
        post.url.as_deref(),
        Some("https://bsky.app/profile/kenji.bsky.social/post/3n2t2njuja2fp")
    );
    assert_eq!(post.mentions.len(), 1);
    assert_eq!(
        post.mentions[0].handle, "@jane.bsky.social",
        "text under the facet, after the emoji"
    );
    assert_eq!(post.mentions[0].key, "jane.bsky.social");
    assert_eq!(
        post.mentions[0].did.as_deref(),
        Some("did:plc:janejanejanejanejane7x")
    );
    assert_eq!(post.hashtags, vec!["rustlang"]);
    assert_eq!(
        post.links[0], "https://example.org/releases/circles/v0.3.0?utm_source=bsky",
        "the facet's full URL, not the shortened text"
    );
    assert_eq!(post.media.len(), 1);
    assert!(post.media[0].alt.as_deref().is_some_and(|a| !a.is_empty()));
    assert_eq!(post.language.as_deref(), Some("en"));
}

#[test]
fn bluesky_repost_is_a_boost() {
    let post = fixture("bluesky_repost.json");
    assert_eq!(post.author.handle, "@ada.bsky.social");
    assert_eq!(post.boosted_by.as_ref().unwrap().handle, "@bob.bsky.social");
    assert_eq!(post.hashtags, vec!["rust"]);
}

#[test]
fn bluesky_reply_names_the_parent_author() {
    let post = fixture("bluesky_reply.json");
    let reply = post.reply_to.as_ref().expect("a reply");
    assert_eq!(
        reply.id,
        "at://did:plc:hpbjcfcfwoty5tum34gn3zdo/app.bsky.feed.post/3n2tbp6t3zcfg"
    );
    let to = reply.to.as_ref().expect("the parent's author");
    assert_eq!(to.handle, "@ada.bsky.social");
    assert_eq!(to.did.as_deref(), Some("did:plc:hpbjcfcfwoty5tum34gn3zdo"));
    assert_eq!(
        post.created_at.to_rfc3339(),
        "2026-11-21T14:21:37.015+00:00"
    );
    // What a reply needs to answer it in turn, and what the detail view
    // quotes.
    let root = reply.root.as_ref().expect("the thread's root");
    assert_eq!(
        root.uri,
        "at://did:plc:jabx2667nwwtr2hazsa4hcvv/app.bsky.feed.post/3n2tbbctw52zk"
    );
    assert_eq!(
        root.cid,
        "bafyreib5zjsuknm67pf7zd3j6fjxvlayijw45sle7fdnx5rzhczvecjhei"
    );
    let parent = reply.text.as_deref().expect("the parent's text");
    assert!(parent.starts_with("a password manager."), "{parent}");
}

#[test]
fn bluesky_reply_without_a_parent_view_falls_back_to_the_uri_did() {
    let path = format!(
        "{}/tests/fixtures/bluesky_reply.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    value.as_object_mut().unwrap().remove("reply");
    let post = decode(&value.to_string(), "sky").unwrap();
    let to = post.reply_to.unwrap().to.unwrap();
    assert_eq!(to.handle, "", "only the DID is known");
    assert_eq!(to.did.as_deref(), Some("did:plc:hpbjcfcfwoty5tum34gn3zdo"));
}

#[test]
fn native_posts_minimal_and_full() {
    let minimal = r#"{"id":7,"author":"  Zoe@Example.social ","text":"hello","created_at":"2026-11-21T10:00:00+01:00"}"#;
    let post = decode(minimal, "pipe").unwrap();
    assert_eq!(post.id, "7");
    assert_eq!(
        post.author.handle, "@Zoe@Example.social",
        "trimmed, with its @"
    );
    assert_eq!(post.author.key, "zoe@example.social");
    assert_eq!(post.source, "pipe");
    assert_eq!(post.created_at.to_rfc3339(), "2026-11-21T09:00:00+00:00");

    let full = r##"{"id":"a1","author":{"handle":"@zoe@example.social","name":"Zoë","url":"https://example.social/@zoe"},
        "text":"see #Rust","created_at":"2026-11-21T10:00:00Z","source":"tool","boosted_by":"bob.bsky.social",
        "cw":"spoilers","reply_to":{"id":"a0","author":"@Max@example.social"},"hashtags":["#Rust"],
        "mentions":["@jane@mastodon.social"],"links":["https://example.org"],
        "media":[{"kind":"video","alt":"a cat","url":"https://example.org/cat.mp4"}],"language":"de","visibility":"public"}"##;
    let post = decode(full, "pipe").unwrap();
    assert_eq!(post.source, "tool");
    assert_eq!(post.author.display_name, "Zoë");
    assert_eq!(post.boosted_by.unwrap().key, "bob.bsky.social");
    assert_eq!(post.content_warning.as_deref(), Some("spoilers"));
    assert_eq!(post.reply_to.unwrap().to.unwrap().key, "max@example.social");
    assert_eq!(post.hashtags, vec!["Rust"]);
    assert_eq!(post.mentions[0].key, "jane@mastodon.social");
    assert_eq!(post.media[0].kind, MediaKind::Video);
    assert_eq!(post.media[0].alt.as_deref(), Some("a cat"));
    assert_eq!(post.language.as_deref(), Some("de"));
}

/// Without the arrays, a native post's hashtags, mentions and links are
/// found in its text; an array given (even empty) is taken as it is.
#[test]
fn native_posts_without_the_arrays_take_them_from_the_text() {
    let line = r#"{"id":"1","author":"@zoe@example.social","text":"hello #rust and #日本語 with @jane@mastodon.social, see https://x.org/a#frag","created_at":"2026-11-21T10:00:00Z"}"#;
    let post = decode(line, "pipe").unwrap();
    assert_eq!(post.hashtags, ["rust", "日本語"]);
    assert_eq!(post.mentions.len(), 1);
    assert_eq!(post.mentions[0].key, "jane@mastodon.social");
    assert_eq!(post.links, ["https://x.org/a#frag"]);

    let given = r#"{"id":"1","author":"@zoe@example.social","text":"hello #rust @jane https://x.org","hashtags":[],"mentions":[],"links":["https://other.example"],"created_at":"2026-11-21T10:00:00Z"}"#;
    let post = decode(given, "pipe").unwrap();
    assert!(post.hashtags.is_empty() && post.mentions.is_empty());
    assert_eq!(post.links, ["https://other.example"]);
}

#[test]
fn native_posts_with_missing_or_bad_fields_say_which() {
    let no_time = r#"{"id":"1","author":"@a@b.social","text":"x"}"#;
    assert!(
        decode(no_time, "p")
            .unwrap_err()
            .to_string()
            .contains("created_at")
    );
    let bad_time = r#"{"id":"1","author":"@a@b.social","text":"x","created_at":"yesterday"}"#;
    assert!(
        decode(bad_time, "p")
            .unwrap_err()
            .to_string()
            .contains("RFC 3339")
    );
    let bad_author = r#"{"id":"1","author":42,"text":"x","created_at":"2026-11-21T10:00:00Z"}"#;
    assert!(
        decode(bad_author, "p")
            .unwrap_err()
            .to_string()
            .contains("author")
    );
}

#[test]
fn hostile_text_is_sanitized_in_every_field() {
    let line = r#"{"id":"1","account":{"id":"9","acct":"evil@x.social","url":"https://x.social/@evil","display_name":"E\u001b[31mvil\u202e"},
        "created_at":"2026-11-21T10:00:00Z","spoiler_text":"cw\u001b]52;c;aGk=\u0007","content":"<p>a\u001b[2Jb &#x9b;31m c\u0085</p>",
        "mentions":[],"tags":[{"name":"t\u001b[1m"}],"media_attachments":[{"type":"image","url":"https://x","description":"alt\u009b2J"}]}"#;
    let post = decode(line, "h").unwrap();
    let fields = [
        post.author.display_name.as_str(),
        post.content_warning.as_deref().unwrap(),
        post.text.as_str(),
        post.hashtags[0].as_str(),
        post.media[0].alt.as_deref().unwrap(),
    ];
    for field in fields {
        assert!(
            !field
                .chars()
                .any(|c| c.is_control() && c != '\n' || ('\u{202a}'..='\u{202e}').contains(&c)),
            "{field:?}"
        );
    }
    assert_eq!(post.author.display_name, "Evil");
    assert_eq!(post.text, "ab  c");
}

#[test]
fn routing_keys_come_from_the_sanitized_handle() {
    // A control character hidden in a handle must not let it slip past a
    // mute of the handle the user sees.
    let line = r#"{"id":"1","created_at":"2026-11-21T10:00:00Z","content":"<p>x</p>",
        "account":{"id":"9","acct":"spam\u001b[0mmer@evil.social","url":"https://evil.social/@spammer","display_name":"S"},
        "mentions":[{"id":"3","acct":"ja\u0007ne@mastodon.social","url":"https://mastodon.social/@jane"}]}"#;
    let post = decode(line, "h").unwrap();
    assert_eq!(post.author.handle, "@spammer@evil.social");
    assert_eq!(post.author.key, "spammer@evil.social");
    assert_eq!(post.mentions[0].key, "jane@mastodon.social");
    let native = r#"{"id":"1","author":{"handle":"@spam\u0007mer@host.social","did":"did:plc:A\u001b[1mB"},"text":"x","created_at":"2026-11-21T10:00:00Z"}"#;
    let post = decode(native, "p").unwrap();
    assert_eq!(post.author.key, "spammer@host.social");
    assert_eq!(post.author.did.as_deref(), Some("did:plc:ab"));
}

#[test]
fn every_demo_line_decodes() {
    let demo = include_str!("../../assets/demo.jsonl");
    let mut networks = (0, 0);
    for (n, line) in demo.lines().enumerate() {
        let post = decode(line, "demo").unwrap_or_else(|e| panic!("demo line {}: {e}", n + 1));
        match post.author.network {
            Network::Mastodon => networks.0 += 1,
            Network::Bluesky => networks.1 += 1,
            other => panic!("unexpected network {other:?}"),
        }
        assert!(!post.text.contains('\u{1b}'));
    }
    assert!(networks.0 + networks.1 >= 300, "{networks:?}");
    assert!(networks.0 > 100 && networks.1 > 100, "{networks:?}");
}

/// `circles route` decodes with `Decoder::for_routing`: the same posts as
/// full decoding but for the fields routing never reads, the same errors,
/// and so the same verdicts, line for line (demo, damaged demo lines and
/// each line twice, so the account cache answers the second time).
#[test]
fn routing_only_decoding_routes_every_line_as_full_decoding_does() {
    use circles::decode::decode_line;
    use circles::decode::stream::Decoder;
    use circles::filter::{load, route};
    let rules = load(circles::config::DEFAULT_CONFIG, chrono::Utc::now())
        .unwrap()
        .rules;
    let demo = include_str!("../../assets/demo.jsonl");
    let mut lines: Vec<String> = demo.lines().map(str::to_string).collect();
    // a few damaged copies: cut short, a field of the wrong type
    lines.extend(demo.lines().take(20).map(|l| l[..l.len() / 2].to_string()));
    lines.extend(
        demo.lines()
            .take(20)
            .map(|l| l.replacen("\"created_at\":\"", "\"created_at\":\"x", 1)),
    );
    let mut lean = Decoder::for_routing();
    let mut full = Decoder::default();
    let mut stripped = 0;
    for line in lines.iter().chain(&lines) {
        let want = decode_line(line.as_bytes(), "demo");
        assert_eq!(
            full.decode_line(line.as_bytes(), "demo")
                .map_err(|e| e.to_string()),
            want.as_ref().map(Clone::clone).map_err(|e| e.to_string()),
        );
        match (lean.decode_line(line.as_bytes(), "demo"), want) {
            (Ok(got), Ok(mut want)) => {
                assert_eq!(route(&rules, &got), route(&rules, &want), "{line}");
                if got != want {
                    stripped += 1;
                }
                // everything else is the same post
                want.uri = got.uri.clone();
                want.url = got.url.clone();
                want.links = got.links.clone();
                want.visibility = got.visibility.clone();
                for (w, g) in [(&mut want.author, &got.author)]
                    .into_iter()
                    .chain(want.boosted_by.as_mut().zip(got.boosted_by.as_ref()))
                {
                    let w = std::sync::Arc::make_mut(w);
                    w.display_name = g.display_name.clone();
                    w.url = g.url.clone();
                }
                for (w, g) in want.media.iter_mut().zip(&got.media) {
                    w.url = g.url.clone();
                }
                assert_eq!(got, want);
            }
            (Err(got), Err(want)) => assert_eq!(got.to_string(), want.to_string()),
            (got, want) => panic!("routing-only {got:?}, full {want:?}: {line}"),
        }
    }
    assert!(stripped > 100, "{stripped}");
}

/// `circles route` refills one post for every line: whatever the previous
/// line left in it (a boost, a reply, mentions, media, a content warning, a
/// Bluesky or native post, an error half way), the post it ends up with is
/// the one decoded afresh. Fixtures and demo lines in three orders, through
/// both kinds of decoder.
#[test]
fn a_post_refilled_line_after_line_is_the_post_decoded_afresh() {
    use circles::decode::decode_line;
    use circles::decode::stream::Decoder;
    let compact = |json: &str| {
        serde_json::to_string(&serde_json::from_str::<serde_json::Value>(json).unwrap()).unwrap()
    };
    let mut lines: Vec<String> = include_str!("../../assets/demo.jsonl")
        .lines()
        .map(str::to_string)
        .collect();
    for name in [
        "mastodon_status.json",
        "mastodon_boost.json",
        "mastodon_reply.json",
        "mastodon_notification_mention.json",
        "bluesky_post.json",
        "bluesky_repost.json",
        "bluesky_reply.json",
    ] {
        let json = std::fs::read_to_string(format!("tests/fixtures/{name}")).unwrap();
        lines.push(compact(&json));
    }
    // damaged copies: a field of the wrong type, or cut short
    let damaged: Vec<String> = lines
        .iter()
        .step_by(7)
        .map(|l| l.replacen("\"created_at\":\"", "\"created_at\":\"x", 1))
        .chain(
            lines
                .iter()
                .step_by(11)
                .map(|l| l[..l.len() / 2].to_string()),
        )
        .collect();
    let forward: Vec<&String> = lines.iter().chain(&damaged).collect();
    let backward: Vec<&String> = forward.iter().rev().copied().collect();
    let interleaved: Vec<&String> = lines
        .iter()
        .zip(damaged.iter().cycle())
        .flat_map(|(a, b)| [a, b])
        .collect();
    for order in [&forward, &backward, &interleaved] {
        for make in [Decoder::default as fn() -> Decoder, Decoder::for_routing] {
            let (mut fresh, mut refill) = (make(), make());
            let mut post = Decoder::blank_post();
            let (mut posts, mut errors) = (0, 0);
            for line in order {
                let want = fresh.decode_line(line.as_bytes(), "demo");
                let got = refill.decode_line_into(line.as_bytes(), "demo", &mut post);
                match (got, want) {
                    (Ok(()), Ok(want)) => {
                        assert_eq!(post, want, "{line}");
                        posts += 1;
                    }
                    (Err(got), Err(want)) => {
                        assert_eq!(got.to_string(), want.to_string());
                        errors += 1;
                    }
                    (got, want) => panic!("refilled {got:?}, afresh {want:?}: {line}"),
                }
            }
            assert!(posts > 300 && errors > 50, "{posts} posts, {errors} errors");
        }
        // and full decoding through a decoder is exactly the free function's
        let mut decoder = Decoder::default();
        let mut post = Decoder::blank_post();
        for line in order {
            if decoder
                .decode_line_into(line.as_bytes(), "demo", &mut post)
                .is_ok()
            {
                assert_eq!(post, decode_line(line.as_bytes(), "demo").unwrap());
            }
        }
    }
}

/// A status far bigger than any real one is cut at decode time, with a
/// marker, so it cannot slow every key or fill the cache (issue: a 50 MB
/// status took seconds per key).
#[test]
fn a_huge_status_is_cut_when_decoded_with_a_marker() {
    let path = format!(
        "{}/tests/fixtures/mastodon_status.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut status: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    status["content"] = format!("<p>{}</p>", "word ".repeat(400_000)).into();
    let post = decode(&status.to_string(), "home").unwrap();
    assert!(
        post.text.len() <= circles::model::MAX_TEXT_BYTES + 40,
        "{}",
        post.text.len()
    );
    assert!(post.text.starts_with("word word"));
    assert!(post.text.ends_with("KB more]") || post.text.ends_with("MB more]"));
}

/// A handle made only of what sanitizing removes is empty, and refused;
/// invisible characters are taken out of handles (no look-alikes) and
/// shown in names; Unicode line separators do not break a name's line.
#[test]
fn invisible_and_control_only_handles_are_caught() {
    let line = |author: &str, name: &str| {
        serde_json::json!({"id": "1", "author": {"handle": author, "name": name},
            "text": "a\u{2028}b", "created_at": "2026-11-21T10:00:00Z"})
        .to_string()
    };
    for empty in ["\u{1b}[2J", "\u{200b}\u{200e}", "@\u{feff}", "\u{7}"] {
        let err = decode(&line(empty, "x"), "p").unwrap_err().to_string();
        assert!(err.contains("empty handle"), "{empty:?}: {err}");
    }
    let post = decode(
        &line("@ali\u{200b}ce@x.social", "Ali\u{200b}ce\u{2028}B"),
        "p",
    )
    .unwrap();
    assert_eq!(post.author.handle, "@alice@x.social");
    assert_eq!(post.author.key, "alice@x.social", "matches the real alice");
    assert_eq!(post.author.display_name, "Ali<U+200B>ce B");
    assert_eq!(post.text, "a\nb");
    // Emoji sequences keep their joiners.
    let family = "👩\u{200d}👩\u{200d}👧 fan";
    let post = decode(&line("@f@x.social", family), "p").unwrap();
    assert_eq!(post.author.display_name, family);
}

/// A fixture with one JSON key changed (at `path`, a list of object keys).
fn fixture_with(name: &str, path: &[&str], value: serde_json::Value) -> Post {
    let file = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let (last, parents) = path.split_last().unwrap();
    let mut at = &mut json;
    for key in parents {
        at = &mut at[*key];
    }
    at[*last] = value;
    let line = serde_json::to_string(&json).unwrap();
    // Both decoding paths read it: the screen's and the route fast path's
    // (held to each other by the decode::stream tests).
    decode(&line, "home").unwrap()
}

#[test]
fn sensitive_media_are_marked_on_both_networks() {
    use serde_json::json;
    assert!(!fixture("mastodon_status.json").sensitive);
    assert!(fixture_with("mastodon_status.json", &["sensitive"], json!(true)).sensitive);
    // A boost is as sensitive as the status it boosts (the fixture's is).
    assert!(fixture("mastodon_boost.json").sensitive);
    assert!(
        !fixture_with(
            "mastodon_boost.json",
            &["reblog", "sensitive"],
            json!(false)
        )
        .sensitive
    );

    assert!(!fixture("bluesky_post.json").sensitive);
    for (label, sensitive) in [("porn", true), ("graphic-media", true), ("spam", false)] {
        let post = fixture_with(
            "bluesky_post.json",
            &["post", "labels"],
            json!([{"src": "did:plc:labeler", "uri": "at://x", "val": label, "cts": "2026-11-22T10:00:00Z"}]),
        );
        assert_eq!(post.sensitive, sensitive, "{label}");
    }
}

#[test]
fn a_mastodon_quote_carries_the_quoted_post_without_the_re_line() {
    use circles::model::Quote;
    let post = fixture("mastodon_quote.json");
    assert_eq!(
        post.text, "This is the best take on terminal readers I have seen.",
        "the RE: fallback line is not text"
    );
    assert!(post.links.is_empty(), "{:?}", post.links);
    let quoted = post.quoted().expect("the quoted post is shown");
    assert_eq!(quoted.author.handle, "@priya@mastodon.social");
    assert_eq!(quoted.id, "117652210844581921");
    assert!(quoted.text.starts_with("Pairing with @alice"));
    assert_eq!(quoted.hashtags, vec!["rust"]);
    assert_eq!(quoted.media.len(), 1);
    assert_eq!(quoted.source, "home");
    assert_eq!(
        post.routing_hashtags().collect::<Vec<_>>(),
        vec!["rust"],
        "routing reads the quoted post's tags after the post's own (none)"
    );

    // A quote the server does not show says why, and the post still reads.
    use serde_json::json;
    for (state, why) in [
        ("deleted", "deleted"),
        ("pending", "waiting for its author's approval"),
        ("revoked", "removed by its author"),
        ("something_new", "not available"),
    ] {
        let post = fixture_with(
            "mastodon_quote.json",
            &["quote"],
            json!({"state": state, "quoted_status": null}),
        );
        assert_eq!(
            post.quote.as_deref(),
            Some(&Quote::Hidden(why.into())),
            "{state}"
        );
    }
    // A quoted status that cannot be read costs the quote, not the post.
    let post = fixture_with(
        "mastodon_quote.json",
        &["quote", "quoted_status", "created_at"],
        json!("yesterday"),
    );
    assert_eq!(
        post.quote.as_deref(),
        Some(&Quote::Hidden("could not be read".into()))
    );
    // A boost of a quote is the quote, boosted.
    let boost = fixture_with("mastodon_boost.json", &["reblog", "quote"], {
        let file = format!(
            "{}/tests/fixtures/mastodon_quote.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let quote: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        quote["quote"].clone()
    });
    assert!(boost.is_boost());
    assert_eq!(
        boost.quoted().map(|q| q.id.as_str()),
        Some("117652210844581921")
    );
}

#[test]
fn a_bluesky_quote_with_media_keeps_both() {
    use circles::model::Quote;
    use serde_json::json;
    let post = fixture("bluesky_quote.json");
    assert_eq!(post.text, "Finally a reader for the few who matter");
    assert_eq!(post.media.len(), 1, "the quoting post's own image");
    assert_eq!(
        post.media[0].alt.as_deref(),
        Some("My own columns, Core on the left.")
    );
    let quoted = post.quoted().expect("the quoted post is shown");
    assert_eq!(quoted.author.handle, "@kenji.bsky.social");
    assert_eq!(
        quoted.id,
        "at://did:plc:kzot3intd4mypt5iuefccv6m/app.bsky.feed.post/3n2t2njuja2fp"
    );
    assert!(quoted.text.contains("Shipping day!"), "{}", quoted.text);
    assert_eq!(quoted.hashtags, vec!["rustlang"]);
    assert_eq!(quoted.media.len(), 1, "the quoted post's image");
    assert_eq!(
        quoted.cid.as_deref(),
        Some("bafyreidouejdc23vu3cub2ev4me2tk2nc4cuafqwg4kb6fl4qm5dm5rzqm")
    );

    // A plain record embed (no media) quotes the same way.
    let file = format!(
        "{}/tests/fixtures/bluesky_quote.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let item: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let record = item["post"]["embed"]["record"]["record"].clone();
    let plain = fixture_with(
        "bluesky_quote.json",
        &["post", "embed"],
        json!({"$type": "app.bsky.embed.record#view", "record": record}),
    );
    assert!(plain.media.is_empty());
    assert_eq!(
        plain.quoted().map(|q| q.author.handle.as_str()),
        Some("@kenji.bsky.social")
    );

    // What the server will not show, in words; a feed is not a post.
    for (view, quote) in [
        (
            json!({"$type": "app.bsky.embed.record#viewNotFound", "uri": "at://x/app.bsky.feed.post/1", "notFound": true}),
            Some(Quote::Hidden("deleted or not found".into())),
        ),
        (
            json!({"$type": "app.bsky.embed.record#viewDetached", "uri": "at://x/app.bsky.feed.post/1", "detached": true}),
            Some(Quote::Hidden("detached by its author".into())),
        ),
        (
            json!({"$type": "app.bsky.feed.defs#generatorView", "uri": "at://x/app.bsky.feed.generator/f", "cid": "c", "did": "did:web:f", "creator": {"did": "did:plc:c", "handle": "c.bsky.social"}, "displayName": "A feed", "indexedAt": "2026-11-21T13:20:01.000Z"}),
            None,
        ),
    ] {
        let post = fixture_with(
            "bluesky_quote.json",
            &["post", "embed"],
            json!({"$type": "app.bsky.embed.record#view", "record": view}),
        );
        assert_eq!(post.quote.as_deref(), quote.as_ref());
    }
}

#[test]
fn a_bluesky_notification_line_decodes_on_its_own() {
    let file = format!(
        "{}/tests/fixtures/bluesky_api/notifications.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let page: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let items = page["notifications"].as_array().unwrap();
    let like = decode(&items[5].to_string(), "sky").unwrap();
    assert_eq!(like.notice_kind(), Some(NoticeKind::Favourite));
    assert_eq!(like.author.handle, "@bob.bsky.social");
    assert_eq!(like.author.network, Network::Bluesky);
    assert_eq!(
        like.created_at.to_rfc3339(),
        "2026-11-21T09:00:00+00:00",
        "the like's own time"
    );
    let reply = decode(&items[1].to_string(), "sky").unwrap();
    assert_eq!(reply.notice_kind(), Some(NoticeKind::Reply));
    assert_eq!(reply.text, "agreed, and it goes both ways");
    assert!(reply.is_reply());
}
