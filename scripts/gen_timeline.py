#!/usr/bin/env python3
"""Generate a synthetic Mastodon home timeline for benchmarking `circles route`.

usage: gen_timeline.py N OUT [--config scripts/bench/route.toml] [--seed S]

Writes N lines to OUT ("-" for stdout). Each line is a Mastodon API Status entity
as mastodon.social would serve a home timeline (newest first), serialized like
Rails does it: compact, UTF-8, with `<`, `>` and `&` escaped as \\u003c, \\u003e,
\\u0026. About 2 KB per line.

The accounts named in the config (core column, mutes, boosts_from, amplify, me)
are created so the bench rules fire at realistic rates:
  ~15% boosts, ~20% replies, ~3% mention @jane, ~2% "Jane Doe"/"AcmeCo",
  ~5% #rust/#rustlang (a quarter of those also say "crypto"), ~1% "NFT",
  ~3% "question", ~5% by core accounts, ~2% by muted accounts, ~1% by
  amplified accounts, ~2% boosts by boosts_from accounts.
Keywords only ever appear in text nodes (never in URLs, attributes, hashtag
names or user names), ASCII, surrounded by spaces or punctuation, so matching
the raw HTML (as scripts/bench/route.jq does) and matching the decoded text
(as circles does) agree. Near misses ("NFTs", "cryptography", "questions",
"AcmeCorp", "@jane@hachyderm.io", "#rustacean") are sprinkled in.

Python 3.11 standard library only; deterministic for a given N and seed.
"""

import json
import os
import random
import sys
import time
import tomllib

HOME = "mastodon.social"
SEED = 20241120

# (host, relative share of the 2,000 accounts)
INSTANCES = [
    ("mastodon.social", 30), ("hachyderm.io", 8), ("fosstodon.org", 8),
    ("infosec.exchange", 6), ("mas.to", 5), ("mstdn.social", 5),
    ("social.vivaldi.net", 3), ("techhub.social", 4), ("mastodon.online", 4),
    ("chaos.social", 4), ("ruby.social", 2), ("toot.cafe", 2),
    ("mathstodon.xyz", 2), ("indieweb.social", 3), ("social.coop", 2),
    ("floss.social", 2), ("mastodon.art", 3), ("front-end.social", 2),
    ("aus.social", 2), ("sfba.social", 2),
]
N_ACCOUNTS = 2000

# Substrings that must never occur in user names, hosts, URLs or hashtag names.
BANNED = ("nft", "crypto", "acmeco", "question", "doe")

FIRST = """aaron abby adam adele ahmed aiko akira alba aleks alex alma amara amir
ana andre anika anton aria arjun astrid axel bea ben bianca bjorn blake bo boris
brynn caleb cam cara cass cedric chloe chris clara cleo cody colm dario dave
david del dev dina dmitri dora eddie edith eli elif elin emil enzo erik esme
ethan eva ezra fabian farah fern finn flo frank freya gabe gaia gil gina grace
hana hank hannah harper helga henrik ida igor ilse imani ira isak ivan jack
jade jamal jasper jay jens jo joel josie juan juno kai kala karim kate kaya
kenji kim kira klaus kurt lars laura leo lev lila linus liv lou lucy lukas
mads mara marco mari max mei mika milo mina miro moss nate nell nia noah nora
obi olaf omar orla otto paige pat paul pia pip raj ravi remy rhea rico riley
rin rob ron ruby rune ryo sage sam sara seb selma shay silas sofia stan suki
sunny tam ted tess theo tim toby tove uli val vic vince wade wanda wes xena
yan yoko yuki yuri zack zeke ziggy""".split()
SUFFIX = ["", "", "", "_dev", "codes", "_k", "_m", "42", "99", "_art", "writes",
          "hacks", "_ops", "_photo", "_sec", "_bikes", "_reads", "_ml", "_fm",
          "1984", "_ux", "_io", "_w", "_b"]
LAST = """Andersen Berg Bianchi Costa Dubois Eriksen Fischer Garcia Haddad Ito
Jansen Kowalski Larsen Martin Nakamura Novak Okafor Petrov Quinn Rossi Silva
Tanaka Ulloa Varga Weber Yilmaz Zhang Moreau Lindqvist O'Brien""".split()
DISPLAY_DECOR = ["", "", "", "", " 🦀", " 🌻", " :verified:", " (she/her)",
                 " (he/him)", " (they/them)", " 🏳️‍🌈", " ☕", " 📷"]
UNICODE_NAMES = ["Zoë", "José", "Łukasz", "Søren", "李华", "Ayşe", "Ngọc",
                 "Александра", "Émilie", "Jürgen"]

BIO = [
    "Software engineer. Opinions are my own.", "Photographer & tinkerer.",
    "I write about distributed systems, coffee and cycling.",
    "Open source maintainer. Tea > coffee.", "Librarian by day, synth nerd by night.",
    "Security researcher. I break things so you don't have to.",
    "Gardening, books, and long walks. Slow internet enthusiast.",
    "Backend dev, part-time baker, full-time cat servant.",
    "Teaching kids to code. Previously: physics.",
    "Designer who codes. Type nerd. 🖋️", "Mostly lurking. Sometimes posting.",
    "PhD student in computational linguistics.",
]
FIELD_NAMES = ["Website", "Blog", "GitHub", "Pronouns", "Location", "Pronomen"]

SENTENCES = [
    "Just finished reading a great book about the history of computing.",
    "The sunset over the harbor tonight was unreal.",
    "Coffee first, then we talk about the deploy.",
    "Finally migrated our staging cluster and nothing caught fire.",
    "Hot take: tabs vs spaces is the least interesting debate in software.",
    "Went for a long bike ride along the river this morning.",
    "Our team shipped the new search feature today, super proud of everyone.",
    "It's raining again, perfect weather for refactoring.",
    "Does anyone else keep forty browser tabs open at all times?",
    "I can't believe it's already the end of November.",
    "Made sourdough for the first time & it actually rose!",
    "Reminder to drink some water and stretch your back.",
    "The conference talks are online now, highly recommend the keynote.",
    "Spent the afternoon debugging a race condition that turned out to be a typo.",
    "New blog post about caching strategies is up.",
    "Tiny victory: the flaky test is finally green.",
    "My cat has decided the keyboard is the warmest place in the house.",
    "Learning to play the piano at 35, wish me luck.",
    "Small reminder that \"it works on my machine\" is not a deployment strategy.",
    "The garden is full of tomatoes and I don't know what to do with them.",
    "Public transit in this city is honestly pretty good.",
    "Writing docs is underrated; future you will thank present you.",
    "Spent way too long choosing a font for my slides.",
    "Today I learned that SQLite has a built-in JSON extension.",
    "Our meetup is this Thursday, pizza & lightning talks.",
    "Three hours of meetings and zero lines of code, classic Monday.",
    "Winter is coming and so is my annual knitting phase.",
    "Someone please explain why printers are still this bad in 2024.",
    "The fediverse feels so much calmer than the bird site ever did.",
    "Reading the release notes with a cup of tea.",
    "Got the 3D printer working again after a week of fiddling.",
    "Just passed 1,000 days of language practice.",
    "Deploys on Friday? Bold move, let's see how it goes.",
    "Finished the marathon in under four hours, legs are jelly.",
    "The new album is great, on repeat all week.",
    "Thinking about switching my dotfiles to a new setup.",
    "Just rewrote the parser and it is 3x faster, no idea why yet.",
    "That moment when grep finds the bug before the debugger does.",
    "Remember: backups you never restored are not backups.",
    "Our library now lends out telescopes, how cool is that.",
    "Planning a hiking trip for the long weekend.",
    "If you maintain an open source project, thank you.",
    "Cooking dal tonight, the whole flat smells amazing.",
    "Our CI pipeline went from 20 minutes to 6 after caching dependencies.",
    "The moon is so bright tonight you can read by it.",
    "Birdwatching report: two herons and a very loud magpie.",
    "Taking a social media break this weekend, see you Monday.",
    "The keyboard I ordered finally arrived & the switches are lovely.",
    "Just discovered a café that serves proper flat whites.",
    "Wrote a small tool to rename my photos by date.",
    "My plants survived the holiday, a personal record.",
    "Slowly making peace with YAML.",
    "Volunteered at the repair café today, fixed three lamps.",
    "Working on a talk about error handling for next spring.",
    "It's a good day to delete some code.",
    "Trains were late, but the view made up for it.",
    "Pairing sessions are the best way to onboard new folks.",
]
UNICODE_SENTENCES = [
    "Café au lait ☕ et croissant 🥐, la vie est belle.",
    "今日はとても良い天気ですね。",
    "Schöne Grüße aus München! 🍺",
    "Новый релиз вышел сегодня, поздравляю команду!",
    "¡Qué día tan bonito para programar! ☀️",
    "Привет, федиверс 👋",
    "周末愉快，出去走走吧。",
    "Çok güzel bir gün, kahve zamanı ☕",
    "Mañana hay reunión a las 9, ánimo 💪",
    "Ελπίζω να έχετε μια υπέροχη εβδομάδα!",
]
# Near misses: must match nothing in the bench config.
NEAR_MISS = [
    "Reading a paper on applied cryptography this weekend.",
    "The market for NFTs seems to have quietly collapsed.",
    "So many questions after that talk, in a good way.",
    "AcmeCorp is not the same company, people keep mixing them up.",
    "That was a questionable decision by the referee.",
    "Jane Doerr gave a lovely talk on type systems.",
    "Rusty bikes are still bikes.",
]
ALERT = [
    "Has anyone here worked with Jane Doe on the migration?",
    "Just saw Jane Doe speak at the meetup, great talk!",
    "AcmeCo shipped a new release today, the changelog is huge.",
    "We're evaluating AcmeCo for our CI, any experiences?",
    "Shoutout to jane doe for the excellent writeup.",
    "ACMECO outage again, third one this month.",
    "Interview with Jane Doe about open source funding, worth a listen.",
    "The acmeco dashboard finally has a dark mode!",
]
RUST = [
    "Just published a new crate for parsing config files.",
    "The borrow checker and I have reached an understanding.",
    "Rewrote the hot loop with iterators and it got faster.",
    "Async traits in stable feel like magic.",
    "Cargo workspaces make this monorepo so much nicer.",
    "New release of my CLI tool is out, now with shell completions.",
    "Clippy caught a real bug today, love it.",
    "Trying out the new edition on a side project.",
]
CRYPTO = [
    "Another crypto wallet library, but this one is actually audited.",
    "Not a fan of crypto hype, but the engineering is interesting.",
    "This crypto exchange rewrote their matching engine.",
    "Unpopular opinion: crypto projects drove a lot of tooling work.",
]
NFT = [
    "Minting my first NFT collection tonight!",
    "Reminder that an NFT is just a receipt for a URL.",
    "New nft drop, link in bio.",
    "Who is still buying NFT art in 2024?",
]
QUESTION = [
    "Quick question for the fediverse: what is your favorite terminal font?",
    "Question for folks running Postgres: how do you handle vacuum tuning?",
    "Honest question, does anyone actually read the terms of service?",
    "I have a question about home network setups, anyone around?",
    "Genuine question: why are CSS centering jokes still funny?",
]
CW = ["long post", "food", "politics", "eye contact", "work rant", "health",
      "uspol", "spoilers for the finale", "mental health", "lewd (jk, it's cats)"]
CW_ALERT = ["AcmeCo rant", "about the Jane Doe talk"]
CW_NFT = ["NFT talk", "nft, sorry"]
ALT = [
    "A cat sleeping on a laptop keyboard.",
    "Screenshot of a terminal showing a successful build.",
    "Sunset over a harbor with sailboats.",
    "A loaf of sourdough bread on a wooden board.",
    "Chart showing latency dropping after the deploy.",
    "A mountain trail covered in autumn leaves.",
    "Hand-drawn diagram of a message queue.",
    "Close-up of a mechanical keyboard with colorful keycaps.",
]
ALT_ALERT = ["Screenshot of the AcmeCo status page.", "Photo of Jane Doe on stage."]
ALT_CRYPTO = ["A slide that reads crypto is not a use case."]
ALT_NFT = ["Screenshot of an NFT marketplace listing."]
TAGS = ["linux", "opensource", "photography", "caturday", "python", "golang",
        "foss", "til", "music", "books", "webdev", "security", "infosec",
        "gardening", "cycling", "coffee", "fediverse", "100DaysOfCode",
        "SilentSunday", "programming", "selfhosting", "rustacean", "rusty"]
LINKS = [
    "https://blog.rust-lang.org/2024/11/28/Rust-1.83.0.html",
    "https://github.com/ratatui/ratatui/releases/tag/v0.29.0",
    "https://www.theguardian.com/environment/2024/nov/20/climate-report",
    "https://lwn.net/Articles/998765/",
    "https://en.wikipedia.org/wiki/Fediverse",
    "https://example.org/blog/caching-strategies-part-2",
    "https://news.ycombinator.com/item?id=42212345",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://docs.python.org/3/whatsnew/3.13.html",
    "https://sqlite.org/json1.html",
    "https://joinmastodon.org/",
    "https://www.bbc.co.uk/news/technology-67890123",
    "https://arstechnica.com/science/2024/11/telescope-images/",
    "https://codeberg.org/forgejo/forgejo/releases",
    "https://xkcd.com/2347/",
]
CARD_TITLES = ["Release notes", "A long read", "Project update", "Weekly digest",
               "How we scaled our database", "Photo essay"]
APPS = [None, None, None, {"name": "Web", "website": None},
        {"name": "Ivory for iOS", "website": "https://tapbots.com/ivory/"},
        {"name": "Tusky", "website": "https://tusky.app"},
        {"name": "Elk", "website": "https://elk.zone"},
        {"name": "Phanpy", "website": "https://phanpy.social"}]
EMOJIS = ["blobcat", "blobfox", "ablobcatrave", "flan_hacker", "verified"]
LANGS = ["en"] * 12 + ["de", "fr", "es", "ja", None]
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"


def js(s):
    """A JSON string literal the way Rails renders it."""
    return (json.dumps(s, ensure_ascii=False)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def jv(v):
    """Any JSON value, Rails-style escaping."""
    return (json.dumps(v, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def html_escape(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def link_html(url):
    """A plain link as Mastodon's formatter renders it."""
    scheme, rest = url.split("://", 1)
    prefix = scheme + "://"
    if rest.startswith("www."):
        prefix += "www."
        rest = rest[4:]
    rest = html_escape(rest)
    if len(rest) > 30:
        shown = f'<span class="ellipsis">{rest[:30]}</span><span class="invisible">{rest[30:]}</span>'
    else:
        shown = f'<span class="">{rest}</span><span class="invisible"></span>'
    return (f'<a href="{html_escape(url)}" target="_blank" rel="nofollow noopener noreferrer" '
            f'translate="no"><span class="invisible">{prefix}</span>{shown}</a>')


def iso(ms):
    t = time.gmtime(ms // 1000)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (t[0], t[1], t[2], t[3], t[4], t[5], ms % 1000)


class Account:
    __slots__ = ("id", "username", "host", "acct", "url", "frag", "hcard", "mention")

    def __init__(self, rng, username, host, display_name=None):
        self.id = str(rng.randrange(10**17, 10**18 - 1))
        self.username = username
        self.host = host
        local = host == HOME
        self.acct = username if local else f"{username}@{host}"
        self.url = f"https://{host}/@{username}"
        self.hcard = (f'<span class="h-card" translate="no"><a href="{self.url}" '
                      f'class="u-url mention">@<span>{username}</span></a></span>')
        self.mention = (f'{{"id":{js(self.id)},"username":{js(username)},'
                        f'"url":{js(self.url)},"acct":{js(self.acct)}}}')
        if display_name is None:
            first = rng.choice(UNICODE_NAMES) if rng.random() < 0.1 else username.split("_")[0].rstrip("0123456789").capitalize()
            display_name = (first + ((" " + rng.choice(LAST)) if rng.random() < 0.6 else "")
                            + rng.choice(DISPLAY_DECOR))
        hexid = "%016x" % rng.getrandbits(64)
        idpath = "/".join(self.id[i:i + 3] for i in range(0, 18, 3))
        files = "https://files.mastodon.social/" + ("" if local else "cache/")
        avatar = f"{files}accounts/avatars/{idpath}/original/{hexid}.png"
        header = f"{files}accounts/headers/{idpath}/original/{hexid[::-1]}.jpg"
        if rng.random() < 0.1:
            avatar = "https://mastodon.social/avatars/original/missing.png"
        if rng.random() < 0.4:
            header = "https://mastodon.social/headers/original/missing.png"
        note = "".join(f"<p>{html_escape(rng.choice(BIO))}</p>" for _ in range(rng.choice((0, 1, 1))))
        fields = []
        for name in rng.sample(FIELD_NAMES, rng.choice((0, 0, 0, 1, 1))):
            if name in ("Website", "Blog", "GitHub"):
                value = link_html(f"https://{username.replace('_', '-')}.example.net/")
                verified = '"2023-0%d-1%dT08:15:00.000+00:00"' % (rng.randint(1, 9), rng.randint(0, 9)) if rng.random() < 0.5 else "null"
            else:
                value, verified = html_escape(rng.choice(["she/her", "he/him", "they/them", "Berlin", "Toronto", "Tokyo"])), "null"
            fields.append(f'{{"name":{js(name)},"value":{js(value)},"verified_at":{verified}}}')
        created = iso(rng.randrange(1_480_000_000_000, 1_700_000_000_000) // 86_400_000 * 86_400_000)
        bot = username in ("boostbot", "newsrelay", "ArchiveBot", "promo_bot")
        roles = '"roles":[],' if local else ""
        self.frag = (
            f'{{"id":{js(self.id)},"username":{js(username)},"acct":{js(self.acct)},'
            f'"display_name":{js(display_name)},"locked":{jv(rng.random() < 0.05)},'
            f'"bot":{jv(bot)},"discoverable":{jv(rng.random() < 0.8)},"indexable":{jv(rng.random() < 0.5)},'
            f'"group":false,"created_at":"{created}","note":{js(note)},'
            f'"url":{js(self.url)},"uri":{js(f"https://{host}/users/{username}")},'
            f'"avatar":{js(avatar)},"avatar_static":{js(avatar)},'
            f'"header":{js(header)},"header_static":{js(header)},'
            f'"followers_count":{int(rng.paretovariate(1.2) * 40)},'
            f'"following_count":{rng.randint(0, 2500)},"statuses_count":{rng.randint(1, 40000)},'
            f'"last_status_at":"2024-11-{rng.randint(10, 20)}","hide_collections":{jv(rng.random() < 0.1)},'
            f'"noindex":false,"emojis":[],{roles}"fields":[{",".join(fields)}]}}'
        )


def parse_handle(h):
    h = h.strip().lstrip("@")
    user, host = h.split("@", 1)
    return user, host.lower()


class Gen:
    def __init__(self, config_path, seed):
        self.rng = rng = random.Random(seed)
        with open(config_path, "rb") as f:
            cfg = tomllib.load(f)
        taken = set()

        def special(handles):
            out = []
            for h in handles:
                user, host = parse_handle(h)
                key = f"{user.lower()}@{host}"
                if key not in taken:
                    taken.add(key)
                    out.append(Account(rng, user, host))
            return out

        mute = cfg.get("mute", {})
        me = [h for h in cfg.get("me", {}).get("handles", []) if h.count("@") >= 1 and "." in h.split("@")[-1]]
        self.me = special(me[:1])
        core = []
        for col in cfg.get("column", []):
            core += col.get("accounts", [])
        self.core = special(core)
        self.muted = special(mute.get("accounts", []))
        self.boosters = special(mute.get("boosts_from", []))
        self.amplified = special(cfg.get("amplify", {}).get("accounts", []))
        # near misses for mentions_me: other people called jane
        self.other_janes = special(["@jane@hachyderm.io", "@Jane@fosstodon.org", "@janet@mastodon.social"])
        for lst in (self.me, self.core, self.muted, self.boosters, self.amplified):
            for a in lst:
                assert not any(b in a.username.lower() for b in BANNED), a.username

        hosts = [h for h, _ in INSTANCES]
        weights = [w for _, w in INSTANCES]
        self.general = []
        n_special = len(taken)
        while len(self.general) + n_special < N_ACCOUNTS:
            host = rng.choices(hosts, weights)[0]
            user = rng.choice(FIRST) + rng.choice(SUFFIX)
            key = f"{user}@{host}"
            if key in taken or user.startswith("jane") or any(b in user for b in BANNED):
                continue
            taken.add(key)
            self.general.append(Account(rng, user, host))
        # a few prolific posters, a long tail of quiet ones
        cum, acc = [], 0.0
        for _ in self.general:
            acc += min(rng.paretovariate(1.5), 40.0)
            cum.append(acc)
        self.general_cum = cum

        self.sentences = [html_escape(s) for s in SENTENCES]
        self.unicode = [html_escape(s) for s in UNICODE_SENTENCES]
        self.near = [html_escape(s) for s in NEAR_MISS]
        self.alert = [html_escape(s) for s in ALERT]
        self.rust = [html_escape(s) for s in RUST]
        self.crypto = [html_escape(s) for s in CRYPTO]
        self.nft = [html_escape(s) for s in NFT]
        self.question = [html_escape(s) for s in QUESTION]
        self.apps = ["null" if a is None else jv(a) for a in APPS]
        self.now_ms = 1_732_104_000_000  # 2024-11-20T12:00:00Z
        self.seq = 0

    def any_account(self):
        return self.rng.choices(self.general, cum_weights=self.general_cum)[0]

    def author(self):
        r = self.rng.random()
        if r < 0.05:
            return self.rng.choice(self.core)
        if r < 0.07:
            return self.rng.choice(self.muted)
        if r < 0.08:
            return self.rng.choice(self.amplified)
        if r < 0.085:
            return self.rng.choice(self.boosters)  # their own posts stay visible
        if r < 0.088 and self.me:
            return self.me[0]
        return self.any_account()

    def booster(self):
        r = self.rng.random()
        if r < 0.15:
            return self.rng.choice(self.boosters)
        if r < 0.22:
            return self.rng.choice(self.core)
        if r < 0.24:
            return self.rng.choice(self.muted)
        if r < 0.26:
            return self.rng.choice(self.amplified)
        return self.any_account()

    def snowflake(self, ms):
        return str((ms << 16) | self.rng.getrandbits(16))

    def sentence(self):
        r = self.rng.random()
        if r < 0.07:
            return self.rng.choice(self.unicode)
        if r < 0.085:
            return self.rng.choice(self.near)
        return self.rng.choice(self.sentences)

    def status(self, author, ms, inner=False):
        rng = self.rng
        sid = self.snowflake(ms)
        amplified_author = author in self.amplified
        mentions = []   # Account
        tags = []       # tag names as written
        lead = []       # html fragments before the text of the first paragraph
        body = []       # sentences (already HTML)
        trailing_tags = []
        spoiler = ""
        alts = []       # media descriptions (None = no description)
        in_reply_to_id = in_reply_to_account_id = "null"

        # replies (~20%): the replied-to account is mentioned first
        if rng.random() < 0.20:
            in_reply_to_id = js(self.snowflake(ms - rng.randrange(60_000, 86_400_000)))
            r = rng.random()
            if r < 0.15:
                in_reply_to_account_id = js(author.id)  # a thread: no mention of oneself
            else:
                target = self.me[0] if (r < 0.20 and self.me) else (
                    rng.choice(self.core) if r < 0.25 else self.any_account())
                if target is author:
                    in_reply_to_account_id = js(author.id)
                else:
                    in_reply_to_account_id = js(target.id)
                    mentions.append(target)
                    lead.append(target.hcard)
                    if rng.random() < 0.2:
                        extra = self.any_account()
                        if extra not in mentions and extra is not author:
                            mentions.append(extra)
                            lead.append(extra.hcard)

        # mentions of @jane (~2% on top of the replies to her), other janes, others
        r = rng.random()
        if r < 0.021 and self.me and self.me[0] not in mentions and author is not self.me[0]:
            mentions.append(self.me[0])
            body.append(rng.choice(("Hey", "Thanks", "cc", "Ping")) + " " + self.me[0].hcard
                        + rng.choice((", what do you think?", " have a look at this.", " 🙏", "!")))
        elif r < 0.031:
            other = rng.choice(self.other_janes)
            if other not in mentions:
                mentions.append(other)
                body.append("Thanks " + other.hcard + " for the pointers!")
        elif r < 0.12:
            other = self.any_account()
            if other not in mentions and other is not author:
                mentions.append(other)
                body.append("Great thread by " + other.hcard + " about this.")

        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            body.append(self.sentence())

        # alerts (~2%): mostly in the text, sometimes in the CW or an image description
        alert_where = None
        if rng.random() < 0.02:
            alert_where = rng.random()
            if alert_where < 0.8:
                body.insert(rng.randrange(len(body) + 1), rng.choice(self.alert))
            elif alert_where < 0.9:
                spoiler = rng.choice(CW_ALERT)
            # else: media description, below

        # rust (~5%), some with crypto
        rust = rng.random() < 0.05
        crypto_where = None
        if rust:
            body.insert(rng.randrange(len(body) + 1), rng.choice(self.rust))
            tagname = rng.choice(("rust", "rust", "Rust", "rustlang", "RustLang"))
            tags.append(tagname)
            if rng.random() < 0.5:
                body.append("Written in " + self.taglink(author, tagname) + " of course.")
            else:
                trailing_tags.append(tagname)
            if rng.random() < 0.3:
                other = "rustlang" if tagname.lower() == "rust" else "rust"
                tags.append(other)
                trailing_tags.append(other)
            if rng.random() < 0.25:
                crypto_where = rng.random()
                if crypto_where < 0.85:
                    body.insert(rng.randrange(len(body) + 1), rng.choice(self.crypto))
        elif rng.random() < 0.01:
            body.append(rng.choice(self.crypto))

        # NFT (~1%, more from amplified accounts to exercise "amplified skips keyword mutes")
        nft_where = None
        if rng.random() < (0.15 if amplified_author else 0.01):
            nft_where = rng.random()
            if nft_where < 0.85:
                body.insert(rng.randrange(len(body) + 1), rng.choice(self.nft))
            elif nft_where < 0.95 and not spoiler:
                spoiler = rng.choice(CW_NFT)

        if rng.random() < 0.03:
            body.insert(rng.randrange(len(body) + 1), rng.choice(self.question))

        # other hashtags (~25%)
        if rng.random() < 0.25:
            for t in rng.sample(TAGS, rng.choice((1, 1, 2, 3))):
                if t not in tags:
                    tags.append(t)
                    trailing_tags.append(t)

        if not spoiler and rng.random() < 0.05:
            spoiler = rng.choice(CW)

        # custom emoji (~5%)
        emojis = []
        if rng.random() < 0.05:
            code = rng.choice(EMOJIS)
            body.append(f":{code}:")
            emojis.append(code)

        # link (~20%), with a preview card half the time
        card = "null"
        if rng.random() < 0.2:
            url = rng.choice(LINKS)
            body.append(rng.choice(("Worth a read:", "More here:", "via", "Link:")) + " " + link_html(url))
            if rng.random() < 0.4:
                card = self.card(url)

        # media (~12%)
        if alert_where is not None and alert_where >= 0.9:
            alts.append(rng.choice(ALT_ALERT))
        if crypto_where is not None and crypto_where >= 0.85:
            alts.append(rng.choice(ALT_CRYPTO))
        if nft_where is not None and nft_where >= 0.95:
            alts.append(rng.choice(ALT_NFT))
        if rng.random() < 0.12:
            for _ in range(rng.choice((1, 1, 1, 2, 4))):
                alts.append(rng.choice(ALT) if rng.random() < 0.7 else None)

        # assemble the HTML: paragraphs of sentences, sometimes a <br />
        paras, cur = [], []
        for s in body:
            cur.append(s)
            if len(cur) >= 2 and rng.random() < 0.4:
                paras.append(cur)
                cur = []
        if cur:
            paras.append(cur)
        if not paras:
            paras = [[self.sentence()]]
        if lead:
            paras[0][0] = " ".join(lead) + " " + paras[0][0]
        out = []
        for p in paras:
            sep = "<br />" if rng.random() < 0.15 else " "
            out.append("<p>" + sep.join(p) + "</p>")
        if trailing_tags:
            out.append("<p>" + " ".join(self.taglink(author, t) for t in trailing_tags) + "</p>")
        content = "".join(out)

        media = ",".join(self.media(author, d) for d in alts)
        lang = rng.choice(LANGS)
        created = iso(ms)
        uri = f"https://{author.host}/users/{author.username}/statuses/{sid}"
        url = f"https://{author.host}/@{author.username}/{sid}"
        poll = self.poll(ms) if rng.random() < 0.01 else "null"
        app = rng.choice(self.apps) if author.host == HOME else "null"
        edited = f'"{iso(ms + rng.randrange(60_000, 600_000))}"' if rng.random() < 0.03 else "null"
        tag_json = ",".join(
            f'{{"name":{js(t)},"url":"https://{HOME}/tags/{t.lower()}"}}' for t in tags)
        emoji_json = ",".join(
            f'{{"shortcode":"{c}","url":"https://files.mastodon.social/custom_emojis/images/000/0{len(c)}1/23{len(c)}/original/{c}.png",'
            f'"static_url":"https://files.mastodon.social/custom_emojis/images/000/0{len(c)}1/23{len(c)}/static/{c}.png","visible_in_picker":true}}'
            for c in emojis)
        return (
            f'{{"id":"{sid}","created_at":"{created}","in_reply_to_id":{in_reply_to_id},'
            f'"in_reply_to_account_id":{in_reply_to_account_id},"sensitive":{jv(bool(spoiler) or rng.random() < 0.02)},'
            f'"spoiler_text":{js(spoiler)},"visibility":"{rng.choice(("public", "public", "public", "unlisted", "private"))}",'
            f'"language":{jv(lang)},"uri":{js(uri)},"url":{js(url)},'
            f'"replies_count":{int(rng.expovariate(0.5))},"reblogs_count":{int(rng.expovariate(0.2))},'
            f'"favourites_count":{int(rng.expovariate(0.1))},"edited_at":{edited},'
            f'"favourited":false,"reblogged":false,"muted":false,"bookmarked":false,'
            f'"content":{js(content)},"filtered":[],"reblog":null,"application":{app},'
            f'"account":{author.frag},"media_attachments":[{media}],'
            f'"mentions":[{",".join(m.mention for m in mentions)}],"tags":[{tag_json}],'
            f'"emojis":[{emoji_json}],"card":{card},"poll":{poll}}}'
        )

    def taglink(self, author, name):
        return (f'<a href="https://{author.host}/tags/{name.lower()}" class="mention hashtag" '
                f'rel="tag">#<span>{name}</span></a>')

    def media(self, author, description):
        rng = self.rng
        mid = str(rng.randrange(10**17, 10**18))
        path = "/".join(mid[i:i + 3] for i in range(0, 18, 3))
        h = "%016x" % rng.getrandbits(64)
        local = author.host == HOME
        base = "https://files.mastodon.social/" + ("" if local else "cache/") + "media_attachments/files/" + path
        w, hgt = rng.choice(((1920, 1080), (1080, 1350), (1200, 800), (800, 800)))
        aspect = w / hgt
        sw, sh = (640, round(640 / aspect))
        remote = "null" if local else js(f"https://media.{author.host}/media_attachments/files/{path}/original/{h}.jpeg")
        blur = "".join(rng.choice(B62) for _ in range(28))
        return (
            f'{{"id":"{mid}","type":"image","url":"{base}/original/{h}.jpeg",'
            f'"preview_url":"{base}/small/{h}.jpeg","remote_url":{remote},"preview_remote_url":null,'
            f'"text_url":null,"meta":{{"original":{{"width":{w},"height":{hgt},"size":"{w}x{hgt}","aspect":{aspect}}},'
            f'"small":{{"width":{sw},"height":{sh},"size":"{sw}x{sh}","aspect":{aspect}}},'
            f'"focus":{{"x":0.0,"y":0.0}}}},"description":{jv(description)},"blurhash":{js(blur)}}}'
        )

    def card(self, url):
        rng = self.rng
        host = url.split("/")[2]
        h = "%016x" % rng.getrandbits(64)
        return (
            f'{{"url":{js(url)},"title":{js(rng.choice(CARD_TITLES))},'
            f'"description":{js(rng.choice(SENTENCES))},"language":"en","type":"link",'
            f'"author_name":"","author_url":"","provider_name":{js(host)},"provider_url":"",'
            f'"html":"","width":400,"height":225,'
            f'"image":"https://files.mastodon.social/cache/preview_cards/images/{h[:3]}/{h[3:6]}/{h[6:9]}/original/{h}.jpg",'
            f'"image_description":"","embed_url":"","blurhash":{js("".join(rng.choice(B62) for _ in range(28)))},'
            f'"published_at":null,"authors":[]}}'
        )

    def poll(self, ms):
        rng = self.rng
        opts = rng.sample(["Yes", "No", "Tabs", "Spaces", "Vim", "Emacs", "Coffee", "Tea", "Show results"], 3)
        votes = [rng.randint(0, 300) for _ in opts]
        return (
            f'{{"id":"{rng.randrange(10**6, 10**7)}","expires_at":"{iso(ms + 86_400_000)}","expired":false,'
            f'"multiple":false,"votes_count":{sum(votes)},"voters_count":{sum(votes)},'
            f'"voted":false,"own_votes":[],'
            f'"options":[{",".join(self.poll_option(o, v) for o, v in zip(opts, votes))}],'
            f'"emojis":[]}}'
        )

    @staticmethod
    def poll_option(title, votes):
        return f'{{"title":{js(title)},"votes_count":{votes}}}'

    def entry(self):
        """One home-timeline entry (newest first)."""
        rng = self.rng
        self.now_ms -= rng.randrange(200, 20_000)
        ms = self.now_ms
        if rng.random() < 0.15:
            booster = self.booster()
            author = self.author()
            inner = self.status(author, ms - rng.randrange(60_000, 2 * 86_400_000), inner=True)
            bid = self.snowflake(ms)
            return (
                f'{{"id":"{bid}","created_at":"{iso(ms)}","in_reply_to_id":null,"in_reply_to_account_id":null,'
                f'"sensitive":false,"spoiler_text":"","visibility":"public","language":null,'
                f'"uri":{js(f"https://{booster.host}/users/{booster.username}/statuses/{bid}/activity")},'
                f'"url":null,"replies_count":0,"reblogs_count":0,"favourites_count":0,"edited_at":null,'
                f'"favourited":false,"reblogged":false,"muted":false,"bookmarked":false,'
                f'"content":"","filtered":[],"reblog":{inner},"application":null,'
                f'"account":{booster.frag},"media_attachments":[],"mentions":[],"tags":[],'
                f'"emojis":[],"card":null,"poll":null}}'
            )
        return self.status(self.author(), ms)


def main(argv):
    args = list(argv[1:])
    config = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench", "route.toml")
    seed = SEED
    pos = []
    while args:
        a = args.pop(0)
        if a == "--config":
            config = args.pop(0)
        elif a == "--seed":
            seed = int(args.pop(0))
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            pos.append(a)
    if len(pos) != 2:
        sys.stderr.write("usage: gen_timeline.py N OUT [--config FILE] [--seed S]\n")
        return 2
    n, out = int(pos[0]), pos[1]
    gen = Gen(config, seed)
    f = sys.stdout if out == "-" else open(out, "w", encoding="utf-8", newline="\n")
    try:
        buf = []
        for i in range(n):
            buf.append(gen.entry())
            if len(buf) >= 1000:
                buf.append("")
                f.write("\n".join(buf))
                buf = []
        if buf:
            buf.append("")
            f.write("\n".join(buf))
    finally:
        if f is not sys.stdout:
            f.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
