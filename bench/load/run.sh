#!/usr/bin/env bash
# Load test of the release server on 127.0.0.1 with wrk (Debian's package),
# the way shared/docs/anchors.md measured its prototype: wrk on the same
# 2-core machine, 64 connections, 60 s per route.
#
#   bench/load/run.sh                 # all routes, 60 s each
#   DURATION=10 bench/load/run.sh     # a quick look
#   CORPUS=wikipedia bench/load/run.sh  # the 36k Wikipedia films as the catalog
#   ROUTES="search swap" bench/load/run.sh  # search idle, then during index swaps
#
# `swap` is the search load again while bench/load/swap_runs.py rebuilds and
# swaps the index through /admin back to back (a pipeline run each).
#
# Routes: /api/search over a mix of 1000 real queries (bench/load/queries.py),
# the SSR home page, and every SSR movie page in turn. Prints a Markdown table
# (req/s, p50/p90/p99/max, errors) and leaves the raw wrk output in $OUT.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source scripts/env.sh
DURATION=${DURATION:-60}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
OUT=${OUT:-target/load}
ROUTES=${ROUTES:-search home movies}
CORPUS=${CORPUS:-kaggle}
SHARED=$(cd .. && pwd)/shared/data

command -v wrk >/dev/null || { echo "installing wrk" >&2; sudo -n true 2>/dev/null && SUDO=sudo || SUDO=; $SUDO apt-get install -y wrk >/dev/null; }
[ -x target/release/marquee ] || cargo leptos build --release

mkdir -p "$OUT"
work=$(mktemp -d)
case "$CORPUS" in
  kaggle) CATALOG=${MARQUEE_CATALOG_SOURCE:-$SHARED/catalog/imdb_top_1000.csv} ;;
  wikipedia) CATALOG="$work/wikipedia.csv"; python3 bench/load/wikipedia_catalog.py "$SHARED/wikipedia/movies.json" "$CATALOG" ;;
  *) echo "CORPUS is kaggle or wikipedia" >&2; exit 2 ;;
esac
admin_password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
printf '%s\n' "$admin_password" | MARQUEE_DATA_DIR="$work" DATABASE_URL="sqlite://$work/marquee.db" \
  target/release/marquee admin set-password >/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
LEPTOS_SITE_ADDR="127.0.0.1:$port" MARQUEE_DATA_DIR="$work" DATABASE_URL="sqlite://$work/marquee.db" \
  MARQUEE_CATALOG_SOURCE="$CATALOG" MARQUEE_SEARCH_RATE_LIMIT=off MARQUEE_SCHEDULE=off MARQUEE_ADMIN_USER=admin MARQUEE_SENTIMENT_ON_START=false RUST_LOG=warn \
  target/release/marquee serve >"$OUT/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 3000); do
  curl -sf "$base/ready" >/dev/null && break
  kill -0 $pid 2>/dev/null || { echo "the server exited; see $OUT/server.log" >&2; exit 1; }
  sleep 0.2
done
curl -sf "$base/ready" >/dev/null || { echo "the server was not ready in 600 s" >&2; exit 1; }

python3 - "$work/marquee.db" >"$work/ids.txt" <<'PY'
import sqlite3, sys
for (i,) in sqlite3.connect(sys.argv[1]).execute("SELECT id FROM movies ORDER BY id"):
    print(i)
PY
python3 bench/load/queries.py "$CATALOG" "$work/ids.txt" "$work"
echo / >"$work/home.txt"
cp "$work/search.txt" "$work/swap.txt"

echo "| route | req/s | p50 ms | p90 ms | p99 ms | max ms | errors (connect/read/write/timeout/non-2xx) |"
echo "|---|---|---|---|---|---|---|"
for route in $ROUTES; do
  # A short warm-up, then the measured run.
  PATHS="$work/$route.txt" wrk -t"$THREADS" -c"$CONNECTIONS" -d3s -s bench/load/mix.lua "$base" >/dev/null
  swapper=
  if [ "$route" = swap ]; then
    python3 bench/load/swap_runs.py "$base" admin "$admin_password" "$DURATION" >"$OUT/swap-runs.json" &
    swapper=$!
  fi
  PATHS="$work/$route.txt" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s -s bench/load/mix.lua "$base" \
    >"$OUT/$route.txt"
  [ -z "$swapper" ] || wait "$swapper"
  python3 - "$route" "$OUT/$route.txt" "$(wc -l <"$work/ids.txt")" "$OUT/swap-runs.json" <<'PY'
import json, sys
route, path, films, swaps = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
line = next(l for l in open(path) if l.startswith("RESULT "))
r = json.loads(line[len("RESULT "):])
name = {"search": "`/api/search` (1000-query mix)", "home": "`/` (SSR home)", "movies": f"`/movie/:id` (SSR, all {films:,})"}.get(route)
if route == "swap":
    s = json.load(open(swaps))
    name = f"`/api/search` during {s['runs']} index rebuilds and swaps ({s['failed']} failed runs)"
errors = "/".join(str(r[k]) for k in ["connect_errors", "read_errors", "write_errors", "timeouts", "non_2xx"])
print(f"| {name} | {r['rps']:,} | {r['p50_ms']} | {r['p90_ms']} | {r['p99_ms']} | {r['max_ms']} | {errors} |")
PY
done
echo
echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s on $(nproc) cores, catalog $CORPUS ($(wc -l <"$work/ids.txt") films), $(date -u +%F), commit $(git rev-parse --short HEAD)"
