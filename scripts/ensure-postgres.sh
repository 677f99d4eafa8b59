#!/usr/bin/env bash
# Make sure PostgreSQL answers on 127.0.0.1:5432 (database "test", trust auth, as on our CI
# machines). Starts the local cluster if it is down; fails loudly if it cannot.
set -euo pipefail
HOST=127.0.0.1 PORT=5432
if pg_isready -q -h "$HOST" -p "$PORT" 2>/dev/null; then exit 0; fi
echo "PostgreSQL is not answering on $HOST:$PORT: starting it" >&2
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "PostgreSQL is not installed: installing it from Debian's packages" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) || {
    echo "FATAL: could not install PostgreSQL" >&2; exit 1; }
fi
version=$(ls /etc/postgresql | sort -V | tail -1)
pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
for _ in $(seq 1 60); do
  pg_isready -q -h "$HOST" -p "$PORT" && break
  sleep 0.5
done
if ! pg_isready -q -h "$HOST" -p "$PORT"; then
  echo "FATAL: PostgreSQL did not start on $HOST:$PORT; see /var/log/postgresql/" >&2
  exit 1
fi
psql -h "$HOST" -p "$PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" 2>/dev/null | grep -q 1 \
  || createdb -h "$HOST" -p "$PORT" -U postgres test 2>/dev/null || true
psql -h "$HOST" -p "$PORT" -d test -c "SELECT 1" >/dev/null || {
  echo "FATAL: cannot connect to database 'test' on $HOST:$PORT" >&2; exit 1; }
