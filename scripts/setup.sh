#!/usr/bin/env bash
# Installs, idempotently, everything Marquee needs on a fresh machine:
# the WASM-capable Rust toolchain, cargo-leptos, wasm-bindgen, npm packages
# (Tailwind, wasm-opt, playwright-core) and Debian's Chromium.
# A second run takes seconds: every step checks before it installs.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MARQUEE_ROOT"
mkdir -p "$MARQUEE_TOOLS/bin"

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }

has_wasm_std() {
  local libdir
  libdir="$(${RUSTC:-rustc} --print target-libdir --target wasm32-unknown-unknown 2>/dev/null)" || return 1
  compgen -G "$libdir/libstd-*.rlib" >/dev/null
}

# --- 1. The wasm32 standard library: route A (rustup), else route B (Debian rustc-web).
wasm_route_b() {
  log "rustup could not add wasm32-unknown-unknown: building Debian's rustc-web toolchain (route B)"
  local prefix="$MARQUEE_TOOLS/rustc-web" debs="$MARQUEE_TOOLS/rustc-web-debs"
  mkdir -p "$prefix/bin" "$debs"
  (cd "$debs" && apt-get update -qq >/dev/null 2>&1 || true
   apt-get download rustc-web libstd-rust-web-1.96 libstd-rust-web-dev rust-web-src libllvm22 lld-22)
  for d in "$debs"/*.deb; do dpkg -x "$d" "$prefix/root"; done
  local root="$prefix/root" host=x86_64-unknown-linux-gnu
  mkdir -p "$root/usr/lib/rustlib/$host/bin"
  ln -sf "$(ls "$root"/usr/lib/llvm-22/bin/lld)" "$root/usr/lib/rustlib/$host/bin/rust-lld"
  for tool in rustc rustdoc; do
    local real
    real="$(ls "$root"/usr/bin/${tool}* | grep -E "/${tool}(-web)?(-1\.96)?$" | head -1)"
    cat > "$prefix/bin/$tool" <<WRAP
#!/bin/sh
export LD_LIBRARY_PATH="$root/usr/lib/x86_64-linux-gnu\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
exec "$real" "\$@"
WRAP
    chmod +x "$prefix/bin/$tool"
  done
  # Build std for wasm32 once, with bitcode so LTO release builds link.
  local scratch; scratch="$(mktemp -d)"
  (cd "$scratch" && cargo init --lib --name wasmstd -q && printf '[lib]\ncrate-type=["cdylib"]\n' >> Cargo.toml &&
   RUSTC="$prefix/bin/rustc" RUSTC_BOOTSTRAP=1 cargo +stable build --release --target wasm32-unknown-unknown \
     -Zbuild-std=std,panic_abort --config 'build.rustflags=["-Cembed-bitcode=yes"]' -q)
  local dest="$root/usr/lib/rustlib/wasm32-unknown-unknown/lib"
  mkdir -p "$dest"
  cp "$scratch"/target/wasm32-unknown-unknown/release/deps/lib*.rlib "$scratch"/target/wasm32-unknown-unknown/release/deps/lib*.rmeta "$dest/"
  rm -rf "$scratch"
  rm -f "$MARQUEE_TOOLS/.wasm-route-a"
  export RUSTC="$prefix/bin/rustc" RUSTDOC="$prefix/bin/rustdoc"
}

if has_wasm_std; then
  :
elif timeout 180 rustup target add wasm32-unknown-unknown >&2 && has_wasm_std; then
  touch "$MARQUEE_TOOLS/.wasm-route-a"
  log "wasm32 target installed with rustup (route A)"
else
  wasm_route_b
  has_wasm_std || { echo "setup: no wasm32 standard library after route B" >&2; exit 1; }
fi

# Build tools are compiled without optimisation (opt-level 0, no debug info):
# they orchestrate and spend their time in rustc and wasm-opt. A cold set-up
# took 7 min 46 s this way, against ~21 min for the optimised tools.
export CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_DEBUG=false \
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256

# --- 2. cargo-leptos, once, into the fixed prefix.
if ! "$MARQUEE_TOOLS/bin/cargo-leptos" --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  log "installing cargo-leptos $CARGO_LEPTOS_VERSION into $MARQUEE_TOOLS (slow, once per machine)"
  toolchain=()
  if rustup run nightly rustc --version >/dev/null 2>&1; then toolchain=(+nightly); fi
  CARGO_TARGET_DIR="$MARQUEE_TOOLS/build" \
    cargo "${toolchain[@]}" install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --root "$MARQUEE_TOOLS"
  rm -rf "$MARQUEE_TOOLS/build"
fi

# --- 3. wasm-bindgen-cli, matching Cargo.lock (no --locked: its lockfile pins a yanked crate).
if ! "$MARQUEE_TOOLS/bin/wasm-bindgen" --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # wasm-bindgen rewrites the whole WASM bundle: it keeps some optimisation.
  CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_TARGET_DIR="$MARQUEE_TOOLS/build" cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --root "$MARQUEE_TOOLS"
  rm -rf "$MARQUEE_TOOLS/build"
fi

# --- 3b. cargo-fuzz, for scripts/fuzz.sh (its own build directory: other installs may be running).
CARGO_FUZZ_VERSION=0.13.1
if ! "$MARQUEE_TOOLS/bin/cargo-fuzz" --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  log "installing cargo-fuzz $CARGO_FUZZ_VERSION into $MARQUEE_TOOLS"
  CARGO_TARGET_DIR="$MARQUEE_TOOLS/build-cargo-fuzz" \
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --root "$MARQUEE_TOOLS"
  rm -rf "$MARQUEE_TOOLS/build-cargo-fuzz"
fi

# --- 3c. cargo-deny, for the licence, ban and source checks of scripts/test.sh
# (its licence matcher is slow unoptimised: opt-level 1).
CARGO_DENY_VERSION=0.20.2
if ! "$MARQUEE_TOOLS/bin/cargo-deny" --version 2>/dev/null | grep -q "$CARGO_DENY_VERSION"; then
  log "installing cargo-deny $CARGO_DENY_VERSION into $MARQUEE_TOOLS"
  CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_TARGET_DIR="$MARQUEE_TOOLS/build-cargo-deny" \
    cargo install cargo-deny --version "$CARGO_DENY_VERSION" --locked --root "$MARQUEE_TOOLS"
  rm -rf "$MARQUEE_TOOLS/build-cargo-deny"
fi

# --- 4. npm packages (Tailwind v4, binaryen's wasm-opt, playwright-core, tsx).
stamp=node_modules/.marquee-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  log "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

# --- 5. Debian's Chromium for the browser tests (never a downloaded browser).
if [ ! -x /usr/bin/chromium ]; then
  log "installing Debian's chromium"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

log "ready: $(cargo leptos --version 2>/dev/null || true), wasm-bindgen $("$MARQUEE_TOOLS/bin/wasm-bindgen" --version | awk '{print $2}'), chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}')"
