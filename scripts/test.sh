#!/usr/bin/env bash
# The whole suite: lint, then pytest on SQLite (and its end-to-end tests once more with Slack in
# Socket Mode), then again on PostgreSQL. Each pass runs on two processes (pytest-xdist, one per
# core: every test has its own database, Slack stand-in and ports); the Bluesky tests share one
# local AT Protocol network, so they run in one process of their own.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
WORKERS="${VEILLE_TEST_WORKERS:-2}"
scripts/ensure-postgres.sh
"$VENV/bin/ruff" check .
if [ -x scripts/atproto/atproto-testnet.sh ]; then
  # The Bluesky tests run against a real local AT Protocol network (PDS, AppView, PLC).
  scripts/atproto/atproto-testnet.sh install
  echo "== Bluesky tests on a real local AT Protocol network (SQLite)"
  VEILLE_REQUIRE_ATPROTO=1 "$PY" -m pytest -m atproto "$@"
fi
echo "== tests on SQLite"
"$PY" -m pytest -n "$WORKERS" -m "not atproto" "$@"
echo "== end-to-end tests on SQLite, Slack reaching the app in Socket Mode"
VEILLE_TEST_SLACK_MODE=socket "$PY" -m pytest -n "$WORKERS" -m "not atproto" tests/e2e "$@"
echo "== tests on PostgreSQL"
VEILLE_TEST_DATABASE_URL="postgresql+psycopg://127.0.0.1:5432/test" "$PY" -m pytest -n "$WORKERS" -m "not atproto" "$@"
