#!/usr/bin/env bash
# load_gen.sh: served latency of search-server as a caller sees it (C++ gRPC client, loopback),
# at several concurrency levels, against an existing index directory.
#
#   bench/load_gen.sh --index-dir DIR [--queries FILE] [--levels "1 8 64"] [--duration 20]
#                     [--bin build/bin] [--port 50151] [--bypass-cache]
#
# Starts search-server on DIR (its own ports), warms it, runs bench/load_gen (closed loop) at each
# concurrency level and prints one Markdown row per level: p50/p95/p99/max (µs), QPS, errors.
# Without --queries a query file is derived from words of the built-in list below (1-3 words,
# fixed seed). The result cache is on by default, as in production; --bypass-cache measures the
# engine path only.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=build/bin
INDEX_DIR=""
QUERIES=""
LEVELS="1 8 64"
DURATION=20
PORT=50151
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --index-dir) INDEX_DIR=${2:?}; shift 2 ;;
    --queries) QUERIES=${2:?}; shift 2 ;;
    --levels) LEVELS=${2:?}; shift 2 ;;
    --duration) DURATION=${2:?}; shift 2 ;;
    --bin) BIN=${2:?}; shift 2 ;;
    --port) PORT=${2:?}; shift 2 ;;
    --bypass-cache) EXTRA+=(--bypass-cache); shift ;;
    *) echo "load_gen.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$INDEX_DIR" ] || { echo "load_gen.sh: --index-dir is required" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT

if [ -z "$QUERIES" ]; then
  QUERIES=$WORK/queries.txt
  python3 - "$QUERIES" <<'PY'
import random, sys
words = ("pão queijo café açúcar tomate farinha azeite feijão arroz leite manteiga mel bolo doce "
         "orgânico integral artesanal caseiro tradicional fresco promoção entrega receita curso "
         "fornecedor mercado venda preço frete natural chocolate frango carne peixe verdura fruta "
         "salgado torta pizza massa molho tempero vinho cerveja suco água limpeza cozinha").split()
rng = random.Random(42)
with open(sys.argv[1], "w") as out:
    for _ in range(5000):
        n = rng.choice([1, 1, 2, 2, 3])
        out.write(" ".join(rng.choice(words[: rng.choice([10, 25, len(words)])]) for _ in range(n)) + "\n")
PY
fi

"$BIN/search-server" --index-dir "$INDEX_DIR" --listen "127.0.0.1:$PORT" --http "" --log-level warn --slow-query-ms 0 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  if "$BIN/load_gen" --target "127.0.0.1:$PORT" --queries "$QUERIES" --requests 1 --warmup 0 >/dev/null 2>&1; then break; fi
  sleep 0.2
done
"$BIN/load_gen" --target "127.0.0.1:$PORT" --queries "$QUERIES" --concurrency 4 --duration 3 --warmup 1 "${EXTRA[@]}" >/dev/null

echo "| clients | p50 µs | p95 µs | p99 µs | max µs | QPS | errors |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for c in $LEVELS; do
  "$BIN/load_gen" --target "127.0.0.1:$PORT" --queries "$QUERIES" --concurrency "$c" --duration "$DURATION" \
    --warmup 2 --json "$WORK/r.json" "${EXTRA[@]}" >/dev/null || true
  python3 - "$WORK/r.json" "$c" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"| {sys.argv[2]} | {r['p50_us']:.0f} | {r['p95_us']:.0f} | {r['p99_us']:.0f} | {r['max_us']:.0f} | {r['qps']:.0f} | {r['errors']} |")
PY
done
