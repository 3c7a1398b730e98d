#!/usr/bin/env bash
# The main job: set up tools if needed, build the site (release), then serve it.
# At start-up the server migrates the database and, when the catalog is empty,
# runs the pipeline on the sample catalog. Embedded defaults: SQLite and the
# object store under data/, the site on http://127.0.0.1:3000.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MARQUEE_ROOT"
scripts/setup.sh
cargo leptos build --release --split
exec target/release/marquee serve "$@"
