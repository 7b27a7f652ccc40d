#!/usr/bin/env bash
# rebuild_bench.sh: end-to-end rebuild timing (seed-data -> rebuild-index) beside the incumbent's
# full-text index build (PostgreSQL: stored generated tsvector column + GIN index) over the same
# rows, in the same run (issue #3 "Speed", issue #5's incumbent definition).
#
#   bench/rebuild_bench.sh [--sizes prod,1m] [--runs N] [--bin-dir build/bin]
#                          [--admin-url URL] [--port P] [--memory-budget 1GiB] [--out FILE.json]
#
# Without --admin-url it starts a throwaway cluster with scripts/pg-cluster.sh on --port
# (default 55439) and stops it at the end. For each size it creates a database, seeds it
# (prod = the production volumes, 58,491 live rows + ~5% non-live; 1m = scale 17.1, ~1M live
# rows), runs rebuild-index N times (default 3) into a fresh index dir (every run is a full
# rebuild; the first has no live generation), measuring wall time and peak RSS (/usr/bin/time),
# then times the incumbent: per table ALTER TABLE ... ADD COLUMN search_tsv tsvector GENERATED
# ALWAYS AS (setweight(to_tsvector('portuguese', title|name), 'A') ||
# setweight(to_tsvector('portuguese', coalesce(body, '')), 'B')) STORED + CREATE INDEX ... USING
# GIN. Prints a Markdown table; writes all figures as JSON to --out (default
# bench/results/rebuild_bench.json).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
sizes=prod,1m
runs=3
bin_dir=$here/build/bin
admin_url=""
port=55439
memory_budget=1GiB
out=$here/bench/results/rebuild_bench.json
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --bin-dir) bin_dir=$2; shift 2 ;;
    --admin-url) admin_url=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --memory-budget) memory_budget=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "rebuild_bench: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
for tool in rebuild-index seed-data; do
  [ -x "$bin_dir/$tool" ] || { echo "rebuild_bench: $bin_dir/$tool not built" >&2; exit 2; }
done

started_cluster=0
if [ -z "$admin_url" ]; then
  admin_url=$("$here/scripts/pg-cluster.sh" start --port "$port" --db postgres)
  started_cluster=1
fi
work=$(mktemp -d /tmp/busca-rebuild-bench.XXXXXX)
cleanup() {
  rm -rf "$work"
  if [ "$started_cluster" = 1 ]; then "$here/scripts/pg-cluster.sh" stop --port "$port" >&2 || true; fi
}
trap cleanup EXIT

psql_admin() { psql "$admin_url" -v ON_ERROR_STOP=1 -qAt "$@"; }
db_url() {  # URL of database $1 on the admin URL's server
  python3 - "$admin_url" "$1" <<'EOF'
import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1]); print(u.urlunsplit((p.scheme, p.netloc, "/" + sys.argv[2], p.query, "")))
EOF
}
now() { date +%s.%N; }

results="[]"
for size in ${sizes//,/ }; do
  case "$size" in
    prod) scale=1 ;;
    1m) scale=17.1 ;;
    *) echo "rebuild_bench: unknown size '$size' (prod, 1m)" >&2; exit 2 ;;
  esac
  db=busca_rebuild_bench_$size
  psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  url=$(db_url "$db")
  echo "== $size: seeding (scale $scale)" >&2
  t0=$(now)
  "$bin_dir/seed-data" --database-url "$url" --scale "$scale" -q >&2
  seed_s=$(echo "$(now) - $t0" | bc)
  psql "$url" -qAt -c "VACUUM ANALYZE" >/dev/null
  live_rows=$(psql "$url" -qAt -c "SELECT
      (SELECT count(*) FROM community.\"Post\" WHERE \"deletedAt\" IS NULL)
    + (SELECT count(*) FROM marketplace.\"Product\" WHERE \"deletedAt\" IS NULL AND \"isActive\")
    + (SELECT count(*) FROM marketplace.\"Supplier\" WHERE \"deletedAt\" IS NULL)
    + (SELECT count(*) FROM academy.\"Course\" WHERE \"deletedAt\" IS NULL AND published)")
  all_rows=$(psql "$url" -qAt -c "SELECT (SELECT count(*) FROM community.\"Post\") + (SELECT count(*) FROM marketplace.\"Product\")
    + (SELECT count(*) FROM marketplace.\"Supplier\") + (SELECT count(*) FROM academy.\"Course\")")

  run_json="[]"
  for run in $(seq 1 "$runs"); do
    index_dir=$work/index-$size
    [ "$run" = 1 ] && rm -rf "$index_dir"
    log=$work/log-$size-$run.jsonl
    /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$bin_dir/rebuild-index" --database-url "$url" \
      --index-dir "$index_dir" --schema-dir "$here/schemas/collections" --service all \
      --memory-budget "$memory_budget" --log-file "$log" --no-progress --keep 1 --force \
      > "$work/summary" 2>&1 || { cat "$work/summary" >&2; exit 1; }
    read -r wall rss_kb user_s sys_s < "$work/time"
    run_json=$(python3 - "$run_json" "$log" "$wall" "$rss_kb" "$user_s" "$sys_s" <<'EOF'
import json, sys
runs = json.loads(sys.argv[1]); docs = 0; text = 0
for line in open(sys.argv[2]):
    e = json.loads(line)
    if e.get("event") == "collection_done": docs += e["documents"]; text += e["text_bytes"]
runs.append({"wall_s": float(sys.argv[3]), "cpu_s": float(sys.argv[5]) + float(sys.argv[6]),
             "peak_rss_mb": int(sys.argv[4]) / 1024.0, "docs": docs, "text_bytes": text})
print(json.dumps(runs))
EOF
)
    echo "   run $run: $(tail -1 "$work/summary") (wall ${wall}s, peak RSS $((rss_kb / 1024)) MiB)" >&2
  done
  index_bytes=$(du -sb "$work/index-$size" | cut -f1)

  echo "== $size: incumbent (tsvector STORED column + GIN)" >&2
  incumbent_sql=$work/incumbent.sql
  : > "$incumbent_sql"
  for spec in 'community."Post":title:content:post' 'marketplace."Product":name:description:product' \
              'marketplace."Supplier":name:description:supplier' 'academy."Course":title:description:course'; do
    IFS=: read -r table title body short <<< "$spec"
    cat >> "$incumbent_sql" <<EOF
ALTER TABLE $table ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('portuguese', $title), 'A') ||
  setweight(to_tsvector('portuguese', coalesce($body, '')), 'B')) STORED;
CREATE INDEX ${short}_search_tsv_gin ON $table USING GIN (search_tsv);
EOF
  done
  t0=$(now)
  PGOPTIONS="-c client_min_messages=warning" psql "$url" -v ON_ERROR_STOP=1 -q -f "$incumbent_sql"
  incumbent_s=$(echo "$(now) - $t0" | bc)
  incumbent_bytes=$(psql "$url" -qAt -c "SELECT sum(pg_relation_size(c.oid)) FROM pg_class c WHERE c.relname LIKE '%_search_tsv_gin'")
  tsv_bytes=$(psql "$url" -qAt -c "SELECT sum(pg_column_size(search_tsv)) FROM (
      SELECT search_tsv FROM community.\"Post\" UNION ALL SELECT search_tsv FROM marketplace.\"Product\"
      UNION ALL SELECT search_tsv FROM marketplace.\"Supplier\" UNION ALL SELECT search_tsv FROM academy.\"Course\") t")

  results=$(python3 - "$results" "$size" "$live_rows" "$all_rows" "$seed_s" "$run_json" "$index_bytes" \
      "$incumbent_s" "$incumbent_bytes" "$tsv_bytes" "$memory_budget" <<'EOF'
import json, sys
res = json.loads(sys.argv[1]); runs = json.loads(sys.argv[6])
walls = sorted(r["wall_s"] for r in runs); median = walls[len(walls) // 2]
best = min(runs, key=lambda r: r["wall_s"])
res.append({"size": sys.argv[2], "live_rows": int(sys.argv[3]), "all_rows": int(sys.argv[4]),
            "seed_s": float(sys.argv[5]), "runs": runs, "median_wall_s": median,
            "docs_per_s": runs[0]["docs"] / median, "median_cpu_s": sorted(r["cpu_s"] for r in runs)[len(runs) // 2], "text_mb_per_s": runs[0]["text_bytes"] / median / 1e6,
            "text_bytes": runs[0]["text_bytes"], "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "memory_budget": sys.argv[11], "index_bytes": int(sys.argv[7]),
            "incumbent_build_s": float(sys.argv[8]), "incumbent_gin_bytes": int(sys.argv[9] or 0),
            "incumbent_tsvector_bytes": int(sys.argv[10] or 0)})
print(json.dumps(res))
EOF
)
  psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
done

mkdir -p "$(dirname "$out")"
python3 - "$results" "$out" <<'EOF'
import json, sys, os, platform, datetime
res = json.loads(sys.argv[1])
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
doc = {"machine": {"cores": os.cpu_count(), "cpu": cpu}, "date": datetime.datetime.utcnow().isoformat() + "Z", "results": res}
json.dump(doc, open(sys.argv[2], "w"), indent=2)
print(f"Machine: {os.cpu_count()} cores, {cpu}; {doc['date']}\n")
print("| size | live rows | text | rebuild wall (median) | rebuild CPU | docs/s | text MB/s | peak RSS | incumbent build (wall) | incumbent / ours |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in res:
    print(f"| {r['size']} | {r['live_rows']:,} | {r['text_bytes'] / 1e6:.1f} MB | {r['median_wall_s']:.2f} s | {r['median_cpu_s']:.2f} s | {r['docs_per_s']:,.0f} | "
          f"{r['text_mb_per_s']:.1f} | {r['peak_rss_mb']:.0f} MiB (budget {r['memory_budget']}) | "
          f"{r['incumbent_build_s']:.2f} s | {r['incumbent_build_s'] / r['median_wall_s']:.1f}x |")
EOF
echo "(figures in $out)" >&2
