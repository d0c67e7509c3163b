#!/usr/bin/env bash
# The main job on the embedded default (SQLite file LEDGER_DB, default ./ledger.sqlite):
#
#   bash scripts/run.sh
#
# Creates .venv if missing, installs the project, creates the tables, loads the demo data
# (`ledger demo`) and serves the API with waitress on LEDGER_HOST:LEDGER_PORT
# (default 127.0.0.1:8000) until Ctrl-C. Set LEDGER_DATABASE_URL to use PostgreSQL instead.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -x .venv/bin/python ]]; then
    PYTHON=$(command -v python3.11 || command -v python3)
    echo "creating .venv with $PYTHON"
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
PIP_LOG=$(mktemp)
if ! .venv/bin/python -m pip install --disable-pip-version-check -e . >"$PIP_LOG" 2>&1; then
    cat "$PIP_LOG" >&2
    echo "pip install failed" >&2
    exit 1
fi
rm -f "$PIP_LOG"

.venv/bin/ledger db init
if .venv/bin/ledger demo --help >/dev/null 2>&1; then
    .venv/bin/ledger demo
else
    echo "run.sh: no 'ledger demo' command yet; serving an empty ledger"
fi
exec .venv/bin/ledger serve --host "${LEDGER_HOST:-127.0.0.1}" --port "${LEDGER_PORT:-8000}"
