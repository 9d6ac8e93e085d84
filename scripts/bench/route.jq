# The routing contract of `circles route` (README, "The config") written in jq, used as the
# baseline and the cross-check by scripts/bench-route.sh.
#
#   jq -nc --argjson cfg "$(python3 -c 'import json,sys,tomllib; print(json.dumps(tomllib.load(open(sys.argv[1],"rb")),default=str))' scripts/bench/route.toml)" \
#      -f scripts/bench/route.jq timeline.jsonl
#
# Input: Mastodon Status entities, one per line. Output, one line per input:
#   {"id":…,"author":"@user@host","columns":[…],"muted":null|"account"|"boost"|"keyword","amplified":bool}
# Handles the config subset used by the bench: [me] handles, columns with
# accounts / keywords / regex / hashtags / mentions_me / exclude_keywords /
# boosts / replies / rest, [mute] accounts / keywords / regex / boosts_from,
# [amplify] accounts. `mute.until`, `sources`, `languages` and `media_only`
# are not implemented.
#
# Keywords are matched on the raw HTML `content` (plus spoiler_text and media
# descriptions) with \b…\b, case-insensitive. circles matches the decoded
# text; the two agree because the generator never puts a keyword inside a tag,
# an attribute, a URL or next to an entity.

# "@User@Host" / "user@host" as written in the config -> "user@host"
def cfg_handle: ascii_downcase | ltrimstr("@");

# an Account or Mention entity -> "user@host" (a local acct gets the host of its url)
def handle:
  if (.acct | contains("@")) then .acct else .acct + "@" + (.url | split("/")[2]) end
  | ascii_downcase;

def set(f): map({key: f, value: true}) | from_entries;

def rxesc:
  [explode[] | [.] | implode | . as $c
   | if ("\\.^$|?*+()[]{}" | contains($c)) then "\\" + $c else $c end] | add // "";

# a list of keywords -> one whole-word regex, or null when empty
def kwre: if length == 0 then null else "\\b(?:" + (map(rxesc) | join("|")) + ")\\b" end;

def matches($re): $re != null and test($re; "i");

def compile:
  {
    me:         (.me.handles // [] | set(cfg_handle)),
    mute_acc:   (.mute.accounts // [] | set(cfg_handle)),
    boosts_from:(.mute.boosts_from // [] | set(cfg_handle)),
    amplify:    (.amplify.accounts // [] | set(cfg_handle)),
    mute_kw:    (.mute.keywords // [] | kwre),
    mute_rx:    (.mute.regex // []),
    columns: [ .column[] | {
      name,
      rest:      (.rest // false),
      has_include: (([.accounts, .keywords, .regex, .hashtags] | map(. // [] | length) | add > 0)
                    or (.mentions_me // false)),
      accounts:  (.accounts // [] | set(cfg_handle)),
      kw:        (.keywords // [] | kwre),
      regex:     (.regex // []),
      hashtags:  (.hashtags // [] | set(ascii_downcase | ltrimstr("#"))),
      mentions_me: (.mentions_me // false),
      exclude:   (.exclude_keywords // [] | kwre),
      boosts:    (if .boosts == null then true else .boosts end),
      replies:   (if .replies == null then true else .replies end)
    } ]
  };

def route($r):
  . as $s
  | ($s.reblog // $s) as $p
  | ($p.account | handle) as $author
  | (if $s.reblog != null then ($s.account | handle) else null end) as $booster
  | ([$p.spoiler_text // "", $p.content // ""] + [$p.media_attachments[]?.description | strings]
     | join("\n")) as $text
  | (if $r.mute_acc[$author] or ($booster != null and $r.mute_acc[$booster]) then "account"
     elif $booster != null and $r.boosts_from[$booster] then "boost"
     else null end) as $m1
  | ($m1 == null and ($r.amplify[$author] or ($booster != null and $r.amplify[$booster])) == true)
    as $amplified
  | (if $m1 != null then $m1
     elif ($amplified | not)
          and (($text | matches($r.mute_kw)) or any($r.mute_rx[]; . as $re | $text | test($re)))
       then "keyword"
     else null end) as $muted
  | if $muted != null then
      {id: $p.id, author: ("@" + $author), columns: [], muted: $muted, amplified: $amplified}
    else
      ([$p.tags[]?.name | ascii_downcase]) as $tags
      | (any($p.mentions[]?; $r.me[handle])) as $mentions_me
      | ($s.reblog != null) as $is_boost
      | ($p.in_reply_to_id != null) as $is_reply
      | [ $r.columns[] | select(.rest | not) | . as $c
          | select(
              ( ($c.has_include | not)
                or $c.accounts[$author] or ($booster != null and $c.accounts[$booster])
                or ($text | matches($c.kw))
                or any($c.regex[]; . as $re | $text | test($re))
                or any($tags[]; $c.hashtags[.])
                or ($c.mentions_me and $mentions_me) )
              and (($text | matches($c.exclude)) | not)
              and ($c.boosts or ($is_boost | not))
              and ($c.replies or ($is_reply | not)) )
          | .name ] as $cols
      | {id: $p.id, author: ("@" + $author),
         columns: (if $cols == [] then [$r.columns[] | select(.rest) | .name] else $cols end),
         muted: null, amplified: $amplified}
    end;

($cfg | compile) as $r | inputs | route($r)
