#!/usr/bin/env python3
"""Generate assets/demo.jsonl, the demo timeline bundled with circles.

Every line is one JSON object, newest first, exactly as a timeline API hands
it out:

* a Mastodon REST API ``Status`` entity (as ``GET /api/v1/timelines/home``
  returns it; the home instance of the demo user is mastodon.social), or
* a Bluesky ``app.bsky.feed.defs#feedViewPost`` (one element of the
  ``feed[]`` array of ``app.bsky.feed.getTimeline``).

The content is an invented day and a half of a developer's timeline, written
to exercise every rule of config/default.toml: the core accounts, mentions of
the user (@jane@mastodon.social / jane.bsky.social), alert keywords and
near-misses, #rust / #rustlang, muted accounts, muted keywords, muted boosts,
content warnings, media with and without alt text, Unicode of many scripts,
and a handful of hostile posts that smuggle terminal escape sequences, C1
controls and bidi overrides (circles must sanitize them).

Deterministic: seeded RNG, fixed clock, standard library only.

    python3 scripts/gen_demo.py            # writes assets/demo.jsonl
    python3 scripts/gen_demo.py -o FILE    # somewhere else
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

RNG = random.Random(7)
HOME = "mastodon.social"  # the instance the demo timeline is read from
START = datetime(2026, 11, 20, 6, 0, tzinfo=timezone.utc)
END = datetime(2026, 11, 21, 22, 0, tzinfo=timezone.utc)
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "assets" / "demo.jsonl"


# --------------------------------------------------------------------------
# Deterministic identifiers
# --------------------------------------------------------------------------


def digest(*parts: object) -> bytes:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()


def hnum(*parts: object) -> int:
    return int.from_bytes(digest(*parts)[:8], "big")


def hexid(*parts: object, n: int = 16) -> str:
    return digest(*parts).hex()[:n]


def iso_ms(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def snowflake(t: datetime, salt: object) -> str:
    """Mastodon-style id: milliseconds << 16 | 16-bit sequence."""
    ms = int(t.timestamp() * 1000)
    return str((ms << 16) | (hnum("seq", salt) & 0xFFFF))


B32_SORT = "234567abcdefghijklmnopqrstuvwxyz"


def tid(t: datetime, salt: object) -> str:
    """atproto TID record key: 53-bit microseconds + 10-bit clock id, base32-sortable."""
    v = (int(t.timestamp() * 1_000_000) << 10) | (hnum("clk", salt) & 0x3FF)
    out = ""
    for _ in range(13):
        out = B32_SORT[v & 31] + out
        v >>= 5
    return out


def cid(kind: str, *parts: object) -> str:
    """A well-formed CIDv1 (base32): dag-cbor for records, raw for blobs."""
    codec = 0x71 if kind == "cbor" else 0x55
    raw = bytes([0x01, codec, 0x12, 0x20]) + digest(kind, *parts)
    return "b" + base64.b32encode(raw).decode().lower().rstrip("=")


def plc(handle: str) -> str:
    return "did:plc:" + base64.b32encode(digest("plc", handle)[:15]).decode().lower()


B83 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"


def blurhash(*parts: object) -> str:
    d = digest("bh", *parts)
    return "U" + "".join(B83[b % 83] for b in d[:27])


def id_path(i: str) -> str:
    """Mastodon's media path: the numeric id split into groups of three."""
    i = i.zfill((len(i) + 2) // 3 * 3)
    return "/".join(i[k : k + 3] for k in range(0, len(i), 3))


# --------------------------------------------------------------------------
# Accounts
# --------------------------------------------------------------------------


@dataclass
class Account:
    key: str
    net: str  # "m" (Mastodon) or "b" (Bluesky)
    name: str | None  # display name (None: Bluesky profile without one)
    user: str = ""  # Mastodon username
    host: str = ""  # Mastodon instance
    handle: str = ""  # Bluesky handle
    did: str = ""
    note: str = ""
    bot: bool = False
    locked: bool = False
    since: str = "2022-11-06"
    followers: int = 0
    following: int = 0
    statuses: int = 0
    fields: list = field(default_factory=list)
    emojis: list = field(default_factory=list)
    show_app: bool = True
    avatar: bool = True
    followed: bool = True

    @property
    def local(self) -> bool:
        return self.net == "m" and self.host == HOME

    @property
    def acct(self) -> str:
        return self.user if self.local else f"{self.user}@{self.host}"

    @property
    def profile_url(self) -> str:
        return f"https://{self.host}/@{self.user}"

    @property
    def mid(self) -> str:
        """The account's id in the home instance's database."""
        created = datetime.fromisoformat(self.since).replace(tzinfo=timezone.utc)
        if created.year < 2018:  # pre-snowflake accounts have small serial ids
            return str(1000 + hnum("acct", self.key) % 900000)
        return snowflake(created + timedelta(seconds=hnum("s", self.key) % 86400), "acct" + self.key)


ACCOUNTS: dict[str, Account] = {}


def M(key, user, host, name, **kw) -> Account:
    a = Account(key, "m", name, user=user, host=host, **kw)
    a.followers = kw.get("followers") or 40 + hnum("f", key) % 4000
    a.following = kw.get("following") or 20 + hnum("g", key) % 900
    a.statuses = kw.get("statuses") or 100 + hnum("st", key) % 20000
    ACCOUNTS[key] = a
    return a


def B(key, handle, name, did=None, **kw) -> Account:
    a = Account(key, "b", name, handle=handle, did=did or plc(handle), **kw)
    ACCOUNTS[key] = a
    return a


def website(url: str, verified: str | None = None) -> dict:
    bare = re.sub(r"^https?://(www\.)?", "", url)
    pre = url[: len(url) - len(bare)]
    return {
        "name": "Website",
        "value": f'<a href="{url}" target="_blank" rel="nofollow noopener me" translate="no">'
        f'<span class="invisible">{pre}</span><span class="">{bare}</span><span class="invisible"></span></a>',
        "verified_at": verified,
    }


def pronouns(p: str) -> dict:
    return {"name": "Pronouns", "value": p, "verified_at": None}


def custom_emoji(code: str, host: str = HOME) -> dict:
    h = hexid("emoji", code)
    path = f"000/{hnum('e', code) % 900 + 100:03d}/{hnum('e2', code) % 900 + 100:03d}"
    return {
        "shortcode": code,
        "url": f"https://files.mastodon.social/cache/custom_emojis/images/{path}/original/{h}.png",
        "static_url": f"https://files.mastodon.social/cache/custom_emojis/images/{path}/static/{h}.png",
        "visible_in_picker": False if host != HOME else True,
        "category": None,
    }


# -- the user (never the author of a line here, only mentioned / replied to)
M("jane_m", "jane", HOME, "Jane Doe", since="2019-03-02", note="Terminal tools, calm software.")
B("jane_b", "jane.bsky.social", "Jane Doe", did="did:plc:janejanejanejanejane7x", followed=False,
  since="2023-05-02")

# -- core
M("alice", "alice", "hachyderm.io", "Alice Nakamura 🦀", since="2022-11-04",
  note="Staff engineer. TUIs, terminals, tea. Opinions are my cat's.",
  fields=[pronouns("she/her"), website("https://alice.example.org", "2024-02-11T09:12:44.000+00:00")])
B("bob", "bob.bsky.social", "Bob Lindqvist", since="2023-07-19")
M("chen", "chen", "fosstodon.org", "Chen Wei", since="2021-04-17",
  note="Open-source maintainer in Rotterdam. Rust, parsers, bikes.",
  fields=[pronouns("he/him"), website("https://chenwei.example.net")])

# -- muted and special
M("megaphone", "megaphone", HOME, "MEGAPHONE 📣 Deals Daily", bot=True, since="2024-06-01",
  note="The BEST deals for developers, every hour!!!")
M("reposter", "reposter", HOME, "Re Poster ♻️", since="2020-01-12",
  note="I mostly boost. Mute my boosts if it's too much, no hard feelings.")
M("lucky", "lucky", "toot.example.com", "Lucky Deals 🎁", since="2025-09-30", bot=True)
M("acme", "status", "social.example.net", "AcmeCo Status", bot=True, since="2023-02-01",
  note="Official status updates. For support, open a ticket.")
M("mallory", "mallory", "evil.example", "Mallory \x1b[1;31m[ADMIN]\x1b[0m", since="2026-11-01",
  note="nothing to see here")
B("evil", "totally-normal.bsky.social", "\x1b]0;pwned\x07Totally Normal", since="2026-10-30")
B("nftdrops", "nft-drops.bsky.social", "NFT Drops 💎", since="2025-12-24")
B("janedoe", "janedoe.bsky.social", "J. Doe (not that one)", since="2024-01-15", followed=False)
M("jane_online", "jane", "mastodon.online", "Jane O.", since="2022-11-10")

# -- everyone else, Mastodon
M("dana", "dana", "hachyderm.io", "Dana Okafor", since="2022-11-05", fields=[pronouns("she/they")])
M("kofi", "kofi", "fosstodon.org", "Kofi Mensah :ferris:", since="2020-08-30",
  emojis=[custom_emoji("ferris", "fosstodon.org")], note="I maintain a terminal emulator. Send fonts.")
M("sam", "sam", "infosec.exchange", "Sam 🔐", since="2022-11-12")
M("lena", "lena", "social.example.net", "Lena Fischer", since="2023-01-09")
M("tomas", "tomas", HOME, "Tomás Ruiz", since="2017-04-06")
M("priya", "priya", HOME, "Priya Raman", since="2022-11-07", show_app=False)
M("oleg", "oleg", "chaos.social", "Oleg", since="2017-12-28", avatar=False)
M("mina", "mina", "mas.to", "Mina Park 박민아", since="2023-03-15")
M("yuki", "yuki", "types.pl", "Yuki Tanaka 田中", since="2021-06-01")
M("hana", "hana", "toot.example.com", "Hana Cohen", since="2022-12-01")
M("omar", "omar", "social.example.net", "Omar Haddad", since="2023-08-20")
M("claire", "claire", HOME, "Claire Dubois", since="2018-05-22")
M("rustweekly", "rustweekly", "fosstodon.org", "Rust Weekly Digest", bot=True, since="2020-02-02")
M("ferris_fan", "ferris_fan", "hachyderm.io", "Ferris Fan 🦀", since="2023-11-11")
M("weather", "weather", "bots.example.net", "Weather Bot ⛅", bot=True, since="2021-01-01",
  note="Hourly-ish weather for a few cities. Automated.")
M("gus", "gus", HOME, "Gus", since="2017-04-01", note="Trams, trees, open data.")
M("rae", "rae", "tech.lgbt", "Rae", since="2022-04-30", fields=[pronouns("they/them")])
M("nico", "nico", "infosec.exchange", "Nico", since="2022-11-20")
M("ines", "ines", "floss.social", "Inês Costa", since="2021-09-09")
M("pat", "pat", "hachyderm.io", "Pat Quinn", since="2022-11-03")
M("lou", "lou", "chaos.social", "Lou", since="2019-02-14")
M("bea", "bea", "mas.to", "Bea 🌱", since="2022-11-15")
M("vera", "vera", "fosstodon.org", "Vera", since="2020-05-05", locked=True)
M("jo", "jo", HOME, "Jo", since="2023-04-01")
M("marco", "marco", "mastodon.online", "Marco Rossi", since="2022-11-06")

# -- everyone else, Bluesky
B("riley", "riley.bsky.social", "Riley Moss", since="2023-06-01")
B("ana", "ana.example.net", "Ana Ramos", since="2023-09-12")  # custom-domain handle
B("notes", "notes.example.org", None, since="2024-02-02")  # custom domain, no displayName
B("devon", "devon.bsky.social", "Devon", since="2024-11-13")
B("marisol", "marisol.bsky.social", "Marisol Vega", since="2023-08-08")
B("kenji", "kenji.bsky.social", "Kenji 🇯🇵", since="2024-11-14")
B("ada", "ada.bsky.social", "Ada L.", since="2023-05-20")
B("fern", "fern.bsky.social", "Fern", since="2024-02-07")
B("theo", "theo.bsky.social", "Theo", since="2024-11-16", avatar=False)
B("zainab", "zainab.bsky.social", "Zainab", since="2024-01-30")
B("quinn", "quinn.bsky.social", "Quinn", since="2023-10-10")
B("ivy", "ivy.bsky.social", "Ivy", since="2024-11-18")
B("luca", "luca.bsky.social", "Luca Bianchi", since="2024-03-03")
B("sol", "sol.bsky.social", "Sol", since="2023-12-12")
B("wren", "wren.bsky.social", "Wren 🐦", since="2024-04-04")
B("mo", "mo.bsky.social", "Mo", since="2024-11-20")
B("pixel", "pixel.bsky.social", "Pixel Pete", since="2023-07-07")


# --------------------------------------------------------------------------
# Post specs
# --------------------------------------------------------------------------
#
# Text markup (network-neutral):  @{key} mention,  #{tag} hashtag,
# <https://…> link.  "\n\n" separates paragraphs, "\n" is a line break.


@dataclass
class Spec:
    key: str
    by: str
    text: str
    boost_by: str | None = None
    reply: str | None = None
    cw: str = ""
    sensitive: bool = False
    media: list = field(default_factory=list)  # alt texts (None / "" = no alt)
    lang: str | None = "en"
    langs: list | None = None  # Bluesky: explicit langs (None = [lang])
    html: str | None = None  # Mastodon: raw content override
    poll: tuple | None = None
    card: tuple | None = None  # (title, description) for the first link
    quote: str | None = None  # Bluesky: quoted post key
    label: str | None = None  # Bluesky self-label
    edited: bool = False
    vis: str = "public"
    emojis: list = field(default_factory=list)
    hidden: bool = False  # a parent that is not itself in the timeline
    gone: bool = False  # a deleted parent (notFoundPost)
    # filled in later
    t: datetime | None = None  # when the post was created
    bt: datetime | None = None  # when it was boosted (boosts only)


SPECS: list[Spec] = []
BY_KEY: dict[str, Spec] = {}


def P(by: str, text: str, key: str | None = None, **kw) -> str:
    key = key or f"p{len(SPECS):03d}"
    assert key not in BY_KEY, key
    s = Spec(key, by, text, **kw)
    if s.reply:
        assert s.reply in BY_KEY, f"{key}: parent {s.reply} must come first"
        assert ACCOUNTS[BY_KEY[s.reply].by].net == ACCOUNTS[by].net, key
    if s.boost_by:
        assert ACCOUNTS[s.boost_by].net == ACCOUNTS[by].net, key
    SPECS.append(s)
    BY_KEY[key] = s
    return key


# ---------------------------------------------------------------- core: alice
P("alice", "Morning! Coffee's brewing, CI is green, and the tram was on time. Suspicious. ☕")
P("alice", "Hot take: a TUI that ignores your terminal's colour palette is a TUI that hates you.\n\n"
  "Use the 16 ANSI colours by default, let people opt into truecolor. #{terminals}", key="a_palette")
P("chen", "@{alice} Mostly agree, but the 16-colour palette on half the default themes makes "
  "\"bright black\" unreadable. I ship a 256-colour fallback and pray.", key="c_palette1", reply="a_palette")
P("alice", "@{chen} bright black is a war crime, yes. But that's the user's war crime to fix in their "
  "theme, not mine 😄", key="a_palette2", reply="c_palette1")
P("chen", "@{alice} Fair. Filed under \"not my circus\".\nAlso stealing this for the README.",
  key="c_palette3", reply="a_palette2", vis="unlisted")
P("alice", "Spent the afternoon bisecting a rendering glitch in my #{rustlang} TUI. Culprit: I measured "
  "string width with .len() instead of unicode-width.\n\nEvery CJK user who filed a bug: you were right, "
  "I'm sorry. 🙇‍♀️", edited=True)
P("alice", "PSA from the #{rust} trenches: cargo tree -d shows duplicate dependencies. Our build dropped "
  "40 seconds after deduping three versions of syn.")
P("alice", "The view from the office today. Fog sitting on the bay like a lid.",
  media=["Grey fog covering a bay, with the tops of two bridge towers poking through and a single gull "
         "in the foreground."])
P("alice", "Someone just offered to turn my conference talk into an NFT. No. But thanks for the laugh "
  "before standup.")
P("alice", "Giveaway! I have two spare tickets for the RustFest workshop day. Reply with the weirdest bug "
  "you fixed this year, I'll pick on Friday. #{rustlang}")
P("alice", "@{jane_m} your slides on terminal accessibility are 🔥 Can I link them in our team wiki?")
P("alice", "Lunch: leftover dal, a sad clementine, and a stand-up meeting that could have been a chat "
  "message. Living the dream.")
P("alice", "Called my representative again. Voicemail full again. Writing a letter this time, with "
  "stamps, like it's 1994.", cw="US politics")
P("alice", "Reminder that TERM=dumb exists and your CLI should respect it. Also NO_COLOR.\nBoth. Please. "
  "#{cli}", key="a_nocolor")
P("chen", "@{alice} and CLICOLOR_FORCE for when people pipe into less -R. The trifecta.",
  reply="a_nocolor")
P("alice", "Our vendor AcmeCo just emailed to say the outage was \"a learning opportunity\". For whom, "
  "exactly?")
P("alice", "Reading the async closures RFC over tea. My brain is one big borrow checker error. #{rust}")
P("alice", "Kyoto trip planning 🇯🇵: 清水寺 at dawn, then coffee, then absolutely nothing.\n"
  "The laptop 👩‍💻 stays home.")
P("dana", "Incident retro tip: write the timeline first, blame-free, before anyone is allowed to propose "
  "fixes. Fixes written before the timeline are just vibes.", boost_by="alice")
P("rae", "If your app's only way to show state is colour, a chunk of your users cannot see the state. "
  "Add a symbol. A letter. Anything. #{a11y}", boost_by="alice")

# ---------------------------------------------------------------- core: chen
P("chen", "Good morning from a very wet Rotterdam. 🌧️ The canal has ducks, I have a deadline.")
P("chen", "TIL #[must_use] works on trait methods too, and clippy nags every caller who drops the "
  "result. Small thing, prevents real bugs. #{rustlang}")
P("chen", "Made the chili crisp recipe from last week. My eyes are watering and I regret nothing.",
  cw="food, very spicy", sensitive=True,
  media=["A glass jar of dark red chili oil with crispy shallots and sesame seeds, next to a bowl of "
         "noodles."])
P("kofi", "New release of our terminal emulator: ligatures behind a flag, 30% less memory with huge "
  "scrollback, and finally a fix for the Ctrl-Z hang.\n\nWritten in #{rust}, tested on far too many "
  "fonts. <https://example.org/releases/2026/11/v0.19>", boost_by="chen",
  card=("Release v0.19", "Ligatures, smaller scrollback, and the Ctrl-Z fix."))
P("ines", "GNOME translators are heroes. Today's shout-out: the Galician team, who updated 2,000 strings "
  "in a week. Obrigada! 💙", boost_by="chen")
P("chen", "@{jane_m} I tried your config trick for muting boosts from one account. Works perfectly, my "
  "timeline feels 30% calmer.")
P("chen", "Has anyone tried circles-tui yet? Column routing from a TOML file sounds exactly like the thing "
  "I've wanted since TweetDeck.")
P("chen", "Bike lane on the Coolsingel finally reopened. Rode it twice just for fun. 🚲")
P("chen", "Reviewing a PR that replaces 400 lines of hand-rolled parser with nom. Half of me is happy, the "
  "other half misses the hand-rolled one. #{rust} #{parsing}")
P("chen", "今天在鹿特丹吃到了很正宗的兰州拉面，汤头清，面筋道。🍜 推荐！", lang="zh")

# ---------------------------------------------------------------- core: bob
P("bob", "morning. the cat has decided my keyboard is a heated bed. productivity: paws'd")
P("bob", "First snow on the ridge this morning ❄️",
  media=["A pine-covered ridge under a light dusting of snow, pale blue sky, a wooden fence in the "
         "foreground."])
P("bob", "wrote my first proc macro today and I feel like I've been handed a chainsaw with no manual "
  "#{rust}")
P("bob", "What's your go-to tmux prefix? I've been on C-a for a decade and my muscle memory refuses to "
  "change.", key="b_tmux")
P("riley", "C-a since 2013. changing it now would be like learning to walk again", key="r_tmux",
  reply="b_tmux")
P("bob", "same. I tried C-space for a week and kept opening the emoji picker", key="b_tmux2",
  reply="r_tmux")
P("theo", "C-space opening the emoji picker is the most relatable thing I've read today", reply="b_tmux2")
P("marisol", "Library card reminder: most public libraries give you free language courses, audiobooks "
  "and sometimes museum passes. Go use it! 📚", key="m_library", boost_by="bob")
P("ada", "Ferris says hi 🦀 tiny reminder that impl Trait in argument position is just sugar for a "
  "generic. #{rustlang}", boost_by="bob")
P("bob", "@{jane_b} did you ever publish that list of terminal fonts with good box-drawing glyphs? asking "
  "for a friend (me)")
P("bob", "jane doe's post about routing your timeline into columns basically convinced me to try it. why "
  "did nobody tell me this was possible")
P("bob", "this write-up on why scrollback buffers are harder than they look is great "
  "<https://example.org/blog/2026/11/scrollback-is-hard>",
  card=("Scrollback is hard", "Ring buffers, reflow on resize, and the surprising cost of wide characters."))
P("bob", "ok the 🏳️‍🌈 flag renders as two glyphs in my terminal and now I'm three hours deep into "
  "grapheme clusters")
P("bob", "weekend plan: fix the bike, make soup, ignore my inbox.")
P("devon", "which test runner are you all using for big rust workspaces? cargo test is getting slow",
  key="d_runner")
P("bob", "cargo-nextest, no contest. #{rust}", reply="d_runner")

# ---------------------------------------------------------------- mentions of the user
P("dana", "@{jane_m} thanks for the review on the runbook PR! Merged, and the pager is already quieter.")
P("priya", "@{jane_m} we're doing the \"soup swap\" again on Saturday, you in? Bring a jar, leave with "
  "three.")
P("kofi", "@{jane_m} the sixel patch is in main. If your screenshots look weird now, that's on me, "
  "ping me.")
P("gus", "@{jane_m} @{tomas} the new tram line opens Sunday. Group ride to the end of the line and back?")
P("sam", "@{jane_m} heads up, the token in your gist from yesterday is still valid. Please rotate it. No "
  "judgement, happens to all of us.", vis="unlisted")
P("vera", "@{jane_m} :wq is not a personality, but it is a lifestyle. Thanks for the vimrc tips "
  ":blobcatheart:", emojis=["blobcatheart"])
P("jane_m", "Thinking about a winter trip to Berlin. Worth it, or is it just grey for three months?",
  key="jane_berlin", hidden=True)
P("lena", "@{jane_m} Berlin in December is grey, but the Christmas markets make up for it. Come! 🎄",
  reply="jane_berlin")
P("claire", "@{jane_m} Merci pour le lien ! Je l'ai partagé avec toute l'École. C'est un peu naïf, mais "
  "j'espère que ça les motivera.", lang="fr")
P("oleg", "@{jane_m} the split keyboard arrived! My wrists already thank you.",
  media=["A split ergonomic keyboard in two halves on a wooden desk, with tenting legs and blank grey "
         "keycaps."])
P("yuki", "@{jane_m} 東京に来るなら、神保町の古本屋街を案内しますよ！📚", lang="ja")
P("pat", "@{jane_m} you were right about the YAML. It was the YAML. It is always the YAML.",
  cw="work rant")
P("mina", "@{jane_m} 서울 오면 꼭 연락해! 맛있는 칼국수 집 알아 🍜", lang="ko")
P("nico", "@{jane_m} +1 to your proposal. Stripping escape sequences from display names should be table "
  "stakes for any terminal client.")
P("riley", "@{jane_b} congrats on the new job!! 🎉")
P("ana", "@{jane_b} your thread on colour contrast in terminals is getting passed around our whole team "
  "👏🏽")
P("devon", "hey @{jane_b}, is circles going to support lists? asking before I build my own janky version")
P("marisol", "reading @{jane_b}'s notes on building calm software and nodding so hard my neck hurts")
P("kenji", "🇯🇵 → 🇳🇱 landed! @{jane_b} coffee tomorrow?")
P("fern", "@{jane_b} @{bob} you two should really start a podcast")
P("jane_b", "switched my terminal font to Iosevka and everything looks 20% more serious",
  key="jane_font", hidden=True)
P("theo", "@{jane_b} same! I switched my editor to it last month and can't go back", reply="jane_font")
P("quinn", "thank you @{jane_b} for the book recs, starting with Rust for Rustaceans 📖")
P("sol", "👩🏽‍💻 pairing session with @{jane_b} today was the most productive two hours of my week")
P("luca", "@{jane_b} ciao! the photos from the meetup are up "
  "<https://example.com/meetups/2026/november/photos?album=terminal-night&sort=oldest>")
# near-misses: a different jane, and a handle that merely starts with "jane"
P("marco", "@{jane_online} see you at the meetup! I'll bring the stickers.")
P("ivy", "@{janedoe} thanks for the follow!")

# ---------------------------------------------------------------- alerts
P("acme", "AcmeCo status update: the EU-West region is recovering. We'll post a full incident report "
  "within 48 hours. <https://status.example.net/incidents/2026-11-20-euw>")
P("pat", "Our AcmeCo rep just called the outage \"partial\". Friend, the login page was a 502.")
P("tomas", "Anyone else getting AcmeCo invoices in triplicate this month? Asking for my accountant's "
  "blood pressure.")
P("zainab", "acmeco really said 'we value your feedback' and then closed the ticket. love that for me")
P("sol", "Jane Doe's talk on terminal UX is up, highly recommend <https://example.net/talks/2026/terminal-ux>",
  card=("Terminal UX that respects people", "Conference talk, 34 minutes."))
P("ferris_fan", "Just saw JANE DOE is keynoting the terminal tooling summit. Good choice, organisers.")
P("quinn", "the circle-tui author answered my issue in 12 minutes on a Sunday. protect this person at all "
  "costs")
P("kofi", "Packaging circles-tui for Alpine this weekend. If you run it on musl and something breaks, "
  "tell me.")
P("devon", "Circles-TUI + tmux + a vertical monitor = the TweetDeck of my dreams")
P("gus", "Interview with Jane Doe about calm technology, worth a read: "
  "<https://example.com/interviews/jane-doe-calm-tech>",
  card=("Calm technology, with Jane Doe", "On building software that respects attention."))
P("dana", "Timeline of our afternoon: 14:02 pager, 14:05 status page still green, 14:40 we find out from "
  "Bluesky.\n\nLessons:\n1. Don't trust the status page.\n2. Have a second DNS provider.",
  cw="AcmeCo outage, long")
P("marisol", "what a closing keynote 👏",
  media=["Jane Doe on stage holding a microphone; the slide behind her reads 'Calm Software'."])
P("rae", "Filed an accessibility issue on circles-tui about screen reader output. The maintainers were "
  "lovely about it.")
P("ana", "who had 'AcmeCo goes down during the AcmeCo conference keynote' on their bingo card")
P("lena", "Fun fact: there's a Jane Doe in my cycling club and she's the fastest of all of us. Not the "
  "same Jane Doe, probably. 🚴‍♀️")
P("ada", "jane doe + terminals + good typography is my entire personality this week")
P("nico", "Threat model for circles-tui: what if a display name contains an OSC 52 sequence? (It "
  "shouldn't matter. It must not matter.)")
P("zainab", "the circles-tui demo feed has more personality than my actual timeline")
P("claire", "Jane Doe a parlé hier soir de logiciels « calmes ». Salle comble, questions excellentes.",
  lang="fr")
# near-misses for alerts: must NOT match
P("oleg", "AcmeCorp makes the best keycaps, fight me.")
P("ivy", "JaneDoes is a great name for a band. Or a bakery.")
P("vera", "Wrote a small tool called circles-tuition to track my kid's school fees. Yes, the name is a "
  "pun.")

# ---------------------------------------------------------------- #rust / #rustlang
P("rustweekly", "This week in #{rust}: 142 PRs merged, a let-chains stabilisation report, and a call for "
  "testing on the new trait solver. <https://example.org/this-week-in-rust/2026-11-20>",
  card=("This Week in Rust 2026-11-20", "Updates from the Rust community."))
P("ferris_fan", "Every time the compiler says \"consider borrowing here\" I feel personally seen. "
  "#{rustlang}")
P("dana", "Rewrote our log shipper in #{rust}. Memory went from 600 MB to 38 MB. Not a typo. Yes, I will "
  "tell everyone at parties.", key="d_logship")
P("pat", "@{dana} what did you use for the Kafka client?", key="p_kafka", reply="d_logship")
P("dana", "@{pat} rdkafka. The async wrapper is fine once you stop fighting the config.",
  reply="p_kafka")
P("yuki", "Rustのライフタイム、やっと腑に落ちた気がする。参照は借りているだけ、という感覚。#{rust}", lang="ja")
P("ada", "hot tip: cargo expand when your macro does something you didn't expect. which is always. "
  "#{rust}")
P("luca", "Rust at work, week 6: the borrow checker and I are now on speaking terms. #{rustlang}")
P("priya", "Data pipeline in #{rust} with polars: 12 minutes down to 40 seconds. My manager asked what I "
  "did wrong.")
P("vera", "rust-analyzer + neovim setup finally stable. Inlay hints off, sanity on. #{rustlang} "
  "#{neovim}")
P("theo", "love that clippy has a lint called needless_pass_by_ref_mut. it's so specific. it knows. "
  "#{rust}")
P("sam", "Reminder: unsafe in #{rust} doesn't turn off the borrow checker, it unlocks five extra "
  "superpowers. Audit those five things.")
P("kenji", "Rust 勉強会 in 渋谷 tonight, 30人 signed up! 🦀 #{rustlang}", langs=["ja", "en"])
P("oleg", "Firmware for my macropad is now 100% #{rust} via embassy. Async on a microcontroller still "
  "feels like cheating.",
  media=["A small macropad with nine keys and a rotary knob, its green circuit board visible through a "
         "clear acrylic case."])
P("zainab", "my first PR to a rust project got merged!!! it was a typo fix in the docs but it COUNTS "
  "#{rust}")
P("gus", "Our city's open transit data now has a #{rust} client library. Government software that "
  "compiles on the first try? In this economy?")
P("sol", "ownership finally clicked when someone described it as 'who is responsible for cleaning up'. "
  "#{rustlang}")
P("lou", "Writing a synth in #{rust} with cpal. The first sound it made was a horrible screech and I've "
  "never been prouder.")
P("rustweekly", "Crate of the week: unicode-width, because your terminal columns deserve correct "
  "arithmetic. #{rust} <https://docs.rs/unicode-width/latest/unicode_width/>")
P("fern", "read the Rust book cover to cover on the train this month 🚆 chapter 16 on concurrency is a "
  "masterpiece #{rust}")
P("ines", "Fixing a #{rust} GTK4 app's translation loading. gettext-rs is fine once you stop fighting it.")
P("notes", "Field note: error handling in #{Rust}. thiserror for libraries, anyhow for applications, and "
  "don't overthink it. <https://example.org/notes/rust-errors>", langs=[],
  card=("Error handling in Rust", "A short field note."))
P("pat", "Kubernetes operator in #{Rust} with kube-rs: the types caught two bugs our Go version shipped "
  "with for a year.")
P("riley", "live-coding a tiny TUI in rust tonight on stream, come heckle #{rustlang}")
P("hana", "Advent of Code prep in #{rust}: my parser is 80 lines and 60 of them are error handling. "
  "Growth.")
P("rae", "Accessible CLI output in #{rust}: check std::io::IsTerminal before you colour anything. Screen "
  "reader users thank you.")
P("marisol", "the Rust community's documentation culture is genuinely inspiring. docs.rs alone 🤌 "
  "#{rust} <https://docs.rs>")
P("claire", "Premier projet en #{rust} terminé : un petit outil pour renommer mes photos. Le compilateur "
  "est sévère mais juste.", lang="fr")
P("tomas", "#{RustLang} meetup in Madrid next Thursday: pizza sponsored, talks on embedded and WASM. "
  "¡Venid!")
P("ivy", "if you're learning rust, rustlings is still the best first week imo #{rust}")
P("omar", "Benchmarking the #{rust} regex crate against our old C++ one: 3x faster on Arabic text with "
  "full Unicode classes enabled.")
P("wren", "wrote a tiny #{rust} CLI that tags my bird photos by date and location. 400 photos sorted in "
  "two seconds 🐦", media=["A terminal window listing photo filenames next to species names and dates."])
P("hana", "Is it just me or is Vec<Option<Box<T>>> the #{rust} equivalent of a Russian doll?")
P("ada", "cargo-semver-checks saved me from a breaking release today. run it in CI. #{rust}")
# excluded from the Rust column: crypto
P("nico", "New #{rust} library for zero-knowledge proofs just dropped and the crypto folks are "
  "excited.")
P("devon", "building a crypto wallet in rust, DM me if you want early access #{rust}")
P("lucky", "Why every crypto exchange is rewriting its matching engine in #{rustlang} 🧵")
P("nftdrops", "rust + crypto = 🚀🚀🚀 #{rustlang} #{web3}")
# excluded from the Rust column: boosts (two more are in the core section)
P("rustweekly", "Call for participation: the #{rust} compiler team is looking for people to triage "
  "diagnostics issues. Great first contributions! <https://example.org/rust/triage-call>",
  boost_by="ferris_fan")
P("theo", "pattern matching in rust is so good it ruined other languages for me #{rustlang}",
  boost_by="luca")

# ---------------------------------------------------------------- megaphone (muted account)
P("megaphone", "🔥 FLASH SALE 🔥 Mechanical keyboards 70% off for the next 3 hours only! Link in bio!!!")
P("megaphone", "Did you know? 9 out of 10 developers use the WRONG terminal. Find out which one you "
  "should use 👉 <https://example.com/deals/terminals>")
P("megaphone", "BIG NEWS: our weekly newsletter now has 50,000 readers!!! Subscribe today and never miss a "
  "deal!!!")
P("megaphone", "Hot take: tabs vs spaces doesn't matter. What matters is this 40% off coupon code: "
  "SPACES40")
P("megaphone", "Our webinar \"10x your productivity with AI\" starts in 15 minutes!! Last chance to "
  "register!!!")
P("megaphone", "📣 BOOST this post if you love coding! 📣")
P("megaphone", "Top 10 editor extensions you NEED in 2027 (number 7 will shock you) 👉 "
  "<https://example.com/listicles/editor-top-10>")
P("megaphone", "Good morning to everyone except people who haven't claimed their free e-book yet 📚")
P("megaphone", "Friday deals thread 🧵 1/12: standing desks, monitor arms, and a very large rubber duck.",
  media=["A giant yellow rubber duck on a desk next to a monitor."])
P("megaphone", "We're hiring!!! Rockstar ninja 10x developer wanted. Must love deadlines. 🚀")
P("jo", "Soup season is here. Today: roasted tomato with far too much garlic.", boost_by="megaphone")
P("gus", "The tram depot open day is on Saturday. You can drive a tram simulator. I will be there at "
  "opening time.", boost_by="megaphone")

# ---------------------------------------------------------------- keyword mutes (NFT / giveaway)
P("nftdrops", "💎 Exclusive NFT mint tonight at 8pm UTC, only 500 spots, whitelist open now 💎")
P("lucky", "MEGA GIVEAWAY 🎁 Follow + boost to win a brand-new laptop! Winner announced Monday!")
P("nftdrops", "our NFT collection sold out in 4 minutes 🚀 thank you fam, phase 2 next week")
P("oleg", "Keyboard giveaway: I have too many. Reply with your favourite switch and I'll ship a 65% board "
  "anywhere in the EU.")
P("fern", "the library's doing a seed giveaway this weekend!! tomatoes, beans and some mystery squash 🌱")
P("lucky", "nft airdrop for the first 100 replies 🪂 don't miss out")

# ---------------------------------------------------------------- reposter (boosts muted, own posts not)
P("lena", "Saturday market haul: leeks, apples, and a loaf bigger than my head.", boost_by="reposter")
P("weather", "Amsterdam, 12:00: 7°C, showers, wind W 30 km/h. Cycling into the wind: mandatory.",
  boost_by="reposter")
P("jo", "Hot chocolate season has officially started. Proper, thick, with a pinch of salt.",
  boost_by="reposter")
P("lou", "New ambient track out, made entirely from recordings of my radiator. "
  "<https://example.net/music/lou/radiator-suite>", boost_by="reposter")
P("gus", "Cities that publish their bike counter data: you are the real heroes.", boost_by="reposter")
P("hana", "Rewrote our build scripts in #{rust}. The old ones were 900 lines of Bash with a comment that "
  "said 'do not touch'.", boost_by="reposter")
P("reposter", "Morning all. Boosting the good stuff today as usual ♻️")
P("reposter", "Hard to beat a Sunday market haul: leeks, apples, and a loaf bigger than my head.")
P("reposter", "I boost a lot, I know. Use the mute-boosts button if it's too much, no hard feelings!")
P("reposter", "Reading list for the weekend: two novels and one very long blog post about DNS.")

# ---------------------------------------------------------------- content warnings
P("lena", "Got doored on Oranienstraße this morning. I'm fine, the bike's fine, the driver apologised.\n"
  "Please look before you open your door.", cw="cycling crash, no injuries")
P("sam", "This phishing kit is impressively polished. Note the fake 2FA prompt.",
  cw="screenshot of a phishing page", sensitive=True,
  media=["Screenshot of a fake login page imitating a bank, with a six-digit code prompt."])
P("rae", "Rough week. Taking tomorrow off. Rest is productive too.", cw="mental health", vis="unlisted")
P("bea", "Found aphids on every single kale leaf. Ladybird reinforcements ordered.",
  cw="bugs (the garden kind) 🐛", sensitive=True,
  media=["Close-up of a kale leaf covered in small green aphids."])
P("lou", "New track! Heavy on the distortion, turn your volume down first. "
  "<https://example.net/music/lou/static-bloom>", cw="loud audio")
P("tomas", "The sandworm scene in the second act. That's it. That's the post.",
  cw="spoilers: Dune Part Three")
P("jo", "Slow-roasted pork shoulder, 9 hours, falling apart.", cw="food, meat", sensitive=True,
  media=["A pulled pork shoulder on a wooden board, glistening with sauce, two forks sticking out."])

# ---------------------------------------------------------------- hostile input (must be sanitized)
P("mallory", "Totally normal post \x1b[31mwith red text\x1b[0m and nothing to see here.")
P("evil", "hey look at this \x1b[2J\x1b[Hyour screen is clean now")
P("evil", "click to copy: \x1b]52;c;aGVsbG8=\x07 done")
P("mallory", "Docs here: \x1b]8;;https://evil.example/\x1b\\https://doc.rust-lang.org/\x1b]8;;\x1b\\ "
  "(totally legit)", lang=None)
P("evil", "C1 controls: \x9b31mred?\x9b0m and a next line\x85here #{totallynormal}")
P("mallory", "Please review invoice_\u202efdp.exe and the \u2066isolated\u2069 total before Friday.")
P("mallory", "", html="<p>Entity attack: &#27;[2J&#27;[H and clipboard &#x1b;]52;c;aGVsbG8=&#7; "
  "harmless?</p><p>Bell&#x07; and CSI &#155;31m too.</p>")
P("evil", "just a regular post from a regular display name 🙂",
  media=["\x1b[5mblinking alt text\x1b[0m"])
P("mallory", "you can't see the spoiler? good.", cw="\x1b[8mhidden\x1b[0m spoiler")

# ---------------------------------------------------------------- everyone else
P("dana", "On-call handoff done. Quiet week: two disk alerts, one cert expiry we caught 11 days early, "
  "zero pages after midnight. I'll take it.", key="d_oncall")
P("pat", "@{dana} 11 days early is the most SRE sentence I've read all week.", key="p_oncall",
  reply="d_oncall")
P("dana", "@{pat} I've been burned by a Friday-night expiry exactly once. Once was enough.",
  reply="p_oncall")
P("dana", "Reminder that your runbooks should say what \"healthy\" looks like, not just what to do when "
  "it's broken.")
P("dana", "Standing desk finally assembled. Only one screw left over, which is a personal best.",
  media=["A standing desk with a laptop, a mechanical keyboard and a small cactus; an allen key and one "
         "loose screw lie on the desk."])
P("kofi", "Font rendering bug of the day: box-drawing characters off by one pixel at 13pt on one specific "
  "display scaling. I am not crying, you're crying.")
P("kofi", "Maintainers of terminal apps: how do you test across emulators? I've got a matrix of 9 "
  "terminals and it's still not enough.", key="k_matrix")
P("vera", "@{kofi} tmux inside each of them, then pray. Honestly, a headless vt100 in tests catches most "
  "of it.", key="v_matrix", reply="k_matrix")
P("kofi", "@{vera} yeah, we snapshot against a headless emulator now. Still get reports from terminals "
  "I've never heard of.", reply="v_matrix")
P("sam", "Rotate your keys. Rotate your keys. Rotate your keys.\nThis has been a public service "
  "announcement.")
P("sam", "Pentest report summary: the password policy was excellent. The password was on a sticky note "
  "on the monitor.", key="s_pentest")
P("nico", "@{sam} the sticky note is the most reliable password manager ever deployed.",
  reply="s_pentest")
P("sam", "Conference badge hacking in progress 🔧",
  media=["A circuit-board conference badge with an LED matrix, wired to a small USB programmer."])
P("lena", "Saturday's bake: rye sourdough with caraway. The crumb is finally where I want it. 🍞",
  key="l_bake",
  media=["A sliced dark rye loaf on a linen cloth, showing an open, even crumb with caraway seeds."])
P("bea", "@{lena} that crumb! What hydration?", key="b_bake", reply="l_bake")
P("lena", "@{bea} 78%, with a long cold proof. Recipe on my blog soon.", reply="b_bake")
P("lena", "Berlin weather report: grey. Tomorrow: also grey. Outlook: grey with a chance of more grey. "
  "☁️")
P("lena", "Cafe\u0301 Einstein on Kurfürstenstraße still makes the best Apfelstrudel in Berlin. Fight "
  "me. 🥧")
P("tomas", "Playlist for coding today: Rosalía, then Bach cello suites, then back to Rosalía. Don't ask.")
P("gus", "The new night bus network is live: 24 lines, every 20 minutes, and the map is actually "
  "readable. Transit nerds, rejoice! 🚌", key="g_night",
  media=["A colourful schematic map of night bus lines radiating from the city centre."])
P("tomas", "@{gus} the map is gorgeous. Who designed it?", key="t_night", reply="g_night")
P("gus", "@{tomas} a two-person studio in Valencia. I'll find the link.", reply="t_night")
P("gus", "Every city should publish its tree inventory as open data. Ours has 412,000 trees and I want "
  "to know every single one.", poll=("Would you read your city's tree data?",
                                     ["Yes, all of it", "Only my street", "What tree data?"], False))
P("priya", "Made paneer butter masala for the team lunch and now three people want me to \"just send the "
  "recipe\". There is no recipe. There are vibes and a lot of butter.")
P("priya", "sunset from the office roof", media=[None])
P("priya", "Airflow DAG failed at 3am because a vendor renamed a CSV column from 'Date' to 'date'. I have "
  "feelings.")
P("oleg", "Lubed 90 switches tonight. My podcast backlog is empty and my hands smell like Krytox.",
  media=["Rows of opened mechanical keyboard switches on a tray, with a small brush and a pot of "
         "lubricant."])
P("oleg", "Soldering tip: if it's not shiny, it's not done. If it's smoking, it's too done.")
P("mina", "오늘 서울에 첫눈이 왔어요! ❄️ 출근길은 조금 미끄러웠지만 너무 예뻤어요.", lang="ko")
P("mina", "Seoul cafe recommendation: tiny place in Seongsu with a record player and the best hojicha "
  "latte I've had. 🍵")
P("yuki", "Type theory reading group: we finally got through the chapter on dependent pattern matching. "
  "Three people cried, one of them was me.")
P("yuki", "東京は今日も快晴。☀️ 秋葉原でキーボードのパーツを探しています。", lang="ja",
  media=["秋葉原の電気街。ネオン看板とキーキャップの並ぶ店先。"])
P("hana", "בוקר טוב מתל אביב! הים רגוע היום והקפה חזק. ☕", lang="he")
P("hana", "Jaffa flea market haul: a brass lamp, two chipped plates and a cassette of 80s pop.")
P("omar", "صباح الخير من عمّان ☀️ القهوة جاهزة والمطر جاء أخيراً.", lang="ar")
P("omar", "Falafel debate at the office: chickpea only vs chickpea + fava. I'm team fava and I will not "
  "be taking questions.")
P("claire", "Réunion à l'École ce matin : la rentrée, la cantine, et une idée un peu naïve mais belle, un "
  "jardin partagé. 🌻", lang="fr")
P("claire", "Le marché de la Croix-Rousse ce matin : fromages, châtaignes et un accordéoniste très "
  "motivé. 🧀", lang="fr")
P("weather", "Rotterdam, 07:00: 8°C, light rain, wind SW 24 km/h. Umbrella: yes. Bike: brave.")
P("weather", "Berlin, 07:00: 3°C, overcast, wind W 12 km/h. Gloves recommended.")
P("weather", "Tokyo, 18:00: 14°C, clear, wind N 8 km/h. Good evening for a walk.")
P("weather", "Seoul, 09:00: -1°C, light snow ❄️, wind NW 15 km/h. Watch your step.")
P("weather", "Lisbon, 15:00: 17°C, sunny, wind NW 10\u00a0km/h. Sunglasses weather in November.")
P("rae", "Alt text doesn't have to be perfect. It has to exist. Start there.")
P("rae", "Tested five terminal apps with a screen reader today. Two were usable.\n\nWrite down what your "
  "UI means, not just what it looks like.")
P("nico", "CTF weekend went well: 14th out of 300, and I learned more about ELF loaders than I ever "
  "wanted to.")
P("ines", "Translating release notes into Portuguese at 11pm because the release is tomorrow. Glamorous "
  "open source life.")
P("ines", "Lisboa hoje: sol, pastéis de nata e um elétrico 28 cheio de turistas. 🇵🇹", lang="pt")
P("pat", "YAML indentation error took down staging. I would like to speak to YAML's manager.")
P("pat", "Kubernetes tip: kubectl explain is right there. It has been there the whole time.")
P("lou", "Modular patch of the day: a slow LFO into the filter, random voltage into the delay time, and a "
  "cup of tea.")
P("lou", "My synth desk after tonight's session. Cable spaghetti is a lifestyle.",
  media=["A modular synthesizer covered in dozens of colourful patch cables, lit by a warm desk lamp."])
P("bea", "The last tomatoes of the year are ripening on the windowsill. Green tomato chutney for the "
  "rest.", media=[None, "Six green and orange tomatoes lined up on a sunny windowsill."])
P("bea", "Planted 200 tulip bulbs. My back has filed a formal complaint.")
P("vera", "Hot take: :help is the best documentation any software has ever shipped.")
P("vera", "Tabs or spaces, final answer?", poll=("Tabs or spaces?", ["Tabs", "Spaces",
                                                                      "Whatever the formatter says"], True))
P("jo", "Tonight's dinner: roasted squash, brown butter, sage, crispy chickpeas. Autumn on a plate 🍂",
  media=["A ceramic bowl with roasted squash wedges, sage leaves and crispy chickpeas drizzled with brown "
         "butter."])
P("jo", "Hot tip for ramen at home: soft-boil the eggs for exactly 6:30, then ice bath. Trust me.")
P("marco", "Espresso number three. The PR review continues.")
P("marco", "Milano stamattina: nebbia fitta, tram in ritardo, brioche perfetta. ☕", lang="it")
P("ferris_fan", "Someone at the meetup had a knitted Ferris. I need one. I need one immediately.")
P("acme", "Scheduled maintenance on Sunday 02:00-04:00 UTC. Dashboards may be briefly unavailable.")
P("rustweekly", "Reminder: the community survey closes on Sunday. It takes ten minutes and it helps "
  "maintainers a lot. <https://example.org/survey/2026>")
P("tomas", "Madrid is 19°C in late November and I will not be accepting complaints about it.")
P("omar", "Learning the oud again after ten years. My fingers remember more than I do.", key="o_oud")
P("hana", "@{omar} that's wonderful! Post a recording when you're ready?", reply="o_oud")
P("yuki", "Proof assistants are just very patient friends who refuse to accept 'it's obvious'.")
P("kofi", "Release day. Tagging, building, signing, praying. 🙏🏿")
P("sam", "Your periodic reminder that MFA via SMS is better than nothing and worse than everything else.")
P("mina", "Hangang park bike ride this afternoon, the river was glowing 🚲",
  media=["The Han River at sunset with bicycles parked along a railing."])
P("claire", "\"Le code, c'est comme l'humour : quand on doit l'expliquer, c'est mauvais.\" Vu sur un "
  "tableau blanc ce matin.", lang="fr")
P("gus", "Counted 31 cargo bikes on my 10-minute walk to the station. The future is here, it's just "
  "carrying toddlers.")
P("priya", "Pro tip: label your freezer containers. Today's 'chili' was apple sauce.")

# Bluesky everyone-else
P("riley", "coffee shop wifi password is 'password123' and honestly? respect")
P("riley", "my mechanical keyboard arrived and my flatmate has already asked me to 'type quieter'")
P("ana", "Lisbon sunset from Miradouro da Graça tonight 🌅",
  media=["An orange sunset over terracotta rooftops, with the river in the distance."])
P("ana", "week 3 of learning to crochet: I have made one (1) lumpy coaster and I love it")
P("notes", "Field note: the most useful shell alias I have is gs for git status. Boring, but I type it "
  "200 times a day.", langs=[])
P("notes", "Field note: write the README before the code. It is the only design document people actually "
  "read.", langs=[])
P("devon", "hot take: dark mode is not an accessibility feature by itself", key="dv_dark")
P("marisol", "finished 'The Left Hand of Darkness' on the train and now I need to sit in silence for a "
  "while")
P("ada", "this. my library card has saved me hundreds of euros this year", quote="m_library")
P("kenji", "Amsterdam canals at night are unreal 🌃",
  media=["Canal houses lit up at night, their reflections wobbling in the dark water."])
P("kenji", "東京の紅葉がピークです🍁 今日は代々木公園を散歩しました。", lang="ja",
  media=["代々木公園の赤と黄色の紅葉と、落ち葉の上を歩く人々。"])
P("ada", "reading old RFCs for fun. RFC 1149 (IP over avian carriers) holds up")
P("fern", "first frost last night 🥶 the dahlias did not make it", key="f_frost")
P("ivy", "rip dahlias. dig the tubers up before the ground freezes!", key="i_frost", reply="f_frost")
P("fern", "already on it, they're drying in the shed 🌱", reply="i_frost")
P("theo", "I have 47 browser tabs open and every single one is load-bearing")
P("zainab", "Sunday plan: biryani from scratch. The onions alone take an hour. Worth it.")
P("zainab", "learning Arabic: مرحبا means hello, شكرا means thanks. my teacher says my accent is "
  "'enthusiastic' 😅", langs=["en", "ar"])
P("quinn", "what's a small piece of software that made your life noticeably better this year?",
  key="q_soft")
P("sol", "ripgrep, forever", key="s_soft", reply="q_soft")
P("ada", "a password manager. sorry, it's boring, but it's true", key="a_soft", reply="q_soft")
P("quinn", "boring is good!! boring means it works", reply="a_soft")
P("theo", "fzf. it's in every part of my shell now", reply="q_soft")
P("luca", "cacio e pepe attempt #4: the sauce didn't split. I am a changed man 🍝", key="l_cacio")
P("kenji", "recipe pls 🙏", key="k_cacio", reply="l_cacio")
P("luca", "pecorino, pepper, pasta water, patience. the 4 Ps", reply="k_cacio")
P("wren", "Spotted a kingfisher on the canal this morning, first one in months 🐦",
  media=["A small kingfisher with a bright blue back and orange breast perched on a branch above dark "
         "water."])
P("wren", "Birding tip: early morning, bring a thermos, move slowly. The birds are judging you anyway.")
P("mo", "10k in the rain this morning. PB by 14 seconds. Soaked and smug 🏃")
P("mo", "trail run went sideways, literally. knee looks worse than it is", label="graphic-media",
  media=["A scraped knee with gravel rash after a fall on a trail."])
P("mo", "rest day. by which I mean I cleaned the entire flat")
P("pixel", "pixel art of my cat as a 16x16 sprite, took 3 hours, zero regrets",
  media=["A 16 by 16 pixel sprite of an orange tabby cat sitting on a pale blue background."])
P("pixel", "new palette experiment, what do we think", media=[""])
P("pixel", "family portrait, pixel edition 👨‍👩‍👧‍👦 took me all weekend",
  media=["Four pixel-art figures of different heights standing in a row, waving."])
P("sol", "the 🇵🇹 vs 🇧🇷 pastel de nata debate at work got heated. (there is no debate. it's Portugal)")
P("ivy", "my plant has a new leaf and I'm treating it like a birth announcement 🌿")
P("riley", "tmux + neovim + a good font and I'm basically unstoppable (until the wifi drops)")
P("devon", "today I learned you can pipe `git log` into `less -S` and stop wrapping. life changing")
P("marisol", "the bookshop on my street has a cat that sleeps exclusively on the poetry shelf. curated")
P("theo", "finally got my dotfiles into a git repo. only took 9 years")
P("ana", "today's tram ride soundtrack: a busker playing fado on a ukulele. Lisbon never misses")
P("quinn", "shoutout to everyone who writes good error messages. you're doing the lord's work")
P("luca", "nebbia su Milano stamattina, sembrava un film 🌫️", lang="it")
P("fern", "seed catalogue arrived. I have circled 40 things. I have room for 6.")
P("janedoe", "new profile pic, who dis 📸")
P("kenji", "jet lag status: wide awake at 4am, reading about the history of kanji input methods")
P("ada", "bsky tip: custom feeds are great, but a plain chronological timeline is underrated")
P("zainab", "my cat knocked over my tea onto the one notebook I hadn't backed up. no, this is not a "
  "metaphor for anything")
P("wren", "Winter birds are back at the feeder: great tits, a robin and one very bossy nuthatch.")
P("sol", "reminder to drink water and stretch your shoulders. yes you.")
P("devon", "the best code review comment I ever got: 'what if we just didn't'")
P("notes", "Field note: if a script runs more than twice, it deserves a --help.", langs=[])
P("riley", "shipping a TUI feels like shipping a tiny house: everything has to fit, nothing can wobble")
P("ivy", "a deleted post started this thread apparently", key="i_gone_root", gone=True)
P("theo", "I think the original got deleted but the replies are gold", key="t_gone", reply="i_gone_root")
P("luca", "Turin → Milan on the regional train, 1h and not a single delay. screenshot for evidence 📸",
  media=["A departures board with every train marked 'in orario'."])
P("marisol", "Saturday: farmers market, library, nap. in that order. no exceptions")
P("ana", "what's your favourite bakery in your city and why is it the one with the grumpy owner")
P("pixel", "animated a 4-frame walk cycle and it looks like he's moonwalking. keeping it")



def K(prefix: str) -> str:
    """The key of the (unique) post whose text starts with prefix."""
    hits = [s.key for s in SPECS if s.text.startswith(prefix)]
    assert len(hits) == 1, (prefix, hits)
    return hits[0]


# replies within the everyday chatter (parents are defined above)
P("dana", "@{pat} YAML's manager is also YAML. It's YAML all the way down.", key="d_yaml",
  reply=K("YAML indentation"))
P("pat", "@{dana} I knew it. I've always known it.", reply="d_yaml")
P("claire", "@{lena} Lyon aussi. On partage le gris ? ☁️", lang="fr", reply=K("Berlin weather report"))
P("jo", "@{priya} apple sauce chili is a bold fusion concept", key="j_fusion", reply=K("Pro tip: label"))
P("priya", "@{jo} I ate it anyway. With cheese. No regrets.", reply="j_fusion")
P("nico", "@{sam} hardware keys or bust. I carry two, like a medieval key master.",
  reply=K("Your periodic reminder"))
P("chen", "@{kofi} Godspeed. Tag it and walk away from the computer.", key="c_release",
  reply=K("Release day."))
P("kofi", "@{chen} walked away. Came back. Three issues already. Classic.", reply="c_release")
P("ferris_fan", "@{hana} wait until you meet Arc<Mutex<HashMap<String, Vec<u8>>>> at a party",
  reply=K("Is it just me"))
P("vera", "@{yuki} and they never get tired of you asking \"but why\".", reply=K("Proof assistants"))
P("lou", "@{oleg} and if the smoke is blue, it's not smoke, it's a feature.", reply=K("Soldering tip"))
P("tomas", "@{gus} Madrid counted 9 on my street today. We're getting there.", reply=K("Counted 31"))
P("chen", "@{alice} a sad clementine is still a clementine. Stay strong.", key="c_clem",
  reply=K("Lunch: leftover dal"))
P("alice", "@{chen} it was, in fact, not a clementine. It was a very small orange. The betrayal.",
  reply="c_clem")
P("lena", "@{tomas} I'm muting you until March.", reply=K("Madrid is 19°C"))
P("mina", "@{jo} 6:30 is correct. Mirin in the marinade too!", reply=K("Hot tip for ramen"))
P("claire", "@{omar} Équipe pois chiches uniquement. On en reparlera.", lang="fr",
  reply=K("Falafel debate"))
P("ferris_fan", "@{rustweekly} done! Took eight minutes, including the coffee refill.",
  reply=K("Reminder: the community survey"))
P("tomas", "@{marco} number three is rookie numbers. Solidarity, though.", reply=K("Espresso number three"))
P("vera", "@{hana} and the other 20 lines are the actual solution, right? #{rust}",
  reply=K("Advent of Code prep"))
P("devon", "tell them 'password1234' is more secure and watch them change it", key="dv_wifi",
  reply=K("coffee shop wifi"))
P("riley", "I did. they laughed. then they changed it.", reply="dv_wifi")
P("marisol", "lumpy coasters are the best coasters", reply=K("week 3 of learning to crochet"))
P("sol", "the 47th is a tab about tab management isn't it", key="s_tabs", reply=K("I have 47 browser"))
P("theo", "...it's two tabs about tab management", reply="s_tabs")
P("ivy", "oh no. rice bag time? 🍚", reply=K("my cat knocked over"))
P("wren", "Soaked and smug is the best way to be. Congrats!", reply=K("10k in the rain"))
P("ada", "it's not a bug, it's choreography", reply=K("animated a 4-frame"))
P("kenji", "in orario?? I need to see this with my own eyes", reply=K("Turin → Milan"))
P("riley", "what soup", key="r_soup", reply=K("weekend plan: fix the bike"))
P("bob", "roasted tomato and white bean. the inbox remains ignored", reply="r_soup")
P("fern", "the cat has excellent taste", reply=K("the bookshop on my street"))
P("quinn", "wait until you find out about git log --oneline --graph <https://git-scm.com/docs/git-log>",
  reply=K("today I learned you can pipe"))
P("luca", "4am is the correct time to read about kanji input methods, everyone knows this",
  reply=K("jet lag status"))
P("devon", "README-driven development. stealing this", reply=K("Field note: write the README"))
P("fern", "bossy nuthatches are the best nuthatches", reply=K("Winter birds are back"))
P("bob", "chronological or nothing 🫡", reply=K("bsky tip: custom feeds"))


# --------------------------------------------------------------------------
# Timestamps
# --------------------------------------------------------------------------


CHILDREN: dict[str, int] = {}  # number of replies in this file, per parent key


def assign_times() -> None:
    span = (END - START).total_seconds()

    def sample(lo: float = 0.0, hi: float = 1.0) -> datetime:
        while True:
            t = START + timedelta(seconds=span * RNG.uniform(lo, hi), milliseconds=RNG.randrange(1000))
            # a human timeline thins out at night (UTC)
            if t.hour < 6 and RNG.random() < 0.8:
                continue
            return t

    parents = {s.reply for s in SPECS if s.reply} | {s.quote for s in SPECS if s.quote}
    for s in SPECS:
        if s.reply:
            continue
        if s.hidden or s.gone:
            s.t = sample(0.05, 0.8) - timedelta(minutes=RNG.randrange(20, 60))
        elif s.key in parents:
            s.t = sample(0.0, 0.85)  # room for the replies after it
        else:
            s.t = sample()
        if s.boost_by:
            s.bt = s.t
            s.t = s.bt - timedelta(minutes=RNG.randrange(15, 20 * 60), seconds=RNG.randrange(60))
    for s in SPECS:  # parents are always listed before their replies
        if s.reply:
            p = BY_KEY[s.reply]
            ref = p.bt or p.t
            s.t = min(ref + timedelta(minutes=RNG.randrange(2, 55), seconds=RNG.randrange(60),
                                      milliseconds=RNG.randrange(1000)),
                      END - timedelta(seconds=RNG.randrange(30, 600)))
            assert s.t > p.t, s.key
    for s in SPECS:  # a quote comes after what it quotes
        if s.quote:
            q = BY_KEY[s.quote]
            if s.t <= q.t + timedelta(minutes=5):
                s.t = q.t + timedelta(minutes=RNG.randrange(5, 90), seconds=RNG.randrange(60))
    for s in SPECS:
        if s.reply:
            CHILDREN[s.reply] = CHILDREN.get(s.reply, 0) + 1


# --------------------------------------------------------------------------
# Text rendering
# --------------------------------------------------------------------------

TOKEN = re.compile(r"@\{(\w+)\}|#\{(\w+)\}|<(https?://[^>\s]+)>")


def tokens(text: str):
    """Yield ("text", s) / ("mention", key) / ("tag", name) / ("link", url)."""
    pos = 0
    for m in TOKEN.finditer(text):
        if m.start() > pos:
            yield "text", text[pos : m.start()]
        if m.group(1):
            yield "mention", m.group(1)
        elif m.group(2):
            yield "tag", m.group(2)
        else:
            yield "link", m.group(3)
        pos = m.end()
    if pos < len(text):
        yield "text", text[pos:]


def html_escape(s: str, local: bool) -> str:
    """Local statuses go through Rails' html_escape (quotes too); remote HTML
    is re-serialized by Mastodon's sanitizer, which only escapes & < > and nbsp."""
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if local:
        return s.replace('"', "&quot;").replace("'", "&#39;")
    return s.replace("\u00a0", "&nbsp;")


def m_link(url: str) -> str:
    m = re.match(r"(https?://(?:www\.)?)(.*)", url)
    prefix, rest = m.group(1), m.group(2)
    if len(rest) > 30:
        shown, tail, cls = rest[:30], rest[30:], "ellipsis"
    else:
        shown, tail, cls = rest, "", ""
    e = lambda s: s.replace("&", "&amp;")  # noqa: E731
    return (f'<a href="{e(url)}" target="_blank" rel="nofollow noopener" translate="no">'
            f'<span class="invisible">{e(prefix)}</span><span class="{cls}">{e(shown)}</span>'
            f'<span class="invisible">{e(tail)}</span></a>')


def m_content(s: Spec, author: Account) -> tuple[str, list, list]:
    """Mastodon HTML content, mentions[] and tags[]."""
    local = author.local
    br = "<br>" if author.host in ("chaos.social", "evil.example", "toot.example.com") else "<br />"
    mentions, tags, seen_m, seen_t = [], [], set(), set()
    paras = []
    for para in s.text.split("\n\n"):
        lines = []
        for line in para.split("\n"):
            out = []
            for kind, val in tokens(line):
                if kind == "text":
                    out.append(html_escape(val, local))
                elif kind == "mention":
                    a = ACCOUNTS[val]
                    assert a.net == "m", (s.key, val)
                    out.append(f'<span class="h-card" translate="no"><a href="{a.profile_url}" '
                               f'class="u-url mention">@<span>{a.user}</span></a></span>')
                    if val not in seen_m:
                        seen_m.add(val)
                        mentions.append({"id": a.mid, "username": a.user, "url": a.profile_url,
                                         "acct": a.acct})
                elif kind == "tag":
                    out.append(f'<a href="https://{author.host}/tags/{val}" class="mention hashtag" '
                               f'rel="tag">#<span>{val}</span></a>')
                    if val.lower() not in seen_t:
                        seen_t.add(val.lower())
                        tags.append({"name": val.lower(), "url": f"https://{HOME}/tags/{val.lower()}"})
                else:
                    out.append(m_link(val))
            lines.append("".join(out))
        paras.append("<p>" + br.join(lines) + "</p>")
    return "".join(paras), mentions, tags


def short_link(url: str) -> str:
    """How the Bluesky app displays a link in post text."""
    rest = re.sub(r"^https?://(www\.)?", "", url).rstrip("/")
    return rest if len(rest) <= 30 else rest[:27] + "..."


def b_text(s: Spec, facet_type: bool) -> tuple[str, list]:
    """Bluesky record text and facets (UTF-8 byte offsets)."""
    text, facets = "", []

    def add(piece: str, feature: dict) -> None:
        nonlocal text
        start = len(text.encode("utf-8"))
        text += piece
        f = {"features": [feature], "index": {"byteEnd": len(text.encode("utf-8")), "byteStart": start}}
        if facet_type:
            f = {"$type": "app.bsky.richtext.facet", **f}
        facets.append(f)

    for kind, val in tokens(s.text):
        if kind == "text":
            text += val
        elif kind == "mention":
            a = ACCOUNTS[val]
            assert a.net == "b", (s.key, val)
            add("@" + a.handle, {"$type": "app.bsky.richtext.facet#mention", "did": a.did})
        elif kind == "tag":
            add("#" + val, {"$type": "app.bsky.richtext.facet#tag", "tag": val})
        else:
            add(short_link(val), {"$type": "app.bsky.richtext.facet#link", "uri": val})
    return text, facets


# --------------------------------------------------------------------------
# Mastodon entities
# --------------------------------------------------------------------------

IMG_SIZES = [(1600, 1200), (1200, 1600), (2048, 1152), (1080, 1080), (1920, 1080), (1536, 2048)]


def m_account(a: Account, at: datetime) -> dict:
    mid = a.mid
    base = "https://files.mastodon.social/" + ("" if a.local else "cache/")
    if a.avatar:
        av = f"{base}accounts/avatars/{id_path(mid)}/original/{hexid('av', a.key)}.png"
    else:
        av = f"https://{HOME}/avatars/original/missing.png"
    header = (f"{base}accounts/headers/{id_path(mid)}/original/{hexid('hd', a.key)}.jpeg"
              if hnum("hdr", a.key) % 3 else f"https://{HOME}/headers/original/missing.png")
    note = a.note or f"{a.name or a.user} on {a.host}."
    return {
        "id": mid,
        "username": a.user,
        "acct": a.acct,
        "display_name": a.name or "",
        "locked": a.locked,
        "bot": a.bot,
        "discoverable": not a.bot,
        "indexable": not a.bot and a.key != "vera",
        "group": False,
        "created_at": a.since + "T00:00:00.000Z",
        "note": "<p>" + html_escape(note, a.local) + "</p>",
        "url": a.profile_url,
        "uri": f"https://{a.host}/users/{a.user}",
        "avatar": av,
        "avatar_static": av,
        "header": header,
        "header_static": header,
        "followers_count": a.followers,
        "following_count": a.following,
        "statuses_count": a.statuses,
        "last_status_at": at.strftime("%Y-%m-%d"),
        "hide_collections": None if not a.local else False,
        "emojis": a.emojis,
        "fields": a.fields,
    }


def m_media(s: Spec, author: Account, i: int, alt) -> dict:
    mid = snowflake(s.t + timedelta(seconds=-40 + i), f"media{s.key}{i}")
    w, h = IMG_SIZES[hnum("sz", s.key, i) % len(IMG_SIZES)]
    sw, sh = (640, round(640 * h / w)) if w >= h else (round(640 * w / h), 640)
    name = hexid("img", s.key, i)
    cache = "" if author.local else "cache/"
    return {
        "id": mid,
        "type": "image",
        "url": f"https://files.mastodon.social/{cache}media_attachments/files/{id_path(mid)}/original/{name}.jpeg",
        "preview_url": f"https://files.mastodon.social/{cache}media_attachments/files/{id_path(mid)}/small/{name}.jpeg",
        "remote_url": None if author.local else
        f"https://media.{author.host}/media_attachments/files/{id_path(mid)}/original/{name}.jpeg",
        "preview_remote_url": None,
        "text_url": None,
        "meta": {
            "original": {"width": w, "height": h, "size": f"{w}x{h}", "aspect": w / h},
            "small": {"width": sw, "height": sh, "size": f"{sw}x{sh}", "aspect": sw / sh},
            "focus": {"x": 0.0, "y": 0.0},
        },
        "description": alt or None,
        "blurhash": blurhash(s.key, i),
    }


def m_card(s: Spec) -> dict | None:
    if not s.card:
        return None
    url = next(v for k, v in tokens(s.text) if k == "link")
    title, desc = s.card
    host = re.sub(r"^https?://", "", url).split("/")[0]
    img = hnum("cardimg", s.key) % 2 == 0
    return {
        "url": url,
        "title": title,
        "description": desc,
        "language": "en",
        "type": "link",
        "author_name": "",
        "author_url": "",
        "provider_name": host,
        "provider_url": "",
        "html": "",
        "width": 400 if img else 0,
        "height": 210 if img else 0,
        "image": (f"https://files.mastodon.social/cache/preview_cards/images/{id_path(str(hnum('c', s.key) % 10**9))}"
                  f"/original/{hexid('card', s.key)}.jpg") if img else None,
        "image_description": "",
        "embed_url": "",
        "blurhash": blurhash("card", s.key) if img else None,
        "published_at": None,
        "authors": [],
    }


def m_poll(s: Spec) -> dict | None:
    if not s.poll:
        return None
    _q, options, multiple = s.poll
    votes = [hnum("v", s.key, o) % 90 + 3 for o in options]
    expires = s.t + timedelta(days=1)
    return {
        "id": str(100000 + hnum("poll", s.key) % 900000),
        "expires_at": iso_ms(expires),
        "expired": expires < END,
        "multiple": multiple,
        "votes_count": sum(votes),
        "voters_count": (max(votes) + 7) if multiple else None,
        "options": [{"title": o, "votes_count": v} for o, v in zip(options, votes)],
        "emojis": [],
        "voted": False,
        "own_votes": [],
    }


def m_ids(s: Spec) -> tuple[str, str, str]:
    """(local id, uri, url) of a status."""
    a = ACCOUNTS[s.by]
    local_id = snowflake(s.t, "m" + s.key)
    if a.local:
        return local_id, f"https://{HOME}/users/{a.user}/statuses/{local_id}", f"https://{HOME}/@{a.user}/{local_id}"
    origin = snowflake(s.t - timedelta(milliseconds=hnum("lag", s.key) % 900), "o" + s.key)
    return local_id, f"https://{a.host}/users/{a.user}/statuses/{origin}", f"{a.profile_url}/{origin}"


def m_status(s: Spec) -> dict:
    a = ACCOUNTS[s.by]
    local_id, uri, url = m_ids(s)
    content, mentions, tags = m_content(s, a)
    if s.html is not None:
        content = s.html
    in_reply_id = in_reply_acct = None
    if s.reply:
        p = BY_KEY[s.reply]
        in_reply_id = m_ids(p)[0]
        in_reply_acct = ACCOUNTS[p.by].mid
    pop = hnum("pop", s.key)
    st = {
        "id": local_id,
        "created_at": iso_ms(s.t),
        "in_reply_to_id": in_reply_id,
        "in_reply_to_account_id": in_reply_acct,
        "sensitive": s.sensitive,
        "spoiler_text": s.cw,
        "visibility": s.vis,
        "language": s.lang,
        "uri": uri,
        "url": url,
        "replies_count": CHILDREN.get(s.key, 0) + pop % 4,
        "reblogs_count": (pop >> 8) % (60 if s.by in ("alice", "chen", "rustweekly") else 15),
        "favourites_count": (pop >> 16) % (180 if s.by in ("alice", "chen") else 40),
        "edited_at": iso_ms(s.t + timedelta(minutes=3 + pop % 40)) if s.edited else None,
        "favourited": False,
        "reblogged": False,
        "muted": False,
        "bookmarked": False,
        "content": content,
        "filtered": [],
        "reblog": None,
    }
    if a.local and a.show_app:
        st["application"] = {"name": "Web" if pop % 4 else "Ivory for iOS",
                             "website": None if pop % 4 else "https://tapbots.com/ivory"}
    st.update({
        "account": m_account(a, s.t),
        "media_attachments": [m_media(s, a, i, alt) for i, alt in enumerate(s.media)],
        "mentions": mentions,
        "tags": tags,
        "emojis": [custom_emoji(e, a.host) for e in s.emojis],
        "card": m_card(s),
        "poll": m_poll(s),
    })
    return st


def m_reblog(s: Spec) -> dict:
    """The wrapper status Mastodon returns for a boost."""
    b = ACCOUNTS[s.boost_by]
    wid = snowflake(s.bt, "rb" + s.key)
    if b.local:
        uri = f"https://{HOME}/users/{b.user}/statuses/{wid}/activity"
        url = uri
    else:
        uri = f"https://{b.host}/users/{b.user}/statuses/{snowflake(s.bt, 'rbo' + s.key)}/activity"
        url = None
    return {
        "id": wid,
        "created_at": iso_ms(s.bt),
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": None,
        "uri": uri,
        "url": url,
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "edited_at": None,
        "favourited": False,
        "reblogged": False,
        "muted": False,
        "bookmarked": False,
        "content": "",
        "filtered": [],
        "reblog": m_status(s),
        "account": m_account(b, s.bt),
        "media_attachments": [],
        "mentions": [],
        "tags": [],
        "emojis": [],
        "card": None,
        "poll": None,
    }


# --------------------------------------------------------------------------
# Bluesky views
# --------------------------------------------------------------------------

JANE_DID = ACCOUNTS["jane_b"].did


def b_profile(a: Account) -> dict:
    p: dict = {"did": a.did, "handle": a.handle}
    if a.name is not None:
        p["displayName"] = a.name
    if a.avatar:
        p["avatar"] = f"https://cdn.bsky.app/img/avatar/plain/{a.did}/{cid('raw', 'av', a.key)}@jpeg"
    if hnum("assoc", a.key) % 2:
        p["associated"] = {"chat": {"allowIncoming": "following"},
                           "activitySubscription": {"allowSubscriptions": "followers"}}
    viewer: dict = {"muted": False, "blockedBy": False}
    if a.followed:
        follow_t = datetime.fromisoformat(a.since).replace(tzinfo=timezone.utc) + timedelta(days=30)
        viewer["following"] = f"at://{JANE_DID}/app.bsky.graph.follow/{tid(follow_t, 'follow' + a.key)}"
    p["viewer"] = viewer
    p["labels"] = []
    p["createdAt"] = a.since + f"T{hnum('h', a.key) % 24:02d}:{hnum('m', a.key) % 60:02d}:" \
                               f"{hnum('s', a.key) % 60:02d}.{hnum('ms', a.key) % 1000:03d}Z"
    return p


def b_uri(s: Spec) -> str:
    return f"at://{ACCOUNTS[s.by].did}/app.bsky.feed.post/{tid(s.t, 'b' + s.key)}"


def b_cid(s: Spec) -> str:
    return cid("cbor", "post", s.key, s.text)


def b_images(s: Spec, a: Account) -> tuple[dict, dict]:
    rec, view = [], []
    for i, alt in enumerate(s.media):
        w, h = IMG_SIZES[hnum("sz", s.key, i) % len(IMG_SIZES)]
        blob = cid("raw", "img", s.key, i)
        rec.append({
            "alt": alt or "",
            "aspectRatio": {"height": h, "width": w},
            "image": {"$type": "blob", "ref": {"$link": blob}, "mimeType": "image/jpeg",
                      "size": 120000 + hnum("bytes", s.key, i) % 800000},
        })
        view.append({
            "thumb": f"https://cdn.bsky.app/img/feed_thumbnail/plain/{a.did}/{blob}@jpeg",
            "fullsize": f"https://cdn.bsky.app/img/feed_fullsize/plain/{a.did}/{blob}@jpeg",
            "alt": alt or "",
            "aspectRatio": {"height": h, "width": w},
        })
    return ({"$type": "app.bsky.embed.images", "images": rec},
            {"$type": "app.bsky.embed.images#view", "images": view})


def b_external(s: Spec, a: Account) -> tuple[dict, dict]:
    url = next(v for k, v in tokens(s.text) if k == "link")
    title, desc = s.card
    blob = cid("raw", "ext", s.key)
    rec = {"$type": "app.bsky.embed.external",
           "external": {"description": desc, "thumb": {"$type": "blob", "ref": {"$link": blob},
                                                       "mimeType": "image/jpeg", "size": 48213},
                        "title": title, "uri": url}}
    view = {"$type": "app.bsky.embed.external#view",
            "external": {"uri": url, "title": title, "description": desc,
                         "thumb": f"https://cdn.bsky.app/img/feed_thumbnail/plain/{a.did}/{blob}@jpeg"}}
    return rec, view


def b_record(s: Spec) -> dict:
    a = ACCOUNTS[s.by]
    text, facets = b_text(s, facet_type=a.handle.endswith(".example.org") or a.handle.endswith(".example.net"))
    rec: dict = {"$type": "app.bsky.feed.post", "createdAt": iso_ms(s.t)}
    if s.media:
        rec["embed"] = b_images(s, a)[0]
    elif s.card:
        rec["embed"] = b_external(s, a)[0]
    elif s.quote:
        q = BY_KEY[s.quote]
        rec["embed"] = {"$type": "app.bsky.embed.record", "record": {"cid": b_cid(q), "uri": b_uri(q)}}
    if facets:
        rec["facets"] = facets
    if s.label:
        rec["labels"] = {"$type": "com.atproto.label.defs#selfLabels", "values": [{"val": s.label}]}
    langs = s.langs if s.langs is not None else ([s.lang] if s.lang else [])
    if langs:
        rec["langs"] = langs
    if s.reply:
        p = BY_KEY[s.reply]
        root = p
        while root.reply:
            root = BY_KEY[root.reply]
        rec["reply"] = {"parent": {"cid": b_cid(p), "uri": b_uri(p)},
                        "root": {"cid": b_cid(root), "uri": b_uri(root)}}
    rec["text"] = text
    return rec


def indexed(s: Spec) -> datetime:
    return s.t + timedelta(milliseconds=150 + hnum("idx", s.key) % 2500)


def b_post_view(s: Spec, typed: bool = False) -> dict:
    a = ACCOUNTS[s.by]
    v: dict = {"$type": "app.bsky.feed.defs#postView"} if typed else {}
    v.update({"uri": b_uri(s), "cid": b_cid(s), "author": b_profile(a), "record": b_record(s)})
    if s.media:
        v["embed"] = b_images(s, a)[1]
    elif s.card:
        v["embed"] = b_external(s, a)[1]
    elif s.quote:
        q = BY_KEY[s.quote]
        qa = ACCOUNTS[q.by]
        pop = hnum("pop", q.key)
        v["embed"] = {"$type": "app.bsky.embed.record#view", "record": {
            "$type": "app.bsky.embed.record#viewRecord", "uri": b_uri(q), "cid": b_cid(q),
            "author": b_profile(qa), "value": b_record(q), "labels": [],
            "likeCount": (pop >> 16) % 400, "replyCount": pop % 9, "repostCount": (pop >> 8) % 90,
            "quoteCount": 1, "indexedAt": iso_ms(indexed(q)), "embeds": []}}
    pop = hnum("pop", s.key)
    v.update({
        "bookmarkCount": pop % 3,
        "replyCount": CHILDREN.get(s.key, 0) + pop % 5,
        "repostCount": (pop >> 8) % (90 if s.by == "bob" else 25),
        "likeCount": (pop >> 16) % (400 if s.by == "bob" else 120),
        "quoteCount": (pop >> 24) % 3,
        "indexedAt": iso_ms(indexed(s)),
        "viewer": {"bookmarked": False, "threadMuted": False, "embeddingDisabled": False},
        "labels": [],
    })
    if s.label:
        v["labels"] = [{"src": a.did, "uri": b_uri(s), "cid": b_cid(s), "val": s.label,
                        "cts": iso_ms(s.t)}]
    return v


def b_ref_view(s: Spec) -> dict:
    if s.gone:
        return {"$type": "app.bsky.feed.defs#notFoundPost", "uri": b_uri(s), "notFound": True}
    return b_post_view(s, typed=True)


def b_feed_item(s: Spec) -> dict:
    item: dict = {"post": b_post_view(s)}
    if s.reply:
        p = BY_KEY[s.reply]
        root = p
        while root.reply:
            root = BY_KEY[root.reply]
        reply: dict = {"root": b_ref_view(root), "parent": b_ref_view(p)}
        if p.reply:
            reply["grandparentAuthor"] = b_profile(ACCOUNTS[BY_KEY[p.reply].by])
        item["reply"] = reply
    if s.boost_by:
        by = ACCOUNTS[s.boost_by]
        item["reason"] = {
            "$type": "app.bsky.feed.defs#reasonRepost",
            "by": b_profile(by),
            "uri": f"at://{by.did}/app.bsky.feed.repost/{tid(s.bt, 'rp' + s.key)}",
            "cid": cid("cbor", "repost", s.key),
            "indexedAt": iso_ms(s.bt),
        }
    return item


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------

# JSON strings may legally carry these raw; escape them so the file itself
# holds no control characters (C0 are escaped by json.dumps already).
UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def dump(obj: dict) -> str:
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", s)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()

    assign_times()
    lines = []
    for s in SPECS:
        if s.hidden or s.gone:
            continue
        net = ACCOUNTS[s.by].net
        if net == "m":
            obj = m_reblog(s) if s.boost_by else m_status(s)
            when = s.bt or s.t
        else:
            obj = b_feed_item(s)
            when = s.bt or indexed(s)
        lines.append((when, s.key, dump(obj)))
    lines.sort(key=lambda x: (x[0], x[1]), reverse=True)  # newest first
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        for _, _, line in lines:
            f.write(line + "\n")
    print(f"wrote {len(lines)} posts to {args.out}")


if __name__ == "__main__":
    main()
