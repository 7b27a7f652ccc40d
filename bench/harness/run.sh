#!/usr/bin/env bash
# The side-by-side benchmark of issue #5 in one command.
#
#   bench/harness/run.sh [--rows N] [--quick] [options]
#
# Starts a throwaway PostgreSQL (scripts/pg-cluster.sh), seeds it with N live rows of the
# generated marketplace dataset (tools/seed_data; default 58491 = production volume), generates
# the query log and the known-item set from it (bench/querylog/generate.py, fixed seed), then,
# on the same rows and the same queries, in this one run:
#   busca         rebuild-index (timed, peak RSS), `search-cli bench` single-threaded,
#                 bench-busca throughput at 1/2/8/64 threads, known items
#   busca_grpc    search-server + load_gen at 1/2/8/64 concurrent clients (round trip), and
#                 one client over exactly the queries of PostgreSQL's single-threaded pass
#   xapian        bench-xapian build (docs/s, MB/s, size) + the same query runs; its
#                 single-threaded pass twice: as Xapian is used by default (get_mset(0, 10):
#                 the total is estimated), and counting to 10,000 (check_at_least 10000: the
#                 total is exact up to 10,000, as busca's default)
#   postgres_fts  bench-pg-fts build (ADD COLUMN ... GENERATED STORED + CREATE INDEX ... GIN)
#                 + the same query runs through libpq (round trip, one connection per client)
# and writes OUT/bench-<stamp>.json (every figure, the machine, the date), OUT/bench-<stamp>.md
# (the table and the ratios) and OUT/bench-<stamp>.png (latency distributions, log scale).
#
# Options:
#   --rows N          live rows to seed (58491 = production volume; 1000000 for the 1M run)
#   --quick           tiny dataset, short runs (the smoke test: tests/bench)
#   --out-dir DIR     where the results go (default: bench/results/ in the repo)
#   --work-dir DIR    scratch dir: cluster, indexes, per-query files (default: a new /tmp dir)
#   --build-dir DIR   where the binaries are (default: $BUSCA_BUILD_DIR or build/); missing
#                     ones are built there unless --no-build
#   --port P          PostgreSQL port (default 25438); gRPC/HTTP use P+1000, P+1001 (defaults
#                     below the kernel's ephemeral range, 32768-60999, where a client's leftover
#                     connection can hold a port)
#   --seconds S       duration of each throughput run (default 10; --quick: 1)
#   --threads LIST    client counts of the throughput runs (default 1,2,8,64; --quick: 1,2)
#   --queries N       query-log size (default 5000; --quick: 300)
#   --known-items N   known-item set size (default 2000; --quick: 150)
#   --pg-max-queries N  run only the first N queries of the log through PostgreSQL's
#                     single-threaded pass (default: all; useful at 1M rows)
#   --rounds R        single-threaded passes over the log of busca, busca (count to 10),
#                     Xapian and Xapian (count to 10,000) (default 3; --quick: 1): after the
#                     first, R-1 more rounds alternate the systems back to back (order flipped
#                     each round), and each query's
#                     latency is its median over the rounds, so a drift of the machine during
#                     one system's pass does not decide a ratio
#   --pg-warmup N     PostgreSQL's warm-up pass runs the first N queries (default 500; the
#                     others warm up over the whole log; the build has just loaded its pages)
#   --keep            leave the cluster running and the work dir in place
#   --no-build        never build; systems whose binaries are missing are reported as such
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
rows=
quick=0
out_dir=$repo/bench/results
work_dir=""
build_dir=${BUSCA_BUILD_DIR:-$repo/build}
port=25438
seconds=""
threads=""
n_queries=""
n_known=""
pg_max_queries=0
pg_warmup=500
rounds=""
keep=0
no_build=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) rows=${2:?}; shift 2 ;;
    --quick) quick=1; shift ;;
    --out-dir) out_dir=${2:?}; shift 2 ;;
    --work-dir) work_dir=${2:?}; shift 2 ;;
    --build-dir) build_dir=${2:?}; shift 2 ;;
    --port) port=${2:?}; shift 2 ;;
    --seconds) seconds=${2:?}; shift 2 ;;
    --threads) threads=${2:?}; shift 2 ;;
    --queries) n_queries=${2:?}; shift 2 ;;
    --known-items) n_known=${2:?}; shift 2 ;;
    --pg-max-queries) pg_max_queries=${2:?}; shift 2 ;;
    --pg-warmup) pg_warmup=${2:?}; shift 2 ;;
    --rounds) rounds=${2:?}; shift 2 ;;
    --keep) keep=1; shift ;;
    --no-build) no_build=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ "$quick" -eq 1 ]; then
  rows=${rows:-600}
  seconds=${seconds:-1}
  threads=${threads:-1,2}
  n_queries=${n_queries:-300}
  n_known=${n_known:-150}
  rounds=${rounds:-1}
fi
rows=${rows:-58491}
seconds=${seconds:-10}
threads=${threads:-1,2,8,64}
n_queries=${n_queries:-5000}
n_known=${n_known:-2000}
rounds=${rounds:-3}
[[ "$rounds" =~ ^[0-9]+$ ]] && [ "$rounds" -ge 1 ] || { echo "run.sh: --rounds must be a number >= 1" >&2; exit 2; }
[[ "$rows" =~ ^[0-9]+$ ]] && [ "$rows" -ge 100 ] || { echo "run.sh: --rows must be a number >= 100" >&2; exit 2; }

PY=/usr/bin/python3  # Debian's python3 (python3-matplotlib); a pyenv python would not see it
[ -x "$PY" ] || PY=$(command -v python3)
bin=$build_dir/bin
stamp=$(date -u +%Y-%m-%d-%H%M)
# mktemp makes a 0700 dir; the postgres user (the cluster runs as it when we are root) must traverse it.
if [ -z "$work_dir" ]; then work_dir=$(mktemp -d /tmp/busca-bench.XXXXXX); chmod 755 "$work_dir"; fi
mkdir -p "$work_dir" "$out_dir"
work_dir=$(cd "$work_dir" && pwd)
out_dir=$(cd "$out_dir" && pwd)
w=$work_dir
mkdir -p "$w/busca" "$w/busca_top10" "$w/busca_grpc" "$w/xapian" "$w/xapian_count10k" "$w/postgres_fts"
: >"$w/skipped.tsv"
grpc_port=$((port + 1000))
http_port=$((port + 1001))
start_epoch=$(date +%s)

log() { echo "[bench $(date -u +%H:%M:%S) +$(( $(date +%s) - start_epoch ))s] $*" >&2; }
skip() { printf '%s\t%s\n' "$1" "$2" >>"$w/skipped.tsv"; log "NOT MEASURED: $1 ($2)"; }
die() { log "ERROR: $*"; exit 1; }

server_pid=""
cleanup() {
  local rc=$?
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "$keep" -eq 0 ]; then
    "$repo/scripts/pg-cluster.sh" stop --port "$port" --dir "$w/pg" >/dev/null 2>&1 || true
    rm -rf "$w/pg" "$w/busca-index" "$w/xapian-db"
  else
    log "kept: work dir $w (cluster on port $port: scripts/pg-cluster.sh stop --port $port --dir $w/pg)"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- binaries ------------------------------------------------------------------------------
declare -A target_of=([seed-data]=seed-data [rebuild-index]=rebuild-index [search-cli]=search-cli
  [search-server]=search-server [load_gen]=load_gen [bench-busca]=bench-busca
  [bench-xapian]=bench-xapian [bench-pg-fts]=bench-pg-fts)
have() { [ -x "$bin/$1" ]; }
missing=()
for b in "${!target_of[@]}"; do have "$b" || missing+=("$b"); done
if [ ${#missing[@]} -gt 0 ] && [ "$no_build" -eq 0 ]; then
  log "building ${missing[*]} in $build_dir"
  if [ ! -f "$build_dir/build.ninja" ] && [ ! -f "$build_dir/Makefile" ]; then
    cmake -S "$repo" -B "$build_dir" -G Ninja >"$w/cmake.log" 2>&1 || die "cmake configure failed (see $w/cmake.log)"
  fi
  for b in "${missing[@]}"; do
    cmake --build "$build_dir" -j"$(nproc)" --target "${target_of[$b]}" >>"$w/cmake.log" 2>&1 ||
      log "could not build $b (see $w/cmake.log)"
  done
fi
have seed-data || die "seed-data not found in $bin (build it: cmake --build $build_dir --target seed-data)"

# ---- PostgreSQL + data ---------------------------------------------------------------------
log "starting PostgreSQL on port $port"
url=$("$repo/scripts/pg-cluster.sh" start --port "$port" --dir "$w/pg" --db bench)
scale=$("$PY" -c "print(f'{$rows / 58491:.6f}')")
log "seeding $rows live rows (scale $scale)"
"$bin/seed-data" --database-url "$url" --scale "$scale" >"$w/seed.log" 2>&1 || { cat "$w/seed.log" >&2; die "seed-data failed"; }
psql -X -q "$url" -c "VACUUM ANALYZE" >/dev/null
"$PY" "$repo/bench/harness/dataset.py" --database-url "$url" --schemas "$repo/schemas/collections" --json "$w/dataset.json"
log "generating $n_queries queries and $n_known known items"
"$PY" "$repo/bench/querylog/generate.py" --database-url "$url" --out-dir "$w/querylog" \
  --queries "$n_queries" --known-items "$n_known"
queries=$w/querylog/queries.txt
known=$w/querylog/known-items.txt
pg_queries=$queries
if [ "$pg_max_queries" -gt 0 ]; then
  pg_queries=$w/querylog/queries-pg.txt
  head -n "$pg_max_queries" "$queries" >"$pg_queries"
  skip "postgres_fts single-threaded pass over the whole log" "only the first $pg_max_queries queries (--pg-max-queries)"
fi

# ---- builds (ours first, then Xapian; the PostgreSQL peer last, since its ADD COLUMN
#      rewrites the tables the others read) --------------------------------------------------
idx=$w/busca-index
if have rebuild-index; then
  log "busca: rebuild-index --service all"
  (cd "$w/busca" && "$PY" "$repo/bench/harness/measure.py" --json "$w/busca/build.json" --stdout "$w/busca/rebuild.log" -- \
    "$bin/rebuild-index" --database-url "$url" --index-dir "$idx" --service all \
    --schema-dir "$repo/schemas/collections" --log-file "$w/busca/search-rebuild.log" --no-progress) ||
    { cat "$w/busca/rebuild.log" >&2; die "rebuild-index failed"; }
  cat "$w/busca/rebuild.log" >&2
else
  skip "busca build" "rebuild-index not built"
fi
if have bench-xapian; then
  log "xapian: build"
  "$bin/bench-xapian" build --database-url "$url" --db-dir "$w/xapian-db" --json "$w/xapian/build.json"
else
  skip "xapian" "bench-xapian not built"
fi
if have bench-pg-fts; then
  log "postgres_fts: build (ADD COLUMN ... GENERATED STORED + CREATE INDEX ... GIN)"
  "$bin/bench-pg-fts" build --database-url "$url" --json "$w/postgres_fts/build.json"
  # Not timed: analyse the new column, as autovacuum would soon, so no autovacuum worker runs
  # during the query passes below.
  psql -X -q "$url" -c "VACUUM ANALYZE" >/dev/null
else
  skip "postgres_fts" "bench-pg-fts not built"
fi

# ---- queries -------------------------------------------------------------------------------
# Before each timed pass: the builds' dirty pages written out (PostgreSQL's checkpoint and the
# kernel's writeback), so neither system is timed while the disks flush the other's build.
settle() {
  psql -X -q "$url" -c "CHECKPOINT" >/dev/null 2>&1 || true
  sync
  sleep 2
}
# The total both busca's default pass and Xapian's counting pass count exactly up to: the same
# number, so those two passes do the same work (busca's default, Elasticsearch's 10,000).
count_to=10000
# Our single-threaded passes over the query log, into queries$1.tsv ("" for the first round,
# "-r2", ... for the others): counting exactly up to $count_to matches (the default), then up to
# 10, like-for-like with Xapian's get_mset(0, 10), which only estimates the total.
busca_single_passes() {
  "$bin/search-cli" bench --index-dir "$idx" --queries "$queries" --limit 10 --total-hits-threshold "$count_to" \
    --out "$w/busca/queries$1.tsv" \
    >"$w/busca/cli-bench$1.txt" 2>&1 || { cat "$w/busca/cli-bench$1.txt" >&2; die "search-cli bench failed"; }
  cat "$w/busca/cli-bench$1.txt" >&2
  "$bin/search-cli" bench --index-dir "$idx" --queries "$queries" --limit 10 --total-hits-threshold 10 \
    --out "$w/busca_top10/queries$1.tsv" >"$w/busca_top10/cli-bench$1.txt" 2>&1 ||
    { cat "$w/busca_top10/cli-bench$1.txt" >&2; die "search-cli bench (count to 10) failed"; }
  cat "$w/busca_top10/cli-bench$1.txt" >&2
}
index_ok=0
[ -d "$idx" ] && ls "$idx"/*/CURRENT >/dev/null 2>&1 && index_ok=1
if [ "$index_ok" -eq 1 ]; then
  if have search-cli; then
    settle
    log "busca: search-cli bench (query log, known items)"
    busca_single_passes ""
    "$bin/search-cli" bench --index-dir "$idx" --queries "$known" --limit 10 --out "$w/busca/known.tsv" >"$w/busca/cli-known.txt" 2>&1 ||
      { cat "$w/busca/cli-known.txt" >&2; die "search-cli bench (known items) failed"; }
  fi
  if have bench-busca; then
    log "busca: in-process throughput at $threads threads"
    busca_out=/dev/null
    have search-cli || busca_out=$w/busca/queries.tsv
    "$bin/bench-busca" query --index-dir "$idx" --queries "$queries" --out "$busca_out" \
      --threads "$threads" --seconds "$seconds" --json "$w/busca/query.json"
    if ! have search-cli; then
      skip "search-cli bench" "not built; single-threaded figures from bench-busca (same measurement)"
      "$bin/bench-busca" query --index-dir "$idx" --queries "$known" --out "$w/busca/known.tsv" --no-warmup --json /dev/null
    fi
  else
    skip "busca in-process throughput" "bench-busca not built"
  fi
else
  skip "busca queries" "no index was built"
fi

if [ -d "$w/xapian-db" ]; then
  settle
  log "xapian: query log, throughput at $threads threads, known items"
  "$bin/bench-xapian" query --db-dir "$w/xapian-db" --queries "$queries" --out "$w/xapian/queries.tsv" \
    --threads "$threads" --seconds "$seconds" --json "$w/xapian/query.json"
  "$bin/bench-xapian" query --db-dir "$w/xapian-db" --queries "$known" --out "$w/xapian/known.tsv" --no-warmup --json "$w/xapian/known.json"
fi
# Xapian counting exactly to $count_to matches, the same work as busca's default pass (whose total
# is exact up to its --total-hits-threshold, the same $count_to): get_mset's check_at_least.
xapian_count_pass() {
  "$bin/bench-xapian" query --db-dir "$w/xapian-db" --queries "$queries" --check-at-least "$count_to" \
    --out "$w/xapian_count10k/queries$1.tsv" --json /dev/null
}
if [ -d "$w/xapian-db" ]; then
  log "xapian: query log counting to 10,000 (check_at_least)"
  xapian_count_pass ""
fi
# More single-threaded rounds, back to back (the first round is above): busca, busca counting
# to 10, Xapian and Xapian counting to 10,000, the order flipped each round; each pass is a new
# process with its own warm-up pass, as in the first round.
if [ "$index_ok" -eq 1 ] && have search-cli && [ -d "$w/xapian-db" ]; then
  xapian_single_pass() {
    "$bin/bench-xapian" query --db-dir "$w/xapian-db" --queries "$queries" --out "$w/xapian/queries$1.tsv" \
      --json /dev/null
    xapian_count_pass "$1"
  }
  for r in $(seq 2 "$rounds"); do
    settle
    log "round $r of $rounds: single-threaded passes of busca, busca (count to 10), xapian, xapian (count to 10,000)"
    if [ $((r % 2)) -eq 0 ]; then
      xapian_single_pass "-r$r"
      busca_single_passes "-r$r"
    else
      busca_single_passes "-r$r"
      xapian_single_pass "-r$r"
    fi
  done
fi
if [ -f "$w/postgres_fts/build.json" ]; then
  settle
  log "postgres_fts: query log, throughput at $threads clients, known items"
  "$bin/bench-pg-fts" query --database-url "$url" --queries "$pg_queries" --out "$w/postgres_fts/queries.tsv" --warmup-queries "$pg_warmup" \
    --threads "$threads" --seconds "$seconds" --json "$w/postgres_fts/query.json"
  "$bin/bench-pg-fts" query --database-url "$url" --queries "$known" --out "$w/postgres_fts/known.tsv" --no-warmup --json "$w/postgres_fts/known.json"
fi

# ---- served: search-server + load_gen (gRPC round trip) ------------------------------------
if [ "$index_ok" -eq 1 ] && have search-server && have load_gen; then
  settle
  ready=0
  # A port can still be taken (a --port in the kernel's ephemeral range, where the clients of the
  # runs before may have just left a connection): a server that cannot listen is retried on the
  # next pair.
  for attempt in 0 1 2 3 4; do
    grpc_port=$((port + 1000 + 2 * attempt))
    http_port=$((grpc_port + 1))
    log "busca_grpc: starting search-server on 127.0.0.1:$grpc_port"
    "$bin/search-server" --index-dir "$idx" --listen "127.0.0.1:$grpc_port" --http "127.0.0.1:$http_port" \
      >"$w/busca_grpc/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 300); do
      if curl -fsS "http://127.0.0.1:$http_port/health" >/dev/null 2>&1; then ready=1; break; fi
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    [ "$ready" -eq 1 ] && break
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
    grep -q "cannot listen" "$w/busca_grpc/server.log" || break
  done
  if [ "$ready" -eq 1 ]; then
    IFS=',' read -r -a client_counts <<<"$threads"
    for c in "${client_counts[@]}"; do
      log "busca_grpc: load_gen, $c concurrent clients, ${seconds}s (result cache bypassed)"
      "$bin/load_gen" --target "127.0.0.1:$grpc_port" --queries "$queries" --concurrency "$c" \
        --duration "$seconds" --warmup 1 --limit 10 --bypass-cache --json "$w/busca_grpc/load_gen-c$c.json" \
        >"$w/busca_grpc/load_gen-c$c.txt" 2>&1 || log "load_gen at $c clients reported errors (counted in the JSON)"
      cat "$w/busca_grpc/load_gen-c$c.txt" >&2
    done
    # The served comparison with PostgreSQL: one client, one pass over exactly the queries of
    # PostgreSQL's single-threaded pass (a time-bounded run covers different queries per
    # system: at 1M rows PostgreSQL gets through a dozen in the seconds Busca serves 1,500).
    n_pg=$(wc -l <"$pg_queries")
    log "busca_grpc: one client, one pass over PostgreSQL's $n_pg queries (result cache bypassed)"
    "$bin/load_gen" --target "127.0.0.1:$grpc_port" --queries "$pg_queries" --concurrency 1 \
      --requests "$n_pg" --warmup 1 --limit 10 --bypass-cache --json "$w/busca_grpc/same-queries.json" \
      >"$w/busca_grpc/same-queries.txt" 2>&1 || log "load_gen over PostgreSQL's queries reported errors (counted in the JSON)"
    cat "$w/busca_grpc/same-queries.txt" >&2
  else
    tail -n 20 "$w/busca_grpc/server.log" >&2 || true
    skip "busca_grpc" "search-server did not become healthy"
  fi
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
else
  skip "busca_grpc" "search-server or load_gen not built, or no index"
fi

# ---- report --------------------------------------------------------------------------------
label="$rows rows"
[ "$quick" -eq 1 ] && label="quick smoke run, $rows rows"
"$PY" "$repo/bench/harness/report.py" --work-dir "$w" --out-dir "$out_dir" --stamp "$stamp" --label "$label"
log "done: $out_dir/bench-$stamp.json"
