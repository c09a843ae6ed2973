#!/usr/bin/env bash
# Benchmark: opens a ~250 MB snapshot (made with node on first use) with the
# native heaplens and with DevTools' own worker code, printing MB/s and peak
# memory for both, then in headless Chromium with one worker and with two.
# Usage: scripts/bench.sh [FILE] (default: /tmp/heaplens-bench/big250.heapsnapshot;
# a missing FILE named bigN.heapsnapshot is generated with N MB). Big files stay
# out of the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
file="${1:-/tmp/heaplens-bench/big250.heapsnapshot}"
if [ ! -f "$file" ]; then
  mb=$(basename "$file" | sed -n 's/^big\([0-9][0-9]*\)\.heapsnapshot$/\1/p')
  [ -n "$mb" ] || { echo "[bench] $file: no such file (name it bigN.heapsnapshot to generate N MB)" >&2; exit 1; }
  mkdir -p "$(dirname "$file")"
  echo "[bench] generating $file with node (about 20 s per 250 MB)" >&2
  node scripts/make-big-snapshot.cjs "$mb" "$file"
fi
cargo build --release -q
echo "== heaplens (native)"
# Each report is shown on stderr as it is and its "open total" kept; shown
# with `echo >&2`, not `tee /dev/stderr`, which reopens stderr and
# overwrites what is already there when stderr is a file.
report=$(target/release/heaplens bench "$file")
echo "$report" >&2
ours=$(awk '/^open total/ {print $3}' <<<"$report")
if [ -d tests/node_modules/heap-snapshot-toolkit ]; then
  echo "== Chrome DevTools' worker (heap-snapshot-toolkit)"
  report=$(node --max-old-space-size=16000 scripts/bench-devtools.mjs "$file")
  echo "$report" >&2
  theirs=$(awk '/^open total/ {print $3}' <<<"$report")
  awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "ratio          heaplens is %.1fx faster than DevTools'"'"' worker (%.3f s vs %.3f s, same sitting)\n", b / a, a, b }'
else
  echo "[bench] tests/node_modules missing (run scripts/setup.sh --test) for the DevTools figures" >&2
fi
if [ -d tests/node_modules/playwright-core ] && [ -x /usr/bin/chromium ]; then
  for workers in 1 2; do
    echo "== heaplens in headless Chromium, $workers worker(s) (page + workers; scripts/bench-browser.mjs)"
    node scripts/bench-browser.mjs "$file" --workers "$workers"
  done
fi
