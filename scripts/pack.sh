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
# A tarball without the browser bundles or the types would install and then fail in every page.
for built in packages/client/dist/static/switchboard.iife.js packages/client/dist/static/switchboard.js packages/client/dist/index.d.ts packages/server/dist/index.js packages/server/dist/index.d.ts; do
  if [ ! -s "$built" ]; then echo "pack: $built is missing after the build; nothing was packed" >&2; exit 1; fi
done
rm -rf packages-dist
mkdir -p packages-dist
for name in client server; do
  (cd "packages/$name" && pnpm pack --pack-destination ../../packages-dist >/dev/null)
done
log "packed: install them in your project with"
printf '  npm install %s zod ws\n' "$(ls "$PWD"/packages-dist/*.tgz | tr '\n' ' ')"
