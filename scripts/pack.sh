#!/usr/bin/env bash
# npm run pack: builds @switchboard/client and @switchboard/server and packs each into a tarball in
# packages-dist/, ready for `npm install <tarball>` in a project of your own.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_node_deps
log "building the client and the server"
pnpm --filter @switchboard/client run build
pnpm --filter @switchboard/server run build
rm -rf packages-dist
mkdir -p packages-dist
for name in client server; do
  (cd "packages/$name" && pnpm pack --pack-destination ../../packages-dist >/dev/null)
done
log "packed: install them in your project with"
printf '  npm install %s\n' "$(ls "$PWD"/packages-dist/*.tgz | tr '\n' ' ')"
