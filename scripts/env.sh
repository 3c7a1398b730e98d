# Sourced by the other scripts: where the project's tools live and how to reach them.
# shellcheck shell=bash

# Tools are installed once per machine into a fixed prefix outside the checkout,
# so fresh clones (and CI) reuse them instead of recompiling cargo-leptos.
if [ -z "${MARQUEE_TOOLS:-}" ]; then
  if [ -w /opt ] || [ -d /opt/marquee-tools ]; then
    MARQUEE_TOOLS=/opt/marquee-tools
  else
    MARQUEE_TOOLS="$HOME/.local/share/marquee-tools"
  fi
fi
export MARQUEE_TOOLS

MARQUEE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MARQUEE_ROOT

export PATH="$MARQUEE_TOOLS/bin:$MARQUEE_ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"

# Route B of the WASM toolchain (Debian's rustc-web) leaves wrappers here;
# when present they are the compiler for the whole workspace.
if [ -x "$MARQUEE_TOOLS/rustc-web/bin/rustc" ] && [ ! -f "$MARQUEE_TOOLS/.wasm-route-a" ]; then
  export RUSTC="$MARQUEE_TOOLS/rustc-web/bin/rustc"
  export RUSTDOC="$MARQUEE_TOOLS/rustc-web/bin/rustdoc"
fi

# Pinned tool versions (wasm-bindgen must equal the crate in Cargo.lock).
CARGO_LEPTOS_VERSION=0.3.11
WASM_BINDGEN_VERSION=0.2.130

# Leptos reads LEPTOS_OUTPUT_NAME at *compile* time to name the WASM file in
# the hydration script. cargo-leptos sets it; setting it here too makes every
# cargo command (test, clippy) build the same server, and share its artifacts.
export LEPTOS_OUTPUT_NAME=marquee

# The site is served by the built binary from the repository root.
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
