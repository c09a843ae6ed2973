#!/usr/bin/env bash
# Everything CI runs: set-up, Rust tests, the wasm build, then the browser end-to-end
# tests and the numbers oracle. Stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n[test] == %s\n' "$*" >&2; }

step "setup"
bash scripts/setup.sh --test
step "cargo test"
cargo test
step "build (wasm + demo)"
bash scripts/build.sh
step "cargo build (debug CLI for the e2e tests)"
cargo build
step "node --test tests/e2e/ tests/oracle/"
node --test tests/e2e/ tests/oracle/
