#!/usr/bin/env bash
# Installs everything heaplens needs to build (and, with --test, to test) on a
# fresh Debian machine. Idempotent: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

log() { printf '[setup] %s\n' "$*" >&2; }

# Debian packages (Chromium for the browser tests) are slow to fetch, so they
# install in the background while the wasm-bindgen CLI compiles.
apt_pid=""
if [ "$want_test" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  log "installing Debian chromium (background)"
  ( export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null ) \
    > /tmp/heaplens-apt.log 2>&1 &
  apt_pid=$!
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The wasm64 build (snapshots over 4 GiB in the page) needs a nightly with
# rust-src: its target is tier 3, so std is compiled from source.
nightly=$(cat scripts/nightly-toolchain)
if ! rustup run "$nightly" rustc --version > /dev/null 2>&1 \
    || [ ! -d "$(rustup run "$nightly" rustc --print sysroot)/lib/rustlib/src/rust/library" ]; then
  log "installing the $nightly toolchain with rust-src (for the wasm64 build)"
  rustup toolchain install "$nightly" --profile minimal -c rust-src
fi

# The CLI must be exactly the version of the wasm-bindgen crate in Cargo.lock.
[ -f Cargo.lock ] || cargo generate-lockfile -q
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen_version" ]; then
  log "installing wasm-bindgen-cli $bindgen_version (takes a few minutes, once)"
  # --locked fails on this registry (one pinned dependency is missing): fall back.
  cargo install -q wasm-bindgen-cli --version "$bindgen_version" --locked \
    || cargo install -q wasm-bindgen-cli --version "$bindgen_version"
fi

# npm packages: binaryen's wasm-opt for the build; playwright-core and
# heap-snapshot-toolkit (DevTools' own worker, the numbers oracle) for tests;
# chrome-devtools-frontend + esbuild: today's worker, bundled by tests/oracle/devtools-today.mjs.
if [ ! -d scripts/node_modules/binaryen ]; then
  log "installing npm binaryen (wasm-opt)"
  (cd scripts && npm install --no-audit --no-fund --silent) || log "binaryen unavailable: the wasm will not be shrunk"
fi
# Installed when any package tests/package.json names is missing (a new one was added).
all_installed() {
  node -e 'const p = require("./tests/package.json");
    const names = Object.keys({ ...p.dependencies, ...p.devDependencies });
    process.exit(names.every((n) => require("fs").existsSync(`tests/node_modules/${n}/package.json`)) ? 0 : 1);'
}
if [ "$want_test" = 1 ] && ! all_installed; then
  log "installing npm test dependencies"
  (cd tests && npm install --no-audit --no-fund --silent)
fi

if [ -n "$apt_pid" ]; then
  wait "$apt_pid" || { cat /tmp/heaplens-apt.log >&2; log "apt-get failed"; exit 1; }
fi
log "ready"
