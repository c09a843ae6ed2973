#!/usr/bin/env bash
# Builds the web page's wasm core into www/pkg (wasm-bindgen --target web, then
# shrunk with binaryen's wasm-opt) and generates the demo snapshots in www/demo.
# Needs the tools scripts/setup.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[build] %s\n' "$*" >&2; }

log "compiling the core for wasm32"
cargo build --release --target wasm32-unknown-unknown --lib

log "generating JavaScript bindings (www/pkg)"
wasm-bindgen --target web --out-dir www/pkg target/wasm32-unknown-unknown/release/heaplens.wasm

# rustc's wasm32 target emits bulk memory, sign extension, non-trapping
# float-to-int, mutable globals, multi-value and reference types. wasm-opt 132
# also reads them from the module's target_features section, but naming them
# keeps the step working if a tool strips that section (without them wasm-opt
# rejects the module as invalid).
wasm_opt=scripts/node_modules/.bin/wasm-opt
bg=www/pkg/heaplens_bg.wasm
if [ -x "$wasm_opt" ]; then
  log "shrinking $bg with wasm-opt -O3"
  if "$wasm_opt" -O3 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-multivalue --enable-reference-types \
      "$bg" -o "$bg.opt" 2> target/wasm-opt.log; then
    before=$(wc -c < "$bg"); mv "$bg.opt" "$bg"; after=$(wc -c < "$bg")
    log "wasm-opt: $before -> $after bytes"
  else
    rm -f "$bg.opt"
    log "wasm-opt failed (see target/wasm-opt.log); keeping the unshrunk module"
  fi
else
  log "wasm-opt not found at $wasm_opt (run scripts/setup.sh); keeping the unshrunk module"
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
