#!/usr/bin/env bash
# Every test: formatting, clippy, unit and integration tests (SQLite and MySQL),
# then the end-to-end tests in Chromium against the release build.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MARQUEE_ROOT"
start=$(date +%s)
step() { printf '\n\033[1;34m== %s (%ss)\033[0m\n' "$*" "$(( $(date +%s) - start ))" >&2; }

step "setup"
scripts/setup.sh

step "services"
scripts/services.sh
export MARQUEE_TEST_MYSQL_URL="${MARQUEE_TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306/test}"

step "rustfmt"
cargo fmt --all --check

# Licences, banned crates and sources (deny.toml). The advisories check needs
# the RustSec database from GitHub, which these machines cannot fetch; run
# `cargo deny check advisories` where it can be.
step "cargo deny (licenses bans sources)"
cargo deny --log-level error check licenses bans sources

# One release build serves everything: cargo-leptos builds the server and the
# WASM bundle (`--split`: the lazy routes of app/src/pages/lazy.rs become
# chunks of their own), and the tests reuse the same release artifacts.
step "build (cargo leptos build --release --split)"
cargo leptos build --release --split

step "clippy"
cargo clippy --release --workspace --exclude frontend --all-targets -- -D warnings

step "unit and integration tests (SQLite + MySQL)"
cargo test --release --workspace --exclude frontend --no-fail-fast

step "fuzz (scripts/fuzz.sh: every target of fuzz/, ${FUZZ_SECONDS:-20} s each)"
scripts/fuzz.sh

step "end-to-end tests (Playwright + Chromium)"
cargo build --release -p fixture_site --bin fixture-site
npm run e2e

step "all tests passed"
