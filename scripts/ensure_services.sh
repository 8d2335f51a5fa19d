#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer on 127.0.0.1. Starts them where they are
# installed but stopped; says exactly what to do where they are missing.
set -u
PGHOST=${PGHOST:-127.0.0.1}; PGPORT=${PGPORT:-5432}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}; REDIS_PORT=${REDIS_PORT:-6379}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
wait_port() { for _ in $(seq 1 30); do port_open "$1" "$2" && return 0; sleep 0.5; done; return 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

if ! port_open "$PGHOST" "$PGPORT"; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql >/dev/null 2>&1; then
    echo "PostgreSQL is installed but not running: starting it."
    for version in $(ls /etc/postgresql); do
      as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
    wait_port "$PGHOST" "$PGPORT" || { echo "PostgreSQL did not start; see its log in /var/log/postgresql/." >&2; exit 1; }
  else
    cat >&2 <<MSG
PostgreSQL is not running on $PGHOST:$PGPORT and is not installed here.
Either install it:   sudo apt-get install postgresql   (then allow trust or set DATABASE_URL)
or, with Docker:     docker compose up -d db redis
MSG
    exit 1
  fi
fi

if ! port_open "$REDIS_HOST" "$REDIS_PORT"; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "Redis is installed but not running: starting it."
    mkdir -p /tmp/alux-redis
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
      --dir /tmp/alux-redis --logfile /tmp/alux-redis/redis.log
    wait_port "$REDIS_HOST" "$REDIS_PORT" || { echo "Redis did not start; see /tmp/alux-redis/redis.log." >&2; exit 1; }
  else
    cat >&2 <<MSG
Redis is not running on $REDIS_HOST:$REDIS_PORT and is not installed here.
Either install it:   sudo apt-get install redis-server
or, with Docker:     docker compose up -d db redis
MSG
    exit 1
  fi
fi
echo "PostgreSQL and Redis are up."
