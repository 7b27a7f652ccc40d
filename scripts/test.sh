#!/usr/bin/env bash
# The README's test command: installs the build dependencies, configures and builds everything in
# build/, starts a throwaway PostgreSQL cluster on a port of its own, and runs every test (all
# labels: unit, postgres, server, slow) with CTest, then checks the Prometheus rules in deploy/.
# Works as root on a fresh Debian bookworm clone (that is what CI runs: .ci/run).
#
#   scripts/test.sh                 # everything
#   scripts/test.sh -L unit         # extra arguments go to ctest (-L label, -R regex, -j N ...)
#
# Environment: BUSCA_BUILD_DIR (default build), BUSCA_BUILD_JOBS (default 2), BUSCA_BUILD_TARGETS
# (default: all; e.g. "seed-data seed_data_test" with -R to iterate on a few tests),
# BUSCA_TEST_PG_PORT (default: the first free port from 25440, below the kernel's ephemeral port
# range, where a client's leftover connection could hold it), BUSCA_SKIP_DEPS=1 to skip apt.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_DIR=${BUSCA_BUILD_DIR:-build}
JOBS=${BUSCA_BUILD_JOBS:-2}

log() { echo "==> $*" >&2; }

if [ "${BUSCA_SKIP_DEPS:-0}" != "1" ]; then
  log "dependencies (scripts/setup-deps.sh)"
  scripts/setup-deps.sh
fi

log "configure + build ($BUILD_DIR, -j$JOBS)"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
if [ -n "${BUSCA_BUILD_TARGETS:-}" ]; then
  # shellcheck disable=SC2086  # a space-separated list of targets
  cmake --build "$BUILD_DIR" -j "$JOBS" --target ${BUSCA_BUILD_TARGETS}
else
  cmake --build "$BUILD_DIR" -j "$JOBS"
fi

# A throwaway PostgreSQL cluster for the postgres-labelled tests, removed on exit.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PG_PORT=${BUSCA_TEST_PG_PORT:-}
if [ -z "$PG_PORT" ]; then
  for p in $(seq 25440 25479); do
    if port_free "$p"; then PG_PORT=$p; break; fi
  done
  [ -n "$PG_PORT" ] || { echo "test.sh: no free port in 25440..25479 for PostgreSQL" >&2; exit 1; }
fi
PG_TMP=$(mktemp -d /tmp/busca-test-pg-XXXXXX)
chmod 755 "$PG_TMP"
PG_DIR=$PG_TMP/cluster
cleanup() {
  scripts/pg-cluster.sh stop --port "$PG_PORT" --dir "$PG_DIR" >/dev/null 2>&1 || true
  rm -rf "$PG_TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log "PostgreSQL test cluster on 127.0.0.1:$PG_PORT"
BUSCA_TEST_DATABASE_URL=$(scripts/pg-cluster.sh start --port "$PG_PORT" --dir "$PG_DIR" --no-fsync)
export BUSCA_TEST_DATABASE_URL

log "tests (ctest --output-on-failure $*)"
rc=0
ctest --test-dir "$BUILD_DIR" --output-on-failure "$@" || rc=$?

# Prometheus alert rules and scrape configs shipped in deploy/.
shopt -s nullglob
prom_files=("$ROOT"/deploy/prometheus/*.yml "$ROOT"/deploy/prometheus/*.yaml)
if [ ${#prom_files[@]} -gt 0 ]; then
  if ! command -v promtool >/dev/null 2>&1; then
    echo "test.sh: promtool not found (package prometheus)" >&2
    rc=1
  fi
  for f in "${prom_files[@]}"; do
    if grep -qE '^groups:' "$f"; then
      log "promtool check rules ${f#"$ROOT"/}"
      promtool check rules "$f" || rc=1
    elif grep -qE '^(scrape_configs|global|rule_files):' "$f"; then
      log "promtool check config ${f#"$ROOT"/}"
      # The config may name rule files relative to itself.
      (cd "$(dirname "$f")" && promtool check config --syntax-only "$(basename "$f")") || rc=1
    fi
  done
fi

if [ "$rc" -eq 0 ]; then log "all tests passed"; else log "FAILED (exit $rc)"; fi
exit "$rc"
