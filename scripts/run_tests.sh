#!/usr/bin/env bash
# The whole suite: lint, then pytest on SQLite, again on PostgreSQL, and the job
# tests again on a Redis queue. Without PostgreSQL/Redis those passes are skipped
# with a printed reason, except under CI=true where a missing service fails.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DJANGO_SETTINGS_MODULE=guanxi.settings_test
export GUANXI_DATA_DIR="${GUANXI_TEST_DATA_DIR:-$(mktemp -d -t guanxi-test-XXXXXX)}"
PG_URL="${GUANXI_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
REDIS_URL="${GUANXI_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
# What pytest collects; narrow it while working on one app (e.g. guanxi/accounts).
TEST_PATHS="${GUANXI_TEST_PATHS:-guanxi}"
IS_CI="${CI:-false}"
failed=0
total_passed=0
total_failed=0
PYTEST_LOG="$(mktemp -t guanxi-pytest-XXXXXX)"

step() { printf '\n=== %s ===\n' "$1"; }

step "lint (ruff)"
$BIN/ruff check guanxi bench scripts || failed=1
$BIN/ruff format --check guanxi bench scripts || failed=1

step "migrations are up to date"
$BIN/guanxi makemigrations --check --dry-run >/dev/null || { echo "missing migrations"; failed=1; }

service_up() {  # service_up KIND URL
  $BIN/python - "$1" "$2" <<'PY'
import sys
kind, url = sys.argv[1], sys.argv[2]
try:
    if kind == "postgres":
        import psycopg
        psycopg.connect(url.replace("postgres://", "postgresql://", 1), connect_timeout=3).close()
    else:
        import redis
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
except Exception as error:
    print(f"{kind} unreachable at {url}: {error}")
    sys.exit(1)
PY
}

run_pytest() {  # run_pytest LABEL ARGS...
  local label="$1"; shift
  step "pytest: $label"
  $BIN/pytest --durations=20 "$@" 2>&1 | tee "$PYTEST_LOG"
  local rc=${PIPESTATUS[0]}
  if [ $rc -ne 0 ] && [ $rc -ne 5 ]; then failed=1; fi
  local summary
  summary="$(tail -n 1 "$PYTEST_LOG")"
  total_passed=$((total_passed + $(grep -oE '[0-9]+ passed' <<<"$summary" | awk '{s+=$1} END {print s+0}')))
  total_failed=$((total_failed + $(grep -oE '[0-9]+ (failed|errors?)' <<<"$summary" | awk '{s+=$1} END {print s+0}')))
}

unset DATABASE_URL GUANXI_REDIS_URL
run_pytest "SQLite" -n 2 $TEST_PATHS

if service_up postgres "$PG_URL"; then
  # Only the tests that reach the database: the others already ran above (conftest.py).
  DATABASE_URL="$PG_URL" GUANXI_DATABASE_TESTS_ONLY=1 run_pytest "PostgreSQL" -n 2 $TEST_PATHS
elif [ "$IS_CI" = "true" ]; then
  echo "CI=true and PostgreSQL is missing: failing"; failed=1
else
  echo "SKIPPED the PostgreSQL pass (set GUANXI_TEST_DATABASE_URL or start PostgreSQL)"
fi

if service_up redis "$REDIS_URL"; then
  GUANXI_REDIS_URL="$REDIS_URL" run_pytest "jobs on a Redis queue" -m jobs $TEST_PATHS
elif [ "$IS_CI" = "true" ]; then
  echo "CI=true and Redis is missing: failing"; failed=1
else
  echo "SKIPPED the Redis job pass (set GUANXI_TEST_REDIS_URL or start Redis)"
fi

step "result"
rm -f "$PYTEST_LOG"
if [ $failed -ne 0 ]; then status="FAILED"; else status="all passes green"; fi
echo "$status"
echo "total: $total_passed passed, $total_failed failed"
[ $failed -eq 0 ]
