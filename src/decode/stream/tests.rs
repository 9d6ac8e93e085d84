//! The streaming decoder against the plain one: on every fixture and demo
//! line, with keys in another order, accounts read again from the cache or
//! pushed out of it, and on damaged lines, both give the same post or the
//! same error.

use super::fill::{Fields, decode_status_into};
use super::reader::Scan;
use super::*;
use crate::decode::{decode, decode_general};
use proptest::prelude::*;
use std::borrow::Cow;

const DEMO: &str = include_str!("../../../assets/demo.jsonl");
const FIXTURES: [&str; 4] = [
    include_str!("../../../tests/fixtures/mastodon_status.json"),
    include_str!("../../../tests/fixtures/mastodon_boost.json"),
    include_str!("../../../tests/fixtures/mastodon_reply.json"),
    include_str!("../../../tests/fixtures/mastodon_notification_mention.json"),
];

/// One line per document, as `circles route` reads them.
fn compact(json: &str) -> String {
    serde_json::to_string(&serde_json::from_str::<serde_json::Value>(json).unwrap()).unwrap()
}

fn lines() -> Vec<String> {
    DEMO.lines()
        .map(str::to_string)
        .chain(FIXTURES.iter().map(|f| compact(f)))
        .collect()
}

/// The contract: what the fast reader accepts, serde accepts, with the
/// same post; what it passes on gets serde's answer anyway.
/// The reader's status for `line`, without a stream's memory.
fn mastodon_status(line: &str) -> Option<reader::Status<'_>> {
    read_status(line, None)
}

/// A status the reader read, filled into a fresh post.
fn fast_decode(status: &reader::Status<'_>) -> Result<Post, DecodeError> {
    let mut post = blank_post();
    decode_status_into(status, "t", None, Fields::All, &mut post)?;
    Ok(post)
}

fn agrees(line: &str) -> Result<bool, String> {
    let general = decode_general(line, "t").map_err(|e| e.to_string());
    match mastodon_status(line) {
        Some(status) => {
            let fast = fast_decode(&status).map_err(|e| e.to_string());
            if fast != general {
                return Err(format!("fast {fast:?}\nserde {general:?}\nline {line}"));
            }
            Ok(true)
        }
        None => Ok(false),
    }
}

#[test]
fn every_mastodon_status_of_the_demo_and_the_fixtures_takes_the_fast_path_and_agrees() {
    let mut fast = 0;
    for line in lines() {
        if agrees(&line).unwrap() {
            fast += 1;
        }
    }
    // Every Mastodon line but the notification (a serde-only shape).
    let mastodon = DEMO.lines().filter(|l| l.contains("\"account\":")).count() + 3;
    assert_eq!(fast, mastodon);
    assert!(fast > 100, "{fast}");
}

/// An escaped string takes room for itself, not for the rest of its
/// line: a line of many escaped tags followed by a long value must not
/// reserve the rest of the line for each.
#[test]
fn escaped_strings_take_room_for_themselves_only() {
    let line = format!(
        r#"{{"id":"1","created_at":"2024-11-20T11:59:56.873Z","account":{{"id":"9","acct":"a","display_name":"A","url":"https://x.example/@a"}},"content":"\u003cp\u003e{}\u003c/p\u003e","tags":[{{"name":"caf\u00e9","url":"https://x.example/tags/cafe"}}],"filler":"{}"}}"#,
        // a run longer than the window the copy is given at a time
        "hi ".repeat(300),
        "x".repeat(1 << 19)
    );
    assert!(agrees(&line).unwrap(), "the fast path reads it");
    let status = mastodon_status(&line).unwrap();
    let (Cow::Owned(tag), Cow::Owned(content)) = (&status.tags[0].name, &status.content) else {
        panic!("both strings hold escapes");
    };
    assert_eq!(tag, "café");
    assert_eq!(*content, format!("<p>{}</p>", "hi ".repeat(300)));
    assert!(tag.capacity() < 4096, "{}", tag.capacity());
    assert!(content.capacity() < 4096, "{}", content.capacity());
}

#[test]
fn shapes_it_leaves_to_serde() {
    let base = compact(FIXTURES[0]);
    assert!(mastodon_status(&base).is_some());
    let cases = [
        // a repeated field: serde's error
        base.replacen("\"content\":", "\"content\":\"x\",\"content\":", 1),
        // an escaped key
        base.replacen("\"content\":", "\"cont\\u0065nt\":", 1),
        // a notification and a native post
        base.replacen('{', "{\"type\":\"mention\",", 1),
        base.replacen('{', "{\"text\":\"hi\",", 1),
        // a raw tab inside a string, a lone surrogate, a bad escape
        base.replacen("\"content\":\"", "\"content\":\"\t", 1),
        base.replacen("\"content\":\"", "\"content\":\"\\ud800x", 1),
        base.replacen("\"content\":\"", "\"content\":\"\\q", 1),
        // short or bad `\u00` escapes
        base.replacen("\"content\":\"", "\"content\":\"\\u003g", 1),
        base.replacen("\"content\":\"", "\"content\":\"\\u00", 1),
        // trailing data, a trailing comma, a leading zero
        format!("{base} x"),
        base.replacen('{', "{\"n\":1,", 1).replacen('}', ",}", 1),
        base.replacen('{', "{\"n\":01,", 1),
        // wrong types: a numeric id in a boost, null content in a boost
        compact(FIXTURES[1]).replacen("\"id\":\"", "\"id\":1,\"x\":\"", 2),
        // nesting deeper than the reader goes
        base.replacen(
            '{',
            &format!("{{\"deep\":{}0{},", "[".repeat(120), "]".repeat(120)),
            1,
        ),
    ];
    for case in &cases {
        assert!(mastodon_status(case).is_none(), "accepted: {case}");
        // and the line still decodes exactly as serde says
        assert_eq!(
            decode(case, "t").map_err(|e| e.to_string()),
            decode_general(case, "t").map_err(|e| e.to_string())
        );
    }
}

#[test]
fn marks_and_counts_decode_as_serde_does() {
    let base: serde_json::Value = serde_json::from_str(FIXTURES[0]).unwrap();
    let with = |extra: &str| {
        let extra: serde_json::Value = serde_json::from_str(&format!("{{{extra}}}")).unwrap();
        let mut line = base.clone();
        for (key, value) in extra.as_object().unwrap() {
            line[key] = value.clone();
        }
        line.to_string()
    };
    // What the fast path reads itself, and what it leaves to serde's
    // lenient count (a count that is not a plain whole number is no count).
    let read = [
        r#""favourited":true,"reblogged":false,"bookmarked":null"#,
        r#""replies_count":0,"reblogs_count":7,"favourites_count":123456789"#,
        r#""replies_count":null"#,
    ];
    let left = [
        r#""replies_count":-1"#,
        r#""reblogs_count":1.5"#,
        r#""favourites_count":12345678901"#,
        r#""favourites_count":"12""#,
        r#""favourites_count":1e3"#,
    ];
    for extra in read {
        let line = with(extra);
        assert_eq!(agrees(&line), Ok(true), "{line}");
    }
    let post = decode(&with(read[0]), "t").unwrap();
    assert!(post.engagement.favourited && !post.engagement.boosted);
    let post = decode(&with(read[1]), "t").unwrap();
    assert_eq!(post.engagement.favourites, Some(123_456_789));
    for extra in left {
        let line = with(extra);
        assert_eq!(agrees(&line), Ok(false), "{line}");
        let post = decode(&line, "t").expect("a strange count is no broken post");
        let counts = &post.engagement;
        let favourites = if extra.contains("12345678901") {
            Some(u32::MAX)
        } else if extra.contains("favourites_count") {
            None
        } else {
            Some(17)
        };
        assert_eq!(counts.favourites, favourites, "{line}");
        let fixture = (Some(2), Some(4));
        let changed = ["replies_count", "reblogs_count"].map(|k| extra.contains(k));
        let expected = (
            if changed[0] { None } else { fixture.0 },
            if changed[1] { None } else { fixture.1 },
        );
        assert_eq!((counts.replies, counts.boosts), expected, "{line}");
    }
}

#[test]
fn escapes_decode_as_serde_does() {
    let base = compact(FIXTURES[0]);
    let line = base.replacen(
        "\"content\":\"",
        "\"content\":\"\\ud83e\\udd80 \\u00e9\\n\\\"q\\\" \\/ \\\\ \\t",
        1,
    );
    let post = decode(&line, "t").unwrap();
    // (HTML reads the line feed and the tab as spaces)
    assert!(post.text.starts_with("🦀 é \"q\" / \\ "), "{:?}", post.text);
    assert!(agrees(&line).unwrap());
    // `\u00XX` in either case, ASCII or not, controls included
    let line = base.replacen(
        "\"content\":\"",
        "\"content\":\"\\u003cb\\u003E\\u0041\\u007f\\u0001\\u0080\\u00FF\\u0026amp;\\u003c/b\\u003e",
        1,
    );
    // (the controls are sanitized away)
    assert!(decode(&line, "t").unwrap().text.starts_with("Aÿ&"));
    assert!(agrees(&line).unwrap());
    // numbers of every form are stepped over
    let line = base.replacen(
        '{',
        "{\"n\":[-0,1.5,-2e10,3E+2,4.0e-3,true,false,null,{}],",
        1,
    );
    assert!(agrees(&line).unwrap());
    // a CRLF line
    assert!(agrees(&format!("{base}\r")).unwrap());
}

/// Decodes through a [`Decoder`] (with its account cache)
/// and through serde, as results comparable with `==`.
fn cached_agrees(decoder: &mut Decoder, line: &str) -> Result<(), String> {
    let cached = decoder
        .decode_line(line.as_bytes(), "t")
        .map_err(|e| e.to_string());
    let general = decode_general(line, "t").map_err(|e| e.to_string());
    if cached == general {
        Ok(())
    } else {
        Err(format!("cached {cached:?}\nserde {general:?}\nline {line}"))
    }
}

#[test]
fn statuses_whose_keys_come_in_another_order_decode_as_serde_does() {
    let mut decoder = Decoder::default();
    let mut reordered = 0;
    for line in lines() {
        // serde_json's map sorts keys: another order than the demo's
        let sorted = compact(&line);
        if sorted != line {
            reordered += 1;
        }
        let repeated = line.replacen("\"id\":", "\"id\":\"0\",\"id\":", 1);
        for variant in [&line, &sorted, &line, &repeated, &line, &sorted] {
            cached_agrees(&mut decoder, variant).unwrap();
        }
    }
    assert!(reordered > 100, "{reordered}");
}

/// The JSON value starting at byte `from` of `line`.
fn value_at(line: &str, from: usize) -> &str {
    let mut scan = Scan {
        text: line,
        bytes: line.as_bytes(),
        at: from,
        depth: 0,
        peak: 0,
        accounts: None,
        order: None,
        spare: None,
    };
    scan.skip().unwrap();
    &line[from..scan.at]
}

#[test]
fn accounts_read_again_from_the_cache_decode_as_serde_does() {
    let mut decoder = Decoder::default();
    // twice: the second pass finds every account in the cache
    for _ in 0..2 {
        for line in lines() {
            cached_agrees(&mut decoder, &line).unwrap();
        }
    }
    // the same account with new counters and a new name is read again
    let base = compact(FIXTURES[0]);
    let renamed = base.replacen("\"display_name\":\"", "\"display_name\":\"Renamed ", 1);
    assert_ne!(base, renamed);
    cached_agrees(&mut decoder, &renamed).unwrap();
    let post = decoder.decode_line(renamed.as_bytes(), "t").unwrap();
    assert!(post.author.display_name.starts_with("Renamed "), "{post:?}");
    // an account whose own nesting fits at the top but not inside a boost
    let deep = format!("{}0{}", "[".repeat(98), "]".repeat(98));
    let boost = compact(FIXTURES[1]);
    let reblog = boost.find("\"reblog\":{").unwrap();
    let inner = reblog + boost[reblog..].find("\"account\":{").unwrap() + "\"account\":{".len();
    let deep_boost = format!("{}\"deep\":{deep},{}", &boost[..inner], &boost[inner..]);
    let deep_account = value_at(&deep_boost, inner - 1);
    let outer = base.find("\"account\":{").unwrap() + "\"account\":".len();
    let top = base.replacen(value_at(&base, outer), deep_account, 1);
    for line in [&top, &deep_boost, &top, &deep_boost] {
        cached_agrees(&mut decoder, line).unwrap();
    }
    assert!(
        mastodon_status(&top).is_some(),
        "the deep account fits at the top"
    );
    assert!(
        mastodon_status(&deep_boost).is_none(),
        "but not inside a boost"
    );
    // nor from the cache, which has it from the top
    let mut memory = Memory::default();
    assert!(read_status(&top, Some(&mut memory)).is_some());
    assert!(read_status(&top, Some(&mut memory)).is_some());
    assert!(read_status(&deep_boost, Some(&mut memory)).is_none());
}

/// More accounts than the cache holds, boosting one another in a
/// shuffled order: objects are entered, found, and pushed out of their
/// sets, and a post never gets another account's fields or model (each
/// line checked against serde, through a full and a routing decoder).
#[test]
fn a_cache_overflowing_with_accounts_still_decodes_as_serde_does() {
    let base = compact(FIXTURES[0]);
    let boost = compact(FIXTURES[1]);
    let outer = base.find("\"account\":{").unwrap() + "\"account\":".len();
    let account = value_at(&base, outer).to_string();
    let accounts = accounts::ACCOUNT_SLOTS * 3 / 4;
    // account `n`, renamed every other time it is written (past the
    // bytes that pick its set)
    let object = |n: usize| {
        account
            .replacen("\"id\":\"", &format!("\"id\":\"{}", n % accounts), 1)
            .replacen("\"acct\":\"", &format!("\"acct\":\"n{}_", n % accounts), 1)
            .replacen(
                "\"display_name\":\"",
                &format!("\"display_name\":\"v{} ", n / accounts),
                1,
            )
    };
    let status = |n: usize| base.replacen(&account, &object(n), 1);
    // in a boost, the boosted post's account comes first, the
    // booster's last
    let first = boost.find("\"account\":{").unwrap() + "\"account\":".len();
    let last = boost.rfind("\"account\":{").unwrap() + "\"account\":".len();
    let (inner, outer) = (value_at(&boost, first), value_at(&boost, last));
    let boosted = |by: usize, of: usize| {
        format!(
            "{}{}{}{}{}",
            &boost[..first],
            object(of),
            &boost[first + inner.len()..last],
            object(by),
            &boost[last + outer.len()..]
        )
    };
    let mut full = Decoder::default();
    let mut lean = Decoder::for_routing();
    // a fixed shuffle: each account about four times, half of them boosts
    let mut n: usize = 7;
    let lines = accounts * 4;
    for i in 0..lines {
        n = (n * 1_103_515_245 + 12_345) % (1 << 31);
        let a = n % (2 * accounts);
        let line = if i % 2 == 0 {
            status(a)
        } else {
            boosted(a, (a * 7 + 3) % (2 * accounts))
        };
        cached_agrees(&mut full, &line).unwrap();
        // routing decoding leaves names out: its keys are checked
        let got = lean.decode_line(line.as_bytes(), "t").unwrap();
        let want = decode_general(&line, "t").unwrap();
        assert_eq!(got.author.key, want.author.key, "{line}");
        assert_eq!(
            got.boosted_by.map(|b| b.key.clone()),
            want.boosted_by.map(|b| b.key.clone())
        );
    }
    // objects were pushed out, and many were found again
    let entered = full.memory.accounts.entered as usize;
    assert!(entered > accounts::ACCOUNT_SLOTS, "{entered}");
    assert!(
        entered < lines * 3 / 2 * 3 / 4,
        "{entered} of {}",
        lines * 3 / 2
    );
}

thread_local! {
    /// A decoder that has read every undamaged line.
    static PRIMED: std::cell::RefCell<Decoder> = {
        let mut decoder = Decoder::default();
        for line in lines() {
            let _ = decoder.decode_line(line.as_bytes(), "t");
        }
        std::cell::RefCell::new(decoder)
    };
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Damaged lines: the fast reader never accepts what serde rejects
    /// and never decodes differently, and neither does a decoder whose
    /// cache holds the accounts of every undamaged line (a cached account
    /// never stands in for damaged bytes).
    #[test]
    fn damaged_lines_agree_with_serde(
        pick in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        edit in 0u8..3,
        byte in prop::sample::select(b"{}[]\",:\\ 0-9aeuntfl.\r".to_vec()),
    ) {
        let lines = lines();
        let mut line = lines[pick.index(lines.len())].clone().into_bytes();
        let i = at.index(line.len());
        match edit {
            0 => { line.remove(i); }
            1 => line.insert(i, byte),
            _ => line[i] = byte,
        }
        if let Ok(line) = String::from_utf8(line) {
            prop_assert!(agrees(&line).is_ok(), "{}", agrees(&line).unwrap_err());
            let cached = PRIMED.with_borrow_mut(|decoder| cached_agrees(decoder, &line));
            prop_assert!(cached.is_ok(), "{}", cached.unwrap_err());
        }
    }
}

/// The URLs where telling the host from the bytes would go wrong: the url
/// crate reads numbers as IPv4 addresses, checks `xn--` labels, lowercases.
#[test]
fn host_of_agrees_with_url_host_where_it_is_easy_to_get_wrong() {
    for url in [
        "https://mastodon.social/@alice",
        "https://127.1/@a",
        "https://1/",
        "https://social.1",
        "https://xn--zz.io/",
        "https://xn--bcher-kva.io/@b",
        "https://Hachyderm.io/@c",
        "https://a..b/",
        "https://-a.io/",
        "https://a.io:443/",
        "https://a.io:3000/",
        "https://u@a.io/",
        "https://a.io?x",
        "https://",
    ] {
        assert_eq!(
            fill::host_of(url).map(|h| h.into_owned()),
            crate::model::url_host(url),
            "{url}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    /// The host of a profile URL, told from its bytes when it is a plain
    /// `https://` domain URL, is what the url crate says it is, for URLs
    /// of every shape.
    #[test]
    fn host_of_agrees_with_url_host(
        scheme in prop::sample::select(vec!["https://", "https://", "https://", "http://", "HTTPS://", ""]),
        user in prop::option::weighted(0.1, "[a-z]{1,4}@"),
        labels in prop::collection::vec(
            prop::sample::select(vec![
                "mastodon", "social", "x", "a-b", "-a", "b-", "xn--bcher-kva", "xn--zz",
                "Hachyderm", "io", "1", "127", "0x7f", "bücher", "", "a_b", "%41",
            ]),
            1..4,
        ),
        port in prop::option::weighted(0.2, prop::sample::select(vec![":443", ":3000", ":", ":x"])),
        tail in prop::sample::select(vec!["", "/", "/@alice", "?q=1", "#f", "/a/b"]),
    ) {
        let url = format!(
            "{scheme}{}{}{}{tail}",
            user.unwrap_or_default(),
            labels.join("."),
            port.unwrap_or_default()
        );
        prop_assert_eq!(
            fill::host_of(&url).map(|h| h.into_owned()),
            crate::model::url_host(&url),
            "{}", url
        );
    }
}

#[test]
fn a_quote_is_left_to_serde_and_a_null_quote_stays_on_the_fast_path() {
    let quote = compact(include_str!("../../../tests/fixtures/mastodon_quote.json"));
    assert!(mastodon_status(&quote).is_none());
    let post = super::Decoder::default()
        .decode_line(quote.as_bytes(), "t")
        .unwrap();
    assert!(post.quoted().is_some());
    let plain = compact(FIXTURES[0]).replacen('{', "{\"quote\":null,", 1);
    assert!(
        agrees(&plain).unwrap(),
        "a null quote is read by the reader"
    );
}
