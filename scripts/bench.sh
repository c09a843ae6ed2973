#!/usr/bin/env bash
# Benchmark: opens a ~250 MB snapshot (made with node on first use) with the
# native heaplens and with DevTools' own worker code, printing MB/s and peak
# memory for both. Usage: scripts/bench.sh [FILE] (default: a generated 250 MB file).
set -euo pipefail
cd "$(dirname "$0")/.."
file="${1:-target/bench/big250.heapsnapshot}"
if [ ! -f "$file" ]; then
  mkdir -p "$(dirname "$file")"
  echo "[bench] generating $file with node (about 20 s)" >&2
  node scripts/make-big-snapshot.cjs 250 "$file"
fi
cargo build --release -q
echo "== heaplens (native)"
ours=$(target/release/heaplens bench "$file" | tee /dev/stderr | awk '/^open total/ {print $3}')
if [ -d tests/node_modules/heap-snapshot-toolkit ]; then
  echo "== Chrome DevTools' worker (heap-snapshot-toolkit)"
  theirs=$(node --max-old-space-size=16000 scripts/bench-devtools.mjs "$file" | tee /dev/stderr | awk '/^open total/ {print $3}')
  awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "ratio          heaplens is %.1fx faster than DevTools'"'"' worker (%.3f s vs %.3f s, same sitting)\n", b / a, a, b }'
else
  echo "[bench] tests/node_modules missing (run scripts/setup.sh --test) for the DevTools figures" >&2
fi
if [ -d tests/node_modules/playwright-core ] && [ -x /usr/bin/chromium ]; then echo "== heaplens in headless Chromium (page + worker; scripts/bench-browser.mjs)"; node scripts/bench-browser.mjs "$file"; fi
