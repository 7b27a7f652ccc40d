#!/usr/bin/env bash
# pg-cluster.sh: a throwaway PostgreSQL 15 cluster for development, tests and benchmarks.
#
#   scripts/pg-cluster.sh start  [--port P] [--dir D] [--db NAME] [--no-fsync]
#   scripts/pg-cluster.sh stop   [--port P] [--dir D]
#   scripts/pg-cluster.sh status [--port P] [--dir D]
#   scripts/pg-cluster.sh url    [--port P] [--dir D] [--db NAME]
#
# start   creates the cluster (initdb -E UTF8 --locale=C.UTF-8 --auth=trust, superuser
#         "postgres") in D (default /tmp/busca-pg-P), starts it listening on 127.0.0.1:P only
#         (default port 55432, or $BUSCA_PG_PORT) with its Unix socket inside D, waits until it
#         accepts connections, creates database NAME (default busca) and prints the URL
#         postgresql://postgres@127.0.0.1:P/NAME on stdout (and writes it to D/DATABASE_URL).
#         Everything else goes to stderr, so `url=$(scripts/pg-cluster.sh start)` works.
#         Running it again on a live cluster only (re)creates the database and prints the URL.
# stop    stops the cluster and deletes D. Stopping a cluster that does not exist succeeds.
# status  prints "running <url>" (exit 0) or "stopped" (exit 3).
# url     prints the URL of a running cluster (exit 3 when it is not running).
#
# As root the server runs as the `postgres` user (via runuser), since PostgreSQL refuses root.
# Settings: Debian defaults except memory (sized for a 24 GiB machine, and several clusters may
# run side by side) and max_wal_size (large bulk loads without forced checkpoints).
# --no-fsync additionally turns off fsync/full_page_writes/synchronous_commit: for test
# clusters only (much faster CREATE DATABASE), never for benchmarks of the incumbent.
set -euo pipefail

PG_BIN=${BUSCA_PG_BIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}
if [ -z "$cmd" ] || [ "$cmd" = "-h" ] || [ "$cmd" = "--help" ]; then
  sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
shift

port=${BUSCA_PG_PORT:-55432}
dir=""
db=busca
no_fsync=0
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=${2:?--port needs a value}; shift 2 ;;
    --port=*) port=${1#*=}; shift ;;
    --dir) dir=${2:?--dir needs a value}; shift 2 ;;
    --dir=*) dir=${1#*=}; shift ;;
    --db) db=${2:?--db needs a value}; shift 2 ;;
    --db=*) db=${1#*=}; shift ;;
    --no-fsync) no_fsync=1; shift ;;
    *) echo "pg-cluster: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

die() { echo "pg-cluster: $*" >&2; exit 1; }
log() { echo "pg-cluster: $*" >&2; }

if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1024 ] || [ "$port" -gt 65535 ]; then
  die "--port must be a number in 1024..65535, got '$port'"
fi
[[ "$db" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "--db must be a plain identifier, got '$db'"
[ -x "$PG_BIN/initdb" ] ||
  die "PostgreSQL 15 binaries not found in $PG_BIN (run scripts/setup-deps.sh)"

if [ -z "$dir" ]; then dir=/tmp/busca-pg-$port; fi
case "$dir" in /*) ;; *) dir=$PWD/$dir ;; esac
dir=${dir%/}
if [ -z "$dir" ] || [ "$dir" = "/" ]; then die "refusing to use '/' as the cluster dir"; fi
data=$dir/data
marker=$dir/.busca-pg-cluster
url="postgresql://postgres@127.0.0.1:$port/$db"

# Ignore libpq settings from the caller's environment: we always say exactly what we mean.
unset PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGPASSWORD PGSERVICE PGOPTIONS PGDATA

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u postgres -- "$@" 9>&-)
  else
    (cd / && "$@" 9>&-)
  fi
}

is_running() {
  [ -f "$data/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" status -D "$data" >/dev/null 2>&1
}

port_busy() {
  # True when something accepts TCP connections on 127.0.0.1:port.
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

psql_admin() {
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"
}

# Serialize concurrent invocations on the same port (two `start`s racing, start vs stop).
lock_file=/tmp/busca-pg-$port.lock
exec 9>"$lock_file"
flock -w 120 9 || die "timed out waiting for another pg-cluster.sh on port $port"

wait_ready() {
  for _ in $(seq 1 300); do
    if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres; then return 0; fi
    sleep 0.1
  done
  return 1
}

do_start() {
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    die "user 'postgres' does not exist (install the postgresql package: scripts/setup-deps.sh)"
  fi
  if [ -e "$dir" ] && [ ! -f "$marker" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
    die "$dir exists, is not empty and was not made by pg-cluster.sh; pick another --dir"
  fi
  if is_running; then
    log "cluster in $dir already running on port $port"
  else
    if port_busy; then
      die "port $port on 127.0.0.1 is already in use by another process; pick another --port"
    fi
    if [ ! -f "$data/PG_VERSION" ]; then
      rm -rf "$dir"
      mkdir -p "$dir"
      touch "$marker"
      if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$dir"; fi
      chmod 700 "$dir"
      # The postgres user must be able to reach the directory.
      as_pg test -w "$dir" ||
        die "user postgres cannot write to $dir (a parent directory is not traversable?)"
      log "initdb in $data"
      if ! as_pg "$PG_BIN/initdb" -D "$data" -E UTF8 --locale=C.UTF-8 --auth=trust \
          -U postgres >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2
        die "initdb failed (log above)"
      fi
      local conf=$data/postgresql.conf
      {
        echo ""
        echo "# --- busca pg-cluster.sh ---"
        echo "listen_addresses = '127.0.0.1'"
        echo "port = $port"
        echo "unix_socket_directories = '$dir'"
        echo "max_connections = 200"
        echo "shared_buffers = 1GB"
        echo "effective_cache_size = 8GB"
        echo "work_mem = 32MB"
        echo "maintenance_work_mem = 1GB"
        echo "max_wal_size = 4GB"
        echo "dynamic_shared_memory_type = posix"
        echo "logging_collector = off"
        echo "log_min_messages = warning"
        if [ "$no_fsync" -eq 1 ]; then
          echo "fsync = off"
          echo "full_page_writes = off"
          echo "synchronous_commit = off"
        fi
      } | as_pg tee -a "$conf" >/dev/null
    fi
    log "starting PostgreSQL on 127.0.0.1:$port (dir $dir)"
    if ! as_pg "$PG_BIN/pg_ctl" start -D "$data" -l "$dir/postgres.log" -w -t 60 >/dev/null; then
      tail -n 30 "$dir/postgres.log" >&2 || true
      die "PostgreSQL failed to start (log above, full log in $dir/postgres.log)"
    fi
  fi
  wait_ready || die "PostgreSQL on port $port not ready after 30 s (see $dir/postgres.log)"
  local enc
  enc=$(psql_admin -At -c "SHOW server_encoding")
  [ "$enc" = "UTF8" ] || die "server_encoding is $enc, expected UTF8"
  if [ "$(psql_admin -At -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != "1" ]; then
    psql_admin -c "CREATE DATABASE \"$db\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
    log "created database $db"
  fi
  echo "$url" >"$dir/DATABASE_URL"
  echo "$url"
}

do_stop() {
  if [ ! -e "$dir" ]; then
    log "no cluster in $dir (nothing to stop)"
    return 0
  fi
  [ -f "$marker" ] || die "$dir was not made by pg-cluster.sh; refusing to delete it"
  if is_running; then
    log "stopping PostgreSQL in $dir"
    if ! as_pg "$PG_BIN/pg_ctl" stop -D "$data" -m fast -w -t 30 >/dev/null 2>&1; then
      log "fast shutdown timed out, using immediate shutdown"
      as_pg "$PG_BIN/pg_ctl" stop -D "$data" -m immediate -w -t 30 >/dev/null 2>&1 || true
    fi
  fi
  rm -rf "$dir"
  log "removed $dir"
}

case "$cmd" in
  start) do_start ;;
  stop) do_stop ;;
  status)
    if is_running; then echo "running $url"; else echo "stopped"; exit 3; fi ;;
  url)
    if is_running; then echo "$url"; else log "no cluster running in $dir"; exit 3; fi ;;
  *) die "unknown command '$cmd' (start|stop|status|url)" ;;
esac
