#!/usr/bin/env bash
# Bring up what the test suite talks to: PostgreSQL on 127.0.0.1:5432, Redis on
# 127.0.0.1:6379, and Debian's Chromium for the browser tests. Installs what is
# missing (the machine's user is root), starts what is down, leaves the rest alone.
set -euo pipefail

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

wait_for() {  # wait_for <what> <command...>
  local what=$1; shift
  for _ in $(seq 1 60); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "services: $what did not come up" >&2; return 1
}

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_for PostgreSQL pg_isready -q -h 127.0.0.1 -p 5432
fi
# The tests connect as postgres over TCP; trust auth is the machine's setting.
psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for Redis redis-cli -h 127.0.0.1 -p 6379 ping
fi

if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi

# Node and npm: the post-purchase extension's tests (make extension) and axe-core.
command -v npm >/dev/null || apt_install nodejs npm

# axe-core from the npm registry, for the checkout's accessibility test; .cache/ is ignored.
axe_prefix="$(cd "$(dirname "$0")/.." && pwd)/.cache/npm"
if [ ! -f "$axe_prefix/node_modules/axe-core/axe.min.js" ]; then
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$axe_prefix" axe-core@4 >/dev/null
fi
echo "services: PostgreSQL, Redis, Chromium, npm and axe-core are ready"
