#!/usr/bin/env bash
# Sets up, builds and serves the page on http://127.0.0.1:PORT/ (default 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
port="${1:-8080}"
bash scripts/setup.sh
bash scripts/build.sh
echo "heaplens: http://127.0.0.1:${port}/"
exec python3 -m http.server --bind 127.0.0.1 --directory www "$port"
