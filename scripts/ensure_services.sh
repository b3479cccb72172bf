#!/usr/bin/env bash
# Makes sure the PostgreSQL and Redis that the tests use are reachable:
# starts them when installed but stopped, installs them with apt when missing
# (as root). Servers named by TEST_DATABASE_URL / TEST_REDIS_URL elsewhere
# are left alone.
set -euo pipefail

pg_ready() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
redis_ready() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
apt_install() {
  if [ "$(id -u)" != 0 ]; then echo "ensure_services: $* missing and not root; install it" >&2; exit 1; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  if ! pg_ready; then
    version=$(ls /etc/postgresql | sort -n | tail -1)
    if ! pg_lsclusters -h | grep -q "^$version main"; then pg_createcluster "$version" main >/dev/null; fi
    conf=/etc/postgresql/$version/main
    if ! grep -q "onething-trust" "$conf/pg_hba.conf"; then
      printf '# onething-trust: local test server\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n' \
        | cat - "$conf/pg_hba.conf" > /tmp/pg_hba && mv /tmp/pg_hba "$conf/pg_hba.conf"
      chown postgres:postgres "$conf/pg_hba.conf"
    fi
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
    for _ in $(seq 30); do pg_ready && break; sleep 1; done
  fi
  pg_ready || { echo "ensure_services: PostgreSQL did not start" >&2; exit 1; }
fi

if [ -z "${TEST_REDIS_URL:-}" ]; then
  command -v redis-server >/dev/null || apt_install redis-server
  if ! redis_ready; then
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
    for _ in $(seq 30); do redis_ready && break; sleep 0.5; done
  fi
  redis_ready || { echo "ensure_services: Redis did not start" >&2; exit 1; }
fi
echo "ensure_services: PostgreSQL and Redis ready"
