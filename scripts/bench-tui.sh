#!/usr/bin/env bash
# Benchmark the TUI binary in a pseudo-terminal: (a) startup to the first
# frame on the bundled demo, (b) CPU used while the screen sits idle, on
# the built-in config and on a config file after one keyboard edit (`a`),
# (c) a detail view with 4 images (served from 127.0.0.1, drawn in half
# blocks): the key to its first frame, to the images drawn, and idle CPU
# with them on screen, (d) with a Bluesky Jetstream open and quiet, idle
# CPU, (e) with a source of every column kind (Mastodon list, tag, user,
# bookmarks, favourites, search; Bluesky custom feed, list, user, likes,
# search) on one local server beside the demo: startup to the first frame
# and idle CPU once each has read.
#
#   scripts/bench-tui.sh [IDLE_SECONDS]     # idle measurement, default 30
#
# Environment:
#   CIRCLES_BIN=path   use this binary instead of building target/release/circles
#   BENCH_RUNS=20      startup runs (min and median are reported)
#   BENCH_SETTLE=2     seconds to wait after the demo is on screen before the
#                      idle measurement starts
#   BENCH_SIZE=200x50  terminal size, COLSxROWS
#   BENCH_STRICT=1     exit 1 when a target is missed
#   BENCH_SHOW=1       print the screen of the first startup run as the
#                      emulator read it (a check of the measurement)
#
# Targets (release build): first frame <= 100 ms after spawn (median),
# idle CPU <= 0.5% of one core; the detail view with 4 images shows its
# descriptions <= 16 ms after the key, while the images load.
#
# Every run gets empty XDG config/data dirs, so the built-in default config
# (the demo source) is used and the log goes to a temp dir. The output is
# fed to a minimal terminal emulator (cursor moves and text: ratatui only
# writes the cells that changed, so the raw bytes cannot be searched). The
# first frame is the moment the status bar, the last row, shows "? help":
# ratatui writes a frame top to bottom, so the status bar comes last.
# "demo live" in the status bar marks the demo's posts being on screen
# (reported too, no target). The idle run sets CIRCLES_DEMO_INTERVAL=0, so
# no demo posts arrive after the backlog; what is left is the event loop's
# own wake-ups (the redraw for relative times every minute, or every 10 s
# while the newest post is under a minute old, and whatever the runtime and
# the input reader do). CPU is utime+stime of all the process's threads
# from /proc/<pid>/stat, in CLK_TCK ticks, over the wall time.
#
# Exit: 0 ok (or a missed target without BENCH_STRICT), 1 failure or a
# missed target with BENCH_STRICT=1, 2 usage.

set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

IDLE=${1:-30}
if ! [[ $IDLE =~ ^[0-9]+([.][0-9]+)?$ ]] || awk -v s="$IDLE" 'BEGIN{exit !(s < 1)}'; then
    echo "usage: $0 [IDLE_SECONDS]   (>= 1, default 30)" >&2
    exit 2
fi
RUNS=${BENCH_RUNS:-20}
SETTLE=${BENCH_SETTLE:-2}
SIZE=${BENCH_SIZE:-200x50}
if ! [[ $RUNS =~ ^[1-9][0-9]*$ && $SIZE =~ ^[1-9][0-9]*x[1-9][0-9]*$ && $SETTLE =~ ^[0-9]+([.][0-9]+)?$ ]]; then
    echo "bench-tui: BENCH_RUNS must be >= 1, BENCH_SIZE COLSxROWS, BENCH_SETTLE seconds" >&2
    exit 2
fi
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

say() { printf '%s\n' "$*" >&2; }
die() { say "bench-tui: $*"; exit 1; }

command -v python3 >/dev/null || die "python3 is required (it drives the pseudo-terminal)"
[[ -r /proc/self/stat ]] || die "/proc is required (CPU time)"

if [[ -n ${CIRCLES_BIN:-} ]]; then
    BIN=$CIRCLES_BIN
else
    say "building: cargo build --release"
    cargo build --release --quiet
    BIN=$TARGET_DIR/release/circles
fi
[[ -x $BIN ]] || die "no circles binary at $BIN"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-tui.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

python3 - "$BIN" "$RUNS" "$IDLE" "$SETTLE" "$SIZE" "$TMP" <<'PY'
import errno, fcntl, os, re, select, signal, statistics, struct, subprocess
import sys, termios, time, unicodedata, threading, zlib, http.server

BIN, RUNS, IDLE, SETTLE, SIZE, TMP = sys.argv[1:7]
ROOT_DIR = os.getcwd()
RUNS, IDLE, SETTLE = int(RUNS), float(IDLE), float(SETTLE)
COLS, ROWS = (int(x) for x in SIZE.split("x"))
STRICT = bool(os.environ.get("BENCH_STRICT"))
TARGET_FIRST_MS = 100.0
TARGET_IDLE_PCT = 0.5
TIMEOUT = 10.0
CLK_TCK = os.sysconf("SC_CLK_TCK")

FIRST_FRAME = "? help"
DEMO_LIVE = "demo live"

# What ratatui's crossterm backend writes: CSI sequences (cursor moves,
# colors, modes), a few other escapes, and UTF-8 text.
TOKEN = re.compile(
    rb"\x1b\[([0-9;?<>=]*)[ -/]*([@-~])"        # CSI: parameters, final byte
    rb"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"       # OSC
    rb"|\x1b[()][0-9A-Za-z]|\x1b[=>78DEMc]"      # charsets, modes
    rb"|[\x00-\x7f]|[\xc0-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf7][\x80-\xbf]{3}"
)


def say(*a):
    print(*a, file=sys.stderr, flush=True)


def width(ch):
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


class Emulator:
    """Just enough of a terminal to read back what ratatui drew."""

    def __init__(self, cols, rows):
        self.cols, self.rows = cols, rows
        self.grid = [[" "] * cols for _ in range(rows)]
        self.row = self.col = 0
        self.done = 0  # bytes of the output consumed

    def feed(self, raw, final=False):
        pos, end = self.done, len(raw)
        while pos < end:
            m = TOKEN.match(raw, pos)
            if m is None or (m.group(0) == b"\x1b" and not final):
                if not final and end - pos < 64:
                    break  # an escape or a character cut in two: wait for the rest
                pos += 1  # not understood: skip a byte
                continue
            pos = m.end()
            if m.group(2) is not None:
                self.csi(m.group(1).decode(), m.group(2).decode())
            elif not m.group(0).startswith(b"\x1b"):
                self.put(m.group(0).decode("utf-8", "replace"))
        self.done = pos

    def csi(self, params, final):
        args = [int(p) if p.isdigit() else 0 for p in params.split(";")] if params else []
        if final in "Hf":
            r = (args[0] if len(args) > 0 and args[0] else 1) - 1
            c = (args[1] if len(args) > 1 and args[1] else 1) - 1
            self.row, self.col = min(r, self.rows - 1), min(c, self.cols - 1)
        elif final == "J" and args[:1] in ([2], [3]):
            self.grid = [[" "] * self.cols for _ in range(self.rows)]
        elif final == "K":
            for c in range(self.col, self.cols):
                self.grid[self.row][c] = " "

    def put(self, ch):
        if ch == "\r":
            self.col = 0
        elif ch == "\n":
            self.row = min(self.row + 1, self.rows - 1)
        elif ch < " " or ch == "\x7f":
            pass
        elif (w := width(ch)) == 0:
            if self.col > 0:
                self.grid[self.row][self.col - 1] += ch
        elif self.col < self.cols:
            self.grid[self.row][self.col] = ch
            if w == 2 and self.col + 1 < self.cols:
                self.grid[self.row][self.col + 1] = ""
            self.col += w

    def line(self, row):
        return "".join(self.grid[row])

    def text(self):
        return "\n".join(self.line(r).rstrip() for r in range(self.rows))


def environment(name, interval):
    env = dict(os.environ)
    for var in ("CIRCLES_CONFIG", "CIRCLES_LOG", "CIRCLES_DEMO_INTERVAL"):
        env.pop(var, None)
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        path = os.path.join(TMP, f"run-{name}", var.lower())
        os.makedirs(path, exist_ok=True)
        env[var] = path
    env["TERM"] = "xterm-256color"
    env["COLUMNS"], env["LINES"] = str(COLS), str(ROWS)
    if interval is not None:
        env["CIRCLES_DEMO_INTERVAL"] = interval
    return env


def controlling_tty():
    # start_new_session has made the child a session leader; the pty on its
    # stdin becomes its controlling terminal, as in a real terminal.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Screen:
    """The binary on a fresh pty of COLS x ROWS, and what it shows."""

    def __init__(self, env):
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.raw = bytearray()
        self.eof = False
        self.screen = Emulator(COLS, ROWS)
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            [BIN], stdin=slave, stdout=slave, stderr=slave, env=env,
            start_new_session=True, preexec_fn=controlling_tty, close_fds=True,
        )
        os.close(slave)

    def pump(self, timeout):
        """Reads what the binary wrote, waiting at most `timeout` s."""
        if self.eof:
            time.sleep(max(timeout, 0))
            return
        ready, _, _ = select.select([self.master], [], [], max(timeout, 0))
        if not ready:
            return
        try:
            data = os.read(self.master, 1 << 16)
        except OSError as e:
            if e.errno != errno.EIO:
                raise
            data = b""
        if not data:
            self.eof = True
        self.raw += data
        self.screen.feed(self.raw, final=self.eof)

    def status(self):
        return self.screen.line(ROWS - 1)

    def wait_for(self, marker, timeout=TIMEOUT):
        """Seconds from spawn until the status bar shows `marker`, or None."""
        deadline = time.perf_counter() + timeout
        while True:
            if marker in self.status():
                return time.perf_counter() - self.t0
            left = deadline - time.perf_counter()
            if left <= 0 or self.eof:
                return None
            self.pump(left)

    def drain(self, seconds):
        deadline = time.perf_counter() + seconds
        while (left := deadline - time.perf_counter()) > 0:
            self.pump(left)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            deadline = time.perf_counter() + 3
            while self.proc.poll() is None and time.perf_counter() < deadline and not self.eof:
                self.pump(0.05)
            try:
                self.proc.wait(timeout=max(deadline - time.perf_counter(), 0.1))
            except subprocess.TimeoutExpired:
                say("  note: no exit 3 s after SIGTERM; killed")
                self.proc.kill()
                self.proc.wait()
        os.close(self.master)

    def tail(self):
        """The screen as last seen, without blank lines."""
        return "\n".join(line for line in self.screen.text().splitlines() if line.strip())


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime of all threads


def switches(pid):
    """Context switches of all threads: roughly, wake-ups."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def show(screen):
    say("  | " + screen.tail().replace("\n", "\n  | "))


failed = False

# --- (a) startup to first frame -------------------------------------------------
say(f"startup: {RUNS} runs of {BIN} on a {COLS}x{ROWS} pty")
first, live = [], []
for n in range(RUNS):
    screen = Screen(environment(n, None))
    try:
        t_first = screen.wait_for(FIRST_FRAME)
        t_live = screen.wait_for(DEMO_LIVE) if t_first is not None else None
    finally:
        screen.stop()
    if t_first is None or t_live is None:
        what = "first frame" if t_first is None else "'demo live'"
        say(f"  run {n + 1}: no {what} within {TIMEOUT:.0f} s "
            f"(exit {screen.proc.returncode}); the screen was:")
        show(screen)
        failed = True
        break
    first.append(t_first * 1e3)
    live.append(t_live * 1e3)
    if n == 0 and os.environ.get("BENCH_SHOW"):
        say("  the screen of run 1 (as the emulator read it):")
        show(screen)

# --- (b) idle CPU ------------------------------------------------------------------
def measure_idle(name, edit):
    """Idle CPU with the demo still; with `edit`, on a config file after one
    keyboard edit (`a`), which once set off endless re-reads of the file."""
    global failed
    env = environment(name, "0")
    if edit:
        config = os.path.join(env["XDG_CONFIG_HOME"], "circles")
        os.makedirs(config, exist_ok=True)
        with open(os.path.join(ROOT_DIR, "config", "default.toml")) as src, \
                open(os.path.join(config, "config.toml"), "w") as dst:
            dst.write(src.read())
    screen = Screen(env)
    try:
        if screen.wait_for(DEMO_LIVE) is None:
            say("  the demo never went live; the screen was:")
            show(screen)
            failed = True
            return None
        if edit:
            os.write(screen.master, b"a")
            if screen.wait_for("u to undo") is None:
                say("  the edit was not confirmed; the screen was:")
                show(screen)
                failed = True
                return None
        return idle_cpu(screen)
    finally:
        screen.stop()


def idle_cpu(screen):
    """SETTLE s to settle, then the CPU the binary uses over IDLE s of
    nothing happening; None (and a failure) if it exits meanwhile."""
    global failed
    pid = screen.proc.pid
    screen.drain(SETTLE)
    bytes0, ticks0, sw0 = len(screen.raw), cpu_ticks(pid), switches(pid)
    t0 = time.perf_counter()
    screen.drain(IDLE)
    if screen.proc.poll() is not None:
        say(f"  the binary exited while idle (exit {screen.proc.returncode})")
        failed = True
        return None
    ticks1, sw1, t1 = cpu_ticks(pid), switches(pid), time.perf_counter()
    wall, cpu = t1 - t0, (ticks1 - ticks0) / CLK_TCK
    return dict(
        wall=wall, cpu=cpu, pct=100 * cpu / wall, ticks=ticks1 - ticks0,
        wakeups=(sw1 - sw0) / wall, written=len(screen.raw) - bytes0,
        threads=len(os.listdir(f"/proc/{pid}/task")), total=ticks1 / CLK_TCK,
    )


# --- (c) a detail view with 4 images ---------------------------------------------
def png(width, height, rgb):
    """A PNG shading from `rgb` down to black, row by row (stdlib only)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    rows = b"".join(b"\x00" + bytes(c * (height - y) // height for c in rgb) * width
                    for y in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def measure_images():
    """Enter on a post with 4 images: ms to the frame with their
    descriptions, ms to the images drawn, and idle CPU after."""
    global failed
    pictures = {f"/{i}.png": png(640, 480, (60 * i, 200 - 40 * i, 90)) for i in range(4)}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = pictures.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    env = environment("images", "0")
    env["CIRCLES_IMAGE_PROTOCOL"] = "halfblocks"
    config = os.path.join(env["XDG_CONFIG_HOME"], "circles")
    os.makedirs(config, exist_ok=True)
    posts = os.path.join(TMP, "images.jsonl")
    media = ", ".join(f'{{"kind": "image", "alt": "picture {i}", "url": "{base}/{i}.png"}}'
                      for i in range(4))
    with open(posts, "w") as f:
        f.write(f'{{"id": "1", "author": "@pix@x.social", "text": "four pictures", '
                f'"created_at": "2026-11-22T10:00:00Z", "media": [{media}]}}\n')
    with open(os.path.join(config, "config.toml"), "w") as f:
        f.write(f'[[source]]\nname = "pics"\nkind = "jsonl"\npath = "{posts}"\n\n'
                f'[[column]]\nname = "Pics"\n')
    screen = Screen(env)

    def until(check, timeout=TIMEOUT):
        deadline = time.perf_counter() + timeout
        while not check(screen.screen.text()):
            left = deadline - time.perf_counter()
            if left <= 0 or screen.eof:
                return None
            screen.pump(min(left, 0.002))
        return time.perf_counter()

    try:
        if screen.wait_for("done") is None:
            say("  the post was not read; the screen was:")
            show(screen)
            failed = True
            return None
        screen.drain(0.5)
        t0 = time.perf_counter()
        os.write(screen.master, b"\r")
        shown = until(lambda t: "picture 0" in t)
        drawn = until(lambda t: "loading the image" not in t)
        if shown is None or drawn is None:
            say("  the detail view or its images did not show; the screen was:")
            show(screen)
            failed = True
            return None
        idle = idle_cpu(screen)
        if idle is None:
            return None
        return dict(idle, first=(shown - t0) * 1e3, drawn=(drawn - t0) * 1e3)
    finally:
        screen.stop()
        server.shutdown()


def json_server(answers, seen=None, closing=None):
    """An HTTP server on 127.0.0.1 answering each path of `answers` with its
    JSON (404 for any other), noting the paths asked in `seen`; with
    `closing`, `/api/v1/streaming/...` is a stream that stays open and quiet
    until `closing` is set."""
    import json

    class Api(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self):
            if "content-length" in self.headers:
                self.rfile.read(int(self.headers["content-length"]))
            path = self.path.split("?")[0]
            if seen is not None:
                seen.add(path)
            if closing is not None and path.startswith("/api/v1/streaming/"):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                self.wfile.flush()
                closing.wait()
                return
            body = json.dumps(answers.get(path, {"error": "not here"})).encode()
            self.send_response(200 if path in answers else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = answer

        def log_message(self, *args):
            pass

    class Quiet(http.server.ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address):
            pass  # a stream the binary closed on its way out

    server = Quiet(("127.0.0.1", 0), Api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def measure_jetstream():
    """Idle CPU of a Bluesky timeline live over Jetstream with nothing
    posted: an XRPC server and a WebSocket server on 127.0.0.1 (the
    handshake by hand: the standard library has no WebSocket) that accepts
    the subscription and then stays quiet."""
    global failed
    import base64, hashlib, json, socket
    did = "did:plc:benchbenchbenchbenchbench"
    answers = {
        "/xrpc/com.atproto.server.createSession": {
            "did": did, "handle": "bench.test", "accessJwt": "a.b.c", "refreshJwt": "d.e.f"},
        "/xrpc/app.bsky.feed.getTimeline": {"feed": []},
        "/xrpc/app.bsky.graph.getFollows": {
            "follows": [{"did": f"did:plc:follow{i:019}", "handle": f"f{i}.test"} for i in range(200)]},
        "/xrpc/app.bsky.feed.getPosts": {"posts": []},
    }

    xrpc = json_server(answers)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    subscribed = threading.Event()
    held = []

    def accept():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                request += chunk
            key = re.search(rb"(?i)sec-websocket-key: *([^\r]+)", request)
            if not key:
                conn.close()
                continue
            accept_key = base64.b64encode(hashlib.sha1(
                key.group(1).strip() + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
            conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                         b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept_key + b"\r\n\r\n")
            held.append(conn)
            subscribed.set()

    threading.Thread(target=accept, daemon=True).start()
    env = environment("jetstream", "0")
    env["BENCH_BSKY_PASSWORD"] = "bench-pass-word-1234"
    config = os.path.join(env["XDG_CONFIG_HOME"], "circles")
    os.makedirs(config, exist_ok=True)
    with open(os.path.join(config, "config.toml"), "w") as f:
        f.write(f'[[source]]\nname = "sky"\nkind = "bluesky"\nhandle = "bench.test"\n'
                f'service = "http://127.0.0.1:{xrpc.server_address[1]}"\n'
                f'app_password_env = "BENCH_BSKY_PASSWORD"\n'
                f'jetstream = "ws://127.0.0.1:{listener.getsockname()[1]}/subscribe"\n\n'
                f'[[column]]\nname = "Sky"\n')
    screen = Screen(env)
    try:
        if screen.wait_for("sky live") is None or not subscribed.wait(TIMEOUT):
            say("  the subscription was not made; the screen was:")
            show(screen)
            failed = True
            return None
        return idle_cpu(screen)
    finally:
        screen.stop()
        xrpc.shutdown()
        listener.close()
        for conn in held:
            conn.close()


def measure_every_column():
    """Startup to the first frame, and idle CPU, with a source of every
    column kind beside the demo: Mastodon list:Friends (streamed), a tag
    (streamed), user:, bookmarks, favourites and search:; Bluesky a custom
    feed, a list, user:, likes and search:. One HTTP server on 127.0.0.1
    answers both APIs, with empty timelines and streams that stay open
    and quiet."""
    global failed
    import json
    seen = set()
    closing = threading.Event()  # the open streams end when it is set
    account = {"id": "7", "username": "bob", "acct": "bob", "display_name": "Bob",
               "url": "http://127.0.0.1/@bob", "note": "", "avatar": "", "header": "",
               "followers_count": 0, "following_count": 0, "statuses_count": 0,
               "created_at": "2026-01-01T00:00:00.000Z"}
    answers = {
        "/api/v1/lists": [{"id": "1", "title": "Friends"}],
        "/api/v1/timelines/list/1": [], "/api/v1/timelines/tag/rust": [],
        "/api/v1/accounts/lookup": account, "/api/v1/accounts/7/statuses": [],
        "/api/v1/bookmarks": [], "/api/v1/favourites": [],
        "/api/v2/search": {"accounts": [], "statuses": [], "hashtags": []},
        "/xrpc/com.atproto.server.createSession": {
            "did": "did:plc:benchbenchbenchbenchbench", "handle": "bench.test",
            "accessJwt": "a.b.c", "refreshJwt": "d.e.f"},
        "/xrpc/app.bsky.feed.getFeed": {"feed": []},
        "/xrpc/app.bsky.feed.getListFeed": {"feed": []},
        "/xrpc/app.bsky.feed.getAuthorFeed": {"feed": []},
        "/xrpc/app.bsky.feed.getActorLikes": {"feed": []},
        "/xrpc/app.bsky.feed.searchPosts": {"posts": []},
        "/xrpc/app.bsky.feed.getFeedGenerator": {"view": {"displayName": "Cats"}},
        "/xrpc/app.bsky.graph.getList": {"list": {"name": "Friends"}},
    }

    server = json_server(answers, seen, closing)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    sources = [("demo", 'kind = "demo"')]
    for name, timeline in [("m-list", "list:Friends"), ("m-tag", "tag:rust"), ("m-user", "user:@bob"),
                           ("m-kept", "bookmarks"), ("m-stars", "favourites"), ("m-search", "search:rust")]:
        sources.append((name, f'kind = "mastodon"\ninstance = "{base}"\ntimeline = "{timeline}"\n'
                              f'token_env = "BENCH_MASTO_TOKEN"'))
    did = "did:plc:benchbenchbenchbenchbench"
    for name, feed in [("b-feed", f"at://{did}/app.bsky.feed.generator/cats"),
                       ("b-list", f"at://{did}/app.bsky.graph.list/friends"),
                       ("b-user", "user:alice.test"), ("b-likes", "likes"), ("b-search", "search:rust")]:
        sources.append((name, f'kind = "bluesky"\nhandle = "bench.test"\nservice = "{base}"\n'
                              f'app_password_env = "BENCH_BSKY_PASSWORD"\nfeed = "{feed}"'))
    text = "".join(f'[[source]]\nname = "{n}"\n{body}\n\n' for n, body in sources)
    text += "".join(f'[[column]]\nname = "{n}"\nsources = ["{n}"]\n\n' for n, _ in sources)
    wanted = {"/api/v1/timelines/list/1", "/api/v1/accounts/7/statuses", "/api/v1/bookmarks",
              "/api/v1/favourites", "/api/v2/search", "/api/v1/timelines/tag/rust",
              "/xrpc/app.bsky.feed.getFeed", "/xrpc/app.bsky.feed.getListFeed",
              "/xrpc/app.bsky.feed.getAuthorFeed", "/xrpc/app.bsky.feed.getActorLikes",
              "/xrpc/app.bsky.feed.searchPosts"}

    def start(name):
        env = environment(name, "0")
        env["BENCH_BSKY_PASSWORD"] = "bench-pass-word-1234"
        env["BENCH_MASTO_TOKEN"] = "bench-token"
        config = os.path.join(env["XDG_CONFIG_HOME"], "circles")
        os.makedirs(config, exist_ok=True)
        with open(os.path.join(config, "config.toml"), "w") as f:
            f.write(text)
        return Screen(env)

    firsts = []
    try:
        for n in range(RUNS):
            screen = start(f"columns-{n}")
            try:
                t = screen.wait_for(FIRST_FRAME)
            finally:
                screen.stop()
            if t is None:
                say("  no first frame; the screen was:")
                show(screen)
                failed = True
                return None
            firsts.append(t * 1e3)
        seen.clear()
        screen = start("columns-idle")
        try:
            deadline = time.perf_counter() + TIMEOUT
            while not wanted <= seen and time.perf_counter() < deadline:
                screen.pump(0.1)
            if not wanted <= seen:
                say(f"  never asked for {sorted(wanted - seen)}; the screen was:")
                show(screen)
                failed = True
                return None
            idle = idle_cpu(screen)
        finally:
            screen.stop()
        return idle and dict(idle, first=firsts, sources=len(sources))
    finally:
        closing.set()
        server.shutdown()
        server.server_close()


idles = []
if not failed:
    for name, edit, what in [("idle", False, "no new posts"),
                             ("idle-edit", True, "after one keyboard edit of a config file")]:
        say(f"idle, {what}: CIRCLES_DEMO_INTERVAL=0, {SETTLE:g} s to settle, then {IDLE:g} s")
        result = measure_idle(name, edit)
        if result:
            idles.append((what, result))

if not failed:
    say(f"idle with a Jetstream subscription open and quiet (200 follows, local servers): {SETTLE:g} s to settle, then {IDLE:g} s")
    result = measure_jetstream()
    if result:
        idles.append(("with a quiet Jetstream connection open", result))

columns = None
if not failed:
    say(f"every column kind: {RUNS} startups and {IDLE:g} s idle with 12 sources on local servers")
    columns = measure_every_column()
    if columns:
        idles.append((f"with {columns['sources']} sources of every column kind live", columns))

images = None
if not failed:
    say(f"images: a detail view with 4 images (640x480 PNGs from 127.0.0.1, half blocks), then {IDLE:g} s idle")
    images = measure_images()

# --- report -------------------------------------------------------------------------
print()
if first:
    def spread(ms):
        return (f"min {min(ms):6.1f} ms   median {statistics.median(ms):6.1f} ms"
                f"   max {max(ms):6.1f} ms")
    print(f"startup ({len(first)} runs, {COLS}x{ROWS} pty, built-in config with the demo):")
    print(f"  first frame:        {spread(first)}")
    print(f"  demo live on screen: {spread(live)}")
    if columns:
        print(f"startup ({len(columns['first'])} runs, {columns['sources']} sources of every column kind):")
        print(f"  first frame:        {spread(columns['first'])}")
for what, idle in idles:
    print(f"idle ({idle['wall']:.1f} s, {what}):")
    print(f"  CPU:      {idle['pct']:.3f}% of a core ({idle['cpu']:.2f} s = {idle['ticks']} ticks"
          f" at {CLK_TCK}/s; {idle['total']:.2f} s CPU since spawn)")
    print(f"  wake-ups: {idle['wakeups']:.1f} context switches/s over {idle['threads']} threads")
    print(f"  output:   {idle['written']} bytes written to the terminal")

if images:
    print("a detail view with 4 images:")
    print(f"  key to the frame with their descriptions: {images['first']:.1f} ms")
    print(f"  key to the images drawn:                  {images['drawn']:.1f} ms")
    print(f"  idle CPU with them on screen: {images['pct']:.3f}% of a core over {images['wall']:.1f} s"
          f" ({images['written']} bytes written)")

missed = False
print("targets:")


def verdict(ok, text):
    global missed
    print(f"  {'ok  ' if ok else 'MISS'}  {text}")
    missed |= not ok


if first:
    median = statistics.median(first)
    verdict(median <= TARGET_FIRST_MS,
            f"first frame <= {TARGET_FIRST_MS:.0f} ms after spawn (median {median:.1f} ms)")
for what, idle in idles:
    verdict(idle["pct"] <= TARGET_IDLE_PCT,
            f"idle CPU {what} <= {TARGET_IDLE_PCT}% of a core (got {idle['pct']:.3f}%)")
if columns:
    median = statistics.median(columns["first"])
    verdict(median <= TARGET_FIRST_MS,
            f"first frame with every column kind <= {TARGET_FIRST_MS:.0f} ms after spawn (median {median:.1f} ms)")
if images:
    verdict(images["first"] <= 16.0,
            f"the detail view with 4 images shows <= 16 ms after the key (got {images['first']:.1f} ms)")
    verdict(images["pct"] <= TARGET_IDLE_PCT,
            f"idle CPU with images on screen <= {TARGET_IDLE_PCT}% of a core (got {images['pct']:.3f}%)")
if failed:
    print("  FAIL  the measurement did not complete")
    sys.exit(1)
sys.exit(1 if missed and STRICT else 0)
PY
