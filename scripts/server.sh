#!/usr/bin/env bash
# npm run server [-- options]: the Switchboard server with no experiment (switchboard-server), after
# building the client bundles it serves under /static/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_node_deps
log "building the client"
pnpm --filter @switchboard/client run build
log "starting switchboard-server"
exec node packages/server/bin/switchboard-server.js "$@"
