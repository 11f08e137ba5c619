#!/usr/bin/env bash
# Every test: types, unit and integration tests, then end-to-end tests in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_node_deps
ensure_chromium
ensure_redis
ensure_postgres

log "type checks"
pnpm -r --reporter=append-only run typecheck

log "client build (ES module, script-tag IIFE, type declarations)"
pnpm --filter @switchboard/client run build
pnpm --filter @switchboard/client run size

log "unit and integration tests"
pnpm --filter './packages/*' --filter './examples/*' --reporter=append-only run test

log "fault suite (real server processes and redis-server: kill -9, SIGTERM, restarts, partitions)"
pnpm --filter @switchboard/faults run test

log "end-to-end tests (Playwright, Chromium)"
pnpm --filter @switchboard/e2e run test
