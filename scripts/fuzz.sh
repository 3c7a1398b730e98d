#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for a bounded time: FUZZ_SECONDS each
# (20 by default), from the committed seeds in fuzz/corpus/<target>/. New inputs
# go to target/fuzz/corpus/<target>/ (kept between runs, never committed), a
# crash to fuzz/artifacts/<target>/, and the script fails.
#   scripts/fuzz.sh                  # every target `cargo fuzz list` prints
#   FUZZ_SECONDS=300 scripts/fuzz.sh index_load query
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MARQUEE_ROOT/fuzz"
seconds="${FUZZ_SECONDS:-20}"

# cargo fuzz passes nightly-only flags (-Z, sanitizers): the nightly toolchain
# when rustup has one, else the default (stable) compiler with RUSTC_BOOTSTRAP=1
# and no sanitizer (its runtime ships with nightly only).
toolchain=()
sanitizer=(--sanitizer address)
if [ -z "${RUSTC:-}" ] && rustup run nightly rustc --version >/dev/null 2>&1; then
  toolchain=(+nightly)
else
  export RUSTC_BOOTSTRAP=1
  sanitizer=(--sanitizer none)
fi
# Its own target directory: fuzz builds use other flags than the workspace's.
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$MARQUEE_ROOT/target/fuzz}"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo "${toolchain[@]}" fuzz list)
fi
for t in "${targets[@]}"; do
  found="$CARGO_TARGET_DIR/corpus/$t"
  mkdir -p "$found" "corpus/$t"
  printf '\033[1;34m[fuzz]\033[0m %s for %ss\n' "$t" "$seconds" >&2
  # The first corpus directory receives new inputs; the committed seeds are read only.
  cargo "${toolchain[@]}" fuzz run "${sanitizer[@]}" "$t" "$found" "corpus/$t" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
done
printf '\033[1;34m[fuzz]\033[0m %s targets ran %ss each without a failure\n' "${#targets[@]}" "$seconds" >&2
