#!/usr/bin/env bash
# The demo, in memory: builds the client bundle and the pages, then serves them on PORT (default 5000).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_node_deps
log "building the client and the demo pages"
pnpm --filter @switchboard/client run build
pnpm --filter @switchboard/demo run build
log "starting the demo server"
cd packages/demo
exec ./node_modules/.bin/tsx src/main.ts
