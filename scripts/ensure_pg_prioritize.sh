#!/usr/bin/env bash
# PostgreSQL's prioritize extension (WORKER_DATABASE_NICE, alux_crm/core/worker_priority.py):
# installed from Debian's packages when PostgreSQL runs on this machine and lacks it.
# Optional: without it the tests of the extension are skipped and workers keep their
# database sessions' priority.
set -u
PSQL=(psql -h "${PGHOST:-127.0.0.1}" -U "${PGUSER:-postgres}" -d postgres -tAq)
available=$("${PSQL[@]}" -c "SELECT count(*) FROM pg_available_extensions WHERE name = 'prioritize'" 2>/dev/null || echo error)
if [ "$available" = 1 ] || [ "$available" = error ]; then exit 0; fi
major=$(( $("${PSQL[@]}" -c "SHOW server_version_num") / 10000 ))
if ! command -v apt-get >/dev/null; then exit 0; fi
echo "Installing postgresql-$major-prioritize (database sessions of the workers at a lower priority)…"
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "postgresql-$major-prioritize" >/dev/null 2>&1 \
  || { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "postgresql-$major-prioritize" >/dev/null 2>&1; } \
  || echo "postgresql-$major-prioritize could not be installed: its tests are skipped"
exit 0
