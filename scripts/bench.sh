#!/usr/bin/env bash
# pnpm bench / npm run bench: every benchmark, figures printed and written to docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_node_deps
ensure_redis
# The size section measures the client's built bundles.
pnpm --filter @switchboard/client run build >/dev/null
pnpm --filter @switchboard/bench run bench
