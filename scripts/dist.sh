#!/usr/bin/env bash
# Builds dist/: the static site ready to copy to any static host, under any sub-path
# (every URL in the page is relative): the page, its modules, the wasm core, the demo
# snapshots, the ES-module API (heaplens-api.js), the <heap-lens> element (heap-lens.js),
# the examples, and dist/heaplens.html, the single file that also works from disk.
# Usage: scripts/dist.sh [--skip-build] [--out DIR]   (default DIR: dist)
#   --skip-build  use www/ as it is (www/pkg built by scripts/build.sh) instead of
#                 running scripts/setup.sh and scripts/build.sh first
set -euo pipefail
cd "$(dirname "$0")/.."

out=dist
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --skip-build) build=0 ;;
    --out) out="${2:?--out needs a directory}"; shift ;;
    *) echo "usage: scripts/dist.sh [--skip-build] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done

log() { printf '[dist] %s\n' "$*" >&2; }

if [ "$build" = 1 ]; then
  bash scripts/setup.sh
  bash scripts/build.sh
fi
for f in www/pkg/heaplens.js www/pkg/heaplens_bg.wasm; do
  [ -f "$f" ] || { log "$f is missing: run scripts/build.sh first"; exit 1; }
done

# Never delete a directory this script did not make.
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ] && [ ! -f "$out/heaplens.html" ]; then
  log "$out exists and is not a heaplens dist (no heaplens.html): refusing to replace it"; exit 1
fi
log "copying www/ to $out/"
rm -rf "$out"
mkdir -p "$out"
# Everything the page serves; not the TypeScript declarations wasm-bindgen writes.
tar -C www --exclude='*.d.ts' -cf - . | tar -C "$out" -xf -
chmod -R u+rwX,go+rX "$out"   # the demo snapshots are written private; a host must read them

log "building $out/heaplens.html (single file)"
node scripts/build-single-file.mjs www "$out/heaplens.html"

log "done: $out/ ($(du -sh "$out" | cut -f1)); copy it anywhere, serving .wasm as application/wasm (README)"
