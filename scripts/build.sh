#!/usr/bin/env bash
# Builds the web page's wasm core into www/pkg (wasm32) and www/pkg64 (wasm64,
# for snapshots over ~2.5 GB) with wasm-bindgen --target web, shrunk with
# binaryen's wasm-opt, and generates the demo snapshots in www/demo.
# Needs the tools scripts/setup.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[build] %s\n' "$*" >&2; }

log "compiling the core for wasm32"
cargo build --release --target wasm32-unknown-unknown --lib

log "generating JavaScript bindings (www/pkg)"
wasm-bindgen --target web --out-dir www/pkg target/wasm32-unknown-unknown/release/heaplens.wasm

# rustc's wasm targets emit bulk memory, sign extension, non-trapping
# float-to-int, mutable globals, multi-value and reference types. wasm-opt 132
# also reads them from the module's target_features section, but naming them
# keeps the step working if a tool strips that section (without them wasm-opt
# rejects the module as invalid). shrink BG [FLAG…] rewrites BG in place.
wasm_opt=scripts/node_modules/.bin/wasm-opt
shrink() {
  local bg=$1; shift
  if [ ! -x "$wasm_opt" ]; then
    log "wasm-opt not found at $wasm_opt (run scripts/setup.sh); keeping the unshrunk $bg"
    return
  fi
  # wasm-opt -O3 takes about a minute per build here; its output depends only on
  # its input, its version and the flags (the key), so a warm build reuses it.
  local key cached
  key=$(cat "$bg" <(printf '%s ' "$@") <("$wasm_opt" --version) | sha256sum | cut -c1-32)
  cached=target/wasm-opt-cache/$key.wasm
  if [ -f "$cached" ]; then
    cp "$cached" "$bg"
    log "wasm-opt: $bg unchanged since the last build, reused $cached"
    return
  fi
  log "shrinking $bg with wasm-opt -O3"
  if "$wasm_opt" -O3 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-multivalue --enable-reference-types "$@" \
      "$bg" -o "$bg.opt" 2> target/wasm-opt.log; then
    before=$(wc -c < "$bg"); mv "$bg.opt" "$bg"; after=$(wc -c < "$bg")
    mkdir -p target/wasm-opt-cache && cp "$bg" "$cached"
    # Keep the newest few (both builds, and the previous pair).
    ls -t target/wasm-opt-cache/*.wasm | tail -n +5 | xargs -r rm -f
    log "wasm-opt: $before -> $after bytes"
  else
    rm -f "$bg.opt"
    log "wasm-opt failed (see target/wasm-opt.log); keeping the unshrunk $bg"
  fi
}
shrink www/pkg/heaplens_bg.wasm

# The same core for wasm64 (memory64, which Chromium ships): wasm32's 4 GiB
# holds snapshots up to ~2.5 GB, wasm64 those beyond; the worker picks the
# build by file size. wasm64-unknown-unknown is a tier-3 target, so std is
# built from source by a pinned nightly (scripts/setup.sh installs it).
nightly=$(cat scripts/nightly-toolchain)
if rustup run "$nightly" rustc --version > /dev/null 2>&1 \
    && [ -d "$(rustup run "$nightly" rustc --print sysroot)/lib/rustlib/src/rust/library" ]; then
  log "compiling the core for wasm64 with $nightly"
  cargo +"$nightly" build --release --target wasm64-unknown-unknown --lib -Z build-std=std,panic_abort
  wasm-bindgen --target web --out-dir www/pkg64 target/wasm64-unknown-unknown/release/heaplens.wasm
  shrink www/pkg64/heaplens_bg.wasm --enable-memory64
else
  rm -rf www/pkg64
  log "no $nightly toolchain with rust-src (scripts/setup.sh installs it): no wasm64 build, so the page opens snapshots up to ~2.5 GB only"
fi

# Demo: three snapshots of a program that leaks, served from the same origin.
demo=www/demo
if [ ! -f "$demo/1.heapsnapshot" ] || [ ! -f "$demo/2.heapsnapshot" ] || [ ! -f "$demo/3.heapsnapshot" ]; then
  program=tests/fixtures/programs/classic-leak.cjs
  if [ -f "$program" ]; then
    log "generating the demo snapshots in $demo"
    mkdir -p "$demo"
    node --expose-gc "$program" "$demo" 3
  else
    log "$program is missing: no demo snapshots"
  fi
fi
if [ -d "$demo" ]; then
  node -e '
    const fs = require("fs"), path = require("path");
    const dir = process.argv[1];
    const names = fs.readdirSync(dir).filter((n) => /\.heapsnapshot(\.gz)?$/.test(n))
      .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
    const snapshots = names.map((name) => ({ name, url: name, size: fs.statSync(path.join(dir, name)).size }));
    fs.writeFileSync(path.join(dir, "index.json"), JSON.stringify({ snapshots }, null, 2) + "\n");
    console.error(`[build] ${dir}/index.json lists ${names.length} snapshot(s)`);
  ' "$demo"
fi
log "done: serve www/ (scripts/serve.sh) and open it"
