#!/usr/bin/env bash
# The whole suite: lint, then pytest on SQLite (and its end-to-end tests once more with Slack in
# Socket Mode), then again on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
scripts/ensure-postgres.sh
if [ -x scripts/atproto/atproto-testnet.sh ]; then
  # The Bluesky tests run against a real local AT Protocol network (PDS, AppView, PLC).
  scripts/atproto/atproto-testnet.sh install
  export VEILLE_REQUIRE_ATPROTO=1
fi
"$VENV/bin/ruff" check .
echo "== tests on SQLite"
"$PY" -m pytest "$@"
echo "== end-to-end tests on SQLite, Slack reaching the app in Socket Mode"
VEILLE_TEST_SLACK_MODE=socket "$PY" -m pytest -m "not atproto" tests/e2e "$@"
echo "== tests on PostgreSQL"
VEILLE_TEST_DATABASE_URL="postgresql+psycopg://127.0.0.1:5432/test" "$PY" -m pytest -m "not atproto" "$@"
