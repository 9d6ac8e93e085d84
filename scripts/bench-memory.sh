#!/usr/bin/env bash
# Memory per held post: the TUI in a pseudo-terminal with one jsonl source
# of N posts of the route bench's timeline, and its resident memory once
# they are all loaded, for N = 1, 2,000 and 20,000 (or the Ns given).
#
#   scripts/bench-memory.sh [N...]
#
# Environment:
#   CIRCLES_BIN=path   use this binary instead of building target/release/circles
#   BENCH_SIZE=200x50  terminal size, COLSxROWS
#   BENCH_STRICT=1     exit 1 when a target is missed
#
# Targets: <= 2 KB per held post beyond an empty start (the 1-post run),
# judged with the most posts asked for, and <= 50 MB RSS in all with 20k
# posts.
#
# Each run gets empty XDG config/data dirs and a config with the route
# bench's columns and mutes and one jsonl source reading the file. A run is
# "loaded" when the process has used no CPU for a second (after at least
# one); then VmRSS and VmHWM are read from /proc/<pid>/status. The posts
# are also written to the cache (SQLite, in the temp data dir), as in use.
#
# Exit: 0 ok (or a missed target without BENCH_STRICT), 1 failure or a
# missed target with BENCH_STRICT=1, 2 usage.

set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

NS=("$@")
[[ ${#NS[@]} -gt 0 ]] || NS=(1 2000 20000)
for n in "${NS[@]}"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [N...]   (N >= 1)" >&2; exit 2; }
done
SIZE=${BENCH_SIZE:-200x50}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

say() { printf '%s\n' "$*" >&2; }
die() { say "bench-memory: $*"; exit 1; }

command -v python3 >/dev/null || die "python3 is required (data and the pseudo-terminal)"
[[ -r /proc/self/status ]] || die "/proc is required (memory)"

if [[ -n ${CIRCLES_BIN:-} ]]; then
    BIN=$CIRCLES_BIN
else
    say "building: cargo build --release"
    cargo build --release --quiet
    BIN=$TARGET_DIR/release/circles
fi
[[ -x $BIN ]] || die "no circles binary at $BIN"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-memory.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

MAX=0
for n in "${NS[@]}"; do (( n > MAX )) && MAX=$n; done
DATA=$TARGET_DIR/bench-data/memory-$MAX.jsonl
if [[ ! -s $DATA || scripts/gen_timeline.py -nt $DATA ]]; then
    mkdir -p "$(dirname "$DATA")"
    say "generating $MAX posts"
    python3 scripts/gen_timeline.py "$MAX" "$DATA" --config scripts/bench/route.toml
fi

python3 - "$BIN" "$SIZE" "$TMP" "$DATA" "${NS[@]}" <<'PY'
import os, pty, select, signal, struct, sys, termios, fcntl, time, tomllib

BIN, SIZE, TMP, DATA = sys.argv[1:5]
NS = [int(n) for n in sys.argv[5:]]
COLS, ROWS = (int(x) for x in SIZE.split("x"))
STRICT = bool(os.environ.get("BENCH_STRICT"))
TARGET_PER_POST = 2048
TARGET_20K = 50 * 1024 * 1024
CLK_TCK = os.sysconf("SC_CLK_TCK")


def say(*a):
    print(*a, file=sys.stderr, flush=True)


def config(posts):
    """The route bench's columns and mutes, reading `posts`."""
    with open(os.path.join("scripts", "bench", "route.toml"), encoding="utf-8") as f:
        bench = f.read()
    return f'[[source]]\nname = "bench"\nkind = "jsonl"\npath = "{posts}"\n\n' + bench


def status(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    kb = lambda k: int(fields[k].split()[0]) * 1024
    return kb("VmRSS"), kb("VmHWM")


def cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return int(parts[11]) + int(parts[12])


def run(n):
    home = os.path.join(TMP, f"run-{n}")
    for sub in ("config/circles", "data"):
        os.makedirs(os.path.join(home, sub), exist_ok=True)
    posts = os.path.join(home, "posts.jsonl")
    with open(DATA, "rb") as src, open(posts, "wb") as dst:
        for i, line in enumerate(src):
            if i >= n:
                break
            dst.write(line)
    with open(os.path.join(home, "config/circles/config.toml"), "w") as f:
        f.write(config(posts))
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, "config"),
               XDG_DATA_HOME=os.path.join(home, "data"), TERM="xterm-256color")
    env.pop("CIRCLES_CONFIG", None)
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(BIN, [BIN], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    start = time.monotonic()
    last_cpu, quiet_since = -1, None
    try:
        while True:
            r, _, _ = select.select([fd], [], [], 0.1)
            if r:
                try:
                    os.read(fd, 65536)
                except OSError:
                    raise SystemExit(f"circles exited early with {n} posts")
            now = time.monotonic()
            used = cpu(pid)
            if used != last_cpu:
                last_cpu, quiet_since = used, now
            if now - start > 1.0 and now - quiet_since >= 1.0:
                break
            if now - start > 120:
                raise SystemExit(f"not loaded after 120 s with {n} posts")
        rss, hwm = status(pid)
    finally:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        os.close(fd)
    return rss, hwm


results = {}
for n in NS:
    results[n] = run(n)
    rss, hwm = results[n]
    say(f"{n:>7} posts: RSS {rss / 2**20:6.1f} MB (peak {hwm / 2**20:6.1f} MB)")

missed = False
base = min(NS)
top = max(NS)
for n in sorted(NS):
    if n == base:
        continue
    per = (results[n][0] - results[base][0]) / (n - base)
    # The target is judged with the most posts: a few thousand posts also
    # pay for what fills once (the SQLite page cache, buffers, tables).
    judged = n == top
    ok = per <= TARGET_PER_POST
    if judged:
        missed |= not ok
    verdict = ("ok" if ok else "MISSED") if judged else "not judged"
    say(f"{n:>7} posts: {per:7.0f} bytes per held post beyond {base} "
        f"({verdict}, target <= {TARGET_PER_POST})")
mid = [n for n in sorted(NS) if base < n < top]
if mid:
    slope = (results[top][0] - results[mid[-1]][0]) / (top - mid[-1])
    say(f"  from {mid[-1]} to {top} posts: {slope:.0f} bytes per more post held")
if 20000 in results:
    ok = results[20000][0] <= TARGET_20K
    missed |= not ok
    say(f"  20000 posts: {results[20000][0] / 2**20:.1f} MB in all "
        f"({'ok' if ok else 'MISSED'}, target <= {TARGET_20K / 2**20:.0f} MB)")
sys.exit(1 if missed and STRICT else 0)
PY
