#!/usr/bin/env bash
# The IMDb bulk catalog benchmark: generates IMDb-format files once, then
# times Marquee's DataFusion job (target/release/imdb-catalog) and the same
# job in PySpark (bench/imdb_bulk_pyspark.py, local[2]) on them, checks that
# both give the same rows, and prints wall time, peak RSS and the ratios.
#
#   bench/imdb_bulk.sh                 # scale 0.1, both engines
#   SCALE=1.0 ENGINES=ours bench/imdb_bulk.sh
#   ENGINES="ours cluster" bench/imdb_bulk.sh   # and on a local Ballista cluster
#
# `cluster` starts a scheduler and three executors (target/release/marquee
# cluster …, 2 task slots each, EXECUTOR_MEMORY pool each) on 127.0.0.1 over
# the same store, runs the job with --engine ballista://…, and reports the
# executors' peak RSS beside the client's.
#
# Settings: SCALE (0.1), SEED (42), WORK (/tmp/marquee-bulk: never the repo),
# ENGINES ("ours pyspark"), MEMORY_LIMIT for DataFusion's pool (4G),
# SPARK_DRIVER_MEMORY (6g). Needs pyspark in .venv (`.venv/bin/pip install pyspark`) and Java 17.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "$MARQUEE_ROOT"

SCALE="${SCALE:-0.1}"
SEED="${SEED:-42}"
WORK="${WORK:-/tmp/marquee-bulk}"
ENGINES="${ENGINES:-ours pyspark}"
MEMORY_LIMIT="${MEMORY_LIMIT:-4G}"
SPARK_DRIVER_MEMORY="${SPARK_DRIVER_MEMORY:-6g}"
DATA="$WORK/s$SCALE"
STORE="$DATA/store"
INPUT="$STORE/raw/generated"
RESULTS="$DATA/results"
mkdir -p "$INPUT" "$RESULTS"

[ -n "${SKIP_BUILD:-}" ] || cargo build --release -p imdb_bulk -p pipeline -p marquee --bin imdb-bulk --bin imdb-catalog --bin marquee

if [ ! -s "$INPUT/title.crew.tsv.gz" ] || [ "$(cat "$DATA/seed" 2>/dev/null)" != "$SEED" ]; then
  echo "== generating scale $SCALE (seed $SEED) into $INPUT" >&2
  df -h "$WORK" >&2
  bench/peak_rss.py --label generate --json "$RESULTS/generate.json" -- \
    target/release/imdb-bulk generate --scale "$SCALE" --seed "$SEED" --out "$INPUT"
  echo "$SEED" > "$DATA/seed"
fi
du -sh "$INPUT" >&2

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load before: $(uptime | sed 's/.*load average: //')" >&2
OURS_OUT=""
for engine in $ENGINES; do
  case "$engine" in
    ours)
      rm -rf "$STORE/staged" "$STORE/cleaned/imdb_catalog"
      echo "== ours (DataFusion, restage from the raw .tsv.gz)" >&2
      bench/peak_rss.py --label datafusion --json "$RESULTS/ours.json" -- \
        target/release/imdb-catalog --store "$STORE" --inputs-under raw/generated --memory-limit "$MEMORY_LIMIT" \
          --spill-dir "$WORK/spill" --version bench --restage --json > "$RESULTS/ours-report.json"
      OURS_OUT="$STORE/cleaned/imdb_catalog/version=bench/imdb_catalog.parquet"
      ;;
    cluster)
      rm -rf "$STORE/staged" "$STORE/cleaned/imdb_catalog/version=cluster"
      PORT="${CLUSTER_PORT:-50150}"
      LOGS="$RESULTS/cluster-logs"; mkdir -p "$LOGS"
      echo "== cluster (Ballista: 1 scheduler + 3 executors on 127.0.0.1:$PORT)" >&2
      pids=()
      target/release/marquee cluster scheduler --bind "127.0.0.1:$PORT" --store "$STORE" > "$LOGS/scheduler.log" 2>&1 &
      pids+=($!)
      for i in 1 2 3; do
        target/release/marquee cluster executor --scheduler "127.0.0.1:$PORT" --flight-port $((PORT + 2 * i)) \
          --grpc-port $((PORT + 2 * i + 1)) --vcores 2 --memory-pool "${EXECUTOR_MEMORY:-2G}" --store "$STORE" \
          --work-dir "$WORK/spill/executor-$i" > "$LOGS/executor-$i.log" 2>&1 &
        pids+=($!)
      done
      trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
      for _ in $(seq 1 150); do
        n="$(curl -fsS "http://127.0.0.1:$PORT/api/executors" 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))' 2>/dev/null || echo 0)"
        [ "$n" = 3 ] && break
        sleep 0.2
      done
      [ "$n" = 3 ] || { echo "the cluster did not come up (see $LOGS)" >&2; exit 1; }
      bench/peak_rss.py --label cluster --json "$RESULTS/cluster.json" -- \
        target/release/imdb-catalog --store "$STORE" --inputs-under raw/generated --memory-limit "$MEMORY_LIMIT" \
          --version cluster --restage --json --engine "ballista://127.0.0.1:$PORT" > "$RESULTS/cluster-report.json"
      # Each executor's peak RSS (VmHWM), then the cluster is stopped.
      for pid in "${pids[@]}"; do awk -v p="$pid" '/VmHWM/ {print p, $2}' "/proc/$pid/status"; done > "$RESULTS/cluster-rss.txt"
      kill "${pids[@]}" 2>/dev/null || true
      trap - EXIT
      ;;
    pyspark)
      echo "== PySpark (local[2])" >&2
      compare=()
      if [ -n "$OURS_OUT" ]; then compare=(--compare "$OURS_OUT"); fi
      bench/peak_rss.py --label pyspark --json "$RESULTS/pyspark.json" -- \
        .venv/bin/python bench/imdb_bulk_pyspark.py --input "$INPUT" --out "$DATA/pyspark_out" \
          --driver-memory "$SPARK_DRIVER_MEMORY" "${compare[@]}"
      ;;
  esac
done
echo "== load after: $(uptime | sed 's/.*load average: //')" >&2

python3 - "$RESULTS" "$SCALE" <<'PY'
import json, os, sys
d, scale = sys.argv[1], sys.argv[2]
def load(n):
    p = os.path.join(d, n)
    return json.load(open(p)) if os.path.exists(p) else None
ours, spark, rep = load("ours.json"), load("pyspark.json"), load("ours-report.json")
cluster, crep = load("cluster.json"), load("cluster-report.json")
print(f"| engine (scale {scale}) | wall | peak RSS |")
print("|---|---|---|")
for name, r in (("Marquee (DataFusion)", ours), ("Marquee on Ballista, 3 executors", cluster), ("PySpark local[2]", spark)):
    if r:
        print(f"| {name} | {r['wall_seconds']:.1f} s | {r['peak_rss_mib']:.0f} MiB |")
if cluster and os.path.exists(os.path.join(d, "cluster-rss.txt")):
    kib = [int(l.split()[1]) for l in open(os.path.join(d, "cluster-rss.txt")) if l.strip()]
    print(f"\ncluster processes' peak RSS (scheduler, executors): {', '.join(f'{k >> 10} MiB' for k in kib)}; "
          f"sum with the client {sum(kib) / 1024 + cluster['peak_rss_mib']:.0f} MiB")
if crep and rep:
    same = crep["report"]["films"] == rep["report"]["films"]
    print(f"cluster films {crep['report']['films']} vs embedded {rep['report']['films']}: {'same' if same else 'DIFFERENT'}; "
          f"executors {crep['report']['engine'].get('executors')}")
if ours and cluster:
    print(f"cluster / embedded wall: {cluster['wall_seconds'] / ours['wall_seconds']:.2f}x")
if ours and spark:
    print(f"| ratio PySpark / ours | {spark['wall_seconds'] / ours['wall_seconds']:.1f}x | {spark['peak_rss_mib'] / ours['peak_rss_mib']:.1f}x |")
if rep:
    r = rep["report"]
    print(f"\nours: stage {r['stage_seconds']:.1f} s + catalog {r['catalog_seconds']:.1f} s; {r['films']} films; "
          f"pool peak {r['peak_pool_bytes'] >> 20} MiB of {r['memory_limit'] >> 20} MiB; spill peak {r['peak_spill_bytes'] >> 20} MiB")
PY
