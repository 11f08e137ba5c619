# Shared by scripts/test.sh and scripts/demo.sh: bring a fresh machine (Node ≥ 20.19 and npm only)
# to what the project needs, installing only what is missing.

PNPM_VERSION=10.34.9

# pnpm without a global install: npx fetches the pinned version once and caches it.
pnpm() {
  npx -y "pnpm@${PNPM_VERSION}" "$@"
}

log() {
  printf '\n\033[1m▸ %s\033[0m\n' "$*"
}

ensure_node_deps() {
  log "installing workspace dependencies (pnpm ${PNPM_VERSION})"
  pnpm install --frozen-lockfile --reporter=append-only
}

# Installs Debian packages that are missing; needs root or sudo.
apt_install() {
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
      echo "need root (or sudo) to install: $*" >&2
      return 1
    fi
  fi
  log "installing Debian packages: $*"
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@"
}

ensure_chromium() {
  export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
  if [ ! -x "$CHROMIUM_PATH" ]; then apt_install chromium; fi
  "$CHROMIUM_PATH" --version
}

ensure_redis() {
  if ! command -v redis-server >/dev/null 2>&1; then apt_install redis-server; fi
  # The tests start their own redis-server on free ports; the Debian service is not needed.
  redis-server --version
}

ensure_postgres() {
  # The record's tests start their own PostgreSQL server (Debian's package) in a temporary folder.
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then apt_install postgresql; fi
  "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/postgres" --version
}
