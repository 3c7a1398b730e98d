#!/usr/bin/env bash
# The IMDb bulk catalog benchmark: generates IMDb-format files once, then
# times Marquee's DataFusion job (target/release/imdb-catalog) and the same
# job in PySpark (bench/imdb_bulk_pyspark.py, local[2]) on them, checks that
# both give the same rows, and prints wall time, peak RSS and the ratios.
#
#   bench/imdb_bulk.sh                 # scale 0.1, both engines
#   SCALE=1.0 ENGINES=ours bench/imdb_bulk.sh
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

[ -n "${SKIP_BUILD:-}" ] || cargo build --release -p imdb_bulk -p pipeline --bin imdb-bulk --bin imdb-catalog

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
print(f"| engine (scale {scale}) | wall | peak RSS |")
print("|---|---|---|")
for name, r in (("Marquee (DataFusion)", ours), ("PySpark local[2]", spark)):
    if r:
        print(f"| {name} | {r['wall_seconds']:.1f} s | {r['peak_rss_mib']:.0f} MiB |")
if ours and spark:
    print(f"| ratio PySpark / ours | {spark['wall_seconds'] / ours['wall_seconds']:.1f}x | {spark['peak_rss_mib'] / ours['peak_rss_mib']:.1f}x |")
if rep:
    r = rep["report"]
    print(f"\nours: stage {r['stage_seconds']:.1f} s + catalog {r['catalog_seconds']:.1f} s; {r['films']} films; "
          f"pool peak {r['peak_pool_bytes'] >> 20} MiB of {r['memory_limit'] >> 20} MiB; spill peak {r['peak_spill_bytes'] >> 20} MiB")
PY
