#!/usr/bin/env bash
# The README's main-job command, end to end on a fresh Debian bookworm machine:
#   dependencies -> build -> throwaway PostgreSQL -> seed-data (production volume: 45,234 posts,
#   12,456 products, 234 courses, 567 suppliers live) -> rebuild-index --service all ->
#   search-server -> /health -> example queries over gRPC and HTTP -> stop everything.
#
#   scripts/quickstart.sh [--keep] [--scale F] [--pg-port P] [--grpc-port P] [--http-port P]
#
# --keep leaves PostgreSQL and search-server running (stop them later with
# `kill $(cat var/search-server.pid)` and `scripts/pg-cluster.sh stop`).
# Environment: BUSCA_BUILD_DIR (default build), BUSCA_BUILD_JOBS (default 2), BUSCA_SKIP_DEPS=1,
# BUSCA_SKIP_BUILD=1 (use the binaries already in $BUSCA_BUILD_DIR/bin).
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD_DIR=${BUSCA_BUILD_DIR:-build}
JOBS=${BUSCA_BUILD_JOBS:-2}
BIN=$BUILD_DIR/bin
KEEP=0
SCALE=1
PG_PORT=55432
GRPC_PORT=50051
HTTP_PORT=8080
INDEX_DIR=var/index
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) KEEP=1; shift ;;
    --scale) SCALE=${2:?}; shift 2 ;;
    --pg-port) PG_PORT=${2:?}; shift 2 ;;
    --grpc-port) GRPC_PORT=${2:?}; shift 2 ;;
    --http-port) HTTP_PORT=${2:?}; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "quickstart: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

step() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { echo "quickstart: $*" >&2; exit 1; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

SERVER_PID=""
cleanup() {
  local rc=$?
  if [ "$KEEP" -eq 0 ] || [ "$rc" -ne 0 ]; then
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
      kill -TERM "$SERVER_PID" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$SERVER_PID" 2>/dev/null || true
      rm -f var/search-server.pid
    fi
    scripts/pg-cluster.sh stop --port "$PG_PORT" >/dev/null 2>&1 || true
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "${BUSCA_SKIP_DEPS:-0}" != "1" ]; then
  step "Dependencies (scripts/setup-deps.sh)"
  scripts/setup-deps.sh
fi

if [ "${BUSCA_SKIP_BUILD:-0}" != "1" ]; then
  step "Build ($BUILD_DIR, -j$JOBS)"
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$BUILD_DIR" -j "$JOBS" --target seed-data rebuild-index search-server search-cli
fi
for tool in seed-data rebuild-index search-server search-cli; do
  [ -x "$BIN/$tool" ] || die "$BIN/$tool was not built"
done

for p in "$GRPC_PORT" "$HTTP_PORT"; do
  port_busy "$p" && die "port $p on 127.0.0.1 is in use; pass --grpc-port/--http-port"
done

step "PostgreSQL 15 (throwaway cluster on 127.0.0.1:$PG_PORT)"
DATABASE_URL=$(scripts/pg-cluster.sh start --port "$PG_PORT")
export DATABASE_URL
echo "DATABASE_URL=$DATABASE_URL"

step "Seed data (production volume x $SCALE)"
"$BIN/seed-data" --database-url "$DATABASE_URL" --scale "$SCALE" --truncate

step "Rebuild the index (rebuild-index --service all)"
mkdir -p "$INDEX_DIR" var/log
"$BIN/rebuild-index" --database-url "$DATABASE_URL" --index-dir "$INDEX_DIR" --service all

step "Start search-server (gRPC 127.0.0.1:$GRPC_PORT, HTTP 127.0.0.1:$HTTP_PORT)"
"$BIN/search-server" --index-dir "$INDEX_DIR" --listen "127.0.0.1:$GRPC_PORT" --http "127.0.0.1:$HTTP_PORT" \
  --database-url "$DATABASE_URL" >var/log/search-server.log 2>&1 &
SERVER_PID=$!
echo "$SERVER_PID" > var/search-server.pid
for i in $(seq 1 300); do
  if curl -fsS "http://127.0.0.1:$HTTP_PORT/health" >/dev/null 2>&1; then break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 30 var/log/search-server.log >&2; die "search-server exited (log above)"; }
  [ "$i" -eq 300 ] && { tail -n 30 var/log/search-server.log >&2; die "search-server not healthy after 30 s"; }
  sleep 0.1
done
echo "\$ curl -s http://127.0.0.1:$HTTP_PORT/health"
curl -sS "http://127.0.0.1:$HTTP_PORT/health"; echo

step "Example queries"
run() {
  printf '\n$'
  for a in "$@"; do case "$a" in *[[:space:]]*) printf " '%s'" "$a" ;; *) printf ' %s' "$a" ;; esac; done
  printf '\n'
  "$@"
}
run "$BIN/search-cli" query --server "127.0.0.1:$GRPC_PORT" "pão de queijo"
run "$BIN/search-cli" query --server "127.0.0.1:$GRPC_PORT" --collections courses --limit 5 "confeitaria para iniciantes"
run "$BIN/search-cli" query --server "127.0.0.1:$GRPC_PORT" --collections products --limit 5 "cafe"
SEARCH_URL="http://127.0.0.1:$HTTP_PORT/search?q=acucar&collections=products&limit=5&fields=name,price"
printf '\n$ curl -s "%s"\n' "$SEARCH_URL"
if command -v jq >/dev/null; then curl -sS "$SEARCH_URL" | jq .; else curl -sS "$SEARCH_URL"; echo; fi

if [ "$KEEP" -eq 1 ]; then
  step "Still running (--keep)"
  echo "search-server: pid $SERVER_PID, gRPC 127.0.0.1:$GRPC_PORT, HTTP http://127.0.0.1:$HTTP_PORT (log var/log/search-server.log)"
  echo "PostgreSQL:    $DATABASE_URL"
  echo "Stop with:     kill \$(cat var/search-server.pid); scripts/pg-cluster.sh stop --port $PG_PORT"
else
  step "Done: stopping search-server and PostgreSQL (use --keep to leave them running)"
fi
