#!/usr/bin/env bash
# `circles stats` against `circles route` on the route bench's data: stats
# routes every post the same way and counts what each rule took, so it
# should cost about as much.
#
#   scripts/bench-stats.sh [N]      # N posts, default 100000
#
# Environment: CIRCLES_BIN=path (else cargo build --release), BENCH_RUNS=3.
# Target: stats within 10% of route (the best of BENCH_RUNS runs each).

set -euo pipefail
export LC_ALL=C
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
N=${1:-100000}
RUNS=${BENCH_RUNS:-3}
CONFIG=scripts/bench/route.toml
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
DATA=$TARGET_DIR/bench-data/timeline-$N.jsonl
if [[ -n ${CIRCLES_BIN:-} ]]; then
    BIN=$CIRCLES_BIN
else
    cargo build --release --quiet
    BIN=$TARGET_DIR/release/circles
fi
mkdir -p "$(dirname "$DATA")"
if [[ ! -s $DATA || scripts/gen_timeline.py -nt $DATA || $CONFIG -nt $DATA ]]; then
    python3 scripts/gen_timeline.py "$N" "$DATA.tmp"
    mv "$DATA.tmp" "$DATA"
fi
PIN=()
if command -v taskset >/dev/null && taskset -c 0 true 2>/dev/null; then
    PIN=(taskset -c 0)
fi

# best SUBCOMMAND: the best wall time of RUNS runs, in seconds.
best() {
    local best="" t0 t1 s
    for ((i = 1; i <= RUNS; i++)); do
        t0=$EPOCHREALTIME
        "${PIN[@]}" "$BIN" "$1" --config "$CONFIG" "$DATA" > /dev/null 2>&1
        t1=$EPOCHREALTIME
        s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.4f", b-a}')
        if [[ -z $best ]] || awk -v a="$s" -v b="$best" 'BEGIN{exit !(a < b)}'; then best=$s; fi
    done
    echo "$best"
}

ROUTE=$(best route)
STATS=$(best stats)
RATIO=$(awk -v s="$STATS" -v r="$ROUTE" 'BEGIN{printf "%.3f", s/r}')
echo "route: ${ROUTE} s   stats: ${STATS} s   stats/route: ${RATIO} (target <= 1.10) on $N posts"
