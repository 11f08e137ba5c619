#!/usr/bin/env bash
# npm run bots -- --url http://localhost:5000 --count 20 --script packages/demo/bots/chat.ts --duration 60s
# Simulated participants against a running server (switchboard-bots; --help lists the options).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_node_deps >&2
exec node packages/bots/bin/switchboard-bots.js "$@"
