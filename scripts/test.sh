#!/usr/bin/env bash
# The whole test suite, twice: on the embedded SQLite default, then on a throwaway PostgreSQL.
#
#   bash scripts/test.sh [PYTEST ARGS...]
#
# Creates .venv if missing, installs the project with its test extras, stops at once if ruff or
# mypy (ledger/, projections/) report anything, runs pytest on SQLite,
# starts PostgreSQL on a free loopback port (scripts/pg.sh), runs pytest again with
# LEDGER_TEST_DATABASE_URL set, stops PostgreSQL, and exits non-zero if either run failed
# (including "no tests collected"). Extra arguments go to both pytest runs.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

header() {
    printf '\n==== %s ====\n' "$*"
}

header "environment: .venv"
if [[ ! -x .venv/bin/python ]]; then
    PYTHON=$(command -v python3.11 || command -v python3)
    echo "creating .venv with $PYTHON"
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
PIP_LOG=$(mktemp)
if ! .venv/bin/python -m pip install --disable-pip-version-check -e ".[test]" >"$PIP_LOG" 2>&1; then
    cat "$PIP_LOG" >&2
    echo "pip install failed" >&2
    exit 1
fi
rm -f "$PIP_LOG"

header "lint: ruff and mypy"
if ! .venv/bin/ruff check ledger api projections scripts tests; then
    echo "ruff check failed: fix the findings above (or run .venv/bin/ruff check --fix)" >&2
    exit 1
fi
if ! .venv/bin/mypy ledger projections api scripts; then
    echo "mypy failed on ledger/ projections/ api/ scripts/: fix the type errors above (config: [mypy] in setup.cfg)" >&2
    exit 1
fi

status=0
run_pytest() {
    local label=$1 started rc
    shift
    header "tests on $label"
    started=$SECONDS
    set +e
    "$@"
    rc=$?
    set -e
    echo "---- tests on $label: exit $rc after $((SECONDS - started))s"
    if [[ $rc -ne 0 ]]; then
        status=1
    fi
}

run_pytest "SQLite" env -u LEDGER_TEST_DATABASE_URL .venv/bin/python -m pytest "$@"

header "starting a throwaway PostgreSQL"
PG_DIR=$(mktemp -d /tmp/ledger-pg.XXXXXX)
cleanup() {
    bash "$ROOT/scripts/pg.sh" stop "$PG_DIR" || true
    rm -rf "$PG_DIR"
}
trap cleanup EXIT
PG_PORT=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if PG_URL=$(bash scripts/pg.sh start "$PG_DIR" "$PG_PORT" | tail -n 1) && [[ $PG_URL == postgresql://* ]]; then
    run_pytest "PostgreSQL" env LEDGER_TEST_DATABASE_URL="$PG_URL" .venv/bin/python -m pytest "$@"
else
    echo "could not start PostgreSQL" >&2
    status=1
fi

if [[ $status -eq 0 ]]; then
    header "all test runs passed"
else
    header "FAILED: see the output above"
fi
exit $status
